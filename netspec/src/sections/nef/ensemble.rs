//! `[[ensemble]]`: an NEF ensemble of N neurons representing a d-dimensional vector, built by
//! [`models::ensemble::EnsembleSpec`] with Nengo 4.1's defaults (scattered encoders and
//! evaluation points, max rates U(200, 400) Hz, intercepts U(−1, 0.9)).

use models::ensemble::{EnsembleSpec, NeuronType, PerNeuron};
use simcore::neuron::lif::LifParams;

use super::values::{PerNeuronParam, matrix, one_of, per_neuron};
use crate::error::{ErrorKind, SpecError};
use crate::neuron::lif::read_lif_times;
use crate::param::Param;
use crate::reader::{At, Required, TableReader};
use crate::sections::Names;
use crate::sections::population::MAX_SIZE;

/// Neuron types an ensemble accepts.
pub const NEURONS: [&str; 2] = ["lif", "lif_rate"];

/// A validated `[[ensemble]]` entry.
#[derive(Clone, Debug)]
pub struct Ensemble {
    /// Unique name (also the population name in the output).
    pub name: At<String>,
    /// Number of neurons N.
    pub n_neurons: At<u64>,
    /// Represented dimensions d.
    pub dimensions: At<u64>,
    /// Radius of the represented space.
    pub radius: At<f64>,
    /// `"lif"` or `"lif_rate"`.
    pub neuron: At<String>,
    /// Membrane time constant, s.
    pub tau_rc: At<f64>,
    /// Refractory period, s.
    pub tau_ref: At<f64>,
    /// Max firing rates, Hz.
    pub max_rates: At<PerNeuronParam>,
    /// Intercepts (units of the radius).
    pub intercepts: At<PerNeuronParam>,
    /// Encoders given as N rows of d values (normalised), or scattered when absent.
    pub encoders: Option<At<Vec<Vec<f64>>>>,
    /// Evaluation points given as rows of d values (represented units).
    pub eval_points: Option<At<Vec<Vec<f64>>>>,
    /// Number of default evaluation points.
    pub n_eval_points: Option<At<u64>>,
    /// Seed of this ensemble's random streams (default: the master seed).
    pub seed: Option<At<u64>>,
}

impl Ensemble {
    /// Reads one `[[ensemble]]` table.
    pub fn parse(t: &mut TableReader<'_>, names: &mut Names) -> Result<Self, SpecError> {
        let name = t.str("name")?.required(t, "name")?;
        names.claim("population", &name)?;
        let n_neurons = t.u64("n_neurons")?.required(t, "n_neurons")?;
        if n_neurons.value == 0 || n_neurons.value > MAX_SIZE {
            return Err(n_neurons.error(ErrorKind::OutOfRange {
                value: n_neurons.value.to_string(),
                msg: format!("must be between 1 and {MAX_SIZE}"),
            }));
        }
        let dimensions = t
            .u64("dimensions")?
            .unwrap_or_else(|| t.default("dimensions", 1));
        if dimensions.value == 0 || dimensions.value > 4096 {
            return Err(dimensions.error(ErrorKind::OutOfRange {
                value: dimensions.value.to_string(),
                msg: "must be between 1 and 4096".into(),
            }));
        }
        let radius = t
            .f64("radius")?
            .unwrap_or_else(|| t.default("radius", 1.0))
            .check(|r| r > 0.0, "must be > 0")?;
        let neuron = t
            .str("neuron")?
            .unwrap_or_else(|| t.default("neuron", "lif".to_string()));
        one_of(&neuron, "neuron type", &NEURONS)?;
        let (tau_rc, tau_ref) = read_lif_times(t)?;
        let max_rates = per_neuron(t, "max_rates")?.unwrap_or_else(|| {
            t.default(
                "max_rates",
                PerNeuronParam::Param(Param::Uniform {
                    low: 200.0,
                    high: 400.0,
                }),
            )
        });
        let max_possible = if tau_ref.value > 0.0 {
            1.0 / tau_ref.value
        } else {
            f64::INFINITY
        };
        check_values(
            &max_rates,
            n_neurons.value,
            |r| r > 0.0 && r < max_possible,
            &format!("max rates must be in (0, 1/tau_ref = {max_possible} Hz)"),
        )?;
        let intercepts = per_neuron(t, "intercepts")?.unwrap_or_else(|| {
            t.default(
                "intercepts",
                PerNeuronParam::Param(Param::Uniform {
                    low: -1.0,
                    high: 0.9,
                }),
            )
        });
        check_values(
            &intercepts,
            n_neurons.value,
            |c| c < 1.0,
            "intercepts must be below 1 (the radius)",
        )?;
        let d = dimensions.value as usize;
        let encoders = matrix(t, "encoders")?;
        if let Some(e) = &encoders {
            if e.value.len() as u64 != n_neurons.value || e.value[0].len() != d {
                return Err(e.error(ErrorKind::Invalid(format!(
                    "{} rows of {} values; need n_neurons = {} rows of dimensions = {d}",
                    e.value.len(),
                    e.value[0].len(),
                    n_neurons.value
                ))));
            }
            if let Some(i) = e.value.iter().position(|r| r.iter().all(|&x| x == 0.0)) {
                return Err(e.error(ErrorKind::Invalid(format!("encoder {i} is zero"))));
            }
        }
        let eval_points = matrix(t, "eval_points")?;
        if let Some(p) = &eval_points
            && p.value[0].len() != d
        {
            return Err(p.error(ErrorKind::Invalid(format!(
                "points have {} values; the ensemble has dimensions = {d}",
                p.value[0].len()
            ))));
        }
        let n_eval_points = t.u64("n_eval_points")?;
        if let Some(m) = &n_eval_points {
            if m.value == 0 {
                return Err(m.error(ErrorKind::OutOfRange {
                    value: "0".into(),
                    msg: "must be at least 1".into(),
                }));
            }
            if eval_points.is_some() {
                return Err(m.error(ErrorKind::Invalid(
                    "give either `eval_points` or `n_eval_points`".into(),
                )));
            }
        }
        let seed = t.u64("seed")?;
        t.finish()?;
        Ok(Self {
            name,
            n_neurons,
            dimensions,
            radius,
            neuron,
            tau_rc,
            tau_ref,
            max_rates,
            intercepts,
            encoders,
            eval_points,
            n_eval_points,
            seed,
        })
    }

    /// Estimated memory of the built ensemble, bytes: neuron state and spike buffers, and the
    /// f64 build arrays (encoders, eval points, tuning curves at the eval points).
    pub fn memory_estimate(&self) -> u64 {
        let n = self.n_neurons.value;
        let d = self.dimensions.value;
        let m = match (&self.eval_points, &self.n_eval_points) {
            (Some(p), _) => p.value.len() as u64,
            (None, Some(m)) => m.value,
            (None, None) => EnsembleSpec::default_eval_count(n as usize, d as usize) as u64,
        };
        simcore::lanes::padded_len(n as usize) as u64 * 32 + 8 * (3 * n * d + m * d + m * n)
    }

    /// Dotted path of this ensemble's table (`ensemble.a`), prefix of its random stream keys.
    pub fn path(&self) -> String {
        self.name.key.trim_end_matches(".name").to_string()
    }

    /// The ensemble for [`models::network::NefNetwork`]. With its own `seed`, the ensemble's
    /// arrays are built here from that seed and handed over as given values.
    pub fn to_spec(&self, master_seed: u64) -> Result<EnsembleSpec, SpecError> {
        let n = self.n_neurons.value as usize;
        let mut e = EnsembleSpec::new(&self.name.value, n, self.dimensions.value as usize);
        e.radius = self.radius.value;
        let lif = LifParams {
            tau_rc: self.tau_rc.value,
            tau_ref: self.tau_ref.value,
            ..LifParams::default()
        };
        e.neuron = match self.neuron.value.as_str() {
            "lif_rate" => NeuronType::LifRate(lif),
            _ => NeuronType::Lif(lif),
        };
        let seed = self.seed.as_ref().map_or(master_seed, |s| s.value);
        let per = |p: &At<PerNeuronParam>| match &p.value {
            PerNeuronParam::Param(Param::Uniform { low, high }) => PerNeuron::Uniform(*low, *high),
            PerNeuronParam::Param(d) => PerNeuron::Values(d.sample(n, seed, &p.key)),
            PerNeuronParam::Values(v) => PerNeuron::Values(v.clone()),
        };
        e.max_rates = per(&self.max_rates);
        e.intercepts = per(&self.intercepts);
        e.encoders = self.encoders.as_ref().map(|m| m.value.concat());
        e.eval_points = self.eval_points.as_ref().map(|m| m.value.concat());
        e.n_eval_points = self.n_eval_points.as_ref().map(|m| m.value as usize);
        if seed != master_seed {
            let b = e
                .build(seed)
                .map_err(|err| self.name.error(ErrorKind::Invalid(err.to_string())))?;
            e.encoders = Some(b.encoders);
            e.gain_bias = Some((b.gain, b.bias));
            e.eval_points = Some(b.eval_points);
            e.n_eval_points = None;
            e.initial_voltage = Some(b.initial_voltage);
        }
        Ok(e)
    }

    /// The location of `key` of this ensemble (for errors the NEF builder reports).
    pub fn locate(&self, key: &str) -> Option<crate::error::Origin> {
        let origin = match key {
            "n_neurons" => &self.n_neurons.origin,
            "dimensions" => &self.dimensions.origin,
            "radius" => &self.radius.origin,
            "neuron" => &self.neuron.origin,
            "tau_rc" => &self.tau_rc.origin,
            "tau_ref" => &self.tau_ref.origin,
            "max_rates" | "gain/bias" => &self.max_rates.origin,
            "intercepts" => &self.intercepts.origin,
            "encoders" => &self.encoders.as_ref()?.origin,
            "eval_points" => &self.eval_points.as_ref()?.origin,
            "n_eval_points" => &self.n_eval_points.as_ref()?.origin,
            _ => return None,
        };
        Some(origin.clone())
    }
}

/// Checks constant and per-neuron values (distributions are checked when drawn).
fn check_values(
    p: &At<PerNeuronParam>,
    n: u64,
    ok: impl Fn(f64) -> bool,
    msg: &str,
) -> Result<(), SpecError> {
    let bad = match &p.value {
        PerNeuronParam::Param(Param::Const(c)) => (!ok(*c)).then_some(*c),
        // The upper end is exclusive: only the lower end must be valid.
        PerNeuronParam::Param(Param::Uniform { low, .. }) => (!ok(*low)).then_some(*low),
        PerNeuronParam::Param(_) => None,
        PerNeuronParam::Values(v) => {
            if v.len() as u64 != n {
                return Err(p.error(ErrorKind::Invalid(format!(
                    "{} values given for n_neurons = {n}",
                    v.len()
                ))));
            }
            v.iter().copied().find(|&x| !ok(x))
        }
    };
    match bad {
        Some(x) => Err(p.error(ErrorKind::OutOfRange {
            value: x.to_string(),
            msg: format!("is out of range: {msg}"),
        })),
        None => Ok(()),
    }
}

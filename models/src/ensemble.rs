//! NEF ensembles: the parameters a user gives ([`EnsembleSpec`]) and the arrays built from them
//! ([`BuiltEnsemble`]), kept inspectable as Nengo's `BuiltEnsemble`.
//!
//! Build recipe (Nengo 4.1 `build_ensemble`; Eliasmith & Anderson 2003, ch. 2):
//! 1. evaluation points: `max(clip(500·d, 750, 2500), 2·N)` points scattered in the d-ball of
//!    radius `r` ([`crate::dists::scattered_ball`]), or given;
//! 2. encoders $e_i$: unit vectors scattered on the sphere ([`crate::dists::scattered_sphere`]),
//!    or given (normalised);
//! 3. max rates $U(200, 400)$ Hz and intercepts $U(-1, 0.9)$, or given;
//! 4. gain and bias from the neuron's analytic inverse rate function so that
//!    $J_i(x) = \alpha_i\, e_i\cdot x / r + \beta_i$ reaches threshold at $e_i\cdot x/r$ = intercept
//!    and the max rate at $e_i \cdot x / r = 1$ ([`simcore::neuron::lif::LifParams::gain_bias`]);
//!    or gain and bias given directly;
//! 5. tuning curves $A_{ki} = G(J_i(x_k))$ at the evaluation points ([`BuiltEnsemble::tuning_curves`]).

use rand::Rng;
use simcore::neuron::lif::LifParams;
use simcore::rng::stream;

use crate::NefError;
use crate::dists::{scattered_ball, scattered_sphere};

/// The neuron model of an ensemble.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NeuronType {
    /// Spiking leaky integrate-and-fire (Nengo `LIF`).
    Lif(LifParams),
    /// The LIF steady-state rate curve used as a rate neuron (Nengo `LIFRate`).
    LifRate(LifParams),
}

impl Default for NeuronType {
    fn default() -> Self {
        NeuronType::Lif(LifParams::default())
    }
}

impl NeuronType {
    /// The LIF parameters.
    pub fn lif(&self) -> &LifParams {
        match self {
            NeuronType::Lif(p) | NeuronType::LifRate(p) => p,
        }
    }

    /// Steady-state firing rate (Hz) for constant current `j`.
    pub fn rate(&self, j: f64) -> f64 {
        self.lif().rate(j)
    }

    /// Name for summaries (`"lif"`, `"lif_rate"`).
    pub fn name(&self) -> &'static str {
        match self {
            NeuronType::Lif(_) => "lif",
            NeuronType::LifRate(_) => "lif_rate",
        }
    }
}

/// A scalar parameter drawn per neuron: uniform on an interval, or given per neuron.
#[derive(Clone, Debug, PartialEq)]
pub enum PerNeuron {
    /// Uniform on `[lo, hi)`.
    Uniform(f64, f64),
    /// One value per neuron.
    Values(Vec<f64>),
}

impl PerNeuron {
    fn sample(
        &self,
        n: usize,
        object: &str,
        key: &str,
        rng: &mut impl Rng,
    ) -> Result<Vec<f64>, NefError> {
        match self {
            PerNeuron::Uniform(lo, hi) => {
                if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                    return Err(NefError::invalid(
                        object,
                        key,
                        format!("bad interval [{lo}, {hi}]"),
                    ));
                }
                Ok((0..n)
                    .map(|_| lo + (hi - lo) * rng.random::<f64>())
                    .collect())
            }
            PerNeuron::Values(v) => {
                if v.len() != n {
                    return Err(NefError::invalid(
                        object,
                        key,
                        format!("{} values given for {n} neurons", v.len()),
                    ));
                }
                Ok(v.clone())
            }
        }
    }
}

/// What an ensemble is made of, as a user specifies it (Nengo defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct EnsembleSpec {
    /// Name (unique; keys the random streams).
    pub name: String,
    /// Number of neurons N.
    pub n: usize,
    /// Represented dimensions d.
    pub dims: usize,
    /// Radius r of the represented space.
    pub radius: f64,
    /// Neuron model.
    pub neuron: NeuronType,
    /// Encoders, `N × d` row-major (normalised to unit length); default scattered on the sphere.
    pub encoders: Option<Vec<f64>>,
    /// Max firing rates (Hz), default U(200, 400).
    pub max_rates: PerNeuron,
    /// Intercepts (in units of the radius), default U(−1, 0.9).
    pub intercepts: PerNeuron,
    /// Gain and bias given directly (overrides max rates and intercepts).
    pub gain_bias: Option<(Vec<f64>, Vec<f64>)>,
    /// Evaluation points, `m × d` row-major, in represented units; default scattered in the ball.
    pub eval_points: Option<Vec<f64>>,
    /// Number of default evaluation points; default `max(clip(500·d, 750, 2500), 2·N)`.
    pub n_eval_points: Option<usize>,
    /// Initial normalised voltages; default U(0, 1) as Nengo.
    pub initial_voltage: Option<Vec<f64>>,
}

impl EnsembleSpec {
    /// An ensemble of `n` LIF neurons representing `dims` dimensions, with Nengo's defaults.
    pub fn new(name: &str, n: usize, dims: usize) -> Self {
        Self {
            name: name.to_string(),
            n,
            dims,
            radius: 1.0,
            neuron: NeuronType::default(),
            encoders: None,
            max_rates: PerNeuron::Uniform(200.0, 400.0),
            intercepts: PerNeuron::Uniform(-1.0, 0.9),
            gain_bias: None,
            eval_points: None,
            n_eval_points: None,
            initial_voltage: None,
        }
    }

    /// Nengo's default number of evaluation points: `max(clip(500·d, 750, 2500), 2·N)`.
    pub fn default_eval_count(n: usize, dims: usize) -> usize {
        (500 * dims).clamp(750, 2500).max(2 * n)
    }

    /// Builds the ensemble's arrays with the random streams of master seed `seed`.
    pub fn build(&self, seed: u64) -> Result<BuiltEnsemble, NefError> {
        let name = &self.name;
        let (n, d) = (self.n, self.dims);
        if n == 0 {
            return Err(NefError::invalid(name, "n_neurons", "must be at least 1"));
        }
        if d == 0 {
            return Err(NefError::invalid(name, "dimensions", "must be at least 1"));
        }
        if !(self.radius > 0.0 && self.radius.is_finite()) {
            return Err(NefError::invalid(
                name,
                "radius",
                "must be positive and finite",
            ));
        }
        self.neuron.lif().validate(name).map_err(NefError::from)?;
        let key = |k: &str| format!("ensemble/{name}/{k}");

        // Evaluation points (represented units).
        let eval_points = match &self.eval_points {
            Some(p) => {
                if p.is_empty() || p.len() % d != 0 {
                    return Err(NefError::invalid(
                        name,
                        "eval_points",
                        format!("{} values is not a whole number of {d}-D points", p.len()),
                    ));
                }
                if p.iter().any(|x| !x.is_finite()) {
                    return Err(NefError::invalid(
                        name,
                        "eval_points",
                        "values must be finite",
                    ));
                }
                p.clone()
            }
            None => {
                let m = self
                    .n_eval_points
                    .unwrap_or_else(|| Self::default_eval_count(n, d));
                if m == 0 {
                    return Err(NefError::invalid(
                        name,
                        "n_eval_points",
                        "must be at least 1",
                    ));
                }
                let mut p = scattered_ball(m, d, &mut stream(seed, &key("eval_points")));
                p.iter_mut().for_each(|x| *x *= self.radius);
                p
            }
        };

        // Encoders (unit length).
        let encoders = match &self.encoders {
            Some(e) => {
                if e.len() != n * d {
                    return Err(NefError::invalid(
                        name,
                        "encoders",
                        format!("{} values given, expected N·d = {}", e.len(), n * d),
                    ));
                }
                let mut e = e.clone();
                for (i, row) in e.chunks_mut(d).enumerate() {
                    let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
                    if !(norm > 0.0 && norm.is_finite()) {
                        return Err(NefError::invalid(
                            name,
                            "encoders",
                            format!("encoder of neuron {i} has zero or non-finite length"),
                        ));
                    }
                    row.iter_mut().for_each(|x| *x /= norm);
                }
                e
            }
            None => scattered_sphere(n, d, &mut stream(seed, &key("encoders"))),
        };

        // Gain and bias.
        let lif = *self.neuron.lif();
        let (gain, bias, max_rates, intercepts) = match &self.gain_bias {
            Some((g, b)) => {
                if g.len() != n || b.len() != n {
                    return Err(NefError::invalid(
                        name,
                        "gain/bias",
                        format!("{} gains and {} biases for {n} neurons", g.len(), b.len()),
                    ));
                }
                if g.iter().chain(b).any(|x| !x.is_finite()) {
                    return Err(NefError::invalid(
                        name,
                        "gain/bias",
                        "values must be finite",
                    ));
                }
                let (mr, ic): (Vec<f64>, Vec<f64>) = g
                    .iter()
                    .zip(b)
                    .map(|(&g, &b)| lif.max_rate_intercept(g, b))
                    .unzip();
                (g.clone(), b.clone(), mr, ic)
            }
            None => {
                let mr = self.max_rates.sample(
                    n,
                    name,
                    "max_rates",
                    &mut stream(seed, &key("max_rates")),
                )?;
                let ic = self.intercepts.sample(
                    n,
                    name,
                    "intercepts",
                    &mut stream(seed, &key("intercepts")),
                )?;
                let max_possible = if lif.tau_ref > 0.0 {
                    1.0 / lif.tau_ref
                } else {
                    f64::INFINITY
                };
                if let Some(&r) = mr.iter().find(|&&r| !(r > 0.0 && r < max_possible)) {
                    return Err(NefError::invalid(
                        name,
                        "max_rates",
                        format!("{r} Hz is outside (0, 1/tau_ref = {max_possible} Hz)"),
                    ));
                }
                if let Some(&c) = ic.iter().find(|&&c| !(c < 1.0 && c.is_finite())) {
                    return Err(NefError::invalid(
                        name,
                        "intercepts",
                        format!("{c} must be below 1 (the radius)"),
                    ));
                }
                let (g, b): (Vec<f64>, Vec<f64>) = mr
                    .iter()
                    .zip(&ic)
                    .map(|(&r, &c)| lif.gain_bias(r, c))
                    .unzip();
                (g, b, mr, ic)
            }
        };

        let initial_voltage = match &self.initial_voltage {
            Some(v) => {
                if v.len() != n {
                    return Err(NefError::invalid(
                        name,
                        "initial_voltage",
                        format!("{} values for {n} neurons", v.len()),
                    ));
                }
                v.clone()
            }
            None => {
                let mut rng = stream(seed, &key("init"));
                (0..n).map(|_| rng.random::<f64>()).collect()
            }
        };

        let scaled_encoders = (0..n * d)
            .map(|k| gain[k / d] * encoders[k] / self.radius)
            .collect();
        Ok(BuiltEnsemble {
            name: name.clone(),
            n,
            dims: d,
            radius: self.radius,
            neuron: self.neuron,
            eval_points,
            encoders,
            max_rates,
            intercepts,
            gain,
            bias,
            scaled_encoders,
            initial_voltage,
        })
    }
}

/// The arrays built for one ensemble (all row-major, f64).
#[derive(Clone, Debug, PartialEq)]
pub struct BuiltEnsemble {
    /// Name.
    pub name: String,
    /// Number of neurons N.
    pub n: usize,
    /// Represented dimensions d.
    pub dims: usize,
    /// Radius.
    pub radius: f64,
    /// Neuron model.
    pub neuron: NeuronType,
    /// Evaluation points, `m × d`, represented units.
    pub eval_points: Vec<f64>,
    /// Unit encoders, `N × d`.
    pub encoders: Vec<f64>,
    /// Max rates (Hz).
    pub max_rates: Vec<f64>,
    /// Intercepts (units of the radius).
    pub intercepts: Vec<f64>,
    /// Gains α.
    pub gain: Vec<f64>,
    /// Biases β.
    pub bias: Vec<f64>,
    /// `α_i e_i / r`, `N × d`: the input current is `J = scaled_encoders · x + bias`.
    pub scaled_encoders: Vec<f64>,
    /// Initial normalised voltages.
    pub initial_voltage: Vec<f64>,
}

impl BuiltEnsemble {
    /// Number of evaluation points m.
    pub fn n_eval_points(&self) -> usize {
        self.eval_points.len() / self.dims
    }

    /// Input current of neuron `i` for represented value `x` (d values).
    pub fn current(&self, i: usize, x: &[f64]) -> f64 {
        let e = &self.scaled_encoders[i * self.dims..(i + 1) * self.dims];
        e.iter().zip(x).map(|(e, x)| e * x).sum::<f64>() + self.bias[i]
    }

    /// Steady-state rates (Hz) of all neurons for represented values `xs` (`k × d`), `k × N`
    /// row-major: $A_{ki} = G(\alpha_i e_i\cdot x_k/r + \beta_i)$.
    pub fn rates(&self, xs: &[f64]) -> Vec<f64> {
        let d = self.dims;
        let mut out = Vec::with_capacity(xs.len() / d * self.n);
        for x in xs.chunks(d) {
            for i in 0..self.n {
                out.push(self.neuron.rate(self.current(i, x)));
            }
        }
        out
    }

    /// Tuning curves at the evaluation points, `m × N` row-major.
    pub fn tuning_curves(&self) -> Vec<f64> {
        self.rates(&self.eval_points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_nengo() {
        assert_eq!(EnsembleSpec::default_eval_count(100, 1), 750);
        assert_eq!(EnsembleSpec::default_eval_count(1000, 1), 2000);
        assert_eq!(EnsembleSpec::default_eval_count(10, 3), 1500);
        assert_eq!(EnsembleSpec::default_eval_count(10, 9), 2500);
        let b = EnsembleSpec::new("a", 200, 2).build(0).unwrap();
        assert_eq!(b.n_eval_points(), 1000);
        assert!(b.max_rates.iter().all(|&r| (200.0..400.0).contains(&r)));
        assert!(b.intercepts.iter().all(|&c| (-1.0..0.9).contains(&c)));
    }

    #[test]
    fn tuning_curves_hit_max_rate_and_intercept() {
        let b = EnsembleSpec::new("a", 50, 3).build(1).unwrap();
        for i in 0..b.n {
            let e = &b.encoders[i * 3..i * 3 + 3];
            let at = |s: f64| b.rates(&e.iter().map(|x| x * s).collect::<Vec<_>>())[i];
            assert!((at(1.0) - b.max_rates[i]).abs() < 1e-6 * b.max_rates[i]);
            assert_eq!(at(b.intercepts[i] - 1e-6), 0.0);
            assert!(at(b.intercepts[i] + 1e-3) > 0.0);
        }
    }

    #[test]
    fn radius_scales_the_represented_space() {
        let mut s = EnsembleSpec::new("a", 20, 1);
        s.radius = 2.0;
        let b = s.build(3).unwrap();
        assert!(b.eval_points.iter().all(|x| x.abs() <= 2.0));
        assert!(b.eval_points.iter().any(|x| x.abs() > 1.5));
        let i = 0;
        let x = [2.0 * b.encoders[i]];
        assert!((b.rates(&x)[i] - b.max_rates[i]).abs() < 1e-6 * b.max_rates[i]);
    }

    #[test]
    fn seeds_are_per_object() {
        let a = EnsembleSpec::new("a", 10, 2).build(5).unwrap();
        let a2 = EnsembleSpec::new("a", 10, 2).build(5).unwrap();
        let b = EnsembleSpec::new("b", 10, 2).build(5).unwrap();
        assert_eq!(a, a2);
        assert_ne!(a.gain, b.gain);
    }

    #[test]
    fn bad_inputs_are_errors_naming_the_key() {
        let mut s = EnsembleSpec::new("ens", 4, 1);
        s.max_rates = PerNeuron::Values(vec![100.0; 3]);
        assert!(s.build(0).unwrap_err().to_string().contains("max_rates"));
        let mut s = EnsembleSpec::new("ens", 4, 1);
        s.max_rates = PerNeuron::Uniform(600.0, 700.0);
        assert!(s.build(0).unwrap_err().to_string().contains("max_rates"));
        let mut s = EnsembleSpec::new("ens", 2, 2);
        s.encoders = Some(vec![1.0, 0.0, 0.0, 0.0]);
        assert!(s.build(0).unwrap_err().to_string().contains("encoders"));
        assert!(EnsembleSpec::new("ens", 0, 1).build(0).is_err());
    }
}

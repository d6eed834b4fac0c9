//! `nef-fixture`: exactness against Nengo itself.
//!
//! The fixture (default: `validation/data/nengo_cc1d_n100_seed0.json`, a copy of Nengo 4.1's
//! built 1-D, 100-neuron communication channel; any file of the same format with
//! `--fixture FILE`) holds Nengo's gains, biases, encoders, initial voltages, evaluation points,
//! decoders, per-neuron spike counts and the recorded decoded output. The setup
//! (Nengo: `Node(sin(2πt)) → Ensemble` with no synapse, decoded identity through
//! `Lowpass(0.01)`, Δt from the file, `y[k]` at `t = k·Δt`) is rebuilt with the fixture's own
//! parameters (d-dimensional fixtures get inputs `sin(2πt + jπ/2)`), run on the LIF kernel,
//! and compared:
//! - per-neuron spike counts: equal for ≥ 95 % of neurons and within ±1 for all;
//! - decoded output: RMS error ≤ 1e-3 against the recorded trace;
//! - decoders re-solved (LstsqL2, reg 0.1, Cholesky) from the fixture's evaluation points with
//!   its gains/biases/encoders: `‖D − D_nengo‖₂ / ‖D_nengo‖₂ ≤ 1e-3`; solver RMSE reported.

use std::path::Path;

use models::cache::DecoderCache;
use models::ensemble::{EnsembleSpec, NeuronType};
use models::network::{BuildOptions, ConnectionSpec, Endpoint, NefNetwork, ProbeSpec, ProbeWhat};
use models::node::Signal;
use models::solver::{LstsqL2, Method, solve};
use models::synapse::Synapse;
use serde_json::Value;
use simcore::neuron::lif::LifParams;

use crate::nengo_setups::{NengoEnsemble, expect_len};
use crate::plot::{LinePlot, Series};
use crate::{Case, CheckResult, Metric, Options, ValidationError};

const NAME: &str = "nef-fixture";

/// The shipped default fixture.
pub const DEFAULT_FIXTURE: &str = include_str!("../data/nengo_cc1d_n100_seed0.json");

/// Acceptance: fraction of neurons with equal spike counts.
pub const MIN_EQUAL_FRACTION: f64 = 0.95;
/// Acceptance: largest spike-count difference.
pub const MAX_COUNT_DIFF: f64 = 1.0;
/// Acceptance: RMS error of the decoded output.
pub const MAX_OUTPUT_RMS: f64 = 1e-3;
/// Acceptance: relative L2 error of re-solved decoders.
pub const MAX_DECODER_REL: f64 = 1e-3;

/// A Nengo fixture's contents.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// Time step, s.
    pub dt: f64,
    /// Duration, s.
    pub t_end: f64,
    /// LIF parameters.
    pub lif: LifParams,
    /// Nengo's built ensemble (gains, biases, encoders, evaluation points, initial voltages).
    pub ensemble: NengoEnsemble,
    /// Decoders `N × d`.
    pub decoders: Vec<f64>,
    /// Nengo's solver RMSE (mean over dimensions).
    pub solver_rmse: Option<f64>,
    /// Recorded output `steps × d`.
    pub y: Vec<f64>,
    /// Spike counts per neuron.
    pub counts: Vec<f64>,
    /// Probe synapse time constant, s.
    pub probe_tau: f64,
}

fn flat(v: &Value, key: &str) -> Result<Vec<f64>, String> {
    fn rec(v: &Value, out: &mut Vec<f64>) -> bool {
        match v {
            Value::Array(a) => a.iter().all(|x| rec(x, out)),
            Value::Number(x) => x.as_f64().map(|x| out.push(x)).is_some(),
            _ => false,
        }
    }
    let x = v.get(key).ok_or(format!("missing key `{key}`"))?;
    let mut out = Vec::new();
    if !rec(x, &mut out) {
        return Err(format!(
            "`{key}` must be a number or (nested) array of numbers"
        ));
    }
    Ok(out)
}

fn num(v: &Value, key: &str) -> Result<f64, String> {
    v.get(key)
        .and_then(Value::as_f64)
        .ok_or(format!("missing or non-numeric key `{key}`"))
}

impl Fixture {
    /// Parses a fixture from JSON text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let gain = flat(&v, "gain")?;
        let n = gain.len();
        if n == 0 {
            return Err("`gain` is empty".into());
        }
        let encoders = flat(&v, "encoders")?;
        if encoders.len() % n != 0 || encoders.is_empty() {
            return Err(format!(
                "`encoders` has {} values for {n} neurons",
                encoders.len()
            ));
        }
        let dims = encoders.len() / n;
        let ensemble = NengoEnsemble {
            n,
            dims,
            gain,
            bias: flat(&v, "bias")?,
            encoders,
            eval_points: flat(&v, "eval_points")?,
            initial_voltage: flat(&v, "initial_voltage")?,
        };
        ensemble.check()?;
        let decoders = flat(&v, "decoders")?;
        expect_len("decoders", decoders.len(), n * dims)?;
        let counts = flat(&v, "spike_count_per_neuron")?;
        expect_len("spike_count_per_neuron", counts.len(), n)?;
        let dt = num(&v, "dt")?;
        let t_end = num(&v, "T")?;
        if !(dt > 0.0 && t_end > 0.0 && t_end / dt < 1e8) {
            return Err(format!("bad dt {dt} / T {t_end}"));
        }
        let steps = (t_end / dt).round() as usize;
        let y = flat(&v, "y_decoded_filtered")?;
        expect_len("y_decoded_filtered", y.len(), steps * dims)?;
        let solver_rmse = v
            .get("solver_rmses")
            .and_then(|_| flat(&v, "solver_rmses").ok())
            .map(|r| r.iter().sum::<f64>() / r.len().max(1) as f64);
        let lif = LifParams {
            tau_rc: num(&v, "tau_rc")?,
            tau_ref: num(&v, "tau_ref")?,
            ..LifParams::default()
        };
        let probe_tau = v
            .get("probe_synapse")
            .and_then(Value::as_f64)
            .unwrap_or(0.01);
        Ok(Self {
            dt,
            t_end,
            lif,
            ensemble,
            decoders,
            solver_rmse,
            y,
            counts,
            probe_tau,
        })
    }

    fn ensemble(&self) -> EnsembleSpec {
        let mut e = self.ensemble.spec("ens");
        e.neuron = NeuronType::Lif(self.lif);
        e
    }
}

/// What the comparison found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Fraction of neurons with equal spike counts.
    pub equal_fraction: f64,
    /// Largest spike-count difference.
    pub max_count_diff: f64,
    /// RMS error of the decoded output.
    pub output_rms: f64,
    /// Relative L2 error of re-solved decoders.
    pub decoder_rel: f64,
    /// Our solver RMSE.
    pub solver_rmse: f64,
    /// Sample times.
    pub times: Vec<f64>,
    /// Our output (first dimension).
    pub y: Vec<f64>,
}

/// Runs the fixture's setup and compares.
pub fn compare(f: &Fixture, threads: usize) -> Result<Outcome, models::NefError> {
    let mut net = NefNetwork::default();
    net.ensembles.push(f.ensemble());
    let d = f.ensemble.dims;
    net.nodes.push((
        "input".into(),
        Signal::Sine {
            freq: 1.0,
            amplitude: vec![1.0; d],
            phase: (0..d)
                .map(|j| j as f64 * std::f64::consts::FRAC_PI_2)
                .collect(),
            offset: vec![0.0; d],
        },
    ));
    let mut c = ConnectionSpec::new(
        Endpoint::Node("input".into()),
        Endpoint::Ensemble("ens".into()),
    );
    c.synapse = Synapse::None;
    net.connections.push(c);
    let mut p = ProbeSpec::new("y", Endpoint::Ensemble("ens".into()), ProbeWhat::Value);
    p.synapse = Synapse::Lowpass(f.probe_tau);
    p.decoders = Some(f.decoders.clone());
    net.probes.push(p);
    net.probes.push(ProbeSpec::new(
        "spikes",
        Endpoint::Ensemble("ens".into()),
        ProbeWhat::Spikes,
    ));
    let built = net.build(&BuildOptions {
        dt: f.dt,
        seed: 0,
        cache: DecoderCache::disabled(),
    })?;
    let (mut run, rec) = built.into_run(f.dt, threads)?;
    run.run(f.t_end)?;
    let y = rec.probe("y").expect("probe y").data();
    let s = rec.probe("spikes").expect("probe spikes").data();
    let counts: Vec<f64> = (0..f.ensemble.n)
        .map(|i| (s.column(i).iter().sum::<f64>() * f.dt).round())
        .collect();
    let diffs: Vec<f64> = counts
        .iter()
        .zip(&f.counts)
        .map(|(a, b)| (a - b).abs())
        .collect();
    let equal_fraction = diffs.iter().filter(|&&x| x == 0.0).count() as f64 / f.ensemble.n as f64;
    let max_count_diff = diffs.iter().copied().fold(0.0, f64::max);
    let m = y.values.len().min(f.y.len());
    let output_rms = (y.values[..m]
        .iter()
        .zip(&f.y[..m])
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        / m.max(1) as f64)
        .sqrt();
    let ens = f.ensemble().build(0)?;
    let dec = solve(
        &ens,
        &ens.eval_points,
        d,
        &LstsqL2 {
            reg: 0.1,
            method: Method::Cholesky,
        },
        "nef-fixture",
    )?;
    let num: f64 = dec
        .values
        .iter()
        .zip(&f.decoders)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt();
    let den: f64 = f
        .decoders
        .iter()
        .map(|b| b * b)
        .sum::<f64>()
        .sqrt()
        .max(f64::MIN_POSITIVE);
    Ok(Outcome {
        equal_fraction,
        max_count_diff,
        output_rms,
        decoder_rel: num / den,
        solver_rmse: dec.mean_rmse(),
        times: y.times.clone(),
        y: y.column(0),
    })
}

/// Runs the check.
pub fn run(opts: &Options) -> Result<CheckResult, ValidationError> {
    let (text, label) = match &opts.fixture {
        Some(p) => (
            std::fs::read_to_string(p).map_err(|e| ValidationError::Reference {
                check: NAME,
                path: p.clone(),
                msg: e.to_string(),
            })?,
            p.display().to_string(),
        ),
        None => (
            DEFAULT_FIXTURE.to_string(),
            "nengo_cc1d_n100_seed0 (shipped)".to_string(),
        ),
    };
    let path = opts
        .fixture
        .clone()
        .unwrap_or_else(|| Path::new("validation/data/nengo_cc1d_n100_seed0.json").to_path_buf());
    let f = Fixture::parse(&text).map_err(|msg| ValidationError::Reference {
        check: NAME,
        path: path.clone(),
        msg,
    })?;
    let o = compare(&f, opts.threads).map_err(|e| ValidationError::Reference {
        check: NAME,
        path: path.clone(),
        msg: e.to_string(),
    })?;
    let mut metrics = vec![
        Metric::at_least(
            "spike_counts_equal_fraction",
            o.equal_fraction,
            MIN_EQUAL_FRACTION,
        ),
        Metric::at_most("spike_count_max_abs_diff", o.max_count_diff, MAX_COUNT_DIFF),
        Metric::at_most("decoded_output_rms_error", o.output_rms, MAX_OUTPUT_RMS),
        Metric::at_most(
            "decoders_resolved_rel_error",
            o.decoder_rel,
            MAX_DECODER_REL,
        ),
        Metric::info("solver_rmse", o.solver_rmse),
    ];
    if let Some(r) = f.solver_rmse {
        metrics.push(Metric::info("nengo_solver_rmse", r));
    }
    let case = Case::new(
        &format!("{} N={} d={}", label, f.ensemble.n, f.ensemble.dims),
        metrics,
    );
    let mut plots = Vec::new();
    if let Some(p) = opts.plot_path("nef_fixture.png") {
        let nengo: Vec<f64> = f.y.iter().step_by(f.ensemble.dims).copied().collect();
        LinePlot::new(
            "nef-fixture: decoded output, spikesim vs Nengo",
            "t (s)",
            "decoded x[0]",
        )
        .series(Series::line("Nengo 4.1", o.times.clone(), nengo))
        .series(Series::dashed("spikesim", o.times.clone(), o.y.clone()))
        .save_png(&p)
        .map_err(|source| ValidationError::Plot {
            check: NAME,
            source,
        })?;
        plots.push(p);
    }
    Ok(CheckResult::new(NAME, vec![case], plots))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_fixture_is_reproduced() {
        let r = run(&Options::default()).unwrap();
        assert!(r.passed, "{:?}", r.cases);
    }

    #[test]
    fn a_perturbed_fixture_fails() {
        // Shift one neuron's bias: its spike count and the output move, and the check fails.
        let mut f = Fixture::parse(DEFAULT_FIXTURE).unwrap();
        let busiest = (0..f.ensemble.n)
            .max_by(|&a, &b| f.counts[a].total_cmp(&f.counts[b]))
            .unwrap();
        f.ensemble.bias[busiest] += 0.5;
        let o = compare(&f, 1).unwrap();
        assert!(o.max_count_diff > MAX_COUNT_DIFF);
        assert!(o.output_rms > MAX_OUTPUT_RMS);
        assert!(o.decoder_rel > MAX_DECODER_REL);
    }

    #[test]
    fn malformed_fixtures_are_errors() {
        assert!(Fixture::parse("{}").unwrap_err().contains("gain"));
        let bad = DEFAULT_FIXTURE.replacen("\"bias\"", "\"bias_\"", 1);
        assert!(Fixture::parse(&bad).unwrap_err().contains("bias"));
        assert!(Fixture::parse("not json").is_err());
    }
}

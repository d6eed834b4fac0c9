//! `nef`: NEF networks against the Nengo 4.1 reference simulator on identical setups:
//! Nengo's own built ensembles of seeds 0–4 (gains, biases, encoders, evaluation points,
//! initial voltages; [`crate::nengo_setups`]), Δt = 1 ms, mean over the seeds against Nengo's
//! mean on the same ensembles. ANCHORS.md's figures (Nengo's seeds 0–4, rounded) are shown
//! beside them.
//!
//! | case | setup | metric | acceptance |
//! |---|---|---|---|
//! | `comm_channel` | `Node(sin 2πt) → Ensemble(100, 1-D)` (no synapse), decoded identity through `Lowpass(0.01)`, 2 s | RMSE vs the input through the same filter | ≤ Nengo (0.01767) |
//! | `square` | same, decoded `x²` | RMSE vs filtered `sin²` | ≤ Nengo (0.02943) |
//! | `product` | `[sin, cos] → Ensemble(200, 2-D)`, decoded `x0·x1` | RMSE | ≤ Nengo (0.04218) |
//! | `integrator_100`, `integrator_1000` | recurrent identity, τ = 0.1 s; input 1 while t ≤ 0.5 s (500 steps) with transform τ, then a 5 s hold | \|drift\| (least-squares slope of the decoded value, probe `Lowpass(0.01)`, over 1 s ≤ t ≤ 5.5 s); final value (mean over the last 0.1 s) | ≤ Nengo (0.01470 / 0.00283 per s) |
//! | `oscillator` | 2-D, 200 neurons, recurrent `[[1, −ωτ], [ωτ, 1]]`, ω = 2π·1 Hz, τ = 0.1 s; kick `[0.5, 0]` for 0.1 s through `Lowpass(τ)`, 5.2 s | \|amplitude ratio − 1\| (mean radius of the last 1 s / of [0.2, 1.2) s), \|frequency − 1 Hz\| (unwrapped phase slope from 0.2 s) | ≤ Nengo (0.1026, 0.00425) |
//! | `solver_rmse` | LstsqL2(0.1) on `integrator_1000`'s ensembles (1000 neurons, 2000 evaluation points) | relative difference of the solver RMSE from Nengo's | ≤ 5 % |
//!
//! "≤ Nengo" allows [`MATCH`] (1 %) of Nengo's figure for f32 against f64 state. The setups
//! and metric definitions are those of `validation/nengo/nef_reference.py`, which reproduces
//! ANCHORS.md's figures to all quoted digits for every case but the oscillator, whose setup
//! ANCHORS does not spell out (theirs: ratio 1.087, 1.0078 Hz; this setup in Nengo: 0.897,
//! 1.0043 Hz). Decoding cases are `Connection(ens, Node(size_in), function, synapse=None)`
//! probed with `Lowpass(0.01)`; integrator input `1 if t <= 0.5 else 0`.
//!
//! The ideal signal of the decoding cases is computed exactly as the probe filters the decoded
//! value: $z_s = a z_{s-1} + (1-a) f(x_{s-1})$ with $a = e^{-\Delta t/0.01}$ (Nengo's `Lowpass`
//! with its one step of delay). `--quick` runs the same (under a second in a release build):
//! one seed is not enough, because a recurrent network run in f32 and in f64 drifts apart
//! by up to a few percent per seed in its figures (oscillator amplitude ratio of seed 0:
//! |r − 1| 0.0344 against Nengo's 0.0334), which the mean over five seeds averages out.

use models::cache::DecoderCache;
use models::connection::Transform;
use models::ensemble::EnsembleSpec;
use models::expr::Expr;
use models::function::Function;
use models::network::{BuildOptions, ConnectionSpec, Endpoint, NefNetwork, ProbeSpec, ProbeWhat};
use models::node::Signal;
use models::probe::ProbeData;
use models::solver::{LstsqL2, solve};
use models::synapse::Synapse;

use crate::nengo_setups::{NengoEnsemble, Paired, SHIPPED, Setups};
use crate::plot::{LinePlot, Series};
use crate::{Case, CheckResult, Metric, Options, ValidationError};

const NAME: &str = "nef";
const DT: f64 = 1e-3;
const PROBE_TAU: f64 = 0.01;

/// Nengo 4.1 figures (mean, std over seeds 0–4), from ANCHORS.md.
pub mod nengo {
    /// Communication channel 1-D, 100 neurons: RMSE.
    pub const COMM: (f64, f64) = (0.0177, 0.0018);
    /// x² decoded, 100 neurons: RMSE.
    pub const SQUARE: (f64, f64) = (0.0294, 0.0064);
    /// x0·x1 decoded, 200 neurons: RMSE.
    pub const PRODUCT: (f64, f64) = (0.0422, 0.0063);
    /// Integrator, 100 neurons: |drift| per second.
    pub const DRIFT_100: (f64, f64) = (0.0147, 0.014);
    /// Integrator, 1000 neurons: |drift| per second.
    pub const DRIFT_1000: (f64, f64) = (0.0028, 0.0038);
    /// Integrator, 100 neurons: final value (mean over the last 0.1 s).
    pub const FINAL_100: (f64, f64) = (0.446, 0.121);
    /// Integrator, 1000 neurons: final value.
    pub const FINAL_1000: (f64, f64) = (0.501, 0.025);
    /// Oscillator: amplitude ratio over 5 s.
    pub const OSC_RATIO: (f64, f64) = (1.087, 0.187);
    /// Oscillator: frequency, Hz.
    pub const OSC_FREQ: (f64, f64) = (1.0078, 0.0029);
    /// LstsqL2 solver RMSE, 1000 neurons, 2000 evaluation points.
    pub const SOLVER_RMSE: (f64, f64) = (0.00207, 0.00010);
}

fn err(e: impl std::fmt::Display) -> ValidationError {
    ValidationError::Model {
        check: NAME,
        msg: e.to_string(),
    }
}

/// A simulated decoded signal and its ideal.
struct Trace {
    t: Vec<f64>,
    y: Vec<Vec<f64>>,
}

fn sine_node(d: usize) -> Signal {
    Signal::Sine {
        freq: 1.0,
        amplitude: vec![1.0; d],
        phase: (0..d)
            .map(|j| j as f64 * std::f64::consts::FRAC_PI_2)
            .collect(),
        offset: vec![0.0; d],
    }
}

/// Builds `net` with master seed `seed`, runs it for `seconds` and returns probe `y`.
fn simulate(
    net: &NefNetwork,
    seed: u64,
    seconds: f64,
    threads: usize,
) -> Result<ProbeData, ValidationError> {
    let built = net
        .build(&BuildOptions {
            dt: DT,
            seed,
            cache: DecoderCache::disabled(),
        })
        .map_err(err)?;
    let (mut run, rec) = built.into_run(DT, threads).map_err(err)?;
    run.run(seconds).map_err(err)?;
    Ok(rec.probe("y").expect("probe").data())
}

/// The ensemble `ens` with a recurrent connection (`Lowpass(τ)`, `recurrent` transform),
/// driven by `input` through `Lowpass(τ)` and `input_transform`, its decoded value probed as
/// `y` through `Lowpass(0.01)`.
fn recurrent_network(
    ens: EnsembleSpec,
    tau: f64,
    input: Signal,
    input_transform: Transform,
    recurrent: Transform,
) -> NefNetwork {
    let name = ens.name.clone();
    let name = name.as_str();
    let mut net = NefNetwork::default();
    net.ensembles.push(ens);
    net.nodes.push(("input".into(), input));
    let mut c = ConnectionSpec::new(
        Endpoint::Node("input".into()),
        Endpoint::Ensemble(name.into()),
    );
    c.synapse = Synapse::Lowpass(tau);
    c.transform = input_transform;
    net.connections.push(c);
    let mut r = ConnectionSpec::new(
        Endpoint::Ensemble(name.into()),
        Endpoint::Ensemble(name.into()),
    );
    r.synapse = Synapse::Lowpass(tau);
    r.transform = recurrent;
    net.connections.push(r);
    let mut p = ProbeSpec::new("y", Endpoint::Ensemble(name.into()), ProbeWhat::Value);
    p.synapse = Synapse::Lowpass(PROBE_TAU);
    net.probes.push(p);
    net
}

/// `Node(sin) → ens` (named `ens`) decoded through `function`, probed with Lowpass(0.01).
fn decode_case(
    seed: u64,
    ens: EnsembleSpec,
    function: &str,
    seconds: f64,
    threads: usize,
) -> Result<(f64, Trace, Vec<f64>), ValidationError> {
    let d = ens.dims;
    let mut net = NefNetwork::default();
    net.ensembles.push(ens);
    net.nodes.push(("input".into(), sine_node(d)));
    let mut c = ConnectionSpec::new(
        Endpoint::Node("input".into()),
        Endpoint::Ensemble("ens".into()),
    );
    c.synapse = Synapse::None;
    net.connections.push(c);
    let f = Expr::parse(function, d, false, "nef", "function").map_err(err)?;
    let mut p = ProbeSpec::new("y", Endpoint::Ensemble("ens".into()), ProbeWhat::Value);
    p.synapse = Synapse::Lowpass(PROBE_TAU);
    p.function = Function::Exprs(vec![f.clone()]);
    net.probes.push(p);
    let y = simulate(&net, seed, seconds, threads)?;
    // Ideal: the input's function through the probe's filter, with its one step of delay.
    let node = sine_node(d).build("input", seed).map_err(err)?;
    let a = (-DT / PROBE_TAU).exp();
    let mut z = 0.0;
    let mut prev: Option<f64> = None;
    let mut ideal = Vec::with_capacity(y.times.len());
    let mut x = vec![0.0; d];
    for &t in &y.times {
        if let Some(p) = prev {
            z = a * z + (1.0 - a) * p;
        }
        node.eval(t, &mut x);
        prev = Some(f.eval(&x, t));
        ideal.push(z);
    }
    let rmse = (y
        .values
        .iter()
        .zip(&ideal)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        / ideal.len() as f64)
        .sqrt();
    Ok((
        rmse,
        Trace {
            t: y.times.clone(),
            y: vec![y.values.clone()],
        },
        ideal,
    ))
}

/// Start of the drift fit (s): the hold from 1 s on, as Nengo's figure.
const DRIFT_FROM: f64 = 1.0;
/// The final value is the mean over this last stretch of the run (s).
const FINAL_OVER: f64 = 0.1;

/// Integrator (1-D `ens`): returns |drift| (per s), the final value and the trace.
fn integrator(
    seed: u64,
    ens: EnsembleSpec,
    hold: f64,
    threads: usize,
) -> Result<(f64, f64, Trace), ValidationError> {
    let tau = 0.1;
    // Nengo's `Node(lambda t: 1 if t <= 0.5 else 0)`: nodes are evaluated at t = (s+1)·Δt,
    // so the input is 1 for exactly 500 steps; a switch half a step after 0.5 s says that
    // without relying on the rounding of 500·Δt.
    let input = Signal::Step {
        at: 0.5 + 0.5 * DT,
        before: vec![1.0],
        after: vec![0.0],
    };
    let net = recurrent_network(ens, tau, input, Transform::Scalar(tau), Transform::Identity);
    let end = 0.5 + hold;
    let y = simulate(&net, seed, end, threads)?;
    let (ts, ys): (Vec<f64>, Vec<f64>) = y
        .times
        .iter()
        .zip(&y.values)
        .filter(|(t, _)| **t >= DRIFT_FROM - 1e-9)
        .map(|(t, v)| (*t, *v))
        .unzip();
    let slope = lsq_slope(&ts, &ys);
    let last: Vec<f64> = y
        .times
        .iter()
        .zip(&y.values)
        .filter(|(t, _)| **t > end - FINAL_OVER + 1e-9)
        .map(|(_, v)| *v)
        .collect();
    Ok((
        slope.abs(),
        mean(&last),
        Trace {
            t: y.times.clone(),
            y: vec![y.values.clone()],
        },
    ))
}

fn lsq_slope(t: &[f64], y: &[f64]) -> f64 {
    let n = t.len() as f64;
    let mt = t.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let cov: f64 = t.iter().zip(y).map(|(t, y)| (t - mt) * (y - my)).sum();
    let var: f64 = t.iter().map(|t| (t - mt).powi(2)).sum();
    cov / var
}

/// Oscillator (2-D `ens`): returns (amplitude ratio, frequency, trace).
fn oscillator(
    seed: u64,
    ens: EnsembleSpec,
    seconds: f64,
    threads: usize,
) -> Result<(f64, f64, Trace), ValidationError> {
    let tau = 0.1;
    let w = std::f64::consts::TAU;
    let kick = Signal::Step {
        at: 0.1,
        before: vec![0.5, 0.0],
        after: vec![0.0, 0.0],
    };
    let recurrent = Transform::Matrix {
        rows: 2,
        cols: 2,
        values: vec![1.0, -w * tau, w * tau, 1.0],
    };
    let net = recurrent_network(ens, tau, kick, Transform::Identity, recurrent);
    let y = simulate(&net, seed, 0.2 + seconds, threads)?;
    let x0 = y.column(0);
    let x1 = y.column(1);
    let radius: Vec<f64> = x0.iter().zip(&x1).map(|(a, b)| a.hypot(*b)).collect();
    let mean_over = |lo: f64, hi: f64| {
        let v: Vec<f64> = y
            .times
            .iter()
            .zip(&radius)
            .filter(|(t, _)| **t >= lo && **t < hi)
            .map(|(_, r)| *r)
            .collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    let end = 0.2 + seconds;
    let ratio = mean_over(end - 1.0, end) / mean_over(0.2, 1.2);
    // Unwrapped phase slope over [0.2, end].
    let mut ts = Vec::new();
    let mut ph = Vec::new();
    let mut offset = 0.0;
    let mut last: Option<f64> = None;
    for ((t, a), b) in y.times.iter().zip(&x0).zip(&x1) {
        if *t < 0.2 {
            continue;
        }
        let p = b.atan2(*a);
        if let Some(l) = last {
            let dp = p - l;
            if dp < -std::f64::consts::PI {
                offset += std::f64::consts::TAU;
            } else if dp > std::f64::consts::PI {
                offset -= std::f64::consts::TAU;
            }
        }
        last = Some(p);
        ts.push(*t);
        ph.push(p + offset);
    }
    let freq = lsq_slope(&ts, &ph) / std::f64::consts::TAU;
    Ok((
        ratio,
        freq,
        Trace {
            t: y.times.clone(),
            y: vec![x0, x1],
        },
    ))
}

/// Nengo's ensemble of a paired `nef` case (role `ens`).
fn ens<'a>(p: &Paired<'a>) -> Result<&'a NengoEnsemble, ValidationError> {
    p.ensemble("ens").map_err(err)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// What "match" allows: spikesim's mean over the seeds may exceed Nengo's mean on the same
/// ensembles by this fraction of Nengo's figure. spikesim keeps the neuron state in f32,
/// Nengo in f64; the rounding moves a spike by a step now and then, which moves each figure
/// by up to a few tenths of a percent (`docs/nef.md` has the per-seed pairs).
pub const MATCH: f64 = 0.01;

/// One case's figures over the seeds: spikesim's and Nengo's on the same ensembles.
#[derive(Default)]
struct Pairs {
    ours: Vec<f64>,
    nengo: Vec<f64>,
}

impl Pairs {
    fn push(&mut self, ours: f64, nengo: f64) {
        self.ours.push(ours);
        self.nengo.push(nengo);
    }

    /// `name`: spikesim's mean at most Nengo's mean (+ [`MATCH`]); Nengo's mean and the
    /// ANCHORS.md figure (Nengo's own seeds 0–4, rounded) beside it.
    fn metrics(&self, name: &str, anchors: f64) -> Vec<Metric> {
        let nengo = mean(&self.nengo);
        vec![
            Metric::at_most(name, mean(&self.ours), nengo * (1.0 + MATCH)),
            Metric::info(&format!("nengo_{name}"), nengo),
            Metric::info(&format!("anchors_{name}"), anchors),
        ]
    }
}

/// Runs the check: every case on Nengo's own ensembles of seeds 0–4, against Nengo's figure
/// on the same ensembles (`nengo_setups`); `--quick` is the same.
pub fn run(opts: &Options) -> Result<CheckResult, ValidationError> {
    let seeds: Vec<u64> = (0..5).collect();
    let setups = Setups::parse(SHIPPED).map_err(err)?;
    let paired = |case: &str| setups.case(case, &seeds).map_err(err);
    let th = opts.threads;
    let mut cases = Vec::new();
    let mut plots = Vec::new();
    let mut plot_traces: Vec<LinePlot> = Vec::new();

    for (case, f, anchors) in [
        ("comm_channel", "x", nengo::COMM),
        ("square", "x**2", nengo::SQUARE),
        ("product", "x[0]*x[1]", nengo::PRODUCT),
    ] {
        let mut rmse = Pairs::default();
        for p in paired(case)? {
            let (r, tr, ideal) = decode_case(p.seed, ens(&p)?.spec("ens"), f, 2.0, th)?;
            rmse.push(r, p.nengo("rmse").map_err(err)?);
            if p.seed == seeds[0] {
                let n = ens(&p)?.n;
                plot_traces.push(
                    LinePlot::new(
                        &format!("{case} ({n} neurons): f = {f}"),
                        "t (s)",
                        "decoded",
                    )
                    .series(Series::line("ideal (filtered)", tr.t.clone(), ideal))
                    .series(Series::line(
                        "spikesim",
                        tr.t.clone(),
                        tr.y[0].clone(),
                    )),
                );
            }
        }
        cases.push(Case::new(case, rmse.metrics("rmse", anchors.0)));
    }

    let hold = 5.0;
    for (n, anchors, anchors_final) in [
        (100, nengo::DRIFT_100, nengo::FINAL_100),
        (1000, nengo::DRIFT_1000, nengo::FINAL_1000),
    ] {
        let case = format!("integrator_{n}");
        let mut drift = Pairs::default();
        let mut fin = Pairs::default();
        for p in paired(&case)? {
            let (dr, f, tr) = integrator(p.seed, ens(&p)?.spec("integrator"), hold, th)?;
            drift.push(dr, p.nengo("abs_drift_per_s").map_err(err)?);
            fin.push(f, p.nengo("final_value").map_err(err)?);
            if p.seed == seeds[0] {
                plot_traces.push(
                    LinePlot::new(
                        &format!("integrator ({n} neurons): 0.5 s pulse, hold"),
                        "t (s)",
                        "decoded",
                    )
                    .series(Series::dashed(
                        "ideal",
                        vec![0.0, 0.5, 0.5 + hold],
                        vec![0.0, 0.5, 0.5],
                    ))
                    .series(Series::line("spikesim", tr.t, tr.y[0].clone())),
                );
            }
        }
        let mut metrics = drift.metrics("abs_drift_per_s", anchors.0);
        metrics.push(Metric::info("final_value", mean(&fin.ours)));
        metrics.push(Metric::info("nengo_final_value", mean(&fin.nengo)));
        metrics.push(Metric::info("anchors_final_value", anchors_final.0));
        cases.push(Case::new(&case, metrics));
    }

    let osc_s = 5.0;
    let mut ratio = Pairs::default();
    let mut freq = Pairs::default();
    for p in paired("oscillator")? {
        let (r, f, tr) = oscillator(p.seed, ens(&p)?.spec("osc"), osc_s, th)?;
        ratio.push(r, p.nengo("amplitude_ratio").map_err(err)?);
        freq.push(f, p.nengo("frequency_hz").map_err(err)?);
        if p.seed == seeds[0] {
            plot_traces.push(
                LinePlot::new("oscillator (200 neurons, 1 Hz)", "t (s)", "decoded")
                    .series(Series::line("x0", tr.t.clone(), tr.y[0].clone()))
                    .series(Series::line("x1", tr.t, tr.y[1].clone())),
            );
        }
    }
    // Distances from the ideal oscillation (amplitude kept, 1 Hz), compared like the rest.
    let off = |p: &Pairs, ideal: f64| Pairs {
        ours: vec![(mean(&p.ours) - ideal).abs()],
        nengo: vec![(mean(&p.nengo) - ideal).abs()],
    };
    let mut metrics = off(&ratio, 1.0).metrics(
        "abs_amplitude_ratio_minus_1",
        (nengo::OSC_RATIO.0 - 1.0).abs(),
    );
    metrics.extend(
        off(&freq, 1.0).metrics("abs_frequency_minus_1hz", (nengo::OSC_FREQ.0 - 1.0).abs()),
    );
    metrics.push(Metric::info("amplitude_ratio", mean(&ratio.ours)));
    metrics.push(Metric::info("frequency_hz", mean(&freq.ours)));
    cases.push(Case::new("oscillator", metrics));

    let mut solver = Pairs::default();
    for p in paired("solver_rmse")? {
        let ens = ens(&p)?.spec("ens").build(p.seed).map_err(err)?;
        let dec = solve(
            &ens,
            &ens.eval_points,
            1,
            &LstsqL2::default(),
            "solver_rmse",
        )
        .map_err(err)?;
        solver.push(dec.mean_rmse(), p.nengo("solver_rmse").map_err(err)?);
    }
    let (sr, nr) = (mean(&solver.ours), mean(&solver.nengo));
    cases.push(Case::new(
        "solver_rmse",
        vec![
            Metric::at_most("rel_diff_from_nengo", (sr - nr).abs() / nr, 0.05),
            Metric::info("solver_rmse", sr),
            Metric::info("nengo_solver_rmse", nr),
            Metric::info("anchors_solver_rmse", nengo::SOLVER_RMSE.0),
        ],
    ));

    if let Some(p) = opts.plot_path("nef.png") {
        crate::plot::save_grid_png(&p, &plot_traces, 2).map_err(|source| {
            ValidationError::Plot {
                check: NAME,
                source,
            }
        })?;
        plots.push(p);
    }
    Ok(CheckResult::new(NAME, cases, plots))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nef_passes() {
        let r = run(&Options::default()).unwrap();
        assert!(r.passed, "{:#?}", r.cases);
    }

    #[test]
    #[ignore]
    fn full_nef_table() {
        let r = run(&Options::default()).unwrap();
        for c in &r.cases {
            for m in &c.metrics {
                eprintln!(
                    "{} {} {} {:?} {}",
                    c.name, m.name, m.value, m.limit, m.passed
                );
            }
        }
    }

    /// spikesim's and Nengo's figure per seed on Nengo's ensembles (the table in docs/nef.md):
    /// `cargo test --release -p validation paired_per_seed -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn paired_per_seed() {
        let setups = Setups::parse(SHIPPED).unwrap();
        let seeds = [0, 1, 2, 3, 4];
        let show = |case: &str, metric: &str, ours: f64, p: &Paired| {
            let ng = p.nengo(metric).unwrap();
            eprintln!(
                "{case} seed {} {metric}: spikesim {ours:.6} nengo {ng:.6} ({:+.3} %)",
                p.seed,
                100.0 * (ours - ng) / ng
            );
        };
        for (case, f) in [
            ("comm_channel", "x"),
            ("square", "x**2"),
            ("product", "x[0]*x[1]"),
        ] {
            for p in setups.case(case, &seeds).unwrap() {
                let r = decode_case(p.seed, ens(&p).unwrap().spec("ens"), f, 2.0, 1).unwrap();
                show(case, "rmse", r.0, &p);
            }
        }
        for case in ["integrator_100", "integrator_1000"] {
            for p in setups.case(case, &seeds).unwrap() {
                let (d, f, _) = integrator(p.seed, ens(&p).unwrap().spec("i"), 5.0, 1).unwrap();
                show(case, "abs_drift_per_s", d, &p);
                show(case, "final_value", f, &p);
            }
        }
        for p in setups.case("oscillator", &seeds).unwrap() {
            let (r, f, _) = oscillator(p.seed, ens(&p).unwrap().spec("osc"), 5.0, 1).unwrap();
            show("oscillator", "amplitude_ratio", r, &p);
            show("oscillator", "frequency_hz", f, &p);
        }
    }

    /// Per-seed figures over many seeds, to compare spikesim's and Nengo's seed distributions:
    /// `NEF_SEEDS=20 cargo test --release -p validation seed_sweep -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn seed_sweep() {
        let seeds: u64 = std::env::var("NEF_SEEDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20);
        let stats = |name: &str, v: &[f64]| {
            let m = mean(v);
            let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
            eprintln!("{name}: mean {m:.5} std {sd:.5} per seed {v:.5?}");
        };
        for (case, n, d, f) in [("square", 100, 1, "x**2"), ("comm", 100, 1, "x")] {
            let v: Vec<f64> = (0..seeds)
                .map(|s| {
                    decode_case(s, EnsembleSpec::new("ens", n, d), f, 2.0, 1)
                        .unwrap()
                        .0
                })
                .collect();
            stats(case, &v);
        }
        for n in [100, 1000] {
            let (dr, fin): (Vec<f64>, Vec<f64>) = (0..seeds)
                .map(|s| {
                    let ens = EnsembleSpec::new("integrator", n, 1);
                    let (d, f, _) = integrator(s, ens, 5.0, 1).unwrap();
                    (d, f)
                })
                .unzip();
            stats(&format!("integrator_{n} drift"), &dr);
            stats(&format!("integrator_{n} final"), &fin);
        }
    }

    /// Writes spikesim's built ensembles of the `square` (100) and `integrator_1000` cases
    /// (seeds 0–4) with their figures to `$NEF_DUMP` (JSON), for `nef_reference.py --replay`,
    /// which runs the same ensembles in Nengo:
    /// `NEF_DUMP=/tmp/ours.json cargo test --release -p validation dump_built -- --ignored`.
    #[test]
    #[ignore]
    fn dump_built() {
        let Ok(path) = std::env::var("NEF_DUMP") else {
            return;
        };
        let mut cases = Vec::new();
        for s in 0..5u64 {
            for (case, n) in [("square", 100usize), ("integrator_1000", 1000)] {
                let name = if case == "square" {
                    "ens"
                } else {
                    "integrator"
                };
                let spec = EnsembleSpec::new(name, n, 1);
                let e = spec.build(s).unwrap();
                let value = if case == "square" {
                    vec![decode_case(s, spec, "x**2", 2.0, 1).unwrap().0]
                } else {
                    let (d, f, _) = integrator(s, spec, 5.0, 1).unwrap();
                    vec![d, f]
                };
                cases.push(serde_json::json!({
                    "case": case, "seed": s, "gain": e.gain, "bias": e.bias,
                    "encoders": e.encoders, "eval_points": e.eval_points,
                    "initial_voltage": e.initial_voltage, "spikesim": value,
                }));
            }
        }
        std::fs::write(path, serde_json::Value::Array(cases).to_string()).unwrap();
    }

    #[test]
    fn wrong_decoding_is_caught() {
        // Decoding the wrong function must give an RMSE far above Nengo's limit.
        let ens = |n| EnsembleSpec::new("ens", n, 1);
        let (rmse, _, _) = decode_case(0, ens(100), "x", 1.0, 1).unwrap();
        assert!(rmse < nengo::COMM.0 + 2.0 * nengo::COMM.1);
        let (bad, _, _) = decode_case(0, ens(20), "x", 1.0, 1).unwrap();
        assert!(bad > rmse);
    }
}

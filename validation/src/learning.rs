//! `learning`: learning rules against their closed forms and reference results.
//!
//! # Cases
//! - **`stdp_pairs`**: isolated pre/post spike pairs through [`PlasticDelivery`] (additive
//!   STDP, A₊ 0.01, A₋ 0.0105, τ₊ 16.8 ms, τ₋ 33.7 ms — Bi & Poo 1998 fits as used by
//!   Morrison et al. 2008; 1-step axonal delay) for Δt from −100 to +100 ms. Acceptance: every
//!   Δw equals `A₊e^{−Δt/τ₊}` / `−A₋e^{Δt/τ₋}` at the synapse's Δt to 1e-6 relative.
//! - **`stdp_song2000`**: Song, Miller & Abbott (2000), as Brian's adaptation of it
//!   (`examples/synapses/STDP.py`): one conductance-based LIF neuron (τ_m 20 ms, E_L −70 mV,
//!   threshold −54 mV, reset −60 mV, no refractory period, E_e 0 mV, τ_e 5 ms) receiving 1000
//!   independent Poisson inputs at 10 Hz through additive STDP synapses (g_max = 0.015 g_L,
//!   A₊ = 0.005 g_max, A₋ = 1.05 A₊, τ± 20 ms, weights initially U(0, g_max), 0.1 ms axonal
//!   delay; the paper's 200 inhibitory inputs are left out, as in Brian's example).
//!   Song et al. report that additive STDP drives the weights to a **bimodal distribution**
//!   (synapses pile up near 0 and near g_max) and that the neuron's output rate falls from
//!   its initial value and is then regulated largely independently of the input rate. Acceptance:
//!   ≥ 80 % of the weights within 10 % of a bound, each bound holding ≥ 10 % of the weights
//!   (bimodal, not collapsed onto one bound), and the final output rate below the initial one.
//!   Both rates are reported. Measured (seed 2000, 2000 s): 84 % of the weights within 10 % of
//!   a bound (52 % near 0, 31 % near g_max), output rate 61 Hz in the first 5 s → 17.8 Hz over
//!   the last 400 s. The full check asks ≥ 80 % near a bound after 2000 s, `--quick` ≥ 60 %
//!   after 600 s (68 % measured). Brian2 run on the same model
//!   (`validation/brian2/song_reference.py`, docs/learning.md) gives the same weight
//!   distribution and, converged in Δt, the same output rate (200 s: 22.2 Hz against
//!   spikesim's 21.9 Hz, means over five seeds).
//! - **`oja`**: one linear neuron `y = w·x` with x from a zero-mean 2-D Gaussian (variances 3
//!   and 0.4 along axes rotated by 0.6 rad), Oja's rule with β = 2. Acceptance: cosine with the
//!   principal eigenvector ≥ 0.99 and `|w|` within 3 % of Oja's fixed point `1/√β`.
//! - **`bcm`**: one rectified-linear neuron shown two overlapping patterns (1, 0.3) and
//!   (0.3, 1) at random, starting from nearly equal responses; BCM with θ = ⟨y²⟩ (τ_θ 50 ms, η 1).
//!   Acceptance: selectivity `(y_hi − y_lo)/(y_hi + y_lo)` ≥ 0.9 and the winning response
//!   within 10 % of the selective fixed point y = 2 (θ = ⟨y²⟩ = y²/2 = y).

use rand::Rng;
use simcore::connectivity::{Connect, Csr, Delays, Dist, Rule, Weights};
use simcore::delivery::{Projection, Receptor, SpikeDelivery};
use simcore::lanes::Padded;
use simcore::neuron::lif_coba::LifCobaParams;
use simcore::par::Par;
use simcore::plasticity::{
    DelaySplit, PlasticDelivery, RateLearner, RateRule, StdpParams, WeightDependence,
};
use simcore::rng::{Stream, stream};
use simcore::sources::{PoissonGenerator, RateTable};
use simcore::{Component, LifCobaPopulation, Population, SimError, Simulator, Spikes};

use crate::learning_pes::{self, PesInput};
use crate::plot::{LinePlot, Series, save_grid_png};
use crate::{Case, CheckResult, Metric, Options, ValidationError};

const NAME: &str = "learning";

/// The check's settings: [`LearningCheck::full`] is `spikesim validate learning`,
/// [`LearningCheck::quick`] its `--quick` version.
#[derive(Clone, Debug, PartialEq)]
pub struct LearningCheck {
    /// Simulated time of the Song et al. setting, s.
    pub song_duration: f64,
    /// Excitatory inputs of the Song et al. setting.
    pub song_inputs: usize,
    /// Acceptance: least fraction of the Song et al. weights within 10 % of a bound.
    pub song_near_bounds: f64,
    /// Seed of the Song et al. setting (inputs and initial weights).
    pub song_seed: u64,
    /// Time step of the Song et al. setting, s.
    pub song_dt: f64,
    /// Samples presented to the Oja neuron.
    pub oja_samples: usize,
    /// Steps of the BCM run.
    pub bcm_steps: usize,
    /// Scale applied to the simulated pair-curve amplitudes while the acceptance uses the
    /// unscaled curve (1 for the real check; tests set another value to show it can fail).
    pub stdp_scale: f64,
    /// Seeds of each PES case (0: no PES case).
    pub pes_seeds: u64,
}

impl LearningCheck {
    /// The full check (Song et al. over 2000 s; ≥ 80 % of the weights near a bound).
    pub fn full() -> Self {
        Self {
            song_duration: 2000.0,
            song_inputs: 1000,
            song_near_bounds: 0.8,
            song_seed: 2000,
            song_dt: 1e-4,
            oja_samples: 40_000,
            bcm_steps: 200_000,
            stdp_scale: 1.0,
            pes_seeds: 5,
        }
    }

    /// The `--quick` version (Song et al. over 600 s, while the distribution is still
    /// splitting: ≥ 60 % of the weights near a bound).
    pub fn quick() -> Self {
        Self {
            song_duration: 600.0,
            song_near_bounds: 0.6,
            ..Self::full()
        }
    }

    /// Runs every case.
    pub fn run(&self, opts: &Options) -> Result<CheckResult, ValidationError> {
        let sim_err = |source: SimError| ValidationError::Sim {
            check: NAME,
            source,
        };
        let (pairs, pair_plot) = self.stdp_pairs().map_err(sim_err)?;
        let (song, song_plots) = self.song2000().map_err(sim_err)?;
        let (oja, oja_plot) = self.oja();
        let (bcm, bcm_plot) = self.bcm();
        let mut cases = vec![pairs, song, oja, bcm];
        let mut pes_plots = Vec::new();
        if self.pes_seeds > 0 {
            for input in [PesInput::Sine, PesInput::WhiteNoise] {
                let (c, p) = learning_pes::case(input, self.pes_seeds, 1.0, opts.threads)?;
                cases.push(c);
                pes_plots.push(p);
            }
        }
        let mut plots = Vec::new();
        if let Some(path) = opts.plot_path("learning.png") {
            let mut grid = vec![pair_plot];
            grid.extend(song_plots);
            grid.push(oja_plot);
            grid.push(bcm_plot);
            grid.extend(pes_plots);
            save_grid_png(&path, &grid, 2).map_err(|source| ValidationError::Plot {
                check: NAME,
                source,
            })?;
            plots.push(path);
        }
        Ok(CheckResult::new(NAME, cases, plots))
    }

    fn stdp_pairs(&self) -> Result<(Case, LinePlot), SimError> {
        let dt = 1e-4;
        let p = StdpParams {
            a_plus: 0.01 * self.stdp_scale,
            a_minus: 0.0105 * self.stdp_scale,
            tau_plus: 0.0168,
            tau_minus: 0.0337,
            w_min: -1.0,
            w_max: 1.0,
            dependence: WeightDependence::Additive,
            delay_split: DelaySplit::Axonal,
        };
        let reference = StdpParams {
            a_plus: 0.01,
            a_minus: 0.0105,
            ..p
        };
        // Pair n on synapse n → n: pre at step 1000, post `lag` steps later (offsets inside
        // the step vary so Δt is not on the grid).
        let lags: Vec<i64> = (-100..=100).map(|m| m * 10 + 3).collect();
        let n = lags.len();
        let csr = Csr::from_parts(
            n,
            n,
            (0..=n).collect(),
            (0..n as u32).collect(),
            Weights::Uniform(0.0),
            Delays::Uniform(1),
        );
        let proj = Projection {
            name: "pairs".into(),
            source: 0,
            target: 1,
            port: 0,
            receptor: Receptor::Direct,
            csr,
        };
        let d = SpikeDelivery::new("pairs", vec![proj], &[n, n], &[1, 1], dt)?;
        let mut pd = PlasticDelivery::new("pairs", d, vec![(0, p)])?;
        let mut events: Vec<(u64, usize, u32, f32)> = Vec::new();
        let offset =
            |i: usize, side: usize| (0.2e-4 + 0.5e-4 * side as f64 + 1e-7 * i as f64) as f32;
        for (i, &lag) in lags.iter().enumerate() {
            events.push((1200, 0, i as u32, offset(i, 0)));
            events.push(((1200 + lag) as u64, 1, i as u32, offset(i, 1)));
        }
        events.sort_by_key(|e| (e.0, e.1, e.2));
        let mut inputs = vec![vec![Padded::filled(n, 0.0)], vec![Padded::filled(n, 0.0)]];
        let mut next = 0;
        for k in 0..2400u64 {
            let mut s = [Spikes::default(), Spikes::default()];
            while next < events.len() && events[next].0 == k {
                let (_, side, i, o) = events[next];
                s[side].push(i, o);
                next += 1;
            }
            pd.drive(k, dt, &mut inputs);
            pd.observe(k, dt, &s);
        }
        let w = match pd.weights(0) {
            Weights::PerSynapse(w) => w.clone(),
            Weights::Uniform(w) => vec![*w; n],
        };
        let (mut worst, mut xs, mut sim, mut ana) = (0.0f64, vec![], vec![], vec![]);
        for (i, &lag) in lags.iter().enumerate() {
            let t_pre = (1200 + 1) as f64 * dt + f64::from(offset(i, 0));
            let t_post = (1200 + lag) as f64 * dt + f64::from(offset(i, 1));
            let delta = t_post - t_pre;
            let expect = reference.pair_change(delta);
            worst = worst.max((f64::from(w[i]) - expect).abs() / expect.abs());
            xs.push(delta * 1e3);
            sim.push(f64::from(w[i]));
            ana.push(expect);
        }
        let plot = LinePlot::new("STDP pair window", "Δt = t_post − t_pre (ms)", "Δw")
            .series(Series::line("A₊e^(−Δt/τ₊), −A₋e^(Δt/τ₋)", xs.clone(), ana))
            .series(Series::points("simulated pairs", xs, sim));
        let case = Case::new(
            "stdp_pairs",
            vec![
                Metric::info("pairs", n as f64),
                Metric::at_most("max_rel_error", worst, 1e-6),
            ],
        );
        Ok((case, plot))
    }

    fn song2000(&self) -> Result<(Case, Vec<LinePlot>), SimError> {
        let dt = self.song_dt;
        let seed = self.song_seed;
        let n = self.song_inputs;
        let params = LifCobaParams {
            c_m: 200.0,
            g_l: 10.0,
            e_l: -70.0,
            v_th: -54.0,
            v_reset: -60.0,
            t_ref: 0.0,
            e_e: 0.0,
            e_i: -70.0,
            tau_e: 0.005,
            tau_i: 0.005,
        };
        let g_max = 0.015 * params.g_l;
        let csr = Connect::new(
            Rule::AllToAll,
            Dist::Uniform {
                low: 0.0,
                high: g_max,
            },
            1e-4, // 0.1 ms axonal delay, whatever the time step
        )
        .build("song/input", n, 1, false, dt, seed, Par::Seq)?;
        let proj = Projection {
            name: "input".into(),
            source: 0,
            target: 1,
            port: 1,
            receptor: Receptor::StepStart,
            csr,
        };
        let d = SpikeDelivery::new("input", vec![proj], &[n, 1], &[0, 3], dt)?;
        let pd = PlasticDelivery::new("input", d, vec![(0, StdpParams::song2000(g_max))])?;
        let pops = vec![
            Population {
                name: "input".into(),
                neurons: Box::new(PoissonGenerator::new(
                    "input",
                    n,
                    RateTable::constant(10.0),
                    dt,
                    seed,
                )),
            },
            Population {
                name: "neuron".into(),
                neurons: Box::new(LifCobaPopulation::new("neuron", params, dt, &[0.0])?),
            },
        ];
        let mut sim = Simulator::new(dt, pops, vec![Box::new(pd)], 1)?;
        let steps = (self.song_duration / dt).round() as u64;
        let bin = (1.0 / dt).round() as u64;
        let (mut rates, mut count) = (Vec::new(), 0u64);
        for k in 0..steps {
            sim.step()?;
            count += sim.spikes()[1].len() as u64;
            if (k + 1) % bin == 0 {
                rates.push(count as f64);
                count = 0;
            }
        }
        let pd = sim.components()[0]
            .as_any()
            .and_then(|a| a.downcast_ref::<PlasticDelivery>())
            .expect("the simulator holds the plastic delivery");
        let w: Vec<f64> = match pd.weights(0) {
            Weights::PerSynapse(w) => w.iter().map(|&x| f64::from(x) / g_max).collect(),
            Weights::Uniform(x) => vec![f64::from(*x) / g_max; n],
        };
        let frac = |f: &dyn Fn(f64) -> bool| w.iter().filter(|&&x| f(x)).count() as f64 / n as f64;
        let low = frac(&|x| x <= 0.1);
        let high = frac(&|x| x >= 0.9);
        let secs = rates.len();
        let initial = rates[..secs.min(5)].iter().sum::<f64>() / secs.min(5) as f64;
        let tail = (secs / 5).max(1);
        let fin = rates[secs - tail..].iter().sum::<f64>() / tail as f64;
        let mut hist = vec![0.0; 20];
        for &x in &w {
            hist[((x * 20.0) as usize).min(19)] += 1.0;
        }
        let centres: Vec<f64> = (0..20).map(|b| (b as f64 + 0.5) / 20.0).collect();
        let plots = vec![
            LinePlot::new(
                "Song et al. 2000: final weights",
                "w / g_max",
                "synapses per bin",
            )
            .series(Series::line("histogram (20 bins)", centres, hist)),
            LinePlot::new("Song et al. 2000: output rate", "time (s)", "rate (Hz)").series(
                Series::line(
                    "output neuron, 1 s bins",
                    (0..secs).map(|s| s as f64 + 0.5).collect(),
                    rates.clone(),
                ),
            ),
        ];
        let case = Case::new(
            "stdp_song2000",
            vec![
                Metric::info("duration_s", self.song_duration),
                Metric::info("output_rate_initial_hz", initial),
                Metric::info("output_rate_final_hz", fin),
                Metric::at_least("initial_minus_final_rate_hz", initial - fin, 0.0),
                Metric::at_least("fraction_near_bounds", low + high, self.song_near_bounds),
                Metric::at_least("fraction_near_zero", low, 0.1),
                Metric::at_least("fraction_near_gmax", high, 0.1),
            ],
        );
        Ok((case, plots))
    }

    fn oja(&self) -> (Case, LinePlot) {
        let (angle, beta, dt) = (0.6f64, 2.0, 1e-3);
        let mut r: Stream = stream(7, "validation/learning/oja");
        let mut l = RateLearner::new(RateRule::Oja { rate: 2.0, beta }, 2, 1);
        let mut w = vec![0.3f32, -0.2];
        let (mut t, mut w0, mut w1) = (vec![], vec![], vec![]);
        for k in 0..self.oja_samples {
            let (a, b) = (normal(&mut r), normal(&mut r));
            let (u, v) = (3f64.sqrt() * a, 0.4f64.sqrt() * b);
            let x = [
                (angle.cos() * u - angle.sin() * v) as f32,
                (angle.sin() * u + angle.cos() * v) as f32,
            ];
            let y = [w[0] * x[0] + w[1] * x[1]];
            l.step(&mut w, &x, &y, dt);
            if k % 100 == 0 {
                t.push(k as f64 * dt);
                w0.push(f64::from(w[0]));
                w1.push(f64::from(w[1]));
            }
        }
        let norm = f64::from(w[0].hypot(w[1]));
        let cos = (f64::from(w[0]) * angle.cos() + f64::from(w[1]) * angle.sin()).abs() / norm;
        let fixed = 1.0 / beta.sqrt();
        let end = *t.last().unwrap_or(&0.0);
        let plot = LinePlot::new("Oja's rule (β = 2)", "time (s)", "weight")
            .series(Series::line("w₀", t.clone(), w0))
            .series(Series::line("w₁", t, w1))
            .series(Series::dashed(
                "fixed point w₀ = cos(0.6)/√β",
                vec![0.0, end],
                vec![fixed * angle.cos(); 2],
            ))
            .series(Series::dashed(
                "fixed point w₁ = sin(0.6)/√β",
                vec![0.0, end],
                vec![fixed * angle.sin(); 2],
            ));
        let case = Case::new(
            "oja",
            vec![
                Metric::at_least("cosine_to_principal_eigenvector", cos, 0.99),
                Metric::info("norm", norm),
                Metric::at_most(
                    "norm_rel_error_vs_1/sqrt(beta)",
                    (norm - fixed).abs() / fixed,
                    0.03,
                ),
            ],
        );
        (case, plot)
    }

    fn bcm(&self) -> (Case, LinePlot) {
        let dt = 1e-3;
        let mut r: Stream = stream(7, "validation/learning/bcm");
        let p = [[1.0f32, 0.3], [0.3, 1.0]];
        let rule = RateRule::Bcm {
            rate: 1.0,
            tau_theta: 0.05,
        };
        let mut l = RateLearner::new(rule, 2, 1);
        let mut w = vec![0.5f32, 0.45];
        let resp = |w: &[f32], x: &[f32; 2]| f64::from((w[0] * x[0] + w[1] * x[1]).max(0.0));
        let (mut t, mut y0, mut y1, mut th) = (vec![], vec![], vec![], vec![]);
        for k in 0..self.bcm_steps {
            let x = p[r.random_range(0..2)];
            let y = [resp(&w, &x) as f32];
            l.step(&mut w, &x, &y, dt);
            if k % 200 == 0 {
                t.push(k as f64 * dt);
                y0.push(resp(&w, &p[0]));
                y1.push(resp(&w, &p[1]));
                th.push(l.theta()[0]);
            }
        }
        let (a, b) = (resp(&w, &p[0]), resp(&w, &p[1]));
        let (hi, lo) = (a.max(b), a.min(b));
        let plot = LinePlot::new("BCM: responses to two patterns", "time (s)", "response y")
            .series(Series::line("y(pattern 1)", t.clone(), y0))
            .series(Series::line("y(pattern 2)", t.clone(), y1))
            .series(Series::dashed("θ = ⟨y²⟩", t, th));
        let case = Case::new(
            "bcm",
            vec![
                Metric::at_least("selectivity", (hi - lo) / (hi + lo), 0.9),
                Metric::at_most("winner_rel_error_vs_2", (hi - 2.0).abs() / 2.0, 0.1),
            ],
        );
        (case, plot)
    }
}

/// A standard normal draw (Box–Muller).
fn normal(r: &mut Stream) -> f64 {
    let u: f64 = 1.0 - r.random::<f64>();
    let v: f64 = r.random::<f64>();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// `spikesim validate learning`.
pub fn run(opts: &Options) -> Result<CheckResult, ValidationError> {
    opts.pick(LearningCheck::quick, LearningCheck::full)
        .run(opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_check_passes() {
        let r = LearningCheck::quick().run(&Options::default()).unwrap();
        let failed: Vec<_> = r.cases.iter().filter(|c| !c.passed).collect();
        assert!(r.passed, "{failed:?}");
    }

    /// The Song et al. figures over several seeds, beside Brian2's on the same model
    /// (`validation/brian2/song_reference.py`):
    /// `[SONG_SECONDS=600] [SONG_DT=1e-5] cargo test --release -p validation song_seeds --
    /// --ignored --nocapture`.
    #[test]
    #[ignore]
    fn song_seeds() {
        let env = |k: &str, d: f64| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(d)
        };
        let (seconds, dt) = (env("SONG_SECONDS", 2000.0), env("SONG_DT", 1e-4));
        for seed in [2000, 1, 2, 3, 4] {
            let c = LearningCheck {
                song_seed: seed,
                song_duration: seconds,
                song_dt: dt,
                ..LearningCheck::full()
            };
            let (case, _) = c.song2000().unwrap();
            let m: Vec<String> = case
                .metrics
                .iter()
                .map(|m| format!("{} {:.4}", m.name, m.value))
                .collect();
            eprintln!("seed {seed} dt {dt}: {}", m.join(", "));
        }
    }

    #[test]
    fn pair_acceptance_fails_when_the_amplitude_is_off_by_1e5() {
        let mut c = LearningCheck::quick();
        c.stdp_scale = 1.0 + 1e-5;
        let (case, _) = c.stdp_pairs().unwrap();
        assert!(!case.passed);
    }
}

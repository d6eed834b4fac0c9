//! `lif`: simulated LIF firing rates against the analytic rate curve, the SIMD kernel against
//! the scalar reference, and one thread against two.
//!
//! # Rates
//! For each case (τ_rc, τ_ref, Δt) one population holds one neuron per value of a J sweep, each
//! driven by its constant current J (its bias). J runs geometrically in `J − 1` from 1.005 (just
//! above threshold) to 20 (20× threshold), so the steep region near threshold is sampled densely.
//! The simulated rate is compared with
//!
//! $$G(J) = \frac{1}{\tau_{ref} - \tau_{rc}\ln(1 - 1/J)}$$
//!
//! ([`simcore::neuron::lif::LifParams::rate`]) evaluated at the f32 current the neuron actually
//! receives. Acceptance in every case, for every J: `|rate_sim − G(J)| ≤ 0.2 Hz + 0.1 %·G(J)`,
//! reported as the largest ratio `|rate_sim − G(J)| / (0.2 Hz + 0.001·G(J))` (must be ≤ 1).
//!
//! # Rate estimator
//! `rate = (n − 1)/(t_last − t_first)` from the first and last of the `n` spike times, each
//! `t = k·Δt + t_s` with the in-step spike time `t_s` the kernel reports. With constant J the
//! neuron is exactly periodic after its first spike (reset to 0, refractory τ_ref from the
//! spike), so the `n − 1` complete inter-spike intervals between the first and the last spike
//! measure the period `1/G(J)` with no bias: the estimate's error is the spike-time error divided
//! by the run length. Counting `n/T` instead carries a phase bias of up to one spike per run
//! (0.1 Hz over 10 s, half the absolute tolerance) from the transient before the first spike
//! (it comes at `1/G − τ_ref`, not `1/G`) and the partial interval at the end. A neuron with
//! fewer than two spikes falls back to `n/T` (never the case for this sweep: G(1.005) ≈ 9 Hz).
//!
//! # Kernels and threads
//! The same sweep is run with the scalar reference kernel. The two kernels perform the same
//! operations lane by lane (`mathf`'s `expm1` and `ln` included), so over the whole run the
//! per-neuron spike counts must be equal and the final voltages bit-identical (largest
//! difference 0). A population spanning several work chunks
//! ([`simcore::par::CHUNK`]) with spread initial voltages is run on one thread and on two:
//! spikes (ids, steps, in-step times) and final state must be bit-identical.

use rand::Rng;
use simcore::neuron::lif::LifParams;
use simcore::par::{CHUNK, Par, Threads};
use simcore::population::Kernel;
use simcore::{LifPopulation, SimError, Spikes};

use crate::plot::{LinePlot, Series, save_grid_png};
use crate::report::nan_max;
use crate::{Case, CheckResult, Metric, Options, ValidationError};
use plotters::prelude::SeriesLabelPosition;

const NAME: &str = "lif";

/// Absolute rate tolerance, Hz.
pub const TOL_ABS_HZ: f64 = 0.2;
/// Relative rate tolerance (fraction of G(J)).
pub const TOL_REL: f64 = 1e-3;

/// One (τ_rc, τ_ref, Δt) case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LifCase {
    /// Membrane time constant, s.
    pub tau_rc: f64,
    /// Refractory period, s.
    pub tau_ref: f64,
    /// Time step, s.
    pub dt: f64,
}

impl LifCase {
    fn name(&self) -> String {
        format!(
            "tau_rc={},tau_ref={},dt={:e}",
            self.tau_rc, self.tau_ref, self.dt
        )
    }

    fn params(&self) -> LifParams {
        LifParams {
            tau_rc: self.tau_rc,
            tau_ref: self.tau_ref,
            ..LifParams::default()
        }
    }
}

/// The check's settings: [`LifCheck::full`] is `spikesim validate lif`, [`LifCheck::quick`] its
/// `--quick` version.
#[derive(Clone, Debug, PartialEq)]
pub struct LifCheck {
    /// Parameter cases.
    pub cases: Vec<LifCase>,
    /// Number of J values per case.
    pub n_j: usize,
    /// Smallest J (just above threshold 1).
    pub j_min: f64,
    /// Largest J.
    pub j_max: f64,
    /// Simulated time per case, s.
    pub duration: f64,
    /// Neurons in the 1-vs-2-threads comparison (spans several work chunks).
    pub threads_neurons: usize,
    /// Simulated time of the 1-vs-2-threads comparison, s.
    pub threads_duration: f64,
    /// Factor applied to the current the simulated neurons receive, while G(J) is evaluated at
    /// the unscaled J. 1 for the real check; tests set another value to show the acceptance
    /// can fail.
    pub drive_scale: f32,
}

impl LifCheck {
    /// The full check: 4 cases × 256 J values × 10 s.
    pub fn full() -> Self {
        let mut cases = Vec::new();
        for (tau_rc, tau_ref) in [(0.02, 0.002), (0.01, 0.004)] {
            for dt in [1e-3, 1e-4] {
                cases.push(LifCase {
                    tau_rc,
                    tau_ref,
                    dt,
                });
            }
        }
        Self {
            cases,
            n_j: 256,
            j_min: 1.005,
            j_max: 20.0,
            duration: 10.0,
            threads_neurons: 3 * CHUNK + 11,
            threads_duration: 1.0,
            drive_scale: 1.0,
        }
    }

    /// The `--quick` check: the same cases and acceptance, 48 J values, 2 s.
    pub fn quick() -> Self {
        Self {
            n_j: 48,
            duration: 2.0,
            threads_neurons: CHUNK + 9,
            threads_duration: 0.1,
            ..Self::full()
        }
    }

    /// The J values of the sweep, geometric in `J − 1`.
    pub fn currents(&self) -> Vec<f64> {
        let (lo, hi) = ((self.j_min - 1.0).ln(), (self.j_max - 1.0).ln());
        let n = self.n_j.max(2);
        (0..n)
            .map(|k| 1.0 + (lo + (hi - lo) * k as f64 / (n - 1) as f64).exp())
            .collect()
    }

    /// Runs the check.
    pub fn run(&self, opts: &Options) -> Result<CheckResult, ValidationError> {
        let sim = |source| ValidationError::Sim {
            check: NAME,
            source,
        };
        let j: Vec<f32> = self.currents().iter().map(|&x| x as f32).collect();
        let mut cases = Vec::new();
        let mut rate_plots = Vec::new();
        let mut error_plots = Vec::new();
        for c in &self.cases {
            let p = c.params();
            let drive: Vec<f32> = j.iter().map(|&x| x * self.drive_scale).collect();
            let steps = (self.duration / c.dt).round() as u64;
            let simd = sweep(c, &drive, steps, Kernel::Simd).map_err(sim)?;
            let scalar = sweep(c, &drive, steps, Kernel::Scalar).map_err(sim)?;
            let analytic: Vec<f64> = j.iter().map(|&x| p.rate(f64::from(x))).collect();
            let rates: Vec<f64> = simd.rates(self.duration);
            let err: Vec<f64> = rates.iter().zip(&analytic).map(|(r, g)| r - g).collect();
            let tol: Vec<f64> = analytic.iter().map(|g| TOL_ABS_HZ + TOL_REL * g).collect();
            let worst = err
                .iter()
                .zip(&tol)
                .map(|(e, t)| e.abs() / t)
                .fold(0.0, nan_max);
            let max_abs = err.iter().map(|e| e.abs()).fold(0.0, nan_max);
            let max_rel = err
                .iter()
                .zip(&analytic)
                .map(|(e, g)| e.abs() / g)
                .fold(0.0, nan_max);
            let count_mismatch = simd
                .count
                .iter()
                .zip(&scalar.count)
                .filter(|(a, b)| a != b)
                .count();
            let v_diff = simd
                .voltage
                .iter()
                .zip(&scalar.voltage)
                .map(|(a, b)| f64::from((a - b).abs()))
                .fold(0.0, nan_max);
            cases.push(Case::new(
                &c.name(),
                vec![
                    Metric::info("max_abs_rate_error_hz", max_abs),
                    Metric::info("max_rel_rate_error", max_rel),
                    Metric::at_most("max_error_over_tolerance", worst, 1.0),
                    Metric::info("spikes", simd.count.iter().sum::<u64>() as f64),
                    Metric::at_most("simd_scalar_count_mismatches", count_mismatch as f64, 0.0),
                    Metric::at_most("simd_scalar_voltage_diff", v_diff, 0.0),
                ],
            ));
            let jx: Vec<f64> = j.iter().map(|&x| f64::from(x)).collect();
            let title = format!(
                "τ_rc = {} s, τ_ref = {} s, Δt = {} s",
                c.tau_rc, c.tau_ref, c.dt
            );
            rate_plots.push(
                LinePlot::new(&title, "input current J (threshold 1)", "rate (Hz)")
                    .log_x(true)
                    .series(Series::line("analytic G(J)", jx.clone(), analytic.clone()))
                    .series(Series::points("simulated", jx.clone(), rates)),
            );
            error_plots.push(
                LinePlot::new(
                    &title,
                    "input current J (threshold 1)",
                    "|rate − G(J)| (Hz)",
                )
                .log_x(true)
                .log_y(true)
                .legend(SeriesLabelPosition::MiddleRight)
                .series(Series::points(
                    "|error| (0 drawn at 1e-6)",
                    jx.clone(),
                    err.iter().map(|e| e.abs().max(1e-6)).collect(),
                ))
                .series(Series::dashed("tolerance 0.2 Hz + 0.1 %·G", jx, tol)),
            );
        }
        cases.push(self.threads_case().map_err(sim)?);
        let mut plots = Vec::new();
        for (file, grid) in [
            ("lif_rates.png", &rate_plots),
            ("lif_rate_error.png", &error_plots),
        ] {
            if let Some(path) = opts.plot_path(file) {
                save_grid_png(&path, grid, 2).map_err(|source| ValidationError::Plot {
                    check: NAME,
                    source,
                })?;
                plots.push(path);
            }
        }
        Ok(CheckResult::new(NAME, cases, plots))
    }

    /// 1 vs 2 threads on a population spanning several chunks, spread initial voltages.
    fn threads_case(&self) -> Result<Case, SimError> {
        let c = LifCase {
            tau_rc: 0.02,
            tau_ref: 0.002,
            dt: 1e-4,
        };
        let sweep = self.currents();
        let n = self.threads_neurons;
        let bias: Vec<f32> = (0..n)
            .map(|i| sweep[i % sweep.len()] as f32 * self.drive_scale)
            .collect();
        let mut rng = simcore::rng::stream(0, "validation/lif/threads");
        let v0: Vec<f32> = (0..n).map(|_| rng.random::<f32>()).collect();
        let steps = (self.threads_duration / c.dt).round() as u64;
        let mut runs = Vec::new();
        for threads in [1, 2] {
            let mut pop = LifPopulation::new("threads", c.params(), c.dt, &bias)?;
            pop.voltage_mut().copy_from_slice(&v0);
            let pool = Threads::new(threads)?;
            let mut out = Spikes::default();
            let mut all = Vec::new();
            for k in 0..steps {
                pop.step(None, Kernel::Simd, pool.par(), &mut out);
                all.extend(
                    out.ids
                        .iter()
                        .zip(&out.offsets)
                        .map(|(&i, &o)| (k, i, o.to_bits())),
                );
            }
            let state: Vec<u32> = pop
                .voltage()
                .iter()
                .chain(pop.refractory())
                .map(|x| x.to_bits())
                .collect();
            runs.push((all, state));
        }
        let (a, b) = (&runs[0], &runs[1]);
        let spikes_differing =
            a.0.iter().zip(&b.0).filter(|(x, y)| x != y).count() + a.0.len().abs_diff(b.0.len());
        let state_differing = a.1.iter().zip(&b.1).filter(|(x, y)| x != y).count();
        Ok(Case::new(
            &format!("threads 1 vs 2 (N={n}, dt=1e-4)"),
            vec![
                Metric::info("spikes", a.0.len() as f64),
                Metric::at_most("spikes_differing", spikes_differing as f64, 0.0),
                Metric::at_most("state_values_differing", state_differing as f64, 0.0),
            ],
        ))
    }
}

/// Per-neuron spike statistics of one sweep run.
struct SweepRun {
    count: Vec<u64>,
    first: Vec<f64>,
    last: Vec<f64>,
    voltage: Vec<f32>,
}

impl SweepRun {
    /// Rates by the estimator in the module docs.
    fn rates(&self, duration: f64) -> Vec<f64> {
        (0..self.count.len())
            .map(|i| {
                let n = self.count[i];
                if n >= 2 {
                    (n - 1) as f64 / (self.last[i] - self.first[i])
                } else {
                    n as f64 / duration
                }
            })
            .collect()
    }
}

/// One neuron per current, all in one population, stepped `steps` times from rest.
fn sweep(c: &LifCase, drive: &[f32], steps: u64, kernel: Kernel) -> Result<SweepRun, SimError> {
    let mut pop = LifPopulation::new("sweep", c.params(), c.dt, drive)?;
    let n = drive.len();
    let mut run = SweepRun {
        count: vec![0; n],
        first: vec![f64::NAN; n],
        last: vec![f64::NAN; n],
        voltage: Vec::new(),
    };
    let mut out = Spikes::default();
    for k in 0..steps {
        pop.step(None, kernel, Par::Seq, &mut out);
        let t0 = k as f64 * c.dt;
        for (&i, &o) in out.ids.iter().zip(&out.offsets) {
            let i = i as usize;
            let t = t0 + f64::from(o);
            if run.count[i] == 0 {
                run.first[i] = t;
            }
            run.last[i] = t;
            run.count[i] += 1;
        }
    }
    run.voltage = pop.voltage().to_vec();
    Ok(run)
}

/// The registered entry point: [`LifCheck::full`] or, with `--quick`, [`LifCheck::quick`].
pub fn run(opts: &Options) -> Result<CheckResult, ValidationError> {
    opts.pick(LifCheck::quick, LifCheck::full).run(opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_check_passes() {
        let r = run(&Options {
            quick: true,
            ..Options::default()
        })
        .unwrap();
        assert!(
            r.passed,
            "{}",
            crate::report::table(std::slice::from_ref(&r))
        );
        assert_eq!(r.cases.len(), 5);
    }

    #[test]
    fn acceptance_fails_when_the_drive_is_off_by_a_fraction_of_a_percent() {
        let check = LifCheck {
            drive_scale: 1.002,
            cases: LifCheck::quick().cases[..1].to_vec(),
            ..LifCheck::quick()
        };
        let r = check.run(&Options::default()).unwrap();
        assert!(!r.passed);
        let rate_case = &r.cases[0];
        assert!(!rate_case.passed);
        let m = rate_case
            .metrics
            .iter()
            .find(|m| m.name == "max_error_over_tolerance")
            .unwrap();
        assert!(m.value > 1.0, "{m:?}");
    }

    #[test]
    fn sweep_spans_threshold_to_twenty_times() {
        let j = LifCheck::full().currents();
        assert!(j.len() >= 200);
        assert!((j[0] - 1.005).abs() < 1e-12 && (j[j.len() - 1] - 20.0).abs() < 1e-9);
        assert!(j.windows(2).all(|w| w[1] > w[0]));
    }
}

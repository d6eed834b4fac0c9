//! `networks`: the benchmark networks of `simcore::networks` against the literature and the
//! peer simulators (NEST 3.10, Brian2 2.9) on the same parameters (`peers/common.py`).
//!
//! Statistics are computed as the peers' `brunel_stats`: rates after the first 100 ms, the
//! mean ISI coefficient of variation over the first 1000 neurons (those with ≥ 2 intervals), and
//! the CV of the population spike count in 1 ms bins (≈ `1/√(spikes per bin)` when asynchronous,
//! O(1) when synchronous).
//!
//! | case | reference | acceptance (full, 1 s) |
//! |---|---|---|
//! | `cuba` | Brian2 5.66 Hz, NEST 5.12 Hz | rate 4.8–6.5 Hz, ISI CV > 0.3 |
//! | `brunel_ai` (g 5, η 2) | NEST 37.4–37.9, Brian2 37.1–37.6 Hz; ISI CV 0.41–0.42 | rate 36–39.5 Hz, CV 0.37–0.46, population CV < 0.7 |
//! | `brunel_sr` (g 3, η 2) | 313–333 Hz, CV 0.001, synchronous | rate 300–340 Hz, CV < 0.01, population CV > 0.5 |
//! | `brunel_si_fast` (g 6, η 4) | Brunel (2000) Fig. 8: synchronous, irregular | ISI CV > 0.5, population CV > 0.75 |
//! | `brunel_si_slow` (g 4.5, η 0.9) | slow oscillation, irregular | ISI CV > 0.3, population CV > 1 |
//!
//! `--quick` runs CUBA for 1 s and Brunel AI for 0.4 s (ISI CV limits widened to 0.33–0.46:
//! ~11 intervals per neuron bias the estimate low). Plots: population rate (1 ms bins) of each
//! Brunel regime, and a raster of 100 excitatory neurons.

use simcore::networks::brunel::{Brunel, Regime};
use simcore::networks::cuba::Cuba;
use simcore::networks::{SpikeLog, run_logged};

use crate::plot::{LinePlot, Series, save_grid_png};
use crate::{Case, CheckResult, Metric, Options, ValidationError};

const NAME: &str = "networks";
const DT: f64 = 1e-4;

/// All populations' spikes as one log (populations in order, ids offset).
fn merged(logs: &[SpikeLog]) -> SpikeLog {
    let mut all = SpikeLog::new(0);
    for l in logs {
        let base = all.n as u32;
        all.events
            .extend(l.events.iter().map(|&(k, i)| (k, i + base)));
        all.n += l.n;
    }
    all.events.sort_unstable();
    all
}

fn sim_err(source: simcore::SimError) -> ValidationError {
    ValidationError::Sim {
        check: NAME,
        source,
    }
}

/// The registered entry point.
pub fn run(opts: &Options) -> Result<CheckResult, ValidationError> {
    let mut cases = Vec::new();
    let mut plots = Vec::new();
    let mut panels = Vec::new();
    // CUBA.
    let steps = 10_000;
    let mut sim = Cuba::default().build(1, opts.threads).map_err(sim_err)?;
    let s = merged(&run_logged(&mut sim, steps).map_err(sim_err)?).stats(DT, steps, 1000, 1000);
    cases.push(Case::new(
        "cuba",
        vec![
            Metric::at_least("rate_hz", s.rate_hz, 4.8),
            Metric::at_most("rate_hz", s.rate_hz, 6.5),
            Metric::at_least("cv_isi", s.cv_isi, 0.3),
            Metric::info("pop_cv_1ms", s.pop_cv_1ms),
        ],
    ));
    // Brunel regimes.
    let regimes: &[Regime] = if opts.quick {
        &[Regime::AsynchronousIrregular]
    } else {
        &Regime::ALL
    };
    for &regime in regimes {
        let steps: u64 = if opts.quick { 4000 } else { 10_000 };
        let mut sim = Brunel::regime(regime)
            .build(1, opts.threads)
            .map_err(sim_err)?;
        let logs = run_logged(&mut sim, steps).map_err(sim_err)?;
        let all = merged(&logs);
        let s = all.stats(DT, steps, 1000, 1000);
        let mut m = vec![Metric::info("rate_hz", s.rate_hz)];
        match regime {
            Regime::AsynchronousIrregular => {
                let cv_lo = if opts.quick { 0.33 } else { 0.37 };
                m = vec![
                    Metric::at_least("rate_hz", s.rate_hz, 36.0),
                    Metric::at_most("rate_hz", s.rate_hz, 39.5),
                    Metric::at_least("cv_isi", s.cv_isi, cv_lo),
                    Metric::at_most("cv_isi", s.cv_isi, 0.46),
                    Metric::at_most("pop_cv_1ms", s.pop_cv_1ms, 0.7),
                ];
            }
            Regime::SynchronousRegular => {
                m = vec![
                    Metric::at_least("rate_hz", s.rate_hz, 300.0),
                    Metric::at_most("rate_hz", s.rate_hz, 340.0),
                    Metric::at_most("cv_isi", s.cv_isi, 0.01),
                    Metric::at_least("pop_cv_1ms", s.pop_cv_1ms, 0.5),
                ];
            }
            Regime::SynchronousIrregularFast => {
                m.push(Metric::at_least("cv_isi", s.cv_isi, 0.5));
                m.push(Metric::at_least("pop_cv_1ms", s.pop_cv_1ms, 0.75));
            }
            Regime::SynchronousIrregularSlow => {
                m.push(Metric::at_least("cv_isi", s.cv_isi, 0.3));
                m.push(Metric::at_least("pop_cv_1ms", s.pop_cv_1ms, 1.0));
            }
        }
        cases.push(Case::new(&format!("brunel_{}", regime.name()), m));
        if opts.plots.is_some() {
            // Population rate over 200 ms after the transient, 0.5 ms bins; raster of 100 E.
            let h = all.rate_histogram(DT, steps, 5);
            let (lo, hi) = (200, 600.min(h.len()));
            let t: Vec<f64> = (lo..hi).map(|b| (b * 5) as f64 * DT * 1e3).collect();
            let (g, eta) = regime.g_eta();
            panels.push(
                LinePlot::new(
                    &format!("Brunel {} (g {g}, η {eta}): population rate", regime.name()),
                    "t (ms)",
                    "rate (Hz)",
                )
                .series(Series::line(
                    "all neurons, 0.5 ms bins",
                    t,
                    h[lo..hi].to_vec(),
                )),
            );
            let (k0, k1) = (1000, 3000.min(steps));
            let (x, y): (Vec<f64>, Vec<f64>) = logs[0]
                .events
                .iter()
                .filter(|&&(k, i)| i < 100 && (k0..k1).contains(&k))
                .map(|&(k, i)| (k as f64 * DT * 1e3, f64::from(i)))
                .unzip();
            panels.push(
                LinePlot::new(
                    &format!("Brunel {}: raster, 100 excitatory neurons", regime.name()),
                    "t (ms)",
                    "neuron",
                )
                .series(Series::points("spikes", x, y)),
            );
        }
    }
    if let Some(path) = opts.plot_path("networks_brunel.png") {
        save_grid_png(&path, &panels, 2).map_err(|source| ValidationError::Plot {
            check: NAME,
            source,
        })?;
        plots.push(path);
    }
    Ok(CheckResult::new(NAME, cases, plots))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_check_passes() {
        let r = run(&Options {
            quick: true,
            threads: 2,
            ..Options::default()
        })
        .unwrap();
        assert!(
            r.passed,
            "{}",
            crate::report::table(std::slice::from_ref(&r))
        );
        assert_eq!(r.cases.len(), 2);
    }
}

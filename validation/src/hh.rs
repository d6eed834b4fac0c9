//! `hh`: Hodgkin–Huxley neurons (f32 SIMD kernel, default staggered Rush–Larsen method,
//! Δt = 0.01 ms, classic squid-axon parameters) against the f64 RK4 reference at Δt = 0.002 ms
//! ([`simcore::neuron::hh::hh_reference`]).
//!
//! - **f–I curve**: I from 0 to 50 µA/cm² (101 points, 1 s each; `--quick`: 21 points,
//!   0.3 s). Rate estimator, the same for both: when at least two spikes fall in the second half
//!   of the run, (n − 1)/(t_last − t_first) over those (the steady repetitive rate, free of the
//!   onset transient); otherwise spikes/duration. Acceptance: |rate − rate_ref| ≤ max(1 Hz,
//!   1 % of rate_ref) at every current (reported as the largest error/tolerance ratio ≤ 1).
//! - **Rheobase** (current of the first repetitive firing: ≥ 2 spikes in the second half of the
//!   run from rest), located for each model by repeated 8-way subdivision of the grid interval
//!   where the reference starts firing (resolution < 0.001 µA/cm²); acceptance |Δ| ≤ 0.1 µA/cm².
//! - **Waveform** of the first spike at 10 µA/cm²: peak (parabola through the largest sample and
//!   its neighbours) within 0.5 mV, width at −20 mV (interpolated crossings) within 0.02 ms.
//! - **Spike times** of 100 ms runs at 7, 10, 20 and 40 µA/cm²: same count, every spike within
//!   0.05 ms of the reference.
//! - **Kernels and threads**: scalar reference vs SIMD (bit-identical spikes and state), SIMD
//!   on 1 vs 2 threads, over a population spanning several work chunks, with lock-out.

use rayon::prelude::*;
use simcore::kernels::hh::HhMethod;
use simcore::neuron::hh::{HhParams, hh_reference};
use simcore::par::{CHUNK, Par, Threads};
use simcore::population::Kernel;
use simcore::{HhPopulation, Spikes};

use crate::plot::{LinePlot, Series, save_grid_png};
use crate::report::nan_max;
use crate::{Case, CheckResult, Metric, Options, ValidationError};

const NAME: &str = "hh";

/// Kernel time step, s (0.01 ms).
pub const DT: f64 = 1e-5;
/// Reference time step, s (0.002 ms).
pub const DT_REF: f64 = 2e-6;
/// Rheobase tolerance, µA/cm².
pub const TOL_RHEOBASE: f64 = 0.1;
/// Spike time tolerance, s.
pub const TOL_SPIKE: f64 = 5e-5;
/// Peak voltage tolerance, mV.
pub const TOL_PEAK: f64 = 0.5;
/// Spike width tolerance, s.
pub const TOL_WIDTH: f64 = 2e-5;

fn sim_err(source: simcore::SimError) -> ValidationError {
    ValidationError::Sim {
        check: NAME,
        source,
    }
}

/// Which of the given currents make a model fire repetitively.
type FiresAt<'a> = dyn Fn(&[f64]) -> Result<Vec<bool>, ValidationError> + 'a;

/// Settings of the check.
#[derive(Clone, Debug)]
pub struct HhCheck {
    /// Points of the f–I curve.
    pub n_currents: usize,
    /// Largest current, µA/cm².
    pub i_max: f64,
    /// Duration of each f–I run, s.
    pub duration: f64,
    /// Currents of the spike-time runs, µA/cm².
    pub spike_currents: Vec<f64>,
    /// Factor applied to the kernel's input current only (1 for the real check; tests use
    /// another value to show the acceptance can fail).
    pub drive_scale: f64,
}

impl HhCheck {
    /// The full check.
    pub fn full() -> Self {
        Self {
            n_currents: 101,
            i_max: 50.0,
            duration: 1.0,
            spike_currents: vec![7.0, 10.0, 20.0, 40.0],
            drive_scale: 1.0,
        }
    }

    /// `--quick`: 21 currents, 0.3 s runs, two spike-time currents.
    pub fn quick() -> Self {
        Self {
            n_currents: 21,
            duration: 0.3,
            spike_currents: vec![10.0, 40.0],
            ..Self::full()
        }
    }

    /// Spike times (s) of the f32 kernel, one neuron per current.
    fn kernel_spikes(
        &self,
        currents: &[f64],
        duration: f64,
        threads: usize,
    ) -> Result<Vec<Vec<f64>>, ValidationError> {
        let bias: Vec<f32> = currents
            .iter()
            .map(|&i| (i * self.drive_scale) as f32)
            .collect();
        let mut pop = HhPopulation::new("hh", HhParams::squid(), HhMethod::Staggered, DT, &bias)
            .map_err(sim_err)?;
        let pool = Threads::new(threads).map_err(sim_err)?;
        let mut out = Spikes::default();
        let mut t = vec![vec![]; currents.len()];
        for k in 0..(duration / DT).round() as usize {
            pop.step(None, Kernel::Simd, pool.par(), &mut out);
            for (&i, &o) in out.ids.iter().zip(&out.offsets) {
                t[i as usize].push(k as f64 * DT + f64::from(o));
            }
        }
        Ok(t)
    }

    /// Spike times (s) of the f64 reference, one run per current (in parallel).
    fn reference_spikes(currents: &[f64], duration: f64) -> Vec<Vec<f64>> {
        let p = HhParams::squid();
        currents
            .par_iter()
            .map(|&i| hh_reference(&p, i, duration, DT_REF, 0).spikes)
            .collect()
    }

    /// Smallest current in `(lo, hi]` with repetitive firing, by 8-way subdivision.
    fn rheobase(
        &self,
        mut lo: f64,
        mut hi: f64,
        fires: &FiresAt<'_>,
    ) -> Result<f64, ValidationError> {
        while hi - lo > 1e-3 {
            let pts: Vec<f64> = (1..=8).map(|k| lo + (hi - lo) * k as f64 / 8.0).collect();
            let f = fires(&pts)?;
            let first = f.iter().position(|&x| x).unwrap_or(7);
            hi = pts[first];
            lo = if first == 0 { lo } else { pts[first - 1] };
        }
        Ok(hi)
    }

    /// Runs the check.
    pub fn run(&self, opts: &Options) -> Result<CheckResult, ValidationError> {
        let t_end = self.duration;
        let currents: Vec<f64> = (0..self.n_currents)
            .map(|k| self.i_max * k as f64 / (self.n_currents - 1) as f64)
            .collect();
        let ours = self.kernel_spikes(&currents, t_end, opts.threads)?;
        let refs = Self::reference_spikes(&currents, t_end);
        let r_ours: Vec<f64> = ours.iter().map(|s| rate(s, t_end)).collect();
        let r_ref: Vec<f64> = refs.iter().map(|s| rate(s, t_end)).collect();
        let worst = r_ours
            .iter()
            .zip(&r_ref)
            .map(|(a, b)| (a - b).abs() / (0.01 * b.abs()).max(1.0))
            .fold(0.0, nan_max);
        let max_abs = r_ours
            .iter()
            .zip(&r_ref)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, nan_max);
        // Rheobase: refine the grid interval where the reference starts repetitive firing.
        let j = refs
            .iter()
            .position(|s| repetitive(s, t_end))
            .unwrap_or(currents.len() - 1)
            .max(1);
        let (lo, hi) = (currents[j - 1], currents[j]);
        let fires_ours = |pts: &[f64]| -> Result<Vec<bool>, ValidationError> {
            Ok(self
                .kernel_spikes(pts, t_end, opts.threads)?
                .iter()
                .map(|s| repetitive(s, t_end))
                .collect())
        };
        let fires_ref = |pts: &[f64]| -> Result<Vec<bool>, ValidationError> {
            Ok(Self::reference_spikes(pts, t_end)
                .iter()
                .map(|s| repetitive(s, t_end))
                .collect())
        };
        let rb_ours = self.rheobase(lo, hi, &fires_ours)?;
        let rb_ref = self.rheobase(lo, hi, &fires_ref)?;
        let mut cases = vec![Case::new(
            &format!(
                "f-I {} currents 0..{} uA/cm2, {} s",
                self.n_currents, self.i_max, t_end
            ),
            vec![
                Metric::at_most("max_rate_err_over_tol", worst, 1.0),
                Metric::info("max_abs_rate_err_hz", max_abs),
                Metric::info("rheobase_ref_uA_cm2", rb_ref),
                Metric::info("rheobase_sim_uA_cm2", rb_ours),
                Metric::at_most("rheobase_abs_diff", (rb_ours - rb_ref).abs(), TOL_RHEOBASE),
            ],
        )];
        let (wave_case, trace_plot) = self.waveform()?;
        cases.push(wave_case);
        cases.push(self.spike_times(opts.threads)?);
        cases.push(kernels_and_threads()?);
        let mut plots = Vec::new();
        let fi = LinePlot::new(
            "HH f–I curve (squid axon, Δt = 0.01 ms)",
            "I (µA/cm²)",
            "rate (Hz)",
        )
        .series(Series::line(
            "f64 RK4 reference, Δt = 0.002 ms",
            currents.clone(),
            r_ref,
        ))
        .series(Series::points(
            "f32 SIMD staggered Rush–Larsen",
            currents,
            r_ours,
        ));
        for (file, plot) in [("hh_fi.png", fi), ("hh_trace.png", trace_plot)] {
            if let Some(path) = opts.plot_path(file) {
                save_grid_png(&path, &[plot], 1).map_err(|source| ValidationError::Plot {
                    check: NAME,
                    source,
                })?;
                plots.push(path);
            }
        }
        Ok(CheckResult::new(NAME, cases, plots))
    }

    /// First-spike waveform at 10 µA/cm²: peak and width at −20 mV vs the reference.
    fn waveform(&self) -> Result<(Case, LinePlot), ValidationError> {
        let t_end = 0.03;
        let mut pop = HhPopulation::new(
            "wave",
            HhParams::squid(),
            HhMethod::Staggered,
            DT,
            &[(10.0 * self.drive_scale) as f32],
        )
        .map_err(sim_err)?;
        let mut out = Spikes::default();
        let mut v = vec![f64::from(pop.voltage()[0])];
        for _ in 0..(t_end / DT).round() as usize {
            pop.step(None, Kernel::Simd, Par::Seq, &mut out);
            v.push(f64::from(pop.voltage()[0]));
        }
        let r = hh_reference(&HhParams::squid(), 10.0, t_end, DT_REF, 1);
        let (p_ours, w_ours) = peak_width(&v, DT);
        let (p_ref, w_ref) = peak_width(&r.v, DT_REF);
        let case = Case::new(
            "waveform first spike at 10 uA/cm2",
            vec![
                Metric::info("peak_ref_mV", p_ref),
                Metric::at_most("peak_abs_diff_mV", (p_ours - p_ref).abs(), TOL_PEAK),
                Metric::info("width_ref_ms", w_ref * 1e3),
                Metric::at_most(
                    "width_abs_diff_ms",
                    (w_ours - w_ref).abs() * 1e3,
                    TOL_WIDTH * 1e3,
                ),
            ],
        );
        let t = |n: usize, dt: f64| (0..n).map(|k| k as f64 * dt * 1e3).collect::<Vec<_>>();
        let plot = LinePlot::new("HH membrane potential at 10 µA/cm²", "t (ms)", "V (mV)")
            .series(Series::line(
                "f64 RK4 reference",
                t(r.v.len(), DT_REF),
                r.v.clone(),
            ))
            .series(Series::dashed("f32 SIMD, Δt = 0.01 ms", t(v.len(), DT), v));
        Ok((case, plot))
    }

    /// Spike times of 100 ms runs vs the reference.
    fn spike_times(&self, threads: usize) -> Result<Case, ValidationError> {
        let ours = self.kernel_spikes(&self.spike_currents, 0.1, threads)?;
        let refs = Self::reference_spikes(&self.spike_currents, 0.1);
        let mut count_diff = 0;
        let mut worst = 0.0;
        let mut n = 0;
        for (a, b) in ours.iter().zip(&refs) {
            count_diff += a.len().abs_diff(b.len());
            n += b.len();
            worst = a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(worst, nan_max);
        }
        Ok(Case::new(
            &format!("spike times 100 ms at {:?} uA/cm2", self.spike_currents),
            vec![
                Metric::info("reference_spikes", n as f64),
                Metric::at_most("spike_count_diff", count_diff as f64, 0.0),
                Metric::at_most("max_spike_time_err_ms", worst * 1e3, TOL_SPIKE * 1e3),
            ],
        ))
    }
}

/// True when at least two spikes fall in the second half of a run of length `t_end`.
fn repetitive(s: &[f64], t_end: f64) -> bool {
    s.iter().filter(|&&t| t >= 0.5 * t_end).count() >= 2
}

/// The rate estimator described in the module docs (Hz).
fn rate(s: &[f64], t_end: f64) -> f64 {
    let late: Vec<f64> = s.iter().copied().filter(|&t| t >= 0.5 * t_end).collect();
    if late.len() >= 2 {
        (late.len() - 1) as f64 / (late[late.len() - 1] - late[0])
    } else {
        s.len() as f64 / t_end
    }
}

/// Peak (mV) of the first spike and its width (s) at −20 mV, from samples every `dt`.
fn peak_width(v: &[f64], dt: f64) -> (f64, f64) {
    let up = v.windows(2).position(|w| w[0] <= -20.0 && w[1] > -20.0);
    let Some(up) = up else {
        return (f64::NAN, f64::NAN);
    };
    let down = v[up..]
        .windows(2)
        .position(|w| w[0] >= -20.0 && w[1] < -20.0)
        .map(|d| d + up);
    let Some(down) = down else {
        return (f64::NAN, f64::NAN);
    };
    let cross = |k: usize| k as f64 + (-20.0 - v[k]) / (v[k + 1] - v[k]);
    let width = (cross(down) - cross(up)) * dt;
    let k = (up..=down)
        .max_by(|&a, &b| v[a].total_cmp(&v[b]))
        .unwrap_or(up);
    let (a, b, c) = (v[k - 1], v[k], v[k + 1]);
    let den = a - 2.0 * b + c;
    let peak = if den < 0.0 {
        b - 0.125 * (a - c) * (a - c) / den
    } else {
        b
    };
    (peak, width)
}

/// Scalar vs SIMD and 1 vs 2 threads over a multi-chunk population with lock-out.
fn kernels_and_threads() -> Result<Case, ValidationError> {
    let n = 2 * CHUNK + 9;
    let bias: Vec<f32> = (0..n).map(|i| (i % 101) as f32 * 0.5).collect();
    let mut p = HhParams::squid();
    p.t_lock = 0.002;
    let pool = Threads::new(2).map_err(sim_err)?;
    let mut runs = Vec::new();
    for (kernel, two) in [
        (Kernel::Scalar, false),
        (Kernel::Simd, false),
        (Kernel::Simd, true),
    ] {
        let mut pop =
            HhPopulation::new("threads", p, HhMethod::Staggered, DT, &bias).map_err(sim_err)?;
        let mut out = Spikes::default();
        let mut spikes = Vec::new();
        for k in 0..2000u32 {
            pop.step(
                None,
                kernel,
                if two { pool.par() } else { Par::Seq },
                &mut out,
            );
            spikes.extend(
                out.ids
                    .iter()
                    .zip(&out.offsets)
                    .map(|(&i, &o)| (k, i, o.to_bits())),
            );
        }
        let (m, h, nn) = pop.gates();
        let state: Vec<u32> = pop
            .voltage()
            .iter()
            .chain(m)
            .chain(h)
            .chain(nn)
            .map(|x| x.to_bits())
            .collect();
        runs.push((spikes, state));
    }
    let diff = |a: &(Vec<(u32, u32, u32)>, Vec<u32>), b: &(Vec<(u32, u32, u32)>, Vec<u32>)| {
        (a.0.iter().zip(&b.0).filter(|(x, y)| x != y).count() + a.0.len().abs_diff(b.0.len()))
            as f64
            + a.1.iter().zip(&b.1).filter(|(x, y)| x != y).count() as f64
    };
    Ok(Case::new(
        &format!("kernels and threads (N={n}, 20 ms, lock-out 2 ms)"),
        vec![
            Metric::info("spikes", runs[1].0.len() as f64),
            Metric::at_most("scalar_simd_differences", diff(&runs[0], &runs[1]), 0.0),
            Metric::at_most("threads_1_2_differences", diff(&runs[1], &runs[2]), 0.0),
        ],
    ))
}

/// `spikesim validate hh`.
pub fn run(opts: &Options) -> Result<CheckResult, ValidationError> {
    opts.pick(HhCheck::quick, HhCheck::full).run(opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_check_passes() {
        let r = run(&Options {
            quick: true,
            ..Default::default()
        })
        .unwrap();
        assert!(r.passed, "{:?}", r.cases);
    }

    #[test]
    fn a_wrong_drive_fails_the_check() {
        let mut c = HhCheck::quick();
        c.drive_scale = 1.02;
        c.n_currents = 11;
        let r = c.run(&Options::default()).unwrap();
        assert!(!r.passed);
    }

    #[test]
    fn peak_width_of_a_parabola() {
        // v(t) = 10 − (t − 7)² sampled at dt = 1: peak 10 at t = 7, crossing −20 at 7 ± √30.
        let v: Vec<f64> = (0..=14).map(|k| 10.0 - (k as f64 - 7.0).powi(2)).collect();
        let (p, width) = peak_width(&v, 1.0);
        assert!((p - 10.0).abs() < 1e-12);
        assert!((width - 2.0 * 30f64.sqrt()).abs() < 0.2);
    }
}

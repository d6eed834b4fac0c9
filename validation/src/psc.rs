//! `psc`: post-synaptic current filters against their closed forms.
//!
//! For each kernel $s_n(t) = t^n e^{-t/\tau}/(n!\,\tau^{n+1})$ with n ∈ {0, 1, 2, 5},
//! τ ∈ {2, 5, 20} ms and Δt ∈ {1e-3, 1e-4} s (the f32 SIMD filter, exact discretisation, impulse
//! input at the step start, output = step average; [`simcore::synapse`]):
//! - **impulse response**: the step outputs vs the closed form averaged over each step,
//!   $(P(n+1, t_{k+1}/\tau) - P(n+1, t_k/\tau))/\Delta t$; max error ≤ 1e-4 of the kernel peak;
//! - **area**: $\sum_k y_k\Delta t$ plus the analytic tail beyond the run, = 1 within 1e-4;
//! - **Poisson train**: a seeded Poisson train (200 Hz, weights uniform in [−1, 2], spikes at
//!   step starts) vs a direct f64 convolution evaluated the same way (each spike's closed-form
//!   step averages summed); max error ≤ 1e-4 of the response's peak |y|.
//!
//! Per order n (τ = 5 ms): **convergence** of the step outputs to the kernel sampled at the step
//! midpoints, $\max_k |y_k - s_n(t_k + \Delta t/2)|$, for Δt = 1e-3 … 1.25e-4; the fitted order
//! (log-log slope) must be ≥ 1.8 (midpoint rule: 2). The Nengo-convention filter's end-of-step
//! output against $s_n(t_{k+1})$ is reported beside it (first order).
//!
//! **Nengo**: the [`Discretisation::Nengo`] filter against Nengo's own recursions in f64 —
//! `Lowpass`: $y_k = a y_{k-1} + (1-a) u_k$; `Alpha` (zero-order hold of $1/(\tau s+1)^2$,
//! Nengo's `NoD` form without the extra delay):
//! $y_k = 2a y_{k-1} - a^2 y_{k-2} + b_1 u_k + b_2 u_{k-1}$,
//! $b_1 = 1 - a - a\Delta t/\tau$, $b_2 = a^2 - a + a\Delta t/\tau$ — for a spike train of
//! height 1/Δt; max error ≤ 1e-6 of the peak.
//!
//! **Kernels and threads**: the scalar reference, the SIMD kernel on one thread and on two
//! give identical bits over a 3-chunk population.

use rand::Rng;
use simcore::lanes::Padded;
use simcore::par::{CHUNK, Par, Threads};
use simcore::population::Kernel;
use simcore::synapse::{Discretisation, PscFilter, PscShape};

use crate::plot::{LinePlot, Series, save_grid_png};
use crate::report::nan_max;
use crate::{Case, CheckResult, Metric, Options, ValidationError};

const NAME: &str = "psc";

/// Impulse-response, Poisson and area tolerance (fraction of the peak, or absolute for area).
pub const TOL: f64 = 1e-4;
/// Nengo recursion tolerance (fraction of the peak).
pub const TOL_NENGO: f64 = 1e-6;
/// Smallest accepted convergence order of the step averages to midpoint samples.
pub const MIN_ORDER: f64 = 1.8;

fn sim_err(source: simcore::SimError) -> ValidationError {
    ValidationError::Sim {
        check: NAME,
        source,
    }
}

/// Runs a one-target filter over `input`, returning the outputs.
fn filter1(
    shape: PscShape,
    disc: Discretisation,
    dt: f64,
    input: &[f64],
) -> Result<Vec<f64>, ValidationError> {
    let mut f = PscFilter::new("psc", shape, disc, dt, 1).map_err(sim_err)?;
    let mut u = Padded::filled(1, 0.0);
    let mut out = Padded::filled(1, 0.0);
    Ok(input
        .iter()
        .map(|&x| {
            u.as_mut_slice()[0] = x as f32;
            out.as_mut_slice()[0] = 0.0;
            f.step(&u, &mut out, Par::Seq);
            f64::from(out.as_slice()[0])
        })
        .collect())
}

/// Closed-form average over step `[t0, t0 + dt]` of the response to a unit impulse at 0.
fn step_avg(shape: PscShape, t0: f64, dt: f64) -> f64 {
    let i = |t: f64| shape.integral(t).unwrap_or(0.0);
    (i(t0 + dt) - i(t0)) / dt
}

/// Settings of the check.
#[derive(Clone, Debug)]
pub struct PscCheck {
    /// Kernel orders.
    pub orders: Vec<u32>,
    /// Time constants, s.
    pub taus: Vec<f64>,
    /// Time steps, s.
    pub dts: Vec<f64>,
    /// Poisson train duration, s.
    pub train_duration: f64,
}

impl PscCheck {
    /// The full check.
    pub fn full() -> Self {
        Self {
            orders: vec![0, 1, 2, 5],
            taus: vec![0.002, 0.005, 0.02],
            dts: vec![1e-3, 1e-4],
            train_duration: 1.0,
        }
    }

    /// `--quick`: all cases (they take milliseconds), a shorter train.
    pub fn quick() -> Self {
        Self {
            train_duration: 0.2,
            ..Self::full()
        }
    }

    /// Runs the check.
    pub fn run(&self, opts: &Options) -> Result<CheckResult, ValidationError> {
        let mut cases = Vec::new();
        let mut kernel_plots = Vec::new();
        let mut train_plot = None;
        for &n in &self.orders {
            for &tau in &self.taus {
                for &dt in &self.dts {
                    let shape = PscShape::Gamma { order: n, tau };
                    let peak = shape.peak().unwrap_or(1.0);
                    let steps = ((f64::from(n) + 25.0) * tau / dt).ceil() as usize;
                    let mut input = vec![0.0; steps];
                    input[0] = 1.0;
                    let y = filter1(shape, Discretisation::Impulse, dt, &input)?;
                    let exact: Vec<f64> = (0..steps)
                        .map(|k| step_avg(shape, k as f64 * dt, dt))
                        .collect();
                    let imp_err = y
                        .iter()
                        .zip(&exact)
                        .map(|(a, b)| (a - b).abs())
                        .fold(0.0, nan_max)
                        / peak;
                    let tail = 1.0 - shape.integral(steps as f64 * dt).unwrap_or(1.0);
                    let area = y.iter().sum::<f64>() * dt + tail;
                    let (train_err, train) = self.poisson(shape, dt)?;
                    if n == 1 && tau == 0.005 && dt == 1e-4 {
                        train_plot = Some(train);
                    }
                    if tau == 0.005 && dt == 1e-3 {
                        let t: Vec<f64> = (0..steps).map(|k| (k as f64 + 0.5) * dt * 1e3).collect();
                        let tc: Vec<f64> = (0..steps * 20).map(|k| k as f64 * dt / 20.0).collect();
                        kernel_plots.push(
                            LinePlot::new(
                                &format!("n = {n}, τ = 5 ms, Δt = 1 ms"),
                                "t (ms)",
                                "s(t) (1/s)",
                            )
                            .series(Series::line(
                                "kernel s_n(t)",
                                tc.iter().map(|t| t * 1e3).collect(),
                                tc.iter().map(|&t| shape.kernel(t).unwrap_or(0.0)).collect(),
                            ))
                            .series(Series::points(
                                "filter step averages",
                                t,
                                y.clone(),
                            )),
                        );
                    }
                    cases.push(Case::new(
                        &format!("n={n},tau={tau},dt={dt:e}"),
                        vec![
                            Metric::at_most("impulse_max_err_over_peak", imp_err, TOL),
                            Metric::at_most("area_err", (area - 1.0).abs(), TOL),
                            Metric::at_most("poisson_max_err_over_peak", train_err, TOL),
                        ],
                    ));
                }
            }
        }
        for &n in &self.orders {
            cases.push(convergence(n)?);
        }
        cases.push(nengo(self.train_duration)?);
        cases.push(kernels_and_threads()?);
        let mut plots = Vec::new();
        if let Some(path) = opts.plot_path("psc_kernels.png") {
            save_grid_png(&path, &kernel_plots, 2).map_err(|source| ValidationError::Plot {
                check: NAME,
                source,
            })?;
            plots.push(path);
        }
        if let (Some(path), Some(p)) = (opts.plot_path("psc_poisson.png"), train_plot) {
            save_grid_png(&path, &[p], 1).map_err(|source| ValidationError::Plot {
                check: NAME,
                source,
            })?;
            plots.push(path);
        }
        Ok(CheckResult::new(NAME, cases, plots))
    }

    /// A seeded Poisson train through the filter vs direct f64 convolution of closed-form step
    /// averages; returns the max error over the response peak and a plot.
    fn poisson(&self, shape: PscShape, dt: f64) -> Result<(f64, LinePlot), ValidationError> {
        let steps = (self.train_duration / dt).round() as usize;
        let mut rng = simcore::rng::stream(7, &format!("validation/psc/{shape:?}/{dt}"));
        let p_spike = 200.0 * dt;
        let mut input = vec![0.0; steps];
        let mut spikes = Vec::new();
        for (k, u) in input.iter_mut().enumerate() {
            if rng.random::<f64>() < p_spike {
                let w = f64::from(rng.random::<f32>()) * 3.0 - 1.0;
                *u = w;
                spikes.push((k, w));
            }
        }
        let y = filter1(shape, Discretisation::Impulse, dt, &input)?;
        let tau = match shape {
            PscShape::Gamma { tau, order } => tau * (f64::from(order) + 40.0),
            PscShape::Delta => dt,
        };
        let horizon = (tau / dt).ceil() as usize;
        let mut direct = vec![0.0; steps];
        for &(k0, w) in &spikes {
            for (k, d) in direct.iter_mut().enumerate().skip(k0).take(horizon) {
                *d += w * step_avg(shape, (k - k0) as f64 * dt, dt);
            }
        }
        let peak = direct.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let err = y
            .iter()
            .zip(&direct)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, nan_max)
            / peak;
        let t: Vec<f64> = (0..steps).map(|k| k as f64 * dt).collect();
        let show = steps.min((0.2 / dt) as usize);
        let plot = LinePlot::new(
            &format!("Poisson train through {shape:?}, Δt = {dt} s"),
            "t (s)",
            "filtered input (1/s)",
        )
        .series(Series::line(
            "f64 direct convolution",
            t[..show].to_vec(),
            direct[..show].to_vec(),
        ))
        .series(Series::dashed(
            "f32 SIMD filter",
            t[..show].to_vec(),
            y[..show].to_vec(),
        ));
        Ok((err, plot))
    }
}

/// Convergence of step averages to midpoint samples (and of Nengo's end-of-step samples).
fn convergence(n: u32) -> Result<Case, ValidationError> {
    let tau = 0.005;
    let shape = PscShape::Gamma { order: n, tau };
    let peak = shape.peak().unwrap_or(1.0);
    let dts = [1e-3, 5e-4, 2.5e-4, 1.25e-4];
    let (mut e_avg, mut e_nengo) = (vec![], vec![]);
    for dt in dts {
        let steps = ((f64::from(n) + 25.0) * tau / dt).ceil() as usize;
        let mut input = vec![0.0; steps];
        input[0] = 1.0;
        let y = filter1(shape, Discretisation::Impulse, dt, &input)?;
        e_avg.push(
            y.iter()
                .enumerate()
                .map(|(k, v)| (v - shape.kernel((k as f64 + 0.5) * dt).unwrap_or(0.0)).abs())
                .fold(0.0, nan_max)
                / peak,
        );
        input[0] = 1.0 / dt;
        let y = filter1(shape, Discretisation::Nengo, dt, &input)?;
        e_nengo.push(
            y.iter()
                .enumerate()
                .map(|(k, v)| (v - shape.kernel((k + 1) as f64 * dt).unwrap_or(0.0)).abs())
                .fold(0.0, nan_max)
                / peak,
        );
    }
    let order = |e: &[f64]| {
        let (x, y): (Vec<f64>, Vec<f64>) = dts.iter().zip(e).map(|(d, e)| (d.ln(), e.ln())).unzip();
        slope(&x, &y)
    };
    Ok(Case::new(
        &format!("convergence n={n},tau=0.005"),
        vec![
            Metric::info("midpoint_err_over_peak_dt1e-3", e_avg[0]),
            Metric::info("midpoint_err_over_peak_dt1.25e-4", e_avg[3]),
            Metric::at_least("order_step_average", order(&e_avg), MIN_ORDER),
            Metric::info("order_nengo_end_sample", order(&e_nengo)),
        ],
    ))
}

/// Least-squares slope of y on x.
fn slope(x: &[f64], y: &[f64]) -> f64 {
    let m = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / m, y.iter().sum::<f64>() / m);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    sxy / sxx
}

/// Nengo-convention Lowpass and Alpha against Nengo's recursions.
fn nengo(duration: f64) -> Result<Case, ValidationError> {
    let (dt, tau) = (1e-3, 0.01);
    let steps = (duration / dt).round() as usize;
    let mut rng = simcore::rng::stream(11, "validation/psc/nengo");
    let u: Vec<f64> = (0..steps)
        .map(|_| {
            if rng.random::<f64>() < 0.05 {
                1.0 / dt
            } else {
                0.0
            }
        })
        .collect();
    let a = (-dt / tau).exp();
    let mut lp = vec![0.0; steps];
    let mut al = vec![0.0; steps];
    let (b1, b2) = (1.0 - a - a * dt / tau, a * a - a + a * dt / tau);
    for k in 0..steps {
        let prev = |y: &[f64], j: usize| if k >= j { y[k - j] } else { 0.0 };
        lp[k] = a * prev(&lp, 1) + (1.0 - a) * u[k];
        al[k] = 2.0 * a * prev(&al, 1) - a * a * prev(&al, 2)
            + b1 * u[k]
            + if k >= 1 { b2 * u[k - 1] } else { 0.0 };
    }
    let mut metrics = vec![];
    for (label, shape, reference) in [
        ("lowpass", PscShape::exponential(tau), &lp),
        ("alpha", PscShape::alpha(tau), &al),
    ] {
        let y = filter1(shape, Discretisation::Nengo, dt, &u)?;
        let peak = reference.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let err = y
            .iter()
            .zip(reference)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, nan_max)
            / peak;
        metrics.push(Metric::at_most(
            &format!("{label}_max_err_over_peak"),
            err,
            TOL_NENGO,
        ));
    }
    Ok(Case::new("nengo tau=0.01,dt=1e-3", metrics))
}

/// Scalar vs SIMD vs SIMD on two threads, alpha filters, 3 chunks + 5 targets.
fn kernels_and_threads() -> Result<Case, ValidationError> {
    let n = 3 * CHUNK + 5;
    let pool = Threads::new(2).map_err(sim_err)?;
    let mut rng = simcore::rng::stream(3, "validation/psc/threads");
    let inputs: Vec<Padded> = (0..50)
        .map(|_| {
            let v: Vec<f32> = (0..n)
                .map(|_| {
                    if rng.random::<f32>() < 0.1 {
                        rng.random::<f32>()
                    } else {
                        0.0
                    }
                })
                .collect();
            Padded::from_slice(&v, 0.0)
        })
        .collect();
    let mut outs = Vec::new();
    for (kernel, threads) in [
        (Kernel::Scalar, false),
        (Kernel::Simd, false),
        (Kernel::Simd, true),
    ] {
        let mut f = PscFilter::new(
            "threads",
            PscShape::alpha(0.003),
            Discretisation::Impulse,
            1e-4,
            n,
        )
        .map_err(sim_err)?;
        let mut out = Padded::filled(n, 0.0);
        let mut bits = Vec::new();
        for u in &inputs {
            out.padded_mut().fill(0.0);
            let par = if threads { pool.par() } else { Par::Seq };
            f.step_with(u, &mut out, kernel, par);
            bits.extend(out.as_slice().iter().map(|v| v.to_bits()));
        }
        outs.push(bits);
    }
    let diff = |a: &[u32], b: &[u32]| a.iter().zip(b).filter(|(x, y)| x != y).count() as f64;
    Ok(Case::new(
        &format!("kernels and threads (N={n})"),
        vec![
            Metric::at_most(
                "scalar_simd_values_differing",
                diff(&outs[0], &outs[1]),
                0.0,
            ),
            Metric::at_most(
                "threads_1_2_values_differing",
                diff(&outs[1], &outs[2]),
                0.0,
            ),
        ],
    ))
}

/// `spikesim validate psc`.
pub fn run(opts: &Options) -> Result<CheckResult, ValidationError> {
    opts.pick(PscCheck::quick, PscCheck::full).run(opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_check_passes_and_reports_every_case() {
        let r = run(&Options {
            quick: true,
            ..Default::default()
        })
        .unwrap();
        for c in &r.cases {
            assert!(c.passed, "{c:?}");
        }
        assert_eq!(r.cases.len(), 4 * 3 * 2 + 4 + 2);
    }

    #[test]
    fn slope_recovers_a_power_law() {
        let x: Vec<f64> = [1.0f64, 2.0, 4.0].iter().map(|v| v.ln()).collect();
        let y: Vec<f64> = [1.0f64, 4.0, 16.0].iter().map(|v| v.ln()).collect();
        assert!((slope(&x, &y) - 2.0).abs() < 1e-12);
    }
}

//! LIF kernel throughput (neuron-updates/s = `Throughput::Elements`):
//! - `lif_step/{scalar,simd}/{1,2}thr/N`: one `LifPopulation::step` (the per-step path used when
//!   populations are coupled), N = 1e3 … 1e7;
//! - `lif_run_steps/simd/{1,2}thr/N`: `LifPopulation::run_steps` over a window of 128 steps
//!   (temporal blocking, the path of uncoupled populations), elements = N × 128.
//!
//! - `lif_step_cpu`, `lif_run_steps_cpu`: the same, one thread, timed in on-CPU time
//!   ([`spikesim_benches::CpuTime`]) so that figures on a machine shared with other jobs
//!   measure the code rather than the wait for a core.
//!
//! - `lif_nef_cpu/{scalar,x8,simd}/N`: one step of N neurons at NEF rates (normalised LIF,
//!   τ_rc 20 ms, τ_ref 2 ms, Δt 1 ms, input currents spread over 0–15 giving 0–330 Hz, mean
//!   180 Hz), one thread, on-CPU time: nearly every 8-lane vector has a lane that spikes or
//!   leaves refractoriness, the regime where the kernel runs branch-free.
//!
//! Workload (other groups): `lif_pop` neurons (τ_m 20 ms, t_ref 2 ms, 50 Hz, Δt 0.1 ms), started at spread
//! phases so spiking/refractory lanes occur at their steady-state frequency from the first step.
//!
//! `cargo bench -p spikesim-benches --bench kernels -- --warm-up-time 1 --measurement-time 3`

use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simcore::kernels::lif::{LifConsts, lif_step_scalar, lif_step_simd, lif_step_x8};
use simcore::lanes::Padded;
use simcore::par::Threads;
use simcore::population::Kernel;
use simcore::{LifPopulation, SpikeWindow, Spikes};
use spikesim_benches::{CpuTime, lif_pop};

const SIZES: [usize; 5] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];
const WINDOW: usize = 128;

fn population(n: usize) -> LifPopulation {
    lif_pop::population_spread(n).unwrap()
}

fn lif_step(c: &mut Criterion) {
    step_group(c, "lif_step", &[1, 2]);
}

fn lif_step_cpu(c: &mut Criterion<CpuTime>) {
    step_group(c, "lif_step_cpu", &[1]);
}

fn lif_run_steps(c: &mut Criterion) {
    run_steps_group(c, "lif_run_steps", &[1, 2]);
}

fn lif_run_steps_cpu(c: &mut Criterion<CpuTime>) {
    run_steps_group(c, "lif_run_steps_cpu", &[1]);
}

fn lif_nef_cpu(c: &mut Criterion<CpuTime>) {
    let mut g = c.benchmark_group("lif_nef_cpu");
    let consts = LifConsts::new(1e-3, 0.02, 0.002, 0.0);
    for n in [1_000, 10_000] {
        g.throughput(Throughput::Elements(n as u64));
        let bias: Vec<f32> = (0..n).map(|i| ((i * 7919) % 1000) as f32 * 0.015).collect();
        let bias8 = Padded::from_slice(&bias, 0.0);
        let mut out = Spikes::default();
        // The kernels called directly: the scalar reference, the eight-lane form, and the
        // SIMD entry point (the 16-lane AVX-512 form where the CPU has AVX-512F, else x8).
        for form in ["scalar", "x8", "simd"] {
            let (mut v, mut r) = (vec![0.0f32; n], vec![0.0f32; n]);
            let (mut v8, mut r8) = (Padded::filled(n, 0.0), Padded::filled(n, 0.0));
            let vector_form = if form == "x8" {
                lif_step_x8
            } else {
                lif_step_simd
            };
            let mut step = |out: &mut Spikes| {
                out.clear();
                if form == "scalar" {
                    lif_step_scalar(&consts, &bias, None, &mut v, &mut r, 0, out)
                } else {
                    let (v8, r8) = (v8.lanes_mut(), r8.lanes_mut());
                    vector_form(&consts, bias8.lanes(), None, v8, r8, 0, n, out)
                }
            };
            for _ in 0..100 {
                step(&mut out);
            }
            g.bench_function(BenchmarkId::new(form, n), |b| b.iter(|| step(&mut out)));
        }
    }
    g.finish();
}

fn step_group<M: Measurement>(c: &mut Criterion<M>, name: &str, thread_counts: &[usize]) {
    let mut g = c.benchmark_group(name);
    for &n in &SIZES {
        g.throughput(Throughput::Elements(n as u64));
        let mut out = Spikes::default();
        for (kernel, name) in [(Kernel::Scalar, "scalar"), (Kernel::Simd, "simd")] {
            for &threads in thread_counts {
                if kernel == Kernel::Scalar && threads == 2 {
                    continue;
                }
                let pool = Threads::new(threads).unwrap();
                let mut p = population(n);
                g.bench_function(BenchmarkId::new(format!("{name}/{threads}thr"), n), |b| {
                    b.iter(|| p.step(None, kernel, pool.par(), &mut out))
                });
            }
        }
    }
    g.finish();
}

fn run_steps_group<M: Measurement>(c: &mut Criterion<M>, name: &str, thread_counts: &[usize]) {
    let mut g = c.benchmark_group(name);
    for &n in &SIZES {
        g.throughput(Throughput::Elements((n * WINDOW) as u64));
        let mut out = SpikeWindow::default();
        for &threads in thread_counts {
            let pool = Threads::new(threads).unwrap();
            let mut p = population(n);
            g.bench_function(BenchmarkId::new(format!("simd/{threads}thr"), n), |b| {
                b.iter(|| p.run_steps(WINDOW, Kernel::Simd, pool.par(), &mut out))
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = wall;
    config = Criterion::default().sample_size(10);
    targets = lif_step, lif_run_steps
}
criterion_group! {
    name = cpu;
    config = Criterion::default().sample_size(10).with_measurement(CpuTime);
    targets = lif_step_cpu, lif_run_steps_cpu, lif_nef_cpu
}
criterion_main!(wall, cpu);

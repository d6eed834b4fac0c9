//! LIF kernel throughput (neuron-updates/s = `Throughput::Elements`):
//! - `lif_step/{scalar,simd}/{1,2}thr/N`: one `LifPopulation::step` (the per-step path used when
//!   populations are coupled), N = 1e3 … 1e7;
//! - `lif_run_steps/simd/{1,2}thr/N`: `LifPopulation::run_steps` over a window of 128 steps
//!   (temporal blocking, the path of uncoupled populations), elements = N × 128.
//!
//! Workload: `lif_pop` neurons (τ_m 20 ms, t_ref 2 ms, 50 Hz, Δt 0.1 ms), started at spread
//! phases so spiking/refractory lanes occur at their steady-state frequency from the first step.
//!
//! `cargo bench -p spikesim-benches --bench kernels -- --warm-up-time 1 --measurement-time 3`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simcore::par::Threads;
use simcore::population::Kernel;
use simcore::{LifPopulation, SpikeWindow, Spikes};
use spikesim_benches::lif_pop;

const SIZES: [usize; 5] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];
const WINDOW: usize = 128;

fn population(n: usize) -> LifPopulation {
    lif_pop::population_spread(n).unwrap()
}

fn lif_step(c: &mut Criterion) {
    let mut g = c.benchmark_group("lif_step");
    for &n in &SIZES {
        g.throughput(Throughput::Elements(n as u64));
        let mut out = Spikes::default();
        for (kernel, name) in [(Kernel::Scalar, "scalar"), (Kernel::Simd, "simd")] {
            for threads in [1, 2] {
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

fn lif_run_steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("lif_run_steps");
    for &n in &SIZES {
        g.throughput(Throughput::Elements((n * WINDOW) as u64));
        let mut out = SpikeWindow::default();
        for threads in [1, 2] {
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
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = lif_step, lif_run_steps
}
criterion_main!(benches);

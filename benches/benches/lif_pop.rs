//! The peer workload `lif_pop` (see `spikesim_benches::lif_pop`): N LIF neurons at 50 Hz,
//! Δt 0.1 ms, 1 s of simulated time through `Simulator::run`, 1 and 2 threads. One iteration is
//! the whole 1 s run, comparable with the `sim_s` of `peers/brian2_bench.py lif_pop --n N`.
//! Elements = N × 10 000 steps (neuron-updates).
//!
//! `cargo bench -p spikesim-benches --bench lif_pop -- --warm-up-time 1 --measurement-time 3`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use spikesim_benches::lif_pop;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("lif_pop");
    let steps = (lif_pop::T / lif_pop::DT).round() as u64;
    for n in [10_000usize, 100_000, 1_000_000] {
        g.throughput(Throughput::Elements(n as u64 * steps));
        for threads in [1, 2] {
            g.bench_function(BenchmarkId::new(format!("{threads}thr"), n), |b| {
                b.iter_batched(
                    || lif_pop::simulator(n, threads).unwrap(),
                    |mut sim| {
                        let rate = lif_pop::run(&mut sim).unwrap();
                        assert!((rate - 50.0).abs() < 1e-6, "rate {rate}");
                    },
                    criterion::BatchSize::PerIteration,
                )
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);

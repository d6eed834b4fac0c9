//! Benchmark networks: build time and simulation time per 100 ms of biological time (1000
//! steps of 0.1 ms; multiply by 10 for the real-time factor per simulated second), at 1 and 2
//! threads. Networks as in `simcore::networks` (parameters of `peers/common.py`).
//!
//! `cargo bench -p spikesim-benches --bench network -- --warm-up-time 1 --measurement-time 3`
//!
//! Simulation runs through `Simulator::run` (the window schedule: one parallel region per
//! minimum-delay window). For 1 s of biological time with events/s and an A/B of thread
//! counts under the same load, see `examples/networks.rs`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simcore::Simulator;
use simcore::networks::brunel::{Brunel, Regime};
use simcore::networks::coba::Coba;
use simcore::networks::cuba::Cuba;

type Builder = fn(usize) -> Simulator;

fn networks() -> Vec<(&'static str, Builder)> {
    vec![
        ("cuba", |t| Cuba::default().build(1, t).expect("cuba")),
        ("coba", |t| Coba::default().build(1, t).expect("coba")),
        ("cuba_scaled", |t| {
            Cuba::scaled(40_000).build(1, t).expect("cuba_scaled")
        }),
        ("brunel_ai", |t| {
            Brunel::regime(Regime::AsynchronousIrregular)
                .build(1, t)
                .expect("brunel")
        }),
    ]
}

fn simulate(c: &mut Criterion) {
    let mut g = c.benchmark_group("network/simulate_100ms");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1000));
    for (name, build) in networks() {
        for threads in [1, 2] {
            let mut sim = build(threads);
            // Past the initial transient.
            sim.run(1000, &mut |_, _| {}).expect("run");
            g.bench_with_input(
                BenchmarkId::new(name, format!("{threads}thr")),
                &(),
                |b, _| b.iter(|| sim.run(1000, &mut |_, _| {}).expect("run")),
            );
        }
    }
    g.finish();
}

fn build(c: &mut Criterion) {
    let mut g = c.benchmark_group("network/build");
    g.sample_size(10);
    for (name, build) in networks() {
        for threads in [1, 2] {
            g.bench_with_input(
                BenchmarkId::new(name, format!("{threads}thr")),
                &(),
                |b, _| b.iter(|| build(threads)),
            );
        }
    }
    g.finish();
}

criterion_group!(benches, simulate, build);
criterion_main!(benches);

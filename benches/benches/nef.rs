//! NEF performance targets of issue #7 (workloads in `spikesim_benches::nef`, the same networks
//! `benches/nengo/nef_bench.py` builds in Nengo), measured in on-CPU time of all threads
//! ([`spikesim_benches::CpuTime`]; the machine is shared):
//!
//! - `nef/solve/{cholesky,cg}/1000`: decoders of a 1000-neuron ensemble (2000 eval points);
//! - `nef/chain_build`: build of the 10 × 1000 communication-channel chain (10 ensembles, 10
//!   decoder solves, engine objects);
//! - `nef/chain_run_1s`: 1 s (1000 steps) of that chain, built outside the timing;
//! - `nef/single_build/10000`: build of one 10 000-neuron ensemble with a decoded probe
//!   (20 000 eval points).
//!
//! `cargo bench -p spikesim-benches --bench nef -- --warm-up-time 1 --measurement-time 3`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use models::solver::Method;
use spikesim_benches::CpuTime;
use spikesim_benches::nef::{self, DT};

fn bench(c: &mut Criterion<CpuTime>) {
    let mut g = c.benchmark_group("nef");
    let ens = nef::ensemble(1000, 0);
    for method in [Method::Cholesky, Method::Cg] {
        g.bench_function(
            BenchmarkId::new(format!("solve/{}", method.name()), 1000),
            |b| b.iter(|| nef::solve_identity(&ens, method)),
        );
    }
    let chain = nef::chain(10, 1000);
    g.bench_function("chain_build", |b| b.iter(|| nef::build(&chain, 0).unwrap()));
    g.bench_function("chain_run_1s", |b| {
        b.iter_batched(
            || nef::build(&chain, 0).unwrap().into_run(DT, 1).unwrap(),
            |(mut run, _rec)| run.run(1.0).unwrap(),
            criterion::BatchSize::PerIteration,
        )
    });
    let single = nef::single(10_000);
    g.bench_function(BenchmarkId::new("single_build", 10_000), |b| {
        b.iter(|| nef::build(&single, 0).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime).sample_size(10);
    targets = bench
}
criterion_main!(benches);

//! Hodgkin–Huxley neuron updates/s and PSC filter updates/s: SIMD vs the scalar reference, 1 vs
//! 2 threads. One iteration is one time step of the whole population (throughput = N updates).
//!
//! `cargo bench -p spikesim-benches --bench hh_psc -- --warm-up-time 1 --measurement-time 3`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simcore::kernels::hh::HhMethod;
use simcore::lanes::Padded;
use simcore::neuron::hh::HhParams;
use simcore::par::Threads;
use simcore::population::Kernel;
use simcore::synapse::{Discretisation, PscFilter, PscShape};
use simcore::{HhPopulation, Spikes};

fn hh(c: &mut Criterion) {
    let mut g = c.benchmark_group("hh");
    let two = Threads::new(2).unwrap();
    let one = Threads::new(1).unwrap();
    for n in [1_000usize, 10_000, 100_000] {
        g.throughput(Throughput::Elements(n as u64));
        // NEST hh_psc_alpha parameters, constant 1000 pA (the peers' workload), Δt = 0.01 ms.
        let bias = vec![1000.0f32; n];
        let cases: [(&str, Kernel, &Threads); 3] = [
            ("simd", Kernel::Simd, &one),
            ("scalar", Kernel::Scalar, &one),
            ("simd_2thr", Kernel::Simd, &two),
        ];
        for (label, kernel, t) in cases {
            if n == 100_000 && kernel == Kernel::Scalar {
                continue;
            }
            let mut pop =
                HhPopulation::new("hh", HhParams::nest(), HhMethod::Staggered, 1e-5, &bias)
                    .unwrap();
            let mut out = Spikes::default();
            g.bench_function(BenchmarkId::new(label, n), |b| {
                b.iter(|| pop.step(None, kernel, t.par(), &mut out))
            });
        }
    }
    g.finish();
}

fn psc(c: &mut Criterion) {
    let mut g = c.benchmark_group("psc");
    let two = Threads::new(2).unwrap();
    let one = Threads::new(1).unwrap();
    for n in [10_000usize, 100_000] {
        g.throughput(Throughput::Elements(n as u64));
        let input = Padded::from_slice(
            &(0..n)
                .map(|i| if i % 50 == 0 { 1.0 } else { 0.0 })
                .collect::<Vec<_>>(),
            0.0,
        );
        for (shape_label, shape) in [
            ("exp", PscShape::exponential(0.005)),
            ("alpha", PscShape::alpha(0.005)),
        ] {
            let cases: [(&str, Kernel, &Threads); 3] = [
                ("simd", Kernel::Simd, &one),
                ("scalar", Kernel::Scalar, &one),
                ("simd_2thr", Kernel::Simd, &two),
            ];
            for (label, kernel, t) in cases {
                let mut f = PscFilter::new("f", shape, Discretisation::Impulse, 1e-4, n).unwrap();
                let mut out = Padded::filled(n, 0.0);
                g.bench_function(BenchmarkId::new(format!("{shape_label}_{label}"), n), |b| {
                    b.iter(|| f.step_with(&input, &mut out, kernel, t.par()))
                });
            }
        }
    }
    g.finish();
}

criterion_group!(benches, hh, psc);
criterion_main!(benches);

//! Best-of-K neuron-updates/s of the LIF kernels, for a machine shared with other jobs where
//! criterion's means are noisy: each configuration is timed K times and the fastest run is
//! reported (interference only ever slows a run down). Two figures per run:
//! - `wall`: updates per second of wall-clock time;
//! - `cpu`: updates per second of on-CPU time of all the process's threads (Linux
//!   `/proc/self/task/*/schedstat`, nanoseconds), times the thread count — what the wall figure
//!   would be if every thread ran uncontended and never waited. On a loaded machine `wall`
//!   understates the code's speed; `cpu` overstates multi-thread speed when threads idle at
//!   joins, so for 2 threads it is an upper bound.
//!
//! `cargo run --release -p spikesim-benches --example lif_throughput -- [K] [N,N,...]`

use std::time::Instant;

use simcore::par::Threads;
use simcore::population::Kernel;
use simcore::{SpikeWindow, Spikes};
use spikesim_benches::{cpu_seconds, lif_pop};

/// Best (wall, cpu) updates/s over `k` timed runs of `f`.
fn best(k: usize, updates: f64, threads: usize, mut f: impl FnMut()) -> (f64, f64) {
    f();
    (0..k)
        .map(|_| {
            let (c0, t) = (cpu_seconds(), Instant::now());
            f();
            let wall = t.elapsed().as_secs_f64();
            let cpu = (cpu_seconds() - c0) / threads as f64;
            (updates / wall, updates / cpu)
        })
        .fold((0.0, 0.0), |a, b| (a.0.max(b.0), a.1.max(b.1)))
}

fn main() {
    let k: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(7);
    println!("N\tpath\tthreads\twall/s\tcpu/s (best of {k})");
    let sizes: Vec<usize> = match std::env::args().nth(2) {
        Some(list) => list
            .split(',')
            .filter_map(|x| x.parse::<f64>().ok())
            .map(|x| x as usize)
            .collect(),
        None => vec![1_000, 10_000, 100_000, 1_000_000, 10_000_000],
    };
    for n in sizes {
        // Steps per timed run: about 1e8 updates, whole windows of 128 steps.
        let steps = (100_000_000 / n / 128).max(1) * 128;
        let updates = (n * steps) as f64;
        for threads in [1, 2] {
            let pool = Threads::new(threads).unwrap();
            let mut out = Spikes::default();
            for (kernel, name) in [(Kernel::Scalar, "scalar"), (Kernel::Simd, "simd")] {
                if kernel == Kernel::Scalar && threads == 2 {
                    continue;
                }
                let mut p = lif_pop::population_spread(n).unwrap();
                let (w, c) = best(k, updates, threads, || {
                    for _ in 0..steps {
                        p.step(None, kernel, pool.par(), &mut out);
                    }
                });
                println!("{n}\tstep/{name}\t{threads}\t{w:.3e}\t{c:.3e}");
            }
            let mut p = lif_pop::population_spread(n).unwrap();
            let mut win = SpikeWindow::default();
            let (w, c) = best(k, updates, threads, || {
                for _ in 0..steps / 128 {
                    p.run_steps(128, Kernel::Simd, pool.par(), &mut win);
                }
            });
            println!("{n}\trun_steps/simd\t{threads}\t{w:.3e}\t{c:.3e}");
        }
    }
}

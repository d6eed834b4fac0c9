//! PES overhead: wall time of the `validate learning` PES network (stim → pre → post, error
//! into the rule) with learning against the same network without the rule and its two error
//! connections, for several ensemble sizes; one thread, Δt 1 ms.
//!
//! `cargo run --release -p validation --example pes_overhead -- [SECONDS] [N,N,...]`

use std::time::Instant;

use models::cache::DecoderCache;
use models::network::{BuildOptions, Endpoint};
use validation::learning_pes::{PesInput, network_sized};

fn time(n: usize, learn: bool, seconds: f64) -> f64 {
    let mut net = network_sized(PesInput::WhiteNoise, 1e-4, n);
    if !learn {
        net.connections
            .retain(|c| !matches!(c.post, Endpoint::LearningRule(_)));
        net.connections[1].learning = None;
    }
    let built = net
        .build(&BuildOptions {
            dt: 1e-3,
            seed: 1,
            cache: DecoderCache::disabled(),
        })
        .expect("build");
    let (mut run, _) = built.into_run(1e-3, 1).expect("run");
    let t0 = Instant::now();
    run.run(seconds).expect("run");
    t0.elapsed().as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let sizes: Vec<usize> = args
        .get(2)
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 1000, 4000]);
    println!("N, static s, PES s, ratio (simulated {seconds} s, best of 3)");
    for n in sizes {
        let best = |learn| {
            (0..3)
                .map(|_| time(n, learn, seconds))
                .fold(f64::INFINITY, f64::min)
        };
        let (a, b) = (best(false), best(true));
        println!("{n}, {a:.4}, {b:.4}, {:.2}", b / a);
    }
}

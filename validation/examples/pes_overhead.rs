//! PES overhead: wall time of the `validate learning` PES network (stim → pre → post, error
//! into the rule) with learning against the same network without the rule and its two error
//! connections, for several ensemble sizes; one thread, Δt 1 ms. Learning changes what the
//! network does (`post` starts silent-ish from zero decoders and becomes active as it learns,
//! so more spikes are decoded), so a third run keeps the rule with κ = 0: the same dynamics as
//! the static network plus all of the rule's work — the cost of the rule itself.
//!
//! `cargo run --release -p validation --example pes_overhead -- [SECONDS] [N,N,...]`

use std::time::Instant;

use models::cache::DecoderCache;
use models::network::{BuildOptions, Endpoint};
use validation::learning_pes::{PesInput, network_sized};

/// Which variant of the network to time.
#[derive(Clone, Copy)]
enum Variant {
    /// No rule, no error connections into it.
    Static,
    /// PES with κ = 0: static dynamics, all of the rule's work.
    RuleOnly,
    /// PES with Nengo's default κ.
    Learning,
}

fn time(n: usize, variant: Variant, seconds: f64) -> f64 {
    let rate = match variant {
        Variant::RuleOnly => 0.0,
        _ => 1e-4,
    };
    let mut net = network_sized(PesInput::WhiteNoise, rate, n);
    if let Variant::Static = variant {
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
    println!(
        "N, static s, PES κ=0 s, PES s, rule overhead (κ=0 / static), learning / static \
         (simulated {seconds} s, best of 3)"
    );
    for n in sizes {
        let best = |v| {
            (0..3)
                .map(|_| time(n, v, seconds))
                .fold(f64::INFINITY, f64::min)
        };
        let (a, z, b) = (
            best(Variant::Static),
            best(Variant::RuleOnly),
            best(Variant::Learning),
        );
        println!("{n}, {a:.4}, {z:.4}, {b:.4}, {:.2}, {:.2}", z / a, b / a);
    }
}

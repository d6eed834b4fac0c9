//! NEF workloads of issue #7's performance targets, built the same way as
//! `benches/nengo/nef_bench.py` builds them in Nengo (defaults everywhere: LIF, max rates
//! U(200, 400), intercepts U(−1, 0.9), Nengo's eval-point count, `LstsqL2(reg = 0.1)`,
//! Lowpass(5 ms) connections, Δt 1 ms):
//!
//! - `chain`: `Node(sin 2πt)` → 10 ensembles of 1000 LIF neurons (1-D) in a chain of decoded
//!   identity connections, the last one probed through Lowpass(0.01);
//! - `single`: one 1-D ensemble of N neurons whose decoded value is probed (the build solves
//!   its decoders: N = 10 000 has 20 000 evaluation points);
//! - `solve`: the decoders of one ensemble of N neurons (1-D, identity).

use models::NefError;
use models::cache::DecoderCache;
use models::ensemble::{BuiltEnsemble, EnsembleSpec};
use models::network::{
    BuildOptions, BuiltNetwork, ConnectionSpec, Endpoint, NefNetwork, ProbeSpec, ProbeWhat,
};
use models::node::Signal;
use models::solver::{Decoders, LstsqL2, Method, solve};
use models::synapse::Synapse;

/// Time step, s.
pub const DT: f64 = 1e-3;

/// `Node(sin 2πt)` → `ensembles` × `n` neurons in a chain; the last ensemble probed as `y`.
pub fn chain(ensembles: usize, n: usize) -> NefNetwork {
    let mut net = NefNetwork::default();
    net.nodes.push((
        "input".into(),
        Signal::Sine {
            freq: 1.0,
            amplitude: vec![1.0],
            phase: vec![0.0],
            offset: vec![0.0],
        },
    ));
    let name = |i: usize| format!("ens{i}");
    for i in 0..ensembles {
        net.ensembles.push(EnsembleSpec::new(&name(i), n, 1));
        let pre = if i == 0 {
            Endpoint::Node("input".into())
        } else {
            Endpoint::Ensemble(name(i - 1))
        };
        net.connections
            .push(ConnectionSpec::new(pre, Endpoint::Ensemble(name(i))));
    }
    let mut p = ProbeSpec::new(
        "y",
        Endpoint::Ensemble(name(ensembles - 1)),
        ProbeWhat::Value,
    );
    p.synapse = Synapse::Lowpass(0.01);
    net.probes.push(p);
    net
}

/// One 1-D ensemble of `n` neurons with its decoded value probed as `y`.
pub fn single(n: usize) -> NefNetwork {
    let mut net = NefNetwork::default();
    net.ensembles.push(EnsembleSpec::new("ens", n, 1));
    let mut p = ProbeSpec::new("y", Endpoint::Ensemble("ens".into()), ProbeWhat::Value);
    p.synapse = Synapse::Lowpass(0.01);
    net.probes.push(p);
    net
}

/// Builds `net` with master seed `seed` and no decoder cache (every solve is timed).
pub fn build(net: &NefNetwork, seed: u64) -> Result<BuiltNetwork, NefError> {
    net.build(&BuildOptions {
        dt: DT,
        seed,
        cache: DecoderCache::disabled(),
    })
}

/// A built 1-D ensemble of `n` neurons (Nengo's defaults; eval points included).
pub fn ensemble(n: usize, seed: u64) -> BuiltEnsemble {
    EnsembleSpec::new("ens", n, 1)
        .build(seed)
        .expect("valid ensemble")
}

/// Solves the identity decoders of `ens` with `method`.
pub fn solve_identity(ens: &BuiltEnsemble, method: Method) -> Decoders {
    solve(
        ens,
        &ens.eval_points,
        1,
        &LstsqL2 { reg: 0.1, method },
        "bench",
    )
    .expect("solve")
}

//! The NEF build runs its ensembles and decoder solves as parallel tasks: decoders must not
//! depend on the pool, and build errors must come in declaration order (connections, then
//! probes), as from a sequential build.

use models::NefError;
use models::cache::DecoderCache;
use models::ensemble::EnsembleSpec;
use models::expr::Expr;
use models::function::Function;
use models::network::{
    BuildOptions, BuiltNetwork, ConnectionSpec, Endpoint, NefNetwork, ProbeSpec, ProbeWhat,
};
use models::node::Signal;

/// `Node(sin)` → a → b → c → d (`n` neurons each, 1-D), with a value probe on d.
fn chain(n: usize) -> NefNetwork {
    let mut net = NefNetwork::default();
    net.nodes.push((
        "in".into(),
        Signal::Sine {
            freq: 1.0,
            amplitude: vec![1.0],
            phase: vec![0.0],
            offset: vec![0.0],
        },
    ));
    let mut pre = Endpoint::Node("in".into());
    for name in ["a", "b", "c", "d"] {
        net.ensembles.push(EnsembleSpec::new(name, n, 1));
        let mut c = ConnectionSpec::new(pre, Endpoint::Ensemble(name.into()));
        if name != "a" {
            let square = Expr::parse("x**2", 1, false, "test", "function").unwrap();
            c.function = Function::Exprs(vec![square]);
        }
        net.connections.push(c);
        pre = Endpoint::Ensemble(name.into());
    }
    net.probes = vec![ProbeSpec::new(
        "value",
        Endpoint::Ensemble("d".into()),
        ProbeWhat::Value,
    )];
    net
}

fn build_on(net: &NefNetwork, threads: usize) -> Result<BuiltNetwork, NefError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        net.build(&BuildOptions {
            dt: 1e-3,
            seed: 5,
            cache: DecoderCache::disabled(),
        })
    })
}

/// A table whose sizes do not match: its solve fails.
fn bad_table() -> Function {
    Function::Table {
        points: vec![0.0, 0.5],
        values: vec![1.0],
        dims: 1,
    }
}

#[test]
fn decoders_do_not_depend_on_the_pool() {
    let net = chain(300);
    let one = build_on(&net, 1).unwrap();
    for threads in [2, 3] {
        let many = build_on(&net, threads).unwrap();
        assert_eq!(one.decoders.len(), 4);
        assert_eq!(many.decoders.len(), one.decoders.len());
        for (a, b) in one.decoders.iter().zip(&many.decoders) {
            assert_eq!(a.name, b.name);
            let bits = |d: &[f64]| d.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&a.decoders.values),
                bits(&b.decoders.values),
                "{}",
                a.name
            );
        }
        for (a, b) in one.ensembles.iter().zip(&many.ensembles) {
            assert_eq!(a.gain, b.gain);
            assert_eq!(a.bias, b.bias);
        }
    }
    let names: Vec<&str> = one.decoders.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["a->b", "b->c", "c->d", "value"]);
}

#[test]
fn build_errors_come_in_declaration_order_on_any_pool() {
    let mut net = chain(100);
    net.connections[2].function = bad_table();
    net.probes[0].function = bad_table();
    let first_error = |net: &NefNetwork, threads| build_on(net, threads).err().unwrap().to_string();
    for threads in [1, 2] {
        // Both failing solves run in parallel; the earlier connection's error is reported.
        for _ in 0..10 {
            let e = first_error(&net, threads);
            assert!(e.contains("b->c") && e.contains("table"), "{e}");
        }
    }
    net.connections[1].synapse = models::synapse::Synapse::Lowpass(-1.0);
    for threads in [1, 2] {
        let e = first_error(&net, threads);
        assert!(e.contains("a->b") && !e.contains("table"), "{e}");
    }
    net.connections[1] = ConnectionSpec::new(
        Endpoint::Ensemble("a".into()),
        Endpoint::Ensemble("b".into()),
    );
    net.connections[2].function = Function::Identity;
    for threads in [1, 2] {
        let e = first_error(&net, threads);
        assert!(e.contains("value") && e.contains("table"), "{e}");
    }
}

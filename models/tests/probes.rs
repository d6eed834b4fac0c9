//! NEF probes: neuron subsets of spike, voltage and input probes, and `sample_every` of spike
//! probes (summed spike output per sample window), each checked against the full probe of the
//! same run.

use models::cache::DecoderCache;
use models::ensemble::EnsembleSpec;
use models::network::{BuildOptions, ConnectionSpec, Endpoint, NefNetwork, ProbeSpec, ProbeWhat};
use models::node::Signal;
use models::probe::ProbeData;

const DT: f64 = 1e-3;

/// `Node(sin)` → a 1-D ensemble of 20 neurons, with `probes` on it.
fn network(probes: Vec<ProbeSpec>) -> NefNetwork {
    chain_of(&[("ens", 20)], probes)
}

/// `Node(sin)` → the 1-D `ensembles` (name, neurons) in a chain, with `probes`.
fn chain_of(ensembles: &[(&str, usize)], probes: Vec<ProbeSpec>) -> NefNetwork {
    let mut net = NefNetwork::default();
    net.nodes.push((
        "in".into(),
        Signal::Sine {
            freq: 2.0,
            amplitude: vec![1.0],
            phase: vec![0.0],
            offset: vec![0.0],
        },
    ));
    let mut pre = Endpoint::Node("in".into());
    for &(name, n) in ensembles {
        net.ensembles.push(EnsembleSpec::new(name, n, 1));
        net.connections
            .push(ConnectionSpec::new(pre, Endpoint::Ensemble(name.into())));
        pre = Endpoint::Ensemble(name.into());
    }
    net.probes = probes;
    net
}

fn run(net: &NefNetwork, steps: u64) -> Vec<(String, ProbeData)> {
    run_on(net, steps, 1)
}

fn run_on(net: &NefNetwork, steps: u64, threads: usize) -> Vec<(String, ProbeData)> {
    let built = net
        .build(&BuildOptions {
            dt: DT,
            seed: 3,
            cache: DecoderCache::disabled(),
        })
        .unwrap();
    let (mut run, rec) = built.into_run(DT, threads).unwrap();
    run.run_steps(steps).unwrap();
    rec.probes
        .iter()
        .map(|(n, h)| (n.clone(), h.data()))
        .collect()
}

fn probe(name: &str, what: ProbeWhat, neurons: Option<Vec<u32>>, every: u64) -> ProbeSpec {
    let mut p = ProbeSpec::new(name, Endpoint::Ensemble("ens".into()), what);
    p.neurons = neurons;
    p.sample_every = every;
    p
}

#[test]
fn subsets_record_the_selected_columns_of_the_full_probe() {
    let pick = vec![7, 0, 19];
    let net = network(vec![
        probe("in_all", ProbeWhat::Input, None, 1),
        probe("in_some", ProbeWhat::Input, Some(pick.clone()), 1),
        probe("v_all", ProbeWhat::Variable("v".into()), None, 1),
        probe(
            "v_some",
            ProbeWhat::Variable("v".into()),
            Some(pick.clone()),
            1,
        ),
        probe("s_all", ProbeWhat::Spikes, None, 1),
        probe("s_some", ProbeWhat::Spikes, Some(pick.clone()), 1),
    ]);
    let data = run(&net, 300);
    let get = |n: &str| data.iter().find(|(m, _)| m == n).unwrap().1.clone();
    for (all, some) in [
        ("in_all", "in_some"),
        ("v_all", "v_some"),
        ("s_all", "s_some"),
    ] {
        let (all, some) = (get(all), get(some));
        assert_eq!(all.dims, 20);
        assert_eq!(some.dims, 3);
        assert_eq!(some.times, all.times);
        assert_eq!(some.times.len(), 300);
        for (c, &i) in pick.iter().enumerate() {
            assert_eq!(
                some.column(c),
                all.column(i as usize),
                "{} neuron {i}",
                some.name
            );
        }
        // Not a column of zeros: the comparison above would hold trivially.
        assert!(all.values.iter().any(|&v| v != 0.0), "{}", all.name);
    }
}

#[test]
fn spike_probe_sample_every_sums_the_window_spikes() {
    let net = network(vec![
        probe("every1", ProbeWhat::Spikes, None, 1),
        probe("every7", ProbeWhat::Spikes, Some(vec![2, 5, 11, 13]), 7),
    ]);
    let steps = 700;
    let data = run(&net, steps);
    let (one, seven) = (&data[0].1, &data[1].1);
    assert_eq!(seven.times.len(), 100);
    assert!((seven.times[0] - 7.0 * DT).abs() < 1e-12);
    assert!((seven.times[99] - 0.7).abs() < 1e-12);
    for (c, i) in [2usize, 5, 11, 13].into_iter().enumerate() {
        let full = one.column(i);
        let binned = seven.column(c);
        // Each sample holds Σ 1/Δt over the window's spikes: no spike is lost.
        for (w, b) in binned.iter().enumerate() {
            let want: f64 = full[w * 7..(w + 1) * 7].iter().sum();
            assert!(
                (b - want).abs() < 1e-9,
                "neuron {i} window {w}: {b} vs {want}"
            );
        }
        assert!(full.iter().sum::<f64>() > 0.0, "neuron {i} never spiked");
    }
}

#[test]
fn bad_neuron_selections_are_errors_naming_the_key() {
    for (neurons, what, msg) in [
        (vec![20], ProbeWhat::Input, "not a neuron"),
        (vec![1, 1], ProbeWhat::Spikes, "twice"),
        (
            vec![],
            ProbeWhat::Variable("v".into()),
            "selects no neurons",
        ),
        (vec![0], ProbeWhat::Value, "decoded value"),
    ] {
        let net = network(vec![probe("p", what, Some(neurons), 1)]);
        let e = net
            .build(&BuildOptions {
                dt: DT,
                seed: 0,
                cache: DecoderCache::disabled(),
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("neurons") && e.contains(msg), "{e}");
    }
}

/// A chain `Node → a → b → c → d` of 1500-neuron ensembles (6000 neurons: enough for the
/// per-step schedule to use the pool), probed by value, spikes, voltage and input.
fn chain() -> NefNetwork {
    let on = |name: &str, what| ProbeSpec::new(name, Endpoint::Ensemble("d".into()), what);
    let probes = vec![
        on("value", ProbeWhat::Value),
        on("spikes", ProbeWhat::Spikes),
        on("voltage", ProbeWhat::Variable("v".into())),
        on("input", ProbeWhat::Input),
    ];
    chain_of(
        &[("a", 1500), ("b", 1500), ("c", 1500), ("d", 1500)],
        probes,
    )
}

#[test]
fn one_and_two_threads_record_the_same_bits() {
    let net = chain();
    let one = run_on(&net, 300, 1);
    let two = run_on(&net, 300, 2);
    assert_eq!(one.len(), 4);
    for ((name, a), (_, b)) in one.iter().zip(&two) {
        assert!(!a.values.is_empty(), "{name}");
        let bits = |d: &ProbeData| d.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(a), bits(b), "probe {name}");
    }
    let spikes: f64 = one
        .iter()
        .find(|(n, _)| n == "spikes")
        .unwrap()
        .1
        .values
        .iter()
        .sum();
    assert!(spikes > 0.0, "the chain's last ensemble spikes");
}

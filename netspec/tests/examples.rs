//! Every shipped example spec parses, builds and runs; the `lif_pop` workload fires at the
//! 50 Hz its drive was chosen for.

use std::path::PathBuf;

use netspec::Spec;

fn examples() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

/// Runs the network; returns spike counts per population (recorded neurons only).
fn run(spec: &Spec) -> Vec<usize> {
    let mut net = spec.build().unwrap();
    let mut counts = vec![0; net.populations.len()];
    for _ in 0..net.steps {
        net.simulator.step().unwrap();
        for (p, s) in net.simulator.spikes().iter().enumerate() {
            counts[p] += s
                .ids
                .iter()
                .filter(|&&i| net.populations[p].records(i))
                .count();
        }
    }
    counts
}

#[test]
fn every_example_runs() {
    let all = examples();
    assert!(all.len() >= 2, "{all:?}");
    for path in all {
        // Short runs: the benchmark networks are timed by the benches, not here.
        let spec = Spec::load(&path, &["simulation.duration=0.05".into()])
            .unwrap_or_else(|e| panic!("{e}"));
        let counts = run(&spec);
        assert!(
            counts.iter().sum::<usize>() > 0,
            "{}: no spikes",
            path.display()
        );
    }
}

#[test]
fn lif_pop_fires_at_50_hz() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/lif_pop.toml");
    let spec = Spec::load(&path, &["population.lif_pop.size=2000".into()]).unwrap();
    let net = spec.build().unwrap();
    assert_eq!(net.populations[0].recorded_count(), 1000);
    // From rest, the first spike comes after 18 ms, then one every 20 ms: 50 spikes in 1 s.
    assert_eq!(run(&spec), vec![1000 * 50]);
}

/// Spike counts of every neuron of every population over the spec's run.
fn all_counts(spec: &Spec) -> (Vec<usize>, Vec<usize>) {
    let mut net = spec.build().unwrap();
    let sizes: Vec<usize> = net.populations.iter().map(|p| p.size).collect();
    let mut counts = vec![0; sizes.len()];
    for _ in 0..net.steps {
        net.simulator.step().unwrap();
        for (c, s) in counts.iter_mut().zip(net.simulator.spikes()) {
            *c += s.len();
        }
    }
    (counts, sizes)
}

#[test]
fn cuba_spec_fires_at_the_brian2_rate() {
    // Brian2 2.9 standalone on the same network: 5.66 Hz (docs/benchmarks.md).
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/cuba.toml");
    let spec = Spec::load(&path, &["simulation.duration=0.5".into()]).unwrap();
    let (counts, sizes) = all_counts(&spec);
    let rate = counts.iter().sum::<usize>() as f64 / sizes.iter().sum::<usize>() as f64 / 0.5;
    assert!((rate - 5.66).abs() < 1.0, "{rate} Hz");
}

#[test]
fn brunel_ai_spec_matches_the_builder_statistics() {
    // NEST/Brian2: 37.1–37.9 Hz after the first 100 ms; the first 300 ms (with the onset)
    // average a little lower. The spec and `simcore::networks::brunel` build the same network.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/brunel_ai.toml");
    let spec = Spec::load(&path, &["simulation.duration=0.3".into()]).unwrap();
    let (counts, sizes) = all_counts(&spec);
    let rate = counts.iter().sum::<usize>() as f64 / sizes.iter().sum::<usize>() as f64 / 0.3;
    assert!((25.0..42.0).contains(&rate), "{rate} Hz");
}

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
        let spec = Spec::load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
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

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

/// Mean rate (Hz) over every neuron of a spec's populations for its whole run.
fn mean_rate(spec: &Spec) -> f64 {
    let (counts, sizes) = all_counts(spec);
    let t = spec.simulation.duration.value;
    counts.iter().sum::<usize>() as f64 / sizes.iter().sum::<usize>() as f64 / t
}

#[test]
fn coba_spec_builds_the_builder_network_and_fires_at_its_rate() {
    // `examples/coba.toml` and `simcore::networks::coba::Coba::default()` are the same network:
    // the same synapses (projection names key the random streams), initial voltages drawn from
    // different streams. Both sustain irregular activity at the same mean rate.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/coba.toml");
    let spec = Spec::load(&path, &["simulation.duration=0.3".into()]).unwrap();
    let net = spec.build().unwrap();
    let coba = simcore::networks::coba::Coba::default();
    let mut sim = coba.build(1, 1).unwrap();
    // p·N² = 320 000 synapses, binomial standard deviation ≈ 560.
    assert!(
        net.synapses.abs_diff(320_000) < 2_000,
        "{} synapses",
        net.synapses
    );
    let mut builder_spikes = 0usize;
    for _ in 0..3000 {
        sim.step().unwrap();
        builder_spikes += sim.spikes().iter().map(|s| s.len()).sum::<usize>();
    }
    let builder_rate = builder_spikes as f64 / 4000.0 / 0.3;
    let rate = mean_rate(&spec);
    // Brian2 2.9 and NEST 3.10 on this network (benches/peers/coba.py, docs/benchmarks.md).
    assert!((10.0..40.0).contains(&rate), "{rate} Hz");
    assert!(
        (rate - builder_rate).abs() < 0.15 * builder_rate,
        "spec {rate} Hz vs builder {builder_rate} Hz"
    );
}

#[test]
fn hh_fi_spec_matches_the_f64_reference_neuron_by_neuron() {
    use netspec::param::Param;
    use simcore::neuron::hh::{HhParams, hh_reference};
    // Each neuron's spike count over 0.2 s equals that of the f64 RK4 reference at a 10× smaller
    // step under the same current (within one spike at the window's end).
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/hh_fi.toml");
    let over = [
        "simulation.duration=0.2".into(),
        "population.hh.size=12".into(),
    ];
    let spec = Spec::load(&path, &over).unwrap();
    let mut net = spec.build().unwrap();
    let mut counts = [0usize; 12];
    for _ in 0..net.steps {
        net.simulator.step().unwrap();
        for &i in &net.simulator.spikes()[0].ids {
            counts[i as usize] += 1;
        }
    }
    let currents = Param::Uniform {
        low: 0.0,
        high: 50.0,
    }
    .sample(12, 1, "population.hh.i_e_ua_per_cm2");
    let mut firing = 0;
    for (i, &c) in currents.iter().enumerate() {
        let reference = hh_reference(&HhParams::squid(), c, 0.2, 1e-6, 0)
            .spikes
            .len();
        assert!(
            counts[i].abs_diff(reference) <= 1,
            "neuron {i}, I = {c} µA/cm²: {} spikes vs reference {reference}",
            counts[i]
        );
        firing += usize::from(reference > 2);
    }
    assert!(firing > 0, "{currents:?} {counts:?}");
}

#[test]
fn generators_emit_their_rates_and_times_and_drive_their_targets() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/generators.toml");
    let spec = Spec::load(&path, &[]).unwrap();
    let (counts, _) = all_counts(&spec);
    let [noise, volleys, coba, hh] = counts[..] else {
        panic!("{counts:?}")
    };
    // 200 trains: 5 Hz for 0.1 s, then 20 Hz for 0.2 s: 900 spikes expected, σ = 30.
    assert!(noise.abs_diff(900) < 120, "{noise}");
    // Six given times, none repeated within a step.
    assert_eq!(volleys, 6);
    assert!(coba > 0 && hh > 0, "{counts:?}");
}

//! What a run learned, in the output file: `/weights/<projection>` of plastic projections,
//! `/decoders/<connection>` of PES connections and `/encoders/<connection>` of Voja connections,
//! equal to the simulator's state after the same run in process, identical for 1 and 2
//! threads, and listed by `spikesim inspect`.

mod common;

use std::path::{Path, PathBuf};

use common::{example, run, s, str_attr, tmpdir};
use hdf5::File;
use netspec::Spec;
use netspec::learned::LearnedValues;

/// The spec at `path` with `overrides`, built and run in process: every learned object's
/// values before and after the run.
fn in_process(path: &Path, overrides: &[String]) -> Vec<(String, LearnedValues, LearnedValues)> {
    let spec = Spec::load(path, overrides).unwrap();
    let mut net = spec.build().unwrap();
    let before: Vec<LearnedValues> = net
        .learned
        .iter()
        .map(|p| p.read(net.simulator.components()).unwrap())
        .collect();
    for _ in 0..net.steps {
        net.simulator.step().unwrap();
    }
    net.learned
        .iter()
        .zip(before)
        .map(|(p, b)| {
            (
                p.name.clone(),
                b,
                p.read(net.simulator.components()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn stdp_weights_are_written_and_match_the_simulator() {
    let dir = tmpdir("learned-stdp");
    let spec = example("stdp_song.toml");
    let set = "simulation.duration=2.0";
    let files: Vec<PathBuf> = ["1", "2"]
        .iter()
        .map(|t| {
            let out = dir.join(format!("t{t}.h5"));
            run(&[
                "run",
                s(&spec),
                "-o",
                s(&out),
                "-q",
                "--threads",
                t,
                "--set",
                set,
            ]);
            out
        })
        .collect();
    let (a, b) = (
        std::fs::read(&files[0]).unwrap(),
        std::fs::read(&files[1]).unwrap(),
    );
    assert!(a == b, "files differ between 1 and 2 threads");

    let f = File::open(&files[0]).unwrap();
    let g = f.group("weights/plastic").unwrap();
    assert_eq!(str_attr(&g, "rule"), "stdp");
    assert_eq!(str_attr(&g, "source_population"), "inputs");
    assert_eq!(str_attr(&g, "target_population"), "neuron");
    let w_ds = g.dataset("weight").unwrap();
    assert_eq!(str_attr(&w_ds, "units"), "nS");
    let source: Vec<u64> = g.dataset("source").unwrap().read_raw().unwrap();
    let target: Vec<u64> = g.dataset("target").unwrap().read_raw().unwrap();
    let weight: Vec<f64> = w_ds.read_raw().unwrap();
    assert_eq!(source, (0..1000).collect::<Vec<u64>>());
    assert!(target.iter().all(|&t| t == 0));

    let learned = in_process(&spec, &[set.to_string()]);
    assert_eq!(learned.len(), 1);
    let (name, LearnedValues::Synapses { weight: w0, .. }, after) = &learned[0] else {
        panic!("weights expected")
    };
    assert_eq!(name, "plastic");
    let LearnedValues::Synapses { weight: w1, .. } = after else {
        panic!("weights expected")
    };
    assert_eq!(&weight, w1, "file and simulator disagree");
    // In the spec's unit (nS), within the bounds, and changed by learning.
    assert!(
        weight
            .iter()
            .all(|&w| (0.0..=0.15 * (1.0 + 1e-6)).contains(&w))
    );
    let changed = w0.iter().zip(&weight).filter(|(a, b)| a != b).count();
    assert!(changed > 900, "only {changed} of 1000 weights changed");
    // The weight probe (every second): its last sample is the final weights.
    let probe = f.dataset("probes/weights/data").unwrap();
    assert_eq!(probe.shape(), vec![2, 1000]);
    assert_eq!(str_attr(&probe, "units"), "nS");
    let rows: Vec<f32> = probe.read_raw().unwrap();
    let last: Vec<f32> = weight.iter().map(|&w| w as f32).collect();
    assert_eq!(&rows[1000..], &last[..]);
    assert!(
        rows[..1000] != rows[1000..],
        "the weights move between samples"
    );

    let o = run(&["inspect", s(&files[0]), "--json"]);
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let l = &d["learned"][0];
    assert_eq!(l["name"], "plastic");
    assert_eq!(l["rule"], "stdp");
    assert_eq!(l["shape"], serde_json::json!([1000]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn pes_decoders_and_voja_encoders_are_written() {
    let dir = tmpdir("learned-nef");
    let spec = example("nef_pes_learn.toml");
    let out = dir.join("pes.h5");
    let set = "simulation.duration=1.0";
    run(&["run", s(&spec), "-o", s(&out), "-q", "--set", set]);
    let f = File::open(&out).unwrap();
    let ds = f.dataset("decoders/learn").unwrap();
    assert_eq!(ds.shape(), vec![100, 1]);
    assert_eq!(str_attr(&ds, "rule"), "pes");
    assert_eq!(str_attr(&ds, "pre"), "pre");
    let d: Vec<f64> = ds.read_raw().unwrap();
    let learned = in_process(&spec, &[set.to_string()]);
    let (_, LearnedValues::Matrix { values: d0, .. }, after) = &learned[0] else {
        panic!("decoders expected")
    };
    assert!(d0.iter().all(|&v| v == 0.0), "starts from zero decoders");
    let LearnedValues::Matrix { rows, cols, values } = after else {
        panic!("decoders expected")
    };
    assert_eq!((*rows, *cols), (100, 1));
    assert_eq!(&d, values);
    assert!(d.iter().filter(|&&v| v != 0.0).count() > 50);
    let probe: Vec<f32> = f
        .dataset("probes/decoders/data")
        .unwrap()
        .read_raw()
        .unwrap();
    assert_eq!(
        probe.len(),
        2 * 100,
        "two samples (every 0.5 s) of 100 decoders"
    );
    let last: Vec<f32> = d.iter().map(|&v| v as f32).collect();
    assert_eq!(&probe[100..], &last[..]);

    let voja = dir.join("voja.toml");
    std::fs::write(
        &voja,
        "[simulation]\ndt = 1e-3\nduration = 0.5\n\
         [[node]]\nname = \"s\"\nvalue = [0.8]\n\
         [[ensemble]]\nname = \"a\"\nn_neurons = 20\n\
         [[connection]]\nname = \"in\"\npre = \"s\"\npost = \"a\"\n\
         learning_rule = {kind = \"voja\", learning_rate = 0.05}\n",
    )
    .unwrap();
    let out = dir.join("voja.h5");
    run(&["run", s(&voja), "-o", s(&out), "-q"]);
    let f = File::open(&out).unwrap();
    let ds = f.dataset("encoders/in").unwrap();
    assert_eq!(ds.shape(), vec![20, 1]);
    assert_eq!(str_attr(&ds, "rule"), "voja");
    let e: Vec<f64> = ds.read_raw().unwrap();
    let learned = in_process(&voja, &[]);
    let (_, LearnedValues::Matrix { values: e0, .. }, after) = &learned[0] else {
        panic!("encoders expected")
    };
    let LearnedValues::Matrix { values, .. } = after else {
        panic!("encoders expected")
    };
    assert_eq!(&e, values);
    assert!(e.iter().zip(e0).any(|(a, b)| (a - b).abs() > 1e-3));
    std::fs::remove_dir_all(&dir).unwrap();
}

//! `rule = "explicit"` projections read from HDF5 files (the CLI's reader injected into the
//! spec): synapses load and act, and a malformed file is an input error naming the dataset.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use hdf5::File;

/// Serialises the tests of this file. libhdf5 opens files without `O_CLOEXEC`, so a
/// `spikesim` child spawned by one test inherits the descriptor (and its `flock`) of an HDF5
/// file another test is writing at that moment, and the lock outlives the writer's `close`:
/// the child of the writing test then fails with "unable to lock file".
static HDF5_AND_SPAWN: Mutex<()> = Mutex::new(());

fn tmpdir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("spikesim-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn spikesim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spikesim"))
        .args(args)
        .output()
        .unwrap()
}

/// Three generator neurons spiking at 10 ms, delta synapses onto three LIF neurons (rest 0,
/// threshold 20 mV) from `syn.h5`.
fn write_spec(dir: &Path, h5: &str) -> PathBuf {
    let spec = dir.join("net.toml");
    std::fs::write(
        &spec,
        format!(
            r#"
[simulation]
dt = 1e-4
duration = 0.03

[[population]]
name = "g"
size = 3
model = "spike_generator"
spike_times = [[0.01], [0.01], [0.01]]

[[population]]
name = "a"
size = 3
model = "lif_physical"
e_l_mv = 0.0
v_reset_mv = 10.0
v_th_mv = 20.0

[[projection]]
source = "g"
target = "a"
rule = "explicit"
file = "{h5}"
receptor = "delta"
"#
        ),
    )
    .unwrap();
    spec
}

#[test]
fn explicit_synapses_from_hdf5_load_and_act() {
    let _serial = HDF5_AND_SPAWN.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tmpdir("explicit-h5");
    let f = File::create(dir.join("syn.h5")).unwrap();
    // int64 sources (numpy's default), uint32 targets: any integer type is read.
    f.new_dataset_builder()
        .with_data(&[0i64, 1, 2, 2])
        .create("source")
        .unwrap();
    f.new_dataset_builder()
        .with_data(&[1u32, 2, 0, 1])
        .create("target")
        .unwrap();
    // mV jumps: targets 1 and 2 get 25 mV (≥ threshold) and fire; target 0 gets 5 mV.
    f.new_dataset_builder()
        .with_data(&[25.0f64, 25.0, 5.0, 25.0])
        .create("weight")
        .unwrap();
    f.new_dataset_builder()
        .with_data(&[1e-3f64, 2e-3, 1e-3, 1e-3])
        .create("delay")
        .unwrap();
    drop(f);
    let spec = write_spec(&dir, "syn.h5");
    let o = spikesim(&["check", spec.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("synapses      4"), "{out}");
    let h5 = dir.join("out.h5");
    let o = spikesim(&[
        "run",
        spec.to_str().unwrap(),
        "-o",
        h5.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let f = File::open(&h5).unwrap();
    let mut ids: Vec<u64> = f.dataset("spikes/a/node_ids").unwrap().read_raw().unwrap();
    ids.sort_unstable();
    assert_eq!(ids, vec![1, 2]);
    let t: Vec<f64> = f
        .dataset("spikes/a/timestamps")
        .unwrap()
        .read_raw()
        .unwrap();
    // Spikes of step 99 (ending at 10 ms) arrive 10 or 20 steps later and act at the end of
    // the arrival step: 11 and 12 ms.
    assert!(t.iter().all(|&t| (10.9..12.1).contains(&t)), "{t:?}");
}

#[test]
fn a_malformed_hdf5_synapse_file_is_an_input_error() {
    let _serial = HDF5_AND_SPAWN.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tmpdir("explicit-h5-bad");
    let f = File::create(dir.join("bad.h5")).unwrap();
    f.new_dataset_builder()
        .with_data(&[0i64, 1])
        .create("source")
        .unwrap();
    drop(f);
    let spec = write_spec(&dir, "bad.h5");
    let o = spikesim(&["check", spec.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    let want = format!(
        "error: {}:24:8: `projection.0.file`: `{}` has no dataset `/target` (explicit synapses \
         need `/source` and `/target`, optionally `/weight` and `/delay`)",
        spec.display(),
        dir.join("bad.h5").display()
    );
    assert_eq!(err.trim(), want);
    // Indices that are negative are rejected with their position.
    let f = File::create(dir.join("neg.h5")).unwrap();
    f.new_dataset_builder()
        .with_data(&[0i64, -1])
        .create("source")
        .unwrap();
    f.new_dataset_builder()
        .with_data(&[0i64, 1])
        .create("target")
        .unwrap();
    drop(f);
    let spec = write_spec(&dir, "neg.h5");
    let o = spikesim(&["check", spec.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`/source`[1] = -1 is not a neuron index"),
        "{err}"
    );
}

//! Helpers shared by the CLI's integration tests that run `spikesim` and read its files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hdf5::types::VarLenUnicode;

/// The `spikesim` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_spikesim"))
}

/// A shipped example spec.
pub fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

/// A fresh directory for one test.
pub fn tmpdir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("spikesim-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `spikesim args…` and asserts that it succeeded.
pub fn run(args: &[&str]) -> Output {
    let o = bin().args(args).output().unwrap();
    assert!(
        o.status.success(),
        "spikesim {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// A path as the `&str` a command line takes.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A string attribute of an HDF5 object.
pub fn str_attr(loc: &hdf5::Location, name: &str) -> String {
    loc.attr(name)
        .unwrap()
        .read_scalar::<VarLenUnicode>()
        .unwrap()
        .to_string()
}

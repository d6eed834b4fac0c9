//! `/provenance`: what produced the file, with what, and whether the run completed. Nothing here
//! depends on the wall clock or the thread count actually used, so the same spec and seed give
//! the same bytes.

use anyhow::Result;
use hdf5::Group;
use netspec::{Network, Spec};
use sha2::{Digest, Sha256};

use super::h5::{attr, attr_array, attr_str, attr_strs, dataset_str, group};

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Every step ran.
    Complete,
    /// Stopped by Ctrl-C / SIGINT.
    Interrupted,
    /// Stopped by a runtime fault (non-finite state…), described.
    Fault(String),
}

impl Status {
    /// Short name stored in the file.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Interrupted => "interrupted",
            Status::Fault(_) => "fault",
        }
    }

    /// Why the run stopped early (empty when complete).
    pub fn reason(&self) -> String {
        match self {
            Status::Complete => String::new(),
            Status::Interrupted => "interrupted by the user (SIGINT / Ctrl-C)".into(),
            Status::Fault(msg) => msg.clone(),
        }
    }
}

/// What the provenance records about one run.
#[derive(Debug)]
pub struct RunInfo<'a> {
    /// The spec.
    pub spec: &'a Spec,
    /// The built network.
    pub network: &'a Network,
    /// Steps simulated.
    pub steps_done: u64,
    /// How it ended.
    pub status: Status,
    /// Spike ordering written (`by_time`, `by_id`).
    pub sorting: &'static str,
}

/// SHA-256 of `text`, hex.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The HDF5 library version, `major.minor.release`.
pub fn hdf5_version() -> String {
    let (a, b, c) = hdf5::library_version();
    format!("{a}.{b}.{c}")
}

/// Writes group `name` (`provenance`) under `parent`.
pub fn write(parent: &Group, name: &str, run: &RunInfo<'_>) -> Result<Group> {
    let g = group(parent, name)?;
    let spec = run.spec;
    let dt = spec.simulation.dt.value;
    attr_str(&g, "simulator", "spikesim")?;
    attr_str(&g, "simulator_version", env!("CARGO_PKG_VERSION"))?;
    attr_str(&g, "simd", &simcore::cpu::simd_description())?;
    attr_str(&g, "spec_file", &spec.file)?;
    attr_str(&g, "spec_sha256", &sha256_hex(&spec.text))?;
    dataset_str(&g, "spec_toml", &spec.text)?;
    attr_strs(&g, "overrides", &spec.overrides)?;
    attr(&g, "seed", &spec.simulation.seed.value)?;
    attr_str(&g, "rng", simcore::rng::RNG_NAME)?;
    attr_str(&g, "time_units", "ms")?;
    attr(&g, "dt", &(dt * 1e3))?;
    attr(&g, "t_start", &0.0f64)?;
    attr(&g, "t_stop", &(run.steps_done as f64 * dt * 1e3))?;
    attr(&g, "steps_planned", &spec.simulation.steps)?;
    attr(&g, "steps_done", &run.steps_done)?;
    // The spec's `simulation.threads` (0: one per core). `--threads` is a runtime setting that
    // does not change results, so it is not recorded (files stay byte-identical across it).
    attr(&g, "threads", &spec.simulation.threads.value)?;
    attr_str(&g, "hdf5_version", &hdf5_version())?;
    attr_str(&g, "sorting", run.sorting)?;
    attr_str(&g, "status", run.status.name())?;
    attr_str(&g, "stop_reason", &run.status.reason())?;
    let pops = &run.network.populations;
    attr_strs(
        &g,
        "population_names",
        &pops.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
    )?;
    attr_array(
        &g,
        "population_sizes",
        &pops.iter().map(|p| p.size as u64).collect::<Vec<_>>(),
    )?;
    attr_strs(
        &g,
        "neuron_models",
        &pops.iter().map(|p| p.model.to_string()).collect::<Vec<_>>(),
    )?;
    attr_strs(
        &g,
        "model_parameters",
        &pops.iter().map(|p| p.summary.clone()).collect::<Vec<_>>(),
    )?;
    attr_array(
        &g,
        "recorded_neurons",
        &pops
            .iter()
            .map(|p| p.recorded_count() as u64)
            .collect::<Vec<_>>(),
    )?;
    Ok(g)
}

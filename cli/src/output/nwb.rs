//! NWB 2 output (`spikesim run --format nwb`): spikes as the `/units` table that pynwb and Neo
//! read, probes as `TimeSeries` in `/acquisition`, the spec in `/general/source_script`.
//!
//! Layout (NWB 2.7.0 core schema, hdmf-common for the table columns; FORMATS.md lists the traps):
//! ```text
//! /                                attrs namespace="core", neurodata_type="NWBFile",
//!                                  nwb_version="2.7.0", object_id
//! /identifier, /session_description, /session_start_time, /timestamps_reference_time
//! /file_create_date                string[1]
//! /acquisition/<probe>             TimeSeries: data [samples, neurons], timestamps (s)
//! /analysis, /processing, /stimulus/{presentation,templates}   (empty; pynwb needs them)
//! /general/source_script           the spec text (attr file_name)
//! /general/spikesim                the provenance group (as in SONATA files)
//! /units                           Units: one row per neuron of every population, silent
//!                                  ones included, in spec order
//!   spike_times        float64 [spikes] s, ascending within a unit, attr resolution = dt
//!   spike_times_index  uint64 [units] cumulative end offsets, attr target → spike_times
//!   obs_intervals      float64 [units, 2] = [0, t_stop]
//!   obs_intervals_index uint64 [units], attr target → obs_intervals (Neo needs both)
//!   id                 int64 [units] (0..)
//!   population         string [units];  node_id  uint64 [units] (index within population)
//! ```
//! No wall-clock time is written: dates are the Unix epoch and object ids are UUIDs derived
//! from the spec's hash, the seed and the object's path, so the same spec and seed give the
//! same bytes.

use anyhow::{Context, Result};
use hdf5::types::VarLenUnicode;
use hdf5::{Dataset, File, Group, Location, ObjectReference1};
use sha2::{Digest, Sha256};

use super::h5::{Appender, attr, attr_str, attr_strs, dataset_str, group, vstr};
use super::provenance::{self, RunInfo};
use super::sorted;

/// NWB schema version written.
pub const NWB_VERSION: &str = "2.7.0";

/// Fixed session dates (no wall clock in the output).
const EPOCH: &str = "1970-01-01T00:00:00+00:00";

/// The group holding the probes' `TimeSeries`.
pub const PROBE_PARENT: &str = "acquisition";

/// Deterministic object ids: UUID-4-shaped strings hashed from the run and the object's path.
#[derive(Clone, Debug)]
pub struct Ids {
    key: String,
}

impl Ids {
    /// Ids for the run described by `run`.
    pub fn new(run: &RunInfo<'_>) -> Self {
        Self {
            key: format!(
                "{}:{}",
                provenance::sha256_hex(&run.spec.text),
                run.spec.simulation.seed.value
            ),
        }
    }

    /// The object id of `path`.
    pub fn of(&self, path: &str) -> String {
        let h = Sha256::digest(format!("{}:{path}", self.key).as_bytes());
        let mut b = [0u8; 16];
        b.copy_from_slice(&h[..16]);
        b[6] = (b[6] & 0x0f) | 0x40; // version 4
        b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    /// Tags `loc` (at `path`) as an NWB/hdmf object of `kind` in `namespace`.
    fn tag(&self, loc: &Location, path: &str, namespace: &str, kind: &str) -> Result<()> {
        attr_str(loc, "namespace", namespace)?;
        attr_str(loc, "neurodata_type", kind)?;
        attr_str(loc, "object_id", &self.of(path))
    }
}

/// Tags the probe group `/acquisition/<name>` (datasets `data`, with its `units` attribute
/// already written, and `timestamps`) as a `TimeSeries`.
pub fn tag_time_series(file: &File, name: &str, description: &str, ids: &Ids) -> Result<()> {
    let path = format!("/{PROBE_PARENT}/{name}");
    let g = file.group(&path)?;
    let (data, timestamps) = (g.dataset("data")?, g.dataset("timestamps")?);
    ids.tag(&g, &path, "core", "TimeSeries")?;
    attr_str(&g, "description", description)?;
    attr_str(&g, "comments", "recorded by spikesim")?;
    let unit = data
        .attr("units")
        .and_then(|a| a.read_scalar::<VarLenUnicode>())
        .map(|u| super::h5::text(u.as_bytes()))
        .unwrap_or_default();
    attr_str(&data, "unit", &unit)?;
    attr(&data, "conversion", &1.0f32)?;
    attr(&data, "resolution", &-1.0f32)?;
    attr(&data, "offset", &0.0f32)?;
    attr(&timestamps, "interval", &1i32)?;
    attr_str(&timestamps, "unit", "seconds")
}

/// One population's spikes as streamed (time order) in the scratch file.
#[derive(Debug)]
pub struct StreamedSpikes<'a> {
    /// Population name.
    pub name: &'a str,
    /// Spike times, ms.
    pub times: &'a Dataset,
    /// Node ids.
    pub ids: &'a Dataset,
    /// Spikes per neuron (its length is the population size).
    pub counts: &'a [u32],
}

/// Writes everything but the probes' data: the root fields, `/general`, the `/units` table from
/// the streamed spikes, and the provenance.
pub fn write(
    file: &File,
    run: &RunInfo<'_>,
    ids: &Ids,
    spikes: &[StreamedSpikes<'_>],
) -> Result<()> {
    let spec = run.spec;
    let dt = spec.simulation.dt.value;
    let t_stop = run.steps_done as f64 * dt;
    ids.tag(file, "/", "core", "NWBFile")?;
    attr_str(file, "nwb_version", NWB_VERSION)?;
    dataset_str(
        file,
        "identifier",
        &format!("spikesim-{}", ids.of("identifier")),
    )?;
    dataset_str(
        file,
        "session_description",
        &format!("spikesim run of {}", spec.file),
    )?;
    dataset_str(file, "session_start_time", EPOCH)?;
    dataset_str(file, "timestamps_reference_time", EPOCH)?;
    file.new_dataset::<VarLenUnicode>()
        .shape(1)
        .create("file_create_date")?
        .write_raw(&[vstr(EPOCH)])?;
    for name in ["analysis", "processing"] {
        group(file, name)?;
    }
    if !file.link_exists(PROBE_PARENT) {
        group(file, PROBE_PARENT)?;
    }
    let stimulus = group(file, "stimulus")?;
    group(&stimulus, "presentation")?;
    group(&stimulus, "templates")?;
    let general = group(file, "general")?;
    let script = dataset_str(&general, "source_script", &spec.text)?;
    attr_str(&script, "file_name", &spec.file)?;
    provenance::write(&general, "spikesim", run)?;
    units(file, ids, dt, t_stop, spikes)
}

/// A `VectorData` column tagged and described.
fn column(units: &Group, name: &str, description: &str, ids: &Ids) -> Result<Dataset> {
    let ds = units
        .dataset(name)
        .with_context(|| format!("no /units/{name}"))?;
    ids.tag(&ds, &format!("/units/{name}"), "hdmf-common", "VectorData")?;
    attr_str(&ds, "description", description)?;
    Ok(ds)
}

/// A `VectorIndex` over `target`.
fn index(units: &Group, name: &str, target: &str, ends: &[u64], ids: &Ids) -> Result<()> {
    let ds = units.new_dataset::<u64>().shape(ends.len()).create(name)?;
    ds.write_raw(ends)?;
    ids.tag(&ds, &format!("/units/{name}"), "hdmf-common", "VectorIndex")?;
    attr_str(
        &ds,
        "description",
        &format!("Index for VectorData '{target}'"),
    )?;
    let r: ObjectReference1 = units.reference(target)?;
    attr(&ds, "target", &r)
}

fn units(
    file: &File,
    ids: &Ids,
    dt: f64,
    t_stop: f64,
    spikes: &[StreamedSpikes<'_>],
) -> Result<()> {
    let g = group(file, "units")?;
    ids.tag(&g, "/units", "core", "Units")?;
    attr_str(
        &g,
        "description",
        "spikes of every neuron, one unit per neuron",
    )?;
    attr_strs(
        &g,
        "colnames",
        &["spike_times", "obs_intervals", "population", "node_id"].map(String::from),
    )?;

    // spike_times, streamed population by population in id order.
    let mut times = Appender::<f64>::create(&g, "spike_times")?;
    let mut ends = Vec::new();
    let mut total = 0u64;
    for s in spikes {
        sorted::by_id(s.times, s.ids, s.counts, sorted::PASS_BUDGET, |t, _| {
            for &ms in t {
                times.push(ms / 1e3)?;
            }
            Ok(())
        })?;
        for &c in s.counts {
            total += c as u64;
            ends.push(total);
        }
    }
    times.flush()?;
    let st = column(&g, "spike_times", "spike times of each unit (s)", ids)?;
    attr(&st, "resolution", &dt)?;
    index(&g, "spike_times_index", "spike_times", &ends, ids)?;

    let n = ends.len();
    let intervals: Vec<f64> = (0..n).flat_map(|_| [0.0, t_stop]).collect();
    g.new_dataset::<f64>()
        .shape((n, 2))
        .create("obs_intervals")?
        .write_raw(&intervals)?;
    column(
        &g,
        "obs_intervals",
        "observation interval of each unit (s)",
        ids,
    )?;
    let one_each: Vec<u64> = (1..=n as u64).collect();
    index(&g, "obs_intervals_index", "obs_intervals", &one_each, ids)?;

    let id: Vec<i64> = (0..n as i64).collect();
    let ds = g.new_dataset::<i64>().shape(n).create("id")?;
    ds.write_raw(&id)?;
    ids.tag(&ds, "/units/id", "hdmf-common", "ElementIdentifiers")?;

    let pops: Vec<VarLenUnicode> = spikes
        .iter()
        .flat_map(|s| std::iter::repeat_n(vstr(s.name), s.counts.len()))
        .collect();
    g.new_dataset::<VarLenUnicode>()
        .shape(n)
        .create("population")?
        .write_raw(&pops)?;
    column(&g, "population", "population of each unit (spec name)", ids)?;
    let node: Vec<u64> = spikes
        .iter()
        .flat_map(|s| 0..s.counts.len() as u64)
        .collect();
    g.new_dataset::<u64>()
        .shape(n)
        .create("node_id")?
        .write_raw(&node)?;
    column(
        &g,
        "node_id",
        "index of the neuron within its population",
        ids,
    )?;
    Ok(())
}

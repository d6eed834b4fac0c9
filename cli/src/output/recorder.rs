//! The streaming recorder: spikes and probe samples appended in chunks while the run goes.
//!
//! SONATA layout (see FORMATS.md):
//! ```text
//! /                          attrs magic = 0x0A7A (uint32), version = [0, 1] (uint32)
//! /spikes/<pop>              attrs sorting (enum int8 none/by_id/by_time), n_nodes (uint64)
//! /spikes/<pop>/timestamps   float64 [N], attr units = "ms"
//! /spikes/<pop>/node_ids     uint64 [N]
//! /probes/<name>/data        float32 [samples, neurons], attr units
//! /probes/<name>/time        float64 [samples], attr units = "ms"
//! /probes/<name>/node_ids    uint64 [neurons]
//! /weights, /decoders, /encoders   what plastic projections and learning connections
//!                            learned (see `learned`)
//! /provenance                (see `provenance`)
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use hdf5::{File, Group, H5Type};
use netspec::{Network, PopulationInfo, ProbeKind, ProbePlan};
use simcore::{Simulator, Spikes};

use super::h5::{Appender, RowAppender, attr, attr_array, attr_str, group};
use super::provenance::{self, RunInfo};
use super::{learned, nwb, sorted};

/// SONATA's `sorting` attribute: an HDF5 enum (a string breaks libsonata).
#[derive(H5Type, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i8)]
pub enum Sorting {
    /// Unsorted (never written by spikesim; part of the enum type readers expect).
    #[expect(
        dead_code,
        reason = "a member of the SONATA enum type written to the file"
    )]
    #[hdf5(rename = "none")]
    None = 0,
    /// By node id, times ascending within a node.
    #[hdf5(rename = "by_id")]
    ById = 1,
    /// By time (within a step, ascending node id).
    #[hdf5(rename = "by_time")]
    ByTime = 2,
}

impl Sorting {
    /// Name as in the file.
    pub fn name(self) -> &'static str {
        match self {
            Sorting::None => "none",
            Sorting::ById => "by_id",
            Sorting::ByTime => "by_time",
        }
    }
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// SONATA spike file.
    Sonata,
    /// NWB 2 file: spikes in the `/units` table, probes as `TimeSeries` (see [`super::nwb`]).
    Nwb,
}

impl Format {
    /// Name as the CLI and summaries spell it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Sonata => "SONATA",
            Format::Nwb => "NWB 2",
        }
    }

    /// Group holding one subgroup per probe.
    fn probe_parent(self) -> &'static str {
        match self {
            Format::Sonata => "probes",
            Format::Nwb => nwb::PROBE_PARENT,
        }
    }

    /// Name of a probe's sample-time dataset and the factor from seconds to its unit.
    fn probe_time(self) -> (&'static str, f64, &'static str) {
        match self {
            Format::Sonata => ("time", 1e3, "ms"),
            Format::Nwb => ("timestamps", 1.0, "seconds"),
        }
    }
}

/// Spikes of one population streamed in time order.
#[derive(Debug)]
struct SpikeSink {
    times: Appender<f64>,
    ids: Appender<u64>,
    /// Spikes per neuron (for rates, and for the by-id passes).
    counts: Vec<u32>,
    /// No neuron's spikes are recorded (spike probes with `neurons = []`).
    none: bool,
    group: Group,
}

/// Samples of one probe.
#[derive(Debug)]
struct ProbeSink {
    plan: usize,
    data: RowAppender,
    time: Appender<f64>,
}

/// Where the file goes: the temporary path written during the run, the target, and the name a
/// run that stopped early is kept under.
#[derive(Clone, Debug)]
pub struct OutPaths {
    /// Temporary file in the target's directory.
    pub tmp: PathBuf,
    /// Final path.
    pub target: PathBuf,
    /// `OUT.partial.h5`.
    pub partial: PathBuf,
    /// Scratch file for re-sorting spikes (by_id, NWB).
    pub scratch: PathBuf,
}

impl OutPaths {
    /// The paths for target `out`.
    pub fn new(out: &Path) -> Self {
        let dir = out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = out
            .file_name()
            .map_or("out.h5".into(), |n| n.to_string_lossy().into_owned());
        // `OUT.partial.h5` (`OUT.partial.nwb` for NWB files).
        let (stem, ext) = match name.rsplit_once('.') {
            Some((stem, ext @ ("h5" | "nwb" | "hdf5"))) => (stem.to_string(), ext),
            _ => (name.clone(), "h5"),
        };
        let pid = std::process::id();
        Self {
            tmp: dir.join(format!(".{name}.tmp-{pid}")),
            target: out.to_path_buf(),
            partial: dir.join(format!("{stem}.partial.{ext}")),
            scratch: dir.join(format!(".{name}.scratch-{pid}")),
        }
    }
}

/// Records a run into an HDF5 file.
#[derive(Debug)]
pub struct Recorder {
    paths: OutPaths,
    format: Format,
    sorting: Sorting,
    dt: f64,
    file: Option<File>,
    scratch: Option<File>,
    spikes: Vec<SpikeSink>,
    probes: Vec<ProbeSink>,
}

impl Recorder {
    /// Creates the temporary output file for `net`.
    pub fn create(out: &Path, net: &Network, format: Format, sorting: Sorting) -> Result<Self> {
        let paths = OutPaths::new(out);
        let file = File::create(&paths.tmp)
            .with_context(|| format!("cannot create {}", paths.tmp.display()))?;
        // Spikes stream straight into the output when they are written in time order;
        // otherwise into a scratch file re-read in id order at the end.
        let streamed = format == Format::Sonata && sorting == Sorting::ByTime;
        let scratch = if streamed {
            None
        } else {
            Some(
                File::create(&paths.scratch)
                    .with_context(|| format!("cannot create {}", paths.scratch.display()))?,
            )
        };
        let mut rec = Self {
            paths,
            format,
            sorting,
            dt: net.simulator.dt(),
            file: Some(file),
            scratch,
            spikes: Vec::new(),
            probes: Vec::new(),
        };
        rec.layout(net)?;
        Ok(rec)
    }

    fn file(&self) -> &File {
        self.file.as_ref().expect("file open until finish")
    }

    /// Creates groups and streaming datasets.
    fn layout(&mut self, net: &Network) -> Result<()> {
        let file = self.file().clone();
        if self.format == Format::Sonata {
            attr(&file, "magic", &0x0A7Au32)?;
            attr_array(&file, "version", &[0u32, 1])?;
        }
        let spikes_root = match &self.scratch {
            Some(s) => group(s, "spikes")?,
            None => group(&file, "spikes")?,
        };
        for p in &net.populations {
            let g = group(&spikes_root, &p.name)?;
            let times = Appender::<f64>::create(&g, "timestamps")?;
            let ids = Appender::<u64>::create(&g, "node_ids")?;
            self.spikes.push(SpikeSink {
                times,
                ids,
                counts: vec![0; p.size],
                none: p.recorded_count() == 0,
                group: g,
            });
        }
        let sampled = |p: &&netspec::ProbePlan| !matches!(p.kind, ProbeKind::Spikes);
        if net.probes.iter().any(|p| sampled(&p)) {
            let probes = group(&file, self.format.probe_parent())?;
            let (time_name, _, time_unit) = self.format.probe_time();
            for (i, p) in net.probes.iter().enumerate() {
                if !sampled(&p) {
                    continue;
                }
                let g = group(&probes, &p.name)?;
                attr_str(&g, "target", &p.target)?;
                attr_str(&g, "variable", &p.variable)?;
                attr(&g, "sample_every", &(p.every as f64 * self.dt * 1e3))?;
                if p.records_neurons() {
                    let ids: Vec<u64> = p.neurons.iter().map(|&i| i as u64).collect();
                    g.new_dataset::<u64>()
                        .shape(ids.len())
                        .create("node_ids")?
                        .write_raw(&ids)?;
                } else {
                    attr(&g, "dimensions", &(p.neurons.len() as u64))?;
                }
                let data = RowAppender::create(
                    &g,
                    "data",
                    p.neurons.len(),
                    netspec::spec::PROBE_BUFFER_BYTES as usize,
                )?;
                attr_str(data.dataset(), "units", p.unit)?;
                let time = Appender::<f64>::create(&g, time_name)?;
                attr_str(time.dataset(), "units", time_unit)?;
                self.probes.push(ProbeSink {
                    plan: i,
                    data,
                    time,
                });
            }
        }
        Ok(())
    }

    /// Records the spikes of step `step` (`spikes`: every population's, in simulator order).
    pub fn record_spikes(
        &mut self,
        step: u64,
        spikes: &[Spikes],
        populations: &[PopulationInfo],
    ) -> Result<()> {
        let t0 = step as f64 * self.dt;
        let ms = |off: f32| (t0 + f64::from(off)) * 1e3;
        for ((sink, s), info) in self.spikes.iter_mut().zip(spikes).zip(populations) {
            if sink.none {
                continue;
            }
            match &info.recorded {
                // Every neuron recorded: whole runs of values, no test per spike.
                None => {
                    sink.times
                        .extend_iter(s.offsets.iter().map(|&off| ms(off)))?;
                    sink.ids
                        .extend_iter(s.ids.iter().map(|&id| u64::from(id)))?;
                    for &id in &s.ids {
                        sink.counts[id as usize] += 1;
                    }
                }
                Some(mask) => {
                    let kept = || {
                        s.ids
                            .iter()
                            .zip(&s.offsets)
                            .filter(|&(&id, _)| mask[id as usize])
                    };
                    sink.times.extend_iter(kept().map(|(_, &off)| ms(off)))?;
                    sink.ids.extend_iter(kept().map(|(&id, _)| u64::from(id)))?;
                    for (&id, _) in kept() {
                        sink.counts[id as usize] += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Samples the probes due after `sim.steps_done()` steps.
    pub fn record_probes(&mut self, sim: &Simulator, probes: &[ProbePlan]) -> Result<()> {
        let done = sim.steps_done();
        for p in &mut self.probes {
            let plan = &probes[p.plan];
            if plan.due(done) {
                p.data.row(|buf| plan.sample(sim, buf))?;
                p.time
                    .push(done as f64 * self.dt * self.format.probe_time().1)?;
            }
        }
        Ok(())
    }

    /// Spikes recorded per population so far.
    pub fn spike_counts(&self) -> Vec<u64> {
        self.spikes.iter().map(|s| s.times.len() as u64).collect()
    }

    /// Flushes everything, writes the provenance, and moves the file to its final name (the
    /// target when the run completed, `OUT.partial.h5` otherwise). Returns that path.
    pub fn finish(mut self, run: &RunInfo<'_>) -> Result<PathBuf> {
        for s in &mut self.spikes {
            s.times.flush()?;
            s.ids.flush()?;
        }
        for p in &mut self.probes {
            p.data.flush()?;
            p.time.flush()?;
        }
        let file = self.file().clone();
        match self.format {
            Format::Sonata => {
                self.finish_sonata(&file, run)?;
                learned::write(&file, run.network)?;
                provenance::write(&file, "provenance", run)?;
            }
            Format::Nwb => {
                let ids = nwb::Ids::new(run);
                let streamed: Vec<nwb::StreamedSpikes<'_>> = self
                    .spikes
                    .iter()
                    .zip(&run.network.populations)
                    .map(|(s, info)| nwb::StreamedSpikes {
                        name: &info.name,
                        times: s.times.dataset(),
                        ids: s.ids.dataset(),
                        counts: &s.counts,
                    })
                    .collect();
                nwb::write(&file, run, &ids, &streamed)?;
                for p in &self.probes {
                    let plan = &run.network.probes[p.plan];
                    let what = format!("{} of population {}", plan.variable, plan.target);
                    nwb::tag_time_series(&file, &plan.name, &what, &ids)?;
                }
            }
        }
        drop(file);
        self.spikes.clear();
        self.probes.clear();
        if let Some(f) = self.file.take() {
            f.close()?;
        }
        if let Some(s) = self.scratch.take() {
            drop(s);
            let _ = std::fs::remove_file(&self.paths.scratch);
        }
        let dest = if run.status == super::Status::Complete {
            &self.paths.target
        } else {
            &self.paths.partial
        };
        std::fs::rename(&self.paths.tmp, dest)
            .with_context(|| format!("cannot rename the output to {}", dest.display()))?;
        Ok(dest.clone())
    }

    fn finish_sonata(&mut self, file: &File, run: &RunInfo<'_>) -> Result<()> {
        let root = if self.scratch.is_some() {
            Some(group(file, "spikes")?)
        } else {
            None
        };
        for (sink, info) in self.spikes.iter().zip(&run.network.populations) {
            let g = match &root {
                None => sink.group.clone(),
                Some(r) => {
                    let g = group(r, &info.name)?;
                    let mut times = Appender::<f64>::create(&g, "timestamps")?;
                    let mut ids = Appender::<u64>::create(&g, "node_ids")?;
                    sorted::by_id(
                        sink.times.dataset(),
                        sink.ids.dataset(),
                        &sink.counts,
                        sorted::PASS_BUDGET,
                        |t, i| {
                            times.extend(t)?;
                            ids.extend(i)
                        },
                    )?;
                    times.flush()?;
                    ids.flush()?;
                    g
                }
            };
            g.new_attr::<Sorting>()
                .create("sorting")?
                .write_scalar(&self.sorting)?;
            attr(&g, "n_nodes", &(info.size as u64))?;
            let ts = g.dataset("timestamps")?;
            attr_str(&ts, "units", "ms")?;
        }
        Ok(())
    }
}

impl Drop for Recorder {
    /// A recorder dropped before `finish` (an I/O error) leaves no temporary files behind.
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.paths.tmp);
        }
        if self.scratch.take().is_some() {
            let _ = std::fs::remove_file(&self.paths.scratch);
        }
    }
}

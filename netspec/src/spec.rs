//! The validated spec: parse (with overrides) → validate → [`Spec`] → build → [`Network`].

use std::path::Path;

use crate::build::{Builder, Network};
use crate::error::{ErrorKind, Origin, SpecError};
use crate::reader::TableReader;
use crate::sections::Names;
use crate::sections::current::CurrentInput;
use crate::sections::input::Input;
use crate::sections::nef::connection::Connection;
use crate::sections::nef::ensemble::Ensemble;
use crate::sections::nef::node::Node as NefNode;
use crate::sections::population::Population;
use crate::sections::probe::Probe;
use crate::sections::projection::{Projection, SYNAPSE_BUILD_BYTES, SynapseFileReader};
use crate::sections::simulation::Simulation;
use crate::tree::{Node, Sources, parse_with_overrides, read_file};

/// A parsed and validated spec.
#[derive(Debug)]
pub struct Spec {
    /// The spec file's path as given.
    pub file: String,
    /// The spec text as read.
    pub text: String,
    /// The `--set KEY=VALUE` overrides applied, in order.
    pub overrides: Vec<String>,
    /// `[simulation]`.
    pub simulation: Simulation,
    /// `[[population]]`, in spec order.
    pub populations: Vec<Population>,
    /// `[[probe]]`, in spec order.
    pub probes: Vec<Probe>,
    /// `[[projection]]`, in spec order.
    pub projections: Vec<Projection>,
    /// `[[input]]`, in spec order.
    pub inputs: Vec<Input>,
    /// `[[input]]` entries of `kind = "current"`, in spec order.
    pub currents: Vec<CurrentInput>,
    /// Reader of HDF5 explicit-synapse files (`None`: only CSV files can be read); set by
    /// programs that link libhdf5 (the CLI).
    pub synapse_reader: Option<SynapseFileReader>,
    /// `[[ensemble]]`, in spec order.
    pub ensembles: Vec<Ensemble>,
    /// `[[node]]`, in spec order.
    pub nodes: Vec<NefNode>,
    /// `[[connection]]`, in spec order.
    pub connections: Vec<Connection>,
}

/// Bytes the writer may buffer per sampled probe before flushing.
pub const PROBE_BUFFER_BYTES: u64 = 4 << 20;

impl Spec {
    /// Reads and validates the spec file at `path` with `--set` overrides.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Self, SpecError> {
        let (file, text) = read_file(path)?;
        Self::parse(&file, &text, overrides)
    }

    /// Parses and validates spec `text` (named `file` in errors) with `--set` overrides.
    pub fn parse(file: &str, text: &str, overrides: &[String]) -> Result<Self, SpecError> {
        let (sources, root) = parse_with_overrides(file, text, overrides)?;
        let mut spec = Self::parse_tree(&sources, &root)?;
        spec.file = file.to_string();
        spec.text = text.to_string();
        spec.overrides = overrides.to_vec();
        spec.check_memory()?;
        Ok(spec)
    }

    /// Reads every section from the document tree. Sections are read in this order; a new
    /// section adds one line here.
    pub fn parse_tree(sources: &Sources, root: &Node) -> Result<Self, SpecError> {
        let mut r = TableReader::new(sources, root, "")?;
        let mut names = Names::default();
        let mut sim = r
            .table("simulation")?
            .ok_or_else(|| r.error("simulation", ErrorKind::Missing))?;
        let simulation = Simulation::parse(&mut sim)?;
        let populations = r
            .tables("population")?
            .iter_mut()
            .map(|t| Population::parse(t, &mut names))
            .collect::<Result<Vec<_>, _>>()?;
        let probes = r
            .tables("probe")?
            .iter_mut()
            .map(|t| Probe::parse(t, &mut names))
            .collect::<Result<Vec<_>, _>>()?;
        let projections = r
            .tables("projection")?
            .iter_mut()
            .map(|t| Projection::parse(t, &mut names))
            .collect::<Result<Vec<_>, _>>()?;
        let (mut inputs, mut currents) = (Vec::new(), Vec::new());
        for mut t in r.tables("input")? {
            if CurrentInput::is_current(&mut t)? {
                currents.push(CurrentInput::parse(&mut t, &mut names)?);
            } else {
                inputs.push(Input::parse(&mut t, &mut names)?);
            }
        }
        let ensembles = r
            .tables("ensemble")?
            .iter_mut()
            .map(|t| Ensemble::parse(t, &mut names))
            .collect::<Result<Vec<_>, _>>()?;
        let nodes = r
            .tables("node")?
            .iter_mut()
            .map(|t| NefNode::parse(t, &mut names))
            .collect::<Result<Vec<_>, _>>()?;
        let connections = r
            .tables("connection")?
            .iter_mut()
            .map(|t| Connection::parse(t, &mut names))
            .collect::<Result<Vec<_>, _>>()?;
        r.finish()?;
        Ok(Self {
            file: sources.file_name().to_string(),
            text: String::new(),
            overrides: Vec::new(),
            simulation,
            populations,
            probes,
            projections,
            inputs,
            currents,
            synapse_reader: None,
            ensembles,
            nodes,
            connections,
        })
    }

    /// Estimated memory of the built network and its recording buffers, bytes.
    pub fn memory_estimate(&self) -> u64 {
        let neurons: u64 = self.populations.iter().map(population_bytes).sum::<u64>()
            + self
                .ensembles
                .iter()
                .map(Ensemble::memory_estimate)
                .sum::<u64>();
        let probes: u64 = self
            .probes
            .iter()
            .filter(|p| p.variable.value != "spikes")
            .map(|_| PROBE_BUFFER_BYTES)
            .sum();
        let synapses: u64 = self
            .projections
            .iter()
            .map(|p| self.projection_bytes(p))
            .sum();
        neurons + probes + synapses
    }

    /// Estimated peak memory of projection `p`'s synapses at build, bytes (0 while its
    /// source or target is unknown: the build reports that).
    fn projection_bytes(&self, p: &Projection) -> u64 {
        let size = |name: &str| {
            self.populations
                .iter()
                .find(|q| q.name.value == name)
                .map(|q| q.size.value)
        };
        match (size(&p.source.value), size(&p.target.value)) {
            (Some(pre), Some(post)) => {
                let bytes = p.expected_synapses(pre, post) * SYNAPSE_BUILD_BYTES as f64;
                bytes.min(u64::MAX as f64) as u64
            }
            _ => 0,
        }
    }

    /// Rejects networks that would need more memory than the machine has.
    fn check_memory(&self) -> Result<(), SpecError> {
        let Some(have) = physical_memory() else {
            return Ok(());
        };
        let need = self.memory_estimate();
        if need <= have {
            return Ok(());
        }
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        let kind = ErrorKind::TooLarge {
            need_gib: gib(need),
            have_gib: gib(have),
        };
        // Blame the projection that needs the most when it outweighs every population, else
        // the largest population.
        let largest = self.populations.iter().max_by_key(|p| population_bytes(p));
        let heaviest = self
            .projections
            .iter()
            .map(|p| (p, self.projection_bytes(p)))
            .max_by_key(|&(_, bytes)| bytes);
        let most = largest.map_or(0, population_bytes);
        if let Some((p, _)) = heaviest.filter(|&(_, bytes)| bytes > most) {
            return Err(p.rule.error(kind));
        }
        Err(match largest {
            Some(p) => p.size.error(kind),
            None => SpecError::new(
                Origin {
                    file: self.file.clone(),
                    line: 0,
                    col: 0,
                },
                "",
                kind,
            ),
        })
    }

    /// Builds the network on the spec's `simulation.threads` worker threads.
    pub fn build(&self) -> Result<Network, SpecError> {
        self.build_on(self.simulation.threads.value as usize)
    }

    /// Builds the network on `threads` worker threads (0: one per core), without a decoder
    /// cache; results do not depend on the thread count.
    pub fn build_on(&self, threads: usize) -> Result<Network, SpecError> {
        self.build_cached(threads, &models::cache::DecoderCache::disabled())
    }

    /// Builds the network on `threads` worker threads (0: one per core) with NEF decoders
    /// looked up in and stored to `cache`. Sections build in dependency order (populations
    /// before what refers to them; NEF ensembles first, so plain sections may refer to them);
    /// a new section adds one line here.
    pub fn build_cached(
        &self,
        threads: usize,
        cache: &models::cache::DecoderCache,
    ) -> Result<Network, SpecError> {
        // The build's parallel work (connectivity sampling, NEF solves) on `threads` workers
        // too, not on rayon's global pool.
        simcore::par::on_threads(threads, |par| self.build_here(threads, par, cache)).map_err(
            |e| {
                self.simulation
                    .threads
                    .error(ErrorKind::Invalid(e.to_string()))
            },
        )?
    }

    /// [`build_cached`](Self::build_cached) on the current thread pool, `par`.
    fn build_here(
        &self,
        threads: usize,
        par: simcore::Par<'_>,
        cache: &models::cache::DecoderCache,
    ) -> Result<Network, SpecError> {
        let mut b = Builder {
            dt: self.simulation.dt.value,
            seed: self.simulation.seed.value,
            populations: Vec::new(),
            info: Vec::new(),
            components: Vec::new(),
            probes: Vec::new(),
            synapses: 0,
            par,
            cache: cache.clone(),
            nef: models::network::NetworkRecord {
                ensembles: Vec::new(),
                decoders: Vec::new(),
                probes: Vec::new(),
            },
            learned: Vec::new(),
        };
        let nef_late = crate::sections::nef::Sections {
            ensembles: &self.ensembles,
            nodes: &self.nodes,
            connections: &self.connections,
            probes: &self.probes,
            populations: &self.populations,
        }
        .build(&mut b)?;
        Population::build(&self.populations, &mut b)?;
        Projection::build(
            &self.projections,
            &self.populations,
            &self.file,
            self.synapse_reader,
            &mut b,
        )?;
        Input::build(&self.inputs, &self.populations, &mut b)?;
        CurrentInput::build(&self.currents, &self.populations, &self.file, &mut b)?;
        Probe::build(&self.probes, &mut b)?;
        b.components.extend(nef_late);
        let mut simulator = simcore::Simulator::new(b.dt, b.populations, b.components, threads)
            .map_err(|e| {
                self.simulation
                    .threads
                    .error(ErrorKind::Invalid(e.to_string()))
            })?;
        // NEF neurons cost several cortical neurons' time per step: their networks use the
        // pool from far fewer neurons (as `models::network::BuiltNetwork::into_run` does).
        if !b.nef.ensembles.is_empty() {
            simulator.set_min_parallel_work(models::network::NEF_MIN_PARALLEL_WORK);
        }
        Ok(Network {
            simulator,
            steps: self.simulation.steps,
            populations: b.info,
            probes: b.probes,
            synapses: b.synapses,
            nef: b.nef,
            learned: b.learned,
        })
    }
}

/// Estimated memory of population `p`, bytes: its state, plus spike buffers (id + offset per
/// neuron, chunk and step lists).
fn population_bytes(p: &Population) -> u64 {
    let n = simcore::lanes::padded_len(p.size.value as usize) as u64;
    n * (p.model.bytes_per_neuron() as u64 + 16)
}

/// Physical memory of this machine, bytes (`MemTotal` of `/proc/meminfo`).
pub fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

//! The built network: a [`Simulator`] plus what to record and what was built.

use simcore::{Component, Simulator};

use crate::error::{ErrorKind, SpecError, closest};
use crate::neuron::{Recorded, SynapseTarget};
use crate::reader::At;

/// What was built for one population (for recording, summaries and provenance).
#[derive(Clone, Debug)]
pub struct PopulationInfo {
    /// Name.
    pub name: String,
    /// Number of neurons.
    pub size: usize,
    /// Model name (`lif`).
    pub model: &'static str,
    /// One-line parameter summary.
    pub summary: String,
    /// Neurons whose spikes are recorded (`None`: all).
    pub recorded: Option<Vec<bool>>,
    /// Variables probes may record, with their mapping from engine values.
    pub variables: Vec<(&'static str, Recorded)>,
}

impl PopulationInfo {
    /// Whether neuron `i`'s spikes are recorded.
    #[inline]
    pub fn records(&self, i: u32) -> bool {
        self.recorded.as_ref().is_none_or(|m| m[i as usize])
    }

    /// Number of neurons whose spikes are recorded.
    pub fn recorded_count(&self) -> usize {
        self.recorded
            .as_ref()
            .map_or(self.size, |m| m.iter().filter(|&&b| b).count())
    }
}

/// What a probe records.
#[derive(Clone, Debug)]
pub enum ProbeKind {
    /// Spikes (they go to `/spikes/<population>`; the probe selects neurons).
    Spikes,
    /// A state variable sampled after the step.
    Variable(Recorded),
    /// Samples a component records during the step (NEF decoded values, node outputs, input
    /// currents; one sample per due step), taken from its handle by [`ProbePlan::sample`].
    Recorded(models::probe::ProbeHandle),
    /// The values of a plastic projection or learning connection (`weight`, `decoders`,
    /// `encoders`), read from the simulator's components after the step.
    Learned(crate::learned::LearnedPlan),
}

/// A probe resolved against the built network.
#[derive(Clone, Debug)]
pub struct ProbePlan {
    /// Probe name.
    pub name: String,
    /// Target population name.
    pub target: String,
    /// Target population index in the simulator.
    pub population: usize,
    /// Variable name as in the spec.
    pub variable: String,
    /// What it records.
    pub kind: ProbeKind,
    /// Neuron indices recorded (for decoded values and node outputs: dimension indices).
    pub neurons: Vec<u32>,
    /// Sampling period in steps.
    pub every: u64,
    /// Unit of the recorded values.
    pub unit: &'static str,
}

impl ProbePlan {
    /// True when a sample is due after `steps_done` steps.
    pub fn due(&self, steps_done: u64) -> bool {
        !matches!(self.kind, ProbeKind::Spikes) && steps_done.is_multiple_of(self.every)
    }

    /// Whether the probe records neurons (rather than the dimensions of a decoded value or
    /// the values of a learned object).
    pub fn records_neurons(&self) -> bool {
        !matches!(
            self.variable.as_str(),
            "decoded" | "output" | "weight" | "decoders" | "encoders"
        )
    }

    /// Appends one sample row (one value per recorded neuron) read from `sim`.
    pub fn sample(&self, sim: &Simulator, out: &mut Vec<f32>) {
        let rec = match &self.kind {
            ProbeKind::Variable(rec) => rec,
            ProbeKind::Recorded(h) => {
                out.extend(h.drain().values.iter().map(|&v| v as f32));
                return;
            }
            ProbeKind::Learned(plan) => {
                plan.sample(sim.components(), out);
                return;
            }
            ProbeKind::Spikes => return,
        };
        let Some(x) = sim.populations()[self.population]
            .neurons
            .variable(rec.variable)
        else {
            return;
        };
        let (scale, offset) = (rec.scale as f32, rec.offset as f32);
        if scale == 1.0 && offset == 0.0 {
            out.extend(self.neurons.iter().map(|&i| x[i as usize]));
        } else {
            out.extend(self.neurons.iter().map(|&i| offset + scale * x[i as usize]));
        }
    }
}

/// Accumulates the network while sections build (see [`crate::sections`]).
#[derive(Debug)]
pub struct Builder<'p> {
    /// Time step, s.
    pub dt: f64,
    /// Master seed.
    pub seed: u64,
    /// Populations built so far, in order.
    pub populations: Vec<simcore::Population>,
    /// What was built for each population (same order).
    pub info: Vec<PopulationInfo>,
    /// Components (inputs, projections, …) built so far.
    pub components: Vec<Box<dyn Component>>,
    /// Probes resolved so far.
    pub probes: Vec<ProbePlan>,
    /// Synapses created so far (for summaries and memory estimates).
    pub synapses: u64,
    /// The build's worker pool (connectivity sampling); results do not depend on it.
    pub par: simcore::Par<'p>,
    /// Where NEF decoders are cached (see [`models::cache`]).
    pub cache: models::cache::DecoderCache,
    /// What the NEF sections built (ensembles' arrays, decoders).
    pub nef: models::network::NetworkRecord,
    /// Objects whose values learn (plastic projections, PES and Voja connections).
    pub learned: Vec<crate::learned::LearnedPlan>,
}

impl Builder<'_> {
    /// Index of the population `name` refers to, or an error naming the closest population.
    pub fn population(&self, name: &At<String>) -> Result<usize, SpecError> {
        self.info
            .iter()
            .position(|p| p.name == name.value)
            .ok_or_else(|| {
                name.error(ErrorKind::UnknownReference {
                    kind: "population",
                    name: name.value.clone(),
                    suggestion: closest(&name.value, self.info.iter().map(|p| p.name.as_str())),
                })
            })
    }

    /// Index of the input port of population `dst` (named `target`) that synapses `syn` of an
    /// input or projection feed, after enabling it. Errors: conductance weights that may be
    /// negative (`negative`, at `weight`), a population without that port (at `receptor`).
    pub fn input_port<W>(
        &mut self,
        dst: usize,
        target: &At<String>,
        syn: &SynapseTarget,
        receptor: &At<String>,
        weight: &At<W>,
        negative: bool,
    ) -> Result<usize, SpecError> {
        if syn.conductance && negative {
            return Err(weight.error(ErrorKind::Invalid(format!(
                "conductance weights are ≥ 0 ({}); inhibition is `receptor = \"inhibitory\"`",
                syn.unit
            ))));
        }
        let neurons = &mut self.populations[dst].neurons;
        if !neurons.enable_port(syn.port) {
            return Err(receptor.error(ErrorKind::Invalid(format!(
                "population `{}` has no `{}` input",
                target.value, syn.port
            ))));
        }
        Ok(neurons
            .ports()
            .iter()
            .position(|(n, _)| *n == syn.port)
            .unwrap_or(0))
    }
}

/// A built network, ready to step.
#[derive(Debug)]
pub struct Network {
    /// The simulator holding every population and component.
    pub simulator: Simulator,
    /// Steps to run.
    pub steps: u64,
    /// Per-population build record, in simulator order.
    pub populations: Vec<PopulationInfo>,
    /// Probes.
    pub probes: Vec<ProbePlan>,
    /// Synapse count.
    pub synapses: u64,
    /// What the NEF sections built: ensembles (arrays, tuning curves), decoders (solver RMSE,
    /// cache hits).
    pub nef: models::network::NetworkRecord,
    /// Objects whose values learn (plastic projections, PES and Voja connections).
    pub learned: Vec<crate::learned::LearnedPlan>,
}

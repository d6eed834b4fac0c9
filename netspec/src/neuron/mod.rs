//! Neuron models as the spec names them (`model = "lif"`): each reads its own keys from the
//! population table and builds a [`simcore::Neurons`].
//!
//! To add a model: write a module with a type implementing [`NeuronModel`] and a parser
//! `fn(&mut TableReader) -> Result<Box<dyn NeuronModel>, SpecError>`, and add it to [`MODELS`].

pub mod lif;

use simcore::Neurons;

use crate::error::SpecError;
use crate::reader::TableReader;

/// What a model's build step needs to know about its population.
#[derive(Clone, Copy, Debug)]
pub struct PopulationCtx<'a> {
    /// Population name.
    pub name: &'a str,
    /// Dotted path of the population table (`population.exc`), prefix of random stream keys.
    pub path: &'a str,
    /// Number of neurons.
    pub size: usize,
    /// Time step, s.
    pub dt: f64,
    /// Master seed.
    pub seed: u64,
}

/// How a probe reports one of the model's state variables: the engine variable it reads and a
/// linear map `value = offset + scale·engine_value` into `unit`.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// The engine's variable name (`Neurons::variable`).
    pub variable: &'static str,
    /// Unit of the recorded values.
    pub unit: &'static str,
    /// Scale applied to the engine value.
    pub scale: f64,
    /// Offset added after scaling.
    pub offset: f64,
}

/// How a projection's or input's weights enter a model (see [`NeuronModel::synapse`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SynapseTarget {
    /// Name of the input port the weights go to (`Neurons::ports`).
    pub port: &'static str,
    /// How delivered weights enter the port.
    pub receptor: simcore::delivery::Receptor,
    /// Factor from the spec's weight unit to the port's input.
    pub scale: f64,
    /// Unit of the spec's weights.
    pub unit: &'static str,
}

/// Receptor names the spec accepts (`receptor = "…"`), with what they take.
pub const RECEPTORS: [&str; 3] = ["delta", "exponential", "alpha"];

/// A neuron model read from a population table.
pub trait NeuronModel: std::fmt::Debug + Send + Sync {
    /// How synapses of kind `receptor` (one of [`RECEPTORS`]; `tau_syn` in s for filtered
    /// kinds) enter this model, or a message saying why it cannot receive them.
    fn synapse(&self, receptor: &str, tau_syn: Option<f64>) -> Result<SynapseTarget, String> {
        let _ = tau_syn;
        Err(format!(
            "model `{}` has no `{receptor}` synapses",
            self.name()
        ))
    }
    /// Model name as written in the spec.
    fn name(&self) -> &'static str;
    /// One-line parameter summary for `check`, summaries and provenance.
    fn summary(&self) -> String;
    /// State bytes per neuron (for the memory estimate).
    fn bytes_per_neuron(&self) -> usize;
    /// Builds the population's neurons (sampling per-neuron parameters and initial state).
    fn build(&self, pop: &PopulationCtx<'_>) -> Result<Box<dyn Neurons>, SpecError>;
    /// Variables probes may record (spec name, unit).
    fn variables(&self) -> Vec<(&'static str, &'static str)>;
    /// How to record spec variable `name`, if the model has it.
    fn recorded(&self, name: &str) -> Option<Recorded>;
}

/// Parses a model's keys from its population table.
pub type ModelParser = fn(&mut TableReader<'_>) -> Result<Box<dyn NeuronModel>, SpecError>;

/// Every model the spec knows, by name.
pub const MODELS: &[(&str, ModelParser)] = &[
    ("lif", lif::LifNormalised::parse),
    ("lif_physical", lif::LifPhysicalSpec::parse),
];

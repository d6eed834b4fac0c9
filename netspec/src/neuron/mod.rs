//! Neuron models as the spec names them (`model = "lif"`): each reads its own keys from the
//! population table and builds a [`simcore::Neurons`].
//!
//! To add a model: write a module with a type implementing [`NeuronModel`] and a parser
//! `fn(&mut TableReader) -> Result<Box<dyn NeuronModel>, SpecError>`, and add it to [`MODELS`].

pub mod generator;
pub mod hh;
pub mod lif;
pub mod lif_coba;

use simcore::Neurons;
use simcore::synapse::PscShape;

use crate::error::{ErrorKind, SpecError};
use crate::param::Param;
use crate::reader::{At, TableReader};

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

impl Recorded {
    /// Engine variable `variable` reported in `unit` as `scale·engine_value` (no offset).
    pub fn scaled(variable: &'static str, unit: &'static str, scale: f64) -> Self {
        Self {
            variable,
            unit,
            scale,
            offset: 0.0,
        }
    }
}

/// Errors at `at` unless every sampled value in `xs` is finite and within ±`limit` (beyond it
/// the model's f32 state overflows); `msg` says so in the error.
pub(crate) fn check_within(
    at: &At<Param>,
    xs: &[f64],
    limit: f64,
    msg: &str,
) -> Result<(), SpecError> {
    match xs.iter().find(|x| !(x.is_finite() && x.abs() <= limit)) {
        Some(x) => Err(at.error(ErrorKind::OutOfRange {
            value: format!("{x:e}"),
            msg: msg.into(),
        })),
        None => Ok(()),
    }
}

/// The engine's f32 range, for [`check_within`].
pub(crate) const F32_LIMIT: f64 = f32::MAX as f64;

/// The error message of values beyond [`F32_LIMIT`].
pub(crate) const F32_RANGE_MSG: &str =
    "is beyond the engine's f32 range (|x| ≤ 3.4e38) once computed";

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
    /// A conductance (weights must be ≥ 0).
    pub conductance: bool,
}

/// Receptor names the spec accepts (`receptor = "…"`): `delta` (no filter), current
/// synapses through a PSC kernel `tⁿe^{−t/τ}` (`exponential` n = 0, `alpha` n = 1, `gamma` any
/// n given by `order`), and the conductances of conductance-based models (`excitatory`,
/// `inhibitory`, time constants set by the target population).
pub const RECEPTORS: [&str; 6] = [
    "delta",
    "exponential",
    "alpha",
    "gamma",
    "excitatory",
    "inhibitory",
];

/// The PSC kernel of receptor `receptor` with time constant `tau_syn` (s) and `order` (for
/// `gamma`): `Some` for the current receptors `exponential`, `alpha`, `gamma`, `None` for the
/// others (which take neither key). Errors are messages about the receptor.
pub fn receptor_kernel(
    receptor: &str,
    tau_syn: Option<f64>,
    order: Option<u32>,
) -> Result<Option<PscShape>, String> {
    let tau = || tau_syn.ok_or_else(|| format!("receptor `{receptor}` needs `tau_syn` (s)"));
    let kernel = match receptor {
        "exponential" => PscShape::exponential(tau()?),
        "alpha" => PscShape::alpha(tau()?),
        "gamma" => {
            let n = order.ok_or_else(|| "receptor `gamma` needs `order` (n ≥ 0)".to_string())?;
            if n > simcore::synapse::MAX_ORDER {
                return Err(format!(
                    "receptor `gamma`: order {n} is above the largest supported order {}",
                    simcore::synapse::MAX_ORDER
                ));
            }
            PscShape::Gamma {
                order: n,
                tau: tau()?,
            }
        }
        _ => {
            if tau_syn.is_some() {
                return Err(format!(
                    "receptor `{receptor}` takes no `tau_syn` (filtered current receptors: \
                     exponential, alpha, gamma; conductance time constants belong to the target \
                     population)"
                ));
            }
            return Ok(None);
        }
    };
    if order.is_some() && receptor != "gamma" {
        return Err(format!(
            "receptor `{receptor}` takes no `order` (only `gamma` does)"
        ));
    }
    Ok(Some(kernel))
}

/// How a current receptor with PSC `kernel` enters a model's `current` port whose unit is
/// `unit`, `scale` per unit of the spec's weight: the current peaks at the weight (jumps to it
/// for the exponential kernel). Filters take impulse areas, so the weight is divided by the
/// kernel's peak (`1/τ` for n = 0, `1/(eτ)` for n = 1, `nⁿe^{−n}/(n!τ)` in general).
pub fn current_synapse(kernel: PscShape, scale: f64, unit: &'static str) -> SynapseTarget {
    let area = match kernel {
        PscShape::Gamma { order: 0, tau } => tau,
        PscShape::Gamma { order: 1, tau } => std::f64::consts::E * tau,
        k => k.peak().map_or(1.0, |p| 1.0 / p),
    };
    SynapseTarget {
        port: "current",
        receptor: simcore::delivery::Receptor::Filter(kernel),
        scale: scale * area,
        unit,
        conductance: false,
    }
}

/// A neuron model read from a population table.
pub trait NeuronModel: std::fmt::Debug + Send + Sync {
    /// How synapses of kind `receptor` (one of [`RECEPTORS`]; `kernel` the PSC kernel of the
    /// filtered current receptors, from [`receptor_kernel`]) enter this model, or a message
    /// saying why it cannot receive them.
    fn synapse(&self, receptor: &str, kernel: Option<PscShape>) -> Result<SynapseTarget, String> {
        let _ = kernel;
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
    ("lif_coba", lif_coba::LifCobaSpec::parse),
    ("hh", hh::HhSpec::parse_density),
    ("hh_physical", hh::HhSpec::parse_physical),
    ("poisson_generator", generator::PoissonGeneratorSpec::parse),
    ("spike_generator", generator::SpikeGeneratorSpec::parse),
];

//! Learning rules that run as phases of the step schedule (phase 3, after the neurons have
//! spiked): they update synaptic weights from traces of pre- and postsynaptic activity and
//! never reach into the neuron kernels.
//!
//! - [`trace`]: event-driven exponential traces and grid times;
//! - [`stdp`]: pair-based STDP on CSR synapses ([`PlasticDelivery`]).

pub mod stdp;
pub mod trace;

pub use stdp::{DelaySplit, PlasticDelivery, StdpParams, WeightDependence};
pub use trace::{EventTime, Trace};

//! Learning rules that run as phases of the step schedule (phase 3, after the neurons have
//! spiked): they update synaptic weights from traces of pre- and postsynaptic activity and
//! never reach into the neuron kernels.
//!
//! - [`trace`]: event-driven exponential traces and grid times;
//! - [`dense`]: dense weights between spiking populations learned by a rate rule from
//!   filtered activities ([`DenseLearning`]);
//! - [`rate_rules`]: Hebbian (with decay), Oja and BCM on dense neuron-to-neuron weights;
//! - [`stdp`]: pair-based STDP on CSR synapses ([`PlasticDelivery`]).

pub mod dense;
pub mod rate_rules;
pub mod stdp;
pub mod trace;

pub use dense::{DenseEnds, DenseLearning};
pub use rate_rules::{RateLearner, RateRule};
pub use stdp::{DelaySplit, PlasticDelivery, StdpParams, WeightDependence};
pub use trace::{EventTime, Traces};

//! # models — spikesim's model layer
//!
//! - The Neural Engineering Framework (Eliasmith & Anderson 2003) with the semantics Nengo 4.1
//!   users know: ensembles of LIF neurons representing vectors ([`ensemble`]), regularised
//!   least-squares decoders ([`solver`]) of functions given as expressions or tables
//!   ([`function`], [`expr`]) with an on-disk decoder cache ([`cache`]), input nodes
//!   ([`node`]), LIF rate neurons ([`rate`]), decoded connections run factored on the
//!   engine's schedule ([`connection`]),
//!   synapses ([`synapse`]), probes ([`probe`]) and a network builder that turns all of it
//!   into a [`simcore::Simulator`] ([`network`]).
//! - [`dense`]: dense-layer rate networks (MLP, perceptron, autoencoder, Hopfield), their
//!   training, data sets, and conversion to spiking LIF networks.
#![deny(missing_docs)]

pub mod cache;
pub mod connection;
pub mod dense;
pub mod dists;
pub mod ensemble;
pub mod error;
pub mod expr;
pub mod function;
pub mod learning;
pub mod network;
pub mod node;
pub mod probe;
pub mod rate;
pub mod solver;
pub mod synapse;

pub use error::NefError;

//! # models — spikesim's model layer
//!
//! - [`dense`]: dense-layer rate networks (MLP, perceptron, autoencoder, Hopfield), their
//!   training, data sets, and conversion to spiking LIF networks.
#![deny(missing_docs)]

pub mod dense;

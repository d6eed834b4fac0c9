//! # simcore — spikesim's engine
//!
//! Flat struct-of-arrays neuron state, numerical kernels (each a scalar reference beside a
//! `wide` f32x8 SIMD version), fixed-chunk rayon parallelism and seeded random streams.
//! Nothing here knows about spec files or output formats: `netspec` builds networks out of
//! these parts and `cli` records what they emit.
//!
//! Layout:
//! - [`lanes`]: SIMD lane width and padded state vectors;
//! - [`cpu`]: the start-up check that the CPU has what the build was compiled for;
//! - [`par`]: parallelism as a value (`Par::Seq`, `Par::Threads(n)`) and fixed work chunks;
//! - [`rng`]: random streams keyed by object, never by thread;
//! - [`neuron`]: neuron models (parameters, analytic rate functions, gain/bias solvers);
//! - [`kernels`]: the per-step integration kernels;
//! - [`population`]: a population of LIF neurons with its state, stepped by the kernels;
//! - [`coba_population`]: conductance-based LIF neurons (ports current / g_e / g_i);
//! - [`hh_population`]: Hodgkin–Huxley neurons (port current);
//! - [`neurons`]: the trait every neuron model implements;
//! - [`sim`]: the simulator and its step schedule;
//! - [`spikes`]: the spikes one step emits;
//! - [`synapse`]: post-synaptic current filters (exponential, alpha, any order; delta);
//! - [`connectivity`]: connection rules sampled into CSR synapse rows;
//! - [`delivery`]: event-driven spike delivery through delay rings;
//! - [`plasticity`]: learning rules (STDP on CSR synapses, event-driven traces);
//! - [`sources`]: Poisson inputs and generators, spike generators;
//! - [`networks`]: the benchmark networks (Brunel 2000, CUBA) and their statistics.
#![deny(missing_docs)]

pub mod chunked;
pub mod coba_population;
pub mod connectivity;
pub mod cpu;
pub mod delivery;
pub mod error;
pub mod hh_population;
pub mod kernels;
pub mod lanes;
pub mod networks;
pub mod neuron;
pub mod neurons;
pub mod par;
pub mod plasticity;
pub mod population;
mod prefetch;
pub mod rng;
pub mod sim;
pub mod sources;
pub mod spikes;
pub mod synapse;

pub use coba_population::LifCobaPopulation;
pub use error::SimError;
pub use hh_population::HhPopulation;
pub use neurons::Neurons;
pub use par::Par;
pub use population::LifPopulation;
pub use sim::{Component, Population, Simulator};
pub use spikes::{SpikeWindow, Spikes};

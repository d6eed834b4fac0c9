//! Neuron models: parameters, their mapping from user units, analytic rate functions and
//! gain/bias solvers. The per-step dynamics live in [`crate::kernels`].

pub mod hh;
pub mod lif;
pub mod lif_coba;

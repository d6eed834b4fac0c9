//! # netspec — spikesim's TOML network specs
//!
//! A spec is read in three stages, each with errors that name the file, line, column and dotted
//! key at fault ([`SpecError`]):
//! 1. **parse**: TOML with spans ([`toml::de::DeTable`]) into an owned tree ([`tree`]), then the
//!    `--set KEY=VALUE` overrides applied to it;
//! 2. **validate**: each section module ([`sections`]) reads its tables with a
//!    [`reader::TableReader`] (types, ranges, NaN/inf, unknown keys with "did you mean") into a
//!    validated [`Spec`]; cross-section rules (duration a whole number of steps, memory) follow;
//! 3. **build**: sections add populations, components and probes to a [`build::Builder`] in
//!    dependency order, giving a [`Network`] (a [`simcore::Simulator`] plus the recording plan
//!    and what was built).
//!
//! Units: times in seconds and rates in Hz, unless the key names its unit as a suffix
//! (`tau_m_ms`, `v_th_mv`, `c_m_pf`, `i_e_pa`). Every key is documented in `docs/spec.md`.
#![deny(missing_docs)]

pub mod build;
pub mod error;
pub mod learned;
pub mod neuron;
pub mod param;
pub mod reader;
pub mod sections;
pub mod spec;
pub mod train;
pub mod tree;

pub use build::{Network, PopulationInfo, ProbeKind, ProbePlan};
pub use error::{ErrorKind, Origin, SpecError};
pub use spec::Spec;

//! Recording a run to HDF5: SONATA spikes (default) or NWB 2 units, probes, provenance.
//! Streamed in chunks; written to a temporary file in the target's directory and renamed at the
//! end (to `OUT.partial.h5` when the run stopped early).

pub mod h5;
pub mod learned;
pub mod model;
pub mod nwb;
pub mod provenance;
pub mod recorder;
pub mod sonata;
pub mod sorted;
pub mod tuning;

pub use provenance::{RunInfo, Status};
pub use recorder::{Format, Recorder, Sorting};

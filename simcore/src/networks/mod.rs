//! The standard benchmark networks as Rust builders (used by tests, benches and `validate`),
//! with the statistics that check them against the literature and the peer simulators.
//!
//! - [`brunel`]: Brunel (2000) sparse network of LIF neurons with delta synapses and Poisson
//!   input, in its four regimes;
//! - [`cuba`]: the CUBA network (Vogels & Abbott 2005; Brian2 `examples/CUBA.py`) and its
//!   scaled variant;
//! - [`coba`]: the same network with conductance-based synapses.
//!
//! Parameters are those of `peers/common.py` (the single source of truth the NEST and Brian2
//! benchmark scripts use), so a spikesim run and a peer run simulate the same network.

pub mod brunel;
pub mod coba;
pub mod cuba;
pub mod stats;

pub use stats::{SpikeLog, TrainStats};

use crate::{SimError, Simulator};

/// Runs `steps` steps of `sim`, logging every population's spikes.
pub fn run_logged(sim: &mut Simulator, steps: u64) -> Result<Vec<SpikeLog>, SimError> {
    let mut logs: Vec<SpikeLog> = sim
        .populations()
        .iter()
        .map(|p| SpikeLog::new(p.neurons.len()))
        .collect();
    sim.run(steps, &mut |k, spikes| {
        for (log, s) in logs.iter_mut().zip(spikes) {
            log.events.extend(s.ids.iter().map(|&i| (k, i)));
        }
    })?;
    Ok(logs)
}

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

use crate::connectivity::Connect;
use crate::delivery::{Projection, Receptor, SpikeDelivery};
use crate::par::Threads;
use crate::{SimError, Simulator};

/// The recurrent projections `e_e`, `e_i`, `i_e`, `i_i` among an excitatory (0) and an
/// inhibitory (1) population of `sizes` (no autapses within a population), as one delivery
/// component `recurrent` onto populations with `ports` input ports. Source `src`'s synapses
/// are `connect(src)`, built with master `seed` on `threads` threads, and enter port and
/// receptor `target(src)`.
fn recurrent(
    sizes: [usize; 2],
    ports: usize,
    dt: f64,
    (seed, threads): (u64, usize),
    connect: impl Fn(usize) -> Connect,
    target: impl Fn(usize) -> (usize, Receptor),
) -> Result<SpikeDelivery, SimError> {
    let pool = Threads::new(threads)?;
    let mut projections = Vec::new();
    for src in 0..2 {
        let (port, receptor) = target(src);
        for dst in 0..2 {
            let name = format!("{}_{}", ["e", "i"][src], ["e", "i"][dst]);
            let csr = connect(src).build(
                &name,
                sizes[src],
                sizes[dst],
                src == dst,
                dt,
                seed,
                pool.par(),
            )?;
            projections.push(Projection {
                name,
                source: src,
                target: dst,
                port,
                receptor,
                csr,
            });
        }
    }
    drop(pool);
    SpikeDelivery::new("recurrent", projections, &sizes, &[ports, ports], dt)
}

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

//! Parallelism as a value, and the fixed work chunks that make results thread-count independent.
//!
//! Work over neurons is split into chunks of [`CHUNK`] neurons (a multiple of the lane width)
//! whatever the number of threads; every chunk is computed by the same code on the same data, and
//! per-chunk outputs (spike lists) are concatenated in chunk order. One thread and N threads
//! therefore give bit-identical results.

use std::sync::Arc;

use crate::SimError;
use crate::lanes::LANES;

/// Neurons per work chunk (a multiple of [`LANES`]). 2048 neurons × a few f32 state variables
/// stay well inside L1/L2 while amortising rayon's per-task cost.
pub const CHUNK: usize = 2048;
const _: () = assert!(CHUNK % LANES == 0);

/// SIMD vectors per work chunk.
pub const CHUNK_LANES: usize = CHUNK / LANES;

/// How to run data-parallel work: on the calling thread, or on a rayon pool.
#[derive(Clone, Copy, Debug)]
pub enum Par<'a> {
    /// Sequentially on the calling thread.
    Seq,
    /// On the given rayon pool.
    Pool(&'a rayon::ThreadPool),
}

impl Par<'_> {
    /// Number of threads this setting uses.
    pub fn threads(&self) -> usize {
        match self {
            Par::Seq => 1,
            Par::Pool(p) => p.current_num_threads(),
        }
    }
}

/// A worker pool owned by a simulation (`--threads N`). One thread means no pool at all.
#[derive(Debug)]
pub struct Threads {
    pool: Option<Arc<rayon::ThreadPool>>,
    n: usize,
}

impl Threads {
    /// A pool of `n` threads (`n = 0` means one per available core).
    pub fn new(n: usize) -> Result<Self, SimError> {
        let n = if n == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            n
        };
        if n == 1 {
            return Ok(Self { pool: None, n });
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("spikesim-worker-{i}"))
            .build()
            .map_err(|e| SimError::Threads {
                threads: n,
                msg: e.to_string(),
            })?;
        Ok(Self {
            pool: Some(Arc::new(pool)),
            n,
        })
    }

    /// Number of threads.
    pub fn count(&self) -> usize {
        self.n
    }

    /// The pool (none for one thread), shared: a run loop can execute on it while it hands
    /// the simulator to kernels.
    pub fn pool(&self) -> Option<Arc<rayon::ThreadPool>> {
        self.pool.clone()
    }

    /// The parallel setting to hand to kernels.
    pub fn par(&self) -> Par<'_> {
        match &self.pool {
            None => Par::Seq,
            Some(p) => Par::Pool(p.as_ref()),
        }
    }
}

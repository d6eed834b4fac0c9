//! Parallelism as a value, and the fixed work chunks that make results thread-count independent.
//!
//! Work over neurons is split into chunks of [`CHUNK`] neurons (a multiple of the lane width)
//! whatever the number of threads; every chunk is computed by the same code on the same data, and
//! per-chunk outputs (spike lists) are concatenated in chunk order. One thread and N threads
//! therefore give bit-identical results.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::SimError;
use crate::lanes::LANES;

/// Neurons per work chunk (a multiple of [`LANES`]). 2048 neurons × a few f32 state variables
/// stay well inside L1/L2 while amortising rayon's per-task cost.
pub const CHUNK: usize = 2048;
const _: () = assert!(CHUNK.is_multiple_of(LANES));

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

/// Runs `f` on a pool of `threads` workers (0: one per core), so that the parallel work it
/// starts (rayon iterators, joins, scopes) uses that many threads: the build phase's
/// counterpart of a simulator's [`Threads`]. `f` gets the pool as a [`Par`] for kernels that
/// take one (`Par::Seq` for one thread). With one thread that work runs in order on the pool's
/// worker instead of spreading over rayon's global pool.
pub fn on_threads<T: Send>(
    threads: usize,
    f: impl FnOnce(Par<'_>) -> T + Send,
) -> Result<T, SimError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("spikesim-build-{i}"))
        .build()
        .map_err(|e| SimError::Threads {
            threads,
            msg: e.to_string(),
        })?;
    let par = match pool.current_num_threads() {
        1 => Par::Seq,
        _ => Par::Pool(&pool),
    };
    Ok(pool.install(|| f(par)))
}

/// Runs `f` on every item: the first on the calling thread, the others as jobs of the calling
/// thread's pool, and waits for those by spinning — executing pool jobs meanwhile, so a job
/// nobody stole runs here — instead of in rayon's join. A thread waiting in rayon's join falls
/// asleep after a few microseconds, and waking it then costs tens of microseconds on a virtual
/// machine: about 45 µs per window of a Brunel run on two threads (4 % of it), and a large part
/// of the per-step cost of a NEF network. Meant for the simulator's run regions, where the
/// other workers are awake (`run_awake`); elsewhere it works too, spinning while the woken
/// workers take the jobs. Which thread runs an item never changes results.
pub fn spin_join_each<T: Send>(items: &mut [T], f: impl Fn(&mut T) + Sync) {
    let Some((first, rest)) = items.split_first_mut() else {
        return;
    };
    /// Counts a job as finished even when it panics (the scope then re-raises the panic).
    struct Finished<'a>(&'a AtomicUsize);
    impl Drop for Finished<'_> {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::Release);
        }
    }
    let pending = AtomicUsize::new(rest.len());
    let f = &f;
    rayon::scope(|s| {
        for item in rest {
            let pending = &pending;
            s.spawn(move |_| {
                let _finished = Finished(pending);
                f(item);
            });
        }
        f(first);
        while pending.load(Ordering::Acquire) > 0 {
            if rayon::yield_now() != Some(rayon::Yield::Executed) {
                std::hint::spin_loop();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_threads_runs_on_a_pool_of_that_size() {
        let sizes = |par: Par<'_>| (rayon::current_num_threads(), par.threads());
        for threads in [1, 2, 3] {
            assert_eq!(on_threads(threads, sizes).unwrap(), (threads, threads));
        }
        let all = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(on_threads(0, sizes).unwrap(), (all, all));
    }

    #[test]
    fn spin_join_each_runs_every_item_once_on_any_pool() {
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for n in [0, 1, 2, 5, 17] {
                let mut items: Vec<u64> = (0..n).collect();
                pool.install(|| spin_join_each(&mut items, |x| *x = *x * 10 + 1));
                assert_eq!(items, (0..n).map(|x| x * 10 + 1).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn a_panicking_item_propagates_instead_of_hanging() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let mut items = vec![0, 1, 2];
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.install(|| spin_join_each(&mut items, |x| assert!(*x != 2, "item 2")))
        }));
        assert!(r.is_err());
    }
}

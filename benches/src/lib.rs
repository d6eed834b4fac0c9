//! # spikesim-benches — the workloads the criterion benches time
//!
//! Each workload is built here with the same parameters as the peer scripts in
//! `../shared/peers/common.py`, so spikesim and NEST/Brian2/Nengo are timed on the same network.
#![deny(missing_docs)]

pub mod lif_pop;

/// On-CPU seconds of every thread of this process so far (Linux `/proc/self/task/*/schedstat`;
/// 0 elsewhere). On a machine shared with other jobs, updates per CPU-second measure the code
/// rather than the contention (Brian2 standalone's `sim_s` is process CPU time too).
pub fn cpu_seconds() -> f64 {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(Result::ok)
                .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
                .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
                .sum::<u64>()
        })
        .unwrap_or(0) as f64
        * 1e-9
}

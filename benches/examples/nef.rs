//! NEF timings as one JSON line per workload, side by side with `benches/nengo/nef_bench.py`:
//!
//! ```text
//! cargo run --release -p spikesim-benches --example nef -- chain [THREADS] [SECONDS] # 10 × 1000, build + 1 s
//! cargo run --release -p spikesim-benches --example nef -- single [N] [THREADS] # one ensemble, build
//! cargo run --release -p spikesim-benches --example nef -- solve [N] [METHOD]   # decoder solve
//! ```
//!
//! `*_s` are wall-clock seconds, `*_cpu_s` on-CPU seconds of all threads (the fair figure on a
//! loaded machine; compare with the Nengo script's `process_time`). The chain is then run for
//! the same time again in runs of 0.1 s: `sim_median_s` is their median wall time scaled to
//! the whole run — on a shared machine each preemption of a worker stalls every thread at the
//! next step's join, and the median leaves those out (`final_value` is read after both).

use std::time::Instant;

use models::solver::Method;
use spikesim_benches::nef::{self, DT};
use spikesim_benches::{cpu_seconds, median};

/// Runs `f`, returning its result with wall and CPU seconds.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (c0, t0) = (cpu_seconds(), Instant::now());
    let r = f();
    (r, t0.elapsed().as_secs_f64(), cpu_seconds() - c0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let threads = |i: usize| arg(i).and_then(|a| a.parse().ok()).unwrap_or(1);
    match arg(0).unwrap_or("chain") {
        "chain" => {
            let th = threads(1);
            rayon::ThreadPoolBuilder::new()
                .num_threads(th)
                .build_global()
                .expect("pool");
            let net = nef::chain(10, 1000);
            let (built, b_s, b_cpu) = timed(|| nef::build(&net, 0).expect("build"));
            let ((mut run, rec), i_s, i_cpu) = timed(|| built.into_run(DT, th).expect("run"));
            let seconds = arg(2).and_then(|a| a.parse().ok()).unwrap_or(1.0);
            let (_, r_s, r_cpu) = timed(|| run.run(seconds).expect("run"));
            // Then the same again in runs of 0.1 s: their median, per simulated second, is
            // robust to the preemptions of a shared machine (each stalls both threads).
            let mut parts: Vec<f64> = (0..(seconds / 0.1).round().max(1.0) as usize)
                .map(|_| timed(|| run.run(0.1).expect("run")).1 * 10.0)
                .collect();
            let y = rec.probe("y").expect("probe").data();
            println!(
                "{{\"simulator\": \"spikesim\", \"workload\": \"nef_chain\", \"ensembles\": 10, \"n\": 1000, \
                 \"threads\": {th}, \"build_s\": {:.4}, \"build_cpu_s\": {:.4}, \"sim_s\": {r_s:.4}, \
                 \"sim_cpu_s\": {r_cpu:.4}, \"sim_median_s\": {:.4}, \"final_value\": {:.4}}}",
                b_s + i_s,
                b_cpu + i_cpu,
                median(&mut parts) * seconds,
                y.values.last().copied().unwrap_or(f64::NAN)
            );
        }
        "single" => {
            let n = arg(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
            let th = threads(2);
            rayon::ThreadPoolBuilder::new()
                .num_threads(th)
                .build_global()
                .expect("pool");
            let (built, b_s, b_cpu) = timed(|| nef::build(&nef::single(n), 0).expect("build"));
            let d = &built.decoders[0];
            println!(
                "{{\"simulator\": \"spikesim\", \"workload\": \"nef_single\", \"n\": {n}, \"threads\": {th}, \
                 \"build_s\": {b_s:.4}, \"build_cpu_s\": {b_cpu:.4}, \"method\": \"{}\", \"solver_rmse\": {:.6e}}}",
                d.decoders.method.name(),
                d.decoders.mean_rmse()
            );
        }
        "solve" => {
            let n = arg(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
            let method = arg(2).and_then(Method::parse).unwrap_or(Method::Auto);
            let ens = nef::ensemble(n, 0);
            let (d, s, cpu) = timed(|| nef::solve_identity(&ens, method));
            println!(
                "{{\"simulator\": \"spikesim\", \"workload\": \"nef_solve\", \"n\": {n}, \"method\": \"{}\", \
                 \"solve_s\": {s:.4}, \"solve_cpu_s\": {cpu:.4}, \"solver_rmse\": {:.6e}}}",
                d.method.name(),
                d.mean_rmse()
            );
        }
        other => {
            eprintln!("unknown workload `{other}` (chain | single | solve)");
            std::process::exit(2);
        }
    }
}

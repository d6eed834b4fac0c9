//! The peer workload `lif_pop` as a runnable program, printing one JSON line like the peer
//! scripts (`peers/brian2_bench.py lif_pop --n N`): N LIF neurons at 50 Hz, Δt 0.1 ms, 1 s.
//!
//! `cargo run --release -p spikesim-benches --example lif_pop -- [N] [THREADS]`
//!
//! `sim_s` is wall-clock time of the 1 s run, `cpu_s` the on-CPU time of all threads during it
//! (comparable with Brian2 standalone's `sim_s`, which is process CPU time).

use std::time::Instant;

use spikesim_benches::{cpu_seconds, lif_pop};

fn main() {
    let mut args = std::env::args().skip(1);
    let n = args
        .next()
        .and_then(|a| a.parse::<f64>().ok())
        .map_or(100_000, |x| x as usize);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let t0 = Instant::now();
    let mut sim = lif_pop::simulator(n, threads).expect("lif_pop");
    let build_s = t0.elapsed().as_secs_f64();
    let (c0, t1) = (cpu_seconds(), Instant::now());
    let rate = lif_pop::run(&mut sim).expect("run");
    let sim_s = t1.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds() - c0;
    let updates = n as f64 * (lif_pop::T / lif_pop::DT).round();
    println!(
        "{{\"simulator\": \"spikesim\", \"workload\": \"lif_pop\", \"N\": {n}, \"threads\": {threads}, \
         \"build_s\": {build_s:.4}, \"sim_s\": {sim_s:.4}, \"cpu_s\": {cpu_s:.4}, \"rate_hz\": {rate}, \
         \"neuron_updates_per_s\": {:.4e}, \"neuron_updates_per_cpu_s\": {:.4e}}}",
        updates / sim_s,
        updates / cpu_s
    );
}

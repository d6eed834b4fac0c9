//! Times the benchmark networks for a given biological time, build and simulation separately,
//! at 1 and 2 threads, alternating thread counts run by run so both see the same machine load.
//!
//! `cargo run --release -p spikesim-benches --example networks -- [NETS] [SECONDS] [REPEATS]`
//! with NETS a comma-separated list of `cuba`, `cuba_scaled`, `coba`, `brunel_ai` (default
//! `cuba,cuba_scaled,brunel_ai`), SECONDS of biological time (default 1) and REPEATS runs per
//! thread count (default 3). Prints one JSON line per run and a summary per network: best wall
//! time per thread count, the 2-thread speed-up (best 1-thread wall / best 2-thread wall), CPU
//! seconds per simulated second on one thread, real-time factor (wall / simulated time) and
//! synaptic events (recurrent deliveries plus Poisson input events) per wall second. Each run
//! then continues for the same time in ten pieces, and a second summary line gives the
//! 2-thread speed-up of the medians (over runs) of each run's median piece (`sim_median_s`):
//! on a shared virtual machine a preempted worker stalls both threads at the next window's
//! join, and the median leaves those pieces out. The load average (`/proc/loadavg`) is printed
//! before and after: on a shared machine, trust 2-thread speed-ups only when it stays below
//! ~1.
//!
//! Each repeat (a 1-thread and a 2-thread run) is also bracketed by the contention witness
//! (`spikesim_benches::contention`, ~0.2 s): the slower of two register-only FMA copies run at
//! once over one copy alone, 1.0 when the virtual machine's two cores are independent and up
//! to 2.0 when the host gives them one core's worth. A third summary line gives the median of
//! the per-repeat speed-ups (1-thread wall over 2-thread wall of the same repeat) over all
//! repeats, and over the repeats whose witness stayed at or below [`QUIET`] before and after.

use std::time::Instant;

use simcore::Simulator;
use simcore::networks::brunel::{Brunel, Regime};
use simcore::networks::coba::Coba;
use simcore::networks::cuba::Cuba;
use spikesim_benches::{contention, cpu_seconds, median};

fn build(net: &str, threads: usize) -> Simulator {
    match net {
        "cuba" => Cuba::default().build(1, threads),
        "cuba_scaled" => Cuba::scaled(40_000).build(1, threads),
        "coba" => Coba::default().build(1, threads),
        "brunel_ai" => Brunel::regime(Regime::AsynchronousIrregular).build(1, threads),
        _ => panic!("unknown network `{net}` (cuba, cuba_scaled, coba, brunel_ai)"),
    }
    .expect("network builds")
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// One timed run: (build wall s, simulate wall s, simulate CPU s, synaptic events, median
/// piece wall s). After the timed run the network runs for the same time again in ten pieces;
/// the median piece, scaled to the whole run, leaves out the pieces in which the machine
/// preempted a worker (on a shared virtual machine each preemption stalls every thread at the
/// next window's join, and single runs of one binary vary by up to 50 %).
fn run(net: &str, threads: usize, seconds: f64) -> (f64, f64, f64, u64, f64) {
    let t0 = Instant::now();
    let mut sim = build(net, threads);
    let build_s = t0.elapsed().as_secs_f64();
    let steps = (seconds / sim.dt()).round() as u64;
    let mut spikes = 0usize;
    let mut count = |_: u64, s: &[simcore::Spikes]| {
        spikes += s.iter().map(|x| x.len()).sum::<usize>();
    };
    let (t0, c0) = (Instant::now(), cpu_seconds());
    sim.run(steps, &mut count).expect("simulation runs");
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
    let events = sim.events();
    let mut pieces: Vec<f64> = (0..PIECES)
        .map(|_| {
            let t0 = Instant::now();
            sim.run(steps / PIECES as u64, &mut count)
                .expect("simulation runs");
            t0.elapsed().as_secs_f64() * PIECES as f64
        })
        .collect();
    assert!(spikes > 0, "{net}: no spikes");
    (build_s, wall, cpu, events, median(&mut pieces))
}

/// Pieces of the second run ([`run`]).
const PIECES: usize = 10;

/// Witness steps per copy (about 0.1 s).
const WITNESS_ITERS: u64 = 20_000_000;

/// Largest witness ratio at which a repeat counts as run on two independent cores.
const QUIET: f64 = 1.10;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let nets = args
        .get(1)
        .map_or("cuba,cuba_scaled,brunel_ai", String::as_str);
    let seconds: f64 = args.get(2).map_or(1.0, |s| s.parse().expect("SECONDS"));
    let repeats: usize = args.get(3).map_or(3, |s| s.parse().expect("REPEATS"));
    println!("# load average before: {}", loadavg());
    for net in nets.split(',') {
        let mut best = [f64::INFINITY; 2];
        let mut medians: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
        let mut best_cpu = f64::INFINITY;
        let mut best_build = [f64::INFINITY; 2];
        let mut events = 0;
        // Per repeat: (1-thread wall / 2-thread wall, largest witness ratio around it).
        let mut speedups: Vec<(f64, f64)> = Vec::new();
        for _ in 0..repeats {
            let before = contention::ratio(WITNESS_ITERS);
            let mut walls = [0.0; 2];
            for (i, threads) in [1usize, 2].into_iter().enumerate() {
                let (b, wall, cpu, ev, median) = run(net, threads, seconds);
                println!(
                    "{{\"net\":\"{net}\",\"threads\":{threads},\"seconds\":{seconds},\"build_s\":{b:.4},\"sim_wall_s\":{wall:.4},\"sim_cpu_s\":{cpu:.4},\"sim_median_s\":{median:.4},\"events\":{ev},\"witness_before\":{before:.3}}}"
                );
                walls[i] = wall;
                medians[i].push(median);
                best[i] = best[i].min(wall);
                best_build[i] = best_build[i].min(b);
                if threads == 1 {
                    best_cpu = best_cpu.min(cpu);
                }
                events = ev;
            }
            let after = contention::ratio(WITNESS_ITERS);
            println!("# witness after: {after:.3}");
            speedups.push((walls[0] / walls[1], before.max(after)));
        }
        // The median over runs of each run's median piece.
        let (m1, m2) = (median(&mut medians[0]), median(&mut medians[1]));
        println!(
            "# {net}: median piece, scaled to {seconds} s: {m1:.4} s (1 thr) / {m2:.4} s (2 thr): 2-thread speed-up {:.2}x",
            m1 / m2
        );
        println!(
            "# {net}: {seconds} s simulated; build {:.3} s (1 thr) / {:.3} s (2 thr); simulate wall {:.4} s (1 thr) / {:.4} s (2 thr): 2-thread speed-up {:.2}x; 1-thread CPU {:.4} s per simulated s; real-time factor {:.3} (1 thr) / {:.3} (2 thr); {:.3e} synaptic events/s (1 thr wall) / {:.3e} (2 thr)",
            best_build[0],
            best_build[1],
            best[0],
            best[1],
            best[0] / best[1],
            best_cpu / seconds,
            best[0] / seconds,
            best[1] / seconds,
            events as f64 / best[0],
            events as f64 / best[1],
        );
        let mut all: Vec<f64> = speedups.iter().map(|s| s.0).collect();
        let mut quiet: Vec<f64> = speedups
            .iter()
            .filter(|s| s.1 <= QUIET)
            .map(|s| s.0)
            .collect();
        let quiet_text = if quiet.is_empty() {
            "none".to_string()
        } else {
            format!("{:.2}x", median(&mut quiet))
        };
        println!(
            "# {net}: per-repeat 2-thread speed-up, median over all {} repeats {:.2}x; over the {} with witness <= {QUIET} before and after: {quiet_text}",
            all.len(),
            median(&mut all),
            quiet.len(),
        );
    }
    println!("# load average after: {}", loadavg());
}

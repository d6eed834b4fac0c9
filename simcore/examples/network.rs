//! Runs a benchmark network and prints build/simulation times and spike statistics.
//! `cargo run --release -p simcore --example network -- NET THREADS SECONDS [SEED]` with NET one
//! of `brunel_sr`, `brunel_si_fast`, `brunel_ai`, `brunel_si_slow`, `cuba`, `cuba_scaled`,
//! `coba`.

use simcore::networks::brunel::{Brunel, Regime};
use simcore::networks::coba::Coba;
use simcore::networks::cuba::Cuba;
use simcore::networks::{SpikeLog, run_logged};
use std::time::Instant;

/// CPU time of this process (all threads, user + system), seconds, from `/proc/self/stat`
/// (0 where unavailable). On a shared machine CPU time is the fairer single-thread measure.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(rest) = stat.rsplit(')').next() else {
        return 0.0;
    };
    let f: Vec<f64> = rest
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // After the command name: state is field 3; utime and stime are fields 14 and 15 (ticks
    // of 1/100 s), i.e. indices 11 and 12 here (the state letter does not parse as a number).
    f.get(10)
        .zip(f.get(11))
        .map_or(0.0, |(u, s)| (u + s) / 100.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let net = args.get(1).map_or("brunel_ai", String::as_str);
    let threads: usize = args.get(2).map_or(Ok(1), |s| s.parse())?;
    let t_s: f64 = args.get(3).map_or(Ok(1.0), |s| s.parse())?;
    let seed: u64 = args.get(4).map_or(Ok(1), |s| s.parse())?;
    let dt = 1e-4;
    let t0 = Instant::now();
    let mut sim = match net {
        "cuba" => Cuba::default().build(seed, threads)?,
        "cuba_scaled" => Cuba::scaled(40_000).build(seed, threads)?,
        "coba" => Coba::default().build(seed, threads)?,
        b => {
            let regime = Regime::ALL
                .into_iter()
                .find(|r| format!("brunel_{}", r.name()) == b)
                .ok_or("unknown network")?;
            Brunel::regime(regime).build(seed, threads)?
        }
    };
    let build = t0.elapsed().as_secs_f64();
    let steps = (t_s / dt).round() as u64;
    let (t0, c0) = (Instant::now(), cpu_seconds());
    let logs = run_logged(&mut sim, steps)?;
    let run = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - c0;
    let mut all = SpikeLog::new(0);
    for l in &logs {
        let base = all.n as u32;
        all.events
            .extend(l.events.iter().map(|&(k, i)| (k, i + base)));
        all.n += l.n;
    }
    all.events.sort_unstable();
    let discard = (0.1 / dt) as u64;
    let s = all.stats(dt, steps, discard.min(steps / 2), 1000);
    println!(
        "{net} threads {threads} T {t_s} s: build {build:.3} s, simulate {run:.3} s wall ({:.4} s per simulated s), {cpu:.2} s CPU; rate {:.3} Hz, ISI CV {:.4}, pop CV(1 ms) {:.3}, spikes {}",
        run / t_s,
        s.rate_hz,
        s.cv_isi,
        s.pop_cv_1ms,
        all.events.len()
    );
    Ok(())
}

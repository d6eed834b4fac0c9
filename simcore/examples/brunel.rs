//! Runs the Brunel (2000) network and prints build/simulation times and statistics.
//! `cargo run --release -p simcore --example brunel -- THREADS SECONDS [sr|si_fast|ai|si_slow]`
use simcore::networks::brunel::{Brunel, Regime};
use simcore::networks::run_logged;
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let threads: usize = args.get(1).map_or(1, |s| s.parse().unwrap());
    let t_s: f64 = args.get(2).map_or(0.3, |s| s.parse().unwrap());
    let regime = match args.get(3).map(String::as_str) {
        Some("sr") => Regime::SynchronousRegular,
        Some("si_fast") => Regime::SynchronousIrregularFast,
        Some("si_slow") => Regime::SynchronousIrregularSlow,
        _ => Regime::AsynchronousIrregular,
    };
    let net = Brunel::regime(regime);
    let t0 = Instant::now();
    let mut sim = net.build(1, threads).unwrap();
    let tb = t0.elapsed().as_secs_f64();
    let steps = (t_s / net.dt).round() as u64;
    let t0 = Instant::now();
    let logs = run_logged(&mut sim, steps).unwrap();
    let ts = t0.elapsed().as_secs_f64();
    let e = logs[0].stats(net.dt, steps, 1000, 1000);
    let i = logs[1].stats(net.dt, steps, 1000, 1000);
    let mut all = logs[0].clone();
    all.n += logs[1].n;
    all.events
        .extend(logs[1].events.iter().map(|&(k, j)| (k, j + 10000)));
    all.events.sort();
    let a = all.stats(net.dt, steps, 1000, 1000);
    println!(
        "{regime:?} build {tb:.3}s sim {ts:.3}s ({:.3} s/s) exc {e:?}\ninh {i:?}\nall {a:?}",
        ts / t_s
    );
}

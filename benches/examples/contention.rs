//! Whether the machine's two cores slow each other on pure vector arithmetic: a loop of
//! register-only f32x8 fused multiply-adds (ten independent chains, enough to keep both FMA
//! units busy; no memory traffic), timed alone and then as two copies on two threads at once.
//! On two separate cores the copies take as long as one alone; on SMT siblings twice as long.
//! Anything in between is the host taking a share of the cores (other guests, turbo limits),
//! which caps what a second thread can give a compute-bound simulation.
//!
//! `cargo run --release -p spikesim-benches --example contention -- [ROUNDS]`
//!
//! Prints per round: seconds alone, seconds of each of the two copies, and the slower copy's
//! ratio to the lone run.

use std::hint::black_box;
use std::time::Instant;

use wide::f32x8;

/// Chain steps per run: about a second on a 3 GHz core.
const ITERS: u64 = 200_000_000;

/// Runs the FMA chains; returns the wall seconds and a value that depends on every step.
fn fma_loop() -> (f64, f32) {
    let mut acc: [f32x8; 10] = std::array::from_fn(|i| f32x8::splat(1.0 + i as f32 * 1e-3));
    let (b, c) = (
        black_box(f32x8::splat(0.999_999)),
        black_box(f32x8::splat(1e-7)),
    );
    let t = Instant::now();
    for _ in 0..ITERS {
        for a in acc.iter_mut() {
            *a = a.mul_add(b, c);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    (secs, acc.iter().map(|a| a.reduce_add()).sum())
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(3, |s| s.parse().expect("ROUNDS"));
    for round in 0..rounds {
        let (alone, x) = fma_loop();
        let pair: Vec<(f64, f32)> = std::thread::scope(|s| {
            let copies: Vec<_> = (0..2).map(|_| s.spawn(fma_loop)).collect();
            copies
                .into_iter()
                .map(|h| h.join().expect("copy"))
                .collect()
        });
        let slower = pair[0].0.max(pair[1].0);
        println!(
            "round {round}: alone {alone:.3} s; two at once {:.3} s and {:.3} s: slower copy {:.2}x the lone run (checksum {:.3})",
            pair[0].0,
            pair[1].0,
            slower / alone,
            x + pair[0].1 + pair[1].1
        );
    }
}

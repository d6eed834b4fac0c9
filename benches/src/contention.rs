//! Whether the machine's two cores slow each other on pure vector arithmetic: a loop of
//! register-only f32x8 fused multiply-adds (ten independent chains, enough to keep both FMA
//! units busy; no memory traffic), timed alone and then as two copies on two threads at once.
//! On two separate cores the copies take as long as one alone; on SMT siblings twice as long.
//! Anything in between is the host taking a share of the cores (other guests, turbo limits),
//! which caps what a second thread can give a compute-bound simulation. On the shared virtual
//! machines of this project the ratio moves between 1.0 and 1.9 from minute to minute, so
//! 2-thread speed-ups are only comparable when measured beside it.

use std::hint::black_box;
use std::time::Instant;

use wide::f32x8;

/// Runs the FMA chains for `iters` steps; returns the wall seconds and a value that depends on
/// every step (about a second per 2e8 steps on a 3 GHz core).
pub fn fma_loop(iters: u64) -> (f64, f32) {
    let mut acc: [f32x8; 10] = std::array::from_fn(|i| f32x8::splat(1.0 + i as f32 * 1e-3));
    let (b, c) = (
        black_box(f32x8::splat(0.999_999)),
        black_box(f32x8::splat(1e-7)),
    );
    let t = Instant::now();
    for _ in 0..iters {
        for a in acc.iter_mut() {
            *a = a.mul_add(b, c);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    (secs, acc.iter().map(|a| a.reduce_add()).sum())
}

/// One witness round of `iters` steps: (seconds alone, seconds of the two copies run at once,
/// checksum).
pub fn round(iters: u64) -> (f64, [f64; 2], f32) {
    let (alone, x) = fma_loop(iters);
    let pair: Vec<(f64, f32)> = std::thread::scope(|s| {
        let copies: Vec<_> = (0..2).map(|_| s.spawn(|| fma_loop(iters))).collect();
        copies
            .into_iter()
            .map(|h| h.join().expect("copy"))
            .collect()
    });
    (alone, [pair[0].0, pair[1].0], x + pair[0].1 + pair[1].1)
}

/// The slower copy's time over the lone run's in one round of `iters` steps (1.0: two
/// independent cores; 2.0: one core's worth).
pub fn ratio(iters: u64) -> f64 {
    let (alone, pair, _) = round(iters);
    pair[0].max(pair[1]) / alone
}

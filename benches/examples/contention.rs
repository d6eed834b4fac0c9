//! Whether the machine's two cores slow each other on pure vector arithmetic (see
//! `spikesim_benches::contention`): a register-only FMA loop timed alone, then as two copies
//! on two threads at once.
//!
//! `cargo run --release -p spikesim-benches --example contention -- [ROUNDS]`
//!
//! Prints per round: seconds alone, seconds of each of the two copies, and the slower copy's
//! ratio to the lone run.

use spikesim_benches::contention;

/// Chain steps per run: about a second on a 3 GHz core.
const ITERS: u64 = 200_000_000;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(3, |s| s.parse().expect("ROUNDS"));
    for round in 0..rounds {
        let (alone, pair, x) = contention::round(ITERS);
        println!(
            "round {round}: alone {alone:.3} s; two at once {:.3} s and {:.3} s: slower copy {:.2}x the lone run (checksum {x:.3})",
            pair[0],
            pair[1],
            pair[0].max(pair[1]) / alone,
        );
    }
}

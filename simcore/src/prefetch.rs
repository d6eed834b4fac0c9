//! Software prefetch hints: ask the CPU to start loading memory that a loop will read soon,
//! so that cache misses on scattered data (CSR rows of spiking neurons) overlap instead of
//! stalling one after another.

/// Cache lines of a slice that [`slice`] requests at most (the start of a long row: hardware
/// prefetchers follow the rest once the loop streams through it).
const MAX_LINES: usize = 4;

/// Bytes per cache line.
const LINE: usize = 64;

/// Hints that the first few cache lines of `x` will be read soon. A hint only: it never
/// faults, changes no value, and is a no-op on targets without a prefetch instruction.
pub(crate) fn slice<T>(x: &[T]) {
    let bytes = std::mem::size_of_val(x);
    let p = x.as_ptr().cast::<u8>();
    for line in (0..bytes.min(MAX_LINES * LINE)).step_by(LINE) {
        line_at(p.wrapping_add(line));
    }
}

#[cfg(target_arch = "x86_64")]
fn line_at(p: *const u8) {
    use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
    // SAFETY: `prefetch` is a hint that never faults and reads or writes nothing visible to
    // the program, whatever the address; `p` points into (or one line past the start of) a
    // live slice anyway. SSE is part of the x86-64 baseline.
    unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>()) }
}

#[cfg(not(target_arch = "x86_64"))]
fn line_at(_p: *const u8) {}

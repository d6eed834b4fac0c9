//! Re-reading spikes streamed in time order and emitting them sorted by neuron id (times
//! ascending within a neuron), in bounded memory: neuron-id ranges holding at most a budget of
//! spikes are gathered one pass each.

use anyhow::Result;
use hdf5::Dataset;

use super::h5::BUFFER;

/// Spikes gathered per pass (16 bytes each: 64 MiB).
pub const PASS_BUDGET: usize = 4 << 20;

/// Calls `emit(times, ids)` with the spikes of `times`/`ids` (in streaming order) sorted by id,
/// stable, in batches; `counts[i]` is neuron `i`'s number of spikes.
pub fn by_id(
    times: &Dataset,
    ids: &Dataset,
    counts: &[u32],
    budget: usize,
    mut emit: impl FnMut(&[f64], &[u64]) -> Result<()>,
) -> Result<()> {
    let total = times.size();
    let mut lo = 0usize;
    while lo < counts.len() {
        // Neurons [lo, hi) hold at most `budget` spikes (or one neuron's, if more).
        let mut hi = lo;
        let mut n = 0usize;
        while hi < counts.len() && (hi == lo || n + counts[hi] as usize <= budget) {
            n += counts[hi] as usize;
            hi += 1;
        }
        if n > 0 {
            let mut batch: Vec<(u64, f64)> = Vec::with_capacity(n);
            let mut start = 0;
            while start < total {
                let end = (start + BUFFER * 16).min(total);
                let t = times.read_slice_1d::<f64, _>(start..end)?;
                let id = ids.read_slice_1d::<u64, _>(start..end)?;
                for (&i, &x) in id.iter().zip(t.iter()) {
                    if (lo as u64..hi as u64).contains(&i) {
                        batch.push((i, x));
                    }
                }
                start = end;
            }
            // Stable: within a neuron, spikes stay in streaming (time) order.
            batch.sort_by_key(|&(i, _)| i);
            let t: Vec<f64> = batch.iter().map(|&(_, x)| x).collect();
            let id: Vec<u64> = batch.iter().map(|&(i, _)| i).collect();
            emit(&t, &id)?;
        }
        lo = hi;
    }
    Ok(())
}

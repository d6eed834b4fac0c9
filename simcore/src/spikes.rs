//! The spikes emitted during one step.

use std::mem::MaybeUninit;

use wide::{f32x8, i32x8};

use crate::lanes::LANES;

/// Spikes of one population during one step: neuron ids in ascending order, and for each the
/// spike time measured from the start of the step, in seconds (`0 < t ≤ Δt`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spikes {
    /// Neuron indices within the population, ascending.
    pub ids: Vec<u32>,
    /// In-step spike times (seconds after the step's start), same order as `ids`.
    pub offsets: Vec<f32>,
}

impl Spikes {
    /// Empties the buffer, keeping its capacity.
    pub fn clear(&mut self) {
        self.ids.clear();
        self.offsets.clear();
    }

    /// Number of spikes.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no neuron spiked.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Appends one spike.
    #[inline]
    pub fn push(&mut self, id: u32, offset: f32) {
        self.ids.push(id);
        self.offsets.push(offset);
    }

    /// A writer appending spikes eight lanes at a time, with room reserved for `vectors`
    /// vectors' worth of lanes (see [`LanePush`]).
    pub fn lanes(&mut self, vectors: usize) -> LanePush<'_> {
        self.ids.reserve(vectors * LANES);
        self.offsets.reserve(vectors * LANES);
        let len = self.len();
        LanePush { spikes: self, len }
    }

    /// Appends all of `other`'s spikes.
    pub fn extend_from(&mut self, other: &Spikes) {
        self.ids.extend_from_slice(&other.ids);
        self.offsets.extend_from_slice(&other.offsets);
    }
}

/// Branch-free spike output of SIMD kernels: each [`push`](LanePush::push) left-packs the
/// spiking lanes of one vector (ids and in-step times, in lane order) and stores all eight
/// lanes at the end of the written spikes, advancing the count by the number of spiking lanes.
/// The data-dependent loop over set mask bits it replaces mispredicts a branch for nearly every
/// vector when neurons fire at NEF rates (100–400 Hz at Δt = 1 ms).
///
/// Room for the lanes comes from [`Spikes::lanes`]; the spikes' length is set when the writer
/// is dropped.
pub struct LanePush<'a> {
    spikes: &'a mut Spikes,
    /// Spikes written so far: `spikes.ids[..len]` and `spikes.offsets[..len]` are initialised.
    len: usize,
}

impl LanePush<'_> {
    /// Appends the lanes set in `mask` (bit `l` = lane `l`) of the vector whose lane `l` is
    /// neuron `first + l`, with in-step times `t`. Panics when more vectors are pushed than
    /// were reserved.
    #[inline(always)]
    pub fn push(&mut self, mask: u32, first: u32, t: f32x8) {
        let ids = i32x8::splat(first as i32) + i32x8::from([0, 1, 2, 3, 4, 5, 6, 7]);
        let (ids, t) = left_pack(mask, ids, t);
        let at = self.len - self.spikes.ids.len();
        let ids: [i32; LANES] = ids.to_array();
        let t: [f32; LANES] = t.to_array();
        let spare = &mut self.spikes.ids.spare_capacity_mut()[at..at + LANES];
        for (d, s) in spare.iter_mut().zip(ids) {
            *d = MaybeUninit::new(s as u32);
        }
        let spare = &mut self.spikes.offsets.spare_capacity_mut()[at..at + LANES];
        for (d, s) in spare.iter_mut().zip(t) {
            *d = MaybeUninit::new(s);
        }
        self.len += (mask & 0xff).count_ones() as usize;
    }
}

impl Drop for LanePush<'_> {
    fn drop(&mut self) {
        // SAFETY: every push wrote LANES initialised elements at the spare capacity starting at
        // the old `len` of both vectors and advanced `len` by at most LANES, so the first `len`
        // elements of both vectors are initialised, and `len ≤ capacity` (checked by the
        // bounds-checked slicing of the spare capacity).
        unsafe {
            self.spikes.ids.set_len(self.len);
            self.spikes.offsets.set_len(self.len);
        }
    }
}

/// For each 8-bit mask, the indices of its set lanes in order, one per 4-bit nibble (lowest
/// nibble first; unused nibbles 0).
const PACK: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut mask = 0;
    while mask < 256 {
        let (mut packed, mut n, mut lane) = (0u32, 0, 0);
        while lane < 8 {
            if mask & (1 << lane) != 0 {
                packed |= (lane as u32) << (4 * n);
                n += 1;
            }
            lane += 1;
        }
        table[mask] = packed;
        mask += 1;
    }
    table
};

/// Moves the lanes set in `mask` to the front, in order (the rest is unspecified): one
/// table lookup and two lane permutations (AVX2 `vpermd`/`vpermps`).
#[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
#[inline(always)]
fn left_pack(mask: u32, ids: i32x8, t: f32x8) -> (i32x8, f32x8) {
    use safe_arch::{m256, m256i, shuffle_av_f32_all_m256, shuffle_av_i32_all_m256i};
    // Lane l's index is nibble l; the permutations read only its low three bits.
    let idx = i32x8::splat(PACK[(mask & 0xff) as usize] as i32) >> i32x8::from(NIBBLE_SHIFTS);
    let idx: m256i = bytemuck::cast(idx);
    let ids = shuffle_av_i32_all_m256i(bytemuck::cast::<i32x8, m256i>(ids), idx);
    let t = shuffle_av_f32_all_m256(bytemuck::cast::<f32x8, m256>(t), idx);
    (bytemuck::cast(ids), bytemuck::cast(t))
}

/// Shift bringing nibble `l` of a [`PACK`] entry down to lane `l`.
#[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
const NIBBLE_SHIFTS: [i32; LANES] = [0, 4, 8, 12, 16, 20, 24, 28];

/// Portable [`left_pack`]: the same result from the same table, lane by lane.
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "avx2"))))]
#[inline(always)]
fn left_pack_lanes(mask: u32, ids: i32x8, t: f32x8) -> (i32x8, f32x8) {
    let (ids, t) = (ids.to_array(), t.to_array());
    let nibbles = PACK[(mask & 0xff) as usize];
    let idx: [usize; LANES] = std::array::from_fn(|l| ((nibbles >> (4 * l)) & 7) as usize);
    (
        i32x8::from(idx.map(|i| ids[i])),
        f32x8::from(idx.map(|i| t[i])),
    )
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
use left_pack_lanes as left_pack;

/// Spikes of one population over several consecutive steps (a multi-step run without
/// coupling): per step, neuron ids ascending with their in-step times.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpikeWindow {
    /// `starts[s]..starts[s + 1]` indexes step `s`'s spikes in `ids`/`offsets`
    /// (`starts.len()` is the number of steps + 1; empty when no step was run).
    pub starts: Vec<usize>,
    /// Neuron ids, grouped by step, ascending within a step.
    pub ids: Vec<u32>,
    /// In-step spike times (seconds after the step's start), same order as `ids`.
    pub offsets: Vec<f32>,
}

impl SpikeWindow {
    /// Empties the window, keeping its capacity.
    pub fn clear(&mut self) {
        self.starts.clear();
        self.ids.clear();
        self.offsets.clear();
    }

    /// Number of steps held.
    pub fn steps(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Total number of spikes.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no neuron spiked.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Ids and in-step times of step `s` (0-based within the window).
    pub fn step(&self, s: usize) -> (&[u32], &[f32]) {
        let r = self.starts[s]..self.starts[s + 1];
        (&self.ids[r.clone()], &self.offsets[r])
    }

    /// Copies step `s` into `out` (cleared first).
    pub fn copy_step(&self, s: usize, out: &mut Spikes) {
        let (ids, offsets) = self.step(s);
        out.clear();
        out.ids.extend_from_slice(ids);
        out.offsets.extend_from_slice(offsets);
    }

    /// Appends one step's spikes.
    pub fn push_step(&mut self, spikes: &Spikes) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.ids.extend_from_slice(&spikes.ids);
        self.offsets.extend_from_slice(&spikes.offsets);
        self.starts.push(self.ids.len());
    }
}

/// Spikes of every population over consecutive steps: one step's [`Spikes`] or a window's
/// [`SpikeWindow`]s (what spike delivery takes in).
#[derive(Clone, Copy, Debug)]
pub enum SpikeSteps<'a> {
    /// One step: spikes per population.
    Step(&'a [Spikes]),
    /// Several steps: a window per population.
    Window(&'a [SpikeWindow]),
}

impl<'a> SpikeSteps<'a> {
    /// Number of steps.
    pub fn steps(&self) -> usize {
        match self {
            SpikeSteps::Step(_) => 1,
            SpikeSteps::Window(w) => w.first().map_or(0, SpikeWindow::steps),
        }
    }

    /// Ids of the neurons of population `pop` that spiked in step `s` (0-based).
    pub fn ids(&self, pop: usize, s: usize) -> &'a [u32] {
        match self {
            SpikeSteps::Step(x) => &x[pop].ids,
            SpikeSteps::Window(w) => w[pop].step(s).0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_pack_keeps_the_set_lanes_in_order() {
        let ids = i32x8::from([10, 11, 12, 13, 14, 15, 16, 17]);
        let t = f32x8::from([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);
        for mask in 0..256u32 {
            let set: Vec<usize> = (0..LANES).filter(|l| mask & (1 << l) != 0).collect();
            for (pi, pt) in [left_pack(mask, ids, t), left_pack_lanes(mask, ids, t)] {
                let (pi, pt) = (pi.to_array(), pt.to_array());
                for (k, &l) in set.iter().enumerate() {
                    assert_eq!(pi[k], 10 + l as i32, "mask {mask:#010b}");
                    assert_eq!(pt[k], l as f32 + 0.5, "mask {mask:#010b}");
                }
            }
        }
    }

    #[test]
    fn lane_push_appends_exactly_the_masked_lanes() {
        let mut spikes = Spikes::default();
        spikes.push(3, 0.25);
        let masks = [0b1010_0001u32, 0, 0xff, 0b1000_0000, 0b0000_0110];
        {
            let mut w = spikes.lanes(masks.len());
            for (k, &m) in masks.iter().enumerate() {
                let t = f32x8::from(std::array::from_fn::<f32, 8, _>(|l| (k * 8 + l) as f32));
                w.push(m, 100 + 8 * k as u32, t);
            }
        }
        let mut expect = Spikes::default();
        expect.push(3, 0.25);
        for (k, &m) in masks.iter().enumerate() {
            for l in (0..LANES).filter(|l| m & (1 << l) != 0) {
                expect.push(100 + (8 * k + l) as u32, (k * 8 + l) as f32);
            }
        }
        assert_eq!(spikes, expect);
        assert!(spikes.ids.capacity() >= spikes.len());
    }
}

//! The spikes emitted during one step.

use std::mem::MaybeUninit;

use wide::{f32x8, i32x8};

use crate::lanes::{LANES, LeftPack, lane_ids};

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
        self.push_ids(mask, lane_ids(first), t)
    }

    /// Appends the lanes set in `mask` of neuron ids `ids` (ascending over the lanes set) with
    /// in-step times `t`.
    #[inline(always)]
    pub fn push_ids(&mut self, mask: u32, ids: i32x8, t: f32x8) {
        let pack = LeftPack::new(mask);
        let (ids, t) = (pack.i32s(ids), pack.f32s(t));
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

#[cfg(target_arch = "x86_64")]
impl LanePush<'_> {
    /// Appends the lanes set in `mask` of sixteen neuron ids `ids` (ascending over the lanes
    /// set) with in-step times `t`: [`push_ids`](Self::push_ids) for the AVX-512 kernels,
    /// packing by `vpcompressd`/`vcompressps` and storing only the spikes.
    ///
    /// # Safety
    /// The CPU has AVX-512F: callers without that target feature enabled must have checked
    /// it (`kernels::lif_avx512::available`).
    #[target_feature(enable = "avx512f")]
    pub(crate) fn push_ids_x16(
        &mut self,
        mask: u16,
        ids: std::arch::x86_64::__m512i,
        t: std::arch::x86_64::__m512,
    ) {
        use std::arch::x86_64::*;
        let count = mask.count_ones() as usize;
        let keep = ((1u32 << count) - 1) as u16;
        let at = self.len - self.spikes.ids.len();
        let spare_ids = &mut self.spikes.ids.spare_capacity_mut()[at..at + count];
        // SAFETY: the store writes the `count` lanes of `keep`, the slice's length.
        unsafe {
            let packed = _mm512_maskz_compress_epi32(mask, ids);
            _mm512_mask_storeu_epi32(spare_ids.as_mut_ptr().cast(), keep, packed);
        }
        let spare_t = &mut self.spikes.offsets.spare_capacity_mut()[at..at + count];
        // SAFETY: as above.
        unsafe {
            let packed = _mm512_maskz_compress_ps(mask, t);
            _mm512_mask_storeu_ps(spare_t.as_mut_ptr().cast(), keep, packed);
        }
        self.len += count;
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

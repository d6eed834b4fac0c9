//! The fixed-chunk driver every neuron population is stepped by.
//!
//! A population's state is `K` padded vectors ([`Chunked`]); work is split into chunks of
//! [`CHUNK`] neurons whatever the thread count. A model implements only [`ChunkStep`], the
//! update of one chunk (its part of every state vector, its part of every input port), and
//! this module does the rest once for every model: stepping all chunks sequentially or on a
//! rayon pool with spikes concatenated in chunk order ([`Chunked::step`]), temporal blocking
//! ([`Chunked::run_steps`]), and borrowing each chunk as a [`NeuronChunk`] the simulator's
//! window schedule advances inside one parallel region ([`Chunked::chunks`]). Every chunk is
//! computed by the same code on the same data, so 1 and N threads give bit-identical results.

use std::ops::Range;

use rayon::prelude::*;
use wide::f32x8;

use crate::lanes::{LANES, Padded};
use crate::par::{CHUNK, CHUNK_LANES, Par};
use crate::population::Kernel;
use crate::spikes::{SpikeWindow, Spikes};

/// Most input ports a neuron model may have.
pub const MAX_PORTS: usize = 4;

/// A chunk's worth of zero input (for ports a caller leaves out).
pub static ZERO_CHUNK: [f32x8; CHUNK_LANES] = [f32x8::ZERO; CHUNK_LANES];

/// Where a work chunk lies in its population.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkAt {
    /// Chunk index (chunk `i` holds neurons `i·CHUNK ..`).
    pub index: usize,
    /// Population id of the chunk's first neuron.
    pub base: u32,
    /// Real (non-padding) neurons in the chunk.
    pub n_valid: usize,
    /// The chunk's SIMD vectors within a per-neuron state vector.
    pub lanes: Range<usize>,
}

impl ChunkAt {
    /// Chunk `index` of a population of `n` neurons.
    pub fn new(index: usize, n: usize) -> Self {
        let lo = index * CHUNK_LANES;
        let hi = (lo + CHUNK_LANES).min(n.div_ceil(LANES));
        Self {
            index,
            base: (index * CHUNK) as u32,
            n_valid: (n - index * CHUNK).min(CHUNK),
            lanes: lo..hi,
        }
    }

    /// Number of SIMD vectors in the chunk.
    pub fn len(&self) -> usize {
        self.lanes.len()
    }

    /// True for a chunk without vectors (never produced for a non-empty population).
    pub fn is_empty(&self) -> bool {
        self.lanes.is_empty()
    }
}

/// Number of work chunks of a population of `n` neurons.
pub fn chunk_count(n: usize) -> usize {
    n.div_ceil(CHUNK)
}

/// A neuron model's one-step update of one work chunk: what [`Chunked`] needs from a model.
pub trait ChunkStep<const K: usize>: Sync {
    /// For each state vector, its SIMD vectors per vector of neurons (1 for a per-neuron
    /// variable; S for the S-stage state of a synaptic filter, stages of a vector adjacent).
    fn strides(&self) -> [usize; K];

    /// Advances chunk `at` by one step with `kernel`. `state[j]` is the chunk's part of state
    /// vector `j`; `inputs[port]` the chunk's part of each input port (`at.len()` vectors,
    /// padding lanes zero; ports beyond `inputs.len()` are zero). Appends the spikes, with
    /// population ids ascending, to `out`.
    fn step_chunk(
        &self,
        kernel: Kernel,
        at: &ChunkAt,
        state: &mut [&mut [f32x8]; K],
        inputs: &[&[f32x8]],
        out: &mut Spikes,
    );
}

/// One work chunk of a population borrowed for a window of the simulator's schedule.
pub trait NeuronChunk: Send {
    /// Number of SIMD vectors of neurons in the chunk (the length of each input port slice).
    fn lanes(&self) -> usize;
    /// Advances the chunk one step with `inputs[port]` (this chunk's vectors, padding lanes
    /// zero) and appends its spikes, population ids ascending, to `out`.
    fn step(&mut self, inputs: &[&[f32x8]], out: &mut Spikes);
}

/// The accessors every population type over [`Chunked`] state has (fields `name: String`,
/// `params: $params`, `state: Chunked<…>`): `name`, `len`, `is_empty`, `params`.
macro_rules! population_accessors {
    ($params:ty) => {
        /// Population name.
        pub fn name(&self) -> &str {
            &self.name
        }

        /// Number of neurons.
        pub fn len(&self) -> usize {
            self.state.len()
        }

        /// True for an empty population.
        pub fn is_empty(&self) -> bool {
            self.state.is_empty()
        }

        /// Model parameters.
        pub fn params(&self) -> &$params {
            &self.params
        }
    };
}
pub(crate) use population_accessors;

/// State of `n` neurons of model `M` as `K` padded vectors, stepped over fixed chunks.
#[derive(Clone, Debug)]
pub struct Chunked<M, const K: usize> {
    /// The model: constants and read-only per-neuron data (biases).
    pub model: M,
    state: [Padded; K],
    n: usize,
    chunk_spikes: Vec<Spikes>,
    chunk_windows: Vec<SpikeWindow>,
}

/// The chunks of `state` (`strides` as [`ChunkStep::strides`]), in order.
fn split<const K: usize>(
    state: &mut [Padded; K],
    strides: [usize; K],
    n: usize,
) -> Vec<[&mut [f32x8]; K]> {
    let mut rest: [&mut [f32x8]; K] = state.each_mut().map(|p| p.lanes_mut());
    (0..chunk_count(n))
        .map(|_| {
            std::array::from_fn(|j| {
                let s = std::mem::take(&mut rest[j]);
                let (a, b) = s.split_at_mut((CHUNK_LANES * strides[j]).min(s.len()));
                rest[j] = b;
                a
            })
        })
        .collect()
}

impl<M: ChunkStep<K>, const K: usize> Chunked<M, K> {
    /// `n` neurons of `model` with initial state `state` (vector `j` holds
    /// `padded_len(n)·strides[j]` values).
    pub fn new(model: M, state: [Padded; K], n: usize) -> Self {
        let strides = model.strides();
        for (s, x) in strides.iter().zip(&state) {
            assert_eq!(x.padded().len(), n.div_ceil(LANES) * LANES * s);
        }
        Self {
            model,
            state,
            n,
            chunk_spikes: vec![Spikes::default(); chunk_count(n)],
            chunk_windows: Vec::new(),
        }
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True for an empty population.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// State vector `j`.
    pub fn var(&self, j: usize) -> &Padded {
        &self.state[j]
    }

    /// State vector `j`, mutable.
    pub fn var_mut(&mut self, j: usize) -> &mut Padded {
        &mut self.state[j]
    }

    /// Advances every neuron one step with `inputs[port]` (each of this population's length,
    /// padding lanes zero; missing ports are zero) and writes the spikes, ascending ids, to
    /// `out` (cleared first).
    pub fn step(&mut self, inputs: &[&Padded], kernel: Kernel, par: Par<'_>, out: &mut Spikes) {
        out.clear();
        let n = self.n;
        assert!(inputs.len() <= MAX_PORTS);
        for x in inputs {
            assert_eq!(x.len(), n, "input length");
        }
        let model = &self.model;
        let run = |(ci, (st, buf)): (usize, (&mut [&mut [f32x8]; K], &mut Spikes))| {
            buf.clear();
            let at = ChunkAt::new(ci, n);
            let mut ins: [&[f32x8]; MAX_PORTS] = [&[]; MAX_PORTS];
            for (i, x) in ins.iter_mut().zip(inputs) {
                *i = &x.lanes()[at.lanes.clone()];
            }
            model.step_chunk(kernel, &at, st, &ins[..inputs.len()], buf);
        };
        if n <= CHUNK {
            // One chunk (a NEF ensemble, say): its spikes are the population's, written
            // straight to `out` — no list of chunks to allocate, no spikes to copy.
            let mut st = self.state.each_mut().map(|p| p.lanes_mut());
            return run((0, (&mut st, out)));
        }
        let mut parts = split(&mut self.state, model.strides(), n);
        each_chunk(par, &mut parts, &mut self.chunk_spikes, run);
        for s in &self.chunk_spikes {
            out.extend_from(s);
        }
    }

    /// Advances every neuron `steps` steps with zero input on every port and writes every
    /// step's spikes to `out` (cleared first).
    ///
    /// Temporal blocking: each chunk (a few KiB of state, in L1) is advanced through all
    /// `steps` before the next chunk is touched, so state streams from memory once per call
    /// instead of once per step. Every neuron goes through exactly the operations of `steps`
    /// calls of [`step`](Self::step) without inputs, so the result is bit-identical to
    /// stepping one step at a time (tested), whatever `par`.
    pub fn run_steps(&mut self, steps: usize, kernel: Kernel, par: Par<'_>, out: &mut SpikeWindow) {
        out.clear();
        if steps == 0 {
            return;
        }
        let n = self.n;
        let model = &self.model;
        let run = |(ci, (st, buf)): (usize, (&mut [&mut [f32x8]; K], &mut SpikeWindow))| {
            buf.clear();
            buf.starts.push(0);
            let at = ChunkAt::new(ci, n);
            let mut spikes = Spikes {
                ids: std::mem::take(&mut buf.ids),
                offsets: std::mem::take(&mut buf.offsets),
            };
            for _ in 0..steps {
                model.step_chunk(kernel, &at, st, &[], &mut spikes);
                buf.starts.push(spikes.ids.len());
            }
            buf.ids = spikes.ids;
            buf.offsets = spikes.offsets;
        };
        let mut parts = split(&mut self.state, model.strides(), n);
        self.chunk_windows
            .resize_with(parts.len(), SpikeWindow::default);
        each_chunk(par, &mut parts, &mut self.chunk_windows, run);
        merge_windows(self.chunk_windows.iter(), steps, out);
    }

    /// Every chunk borrowed as a [`NeuronChunk`] (SIMD kernel), in chunk order.
    pub fn chunks(&mut self) -> Vec<Box<dyn NeuronChunk + '_>>
    where
        M: Sync,
    {
        let n = self.n;
        let model = &self.model;
        split(&mut self.state, model.strides(), n)
            .into_iter()
            .enumerate()
            .map(|(ci, state)| {
                Box::new(ChunkRef {
                    model,
                    at: ChunkAt::new(ci, n),
                    state,
                }) as Box<dyn NeuronChunk + '_>
            })
            .collect()
    }
}

/// Runs `f(i, (part i, buffer i))` for every chunk, sequentially or on the pool.
fn each_chunk<P: Send, B: Send>(
    par: Par<'_>,
    parts: &mut [P],
    bufs: &mut [B],
    f: impl Fn((usize, (&mut P, &mut B))) + Send + Sync,
) {
    match par {
        Par::Pool(pool) if parts.len() > 1 => pool.install(|| {
            parts
                .par_iter_mut()
                .zip(bufs.par_iter_mut())
                .enumerate()
                .for_each(f)
        }),
        _ => parts
            .iter_mut()
            .zip(bufs.iter_mut())
            .enumerate()
            .for_each(f),
    }
}

/// Appends `steps` steps of the per-chunk windows `chunks` to `out` (cleared first): step by
/// step, chunks in order, so ids ascend within a step.
pub fn merge_windows<'a, I>(chunks: I, steps: usize, out: &mut SpikeWindow)
where
    I: Iterator<Item = &'a SpikeWindow> + Clone,
{
    out.clear();
    let total = chunks.clone().map(SpikeWindow::len).sum();
    out.ids.reserve(total);
    out.offsets.reserve(total);
    out.starts.push(0);
    for s in 0..steps {
        for w in chunks.clone() {
            let (ids, offsets) = w.step(s);
            out.ids.extend_from_slice(ids);
            out.offsets.extend_from_slice(offsets);
        }
        out.starts.push(out.ids.len());
    }
}

/// A chunk of a [`Chunked`] population, borrowed.
struct ChunkRef<'a, M, const K: usize> {
    model: &'a M,
    at: ChunkAt,
    state: [&'a mut [f32x8]; K],
}

impl<M: ChunkStep<K>, const K: usize> NeuronChunk for ChunkRef<'_, M, K> {
    fn lanes(&self) -> usize {
        self.at.len()
    }
    fn step(&mut self, inputs: &[&[f32x8]], out: &mut Spikes) {
        self.model
            .step_chunk(Kernel::Simd, &self.at, &mut self.state, inputs, out)
    }
}

/// The first `m` f32 values of a run of SIMD vectors (the scalar kernels' view of a chunk).
pub fn flat(x: &[f32x8], m: usize) -> &[f32] {
    &bytemuck::cast_slice(x)[..m]
}

/// The first `m` f32 values of a run of SIMD vectors, mutable.
pub fn flat_mut(x: &mut [f32x8], m: usize) -> &mut [f32] {
    &mut bytemuck::cast_slice_mut(x)[..m]
}

/// Input port `port` of a chunk: the given slice, or zeros of the chunk's length.
pub fn port<'a>(inputs: &[&'a [f32x8]], port: usize, at: &ChunkAt) -> &'a [f32x8] {
    match inputs.get(port) {
        Some(x) => x,
        None => &ZERO_CHUNK[..at.len()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_population_exactly() {
        for n in [0, 1, 7, 8, 9, 2047, 2048, 2049, 5000] {
            let at: Vec<ChunkAt> = (0..chunk_count(n)).map(|c| ChunkAt::new(c, n)).collect();
            assert_eq!(at.iter().map(|a| a.n_valid).sum::<usize>(), n);
            assert_eq!(
                at.iter().map(ChunkAt::len).sum::<usize>(),
                n.div_ceil(LANES)
            );
            for w in at.windows(2) {
                assert_eq!(w[0].lanes.end, w[1].lanes.start);
            }
        }
    }
}

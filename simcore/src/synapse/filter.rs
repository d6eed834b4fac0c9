//! [`PscFilter`]: the synaptic filter state of N targets, stepped over fixed chunks.

use rayon::prelude::*;
use wide::f32x8;

use crate::SimError;
use crate::kernels::psc::{PscConsts, psc_step_scalar, psc_step_simd};
use crate::lanes::{LANES, Padded, padded_len};
use crate::par::{CHUNK_LANES, Par};
use crate::population::Kernel;
use crate::synapse::{Discretisation, PscCoeffs, PscShape};

/// One work chunk: index, (input, output), state.
type ChunkArgs<'a> = (usize, ((&'a [f32x8], &'a mut [f32x8]), &'a mut [f32x8]));

/// One PSC filter per target (neuron, or dimension of a decoded vector), all with the same
/// kernel. Feed it each target's summed input for the step (impulse areas or held values,
/// per its [`Discretisation`]); it adds its output into a buffer (usually a population's
/// input port).
#[derive(Clone, Debug)]
pub struct PscFilter {
    name: String,
    shape: PscShape,
    disc: Discretisation,
    dt: f64,
    consts: PscConsts,
    state: Vec<f32x8>,
    len: usize,
}

impl PscFilter {
    /// Filters for `n` targets named `name`, kernel `shape`, discretised by `disc` for time
    /// step `dt` (s), all state zero.
    pub fn new(
        name: &str,
        shape: PscShape,
        disc: Discretisation,
        dt: f64,
        n: usize,
    ) -> Result<Self, SimError> {
        shape.validate(name)?;
        if !(dt > 0.0 && dt.is_finite()) {
            return Err(SimError::Param {
                object: name.to_string(),
                key: "dt",
                value: dt.to_string(),
                msg: "must be a positive, finite time".into(),
            });
        }
        let consts = PscConsts::new(&PscCoeffs::new(shape, disc, dt));
        Ok(Self {
            name: name.to_string(),
            shape,
            disc,
            dt,
            state: vec![f32x8::ZERO; padded_len(n) / LANES * consts.stages],
            consts,
            len: n,
        })
    }

    /// Multiplies every input by `scale` before filtering (folded into the coefficients, so it
    /// costs nothing per step). E.g. a conductance that jumps by w (nS) per spike and decays
    /// with τ is an exponential filter of impulses w·τ: `with_input_scale(tau)`.
    pub fn with_input_scale(mut self, scale: f64) -> Self {
        let mut k = PscCoeffs::new(self.shape, self.disc, self.dt);
        k.b.iter_mut().for_each(|b| *b *= scale);
        k.d *= scale;
        self.consts = PscConsts::new(&k);
        self
    }

    /// Name, for errors.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of targets.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no targets.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Kernel shape.
    pub fn shape(&self) -> PscShape {
        self.shape
    }

    /// Discretisation.
    pub fn discretisation(&self) -> Discretisation {
        self.disc
    }

    /// Time step, seconds.
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// The f32 step coefficients.
    pub fn consts(&self) -> &PscConsts {
        &self.consts
    }

    /// The state, mutable, in the kernel layout (stages of each vector of targets adjacent),
    /// for stepping parts of it with [`crate::kernels::psc`] and [`PscFilter::consts`].
    pub fn state_mut(&mut self) -> &mut [f32x8] {
        &mut self.state
    }

    /// Sets every state to zero.
    pub fn reset(&mut self) {
        self.state.fill(f32x8::ZERO);
    }

    /// Value of cascade stage `j` (0 ≤ j ≤ n) for each target; the last stage is the filtered
    /// signal at the current step boundary (zero-length for delta).
    pub fn stage(&self, j: usize) -> Vec<f32> {
        let s = self.consts.stages;
        assert!(j < s, "filter `{}` has {s} stages", self.name);
        (0..self.len)
            .map(|i| self.state[(i / LANES) * s + j].as_array()[i % LANES])
            .collect()
    }

    /// Advances one step with the SIMD kernel: reads `input` (this step's per-target input,
    /// padding lanes zero) and adds the step's output into `out`. Both must have this
    /// filter's length. Chunks are fixed, so any `par` gives bit-identical results.
    pub fn step(&mut self, input: &Padded, out: &mut Padded, par: Par<'_>) {
        self.step_with(input, out, Kernel::Simd, par)
    }

    /// [`PscFilter::step`] with a chosen kernel (the scalar reference is for tests and
    /// benchmarks; both give identical bits).
    pub fn step_with(&mut self, input: &Padded, out: &mut Padded, kernel: Kernel, par: Par<'_>) {
        assert!(
            input.len() == self.len && out.len() == self.len,
            "filter `{}`: {} targets, input {}, output {}",
            self.name,
            self.len,
            input.len(),
            out.len()
        );
        let c = self.consts;
        let s = c.stages;
        let n = self.len;
        let run = |(ci, ((u, o), x)): ChunkArgs<'_>| match kernel {
            Kernel::Simd => psc_step_simd(&c, u, x, o),
            Kernel::Scalar => {
                let m = (n - ci * CHUNK_LANES * LANES).min(u.len() * LANES);
                let u: &[f32] = bytemuck::cast_slice(u);
                let o: &mut [f32] = bytemuck::cast_slice_mut(o);
                psc_step_scalar(&c, &u[..m], bytemuck::cast_slice_mut(x), &mut o[..m]);
            }
        };
        let u = input.lanes();
        let o = out.lanes_mut();
        if s == 0 {
            // Delta: stateless, one pass.
            return run((0, ((u, o), &mut [])));
        }
        let state = &mut self.state;
        match par {
            Par::Seq => u
                .chunks(CHUNK_LANES)
                .zip(o.chunks_mut(CHUNK_LANES))
                .zip(state.chunks_mut(CHUNK_LANES * s))
                .enumerate()
                .for_each(run),
            Par::Pool(pool) => pool.install(|| {
                u.par_chunks(CHUNK_LANES)
                    .zip(o.par_chunks_mut(CHUNK_LANES))
                    .zip(state.par_chunks_mut(CHUNK_LANES * s))
                    .enumerate()
                    .for_each(run)
            }),
        }
    }

    /// One step on plain slices (small d-dimensional vectors, e.g. NEF decoded values) with the
    /// scalar kernel; `input` and `out` must have this filter's length. Same bits as
    /// [`PscFilter::step`].
    pub fn step_values(&mut self, input: &[f32], out: &mut [f32]) {
        assert!(input.len() == self.len && out.len() == self.len);
        psc_step_scalar(
            &self.consts,
            input,
            bytemuck::cast_slice_mut(&mut self.state),
            out,
        );
    }

    /// First non-finite state value, described for an error message.
    pub fn find_non_finite(&self) -> Option<String> {
        // The state interleaves the stages vector by vector: `state[(i / LANES)·s + j]` holds
        // lane `i % LANES` of stage `j` (padding lanes stay 0).
        let s = self.consts.stages;
        let flat: &[f32] = bytemuck::cast_slice(&self.state);
        let mut from = 0;
        while let Some(q) = crate::lanes::position_non_finite(&flat[from..]).map(|q| q + from) {
            let (v, lane) = (q / LANES, q % LANES);
            let (i, j) = ((v / s) * LANES + lane, v % s);
            if i < self.len {
                return Some(format!("filter `{}` target {i} stage {j}", self.name));
            }
            from = q + 1;
        }
        None
    }
}

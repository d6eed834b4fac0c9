//! A population of LIF neurons: struct-of-arrays state stepped by the kernels in
//! [`crate::kernels::lif`], sequentially or over fixed chunks on a rayon pool.

use rayon::prelude::*;

use crate::SimError;
use crate::kernels::lif::{
    LifConsts, lif_step_delta_scalar, lif_step_delta_simd, lif_step_scalar, lif_step_simd,
};
use crate::lanes::{LANES, Padded};
use crate::neuron::lif::LifParams;
use crate::par::{CHUNK, CHUNK_LANES, Par};
use crate::spikes::{SpikeWindow, Spikes};
use wide::f32x8;

/// Which kernel steps the population.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Kernel {
    /// The f32x8 SIMD kernel (default).
    #[default]
    Simd,
    /// The scalar reference kernel.
    Scalar,
}

/// The first `m` f32 values of a run of SIMD vectors.
fn flat(x: &[wide::f32x8], m: usize) -> &[f32] {
    &bytemuck::cast_slice(x)[..m]
}

/// N LIF neurons in normalised units with per-neuron bias current.
#[derive(Clone, Debug)]
pub struct LifPopulation {
    name: String,
    params: LifParams,
    consts: LifConsts,
    v: Padded,
    r: Padded,
    bias: Padded,
    chunk_spikes: Vec<Spikes>,
    chunk_windows: Vec<SpikeWindow>,
    /// The `jump` input port is on (see [`LifPopulation::with_jump_port`]).
    pub(crate) jump_port: bool,
}

impl LifPopulation {
    /// `n` neurons named `name`, at rest (`v = 0`, not refractory), with constant input
    /// current `bias` (one value per neuron), stepped with time step `dt` (s).
    pub fn new(name: &str, params: LifParams, dt: f64, bias: &[f32]) -> Result<Self, SimError> {
        params.validate(name)?;
        if !(dt > 0.0 && dt.is_finite()) {
            return Err(SimError::Param {
                object: name.to_string(),
                key: "dt",
                value: dt.to_string(),
                msg: "must be a positive, finite time".into(),
            });
        }
        let n = bias.len();
        let consts = LifConsts::new(
            dt as f32,
            params.tau_rc as f32,
            params.tau_ref as f32,
            params.min_voltage as f32,
        );
        Ok(Self {
            name: name.to_string(),
            params,
            consts,
            v: Padded::filled(n, 0.0),
            r: Padded::filled(n, 0.0),
            bias: Padded::from_slice(bias, 0.0),
            chunk_spikes: vec![Spikes::default(); n.div_ceil(CHUNK)],
            chunk_windows: Vec::new(),
            jump_port: false,
        })
    }

    /// Gives the population a second input port, `jump`, for delta synapses: voltage jumps
    /// added at the end of the step unless refractory (see [`crate::kernels::lif`]).
    pub fn with_jump_port(mut self) -> Self {
        self.jump_port = true;
        self
    }

    /// True when the population has the `jump` input port.
    pub fn has_jump_port(&self) -> bool {
        self.jump_port
    }

    /// Population name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.v.len()
    }

    /// True for an empty population.
    pub fn is_empty(&self) -> bool {
        self.v.is_empty()
    }

    /// Model parameters.
    pub fn params(&self) -> &LifParams {
        &self.params
    }

    /// Step constants.
    pub fn consts(&self) -> &LifConsts {
        &self.consts
    }

    /// Normalised membrane voltages.
    pub fn voltage(&self) -> &[f32] {
        self.v.as_slice()
    }

    /// Normalised membrane voltages, mutable (e.g. to set initial state).
    pub fn voltage_mut(&mut self) -> &mut [f32] {
        self.v.as_mut_slice()
    }

    /// Refractory time left (s) at the start of the next step.
    pub fn refractory(&self) -> &[f32] {
        self.r.as_slice()
    }

    /// Refractory time left, mutable.
    pub fn refractory_mut(&mut self) -> &mut [f32] {
        self.r.as_mut_slice()
    }

    /// Constant input currents.
    pub fn bias(&self) -> &[f32] {
        self.bias.as_slice()
    }

    /// Constant input currents, mutable.
    pub fn bias_mut(&mut self) -> &mut [f32] {
        self.bias.as_mut_slice()
    }

    /// Advances every neuron by one step with input current `bias + input` and writes the
    /// spikes (ascending ids) to `out` (cleared first). `input`, when given, must have this
    /// population's length; its padding lanes must be zero.
    pub fn step(&mut self, input: Option<&Padded>, kernel: Kernel, par: Par<'_>, out: &mut Spikes) {
        self.step_inner(input, None, kernel, par, out)
    }

    /// As [`step`](Self::step), plus the voltage jumps `jump` of delta synapses (one per
    /// neuron, padding lanes zero) added at the end of the step unless refractory.
    pub fn step_with_jumps(
        &mut self,
        input: Option<&Padded>,
        jump: &Padded,
        kernel: Kernel,
        par: Par<'_>,
        out: &mut Spikes,
    ) {
        self.step_inner(input, Some(jump), kernel, par, out)
    }

    fn step_inner(
        &mut self,
        input: Option<&Padded>,
        jump: Option<&Padded>,
        kernel: Kernel,
        par: Par<'_>,
        out: &mut Spikes,
    ) {
        out.clear();
        let n = self.len();
        for x in input.iter().chain(jump.iter()) {
            assert_eq!(x.len(), n, "input length of population `{}`", self.name);
        }
        let c = self.consts;
        let bias = self.bias.lanes();
        let input = input.map(Padded::lanes);
        let jump = jump.map(Padded::lanes);
        let run = |(ci, ((v, r), buf)): (usize, ((&mut [_], &mut [_]), &mut Spikes))| {
            buf.clear();
            let chunk = Chunk { c: &c, n, ci };
            chunk.step(kernel, bias, input, jump, v, r, buf);
        };
        let v = self.v.lanes_mut();
        let r = self.r.lanes_mut();
        match par {
            Par::Seq => v
                .chunks_mut(CHUNK_LANES)
                .zip(r.chunks_mut(CHUNK_LANES))
                .zip(self.chunk_spikes.iter_mut())
                .enumerate()
                .for_each(run),
            Par::Pool(pool) => pool.install(|| {
                v.par_chunks_mut(CHUNK_LANES)
                    .zip(r.par_chunks_mut(CHUNK_LANES))
                    .zip(self.chunk_spikes.par_iter_mut())
                    .enumerate()
                    .for_each(run)
            }),
        }
        for s in &self.chunk_spikes {
            out.extend_from(s);
        }
    }

    /// Advances every neuron by `steps` steps with its bias current as the only input (a
    /// population without coupling) and writes the spikes of every step, tagged by step, to
    /// `out` (cleared first).
    ///
    /// Temporal blocking: each work chunk of [`CHUNK`] neurons (its `v`, `r` and bias, 24 KiB,
    /// stay in L1) is advanced through all `steps` before the next chunk is touched, so state
    /// streams from memory once per call instead of once per step. Every neuron goes through
    /// exactly the operations of `steps` calls of [`step`](Self::step) with no input, so the
    /// result is bit-identical to stepping one step at a time (tested), whatever `par`.
    pub fn run_steps(&mut self, steps: usize, kernel: Kernel, par: Par<'_>, out: &mut SpikeWindow) {
        out.clear();
        if steps == 0 {
            return;
        }
        let n = self.len();
        let c = self.consts;
        let bias = self.bias.lanes();
        let run = |(ci, ((v, r), buf)): (usize, ((&mut [_], &mut [_]), &mut SpikeWindow))| {
            buf.clear();
            buf.starts.push(0);
            let chunk = Chunk { c: &c, n, ci };
            let mut spikes = Spikes {
                ids: std::mem::take(&mut buf.ids),
                offsets: std::mem::take(&mut buf.offsets),
            };
            for _ in 0..steps {
                chunk.step(kernel, bias, None, None, v, r, &mut spikes);
                buf.starts.push(spikes.ids.len());
            }
            buf.ids = spikes.ids;
            buf.offsets = spikes.offsets;
        };
        let chunks = n.div_ceil(CHUNK);
        self.chunk_windows.resize_with(chunks, SpikeWindow::default);
        let v = self.v.lanes_mut();
        let r = self.r.lanes_mut();
        match par {
            Par::Pool(pool) if chunks > 1 => pool.install(|| {
                v.par_chunks_mut(CHUNK_LANES)
                    .zip(r.par_chunks_mut(CHUNK_LANES))
                    .zip(self.chunk_windows.par_iter_mut())
                    .enumerate()
                    .for_each(run)
            }),
            _ => v
                .chunks_mut(CHUNK_LANES)
                .zip(r.chunks_mut(CHUNK_LANES))
                .zip(self.chunk_windows.iter_mut())
                .enumerate()
                .for_each(run),
        }
        // Merge: step by step, chunks in order (ids ascend within a step).
        let total = self.chunk_windows.iter().map(SpikeWindow::len).sum();
        out.ids.reserve(total);
        out.offsets.reserve(total);
        out.starts.push(0);
        for s in 0..steps {
            for w in &self.chunk_windows {
                let (ids, offsets) = w.step(s);
                out.ids.extend_from_slice(ids);
                out.offsets.extend_from_slice(offsets);
            }
            out.starts.push(out.ids.len());
        }
    }

    /// First non-finite state value, as `(neuron, variable)`.
    pub fn find_non_finite(&self) -> Option<(usize, &'static str)> {
        crate::lanes::first_non_finite([
            ("v", &self.v),
            ("refractory", &self.r),
            ("bias", &self.bias),
        ])
    }
}

/// One work chunk of a population: which chunk, and the population's constants and size.
struct Chunk<'a> {
    c: &'a LifConsts,
    n: usize,
    ci: usize,
}

impl Chunk<'_> {
    /// Advances this chunk's neurons (`v`, `r`: the chunk's vectors) by one step with the
    /// chosen kernel, appending spikes (population ids) to `buf`.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn step(
        &self,
        kernel: Kernel,
        bias: &[f32x8],
        input: Option<&[f32x8]>,
        jump: Option<&[f32x8]>,
        v: &mut [f32x8],
        r: &mut [f32x8],
        buf: &mut Spikes,
    ) {
        let c = self.c;
        let lo = self.ci * CHUNK_LANES;
        let hi = lo + v.len();
        let base = (self.ci * CHUNK) as u32;
        let n_valid = self.n - self.ci * CHUNK;
        match (kernel, jump) {
            (Kernel::Simd, None) => lif_step_simd(
                c,
                &bias[lo..hi],
                input.map(|x| &x[lo..hi]),
                v,
                r,
                base,
                n_valid,
                buf,
            ),
            (Kernel::Simd, Some(jump)) => lif_step_delta_simd(
                c,
                &bias[lo..hi],
                input.map(|x| &x[lo..hi]),
                &jump[lo..hi],
                v,
                r,
                base,
                n_valid,
                buf,
            ),
            (Kernel::Scalar, jump) => {
                let m = n_valid.min(v.len() * LANES);
                let vs: &mut [f32] = bytemuck::cast_slice_mut(v);
                let rs: &mut [f32] = bytemuck::cast_slice_mut(r);
                let (bias, input) = (flat(&bias[lo..hi], m), input.map(|x| flat(&x[lo..hi], m)));
                let (vs, rs) = (&mut vs[..m], &mut rs[..m]);
                match jump {
                    None => lif_step_scalar(c, bias, input, vs, rs, base, buf),
                    Some(j) => {
                        let j = flat(&j[lo..hi], m);
                        lif_step_delta_scalar(c, bias, input, j, vs, rs, base, buf)
                    }
                }
            }
        }
    }
}

//! A population of Hodgkin–Huxley neurons ([`crate::neuron::hh`]) stepped by the kernels in
//! [`crate::kernels::hh`] over fixed chunks, sequentially or on a rayon pool.

use rayon::prelude::*;
use wide::f32x8;

use crate::SimError;
use crate::kernels::hh::{
    HhConsts, HhMethod, HhState, hh_gates_half_step_back, hh_step_scalar, hh_step_simd,
};
use crate::lanes::{LANES, Padded};
use crate::neuron::hh::{HhParams, HhUnits, hh_steady_state};
use crate::neurons::Neurons;
use crate::par::{CHUNK, CHUNK_LANES, Par};
use crate::population::Kernel;
use crate::spikes::Spikes;

/// N Hodgkin–Huxley neurons with per-neuron constant current. One input port, `current`, in
/// the parameters' unit system (µA/cm² or pA), held over the step.
#[derive(Clone, Debug)]
pub struct HhPopulation {
    name: String,
    params: HhParams,
    method: HhMethod,
    dt: f64,
    c32: HhConsts<f32>,
    c8: HhConsts<f32x8>,
    v: Padded,
    m: Padded,
    h: Padded,
    n: Padded,
    lock: Padded,
    bias: Padded,
    chunk_spikes: Vec<Spikes>,
}

/// One chunk of work: index, state runs, spike buffer.
type Chunk<'a> = (
    usize,
    (
        (
            (
                ((&'a mut [f32x8], &'a mut [f32x8]), &'a mut [f32x8]),
                &'a mut [f32x8],
            ),
            &'a mut [f32x8],
        ),
        &'a mut Spikes,
    ),
);

impl HhPopulation {
    /// `n` neurons named `name` at rest ([`HhParams::v_init`], gates at steady state, no
    /// lock-out) with constant currents `bias` (one per neuron), integrated by `method` with
    /// time step `dt` (s).
    pub fn new(
        name: &str,
        params: HhParams,
        method: HhMethod,
        dt: f64,
        bias: &[f32],
    ) -> Result<Self, SimError> {
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
        let mut pop = Self {
            name: name.to_string(),
            params,
            method,
            dt,
            c32: HhConsts::new(&params, dt),
            c8: HhConsts::new(&params, dt),
            v: Padded::filled(n, params.v_init as f32),
            m: Padded::filled(n, 0.0),
            h: Padded::filled(n, 0.0),
            n: Padded::filled(n, 0.0),
            lock: Padded::filled(n, 0.0),
            bias: Padded::from_slice(bias, 0.0),
            chunk_spikes: vec![Spikes::default(); n.div_ceil(CHUNK)],
        };
        pop.set_voltage_at_rest_gates(&vec![params.v_init as f32; n]);
        // Padding lanes get the same resting state as real neurons (inert, finite).
        let (m0, h0, n0) = pop.stored_gates(params.v_init);
        pop.m.padded_mut()[n..].fill(m0);
        pop.h.padded_mut()[n..].fill(h0);
        pop.n.padded_mut()[n..].fill(n0);
        Ok(pop)
    }

    /// Gates as stored for a neuron at rest at `v`: steady state, moved back half a step for
    /// the staggered method.
    fn stored_gates(&self, v: f64) -> (f32, f32, f32) {
        let (m, h, n) = hh_steady_state(v);
        let [m, h, n] = match self.method {
            HhMethod::Staggered => hh_gates_half_step_back(v, self.dt, [m, h, n]),
            _ => [m, h, n],
        };
        (m as f32, h as f32, n as f32)
    }

    /// Sets each neuron's membrane potential (mV) with its gates at their steady state for
    /// that potential (e.g. a random initial state); `v` has one value per neuron.
    pub fn set_voltage_at_rest_gates(&mut self, v: &[f32]) {
        assert_eq!(v.len(), self.len(), "population `{}`", self.name);
        for (i, &vi) in v.iter().enumerate() {
            let (m, h, n) = self.stored_gates(f64::from(vi));
            self.v.as_mut_slice()[i] = vi;
            self.m.as_mut_slice()[i] = m;
            self.h.as_mut_slice()[i] = h;
            self.n.as_mut_slice()[i] = n;
        }
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
    pub fn params(&self) -> &HhParams {
        &self.params
    }

    /// Integration method.
    pub fn method(&self) -> HhMethod {
        self.method
    }

    /// Membrane potentials, mV.
    pub fn voltage(&self) -> &[f32] {
        self.v.as_slice()
    }

    /// Gate variables `(m, h, n)` (for [`HhMethod::Staggered`], at half a step before the
    /// current time).
    pub fn gates(&self) -> (&[f32], &[f32], &[f32]) {
        (self.m.as_slice(), self.h.as_slice(), self.n.as_slice())
    }

    /// Constant currents (parameters' unit), mutable.
    pub fn bias_mut(&mut self) -> &mut [f32] {
        self.bias.as_mut_slice()
    }

    /// Advances every neuron one step with current `bias + input` (`input` of this
    /// population's length, zero padding; `None` for no input) and writes spikes, ascending
    /// ids, to `out` (cleared first).
    pub fn step(&mut self, input: Option<&Padded>, kernel: Kernel, par: Par<'_>, out: &mut Spikes) {
        out.clear();
        let n = self.len();
        if let Some(x) = input {
            assert_eq!(x.len(), n, "input length of population `{}`", self.name);
        }
        let zeros;
        let input = match input {
            Some(x) => x.lanes(),
            None => {
                zeros = vec![f32x8::ZERO; self.bias.lanes().len()];
                &zeros[..]
            }
        };
        let (c32, c8, method) = (self.c32, self.c8, self.method);
        let bias = self.bias.lanes();
        let run = |(ci, (((((v, m), h), nn), lock), buf)): Chunk<'_>| {
            buf.clear();
            let lo = ci * CHUNK_LANES;
            let hi = lo + v.len();
            let base = (ci * CHUNK) as u32;
            let n_valid = n - ci * CHUNK;
            match kernel {
                Kernel::Simd => {
                    let s = HhState {
                        v,
                        m,
                        h,
                        n: nn,
                        lock,
                    };
                    hh_step_simd(
                        &c8,
                        method,
                        &bias[lo..hi],
                        &input[lo..hi],
                        s,
                        base,
                        n_valid,
                        buf,
                    )
                }
                Kernel::Scalar => {
                    let k = n_valid.min(v.len() * LANES);
                    fn f(x: &mut [f32x8], k: usize) -> &mut [f32] {
                        &mut bytemuck::cast_slice_mut(x)[..k]
                    }
                    fn g(x: &[f32x8], k: usize) -> &[f32] {
                        &bytemuck::cast_slice(x)[..k]
                    }
                    let (b, u) = (g(&bias[lo..hi], k), g(&input[lo..hi], k));
                    let s = HhState {
                        v: f(v, k),
                        m: f(m, k),
                        h: f(h, k),
                        n: f(nn, k),
                        lock: f(lock, k),
                    };
                    hh_step_scalar(&c32, method, b, u, s, base, buf)
                }
            }
        };
        let (v, m, h) = (self.v.lanes_mut(), self.m.lanes_mut(), self.h.lanes_mut());
        let (nn, lock) = (self.n.lanes_mut(), self.lock.lanes_mut());
        match par {
            Par::Seq => v
                .chunks_mut(CHUNK_LANES)
                .zip(m.chunks_mut(CHUNK_LANES))
                .zip(h.chunks_mut(CHUNK_LANES))
                .zip(nn.chunks_mut(CHUNK_LANES))
                .zip(lock.chunks_mut(CHUNK_LANES))
                .zip(self.chunk_spikes.iter_mut())
                .enumerate()
                .for_each(run),
            Par::Pool(pool) => pool.install(|| {
                v.par_chunks_mut(CHUNK_LANES)
                    .zip(m.par_chunks_mut(CHUNK_LANES))
                    .zip(h.par_chunks_mut(CHUNK_LANES))
                    .zip(nn.par_chunks_mut(CHUNK_LANES))
                    .zip(lock.par_chunks_mut(CHUNK_LANES))
                    .zip(self.chunk_spikes.par_iter_mut())
                    .enumerate()
                    .for_each(run)
            }),
        }
        for s in &self.chunk_spikes {
            out.extend_from(s);
        }
    }
}

impl Neurons for HhPopulation {
    fn len(&self) -> usize {
        HhPopulation::len(self)
    }
    fn model(&self) -> &'static str {
        "hh"
    }
    fn ports(&self) -> &'static [(&'static str, &'static str)] {
        match self.params.units {
            HhUnits::Density => &[("current", "µA/cm²")],
            HhUnits::Physical => &[("current", "pA")],
        }
    }
    fn step(&mut self, inputs: &[Padded], par: Par<'_>, out: &mut Spikes) {
        HhPopulation::step(self, Some(&inputs[0]), Kernel::Simd, par, out)
    }
    fn variables(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("v", "mV"),
            ("m", "1"),
            ("h", "1"),
            ("n", "1"),
            ("lock", "ms (spike lock-out left)"),
        ]
    }
    fn variable(&self, name: &str) -> Option<&[f32]> {
        match name {
            "v" => Some(self.v.as_slice()),
            "m" => Some(self.m.as_slice()),
            "h" => Some(self.h.as_slice()),
            "n" => Some(self.n.as_slice()),
            "lock" => Some(self.lock.as_slice()),
            _ => None,
        }
    }
    fn find_non_finite(&self) -> Option<(usize, &'static str)> {
        crate::lanes::first_non_finite([
            ("v", &self.v),
            ("m", &self.m),
            ("h", &self.h),
            ("n", &self.n),
            ("bias", &self.bias),
        ])
    }
}

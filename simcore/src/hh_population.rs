//! A population of Hodgkin–Huxley neurons ([`crate::neuron::hh`]) stepped by the kernels in
//! [`crate::kernels::hh`] through the fixed-chunk driver [`crate::chunked`].

use wide::f32x8;

use crate::SimError;
use crate::chunked::{ChunkAt, ChunkStep, Chunked, NeuronChunk, flat, flat_mut, port};
use crate::kernels::hh::{
    HhConsts, HhMethod, HhState, hh_gates_half_step_back, hh_step_scalar, hh_step_simd,
};
use crate::lanes::Padded;
use crate::neuron::hh::{HhParams, HhUnits, hh_steady_state};
use crate::neurons::Neurons;
use crate::par::Par;
use crate::population::Kernel;
use crate::spikes::Spikes;

/// N Hodgkin–Huxley neurons with per-neuron constant current. One input port, `current`, in
/// the parameters' unit system (µA/cm² or pA), held over the step.
#[derive(Clone, Debug)]
pub struct HhPopulation {
    name: String,
    params: HhParams,
    dt: f64,
    /// State `[v, m, h, n, lock]` over fixed chunks.
    state: Chunked<HhModel, 5>,
}

/// Indices of the state vectors.
const V: usize = 0;
const M: usize = 1;
const H: usize = 2;
const N: usize = 3;
const LOCK: usize = 4;

/// The HH model of one population: constants (scalar and SIMD), method and biases.
#[derive(Clone, Debug)]
struct HhModel {
    method: HhMethod,
    c32: HhConsts<f32>,
    c8: HhConsts<f32x8>,
    bias: Padded,
}

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
        let model = HhModel {
            method,
            c32: HhConsts::new(&params, dt),
            c8: HhConsts::new(&params, dt),
            bias: Padded::from_slice(bias, 0.0),
        };
        let zero = || Padded::filled(n, 0.0);
        let state = [
            Padded::filled(n, params.v_init as f32),
            zero(),
            zero(),
            zero(),
            zero(),
        ];
        let mut pop = Self {
            name: name.to_string(),
            params,
            dt,
            state: Chunked::new(model, state, n),
        };
        pop.set_voltage_at_rest_gates(&vec![params.v_init as f32; n]);
        // Padding lanes get the same resting state as real neurons (inert, finite).
        let gates = pop.stored_gates(params.v_init);
        for (j, g) in [M, H, N].into_iter().zip(gates) {
            pop.state.var_mut(j).padded_mut()[n..].fill(g);
        }
        Ok(pop)
    }

    /// Gates as stored for a neuron at rest at `v`: steady state, moved back half a step for
    /// the staggered method.
    fn stored_gates(&self, v: f64) -> [f32; 3] {
        let (m, h, n) = hh_steady_state(v);
        let g = match self.method() {
            HhMethod::Staggered => hh_gates_half_step_back(v, self.dt, [m, h, n]),
            _ => [m, h, n],
        };
        g.map(|x| x as f32)
    }

    /// Sets each neuron's membrane potential (mV) with its gates at their steady state for
    /// that potential (e.g. a random initial state); `v` has one value per neuron.
    pub fn set_voltage_at_rest_gates(&mut self, v: &[f32]) {
        assert_eq!(v.len(), self.len(), "population `{}`", self.name);
        for (i, &vi) in v.iter().enumerate() {
            let gates = self.stored_gates(f64::from(vi));
            self.state.var_mut(V).as_mut_slice()[i] = vi;
            for (j, g) in [M, H, N].into_iter().zip(gates) {
                self.state.var_mut(j).as_mut_slice()[i] = g;
            }
        }
    }

    crate::chunked::population_accessors!(HhParams);

    /// Integration method.
    pub fn method(&self) -> HhMethod {
        self.state.model.method
    }

    /// Membrane potentials, mV.
    pub fn voltage(&self) -> &[f32] {
        self.state.var(V).as_slice()
    }

    /// Gate variables `(m, h, n)` (for [`HhMethod::Staggered`], at half a step before the
    /// current time).
    pub fn gates(&self) -> (&[f32], &[f32], &[f32]) {
        let g = |j| self.state.var(j).as_slice();
        (g(M), g(H), g(N))
    }

    /// Constant currents (parameters' unit), mutable.
    pub fn bias_mut(&mut self) -> &mut [f32] {
        self.state.model.bias.as_mut_slice()
    }

    /// Advances every neuron one step with current `bias + input` (`input` of this
    /// population's length, zero padding; `None` for no input) and writes spikes, ascending
    /// ids, to `out` (cleared first).
    pub fn step(&mut self, input: Option<&Padded>, kernel: Kernel, par: Par<'_>, out: &mut Spikes) {
        match input {
            Some(x) => self.state.step(&[x], kernel, par, out),
            None => self.state.step(&[], kernel, par, out),
        }
    }
}

impl ChunkStep<5> for HhModel {
    fn strides(&self) -> [usize; 5] {
        [1; 5]
    }

    fn step_chunk(
        &self,
        kernel: Kernel,
        at: &ChunkAt,
        state: &mut [&mut [f32x8]; 5],
        inputs: &[&[f32x8]],
        out: &mut Spikes,
    ) {
        let [v, m, h, n, lock] = state;
        let bias = &self.bias.lanes()[at.lanes.clone()];
        let input = port(inputs, 0, at);
        match kernel {
            Kernel::Simd => {
                let s = HhState { v, m, h, n, lock };
                let (c, method) = (&self.c8, self.method);
                hh_step_simd(c, method, bias, input, s, at.base, at.n_valid, out)
            }
            Kernel::Scalar => {
                let k = at.n_valid;
                let s = HhState {
                    v: flat_mut(v, k),
                    m: flat_mut(m, k),
                    h: flat_mut(h, k),
                    n: flat_mut(n, k),
                    lock: flat_mut(lock, k),
                };
                let (b, u) = (flat(bias, k), flat(input, k));
                hh_step_scalar(&self.c32, self.method, b, u, s, at.base, out)
            }
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
            "v" => Some(self.state.var(V).as_slice()),
            "m" => Some(self.state.var(M).as_slice()),
            "h" => Some(self.state.var(H).as_slice()),
            "n" => Some(self.state.var(N).as_slice()),
            "lock" => Some(self.state.var(LOCK).as_slice()),
            _ => None,
        }
    }
    fn find_non_finite(&self) -> Option<(usize, &'static str)> {
        crate::lanes::first_non_finite([
            ("v", self.state.var(V)),
            ("m", self.state.var(M)),
            ("h", self.state.var(H)),
            ("n", self.state.var(N)),
            ("bias", &self.state.model.bias),
        ])
    }
    fn chunks(&mut self) -> Option<Vec<Box<dyn NeuronChunk + '_>>> {
        Some(self.state.chunks())
    }
}

//! A population of conductance-based LIF neurons ([`crate::neuron::lif_coba`]): membrane state
//! stepped by [`crate::kernels::lif_coba`], conductances filtered by exponential PSC kernels
//! ([`crate::kernels::psc`]) in the same chunk pass, through the fixed-chunk driver
//! [`crate::chunked`].

use wide::f32x8;

use crate::SimError;
use crate::chunked::{ChunkAt, ChunkStep, Chunked, NeuronChunk, flat, flat_mut, port};
use crate::kernels::lif_coba::{CobaConsts, CobaInputs, coba_step_scalar, coba_step_simd};
use crate::kernels::psc::{PscConsts, psc_step_scalar, psc_step_simd};
use crate::lanes::{Padded, padded_len};
use crate::neuron::lif_coba::LifCobaParams;
use crate::neurons::Neurons;
use crate::par::Par;
use crate::population::Kernel;
use crate::spikes::Spikes;
use crate::synapse::{Discretisation, PscFilter, PscShape};

/// N COBA LIF neurons with per-neuron constant current, in physical units.
///
/// Input ports (in this order): `current` (pA, held over the step), `g_e` and `g_i` (nS:
/// conductance increments arriving at the step start, e.g. the summed weights of the spikes
/// delivered this step).
#[derive(Clone, Debug)]
pub struct LifCobaPopulation {
    name: String,
    params: LifCobaParams,
    /// State `[v, r, g_e average, g_i average, g_e filter, g_i filter]` over fixed chunks.
    state: Chunked<CobaModel, 6>,
}

/// Indices of the state vectors.
const V: usize = 0;
const R: usize = 1;
const GE_AVG: usize = 2;
const GI_AVG: usize = 3;
// 4, 5: the g_e and g_i filter stages.

/// The COBA model of one population: membrane constants, biases and the exponential
/// conductance filters' step coefficients.
#[derive(Clone, Debug)]
struct CobaModel {
    consts: CobaConsts,
    bias: Padded,
    g_e: PscConsts,
    g_i: PscConsts,
}

impl LifCobaPopulation {
    /// `n` neurons named `name` at `V = E_L`, conductances zero, not refractory, with constant
    /// currents `bias` (pA, one per neuron), stepped with time step `dt` (s).
    pub fn new(name: &str, params: LifCobaParams, dt: f64, bias: &[f32]) -> Result<Self, SimError> {
        params.validate(name)?;
        let n = bias.len();
        // Conductances are exponential filters of impulses w·τ (jump w, decay τ).
        let filter = |syn: &str, tau: f64| {
            PscFilter::new(
                &format!("{name}.{syn}"),
                PscShape::exponential(tau),
                Discretisation::Impulse,
                dt,
                n,
            )
            .map(|f| *f.with_input_scale(tau).consts())
        };
        let (g_e, g_i) = (filter("g_e", params.tau_e)?, filter("g_i", params.tau_i)?);
        let stages = |c: &PscConsts| Padded::filled(padded_len(n) * c.stages, 0.0);
        let state = [
            Padded::filled(n, params.e_l as f32),
            Padded::filled(n, 0.0),
            Padded::filled(n, 0.0),
            Padded::filled(n, 0.0),
            stages(&g_e),
            stages(&g_i),
        ];
        let model = CobaModel {
            consts: CobaConsts::new(&params, dt),
            bias: Padded::from_slice(bias, 0.0),
            g_e,
            g_i,
        };
        Ok(Self {
            name: name.to_string(),
            params,
            state: Chunked::new(model, state, n),
        })
    }

    crate::chunked::population_accessors!(LifCobaParams);

    /// Membrane potentials, mV.
    pub fn voltage(&self) -> &[f32] {
        self.state.var(V).as_slice()
    }

    /// Membrane potentials, mutable (e.g. random initial state).
    pub fn voltage_mut(&mut self) -> &mut [f32] {
        self.state.var_mut(V).as_mut_slice()
    }

    /// Constant currents, pA, mutable.
    pub fn bias_mut(&mut self) -> &mut [f32] {
        self.state.model.bias.as_mut_slice()
    }

    /// Step averages of g_e over the last step, nS.
    pub fn g_e(&self) -> &[f32] {
        self.state.var(GE_AVG).as_slice()
    }

    /// Step averages of g_i over the last step, nS.
    pub fn g_i(&self) -> &[f32] {
        self.state.var(GI_AVG).as_slice()
    }

    /// Advances one step: `current` (pA), `g_e`, `g_i` (nS increments) as documented on the
    /// type, each of this population's length with zero padding lanes. Spikes, ascending ids,
    /// go to `out` (cleared first).
    pub fn step(
        &mut self,
        current: &Padded,
        g_e: &Padded,
        g_i: &Padded,
        kernel: Kernel,
        par: Par<'_>,
        out: &mut Spikes,
    ) {
        self.state.step(&[current, g_e, g_i], kernel, par, out)
    }
}

impl ChunkStep<6> for CobaModel {
    fn strides(&self) -> [usize; 6] {
        [1, 1, 1, 1, self.g_e.stages, self.g_i.stages]
    }

    /// Filters the conductance increments (ports 1, 2) into their step averages, then steps
    /// the membrane with them and the current (port 0).
    fn step_chunk(
        &self,
        kernel: Kernel,
        at: &ChunkAt,
        state: &mut [&mut [f32x8]; 6],
        inputs: &[&[f32x8]],
        out: &mut Spikes,
    ) {
        let [v, r, ge_avg, gi_avg, ge, gi] = state;
        let (cur, in_e, in_i) = (
            port(inputs, 0, at),
            port(inputs, 1, at),
            port(inputs, 2, at),
        );
        ge_avg.fill(f32x8::ZERO);
        gi_avg.fill(f32x8::ZERO);
        let bias = &self.bias.lanes()[at.lanes.clone()];
        let c = &self.consts;
        match kernel {
            Kernel::Simd => {
                psc_step_simd(&self.g_e, in_e, ge, ge_avg);
                psc_step_simd(&self.g_i, in_i, gi, gi_avg);
                let x = CobaInputs {
                    bias,
                    current: cur,
                    g_e: ge_avg,
                    g_i: gi_avg,
                };
                coba_step_simd(c, x, v, r, at.base, at.n_valid, out)
            }
            Kernel::Scalar => {
                let m = at.n_valid;
                let scalar_filter = |k: &PscConsts, u: &[f32x8], x: &mut [f32x8], o: &mut [f32]| {
                    psc_step_scalar(k, flat(u, m), bytemuck::cast_slice_mut(x), o)
                };
                scalar_filter(&self.g_e, in_e, ge, flat_mut(ge_avg, m));
                scalar_filter(&self.g_i, in_i, gi, flat_mut(gi_avg, m));
                let x = CobaInputs {
                    bias: flat(bias, m),
                    current: flat(cur, m),
                    g_e: flat(ge_avg, m),
                    g_i: flat(gi_avg, m),
                };
                coba_step_scalar(c, x, flat_mut(v, m), flat_mut(r, m), at.base, out)
            }
        }
    }
}

impl Neurons for LifCobaPopulation {
    fn len(&self) -> usize {
        LifCobaPopulation::len(self)
    }
    fn model(&self) -> &'static str {
        "lif_coba"
    }
    fn ports(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("current", "pA"),
            ("g_e", "nS (increment at the step start)"),
            ("g_i", "nS (increment at the step start)"),
        ]
    }
    fn step(&mut self, inputs: &[Padded], par: Par<'_>, out: &mut Spikes) {
        LifCobaPopulation::step(
            self,
            &inputs[0],
            &inputs[1],
            &inputs[2],
            Kernel::Simd,
            par,
            out,
        )
    }
    fn variables(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("v", "mV"),
            ("g_e", "nS (average over the last step)"),
            ("g_i", "nS (average over the last step)"),
            ("refractory", "ms"),
        ]
    }
    fn variable(&self, name: &str) -> Option<&[f32]> {
        match name {
            "v" => Some(self.voltage()),
            "g_e" => Some(self.g_e()),
            "g_i" => Some(self.g_i()),
            "refractory" => Some(self.state.var(R).as_slice()),
            _ => None,
        }
    }
    fn find_non_finite(&self) -> Option<(usize, &'static str)> {
        crate::lanes::first_non_finite([
            ("v", self.state.var(V)),
            ("g_e", self.state.var(GE_AVG)),
            ("g_i", self.state.var(GI_AVG)),
            ("refractory", self.state.var(R)),
        ])
    }
    fn chunks(&mut self) -> Option<Vec<Box<dyn NeuronChunk + '_>>> {
        Some(self.state.chunks())
    }
}

//! A population of conductance-based LIF neurons ([`crate::neuron::lif_coba`]): membrane state
//! stepped by [`crate::kernels::lif_coba`], conductances held in exponential
//! [`PscFilter`]s, over fixed chunks sequentially or on a rayon pool.

use rayon::prelude::*;

use crate::SimError;
use crate::kernels::lif_coba::{CobaConsts, CobaInputs, coba_step_scalar, coba_step_simd};
use crate::lanes::{LANES, Padded};
use crate::neuron::lif_coba::LifCobaParams;
use crate::neurons::Neurons;
use crate::par::{CHUNK, CHUNK_LANES, Par};
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
    consts: CobaConsts,
    v: Padded,
    r: Padded,
    bias: Padded,
    g_e: PscFilter,
    g_i: PscFilter,
    g_e_avg: Padded,
    g_i_avg: Padded,
    chunk_spikes: Vec<Spikes>,
}

impl LifCobaPopulation {
    /// `n` neurons named `name` at `V = E_L`, conductances zero, not refractory, with constant
    /// currents `bias` (pA, one per neuron), stepped with time step `dt` (s).
    pub fn new(name: &str, params: LifCobaParams, dt: f64, bias: &[f32]) -> Result<Self, SimError> {
        params.validate(name)?;
        let n = bias.len();
        let filter = |syn: &str, tau: f64| {
            PscFilter::new(
                &format!("{name}.{syn}"),
                PscShape::exponential(tau),
                Discretisation::Impulse,
                dt,
                n,
            )
            .map(|f| f.with_input_scale(tau))
        };
        Ok(Self {
            name: name.to_string(),
            g_e: filter("g_e", params.tau_e)?,
            g_i: filter("g_i", params.tau_i)?,
            consts: CobaConsts::new(&params, dt),
            params,
            v: Padded::filled(n, params.e_l as f32),
            r: Padded::filled(n, 0.0),
            bias: Padded::from_slice(bias, 0.0),
            g_e_avg: Padded::filled(n, 0.0),
            g_i_avg: Padded::filled(n, 0.0),
            chunk_spikes: vec![Spikes::default(); n.div_ceil(CHUNK)],
        })
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
    pub fn params(&self) -> &LifCobaParams {
        &self.params
    }

    /// Membrane potentials, mV.
    pub fn voltage(&self) -> &[f32] {
        self.v.as_slice()
    }

    /// Membrane potentials, mutable (e.g. random initial state).
    pub fn voltage_mut(&mut self) -> &mut [f32] {
        self.v.as_mut_slice()
    }

    /// Constant currents, pA, mutable.
    pub fn bias_mut(&mut self) -> &mut [f32] {
        self.bias.as_mut_slice()
    }

    /// Step averages of g_e over the last step, nS.
    pub fn g_e(&self) -> &[f32] {
        self.g_e_avg.as_slice()
    }

    /// Step averages of g_i over the last step, nS.
    pub fn g_i(&self) -> &[f32] {
        self.g_i_avg.as_slice()
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
        out.clear();
        let n = self.len();
        assert!(
            current.len() == n && g_e.len() == n && g_i.len() == n,
            "input length of population `{}`",
            self.name
        );
        self.g_e_avg.padded_mut().fill(0.0);
        self.g_i_avg.padded_mut().fill(0.0);
        self.g_e.step_with(g_e, &mut self.g_e_avg, kernel, par);
        self.g_i.step_with(g_i, &mut self.g_i_avg, kernel, par);
        let c = self.consts;
        let (bias, cur) = (self.bias.lanes(), current.lanes());
        let (ge, gi) = (self.g_e_avg.lanes(), self.g_i_avg.lanes());
        type Chunk<'a> = (
            usize,
            (
                (&'a mut [wide::f32x8], &'a mut [wide::f32x8]),
                &'a mut Spikes,
            ),
        );
        let run = |(ci, ((v, r), buf)): Chunk<'_>| {
            buf.clear();
            let lo = ci * CHUNK_LANES;
            let hi = lo + v.len();
            let base = (ci * CHUNK) as u32;
            let n_valid = n - ci * CHUNK;
            match kernel {
                Kernel::Simd => {
                    let x = CobaInputs {
                        bias: &bias[lo..hi],
                        current: &cur[lo..hi],
                        g_e: &ge[lo..hi],
                        g_i: &gi[lo..hi],
                    };
                    coba_step_simd(&c, x, v, r, base, n_valid, buf)
                }
                Kernel::Scalar => {
                    let m = n_valid.min(v.len() * LANES);
                    fn f(x: &[wide::f32x8], lo: usize, hi: usize, m: usize) -> &[f32] {
                        &bytemuck::cast_slice(&x[lo..hi])[..m]
                    }
                    let x = CobaInputs {
                        bias: f(bias, lo, hi, m),
                        current: f(cur, lo, hi, m),
                        g_e: f(ge, lo, hi, m),
                        g_i: f(gi, lo, hi, m),
                    };
                    let vs: &mut [f32] = bytemuck::cast_slice_mut(v);
                    let rs: &mut [f32] = bytemuck::cast_slice_mut(r);
                    coba_step_scalar(&c, x, &mut vs[..m], &mut rs[..m], base, buf)
                }
            }
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
            "v" => Some(self.v.as_slice()),
            "g_e" => Some(self.g_e_avg.as_slice()),
            "g_i" => Some(self.g_i_avg.as_slice()),
            "refractory" => Some(self.r.as_slice()),
            _ => None,
        }
    }
    fn find_non_finite(&self) -> Option<(usize, &'static str)> {
        crate::lanes::first_non_finite([
            ("v", &self.v),
            ("g_e", &self.g_e_avg),
            ("g_i", &self.g_i_avg),
            ("refractory", &self.r),
        ])
    }
}

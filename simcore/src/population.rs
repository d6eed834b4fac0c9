//! A population of LIF neurons: struct-of-arrays state stepped by the kernels in
//! [`crate::kernels::lif`] through the fixed-chunk driver [`crate::chunked`].

use wide::f32x8;

use crate::SimError;
use crate::chunked::{ChunkAt, ChunkStep, Chunked, NeuronChunk, flat, flat_mut};
use crate::kernels::lif::{
    LifConsts, lif_step_delta_scalar, lif_step_delta_simd, lif_step_scalar, lif_step_simd,
};
use crate::lanes::Padded;
use crate::neuron::lif::LifParams;
use crate::par::Par;
use crate::spikes::{SpikeWindow, Spikes};

/// Which kernel steps the population.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Kernel {
    /// The f32x8 SIMD kernel (default).
    #[default]
    Simd,
    /// The scalar reference kernel.
    Scalar,
}

/// N LIF neurons in normalised units with per-neuron bias current.
#[derive(Clone, Debug)]
pub struct LifPopulation {
    name: String,
    params: LifParams,
    /// State `[v, r]` over fixed chunks; the model holds constants and biases.
    state: Chunked<LifModel, 2>,
    /// The `jump` input port is on (see [`LifPopulation::with_jump_port`]).
    pub(crate) jump_port: bool,
}

/// Index of the voltage in the state vectors.
const V: usize = 0;
/// Index of the refractory time left.
const R: usize = 1;

/// The LIF model of one population: step constants and biases.
#[derive(Clone, Debug)]
struct LifModel {
    consts: LifConsts,
    bias: Padded,
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
        let model = LifModel {
            consts,
            bias: Padded::from_slice(bias, 0.0),
        };
        Ok(Self {
            name: name.to_string(),
            params,
            state: Chunked::new(model, [Padded::filled(n, 0.0), Padded::filled(n, 0.0)], n),
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

    crate::chunked::population_accessors!(LifParams);

    /// Step constants.
    pub fn consts(&self) -> &LifConsts {
        &self.state.model.consts
    }

    /// Normalised membrane voltages.
    pub fn voltage(&self) -> &[f32] {
        self.state.var(V).as_slice()
    }

    /// Normalised membrane voltages, mutable (e.g. to set initial state).
    pub fn voltage_mut(&mut self) -> &mut [f32] {
        self.state.var_mut(V).as_mut_slice()
    }

    /// Refractory time left (s) at the start of the next step.
    pub fn refractory(&self) -> &[f32] {
        self.state.var(R).as_slice()
    }

    /// Refractory time left, mutable.
    pub fn refractory_mut(&mut self) -> &mut [f32] {
        self.state.var_mut(R).as_mut_slice()
    }

    /// Constant input currents.
    pub fn bias(&self) -> &[f32] {
        self.state.model.bias.as_slice()
    }

    /// Constant input currents, mutable.
    pub fn bias_mut(&mut self) -> &mut [f32] {
        self.state.model.bias.as_mut_slice()
    }

    /// Advances every neuron by one step with input current `bias + input` and writes the
    /// spikes (ascending ids) to `out` (cleared first). `input`, when given, must have this
    /// population's length; its padding lanes must be zero.
    pub fn step(&mut self, input: Option<&Padded>, kernel: Kernel, par: Par<'_>, out: &mut Spikes) {
        match input {
            Some(x) => self.state.step(&[x], kernel, par, out),
            None => self.state.step(&[], kernel, par, out),
        }
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
        let zero;
        let current = match input {
            Some(x) => x,
            None => {
                zero = Padded::filled(self.len(), 0.0);
                &zero
            }
        };
        self.state.step(&[current, jump], kernel, par, out)
    }

    /// Advances every neuron by `steps` steps with its bias current as the only input (a
    /// population without coupling) and writes the spikes of every step, tagged by step, to
    /// `out` (cleared first): temporal blocking by [`Chunked::run_steps`], bit-identical to
    /// stepping one step at a time, whatever `par`.
    pub fn run_steps(&mut self, steps: usize, kernel: Kernel, par: Par<'_>, out: &mut SpikeWindow) {
        self.state.run_steps(steps, kernel, par, out)
    }

    /// Every work chunk borrowed for the simulator's window schedule.
    pub(crate) fn chunks(&mut self) -> Vec<Box<dyn NeuronChunk + '_>> {
        self.state.chunks()
    }

    /// First non-finite state value, as `(neuron, variable)`.
    pub fn find_non_finite(&self) -> Option<(usize, &'static str)> {
        crate::lanes::first_non_finite([
            ("v", self.state.var(V)),
            ("refractory", self.state.var(R)),
            ("bias", &self.state.model.bias),
        ])
    }
}

impl ChunkStep<2> for LifModel {
    fn strides(&self) -> [usize; 2] {
        [1, 1]
    }

    /// Ports: `current` (0) and `jump` (1, delta synapses) when given; without inputs, the
    /// bias alone and no jumps.
    fn step_chunk(
        &self,
        kernel: Kernel,
        at: &ChunkAt,
        state: &mut [&mut [f32x8]; 2],
        inputs: &[&[f32x8]],
        out: &mut Spikes,
    ) {
        let c = &self.consts;
        let [v, r] = state;
        let bias = &self.bias.lanes()[at.lanes.clone()];
        let input = inputs.first().copied();
        let jump = inputs.get(1).copied();
        match (kernel, jump) {
            (Kernel::Simd, None) => lif_step_simd(c, bias, input, v, r, at.base, at.n_valid, out),
            (Kernel::Simd, Some(jump)) => {
                lif_step_delta_simd(c, bias, input, jump, v, r, at.base, at.n_valid, out)
            }
            (Kernel::Scalar, jump) => {
                let m = at.n_valid;
                let (bias, input) = (flat(bias, m), input.map(|x| flat(x, m)));
                let (vs, rs) = (flat_mut(v, m), flat_mut(r, m));
                match jump {
                    None => lif_step_scalar(c, bias, input, vs, rs, at.base, out),
                    Some(j) => {
                        lif_step_delta_scalar(c, bias, input, flat(j, m), vs, rs, at.base, out)
                    }
                }
            }
        }
    }
}

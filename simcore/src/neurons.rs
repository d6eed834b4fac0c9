//! The interface every neuron model implements so the simulator can step it.

use crate::chunked::NeuronChunk;
use crate::lanes::Padded;
use crate::par::Par;
use crate::population::{Kernel, LifPopulation};
use crate::spikes::Spikes;

/// Neuron dynamics of one population (struct-of-arrays state), stepped once per time step.
///
/// `step` performs phases 4–5 of the schedule (integrate, threshold/reset): it consumes the
/// inputs summed for this step, one padded buffer per input port (see [`Neurons::ports`];
/// padding lanes zero), and writes the spikes it emits, ascending ids, into `out`.
pub trait Neurons: Send + Sync + std::fmt::Debug {
    /// Number of neurons.
    fn len(&self) -> usize;
    /// True for an empty population.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Model name, for provenance and summaries (e.g. `"lif"`).
    fn model(&self) -> &'static str;
    /// Names and units of the input ports, in the order `step` receives them. Port 0 is the
    /// input current in the model's own unit; models may add ports (a voltage jump for delta
    /// synapses, conductance increments for conductance-based synapses…).
    fn ports(&self) -> &'static [(&'static str, &'static str)];
    /// Advances one step with `inputs[port]` summed for this step.
    fn step(&mut self, inputs: &[Padded], par: Par<'_>, out: &mut Spikes);
    /// Turns on the optional input port `name`, for models whose ports cost per step and are
    /// off until a synapse needs them (the LIF `jump` port of delta synapses); call before the
    /// population goes into a [`crate::Simulator`]. True when the model now has the port.
    fn enable_port(&mut self, name: &str) -> bool {
        self.ports().iter().any(|(n, _)| *n == name)
    }
    /// Names of the state variables probes may record, with their units.
    fn variables(&self) -> &'static [(&'static str, &'static str)];
    /// Current value of state variable `name`, one per neuron (None when unknown).
    fn variable(&self, name: &str) -> Option<&[f32]>;
    /// First non-finite state value, as `(neuron, variable)`.
    fn find_non_finite(&self) -> Option<(usize, &'static str)>;
    /// The population's fixed work chunks ([`crate::chunked`]) borrowed for one window of the
    /// simulator's schedule, in chunk order; each chunk steps on its part of the input ports
    /// exactly as [`step`](Self::step) steps it. `None` (the default) for models that step only
    /// as a whole: a simulator whose populations with input ports all have chunks advances a
    /// whole minimum-delay window per parallel region (see [`crate::sim`]).
    fn chunks(&mut self) -> Option<Vec<Box<dyn NeuronChunk + '_>>> {
        None
    }
}

impl Neurons for LifPopulation {
    fn len(&self) -> usize {
        LifPopulation::len(self)
    }
    fn model(&self) -> &'static str {
        "lif"
    }
    fn ports(&self) -> &'static [(&'static str, &'static str)] {
        if self.jump_port {
            &[
                ("current", "1 (normalised current J)"),
                ("jump", "1 (normalised voltage jump, delta synapses)"),
            ]
        } else {
            &[("current", "1 (normalised current J)")]
        }
    }
    fn step(&mut self, inputs: &[Padded], par: Par<'_>, out: &mut Spikes) {
        if self.jump_port {
            self.step_with_jumps(Some(&inputs[0]), &inputs[1], Kernel::Simd, par, out)
        } else {
            LifPopulation::step(self, Some(&inputs[0]), Kernel::Simd, par, out)
        }
    }
    fn enable_port(&mut self, name: &str) -> bool {
        match name {
            "current" => true,
            "jump" => {
                self.jump_port = true;
                true
            }
            _ => false,
        }
    }
    fn variables(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("v", "1 (normalised: reset 0, threshold 1)"),
            ("refractory", "s"),
        ]
    }
    fn variable(&self, name: &str) -> Option<&[f32]> {
        match name {
            "v" => Some(self.voltage()),
            "refractory" => Some(self.refractory()),
            _ => None,
        }
    }
    fn find_non_finite(&self) -> Option<(usize, &'static str)> {
        LifPopulation::find_non_finite(self)
    }
    fn chunks(&mut self) -> Option<Vec<Box<dyn NeuronChunk + '_>>> {
        Some(LifPopulation::chunks(self))
    }
}

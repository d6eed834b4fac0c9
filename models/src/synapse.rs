//! Synapses of decoded connections and probes, in Nengo's convention.
//!
//! `Lowpass(τ)`: zero-order-hold discretisation of $1/(1+s\tau)$,
//! $y_s = a\,y_{s-1} + (1-a)\,u_{s-1}$ with $a = e^{-\Delta t/\tau}$ (Nengo `Lowpass`, the
//! output read after the update). Fed in phase 1 of step `s` with the input gathered during
//! step `s−1` (decoded spikes of height 1/Δt, or a node's value), it costs exactly one step of
//! delay, as every Nengo synapse does.

use crate::NefError;

/// A connection's or probe's synapse.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Synapse {
    /// No filter: node values pass in the same step; decoded spikes arrive one step later
    /// (the engine steps all populations in one phase, so a spike can only reach another
    /// population in the next step).
    None,
    /// First-order low-pass with time constant τ (s).
    Lowpass(f64),
    /// Nengo's default connection synapse, `Lowpass(0.005)`.
    #[default]
    Default,
}

impl Synapse {
    /// The time constant, if any (`Default` is 5 ms).
    pub fn tau(&self) -> Option<f64> {
        match self {
            Synapse::None => None,
            Synapse::Lowpass(t) => Some(*t),
            Synapse::Default => Some(0.005),
        }
    }

    /// Checks the time constant; `object` names the owner.
    pub fn validate(&self, object: &str) -> Result<(), NefError> {
        match self.tau() {
            Some(t) if !(t > 0.0 && t.is_finite()) => Err(NefError::invalid(
                object,
                "synapse",
                format!(
                    "time constant {t} s must be positive and finite (use \"none\" for no filter)"
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// The state of a low-pass filter over `k` values.
#[derive(Clone, Debug)]
pub(crate) struct Lowpass {
    a: f64,
    y: Vec<f64>,
}

impl Lowpass {
    pub(crate) fn new(tau: f64, dt: f64, k: usize) -> Self {
        Self {
            a: (-dt / tau).exp(),
            y: vec![0.0; k],
        }
    }

    /// `y ← a·y + (1−a)·u`; returns the new output.
    pub(crate) fn step(&mut self, u: &[f64]) -> &[f64] {
        let a = self.a;
        for (y, u) in self.y.iter_mut().zip(u) {
            *y = a * *y + (1.0 - a) * u;
        }
        &self.y
    }

    pub(crate) fn output(&self) -> &[f64] {
        &self.y
    }
}

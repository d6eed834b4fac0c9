//! Synapses of decoded connections and probes: simcore's PSC filters
//! ([`simcore::synapse::PscFilter`]) over the k decoded dimensions.
//!
//! Default convention (Nengo's): `Lowpass(τ)` discretised by zero-order hold,
//! $y_s = a\,y_{s-1} + (1-a)\,u_{s-1}$ with $a = e^{-\Delta t/\tau}$, the input `u` being decoded
//! spikes of height 1/Δt or a node's value, gathered during step `s−1` and fed in phase 1 of
//! step `s`: every synapse costs exactly one step of delay, as in Nengo
//! ([`Discretisation::Nengo`]). The charge-conserving exact form
//! ([`Discretisation::Impulse`] for spikes, [`Discretisation::Held`] for node values: the
//! step average of the continuous response) is selectable per connection.

use simcore::synapse::{Discretisation, PscFilter, PscShape};

use crate::NefError;

/// A connection's or probe's synapse.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Synapse {
    /// No filter: node values pass in the same step; decoded spikes arrive one step later
    /// (the engine steps all populations in one phase, so a spike can only reach another
    /// population in the next step).
    None,
    /// First-order low-pass (exponential kernel) with time constant τ (s), Nengo `Lowpass`.
    Lowpass(f64),
    /// Second-order alpha kernel with time constant τ (s), Nengo `Alpha`.
    Alpha(f64),
    /// Nengo's default connection synapse, `Lowpass(0.005)`.
    #[default]
    Default,
}

/// How a synapse is discretised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SynapseForm {
    /// Nengo's zero-order hold (default; reproduces Nengo step for step).
    #[default]
    Nengo,
    /// Exact step average of the continuous response (charge conserving).
    Exact,
}

impl Synapse {
    /// The PSC kernel, if any.
    pub fn shape(&self) -> Option<PscShape> {
        match self {
            Synapse::None => None,
            Synapse::Lowpass(t) => Some(PscShape::exponential(*t)),
            Synapse::Alpha(t) => Some(PscShape::alpha(*t)),
            Synapse::Default => Some(PscShape::exponential(0.005)),
        }
    }

    /// Checks the time constant; `object` names the owner.
    pub fn validate(&self, object: &str) -> Result<(), NefError> {
        match self.shape() {
            Some(s) => s.validate(object).map_err(NefError::from),
            None => Ok(()),
        }
    }

    /// The filter state for `k` values at time step `dt`; `spikes` tells whether the input is
    /// decoded spikes (impulses) or a node's value (held over the step).
    pub(crate) fn filter(
        &self,
        object: &str,
        form: SynapseForm,
        spikes: bool,
        dt: f64,
        k: usize,
    ) -> Result<Option<PscFilter>, NefError> {
        let Some(shape) = self.shape() else {
            return Ok(None);
        };
        let disc = match (form, spikes) {
            (SynapseForm::Nengo, _) => Discretisation::Nengo,
            (SynapseForm::Exact, true) => Discretisation::Impulse,
            (SynapseForm::Exact, false) => Discretisation::Held,
        };
        Ok(Some(PscFilter::new(object, shape, disc, dt, k)?))
    }
}

//! The spikes emitted during one step.

/// Spikes of one population during one step: neuron ids in ascending order, and for each the
/// spike time measured from the start of the step, in seconds (`0 < t ≤ Δt`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spikes {
    /// Neuron indices within the population, ascending.
    pub ids: Vec<u32>,
    /// In-step spike times (seconds after the step's start), same order as `ids`.
    pub offsets: Vec<f32>,
}

impl Spikes {
    /// Empties the buffer, keeping its capacity.
    pub fn clear(&mut self) {
        self.ids.clear();
        self.offsets.clear();
    }

    /// Number of spikes.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no neuron spiked.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Appends one spike.
    #[inline]
    pub fn push(&mut self, id: u32, offset: f32) {
        self.ids.push(id);
        self.offsets.push(offset);
    }

    /// Appends all of `other`'s spikes.
    pub fn extend_from(&mut self, other: &Spikes) {
        self.ids.extend_from_slice(&other.ids);
        self.offsets.extend_from_slice(&other.offsets);
    }
}

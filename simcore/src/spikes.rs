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

/// Spikes of one population over several consecutive steps (a multi-step run without
/// coupling): per step, neuron ids ascending with their in-step times.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpikeWindow {
    /// `starts[s]..starts[s + 1]` indexes step `s`'s spikes in `ids`/`offsets`
    /// (`starts.len()` is the number of steps + 1; empty when no step was run).
    pub starts: Vec<usize>,
    /// Neuron ids, grouped by step, ascending within a step.
    pub ids: Vec<u32>,
    /// In-step spike times (seconds after the step's start), same order as `ids`.
    pub offsets: Vec<f32>,
}

impl SpikeWindow {
    /// Empties the window, keeping its capacity.
    pub fn clear(&mut self) {
        self.starts.clear();
        self.ids.clear();
        self.offsets.clear();
    }

    /// Number of steps held.
    pub fn steps(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Total number of spikes.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no neuron spiked.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Ids and in-step times of step `s` (0-based within the window).
    pub fn step(&self, s: usize) -> (&[u32], &[f32]) {
        let r = self.starts[s]..self.starts[s + 1];
        (&self.ids[r.clone()], &self.offsets[r])
    }

    /// Copies step `s` into `out` (cleared first).
    pub fn copy_step(&self, s: usize, out: &mut Spikes) {
        let (ids, offsets) = self.step(s);
        out.clear();
        out.ids.extend_from_slice(ids);
        out.offsets.extend_from_slice(offsets);
    }

    /// Appends one step's spikes.
    pub fn push_step(&mut self, spikes: &Spikes) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.ids.extend_from_slice(&spikes.ids);
        self.offsets.extend_from_slice(&spikes.offsets);
        self.starts.push(self.ids.len());
    }
}

/// Spikes of every population over consecutive steps: one step's [`Spikes`] or a window's
/// [`SpikeWindow`]s (what spike delivery takes in).
#[derive(Clone, Copy, Debug)]
pub enum SpikeSteps<'a> {
    /// One step: spikes per population.
    Step(&'a [Spikes]),
    /// Several steps: a window per population.
    Window(&'a [SpikeWindow]),
}

impl<'a> SpikeSteps<'a> {
    /// Number of steps.
    pub fn steps(&self) -> usize {
        match self {
            SpikeSteps::Step(_) => 1,
            SpikeSteps::Window(w) => w.first().map_or(0, SpikeWindow::steps),
        }
    }

    /// Ids of the neurons of population `pop` that spiked in step `s` (0-based).
    pub fn ids(&self, pop: usize, s: usize) -> &'a [u32] {
        match self {
            SpikeSteps::Step(x) => &x[pop].ids,
            SpikeSteps::Window(w) => w[pop].step(s).0,
        }
    }
}

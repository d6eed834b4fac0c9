//! Probes: observers that record what a network does, never owners of its state.
//!
//! - decoded values (with a synapse) and node values are recorded by a [`crate::connection::Connection`]
//!   whose target is a [`ProbeHandle`];
//! - input currents by an [`InputProbe`] component placed after every other component (it
//!   reads the summed input of the step);
//! - spikes by a [`SpikeProbe`] component (it sees the step's spikes), neuron state variables
//!   (voltage…) by [`StateProbe`]s read between steps;
//! - spike, voltage and input probes record a chosen subset of the neurons.
//!
//! A sample taken at step `s` is stamped `t = (s+1)·Δt` (Nengo's `sim.trange()`); with
//! `sample_every = k` every k-th step is kept.

use std::sync::{Arc, Mutex, MutexGuard};

use simcore::lanes::Padded;
use simcore::spikes::Spikes;
use simcore::{Component, Simulator};

/// Recorded samples of one probe.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProbeData {
    /// Probe name.
    pub name: String,
    /// Values per sample.
    pub dims: usize,
    /// Keep every `every`-th step.
    pub every: u64,
    /// Time step, s.
    pub dt: f64,
    /// Sample times, s.
    pub times: Vec<f64>,
    /// Samples, `times.len() × dims` row-major.
    pub values: Vec<f64>,
}

impl ProbeData {
    /// Column `j` of the samples.
    pub fn column(&self, j: usize) -> Vec<f64> {
        self.values
            .iter()
            .skip(j)
            .step_by(self.dims.max(1))
            .copied()
            .collect()
    }
}

/// A shared handle on a probe's samples (one writer: the component or runner that records).
#[derive(Clone, Debug)]
pub struct ProbeHandle(Arc<Mutex<ProbeData>>);

impl ProbeHandle {
    /// An empty probe of `dims` values per sample, keeping every `every`-th step of `dt`.
    pub fn new(name: &str, dims: usize, every: u64, dt: f64) -> Self {
        Self(Arc::new(Mutex::new(ProbeData {
            name: name.to_string(),
            dims,
            every: every.max(1),
            dt,
            ..Default::default()
        })))
    }

    /// Records `values` as the sample of step `step` if it is kept.
    pub fn record(&self, step: u64, values: &[f64]) {
        let mut d = self.lock();
        if (step + 1).is_multiple_of(d.every) {
            let t = (step + 1) as f64 * d.dt;
            d.times.push(t);
            d.values.extend_from_slice(values);
        }
    }

    /// Whether step `step` is kept.
    pub fn keeps(&self, step: u64) -> bool {
        (step + 1).is_multiple_of(self.lock().every)
    }

    /// Records an f32 sample (neuron state).
    pub fn record_f32(&self, step: u64, values: &[f32]) {
        let mut d = self.lock();
        if (step + 1).is_multiple_of(d.every) {
            let t = (step + 1) as f64 * d.dt;
            d.times.push(t);
            d.values.extend(values.iter().map(|&v| f64::from(v)));
        }
    }

    fn lock(&self) -> MutexGuard<'_, ProbeData> {
        // A poisoned lock only means a panic elsewhere; the data is still plain numbers.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the samples so far.
    pub fn data(&self) -> ProbeData {
        self.lock().clone()
    }

    /// Takes the samples recorded so far, leaving the probe empty (for streaming writers).
    pub fn drain(&self) -> ProbeData {
        let mut d = self.lock();
        let out = d.clone();
        d.times.clear();
        d.values.clear();
        out
    }
}

/// A probe on a population's state variable (`"v"` for LIF voltage), read by the runner
/// after every step, for the selected neurons.
#[derive(Debug)]
pub struct StateProbe {
    /// Index of the population in the simulator.
    pub pop: usize,
    /// Variable name.
    pub variable: String,
    /// Recorded neurons (indices into the population).
    pub neurons: Vec<u32>,
    /// Where the samples go.
    pub handle: ProbeHandle,
    buf: Vec<f32>,
}

impl StateProbe {
    /// A probe of `variable` of `neurons` of population `pop`.
    pub fn new(pop: usize, variable: &str, neurons: Vec<u32>, handle: ProbeHandle) -> Self {
        Self {
            pop,
            variable: variable.to_string(),
            buf: vec![0.0; neurons.len()],
            neurons,
            handle,
        }
    }

    /// Records after step `step` (the simulator has just taken it).
    pub fn record(&mut self, step: u64, sim: &Simulator) {
        if self.handle.keeps(step)
            && let Some(v) = sim.populations()[self.pop].neurons.variable(&self.variable)
        {
            for (b, &i) in self.buf.iter_mut().zip(&self.neurons) {
                *b = v[i as usize];
            }
            self.handle.record_f32(step, &self.buf);
        }
    }
}

/// Marker for a neuron that is not recorded in [`SpikeProbe::column`].
const NOT_RECORDED: u32 = u32::MAX;

/// Records the spikes of (some of) a population's neurons as Nengo's spike output: one row
/// per sample, one value per recorded neuron, $\sum 1/\Delta t$ over that neuron's spikes in
/// the steps since the previous sample (with `sample_every = 1`, exactly Nengo's `1/Δt` for a
/// spike in the step; with `sample_every = k` no spike between samples is lost: the window's
/// spikes are summed).
#[derive(Debug)]
pub struct SpikeProbe {
    name: String,
    pop: usize,
    /// Column of each neuron of the population in the record, or [`NOT_RECORDED`].
    column: Vec<u32>,
    counts: Vec<f64>,
    handle: ProbeHandle,
}

impl SpikeProbe {
    /// Probe `name` of `neurons` (distinct indices below `size`) of population `pop`.
    pub fn new(name: &str, pop: usize, size: usize, neurons: &[u32], handle: ProbeHandle) -> Self {
        let mut column = vec![NOT_RECORDED; size];
        for (c, &i) in neurons.iter().enumerate() {
            column[i as usize] = c as u32;
        }
        Self {
            name: name.to_string(),
            pop,
            column,
            counts: vec![0.0; neurons.len()],
            handle,
        }
    }
}

impl Component for SpikeProbe {
    fn name(&self) -> &str {
        &self.name
    }
    fn drive(&mut self, _step: u64, _dt: f64, _inputs: &mut [Vec<Padded>]) {}
    fn observe(&mut self, step: u64, dt: f64, spikes: &[Spikes]) {
        self.observe_spikes(step, dt, &spikes[self.pop]);
    }
    fn observe_source(&self) -> Option<usize> {
        Some(self.pop)
    }
    fn observe_spikes(&mut self, step: u64, dt: f64, spikes: &Spikes) {
        let h = 1.0 / dt;
        for &i in &spikes.ids {
            let c = self.column[i as usize];
            if c != NOT_RECORDED {
                self.counts[c as usize] += h;
            }
        }
        if self.handle.keeps(step) {
            self.handle.record(step, &self.counts);
            self.counts.fill(0.0);
        }
    }
}

/// Records the total input current `J = bias + Σ inputs` of each step of the selected
/// neurons of a population. Must be placed after every component that drives that
/// population.
#[derive(Debug)]
pub struct InputProbe {
    name: String,
    pop: usize,
    /// Recorded neurons (indices into the population).
    neurons: Vec<u32>,
    /// Constant current of each recorded neuron.
    bias: Vec<f32>,
    handle: ProbeHandle,
    buf: Vec<f32>,
}

impl InputProbe {
    /// Probe `name` of `neurons` of population `pop`, whose constant currents are `bias`
    /// (one per neuron of the population; indices must be below its length).
    pub fn new(
        name: &str,
        pop: usize,
        bias: &[f32],
        neurons: Vec<u32>,
        handle: ProbeHandle,
    ) -> Self {
        Self {
            name: name.to_string(),
            pop,
            bias: neurons.iter().map(|&i| bias[i as usize]).collect(),
            buf: vec![0.0; neurons.len()],
            neurons,
            handle,
        }
    }
}

impl Component for InputProbe {
    fn name(&self) -> &str {
        &self.name
    }
    fn drive(&mut self, step: u64, dt: f64, inputs: &mut [Vec<Padded>]) {
        self.drive_ports(step, dt, &mut inputs[self.pop]);
    }
    fn drive_target(&self) -> Option<usize> {
        Some(self.pop)
    }
    fn drive_ports(&mut self, step: u64, _dt: f64, ports: &mut [Padded]) {
        if self.handle.keeps(step) {
            let j = ports[0].as_slice();
            for ((b, &i), &bias) in self.buf.iter_mut().zip(&self.neurons).zip(&self.bias) {
                *b = bias + j[i as usize];
            }
            self.handle.record_f32(step, &self.buf);
        }
    }
    fn observe(&mut self, _step: u64, _dt: f64, _spikes: &[Spikes]) {}
}

//! Probes: observers that record what a network does, never owners of its state.
//!
//! - decoded values (with a synapse) and node values are recorded by a [`crate::connection::Connection`]
//!   whose target is a [`ProbeHandle`];
//! - input currents by an [`InputProbe`] component placed after every other component (it
//!   reads the summed input of the step);
//! - spikes and neuron state variables (voltage…) by [`StateProbe`]s read between steps.
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
        if (step + 1) % d.every == 0 {
            let t = (step + 1) as f64 * d.dt;
            d.times.push(t);
            d.values.extend_from_slice(values);
        }
    }

    /// Whether step `step` is kept.
    pub fn keeps(&self, step: u64) -> bool {
        (step + 1) % self.lock().every == 0
    }

    /// Records an f32 sample (neuron state).
    pub fn record_f32(&self, step: u64, values: &[f32]) {
        let mut d = self.lock();
        if (step + 1) % d.every == 0 {
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

/// What a [`StateProbe`] reads.
#[derive(Clone, Debug, PartialEq)]
pub enum StateKind {
    /// Spikes: one row per sample with 1/Δt for each neuron that spiked since the last sample
    /// (Nengo's `"output"` of spiking neurons), 0 otherwise.
    Spikes,
    /// A neuron state variable by name (`"v"` for LIF voltage).
    Variable(String),
}

/// A probe on a population's spikes or state, read by the runner after every step.
#[derive(Debug)]
pub struct StateProbe {
    /// Index of the population in the simulator.
    pub pop: usize,
    /// What is read.
    pub kind: StateKind,
    /// Where the samples go.
    pub handle: ProbeHandle,
    counts: Vec<f64>,
}

impl StateProbe {
    /// A probe of `kind` on population `pop` (of `n` neurons).
    pub fn new(pop: usize, n: usize, kind: StateKind, handle: ProbeHandle) -> Self {
        Self {
            pop,
            kind,
            handle,
            counts: vec![0.0; n],
        }
    }

    /// Records after step `step` (the simulator has just taken it).
    pub fn record(&mut self, step: u64, sim: &Simulator) {
        match &self.kind {
            StateKind::Spikes => {
                let s: &Spikes = &sim.spikes()[self.pop];
                let h = 1.0 / sim.dt();
                for &i in &s.ids {
                    self.counts[i as usize] += h;
                }
                if self.handle.keeps(step) {
                    self.handle.record(step, &self.counts);
                    self.counts.fill(0.0);
                }
            }
            StateKind::Variable(name) => {
                if self.handle.keeps(step) {
                    if let Some(v) = sim.populations()[self.pop].neurons.variable(name) {
                        self.handle.record_f32(step, v);
                    }
                }
            }
        }
    }
}

/// Records a population's total input current `J = bias + Σ inputs` of each step. Must be
/// placed after every component that drives that population.
#[derive(Debug)]
pub struct InputProbe {
    name: String,
    pop: usize,
    bias: Vec<f32>,
    handle: ProbeHandle,
    buf: Vec<f32>,
}

impl InputProbe {
    /// Probe `name` of population `pop` with constant currents `bias`.
    pub fn new(name: &str, pop: usize, bias: Vec<f32>, handle: ProbeHandle) -> Self {
        let n = bias.len();
        Self {
            name: name.to_string(),
            pop,
            bias,
            handle,
            buf: vec![0.0; n],
        }
    }
}

impl Component for InputProbe {
    fn name(&self) -> &str {
        &self.name
    }
    fn drive(&mut self, step: u64, _dt: f64, inputs: &mut [Vec<Padded>]) {
        if self.handle.keeps(step) {
            let j = inputs[self.pop][0].as_slice();
            for ((b, &x), &bias) in self.buf.iter_mut().zip(j).zip(&self.bias) {
                *b = bias + x;
            }
            self.handle.record_f32(step, &self.buf);
        }
    }
    fn observe(&mut self, _step: u64, _dt: f64, _spikes: &[Spikes]) {}
}

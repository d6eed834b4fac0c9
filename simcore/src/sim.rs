//! The simulator: populations, the components that couple them, and the step schedule.
//!
//! # Step schedule
//! [`Simulator::step`] runs, for step `k` (time `k·Δt` to `(k+1)·Δt`):
//! 1. **inputs / deliver / filter** — every [`Component`] adds this step's inputs into the
//!    per-population, per-port input buffers `inputs[pop][port]` (nodes and current sources write
//!    values, spike deliveries pop their delay slot, synapse filters advance and emit their
//!    output). Reads: component state. Writes: `inputs` (zeroed after phase 2).
//! 2. **integrate + threshold** — every population's [`Neurons::step`] consumes its input,
//!    integrates, emits spikes (ids ascending, in-step times) and resets. Reads: `inputs`.
//!    Writes: neuron state, `spikes`.
//! 3. **propagate / learn** — every component sees all populations' spikes of step `k` (to push
//!    them into delay rings, decoders, learning traces). Reads: `spikes`. Writes: component state.
//! 4. **check** — every `check_every` steps, neuron state is scanned for non-finite values.
//!
//! Probes and recorders are observers: they read `spikes()` and `population(i).variable(..)`
//! between steps and never own state.

use crate::SimError;
use crate::lanes::Padded;
use crate::neurons::Neurons;
use crate::par::{CHUNK, Par, Threads};
use crate::spikes::{SpikeWindow, Spikes};

/// Something that couples populations or drives them: current sources, spike delivery through
/// synapses, decoded connections, learning rules.
pub trait Component: Send + std::fmt::Debug {
    /// Name for errors and summaries.
    fn name(&self) -> &str;
    /// Phase 1: add this step's inputs into `inputs[pop][port]` (padding lanes stay zero).
    fn drive(&mut self, step: u64, dt: f64, inputs: &mut [Vec<Padded>]);
    /// Phase 3: see the spikes every population emitted during `step`.
    fn observe(&mut self, step: u64, dt: f64, spikes: &[Spikes]);
    /// Phase 1 with the simulator's worker pool. Components with data-parallel work override
    /// this (their results must not depend on `par`); the default calls [`drive`](Self::drive).
    fn drive_par(&mut self, step: u64, dt: f64, inputs: &mut [Vec<Padded>], par: Par<'_>) {
        let _ = par;
        self.drive(step, dt, inputs)
    }
    /// Phase 3 with the simulator's worker pool (see [`drive_par`](Self::drive_par)); the
    /// default calls [`observe`](Self::observe).
    fn observe_par(&mut self, step: u64, dt: f64, spikes: &[Spikes], par: Par<'_>) {
        let _ = par;
        self.observe(step, dt, spikes)
    }
    /// The component as `Any`, for callers that know its concrete type and read its state
    /// after a run (learned weights…). Components that expose state override this.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
    /// First non-finite value in the component's state, described for an error message.
    fn find_non_finite(&self) -> Option<String> {
        None
    }
}

/// A named population in a simulator.
#[derive(Debug)]
pub struct Population {
    /// Name (unique within the simulator).
    pub name: String,
    /// The neurons.
    pub neurons: Box<dyn Neurons>,
}

/// Steps a set of populations and components through the fixed schedule.
#[derive(Debug)]
pub struct Simulator {
    dt: f64,
    step: u64,
    populations: Vec<Population>,
    components: Vec<Box<dyn Component>>,
    inputs: Vec<Vec<Padded>>,
    spikes: Vec<Spikes>,
    threads: Threads,
    check_every: u64,
    neurons: usize,
    min_parallel_neurons: usize,
}

/// Most steps [`Simulator::run`] advances a network without components at once.
pub const WINDOW: u64 = 128;

/// Default of [`Simulator::set_min_parallel_neurons`]: below this many neurons a step's work
/// (a few microseconds) is smaller than the cost of waking the pool, so it runs on one thread.
pub const MIN_PARALLEL_NEURONS: usize = 16_384;

impl Simulator {
    /// A simulator with time step `dt` (s) on `threads` worker threads (0: one per core).
    pub fn new(
        dt: f64,
        populations: Vec<Population>,
        components: Vec<Box<dyn Component>>,
        threads: usize,
    ) -> Result<Self, SimError> {
        if !(dt > 0.0 && dt.is_finite()) {
            return Err(SimError::Param {
                object: "simulation".into(),
                key: "dt",
                value: dt.to_string(),
                msg: "must be a positive, finite time".into(),
            });
        }
        let inputs = populations
            .iter()
            .map(|p| {
                let n = p.neurons.len();
                p.neurons
                    .ports()
                    .iter()
                    .map(|_| Padded::filled(n, 0.0))
                    .collect()
            })
            .collect();
        let spikes = vec![Spikes::default(); populations.len()];
        let neurons = populations.iter().map(|p| p.neurons.len()).sum();
        Ok(Self {
            dt,
            step: 0,
            populations,
            components,
            inputs,
            spikes,
            threads: Threads::new(threads)?,
            check_every: 256,
            neurons,
            min_parallel_neurons: MIN_PARALLEL_NEURONS,
        })
    }

    /// Sets how often (in steps) state is scanned for non-finite values (default 256).
    pub fn set_check_every(&mut self, steps: u64) {
        self.check_every = steps.max(1);
    }

    /// Networks with fewer neurons than this (default [`MIN_PARALLEL_NEURONS`]) step on the
    /// calling thread even when a pool exists: a fork-join costs microseconds, as much as a
    /// whole step of a few thousand neurons, so two threads would be slower than one. Results
    /// do not depend on this setting (every kernel is thread-count independent).
    pub fn set_min_parallel_neurons(&mut self, n: usize) {
        self.min_parallel_neurons = n;
    }

    /// Time step, seconds.
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// Number of steps taken so far.
    pub fn steps_done(&self) -> u64 {
        self.step
    }

    /// Simulated time so far, `steps · dt` (a product, never accumulated).
    pub fn time(&self) -> f64 {
        self.step as f64 * self.dt
    }

    /// Worker threads in use.
    pub fn threads(&self) -> usize {
        self.threads.count()
    }

    /// The populations, in build order.
    pub fn populations(&self) -> &[Population] {
        &self.populations
    }

    /// The components, in build order.
    pub fn components(&self) -> &[Box<dyn Component>] {
        &self.components
    }

    /// Spikes of each population during the last step.
    pub fn spikes(&self) -> &[Spikes] {
        &self.spikes
    }

    /// Runs one step of the schedule (see the module docs).
    pub fn step(&mut self) -> Result<(), SimError> {
        let (k, dt) = (self.step, self.dt);
        let par = if self.neurons >= self.min_parallel_neurons {
            self.threads.par()
        } else {
            Par::Seq
        };
        for c in &mut self.components {
            c.drive_par(k, dt, &mut self.inputs, par);
        }
        for ((p, input), out) in self
            .populations
            .iter_mut()
            .zip(&mut self.inputs)
            .zip(&mut self.spikes)
        {
            p.neurons.step(input, par, out);
            for port in input.iter_mut() {
                port.padded_mut().fill(0.0);
            }
        }
        for c in &mut self.components {
            c.observe_par(k, dt, &self.spikes, par);
        }
        self.step += 1;
        if self.step % self.check_every == 0 {
            self.check_finite()?;
        }
        Ok(())
    }

    /// Runs `steps` steps, calling `observe(step, spikes)` after each one with every
    /// population's spikes of that step (what [`spikes`](Self::spikes) holds after
    /// [`step`](Self::step)).
    ///
    /// A network without components has no per-step exchange: its populations then advance in
    /// windows of up to [`WINDOW`] steps through [`Neurons::run_steps`] (temporal blocking, on
    /// the pool when a population spans more than one work chunk), and the spikes are handed to
    /// `observe` step by step afterwards. Results are bit-identical to calling `step` `steps`
    /// times, and non-finite checks happen at the same steps. With components, this is a loop
    /// over `step`.
    pub fn run(
        &mut self,
        steps: u64,
        observe: &mut dyn FnMut(u64, &[Spikes]),
    ) -> Result<(), SimError> {
        let end = self.step + steps;
        if !self.components.is_empty() {
            while self.step < end {
                self.step()?;
                observe(self.step - 1, &self.spikes);
            }
            return Ok(());
        }
        let par = if self.populations.iter().any(|p| p.neurons.len() > CHUNK) {
            self.threads.par()
        } else {
            Par::Seq
        };
        let mut windows = vec![SpikeWindow::default(); self.populations.len()];
        while self.step < end {
            let to_check = self.check_every - self.step % self.check_every;
            let w = (end - self.step).min(WINDOW).min(to_check);
            for (p, win) in self.populations.iter_mut().zip(&mut windows) {
                p.neurons.run_steps(w as usize, par, win);
            }
            for s in 0..w as usize {
                for (win, out) in windows.iter().zip(&mut self.spikes) {
                    win.copy_step(s, out);
                }
                observe(self.step + s as u64, &self.spikes);
            }
            self.step += w;
            if self.step % self.check_every == 0 {
                self.check_finite()?;
            }
        }
        Ok(())
    }

    /// Scans neuron state for non-finite values.
    pub fn check_finite(&self) -> Result<(), SimError> {
        for p in &self.populations {
            if let Some((neuron, variable)) = p.neurons.find_non_finite() {
                return Err(SimError::NonFinite {
                    population: p.name.clone(),
                    neuron,
                    variable,
                    time: self.time(),
                });
            }
        }
        for c in &self.components {
            if let Some(what) = c.find_non_finite() {
                return Err(SimError::NonFiniteComponent {
                    component: c.name().to_string(),
                    what,
                    time: self.time(),
                });
            }
        }
        Ok(())
    }
}

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
//! Phases 1 and 2–3 also run *fused* with the populations: a component that declares a
//! [`Component::drive_target`] drives inside that population's thread task, after the
//! components without one (each target's fused components in list order, so every input
//! adds up in one order whatever the thread count), and one that declares a
//! [`Component::observe_source`] observes right after that population stepped. A task runs
//! all its drives before stepping its first population, so a drive of step `k` never sees
//! the observation of step `k`.
//!
//! Probes and recorders are observers: they read `spikes()` and `population(i).variable(..)`
//! between steps and never own state.
//!
//! # Window schedule (one parallel region per minimum-delay window)
//! Spikes act on inputs only after a delay: a spike of step `k` reaches inputs of step
//! `k + d` at the earliest, `d` = [`Component::lookahead`] (for spike delivery, the minimum
//! delay in steps, plus one for receptors that take impulses at the next step's start). Within
//! a window of `d` steps the neurons are therefore independent (NEST exchanges spikes once per
//! minimum delay for the same reason). When every component supports it (implements
//! [`Component::chunks`]) and every population with input ports has work chunks
//! ([`Neurons::chunks`]), the simulator advances whole windows: each fixed work chunk of
//! [`CHUNK`] neurons (`crate::chunked`) runs phases 1–2 for every step of the window — first
//! taking in the previous window's spikes (delivery into its own targets' delay slots), then
//! per step: its components' inputs, integrate, threshold — while its state stays in cache;
//! phase 3 happens once per window, as part of the next window's chunk work. All chunks of a
//! window run in **one** parallel region (one fork-join per window instead of several per
//! step), on the pool only when the window's work (neurons × steps) is large enough
//! ([`Simulator::set_min_parallel_work`]).
//!
//! Results are bit-identical whatever the thread count and the window length: every chunk
//! computes the same operations on the same data, random draws come from per-chunk streams,
//! and each chunk adds every spike's synapses into its own targets in one fixed order (step,
//! projection, spike, synapse), the order the per-step schedule uses.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use rayon::prelude::*;
use wide::f32x8;

use crate::SimError;
use crate::chunked::{MAX_PORTS, NeuronChunk, chunk_count, merge_windows};
use crate::lanes::Padded;
use crate::neurons::Neurons;
use crate::par::{CHUNK, CHUNK_LANES, Par, Threads, spin_join_each};
use crate::spikes::{SpikeSteps, SpikeWindow, Spikes};

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
    /// Per-step schedule: the one population whose inputs alone phase 1 touches, when phase 1
    /// reads and writes nothing else but the component's own state (a decoded connection into
    /// an ensemble, an input probe). The simulator then calls
    /// [`drive_ports`](Self::drive_ports) instead of [`drive`](Self::drive), inside that
    /// population's thread task, after the components without a target have driven; the
    /// components of one target drive in their order in the simulator. `None` (the default):
    /// [`drive_par`](Self::drive_par) on the calling thread before the tasks. Read when the
    /// step is planned, once per thread count (as is [`observe_source`](Self::observe_source)):
    /// it must not change.
    fn drive_target(&self) -> Option<usize> {
        None
    }
    /// Phase 1 of a component with a [`drive_target`](Self::drive_target): add this step's
    /// inputs into that population's ports (the same as [`drive`](Self::drive) does).
    fn drive_ports(&mut self, step: u64, dt: f64, ports: &mut [Padded]) {
        let _ = (step, dt, ports);
    }
    /// Per-step schedule: the one population whose spikes alone phase 3 reads, when phase 3
    /// writes nothing but the component's own state (decoding an ensemble's spikes). The
    /// simulator then calls [`observe_spikes`](Self::observe_spikes) instead of
    /// [`observe`](Self::observe), right after that population stepped — in its thread task
    /// when the component does not also drive in another task. `None` (the default):
    /// [`observe_par`](Self::observe_par) after all populations stepped.
    fn observe_source(&self) -> Option<usize> {
        None
    }
    /// Phase 3 of a component with an [`observe_source`](Self::observe_source): that
    /// population's spikes of `step` (the same as [`observe`](Self::observe) does).
    fn observe_spikes(&mut self, step: u64, dt: f64, spikes: &Spikes) {
        let _ = (step, dt, spikes);
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
    /// Synaptic events the component has delivered so far (spikes × fan-out, Poisson input
    /// events), for throughput figures; 0 for components that deliver none.
    fn events(&self) -> u64 {
        0
    }
    /// Window schedule support (see the module docs): `Some(d)` when the component implements
    /// [`chunks`](Self::chunks) and the spikes of step `k` change its inputs of step `k + d` at
    /// the earliest (`u64::MAX` when spikes never change them). `None` (the default): the
    /// simulator runs the per-step schedule.
    fn lookahead(&self) -> Option<u64> {
        None
    }
    /// The component split by the work blocks ([`Window::blocks`]) of the populations it
    /// drives, for one segment of windows: in each window, each [`BlockDrive`] first takes in
    /// the pending spikes ([`DriveBlock::begin`]), then adds its chunks' inputs step by step.
    /// Blocks run concurrently, so each must touch only its own part of the component's state,
    /// and results must not depend on how chunks are grouped into blocks. Needed when
    /// [`lookahead`](Self::lookahead) is `Some`.
    fn chunks<'a>(&'a mut self, window: &Window<'a>) -> Vec<BlockDrive<'a>> {
        let _ = window;
        Vec::new()
    }
}

/// Spikes emitted since a component last saw spikes, with the step of the first of them.
pub type Pending<'a> = Option<(u64, SpikeSteps<'a>)>;

/// What a component's work sees of a segment of the schedule: one or more windows, each
/// starting with [`DriveBlock::begin`] (the spikes of the window before).
#[derive(Clone, Copy, Debug)]
pub struct Window<'a> {
    /// First step of the segment.
    pub first: u64,
    /// Number of steps of the segment (all its windows).
    pub steps: u64,
    /// Time step, s.
    pub dt: f64,
    /// Per population, its work blocks: consecutive ranges of work chunks
    /// ([`crate::chunked::ChunkAt`]), one parallel task each.
    pub blocks: &'a [Vec<Range<usize>>],
}

/// A component's work for one block of work chunks of one population during a window.
pub struct BlockDrive<'a> {
    /// Population driven.
    pub pop: usize,
    /// Block within the population's blocks ([`Window::blocks`]).
    pub block: usize,
    /// The work.
    pub work: Box<dyn DriveBlock + 'a>,
}

/// A component's part for one block of work chunks (see [`Component::chunks`]).
pub trait DriveBlock: Send {
    /// Called at the start of every window, before its [`drive`](Self::drive)s: take in the
    /// `pending` spikes (e.g. add their synapses into this block's delay slots).
    fn begin(&mut self, pending: Pending<'_>) {
        let _ = pending;
    }
    /// Adds the inputs of chunk `chunk` (a chunk of the block) for step `step` into
    /// `inputs[port]` (the chunk's vectors of its population's input ports). Chunks of a block
    /// are driven one after the other, each through all the window's steps.
    fn drive(&mut self, step: u64, chunk: usize, inputs: &mut [&mut [f32x8]]);
}

/// Runs component work on the per-step schedule (one block per population): `begin`, then
/// one step of drive into whole-population `inputs`, chunk by chunk on the calling thread.
pub fn drive_blocks_now(
    works: Vec<BlockDrive<'_>>,
    blocks: &[Vec<Range<usize>>],
    step: u64,
    inputs: &mut [Vec<Padded>],
) {
    for mut w in works {
        w.work.begin(None);
        let ports = &mut inputs[w.pop];
        let np = ports.len();
        for c in blocks[w.pop][w.block].clone() {
            let lo = c * CHUNK_LANES;
            let mut ins = port_slices_mut(ports.iter_mut().map(|p| {
                let x = p.lanes_mut();
                let hi = (lo + CHUNK_LANES).min(x.len());
                &mut x[lo..hi]
            }));
            w.work.drive(step, c, &mut ins[..np]);
        }
    }
}

/// One block per population covering all its work chunks (the per-step schedule's blocks).
#[allow(clippy::single_range_in_vec_init)] // one block: a range, not the range's elements
pub fn whole_blocks(sizes: impl Iterator<Item = usize>) -> Vec<Vec<Range<usize>>> {
    sizes.map(|n| vec![0..chunk_count(n)]).collect()
}

/// Up to [`MAX_PORTS`] port slices as an array (the rest empty).
fn port_slices_mut<'a>(
    mut it: impl Iterator<Item = &'a mut [f32x8]>,
) -> [&'a mut [f32x8]; MAX_PORTS] {
    std::array::from_fn(|_| it.next().unwrap_or_default())
}

/// How one window work item steps its neurons.
enum ItemNeurons<'a> {
    /// The work chunks of a block, with their chunk indices.
    Chunks(Vec<(usize, Box<dyn NeuronChunk + 'a>)>),
    /// A whole population without input ports (spike sources).
    Whole(&'a mut dyn Neurons, Spikes),
}

/// One work item of a window: a block of chunks of a population with the component work
/// driving it.
struct Item<'a> {
    neurons: ItemNeurons<'a>,
    drives: Vec<Box<dyn DriveBlock + 'a>>,
    /// Chunk-sized buffers, one per input port.
    inputs: &'a mut [Vec<f32x8>],
    /// Per chunk of the block: its spikes over the window.
    out: &'a mut [SpikeWindow],
}

impl Item<'_> {
    /// Runs the item through the window's `steps` steps from `first`: components take in the
    /// `pending` spikes, then each chunk runs through every step (drive, integrate, threshold)
    /// while its state stays in cache.
    fn run(&mut self, first: u64, steps: u64, pending: Pending<'_>) {
        for d in &mut self.drives {
            d.begin(pending);
        }
        let ports = self.inputs.len();
        let chunks = match &mut self.neurons {
            ItemNeurons::Chunks(c) => c,
            ItemNeurons::Whole(n, buf) => {
                let out = &mut self.out[0];
                out.clear();
                for _ in 0..steps {
                    n.step(&[], Par::Seq, buf);
                    out.push_step(buf);
                }
                return;
            }
        };
        for ((c, neurons), out) in chunks.iter_mut().zip(self.out.iter_mut()) {
            out.clear();
            out.starts.push(0);
            let mut spikes = Spikes {
                ids: std::mem::take(&mut out.ids),
                offsets: std::mem::take(&mut out.offsets),
            };
            let m = neurons.lanes();
            for k in first..first + steps {
                for d in &mut self.drives {
                    let mut ins = port_slices_mut(self.inputs.iter_mut().map(|x| &mut x[..m]));
                    d.drive(k, *c, &mut ins[..ports]);
                }
                let mut ins: [&[f32x8]; MAX_PORTS] = [&[]; MAX_PORTS];
                for (i, x) in ins.iter_mut().zip(self.inputs.iter()) {
                    *i = &x[..m];
                }
                neurons.step(&ins[..ports], &mut spikes);
                for x in self.inputs.iter_mut() {
                    x[..m].fill(f32x8::ZERO);
                }
                out.starts.push(spikes.ids.len());
            }
            out.ids = spikes.ids;
            out.offsets = spikes.offsets;
        }
    }
}

/// Runs `body(sim, observe)` on worker 0 of `pool` while every other worker stays awake for
/// the whole call: each spins, executing any job it can steal (the halves of the window
/// fork-joins), until `body` returns. This is one parallel region per run with the idle
/// threads busy-waiting, as NEST's OpenMP threads do between spike exchanges (rayon's own
/// idle workers fall asleep after a few µs, and waking them per window costs more than a
/// window of a mid-sized network). Which thread runs which job never changes results.
fn run_awake<C: Send, T: Send>(
    pool: &rayon::ThreadPool,
    ctx: C,
    body: impl FnOnce(C) -> T + Send,
) -> T {
    /// Ends the other workers' spinning when the body returns or unwinds.
    struct Done<'a>(&'a AtomicBool);
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Release);
        }
    }
    let done = AtomicBool::new(false);
    let host = Mutex::new(Some((ctx, body)));
    let mut results = pool.broadcast(|worker| {
        if worker.index() == 0 {
            let _done = Done(&done);
            let (ctx, body) = host
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .expect("worker 0 runs the body once");
            Some(body(ctx))
        } else {
            let mut idle = 0u32;
            while !done.load(Ordering::Acquire) {
                if rayon::yield_now() == Some(rayon::Yield::Executed) {
                    idle = 0;
                } else {
                    idle = idle.wrapping_add(1);
                    if idle.is_multiple_of(YIELD_EVERY) {
                        // Let the OS run another thread if one waits (a busy machine):
                        // spinning on its core would stall the worker it waits for.
                        std::thread::yield_now();
                    } else {
                        std::hint::spin_loop();
                    }
                }
            }
            None
        }
    });
    results
        .swap_remove(0)
        .expect("worker 0 returns the body's result")
}

/// Idle spins of a waiting worker between two offers of its core to the OS scheduler
/// ([`run_awake`]): on a quiet machine the offer returns at once; on a busy one it lets the
/// thread that holds the work run.
const YIELD_EVERY: u32 = 64;

/// How a window's work is cut: per population its blocks (consecutive runs of its work
/// chunks), and per block the thread-task ("part") that runs it.
#[derive(Debug)]
struct Layout {
    parts: usize,
    blocks: Vec<Vec<Range<usize>>>,
    part_of: Vec<Vec<usize>>,
    /// Part of every global chunk.
    part: Vec<usize>,
    /// Neurons of every global chunk.
    neurons: Vec<usize>,
    /// Population chunk ranges (`chunk_of`).
    chunk_of: Vec<usize>,
    /// Busy time of each part (s) measured since the last rebalancing decision.
    busy: Vec<f64>,
}

impl Layout {
    /// Cuts the work chunks of all populations, taken in order (population `p` owns global
    /// chunks `chunk_of[p]..chunk_of[p + 1]`, chunk `c` holding `neurons[c]` neurons), into
    /// `parts` consecutive runs of about equal neuron count — each chunk goes to the part its
    /// middle neuron falls in — and each population's chunks into blocks at the cuts.
    /// Populations without neurons in chunks (weight 0) go with their neighbours.
    fn new(chunk_of: &[usize], neurons: &[usize], parts: usize) -> Self {
        let parts = parts.max(1);
        let part = cut_by_middle(neurons.iter().copied(), parts);
        Self::with_parts(chunk_of, neurons, parts, part)
    }

    /// The layout in which global chunk `c` belongs to part `part[c]` (consecutive runs).
    fn with_parts(chunk_of: &[usize], neurons: &[usize], parts: usize, part: Vec<usize>) -> Self {
        let mut blocks = Vec::with_capacity(chunk_of.len().saturating_sub(1));
        let mut part_of = Vec::with_capacity(blocks.capacity());
        for c in chunk_of.windows(2) {
            let (mut b, mut pb) = (Vec::new(), Vec::new());
            let mut start = c[0];
            for k in c[0]..c[1] {
                if k + 1 == c[1] || part[k + 1] != part[k] {
                    b.push(start - c[0]..k + 1 - c[0]);
                    pb.push(part[k]);
                    start = k + 1;
                }
            }
            blocks.push(b);
            part_of.push(pb);
        }
        Self {
            parts,
            blocks,
            part_of,
            part,
            neurons: neurons.to_vec(),
            chunk_of: chunk_of.to_vec(),
            busy: vec![0.0; parts],
        }
    }

    /// Measured rebalancing: given each part's busy time since the last decision
    /// ([`busy`](Self::busy)), moves one boundary chunk from the busiest part to a neighbour
    /// when the move, predicted with the busiest part's time per neuron, lowers the larger of
    /// the two times by at least [`REBALANCE_GAIN`]. Parts stay consecutive runs and none becomes empty. Neuron counts
    /// are a good first cut, but a part's time also grows with its number of blocks (each
    /// block looks up every spiking row's part once) and with its populations' input, so the
    /// measured cut can differ by a chunk. Which part runs a chunk never changes results.
    fn rebalance(&self) -> Option<Self> {
        let busy = &self.busy;
        let load = |p: usize| -> usize {
            self.part
                .iter()
                .zip(&self.neurons)
                .filter(|&(&q, _)| q == p)
                .map(|(_, &n)| n)
                .sum()
        };
        let slow = (0..self.parts).max_by(|&a, &b| busy[a].total_cmp(&busy[b]))?;
        let per_neuron = busy[slow] / load(slow).max(1) as f64;
        let chunks: Vec<usize> = (0..self.part.len())
            .filter(|&c| self.part[c] == slow)
            .collect();
        if chunks.len() < 2 {
            return None;
        }
        let (first, last) = (chunks[0], chunks[chunks.len() - 1]);
        let mut best: Option<(f64, usize, usize)> = None;
        // Give the first chunk to the part before, or the last chunk to the part after.
        for (chunk, to) in [(first, slow.checked_sub(1)), (last, Some(slow + 1))] {
            let Some(to) = to.filter(|&t| t < self.parts) else {
                continue;
            };
            if self.neurons[chunk] == 0 {
                continue;
            }
            let moved = per_neuron * self.neurons[chunk] as f64;
            let after = (busy[slow] - moved).max(busy[to] + moved);
            if after < busy[slow] * (1.0 - REBALANCE_GAIN) && best.is_none_or(|b| after < b.0) {
                best = Some((after, chunk, to));
            }
        }
        let (_, chunk, to) = best?;
        let mut part = self.part.clone();
        part[chunk] = to;
        Some(Self::with_parts(
            &self.chunk_of,
            &self.neurons,
            self.parts,
            part,
        ))
    }
}

/// Cuts items of the given sizes, taken in order, into `parts` (≥ 1) consecutive runs of about
/// equal total size: each item goes to the part its middle falls in. The part of every item.
fn cut_by_middle(sizes: impl Iterator<Item = usize> + Clone, parts: usize) -> Vec<usize> {
    let total = sizes.clone().sum::<usize>().max(1);
    let mut before = 0;
    sizes
        .map(|n| {
            let p = ((2 * before + n) * parts / (2 * total)).min(parts - 1);
            before += n;
            p
        })
        .collect()
}

/// Busy time (s, summed over parts and segments) measured before each rebalancing decision:
/// enough windows that their noise stays below [`REBALANCE_GAIN`].
const MIN_REBALANCE_SECS: f64 = 0.01;

/// Least predicted gain (fraction of the busiest part's time) for which [`Layout::rebalance`]
/// moves a chunk: below it, measurement noise would move chunks back and forth.
const REBALANCE_GAIN: f64 = 0.03;

/// Neurons of every work chunk of every population, in order (a whole population, stepped
/// as one item, counts as one chunk of weight 0: spike sources are cheap).
fn chunk_neurons(populations: &[Population], whole: &[bool]) -> Vec<usize> {
    let mut out = Vec::new();
    for (p, &whole) in populations.iter().zip(whole) {
        if whole {
            out.push(0);
        } else {
            let n = p.neurons.len();
            out.extend((0..chunk_count(n)).map(|c| (n - c * CHUNK).min(CHUNK)));
        }
    }
    out
}

/// A named population in a simulator.
#[derive(Debug)]
pub struct Population {
    /// Name (unique within the simulator).
    pub name: String,
    /// The neurons.
    pub neurons: Box<dyn Neurons>,
}

/// What [`Simulator::run`] calls after each step with the step and every population's
/// spikes. `Send`: with threads, the run loop executes on a worker of the simulator's pool.
pub type Observer<'a> = dyn FnMut(u64, &[Spikes]) + Send + 'a;

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
    min_parallel_work: usize,
    /// Window schedule: the lookahead (window length limit) when it applies.
    lookahead: Option<u64>,
    max_window: u64,
    /// Per work item (block) of a window: chunk-sized buffers of its input ports.
    item_inputs: Vec<Vec<Vec<f32x8>>>,
    /// Per work chunk of every population: its spikes over the window.
    chunk_spikes: Vec<SpikeWindow>,
    /// First work chunk of each population in `chunk_spikes` (and the total at the end).
    chunk_of: Vec<usize>,
    /// Spikes of each population over the last window, and that window's first step while
    /// components have not taken them in yet.
    window_spikes: Vec<SpikeWindow>,
    pending: Option<u64>,
    /// Per population: stepped as a whole (no input ports, no chunks: spike sources).
    whole: Vec<bool>,
    /// How windows are cut into blocks and thread tasks, for the last thread count used.
    layout: Option<Layout>,
    /// Inside a run region whose idle workers spin (`run_awake`): parallel phases are then
    /// awaited by [`spin_join_each`]; outside, by rayon's join (a sleeping worker takes tens of
    /// µs to wake, and rayon's adaptive splitting lets the caller do the work meanwhile).
    awake: bool,
    /// The per-step schedule's tasks for the last thread count used.
    plan: Option<StepPlan>,
}

/// How a step of the per-step schedule is cut into thread tasks ([`Simulator::step`]).
#[derive(Debug)]
struct StepPlan {
    tasks: usize,
    /// Task of every population: consecutive populations of about equal neuron count.
    task_of: Vec<usize>,
    /// Per task: its first population, its numbers of populations and fused components.
    sizes: Vec<(usize, usize, usize)>,
    /// Per component: the task it is fused into, the population it drives there and the one
    /// it observes there. A component observes in a task only where it drives, if it drives:
    /// two tasks must not hold it at once.
    components: Vec<(Option<usize>, Option<usize>, Option<usize>)>,
    /// Components observed after the tasks, in order.
    observe_later: Vec<usize>,
}

impl StepPlan {
    /// The plan for `tasks` (≥ 1) tasks; reads each component's drive target and observe
    /// source.
    fn new(tasks: usize, populations: &[Population], components: &[Box<dyn Component>]) -> Self {
        let task_of = cut_by_middle(populations.iter().map(|p| p.neurons.len()), tasks);
        let mut sizes = vec![(0, 0, 0); tasks];
        for (i, &t) in task_of.iter().enumerate().rev() {
            sizes[t].0 = i;
            sizes[t].1 += 1;
        }
        let mut observe_later = Vec::new();
        let components = components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let (drive, observe) = (c.drive_target(), c.observe_source());
                let task = drive.or(observe).map(|p| task_of[p]);
                let observe = observe.filter(|&p| Some(task_of[p]) == task);
                if observe.is_none() {
                    observe_later.push(i);
                }
                if let Some(t) = task {
                    sizes[t].2 += 1;
                }
                (task, drive, observe)
            })
            .collect();
        Self {
            tasks,
            task_of,
            sizes,
            components,
            observe_later,
        }
    }
}

/// One thread task of a step of the per-step schedule (see [`Simulator::step`]): a run of
/// consecutive populations, and the components fused with them.
struct StepTask<'a> {
    /// Index of the first population.
    first: usize,
    /// Per population: the neurons, their input ports, their spikes.
    populations: Vec<(&'a mut Population, &'a mut Vec<Padded>, &'a mut Spikes)>,
    components: Vec<Fused<'a>>,
}

/// A component whose drive, observation or both run inside a [`StepTask`].
struct Fused<'a> {
    component: &'a mut Box<dyn Component>,
    /// The task drives it ([`Component::drive_target`], a population of the task).
    drive: Option<usize>,
    /// The task observes it ([`Component::observe_source`], a population of the task).
    observe: Option<usize>,
}

impl StepTask<'_> {
    fn run(&mut self, k: u64, dt: f64, par: Par<'_>) {
        // Every drive first: a component's drive of step `k` must precede its observation of
        // step `k`, also when its source population steps before its target in this task.
        for f in &mut self.components {
            if let Some(target) = f.drive {
                let ports = &mut *self.populations[target - self.first].1;
                f.component.drive_ports(k, dt, ports);
            }
        }
        for (i, (p, input, out)) in self.populations.iter_mut().enumerate() {
            p.neurons.step(input, par, out);
            for port in input.iter_mut() {
                port.padded_mut().fill(0.0);
            }
            for f in &mut self.components {
                if f.observe == Some(self.first + i) {
                    f.component.observe_spikes(k, dt, out);
                }
            }
        }
    }
}

/// Most steps one window of the schedule spans (networks whose spikes never act on inputs
/// still advance in windows, for temporal blocking: each chunk's state stays in cache).
pub const WINDOW: u64 = 128;

/// Default of [`Simulator::set_min_parallel_work`]: a window (or step) with less work than
/// this many neuron-steps runs on one thread. A fork-join costs a few microseconds, the work
/// of about 10⁴ neuron-steps, so smaller windows would be slower on two threads than on one.
pub const MIN_PARALLEL_WORK: usize = 32_768;

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
        let spikes_len = spikes.len();
        let neurons = populations.iter().map(|p| p.neurons.len()).sum();
        let mut populations = populations;
        let lookahead = window_lookahead(&mut populations, &components);
        let whole: Vec<bool> = populations
            .iter_mut()
            .map(|p| p.neurons.ports().is_empty() && p.neurons.chunks().is_none())
            .collect();
        let mut chunk_of = vec![0];
        for (p, &whole) in populations.iter().zip(&whole) {
            let chunks = if whole {
                1
            } else {
                chunk_count(p.neurons.len())
            };
            chunk_of.push(chunk_of[chunk_of.len() - 1] + chunks);
        }
        let chunks = chunk_of[chunk_of.len() - 1];
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
            min_parallel_work: MIN_PARALLEL_WORK,
            lookahead,
            max_window: WINDOW,
            item_inputs: Vec::new(),
            chunk_spikes: vec![SpikeWindow::default(); chunks],
            chunk_of,
            window_spikes: vec![SpikeWindow::default(); spikes_len],
            pending: None,
            whole,
            layout: None,
            awake: false,
            plan: None,
        })
    }

    /// Sets how often (in steps) state is scanned for non-finite values (default 256).
    pub fn set_check_every(&mut self, steps: u64) {
        self.check_every = steps.max(1);
    }

    /// A window (or, on the per-step schedule, a step) whose work — neurons × steps — is
    /// below `work` (default [`MIN_PARALLEL_WORK`]) runs on the calling thread even when a
    /// pool exists: a fork-join costs microseconds, as much as a step of a few thousand
    /// neurons, so two threads would be slower than one. Results do not depend on this
    /// setting (every kernel is thread-count independent).
    pub fn set_min_parallel_work(&mut self, work: usize) {
        self.min_parallel_work = work;
    }

    /// The work below which a window or step runs on the calling thread
    /// ([`set_min_parallel_work`](Self::set_min_parallel_work)).
    pub fn min_parallel_work(&self) -> usize {
        self.min_parallel_work
    }

    /// Caps the window length of the window schedule (default [`WINDOW`], at least 1).
    /// Results do not depend on it (tested); shorter windows mean more fork-joins.
    pub fn set_max_window(&mut self, steps: u64) {
        self.max_window = steps.max(1);
    }

    /// True when the simulator advances in windows (see the module docs), false when it runs
    /// the per-step schedule (a component or population without chunk support).
    pub fn windowed(&self) -> bool {
        self.lookahead.is_some()
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

    /// Synaptic events delivered so far by all components ([`Component::events`]).
    pub fn events(&self) -> u64 {
        self.components.iter().map(|c| c.events()).sum()
    }

    /// Spikes of each population during the last step.
    pub fn spikes(&self) -> &[Spikes] {
        &self.spikes
    }

    /// Runs one step of the schedule (see the module docs).
    pub fn step(&mut self) -> Result<(), SimError> {
        if self.lookahead.is_some() {
            self.segment(1, &mut |_, _| {});
            return self.after_steps(1);
        }
        let (k, dt) = (self.step, self.dt);
        let par = if self.step_parallel() {
            self.threads.par()
        } else {
            Par::Seq
        };
        // Populations are independent within a step: on the pool they step concurrently, one
        // task per thread over consecutive populations of about equal size (a task per
        // population would cost a steal each); each still steps its own fixed chunks, so
        // results do not depend on the schedule.
        let tasks = match par {
            Par::Pool(pool) if self.awake && self.populations.len() > 1 => {
                pool.current_num_threads()
            }
            _ => 1,
        };
        if self.plan.as_ref().is_none_or(|p| p.tasks != tasks) {
            self.plan = Some(StepPlan::new(tasks, &self.populations, &self.components));
        }
        let Self {
            plan,
            components,
            populations,
            inputs,
            spikes,
            ..
        } = self;
        let plan = plan.as_ref().expect("planned above");
        // Phase 1 of the components without a drive target here; then each task drives its
        // components that have one (in component order), steps its populations and observes
        // the components that read only their spikes (see `StepPlan`).
        let mut groups: Vec<StepTask<'_>> = plan
            .sizes
            .iter()
            .map(|&(first, pops, comps)| StepTask {
                first,
                populations: Vec::with_capacity(pops),
                components: Vec::with_capacity(comps),
            })
            .collect();
        for (c, &(task, drive, observe)) in components.iter_mut().zip(&plan.components) {
            if drive.is_none() {
                c.drive_par(k, dt, inputs, par);
            }
            if let Some(t) = task {
                groups[t].components.push(Fused {
                    component: c,
                    drive,
                    observe,
                });
            }
        }
        let populations = populations
            .iter_mut()
            .zip(inputs.iter_mut())
            .zip(spikes.iter_mut());
        for (((p, input), out), &t) in populations.zip(&plan.task_of) {
            groups[t].populations.push((p, input, out));
        }
        let run = |g: &mut StepTask<'_>| g.run(k, dt, par);
        match par {
            Par::Pool(pool) if tasks > 1 => pool.install(|| spin_join_each(&mut groups, run)),
            _ => groups.iter_mut().for_each(run),
        }
        drop(groups);
        for &i in &plan.observe_later {
            components[i].observe_par(k, dt, spikes, par);
        }
        self.after_steps(1)
    }

    /// Runs `steps` steps of the per-step schedule ([`step`](Self::step)), calling
    /// `after_step` with the simulator after each one (state probes read variables there).
    /// When the steps run on the pool, they run in one pool region whose idle workers stay
    /// awake between steps (see `run_awake`): a step of a mid-sized network is tens of
    /// microseconds of work, about what waking a sleeping pool costs on a virtual machine.
    /// Results are the same as calling `step` `steps` times.
    pub fn run_stepwise(
        &mut self,
        steps: u64,
        after_step: &mut (dyn FnMut(&Simulator) + Send),
    ) -> Result<(), SimError> {
        let run = |sim: &mut Simulator, after_step: &mut (dyn FnMut(&Simulator) + Send)| {
            for _ in 0..steps {
                sim.step()?;
                after_step(sim);
            }
            Ok(())
        };
        match self.threads.pool() {
            Some(pool) if steps > 1 && self.step_parallel() => {
                run_awake(&pool, (self, after_step), |(sim, f)| {
                    sim.awake_for(|sim| run(sim, f))
                })
            }
            _ => run(self, after_step),
        }
    }

    /// Runs `body` with [`awake`](Self::awake) set (inside `run_awake`).
    fn awake_for<T>(&mut self, body: impl FnOnce(&mut Self) -> T) -> T {
        self.awake = true;
        let out = body(self);
        self.awake = false;
        out
    }

    /// Whether a step of the per-step schedule has enough work to run on the pool.
    fn step_parallel(&self) -> bool {
        self.neurons >= self.min_parallel_work
    }

    /// Counts `steps` steps done and runs the non-finite check when one is due.
    fn after_steps(&mut self, steps: u64) -> Result<(), SimError> {
        self.step += steps;
        if self.step.is_multiple_of(self.check_every) {
            self.check_finite()?;
        }
        Ok(())
    }

    /// Runs `steps` steps, calling `observe(step, spikes)` after each one with every
    /// population's spikes of that step (what [`spikes`](Self::spikes) holds after
    /// [`step`](Self::step)).
    ///
    /// On the window schedule the steps advance in windows of up to the lookahead (see the
    /// module docs) and `observe` is called step by step after each window; results are
    /// bit-identical to calling `step` `steps` times, and non-finite checks happen at the same
    /// steps. Otherwise this is a loop over `step`.
    pub fn run(&mut self, steps: u64, observe: &mut Observer<'_>) -> Result<(), SimError> {
        let end = self.step + steps;
        if self.lookahead.is_none() {
            return self.run_stepwise(steps, &mut |sim| observe(sim.step - 1, &sim.spikes));
        }
        // Every window of the run in one pool region (see `run_awake`): a window's fork-join
        // is then a work-stealing split between threads that are awake, not a hand-over to
        // a sleeping pool and back (a wake-up costs tens of µs on a virtual machine; a
        // 2-step window of 40 000 neurons is about 80 µs of work).
        let windows = |sim: &mut Self, observe: &mut Observer<'_>| {
            while sim.step < end {
                let to_check = sim.check_every - sim.step % sim.check_every;
                let steps = (end - sim.step).min(to_check);
                sim.segment(steps, observe);
                sim.after_steps(steps)?;
            }
            Ok(())
        };
        match self.threads.pool() {
            Some(pool) if self.windows_parallel(steps) => {
                run_awake(&pool, (self, observe), |(sim, observe)| {
                    sim.awake_for(|sim| windows(sim, observe))
                })
            }
            _ => windows(self, observe),
        }
    }

    /// Longest window of the window schedule: the lookahead, capped by the maximum window.
    fn window_len(&self) -> u64 {
        self.lookahead.unwrap_or(1).min(self.max_window).max(1)
    }

    /// Whether the windows of `steps` steps from now have enough work (neurons × window
    /// length) to run on the pool ([`set_min_parallel_work`](Self::set_min_parallel_work)).
    fn windows_parallel(&self, steps: u64) -> bool {
        self.neurons
            .saturating_mul(self.window_len().min(steps) as usize)
            >= self.min_parallel_work
    }

    /// Advances `steps` steps from the current step (up to the next non-finite check) in
    /// windows of at most the lookahead, without counting them; calls `observe` per step after
    /// each window and leaves the last step's spikes in `self.spikes`. The work items (blocks
    /// with their component work) are built once for the whole segment and reused by each of
    /// its windows: per-window costs are the fork-join and the spike merge only.
    fn segment(&mut self, steps: u64, observe: &mut Observer<'_>) {
        let first = self.step;
        let end = first + steps;
        let w_max = self.window_len();
        let par = if self.windows_parallel(steps) {
            self.threads.par()
        } else {
            Par::Seq
        };
        let Self {
            dt,
            populations,
            components,
            item_inputs,
            chunk_spikes,
            chunk_of,
            window_spikes,
            spikes: step_spikes,
            pending,
            whole,
            layout,
            awake,
            ..
        } = self;
        // Blocks: one per population on one thread; otherwise the populations' chunks, in
        // order, cut into one run per thread of about equal neuron count (each block's
        // delivery reads its part of every spiking row once, so fewer cuts read less).
        let parts = par.threads();
        if layout.as_ref().is_none_or(|l| l.parts != parts) {
            *layout = Some(Layout::new(
                chunk_of,
                &chunk_neurons(populations, whole),
                parts,
            ));
        }
        let Layout {
            blocks,
            part_of: part_of_block,
            ..
        } = layout.as_ref().expect("layout computed above");
        let window = Window {
            first,
            steps,
            dt: *dt,
            blocks,
        };
        let items_needed: usize = blocks.iter().map(Vec::len).sum();
        let max_ports = populations.iter().map(|p| p.neurons.ports().len()).max();
        if item_inputs.len() < items_needed {
            let ports = max_ports.unwrap_or(0);
            item_inputs.resize_with(items_needed, || vec![vec![f32x8::ZERO; CHUNK_LANES]; ports]);
        }
        let mut items: Vec<Item<'_>> = Vec::with_capacity(items_needed);
        let mut inputs = item_inputs.iter_mut();
        let mut outs = &mut chunk_spikes[..];
        let mut item_of = Vec::with_capacity(populations.len() + 1);
        for ((p, &whole), blocks) in populations.iter_mut().zip(whole.iter()).zip(blocks) {
            item_of.push(items.len());
            let ports = p.neurons.ports().len();
            let mut neurons: Vec<ItemNeurons<'_>> = if whole {
                vec![ItemNeurons::Whole(&mut *p.neurons, Spikes::default())]
            } else {
                let mut chunks = p
                    .neurons
                    .chunks()
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate();
                blocks
                    .iter()
                    .map(|b| ItemNeurons::Chunks(chunks.by_ref().take(b.len()).collect()))
                    .collect()
            };
            for (b, neurons) in blocks.iter().zip(neurons.drain(..)) {
                let (out, rest) = std::mem::take(&mut outs).split_at_mut(b.len());
                outs = rest;
                let inputs = inputs.next().expect("input buffers for every block");
                items.push(Item {
                    neurons,
                    drives: Vec::new(),
                    inputs: &mut inputs[..ports],
                    out,
                });
            }
        }
        item_of.push(items.len());
        for c in components.iter_mut() {
            for d in c.chunks(&window) {
                items[item_of[d.pop] + d.block].drives.push(d.work);
            }
        }
        let mut busy = vec![0.0; parts];
        let mut k = first;
        while k < end {
            let w = w_max.min(end - k);
            let spikes = pending.map(|p| (p, SpikeSteps::Window(window_spikes)));
            match par {
                Par::Pool(pool) if parts > 1 => {
                    // One task per thread: its run of blocks, timed for the rebalancing.
                    let mut tasks: Vec<(Vec<&mut Item<'_>>, f64)> =
                        (0..parts).map(|_| (Vec::new(), 0.0)).collect();
                    for (it, &part) in items.iter_mut().zip(part_of_block.iter().flatten()) {
                        tasks[part].0.push(it);
                    }
                    let task = |(t, secs): &mut (Vec<&mut Item<'_>>, f64)| {
                        let start = Instant::now();
                        for it in t.iter_mut() {
                            it.run(k, w, spikes);
                        }
                        *secs = start.elapsed().as_secs_f64();
                    };
                    pool.install(|| match awake {
                        true => spin_join_each(&mut tasks, task),
                        false => tasks.par_iter_mut().for_each(task),
                    });
                    for (b, (_, secs)) in busy.iter_mut().zip(&tasks) {
                        *b += secs;
                    }
                }
                _ => items.iter_mut().for_each(|it| it.run(k, w, spikes)),
            }
            for (pi, win) in window_spikes.iter_mut().enumerate() {
                let chunks = items[item_of[pi]..item_of[pi + 1]]
                    .iter()
                    .flat_map(|it| it.out.iter());
                merge_windows(chunks, w as usize, win);
            }
            *pending = Some(k);
            for s in 0..w as usize {
                for (win, out) in window_spikes.iter().zip(step_spikes.iter_mut()) {
                    win.copy_step(s, out);
                }
                observe(k + s as u64, step_spikes);
            }
            k += w;
        }
        // Move a chunk between parts when the measured times say so; times add up over
        // segments (a `run` of a few steps is a short segment) until there is enough to act
        // on, then start again.
        drop(items);
        if let Some(l) = layout.as_mut().filter(|_| parts > 1) {
            for (a, b) in l.busy.iter_mut().zip(&busy) {
                *a += b;
            }
            if l.busy.iter().sum::<f64>() >= MIN_REBALANCE_SECS {
                let next = l.rebalance();
                l.busy.fill(0.0);
                if next.is_some() {
                    *layout = next;
                }
            }
        }
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

/// The window schedule's lookahead for these populations and components (see the module
/// docs), or `None` when the per-step schedule must run.
fn window_lookahead(
    populations: &mut [Population],
    components: &[Box<dyn Component>],
) -> Option<u64> {
    for p in populations.iter_mut() {
        if !p.neurons.ports().is_empty() && p.neurons.chunks().is_none() {
            return None;
        }
    }
    components
        .iter()
        .try_fold(u64::MAX, |m, c| c.lookahead().map(|d| m.min(d.max(1))))
}

#[cfg(test)]
mod tests {
    use super::Layout;

    #[test]
    fn one_part_is_one_block_per_population() {
        let l = Layout::new(
            &[0, 5, 6, 8],
            &[2048, 2048, 2048, 2048, 1808, 0, 2048, 452],
            1,
        );
        assert_eq!(l.blocks, vec![vec![0..5], vec![0..1], vec![0..2]]);
        assert_eq!(l.part_of, vec![vec![0], vec![0], vec![0]]);
    }

    #[test]
    fn rebalancing_moves_a_boundary_chunk_only_when_it_pays() {
        // CUBA scaled on 2 threads as measured: part 1 (E 10–15 and I) 26 % slower.
        let mut neurons = vec![2048; 15];
        neurons.extend([1280, 2048, 2048, 2048, 1856]);
        let measured = |mut l: Layout, busy: [f64; 2]| {
            l.busy = busy.to_vec();
            l.rebalance()
        };
        let l = Layout::new(&[0, 16, 20], &neurons, 2);
        assert_eq!(l.blocks[0], vec![0..10, 10..16]);
        let r = measured(l, [0.203, 0.256]).expect("a chunk moves");
        assert_eq!(r.blocks, vec![vec![0..11, 11..16], vec![0..4]]);
        assert_eq!(r.part_of, vec![vec![0, 1], vec![1]]);
        // Balanced, or a move that would overshoot (Brunel: 2048 of 6356 neurons): none.
        let l = Layout::new(&[0, 16, 20], &neurons, 2);
        assert!(measured(l, [0.25, 0.25]).is_none());
        let brunel = Layout::new(
            &[0, 5, 6, 8],
            &[2048, 2048, 2048, 2048, 1808, 0, 2048, 452],
            2,
        );
        assert!(measured(brunel, [0.607, 0.695]).is_none());
        // The faster part gives nothing; a part is never emptied.
        let one = Layout::new(&[0, 2], &[2048, 2048], 2);
        assert!(measured(one, [0.1, 0.9]).is_none());
    }

    #[test]
    fn parts_are_consecutive_runs_of_about_equal_neuron_count() {
        // Brunel: 10 000 E (5 chunks), a spike source (weight 0), 2 500 I (2 chunks).
        let neurons = [2048, 2048, 2048, 2048, 1808, 0, 2048, 452];
        let l = Layout::new(&[0, 5, 6, 8], &neurons, 2);
        assert_eq!(l.blocks, vec![vec![0..3, 3..5], vec![0..1], vec![0..2]]);
        assert_eq!(l.part_of, vec![vec![0, 1], vec![1], vec![1]]);
        // CUBA scaled: 32 000 E (16 chunks), 8 000 I (4 chunks); every chunk in one block,
        // parts within one chunk of the ideal split.
        let mut neurons = vec![2048; 15];
        neurons.extend([1280, 2048, 2048, 2048, 1856]);
        for parts in 1..=5 {
            let l = Layout::new(&[0, 16, 20], &neurons, parts);
            let mut load = vec![0; parts];
            let mut next = 0;
            for (pop, (blocks, part_of)) in l.blocks.iter().zip(&l.part_of).enumerate() {
                let mut chunk = 0;
                for (b, &p) in blocks.iter().zip(part_of) {
                    assert_eq!(b.start, chunk, "blocks of population {pop} are consecutive");
                    assert!(p >= next, "parts are consecutive runs");
                    next = p;
                    chunk = b.end;
                    let first = [0, 16][pop];
                    load[p] += neurons[first + b.start..first + b.end]
                        .iter()
                        .sum::<usize>();
                }
                assert_eq!(chunk, [16, 4][pop], "population {pop} covered");
            }
            let ideal = 40_000 / parts;
            assert!(
                load.iter().all(|&n| n.abs_diff(ideal) <= 2048),
                "{parts}: {load:?}"
            );
        }
    }
}

//! Event-driven spike delivery through rings of delay slots.
//!
//! A spike emitted by source neuron `i` during step `k` reaches each target `t` of `i`'s CSR
//! row with delay `d` steps by adding the synapse's weight to slot `(k + d) mod L` of the ring
//! of the target's (population, port); at step `k + d` the slot is added into the population's
//! input port and zeroed. Cost is proportional to spikes × fan-out; the ring holds
//! `L = max delay + 1` slots of one value per target neuron. Spikes are delivered on the step
//! grid: the in-step spike time does not shift the arrival (as NEST's and Brian2's grid-based
//! models).
//!
//! # Receptors and timing
//! A spike emitted during step `k` (at the latest at its end, `(k+1)·Δt`) must act `d` steps
//! later, at `(k+1+d)·Δt`. How the popped sum enters the target is the projection's
//! [`Receptor`]:
//! - [`Receptor::Direct`]: added into the port at step `k + d`, for ports whose input acts at
//!   the end of the step: the LIF `jump` port (delta synapses) adds it to the voltage at the end
//!   of step `k + d`, exactly as NEST's `iaf_psc_delta` adds the arriving ring-buffer slot in
//!   the update of that step.
//! - [`Receptor::StepStart`]: added into the port at step `k + d + 1`, for ports whose input is
//!   an impulse at the start of the step (conductance increments of
//!   [`crate::LifCobaPopulation`]).
//! - [`Receptor::Filter`]: fed as impulses at the start of step `k + d + 1` into a
//!   [`PscFilter`] (one per target neuron, shared by every projection with the same target,
//!   port and kernel) whose step-averaged output is added into the port (a current). With
//!   `d = 1` a spike of step `k` first moves the membrane in step `k + 2`, as in NEST's
//!   `iaf_psc_exp` and Brian2's `on_pre: ge += w` with a 0.1 ms delay.
//!
//! # Chunks and threads
//! The component is split by blocks of consecutive work chunks of the target population
//! ([`Component::chunks`]): a block's work adds every pending spike's synapses whose targets
//! lie in the block into its part of the slots (each row's part in each block is computed once
//! per block layout, so a block reads only its part of a row), then pops
//! its slots step by step, chunk by chunk, through its part of the filter state.
//! Each slot cell receives its additions in one fixed order — step, projection, spike,
//! synapse — whatever the thread count and window length, so sums are bit-identical. Spikes
//! of step `k` first act at step `k + lookahead` (the minimum delay, plus one for step-start
//! and filtered receptors), the window length of the simulator's schedule.

use std::ops::Range;

use rayon::prelude::*;
use wide::f32x8;

use crate::SimError;
use crate::chunked::{ChunkAt, chunk_count};
use crate::connectivity::{Csr, Delays, Weights};
use crate::kernels::psc::{PscConsts, psc_take_simd};
use crate::lanes::{LANES, Padded};
use crate::par::{CHUNK, CHUNK_LANES};
use crate::prefetch;
use crate::sim::{
    BlockDrive, Component, DriveBlock, Pending, Window, drive_blocks_now, whole_blocks,
};
use crate::spikes::{SpikeSteps, Spikes};
use crate::synapse::{Discretisation, PscFilter, PscShape};

/// How a projection's delivered weights enter the target port (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Receptor {
    /// Added into the port in the arrival step (input acting at the step's end: LIF `jump`).
    Direct,
    /// Added into the port one step later, as an impulse at the start of the step
    /// (conductance increments).
    StepStart,
    /// Filtered by a PSC kernel (impulses at the step start, exact step average) into the
    /// port, as a current; the weight is the impulse area (charge), so an exponential
    /// synapse whose current jumps by `w` uses area `w·τ`.
    Filter(PscShape),
}

/// A projection: synapses from one population to one input port of another.
#[derive(Clone, Debug)]
pub struct Projection {
    /// Name for errors and summaries.
    pub name: String,
    /// Source population index (in the simulator's population order).
    pub source: usize,
    /// Target population index.
    pub target: usize,
    /// Input port of the target population.
    pub port: usize,
    /// How the delivered weights enter the port.
    pub receptor: Receptor,
    /// The synapses.
    pub csr: Csr,
}

/// Delay slots for one (population, port, receptor).
#[derive(Clone, Debug)]
struct Ring {
    pop: usize,
    port: usize,
    receptor: Receptor,
    /// Steps added to every delay (1 for step-start receptors).
    lag: u64,
    /// Targets.
    n: usize,
    /// Slot `a mod L` holds what arrives at step `a`, one value per target.
    slots: Vec<Padded>,
    filter: Option<PscFilter>,
}

/// Delivers the spikes of a set of projections (the [`Component`] for spiking synapses).
#[derive(Clone, Debug)]
pub struct SpikeDelivery {
    name: String,
    projections: Vec<Projection>,
    ring_of: Vec<usize>,
    rings: Vec<Ring>,
    /// Each row's part in each target block, for the last block layout seen.
    block_rows: BlockRows,
    /// Events delivered into each ring's target chunks (ring after ring, chunk after chunk).
    events: Vec<u64>,
    lookahead: u64,
}

impl SpikeDelivery {
    /// A delivery for `projections` between populations of sizes `sizes` whose ports counts
    /// are `ports[pop]`, with time step `dt` (s, for PSC filters). Errors when a projection's
    /// indices or shape do not match, or a filter's parameters are invalid.
    pub fn new(
        name: &str,
        projections: Vec<Projection>,
        sizes: &[usize],
        ports: &[usize],
        dt: f64,
    ) -> Result<Self, SimError> {
        let mut rings: Vec<Ring> = Vec::new();
        let mut ring_of = Vec::with_capacity(projections.len());
        let mut lookahead = u64::MAX;
        for p in &projections {
            let bad = |key: &'static str, value: String, msg: &str| SimError::Param {
                object: format!("projection `{}`", p.name),
                key,
                value,
                msg: msg.to_string(),
            };
            if p.source >= sizes.len() || p.target >= sizes.len() {
                return Err(bad(
                    "population",
                    format!("{} → {}", p.source, p.target),
                    "no such population",
                ));
            }
            if p.port >= ports[p.target] {
                return Err(bad(
                    "port",
                    p.port.to_string(),
                    "the target has no such port",
                ));
            }
            if p.csr.n_pre() != sizes[p.source] || p.csr.n_post() != sizes[p.target] {
                return Err(bad(
                    "size",
                    format!("{}×{}", p.csr.n_pre(), p.csr.n_post()),
                    "does not match the populations' sizes",
                ));
            }
            let lag = u64::from(p.receptor != Receptor::Direct);
            if !p.csr.is_empty() {
                lookahead = lookahead.min(u64::from(p.csr.min_delay()) + lag);
            }
            let slots = p.csr.max_delay() as usize + 1 + lag as usize;
            let found = rings
                .iter()
                .position(|r| r.pop == p.target && r.port == p.port && r.receptor == p.receptor);
            let r = match found {
                Some(r) => r,
                None => {
                    let filter = match p.receptor {
                        Receptor::Filter(shape) => Some(PscFilter::new(
                            &format!("{name}: population {} port {}", p.target, p.port),
                            shape,
                            Discretisation::Impulse,
                            dt,
                            sizes[p.target],
                        )?),
                        _ => None,
                    };
                    rings.push(Ring {
                        pop: p.target,
                        port: p.port,
                        receptor: p.receptor,
                        lag,
                        n: sizes[p.target],
                        slots: Vec::new(),
                        filter,
                    });
                    rings.len() - 1
                }
            };
            let ring = &mut rings[r];
            while ring.slots.len() < slots {
                ring.slots.push(Padded::filled(ring.n, 0.0));
            }
            ring_of.push(r);
        }
        let events: usize = rings.iter().map(|r| chunk_count(r.n)).sum();
        Ok(Self {
            name: name.to_string(),
            projections,
            ring_of,
            rings,
            block_rows: BlockRows::default(),
            events: vec![0; events],
            lookahead: lookahead.max(1),
        })
    }
    /// The projections.
    pub fn projections(&self) -> &[Projection] {
        &self.projections
    }

    /// Row offsets, targets and per-synapse weights of projection `p`, the weights writable
    /// (plasticity changes them between steps; a uniform weight is expanded per synapse).
    pub fn weights_mut_with_rows(&mut self, p: usize) -> (&[usize], &[u32], &mut [f32]) {
        self.projections[p].csr.weights_mut_with_rows()
    }

    /// Synaptic events delivered so far (spikes × fan-out).
    pub fn events(&self) -> u64 {
        self.events.iter().sum()
    }

    /// Smallest delay over all projections, in steps (`u16::MAX` without synapses).
    pub fn min_delay(&self) -> u16 {
        self.projections
            .iter()
            .filter(|p| !p.csr.is_empty())
            .map(|p| p.csr.min_delay())
            .min()
            .unwrap_or(u16::MAX)
    }

    /// Heap bytes of the synapses, their row parts by target block, and the rings.
    pub fn bytes(&self) -> usize {
        self.projections
            .iter()
            .map(|p| p.csr.bytes())
            .sum::<usize>()
            + self.block_rows.bytes()
            + self
                .rings
                .iter()
                .map(|r| r.slots.len() * r.slots.first().map_or(0, |s| s.padded().len() * 4))
                .sum::<usize>()
    }

    /// The work of every target block: take in pending spikes, then pop slots (see the module
    /// docs).
    fn block_work<'a>(&'a mut self, blocks: &[Vec<Range<usize>>]) -> Vec<BlockDrive<'a>> {
        self.block_rows.update(&self.projections, blocks);
        let mut works: Vec<(usize, Vec<DeliveryBlock<'a>>)> = Vec::new();
        let ring_pops: Vec<usize> = self.rings.iter().map(|r| r.pop).collect();
        let mut events = &mut self.events[..];
        for (ri, r) in self.rings.iter_mut().enumerate() {
            let pop_blocks = &blocks[r.pop];
            let w = match works.iter().position(|(pop, _)| *pop == r.pop) {
                Some(w) => w,
                None => {
                    let parts = pop_blocks
                        .iter()
                        .map(|b| DeliveryBlock {
                            chunks: b.clone(),
                            n: r.n,
                            rings: Vec::new(),
                            projections: Vec::new(),
                        })
                        .collect();
                    works.push((r.pop, parts));
                    works.len() - 1
                }
            };
            let (mine, rest) = std::mem::take(&mut events).split_at_mut(chunk_count(r.n));
            events = rest;
            let lanes = |b: &Range<usize>| {
                let end = (b.end * CHUNK_LANES).min(r.n.div_ceil(LANES));
                (b.start * CHUNK_LANES).min(end)..end
            };
            // Each slot and the filter state split by block (blocks are consecutive).
            let mut slots: Vec<Vec<&'a mut [f32x8]>> =
                pop_blocks.iter().map(|_| Vec::new()).collect();
            for slot in &mut r.slots {
                let mut rest = slot.lanes_mut();
                for (b, out) in pop_blocks.iter().zip(&mut slots) {
                    let (a, tail) = std::mem::take(&mut rest).split_at_mut(lanes(b).len());
                    rest = tail;
                    out.push(a);
                }
            }
            let mut filter = r.filter.as_mut().map(|f| {
                let (c, s) = (*f.consts(), f.state_mut());
                (c, s)
            });
            let mut events = mine;
            for ((w, b), slots) in works[w].1.iter_mut().zip(pop_blocks).zip(slots) {
                let f = filter.as_mut().map(|(c, state)| {
                    let (a, tail) = std::mem::take(state).split_at_mut(lanes(b).len() * c.stages);
                    *state = tail;
                    (*c, a)
                });
                let (ev, tail) = std::mem::take(&mut events).split_at_mut(b.len());
                events = tail;
                w.rings.push(RingBlock {
                    ring: ri,
                    port: r.port,
                    lag: r.lag,
                    slots,
                    filter: f,
                    events: ev,
                });
            }
        }
        for ((p, &ri), rows) in self
            .projections
            .iter()
            .zip(&self.ring_of)
            .zip(&self.block_rows.rows)
        {
            let target = ring_pops[ri];
            if let Some((_, parts)) = works.iter_mut().find(|(pop, _)| *pop == target) {
                for (w, rows) in parts.iter_mut().zip(rows) {
                    let pos = w.rings.iter().position(|r| r.ring == ri);
                    let ring = pos.expect("every projection has its ring");
                    w.projections.push(ProjectionPart { p, rows, ring });
                }
            }
        }
        works
            .into_iter()
            .flat_map(|(pop, parts)| {
                parts
                    .into_iter()
                    .enumerate()
                    .map(move |(block, w)| BlockDrive {
                        pop,
                        block,
                        work: Box::new(w) as Box<dyn DriveBlock + 'a>,
                    })
            })
            .collect()
    }
}

/// One ring's part for one block of target chunks.
struct RingBlock<'a> {
    ring: usize,
    port: usize,
    lag: u64,
    /// Every slot's part for the block.
    slots: Vec<&'a mut [f32x8]>,
    /// Filter coefficients and the block's filter state.
    filter: Option<(PscConsts, &'a mut [f32x8])>,
    /// Event counters of the block's chunks (the block counts into its first).
    events: &'a mut [u64],
}

/// A projection as one target block's work sees it.
struct ProjectionPart<'a> {
    p: &'a Projection,
    /// Each source row's synapses into the block (see [`BlockRows`]).
    rows: &'a [(usize, usize)],
    /// Index of the projection's ring in the block's `rings`.
    ring: usize,
}

/// Per projection and per block of its target population, each source row's synapses whose
/// targets lie in the block, as absolute synapse ranges `rows[p][b][i] = (start, end)`
/// (rows are sorted by target, so a block's part is contiguous). Empty for a block that
/// covers the whole target population: rows are then read from the CSR offsets. Computed
/// once per block layout (a thread count, or a rebalancing move), so delivering a spike into a
/// block costs one load of its range, the same as into a whole population.
///
/// The ranges come from each row's *split* at a block boundary (its number of targets below
/// that neuron), found by one binary search per row — in parallel, a cache miss or more per
/// probe over the whole connectivity (tens of ms for Brunel's 15.6 M synapses) — and kept per
/// boundary: a layout the rebalancer returns to costs one pass over the rows.
#[derive(Clone, Debug, Default)]
struct BlockRows {
    /// Per projection, the blocks of its target the ranges are for.
    blocks: Vec<Vec<Range<usize>>>,
    rows: Vec<Vec<Vec<(usize, usize)>>>,
    /// Per projection, the splits of every row at each boundary (neuron index) seen so far.
    splits: Vec<Vec<(usize, Vec<u32>)>>,
}

impl BlockRows {
    /// Recomputes the ranges when the target populations' blocks differ from those they were
    /// computed for (only the targets count: callers may describe other populations
    /// differently).
    fn update(&mut self, projections: &[Projection], blocks: &[Vec<Range<usize>>]) {
        let same = self.blocks.len() == projections.len()
            && projections
                .iter()
                .zip(&self.blocks)
                .all(|(p, b)| blocks[p.target] == *b);
        if same {
            return;
        }
        self.blocks = projections
            .iter()
            .map(|p| blocks[p.target].clone())
            .collect();
        self.splits.resize_with(projections.len(), Vec::new);
        self.rows = projections
            .iter()
            .zip(&mut self.splits)
            .map(|(p, splits)| {
                let (csr, n) = (&p.csr, p.csr.n_post());
                blocks[p.target]
                    .iter()
                    .map(|b| {
                        let (lo, hi) = (b.start * CHUNK, (b.end * CHUNK).min(n));
                        if lo == 0 && hi >= n {
                            return Vec::new();
                        }
                        let offsets = csr.offsets();
                        add_splits(csr, splits, lo);
                        add_splits(csr, splits, hi);
                        let (first, last) = (find_splits(splits, lo), find_splits(splits, hi));
                        (0..csr.n_pre())
                            .map(|i| {
                                let (a, e) = (offsets[i], offsets[i + 1]);
                                let at = |s: Option<&[u32]>, whole: usize| {
                                    s.map_or(whole, |s| a + s[i] as usize)
                                };
                                (at(first, a), at(last, e))
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
    }

    /// Heap bytes of the ranges and splits.
    fn bytes(&self) -> usize {
        let pairs: usize = self.rows.iter().flatten().map(Vec::len).sum();
        let splits: usize = self.splits.iter().flatten().map(|(_, s)| s.len()).sum();
        pairs * std::mem::size_of::<(usize, usize)>() + splits * std::mem::size_of::<u32>()
    }
}

/// Adds each row's number of targets below neuron `at` to `splits`, unless it is there or
/// `at` is an edge of the population (0 or n: a row's start or end).
fn add_splits(csr: &Csr, splits: &mut Vec<(usize, Vec<u32>)>, at: usize) {
    if at == 0 || at >= csr.n_post() || splits.iter().any(|(b, _)| *b == at) {
        return;
    }
    let (offsets, targets) = (csr.offsets(), csr.targets());
    let split = (0..csr.n_pre())
        .into_par_iter()
        .map(|i| {
            let row = &targets[offsets[i]..offsets[i + 1]];
            row.partition_point(|&t| (t as usize) < at) as u32
        })
        .collect();
    splits.push((at, split));
}

/// The rows' splits at neuron `at` ([`add_splits`]); `None` at the population's edges.
fn find_splits(splits: &[(usize, Vec<u32>)], at: usize) -> Option<&[u32]> {
    splits.iter().find(|(b, _)| *b == at).map(|(_, s)| &s[..])
}

/// Delivery work for one block of target chunks during a window.
struct DeliveryBlock<'a> {
    chunks: Range<usize>,
    /// Target population size.
    n: usize,
    rings: Vec<RingBlock<'a>>,
    /// Projections into this block's population.
    projections: Vec<ProjectionPart<'a>>,
}

impl DriveBlock for DeliveryBlock<'_> {
    fn begin(&mut self, pending: Pending<'_>) {
        let Some((first, spikes)) = pending else {
            return;
        };
        for s in 0..spikes.steps() {
            for part in &self.projections {
                let ids = spikes.ids(part.p.source, s);
                if !ids.is_empty() {
                    let ring = &mut self.rings[part.ring];
                    let arrival = first + s as u64 + ring.lag;
                    if let Some(e) = ring.events.first_mut() {
                        *e += deliver(part, ids, arrival, &mut ring.slots, &self.chunks);
                    }
                }
            }
        }
    }

    fn drive(&mut self, step: u64, chunk: usize, inputs: &mut [&mut [f32x8]]) {
        let at = ChunkAt::new(chunk, self.n);
        let lo = (chunk - self.chunks.start) * CHUNK_LANES;
        let m = at.len();
        for r in &mut self.rings {
            let k = (step % r.slots.len() as u64) as usize;
            let slot = &mut r.slots[k][lo..lo + m];
            let dst = &mut *inputs[r.port];
            // The slot is read and emptied in one pass.
            match &mut r.filter {
                Some((c, state)) => {
                    let s = c.stages;
                    psc_take_simd(c, slot, &mut state[lo * s..(lo + m) * s], dst)
                }
                None => dst
                    .iter_mut()
                    .zip(slot.iter_mut())
                    .for_each(|(x, s)| *x += std::mem::take(s)),
            }
        }
    }
}

/// Spikes whose row parts are looked up in one batch by [`deliver`].
const BATCH: usize = 64;

/// How many row parts ahead of the one being added [`deliver`] prefetches.
const AHEAD: usize = 4;

/// Adds the synapses of spiking sources `ids` whose targets lie in the target chunks
/// `chunks` (`slots`: every slot's part for those chunks) for spikes whose zero-delay arrival
/// step is `step` (a synapse of delay `d` lands in the slot of step `step + d`). Returns the
/// events delivered.
///
/// Rows are scattered in memory and a block reads only its part of each (a few synapses when
/// the target population spans many chunks), so the cost is dominated by the latency of
/// loading row boundaries and targets, not by the additions. Spikes are therefore taken in
/// batches: first every spike's row part is located (independent loads the CPU overlaps), then
/// the parts are added in order while the targets (and weights, delays) of the part
/// [`AHEAD`] spikes on are prefetched. The additions happen in the same order as a plain
/// loop over spikes and synapses, so sums are unchanged.
fn deliver(
    part: &ProjectionPart<'_>,
    ids: &[u32],
    step: u64,
    slots: &mut [&mut [f32x8]],
    chunks: &Range<usize>,
) -> u64 {
    let csr = &part.p.csr;
    let len = slots.len() as u64;
    let k = |d: u16| ((step + u64::from(d)) % len) as usize;
    let offsets = csr.offsets();
    let targets = csr.targets();
    let lo = (chunks.start * CHUNK) as u32;
    let row_part = |i: u32| {
        let i = i as usize;
        if part.rows.is_empty() {
            (offsets[i], offsets[i + 1])
        } else {
            part.rows[i]
        }
    };
    let mut events = 0;
    let mut parts = [(0usize, 0usize); BATCH];
    for ids in ids.chunks(BATCH) {
        let parts = &mut parts[..ids.len()];
        for (r, &i) in parts.iter_mut().zip(ids) {
            *r = row_part(i);
        }
        for (j, &(a, b)) in parts.iter().enumerate() {
            if let Some(&(na, nb)) = parts.get(j + AHEAD) {
                prefetch_part(csr, na, nb);
            }
            events += (b - a) as u64;
            let tg = &targets[a..b];
            // Every target below lies in `chunks` (the row part found above): `t − lo`
            // indexes the block's part of a slot.
            match (csr.weights(), csr.delays()) {
                (Weights::Uniform(w), Delays::Uniform(d)) => {
                    let x: &mut [f32] = bytemuck::cast_slice_mut(&mut *slots[k(*d)]);
                    for &t in tg {
                        x[(t - lo) as usize] += *w;
                    }
                }
                (Weights::PerSynapse(w), Delays::Uniform(d)) => {
                    let x: &mut [f32] = bytemuck::cast_slice_mut(&mut *slots[k(*d)]);
                    for (&t, &w) in tg.iter().zip(&w[a..b]) {
                        x[(t - lo) as usize] += w;
                    }
                }
                (w, Delays::PerSynapse(d)) => {
                    for (s, (&t, &d)) in tg.iter().zip(&d[a..b]).enumerate() {
                        let w = match w {
                            Weights::Uniform(w) => *w,
                            Weights::PerSynapse(w) => w[a + s],
                        };
                        let x: &mut [f32] = bytemuck::cast_slice_mut(&mut *slots[k(d)]);
                        x[(t - lo) as usize] += w;
                    }
                }
            }
        }
    }
    events
}

/// Prefetches the synapses `a..b` of `csr` (targets, and per-synapse weights and delays).
fn prefetch_part(csr: &Csr, a: usize, b: usize) {
    prefetch::slice(&csr.targets()[a..b]);
    if let Weights::PerSynapse(w) = csr.weights() {
        prefetch::slice(&w[a..b]);
    }
    if let Delays::PerSynapse(d) = csr.delays() {
        prefetch::slice(&d[a..b]);
    }
}

impl Component for SpikeDelivery {
    fn name(&self) -> &str {
        &self.name
    }

    fn drive(&mut self, step: u64, _dt: f64, inputs: &mut [Vec<Padded>]) {
        let blocks = whole_blocks(inputs.iter().map(|p| p.first().map_or(0, Padded::len)));
        drive_blocks_now(self.block_work(&blocks), &blocks, step, inputs);
    }

    fn observe(&mut self, step: u64, _dt: f64, spikes: &[Spikes]) {
        let mut sizes = vec![0; spikes.len()];
        for r in &self.rings {
            sizes[r.pop] = r.n;
        }
        let blocks = whole_blocks(sizes.into_iter());
        for mut w in self.block_work(&blocks) {
            w.work.begin(Some((step, SpikeSteps::Step(spikes))));
        }
    }

    fn lookahead(&self) -> Option<u64> {
        Some(self.lookahead)
    }

    fn events(&self) -> u64 {
        SpikeDelivery::events(self)
    }

    fn chunks<'a>(&'a mut self, window: &Window<'a>) -> Vec<BlockDrive<'a>> {
        self.block_work(window.blocks)
    }

    /// Scans the PSC filter states. The delay slots are not scanned: they hold sums of
    /// synaptic weights, and whatever they hold reaches a filter state or the target neurons'
    /// state (scanned by the simulator) once popped, so a non-finite value is still caught,
    /// at a later check at worst — and the slots are most of the memory a check would read.
    fn find_non_finite(&self) -> Option<String> {
        self.rings
            .iter()
            .find_map(|r| r.filter.as_ref().and_then(PscFilter::find_non_finite))
    }
}

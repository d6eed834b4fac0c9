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
//! Timing: what a port does with an input popped at step `k + d` is the neuron model's
//! semantics. A LIF `jump` port (delta synapse) adds it to the voltage at the end of step
//! `k + d`, as NEST's `iaf_psc_delta` adds the spikes of the arriving ring-buffer slot in the
//! update of that step.
//!
//! # Parallel delivery
//! With a pool and enough work (≥ [`PAR_MIN_EVENTS`] synaptic events in the step), every ring's
//! targets are split into one contiguous range per thread; each thread walks every spike of
//! every projection, in the same order as one thread would, and adds only the part of each row
//! that falls in its range (found by binary search: rows are sorted). Each ring cell therefore
//! receives its additions in one fixed order whatever the thread count, and the sums are
//! bit-identical.

use rayon::prelude::*;

use crate::SimError;
use crate::connectivity::{Csr, Delays, Weights};
use crate::lanes::{Padded, padded_len};
use crate::par::Par;
use crate::sim::Component;
use crate::spikes::Spikes;

/// Below this many synaptic events in a step, delivery runs on the calling thread (a fork-join
/// costs microseconds, more than delivering a few thousand events).
pub const PAR_MIN_EVENTS: usize = 8_192;

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
    /// The synapses.
    pub csr: Csr,
}

/// Delay slots for one (population, port).
#[derive(Clone, Debug)]
struct Ring {
    pop: usize,
    port: usize,
    stride: usize,
    slots: usize,
    data: Vec<f32>,
}

/// Raw pointer to ring storage shared by the threads of one parallel delivery.
#[derive(Clone, Copy)]
struct Shared(*mut f32);
// SAFETY: threads write through it only at targets of their own disjoint range (see
// `deliver_range`), while the ring vectors are neither moved nor resized.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

/// Delivers the spikes of a set of projections (the [`Component`] for spiking synapses).
#[derive(Clone, Debug)]
pub struct SpikeDelivery {
    name: String,
    projections: Vec<Projection>,
    ring_of: Vec<usize>,
    rings: Vec<Ring>,
    events: u64,
}

impl SpikeDelivery {
    /// A delivery for `projections` between populations of sizes `sizes` whose ports counts
    /// are `ports[pop]`. Errors when a projection's indices or shape do not match.
    pub fn new(
        name: &str,
        projections: Vec<Projection>,
        sizes: &[usize],
        ports: &[usize],
    ) -> Result<Self, SimError> {
        let mut rings: Vec<Ring> = Vec::new();
        let mut ring_of = Vec::with_capacity(projections.len());
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
            let slots = p.csr.max_delay() as usize + 1;
            let r = match rings
                .iter()
                .position(|r| r.pop == p.target && r.port == p.port)
            {
                Some(r) => r,
                None => {
                    rings.push(Ring {
                        pop: p.target,
                        port: p.port,
                        stride: padded_len(sizes[p.target]),
                        slots: 0,
                        data: Vec::new(),
                    });
                    rings.len() - 1
                }
            };
            rings[r].slots = rings[r].slots.max(slots);
            ring_of.push(r);
        }
        for r in &mut rings {
            r.data = vec![0.0; r.slots * r.stride];
        }
        Ok(Self {
            name: name.to_string(),
            projections,
            ring_of,
            rings,
            events: 0,
        })
    }

    /// The projections.
    pub fn projections(&self) -> &[Projection] {
        &self.projections
    }

    /// Synaptic events delivered so far (spikes × fan-out).
    pub fn events(&self) -> u64 {
        self.events
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

    /// Heap bytes of the synapses and rings.
    pub fn bytes(&self) -> usize {
        self.projections
            .iter()
            .map(|p| p.csr.bytes())
            .sum::<usize>()
            + self.rings.iter().map(|r| r.data.len() * 4).sum::<usize>()
    }

    /// Pushes the spikes of step `step` into the rings, on the calling thread or split by
    /// target range over the pool.
    fn push(&mut self, step: u64, spikes: &[Spikes], par: Par<'_>) {
        let mut events = 0usize;
        for p in &self.projections {
            let ids = &spikes[p.source].ids;
            if !ids.is_empty() {
                events += ids
                    .iter()
                    .map(|&i| p.csr.offsets()[i as usize + 1] - p.csr.offsets()[i as usize])
                    .sum::<usize>();
            }
        }
        if events == 0 {
            return;
        }
        self.events += events as u64;
        let ptrs: Vec<Shared> = self
            .rings
            .iter_mut()
            .map(|r| Shared(r.data.as_mut_ptr()))
            .collect();
        let this = &*self;
        let task = |part: usize, parts: usize| {
            for (p, &ri) in this.projections.iter().zip(&this.ring_of) {
                let ids = &spikes[p.source].ids;
                if ids.is_empty() {
                    continue;
                }
                let ring = &this.rings[ri];
                let n = p.csr.n_post();
                let (lo, hi) = (part * n / parts, (part + 1) * n / parts);
                // SAFETY: `lo..hi` ranges of different parts are disjoint, and all of a
                // ring's projections use the same split of the same target count.
                unsafe {
                    deliver_range(
                        &p.csr,
                        ids,
                        step,
                        ring,
                        ptrs[ri],
                        lo as u32,
                        hi as u32,
                        parts == 1,
                    )
                };
            }
        };
        match par {
            Par::Pool(pool) if events >= PAR_MIN_EVENTS && pool.current_num_threads() > 1 => {
                let parts = pool.current_num_threads();
                pool.install(|| (0..parts).into_par_iter().for_each(|t| task(t, parts)));
            }
            _ => task(0, 1),
        }
    }
}

/// Adds the synapses of spiking sources `ids` whose targets lie in `lo..hi` into `ring`
/// (`whole`: the range is every target, no search needed).
///
/// # Safety
/// `data` points to `ring.data`; no other thread writes targets in `lo..hi` meanwhile.
#[allow(clippy::too_many_arguments)]
unsafe fn deliver_range(
    csr: &Csr,
    ids: &[u32],
    step: u64,
    ring: &Ring,
    data: Shared,
    lo: u32,
    hi: u32,
    whole: bool,
) {
    let slots = ring.slots as u64;
    let slot_base = |d: u16| ((step + u64::from(d)) % slots) as usize * ring.stride;
    let offsets = csr.offsets();
    let targets = csr.targets();
    for &i in ids {
        let (mut a, mut b) = (offsets[i as usize], offsets[i as usize + 1]);
        if !whole {
            let row = &targets[a..b];
            let s = row.partition_point(|&t| t < lo);
            let e = row.partition_point(|&t| t < hi);
            (a, b) = (a + s, a + e);
        }
        let tg = &targets[a..b];
        // SAFETY (all arms): indices are slot·stride + t with t < n_post ≤ stride and
        // slot < slots, inside `ring.data`; t ∈ lo..hi is this caller's range.
        match (csr.weights(), csr.delays()) {
            (Weights::Uniform(w), Delays::Uniform(d)) => {
                let base = unsafe { data.0.add(slot_base(*d)) };
                for &t in tg {
                    unsafe { *base.add(t as usize) += *w };
                }
            }
            (Weights::PerSynapse(w), Delays::Uniform(d)) => {
                let base = unsafe { data.0.add(slot_base(*d)) };
                for (&t, &w) in tg.iter().zip(&w[a..b]) {
                    unsafe { *base.add(t as usize) += w };
                }
            }
            (w, Delays::PerSynapse(d)) => {
                for (s, (&t, &d)) in tg.iter().zip(&d[a..b]).enumerate() {
                    let w = match w {
                        Weights::Uniform(w) => *w,
                        Weights::PerSynapse(w) => w[a + s],
                    };
                    unsafe { *data.0.add(slot_base(d) + t as usize) += w };
                }
            }
        }
    }
}

impl Component for SpikeDelivery {
    fn name(&self) -> &str {
        &self.name
    }

    fn drive(&mut self, step: u64, _dt: f64, inputs: &mut [Vec<Padded>]) {
        for r in &mut self.rings {
            let slot = (step % r.slots as u64) as usize * r.stride;
            let src = &mut r.data[slot..slot + r.stride];
            let dst = inputs[r.pop][r.port].padded_mut();
            for (x, s) in dst.iter_mut().zip(src.iter_mut()) {
                *x += *s;
                *s = 0.0;
            }
        }
    }

    fn observe(&mut self, step: u64, _dt: f64, spikes: &[Spikes]) {
        self.push(step, spikes, Par::Seq);
    }

    fn observe_par(&mut self, step: u64, _dt: f64, spikes: &[Spikes], par: Par<'_>) {
        self.push(step, spikes, par);
    }

    fn find_non_finite(&self) -> Option<String> {
        self.rings.iter().find_map(|r| {
            r.data.iter().position(|x| !x.is_finite()).map(|i| {
                format!(
                    "delay slot {} of population {} port {}, neuron {}",
                    i / r.stride,
                    r.pop,
                    r.port,
                    i % r.stride
                )
            })
        })
    }
}

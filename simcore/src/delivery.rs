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
use crate::lanes::Padded;
use crate::par::Par;
use crate::sim::Component;
use crate::spikes::Spikes;
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
    slots: Vec<Padded>,
    filter: Option<PscFilter>,
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
                        slots: Vec::new(),
                        filter,
                    });
                    rings.len() - 1
                }
            };
            let n = sizes[p.target];
            let ring = &mut rings[r];
            while ring.slots.len() < slots {
                ring.slots.push(Padded::filled(n, 0.0));
            }
            ring_of.push(r);
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

    /// Row offsets, targets and per-synapse weights of projection `p`, the weights writable
    /// (plasticity changes them between steps; a uniform weight is expanded per synapse).
    pub fn weights_mut_with_rows(&mut self, p: usize) -> (&[usize], &[u32], &mut [f32]) {
        self.projections[p].csr.weights_mut_with_rows()
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
            + self
                .rings
                .iter()
                .map(|r| r.slots.len() * r.slots.first().map_or(0, |s| s.padded().len() * 4))
                .sum::<usize>()
    }

    /// Adds each ring's slot of step `step` into its port (through its filter, if any) and
    /// clears the slot.
    fn pop_slots(&mut self, step: u64, _dt: f64, inputs: &mut [Vec<Padded>], par: Par<'_>) {
        for r in &mut self.rings {
            let k = (step % r.slots.len() as u64) as usize;
            let slot = &mut r.slots[k];
            let dst = &mut inputs[r.pop][r.port];
            match &mut r.filter {
                Some(f) => f.step(slot, dst, par),
                None => {
                    for (x, s) in dst.padded_mut().iter_mut().zip(slot.padded()) {
                        *x += *s;
                    }
                }
            }
            slot.padded_mut().fill(0.0);
        }
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
        let ptrs: Vec<Vec<Shared>> = self
            .rings
            .iter_mut()
            .map(|r| {
                r.slots
                    .iter_mut()
                    .map(|s| Shared(s.padded_mut().as_mut_ptr()))
                    .collect()
            })
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
                        step + ring.lag,
                        &ptrs[ri],
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

/// Adds the synapses of spiking sources `ids` of step `step` whose targets lie in `lo..hi`
/// into the ring slots `slots` (slot of arrival step `a`: `a mod slots.len()`; `whole`: the
/// range is every target, no search needed).
///
/// # Safety
/// `slots` point to the ring's slot buffers (each at least `n_post` long); no other thread
/// writes targets in `lo..hi` meanwhile.
unsafe fn deliver_range(
    csr: &Csr,
    ids: &[u32],
    step: u64,
    slots: &[Shared],
    lo: u32,
    hi: u32,
    whole: bool,
) {
    let len = slots.len() as u64;
    let slot = |d: u16| slots[((step + u64::from(d)) % len) as usize].0;
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
        // SAFETY (all arms): t < n_post ≤ slot length, and t ∈ lo..hi is this caller's range.
        match (csr.weights(), csr.delays()) {
            (Weights::Uniform(w), Delays::Uniform(d)) => {
                let base = slot(*d);
                for &t in tg {
                    unsafe { *base.add(t as usize) += *w };
                }
            }
            (Weights::PerSynapse(w), Delays::Uniform(d)) => {
                let base = slot(*d);
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
                    unsafe { *slot(d).add(t as usize) += w };
                }
            }
        }
    }
}

impl Component for SpikeDelivery {
    fn name(&self) -> &str {
        &self.name
    }

    fn drive(&mut self, step: u64, dt: f64, inputs: &mut [Vec<Padded>]) {
        self.pop_slots(step, dt, inputs, Par::Seq);
    }

    fn drive_par(&mut self, step: u64, dt: f64, inputs: &mut [Vec<Padded>], par: Par<'_>) {
        self.pop_slots(step, dt, inputs, par);
    }

    fn observe(&mut self, step: u64, _dt: f64, spikes: &[Spikes]) {
        self.push(step, spikes, Par::Seq);
    }

    fn observe_par(&mut self, step: u64, _dt: f64, spikes: &[Spikes], par: Par<'_>) {
        self.push(step, spikes, par);
    }

    fn find_non_finite(&self) -> Option<String> {
        self.rings.iter().find_map(|r| {
            r.filter
                .as_ref()
                .and_then(PscFilter::find_non_finite)
                .or_else(|| {
                    r.slots.iter().enumerate().find_map(|(k, s)| {
                        s.as_slice().iter().position(|x| !x.is_finite()).map(|i| {
                            format!(
                                "delay slot {k} of population {} port {}, neuron {i}",
                                r.pop, r.port
                            )
                        })
                    })
                })
        })
    }
}

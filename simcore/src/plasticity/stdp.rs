//! Pair-based spike-timing-dependent plasticity (STDP) on CSR synapses, event-driven.
//!
//! # Rule
//! Every synapse `s: i → j` sees presynaptic events (the spikes of `i` arriving at the
//! synapse) and postsynaptic events (the spikes of `j` back-propagating to it). Two traces,
//! one per presynaptic neuron and one per postsynaptic neuron,
//! $$x_i(t) = \sum_{t_a \le t} e^{-(t - t_a)/\tau_+},\qquad
//!   y_j(t) = \sum_{t_b \le t} e^{-(t - t_b)/\tau_-}$$
//! sum all earlier events (all-to-all pairing, Song, Miller & Abbott 2000; Morrison, Diesmann &
//! Gerstner 2008, eq. 3–6). At a postsynaptic event at `t` every incoming synapse is
//! potentiated by $f_+(w)\,x_i(t)$; at a presynaptic event every outgoing synapse is depressed
//! by $f_-(w)\,y_j(t)$; then the weight is clipped to `[w_min, w_max]` (hard bounds).
//! An isolated pair with $\Delta t = t_{post} - t_{pre}$ (times at the synapse) therefore
//! changes the weight by $A_+ e^{-\Delta t/\tau_+}$ for $\Delta t \ge 0$ and by
//! $-A_- e^{\Delta t/\tau_-}$ for $\Delta t < 0$ (additive rule).
//!
//! Weight dependence ([`WeightDependence`]):
//! - additive (Song, Miller & Abbott 2000): $f_+ = A_+$, $f_- = A_-$;
//! - multiplicative (soft bounds; van Rossum, Bi & Turrigiano 2000, Gütig et al. 2003 with
//!   μ = 1): $f_+ = A_+ (w_{max} - w)$, $f_- = A_- (w - w_{min})$, so `A±` are fractions.
//!
//! # Event-driven traces
//! Traces are [`Traces`]: changed only at events and decayed analytically, stored relative to
//! a shared epoch so that reading one costs a multiplication (one `exp` per event, none per
//! synapse). The cost per step is O(pre events × fan-out + post events × fan-in); nothing is
//! done for silent neurons. The incoming synapses of a postsynaptic neuron come from a transposed index
//! ([`Incoming`]) built once. Weight arithmetic is f64, stored back as f32.
//!
//! # Delays: axonal / dendritic split
//! A synapse's delay `d` (one per projection, or one per synapse) is split between the axon (the
//! presynaptic spike reaches the synapse `d_a` later) and the dendrite (the postsynaptic spike
//! reaches the synapse `d_d` later), `d = d_a + d_d`, and the rule sees
//! $\Delta t = (t_{post} + d_d) - (t_{pre} + d_a)$ ([`DelaySplit`]):
//! - [`DelaySplit::Axonal`] (`d_a = d, d_d = 0`): Brian2's convention (`on_pre` runs when the
//!   delayed spike arrives, `on_post` at once);
//! - [`DelaySplit::Dendritic`] (`d_a = 0, d_d = d`): NEST's `stdp_synapse` ("the delay is
//!   dendritic": the pair is timed with the postsynaptic spike shifted by `d`).
//!
//! Times at the synapse are the exact (in-step) spike times shifted by `d_a·Δt` or `d_d·Δt`;
//! how the delivered weight enters the target port (the projection's
//! [`Receptor`](crate::delivery::Receptor)) does not move them.
//! Events are queued by their arrival step at the synapse and processed when it comes, in time
//! order (step, then in-step offset; presynaptic before postsynaptic at equal times, so
//! `Δt = 0` potentiates, as Brian2's `on_pre` before `on_post`). Every read of a trace is thus
//! at or after its last event, and the result is exact for any spike pattern.
//!
//! With per-synapse delays ([`Delays::PerSynapse`]) the delayed side's spikes reach each
//! synapse at its own time: that side's trace is kept per synapse (one [`Traces`] entry each)
//! and its events are queued per synapse by arrival step; the other side keeps per-neuron
//! traces. Axonal: a presynaptic arrival at synapse `s` depresses `w_s` by `y_j` and bumps
//! `x_s`; a postsynaptic spike potentiates every incoming `w_s` by its `x_s`. Dendritic: a
//! presynaptic spike depresses every outgoing `w_s` by its `y_s`; a postsynaptic arrival at `s`
//! potentiates `w_s` by `x_i` and bumps `y_s`.
//!
//! # Transmission and schedule
//! [`PlasticDelivery`] wraps a [`SpikeDelivery`]. In phase 3 of step `k` it first pushes the
//! step's spikes into the delay rings with the current weights (the weight a spike transmits is
//! its synapse's weight when the spike is emitted, as Brian2's `on_pre: ge += w` before the
//! update), then runs the plasticity events arriving at the synapses during step `k`. The
//! updates run on one thread (in one fixed order), so results do not depend on the pool.

use crate::SimError;
use crate::connectivity::{Delays, Incoming, Weights};
use crate::delivery::SpikeDelivery;
use crate::lanes::Padded;
use crate::par::Par;
use crate::plasticity::dense::filter_spikes;
use crate::plasticity::rate_rules::{RateLearner, RateRule};
use crate::plasticity::trace::{EventTime, Traces};
use crate::sim::Component;
use crate::spikes::Spikes;
use crate::synapse::{Discretisation, PscFilter, PscShape};

/// How a weight change depends on the weight (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightDependence {
    /// `Δw = A₊·x` / `−A₋·y` (Song, Miller & Abbott 2000).
    Additive,
    /// `Δw = A₊·x·(w_max − w)` / `−A₋·y·(w − w_min)` (soft bounds).
    Multiplicative,
}

/// Which side of the synapse carries the projection's delay (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DelaySplit {
    /// The whole delay is axonal (Brian2).
    Axonal,
    /// The whole delay is dendritic (NEST `stdp_synapse`).
    Dendritic,
}

/// Parameters of pair-based STDP.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StdpParams {
    /// Potentiation amplitude A₊ (weight units; a fraction for the multiplicative rule).
    pub a_plus: f64,
    /// Depression amplitude A₋ (≥ 0; the change is −A₋…).
    pub a_minus: f64,
    /// Presynaptic trace time constant τ₊, seconds.
    pub tau_plus: f64,
    /// Postsynaptic trace time constant τ₋, seconds.
    pub tau_minus: f64,
    /// Lower weight bound.
    pub w_min: f64,
    /// Upper weight bound.
    pub w_max: f64,
    /// Weight dependence.
    pub dependence: WeightDependence,
    /// Axonal/dendritic split of the delay.
    pub delay_split: DelaySplit,
}

impl StdpParams {
    /// Song, Miller & Abbott (2000): additive, `A₊ = 0.005·g_max`, `A₋ = 1.05·A₊`,
    /// `τ± = 20 ms`, weights in `[0, g_max]`, axonal delay.
    pub fn song2000(g_max: f64) -> Self {
        Self {
            a_plus: 0.005 * g_max,
            a_minus: 1.05 * 0.005 * g_max,
            tau_plus: 0.020,
            tau_minus: 0.020,
            w_min: 0.0,
            w_max: g_max,
            dependence: WeightDependence::Additive,
            delay_split: DelaySplit::Axonal,
        }
    }

    /// Checks the ranges; `object` names the owner in errors.
    pub fn validate(&self, object: &str) -> Result<(), SimError> {
        let bad = |key: &'static str, v: f64, msg: &str| SimError::Param {
            object: object.to_string(),
            key,
            value: v.to_string(),
            msg: msg.to_string(),
        };
        for (key, v) in [("tau_plus", self.tau_plus), ("tau_minus", self.tau_minus)] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(bad(key, v, "must be a positive, finite time"));
            }
        }
        for (key, v) in [("a_plus", self.a_plus), ("a_minus", self.a_minus)] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(bad(key, v, "must be ≥ 0 and finite"));
            }
        }
        if !(self.w_min.is_finite() && self.w_max.is_finite() && self.w_min < self.w_max) {
            return Err(bad(
                "w_max",
                self.w_max,
                &format!("must be finite and above w_min = {}", self.w_min),
            ));
        }
        Ok(())
    }

    /// Δw(Δt) of one isolated pair under the additive rule, `Δt = t_post − t_pre` at the
    /// synapse (the analytic curve the event-driven rule must reproduce).
    pub fn pair_change(&self, delta_t: f64) -> f64 {
        if delta_t >= 0.0 {
            self.a_plus * (-delta_t / self.tau_plus).exp()
        } else {
            -self.a_minus * (delta_t / self.tau_minus).exp()
        }
    }

    #[inline]
    fn potentiate(&self, w: f64, x: f64) -> f64 {
        let dw = match self.dependence {
            WeightDependence::Additive => self.a_plus * x,
            WeightDependence::Multiplicative => self.a_plus * x * (self.w_max - w),
        };
        (w + dw).clamp(self.w_min, self.w_max)
    }

    #[inline]
    fn depress(&self, w: f64, y: f64) -> f64 {
        let dw = match self.dependence {
            WeightDependence::Additive => self.a_minus * y,
            WeightDependence::Multiplicative => self.a_minus * y * (w - self.w_min),
        };
        (w - dw).clamp(self.w_min, self.w_max)
    }
}

/// STDP state of one projection.
#[derive(Clone, Debug)]
struct Stdp {
    projection: usize,
    source: usize,
    target: usize,
    params: StdpParams,
    incoming: Incoming,
    pre: Traces,
    post: Traces,
    /// Presynaptic spikes by arrival step at the synapse (ring of `d_a + 1` slots).
    pre_queue: Vec<Spikes>,
    /// Postsynaptic spikes by arrival step at the synapse (ring of `d_d + 1` slots).
    post_queue: Vec<Spikes>,
    /// This step's events: (offset, 0 pre / 1 post, neuron, or synapse for the delayed side
    /// of per-synapse delays).
    events: Vec<(f32, u8, u32)>,
    /// Per-synapse delays (None: one delay for the projection, queued per neuron above).
    per_synapse: Option<PerSynapseDelays>,
}

/// STDP with one delay per synapse: the delayed side's spikes reach each synapse at its own
/// time, so its trace is kept per synapse (one f64 each) and its events are queued per synapse;
/// the other side keeps per-neuron traces and is processed at once.
#[derive(Clone, Debug)]
struct PerSynapseDelays {
    /// Delay of each synapse, steps (CSR order).
    delays: Vec<u16>,
    /// Source neuron of each synapse (CSR order; dendritic split only, empty otherwise).
    source_of: Vec<u32>,
    /// Arrivals at the synapses by step (ring of `max delay + 1` slots): (offset, synapse).
    queue: Vec<Vec<(f32, u32)>>,
}

/// A rate rule (Hebbian, Oja, BCM) on the CSR weights of one projection, from activities
/// filtered as [`crate::plasticity::dense`] filters them.
#[derive(Clone, Debug)]
struct RateProjection {
    projection: usize,
    source: usize,
    target: usize,
    learner: RateLearner,
    pre_filter: PscFilter,
    post_filter: PscFilter,
    held: Vec<f32>,
    a_pre: Vec<f32>,
    a_post: Vec<f32>,
}

/// Spike delivery whose projections may carry STDP or a rate rule (the [`Component`] for
/// plastic synapses; see the module docs).
#[derive(Clone, Debug)]
pub struct PlasticDelivery {
    name: String,
    delivery: SpikeDelivery,
    rules: Vec<Stdp>,
    rate_rules: Vec<RateProjection>,
    updates: u64,
}

impl PlasticDelivery {
    /// Adds STDP with `params` to the projections of `delivery` listed in `rules` (projection
    /// index, parameters). Errors when a projection index is unknown or listed twice, or a
    /// parameter is out of range.
    pub fn new(
        name: &str,
        mut delivery: SpikeDelivery,
        rules: Vec<(usize, StdpParams)>,
    ) -> Result<Self, SimError> {
        let mut states = Vec::with_capacity(rules.len());
        for (p, params) in rules {
            let Some(proj) = delivery.projections().get(p) else {
                return Err(SimError::Param {
                    object: format!("plastic delivery `{name}`"),
                    key: "projection",
                    value: p.to_string(),
                    msg: format!("only {} projections", delivery.projections().len()),
                });
            };
            let object = format!("projection `{}`", proj.name);
            params.validate(&object)?;
            if states.iter().any(|s: &Stdp| s.projection == p) {
                return Err(SimError::Param {
                    object,
                    key: "stdp",
                    value: p.to_string(),
                    msg: "has two STDP rules".into(),
                });
            }
            let (n_pre, n_post, n_syn) = (proj.csr.n_pre(), proj.csr.n_post(), proj.csr.len());
            let (d, per_synapse) = match proj.csr.delays() {
                Delays::Uniform(d) => (*d, None),
                Delays::PerSynapse(delays) => {
                    let source_of = match params.delay_split {
                        DelaySplit::Axonal => Vec::new(),
                        DelaySplit::Dendritic => {
                            let o = proj.csr.offsets();
                            (0..n_pre)
                                .flat_map(|i| std::iter::repeat_n(i as u32, o[i + 1] - o[i]))
                                .collect()
                        }
                    };
                    let max = delays.iter().copied().max().unwrap_or(0);
                    let state = PerSynapseDelays {
                        delays: delays.clone(),
                        source_of,
                        queue: vec![Vec::new(); max as usize + 1],
                    };
                    (0, Some(state))
                }
            };
            let (d_a, d_d) = match params.delay_split {
                DelaySplit::Axonal => (d, 0),
                DelaySplit::Dendritic => (0, d),
            };
            // The delayed side of per-synapse delays keeps one trace per synapse.
            let (n_x, n_y) = match (&per_synapse, params.delay_split) {
                (None, _) => (n_pre, n_post),
                (Some(_), DelaySplit::Axonal) => (n_syn, n_post),
                (Some(_), DelaySplit::Dendritic) => (n_pre, n_syn),
            };
            states.push(Stdp {
                projection: p,
                source: proj.source,
                target: proj.target,
                params,
                incoming: Incoming::new(&proj.csr),
                pre: Traces::new(n_x, params.tau_plus),
                post: Traces::new(n_y, params.tau_minus),
                pre_queue: vec![Spikes::default(); d_a as usize + 1],
                post_queue: vec![Spikes::default(); d_d as usize + 1],
                events: Vec::new(),
                per_synapse,
            });
            // Materialise per-synapse weights now, not in the first step.
            let _ = delivery.weights_mut_with_rows(p);
        }
        Ok(Self {
            name: name.to_string(),
            delivery,
            rules: states,
            rate_rules: Vec::new(),
            updates: 0,
        })
    }

    /// Adds `rule` (Hebbian, Oja or BCM) to projection `p`: each step, the spikes of its source
    /// and target (height 1/Δt) are filtered by `Lowpass(tau)` (Nengo's zero-order hold, so
    /// activities are in Hz) and every synapse of `p` advances by the rule
    /// ([`RateLearner::step_csr`], O(synapses) per step). Spikes still transmit event by event
    /// with the current weights. Errors when `p` is unknown or already plastic, or on a bad
    /// parameter.
    pub fn with_rate_rule(
        mut self,
        p: usize,
        rule: RateRule,
        tau: f64,
        dt: f64,
    ) -> Result<Self, SimError> {
        let Some(proj) = self.delivery.projections().get(p) else {
            return Err(SimError::Param {
                object: format!("plastic delivery `{}`", self.name),
                key: "projection",
                value: p.to_string(),
                msg: format!("only {} projections", self.delivery.projections().len()),
            });
        };
        let object = format!("projection `{}`", proj.name);
        rule.validate(&object)?;
        if self.rules.iter().any(|r| r.projection == p)
            || self.rate_rules.iter().any(|r| r.projection == p)
        {
            return Err(SimError::Param {
                object,
                key: "plasticity",
                value: p.to_string(),
                msg: "has two plasticity rules".into(),
            });
        }
        let (n_pre, n_post) = (proj.csr.n_pre(), proj.csr.n_post());
        let filter = |side: &str, n| {
            PscFilter::new(
                &format!("{object}.{side}_activity"),
                PscShape::exponential(tau),
                Discretisation::Nengo,
                dt,
                n,
            )
        };
        self.rate_rules.push(RateProjection {
            projection: p,
            source: proj.source,
            target: proj.target,
            learner: RateLearner::new(rule, n_pre, n_post),
            pre_filter: filter("pre", n_pre)?,
            post_filter: filter("post", n_post)?,
            held: vec![0.0; n_pre.max(n_post)],
            a_pre: vec![0.0; n_pre],
            a_post: vec![0.0; n_post],
        });
        let _ = self.delivery.weights_mut_with_rows(p);
        Ok(self)
    }

    /// The wrapped delivery (projections with their current weights).
    pub fn delivery(&self) -> &SpikeDelivery {
        &self.delivery
    }

    /// Weight updates made so far (synapses visited by plasticity events).
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// Current weights of projection `p` (one per synapse in CSR order for plastic
    /// projections).
    pub fn weights(&self, p: usize) -> &Weights {
        self.delivery.projections()[p].csr.weights()
    }

    /// Runs the plasticity events arriving at the synapses during `step`.
    fn learn(&mut self, step: u64, dt: f64, spikes: &[Spikes]) {
        for r in &mut self.rules {
            if r.per_synapse.is_some() {
                let (offsets, targets, w) = self.delivery.weights_mut_with_rows(r.projection);
                self.updates += r.learn_per_synapse(step, dt, spikes, offsets, targets, w);
                continue;
            }
            let (la, ld) = (r.pre_queue.len() as u64, r.post_queue.len() as u64);
            // Queue this step's spikes by their arrival at the synapses (`d_a`, `d_d` = len − 1).
            r.pre_queue[((step + la - 1) % la) as usize].extend_from(&spikes[r.source]);
            r.post_queue[((step + ld - 1) % ld) as usize].extend_from(&spikes[r.target]);
            let (qa, qd) = ((step % la) as usize, (step % ld) as usize);
            r.events.clear();
            let pre = &r.pre_queue[qa];
            r.events
                .extend(pre.ids.iter().zip(&pre.offsets).map(|(&i, &o)| (o, 0u8, i)));
            let post = &r.post_queue[qd];
            r.events.extend(
                post.ids
                    .iter()
                    .zip(&post.offsets)
                    .map(|(&j, &o)| (o, 1u8, j)),
            );
            r.events.sort_unstable_by(|a, b| {
                a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
            });
            r.pre_queue[qa].clear();
            r.post_queue[qd].clear();

            let p = r.params;
            let (offsets, targets, w) = self.delivery.weights_mut_with_rows(r.projection);
            for &(offset, kind, n) in &r.events {
                let t = EventTime { step, offset };
                let n = n as usize;
                if kind == 0 {
                    // Presynaptic event: depress the outgoing synapses by the post traces.
                    let gy = r.post.factor(t, dt);
                    for s in offsets[n]..offsets[n + 1] {
                        let y = r.post.value(targets[s] as usize, gy);
                        w[s] = p.depress(f64::from(w[s]), y) as f32;
                    }
                    self.updates += (offsets[n + 1] - offsets[n]) as u64;
                    let gx = r.pre.factor(t, dt);
                    r.pre.bump(n, gx, 1.0);
                } else {
                    // Postsynaptic event: potentiate the incoming synapses by the pre traces.
                    let gx = r.pre.factor(t, dt);
                    let (sources, synapses) = r.incoming.of(n);
                    for (&i, &s) in sources.iter().zip(synapses) {
                        let x = r.pre.value(i as usize, gx);
                        w[s] = p.potentiate(f64::from(w[s]), x) as f32;
                    }
                    self.updates += synapses.len() as u64;
                    let gy = r.post.factor(t, dt);
                    r.post.bump(n, gy, 1.0);
                }
            }
        }
        for r in &mut self.rate_rules {
            let (src, tgt) = (&spikes[r.source], &spikes[r.target]);
            filter_spikes(&mut r.pre_filter, src, dt, &mut r.held, &mut r.a_pre);
            filter_spikes(&mut r.post_filter, tgt, dt, &mut r.held, &mut r.a_post);
            let (offsets, targets, w) = self.delivery.weights_mut_with_rows(r.projection);
            r.learner
                .step_csr(offsets, targets, w, &r.a_pre, &r.a_post, dt);
            self.updates += w.len() as u64;
        }
    }
}

impl Stdp {
    /// One step of STDP with per-synapse delays (see [`PerSynapseDelays`]): queues this
    /// step's spikes of the delayed side at each synapse's arrival step, then runs the events
    /// arriving during `step` in time order. Returns the number of weight updates.
    fn learn_per_synapse(
        &mut self,
        step: u64,
        dt: f64,
        spikes: &[Spikes],
        offsets: &[usize],
        targets: &[u32],
        w: &mut [f32],
    ) -> u64 {
        let Some(ps) = self.per_synapse.as_mut() else {
            return 0;
        };
        let slots = ps.queue.len() as u64;
        let slot = |d: u16| ((step + u64::from(d)) % slots) as usize;
        let axonal = self.params.delay_split == DelaySplit::Axonal;
        self.events.clear();
        if axonal {
            // Presynaptic spikes reach synapse s after its delay; postsynaptic ones at once.
            let pre = &spikes[self.source];
            for (&i, &o) in pre.ids.iter().zip(&pre.offsets) {
                let i = i as usize;
                for s in offsets[i]..offsets[i + 1] {
                    ps.queue[slot(ps.delays[s])].push((o, s as u32));
                }
            }
            let now = &mut ps.queue[(step % slots) as usize];
            self.events.extend(now.drain(..).map(|(o, s)| (o, 0u8, s)));
            let post = &spikes[self.target];
            let post_events = post.ids.iter().zip(&post.offsets);
            self.events.extend(post_events.map(|(&j, &o)| (o, 1u8, j)));
        } else {
            // Postsynaptic spikes reach synapse s after its delay; presynaptic ones at once.
            let post = &spikes[self.target];
            for (&j, &o) in post.ids.iter().zip(&post.offsets) {
                for &s in self.incoming.of(j as usize).1 {
                    ps.queue[slot(ps.delays[s])].push((o, s as u32));
                }
            }
            let pre = &spikes[self.source];
            let pre_events = pre.ids.iter().zip(&pre.offsets);
            self.events.extend(pre_events.map(|(&i, &o)| (o, 0u8, i)));
            let now = &mut ps.queue[(step % slots) as usize];
            self.events.extend(now.drain(..).map(|(o, s)| (o, 1u8, s)));
        }
        self.events
            .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));

        let p = self.params;
        let mut updates = 0;
        for &(offset, kind, n) in &self.events {
            let t = EventTime { step, offset };
            let n = n as usize;
            match (axonal, kind) {
                // Arrival at synapse n: depress by the target's trace, bump the synapse's.
                (true, 0) => {
                    let gy = self.post.factor(t, dt);
                    let y = self.post.value(targets[n] as usize, gy);
                    w[n] = p.depress(f64::from(w[n]), y) as f32;
                    let gx = self.pre.factor(t, dt);
                    self.pre.bump(n, gx, 1.0);
                    updates += 1;
                }
                // Spike of target n: potentiate its synapses by their own traces.
                (true, _) => {
                    let gx = self.pre.factor(t, dt);
                    let synapses = self.incoming.of(n).1;
                    for &s in synapses {
                        w[s] = p.potentiate(f64::from(w[s]), self.pre.value(s, gx)) as f32;
                    }
                    updates += synapses.len() as u64;
                    let gy = self.post.factor(t, dt);
                    self.post.bump(n, gy, 1.0);
                }
                // Spike of source n: depress its synapses by their own traces.
                (false, 0) => {
                    let gy = self.post.factor(t, dt);
                    let (a, b) = (offsets[n], offsets[n + 1]);
                    for (s, ws) in (a..b).zip(&mut w[a..b]) {
                        *ws = p.depress(f64::from(*ws), self.post.value(s, gy)) as f32;
                    }
                    updates += (offsets[n + 1] - offsets[n]) as u64;
                    let gx = self.pre.factor(t, dt);
                    self.pre.bump(n, gx, 1.0);
                }
                // Arrival of a postsynaptic spike at synapse n: potentiate by the source's
                // trace, bump the synapse's.
                (false, _) => {
                    let gx = self.pre.factor(t, dt);
                    let x = self.pre.value(ps.source_of[n] as usize, gx);
                    w[n] = p.potentiate(f64::from(w[n]), x) as f32;
                    let gy = self.post.factor(t, dt);
                    self.post.bump(n, gy, 1.0);
                    updates += 1;
                }
            }
        }
        updates
    }
}

impl Component for PlasticDelivery {
    fn name(&self) -> &str {
        &self.name
    }

    fn drive(&mut self, step: u64, dt: f64, inputs: &mut [Vec<Padded>]) {
        self.delivery.drive(step, dt, inputs);
    }

    fn drive_par(&mut self, step: u64, dt: f64, inputs: &mut [Vec<Padded>], par: Par<'_>) {
        self.delivery.drive_par(step, dt, inputs, par);
    }

    fn observe(&mut self, step: u64, dt: f64, spikes: &[Spikes]) {
        self.delivery.observe(step, dt, spikes);
        self.learn(step, dt, spikes);
    }

    fn observe_par(&mut self, step: u64, dt: f64, spikes: &[Spikes], par: Par<'_>) {
        self.delivery.observe_par(step, dt, spikes, par);
        self.learn(step, dt, spikes);
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn find_non_finite(&self) -> Option<String> {
        self.delivery.find_non_finite().or_else(|| {
            let plastic = self.rules.iter().map(|r| r.projection);
            let rate = self.rate_rules.iter().map(|r| r.projection);
            plastic.chain(rate).find_map(|r| {
                let p = &self.delivery.projections()[r];
                match p.csr.weights() {
                    Weights::PerSynapse(w) => crate::lanes::position_non_finite(w)
                        .map(|s| format!("weight of synapse {s} of projection `{}`", p.name)),
                    Weights::Uniform(_) => None,
                }
            })
        })
    }
}

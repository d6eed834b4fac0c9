//! Spike sources: per-neuron independent Poisson input, Poisson generator populations and
//! spike generators from given times.
//!
//! - [`PoissonInput`] (a [`Component`]): every neuron of a target population receives its own
//!   independent Poisson train of rate `ν` through a synapse of weight `w`, without materialised
//!   synapses: each step adds `w·n` with `n ~ Poisson(ν·Δt)` drawn per neuron. This is NEST's
//!   `poisson_generator` connected to many targets (each target sees an independent train) and
//!   Brian2's `PoissonInput` (which draws `Binomial(N, p)`, the same law in its limit).
//! - [`PoissonGenerator`] (a [`Neurons`] with no input port): `n` independent Poisson trains
//!   that are a population, so projections can fan them out (all targets of one train see the
//!   same spikes, like a NEST `parrot_neuron` behind a `poisson_generator`).
//! - [`SpikeGenerator`] (a [`Neurons`]): given spike times per neuron.
//!
//! Rates may vary in time by a piecewise-constant table `[(t_start, rate), ...]`.
//!
//! # Sampling
//! `n ~ Poisson(λ)`, `λ = ν·Δt`, by inversion of a table of the cumulative distribution in
//! 32-bit fixed point, built whenever the rate changes: 32 random bits per neuron (one 64-bit
//! draw serves two neurons), compared with up to 24 thresholds at once by SIMD and counted
//! (λ ≲ 4.5), or walked in a loop for longer tables; the table stops where the remaining tail mass is below 2⁻³², so counts whose
//! probability is below that are never drawn. Above λ = 16, `rand_distr::Poisson` is used.
//! Random streams: one per fixed chunk of [`CHUNK`](crate::par::CHUNK) neurons
//! (`rng::substream(seed, "input/<name>", chunk)`), so draws do not depend on the thread count.

use std::ops::Range;

use rand::{Rng, RngCore};
use rand_distr::{Distribution, Poisson};
use wide::{f32x8, i32x8};

use crate::SimError;
use crate::chunked::{ChunkAt, chunk_count, flat_mut};
use crate::lanes::Padded;
use crate::neurons::Neurons;
use crate::par::Par;
use crate::rng::{Stream, substream};
use crate::sim::{BlockDrive, Component, DriveBlock, Window, drive_blocks_now, whole_blocks};
use crate::spikes::Spikes;

/// Largest mean count per step sampled from the inversion table.
const TABLE_MAX_LAMBDA: f64 = 16.0;

/// A piecewise-constant rate: `(t_start, rate)` pairs, `t_start` ascending, the first at 0.
#[derive(Clone, Debug, PartialEq)]
pub struct RateTable(Vec<(f64, f64)>);

impl RateTable {
    /// A constant rate (Hz).
    pub fn constant(rate: f64) -> Self {
        Self(vec![(0.0, rate)])
    }

    /// A piecewise-constant rate from `(t_start s, rate Hz)` pairs; the rate before the first
    /// start is 0. Errors (naming `object`) on negative or non-finite values or unsorted times.
    pub fn piecewise(object: &str, points: Vec<(f64, f64)>) -> Result<Self, SimError> {
        let bad = |msg: &str| SimError::Param {
            object: object.to_string(),
            key: "rate",
            value: format!("{points:?}"),
            msg: msg.to_string(),
        };
        if points.is_empty() {
            return Err(bad("needs at least one (time, rate) point"));
        }
        if points
            .iter()
            .any(|&(t, r)| !(t.is_finite() && r.is_finite() && r >= 0.0))
        {
            return Err(bad("times must be finite and rates finite and ≥ 0"));
        }
        if points.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(bad("times must be strictly ascending"));
        }
        let mut v = points;
        if v[0].0 > 0.0 {
            v.insert(0, (0.0, 0.0));
        }
        Ok(Self(v))
    }

    /// The rate (Hz) in force at time `t` (s).
    pub fn at(&self, t: f64) -> f64 {
        let i = self.0.partition_point(|&(s, _)| s <= t);
        if i == 0 { 0.0 } else { self.0[i - 1].1 }
    }
}

/// Poisson(λ) sampler for one λ.
#[derive(Clone, Debug)]
enum Counter {
    /// λ = 0: always 0.
    Zero,
    /// Cumulative thresholds in units of 2⁻³²: `n = #{k : u ≥ thr[k]}`.
    Table(Vec<u64>),
    /// The same table when it has at most 24 entries, stored as three vectors of
    /// `thr[k] − 1 − 2³¹` (i32, padding `i32::MAX`) so that one draw is two SIMD compares and
    /// a population count, without branches.
    Short([i32x8; 3]),
    /// Large λ.
    Large(Poisson<f64>),
}

impl Counter {
    fn new(lambda: f64) -> Self {
        if lambda <= 0.0 {
            return Counter::Zero;
        }
        if lambda > TABLE_MAX_LAMBDA {
            // λ is finite and positive here, which Poisson::new accepts.
            return Poisson::new(lambda).map_or(Counter::Zero, Counter::Large);
        }
        let scale = 4_294_967_296.0_f64;
        let mut thr = Vec::new();
        let (mut p, mut cdf) = ((-lambda).exp(), 0.0);
        let mut k = 0.0;
        loop {
            cdf += p;
            let t = (cdf * scale).round();
            if t >= scale - 0.5 || (1.0 - cdf) * scale < 1.0 {
                break;
            }
            thr.push(t as u64);
            k += 1.0;
            p *= lambda / k;
        }
        if thr.len() <= 24 {
            let mut a = [i32::MAX; 24];
            for (x, &t) in a.iter_mut().zip(&thr) {
                // thr[0] = round(e^{−λ}·2³²) ≥ 1 for λ ≤ 16, so t − 1 ≥ 0.
                *x = (t as i64 - 1 - (1i64 << 31)) as i32;
            }
            let v = |k: usize| -> i32x8 {
                let c: [i32; 8] = std::array::from_fn(|j| a[8 * k + j]);
                bytemuck::cast(c)
            };
            return Counter::Short([v(0), v(1), v(2)]);
        }
        Counter::Table(thr)
    }

    /// A count from 32 uniform bits `u`.
    #[inline(always)]
    fn count(&self, u: u32, r: &mut Stream) -> u32 {
        match self {
            Counter::Zero => 0,
            Counter::Short([a, b, c]) => {
                // u ≥ thr ⇔ u − 2³¹ > thr − 1 − 2³¹ (as i32); nothing exceeds the padding
                // i32::MAX.
                let us = i32x8::splat((u ^ 0x8000_0000) as i32);
                let m = |t: &i32x8| bytemuck::cast::<i32x8, f32x8>(us.simd_gt(*t)).to_bitmask();
                m(a).count_ones() + m(b).count_ones() + m(c).count_ones()
            }
            Counter::Table(thr) => {
                let u = u64::from(u);
                let mut n = 0;
                while n < thr.len() && u >= thr[n] {
                    n += 1;
                }
                n as u32
            }
            Counter::Large(p) => p.sample(r) as u32,
        }
    }
}

/// Independent Poisson input of rate `ν` to every neuron of one population and port (see the
/// module docs).
#[derive(Clone, Debug)]
pub struct PoissonInput {
    name: String,
    pop: usize,
    port: usize,
    n: usize,
    weight: f32,
    rate: RateTable,
    /// Samplers of the current window: `(first step, λ, counter)` per run of equal λ.
    counters: Vec<(u64, f64, Counter)>,
    /// One random stream and event count per work chunk.
    streams: Vec<Stream>,
    events: Vec<u64>,
}

impl PoissonInput {
    /// Input named `name` into port `port` of population `pop` (of `n` neurons), each neuron
    /// receiving Poisson events at `rate` (Hz), each adding `weight`; `seed` is the master seed.
    pub fn new(
        name: &str,
        pop: usize,
        port: usize,
        n: usize,
        weight: f32,
        rate: RateTable,
        seed: u64,
    ) -> Result<Self, SimError> {
        if !weight.is_finite() {
            return Err(SimError::Param {
                object: format!("input `{name}`"),
                key: "weight",
                value: weight.to_string(),
                msg: "must be finite".into(),
            });
        }
        let key = format!("input/{name}");
        Ok(Self {
            name: name.to_string(),
            pop,
            port,
            n,
            weight,
            rate,
            counters: Vec::new(),
            streams: (0..chunk_count(n))
                .map(|c| substream(seed, &key, c as u64))
                .collect(),
            events: vec![0; chunk_count(n)],
        })
    }

    /// Events drawn so far (all neurons).
    pub fn events(&self) -> u64 {
        self.events.iter().sum()
    }

    /// Samplers for steps `first .. first + steps` (a new table only when λ changes).
    fn prepare(&mut self, first: u64, steps: u64, dt: f64) {
        let mut reuse = self.counters.pop();
        let mut runs: Vec<(u64, f64, Counter)> = Vec::new();
        for k in first..first + steps {
            let lambda = self.rate.at(k as f64 * dt) * dt;
            if runs
                .last()
                .is_some_and(|r| r.1.to_bits() == lambda.to_bits())
            {
                continue;
            }
            let counter = match reuse.take() {
                Some((_, l, c)) if l.to_bits() == lambda.to_bits() => c,
                _ => Counter::new(lambda),
            };
            runs.push((k, lambda, counter));
        }
        self.counters = runs;
    }

    /// The work of every block of the target population (after [`prepare`](Self::prepare)).
    fn block_work(&mut self, blocks: &[Vec<Range<usize>>]) -> Vec<BlockDrive<'_>> {
        let (pop, port, weight, n) = (self.pop, self.port, self.weight, self.n);
        let counters = &self.counters;
        let (mut streams, mut events) = (&mut self.streams[..], &mut self.events[..]);
        blocks[pop]
            .iter()
            .enumerate()
            .map(|(block, b)| {
                let (s, rest) = std::mem::take(&mut streams).split_at_mut(b.len());
                streams = rest;
                let (e, rest) = std::mem::take(&mut events).split_at_mut(b.len());
                events = rest;
                BlockDrive {
                    pop,
                    block,
                    work: Box::new(PoissonBlock {
                        counters,
                        first: b.start,
                        streams: s,
                        events: e,
                        weight,
                        port,
                        n,
                    }),
                }
            })
            .collect()
    }
}

/// Poisson input into one block of work chunks.
struct PoissonBlock<'a> {
    counters: &'a [(u64, f64, Counter)],
    /// First chunk of the block; the block's chunks' streams and event counts.
    first: usize,
    streams: &'a mut [Stream],
    events: &'a mut [u64],
    weight: f32,
    port: usize,
    n: usize,
}

impl DriveBlock for PoissonBlock<'_> {
    fn drive(&mut self, step: u64, chunk: usize, inputs: &mut [&mut [f32x8]]) {
        let run = self.counters.partition_point(|r| r.0 <= step);
        let counter = &self.counters[run.saturating_sub(1)].2;
        if matches!(counter, Counter::Zero) {
            return;
        }
        let c = chunk - self.first;
        let (w, r) = (self.weight, &mut self.streams[c]);
        let x = flat_mut(inputs[self.port], ChunkAt::new(chunk, self.n).n_valid);
        // One 64-bit draw serves two neurons (low half, then high half).
        let mut total = 0u64;
        for pair in x.chunks_mut(2) {
            let bits = r.next_u64();
            for (xi, u) in pair.iter_mut().zip([bits as u32, (bits >> 32) as u32]) {
                let k = counter.count(u, r);
                total += u64::from(k);
                *xi += w * k as f32;
            }
        }
        self.events[c] += total;
    }
}

impl Component for PoissonInput {
    fn name(&self) -> &str {
        &self.name
    }
    fn drive(&mut self, step: u64, dt: f64, inputs: &mut [Vec<Padded>]) {
        self.prepare(step, 1, dt);
        let blocks = whole_blocks(inputs.iter().map(|p| p.first().map_or(0, Padded::len)));
        drive_blocks_now(self.block_work(&blocks), &blocks, step, inputs);
    }
    fn observe(&mut self, _step: u64, _dt: f64, _spikes: &[Spikes]) {}
    fn lookahead(&self) -> Option<u64> {
        Some(u64::MAX)
    }
    fn events(&self) -> u64 {
        PoissonInput::events(self)
    }
    fn chunks<'a>(&'a mut self, window: &Window<'a>) -> Vec<BlockDrive<'a>> {
        self.prepare(window.first, window.steps, window.dt);
        self.block_work(window.blocks)
    }
}

/// `n` independent Poisson spike trains as a population (no input ports).
#[derive(Clone, Debug)]
pub struct PoissonGenerator {
    n: usize,
    dt: f64,
    step: u64,
    rate: RateTable,
    stream: Stream,
}

impl PoissonGenerator {
    /// `n` trains of `rate`, time step `dt` (s), drawing from stream `"generator/<name>"`.
    /// Each train spikes at most once per step, with probability `1 − exp(−ν·Δt)` (a spike
    /// source cannot emit two spikes in one step; NEST's `parrot_neuron` likewise repeats
    /// multiple spikes as one event of multiplicity k, which this model does not keep).
    pub fn new(name: &str, n: usize, rate: RateTable, dt: f64, seed: u64) -> Self {
        Self {
            n,
            dt,
            step: 0,
            rate,
            stream: crate::rng::stream(seed, &format!("generator/{name}")),
        }
    }
}

impl Neurons for PoissonGenerator {
    fn len(&self) -> usize {
        self.n
    }
    fn model(&self) -> &'static str {
        "poisson_generator"
    }
    fn ports(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
    fn step(&mut self, _inputs: &[Padded], _par: Par<'_>, out: &mut Spikes) {
        out.clear();
        let lambda = self.rate.at(self.step as f64 * self.dt) * self.dt;
        self.step += 1;
        let p = -(-lambda).exp_m1();
        if p <= 0.0 || self.n == 0 {
            return;
        }
        if p >= 1.0 {
            (0..self.n as u32).for_each(|i| out.push(i, self.dt as f32));
            return;
        }
        // Geometric skipping over the trains: cost ∝ spikes.
        let l = (-p).ln_1p();
        let mut j: f64 = -1.0;
        loop {
            let u: f64 = 1.0 - self.stream.random::<f64>();
            j += 1.0 + (u.ln() / l).floor();
            if j >= self.n as f64 {
                break;
            }
            out.push(j as u32, self.dt as f32);
        }
    }
    fn variables(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
    fn variable(&self, _name: &str) -> Option<&[f32]> {
        None
    }
    fn find_non_finite(&self) -> Option<(usize, &'static str)> {
        None
    }
}

/// Neurons that spike at given times.
#[derive(Clone, Debug)]
pub struct SpikeGenerator {
    n: usize,
    step: u64,
    /// `(step, neuron)` sorted by step then neuron.
    events: Vec<(u64, u32)>,
    next: usize,
    dt: f64,
}

impl SpikeGenerator {
    /// `n` neurons; neuron `times[s].1` spikes at `times[s].0` seconds. A spike at time `t` is
    /// emitted in the step containing it, `⌈t/Δt⌉ − 1` (a time on the grid, `t = k·Δt`, ends
    /// step `k − 1`, as NEST's `spike_generator` emits at grid times), at least step 0.
    /// A neuron spikes at most once per step (repeated times within one step are merged).
    /// Errors (naming `name`) on negative or non-finite times or neuron indices ≥ `n`.
    pub fn new(name: &str, n: usize, times: &[(f64, u32)], dt: f64) -> Result<Self, SimError> {
        let mut events = Vec::with_capacity(times.len());
        for &(t, i) in times {
            if !(t.is_finite() && t >= 0.0) || i as usize >= n {
                return Err(SimError::Param {
                    object: format!("spike generator `{name}`"),
                    key: "spike_times",
                    value: format!("({t}, {i})"),
                    msg: format!("times must be finite and ≥ 0, neurons < {n}"),
                });
            }
            let k = ((t / dt) * (1.0 - 1e-12)).ceil().max(1.0) as u64 - 1;
            events.push((k, i));
        }
        events.sort_unstable();
        events.dedup();
        Ok(Self {
            n,
            step: 0,
            events,
            next: 0,
            dt,
        })
    }
}

impl Neurons for SpikeGenerator {
    fn len(&self) -> usize {
        self.n
    }
    fn model(&self) -> &'static str {
        "spike_generator"
    }
    fn ports(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
    fn step(&mut self, _inputs: &[Padded], _par: Par<'_>, out: &mut Spikes) {
        out.clear();
        while let Some(&(k, i)) = self.events.get(self.next) {
            if k > self.step {
                break;
            }
            out.push(i, self.dt as f32);
            self.next += 1;
        }
        self.step += 1;
    }
    fn variables(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
    fn variable(&self, _name: &str) -> Option<&[f32]> {
        None
    }
    fn find_non_finite(&self) -> Option<(usize, &'static str)> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn simd_table_counts_equal_the_loop_at_every_threshold_and_the_extremes() {
        for lambda in [1e-4, 0.05, 0.5, 2.0, 4.0] {
            let Counter::Short(_) = Counter::new(lambda) else {
                panic!("λ {lambda}: short table expected")
            };
            // The loop form of the same table.
            let scale = 4_294_967_296.0_f64;
            let (mut p, mut cdf, mut thr) = ((-lambda).exp(), 0.0, Vec::new());
            for k in 1.. {
                cdf += p;
                let t = (cdf * scale).round();
                if t >= scale - 0.5 || (1.0 - cdf) * scale < 1.0 {
                    break;
                }
                thr.push(t as u64);
                p *= lambda / f64::from(k);
            }
            let (short, table) = (Counter::new(lambda), Counter::Table(thr.clone()));
            let mut r = Stream::seed_from_u64(0);
            let mut us: Vec<u32> = vec![0, 1, u32::MAX, u32::MAX - 1];
            for &t in &thr {
                us.extend([
                    (t - 1) as u32,
                    t as u32,
                    (t + 1).min(u64::from(u32::MAX)) as u32,
                ]);
            }
            us.extend((0..10_000).map(|_| r.next_u32()));
            for u in us {
                assert_eq!(
                    short.count(u, &mut r),
                    table.count(u, &mut r),
                    "λ {lambda}, u {u}"
                );
            }
            assert_eq!(short.count(u32::MAX, &mut r) as usize, thr.len());
            assert_eq!(short.count(0, &mut r), 0);
        }
    }
}

//! Connectivity: connection rules sampled into CSR rows per presynaptic neuron.
//!
//! Rules follow NEST's `Connect` rules (`all_to_all`, `one_to_one`, `pairwise_bernoulli`,
//! `fixed_indegree`, `fixed_outdegree`, `fixed_total_number`, plus explicit arrays), with
//! NEST's defaults `allow_autapses = true`, `allow_multapses = true`. Autapses only exist when
//! source and target are the same population.
//!
//! # Determinism
//! Sampling is split into fixed blocks of [`BLOCK`] rows (source neurons; target neurons for
//! `fixed_indegree`). Block `b` draws its structure from `rng::substream(seed,
//! "projection/<name>/conn", b)`, its weights from `".../weight"` and its delays from
//! `".../delay"`, so the same seed gives the same synapses whatever the thread count, and
//! changing a weight distribution leaves the structure unchanged. Blocks run in parallel on the
//! pool given; their outputs are joined in block order. `fixed_total_number` first splits its
//! `M` synapses over the blocks by a multinomial draw (stream `".../split"`), as NEST splits
//! them over virtual processes.

pub mod csr;
pub mod dist;
pub mod incoming;

use rand::Rng;
use rand::seq::index;
use rand_distr::{Binomial, Distribution};
use rayon::prelude::*;

pub use csr::{Csr, Delays, Row, Weights};
pub use dist::{Dist, Value, delay_steps};
pub use incoming::Incoming;

use crate::SimError;
use crate::par::Par;
use crate::rng::{Stream, stream, substream};

/// Rows (or columns for `fixed_indegree`) sampled per RNG block.
pub const BLOCK: usize = 1024;

/// How sources are connected to targets.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// Every source to every target.
    AllToAll,
    /// Source `i` to target `i` (equal sizes; autapse setting ignored).
    OneToOne,
    /// Each (source, target) pair independently with probability `p`.
    PairwiseBernoulli {
        /// Connection probability in [0, 1].
        p: f64,
    },
    /// Each target receives `k` synapses from sources drawn uniformly.
    FixedIndegree {
        /// In-degree.
        k: usize,
    },
    /// Each source makes `k` synapses onto targets drawn uniformly.
    FixedOutdegree {
        /// Out-degree.
        k: usize,
    },
    /// `m` synapses between uniformly drawn (source, target) pairs.
    FixedTotalNumber {
        /// Number of synapses.
        m: usize,
    },
    /// Given synapses: `pre[s] → post[s]`, optional per-synapse weights and delays (s).
    Explicit {
        /// Source indices.
        pre: Vec<u32>,
        /// Target indices.
        post: Vec<u32>,
        /// Per-synapse weights (None: the projection's `weight`).
        weight: Option<Vec<f64>>,
        /// Per-synapse delays in seconds (None: the projection's `delay`).
        delay: Option<Vec<f64>>,
    },
}

/// A connection rule with its weights, delays and options.
#[derive(Clone, Debug, PartialEq)]
pub struct Connect {
    /// The rule.
    pub rule: Rule,
    /// Weight (unit of the target port).
    pub weight: Value,
    /// Delay, seconds (rounded to steps, see [`delay_steps`]).
    pub delay: Value,
    /// Allow a neuron to connect to itself (same population only). NEST default: true.
    pub allow_autapses: bool,
    /// Allow more than one synapse per (source, target) pair. NEST default: true.
    pub allow_multapses: bool,
}

/// One block's synapses in CSR order: per-row counts and targets (ascending per row), with
/// per-synapse weights and delays when those vary.
struct Part {
    counts: Vec<u32>,
    targets: Vec<u32>,
    weights: Vec<f32>,
    delays: Vec<u16>,
}

impl Connect {
    /// `rule` with the given weight and delay (s), autapses and multapses allowed.
    pub fn new(rule: Rule, weight: impl Into<Value>, delay: impl Into<Value>) -> Self {
        let mut delay = delay.into();
        delay.keep_sign = false;
        Self {
            rule,
            weight: weight.into(),
            delay,
            allow_autapses: true,
            allow_multapses: true,
        }
    }

    /// Samples the synapses of projection `name` from `n_pre` to `n_post` neurons
    /// (`same_population`: source and target are one population, so autapses exist), with
    /// time step `dt` (s) and master `seed`, on `par`.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        &self,
        name: &str,
        n_pre: usize,
        n_post: usize,
        same_population: bool,
        dt: f64,
        seed: u64,
        par: Par<'_>,
    ) -> Result<Csr, SimError> {
        let bad = |key: &'static str, value: String, msg: String| SimError::Param {
            object: format!("projection `{name}`"),
            key,
            value,
            msg,
        };
        if n_pre > u32::MAX as usize || n_post > u32::MAX as usize {
            return Err(bad(
                "size",
                format!("{n_pre}×{n_post}"),
                "populations above 2^32 neurons are not supported".into(),
            ));
        }
        let object = format!("projection `{name}`");
        let wsamp = self.weight.sampler(&object, "weight")?;
        let dsamp = self.delay.sampler(&object, "delay")?;
        let wsign = self.weight.mean().signum();
        let no_self = same_population && !self.allow_autapses;
        let key = |what: &str| format!("projection/{name}/{what}");
        let (conn_key, w_key, d_key) = (key("conn"), key("weight"), key("delay"));

        // Per-synapse weight/delay draws for one block's synapses, in CSR order.
        let uniform_w = self.weight.is_const();
        let uniform_d = self.delay.is_const();
        let fill_wd = |b: usize, n: usize| -> Result<(Vec<f32>, Vec<u16>), SimError> {
            let w = if uniform_w {
                Vec::new()
            } else {
                let mut r = substream(seed, &w_key, b as u64);
                (0..n)
                    .map(|_| self.weight.clip(wsign, wsamp.draw(&mut r)) as f32)
                    .collect()
            };
            let d = if uniform_d {
                Vec::new()
            } else {
                let mut r = substream(seed, &d_key, b as u64);
                (0..n)
                    .map(|_| delay_steps(self.delay.clip(1.0, dsamp.draw(&mut r)), dt, &object))
                    .collect::<Result<_, _>>()?
            };
            Ok((w, d))
        };

        let rows_of = |b: usize| b * BLOCK..((b + 1) * BLOCK).min(n_pre);
        let pre_blocks = n_pre.div_ceil(BLOCK);
        let targets_excluding = |n: usize| if no_self { n.saturating_sub(1) } else { n };

        // Maps an index drawn from `0..n-1` onto `0..n` skipping `me` (autapse exclusion).
        let skip = |x: u32, me: usize| {
            if no_self && x as usize >= me {
                x + 1
            } else {
                x
            }
        };
        // Draws `k` indices from `0..n` (with or without replacement), ascending.
        let pick = |r: &mut Stream, n: usize, k: usize, multapses: bool| -> Vec<u64> {
            let mut v: Vec<u64> = if multapses {
                (0..k).map(|_| r.random_range(0..n as u64)).collect()
            } else {
                index::sample(r, n, k)
                    .into_iter()
                    .map(|x| x as u64)
                    .collect()
            };
            v.sort_unstable();
            v
        };
        // Appends `k` indices from `0..n` in draw order (rows are sorted by the transposition).
        let draw_into =
            |r: &mut Stream, n: usize, k: usize, multapses: bool, me: usize, out: &mut Vec<u32>| {
                if multapses {
                    out.extend((0..k).map(|_| skip(r.random_range(0..n as u32), me)));
                } else {
                    out.extend(
                        index::sample(r, n, k)
                            .into_iter()
                            .map(|x| skip(x as u32, me)),
                    );
                }
            };

        let parts: Vec<Part> = match &self.rule {
            Rule::AllToAll
            | Rule::OneToOne
            | Rule::PairwiseBernoulli { .. }
            | Rule::FixedOutdegree { .. } => {
                match self.rule {
                    Rule::OneToOne if n_pre != n_post => {
                        return Err(bad(
                            "rule",
                            "one_to_one".into(),
                            format!("needs equal sizes, got {n_pre} sources and {n_post} targets"),
                        ));
                    }
                    Rule::PairwiseBernoulli { p } if !(0.0..=1.0).contains(&p) => {
                        return Err(bad("p", p.to_string(), "must be in [0, 1]".into()));
                    }
                    Rule::FixedOutdegree { k }
                        if k > 0
                            && (targets_excluding(n_post) == 0
                                || (!self.allow_multapses && k > targets_excluding(n_post))) =>
                    {
                        return Err(bad(
                            "k",
                            k.to_string(),
                            format!(
                                "exceeds the {} available targets (allow_multapses = {})",
                                targets_excluding(n_post),
                                self.allow_multapses
                            ),
                        ));
                    }
                    _ => {}
                }
                map_blocks(pre_blocks, par, |b| {
                    let mut r = substream(seed, &conn_key, b as u64);
                    let rows = rows_of(b);
                    let mut counts = Vec::with_capacity(rows.len());
                    let mut targets = Vec::new();
                    for i in rows {
                        let before = targets.len();
                        match self.rule {
                            Rule::AllToAll => targets.extend(
                                (0..n_post as u32).filter(|&j| !(no_self && j as usize == i)),
                            ),
                            Rule::OneToOne => targets.push(i as u32),
                            Rule::PairwiseBernoulli { p } => {
                                bernoulli_row(&mut r, p, n_post, no_self.then_some(i), &mut targets)
                            }
                            Rule::FixedOutdegree { k } => {
                                let n = targets_excluding(n_post);
                                let v = pick(&mut r, n, k, self.allow_multapses);
                                targets.extend(v.into_iter().map(|x| skip(x as u32, i)));
                            }
                            _ => unreachable!(),
                        }
                        counts.push((targets.len() - before) as u32);
                    }
                    let (weights, delays) = fill_wd(b, targets.len())?;
                    Ok(Part {
                        counts,
                        targets,
                        weights,
                        delays,
                    })
                })?
            }
            Rule::FixedTotalNumber { m } => {
                let m = *m;
                let cols = targets_excluding(n_post);
                let total = n_pre * cols;
                if m > 0 && (total == 0 || (!self.allow_multapses && m > total)) {
                    return Err(bad(
                        "m",
                        m.to_string(),
                        format!(
                            "exceeds the {total} available pairs (allow_multapses = {})",
                            self.allow_multapses
                        ),
                    ));
                }
                // Multinomial split of m over blocks by their share of the pairs.
                let mut split = stream(seed, &key("split"));
                let mut left = m as u64;
                let mut rest = total as f64;
                let mut per_block = Vec::with_capacity(pre_blocks);
                for b in 0..pre_blocks {
                    let share = (rows_of(b).len() * cols) as f64;
                    let c = if b + 1 == pre_blocks || left == 0 {
                        left
                    } else {
                        let p = (share / rest).min(1.0);
                        Binomial::new(left, p)
                            .map_err(|e| bad("m", m.to_string(), e.to_string()))?
                            .sample(&mut split)
                    };
                    if !self.allow_multapses && c as f64 > share {
                        return Err(bad(
                            "m",
                            m.to_string(),
                            "too dense for allow_multapses = false".into(),
                        ));
                    }
                    per_block.push(c as usize);
                    left -= c;
                    rest -= share;
                }
                map_blocks(pre_blocks, par, |b| {
                    let mut r = substream(seed, &conn_key, b as u64);
                    let rows = rows_of(b);
                    let n = rows.len() * cols;
                    let picks = pick(&mut r, n.max(1), per_block[b], self.allow_multapses);
                    let mut counts = vec![0u32; rows.len()];
                    let mut targets = Vec::with_capacity(picks.len());
                    for x in picks {
                        let (row, col) = ((x / cols as u64) as usize, (x % cols as u64) as u32);
                        counts[row] += 1;
                        targets.push(skip(col, rows.start + row));
                    }
                    let (weights, delays) = fill_wd(b, targets.len())?;
                    Ok(Part {
                        counts,
                        targets,
                        weights,
                        delays,
                    })
                })?
            }
            Rule::FixedIndegree { k } => {
                let k = *k;
                let n = targets_excluding(n_pre);
                if k > 0 && n_post > 0 && (n == 0 || (!self.allow_multapses && k > n)) {
                    return Err(bad(
                        "k",
                        k.to_string(),
                        format!(
                            "exceeds the {n} available sources (allow_multapses = {})",
                            self.allow_multapses
                        ),
                    ));
                }
                // Sources per target, by blocks of targets; then transposed into rows.
                let cols = |b: usize| b * BLOCK..((b + 1) * BLOCK).min(n_post);
                let by_post: Vec<Part> = map_blocks(n_post.div_ceil(BLOCK), par, |b| {
                    let mut r = substream(seed, &conn_key, b as u64);
                    let mut sources = Vec::with_capacity(cols(b).len() * k);
                    for j in cols(b) {
                        draw_into(&mut r, n, k, self.allow_multapses, j, &mut sources);
                    }
                    let (weights, delays) = fill_wd(b, sources.len())?;
                    Ok(Part {
                        counts: Vec::new(),
                        targets: sources,
                        weights,
                        delays,
                    })
                })?;
                return transpose(&by_post, k, n_pre, n_post, self, dt, &object, par);
            }
            Rule::Explicit {
                pre,
                post,
                weight,
                delay,
            } => {
                return explicit(
                    pre,
                    post,
                    weight.as_deref(),
                    delay.as_deref(),
                    self,
                    n_pre,
                    n_post,
                    dt,
                    &object,
                    &wsamp,
                    &dsamp,
                    seed,
                    &w_key,
                    &d_key,
                );
            }
        };
        assemble(parts, n_pre, n_post, self, dt, &object)
    }
}

/// Runs `f` for blocks `0..n` sequentially or on the pool; results in block order.
fn map_blocks<T: Send>(
    n: usize,
    par: Par<'_>,
    f: impl Fn(usize) -> Result<T, SimError> + Sync + Send,
) -> Result<Vec<T>, SimError> {
    match par {
        Par::Seq => (0..n).map(f).collect(),
        Par::Pool(pool) => pool.install(|| (0..n).into_par_iter().map(&f).collect()),
    }
}

/// Appends the targets of one Bernoulli row by geometric skipping: the gap to the next
/// synapse is `⌊ln U / ln(1−p)⌋` (cost ∝ synapses, not targets).
fn bernoulli_row(r: &mut Stream, p: f64, n: usize, skip: Option<usize>, out: &mut Vec<u32>) {
    if p <= 0.0 || n == 0 {
        return;
    }
    if p >= 1.0 {
        out.extend((0..n as u32).filter(|&j| Some(j as usize) != skip));
        return;
    }
    let l = (-p).ln_1p();
    let mut j: f64 = -1.0;
    loop {
        let u: f64 = 1.0 - r.random::<f64>(); // (0, 1]
        j += 1.0 + (u.ln() / l).floor();
        if j >= n as f64 {
            break;
        }
        if Some(j as usize) != skip {
            out.push(j as u32);
        }
    }
}

/// The uniform weight and delay of a projection (used when they are constants).
fn uniform_wd(c: &Connect, dt: f64, object: &str) -> Result<(f32, u16), SimError> {
    let w = c.weight.clip(c.weight.mean().signum(), c.weight.mean()) as f32;
    let d = delay_steps(c.delay.clip(1.0, c.delay.mean()), dt, object)?;
    Ok((w, d))
}

/// Wraps weights/delays in their storage form.
fn storage(
    c: &Connect,
    dt: f64,
    object: &str,
    w: Vec<f32>,
    d: Vec<u16>,
) -> Result<(Weights, Delays), SimError> {
    let (uw, ud) = uniform_wd(c, dt, object)?;
    let weights = if c.weight.is_const() {
        Weights::Uniform(uw)
    } else {
        Weights::PerSynapse(w)
    };
    let delays = if c.delay.is_const() {
        Delays::Uniform(ud)
    } else {
        Delays::PerSynapse(d)
    };
    Ok((weights, delays))
}

/// Joins per-row-block parts into one CSR.
fn assemble(
    parts: Vec<Part>,
    n_pre: usize,
    n_post: usize,
    c: &Connect,
    dt: f64,
    object: &str,
) -> Result<Csr, SimError> {
    let total: usize = parts.iter().map(|p| p.targets.len()).sum();
    let mut offsets = Vec::with_capacity(n_pre + 1);
    offsets.push(0);
    let mut targets = Vec::with_capacity(total);
    let (mut w, mut d) = (Vec::new(), Vec::new());
    for p in parts {
        for &k in &p.counts {
            offsets.push(offsets.last().copied().unwrap_or(0) + k as usize);
        }
        targets.extend_from_slice(&p.targets);
        w.extend_from_slice(&p.weights);
        d.extend_from_slice(&p.delays);
    }
    let (weights, delays) = storage(c, dt, object, w, d)?;
    Ok(Csr::from_parts(
        n_pre, n_post, offsets, targets, weights, delays,
    ))
}

/// Turns per-target source lists (`k` per target, target blocks in order) into CSR rows per
/// source. Rows are filled in ascending target order, so they come out sorted; the rows are
/// split into one contiguous range per thread.
#[allow(clippy::too_many_arguments)]
fn transpose(
    by_post: &[Part],
    k: usize,
    n_pre: usize,
    n_post: usize,
    c: &Connect,
    dt: f64,
    object: &str,
    par: Par<'_>,
) -> Result<Csr, SimError> {
    let mut offsets = vec![0usize; n_pre + 1];
    for p in by_post {
        for &s in &p.targets {
            offsets[s as usize + 1] += 1;
        }
    }
    for i in 0..n_pre {
        offsets[i + 1] += offsets[i];
    }
    let total = offsets[n_pre];
    let per_w = !c.weight.is_const();
    let per_d = !c.delay.is_const();
    let mut targets = vec![0u32; total];
    let mut w = vec![0f32; if per_w { total } else { 0 }];
    let mut d = vec![0u16; if per_d { total } else { 0 }];
    // Split the sources into contiguous ranges (one per thread); each range's synapses are a
    // contiguous slice of the arrays, so the ranges fill in parallel without sharing.
    let nparts = par.threads().max(1);
    let bounds: Vec<usize> = (0..=nparts).map(|t| t * n_pre / nparts).collect();
    let mut jobs = Vec::with_capacity(nparts);
    {
        let (mut tr, mut wr, mut dr) = (&mut targets[..], &mut w[..], &mut d[..]);
        for t in 0..nparts {
            let (lo, hi) = (bounds[t], bounds[t + 1]);
            let len = offsets[hi] - offsets[lo];
            let (a, rest) = tr.split_at_mut(len);
            tr = rest;
            let (wa, wrest) = wr.split_at_mut(if per_w { len } else { 0 });
            wr = wrest;
            let (da, drest) = dr.split_at_mut(if per_d { len } else { 0 });
            dr = drest;
            jobs.push((lo, hi, a, wa, da));
        }
    }
    let fill = |(lo, hi, tg, wa, da): (usize, usize, &mut [u32], &mut [f32], &mut [u16])| {
        let base = offsets[lo];
        let mut cursor: Vec<usize> = offsets[lo..hi].iter().map(|o| o - base).collect();
        let mut post = 0u32;
        for p in by_post {
            for (q, &s) in p.targets.iter().enumerate() {
                let s = s as usize;
                if (lo..hi).contains(&s) {
                    let at = &mut cursor[s - lo];
                    tg[*at] = post + (q / k) as u32;
                    if per_w {
                        wa[*at] = p.weights[q];
                    }
                    if per_d {
                        da[*at] = p.delays[q];
                    }
                    *at += 1;
                }
            }
            post += (p.targets.len() / k.max(1)) as u32;
        }
    };
    match par {
        Par::Seq => jobs.into_iter().for_each(fill),
        Par::Pool(pool) => pool.install(|| jobs.into_par_iter().for_each(fill)),
    }
    let (weights, delays) = storage(c, dt, object, w, d)?;
    Ok(Csr::from_parts(
        n_pre, n_post, offsets, targets, weights, delays,
    ))
}

/// Builds a CSR from explicit synapse arrays (validated here: user data).
#[allow(clippy::too_many_arguments)]
fn explicit(
    pre: &[u32],
    post: &[u32],
    weight: Option<&[f64]>,
    delay: Option<&[f64]>,
    c: &Connect,
    n_pre: usize,
    n_post: usize,
    dt: f64,
    object: &str,
    wsamp: &dist::Sampler,
    dsamp: &dist::Sampler,
    seed: u64,
    w_key: &str,
    d_key: &str,
) -> Result<Csr, SimError> {
    let bad = |key: &'static str, msg: String| SimError::Param {
        object: object.to_string(),
        key,
        value: format!("{} synapses", pre.len()),
        msg,
    };
    let n = pre.len();
    if post.len() != n
        || weight.is_some_and(|w| w.len() != n)
        || delay.is_some_and(|d| d.len() != n)
    {
        return Err(bad(
            "explicit",
            "source, target, weight and delay arrays need equal lengths".into(),
        ));
    }
    if let Some(s) = pre.iter().position(|&i| i as usize >= n_pre) {
        return Err(bad(
            "source",
            format!("synapse {s}: source {} ≥ population size {n_pre}", pre[s]),
        ));
    }
    if let Some(s) = post.iter().position(|&i| i as usize >= n_post) {
        return Err(bad(
            "target",
            format!("synapse {s}: target {} ≥ population size {n_post}", post[s]),
        ));
    }
    if let Some(s) = weight.and_then(|w| w.iter().position(|x| !x.is_finite())) {
        return Err(bad("weight", format!("synapse {s}: weight is not finite")));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&s| (pre[s], post[s]));
    let mut offsets = vec![0usize; n_pre + 1];
    for &i in pre {
        offsets[i as usize + 1] += 1;
    }
    for i in 0..n_pre {
        offsets[i + 1] += offsets[i];
    }
    let targets = order.iter().map(|&s| post[s]).collect();
    let weights = match weight {
        Some(w) => Weights::PerSynapse(order.iter().map(|&s| w[s] as f32).collect()),
        None if c.weight.is_const() => Weights::Uniform(uniform_wd(c, dt, object)?.0),
        None => {
            let mut r = substream(seed, w_key, 0);
            let sign = c.weight.mean().signum();
            Weights::PerSynapse(
                (0..n)
                    .map(|_| c.weight.clip(sign, wsamp.draw(&mut r)) as f32)
                    .collect(),
            )
        }
    };
    let delays = match delay {
        Some(d) => Delays::PerSynapse(
            order
                .iter()
                .map(|&s| delay_steps(d[s], dt, object))
                .collect::<Result<_, _>>()?,
        ),
        None if c.delay.is_const() => Delays::Uniform(uniform_wd(c, dt, object)?.1),
        None => {
            let mut r = substream(seed, d_key, 0);
            Delays::PerSynapse(
                (0..n)
                    .map(|_| delay_steps(c.delay.clip(1.0, dsamp.draw(&mut r)), dt, object))
                    .collect::<Result<_, _>>()?,
            )
        }
    };
    Ok(Csr::from_parts(
        n_pre, n_post, offsets, targets, weights, delays,
    ))
}

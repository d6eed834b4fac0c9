//! STDP on CSR synapses: the pair curve against its closed form, all-to-all sums against a
//! brute-force sum over pairs (with delays on either side), soft and hard bounds, thread-count
//! independence, and errors.

use rand::{Rng, SeedableRng};
use simcore::connectivity::{Connect, Csr, Delays, Rule, Weights};
use simcore::delivery::{Projection, Receptor, SpikeDelivery};
use simcore::lanes::Padded;
use simcore::neuron::lif::LifParams;
use simcore::par::Par;
use simcore::plasticity::{DelaySplit, PlasticDelivery, StdpParams, WeightDependence};
use simcore::rng::Stream;
use simcore::sources::{PoissonGenerator, RateTable};
use simcore::{LifPopulation, Neurons, Population, Simulator, Spikes};

const DT: f64 = 1e-4;

/// Neurons that spike at scripted (step, neuron, offset) events and ignore their input.
#[derive(Debug)]
struct Scripted {
    n: usize,
    step: u64,
    events: Vec<(u64, u32, f32)>,
    next: usize,
}

impl Scripted {
    fn new(n: usize, mut events: Vec<(u64, u32, f32)>) -> Self {
        events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        Self {
            n,
            step: 0,
            events,
            next: 0,
        }
    }
}

impl Neurons for Scripted {
    fn len(&self) -> usize {
        self.n
    }
    fn model(&self) -> &'static str {
        "scripted"
    }
    fn ports(&self) -> &'static [(&'static str, &'static str)] {
        &[("current", "1")]
    }
    fn step(&mut self, _inputs: &[Padded], _par: Par<'_>, out: &mut Spikes) {
        out.clear();
        while let Some(&(k, i, o)) = self.events.get(self.next) {
            if k > self.step {
                break;
            }
            out.push(i, o);
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

fn params(split: DelaySplit) -> StdpParams {
    StdpParams {
        a_plus: 0.01,
        a_minus: 0.0105,
        tau_plus: 0.0168,
        tau_minus: 0.0337,
        w_min: -10.0,
        w_max: 10.0,
        dependence: WeightDependence::Additive,
        delay_split: split,
    }
}

/// Runs scripted pre → post spikes through one projection with STDP and returns the weights.
fn run(
    csr: Csr,
    pre: Vec<(u64, u32, f32)>,
    post: Vec<(u64, u32, f32)>,
    p: StdpParams,
    steps: u64,
) -> Vec<f32> {
    let (n_pre, n_post) = (csr.n_pre(), csr.n_post());
    let d = delivery(csr);
    let pd = PlasticDelivery::new("stdp", d, vec![(0, p)]).unwrap();
    let pops = vec![
        Population {
            name: "pre".into(),
            neurons: Box::new(Scripted::new(n_pre, pre)),
        },
        Population {
            name: "post".into(),
            neurons: Box::new(Scripted::new(n_post, post)),
        },
    ];
    let mut sim = Simulator::new(DT, pops, vec![Box::new(pd)], 1).unwrap();
    for _ in 0..steps {
        sim.step().unwrap();
    }
    weights_of(&sim)
}

fn weights_of(sim: &Simulator) -> Vec<f32> {
    let pd = sim.components()[0]
        .as_any()
        .and_then(|a| a.downcast_ref::<PlasticDelivery>())
        .expect("a PlasticDelivery");
    match pd.weights(0) {
        Weights::PerSynapse(w) => w.clone(),
        Weights::Uniform(w) => vec![*w],
    }
}

/// Time at the synapse of an event at (step, offset) seen with `delay` steps.
fn at(step: u64, offset: f32, delay: u64) -> f64 {
    (step + delay) as f64 * DT + f64::from(offset)
}

/// Synapses of weight 0 from `n_pre` to `n_post` neurons (CSR `offsets`, `targets`).
fn zero_weights(
    n_pre: usize,
    n_post: usize,
    offsets: &[usize],
    targets: &[u32],
    delays: Delays,
) -> Csr {
    let (o, t) = (offsets.to_vec(), targets.to_vec());
    Csr::from_parts(n_pre, n_post, o, t, Weights::Uniform(0.0), delays)
}

fn one_to_one(n: usize, delay: u16) -> Csr {
    let (offsets, targets): (Vec<usize>, Vec<u32>) = ((0..=n).collect(), (0..n as u32).collect());
    zero_weights(n, n, &offsets, &targets, Delays::Uniform(delay))
}

/// The delivery of projection `syn` over `csr` (pre population 0 → post population 1, port
/// 0, no filter).
fn delivery(csr: Csr) -> SpikeDelivery {
    let sizes = [csr.n_pre(), csr.n_post()];
    let proj = Projection {
        name: "syn".into(),
        source: 0,
        target: 1,
        port: 0,
        receptor: Receptor::Direct,
        csr,
    };
    SpikeDelivery::new("d", vec![proj], &sizes, &[1, 1], DT).unwrap()
}

#[test]
fn isolated_pairs_follow_the_exponential_window_to_1e6() {
    for (split, delay) in [
        (DelaySplit::Axonal, 1u16),
        (DelaySplit::Axonal, 7),
        (DelaySplit::Dendritic, 5),
    ] {
        let p = params(split);
        // Pair n: pre at step 2000 + offset, post Δ steps later (Δ from −1000 to 1000 by 10).
        let lags: Vec<i64> = (-100..=100).map(|m| m * 10 + 3).collect();
        let n = lags.len();
        let (mut pre, mut post) = (Vec::new(), Vec::new());
        for (i, &lag) in lags.iter().enumerate() {
            let (o_pre, o_post) = (0.3e-4 + 1e-7 * i as f32, 0.7e-4 - 2e-7 * i as f32);
            pre.push((2000, i as u32, o_pre));
            post.push(((2000 + lag) as u64, i as u32, o_post));
        }
        let w = run(one_to_one(n, delay), pre.clone(), post.clone(), p, 3500);
        let (da, dd) = match split {
            DelaySplit::Axonal => (delay as u64, 0),
            DelaySplit::Dendritic => (0, delay as u64),
        };
        for i in 0..n {
            let dt_syn = at(post[i].0, post[i].2, dd) - at(pre[i].0, pre[i].2, da);
            let expect = p.pair_change(dt_syn);
            let got = f64::from(w[i]);
            assert!(
                (got - expect).abs() <= 1e-6 * expect.abs(),
                "{split:?} d={delay} Δt={dt_syn}: Δw {got} vs {expect}"
            );
            // The sign flips exactly where the lag at the synapse does.
            assert_eq!(got > 0.0, dt_syn >= 0.0);
        }
    }
}

/// Poisson-like scripted trains: (step, neuron, offset) events at `rate` Hz for `steps − 200`
/// steps.
fn train(r: &mut Stream, n: usize, rate: f64, steps: u64) -> Vec<(u64, u32, f32)> {
    let mut ev = Vec::new();
    for k in 0..steps - 200 {
        for i in 0..n as u32 {
            if r.random::<f64>() < rate * DT {
                ev.push((k, i, r.random_range(1e-6..DT) as f32));
            }
        }
    }
    ev
}

/// All-to-all from `n_pre` to `n_post` plus a multapse 0 → 2: CSR offsets and targets.
fn all_to_all_with_multapse(n_pre: usize, n_post: usize) -> (Vec<usize>, Vec<u32>) {
    let mut offsets = vec![0];
    let mut targets = Vec::new();
    for i in 0..n_pre {
        targets.extend(0..n_post as u32);
        if i == 0 {
            targets.push(2);
            targets.sort();
        }
        offsets.push(targets.len());
    }
    (offsets, targets)
}

/// The scalar reference: Δw of every synapse as the sum of the pair window over every
/// (pre, post) pair, times taken at the synapse with its own delay on the split's side.
fn brute_force(
    csr: &Csr,
    pre: &[(u64, u32, f32)],
    post: &[(u64, u32, f32)],
    p: &StdpParams,
) -> Vec<f64> {
    csr.pairs()
        .enumerate()
        .map(|(s, (i, j))| {
            let d = u64::from(csr.delay(s));
            let (da, dd) = match p.delay_split {
                DelaySplit::Axonal => (d, 0),
                DelaySplit::Dendritic => (0, d),
            };
            let mut sum = 0.0;
            for a in pre.iter().filter(|e| e.1 == i) {
                for b in post.iter().filter(|e| e.1 == j) {
                    sum += p.pair_change(at(b.0, b.2, dd) - at(a.0, a.2, da));
                }
            }
            sum
        })
        .collect()
}

#[test]
fn all_to_all_trains_sum_every_pair_with_delays_on_either_side() {
    let mut r = Stream::seed_from_u64(3);
    let (n_pre, n_post, steps) = (6usize, 4usize, 6000u64);
    let pre = train(&mut r, n_pre, 30.0, steps);
    let post = train(&mut r, n_post, 30.0, steps);
    let (offsets, targets) = all_to_all_with_multapse(n_pre, n_post);
    for (split, delay) in [(DelaySplit::Axonal, 12u16), (DelaySplit::Dendritic, 12)] {
        let p = params(split);
        let csr = zero_weights(n_pre, n_post, &offsets, &targets, Delays::Uniform(delay));
        let w = run(csr.clone(), pre.clone(), post.clone(), p, steps);
        let reference = brute_force(&csr, &pre, &post, &p);
        for (s, (i, j)) in csr.pairs().enumerate() {
            let expect = reference[s];
            let got = f64::from(w[s]);
            assert!(
                (got - expect).abs() <= 1e-5 * expect.abs().max(p.a_plus),
                "{split:?} synapse {s} ({i}→{j}): {got} vs brute force {expect}"
            );
            assert!(expect.abs() > 1e-3, "the trains must produce changes");
        }
    }
}

#[test]
fn per_synapse_delays_sum_every_pair_at_each_synapses_own_delay() {
    let mut r = Stream::seed_from_u64(11);
    let (n_pre, n_post, steps) = (7usize, 5usize, 6000u64);
    let pre = train(&mut r, n_pre, 30.0, steps);
    let post = train(&mut r, n_post, 30.0, steps);
    let (offsets, targets) = all_to_all_with_multapse(n_pre, n_post);
    // Delays 1 … 40 steps, different on the two synapses of the multapse.
    let delays: Vec<u16> = (0..targets.len())
        .map(|s| 1 + (s * 17 % 40) as u16)
        .collect();
    assert_ne!(delays[2], delays[3], "the multapse 0 → 2 has two delays");
    for split in [DelaySplit::Axonal, DelaySplit::Dendritic] {
        let p = params(split);
        let csr = zero_weights(
            n_pre,
            n_post,
            &offsets,
            &targets,
            Delays::PerSynapse(delays.clone()),
        );
        let w = run(csr.clone(), pre.clone(), post.clone(), p, steps);
        let reference = brute_force(&csr, &pre, &post, &p);
        for (s, &expect) in reference.iter().enumerate() {
            let got = f64::from(w[s]);
            assert!(
                (got - expect).abs() <= 1e-5 * expect.abs().max(p.a_plus),
                "{split:?} synapse {s} (delay {}): {got} vs brute force {expect}",
                delays[s]
            );
            assert!(expect.abs() > 1e-3, "the trains must produce changes");
        }
        // The delays matter: the same trains with one delay for all give other weights.
        let uniform = zero_weights(n_pre, n_post, &offsets, &targets, Delays::Uniform(1));
        let w1 = run(uniform, pre.clone(), post.clone(), p, steps);
        let differ = w
            .iter()
            .zip(&w1)
            .filter(|(a, b)| (*a - *b).abs() > 1e-4)
            .count();
        assert!(
            differ > targets.len() / 2,
            "{split:?}: only {differ} weights differ"
        );
    }
    // Per-synapse delays that are all equal give the one-delay result.
    for split in [DelaySplit::Axonal, DelaySplit::Dendritic] {
        let p = params(split);
        let make = |d: Delays| zero_weights(n_pre, n_post, &offsets, &targets, d);
        let a = run(
            make(Delays::Uniform(9)),
            pre.clone(),
            post.clone(),
            p,
            steps,
        );
        let b = run(
            make(Delays::PerSynapse(vec![9; targets.len()])),
            pre.clone(),
            post.clone(),
            p,
            steps,
        );
        for (x, y) in a.iter().zip(&b) {
            assert!(
                (x - y).abs() <= 1e-6 * x.abs().max(1e-3),
                "{split:?}: {x} vs {y}"
            );
        }
    }
}

#[test]
fn multiplicative_rule_scales_by_the_distance_to_the_bound() {
    let mut p = params(DelaySplit::Axonal);
    p.dependence = WeightDependence::Multiplicative;
    (p.w_min, p.w_max) = (0.0, 1.0);
    let mut csr = one_to_one(2, 1);
    csr.weights_mut_with_rows().2.copy_from_slice(&[0.25, 0.75]);
    // synapse 0: pre then post (+3 ms at the synapse); synapse 1: post then pre (−4 ms)
    let pre = vec![(100, 0, 5e-5), (160, 1, 5e-5)];
    let post = vec![(131, 0, 5e-5), (121, 1, 5e-5)];
    let w = run(csr, pre, post, p, 400);
    let e0 = 0.25 + p.a_plus * (-0.003f64 / p.tau_plus).exp() * 0.75;
    let e1 = 0.75 - p.a_minus * (-0.004f64 / p.tau_minus).exp() * 0.75;
    assert!((f64::from(w[0]) - e0).abs() < 1e-7, "{} vs {e0}", w[0]);
    assert!((f64::from(w[1]) - e1).abs() < 1e-7, "{} vs {e1}", w[1]);
}

#[test]
fn hard_bounds_clip_repeated_potentiation_and_depression() {
    let mut p = params(DelaySplit::Axonal);
    (p.w_min, p.w_max, p.a_plus, p.a_minus) = (0.0, 0.05, 0.02, 0.02);
    // synapse 0: 20 pre→post pairs (+1 ms); synapse 1: 20 post→pre pairs.
    let (mut pre, mut post) = (Vec::new(), Vec::new());
    for m in 0..20u64 {
        let k = 100 + 1000 * m;
        pre.push((k, 0, 5e-5));
        post.push((k + 11, 0, 5e-5));
        post.push((k, 1, 5e-5));
        pre.push((k + 10, 1, 5e-5));
    }
    let mut csr = one_to_one(2, 1);
    csr.weights_mut_with_rows().2.copy_from_slice(&[0.01, 0.04]);
    let w = run(csr, pre, post, p, 21_000);
    assert_eq!(w, vec![0.05, 0.0]);
}

/// LIF targets driven by Poisson sources through plastic delta synapses: returns the weights
/// and the targets' spike count.
fn plastic_network(threads: usize) -> (Vec<f32>, usize) {
    let dt = 1e-3;
    let (n_src, n_tgt) = (2000usize, 4000usize);
    let seed = 11;
    let csr = Connect::new(Rule::FixedIndegree { k: 100 }, 0.05, 0.002)
        .build("in", n_src, n_tgt, false, dt, seed, Par::Seq)
        .unwrap();
    let proj = Projection {
        name: "in".into(),
        source: 0,
        target: 1,
        port: 1,
        receptor: Receptor::Direct,
        csr,
    };
    let d = SpikeDelivery::new("d", vec![proj], &[n_src, n_tgt], &[0, 2], dt).unwrap();
    let mut p = StdpParams::song2000(0.1);
    p.a_plus = 0.01;
    p.a_minus = 0.0105;
    let pd = PlasticDelivery::new("stdp", d, vec![(0, p)]).unwrap();
    let lif = LifPopulation::new("t", LifParams::default(), dt, &vec![0.8; n_tgt])
        .unwrap()
        .with_jump_port();
    let pops = vec![
        Population {
            name: "src".into(),
            neurons: Box::new(PoissonGenerator::new(
                "src",
                n_src,
                RateTable::constant(50.0),
                dt,
                seed,
            )),
        },
        Population {
            name: "t".into(),
            neurons: Box::new(lif),
        },
    ];
    let mut sim = Simulator::new(dt, pops, vec![Box::new(pd)], threads).unwrap();
    sim.set_min_parallel_work(0);
    let mut count = 0;
    for _ in 0..300 {
        sim.step().unwrap();
        count += sim.spikes()[1].len();
    }
    (weights_of(&sim), count)
}

#[test]
fn one_and_two_threads_learn_identical_weights() {
    let (w1, c1) = plastic_network(1);
    let (w2, c2) = plastic_network(2);
    assert!(c1 > 1000, "targets must spike ({c1})");
    assert!(w1.iter().any(|&w| w != 0.05), "weights must change");
    assert_eq!(c1, c2);
    assert!(w1.iter().zip(&w2).all(|(a, b)| a.to_bits() == b.to_bits()));
}

#[test]
fn bad_parameters_are_rejected() {
    let d = delivery(zero_weights(
        2,
        2,
        &[0, 1, 2],
        &[0, 1],
        Delays::PerSynapse(vec![1, 2]),
    ));
    let mut p = params(DelaySplit::Axonal);
    p.tau_plus = 0.0;
    let e = PlasticDelivery::new("s", d.clone(), vec![(0, p)])
        .unwrap_err()
        .to_string();
    assert!(e.contains("tau_plus"), "{e}");
    let e = PlasticDelivery::new("s", d, vec![(3, params(DelaySplit::Axonal))])
        .unwrap_err()
        .to_string();
    assert!(e.contains("projection"), "{e}");
}

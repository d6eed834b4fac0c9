//! Connection rules: structure, options, weights/delays, determinism across thread counts,
//! memory per synapse.

use simcore::connectivity::{Connect, Csr, Delays, Dist, Rule, Value, Weights};
use simcore::par::Threads;

const DT: f64 = 1e-4;

fn build(c: &Connect, n_pre: usize, n_post: usize, same: bool, threads: usize) -> Csr {
    let t = Threads::new(threads).unwrap();
    c.build("p", n_pre, n_post, same, DT, 42, t.par()).unwrap()
}

fn rows_sorted(c: &Csr) -> bool {
    (0..c.n_pre()).all(|i| c.row(i).targets.windows(2).all(|w| w[0] <= w[1]))
}

fn out_degrees(c: &Csr) -> Vec<usize> {
    c.offsets().windows(2).map(|w| w[1] - w[0]).collect()
}

fn has_autapse(c: &Csr) -> bool {
    c.pairs().any(|(i, j)| i == j)
}

fn has_multapse(c: &Csr) -> bool {
    (0..c.n_pre()).any(|i| c.row(i).targets.windows(2).any(|w| w[0] == w[1]))
}

#[test]
fn all_to_all_and_one_to_one() {
    let mut c = Connect::new(Rule::AllToAll, 1.0, 1e-3);
    let a = build(&c, 7, 9, false, 1);
    assert_eq!(a.len(), 63);
    assert!(out_degrees(&a).iter().all(|&d| d == 9));
    c.allow_autapses = false;
    let b = build(&c, 9, 9, true, 1);
    assert_eq!(b.len(), 72);
    assert!(!has_autapse(&b));
    let o = build(&Connect::new(Rule::OneToOne, 1.0, 1e-3), 5, 5, true, 1);
    assert_eq!(
        o.pairs().collect::<Vec<_>>(),
        (0..5).map(|i| (i, i)).collect::<Vec<_>>()
    );
    let err = Connect::new(Rule::OneToOne, 1.0, 1e-3)
        .build("oo", 5, 6, false, DT, 1, Threads::new(1).unwrap().par())
        .unwrap_err()
        .to_string();
    assert!(err.contains("`oo`") && err.contains("equal sizes"), "{err}");
}

#[test]
fn pairwise_bernoulli_count_is_binomial() {
    let (n, p) = (2000usize, 0.02);
    let mut c = Connect::new(Rule::PairwiseBernoulli { p }, 1.0, 1e-4);
    c.allow_autapses = false;
    let a = build(&c, n, n, true, 1);
    let pairs = (n * (n - 1)) as f64;
    let (mean, sd) = (pairs * p, (pairs * p * (1.0 - p)).sqrt());
    assert!(
        ((a.len() as f64) - mean).abs() < 5.0 * sd,
        "{} vs {mean}",
        a.len()
    );
    assert!(!has_autapse(&a) && !has_multapse(&a) && rows_sorted(&a));
    // Every target is hit about equally (no bias towards low indices from the skipping).
    let k = a.in_degrees();
    let half: u32 = k[..n / 2].iter().sum();
    assert!(((half as f64) - mean / 2.0).abs() < 5.0 * sd, "{half}");
    assert_eq!(
        build(
            &Connect::new(Rule::PairwiseBernoulli { p: 1.0 }, 1.0, 1e-4),
            3,
            4,
            false,
            1
        )
        .len(),
        12
    );
    assert!(
        build(
            &Connect::new(Rule::PairwiseBernoulli { p: 0.0 }, 1.0, 1e-4),
            3,
            4,
            false,
            1
        )
        .is_empty()
    );
    let e = Connect::new(Rule::PairwiseBernoulli { p: 1.5 }, 1.0, 1e-4)
        .build("b", 3, 3, false, DT, 1, Threads::new(1).unwrap().par())
        .unwrap_err()
        .to_string();
    assert!(e.contains("`p`"), "{e}");
}

#[test]
fn fixed_indegree_exact_with_and_without_multapses() {
    for multapses in [true, false] {
        let mut c = Connect::new(Rule::FixedIndegree { k: 50 }, 1.0, 1e-3);
        c.allow_multapses = multapses;
        c.allow_autapses = false;
        let a = build(&c, 300, 300, true, 1);
        assert!(a.in_degrees().iter().all(|&k| k == 50));
        assert!(!has_autapse(&a) && rows_sorted(&a));
        if !multapses {
            assert!(!has_multapse(&a));
        }
    }
    // Sources uniform: out-degrees average K·N_post/N_pre with binomial spread.
    let a = build(
        &Connect::new(Rule::FixedIndegree { k: 100 }, 1.0, 1e-3),
        1000,
        3000,
        false,
        1,
    );
    let d = out_degrees(&a);
    let mean = d.iter().sum::<usize>() as f64 / 1000.0;
    assert!((mean - 300.0).abs() < 1e-9);
    let var = d.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / 1000.0;
    assert!((var / 300.0 - 1.0).abs() < 0.25, "variance {var}");
    // K above the sources without multapses is an error naming the key.
    let mut c = Connect::new(Rule::FixedIndegree { k: 10 }, 1.0, 1e-3);
    c.allow_multapses = false;
    let e = c
        .build("q", 5, 5, false, DT, 1, Threads::new(1).unwrap().par())
        .unwrap_err()
        .to_string();
    assert!(e.contains("`q`") && e.contains("`k`"), "{e}");
}

#[test]
fn fixed_outdegree_and_total_number() {
    let mut c = Connect::new(Rule::FixedOutdegree { k: 20 }, 1.0, 1e-3);
    c.allow_multapses = false;
    c.allow_autapses = false;
    let a = build(&c, 2500, 2500, true, 1);
    assert!(out_degrees(&a).iter().all(|&d| d == 20));
    assert!(!has_autapse(&a) && !has_multapse(&a) && rows_sorted(&a));
    for multapses in [true, false] {
        let mut c = Connect::new(Rule::FixedTotalNumber { m: 12_345 }, 1.0, 1e-3);
        c.allow_multapses = multapses;
        c.allow_autapses = false;
        let t = build(&c, 3000, 3000, true, 1);
        assert_eq!(t.len(), 12_345);
        assert!(!has_autapse(&t) && rows_sorted(&t));
        if !multapses {
            assert!(!has_multapse(&t));
        }
        // Spread over all blocks of sources.
        let d = out_degrees(&t);
        assert!(d[..1024].iter().sum::<usize>() > 3000 && d[2048..].iter().sum::<usize>() > 3000);
    }
}

#[test]
fn explicit_synapses_keep_their_values_and_reject_bad_indices() {
    let rule = Rule::Explicit {
        pre: vec![2, 0, 2, 1],
        post: vec![1, 3, 0, 1],
        weight: Some(vec![0.5, -1.0, 2.0, 3.0]),
        delay: Some(vec![1e-4, 2e-3, 3e-4, 1e-4]),
    };
    let a = build(&Connect::new(rule, 0.0, 1e-3), 3, 4, false, 1);
    let got: Vec<(u32, u32, f32, u16)> = a
        .pairs()
        .enumerate()
        .map(|(s, (i, j))| (i, j, a.weight(s), a.delay(s)))
        .collect();
    assert_eq!(
        got,
        vec![
            (0, 3, -1.0, 20),
            (1, 1, 3.0, 1),
            (2, 0, 2.0, 3),
            (2, 1, 0.5, 1)
        ]
    );
    let bad = Rule::Explicit {
        pre: vec![0, 3],
        post: vec![0, 0],
        weight: None,
        delay: None,
    };
    let e = Connect::new(bad, 1.0, 1e-3)
        .build("x", 3, 3, false, DT, 1, Threads::new(1).unwrap().par())
        .unwrap_err()
        .to_string();
    assert!(e.contains("`x`") && e.contains("synapse 1"), "{e}");
}

#[test]
fn distributed_weights_keep_sign_and_delays_round_to_steps() {
    let mut c = Connect::new(
        Rule::FixedIndegree { k: 100 },
        Dist::Normal {
            mean: -1.0,
            std: 2.0,
        },
        Value::new(Dist::Uniform {
            low: 0.0,
            high: 2e-3,
        }),
    );
    c.delay.keep_sign = false;
    let a = build(&c, 500, 500, false, 1);
    let Weights::PerSynapse(w) = a.weights() else {
        panic!("per-synapse weights expected")
    };
    assert!(w.iter().all(|&x| x <= 0.0));
    let zeros = w.iter().filter(|&&x| x == 0.0).count() as f64 / w.len() as f64;
    // P(N(−1, 2) > 0) = 0.3085.
    assert!((zeros - 0.3085).abs() < 0.01, "{zeros}");
    let Delays::PerSynapse(d) = a.delays() else {
        panic!("per-synapse delays expected")
    };
    assert!(d.iter().all(|&x| (1..=20).contains(&x)));
    assert_eq!(*d.iter().max().unwrap(), 20);
    // Mean delay of U(0, 2 ms) in steps: 10 (the 1-step floor adds ~0.0125).
    let mean = d.iter().map(|&x| f64::from(x)).sum::<f64>() / d.len() as f64;
    assert!((mean - 10.0).abs() < 0.1, "{mean}");
    // The structure does not depend on the weight distribution.
    let c2 = Connect::new(Rule::FixedIndegree { k: 100 }, 1.0, 1e-3);
    assert_eq!(build(&c2, 500, 500, false, 1).targets(), a.targets());
}

#[test]
fn same_seed_same_synapses_whatever_the_thread_count() {
    let rules = [
        Rule::PairwiseBernoulli { p: 0.05 },
        Rule::FixedIndegree { k: 40 },
        Rule::FixedOutdegree { k: 40 },
        Rule::FixedTotalNumber { m: 50_000 },
    ];
    for rule in rules {
        let c = Connect::new(
            rule.clone(),
            Dist::Uniform {
                low: 0.5,
                high: 1.5,
            },
            Dist::Normal {
                mean: 2e-3,
                std: 1e-3,
            },
        );
        let a = build(&c, 3001, 2999, false, 1);
        let b = build(&c, 3001, 2999, false, 2);
        assert_eq!(a, b, "{rule:?}");
        let other = c
            .build(
                "p",
                3001,
                2999,
                false,
                DT,
                43,
                Threads::new(1).unwrap().par(),
            )
            .unwrap();
        assert_ne!(a.targets(), other.targets(), "{rule:?}: seed has no effect");
    }
}

#[test]
fn memory_per_synapse_is_within_budget() {
    // Uniform weight and delay: 4 B (targets only).
    let a = build(
        &Connect::new(Rule::FixedIndegree { k: 100 }, 1.0, 1e-3),
        1000,
        1000,
        false,
        1,
    );
    assert_eq!(a.bytes_per_synapse(), 4.0);
    // Per-synapse weights, uniform delay: 8 B.
    let b = build(
        &Connect::new(
            Rule::FixedIndegree { k: 100 },
            Dist::Normal {
                mean: 1.0,
                std: 0.1,
            },
            1e-3,
        ),
        1000,
        1000,
        false,
        1,
    );
    assert_eq!(b.bytes_per_synapse(), 8.0);
    // Per-synapse weights and delays: 10 B; the row offsets add 8 B per source (0.08 B here).
    let c = build(
        &Connect::new(
            Rule::FixedIndegree { k: 100 },
            Dist::Normal {
                mean: 1.0,
                std: 0.1,
            },
            Dist::Uniform {
                low: 1e-3,
                high: 2e-3,
            },
        ),
        1000,
        1000,
        false,
        1,
    );
    assert_eq!(c.bytes_per_synapse(), 10.0);
    assert!((c.bytes() as f64 / c.len() as f64) < 10.1);
}

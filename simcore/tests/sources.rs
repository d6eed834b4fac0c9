//! Spike sources: Poisson input counts (mean, variance, distribution), time-varying rates,
//! determinism across threads, Poisson generator rate, spike generator timing.

use simcore::lanes::Padded;
use simcore::neurons::Neurons;
use simcore::par::Threads;
use simcore::sources::{PoissonGenerator, PoissonInput, RateTable, SpikeGenerator};
use simcore::{Component, Spikes};

const DT: f64 = 1e-4;

/// Per-step counts of `n` neurons over `steps` steps of a PoissonInput of `rate`.
fn counts(n: usize, steps: u64, rate: RateTable, threads: usize) -> Vec<Vec<f32>> {
    let mut p = PoissonInput::new("in", 0, 0, n, 1.0, rate, 11).unwrap();
    let t = Threads::new(threads).unwrap();
    (0..steps)
        .map(|k| {
            let mut inputs = vec![vec![Padded::filled(n, 0.0)]];
            p.drive_par(k, DT, &mut inputs, t.par());
            inputs[0][0].as_slice().to_vec()
        })
        .collect()
}

#[test]
fn poisson_counts_have_the_poisson_law() {
    // 20 kHz per neuron at Δt 0.1 ms: λ = 2 (Brunel's external drive).
    let c = counts(5000, 40, RateTable::constant(20_000.0), 1);
    let all: Vec<f64> = c.iter().flatten().map(|&x| f64::from(x)).collect();
    let n = all.len() as f64;
    let mean = all.iter().sum::<f64>() / n;
    let var = all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let se = (2.0 / n).sqrt();
    assert!((mean - 2.0).abs() < 5.0 * se, "mean {mean}");
    assert!((var - 2.0).abs() < 0.05, "variance {var}");
    // Frequencies of 0..=6 against e^{-λ} λ^k / k!.
    let mut pk = (-2.0f64).exp();
    for k in 0..=6 {
        let f = all.iter().filter(|&&x| x == k as f64).count() as f64 / n;
        assert!(
            (f - pk).abs() < 5.0 * (pk * (1.0 - pk) / n).sqrt() + 1e-4,
            "P({k}) = {f} vs {pk}"
        );
        pk *= 2.0 / f64::from(k + 1);
    }
    // Large λ takes the other sampler: λ = 30.
    let c = counts(2000, 10, RateTable::constant(300_000.0), 1);
    let m = c.iter().flatten().map(|&x| f64::from(x)).sum::<f64>() / 20_000.0;
    assert!((m - 30.0).abs() < 0.2, "{m}");
}

#[test]
fn poisson_input_is_thread_count_independent_and_rates_can_step() {
    let rate =
        RateTable::piecewise("in", vec![(0.0, 0.0), (2e-3, 50_000.0), (4e-3, 10_000.0)]).unwrap();
    let a = counts(10_000, 60, rate.clone(), 1);
    assert_eq!(a, counts(10_000, 60, rate, 2));
    let mean = |r: std::ops::Range<usize>| {
        a[r.clone()]
            .iter()
            .flatten()
            .map(|&x| f64::from(x))
            .sum::<f64>()
            / (r.len() * 10_000) as f64
    };
    assert_eq!(mean(0..20), 0.0);
    assert!((mean(20..40) - 5.0).abs() < 0.05);
    assert!((mean(40..60) - 1.0).abs() < 0.02);
    assert!(RateTable::piecewise("x", vec![(1.0, 1.0), (0.5, 1.0)]).is_err());
    assert!(RateTable::piecewise("x", vec![(0.0, -1.0)]).is_err());
}

#[test]
fn poisson_generator_fires_at_its_rate() {
    let mut g = PoissonGenerator::new("g", 1000, RateTable::constant(100.0), DT, 3);
    let mut s = Spikes::default();
    let mut total = 0;
    for _ in 0..10_000 {
        g.step(&[], Threads::new(1).unwrap().par(), &mut s);
        assert!(s.ids.windows(2).all(|w| w[0] < w[1]));
        total += s.len();
    }
    // 1 s × 1000 trains × (1 − e^{−0.01})/Δt ≈ 99.5 Hz.
    let want = 1000.0 * 10_000.0 * (1.0 - (-0.01f64).exp());
    assert!(
        (total as f64 - want).abs() < 5.0 * want.sqrt(),
        "{total} vs {want}"
    );
}

#[test]
fn spike_generator_emits_in_the_step_containing_each_time() {
    let times = [(0.0, 1), (1e-4, 0), (1.5e-4, 2), (3e-4, 0), (3e-4, 0)];
    let mut g = SpikeGenerator::new("s", 3, &times, DT).unwrap();
    let mut s = Spikes::default();
    let mut got = Vec::new();
    for k in 0..5 {
        g.step(&[], Threads::new(1).unwrap().par(), &mut s);
        got.extend(s.ids.iter().map(|&i| (k, i)));
    }
    assert_eq!(got, vec![(0, 0), (0, 1), (1, 2), (2, 0)]);
    let e = SpikeGenerator::new("s", 3, &[(0.1, 3)], DT)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`s`") && e.contains("spike_times"), "{e}");
}

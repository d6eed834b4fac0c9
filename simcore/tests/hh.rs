//! Hodgkin–Huxley kernels against the f64 small-step reference; scalar vs SIMD and 1 vs 2
//! threads bit for bit; the two unit systems agree.

use simcore::kernels::hh::HhMethod;
use simcore::lanes::Padded;
use simcore::neuron::hh::{HhParams, hh_reference};
use simcore::par::Threads;
use simcore::population::Kernel;
use simcore::{HhPopulation, Neurons, Par, Spikes};

/// Spike times (s) per neuron over `steps`.
fn spike_times(
    pop: &mut HhPopulation,
    steps: usize,
    kernel: Kernel,
    par: Par<'_>,
) -> Vec<Vec<f64>> {
    let dt = 1e-5;
    let mut out = Spikes::default();
    let mut t = vec![vec![]; pop.len()];
    for k in 0..steps {
        pop.step(None, kernel, par, &mut out);
        for (&i, &o) in out.ids.iter().zip(&out.offsets) {
            t[i as usize].push(k as f64 * dt + f64::from(o));
        }
    }
    t
}

#[test]
fn spike_times_match_reference_within_0_05_ms() {
    let p = HhParams::squid();
    let currents = [3.0f32, 6.5, 10.0, 20.0, 45.0];
    for (method, tol) in [(HhMethod::Staggered, 2e-5), (HhMethod::Rk4, 2e-5)] {
        let mut pop = HhPopulation::new("hh", p, method, 1e-5, &currents).unwrap();
        let ours = spike_times(&mut pop, 10_000, Kernel::Simd, Par::Seq);
        for (j, &i) in currents.iter().enumerate() {
            let r = hh_reference(&p, f64::from(i), 0.1, 1e-6, 0).spikes;
            assert!(!r.is_empty());
            assert_eq!(
                ours[j].len(),
                r.len(),
                "{method:?} I={i}: {:?} vs {r:?}",
                ours[j]
            );
            let err = ours[j]
                .iter()
                .zip(&r)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(err < tol, "{method:?} I={i}: max spike time error {err}");
        }
    }
}

/// Largest spike-time error (s) over 50 ms at 10 µA/cm² with time step `dt`.
fn max_error(method: HhMethod, dt: f64, reference: &[f64]) -> f64 {
    let p = HhParams::squid();
    let mut pop = HhPopulation::new("hh", p, method, dt, &[10.0]).unwrap();
    let mut out = Spikes::default();
    let mut t = vec![];
    for k in 0..(0.05 / dt).round() as usize {
        pop.step(None, Kernel::Simd, Par::Seq, &mut out);
        t.extend(out.offsets.iter().map(|&o| k as f64 * dt + f64::from(o)));
    }
    assert_eq!(t.len(), reference.len());
    t.iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
}

#[test]
fn staggered_is_second_order_and_exponential_euler_first_order() {
    let r = hh_reference(&HhParams::squid(), 10.0, 0.05, 1e-6, 0).spikes;
    let s = max_error(HhMethod::Staggered, 4e-5, &r) / max_error(HhMethod::Staggered, 2e-5, &r);
    let e = max_error(HhMethod::ExponentialEuler, 4e-5, &r)
        / max_error(HhMethod::ExponentialEuler, 2e-5, &r);
    assert!((3.0..5.0).contains(&s), "staggered error ratio {s}");
    assert!((1.6..2.4).contains(&e), "exponential Euler error ratio {e}");
}

#[test]
fn simd_matches_scalar_and_threads_are_bit_identical() {
    let pool = Threads::new(2).unwrap();
    for method in [
        HhMethod::Staggered,
        HhMethod::ExponentialEuler,
        HhMethod::Rk4,
    ] {
        for (n, steps) in [
            (0usize, 10),
            (1, 1500),
            (7, 1500),
            (8, 1500),
            (9, 1500),
            (1023, 600),
            (5000, 150),
        ] {
            let bias: Vec<f32> = (0..n).map(|i| (i % 23) as f32 * 2.0).collect();
            let mut p = HhParams::squid();
            p.t_lock = 0.002;
            let mk = || HhPopulation::new("hh", p, method, 1e-5, &bias).unwrap();
            let (mut a, mut b, mut c) = (mk(), mk(), mk());
            let ta = spike_times(&mut a, steps, Kernel::Simd, Par::Seq);
            let tb = spike_times(&mut b, steps, Kernel::Scalar, Par::Seq);
            let tc = spike_times(&mut c, steps, Kernel::Simd, pool.par());
            assert_eq!(ta, tb, "{method:?} scalar n={n}");
            assert_eq!(ta, tc, "{method:?} threads n={n}");
            let bits =
                |p: &HhPopulation| p.voltage().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b));
            assert_eq!(bits(&a), bits(&c));
            assert_eq!(
                a.gates().2.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                b.gates().2.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            if n >= 7 && steps >= 1500 {
                assert!(
                    ta.iter().filter(|t| !t.is_empty()).count() >= n / 2,
                    "{method:?} n={n}: too few spiking"
                );
            }
        }
    }
}

#[test]
fn whole_cell_units_reproduce_density_units() {
    // NEST's 100 pF cell with the classic E_L and no lock-out is the squid model scaled by the
    // area: 1000 pA ≡ 10 µA/cm².
    let mut nest = HhParams::nest();
    nest.e_l = -54.387;
    nest.t_lock = 0.0;
    let mut a =
        HhPopulation::new("a", HhParams::squid(), HhMethod::Staggered, 1e-5, &[10.0]).unwrap();
    let mut b = HhPopulation::new("b", nest, HhMethod::Staggered, 1e-5, &[1000.0]).unwrap();
    let ta = spike_times(&mut a, 5000, Kernel::Simd, Par::Seq);
    let tb = spike_times(&mut b, 5000, Kernel::Simd, Par::Seq);
    assert!(ta[0].len() >= 3);
    for (x, y) in ta[0].iter().zip(&tb[0]) {
        assert!((x - y).abs() < 1e-7, "{x} vs {y}");
    }
    assert_eq!(b.ports()[0].1, "pA");
}

#[test]
fn input_port_adds_to_bias_and_errors_name_the_population() {
    let mut a = HhPopulation::new(
        "a",
        HhParams::squid(),
        HhMethod::Staggered,
        1e-5,
        &[4.0, 10.0],
    )
    .unwrap();
    let mut b = HhPopulation::new(
        "b",
        HhParams::squid(),
        HhMethod::Staggered,
        1e-5,
        &[0.0, 0.0],
    )
    .unwrap();
    let input = Padded::from_slice(&[4.0, 10.0], 0.0);
    let mut oa = Spikes::default();
    let mut ob = Spikes::default();
    let mut na = 0;
    for _ in 0..3000 {
        a.step(None, Kernel::Simd, Par::Seq, &mut oa);
        Neurons::step(&mut b, std::slice::from_ref(&input), Par::Seq, &mut ob);
        assert_eq!(oa, ob);
        na += oa.len();
    }
    assert!(na >= 2);
    let mut bad = HhParams::squid();
    bad.c_m = 0.0;
    let e = HhPopulation::new("axon", bad, HhMethod::Rk4, 1e-5, &[0.0]).unwrap_err();
    assert!(e.to_string().contains("axon") && e.to_string().contains("c_m"));
}

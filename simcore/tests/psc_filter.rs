//! PSC filters against closed forms and an independent ODE integration; scalar vs SIMD and
//! 1 vs 2 threads bit for bit.

use simcore::Par;
use simcore::lanes::Padded;
use simcore::par::Threads;
use simcore::population::Kernel;
use simcore::synapse::{Discretisation, PscFilter, PscShape};

/// Runs a one-target filter over `inputs`, returning the per-step outputs (f64).
fn run1(shape: PscShape, disc: Discretisation, dt: f64, inputs: &[f32]) -> Vec<f64> {
    let mut f = PscFilter::new("f", shape, disc, dt, 1).unwrap();
    let mut out = Padded::filled(1, 0.0);
    let mut u = Padded::filled(1, 0.0);
    inputs
        .iter()
        .map(|&x| {
            u.as_mut_slice()[0] = x;
            out.as_mut_slice()[0] = 0.0;
            f.step(&u, &mut out, Par::Seq);
            f64::from(out.as_slice()[0])
        })
        .collect()
}

#[test]
fn impulse_response_step_averages_match_closed_form_and_conserve_charge() {
    for n in [0u32, 1, 2, 5] {
        for tau in [0.002, 0.005, 0.02] {
            for dt in [1e-3, 1e-4] {
                let shape = PscShape::Gamma { order: n, tau };
                let steps = ((20.0 * tau + 2.0 * f64::from(n) * tau) / dt) as usize;
                let mut input = vec![0.0f32; steps];
                input[0] = 1.0;
                let y = run1(shape, Discretisation::Impulse, dt, &input);
                let peak = shape.peak().unwrap();
                let mut area = 0.0;
                for (k, yk) in y.iter().enumerate() {
                    let t0 = k as f64 * dt;
                    let exact =
                        (shape.integral(t0 + dt).unwrap() - shape.integral(t0).unwrap()) / dt;
                    assert!(
                        (yk - exact).abs() <= 1e-4 * peak,
                        "n={n} tau={tau} dt={dt} step {k}: {yk} vs {exact}"
                    );
                    area += yk * dt;
                }
                let tail = 1.0 - shape.integral(steps as f64 * dt).unwrap();
                assert!(
                    (area + tail - 1.0).abs() < 1e-4,
                    "n={n} tau={tau} dt={dt}: area {area}"
                );
            }
        }
    }
}

#[test]
fn sampling_the_kernel_would_not_conserve_charge_but_averages_do() {
    // The example: τ = 5 ms, Δt = 1 ms, samples of the exponential sum to 1.10.
    let (tau, dt) = (0.005, 0.001);
    let shape = PscShape::exponential(tau);
    let sampled: f64 = (0..200)
        .map(|k| shape.kernel(k as f64 * dt).unwrap() * dt)
        .sum();
    assert!((sampled - 1.10).abs() < 0.01);
    let mut input = vec![0.0f32; 200];
    input[0] = 1.0;
    let area: f64 = run1(shape, Discretisation::Impulse, dt, &input)
        .iter()
        .sum::<f64>()
        * dt;
    assert!((area - 1.0).abs() < 1e-5, "{area}");
}

/// Independent reference: RK4 integration of the cascade ODE with piecewise-constant input
/// (`sub` substeps per step); returns (end-of-step samples, step averages by Simpson).
fn cascade_rk4(n: usize, tau: f64, dt: f64, held: &[f64], sub: usize) -> (Vec<f64>, Vec<f64>) {
    let s = n + 1;
    let mut x = vec![0.0; s];
    let h = dt / sub as f64;
    let deriv = |x: &[f64], u: f64| -> Vec<f64> {
        (0..s)
            .map(|j| (if j == 0 { u } else { x[j - 1] } - x[j]) / tau)
            .collect()
    };
    let (mut ends, mut avgs) = (vec![], vec![]);
    for &u in held {
        let mut acc = x[n];
        for m in 0..sub {
            let k1 = deriv(&x, u);
            let x2: Vec<f64> = (0..s).map(|j| x[j] + 0.5 * h * k1[j]).collect();
            let k2 = deriv(&x2, u);
            let x3: Vec<f64> = (0..s).map(|j| x[j] + 0.5 * h * k2[j]).collect();
            let k3 = deriv(&x3, u);
            let x4: Vec<f64> = (0..s).map(|j| x[j] + h * k3[j]).collect();
            let k4 = deriv(&x4, u);
            for j in 0..s {
                x[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j]);
            }
            acc += x[n]
                * if m + 1 == sub {
                    1.0
                } else if m % 2 == 0 {
                    4.0
                } else {
                    2.0
                };
        }
        ends.push(x[n]);
        avgs.push(acc * h / 3.0 / dt);
    }
    (ends, avgs)
}

#[test]
fn held_and_nengo_discretisations_match_ode_integration() {
    let dt = 1e-3;
    let held: Vec<f32> = (0..60)
        .map(|k| ((k * 7919) % 13) as f32 / 6.0 - 1.0)
        .collect();
    let held64: Vec<f64> = held.iter().map(|&v| f64::from(v)).collect();
    for n in [0usize, 1, 3] {
        let tau = 0.004;
        let shape = PscShape::Gamma {
            order: n as u32,
            tau,
        };
        let (ends, avgs) = cascade_rk4(n, tau, dt, &held64, 64);
        let yh = run1(shape, Discretisation::Held, dt, &held);
        let yn = run1(shape, Discretisation::Nengo, dt, &held);
        for k in 0..held.len() {
            assert!(
                (yh[k] - avgs[k]).abs() < 2e-6,
                "held n={n} step {k}: {} vs {}",
                yh[k],
                avgs[k]
            );
            assert!(
                (yn[k] - ends[k]).abs() < 2e-6,
                "nengo n={n} step {k}: {} vs {}",
                yn[k],
                ends[k]
            );
        }
    }
}

#[test]
fn nengo_lowpass_is_the_zoh_recursion() {
    let (dt, tau) = (1e-3_f64, 0.01);
    let a = (-dt / tau).exp();
    let input: Vec<f32> = (0..500)
        .map(|k| if k % 17 == 0 { 1000.0 } else { 0.0 })
        .collect();
    let y = run1(
        PscShape::exponential(tau),
        Discretisation::Nengo,
        dt,
        &input,
    );
    let mut r = 0.0;
    for (k, &u) in input.iter().enumerate() {
        r = a * r + (1.0 - a) * f64::from(u);
        assert!(
            (y[k] - r).abs() < 1e-6 * 1000.0 * (1.0 - a) / (1.0 - a.powi(17)),
            "step {k}"
        );
    }
}

#[test]
fn delta_passes_impulses_as_step_averages() {
    let y = run1(
        PscShape::Delta,
        Discretisation::Impulse,
        1e-3,
        &[2.0, 0.0, -1.0],
    );
    assert_eq!(y, vec![2000.0, 0.0, -1000.0]);
    let y = run1(
        PscShape::Delta,
        Discretisation::Nengo,
        1e-3,
        &[2.0, 0.0, -1.0],
    );
    assert_eq!(y, vec![2.0, 0.0, -1.0]);
}

fn bits(x: &Padded) -> Vec<u32> {
    x.as_slice().iter().map(|v| v.to_bits()).collect()
}

#[test]
fn simd_scalar_threads_and_slices_agree_bit_for_bit() {
    let pool = Threads::new(2).unwrap();
    for n in [0usize, 1, 7, 8, 9, 1023, 5000] {
        for shape in [
            PscShape::Delta,
            PscShape::exponential(0.005),
            PscShape::Gamma {
                order: 3,
                tau: 0.002,
            },
        ] {
            for disc in [
                Discretisation::Impulse,
                Discretisation::Held,
                Discretisation::Nengo,
            ] {
                let mk = || PscFilter::new("f", shape, disc, 1e-4, n).unwrap();
                let (mut a, mut b, mut c, mut d) = (mk(), mk(), mk(), mk());
                let mut oa = Padded::filled(n, 0.5);
                let (mut ob, mut oc) = (oa.clone(), oa.clone());
                let mut od = oa.as_slice().to_vec();
                for k in 0..40u32 {
                    let vals: Vec<f32> = (0..n as u32)
                        .map(|i| {
                            if (i * 31 + k * 7) % 11 == 0 {
                                (i % 5) as f32 + 0.25
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    let u = Padded::from_slice(&vals, 0.0);
                    a.step_with(&u, &mut oa, Kernel::Simd, Par::Seq);
                    b.step_with(&u, &mut ob, Kernel::Scalar, Par::Seq);
                    c.step_with(&u, &mut oc, Kernel::Simd, pool.par());
                    d.step_values(&vals, &mut od);
                }
                assert_eq!(bits(&oa), bits(&ob), "scalar n={n} {shape:?} {disc:?}");
                assert_eq!(bits(&oa), bits(&oc), "threads n={n} {shape:?} {disc:?}");
                assert_eq!(
                    bits(&oa),
                    od.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                );
                if n > 0 && shape != PscShape::Delta {
                    assert!(
                        oa.as_slice().iter().any(|&v| v != 0.5),
                        "filter did nothing"
                    );
                    assert!(
                        oa.padded()[n..].iter().all(|&v| v == 0.5),
                        "padding touched"
                    );
                }
            }
        }
    }
}

#[test]
fn bad_parameters_are_errors_naming_the_filter() {
    let e = PscFilter::new(
        "exc",
        PscShape::exponential(-1.0),
        Discretisation::Impulse,
        1e-3,
        4,
    )
    .unwrap_err();
    assert!(e.to_string().contains("exc") && e.to_string().contains("tau"));
    assert!(PscFilter::new("x", PscShape::Delta, Discretisation::Impulse, 0.0, 4).is_err());
}

#[test]
fn a_non_finite_state_is_reported_at_its_target_and_stage() {
    // One- and three-stage filters of awkward lengths: a NaN input at target `bad` reaches
    // stage 0 in the first step; the first stages after it stay finite until later steps.
    for shape in [
        PscShape::exponential(0.005),
        PscShape::Gamma {
            order: 3,
            tau: 0.002,
        },
    ] {
        for (n, bad) in [(1, 0), (13, 10), (70, 64), (70, 69)] {
            let mut f = PscFilter::new("f", shape, Discretisation::Held, 1e-4, n).unwrap();
            let mut out = Padded::filled(n, 0.0);
            let mut u = Padded::filled(n, 1.0);
            f.step(&u, &mut out, Par::Seq);
            assert_eq!(f.find_non_finite(), None);
            u.as_mut_slice()[bad] = f32::INFINITY;
            f.step(&u, &mut out, Par::Seq);
            let msg = f.find_non_finite().expect("the state holds an infinity");
            assert_eq!(msg, format!("filter `f` target {bad} stage 0"), "n {n}");
        }
    }
}

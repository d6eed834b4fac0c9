//! Property tests of the LIF kernels: scalar reference vs SIMD on random parameters and awkward
//! sizes, 1 vs 2 threads bit-identical, and multi-step runs (`run_steps`) bit-identical to
//! stepping one step at a time.
//!
//! Scalar vs SIMD run free for the whole property and must agree bit for bit: both kernels
//! perform the same operations lane by lane (`mathf`'s `expm1` and `ln` included), so any
//! difference is a kernel bug, not rounding.

use proptest::prelude::*;
use rand::Rng;
use simcore::kernels::lif::{LifConsts, lif_step_scalar, lif_step_x8};
use simcore::lanes::Padded;
use simcore::neuron::lif::LifParams;
use simcore::par::{CHUNK, Threads};
use simcore::population::Kernel;
use simcore::{LifPopulation, Population, Simulator, SpikeWindow, Spikes};
use wide::f32x8;

#[derive(Clone, Debug)]
struct Setup {
    params: LifParams,
    dt: f64,
    bias: Vec<f32>,
    v0: Vec<f32>,
    /// Per-step input currents (empty: no input).
    inputs: Vec<Vec<f32>>,
}

fn sizes() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(0usize),
        Just(1),
        Just(7),
        Just(8),
        Just(9),
        Just(63),
        Just(65),
        Just(1023),
        Just(CHUNK + 9),
        1usize..300,
    ]
}

fn setup(steps: usize) -> impl Strategy<Value = Setup> {
    (
        0.002f64..0.1,
        prop_oneof![Just(0.0), 0.0f64..0.01],
        prop_oneof![Just(1e-3), Just(1e-4), 1e-5f64..2e-3],
        prop_oneof![Just(0.0), Just(f64::NEG_INFINITY), -2.0f64..0.0],
        sizes(),
        -2.0f32..2.0,
        0.0f32..30.0,
        prop_oneof![Just(0.0f32), 0.0f32..3.0],
        any::<u64>(),
    )
        .prop_map(
            move |(tau_rc, tau_ref, dt, min_voltage, n, lo, span, noise, seed)| {
                let mut rng = simcore::rng::stream(seed, "lif_props");
                let bias = (0..n).map(|_| lo + span * rng.random::<f32>()).collect();
                let v0 = (0..n).map(|_| rng.random::<f32>() * 1.2 - 0.2).collect();
                let inputs = if noise > 0.0 {
                    (0..steps)
                        .map(|_| {
                            (0..n)
                                .map(|_| noise * (rng.random::<f32>() - 0.5))
                                .collect()
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                Setup {
                    params: LifParams {
                        tau_rc,
                        tau_ref,
                        min_voltage,
                    },
                    dt,
                    bias,
                    v0,
                    inputs,
                }
            },
        )
}

fn population(s: &Setup) -> LifPopulation {
    let mut p = LifPopulation::new("p", s.params, s.dt, &s.bias).unwrap();
    let floor = s.params.min_voltage as f32;
    for (v, &v0) in p.voltage_mut().iter_mut().zip(&s.v0) {
        *v = v0.max(floor);
    }
    p
}

fn input(s: &Setup, k: usize) -> Option<Padded> {
    s.inputs.get(k).map(|x| Padded::from_slice(x, 0.0))
}

/// (step, id, offset bits) of every spike, and the final state bits.
fn run(s: &Setup, steps: usize, threads: usize) -> (Vec<(usize, u32, u32)>, Vec<u32>) {
    let mut p = population(s);
    let t = Threads::new(threads).unwrap();
    let mut out = Spikes::default();
    let mut all = Vec::new();
    for k in 0..steps {
        p.step(input(s, k).as_ref(), Kernel::Simd, t.par(), &mut out);
        all.extend(
            out.ids
                .iter()
                .zip(&out.offsets)
                .map(|(&i, &o)| (k, i, o.to_bits())),
        );
    }
    let state = p
        .voltage()
        .iter()
        .chain(p.refractory())
        .map(|x| x.to_bits())
        .collect();
    (all, state)
}

const STEPS: usize = 120;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn simd_matches_scalar_bit_for_bit(s in setup(STEPS)) {
        let mut simd = population(&s);
        let mut scalar = simd.clone();
        let (mut a, mut b) = (Spikes::default(), Spikes::default());
        let mut spikes = 0;
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for k in 0..STEPS {
            let x = input(&s, k);
            // Poison the outputs: both kernels must overwrite them.
            a.push(u32::MAX, f32::NAN);
            b.push(u32::MAX, f32::NAN);
            simd.step(x.as_ref(), Kernel::Simd, simcore::Par::Seq, &mut a);
            scalar.step(x.as_ref(), Kernel::Scalar, simcore::Par::Seq, &mut b);
            prop_assert_eq!(&a.ids, &b.ids, "step {}", k);
            prop_assert!(a.ids.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(a.ids.iter().all(|&i| (i as usize) < s.bias.len()));
            prop_assert!(a.offsets.iter().all(|x| *x >= 0.0 && *x <= s.dt as f32));
            prop_assert_eq!(bits(&a.offsets), bits(&b.offsets), "step {}: offsets", k);
            prop_assert_eq!(bits(simd.voltage()), bits(scalar.voltage()), "step {}: v", k);
            prop_assert_eq!(bits(simd.refractory()), bits(scalar.refractory()), "step {}: r", k);
            spikes += a.len();
        }
        // Strong drives must spike: the comparison is not between two silent populations.
        let horizon = s.dt * (STEPS - 2) as f64;
        let fires = s.inputs.is_empty()
            && s.bias.iter().zip(&s.v0).any(|(&j, &v0)| {
                let (j, v0) = (f64::from(j), f64::from(v0).max(s.params.min_voltage));
                j > 1.001 && s.params.tau_rc * ((j - v0) / (j - 1.0)).ln() < horizon
            });
        prop_assert!(!fires || spikes > 0);
    }

    #[test]
    fn one_and_two_threads_are_bit_identical(s in setup(40)) {
        let one = run(&s, 40, 1);
        let two = run(&s, 40, 2);
        prop_assert_eq!(one, two);
    }

    #[test]
    fn run_steps_is_bit_identical_to_stepping(s in setup(0), steps in 0usize..90, threads in 1usize..=2) {
        let pool = Threads::new(threads).unwrap();
        let mut stepped = population(&s);
        let mut blocked = stepped.clone();
        let mut one = Spikes::default();
        let mut expect = SpikeWindow::default();
        for _ in 0..steps {
            stepped.step(None, Kernel::Simd, pool.par(), &mut one);
            expect.push_step(&one);
        }
        let mut got = SpikeWindow::default();
        got.push_step(&Spikes { ids: vec![7], offsets: vec![f32::NAN] }); // poison
        blocked.run_steps(steps, Kernel::Simd, pool.par(), &mut got);
        prop_assert_eq!(got.steps(), expect.steps());
        prop_assert_eq!(&got.starts, &expect.starts);
        prop_assert_eq!(&got.ids, &expect.ids);
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&got.offsets), bits(&expect.offsets));
        prop_assert_eq!(bits(stepped.voltage()), bits(blocked.voltage()));
        prop_assert_eq!(bits(stepped.refractory()), bits(blocked.refractory()));
    }
}

/// Which vector forms of the step without delta synapses run on this CPU: the eight-lane form
/// always, the 16-lane AVX-512 form where the CPU has AVX-512F and it covers the constants.
type Form =
    fn(&LifConsts, &[f32x8], Option<&[f32x8]>, &mut [f32x8], &mut [f32x8], u32, usize, &mut Spikes);

fn vector_forms(c: &LifConsts) -> Vec<(&'static str, Form)> {
    let mut forms: Vec<(&'static str, Form)> = vec![("x8", lif_step_x8)];
    #[cfg(target_arch = "x86_64")]
    if simcore::kernels::lif_avx512::available() && simcore::kernels::lif_avx512::supports(c) {
        forms.push(("avx512", simcore::kernels::lif_avx512::lif_step));
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = c;
    forms
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Each vector form called directly (the population step takes only the widest one the CPU
    /// has) against the scalar reference, from random refractory states, with an id offset
    /// and the padding lanes of the last vector excluded from the spikes.
    #[test]
    fn every_vector_form_matches_scalar_bit_for_bit(s in setup(STEPS), base in 0u32..5000, seed in any::<u64>()) {
        let n = s.bias.len();
        let lanes = n.div_ceil(8) * 8;
        let c = LifConsts::new(s.dt as f32, s.params.tau_rc as f32, s.params.tau_ref as f32, s.params.min_voltage as f32);
        let mut rng = simcore::rng::stream(seed, "lif_forms");
        let pad = |x: &[f32], fill: f32| -> Vec<f32> {
            x.iter().copied().chain(std::iter::repeat(fill)).take(lanes).collect()
        };
        let bias = pad(&s.bias, 0.0);
        let v0 = pad(&s.v0.iter().map(|v| v.max(c.min_voltage)).collect::<Vec<_>>(), 0.0);
        let r0: Vec<f32> = (0..lanes)
            .map(|_| if rng.random::<bool>() { 0.0 } else { rng.random::<f32>() * (c.tau_ref + c.dt) })
            .collect();
        let vectors = |x: &[f32]| -> Vec<f32x8> {
            x.chunks(8).map(|c| f32x8::from(<[f32; 8]>::try_from(c).unwrap())).collect()
        };
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for (name, form) in vector_forms(&c) {
            let (mut v, mut r) = (v0.clone(), r0.clone());
            let (mut vx, mut rx) = (vectors(&v0), vectors(&r0));
            let bias_x = vectors(&bias);
            let (mut a, mut b) = (Spikes::default(), Spikes::default());
            let mut spikes = 0;
            for k in 0..STEPS {
                let x = s.inputs.get(k).map(|x| pad(x, 0.0));
                let x_vectors = x.as_deref().map(vectors);
                // Kernels append: both start from one earlier spike that must stay.
                a.clear();
                b.clear();
                a.push(u32::MAX, f32::NAN);
                b.push(u32::MAX, f32::NAN);
                form(&c, &bias_x, x_vectors.as_deref(), &mut vx, &mut rx, base, n, &mut a);
                lif_step_scalar(&c, &bias, x.as_deref(), &mut v, &mut r, base, &mut b);
                let reported = b.ids.iter().position(|&i| i != u32::MAX && i >= base + n as u32).unwrap_or(b.len());
                let keep = |x: &[u32]| x.iter().copied().filter(|&i| i == u32::MAX || i < base + n as u32).collect::<Vec<_>>();
                prop_assert_eq!(&a.ids, &keep(&b.ids), "{} step {}", name, k);
                prop_assert_eq!(bits(&a.offsets), bits(&b.offsets[..reported]), "{} step {}: offsets", name, k);
                prop_assert_eq!(bits(bytemuck::cast_slice(&vx)), bits(&v), "{} step {}: v", name, k);
                prop_assert_eq!(bits(bytemuck::cast_slice(&rx)), bits(&r), "{} step {}: r", name, k);
                spikes += a.len() - 1;
            }
            // Strong drives must spike: the comparison is not between two silent populations.
            let horizon = s.dt * (STEPS - 2) as f64 - f64::from(c.tau_ref + c.dt);
            let fires = s.inputs.is_empty()
                && s.bias.iter().zip(&v0).any(|(&j, &v0)| {
                    let (j, v0) = (f64::from(j), f64::from(v0));
                    j > 1.001 && s.params.tau_rc * ((j - v0) / (j - 1.0)).ln() < horizon
                });
            prop_assert!(!fires || spikes > 0, "{}: no spikes", name);
        }
    }
}

/// `Simulator::run` on a network without components (windows of blocked steps) gives exactly
/// the spikes of `Simulator::step`, step by step, on 1 and 2 threads, across window and
/// non-finite-check boundaries.
#[test]
fn simulator_run_matches_step_by_step() {
    let n = 3 * CHUNK + 5;
    let bias: Vec<f32> = (0..n)
        .map(|i| 0.9 + 3.0 * (i as f32 * 0.618).fract())
        .collect();
    let make = |threads| {
        let pops = ["a", "b"]
            .iter()
            .map(|name| Population {
                name: name.to_string(),
                neurons: Box::new(
                    LifPopulation::new(name, LifParams::default(), 1e-4, &bias).unwrap(),
                ),
            })
            .collect();
        let mut sim = Simulator::new(1e-4, pops, Vec::new(), threads).unwrap();
        sim.set_check_every(100);
        sim
    };
    let steps = 700;
    let mut reference = make(1);
    let mut expect = Vec::new();
    for _ in 0..steps {
        reference.step().unwrap();
        expect.push(reference.spikes().to_vec());
    }
    assert!(expect.iter().map(|s| s[0].len()).sum::<usize>() > 1000);
    for threads in [1, 2] {
        let mut sim = make(threads);
        let mut got = Vec::new();
        let mut seen = Vec::new();
        sim.run(300, &mut |k, s| {
            seen.push(k);
            got.push(s.to_vec());
        })
        .unwrap();
        sim.run(steps as u64 - 300, &mut |k, s| {
            seen.push(k);
            got.push(s.to_vec());
        })
        .unwrap();
        assert_eq!(seen, (0..steps as u64).collect::<Vec<_>>());
        assert_eq!(got, expect, "threads {threads}");
        assert_eq!(sim.steps_done(), steps as u64);
        assert_eq!(
            sim.populations()[1].neurons.variable("v"),
            reference.populations()[1].neurons.variable("v")
        );
    }
}

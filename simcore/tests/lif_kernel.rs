//! LIF kernel against closed forms, scalar reference vs SIMD, and 1 vs N threads.

use simcore::lanes::Padded;
use simcore::neuron::lif::LifParams;
use simcore::par::Threads;
use simcore::population::Kernel;
use simcore::{LifPopulation, Par, Spikes};

fn run(
    pop: &mut LifPopulation,
    steps: usize,
    kernel: Kernel,
    threads: usize,
) -> Vec<(u64, u32, f32)> {
    let t = Threads::new(threads).unwrap();
    let mut out = Spikes::default();
    let mut all = Vec::new();
    for k in 0..steps {
        pop.step(None, kernel, t.par(), &mut out);
        collect(k, &out, &mut all);
    }
    all
}

/// Appends step `k`'s spikes as `(step, neuron, in-step time)`.
fn collect(k: usize, out: &Spikes, all: &mut Vec<(u64, u32, f32)>) {
    let spikes = out.ids.iter().zip(&out.offsets);
    all.extend(spikes.map(|(&i, &o)| (k as u64, i, o)));
}

#[test]
fn subthreshold_voltage_approaches_j_exactly() {
    // v(t) = J (1 − e^{−t/τ}) from rest, J < 1 never spikes.
    let p = LifParams::default();
    let dt = 1e-3;
    let j = [0.3_f32, 0.9, 0.999];
    for kernel in [Kernel::Scalar, Kernel::Simd] {
        let mut pop = LifPopulation::new("sub", p, dt, &j).unwrap();
        let spikes = run(&mut pop, 50, kernel, 1);
        assert!(spikes.is_empty());
        for (i, &ji) in j.iter().enumerate() {
            let expect = f64::from(ji) * (1.0 - (-50.0 * dt / p.tau_rc).exp());
            assert!(
                (f64::from(pop.voltage()[i]) - expect).abs() < 2e-6,
                "{kernel:?} J={ji}"
            );
        }
    }
}

#[test]
fn spike_times_for_constant_input_match_closed_form() {
    // From rest with constant J the n-th spike is at n·(t_isi) − τ_ref, t_isi = 1/G(J).
    let p = LifParams::default();
    let dt = 1e-4;
    let j = [1.5_f32, 3.0, 10.0];
    for kernel in [Kernel::Scalar, Kernel::Simd] {
        let mut pop = LifPopulation::new("c", p, dt, &j).unwrap();
        let spikes = run(&mut pop, 10_000, kernel, 1);
        for (i, &ji) in j.iter().enumerate() {
            let isi = 1.0 / p.rate(f64::from(ji));
            let times: Vec<f64> = spikes
                .iter()
                .filter(|s| s.1 == i as u32)
                .map(|&(k, _, o)| k as f64 * dt + f64::from(o))
                .collect();
            assert!(times.len() > 5);
            for (n, t) in times.iter().enumerate() {
                let expect = (n + 1) as f64 * isi - p.tau_ref;
                assert!(
                    (t - expect).abs() < 2e-5 * (n + 1) as f64,
                    "{kernel:?} J={ji} spike {n}: {t} vs {expect}"
                );
            }
        }
    }
}

#[test]
fn simd_matches_scalar_and_threads_are_bit_identical() {
    for n in [0usize, 1, 7, 9, 1023, 5000] {
        let bias: Vec<f32> = (0..n)
            .map(|i| 0.8 + 4.0 * (i as f32 * 0.618).fract())
            .collect();
        let p = LifParams {
            tau_rc: 0.01,
            tau_ref: 0.004,
            min_voltage: 0.0,
        };
        let mut a = LifPopulation::new("a", p, 1e-3, &bias).unwrap();
        let mut b = a.clone();
        let mut c = a.clone();
        let sa = run(&mut a, 500, Kernel::Scalar, 1);
        let sb = run(&mut b, 500, Kernel::Simd, 1);
        let sc = run(&mut c, 500, Kernel::Simd, 2);
        // Same operations lane by lane: bit-identical spikes, spike times and voltages.
        assert_eq!(sa, sb, "scalar vs SIMD, n = {n}");
        assert_eq!(a.voltage(), b.voltage());
        assert_eq!(sb, sc, "threads, n = {n}");
        assert_eq!(b.voltage(), c.voltage());
    }
}

/// Quiet and busy stretches of one population: the SIMD kernel switches between its branching
/// form (quiet blocks) and its busy-block forms (compaction; branch-free blending with
/// delta-synapse jumps) and must still match the scalar reference bit for bit, on both the
/// small-argument polynomials (Δt ≪ τ_rc) and the general `expm1`/`ln` (Δt/τ_rc = 0.5).
#[test]
fn quiet_and_busy_blocks_match_the_scalar_reference() {
    for (tau_rc, dt) in [(0.02, 1e-3), (0.01, 5e-3)] {
        for jumps in [false, true] {
            let n = 3001;
            let bias: Vec<f32> = (0..n)
                .map(|i| match (i / 300) % 3 {
                    0 => 1.02,
                    1 => 15.0 + (i % 7) as f32,
                    _ => 0.5 + 3.0 * (i as f32 * 0.618).fract(),
                })
                .collect();
            let p = LifParams {
                tau_rc,
                tau_ref: 0.002,
                min_voltage: -1.0,
            };
            let mut a = LifPopulation::new("a", p, dt, &bias).unwrap();
            if jumps {
                a = a.with_jump_port();
            }
            let mut b = a.clone();
            let steps = 400;
            let (sa, sb) = if jumps {
                (
                    run_jumps(&mut a, steps, Kernel::Scalar),
                    run_jumps(&mut b, steps, Kernel::Simd),
                )
            } else {
                (
                    run(&mut a, steps, Kernel::Scalar, 1),
                    run(&mut b, steps, Kernel::Simd, 1),
                )
            };
            assert!(sa.len() > steps * 300 / 4, "busy blocks fire: {}", sa.len());
            let case = format!("tau_rc {tau_rc}, dt {dt}, jumps {jumps}");
            assert_eq!(sa, sb, "scalar vs SIMD, {case}");
            assert_eq!(a.voltage(), b.voltage(), "{case}");
            assert_eq!(a.refractory(), b.refractory(), "{case}");
        }
    }
}

/// [`run`] with voltage jumps (delta synapses) on every fifth neuron, varying by step.
fn run_jumps(pop: &mut LifPopulation, steps: usize, kernel: Kernel) -> Vec<(u64, u32, f32)> {
    let n = pop.voltage().len();
    let zero = Padded::filled(n, 0.0);
    let mut out = Spikes::default();
    let mut all = Vec::new();
    for k in 0..steps {
        let jump: Vec<f32> = (0..n)
            .map(|i| match (i + k) % 5 {
                0 => 0.3 * ((i * 7 + k * 3) % 11) as f32 / 11.0 - 0.05,
                _ => 0.0,
            })
            .collect();
        let jump = Padded::from_slice(&jump, 0.0);
        pop.step_with_jumps(Some(&zero), &jump, kernel, Par::Seq, &mut out);
        collect(k, &out, &mut all);
    }
    all
}

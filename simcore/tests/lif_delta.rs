//! LIF with delta synapses (voltage jumps): scalar reference vs SIMD on awkward sizes, 1 vs 2
//! threads, and the no-jump path unchanged.

use rand::{Rng, SeedableRng};
use simcore::lanes::Padded;
use simcore::neuron::lif::LifParams;
use simcore::par::Threads;
use simcore::population::Kernel;
use simcore::rng::Stream;
use simcore::{LifPopulation, Spikes};

/// Runs `n` neurons with random biases, currents and jumps; returns spikes and final state.
fn run(n: usize, kernel: Kernel, threads: usize, jumps: bool) -> (Vec<(u32, u32, u32)>, Vec<u32>) {
    let mut r = Stream::seed_from_u64(n as u64);
    let bias: Vec<f32> = (0..n).map(|_| r.random_range(-1.0..1.2)).collect();
    let params = LifParams {
        min_voltage: -2.0,
        ..LifParams::default()
    };
    let mut pop = LifPopulation::new("d", params, 1e-4, &bias)
        .unwrap()
        .with_jump_port();
    let t = Threads::new(threads).unwrap();
    let mut out = Spikes::default();
    let mut all = Vec::new();
    for k in 0..400u32 {
        let input = Padded::from_slice(
            &(0..n)
                .map(|_| r.random_range(0.0..0.5))
                .collect::<Vec<f32>>(),
            0.0,
        );
        let jump = Padded::from_slice(
            &(0..n)
                .map(|_| {
                    if r.random::<f32>() < 0.2 {
                        r.random_range(-0.3..0.45)
                    } else {
                        0.0
                    }
                })
                .collect::<Vec<f32>>(),
            0.0,
        );
        if jumps {
            pop.step_with_jumps(Some(&input), &jump, kernel, t.par(), &mut out);
        } else {
            pop.step(Some(&input), kernel, t.par(), &mut out);
        }
        all.extend(
            out.ids
                .iter()
                .zip(&out.offsets)
                .map(|(&i, &o)| (k, i, o.to_bits())),
        );
    }
    (all, pop.voltage().iter().map(|v| v.to_bits()).collect())
}

#[test]
fn simd_matches_scalar_on_awkward_sizes() {
    for n in [0, 1, 7, 8, 9, 1023, 2049] {
        let (ss, sv) = run(n, Kernel::Scalar, 1, true);
        let (vs, vv) = run(n, Kernel::Simd, 1, true);
        // Same spikes (neuron and step); in-step times may differ by an ulp (expm1/ln1p).
        let key = |s: &Vec<(u32, u32, u32)>| s.iter().map(|&(k, i, _)| (k, i)).collect::<Vec<_>>();
        assert_eq!(key(&ss), key(&vs), "n = {n}");
        for (a, b) in sv.iter().zip(&vv) {
            let (a, b) = (f32::from_bits(*a), f32::from_bits(*b));
            assert!((a - b).abs() <= 1e-5, "n = {n}: {a} vs {b}");
        }
        if n >= 1023 {
            assert!(ss.len() > 100, "n = {n}: too few spikes ({})", ss.len());
        }
    }
}

#[test]
fn jumps_change_the_dynamics_and_threads_do_not() {
    let (with, _) = run(4099, Kernel::Simd, 1, true);
    let (without, _) = run(4099, Kernel::Simd, 1, false);
    assert_ne!(with, without);
    assert_eq!(
        run(4099, Kernel::Simd, 2, true),
        run(4099, Kernel::Simd, 1, true)
    );
}

#[test]
fn jump_crossing_spikes_at_the_end_of_the_step() {
    // Subthreshold bias, then a jump over threshold: spike at t_s = Δt, reset to 0,
    // refractory for exactly τ_ref.
    let p = LifParams::default();
    let mut pop = LifPopulation::new("j", p, 1e-4, &[0.5])
        .unwrap()
        .with_jump_port();
    let t = Threads::new(1).unwrap();
    let mut out = Spikes::default();
    let zero = Padded::filled(1, 0.0);
    pop.step_with_jumps(
        None,
        &Padded::from_slice(&[1.0], 0.0),
        Kernel::Simd,
        t.par(),
        &mut out,
    );
    assert_eq!(out.ids, vec![0]);
    assert_eq!(out.offsets, vec![1e-4_f32]);
    assert_eq!(pop.voltage()[0], 0.0);
    assert!((pop.refractory()[0] - 0.002).abs() < 1e-9);
    pop.step_with_jumps(None, &zero, Kernel::Simd, t.par(), &mut out);
    assert!(out.is_empty());
}

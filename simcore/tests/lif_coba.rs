//! COBA LIF against an f64 small-step RK4 reference; scalar vs SIMD and 1 vs 2 threads bit for
//! bit.

use simcore::lanes::Padded;
use simcore::neuron::lif_coba::LifCobaParams;
use simcore::par::Threads;
use simcore::population::Kernel;
use simcore::{LifCobaPopulation, Neurons, Par, Spikes};

/// Per-step inputs of one neuron: (held current pA, g_e increment nS, g_i increment nS).
fn drive(k: usize) -> (f32, f32, f32) {
    let h = (k * 2_654_435_761) % 1000;
    let ge = if h < 120 {
        2.0 + (h % 7) as f32 * 0.5
    } else {
        0.0
    };
    let gi = if (400..430).contains(&h) { 6.0 } else { 0.0 };
    let cur = if (k / 500).is_multiple_of(2) {
        60.0
    } else {
        110.0
    };
    (cur, ge, gi)
}

/// f64 reference: RK4 with `sub` substeps per step, conductances decaying exactly between the
/// jumps at step starts, spikes by linear interpolation between substeps, V clamped at reset
/// for t_ref after each spike. Returns (spike times s, V at step ends).
fn reference(
    p: &LifCobaParams,
    bias: f64,
    dt: f64,
    steps: usize,
    sub: usize,
) -> (Vec<f64>, Vec<f64>) {
    let (mut v, mut ge, mut gi) = (p.e_l, 0.0, 0.0);
    let mut ref_until = f64::NEG_INFINITY;
    let h = dt / sub as f64;
    let (mut spikes, mut vs) = (vec![], vec![]);
    for k in 0..steps {
        let (cur, dge, dgi) = drive(k);
        ge += f64::from(dge);
        gi += f64::from(dgi);
        let i_tot = bias + f64::from(cur);
        for m in 0..sub {
            let t0 = k as f64 * dt + m as f64 * h;
            let f = |v: f64, s: f64| {
                let g_e = ge * (-s / p.tau_e).exp();
                let g_i = gi * (-s / p.tau_i).exp();
                (-p.g_l * (v - p.e_l) + g_e * (p.e_e - v) + g_i * (p.e_i - v) + i_tot) / p.c_m * 1e3
            };
            let v0 = v;
            if t0 + 1e-12 >= ref_until {
                let k1 = f(v, 0.0);
                let k2 = f(v + 0.5 * h * k1, 0.5 * h);
                let k3 = f(v + 0.5 * h * k2, 0.5 * h);
                let k4 = f(v + h * k3, h);
                v += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            } else if t0 + h > ref_until {
                // Refractory period ends inside this substep: integrate the rest.
                let hr = t0 + h - ref_until;
                let s0 = ref_until - t0;
                let k1 = f(v, s0);
                let k2 = f(v + 0.5 * hr * k1, s0 + 0.5 * hr);
                let k3 = f(v + 0.5 * hr * k2, s0 + 0.5 * hr);
                let k4 = f(v + hr * k3, h);
                v += hr / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            }
            ge *= (-h / p.tau_e).exp();
            gi *= (-h / p.tau_i).exp();
            if v > p.v_th {
                let ts = t0 + h * (p.v_th - v0) / (v - v0);
                spikes.push(ts);
                v = p.v_reset;
                ref_until = ts + p.t_ref;
            }
        }
        vs.push(v);
    }
    (spikes, vs)
}

/// Spikes (step, id, offset) and voltages after every step.
type Run = (Vec<(usize, u32, f32)>, Vec<Vec<f32>>);

fn run(pop: &mut LifCobaPopulation, steps: usize, kernel: Kernel, par: Par<'_>) -> Run {
    let n = pop.len();
    let mut out = Spikes::default();
    let (mut all, mut vs) = (vec![], vec![]);
    for k in 0..steps {
        let (c, e, i) = drive(k);
        let mk = |x: f32| Padded::from_slice(&vec![x; n], 0.0);
        pop.step(&mk(c), &mk(e), &mk(i), kernel, par, &mut out);
        all.extend(out.ids.iter().zip(&out.offsets).map(|(&i, &o)| (k, i, o)));
        vs.push(pop.voltage().to_vec());
    }
    (all, vs)
}

#[test]
fn spike_times_and_voltage_match_small_step_reference() {
    let p = LifCobaParams::default();
    let dt = 1e-4;
    let steps = 3000;
    let bias = [0.0f32, 20.0, 45.0];
    let mut pop = LifCobaPopulation::new("coba", p, dt, &bias).unwrap();
    let (spk, vs) = run(&mut pop, steps, Kernel::Simd, Par::Seq);
    for (j, &b) in bias.iter().enumerate() {
        let (rs, rv) = reference(&p, f64::from(b), dt, steps, 200);
        let ours: Vec<f64> = spk
            .iter()
            .filter(|s| s.1 == j as u32)
            .map(|&(k, _, o)| k as f64 * dt + f64::from(o))
            .collect();
        assert!(
            rs.len() >= 3,
            "bias {b}: reference fired {} times",
            rs.len()
        );
        assert_eq!(ours.len(), rs.len(), "bias {b}: {ours:?} vs {rs:?}");
        for (a, r) in ours.iter().zip(&rs) {
            assert!((a - r).abs() < 2e-6, "bias {b}: spike {a} vs {r}");
        }
        let dv = vs
            .iter()
            .zip(&rv)
            .map(|(v, r)| (f64::from(v[j]) - r).abs())
            .fold(0.0, f64::max);
        // Voltage right after a reset differs by up to the jump; compare away from spikes.
        let near = |k: usize| rs.iter().any(|&t| (t / dt - k as f64).abs() < 2.0);
        let dv_far = vs
            .iter()
            .zip(&rv)
            .enumerate()
            .filter(|(k, _)| !near(*k))
            .map(|(_, (v, r))| (f64::from(v[j]) - r).abs())
            .fold(0.0, f64::max);
        assert!(
            dv_far < 0.005,
            "bias {b}: max |ΔV| {dv_far} mV (with spikes {dv})"
        );
    }
}

#[test]
fn simd_matches_scalar_and_threads_are_bit_identical() {
    let pool = Threads::new(2).unwrap();
    for n in [0usize, 1, 7, 8, 9, 1023, 5000] {
        let bias: Vec<f32> = (0..n).map(|i| (i % 13) as f32 * 8.0).collect();
        let p = LifCobaParams::default();
        let mk = || LifCobaPopulation::new("c", p, 1e-4, &bias).unwrap();
        let (mut a, mut b, mut c) = (mk(), mk(), mk());
        let ra = run(&mut a, 800, Kernel::Simd, Par::Seq);
        let rb = run(&mut b, 800, Kernel::Scalar, Par::Seq);
        let rc = run(&mut c, 800, Kernel::Simd, pool.par());
        let bits = |r: &Run| {
            (
                r.0.iter()
                    .map(|s| (s.0, s.1, s.2.to_bits()))
                    .collect::<Vec<_>>(),
                r.1.last()
                    .map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()),
            )
        };
        assert_eq!(bits(&ra), bits(&rb), "scalar n={n}");
        assert_eq!(bits(&ra), bits(&rc), "threads n={n}");
        if n > 100 {
            assert!(ra.0.len() > 50, "n={n}: only {} spikes", ra.0.len());
        }
    }
}

#[test]
fn neurons_trait_ports_and_errors() {
    let mut pop = LifCobaPopulation::new("exc", LifCobaParams::default(), 1e-4, &[0.0; 3]).unwrap();
    assert_eq!(pop.ports().len(), 3);
    let mut out = Spikes::default();
    let inputs = [
        Padded::filled(3, 0.0),
        Padded::from_slice(&[50.0, 0.0, 0.0], 0.0),
        Padded::filled(3, 0.0),
    ];
    Neurons::step(&mut pop, &inputs, Par::Seq, &mut out);
    assert!(pop.variable("g_e").unwrap()[0] > 40.0 && pop.variable("g_e").unwrap()[1] == 0.0);
    assert!(pop.variable("v").unwrap()[0] > -60.0);
    let bad = LifCobaParams {
        v_reset: -40.0,
        ..Default::default()
    };
    let e = LifCobaPopulation::new("inh", bad, 1e-4, &[0.0]).unwrap_err();
    assert!(e.to_string().contains("inh") && e.to_string().contains("v_reset"));
}

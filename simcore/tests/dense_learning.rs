//! Dense learned weights between spiking populations: the drive is W·a_pre of the filtered
//! presynaptic activity, and Hebbian learning with decay settles at η·r_pre·r_post/λ.

use simcore::lanes::Padded;
use simcore::neuron::lif::LifParams;
use simcore::plasticity::{DenseEnds, DenseLearning, RateRule};
use simcore::{Component, LifPopulation, Population, Simulator, Spikes};

const DT: f64 = 1e-3;

#[test]
fn drive_is_the_weighted_filtered_presynaptic_activity() {
    let ends = DenseEnds {
        source: 0,
        target: 1,
        port: 0,
    };
    let w0 = vec![0.5, -1.0, 2.0, 0.25, 1.5, -0.75];
    let rule = RateRule::Hebbian {
        rate: 0.0,
        decay: 0.0,
    };
    let mut c = DenseLearning::new("c", ends, 3, 2, w0.clone(), rule, 0.01, DT).unwrap();
    let mut s = Spikes::default();
    s.push(0, 5e-4);
    s.push(2, 1e-3);
    c.observe(0, DT, &[s, Spikes::default()]);
    let a = c.pre_activity().to_vec();
    // one spike of height 1/Δt through Lowpass(0.01) by ZOH: (1 − e^{−Δt/τ})/Δt
    let a1 = (-(-DT / 0.01f64).exp_m1() / DT) as f32;
    assert!((a[0] - a1).abs() < 1e-4 && a[1] == 0.0 && (a[2] - a1).abs() < 1e-4);
    let mut inputs = vec![vec![Padded::filled(3, 0.0)], vec![Padded::filled(2, 0.0)]];
    c.drive(1, DT, &mut inputs);
    let got = inputs[1][0].as_slice();
    for j in 0..2 {
        let e: f32 = (0..3).map(|i| w0[j * 3 + i] * a[i]).sum();
        assert!((got[j] - e).abs() <= 1e-5 * e.abs(), "{got:?}");
    }
    assert_eq!(c.weights(), &w0[..], "rate 0 leaves weights unchanged");
}

#[test]
fn hebbian_with_decay_settles_at_rate_products() {
    let (n_pre, n_post) = (4, 3);
    let params = LifParams::default();
    let pre_bias: Vec<f32> = (0..n_pre).map(|i| 1.5 + 0.5 * i as f32).collect();
    let post_bias: Vec<f32> = (0..n_post).map(|j| 2.0 + 0.7 * j as f32).collect();
    let (eta, decay) = (1e-7, 5.0);
    let rule = RateRule::Hebbian { rate: eta, decay };
    let ends = DenseEnds {
        source: 0,
        target: 1,
        port: 0,
    };
    let c = DenseLearning::new("heb", ends, n_pre, n_post, vec![0.0; 12], rule, 0.01, DT).unwrap();
    let pops = vec![
        Population {
            name: "pre".into(),
            neurons: Box::new(LifPopulation::new("pre", params, DT, &pre_bias).unwrap()),
        },
        Population {
            name: "post".into(),
            neurons: Box::new(LifPopulation::new("post", params, DT, &post_bias).unwrap()),
        },
    ];
    let mut sim = Simulator::new(DT, pops, vec![Box::new(c)], 1).unwrap();
    let get = |sim: &Simulator| -> DenseLearning {
        sim.components()[0]
            .as_any()
            .and_then(|a| a.downcast_ref::<DenseLearning>())
            .unwrap()
            .clone()
    };
    let (mut n_pre_spk, mut n_post_spk) = (vec![0u32; n_pre], vec![0u32; n_post]);
    let (mut a_pre, mut a_post) = (vec![0f64; n_pre], vec![0f64; n_post]);
    let (mut prod, mut w_avg) = (vec![0f64; 12], vec![0f64; 12]);
    let (steps, skip) = (4000, 1000);
    for k in 0..steps {
        sim.step().unwrap();
        if k >= skip {
            sim.spikes()[0]
                .ids
                .iter()
                .for_each(|&i| n_pre_spk[i as usize] += 1);
            sim.spikes()[1]
                .ids
                .iter()
                .for_each(|&j| n_post_spk[j as usize] += 1);
            let c = get(&sim);
            for j in 0..n_post {
                a_post[j] += f64::from(c.post_activity()[j]);
                for i in 0..n_pre {
                    let x = f64::from(c.pre_activity()[i]) * f64::from(c.post_activity()[j]);
                    prod[j * n_pre + i] += x;
                    w_avg[j * n_pre + i] += f64::from(c.weights()[j * n_pre + i]);
                }
            }
            for (a, &x) in a_pre.iter_mut().zip(c.pre_activity()) {
                *a += f64::from(x);
            }
        }
    }
    let m = (steps - skip) as f64;
    let t = m * DT;
    // Filtered activities are in Hz: their means are the firing rates.
    for (a, n) in a_pre
        .iter()
        .zip(&n_pre_spk)
        .chain(a_post.iter().zip(&n_post_spk))
    {
        let r = f64::from(*n) / t;
        assert!(
            r > 20.0 && (a / m - r).abs() < 0.02 * r,
            "⟨a⟩ {} vs rate {r}",
            a / m
        );
    }
    // The weights low-pass η·a_i·a_j with time constant 1/λ: their mean is η⟨a_i a_j⟩/λ.
    for s in 0..12 {
        let expect = eta * prod[s] / m / decay;
        let got = w_avg[s] / m;
        assert!(
            (got - expect).abs() < 0.02 * expect,
            "⟨W⟩[{s}] = {got} vs η⟨a_i a_j⟩/λ = {expect}"
        );
    }
}

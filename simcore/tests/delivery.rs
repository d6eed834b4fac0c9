//! Event-driven delivery: arrival steps, sums against a brute-force reference, delta-synapse
//! semantics, and bit-identical results for the per-step and window schedules and 1 and 2
//! threads.

use rand::{Rng, SeedableRng};
use simcore::connectivity::{Connect, Dist, Rule};
use simcore::delivery::{Projection, Receptor, SpikeDelivery};
use simcore::lanes::Padded;
use simcore::neuron::lif::LifParams;
use simcore::par::Threads;
use simcore::rng::Stream;
use simcore::sim::Window;
use simcore::sources::SpikeGenerator;
use simcore::spikes::{SpikeSteps, SpikeWindow};
use simcore::{Component, LifPopulation, Population, Simulator, Spikes};
use wide::f32x8;

const DT: f64 = 1e-4;

/// Random spikes per step for `n` sources, as ascending ids.
fn random_spikes(r: &mut Stream, n: usize, p: f64) -> Spikes {
    let mut s = Spikes::default();
    for i in 0..n as u32 {
        if r.random::<f64>() < p {
            s.push(i, 1e-4);
        }
    }
    s
}

/// The delivery of one projection (source pop 0 → target pop 1, port 0).
fn delivery(csr: &simcore::connectivity::Csr) -> SpikeDelivery {
    let proj = Projection {
        name: "p".into(),
        source: 0,
        target: 1,
        port: 0,
        receptor: Receptor::Direct,
        csr: csr.clone(),
    };
    SpikeDelivery::new("d", vec![proj], &[csr.n_pre(), csr.n_post()], &[1, 1], DT).unwrap()
}

/// Steps a delivery of one projection on the per-step schedule (drive, then observe) and
/// returns the input seen at every step.
fn run_delivery(csr: &simcore::connectivity::Csr, spikes: &[Spikes]) -> Vec<Vec<f32>> {
    let (n_pre, n_post) = (csr.n_pre(), csr.n_post());
    let mut d = delivery(csr);
    let mut out = Vec::new();
    for (k, s) in spikes.iter().enumerate() {
        let mut inputs = vec![
            vec![Padded::filled(n_pre, 0.0)],
            vec![Padded::filled(n_post, 0.0)],
        ];
        d.drive(k as u64, DT, &mut inputs);
        out.push(inputs[1][0].as_slice().to_vec());
        d.observe(k as u64, DT, &[s.clone(), Spikes::default()]);
    }
    out
}

/// The same on the window schedule: windows of `w` steps (at most the lookahead), the target
/// chunks grouped into `blocks` blocks, each block taking in the previous window's spikes and
/// then driving its chunks, each through all of the window's steps, as the simulator does.
fn run_windows(
    csr: &simcore::connectivity::Csr,
    spikes: &[Spikes],
    w: u64,
    blocks: usize,
) -> Vec<Vec<f32>> {
    let n_post = csr.n_post();
    let chunks = n_post.div_ceil(2048);
    let blocks = vec![
        vec![0..0],
        (0..blocks)
            .map(|b| b * chunks / blocks..(b + 1) * chunks / blocks)
            .collect::<Vec<_>>(),
    ];
    let mut d = delivery(csr);
    let w = w.min(d.lookahead().unwrap());
    let mut out = vec![vec![0.0f32; n_post]; spikes.len()];
    let mut pending: Option<(u64, Vec<SpikeWindow>)> = None;
    let mut k = 0u64;
    while (k as usize) < spikes.len() {
        let steps = w.min(spikes.len() as u64 - k);
        let window = Window {
            first: k,
            steps,
            dt: DT,
            blocks: &blocks,
        };
        for mut b in d.chunks(&window) {
            assert_eq!(b.pop, 1);
            b.work.begin(
                pending
                    .as_ref()
                    .map(|(f, ws)| (*f, SpikeSteps::Window(&ws[..]))),
            );
            for c in blocks[1][b.block].clone() {
                let lo = c * 2048;
                let m = (n_post - lo).min(2048);
                for s in k..k + steps {
                    let mut buf = vec![f32x8::ZERO; m.div_ceil(8)];
                    b.work.drive(s, c, &mut [&mut buf[..]]);
                    let flat: &[f32] = bytemuck::cast_slice(&buf);
                    out[s as usize][lo..lo + m].copy_from_slice(&flat[..m]);
                }
            }
        }
        let mut win = SpikeWindow::default();
        for s in &spikes[k as usize..(k + steps) as usize] {
            win.push_step(s);
        }
        let mut empty = SpikeWindow::default();
        (0..steps).for_each(|_| empty.push_step(&Spikes::default()));
        pending = Some((k, vec![win, empty]));
        k += steps;
    }
    out
}

/// Small and multi-chunk targets (rows split by target chunk), few spikes per step and more
/// than one batch of spikes per step (row parts are located a batch at a time).
#[test]
fn delivery_matches_brute_force_sums_with_per_synapse_delays() {
    for (n_pre, n_post, p_spike) in [(300, 257, 0.05), (400, 4500, 0.3)] {
        let c = Connect::new(
            Rule::PairwiseBernoulli { p: 0.1 },
            Dist::Normal {
                mean: 0.5,
                std: 0.3,
            },
            Dist::Uniform {
                low: 1e-4,
                high: 1e-3,
            },
        );
        let csr = c
            .build(
                "p",
                n_pre,
                n_post,
                false,
                DT,
                3,
                Threads::new(1).unwrap().par(),
            )
            .unwrap();
        let mut r = Stream::seed_from_u64(9);
        let spikes: Vec<Spikes> = (0..60)
            .map(|_| random_spikes(&mut r, n_pre, p_spike))
            .collect();
        let got = run_delivery(&csr, &spikes);
        let mut want = vec![vec![0f64; n_post]; 60];
        for (k, s) in spikes.iter().enumerate() {
            for &i in &s.ids {
                let row = csr.offsets()[i as usize]..csr.offsets()[i as usize + 1];
                for syn in row {
                    let at = k + csr.delay(syn) as usize;
                    if at < 60 {
                        want[at][csr.targets()[syn] as usize] += f64::from(csr.weight(syn));
                    }
                }
            }
        }
        let mut nonzero = 0;
        for (g, w) in got.iter().zip(&want) {
            for (a, b) in g.iter().zip(w) {
                assert!((f64::from(*a) - b).abs() < 1e-4, "{a} vs {b}");
                nonzero += usize::from(*b != 0.0);
            }
        }
        assert!(nonzero > 1000, "test too weak: {nonzero}");
    }
}

#[test]
fn window_delivery_is_bit_identical_to_per_step_delivery() {
    // Three target chunks; per-synapse weights so that the summation order matters in f32, and
    // per-synapse delays of 2–5 steps (windows up to the lookahead of 2 steps).
    let c = Connect::new(
        Rule::FixedOutdegree { k: 2000 },
        Dist::Normal {
            mean: 0.1,
            std: 0.5,
        },
        Dist::Uniform {
            low: 2e-4,
            high: 5e-4,
        },
    );
    let mut c = c;
    c.weight.keep_sign = false;
    let csr = c
        .build("p", 400, 5001, false, DT, 5, Threads::new(1).unwrap().par())
        .unwrap();
    assert_eq!(csr.min_delay(), 2);
    let mut r = Stream::seed_from_u64(1);
    let spikes: Vec<Spikes> = (0..40).map(|_| random_spikes(&mut r, 400, 0.05)).collect();
    let a = run_delivery(&csr, &spikes);
    let bits = |x: &Vec<Vec<f32>>| x.iter().flatten().map(|v| v.to_bits()).collect::<Vec<_>>();
    for (w, blocks) in [(1, 1), (2, 1), (2, 2), (2, 3)] {
        let b = run_windows(&csr, &spikes, w, blocks);
        assert_eq!(bits(&a), bits(&b), "window {w}, {blocks} blocks");
    }
    assert!(a.iter().flatten().filter(|&&v| v != 0.0).count() > 10_000);
}

/// One spike generator neuron → one LIF neuron with a jump port, weight `w`, delay `d` steps.
fn jump_net(spike_times: &[f64], w: f64, delay: f64, bias: f32) -> Simulator {
    let source = SpikeGenerator::new(
        "g",
        1,
        &spike_times.iter().map(|&t| (t, 0)).collect::<Vec<_>>(),
        DT,
    )
    .unwrap();
    let lif = LifPopulation::new(
        "n",
        LifParams {
            min_voltage: f64::NEG_INFINITY,
            ..LifParams::default()
        },
        DT,
        &[bias],
    )
    .unwrap()
    .with_jump_port();
    let csr = Connect::new(Rule::AllToAll, w, delay)
        .build("g_n", 1, 1, false, DT, 0, Threads::new(1).unwrap().par())
        .unwrap();
    let proj = Projection {
        name: "g_n".into(),
        source: 0,
        target: 1,
        port: 1,
        receptor: Receptor::Direct,
        csr,
    };
    let d = SpikeDelivery::new("d", vec![proj], &[1, 1], &[0, 2], DT).unwrap();
    Simulator::new(
        DT,
        vec![
            Population {
                name: "g".into(),
                neurons: Box::new(source),
            },
            Population {
                name: "n".into(),
                neurons: Box::new(lif),
            },
        ],
        vec![Box::new(d)],
        1,
    )
    .unwrap()
}

fn voltage(sim: &Simulator) -> f32 {
    sim.populations()[1].neurons.variable("v").unwrap()[0]
}

#[test]
fn a_spike_arrives_after_its_delay_as_a_voltage_jump_then_decays() {
    // Spike at t = 0.1 ms ends step 0; delay 0.3 ms = 3 steps: the jump lands at the end of
    // step 3.
    let mut sim = jump_net(&[1e-4], 0.25, 3e-4, 0.0);
    let mut v = Vec::new();
    for _ in 0..10 {
        sim.step().unwrap();
        v.push(voltage(&sim));
    }
    assert_eq!(&v[..3], &[0.0; 3]);
    assert_eq!(v[3], 0.25);
    let decay = (-DT / 0.02).exp() as f32;
    for (k, &vk) in v.iter().enumerate().skip(4) {
        let want = 0.25 * decay.powi(k as i32 - 3);
        assert!((vk - want).abs() < 1e-6, "step {k}: {vk} vs {want}");
    }
}

#[test]
fn jumps_during_refractoriness_are_ignored_as_in_nest() {
    // A jump of 2 (above threshold 1) makes the neuron spike at the end of step 1 (spike in
    // step 0, delay 1). τ_ref = 2 ms = 20 steps: jumps landing in steps 2..=21 are discarded,
    // one landing in step 22 is accepted (NEST iaf_psc_delta counts 20 refractory steps).
    let times: Vec<f64> = [1, 11, 21, 22].iter().map(|&k| k as f64 * DT).collect();
    let mut sim = jump_net(&times, 2.0, 1e-4, 0.0);
    let mut spikes = Vec::new();
    for k in 0..40 {
        sim.step().unwrap();
        if !sim.spikes()[1].is_empty() {
            spikes.push(k);
            assert_eq!(
                sim.spikes()[1].offsets[0] as f64,
                DT as f32 as f64,
                "jump spikes end the step"
            );
        }
    }
    // Generator spikes end steps 0, 10, 20, 21 and land one step later: 1, 11, 21, 22.
    assert_eq!(spikes, vec![1, 22]);
}

#[test]
fn brunel_small_network_spikes_identically_on_one_and_two_threads_and_any_window() {
    use simcore::networks::brunel::{Brunel, Regime};
    use simcore::networks::run_logged;
    // Half size: 5000 + 1250 neurons in 4 work chunks, so every chunk's work (delivery into
    // its targets, Poisson draws, neurons) runs on both threads.
    let net = Brunel::regime(Regime::AsynchronousIrregular).scaled_down(2);
    let mut a = net.build(7, 1).unwrap();
    let mut b = net.build(7, 2).unwrap();
    b.set_min_parallel_work(0);
    // Windows of one step: one parallel region per step, delivery a step later.
    let mut c = net.build(7, 2).unwrap();
    c.set_min_parallel_work(0);
    c.set_max_window(1);
    assert!(a.windowed() && b.windowed());
    let la = run_logged(&mut a, 1000).unwrap();
    let lb = run_logged(&mut b, 1000).unwrap();
    let lc = run_logged(&mut c, 1000).unwrap();
    let total: usize = la.iter().map(|l| l.events.len()).sum();
    assert!(total > 1000, "too few spikes to compare: {total}");
    for ((x, y), z) in la.iter().zip(&lb).zip(&lc) {
        assert_eq!(x.events, y.events);
        assert_eq!(x.events, z.events);
    }
    for (pa, pb) in a.populations().iter().zip(b.populations()) {
        let bits = |p: &Population| {
            p.neurons
                .variable("v")
                .unwrap()
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(pa), bits(pb));
    }
}

#[test]
fn filtered_current_synapse_first_moves_the_membrane_two_steps_after_the_spike() {
    use simcore::synapse::PscShape;
    // Spike in step 0, delay one step: the exponential current starts at the start of step 2
    // (NEST iaf_psc_exp / Brian2 `ge += w` with a 0.1 ms delay).
    let source = SpikeGenerator::new("g", 1, &[(1e-4, 0)], DT).unwrap();
    let lif = LifPopulation::new(
        "n",
        LifParams {
            min_voltage: f64::NEG_INFINITY,
            ..LifParams::default()
        },
        DT,
        &[0.0],
    )
    .unwrap();
    let tau = 5e-3;
    let csr = Connect::new(Rule::AllToAll, 0.5 * tau, 1e-4)
        .build("g_n", 1, 1, false, DT, 0, Threads::new(1).unwrap().par())
        .unwrap();
    let proj = Projection {
        name: "g_n".into(),
        source: 0,
        target: 1,
        port: 0,
        receptor: Receptor::Filter(PscShape::exponential(tau)),
        csr,
    };
    let d = SpikeDelivery::new("d", vec![proj], &[1, 1], &[0, 1], DT).unwrap();
    let mut sim = Simulator::new(
        DT,
        vec![
            Population {
                name: "g".into(),
                neurons: Box::new(source),
            },
            Population {
                name: "n".into(),
                neurons: Box::new(lif),
            },
        ],
        vec![Box::new(d)],
        1,
    )
    .unwrap();
    let mut v = Vec::new();
    for _ in 0..2000 {
        sim.step().unwrap();
        v.push(f64::from(voltage(&sim)));
    }
    assert_eq!(&v[..2], &[0.0, 0.0]);
    assert!(v[2] > 0.0);
    // Current 0.5·e^{−t/τ} from t0 = 2Δt into τ_m v' = I − v: v(t) = 0.5 τ/(τ−τ_m)(e^{−t/τ} − e^{−t/τ_m}).
    let tm = 0.02;
    for (k, &vk) in v.iter().enumerate().skip(2).step_by(97) {
        let t = (k + 1 - 2) as f64 * DT;
        let want = 0.5 * tau / (tau - tm) * ((-t / tau).exp() - (-t / tm).exp());
        assert!(
            (vk - want).abs() < 2e-4 * want.abs().max(1e-3) + 1e-6,
            "step {k}: {vk} vs {want}"
        );
    }
}

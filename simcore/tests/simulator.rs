//! The simulator's schedule: components drive inputs before neurons step and see their spikes after.

use simcore::lanes::Padded;
use simcore::neuron::lif::LifParams;
use simcore::{Component, LifPopulation, Population, Simulator, Spikes};

/// Adds a constant current to every neuron of population 0 and counts the spikes it sees.
#[derive(Debug)]
struct Drive {
    current: f32,
    seen: Vec<(u64, usize)>,
}

impl Component for Drive {
    fn name(&self) -> &str {
        "drive"
    }
    fn drive(&mut self, _step: u64, _dt: f64, inputs: &mut [Vec<Padded>]) {
        for x in inputs[0][0].as_mut_slice() {
            *x += self.current;
        }
    }
    fn observe(&mut self, step: u64, _dt: f64, spikes: &[Spikes]) {
        self.seen.push((step, spikes[0].len()));
    }
}

#[test]
fn component_current_drives_neurons_at_the_analytic_rate() {
    let p = LifParams::default();
    let pop = LifPopulation::new("a", p, 1e-4, &[0.0; 3]).unwrap();
    let drive = Drive {
        current: 2.0,
        seen: Vec::new(),
    };
    let mut sim = Simulator::new(
        1e-4,
        vec![Population {
            name: "a".into(),
            neurons: Box::new(pop),
        }],
        vec![Box::new(drive)],
        1,
    )
    .unwrap();
    let mut count = 0;
    for _ in 0..10_000 {
        sim.step().unwrap();
        count += sim.spikes()[0].len();
    }
    assert_eq!(sim.steps_done(), 10_000);
    assert!((sim.time() - 1.0).abs() < 1e-12);
    // 1 s at G(2) ≈ 63.2 Hz, 3 neurons: the count is floor(1/isi + τ_ref/isi) per neuron.
    let per = ((1.0 + p.tau_ref) * p.rate(2.0)).floor() as usize;
    assert_eq!(count, 3 * per);
}

#[test]
fn non_finite_state_is_reported_with_population_neuron_and_time() {
    let mut pop = LifPopulation::new("bad", LifParams::default(), 1e-3, &[0.5; 10]).unwrap();
    pop.bias_mut()[7] = f32::NAN;
    let mut sim = Simulator::new(
        1e-3,
        vec![Population {
            name: "bad".into(),
            neurons: Box::new(pop),
        }],
        vec![],
        1,
    )
    .unwrap();
    sim.set_check_every(10);
    let err = (0..100)
        .try_for_each(|_| sim.step())
        .unwrap_err()
        .to_string();
    assert!(err.contains("`bad`") && err.contains("neuron 7"), "{err}");
    assert!(err.contains("t = 0.01"), "{err}");
}

/// Adds `base + w·(spikes of population `src` in the previous step)` to every neuron of
/// population `dst`. `fused`: declares its target and source, so the simulator drives and
/// observes it inside the population tasks.
#[derive(Debug)]
struct Relay {
    src: usize,
    dst: usize,
    fused: bool,
    base: f32,
    w: f32,
    last: usize,
}

impl Relay {
    fn boxed(src: usize, dst: usize, fused: bool) -> Box<dyn Component> {
        Box::new(Relay {
            src,
            dst,
            fused,
            base: 1.02,
            w: 0.004,
            last: 0,
        })
    }
}

impl Component for Relay {
    fn name(&self) -> &str {
        "relay"
    }
    fn drive(&mut self, step: u64, dt: f64, inputs: &mut [Vec<Padded>]) {
        self.drive_ports(step, dt, &mut inputs[self.dst]);
    }
    fn observe(&mut self, step: u64, dt: f64, spikes: &[Spikes]) {
        self.observe_spikes(step, dt, &spikes[self.src]);
    }
    fn drive_target(&self) -> Option<usize> {
        self.fused.then_some(self.dst)
    }
    fn drive_ports(&mut self, _step: u64, _dt: f64, ports: &mut [Padded]) {
        let x = self.base + self.w * self.last as f32;
        for j in ports[0].as_mut_slice() {
            *j += x;
        }
    }
    fn observe_source(&self) -> Option<usize> {
        self.fused.then_some(self.src)
    }
    fn observe_spikes(&mut self, _step: u64, _dt: f64, spikes: &Spikes) {
        self.last = spikes.len();
    }
}

/// Spikes of every population at every step of a chain 0 → 1 → 2 → 3 (with 3 → 3 and a
/// constant drive into 0) of relays, fused or not, on `threads` threads.
fn relay_chain(fused: bool, threads: usize) -> Vec<Vec<Spikes>> {
    let dt = 1e-3;
    let p = LifParams::default();
    let populations = (0..4)
        .map(|i| {
            let bias: Vec<f32> = (0..37 + 10 * i).map(|k| k as f32 * 1e-3).collect();
            Population {
                name: format!("p{i}"),
                neurons: Box::new(LifPopulation::new("p", p, dt, &bias).unwrap()),
            }
        })
        .collect();
    let drive = Drive {
        current: 1.5,
        seen: Vec::new(),
    };
    let components = vec![
        Relay::boxed(2, 3, fused),
        Box::new(drive),
        Relay::boxed(0, 1, fused),
        Relay::boxed(3, 3, fused),
        Relay::boxed(1, 2, fused),
    ];
    let mut sim = Simulator::new(dt, populations, components, threads).unwrap();
    sim.set_min_parallel_work(0);
    let mut out = Vec::new();
    sim.run_stepwise(300, &mut |s| out.push(s.spikes().to_vec()))
        .unwrap();
    out
}

#[test]
fn components_fused_into_population_tasks_keep_the_schedule() {
    // A relay's drive of step k must see what it observed at step k − 1, also when its source
    // steps before its target within one task; and the same bits on 1 and 2 threads.
    let reference = relay_chain(false, 1);
    let active: usize = reference.iter().map(|s| s[3].len()).sum();
    assert!(active > 100, "the chain's end is active ({active} spikes)");
    for threads in [1, 2] {
        assert!(relay_chain(true, threads) == reference, "{threads} threads");
        assert!(
            relay_chain(false, threads) == reference,
            "{threads} threads, unfused"
        );
    }
}

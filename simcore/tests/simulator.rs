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

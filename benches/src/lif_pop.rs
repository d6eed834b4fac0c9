//! `lif_pop` (peer workload W1): N independent LIF neurons, τ_m 20 ms, t_ref 2 ms, threshold
//! 20 mV above rest, reset to rest, constant drive giving 50 Hz, Δt 0.1 ms, 1 s.
//!
//! Parameters as `peers/common.py` `W1`: E_L = V_reset = −70 mV, V_th = −50 mV, C_m = 250 pF,
//! τ_m = 20 ms, t_ref = 2 ms, I_e = V_inf·C_m/τ_m with V_inf = 20 mV/(1 − e^{−0.9}) = 33.70 mV
//! (421.3 pA), so that t_ref + τ_m·ln(I/(I − 1)) = 20 ms in threshold units. Mapped onto the
//! normalised kernel by [`LifPhysical::to_normalised`]: J = 1/(1 − e^{−0.9}) = 1.6851, no voltage
//! floor. As the peers, the run records the spikes of the first `n_rec = 1000` neurons for the
//! rate estimate.

use simcore::neuron::lif::LifPhysical;
use simcore::population::Kernel;
use simcore::{LifPopulation, Par, Population, SimError, Simulator};

/// Time step, s.
pub const DT: f64 = 1e-4;
/// Simulated time, s.
pub const T: f64 = 1.0;
/// Neurons whose spikes are recorded.
pub const N_REC: usize = 1000;

/// The W1 neuron in physical units.
pub fn neuron() -> LifPhysical {
    let (tau_m, c_m, e_l, v_th) = (20.0, 250.0, -70.0, -50.0);
    let drive_norm = 1.0 / (1.0 - (-(20.0_f64 - 2.0) / 20.0).exp());
    let v_inf = drive_norm * (v_th - e_l);
    LifPhysical {
        c_m,
        tau_m,
        e_l,
        v_th,
        v_reset: e_l,
        t_ref: 2.0,
        i_e: v_inf * c_m / tau_m,
    }
}

/// The population of `n` W1 neurons.
pub fn population(n: usize) -> Result<LifPopulation, SimError> {
    let (params, j0) = neuron().to_normalised();
    LifPopulation::new("lif_pop", params, DT, &vec![j0 as f32; n])
}

/// A population of `n` W1 neurons started at spread phases of their 20 ms cycle (neuron `i`
/// where a neuron from rest is after `i mod 200` steps), so spiking and refractory lanes occur
/// at their steady-state frequency from the first step (kernel benchmarks).
pub fn population_spread(n: usize) -> Result<LifPopulation, SimError> {
    let mut p = population(n)?;
    let period = (0.02 / DT).round() as usize;
    let mut v = vec![0.0; n];
    let mut r = vec![0.0; n];
    let mut out = simcore::Spikes::default();
    let mut cycle = population(period)?;
    for k in 0..period {
        for i in (k..n).step_by(period) {
            v[i] = cycle.voltage()[k];
            r[i] = cycle.refractory()[k];
        }
        cycle.step(None, Kernel::Simd, Par::Seq, &mut out);
    }
    p.voltage_mut().copy_from_slice(&v);
    p.refractory_mut().copy_from_slice(&r);
    Ok(p)
}

/// A simulator holding the `n`-neuron population, on `threads` threads.
pub fn simulator(n: usize, threads: usize) -> Result<Simulator, SimError> {
    let pop = Population {
        name: "lif_pop".into(),
        neurons: Box::new(population(n)?),
    };
    Simulator::new(DT, vec![pop], Vec::new(), threads)
}

/// Runs 1 s and returns the mean rate (Hz) of the first [`N_REC`] neurons.
pub fn run(sim: &mut Simulator) -> Result<f64, SimError> {
    let steps = (T / DT).round() as u64;
    let n_rec = sim.populations()[0].neurons.len().min(N_REC);
    let mut count = 0usize;
    sim.run(steps, &mut |_, spikes| {
        count += spikes[0]
            .ids
            .iter()
            .take_while(|&&i| (i as usize) < n_rec)
            .count();
    })?;
    Ok(count as f64 / (n_rec.max(1) as f64 * T))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drive_matches_common_py_and_gives_50_hz() {
        let p = neuron();
        assert!((p.i_e - 421.3).abs() < 0.05, "{}", p.i_e);
        let (params, j0) = p.to_normalised();
        assert!((j0 - 1.6851).abs() < 1e-4);
        assert!((params.rate(j0) - 50.0).abs() < 1e-9);
        let mut sim = simulator(2000, 1).unwrap();
        let rate = run(&mut sim).unwrap();
        // From rest the first spike comes at 18 ms, then every 20 ms: 50 spikes in 1 s.
        assert!((rate - 50.0).abs() < 1e-9, "{rate}");
    }
}

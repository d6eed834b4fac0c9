//! The COBA network: the CUBA network's structure with conductance-based synapses (Vogels &
//! Abbott 2005; benchmark 1 of Brette et al. 2007, neuron parameters in
//! [`LifCobaParams::default`]): 4000 neurons (3200 excitatory, 800 inhibitory), connection
//! probability 0.02, conductance jumps `w_e = 6 nS` (`E_e = 0 mV`, `τ_e = 5 ms`) and
//! `w_i = 67 nS` (`E_i = −80 mV`, `τ_i = 10 ms`), delay 0.1 ms, initial `V ~ U(V_reset, V_th)`.
//! Brette et al. kick the network with a 50 ms stimulus; like the Auryn and BrainPy versions
//! of this benchmark, every neuron here instead receives a constant current of 200 pA
//! (`I/g_L = 20 mV`, so `V_∞ = −40 mV` lies above threshold and activity is self-sustained).
//! Spikes enter the neurons' `g_e`/`g_i` ports as increments at the start of the step
//! ([`Receptor::StepStart`]).

use rand::Rng;

use crate::connectivity::{Connect, Rule};
use crate::delivery::Receptor;
use crate::neuron::lif_coba::LifCobaParams;
use crate::rng::stream;
use crate::sim::{Component, Population, Simulator};
use crate::{LifCobaPopulation, SimError};

/// Parameters of the COBA network.
#[derive(Clone, Debug, PartialEq)]
pub struct Coba {
    /// Number of neurons.
    pub n: usize,
    /// Fraction of excitatory neurons.
    pub frac_exc: f64,
    /// Connection probability.
    pub p: f64,
    /// Neuron parameters.
    pub params: LifCobaParams,
    /// Constant input current, pA.
    pub i_e: f64,
    /// Excitatory conductance jump, nS.
    pub we_ns: f64,
    /// Inhibitory conductance jump, nS.
    pub wi_ns: f64,
    /// Synaptic delay, s.
    pub delay: f64,
    /// Time step, s.
    pub dt: f64,
}

impl Default for Coba {
    fn default() -> Self {
        Self {
            n: 4000,
            frac_exc: 0.8,
            p: 0.02,
            params: LifCobaParams::default(),
            i_e: 200.0,
            we_ns: 6.0,
            wi_ns: 67.0,
            delay: 1e-4,
            dt: 1e-4,
        }
    }
}

impl Coba {
    /// Builds the simulator (populations `exc`, `inh`; one delivery component) with master
    /// `seed` on `threads` threads.
    pub fn build(&self, seed: u64, threads: usize) -> Result<Simulator, SimError> {
        let ne = (self.n as f64 * self.frac_exc).round() as usize;
        let sizes = [ne, self.n - ne];
        let mut pops = Vec::new();
        let (v_r, v_th) = (self.params.v_reset as f32, self.params.v_th as f32);
        for (name, n) in ["exc", "inh"].into_iter().zip(sizes) {
            let mut p =
                LifCobaPopulation::new(name, self.params, self.dt, &vec![self.i_e as f32; n])?;
            let mut r = stream(seed, &format!("population/{name}/init"));
            p.voltage_mut()
                .iter_mut()
                .for_each(|v| *v = v_r + r.random::<f32>() * (v_th - v_r));
            pops.push(Population {
                name: name.into(),
                neurons: Box::new(p),
            });
        }
        let delivery = super::recurrent(
            sizes,
            3,
            self.dt,
            (seed, threads),
            |src| {
                let w = [self.we_ns, self.wi_ns][src];
                Connect::new(Rule::PairwiseBernoulli { p: self.p }, w, self.delay)
            },
            |src| (1 + src, Receptor::StepStart),
        )?;
        let comps: Vec<Box<dyn Component>> = vec![Box::new(delivery)];
        Simulator::new(self.dt, pops, comps, threads)
    }
}

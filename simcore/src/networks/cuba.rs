//! The CUBA network (Vogels & Abbott 2005, benchmark 2 of Brette et al. 2007) exactly as
//! Brian2's `examples/CUBA.py` and the peers' `cuba` workload (`peers/common.py`, `W2`) build
//! it, and its 40 000-neuron `cuba_scaled` variant.
//!
//! 4000 LIF neurons (3200 excitatory, 800 inhibitory), `τ_m = 20 ms`, `V_th = −50 mV`,
//! `V_reset = −60 mV`, `E_L = −49 mV` (so every neuron is driven above threshold by its leak
//! reversal alone), `t_ref = 5 ms`, initial `V ~ U(V_reset, V_th)`. Exponential current
//! synapses: each spike makes `g_e` jump by `w_e = 1.62 mV` (decay `τ_e = 5 ms`) or `g_i` by
//! `w_i = −9 mV` (`τ_i = 10 ms`), with `τ_m dV/dt = g_e + g_i − (V − E_L)`; delay 0.1 ms (one
//! step). Connectivity: each pair with probability 0.02 (Brian2 `connect(p=0.02)`, autapses
//! allowed), or for `cuba_scaled` a fixed in-degree of 64 excitatory and 16 inhibitory sources
//! drawn with replacement.
//!
//! In normalised LIF units (`v = (V − V_reset)/(V_th − V_reset)`): the leak reversal is the
//! constant current `J_0 = (E_L − V_reset)/(V_th − V_reset) = 1.1`, synaptic currents scale by
//! `1/(V_th − V_reset)`, and an exponential synapse with jump `w` is a PSC filter of impulse
//! area `w·τ` ([`Receptor::Filter`]).

use rand::Rng;

use crate::connectivity::{Connect, Rule};
use crate::delivery::Receptor;
use crate::neuron::lif::LifParams;
use crate::rng::stream;
use crate::sim::{Component, Population, Simulator};
use crate::synapse::PscShape;
use crate::{LifPopulation, SimError};

/// How CUBA neurons are connected.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CubaConnectivity {
    /// Every ordered pair with probability `p` (Brian2 `connect(p=...)`).
    Bernoulli(f64),
    /// Fixed in-degrees from the excitatory and inhibitory populations, with replacement.
    FixedIndegree {
        /// Excitatory sources per neuron.
        ke: usize,
        /// Inhibitory sources per neuron.
        ki: usize,
    },
}

/// Parameters of the CUBA network (defaults: `peers/common.py` `W2`).
#[derive(Clone, Debug, PartialEq)]
pub struct Cuba {
    /// Number of neurons.
    pub n: usize,
    /// Fraction of excitatory neurons.
    pub frac_exc: f64,
    /// Connectivity.
    pub connectivity: CubaConnectivity,
    /// Membrane time constant, s.
    pub tau_m: f64,
    /// Excitatory synaptic time constant, s.
    pub tau_e: f64,
    /// Inhibitory synaptic time constant, s.
    pub tau_i: f64,
    /// Threshold, mV.
    pub v_th: f64,
    /// Reset, mV.
    pub v_reset: f64,
    /// Leak reversal, mV.
    pub e_l: f64,
    /// Refractory period, s.
    pub t_ref: f64,
    /// Excitatory jump of g_e, mV.
    pub we_mv: f64,
    /// Inhibitory jump of g_i, mV.
    pub wi_mv: f64,
    /// Synaptic delay, s.
    pub delay: f64,
    /// Time step, s.
    pub dt: f64,
}

impl Default for Cuba {
    fn default() -> Self {
        Self {
            n: 4000,
            frac_exc: 0.8,
            connectivity: CubaConnectivity::Bernoulli(0.02),
            tau_m: 20e-3,
            tau_e: 5e-3,
            tau_i: 10e-3,
            v_th: -50.0,
            v_reset: -60.0,
            e_l: -49.0,
            t_ref: 5e-3,
            we_mv: 60.0 * 0.27 / 10.0,
            wi_mv: -20.0 * 4.5 / 10.0,
            delay: 1e-4,
            dt: 1e-4,
        }
    }
}

impl Cuba {
    /// The `cuba_scaled` workload: `n` neurons (40 000 in the peers' benchmark) with fixed
    /// in-degree `K_E = round(0.02·3200) = 64`, `K_I = 16`.
    pub fn scaled(n: usize) -> Self {
        Self {
            n,
            connectivity: CubaConnectivity::FixedIndegree { ke: 64, ki: 16 },
            ..Self::default()
        }
    }

    /// Number of excitatory neurons, `round(n·frac_exc)`.
    pub fn n_exc(&self) -> usize {
        (self.n as f64 * self.frac_exc).round() as usize
    }

    /// Builds the simulator (populations `exc`, `inh`; one delivery component) with master
    /// `seed` on `threads` threads.
    pub fn build(&self, seed: u64, threads: usize) -> Result<Simulator, SimError> {
        let scale = 1.0 / (self.v_th - self.v_reset);
        let params = LifParams {
            tau_rc: self.tau_m,
            tau_ref: self.t_ref,
            min_voltage: f64::NEG_INFINITY,
        };
        let bias = ((self.e_l - self.v_reset) * scale) as f32;
        let sizes = [self.n_exc(), self.n - self.n_exc()];
        let mut pops = Vec::new();
        for (name, n) in ["exc", "inh"].into_iter().zip(sizes) {
            let mut p = LifPopulation::new(name, params, self.dt, &vec![bias; n])?;
            let mut r = stream(seed, &format!("population/{name}/init"));
            p.voltage_mut()
                .iter_mut()
                .for_each(|v| *v = r.random::<f32>());
            pops.push(Population {
                name: name.into(),
                neurons: Box::new(p),
            });
        }
        let syn = [
            (self.we_mv * scale, self.tau_e),
            (self.wi_mv * scale, self.tau_i),
        ];
        let delivery = super::recurrent(
            sizes,
            1,
            self.dt,
            (seed, threads),
            |src| {
                let rule = match self.connectivity {
                    CubaConnectivity::Bernoulli(p) => Rule::PairwiseBernoulli { p },
                    CubaConnectivity::FixedIndegree { ke, ki } => {
                        Rule::FixedIndegree { k: [ke, ki][src] }
                    }
                };
                let (w, tau) = syn[src];
                Connect::new(rule, w * tau, self.delay)
            },
            |src| (0, Receptor::Filter(PscShape::exponential(syn[src].1))),
        )?;
        let comps: Vec<Box<dyn Component>> = vec![Box::new(delivery)];
        Simulator::new(self.dt, pops, comps, threads)
    }
}

//! Brunel (2000) sparse random network, Fig. 8 (J. Comput. Neurosci. 8:183–208), as NEST's
//! `examples/brunel_delta_nest.py` and Brian2's `examples/frompapers/Brunel_2000.py` build it
//! (parameters: `peers/common.py`, `W4`).
//!
//! `N_E = 10 000` excitatory and `N_I = 2 500` inhibitory LIF neurons, `τ_m = 20 ms`,
//! `θ = 20 mV`, `V_r = 10 mV`, rest 0 mV, `τ_ref = 2 ms`, all starting at `V = 0`. Every neuron
//! receives `C_E = 1000` synapses from excitatory and `C_I = 250` from inhibitory neurons
//! (fixed in-degree, sources with replacement, autapses allowed: NEST's defaults), delta
//! synapses `J = 0.1 mV` and `−gJ`, delay `D = 1.5 ms`, and an independent Poisson train of rate
//! `C_E·ν_ext` with weight `J`, where `ν_ext = η·ν_thr` and `ν_thr = θ/(J·C_E·τ_m)`. Input
//! arriving during the refractory period is discarded (NEST `iaf_psc_delta`).
//!
//! In spikesim's normalised LIF units (`v = (V − V_r)/(θ − V_r)`), the rest potential is the
//! constant current `J_0 = (0 − V_r)/(θ − V_r) = −1`, jumps scale by `1/(θ − V_r)` and the
//! initial voltage is `−1`.

use crate::connectivity::{Connect, Rule};
use crate::delivery::Receptor;
use crate::neuron::lif::LifParams;
use crate::sim::{Component, Population, Simulator};
use crate::sources::{PoissonInput, RateTable};
use crate::{LifPopulation, SimError};

/// The four regimes of Brunel (2000) Fig. 8 as `(g, η)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Regime {
    /// Synchronous regular, (g, η) = (3, 2).
    SynchronousRegular,
    /// Fast synchronous irregular, (6, 4).
    SynchronousIrregularFast,
    /// Asynchronous irregular, (5, 2).
    AsynchronousIrregular,
    /// Slow synchronous irregular, (4.5, 0.9).
    SynchronousIrregularSlow,
}

impl Regime {
    /// `(g, η)`.
    pub fn g_eta(self) -> (f64, f64) {
        match self {
            Regime::SynchronousRegular => (3.0, 2.0),
            Regime::SynchronousIrregularFast => (6.0, 4.0),
            Regime::AsynchronousIrregular => (5.0, 2.0),
            Regime::SynchronousIrregularSlow => (4.5, 0.9),
        }
    }

    /// Short name (`sr`, `si_fast`, `ai`, `si_slow`).
    pub fn name(self) -> &'static str {
        match self {
            Regime::SynchronousRegular => "sr",
            Regime::SynchronousIrregularFast => "si_fast",
            Regime::AsynchronousIrregular => "ai",
            Regime::SynchronousIrregularSlow => "si_slow",
        }
    }

    /// All four regimes.
    pub const ALL: [Regime; 4] = [
        Regime::SynchronousRegular,
        Regime::SynchronousIrregularFast,
        Regime::AsynchronousIrregular,
        Regime::SynchronousIrregularSlow,
    ];
}

/// Parameters of the Brunel network (defaults: `peers/common.py` `W4`, AI regime).
#[derive(Clone, Debug, PartialEq)]
pub struct Brunel {
    /// Excitatory neurons.
    pub ne: usize,
    /// Inhibitory neurons.
    pub ni: usize,
    /// Excitatory in-degree.
    pub ce: usize,
    /// Inhibitory in-degree.
    pub ci: usize,
    /// EPSP jump, mV.
    pub j_mv: f64,
    /// Relative inhibition g (IPSP = −g·J).
    pub g: f64,
    /// External drive relative to threshold, η = ν_ext/ν_thr.
    pub eta: f64,
    /// Recurrent delay, s.
    pub delay: f64,
    /// Membrane time constant, s.
    pub tau_m: f64,
    /// Threshold above rest, mV.
    pub theta_mv: f64,
    /// Reset above rest, mV.
    pub v_reset_mv: f64,
    /// Refractory period, s.
    pub t_ref: f64,
    /// Initial voltage above rest, mV.
    pub v0_mv: f64,
    /// Time step, s.
    pub dt: f64,
}

impl Default for Brunel {
    fn default() -> Self {
        Self {
            ne: 10_000,
            ni: 2_500,
            ce: 1000,
            ci: 250,
            j_mv: 0.1,
            g: 5.0,
            eta: 2.0,
            delay: 1.5e-3,
            tau_m: 20e-3,
            theta_mv: 20.0,
            v_reset_mv: 10.0,
            t_ref: 2e-3,
            v0_mv: 0.0,
            dt: 1e-4,
        }
    }
}

impl Brunel {
    /// The default network in `regime`.
    pub fn regime(regime: Regime) -> Self {
        let (g, eta) = regime.g_eta();
        Self {
            g,
            eta,
            ..Self::default()
        }
    }

    /// The network scaled down by `f` (neuron counts and in-degrees divided by `f`, the
    /// external rate per neuron kept), for quick tests. The per-synapse weight is scaled up by
    /// `f` so the mean input and its balance stay those of the full network.
    pub fn scaled_down(mut self, f: usize) -> Self {
        self.ne /= f;
        self.ni /= f;
        self.ce /= f;
        self.ci /= f;
        self.j_mv *= f as f64;
        self
    }

    /// Rate of each of the `C_E` external inputs, Hz: `η·θ/(J·C_E·τ_m)`.
    pub fn nu_ext_hz(&self) -> f64 {
        self.eta * self.theta_mv / (self.j_mv * self.ce as f64 * self.tau_m)
    }

    /// Builds the simulator (populations `exc` then `inh`; components: recurrent delivery, then
    /// the Poisson inputs) with master `seed` on `threads` threads.
    pub fn build(&self, seed: u64, threads: usize) -> Result<Simulator, SimError> {
        let scale = 1.0 / (self.theta_mv - self.v_reset_mv);
        let params = LifParams {
            tau_rc: self.tau_m,
            tau_ref: self.t_ref,
            min_voltage: f64::NEG_INFINITY,
        };
        let bias = (0.0 - self.v_reset_mv) * scale;
        let v0 = ((self.v0_mv - self.v_reset_mv) * scale) as f32;
        let pop = |name: &str, n: usize| -> Result<LifPopulation, SimError> {
            let mut p =
                LifPopulation::new(name, params, self.dt, &vec![bias as f32; n])?.with_jump_port();
            p.voltage_mut().fill(v0);
            Ok(p)
        };
        let pops = vec![
            Population {
                name: "exc".into(),
                neurons: Box::new(pop("exc", self.ne)?),
            },
            Population {
                name: "inh".into(),
                neurons: Box::new(pop("inh", self.ni)?),
            },
        ];
        let sizes = [self.ne, self.ni];
        let we = self.j_mv * scale;
        let wi = -self.g * self.j_mv * scale;
        let delivery = super::recurrent(
            sizes,
            2,
            self.dt,
            (seed, threads),
            |src| {
                let k = [self.ce, self.ci][src];
                Connect::new(Rule::FixedIndegree { k }, [we, wi][src], self.delay)
            },
            |_| (1, Receptor::Direct),
        )?;
        let rate = RateTable::constant(self.nu_ext_hz() * self.ce as f64);
        let mut comps: Vec<Box<dyn Component>> = vec![Box::new(delivery)];
        for (i, name) in ["ext_e", "ext_i"].into_iter().enumerate() {
            comps.push(Box::new(PoissonInput::new(
                name,
                i,
                1,
                sizes[i],
                we as f32,
                rate.clone(),
                seed,
            )?));
        }
        Simulator::new(self.dt, pops, comps, threads)
    }
}

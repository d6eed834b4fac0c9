//! Rate neurons: the LIF steady-state rate curve used as the neuron's output (Nengo `LIFRate`).
//!
//! Each step, neuron $i$ outputs $r_i = G(J_i + \beta_i)$ (Hz), where $J_i$ is the input current
//! summed for the step (port `current`), $\beta_i$ its bias and
//! $G(J) = 1/(\tau_{ref} - \tau_{rc}\ln(1 - 1/J))$ for $J > 1$, else 0: simcore's analytic LIF
//! rate [`LifParams::rate`], the same function the tuning curves and decoders use. There is no
//! state and no spike; decoded connections read the rates through a [`SharedRates`] handle and
//! decode $\hat x = \sum_i d_i r_i$ each step (Nengo: rate neurons output rates, spiking neurons
//! spikes of height 1/Δt, so the same decoders serve both).

use std::sync::{Arc, RwLock};

use simcore::lanes::Padded;
use simcore::neuron::lif::LifParams;
use simcore::par::Par;
use simcore::spikes::Spikes;
use simcore::{Neurons, SimError};

/// The rates of a [`LifRatePopulation`] as of its last step, shared with the components that
/// decode them (written in phase 2 of a step, read in phase 3).
#[derive(Clone, Debug, Default)]
pub struct SharedRates(Arc<RwLock<Vec<f32>>>);

impl SharedRates {
    /// Calls `f` with the current rates (Hz, one per neuron).
    pub fn with<R>(&self, f: impl FnOnce(&[f32]) -> R) -> R {
        let guard = self.0.read().unwrap_or_else(|e| e.into_inner());
        f(&guard)
    }

    fn set(&self, rates: &[f32]) {
        let mut guard = self.0.write().unwrap_or_else(|e| e.into_inner());
        guard.clear();
        guard.extend_from_slice(rates);
    }
}

/// A population of LIF rate neurons.
#[derive(Debug)]
pub struct LifRatePopulation {
    params: LifParams,
    bias: Vec<f64>,
    rates: Vec<f32>,
    shared: SharedRates,
}

impl LifRatePopulation {
    /// `bias.len()` rate neurons with LIF parameters `params`; `name` names the population in
    /// errors.
    pub fn new(name: &str, params: LifParams, bias: &[f64]) -> Result<Self, SimError> {
        params.validate(name)?;
        let shared = SharedRates::default();
        shared.set(&vec![0.0; bias.len()]);
        Ok(Self {
            params,
            bias: bias.to_vec(),
            rates: vec![0.0; bias.len()],
            shared,
        })
    }

    /// The handle through which components read the rates.
    pub fn shared_rates(&self) -> SharedRates {
        self.shared.clone()
    }

    /// The rates (Hz) of the last step.
    pub fn rates(&self) -> &[f32] {
        &self.rates
    }
}

impl Neurons for LifRatePopulation {
    fn len(&self) -> usize {
        self.bias.len()
    }
    fn model(&self) -> &'static str {
        "lif_rate"
    }
    fn ports(&self) -> &'static [(&'static str, &'static str)] {
        &[("current", "1 (normalised current J)")]
    }
    fn step(&mut self, inputs: &[Padded], _par: Par<'_>, out: &mut Spikes) {
        out.clear();
        let j = inputs[0].as_slice();
        for ((r, &b), &j) in self.rates.iter_mut().zip(&self.bias).zip(j) {
            *r = self.params.rate(f64::from(j) + b) as f32;
        }
        self.shared.set(&self.rates);
    }
    fn variables(&self) -> &'static [(&'static str, &'static str)] {
        &[("rate", "Hz")]
    }
    fn variable(&self, name: &str) -> Option<&[f32]> {
        (name == "rate").then_some(&self.rates[..])
    }
    fn find_non_finite(&self) -> Option<(usize, &'static str)> {
        self.rates
            .iter()
            .position(|r| !r.is_finite())
            .map(|i| (i, "rate"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_follow_the_analytic_curve() {
        let p = LifParams::default();
        let bias = [0.5, 1.0, 1.2, 3.0, 10.0, -2.0, 1.0001];
        let mut pop = LifRatePopulation::new("r", p, &bias).unwrap();
        let shared = pop.shared_rates();
        for input in [0.0_f32, 0.7, 2.5] {
            let mut spikes = Spikes::default();
            pop.step(&[Padded::filled(bias.len(), input)], Par::Seq, &mut spikes);
            assert!(spikes.is_empty());
            for (i, &b) in bias.iter().enumerate() {
                let j = f64::from(input) + b;
                // G(J) written out from its definition, not through LifParams::rate.
                let expected = if j > 1.0 {
                    1.0 / (p.tau_ref - p.tau_rc * (1.0 - 1.0 / j).ln())
                } else {
                    0.0
                };
                let got = f64::from(pop.rates()[i]);
                assert!(
                    (got - expected).abs() <= 1e-5 * expected.max(1.0),
                    "J {j}: {got} vs {expected}"
                );
                assert_eq!(shared.with(|r| r[i]), pop.rates()[i]);
            }
        }
        assert!(pop.rates().iter().any(|&r| r > 100.0));
        assert_eq!(pop.variable("rate").unwrap(), pop.rates());
        assert!(pop.variable("v").is_none());
    }

    #[test]
    fn bad_parameters_are_errors() {
        let p = LifParams {
            tau_rc: -1.0,
            ..LifParams::default()
        };
        assert!(LifRatePopulation::new("r", p, &[1.0]).is_err());
    }
}

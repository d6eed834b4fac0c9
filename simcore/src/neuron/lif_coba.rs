//! The conductance-based leaky integrate-and-fire neuron (COBA), in physical units.
//!
//! $$C_m\,\dot V = -g_L (V - E_L) + g_e(t)\,(E_e - V) + g_i(t)\,(E_i - V) + I_e + I(t),$$
//! $$\tau_e\,\dot g_e = -g_e,\qquad \tau_i\,\dot g_i = -g_i,$$
//!
//! threshold `V_th`, reset `V_reset`, absolute refractory period `t_ref` during which V is held
//! at `V_reset` (conductances keep decaying), as in Brette et al. (2007) benchmark 1 (the
//! "COBA" network; Brian2 `examples/COBA.py`, NEST `iaf_cond_exp`). Units: pF, nS, mV, pA;
//! times in seconds at the API (milliseconds inside the kernel). An incoming spike of weight w
//! (nS) makes the conductance jump by w at the start of the step it is delivered in.
//!
//! # Discretisation
//! The conductances are exponential PSC filters ([`crate::synapse::PscFilter`], exact,
//! impulse input scaled by τ so a weight w is a jump of w nS) whose output is the **exact
//! average** $\bar g$ of g(t) over the step. With $\bar g_e, \bar g_i$ and the current held over
//! the step, V is linear with constant coefficients and is advanced exactly:
//!
//! $$g = g_L + \bar g_e + \bar g_i,\quad
//!   V_\infty = \frac{g_L E_L + \bar g_e E_e + \bar g_i E_i + I_e + I}{g},\quad
//!   V \leftarrow V - (V_\infty - V)\,\mathrm{expm1}(-\Delta t_{\mathrm{eff}}\,g/C_m).$$
//!
//! Replacing g(t) by its step average leaves a local error O(Δt³) (the deviation has zero mean
//! over the step), so the scheme is second order; tests compare it with an f64 small-step RK4
//! reference. A threshold crossing is timed exactly on the exponential segment:
//! $t_s = (\Delta t - \Delta t_{\mathrm{eff}}) + \frac{C_m}{g}\ln\frac{V_0 - V_\infty}{V_{th} - V_\infty}$,
//! and the refractory period counts from $t_s$ (`Δt_eff` is the part of the step after the
//! refractory period ends, as in the LIF kernel).

use crate::SimError;

/// COBA LIF parameters in physical units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LifCobaParams {
    /// Membrane capacitance C_m, pF.
    pub c_m: f64,
    /// Leak conductance g_L, nS.
    pub g_l: f64,
    /// Leak reversal (resting) potential E_L, mV.
    pub e_l: f64,
    /// Spike threshold V_th, mV.
    pub v_th: f64,
    /// Reset potential V_reset, mV.
    pub v_reset: f64,
    /// Absolute refractory period t_ref, seconds.
    pub t_ref: f64,
    /// Excitatory reversal potential E_e, mV.
    pub e_e: f64,
    /// Inhibitory reversal potential E_i, mV.
    pub e_i: f64,
    /// Excitatory conductance decay time τ_e, seconds.
    pub tau_e: f64,
    /// Inhibitory conductance decay time τ_i, seconds.
    pub tau_i: f64,
}

impl Default for LifCobaParams {
    /// Brette et al. (2007) benchmark 1: 200 pF, 10 nS (τ_m = 20 ms), E_L −60 mV, threshold
    /// −50 mV, reset −60 mV, 5 ms refractory, E_e 0 mV, E_i −80 mV, τ_e 5 ms, τ_i 10 ms.
    fn default() -> Self {
        Self {
            c_m: 200.0,
            g_l: 10.0,
            e_l: -60.0,
            v_th: -50.0,
            v_reset: -60.0,
            t_ref: 0.005,
            e_e: 0.0,
            e_i: -80.0,
            tau_e: 0.005,
            tau_i: 0.010,
        }
    }
}

impl LifCobaParams {
    /// Membrane time constant C_m/g_L, seconds.
    pub fn tau_m(&self) -> f64 {
        self.c_m / self.g_l * 1e-3
    }

    /// Checks the parameters' ranges; `object` names the owner in the error.
    pub fn validate(&self, object: &str) -> Result<(), SimError> {
        let bad = |key, value: f64, msg: &str| SimError::Param {
            object: object.to_string(),
            key,
            value: value.to_string(),
            msg: msg.to_string(),
        };
        for (key, v) in [
            ("c_m", self.c_m),
            ("g_l", self.g_l),
            ("tau_e", self.tau_e),
            ("tau_i", self.tau_i),
        ] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(bad(key, v, "must be positive and finite"));
            }
        }
        if !(self.t_ref >= 0.0 && self.t_ref.is_finite()) {
            return Err(bad("t_ref", self.t_ref, "must be ≥ 0 and finite"));
        }
        for (key, v) in [
            ("e_l", self.e_l),
            ("v_th", self.v_th),
            ("v_reset", self.v_reset),
            ("e_e", self.e_e),
            ("e_i", self.e_i),
        ] {
            if !v.is_finite() {
                return Err(bad(key, v, "must be finite"));
            }
        }
        if self.v_reset >= self.v_th {
            return Err(bad(
                "v_reset",
                self.v_reset,
                "must be below the threshold v_th",
            ));
        }
        Ok(())
    }
}

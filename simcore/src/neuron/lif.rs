//! The leaky integrate-and-fire neuron: parameters, analytic rate and its inverse.
//!
//! # Normalised (NEF) units
//! $$\tau_{rc}\,\dot v = J - v$$, threshold 1, reset 0, absolute refractory period τ_ref, as in
//! Nengo's `LIF`. A neuron's input current is `J = gain·x + bias` for NEF ensembles, or the
//! bias plus synaptic input for networks.
//!
//! # Physical units (NEST `iaf_psc_*`, Brian2)
//! $$C_m\,\dot V = -\frac{C_m}{\tau_m}(V - E_L) + I_e + I_{syn},$$ threshold V_th, reset V_reset,
//! refractory t_ref. With `R = τ_m/C_m` (ms/pF = GΩ, so `R·I` in mV for I in pA) and
//! $$v = \frac{V - V_{reset}}{V_{th} - V_{reset}},\qquad
//!   J = \frac{E_L - V_{reset} + R\,(I_e + I_{syn})}{V_{th} - V_{reset}},$$
//! the physical model is exactly the normalised one with `τ_rc = τ_m`, `τ_ref = t_ref`, and no
//! voltage floor (`v_min = −∞`). [`LifPhysical::to_normalised`] performs this mapping; synaptic
//! currents in pA scale by [`LifPhysical::current_scale`].

use wide::f32x8;

use crate::SimError;

/// LIF parameters in normalised units (seconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LifParams {
    /// Membrane RC time constant τ_rc, seconds (Nengo default 0.02).
    pub tau_rc: f64,
    /// Absolute refractory period τ_ref, seconds (Nengo default 0.002).
    pub tau_ref: f64,
    /// Lower bound on the normalised voltage (Nengo default 0; `-inf` for none).
    pub min_voltage: f64,
}

impl Default for LifParams {
    fn default() -> Self {
        Self {
            tau_rc: 0.02,
            tau_ref: 0.002,
            min_voltage: 0.0,
        }
    }
}

impl LifParams {
    /// Checks the parameters' ranges; `object` names the owner in the error.
    pub fn validate(&self, object: &str) -> Result<(), SimError> {
        let bad = |key, value: f64, msg: &str| SimError::Param {
            object: object.to_string(),
            key,
            value: value.to_string(),
            msg: msg.to_string(),
        };
        if !(self.tau_rc > 0.0 && self.tau_rc.is_finite()) {
            return Err(bad(
                "tau_rc",
                self.tau_rc,
                "must be a positive, finite time",
            ));
        }
        if !(self.tau_ref >= 0.0 && self.tau_ref.is_finite()) {
            return Err(bad("tau_ref", self.tau_ref, "must be ≥ 0 and finite"));
        }
        if self.min_voltage.is_nan() || self.min_voltage >= 1.0 {
            return Err(bad(
                "min_voltage",
                self.min_voltage,
                "must be below the threshold 1",
            ));
        }
        Ok(())
    }

    /// Analytic firing rate for constant input current `j` (Hz):
    ///
    /// $$G(J) = \frac{1}{\tau_{ref} - \tau_{rc}\ln(1 - 1/J)}\quad (J > 1),\qquad 0\ \text{otherwise}.$$
    ///
    /// Derivation: from reset 0 the voltage `v(t) = J(1 − e^{−t/τ_rc})` reaches 1 after
    /// `t = −τ_rc ln(1 − 1/J)`; add the refractory period. (Eliasmith & Anderson 2003, eq. 4.8;
    /// Nengo `LIF.rates`.) Evaluated with `ln1p` for accuracy near threshold.
    pub fn rate(&self, j: f64) -> f64 {
        if j > 1.0 {
            1.0 / (self.tau_ref - self.tau_rc * (-1.0 / j).ln_1p())
        } else {
            0.0
        }
    }

    /// [`rate`](Self::rate) on eight f32 lanes, for building large tuning-curve matrices:
    /// $G(J) = 1/(\tau_{ref} - \tau_{rc}\ln((J-1)/J))$ for $J > 1$, else 0, with simcore's
    /// vector logarithm ([`crate::kernels::mathf::ln_x8`]). `(J−1)/J` keeps full relative
    /// precision near threshold, where `1 − 1/J` would cancel. Agrees with the f64 reference to
    /// about 1e-6 relative (tested).
    #[inline(always)]
    pub fn rate_x8(&self, j: f32x8) -> f32x8 {
        let one = f32x8::ONE;
        let u = (j - one) / j;
        let r = one
            / (f32x8::splat(self.tau_ref as f32)
                - f32x8::splat(self.tau_rc as f32) * crate::kernels::mathf::ln_x8(u));
        j.simd_gt(one).select(r, f32x8::ZERO)
    }

    /// Inverse of [`rate`](Self::rate): the constant current giving firing rate `r` (Hz),
    ///
    /// $$J(r) = \frac{1}{1 - e^{(\tau_{ref} - 1/r)/\tau_{rc}}} = \frac{-1}{\mathrm{expm1}((\tau_{ref}-1/r)/\tau_{rc})},$$
    ///
    /// valid for `0 < r < 1/τ_ref` (returns 1, the threshold, for `r ≤ 0`, and `+inf` at or above
    /// the maximum rate `1/τ_ref`).
    pub fn current_for_rate(&self, r: f64) -> f64 {
        if r <= 0.0 {
            return 1.0;
        }
        if r * self.tau_ref >= 1.0 {
            return f64::INFINITY;
        }
        -1.0 / ((self.tau_ref - 1.0 / r) / self.tau_rc).exp_m1()
    }

    /// Gain and bias that give a neuron firing rate `max_rate` (Hz) at `x = 1` and threshold at
    /// `x = intercept`, for `J = gain·x + bias` (Nengo `LIF.gain_bias`):
    /// `J_max = J(max_rate)`, `gain = (J_max − 1)/(1 − intercept)`, `bias = 1 − gain·intercept`.
    pub fn gain_bias(&self, max_rate: f64, intercept: f64) -> (f64, f64) {
        let j_max = self.current_for_rate(max_rate);
        let gain = (j_max - 1.0) / (1.0 - intercept);
        (gain, 1.0 - gain * intercept)
    }

    /// Maximum rate and intercept of a neuron with the given gain and bias (inverse of
    /// [`gain_bias`](Self::gain_bias)).
    pub fn max_rate_intercept(&self, gain: f64, bias: f64) -> (f64, f64) {
        let intercept = (1.0 - bias) / gain;
        (self.rate(gain + bias), intercept)
    }
}

/// LIF parameters in physical units, as NEST's `iaf_psc_*` and Brian2 users write them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LifPhysical {
    /// Membrane capacitance C_m, pF.
    pub c_m: f64,
    /// Membrane time constant τ_m, ms.
    pub tau_m: f64,
    /// Resting (leak reversal) potential E_L, mV.
    pub e_l: f64,
    /// Spike threshold V_th, mV.
    pub v_th: f64,
    /// Reset potential V_reset, mV.
    pub v_reset: f64,
    /// Absolute refractory period t_ref, ms.
    pub t_ref: f64,
    /// Constant input current I_e, pA.
    pub i_e: f64,
}

impl Default for LifPhysical {
    /// NEST 3 `iaf_psc_exp` defaults.
    fn default() -> Self {
        Self {
            c_m: 250.0,
            tau_m: 10.0,
            e_l: -70.0,
            v_th: -55.0,
            v_reset: -70.0,
            t_ref: 2.0,
            i_e: 0.0,
        }
    }
}

impl LifPhysical {
    /// Checks ranges; `object` names the owner in the error.
    pub fn validate(&self, object: &str) -> Result<(), SimError> {
        let bad = |key, value: f64, msg: &str| SimError::Param {
            object: object.to_string(),
            key,
            value: value.to_string(),
            msg: msg.to_string(),
        };
        for (key, value) in [("c_m", self.c_m), ("tau_m", self.tau_m)] {
            if !(value > 0.0 && value.is_finite()) {
                return Err(bad(key, value, "must be positive and finite"));
            }
        }
        for (key, value) in [
            ("e_l", self.e_l),
            ("v_th", self.v_th),
            ("v_reset", self.v_reset),
            ("i_e", self.i_e),
        ] {
            if !value.is_finite() {
                return Err(bad(key, value, "must be finite"));
            }
        }
        if !(self.t_ref >= 0.0 && self.t_ref.is_finite()) {
            return Err(bad("t_ref", self.t_ref, "must be ≥ 0 and finite"));
        }
        if self.v_th <= self.v_reset {
            return Err(bad("v_th", self.v_th, "must be above v_reset"));
        }
        Ok(())
    }

    /// Membrane resistance R = τ_m / C_m in GΩ (mV per pA).
    pub fn resistance(&self) -> f64 {
        self.tau_m / self.c_m
    }

    /// Normalised current per pA of input: `R / (V_th − V_reset)`.
    pub fn current_scale(&self) -> f64 {
        self.resistance() / (self.v_th - self.v_reset)
    }

    /// The normalised parameters and the constant normalised drive
    /// `J₀ = (E_L − V_reset + R·I_e)/(V_th − V_reset)`.
    pub fn to_normalised(&self) -> (LifParams, f64) {
        let params = LifParams {
            tau_rc: self.tau_m * 1e-3,
            tau_ref: self.t_ref * 1e-3,
            min_voltage: f64::NEG_INFINITY,
        };
        let j0 =
            (self.e_l - self.v_reset + self.resistance() * self.i_e) / (self.v_th - self.v_reset);
        (params, j0)
    }

    /// Normalised voltage of membrane potential `v_mv` (mV).
    pub fn normalise_voltage(&self, v_mv: f64) -> f64 {
        (v_mv - self.v_reset) / (self.v_th - self.v_reset)
    }

    /// Membrane potential (mV) of normalised voltage `v`.
    pub fn physical_voltage(&self, v: f64) -> f64 {
        self.v_reset + v * (self.v_th - self.v_reset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_rate_matches_the_scalar_reference() {
        for p in [
            LifParams::default(),
            LifParams {
                tau_rc: 0.01,
                tau_ref: 0.004,
                min_voltage: 0.0,
            },
        ] {
            // Below, at and just above threshold, then geometric up to J = 1e4.
            let mut js: Vec<f32> = vec![-3.0, 0.0, 0.5, 1.0, 1.0 + f32::EPSILON, 1.000_01, 1.001];
            js.extend((0..200).map(|i| 1.0 + 10f32.powf(-4.0 + 8.0 * i as f32 / 199.0)));
            for chunk in js.chunks(8) {
                let mut lanes = [2.0_f32; 8];
                lanes[..chunk.len()].copy_from_slice(chunk);
                let got = p.rate_x8(f32x8::from(lanes)).to_array();
                for (&j, &r) in chunk.iter().zip(&got) {
                    let want = p.rate(f64::from(j));
                    assert!(
                        (f64::from(r) - want).abs() <= 2e-6 * want + 1e-9,
                        "J {j}: {r} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn rate_and_inverse_round_trip() {
        let p = LifParams::default();
        // Below ~5 Hz, J − 1 = e^{−1/(r·τ_rc)} underflows f64 precision: J rounds to exactly 1.
        for r in [5.0, 10.0, 50.0, 200.0, 400.0, 499.0] {
            let j = p.current_for_rate(r);
            assert!(
                (p.rate(j) - r).abs() < 1e-7 * r.max(1.0),
                "r = {r}: {}",
                p.rate(j)
            );
        }
        assert_eq!(p.rate(1.0), 0.0);
        assert_eq!(p.rate(0.3), 0.0);
    }

    #[test]
    fn rate_matches_closed_form_example() {
        // J = 2: t = −0.02·ln(0.5) = 0.013863 s; rate = 1/(0.002 + 0.013863).
        let p = LifParams::default();
        let expect = 1.0 / (0.002 + 0.02 * std::f64::consts::LN_2);
        assert!((p.rate(2.0) - expect).abs() < 1e-12);
    }

    #[test]
    fn gain_bias_matches_nengo_formula() {
        // Nengo: x = 1/(1-exp((tau_ref - 1/max_rate)/tau_rc)); gain = (1-x)/(intercept-1);
        // bias = 1 - gain*intercept.
        let p = LifParams::default();
        for (mr, ic) in [(200.0, -0.5), (400.0, 0.8), (250.0, 0.0)] {
            let x = 1.0 / (1.0 - ((p.tau_ref - 1.0 / mr) / p.tau_rc).exp());
            let gain = (1.0 - x) / (ic - 1.0);
            let bias = 1.0 - gain * ic;
            let (g, b) = p.gain_bias(mr, ic);
            assert!((g - gain).abs() < 1e-9 * gain.abs());
            assert!((b - bias).abs() < 1e-9 * bias.abs().max(1.0));
            let (mr2, ic2) = p.max_rate_intercept(g, b);
            assert!((mr2 - mr).abs() < 1e-6 && (ic2 - ic).abs() < 1e-9);
        }
    }

    #[test]
    fn physical_mapping_matches_nest_rate() {
        // iaf_psc_* with E_L = V_reset = 0, V_th = 20 mV, τ_m = 20 ms, C_m = 250 pF: R = 0.08 GΩ.
        // I_e = 500 pA gives R·I = 40 mV ⇒ J = 2.
        let p = LifPhysical {
            c_m: 250.0,
            tau_m: 20.0,
            e_l: 0.0,
            v_th: 20.0,
            v_reset: 0.0,
            t_ref: 2.0,
            i_e: 500.0,
        };
        p.validate("test").unwrap();
        let (n, j0) = p.to_normalised();
        assert!((j0 - 2.0).abs() < 1e-12);
        assert!((n.tau_rc - 0.02).abs() < 1e-15 && (n.tau_ref - 0.002).abs() < 1e-15);
        assert!((p.physical_voltage(p.normalise_voltage(-63.0)) + 63.0).abs() < 1e-12);
        assert!((p.current_scale() * 500.0 - 2.0).abs() < 1e-12);
    }

    #[test]
    fn validation_rejects_bad_values() {
        let p = LifParams {
            tau_rc: 0.0,
            ..Default::default()
        };
        assert!(p.validate("x").unwrap_err().to_string().contains("tau_rc"));
        let p = LifParams {
            tau_ref: f64::NAN,
            ..Default::default()
        };
        assert!(p.validate("x").is_err());
        let q = LifPhysical {
            v_th: -80.0,
            ..Default::default()
        };
        assert!(q.validate("x").unwrap_err().to_string().contains("v_th"));
    }
}

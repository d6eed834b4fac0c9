//! The Hodgkin–Huxley neuron (squid giant axon; Hodgkin & Huxley 1952): parameters in both
//! unit systems, the rate functions, and an f64 small-step reference integrator.
//!
//! $$C_m\dot V = -\bar g_{Na} m^3 h\,(V - E_{Na}) - \bar g_K n^4 (V - E_K) - g_L (V - E_L) + I,$$
//! $$\dot x = \alpha_x(V)(1 - x) - \beta_x(V)\,x\qquad (x = m, h, n),$$
//!
//! with V in mV, t in ms, rates in 1/ms (resting potential near −65 mV, as in NEST's
//! `hh_psc_alpha` and Brian2's HH examples):
//!
//! | rate | formula |
//! |---|---|
//! | $\alpha_m$ | $0.1\,(V+40)/(1 - e^{-(V+40)/10}) = u/\mathrm{expm1}(u)$, $u = -(V+40)/10$ |
//! | $\beta_m$ | $4\,e^{-(V+65)/18}$ |
//! | $\alpha_h$ | $0.07\,e^{-(V+65)/20}$ |
//! | $\beta_h$ | $1/(1 + e^{-(V+35)/10})$ |
//! | $\alpha_n$ | $0.01\,(V+55)/(1 - e^{-(V+55)/10}) = 0.1\,u/\mathrm{expm1}(u)$, $u = -(V+55)/10$ |
//! | $\beta_n$ | $0.125\,e^{-(V+65)/80}$ |
//!
//! The removable singularities of $\alpha_m$ (V = −40) and $\alpha_n$ (V = −55) are handled by
//! writing them as $u/\mathrm{expm1}(u)$ (accurate for tiny u) and replacing an exact u = 0 by
//! 1e-20 (the limit value 1 is then returned).
//!
//! # Two unit systems, one model
//! The equations only involve conductances and currents *per capacitance*, so any consistent
//! unit system works:
//!
//! | quantity | membrane density (squid axon, [`HhParams::squid`]) | whole cell (NEST `hh_psc_alpha`, Brian2; [`HhParams::nest`]) |
//! |---|---|---|
//! | C_m | 1 µF/cm² | 100 pF |
//! | g_Na, g_K, g_L | 120, 36, 0.3 mS/cm² | 12000, 3600, 30 nS |
//! | E_Na, E_K, E_L | 50, −77, −54.387 mV | 50, −77, −54.402 mV |
//! | input current | µA/cm² | pA (1000 pA = 10 µA/cm² for 100 pF) |
//!
//! The whole-cell form is the density form for a membrane area of 1e-4 cm² (C_m = 100 pF):
//! mS/cm² × 1e-4 cm² = 100 nS, µA/cm² × 1e-4 cm² = 100 pA. NEST uses E_L = −54.402 mV; the
//! classic value is −54.387 mV (rest exactly at −65 mV).

use crate::SimError;
use crate::kernels::hh::{HhConsts, HhMethod, hh_step};
use crate::kernels::mathf::Real;

/// Unit system of an [`HhParams`] (labels the input port; the arithmetic is identical).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HhUnits {
    /// µF/cm², mS/cm², µA/cm².
    Density,
    /// pF, nS, pA.
    Physical,
}

/// Hodgkin–Huxley parameters (see the module docs for units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HhParams {
    /// Unit system of capacitance, conductances and currents.
    pub units: HhUnits,
    /// Membrane capacitance C_m (µF/cm² or pF).
    pub c_m: f64,
    /// Peak sodium conductance ḡ_Na (mS/cm² or nS).
    pub g_na: f64,
    /// Peak potassium conductance ḡ_K (mS/cm² or nS).
    pub g_k: f64,
    /// Leak conductance g_L (mS/cm² or nS).
    pub g_l: f64,
    /// Sodium reversal potential, mV.
    pub e_na: f64,
    /// Potassium reversal potential, mV.
    pub e_k: f64,
    /// Leak reversal potential, mV.
    pub e_l: f64,
    /// Spike detection threshold (upward crossing), mV.
    pub v_th: f64,
    /// Lock-out after a spike during which no new spike is reported, seconds (0: none; the
    /// upward-crossing rule alone already counts each action potential once).
    pub t_lock: f64,
    /// Initial membrane potential, mV (gates start at their steady state there).
    pub v_init: f64,
}

impl HhParams {
    /// The classic squid-axon parameters in membrane-density units.
    pub fn squid() -> Self {
        Self {
            units: HhUnits::Density,
            c_m: 1.0,
            g_na: 120.0,
            g_k: 36.0,
            g_l: 0.3,
            e_na: 50.0,
            e_k: -77.0,
            e_l: -54.387,
            v_th: 0.0,
            t_lock: 0.0,
            v_init: -65.0,
        }
    }

    /// NEST's `hh_psc_alpha` defaults in whole-cell units (100 pF; refractory lock-out 2 ms,
    /// as NEST's `t_ref`).
    pub fn nest() -> Self {
        Self {
            units: HhUnits::Physical,
            c_m: 100.0,
            g_na: 12000.0,
            g_k: 3600.0,
            g_l: 30.0,
            e_na: 50.0,
            e_k: -77.0,
            e_l: -54.402,
            v_th: 0.0,
            t_lock: 0.002,
            v_init: -65.0,
        }
    }

    /// Checks the parameters' ranges; `object` names the owner in the error.
    pub fn validate(&self, object: &str) -> Result<(), SimError> {
        let bad = |key, value: f64, msg: &str| SimError::Param {
            object: object.to_string(),
            key,
            value: value.to_string(),
            msg: msg.to_string(),
        };
        if !(self.c_m > 0.0 && self.c_m.is_finite()) {
            return Err(bad("c_m", self.c_m, "must be positive and finite"));
        }
        for (key, v) in [("g_na", self.g_na), ("g_k", self.g_k), ("g_l", self.g_l)] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(bad(key, v, "must be ≥ 0 and finite"));
            }
        }
        for (key, v) in [
            ("e_na", self.e_na),
            ("e_k", self.e_k),
            ("e_l", self.e_l),
            ("v_th", self.v_th),
            ("v_init", self.v_init),
        ] {
            if !v.is_finite() {
                return Err(bad(key, v, "must be finite"));
            }
        }
        if !(self.t_lock >= 0.0 && self.t_lock.is_finite()) {
            return Err(bad("t_lock", self.t_lock, "must be ≥ 0 and finite"));
        }
        Ok(())
    }
}

/// The six rate functions at one voltage (1/ms).
#[derive(Clone, Copy, Debug)]
pub struct HhRates<R> {
    /// α_m.
    pub am: R,
    /// β_m.
    pub bm: R,
    /// α_h.
    pub ah: R,
    /// β_h.
    pub bh: R,
    /// α_n.
    pub an: R,
    /// β_n.
    pub bn: R,
}

/// $u/\mathrm{expm1}(u)$, equal to 1 at u = 0.
#[inline(always)]
fn u_over_expm1<R: Real>(u: R) -> R {
    let u = u.replace_zero(R::splat(1e-20));
    u / u.exp_m1()
}

/// The rate functions at voltage `v` (mV), in 1/ms (table in the module docs).
#[inline(always)]
pub fn hh_rates<R: Real>(v: R) -> HhRates<R> {
    let s = R::splat;
    let w = v + s(65.0);
    HhRates {
        am: u_over_expm1((v + s(40.0)) * s(-0.1)),
        bm: s(4.0) * (w * s(-1.0 / 18.0)).exp(),
        ah: s(0.07) * (w * s(-0.05)).exp(),
        bh: s(1.0) / (s(1.0) + ((v + s(35.0)) * s(-0.1)).exp()),
        an: s(0.1) * u_over_expm1((v + s(55.0)) * s(-0.1)),
        bn: s(0.125) * (w * s(-0.0125)).exp(),
    }
}

/// Steady-state gating `(m∞, h∞, n∞)` at voltage `v` (mV), `x∞ = α/(α+β)`.
pub fn hh_steady_state(v: f64) -> (f64, f64, f64) {
    let r = hh_rates(v);
    (
        r.am / (r.am + r.bm),
        r.ah / (r.ah + r.bh),
        r.an / (r.an + r.bn),
    )
}

/// What the f64 reference recorded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HhTrace {
    /// Spike times (upward threshold crossings, linearly interpolated), seconds.
    pub spikes: Vec<f64>,
    /// Membrane potential every `record_every` steps (first entry at t = 0), mV.
    pub v: Vec<f64>,
}

/// Ground truth: integrates one neuron in f64 with classical RK4 at the small step `dt` (s)
/// from the resting initial state ([`HhParams::v_init`], gates at steady state) under constant
/// current `current` (in the parameters' unit) for `t_end` seconds. Spikes are upward
/// crossings of `v_th` (respecting `t_lock`); V is recorded every `record_every` steps
/// (0: never).
pub fn hh_reference(
    p: &HhParams,
    current: f64,
    t_end: f64,
    dt: f64,
    record_every: usize,
) -> HhTrace {
    let c = HhConsts::<f64>::new(p, dt);
    let i_c = current / p.c_m;
    let (m, h, n) = hh_steady_state(p.v_init);
    let mut x = [p.v_init, m, h, n];
    let steps = (t_end / dt).round() as usize;
    let mut tr = HhTrace::default();
    let mut lock_until = f64::NEG_INFINITY;
    for k in 0..steps {
        if record_every > 0 && k % record_every == 0 {
            tr.v.push(x[0]);
        }
        let v0 = x[0];
        x = hh_step(&c, HhMethod::Rk4, x, i_c);
        if v0 <= p.v_th && x[0] > p.v_th {
            let ts = (k as f64 + (p.v_th - v0) / (x[0] - v0)) * dt;
            if ts >= lock_until {
                tr.spikes.push(ts);
                lock_until = ts + p.t_lock;
            }
        }
    }
    if record_every > 0 && steps.is_multiple_of(record_every) {
        tr.v.push(x[0]);
    }
    tr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_match_the_textbook_formulas_and_nest_resting_gates() {
        for v in [-90.0, -65.0, -55.3, -40.7, -20.0, 0.0, 35.0] {
            let r = hh_rates(v);
            let am = 0.1 * (v + 40.0) / (1.0 - f64::exp(-(v + 40.0) / 10.0));
            let an = 0.01 * (v + 55.0) / (1.0 - f64::exp(-(v + 55.0) / 10.0));
            let bh = 1.0 / (1.0 + f64::exp(-(v + 35.0) / 10.0));
            for (a, b) in [(r.am, am), (r.an, an), (r.bh, bh)] {
                assert!((a - b).abs() < 1e-12 * b.abs(), "v={v}: {a} vs {b}");
            }
            assert!((r.bm - 4.0 * f64::exp(-(v + 65.0) / 18.0)).abs() < 1e-12);
        }
        // Removable singularities: the limits 1 and 0.1, and continuity around them.
        assert_eq!(hh_rates(-40.0_f64).am, 1.0);
        assert!((hh_rates(-55.0_f64).an - 0.1).abs() < 1e-15);
        for v in [-40.0f32, -40.0 + 1e-5, -40.0 - 1e-5] {
            assert!((hh_rates(v).am - 1.0).abs() < 1e-5, "{v}");
        }
        // Steady state at −65 mV as NEST's hh_psc_alpha initialises it.
        let (m, h, n) = hh_steady_state(-65.0);
        assert!((m - 0.052_932_485_257_249_58).abs() < 1e-12);
        assert!((h - 0.596_120_753_508_460_3).abs() < 1e-12);
        assert!((n - 0.317_676_914_060_697_4).abs() < 1e-12);
    }

    #[test]
    fn classic_rest_is_minus_65_and_reference_fires_at_10_ua() {
        let p = HhParams::squid();
        let quiet = hh_reference(&p, 0.0, 0.05, 1e-5, 100);
        assert!(quiet.spikes.is_empty());
        assert!(
            quiet.v.iter().all(|v| (v + 65.0).abs() < 0.01),
            "rest drifts"
        );
        let fire = hh_reference(&p, 10.0, 0.1, 1e-5, 0);
        assert!((6..=8).contains(&fire.spikes.len()), "{:?}", fire.spikes);
        assert!(hh_reference(&p, 1.0, 0.1, 1e-5, 0).spikes.is_empty());
    }
}

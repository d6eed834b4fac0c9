//! Hodgkin–Huxley populations, backed by [`simcore::HhPopulation`] (model, rate functions and
//! integration schemes in [`simcore::neuron::hh`] and [`simcore::kernels::hh`]), in two unit
//! systems:
//!
//! - `model = "hh"`: the classic squid axon in membrane-density units (µF/cm², mS/cm², µA/cm²;
//!   defaults [`HhParams::squid`]: rest −65 mV, no lock-out);
//! - `model = "hh_physical"`: whole-cell units as NEST's `hh_psc_alpha` and Brian2's HH
//!   examples (pF, nS, pA; defaults [`HhParams::nest`]: 100 pF, E_L −54.402 mV, 2 ms lock-out).
//!
//! The arithmetic is the same: only conductances and currents per capacitance enter.
//! A spike is an upward crossing of `v_th_mv` (linearly interpolated time); `t_ref_ms` is a
//! lock-out after a spike during which no new spike is reported (the dynamics go on).

use simcore::kernels::hh::HhMethod;
use simcore::neuron::hh::HhParams;
use simcore::synapse::PscShape;
use simcore::{HhPopulation, Neurons};

use super::{NeuronModel, PopulationCtx, Recorded, SynapseTarget, check_within, current_synapse};
use crate::error::{ErrorKind, SpecError, closest};
use crate::param::{Param, param_or};
use crate::reader::{At, TableReader};

/// Integration method names (`method = "…"`), as [`HhMethod`].
pub const METHODS: [&str; 3] = ["staggered", "exponential_euler", "rk4"];

/// Key names of one unit system.
#[derive(Clone, Copy, Debug)]
struct Keys {
    model: &'static str,
    c_m: &'static str,
    g_na: &'static str,
    g_k: &'static str,
    g_l: &'static str,
    i_e: &'static str,
    /// Unit labels: capacitance, conductance, current.
    units: [&'static str; 3],
}

const DENSITY: Keys = Keys {
    model: "hh",
    c_m: "c_m_uf_per_cm2",
    g_na: "g_na_ms_per_cm2",
    g_k: "g_k_ms_per_cm2",
    g_l: "g_l_ms_per_cm2",
    i_e: "i_e_ua_per_cm2",
    units: ["µF/cm²", "mS/cm²", "µA/cm²"],
};

const PHYSICAL: Keys = Keys {
    model: "hh_physical",
    c_m: "c_m_pf",
    g_na: "g_na_ns",
    g_k: "g_k_ns",
    g_l: "g_l_ns",
    i_e: "i_e_pa",
    units: ["pF", "nS", "pA"],
};

/// A validated `hh` or `hh_physical` population's keys.
#[derive(Clone, Debug)]
pub struct HhSpec {
    keys: Keys,
    /// The engine parameters (all but the initial potential).
    pub params: HhParams,
    /// Where the lock-out was set (errors about it).
    pub t_ref_ms: At<f64>,
    /// Integration method.
    pub method: At<HhMethod>,
    /// Constant current per neuron (µA/cm² or pA).
    pub i_e: At<Param>,
    /// Initial membrane potential per neuron, mV (gates at their steady state there).
    pub v_m_mv: At<Param>,
}

impl HhSpec {
    /// Reads `model = "hh"` (membrane-density units).
    pub fn parse_density(t: &mut TableReader<'_>) -> Result<Box<dyn NeuronModel>, SpecError> {
        Self::parse(t, DENSITY, HhParams::squid())
    }

    /// Reads `model = "hh_physical"` (whole-cell units).
    pub fn parse_physical(t: &mut TableReader<'_>) -> Result<Box<dyn NeuronModel>, SpecError> {
        Self::parse(t, PHYSICAL, HhParams::nest())
    }

    fn parse(
        t: &mut TableReader<'_>,
        keys: Keys,
        d: HhParams,
    ) -> Result<Box<dyn NeuronModel>, SpecError> {
        let [cu, gu, _] = keys.units;
        let c_m = t
            .f64_or(keys.c_m, d.c_m)?
            .check(|x| x > 0.0, &format!("must be > 0 ({cu})"))?;
        let ge0 = |t: &mut TableReader<'_>, k, def| {
            t.f64_or(k, def)?
                .check(|x| x >= 0.0, &format!("must be ≥ 0 ({gu})"))
        };
        let g_na = ge0(t, keys.g_na, d.g_na)?;
        let g_k = ge0(t, keys.g_k, d.g_k)?;
        let g_l = ge0(t, keys.g_l, d.g_l)?;
        let e_na = t.f64_or("e_na_mv", d.e_na)?;
        let e_k = t.f64_or("e_k_mv", d.e_k)?;
        let e_l = t.f64_or("e_l_mv", d.e_l)?;
        let v_th = t.f64_or("v_th_mv", d.v_th)?;
        let t_ref_ms = t
            .f64_or("t_ref_ms", d.t_lock * 1e3)?
            .check(|x| x >= 0.0, "must be ≥ 0 (a time, in ms)")?;
        let method = t
            .str("method")?
            .unwrap_or_else(|| t.default("method", "staggered".to_string()));
        let m = match method.value.as_str() {
            "staggered" => HhMethod::Staggered,
            "exponential_euler" => HhMethod::ExponentialEuler,
            "rk4" => HhMethod::Rk4,
            other => {
                return Err(method.error(ErrorKind::Invalid(format!(
                    "unknown integration method `{other}` (known: {}){}",
                    METHODS.join(", "),
                    closest(other, METHODS)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default()
                ))));
            }
        };
        let i_e = param_or(t, keys.i_e, 0.0)?;
        let v_m_mv = param_or(t, "v_m_mv", d.v_init)?;
        let params = HhParams {
            units: d.units,
            c_m: c_m.value,
            g_na: g_na.value,
            g_k: g_k.value,
            g_l: g_l.value,
            e_na: e_na.value,
            e_k: e_k.value,
            e_l: e_l.value,
            v_th: v_th.value,
            t_lock: t_ref_ms.value * 1e-3,
            v_init: d.v_init,
        };
        Ok(Box::new(Self {
            keys,
            params,
            t_ref_ms,
            method: method.map(|_| m),
            i_e,
            v_m_mv,
        }))
    }

    fn method_name(&self) -> &'static str {
        match self.method.value {
            HhMethod::Staggered => "staggered",
            HhMethod::ExponentialEuler => "exponential_euler",
            HhMethod::Rk4 => "rk4",
        }
    }
}

impl NeuronModel for HhSpec {
    fn name(&self) -> &'static str {
        self.keys.model
    }

    /// Currents through a PSC kernel (`exponential`, `alpha`, `gamma`) into the `current` port,
    /// peaking at the weight (µA/cm² or pA), as NEST's `hh_psc_alpha`.
    fn synapse(&self, receptor: &str, kernel: Option<PscShape>) -> Result<SynapseTarget, String> {
        match kernel {
            Some(k) => Ok(current_synapse(k, 1.0, self.keys.units[2])),
            None => Err(format!(
                "Hodgkin–Huxley neurons take current synapses through `exponential`, `alpha` or \
                 `gamma` kernels ({}), not `{receptor}`",
                self.keys.units[2]
            )),
        }
    }

    fn summary(&self) -> String {
        let p = &self.params;
        let [cu, gu, iu] = self.keys.units;
        format!(
            "{}: c_m = {} {cu}, g_na = {} {gu}, g_k = {} {gu}, g_l = {} {gu}, e_na = {} mV, \
             e_k = {} mV, e_l = {} mV, v_th = {} mV, t_ref = {} ms, method = {}, i_e = {} {iu}, \
             v_m = {} mV",
            self.keys.model,
            p.c_m,
            p.g_na,
            p.g_k,
            p.g_l,
            p.e_na,
            p.e_k,
            p.e_l,
            p.v_th,
            self.t_ref_ms.value,
            self.method_name(),
            self.i_e.value,
            self.v_m_mv.value
        )
    }

    fn bytes_per_neuron(&self) -> usize {
        // v, m, h, n, lock-out, bias, one input port: f32 each.
        28
    }

    fn build(&self, pop: &PopulationCtx<'_>) -> Result<Box<dyn Neurons>, SpecError> {
        let i_e = self.i_e.value.sample(pop.size, pop.seed, &self.i_e.key);
        let v0 = self
            .v_m_mv
            .value
            .sample(pop.size, pop.seed, &self.v_m_mv.key);
        // Beyond ±1e6 (µA/cm², pA, mV) the f32 state overflows within a step.
        let msg = "is outside ±1e6, where the f32 state of a Hodgkin–Huxley neuron overflows";
        check_within(&self.i_e, &i_e, 1e6, msg)?;
        check_within(&self.v_m_mv, &v0, 1e6, msg)?;
        let mut params = self.params;
        if let Param::Const(v) = self.v_m_mv.value {
            params.v_init = v;
        }
        let bias: Vec<f32> = i_e.iter().map(|&x| x as f32).collect();
        let mut p = HhPopulation::new(pop.name, params, self.method.value, pop.dt, &bias)
            .map_err(|e| self.method.error(ErrorKind::Invalid(e.to_string())))?;
        if !matches!(self.v_m_mv.value, Param::Const(_)) {
            let v: Vec<f32> = v0.iter().map(|&x| x as f32).collect();
            p.set_voltage_at_rest_gates(&v);
        }
        Ok(Box::new(p))
    }

    fn variables(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("v", "mV"),
            ("m", "1"),
            ("h", "1"),
            ("n", "1"),
            ("refractory", "s"),
        ]
    }

    fn recorded(&self, name: &str) -> Option<Recorded> {
        let (variable, unit, scale) = match name {
            "v" => ("v", "mV", 1.0),
            "m" => ("m", "1", 1.0),
            "h" => ("h", "1", 1.0),
            "n" => ("n", "1", 1.0),
            // The engine counts the lock-out left in ms.
            "refractory" => ("lock", "s", 1e-3),
            _ => return None,
        };
        Some(Recorded::scaled(variable, unit, scale))
    }
}

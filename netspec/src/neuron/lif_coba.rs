//! `model = "lif_coba"`: the conductance-based LIF neuron (NEST `iaf_cond_exp`, Brette et al.
//! 2007 benchmark 1, Brian2's COBA equations), backed by [`simcore::LifCobaPopulation`]:
//!
//! `C_m dV/dt = −g_L(V − E_L) + g_e(E_ex − V) + g_i(E_in − V) + I_e + I_syn`,
//! `τ_ex dg_e/dt = −g_e`, `τ_in dg_i/dt = −g_i`;
//!
//! a spike arriving through an `excitatory` (`inhibitory`) receptor makes `g_e` (`g_i`) jump by
//! its weight in nS. Keys carry their unit as a suffix; defaults are the benchmark's
//! ([`LifCobaParams::default`]).

use simcore::delivery::Receptor;
use simcore::neuron::lif_coba::LifCobaParams;
use simcore::synapse::PscShape;
use simcore::{LifCobaPopulation, Neurons};

use super::{
    F32_LIMIT, F32_RANGE_MSG, NeuronModel, PopulationCtx, Recorded, SynapseTarget, check_within,
    current_synapse,
};
use crate::error::{ErrorKind, SpecError};
use crate::param::{Param, param_or};
use crate::reader::{At, TableReader};

/// A validated `lif_coba` population's keys.
#[derive(Clone, Debug)]
pub struct LifCobaSpec {
    /// Membrane capacitance, pF.
    pub c_m_pf: At<f64>,
    /// Leak conductance, nS.
    pub g_l_ns: At<f64>,
    /// Leak reversal, mV.
    pub e_l_mv: At<f64>,
    /// Threshold, mV.
    pub v_th_mv: At<f64>,
    /// Reset, mV.
    pub v_reset_mv: At<f64>,
    /// Refractory period, ms.
    pub t_ref_ms: At<f64>,
    /// Excitatory reversal potential, mV.
    pub e_ex_mv: At<f64>,
    /// Inhibitory reversal potential, mV.
    pub e_in_mv: At<f64>,
    /// Excitatory conductance time constant, ms.
    pub tau_syn_ex_ms: At<f64>,
    /// Inhibitory conductance time constant, ms.
    pub tau_syn_in_ms: At<f64>,
    /// Constant current per neuron, pA.
    pub i_e_pa: At<Param>,
    /// Initial membrane potential per neuron, mV.
    pub v_m_mv: At<Param>,
}

impl LifCobaSpec {
    /// Reads the model's keys.
    pub fn parse(t: &mut TableReader<'_>) -> Result<Box<dyn NeuronModel>, SpecError> {
        let d = LifCobaParams::default();
        let pos = |x: f64| x > 0.0;
        let c_m_pf = t.f64_or("c_m_pf", d.c_m)?.check(pos, "must be > 0 (pF)")?;
        let g_l_ns = t.f64_or("g_l_ns", d.g_l)?.check(pos, "must be > 0 (nS)")?;
        let e_l_mv = t.f64_or("e_l_mv", d.e_l)?;
        let v_reset_mv = t.f64_or("v_reset_mv", d.v_reset)?;
        let v_th_mv = t.f64_or("v_th_mv", d.v_th)?.check(
            |x| x > v_reset_mv.value,
            &format!("must be above v_reset_mv = {} mV", v_reset_mv.value),
        )?;
        let t_ref_ms = t
            .f64_or("t_ref_ms", d.t_ref * 1e3)?
            .check(|x| x >= 0.0, "must be ≥ 0 (a time, in ms)")?;
        let e_ex_mv = t.f64_or("e_ex_mv", d.e_e)?;
        let e_in_mv = t.f64_or("e_in_mv", d.e_i)?;
        let tau_syn_ex_ms = t
            .f64_or("tau_syn_ex_ms", d.tau_e * 1e3)?
            .check(pos, "must be > 0 (a time, in ms)")?;
        let tau_syn_in_ms = t
            .f64_or("tau_syn_in_ms", d.tau_i * 1e3)?
            .check(pos, "must be > 0 (a time, in ms)")?;
        let i_e_pa = param_or(t, "i_e_pa", 0.0)?;
        let v_m_mv = param_or(t, "v_m_mv", e_l_mv.value)?;
        Ok(Box::new(Self {
            c_m_pf,
            g_l_ns,
            e_l_mv,
            v_th_mv,
            v_reset_mv,
            t_ref_ms,
            e_ex_mv,
            e_in_mv,
            tau_syn_ex_ms,
            tau_syn_in_ms,
            i_e_pa,
            v_m_mv,
        }))
    }

    /// The engine's parameters.
    pub fn params(&self) -> LifCobaParams {
        LifCobaParams {
            c_m: self.c_m_pf.value,
            g_l: self.g_l_ns.value,
            e_l: self.e_l_mv.value,
            v_th: self.v_th_mv.value,
            v_reset: self.v_reset_mv.value,
            t_ref: self.t_ref_ms.value * 1e-3,
            e_e: self.e_ex_mv.value,
            e_i: self.e_in_mv.value,
            tau_e: self.tau_syn_ex_ms.value * 1e-3,
            tau_i: self.tau_syn_in_ms.value * 1e-3,
        }
    }
}

/// Firing rate (Hz) of a COBA neuron without synaptic input under constant current `i_e` (pA):
/// the LIF rate `1/(t_ref + τ_m ln((V_∞ − V_reset)/(V_∞ − V_th)))`, `V_∞ = E_L + i_e/g_L`,
/// `τ_m = C_m/g_L`; 0 when `V_∞ ≤ V_th`.
fn drive_rate(p: &LifCobaParams, i_e: f64) -> f64 {
    let v_inf = p.e_l + i_e / p.g_l;
    if v_inf <= p.v_th {
        return 0.0;
    }
    let tau_m = p.c_m / p.g_l * 1e-3;
    let reset = p.v_reset.min(v_inf);
    1.0 / (p.t_ref + tau_m * ((v_inf - reset) / (v_inf - p.v_th)).ln())
}

impl NeuronModel for LifCobaSpec {
    fn name(&self) -> &'static str {
        "lif_coba"
    }

    /// `excitatory` / `inhibitory`: conductance jumps (nS) into `g_e` / `g_i` at the start of
    /// the step after arrival (the step-start convention of [`Receptor::StepStart`]); current
    /// receptors (`exponential`, `alpha`, `gamma`, pA) into the `current` port.
    fn synapse(&self, receptor: &str, kernel: Option<PscShape>) -> Result<SynapseTarget, String> {
        let g = |port| SynapseTarget {
            port,
            receptor: Receptor::StepStart,
            scale: 1.0,
            unit: "nS",
            conductance: true,
        };
        match (receptor, kernel) {
            ("excitatory", _) => Ok(g("g_e")),
            ("inhibitory", _) => Ok(g("g_i")),
            (_, Some(k)) => Ok(current_synapse(k, 1.0, "pA")),
            (other, None) => Err(format!(
                "`lif_coba` neurons take conductance synapses `excitatory` or `inhibitory` (nS), \
                 or currents through `exponential`, `alpha` or `gamma` (pA), not `{other}`"
            )),
        }
    }

    fn summary(&self) -> String {
        format!(
            "lif_coba: c_m = {} pF, g_l = {} nS, e_l = {} mV, v_th = {} mV, v_reset = {} mV, \
             t_ref = {} ms, e_ex = {} mV, e_in = {} mV, tau_syn_ex = {} ms, tau_syn_in = {} ms, \
             i_e = {} pA, v_m = {} mV",
            self.c_m_pf.value,
            self.g_l_ns.value,
            self.e_l_mv.value,
            self.v_th_mv.value,
            self.v_reset_mv.value,
            self.t_ref_ms.value,
            self.e_ex_mv.value,
            self.e_in_mv.value,
            self.tau_syn_ex_ms.value,
            self.tau_syn_in_ms.value,
            self.i_e_pa.value,
            self.v_m_mv.value
        )
    }

    fn bytes_per_neuron(&self) -> usize {
        // v, refractory, bias, two conductance filters and their step averages, three ports.
        4 * 10
    }

    fn build(&self, pop: &PopulationCtx<'_>) -> Result<Box<dyn Neurons>, SpecError> {
        let params = self.params();
        let i_e = self
            .i_e_pa
            .value
            .sample(pop.size, pop.seed, &self.i_e_pa.key);
        let v0 = self
            .v_m_mv
            .value
            .sample(pop.size, pop.seed, &self.v_m_mv.key);
        check_within(&self.i_e_pa, &i_e, F32_LIMIT, F32_RANGE_MSG)?;
        check_within(&self.v_m_mv, &v0, F32_LIMIT, F32_RANGE_MSG)?;
        if params.t_ref < pop.dt
            && let Some((i, &imax)) = i_e.iter().enumerate().min_by(|a, b| b.1.total_cmp(a.1))
        {
            let rate = drive_rate(&params, imax);
            if rate * pop.dt > 1.0 {
                return Err(self.t_ref_ms.error(ErrorKind::RefractoryBelowDt {
                    t_ref: params.t_ref,
                    dt: pop.dt,
                    neuron: i,
                    rate,
                    max: 1.0 / pop.dt,
                }));
            }
        }
        let bias: Vec<f32> = i_e.iter().map(|&x| x as f32).collect();
        let mut p = LifCobaPopulation::new(pop.name, params, pop.dt, &bias)
            .map_err(|e| self.t_ref_ms.error(ErrorKind::Invalid(e.to_string())))?;
        for (dst, &src) in p.voltage_mut().iter_mut().zip(&v0) {
            *dst = src as f32;
        }
        Ok(Box::new(p))
    }

    fn variables(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("v", "mV"),
            ("g_e", "nS"),
            ("g_i", "nS"),
            ("refractory", "s"),
        ]
    }

    fn recorded(&self, name: &str) -> Option<Recorded> {
        let (variable, unit, scale) = match name {
            "v" => ("v", "mV", 1.0),
            "g_e" => ("g_e", "nS", 1.0),
            "g_i" => ("g_i", "nS", 1.0),
            // The engine counts the refractory time left in ms.
            "refractory" => ("refractory", "s", 1e-3),
            _ => return None,
        };
        Some(Recorded::scaled(variable, unit, scale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drive_rate_is_the_lif_rate_and_zero_below_threshold() {
        let p = LifCobaParams::default();
        assert_eq!(drive_rate(&p, 100.0), 0.0); // V_∞ = −50 mV: exactly at threshold
        // 200 pA: V_∞ = −40 mV, τ_m = 20 ms: ISI = 5 ms + 20 ms · ln(20/10).
        let r = drive_rate(&p, 200.0);
        assert!((r - 1.0 / (0.005 + 0.02 * 2f64.ln())).abs() < 1e-9, "{r}");
    }
}

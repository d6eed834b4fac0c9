//! LIF populations in normalised (Nengo) or physical (NEST `iaf_psc_*`) units; both map onto
//! [`simcore::LifPopulation`] (see [`simcore::neuron::lif`] for the mapping).

use simcore::neuron::lif::{LifParams, LifPhysical};
use simcore::{LifPopulation, Neurons};

use simcore::synapse::PscShape;

use super::{
    F32_LIMIT, F32_RANGE_MSG, NeuronModel, PopulationCtx, Recorded, SynapseTarget, check_within,
    current_synapse,
};
use crate::error::{ErrorKind, SpecError};
use crate::param::{Param, param_or};
use crate::reader::{At, TableReader};

/// `model = "lif"`: normalised units, `τ_rc·dv/dt = J − v`, threshold 1, reset 0,
/// `J = gain·input + bias` (+ synaptic input).
#[derive(Clone, Debug)]
pub struct LifNormalised {
    /// Membrane time constant, s.
    pub tau_rc: At<f64>,
    /// Refractory period, s.
    pub tau_ref: At<f64>,
    /// Voltage floor.
    pub min_voltage: At<f64>,
    /// Per-neuron gain on `input`.
    pub gain: At<Param>,
    /// Per-neuron bias current.
    pub bias: At<Param>,
    /// Constant input `x`, scaled by the gain.
    pub input: At<f64>,
    /// Initial normalised voltage.
    pub v0: At<Param>,
}

impl LifNormalised {
    /// Reads the model's keys.
    pub fn parse(t: &mut TableReader<'_>) -> Result<Box<dyn NeuronModel>, SpecError> {
        let (tau_rc, tau_ref) = read_lif_times(t)?;
        let min_voltage = t
            .f64("min_voltage")?
            .unwrap_or_else(|| t.default("min_voltage", 0.0))
            .check(|x| x < 1.0, "must be below the threshold 1")?;
        let gain = param_or(t, "gain", 1.0)?;
        let bias = param_or(t, "bias", 0.0)?;
        let input = t.f64("input")?.unwrap_or_else(|| t.default("input", 0.0));
        let v0 = param_or(t, "v0", 0.0)?;
        Ok(Box::new(Self {
            tau_rc,
            tau_ref,
            min_voltage,
            gain,
            bias,
            input,
            v0,
        }))
    }

    fn params(&self) -> LifParams {
        LifParams {
            tau_rc: self.tau_rc.value,
            tau_ref: self.tau_ref.value,
            min_voltage: self.min_voltage.value,
        }
    }
}

/// `tau_rc` (> 0, default 0.02 s) and `tau_ref` (≥ 0, default 0.002 s): the LIF time constants
/// in seconds with Nengo's defaults, as `model = "lif"` and `[[ensemble]]` read them.
pub(crate) fn read_lif_times(t: &mut TableReader<'_>) -> Result<(At<f64>, At<f64>), SpecError> {
    let tau_rc = t.f64_or("tau_rc", 0.02)?.positive_time()?;
    let tau_ref = t
        .f64_or("tau_ref", 0.002)?
        .check(|x| x >= 0.0, "must be ≥ 0 (a time, in s)")?;
    Ok((tau_rc, tau_ref))
}

/// Synapses onto LIF neurons: `delta` (a voltage jump `w·jump`, the `jump` port), or a current
/// through a PSC kernel (`exponential`, `alpha`, `gamma`) whose current jumps (exponential) or
/// peaks at `w·current` in the model's units ([`current_synapse`]).
fn lif_synapse(
    receptor: &str,
    kernel: Option<PscShape>,
    jump: (f64, &'static str),
    current: (f64, &'static str),
) -> Result<SynapseTarget, String> {
    use simcore::delivery::Receptor;
    match (receptor, kernel) {
        ("delta", _) => Ok(SynapseTarget {
            port: "jump",
            receptor: Receptor::Direct,
            scale: jump.0,
            unit: jump.1,
            conductance: false,
        }),
        (_, Some(k)) => Ok(current_synapse(k, current.0, current.1)),
        (other, None) => Err(format!(
            "LIF neurons take `delta`, `exponential`, `alpha` or `gamma` synapses, not `{other}`"
        )),
    }
}

/// Builds a LIF population from per-neuron drive `j` and initial voltage `v0`, after checking
/// both are finite and that no neuron would fire more than once per step.
fn build_lif(
    pop: &PopulationCtx<'_>,
    params: LifParams,
    tau_ref: &At<f64>,
    drive: (&At<Param>, Vec<f64>),
    v0: (&At<Param>, Vec<f64>),
) -> Result<Box<dyn Neurons>, SpecError> {
    let (drive_key, j) = drive;
    let (v0_key, v) = v0;
    // The engine holds state in f32: values beyond its range would become infinite there.
    check_within(drive_key, &j, F32_LIMIT, F32_RANGE_MSG)?;
    check_within(v0_key, &v, F32_LIMIT, F32_RANGE_MSG)?;
    if params.tau_ref < pop.dt {
        // The kernel emits at most one spike per step: a neuron whose analytic rate exceeds
        // 1/dt would be clipped. With τ_ref ≥ dt that cannot happen.
        // The first neuron with the largest drive.
        if let Some((i, &jmax)) = j.iter().enumerate().min_by(|a, b| b.1.total_cmp(a.1)) {
            let rate = params.rate(jmax);
            if rate * pop.dt > 1.0 {
                return Err(tau_ref.error(ErrorKind::RefractoryBelowDt {
                    t_ref: params.tau_ref,
                    dt: pop.dt,
                    neuron: i,
                    rate,
                    max: 1.0 / pop.dt,
                }));
            }
        }
    }
    let bias: Vec<f32> = j.iter().map(|&x| x as f32).collect();
    let mut p = LifPopulation::new(pop.name, params, pop.dt, &bias)
        .map_err(|e| tau_ref.error(ErrorKind::Invalid(e.to_string())))?;
    for (dst, &src) in p.voltage_mut().iter_mut().zip(&v) {
        *dst = src as f32;
    }
    Ok(Box::new(p))
}

impl NeuronModel for LifNormalised {
    fn name(&self) -> &'static str {
        "lif"
    }

    fn synapse(&self, receptor: &str, kernel: Option<PscShape>) -> Result<SynapseTarget, String> {
        lif_synapse(
            receptor,
            kernel,
            (1.0, "1 (normalised voltage)"),
            (1.0, "1 (normalised current)"),
        )
    }

    fn summary(&self) -> String {
        format!(
            "lif (normalised): tau_rc = {} s, tau_ref = {} s, min_voltage = {}, gain = {}, \
             bias = {}, input = {}, v0 = {}",
            self.tau_rc.value,
            self.tau_ref.value,
            self.min_voltage.value,
            self.gain.value,
            self.bias.value,
            self.input.value,
            self.v0.value
        )
    }

    fn bytes_per_neuron(&self) -> usize {
        // v, refractory, bias, one input port: f32 each.
        16
    }

    fn build(&self, pop: &PopulationCtx<'_>) -> Result<Box<dyn Neurons>, SpecError> {
        let gain = self.gain.value.sample(pop.size, pop.seed, &self.gain.key);
        let bias = self.bias.value.sample(pop.size, pop.seed, &self.bias.key);
        let x = self.input.value;
        let j: Vec<f64> = gain.iter().zip(&bias).map(|(g, b)| g * x + b).collect();
        let v0 = self.v0.value.sample(pop.size, pop.seed, &self.v0.key);
        build_lif(
            pop,
            self.params(),
            &self.tau_ref,
            (&self.bias, j),
            (&self.v0, v0),
        )
    }

    fn variables(&self) -> Vec<(&'static str, &'static str)> {
        vec![("v", "1"), ("refractory", "s")]
    }

    fn recorded(&self, name: &str) -> Option<Recorded> {
        let (variable, unit) = match name {
            "v" => ("v", "1"),
            "refractory" => ("refractory", "s"),
            _ => return None,
        };
        Some(Recorded::scaled(variable, unit, 1.0))
    }
}

/// `model = "lif_physical"`: NEST `iaf_psc_*` parameters; keys carry their unit as a suffix.
#[derive(Clone, Debug)]
pub struct LifPhysicalSpec {
    /// Membrane capacitance, pF.
    pub c_m_pf: At<f64>,
    /// Membrane time constant, ms.
    pub tau_m_ms: At<f64>,
    /// Leak reversal, mV.
    pub e_l_mv: At<f64>,
    /// Threshold, mV.
    pub v_th_mv: At<f64>,
    /// Reset, mV.
    pub v_reset_mv: At<f64>,
    /// Refractory period, ms.
    pub t_ref_ms: At<f64>,
    /// Constant current per neuron, pA.
    pub i_e_pa: At<Param>,
    /// Initial membrane potential per neuron, mV.
    pub v_m_mv: At<Param>,
}

impl LifPhysicalSpec {
    /// Reads the model's keys (defaults: NEST 3 `iaf_psc_exp`).
    pub fn parse(t: &mut TableReader<'_>) -> Result<Box<dyn NeuronModel>, SpecError> {
        let d = LifPhysical::default();
        let num = |t: &mut TableReader<'_>, k: &'static str, def: f64| {
            t.f64(k).map(|v| v.unwrap_or_else(|| t.default(k, def)))
        };
        let c_m_pf = num(t, "c_m_pf", d.c_m)?.check(|x| x > 0.0, "must be > 0 (pF)")?;
        let tau_m_ms =
            num(t, "tau_m_ms", d.tau_m)?.check(|x| x > 0.0, "must be > 0 (a time, in ms)")?;
        let e_l_mv = num(t, "e_l_mv", d.e_l)?;
        let v_reset_mv = num(t, "v_reset_mv", d.v_reset)?;
        let v_th_mv = num(t, "v_th_mv", d.v_th)?;
        let v_th_mv = v_th_mv.check(
            |x| x > v_reset_mv.value,
            &format!("must be above v_reset_mv = {} mV", v_reset_mv.value),
        )?;
        let t_ref_ms =
            num(t, "t_ref_ms", d.t_ref)?.check(|x| x >= 0.0, "must be ≥ 0 (a time, in ms)")?;
        let i_e_pa = param_or(t, "i_e_pa", d.i_e)?;
        let v_m_mv = param_or(t, "v_m_mv", e_l_mv.value)?;
        Ok(Box::new(Self {
            c_m_pf,
            tau_m_ms,
            e_l_mv,
            v_th_mv,
            v_reset_mv,
            t_ref_ms,
            i_e_pa,
            v_m_mv,
        }))
    }

    /// The engine's physical parameters with constant current `i_e` (pA).
    fn physical(&self, i_e: f64) -> LifPhysical {
        LifPhysical {
            c_m: self.c_m_pf.value,
            tau_m: self.tau_m_ms.value,
            e_l: self.e_l_mv.value,
            v_th: self.v_th_mv.value,
            v_reset: self.v_reset_mv.value,
            t_ref: self.t_ref_ms.value,
            i_e,
        }
    }
}

impl NeuronModel for LifPhysicalSpec {
    fn name(&self) -> &'static str {
        "lif_physical"
    }

    fn synapse(&self, receptor: &str, kernel: Option<PscShape>) -> Result<SynapseTarget, String> {
        let p = self.physical(0.0);
        lif_synapse(
            receptor,
            kernel,
            (1.0 / (p.v_th - p.v_reset), "mV"),
            (p.current_scale(), "pA"),
        )
    }

    fn summary(&self) -> String {
        format!(
            "lif_physical: c_m = {} pF, tau_m = {} ms, e_l = {} mV, v_th = {} mV, \
             v_reset = {} mV, t_ref = {} ms, i_e = {} pA, v_m = {} mV",
            self.c_m_pf.value,
            self.tau_m_ms.value,
            self.e_l_mv.value,
            self.v_th_mv.value,
            self.v_reset_mv.value,
            self.t_ref_ms.value,
            self.i_e_pa.value,
            self.v_m_mv.value
        )
    }

    fn bytes_per_neuron(&self) -> usize {
        16
    }

    fn build(&self, pop: &PopulationCtx<'_>) -> Result<Box<dyn Neurons>, SpecError> {
        let i_e = self
            .i_e_pa
            .value
            .sample(pop.size, pop.seed, &self.i_e_pa.key);
        let base = self.physical(0.0);
        let (params, _) = base.to_normalised();
        let j: Vec<f64> = i_e
            .iter()
            .map(|&i| self.physical(i).to_normalised().1)
            .collect();
        let v: Vec<f64> = self
            .v_m_mv
            .value
            .sample(pop.size, pop.seed, &self.v_m_mv.key)
            .into_iter()
            .map(|v| base.normalise_voltage(v))
            .collect();
        let t_ref_s = self.t_ref_ms.map(|&ms| ms * 1e-3);
        build_lif(pop, params, &t_ref_s, (&self.i_e_pa, j), (&self.v_m_mv, v))
    }

    fn variables(&self) -> Vec<(&'static str, &'static str)> {
        vec![("v", "mV"), ("refractory", "s")]
    }

    fn recorded(&self, name: &str) -> Option<Recorded> {
        match name {
            "v" => Some(Recorded {
                variable: "v",
                unit: "mV",
                scale: self.v_th_mv.value - self.v_reset_mv.value,
                offset: self.v_reset_mv.value,
            }),
            "refractory" => Some(Recorded::scaled("refractory", "s", 1.0)),
            _ => None,
        }
    }
}

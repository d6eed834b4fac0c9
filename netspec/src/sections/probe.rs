//! `[[probe]]`: record spikes or a state variable of (a subset of) a population's neurons.
//!
//! `variable = "spikes"` selects which neurons' spikes go to `/spikes/<population>`: a
//! population with no spike probe has all its spikes recorded; one with spike probes has the
//! union of their neurons recorded (`neurons = []`: none). Any other variable (`v`, …) is
//! sampled every `sample_every` seconds after the step and written to `/probes/<name>`.

use crate::build::{Builder, ProbeKind, ProbePlan};
use crate::error::{ErrorKind, SpecError};
use crate::learned;
use crate::reader::{At, Required, TableReader};
use crate::sections::Names;
use crate::tree::Value;

/// A validated `[[probe]]` entry.
#[derive(Clone, Debug)]
pub struct Probe {
    /// Unique probe name (`/probes/<name>`).
    pub name: At<String>,
    /// Name of the population it records.
    pub target: At<String>,
    /// `"spikes"` or a model state variable.
    pub variable: At<String>,
    /// Neuron indices within the target (all when absent).
    pub neurons: Option<At<Vec<u64>>>,
    /// Sampling period, s (every step when absent).
    pub sample_every: Option<At<f64>>,
    /// Synapse of NEF decoded-value probes (none when absent).
    pub synapse: Option<At<models::synapse::Synapse>>,
}

impl Probe {
    /// Reads one `[[probe]]` table.
    pub fn parse(t: &mut TableReader<'_>, names: &mut Names) -> Result<Self, SpecError> {
        let name = t.str("name")?.required(t, "name")?;
        names.claim("probe", &name)?;
        let target = t.str("target")?.required(t, "target")?;
        let variable = t.str("variable")?.required(t, "variable")?;
        let neurons = read_neurons(t)?;
        let sample_every = t.f64("sample_every")?.map(At::positive_time).transpose()?;
        // An empty selection means something only for the spikes written to `/spikes`: none
        // of this probe's (the way to record no spikes of a population).
        if let Some(n) = &neurons
            && n.value.is_empty()
            && (variable.value != "spikes" || sample_every.is_some())
        {
            return Err(n.error(ErrorKind::Invalid(
                "selects no neurons (only a spike probe without `sample_every` may: it then \
                 records none of the population's spikes)"
                    .into(),
            )));
        }
        let synapse = crate::sections::nef::values::synapse(t, "synapse")?;
        t.finish()?;
        Ok(Self {
            name,
            target,
            variable,
            neurons,
            sample_every,
            synapse,
        })
    }

    /// Resolves targets, variables, neuron subsets and sampling periods. Probes an earlier
    /// section already planned (NEF probes) are skipped.
    pub fn build(items: &[Self], b: &mut Builder) -> Result<(), SpecError> {
        for p in items {
            if b.probes.iter().any(|q| q.name == p.name.value) {
                continue;
            }
            if learned::VARIABLES.contains(&p.variable.value.as_str()) {
                p.plan_learned(b)?;
                continue;
            }
            let pop = b.population(&p.target)?;
            p.plan(pop, b)?;
        }
        Ok(())
    }

    /// The neuron indices selected in a population of `size` (all when absent).
    pub fn neuron_list(&self, size: usize) -> Result<Vec<u32>, SpecError> {
        match &self.neurons {
            None => Ok((0..size as u32).collect()),
            Some(list) => {
                if let Some(&bad) = list.value.iter().find(|&&i| i >= size as u64) {
                    return Err(list.error(ErrorKind::OutOfRange {
                        value: bad.to_string(),
                        msg: format!(
                            "is not a neuron of `{}` (indices 0..{size})",
                            self.target.value
                        ),
                    }));
                }
                Ok(list.value.iter().map(|&i| i as u32).collect())
            }
        }
    }

    /// The sampling period in steps of `dt` (1 when absent).
    pub fn every(&self, dt: f64) -> Result<u64, SpecError> {
        match &self.sample_every {
            None => Ok(1),
            Some(s) => {
                let ratio = s.value / dt;
                let k = ratio.round();
                if k < 1.0 || (ratio - k).abs() > 1e-6 * k {
                    return Err(s.error(ErrorKind::OutOfRange {
                        value: s.value.to_string(),
                        msg: format!("must be a whole multiple of dt = {dt} s"),
                    }));
                }
                Ok(k as u64)
            }
        }
    }

    /// Plans a probe of the values a plastic projection or learning connection learns
    /// (`variable = "weight" | "decoders" | "encoders"`): every value, sampled after the step.
    fn plan_learned(&self, b: &mut Builder) -> Result<(), SpecError> {
        let p = self;
        let Some(plan) = b.learned.iter().find(|l| l.name == p.target.value) else {
            return Err(p.target.error(ErrorKind::UnknownReference {
                kind: "plastic projection or learning connection",
                name: p.target.value.clone(),
                suggestion: crate::error::closest(
                    &p.target.value,
                    b.learned.iter().map(|l| l.name.as_str()),
                ),
            }));
        };
        if plan.variable() != p.variable.value {
            return Err(p.variable.error(ErrorKind::Invalid(format!(
                "`{}` learns by {}: probe `{}`",
                plan.name,
                plan.rule,
                plan.variable()
            ))));
        }
        if let Some(n) = &p.neurons {
            return Err(n.error(ErrorKind::Invalid(
                "a learned-value probe records every value (synapses in the order of \
                 /weights/<projection>, or the matrix row-major)"
                    .into(),
            )));
        }
        if let Some(s) = &p.synapse {
            return Err(s.error(ErrorKind::Invalid(
                "a synapse applies to NEF decoded-value probes (`variable = \"decoded\"`)".into(),
            )));
        }
        let n = plan.len(&b.components);
        let plan = plan.clone();
        b.probes.push(ProbePlan {
            name: p.name.value.clone(),
            target: p.target.value.clone(),
            population: 0,
            variable: p.variable.value.clone(),
            unit: plan.unit(),
            kind: ProbeKind::Learned(plan),
            neurons: (0..n as u32).collect(),
            every: p.every(b.dt)?,
        });
        Ok(())
    }

    /// Plans this probe of population `pop` (spikes or a model variable).
    pub fn plan(&self, pop: usize, b: &mut Builder) -> Result<(), SpecError> {
        let p = self;
        if let Some(s) = &p.synapse {
            return Err(s.error(ErrorKind::Invalid(
                "a synapse applies to NEF decoded-value probes (`variable = \"decoded\"`)".into(),
            )));
        }
        let size = b.info[pop].size;
        let neurons = p.neuron_list(size)?;
        if let (Some(s), "spikes") = (&p.sample_every, p.variable.value.as_str()) {
            return Err(s.error(ErrorKind::Invalid(
                "spike probes of populations record every spike time; `sample_every` applies to \
                 sampled variables and to spike probes of NEF ensembles (binned spike output)"
                    .into(),
            )));
        }
        if p.variable.value == "spikes" {
            let mask = b.info[pop]
                .recorded
                .get_or_insert_with(|| vec![false; size]);
            for &i in &neurons {
                mask[i as usize] = true;
            }
            b.probes.push(ProbePlan {
                name: p.name.value.clone(),
                target: p.target.value.clone(),
                population: pop,
                variable: "spikes".into(),
                kind: ProbeKind::Spikes,
                neurons,
                every: 1,
                unit: "ms",
            });
            return Ok(());
        }
        let Some((_, rec)) = b.info[pop]
            .variables
            .iter()
            .find(|(v, _)| *v == p.variable.value)
        else {
            let mut known: Vec<&str> = b.info[pop].variables.iter().map(|(v, _)| *v).collect();
            known.push("spikes");
            return Err(p.variable.error(ErrorKind::Invalid(format!(
                "population `{}` ({}) has no variable `{}` (known: {}){}",
                p.target.value,
                b.info[pop].model,
                p.variable.value,
                known.join(", "),
                crate::error::closest(&p.variable.value, known.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default()
            ))));
        };
        let every = p.every(b.dt)?;
        let rec = rec.clone();
        b.probes.push(ProbePlan {
            name: p.name.value.clone(),
            target: p.target.value.clone(),
            population: pop,
            variable: p.variable.value.clone(),
            unit: rec.unit,
            kind: ProbeKind::Variable(rec),
            neurons,
            every,
        });
        Ok(())
    }
}

/// `neurons = [0, 5, 9]` or `neurons = {start = 0, stop = 100, step = 1}` (stop exclusive).
fn read_neurons(t: &mut TableReader<'_>) -> Result<Option<At<Vec<u64>>>, SpecError> {
    let Some(n) = t.node("neurons") else {
        return Ok(None);
    };
    let list: Vec<u64> = match &n.value {
        Value::Array(items) => items
            .iter()
            .map(|x| t.count("neurons", x).map(|a| a.value))
            .collect::<Result<_, _>>()?,
        Value::Table(_) => {
            let mut r = TableReader::new(t.sources(), n, &t.key_path("neurons"))?;
            let start = r.u64("start")?.map_or(0, |a| a.value);
            let stop = r.u64("stop")?.required(&r, "stop")?;
            let step = r.u64("step")?.map_or(1, |a| a.value).max(1);
            r.finish()?;
            if stop.value < start || stop.value - start > u32::MAX as u64 {
                return Err(stop.error(ErrorKind::OutOfRange {
                    value: stop.value.to_string(),
                    msg: format!("must be ≥ start = {start} and within 2^32 of it"),
                }));
            }
            (start..stop.value).step_by(step as usize).collect()
        }
        other => {
            return Err(SpecError::new(
                t.sources().origin(n.loc),
                t.key_path("neurons"),
                ErrorKind::WrongType {
                    expected: "an array of neuron indices or {start, stop, step}",
                    found: other.type_name(),
                },
            ));
        }
    };
    let at = t.at("neurons", n, list);
    let mut sorted = at.value.clone();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(at.error(ErrorKind::Invalid(format!(
            "neuron {} is listed twice",
            w[0]
        ))));
    }
    Ok(Some(at))
}

//! Spike sources as populations, so projections can fan them out and their spikes are written
//! to `/spikes/<name>` like any population's:
//!
//! - `model = "poisson_generator"`: independent Poisson trains of `rate` Hz (or a
//!   piecewise-constant `rate_table`), at most one spike per train and step
//!   ([`simcore::sources::PoissonGenerator`]; NEST `poisson_generator` → `parrot_neuron`,
//!   Brian2 `PoissonGroup`);
//! - `model = "spike_generator"`: spikes at given times ([`simcore::sources::SpikeGenerator`];
//!   NEST `spike_generator`, Brian2 `SpikeGeneratorGroup`), as one list of times per neuron
//!   (`spike_times`) or as parallel `indices` / `times` arrays.
//!
//! Neither receives synapses nor has state variables to probe.

use simcore::Neurons;
use simcore::sources::{PoissonGenerator, RateTable, SpikeGenerator};

use super::{NeuronModel, PopulationCtx, Recorded};
use crate::error::{ErrorKind, SpecError};
use crate::reader::{At, TableReader};
use crate::sections::input::read_rate;
use crate::tree::{Node, Value};

/// `model = "poisson_generator"`.
#[derive(Clone, Debug)]
pub struct PoissonGeneratorSpec {
    /// Rate per train.
    pub rate: At<RateTable>,
}

impl PoissonGeneratorSpec {
    /// Reads `rate` or `rate_table`.
    pub fn parse(t: &mut TableReader<'_>) -> Result<Box<dyn NeuronModel>, SpecError> {
        Ok(Box::new(Self {
            rate: read_rate(t)?,
        }))
    }
}

impl NeuronModel for PoissonGeneratorSpec {
    fn name(&self) -> &'static str {
        "poisson_generator"
    }

    fn summary(&self) -> String {
        format!("poisson_generator: rate = {:?} (t s, Hz)", self.rate.value)
    }

    fn bytes_per_neuron(&self) -> usize {
        0
    }

    fn build(&self, pop: &PopulationCtx<'_>) -> Result<Box<dyn Neurons>, SpecError> {
        Ok(Box::new(PoissonGenerator::new(
            pop.name,
            pop.size,
            self.rate.value.clone(),
            pop.dt,
            pop.seed,
        )))
    }

    fn variables(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    fn recorded(&self, _name: &str) -> Option<Recorded> {
        None
    }
}

/// `model = "spike_generator"`.
#[derive(Clone, Debug)]
pub struct SpikeGeneratorSpec {
    /// `(time s, neuron)` of every spike, with where they were given.
    pub spikes: At<Vec<(f64, u64)>>,
}

impl SpikeGeneratorSpec {
    /// Reads `spike_times` (one array of times per neuron) or `indices` + `times`.
    pub fn parse(t: &mut TableReader<'_>) -> Result<Box<dyn NeuronModel>, SpecError> {
        let per_neuron = t.node("spike_times");
        let (indices, times) = (t.node("indices"), t.node("times"));
        let spikes = match (per_neuron, indices, times) {
            (Some(n), None, None) => {
                let rows = array(t, "spike_times", n, "an array of arrays of times (s)")?;
                let mut v = Vec::new();
                for (i, row) in rows.iter().enumerate() {
                    for x in array(t, "spike_times", row, "an array of times (s)")? {
                        v.push((time(t, "spike_times", x)?, i as u64));
                    }
                }
                t.at("spike_times", n, v)
            }
            (None, Some(ni), Some(nt)) => {
                let idx = array(t, "indices", ni, "an array of neuron indices")?;
                let ts = array(t, "times", nt, "an array of times (s)")?;
                if idx.len() != ts.len() {
                    return Err(t.at("times", nt, ()).error(ErrorKind::Invalid(format!(
                        "has {} entries but `indices` has {}: give one time per index",
                        ts.len(),
                        idx.len()
                    ))));
                }
                let mut v = Vec::with_capacity(ts.len());
                for (i, x) in idx.iter().zip(ts) {
                    v.push((time(t, "times", x)?, t.count("indices", i)?.value));
                }
                t.at("times", nt, v)
            }
            (None, None, None) => {
                return Err(t.error(
                    "spike_times",
                    ErrorKind::Invalid(
                        "missing: give `spike_times` (one array of times per neuron) or \
                         `indices` and `times`"
                            .into(),
                    ),
                ));
            }
            (Some(n), _, _) => {
                return Err(t.at("spike_times", n, ()).error(ErrorKind::Invalid(
                    "give either `spike_times` or `indices` and `times`, not both".into(),
                )));
            }
            (None, Some(n), None) | (None, None, Some(n)) => {
                return Err(t.at("indices", n, ()).error(ErrorKind::Invalid(
                    "`indices` and `times` go together: give both".into(),
                )));
            }
        };
        Ok(Box::new(Self { spikes }))
    }
}

/// The elements of array `n` (of `key`), or a wrong-type error expecting `what`.
fn array<'a>(
    t: &TableReader<'_>,
    key: &str,
    n: &'a Node,
    what: &'static str,
) -> Result<&'a [Node], SpecError> {
    match &n.value {
        Value::Array(items) => Ok(items),
        other => Err(t.at(key, n, ()).error(ErrorKind::WrongType {
            expected: what,
            found: other.type_name(),
        })),
    }
}

/// A spike time (s): finite and ≥ 0.
fn time(t: &TableReader<'_>, key: &str, n: &Node) -> Result<f64, SpecError> {
    Ok(t.number(key, n)?
        .check(|x| x >= 0.0, "must be ≥ 0 (a spike time, in s)")?
        .value)
}

impl NeuronModel for SpikeGeneratorSpec {
    fn name(&self) -> &'static str {
        "spike_generator"
    }

    fn summary(&self) -> String {
        format!("spike_generator: {} spike times", self.spikes.value.len())
    }

    fn bytes_per_neuron(&self) -> usize {
        0
    }

    fn build(&self, pop: &PopulationCtx<'_>) -> Result<Box<dyn Neurons>, SpecError> {
        let mut times = Vec::with_capacity(self.spikes.value.len());
        for &(ts, i) in &self.spikes.value {
            if i >= pop.size as u64 {
                return Err(self.spikes.error(ErrorKind::OutOfRange {
                    value: i.to_string(),
                    msg: format!(
                        "is not a neuron of `{}` (indices 0..{}): give a spike list per neuron \
                         or indices below the size",
                        pop.name, pop.size
                    ),
                }));
            }
            times.push((ts, i as u32));
        }
        let g = SpikeGenerator::new(pop.name, pop.size, &times, pop.dt)
            .map_err(|e| self.spikes.error(ErrorKind::Invalid(e.to_string())))?;
        Ok(Box::new(g))
    }

    fn variables(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    fn recorded(&self, _name: &str) -> Option<Recorded> {
        None
    }
}

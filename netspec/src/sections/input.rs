//! `[[input]]`: independent Poisson input to every neuron of a population, without synapses
//! (NEST `poisson_generator` connected to each neuron; Brian2 `PoissonInput`):
//!
//! ```toml
//! [[input]]
//! name = "ext"
//! kind = "poisson"
//! target = "exc"
//! rate = 20000.0           # Hz per neuron; or rate_table = [[0.0, 1e4], [0.5, 2e4]] (t s, Hz)
//! weight = 0.1             # per event, in the receptor's unit (as projections)
//! receptor = "delta"       # or "excitatory" / "inhibitory" into `lif_coba` (weight in nS)
//! ```

use simcore::sources::{PoissonInput, RateTable};

use crate::build::Builder;
use crate::error::{ErrorKind, SpecError};
use crate::reader::{At, Required, TableReader};
use crate::sections::Names;
use crate::sections::population::Population;
use crate::tree::Value;

/// A validated `[[input]]` entry.
#[derive(Debug)]
pub struct Input {
    /// Name (random stream key `input/<name>`).
    pub name: At<String>,
    /// Target population.
    pub target: At<String>,
    /// Rate per neuron: constant or piecewise-constant table.
    pub rate: At<RateTable>,
    /// Weight per event, in the receptor's unit.
    pub weight: At<f64>,
    /// Receptor (`delta`).
    pub receptor: At<String>,
}

impl Input {
    /// Reads one `[[input]]` table.
    pub fn parse(t: &mut TableReader<'_>, names: &mut Names) -> Result<Self, SpecError> {
        let name = t.str("name")?.required(t, "name")?;
        names.claim("input", &name)?;
        let kind = t
            .str("kind")?
            .unwrap_or_else(|| t.default("kind", "poisson".into()));
        if kind.value != "poisson" {
            return Err(kind.error(ErrorKind::Invalid(format!(
                "unknown input kind `{}` (known: poisson, current)",
                kind.value
            ))));
        }
        let target = t.str("target")?.required(t, "target")?;
        let rate = read_rate(t)?;
        let weight = t.f64("weight")?.required(t, "weight")?;
        let receptor = t
            .str("receptor")?
            .unwrap_or_else(|| t.default("receptor", "delta".to_string()));
        t.finish()?;
        Ok(Self {
            name,
            target,
            rate,
            weight,
            receptor,
        })
    }

    /// Adds one Poisson input component per entry.
    pub fn build(
        items: &[Self],
        populations: &[Population],
        b: &mut Builder,
    ) -> Result<(), SpecError> {
        for i in items {
            let dst = b.population(&i.target)?;
            let syn = Population::model_of(populations, &i.target)?
                .synapse(&i.receptor.value, None)
                .map_err(|msg| i.receptor.error(ErrorKind::Invalid(msg)))?;
            use simcore::delivery::Receptor;
            if !matches!(syn.receptor, Receptor::Direct | Receptor::StepStart) {
                return Err(i.receptor.error(ErrorKind::Invalid(format!(
                    "Poisson inputs take receptors that act in the step they arrive (`delta`, \
                     or the conductances `excitatory`/`inhibitory`), not `{}`",
                    i.receptor.value
                ))));
            }
            let negative = i.weight.value < 0.0;
            let port = b.input_port(dst, &i.target, &syn, &i.receptor, &i.weight, negative)?;
            let w = (i.weight.value * syn.scale) as f32;
            let input = PoissonInput::new(
                &i.name.value,
                dst,
                port,
                b.info[dst].size,
                w,
                i.rate.value.clone(),
                b.seed,
            )
            .map_err(|e| i.weight.error(ErrorKind::Invalid(e.to_string())))?;
            b.components.push(Box::new(input));
        }
        Ok(())
    }
}

/// Reads a Poisson rate: `rate` (Hz, ≥ 0) or `rate_table` (`[[t s, rate Hz], …]`, a
/// piecewise-constant rate, 0 before the first time), exactly one of them. Shared by `[[input]]`
/// and `model = "poisson_generator"` populations.
pub fn read_rate(t: &mut TableReader<'_>) -> Result<At<RateTable>, SpecError> {
    Ok(match (t.f64("rate")?, t.node("rate_table")) {
        (Some(r), None) => {
            let r = r.check(|x| x >= 0.0, "must be ≥ 0 (a rate, in Hz)")?;
            r.map(|&x| RateTable::constant(x))
        }
        (None, Some(n)) => {
            let key = t.key_path("rate_table");
            let wrong = || {
                t.error(
                    "rate_table",
                    ErrorKind::WrongType {
                        expected: "an array of [time (s), rate (Hz)] pairs",
                        found: n.value.type_name(),
                    },
                )
            };
            let Value::Array(rows) = &n.value else {
                return Err(wrong());
            };
            let mut points = Vec::with_capacity(rows.len());
            for row in rows {
                let Value::Array(pair) = &row.value else {
                    return Err(wrong());
                };
                if pair.len() != 2 {
                    return Err(wrong());
                }
                let ts = t.number("rate_table", &pair[0])?.value;
                let r = t.number("rate_table", &pair[1])?.value;
                points.push((ts, r));
            }
            let table = RateTable::piecewise(&key, points)
                .map_err(|e| t.error("rate_table", ErrorKind::Invalid(e.to_string())))?;
            t.at("rate_table", n, table)
        }
        (Some(r), Some(_)) => {
            return Err(r.error(ErrorKind::Invalid(
                "give either `rate` or `rate_table`, not both".into(),
            )));
        }
        (None, None) => return Err(t.error("rate", ErrorKind::Missing)),
    })
}

//! `[[population]]`: a named group of neurons of one model.

use crate::build::{Builder, PopulationInfo};
use crate::error::{ErrorKind, SpecError, closest};
use crate::neuron::{MODELS, NeuronModel, PopulationCtx};
use crate::reader::{At, Required, TableReader};
use crate::sections::Names;

/// Largest population: neuron ids are `u32`.
pub const MAX_SIZE: u64 = u32::MAX as u64;

/// A validated `[[population]]` entry.
#[derive(Debug)]
pub struct Population {
    /// Unique name (the SONATA population name).
    pub name: At<String>,
    /// Number of neurons.
    pub size: At<u64>,
    /// The neuron model and its parameters.
    pub model: Box<dyn NeuronModel>,
}

impl Population {
    /// Reads one `[[population]]` table.
    pub fn parse(t: &mut TableReader<'_>, names: &mut Names) -> Result<Self, SpecError> {
        let name = t.str("name")?.required(t, "name")?;
        names.claim("population", &name)?;
        let size = t.u64("size")?.required(t, "size")?;
        if size.value == 0 || size.value > MAX_SIZE {
            return Err(size.error(ErrorKind::OutOfRange {
                value: size.value.to_string(),
                msg: format!("must be between 1 and {MAX_SIZE}"),
            }));
        }
        let model = t
            .str("model")?
            .unwrap_or_else(|| t.default("model", "lif".to_string()));
        let Some((_, parse)) = MODELS.iter().find(|(n, _)| *n == model.value) else {
            let known: Vec<&str> = MODELS.iter().map(|(n, _)| *n).collect();
            return Err(model.error(ErrorKind::Invalid(format!(
                "unknown neuron model `{}` (known: {}){}",
                model.value,
                known.join(", "),
                closest(&model.value, known.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default()
            ))));
        };
        let model = parse(t)?;
        t.finish()?;
        Ok(Self { name, size, model })
    }

    /// The model of the population `name` among `items`; an error for other targets (NEF
    /// ensembles, which are driven by `[[connection]]`s).
    pub fn model_of<'a>(
        items: &'a [Self],
        name: &At<String>,
    ) -> Result<&'a dyn NeuronModel, SpecError> {
        items
            .iter()
            .find(|p| p.name.value == name.value)
            .map(|p| p.model.as_ref())
            .ok_or_else(|| {
                name.error(ErrorKind::Invalid(format!(
                    "`{}` is not a [[population]] (NEF ensembles take input through \
                     [[connection]]s)",
                    name.value
                )))
            })
    }

    /// Builds every population, in spec order.
    pub fn build(items: &[Self], b: &mut Builder) -> Result<(), SpecError> {
        for p in items {
            let path = p.name.key.trim_end_matches(".name").to_string();
            let neurons = p.model.build(&PopulationCtx {
                name: &p.name.value,
                path: &path,
                size: p.size.value as usize,
                dt: b.dt,
                seed: b.seed,
            })?;
            b.populations.push(simcore::Population {
                name: p.name.value.clone(),
                neurons,
            });
            b.info.push(PopulationInfo {
                name: p.name.value.clone(),
                size: p.size.value as usize,
                model: p.model.name(),
                summary: p.model.summary(),
                recorded: None,
                variables: p
                    .model
                    .variables()
                    .into_iter()
                    .filter_map(|(v, _)| Some((v, p.model.recorded(v)?)))
                    .collect(),
            });
        }
        Ok(())
    }
}

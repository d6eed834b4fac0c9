//! `/weights`, `/decoders`, `/encoders`: what the run learned, written at the end of the run
//! (also when it stopped early: the values as of the last step).
//!
//! ```text
//! /weights/<projection>          attrs rule, source_population, target_population
//! /weights/<projection>/source   uint64 [S]   source neuron of each synapse (CSR order)
//! /weights/<projection>/target   uint64 [S]   target neuron
//! /weights/<projection>/weight   float64 [S]  attr units (the spec's weight unit)
//! /decoders/<connection>         float64 [N, k]  attrs rule = "pes", pre, post
//! /encoders/<connection>         float64 [N, d]  attrs rule = "voja", pre, post (unit length)
//! ```

use anyhow::Result;
use hdf5::Group;
use netspec::Network;
use netspec::learned::{LearnedKind, LearnedValues};

use super::h5::{attr_str, dataset, group};

/// Writes every learned object of `net` into `file` (nothing when none learns).
pub fn write(file: &Group, net: &Network) -> Result<()> {
    let mut roots: Vec<(&str, Group)> = Vec::new();
    for plan in &net.learned {
        let Some(values) = plan.read(net.simulator.components()) else {
            continue;
        };
        let root_name = match plan.kind {
            LearnedKind::Weights { .. } => "weights",
            LearnedKind::Decoders => "decoders",
            LearnedKind::Encoders => "encoders",
        };
        let root = match roots.iter().find(|(n, _)| *n == root_name) {
            Some((_, g)) => g.clone(),
            None => {
                let g = group(file, root_name)?;
                roots.push((root_name, g.clone()));
                g
            }
        };
        match (values, &plan.kind) {
            (
                LearnedValues::Synapses {
                    source,
                    target,
                    weight,
                },
                LearnedKind::Weights { unit, .. },
            ) => {
                let g = group(&root, &plan.name)?;
                attr_str(&g, "rule", plan.rule)?;
                attr_str(&g, "source_population", &plan.pre)?;
                attr_str(&g, "target_population", &plan.post)?;
                let ids = |v: Vec<u32>| v.into_iter().map(u64::from).collect::<Vec<u64>>();
                dataset(&g, "source", &[source.len()], &ids(source))?;
                dataset(&g, "target", &[target.len()], &ids(target))?;
                let w = dataset(&g, "weight", &[weight.len()], &weight)?;
                attr_str(&w, "units", unit)?;
            }
            (LearnedValues::Matrix { rows, cols, values }, _) => {
                let ds = dataset(&root, &plan.name, &[rows, cols], &values)?;
                attr_str(&ds, "rule", plan.rule)?;
                attr_str(&ds, "pre", &plan.pre)?;
                attr_str(&ds, "post", &plan.post)?;
            }
            (LearnedValues::Synapses { .. }, _) => {}
        }
    }
    Ok(())
}

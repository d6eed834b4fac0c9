//! Explicit synapses from HDF5 files, for `rule = "explicit"` projections whose `file` ends in
//! `.h5` or `.hdf5`. netspec parses CSV itself but does not depend on HDF5 (only the CLI links
//! libhdf5), so the CLI hands this reader to the spec ([`netspec::Spec::synapse_reader`]).
//!
//! Layout: 1-D datasets at the file's root, one entry per synapse: `source` and `target`
//! (any integer type; neuron indices within the populations), optional `weight` (float, the
//! receptor's unit) and `delay` (float, seconds) — what `h5py` writes from numpy arrays.

use std::path::Path;

use hdf5::File;
use netspec::sections::projection::ExplicitSynapses;

/// Reads the synapses of `path` (see the module docs); errors are messages naming the file and
/// dataset.
pub fn read(path: &Path) -> Result<ExplicitSynapses, String> {
    let shown = path.display();
    let file = File::open(path).map_err(|e| format!("cannot open `{shown}` as HDF5: {e}"))?;
    let exists = |name: &str| file.link_exists(name);
    let dataset = |name: &str| {
        file.dataset(name)
            .map_err(|e| format!("`{shown}`: cannot open dataset `/{name}`: {e}"))
    };
    let index = |name: &str| -> Result<Vec<u32>, String> {
        let raw: Vec<i64> = dataset(name)?.read_raw().map_err(|e| {
            format!("`{shown}`: dataset `/{name}` is not integer neuron indices: {e}")
        })?;
        raw.iter()
            .enumerate()
            .map(|(i, &x)| {
                u32::try_from(x).map_err(|_| {
                    format!("`{shown}`: `/{name}`[{i}] = {x} is not a neuron index (0 … 2³²−1)")
                })
            })
            .collect()
    };
    let float = |name: &str| -> Result<Option<Vec<f64>>, String> {
        if !exists(name) {
            return Ok(None);
        }
        let v: Vec<f64> = dataset(name)?
            .read_raw()
            .map_err(|e| format!("`{shown}`: dataset `/{name}` is not numeric: {e}"))?;
        Ok(Some(v))
    };
    for name in ["source", "target"] {
        if !exists(name) {
            return Err(format!(
                "`{shown}` has no dataset `/{name}` (explicit synapses need `/source` and \
                 `/target`, optionally `/weight` and `/delay`)"
            ));
        }
    }
    Ok(ExplicitSynapses {
        source: index("source")?,
        target: index("target")?,
        weight: float("weight")?,
        delay: float("delay")?,
    })
}

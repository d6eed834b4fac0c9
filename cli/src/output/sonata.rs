//! Reading one SONATA spike population (`/spikes/<name>`): its two datasets, checked to agree,
//! and its size. Files from other writers (bmtk, libsonata) carry no `n_nodes` attribute (it is
//! spikesim's own addition); their size is then taken as the largest node id plus one.

use anyhow::{Context, Result, bail};
use hdf5::{Dataset, Group};

/// Spikes read per chunk.
pub const READ_CHUNK: usize = 1 << 20;

/// One population of a SONATA spike file.
pub struct SpikeGroup {
    /// The population's group (its attributes: `sorting`, …).
    pub group: Group,
    /// Spike times, ms.
    pub timestamps: Dataset,
    /// Node ids, one per spike.
    pub node_ids: Dataset,
    /// Neurons of the population: the `n_nodes` attribute, else the largest id + 1.
    pub n_nodes: u64,
}

impl SpikeGroup {
    /// Opens population `name` of group `spikes`; errors when a dataset is missing or the two
    /// differ in length.
    pub fn open(spikes: &Group, name: &str) -> Result<Self> {
        let what = |d: &str| format!("/spikes/{name}/{d}");
        let g = spikes
            .group(name)
            .with_context(|| format!("/spikes/{name} is not a group"))?;
        let timestamps = g
            .dataset("timestamps")
            .with_context(|| format!("cannot read {}", what("timestamps")))?;
        let node_ids = g
            .dataset("node_ids")
            .with_context(|| format!("cannot read {}", what("node_ids")))?;
        for (d, ds) in [("timestamps", &timestamps), ("node_ids", &node_ids)] {
            if ds.ndim() != 1 {
                bail!("{} has {} dimensions, not 1", what(d), ds.ndim());
            }
        }
        let (nt, ni) = (timestamps.size(), node_ids.size());
        if nt != ni {
            bail!(
                "{} has {nt} entries but {} has {ni}: not a SONATA spike population",
                what("timestamps"),
                what("node_ids")
            );
        }
        let n_nodes = match g.attr("n_nodes").and_then(|a| a.read_scalar::<u64>()) {
            Ok(n) => n,
            Err(_) => largest_id(&node_ids)
                .with_context(|| format!("cannot read {}", what("node_ids")))?
                .map_or(0, |m| m.saturating_add(1)),
        };
        Ok(Self {
            group: g,
            timestamps,
            node_ids,
            n_nodes,
        })
    }

    /// Spikes in the population.
    pub fn len(&self) -> usize {
        self.timestamps.size()
    }
}

/// The largest value of `ids` (None when empty), read in chunks.
fn largest_id(ids: &Dataset) -> Result<Option<u64>> {
    let n = ids.size();
    let mut most = None;
    for start in (0..n).step_by(READ_CHUNK) {
        let chunk = ids.read_slice_1d::<u64, _>(start..(start + READ_CHUNK).min(n))?;
        most = most.max(chunk.iter().copied().max());
    }
    Ok(most)
}

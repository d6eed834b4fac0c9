//! What a run learned: the plastic weights of projections (`[projection.plasticity]`), the
//! decoders of PES connections and the encoders of Voja connections, read from the simulator
//! after (or during) a run for the output file (`/weights`, `/decoders`, `/encoders`,
//! docs/output.md) and for weight probes.

use models::connection::Connection;
use models::learning::Voja;
use simcore::Component;
use simcore::plasticity::PlasticDelivery;

/// Name of the component that delivers every projection (plastic ones included).
pub const PROJECTIONS: &str = "projections";

/// Where the learned values of one object live.
#[derive(Clone, Debug, PartialEq)]
pub enum LearnedKind {
    /// Per-synapse weights of projection `projection` (its index among the spec's
    /// projections), stored in the engine in the receptor's unit: `weight / scale` is in
    /// `unit`, the spec's unit.
    Weights {
        /// Projection index in the delivery component.
        projection: usize,
        /// Factor from `unit` to the engine's weights.
        scale: f64,
        /// Unit of the spec's weights.
        unit: &'static str,
    },
    /// Decoders (`N × k`) of the PES connection of that name.
    Decoders,
    /// Unit-length-scale encoders (`N × d`) of the ensemble a Voja connection learns.
    Encoders,
}

/// One object whose values learn.
#[derive(Clone, Debug, PartialEq)]
pub struct LearnedPlan {
    /// Projection or connection name.
    pub name: String,
    /// The rule (`stdp`, `hebbian`, `oja`, `bcm`, `pes`, `voja`).
    pub rule: &'static str,
    /// Source population or ensemble.
    pub pre: String,
    /// Target population or ensemble.
    pub post: String,
    /// Rows of the learned matrix (decoders, encoders: the ensemble's N; weights: 0).
    pub rows: usize,
    /// Where the values are.
    pub kind: LearnedKind,
}

/// Learned values.
#[derive(Clone, Debug, PartialEq)]
pub enum LearnedValues {
    /// One entry per synapse, in CSR order (by source, then as built).
    Synapses {
        /// Source neuron of each synapse.
        source: Vec<u32>,
        /// Target neuron of each synapse.
        target: Vec<u32>,
        /// Weight of each synapse, in the spec's unit.
        weight: Vec<f64>,
    },
    /// A row-major matrix.
    Matrix {
        /// Rows (neurons).
        rows: usize,
        /// Columns (dimensions).
        cols: usize,
        /// Values.
        values: Vec<f64>,
    },
}

impl LearnedPlan {
    /// Number of values (synapses, or rows × columns) held by `components` (a simulator's
    /// [`simcore::Simulator::components`], or a builder's).
    pub fn len(&self, sim: &[Box<dyn Component>]) -> usize {
        match self.kind {
            LearnedKind::Weights { projection, .. } => {
                plastic(sim).map_or(0, |p| p.delivery().projections()[projection].csr.len())
            }
            LearnedKind::Decoders => decoders(sim, &self.name).map_or(0, <[f64]>::len),
            LearnedKind::Encoders => voja(sim, &self.name).map_or(0, |v| v.scaled_encoders().len()),
        }
    }

    /// Whether there is nothing to read.
    pub fn is_empty(&self, sim: &[Box<dyn Component>]) -> bool {
        self.len(sim) == 0
    }

    /// Appends the current values (weights in CSR order in the spec's unit, or the matrix
    /// row-major) to `out`.
    pub fn sample(&self, sim: &[Box<dyn Component>], out: &mut Vec<f32>) {
        match self.kind {
            LearnedKind::Weights {
                projection, scale, ..
            } => {
                if let Some(p) = plastic(sim) {
                    let csr = &p.delivery().projections()[projection].csr;
                    out.extend((0..csr.len()).map(|s| (f64::from(csr.weight(s)) / scale) as f32));
                }
            }
            LearnedKind::Decoders => {
                if let Some(d) = decoders(sim, &self.name) {
                    out.extend(d.iter().map(|&v| v as f32));
                }
            }
            LearnedKind::Encoders => {
                if let Some(v) = voja(sim, &self.name) {
                    out.extend(v.encoders().iter().map(|&v| v as f32));
                }
            }
        }
    }

    /// The current values; None when the object is not among `sim`.
    pub fn read(&self, sim: &[Box<dyn Component>]) -> Option<LearnedValues> {
        let matrix = |values: Vec<f64>| LearnedValues::Matrix {
            rows: self.rows,
            cols: values.len() / self.rows.max(1),
            values,
        };
        match self.kind {
            LearnedKind::Weights {
                projection, scale, ..
            } => {
                let csr = &plastic(sim)?.delivery().projections()[projection].csr;
                let offsets = csr.offsets();
                let source = (0..csr.n_pre())
                    .flat_map(|i| std::iter::repeat_n(i as u32, offsets[i + 1] - offsets[i]))
                    .collect();
                Some(LearnedValues::Synapses {
                    source,
                    target: csr.targets().to_vec(),
                    weight: (0..csr.len())
                        .map(|s| f64::from(csr.weight(s)) / scale)
                        .collect(),
                })
            }
            LearnedKind::Decoders => Some(matrix(decoders(sim, &self.name)?.to_vec())),
            LearnedKind::Encoders => Some(matrix(voja(sim, &self.name)?.encoders())),
        }
    }

    /// The unit of the values (the spec's weight unit; `1` for decoders and encoders).
    pub fn unit(&self) -> &'static str {
        match self.kind {
            LearnedKind::Weights { unit, .. } => unit,
            LearnedKind::Decoders | LearnedKind::Encoders => "1",
        }
    }

    /// The probe variable that samples this object over time (`weight`, `decoders`,
    /// `encoders`).
    pub fn variable(&self) -> &'static str {
        match self.kind {
            LearnedKind::Weights { .. } => "weight",
            LearnedKind::Decoders => "decoders",
            LearnedKind::Encoders => "encoders",
        }
    }
}

/// Probe variables of learned objects.
pub const VARIABLES: [&str; 3] = ["weight", "decoders", "encoders"];

fn plastic(sim: &[Box<dyn Component>]) -> Option<&PlasticDelivery> {
    sim.iter()
        .filter(|c| c.name() == PROJECTIONS)
        .find_map(|c| c.as_any()?.downcast_ref::<PlasticDelivery>())
}

fn decoders<'a>(sim: &'a [Box<dyn Component>], name: &str) -> Option<&'a [f64]> {
    sim.iter()
        .filter(|c| c.name() == name)
        .find_map(|c| c.as_any()?.downcast_ref::<Connection>()?.decoders())
}

fn voja<'a>(sim: &'a [Box<dyn Component>], name: &str) -> Option<&'a Voja> {
    let key = format!("{name}.voja");
    sim.iter()
        .filter(|c| c.name() == key)
        .find_map(|c| c.as_any()?.downcast_ref::<Voja>())
}

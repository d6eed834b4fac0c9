//! Models as plain data for storage: per-layer weights and biases, activation names, the loss
//! and training metadata. The HDF5 reader/writer lives in `cli` (this crate never depends on
//! hdf5); it stores these records as datasets and attributes.

use super::DenseError;
use super::activations::Activation;
use super::layers::Dense;
use super::losses::Loss;
use super::matrix::Matrix;
use super::mlp::Mlp;

/// One layer as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerRecord {
    /// Input width.
    pub n_in: usize,
    /// Output width.
    pub n_out: usize,
    /// Weights, row-major `n_in × n_out`.
    pub weights: Vec<f64>,
    /// Biases, `n_out`.
    pub bias: Vec<f64>,
    /// Activation in the text form [`Activation::parse`] reads.
    pub activation: String,
}

/// A model as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelRecord {
    /// Model kind (`"mlp"`, `"autoencoder"`, `"perceptron"`).
    pub kind: String,
    /// Loss name.
    pub loss: String,
    /// Layers, input to output.
    pub layers: Vec<LayerRecord>,
    /// Free-form training metadata (`key → value`): seed, optimiser, epochs, accuracies…
    pub metadata: Vec<(String, String)>,
}

impl ModelRecord {
    /// The record of an MLP.
    pub fn from_mlp(kind: &str, mlp: &Mlp, metadata: Vec<(String, String)>) -> Self {
        Self {
            kind: kind.to_string(),
            loss: mlp.loss.to_string(),
            layers: mlp
                .layers
                .iter()
                .map(|l| LayerRecord {
                    n_in: l.n_in(),
                    n_out: l.n_out(),
                    weights: l.w.data().to_vec(),
                    bias: l.b.clone(),
                    activation: l.activation.to_string(),
                })
                .collect(),
            metadata,
        }
    }

    /// The MLP this record describes, checking shapes, chaining and names.
    pub fn to_mlp(&self) -> Result<Mlp, DenseError> {
        let loss = Loss::parse(&self.loss)?;
        let mut layers = Vec::with_capacity(self.layers.len());
        for (i, l) in self.layers.iter().enumerate() {
            let shape_err = |msg: String| DenseError::Shape {
                object: format!("saved layer {i}"),
                msg,
            };
            let w = Matrix::from_vec(l.n_in, l.n_out, l.weights.clone()).ok_or_else(|| {
                shape_err(format!(
                    "{} weights for {}×{}",
                    l.weights.len(),
                    l.n_in,
                    l.n_out
                ))
            })?;
            if l.bias.len() != l.n_out {
                return Err(shape_err(format!(
                    "{} biases for {} units",
                    l.bias.len(),
                    l.n_out
                )));
            }
            if i > 0 && self.layers[i - 1].n_out != l.n_in {
                return Err(shape_err(format!(
                    "takes {} inputs but the previous layer has {} units",
                    l.n_in,
                    self.layers[i - 1].n_out
                )));
            }
            if let Some(v) = l.weights.iter().chain(&l.bias).find(|v| !v.is_finite()) {
                return Err(shape_err(format!("non-finite parameter {v}")));
            }
            layers.push(Dense {
                w,
                b: l.bias.clone(),
                activation: Activation::parse(&l.activation)?,
            });
        }
        if let Some(last) = layers.last() {
            loss.check_output(&last.activation)?;
        } else {
            return Err(DenseError::Shape {
                object: "saved model".into(),
                msg: "no layers".into(),
            });
        }
        Ok(Mlp { layers, loss })
    }

    /// A metadata value.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dense::mlp::LayerShape;

    #[test]
    fn record_round_trips_and_rejects_broken_records() {
        let s = |u, a| LayerShape {
            units: u,
            activation: a,
            init: None,
        };
        let mlp = Mlp::new(
            "r",
            3,
            &[s(4, Activation::soft_lif()), s(2, Activation::Softmax)],
            Loss::CrossEntropy,
            4,
        )
        .unwrap();
        let rec = ModelRecord::from_mlp("mlp", &mlp, vec![("seed".into(), "4".into())]);
        assert_eq!(rec.to_mlp().unwrap(), mlp);
        assert_eq!(rec.meta("seed"), Some("4"));
        let mut bad = rec.clone();
        bad.layers[1].n_in = 5;
        assert!(
            bad.to_mlp()
                .unwrap_err()
                .to_string()
                .contains("saved layer 1")
        );
        let mut bad = rec.clone();
        bad.layers[0].activation = "nope".into();
        assert!(bad.to_mlp().is_err());
        let mut bad = rec;
        bad.layers[0].bias.pop();
        assert!(bad.to_mlp().is_err());
    }
}

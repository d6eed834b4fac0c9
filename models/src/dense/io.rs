//! Models as plain data for storage: per-layer weights and biases, activation names, the loss
//! and training metadata. The HDF5 reader/writer lives in `cli` (this crate never depends on
//! hdf5); it stores these records as datasets and attributes.

use super::DenseError;
use super::activations::Activation;
use super::autoencoder::Autoencoder;
use super::hopfield::Hopfield;
use super::layers::Dense;
use super::losses::Loss;
use super::matrix::Matrix;
use super::mlp::Mlp;
use super::perceptron::Perceptron;

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

/// A Hopfield network and the patterns it stores, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct HopfieldRecord {
    /// Number of units `N`.
    pub units: usize,
    /// Weights, row-major `N × N`.
    pub weights: Vec<f64>,
    /// Stored patterns (±1), row-major `P × N`.
    pub patterns: Vec<f64>,
}

/// A model as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelRecord {
    /// Model kind (`"mlp"`, `"autoencoder"`, `"perceptron"`, `"hopfield"`).
    pub kind: String,
    /// Loss name.
    pub loss: String,
    /// Layers, input to output.
    pub layers: Vec<LayerRecord>,
    /// Free-form training metadata (`key → value`): seed, optimiser, epochs, accuracies…
    pub metadata: Vec<(String, String)>,
    /// Weights and stored patterns of a Hopfield network (kind `"hopfield"`, no layers).
    pub hopfield: Option<HopfieldRecord>,
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
            hopfield: None,
        }
    }

    /// The record of a Hopfield network storing `patterns` (`P × N`); kind `"hopfield"`, loss
    /// `"none"`, no layers.
    pub fn from_hopfield(
        net: &Hopfield,
        patterns: &Matrix,
        metadata: Vec<(String, String)>,
    ) -> Self {
        Self {
            kind: "hopfield".into(),
            loss: "none".into(),
            layers: Vec::new(),
            metadata,
            hopfield: Some(HopfieldRecord {
                units: net.len(),
                weights: net.w.data().to_vec(),
                patterns: patterns.data().to_vec(),
            }),
        }
    }

    /// The Hopfield network and its stored patterns, checking shapes, symmetry, the zero
    /// diagonal and that patterns are ±1.
    pub fn to_hopfield(&self) -> Result<(Hopfield, Matrix), DenseError> {
        let err = |msg: String| DenseError::Shape {
            object: "saved Hopfield network".into(),
            msg,
        };
        let Some(h) = &self.hopfield else {
            return Err(err(format!(
                "model kind `{}` has no Hopfield weights",
                self.kind
            )));
        };
        let n = h.units;
        let w = Matrix::from_vec(n, n, h.weights.clone())
            .ok_or_else(|| err(format!("{} weights for {n}×{n}", h.weights.len())))?;
        if n == 0 || h.patterns.len() % n != 0 {
            return Err(err(format!(
                "{} pattern values for {n} units",
                h.patterns.len()
            )));
        }
        let patterns = Matrix::from_vec(h.patterns.len() / n, n, h.patterns.clone())
            .expect("checked divisibility");
        for i in 0..n {
            for j in 0..n {
                let v = w.row(i)[j];
                if !v.is_finite() || v != w.row(j)[i] || (i == j && v != 0.0) {
                    return Err(err(format!(
                        "weights must be finite and symmetric with a zero diagonal (W[{i},{j}] \
                         = {v})"
                    )));
                }
            }
        }
        Hopfield::store(&patterns)?;
        Ok((Hopfield { w }, patterns))
    }

    /// The autoencoder this record describes (an MLP whose output width is its input width).
    pub fn to_autoencoder(&self) -> Result<Autoencoder, DenseError> {
        Autoencoder::from_net(self.to_mlp()?)
    }

    /// The perceptron this record describes (one layer, one step unit).
    pub fn to_perceptron(&self) -> Result<Perceptron, DenseError> {
        let mut mlp = self.to_mlp()?;
        match mlp.layers.as_slice() {
            [l] if l.n_out() == 1 && l.activation == Activation::Step => Ok(Perceptron {
                unit: mlp.layers.remove(0),
            }),
            _ => Err(DenseError::Shape {
                object: "saved perceptron".into(),
                msg: "expected one layer of one step unit".into(),
            }),
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

    #[test]
    fn hopfield_perceptron_and_autoencoder_records() {
        let pats = crate::dense::hopfield::random_patterns(3, 20, 1);
        let net = Hopfield::store(&pats).unwrap();
        let rec = ModelRecord::from_hopfield(&net, &pats, vec![]);
        assert_eq!(rec.to_hopfield().unwrap(), (net.clone(), pats.clone()));
        assert!(rec.to_mlp().is_err());
        let broken = |f: &dyn Fn(&mut HopfieldRecord)| {
            let mut bad = rec.clone();
            f(bad.hopfield.as_mut().unwrap());
            bad.to_hopfield().map(|_| ()).unwrap_err().to_string()
        };
        assert!(broken(&|h| h.weights[1] += 0.5).contains("symmetric"));
        assert!(broken(&|h| h.weights[0] = 1.0).contains("zero diagonal"));
        assert!(broken(&|h| h.patterns.truncate(59)).contains("pattern values"));
        assert!(broken(&|h| h.patterns[0] = 0.5).contains("±1"));

        let mut p = Perceptron::new(3);
        p.unit.w.data_mut()[1] = 2.0;
        let rec = ModelRecord::from_mlp(
            "perceptron",
            &Mlp {
                layers: vec![p.unit.clone()],
                loss: Loss::Mse,
            },
            vec![],
        );
        assert_eq!(rec.to_perceptron().unwrap(), p);
        assert!(rec.to_hopfield().is_err());

        let ae =
            Autoencoder::new("ae", 4, &[2], Activation::Tanh, Activation::Identity, 1).unwrap();
        let rec = ModelRecord::from_mlp("autoencoder", &ae.net, vec![]);
        assert_eq!(rec.to_autoencoder().unwrap(), ae);
        assert!(rec.to_perceptron().is_err());
    }
}

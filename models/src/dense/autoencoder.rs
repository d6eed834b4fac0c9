//! A dense autoencoder: an [`Mlp`] mapping inputs through a narrower code layer back to
//! themselves, trained on the reconstruction loss `(1/(n·d)) Σ (x̂ − x)²`.

use super::DenseError;
use super::activations::Activation;
use super::datasets::Dataset;
use super::losses::Loss;
use super::matrix::Matrix;
use super::mlp::{LayerShape, Mlp};

/// An autoencoder `x → code → x̂`.
#[derive(Clone, Debug, PartialEq)]
pub struct Autoencoder {
    /// The network; layer `code_layer`'s output is the code.
    pub net: Mlp,
    /// Index of the code layer.
    pub code_layer: usize,
}

impl Autoencoder {
    /// Encoder widths `encoder` (the last is the code width) with activation `hidden`, a
    /// mirrored decoder, and an output layer of `n_in` units with activation `output`.
    pub fn new(
        name: &str,
        n_in: usize,
        encoder: &[usize],
        hidden: Activation,
        output: Activation,
        seed: u64,
    ) -> Result<Self, DenseError> {
        let shape = |units, activation| LayerShape {
            units,
            activation,
            init: None,
        };
        let mut shapes: Vec<LayerShape> = encoder.iter().map(|&u| shape(u, hidden)).collect();
        shapes.extend(encoder.iter().rev().skip(1).map(|&u| shape(u, hidden)));
        shapes.push(shape(n_in, output));
        let net = Mlp::new(name, n_in, &shapes, Loss::Mse, seed)?;
        Ok(Self {
            net,
            code_layer: encoder.len().saturating_sub(1),
        })
    }

    /// An autoencoder over an existing network (its output width must equal its input width);
    /// the code layer is the narrowest layer before the output (the first, on ties).
    pub fn from_net(net: Mlp) -> Result<Self, DenseError> {
        if net.n_out() != net.n_in() {
            return Err(DenseError::Shape {
                object: "autoencoder".into(),
                msg: format!(
                    "the output layer has {} units but the network takes {} inputs (an \
                     autoencoder reconstructs its inputs)",
                    net.n_out(),
                    net.n_in()
                ),
            });
        }
        let hidden = net.layers.len().saturating_sub(1).max(1);
        let code_layer = (0..hidden)
            .min_by_key(|&i| net.layers[i].n_out())
            .unwrap_or(0);
        Ok(Self { net, code_layer })
    }

    /// The reconstruction task for `data`: targets are the inputs.
    pub fn task(data: &Dataset) -> Dataset {
        Dataset {
            name: data.name.clone(),
            x: data.x.clone(),
            y: data.x.clone(),
            labels: None,
        }
    }

    /// Mean squared reconstruction error per input element.
    pub fn reconstruction_error(&self, x: &Matrix) -> f64 {
        let xh = self.net.predict(x);
        let d = xh
            .data()
            .iter()
            .zip(x.data())
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>();
        d / x.data().len().max(1) as f64
    }

    /// Codes of a batch (output of the code layer).
    pub fn encode(&self, x: &Matrix) -> Matrix {
        let encoder = Mlp {
            layers: self.net.layers[..=self.code_layer].to_vec(),
            loss: Loss::Mse,
        };
        encoder.predict(x)
    }
}

/// Mean squared error of predicting every input by its column mean (the variance per
/// element): the baseline a reconstruction error is compared against.
pub fn mean_baseline_error(x: &Matrix) -> f64 {
    let (n, d) = (x.rows().max(1) as f64, x.cols());
    let mut total = 0.0;
    for j in 0..d {
        let mean = x.row_iter().map(|r| r[j]).sum::<f64>() / n;
        total += x.row_iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>();
    }
    total / (n * d.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_net_picks_the_narrowest_layer_and_rejects_other_widths() {
        let s = |units| LayerShape {
            units,
            activation: Activation::Relu,
            init: None,
        };
        let net = Mlp::new("a", 6, &[s(4), s(2), s(4), s(6)], Loss::Mse, 1).unwrap();
        let ae = Autoencoder::from_net(net).unwrap();
        assert_eq!(ae.code_layer, 1);
        assert_eq!(ae.encode(&Matrix::zeros(3, 6)).cols(), 2);
        let net = Mlp::new("a", 6, &[s(3), s(5)], Loss::Mse, 1).unwrap();
        let e = Autoencoder::from_net(net).unwrap_err().to_string();
        assert!(e.contains("5 units") && e.contains("6 inputs"), "{e}");
    }
}

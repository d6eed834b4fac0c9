//! The multi-layer perceptron: a stack of [`Dense`] layers and a [`Loss`], for classification
//! (softmax + cross-entropy, or any output with MSE) and regression (identity + MSE).

use super::DenseError;
use super::activations::Activation;
use super::datasets::Dataset;
use super::layers::{Dense, Grad, Init};
use super::losses::Loss;
use super::matrix::{Mat, Matrix, Real, argmax};
use rayon::prelude::*;

/// Rows per block when evaluating in parallel (fixed, so results never depend on threads).
pub const EVAL_BLOCK: usize = 256;

/// A multi-layer perceptron, in `f64` (models) or `f32` (training fast path).
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp<T = f64> {
    /// Layers, input to output.
    pub layers: Vec<Dense<T>>,
    /// Training loss.
    pub loss: Loss,
}

/// One layer of an architecture: width and activation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerShape {
    /// Number of units.
    pub units: usize,
    /// Activation.
    pub activation: Activation,
    /// Initialisation (None: Glorot or He by activation).
    pub init: Option<Init>,
}

/// Loss and accuracy of a model on a data set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// Mean loss.
    pub loss: f64,
    /// Fraction of samples classified correctly (data sets with labels only).
    pub accuracy: Option<f64>,
}

/// Forward-pass record kept for backprop (its buffers are reused from batch to batch).
#[derive(Clone, Debug, Default)]
pub struct Trace<T = f64> {
    /// Input of each layer (after dropout), `inputs[0]` the batch.
    pub inputs: Vec<Mat<T>>,
    /// Pre-activation of each layer.
    pub z: Vec<Mat<T>>,
    /// Output of each layer (before dropout).
    pub a: Vec<Mat<T>>,
    /// Inverted-dropout mask applied to each layer's input (`None`: no dropout).
    pub masks: Vec<Option<Vec<T>>>,
}

impl Mlp {
    /// An MLP with `n_in` inputs and the given layers, weights drawn from the stream
    /// `simcore::rng::stream(seed, "dense/<name>/init")` (same seed ⇒ same model).
    pub fn new(
        name: &str,
        n_in: usize,
        shapes: &[LayerShape],
        loss: Loss,
        seed: u64,
    ) -> Result<Self, DenseError> {
        let Some(last) = shapes.last() else {
            return Err(DenseError::Param {
                object: format!("model `{name}`"),
                key: "layer",
                value: "0".into(),
                msg: "needs at least one layer".into(),
            });
        };
        loss.check_output(&last.activation)?;
        let mut rng = simcore::rng::stream(seed, &format!("dense/{name}/init"));
        let mut width = n_in;
        let mut layers = Vec::with_capacity(shapes.len());
        for (i, s) in shapes.iter().enumerate() {
            if s.units == 0 || width == 0 {
                return Err(DenseError::Param {
                    object: format!("model `{name}` layer {i}"),
                    key: "units",
                    value: s.units.to_string(),
                    msg: "layers need at least one unit and one input".into(),
                });
            }
            s.activation.validate()?;
            if i + 1 < shapes.len() && !s.activation.is_elementwise() {
                return Err(DenseError::Param {
                    object: format!("model `{name}` layer {i}"),
                    key: "activation",
                    value: s.activation.to_string(),
                    msg: "softmax is for the output layer only".into(),
                });
            }
            let init = s
                .init
                .unwrap_or_else(|| Init::for_activation(&s.activation));
            layers.push(Dense::new(width, s.units, s.activation, init, &mut rng));
            width = s.units;
        }
        Ok(Self { layers, loss })
    }

    /// Checks that `data` fits the model's input and output widths.
    pub fn check_data(&self, data: &Dataset) -> Result<(), DenseError> {
        if data.x.cols() != self.n_in() || data.y.cols() != self.n_out() {
            return Err(DenseError::Shape {
                object: format!("data set `{}`", data.name),
                msg: format!(
                    "{} inputs × {} targets, model takes {} inputs → {} outputs",
                    data.x.cols(),
                    data.y.cols(),
                    self.n_in(),
                    self.n_out()
                ),
            });
        }
        Ok(())
    }
}

impl<T: Real> Mlp<T> {
    /// The same model in another precision (`f64 → f32 → f64` rounds the parameters).
    pub fn cast<U: Real>(&self) -> Mlp<U> {
        Mlp {
            layers: self.layers.iter().map(Dense::cast).collect(),
            loss: self.loss,
        }
    }

    /// Input width.
    pub fn n_in(&self) -> usize {
        self.layers.first().map_or(0, Dense::n_in)
    }

    /// Output width.
    pub fn n_out(&self) -> usize {
        self.layers.last().map_or(0, Dense::n_out)
    }

    /// Number of trainable parameters.
    pub fn n_params(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.w.data().len() + l.b.len())
            .sum()
    }

    /// Forward pass of a batch keeping what backprop needs. `dropout` (rate p, with its
    /// random stream) zeroes each hidden unit with probability p and scales the others by
    /// 1/(1−p) (inverted dropout), on the inputs of layers 1.. .
    pub fn forward_trace(
        &self,
        x: &Mat<T>,
        trace: &mut Trace<T>,
        mut dropout: Option<(f64, &mut simcore::rng::Stream)>,
    ) {
        let n = self.layers.len();
        trace.inputs.resize_with(n, Mat::default);
        trace.z.resize_with(n, Mat::default);
        trace.a.resize_with(n, Mat::default);
        trace.masks.resize(n, None);
        trace.inputs[0].clone_from(x);
        for (l, layer) in self.layers.iter().enumerate() {
            if l > 0 {
                trace.inputs[l].clone_from(&trace.a[l - 1]);
                trace.masks[l] = match dropout.as_mut() {
                    Some((p, rng)) if *p > 0.0 => {
                        use rand::Rng;
                        let keep = T::from_f64(1.0 / (1.0 - *p));
                        let mut mask = trace.masks[l].take().unwrap_or_default();
                        mask.clear();
                        mask.extend((0..trace.inputs[l].data().len()).map(|_| {
                            if rng.random::<f64>() < *p {
                                T::ZERO
                            } else {
                                keep
                            }
                        }));
                        for (v, &m) in trace.inputs[l].data_mut().iter_mut().zip(&mask) {
                            *v *= m;
                        }
                        Some(mask)
                    }
                    _ => None,
                };
            }
            let (z, a) = (&mut trace.z[l], &mut trace.a[l]);
            layer.forward(&trace.inputs[l], z, a);
        }
    }

    /// Backprop of `loss(trace output, y)`: fills `grads` (one per layer) and returns the loss.
    pub fn backward(&self, trace: &Trace<T>, y: &Mat<T>, grads: &mut Vec<Grad<T>>) -> f64 {
        let n = self.layers.len();
        grads.resize_with(n, Grad::default);
        let out = &self.layers[n - 1];
        let loss = self.loss.value(&trace.z[n - 1], &trace.a[n - 1], y);
        let mut dz = Mat::default();
        self.loss.delta(
            &out.activation,
            &trace.z[n - 1],
            &trace.a[n - 1],
            y,
            &mut dz,
        );
        let mut dx = Mat::default();
        for l in (0..n).rev() {
            let layer = &self.layers[l];
            if l == 0 {
                layer.backward(&trace.inputs[0], &dz, &mut grads[0], None);
            } else {
                layer.backward(&trace.inputs[l], &dz, &mut grads[l], Some(&mut dx));
                if let Some(mask) = &trace.masks[l] {
                    for (v, &m) in dx.data_mut().iter_mut().zip(mask) {
                        *v *= m;
                    }
                }
                let prev = &self.layers[l - 1];
                prev.activation
                    .backward(&trace.z[l - 1], &trace.a[l - 1], &dx, &mut dz);
            }
        }
        loss
    }

    /// Whether every weight and bias is finite.
    pub fn is_finite(&self) -> bool {
        self.layers.iter().all(|l| {
            l.w.data()
                .iter()
                .chain(&l.b)
                .all(|v| v.to_f64().is_finite())
        })
    }
}

impl Mlp {
    /// Outputs for a batch (pre-activations of the last layer in `z_out` if asked), evaluated in
    /// parallel over fixed blocks of [`EVAL_BLOCK`] rows.
    pub fn predict_with(&self, x: &Matrix, z_out: Option<&mut Matrix>) -> Matrix {
        let n_out = self.n_out();
        let blocks: Vec<(Matrix, Matrix)> = (0..x.rows().div_ceil(EVAL_BLOCK))
            .into_par_iter()
            .map(|b| {
                let xb = x.slice_rows(b * EVAL_BLOCK, ((b + 1) * EVAL_BLOCK).min(x.rows()));
                let (mut z, mut a) = (Matrix::default(), xb);
                for layer in &self.layers {
                    let input = std::mem::take(&mut a);
                    layer.forward(&input, &mut z, &mut a);
                }
                (z, a)
            })
            .collect();
        let mut a = Matrix::zeros(x.rows(), n_out);
        let mut z = Matrix::zeros(x.rows(), n_out);
        let mut row = 0;
        for (zb, ab) in &blocks {
            let len = ab.data().len();
            a.data_mut()[row * n_out..row * n_out + len].copy_from_slice(ab.data());
            z.data_mut()[row * n_out..row * n_out + len].copy_from_slice(zb.data());
            row += ab.rows();
        }
        if let Some(zo) = z_out {
            *zo = z;
        }
        a
    }

    /// Outputs for a batch.
    pub fn predict(&self, x: &Matrix) -> Matrix {
        self.predict_with(x, None)
    }

    /// Class of each sample: argmax of the outputs (one output: `a > 0.5`).
    pub fn classify(&self, x: &Matrix) -> Vec<usize> {
        classes(&self.predict(x))
    }

    /// Loss and (for labelled data) accuracy on a data set.
    pub fn evaluate(&self, data: &Dataset) -> Metrics {
        let mut z = Matrix::default();
        let a = self.predict_with(&data.x, Some(&mut z));
        let loss = self.loss.value(&z, &a, &data.y);
        let accuracy = data
            .labels
            .as_ref()
            .map(|labels| accuracy(&classes(&a), labels));
        Metrics { loss, accuracy }
    }

    /// A copy whose soft-LIF layers use the LIF rate `G(J)` itself (what spiking neurons
    /// compute), for evaluating a soft-LIF-trained network as its spiking version sees it.
    pub fn hardened(&self) -> Self {
        let mut m = self.clone();
        for l in &mut m.layers {
            l.activation = l.activation.hard();
        }
        m
    }
}

/// Class of each row of outputs: argmax (one column: `a > 0.5`).
pub fn classes<T: Real>(a: &Mat<T>) -> Vec<usize> {
    if a.cols() == 1 {
        a.data()
            .iter()
            .map(|&v| usize::from(v.to_f64() > 0.5))
            .collect()
    } else {
        a.row_iter().map(argmax).collect()
    }
}

/// Fraction of `predicted` equal to `labels` (0 for empty input).
pub fn accuracy(predicted: &[usize], labels: &[usize]) -> f64 {
    if labels.is_empty() {
        return 0.0;
    }
    predicted.iter().zip(labels).filter(|(p, l)| p == l).count() as f64 / labels.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whole-network gradient check (f64, central differences, relative error ≤ 1e-4) for
    /// three-layer nets with every loss.
    #[test]
    #[allow(clippy::needless_range_loop)] // indexes the model copies and the gradients alike
    fn network_gradients_match_finite_differences() {
        let x = Matrix::from_vec(
            4,
            3,
            (0..12).map(|i| ((i * 5 % 9) as f64 - 4.0) / 3.0).collect(),
        )
        .unwrap();
        let soft = Matrix::from_vec(4, 2, vec![0.1, 0.9, 0.7, 0.3, 0.5, 0.5, 1.0, 0.0]).unwrap();
        let hidden = |a| LayerShape {
            units: 5,
            activation: a,
            init: None,
        };
        let out = |a| LayerShape {
            units: 2,
            activation: a,
            init: None,
        };
        let cases = [
            (Activation::Tanh, Activation::Softmax, Loss::CrossEntropy),
            (
                Activation::soft_lif(),
                Activation::Softmax,
                Loss::CrossEntropy,
            ),
            (
                Activation::Elu { alpha: 1.0 },
                Activation::Logistic,
                Loss::BinaryCrossEntropy,
            ),
            (Activation::Softplus, Activation::Identity, Loss::Mse),
            (Activation::Arctan, Activation::Logistic, Loss::Mse),
        ];
        for (h, o, loss) in cases {
            let mlp = Mlp::new(
                "g",
                3,
                &[hidden(h), hidden(Activation::Logistic), out(o)],
                loss,
                9,
            )
            .unwrap();
            let mut trace = Trace::default();
            mlp.forward_trace(&x, &mut trace, None);
            let mut grads = Vec::new();
            mlp.backward(&trace, &soft, &mut grads);
            let loss_of = |m: &Mlp| {
                let mut z = Matrix::default();
                let a = m.predict_with(&x, Some(&mut z));
                m.loss.value(&z, &a, &soft)
            };
            let hstep = 1e-6;
            for l in 0..mlp.layers.len() {
                for k in 0..mlp.layers[l].w.data().len() {
                    let mut p = mlp.clone();
                    p.layers[l].w.data_mut()[k] += hstep;
                    let mut m = mlp.clone();
                    m.layers[l].w.data_mut()[k] -= hstep;
                    let fd = (loss_of(&p) - loss_of(&m)) / (2.0 * hstep);
                    let an = grads[l].w.data()[k];
                    assert!(
                        (fd - an).abs() <= 1e-4 * fd.abs().max(an.abs()) || (fd - an).abs() < 1e-10,
                        "{h}/{o}/{loss} layer {l} w[{k}]: fd {fd} vs {an}"
                    );
                }
                for k in 0..mlp.layers[l].b.len() {
                    let mut p = mlp.clone();
                    p.layers[l].b[k] += hstep;
                    let mut m = mlp.clone();
                    m.layers[l].b[k] -= hstep;
                    let fd = (loss_of(&p) - loss_of(&m)) / (2.0 * hstep);
                    let an = grads[l].b[k];
                    assert!(
                        (fd - an).abs() <= 1e-4 * fd.abs().max(an.abs()) || (fd - an).abs() < 1e-10,
                        "{h}/{o}/{loss} layer {l} b[{k}]: fd {fd} vs {an}"
                    );
                }
            }
        }
    }

    #[test]
    fn construction_errors_name_the_fault() {
        let s = |u, a| LayerShape {
            units: u,
            activation: a,
            init: None,
        };
        let e = Mlp::new("m", 2, &[s(3, Activation::Relu)], Loss::CrossEntropy, 0).unwrap_err();
        assert!(e.to_string().contains("softmax"), "{e}");
        let e = Mlp::new(
            "m",
            2,
            &[s(0, Activation::Relu), s(2, Activation::Identity)],
            Loss::Mse,
            0,
        )
        .unwrap_err();
        assert!(e.to_string().contains("layer 0"), "{e}");
        assert!(Mlp::new("m", 2, &[], Loss::Mse, 0).is_err());
    }

    #[test]
    fn parallel_blocks_equal_one_block() {
        let s = |u, a| LayerShape {
            units: u,
            activation: a,
            init: None,
        };
        let mlp = Mlp::new(
            "p",
            3,
            &[s(7, Activation::Relu), s(2, Activation::Softmax)],
            Loss::CrossEntropy,
            1,
        )
        .unwrap();
        let n = EVAL_BLOCK * 2 + 9;
        let x =
            Matrix::from_vec(n, 3, (0..n * 3).map(|i| (i as f64 * 0.1).sin()).collect()).unwrap();
        let all = mlp.predict(&x);
        for i in [0, 1, EVAL_BLOCK, n - 1] {
            let one = mlp.predict(&x.slice_rows(i, i + 1));
            assert_eq!(one.row(0), all.row(i));
        }
    }
}

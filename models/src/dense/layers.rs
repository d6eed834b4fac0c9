//! A dense layer `A = f(X·W + b)` (one sample per row of `X`), its initialisation and its
//! backward pass:
//! `∂L/∂W = Xᵀ·δZ`, `∂L/∂b = Σ_rows δZ`, `∂L/∂X = δZ·Wᵀ`, with `δZ = f'(Z) ⊙ δA`.

use super::activations::Activation;
use super::matrix::{Mat, Matrix, Op, Real, gemm};
use rand::Rng;
use rand_distr::{Distribution, Normal, Uniform};

/// Weight initialisation scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// Glorot & Bengio (2010) uniform: `W ~ U(−l, l)`, `l = √(6/(n_in + n_out))`, ×4 for
    /// the logistic (Bengio 2012, "Practical recommendations", sec. 3.1.4); biases at the
    /// activation's initial bias.
    Glorot,
    /// He et al. (2015) normal: `W ~ N(0, 2/n_in)` (ReLU family); biases at the activation's
    /// initial bias.
    He,
    /// scikit-learn's MLP initialisation (`BaseMultilayerPerceptron._init_coef`): weights
    /// *and* biases `~ U(−l, l)`, `l = √(f/(n_in + n_out))`, f = 2 for a logistic layer, else 6.
    /// (scikit-learn takes f from the hidden activation for every layer, the output layer
    /// included; here it follows each layer's own activation, which is the same for all but
    /// the output layer of logistic networks.) The biases then start around 0, not at the
    /// activation's initial bias.
    Sklearn,
}

impl Init {
    /// The default scheme for an activation: He for the ReLU family, Glorot otherwise.
    pub fn for_activation(act: &Activation) -> Self {
        match act {
            Activation::Relu | Activation::LeakyRelu { .. } | Activation::Elu { .. } => Self::He,
            _ => Self::Glorot,
        }
    }
}

/// A fully connected layer with bias, in `f64` (models) or `f32` (training fast path).
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<T = f64> {
    /// Weights, `n_in × n_out`.
    pub w: Mat<T>,
    /// Biases, `n_out`.
    pub b: Vec<T>,
    /// Activation.
    pub activation: Activation,
}

/// Gradients of one layer's parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grad<T = f64> {
    /// `∂L/∂W`, `n_in × n_out`.
    pub w: Mat<T>,
    /// `∂L/∂b`, `n_out`.
    pub b: Vec<T>,
}

impl Dense {
    /// A layer with weights (and, for [`Init::Sklearn`], biases) drawn by `init` from `rng`;
    /// otherwise biases at the activation's [`initial_bias`](Activation::initial_bias).
    ///
    /// Glorot: `W ~ U(−l, l)`, `l = √(6/(n_in + n_out))`, ×4 for the logistic. He:
    /// `W ~ N(0, 2/n_in)`. Sklearn: `W, b ~ U(−l, l)`, `l = √(f/(n_in + n_out))`, f = 2 for
    /// the logistic, else 6; W is drawn row by row (`n_in × n_out`, as NumPy's C order), then b.
    pub fn new(
        n_in: usize,
        n_out: usize,
        activation: Activation,
        init: Init,
        rng: &mut impl Rng,
    ) -> Self {
        let mut w = Matrix::zeros(n_in, n_out);
        let mut b = vec![activation.initial_bias(); n_out];
        match init {
            Init::Glorot => {
                let gain = if activation == Activation::Logistic {
                    4.0
                } else {
                    1.0
                };
                let l = gain * (6.0 / (n_in + n_out).max(1) as f64).sqrt();
                // l > 0 always (n_in + n_out ≥ 1 after max), so the range is valid.
                let d = Uniform::new(-l, l).expect("positive Glorot limit");
                w.data_mut().iter_mut().for_each(|v| *v = d.sample(rng));
            }
            Init::He => {
                let sd = (2.0 / n_in.max(1) as f64).sqrt();
                let d = Normal::new(0.0, sd).expect("finite He deviation");
                w.data_mut().iter_mut().for_each(|v| *v = d.sample(rng));
            }
            Init::Sklearn => {
                let factor = if activation == Activation::Logistic {
                    2.0
                } else {
                    6.0
                };
                let l = (factor / (n_in + n_out).max(1) as f64).sqrt();
                // l > 0 always (n_in + n_out ≥ 1 after max), so the range is valid.
                let d = Uniform::new(-l, l).expect("positive scikit-learn limit");
                w.data_mut().iter_mut().for_each(|v| *v = d.sample(rng));
                b.iter_mut().for_each(|v| *v = d.sample(rng));
            }
        }
        Self { w, b, activation }
    }
}

impl<T: Real> Dense<T> {
    /// The same layer in another precision.
    pub fn cast<U: Real>(&self) -> Dense<U> {
        Dense {
            w: self.w.cast(),
            b: self.b.iter().map(|&v| U::from_f64(v.to_f64())).collect(),
            activation: self.activation,
        }
    }

    /// Input width.
    pub fn n_in(&self) -> usize {
        self.w.rows()
    }

    /// Output width.
    pub fn n_out(&self) -> usize {
        self.w.cols()
    }

    /// `z = x·W + b`, `a = f(z)` (both resized).
    pub fn forward(&self, x: &Mat<T>, z: &mut Mat<T>, a: &mut Mat<T>) {
        self.pre_activation(x, z);
        self.activation.forward(z, a);
    }

    /// `z = x·W + b` (resized).
    pub fn pre_activation(&self, x: &Mat<T>, z: &mut Mat<T>) {
        z.resize(x.rows(), self.n_out());
        for i in 0..z.rows() {
            z.row_mut(i).copy_from_slice(&self.b);
        }
        gemm(z, x, Op::N, &self.w, Op::N, T::ONE, true);
    }

    /// Parameter gradients from the layer's input `x` and `δz`; `dx` (if given) receives
    /// `δz·Wᵀ`, the gradient for the previous layer's output.
    pub fn backward(&self, x: &Mat<T>, dz: &Mat<T>, grad: &mut Grad<T>, dx: Option<&mut Mat<T>>) {
        gemm(&mut grad.w, x, Op::T, dz, Op::N, T::ONE, false);
        grad.b.clear();
        grad.b.resize(self.n_out(), T::ZERO);
        for row in dz.row_iter() {
            for (g, &v) in grad.b.iter_mut().zip(row) {
                *g += v;
            }
        }
        if let Some(dx) = dx {
            gemm(dx, dz, Op::N, &self.w, Op::T, T::ONE, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dense::losses::Loss;

    /// Whole-layer gradient check in f64: ∂L/∂W, ∂L/∂b and ∂L/∂X against central differences
    /// of `L = MSE(f(XW + b), Y)`, for every element-wise activation.
    #[test]
    fn layer_gradients_match_finite_differences() {
        let acts = [
            Activation::Identity,
            Activation::Logistic,
            Activation::Tanh,
            Activation::Arctan,
            Activation::Relu,
            Activation::LeakyRelu { alpha: 0.1 },
            Activation::Elu { alpha: 1.0 },
            Activation::Softplus,
            Activation::Softmax,
            Activation::soft_lif(),
            Activation::lif(),
        ];
        let mut rng = simcore::rng::stream(3, "test/layer");
        for act in acts {
            let mut layer = Dense::new(4, 3, act, Init::Glorot, &mut rng);
            layer.w.data_mut().iter_mut().for_each(|v| *v *= 2.0);
            let x = Matrix::from_vec(
                5,
                4,
                (0..20).map(|i| ((i * 7 % 11) as f64 - 5.0) / 3.1).collect(),
            )
            .unwrap();
            let y = Matrix::from_vec(5, 3, (0..15).map(|i| ((i * 5 % 7) as f64) / 7.0).collect())
                .unwrap();
            let loss_of = |l: &Dense, x: &Matrix| {
                let (mut z, mut a) = (Matrix::default(), Matrix::default());
                l.forward(x, &mut z, &mut a);
                Loss::Mse.value(&z, &a, &y)
            };
            let (mut z, mut a, mut dz) = (Matrix::default(), Matrix::default(), Matrix::default());
            layer.forward(&x, &mut z, &mut a);
            Loss::Mse.delta(&act, &z, &a, &y, &mut dz);
            let mut g = Grad::default();
            let mut dx = Matrix::default();
            layer.backward(&x, &dz, &mut g, Some(&mut dx));
            let h = 1e-6;
            let close = |fd: f64, an: f64, what: &str| {
                assert!(
                    (fd - an).abs() <= 1e-4 * fd.abs().max(an.abs()) || (fd - an).abs() < 1e-9,
                    "{act} {what}: fd {fd} vs {an}"
                )
            };
            for k in 0..layer.w.data().len() {
                let mut p = layer.clone();
                p.w.data_mut()[k] += h;
                let mut m = layer.clone();
                m.w.data_mut()[k] -= h;
                close(
                    (loss_of(&p, &x) - loss_of(&m, &x)) / (2.0 * h),
                    g.w.data()[k],
                    "dW",
                );
            }
            for k in 0..layer.b.len() {
                let mut p = layer.clone();
                p.b[k] += h;
                let mut m = layer.clone();
                m.b[k] -= h;
                close(
                    (loss_of(&p, &x) - loss_of(&m, &x)) / (2.0 * h),
                    g.b[k],
                    "db",
                );
            }
            for k in 0..x.data().len() {
                let mut xp = x.clone();
                xp.data_mut()[k] += h;
                let mut xm = x.clone();
                xm.data_mut()[k] -= h;
                close(
                    (loss_of(&layer, &xp) - loss_of(&layer, &xm)) / (2.0 * h),
                    dx.data()[k],
                    "dX",
                );
            }
        }
    }

    #[test]
    fn same_seed_same_weights() {
        let a = Dense::new(
            5,
            4,
            Activation::Relu,
            Init::He,
            &mut simcore::rng::stream(1, "l"),
        );
        let b = Dense::new(
            5,
            4,
            Activation::Relu,
            Init::He,
            &mut simcore::rng::stream(1, "l"),
        );
        let c = Dense::new(
            5,
            4,
            Activation::Relu,
            Init::He,
            &mut simcore::rng::stream(2, "l"),
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    /// scikit-learn's scheme: W and b uniform in ±√(6/(n_in+n_out)) (±√(2/…) for the
    /// logistic), filling the range (max |w| near the limit) with mean ≈ 0.
    #[test]
    fn sklearn_init_draws_weights_and_biases_in_its_range() {
        for (act, factor) in [(Activation::Relu, 6.0), (Activation::Logistic, 2.0)] {
            let mut rng = simcore::rng::stream(4, "l");
            let l = Dense::new(64, 100, act, Init::Sklearn, &mut rng);
            let limit = f64::sqrt(factor / 164.0);
            let all: Vec<f64> = l.w.data().iter().chain(&l.b).copied().collect();
            let max = all.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(max < limit && max > 0.99 * limit, "{act}: {max} vs {limit}");
            let mean = all.iter().sum::<f64>() / all.len() as f64;
            assert!(mean.abs() < 0.05 * limit, "{act}: mean {mean}");
            assert!(l.b.iter().all(|&b| b != 0.0 && b.abs() < limit));
        }
    }
}

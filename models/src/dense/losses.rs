//! Losses over a batch of `n` samples with `k` outputs, and their gradients with respect to the
//! output layer's pre-activation `z` (the output activation is part of the loss's gradient, so
//! the softmax/logistic pairs are computed from logits, stably).
//!
//! - [`Loss::Mse`]: `L = (1/(n·k)) Σ (a − y)²`, `∂L/∂z = f'(z) ⊙ 2(a − y)/(n·k)` for any output
//!   activation `f`.
//! - [`Loss::CrossEntropy`] with a softmax output: `L = −(1/n) Σ_i Σ_c y_ic (z_ic − logsumexp(z_i))`,
//!   `∂L/∂z = (softmax(z) − y)/n`.
//! - [`Loss::BinaryCrossEntropy`] with a logistic output:
//!   `L = (1/(n·k)) Σ [max(z, 0) − z·y + ln(1 + e^{−|z|})]`, `∂L/∂z = (σ(z) − y)/(n·k)`.

use super::DenseError;
use super::activations::Activation;
use super::matrix::{Mat, Real};
use std::fmt;

/// A training loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Mean squared error.
    Mse,
    /// Categorical cross-entropy of a softmax output (one-hot or soft targets).
    CrossEntropy,
    /// Binary cross-entropy of a logistic output (targets in [0, 1]).
    BinaryCrossEntropy,
}

/// Names accepted by [`Loss::parse`].
pub const NAMES: &str = "mse, cross_entropy, binary_cross_entropy";

impl Loss {
    /// Parses a loss name.
    pub fn parse(name: &str) -> Result<Self, DenseError> {
        match name.trim() {
            "mse" => Ok(Self::Mse),
            "cross_entropy" | "ce" => Ok(Self::CrossEntropy),
            "binary_cross_entropy" | "bce" => Ok(Self::BinaryCrossEntropy),
            other => Err(DenseError::UnknownName {
                kind: "loss",
                name: other.to_string(),
                known: NAMES,
            }),
        }
    }

    /// Checks that the output activation suits the loss (softmax for cross-entropy, logistic
    /// for binary cross-entropy).
    pub fn check_output(&self, output: &Activation) -> Result<(), DenseError> {
        let ok = match self {
            Self::Mse => true,
            Self::CrossEntropy => *output == Activation::Softmax,
            Self::BinaryCrossEntropy => *output == Activation::Logistic,
        };
        if ok {
            Ok(())
        } else {
            Err(DenseError::Param {
                object: "output layer".into(),
                key: "activation",
                value: output.to_string(),
                msg: format!(
                    "loss `{self}` needs a {} output",
                    if *self == Self::CrossEntropy {
                        "softmax"
                    } else {
                        "logistic"
                    }
                ),
            })
        }
    }

    /// Loss value for pre-activations `z`, outputs `a = f(z)` and targets `y` (all `n × k`).
    pub fn value<T: Real>(&self, z: &Mat<T>, a: &Mat<T>, y: &Mat<T>) -> f64 {
        let n = z.rows().max(1) as f64;
        let nk = (z.rows() * z.cols()).max(1) as f64;
        match self {
            Self::Mse => {
                a.data()
                    .iter()
                    .zip(y.data())
                    .map(|(p, t)| (p.to_f64() - t.to_f64()).powi(2))
                    .sum::<f64>()
                    / nk
            }
            Self::CrossEntropy => {
                let mut total = 0.0;
                for (zi, yi) in z.row_iter().zip(y.row_iter()) {
                    let m = zi
                        .iter()
                        .map(|v| v.to_f64())
                        .fold(f64::NEG_INFINITY, f64::max);
                    let lse = m + zi.iter().map(|v| (v.to_f64() - m).exp()).sum::<f64>().ln();
                    total -= zi
                        .iter()
                        .zip(yi)
                        .map(|(v, t)| t.to_f64() * (v.to_f64() - lse))
                        .sum::<f64>();
                }
                total / n
            }
            Self::BinaryCrossEntropy => {
                z.data()
                    .iter()
                    .zip(y.data())
                    .map(|(v, t)| (v.to_f64(), t.to_f64()))
                    .map(|(v, t)| v.max(0.0) - v * t + (-v.abs()).exp().ln_1p())
                    .sum::<f64>()
                    / nk
            }
        }
    }

    /// `∂L/∂z` into `dz` (resized), for output activation `output`.
    pub fn delta<T: Real>(
        &self,
        output: &Activation,
        z: &Mat<T>,
        a: &Mat<T>,
        y: &Mat<T>,
        dz: &mut Mat<T>,
    ) {
        let n = T::from_f64(z.rows().max(1) as f64);
        let nk = T::from_f64((z.rows() * z.cols()).max(1) as f64);
        match self {
            Self::Mse => {
                let mut da = Mat::zeros(a.rows(), a.cols());
                let two = T::from_f64(2.0);
                for ((d, &p), &t) in da.data_mut().iter_mut().zip(a.data()).zip(y.data()) {
                    *d = two * (p - t) / nk;
                }
                output.backward(z, a, &da, dz);
            }
            Self::CrossEntropy | Self::BinaryCrossEntropy => {
                let scale = if *self == Self::CrossEntropy { n } else { nk };
                dz.resize(z.rows(), z.cols());
                for ((d, &p), &t) in dz.data_mut().iter_mut().zip(a.data()).zip(y.data()) {
                    *d = (p - t) / scale;
                }
            }
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Mse => "mse",
            Self::CrossEntropy => "cross_entropy",
            Self::BinaryCrossEntropy => "binary_cross_entropy",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dense::matrix::Matrix;

    fn check(loss: Loss, act: Activation, z: Matrix, y: Matrix) {
        let mut a = Matrix::default();
        act.forward(&z, &mut a);
        let mut dz = Matrix::default();
        loss.delta(&act, &z, &a, &y, &mut dz);
        let h = 1e-6;
        for k in 0..z.data().len() {
            let f = |s: f64| {
                let mut zz = z.clone();
                zz.data_mut()[k] += s;
                let mut aa = Matrix::default();
                act.forward(&zz, &mut aa);
                loss.value(&zz, &aa, &y)
            };
            let fd = (f(h) - f(-h)) / (2.0 * h);
            let an = dz.data()[k];
            assert!(
                (fd - an).abs() <= 1e-4 * fd.abs().max(an.abs()).max(1e-7),
                "{loss}/{act} [{k}]: fd {fd} vs {an}"
            );
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let z =
            Matrix::from_vec(3, 3, vec![0.3, -1.2, 2.0, 0.1, 4.0, -0.5, -2.0, 0.0, 1.5]).unwrap();
        let onehot = Matrix::from_vec(3, 3, vec![0., 1., 0., 1., 0., 0., 0., 0., 1.]).unwrap();
        let soft =
            Matrix::from_vec(3, 3, vec![0.2, 0.5, 0.3, 0.9, 0.1, 0.0, 0.0, 0.4, 0.6]).unwrap();
        check(
            Loss::CrossEntropy,
            Activation::Softmax,
            z.clone(),
            onehot.clone(),
        );
        check(
            Loss::CrossEntropy,
            Activation::Softmax,
            z.clone(),
            soft.clone(),
        );
        check(
            Loss::BinaryCrossEntropy,
            Activation::Logistic,
            z.clone(),
            soft.clone(),
        );
        for act in [
            Activation::Identity,
            Activation::Tanh,
            Activation::Logistic,
            Activation::Softmax,
        ] {
            check(Loss::Mse, act, z.clone(), soft.clone());
        }
    }

    #[test]
    fn cross_entropy_is_stable_for_large_logits() {
        let z = Matrix::from_vec(1, 2, vec![1000.0, -1000.0]).unwrap();
        let y = Matrix::from_vec(1, 2, vec![0.0, 1.0]).unwrap();
        let mut a = Matrix::default();
        Activation::Softmax.forward(&z, &mut a);
        assert!((Loss::CrossEntropy.value(&z, &a, &y) - 2000.0).abs() < 1e-9);
        let b = Loss::BinaryCrossEntropy.value(&z, &a, &y);
        assert!((b - 1000.0).abs() < 1e-9, "{b}");
    }

    #[test]
    fn output_activation_is_checked() {
        assert!(Loss::CrossEntropy.check_output(&Activation::Relu).is_err());
        assert!(
            Loss::CrossEntropy
                .check_output(&Activation::Softmax)
                .is_ok()
        );
        assert!(
            Loss::parse("hinge")
                .unwrap_err()
                .to_string()
                .contains("hinge")
        );
    }
}

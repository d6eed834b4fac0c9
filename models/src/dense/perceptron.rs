//! Rosenblatt's single-layer perceptron: `ŷ = step(x·w + b)` trained with the perceptron rule
//! `w ← w + η (y − ŷ) x`, `b ← b + η (y − ŷ)`, one sample at a time. For linearly separable
//! data it converges in finitely many updates (Novikoff 1962); it cannot learn XOR.

use super::DenseError;
use super::activations::Activation;
use super::datasets::Dataset;
use super::layers::Dense;
use super::losses::Loss;
use super::matrix::Matrix;
use super::mlp::Mlp;
use rand::seq::SliceRandom;

/// A binary perceptron (one [`Dense`] unit with the step activation).
#[derive(Clone, Debug, PartialEq)]
pub struct Perceptron {
    /// The unit: weights `n_in × 1`, bias, step activation.
    pub unit: Dense,
}

/// How perceptron training ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PerceptronFit {
    /// Epochs run.
    pub epochs: usize,
    /// Misclassified training samples in the last epoch (0: converged).
    pub errors: usize,
}

impl Perceptron {
    /// A perceptron with zero weights and bias over `n_in` inputs.
    pub fn new(n_in: usize) -> Self {
        Self {
            unit: Dense {
                w: Matrix::zeros(n_in, 1),
                b: vec![0.0],
                activation: Activation::Step,
            },
        }
    }

    /// Output (0 or 1) for one sample.
    pub fn output(&self, x: &[f64]) -> usize {
        let z: f64 = self.unit.b[0]
            + x.iter()
                .zip(self.unit.w.data())
                .map(|(a, w)| a * w)
                .sum::<f64>();
        usize::from(Activation::Step.value(z) > 0.5)
    }

    /// Trains with the perceptron rule (rate `lr`) on a data set with labels 0/1, visiting the
    /// samples in an order shuffled each epoch from the stream `dense/perceptron/shuffle`, until
    /// an epoch makes no error or `max_epochs` have run.
    pub fn train(
        &mut self,
        data: &Dataset,
        lr: f64,
        max_epochs: usize,
        seed: u64,
    ) -> Result<PerceptronFit, DenseError> {
        self.train_observed(data, lr, max_epochs, seed, &mut |_, _| {})
    }

    /// [`train`](Self::train), calling `observe(self, fit)` after every epoch (`fit.errors`:
    /// the updates that epoch made).
    pub fn train_observed(
        &mut self,
        data: &Dataset,
        lr: f64,
        max_epochs: usize,
        seed: u64,
        observe: &mut dyn FnMut(&Self, PerceptronFit),
    ) -> Result<PerceptronFit, DenseError> {
        let labels = match &data.labels {
            Some(l) if data.n_classes() == 2 && data.x.cols() == self.unit.n_in() => l,
            _ => {
                return Err(DenseError::Shape {
                    object: format!("data set `{}`", data.name),
                    msg: format!(
                        "the perceptron needs 2 classes and {} inputs",
                        self.unit.n_in()
                    ),
                });
            }
        };
        let mut rng = simcore::rng::stream(seed, "dense/perceptron/shuffle");
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut fit = PerceptronFit {
            epochs: 0,
            errors: usize::MAX,
        };
        while fit.epochs < max_epochs && fit.errors != 0 {
            order.shuffle(&mut rng);
            fit.errors = 0;
            for &i in &order {
                let x = data.x.row(i);
                let err = labels[i] as f64 - self.output(x) as f64;
                if err != 0.0 {
                    fit.errors += 1;
                    for (w, xi) in self.unit.w.data_mut().iter_mut().zip(x) {
                        *w += lr * err * xi;
                    }
                    self.unit.b[0] += lr * err;
                }
            }
            fit.epochs += 1;
            observe(self, fit);
        }
        Ok(fit)
    }

    /// The perceptron as a two-output linear classifier (`[−z, z]`, argmax = the perceptron's
    /// output except exactly on the boundary `z = 0`), for code that takes an [`Mlp`]:
    /// decision-region plots, confusion matrices.
    pub fn as_classifier(&self) -> Mlp {
        let w = &self.unit.w;
        let data = w.data().iter().flat_map(|&v| [-v, v]).collect();
        let b = self.unit.b[0];
        Mlp {
            layers: vec![Dense {
                w: Matrix::from_vec(w.rows(), 2, data).expect("n_in×2"),
                b: vec![-b, b],
                activation: Activation::Identity,
            }],
            loss: Loss::Mse,
        }
    }

    /// Fraction of samples classified correctly.
    pub fn accuracy(&self, data: &Dataset) -> f64 {
        let labels = data.labels.as_deref().unwrap_or(&[]);
        let correct = data
            .x
            .row_iter()
            .zip(labels)
            .filter(|(x, l)| self.output(x) == **l)
            .count();
        correct as f64 / data.len().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dense::datasets::xor;

    #[test]
    fn converges_on_separable_data_and_fails_on_xor() {
        // AND and a random separable set with margin.
        let x = Matrix::from_vec(4, 2, vec![0., 0., 0., 1., 1., 0., 1., 1.]).unwrap();
        let and = Dataset::classification("and", x, vec![0, 0, 0, 1], 2).unwrap();
        let mut p = Perceptron::new(2);
        let fit = p.train(&and, 0.1, 100, 1).unwrap();
        assert_eq!(fit.errors, 0);
        assert_eq!(p.accuracy(&and), 1.0);

        let mut rng = simcore::rng::stream(5, "t");
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        use rand::Rng;
        while labels.len() < 200 {
            let (a, b): (f64, f64) = (rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0));
            let s = 0.7 * a - 0.4 * b + 0.1;
            if s.abs() > 0.05 {
                rows.push(vec![a, b]);
                labels.push(usize::from(s > 0.0));
            }
        }
        let sep =
            Dataset::classification("sep", Matrix::from_rows(&rows).unwrap(), labels, 2).unwrap();
        let mut p = Perceptron::new(2);
        let mut errors = Vec::new();
        let fit = p
            .train_observed(&sep, 1.0, 1000, 2, &mut |_, f| errors.push(f.errors))
            .unwrap();
        assert_eq!(fit.errors, 0);
        assert_eq!((errors.len(), errors.last()), (fit.epochs, Some(&0)));
        // The two-output classifier agrees with the perceptron on every sample.
        let labels = sep.labels.clone().unwrap();
        assert_eq!(p.as_classifier().classify(&sep.x), labels);
        let blobs = crate::dense::datasets::blobs(200, 0.3, 1);
        let mut p = Perceptron::new(2);
        assert_eq!(p.train(&blobs, 1.0, 100, 1).unwrap().errors, 0);

        let mut p = Perceptron::new(2);
        let fit = p.train(&xor(), 0.1, 200, 1).unwrap();
        assert!(fit.errors > 0 && p.accuracy(&xor()) <= 0.75);
    }
}

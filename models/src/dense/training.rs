//! Mini-batch training: shuffling, backprop, optimiser steps, dropout, a validation split with
//! early stopping, and per-epoch train/validation/test loss and accuracy.
//!
//! Training runs in the precision of [`TrainConfig::precision`]: `f32` (default; twice the SIMD
//! width in the matrix products) or `f64`. The model itself stays `f64`: an `f32` working copy
//! is trained and copied back at the end of each epoch, where validation, test figures and
//! early stopping see it.
//!
//! Every random draw comes from a `simcore::rng` stream keyed by the model's name (validation
//! split `dense/<name>/split`, shuffling `dense/<name>/shuffle`, dropout `dense/<name>/dropout`),
//! so the same seed gives the same model, whatever the thread count.

use super::DenseError;
use super::datasets::Dataset;
use super::matrix::{Mat, Real};
use super::mlp::{Metrics, Mlp, Trace, accuracy, classes};
use super::optimisers::{OptState, Optimiser};
use rand::seq::SliceRandom;
use std::time::Instant;

/// The floating-point type the training loop computes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Precision {
    /// Single precision (twice the SIMD width; the default).
    #[default]
    F32,
    /// Double precision.
    F64,
}

impl Precision {
    /// Name as written in specs (`f32`, `f64`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::F64 => "f64",
        }
    }
}

/// Training settings.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Number of passes over the training set.
    pub epochs: usize,
    /// Samples per mini-batch (the last batch of an epoch may be smaller).
    pub batch_size: usize,
    /// The optimiser.
    pub optimiser: Optimiser,
    /// L2 penalty λ₂ on weights (`(λ₂/2)‖W‖²` per batch, whatever the batch's size).
    pub l2: f64,
    /// L2 penalty as scikit-learn's `alpha`: `(α/2)‖W‖²/n_b` on a batch of `n_b` samples, i.e.
    /// λ₂ = α/n_b for that batch (the last, smaller batch of an epoch is penalised more).
    /// Adds to [`l2`](Self::l2).
    pub alpha: f64,
    /// L1 penalty λ₁ on weights.
    pub l1: f64,
    /// Dropout rate on hidden units (0: none).
    pub dropout: f64,
    /// Fraction of the training set held out for validation (0: none).
    pub validation_fraction: f64,
    /// Stop after this many epochs without a better validation loss, and keep the best model
    /// (needs a validation split).
    pub patience: Option<usize>,
    /// Master seed of the shuffling, split and dropout streams.
    pub seed: u64,
    /// Shuffle the training set every epoch.
    pub shuffle: bool,
    /// Precision of the training loop.
    pub precision: Precision,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 100,
            batch_size: 32,
            optimiser: Optimiser::adam(1e-3),
            l2: 0.0,
            alpha: 0.0,
            l1: 0.0,
            dropout: 0.0,
            validation_fraction: 0.0,
            patience: None,
            seed: 0,
            shuffle: true,
            precision: Precision::default(),
        }
    }
}

impl TrainConfig {
    /// Checks ranges.
    pub fn validate(&self) -> Result<(), DenseError> {
        let bad = |key: &'static str, value: String, msg: &str| DenseError::Param {
            object: "training".into(),
            key,
            value,
            msg: msg.into(),
        };
        if self.batch_size == 0 {
            return Err(bad("batch_size", "0".into(), "must be at least 1"));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(bad(
                "dropout",
                self.dropout.to_string(),
                "must be in [0, 1)",
            ));
        }
        if !(0.0..1.0).contains(&self.validation_fraction) {
            return Err(bad(
                "validation_fraction",
                self.validation_fraction.to_string(),
                "must be in [0, 1)",
            ));
        }
        for (key, v) in [("l2", self.l2), ("alpha", self.alpha), ("l1", self.l1)] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(bad(key, v.to_string(), "must be ≥ 0 and finite"));
            }
        }
        if self.patience.is_some() && self.validation_fraction == 0.0 {
            return Err(bad(
                "patience",
                format!("{:?}", self.patience),
                "early stopping needs a validation split (validation_fraction > 0)",
            ));
        }
        self.optimiser.validate()
    }
}

/// Figures of one epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochRecord {
    /// Epoch number (1-based).
    pub epoch: usize,
    /// Mean training loss over the epoch's batches and the running training accuracy.
    pub train: Metrics,
    /// On the validation split, if any.
    pub validation: Option<Metrics>,
    /// On the test set, if given.
    pub test: Option<Metrics>,
    /// Wall-clock seconds since training started.
    pub seconds: f64,
}

/// What training produced besides the model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// One record per epoch run.
    pub epochs: Vec<EpochRecord>,
    /// Epoch whose model was kept (best validation loss with early stopping, else the last).
    pub best_epoch: usize,
    /// Whether early stopping ended training.
    pub stopped_early: bool,
    /// Wall-clock seconds of the whole run.
    pub seconds: f64,
}

/// Trains `model` on `train` (minus the validation split), reporting each epoch to `progress`.
/// `test` is only evaluated, never trained on. With early stopping the best model is restored.
pub fn train(
    name: &str,
    model: &mut Mlp,
    train: &Dataset,
    test: Option<&Dataset>,
    cfg: &TrainConfig,
    progress: &mut dyn FnMut(&EpochRecord),
) -> Result<History, DenseError> {
    match cfg.precision {
        Precision::F32 => train_in::<f32>(name, model, train, test, cfg, progress),
        Precision::F64 => train_in::<f64>(name, model, train, test, cfg, progress),
    }
}

fn train_in<T: Real>(
    name: &str,
    model: &mut Mlp,
    train: &Dataset,
    test: Option<&Dataset>,
    cfg: &TrainConfig,
    progress: &mut dyn FnMut(&EpochRecord),
) -> Result<History, DenseError> {
    cfg.validate()?;
    model.check_data(train)?;
    if let Some(t) = test {
        model.check_data(t)?;
    }
    let start = Instant::now();
    let (fit, validation) = if cfg.validation_fraction > 0.0 {
        let (v, f) = train.split(
            cfg.validation_fraction,
            cfg.seed,
            &format!("dense/{name}/split"),
        );
        (f, Some(v))
    } else {
        (train.clone(), None)
    };
    if fit.is_empty() {
        return Err(DenseError::Param {
            object: format!("data set `{}`", train.name),
            key: "samples",
            value: "0".into(),
            msg: "no training samples left".into(),
        });
    }
    let mut shuffle_rng = simcore::rng::stream(cfg.seed, &format!("dense/{name}/shuffle"));
    let mut dropout_rng = simcore::rng::stream(cfg.seed, &format!("dense/{name}/dropout"));
    let mut order: Vec<usize> = (0..fit.len()).collect();
    let mut opt = OptState::<T>::default();
    let (mut trace, mut grads) = (Trace::<T>::default(), Vec::new());
    let (fit_x, fit_y): (Mat<T>, Mat<T>) = (fit.x.cast(), fit.y.cast());
    let (mut xb, mut yb) = (Mat::<T>::default(), Mat::<T>::default());
    let mut batch_labels = Vec::with_capacity(cfg.batch_size.min(fit.len()));
    let mut work: Mlp<T> = model.cast();
    let mut history = History::default();
    let mut best: Option<(f64, Mlp, usize)> = None;
    for epoch in 1..=cfg.epochs {
        if cfg.shuffle {
            order.shuffle(&mut shuffle_rng);
        }
        let (mut loss_sum, mut correct) = (0.0, 0.0);
        for batch in order.chunks(cfg.batch_size) {
            fit_x.select_rows_into(batch, &mut xb);
            fit_y.select_rows_into(batch, &mut yb);
            let dropout = (cfg.dropout > 0.0).then_some((cfg.dropout, &mut dropout_rng));
            work.forward_trace(&xb, &mut trace, dropout);
            let loss = work.backward(&trace, &yb, &mut grads);
            if !loss.is_finite() {
                return Err(DenseError::Diverged {
                    epoch,
                    what: format!("training loss {loss}"),
                });
            }
            loss_sum += loss * batch.len() as f64;
            if let Some(labels) = &fit.labels {
                let out = trace.a.last().expect("a model has layers");
                batch_labels.clear();
                batch_labels.extend(batch.iter().map(|&i| labels[i]));
                correct += accuracy(&classes(out), &batch_labels) * batch.len() as f64;
            }
            let mut tensors: Vec<(&mut [T], &[T], bool)> = Vec::with_capacity(2 * grads.len());
            for (layer, g) in work.layers.iter_mut().zip(&grads) {
                tensors.push((layer.w.data_mut(), g.w.data(), true));
                tensors.push((&mut layer.b, &g.b, false));
            }
            let l2 = cfg.l2 + cfg.alpha / batch.len() as f64;
            opt.step(&cfg.optimiser, l2, cfg.l1, &mut tensors);
        }
        if !work.is_finite() {
            return Err(DenseError::Diverged {
                epoch,
                what: "a weight became non-finite".into(),
            });
        }
        *model = work.cast();
        let n = fit.len() as f64;
        let record = EpochRecord {
            epoch,
            train: Metrics {
                loss: loss_sum / n,
                accuracy: fit.labels.as_ref().map(|_| correct / n),
            },
            validation: validation.as_ref().map(|v| model.evaluate(v)),
            test: test.map(|t| model.evaluate(t)),
            seconds: start.elapsed().as_secs_f64(),
        };
        progress(&record);
        history.epochs.push(record);
        history.best_epoch = epoch;
        if let (Some(patience), Some(v)) = (cfg.patience, record.validation) {
            if best.as_ref().is_none_or(|(b, _, _)| v.loss < *b) {
                best = Some((v.loss, model.clone(), epoch));
            } else if best.as_ref().is_some_and(|(_, _, e)| epoch - e >= patience) {
                history.stopped_early = true;
                break;
            }
        }
    }
    if let Some((_, m, e)) = best {
        *model = m;
        history.best_epoch = e;
    }
    history.seconds = start.elapsed().as_secs_f64();
    Ok(history)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dense::activations::Activation;
    use crate::dense::datasets;
    use crate::dense::losses::Loss;
    use crate::dense::mlp::LayerShape;

    /// Both precisions learn the circles to ≥ 95 % test accuracy; they train different bits
    /// (the `f32` path is really taken); the same seed gives the same model.
    #[test]
    fn f32_and_f64_training_both_learn_and_are_reproducible() {
        let d = datasets::circles(200, 0.5, 0.05, 2);
        let (test, fit) = d.split(0.3, 2, "t");
        let s = |u, a| LayerShape {
            units: u,
            activation: a,
            init: None,
        };
        let run = |precision| {
            let mut m = Mlp::new(
                "c",
                2,
                &[s(16, Activation::Relu), s(2, Activation::Softmax)],
                Loss::CrossEntropy,
                2,
            )
            .unwrap();
            let cfg = TrainConfig {
                epochs: 60,
                optimiser: Optimiser::adam(0.01),
                precision,
                seed: 2,
                ..Default::default()
            };
            train("c", &mut m, &fit, None, &cfg, &mut |_| {}).unwrap();
            m
        };
        let (a, b) = (run(Precision::F32), run(Precision::F64));
        for m in [&a, &b] {
            assert!(m.evaluate(&test).accuracy.unwrap() >= 0.95);
        }
        assert_ne!(a, b);
        assert_eq!(a, run(Precision::F32));
    }

    /// A batch larger than the data is one batch of all of it (full-batch training), the
    /// same model as a batch of exactly the data's size; nothing is sized by the request.
    #[test]
    fn batches_larger_than_the_data_are_the_whole_data() {
        let d = datasets::blobs(20, 0.3, 1);
        let shape = LayerShape {
            units: 2,
            activation: Activation::Softmax,
            init: None,
        };
        let run = |batch_size| {
            let mut m = Mlp::new("b", 2, &[shape], Loss::CrossEntropy, 1).unwrap();
            let cfg = TrainConfig {
                epochs: 3,
                batch_size,
                seed: 1,
                ..Default::default()
            };
            train("b", &mut m, &d, None, &cfg, &mut |_| {}).unwrap();
            m
        };
        assert_eq!(run(usize::MAX / 2), run(d.len()));
    }
}

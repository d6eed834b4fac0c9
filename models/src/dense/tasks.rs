//! The reference experiments behind the acceptance figures (`spikesim validate dense` and the
//! tests): each fixes its data, split, architecture and training settings, so a figure can be
//! reproduced from its name and seed.

use super::DenseError;
use super::activations::Activation;
use super::autoencoder::{Autoencoder, mean_baseline_error};
use super::datasets::{self, Dataset};
use super::layers::Init;
use super::losses::Loss;
use super::mlp::{LayerShape, Metrics, Mlp};
use super::optimisers::Optimiser;
use super::training::{History, TrainConfig, train};

/// A trained classifier and its figures.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The trained model.
    pub model: Mlp,
    /// Training history.
    pub history: History,
    /// Test-set metrics (the training set for XOR, which has only four points).
    pub test: Metrics,
    /// The test set.
    pub test_set: Dataset,
    /// The training set.
    pub train_set: Dataset,
}

fn shape(units: usize, activation: Activation) -> LayerShape {
    LayerShape {
        units,
        activation,
        init: None,
    }
}

fn run(
    name: &str,
    train_set: Dataset,
    test_set: Dataset,
    layers: &[LayerShape],
    cfg: &TrainConfig,
) -> Result<Outcome, DenseError> {
    let mut model = Mlp::new(
        name,
        train_set.x.cols(),
        layers,
        Loss::CrossEntropy,
        cfg.seed,
    )?;
    let history = train(
        name,
        &mut model,
        &train_set,
        Some(&test_set),
        cfg,
        &mut |_| {},
    )?;
    let test = model.evaluate(&test_set);
    Ok(Outcome {
        model,
        history,
        test,
        test_set,
        train_set,
    })
}

/// XOR with a 2-8-2 tanh/softmax net, Adam (η = 0.05), full batch, 500 epochs.
pub fn xor(seed: u64) -> Result<Outcome, DenseError> {
    let d = datasets::xor();
    let cfg = TrainConfig {
        epochs: 500,
        batch_size: 4,
        optimiser: Optimiser::adam(0.05),
        seed,
        ..Default::default()
    };
    run(
        "xor",
        d.clone(),
        d,
        &[shape(8, Activation::Tanh), shape(2, Activation::Softmax)],
        &cfg,
    )
}

/// Two spirals (500 points per class, 1.5 turns, noise 0.02; 30 % test), 2-64-64-2 ReLU,
/// Adam (η = 0.01), batch 32, 300 epochs (`quick`: 120).
pub fn two_spirals(seed: u64, quick: bool) -> Result<Outcome, DenseError> {
    let d = datasets::two_spirals(500, 1.5, 0.02, seed);
    let (test, train_set) = d.split(0.3, seed, "dense/two_spirals/test_split");
    let cfg = TrainConfig {
        epochs: if quick { 120 } else { 300 },
        batch_size: 32,
        optimiser: Optimiser::adam(0.01),
        seed,
        ..Default::default()
    };
    let layers = [
        shape(64, Activation::Relu),
        shape(64, Activation::Relu),
        shape(2, Activation::Softmax),
    ];
    run("two_spirals", train_set, test, &layers, &cfg)
}

/// Concentric circles (500 per class, radii 1 and 0.5, noise 0.05; 30 % test), 2-16-2 ReLU,
/// Adam (η = 0.01), batch 32, 100 epochs.
pub fn circles(seed: u64) -> Result<Outcome, DenseError> {
    let d = datasets::circles(500, 0.5, 0.05, seed);
    let (test, train_set) = d.split(0.3, seed, "dense/circles/test_split");
    let cfg = TrainConfig {
        epochs: 100,
        batch_size: 32,
        optimiser: Optimiser::adam(0.01),
        seed,
        ..Default::default()
    };
    run(
        "circles",
        train_set,
        test,
        &[shape(16, Activation::Relu), shape(2, Activation::Softmax)],
        &cfg,
    )
}

/// The digits split used everywhere: 20 % stratified test set, `(train, test)`.
pub fn digits_split(seed: u64) -> (Dataset, Dataset) {
    let (test, train_set) = datasets::digits().split(0.2, seed, DIGITS_SPLIT_KEY);
    (train_set, test)
}

/// Random-stream key of [`digits_split`].
const DIGITS_SPLIT_KEY: &str = "dense/digits/test_split";

/// The test rows of [`digits_split`] (0-based rows of `models/data/digits.csv`, ascending), for
/// other programs to reproduce the split (`scripts/sklearn_mlp.py`).
pub fn digits_test_rows(seed: u64) -> Vec<usize> {
    datasets::digits()
        .split_indices(0.2, seed, DIGITS_SPLIT_KEY)
        .0
}

/// The digits settings shared with the scikit-learn comparison (`MLPClassifier` defaults):
/// Adam (η = 0.001, β = 0.9/0.999, ε = 1e-8), batch 200, L2 as scikit-learn's `alpha` = 1e-4
/// (λ₂ = α/n_b per batch of n_b samples), `epochs` full passes, reshuffled every epoch.
pub fn digits_config(epochs: usize, seed: u64) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 200,
        optimiser: Optimiser::adam(0.001),
        alpha: 1e-4,
        seed,
        ..Default::default()
    }
}

/// The digits architecture shared with the scikit-learn comparison: 64-100-10, ReLU hidden
/// layer, softmax output, scikit-learn's initialisation ([`Init::Sklearn`]).
pub fn digits_layers() -> [LayerShape; 2] {
    let sk = |units, activation| LayerShape {
        units,
        activation,
        init: Some(Init::Sklearn),
    };
    [sk(100, Activation::Relu), sk(10, Activation::Softmax)]
}

/// Digits with the ReLU MLP of [`digits_layers`] and [`digits_config`] (200 epochs; `quick`:
/// 100).
pub fn digits(seed: u64, quick: bool) -> Result<Outcome, DenseError> {
    let (train_set, test) = digits_split(seed);
    let cfg = digits_config(if quick { 100 } else { 200 }, seed);
    run("digits", train_set, test, &digits_layers(), &cfg)
}

/// Digits with a 64-128-10 soft-LIF network for spiking conversion (σ = 0.02, amplitude
/// 0.01, Nengo's LIF constants), Adam (η = 0.001), batch 32, 100 epochs (`quick`: 30).
pub fn digits_soft_lif(seed: u64, quick: bool) -> Result<Outcome, DenseError> {
    let (train_set, test) = digits_split(seed);
    let cfg = TrainConfig {
        epochs: if quick { 30 } else { 100 },
        batch_size: 32,
        optimiser: Optimiser::adam(0.001),
        seed,
        ..Default::default()
    };
    run(
        "digits_lif",
        train_set,
        test,
        &[
            shape(128, Activation::soft_lif()),
            shape(10, Activation::Softmax),
        ],
        &cfg,
    )
}

/// Result of the autoencoder experiment.
#[derive(Clone, Debug)]
pub struct AutoencoderOutcome {
    /// The trained autoencoder.
    pub model: Autoencoder,
    /// Test reconstruction MSE per pixel.
    pub test_error: f64,
    /// MSE of predicting each pixel by its mean (the per-pixel variance) on the test set.
    pub baseline: f64,
}

/// A 64-32-64 ReLU/identity autoencoder on the digits, Adam (η = 0.003), batch 32, 100 epochs
/// (`quick`: 30).
pub fn digits_autoencoder(seed: u64, quick: bool) -> Result<AutoencoderOutcome, DenseError> {
    let (train_set, test) = digits_split(seed);
    let mut model = Autoencoder::new(
        "digits_autoencoder",
        64,
        &[32],
        Activation::Relu,
        Activation::Identity,
        seed,
    )?;
    let cfg = TrainConfig {
        epochs: if quick { 30 } else { 100 },
        batch_size: 32,
        optimiser: Optimiser::adam(0.003),
        seed,
        ..Default::default()
    };
    train(
        "digits_autoencoder",
        &mut model.net,
        &Autoencoder::task(&train_set),
        None,
        &cfg,
        &mut |_| {},
    )?;
    Ok(AutoencoderOutcome {
        test_error: model.reconstruction_error(&test.x),
        baseline: mean_baseline_error(&test.x),
        model,
    })
}

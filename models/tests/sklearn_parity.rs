//! spikesim's MLP training is scikit-learn's `MLPClassifier` training, step for step: started
//! from the same weights and fed the same batches, both land on the same weights (to rounding).
//! The fixture `fixtures/sklearn_mlp_adam.txt` is written by `scripts/sklearn_mlp_fixture.py`
//! (scikit-learn 1.9.1): the first 120 digits / 16, 64-16-10 ReLU/softmax, Adam η = 0.01,
//! α = 0.01, batch 50 (so each epoch ends with a batch of 20), 3 epochs without shuffling, f64.
//! This pins the forward pass, the softmax cross-entropy gradient averaged over the batch, the
//! L2 term α/(2·n_b)·‖W‖² on weights only, and Adam with scikit-learn's bias-corrected step.

use models::dense::datasets::{self, Dataset};
use models::dense::layers::Init;
use models::dense::losses::Loss;
use models::dense::matrix::Matrix;
use models::dense::mlp::{LayerShape, Mlp};
use models::dense::optimisers::Optimiser;
use models::dense::training::{Precision, TrainConfig, train};
use std::collections::HashMap;

const FIXTURE: &str = include_str!("fixtures/sklearn_mlp_adam.txt");

/// Tensors of the fixture by name: `name rows cols values…`.
fn tensors() -> HashMap<String, Matrix> {
    FIXTURE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split_whitespace();
            let name = f.next().unwrap().to_string();
            let rows: usize = f.next().unwrap().parse().unwrap();
            let cols: usize = f.next().unwrap().parse().unwrap();
            let v: Vec<f64> = f.map(|x| x.parse().unwrap()).collect();
            (name, Matrix::from_vec(rows, cols, v).unwrap())
        })
        .collect()
}

fn data() -> Dataset {
    let rows: Vec<usize> = (0..120).collect();
    datasets::digits().select(&rows)
}

/// The 64-16-10 model with the fixture's initial weights.
fn initial(t: &HashMap<String, Matrix>) -> Mlp {
    let s = |units, activation| LayerShape {
        units,
        activation,
        init: Some(Init::Sklearn),
    };
    use models::dense::activations::Activation;
    let mut m = Mlp::new(
        "parity",
        64,
        &[s(16, Activation::Relu), s(10, Activation::Softmax)],
        Loss::CrossEntropy,
        0,
    )
    .unwrap();
    for (l, layer) in m.layers.iter_mut().enumerate() {
        layer.w = t[&format!("w{l}")].clone();
        layer.b = t[&format!("b{l}")].data().to_vec();
    }
    m
}

fn config() -> TrainConfig {
    TrainConfig {
        epochs: 3,
        batch_size: 50,
        optimiser: Optimiser::adam(0.01),
        alpha: 0.01,
        shuffle: false,
        precision: Precision::F64,
        ..Default::default()
    }
}

/// Largest |spikesim − scikit-learn| over the trained weights and biases.
fn weight_gap(m: &Mlp, t: &HashMap<String, Matrix>) -> f64 {
    let mut gap = 0.0f64;
    for (l, layer) in m.layers.iter().enumerate() {
        let (w, b) = (&t[&format!("W{l}")], &t[&format!("B{l}")]);
        for (x, y) in layer.w.data().iter().zip(w.data()) {
            gap = gap.max((x - y).abs());
        }
        for (x, y) in layer.b.iter().zip(b.data()) {
            gap = gap.max((x - y).abs());
        }
    }
    gap
}

fn trained(cfg: &TrainConfig) -> Mlp {
    let t = tensors();
    let mut m = initial(&t);
    train("parity", &mut m, &data(), None, cfg, &mut |_| {}).unwrap();
    m
}

#[test]
fn training_matches_scikit_learn_step_for_step() {
    let t = tensors();
    let start = initial(&t);
    let m = trained(&config());
    // The weights really moved (9 Adam steps of η = 0.01) …
    assert!(weight_gap(&start, &t) > 0.05, "{}", weight_gap(&start, &t));
    // … to where scikit-learn's went.
    let gap = weight_gap(&m, &t);
    assert!(gap < 1e-12, "weights differ from scikit-learn's by {gap:e}");
    let p = m.predict(&data().x);
    let pg = p
        .data()
        .iter()
        .zip(t["P"].data())
        .fold(0.0f64, |g, (a, b)| g.max((a - b).abs()));
    assert!(pg < 1e-12, "predict_proba differs by {pg:e}");
}

/// The fixture tells the L2 scalings apart: a fixed λ₂ = α/50 (ignoring the smaller last batch)
/// or no penalty at all ends far outside the tolerance above.
#[test]
fn the_fixture_detects_a_different_penalty_scaling() {
    let t = tensors();
    let fixed = trained(&TrainConfig {
        alpha: 0.0,
        l2: 0.01 / 50.0,
        ..config()
    });
    assert!(
        weight_gap(&fixed, &t) > 1e-4,
        "{:e}",
        weight_gap(&fixed, &t)
    );
    let none = trained(&TrainConfig {
        alpha: 0.0,
        ..config()
    });
    assert!(weight_gap(&none, &t) > 1e-3, "{:e}", weight_gap(&none, &t));
}

/// The default f32 training path follows the same trajectory to single-precision rounding.
#[test]
fn f32_training_stays_near_scikit_learn() {
    let t = tensors();
    let m = trained(&TrainConfig {
        precision: Precision::F32,
        ..config()
    });
    let gap = weight_gap(&m, &t);
    assert!(
        gap < 1e-5,
        "f32 weights differ from scikit-learn's by {gap:e}"
    );
}

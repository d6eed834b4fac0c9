//! Gradient checking: backprop's gradients against central finite differences in f64.
//!
//! For every weight and bias θ, `g_fd = (L(θ + h) − L(θ − h))/(2h)` is compared with the
//! analytic `g`; the error is `|g_fd − g| / max(|g_fd|, |g|)`, counted only where either
//! gradient exceeds `floor` (below it both are round-off).

use super::activations::Activation;
use super::layers::Grad;
use super::losses::Loss;
use super::matrix::Matrix;
use super::mlp::{LayerShape, Mlp, Trace};

/// Largest relative error between backprop and central differences (step `h`) over every
/// parameter of `mlp` for inputs `x` and targets `y`.
pub fn max_relative_error(mlp: &Mlp, x: &Matrix, y: &Matrix, h: f64, floor: f64) -> f64 {
    let mut trace = Trace::default();
    mlp.forward_trace(x, &mut trace, None);
    let mut grads = Vec::new();
    mlp.backward(&trace, y, &mut grads);
    compare(mlp, x, y, &grads, h, floor)
}

/// Parameter `k` of layer `l` (weights first, row-major, then biases).
fn param(m: &mut Mlp, l: usize, k: usize) -> &mut f64 {
    let layer = &mut m.layers[l];
    let n_w = layer.w.data().len();
    if k < n_w {
        &mut layer.w.data_mut()[k]
    } else {
        &mut layer.b[k - n_w]
    }
}

/// Largest relative error of the given gradients `grads` (one per layer) against central
/// differences of `mlp`'s loss.
pub fn compare(mlp: &Mlp, x: &Matrix, y: &Matrix, grads: &[Grad], h: f64, floor: f64) -> f64 {
    let loss_of = |m: &Mlp| {
        let mut z = Matrix::default();
        let a = m.predict_with(x, Some(&mut z));
        m.loss.value(&z, &a, y)
    };
    let mut worst: f64 = 0.0;
    let mut probe = mlp.clone();
    for (l, g) in grads.iter().enumerate() {
        let n_w = g.w.data().len();
        for k in 0..n_w + g.b.len() {
            let orig = *param(&mut probe, l, k);
            *param(&mut probe, l, k) = orig + h;
            let up = loss_of(&probe);
            *param(&mut probe, l, k) = orig - h;
            let down = loss_of(&probe);
            *param(&mut probe, l, k) = orig;
            let fd = (up - down) / (2.0 * h);
            let an = if k < n_w { g.w.data()[k] } else { g.b[k - n_w] };
            let scale = fd.abs().max(an.abs());
            if scale > floor {
                worst = worst.max((fd - an).abs() / scale);
            }
        }
    }
    worst
}

/// The activations the check covers (every element-wise one with a useful derivative; the
/// step function's derivative is zero almost everywhere and is not trained by backprop).
pub fn hidden_activations() -> Vec<Activation> {
    vec![
        Activation::Identity,
        Activation::Logistic,
        Activation::Tanh,
        Activation::Arctan,
        Activation::Relu,
        Activation::LeakyRelu { alpha: 0.1 },
        Activation::Elu { alpha: 1.0 },
        Activation::Softplus,
        Activation::lif(),
        Activation::soft_lif(),
    ]
}

/// Output activation/loss pairs the check covers.
pub fn output_losses() -> Vec<(Activation, Loss)> {
    vec![
        (Activation::Softmax, Loss::CrossEntropy),
        (Activation::Logistic, Loss::BinaryCrossEntropy),
        (Activation::Identity, Loss::Mse),
        (Activation::Tanh, Loss::Mse),
        (Activation::Softmax, Loss::Mse),
    ]
}

/// Runs the check on a 3-5-4-2 network for every hidden activation × output/loss pair, with
/// seeded weights and a fixed batch of 6 samples: `(hidden, output, loss, max relative error)`.
pub fn sweep(seed: u64) -> Vec<(Activation, Activation, Loss, f64)> {
    let x = Matrix::from_vec(
        6,
        3,
        (0..18).map(|i| ((i * 7 % 13) as f64 - 6.0) / 4.0).collect(),
    )
    .expect("6×3");
    let y = Matrix::from_vec(
        6,
        2,
        vec![0.1, 0.9, 0.7, 0.3, 0.5, 0.5, 1.0, 0.0, 0.0, 1.0, 0.25, 0.75],
    )
    .expect("6×2");
    let mut out = Vec::new();
    for h in hidden_activations() {
        for (o, loss) in output_losses() {
            let shape = |units, activation| LayerShape {
                units,
                activation,
                init: None,
            };
            let mlp = Mlp::new(
                "gradcheck",
                3,
                &[shape(5, h), shape(4, h), shape(2, o)],
                loss,
                seed,
            )
            .expect("valid architecture");
            out.push((h, o, loss, max_relative_error(&mlp, &x, &y, 1e-6, 1e-9)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every activation × loss combination: relative error ≤ 1e-4 in f64.
    #[test]
    fn backprop_matches_finite_differences_everywhere() {
        for (h, o, loss, err) in sweep(11) {
            assert!(err <= 1e-4, "{h} → {o} / {loss}: {err}");
        }
    }

    /// The check can fail: gradients off by 1 % are caught.
    #[test]
    fn a_wrong_gradient_is_detected() {
        let shape = |units, activation| LayerShape {
            units,
            activation,
            init: None,
        };
        let mlp = Mlp::new(
            "g",
            2,
            &[shape(3, Activation::Tanh), shape(1, Activation::Identity)],
            Loss::Mse,
            1,
        )
        .unwrap();
        let x = Matrix::from_vec(2, 2, vec![0.3, -0.7, 1.1, 0.2]).unwrap();
        let y = Matrix::from_vec(2, 1, vec![0.5, -0.5]).unwrap();
        let mut trace = Trace::default();
        mlp.forward_trace(&x, &mut trace, None);
        let mut grads = Vec::new();
        mlp.backward(&trace, &y, &mut grads);
        assert!(compare(&mlp, &x, &y, &grads, 1e-6, 1e-9) <= 1e-6);
        grads[0].b[1] *= 1.01;
        let err = compare(&mlp, &x, &y, &grads, 1e-6, 1e-9);
        assert!((err - 0.01).abs() < 1e-3, "{err}");
    }
}

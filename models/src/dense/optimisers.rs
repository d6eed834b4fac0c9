//! Parameter updates from gradients: SGD, momentum (optionally Nesterov) and Adam, with L2 and
//! L1 penalties on the weights (never on biases).
//!
//! With penalty `R(W) = (λ₂/2)‖W‖² + λ₁‖W‖₁` the gradient becomes `g + λ₂·W + λ₁·sign(W)`.
//! - SGD: `θ ← θ − η·g`.
//! - Momentum (Polyak; Nesterov as in Sutskever et al. 2013 and scikit-learn):
//!   `v ← μ·v − η·g`, `θ ← θ + v` (Nesterov: `θ ← θ + μ·v − η·g`).
//! - Adam (Kingma & Ba 2015, bias correction folded into the step as scikit-learn does):
//!   `m ← β₁m + (1−β₁)g`, `s ← β₂s + (1−β₂)g²`,
//!   `θ ← θ − η·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√s + ε)`.

use super::DenseError;
use super::matrix::Real;

/// An optimiser and its hyper-parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Optimiser {
    /// Plain stochastic gradient descent.
    Sgd {
        /// Learning rate η.
        lr: f64,
    },
    /// SGD with momentum.
    Momentum {
        /// Learning rate η.
        lr: f64,
        /// Momentum μ in [0, 1).
        momentum: f64,
        /// Nesterov's accelerated variant.
        nesterov: bool,
    },
    /// Adam.
    Adam {
        /// Learning rate η.
        lr: f64,
        /// First-moment decay β₁.
        beta1: f64,
        /// Second-moment decay β₂.
        beta2: f64,
        /// ε added to `√s`.
        eps: f64,
    },
}

impl Optimiser {
    /// Adam with the usual defaults (η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8).
    pub fn adam(lr: f64) -> Self {
        Self::Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    /// Name as written in specs and saved models.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sgd { .. } => "sgd",
            Self::Momentum { .. } => "momentum",
            Self::Adam { .. } => "adam",
        }
    }

    /// Learning rate.
    pub fn lr(&self) -> f64 {
        match *self {
            Self::Sgd { lr } | Self::Momentum { lr, .. } | Self::Adam { lr, .. } => lr,
        }
    }

    /// Checks hyper-parameter ranges.
    pub fn validate(&self) -> Result<(), DenseError> {
        let bad = |key: &'static str, v: f64, msg: &str| DenseError::Param {
            object: format!("optimiser `{}`", self.name()),
            key,
            value: v.to_string(),
            msg: msg.into(),
        };
        let lr = self.lr();
        if !(lr > 0.0 && lr.is_finite()) {
            return Err(bad("lr", lr, "must be positive and finite"));
        }
        match *self {
            Self::Momentum { momentum, .. } if !(0.0..1.0).contains(&momentum) => {
                Err(bad("momentum", momentum, "must be in [0, 1)"))
            }
            Self::Adam { beta1, .. } if !(0.0..1.0).contains(&beta1) => {
                Err(bad("beta1", beta1, "must be in [0, 1)"))
            }
            Self::Adam { beta2, .. } if !(0.0..1.0).contains(&beta2) => {
                Err(bad("beta2", beta2, "must be in [0, 1)"))
            }
            Self::Adam { eps, .. } if !(eps.is_finite() && eps > 0.0) => {
                Err(bad("eps", eps, "must be positive"))
            }
            _ => Ok(()),
        }
    }
}

/// The optimiser's state for a list of parameter tensors (moments, step count).
#[derive(Clone, Debug, Default)]
pub struct OptState<T = f64> {
    first: Vec<Vec<T>>,
    second: Vec<Vec<T>>,
    t: u64,
}

impl<T: Real> OptState<T> {
    /// Applies one update to each `(params, grad, penalised)` tensor, in a fixed order; the
    /// penalties apply only where `penalised` is true (weights). Hyper-parameters are rounded
    /// to `T`; the step-dependent Adam factor is computed in `f64` once per step.
    pub fn step(
        &mut self,
        opt: &Optimiser,
        l2: f64,
        l1: f64,
        tensors: &mut [(&mut [T], &[T], bool)],
    ) {
        if self.first.len() != tensors.len() {
            self.first = tensors
                .iter()
                .map(|(p, _, _)| vec![T::ZERO; p.len()])
                .collect();
            self.second = self.first.clone();
            self.t = 0;
        }
        self.t += 1;
        let t = self.t as f64;
        let c = T::from_f64;
        for (k, (p, g, penalised)) in tensors.iter_mut().enumerate() {
            let (l2, l1) = if *penalised { (l2, l1) } else { (0.0, 0.0) };
            let (l2, use_l1, l1) = (c(l2), l1 != 0.0, c(l1));
            let grad = |pi: T, gi: T| {
                let g = gi + l2 * pi;
                if use_l1 { g + l1 * sign(pi) } else { g }
            };
            let m = &mut self.first[k];
            let s = &mut self.second[k];
            match *opt {
                Optimiser::Sgd { lr } => {
                    let lr = c(lr);
                    for (pi, &gi) in p.iter_mut().zip(g.iter()) {
                        *pi -= lr * grad(*pi, gi);
                    }
                }
                Optimiser::Momentum {
                    lr,
                    momentum,
                    nesterov,
                } => {
                    let (lr, mu) = (c(lr), c(momentum));
                    for ((pi, &gi), mi) in p.iter_mut().zip(g.iter()).zip(m.iter_mut()) {
                        let gi = grad(*pi, gi);
                        *mi = mu * *mi - lr * gi;
                        *pi += if nesterov { mu * *mi - lr * gi } else { *mi };
                    }
                }
                Optimiser::Adam {
                    lr,
                    beta1,
                    beta2,
                    eps,
                } => {
                    let lr_t = c(lr * (1.0 - beta2.powf(t)).sqrt() / (1.0 - beta1.powf(t)));
                    let (b1, b2, c1, c2, eps) =
                        (c(beta1), c(beta2), c(1.0 - beta1), c(1.0 - beta2), c(eps));
                    for (((pi, &gi), mi), si) in p
                        .iter_mut()
                        .zip(g.iter())
                        .zip(m.iter_mut())
                        .zip(s.iter_mut())
                    {
                        let gi = grad(*pi, gi);
                        *mi = b1 * *mi + c1 * gi;
                        *si = b2 * *si + c2 * gi * gi;
                        *pi -= lr_t * *mi / (si.sqrt() + eps);
                    }
                }
            }
        }
    }
}

fn sign<T: Real>(x: T) -> T {
    if x > T::ZERO {
        T::ONE
    } else if x < T::ZERO {
        T::ZERO - T::ONE
    } else {
        T::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each optimiser minimises f(θ) = Σ (θ_i − c_i)² from θ = 0.
    #[test]
    fn optimisers_minimise_a_quadratic() {
        let c = [3.0, -2.0, 0.5];
        for opt in [
            Optimiser::Sgd { lr: 0.1 },
            Optimiser::Momentum {
                lr: 0.05,
                momentum: 0.9,
                nesterov: false,
            },
            Optimiser::Momentum {
                lr: 0.05,
                momentum: 0.9,
                nesterov: true,
            },
            Optimiser::adam(0.1),
        ] {
            opt.validate().unwrap();
            let mut theta = vec![0.0; 3];
            let mut st = OptState::default();
            for _ in 0..500 {
                let g: Vec<f64> = theta.iter().zip(&c).map(|(t, c)| 2.0 * (t - c)).collect();
                st.step(&opt, 0.0, 0.0, &mut [(&mut theta, &g, true)]);
            }
            for (t, c) in theta.iter().zip(&c) {
                assert!((t - c).abs() < 1e-3, "{opt:?}: {theta:?}");
            }
        }
    }

    /// L2 shrinks the minimiser of (θ − c)² + (λ/2)θ² to 2c/(2 + λ); L1 zeroes small weights;
    /// neither touches unpenalised tensors.
    #[test]
    fn penalties_move_the_minimum() {
        let opt = Optimiser::Sgd { lr: 0.05 };
        let (mut w, mut b) = (vec![0.0f64], vec![0.0f64]);
        let mut st = OptState::default();
        for _ in 0..2000 {
            let gw = vec![2.0 * (w[0] - 1.0)];
            let gb = vec![2.0 * (b[0] - 1.0)];
            st.step(
                &opt,
                1.0,
                0.0,
                &mut [(&mut w, &gw, true), (&mut b, &gb, false)],
            );
        }
        assert!((w[0] - 2.0 / 3.0).abs() < 1e-6, "{w:?}");
        assert!((b[0] - 1.0).abs() < 1e-6);
        let mut w = vec![0.0f64];
        let mut st = OptState::default();
        for _ in 0..2000 {
            let g = vec![2.0 * (w[0] - 0.2)];
            st.step(
                &Optimiser::Sgd { lr: 0.001 },
                0.0,
                1.0,
                &mut [(&mut w, &g, true)],
            );
        }
        assert!(w[0].abs() < 0.01, "L1 drives a weak weight to ~0: {w:?}");
        assert!(Optimiser::Sgd { lr: -1.0 }.validate().is_err());
    }
}

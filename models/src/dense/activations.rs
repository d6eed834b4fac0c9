//! Activation functions `a = f(z)` and their derivatives.
//!
//! Element-wise functions act on each pre-activation `z` (for a neuron model, `z` is the input
//! current `J`); [`Activation::Softmax`] acts on a whole row. Each one has its derivative, used
//! by backprop as `δz = f'(z) ⊙ δa` (softmax: the Jacobian–vector product
//! `δz = a ⊙ (δa − ⟨δa, a⟩)`).
//!
//! # LIF rate and soft LIF
//! [`Activation::Lif`] is `amplitude · G(J)` with `G` simcore's analytic LIF rate
//! ([`LifParams::rate`]), the same function the spiking neurons obey, so a network trained or
//! evaluated with it maps onto spiking LIF populations.
//! `G(J) = 1/(τ_ref + τ_rc·ln(1 + 1/(J−1)))` for `J > 1`, else 0, and
//! $$G'(J) = \frac{\tau_{rc}\,G(J)^2}{J\,(J-1)}\quad (J>1).$$
//!
//! [`Activation::SoftLif`] (Hunsberger & Eliasmith 2015, "Spiking deep networks with LIF
//! neurons", eq. 3) replaces `J − 1` by the smoothed `ρ(J − 1)` with
//! `ρ(x) = σ·ln(1 + e^{x/σ})`, i.e. it is `amplitude · G(1 + ρ(J − 1))`, which tends to the LIF
//! curve as `σ → 0` and has a bounded derivative near threshold:
//! `d/dJ = G'(1 + ρ)·sigmoid((J−1)/σ)`.
//!
//! `amplitude` scales rates (Hz) to activation values (Nengo's `amplitude`), so a spiking neuron
//! whose filtered spike train (area-1 deltas) estimates `G(J)` contributes `amplitude · G(J)`
//! downstream.

use super::DenseError;
use super::matrix::{Mat, Real};
use simcore::neuron::lif::LifParams;
use std::fmt;

/// An activation function.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Activation {
    /// `f(z) = z` (linear output, regression).
    Identity,
    /// `f(z) = 1/(1 + e^{−z})`.
    Logistic,
    /// `f(z) = tanh z`.
    Tanh,
    /// `f(z) = arctan z`.
    Arctan,
    /// Heaviside step `f(z) = 1` for `z ≥ 0`, else 0 (perceptrons; derivative 0 a.e.).
    Step,
    /// `f(z) = max(0, z)`.
    Relu,
    /// `f(z) = z` for `z > 0`, `α·z` otherwise.
    LeakyRelu {
        /// Slope for negative inputs.
        alpha: f64,
    },
    /// `f(z) = z` for `z > 0`, `α·(e^z − 1)` otherwise.
    Elu {
        /// Scale of the negative branch.
        alpha: f64,
    },
    /// `f(z) = ln(1 + e^z)`.
    Softplus,
    /// Row-wise `f(z)_i = e^{z_i} / Σ_j e^{z_j}` (output layers with cross-entropy).
    Softmax,
    /// `amplitude · G(J)`, simcore's analytic LIF rate.
    Lif {
        /// LIF time constants.
        params: LifParams,
        /// Scale from Hz to activation units.
        amplitude: f64,
    },
    /// `amplitude · G(1 + ρ(J − 1))`, the smoothed LIF rate for training.
    SoftLif {
        /// LIF time constants.
        params: LifParams,
        /// Smoothing σ of `ρ(x) = σ·ln(1 + e^{x/σ})`.
        sigma: f64,
        /// Scale from Hz to activation units.
        amplitude: f64,
    },
}

/// Names accepted by [`Activation::parse`].
pub const NAMES: &str = "identity, logistic, tanh, arctan, step, relu, leaky_relu(alpha), \
elu(alpha), softplus, softmax, lif or lif_rate(tau_rc, tau_ref, amplitude), \
soft_lif(tau_rc, tau_ref, sigma, amplitude)";

/// Default amplitude of the LIF activations (Hz → activation units).
pub const DEFAULT_AMPLITUDE: f64 = 0.01;
/// Default smoothing σ of the soft LIF.
pub const DEFAULT_SIGMA: f64 = 0.02;

fn logistic(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// `dG/dJ` of simcore's LIF rate: `τ_rc·G(J)²/(J(J−1))` for `J > 1`, else 0.
pub fn lif_rate_derivative(params: &LifParams, j: f64) -> f64 {
    if j > 1.0 {
        let g = params.rate(j);
        params.tau_rc * g * g / (j * (j - 1.0))
    } else {
        0.0
    }
}

/// `G(1 + ρ) = 1/(τ_ref + τ_rc·ln(1 + 1/ρ))`, simcore's LIF rate at `J = 1 + ρ`, evaluated
/// from `ρ` itself: forming `1 + ρ` first would keep small `ρ` to only ~1e-16/ρ relative
/// precision. Equal to [`LifParams::rate`]`(1 + ρ)` (tested); 0 for `ρ ≤ 0`.
pub fn soft_lif_rate(params: &LifParams, rho: f64) -> f64 {
    if rho > 0.0 {
        1.0 / (params.tau_ref + params.tau_rc * (1.0 / rho).ln_1p())
    } else {
        0.0
    }
}

impl Activation {
    /// The default LIF activation (Nengo's LIF time constants, amplitude 0.01).
    pub fn lif() -> Self {
        Self::Lif {
            params: LifParams::default(),
            amplitude: DEFAULT_AMPLITUDE,
        }
    }

    /// The default soft LIF (Nengo's LIF time constants, σ = 0.02, amplitude 0.01).
    pub fn soft_lif() -> Self {
        Self::SoftLif {
            params: LifParams::default(),
            sigma: DEFAULT_SIGMA,
            amplitude: DEFAULT_AMPLITUDE,
        }
    }

    /// Whether the function acts element-wise (everything but softmax).
    pub fn is_elementwise(&self) -> bool {
        !matches!(self, Self::Softmax)
    }

    /// Initial bias of a layer with this activation: 1 (the firing threshold) for the LIF
    /// activations, so that about half the neurons fire at the start, else 0.
    pub fn initial_bias(&self) -> f64 {
        match self {
            Self::Lif { .. } | Self::SoftLif { .. } => 1.0,
            _ => 0.0,
        }
    }

    /// `f(z)` for an element-wise activation (softmax of a single value is 1).
    pub fn value(&self, z: f64) -> f64 {
        match *self {
            Self::Identity => z,
            Self::Logistic => logistic(z),
            Self::Tanh => z.tanh(),
            Self::Arctan => z.atan(),
            Self::Step => {
                if z >= 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Self::Relu => z.max(0.0),
            Self::LeakyRelu { alpha } => {
                if z > 0.0 {
                    z
                } else {
                    alpha * z
                }
            }
            Self::Elu { alpha } => {
                if z > 0.0 {
                    z
                } else {
                    alpha * z.exp_m1()
                }
            }
            Self::Softplus => softplus(z),
            Self::Softmax => 1.0,
            Self::Lif { params, amplitude } => amplitude * params.rate(z),
            Self::SoftLif {
                params,
                sigma,
                amplitude,
            } => amplitude * soft_lif_rate(&params, sigma * softplus((z - 1.0) / sigma)),
        }
    }

    /// `f'(z)` for an element-wise activation (0 for softmax, which is not element-wise).
    pub fn derivative(&self, z: f64) -> f64 {
        match *self {
            Self::Identity => 1.0,
            Self::Logistic => {
                let s = logistic(z);
                s * (1.0 - s)
            }
            Self::Tanh => {
                let t = z.tanh();
                1.0 - t * t
            }
            Self::Arctan => 1.0 / (1.0 + z * z),
            Self::Step | Self::Softmax => 0.0,
            Self::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Self::LeakyRelu { alpha } => {
                if z > 0.0 {
                    1.0
                } else {
                    alpha
                }
            }
            Self::Elu { alpha } => {
                if z > 0.0 {
                    1.0
                } else {
                    alpha * z.exp()
                }
            }
            Self::Softplus => logistic(z),
            Self::Lif { params, amplitude } => amplitude * lif_rate_derivative(&params, z),
            Self::SoftLif {
                params,
                sigma,
                amplitude,
            } => {
                let x = (z - 1.0) / sigma;
                let rho = sigma * softplus(x);
                let r = soft_lif_rate(&params, rho);
                // dG/dρ at J = 1 + ρ: τ_rc·G²/(ρ(1 + ρ)), times dρ/dz = sigmoid(x).
                amplitude * params.tau_rc * r * r / (rho * (1.0 + rho)) * logistic(x)
            }
        }
    }

    /// `a = f(z)` for a batch (one sample per row); `a` is resized to `z`'s shape. Identity
    /// and ReLU run in `T`; the others are evaluated in `f64` and rounded to `T`.
    pub fn forward<T: Real>(&self, z: &Mat<T>, a: &mut Mat<T>) {
        a.resize(z.rows(), z.cols());
        let out = a.data_mut().iter_mut().zip(z.data());
        match self {
            Self::Softmax => {
                let mut zr = vec![0.0; z.cols()];
                let mut ar = vec![0.0; z.cols()];
                for i in 0..z.rows() {
                    for (d, &v) in zr.iter_mut().zip(z.row(i)) {
                        *d = v.to_f64();
                    }
                    softmax_row(&zr, &mut ar);
                    for (o, &v) in a.row_mut(i).iter_mut().zip(&ar) {
                        *o = T::from_f64(v);
                    }
                }
            }
            Self::Identity => out.for_each(|(o, &zi)| *o = zi),
            Self::Relu => out.for_each(|(o, &zi)| *o = if zi > T::ZERO { zi } else { T::ZERO }),
            _ => out.for_each(|(o, &zi)| *o = T::from_f64(self.value(zi.to_f64()))),
        }
    }

    /// `δz` from `δa`: `f'(z) ⊙ δa`, or for softmax `a ⊙ (δa − ⟨δa, a⟩)` per row.
    /// `dz` is resized to `z`'s shape.
    pub fn backward<T: Real>(&self, z: &Mat<T>, a: &Mat<T>, da: &Mat<T>, dz: &mut Mat<T>) {
        dz.resize(z.rows(), z.cols());
        let out = dz.data_mut().iter_mut().zip(z.data()).zip(da.data());
        match self {
            Self::Softmax => {
                for i in 0..z.rows() {
                    let (ai, dai) = (a.row(i), da.row(i));
                    let mut dot = T::ZERO;
                    for (&p, &q) in ai.iter().zip(dai) {
                        dot += p * q;
                    }
                    for ((o, &p), &q) in dz.row_mut(i).iter_mut().zip(ai).zip(dai) {
                        *o = p * (q - dot);
                    }
                }
            }
            Self::Identity => out.for_each(|((o, _), &g)| *o = g),
            Self::Relu => {
                out.for_each(|((o, &zi), &g)| *o = if zi > T::ZERO { g } else { T::ZERO })
            }
            _ => out.for_each(|((o, &zi), &g)| *o = T::from_f64(self.derivative(zi.to_f64())) * g),
        }
    }

    /// Parses `name` or `name(key=value, ...)` (see [`NAMES`]); missing keys take their
    /// defaults (LIF: Nengo's τ_rc = 0.02 s, τ_ref = 0.002 s; amplitude 0.01; σ 0.02;
    /// leaky ReLU α = 0.01; ELU α = 1).
    pub fn parse(text: &str) -> Result<Self, DenseError> {
        let text = text.trim();
        let (name, args) = match text.find('(') {
            Some(open) if text.ends_with(')') => (&text[..open], &text[open + 1..text.len() - 1]),
            Some(_) => return Err(unknown(text)),
            None => (text, ""),
        };
        let mut pairs: Vec<(String, f64)> = Vec::new();
        for part in args.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| unknown(text))?;
            let v: f64 = v.trim().parse().map_err(|_| DenseError::Param {
                object: format!("activation `{text}`"),
                key: "value",
                value: v.trim().to_string(),
                msg: "not a number".into(),
            })?;
            if !v.is_finite() {
                return Err(DenseError::Param {
                    object: format!("activation `{text}`"),
                    key: "value",
                    value: v.to_string(),
                    msg: "must be finite".into(),
                });
            }
            pairs.push((k.trim().to_string(), v));
        }
        let mut take = |key: &str, default: f64| -> f64 {
            match pairs.iter().position(|(k, _)| k == key) {
                Some(i) => pairs.remove(i).1,
                None => default,
            }
        };
        let lif = LifParams::default();
        let act = match name.trim() {
            "identity" | "linear" => Self::Identity,
            "logistic" | "sigmoid" => Self::Logistic,
            "tanh" => Self::Tanh,
            "arctan" => Self::Arctan,
            "step" | "threshold" => Self::Step,
            "relu" => Self::Relu,
            "leaky_relu" => Self::LeakyRelu {
                alpha: take("alpha", 0.01),
            },
            "elu" => Self::Elu {
                alpha: take("alpha", 1.0),
            },
            "softplus" => Self::Softplus,
            "softmax" => Self::Softmax,
            "lif" | "lif_rate" => Self::Lif {
                params: LifParams {
                    tau_rc: take("tau_rc", lif.tau_rc),
                    tau_ref: take("tau_ref", lif.tau_ref),
                    ..lif
                },
                amplitude: take("amplitude", DEFAULT_AMPLITUDE),
            },
            "soft_lif" => Self::SoftLif {
                params: LifParams {
                    tau_rc: take("tau_rc", lif.tau_rc),
                    tau_ref: take("tau_ref", lif.tau_ref),
                    ..lif
                },
                sigma: take("sigma", DEFAULT_SIGMA),
                amplitude: take("amplitude", DEFAULT_AMPLITUDE),
            },
            _ => return Err(unknown(text)),
        };
        if let Some((k, _)) = pairs.first() {
            return Err(DenseError::Param {
                object: format!("activation `{text}`"),
                key: "parameter",
                value: k.clone(),
                msg: "not a parameter of this activation".into(),
            });
        }
        act.validate()?;
        Ok(act)
    }

    /// Checks parameter ranges.
    pub fn validate(&self) -> Result<(), DenseError> {
        let bad = |key: &'static str, value: f64, msg: &str| DenseError::Param {
            object: format!("activation `{self}`"),
            key,
            value: value.to_string(),
            msg: msg.into(),
        };
        match *self {
            Self::Elu { alpha } if !(alpha.is_finite() && alpha >= 0.0) => {
                Err(bad("alpha", alpha, "must be ≥ 0"))
            }
            Self::Lif { params, amplitude }
            | Self::SoftLif {
                params, amplitude, ..
            } => {
                params
                    .validate("activation")
                    .map_err(|e| bad("tau", params.tau_rc, &e.to_string()))?;
                if !(amplitude > 0.0 && amplitude.is_finite()) {
                    return Err(bad("amplitude", amplitude, "must be positive"));
                }
                if let Self::SoftLif { sigma, .. } = *self
                    && !(sigma > 0.0 && sigma.is_finite())
                {
                    return Err(bad("sigma", sigma, "must be positive"));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The LIF version of a LIF-type activation (soft LIF → LIF with the same constants), used
    /// to evaluate a soft-LIF-trained network as its spiking counterpart sees it.
    pub fn hard(&self) -> Self {
        match *self {
            Self::SoftLif {
                params, amplitude, ..
            } => Self::Lif { params, amplitude },
            other => other,
        }
    }
}

fn unknown(text: &str) -> DenseError {
    DenseError::UnknownName {
        kind: "activation",
        name: text.to_string(),
        known: NAMES,
    }
}

/// Numerically stable softmax of one row: `e^{z_i − max z} / Σ_j e^{z_j − max z}`.
pub fn softmax_row(z: &[f64], out: &mut [f64]) {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (o, &v) in out.iter_mut().zip(z) {
        *o = (v - m).exp();
        sum += *o;
    }
    for o in out.iter_mut() {
        *o /= sum;
    }
}

impl fmt::Display for Activation {
    /// The canonical text [`Activation::parse`] reads back (all parameters spelled out).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Identity => write!(f, "identity"),
            Self::Logistic => write!(f, "logistic"),
            Self::Tanh => write!(f, "tanh"),
            Self::Arctan => write!(f, "arctan"),
            Self::Step => write!(f, "step"),
            Self::Relu => write!(f, "relu"),
            Self::LeakyRelu { alpha } => write!(f, "leaky_relu(alpha={alpha})"),
            Self::Elu { alpha } => write!(f, "elu(alpha={alpha})"),
            Self::Softplus => write!(f, "softplus"),
            Self::Softmax => write!(f, "softmax"),
            Self::Lif { params, amplitude } => write!(
                f,
                "lif(tau_rc={}, tau_ref={}, amplitude={amplitude})",
                params.tau_rc, params.tau_ref
            ),
            Self::SoftLif {
                params,
                sigma,
                amplitude,
            } => write!(
                f,
                "soft_lif(tau_rc={}, tau_ref={}, sigma={sigma}, amplitude={amplitude})",
                params.tau_rc, params.tau_ref
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dense::matrix::Matrix;

    fn all() -> Vec<Activation> {
        vec![
            Activation::Identity,
            Activation::Logistic,
            Activation::Tanh,
            Activation::Arctan,
            Activation::Relu,
            Activation::LeakyRelu { alpha: 0.1 },
            Activation::Elu { alpha: 0.7 },
            Activation::Softplus,
            Activation::lif(),
            Activation::soft_lif(),
            Activation::SoftLif {
                params: LifParams::default(),
                sigma: 0.5,
                amplitude: 0.02,
            },
        ]
    }

    /// Derivatives against central differences (h = 1e-6), relative error ≤ 1e-4, at points
    /// away from kinks (0 for the ReLU family, 1 for the LIF threshold).
    #[test]
    fn derivatives_match_finite_differences() {
        let h = 1e-6;
        let points = [-3.1, -1.3, -0.4, 0.3, 0.77, 1.02, 1.3, 2.5, 7.0];
        for act in all() {
            for &z in &points {
                let fd = (act.value(z + h) - act.value(z - h)) / (2.0 * h);
                let an = act.derivative(z);
                let err = (fd - an).abs() / fd.abs().max(an.abs()).max(1e-8);
                assert!(
                    err <= 1e-4 || (fd - an).abs() < 1e-10,
                    "{act} at {z}: fd {fd} vs {an}"
                );
            }
        }
    }

    #[test]
    fn softmax_jvp_matches_finite_differences() {
        let z = Matrix::from_vec(2, 4, vec![0.3, -1.2, 2.0, 0.1, 800.0, 799.0, -5.0, 0.0]).unwrap();
        let da = Matrix::from_vec(2, 4, vec![0.5, -0.2, 0.9, 1.1, -0.3, 0.7, 0.2, -1.0]).unwrap();
        let mut a = Matrix::default();
        Activation::Softmax.forward(&z, &mut a);
        assert!(
            a.data().iter().all(|v| v.is_finite()),
            "stable for large logits"
        );
        let mut dz = Matrix::default();
        Activation::Softmax.backward(&z, &a, &da, &mut dz);
        let h = 1e-6;
        for k in 0..z.data().len() {
            let mut zp = z.clone();
            zp.data_mut()[k] += h;
            let mut zm = z.clone();
            zm.data_mut()[k] -= h;
            let (mut ap, mut am) = (Matrix::default(), Matrix::default());
            Activation::Softmax.forward(&zp, &mut ap);
            Activation::Softmax.forward(&zm, &mut am);
            let fd: f64 = ap
                .data()
                .iter()
                .zip(am.data())
                .zip(da.data())
                .map(|((p, m), g)| (p - m) / (2.0 * h) * g)
                .sum();
            let an = dz.data()[k];
            assert!(
                (fd - an).abs() <= 1e-4 * fd.abs().max(an.abs()).max(1e-6),
                "{k}: {fd} vs {an}"
            );
        }
    }

    #[test]
    fn lif_activation_is_simcores_rate() {
        let p = LifParams::default();
        let act = Activation::lif();
        for j in [0.5, 1.0, 1.5, 3.0, 20.0] {
            assert_eq!(act.value(j), DEFAULT_AMPLITUDE * p.rate(j));
        }
        // Soft LIF tends to LIF away from threshold and is positive just below it.
        let soft = Activation::soft_lif();
        assert!((soft.value(3.0) - act.value(3.0)).abs() < 1e-9);
        assert!(soft.value(0.99) > 0.0 && act.value(0.99) == 0.0);
        for rho in [1e-3, 0.1, 1.0, 7.0] {
            let g = p.rate(1.0 + rho);
            assert!((soft_lif_rate(&p, rho) - g).abs() < 1e-10 * g, "ρ = {rho}");
        }
    }

    #[test]
    fn names_round_trip_and_errors_name_the_fault() {
        for act in all()
            .into_iter()
            .chain([Activation::Step, Activation::Softmax])
        {
            assert_eq!(Activation::parse(&act.to_string()).unwrap(), act);
        }
        assert_eq!(
            Activation::parse("lif(amplitude=0.02)").unwrap(),
            Activation::Lif {
                params: LifParams::default(),
                amplitude: 0.02
            }
        );
        assert!(
            Activation::parse("swish")
                .unwrap_err()
                .to_string()
                .contains("swish")
        );
        assert!(
            Activation::parse("relu(alpha=1)")
                .unwrap_err()
                .to_string()
                .contains("alpha")
        );
        assert!(
            Activation::parse("lif(tau_rc=-1)")
                .unwrap_err()
                .to_string()
                .contains("tau")
        );
        assert!(Activation::parse("elu(alpha=x)").is_err());
    }
}

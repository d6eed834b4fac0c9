//! Rate-based learning rules on dense neuron-to-neuron weights: Hebbian with weight decay,
//! Oja's normalising rule and BCM with a sliding threshold.
//!
//! Weights are post-major, `W[j·n_pre + i]` from presynaptic neuron `i` to postsynaptic `j`;
//! `x` are presynaptic and `y` postsynaptic activities (rates, or filtered spike trains in Hz
//! for spiking neurons, see [`super::dense`]). Each rule is a differential equation in time,
//! advanced by one explicit Euler step of `Δt` per simulation step:
//!
//! - **Hebbian with decay** (Gerstner & Kistler 2002, §10.3; Dayan & Abbott 2001, eq. 8.3 with
//!   a decay term): $\dot W_{ji} = \eta\,y_j x_i - \lambda W_{ji}$. For constant activities
//!   $W \to \eta\,y_j x_i/\lambda$.
//! - **Oja** (Oja 1982): $\dot W_{ji} = \eta\,y_j (x_i - \beta\,y_j W_{ji})$. For a linear
//!   neuron $y = W x$ with input covariance C the weights converge to the principal
//!   eigenvector of C with norm $1/\sqrt{\beta}$.
//! - **BCM** (Bienenstock, Cooper & Munro 1982; Intrator & Cooper 1992):
//!   $\dot W_{ji} = \eta\,x_i\,y_j (y_j - \theta_j)$ with the sliding threshold
//!   $\tau_\theta \dot\theta_j = y_j^2 - \theta_j$ ($\theta = \langle y^2\rangle$), advanced exactly for
//!   $y$ held over the step: $\theta \leftarrow \theta + (1 - e^{-\Delta t/\tau_\theta})(y^2 - \theta)$,
//!   after the weight update (which uses the threshold at the step's start).

use crate::SimError;

/// A rate-based learning rule and its parameters (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RateRule {
    /// `Ẇ = η·y·x − λ·W`.
    Hebbian {
        /// Learning rate η (per second per unit of activity²).
        rate: f64,
        /// Decay rate λ, 1/s.
        decay: f64,
    },
    /// `Ẇ = η·y·(x − β·y·W)`.
    Oja {
        /// Learning rate η.
        rate: f64,
        /// Normalisation β (> 0): the fixed-point norm is `1/√β`.
        beta: f64,
    },
    /// `Ẇ = η·x·y·(y − θ)`, `τ_θ·θ̇ = y² − θ`.
    Bcm {
        /// Learning rate η.
        rate: f64,
        /// Threshold time constant τ_θ, seconds.
        tau_theta: f64,
    },
}

impl RateRule {
    /// Checks the parameters; `object` names the owner in errors.
    pub fn validate(&self, object: &str) -> Result<(), SimError> {
        let bad = |key: &'static str, v: f64, msg: &str| SimError::Param {
            object: object.to_string(),
            key,
            value: v.to_string(),
            msg: msg.to_string(),
        };
        let finite_nonneg = |key, v: f64| {
            if v >= 0.0 && v.is_finite() {
                Ok(())
            } else {
                Err(bad(key, v, "must be ≥ 0 and finite"))
            }
        };
        let positive = |key, v: f64| {
            if v > 0.0 && v.is_finite() {
                Ok(())
            } else {
                Err(bad(key, v, "must be positive and finite"))
            }
        };
        match *self {
            RateRule::Hebbian { rate, decay } => {
                finite_nonneg("learning_rate", rate)?;
                finite_nonneg("decay", decay)
            }
            RateRule::Oja { rate, beta } => {
                finite_nonneg("learning_rate", rate)?;
                positive("beta", beta)
            }
            RateRule::Bcm { rate, tau_theta } => {
                finite_nonneg("learning_rate", rate)?;
                positive("tau_theta", tau_theta)
            }
        }
    }
}

/// A rule with its state (BCM thresholds), applied to dense post-major weights.
#[derive(Clone, Debug)]
pub struct RateLearner {
    rule: RateRule,
    n_pre: usize,
    theta: Vec<f64>,
}

impl RateLearner {
    /// `rule` on weights from `n_pre` to `n_post` neurons (BCM thresholds start at 0).
    pub fn new(rule: RateRule, n_pre: usize, n_post: usize) -> Self {
        let theta = match rule {
            RateRule::Bcm { .. } => vec![0.0; n_post],
            _ => Vec::new(),
        };
        Self { rule, n_pre, theta }
    }

    /// The rule.
    pub fn rule(&self) -> RateRule {
        self.rule
    }

    /// BCM thresholds θ_j (empty for other rules).
    pub fn theta(&self) -> &[f64] {
        &self.theta
    }

    /// The new weight of one synapse with presynaptic activity `x` onto postsynaptic neuron
    /// `j` with activity `y`, after one step of `dt` (BCM: with θ_j at the step's start).
    #[inline]
    fn synapse(&self, w: f64, x: f64, y: f64, j: usize, dt: f64) -> f64 {
        match self.rule {
            RateRule::Hebbian { rate, decay } => w + dt * (rate * y * x - decay * w),
            RateRule::Oja { rate, beta } => w + dt * rate * y * (x - beta * y * w),
            RateRule::Bcm { rate, .. } => w + dt * rate * y * (y - self.theta[j]) * x,
        }
    }

    /// Advances the BCM thresholds by one step with postsynaptic activities `y` (after the
    /// weights: they use the threshold at the step's start).
    fn advance_theta(&mut self, y: &[f32], dt: f64) {
        if let RateRule::Bcm { tau_theta, .. } = self.rule {
            let a = -(-dt / tau_theta).exp_m1();
            for (t, &yj) in self.theta.iter_mut().zip(y) {
                let yj = f64::from(yj);
                *t += a * (yj * yj - *t);
            }
        }
    }

    /// Advances `w` (post-major, `x.len() × y.len()`) by one step of `dt` seconds given this
    /// step's presynaptic activities `x` and postsynaptic activities `y`.
    pub fn step(&mut self, w: &mut [f32], x: &[f32], y: &[f32], dt: f64) {
        let n = self.n_pre;
        debug_assert_eq!(x.len(), n);
        debug_assert_eq!(w.len(), n * y.len());
        for (j, (row, &yj)) in w.chunks_exact_mut(n.max(1)).zip(y).enumerate() {
            let yj = f64::from(yj);
            for (wji, &xi) in row.iter_mut().zip(x) {
                *wji = self.synapse(f64::from(*wji), f64::from(xi), yj, j, dt) as f32;
            }
        }
        self.advance_theta(y, dt);
    }

    /// Advances sparse weights by one step: `w[s]` is the synapse from presynaptic neuron `i`
    /// (`offsets[i] ≤ s < offsets[i+1]`, CSR rows) to `targets[s]`. Cost O(synapses).
    pub fn step_csr(
        &mut self,
        offsets: &[usize],
        targets: &[u32],
        w: &mut [f32],
        x: &[f32],
        y: &[f32],
        dt: f64,
    ) {
        for (i, &xi) in x.iter().enumerate() {
            let xi = f64::from(xi);
            for s in offsets[i]..offsets[i + 1] {
                let j = targets[s] as usize;
                w[s] = self.synapse(f64::from(w[s]), xi, f64::from(y[j]), j, dt) as f32;
            }
        }
        self.advance_theta(y, dt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_distr::StandardNormal;

    type R = rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn hebbian_decay_follows_its_euler_closed_form() {
        let (rate, decay, dt) = (2.0, 5.0, 1e-3);
        let mut l = RateLearner::new(RateRule::Hebbian { rate, decay }, 3, 2);
        let (x, y) = ([1.0f32, 2.0, 3.0], [0.5f32, 4.0]);
        let mut w = vec![0.1f32; 6];
        let k = 400;
        for _ in 0..k {
            l.step(&mut w, &x, &y, dt);
        }
        for j in 0..2 {
            for i in 0..3 {
                let inf = rate * f64::from(y[j]) * f64::from(x[i]) / decay;
                let expect = inf + (0.1 - inf) * (1.0 - decay * dt).powi(k);
                let got = f64::from(w[j * 3 + i]);
                assert!((got - expect).abs() < 1e-5 * inf, "{got} vs {expect}");
            }
        }
    }

    /// Samples of a zero-mean 2-D Gaussian with principal axis at `angle` (variances 3, 0.4).
    fn correlated(r: &mut R, angle: f64) -> [f32; 2] {
        let (a, b): (f64, f64) = (r.sample(StandardNormal), r.sample(StandardNormal));
        let (u, v) = (3f64.sqrt() * a, 0.4f64.sqrt() * b);
        let (c, s) = (angle.cos(), angle.sin());
        [(c * u - s * v) as f32, (s * u + c * v) as f32]
    }

    #[test]
    fn oja_finds_the_principal_eigenvector_with_norm_one_over_sqrt_beta() {
        let angle = 0.6;
        for beta in [1.0, 2.0] {
            let mut r = R::seed_from_u64(1);
            let mut l = RateLearner::new(RateRule::Oja { rate: 2.0, beta }, 2, 1);
            let mut w = vec![0.3f32, -0.2];
            for _ in 0..40_000 {
                let x = correlated(&mut r, angle);
                let y = [w[0] * x[0] + w[1] * x[1]];
                l.step(&mut w, &x, &y, 1e-3);
            }
            let norm = f64::from(w[0].hypot(w[1]));
            let cos = (f64::from(w[0]) * angle.cos() + f64::from(w[1]) * angle.sin()).abs() / norm;
            assert!(cos >= 0.99, "cosine {cos}");
            let expect = 1.0 / beta.sqrt();
            assert!(
                (norm - expect).abs() < 0.03 * expect,
                "norm {norm} vs {expect}"
            );
        }
    }

    #[test]
    fn bcm_becomes_selective_to_one_of_two_patterns() {
        let mut r = R::seed_from_u64(2);
        let p = [[1.0f32, 0.3], [0.3, 1.0]];
        let mut l = RateLearner::new(
            RateRule::Bcm {
                rate: 5.0,
                tau_theta: 0.05,
            },
            2,
            1,
        );
        let mut w = vec![0.5f32, 0.45];
        let resp = |w: &[f32], x: &[f32; 2]| (w[0] * x[0] + w[1] * x[1]).max(0.0);
        let before = [resp(&w, &p[0]), resp(&w, &p[1])];
        for _ in 0..200_000 {
            let x = p[r.random_range(0..2)];
            let y = [resp(&w, &x)];
            l.step(&mut w, &x, &y, 1e-3);
        }
        let after = [resp(&w, &p[0]), resp(&w, &p[1])];
        assert!((before[0] / before[1] - 1.0).abs() < 0.1, "{before:?}");
        let (hi, lo) = (after[0].max(after[1]), after[0].min(after[1]));
        // Selective fixed point: θ = ⟨y²⟩ = y_hi²/2 = y_hi ⇒ y_hi = 2, y_lo = 0.
        assert!((hi - 2.0).abs() < 0.2 && lo < 0.1 * hi, "{after:?}");
    }

    #[test]
    fn sparse_step_equals_the_dense_step_on_all_to_all_rows() {
        // CSR rows i → every j (pre-major) against dense post-major weights, each rule.
        let (n_pre, n_post, dt) = (3usize, 4usize, 1e-3);
        let mut r = R::seed_from_u64(5);
        let offsets: Vec<usize> = (0..=n_pre).map(|i| i * n_post).collect();
        let targets: Vec<u32> = (0..n_pre * n_post).map(|s| (s % n_post) as u32).collect();
        for rule in [
            RateRule::Hebbian {
                rate: 0.5,
                decay: 2.0,
            },
            RateRule::Oja {
                rate: 0.3,
                beta: 1.5,
            },
            RateRule::Bcm {
                rate: 0.2,
                tau_theta: 0.05,
            },
        ] {
            let mut dense = RateLearner::new(rule, n_pre, n_post);
            let mut sparse = RateLearner::new(rule, n_pre, n_post);
            let mut wd: Vec<f32> = (0..n_pre * n_post)
                .map(|_| r.random_range(-1.0..1.0))
                .collect();
            // sparse synapse s = i·n_post + j ↔ dense j·n_pre + i
            let mut ws: Vec<f32> = (0..n_pre * n_post)
                .map(|s| wd[(s % n_post) * n_pre + s / n_post])
                .collect();
            for _ in 0..100 {
                let x: Vec<f32> = (0..n_pre).map(|_| r.random_range(0.0..5.0)).collect();
                let y: Vec<f32> = (0..n_post).map(|_| r.random_range(0.0..5.0)).collect();
                dense.step(&mut wd, &x, &y, dt);
                sparse.step_csr(&offsets, &targets, &mut ws, &x, &y, dt);
            }
            assert!(wd.iter().any(|&w| w.abs() > 0.01));
            for s in 0..n_pre * n_post {
                assert_eq!(
                    ws[s],
                    wd[(s % n_post) * n_pre + s / n_post],
                    "{rule:?} synapse {s}"
                );
            }
            assert_eq!(dense.theta(), sparse.theta());
        }
    }
}

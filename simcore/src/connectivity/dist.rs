//! Synaptic weights and delays: constants or distributions, and the delay rounding rule.
//!
//! # Sign-keeping clipping
//! A weight distribution whose mean is positive (excitatory) or negative (inhibitory) may draw
//! values of the other sign (a normal with a large spread). Such draws are **clipped to 0**, so a
//! projection never changes the sign of its synapses (NEST's documentation recommends the same
//! clipping; Brian2 users write `clip(w, 0, inf)`). Optional `min`/`max` bounds clip further.
//!
//! # Delay rounding
//! Delays are given in seconds and stored in whole steps:
//! `steps = max(1, round(d/Δt))`, rounding half up, with a relative tolerance of 1e-9 on
//! `d/Δt` so that a delay written as a decimal multiple of Δt (1.5 ms at Δt = 0.1 ms) is exact
//! despite binary rounding. A delay shorter than one step becomes one step (NEST refuses such
//! delays; spike delivery needs at least one step because a step's spikes are known only at its
//! end). Distributed delays are rounded per synapse after sampling.

use std::cmp::Ordering;

use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal, Uniform};

use crate::SimError;

/// Largest delay, in steps, a synapse can store (`u16`).
pub const MAX_DELAY_STEPS: u32 = u16::MAX as u32;

/// A constant or a random distribution of a synaptic or per-neuron parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    /// The same value for every synapse (not stored per synapse).
    Const(f64),
    /// Uniform on `[low, high)`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Normal with mean and standard deviation.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (≥ 0).
        std: f64,
    },
    /// Log-normal: `exp(N(mu, sigma))`, always positive.
    LogNormal {
        /// Mean of the underlying normal.
        mu: f64,
        /// Standard deviation of the underlying normal (≥ 0).
        sigma: f64,
    },
}

impl Dist {
    /// `n` values drawn from the stream [`crate::rng::stream`]`(seed, key)` (constants draw
    /// nothing): per-neuron parameters, keyed by the parameter's dotted path so that they
    /// depend only on the seed and the object. Invalid parameters (rejected where a spec is
    /// read) fall back to the constant they degenerate to.
    pub fn sample(&self, n: usize, seed: u64, key: &str) -> Vec<f64> {
        let mut r = crate::rng::stream(seed, key);
        match *self {
            Dist::Const(x) => vec![x; n],
            Dist::Uniform { low, high } if low == high => vec![low; n],
            Dist::Uniform { low, high } => match Uniform::new(low, high) {
                Ok(u) => (0..n).map(|_| u.sample(&mut r)).collect(),
                Err(_) => (0..n)
                    .map(|_| low + (high - low) * r.random::<f64>())
                    .collect(),
            },
            Dist::Normal { mean, std } => match Normal::new(mean, std) {
                Ok(d) => (0..n).map(|_| d.sample(&mut r)).collect(),
                Err(_) => vec![mean; n],
            },
            Dist::LogNormal { mu, sigma } => match LogNormal::new(mu, sigma) {
                Ok(d) => (0..n).map(|_| d.sample(&mut r)).collect(),
                Err(_) => vec![mu.exp(); n],
            },
        }
    }
}

impl std::fmt::Display for Dist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Dist::Const(x) => write!(f, "{x}"),
            Dist::Uniform { low, high } => write!(f, "uniform({low}, {high})"),
            Dist::Normal { mean, std } => write!(f, "normal({mean}, {std})"),
            Dist::LogNormal { mu, sigma } => write!(f, "lognormal({mu}, {sigma})"),
        }
    }
}

/// A distribution with the clipping applied to its draws.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// The distribution.
    pub dist: Dist,
    /// Lower bound applied after drawing (`None`: none).
    pub min: Option<f64>,
    /// Upper bound applied after drawing (`None`: none).
    pub max: Option<f64>,
    /// Clip draws whose sign differs from the sign of the mean to 0 (default for weights).
    pub keep_sign: bool,
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::new(Dist::Const(x))
    }
}

impl From<Dist> for Value {
    fn from(dist: Dist) -> Self {
        Value::new(dist)
    }
}

/// A ready sampler for a [`Value`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sampler {
    Const(f64),
    Uniform(f64, f64),
    Normal(Normal<f64>),
    LogNormal(LogNormal<f64>),
}

impl Value {
    /// `dist` with sign-keeping on and no bounds.
    pub fn new(dist: Dist) -> Self {
        Self {
            dist,
            min: None,
            max: None,
            keep_sign: true,
        }
    }

    /// True when every synapse gets the same value (not stored per synapse).
    pub fn is_const(&self) -> bool {
        matches!(self.dist, Dist::Const(_))
    }

    /// Mean of the distribution before clipping.
    pub fn mean(&self) -> f64 {
        match self.dist {
            Dist::Const(x) => x,
            Dist::Uniform { low, high } => 0.5 * (low + high),
            Dist::Normal { mean, .. } => mean,
            Dist::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
        }
    }

    /// Checks the parameters; `object`/`key` name the owner in errors.
    pub(crate) fn sampler(&self, object: &str, key: &'static str) -> Result<Sampler, SimError> {
        let bad = |msg: &str| SimError::Param {
            object: object.to_string(),
            key,
            value: format!("{:?}", self.dist),
            msg: msg.to_string(),
        };
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        let s = match self.dist {
            Dist::Const(x) if finite(&[x]) => Sampler::Const(x),
            Dist::Uniform { low, high } if finite(&[low, high]) && low <= high => {
                Sampler::Uniform(low, high)
            }
            Dist::Normal { mean, std } if finite(&[mean, std]) && std >= 0.0 => {
                Sampler::Normal(Normal::new(mean, std).map_err(|e| bad(&e.to_string()))?)
            }
            Dist::LogNormal { mu, sigma } if finite(&[mu, sigma]) && sigma >= 0.0 => {
                Sampler::LogNormal(LogNormal::new(mu, sigma).map_err(|e| bad(&e.to_string()))?)
            }
            _ => {
                return Err(bad(
                    "parameters must be finite, with low ≤ high and spreads ≥ 0",
                ));
            }
        };
        if let (Some(lo), Some(hi)) = (self.min, self.max)
            && !matches!(lo.partial_cmp(&hi), Some(Ordering::Less | Ordering::Equal))
        {
            return Err(bad("clip bounds need min ≤ max"));
        }
        Ok(s)
    }

    /// Applies sign-keeping and bounds to a draw.
    #[inline]
    pub(crate) fn clip(&self, sign: f64, mut x: f64) -> f64 {
        if self.keep_sign && x * sign < 0.0 {
            x = 0.0;
        }
        if let Some(lo) = self.min {
            x = x.max(lo);
        }
        if let Some(hi) = self.max {
            x = x.min(hi);
        }
        x
    }
}

impl Sampler {
    /// One draw (the constant draws nothing from `rng`).
    #[inline]
    pub(crate) fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Const(x) => *x,
            Sampler::Uniform(lo, hi) => lo + (hi - lo) * rng.random::<f64>(),
            Sampler::Normal(n) => n.sample(rng),
            Sampler::LogNormal(n) => n.sample(rng),
        }
    }
}

/// Delay `d` (s) in whole steps of `dt` (s): `max(1, round_half_up(d/dt))` with a 1e-9
/// relative tolerance (see the module docs). Errors name `object` when the delay is not finite
/// or longer than [`MAX_DELAY_STEPS`].
pub fn delay_steps(d: f64, dt: f64, object: &str) -> Result<u16, SimError> {
    let x = d / dt;
    if !x.is_finite() || x > f64::from(MAX_DELAY_STEPS) {
        return Err(SimError::Param {
            object: object.to_string(),
            key: "delay",
            value: d.to_string(),
            msg: format!("must be finite and at most {MAX_DELAY_STEPS} steps of {dt} s"),
        });
    }
    let steps = (x * (1.0 + 1e-9) + 0.5).floor().max(1.0);
    Ok(steps as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_round_to_nearest_step_at_least_one() {
        let dt = 1e-4;
        for (d, s) in [
            (1.5e-3, 15),
            (1e-4, 1),
            (0.0, 1),
            (0.4e-4, 1),
            (0.15e-3, 2),
            (0.149e-3, 1),
            (2.5e-4, 3),
            (-1.0, 1),
        ] {
            assert_eq!(delay_steps(d, dt, "p").unwrap(), s, "delay {d}");
        }
        assert!(delay_steps(f64::NAN, dt, "p").is_err());
        assert!(delay_steps(10.0, dt, "p").is_err());
    }

    #[test]
    fn sign_keeping_clips_opposite_sign_to_zero() {
        let v = Value::new(Dist::Normal {
            mean: 1.0,
            std: 5.0,
        });
        assert_eq!(v.clip(1.0, -0.3), 0.0);
        assert_eq!(v.clip(1.0, 0.3), 0.3);
        assert_eq!(v.clip(-1.0, 0.3), 0.0);
        let mut w = v.clone();
        w.keep_sign = false;
        w.max = Some(0.2);
        assert_eq!(w.clip(1.0, -0.3), -0.3);
        assert_eq!(w.clip(1.0, 0.3), 0.2);
    }

    #[test]
    fn bad_parameters_are_errors_naming_the_key() {
        let v = Value::new(Dist::Uniform {
            low: 2.0,
            high: 1.0,
        });
        let e = v.sampler("proj", "weight").unwrap_err().to_string();
        assert!(e.contains("proj") && e.contains("weight"), "{e}");
        assert!(Value::from(f64::NAN).sampler("p", "weight").is_err());
    }
}

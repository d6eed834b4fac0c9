//! Per-neuron parameters given as a constant or a distribution:
//! `bias = 0.5`, `bias = {dist = "uniform", low = 0.0, high = 1.0}`,
//! `bias = {dist = "normal", mean = 1.0, std = 0.1}`,
//! `bias = {dist = "lognormal", mu = 0.0, sigma = 0.5}`.
//!
//! Draws come from a stream keyed by the parameter's dotted path (`population.exc.bias`), so
//! they depend only on the seed and the object, never on other objects or the thread count.

use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal, Uniform};
use simcore::rng;

use crate::error::{ErrorKind, SpecError};
use crate::reader::{At, Required, TableReader};
use crate::tree::Value;

/// A constant or a distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Param {
    /// Every neuron gets this value.
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
    /// Log-normal: `exp(N(mu, sigma))`.
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm (≥ 0).
        sigma: f64,
    },
}

/// The distribution names accepted in `dist = "…"`.
pub const DISTRIBUTIONS: [&str; 3] = ["uniform", "normal", "lognormal"];

impl Param {
    /// Reads `key` of `t` as a number or a `{dist = …}` table (`None` when absent).
    pub fn read(
        t: &mut TableReader<'_>,
        key: &'static str,
    ) -> Result<Option<At<Param>>, SpecError> {
        let Some(n) = t.node(key) else {
            return Ok(None);
        };
        if !matches!(n.value, Value::Table(_)) {
            return match n.value {
                Value::Int(_) | Value::Float(_) => {
                    Ok(Some(t.number(key, n)?.map(|&x| Param::Const(x))))
                }
                _ => Err(SpecError::new(
                    t.sources().origin(n.loc),
                    t.key_path(key),
                    ErrorKind::WrongType {
                        expected: "a number or a distribution table",
                        found: n.value.type_name(),
                    },
                )),
            };
        }
        let mut d = TableReader::new(t.sources(), n, &t.key_path(key))?;
        let dist = d.str("dist")?.required(&d, "dist")?;
        let num = |d: &mut TableReader<'_>, k: &'static str| d.f64(k)?.required(d, k);
        let p = match dist.value.as_str() {
            "uniform" => {
                let low = num(&mut d, "low")?;
                let high = num(&mut d, "high")?;
                let high = high.check(
                    |h| h >= low.value,
                    &format!("must be ≥ low = {}", low.value),
                )?;
                Param::Uniform {
                    low: low.value,
                    high: high.value,
                }
            }
            "normal" => {
                let mean = num(&mut d, "mean")?.value;
                let std = num(&mut d, "std")?
                    .check(|s| s >= 0.0, "must be ≥ 0")?
                    .value;
                Param::Normal { mean, std }
            }
            "lognormal" => {
                let mu = num(&mut d, "mu")?.value;
                let sigma = num(&mut d, "sigma")?
                    .check(|s| s >= 0.0, "must be ≥ 0")?
                    .value;
                Param::LogNormal { mu, sigma }
            }
            other => {
                return Err(dist.error(ErrorKind::Invalid(format!(
                    "unknown distribution `{other}` (known: {}){}",
                    DISTRIBUTIONS.join(", "),
                    crate::error::closest(other, DISTRIBUTIONS)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default()
                ))));
            }
        };
        d.finish()?;
        Ok(Some(t.at(key, n, p)))
    }

    /// `n` values drawn from the stream keyed `key` under `seed` (constants draw nothing).
    pub fn sample(&self, n: usize, seed: u64, key: &str) -> Vec<f64> {
        let mut r = rng::stream(seed, key);
        match *self {
            Param::Const(x) => vec![x; n],
            Param::Uniform { low, high } if low == high => vec![low; n],
            Param::Uniform { low, high } => match Uniform::new(low, high) {
                Ok(u) => (0..n).map(|_| u.sample(&mut r)).collect(),
                Err(_) => (0..n)
                    .map(|_| low + (high - low) * r.random::<f64>())
                    .collect(),
            },
            Param::Normal { mean, std } => match Normal::new(mean, std) {
                Ok(d) => (0..n).map(|_| d.sample(&mut r)).collect(),
                Err(_) => vec![mean; n],
            },
            Param::LogNormal { mu, sigma } => match LogNormal::new(mu, sigma) {
                Ok(d) => (0..n).map(|_| d.sample(&mut r)).collect(),
                Err(_) => vec![mu.exp(); n],
            },
        }
    }
}

impl std::fmt::Display for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Param::Const(x) => write!(f, "{x}"),
            Param::Uniform { low, high } => write!(f, "uniform({low}, {high})"),
            Param::Normal { mean, std } => write!(f, "normal({mean}, {std})"),
            Param::LogNormal { mu, sigma } => write!(f, "lognormal({mu}, {sigma})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_keyed_and_in_range() {
        let p = Param::Uniform {
            low: 2.0,
            high: 3.0,
        };
        let a = p.sample(1000, 1, "population.a.bias");
        assert!(a.iter().all(|&x| (2.0..3.0).contains(&x)));
        assert_eq!(a, p.sample(1000, 1, "population.a.bias"));
        assert_ne!(a, p.sample(1000, 1, "population.b.bias"));
        let mean = a.iter().sum::<f64>() / 1000.0;
        assert!((mean - 2.5).abs() < 0.05, "{mean}");
        let n = Param::Normal {
            mean: 5.0,
            std: 2.0,
        }
        .sample(4000, 3, "k");
        let m = n.iter().sum::<f64>() / 4000.0;
        let s = (n.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 4000.0).sqrt();
        assert!((m - 5.0).abs() < 0.15 && (s - 2.0).abs() < 0.15, "{m} {s}");
    }
}

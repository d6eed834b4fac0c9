//! Per-neuron parameters given as a constant or a distribution:
//! `bias = 0.5`, `bias = {dist = "uniform", low = 0.0, high = 1.0}`,
//! `bias = {dist = "normal", mean = 1.0, std = 0.1}`,
//! `bias = {dist = "lognormal", mu = 0.0, sigma = 0.5}`.
//!
//! Draws come from a stream keyed by the parameter's dotted path (`population.exc.bias`), so
//! they depend only on the seed and the object, never on other objects or the thread count.

use crate::error::{ErrorKind, SpecError};
use crate::reader::{At, Required, TableReader};
use crate::tree::Value;

/// A constant or a distribution ([`simcore::connectivity::Dist`]; per-neuron draws by
/// [`Dist::sample`](simcore::connectivity::Dist::sample)).
pub type Param = simcore::connectivity::Dist;

/// The distribution names accepted in `dist = "…"`.
pub const DISTRIBUTIONS: [&str; 3] = ["uniform", "normal", "lognormal"];

/// Reads `key` of `t` as [`read_param`] does, or the constant `default` (located at the table)
/// when it is absent.
pub fn param_or(
    t: &mut TableReader<'_>,
    key: &'static str,
    default: f64,
) -> Result<At<Param>, SpecError> {
    Ok(read_param(t, key)?.unwrap_or_else(|| t.default(key, Param::Const(default))))
}

/// Reads `key` of `t` as a number or a `{dist = …}` table (`None` when absent).
pub fn read_param(
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
            let (mean, std) = location_spread(&mut d, "mean", "std")?;
            Param::Normal { mean, std }
        }
        "lognormal" => {
            let (mu, sigma) = location_spread(&mut d, "mu", "sigma")?;
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

/// The required keys `location` (any number) and `spread` (≥ 0) of a distribution table.
fn location_spread(
    d: &mut TableReader<'_>,
    location: &'static str,
    spread: &'static str,
) -> Result<(f64, f64), SpecError> {
    let loc = d.f64(location)?.required(d, location)?.value;
    let s = d.f64(spread)?.required(d, spread)?;
    Ok((loc, s.check(|s| s >= 0.0, "must be ≥ 0")?.value))
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

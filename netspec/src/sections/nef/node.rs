//! `[[node]]`: an input signal of time (Nengo `Node` with an output): constant, step,
//! piecewise-linear table, sine, band-limited white noise (seeded) or expressions of `t`.
//! A node's value in step `s` is its signal at `t = (s+1)·Δt`, as Nengo evaluates it.

use models::expr::Expr;
use models::node::Signal;

use super::values::{matrix, one_of, strings, vector};
use crate::error::{ErrorKind, SpecError};
use crate::reader::{At, Required, TableReader};
use crate::sections::Names;

/// Node kinds (`kind = "…"`).
pub const KINDS: [&str; 6] = [
    "constant",
    "step",
    "piecewise",
    "sine",
    "white_noise",
    "expr",
];

/// A validated `[[node]]` entry.
#[derive(Clone, Debug)]
pub struct Node {
    /// Unique name.
    pub name: At<String>,
    /// The signal, located at the `kind` key (or the table).
    pub signal: At<Signal>,
}

impl Node {
    /// Reads one `[[node]]` table.
    pub fn parse(t: &mut TableReader<'_>, names: &mut Names) -> Result<Self, SpecError> {
        let name = t.str("name")?.required(t, "name")?;
        names.claim("population", &name)?;
        let kind = t
            .str("kind")?
            .unwrap_or_else(|| t.default("kind", "constant".to_string()));
        one_of(&kind, "node kind", &KINDS)?;
        let obj = &name.value;
        let signal = match kind.value.as_str() {
            "constant" => Signal::Constant(vector(t, "value")?.required(t, "value")?.value),
            "step" => {
                let at = t.f64("at")?.required(t, "at")?.value;
                let after = vector(t, "after")?.required(t, "after")?;
                let before = match vector(t, "before")? {
                    Some(b) if b.value.len() != after.value.len() => {
                        return Err(b.error(ErrorKind::Invalid(format!(
                            "{} values; `after` has {}",
                            b.value.len(),
                            after.value.len()
                        ))));
                    }
                    Some(b) => b.value,
                    None => vec![0.0; after.value.len()],
                };
                Signal::Step {
                    at,
                    before,
                    after: after.value,
                }
            }
            "piecewise" => {
                let table = matrix(t, "table")?.required(t, "table")?;
                if table.value[0].len() < 2 {
                    return Err(table.error(ErrorKind::Invalid(
                        "rows are [time, value, …]: need at least 2 columns".into(),
                    )));
                }
                let times: Vec<f64> = table.value.iter().map(|r| r[0]).collect();
                if times.windows(2).any(|w| w[1] <= w[0]) {
                    return Err(table.error(ErrorKind::Invalid(
                        "times (first column) must be strictly increasing".into(),
                    )));
                }
                Signal::Piecewise {
                    times,
                    values: table.value.iter().map(|r| r[1..].to_vec()).collect(),
                }
            }
            "sine" => {
                let freq = t.f64("freq")?.required(t, "freq")?.value;
                let amplitude = vector(t, "amplitude")?.map_or_else(|| vec![1.0], |a| a.value);
                let d = amplitude.len();
                let mut per_dim = |key: &'static str| -> Result<Vec<f64>, SpecError> {
                    match vector(t, key)? {
                        None => Ok(vec![0.0; d]),
                        Some(v) if v.value.len() == 1 => Ok(vec![v.value[0]; d]),
                        Some(v) if v.value.len() == d => Ok(v.value),
                        Some(v) => Err(v.error(ErrorKind::Invalid(format!(
                            "{} values; `amplitude` has {d}",
                            v.value.len()
                        )))),
                    }
                };
                let phase = per_dim("phase")?;
                let offset = per_dim("offset")?;
                Signal::Sine {
                    freq,
                    amplitude,
                    phase,
                    offset,
                }
            }
            "white_noise" => {
                let high = t.f64("high")?.required(t, "high")?;
                let period = t
                    .f64("period")?
                    .unwrap_or_else(|| t.default("period", 10.0))
                    .positive_time()?;
                let nf = high.value * period.value;
                let high = high.check(
                    |_| (1.0..=1e6).contains(&nf),
                    &format!("Hz: need 1 ≤ high·period ≤ 1e6 (high·period = {nf})"),
                )?;
                let rms = t
                    .f64("rms")?
                    .unwrap_or_else(|| t.default("rms", 0.5))
                    .check(|r| r >= 0.0, "must be ≥ 0")?;
                let dims = t
                    .u64("dimensions")?
                    .unwrap_or_else(|| t.default("dimensions", 1));
                if dims.value == 0 || dims.value > 4096 {
                    return Err(dims.error(ErrorKind::OutOfRange {
                        value: dims.value.to_string(),
                        msg: "must be between 1 and 4096".into(),
                    }));
                }
                Signal::WhiteNoise {
                    period: period.value,
                    high: high.value,
                    rms: rms.value,
                    dims: dims.value as usize,
                    seed: t.u64("seed")?.map(|s| s.value),
                }
            }
            _ => {
                let texts = strings(t, "expr")?.required(t, "expr")?;
                let exprs = texts
                    .value
                    .iter()
                    .map(|s| Expr::parse(s, 0, true, obj, "expr"))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| texts.error(ErrorKind::Invalid(expr_message(&e))))?;
                Signal::Expr(exprs)
            }
        };
        t.finish()?;
        Ok(Self {
            signal: kind.map(|_| signal),
            name,
        })
    }
}

/// The part of an NEF expression error after its object and key.
pub fn expr_message(e: &models::NefError) -> String {
    match e {
        models::NefError::Expr { expr, pos, msg, .. } => {
            format!("expression `{expr}`: {msg} (at character {pos})")
        }
        other => other.to_string(),
    }
}

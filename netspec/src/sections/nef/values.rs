//! Value shapes the NEF sections read beyond the reader's scalars: vectors (`1.0` or
//! `[1.0, 2.0]`), matrices (`[[1, 0], [0, 1]]`), one string or several, per-neuron parameters
//! (a constant, a distribution or one value per neuron) and synapses.

use models::synapse::Synapse;

use crate::error::{ErrorKind, SpecError, closest};
use crate::param::{Param, read_param};
use crate::reader::{At, Required, TableReader};
use crate::tree::{Node, Value};

fn wrong(t: &TableReader<'_>, key: &str, n: &Node, expected: &'static str) -> SpecError {
    SpecError::new(
        t.sources().origin(n.loc),
        t.key_path(key),
        ErrorKind::WrongType {
            expected,
            found: n.value.type_name(),
        },
    )
}

/// Numbers of an array node (each finite).
fn numbers(t: &TableReader<'_>, key: &str, items: &[Node]) -> Result<Vec<f64>, SpecError> {
    items
        .iter()
        .map(|x| t.number(key, x).map(|a| a.value))
        .collect()
}

/// `key` as a vector: a number (one value) or an array of numbers.
pub fn vector(
    t: &mut TableReader<'_>,
    key: &'static str,
) -> Result<Option<At<Vec<f64>>>, SpecError> {
    let Some(n) = t.node(key) else {
        return Ok(None);
    };
    let v = match &n.value {
        Value::Int(_) | Value::Float(_) => vec![t.number(key, n)?.value],
        Value::Array(items) if !items.is_empty() => numbers(t, key, items)?,
        _ => return Err(wrong(t, key, n, "a number or a non-empty array of numbers")),
    };
    Ok(Some(t.at(key, n, v)))
}

/// `key` as a matrix: an array of rows, each an array of numbers (a row may be a bare number
/// for one-column matrices). Rows must have equal lengths.
pub fn matrix(
    t: &mut TableReader<'_>,
    key: &'static str,
) -> Result<Option<At<Vec<Vec<f64>>>>, SpecError> {
    let Some(n) = t.node(key) else {
        return Ok(None);
    };
    let Value::Array(rows) = &n.value else {
        return Err(wrong(t, key, n, "an array of rows (arrays of numbers)"));
    };
    if rows.is_empty() {
        return Err(t
            .at(key, n, ())
            .error(ErrorKind::Invalid("has no rows".into())));
    }
    let m = rows
        .iter()
        .map(|r| match &r.value {
            Value::Array(items) => numbers(t, key, items),
            Value::Int(_) | Value::Float(_) => Ok(vec![t.number(key, r)?.value]),
            _ => Err(wrong(t, key, r, "an array of numbers (one row)")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let at = t.at(key, n, m);
    let w = at.value[0].len();
    if let Some(i) = at.value.iter().position(|r| r.len() != w || r.is_empty()) {
        return Err(at.error(ErrorKind::Invalid(format!(
            "row {i} has {} values, row 0 has {w} (rows must be non-empty and of equal length)",
            at.value[i].len()
        ))));
    }
    Ok(Some(at))
}

/// `key` as one string or a non-empty array of strings.
pub fn strings(
    t: &mut TableReader<'_>,
    key: &'static str,
) -> Result<Option<At<Vec<String>>>, SpecError> {
    let Some(n) = t.node(key) else {
        return Ok(None);
    };
    let v = match &n.value {
        Value::Str(s) => vec![s.clone()],
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|x| match &x.value {
                Value::Str(s) => Ok(s.clone()),
                _ => Err(wrong(t, key, x, "a string")),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(wrong(t, key, n, "a string or an array of strings")),
    };
    Ok(Some(t.at(key, n, v)))
}

/// A per-neuron parameter: a constant or distribution ([`Param`]), or one value per neuron.
#[derive(Clone, Debug, PartialEq)]
pub enum PerNeuronParam {
    /// A constant or a distribution.
    Param(Param),
    /// One value per neuron.
    Values(Vec<f64>),
}

/// `key` as a [`PerNeuronParam`].
pub fn per_neuron(
    t: &mut TableReader<'_>,
    key: &'static str,
) -> Result<Option<At<PerNeuronParam>>, SpecError> {
    match t.node(key) {
        Some(n) if matches!(n.value, Value::Array(_)) => {
            Ok(vector(t, key)?.map(|a| a.map(|v| PerNeuronParam::Values(v.clone()))))
        }
        Some(_) => Ok(read_param(t, key)?.map(|a| a.map(|p| PerNeuronParam::Param(*p)))),
        None => Ok(None),
    }
}

/// The synapse kinds `synapse = {kind = …}` accepts.
pub const SYNAPSES: [&str; 3] = ["lowpass", "alpha", "none"];

/// `key` as a synapse: `0.005` (Lowpass τ, s), `"none"`, or `{kind = "lowpass"|"alpha", tau = …}`.
pub fn synapse(
    t: &mut TableReader<'_>,
    key: &'static str,
) -> Result<Option<At<Synapse>>, SpecError> {
    let Some(n) = t.node(key) else {
        return Ok(None);
    };
    let positive = |a: At<f64>| a.check(|x| x > 0.0, "must be > 0 (a time constant, in s)");
    let s = match &n.value {
        Value::Int(_) | Value::Float(_) => Synapse::Lowpass(positive(t.number(key, n)?)?.value),
        Value::Str(s) if s == "none" => Synapse::None,
        Value::Str(s) => {
            return Err(t.at(key, n, ()).error(ErrorKind::Invalid(format!(
                "`{s}` is not a synapse: give a time constant in s (Lowpass), \"none\", or \
                 {{kind = \"alpha\", tau = 0.005}}"
            ))));
        }
        Value::Table(_) => {
            let mut r = TableReader::new(t.sources(), n, &t.key_path(key))?;
            let kind = r
                .str("kind")?
                .unwrap_or_else(|| r.default("kind", "lowpass".into()));
            let s = match kind.value.as_str() {
                "none" => Synapse::None,
                "lowpass" | "alpha" => {
                    let tau = positive(r.f64("tau")?.required(&r, "tau")?)?.value;
                    if kind.value == "alpha" {
                        Synapse::Alpha(tau)
                    } else {
                        Synapse::Lowpass(tau)
                    }
                }
                other => {
                    return Err(kind.error(ErrorKind::Invalid(format!(
                        "unknown synapse `{other}` (known: {}){}",
                        SYNAPSES.join(", "),
                        closest(other, SYNAPSES)
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default()
                    ))));
                }
            };
            r.finish()?;
            s
        }
        _ => {
            return Err(wrong(
                t,
                key,
                n,
                "a time constant, \"none\" or a synapse table",
            ));
        }
    };
    Ok(Some(t.at(key, n, s)))
}

/// `value` must be one of `known`; the error suggests the closest.
pub fn one_of(value: &At<String>, what: &str, known: &[&str]) -> Result<(), SpecError> {
    if known.contains(&value.value.as_str()) {
        return Ok(());
    }
    Err(value.error(ErrorKind::Invalid(format!(
        "unknown {what} `{}` (known: {}){}",
        value.value,
        known.join(", "),
        closest(&value.value, known.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default()
    ))))
}

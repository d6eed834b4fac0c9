//! What a check returns: cases, each with metrics compared against limits.
//!
//! JSON (the `spikesim validate --json` contract):
//! `{"name": "lif", "passed": true, "metrics": {"<case>/<metric>": value, …},
//!   "limits": {"<case>/<metric>": limit, …}, "cases": [{"name", "passed", "metrics": [{"name",
//!   "value", "limit", "cmp", "passed"}]}], "plots": ["…png"]}`.
//! Non-finite values are written as JSON `null` (and fail their limit).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

/// How a metric's value is compared with its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Cmp {
    /// Passes when `value ≤ limit`.
    #[serde(rename = "<=")]
    AtMost,
    /// Passes when `value ≥ limit`.
    #[serde(rename = ">=")]
    AtLeast,
}

/// One measured figure, with the limit it must meet (or none: informational).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metric {
    /// Name, e.g. `max_abs_rate_error_hz`.
    pub name: String,
    /// Measured value.
    pub value: f64,
    /// Acceptance limit (None: reported only).
    pub limit: Option<f64>,
    /// How `value` is compared with `limit`.
    pub cmp: Cmp,
    /// Whether the acceptance holds (true for informational metrics).
    pub passed: bool,
}

impl Metric {
    /// A metric that must satisfy `value ≤ limit` (NaN fails).
    pub fn at_most(name: &str, value: f64, limit: f64) -> Self {
        Self {
            name: name.to_string(),
            value,
            limit: Some(limit),
            cmp: Cmp::AtMost,
            passed: value <= limit,
        }
    }

    /// A metric that must satisfy `value ≥ limit` (NaN fails).
    pub fn at_least(name: &str, value: f64, limit: f64) -> Self {
        Self {
            name: name.to_string(),
            value,
            limit: Some(limit),
            cmp: Cmp::AtLeast,
            passed: value >= limit,
        }
    }

    /// A reported figure without acceptance limit.
    pub fn info(name: &str, value: f64) -> Self {
        Self {
            name: name.to_string(),
            value,
            limit: None,
            cmp: Cmp::AtMost,
            passed: true,
        }
    }
}

/// One case of a check (one parameter set).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Case {
    /// Case name, e.g. `tau_rc=0.02,tau_ref=0.002,dt=1e-3`.
    pub name: String,
    /// Whether every metric of the case passed.
    pub passed: bool,
    /// Metrics, in report order.
    pub metrics: Vec<Metric>,
}

impl Case {
    /// A case from its metrics (passed when all pass).
    pub fn new(name: &str, metrics: Vec<Metric>) -> Self {
        Self {
            name: name.to_string(),
            passed: metrics.iter().all(|m| m.passed),
            metrics,
        }
    }
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckResult {
    /// Check name (as given on the command line).
    pub name: String,
    /// Whether every case passed.
    pub passed: bool,
    /// Flattened metrics, `"<case>/<metric>" → value` (the JSON contract's `metrics`).
    pub metrics: BTreeMap<String, Option<f64>>,
    /// Flattened limits, `"<case>/<metric>" → limit`, for metrics that have one.
    pub limits: BTreeMap<String, f64>,
    /// The cases in detail.
    pub cases: Vec<Case>,
    /// Plot files written.
    pub plots: Vec<PathBuf>,
}

impl CheckResult {
    /// A result from its cases and the plots written.
    pub fn new(name: &str, cases: Vec<Case>, plots: Vec<PathBuf>) -> Self {
        let mut metrics = BTreeMap::new();
        let mut limits = BTreeMap::new();
        for c in &cases {
            for m in &c.metrics {
                let key = format!("{}/{}", c.name, m.name);
                metrics.insert(key.clone(), m.value.is_finite().then_some(m.value));
                if let Some(l) = m.limit {
                    limits.insert(key, l);
                }
            }
        }
        Self {
            name: name.to_string(),
            passed: !cases.is_empty() && cases.iter().all(|c| c.passed),
            metrics,
            limits,
            cases,
            plots,
        }
    }

    /// Table rows: (check, case, metric, value, limit, PASS/FAIL/"").
    pub fn rows(&self) -> Vec<[String; 6]> {
        let mut out = Vec::new();
        for c in &self.cases {
            for m in &c.metrics {
                let limit = match (m.limit, m.cmp) {
                    (None, _) => String::new(),
                    (Some(l), Cmp::AtMost) => format!("≤ {}", fmt_num(l)),
                    (Some(l), Cmp::AtLeast) => format!("≥ {}", fmt_num(l)),
                };
                let verdict = match (m.limit, m.passed) {
                    (None, _) => "",
                    (Some(_), true) => "PASS",
                    (Some(_), false) => "FAIL",
                };
                out.push([
                    self.name.clone(),
                    c.name.clone(),
                    m.name.clone(),
                    fmt_num(m.value),
                    limit,
                    verdict.to_string(),
                ]);
            }
        }
        out
    }
}

/// `max` that propagates NaN (a NaN error must fail the acceptance, not vanish).
pub fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// A number for the table: integers as integers, others with 4 significant digits (trailing
/// zeros dropped).
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == v.trunc() && v.abs() < 1e12 {
        return format!("{v:.0}");
    }
    let a = v.abs();
    if (1e-3..1e5).contains(&a) {
        let digits = (3 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.digits$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        format!("{v:.3e}")
    }
}

/// Renders results as an aligned text table with a header row.
pub fn table(results: &[CheckResult]) -> String {
    let header = ["check", "case", "metric", "value", "limit", "result"].map(String::from);
    let rows: Vec<[String; 6]> = std::iter::once(header)
        .chain(results.iter().flat_map(CheckResult::rows))
        .collect();
    let mut width = [0usize; 6];
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut s = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(width)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    s
}

/// The `--json` document: `{"checks": [...]}`.
pub fn to_json(results: &[CheckResult]) -> serde_json::Value {
    serde_json::json!({ "checks": results })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_decide_pass_and_nan_fails() {
        assert!(Metric::at_most("a", 1.0, 1.0).passed);
        assert!(!Metric::at_most("a", 1.1, 1.0).passed);
        assert!(!Metric::at_most("a", f64::NAN, 1.0).passed);
        assert!(Metric::at_least("a", 2.0, 1.0).passed);
        assert!(!Metric::at_least("a", f64::NAN, 1.0).passed);
        let c = Case::new(
            "c",
            vec![Metric::info("i", 5.0), Metric::at_most("e", 2.0, 1.0)],
        );
        assert!(!c.passed);
        let r = CheckResult::new("x", vec![c], vec![]);
        assert!(!r.passed);
        assert!(!CheckResult::new("empty", vec![], vec![]).passed);
    }

    #[test]
    fn json_and_table_follow_the_contract() {
        let r = CheckResult::new(
            "lif",
            vec![Case::new(
                "dt=1e-3",
                vec![
                    Metric::at_most("err", 0.05, 0.2),
                    Metric::info("n", f64::NAN),
                ],
            )],
            vec![],
        );
        let j = to_json(std::slice::from_ref(&r));
        let c = &j["checks"][0];
        assert_eq!(c["name"], "lif");
        assert_eq!(c["passed"], true);
        assert_eq!(c["metrics"]["dt=1e-3/err"], 0.05);
        assert!(c["metrics"]["dt=1e-3/n"].is_null());
        assert_eq!(c["limits"]["dt=1e-3/err"], 0.2);
        assert_eq!(c["cases"][0]["metrics"][0]["cmp"], "<=");
        let t = table(&[r]);
        assert!(t.lines().next().unwrap().starts_with("check"));
        let row: Vec<&str> = t.lines().nth(1).unwrap().split_whitespace().collect();
        assert_eq!(
            row,
            ["lif", "dt=1e-3", "err", "0.05", "≤", "0.2", "PASS"],
            "{t}"
        );
        assert!(t.contains("PASS"));
        assert_eq!(fmt_num(0.051234), "0.05123");
        assert_eq!(fmt_num(12.0), "12");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(1234.5678), "1235");
        assert_eq!(fmt_num(1.5e-7), "1.500e-7");
    }
}

//! `[[connection]]`: an NEF connection from a node, an ensemble (decoded, with a function) or
//! an ensemble's neurons (`"a.neurons"`) to an ensemble or its neurons, through a synapse and a
//! transform; run factored by [`models::connection::Connection`]. A connection may learn
//! (`learning_rule = {kind = "pes" | "voja", …}`, Nengo's `learning_rule_type`), and a
//! connection may target the rule of another (`post = "<connection>.learning_rule"`).

use models::connection::Transform;
use models::learning::LearningRule;
use models::solver::{LstsqL2, Method};
use models::synapse::{Synapse, SynapseForm};

use super::values::{matrix, one_of, strings, synapse};
use crate::error::{ErrorKind, SpecError};
use crate::reader::{At, Required, TableReader};
use crate::sections::Names;
use crate::tree::Value;

/// Decoder solve methods (`solver = "…"`), all Nengo's `LstsqL2`.
pub const SOLVERS: [&str; 4] = ["auto", "cholesky", "svd", "cg"];
/// Synapse discretisations (`form = "…"`).
pub const FORMS: [&str; 2] = ["nengo", "exact"];
/// Learning rules (`learning_rule = {kind = "…"}`).
pub const LEARNING_RULES: [&str; 2] = ["pes", "voja"];
/// Suffix of a target that is a connection's learning rule (Nengo's `conn.learning_rule`).
pub const RULE_SUFFIX: &str = ".learning_rule";

/// The function a connection decodes, as written.
#[derive(Clone, Debug, PartialEq)]
pub enum FunctionText {
    /// One expression of `x` per output dimension.
    Exprs(Vec<String>),
    /// Sampled: points (rows of d values) and values (rows of k values).
    Table {
        /// Input points.
        points: Vec<Vec<f64>>,
        /// Function values at the points.
        values: Vec<Vec<f64>>,
    },
}

/// A validated `[[connection]]` entry.
#[derive(Clone, Debug)]
pub struct Connection {
    /// Name (given, or `"<pre>-><post>"`).
    pub name: At<String>,
    /// Source: a node, an ensemble, or `"<ensemble>.neurons"`.
    pub pre: At<String>,
    /// Target: an ensemble or `"<ensemble>.neurons"`.
    pub post: At<String>,
    /// Decoded function (identity when absent).
    pub function: Option<At<FunctionText>>,
    /// Transform: a scalar or a matrix (rows = output dimensions).
    pub transform: Option<At<Transform>>,
    /// Synapse (default Lowpass 5 ms).
    pub synapse: At<Synapse>,
    /// Decoder solve method.
    pub solver: At<Method>,
    /// Regularisation (relative to the largest rate).
    pub reg: At<f64>,
    /// Synapse discretisation.
    pub form: At<SynapseForm>,
    /// Learning rule (PES on the decoders, Voja on the target's encoders).
    pub learning: Option<At<LearningRule>>,
    /// Whether `name` was written (a connection whose rule is targeted needs one).
    pub named: bool,
}

impl Connection {
    /// Reads one `[[connection]]` table.
    pub fn parse(t: &mut TableReader<'_>, names: &mut Names) -> Result<Self, SpecError> {
        let pre = t.str("pre")?.required(t, "pre")?;
        let post = t.str("post")?.required(t, "post")?;
        let given = t.str("name")?;
        let named = given.is_some();
        let name = match given {
            Some(n) => {
                names.claim("connection", &n)?;
                n
            }
            None => t.default("name", format!("{}->{}", pre.value, post.value)),
        };
        let function = read_function(t)?;
        let transform = match t.node("transform") {
            None => None,
            Some(n) if matches!(n.value, Value::Array(_)) => {
                let m = matrix(t, "transform")?.required(t, "transform")?;
                let (rows, cols) = (m.value.len(), m.value[0].len());
                Some(m.map(|v| Transform::Matrix {
                    rows,
                    cols,
                    values: v.concat(),
                }))
            }
            Some(n) => Some(t.number("transform", n)?.map(|&c| Transform::Scalar(c))),
        };
        let synapse =
            synapse(t, "synapse")?.unwrap_or_else(|| t.default("synapse", Synapse::Default));
        let solver = t
            .str("solver")?
            .unwrap_or_else(|| t.default("solver", "auto".to_string()));
        one_of(&solver, "solver", &SOLVERS)?;
        let solver = solver.map(|s| Method::parse(s).unwrap_or(Method::Auto));
        let reg = t
            .f64("reg")?
            .unwrap_or_else(|| t.default("reg", LstsqL2::default().reg))
            .check(|r| r >= 0.0, "must be ≥ 0")?;
        let form = t
            .str("form")?
            .unwrap_or_else(|| t.default("form", "nengo".to_string()));
        one_of(&form, "synapse form", &FORMS)?;
        let form = form.map(|f| {
            if f == "exact" {
                SynapseForm::Exact
            } else {
                SynapseForm::Nengo
            }
        });
        let learning = read_learning(t)?;
        t.finish()?;
        Ok(Self {
            learning,
            named,
            name,
            pre,
            post,
            function,
            transform,
            synapse,
            solver,
            reg,
            form,
        })
    }

    /// The location of `key` of this connection (for errors the NEF builder reports).
    pub fn locate(&self, key: &str) -> Option<crate::error::Origin> {
        let origin = match key {
            "pre" => &self.pre.origin,
            "post" => &self.post.origin,
            "function" => &self.function.as_ref()?.origin,
            "transform" => &self.transform.as_ref()?.origin,
            "synapse" => &self.synapse.origin,
            "solver" => &self.solver.origin,
            "learning" | "learning_rate" | "pre_synapse" | "post_synapse" => {
                &self.learning.as_ref()?.origin
            }
            _ => return None,
        };
        Some(origin.clone())
    }
}

/// `learning_rule = {kind = "pes", learning_rate = 1e-4, pre_synapse = 0.005}` or
/// `{kind = "voja", learning_rate = 1e-2, post_synapse = 0.005}` (Nengo's names and defaults).
fn read_learning(t: &mut TableReader<'_>) -> Result<Option<At<LearningRule>>, SpecError> {
    let Some(n) = t.node("learning_rule") else {
        return Ok(None);
    };
    let mut r = TableReader::new(t.sources(), n, &t.key_path("learning_rule"))?;
    let kind = r.str("kind")?.required(&r, "kind")?;
    one_of(&kind, "learning rule", &LEARNING_RULES)?;
    let pes = kind.value == "pes";
    let default = if pes {
        LearningRule::pes()
    } else {
        LearningRule::voja()
    };
    let (default_rate, default_synapse) = match default {
        LearningRule::Pes {
            learning_rate,
            pre_synapse,
        } => (learning_rate, pre_synapse),
        LearningRule::Voja {
            learning_rate,
            post_synapse,
        } => (learning_rate, post_synapse),
    };
    let rate = r.f64("learning_rate")?.map_or(Ok(default_rate), |a| {
        a.check(|x| x >= 0.0, "must be ≥ 0").map(|a| a.value)
    })?;
    let (synapse_key, other) = if pes {
        ("pre_synapse", "post_synapse")
    } else {
        ("post_synapse", "pre_synapse")
    };
    if let Some(n) = r.node(other) {
        return Err(r.at(other, n, ()).error(ErrorKind::Invalid(format!(
            "`{}` takes `{synapse_key}`, not `{other}`",
            kind.value
        ))));
    }
    let syn = synapse(&mut r, synapse_key)?.map_or(default_synapse, |s| s.value);
    r.finish()?;
    let rule = if pes {
        LearningRule::Pes {
            learning_rate: rate,
            pre_synapse: syn,
        }
    } else {
        LearningRule::Voja {
            learning_rate: rate,
            post_synapse: syn,
        }
    };
    Ok(Some(t.at("learning_rule", n, rule)))
}

/// `function = "x**2"`, `["x[0]*x[1]", …]` or `{points = [[…], …], values = [[…], …]}`.
fn read_function(t: &mut TableReader<'_>) -> Result<Option<At<FunctionText>>, SpecError> {
    match t.node("function") {
        None => Ok(None),
        Some(n) if matches!(n.value, Value::Table(_)) => {
            let mut r = TableReader::new(t.sources(), n, &t.key_path("function"))?;
            let points = matrix(&mut r, "points")?.required(&r, "points")?;
            let values = matrix(&mut r, "values")?.required(&r, "values")?;
            r.finish()?;
            if points.value.len() != values.value.len() {
                return Err(values.error(ErrorKind::Invalid(format!(
                    "{} rows of values for {} points",
                    values.value.len(),
                    points.value.len()
                ))));
            }
            Ok(Some(t.at(
                "function",
                n,
                FunctionText::Table {
                    points: points.value,
                    values: values.value,
                },
            )))
        }
        Some(_) => Ok(strings(t, "function")?.map(|s| s.map(|v| FunctionText::Exprs(v.clone())))),
    }
}

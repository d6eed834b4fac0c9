//! The function a decoded connection computes: identity, expressions of `x`, or a table.

use crate::NefError;
use crate::ensemble::BuiltEnsemble;
use crate::expr::Expr;

/// What a decoded connection decodes from its ensemble.
#[derive(Clone, Debug, PartialEq)]
pub enum Function {
    /// `f(x) = x`.
    Identity,
    /// One expression of `x` per output dimension (e.g. `["x[0]*x[1]"]`).
    Exprs(Vec<Expr>),
    /// Sampled values: `points` (`m × d`, represented units) and `values` (`m × k`); the
    /// decoders are solved at exactly these points.
    Table {
        /// Input points, `m × d` row-major.
        points: Vec<f64>,
        /// Function values, `m × k` row-major.
        values: Vec<f64>,
        /// Output dimensions k.
        dims: usize,
    },
}

impl Function {
    /// Output dimensions for an input of `d` dimensions.
    pub fn dims(&self, d: usize) -> usize {
        match self {
            Function::Identity => d,
            Function::Exprs(e) => e.len(),
            Function::Table { dims, .. } => *dims,
        }
    }

    /// Short description (for summaries and cache keys).
    pub fn describe(&self) -> String {
        match self {
            Function::Identity => "identity".into(),
            Function::Exprs(e) => e.iter().map(Expr::text).collect::<Vec<_>>().join("; "),
            Function::Table { points, dims, .. } => {
                format!("table of {} points → {dims}-D", points.len())
            }
        }
    }

    /// Evaluates at one point `x`.
    pub fn eval(&self, x: &[f64], out: &mut [f64]) {
        match self {
            Function::Identity => out.copy_from_slice(x),
            Function::Exprs(e) => {
                for (o, e) in out.iter_mut().zip(e) {
                    *o = e.eval(x, 0.0);
                }
            }
            Function::Table { .. } => unreachable!("tables are only evaluated at their own points"),
        }
    }

    /// The ensemble to solve with (its evaluation points replaced by a table's points) and
    /// the targets (`m × k` row-major). `object` names the connection in errors.
    pub fn targets(
        &self,
        ens: &BuiltEnsemble,
        object: &str,
    ) -> Result<(Option<BuiltEnsemble>, Vec<f64>), NefError> {
        let d = ens.dims;
        let k = self.dims(d);
        if k == 0 {
            return Err(NefError::invalid(
                object,
                "function",
                "has no output dimensions",
            ));
        }
        match self {
            Function::Table {
                points,
                values,
                dims,
            } => {
                if points.is_empty()
                    || points.len() % d != 0
                    || values.len() != points.len() / d * dims
                {
                    return Err(NefError::invalid(
                        object,
                        "function",
                        format!(
                            "table: {} point values and {} function values do not form m × {d} and m × {dims}",
                            points.len(),
                            values.len()
                        ),
                    ));
                }
                if points.iter().chain(values).any(|v| !v.is_finite()) {
                    return Err(NefError::invalid(
                        object,
                        "function",
                        "table values must be finite",
                    ));
                }
                let mut e = ens.clone();
                e.eval_points = points.clone();
                Ok((Some(e), values.clone()))
            }
            _ => {
                let mut y = vec![0.0; ens.n_eval_points() * k];
                for (x, out) in ens.eval_points.chunks(d).zip(y.chunks_mut(k)) {
                    self.eval(x, out);
                }
                if let Some(i) = y.iter().position(|v| !v.is_finite()) {
                    let p = &ens.eval_points[(i / k) * d..(i / k + 1) * d];
                    return Err(NefError::invalid(
                        object,
                        "function",
                        format!(
                            "`{}` is not finite at evaluation point {p:?}",
                            self.describe()
                        ),
                    ));
                }
                Ok((None, y))
            }
        }
    }
}

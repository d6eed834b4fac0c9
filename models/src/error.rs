//! Errors of the NEF layer.

use thiserror::Error;

/// An error raised while building or running an NEF model. Each variant names the object and
/// the key at fault.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NefError {
    /// A parameter of a named object is invalid.
    #[error("{object}: `{key}`: {msg}")]
    Invalid {
        /// The object (ensemble, node, connection, probe) at fault.
        object: String,
        /// The key (parameter name).
        key: String,
        /// What is wrong.
        msg: String,
    },
    /// A function expression could not be parsed or evaluated.
    #[error("{object}: `{key}`: expression `{expr}`: {msg} (at character {pos})")]
    Expr {
        /// The object the expression belongs to.
        object: String,
        /// The key holding the expression.
        key: String,
        /// The expression text.
        expr: String,
        /// 0-based character position of the problem.
        pos: usize,
        /// What is wrong.
        msg: String,
    },
    /// A decoder solve failed (e.g. the regularised Gram matrix is not positive definite).
    #[error("{object}: decoder solve failed: {msg}")]
    Solve {
        /// The connection or ensemble being solved.
        object: String,
        /// What failed.
        msg: String,
    },
    /// The engine rejected something built here.
    #[error(transparent)]
    Sim(#[from] simcore::SimError),
}

impl NefError {
    /// Shorthand for [`NefError::Invalid`].
    pub fn invalid(
        object: impl Into<String>,
        key: impl Into<String>,
        msg: impl Into<String>,
    ) -> Self {
        NefError::Invalid {
            object: object.into(),
            key: key.into(),
            msg: msg.into(),
        }
    }
}

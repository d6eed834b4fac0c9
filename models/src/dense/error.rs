//! Errors of the dense-layer module.

/// What went wrong building, training, loading or converting a dense network.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DenseError {
    /// A parameter is out of range; `object` names its owner, `key` the parameter.
    #[error("{object}: `{key}` = {value}: {msg}")]
    Param {
        /// Object at fault (a layer, the trainer, a data set).
        object: String,
        /// Parameter name.
        key: &'static str,
        /// Offending value, as text.
        value: String,
        /// What is expected.
        msg: String,
    },
    /// Shapes that must agree do not.
    #[error("{object}: shape mismatch: {msg}")]
    Shape {
        /// Object at fault.
        object: String,
        /// The shapes involved.
        msg: String,
    },
    /// An activation or loss name that is not known.
    #[error("unknown {kind} `{name}` (known: {known})")]
    UnknownName {
        /// "activation", "loss", "optimiser", "dataset".
        kind: &'static str,
        /// The name given.
        name: String,
        /// The accepted names.
        known: &'static str,
    },
    /// A data file could not be parsed.
    #[error("{path}{}: {msg}", if *line > 0 { format!(":{line}") } else { String::new() })]
    Data {
        /// File (or data set) name.
        path: String,
        /// 1-based line number (0 when not line-specific).
        line: usize,
        /// What is wrong.
        msg: String,
    },
    /// Training diverged (a non-finite loss or weight).
    #[error("training diverged at epoch {epoch}: {what}")]
    Diverged {
        /// Epoch (1-based).
        epoch: usize,
        /// What became non-finite.
        what: String,
    },
    /// An error from the simulation engine.
    #[error(transparent)]
    Sim(#[from] simcore::SimError),
}

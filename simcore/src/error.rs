//! Errors of the engine.

use thiserror::Error;

/// An error raised while building or stepping the engine's objects.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SimError {
    /// A parameter is out of its valid range.
    #[error("{object}: parameter `{key}` = {value}: {msg}")]
    Param {
        /// Object (population, filter…) the parameter belongs to.
        object: String,
        /// Parameter name.
        key: &'static str,
        /// The offending value, formatted.
        value: String,
        /// What is wrong.
        msg: String,
    },
    /// The CPU cannot run this build.
    #[error("{0}")]
    Cpu(String),
    /// A state variable became non-finite during a run.
    #[error(
        "non-finite value in population `{population}`, neuron {neuron}, variable `{variable}` at t = {time} s"
    )]
    NonFinite {
        /// Population name.
        population: String,
        /// Neuron index within the population.
        neuron: usize,
        /// State variable name.
        variable: &'static str,
        /// Simulated time, in seconds.
        time: f64,
    },
    /// A component's state became non-finite during a run.
    #[error("non-finite value in `{component}` ({what}) at t = {time} s")]
    NonFiniteComponent {
        /// Component name.
        component: String,
        /// Which value, described.
        what: String,
        /// Simulated time, in seconds.
        time: f64,
    },
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {msg}")]
    Threads {
        /// Requested thread count.
        threads: usize,
        /// The reason.
        msg: String,
    },
}

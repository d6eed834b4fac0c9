//! # validation — spikesim's analytic and reference checks
//!
//! Each check lives in its own module and returns a [`CheckResult`]: cases, each with metrics
//! compared against acceptance limits, and the plots it wrote. [`CHECKS`] is the one registry
//! `spikesim validate` runs from; to add a check, write `src/<name>.rs` with a
//! `pub fn run(opts: &Options) -> Result<CheckResult, ValidationError>` and add one [`Check`]
//! line to [`CHECKS`].
//!
//! Shared pieces: [`report`] (result types, table and JSON rendering) and [`plot`] (PNG line
//! plots with the shipped font).
#![deny(missing_docs)]

pub mod dense;
pub mod hh;
pub mod learning;
pub mod learning_pes;
pub mod lif;
pub mod nef;
pub mod nef_fixture;
pub mod nengo_setups;
pub mod networks;
pub mod plot;
pub mod psc;
pub mod report;

use std::path::{Path, PathBuf};

pub use report::{Case, CheckResult, Cmp, Metric};
use thiserror::Error;

/// Settings shared by every check.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Reduced version for the test suite (fewer cases, shorter runs; still able to fail).
    pub quick: bool,
    /// Worker threads for the simulations a check runs (0: one per core). Checks that compare
    /// thread counts choose their own.
    pub threads: usize,
    /// Directory to write PNG plots into (None: no plots).
    pub plots: Option<PathBuf>,
    /// Reference fixture file for checks that take one (`nef-fixture`; None: the shipped one).
    pub fixture: Option<PathBuf>,
}

impl Options {
    /// The path of plot `file` when plots are requested.
    pub fn plot_path(&self, file: &str) -> Option<PathBuf> {
        self.plots.as_deref().map(|d: &Path| d.join(file))
    }

    /// `quick()` under `--quick` (the test-suite variant of a check), `full()` otherwise.
    pub fn pick<T>(&self, quick: impl FnOnce() -> T, full: impl FnOnce() -> T) -> T {
        if self.quick { quick() } else { full() }
    }
}

/// An error that prevented a check from producing a result (a failed acceptance is not an
/// error: it is a result with `passed == false`).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The engine rejected a setting or a run failed.
    #[error("check `{check}`: {source}")]
    Sim {
        /// Check name.
        check: &'static str,
        /// The engine error.
        source: simcore::SimError,
    },
    /// A plot could not be written.
    #[error("check `{check}`: {source}")]
    Plot {
        /// Check name.
        check: &'static str,
        /// The plotting error.
        source: plot::PlotError,
    },
    /// An NEF model could not be built or run.
    #[error("check `{check}`: {msg}")]
    Model {
        /// Check name.
        check: &'static str,
        /// What failed.
        msg: String,
    },
    /// A reference file could not be read or parsed.
    #[error("check `{check}`: reference data {path}: {msg}")]
    Reference {
        /// Check name.
        check: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
}

/// A registered check.
#[derive(Clone, Copy, Debug)]
pub struct Check {
    /// Name on the command line and in JSON.
    pub name: &'static str,
    /// One-line description for `--help` and listings.
    pub about: &'static str,
    /// Runs the check.
    pub run: fn(&Options) -> Result<CheckResult, ValidationError>,
}

/// Every check, in the order `validate all` runs them.
pub const CHECKS: &[Check] = &[
    Check {
        name: "lif",
        about: "LIF rates vs the analytic G(J) over a J sweep; SIMD vs scalar; 1 vs 2 threads",
        run: lif::run,
    },
    Check {
        name: "networks",
        about: "CUBA and Brunel (2000) regimes: rates, ISI CV, synchrony vs NEST/Brian2 and the literature",
        run: networks::run,
    },
    Check {
        name: "learning",
        about: "STDP pair window and Song et al. 2000 bimodal weights; Oja eigenvector; BCM selectivity; PES channel vs Nengo",
        run: learning::run,
    },
    Check {
        name: "hh",
        about: "Hodgkin-Huxley f-I curve, rheobase, waveform and spike times vs an f64 small-step reference",
        run: hh::run,
    },
    Check {
        name: "psc",
        about: "PSC filters: impulse response, area, convergence order, Poisson train vs closed forms; Nengo recursions",
        run: psc::run,
    },
    Check {
        name: "nef-fixture",
        about: "Nengo 4.1 exactness: fixture's own parameters → spike counts, decoded output, re-solved decoders",
        run: nef_fixture::run,
    },
    Check {
        name: "nef",
        about: "NEF vs Nengo 4.1: comm channel, x², product, integrators, oscillator, solver RMSE (5 seeds)",
        run: nef::run,
    },
    Check {
        name: "dense",
        about: "dense rate nets: gradient checks, XOR/spirals/circles/digits accuracy, autoencoder, Hopfield capacity, spiking conversion",
        run: dense::run,
    },
];

/// The check named `name`.
pub fn find(name: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.name == name)
}

/// Names of all checks.
pub fn names() -> Vec<&'static str> {
    CHECKS.iter().map(|c| c.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_are_unique_and_found() {
        let n = names();
        let mut sorted = n.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), n.len());
        for name in n {
            assert_eq!(find(name).unwrap().name, name);
        }
        assert!(find("no-such-check").is_none());
    }
}

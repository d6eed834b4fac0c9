//! `[simulation]`: time step, duration, seed, threads.

use crate::error::{ErrorKind, SpecError};
use crate::reader::{At, Required, TableReader};

/// Default time step, s (NEST's and Brian2's 0.1 ms).
pub const DEFAULT_DT: f64 = 1e-4;

/// The validated `[simulation]` table.
#[derive(Clone, Debug)]
pub struct Simulation {
    /// Time step, s.
    pub dt: At<f64>,
    /// Simulated duration, s.
    pub duration: At<f64>,
    /// Master seed of every random stream.
    pub seed: At<u64>,
    /// Worker threads (0: one per core).
    pub threads: At<u64>,
    /// Number of steps, `duration / dt` (a whole number).
    pub steps: u64,
}

/// Most worker threads a spec or `--threads` may ask for.
pub const MAX_THREADS: u64 = 4096;

/// Largest accepted number of steps (times stay exact as `step · dt` in f64 well below this).
const MAX_STEPS: f64 = 1e12;

impl Simulation {
    /// Reads `[simulation]`.
    pub fn parse(t: &mut TableReader<'_>) -> Result<Self, SpecError> {
        let dt = t
            .f64("dt")?
            .unwrap_or_else(|| t.default("dt", DEFAULT_DT))
            .positive_time()?;
        let duration = t
            .f64("duration")?
            .required(t, "duration")?
            .positive_time()?;
        let seed = t.u64("seed")?.unwrap_or_else(|| t.default("seed", 0));
        let threads = t.u64("threads")?.unwrap_or_else(|| t.default("threads", 0));
        if threads.value > MAX_THREADS {
            return Err(threads.error(ErrorKind::OutOfRange {
                value: threads.value.to_string(),
                msg: format!("must be ≤ {MAX_THREADS} (0: one per core)"),
            }));
        }
        t.finish()?;
        let ratio = duration.value / dt.value;
        let steps = ratio.round();
        if steps < 1.0 {
            return Err(duration.error(ErrorKind::OutOfRange {
                value: duration.value.to_string(),
                msg: format!("must be at least one step (dt = {:?} s)", dt.value),
            }));
        }
        if steps > MAX_STEPS {
            return Err(duration.error(ErrorKind::OutOfRange {
                value: duration.value.to_string(),
                msg: format!(
                    "needs {steps:e} steps of dt = {:?} s; at most {MAX_STEPS:e}",
                    dt.value
                ),
            }));
        }
        if (ratio - steps).abs() > 1e-6 * steps.max(1.0) {
            return Err(duration.error(ErrorKind::DurationNotMultiple {
                duration: duration.value,
                dt: dt.value,
                steps: ratio,
            }));
        }
        Ok(Self {
            dt,
            duration,
            seed,
            threads,
            steps: steps as u64,
        })
    }
}

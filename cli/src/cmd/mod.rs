//! The subcommands, one module each, and what they share: the outcome that becomes the exit
//! code, and writing files through a temporary name.

pub mod check;
pub mod eval;
pub mod inspect;
pub mod plot;
pub mod run;
pub mod train;
pub mod validate;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

/// Exit code of a validation or acceptance failure.
pub const EXIT_FAILED: u8 = 1;
/// Exit code of a usage or input error (also what `main` returns for any error).
pub const EXIT_USAGE: u8 = 2;

/// How a subcommand that ran to the end went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Everything passed.
    Ok,
    /// Ran, but an acceptance failed (exit code 1).
    Failed,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> Self {
        match s {
            Status::Ok => ExitCode::SUCCESS,
            Status::Failed => ExitCode::from(EXIT_FAILED),
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, renamed at the end,
/// so a failed write never leaves a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let tmp = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
    })
}

//! `spikesim validate [CHECK...|all] [--json FILE|-] [--plots DIR] [--quick] [--threads N]`:
//! runs checks from the `validation` registry, prints a table (check, case, metric, value,
//! limit, PASS/FAIL), optionally writes JSON and PNG plots; exit 1 when an acceptance fails.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use validation::report::{table, to_json};
use validation::{CheckResult, Options};

use super::{Status, write_atomic};

/// Options of `spikesim validate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  spikesim validate lif                      full LIF check (4 cases × 256 currents × 10 s)
  spikesim validate lif --plots plots/       same, with rate and error plots as PNG
  spikesim validate all --quick --json -     every check, reduced; JSON on stdout, table on stderr
  spikesim validate lif --json lif.json      JSON to a file
  spikesim validate nef-fixture --fixture other_seed.json   Nengo exactness on another fixture

JSON: {\"checks\":[{\"name\", \"passed\", \"metrics\":{\"<case>/<metric>\": value},
       \"limits\":{\"<case>/<metric>\": limit}, \"cases\":[...], \"plots\":[...]}]}")]
pub struct Args {
    /// Checks to run (`all` or omitted: every check).
    #[arg(value_name = "CHECK")]
    checks: Vec<String>,
    /// Write results as JSON to FILE (`-`: stdout; the table then goes to stderr).
    #[arg(long, value_name = "FILE|-")]
    json: Option<String>,
    /// Write PNG plots into DIR (created if missing).
    #[arg(long, value_name = "DIR")]
    plots: Option<PathBuf>,
    /// Reduced versions of the checks (seconds; still fail on wrong results).
    #[arg(long)]
    quick: bool,
    /// Worker threads for the simulations (0: one per core). Thread-comparison checks pick
    /// their own counts.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = crate::cmd::run::threads_arg)]
    threads: usize,
    /// Reference fixture for `nef-fixture` (default: the Nengo fixture shipped in the repo).
    #[arg(long, value_name = "FILE")]
    fixture: Option<PathBuf>,
}

/// The checks `names` asks for, in registry order for `all`/none, else in the order given.
fn select(names: &[String]) -> anyhow::Result<Vec<&'static validation::Check>> {
    if names.is_empty() || names.iter().any(|n| n == "all") {
        if names.len() > 1 {
            bail!("`all` cannot be combined with other check names");
        }
        return Ok(validation::CHECKS.iter().collect());
    }
    let mut out: Vec<&'static validation::Check> = Vec::new();
    for n in names {
        let Some(c) = validation::find(n) else {
            bail!(
                "unknown check `{n}`; known checks: {}, all",
                validation::names().join(", ")
            );
        };
        if !out.iter().any(|o| o.name == c.name) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Exit status for a set of results.
fn status(results: &[CheckResult]) -> Status {
    if results.iter().all(|r| r.passed) {
        Status::Ok
    } else {
        Status::Failed
    }
}

/// Runs `spikesim validate`.
pub fn run(args: Args) -> anyhow::Result<Status> {
    let checks = select(&args.checks)?;
    if let Some(dir) = &args.plots {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create plot directory {}", dir.display()))?;
    }
    let opts = Options {
        quick: args.quick,
        threads: args.threads,
        plots: args.plots.clone(),
        fixture: args.fixture.clone(),
    };
    let mut results = Vec::new();
    for c in checks {
        eprintln!(
            "validate {}: {}{}",
            c.name,
            c.about,
            if args.quick { " (quick)" } else { "" }
        );
        let t = Instant::now();
        let r = (c.run)(&opts)?;
        eprintln!(
            "validate {}: {} in {:.1} s",
            c.name,
            if r.passed { "passed" } else { "FAILED" },
            t.elapsed().as_secs_f64()
        );
        results.push(r);
    }
    let text = table(&results);
    let json_stdout = args.json.as_deref() == Some("-");
    if json_stdout {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
    for r in &results {
        for p in &r.plots {
            eprintln!("plot: {}", p.display());
        }
    }
    if let Some(dest) = &args.json {
        let doc = serde_json::to_string_pretty(&to_json(&results))?;
        if json_stdout {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{doc}").context("cannot write JSON to stdout")?;
        } else {
            write_atomic(std::path::Path::new(dest), format!("{doc}\n").as_bytes())?;
        }
    }
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.name.as_str())
        .collect();
    if failed.is_empty() {
        eprintln!("all {} check(s) passed", results.len());
    } else {
        eprintln!("FAILED: {}", failed.join(", "));
    }
    Ok(status(&results))
}

#[cfg(test)]
mod tests {
    use super::*;
    use validation::lif::LifCheck;

    #[test]
    fn selection_handles_all_unknown_and_duplicates() {
        assert_eq!(select(&[]).unwrap().len(), validation::CHECKS.len());
        assert_eq!(
            select(&["all".into()]).unwrap().len(),
            validation::CHECKS.len()
        );
        assert_eq!(select(&["lif".into(), "lif".into()]).unwrap().len(), 1);
        let e = select(&["nope".into()]).unwrap_err().to_string();
        assert!(
            e.contains("unknown check `nope`") && e.contains("lif"),
            "{e}"
        );
        assert!(select(&["all".into(), "lif".into()]).is_err());
    }

    #[test]
    fn a_failing_acceptance_gives_exit_status_failed() {
        let broken = LifCheck {
            drive_scale: 1.01,
            cases: LifCheck::quick().cases[..1].to_vec(),
            ..LifCheck::quick()
        };
        let r = broken.run(&Options::default()).unwrap();
        assert_eq!(status(&[r]), Status::Failed);
        let good = validation::lif::run(&Options {
            quick: true,
            ..Options::default()
        })
        .unwrap();
        assert_eq!(status(&[good]), Status::Ok);
    }
}

//! `spikesim`: the command-line simulator. This file only declares the subcommands and
//! dispatches; each subcommand lives in `cmd/<name>.rs`.

mod cmd;
mod crash;
mod output;
mod synapse_file;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  spikesim validate lif --plots plots/      LIF rates vs G(J), SIMD vs scalar, 1 vs 2 threads
  spikesim validate all --quick --json -    every check, reduced, JSON on stdout
  spikesim validate --help                  options of one subcommand
  spikesim run examples/lif_small.toml -o lif_small.h5   simulate a spec to a SONATA file
  spikesim check examples/lif_pop.toml      validate and build a spec, print what it holds
  spikesim inspect lif_small.h5             populations, spikes, rates, probes, provenance
  spikesim plot lif_small.h5 -o raster.png  raster + population rates + probe traces
  spikesim train examples/dense/digits.toml -o digits.h5   train a dense rate network
  spikesim eval digits.h5 digits            loss, accuracy, confusion matrix of a model
  spikesim train examples/dense/hopfield.toml   also: autoencoder, perceptron (training.model)

Exit codes: 0 ok, 1 validation/acceptance failure, 2 usage or input error.";

/// spikesim — a spiking neural network simulator (LIF, HH, NEF) with SIMD + rayon kernels.
#[derive(Debug, Parser)]
#[command(name = "spikesim", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run analytic and reference checks and report figures, limits and PASS/FAIL.
    Validate(cmd::validate::Args),
    /// Build, simulate and record a network spec to HDF5 (SONATA spikes).
    Run(cmd::run::Args),
    /// Validate and build a spec without simulating; print what would be built.
    Check(cmd::check::Args),
    /// Print populations, spike counts, rates, probes and provenance of an output file.
    Inspect(cmd::inspect::Args),
    /// Draw a spike raster, population rates and probe traces (PNG or SVG).
    Plot(cmd::plot::Args),
    /// Train a dense rate network (MLP, autoencoder, perceptron or Hopfield network) from a
    /// training spec; write the model to HDF5.
    Train(cmd::train::Args),
    /// Evaluate a trained model on data, or its spiking version on a run's spike file.
    Eval(cmd::eval::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = simcore::cpu::require_simd() {
        eprintln!("error: {e:#}");
        return ExitCode::from(cmd::EXIT_USAGE);
    }
    quiet_on_closed_pipe();
    let simulates = matches!(
        cli.command,
        Command::Run(_) | Command::Validate(_) | Command::Train(_) | Command::Eval(_)
    );
    if let Some(advice) = simcore::cpu::build_advice().filter(|_| simulates) {
        eprintln!("warning: {advice}");
    }
    let result = match cli.command {
        Command::Validate(args) => cmd::validate::run(args).map(ExitCode::from),
        Command::Run(args) => cmd::run::run(&args),
        Command::Check(args) => cmd::check::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Inspect(args) => {
            crash::guard_reading(&[&args.file]);
            cmd::inspect::run(&args).map(|()| ExitCode::SUCCESS)
        }
        Command::Plot(args) => {
            crash::guard_reading(&[&args.file]);
            cmd::plot::run(&args).map(|p| {
                println!("{}", p.display());
                ExitCode::SUCCESS
            })
        }
        Command::Train(args) => cmd::train::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Eval(args) => {
            crash::guard_reading(&[&args.model, std::path::Path::new(&args.data)]);
            cmd::eval::run(&args).map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(cmd::EXIT_USAGE)
        }
    }
}

/// Lets a closed standard output end the process as it ends other Unix tools (`spikesim
/// inspect out.h5 | head`): Rust ignores SIGPIPE, and printing then panics. Nothing is left
/// half-written under an output's name: files are written to a temporary name and renamed when
/// complete, and `run` prints only after that.
fn quiet_on_closed_pipe() {
    // SAFETY: restoring a signal's default disposition at start-up, before any thread exists.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

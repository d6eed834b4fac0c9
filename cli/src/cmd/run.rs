//! `spikesim run SPEC`: build, simulate, record to HDF5, summarise.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use netspec::{Network, Spec};

use crate::output::{Format, Recorder, RunInfo, Sorting, Status};

/// Spike ordering in the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SortArg {
    /// By spike time (streamed as the run goes; within a step, by node id).
    #[value(name = "by_time")]
    ByTime,
    /// By node id, times ascending within a node (re-sorted at the end, bounded memory).
    #[value(name = "by_id")]
    ById,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// SONATA spike file (libsonata, bmtk, bluepysnap, NEST).
    Sonata,
    /// NWB 2 file: a `/units` table with one unit per neuron (pynwb, Neo).
    Nwb,
}

/// Arguments of `spikesim run`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  spikesim run examples/lif_small.toml -o lif_small.h5\n  \
    spikesim run examples/lif_pop.toml --set population.lif_pop.size=100000 --threads 2\n  \
    spikesim run net.toml --seed 3 --duration 10 --sort by_id --quiet\n  \
    spikesim run examples/cuba.toml --format nwb -o cuba.nwb\n\n\
    Exit status: 0 when the run completed, 1 when it stopped on a runtime fault (what was \
    simulated is kept in OUT.partial.h5), 2 for spec/usage errors, 130 when interrupted by \
    Ctrl-C (also kept in OUT.partial.h5)."
)]
pub struct Args {
    /// The network spec (TOML).
    pub spec: PathBuf,
    /// Output file [default: the spec's name with .h5, in the current directory].
    #[arg(short, long, value_name = "OUT.h5")]
    pub output: Option<PathBuf>,
    /// Worker threads for the build and the simulation (0: one per core) [default: the spec's
    /// simulation.threads]. Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = threads_arg)]
    pub threads: Option<usize>,
    /// Master seed (shorthand for --set simulation.seed=S).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Simulated duration in seconds (shorthand for --set simulation.duration=SECS).
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,
    /// No progress bar and no summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Spike ordering in the output.
    #[arg(long, value_enum, default_value = "by_time")]
    pub sort: SortArg,
    /// Override a spec value by dotted key (repeatable): --set population.exc.size=800
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "sonata")]
    pub format: FormatArg,
    /// Solve every NEF decoder afresh, without reading or writing the decoder cache
    /// ($SPIKESIM_CACHE_DIR, else ~/.cache/spikesim/decoders; 256 MiB unless
    /// $SPIKESIM_CACHE_LIMIT_MB says otherwise).
    #[arg(long)]
    pub no_cache: bool,
}

/// Parses `--threads`: 0 (one per core) to [`netspec::sections::simulation::MAX_THREADS`].
pub fn threads_arg(s: &str) -> Result<usize, String> {
    use netspec::sections::simulation::MAX_THREADS;
    match s.parse::<u64>() {
        Ok(n) if n <= MAX_THREADS => Ok(n as usize),
        _ => Err(format!("expected 0 (one per core) to {MAX_THREADS}")),
    }
}

/// The decoder cache: the default location (see [`models::cache`]) unless `--no-cache`.
pub fn decoder_cache(no_cache: bool) -> models::cache::DecoderCache {
    if no_cache {
        models::cache::DecoderCache::disabled()
    } else {
        models::cache::DecoderCache::default_location()
    }
}

/// Runs the command.
pub fn run(args: &Args) -> Result<ExitCode> {
    let mut overrides = args.set.clone();
    if let Some(s) = args.seed {
        overrides.push(format!("simulation.seed={s}"));
    }
    if let Some(d) = args.duration {
        overrides.push(format!("simulation.duration={d:?}"));
    }
    let mut spec = Spec::load(&args.spec, &overrides)?;
    spec.synapse_reader = Some(crate::synapse_file::read);
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.spec));
    let t_build = Instant::now();
    let threads = args
        .threads
        .unwrap_or(spec.simulation.threads.value as usize);
    let cache = decoder_cache(args.no_cache);
    let mut net = spec.build_cached(threads, &cache)?;
    let build_time = t_build.elapsed();
    let format = match args.format {
        FormatArg::Sonata => Format::Sonata,
        FormatArg::Nwb => Format::Nwb,
    };
    // NWB's units table holds each unit's spikes together, ascending: by id whatever --sort.
    let sorting = match (format, args.sort) {
        (Format::Sonata, SortArg::ByTime) => Sorting::ByTime,
        (Format::Sonata, SortArg::ById) | (Format::Nwb, _) => Sorting::ById,
    };
    let mut rec = Recorder::create(&out, &net, format, sorting)?;

    let stop = interrupt_flag();
    let show = !args.quiet && std::io::stderr().is_terminal();
    let mut progress = Progress::new(show, net.steps, spec.simulation.dt.value);
    let t_sim = Instant::now();
    let status = simulate(&mut net, &mut rec, &stop, &mut progress)?;
    let sim_time = t_sim.elapsed();
    progress.finish();
    let steps_done = net.simulator.steps_done();
    let counts = rec.spike_counts();
    let path = rec
        .finish(&RunInfo {
            spec: &spec,
            network: &net,
            steps_done,
            status: status.clone(),
            sorting: sorting.name(),
        })
        .context("cannot write the output file")?;
    let simulated = steps_done as f64 * spec.simulation.dt.value;
    if !args.quiet {
        summary(
            &net,
            &counts,
            simulated,
            build_time,
            sim_time,
            &format!("{} ({}, {})", path.display(), format.name(), sorting.name()),
        );
        nef_summary(&net, &cache);
    }
    Ok(match status {
        Status::Complete => ExitCode::SUCCESS,
        Status::Fault(msg) => {
            eprintln!(
                "error: the run stopped at t = {simulated} s: {msg}\n\
                 what was simulated is in {}",
                path.display()
            );
            ExitCode::from(1)
        }
        Status::Interrupted => {
            eprintln!(
                "interrupted at t = {simulated} s; what was simulated is in {}",
                path.display()
            );
            ExitCode::from(130)
        }
    })
}

/// Steps `net` to its end, or until a runtime fault or `stop` is set, recording every step
/// (including the faulty one). Returns how the run ended.
fn simulate(
    net: &mut Network,
    rec: &mut Recorder,
    stop: &AtomicBool,
    progress: &mut Progress,
) -> Result<Status> {
    let Network {
        simulator: sim,
        steps,
        populations,
        probes,
        ..
    } = net;
    let periods: Vec<u64> = probes
        .iter()
        .filter(|p| p.due(0))
        .map(|p| p.every)
        .collect();
    while sim.steps_done() < *steps {
        let done = sim.steps_done();
        let mut written = Ok(());
        let ran = if sim.windowed() {
            // Advance to the next probe sample, at most 64 steps (interrupt and progress
            // checks): `Simulator::run` takes these steps in min-delay windows, one parallel
            // region each; probes are sampled where it stops.
            let next = periods
                .iter()
                .fold((done / 64 + 1) * 64, |n, &e| n.min((done / e + 1) * e))
                .min(*steps);
            sim.run(next - done, &mut |step, spikes| {
                if written.is_ok() {
                    written = rec.record_spikes(step, spikes, populations);
                }
            })
        } else {
            // Per-step schedule (NEF networks, STDP): 64 steps in one pool region, recording
            // spikes and due probes after every step.
            let next = ((done / 64 + 1) * 64).min(*steps);
            sim.run_stepwise(next - done, &mut |sim| {
                if written.is_ok() {
                    let step = sim.steps_done() - 1;
                    written = rec
                        .record_spikes(step, sim.spikes(), populations)
                        .and_then(|()| rec.record_probes(sim, probes));
                }
            })
        };
        written?;
        // The faulty step's probes too (the per-step hook does not see a step that failed).
        if sim.windowed() || ran.is_err() {
            rec.record_probes(sim, probes)?;
        }
        if let Err(e) = ran {
            return Ok(Status::Fault(e.to_string()));
        }
        if stop.load(Ordering::Relaxed) {
            return Ok(Status::Interrupted);
        }
        progress.update(sim.steps_done());
    }
    // The periodic check runs every few hundred steps: check the final state too.
    Ok(match sim.check_finite() {
        Ok(()) => Status::Complete,
        Err(e) => Status::Fault(e.to_string()),
    })
}

/// `net.toml` → `./net.h5`.
fn default_output(spec: &Path) -> PathBuf {
    let stem = spec
        .file_stem()
        .map_or("out".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("{stem}.h5"))
}

/// Set when the user presses Ctrl-C (SIGINT): the run loop then stops at the next check and
/// keeps what was simulated in `OUT.partial.h5`. A second Ctrl-C is handled the same way (the
/// loop is already stopping).
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    // Fails only if a handler is already installed (a second run in one process): then the
    // run simply cannot be interrupted gracefully.
    let _ = ctrlc::set_handler(move || f.store(true, Ordering::Relaxed));
    flag
}

/// The progress bar: simulated time, wall time and real-time factor, shown only on runs
/// longer than about a second, with stderr on a terminal and without `--quiet`.
struct Progress {
    enabled: bool,
    bar: Option<ProgressBar>,
    steps: u64,
    dt: f64,
    start: Instant,
    last: Instant,
}

impl Progress {
    fn new(enabled: bool, steps: u64, dt: f64) -> Self {
        let now = Instant::now();
        Self {
            enabled,
            bar: None,
            steps,
            dt,
            start: now,
            last: now,
        }
    }

    fn update(&mut self, done: u64) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.last) < Duration::from_millis(100) {
            return;
        }
        self.last = now;
        let wall = now.duration_since(self.start).as_secs_f64();
        if self.bar.is_none() {
            if wall < 1.0 {
                return;
            }
            let bar = ProgressBar::with_draw_target(Some(self.steps), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{bar:32.cyan/blue} {percent:>3}% {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            let t = done as f64 * self.dt;
            bar.set_position(done);
            bar.set_message(format!(
                "t = {t:.3}/{:.3} s  wall {wall:.1} s  real-time factor {:.2}",
                self.steps as f64 * self.dt,
                wall / t.max(1e-12)
            ));
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn summary(
    net: &netspec::Network,
    counts: &[u64],
    simulated: f64,
    build: Duration,
    sim: Duration,
    output: &str,
) {
    println!(
        "{:<16} {:>10} {:<14} {:>12} {:>10}",
        "population", "neurons", "model", "spikes", "rate (Hz)"
    );
    for (p, &n) in net.populations.iter().zip(counts) {
        let rec = p.recorded_count();
        let rate = n as f64 / (rec.max(1) as f64 * simulated.max(1e-300));
        println!(
            "{:<16} {:>10} {:<14} {:>12} {:>10.2}{}",
            p.name,
            p.size,
            p.model,
            n,
            rate,
            if rec == p.size {
                String::new()
            } else {
                format!("  ({rec} recorded)")
            }
        );
    }
    println!("synapses: {}{}", net.synapses, decoded_note(net));
    println!(
        "build {:.3} s, simulation {:.3} s for {simulated} s simulated: real-time factor {:.3} \
         (wall/simulated)",
        build.as_secs_f64(),
        sim.as_secs_f64(),
        sim.as_secs_f64() / simulated.max(1e-300)
    );
    println!("output: {output}");
}

/// After the synapse count of a network with NEF decoders: its decoded connections hold no
/// synapses (they decode, transform and encode; docs/nef.md), so a count of 0 is not a
/// network without connections.
pub fn decoded_note(net: &Network) -> String {
    if net.nef.decoders.is_empty() {
        String::new()
    } else {
        " (NEF connections decode instead; their decoders are listed below)".into()
    }
}

/// Decoders (solver RMSE, solved or cached), the decoder cache and the NEF probes.
pub fn nef_summary(net: &Network, cache: &models::cache::DecoderCache) {
    let d = &net.nef.decoders;
    if d.is_empty() {
        return;
    }
    println!(
        "{:<24} {:<12} {:>9} {:<20} {:>12}  source",
        "decoders", "ensemble", "N × k", "function", "solver RMSE"
    );
    for s in d {
        println!(
            "{:<24} {:<12} {:>9} {:<20} {:>12.3e}  {}",
            s.name,
            s.ensemble,
            format!("{} × {}", s.decoders.n, s.decoders.dims),
            s.function,
            s.decoders.mean_rmse(),
            if s.cached {
                "cache".to_string()
            } else {
                format!(
                    "solved ({}, {:.3} s)",
                    s.decoders.method.name(),
                    s.solve_seconds
                )
            }
        );
    }
    let hits = d.iter().filter(|s| s.cached).count();
    match cache.dir() {
        Some(dir) => println!(
            "decoder cache: {} ({hits} of {} from the cache)",
            dir.display(),
            d.len()
        ),
        None => println!("decoder cache: off"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simcore::neuron::lif::LifParams;
    use simcore::{LifPopulation, Population, Simulator};

    const SPEC: &str =
        "[simulation]\nduration = 0.1\n[[population]]\nname = \"a\"\nsize = 10\nbias = 2.0\n";

    /// The spec's network with neuron 7's bias poisoned (NaN) after validation, as a mid-run
    /// fault would leave it.
    fn poisoned(spec: &Spec) -> Network {
        let mut net = spec.build().unwrap();
        let mut pop = LifPopulation::new("a", LifParams::default(), 1e-4, &[2.0; 10]).unwrap();
        pop.bias_mut()[7] = f32::NAN;
        net.simulator = Simulator::new(
            1e-4,
            vec![Population {
                name: "a".into(),
                neurons: Box::new(pop),
            }],
            vec![],
            1,
        )
        .unwrap();
        net
    }

    fn finish(spec: &Spec, net: &Network, rec: Recorder, status: Status) -> PathBuf {
        rec.finish(&RunInfo {
            spec,
            network: net,
            steps_done: net.simulator.steps_done(),
            status,
            sorting: "by_time",
        })
        .unwrap()
    }

    fn read_attr(path: &Path, name: &str) -> String {
        let f = hdf5::File::open(path).unwrap();
        let a = f.group("provenance").unwrap().attr(name).unwrap();
        a.read_scalar::<hdf5::types::VarLenUnicode>()
            .unwrap()
            .to_string()
    }

    #[test]
    fn a_runtime_fault_keeps_the_partial_file_with_its_reason() {
        let dir = std::env::temp_dir().join(format!("spikesim-fault-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("out.h5");
        let spec = Spec::parse("a.toml", SPEC, &[]).unwrap();
        let mut net = poisoned(&spec);
        let mut rec = Recorder::create(&out, &net, Format::Sonata, Sorting::ByTime).unwrap();
        let stop = AtomicBool::new(false);
        let status = simulate(
            &mut net,
            &mut rec,
            &stop,
            &mut Progress::new(false, 1000, 1e-4),
        )
        .unwrap();
        let Status::Fault(msg) = &status else {
            panic!("{status:?}")
        };
        assert!(msg.contains("`a`, neuron 7, variable `bias`"), "{msg}");
        // The first check runs after 256 steps.
        assert_eq!(net.simulator.steps_done(), 256);
        let path = finish(&spec, &net, rec, status.clone());
        assert_eq!(path, dir.join("out.partial.h5"));
        assert!(!out.exists());
        assert_eq!(read_attr(&path, "status"), "fault");
        assert_eq!(read_attr(&path, "stop_reason"), *msg);
        let f = hdf5::File::open(&path).unwrap();
        let t_stop: f64 = f
            .group("provenance")
            .unwrap()
            .attr("t_stop")
            .unwrap()
            .read_scalar()
            .unwrap();
        assert!((t_stop - 25.6).abs() < 1e-9, "{t_stop}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_interrupt_keeps_the_partial_file_and_never_touches_the_target() {
        let dir = std::env::temp_dir().join(format!("spikesim-int-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("out.h5");
        std::fs::write(&out, b"a previous good file").unwrap();
        let spec = Spec::parse("a.toml", SPEC, &[]).unwrap();
        let mut net = spec.build().unwrap();
        let mut rec = Recorder::create(&out, &net, Format::Sonata, Sorting::ByTime).unwrap();
        let stop = AtomicBool::new(true);
        let status = simulate(
            &mut net,
            &mut rec,
            &stop,
            &mut Progress::new(false, 1000, 1e-4),
        )
        .unwrap();
        assert_eq!(status, Status::Interrupted);
        assert_eq!(net.simulator.steps_done(), 64);
        let path = finish(&spec, &net, rec, status);
        assert_eq!(std::fs::read(&out).unwrap(), b"a previous good file");
        assert_eq!(read_attr(&path, "status"), "interrupted");
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

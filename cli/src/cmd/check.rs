//! `spikesim check SPEC`: validate and build without simulating; print what would be built.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use netspec::Spec;

/// Arguments of `spikesim check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  spikesim check examples/lif_pop.toml\n  \
    spikesim check net.toml --set population.exc.size=100000\n  \
    spikesim check examples/nef_channel.toml --tuning tuning.h5 --plots plots/")]
pub struct Args {
    /// The network spec (TOML).
    pub spec: PathBuf,
    /// Override a spec value by dotted key (repeatable): --set population.exc.size=800
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Write each NEF ensemble's eval points, tuning curves, encoders, gains and biases to
    /// this HDF5 file (/ensembles/<name>/…).
    #[arg(long, value_name = "OUT.h5")]
    pub tuning: Option<PathBuf>,
    /// Draw each NEF ensemble's tuning curves into DIR/tuning_<name>.png.
    #[arg(long, value_name = "DIR")]
    pub plots: Option<PathBuf>,
    /// Solve NEF decoders without the decoder cache.
    #[arg(long)]
    pub no_cache: bool,
}

/// Human-readable byte count.
pub fn bytes(b: u64) -> String {
    let b = b as f64;
    match b {
        x if x >= (1u64 << 30) as f64 => format!("{:.2} GiB", x / (1u64 << 30) as f64),
        x if x >= (1u64 << 20) as f64 => format!("{:.1} MiB", x / (1u64 << 20) as f64),
        x if x >= 1024.0 => format!("{:.1} KiB", x / 1024.0),
        x => format!("{x} B"),
    }
}

/// Runs the command.
pub fn run(args: &Args) -> Result<()> {
    let mut spec = Spec::load(&args.spec, &args.set)?;
    spec.synapse_reader = Some(crate::synapse_file::read);
    let t0 = Instant::now();
    let cache = super::run::decoder_cache(args.no_cache);
    let net = spec.build_cached(spec.simulation.threads.value as usize, &cache)?;
    let build = t0.elapsed();
    let sim = &spec.simulation;
    println!("{}: OK", spec.file);
    for o in &spec.overrides {
        println!("  override      {o}");
    }
    println!(
        "  simulation    dt = {} s, duration = {} s ({} steps), seed = {}, threads = {}",
        sim.dt.value,
        sim.duration.value,
        sim.steps,
        sim.seed.value,
        match sim.threads.value {
            0 => "one per core".to_string(),
            n => n.to_string(),
        }
    );
    let neurons: usize = net.populations.iter().map(|p| p.size).sum();
    println!(
        "  populations   {} ({} neurons)",
        net.populations.len(),
        neurons
    );
    for p in &net.populations {
        let rec = p.recorded_count();
        println!(
            "    {:<12} {:>10} neurons  {}{}",
            p.name,
            p.size,
            p.summary,
            if rec == p.size {
                String::new()
            } else {
                format!(" [spikes of {rec} neurons recorded]")
            }
        );
    }
    println!(
        "  synapses      {}{}",
        net.synapses,
        super::run::decoded_note(&net)
    );
    let probes: Vec<_> = net
        .probes
        .iter()
        .filter(|p| p.variable != "spikes")
        .collect();
    println!("  probes        {}", probes.len());
    for p in probes {
        // Decoded values, node outputs and learned quantities are not per neuron.
        let n = p.neurons.len();
        let what = match (p.records_neurons(), n) {
            (true, 1) => "neuron",
            (true, _) => "neurons",
            (false, 1) => "value",
            (false, _) => "values",
        };
        let unit = match p.unit {
            "1" => "dimensionless".to_string(),
            u => format!("in {u}"),
        };
        println!(
            "    {:<12} {}.{} of {n} {what} every {} step(s), {unit}",
            p.name, p.target, p.variable, p.every,
        );
    }
    println!(
        "  memory        about {} (this machine: {})",
        bytes(spec.memory_estimate()),
        netspec::spec::physical_memory().map_or("unknown".into(), bytes)
    );
    println!("  build time    {:.3} s", build.as_secs_f64());
    super::run::nef_summary(&net, &cache);
    let ensembles = &net.nef.ensembles;
    if (args.tuning.is_some() || args.plots.is_some()) && ensembles.is_empty() {
        anyhow::bail!(
            "--tuning and --plots need NEF ensembles; {} has none",
            spec.file
        );
    }
    if let Some(path) = &args.tuning {
        crate::output::tuning::write_h5(path, ensembles)?;
        println!("tuning curves: {}", path.display());
    }
    if let Some(dir) = &args.plots {
        for p in crate::output::tuning::plot(dir, ensembles)? {
            println!("plot: {}", p.display());
        }
    }
    Ok(())
}

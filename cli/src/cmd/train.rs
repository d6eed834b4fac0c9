//! `spikesim train SPEC`: trains the dense rate network a training spec describes
//! (`[[layer]]`, `[training]`), reports every epoch, writes the model to HDF5, optionally draws
//! loss curves and decision boundaries, and with `--to-spiking` writes a network spec that
//! `spikesim run` simulates as spiking LIF populations. `training.model` selects the MLP
//! (here), the autoencoder, the perceptron or the Hopfield network (submodules, which also
//! hold each model's `spikesim eval`).

pub mod autoencoder;
pub mod hopfield;
pub mod perceptron;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use models::dense::io::ModelRecord;
use models::dense::mlp::{Metrics, Mlp};
use models::dense::training::{EpochRecord, History, train};
use netspec::train::{ModelKind, SplitData, TrainSpec, spiking_spec};

use super::write_atomic;
use crate::output::model::{ModelFile, SpikingInfo, save};

/// Arguments of `spikesim train`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  spikesim train examples/dense/digits.toml -o digits.h5
  spikesim train examples/dense/spirals.toml -o spirals.h5 --plots plots/
  spikesim train examples/dense/digits_lif.toml -o lif.h5 --to-spiking digits_snn.toml
  spikesim train examples/dense/autoencoder.toml -o ae.h5 --plots plots/
  spikesim train examples/dense/hopfield.toml -o hopfield.h5 --plots plots/
  spikesim train examples/dense/perceptron.toml -o perceptron.h5 --plots plots/
  spikesim train spec.toml --set training.epochs=20 --set layer.0.units=64

Then: spikesim eval digits.h5 digits | spikesim run digits_snn.toml -o snn.h5 && \
spikesim eval lif.h5 snn.h5")]
pub struct Args {
    /// The training spec (TOML with [training] and [[layer]]).
    pub spec: PathBuf,
    /// Model file to write [default: the spec's name with .h5, in the current directory].
    #[arg(short, long, value_name = "MODEL.h5")]
    pub output: Option<PathBuf>,
    /// Override a spec value by dotted key (repeatable): --set training.epochs=20
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Draw the loss curves (and for 2-input data the decision regions) as PNG into DIR.
    #[arg(long, value_name = "DIR")]
    pub plots: Option<PathBuf>,
    /// Also write a network spec running the trained net as spiking LIF populations.
    #[arg(long, value_name = "OUT.toml")]
    pub to_spiking: Option<PathBuf>,
    /// No progress bar and no per-epoch table.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Runs the command.
pub fn run(args: &Args) -> Result<()> {
    let spec = TrainSpec::load(&args.spec, &args.set)?;
    if args.to_spiking.is_some() && spec.model != ModelKind::Mlp {
        bail!(
            "--to-spiking converts an MLP; {} trains model `{}`",
            args.spec.display(),
            spec.model.name()
        );
    }
    match spec.model {
        ModelKind::Mlp => run_mlp(args, &spec),
        ModelKind::Autoencoder => autoencoder::train(args, &spec),
        ModelKind::Perceptron => perceptron::train(args, &spec),
        ModelKind::Hopfield => hopfield::train(args, &spec),
    }
}

/// The model file `-o` names (default: the spec's stem with `.h5`, in the current directory).
fn output_path(args: &Args) -> PathBuf {
    args.output.clone().unwrap_or_else(|| {
        let stem = args
            .spec
            .file_stem()
            .map_or("model".into(), |s| s.to_string_lossy().into_owned());
        PathBuf::from(format!("{stem}.h5"))
    })
}

/// Writes the model file (`-o`) and names it unless `--quiet`.
fn save_model(
    args: &Args,
    record: ModelRecord,
    history: &[EpochRecord],
    spiking: Option<SpikingInfo>,
) -> Result<()> {
    let out = output_path(args);
    save(
        &out,
        &ModelFile {
            record,
            history: history.to_vec(),
            spiking,
        },
    )?;
    if !args.quiet {
        println!("model: {}", out.display());
    }
    Ok(())
}

/// The model-file metadata every model records: the spec (to re-create the data), the data
/// set and the seed.
fn spec_metadata(spec: &TrainSpec, task: &str) -> Vec<(String, String)> {
    vec![
        ("model".to_string(), spec.model.name().to_string()),
        ("dataset".into(), spec.data.value.name()),
        ("spec_file".into(), spec.file.clone()),
        ("spec_toml".into(), spec.text.clone()),
        ("overrides".into(), spec.overrides.join("\n")),
        ("task".into(), task.into()),
        ("input_scale".into(), format!("{:?}", spec.input_scale)),
        ("seed".into(), spec.config.seed.to_string()),
        ("simulator_version".into(), env!("CARGO_PKG_VERSION").into()),
    ]
}

/// The metadata of a gradient-trained network (MLP, autoencoder): optimiser and how training
/// went.
fn training_metadata(
    spec: &TrainSpec,
    data: &SplitData,
    history: &History,
) -> Vec<(String, String)> {
    vec![
        ("test_fraction".into(), format!("{:?}", spec.test_fraction)),
        ("optimiser".into(), format!("{:?}", spec.config.optimiser)),
        ("batch_size".into(), spec.config.batch_size.to_string()),
        ("epochs".into(), spec.config.epochs.to_string()),
        ("epochs_run".into(), history.epochs.len().to_string()),
        ("best_epoch".into(), history.best_epoch.to_string()),
        ("stopped_early".into(), history.stopped_early.to_string()),
        ("l1".into(), format!("{:?}", spec.config.l1)),
        ("l2".into(), format!("{:?}", spec.config.l2)),
        ("alpha".into(), format!("{:?}", spec.config.alpha)),
        ("dropout".into(), format!("{:?}", spec.config.dropout)),
        (
            "validation_fraction".into(),
            format!("{:?}", spec.config.validation_fraction),
        ),
        ("precision".into(), spec.config.precision.name().into()),
        ("train_samples".into(), data.train.len().to_string()),
        ("train_seconds".into(), format!("{:.3}", history.seconds)),
    ]
}

/// Prints the architecture, loss and optimiser line of a gradient-trained network.
fn print_setup(kind: &str, spec: &TrainSpec, mlp: &Mlp) {
    let arch: Vec<String> = std::iter::once(mlp.n_in().to_string())
        .chain(mlp.layers.iter().map(|l| l.n_out().to_string()))
        .collect();
    println!(
        "{kind} {} ({} parameters), loss {}, optimiser {} (η = {}), batch {}, {} epochs",
        arch.join("-"),
        mlp.n_params(),
        mlp.loss,
        spec.config.optimiser.name(),
        spec.config.optimiser.lr(),
        spec.config.batch_size,
        spec.config.epochs
    );
}

/// Prints the data line: training samples, validation split, test samples.
fn print_data(spec: &TrainSpec, data: &SplitData) {
    println!(
        "data `{}`: {} training samples{}{}",
        spec.data.value.name(),
        data.train.len(),
        if spec.config.validation_fraction > 0.0 {
            format!(" (validation split {})", spec.config.validation_fraction)
        } else {
            String::new()
        },
        data.test
            .as_ref()
            .map_or(String::new(), |t| format!(", {} test samples", t.len()))
    );
}

fn run_mlp(args: &Args, spec: &TrainSpec) -> Result<()> {
    let data = spec.data()?;
    let name = spec.name();
    let shapes = spec.shapes();
    let mut mlp = Mlp::new(
        &name,
        data.train.x.cols(),
        &shapes,
        spec.loss,
        spec.config.seed,
    )?;
    if !args.quiet {
        print_setup("model", spec, &mlp);
        print_data(spec, &data);
    }
    let mut progress = EpochReport::new(args.quiet, spec.config.epochs);
    let history = train(
        &name,
        &mut mlp,
        &data.train,
        data.test.as_ref(),
        &spec.config,
        &mut |r| progress.epoch(r),
    )?;
    progress.finish();
    let test = data.test.as_ref().map(|t| mlp.evaluate(t));
    let is_lif = mlp
        .layers
        .iter()
        .any(|l| l.activation != l.activation.hard());
    let lif_test = match (&data.test, is_lif) {
        (Some(t), true) => Some(mlp.hardened().evaluate(t)),
        _ => None,
    };
    if !args.quiet {
        summary(&history, test, lif_test);
    }

    let task = if data.train.labels.is_some() {
        "classification"
    } else {
        "regression"
    };
    let mut metadata = spec_metadata(spec, task);
    metadata.extend(training_metadata(spec, &data, &history));
    if let Some(m) = test {
        metadata.push(("test_loss".into(), format!("{:?}", m.loss)));
        if let Some(a) = m.accuracy {
            metadata.push(("test_accuracy".into(), format!("{a:?}")));
        }
    }
    if let Some(a) = lif_test.and_then(|m| m.accuracy) {
        metadata.push(("test_accuracy_lif_rate".into(), format!("{a:?}")));
    }

    let spiking = match &args.to_spiking {
        None => None,
        Some(path) => Some(write_spiking(path, spec, &mlp, data.test.as_ref())?),
    };
    save_model(
        args,
        ModelRecord::from_mlp("mlp", &mlp, metadata),
        &history.epochs,
        spiking,
    )?;
    if let Some(dir) = &args.plots {
        for p in draw(dir, &name, &history, &mlp, &data)? {
            println!("plot: {}", p.display());
        }
    }
    Ok(())
}

/// Writes the spiking spec and its CSV files next to `path`; returns what `eval` needs.
fn write_spiking(
    path: &Path,
    spec: &TrainSpec,
    mlp: &Mlp,
    test: Option<&models::dense::datasets::Dataset>,
) -> Result<SpikingInfo> {
    let Some(test) = test else {
        bail!("--to-spiking presents the test set, but this spec has none (test_fraction = 0)");
    };
    let Some(labels) = &test.labels else {
        bail!("--to-spiking needs a classification data set (class labels)");
    };
    let n = spec.spiking.samples.unwrap_or(test.len()).min(test.len());
    let x = test.x.slice_rows(0, n);
    let cfg = &spec.spiking.config;
    let stem = path
        .file_stem()
        .with_context(|| format!("{} is not a file path", path.display()))?
        .to_string_lossy()
        .into_owned();
    let header = format!(
        "Spiking LIF version of the network trained by `spikesim train {}` (Hunsberger & \
         Eliasmith 2015):\n{n} test samples presented for {} s each.\n\
         Run:      spikesim run {} -o {stem}.h5\n\
         Accuracy: spikesim eval MODEL.h5 {stem}.h5   (MODEL.h5 written by the same train command)",
        spec.file,
        cfg.presentation,
        path.display()
    );
    let export = spiking_spec(mlp, &x, cfg, &stem, &header)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    for (name, text) in &export.files {
        write_atomic(&dir.join(name), text.as_bytes())?;
    }
    println!(
        "spiking spec: {} ({} samples × {} s; readout from `{}`)",
        path.display(),
        n,
        cfg.presentation,
        export.readout_population
    );
    Ok(SpikingInfo {
        spec: path.display().to_string(),
        readout_population: export.readout_population,
        presentation: (cfg.presentation / cfg.dt).round().max(1.0) * cfg.dt,
        dt: cfg.dt,
        synapse: cfg.synapse,
        amplitude: export.amplitude,
        labels: labels[..n].iter().map(|&l| l as u64).collect(),
    })
}

/// Creates the plot folder and draws the loss curves into `<name>_loss.png`.
fn draw_loss(dir: &Path, name: &str, history: &History) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{name}_loss.png"));
    validation::dense::loss_curves(&format!("{name}: loss"), history).save_png(&path)?;
    Ok(path)
}

fn draw(
    dir: &Path,
    name: &str,
    history: &History,
    mlp: &Mlp,
    data: &SplitData,
) -> Result<Vec<PathBuf>> {
    let mut out = vec![draw_loss(dir, name, history)?];
    if mlp.n_in() == 2 {
        let shown = data.test.as_ref().unwrap_or(&data.train);
        let path = dir.join(format!("{name}_boundary.png"));
        validation::dense::decision_boundary(&format!("{name}: decision regions"), mlp, shown)
            .save_png(&path)?;
        out.push(path);
    }
    Ok(out)
}

fn fmt_metrics(m: Option<Metrics>) -> (String, String) {
    match m {
        None => ("-".into(), "-".into()),
        Some(m) => (
            format!("{:.5}", m.loss),
            m.accuracy.map_or("-".into(), |a| format!("{a:.4}")),
        ),
    }
}

fn summary(history: &History, test: Option<Metrics>, lif_test: Option<Metrics>) {
    print_trained(history);
    if let Some(t) = test {
        let (l, a) = fmt_metrics(Some(t));
        println!("test loss {l}, test accuracy {a}");
    }
    if let Some(a) = lif_test.and_then(|m| m.accuracy) {
        println!("test accuracy with the LIF rate G(J) (what spiking neurons compute): {a:.4}");
    }
}

/// Prints how many epochs ran, how long, and which was kept.
fn print_trained(history: &History) {
    println!(
        "trained {} epochs in {:.3} s{}; kept epoch {}",
        history.epochs.len(),
        history.seconds,
        if history.stopped_early {
            " (stopped early)"
        } else {
            ""
        },
        history.best_epoch
    );
}

/// Per-epoch figures: a progress bar on a terminal and a table on stdout (every epoch for
/// short runs, about 20 rows for long ones, always the last, also when training stopped
/// early).
struct EpochReport {
    quiet: bool,
    epochs: usize,
    every: usize,
    bar: Option<ProgressBar>,
    start: Instant,
    /// The last epoch's row when it was not printed.
    pending: Option<String>,
}

impl EpochReport {
    fn new(quiet: bool, epochs: usize) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(epochs as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{bar:32.cyan/blue} epoch {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        if !quiet {
            println!(
                "{:>6} {:>10} {:>9} {:>10} {:>9} {:>10} {:>9} {:>8}",
                "epoch",
                "train_loss",
                "train_acc",
                "val_loss",
                "val_acc",
                "test_loss",
                "test_acc",
                "time_s"
            );
        }
        Self {
            quiet,
            epochs,
            every: epochs.div_ceil(20).max(1),
            bar,
            start: Instant::now(),
            pending: None,
        }
    }

    fn epoch(&mut self, r: &EpochRecord) {
        if self.quiet {
            return;
        }
        let (tl, ta) = fmt_metrics(Some(r.train));
        let (vl, va) = fmt_metrics(r.validation);
        let (sl, sa) = fmt_metrics(r.test);
        let line = format!(
            "{:>6} {tl:>10} {ta:>9} {vl:>10} {va:>9} {sl:>10} {sa:>9} {:>8.2}",
            r.epoch,
            self.start.elapsed().as_secs_f64()
        );
        if r.epoch.is_multiple_of(self.every) || r.epoch == 1 || r.epoch == self.epochs {
            match &self.bar {
                Some(bar) => bar.println(line),
                None => println!("{line}"),
            }
            self.pending = None;
        } else {
            self.pending = Some(line);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(r.epoch as u64);
            bar.set_message(format!("loss {tl} acc {ta} val {vl} test {sa}"));
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if let Some(line) = self.pending.take() {
            println!("{line}");
        }
    }
}

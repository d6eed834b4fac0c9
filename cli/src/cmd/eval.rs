//! `spikesim eval MODEL.h5 DATA`: loss, accuracy and confusion matrix of a trained dense model
//! on a data set (built-in name or CSV file), or — when DATA is the spike file of a
//! `spikesim run` of the model's `--to-spiking` spec — the accuracy of the spiking network read
//! out from its spike counts. Autoencoders report their reconstruction error, perceptrons their
//! accuracy, Hopfield networks their recall (`cmd::train::<model>`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use models::dense::datasets::{CsvTarget, Dataset, load_csv};
use models::dense::matrix::{Matrix, Op, gemm};
use models::dense::mlp::{Mlp, accuracy, classes};
use models::dense::training::History;
use netspec::train::{DataSource, TrainSpec};

use super::train::{autoencoder, hopfield, perceptron};
use crate::output::model::{ModelFile, SpikingInfo, load};

/// Arguments of `spikesim eval`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
DATA is one of:
  a built-in data set (xor, two_spirals, circles, digits): the model's own test split when the
      model was trained on it (--all: every sample);
  a CSV file (inputs, then the class label or the regression targets, as for training; the
      model's input_scale is applied);
  an HDF5 spike file from `spikesim run` of the spec written by `train --to-spiking`: the
      spiking network's accuracy from spike counts;
  for a Hopfield network: `stored` (recall of the stored patterns from cues with a fraction
      --flip of bits flipped), or `digits` / a CSV file whose rows, binarised, are the cues.
Autoencoders report the reconstruction MSE against the data's variance; CSV columns are all
inputs.

Examples:
  spikesim eval digits.h5 digits
  spikesim eval digits.h5 my_digits.csv --plots plots/
  spikesim eval lif.h5 snn.h5
  spikesim eval ae.h5 digits --plots plots/
  spikesim eval hopfield.h5 stored --flip 0.2

Exit status: 0 ok, 2 for unreadable files or data that do not fit the model.")]
pub struct Args {
    /// Model file written by `spikesim train`.
    pub model: PathBuf,
    /// Data: built-in name, CSV file, or spike file of the model's spiking spec.
    pub data: String,
    /// Evaluate on every sample of a built-in data set, not only the model's test split.
    #[arg(long)]
    pub all: bool,
    /// Draw loss curves (from the training history) and, for 2-input data, the decision
    /// regions, as PNG into DIR.
    #[arg(long, value_name = "DIR")]
    pub plots: Option<PathBuf>,
    /// Hopfield networks, DATA `stored`: fraction of bits flipped in each cue [default: the
    /// model's `hopfield.flip`].
    #[arg(long, value_name = "F")]
    pub flip: Option<f64>,
}

/// Runs the command.
pub fn run(args: &Args) -> Result<()> {
    let file = load(&args.model)?;
    match file.record.kind.as_str() {
        "hopfield" => {
            return hopfield::eval(
                &file,
                &args.model,
                &args.data,
                args.flip,
                args.plots.as_deref(),
            );
        }
        _ if args.flip.is_some() => bail!("--flip is for Hopfield networks"),
        "autoencoder" => {
            let (data, what) = dataset(&file, &args.data, args.all)?;
            return autoencoder::eval(&file, &args.model, &data, &what, args.plots.as_deref());
        }
        "perceptron" => return eval_perceptron(&file, args),
        _ => {}
    }
    let mlp = file
        .record
        .to_mlp()
        .with_context(|| format!("model file {}", args.model.display()))?;
    let arch: Vec<String> = std::iter::once(mlp.n_in().to_string())
        .chain(mlp.layers.iter().map(|l| l.n_out().to_string()))
        .collect();
    println!(
        "model {}: {} ({}), loss {}",
        args.model.display(),
        arch.join("-"),
        mlp.layers
            .iter()
            .map(|l| l.activation.to_string())
            .collect::<Vec<_>>()
            .join(" → "),
        mlp.loss
    );
    let data_path = Path::new(&args.data);
    if is_hdf5(data_path) {
        return eval_spikes(&file, &mlp, data_path);
    }
    let (data, what) = dataset(&file, &args.data, args.all)?;
    mlp.check_data(&data)
        .with_context(|| format!("cannot evaluate {} on {what}", args.model.display()))?;
    let m = mlp.evaluate(&data);
    println!("data {what}: {} samples", data.len());
    match (m.accuracy, &data.labels) {
        (Some(a), Some(labels)) => {
            let predicted = mlp.classify(&data.x);
            let right = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
            println!(
                "loss {:.6}, accuracy {a:.4} ({right}/{})",
                m.loss,
                data.len()
            );
            if mlp
                .layers
                .iter()
                .any(|l| l.activation != l.activation.hard())
            {
                let hard = mlp.hardened().evaluate(&data);
                println!(
                    "accuracy with the LIF rate G(J) (what spiking neurons compute): {:.4}",
                    hard.accuracy.unwrap_or(0.0)
                );
            }
            print_confusion(&predicted, labels, data.n_classes());
        }
        _ => println!("loss {:.6}", m.loss),
    }
    if let Some(dir) = &args.plots {
        draw_mlp_plots(&file, args, dir, &mlp, &data, &what)?;
    }
    Ok(())
}

/// Accuracy and confusion matrix of a perceptron; `--plots`: error-rate curve and, for 2
/// inputs, the decision regions.
fn eval_perceptron(file: &ModelFile, args: &Args) -> Result<()> {
    let p = perceptron::load(file, &args.model)?;
    println!(
        "model {}: perceptron, {} inputs → one step unit",
        args.model.display(),
        p.unit.n_in()
    );
    let (data, what) = dataset(file, &args.data, args.all)?;
    let clf = p.as_classifier();
    clf.check_data(&data)
        .with_context(|| format!("cannot evaluate {} on {what}", args.model.display()))?;
    let Some(labels) = &data.labels else {
        bail!("{what} has no class labels");
    };
    let predicted = clf.classify(&data.x);
    let right = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
    println!("data {what}: {} samples", data.len());
    println!(
        "accuracy {:.4} ({right}/{})",
        right as f64 / data.len().max(1) as f64,
        data.len()
    );
    print_confusion(&predicted, labels, 2);
    if let Some(dir) = &args.plots {
        draw_mlp_plots(file, args, dir, &clf, &data, &what)?;
    }
    Ok(())
}

/// Loss curves from the stored history and, for 2-input data, the decision regions.
fn draw_mlp_plots(
    file: &ModelFile,
    args: &Args,
    dir: &Path,
    mlp: &Mlp,
    data: &Dataset,
    what: &str,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stem = args
        .model
        .file_stem()
        .map_or("model".into(), |s| s.to_string_lossy().into_owned());
    if !file.history.is_empty() {
        let history = History {
            epochs: file.history.clone(),
            ..History::default()
        };
        let path = dir.join(format!("{stem}_loss.png"));
        validation::dense::loss_curves(&format!("{stem}: loss"), &history).save_png(&path)?;
        println!("plot: {}", path.display());
    }
    if mlp.n_in() == 2 {
        let path = dir.join(format!("{stem}_boundary.png"));
        validation::dense::decision_boundary(&format!("{stem}: {what}"), mlp, data)
            .save_png(&path)?;
        println!("plot: {}", path.display());
    }
    Ok(())
}

fn is_hdf5(path: &Path) -> bool {
    let mut magic = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok()
        && magic == *b"\x89HDF\r\n\x1a\n"
}

/// The training spec stored in the model, if it can be read back.
fn stored_spec(file: &ModelFile) -> Option<TrainSpec> {
    let text = file.record.meta("spec_toml")?;
    let name = file.record.meta("spec_file").unwrap_or("model spec");
    let overrides: Vec<String> = file
        .record
        .meta("overrides")
        .unwrap_or("")
        .lines()
        .map(str::to_string)
        .filter(|s| !s.is_empty())
        .collect();
    TrainSpec::parse(name, text, &overrides).ok()
}

/// The data `name` refers to, and a description of it.
fn dataset(file: &ModelFile, name: &str, all: bool) -> Result<(Dataset, String)> {
    let builtin = netspec::train::DATASETS.contains(&name) || name == "spirals";
    if builtin {
        let name = if name == "spirals" {
            "two_spirals"
        } else {
            name
        };
        if let Some(spec) = stored_spec(file).filter(|s| s.data.value.name() == name) {
            let split = spec.data()?;
            return Ok(match (all, split.test) {
                (false, Some(test)) => {
                    let n = test.len();
                    (
                        test,
                        format!("`{name}` (the model's test split, {n} samples)"),
                    )
                }
                (_, test) => {
                    let mut d = split.train;
                    if let (Some(t), false) = (test, spec.data.value == DataSource::Xor) {
                        d = concat(&d, &t);
                    }
                    (d, format!("`{name}` (all samples)"))
                }
            });
        }
        let seed: u64 = file
            .record
            .meta("seed")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let source = match name {
            "xor" => DataSource::Xor,
            "digits" => DataSource::Digits,
            "circles" => DataSource::Circles {
                samples: 500,
                noise: 0.05,
            },
            "blobs" => DataSource::Blobs {
                samples: 500,
                noise: 0.3,
            },
            _ => DataSource::TwoSpirals {
                samples: 500,
                noise: 0.02,
            },
        };
        return Ok((
            source.load(seed)?,
            format!("`{name}` (all samples, seed {seed})"),
        ));
    }
    let path = Path::new(name);
    let target = match file.record.meta("task") {
        Some("regression") => {
            let k = file.record.layers.last().map_or(1, |l| l.n_out);
            CsvTarget::LastColumns(k)
        }
        Some("reconstruction") => CsvTarget::InputsOnly,
        _ => CsvTarget::LastColumnLabel,
    };
    let mut d = load_csv(path, target)?;
    let scale: f64 = file
        .record
        .meta("input_scale")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    if scale != 1.0 {
        d.scale_inputs(scale);
    }
    // A CSV whose labels do not reach the model's last class has fewer one-hot columns than
    // outputs: widen the targets so the class count is the model's.
    if let (Some(labels), Some(last)) = (&d.labels, file.record.layers.last())
        && d.y.cols() < last.n_out
    {
        d = Dataset::classification(&d.name, d.x.clone(), labels.clone(), last.n_out)?;
    }
    Ok((d, format!("{}", path.display())))
}

fn concat(a: &Dataset, b: &Dataset) -> Dataset {
    let x = Matrix::from_vec(
        a.len() + b.len(),
        a.x.cols(),
        [a.x.data(), b.x.data()].concat(),
    )
    .expect("same width");
    let y = Matrix::from_vec(
        a.len() + b.len(),
        a.y.cols(),
        [a.y.data(), b.y.data()].concat(),
    )
    .expect("same width");
    Dataset {
        name: a.name.clone(),
        x,
        y,
        labels: a
            .labels
            .as_ref()
            .zip(b.labels.as_ref())
            .map(|(p, q)| [p.as_slice(), q.as_slice()].concat()),
    }
}

fn print_confusion(predicted: &[usize], labels: &[usize], k: usize) {
    let mut m = vec![0usize; k * k];
    for (&p, &l) in predicted.iter().zip(labels) {
        if p < k && l < k {
            m[l * k + p] += 1;
        }
    }
    println!("confusion matrix (rows: true class, columns: predicted class):");
    let w = labels.len().to_string().len().max(3);
    print!("{:>5}", "");
    for c in 0..k {
        print!(" {c:>w$}");
    }
    println!();
    for l in 0..k {
        print!("{l:>5}");
        for p in 0..k {
            print!(" {:>w$}", m[l * k + p]);
        }
        println!();
    }
}

/// Spike counts of `population` per presentation window: `(counts [windows × n], n, windows
/// complete in the file)`.
fn window_counts(
    path: &Path,
    population: &str,
    info: &SpikingInfo,
) -> Result<(Vec<u32>, usize, usize)> {
    let f = hdf5::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let g = f.group(&format!("spikes/{population}")).with_context(|| {
        format!(
            "{} has no /spikes/{population}: not a run of the model's spiking spec `{}`",
            path.display(),
            info.spec
        )
    })?;
    let n: u64 = g
        .attr("n_nodes")
        .and_then(|a| a.read_scalar())
        .context("no n_nodes attribute")?;
    let t_stop_ms: f64 = f
        .group("provenance")
        .and_then(|p| p.attr("t_stop"))
        .and_then(|a| a.read_scalar())
        .context("no /provenance t_stop")?;
    let times: Vec<f64> = g.dataset("timestamps").and_then(|d| d.read_raw())?;
    let ids: Vec<u64> = g.dataset("node_ids").and_then(|d| d.read_raw())?;
    let windows = ((t_stop_ms * 1e-3 / info.presentation) + 1e-9).floor() as usize;
    let windows = windows.min(info.labels.len());
    let n = n as usize;
    let mut counts = vec![0u32; windows * n];
    for (&t, &i) in times.iter().zip(&ids) {
        let k = ((t * 1e-3 + 0.5 * info.dt) / info.presentation).floor() as usize;
        if k < windows && (i as usize) < n {
            counts[k * n + i as usize] += 1;
        }
    }
    Ok((counts, n, windows))
}

fn eval_spikes(file: &ModelFile, mlp: &Mlp, path: &Path) -> Result<()> {
    let Some(info) = &file.spiking else {
        bail!(
            "the model has no spiking record (/spiking): train it with --to-spiking OUT.toml, \
             run OUT.toml, then evaluate the run's spike file"
        );
    };
    let (counts, n, windows) = window_counts(path, &info.readout_population, info)?;
    let out_layer = mlp.layers.last().context("model has no layers")?;
    if out_layer.n_in() != n {
        bail!(
            "population `{}` in {} has {n} neurons but the model's output layer reads {}",
            info.readout_population,
            path.display(),
            out_layer.n_in()
        );
    }
    if windows == 0 {
        bail!("{} holds no complete presentation", path.display());
    }
    // Readout z = (amplitude · count/T)·W_out + b_out, as the rate net computes from amplitude·G(J).
    let rates = Matrix::from_vec(
        windows,
        n,
        counts
            .iter()
            .map(|&c| info.amplitude * f64::from(c) / info.presentation)
            .collect(),
    )
    .expect("windows × n");
    let mut z = Matrix::zeros(windows, out_layer.n_out());
    for k in 0..windows {
        z.row_mut(k).copy_from_slice(&out_layer.b);
    }
    gemm(&mut z, &rates, Op::N, &out_layer.w, Op::N, 1.0, true);
    let predicted = classes(&z);
    let labels: Vec<usize> = info.labels[..windows].iter().map(|&l| l as usize).collect();
    let acc = accuracy(&predicted, &labels);
    let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    println!(
        "spike file {}: {windows} of {} presentations of {} s; readout `{}` ({n} neurons, mean \
         rate {:.1} Hz)",
        path.display(),
        info.labels.len(),
        info.presentation,
        info.readout_population,
        total as f64 / (n * windows) as f64 / info.presentation
    );
    let right = predicted
        .iter()
        .zip(&labels)
        .filter(|(p, l)| p == l)
        .count();
    println!("spiking accuracy (spike counts) {acc:.4} ({right}/{windows})");
    if let Some(spec) = stored_spec(file)
        && let Ok(split) = spec.data()
        && let Some(test) = split.test
        && test.len() >= windows
    {
        let idx: Vec<usize> = (0..windows).collect();
        let shown = test.select(&idx);
        let rate = mlp.evaluate(&shown).accuracy.unwrap_or(0.0);
        let lif = mlp.hardened().evaluate(&shown).accuracy.unwrap_or(0.0);
        println!(
            "rate network on the same samples: accuracy {rate:.4} (LIF rate G(J): {lif:.4}); \
             spiking − rate = {:+.4}",
            acc - rate
        );
    }
    print_confusion(&predicted, &labels, mlp.n_out().max(2));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::model::save;
    use models::dense::activations::Activation;
    use models::dense::io::ModelRecord;
    use models::dense::losses::Loss;
    use models::dense::mlp::LayerShape;

    fn model_file(dir: &Path) -> PathBuf {
        let s = |u, a| LayerShape {
            units: u,
            activation: a,
            init: None,
        };
        let mlp = Mlp::new(
            "t",
            2,
            &[s(4, Activation::Tanh), s(2, Activation::Softmax)],
            Loss::CrossEntropy,
            1,
        )
        .unwrap();
        let path = dir.join("m.h5");
        save(
            &path,
            &ModelFile {
                record: ModelRecord::from_mlp("mlp", &mlp, vec![]),
                history: vec![],
                spiking: None,
            },
        )
        .unwrap();
        path
    }

    /// Data of the wrong width, a missing data file and a spike file for a model without a
    /// spiking record are errors naming what is wrong; fitting CSV data evaluates.
    #[test]
    fn errors_name_the_mismatch() {
        let dir = std::env::temp_dir().join(format!("spikesim-eval-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let model = model_file(&dir);
        let args = |data: &Path| Args {
            model: model.clone(),
            data: data.display().to_string(),
            all: false,
            plots: None,
            flip: None,
        };
        let csv = dir.join("three.csv");
        std::fs::write(&csv, "1,2,3,0\n4,5,6,1\n").unwrap();
        let e = format!("{:#}", run(&args(&csv)).unwrap_err());
        assert!(
            e.contains("shape mismatch") && e.contains("3 inputs") && e.contains("takes 2 inputs"),
            "{e}"
        );
        let e = format!("{:#}", run(&args(&dir.join("missing.csv"))).unwrap_err());
        assert!(e.contains("missing.csv"), "{e}");
        let e = format!("{:#}", run(&args(&model)).unwrap_err());
        assert!(e.contains("no spiking record"), "{e}");
        let ok = dir.join("two.csv");
        std::fs::write(&ok, "0.1,0.2,0\n0.3,-0.4,1\n").unwrap();
        run(&args(&ok)).unwrap();
        std::fs::remove_dir_all(&dir).ok();
    }
}

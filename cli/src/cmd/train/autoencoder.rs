//! `training.model = "autoencoder"`: a dense autoencoder trained on the reconstruction loss
//! with the MLP's trainer (same optimisers, batches, penalties, early stopping, progress); the
//! figure of merit is the test reconstruction MSE relative to the per-element variance (the
//! error of predicting every input by its mean).

use std::path::PathBuf;

use anyhow::{Context, Result};
use models::dense::autoencoder::{Autoencoder, mean_baseline_error};
use models::dense::io::ModelRecord;
use models::dense::matrix::Matrix;
use models::dense::mlp::Mlp;
use models::dense::training::{History, train as train_net};
use netspec::train::TrainSpec;

use super::{
    Args, EpochReport, draw_loss, print_data, print_setup, print_trained, save_model,
    spec_metadata, training_metadata,
};
use crate::output::model::ModelFile;

/// Samples shown in the originals-vs-reconstructions figure.
const SHOWN: usize = 12;

/// Reconstruction figures of a data set.
struct Reconstruction {
    /// Mean squared error per input element.
    mse: f64,
    /// Per-element variance of the data (MSE of predicting each input by its mean).
    variance: f64,
}

impl Reconstruction {
    fn of(model: &Autoencoder, x: &Matrix) -> Self {
        Self {
            mse: model.reconstruction_error(x),
            variance: mean_baseline_error(x),
        }
    }

    fn ratio(&self) -> f64 {
        self.mse / self.variance
    }

    fn line(&self, what: &str) -> String {
        format!(
            "{what} reconstruction MSE {:.6} = {:.4} × the per-element variance {:.6} ({:.1} % \
             of the variance explained)",
            self.mse,
            self.ratio(),
            self.variance,
            100.0 * (1.0 - self.ratio())
        )
    }
}

/// `spikesim train` for an autoencoder spec.
pub fn train(args: &Args, spec: &TrainSpec) -> Result<()> {
    let data = spec.data()?;
    let name = spec.name();
    let net = Mlp::new(
        &name,
        data.train.x.cols(),
        &spec.shapes(),
        spec.loss,
        spec.config.seed,
    )?;
    let mut model = Autoencoder::from_net(net)?;
    if !args.quiet {
        print_setup("autoencoder", spec, &model.net);
        println!(
            "code: layer {} ({} units)",
            model.code_layer,
            model.net.layers[model.code_layer].n_out()
        );
        print_data(spec, &data);
    }
    let test = data.test.as_ref().map(Autoencoder::task);
    let mut progress = EpochReport::new(args.quiet, spec.config.epochs);
    let history = train_net(
        &name,
        &mut model.net,
        &Autoencoder::task(&data.train),
        test.as_ref(),
        &spec.config,
        &mut |r| progress.epoch(r),
    )?;
    progress.finish();
    let (shown, what) = match &data.test {
        Some(t) => (&t.x, "test"),
        None => (&data.train.x, "training"),
    };
    let r = Reconstruction::of(&model, shown);
    if !args.quiet {
        print_trained(&history);
        println!("{}", r.line(what));
    }
    let mut metadata = spec_metadata(spec, "reconstruction");
    metadata.extend(training_metadata(spec, &data, &history));
    metadata.extend([
        ("code_layer".to_string(), model.code_layer.to_string()),
        (format!("{what}_mse"), format!("{:?}", r.mse)),
        (format!("{what}_variance"), format!("{:?}", r.variance)),
        (
            format!("{what}_mse_over_variance"),
            format!("{:?}", r.ratio()),
        ),
    ]);
    let record = ModelRecord::from_mlp("autoencoder", &model.net, metadata);
    save_model(args, record, &history.epochs, None)?;
    if let Some(dir) = &args.plots {
        for p in draw(dir, &name, Some(&history), &model, shown)? {
            println!("plot: {}", p.display());
        }
    }
    Ok(())
}

/// Loss curves (when a history is known) and originals vs reconstructions (square inputs).
fn draw(
    dir: &std::path::Path,
    name: &str,
    history: Option<&History>,
    model: &Autoencoder,
    x: &Matrix,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut out = Vec::new();
    if let Some(h) = history {
        out.push(draw_loss(dir, name, h)?);
    }
    let path = dir.join(format!("{name}_reconstructions.png"));
    if validation::dense::save_reconstructions(
        &path,
        &format!("{name}: originals and reconstructions"),
        model,
        x,
        SHOWN,
    )? {
        out.push(path);
    }
    Ok(out)
}

/// `spikesim eval` of an autoencoder: reconstruction MSE of `data`'s inputs against their
/// variance; `--plots`: loss curves and originals vs reconstructions.
pub fn eval(
    file: &ModelFile,
    model_path: &std::path::Path,
    data: &models::dense::datasets::Dataset,
    what: &str,
    plots: Option<&std::path::Path>,
) -> Result<()> {
    let model = file
        .record
        .to_autoencoder()
        .with_context(|| format!("model file {}", model_path.display()))?;
    model
        .net
        .check_data(&Autoencoder::task(data))
        .with_context(|| format!("cannot evaluate {} on {what}", model_path.display()))?;
    let arch: Vec<String> = std::iter::once(model.net.n_in().to_string())
        .chain(model.net.layers.iter().map(|l| l.n_out().to_string()))
        .collect();
    println!(
        "model {}: autoencoder {} ({}), code layer {} ({} units)",
        model_path.display(),
        arch.join("-"),
        model
            .net
            .layers
            .iter()
            .map(|l| l.activation.to_string())
            .collect::<Vec<_>>()
            .join(" → "),
        model.code_layer,
        model.net.layers[model.code_layer].n_out()
    );
    println!("data {what}: {} samples", data.len());
    println!("{}", Reconstruction::of(&model, &data.x).line("the data's"));
    if let Some(dir) = plots {
        let stem = model_path
            .file_stem()
            .map_or("model".into(), |s| s.to_string_lossy().into_owned());
        let history = (!file.history.is_empty()).then(|| History {
            epochs: file.history.clone(),
            ..History::default()
        });
        for p in draw(dir, &stem, history.as_ref(), &model, &data.x)? {
            println!("plot: {}", p.display());
        }
    }
    Ok(())
}

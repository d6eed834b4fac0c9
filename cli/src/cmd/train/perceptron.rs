//! `training.model = "perceptron"`: Rosenblatt's single-layer perceptron trained with the
//! perceptron rule until an epoch makes no update (or `epochs` have run), reported epoch by
//! epoch like the MLP (train "loss" = fraction of samples that needed an update that epoch).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use models::dense::datasets::Dataset;
use models::dense::io::ModelRecord;
use models::dense::losses::Loss;
use models::dense::mlp::{Metrics, Mlp};
use models::dense::perceptron::Perceptron;
use models::dense::training::{EpochRecord, History};
use netspec::train::TrainSpec;

use super::{Args, EpochReport, draw_loss, print_data, print_trained, save_model, spec_metadata};
use crate::output::model::ModelFile;

/// Accuracy as metrics with the 0-1 loss (the misclassified fraction).
fn metrics(p: &Perceptron, d: &Dataset) -> Metrics {
    let a = p.accuracy(d);
    Metrics {
        loss: 1.0 - a,
        accuracy: Some(a),
    }
}

/// `spikesim train` for a perceptron spec.
pub fn train(args: &Args, spec: &TrainSpec) -> Result<()> {
    let data = spec.data()?;
    let name = spec.name();
    let lr = spec.config.optimiser.lr();
    let mut p = Perceptron::new(data.train.x.cols());
    if !args.quiet {
        println!(
            "perceptron: {} inputs → one step unit, perceptron rule (η = {lr}), at most {} epochs \
             (until an epoch makes no update)",
            data.train.x.cols(),
            spec.config.epochs
        );
        print_data(spec, &data);
    }
    let mut progress = EpochReport::new(args.quiet, spec.config.epochs);
    let start = Instant::now();
    let mut epochs = Vec::new();
    let n = data.train.len().max(1) as f64;
    let fit = p.train_observed(
        &data.train,
        lr,
        spec.config.epochs,
        spec.config.seed,
        &mut |p, fit| {
            let r = EpochRecord {
                epoch: fit.epochs,
                train: Metrics {
                    loss: fit.errors as f64 / n,
                    accuracy: Some(p.accuracy(&data.train)),
                },
                validation: None,
                test: data.test.as_ref().map(|t| metrics(p, t)),
                seconds: start.elapsed().as_secs_f64(),
            };
            progress.epoch(&r);
            epochs.push(r);
        },
    )?;
    progress.finish();
    let history = History {
        best_epoch: fit.epochs,
        stopped_early: fit.errors == 0 && fit.epochs < spec.config.epochs,
        seconds: start.elapsed().as_secs_f64(),
        epochs,
    };
    let test = data.test.as_ref().map(|t| metrics(&p, t));
    if !args.quiet {
        print_trained(&history);
        if fit.errors == 0 {
            println!(
                "converged: epoch {} classified every training sample correctly",
                fit.epochs
            );
        } else {
            println!(
                "not converged: {} updates in the last epoch (data not linearly separable, or \
                 more epochs needed)",
                fit.errors
            );
        }
        if let Some(t) = test {
            println!("test accuracy {:.4}", t.accuracy.unwrap_or(0.0));
        }
    }
    let mut metadata = spec_metadata(spec, "classification");
    metadata.extend([
        (
            "test_fraction".to_string(),
            format!("{:?}", spec.test_fraction),
        ),
        ("learning_rate".into(), format!("{lr:?}")),
        ("epochs".into(), spec.config.epochs.to_string()),
        ("epochs_run".into(), fit.epochs.to_string()),
        ("converged".into(), (fit.errors == 0).to_string()),
        ("train_seconds".into(), format!("{:.3}", history.seconds)),
    ]);
    if let Some(t) = test {
        metadata.push((
            "test_accuracy".into(),
            format!("{:?}", t.accuracy.unwrap_or(0.0)),
        ));
    }
    let unit = Mlp {
        layers: vec![p.unit.clone()],
        loss: Loss::Mse,
    };
    let record = ModelRecord::from_mlp("perceptron", &unit, metadata);
    save_model(args, record, &history.epochs, None)?;
    if let Some(dir) = &args.plots {
        let mut paths = vec![draw_loss(dir, &name, &history)?];
        if data.train.x.cols() == 2 {
            let path = dir.join(format!("{name}_boundary.png"));
            validation::dense::decision_boundary(
                &format!("{name}: decision regions"),
                &p.as_classifier(),
                data.test.as_ref().unwrap_or(&data.train),
            )
            .save_png(&path)?;
            paths.push(path);
        }
        for path in paths {
            println!("plot: {}", path.display());
        }
    }
    Ok(())
}

/// The perceptron stored in a model file.
pub fn load(file: &ModelFile, path: &Path) -> Result<Perceptron> {
    file.record
        .to_perceptron()
        .with_context(|| format!("model file {}", path.display()))
}

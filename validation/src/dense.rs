//! `dense`: the dense-layer rate module's acceptance figures.
//!
//! Cases (each reproducible from its seed; experiments defined in `models::dense::tasks`):
//! - `gradient`: backprop vs central differences (f64, h = 1e-6) for every hidden activation ×
//!   output/loss pair on a 3-5-4-2 net: max relative error ≤ 1e-4;
//! - `xor`: 2-8-2 tanh net, accuracy = 1;
//! - `two_spirals`: 2-64-64-2 ReLU net, test accuracy ≥ 0.98;
//! - `circles`: 2-16-2 ReLU net, test accuracy ≥ 0.98;
//! - `digits`: 64-100-10 ReLU net (scikit-learn's default settings and initialisation), test
//!   accuracy ≥ 0.96;
//! - `autoencoder`: 64-32-64 on the digits, test reconstruction MSE ≤ 0.2 × the per-pixel
//!   variance (i.e. ≥ 80 % of the variance explained);
//! - `hopfield`: N = 1000 (quick 400) units, 10 % of bits flipped at the start: mean recall
//!   overlap ≥ 0.95 at P = 0.05·N and 0.1·N, ≤ 0.8 at 0.2·N (beyond α_c ≈ 0.138);
//! - `spiking`: the 64-128-10 soft-LIF digits net run as spiking LIF neurons, 100 ms per
//!   image: |spiking − rate| test accuracy ≤ 0.02.

use crate::plot::{ImageRow, LinePlot, PlotError, Series, save_image_rows_png};
use crate::{Case, CheckResult, Metric, Options, ValidationError};
use models::dense::autoencoder::Autoencoder;
use models::dense::datasets::Dataset;
use models::dense::hopfield::{ALPHA_C, PatternRecall};
use models::dense::matrix::Matrix;
use models::dense::mlp::{Mlp, accuracy};
use models::dense::spiking::{SpikingConfig, run as run_spiking};
use models::dense::training::History;
use models::dense::{gradcheck, hopfield, tasks};
use plotters::prelude::SeriesLabelPosition;
use std::path::PathBuf;

const NAME: &str = "dense";

fn model_err(e: models::dense::DenseError) -> ValidationError {
    ValidationError::Model {
        check: NAME,
        msg: e.to_string(),
    }
}

/// Loss curves (train, and test when recorded) of a training history.
pub fn loss_curves(title: &str, history: &History) -> LinePlot {
    let epochs: Vec<f64> = history.epochs.iter().map(|r| r.epoch as f64).collect();
    let mut plot = LinePlot::new(title, "epoch", "loss")
        .log_y(true)
        .legend(SeriesLabelPosition::UpperRight)
        .series(Series::line(
            "train",
            epochs.clone(),
            history.epochs.iter().map(|r| r.train.loss).collect(),
        ));
    for (label, pick) in [
        (
            "validation",
            (|r: &models::dense::training::EpochRecord| r.validation) as fn(&_) -> _,
        ),
        ("test", |r| r.test),
    ] {
        if history.epochs.iter().any(|r| pick(r).is_some()) {
            let y = history
                .epochs
                .iter()
                .map(|r| pick(r).map_or(f64::NAN, |m| m.loss))
                .collect();
            plot = plot.series(Series::line(label, epochs.clone(), y));
        }
    }
    plot
}

/// Decision regions of a 2-input classifier on a grid over the data's extent, with the data
/// points on top (one series per predicted region and per true class).
pub fn decision_boundary(title: &str, model: &Mlp, data: &Dataset) -> LinePlot {
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for row in data.x.row_iter() {
        for d in 0..2 {
            lo[d] = lo[d].min(row[d]);
            hi[d] = hi[d].max(row[d]);
        }
    }
    let n = 80;
    let mut grid = Vec::with_capacity(2 * n * n);
    for i in 0..n {
        for j in 0..n {
            grid.push(lo[0] + (hi[0] - lo[0]) * i as f64 / (n - 1) as f64);
            grid.push(lo[1] + (hi[1] - lo[1]) * j as f64 / (n - 1) as f64);
        }
    }
    let grid = Matrix::from_vec(n * n, 2, grid).expect("n²×2");
    let classes = model.classify(&grid);
    let mut plot = LinePlot::new(title, "x₁", "x₂").legend(SeriesLabelPosition::UpperRight);
    for c in 0..model.n_out().max(2) {
        let (xs, ys): (Vec<f64>, Vec<f64>) = grid
            .row_iter()
            .zip(&classes)
            .filter(|(_, k)| **k == c)
            .map(|(r, _)| (r[0], r[1]))
            .unzip();
        plot = plot.series(Series::points(&format!("region {c}"), xs, ys));
    }
    if let Some(labels) = &data.labels {
        for c in 0..data.n_classes() {
            let (xs, ys): (Vec<f64>, Vec<f64>) = data
                .x
                .row_iter()
                .zip(labels)
                .filter(|(_, l)| **l == c)
                .map(|(r, _)| (r[0], r[1]))
                .unzip();
            plot = plot.series(Series::points(&format!("class {c}"), xs, ys));
        }
    }
    plot
}

/// Originals (top row) and reconstructions (bottom row) of the first `count` rows of `x` as
/// square images (8×8 for the digits), written to `path`; `Ok(false)` (nothing written) when
/// the input width is not a square number.
pub fn save_reconstructions(
    path: &std::path::Path,
    title: &str,
    model: &Autoencoder,
    x: &Matrix,
    count: usize,
) -> Result<bool, PlotError> {
    let d = x.cols();
    let side = (d as f64).sqrt().round() as usize;
    if side * side != d || d == 0 {
        return Ok(false);
    }
    let shown = x.slice_rows(0, count.min(x.rows()));
    let recon = model.net.predict(&shown);
    let rows = [("original", &shown), ("reconstruction", &recon)].map(|(label, m)| ImageRow {
        label: label.into(),
        images: m.row_iter().map(<[f64]>::to_vec).collect(),
    });
    save_image_rows_png(path, title, &rows, side, side)?;
    Ok(true)
}

/// Hopfield capacity curve: mean final overlap of recall from cues with a fraction `flip` of
/// bits flipped, against the load `α = P/N`, for random patterns stored in `n` units, with the
/// theoretical `α_c ≈ 0.138` marked.
pub fn hopfield_capacity(title: &str, n: usize, alphas: &[f64], flip: f64, seed: u64) -> LinePlot {
    let m: Vec<f64> = alphas
        .iter()
        .map(|&a| {
            let p = ((a * n as f64).round() as usize).max(1);
            hopfield::capacity_overlap(n, p, flip, seed)
        })
        .collect();
    LinePlot::new(title, "load α = P/N", "recall overlap m")
        .y_range(0.0, 1.05)
        .legend(SeriesLabelPosition::LowerLeft)
        .series(Series::line(
            &format!("N = {n}, {:.0} % of bits flipped", 100.0 * flip),
            alphas.to_vec(),
            m,
        ))
        .series(Series::dashed(
            "α_c ≈ 0.138 (Amit et al. 1985)",
            vec![ALPHA_C, ALPHA_C],
            vec![0.0, 1.05],
        ))
}

/// Overlap with the stored pattern after each asynchronous sweep: the first 10 recalls and the
/// mean over all recalls (a recall that converged keeps its final overlap).
pub fn recall_curves(title: &str, recalls: &[PatternRecall]) -> LinePlot {
    let sweeps = recalls.iter().map(|r| r.overlaps.len()).max().unwrap_or(0);
    let x: Vec<f64> = (0..=sweeps).map(|k| k as f64).collect();
    let mean: Vec<f64> = (0..=sweeps)
        .map(|k| {
            recalls.iter().map(|r| r.overlap_after(k)).sum::<f64>() / recalls.len().max(1) as f64
        })
        .collect();
    let mut plot = LinePlot::new(
        title,
        "asynchronous sweep",
        "overlap m with the stored pattern",
    )
    .legend(SeriesLabelPosition::LowerRight);
    for (i, r) in recalls.iter().take(10).enumerate() {
        let y = (0..=sweeps).map(|k| r.overlap_after(k)).collect();
        plot = plot.series(Series::line(&format!("pattern {i}"), x.clone(), y));
    }
    // The mean last, dashed on top of the single recalls.
    plot.series(Series::dashed("mean of all recalls", x, mean))
}

fn save(
    opts: &Options,
    file: &str,
    plot: &LinePlot,
    plots: &mut Vec<PathBuf>,
) -> Result<(), ValidationError> {
    if let Some(path) = opts.plot_path(file) {
        plot.save_png(&path)
            .map_err(|source| ValidationError::Plot {
                check: NAME,
                source,
            })?;
        plots.push(path);
    }
    Ok(())
}

/// Runs the check.
pub fn run(opts: &Options) -> Result<CheckResult, ValidationError> {
    let quick = opts.quick;
    let seed = 1;
    let mut cases = Vec::new();
    let mut plots = Vec::new();

    let worst = gradcheck::sweep(seed)
        .iter()
        .map(|c| c.3)
        .fold(0.0, f64::max);
    cases.push(Case::new(
        "gradient",
        vec![Metric::at_most("max_rel_error", worst, 1e-4)],
    ));

    let xor = tasks::xor(seed).map_err(model_err)?;
    cases.push(Case::new(
        "xor",
        vec![Metric::at_least(
            "accuracy",
            xor.test.accuracy.unwrap_or(0.0),
            1.0,
        )],
    ));

    for (name, outcome) in [
        (
            "two_spirals",
            tasks::two_spirals(seed, quick).map_err(model_err)?,
        ),
        ("circles", tasks::circles(seed).map_err(model_err)?),
    ] {
        cases.push(Case::new(
            name,
            vec![
                Metric::at_least("test_accuracy", outcome.test.accuracy.unwrap_or(0.0), 0.98),
                Metric::info("train_seconds", outcome.history.seconds),
            ],
        ));
        save(
            opts,
            &format!("dense_{name}_boundary.png"),
            &decision_boundary(name, &outcome.model, &outcome.test_set),
            &mut plots,
        )?;
        save(
            opts,
            &format!("dense_{name}_loss.png"),
            &loss_curves(name, &outcome.history),
            &mut plots,
        )?;
    }

    let digits = tasks::digits(seed, quick).map_err(model_err)?;
    cases.push(Case::new(
        "digits",
        vec![
            Metric::at_least("test_accuracy", digits.test.accuracy.unwrap_or(0.0), 0.96),
            Metric::info("epochs", digits.history.epochs.len() as f64),
            Metric::info("train_seconds", digits.history.seconds),
        ],
    ));
    save(
        opts,
        "dense_digits_loss.png",
        &loss_curves("digits 64-100-10", &digits.history),
        &mut plots,
    )?;

    let ae = tasks::digits_autoencoder(seed, quick).map_err(model_err)?;
    cases.push(Case::new(
        "autoencoder",
        vec![
            Metric::at_most("mse_over_variance", ae.test_error / ae.baseline, 0.2),
            Metric::info("test_mse", ae.test_error),
        ],
    ));

    let n = if quick { 400 } else { 1000 };
    let overlap =
        |alpha: f64| hopfield::capacity_overlap(n, (alpha * n as f64).round() as usize, 0.1, seed);
    cases.push(Case::new(
        "hopfield",
        vec![
            Metric::info("units", n as f64),
            Metric::at_least("overlap_alpha_0.05", overlap(0.05), 0.95),
            Metric::at_least("overlap_alpha_0.10", overlap(0.10), 0.95),
            Metric::at_most("overlap_alpha_0.20", overlap(0.20), 0.8),
        ],
    ));
    if opts.plots.is_some() {
        let alphas: Vec<f64> = (1..=12).map(|k| 0.025 * k as f64).collect();
        let plot = hopfield_capacity("Hopfield capacity", n.min(400), &alphas, 0.1, seed);
        save(opts, "dense_hopfield_capacity.png", &plot, &mut plots)?;
    }

    let lif = tasks::digits_soft_lif(seed, quick).map_err(model_err)?;
    let rate = lif.test.accuracy.unwrap_or(0.0);
    let cfg = SpikingConfig {
        threads: opts.threads,
        ..SpikingConfig::default()
    };
    let spiking = run_spiking(&lif.model, &lif.test_set.x, &cfg).map_err(model_err)?;
    let labels = lif.test_set.labels.as_deref().unwrap_or(&[]);
    let spike_acc = accuracy(&spiking.classes_counts, labels);
    cases.push(Case::new(
        "spiking",
        vec![
            Metric::info("rate_accuracy", rate),
            Metric::info(
                "lif_rate_accuracy",
                lif.model
                    .hardened()
                    .evaluate(&lif.test_set)
                    .accuracy
                    .unwrap_or(0.0),
            ),
            Metric::info("spiking_accuracy", spike_acc),
            Metric::info(
                "spiking_filtered_accuracy",
                accuracy(&spiking.classes_filtered, labels),
            ),
            Metric::at_most("accuracy_gap", (rate - spike_acc).abs(), 0.02),
            Metric::info(
                "mean_rate_hz",
                spiking.mean_rates.first().copied().unwrap_or(0.0),
            ),
        ],
    ));
    Ok(CheckResult::new(NAME, cases, plots))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_check_passes_and_writes_plots() {
        let dir = std::env::temp_dir().join(format!("spikesim-dense-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let r = run(&Options {
            quick: true,
            plots: Some(dir.clone()),
            ..Options::default()
        })
        .unwrap();
        assert!(
            r.passed,
            "{}",
            crate::report::table(std::slice::from_ref(&r))
        );
        assert_eq!(r.cases.len(), 8);
        assert!(r.plots.iter().all(|p| p.exists()));
        std::fs::remove_dir_all(&dir).ok();
    }
}

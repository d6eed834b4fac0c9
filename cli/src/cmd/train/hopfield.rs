//! `training.model = "hopfield"`: Hebbian storage of the data set's patterns (random ±1, or
//! binarised digits / CSV rows) and a recall test from noisy cues, reported sweep by sweep,
//! with the capacity check against α_c ≈ 0.138 (Amit, Gutfreund & Sompolinsky 1985).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use models::dense::datasets::{self, CsvTarget};
use models::dense::hopfield::{
    ALPHA_C, Hopfield, PatternRecall, binarise, mean_cross_overlap, overlap, recall_patterns,
};
use models::dense::io::ModelRecord;
use models::dense::matrix::Matrix;
use netspec::train::{DataSource, HopfieldSpec, TrainSpec};

use super::{Args, save_model, spec_metadata};
use crate::output::model::ModelFile;

/// Overlap from which a pattern counts as recalled.
pub const RECALLED: f64 = 0.95;

/// Random-stream key of the cues' flips and the update orders (the one
/// `hopfield::capacity_overlap` uses, so a spec of random patterns reproduces its figure).
const RECALL_STREAM: &str = "dense/hopfield/recall";

/// Recalls every row of `cues_from` (flipping a fraction `flip` of bits), one pattern at a
/// time with a progress bar on a terminal.
fn recall_all(
    net: &Hopfield,
    patterns: &Matrix,
    flip: f64,
    sweeps: usize,
    seed: u64,
    quiet: bool,
) -> Vec<PatternRecall> {
    let mut rng = simcore::rng::stream(seed, RECALL_STREAM);
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::with_draw_target(
            Some(patterns.rows() as u64),
            ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            ProgressStyle::with_template("{bar:32.cyan/blue} recall {pos}/{len}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let mut out = Vec::with_capacity(patterns.rows());
    for mu in 0..patterns.rows() {
        let one = patterns.slice_rows(mu, mu + 1);
        out.extend(recall_patterns(net, &one, flip, sweeps, &mut rng));
        if let Some(b) = &bar {
            b.inc(1);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    out
}

/// Mean, minimum and recalled count of the final overlaps.
struct RecallSummary {
    mean: f64,
    min: f64,
    recalled: usize,
    converged: usize,
    cue: f64,
    sweeps: usize,
}

impl RecallSummary {
    fn of(recalls: &[PatternRecall]) -> Self {
        let n = recalls.len().max(1) as f64;
        Self {
            mean: recalls.iter().map(PatternRecall::overlap).sum::<f64>() / n,
            min: recalls
                .iter()
                .map(PatternRecall::overlap)
                .fold(f64::INFINITY, f64::min),
            recalled: recalls.iter().filter(|r| r.overlap() >= RECALLED).count(),
            converged: recalls.iter().filter(|r| r.converged).count(),
            cue: recalls.iter().map(|r| r.cue_overlap).sum::<f64>() / n,
            sweeps: recalls.iter().map(|r| r.overlaps.len()).max().unwrap_or(0),
        }
    }

    fn print(&self, p: usize) {
        println!(
            "recall: mean overlap {:.4} (min {:.4}) from cues of mean overlap {:.4}; {}/{p} \
             patterns recalled (m ≥ {RECALLED}); {}/{p} reached a fixed point (≤ {} sweeps)",
            self.mean, self.min, self.cue, self.recalled, self.converged, self.sweeps
        );
    }
}

/// Per-sweep table: mean overlap, patterns recalled and recalls still changing.
fn print_sweeps(recalls: &[PatternRecall]) {
    let sweeps = recalls.iter().map(|r| r.overlaps.len()).max().unwrap_or(0);
    println!(
        "{:>6} {:>12} {:>9} {:>8}",
        "sweep", "mean_overlap", "recalled", "changing"
    );
    for k in 0..=sweeps {
        let at = |r: &PatternRecall| r.overlap_after(k);
        let mean = recalls.iter().map(at).sum::<f64>() / recalls.len().max(1) as f64;
        let recalled = recalls.iter().filter(|r| at(r) >= RECALLED).count();
        // A recall is still changing in sweep k if it ran a sweep after it.
        let changing = recalls.iter().filter(|r| r.overlaps.len() > k).count();
        println!("{k:>6} {mean:>12.4} {recalled:>9} {changing:>8}");
    }
}

/// `spikesim train` for a Hopfield spec: store, recall, report, save, plot.
pub fn train(args: &Args, spec: &TrainSpec) -> Result<()> {
    let Some(h) = &spec.hopfield else {
        bail!("model `hopfield` without its [hopfield] settings");
    };
    let data = spec.data()?;
    let name = spec.name();
    let patterns = &data.train.x;
    let (p, n) = (patterns.rows(), patterns.cols());
    let alpha = p as f64 / n.max(1) as f64;
    let start = Instant::now();
    let net = Hopfield::store(patterns)?;
    let store_seconds = start.elapsed().as_secs_f64();
    let random = matches!(spec.data.value, DataSource::RandomPatterns { .. });
    let cross = mean_cross_overlap(patterns);
    if !args.quiet {
        println!(
            "Hopfield network: N = {n} units, P = {p} patterns of `{}` (α = P/N = {alpha:.4}), \
             Hebbian storage in {store_seconds:.3} s",
            spec.data.value.name()
        );
        println!(
            "recall test: cues with {:.1} % of bits flipped, asynchronous updates in random order, \
             at most {} sweeps",
            100.0 * h.flip,
            h.sweeps
        );
    }
    let recalls = recall_all(
        &net,
        patterns,
        h.flip,
        h.sweeps,
        spec.config.seed,
        args.quiet,
    );
    let s = RecallSummary::of(&recalls);
    if !args.quiet {
        print_sweeps(&recalls);
        s.print(p);
        capacity_check(alpha, n, cross, random, &s);
    }
    let mut metadata = spec_metadata(spec, "patterns");
    metadata.extend([
        ("units".to_string(), n.to_string()),
        ("patterns".into(), p.to_string()),
        ("load_alpha".into(), format!("{alpha:?}")),
        ("threshold".into(), format!("{:?}", h.threshold)),
        ("flip".into(), format!("{:?}", h.flip)),
        ("sweeps".into(), h.sweeps.to_string()),
        ("mean_cross_overlap".into(), format!("{cross:?}")),
        ("recall_mean_overlap".into(), format!("{:?}", s.mean)),
        ("recall_min_overlap".into(), format!("{:?}", s.min)),
        ("recalled".into(), s.recalled.to_string()),
        ("store_seconds".into(), format!("{store_seconds:.3}")),
    ]);
    let record = ModelRecord::from_hopfield(&net, patterns, metadata);
    save_model(args, record, &[], None)?;
    if let Some(dir) = &args.plots {
        for path in draw(dir, &name, &recalls, Some((n, h, spec.config.seed)))? {
            println!("plot: {}", path.display());
        }
    }
    Ok(())
}

/// Prints how the recall compares with the capacity of random patterns (`n` units).
fn capacity_check(alpha: f64, n: usize, cross: f64, random: bool, s: &RecallSummary) {
    let expected = alpha < ALPHA_C;
    let found = s.mean >= RECALLED;
    if random {
        println!(
            "capacity check: α = {alpha:.4} {} α_c ≈ {ALPHA_C} (random patterns): retrieval {} \
             expected and {} (mean overlap {:.4}){}",
            if expected { "<" } else { "≥" },
            if expected { "is" } else { "is not" },
            if found { "found" } else { "not found" },
            s.mean,
            if expected == found {
                ", as theory says"
            } else {
                ", unlike theory (small N or a large flip fraction?)"
            }
        );
    } else {
        // E|m| between independent random patterns: √(2/(πN)).
        let random_cross = (2.0 / (std::f64::consts::PI * n.max(1) as f64)).sqrt();
        println!(
            "capacity check: α = {alpha:.4}; the patterns are correlated (mean |overlap| between \
             them {cross:.3}, random patterns' ≈ {random_cross:.3}), so α_c ≈ {ALPHA_C} of random \
             patterns is only an upper bound; retrieval {} (mean overlap {:.4})",
            if found { "found" } else { "not found" },
            s.mean
        );
    }
}

/// Recall curves, and (given the model's size, settings and seed) the capacity curve of random
/// patterns at that size (at most 500 units, to keep it to seconds).
fn draw(
    dir: &Path,
    name: &str,
    recalls: &[PatternRecall],
    capacity: Option<(usize, &HopfieldSpec, u64)>,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{name}_recall.png"));
    validation::dense::recall_curves(&format!("{name}: recall from noisy cues"), recalls)
        .save_png(&path)?;
    let mut out = vec![path];
    if let Some((n, h, seed)) = capacity {
        let n = n.min(500);
        let alphas: Vec<f64> = (1..=12).map(|k| 0.025 * f64::from(k)).collect();
        let path = dir.join(format!("{name}_capacity.png"));
        validation::dense::hopfield_capacity(
            &format!("Hopfield capacity (random patterns, N = {n})"),
            n,
            &alphas,
            h.flip,
            seed,
        )
        .save_png(&path)?;
        out.push(path);
    }
    Ok(out)
}

/// `spikesim eval` of a Hopfield network. DATA `stored`: recall of every stored pattern from
/// a cue with a fraction `flip` of bits flipped (`--flip`, default the model's); a CSV file or
/// `digits`: each row binarised at the model's threshold is a cue, reported against the stored
/// pattern it ends closest to.
pub fn eval(
    file: &ModelFile,
    model_path: &Path,
    data: &str,
    flip: Option<f64>,
    plots: Option<&Path>,
) -> Result<()> {
    let (net, patterns) = file
        .record
        .to_hopfield()
        .with_context(|| format!("model file {}", model_path.display()))?;
    let meta = |k: &str| file.record.meta(k).and_then(|v| v.parse::<f64>().ok());
    let seed = meta("seed").unwrap_or(0.0) as u64;
    let sweeps = meta("sweeps").unwrap_or(100.0) as usize;
    let (p, n) = (patterns.rows(), patterns.cols());
    println!(
        "model {}: Hopfield network, N = {n} units, P = {p} stored patterns (α = {:.4})",
        model_path.display(),
        p as f64 / n as f64
    );
    let stem = model_path
        .file_stem()
        .map_or("model".into(), |s| s.to_string_lossy().into_owned());
    let recalls = if data == "stored" {
        let flip = flip.or(meta("flip")).unwrap_or(0.1);
        if !(0.0..=0.5).contains(&flip) {
            bail!("--flip {flip}: must be in [0, 0.5]");
        }
        println!(
            "cues: the stored patterns with {:.1} % of bits flipped (seed {seed}), at most {sweeps} sweeps",
            100.0 * flip
        );
        let recalls = recall_all(&net, &patterns, flip, sweeps, seed, false);
        print_sweeps(&recalls);
        RecallSummary::of(&recalls).print(p);
        recalls
    } else {
        if flip.is_some() {
            bail!("--flip applies to DATA `stored`; cues from {data} are used as they are");
        }
        let mut cues = if data == "digits" {
            datasets::digits()
        } else {
            datasets::load_csv(Path::new(data), CsvTarget::InputsOnly)?
        };
        let scale = meta("input_scale").unwrap_or(1.0);
        if scale != 1.0 && data != "digits" {
            cues.scale_inputs(scale);
        }
        if cues.x.cols() != n {
            bail!(
                "{data} has {} columns but the network has {n} units",
                cues.x.cols()
            );
        }
        let cues = binarise(&cues.x, meta("threshold").unwrap_or(0.5));
        let mut rng = simcore::rng::stream(seed, RECALL_STREAM);
        let mut recalls = Vec::with_capacity(cues.rows());
        let mut nearest = vec![0usize; p];
        for cue in cues.row_iter() {
            let r = net.recall(cue, sweeps, &mut rng);
            // The stored pattern (or its negative, also a fixed point) the recall ended nearest.
            let (best, m) = (0..p)
                .map(|mu| (mu, overlap(patterns.row(mu), &r.state)))
                .fold(
                    (0, 0.0_f64),
                    |a, b| if b.1.abs() > a.1.abs() { b } else { a },
                );
            nearest[best] += 1;
            let xi = patterns.row(best);
            recalls.push(PatternRecall {
                cue_overlap: overlap(xi, cue),
                overlaps: vec![m],
                converged: r.converged,
            });
        }
        println!("cues: {} rows of {data}, binarised", cues.rows());
        let s = RecallSummary::of(&recalls);
        println!(
            "recall: mean overlap with the nearest stored pattern {:.4} (its overlap with \
             the cue {:.4}); {}/{} cues end at a stored pattern (|m| ≥ {RECALLED}); {}/{} \
             reached a fixed point",
            s.mean,
            s.cue,
            recalls
                .iter()
                .filter(|r| r.overlap().abs() >= RECALLED)
                .count(),
            recalls.len(),
            s.converged,
            recalls.len()
        );
        println!("cues ending nearest each stored pattern: {nearest:?}");
        recalls
    };
    if let Some(dir) = plots {
        for path in draw(dir, &stem, &recalls, None)? {
            println!("plot: {}", path.display());
        }
    }
    Ok(())
}

//! Training specs for `spikesim train`: a second spec kind, read with the same spanned TOML
//! reader (file:line:col and dotted-key errors, "did you mean", `--set` overrides) as network
//! specs, describing a dense rate network (`[[layer]]`), how to train it (`[training]`) and,
//! optionally, how to run it as spiking LIF populations (`[spiking]`).
//!
//! ```toml
//! [training]
//! dataset = "digits"        # xor | two_spirals | circles | digits | path/to/data.csv
//! optimiser = "adam"        # sgd | momentum | adam
//! learning_rate = 0.001
//! batch_size = 200
//! epochs = 200
//! alpha = 1e-4            # L2 as scikit-learn's alpha
//! seed = 1
//!
//! [[layer]]
//! units = 100
//! activation = "relu"
//!
//! [[layer]]
//! units = 10
//! activation = "softmax"
//! ```
//!
//! `training.model` chooses what is trained: `mlp` (default), `autoencoder` (the `[[layer]]`s
//! map the inputs back to themselves), `perceptron` (Rosenblatt's rule; no `[[layer]]`) or
//! `hopfield` (Hebbian storage of `dataset`'s patterns and a recall test set in `[hopfield]`).
//!
//! A training spec is recognised by its `[training]` table; network specs have `[simulation]`.
//! Every key is documented in `docs/spec.md` and `docs/dense.md`.

use std::path::{Path, PathBuf};

use models::dense::activations::Activation;
use models::dense::datasets::{self, CsvTarget, Dataset};
use models::dense::hopfield;
use models::dense::layers::Init;
use models::dense::losses::Loss;
use models::dense::mlp::LayerShape;
use models::dense::optimisers::Optimiser;
use models::dense::spiking::SpikingConfig;
use models::dense::training::{Precision, TrainConfig};

use crate::error::{ErrorKind, SpecError, closest};
use crate::reader::{At, Required, TableReader};
use crate::tree::{parse_with_overrides, read_file};

/// Built-in data set names accepted by `training.dataset` (anything else is a CSV path).
pub const DATASETS: [&str; 5] = ["xor", "two_spirals", "circles", "blobs", "digits"];

/// The model a training spec trains (`training.model`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    /// A multi-layer perceptron (classification or regression).
    Mlp,
    /// Rosenblatt's single-layer perceptron with the perceptron learning rule.
    Perceptron,
    /// A dense autoencoder trained on the reconstruction loss.
    Autoencoder,
    /// A Hopfield network (Hebbian storage, asynchronous recall).
    Hopfield,
}

/// Names accepted by `training.model`.
pub const MODELS: [&str; 4] = ["mlp", "perceptron", "autoencoder", "hopfield"];

impl ModelKind {
    /// The name as written in specs and stored as the model file's `kind`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Mlp => "mlp",
            Self::Perceptron => "perceptron",
            Self::Autoencoder => "autoencoder",
            Self::Hopfield => "hopfield",
        }
    }

    /// `[training]` keys this model does not take.
    fn refused_keys(&self) -> Vec<&'static str> {
        const OPTIMISER: [&str; 16] = [
            "loss",
            "optimiser",
            "momentum",
            "nesterov",
            "beta1",
            "beta2",
            "epsilon",
            "batch_size",
            "l1",
            "l2",
            "alpha",
            "dropout",
            "validation_fraction",
            "patience",
            "shuffle",
            "precision",
        ];
        let mut keys = Vec::new();
        if *self != Self::Mlp {
            keys.push("regression_targets");
        }
        if matches!(self, Self::Perceptron | Self::Hopfield) {
            keys.extend(OPTIMISER);
        }
        if *self == Self::Hopfield {
            keys.extend([
                "learning_rate",
                "epochs",
                "test_fraction",
                "samples",
                "noise",
            ]);
        }
        keys
    }
}

/// `[hopfield]`: which patterns are stored and how recall is tested.
#[derive(Clone, Debug, PartialEq)]
pub struct HopfieldSpec {
    /// Data set rows stored as patterns (`hopfield.patterns` with a data set; `None`: all).
    pub patterns: Option<usize>,
    /// Binarisation threshold of data set inputs: `+1` above, `−1` at or below.
    pub threshold: f64,
    /// Fraction of bits flipped in each recall cue.
    pub flip: f64,
    /// Most asynchronous sweeps per recall.
    pub sweeps: usize,
}

/// Activation names accepted by `layer.activation`, with the parameter keys each takes.
const ACTIVATIONS: [(&str, &[&str]); 13] = [
    ("identity", &[]),
    ("logistic", &[]),
    ("tanh", &[]),
    ("arctan", &[]),
    ("step", &[]),
    ("relu", &[]),
    ("leaky_relu", &["alpha"]),
    ("elu", &["alpha"]),
    ("softplus", &[]),
    ("softmax", &[]),
    ("lif", &["tau_rc", "tau_ref", "amplitude"]),
    ("lif_rate", &["tau_rc", "tau_ref", "amplitude"]),
    ("soft_lif", &["tau_rc", "tau_ref", "sigma", "amplitude"]),
];

/// Where the training data come from.
#[derive(Clone, Debug, PartialEq)]
pub enum DataSource {
    /// The four XOR points (the test set is the training set).
    Xor,
    /// Two interleaved spirals (`samples` per class, 1.5 turns, Gaussian `noise`).
    TwoSpirals {
        /// Samples per class.
        samples: usize,
        /// Noise standard deviation.
        noise: f64,
    },
    /// Concentric circles of radii 1 and 0.5 (`samples` per class, Gaussian `noise`).
    Circles {
        /// Samples per class.
        samples: usize,
        /// Noise standard deviation.
        noise: f64,
    },
    /// Two Gaussian blobs around (−1, −1) and (1, 1) (`samples` per class, Gaussian `noise`).
    Blobs {
        /// Samples per class.
        samples: usize,
        /// Noise standard deviation.
        noise: f64,
    },
    /// The shipped UCI 8×8 digits, pixels scaled to [0, 1].
    Digits,
    /// Random ±1 patterns for a Hopfield network (stream `dense/hopfield/patterns`).
    RandomPatterns {
        /// Units `N`.
        units: usize,
        /// Patterns `P`.
        patterns: usize,
    },
    /// A user CSV file (path resolved against the spec's folder).
    Csv {
        /// The file.
        path: PathBuf,
        /// Which columns are targets.
        target: CsvTarget,
    },
}

impl DataSource {
    /// The name used for random-stream keys and reports (`digits`, or the CSV file's stem).
    pub fn name(&self) -> String {
        match self {
            Self::Xor => "xor".into(),
            Self::TwoSpirals { .. } => "two_spirals".into(),
            Self::Circles { .. } => "circles".into(),
            Self::Blobs { .. } => "blobs".into(),
            Self::Digits => "digits".into(),
            Self::RandomPatterns { .. } => "random".into(),
            Self::Csv { path, .. } => path
                .file_stem()
                .map_or("data".into(), |s| s.to_string_lossy().into_owned()),
        }
    }

    /// Loads (or generates, from `seed`) the whole data set.
    pub fn load(&self, seed: u64) -> Result<Dataset, models::dense::DenseError> {
        Ok(match self {
            Self::Xor => datasets::xor(),
            Self::TwoSpirals { samples, noise } => {
                datasets::two_spirals(*samples, 1.5, *noise, seed)
            }
            Self::Circles { samples, noise } => datasets::circles(*samples, 0.5, *noise, seed),
            Self::Blobs { samples, noise } => datasets::blobs(*samples, *noise, seed),
            Self::Digits => datasets::digits(),
            Self::RandomPatterns { units, patterns } => {
                let x = hopfield::random_patterns(*patterns, *units, seed);
                Dataset::regression("random", x.clone(), x)?
            }
            Self::Csv { path, target } => datasets::load_csv(path, *target)?,
        })
    }
}

/// `[spiking]`: how `--to-spiking` presents inputs to the spiking network.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikingSpec {
    /// Presentation time per sample, time step and synaptic time constant.
    pub config: SpikingConfig,
    /// Test samples to present (`None`: the whole test set).
    pub samples: Option<usize>,
}

/// A validated training spec.
#[derive(Debug)]
pub struct TrainSpec {
    /// The spec file's path as given.
    pub file: String,
    /// The spec text as read.
    pub text: String,
    /// The `--set` overrides applied.
    pub overrides: Vec<String>,
    /// `training.model` (default `mlp`).
    pub model: ModelKind,
    /// `[[layer]]`, input to output (empty for the perceptron and the Hopfield network).
    pub layers: Vec<At<LayerShape>>,
    /// The loss (`training.loss`, default: cross-entropy for a softmax output, else MSE).
    pub loss: Loss,
    /// `training.dataset`.
    pub data: At<DataSource>,
    /// Factor applied to every input (`training.input_scale`).
    pub input_scale: f64,
    /// Fraction of the data held out as the test set (`training.test_fraction`).
    pub test_fraction: f64,
    /// Optimiser, batches, epochs, penalties, dropout, early stopping, seed (the perceptron:
    /// its learning rate as plain SGD, and `epochs` as the most epochs).
    pub config: TrainConfig,
    /// `[spiking]` (defaults when absent).
    pub spiking: SpikingSpec,
    /// `[hopfield]` (model `hopfield` only).
    pub hopfield: Option<HopfieldSpec>,
}

/// The data a training spec trains and tests on.
#[derive(Clone, Debug)]
pub struct SplitData {
    /// Training set (the trainer holds out its validation split from it).
    pub train: Dataset,
    /// Test set (only evaluated); for XOR the training set itself.
    pub test: Option<Dataset>,
}

impl TrainSpec {
    /// Reads and validates the training spec at `path` with `--set` overrides.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Self, SpecError> {
        let (file, text) = read_file(path)?;
        Self::parse(&file, &text, overrides)
    }

    /// Parses spec `text` (named `file` in errors; CSV paths resolve against its folder).
    pub fn parse(file: &str, text: &str, overrides: &[String]) -> Result<Self, SpecError> {
        let (sources, root) = parse_with_overrides(file, text, overrides)?;
        let mut r = TableReader::new(&sources, &root, "")?;
        let mut t = r.table("training")?.ok_or_else(|| {
            r.error(
                "training",
                ErrorKind::Invalid(
                    "missing required table (a training spec has [training] and [[layer]]; \
                     network specs for `spikesim run` have [simulation])"
                        .into(),
                ),
            )
        })?;
        let base = Path::new(file).parent().unwrap_or(Path::new(""));
        let model = read_model(&mut t)?;
        let not_for = |table: &TableReader<'_>, what: String| {
            SpecError::new(
                table.origin(),
                table.path().to_string(),
                ErrorKind::Invalid(what),
            )
        };
        let (hopfield, sizes) = match (model, r.table("hopfield")?) {
            (ModelKind::Hopfield, table) => {
                let (h, sizes) = read_hopfield(table)?;
                (Some(h), sizes)
            }
            (_, Some(table)) => {
                return Err(not_for(
                    &table,
                    format!(
                        "only `model = \"hopfield\"` takes this table (the model is `{}`)",
                        model.name()
                    ),
                ));
            }
            (_, None) => (None, HopfieldSizes::default()),
        };
        let (data, input_scale, test_fraction, config, loss_name) =
            read_training(&mut t, base, model, &sizes)?;
        let layer_tables = r.tables("layer")?;
        match (model, layer_tables.first()) {
            (ModelKind::Mlp | ModelKind::Autoencoder, None) => {
                return Err(r.error("layer", ErrorKind::Missing));
            }
            (ModelKind::Perceptron | ModelKind::Hopfield, Some(first)) => {
                return Err(not_for(
                    first,
                    format!(
                        "model `{}` has no [[layer]] ({})",
                        model.name(),
                        if model == ModelKind::Perceptron {
                            "it is one step unit over the inputs"
                        } else {
                            "its units are the patterns' components"
                        }
                    ),
                ));
            }
            _ => {}
        }
        let layers = layer_tables
            .into_iter()
            .map(|mut l| read_layer(&mut l))
            .collect::<Result<Vec<_>, _>>()?;
        let spiking = match r.table("spiking")? {
            Some(s) if model != ModelKind::Mlp => {
                return Err(not_for(
                    &s,
                    format!(
                        "only `model = \"mlp\"` runs as spiking LIF populations (the model is `{}`)",
                        model.name()
                    ),
                ));
            }
            Some(mut s) => read_spiking(&mut s)?,
            None => SpikingSpec {
                config: SpikingConfig::default(),
                samples: None,
            },
        };
        r.finish()?;
        let loss = match layers.last() {
            None => Loss::Mse,
            Some(out) => output_loss(&layers, out, loss_name.as_ref())?,
        };
        Ok(Self {
            file: file.to_string(),
            text: text.to_string(),
            overrides: overrides.to_vec(),
            model,
            layers,
            loss,
            data,
            input_scale,
            test_fraction,
            config,
            spiking,
            hopfield,
        })
    }

    /// The model's name (random streams `dense/<name>/…`, plot file names): the data set's
    /// name for an MLP, else `<data set>_<model>` (`digits_autoencoder`).
    pub fn name(&self) -> String {
        match self.model {
            ModelKind::Mlp => self.data.value.name(),
            m => format!("{}_{}", self.data.value.name(), m.name()),
        }
    }

    /// The layer shapes, input to output.
    pub fn shapes(&self) -> Vec<LayerShape> {
        self.layers.iter().map(|l| l.value).collect()
    }

    /// Rejects layers whose training would need more memory than the machine has, with
    /// `inputs` input columns: per parameter `(n_in + 1)·n_out` of each layer 8 bytes for
    /// each of the weights, their gradient, the optimiser's two moments and the best
    /// epoch's copy; per unit a batch (of at most `samples`) of activations, pre-activations
    /// and gradients. Errors name the widest layer's `units`.
    pub fn check_memory(&self, inputs: usize, samples: usize) -> Result<(), SpecError> {
        let Some(have) = crate::spec::physical_memory() else {
            return Ok(());
        };
        let mut n_in = inputs as f64;
        let (mut need, batch) = (0.0, self.config.batch_size.min(samples) as f64);
        for l in &self.layers {
            let n_out = l.value.units as f64;
            need += 8.0 * (5.0 * (n_in + 1.0) * n_out + 3.0 * batch * n_out);
            n_in = n_out;
        }
        let widest = self.layers.iter().max_by_key(|l| l.value.units);
        match widest {
            Some(l) if need > have as f64 => {
                let gib = (1u64 << 30) as f64;
                Err(l.error(ErrorKind::TooLarge {
                    need_gib: need / gib,
                    have_gib: have as f64 / gib,
                }))
            }
            _ => Ok(()),
        }
    }

    /// Loads the data, scales the inputs, checks them against the model (the output width
    /// must equal the class or target count, an autoencoder's its input width; the perceptron
    /// needs two classes) and splits off the stratified test set (stream
    /// `dense/<data set>/test_split`). A Hopfield network's data are its patterns (binarised,
    /// the first `hopfield.patterns` rows), with no test set. Errors name the
    /// `training.dataset` key or the output layer.
    pub fn data(&self) -> Result<SplitData, SpecError> {
        let seed = self.config.seed;
        let mut all = self
            .data
            .value
            .load(seed)
            .map_err(|e| self.data.error(ErrorKind::Invalid(e.to_string())))?;
        if self.input_scale != 1.0 {
            all.scale_inputs(self.input_scale);
        }
        self.check_memory(all.x.cols(), all.len())?;
        if let Some(h) = &self.hopfield {
            if !matches!(self.data.value, DataSource::RandomPatterns { .. }) {
                let n = h.patterns.unwrap_or(all.len()).min(all.len());
                let idx: Vec<usize> = (0..n).collect();
                all = all.select(&idx);
                all.x = hopfield::binarise(&all.x, h.threshold);
                all.y = all.x.clone();
            }
            return Ok(SplitData {
                train: all,
                test: None,
            });
        }
        match (self.model, self.layers.last()) {
            (ModelKind::Perceptron, _) if all.labels.is_none() || all.n_classes() != 2 => {
                return Err(self.data.error(ErrorKind::Invalid(format!(
                    "the perceptron separates 2 classes; data set `{}` has {}",
                    all.name,
                    if all.labels.is_some() {
                        format!("{} classes", all.n_classes())
                    } else {
                        "real-valued targets".into()
                    }
                ))));
            }
            (ModelKind::Autoencoder, Some(out)) if out.value.units != all.x.cols() => {
                return Err(out.error(ErrorKind::Invalid(format!(
                    "the output layer has {} units but data set `{}` has {} inputs (an \
                     autoencoder reconstructs its inputs)",
                    out.value.units,
                    all.name,
                    all.x.cols()
                ))));
            }
            (ModelKind::Mlp, Some(out)) if out.value.units != all.y.cols() => {
                let what = if all.labels.is_some() {
                    "classes"
                } else {
                    "target columns"
                };
                return Err(out.error(ErrorKind::Invalid(format!(
                    "the output layer has {} units but data set `{}` has {} {what}",
                    out.value.units,
                    all.name,
                    all.y.cols()
                ))));
            }
            _ => {}
        }
        if self.data.value == DataSource::Xor {
            return Ok(SplitData {
                test: Some(all.clone()),
                train: all,
            });
        }
        if self.test_fraction == 0.0 {
            return Ok(SplitData {
                train: all,
                test: None,
            });
        }
        let (test, train) = all.split(
            self.test_fraction,
            seed,
            &format!("dense/{}/test_split", self.data.value.name()),
        );
        Ok(SplitData {
            train,
            test: Some(test),
        })
    }
}

/// The loss for `layers` (`training.loss`, default: cross-entropy for a softmax output, else
/// MSE), checked against the output activation; softmax only on the output layer.
fn output_loss(
    layers: &[At<LayerShape>],
    out: &At<LayerShape>,
    loss_name: Option<&At<String>>,
) -> Result<Loss, SpecError> {
    let loss = match loss_name {
        Some(l) => Loss::parse(&l.value).map_err(|e| l.error(ErrorKind::Invalid(e.to_string())))?,
        None if out.value.activation == Activation::Softmax => Loss::CrossEntropy,
        None => Loss::Mse,
    };
    // Reported at the loss when it was given, else at the output layer.
    loss.check_output(&out.value.activation).map_err(|e| {
        let kind = ErrorKind::Invalid(e.to_string());
        loss_name.map_or_else(|| out.error(kind.clone()), |l| l.error(kind.clone()))
    })?;
    for (i, l) in layers.iter().enumerate() {
        if i + 1 < layers.len() && !l.value.activation.is_elementwise() {
            return Err(l.error(ErrorKind::Invalid(
                "softmax is for the output (last) layer only".into(),
            )));
        }
    }
    Ok(loss)
}

/// `unknown <what> `name` (known: a, b<also>); did you mean `x`?`.
fn unknown(what: &str, name: &str, known: &[&str], also: &str) -> ErrorKind {
    ErrorKind::Invalid(format!(
        "unknown {what} `{name}` (known: {}{also}){}",
        known.join(", "),
        closest(name, known.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default()
    ))
}

/// `training.model`.
fn read_model(t: &mut TableReader<'_>) -> Result<ModelKind, SpecError> {
    let Some(m) = t.str("model")? else {
        return Ok(ModelKind::Mlp);
    };
    Ok(match m.value.as_str() {
        "mlp" => ModelKind::Mlp,
        "perceptron" => ModelKind::Perceptron,
        "autoencoder" => ModelKind::Autoencoder,
        "hopfield" => ModelKind::Hopfield,
        other => return Err(m.error(unknown("model", other, &MODELS, ""))),
    })
}

/// `hopfield.units` and `hopfield.patterns` as written (their meaning depends on the data set).
#[derive(Default)]
struct HopfieldSizes {
    units: Option<At<u64>>,
    patterns: Option<At<u64>>,
}

/// `[hopfield]` (all keys optional; the table may be absent).
fn read_hopfield(
    table: Option<TableReader<'_>>,
) -> Result<(HopfieldSpec, HopfieldSizes), SpecError> {
    let mut spec = HopfieldSpec {
        patterns: None,
        threshold: 0.5,
        flip: 0.1,
        sweeps: 100,
    };
    let Some(mut h) = table else {
        return Ok((spec, HopfieldSizes::default()));
    };
    // Counts in 1..=max (the weights are an N × N matrix in memory).
    let count = |x: Option<At<u64>>, what: &str, max: u64| -> Result<Option<At<u64>>, SpecError> {
        match x {
            Some(a) if a.value == 0 || a.value > max => Err(a.error(ErrorKind::OutOfRange {
                value: a.value.to_string(),
                msg: format!("must be in 1 … {max} ({what})"),
            })),
            x => Ok(x),
        }
    };
    let units = count(h.u64("units")?, "units N", 5000)?;
    let patterns = count(h.u64("patterns")?, "stored patterns P", 5000)?;
    if let Some(t) = h.f64("threshold")? {
        spec.threshold = t.value;
    }
    if let Some(f) = h.f64("flip")? {
        spec.flip = f
            .check(
                |v| (0.0..=0.5).contains(&v),
                "must be in [0, 0.5] (a fraction of bits)",
            )?
            .value;
    }
    if let Some(s) = count(h.u64("sweeps")?, "sweeps per recall", 100_000)? {
        spec.sweeps = s.value as usize;
    }
    h.finish()?;
    spec.patterns = patterns.as_ref().map(|p| p.value as usize);
    Ok((spec, HopfieldSizes { units, patterns }))
}

type Training = (At<DataSource>, f64, f64, TrainConfig, Option<At<String>>);

/// Most samples per class of a generated data set (two_spirals, circles, blobs): their
/// points and one-hot targets then take at most a few GiB.
const MAX_GENERATED_SAMPLES: usize = 10_000_000;

fn read_training(
    t: &mut TableReader<'_>,
    base: &Path,
    model: ModelKind,
    sizes: &HopfieldSizes,
) -> Result<Training, SpecError> {
    for key in model.refused_keys() {
        if let Some(n) = t.node(key) {
            let what = match model {
                ModelKind::Hopfield => "it stores its patterns with the Hebbian rule in one step",
                ModelKind::Perceptron => {
                    "it learns with the perceptron rule: `learning_rate`, `epochs`"
                }
                _ => "its targets are its inputs",
            };
            return Err(t.at(key, n, ()).error(ErrorKind::Invalid(format!(
                "model `{}` takes no `{key}` ({what})",
                model.name()
            ))));
        }
    }
    let dataset = t.str("dataset")?.required(t, "dataset")?;
    let samples = t.u64("samples")?;
    let noise = t
        .f64("noise")?
        .map(|n| n.check(|x| x >= 0.0, "must be ≥ 0 (a standard deviation)"))
        .transpose()?;
    let regression_targets = t.u64("regression_targets")?;
    let generated = |default_noise: f64| -> Result<(usize, f64), SpecError> {
        let n = samples.as_ref().map_or(500, |s| s.value as usize);
        if n == 0 || n > MAX_GENERATED_SAMPLES {
            return Err(samples
                .as_ref()
                .expect("0 or a large count was written")
                .error(ErrorKind::OutOfRange {
                    value: n.to_string(),
                    msg: format!("must be in 1 … {MAX_GENERATED_SAMPLES} (samples per class)"),
                }));
        }
        Ok((n, noise.as_ref().map_or(default_noise, |x| x.value)))
    };
    let only_for = |at: &Option<At<u64>>, what: &str| -> Result<(), SpecError> {
        match at {
            Some(a) => Err(a.error(ErrorKind::Invalid(format!("only {what} take this key")))),
            None => Ok(()),
        }
    };
    const GENERATED: &str = "generated data sets (two_spirals, circles, blobs)";
    let is_csv = |d: &str| d.ends_with(".csv") || d.contains('/') || d.contains('\\');
    let hopfield = model == ModelKind::Hopfield;
    if hopfield && !matches!(dataset.value.as_str(), "random" | "digits") && !is_csv(&dataset.value)
    {
        return Err(dataset.error(ErrorKind::Invalid(format!(
            "model `hopfield` stores ±1 patterns: `random`, `digits` (binarised) or a CSV file, \
             not `{}`",
            dataset.value
        ))));
    }
    match (&sizes.units, dataset.value.as_str()) {
        (None, "random") if hopfield => {
            return Err(dataset.error(ErrorKind::Invalid(
                "random patterns need `hopfield.units` (N) and `hopfield.patterns` (P)".into(),
            )));
        }
        (Some(u), d) if d != "random" => {
            return Err(u.error(ErrorKind::Invalid(
                "only `dataset = \"random\"` takes this key (a data set's patterns have one unit \
                 per column)"
                    .into(),
            )));
        }
        _ => {}
    }
    let source = match dataset.value.as_str() {
        "random" if hopfield => {
            let units = sizes.units.as_ref().map_or(0, |u| u.value as usize);
            let patterns = sizes.patterns.as_ref().ok_or_else(|| {
                dataset.error(ErrorKind::Invalid(
                    "random patterns need `hopfield.units` (N) and `hopfield.patterns` (P)".into(),
                ))
            })?;
            DataSource::RandomPatterns {
                units,
                patterns: patterns.value as usize,
            }
        }
        "xor" | "two_spirals" | "spirals" | "circles" | "blobs" | "digits" => {
            only_for(&regression_targets, "CSV data sets")?;
            match dataset.value.as_str() {
                "xor" | "digits" => {
                    only_for(&samples, GENERATED)?;
                    if let Some(n) = &noise {
                        return Err(n.error(ErrorKind::Invalid(format!(
                            "only {GENERATED} take this key"
                        ))));
                    }
                    if dataset.value == "xor" {
                        DataSource::Xor
                    } else {
                        DataSource::Digits
                    }
                }
                "circles" => {
                    let (samples, noise) = generated(0.05)?;
                    DataSource::Circles { samples, noise }
                }
                "blobs" => {
                    let (samples, noise) = generated(0.3)?;
                    DataSource::Blobs { samples, noise }
                }
                _ => {
                    let (samples, noise) = generated(0.02)?;
                    DataSource::TwoSpirals { samples, noise }
                }
            }
        }
        other if is_csv(other) => {
            only_for(&samples, GENERATED)?;
            let target = match &regression_targets {
                Some(k) if k.value == 0 => {
                    return Err(k.error(ErrorKind::OutOfRange {
                        value: "0".into(),
                        msg: "must be ≥ 1 (number of target columns)".into(),
                    }));
                }
                Some(k) => CsvTarget::LastColumns(k.value as usize),
                None if matches!(model, ModelKind::Autoencoder | ModelKind::Hopfield) => {
                    CsvTarget::InputsOnly
                }
                None => CsvTarget::LastColumnLabel,
            };
            DataSource::Csv {
                path: base.join(other),
                target,
            }
        }
        other => {
            let known: Vec<&str> = if hopfield {
                vec!["random", "digits"]
            } else {
                DATASETS.to_vec()
            };
            return Err(dataset.error(unknown(
                "data set",
                other,
                &known,
                "; or a path to a .csv file",
            )));
        }
    };
    let data = dataset.map(|_| source);
    let input_scale = t.f64("input_scale")?.map_or(Ok(1.0), |x| {
        x.check(|v| v != 0.0, "must be non-zero").map(|x| x.value)
    })?;
    let test_fraction = t.f64("test_fraction")?.map_or(Ok(0.2), |x| {
        x.check(|v| (0.0..1.0).contains(&v), "must be in [0, 1)")
            .map(|x| x.value)
    })?;
    let loss = t.str("loss")?;

    let optimiser = t.str("optimiser")?.unwrap_or_else(|| {
        let sgd = model == ModelKind::Perceptron;
        t.default("optimiser", if sgd { "sgd" } else { "adam" }.into())
    });
    let lr_default = if model == ModelKind::Perceptron {
        1.0
    } else if optimiser.value == "adam" {
        1e-3
    } else {
        1e-2
    };
    let lr = t
        .f64("learning_rate")?
        .unwrap_or_else(|| t.default("learning_rate", lr_default))
        .check(|x| x > 0.0, "must be > 0")?
        .value;
    let momentum = t.f64("momentum")?;
    let nesterov = t.bool("nesterov")?;
    let beta1 = t.f64("beta1")?;
    let beta2 = t.f64("beta2")?;
    let epsilon = t.f64("epsilon")?;
    let unit = |x: Option<At<f64>>, default: f64| -> Result<f64, SpecError> {
        x.map_or(Ok(default), |x| {
            x.check(|v| (0.0..1.0).contains(&v), "must be in [0, 1)")
                .map(|x| x.value)
        })
    };
    let not_for = |x: &Option<At<f64>>, opt: &str| -> Result<(), SpecError> {
        match x {
            Some(a) => Err(a.error(ErrorKind::Invalid(format!(
                "optimiser `{opt}` takes no such parameter"
            )))),
            None => Ok(()),
        }
    };
    let opt = match optimiser.value.as_str() {
        "sgd" => {
            for x in [&momentum, &beta1, &beta2, &epsilon] {
                not_for(x, "sgd")?;
            }
            if let Some(n) = &nesterov {
                return Err(n.error(ErrorKind::Invalid(
                    "optimiser `sgd` takes no such parameter; use `momentum`".into(),
                )));
            }
            Optimiser::Sgd { lr }
        }
        "momentum" => {
            for x in [&beta1, &beta2, &epsilon] {
                not_for(x, "momentum")?;
            }
            Optimiser::Momentum {
                lr,
                momentum: unit(momentum, 0.9)?,
                nesterov: nesterov.is_some_and(|n| n.value),
            }
        }
        "adam" => {
            not_for(&momentum, "adam")?;
            if let Some(n) = &nesterov {
                return Err(n.error(ErrorKind::Invalid(
                    "optimiser `adam` takes no such parameter".into(),
                )));
            }
            Optimiser::Adam {
                lr,
                beta1: unit(beta1, 0.9)?,
                beta2: unit(beta2, 0.999)?,
                eps: epsilon.map_or(Ok(1e-8), |x| {
                    x.check(|v| v > 0.0, "must be > 0").map(|x| x.value)
                })?,
            }
        }
        other => {
            return Err(optimiser.error(unknown(
                "optimiser",
                other,
                &["sgd", "momentum", "adam"],
                "",
            )));
        }
    };
    let positive = |x: Option<At<u64>>, key: &str, default: u64| -> Result<usize, SpecError> {
        match x {
            Some(a) if a.value == 0 => Err(a.error(ErrorKind::OutOfRange {
                value: "0".into(),
                msg: format!("must be ≥ 1 ({key})"),
            })),
            Some(a) => Ok(a.value as usize),
            None => Ok(default as usize),
        }
    };
    let batch_size = positive(t.u64("batch_size")?, "samples per batch", 32)?;
    let epochs = positive(t.u64("epochs")?, "passes over the data", 100)?;
    let penalty = |x: Option<At<f64>>| -> Result<f64, SpecError> {
        x.map_or(Ok(0.0), |x| {
            x.check(|v| v >= 0.0, "must be ≥ 0").map(|x| x.value)
        })
    };
    let l1 = penalty(t.f64("l1")?)?;
    let l2 = penalty(t.f64("l2")?)?;
    let alpha = penalty(t.f64("alpha")?)?;
    let dropout = unit(t.f64("dropout")?, 0.0)?;
    let validation = t.f64("validation_fraction")?;
    let validation_fraction = unit(validation.clone(), 0.0)?;
    let patience = match t.u64("patience")? {
        Some(p) if p.value == 0 => {
            return Err(p.error(ErrorKind::OutOfRange {
                value: "0".into(),
                msg: "must be ≥ 1 (epochs without improvement before stopping)".into(),
            }));
        }
        Some(p) if validation_fraction == 0.0 => {
            return Err(p.error(ErrorKind::Invalid(
                "early stopping needs a validation split: set `validation_fraction` > 0".into(),
            )));
        }
        p => p.map(|p| p.value as usize),
    };
    let seed = t.u64("seed")?.map_or(0, |s| s.value);
    let shuffle = t.bool("shuffle")?.is_none_or(|s| s.value);
    let precision = match t.str("precision")? {
        None => Precision::default(),
        Some(p) => match p.value.as_str() {
            "f32" => Precision::F32,
            "f64" => Precision::F64,
            other => {
                return Err(p.error(ErrorKind::Invalid(format!(
                    "unknown precision `{other}` (known: f32, f64)"
                ))));
            }
        },
    };
    t.finish()?;
    let config = TrainConfig {
        epochs,
        batch_size,
        optimiser: opt,
        l2,
        alpha,
        l1,
        dropout,
        validation_fraction,
        patience,
        seed,
        shuffle,
        precision,
    };
    Ok((data, input_scale, test_fraction, config, loss))
}

fn read_layer(t: &mut TableReader<'_>) -> Result<At<LayerShape>, SpecError> {
    let units = t.u64("units")?.required(t, "units")?;
    if units.value == 0 {
        return Err(units.error(ErrorKind::OutOfRange {
            value: "0".into(),
            msg: "must be ≥ 1".into(),
        }));
    }
    let act = t.str("activation")?.required(t, "activation")?;
    let Some((name, takes)) = ACTIVATIONS.iter().find(|(n, _)| *n == act.value) else {
        let names: Vec<&str> = ACTIVATIONS.iter().map(|(n, _)| *n).collect();
        return Err(act.error(unknown("activation", &act.value, &names, "")));
    };
    let mut args = Vec::new();
    for key in ["alpha", "tau_rc", "tau_ref", "sigma", "amplitude"] {
        if let Some(v) = t.f64(key)? {
            if !takes.contains(&key) {
                return Err(v.error(ErrorKind::Invalid(format!(
                    "activation `{name}` takes no `{key}`{}",
                    if takes.is_empty() {
                        String::new()
                    } else {
                        format!(" (it takes {})", takes.join(", "))
                    }
                ))));
            }
            args.push(format!("{key}={:?}", v.value));
        }
    }
    let text = if args.is_empty() {
        name.to_string()
    } else {
        format!("{name}({})", args.join(", "))
    };
    let activation =
        Activation::parse(&text).map_err(|e| act.error(ErrorKind::Invalid(e.to_string())))?;
    let init = match t.str("init")? {
        None => None,
        Some(i) => Some(match i.value.as_str() {
            "glorot" => Init::Glorot,
            "he" => Init::He,
            "sklearn" => Init::Sklearn,
            other => {
                return Err(i.error(ErrorKind::Invalid(format!(
                    "unknown initialisation `{other}` (known: glorot, he, sklearn)"
                ))));
            }
        }),
    };
    t.finish()?;
    Ok(units.map(|&u| LayerShape {
        units: u as usize,
        activation,
        init,
    }))
}

fn read_spiking(t: &mut TableReader<'_>) -> Result<SpikingSpec, SpecError> {
    let d = SpikingConfig::default();
    let time = |x: Option<At<f64>>, default: f64| -> Result<f64, SpecError> {
        x.map_or(Ok(default), |x| x.positive_time().map(|x| x.value))
    };
    let presentation = time(t.f64("presentation")?, d.presentation)?;
    let dt = time(t.f64("dt")?, d.dt)?;
    let synapse = time(t.f64("synapse")?, d.synapse)?;
    let samples = match t.u64("samples")? {
        Some(s) if s.value == 0 => {
            return Err(s.error(ErrorKind::OutOfRange {
                value: "0".into(),
                msg: "must be ≥ 1 (test samples to present)".into(),
            }));
        }
        s => s.map(|s| s.value as usize),
    };
    t.finish()?;
    Ok(SpikingSpec {
        config: SpikingConfig {
            presentation,
            dt,
            synapse,
            ..d
        },
        samples,
    })
}

/// The files of a spiking network spec written by `spikesim train --to-spiking`.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikingExport {
    /// `(file name, contents)`: the spec (`<stem>.toml`) first, then the CSV files it names.
    pub files: Vec<(String, String)>,
    /// Population whose spike counts feed the linear readout (the last hidden layer).
    pub readout_population: String,
    /// Scale from that population's rates (Hz) to activation units.
    pub amplitude: f64,
}

fn csv_rows(rows: usize, cols: usize, data: &[f64]) -> String {
    let mut out = String::with_capacity(rows * cols * 12);
    for r in 0..rows {
        let line: Vec<String> = data[r * cols..(r + 1) * cols]
            .iter()
            .map(|v| format!("{v:?}"))
            .collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// Writes `mlp` as a network spec for `spikesim run` (Hunsberger & Eliasmith 2015): every hidden
/// layer `l` (all `lif`/`soft_lif`) becomes a LIF population `layer<l>` with the layer's time
/// constants and initial voltages uniform in [0, 1); the rows of `x` are presented in turn for
/// `cfg.presentation` s each as the current `x·W₀ + b₀` into `layer0` (an `[[input]]` of kind
/// `current`, through an exponential synapse of `cfg.synapse` s); layer `l` drives layer `l+1`
/// through an explicit all-to-all projection of weights `amplitude·W/τ` (each spike an impulse of
/// area `amplitude·W` into an exponential synapse, so a neuron firing at `r` Hz delivers
/// `amplitude·r·W` on average, what the rate network computes), delay one step, and a constant
/// current `b_l`. The output layer stays a linear readout of the last hidden layer's spike
/// counts, computed by `spikesim eval MODEL.h5 RUN.h5`. File names start with `stem` (paths
/// in the spec are relative to it).
pub fn spiking_spec(
    mlp: &models::dense::Mlp,
    x: &models::dense::Matrix,
    cfg: &SpikingConfig,
    stem: &str,
    header: &str,
) -> Result<SpikingExport, models::dense::DenseError> {
    let lifs = models::dense::spiking::check_convertible(mlp)?;
    if x.cols() != mlp.n_in() {
        return Err(models::dense::DenseError::Shape {
            object: "spiking input".into(),
            msg: format!("{} features, model takes {}", x.cols(), mlp.n_in()),
        });
    }
    let steps = (cfg.presentation / cfg.dt).round().max(1.0);
    let duration = steps * cfg.dt * x.rows() as f64;
    let mut spec = String::new();
    for line in header.lines() {
        spec.push_str(&format!("# {line}\n"));
    }
    spec.push_str(&format!(
        "\n[simulation]\ndt = {:?}\nduration = {duration:?}\nseed = {}\n",
        cfg.dt, cfg.seed
    ));
    let mut files = Vec::new();
    let hidden = lifs.len();
    for (l, (params, _)) in lifs.iter().enumerate() {
        let layer = &mlp.layers[l];
        let n = layer.n_out();
        spec.push_str(&format!(
            "\n[[population]]\nname = \"layer{l}\"\nsize = {n}\nmodel = \"lif\"\ntau_rc = {:?}\n\
             tau_ref = {:?}\nv0 = {{dist = \"uniform\", low = 0.0, high = 1.0}}\n",
            params.tau_rc, params.tau_ref
        ));
        let bias_file = format!("{stem}.b{l}.csv");
        files.push((bias_file.clone(), csv_rows(1, n, &layer.b)));
        if l == 0 {
            let (values, weights) = (format!("{stem}.inputs.csv"), format!("{stem}.w0.csv"));
            files.push((values.clone(), csv_rows(x.rows(), x.cols(), x.data())));
            files.push((weights.clone(), csv_rows(layer.n_in(), n, layer.w.data())));
            spec.push_str(&format!(
                "\n[[input]]\nname = \"samples\"\nkind = \"current\"\ntarget = \"layer0\"\n\
                 values = \"{values}\"\nweights = \"{weights}\"\nbias = \"{bias_file}\"\n\
                 presentation = {:?}\ntau_syn = {:?}\n",
                steps * cfg.dt,
                cfg.synapse
            ));
        } else {
            spec.push_str(&format!(
                "\n[[input]]\nname = \"bias{l}\"\nkind = \"current\"\ntarget = \"layer{l}\"\n\
                 bias = \"{bias_file}\"\n"
            ));
            let amp = lifs[l - 1].1;
            let w = &mlp.layers[l].w;
            let mut text = String::from("source,target,weight\n");
            for i in 0..w.rows() {
                for (j, v) in w.row(i).iter().enumerate() {
                    text.push_str(&format!("{i},{j},{:?}\n", amp * v / cfg.synapse));
                }
            }
            let file = format!("{stem}.w{l}.csv");
            files.push((file.clone(), text));
            spec.push_str(&format!(
                "\n[[projection]]\nname = \"w{l}\"\nsource = \"layer{}\"\ntarget = \"layer{l}\"\n\
                 rule = \"explicit\"\nfile = \"{file}\"\nreceptor = \"exponential\"\n\
                 tau_syn = {:?}\ndelay = {:?}\n",
                l - 1,
                cfg.synapse,
                cfg.dt
            ));
        }
    }
    files.insert(0, (format!("{stem}.toml"), spec));
    Ok(SpikingExport {
        files,
        readout_population: format!("layer{}", hidden - 1),
        amplitude: lifs[hidden - 1].1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGITS: &str = "[training]\ndataset = \"digits\"\nepochs = 3\nbatch_size = 64\n\n\
        [[layer]]\nunits = 20\nactivation = \"relu\"\n\n[[layer]]\nunits = 10\nactivation = \"softmax\"\n";

    #[test]
    fn reads_layers_training_and_defaults() {
        let s = TrainSpec::parse("t.toml", DIGITS, &[]).unwrap();
        assert_eq!(s.layers.len(), 2);
        assert_eq!(s.loss, Loss::CrossEntropy);
        assert_eq!(s.config.epochs, 3);
        assert_eq!(s.config.batch_size, 64);
        assert_eq!(s.config.optimiser, Optimiser::adam(1e-3));
        let d = s.data().unwrap();
        assert_eq!(d.train.len() + d.test.as_ref().unwrap().len(), 1797);
        let s = TrainSpec::parse(
            "t.toml",
            DIGITS,
            &[
                "training.optimiser=momentum".into(),
                "layer.0.activation=soft_lif".into(),
            ],
        )
        .unwrap();
        assert!(
            matches!(s.config.optimiser, Optimiser::Momentum { momentum, .. } if momentum == 0.9)
        );
        assert_eq!(s.layers[0].value.activation, Activation::soft_lif());
        let s = TrainSpec::parse(
            "t.toml",
            DIGITS,
            &["training.alpha=1e-4".into(), "layer.1.init=sklearn".into()],
        )
        .unwrap();
        assert_eq!((s.config.alpha, s.config.l2), (1e-4, 0.0));
        assert_eq!(s.layers[0].value.init, None);
        assert_eq!(s.layers[1].value.init, Some(Init::Sklearn));
        let e = TrainSpec::parse("t.toml", DIGITS, &["layer.0.init=lecun".into()])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "`layer.0.init`: unknown initialisation `lecun` (known: glorot, he, sklearn)"
            ),
            "{e}"
        );
        let e = TrainSpec::parse("t.toml", DIGITS, &["training.alpha=-1".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("`training.alpha`"), "{e}");
    }

    /// Sizes beyond the machine are errors at their key, not failed allocations.
    #[test]
    fn sizes_beyond_the_machine_are_errors() {
        let e = TrainSpec::parse("t.toml", DIGITS, &["layer.0.units=2147483648".into()])
            .unwrap()
            .data()
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(
                "--set layer.0.units=2147483648: `layer.0.units`: the network needs about"
            ),
            "{e}"
        );
        // A batch larger than the data set counts as the data set.
        let s = TrainSpec::parse("t.toml", DIGITS, &["training.batch_size=4000000000".into()]);
        s.unwrap().data().unwrap();
        let blobs = "[training]\ndataset = \"blobs\"\nsamples = 4294967296\n\n\
            [[layer]]\nunits = 2\nactivation = \"softmax\"\n";
        let e = TrainSpec::parse("t.toml", blobs, &[])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "t.toml:3:11: `training.samples`: 4294967296 must be in 1 … 10000000 (samples per class)"
        );
    }

    /// `examples/dense/digits.toml` is the scikit-learn comparison's setting
    /// (`tasks::digits_config`, `tasks::digits_layers`), so `spikesim train` on it reproduces
    /// the compared model.
    #[test]
    fn digits_example_is_the_scikit_learn_setting() {
        let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/dense/digits.toml");
        let s = TrainSpec::load(&p, &[]).unwrap();
        let seed = s.config.seed;
        assert_eq!(s.config, models::dense::tasks::digits_config(200, seed));
        assert_eq!(s.shapes(), models::dense::tasks::digits_layers().to_vec());
        assert_eq!(s.loss, Loss::CrossEntropy);
        assert_eq!((s.test_fraction, s.input_scale), (0.2, 1.0));
    }

    #[test]
    fn errors_carry_file_line_and_key() {
        let bad = DIGITS.replace("batch_size", "batch_sise");
        let e = TrainSpec::parse("t.toml", &bad, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(
                "t.toml:4:1: `training.batch_sise`: unknown key; did you mean `batch_size`?"
            ),
            "{e}"
        );
        let bad = DIGITS.replace("\"relu\"", "\"rleu\"");
        let e = TrainSpec::parse("t.toml", &bad, &[])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.toml:8:14: `layer.0.activation`"), "{e}");
        assert!(e.contains("did you mean `relu`"), "{e}");
        let bad = DIGITS.replace(
            "activation = \"relu\"",
            "activation = \"relu\"\nsigma = 0.1",
        );
        let e = TrainSpec::parse("t.toml", &bad, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.toml:9:9: `layer.0.sigma`: activation `relu` takes no `sigma`"),
            "{e}"
        );
        let e = TrainSpec::parse("t.toml", DIGITS, &["training.patience=3".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("validation_fraction"), "{e}");
        let e = TrainSpec::parse(
            "t.toml",
            "[[layer]]\nunits = 2\nactivation = \"softmax\"\n",
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("[training]"), "{e}");
    }

    /// A two-hidden-layer soft-LIF net exported with `spiking_spec` runs under `Spec` (the
    /// `current` input, the explicit projection and the bias input all take part): the readout
    /// from the last layer's spike counts per presentation matches the LIF-rate network's
    /// outputs within 25 % of their spread (measured: 20 %).
    #[test]
    fn exported_spiking_spec_computes_the_rate_network() {
        use models::dense::matrix::Matrix;
        use models::dense::mlp::Mlp;
        let s = |u, a| LayerShape {
            units: u,
            activation: a,
            init: None,
        };
        let act = Activation::soft_lif();
        let mut m = Mlp::new(
            "export",
            4,
            &[s(40, act), s(40, act), s(3, Activation::Softmax)],
            Loss::CrossEntropy,
            3,
        )
        .unwrap();
        m.layers[1].w.data_mut().iter_mut().for_each(|w| *w *= 8.0);
        m.layers[2].w.data_mut().iter_mut().for_each(|w| *w *= 8.0);
        let k = 12;
        let x = Matrix::from_vec(
            k,
            4,
            (0..4 * k)
                .map(|i| ((i * 37 % 101) as f64 / 50.0) - 1.0)
                .collect(),
        )
        .unwrap();
        let cfg = SpikingConfig {
            presentation: 1.0,
            synapse: 0.02,
            ..Default::default()
        };
        let dir = std::env::temp_dir().join(format!("netspec-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let export = spiking_spec(&m, &x, &cfg, "snn", "test export").unwrap();
        for (name, text) in &export.files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        assert_eq!(export.readout_population, "layer1");
        let spec = crate::Spec::load(&dir.join("snn.toml"), &[]).unwrap();
        let mut net = spec.build().unwrap();
        let steps_per = (cfg.presentation / cfg.dt).round() as u64;
        assert_eq!(net.steps, steps_per * k as u64);
        let mut counts = vec![0.0; k * 40];
        for step in 0..net.steps {
            net.simulator.step().unwrap();
            for &id in &net.simulator.spikes()[1].ids {
                counts[(step / steps_per) as usize * 40 + id as usize] += 1.0;
            }
        }
        let out = &m.layers[2];
        let mut z = Matrix::default();
        m.hardened().predict_with(&x, Some(&mut z));
        let mut err = 0.0;
        for r in 0..k {
            for j in 0..3 {
                let v: f64 = out.b[j]
                    + (0..40)
                        .map(|i| {
                            export.amplitude * counts[r * 40 + i] / cfg.presentation
                                * out.w.row(i)[j]
                        })
                        .sum::<f64>();
                err += (v - z.row(r)[j]).powi(2);
            }
        }
        let err = (err / (3 * k) as f64).sqrt();
        let d = z.data();
        let mean = d.iter().sum::<f64>() / d.len() as f64;
        let spread = (d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / d.len() as f64).sqrt();
        // Count quantisation and each window's start-up transient (the synapses and voltages
        // carry over from the previous sample) leave ~5 % errors on this strongly coupled net.
        assert!(
            err < 0.25 * spread,
            "readout error {err} vs spread {spread}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    fn err(text: &str, overrides: &[&str]) -> String {
        let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        match TrainSpec::parse("t.toml", text, &o) {
            Err(e) => e.to_string(),
            Ok(s) => s.data().expect_err("an error").to_string(),
        }
    }

    const AE: &str = "[training]\nmodel = \"autoencoder\"\ndataset = \"digits\"\n\n[[layer]]\n\
        units = 16\nactivation = \"relu\"\n\n[[layer]]\nunits = 64\nactivation = \"logistic\"\n";
    const HF: &str = "[training]\nmodel = \"hopfield\"\ndataset = \"random\"\nseed = 2\n\n[hopfield]\nunits = 50\npatterns = 3\n";
    const PC: &str = "[training]\nmodel = \"perceptron\"\ndataset = \"blobs\"\n";

    #[test]
    fn autoencoder_hopfield_and_perceptron_specs() {
        let s = TrainSpec::parse("t.toml", AE, &[]).unwrap();
        assert_eq!((s.model, s.loss), (ModelKind::Autoencoder, Loss::Mse));
        assert_eq!(s.name(), "digits_autoencoder");
        let d = s.data().unwrap();
        let n = d.train.len() + d.test.unwrap().len();
        assert_eq!((d.train.x.cols(), n), (64, 1797));
        let s = TrainSpec::parse("t.toml", AE, &["training.loss=bce".into()]);
        assert_eq!(s.unwrap().loss, Loss::BinaryCrossEntropy);

        let s = TrainSpec::parse("t.toml", HF, &[]).unwrap();
        let h = s.hopfield.clone().unwrap();
        let settings = (h.flip, h.sweeps, h.threshold, h.patterns);
        assert_eq!(settings, (0.1, 100, 0.5, Some(3)));
        let d = s.data().unwrap();
        assert_eq!(d.train.x, hopfield::random_patterns(3, 50, 2));
        assert!(d.test.is_none());
        // Digits: the first P images, binarised at the threshold.
        let digits = HF
            .replace("dataset = \"random\"", "dataset = \"digits\"")
            .replace("units = 50\n", "");
        let d = TrainSpec::parse("t.toml", &digits, &["hopfield.patterns=5".into()])
            .unwrap()
            .data()
            .unwrap();
        let want = hopfield::binarise(&datasets::digits().x.slice_rows(0, 5), 0.5);
        assert_eq!(d.train.x, want);

        let s = TrainSpec::parse("t.toml", PC, &[]).unwrap();
        assert_eq!(s.config.optimiser, Optimiser::Sgd { lr: 1.0 });
        assert_eq!((s.config.epochs, s.layers.len()), (100, 0));
        assert_eq!(s.data().unwrap().train.x.cols(), 2);
    }

    /// Each model refuses the keys and tables it does not take, naming file, line and key.
    #[test]
    fn model_errors_name_the_key() {
        let layer = "[[layer]]\nunits = 2\nactivation = \"relu\"\n";
        let cases: Vec<(String, &[&str], &[&str])> = vec![
            (
                AE.into(),
                &["layer.1.units=10"],
                &["`layer.1.units`", "64 inputs"],
            ),
            (
                AE.replace("\"autoencoder\"", "\"autoencodr\""),
                &[],
                &["t.toml:2:9: `training.model`", "did you mean `autoencoder`"],
            ),
            (
                AE.into(),
                &["training.regression_targets=2"],
                &["model `autoencoder` takes no `regression_targets`"],
            ),
            (
                format!("{AE}\n[spiking]\ndt = 0.001\n"),
                &[],
                &["`spiking`", "only `model = \"mlp\"`"],
            ),
            (
                AE.replace("\"digits\"", "\"random\""),
                &[],
                &["unknown data set `random`"],
            ),
            (
                HF.into(),
                &["training.learning_rate=0.1"],
                &["`training.learning_rate`: model `hopfield` takes no `learning_rate`"],
            ),
            (
                HF.replace("units = 50\n", ""),
                &[],
                &["`training.dataset`", "hopfield.units"],
            ),
            (
                HF.into(),
                &["training.dataset=digits"],
                &["`hopfield.units`: only `dataset = \"random\"`"],
            ),
            (
                HF.into(),
                &["training.dataset=xor"],
                &["stores ±1 patterns"],
            ),
            (
                HF.into(),
                &["hopfield.flip=0.7"],
                &["`hopfield.flip`", "[0, 0.5]"],
            ),
            (
                HF.replace("patterns = 3", "pattern = 3"),
                &[],
                &["did you mean `patterns`"],
            ),
            (
                format!("{HF}{layer}"),
                &[],
                &["`layer.0`", "has no [[layer]]"],
            ),
            (
                format!("{DIGITS}\n[hopfield]\nflip = 0.1\n"),
                &[],
                &["`hopfield`", "the model is `mlp`"],
            ),
            (
                PC.into(),
                &["training.dataset=digits"],
                &["separates 2 classes", "10 classes"],
            ),
            (
                PC.into(),
                &["training.batch_size=3"],
                &["model `perceptron` takes no `batch_size`"],
            ),
            (format!("{PC}{layer}"), &[], &["one step unit"]),
        ];
        for (text, overrides, want) in cases {
            let e = err(&text, overrides);
            assert!(want.iter().all(|w| e.contains(w)), "{want:?}: {e}");
        }
    }

    /// Every training spec shipped in `examples/dense/` parses and loads its data.
    #[test]
    fn shipped_training_examples_load() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/dense");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                let s = TrainSpec::load(&p, &[]).unwrap_or_else(|e| panic!("{e}"));
                s.data().unwrap_or_else(|e| panic!("{e}"));
                n += 1;
            }
        }
        assert!(n >= 4, "{n} examples");
    }

    #[test]
    fn data_errors_name_the_key() {
        let bad = DIGITS.replace("\"digits\"", "\"no/such/file.csv\"");
        let s = TrainSpec::parse("dir/t.toml", &bad, &[]).unwrap();
        let e = s.data().unwrap_err().to_string();
        assert!(e.starts_with("dir/t.toml:2:11: `training.dataset`"), "{e}");
        assert!(e.contains("dir/no/such/file.csv"), "{e}");
        let bad = DIGITS.replace("units = 10", "units = 3");
        let e = TrainSpec::parse("t.toml", &bad, &[])
            .unwrap()
            .data()
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`layer.1.units`") && e.contains("10 classes"),
            "{e}"
        );
    }
}

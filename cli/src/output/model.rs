//! Trained dense models in HDF5 (`spikesim train -o MODEL.h5`, read by `spikesim eval`):
//!
//! ```text
//! /                       attrs format = "spikesim-dense-model", format_version = 1,
//!                               kind ("mlp", "autoencoder", "perceptron", "hopfield"), loss
//!                               ("none" for hopfield), n_layers (0 for hopfield)
//! /layers/<i>             attrs activation (text, e.g. "soft_lif(tau_rc=0.02, …)"), n_in, n_out
//! /layers/<i>/weights     float64 [n_in, n_out] (row-major: W[i, j] from input i to unit j)
//! /layers/<i>/bias        float64 [n_out]
//! /metadata               one string attribute per training fact (data set, optimiser, seed,
//!                         epochs, accuracies, spec_toml, …)
//! /history                float64 [epochs] per curve: epoch, seconds, train_loss,
//!                         train_accuracy, validation_loss, validation_accuracy, test_loss,
//!                         test_accuracy (NaN where not measured)
//! /spiking                (with --to-spiking) attrs spec, readout_population, presentation,
//!                         dt, synapse, amplitude; dataset labels uint64 [samples]: the labels
//!                         of the samples the spiking spec presents, in order
//! /hopfield/weights       (kind hopfield) float64 [N, N]: symmetric Hebbian weights, zero
//!                         diagonal
//! /hopfield/patterns      (kind hopfield) float64 [P, N]: the stored ±1 patterns
//! ```
//! An autoencoder is its layers (input to output; the code layer is the narrowest before the
//! output); a perceptron is one layer of one `step` unit. Model-specific figures (recall
//! overlap, reconstruction error, `code_layer`, `flip`, `sweeps`, `threshold`) are
//! `/metadata` attributes.
//! Parameters are stored in f64, so a loaded model predicts bit-identically. Written to a
//! temporary file in the target's folder and renamed when complete.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use hdf5::types::VarLenUnicode;
use hdf5::{File, Group, Location};
use models::dense::io::{HopfieldRecord, LayerRecord, ModelRecord};
use models::dense::mlp::Metrics;
use models::dense::training::EpochRecord;

use super::h5::{attr, attr_str, group};

/// Value of the root `format` attribute.
pub const FORMAT: &str = "spikesim-dense-model";
/// Value of the root `format_version` attribute.
pub const FORMAT_VERSION: u32 = 1;

/// How the spiking spec written by `--to-spiking` presents the test samples.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikingInfo {
    /// The spiking spec's file name.
    pub spec: String,
    /// Population whose spike counts feed the linear readout (the last hidden layer).
    pub readout_population: String,
    /// Presentation time per sample, s.
    pub presentation: f64,
    /// Time step, s.
    pub dt: f64,
    /// Synaptic time constant, s.
    pub synapse: f64,
    /// Scale from the readout population's rates (Hz) to activation units.
    pub amplitude: f64,
    /// Label of each presented sample, in order.
    pub labels: Vec<u64>,
}

/// Everything a model file holds.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFile {
    /// The model (layers, loss, metadata).
    pub record: ModelRecord,
    /// Per-epoch figures of the training run (empty if unknown).
    pub history: Vec<EpochRecord>,
    /// Present when a spiking spec was written for the model.
    pub spiking: Option<SpikingInfo>,
}

fn read_attr_str(loc: &Location, name: &str) -> Result<String> {
    loc.attr(name)
        .and_then(|a| a.read_scalar::<VarLenUnicode>())
        .with_context(|| format!("missing or unreadable string attribute `{name}`"))
        .map(|s| super::h5::text(s.as_bytes()))
}

fn read_attr<T: hdf5::H5Type>(loc: &Location, name: &str) -> Result<T> {
    loc.attr(name)
        .and_then(|a| a.read_scalar::<T>())
        .with_context(|| format!("missing or unreadable attribute `{name}`"))
}

fn write_f64s(g: &Group, name: &str, values: &[f64], shape: &[usize]) -> Result<()> {
    super::h5::dataset(g, name, shape, values).map(|_| ())
}

/// Writes `model` to `path` (through a temporary file renamed at the end).
pub fn save(path: &Path, model: &ModelFile) -> Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let tmp = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = write(&tmp, model).and_then(|()| {
        std::fs::rename(&tmp, path).with_context(|| format!("cannot rename to {}", path.display()))
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("cannot write the model file {}", path.display()))
}

fn write(path: &PathBuf, model: &ModelFile) -> Result<()> {
    let f = File::create(path)?;
    let r = &model.record;
    attr_str(&f, "format", FORMAT)?;
    attr(&f, "format_version", &FORMAT_VERSION)?;
    attr_str(&f, "kind", &r.kind)?;
    attr_str(&f, "loss", &r.loss)?;
    attr(&f, "n_layers", &(r.layers.len() as u64))?;
    let layers = group(&f, "layers")?;
    for (i, l) in r.layers.iter().enumerate() {
        let g = group(&layers, &i.to_string())?;
        attr_str(&g, "activation", &l.activation)?;
        attr(&g, "n_in", &(l.n_in as u64))?;
        attr(&g, "n_out", &(l.n_out as u64))?;
        write_f64s(&g, "weights", &l.weights, &[l.n_in, l.n_out])?;
        write_f64s(&g, "bias", &l.bias, &[l.n_out])?;
    }
    let meta = group(&f, "metadata")?;
    for (k, v) in &r.metadata {
        attr_str(&meta, k, v)?;
    }
    let h = group(&f, "history")?;
    let n = model.history.len();
    let col = |pick: &dyn Fn(&EpochRecord) -> f64| -> Vec<f64> {
        model.history.iter().map(pick).collect()
    };
    let loss = |m: Option<Metrics>| m.map_or(f64::NAN, |m| m.loss);
    let acc = |m: Option<Metrics>| m.and_then(|m| m.accuracy).unwrap_or(f64::NAN);
    write_f64s(&h, "epoch", &col(&|e| e.epoch as f64), &[n])?;
    write_f64s(&h, "seconds", &col(&|e| e.seconds), &[n])?;
    write_f64s(&h, "train_loss", &col(&|e| e.train.loss), &[n])?;
    write_f64s(&h, "train_accuracy", &col(&|e| acc(Some(e.train))), &[n])?;
    write_f64s(&h, "validation_loss", &col(&|e| loss(e.validation)), &[n])?;
    write_f64s(
        &h,
        "validation_accuracy",
        &col(&|e| acc(e.validation)),
        &[n],
    )?;
    write_f64s(&h, "test_loss", &col(&|e| loss(e.test)), &[n])?;
    write_f64s(&h, "test_accuracy", &col(&|e| acc(e.test)), &[n])?;
    if let Some(h) = &r.hopfield {
        let g = group(&f, "hopfield")?;
        let n = h.units;
        write_f64s(&g, "weights", &h.weights, &[n, n])?;
        write_f64s(
            &g,
            "patterns",
            &h.patterns,
            &[h.patterns.len() / n.max(1), n],
        )?;
    }
    if let Some(s) = &model.spiking {
        let g = group(&f, "spiking")?;
        attr_str(&g, "spec", &s.spec)?;
        attr_str(&g, "readout_population", &s.readout_population)?;
        attr(&g, "presentation", &s.presentation)?;
        attr(&g, "dt", &s.dt)?;
        attr(&g, "synapse", &s.synapse)?;
        attr(&g, "amplitude", &s.amplitude)?;
        g.new_dataset::<u64>()
            .shape([s.labels.len()])
            .create("labels")
            .and_then(|d| d.write_raw(&s.labels))
            .context("cannot write dataset `labels`")?;
    }
    f.close()?;
    Ok(())
}

/// Reads a model file written by [`save`]; errors name the file and what is missing or
/// inconsistent.
pub fn load(path: &Path) -> Result<ModelFile> {
    read(path).with_context(|| format!("cannot read the model file {}", path.display()))
}

fn read(path: &Path) -> Result<ModelFile> {
    let f = File::open(path)?;
    let format = read_attr_str(&f, "format").unwrap_or_default();
    if format != FORMAT {
        bail!(
            "not a spikesim dense model (root attribute `format` is {format:?}, expected {FORMAT:?})"
        );
    }
    let version: u32 = read_attr(&f, "format_version")?;
    if version != FORMAT_VERSION {
        bail!("model format version {version}, this spikesim reads {FORMAT_VERSION}");
    }
    let n_layers: u64 = read_attr(&f, "n_layers")?;
    let layers_group = f.group("layers").context("no /layers group")?;
    let mut layers = Vec::with_capacity(n_layers as usize);
    for i in 0..n_layers {
        let g = layers_group
            .group(&i.to_string())
            .with_context(|| format!("no /layers/{i} group"))?;
        let n_in: u64 = read_attr(&g, "n_in")?;
        let n_out: u64 = read_attr(&g, "n_out")?;
        let weights = g
            .dataset("weights")
            .and_then(|d| d.read_raw::<f64>())
            .with_context(|| format!("/layers/{i}/weights"))?;
        let bias = g
            .dataset("bias")
            .and_then(|d| d.read_raw::<f64>())
            .with_context(|| format!("/layers/{i}/bias"))?;
        layers.push(LayerRecord {
            n_in: n_in as usize,
            n_out: n_out as usize,
            weights,
            bias,
            activation: read_attr_str(&g, "activation")?,
        });
    }
    let mut metadata = Vec::new();
    if let Ok(meta) = f.group("metadata") {
        for k in meta.attr_names()? {
            let v = read_attr_str(&meta, &k)?;
            metadata.push((k, v));
        }
    }
    let hopfield = match f.group("hopfield") {
        Ok(g) => {
            let weights = g.dataset("weights").context("/hopfield/weights")?;
            let shape = weights.shape();
            let units = shape.first().copied().unwrap_or(0);
            if shape != [units, units] {
                bail!("/hopfield/weights has shape {shape:?}, expected [N, N]");
            }
            Some(HopfieldRecord {
                units,
                weights: weights.read_raw::<f64>().context("/hopfield/weights")?,
                patterns: g
                    .dataset("patterns")
                    .and_then(|d| d.read_raw::<f64>())
                    .context("/hopfield/patterns")?,
            })
        }
        Err(_) => None,
    };
    let record = ModelRecord {
        kind: read_attr_str(&f, "kind")?,
        loss: read_attr_str(&f, "loss")?,
        layers,
        metadata,
        hopfield,
    };
    let history = match f.group("history") {
        Ok(h) => read_history(&h)?,
        Err(_) => Vec::new(),
    };
    let spiking = match f.group("spiking") {
        Ok(g) => Some(SpikingInfo {
            spec: read_attr_str(&g, "spec")?,
            readout_population: read_attr_str(&g, "readout_population")?,
            presentation: read_attr(&g, "presentation")?,
            dt: read_attr(&g, "dt")?,
            synapse: read_attr(&g, "synapse")?,
            amplitude: read_attr(&g, "amplitude")?,
            labels: g
                .dataset("labels")
                .and_then(|d| d.read_raw::<u64>())
                .context("/spiking/labels")?,
        }),
        Err(_) => None,
    };
    Ok(ModelFile {
        record,
        history,
        spiking,
    })
}

fn read_history(h: &Group) -> Result<Vec<EpochRecord>> {
    let col = |name: &str| -> Result<Vec<f64>> {
        h.dataset(name)
            .and_then(|d| d.read_raw::<f64>())
            .with_context(|| format!("/history/{name}"))
    };
    let epoch = col("epoch")?;
    let cols: Vec<Vec<f64>> = [
        "seconds",
        "train_loss",
        "train_accuracy",
        "validation_loss",
        "validation_accuracy",
        "test_loss",
        "test_accuracy",
    ]
    .iter()
    .map(|n| col(n))
    .collect::<Result<_>>()?;
    if cols.iter().any(|c| c.len() != epoch.len()) {
        bail!("/history columns have different lengths");
    }
    let opt = |x: f64| (!x.is_nan()).then_some(x);
    let metrics = |l: f64, a: f64| {
        opt(l).map(|loss| Metrics {
            loss,
            accuracy: opt(a),
        })
    };
    Ok((0..epoch.len())
        .map(|i| EpochRecord {
            epoch: epoch[i] as usize,
            seconds: cols[0][i],
            train: Metrics {
                loss: cols[1][i],
                accuracy: opt(cols[2][i]),
            },
            validation: metrics(cols[3][i], cols[4][i]),
            test: metrics(cols[5][i], cols[6][i]),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use models::dense::activations::Activation;
    use models::dense::datasets;
    use models::dense::losses::Loss;
    use models::dense::mlp::{LayerShape, Mlp};
    use models::dense::training::{TrainConfig, train};

    /// A trained soft-LIF model saved and loaded back predicts bit-identically, and its
    /// metadata, history and spiking record survive.
    #[test]
    fn save_load_round_trip_is_bit_exact() {
        let dir = std::env::temp_dir().join(format!("spikesim-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.h5");
        let data = datasets::two_spirals(50, 1.5, 0.02, 3);
        let s = |u, a| LayerShape {
            units: u,
            activation: a,
            init: None,
        };
        let mut mlp = Mlp::new(
            "rt",
            2,
            &[
                s(16, Activation::soft_lif()),
                s(8, Activation::Tanh),
                s(2, Activation::Softmax),
            ],
            Loss::CrossEntropy,
            5,
        )
        .unwrap();
        let cfg = TrainConfig {
            epochs: 3,
            validation_fraction: 0.2,
            ..Default::default()
        };
        let history = train("rt", &mut mlp, &data, Some(&data), &cfg, &mut |_| {}).unwrap();
        let file = ModelFile {
            record: ModelRecord::from_mlp("mlp", &mlp, vec![("seed".into(), "5".into())]),
            history: history.epochs.clone(),
            spiking: Some(SpikingInfo {
                spec: "x.toml".into(),
                readout_population: "layer1".into(),
                presentation: 0.1,
                dt: 1e-3,
                synapse: 5e-3,
                amplitude: 0.01,
                labels: vec![1, 0, 3],
            }),
        };
        save(&path, &file).unwrap();
        let back = load(&path).unwrap();
        assert_eq!(back, file);
        let loaded = back.record.to_mlp().unwrap();
        let (a, b) = (mlp.predict(&data.x), loaded.predict(&data.x));
        assert!(
            a.data()
                .iter()
                .zip(b.data())
                .all(|(p, q)| p.to_bits() == q.to_bits())
        );
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A Hopfield network round-trips bit-exactly through its `/hopfield` group.
    #[test]
    fn hopfield_round_trip() {
        let dir = std::env::temp_dir().join(format!("spikesim-model-hf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("h.h5");
        let pats = models::dense::hopfield::random_patterns(4, 30, 2);
        let net = models::dense::hopfield::Hopfield::store(&pats).unwrap();
        let file = ModelFile {
            record: ModelRecord::from_hopfield(&net, &pats, vec![("flip".into(), "0.1".into())]),
            history: vec![],
            spiking: None,
        };
        save(&path, &file).unwrap();
        let back = load(&path).unwrap();
        assert_eq!(back, file);
        assert_eq!(back.record.to_hopfield().unwrap(), (net, pats));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn foreign_files_are_rejected() {
        let dir = std::env::temp_dir().join(format!("spikesim-model-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("not_a_model.h5");
        File::create(&path).unwrap();
        let e = format!("{:#}", load(&path).unwrap_err());
        assert!(e.contains("not a spikesim dense model"), "{e}");
        let e = format!("{:#}", load(&dir.join("missing.h5")).unwrap_err());
        assert!(e.contains("missing.h5"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}

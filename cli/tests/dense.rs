//! The dense-model examples run from the command line: `spikesim train` on
//! `examples/dense/{autoencoder,hopfield,perceptron}.toml` writes the model, its figures and
//! plots; `spikesim eval` reads the model back and reproduces them; the figures match the
//! library experiments behind `spikesim validate dense`.

mod common;

use std::path::Path;

use common::{bin, example, run, s, str_attr, tmpdir};

/// A `/metadata` attribute of a model file, parsed as a number.
fn meta(model: &Path, key: &str) -> f64 {
    let f = hdf5::File::open(model).unwrap();
    str_attr(&f.group("metadata").unwrap(), key)
        .parse()
        .unwrap_or_else(|e| panic!("{key}: {e}"))
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `spikesim train examples/dense/<name>.toml -o DIR/<model> EXTRA…` in a fresh DIR:
/// `(DIR, model file, spec, stdout)`.
fn train(
    name: &str,
    model: &str,
    extra: &[&str],
) -> (
    std::path::PathBuf,
    std::path::PathBuf,
    std::path::PathBuf,
    String,
) {
    let dir = tmpdir(&format!("dense-{name}"));
    let out = dir.join(model);
    let spec = example(&format!("dense/{name}.toml"));
    let mut args = vec!["train", s(&spec), "-o", s(&out)];
    args.extend_from_slice(extra);
    let text = stdout(&run(&args));
    (dir, out, spec, text)
}

/// The number after `key` in `text` (`key 0.1234 …`).
fn number_after(text: &str, key: &str) -> f64 {
    let at = text
        .find(key)
        .unwrap_or_else(|| panic!("`{key}` not in:\n{text}"));
    text[at + key.len()..]
        .split_whitespace()
        .next()
        .and_then(|w| w.trim_end_matches([',', ';', ')']).parse().ok())
        .unwrap_or_else(|| panic!("no number after `{key}` in:\n{text}"))
}

/// The digits autoencoder reconstructs the test images to ≤ 0.2 of the pixel variance (the
/// level docs/dense.md states), the same model as the `validate dense` case (same figure to
/// the last digit), and `eval` on the model's test split reports the same error.
#[test]
fn autoencoder_example_reconstructs_the_digits() {
    let plots = tmpdir("dense-ae-plots");
    let (dir, model, _, text) = train("autoencoder", "ae.h5", &["--plots", s(&plots)]);
    let ratio = meta(&model, "test_mse_over_variance");
    assert!(ratio <= 0.2, "MSE/variance {ratio}\n{text}");
    assert!(text.contains("test reconstruction MSE"), "{text}");
    let lib = models::dense::tasks::digits_autoencoder(1, false).unwrap();
    assert_eq!(ratio, lib.test_error / lib.baseline);
    assert_eq!(meta(&model, "test_mse"), lib.test_error);
    for plot in [
        "digits_autoencoder_loss.png",
        "digits_autoencoder_reconstructions.png",
    ] {
        assert!(plots.join(plot).exists(), "{plot}");
    }
    let e = stdout(&run(&["eval", s(&model), "digits"]));
    assert!(e.contains("359 samples"), "{e}");
    assert!(
        (number_after(&e, "MSE") - lib.test_error).abs() < 1e-6,
        "{e}"
    );
    // CSV data: every column is an input; a width that does not fit is an input error.
    let csv = dir.join("three.csv");
    std::fs::write(&csv, "1,0,1\n0,1,0\n").unwrap();
    let o = bin().args(["eval", s(&model), s(&csv)]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("64 inputs"));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_dir_all(&plots).ok();
}

/// At α = 0.05 every stored pattern is recalled from a cue with 10 % of its bits flipped
/// (overlap ≥ 0.95; the figure equals `hopfield::capacity_overlap`, the `validate dense`
/// experiment); at α = 0.2, beyond α_c ≈ 0.138, recall fails (overlap ≤ 0.8); `eval` recalls
/// the stored patterns from noisier cues.
#[test]
fn hopfield_example_recalls_below_capacity_and_fails_beyond() {
    let (dir, model, spec, text) = train("hopfield", "h.h5", &[]);
    let m = meta(&model, "recall_mean_overlap");
    assert!(m >= 0.95, "{m}\n{text}");
    assert_eq!(
        m,
        models::dense::hopfield::capacity_overlap(1000, 50, 0.1, 1)
    );
    assert_eq!(meta(&model, "load_alpha"), 0.05);
    assert!(text.contains("retrieval is expected and found"), "{text}");
    let e = stdout(&run(&["eval", s(&model), "stored", "--flip", "0.2"]));
    assert!(number_after(&e, "mean overlap") >= 0.95, "{e}");
    assert!(number_after(&e, "cues of mean overlap") < 0.7, "{e}");

    let beyond = dir.join("beyond.h5");
    let text = stdout(&run(&[
        "train",
        s(&spec),
        "-o",
        s(&beyond),
        "--plots",
        s(&dir),
        "--set",
        "hopfield.units=400",
        "--set",
        "hopfield.patterns=80",
    ]));
    let m = meta(&beyond, "recall_mean_overlap");
    assert!(m <= 0.8, "α = 0.2: {m}\n{text}");
    assert!(
        text.contains("retrieval is not expected and not found"),
        "{text}"
    );
    for plot in ["random_hopfield_recall.png", "random_hopfield_capacity.png"] {
        assert!(dir.join(plot).exists(), "{plot}");
    }
    let o = bin()
        .args(["eval", s(&model), "stored", "--flip", "0.7"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

/// The perceptron separates the blobs (converges, test accuracy 1, also through `eval`) and
/// cannot learn XOR.
#[test]
fn perceptron_example_separates_blobs_but_not_xor() {
    let plots = tmpdir("dense-perceptron-plots");
    let (dir, model, _, text) = train("perceptron", "p.h5", &["--plots", s(&plots)]);
    assert!(text.contains("converged"), "{text}");
    assert_eq!(meta(&model, "test_accuracy"), 1.0);
    assert!(plots.join("blobs_perceptron_boundary.png").exists());
    let e = stdout(&run(&["eval", s(&model), "blobs"]));
    assert!(e.contains("accuracy 1.0000 (200/200)"), "{e}");

    let xor = dir.join("xor.h5");
    let xor_spec = dir.join("xor.toml");
    std::fs::write(
        &xor_spec,
        "[training]\nmodel = \"perceptron\"\ndataset = \"xor\"\nepochs = 50\n",
    )
    .unwrap();
    let text = stdout(&run(&["train", s(&xor_spec), "-o", s(&xor)]));
    assert!(text.contains("not converged"), "{text}");
    assert!(meta(&xor, "test_accuracy") <= 0.75);
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_dir_all(&plots).ok();
}

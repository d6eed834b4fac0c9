//! Data sets: XOR, two spirals, concentric circles and two Gaussian blobs generated in code, the UCI 8×8
//! handwritten digits shipped in the repository (`models/data/digits.csv`, CC BY 4.0, see
//! `models/data/digits.LICENSE.md`), and CSV loading for users' own data.
//!
//! Random draws come from `simcore::rng::stream(seed, "dataset/<name>")`.

use super::DenseError;
use super::matrix::Matrix;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, Normal};
use std::f64::consts::PI;

/// Inputs and targets, one sample per row.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Name (for errors and random-stream keys).
    pub name: String,
    /// Inputs, `n × d`.
    pub x: Matrix,
    /// Targets, `n × k` (one-hot rows for classification).
    pub y: Matrix,
    /// Class labels (classification only).
    pub labels: Option<Vec<usize>>,
}

/// The shipped digits CSV (64 pixels 0..16, then the label).
pub const DIGITS_CSV: &str = include_str!("../../data/digits.csv");

impl Dataset {
    /// A classification set: one-hot targets over `n_classes` (≥ 2) from `labels`.
    pub fn classification(
        name: &str,
        x: Matrix,
        labels: Vec<usize>,
        n_classes: usize,
    ) -> Result<Self, DenseError> {
        if labels.len() != x.rows() {
            return Err(DenseError::Shape {
                object: format!("data set `{name}`"),
                msg: format!("{} samples but {} labels", x.rows(), labels.len()),
            });
        }
        if let Some(&bad) = labels.iter().find(|&&l| l >= n_classes) {
            return Err(DenseError::Param {
                object: format!("data set `{name}`"),
                key: "label",
                value: bad.to_string(),
                msg: format!("labels must be below the class count {n_classes}"),
            });
        }
        let mut y = Matrix::zeros(x.rows(), n_classes.max(2));
        for (i, &l) in labels.iter().enumerate() {
            y.row_mut(i)[l] = 1.0;
        }
        Ok(Self {
            name: name.to_string(),
            x,
            y,
            labels: Some(labels),
        })
    }

    /// A regression set (no labels).
    pub fn regression(name: &str, x: Matrix, y: Matrix) -> Result<Self, DenseError> {
        if x.rows() != y.rows() {
            return Err(DenseError::Shape {
                object: format!("data set `{name}`"),
                msg: format!("{} input rows but {} target rows", x.rows(), y.rows()),
            });
        }
        Ok(Self {
            name: name.to_string(),
            x,
            y,
            labels: None,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.x.rows()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.x.rows() == 0
    }

    /// Number of classes (target width) of a classification set.
    pub fn n_classes(&self) -> usize {
        self.y.cols()
    }

    /// The samples at `indices`.
    pub fn select(&self, indices: &[usize]) -> Self {
        Self {
            name: self.name.clone(),
            x: self.x.select_rows(indices),
            y: self.y.select_rows(indices),
            labels: self
                .labels
                .as_ref()
                .map(|l| indices.iter().map(|&i| l[i]).collect()),
        }
    }

    /// Splits off a random `fraction` of the samples: `(part, rest)`, drawn from the stream
    /// `key` under `seed`. With labels the split is stratified (each class split alike).
    pub fn split(&self, fraction: f64, seed: u64, key: &str) -> (Self, Self) {
        let (part, rest) = self.split_indices(fraction, seed, key);
        (self.select(&part), self.select(&rest))
    }

    /// The row indices of [`split`](Self::split): `(part, rest)`, each ascending (so another
    /// program can reproduce the split exactly).
    pub fn split_indices(&self, fraction: f64, seed: u64, key: &str) -> (Vec<usize>, Vec<usize>) {
        let mut rng = simcore::rng::stream(seed, key);
        let mut part = Vec::new();
        let mut rest = Vec::new();
        let groups: Vec<Vec<usize>> = match &self.labels {
            Some(labels) => (0..self.n_classes())
                .map(|c| (0..self.len()).filter(|&i| labels[i] == c).collect())
                .collect(),
            None => vec![(0..self.len()).collect()],
        };
        for mut g in groups {
            g.shuffle(&mut rng);
            let k = (fraction * g.len() as f64).round() as usize;
            part.extend_from_slice(&g[..k]);
            rest.extend_from_slice(&g[k..]);
        }
        part.sort_unstable();
        rest.sort_unstable();
        (part, rest)
    }

    /// Multiplies every input by `factor` (e.g. 1/16 for the digits' pixel range).
    pub fn scale_inputs(&mut self, factor: f64) {
        self.x.data_mut().iter_mut().for_each(|v| *v *= factor);
    }
}

/// XOR: the four corners of the unit square, class `x₁ xor x₂`.
pub fn xor() -> Dataset {
    let x = Matrix::from_vec(4, 2, vec![0., 0., 0., 1., 1., 0., 1., 1.]).expect("4×2");
    Dataset::classification("xor", x, vec![0, 1, 1, 0], 2).expect("valid labels")
}

/// Two interleaved spirals (`n` samples per class, `turns` turns, Gaussian noise of standard
/// deviation `noise` on each coordinate). Class 0 is `r·(cos φ, sin φ)` with
/// `φ = turns·2π·√u`, `u ~ U(0,1)` (even density along the arc), `r = φ/(turns·2π)` so points
/// lie within the unit disc; class 1 is class 0 rotated by π.
pub fn two_spirals(n: usize, turns: f64, noise: f64, seed: u64) -> Dataset {
    let mut rng = simcore::rng::stream(seed, "dataset/two_spirals");
    let normal = Normal::new(0.0, noise.abs()).expect("finite noise");
    let mut data = Vec::with_capacity(4 * n);
    let mut labels = Vec::with_capacity(2 * n);
    for _ in 0..n {
        let u: f64 = rng.random();
        let phi = turns * 2.0 * PI * u.sqrt();
        let r = phi / (turns * 2.0 * PI);
        for (class, sign) in [(0, 1.0), (1, -1.0)] {
            data.push(sign * r * phi.cos() + normal.sample(&mut rng));
            data.push(sign * r * phi.sin() + normal.sample(&mut rng));
            labels.push(class);
        }
    }
    let x = Matrix::from_vec(2 * n, 2, data).expect("2n×2");
    Dataset::classification("two_spirals", x, labels, 2).expect("valid labels")
}

/// Concentric circles as scikit-learn's `make_circles`: `n` samples per class on circles of
/// radius 1 (class 0) and `factor` (class 1), with Gaussian noise `noise` per coordinate.
pub fn circles(n: usize, factor: f64, noise: f64, seed: u64) -> Dataset {
    let mut rng = simcore::rng::stream(seed, "dataset/circles");
    let normal = Normal::new(0.0, noise.abs()).expect("finite noise");
    let mut data = Vec::with_capacity(4 * n);
    let mut labels = Vec::with_capacity(2 * n);
    for _ in 0..n {
        for (class, r) in [(0, 1.0), (1, factor)] {
            let phi: f64 = rng.random::<f64>() * 2.0 * PI;
            data.push(r * phi.cos() + normal.sample(&mut rng));
            data.push(r * phi.sin() + normal.sample(&mut rng));
            labels.push(class);
        }
    }
    let x = Matrix::from_vec(2 * n, 2, data).expect("2n×2");
    Dataset::classification("circles", x, labels, 2).expect("valid labels")
}

/// Two Gaussian blobs, linearly separable for small `noise`: `n` samples per class around
/// `(−1, −1)` (class 0) and `(1, 1)` (class 1), Gaussian noise `noise` per coordinate. The
/// perceptron's data set: the classes are a distance `√2` from the separating line `x₁ + x₂ = 0`,
/// so with `noise` ≤ 0.3 (4.7 standard deviations) the sample is separable almost surely.
pub fn blobs(n: usize, noise: f64, seed: u64) -> Dataset {
    let mut rng = simcore::rng::stream(seed, "dataset/blobs");
    let normal = Normal::new(0.0, noise.abs()).expect("finite noise");
    let mut data = Vec::with_capacity(4 * n);
    let mut labels = Vec::with_capacity(2 * n);
    for _ in 0..n {
        for (class, c) in [(0, -1.0), (1, 1.0)] {
            data.push(c + normal.sample(&mut rng));
            data.push(c + normal.sample(&mut rng));
            labels.push(class);
        }
    }
    let x = Matrix::from_vec(2 * n, 2, data).expect("2n×2");
    Dataset::classification("blobs", x, labels, 2).expect("valid labels")
}

/// The UCI 8×8 digits (1797 samples, 10 classes), pixels scaled to [0, 1].
pub fn digits() -> Dataset {
    let mut d = parse_csv(DIGITS_CSV, "digits", CsvTarget::LastColumnLabel)
        .expect("shipped digits CSV parses");
    d.scale_inputs(1.0 / 16.0);
    d
}

/// Which columns of a CSV file are targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvTarget {
    /// The last column holds integer class labels 0..K−1 (classification).
    LastColumnLabel,
    /// The last `k` columns are real-valued targets (regression).
    LastColumns(usize),
    /// Every column is an input; the targets are the inputs themselves (autoencoders, Hopfield
    /// patterns).
    InputsOnly,
}

/// Parses comma-separated numbers, one sample per line. A first line that is not all numbers
/// is taken as a header; blank lines and lines starting with `#` are skipped. Errors name the
/// line.
pub fn parse_csv(text: &str, name: &str, target: CsvTarget) -> Result<Dataset, DenseError> {
    let err = |line: usize, msg: String| DenseError::Data {
        path: name.to_string(),
        line,
        msg,
    };
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut width = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let parsed: Result<Vec<f64>, _> = fields.iter().map(|f| f.parse::<f64>()).collect();
        let values = match parsed {
            Ok(v) => v,
            Err(_) if rows.is_empty() && width.is_none() => {
                width = Some(fields.len());
                continue;
            }
            Err(_) => {
                let bad = fields
                    .iter()
                    .find(|f| f.parse::<f64>().is_err())
                    .unwrap_or(&"");
                return Err(err(i + 1, format!("`{bad}` is not a number")));
            }
        };
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(err(i + 1, format!("non-finite value {v}")));
        }
        match width {
            Some(w) if w != values.len() => {
                return Err(err(i + 1, format!("{} fields, expected {w}", values.len())));
            }
            _ => width = Some(values.len()),
        }
        rows.push(values);
    }
    let width = width.unwrap_or(0);
    let n_targets = match target {
        CsvTarget::LastColumnLabel => 1,
        CsvTarget::LastColumns(k) => k,
        CsvTarget::InputsOnly => 0,
    };
    if rows.is_empty()
        || width <= n_targets
        || (n_targets == 0) != (target == CsvTarget::InputsOnly)
    {
        return Err(err(
            0,
            format!("need at least one sample with inputs and {n_targets} target column(s)"),
        ));
    }
    let d = width - n_targets;
    let x = Matrix::from_vec(
        rows.len(),
        d,
        rows.iter().flat_map(|r| r[..d].iter().copied()).collect(),
    )
    .expect("rectangular");
    match target {
        CsvTarget::LastColumnLabel => {
            let mut labels = Vec::with_capacity(rows.len());
            for (i, r) in rows.iter().enumerate() {
                let l = r[d];
                if l < 0.0 || l.fract() != 0.0 || l > 1e6 {
                    return Err(err(
                        0,
                        format!(
                            "sample {}: label {l} is not a class number 0, 1, 2, …",
                            i + 1
                        ),
                    ));
                }
                labels.push(l as usize);
            }
            let n_classes = labels.iter().max().map_or(0, |m| m + 1);
            Dataset::classification(name, x, labels, n_classes)
        }
        CsvTarget::InputsOnly => Dataset::regression(name, x.clone(), x),
        CsvTarget::LastColumns(_) => {
            let y = Matrix::from_vec(
                rows.len(),
                n_targets,
                rows.iter().flat_map(|r| r[d..].iter().copied()).collect(),
            )
            .expect("rectangular");
            Dataset::regression(name, x, y)
        }
    }
}

/// Reads and parses a CSV file (see [`parse_csv`]).
pub fn load_csv(path: &std::path::Path, target: CsvTarget) -> Result<Dataset, DenseError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| DenseError::Data {
        path: name.clone(),
        line: 0,
        msg: e.to_string(),
    })?;
    parse_csv(&text, &name, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_has_1797_samples_of_64_pixels_in_ten_classes() {
        let d = digits();
        assert_eq!((d.len(), d.x.cols(), d.n_classes()), (1797, 64, 10));
        assert!(d.x.data().iter().all(|&v| (0.0..=1.0).contains(&v)));
        let labels = d.labels.as_ref().unwrap();
        for c in 0..10 {
            let k = labels.iter().filter(|&&l| l == c).count();
            assert!((170..=190).contains(&k), "class {c}: {k}");
        }
    }

    #[test]
    fn generators_are_seeded_and_shaped() {
        assert_eq!(two_spirals(50, 1.5, 0.02, 1), two_spirals(50, 1.5, 0.02, 1));
        assert_ne!(two_spirals(50, 1.5, 0.02, 1), two_spirals(50, 1.5, 0.02, 2));
        let c = circles(100, 0.5, 0.0, 3);
        for (row, &l) in c.x.row_iter().zip(c.labels.as_ref().unwrap()) {
            let r = row[0].hypot(row[1]);
            assert!((r - [1.0, 0.5][l]).abs() < 1e-12);
        }
        let s = two_spirals(200, 1.5, 0.0, 3);
        // Class 1 is class 0 rotated by π.
        assert_eq!(s.x.row(0)[0], -s.x.row(1)[0]);
        assert_eq!(xor().labels.unwrap(), vec![0, 1, 1, 0]);
    }

    #[test]
    fn stratified_split_keeps_class_shares() {
        let d = digits();
        let (test, train) = d.split(0.2, 0, "t");
        assert_eq!(test.len() + train.len(), d.len());
        let count = |s: &Dataset, c| {
            s.labels
                .as_ref()
                .unwrap()
                .iter()
                .filter(|&&l| l == c)
                .count()
        };
        for c in 0..10 {
            assert!((count(&test, c) as f64 - 0.2 * count(&d, c) as f64).abs() <= 1.0);
        }
    }

    #[test]
    fn csv_errors_name_the_line() {
        let ok = parse_csv("a,b,label\n1,2,0\n3,4,1\n", "t", CsvTarget::LastColumnLabel).unwrap();
        assert_eq!((ok.len(), ok.x.cols(), ok.n_classes()), (2, 2, 2));
        let e = parse_csv("1,2,0\n3,x,1\n", "f.csv", CsvTarget::LastColumnLabel).unwrap_err();
        assert!(e.to_string().starts_with("f.csv:2:"), "{e}");
        let e = parse_csv("1,2,0\n3,1\n", "f.csv", CsvTarget::LastColumnLabel).unwrap_err();
        assert!(e.to_string().contains(":2:"), "{e}");
        assert!(parse_csv("1,2,0.5\n", "f", CsvTarget::LastColumnLabel).is_err());
        let r = parse_csv("1,2,0.5\n", "f", CsvTarget::LastColumns(2)).unwrap();
        assert_eq!((r.x.cols(), r.y.cols()), (1, 2));
        assert!(parse_csv("", "f", CsvTarget::LastColumns(1)).is_err());
        let r = parse_csv("# x\n1,2,0.5\n3,4,5\n", "f", CsvTarget::InputsOnly).unwrap();
        assert_eq!((r.x.cols(), r.y, r.labels), (3, r.x.clone(), None));
        assert!(parse_csv("# only a comment\n", "f", CsvTarget::InputsOnly).is_err());
        // A file-level error names the file without a line number.
        let e = load_csv(
            std::path::Path::new("/no/such/dir/d.csv"),
            CsvTarget::LastColumnLabel,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("/no/such/dir/d.csv: "), "{e}");
    }
}

//! `[[input]]` with `kind = "current"`: a per-neuron input current into a population, as a
//! sequence of input vectors presented one after another (a data set shown to a network):
//!
//! ```toml
//! [[input]]
//! name = "images"
//! kind = "current"
//! target = "hidden0"
//! values = "digits_snn/inputs.csv"   # K rows × d columns: one input vector per presentation
//! weights = "digits_snn/w0.csv"      # d rows × N columns (omit when d = N: identity)
//! bias = "digits_snn/b0.csv"         # one row of N values, added at all times
//! presentation = 0.1                 # s per row (a whole number of steps)
//! tau_syn = 0.005                    # optional exponential synapse on the current, s
//! ```
//!
//! During presentation `k` (time `[k·T, (k+1)·T)`) neuron `j` receives
//! `J_j = Σ_i values[k, i]·weights[i, j] + bias[j]` (computed in f64 at build time), in the
//! population's current unit; after the last row only `bias` remains. Without `values` the input
//! is the constant `bias`. With `tau_syn` the current passes through an exponential PSC filter
//! (held input, exact step average). Files are comma-separated numbers, one row per line
//! (blank lines and `#` comments skipped), paths relative to the spec file.

use std::path::Path;

use simcore::lanes::Padded;
use simcore::par::Par;
use simcore::synapse::{Discretisation, PscFilter, PscShape};
use simcore::{Component, Spikes};

use crate::build::Builder;
use crate::error::{ErrorKind, SpecError};
use crate::reader::{At, Required, TableReader};
use crate::sections::Names;
use crate::sections::population::Population;

/// A validated current input (`[[input]]` with `kind = "current"`).
#[derive(Debug)]
pub struct CurrentInput {
    /// Name.
    pub name: At<String>,
    /// Target population.
    pub target: At<String>,
    /// File of input vectors, one row per presentation.
    pub values: Option<At<String>>,
    /// File of the `d × N` weight matrix.
    pub weights: Option<At<String>>,
    /// File of the `N` biases.
    pub bias: Option<At<String>>,
    /// Presentation time per row, s.
    pub presentation: At<f64>,
    /// Exponential synapse time constant, s.
    pub tau_syn: Option<At<f64>>,
}

impl CurrentInput {
    /// Whether the `[[input]]` table `t` is a current input (its `kind` is `"current"`).
    pub fn is_current(t: &mut TableReader<'_>) -> Result<bool, SpecError> {
        Ok(t.str("kind")?.is_some_and(|k| k.value == "current"))
    }

    /// Reads one `[[input]]` table of kind `current`.
    pub fn parse(t: &mut TableReader<'_>, names: &mut Names) -> Result<Self, SpecError> {
        let name = t.str("name")?.required(t, "name")?;
        names.claim("input", &name)?;
        let _ = t.str("kind")?;
        let target = t.str("target")?.required(t, "target")?;
        let values = t.str("values")?;
        let weights = t.str("weights")?;
        let bias = t.str("bias")?;
        let presentation = match t.f64("presentation")? {
            Some(p) => p.positive_time()?,
            None if values.is_some() => return Err(t.error("presentation", ErrorKind::Missing)),
            None => t.default("presentation", 1.0),
        };
        let tau_syn = t.f64("tau_syn")?.map(At::positive_time).transpose()?;
        if values.is_none() && bias.is_none() {
            return Err(t.error(
                "values",
                ErrorKind::Invalid("a current input needs `values`, `bias` or both".into()),
            ));
        }
        if let (None, Some(w)) = (&values, &weights) {
            return Err(w.error(ErrorKind::Invalid(
                "`weights` map `values`: give both".into(),
            )));
        }
        t.finish()?;
        Ok(Self {
            name,
            target,
            values,
            weights,
            bias,
            presentation,
            tau_syn,
        })
    }

    /// Adds one component per entry.
    pub fn build(
        items: &[Self],
        populations: &[Population],
        spec_file: &str,
        b: &mut Builder,
    ) -> Result<(), SpecError> {
        let base = Path::new(spec_file).parent().unwrap_or(Path::new(""));
        for c in items {
            let dst = b.population(&c.target)?;
            let n = b.info[dst].size;
            // The model's current unit: an exponential synapse of τ = 1 s scales impulse areas
            // by exactly the current port's unit factor.
            let syn = Population::model_of(populations, &c.target)?
                .synapse("exponential", Some(PscShape::exponential(1.0)))
                .map_err(|msg| c.target.error(ErrorKind::Invalid(msg)))?;
            if !b.populations[dst].neurons.enable_port(syn.port) {
                return Err(c.target.error(ErrorKind::Invalid(format!(
                    "population `{}` has no `{}` input",
                    c.target.value, syn.port
                ))));
            }
            let port = b.populations[dst]
                .neurons
                .ports()
                .iter()
                .position(|(p, _)| *p == syn.port)
                .unwrap_or(0);
            let bias = match &c.bias {
                Some(f) => {
                    let (rows, cols, v) = read_matrix(f, base)?;
                    if rows != 1 || cols != n {
                        return Err(f.error(ErrorKind::Invalid(format!(
                            "{rows} × {cols} values; expected one row of {n} (population `{}`)",
                            c.target.value
                        ))));
                    }
                    v
                }
                None => vec![0.0; n],
            };
            let mut rows = Vec::new();
            if let Some(vf) = &c.values {
                let (k, d, x) = read_matrix(vf, base)?;
                let w = match &c.weights {
                    Some(wf) => {
                        let (wr, wc, w) = read_matrix(wf, base)?;
                        if wr != d || wc != n {
                            return Err(wf.error(ErrorKind::Invalid(format!(
                                "{wr} × {wc} weights; expected {d} × {n} (`values` has {d} \
                                 columns, population `{}` has {n} neurons)",
                                c.target.value
                            ))));
                        }
                        Some(w)
                    }
                    None if d != n => {
                        return Err(vf.error(ErrorKind::Invalid(format!(
                            "{d} columns but population `{}` has {n} neurons; give `weights` \
                             ({d} × {n}) to map them",
                            c.target.value
                        ))));
                    }
                    None => None,
                };
                rows.reserve(k);
                for r in 0..k {
                    let xr = &x[r * d..(r + 1) * d];
                    let j: Vec<f64> = (0..n)
                        .map(|jj| {
                            let drive = match &w {
                                Some(w) => xr
                                    .iter()
                                    .enumerate()
                                    .map(|(i, xi)| xi * w[i * n + jj])
                                    .sum(),
                                None => xr[jj],
                            };
                            drive + bias[jj]
                        })
                        .collect();
                    rows.push(to_f32(&j, vf, syn.scale)?);
                }
            }
            let tail = to_f32(&bias, c.bias.as_ref().unwrap_or(&c.target), syn.scale)?;
            let steps = c.presentation.value / b.dt;
            if (steps - steps.round()).abs() > 1e-6 * steps.max(1.0) || steps.round() < 1.0 {
                return Err(c.presentation.error(ErrorKind::Invalid(format!(
                    "presentation {} s is not a whole number of steps of dt = {} s",
                    c.presentation.value, b.dt
                ))));
            }
            let filter = c
                .tau_syn
                .as_ref()
                .map(|tau| {
                    PscFilter::new(
                        &c.name.value,
                        PscShape::exponential(tau.value),
                        Discretisation::Held,
                        b.dt,
                        n,
                    )
                    .map_err(|e| tau.error(ErrorKind::Invalid(e.to_string())))
                })
                .transpose()?;
            b.components.push(Box::new(CurrentSequence {
                name: c.name.value.clone(),
                population: dst,
                port,
                rows,
                tail,
                steps_per_row: steps.round() as u64,
                shown: None,
                current: Padded::filled(n, 0.0),
                filter,
            }));
        }
        Ok(())
    }
}

fn to_f32(j: &[f64], at: &At<String>, scale: f64) -> Result<Vec<f32>, SpecError> {
    j.iter()
        .map(|&v| {
            let x = v * scale;
            if x.is_finite() && x.abs() <= f64::from(f32::MAX) {
                Ok(x as f32)
            } else {
                Err(at.error(ErrorKind::OutOfRange {
                    value: format!("{x:e}"),
                    msg: "is beyond the engine's f32 range once computed".into(),
                }))
            }
        })
        .collect()
}

/// Reads a CSV file of numbers: `(rows, columns, row-major values)`; errors name the file
/// and line and are located at the spec key that named the file.
fn read_matrix(file: &At<String>, base: &Path) -> Result<(usize, usize, Vec<f64>), SpecError> {
    let path = base.join(&file.value);
    let bad = |msg: String| file.error(ErrorKind::Invalid(msg));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| bad(format!("cannot read `{}`: {e}", path.display())))?;
    let (mut rows, mut cols, mut v) = (0, None, Vec::new());
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let before = v.len();
        for f in line.split(',') {
            let x: f64 = f.trim().parse().map_err(|_| {
                bad(format!(
                    "`{}` line {}: `{}` is not a number",
                    path.display(),
                    i + 1,
                    f.trim()
                ))
            })?;
            if !x.is_finite() {
                return Err(bad(format!(
                    "`{}` line {}: {x} is not finite",
                    path.display(),
                    i + 1
                )));
            }
            v.push(x);
        }
        let c = v.len() - before;
        if *cols.get_or_insert(c) != c {
            return Err(bad(format!(
                "`{}` line {}: {c} values, expected {}",
                path.display(),
                i + 1,
                cols.unwrap_or(0)
            )));
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(bad(format!("`{}` has no rows", path.display())));
    }
    Ok((rows, cols.unwrap_or(0), v))
}

/// Drives the held current of the row being presented into the population's current port.
#[derive(Debug)]
struct CurrentSequence {
    name: String,
    population: usize,
    port: usize,
    /// Per presentation: the current of every neuron (bias included), in the port's unit.
    rows: Vec<Vec<f32>>,
    /// The current after the last row (the bias).
    tail: Vec<f32>,
    steps_per_row: u64,
    /// Row in `current` (`rows.len()` for the tail).
    shown: Option<usize>,
    current: Padded,
    filter: Option<PscFilter>,
}

impl Component for CurrentSequence {
    fn name(&self) -> &str {
        &self.name
    }

    fn drive(&mut self, step: u64, _dt: f64, inputs: &mut [Vec<Padded>]) {
        let k = ((step / self.steps_per_row) as usize).min(self.rows.len());
        if self.shown != Some(k) {
            let src = self.rows.get(k).unwrap_or(&self.tail);
            self.current.as_mut_slice().copy_from_slice(src);
            self.shown = Some(k);
        }
        let out = &mut inputs[self.population][self.port];
        match &mut self.filter {
            Some(f) => f.step(&self.current, out, Par::Seq),
            None => {
                for (o, c) in out.as_mut_slice().iter_mut().zip(self.current.as_slice()) {
                    *o += c;
                }
            }
        }
    }

    fn observe(&mut self, _step: u64, _dt: f64, _spikes: &[Spikes]) {}

    fn find_non_finite(&self) -> Option<String> {
        self.filter.as_ref().and_then(PscFilter::find_non_finite)
    }
}

#[cfg(test)]
mod tests {
    use crate::Spec;

    fn dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("netspec-current-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Two neurons, three presentations of 2-D inputs through a 2×2 weight matrix plus bias:
    /// each neuron's spike count per presentation matches the LIF rate of its current.
    #[test]
    fn presents_rows_in_turn_with_weights_and_bias() {
        let d = dir("rows");
        std::fs::write(d.join("x.csv"), "1, 0\n0, 1\n# comment\n0.5, 0.5\n").unwrap();
        std::fs::write(d.join("w.csv"), "2, 0\n0, 4\n").unwrap();
        std::fs::write(d.join("b.csv"), "1.5, 1.0\n").unwrap();
        let spec = "[simulation]\ndt = 0.001\nduration = 3.0\n\
            [[population]]\nname = \"p\"\nsize = 2\n\
            [[input]]\nname = \"seq\"\nkind = \"current\"\ntarget = \"p\"\nvalues = \"x.csv\"\n\
            weights = \"w.csv\"\nbias = \"b.csv\"\npresentation = 1.0\n";
        let file = d.join("s.toml");
        std::fs::write(&file, spec).unwrap();
        let s = Spec::load(&file, &[]).unwrap();
        let mut net = s.build().unwrap();
        let mut counts = [[0u32; 2]; 3];
        for step in 0..3000u64 {
            net.simulator.step().unwrap();
            for &id in &net.simulator.spikes()[0].ids {
                counts[(step / 1000) as usize][id as usize] += 1;
            }
        }
        let p = simcore::neuron::lif::LifParams::default();
        let want = [[3.5, 1.0], [1.5, 5.0], [2.5, 3.0]];
        for (k, row) in want.iter().enumerate() {
            for (j, &jj) in row.iter().enumerate() {
                let r = p.rate(jj);
                assert!(
                    (f64::from(counts[k][j]) - r).abs() <= 1.5,
                    "presentation {k} neuron {j}: {} spikes vs G({jj}) = {r}",
                    counts[k][j]
                );
            }
        }
        std::fs::remove_dir_all(&d).ok();
    }

    #[test]
    fn file_errors_name_the_key_and_line() {
        let d = dir("err");
        std::fs::write(d.join("x.csv"), "1, 0\n0, x\n").unwrap();
        let spec = "[simulation]\nduration = 0.1\n[[population]]\nname = \"p\"\nsize = 2\n\
            [[input]]\nname = \"seq\"\nkind = \"current\"\ntarget = \"p\"\nvalues = \"x.csv\"\n\
            presentation = 0.05\n";
        let file = d.join("s.toml");
        std::fs::write(&file, spec).unwrap();
        let e = Spec::load(&file, &[])
            .unwrap()
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(":10:10: `input.seq.values`") && e.contains("line 2: `x`"),
            "{e}"
        );
        std::fs::write(d.join("x.csv"), "1, 0, 3\n").unwrap();
        let e = Spec::load(&file, &[])
            .unwrap()
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("3 columns but population `p` has 2 neurons"),
            "{e}"
        );
        std::fs::remove_dir_all(&d).ok();
    }
}

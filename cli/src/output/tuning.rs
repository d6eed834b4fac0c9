//! NEF ensembles' evaluation points and tuning curves, for `spikesim check --tuning/--plots`.
//!
//! HDF5 layout (one group per ensemble, row-major, float64):
//! ```text
//! /ensembles/<name>                 attrs neuron, n_neurons, dimensions, radius
//! /ensembles/<name>/eval_points     [m, d]  represented units (attr units = "1")
//! /ensembles/<name>/tuning_curves   [m, N]  rate of neuron i at eval point k (attr units = "Hz")
//! /ensembles/<name>/encoders        [N, d]  unit encoders
//! /ensembles/<name>/gain, bias      [N]     J = gain·(e·x)/r + bias (normalised current)
//! /ensembles/<name>/max_rates       [N]     Hz
//! /ensembles/<name>/intercepts      [N]     units of the radius
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use hdf5::File;
use models::ensemble::BuiltEnsemble;
use validation::plot::{LinePlot, Series, save_grid_png};

use super::h5::{attr, attr_str, group};

/// Most neurons drawn per tuning-curve plot.
pub const MAX_CURVES: usize = 40;

fn dataset(
    g: &hdf5::Group,
    name: &str,
    shape: &[usize],
    values: &[f64],
    units: &str,
) -> Result<()> {
    let ds = super::h5::dataset(g, name, shape, values)?;
    if !units.is_empty() {
        attr_str(&ds, "units", units)?;
    }
    Ok(())
}

/// Writes every ensemble's arrays to `path` (through a temporary file renamed at the end).
pub fn write_h5(path: &Path, ensembles: &[BuiltEnsemble]) -> Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let write = || -> Result<()> {
        let f = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let root = group(&f, "ensembles")?;
        for e in ensembles {
            let g = group(&root, &e.name)?;
            attr_str(&g, "neuron", e.neuron.name())?;
            attr(&g, "n_neurons", &(e.n as u64))?;
            attr(&g, "dimensions", &(e.dims as u64))?;
            attr(&g, "radius", &e.radius)?;
            let (n, d, m) = (e.n, e.dims, e.n_eval_points());
            dataset(&g, "eval_points", &[m, d], &e.eval_points, "1")?;
            dataset(&g, "tuning_curves", &[m, n], &e.tuning_curves(), "Hz")?;
            dataset(&g, "encoders", &[n, d], &e.encoders, "")?;
            dataset(&g, "gain", &[n], &e.gain, "1")?;
            dataset(&g, "bias", &[n], &e.bias, "1")?;
            dataset(&g, "max_rates", &[n], &e.max_rates, "Hz")?;
            dataset(&g, "intercepts", &[n], &e.intercepts, "1")?;
        }
        f.close()?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
    };
    write().inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Draws each ensemble's tuning curves (at most [`MAX_CURVES`] neurons, evenly chosen) into
/// `dir/tuning_<name>.png`: the rate of neuron i along its preferred direction,
/// $a_i(s) = G(\alpha_i s/r + \beta_i)$ for $x = s\,e_i$, $s \in [-r, r]$ — in 1-D exactly the
/// rate against x. Returns the files written.
pub fn plot(dir: &Path, ensembles: &[BuiltEnsemble]) -> Result<Vec<PathBuf>> {
    if !validation::plot::ensure_font() {
        bail!("cannot load the plot font");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut out = Vec::new();
    for e in ensembles {
        let r = e.radius;
        let s: Vec<f64> = (0..=200).map(|k| -r + 2.0 * r * k as f64 / 200.0).collect();
        let stride = e.n.div_ceil(MAX_CURVES).max(1);
        let mut p = LinePlot::new(
            &format!(
                "{}: tuning curves ({} of {} neurons, {}-D)",
                e.name,
                e.n.div_ceil(stride),
                e.n,
                e.dims
            ),
            if e.dims == 1 {
                "x"
            } else {
                "x along the neuron's encoder"
            },
            "rate (Hz)",
        );
        for i in (0..e.n).step_by(stride) {
            let enc = &e.encoders[i * e.dims..(i + 1) * e.dims];
            let rates = s
                .iter()
                .map(|&t| {
                    let x: Vec<f64> = enc.iter().map(|c| c * t).collect();
                    e.neuron.rate(e.current(i, &x))
                })
                .collect();
            let label = if i == 0 {
                "neurons".to_string()
            } else {
                String::new()
            };
            let x = if e.dims == 1 {
                s.iter().map(|t| t * enc[0]).collect()
            } else {
                s.clone()
            };
            p = p.series(Series::line(&label, x, rates));
        }
        let path = dir.join(format!("tuning_{}.png", e.name));
        save_grid_png(&path, &[p], 1).map_err(|err| anyhow::anyhow!("{err}"))?;
        out.push(path);
    }
    Ok(out)
}

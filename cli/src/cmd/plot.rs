//! `spikesim plot FILE.h5`: spike raster coloured by population, population rates under it,
//! probe traces when the file has probes (PNG or SVG by the output's extension). Population
//! names, colours and sizes go in a legend column right of the panels (not over the spikes);
//! the raster's axis counts neurons through the populations in file order, also when only
//! every k-th neuron is drawn.
//!
//! Big files stay fast and legible: the raster shows at most [`MAX_ROWS`] neurons (every k-th
//! neuron of each population, said on the plot) and reads spikes in chunks; rates use every
//! spike. The figure grows with the number of probes: each probe panel keeps at least
//! [`PROBE_PANEL`] px (more than [`ONE_COLUMN_MAX`] probes go into two columns).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use hdf5::File;
use plotters::coord::Shift;
use plotters::prelude::*;
use validation::plot::{FONT_FAMILY, ensure_font};

use crate::output::h5::text;
use crate::output::sonata::{READ_CHUNK, SpikeGroup};

/// Most neuron rows drawn in the raster.
pub const MAX_ROWS: usize = 2000;
/// Most probe traces drawn per probe.
const MAX_TRACES: usize = 5;
/// Rate histogram bins.
const BINS: usize = 200;

/// Image width, px.
const WIDTH: u32 = 1200;
/// Width of the population legend column right of the panels, px (a legend inside the
/// raster would hide spikes).
const LEGEND: u32 = 170;
/// Longest population name shown whole in the legend (longer ones end in `…`).
const LEGEND_NAME: usize = 18;
/// Least height of one probe panel, px: the figure grows with the number of probes so that
/// each keeps its axes, legend and a readable trace.
const PROBE_PANEL: u32 = 220;
/// Most probe panels stacked in one column; more go into two columns.
const ONE_COLUMN_MAX: usize = 6;

/// Where the panels go: the raster on top, the rate under it, then the probe panels in a grid
/// of `cols` columns and `rows` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    /// Image size, px.
    size: (u32, u32),
    /// Raster panel height, px.
    raster: u32,
    /// Rate panel height, px.
    rate: u32,
    /// Probe grid columns and rows.
    cols: usize,
    rows: usize,
}

impl Layout {
    /// The layout for `probes` probe panels. Without probes: 800 px, raster 62 %; with
    /// probes the raster and rate panels keep their heights of the one-probe figure (528 and
    /// 257 px) and the probe grid gets at least [`PROBE_PANEL`] px per row (315 px for one).
    fn new(probes: usize) -> Self {
        if probes == 0 {
            return Self {
                size: (WIDTH, 800),
                raster: 496,
                rate: 304,
                cols: 1,
                rows: 0,
            };
        }
        let cols = if probes <= ONE_COLUMN_MAX { 1 } else { 2 };
        let rows = probes.div_ceil(cols);
        let grid = (rows as u32 * PROBE_PANEL).max(315);
        Self {
            size: (WIDTH, 528 + 257 + grid),
            raster: 528,
            rate: 257,
            cols,
            rows,
        }
    }
}

/// Arguments of `spikesim plot`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  spikesim plot lif_small.h5 -o lif_small.png\n  \
    spikesim plot big.h5 -o raster.svg --from 0.2 --to 0.4 --populations exc inh"
)]
pub struct Args {
    /// A SONATA file written by `spikesim run`.
    pub file: PathBuf,
    /// Output image (.png or .svg) [default: FILE with .png].
    #[arg(short, long, value_name = "PLOT.png|.svg")]
    pub output: Option<PathBuf>,
    /// Start of the time window, s [default: 0].
    #[arg(long, value_name = "T0", value_parser = time_arg)]
    pub from: Option<f64>,
    /// End of the time window, s [default: end of the run].
    #[arg(long, value_name = "T1", value_parser = time_arg)]
    pub to: Option<f64>,
    /// Populations to show [default: all].
    #[arg(long, num_args = 1.., value_name = "NAME")]
    pub populations: Vec<String>,
}

/// Parses `--from`/`--to`: a finite time ≥ 0, in seconds.
fn time_arg(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(t) if t.is_finite() && t >= 0.0 => Ok(t),
        _ => Err("expected a finite time ≥ 0, in seconds".into()),
    }
}

/// One population's spikes in the window, prepared for drawing.
struct PopData {
    name: String,
    n_nodes: u64,
    recorded: u64,
    /// Every `stride`-th neuron is drawn.
    stride: u64,
    /// Raster points (time ms, row).
    points: Vec<(f64, f64)>,
    /// Spikes per rate bin (all neurons).
    bins: Vec<u64>,
}

/// A probe's traces.
struct Trace {
    name: String,
    units: String,
    time: Vec<f64>,
    /// Legend label (`neuron 3`, or `x[0]` for decoded values) and values.
    series: Vec<(String, Vec<f64>)>,
}

const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

fn read_window(file: &File, args: &Args) -> Result<(f64, f64, Vec<PopData>)> {
    let prov = file.group("provenance").ok();
    let t_stop = prov
        .as_ref()
        .and_then(|p| p.attr("t_stop").ok())
        .and_then(|a| a.read_scalar::<f64>().ok());
    let names: Vec<String> = prov
        .as_ref()
        .and_then(|p| p.attr("population_names").ok())
        .and_then(|a| a.read_raw::<hdf5::types::VarLenUnicode>().ok())
        .map(|v| v.iter().map(|s| text(s.as_bytes())).collect())
        .unwrap_or_default();
    let recorded: Vec<u64> = prov
        .as_ref()
        .and_then(|p| p.attr("recorded_neurons").ok())
        .and_then(|a| a.read_raw::<u64>().ok())
        .unwrap_or_default();
    if !file.link_exists("spikes") && file.link_exists("units") {
        bail!(
            "this is an NWB file (`run --format nwb`); `spikesim plot` draws SONATA files \
             (the default `run` output): re-run without --format nwb to plot"
        );
    }
    let spikes = file
        .group("spikes")
        .context("no /spikes group: not a SONATA spike file")?;
    let all = spikes.member_names()?;
    for p in &args.populations {
        if !all.contains(p) {
            bail!(
                "no population `{p}` in the file (it has: {})",
                all.join(", ")
            );
        }
    }
    let mut chosen: Vec<String> = if args.populations.is_empty() {
        all
    } else {
        all.into_iter()
            .filter(|n| args.populations.contains(n))
            .collect()
    };
    in_spec_order(&mut chosen, &names);
    let lo = args.from.unwrap_or(0.0) * 1e3;
    let hi = match (args.to, t_stop) {
        (Some(t), _) => t * 1e3,
        (None, Some(t)) => t,
        (None, None) => 1e3,
    };
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        bail!(
            "empty time window: --from {:?} s to --to {:?} s",
            lo / 1e3,
            hi / 1e3
        );
    }
    let groups = chosen
        .iter()
        .map(|n| SpikeGroup::open(&spikes, n))
        .collect::<Result<Vec<_>>>()?;
    let total_nodes: u64 = groups.iter().map(|g| g.n_nodes).sum();
    let stride = (total_nodes as usize).div_ceil(MAX_ROWS).max(1) as u64;
    let mut pops = Vec::new();
    let mut row0 = 0.0;
    for (name, g) in chosen.into_iter().zip(groups) {
        let n_nodes = g.n_nodes;
        let rec = names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| recorded.get(i).copied())
            .unwrap_or(n_nodes);
        let (ts, ids) = (&g.timestamps, &g.node_ids);
        let n = g.len();
        let mut points = Vec::new();
        let mut bins = vec![0u64; BINS];
        let mut start = 0;
        while start < n {
            let end = (start + READ_CHUNK).min(n);
            let t = ts.read_slice_1d::<f64, _>(start..end)?;
            let id = ids.read_slice_1d::<u64, _>(start..end)?;
            for (&t, &i) in t.iter().zip(id.iter()) {
                if t < lo || t >= hi {
                    continue;
                }
                let b = (((t - lo) / (hi - lo)) * BINS as f64) as usize;
                bins[b.min(BINS - 1)] += 1;
                if i % stride == 0 {
                    points.push((t, row0 + (i / stride) as f64));
                }
            }
            start = end;
        }
        row0 += n_nodes.div_ceil(stride) as f64;
        pops.push(PopData {
            name,
            n_nodes,
            recorded: rec,
            stride,
            points,
            bins,
        });
    }
    Ok((lo, hi, pops))
}

fn read_traces(file: &File, lo: f64, hi: f64) -> Result<Vec<Trace>> {
    let Ok(g) = file.group("probes") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for name in g.member_names()? {
        let p = g.group(&name)?;
        let data = p.dataset("data")?;
        let shape = data.shape();
        if shape.len() != 2 || shape[0] == 0 || shape[1] == 0 {
            continue;
        }
        let time: Vec<f64> = p.dataset("time")?.read_raw()?;
        // Neuron probes name their neurons; decoded values and node outputs their dimensions.
        let labels: Vec<String> = match p.dataset("node_ids") {
            Ok(ds) => ds
                .read_raw::<u64>()?
                .iter()
                .map(|i| format!("neuron {i}"))
                .collect(),
            Err(_) => (0..shape[1]).map(|j| format!("x[{j}]")).collect(),
        };
        let sel: Vec<usize> = (0..time.len())
            .filter(|&k| time[k] >= lo && time[k] <= hi)
            .collect();
        let (Some(&a), Some(&b)) = (sel.first(), sel.last()) else {
            continue;
        };
        let cols = shape[1].min(MAX_TRACES);
        let block = data.read_slice_2d::<f32, _>((a..b + 1, 0..cols))?;
        let series = (0..cols)
            .map(|j| {
                (
                    labels.get(j).cloned().unwrap_or_default(),
                    block.column(j).iter().map(|&v| v as f64).collect(),
                )
            })
            .collect();
        let units = data
            .attr("units")
            .and_then(|a| a.read_scalar::<hdf5::types::VarLenUnicode>())
            .map(|s| text(s.as_bytes()))
            .unwrap_or_default();
        out.push(Trace {
            name,
            units,
            time: time[a..=b].to_vec(),
            series,
        });
    }
    Ok(out)
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    lo: f64,
    hi: f64,
    pops: &[PopData],
    traces: &[Trace],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("drawing failed: {e}");
    root.fill(&WHITE).map_err(err)?;
    let font = |size: u32| (FONT_FAMILY, size).into_font();
    let layout = Layout::new(traces.len());
    let (panels, legend) = root.split_horizontally(layout.size.0.saturating_sub(LEGEND));
    draw_legend(&legend, pops, layout.raster).map_err(err)?;
    let (top, rest) = panels.split_vertically(layout.raster);
    let (mid, bottom) = rest.split_vertically(layout.rate);
    let rows: f64 = pops
        .iter()
        .map(|p| p.n_nodes.div_ceil(p.stride) as f64)
        .sum::<f64>()
        .max(1.0);
    let stride = pops.first().map_or(1, |p| p.stride);
    let caption = if stride > 1 {
        format!(
            "{title} — raster subsampled: 1 in {stride} neurons shown ({} of {})",
            rows as u64,
            pops.iter().map(|p| p.n_nodes).sum::<u64>()
        )
    } else {
        title.to_string()
    };
    // Row `r` of the raster is neuron `before + (r − row0)·stride` counting through the
    // populations in order, `row0` and `before` being its population's first row and the
    // neurons of the populations above it.
    let starts: Vec<(f64, u64)> = pops
        .iter()
        .scan((0.0, 0u64), |acc, p| {
            let start = *acc;
            acc.0 += p.n_nodes.div_ceil(p.stride) as f64;
            acc.1 += p.n_nodes;
            Some(start)
        })
        .collect();
    let neuron_at = |r: &f64| {
        let (row0, before) = starts
            .iter()
            .rev()
            .find(|(row0, _)| row0 <= r)
            .copied()
            .unwrap_or((0.0, 0));
        tick((before as f64 + (r - row0) * stride as f64).round(), 0.0)
    };
    let time_tick = |t: &f64| tick(*t, hi - lo);
    let mut raster = ChartBuilder::on(&top)
        .caption(caption, font(18))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(lo..hi, 0.0..rows)
        .map_err(err)?;
    raster
        .configure_mesh()
        .disable_mesh()
        .x_desc("time (ms)")
        .y_desc(if stride > 1 {
            "neuron (subsampled)"
        } else {
            "neuron"
        })
        .x_label_formatter(&time_tick)
        .y_label_formatter(&neuron_at)
        .label_style(font(12))
        .draw()
        .map_err(err)?;
    let size = if rows > 500.0 { 0 } else { 1 };
    for (k, p) in pops.iter().enumerate() {
        let c = COLORS[k % COLORS.len()];
        raster
            .draw_series(
                p.points
                    .iter()
                    .map(|&(t, y)| Circle::new((t, y + 0.5), size, c.filled())),
            )
            .map_err(err)?;
    }

    // Population rates: spikes per bin / (recorded neurons · bin width).
    let width_s = (hi - lo) / BINS as f64 * 1e-3;
    let rates: Vec<Vec<f64>> = pops
        .iter()
        .map(|p| {
            p.bins
                .iter()
                .map(|&c| c as f64 / (p.recorded.max(1) as f64 * width_s))
                .collect()
        })
        .collect();
    let rmax = rates.iter().flatten().copied().fold(0.0, f64::max).max(1.0) * 1.1;
    let mut rate = ChartBuilder::on(&mid)
        .caption(
            format!("population rate ({:.2} ms bins)", width_s * 1e3),
            font(15),
        )
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(lo..hi, 0.0..rmax)
        .map_err(err)?;
    rate.configure_mesh()
        .x_desc("time (ms)")
        .y_desc("rate (Hz)")
        .x_label_formatter(&time_tick)
        .y_label_formatter(&|r: &f64| tick(*r, rmax))
        .label_style(font(12))
        .draw()
        .map_err(err)?;
    for (k, r) in rates.iter().enumerate() {
        let c = COLORS[k % COLORS.len()];
        let bw = (hi - lo) / BINS as f64;
        rate.draw_series(LineSeries::new(
            r.iter().enumerate().flat_map(|(i, &v)| {
                let x0 = lo + i as f64 * bw;
                [(x0, v), (x0 + bw, v)]
            }),
            c.stroke_width(1),
        ))
        .map_err(err)?;
    }
    if !traces.is_empty() {
        // Row-major: probes in file order, left to right, then down.
        let parts = bottom.split_evenly((layout.rows, layout.cols));
        for (area, tr) in parts.iter().zip(traces) {
            let (mut vlo, mut vhi) = (f64::INFINITY, f64::NEG_INFINITY);
            for (_, s) in &tr.series {
                for &v in s.iter().filter(|v| v.is_finite()) {
                    vlo = vlo.min(v);
                    vhi = vhi.max(v);
                }
            }
            if !vlo.is_finite() || vhi <= vlo {
                vlo -= 1.0;
                vhi = vlo + 2.0;
            }
            let pad = 0.05 * (vhi - vlo);
            let mut ch = ChartBuilder::on(area)
                .caption(format!("probe {}", tr.name), font(14))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(60)
                .build_cartesian_2d(lo..hi, (vlo - pad)..(vhi + pad))
                .map_err(err)?;
            ch.configure_mesh()
                .x_desc("time (ms)")
                // Decoded values and node outputs are dimensionless (unit "1").
                .y_desc(match tr.units.as_str() {
                    "" | "1" => "value".to_string(),
                    u => u.to_string(),
                })
                .x_label_formatter(&time_tick)
                .y_label_formatter(&|v: &f64| tick(*v, vhi - vlo + 2.0 * pad))
                .label_style(font(12))
                .draw()
                .map_err(err)?;
            for (k, (label, s)) in tr.series.iter().enumerate() {
                let c = COLORS[k % COLORS.len()];
                ch.draw_series(LineSeries::new(
                    tr.time.iter().copied().zip(s.iter().copied()),
                    c.stroke_width(1),
                ))
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 12, y)], c));
            }
            ch.configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .label_font(font(11))
                .draw()
                .map_err(err)?;
        }
    }
    root.present().map_err(err)?;
    Ok(())
}

/// The population legend, in the column right of the panels: each population's colour (the
/// raster's and the rate panel's), name and size, listed top to bottom as the raster's bands
/// lie (the last population on top); what does not fit into the raster's height is counted
/// in a last line.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pops: &[PopData],
    height: u32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    const TOP: i32 = 40;
    const ENTRY: i32 = 34;
    let fits = ((height as i32 - TOP) / ENTRY).max(1) as usize;
    let shown = if pops.len() > fits {
        fits - 1
    } else {
        pops.len()
    };
    let name_font = (FONT_FAMILY, 13).into_font();
    let size_font = (FONT_FAMILY, 11).into_font().color(&RGBColor(90, 90, 90));
    for (row, (k, p)) in pops.iter().enumerate().rev().take(shown).enumerate() {
        let y = TOP + row as i32 * ENTRY;
        let c = COLORS[k % COLORS.len()];
        area.draw(&Rectangle::new([(6, y + 2), (18, y + 14)], c.filled()))?;
        area.draw(&Text::new(legend_name(&p.name), (24, y), name_font.clone()))?;
        area.draw(&Text::new(
            format!("{} neurons", p.n_nodes),
            (24, y + 16),
            size_font.clone(),
        ))?;
    }
    if shown < pops.len() {
        area.draw(&Text::new(
            format!("+ {} more", pops.len() - shown),
            (6, TOP + shown as i32 * ENTRY),
            name_font,
        ))?;
    }
    Ok(())
}

/// Puts population names read from the file (HDF5 lists them alphabetically) in the spec's
/// order, `spec` (the provenance's `population_names`); names it lacks (files of other
/// writers) follow in file order.
fn in_spec_order(names: &mut [String], spec: &[String]) {
    names.sort_by_key(|n| spec.iter().position(|m| m == n).unwrap_or(usize::MAX));
}

/// `name`, or for one longer than [`LEGEND_NAME`] its start and end around `…` (names often
/// differ only at the end: `layer4_exc`, `layer4_inh`).
fn legend_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= LEGEND_NAME {
        return name.to_string();
    }
    let head = (LEGEND_NAME - 1) / 2;
    let tail = LEGEND_NAME - 1 - head;
    chars[..head]
        .iter()
        .chain(['…'].iter())
        .chain(&chars[chars.len() - tail..])
        .collect()
}

/// A value of an axis spanning `span` as a short label: rounded to six significant digits (so
/// `0.30000000000000004` reads `0.3`), integers without a decimal point, values below
/// 10⁻⁴ or from 10⁷ on in exponent form, and values within 10⁻⁹ of the span from zero as `0`
/// (tick positions accumulate rounding: `-2.2e-16` for the zero of a ±1 axis).
fn tick(v: f64, span: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v.abs() <= span.abs() * 1e-9 {
        return "0".into();
    }
    let digits = (5 - v.abs().log10().floor() as i32).clamp(-300, 300);
    let scale = 10f64.powi(digits);
    let r = (v * scale).round() / scale;
    if (1e-4..1e7).contains(&r.abs()) {
        return format!("{r}");
    }
    let e = format!("{v:.5e}");
    let (mantissa, exponent) = e.split_once('e').unwrap_or((&e, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{mantissa}e{exponent}")
}

/// Runs the command; returns the image path.
pub fn run(args: &Args) -> Result<PathBuf> {
    if !ensure_font() {
        bail!("cannot load the plot font");
    }
    let file = File::open(&args.file)
        .with_context(|| format!("cannot open {} as HDF5", args.file.display()))?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| args.file.with_extension("png"));
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let (lo, hi, pops) = read_window(&file, args)?;
    let traces = read_traces(&file, lo, hi)?;
    let title = args
        .file
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let tmp = tmp_path(&out, &ext);
    // Creating the file first reports an unwritable place as such (the backends write it only
    // when drawing ends, and wrap the error).
    if ext == "png" || ext == "svg" {
        std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", out.display()))?;
    }
    let size = Layout::new(traces.len()).size;
    let drawn = match ext.as_str() {
        "png" => draw(
            BitMapBackend::new(&tmp, size).into_drawing_area(),
            &title,
            lo,
            hi,
            &pops,
            &traces,
        ),
        "svg" => draw(
            SVGBackend::new(&tmp, size).into_drawing_area(),
            &title,
            lo,
            hi,
            &pops,
            &traces,
        ),
        _ => bail!("unknown image format `{}`: use .png or .svg", out.display()),
    };
    if let Err(e) = drawn {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(out)
}

/// A temporary name beside `out`, keeping its extension (backends pick the encoder by it).
fn tmp_path(out: &Path, ext: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or("plot".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!(".{stem}.tmp-{}.{ext}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn populations_are_drawn_in_the_spec_order() {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut file = owned(&["exc", "inh", "pop10", "pop2", "stim"]);
        in_spec_order(&mut file, &owned(&["stim", "pop2", "pop10", "exc", "inh"]));
        assert_eq!(file, owned(&["stim", "pop2", "pop10", "exc", "inh"]));
        let mut foreign = owned(&["b", "a", "c"]);
        in_spec_order(&mut foreign, &owned(&["c"]));
        assert_eq!(foreign, owned(&["c", "b", "a"]));
    }

    #[test]
    fn long_legend_names_keep_their_start_and_end() {
        assert_eq!(legend_name("exc"), "exc");
        assert_eq!(legend_name("exactly_eighteen_c"), "exactly_eighteen_c");
        let short = legend_name("a_rather_long_population_name_12");
        assert_eq!(short, "a_rather…n_name_12");
        assert_eq!(short.chars().count(), LEGEND_NAME);
    }

    #[test]
    fn ticks_are_short() {
        for (v, s) in [
            (2000.0, "2000"),
            (0.0, "0"),
            (-0.0, "0"),
            (0.1 + 0.2, "0.3"),
            (-0.8, "-0.8"),
            (2.5e-7, "2.5e-7"),
            (0.00012, "0.00012"),
            (123_456_789.0, "1.23457e8"),
            (1e300, "1e300"),
        ] {
            assert_eq!(tick(v, 0.0), s, "{v}");
        }
        // Rounding residue at an axis's zero reads 0; small values of a small axis do not.
        assert_eq!(tick(-2.220446049250313e-16, 2.2), "0");
        assert_eq!(tick(2e-10, 1e-9), "2e-10");
    }

    #[test]
    fn probe_panels_keep_their_height_and_the_other_panels_theirs() {
        let none = Layout::new(0);
        assert_eq!(none.size, (WIDTH, none.raster + none.rate));
        let one = Layout::new(1);
        assert_eq!(one.size.1, 1100, "one probe: the figure as before");
        for n in 1..=20 {
            let l = Layout::new(n);
            assert_eq!((l.raster, l.rate), (one.raster, one.rate), "{n} probes");
            assert!(l.cols * l.rows >= n && l.cols * (l.rows - 1) < n, "{l:?}");
            let grid = l.size.1 - l.raster - l.rate;
            assert!(grid / l.rows as u32 >= PROBE_PANEL, "{n} probes: {l:?}");
            assert_eq!(l.cols, if n <= ONE_COLUMN_MAX { 1 } else { 2 });
        }
    }
}

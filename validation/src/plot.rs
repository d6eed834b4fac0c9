//! Small PNG line-plot API shared by the checks and by `spikesim plot`.
//!
//! Text is drawn with the DejaVu Sans font shipped in `validation/assets/` (licence note beside
//! it) through plotters' `ab_glyph` backend, registered once per process; nothing depends on the
//! system's fontconfig. Files are written to a temporary name in the target directory and
//! renamed when complete.
//!
//! ```no_run
//! use validation::plot::{LinePlot, Series};
//! let x: Vec<f64> = (1..100).map(f64::from).collect();
//! let y: Vec<f64> = x.iter().map(|v| v * v).collect();
//! LinePlot::new("squares", "x", "x²")
//!     .log_y(true)
//!     .series(Series::line("x²", x.clone(), y))
//!     .save_png(std::path::Path::new("squares.png"))
//!     .unwrap();
//! ```

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use thiserror::Error;

/// Font family name under which the shipped font is registered.
pub const FONT_FAMILY: &str = "sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static FONT_READY: OnceLock<bool> = OnceLock::new();

/// Registers the shipped font with plotters under [`FONT_FAMILY`] (once per process); false
/// when it could not be parsed (never happens with the shipped file). Public for other
/// plotters users (`spikesim plot`).
pub fn ensure_font() -> bool {
    *FONT_READY.get_or_init(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT_BYTES).is_ok()
    })
}

/// An error while drawing or writing a plot.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PlotError {
    /// The shipped font could not be loaded.
    #[error("cannot load the plot font")]
    Font,
    /// Drawing failed.
    #[error("plot `{title}`: {msg}")]
    Draw {
        /// Title of the plot being drawn.
        title: String,
        /// What failed.
        msg: String,
    },
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A series is malformed.
    #[error("plot `{title}`, series `{series}`: {msg}")]
    Series {
        /// Plot title.
        title: String,
        /// Series label.
        series: String,
        /// What is wrong.
        msg: String,
    },
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Connected line.
    Line,
    /// Small filled circles.
    Points,
    /// Dashed line (for reference curves, limits).
    Dashed,
}

/// One curve of a plot.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates (same length as `x`).
    pub y: Vec<f64>,
    /// How it is drawn.
    pub mark: Mark,
}

impl Series {
    /// A connected line.
    pub fn line(label: &str, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            label: label.to_string(),
            x,
            y,
            mark: Mark::Line,
        }
    }

    /// Points without connecting lines.
    pub fn points(label: &str, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            mark: Mark::Points,
            ..Self::line(label, x, y)
        }
    }

    /// A dashed line.
    pub fn dashed(label: &str, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            mark: Mark::Dashed,
            ..Self::line(label, x, y)
        }
    }

    /// The finite (and, on log axes, positive) points.
    fn visible(&self, log_x: bool, log_y: bool) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.x
            .iter()
            .zip(&self.y)
            .map(|(&x, &y)| (x, y))
            .filter(move |&(x, y)| {
                x.is_finite() && y.is_finite() && (!log_x || x > 0.0) && (!log_y || y > 0.0)
            })
    }
}

/// A line plot: several series, axis labels, optional log axes and fixed ranges.
#[derive(Clone, Debug)]
pub struct LinePlot {
    title: String,
    x_label: String,
    y_label: String,
    log_x: bool,
    log_y: bool,
    x_range: Option<(f64, f64)>,
    y_range: Option<(f64, f64)>,
    legend: SeriesLabelPosition,
    series: Vec<Series>,
}

/// Pixel size of a single plot.
pub const PLOT_SIZE: (u32, u32) = (900, 600);

/// Series colours, in order.
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

impl LinePlot {
    /// An empty plot with a title and axis labels.
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        Self {
            title: title.to_string(),
            x_label: x_label.to_string(),
            y_label: y_label.to_string(),
            log_x: false,
            log_y: false,
            x_range: None,
            y_range: None,
            legend: SeriesLabelPosition::UpperLeft,
            series: Vec::new(),
        }
    }

    /// Logarithmic x axis (non-positive points are skipped).
    pub fn log_x(mut self, on: bool) -> Self {
        self.log_x = on;
        self
    }

    /// Logarithmic y axis (non-positive points are skipped).
    pub fn log_y(mut self, on: bool) -> Self {
        self.log_y = on;
        self
    }

    /// Fixed x range instead of the data's extent.
    pub fn x_range(mut self, lo: f64, hi: f64) -> Self {
        self.x_range = Some((lo, hi));
        self
    }

    /// Fixed y range instead of the data's extent.
    pub fn y_range(mut self, lo: f64, hi: f64) -> Self {
        self.y_range = Some((lo, hi));
        self
    }

    /// Number of legend entries: the series with a non-empty label (no legend box when 0).
    pub fn legend_entries(&self) -> usize {
        self.series.iter().filter(|s| !s.label.is_empty()).count()
    }

    /// Where the legend goes (default upper left).
    pub fn legend(mut self, pos: SeriesLabelPosition) -> Self {
        self.legend = pos;
        self
    }

    /// Adds a series.
    pub fn series(mut self, s: Series) -> Self {
        self.series.push(s);
        self
    }

    /// Writes the plot as a PNG file of [`PLOT_SIZE`] pixels.
    pub fn save_png(&self, path: &Path) -> Result<(), PlotError> {
        save_grid_png(path, std::slice::from_ref(self), 1)
    }

    fn check(&self) -> Result<(), PlotError> {
        for s in &self.series {
            if s.x.len() != s.y.len() {
                return Err(PlotError::Series {
                    title: self.title.clone(),
                    series: s.label.clone(),
                    msg: format!("{} x values but {} y values", s.x.len(), s.y.len()),
                });
            }
        }
        Ok(())
    }

    /// Data extent along one axis, padded; a unit range around a single value or no data.
    fn extent(
        &self,
        fixed: Option<(f64, f64)>,
        log: bool,
        pick: fn((f64, f64)) -> f64,
    ) -> Range<f64> {
        if let Some((lo, hi)) = fixed {
            return lo..hi;
        }
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for s in &self.series {
            for p in s.visible(self.log_x, self.log_y) {
                let v = pick(p);
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if !lo.is_finite() {
            return if log { 0.1..10.0 } else { 0.0..1.0 };
        }
        if log {
            if hi <= lo {
                return lo / 10.0..hi * 10.0;
            }
            let f = (hi / lo).powf(0.03);
            lo / f..hi * f
        } else {
            if hi <= lo {
                let d = lo.abs().max(1.0) * 0.5;
                return lo - d..hi + d;
            }
            let d = (hi - lo) * 0.03;
            lo - d..hi + d
        }
    }

    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let xr = self.extent(self.x_range, self.log_x, |p| p.0);
        let yr = self.extent(self.y_range, self.log_y, |p| p.1);
        // Linear axes: ticks within 1e-9 of the span from 0 are 0 (plotters computes ticks
        // with rounding residue, e.g. −2.2e-16 for a zero tick).
        let tiny = |r: &Range<f64>, log: bool| if log { 0.0 } else { 1e-9 * (r.end - r.start) };
        let ticks = (tiny(&xr, self.log_x), tiny(&yr, self.log_y));
        match (self.log_x, self.log_y) {
            (false, false) => self.draw_in(area, xr, yr, ticks),
            (true, false) => self.draw_in(area, xr.log_scale(), yr, ticks),
            (false, true) => self.draw_in(area, xr, yr.log_scale(), ticks),
            (true, true) => self.draw_in(area, xr.log_scale(), yr.log_scale(), ticks),
        }
    }

    fn draw_in<DB, XR, YR>(
        &self,
        area: &DrawingArea<DB, Shift>,
        xr: XR,
        yr: YR,
        (x_tiny, y_tiny): (f64, f64),
    ) -> Result<(), String>
    where
        DB: DrawingBackend,
        XR: AsRangedCoord<Value = f64>,
        YR: AsRangedCoord<Value = f64>,
        XR::CoordDescType: ValueFormatter<f64>,
        YR::CoordDescType: ValueFormatter<f64>,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FONT_FAMILY, 22))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(xr, yr)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .label_style((FONT_FAMILY, 14))
            .axis_desc_style((FONT_FAMILY, 16))
            .light_line_style(RGBColor(235, 235, 235))
            .max_light_lines(4)
            .x_label_formatter(&|v| tick_label(snap_zero(*v, x_tiny)))
            .y_label_formatter(&|v| tick_label(snap_zero(*v, y_tiny)))
            .draw()
            .map_err(err)?;
        for (i, s) in self.series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let pts: Vec<(f64, f64)> = s.visible(self.log_x, self.log_y).collect();
            let anno = match s.mark {
                Mark::Line => chart
                    .draw_series(LineSeries::new(pts, colour.stroke_width(2)))
                    .map_err(err)?,
                Mark::Dashed => chart
                    .draw_series(DashedLineSeries::new(pts, 8, 5, colour.stroke_width(2)))
                    .map_err(err)?,
                Mark::Points => chart
                    .draw_series(pts.into_iter().map(|p| Circle::new(p, 2, colour.filled())))
                    .map_err(err)?,
            };
            // Only labelled series get a legend entry (plotters lists every `label` call,
            // empty ones as blank rows).
            if !s.label.is_empty() {
                anno.label(s.label.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
                });
            }
        }
        if self.legend_entries() > 0 {
            chart
                .configure_series_labels()
                .position(self.legend.clone())
                .label_font((FONT_FAMILY, 14))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .draw()
                .map_err(err)?;
        }
        Ok(())
    }
}

/// `v`, or 0 when `|v| < tiny` (a tick that is 0 up to rounding).
fn snap_zero(v: f64, tiny: f64) -> f64 {
    if v.abs() < tiny { 0.0 } else { v }
}

/// A tick label with at most 3 significant digits (`0.25`, `1e-5`, `2.5e4`).
pub fn tick_label(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if (1e-3..1e4).contains(&a) {
        let digits = (2 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.digits$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        let s = format!("{v:.2e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        format!("{m}e{e}")
    }
}

/// Writes several plots into one PNG, `cols` per row, each [`PLOT_SIZE`] pixels.
pub fn save_grid_png(path: &Path, plots: &[LinePlot], cols: usize) -> Result<(), PlotError> {
    if !ensure_font() {
        return Err(PlotError::Font);
    }
    for p in plots {
        p.check()?;
    }
    let cols = cols.clamp(1, plots.len().max(1));
    let rows = plots.len().div_ceil(cols).max(1);
    let size = (PLOT_SIZE.0 * cols as u32, PLOT_SIZE.1 * rows as u32);
    let title = plots.first().map_or_else(String::new, |p| p.title.clone());
    write_png(path, size, &title, |root| {
        for (p, area) in plots.iter().zip(root.split_evenly((rows, cols))) {
            p.draw_on(&area)?;
        }
        Ok(())
    })
}

/// Draws a `size` PNG with `draw` on a white background into a temporary file renamed to
/// `path` when complete.
fn write_png(
    path: &Path,
    size: (u32, u32),
    title: &str,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<(), PlotError> {
    let tmp = temp_path(path);
    let drawn = (|| -> Result<(), String> {
        let root = BitMapBackend::new(&tmp, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw(&root)?;
        root.present().map_err(|e| e.to_string())
    })();
    if let Err(msg) = drawn {
        let _ = std::fs::remove_file(&tmp);
        return Err(PlotError::Draw {
            title: title.to_string(),
            msg,
        });
    }
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        PlotError::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// One labelled row of grey-scale images for [`save_image_rows_png`].
#[derive(Clone, Debug, PartialEq)]
pub struct ImageRow {
    /// Label drawn left of the row.
    pub label: String,
    /// Images, each `width × height` values row-major (top row first).
    pub images: Vec<Vec<f64>>,
}

/// Rows of small grey-scale images (e.g. digits and their reconstructions) under `title`, as
/// one PNG: one grey scale for the whole figure, spanning the first row's values (others are
/// clamped to it), larger values darker.
pub fn save_image_rows_png(
    path: &Path,
    title: &str,
    rows: &[ImageRow],
    width: usize,
    height: usize,
) -> Result<(), PlotError> {
    if !ensure_font() {
        return Err(PlotError::Font);
    }
    for r in rows {
        if let Some(bad) = r.images.iter().find(|i| i.len() != width * height) {
            return Err(PlotError::Series {
                title: title.to_string(),
                series: r.label.clone(),
                msg: format!(
                    "an image of {} values, expected {width}×{height}",
                    bad.len()
                ),
            });
        }
    }
    let (lo, hi) = rows
        .iter()
        .take(1)
        .flat_map(|r| r.images.iter().flatten())
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let cell = (96 / width.max(height).max(1)).max(2) as i32;
    let (img_w, img_h) = (cell * width as i32, cell * height as i32);
    let gap = 10;
    let label_w = 170;
    let cols = rows.iter().map(|r| r.images.len()).max().unwrap_or(0) as i32;
    let size = (
        (label_w + cols * (img_w + gap) + gap).max(400) as u32,
        (50 + rows.len() as i32 * (img_h + gap) + gap) as u32,
    );
    write_png(path, size, title, |root| {
        let err = |e: &dyn std::fmt::Display| e.to_string();
        root.draw(&Text::new(title, (gap, 12), (FONT_FAMILY, 22)))
            .map_err(|e| err(&e))?;
        for (r, row) in rows.iter().enumerate() {
            let y0 = 50 + r as i32 * (img_h + gap);
            root.draw(&Text::new(
                row.label.as_str(),
                (gap, y0 + img_h / 2 - 8),
                (FONT_FAMILY, 16),
            ))
            .map_err(|e| err(&e))?;
            for (k, img) in row.images.iter().enumerate() {
                let x0 = label_w + k as i32 * (img_w + gap);
                for (i, v) in img.iter().enumerate() {
                    let t = if v.is_finite() {
                        ((v - lo) / span).clamp(0.0, 1.0)
                    } else {
                        0.0
                    };
                    let g = (255.0 * (1.0 - t)).round() as u8;
                    let (px, py) = ((i % width) as i32, (i / width) as i32);
                    let corner = (x0 + px * cell, y0 + py * cell);
                    root.draw(&Rectangle::new(
                        [corner, (corner.0 + cell, corner.1 + cell)],
                        RGBColor(g, g, g).filled(),
                    ))
                    .map_err(|e| err(&e))?;
                }
                root.draw(&Rectangle::new(
                    [(x0, y0), (x0 + img_w, y0 + img_h)],
                    BLACK.stroke_width(1),
                ))
                .map_err(|e| err(&e))?;
            }
        }
        Ok(())
    })
}

/// `dir/.name.tmp.png` beside `path` (the encoder picks the format from the extension).
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_stem()
        .map_or_else(|| "plot".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp.png", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("spikesim-plot-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn writes_png_with_linear_and_log_axes() {
        let d = tmpdir("axes");
        let x: Vec<f64> = (1..50).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| v * v).collect();
        for (i, (lx, ly)) in [(false, false), (true, false), (false, true), (true, true)]
            .into_iter()
            .enumerate()
        {
            let path = d.join(format!("p{i}.png"));
            LinePlot::new("squares", "x", "y")
                .log_x(lx)
                .log_y(ly)
                .series(Series::line("x²", x.clone(), y.clone()))
                .series(Series::points("x", x.clone(), x.clone()))
                .series(Series::dashed("limit", vec![1.0, 49.0], vec![100.0, 100.0]))
                .save_png(&path)
                .unwrap();
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(&bytes[1..4], b"PNG", "{path:?}");
            assert!(
                bytes.len() > 5_000,
                "a plot with text and lines: {}",
                bytes.len()
            );
        }
        // No temporary file left behind.
        let left: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp."))
            .collect();
        assert!(left.is_empty());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn image_rows_are_drawn_and_bad_sizes_rejected() {
        let d = tmpdir("images");
        let path = d.join("img.png");
        let img = |k: usize| (0..64).map(|i| ((i * k) % 17) as f64).collect::<Vec<f64>>();
        let rows = [
            ImageRow {
                label: "original".into(),
                images: (1..6).map(img).collect(),
            },
            ImageRow {
                label: "reconstruction".into(),
                images: (2..7).map(img).collect(),
            },
        ];
        save_image_rows_png(&path, "digits", &rows, 8, 8).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        assert!(bytes.len() > 2_000, "{}", bytes.len());
        let bad = [ImageRow {
            label: "short".into(),
            images: vec![vec![0.0; 63]],
        }];
        let e = save_image_rows_png(&path, "t", &bad, 8, 8).unwrap_err();
        assert!(e.to_string().contains("63 values"), "{e}");
        std::fs::remove_dir_all(&d).ok();
    }

    #[test]
    fn grid_and_empty_plots_are_drawn_and_bad_series_rejected() {
        let d = tmpdir("grid");
        let path = d.join("grid.png");
        let a =
            LinePlot::new("a", "x", "y").series(Series::line("s", vec![0.0, 1.0], vec![0.0, 1.0]));
        let b = LinePlot::new("empty", "x", "y").log_y(true);
        save_grid_png(&path, &[a.clone(), b, a], 2).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 5_000);
        let bad = LinePlot::new("bad", "x", "y").series(Series::line("s", vec![0.0], vec![]));
        let e = bad.save_png(&d.join("bad.png")).unwrap_err();
        assert!(e.to_string().contains("1 x values but 0 y values"), "{e}");
        assert!(!d.join("bad.png").exists());
        let e = a_plot()
            .save_png(&d.join("missing-dir").join("x.png"))
            .unwrap_err();
        assert!(
            matches!(e, PlotError::Draw { .. } | PlotError::Io { .. }),
            "{e}"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    /// The RGB pixels of `plot` drawn at [`PLOT_SIZE`].
    fn pixels(plot: &LinePlot) -> Vec<u8> {
        assert!(ensure_font());
        let mut buf = vec![0u8; (PLOT_SIZE.0 * PLOT_SIZE.1 * 3) as usize];
        {
            let area = BitMapBackend::with_buffer(&mut buf, PLOT_SIZE).into_drawing_area();
            area.fill(&WHITE).unwrap();
            plot.draw_on(&area).unwrap();
            area.present().unwrap();
        }
        buf
    }

    #[test]
    fn unlabelled_series_get_no_legend_entry() {
        // Tuning-curve plots label one curve of many: the others must not add blank legend
        // rows, and a plot with no label draws no (empty) legend box at all.
        let curves = |first: &str| {
            (0..12).fold(LinePlot::new("curves", "x", "y"), |p, i| {
                let x: Vec<f64> = (0..20).map(f64::from).collect();
                let y = x.iter().map(|v| v * f64::from(i)).collect();
                p.series(Series::line(if i == 0 { first } else { "" }, x, y))
            })
        };
        assert_eq!(curves("neurons").legend_entries(), 1);
        assert_eq!(curves("").legend_entries(), 0);
        let upper = pixels(&curves(""));
        let lower = pixels(&curves("").legend(SeriesLabelPosition::LowerRight));
        assert!(upper == lower, "an unlabelled plot drew a legend box");
        // With one label the box is drawn (moving it changes the image) and holds one row:
        // it covers far fewer pixels than a box with every curve labelled.
        let one = pixels(&curves("neurons"));
        assert!(one != upper);
        let all = (0..12).fold(LinePlot::new("curves", "x", "y"), |p, i| {
            let x: Vec<f64> = (0..20).map(f64::from).collect();
            let y = x.iter().map(|v| v * f64::from(i)).collect();
            p.series(Series::line(&format!("n{i}"), x, y))
        });
        let changed = |a: &[u8]| a.iter().zip(&upper).filter(|(a, b)| a != b).count();
        assert!(
            3 * changed(&one) < changed(&pixels(&all)),
            "one entry changes {} bytes, twelve {}",
            changed(&one),
            changed(&pixels(&all))
        );
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(9.999999999999999e-5), "1e-4");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(20.0), "20");
        assert_eq!(tick_label(25000.0), "2.5e4");
        assert_eq!(tick_label(-1.5), "-1.5");
        assert_eq!(tick_label(0.0), "0");
        // A zero tick with rounding residue on an axis spanning 2 reads 0; small real values
        // on a small axis stay.
        assert_eq!(tick_label(snap_zero(-2.220446049250313e-16, 2e-9)), "0");
        assert_eq!(tick_label(snap_zero(1e-12, 1e-21)), "1e-12");
    }

    fn a_plot() -> LinePlot {
        LinePlot::new("a", "x", "y").series(Series::line("s", vec![0.0, 1.0], vec![0.0, 1.0]))
    }
}

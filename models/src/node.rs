//! Input nodes: vector signals of time that drive ensembles (Nengo `Node`s with an output).
//!
//! A node's value at simulator step `s` is its signal at `t = (s+1)·Δt`, as Nengo evaluates
//! node functions at the time the step ends (`sim.trange()`).

use rand_distr::{Distribution, StandardNormal};
use simcore::rng::stream;

use crate::NefError;
use crate::expr::Expr;

/// The signal a node outputs.
#[derive(Clone, Debug, PartialEq)]
pub enum Signal {
    /// A constant vector.
    Constant(Vec<f64>),
    /// `before` until time `at` (exclusive), `after` from then on.
    Step {
        /// Switch time, seconds.
        at: f64,
        /// Value before the switch.
        before: Vec<f64>,
        /// Value from the switch on.
        after: Vec<f64>,
    },
    /// Piecewise-linear interpolation of `(time, value)` points, held constant outside.
    Piecewise {
        /// Times, seconds, strictly increasing.
        times: Vec<f64>,
        /// One value vector per time.
        values: Vec<Vec<f64>>,
    },
    /// `offset + amplitude·sin(2π·freq·t + phase)`, per dimension.
    Sine {
        /// Frequency, Hz.
        freq: f64,
        /// Amplitude per dimension.
        amplitude: Vec<f64>,
        /// Phase per dimension, radians.
        phase: Vec<f64>,
        /// Offset per dimension.
        offset: Vec<f64>,
    },
    /// Band-limited white noise (Nengo `WhiteSignal`): a periodic signal of period `period`
    /// whose Fourier components up to `high` Hz have Gaussian random coefficients, scaled to
    /// the given RMS; seeded from the master seed and the node's name.
    WhiteNoise {
        /// Period, seconds.
        period: f64,
        /// Cut-off frequency, Hz.
        high: f64,
        /// Root-mean-square value.
        rms: f64,
        /// Dimensions.
        dims: usize,
        /// Seed of the noise (default: the master seed).
        seed: Option<u64>,
    },
    /// One expression of `t` per dimension.
    Expr(Vec<Expr>),
}

/// A node's signal, ready to evaluate (random components drawn).
#[derive(Clone, Debug)]
pub struct NodeSource {
    name: String,
    signal: Signal,
    /// White noise: per dimension, `(frequency, cos coefficient, sin coefficient)` triples.
    noise: Vec<Vec<(f64, f64, f64)>>,
}

impl Signal {
    /// Output dimensions.
    pub fn dims(&self) -> usize {
        match self {
            Signal::Constant(v) => v.len(),
            Signal::Step { before, .. } => before.len(),
            Signal::Piecewise { values, .. } => values.first().map_or(0, Vec::len),
            Signal::Sine { amplitude, .. } => amplitude.len(),
            Signal::WhiteNoise { dims, .. } => *dims,
            Signal::Expr(e) => e.len(),
        }
    }

    /// Checks the signal and draws its random parts from the stream keyed by `name`.
    pub fn build(&self, name: &str, seed: u64) -> Result<NodeSource, NefError> {
        let bad = |key: &str, msg: String| Err(NefError::invalid(name, key, msg));
        let d = self.dims();
        if d == 0 {
            return bad("output", "a node needs at least one dimension".into());
        }
        let mut noise = Vec::new();
        match self {
            Signal::Constant(v) if v.iter().any(|x| !x.is_finite()) => {
                return bad("value", "values must be finite".into());
            }
            Signal::Step { at, after, .. } => {
                if after.len() != d {
                    return bad("after", format!("{} values, `before` has {d}", after.len()));
                }
                if !at.is_finite() {
                    return bad("at", "must be finite".into());
                }
            }
            Signal::Piecewise { times, values } => {
                if times.len() != values.len() || times.is_empty() {
                    return bad(
                        "times",
                        format!("{} times for {} values", times.len(), values.len()),
                    );
                }
                if values.iter().any(|v| v.len() != d) {
                    return bad("values", "all values need the same dimension".into());
                }
                if times
                    .windows(2)
                    .any(|w| w[1].partial_cmp(&w[0]) != Some(std::cmp::Ordering::Greater))
                    || times.iter().any(|t| !t.is_finite())
                {
                    return bad("times", "must be finite and strictly increasing".into());
                }
            }
            Signal::Sine {
                freq,
                phase,
                offset,
                ..
            } => {
                if phase.len() != d || offset.len() != d {
                    return bad("phase", format!("phase and offset need {d} values"));
                }
                if !freq.is_finite() {
                    return bad("freq", "must be finite".into());
                }
            }
            Signal::WhiteNoise {
                period,
                high,
                rms,
                dims,
                seed: own_seed,
            } => {
                if !(*period > 0.0 && period.is_finite()) {
                    return bad("period", "must be positive".into());
                }
                let nf = (high * period).floor() as usize;
                if high.is_nan() || *high <= 0.0 || nf == 0 || nf > 1_000_000 {
                    return bad(
                        "high",
                        format!("need 1 ≤ high·period ≤ 1e6 (got {})", high * period),
                    );
                }
                if !(*rms >= 0.0 && rms.is_finite()) {
                    return bad("rms", "must be ≥ 0".into());
                }
                let mut rng = stream(
                    own_seed.unwrap_or(seed),
                    &format!("node/{name}/white_noise"),
                );
                for _ in 0..*dims {
                    let mut comps: Vec<(f64, f64, f64)> = (1..=nf)
                        .map(|j| {
                            let c: f64 = StandardNormal.sample(&mut rng);
                            let s: f64 = StandardNormal.sample(&mut rng);
                            (j as f64 / period, c, s)
                        })
                        .collect();
                    // Mean square of Σ c cos + s sin over a period is Σ (c² + s²)/2.
                    let ms: f64 = comps.iter().map(|(_, c, s)| (c * c + s * s) / 2.0).sum();
                    let scale = if ms > 0.0 { rms / ms.sqrt() } else { 0.0 };
                    comps.iter_mut().for_each(|(_, c, s)| {
                        *c *= scale;
                        *s *= scale;
                    });
                    noise.push(comps);
                }
            }
            _ => {}
        }
        Ok(NodeSource {
            name: name.to_string(),
            signal: self.clone(),
            noise,
        })
    }
}

impl NodeSource {
    /// Node name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Output dimensions.
    pub fn dims(&self) -> usize {
        self.signal.dims()
    }

    /// Writes the value at time `t` into `out` (length [`NodeSource::dims`]).
    pub fn eval(&self, t: f64, out: &mut [f64]) {
        match &self.signal {
            Signal::Constant(v) => out.copy_from_slice(v),
            Signal::Step { at, before, after } => {
                out.copy_from_slice(if t < *at { before } else { after })
            }
            Signal::Piecewise { times, values } => {
                let i = times.partition_point(|&x| x <= t);
                if i == 0 {
                    out.copy_from_slice(&values[0]);
                } else if i == times.len() {
                    out.copy_from_slice(&values[i - 1]);
                } else {
                    let w = (t - times[i - 1]) / (times[i] - times[i - 1]);
                    for (j, o) in out.iter_mut().enumerate() {
                        *o = values[i - 1][j] + w * (values[i][j] - values[i - 1][j]);
                    }
                }
            }
            Signal::Sine {
                freq,
                amplitude,
                phase,
                offset,
            } => {
                for (j, o) in out.iter_mut().enumerate() {
                    *o = offset[j]
                        + amplitude[j] * (std::f64::consts::TAU * freq * t + phase[j]).sin();
                }
            }
            Signal::WhiteNoise { .. } => {
                for (o, comps) in out.iter_mut().zip(&self.noise) {
                    *o = comps
                        .iter()
                        .map(|&(f, c, s)| {
                            let w = std::f64::consts::TAU * f * t;
                            c * w.cos() + s * w.sin()
                        })
                        .sum();
                }
            }
            Signal::Expr(e) => {
                for (o, e) in out.iter_mut().zip(e) {
                    *o = e.eval(&[], t);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &Signal, t: f64) -> Vec<f64> {
        let b = s.build("n", 0).unwrap();
        let mut out = vec![0.0; s.dims()];
        b.eval(t, &mut out);
        out
    }

    #[test]
    fn deterministic_signals() {
        let step = Signal::Step {
            at: 0.5,
            before: vec![0.0],
            after: vec![2.0],
        };
        assert_eq!(at(&step, 0.49), vec![0.0]);
        assert_eq!(at(&step, 0.5), vec![2.0]);
        let pw = Signal::Piecewise {
            times: vec![0.0, 1.0, 2.0],
            values: vec![vec![0.0], vec![1.0], vec![-1.0]],
        };
        assert_eq!(at(&pw, -1.0), vec![0.0]);
        assert_eq!(at(&pw, 0.25), vec![0.25]);
        assert_eq!(at(&pw, 1.5), vec![0.0]);
        assert_eq!(at(&pw, 3.0), vec![-1.0]);
        let sine = Signal::Sine {
            freq: 1.0,
            amplitude: vec![1.0, 1.0],
            phase: vec![0.0, std::f64::consts::FRAC_PI_2],
            offset: vec![0.0, 0.5],
        };
        let v = at(&sine, 0.25);
        assert!((v[0] - 1.0).abs() < 1e-12 && (v[1] - 0.5).abs() < 1e-12);
        let e = Signal::Expr(vec![Expr::parse("2*t", 0, true, "n", "f").unwrap()]);
        assert_eq!(at(&e, 1.5), vec![3.0]);
    }

    #[test]
    fn white_noise_has_its_rms_and_band() {
        let s = Signal::WhiteNoise {
            period: 10.0,
            high: 5.0,
            rms: 0.5,
            dims: 1,
            seed: None,
        };
        let b = s.build("noise", 3).unwrap();
        let n = 10_000;
        let xs: Vec<f64> = (0..n)
            .map(|k| {
                let mut o = [0.0];
                b.eval(k as f64 * 1e-3, &mut o);
                o[0]
            })
            .collect();
        let rms = (xs.iter().map(|x| x * x).sum::<f64>() / n as f64).sqrt();
        assert!((rms - 0.5).abs() < 1e-3, "rms {rms}");
        // Periodic with its period; reproducible for the same seed and name.
        let mut o1 = [0.0];
        let mut o2 = [0.0];
        b.eval(1.234, &mut o1);
        b.eval(11.234, &mut o2);
        assert!((o1[0] - o2[0]).abs() < 1e-9);
        let c = Signal::WhiteNoise {
            period: 10.0,
            high: 5.0,
            rms: 0.5,
            dims: 1,
            seed: None,
        }
        .build("other", 3)
        .unwrap();
        c.eval(1.234, &mut o2);
        assert!((o1[0] - o2[0]).abs() > 1e-6);
        // An own seed replaces the master seed.
        let own = |seed| Signal::WhiteNoise {
            period: 10.0,
            high: 5.0,
            rms: 0.5,
            dims: 1,
            seed,
        };
        let mut o3 = [0.0];
        own(Some(3))
            .build("noise", 99)
            .unwrap()
            .eval(1.234, &mut o3);
        assert_eq!(o3, o1);
        own(Some(4)).build("noise", 3).unwrap().eval(1.234, &mut o3);
        assert!((o1[0] - o3[0]).abs() > 1e-6);
    }

    #[test]
    fn bad_signals_are_errors() {
        assert!(Signal::Constant(vec![]).build("n", 0).is_err());
        let pw = Signal::Piecewise {
            times: vec![1.0, 0.0],
            values: vec![vec![0.0], vec![1.0]],
        };
        assert!(pw.build("n", 0).unwrap_err().to_string().contains("times"));
    }
}

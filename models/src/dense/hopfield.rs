//! The Hopfield network: `N` bipolar units `s_i ∈ {−1, +1}`, Hebbian storage of `P` patterns
//! `ξ^μ`,
//! $$W = \frac{1}{N}\sum_\mu \xi^\mu \xi^{\mu\top},\quad W_{ii} = 0,$$
//! and asynchronous recall `s_i ← sign(Σ_j W_ij s_j)` (ties keep the state), visiting units in
//! a random order each sweep until a sweep changes nothing.
//!
//! Capacity (Amit, Gutfreund & Sompolinsky 1985): for random patterns and large `N`, stored
//! patterns are retrieved with small error (overlap `m > 0.97`) for load `α = P/N` below
//! `α_c ≈ 0.138`; beyond it retrieval collapses.

use super::DenseError;
use super::matrix::{Matrix, Op, product};
use rand::Rng;
use rand::seq::SliceRandom;

/// A Hopfield network.
#[derive(Clone, Debug, PartialEq)]
pub struct Hopfield {
    /// Symmetric weights with zero diagonal, `N × N`.
    pub w: Matrix,
}

/// Outcome of a recall.
#[derive(Clone, Debug, PartialEq)]
pub struct Recall {
    /// Final state.
    pub state: Vec<f64>,
    /// Sweeps run (the last one changed nothing unless `max_sweeps` ran out).
    pub sweeps: usize,
    /// Whether a fixed point was reached.
    pub converged: bool,
}

impl Hopfield {
    /// Stores `patterns` (rows of ±1, `P × N`) with the Hebbian rule (through faer:
    /// `W = ΞᵀΞ/N`, diagonal zeroed).
    pub fn store(patterns: &Matrix) -> Result<Self, DenseError> {
        if let Some(v) = patterns.data().iter().find(|v| v.abs() != 1.0) {
            return Err(DenseError::Param {
                object: "hopfield patterns".into(),
                key: "value",
                value: v.to_string(),
                msg: "patterns must be ±1".into(),
            });
        }
        let n = patterns.cols();
        let mut w = product(patterns, Op::T, patterns, Op::N);
        let scale = 1.0 / n.max(1) as f64;
        w.data_mut().iter_mut().for_each(|v| *v *= scale);
        for i in 0..n {
            w.row_mut(i)[i] = 0.0;
        }
        Ok(Self { w })
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.w.rows()
    }

    /// Whether the network has no units.
    pub fn is_empty(&self) -> bool {
        self.w.rows() == 0
    }

    /// Asynchronous recall from `start` (±1), unit order shuffled by `rng` each sweep.
    pub fn recall(&self, start: &[f64], max_sweeps: usize, rng: &mut impl Rng) -> Recall {
        self.recall_observed(start, max_sweeps, rng, &mut |_, _| {})
    }

    /// [`recall`](Self::recall), calling `observe(sweep, state)` after every sweep.
    pub fn recall_observed(
        &self,
        start: &[f64],
        max_sweeps: usize,
        rng: &mut impl Rng,
        observe: &mut dyn FnMut(usize, &[f64]),
    ) -> Recall {
        let mut s = start.to_vec();
        let mut order: Vec<usize> = (0..self.len()).collect();
        for sweep in 1..=max_sweeps {
            order.shuffle(rng);
            let mut changed = false;
            for &i in &order {
                let h: f64 = self.w.row(i).iter().zip(&s).map(|(w, x)| w * x).sum();
                let new = if h > 0.0 {
                    1.0
                } else if h < 0.0 {
                    -1.0
                } else {
                    s[i]
                };
                changed |= new != s[i];
                s[i] = new;
            }
            observe(sweep, &s);
            if !changed {
                return Recall {
                    state: s,
                    sweeps: sweep,
                    converged: true,
                };
            }
        }
        Recall {
            state: s,
            sweeps: max_sweeps,
            converged: false,
        }
    }

    /// Energy `E = −½ sᵀ W s` (non-increasing under asynchronous updates).
    pub fn energy(&self, s: &[f64]) -> f64 {
        -0.5 * self
            .w
            .row_iter()
            .zip(s)
            .map(|(row, si)| si * row.iter().zip(s).map(|(w, x)| w * x).sum::<f64>())
            .sum::<f64>()
    }
}

/// Overlap `m = (1/N) Σ ξ_i s_i` of a state with a pattern (1: identical).
pub fn overlap(pattern: &[f64], state: &[f64]) -> f64 {
    pattern.iter().zip(state).map(|(a, b)| a * b).sum::<f64>() / pattern.len().max(1) as f64
}

/// Random ±1 patterns, `p × n`, from the stream `dense/hopfield/patterns`.
pub fn random_patterns(p: usize, n: usize, seed: u64) -> Matrix {
    let mut rng = simcore::rng::stream(seed, "dense/hopfield/patterns");
    let data = (0..p * n)
        .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
        .collect();
    Matrix::from_vec(p, n, data).expect("p×n")
}

/// Recall of one stored pattern from a noisy cue.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternRecall {
    /// Overlap of the cue with the pattern (`1 − 2·flipped/N`).
    pub cue_overlap: f64,
    /// Overlap with the pattern after each sweep (the last entry is the final overlap).
    pub overlaps: Vec<f64>,
    /// Whether a fixed point was reached within the sweeps allowed.
    pub converged: bool,
}

impl PatternRecall {
    /// Final overlap with the pattern.
    pub fn overlap(&self) -> f64 {
        self.overlaps.last().copied().unwrap_or(self.cue_overlap)
    }

    /// Overlap after `sweeps` sweeps (0: the cue; past the last sweep run, the final overlap).
    pub fn overlap_after(&self, sweeps: usize) -> f64 {
        match sweeps {
            0 => self.cue_overlap,
            k => self.overlaps.get(k - 1).copied().unwrap_or(self.overlap()),
        }
    }
}

/// Recalls every row of `patterns` (±1, `P × N`) in turn from a copy with each bit flipped
/// with probability `flip`, at most `max_sweeps` sweeps each; the flips and the update orders
/// are drawn from `rng` (pattern by pattern, so the outcome depends only on the seed).
pub fn recall_patterns(
    net: &Hopfield,
    patterns: &Matrix,
    flip: f64,
    max_sweeps: usize,
    rng: &mut impl Rng,
) -> Vec<PatternRecall> {
    patterns
        .row_iter()
        .map(|xi| {
            let start: Vec<f64> = xi
                .iter()
                .map(|&v| if rng.random::<f64>() < flip { -v } else { v })
                .collect();
            let mut overlaps = Vec::new();
            let r = net.recall_observed(&start, max_sweeps, rng, &mut |_, s| {
                overlaps.push(overlap(xi, s));
            });
            PatternRecall {
                cue_overlap: overlap(xi, &start),
                overlaps,
                converged: r.converged,
            }
        })
        .collect()
}

/// Capacity check: store `p` random patterns in `n` units, recall each from a copy with a
/// fraction `flip` of its bits flipped (at most 100 sweeps), and return the mean final overlap
/// with the stored pattern.
pub fn capacity_overlap(n: usize, p: usize, flip: f64, seed: u64) -> f64 {
    let patterns = random_patterns(p, n, seed);
    let net = Hopfield::store(&patterns).expect("±1 patterns");
    let mut rng = simcore::rng::stream(seed, "dense/hopfield/recall");
    let total: f64 = recall_patterns(&net, &patterns, flip, 100, &mut rng)
        .iter()
        .map(PatternRecall::overlap)
        .sum();
    total / p.max(1) as f64
}

/// Bipolar patterns from real-valued rows: `+1` where `x > threshold`, else `−1` (e.g. digit
/// images with pixels in [0, 1] at threshold 0.5).
pub fn binarise(x: &Matrix, threshold: f64) -> Matrix {
    let data = x
        .data()
        .iter()
        .map(|&v| if v > threshold { 1.0 } else { -1.0 })
        .collect();
    Matrix::from_vec(x.rows(), x.cols(), data).expect("same shape")
}

/// Mean absolute overlap `|m|` between distinct stored patterns (≈ 1/√N for random ones):
/// the correlation that lowers the capacity below the random-pattern α_c.
pub fn mean_cross_overlap(patterns: &Matrix) -> f64 {
    let p = patterns.rows();
    if p < 2 {
        return 0.0;
    }
    let mut total = 0.0;
    for a in 0..p {
        for b in a + 1..p {
            total += overlap(patterns.row(a), patterns.row(b)).abs();
        }
    }
    total / (p * (p - 1) / 2) as f64
}

/// Critical load of random patterns, `α_c ≈ 0.138` (Amit, Gutfreund & Sompolinsky 1985).
pub const ALPHA_C: f64 = 0.138;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recall_below_capacity_and_degradation_beyond() {
        let n = 400;
        let low = capacity_overlap(n, n / 20, 0.1, 1);
        let at = capacity_overlap(n, n / 10, 0.1, 1);
        let beyond = capacity_overlap(n, n / 5, 0.1, 1);
        assert!(low > 0.99, "α = 0.05: {low}");
        assert!(at > 0.95, "α = 0.1: {at}");
        assert!(beyond < 0.8, "α = 0.2: {beyond}");
    }

    #[test]
    fn binarised_and_correlated_patterns() {
        let x = Matrix::from_vec(2, 3, vec![0.0, 0.6, 0.5, 1.0, 0.2, 0.9]).unwrap();
        let b = binarise(&x, 0.5);
        assert_eq!(b.data(), &[-1.0, 1.0, -1.0, 1.0, -1.0, 1.0]);
        // Rows (−1, 1, −1) and (1, −1, 1) are opposite: |m| = 1.
        assert_eq!(mean_cross_overlap(&b), 1.0);
        let r = random_patterns(20, 400, 3);
        let m = mean_cross_overlap(&r);
        // E|m| = √(2/(πN)) ≈ 0.040 for N = 400.
        assert!((m - 0.040).abs() < 0.01, "{m}");
        // Cue overlaps follow the flip fraction; overlaps are recorded per sweep.
        let net = Hopfield::store(&r.slice_rows(0, 5)).unwrap();
        let out = recall_patterns(
            &net,
            &r.slice_rows(0, 5),
            0.1,
            20,
            &mut simcore::rng::stream(3, "t"),
        );
        for o in &out {
            assert!((o.cue_overlap - 0.8).abs() < 0.1, "{}", o.cue_overlap);
            assert!(o.converged && o.overlap() == 1.0);
            assert_eq!(o.overlap_after(0), o.cue_overlap);
            assert_eq!(o.overlap_after(1), o.overlaps[0]);
            assert_eq!(o.overlap_after(99), 1.0);
        }
    }

    #[test]
    fn energy_never_increases_and_errors_are_named() {
        let pats = random_patterns(3, 50, 2);
        let net = Hopfield::store(&pats).unwrap();
        let mut rng = simcore::rng::stream(0, "t");
        let start: Vec<f64> = (0..50)
            .map(|i| if i % 3 == 0 { 1.0 } else { -1.0 })
            .collect();
        let e0 = net.energy(&start);
        let r = net.recall(&start, 50, &mut rng);
        assert!(r.converged && net.energy(&r.state) <= e0);
        // The observer sees every sweep; the last state is the result.
        let mut seen = Vec::new();
        let r2 = net.recall_observed(
            &start,
            50,
            &mut simcore::rng::stream(0, "t"),
            &mut |k, s| seen.push((k, s.to_vec())),
        );
        assert_eq!(r2, r);
        assert_eq!(seen.len(), r.sweeps);
        assert_eq!(seen.last().unwrap().1, r.state);
        let bad = Matrix::from_vec(1, 2, vec![1.0, 0.5]).unwrap();
        assert!(
            Hopfield::store(&bad)
                .unwrap_err()
                .to_string()
                .contains("±1")
        );
    }
}

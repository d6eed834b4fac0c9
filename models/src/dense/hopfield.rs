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

/// Capacity check: store `p` random patterns in `n` units, recall each from a copy with a
/// fraction `flip` of its bits flipped, and return the mean final overlap with the stored
/// pattern.
pub fn capacity_overlap(n: usize, p: usize, flip: f64, seed: u64) -> f64 {
    let patterns = random_patterns(p, n, seed);
    let net = Hopfield::store(&patterns).expect("±1 patterns");
    let mut rng = simcore::rng::stream(seed, "dense/hopfield/recall");
    let mut total = 0.0;
    for mu in 0..p {
        let xi = patterns.row(mu);
        let start: Vec<f64> = xi
            .iter()
            .map(|&v| if rng.random::<f64>() < flip { -v } else { v })
            .collect();
        let r = net.recall(&start, 100, &mut rng);
        total += overlap(xi, &r.state);
    }
    total / p.max(1) as f64
}

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
        let bad = Matrix::from_vec(1, 2, vec![1.0, 0.5]).unwrap();
        assert!(
            Hopfield::store(&bad)
                .unwrap_err()
                .to_string()
                .contains("±1")
        );
    }
}

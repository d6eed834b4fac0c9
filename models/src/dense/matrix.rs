//! Row-major `f64` matrices (one sample per row) whose products go through faer's GEMM.
//!
//! faer is the workspace's linear-algebra crate (the NEF solvers use it too), its GEMM is
//! cache-blocked and SIMD (AVX2/FMA on this build), and it accepts strided/transposed views, so
//! `Xᵀ·δ` and `δ·Wᵀ` need no copies. Products run with `faer::Par::Seq`: parallelism is over
//! fixed blocks of samples one level up, so results never depend on the thread count.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef};

/// A dense row-major matrix of `f64`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

/// Whether an operand of [`gemm`] is used as is or transposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// The matrix itself.
    N,
    /// Its transpose.
    T,
}

impl Matrix {
    /// A `rows × cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// A matrix from row-major data; `None` when `data.len() != rows·cols`.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f64>) -> Option<Self> {
        (data.len() == rows * cols).then_some(Self { rows, cols, data })
    }

    /// A matrix whose rows are the given slices (all of length `cols`); `None` if ragged.
    pub fn from_rows(rows: &[Vec<f64>]) -> Option<Self> {
        let cols = rows.first().map_or(0, Vec::len);
        if rows.iter().any(|r| r.len() != cols) {
            return None;
        }
        Some(Self {
            rows: rows.len(),
            cols,
            data: rows.concat(),
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The row-major data.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// The row-major data, mutable.
    pub fn data_mut(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// The data, consumed.
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Row `i`, mutable.
    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Iterator over rows.
    pub fn row_iter(&self) -> impl Iterator<Item = &[f64]> {
        // `max(1)` keeps `chunks_exact` valid for zero-column matrices (which have no data).
        self.data.chunks_exact(self.cols.max(1))
    }

    /// The rows at `indices`, in that order.
    pub fn select_rows(&self, indices: &[usize]) -> Self {
        let mut out = Self::zeros(indices.len(), self.cols);
        for (k, &i) in indices.iter().enumerate() {
            out.row_mut(k).copy_from_slice(self.row(i));
        }
        out
    }

    /// Rows `start..end`.
    pub fn slice_rows(&self, start: usize, end: usize) -> Self {
        Self {
            rows: end - start,
            cols: self.cols,
            data: self.data[start * self.cols..end * self.cols].to_vec(),
        }
    }

    /// Resizes to `rows × cols` (contents unspecified but finite), reusing the allocation.
    pub fn resize(&mut self, rows: usize, cols: usize) {
        self.rows = rows;
        self.cols = cols;
        self.data.resize(rows * cols, 0.0);
    }

    /// A faer view.
    pub fn view(&self) -> MatRef<'_, f64> {
        MatRef::from_row_major_slice(&self.data, self.rows, self.cols)
    }

    /// A mutable faer view.
    pub fn view_mut(&mut self) -> MatMut<'_, f64> {
        MatMut::from_row_major_slice_mut(&mut self.data, self.rows, self.cols)
    }

    /// Index of the largest entry of each row (the first one on ties).
    pub fn argmax_rows(&self) -> Vec<usize> {
        self.row_iter().map(argmax).collect()
    }
}

/// Index of the largest value (the first on ties; 0 for an empty or all-NaN slice). NaN
/// entries never win.
pub fn argmax(x: &[f64]) -> usize {
    let mut best: Option<usize> = None;
    for (i, &v) in x.iter().enumerate() {
        if !v.is_nan() && best.is_none_or(|b| v > x[b]) {
            best = Some(i);
        }
    }
    best.unwrap_or(0)
}

/// `dst ← alpha·op(a)·op(b) (+ dst if accumulate)`, through faer's GEMM (sequential).
///
/// Panics if the shapes disagree (a programming error inside this module, never user input).
pub fn gemm(
    dst: &mut Matrix,
    a: &Matrix,
    op_a: Op,
    b: &Matrix,
    op_b: Op,
    alpha: f64,
    accumulate: bool,
) {
    let av = match op_a {
        Op::N => a.view(),
        Op::T => a.view().transpose(),
    };
    let bv = match op_b {
        Op::N => b.view(),
        Op::T => b.view().transpose(),
    };
    if !accumulate {
        dst.resize(av.nrows(), bv.ncols());
    }
    let accum = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
    matmul(dst.view_mut(), accum, av, bv, alpha, faer::Par::Seq);
}

/// `op(a)·op(b)` as a new matrix.
pub fn product(a: &Matrix, op_a: Op, b: &Matrix, op_b: Op) -> Matrix {
    let mut out = Matrix::default();
    gemm(&mut out, a, op_a, b, op_b, 1.0, false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &Matrix, b: &Matrix) -> Matrix {
        let mut c = Matrix::zeros(a.rows(), b.cols());
        for i in 0..a.rows() {
            for j in 0..b.cols() {
                c.row_mut(i)[j] = (0..a.cols()).map(|k| a.row(i)[k] * b.row(k)[j]).sum();
            }
        }
        c
    }

    fn transpose(a: &Matrix) -> Matrix {
        let mut t = Matrix::zeros(a.cols(), a.rows());
        for i in 0..a.rows() {
            for j in 0..a.cols() {
                t.row_mut(j)[i] = a.row(i)[j];
            }
        }
        t
    }

    #[test]
    fn products_match_naive_on_awkward_sizes() {
        for (m, k, n) in [(1, 1, 1), (7, 9, 8), (33, 17, 65), (0, 3, 2), (5, 0, 4)] {
            let a = Matrix::from_vec(m, k, (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect())
                .unwrap();
            let b = Matrix::from_vec(k, n, (0..k * n).map(|i| (i as f64 * 0.11).cos()).collect())
                .unwrap();
            let want = naive(&a, &b);
            let close = |x: &Matrix| {
                x.rows() == want.rows()
                    && x.cols() == want.cols()
                    && x.data()
                        .iter()
                        .zip(want.data())
                        .all(|(p, q)| (p - q).abs() < 1e-12)
            };
            assert!(close(&product(&a, Op::N, &b, Op::N)), "{m}x{k}x{n}");
            assert!(close(&product(&transpose(&a), Op::T, &b, Op::N)));
            assert!(close(&product(&a, Op::N, &transpose(&b), Op::T)));
            let mut acc = want.clone();
            gemm(&mut acc, &a, Op::N, &b, Op::N, -1.0, true);
            assert!(acc.data().iter().all(|v| v.abs() < 1e-12));
        }
    }

    #[test]
    fn argmax_takes_first_of_ties() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, 2.0]), 1);
        assert_eq!(argmax(&[f64::NAN, 1.0]), 1);
        assert_eq!(argmax(&[]), 0);
    }
}

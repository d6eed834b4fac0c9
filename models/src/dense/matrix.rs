//! Row-major matrices (one sample per row) of `f64` (models, evaluation, gradient checks) or
//! `f32` (the training fast path), whose products go through faer's GEMM.
//!
//! faer is the workspace's linear-algebra crate (the NEF solvers use it too), its GEMM is
//! cache-blocked and SIMD (AVX2/FMA on this build), and it accepts strided/transposed views, so
//! `Xᵀ·δ` and `δ·Wᵀ` need no copies. Products run with `faer::Par::Seq`: parallelism is over
//! fixed blocks of samples one level up, so results never depend on the thread count.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef};

/// The element types the dense module computes in: `f64` and `f32`. Element-wise functions
/// without a fast path are evaluated in `f64` and rounded ([`Real::from_f64`]), so `f64`
/// results are exactly those of the `f64` formulas.
pub trait Real:
    faer::traits::ComplexField
    + Copy
    + Default
    + PartialOrd
    + Send
    + Sync
    + std::fmt::Debug
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::MulAssign
    + 'static
{
    /// Zero.
    const ZERO: Self;
    /// One.
    const ONE: Self;
    /// `x` rounded to this type.
    fn from_f64(x: f64) -> Self;
    /// The value as `f64` (exact).
    fn to_f64(self) -> f64;
    /// Square root.
    fn sqrt(self) -> Self;
}

impl Real for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline]
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
}

/// A dense row-major matrix.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Mat<T> {
    rows: usize,
    cols: usize,
    data: Vec<T>,
}

/// The `f64` matrix models are stored and evaluated in.
pub type Matrix = Mat<f64>;

/// Whether an operand of [`gemm`] is used as is or transposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// The matrix itself.
    N,
    /// Its transpose.
    T,
}

impl<T: Real> Mat<T> {
    /// A `rows × cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![T::ZERO; rows * cols],
        }
    }

    /// A matrix from row-major data; `None` when `data.len() != rows·cols`.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<T>) -> Option<Self> {
        (data.len() == rows * cols).then_some(Self { rows, cols, data })
    }

    /// The same matrix in another precision (rounded to nearest when narrowing).
    pub fn cast<U: Real>(&self) -> Mat<U> {
        Mat {
            rows: self.rows,
            cols: self.cols,
            data: self.data.iter().map(|&v| U::from_f64(v.to_f64())).collect(),
        }
    }

    /// A matrix whose rows are the given slices (all of length `cols`); `None` if ragged.
    pub fn from_rows(rows: &[Vec<T>]) -> Option<Self> {
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
    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// The row-major data, mutable.
    pub fn data_mut(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// The data, consumed.
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[T] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Row `i`, mutable.
    pub fn row_mut(&mut self, i: usize) -> &mut [T] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Iterator over rows.
    pub fn row_iter(&self) -> impl Iterator<Item = &[T]> {
        // `max(1)` keeps `chunks_exact` valid for zero-column matrices (which have no data).
        self.data.chunks_exact(self.cols.max(1))
    }

    /// The rows at `indices`, in that order.
    pub fn select_rows(&self, indices: &[usize]) -> Self {
        let mut out = Self::default();
        self.select_rows_into(indices, &mut out);
        out
    }

    /// The rows at `indices`, in that order, into `out` (reusing its allocation).
    pub fn select_rows_into(&self, indices: &[usize], out: &mut Self) {
        out.resize(indices.len(), self.cols);
        for (k, &i) in indices.iter().enumerate() {
            out.row_mut(k).copy_from_slice(self.row(i));
        }
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
        self.data.resize(rows * cols, T::ZERO);
    }

    /// A faer view.
    pub fn view(&self) -> MatRef<'_, T> {
        MatRef::from_row_major_slice(&self.data, self.rows, self.cols)
    }

    /// A mutable faer view.
    pub fn view_mut(&mut self) -> MatMut<'_, T> {
        MatMut::from_row_major_slice_mut(&mut self.data, self.rows, self.cols)
    }

    /// Index of the largest entry of each row (the first one on ties).
    pub fn argmax_rows(&self) -> Vec<usize> {
        self.row_iter().map(argmax).collect()
    }
}

/// Index of the largest value (the first on ties; 0 for an empty or all-NaN slice). NaN
/// entries never win.
pub fn argmax<T: Real>(x: &[T]) -> usize {
    let mut best: Option<usize> = None;
    for (i, &v) in x.iter().enumerate() {
        // `v == v` is false only for NaN.
        #[allow(clippy::eq_op)]
        let is_number = v == v;
        if is_number && best.is_none_or(|b| v > x[b]) {
            best = Some(i);
        }
    }
    best.unwrap_or(0)
}

/// `dst ← alpha·op(a)·op(b) (+ dst if accumulate)`, through faer's GEMM (sequential).
///
/// Panics if the shapes disagree (a programming error inside this module, never user input).
pub fn gemm<T: Real>(
    dst: &mut Mat<T>,
    a: &Mat<T>,
    op_a: Op,
    b: &Mat<T>,
    op_b: Op,
    alpha: T,
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
pub fn product<T: Real>(a: &Mat<T>, op_a: Op, b: &Mat<T>, op_b: Op) -> Mat<T> {
    let mut out = Mat::default();
    gemm(&mut out, a, op_a, b, op_b, T::ONE, false);
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
        assert_eq!(argmax::<f64>(&[]), 0);
    }
}

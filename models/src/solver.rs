//! Least-squares decoders (Nengo's `LstsqL2`).
//!
//! Given tuning curves $A$ ($m \times N$, rates at the $m$ evaluation points) and targets
//! $Y = f(X)$ ($m \times k$), the decoders minimise
//! $\lVert A D - Y\rVert^2 + m\,\sigma^2 \lVert D\rVert^2$ with $\sigma = \text{reg}\cdot\max A$
//! (Nengo `LstsqL2(reg=0.1)`; the noise model of Eliasmith & Anderson 2003, §2.2.2), i.e.
//!
//! $$ (A^\top A + m\sigma^2 I)\, D = A^\top Y. $$
//!
//! Methods ([`Method`]):
//! - `Cholesky` (Nengo's default): form the Gram matrix in f64 with faer (lower triangle only),
//!   factor it and solve; $O(mN^2)$.
//! - `Svd`: thin SVD of $A$, $D = V\,\mathrm{diag}(s/(s^2 + m\sigma^2))\,U^\top Y$, for
//!   ill-conditioned problems; slower.
//! - `Cg`: conjugate gradients on the same normal equations without forming the $N\times N$
//!   Gram matrix: one fused f32 pass $A^\top(Ap)$ per iteration, preconditioned by an evenly
//!   strided sketch of the evaluation points applied through the Woodbury identity (details in
//!   the `cg` module below); converges in 5–25 iterations to the Cholesky decoders (about 1e-5
//!   relative), so 1000-neuron solves take milliseconds and 10 000-neuron ensembles seconds.
//! - `Auto`: Cholesky up to [`AUTO_CG_ABOVE`] neurons (Nengo's own method, bit-for-bit
//!   comparable with the exactness fixture), CG above.
//!
//! The solver RMSE reported is Nengo's `rmses`: $\sqrt{\frac1m\sum_k (AD - Y)_{kj}^2}$ per
//! output dimension.

use faer::linalg::matmul::triangular::{BlockStructure, matmul as tri_matmul};
use faer::{Accum, Mat, Par, Side};
use rayon::prelude::*;

use crate::NefError;
use crate::ensemble::BuiltEnsemble;

/// How the regularised normal equations are solved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Method {
    /// Cholesky up to [`AUTO_CG_ABOVE`] neurons, conjugate gradients above.
    #[default]
    Auto,
    /// Cholesky factorisation of the f64 Gram matrix (Nengo's default).
    Cholesky,
    /// Thin SVD of the tuning-curve matrix.
    Svd,
    /// Sketch-preconditioned conjugate gradients with an f32 tuning-curve matrix.
    Cg,
}

/// Above this many neurons, [`Method::Auto`] uses conjugate gradients.
pub const AUTO_CG_ABOVE: usize = 500;

impl Method {
    /// Name for summaries and cache keys.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Auto => "auto",
            Method::Cholesky => "cholesky",
            Method::Svd => "svd",
            Method::Cg => "cg",
        }
    }

    /// Parses a method name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "auto" => Method::Auto,
            "cholesky" => Method::Cholesky,
            "svd" => Method::Svd,
            "cg" => Method::Cg,
            _ => return None,
        })
    }

    /// The method actually used for `n` neurons.
    pub fn resolve(self, n: usize) -> Self {
        match self {
            Method::Auto if n > AUTO_CG_ABOVE => Method::Cg,
            Method::Auto => Method::Cholesky,
            m => m,
        }
    }
}

/// The L2-regularised least-squares solver (Nengo `LstsqL2`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LstsqL2 {
    /// Regularisation relative to the largest rate (Nengo default 0.1).
    pub reg: f64,
    /// Solution method.
    pub method: Method,
}

impl Default for LstsqL2 {
    fn default() -> Self {
        Self {
            reg: 0.1,
            method: Method::Auto,
        }
    }
}

/// Solved decoders and their solver RMSE.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoders {
    /// Number of neurons N.
    pub n: usize,
    /// Output dimensions k.
    pub dims: usize,
    /// Decoders, `N × k` row-major.
    pub values: Vec<f64>,
    /// Solver RMSE per output dimension on the evaluation points.
    pub rmse: Vec<f64>,
    /// The method used.
    pub method: Method,
}

impl Decoders {
    /// Mean solver RMSE over output dimensions.
    pub fn mean_rmse(&self) -> f64 {
        self.rmse.iter().sum::<f64>() / self.rmse.len().max(1) as f64
    }
}

/// Tuning curves of `ens` at its evaluation points as a faer matrix (`m × N`, f64).
fn tuning_matrix(ens: &BuiltEnsemble) -> Mat<f64> {
    let m = ens.n_eval_points();
    let d = ens.dims;
    let mut a = Mat::<f64>::zeros(m, ens.n);
    for i in 0..ens.n {
        let col = a
            .col_mut(i)
            .try_as_col_major_mut()
            .expect("faer columns are contiguous");
        for (k, v) in col.as_slice_mut().iter_mut().enumerate() {
            *v = ens
                .neuron
                .rate(ens.current(i, &ens.eval_points[k * d..(k + 1) * d]));
        }
    }
    a
}

/// Solves for the decoders of `ens` computing `targets` (`m × k` row-major, one row per
/// evaluation point). `object` names the connection in errors.
pub fn solve(
    ens: &BuiltEnsemble,
    targets: &[f64],
    k: usize,
    solver: &LstsqL2,
    object: &str,
) -> Result<Decoders, NefError> {
    let m = ens.n_eval_points();
    let n = ens.n;
    if k == 0 || targets.len() != m * k {
        return Err(NefError::Solve {
            object: object.into(),
            msg: format!(
                "{} target values for {m} evaluation points × {k} dimensions",
                targets.len()
            ),
        });
    }
    if !(solver.reg >= 0.0 && solver.reg.is_finite()) {
        return Err(NefError::invalid(
            object,
            "solver.reg",
            "must be ≥ 0 and finite",
        ));
    }
    let method = solver.method.resolve(n);
    let fail = |msg: String| NefError::Solve {
        object: object.into(),
        msg,
    };
    let y = Mat::<f64>::from_fn(m, k, |r, c| targets[r * k + c]);
    let (values, rmse) = match method {
        Method::Cg => cg::solve(ens, &y, solver.reg),
        Method::Cholesky | Method::Svd | Method::Auto => {
            let a = tuning_matrix(ens);
            let amax = a
                .col_iter()
                .flat_map(|c| c.iter().copied().collect::<Vec<_>>())
                .fold(0.0_f64, f64::max);
            let lambda = m as f64 * (solver.reg * amax).powi(2);
            let par = Par::rayon(0);
            let d = if method == Method::Svd {
                let svd = a
                    .thin_svd()
                    .map_err(|e| fail(format!("SVD failed: {e:?}")))?;
                let (u, s, v) = (svd.U(), svd.S(), svd.V());
                let mut uty = u.transpose() * &y;
                for r in 0..uty.nrows() {
                    let sr = s[r];
                    let f = if sr * sr + lambda > 0.0 {
                        sr / (sr * sr + lambda)
                    } else {
                        0.0
                    };
                    for c in 0..k {
                        uty[(r, c)] *= f;
                    }
                }
                v * uty
            } else {
                let mut g = Mat::<f64>::zeros(n, n);
                tri_matmul(
                    g.as_mut(),
                    BlockStructure::TriangularLower,
                    Accum::Replace,
                    a.transpose(),
                    BlockStructure::Rectangular,
                    a.as_ref(),
                    BlockStructure::Rectangular,
                    1.0,
                    par,
                );
                for i in 0..n {
                    g[(i, i)] += lambda;
                }
                let llt = g.llt(Side::Lower).map_err(|e| {
                    fail(format!(
                        "Gram matrix not positive definite ({e:?}); use reg > 0 or method = \"svd\""
                    ))
                })?;
                let mut rhs = a.transpose() * &y;
                use faer::linalg::solvers::Solve;
                llt.solve_in_place(rhs.as_mut());
                rhs
            };
            let resid = &a * &d - &y;
            let rmse = (0..k)
                .map(|c| (resid.col(c).iter().map(|v| v * v).sum::<f64>() / m as f64).sqrt())
                .collect();
            let values = (0..n * k).map(|i| d[(i / k, i % k)]).collect();
            (values, rmse)
        }
    };
    if values.iter().any(|v: &f64| !v.is_finite()) {
        return Err(fail("non-finite decoders".into()));
    }
    Ok(Decoders {
        n,
        dims: k,
        values,
        rmse,
        method,
    })
}

/// Conjugate gradients on the regularised normal equations, preconditioned by a row sketch.
///
/// The system $(A^\top A + \lambda I)D = A^\top Y$ ($\lambda = m\sigma^2$) is never formed. Each
/// iteration applies $A^\top(Ap)$ in one pass over an f32 copy of $A$ held row-major (one row
/// per evaluation point, SIMD lanes across neurons): per row, $q = a_k\cdot p$, then
/// $\text{acc} \mathrel{+}= q\,a_k$ while the row is in cache, in fixed groups of
/// [`ROW_GROUP`] rows whose partial sums are added in order (the result does not depend on the
/// thread count). The rates come from simcore's vector LIF rate ([`LifParams::rate_x8`]).
///
/// Sparsity: a neuron is silent (rate exactly 0) wherever $e_i\cdot x$ is below its intercept,
/// about half of $A$ with Nengo's default intercepts. The columns of $A$ are held in an order
/// that gathers each row's active neurons: in 1-D the neurons with encoder −1 by decreasing
/// intercept, then those with +1 by increasing intercept, so the active neurons at any $x$ are
/// one contiguous run (a suffix of the first block and a prefix of the second); in more
/// dimensions by intercept. Each row is stored only over the lane range that holds its non-zero
/// rates (found first from the input currents, which cost a fused multiply-add per dimension
/// where a rate costs a logarithm), and every pass touches only that range (the skipped terms
/// are exact zeros, so the arithmetic is that of the dense pass in this column order). Storing
/// the ranges alone halves the memory to fill: for the chain's 1000-neuron ensembles that is
/// 4 MB instead of 8 MB per solve, and the build runs 12 % faster. The solution is mapped back
/// to neuron order.
///
/// Preconditioner: $P = c\,S^\top S + \lambda I$ with $S$ an evenly strided subset of
/// $m_s = \min(\mathrm{clip}(125\sqrt{m/2000}\,d,\ 125,\ 1500),\ m)$ rows of $A$ and $c = m/m_s$
/// (an unbiased estimate of $A^\top A$), applied through the Woodbury identity,
/// $P^{-1}r = \lambda^{-1}\left(r - c\,S^\top (\lambda I + c\,S S^\top)^{-1} S r\right)$,
/// which costs one $m_s \times m_s$ Cholesky factorisation and $O(m_s N)$ per iteration ($S S^\top$
/// and the products with $S$ run in f32 on the rows of $A$: the preconditioner only steers the
/// iteration, whose residual is that of the f32 operator either way). The
/// sketch captures the few directions with singular values well above $\sqrt\lambda$, so the
/// preconditioned spectrum clusters at 1 and CG stops after 5–25 iterations (1–3-D ensembles of
/// 10³–10⁴ neurons), at the same decoders as the Cholesky solve to about 1e-5 relative.
/// (Row-sampling sketch-and-precondition: Avron, Maymounkov & Toledo 2010, "Blendenpik";
/// regularised form as in Frangella, Tropp & Udell 2023, "Randomized Nyström preconditioning".)
///
/// Sketch size: forming $S S^\top$ costs $m_s^2 N/2$ multiply-adds, an iteration about $2mN$.
/// The sketch grows as $\sqrt m$ so that forming it stays a few iterations' work: at
/// $N = 1000$, $m = 2000$ (the chain's ensembles) 125 rows take 9–11 iterations where 250 took
/// 7–9, and the solve is 15–20 % faster; at $N = 10^4$, $m = 2\cdot10^4$ it gives 395 rows and
/// 9 iterations (250 rows: 10; 125: 14, 20 % slower).
mod cg {
    use faer::linalg::solvers::Solve;
    use simcore::neuron::lif::LifParams;
    use wide::f32x8;

    use super::*;

    /// Rows per work group of the fused `Aᵀ(A·p)` pass.
    const ROW_GROUP: usize = 128;
    /// Stop when the preconditioned residual norm has fallen by this factor.
    const TOL: f64 = 1e-5;
    /// Iteration cap.
    const MAX_ITER: usize = 300;

    /// Sketch rows for a `d`-dimensional ensemble with `m` evaluation points.
    pub(super) fn sketch_rows(m: usize, d: usize) -> usize {
        let per_dim = (125.0 * (m as f64 / 2000.0).sqrt()).round() as usize;
        (per_dim * d).clamp(125, 1500).min(m)
    }

    /// The column order of `A`: neuron index per column (see the module docs).
    pub(super) fn column_order(ens: &BuiltEnsemble) -> Vec<usize> {
        let mut order: Vec<usize> = (0..ens.n).collect();
        let key = |i: usize| -> (bool, f64) {
            let c = ens.intercepts[i];
            if ens.dims == 1 {
                let up = ens.encoders[i] > 0.0;
                (up, if up { c } else { -c })
            } else {
                (true, c)
            }
        };
        order.sort_by(|&a, &b| {
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1)).then(a.cmp(&b))
        });
        order
    }

    /// `A` in f32, row-major in [`column_order`] with SIMD lanes across neurons, each row
    /// stored only over the lanes that hold its non-zero rates (about half of a row in 1-D:
    /// half the memory to fill and to stream per iteration of a dense copy).
    struct Rows {
        m: usize,
        n: usize,
        lanes: usize,
        /// The rows' stored lanes, one after the other.
        a: Vec<f32x8>,
        /// Per row: lanes `lo..hi` (of `lanes`) hold every non-zero rate of the row.
        range: Vec<(u32, u32)>,
        /// Per row: where its stored lanes start in `a`.
        start: Vec<usize>,
        amax: f64,
    }

    impl Rows {
        fn new(ens: &BuiltEnsemble, order: &[usize], lif: &LifParams) -> Self {
            let (m, n, d) = (ens.n_eval_points(), ens.n, ens.dims);
            let lanes = n.div_ceil(8);
            // Per dimension, the scaled encoders across columns; padding lanes get J = 0.
            let column = |f: &dyn Fn(usize) -> f64| -> Vec<f32x8> {
                let mut v = vec![0.0_f32; lanes * 8];
                for (x, &i) in v.iter_mut().zip(order) {
                    *x = f(i) as f32;
                }
                v.chunks_exact(8)
                    .map(|c| f32x8::from(<[f32; 8]>::try_from(c).expect("8 lanes")))
                    .collect()
            };
            let enc: Vec<Vec<f32x8>> = (0..d)
                .map(|j| column(&|i| ens.scaled_encoders[i * d + j]))
                .collect();
            let bias = column(&|i| ens.bias[i]);
            // The input current of row `r`, lane `l`.
            let current = |r: usize, l: usize| {
                let x = &ens.eval_points[r * d..][..d];
                let mut j = bias[l];
                for (e, &xj) in enc.iter().zip(x) {
                    j = e[l].mul_add(f32x8::splat(xj as f32), j);
                }
                j
            };
            let one = f32x8::ONE;
            // Pass 1: each row's lanes above threshold (a rate is exactly 0 at or below it).
            let range: Vec<(u32, u32)> = (0..m)
                .into_par_iter()
                .with_min_len(ROW_GROUP)
                .map(|r| {
                    let active = |l: &usize| current(r, *l).simd_gt(one).any();
                    match (0..lanes).find(active) {
                        Some(lo) => {
                            let hi = (lo..lanes).rev().find(active).expect("lo is active");
                            (lo as u32, hi as u32 + 1)
                        }
                        None => (0, 0),
                    }
                })
                .collect();
            let mut start = Vec::with_capacity(m + 1);
            start.push(0);
            for &(lo, hi) in &range {
                start.push(start[start.len() - 1] + (hi - lo) as usize);
            }
            // Pass 2: the rates, in groups of rows written in parallel.
            let mut a = vec![f32x8::ZERO; start[m]];
            let mut groups = Vec::with_capacity(m.div_ceil(ROW_GROUP));
            let mut rest = a.as_mut_slice();
            for g in 0..m.div_ceil(ROW_GROUP) {
                let rows = g * ROW_GROUP..((g + 1) * ROW_GROUP).min(m);
                let (group, tail) = rest.split_at_mut(start[rows.end] - start[rows.start]);
                groups.push((rows, group));
                rest = tail;
            }
            let amax = groups
                .into_par_iter()
                .map(|(rows, group)| {
                    let mut mx = f32x8::ZERO;
                    let mut at = 0;
                    for r in rows {
                        let (lo, hi) = (range[r].0 as usize, range[r].1 as usize);
                        for (l, out) in (lo..hi).zip(&mut group[at..at + hi - lo]) {
                            let j = current(r, l);
                            // Below threshold in every lane: the rates stay exactly 0.
                            if j.simd_gt(one).any() {
                                *out = lif.rate_x8(j);
                                mx = mx.fast_max(*out);
                            }
                        }
                        at += hi - lo;
                    }
                    mx.to_array().into_iter().fold(0.0_f32, f32::max)
                })
                .reduce(|| 0.0, f32::max);
            Self {
                m,
                n,
                lanes,
                a,
                range,
                start,
                amax: f64::from(amax),
            }
        }

        /// Row `k` restricted to its non-zero lanes, and the first of those lanes.
        fn row(&self, k: usize) -> (usize, &[f32x8]) {
            (
                self.range[k].0 as usize,
                &self.a[self.start[k]..self.start[k + 1]],
            )
        }

        /// `Σ_k w(k, row_k)·row_k` over `rows` (length lanes·8, f32 lanes), where `w` sees the
        /// row (from its first non-zero lane): the fused pass behind `Aᵀ·y` and `Aᵀ(A·p)`.
        fn accumulate_rows(
            &self,
            rows: &[usize],
            w: &(dyn Fn(usize, usize, &[f32x8]) -> f32 + Sync),
        ) -> Vec<f32x8> {
            let groups = rows.len().div_ceil(ROW_GROUP);
            let partials: Vec<Vec<f32x8>> = (0..groups)
                .into_par_iter()
                .map(|g| {
                    let mut acc = vec![f32x8::ZERO; self.lanes];
                    for &k in &rows[g * ROW_GROUP..((g + 1) * ROW_GROUP).min(rows.len())] {
                        let (lo, row) = self.row(k);
                        let q = f32x8::splat(w(k, lo, row));
                        for (o, a) in acc[lo..].iter_mut().zip(row) {
                            *o = a.mul_add(q, *o);
                        }
                    }
                    acc
                })
                .collect();
            let mut out = vec![f32x8::ZERO; self.lanes];
            for part in &partials {
                for (o, v) in out.iter_mut().zip(part) {
                    *o += *v;
                }
            }
            out
        }

        /// `Σ_k w(k, row_k)·row_k` over all rows, as f64 of length n.
        fn accumulate(&self, w: &(dyn Fn(usize, usize, &[f32x8]) -> f32 + Sync)) -> Vec<f64> {
            let all: Vec<usize> = (0..self.m).collect();
            let mut out = to_f64(&self.accumulate_rows(&all, w));
            out.truncate(self.n);
            out
        }

        /// `A·x` (length m).
        fn apply(&self, x: &[f64]) -> Vec<f64> {
            let xl = lanes_of(x, self.lanes);
            (0..self.m)
                .into_par_iter()
                .map(|k| {
                    let (lo, row) = self.row(k);
                    f64::from(dot(row, &xl[lo..]))
                })
                .collect()
        }
    }

    fn lanes_of(x: &[f64], lanes: usize) -> Vec<f32x8> {
        let mut v = vec![0.0_f32; lanes * 8];
        for (o, &x) in v.iter_mut().zip(x) {
            *o = x as f32;
        }
        v.chunks_exact(8)
            .map(|c| f32x8::from(<[f32; 8]>::try_from(c).expect("8 lanes")))
            .collect()
    }

    fn to_f64(v: &[f32x8]) -> Vec<f64> {
        v.iter().flat_map(|x| x.to_array()).map(f64::from).collect()
    }

    /// `a·b` over the common length, with four independent accumulators (one FMA chain
    /// would wait on the FMA latency every step).
    fn dot(a: &[f32x8], b: &[f32x8]) -> f32 {
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        let mut s = [f32x8::ZERO; 4];
        let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
        let (ra, rb) = (a4.remainder(), b4.remainder());
        for (a, b) in a4.zip(b4) {
            for q in 0..4 {
                s[q] = a[q].mul_add(b[q], s[q]);
            }
        }
        for (q, (a, b)) in ra.iter().zip(rb).enumerate() {
            s[q] = a.mul_add(*b, s[q]);
        }
        ((s[0] + s[1]) + (s[2] + s[3])).reduce_add()
    }

    /// The Woodbury-applied sketch preconditioner (sketch rows are rows of [`Rows`]).
    struct Sketch {
        rows: Vec<usize>,
        llt: faer::linalg::solvers::Llt<f64>,
        c: f64,
        lambda: f64,
    }

    impl Sketch {
        fn new(a: &Rows, d: usize, lambda: f64) -> Option<Self> {
            let ms = sketch_rows(a.m, d);
            let rows: Vec<usize> = (0..ms).map(|i| i * a.m / ms).collect();
            let c = a.m as f64 / ms as f64;
            // Lower triangle of c·S·Sᵀ + λI: f32 dots over the rows' common non-zero lanes.
            let lower: Vec<Vec<f64>> = (0..ms)
                .into_par_iter()
                .map(|i| {
                    let (lo_i, ri) = a.row(rows[i]);
                    let hi_i = lo_i + ri.len();
                    (0..=i)
                        .map(|j| {
                            let (lo_j, rj) = a.row(rows[j]);
                            let (lo, hi) = (lo_i.max(lo_j), hi_i.min(lo_j + rj.len()));
                            if lo >= hi {
                                return 0.0;
                            }
                            c * f64::from(dot(&ri[lo - lo_i..hi - lo_i], &rj[lo - lo_j..]))
                        })
                        .collect()
                })
                .collect();
            let k = Mat::<f64>::from_fn(ms, ms, |i, j| {
                if j <= i {
                    lower[i][j] + if i == j { lambda } else { 0.0 }
                } else {
                    0.0
                }
            });
            let llt = k.llt(Side::Lower).ok()?;
            Some(Self {
                rows,
                llt,
                c,
                lambda,
            })
        }

        /// `P⁻¹ r` (`r` of length n).
        fn apply(&self, a: &Rows, r: &[f64]) -> Vec<f64> {
            let rl = lanes_of(r, a.lanes);
            let mut t = Mat::<f64>::from_fn(self.rows.len(), 1, |i, _| {
                let (lo, row) = a.row(self.rows[i]);
                f64::from(dot(row, &rl[lo..]))
            });
            self.llt.solve_in_place(t.as_mut());
            let st = to_f64(&a.accumulate_rows(&self.rows, &|k, _, _| {
                let i = self.rows.partition_point(|&x| x < k);
                t[(i, 0)] as f32
            }));
            r.iter()
                .zip(&st)
                .map(|(&ri, &s)| (ri - self.c * s) / self.lambda)
                .collect()
        }
    }

    fn dotf(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(a, b)| a * b).sum()
    }

    pub(super) fn solve(ens: &BuiltEnsemble, y: &Mat<f64>, reg: f64) -> (Vec<f64>, Vec<f64>) {
        let order = column_order(ens);
        let a = Rows::new(ens, &order, ens.neuron.lif());
        let (m, n, k) = (a.m, a.n, y.ncols());
        let lambda = (m as f64 * (reg * a.amax).powi(2)).max(f64::MIN_POSITIVE);
        let sketch = Sketch::new(&a, ens.dims, lambda);
        let precond = |r: &[f64]| match &sketch {
            Some(s) => s.apply(&a, r),
            None => r.iter().map(|r| r / lambda).collect(),
        };
        let normal = |p: &[f64]| -> Vec<f64> {
            let pl = lanes_of(p, a.lanes);
            let mut out = a.accumulate(&|_, lo, row| dot(row, &pl[lo..]));
            for (o, pi) in out.iter_mut().zip(p) {
                *o += lambda * pi;
            }
            out
        };
        let mut values = vec![0.0; n * k];
        let mut rmse = Vec::with_capacity(k);
        for c in 0..k {
            let yc: Vec<f64> = y.col(c).iter().copied().collect();
            let b = a.accumulate(&|kk, _, _| yc[kk] as f32);
            let mut x = vec![0.0; n];
            let mut r = b;
            let mut z = precond(&r);
            let mut p = z.clone();
            let mut rz = dotf(&r, &z);
            let rz0 = rz.max(f64::MIN_POSITIVE);
            for _ in 0..MAX_ITER {
                if rz <= TOL * TOL * rz0 {
                    break;
                }
                let ap = normal(&p);
                let pap = dotf(&p, &ap);
                if pap <= 0.0 {
                    break;
                }
                let alpha = rz / pap;
                for i in 0..n {
                    x[i] += alpha * p[i];
                    r[i] -= alpha * ap[i];
                }
                z = precond(&r);
                let rz_new = dotf(&r, &z);
                let beta = rz_new / rz;
                rz = rz_new;
                for i in 0..n {
                    p[i] = z[i] + beta * p[i];
                }
            }
            let ax = a.apply(&x);
            let e = (ax
                .iter()
                .zip(&yc)
                .map(|(q, y)| (q - y).powi(2))
                .sum::<f64>()
                / m as f64)
                .sqrt();
            rmse.push(e);
            for (col, &i) in order.iter().enumerate() {
                values[i * k + c] = x[col];
            }
        }
        (values, rmse)
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::ensemble::EnsembleSpec;

        #[test]
        fn dot_matches_the_scalar_sum_on_awkward_lengths() {
            for len in [0usize, 1, 3, 4, 5, 8, 9, 130] {
                let a: Vec<f64> = (0..len * 8).map(|i| (i as f64 * 0.37).sin()).collect();
                let b: Vec<f64> = (0..len * 8).map(|i| (i as f64 * 0.11).cos()).collect();
                let want: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
                let got = f64::from(dot(&lanes_of(&a, len), &lanes_of(&b, len)));
                assert!(
                    (got - want).abs() < 1e-5 * (1.0 + want.abs()),
                    "{len}: {got} vs {want}"
                );
                // Unequal lengths: the common prefix.
                if len > 1 {
                    let short = f64::from(dot(&lanes_of(&a, len)[..1], &lanes_of(&b, len)));
                    let want1: f64 = a[..8].iter().zip(&b).map(|(x, y)| x * y).sum();
                    assert!((short - want1).abs() < 1e-5 * (1.0 + want1.abs()));
                }
            }
        }

        #[test]
        fn rows_hold_every_rate_inside_their_ranges() {
            // 1-D: the column order makes each row's active neurons one contiguous run, so
            // the lane range spans at most one partly filled lane at each end; any d: the
            // rows (zero outside their stored lanes), mapped back to neuron order, are the
            // tuning curves.
            for (n, d, seed) in [(203, 1, 0), (64, 1, 4), (150, 2, 1), (9, 3, 2)] {
                let ens = EnsembleSpec::new("r", n, d).build(seed).unwrap();
                let order = column_order(&ens);
                let mut sorted = order.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..n).collect::<Vec<_>>());
                let rows = Rows::new(&ens, &order, ens.neuron.lif());
                let tc = ens.tuning_curves();
                for k in 0..rows.m {
                    let (lo, row) = rows.row(k);
                    // The whole row: zeros outside the stored lanes.
                    let mut vals = vec![0.0_f32; rows.lanes * 8];
                    for (l, v) in (lo..).zip(row) {
                        vals[l * 8..(l + 1) * 8].copy_from_slice(&v.to_array());
                    }
                    for (col, &i) in order.iter().enumerate() {
                        let want = tc[k * n + i];
                        let got = f64::from(vals[col]);
                        // Within a few ulps of threshold the f32 current rounds across it
                        // (the rate rises steeply there); elsewhere f32 matches f64.
                        if want > 20.0 || want == 0.0 && got == 0.0 {
                            assert!((got - want).abs() <= 1e-4 * want, "row {k} neuron {i}");
                        } else {
                            assert!(
                                (got - want).abs() < 10.0,
                                "row {k} neuron {i}: {got} {want}"
                            );
                        }
                        let lane = col / 8;
                        if got > 0.0 {
                            assert!(lane >= lo && lane < lo + row.len(), "row {k} lane {lane}");
                        }
                    }
                    if d == 1 {
                        let active: Vec<usize> = (0..n).filter(|&c| vals[c] > 0.0).collect();
                        if let (Some(&a), Some(&b)) = (active.first(), active.last()) {
                            assert_eq!(b - a + 1, active.len(), "row {k}: not contiguous");
                            assert_eq!((lo, lo + row.len()), (a / 8, b / 8 + 1), "row {k}");
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::EnsembleSpec;

    fn identity_targets(ens: &BuiltEnsemble) -> Vec<f64> {
        ens.eval_points.clone()
    }

    fn solve_with(ens: &BuiltEnsemble, y: &[f64], k: usize, method: Method) -> Decoders {
        solve(ens, y, k, &LstsqL2 { reg: 0.1, method }, "t").unwrap()
    }

    #[test]
    fn cholesky_and_svd_agree() {
        let ens = EnsembleSpec::new("a", 80, 1).build(0).unwrap();
        let y = identity_targets(&ens);
        let c = solve_with(&ens, &y, 1, Method::Cholesky);
        let s = solve_with(&ens, &y, 1, Method::Svd);
        let scale = c.values.iter().map(|v| v.abs()).fold(0.0, f64::max);
        for (a, b) in c.values.iter().zip(&s.values) {
            assert!((a - b).abs() < 1e-8 * scale, "{a} vs {b}");
        }
        assert!((c.rmse[0] - s.rmse[0]).abs() < 1e-10);
        // Identity decoding with 80 neurons: solver RMSE of order 1e-2 (Nengo: ~6e-3 at N = 100).
        assert!(c.rmse[0] > 1e-4 && c.rmse[0] < 0.03, "rmse {}", c.rmse[0]);
    }

    #[test]
    fn normal_equations_hold() {
        // Check (AᵀA + mσ²I)D = AᵀY directly for a 2-D, 2-output problem.
        let ens = EnsembleSpec::new("b", 30, 2).build(1).unwrap();
        let m = ens.n_eval_points();
        let y: Vec<f64> = ens
            .eval_points
            .chunks(2)
            .flat_map(|x| [x[0] * x[1], x[0]])
            .collect();
        let dec = solve_with(&ens, &y, 2, Method::Cholesky);
        let a = ens.tuning_curves();
        let amax = a.iter().cloned().fold(0.0, f64::max);
        let lambda = m as f64 * (0.1 * amax).powi(2);
        let n = ens.n;
        for c in 0..2 {
            for i in 0..n {
                let mut lhs = lambda * dec.values[i * 2 + c];
                let mut rhs = 0.0;
                for kk in 0..m {
                    let ad: f64 = (0..n).map(|j| a[kk * n + j] * dec.values[j * 2 + c]).sum();
                    lhs += a[kk * n + i] * ad;
                    rhs += a[kk * n + i] * y[kk * 2 + c];
                }
                assert!(
                    (lhs - rhs).abs() < 1e-8 * rhs.abs().max(1.0),
                    "{lhs} vs {rhs}"
                );
            }
        }
    }

    #[test]
    fn cg_reaches_the_cholesky_decoders() {
        // 1-D and 2-D, one and two outputs, neuron counts off the SIMD lane width, and a
        // sketch smaller and larger than N.
        for (n, d, seed) in [(401, 1, 2), (150, 1, 5), (333, 2, 3)] {
            let ens = EnsembleSpec::new("c", n, d).build(seed).unwrap();
            let y: Vec<f64> = ens
                .eval_points
                .chunks(d)
                .flat_map(|x| [x[0], x.iter().map(|v| v * v).sum::<f64>()])
                .collect();
            let c = solve_with(&ens, &y, 2, Method::Cholesky);
            let g = solve_with(&ens, &y, 2, Method::Cg);
            assert_eq!(g.method, Method::Cg);
            for out in 0..2 {
                assert!(
                    (g.rmse[out] - c.rmse[out]).abs() < 1e-3 * c.rmse[out],
                    "n {n} d {d}: cg {} vs cholesky {}",
                    g.rmse[out],
                    c.rmse[out]
                );
                let norm = |v: &Decoders| {
                    (0..n)
                        .map(|i| v.values[i * 2 + out].powi(2))
                        .sum::<f64>()
                        .sqrt()
                };
                let diff = (0..n)
                    .map(|i| (g.values[i * 2 + out] - c.values[i * 2 + out]).powi(2))
                    .sum::<f64>()
                    .sqrt();
                assert!(diff < 1e-3 * norm(&c), "n {n} d {d}: |ΔD| {diff}");
            }
        }
    }

    #[test]
    fn cg_does_not_depend_on_the_thread_count() {
        let ens = EnsembleSpec::new("t", 700, 1).build(1).unwrap();
        let y = identity_targets(&ens);
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| solve_with(&ens, &y, 1, Method::Cg))
        };
        assert_eq!(run(1).values, run(2).values);
    }

    #[test]
    fn auto_uses_cholesky_for_small_and_cg_for_large_ensembles() {
        assert_eq!(Method::Auto.resolve(AUTO_CG_ABOVE), Method::Cholesky);
        assert_eq!(Method::Auto.resolve(AUTO_CG_ABOVE + 1), Method::Cg);
        assert_eq!(Method::Svd.resolve(10_000), Method::Svd);
    }

    #[test]
    fn wrong_target_shape_is_an_error() {
        let ens = EnsembleSpec::new("d", 10, 1).build(0).unwrap();
        assert!(solve(&ens, &[0.0; 3], 1, &LstsqL2::default(), "conn").is_err());
    }
}

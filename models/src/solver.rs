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
//! - `Cg`: Jacobi-preconditioned conjugate gradients on the same normal equations, with $A$
//!   held in f32 and applied as two matrix–vector products per iteration ($O(mN)$ each, never
//!   forming the $N \times N$ Gram matrix). The regulariser bounds the condition number, and the
//!   residual criterion stops when the decoders' solver RMSE no longer moves; this is what makes
//!   10 000-neuron ensembles cheap.
//! - `Auto`: Cholesky up to 3000 neurons, CG above.
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
    /// Preconditioned conjugate gradients with an f32 tuning-curve matrix.
    Cg,
}

/// Above this many neurons, [`Method::Auto`] uses conjugate gradients.
pub const AUTO_CG_ABOVE: usize = 3000;

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

/// Preconditioned conjugate gradients with an f32 tuning-curve matrix.
mod cg {
    use super::*;

    /// Rows per parallel work block of `A·p` (fixed: results do not depend on threads).
    const ROW_BLOCK: usize = 2048;
    /// Stop when the relative preconditioned residual falls below this.
    const TOL: f64 = 1e-5;
    /// Iteration cap.
    const MAX_ITER: usize = 500;

    /// `A` column-major in f32 (`m` rows per column), built in parallel.
    struct ColMajor {
        m: usize,
        n: usize,
        a: Vec<f32>,
    }

    impl ColMajor {
        fn new(ens: &BuiltEnsemble) -> Self {
            let (m, n, d) = (ens.n_eval_points(), ens.n, ens.dims);
            let mut a = vec![0.0_f32; m * n];
            a.par_chunks_mut(m.max(1)).enumerate().for_each(|(i, col)| {
                for (kk, v) in col.iter_mut().enumerate() {
                    *v = ens
                        .neuron
                        .rate(ens.current(i, &ens.eval_points[kk * d..(kk + 1) * d]))
                        as f32;
                }
            });
            Self { m, n, a }
        }

        fn col(&self, i: usize) -> &[f32] {
            &self.a[i * self.m..(i + 1) * self.m]
        }

        /// `q = A·p` (length m).
        fn apply(&self, p: &[f64], q: &mut [f64]) {
            let pf: Vec<f32> = p.iter().map(|&x| x as f32).collect();
            q.par_chunks_mut(ROW_BLOCK).enumerate().for_each(|(b, qb)| {
                let r0 = b * ROW_BLOCK;
                let mut acc = vec![0.0_f32; qb.len()];
                for (i, &pi) in pf.iter().enumerate() {
                    if pi == 0.0 {
                        continue;
                    }
                    let c = &self.col(i)[r0..r0 + qb.len()];
                    for (a, &x) in acc.iter_mut().zip(c) {
                        *a = x.mul_add(pi, *a);
                    }
                }
                for (q, a) in qb.iter_mut().zip(&acc) {
                    *q = f64::from(*a);
                }
            });
        }

        /// `out = Aᵀ·q` (length n).
        fn apply_t(&self, q: &[f64], out: &mut [f64]) {
            let qf: Vec<f32> = q.iter().map(|&x| x as f32).collect();
            out.par_iter_mut().enumerate().for_each(|(i, o)| {
                *o = dot(self.col(i), &qf);
            });
        }
    }

    /// f32 dot product with eight partial sums, accumulated in f64 per 1024-element block.
    fn dot(a: &[f32], b: &[f32]) -> f64 {
        let mut total = 0.0_f64;
        for (ca, cb) in a.chunks(1024).zip(b.chunks(1024)) {
            let mut s = [0.0_f32; 8];
            let mut ia = ca.chunks_exact(8);
            let mut ib = cb.chunks_exact(8);
            for (x, y) in (&mut ia).zip(&mut ib) {
                for l in 0..8 {
                    s[l] = x[l].mul_add(y[l], s[l]);
                }
            }
            let mut t: f64 = s.iter().map(|&v| f64::from(v)).sum();
            for (x, y) in ia.remainder().iter().zip(ib.remainder()) {
                t += f64::from(*x) * f64::from(*y);
            }
            total += t;
        }
        total
    }

    pub(super) fn solve(ens: &BuiltEnsemble, y: &Mat<f64>, reg: f64) -> (Vec<f64>, Vec<f64>) {
        let a = ColMajor::new(ens);
        let (m, n, k) = (a.m, a.n, y.ncols());
        let amax = a.a.iter().fold(0.0_f32, |x, &v| x.max(v)) as f64;
        let lambda = m as f64 * (reg * amax).powi(2);
        // Jacobi preconditioner: diag(AᵀA) + λ.
        let diag: Vec<f64> = (0..n)
            .into_par_iter()
            .map(|i| dot(a.col(i), a.col(i)) + lambda)
            .collect();
        let normal = |p: &[f64], out: &mut [f64], tmp: &mut [f64]| {
            a.apply(p, tmp);
            a.apply_t(tmp, out);
            for (o, pi) in out.iter_mut().zip(p) {
                *o += lambda * pi;
            }
        };
        let mut values = vec![0.0; n * k];
        let mut rmse = Vec::with_capacity(k);
        let mut tmp = vec![0.0; m];
        for c in 0..k {
            let yc: Vec<f64> = y.col(c).iter().copied().collect();
            let mut b = vec![0.0; n];
            a.apply_t(&yc, &mut b);
            let mut x = vec![0.0; n];
            let mut r = b.clone();
            let mut z: Vec<f64> = r.iter().zip(&diag).map(|(r, d)| r / d).collect();
            let mut p = z.clone();
            let mut rz: f64 = r.iter().zip(&z).map(|(a, b)| a * b).sum();
            let rz0 = rz.max(f64::MIN_POSITIVE);
            let mut ap = vec![0.0; n];
            for _ in 0..MAX_ITER {
                if rz <= TOL * TOL * rz0 {
                    break;
                }
                normal(&p, &mut ap, &mut tmp);
                let pap: f64 = p.iter().zip(&ap).map(|(a, b)| a * b).sum();
                if pap <= 0.0 {
                    break;
                }
                let alpha = rz / pap;
                for i in 0..n {
                    x[i] += alpha * p[i];
                    r[i] -= alpha * ap[i];
                    z[i] = r[i] / diag[i];
                }
                let rz_new: f64 = r.iter().zip(&z).map(|(a, b)| a * b).sum();
                let beta = rz_new / rz;
                rz = rz_new;
                for i in 0..n {
                    p[i] = z[i] + beta * p[i];
                }
            }
            a.apply(&x, &mut tmp);
            let e = (tmp
                .iter()
                .zip(&yc)
                .map(|(q, y)| (q - y).powi(2))
                .sum::<f64>()
                / m as f64)
                .sqrt();
            rmse.push(e);
            for i in 0..n {
                values[i * k + c] = x[i];
            }
        }
        (values, rmse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::EnsembleSpec;

    fn identity_targets(ens: &BuiltEnsemble) -> Vec<f64> {
        ens.eval_points.clone()
    }

    #[test]
    fn cholesky_and_svd_agree() {
        let ens = EnsembleSpec::new("a", 80, 1).build(0).unwrap();
        let y = identity_targets(&ens);
        let c = solve(
            &ens,
            &y,
            1,
            &LstsqL2 {
                reg: 0.1,
                method: Method::Cholesky,
            },
            "t",
        )
        .unwrap();
        let s = solve(
            &ens,
            &y,
            1,
            &LstsqL2 {
                reg: 0.1,
                method: Method::Svd,
            },
            "t",
        )
        .unwrap();
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
        let dec = solve(
            &ens,
            &y,
            2,
            &LstsqL2 {
                reg: 0.1,
                method: Method::Cholesky,
            },
            "t",
        )
        .unwrap();
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
    fn cg_reaches_the_cholesky_rmse() {
        let ens = EnsembleSpec::new("c", 400, 1).build(2).unwrap();
        let y = identity_targets(&ens);
        let c = solve(
            &ens,
            &y,
            1,
            &LstsqL2 {
                reg: 0.1,
                method: Method::Cholesky,
            },
            "t",
        )
        .unwrap();
        let g = solve(
            &ens,
            &y,
            1,
            &LstsqL2 {
                reg: 0.1,
                method: Method::Cg,
            },
            "t",
        )
        .unwrap();
        assert!(
            (g.rmse[0] - c.rmse[0]).abs() < 0.01 * c.rmse[0],
            "cg {} vs cholesky {}",
            g.rmse[0],
            c.rmse[0]
        );
    }

    #[test]
    fn wrong_target_shape_is_an_error() {
        let ens = EnsembleSpec::new("d", 10, 1).build(0).unwrap();
        assert!(solve(&ens, &[0.0; 3], 1, &LstsqL2::default(), "conn").is_err());
    }
}

//! Quasi-random point sets on the unit hypersphere and in the unit ball, as Nengo 4 samples
//! encoders and evaluation points (`nengo.dists.ScatteredHypersphere`).
//!
//! 1. An $R_d$ low-discrepancy sequence on the cube $[0,1)^k$ (Roberts 2018, "The unreasonable
//!    effectiveness of quasirandom sequences"): $z_i = (s + i\,\boldsymbol\alpha) \bmod 1$ with
//!    $\alpha_j = \phi_k^{-j}$, where $\phi_k$ is the positive root of $x^{k+1} = x + 1$ and
//!    $s \sim U(0,1)^k$ a random offset.
//! 2. The spherical-coordinate transform (SCT, Fang & Wang 1994, §1.5.2–1.5.3) maps $k = d-1$
//!    cube coordinates to the surface of the $d$-sphere: angle $j$ has density
//!    $\propto \sin^{m-1}(\pi x)$ on $[0,1]$ with $m = k - j$ (inverse CDF by a tabulated
//!    integral, as Nengo's `sct-approx`), the last angle is uniform on $[0, 2\pi)$, and
//!    $p = (\cos\pi c_1,\ \sin\pi c_1\cos\pi c_2,\ \dots,\ \prod_j \sin(\cdot))$.
//! 3. For the ball, one extra cube coordinate $u$ gives the radius $u^{1/d}$.
//! 4. A Haar-random rotation (Gram–Schmidt of a Gaussian matrix) removes the sequence's
//!    alignment with the axes; it is where the seed enters besides $s$.
//!
//! In 1-D, as Nengo 4.1: the surface is $\{-1, +1\}$ (signs of the tiled sequence
//! $(s + i/n) \bmod 1$ shifted by ½, so exactly balanced), and ball points are ⌊n/2⌋ positive
//! and ⌈n/2⌉ negative tiled magnitudes $(s_\pm + i/n_\pm) \bmod 1$, shuffled.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, StandardNormal};

/// `n` points of the $R_d$ sequence in $[0,1)^k$, row-major (`n × k`).
pub fn rd_sequence<R: Rng>(n: usize, k: usize, rng: &mut R) -> Vec<f64> {
    let seed: Vec<f64> = (0..k).map(|_| rng.random::<f64>()).collect();
    if k == 1 {
        return (0..n)
            .map(|i| (seed[0] + i as f64 / n as f64).fract())
            .collect();
    }
    let phi = rd_phi(k);
    let alpha: Vec<f64> = (1..=k).map(|j| phi.powi(-(j as i32))).collect();
    let mut out = Vec::with_capacity(n * k);
    for i in 1..=n {
        for j in 0..k {
            out.push((seed[j] + i as f64 * alpha[j]).fract());
        }
    }
    out
}

/// Positive root of $x^{k+1} = x + 1$ by Newton's method (the generalised golden ratio).
fn rd_phi(k: usize) -> f64 {
    let mut x = 1.0_f64;
    for _ in 0..100 {
        let p = (k + 1) as i32;
        let dx = (x.powi(p) - x - 1.0) / (p as f64 * x.powi(p - 1) - 1.0);
        x -= dx;
        if dx.abs() < 1e-14 {
            break;
        }
    }
    x
}

/// Inverse CDF of the density $\propto \sin^{m-1}(\pi x)$ on $[0,1]$, tabulated.
struct SphericalPpf {
    /// Cumulative probability at `x = i / (len-1) · 0.5`, for the half `[0, 0.5]` (ends at 0.5).
    cdf: Vec<f64>,
}

impl SphericalPpf {
    const POINTS: usize = 4097;

    fn new(m: usize) -> Self {
        let h = 0.5 / (Self::POINTS - 1) as f64;
        let f = |x: f64| (std::f64::consts::PI * x).sin().powi(m as i32 - 1);
        let mut cdf = vec![0.0; Self::POINTS];
        // Simpson on each interval (midpoint evaluated).
        for i in 1..Self::POINTS {
            let (a, b) = ((i - 1) as f64 * h, i as f64 * h);
            cdf[i] = cdf[i - 1] + h / 6.0 * (f(a) + 4.0 * f(0.5 * (a + b)) + f(b));
        }
        let total = cdf[Self::POINTS - 1];
        for c in &mut cdf {
            *c *= 0.5 / total;
        }
        Self { cdf }
    }

    fn ppf(&self, y: f64) -> f64 {
        let (yr, flip) = if y < 0.5 { (y, false) } else { (1.0 - y, true) };
        // Binary search for the interval holding yr, then linear interpolation.
        let i = self
            .cdf
            .partition_point(|&c| c < yr)
            .clamp(1, Self::POINTS - 1);
        let (c0, c1) = (self.cdf[i - 1], self.cdf[i]);
        let h = 0.5 / (Self::POINTS - 1) as f64;
        let t = if c1 > c0 { (yr - c0) / (c1 - c0) } else { 0.0 };
        let x = ((i - 1) as f64 + t.clamp(0.0, 1.0)) * h;
        if flip { 1.0 - x } else { x }
    }
}

/// Maps `n` cube points (`n × k`, row-major) to the surface of the unit sphere in `k + 1`
/// dimensions by the spherical-coordinate transform.
fn spherical_transform(cube: &[f64], n: usize, k: usize) -> Vec<f64> {
    let d = k + 1;
    let ppfs: Vec<SphericalPpf> = (0..k).map(|j| SphericalPpf::new(k - j)).collect();
    let mut out = vec![0.0; n * d];
    for i in 0..n {
        let row = &mut out[i * d..(i + 1) * d];
        let mut prod = 1.0;
        for j in 0..k {
            let c = ppfs[j].ppf(cube[i * k + j]);
            let angle = if j == k - 1 { 2.0 } else { 1.0 } * std::f64::consts::PI * c;
            row[j] = prod * angle.cos();
            prod *= angle.sin();
        }
        row[k] = prod;
    }
    out
}

/// A Haar-random `d × d` orthogonal matrix (row-major): Gram–Schmidt on Gaussian rows.
pub fn random_orthogonal<R: Rng>(d: usize, rng: &mut R) -> Vec<f64> {
    loop {
        let mut q: Vec<f64> = (0..d * d).map(|_| StandardNormal.sample(rng)).collect();
        let mut ok = true;
        for i in 0..d {
            for j in 0..i {
                let dot: f64 = (0..d).map(|c| q[i * d + c] * q[j * d + c]).sum();
                for c in 0..d {
                    q[i * d + c] -= dot * q[j * d + c];
                }
            }
            let norm = (0..d).map(|c| q[i * d + c].powi(2)).sum::<f64>().sqrt();
            if norm < 1e-10 {
                ok = false;
                break;
            }
            for c in 0..d {
                q[i * d + c] /= norm;
            }
        }
        if ok {
            return q;
        }
    }
}

fn rotate(points: &mut [f64], n: usize, d: usize, rot: &[f64]) {
    let mut tmp = vec![0.0; d];
    for i in 0..n {
        let p = &mut points[i * d..(i + 1) * d];
        for (c, t) in tmp.iter_mut().enumerate() {
            *t = (0..d).map(|r| p[r] * rot[r * d + c]).sum();
        }
        p.copy_from_slice(&tmp);
    }
}

/// `n` quasi-random unit vectors in `d` dimensions (row-major `n × d`).
pub fn scattered_sphere<R: Rng>(n: usize, d: usize, rng: &mut R) -> Vec<f64> {
    if d == 1 {
        // Nengo 4.1: the sign of the tiled sequence shifted by ½, so ⌊n/2⌋ or ⌈n/2⌉ of each
        // direction (Nengo then shuffles; the order does not matter, as every other
        // per-neuron parameter is drawn independently).
        return rd_sequence(n, 1, rng)
            .into_iter()
            .map(|z| if z < 0.5 { 1.0 } else { -1.0 })
            .collect();
    }
    let cube = rd_sequence(n, d - 1, rng);
    let mut pts = spherical_transform(&cube, n, d - 1);
    let rot = random_orthogonal(d, rng);
    rotate(&mut pts, n, d, &rot);
    pts
}

/// `n` quasi-random points in the unit `d`-ball (row-major `n × d`).
pub fn scattered_ball<R: Rng>(n: usize, d: usize, rng: &mut R) -> Vec<f64> {
    if d == 1 {
        // Nengo 4.1 (`ScatteredHypersphere.sample`, d = 1): ⌊n/2⌋ positive and ⌈n/2⌉
        // negative points, each half optimally tiled magnitudes with its own random offset,
        // then shuffled.
        let half = n / 2;
        let mut pts = rd_sequence(half, 1, rng);
        pts.extend(rd_sequence(n - half, 1, rng).into_iter().map(|z| -z));
        pts.shuffle(rng);
        return pts;
    }
    let cube = rd_sequence(n, d, rng);
    let angles: Vec<f64> = (0..n)
        .flat_map(|i| cube[i * d..i * d + d - 1].to_vec())
        .collect();
    let mut pts = spherical_transform(&angles, n, d - 1);
    for i in 0..n {
        let r = cube[i * d + d - 1].powf(1.0 / d as f64);
        for x in &mut pts[i * d..(i + 1) * d] {
            *x *= r;
        }
    }
    let rot = random_orthogonal(d, rng);
    rotate(&mut pts, n, d, &rot);
    pts
}

#[cfg(test)]
mod tests {
    use super::*;
    use simcore::rng::stream;

    #[test]
    fn phi_solves_its_equation() {
        for k in 1..6 {
            let x = rd_phi(k);
            assert!((x.powi(k as i32 + 1) - x - 1.0).abs() < 1e-12);
        }
        assert!((rd_phi(1) - 1.618_033_988_749_895).abs() < 1e-12);
    }

    #[test]
    fn sphere_points_are_unit_and_cover_evenly() {
        for d in [1, 2, 3, 5] {
            let n = 4000;
            let p = scattered_sphere(n, d, &mut stream(1, "s"));
            for i in 0..n {
                let r: f64 = p[i * d..(i + 1) * d].iter().map(|x| x * x).sum();
                assert!((r - 1.0).abs() < 1e-9, "d {d}: |p|² = {r}");
            }
            // Uniform on the sphere: E[x_j] = 0, E[x_j²] = 1/d.
            for j in 0..d {
                let m: f64 = (0..n).map(|i| p[i * d + j]).sum::<f64>() / n as f64;
                let s: f64 = (0..n).map(|i| p[i * d + j].powi(2)).sum::<f64>() / n as f64;
                assert!(m.abs() < 0.05, "d {d} mean {m}");
                assert!((s - 1.0 / d as f64).abs() < 0.02, "d {d} second moment {s}");
            }
        }
    }

    #[test]
    fn ball_points_have_uniform_radius_law() {
        for d in [1, 2, 3] {
            let n = 5000;
            let p = scattered_ball(n, d, &mut stream(2, "b"));
            // P(|x| < 0.5) = 0.5^d for the uniform ball.
            let inside = (0..n)
                .filter(|&i| p[i * d..(i + 1) * d].iter().map(|x| x * x).sum::<f64>() < 0.25)
                .count() as f64
                / n as f64;
            assert!(
                (inside - 0.5_f64.powi(d as i32)).abs() < 0.01,
                "d {d}: {inside}"
            );
            assert!(p.iter().all(|x| x.abs() <= 1.0));
        }
    }

    #[test]
    fn quasi_random_magnitudes_are_tiled_in_1d() {
        // Nengo's 1-D ball: ⌊n/2⌋ positive points, ⌈n/2⌉ negative, and within each sign every
        // interval of width 1/n± (on [0,1)) holds exactly one |x|.
        for n in [1, 2, 7, 750, 1001] {
            let p = scattered_ball(n, 1, &mut stream(3, "b"));
            assert_eq!(p.len(), n);
            for (positive, count) in [(true, n / 2), (false, n - n / 2)] {
                let mags: Vec<f64> = p
                    .iter()
                    .filter(|&&x| (x > 0.0) == positive)
                    .map(|x| x.abs())
                    .collect();
                assert_eq!(mags.len(), count, "n {n}, positive {positive}");
                let mut bins = vec![0; count];
                for m in &mags {
                    bins[((m * count as f64).floor() as usize).min(count - 1)] += 1;
                }
                assert!(bins.iter().all(|&b| b == 1), "n {n}: {bins:?}");
            }
            // Shuffled: the signs are not sorted.
            if n > 100 {
                let switches = p
                    .windows(2)
                    .filter(|w| (w[0] > 0.0) != (w[1] > 0.0))
                    .count();
                assert!(switches > n / 4, "{switches} sign switches");
            }
        }
    }

    #[test]
    fn orthogonal_matrix_is_orthogonal() {
        let d = 4;
        let q = random_orthogonal(d, &mut stream(4, "q"));
        for i in 0..d {
            for j in 0..d {
                let dot: f64 = (0..d).map(|c| q[i * d + c] * q[j * d + c]).sum();
                assert!((dot - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
    }
}

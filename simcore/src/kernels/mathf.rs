//! Exponential and logarithm with identical scalar (`f32`) and SIMD (`f32x8`) operation sequences,
//! so scalar reference kernels and SIMD kernels that use them agree bit for bit.
//!
//! `exp`: Cody–Waite range reduction $x = r\ln 2 + f$, $r = \mathrm{round}(x\log_2 e)$, with
//! ln 2 split in two parts, then Cephes' `expf` polynomial on $|f| \le \ln 2/2$ (maximum relative
//! error ≈ 2 ulp), scaled by $2^r$ built from the exponent bits. The argument is clamped to
//! $[-87.3, 88.3]$ (results stay normal numbers; no NaN/∞ handling — kernels feed it finite
//! values), which avoids the special-case blends of general-purpose SIMD `exp`.
//!
//! `exp_m1`: $e^x - 1 = 2^r z + (2^r - 1)$ from the same reduction ($e^f = 1 + z$): exact
//! cancellation-free polynomial for $|x| < \ln 2/2$ (r = 0), no branch or blend.
//!
//! `ln` (positive normal arguments): $x = m\,2^e$ with $m \in [\sqrt{1/2}, \sqrt 2)$ (integer
//! arithmetic on the bits), then with $f = m - 1$, Cephes' `logf`:
//! $\ln m = f - f^2/2 + f^3 P(f)$ (degree-8 $P$, maximum relative error ≈ 1 ulp), plus
//! $e\ln 2$ with ln 2 split in two parts. No division: the kernels that evaluate it for every
//! vector spend their time in arithmetic, and a division costs several.
//!
//! `exp_m1_small`, `ln_1p_small` (generic over [`Real`]): the polynomials alone, for kernels
//! whose arguments are known to be small (the LIF refractory exit and spike time at
//! Δt ≪ τ_rc): about half the operations.

use wide::{f32x8, i32x8};

const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
const LO: f32 = -87.3;
const HI: f32 = 88.3;
// Cephes expf coefficients.
const P0: f32 = 1.987_569_1e-4;
const P1: f32 = 1.398_199_9e-3;
const P2: f32 = 8.333_452e-3;
const P3: f32 = 4.166_579_6e-2;
const P4: f32 = 1.666_666_5e-1;
const P5: f32 = 0.5;

/// Range reduction and polynomial: returns `(z, 2^r)` with $e^x = 2^r (1 + z)$.
#[inline(always)]
fn exp_parts(x: f32) -> (f32, f32) {
    let x = x.clamp(LO, HI);
    let r = (x * LOG2E).round_ties_even();
    let f = (-r).mul_add(LN2_HI, x);
    let f = (-r).mul_add(LN2_LO, f);
    let mut p = P0;
    for c in [P1, P2, P3, P4, P5] {
        p = p.mul_add(f, c);
    }
    let z = p.mul_add(f * f, f);
    (z, f32::from_bits(((r as i32 + 127) << 23) as u32))
}

/// [`exp_parts`] on eight lanes.
#[inline(always)]
fn exp_parts_x8(x: f32x8) -> (f32x8, f32x8) {
    let x = x.fast_max(f32x8::splat(LO)).fast_min(f32x8::splat(HI));
    let r = (x * f32x8::splat(LOG2E)).round_ties_even();
    let f = (-r).mul_add(f32x8::splat(LN2_HI), x);
    let f = (-r).mul_add(f32x8::splat(LN2_LO), f);
    let mut p = f32x8::splat(P0);
    for c in [P1, P2, P3, P4, P5] {
        p = p.mul_add(f, f32x8::splat(c));
    }
    let z = p.mul_add(f * f, f);
    let bits: i32x8 = (r.fast_round_int() + i32x8::splat(127)) << 23_i32;
    (z, bytemuck::cast::<i32x8, f32x8>(bits))
}

/// $e^x$ (scalar; same bits as [`exp_x8`] lane by lane).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let (z, s) = exp_parts(x);
    (z + 1.0) * s
}

/// $e^x$ on eight lanes.
#[inline(always)]
pub fn exp_x8(x: f32x8) -> f32x8 {
    let (z, s) = exp_parts_x8(x);
    (z + f32x8::ONE) * s
}

/// $e^x - 1 = 2^r z + (2^r - 1)$ (scalar; same bits as [`exp_m1_x8`]). For $|x| < \ln 2/2$,
/// r = 0 and the result is the polynomial z itself: no cancellation near 0, no branch.
#[inline(always)]
pub fn exp_m1(x: f32) -> f32 {
    let (z, s) = exp_parts(x);
    z.mul_add(s, s - 1.0)
}

/// $e^x - 1$ on eight lanes.
#[inline(always)]
pub fn exp_m1_x8(x: f32x8) -> f32x8 {
    let (z, s) = exp_parts_x8(x);
    z.mul_add(s, s - f32x8::ONE)
}

/// Arguments `|x| ≤ EXP_M1_SMALL` need no range reduction: `round(x·log₂e) = 0`.
pub const EXP_M1_SMALL: f32 = 0.34;

/// $e^x - 1$ for $|x| \le$ [`EXP_M1_SMALL`] (scalar or eight lanes): the polynomial of
/// [`exp_m1`] alone, the same bits as [`exp_m1`] there (its reduction is then exact: `f = x`,
/// `2^r = 1`) at about half the operations.
#[inline(always)]
pub fn exp_m1_small<T: Real>(x: T) -> T {
    horner(x, &[P0, P1, P2, P3, P4, P5]).mul_add(x * x, x)
}

/// `c[0]·xⁿ + c[1]·xⁿ⁻¹ + … + c[n]` by Horner's rule: the same multiply-adds for `f32` and
/// `f32x8`.
#[inline(always)]
fn horner<T: Real>(x: T, c: &[f32]) -> T {
    let mut p = T::splat(f64::from(c[0]));
    for &ci in &c[1..] {
        p = p.mul_add(x, T::splat(f64::from(ci)));
    }
    p
}

/// Bits of √½ (0x3f3504f3): `bits(x) − bits(√½)` has the exponent `e` and, in its low 23
/// bits, the mantissa of `m ∈ [√½, √2)` with `x = m·2^e`, found without a compare or blend.
const SQRT_HALF_BITS: i32 = 0x3f35_04f3;
/// Cephes `logf` polynomial, highest degree first.
const L: [f32; 9] = [
    7.037_683_6e-2,
    -1.151_461e-1,
    1.167_699_9e-1,
    -1.242_014_1e-1,
    1.424_932_3e-1,
    -1.666_805_8e-1,
    2.000_071_4e-1,
    -2.499_999_4e-1,
    3.333_333e-1,
];

/// Largest `|x|` for [`ln_1p_small`]: its Taylor series truncated after `x⁷` then errs by at
/// most `x⁸/8 ≤ 1.3·10⁻⁹` absolute, below f32 rounding of the result.
pub const LN_1P_SMALL: f32 = 0.1;

/// Taylor coefficients of `ln(1 + x)/x` from the `x⁶` term down: (−1)ᵏ/(k + 1).
const LN_1P: [f32; 7] = [
    1.0 / 7.0,
    -1.0 / 6.0,
    1.0 / 5.0,
    -1.0 / 4.0,
    1.0 / 3.0,
    -1.0 / 2.0,
    1.0,
];

/// $\ln(1 + x)$ for $|x| \le$ [`LN_1P_SMALL`] (scalar or eight lanes, the same operations): a
/// polynomial without range reduction.
#[inline(always)]
pub fn ln_1p_small<T: Real>(x: T) -> T {
    horner(x, &LN_1P) * x
}

/// $\ln x$ for positive normal `x` (scalar; same bits as [`ln_x8`]). Smaller arguments are
/// clamped to the smallest normal number.
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    let i = (x.max(f32::MIN_POSITIVE).to_bits() as i32).wrapping_sub(SQRT_HALF_BITS);
    let e = (i >> 23) as f32;
    let m = f32::from_bits(((i & 0x007f_ffff) + SQRT_HALF_BITS) as u32);
    let f = m - 1.0;
    let z = f * f;
    let p = horner(f, &L);
    let y = (f * z).mul_add(p, e * LN2_LO);
    let y = z.mul_add(-0.5, y);
    e.mul_add(LN2_HI, f + y)
}

/// $\ln x$ on eight lanes.
#[inline(always)]
pub fn ln_x8(x: f32x8) -> f32x8 {
    let b: i32x8 = bytemuck::cast(x.fast_max(f32x8::splat(f32::MIN_POSITIVE)));
    let i = b - i32x8::splat(SQRT_HALF_BITS);
    let e = (i >> 23_i32).round_float();
    let m: f32x8 = bytemuck::cast((i & i32x8::splat(0x007f_ffff)) + i32x8::splat(SQRT_HALF_BITS));
    let f = m - f32x8::ONE;
    let z = f * f;
    let p = horner(f, &L);
    let y = (f * z).mul_add(p, e * f32x8::splat(LN2_LO));
    let y = z.mul_add(f32x8::splat(-0.5), y);
    e.mul_add(f32x8::splat(LN2_HI), f + y)
}

/// Arithmetic shared by one kernel body instantiated for `f32` (scalar reference), `f32x8`
/// (SIMD) and `f64` (small-step reference integrators). The f32 and f32x8 versions perform the
/// same operations lane by lane, so kernels written against this trait agree bit for bit;
/// the f64 version uses the platform's libm.
pub trait Real:
    Copy
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
{
    /// The constant `x` in every lane.
    fn splat(x: f64) -> Self;
    /// `self · a + b`, fused.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// $e^x$.
    fn exp(self) -> Self;
    /// $e^x - 1$.
    fn exp_m1(self) -> Self;
    /// `by` in the lanes where `self` is exactly zero, `self` elsewhere.
    fn replace_zero(self, by: Self) -> Self;
}

impl Real for f32 {
    #[inline(always)]
    fn splat(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        f32::mul_add(self, a, b)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        exp(self)
    }
    #[inline(always)]
    fn exp_m1(self) -> Self {
        exp_m1(self)
    }
    #[inline(always)]
    fn replace_zero(self, by: Self) -> Self {
        if self == 0.0 { by } else { self }
    }
}

impl Real for f32x8 {
    #[inline(always)]
    fn splat(x: f64) -> Self {
        f32x8::splat(x as f32)
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        f32x8::mul_add(self, a, b)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        exp_x8(self)
    }
    #[inline(always)]
    fn exp_m1(self) -> Self {
        exp_m1_x8(self)
    }
    #[inline(always)]
    fn replace_zero(self, by: Self) -> Self {
        self.simd_eq(f32x8::ZERO).select(by, self)
    }
}

impl Real for f64 {
    #[inline(always)]
    fn splat(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        f64::mul_add(self, a, b)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        f64::exp(self)
    }
    #[inline(always)]
    fn exp_m1(self) -> Self {
        f64::exp_m1(self)
    }
    #[inline(always)]
    fn replace_zero(self, by: Self) -> Self {
        if self == 0.0 { by } else { self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Vec<f32> {
        (-2000..=2000)
            .map(|k| k as f32 * 0.0437)
            .chain([
                0.0, -0.0, 1e-7, -1e-7, 0.2999, 0.3, -0.3, 0.3465, -0.3466, 1e-30,
            ])
            .collect()
    }

    #[test]
    fn exp_is_accurate_and_simd_matches_scalar_bits() {
        for x in grid() {
            let e = exp(x);
            let r = f64::from(x.clamp(LO, HI)).exp();
            assert!(
                ((f64::from(e) - r) / r).abs() < 3e-7,
                "exp({x}) = {e} vs {r}"
            );
            let v = exp_x8(f32x8::splat(x)).to_array();
            assert!(v.iter().all(|y| y.to_bits() == e.to_bits()), "exp_x8({x})");
        }
        // Clamped, finite at the extremes.
        assert!(exp(-1000.0) > 0.0 && exp(-1000.0) < 1e-37 && exp(1000.0).is_finite());
    }

    #[test]
    fn ln_is_accurate_and_simd_matches_scalar_bits() {
        let xs: Vec<f32> = (0..4000)
            .map(|k| 1e-30_f32 * 1.0437_f32.powi(k))
            .chain([
                1.0,
                2.0,
                0.5,
                std::f32::consts::SQRT_2,
                1.0 + 1e-7,
                1.0 - 1e-7,
                3.0e38,
            ])
            .collect();
        for x in xs {
            let l = ln(x);
            let r = f64::from(x).ln();
            assert!(
                (f64::from(l) - r).abs() <= 2e-7 * r.abs().max(1e-7) + 1e-7,
                "ln({x}) = {l} vs {r}"
            );
            let v = ln_x8(f32x8::splat(x)).to_array();
            assert!(v.iter().all(|y| y.to_bits() == l.to_bits()), "ln_x8({x})");
        }
    }

    /// 20 001 evenly spaced points of `[−limit, limit]`, each also scaled by 10⁻³ and 10⁻⁶.
    fn small_arguments(limit: f32) -> impl Iterator<Item = f32> {
        let n = 20_000;
        (0..=n).flat_map(move |k| {
            let x = limit * (2.0 * k as f32 / n as f32 - 1.0);
            [x, x * 1e-3, x * 1e-6]
        })
    }

    #[test]
    fn small_ln_1p_is_accurate_and_simd_matches_scalar_bits() {
        for x in small_arguments(LN_1P_SMALL) {
            let l = ln_1p_small(x);
            let r = f64::from(x).ln_1p();
            assert!(
                (f64::from(l) - r).abs() <= 1.5e-7 * r.abs() + 1e-45,
                "ln_1p_small({x}) = {l} vs {r}"
            );
            let v = ln_1p_small(f32x8::splat(x)).to_array();
            assert!(
                v.iter().all(|y| y.to_bits() == l.to_bits()),
                "ln_1p_small on eight lanes ({x})"
            );
        }
    }

    #[test]
    fn small_exp_m1_is_exp_m1_bit_for_bit_in_its_range() {
        for x in small_arguments(EXP_M1_SMALL) {
            let want = exp_m1(x).to_bits();
            let got = exp_m1_small(f32x8::splat(x)).to_array();
            assert!(got.iter().all(|y| y.to_bits() == want), "exp_m1_small({x})");
        }
    }

    #[test]
    fn exp_m1_is_accurate_near_zero_and_simd_matches_scalar_bits() {
        for x in grid().into_iter().filter(|x| x.abs() < 20.0) {
            let e = exp_m1(x);
            let r = f64::from(x).exp_m1();
            assert!(
                (f64::from(e) - r).abs() <= 3e-7 * r.abs() + 1e-45,
                "exp_m1({x}) = {e} vs {r}"
            );
            let lanes = f32x8::from([x, x, x, x, x, x, x, x]);
            assert!(
                exp_m1_x8(lanes)
                    .to_array()
                    .iter()
                    .all(|y| y.to_bits() == e.to_bits())
            );
            // Mixed lanes take the blended path: each lane still matches its scalar.
            let mixed = f32x8::from([x, 0.1, -5.0, x, 1e-3, x, 2.0, x]).to_array();
            let got = exp_m1_x8(f32x8::from(mixed)).to_array();
            for (g, m) in got.iter().zip(mixed) {
                assert_eq!(g.to_bits(), exp_m1(m).to_bits());
            }
        }
    }
}

//! The LIF step without delta synapses on 16-lane AVX-512 vectors, chosen at run time on CPUs
//! that have AVX-512F (the build targets AVX2, x86-64-v3).
//!
//! It is the compaction form of [`super::lif`]'s SIMD kernel (see its module docs for the
//! equations) with two differences that AVX-512 makes cheap:
//! - the lanes that need the full step (leaving refractoriness or above threshold after
//!   integration) are packed by `vcompressps` on the mask registers the comparisons produce,
//!   instead of a table lookup and a lane permutation per vector;
//! - so packing costs little enough to run at every rate: one form, no switching between the
//!   compacted and the branching form by how busy the previous block was.
//!
//! It covers the constants of the usual time steps, where the refractory-exit exponential and
//! the spike-time logarithm take their small-argument polynomials
//! ([`LifConsts::exit_small`], [`LifConsts::spike_small`]: Δt ≤ 2 ms at τ_rc = 20 ms);
//! [`supports`] says when. It performs the scalar reference's operations lane by lane (the same
//! fused multiply-adds, divisions, comparisons and polynomials from [`super::mathf`], through
//! the [`Real`] implementation below), so it gives the same bits as [`super::lif`]'s scalar
//! and AVX2 kernels; the tests check that on awkward sizes.
//!
//! On AMD Zen 4, which executes a 512-bit operation as two 256-bit halves, the gain comes from
//! issuing half the instructions: the AVX2 kernel runs at about 3.7 instructions per cycle on
//! NEF populations, limited by the front end rather than the arithmetic units.

use std::arch::x86_64::*;
use std::cell::RefCell;
use std::sync::OnceLock;

use wide::f32x8;

use super::lif::LifConsts;
use super::mathf::{self, Real};
use crate::spikes::Spikes;

/// Lanes per vector.
const W: usize = 16;

/// Vectors per block: the packed lists of a block (4 × 272 values) stay in L1.
const BLOCK: usize = 16;

/// Whether this CPU runs the kernel: AVX-512F detected at run time, and not disabled by the
/// environment variable `SPIKESIM_DISABLE_AVX512` (set to anything but `0` or empty; read once),
/// which benchmarks use to time the AVX2 kernel on the same machine.
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let disabled =
            std::env::var_os("SPIKESIM_DISABLE_AVX512").is_some_and(|v| !v.is_empty() && v != "0");
        !disabled && std::arch::is_x86_feature_detected!("avx512f")
    })
}

/// Whether the kernel covers the constants `c` (see the module docs).
pub fn supports(c: &LifConsts) -> bool {
    c.exit_small && c.spike_small
}

/// The LIF step of [`super::lif::lif_step_simd`] on `v.len()` lanes (a multiple of 8):
/// input current `bias[i] + input[i]`, neurons `i < n_valid` report spikes (ids offset by
/// `base`).
///
/// # Panics
/// When [`available`] or [`supports`] is false, or the slices' lengths differ or are not a
/// multiple of 8.
#[allow(clippy::too_many_arguments)]
pub fn lif_step(
    c: &LifConsts,
    bias: &[f32],
    input: Option<&[f32]>,
    v: &mut [f32],
    r: &mut [f32],
    base: u32,
    n_valid: usize,
    spikes: &mut Spikes,
) {
    assert!(
        available() && supports(c),
        "the AVX-512 LIF kernel cannot run here"
    );
    let n = v.len();
    assert!(n.is_multiple_of(8) && r.len() == n && bias.len() == n);
    assert!(input.is_none_or(|x| x.len() == n));
    spikes.ids.reserve(n);
    spikes.offsets.reserve(n);
    WORK.with_borrow_mut(|work| {
        // SAFETY: `available()` checked that the CPU has AVX-512F; the lengths were checked.
        unsafe {
            match input {
                Some(x) => step::<true>(c, bias, x, v, r, base, n_valid, spikes, work),
                None => step::<false>(c, bias, &[], v, r, base, n_valid, spikes, work),
            }
        }
    })
}

thread_local! {
    /// The packed lists, reused by every call on the thread.
    static WORK: RefCell<Packed> = RefCell::new(Packed::default());
}

/// Lanes of a block that need the full step, packed: neuron index within the call, input
/// current, voltage and refractory time at the step's start (then the new state, before it
/// is written back). One vector of slack for the full-vector stores of the packing.
struct Packed {
    idx: [i32; (BLOCK + 1) * W],
    j: [f32; (BLOCK + 1) * W],
    v0: [f32; (BLOCK + 1) * W],
    r0: [f32; (BLOCK + 1) * W],
}

impl Default for Packed {
    fn default() -> Self {
        Self {
            idx: [0; (BLOCK + 1) * W],
            j: [0.0; (BLOCK + 1) * W],
            v0: [0.0; (BLOCK + 1) * W],
            r0: [0.0; (BLOCK + 1) * W],
        }
    }
}

/// Sixteen f32 lanes. Values exist only inside [`step`], which runs after [`available`]
/// confirmed AVX-512F; the operations are the IEEE ones the scalar kernel uses.
#[derive(Clone, Copy)]
struct F32x16(__m512);

macro_rules! binary {
    ($trait:ident, $method:ident, $intrinsic:ident) => {
        impl std::ops::$trait for F32x16 {
            type Output = Self;
            #[inline(always)]
            fn $method(self, b: Self) -> Self {
                // SAFETY: see `F32x16`.
                Self(unsafe { $intrinsic(self.0, b.0) })
            }
        }
    };
}
binary!(Add, add, _mm512_add_ps);
binary!(Sub, sub, _mm512_sub_ps);
binary!(Mul, mul, _mm512_mul_ps);
binary!(Div, div, _mm512_div_ps);

impl std::ops::Neg for F32x16 {
    type Output = Self;
    /// Flips the sign bit, as `f32` and `wide`'s `f32x8` negation do.
    #[inline(always)]
    fn neg(self) -> Self {
        // SAFETY: see `F32x16`.
        unsafe {
            let sign = _mm512_set1_epi32(i32::MIN);
            Self(_mm512_castsi512_ps(_mm512_xor_si512(
                _mm512_castps_si512(self.0),
                sign,
            )))
        }
    }
}

impl F32x16 {
    #[inline(always)]
    fn splat(x: f32) -> Self {
        // SAFETY: see `F32x16`.
        Self(unsafe { _mm512_set1_ps(x) })
    }

    /// The two eight-lane halves.
    #[inline(always)]
    fn halves(self) -> [f32x8; 2] {
        // SAFETY: see `F32x16`; any 64 bytes are two f32x8.
        unsafe { std::mem::transmute::<__m512, [f32x8; 2]>(self.0) }
    }

    #[inline(always)]
    fn from_halves(h: [f32x8; 2]) -> Self {
        // SAFETY: as `halves`.
        Self(unsafe { std::mem::transmute::<[f32x8; 2], __m512>(h) })
    }

    /// `self > b`, ordered (false when either is NaN), as a lane mask.
    #[inline(always)]
    fn gt(self, b: Self) -> u16 {
        // SAFETY: see `F32x16`.
        unsafe { _mm512_cmp_ps_mask::<_CMP_GT_OQ>(self.0, b.0) }
    }

    /// `self < b`, ordered.
    #[inline(always)]
    fn lt(self, b: Self) -> u16 {
        // SAFETY: see `F32x16`.
        unsafe { _mm512_cmp_ps_mask::<_CMP_LT_OQ>(self.0, b.0) }
    }

    /// `self ≤ b`, ordered.
    #[inline(always)]
    fn le(self, b: Self) -> u16 {
        // SAFETY: see `F32x16`.
        unsafe { _mm512_cmp_ps_mask::<_CMP_LE_OQ>(self.0, b.0) }
    }

    /// `vmaxps self, b`: `b` when either is NaN (`wide`'s `fast_max`).
    #[inline(always)]
    fn max(self, b: Self) -> Self {
        // SAFETY: see `F32x16`.
        Self(unsafe { _mm512_max_ps(self.0, b.0) })
    }

    /// `vminps self, b` (`wide`'s `fast_min`).
    #[inline(always)]
    fn min(self, b: Self) -> Self {
        // SAFETY: see `F32x16`.
        Self(unsafe { _mm512_min_ps(self.0, b.0) })
    }

    /// `t` in the lanes of `mask`, `self` elsewhere.
    #[inline(always)]
    fn blend(self, mask: u16, t: Self) -> Self {
        // SAFETY: see `F32x16`.
        Self(unsafe { _mm512_mask_blend_ps(mask, self.0, t.0) })
    }
}

impl Real for F32x16 {
    #[inline(always)]
    fn splat(x: f64) -> Self {
        F32x16::splat(x as f32)
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        // SAFETY: see `F32x16`.
        Self(unsafe { _mm512_fmadd_ps(self.0, a.0, b.0) })
    }
    #[inline(always)]
    fn exp(self) -> Self {
        Self::from_halves(self.halves().map(mathf::exp_x8))
    }
    #[inline(always)]
    fn exp_m1(self) -> Self {
        Self::from_halves(self.halves().map(mathf::exp_m1_x8))
    }
    #[inline(always)]
    fn replace_zero(self, by: Self) -> Self {
        // SAFETY: see `F32x16`.
        let zero = unsafe { _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(self.0, _mm512_setzero_ps()) };
        self.blend(zero, by)
    }
}

/// Lane mask of the lanes `at..at + W` that are below `end`.
#[inline(always)]
fn below(end: usize, at: usize) -> u16 {
    let lanes = end.saturating_sub(at).min(W);
    ((1u32 << lanes) - 1) as u16
}

/// The step (see [`lif_step`]).
///
/// # Safety
/// The CPU has AVX-512F; `bias`, `v`, `r` (and `input` when `INPUT`) have the same length, a
/// multiple of 8; `spikes` has room for that many more spikes.
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn step<const INPUT: bool>(
    c: &LifConsts,
    bias: &[f32],
    input: &[f32],
    v: &mut [f32],
    r: &mut [f32],
    base: u32,
    n_valid: usize,
    spikes: &mut Spikes,
    work: &mut Packed,
) {
    let n = v.len();
    let (zero, one) = (F32x16::splat(0.0), F32x16::splat(1.0));
    let (dt, a_dt, min_v) = (
        F32x16::splat(c.dt),
        F32x16::splat(c.a_dt),
        F32x16::splat(c.min_voltage),
    );
    let (tau_rc, tau_ref) = (F32x16::splat(c.tau_rc), F32x16::splat(c.tau_ref));
    let lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    let first_id = _mm512_set1_epi32(base as i32);
    let mut written = spikes.ids.len();
    for block in (0..n).step_by(BLOCK * W) {
        let end = (block + BLOCK * W).min(n);
        // Pass 1: every lane as if it neither left refractoriness nor spiked; pack the lanes
        // for which that is wrong.
        let mut count = 0;
        let mut needs = [0u16; BLOCK];
        for (at, need_of) in (block..end).step_by(W).zip(&mut needs) {
            let io = below(n, at);
            // SAFETY: the lanes of `io` are in bounds of every slice (lengths checked equal).
            let load = |s: &[f32]| F32x16(unsafe { _mm512_maskz_loadu_ps(io, s.as_ptr().add(at)) });
            let j = if INPUT {
                load(bias) + load(input)
            } else {
                load(bias)
            };
            let (v0, r0) = (load(v), load(r));
            let a = zero.blend(r0.le(zero), a_dt);
            let v_int = (j - v0).mul_add(a, v0);
            let leaving = r0.gt(zero) & r0.lt(dt);
            let need = (leaving | v_int.gt(one)) & below(n_valid, at);
            *need_of = need;
            // SAFETY: as the loads.
            unsafe {
                _mm512_mask_storeu_ps(v.as_mut_ptr().add(at), io, v_int.max(min_v).0);
                _mm512_mask_storeu_ps(r.as_mut_ptr().add(at), io, (r0 - dt).max(zero).0);
            }
            if need != 0 {
                // `count` is below a block's lanes, so the 16-lane stores stay in the lists.
                let to = count.min(BLOCK * W);
                let idx = _mm512_add_epi32(lane, _mm512_set1_epi32(at as i32));
                // SAFETY: `to + W ≤ (BLOCK + 1) · W`, the lists' length.
                unsafe {
                    let pack = |x: F32x16| _mm512_maskz_compress_ps(need, x.0);
                    _mm512_storeu_si512(
                        work.idx.as_mut_ptr().add(to).cast(),
                        _mm512_maskz_compress_epi32(need, idx),
                    );
                    _mm512_storeu_ps(work.j.as_mut_ptr().add(to), pack(j));
                    _mm512_storeu_ps(work.v0.as_mut_ptr().add(to), pack(v0));
                    _mm512_storeu_ps(work.r0.as_mut_ptr().add(to), pack(r0));
                }
                count += need.count_ones() as usize;
            }
        }
        // Pass 2: the full step on the packed lanes, sixteen at a time.
        let count = count.min(BLOCK * W);
        for at in (0..count).step_by(W) {
            let valid = below(count, at);
            // SAFETY: `at + W ≤ (BLOCK + 1) · W`.
            let (idx, j, v0, r0) = unsafe {
                (
                    _mm512_loadu_si512(work.idx.as_ptr().add(at).cast()),
                    F32x16(_mm512_loadu_ps(work.j.as_ptr().add(at))),
                    F32x16(_mm512_loadu_ps(work.v0.as_ptr().add(at))),
                    F32x16(_mm512_loadu_ps(work.r0.as_ptr().add(at))),
                )
            };
            let a = zero.blend(r0.le(zero), a_dt);
            let leaving = r0.gt(zero) & r0.lt(dt);
            let a = a.blend(leaving, -mathf::exp_m1_small((r0 - dt) / tau_rc));
            let v_int = (j - v0).mul_add(a, v0);
            let spiking = v_int.gt(one);
            // Spike time (`LifConsts::spike_time`), clipped to [0, Δt].
            let l = mathf::ln_1p_small((one - v_int) / (j - one));
            let crossed = j.gt(one) & spiking;
            let ts = dt.blend(crossed, tau_rc.mul_add(l, dt)).max(zero).min(dt);
            let r_spiked = (tau_ref + ts - dt).max(zero);
            let r1 = (r0 - dt).max(zero).blend(spiking, r_spiked);
            let v1 = v_int.blend(spiking, zero).max(min_v);
            let fired = spiking & valid;
            let fired_n = fired.count_ones() as usize;
            // SAFETY: `at + W` is within the lists; `spikes` has room for every lane of the
            // call (reserved by `lif_step`), of which at most `fired_n` are written here.
            unsafe {
                _mm512_storeu_ps(work.v0.as_mut_ptr().add(at), v1.0);
                _mm512_storeu_ps(work.r0.as_mut_ptr().add(at), r1.0);
                let ids = _mm512_maskz_compress_epi32(fired, _mm512_add_epi32(idx, first_id));
                let keep = below(fired_n, 0);
                _mm512_mask_storeu_epi32(spikes.ids.as_mut_ptr().add(written).cast(), keep, ids);
                let ts = _mm512_maskz_compress_ps(fired, ts.0);
                _mm512_mask_storeu_ps(spikes.offsets.as_mut_ptr().add(written), keep, ts);
            }
            written += fired_n;
        }
        // Pass 3: the packed lanes' new state back to their places, by expanding each
        // vector's share of the lists under the mask that packed it.
        let mut from = 0;
        for (at, &need) in (block..end).step_by(W).zip(&needs) {
            if need != 0 {
                // SAFETY: `from ≤ count ≤ BLOCK · W`, so the list loads stay in the lists; the
                // lanes of `need` are neurons, in bounds of `v` and `r`.
                unsafe {
                    let back = |list: &[f32]| {
                        _mm512_maskz_expand_ps(need, _mm512_loadu_ps(list.as_ptr().add(from)))
                    };
                    _mm512_mask_storeu_ps(v.as_mut_ptr().add(at), need, back(&work.v0));
                    _mm512_mask_storeu_ps(r.as_mut_ptr().add(at), need, back(&work.r0));
                }
                from += need.count_ones() as usize;
            }
        }
    }
    debug_assert!(written <= spikes.ids.capacity() && written <= spikes.offsets.capacity());
    // SAFETY: the first `written` elements of both vectors are initialised (the old length,
    // then the spikes stored above, in order), and the room was reserved.
    unsafe {
        spikes.ids.set_len(written);
        spikes.offsets.set_len(written);
    }
}

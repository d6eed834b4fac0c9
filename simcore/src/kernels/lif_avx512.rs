//! The busy blocks of the LIF step without delta synapses on 16-lane AVX-512 vectors, chosen
//! at run time on CPUs that have AVX-512F (the build targets AVX2, x86-64-v3).
//!
//! [`super::lif`]'s SIMD kernel (see its module docs for the equations) picks per block of 128
//! lanes between a branching form, right for quiet blocks (cortical rates), and compaction,
//! right for busy ones (NEF rates: a lane in three to five leaves refractoriness or spikes every
//! step). This is the compaction form with what AVX-512 makes cheap:
//! - the lanes that need the full step (leaving refractoriness or above threshold after
//!   integration) are packed by `vcompressps` on the mask registers the comparisons produce,
//!   instead of a table lookup and a lane permutation per eight lanes;
//! - their new state goes back by `vexpandps` under the same masks and a masked store, instead
//!   of a scalar scatter;
//! - spikes leave by `vpcompressd`/`vcompressps` and a masked store.
//!
//! Quiet blocks stay in the eight-lane branching form: compacting them too made cortical-rate
//! populations slower (2.0e9 against 2.8–3.1e9 neuron-steps/s on `lif_throughput`), while on
//! busy blocks this form is 1.4–1.6× faster than the eight-lane compaction (`lif_nef_cpu`).
//!
//! It covers the constants of the usual time steps, where the refractory-exit exponential and
//! the spike-time logarithm take their small-argument polynomials
//! ([`LifConsts::exit_small`], [`LifConsts::spike_small`]: Δt ≤ 2 ms at τ_rc = 20 ms);
//! [`supports`] says when. It performs the scalar reference's operations lane by lane (the same
//! fused multiply-adds, divisions, comparisons and polynomials from [`super::mathf`], through
//! the [`Real`] implementation below), so it gives the same bits as the scalar and eight-lane
//! forms; the tests check that on awkward sizes.

use std::arch::x86_64::*;
use std::ops::Range;
use std::sync::OnceLock;

use wide::f32x8;

use super::lif::{Compacted, LIST, LifConsts, WORK, X8, for_each_block, lif_block};
use super::mathf::{self, Real};
use crate::lanes::LANES;
use crate::spikes::{LanePush, Spikes};

/// Lanes per vector.
const W: usize = 16;

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

/// Sixteen f32 lanes. Values exist only inside [`block_x16`], which runs after [`available`]
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

/// The LIF step of [`super::lif::lif_step_simd`] with its busy blocks in the 16-lane form:
/// input current `bias + input`; neurons below `n_valid` report spikes (ids offset by `base`).
///
/// # Panics
/// When [`available`] or [`supports`] is false, or the slices' lengths differ.
#[allow(clippy::too_many_arguments)]
pub fn lif_step(
    c: &LifConsts,
    bias: &[f32x8],
    input: Option<&[f32x8]>,
    v: &mut [f32x8],
    r: &mut [f32x8],
    base: u32,
    n_valid: usize,
    spikes: &mut Spikes,
) {
    assert!(
        available() && supports(c),
        "the AVX-512 LIF kernel cannot run here"
    );
    let n = v.len();
    assert!(r.len() == n && bias.len() == n && input.is_none_or(|x| x.len() == n));
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

/// The blocks of [`lif_step`]: [`super::lif`]'s driver, with [`block_x16`] for busy blocks.
///
/// # Safety
/// The CPU has AVX-512F; `bias`, `v`, `r` (and `input` when `INPUT`) have the same length.
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn step<const INPUT: bool>(
    c: &LifConsts,
    bias: &[f32x8],
    input: &[f32x8],
    v: &mut [f32x8],
    r: &mut [f32x8],
    base: u32,
    n_valid: usize,
    spikes: &mut Spikes,
    work: &mut Compacted,
) {
    let mut out = spikes.lanes(v.len());
    let x = X8::new(c, n_valid);
    let current = |k: usize| if INPUT { bias[k] + input[k] } else { bias[k] };
    let no_jump = |_| f32x8::ZERO;
    let flat = bytemuck::cast_slice::<f32x8, f32>;
    // Most calls at NEF rates begin busy, and compaction costs little on a quiet block.
    for_each_block(v.len(), true, BUSY_DENSE_X16, |block, dense| {
        if !dense {
            return lif_block::<false, false>(
                c, &x, &current, &no_jump, v, r, block, base, &mut out,
            );
        }
        let lanes = block.start * LANES..block.end * LANES;
        let (vf, rf) = (bytemuck::cast_slice_mut(v), bytemuck::cast_slice_mut(r));
        // SAFETY: AVX-512F (this function's feature); equal lengths; a block's lanes leave 16
        // lanes of slack in the lists.
        unsafe {
            block_x16::<INPUT>(
                c,
                flat(bias),
                flat(input),
                vf,
                rf,
                lanes,
                base,
                n_valid,
                &mut out,
                work,
            )
        }
    })
}

/// A block switches the next one to compaction when more than 1/`BUSY_DENSE_X16` of its
/// eight-lane vectors had a lane leaving refractoriness or spiking: a lower bar than the
/// eight-lane forms' (1/4), since compaction here costs less.
const BUSY_DENSE_X16: usize = 8;

/// A busy block by compaction on sixteen lanes: the flat lanes `lanes` of [`lif_step`];
/// returns how many of its eight-lane vectors had a lane leaving refractoriness or spiking.
///
/// # Safety
/// The CPU has AVX-512F; `bias`, `v`, `r` (and `input` when `INPUT`) have the same length, a
/// multiple of 8, of which `lanes` is a range of at most `LIST − 16` lanes.
#[target_feature(enable = "avx512f")]
#[inline]
#[allow(clippy::too_many_arguments)]
unsafe fn block_x16<const INPUT: bool>(
    c: &LifConsts,
    bias: &[f32],
    input: &[f32],
    v: &mut [f32],
    r: &mut [f32],
    lanes: Range<usize>,
    base: u32,
    n_valid: usize,
    out: &mut LanePush<'_>,
    work: &mut Compacted,
) -> usize {
    let (zero, one) = (F32x16::splat(0.0), F32x16::splat(1.0));
    let (dt, a_dt) = (F32x16::splat(c.dt), F32x16::splat(c.a_dt));
    let (tau_rc, tau_ref) = (F32x16::splat(c.tau_rc), F32x16::splat(c.tau_ref));
    let min_v = F32x16::splat(c.min_voltage);
    let lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    let first_id = _mm512_set1_epi32(base as i32);
    // Pass 1: every lane as if it neither left refractoriness nor spiked; pack the lanes for
    // which that is wrong.
    let mut count = 0;
    let mut busy = 0;
    // The vectors with packed lanes, and their masks (for pass 3).
    let mut packed = [(0usize, 0u16); LIST / W];
    let mut vectors = 0;
    for at in lanes.clone().step_by(W) {
        let io = below(lanes.end, at);
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
        let need = (leaving | v_int.gt(one)) & below(n_valid, at) & io;
        // SAFETY: as the loads.
        unsafe {
            _mm512_mask_storeu_ps(v.as_mut_ptr().add(at), io, v_int.max(min_v).0);
            _mm512_mask_storeu_ps(r.as_mut_ptr().add(at), io, (r0 - dt).max(zero).0);
        }
        if need != 0 {
            busy += usize::from(need & 0xff != 0) + usize::from(need >> 8 != 0);
            // `count` is below the block's lanes, so the 16-lane stores stay in the lists.
            let to = count.min(LIST - W);
            let idx = _mm512_add_epi32(lane, _mm512_set1_epi32(at as i32));
            // SAFETY: `to + W ≤ LIST`, the lists' length.
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
            packed[vectors.min(LIST / W - 1)] = (at, need);
            vectors += 1;
        }
    }
    // Pass 2: the full step on the packed lanes, sixteen at a time.
    let count = count.min(LIST - W);
    for at in (0..count).step_by(W) {
        // SAFETY: `at + W ≤ LIST`.
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
        // SAFETY: `at + W ≤ LIST`.
        unsafe {
            _mm512_storeu_ps(work.v0.as_mut_ptr().add(at), v1.0);
            _mm512_storeu_ps(work.r0.as_mut_ptr().add(at), r1.0);
        }
        let ids = _mm512_add_epi32(idx, first_id);
        out.push_ids_x16(spiking & below(count, at), ids, ts.0);
    }
    // Pass 3: the packed lanes' new state back to their places, by expanding each vector's
    // share of the lists under the mask that packed it.
    let mut from = 0;
    for &(at, need) in &packed[..vectors.min(LIST / W)] {
        // SAFETY: `from ≤ count ≤ LIST − W`, so the list loads stay in the lists; the lanes of
        // `need` are in bounds of `v` and `r`.
        unsafe {
            let back = |list: &[f32]| {
                _mm512_maskz_expand_ps(need, _mm512_loadu_ps(list.as_ptr().add(from)))
            };
            _mm512_mask_storeu_ps(v.as_mut_ptr().add(at), need, back(&work.v0));
            _mm512_mask_storeu_ps(r.as_mut_ptr().add(at), need, back(&work.r0));
        }
        from += need.count_ones() as usize;
    }
    busy
}

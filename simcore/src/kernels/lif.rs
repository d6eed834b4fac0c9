//! Leaky integrate-and-fire step kernels: a scalar reference and an f32x8 SIMD kernel.
//!
//! Normalised units (threshold 1, reset 0), as in Nengo's `LIF` (Eliasmith & Anderson 2003;
//! `nengo/neurons.py`, `LIF.step`):
//!
//! $$\tau_{rc}\,\dot v = J - v,$$
//!
//! integrated exactly for input $J$ constant over the step:
//!
//! $$v_{t+\Delta t} = v_t - (J - v_t)\,\mathrm{expm1}(-\Delta t_{\mathrm{eff}}/\tau_{rc})
//!   = v_t + (J - v_t)\,a,\qquad a = 1 - e^{-\Delta t_{\mathrm{eff}}/\tau_{rc}}.$$
//!
//! Refractoriness: `r` is the refractory time left at the start of the step. The neuron
//! integrates for `Δt_eff = clip(Δt − r, 0, Δt)`: nothing while still refractory, the remaining
//! fraction of the step when the refractory period ends inside it, the whole step otherwise; then
//! `r ← max(r − Δt, 0)`. (Nengo stores `r + Δt` and subtracts Δt first; the arithmetic is the
//! same.) `a` for the whole step is precomputed per population; only the rare lanes leaving
//! refractoriness compute an exponential.
//!
//! Threshold crossing: when `v > 1` at the end of the step, the crossing happened at
//!
//! $$t_s = \Delta t + \tau_{rc}\,\mathrm{ln1p}\!\left(-\frac{v-1}{J-1}\right)
//!     = \Delta t + \tau_{rc}\ln\frac{J-v}{J-1}$$
//!
//! after the step's start (solve $1 = J + (v_0 - J)e^{-t/\tau_{rc}}$ backwards from the end of
//! the step). Since $v_0 \le 1$, the argument $x = -(v-1)/(J-1)$ lies in $[-a, 0)$ with
//! $a = 1 - e^{-\Delta t/\tau_{rc}}$; when $a \le 0.1$ (Δt ≤ 2 ms at τ_rc = 20 ms) the kernels
//! evaluate the first form by [`mathf::ln_1p_small`], a polynomial without range reduction,
//! otherwise the second by [`mathf::ln`]. Likewise the refractory-exit factor's `expm1` takes
//! [`mathf::exp_m1_small`] when Δt/τ_rc ≤ 0.34 (the same bits as the general one there).
//! The neuron resets to 0 and stays refractory for `τ_ref` counted from `t_s`, so
//! `r ← τ_ref − (Δt − t_s)` carries the fraction into the next step (a negative value, a
//! refractory period ending within this step, is stored as 0). Finally `v ← max(v, v_min)`.
//!
//! # Delta synapses (voltage jumps)
//! The `*_delta` kernels take a second input, `jump`: the sum of the delta-synapse weights
//! arriving this step, added to `v` at the end of the step, after integration and before the
//! threshold test (NEST `iaf_psc_delta`: `V ← P33·V + P30·I + B_k`, then `V ≥ θ`; Brian2
//! `on_pre: v += w`). A neuron that is refractory at the end of the step ignores the jump (NEST
//! discards input arriving during refractoriness; Brian2 `v += w*int(not_refractory)`): jumps
//! are accepted when `r < Δt·(1 − 10⁻³)` at the start of the step (the tolerance absorbs the
//! f32 rounding of the refractory countdown, so a period of exactly m steps rejects the input of
//! m steps, as NEST's step counter does), and not by a neuron that crossed threshold by
//! integration during the step. A crossing caused by a jump happens at the end of the step
//! (`t_s = Δt`), so the neuron stays refractory for exactly `τ_ref` from there.
//!
//! The scalar and SIMD kernels perform the same operations lane by lane (same fused
//! multiply-adds; `expm1` and `ln` from [`mathf`], whose scalar and f32x8 forms are the same
//! sequence), so they agree bit for bit. NEF neurons at 100–400 Hz leave refractoriness or
//! spike in nearly every 8-lane vector every step, so the SIMD kernel works in blocks of
//! 16 vectors. When more than a quarter of the previous block's vectors needed one of the two
//! functions, the block runs by compaction (the lanes that need the full step are packed into
//! lists and stepped eight at a time; the delta-synapse kernel instead evaluates both
//! functions for every vector, blended); otherwise the functions are skipped for vectors that
//! need neither (cortical rates). All forms give the same bits. Spikes leave through
//! [`LanePush`] (left-packed lanes, no loop over mask bits). On CPUs with AVX-512F the kernel
//! without delta synapses runs a 16-lane form instead ([`super::lif_avx512`]), chosen at run
//! time; it too gives the same bits.

use wide::{f32x8, i32x8};

use super::mathf;
use crate::lanes::{LANES, LeftPack, lane_ids};
use crate::spikes::{LanePush, Spikes};

/// Per-population constants of the LIF step, precomputed once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LifConsts {
    /// Time step Δt, seconds.
    pub dt: f32,
    /// Membrane RC time constant τ_rc, seconds.
    pub tau_rc: f32,
    /// Absolute refractory period τ_ref, seconds.
    pub tau_ref: f32,
    /// Lower bound of the normalised voltage (`-inf` for none).
    pub min_voltage: f32,
    /// Whole-step integration factor `a = −expm1(−Δt/τ_rc)`.
    pub a_dt: f32,
    /// `Δt/τ_rc ≤` [`mathf::EXP_M1_SMALL`]: the refractory-exit exponent, in `(−Δt/τ_rc, 0)`,
    /// needs no range reduction ([`mathf::exp_m1_small`], same bits).
    pub exit_small: bool,
    /// `a = 1 − e^{−Δt/τ_rc} ≤` [`mathf::LN_1P_SMALL`]: the spike-time logarithm's argument
    /// `−(v − 1)/(J − 1)` lies in `[−a, 0)`, and [`mathf::ln_1p_small`] evaluates it.
    pub spike_small: bool,
}

impl LifConsts {
    /// Constants for time step `dt` (s), `tau_rc`, `tau_ref` (s) and the voltage floor.
    pub fn new(dt: f32, tau_rc: f32, tau_ref: f32, min_voltage: f32) -> Self {
        let a_dt = -(-dt / tau_rc).exp_m1();
        Self {
            dt,
            tau_rc,
            tau_ref,
            min_voltage,
            a_dt,
            exit_small: dt / tau_rc <= mathf::EXP_M1_SMALL,
            spike_small: a_dt <= mathf::LN_1P_SMALL,
        }
    }

    /// Threshold-crossing time within the step of a neuron with input `j` whose voltage
    /// integrated to `v_int > 1` (see the module docs); `Δt` for `j ≤ 1` or `v_int ≤ 1` (a
    /// crossing by a delta-synapse jump). Not yet clipped to `[0, Δt]`.
    #[inline(always)]
    fn spike_time(&self, j: f32, v_int: f32) -> f32 {
        if j > 1.0 && v_int > 1.0 {
            let l = if self.spike_small {
                mathf::ln_1p_small((1.0 - v_int) / (j - 1.0))
            } else {
                mathf::ln((j - v_int) / (j - 1.0))
            };
            self.tau_rc.mul_add(l, self.dt)
        } else {
            self.dt
        }
    }

    /// [`spike_time`](Self::spike_time) on eight lanes.
    #[inline(always)]
    fn spike_time_x8(&self, j: f32x8, v_int: f32x8) -> f32x8 {
        let one = f32x8::ONE;
        let l = if self.spike_small {
            mathf::ln_1p_small((one - v_int) / (j - one))
        } else {
            mathf::ln_x8((j - v_int) / (j - one))
        };
        let crossed = j.simd_gt(one) & v_int.simd_gt(one);
        crossed.select(
            f32x8::splat(self.tau_rc).mul_add(l, f32x8::splat(self.dt)),
            f32x8::splat(self.dt),
        )
    }

    /// $e^x - 1$ of the refractory-exit exponent `x = (r − Δt)/τ_rc` on eight lanes (lanes
    /// outside `(−Δt/τ_rc, 0)` get an unspecified finite or infinite value).
    #[inline(always)]
    fn exit_exp_m1_x8(&self, x: f32x8) -> f32x8 {
        if self.exit_small {
            mathf::exp_m1_small(x)
        } else {
            mathf::exp_m1_x8(x)
        }
    }
}

/// Scalar reference: advances neurons `v`, `r` by one step with input current
/// `bias[i] + input[i]` (input omitted ⇒ 0) and appends spikes (ids offset by `base`).
pub fn lif_step_scalar(
    c: &LifConsts,
    bias: &[f32],
    input: Option<&[f32]>,
    v: &mut [f32],
    r: &mut [f32],
    base: u32,
    spikes: &mut Spikes,
) {
    lif_scalar(c, bias, input, None, v, r, base, spikes)
}

/// Scalar reference with delta synapses: as [`lif_step_scalar`], plus the voltage jumps
/// `jump[i]` added at the end of the step (see the module docs).
#[allow(clippy::too_many_arguments)]
pub fn lif_step_delta_scalar(
    c: &LifConsts,
    bias: &[f32],
    input: Option<&[f32]>,
    jump: &[f32],
    v: &mut [f32],
    r: &mut [f32],
    base: u32,
    spikes: &mut Spikes,
) {
    lif_scalar(c, bias, input, Some(jump), v, r, base, spikes)
}

#[allow(clippy::too_many_arguments)]
fn lif_scalar(
    c: &LifConsts,
    bias: &[f32],
    input: Option<&[f32]>,
    jump: Option<&[f32]>,
    v: &mut [f32],
    r: &mut [f32],
    base: u32,
    spikes: &mut Spikes,
) {
    let n = v.len();
    assert!(r.len() == n && bias.len() == n && input.is_none_or(|x| x.len() == n));
    assert!(jump.is_none_or(|x| x.len() == n));
    let gate = c.dt * JUMP_GATE;
    for i in 0..n {
        let j = match input {
            Some(x) => bias[i] + x[i],
            None => bias[i],
        };
        let ri0 = r[i];
        let a = if ri0 <= 0.0 {
            c.a_dt
        } else if ri0 < c.dt {
            -mathf::exp_m1((ri0 - c.dt) / c.tau_rc)
        } else {
            0.0
        };
        let v_int = (j - v[i]).mul_add(a, v[i]);
        let mut vi = v_int;
        if let Some(x) = jump
            && ri0 < gate
            && v_int <= 1.0
        {
            vi += x[i];
        }
        let mut ri = (ri0 - c.dt).max(0.0);
        if vi > 1.0 {
            let ts = c.spike_time(j, v_int).max(0.0).min(c.dt);
            spikes.push(base + i as u32, ts);
            vi = 0.0;
            ri = (c.tau_ref + ts - c.dt).max(0.0);
        }
        v[i] = vi.max(c.min_voltage);
        r[i] = ri;
    }
}

/// SIMD kernel: the same step as [`lif_step_scalar`] over whole f32x8 vectors. `n_valid` is the
/// number of real neurons covered by these vectors (padding lanes beyond it never report spikes).
///
/// Runs the 16-lane AVX-512 form ([`super::lif_avx512`]) when the CPU has AVX-512F and that
/// form covers `c`, the eight-lane form [`lif_step_x8`] otherwise; both give the scalar
/// reference's bits.
#[allow(clippy::too_many_arguments)]
pub fn lif_step_simd(
    c: &LifConsts,
    bias: &[f32x8],
    input: Option<&[f32x8]>,
    v: &mut [f32x8],
    r: &mut [f32x8],
    base: u32,
    n_valid: usize,
    spikes: &mut Spikes,
) {
    #[cfg(target_arch = "x86_64")]
    if super::lif_avx512::supports(c) && super::lif_avx512::available() {
        return super::lif_avx512::lif_step(c, bias, input, v, r, base, n_valid, spikes);
    }
    lif_step_x8(c, bias, input, v, r, base, n_valid, spikes)
}

/// The eight-lane (`wide` f32x8: AVX2 on x86-64) form of [`lif_step_simd`], on every CPU.
#[allow(clippy::too_many_arguments)]
pub fn lif_step_x8(
    c: &LifConsts,
    bias: &[f32x8],
    input: Option<&[f32x8]>,
    v: &mut [f32x8],
    r: &mut [f32x8],
    base: u32,
    n_valid: usize,
    spikes: &mut Spikes,
) {
    let n = v.len();
    assert!(r.len() == n && bias.len() == n && input.is_none_or(|x| x.len() == n));
    let no_jump = |_| f32x8::ZERO;
    match input {
        Some(x) => lif_lanes::<false>(c, |k| bias[k] + x[k], no_jump, v, r, base, n_valid, spikes),
        None => lif_lanes::<false>(c, |k| bias[k], no_jump, v, r, base, n_valid, spikes),
    }
}

/// SIMD kernel with delta synapses: the same step as [`lif_step_delta_scalar`].
#[allow(clippy::too_many_arguments)]
pub fn lif_step_delta_simd(
    c: &LifConsts,
    bias: &[f32x8],
    input: Option<&[f32x8]>,
    jump: &[f32x8],
    v: &mut [f32x8],
    r: &mut [f32x8],
    base: u32,
    n_valid: usize,
    spikes: &mut Spikes,
) {
    let n = v.len();
    assert!(r.len() == n && bias.len() == n && input.is_none_or(|x| x.len() == n));
    assert_eq!(jump.len(), n);
    let jump = |k: usize| jump[k];
    match input {
        Some(x) => lif_lanes::<true>(c, |k| bias[k] + x[k], jump, v, r, base, n_valid, spikes),
        None => lif_lanes::<true>(c, |k| bias[k], jump, v, r, base, n_valid, spikes),
    }
}

/// Jumps are accepted when the refractory time left at the step's start is below
/// `Δt · JUMP_GATE` (see the module docs).
const JUMP_GATE: f32 = 1.0 - 1e-3;

/// [`LifConsts`] on eight lanes, and which lanes of the last vector are neurons (padding lanes
/// never report spikes): built once per kernel call.
pub(super) struct X8 {
    dt: f32x8,
    a_dt: f32x8,
    min_v: f32x8,
    tau_rc: f32x8,
    tau_ref: f32x8,
    /// Number of neurons (the lanes before it are neurons).
    n_valid: usize,
}

impl X8 {
    #[inline(always)]
    pub(super) fn new(c: &LifConsts, n_valid: usize) -> Self {
        Self {
            dt: f32x8::splat(c.dt),
            a_dt: f32x8::splat(c.a_dt),
            min_v: f32x8::splat(c.min_voltage),
            tau_rc: f32x8::splat(c.tau_rc),
            tau_ref: f32x8::splat(c.tau_ref),
            n_valid,
        }
    }

    /// `a` with the lanes in `leaving` (refractory at the step's start, free before its end)
    /// set to the factor for the rest of the step, `−expm1((r₀ − Δt)/τ_rc)`.
    #[inline(always)]
    fn with_exit(&self, c: &LifConsts, r0: f32x8, leaving: f32x8, a: f32x8) -> f32x8 {
        leaving.select(-c.exit_exp_m1_x8((r0 - self.dt) / self.tau_rc), a)
    }

    /// The threshold-crossing time clipped to `[0, Δt]`, and the refractory time left at the
    /// step's end after a spike then, `max(τ_ref + t_s − Δt, 0)`.
    #[inline(always)]
    fn spike(&self, c: &LifConsts, j: f32x8, v_int: f32x8) -> (f32x8, f32x8) {
        let ts = c
            .spike_time_x8(j, v_int)
            .fast_max(f32x8::ZERO)
            .fast_min(self.dt);
        (ts, (self.tau_ref + ts - self.dt).fast_max(f32x8::ZERO))
    }

    /// The lanes of `mask` (vector `k`) that are neurons.
    #[inline(always)]
    fn neurons(&self, k: usize, mask: u32) -> u32 {
        // Lanes of vector `k` below `n_valid`: 8 before the last vector, 0 after it (a
        // shift and a mask rather than branches, in the loop over every vector).
        let lanes = self.n_valid.saturating_sub(k * LANES).min(LANES);
        mask & ((1u32 << lanes) - 1)
    }
}

/// Vectors per block of the SIMD kernel: it picks its branching or branch-free form once
/// per block, from how busy the previous block was.
const BLOCK: usize = 16;

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn lif_lanes<const JUMP: bool>(
    c: &LifConsts,
    current: impl Fn(usize) -> f32x8,
    jump: impl Fn(usize) -> f32x8,
    v: &mut [f32x8],
    r: &mut [f32x8],
    base: u32,
    n_valid: usize,
    spikes: &mut Spikes,
) {
    let (vectors, mut out) = (v.len(), spikes.lanes(v.len()));
    let x = X8::new(c, n_valid);
    WORK.with_borrow_mut(|work| {
        for_each_block(vectors, false, BUSY_DENSE, |block, dense| {
            match (dense, JUMP) {
                (true, false) => {
                    lif_block_compacted(c, &x, &current, v, r, block, base, &mut out, work)
                }
                (true, true) => {
                    lif_block::<JUMP, true>(c, &x, &current, &jump, v, r, block, base, &mut out)
                }
                (false, _) => {
                    lif_block::<JUMP, false>(c, &x, &current, &jump, v, r, block, base, &mut out)
                }
            }
        })
    })
}

/// The blocks of `vectors` vectors, in order, each advanced by `step(block, busy_form)`, which
/// returns how many of the block's vectors had a lane leaving refractoriness or spiking. A
/// block switches the next one to the busy form when more than 1/`busy_dense` of its vectors
/// did; `first` is the first block's form (it has no previous block to go by).
#[inline(always)]
pub(super) fn for_each_block(
    vectors: usize,
    first: bool,
    busy_dense: usize,
    mut step: impl FnMut(std::ops::Range<usize>, bool) -> usize,
) {
    let mut dense = first;
    for start in (0..vectors).step_by(BLOCK) {
        let block = start..(start + BLOCK).min(vectors);
        let len = block.len();
        dense = step(block, dense) * busy_dense > len;
    }
}

thread_local! {
    /// The compaction lists of [`lif_block_compacted`] (and of the AVX-512 form's busy
    /// blocks), reused by every kernel call on the thread: a fresh one is zeroed, 2.3 KB per
    /// population step. Lanes beyond a list's length hold stale values, which are computed on
    /// and then masked out, as zeros were.
    pub(super) static WORK: std::cell::RefCell<Compacted> = std::cell::RefCell::new(Compacted::default());
}

/// Lanes of a block that need the full step (they leave refractoriness or cross threshold),
/// packed: their neuron index within the call, input current, voltage and refractory time at
/// the step's start. Sixteen lanes of slack for the full-vector stores of the packing (one
/// AVX-512 vector, two eight-lane ones).
pub(super) struct Compacted {
    pub(super) idx: [i32; LIST],
    pub(super) j: [f32; LIST],
    pub(super) v0: [f32; LIST],
    pub(super) r0: [f32; LIST],
}

/// Length of the [`Compacted`] lists: a block's lanes, and slack for one 16-lane store (the
/// AVX-512 form's vectors).
pub(super) const LIST: usize = BLOCK * LANES + 16;

impl Default for Compacted {
    fn default() -> Self {
        Self {
            idx: [0; LIST],
            j: [0.0; LIST],
            v0: [0.0; LIST],
            r0: [0.0; LIST],
        }
    }
}

/// Eight consecutive values of `a` from `at`.
#[inline(always)]
fn load8<T: Copy + Default>(a: &[T], at: usize) -> [T; LANES] {
    let mut out = [T::default(); LANES];
    out.copy_from_slice(&a[at..at + LANES]);
    out
}

/// Stores the eight values `x` into `a` from `at`.
#[inline(always)]
fn store8<T: Copy>(a: &mut [T], at: usize, x: [T; LANES]) {
    a[at..at + LANES].copy_from_slice(&x);
}

/// The busy-block form of the step without delta synapses, by compaction. Pass 1 advances
/// every lane as if it neither left refractoriness nor spiked (`a = a_dt` or 0: a few
/// operations per vector) and packs the lanes for which that is wrong — leaving
/// refractoriness, or above threshold after integration — into [`Compacted`] lists (a lane
/// permutation and four stores per vector, no branch). Pass 2 runs the full step, `expm1` and
/// `ln1p` included, on those lists eight lanes at a time and writes the lanes back. At NEF
/// rates (100–200 Hz mean at Δt = 1 ms) one lane in five to three needs it, so the expensive
/// functions run on that fraction of the vectors they would in [`lif_block`]'s branch-free
/// form. Same bits as the other forms.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn lif_block_compacted(
    c: &LifConsts,
    x: &X8,
    current: &impl Fn(usize) -> f32x8,
    v: &mut [f32x8],
    r: &mut [f32x8],
    block: std::ops::Range<usize>,
    base: u32,
    out: &mut LanePush<'_>,
    work: &mut Compacted,
) -> usize {
    let (dt, a_dt, min_v) = (x.dt, x.a_dt, x.min_v);
    let (zero, one) = (f32x8::ZERO, f32x8::ONE);
    let mut count = 0;
    let mut busy = 0;
    for k in block {
        let j = current(k);
        let v0 = v[k];
        let r0 = r[k];
        let a = r0.simd_le(zero).select(a_dt, zero);
        let v_int = (j - v0).mul_add(a, v0);
        let leaving = r0.simd_gt(zero) & r0.simd_lt(dt);
        let mask = x.neurons(k, (leaving | v_int.simd_gt(one)).to_bitmask());
        busy += (mask != 0) as usize;
        v[k] = v_int.fast_max(min_v);
        r[k] = (r0 - dt).fast_max(zero);
        let pack = LeftPack::new(mask);
        let idx = lane_ids((k * LANES) as u32);
        // `count` never exceeds the lists' length less one vector (at most a block of lanes
        // were packed before this vector); saying so lets the four stores skip their bounds
        // checks.
        let at = count.min(BLOCK * LANES);
        store8(&mut work.idx, at, pack.i32s(idx).to_array());
        store8(&mut work.j, at, pack.f32s(j).to_array());
        store8(&mut work.v0, at, pack.f32s(v0).to_array());
        store8(&mut work.r0, at, pack.f32s(r0).to_array());
        count += mask.count_ones() as usize;
    }
    let count = count.min(BLOCK * LANES);
    for at in (0..count).step_by(LANES) {
        let idx = load8(&work.idx, at);
        let j = f32x8::from(load8(&work.j, at));
        let v0 = f32x8::from(load8(&work.v0, at));
        let r0 = f32x8::from(load8(&work.r0, at));
        // The full step of `lif_block`, lane for lane.
        let a = r0.simd_le(zero).select(a_dt, zero);
        let leaving = r0.simd_gt(zero) & r0.simd_lt(dt);
        let a = x.with_exit(c, r0, leaving, a);
        let v_int = (j - v0).mul_add(a, v0);
        let spiking = v_int.simd_gt(one);
        let (ts, r_spiked) = x.spike(c, j, v_int);
        let r1 = spiking.select(r_spiked, (r0 - dt).fast_max(zero));
        let v1 = spiking.select(zero, v_int).fast_max(min_v);
        // The new state replaces the packed start state, written back below in one loop.
        store8(&mut work.v0, at, v1.to_array());
        store8(&mut work.r0, at, r1.to_array());
        let valid = (1u32 << (count - at).min(LANES)) - 1;
        out.push_ids(
            spiking.to_bitmask() & valid,
            i32x8::from(idx) + i32x8::splat(base as i32),
            ts,
        );
    }
    let vs: &mut [f32] = bytemuck::cast_slice_mut(v);
    let rs: &mut [f32] = bytemuck::cast_slice_mut(r);
    for ((&i, &v1), &r1) in work.idx.iter().zip(&work.v0).zip(&work.r0).take(count) {
        vs[i as usize] = v1;
        rs[i as usize] = r1;
    }
    busy
}

/// A block switches the next one to the branch-free form when more than 1/`BUSY_DENSE` of
/// its vectors had a lane leaving refractoriness or spiking.
const BUSY_DENSE: usize = 4;

/// Advances the vectors `block`; returns how many of them had a lane leaving refractoriness
/// or spiking. `DENSE` evaluates the exponential and logarithm for every vector and blends
/// (no data-dependent branch: the busy-block form of the delta-synapse kernel); otherwise
/// they are skipped for vectors that do not need them (right at cortical rates, where a branch
/// that is almost never taken costs nothing). Both give the same bits.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn lif_block<const JUMP: bool, const DENSE: bool>(
    c: &LifConsts,
    x: &X8,
    current: &impl Fn(usize) -> f32x8,
    jump: &impl Fn(usize) -> f32x8,
    v: &mut [f32x8],
    r: &mut [f32x8],
    block: std::ops::Range<usize>,
    base: u32,
    out: &mut LanePush<'_>,
) -> usize {
    let (dt, a_dt, min_v) = (x.dt, x.a_dt, x.min_v);
    let (zero, one) = (f32x8::ZERO, f32x8::ONE);
    let gate = f32x8::splat(c.dt * JUMP_GATE);
    let mut busy = 0;
    for k in block {
        let j = current(k);
        let v0 = v[k];
        let r0 = r[k];
        // Common path: a = a_dt when not refractory, 0 while refractory.
        let mut a = r0.simd_le(zero).select(a_dt, zero);
        let leaving = r0.simd_gt(zero) & r0.simd_lt(dt);
        let leaving_any = leaving.any();
        if DENSE || leaving_any {
            a = x.with_exit(c, r0, leaving, a);
        }
        let v_int = (j - v0).mul_add(a, v0);
        let mut v1 = v_int;
        if JUMP {
            let accept = r0.simd_lt(gate) & v_int.simd_le(one);
            v1 = accept.select(v_int + jump(k), v_int);
        }
        let mut r1 = (r0 - dt).fast_max(zero);
        let spiking = v1.simd_gt(one);
        let spiking_any = spiking.any();
        busy += (leaving_any | spiking_any) as usize;
        if DENSE || spiking_any {
            let (ts, r_spiked) = x.spike(c, j, v_int);
            r1 = spiking.select(r_spiked, r1);
            v1 = spiking.select(zero, v1);
            let mask = x.neurons(k, spiking.to_bitmask());
            out.push(mask, base + (k * LANES) as u32, ts);
        }
        v[k] = v1.fast_max(min_v);
        r[k] = r1;
    }
    busy
}

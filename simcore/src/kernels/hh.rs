//! Hodgkin–Huxley step kernels: one step body written once against [`Real`] and instantiated
//! as the scalar reference (`f32`), the SIMD kernel (`f32x8`, bit-identical to the scalar one)
//! and the f64 reference integrator. Model and units: [`crate::neuron::hh`].
//!
//! # Integration methods ([`HhMethod`])
//! With the gates frozen, V obeys a linear ODE with constant coefficients,
//! $\dot V = -G\,(V - V_\infty) $ with $G = (\bar g_{Na}m^3h + \bar g_K n^4 + g_L)/C_m$ and
//! $V_\infty = (\bar g_{Na}m^3h\,E_{Na} + \bar g_K n^4 E_K + g_L E_L + I)/(C_m G)$; with V frozen,
//! each gate relaxes exponentially to $x_\infty = \alpha/(\alpha+\beta)$ with rate
//! $\alpha + \beta$. Both sub-flows are solved exactly (exponential / Rush–Larsen updates,
//! unconditionally stable):
//!
//! $$x \leftarrow x - (x_\infty - x)\,\mathrm{expm1}(-\Delta t(\alpha+\beta)),\qquad
//!   V \leftarrow V - (V_\infty - V)\,\mathrm{expm1}(-\Delta t\,G).$$
//!
//! - [`HhMethod::Staggered`] (default): Strang splitting, gates half a step → V a full step →
//!   gates half a step. Consecutive gate half-steps at the same V merge, so the gates live at
//!   half steps (t − Δt/2, like leapfrog) and each step costs one rate evaluation: update the
//!   gates with V at the step start, then V with the new gates. Second order in Δt. Gate values
//!   read between steps are those at t − Δt/2; initial gates are moved back by half a step
//!   with the exact gate flow at the initial V.
//! - [`HhMethod::ExponentialEuler`]: V and gates both updated from the values at the step start
//!   (Brian2's `exponential_euler`). First order.
//! - [`HhMethod::Rk4`]: classical Runge–Kutta on (V, m, h, n), four rate evaluations per step;
//!   used in f64 at a small step as the ground truth.
//!
//! Spikes: an upward crossing of `v_th` between the step's start and end, timed by linear
//! interpolation $t_s = \Delta t\,(v_{th} - V_0)/(V_1 - V_0)$, reported only when the lock-out
//! time left at the step start is ≤ t_s; a spike restarts the lock-out from t_s.

use wide::f32x8;

use crate::kernels::mathf::Real;
use crate::lanes::LANES;
use crate::neuron::hh::{HhParams, hh_rates};
use crate::spikes::Spikes;

/// Integration method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HhMethod {
    /// Second-order staggered exponential (Rush–Larsen) splitting (default).
    #[default]
    Staggered,
    /// First-order exponential Euler (Brian2's `exponential_euler`).
    ExponentialEuler,
    /// Classical fourth-order Runge–Kutta.
    Rk4,
}

/// Per-population constants in kernel units (ms, mV, conductances and currents per C_m).
#[derive(Clone, Copy, Debug)]
pub struct HhConsts<R> {
    /// Time step, ms.
    pub dt: R,
    /// −Δt, ms.
    pub neg_dt: R,
    /// ḡ_Na/C_m, 1/ms.
    pub g_na: R,
    /// ḡ_K/C_m, 1/ms.
    pub g_k: R,
    /// g_L/C_m, 1/ms.
    pub g_l: R,
    /// E_Na, mV.
    pub e_na: R,
    /// E_K, mV.
    pub e_k: R,
    /// g_L·E_L/C_m, mV/ms.
    pub gl_el: R,
    /// 1/C_m (input current to mV/ms).
    pub inv_c: R,
    /// Spike threshold, mV.
    pub v_th: R,
    /// Lock-out, ms.
    pub t_lock: R,
}

impl<R: Real> HhConsts<R> {
    /// Constants for parameters `p` and time step `dt` (s).
    pub fn new(p: &HhParams, dt: f64) -> Self {
        let s = R::splat;
        let dt_ms = dt * 1e3;
        Self {
            dt: s(dt_ms),
            neg_dt: s(-dt_ms),
            g_na: s(p.g_na / p.c_m),
            g_k: s(p.g_k / p.c_m),
            g_l: s(p.g_l / p.c_m),
            e_na: s(p.e_na),
            e_k: s(p.e_k),
            gl_el: s(p.g_l * p.e_l / p.c_m),
            inv_c: s(1.0 / p.c_m),
            v_th: s(p.v_th),
            t_lock: s(p.t_lock * 1e3),
        }
    }
}

/// Exact relaxation of a gate over `neg_dt` (negative: forward) at fixed rates.
#[inline(always)]
fn gate<R: Real>(x: R, a: R, b: R, neg_dt: R) -> R {
    let s = a + b;
    let em1 = (s * neg_dt).exp_m1();
    (x - a / s).mul_add(em1, x)
}

/// Exact V update over the step with gates frozen (`i_c`: input current / C_m).
#[inline(always)]
fn v_exact<R: Real>(c: &HhConsts<R>, v: R, m: R, h: R, n: R, i_c: R) -> R {
    let n2 = n * n;
    let gna = c.g_na * (m * m * m * h);
    let gk = c.g_k * (n2 * n2);
    let g = gna + gk + c.g_l;
    let vinf = (gna.mul_add(c.e_na, gk.mul_add(c.e_k, c.gl_el)) + i_c) / g;
    let em1 = (g * c.neg_dt).exp_m1();
    (v - vinf).mul_add(em1, v)
}

/// Right-hand side of the ODE (mV/ms, 1/ms).
#[inline(always)]
fn deriv<R: Real>(c: &HhConsts<R>, x: [R; 4], i_c: R) -> [R; 4] {
    let [v, m, h, n] = x;
    let r = hh_rates(v);
    let one = R::splat(1.0);
    let n2 = n * n;
    let i_ion =
        c.g_na * (m * m * m * h) * (v - c.e_na) + c.g_k * (n2 * n2) * (v - c.e_k) + c.g_l * v
            - c.gl_el;
    [
        i_c - i_ion,
        r.am * (one - m) - r.bm * m,
        r.ah * (one - h) - r.bh * h,
        r.an * (one - n) - r.bn * n,
    ]
}

/// One step of `method` for state `[V, m, h, n]` with input `i_c` (current / C_m, mV/ms).
#[inline(always)]
pub fn hh_step<R: Real>(c: &HhConsts<R>, method: HhMethod, x: [R; 4], i_c: R) -> [R; 4] {
    let [v, m, h, n] = x;
    match method {
        HhMethod::Staggered => {
            let r = hh_rates(v);
            let m = gate(m, r.am, r.bm, c.neg_dt);
            let h = gate(h, r.ah, r.bh, c.neg_dt);
            let n = gate(n, r.an, r.bn, c.neg_dt);
            [v_exact(c, v, m, h, n, i_c), m, h, n]
        }
        HhMethod::ExponentialEuler => {
            let r = hh_rates(v);
            let v1 = v_exact(c, v, m, h, n, i_c);
            [
                v1,
                gate(m, r.am, r.bm, c.neg_dt),
                gate(h, r.ah, r.bh, c.neg_dt),
                gate(n, r.an, r.bn, c.neg_dt),
            ]
        }
        HhMethod::Rk4 => {
            let dt = c.dt;
            let half = dt * R::splat(0.5);
            let add = |x: [R; 4], k: [R; 4], s: R| std::array::from_fn(|j| k[j].mul_add(s, x[j]));
            let k1 = deriv(c, x, i_c);
            let k2 = deriv(c, add(x, k1, half), i_c);
            let k3 = deriv(c, add(x, k2, half), i_c);
            let k4 = deriv(c, add(x, k3, dt), i_c);
            let sixth = dt * R::splat(1.0 / 6.0);
            let two = R::splat(2.0);
            std::array::from_fn(|j| (k1[j] + two * (k2[j] + k3[j]) + k4[j]).mul_add(sixth, x[j]))
        }
    }
}

/// Moves gates from time t to t − Δt/2 with the exact gate flow at fixed `v` (f64), as the
/// staggered method stores them.
pub fn hh_gates_half_step_back(v: f64, dt: f64, gates: [f64; 3]) -> [f64; 3] {
    let r = hh_rates(v);
    let back = 0.5 * dt * 1e3;
    [
        gate(gates[0], r.am, r.bm, back),
        gate(gates[1], r.ah, r.bh, back),
        gate(gates[2], r.an, r.bn, back),
    ]
}

/// Mutable state of a run of neurons: V (mV), gates, lock-out left (ms).
#[derive(Debug)]
pub struct HhState<'a, T> {
    /// Membrane potential, mV.
    pub v: &'a mut [T],
    /// Sodium activation m.
    pub m: &'a mut [T],
    /// Sodium inactivation h.
    pub h: &'a mut [T],
    /// Potassium activation n.
    pub n: &'a mut [T],
    /// Lock-out time left at the step start, ms.
    pub lock: &'a mut [T],
}

/// Scalar reference: one step for every neuron of `s` with current `bias[i] + input[i]`;
/// spikes appended with ids offset by `base` and in-step times in seconds.
pub fn hh_step_scalar(
    c: &HhConsts<f32>,
    method: HhMethod,
    bias: &[f32],
    input: &[f32],
    s: HhState<'_, f32>,
    base: u32,
    spikes: &mut Spikes,
) {
    let n = s.v.len();
    assert!(bias.len() == n && input.len() == n && s.m.len() == n && s.h.len() == n);
    assert!(s.n.len() == n && s.lock.len() == n);
    for i in 0..n {
        let v0 = s.v[i];
        let i_c = (bias[i] + input[i]) * c.inv_c;
        let [v1, m1, h1, n1] = hh_step(c, method, [v0, s.m[i], s.h[i], s.n[i]], i_c);
        let r0 = s.lock[i];
        let mut r1 = (r0 - c.dt).max(0.0);
        if v0 <= c.v_th && v1 > c.v_th {
            let ts = c.dt * (c.v_th - v0) / (v1 - v0);
            if r0 <= ts {
                spikes.push(base + i as u32, ts * 1e-3);
                r1 = (c.t_lock - (c.dt - ts)).max(0.0);
            }
        }
        (s.v[i], s.m[i], s.h[i], s.n[i], s.lock[i]) = (v1, m1, h1, n1, r1);
    }
}

/// SIMD kernel: the same step as [`hh_step_scalar`] over whole vectors; `n_valid` real neurons.
#[allow(clippy::too_many_arguments)]
pub fn hh_step_simd(
    c: &HhConsts<f32x8>,
    method: HhMethod,
    bias: &[f32x8],
    input: &[f32x8],
    s: HhState<'_, f32x8>,
    base: u32,
    n_valid: usize,
    spikes: &mut Spikes,
) {
    match method {
        HhMethod::Staggered => hh_lanes(
            c,
            HhMethod::Staggered,
            bias,
            input,
            s,
            base,
            n_valid,
            spikes,
        ),
        HhMethod::ExponentialEuler => hh_lanes(
            c,
            HhMethod::ExponentialEuler,
            bias,
            input,
            s,
            base,
            n_valid,
            spikes,
        ),
        HhMethod::Rk4 => hh_lanes(c, HhMethod::Rk4, bias, input, s, base, n_valid, spikes),
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn hh_lanes(
    c: &HhConsts<f32x8>,
    method: HhMethod,
    bias: &[f32x8],
    input: &[f32x8],
    s: HhState<'_, f32x8>,
    base: u32,
    n_valid: usize,
    spikes: &mut Spikes,
) {
    let n = s.v.len();
    assert!(bias.len() == n && input.len() == n && s.m.len() == n && s.h.len() == n);
    assert!(s.n.len() == n && s.lock.len() == n);
    let zero = f32x8::ZERO;
    for k in 0..n {
        let v0 = s.v[k];
        let i_c = (bias[k] + input[k]) * c.inv_c;
        let [v1, m1, h1, n1] = hh_step(c, method, [v0, s.m[k], s.h[k], s.n[k]], i_c);
        let r0 = s.lock[k];
        let mut r1 = (r0 - c.dt).fast_max(zero);
        let cross = v0.simd_le(c.v_th) & v1.simd_gt(c.v_th);
        if cross.any() {
            let ts = c.dt * (c.v_th - v0) / (v1 - v0);
            let ok = cross & r0.simd_le(ts);
            r1 = ok.select((c.t_lock - (c.dt - ts)).fast_max(zero), r1);
            let mut bits = ok.to_bitmask();
            let ts = ts.to_array();
            while bits != 0 {
                let lane = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let i = k * LANES + lane;
                if i < n_valid {
                    spikes.push(base + i as u32, ts[lane] * 1e-3);
                }
            }
        }
        (s.v[k], s.m[k], s.h[k], s.n[k], s.lock[k]) = (v1, m1, h1, n1, r1);
    }
}

//! Conductance-based LIF step kernels (scalar reference and f32x8), for the model and scheme
//! documented in [`crate::neuron::lif_coba`]. Both use [`crate::kernels::mathf`] and the same
//! fused multiply-adds in the same order, so they agree bit for bit (spike times included).

use wide::f32x8;

use crate::kernels::mathf::{exp_m1, exp_m1_x8, ln, ln_x8};
use crate::lanes::LANES;
use crate::neuron::lif_coba::LifCobaParams;
use crate::spikes::Spikes;

/// Per-population constants of the COBA step (kernel units: ms, mV, nS, pF, pA).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CobaConsts {
    /// Time step, ms.
    pub dt: f32,
    /// −1/C_m, 1/pF.
    pub neg_inv_c: f32,
    /// C_m, pF.
    pub c_m: f32,
    /// g_L, nS.
    pub g_l: f32,
    /// g_L·E_L, pA.
    pub gl_el: f32,
    /// E_e, mV.
    pub e_e: f32,
    /// E_i, mV.
    pub e_i: f32,
    /// V_th, mV.
    pub v_th: f32,
    /// V_reset, mV.
    pub v_reset: f32,
    /// t_ref, ms.
    pub t_ref: f32,
}

impl CobaConsts {
    /// Constants for parameters `p` and time step `dt` (s).
    pub fn new(p: &LifCobaParams, dt: f64) -> Self {
        Self {
            dt: (dt * 1e3) as f32,
            neg_inv_c: (-1.0 / p.c_m) as f32,
            c_m: p.c_m as f32,
            g_l: p.g_l as f32,
            gl_el: (p.g_l * p.e_l) as f32,
            e_e: p.e_e as f32,
            e_i: p.e_i as f32,
            v_th: p.v_th as f32,
            v_reset: p.v_reset as f32,
            t_ref: (p.t_ref * 1e3) as f32,
        }
    }
}

/// Per-neuron inputs of one step: constant current, held input current (pA), and the step
/// averages of the excitatory and inhibitory conductances (nS).
#[derive(Clone, Copy, Debug)]
pub struct CobaInputs<'a, T> {
    /// Constant current I_e, pA.
    pub bias: &'a [T],
    /// Input current held over the step, pA.
    pub current: &'a [T],
    /// Step-average excitatory conductance, nS.
    pub g_e: &'a [T],
    /// Step-average inhibitory conductance, nS.
    pub g_i: &'a [T],
}

/// Scalar reference: advances `v` (mV) and `r` (refractory time left, ms) by one step and
/// appends spikes (ids offset by `base`, in-step times in seconds).
pub fn coba_step_scalar(
    c: &CobaConsts,
    x: CobaInputs<'_, f32>,
    v: &mut [f32],
    r: &mut [f32],
    base: u32,
    spikes: &mut Spikes,
) {
    let n = v.len();
    assert!(r.len() == n && x.bias.len() == n && x.current.len() == n);
    assert!(x.g_e.len() == n && x.g_i.len() == n);
    for i in 0..n {
        let (ge, gi) = (x.g_e[i], x.g_i[i]);
        let g = c.g_l + ge + gi;
        let num = gi.mul_add(c.e_i, ge.mul_add(c.e_e, c.gl_el)) + (x.bias[i] + x.current[i]);
        let vinf = num / g;
        let (v0, r0) = (v[i], r[i]);
        let dte = (c.dt - r0).max(0.0).min(c.dt);
        let a = -exp_m1((dte * g) * c.neg_inv_c);
        let mut v1 = (vinf - v0).mul_add(a, v0);
        let mut r1 = (r0 - c.dt).max(0.0);
        if v1 > c.v_th {
            let ts = (c.c_m / g).mul_add(ln((v0 - vinf) / (c.v_th - vinf)), c.dt - dte);
            let ts = ts.max(0.0).min(c.dt);
            spikes.push(base + i as u32, ts * 1e-3);
            v1 = c.v_reset;
            r1 = (c.t_ref + ts - c.dt).max(0.0);
        }
        v[i] = v1;
        r[i] = r1;
    }
}

/// SIMD kernel: the same step as [`coba_step_scalar`] over whole vectors; `n_valid` real
/// neurons (padding lanes never report spikes).
pub fn coba_step_simd(
    c: &CobaConsts,
    x: CobaInputs<'_, f32x8>,
    v: &mut [f32x8],
    r: &mut [f32x8],
    base: u32,
    n_valid: usize,
    spikes: &mut Spikes,
) {
    let n = v.len();
    assert!(r.len() == n && x.bias.len() == n && x.current.len() == n);
    assert!(x.g_e.len() == n && x.g_i.len() == n);
    let s = f32x8::splat;
    let (dt, zero) = (s(c.dt), f32x8::ZERO);
    for k in 0..n {
        let (ge, gi) = (x.g_e[k], x.g_i[k]);
        let g = s(c.g_l) + ge + gi;
        let num =
            gi.mul_add(s(c.e_i), ge.mul_add(s(c.e_e), s(c.gl_el))) + (x.bias[k] + x.current[k]);
        let vinf = num / g;
        let (v0, r0) = (v[k], r[k]);
        let dte = (dt - r0).fast_max(zero).fast_min(dt);
        let a = -exp_m1_x8((dte * g) * s(c.neg_inv_c));
        let mut v1 = (vinf - v0).mul_add(a, v0);
        let mut r1 = (r0 - dt).fast_max(zero);
        let spiking = v1.simd_gt(s(c.v_th));
        if spiking.any() {
            let ts = (s(c.c_m) / g).mul_add(ln_x8((v0 - vinf) / (s(c.v_th) - vinf)), dt - dte);
            let ts = ts.fast_max(zero).fast_min(dt);
            v1 = spiking.select(s(c.v_reset), v1);
            r1 = spiking.select((s(c.t_ref) + ts - dt).fast_max(zero), r1);
            let mut bits = spiking.to_bitmask();
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
        v[k] = v1;
        r[k] = r1;
    }
}

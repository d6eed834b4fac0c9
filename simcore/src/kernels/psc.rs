//! PSC filter step kernels: a scalar reference and an f32x8 SIMD kernel.
//!
//! Each target neuron holds the n + 1 stages of the cascade (see [`crate::synapse`]). One step,
//! with `u` this step's input:
//!
//! $$y = D\,u + \sum_i C_i x_i,\qquad \text{out} \mathrel{+}= y,\qquad
//!   x_j \leftarrow B_j u + \sum_{i\le j}\Phi_{j-i}\,x_i\quad(j = n, n-1, \dots, 0).$$
//!
//! State layout: stage j of neuron `i` lives at `state[(i/8)·S + j]`, lane `i % 8` (stages of
//! one SIMD vector of neurons are adjacent, so a work chunk is one contiguous run). Scalar and
//! SIMD kernels perform the same fused multiply-adds in the same order, so they agree bit for
//! bit.

use wide::f32x8;

use crate::lanes::LANES;
use crate::synapse::{MAX_ORDER, PscCoeffs};

/// Largest number of stages.
pub const MAX_STAGES: usize = MAX_ORDER as usize + 1;

/// f32 step coefficients of one filter (see [`PscCoeffs`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PscConsts {
    /// Number of stages S = n + 1 (0 for delta).
    pub stages: usize,
    /// Sub-diagonals of Φ (first `stages` used).
    pub phi: [f32; MAX_STAGES],
    /// Input-to-state coefficients.
    pub b: [f32; MAX_STAGES],
    /// State-to-output coefficients.
    pub c: [f32; MAX_STAGES],
    /// Pass-through coefficient.
    pub d: f32,
}

impl PscConsts {
    /// Rounds f64 coefficients to f32.
    pub fn new(k: &PscCoeffs) -> Self {
        let s = k.phi.len();
        assert!(s <= MAX_STAGES && k.b.len() == s && k.c.len() == s);
        let mut c = Self {
            stages: s,
            phi: [0.0; MAX_STAGES],
            b: [0.0; MAX_STAGES],
            c: [0.0; MAX_STAGES],
            d: k.d as f32,
        };
        for j in 0..s {
            c.phi[j] = k.phi[j] as f32;
            c.b[j] = k.b[j] as f32;
            c.c[j] = k.c[j] as f32;
        }
        c
    }
}

/// Scalar reference: one step for the first `input.len()` neurons of a chunk whose state uses
/// the layout above (`state.len() ≥ ceil(n/8)·S·8`); adds each neuron's output into `out`.
pub fn psc_step_scalar(c: &PscConsts, input: &[f32], state: &mut [f32], out: &mut [f32]) {
    let s = c.stages;
    assert!(out.len() == input.len() && state.len() >= input.len().div_ceil(LANES) * s * LANES);
    for (i, (&u, o)) in input.iter().zip(out.iter_mut()).enumerate() {
        let at = |j: usize| ((i / LANES) * s + j) * LANES + i % LANES;
        let mut y = c.d * u;
        for j in 0..s {
            y = c.c[j].mul_add(state[at(j)], y);
        }
        *o += y;
        for j in (0..s).rev() {
            let mut acc = c.b[j] * u;
            for m in 0..=j {
                acc = c.phi[j - m].mul_add(state[at(m)], acc);
            }
            state[at(j)] = acc;
        }
    }
}

/// SIMD kernel: the same step as [`psc_step_scalar`] over whole vectors
/// (`state.len() == input.len()·S`).
pub fn psc_step_simd(c: &PscConsts, input: &[f32x8], state: &mut [f32x8], out: &mut [f32x8]) {
    assert!(out.len() == input.len() && state.len() == input.len() * c.stages);
    macro_rules! dispatch {
        ($($s:literal)*) => {
            match c.stages {
                $($s => psc_lanes::<$s>(c, input, state, out),)*
                _ => unreachable!("at most {MAX_STAGES} stages"),
            }
        };
    }
    dispatch!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
}

#[inline(always)]
fn psc_lanes<const S: usize>(
    c: &PscConsts,
    input: &[f32x8],
    state: &mut [f32x8],
    out: &mut [f32x8],
) {
    let phi: [f32x8; S] = std::array::from_fn(|m| f32x8::splat(c.phi[m]));
    let b: [f32x8; S] = std::array::from_fn(|m| f32x8::splat(c.b[m]));
    let cc: [f32x8; S] = std::array::from_fn(|m| f32x8::splat(c.c[m]));
    let d = f32x8::splat(c.d);
    for (k, (&u, o)) in input.iter().zip(out.iter_mut()).enumerate() {
        let x = &mut state[k * S..k * S + S];
        let mut y = d * u;
        for j in 0..S {
            y = cc[j].mul_add(x[j], y);
        }
        *o += y;
        for j in (0..S).rev() {
            let mut acc = b[j] * u;
            for m in 0..=j {
                acc = phi[j - m].mul_add(x[m], acc);
            }
            x[j] = acc;
        }
    }
}

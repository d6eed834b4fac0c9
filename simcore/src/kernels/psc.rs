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
    psc_dispatch(c, Input::Read(input), state, out);
}

/// [`psc_step_simd`] that also zeroes `input` as it reads it, in the same pass (spike delivery
/// empties the delay slot it filters).
pub fn psc_take_simd(c: &PscConsts, input: &mut [f32x8], state: &mut [f32x8], out: &mut [f32x8]) {
    psc_dispatch(c, Input::Take(input), state, out);
}

/// The input of a step: read, or read and zeroed.
enum Input<'a> {
    Read(&'a [f32x8]),
    Take(&'a mut [f32x8]),
}

fn psc_dispatch(c: &PscConsts, input: Input<'_>, state: &mut [f32x8], out: &mut [f32x8]) {
    let n = match &input {
        Input::Read(u) => u.len(),
        Input::Take(u) => u.len(),
    };
    assert!(out.len() == n && state.len() == n * c.stages);
    macro_rules! dispatch {
        ($($s:literal)*) => {
            match (c.stages, input) {
                $(
                    ($s, Input::Read(u)) => psc_lanes::<$s>(c, |k| u[k], state, out),
                    ($s, Input::Take(u)) => {
                        psc_lanes::<$s>(c, |k| std::mem::take(&mut u[k]), state, out)
                    }
                )*
                _ => unreachable!("at most {MAX_STAGES} stages"),
            }
        };
    }
    dispatch!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
}

/// The step of `out.len()` vectors, input `k` given by `input(k)` (called once each, in order).
#[inline(always)]
fn psc_lanes<const S: usize>(
    c: &PscConsts,
    mut input: impl FnMut(usize) -> f32x8,
    state: &mut [f32x8],
    out: &mut [f32x8],
) {
    let phi: [f32x8; S] = std::array::from_fn(|m| f32x8::splat(c.phi[m]));
    let b: [f32x8; S] = std::array::from_fn(|m| f32x8::splat(c.b[m]));
    let cc: [f32x8; S] = std::array::from_fn(|m| f32x8::splat(c.c[m]));
    let d = f32x8::splat(c.d);
    for (k, o) in out.iter_mut().enumerate() {
        let u = input(k);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synapse::{Discretisation, PscCoeffs, PscShape};

    /// Taking the input gives the step's bits, for delta, exponential and higher-order
    /// kernels, and leaves the input zero.
    #[test]
    fn taking_the_input_is_the_step_and_empties_it() {
        for shape in [
            PscShape::Delta,
            PscShape::exponential(5e-3),
            PscShape::alpha(2e-3),
            PscShape::Gamma {
                order: 4,
                tau: 1e-3,
            },
        ] {
            let c = PscConsts::new(&PscCoeffs::new(shape, Discretisation::Held, 1e-4));
            let n = 13;
            let input: Vec<f32x8> = (0..n)
                .map(|k| {
                    f32x8::from(std::array::from_fn::<f32, 8, _>(|l| {
                        (k * 8 + l) as f32 * 0.37 - 9.0
                    }))
                })
                .collect();
            let state0: Vec<f32x8> = (0..n * c.stages)
                .map(|k| f32x8::splat(k as f32 * 0.01 - 0.2))
                .collect();
            let (mut s1, mut o1) = (state0.clone(), vec![f32x8::splat(0.5); n]);
            psc_step_simd(&c, &input, &mut s1, &mut o1);
            let (mut s2, mut o2, mut taken) = (state0, vec![f32x8::splat(0.5); n], input);
            psc_take_simd(&c, &mut taken, &mut s2, &mut o2);
            let bits = |v: &[f32x8]| -> Vec<u32> {
                v.iter()
                    .flat_map(|x| x.to_array())
                    .map(f32::to_bits)
                    .collect()
            };
            assert_eq!(bits(&o1), bits(&o2), "{shape:?}");
            assert_eq!(bits(&s1), bits(&s2), "{shape:?}");
            assert!(taken.iter().all(|x| x.to_array() == [0.0; 8]), "{shape:?}");
        }
    }
}

//! Post-synaptic current (PSC) filters and the conductance synapses built on them.
//!
//! # Kernels
//! A spike train is a sum of unit-area deltas; a synapse filters it by convolution with the
//! kernel
//!
//! $$s_n(t) = \frac{t^n e^{-t/\tau}}{n!\,\tau^{n+1}}\quad (t \ge 0),\qquad \int_0^\infty s_n = 1,$$
//!
//! (n = 0 exponential, n = 1 alpha, any n ≥ 0), or by no kernel at all (delta). `s_n` is the
//! impulse response of $(1+s\tau)^{-(n+1)}$, i.e. of a cascade of n + 1 identical first-order
//! low-pass stages $\tau\dot x_0 = -x_0 + u$, $\tau\dot x_j = -x_j + x_{j-1}$, output $x_n$.
//! Filters are linear, so they act on each target's *summed* input: a step costs
//! O(targets·(n+1)), never O(synapses).
//!
//! # Exact discretisation
//! Over a step of length h with no new input, the cascade evolves exactly as
//! $x_j(t+h) = \sum_{i\le j}\Phi_{j-i}\,x_i(t)$ with $\Phi_m = e^{-h/\tau}(h/\tau)^m/m!$
//! (a lower-triangular Toeplitz matrix: every stage is updated with exact decay factors).
//! With $P(a, x)$ the regularised lower incomplete gamma function, the contributions of one
//! step's input `u` follow in closed form ([`PscCoeffs`] computes them in f64):
//!
//! | discretisation | input `u` of a step | state update `x ← Φx + B·u` | output of the step `y = C·x + D·u` |
//! |---|---|---|---|
//! | [`Discretisation::Impulse`] (default) | impulse area at the step start (spike weights) | $B_j = \Phi_j/\tau$ | step average: $C_i = \frac{\tau}{h}P(n-i+1, h/\tau)$, $D = P(n+1,h/\tau)/h$ |
//! | [`Discretisation::Held`] | value held over the step (currents, node outputs) | $B_j = P(j+1, h/\tau)$ | step average: same $C$, $D = \frac{\tau}{h}\int_0^{h/\tau}P(n+1,y)\,dy$ |
//! | [`Discretisation::Nengo`] | value held over the step (Nengo spikes are 1/Δt high) | $B_j = P(j+1, h/\tau)$ | end-of-step sample of the new state: $y = x_n$ |
//!
//! The first two hand the neuron the **exact average of the continuous response over the
//! step**: a unit impulse yields step outputs summing to exactly 1/h (charge conserved whatever
//! Δt; sampling $s_n$ instead would not be: τ = 5 ms, Δt = 1 ms gives 1.10), and a neuron whose
//! own update is exact for piecewise-constant input (the LIF kernel) stays exact. Nothing depends
//! on Δt beyond where the step boundaries fall.
//!
//! The Nengo convention is the zero-order-hold discretisation (`cont2discrete(..., "zoh")`) of
//! the same transfer function, with the output read after the update (Nengo 4's `LinearFilter`
//! `NoD`/`OneX` steps): for n = 0 it is exactly Nengo's `Lowpass`,
//! $y \leftarrow a\,y + (1-a)\,u$ with $a = e^{-\Delta t/\tau}$, and for n = 1 Nengo's `Alpha`.
//! How it differs from [`Discretisation::Impulse`]: a spike is spread as a box of height 1/Δt
//! over its step instead of arriving at the step start, and the output is a sample at the step
//! end instead of the step average, so the response lags by about Δt/2 and its first step sees
//! only $1-a$ of the jump. Both conserve charge (Σ y·Δt = 1); the Nengo form converges to the
//! continuous kernel at first order in Δt, the exact form reproduces it at every Δt. Nengo's
//! "one step of delay per synapse" arises from when the input is read: a filter fed in phase 1
//! of the step schedule with the spikes observed at the end of the previous step delays them by
//! exactly one step.

mod coeffs;
mod filter;

pub use coeffs::{Discretisation, MAX_ORDER, PscCoeffs, PscShape, gamma_p, gamma_p_integral};
pub use filter::PscFilter;

//! PSC kernel shapes and the f64 coefficients of their exact discretisation (see the module
//! docs of [`crate::synapse`] for the equations).

use crate::SimError;

/// Largest supported kernel order n (the cascade has n + 1 stages).
pub const MAX_ORDER: u32 = 15;

/// Shape of a post-synaptic kernel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PscShape {
    /// No filtering: a spike of weight w is a delta of area w.
    Delta,
    /// $s_n(t) = t^n e^{-t/\tau} / (n!\,\tau^{n+1})$: `order` n (0 exponential, 1 alpha),
    /// time constant `tau` in seconds.
    Gamma {
        /// Order n ≥ 0 (at most [`MAX_ORDER`]).
        order: u32,
        /// Time constant τ, seconds.
        tau: f64,
    },
}

impl PscShape {
    /// Exponential kernel $e^{-t/\tau}/\tau$ (n = 0).
    pub fn exponential(tau: f64) -> Self {
        Self::Gamma { order: 0, tau }
    }

    /// Alpha kernel $t\,e^{-t/\tau}/\tau^2$ (n = 1).
    pub fn alpha(tau: f64) -> Self {
        Self::Gamma { order: 1, tau }
    }

    /// Number of first-order stages in the cascade (0 for delta).
    pub fn stages(&self) -> usize {
        match self {
            Self::Delta => 0,
            Self::Gamma { order, .. } => *order as usize + 1,
        }
    }

    /// Checks order and time constant; `object` names the owner in the error.
    pub fn validate(&self, object: &str) -> Result<(), SimError> {
        if let Self::Gamma { order, tau } = *self {
            if order > MAX_ORDER {
                return Err(SimError::Param {
                    object: object.to_string(),
                    key: "order",
                    value: order.to_string(),
                    msg: format!("kernel order must be at most {MAX_ORDER}"),
                });
            }
            if !(tau > 0.0 && tau.is_finite()) {
                return Err(SimError::Param {
                    object: object.to_string(),
                    key: "tau",
                    value: tau.to_string(),
                    msg: "must be a positive, finite time (use a delta synapse for none)".into(),
                });
            }
        }
        Ok(())
    }

    /// The continuous kernel $s_n(t)$ (1/s); zero for t < 0; `None` for delta.
    pub fn kernel(&self, t: f64) -> Option<f64> {
        match *self {
            Self::Delta => None,
            Self::Gamma { order, tau } => Some(if t < 0.0 {
                0.0
            } else {
                let x = t / tau;
                poisson_term(order, x) / tau
            }),
        }
    }

    /// Peak value of the kernel, $n^n e^{-n}/(n!\,\tau)$ at $t = n\tau$ (1/s); `None` for delta.
    pub fn peak(&self) -> Option<f64> {
        match *self {
            Self::Delta => None,
            Self::Gamma { order, tau } => Some(poisson_term(order, f64::from(order)) / tau),
        }
    }

    /// Exact integral of the kernel from 0 to t (the response to a unit step of input at 0),
    /// $P(n+1, t/\tau)$; `None` for delta.
    pub fn integral(&self, t: f64) -> Option<f64> {
        match *self {
            Self::Delta => None,
            Self::Gamma { order, tau } => Some(if t <= 0.0 {
                0.0
            } else {
                gamma_p(order + 1, t / tau)
            }),
        }
    }
}

/// How a filter reads its per-step input and what output it hands on (see [`crate::synapse`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Discretisation {
    /// Input: impulse areas arriving at the step start (spike weights). Output: exact average of
    /// the continuous response over the step.
    #[default]
    Impulse,
    /// Input: a value held constant over the step. Output: exact step average.
    Held,
    /// Nengo's zero-order hold: input held over the step, output sampled at the step end
    /// (`y ← a·y + (1−a)·u` for n = 0).
    Nengo,
}

/// $e^{-x} x^m / m!$, computed without overflow for moderate m.
fn poisson_term(m: u32, x: f64) -> f64 {
    let mut t = (-x).exp();
    for k in 1..=m {
        t *= x / f64::from(k);
    }
    t
}

/// Regularised lower incomplete gamma function $P(a, x)$ for integer `a ≥ 1`:
/// $P(a, x) = 1 - e^{-x}\sum_{k<a} x^k/k! = e^{-x}\sum_{k\ge a} x^k/k!$, the probability that a
/// Poisson variable of mean x is at least a. The tail series is used for $x < a + 1$ (no
/// cancellation for small x), the complement otherwise.
pub fn gamma_p(a: u32, x: f64) -> f64 {
    assert!(a >= 1, "gamma_p needs a ≥ 1");
    if x <= 0.0 {
        return 0.0;
    }
    if x < f64::from(a) + 1.0 {
        let mut t = poisson_term(a, x);
        let mut sum = t;
        let mut k = a;
        loop {
            k += 1;
            t *= x / f64::from(k);
            sum += t;
            if t <= sum * 1e-17 {
                return sum;
            }
        }
    } else {
        let mut t = (-x).exp();
        let mut q = t;
        for k in 1..a {
            t *= x / f64::from(k);
            q += t;
        }
        1.0 - q
    }
}

/// $\int_0^x P(a, y)\,dy$ for integer `a ≥ 1`: the series
/// $e^{-x}\sum_{m > a}(m-a)\,x^m/m!$ for $x < a + 1$, otherwise $x\,P(a,x) - a\,P(a+1,x)$.
pub fn gamma_p_integral(a: u32, x: f64) -> f64 {
    assert!(a >= 1, "gamma_p_integral needs a ≥ 1");
    if x <= 0.0 {
        return 0.0;
    }
    if x < f64::from(a) + 1.0 {
        let mut t = poisson_term(a, x);
        let mut sum = 0.0;
        let mut m = a;
        loop {
            m += 1;
            t *= x / f64::from(m);
            let term = f64::from(m - a) * t;
            sum += term;
            if term <= sum * 1e-17 {
                return sum;
            }
        }
    } else {
        x * gamma_p(a, x) - f64::from(a) * gamma_p(a + 1, x)
    }
}

/// Coefficients of one filter step, `y = C·x + D·u` then `x ← Φ·x + B·u`, in f64.
/// `phi[m]` is the m-th sub-diagonal of the Toeplitz matrix Φ.
#[derive(Clone, Debug, PartialEq)]
pub struct PscCoeffs {
    /// Sub-diagonals of the state transition matrix, length n + 1.
    pub phi: Vec<f64>,
    /// Input-to-state vector, length n + 1.
    pub b: Vec<f64>,
    /// State-to-output vector, length n + 1.
    pub c: Vec<f64>,
    /// Input-to-output (pass-through) coefficient.
    pub d: f64,
}

impl PscCoeffs {
    /// Coefficients of `shape` under `disc` for time step `dt` (s). The shape must be valid.
    pub fn new(shape: PscShape, disc: Discretisation, dt: f64) -> Self {
        let (n, tau) = match shape {
            PscShape::Delta => {
                let d = match disc {
                    Discretisation::Impulse => 1.0 / dt,
                    Discretisation::Held | Discretisation::Nengo => 1.0,
                };
                return Self {
                    phi: vec![],
                    b: vec![],
                    c: vec![],
                    d,
                };
            }
            PscShape::Gamma { order, tau } => (order, tau),
        };
        let x = dt / tau;
        let s = n as usize + 1;
        let phi: Vec<f64> = (0..s as u32).map(|m| poisson_term(m, x)).collect();
        let held_b: Vec<f64> = (0..s as u32).map(|j| gamma_p(j + 1, x)).collect();
        // Step average of stage i's free response at stage n: (τ/h)·P(n − i + 1, h/τ).
        let avg_c: Vec<f64> = (0..s as u32)
            .map(|i| tau / dt * gamma_p(n - i + 1, x))
            .collect();
        match disc {
            Discretisation::Impulse => Self {
                b: phi.iter().map(|p| p / tau).collect(),
                d: gamma_p(n + 1, x) / dt,
                c: avg_c,
                phi,
            },
            Discretisation::Held => Self {
                b: held_b,
                d: tau / dt * gamma_p_integral(n + 1, x),
                c: avg_c,
                phi,
            },
            Discretisation::Nengo => {
                // y = x_n after the update = Σ_i Φ_{n−i} x_i + B_n u.
                let c = (0..s).map(|i| phi[s - 1 - i]).collect();
                Self {
                    d: held_b[s - 1],
                    b: held_b,
                    c,
                    phi,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P(a, x) by brute-force numerical integration of the gamma density (Simpson).
    fn gamma_p_quad(a: u32, x: f64) -> f64 {
        let m = 20_000;
        let h = x / m as f64;
        let f = |y: f64| poisson_term(a - 1, y);
        let mut s = f(0.0) + f(x);
        for k in 1..m {
            s += f(k as f64 * h) * if k % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0
    }

    #[test]
    fn gamma_p_matches_quadrature_on_both_branches() {
        for a in [1, 2, 3, 6, 16] {
            for x in [1e-3, 0.05, 0.9, 2.5, 7.0, 30.0] {
                let (p, q) = (gamma_p(a, x), gamma_p_quad(a, x));
                assert!(
                    (p - q).abs() <= 1e-10 * q.max(1e-300) + 1e-14,
                    "a={a} x={x}: {p} vs {q}"
                );
            }
        }
        // Small-x relative accuracy: P(a, x) ≈ x^a/a! (1 − a x/(a+1)).
        let x = 1e-4;
        assert!((gamma_p(3, x) / (x * x * x / 6.0 * (1.0 - 0.75 * x)) - 1.0).abs() < 1e-8);
    }

    #[test]
    fn gamma_p_integral_matches_quadrature_and_closed_form() {
        for a in [1, 2, 5] {
            for x in [1e-3, 0.5, 3.0, 9.0, 40.0] {
                let m = 4000;
                let h = x / m as f64;
                let mut s = gamma_p(a, 0.0) + gamma_p(a, x);
                for k in 1..m {
                    s += gamma_p(a, k as f64 * h) * if k % 2 == 1 { 4.0 } else { 2.0 };
                }
                let q = s * h / 3.0;
                let v = gamma_p_integral(a, x);
                assert!((v - q).abs() <= 1e-9 * q + 1e-15, "a={a} x={x}: {v} vs {q}");
            }
        }
        // a = 1: ∫(1 − e^{−y}) = x − 1 + e^{−x}.
        let x: f64 = 0.3;
        assert!((gamma_p_integral(1, x) - (x - 1.0 + (-x).exp())).abs() < 1e-15);
    }

    #[test]
    fn nengo_lowpass_coefficients_are_zoh() {
        let (dt, tau) = (1e-3, 0.005);
        let c = PscCoeffs::new(PscShape::exponential(tau), Discretisation::Nengo, dt);
        let a = (-dt / tau).exp();
        assert!((c.phi[0] - a).abs() < 1e-15);
        assert!((c.b[0] - (1.0 - a)).abs() < 1e-15);
        assert_eq!((c.c[0], c.d), (c.phi[0], c.b[0]));
    }

    #[test]
    fn shape_checks_reject_bad_parameters() {
        assert!(PscShape::exponential(0.0).validate("s").is_err());
        assert!(PscShape::alpha(f64::NAN).validate("s").is_err());
        let e = PscShape::Gamma {
            order: 16,
            tau: 1.0,
        }
        .validate("syn")
        .unwrap_err();
        assert!(e.to_string().contains("syn") && e.to_string().contains("order"));
        assert!(PscShape::Delta.validate("s").is_ok());
    }

    #[test]
    fn peak_is_the_kernel_maximum() {
        for n in [0, 1, 2, 5] {
            let s = PscShape::Gamma {
                order: n,
                tau: 0.01,
            };
            let p = s.peak().unwrap();
            let t_peak = f64::from(n) * 0.01;
            assert!((s.kernel(t_peak).unwrap() - p).abs() < 1e-12 * p);
            assert!(s.kernel(t_peak + 1e-4).unwrap() < p);
        }
    }
}

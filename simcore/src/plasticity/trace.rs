//! Event-driven exponential traces: values changed only at events, decayed analytically.
//!
//! A trace $x(t) = \sum_{t_a \le t} e^{-(t - t_a)/\tau}$ is stored relative to an epoch
//! $T_0$ shared by all traces of a set: $S = x(t_u)\,e^{(t_u - T_0)/\tau}$, so that at any
//! later time $x(t) = S\,g(t)$ with one factor $g(t) = e^{-(t - T_0)/\tau}$ for the whole set.
//! Reading a trace then costs one multiplication, and an event at `t` adds `a/g(t)` to `S`. To
//! keep `S` bounded the epoch moves forward (every stored value multiplied by `g`) once
//! `t − T₀` exceeds [`REBASE_TAUS`]·τ, O(n) every few tens of τ. Times must not go backwards.

/// Largest `(t − T₀)/τ` before the epoch moves (e²⁰ ≈ 5·10⁸ keeps f64 values well scaled).
pub const REBASE_TAUS: f64 = 20.0;

/// A time on the step grid: step index and offset within the step (s, `0 < offset ≤ Δt`).
///
/// Differences are formed as `Δsteps·Δt + Δoffset`, never from absolute times, so they keep
/// their precision however long the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EventTime {
    /// Step index.
    pub step: u64,
    /// Offset from the step's start, seconds.
    pub offset: f32,
}

impl EventTime {
    /// `self − earlier`, seconds, for time step `dt`.
    #[inline]
    pub fn since(self, earlier: EventTime, dt: f64) -> f64 {
        (self.step as i64 - earlier.step as i64) as f64 * dt
            + (f64::from(self.offset) - f64::from(earlier.offset))
    }
}

/// A set of traces with one time constant and a shared epoch (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Traces {
    tau: f64,
    epoch: EventTime,
    scaled: Vec<f64>,
}

impl Traces {
    /// `n` traces at zero with time constant `tau` (s).
    pub fn new(n: usize, tau: f64) -> Self {
        Self {
            tau,
            epoch: EventTime {
                step: 0,
                offset: 0.0,
            },
            scaled: vec![0.0; n],
        }
    }

    /// The decay factor `g(t)` of the set at `t` (not before the last call), moving the epoch
    /// first when `t` is far from it.
    #[inline]
    pub fn factor(&mut self, t: EventTime, dt: f64) -> f64 {
        let u = t.since(self.epoch, dt) / self.tau;
        if u <= REBASE_TAUS {
            return (-u).exp();
        }
        let g = (-u).exp();
        self.scaled.iter_mut().for_each(|s| *s *= g);
        self.epoch = t;
        1.0
    }

    /// Value of trace `i` given the set's factor `g` at the current time.
    #[inline]
    pub fn value(&self, i: usize, g: f64) -> f64 {
        self.scaled[i] * g
    }

    /// Adds `jump` to trace `i` at the current time (factor `g`).
    #[inline]
    pub fn bump(&mut self, i: usize, g: f64, jump: f64) {
        self.scaled[i] += jump / g;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decays_analytically_sums_jumps_and_survives_epoch_moves() {
        let (dt, tau) = (1e-4, 0.02);
        let mut x = Traces::new(2, tau);
        let at = |step, offset| EventTime { step, offset };
        let mut events = vec![
            (at(10, 3e-5), 0usize),
            (at(110, 5e-5), 0),
            (at(150, 1e-5), 1),
        ];
        // far beyond REBASE_TAUS·τ, several epoch moves
        events.push((at(30_000, 2e-5), 0));
        events.push((at(30_100, 4e-5), 1));
        let mut seen: Vec<(EventTime, usize)> = Vec::new();
        for &(t, i) in &events {
            let g = x.factor(t, dt);
            for j in 0..2 {
                // brute force: sum over earlier events of trace j
                let expect: f64 = seen
                    .iter()
                    .filter(|e| e.1 == j)
                    .map(|e| (-t.since(e.0, dt) / tau).exp())
                    .sum();
                let got = x.value(j, g);
                assert!(
                    (got - expect).abs() <= 1e-12 * expect.max(1e-300),
                    "{got} vs {expect}"
                );
            }
            x.bump(i, g, 1.0);
            seen.push((t, i));
        }
        assert!(x.value(0, x.clone().factor(at(30_001, 0.0), dt)) > 0.99);
    }
}

//! Event-driven exponential traces: a value stored at its last update and decayed analytically
//! when next read, so a trace costs nothing between the events that change it.
//!
//! $$x(t) = x(t_u)\,e^{-(t - t_u)/\tau}$$ between updates; an event at $t$ adds its jump:
//! $x \leftarrow x(t) + a$, $t_u \leftarrow t$.

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

/// One exponentially decaying trace, updated only at events (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trace {
    value: f64,
    at: EventTime,
}

impl Default for Trace {
    fn default() -> Self {
        Self {
            value: 0.0,
            at: EventTime {
                step: 0,
                offset: 0.0,
            },
        }
    }
}

impl Trace {
    /// The trace's value at `t` (not before its last update), with time constant `tau` (s).
    #[inline]
    pub fn at(&self, t: EventTime, dt: f64, tau: f64) -> f64 {
        if self.value == 0.0 {
            0.0
        } else {
            self.value * (-t.since(self.at, dt) / tau).exp()
        }
    }

    /// Decays the trace to `t` and adds `jump`.
    #[inline]
    pub fn bump(&mut self, t: EventTime, dt: f64, tau: f64, jump: f64) {
        self.value = self.at(t, dt, tau) + jump;
        self.at = t;
    }

    /// Value at the last update.
    pub fn last_value(&self) -> f64 {
        self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decays_analytically_between_events_and_sums_jumps() {
        let dt = 1e-4;
        let (tau, mut x) = (0.02, Trace::default());
        let t0 = EventTime {
            step: 10,
            offset: 3e-5,
        };
        x.bump(t0, dt, tau, 1.0);
        let t1 = EventTime {
            step: 110,
            offset: 5e-5,
        };
        let expect = (-(100.0 * dt + 2e-5_f32 as f64 - 0.0) / tau).exp();
        let dt_s = t1.since(t0, dt);
        assert!((dt_s - (0.01 + (5e-5_f32 as f64 - 3e-5_f32 as f64))).abs() < 1e-15);
        assert!((x.at(t1, dt, tau) - (-dt_s / tau).exp()).abs() < 1e-15);
        assert!((x.at(t1, dt, tau) - expect).abs() < 1e-6);
        x.bump(t1, dt, tau, 0.5);
        assert!((x.last_value() - ((-dt_s / tau).exp() + 0.5)).abs() < 1e-15);
    }
}

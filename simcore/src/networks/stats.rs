//! Spike-train statistics of network runs: rates, ISI coefficient of variation, population
//! synchrony, computed as the peers' benchmark scripts do (`peers/common.py`, `brunel_stats`).

/// Spikes of one population recorded over a run: `(step, neuron)` in emission order.
#[derive(Clone, Debug, Default)]
pub struct SpikeLog {
    /// Number of neurons.
    pub n: usize,
    /// `(step, neuron)` pairs, steps ascending.
    pub events: Vec<(u64, u32)>,
}

/// Statistics of a spike log after a transient.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainStats {
    /// Mean rate over all neurons, Hz, from `t_discard` to the end.
    pub rate_hz: f64,
    /// Mean over neurons (with ≥ 2 ISIs) of the ISI CV, among the first `n_cv` neurons.
    pub cv_isi: f64,
    /// Neurons that entered `cv_isi`.
    pub cv_neurons: usize,
    /// CV of the population spike count in 1 ms bins: ≈ 1/√(spikes per bin) when
    /// asynchronous, O(1) when synchronous.
    pub pop_cv_1ms: f64,
}

impl SpikeLog {
    /// An empty log for `n` neurons.
    pub fn new(n: usize) -> Self {
        Self {
            n,
            events: Vec::new(),
        }
    }

    /// Statistics over steps `[discard, steps)` of time step `dt`, ISI CV over neurons
    /// `0..n_cv`.
    pub fn stats(&self, dt: f64, steps: u64, discard: u64, n_cv: usize) -> TrainStats {
        let dur = (steps - discard) as f64 * dt;
        let after = self.events.iter().filter(|e| e.0 >= discard);
        let count = after.clone().count();
        let rate_hz = count as f64 / self.n.max(1) as f64 / dur;
        // ISI CV per neuron.
        let mut last = vec![u64::MAX; n_cv];
        let mut acc = vec![(0u32, 0f64, 0f64); n_cv];
        for &(k, i) in after.clone() {
            let i = i as usize;
            if i >= n_cv {
                continue;
            }
            if last[i] != u64::MAX {
                let isi = (k - last[i]) as f64 * dt;
                let a = &mut acc[i];
                a.0 += 1;
                a.1 += isi;
                a.2 += isi * isi;
            }
            last[i] = k;
        }
        let cvs: Vec<f64> = acc
            .iter()
            .filter(|a| a.0 >= 2)
            .map(|&(c, s1, s2)| {
                let m = s1 / f64::from(c);
                (s2 / f64::from(c) - m * m).max(0.0).sqrt() / m
            })
            .collect();
        let cv_isi = if cvs.is_empty() {
            f64::NAN
        } else {
            cvs.iter().sum::<f64>() / cvs.len() as f64
        };
        // Population count in 1 ms bins.
        let per_bin = ((1e-3 / dt).round() as u64).max(1);
        let bins = ((steps - discard) / per_bin) as usize;
        let mut h = vec![0f64; bins];
        for &(k, _) in after {
            let b = ((k - discard) / per_bin) as usize;
            if b < bins {
                h[b] += 1.0;
            }
        }
        let pop_cv_1ms = mean_std(&h).map_or(f64::NAN, |(m, s)| s / m);
        TrainStats {
            rate_hz,
            cv_isi,
            cv_neurons: cvs.len(),
            pop_cv_1ms,
        }
    }

    /// Population rate (Hz per neuron) in bins of `bin` steps over `[0, steps)`.
    pub fn rate_histogram(&self, dt: f64, steps: u64, bin: u64) -> Vec<f64> {
        let bins = steps.div_ceil(bin) as usize;
        let mut h = vec![0f64; bins];
        for &(k, _) in &self.events {
            if let Some(x) = h.get_mut((k / bin) as usize) {
                *x += 1.0;
            }
        }
        let scale = 1.0 / (self.n.max(1) as f64 * bin as f64 * dt);
        h.iter_mut().for_each(|x| *x *= scale);
        h
    }
}

/// Mean and population standard deviation (None when empty or the mean is 0).
fn mean_std(x: &[f64]) -> Option<(f64, f64)> {
    if x.is_empty() {
        return None;
    }
    let m = x.iter().sum::<f64>() / x.len() as f64;
    if m == 0.0 {
        return None;
    }
    let v = x.iter().map(|y| (y - m) * (y - m)).sum::<f64>() / x.len() as f64;
    Some((m, v.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_trains_have_zero_cv_and_exact_rate() {
        // 10 neurons firing every 100 steps (10 ms at dt 0.1 ms): 100 Hz, CV 0.
        let mut log = SpikeLog::new(10);
        for k in (0..10_000u64).step_by(100) {
            for i in 0..10 {
                log.events.push((k + i, i as u32));
            }
        }
        let s = log.stats(1e-4, 10_000, 1000, 10);
        assert!((s.rate_hz - 100.0).abs() < 1e-9, "{s:?}");
        assert!(s.cv_isi.abs() < 1e-9, "{s:?}");
        assert_eq!(s.cv_neurons, 10);
    }

    #[test]
    fn alternating_intervals_give_the_textbook_cv() {
        // ISIs alternating 1 and 3 ms: mean 2, std 1, CV 0.5.
        let mut log = SpikeLog::new(1);
        let mut k = 0;
        for j in 0..101 {
            log.events.push((k, 0));
            k += if j % 2 == 0 { 10 } else { 30 };
        }
        let s = log.stats(1e-4, k, 0, 1);
        assert!((s.cv_isi - 0.5).abs() < 1e-3, "{s:?}");
    }
}

//! # spikesim-benches — the workloads the criterion benches time
//!
//! Each workload is built here with the same parameters as the peer scripts in
//! `../shared/peers/common.py`, so spikesim and NEST/Brian2/Nengo are timed on the same network.
#![deny(missing_docs)]

pub mod contention;
pub mod lif_pop;
pub mod nef;

/// On-CPU seconds of every thread of this process so far (Linux `/proc/self/task/*/schedstat`;
/// 0 elsewhere). On a machine shared with other jobs, updates per CPU-second measure the code
/// rather than the contention (Brian2 standalone's `sim_s` is process CPU time too).
pub fn cpu_seconds() -> f64 {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(Result::ok)
                .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
                .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
                .sum::<u64>()
        })
        .unwrap_or(0) as f64
        * 1e-9
}

/// The median of `values` (the upper one of an even count), sorting them in place: the
/// benches' robust figure over repeated timings, which leaves out the runs a preemption hit.
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A criterion measurement of on-CPU time ([`cpu_seconds`], all threads) instead of wall time,
/// for single-threaded benches on a machine shared with other jobs: time spent waiting for a
/// core is not counted, so the figures measure the code. (Cache interference from other jobs
/// still slows it down.)
pub struct CpuTime;

impl criterion::measurement::Measurement for CpuTime {
    type Intermediate = f64;
    type Value = f64;
    fn start(&self) -> f64 {
        cpu_seconds()
    }
    fn end(&self, start: f64) -> f64 {
        (cpu_seconds() - start) * 1e9
    }
    fn add(&self, a: &f64, b: &f64) -> f64 {
        a + b
    }
    fn zero(&self) -> f64 {
        0.0
    }
    fn to_f64(&self, ns: &f64) -> f64 {
        *ns
    }
    fn formatter(&self) -> &dyn criterion::measurement::ValueFormatter {
        &CpuFormatter
    }
}

/// Formats CPU nanoseconds like criterion's wall-time formatter (units suffixed `cpu`).
struct CpuFormatter;

impl criterion::measurement::ValueFormatter for CpuFormatter {
    fn scale_values(&self, ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if ns < 1e3 {
            (1.0, "ns cpu")
        } else if ns < 1e6 {
            (1e-3, "µs cpu")
        } else if ns < 1e9 {
            (1e-6, "ms cpu")
        } else {
            (1e-9, "s cpu")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }
    fn scale_throughputs(
        &self,
        ns: f64,
        throughput: &criterion::Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let per = match *throughput {
            criterion::Throughput::Elements(e)
            | criterion::Throughput::ElementsAndBytes { elements: e, .. } => e as f64,
            criterion::Throughput::Bytes(b) | criterion::Throughput::BytesDecimal(b) => b as f64,
            criterion::Throughput::Bits(b) => b as f64,
        };
        let rate = per * 1e9 / ns;
        let (factor, unit) = if rate < 1e6 {
            (1.0, "elem/cpu-s")
        } else if rate < 1e9 {
            (1e-6, "Melem/cpu-s")
        } else {
            (1e-9, "Gelem/cpu-s")
        };
        values.iter_mut().for_each(|v| *v = per * 1e9 / *v * factor);
        unit
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

//! Nengo's own built ensembles of the `nef` and PES cases and Nengo's figure on each: the
//! paired setups `spikesim validate nef` and `validate learning` run.
//!
//! `validation/data/nengo_nef_setups.json` is written by `validation/nengo/nef_reference.py
//! --dump-setups`, `validation/data/nengo_pes_setups.json` by `scripts/pes_nengo.py dump`
//! (Nengo 4.1, seeds 0–4): for every case and seed, the ensembles Nengo built (gains, biases,
//! unit encoders, evaluation points, the initial voltages its simulator starts from) by role
//! (`ens`; `pre`, `post`), the stimulus it drew where the input is random (white noise: the
//! node's output at `t = k·Δt`, k = 1, 2, …), and the figures Nengo measured on them. Running the same ensembles makes the comparison
//! one of simulators, not of random draws: the 5-seed means of a metric scatter by a standard
//! deviation of the mean (up to 60 % of it for the integrator's drift) from one draw of five
//! ensembles to the next, far more than any difference between the simulators.

use std::collections::BTreeMap;

use models::ensemble::EnsembleSpec;
use serde::Deserialize;

/// The shipped setups of the `nef` cases.
pub const SHIPPED: &str = include_str!("../data/nengo_nef_setups.json");
/// The shipped setups of the PES cases.
pub const SHIPPED_PES: &str = include_str!("../data/nengo_pes_setups.json");

/// One ensemble as Nengo built it (row-major `N × d` encoders, `m × d` evaluation points).
#[derive(Clone, Debug, Deserialize)]
pub struct NengoEnsemble {
    /// Neurons.
    pub n: usize,
    /// Dimensions.
    pub dims: usize,
    /// Gains (N).
    pub gain: Vec<f64>,
    /// Biases (N).
    pub bias: Vec<f64>,
    /// Unit encoders (N × d).
    pub encoders: Vec<f64>,
    /// Evaluation points (m × d).
    pub eval_points: Vec<f64>,
    /// LIF voltages at the start (N).
    pub initial_voltage: Vec<f64>,
}

impl NengoEnsemble {
    /// Checks that every array has the length `n` and `dims` give it.
    pub fn check(&self) -> Result<(), String> {
        let (n, d) = (self.n, self.dims);
        if n == 0 || d == 0 {
            return Err(format!("n = {n}, dims = {d}: both must be positive"));
        }
        expect_len("gain", self.gain.len(), n)?;
        expect_len("bias", self.bias.len(), n)?;
        expect_len("encoders", self.encoders.len(), n * d)?;
        expect_len("initial_voltage", self.initial_voltage.len(), n)?;
        if self.eval_points.is_empty() || !self.eval_points.len().is_multiple_of(d) {
            return Err(format!(
                "`eval_points` has {} values, not m × {d}",
                self.eval_points.len()
            ));
        }
        Ok(())
    }

    /// An ensemble spec named `name` with exactly these parameters (Nengo's default LIF).
    pub fn spec(&self, name: &str) -> EnsembleSpec {
        let mut e = EnsembleSpec::new(name, self.n, self.dims);
        e.gain_bias = Some((self.gain.clone(), self.bias.clone()));
        e.encoders = Some(self.encoders.clone());
        e.eval_points = Some(self.eval_points.clone());
        e.initial_voltage = Some(self.initial_voltage.clone());
        e
    }
}

/// `Ok` when array `key` has `want` values, else an error naming it.
pub(crate) fn expect_len(key: &str, len: usize, want: usize) -> Result<(), String> {
    if len == want {
        Ok(())
    } else {
        Err(format!("`{key}` has {len} values, expected {want}"))
    }
}

/// One case run on one seed's ensemble, with Nengo's figures.
#[derive(Clone, Debug, Deserialize)]
struct SetupCase {
    case: String,
    seed: u64,
    ensembles: BTreeMap<String, String>,
    #[serde(default)]
    stimulus: Option<Vec<f64>>,
    nengo: BTreeMap<String, f64>,
}

/// All setups of the file.
#[derive(Clone, Debug, Deserialize)]
pub struct Setups {
    ensembles: BTreeMap<String, NengoEnsemble>,
    cases: Vec<SetupCase>,
}

/// One seed of a case: Nengo's ensembles and stimulus, and Nengo's figures on them.
pub struct Paired<'a> {
    /// The seed (Nengo's `Network(seed=…)`).
    pub seed: u64,
    setups: &'a Setups,
    case: &'a SetupCase,
}

impl<'a> Paired<'a> {
    /// Nengo's ensemble in role `role` (`ens`, `pre`, `post`).
    pub fn ensemble(&self, role: &str) -> Result<&'a NengoEnsemble, String> {
        let key = self.case.ensembles.get(role).ok_or(format!(
            "{} seed {}: no ensemble `{role}`",
            self.case.case, self.seed
        ))?;
        Ok(&self.setups.ensembles[key])
    }

    /// The stimulus Nengo drew (the node's output at `t = k·Δt`, k = 1, 2, …), if random.
    pub fn stimulus(&self) -> Option<&'a [f64]> {
        self.case.stimulus.as_deref()
    }

    /// Nengo's figure `metric` on this setup.
    pub fn nengo(&self, metric: &str) -> Result<f64, String> {
        let nengo = &self.case.nengo;
        nengo.get(metric).copied().ok_or(format!(
            "{} seed {}: no Nengo figure `{metric}` (have {:?})",
            self.case.case,
            self.seed,
            nengo.keys().collect::<Vec<_>>()
        ))
    }
}

impl Setups {
    /// Parses and checks a setups file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let s: Self = serde_json::from_str(text).map_err(|e| format!("setups: {e}"))?;
        for (k, e) in &s.ensembles {
            e.check()
                .map_err(|m| format!("setups: ensemble {k}: {m}"))?;
        }
        for c in &s.cases {
            for key in c.ensembles.values() {
                if !s.ensembles.contains_key(key) {
                    return Err(format!(
                        "setups: case {} seed {} refers to ensemble {key}, which the file lacks",
                        c.case, c.seed
                    ));
                }
            }
        }
        Ok(s)
    }

    /// The setups of `case` for `seeds`, in that order; an error names a missing one.
    pub fn case(&self, case: &str, seeds: &[u64]) -> Result<Vec<Paired<'_>>, String> {
        seeds
            .iter()
            .map(|&seed| {
                let c = self
                    .cases
                    .iter()
                    .find(|c| c.case == case && c.seed == seed)
                    .ok_or(format!("setups: no case {case} for seed {seed}"))?;
                Ok(Paired {
                    seed,
                    setups: self,
                    case: c,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_setups_cover_every_case_and_seed() {
        let s = Setups::parse(SHIPPED).unwrap();
        for case in [
            "comm_channel",
            "square",
            "product",
            "integrator_100",
            "integrator_1000",
            "oscillator",
            "solver_rmse",
        ] {
            let p = s.case(case, &[0, 1, 2, 3, 4]).unwrap();
            assert_eq!(p.len(), 5);
            assert!(p.iter().all(|p| p.ensemble("ens").is_ok()));
        }
        // Nengo's figures on its own draw are ANCHORS.md's (seeds 0–4, rounded there).
        let mean = |case: &str, m: &str| {
            let p = s.case(case, &[0, 1, 2, 3, 4]).unwrap();
            p.iter().map(|p| p.nengo(m).unwrap()).sum::<f64>() / 5.0
        };
        assert!((mean("comm_channel", "rmse") - 0.0177).abs() < 5e-5);
        assert!((mean("square", "rmse") - 0.0294).abs() < 5e-5);
        assert!((mean("product", "rmse") - 0.0422).abs() < 5e-5);
        assert!((mean("integrator_1000", "abs_drift_per_s") - 0.0028).abs() < 5e-5);
        assert!((mean("solver_rmse", "solver_rmse") - 0.00207).abs() < 1.5e-5);
    }

    #[test]
    fn shipped_pes_setups_have_both_ensembles_and_the_white_noise() {
        let s = Setups::parse(SHIPPED_PES).unwrap();
        for p in s.case("pes_white_noise", &[0, 1, 2, 3, 4]).unwrap() {
            assert_eq!(p.ensemble("pre").unwrap().n, 100);
            assert_eq!(p.ensemble("post").unwrap().n, 100);
            let x = p.stimulus().unwrap();
            assert_eq!(x.len(), 10_000);
            // Nengo's WhiteSignal(rms = 0.5): the RMS of one 10 s draw scatters around it.
            let rms = (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt();
            assert!((rms - 0.5).abs() < 0.1, "{rms}");
        }
        let sine = s.case("pes_sine", &[0]).unwrap();
        assert!(sine[0].stimulus().is_none() && sine[0].ensemble("x").is_err());
    }

    #[test]
    fn malformed_setups_are_errors() {
        assert!(Setups::parse("{}").is_err());
        let bad = r#"{"ensembles":{"a":{"n":2,"dims":1,"gain":[1],"bias":[0,0],
            "encoders":[1,-1],"eval_points":[0.5],"initial_voltage":[0,0]}},"cases":[]}"#;
        assert!(Setups::parse(bad).unwrap_err().contains("gain"));
        let dangling = r#"{"ensembles":{},"cases":[{"case":"x","seed":0,
            "ensembles":{"ens":"b"},"nengo":{}}]}"#;
        assert!(Setups::parse(dangling).unwrap_err().contains("lacks"));
    }
}

//! [`DenseLearning`]: dense neuron-to-neuron weights between two spiking populations, learned
//! by a [`RateRule`] from filtered activities.
//!
//! Activities are spike trains filtered as Nengo filters them: a spike in a step is a value
//! `1/Δt` held over the step (Nengo's spike height), passed through a lowpass
//! `Lowpass(τ)` discretised by zero-order hold (`a ← e^{−Δt/τ}·a + (1 − e^{−Δt/τ})·s`, the
//! [`Discretisation::Nengo`] filter of [`crate::synapse`]), so an activity is in Hz and its
//! mean is the firing rate.
//!
//! # Schedule
//! - phase 1 (`drive`): adds `Σ_i W_ji·a_i` (presynaptic activities of the previous step) into
//!   the target's port;
//! - phase 3 (`observe`): filters this step's spikes into `a_pre`, `a_post`, then advances the
//!   weights by the rule with those activities.
//!
//! Cost O(n_pre·n_post) per step (dense weights).

use crate::SimError;
use crate::lanes::Padded;
use crate::plasticity::rate_rules::{RateLearner, RateRule};
use crate::sim::Component;
use crate::spikes::Spikes;
use crate::synapse::{Discretisation, PscFilter, PscShape};

/// Which populations and port a [`DenseLearning`] couples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DenseEnds {
    /// Presynaptic population index.
    pub source: usize,
    /// Postsynaptic population index.
    pub target: usize,
    /// Input port of the target the weighted activities are added into.
    pub port: usize,
}

/// Learned dense weights between two spiking populations (see the module docs).
#[derive(Clone, Debug)]
pub struct DenseLearning {
    name: String,
    ends: DenseEnds,
    n_pre: usize,
    w: Vec<f32>,
    learner: RateLearner,
    pre_filter: PscFilter,
    post_filter: PscFilter,
    held: Vec<f32>,
    a_pre: Vec<f32>,
    a_post: Vec<f32>,
}

impl DenseLearning {
    /// Weights `w0` (post-major, `n_post × n_pre`) from population `ends.source` (`n_pre`
    /// neurons) to `ends.target` (`n_post`), learned by `rule` from activities filtered with
    /// `Lowpass(tau)` at time step `dt`. Errors (naming `name`) on a bad shape or parameter.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &str,
        ends: DenseEnds,
        n_pre: usize,
        n_post: usize,
        w0: Vec<f32>,
        rule: RateRule,
        tau: f64,
        dt: f64,
    ) -> Result<Self, SimError> {
        let object = format!("connection `{name}`");
        rule.validate(&object)?;
        if w0.len() != n_pre * n_post {
            return Err(SimError::Param {
                object,
                key: "weights",
                value: w0.len().to_string(),
                msg: format!("needs {n_post}×{n_pre} = {} values", n_pre * n_post),
            });
        }
        let filter = |side: &str, n| {
            PscFilter::new(
                &format!("{name}.{side}_activity"),
                PscShape::exponential(tau),
                Discretisation::Nengo,
                dt,
                n,
            )
        };
        Ok(Self {
            name: name.to_string(),
            ends,
            n_pre,
            w: w0,
            learner: RateLearner::new(rule, n_pre, n_post),
            pre_filter: filter("pre", n_pre)?,
            post_filter: filter("post", n_post)?,
            held: vec![0.0; n_pre.max(n_post)],
            a_pre: vec![0.0; n_pre],
            a_post: vec![0.0; n_post],
        })
    }

    /// Current weights, post-major.
    pub fn weights(&self) -> &[f32] {
        &self.w
    }

    /// Filtered presynaptic activities after the last step, Hz.
    pub fn pre_activity(&self) -> &[f32] {
        &self.a_pre
    }

    /// Filtered postsynaptic activities after the last step, Hz.
    pub fn post_activity(&self) -> &[f32] {
        &self.a_post
    }

    /// The rule with its state.
    pub fn learner(&self) -> &RateLearner {
        &self.learner
    }
}

/// Filters one step of `spikes` (height `1/dt`, Nengo's spike output) into `out` through `f`;
/// `held` is scratch space of at least `out.len()` values. `out` holds the filtered activities
/// (Hz) after the step.
pub fn filter_spikes(
    f: &mut PscFilter,
    spikes: &Spikes,
    dt: f64,
    held: &mut [f32],
    out: &mut [f32],
) {
    let n = out.len();
    let held = &mut held[..n];
    held.fill(0.0);
    for &i in &spikes.ids {
        held[i as usize] = (1.0 / dt) as f32;
    }
    out.fill(0.0);
    f.step_values(held, out);
}

impl Component for DenseLearning {
    fn name(&self) -> &str {
        &self.name
    }

    fn drive(&mut self, _step: u64, _dt: f64, inputs: &mut [Vec<Padded>]) {
        let port = inputs[self.ends.target][self.ends.port].padded_mut();
        for (j, row) in self.w.chunks_exact(self.n_pre.max(1)).enumerate() {
            let s: f32 = row.iter().zip(&self.a_pre).map(|(w, a)| w * a).sum();
            port[j] += s;
        }
    }

    fn observe(&mut self, _step: u64, dt: f64, spikes: &[Spikes]) {
        let (src, tgt) = (self.ends.source, self.ends.target);
        filter_spikes(
            &mut self.pre_filter,
            &spikes[src],
            dt,
            &mut self.held,
            &mut self.a_pre,
        );
        filter_spikes(
            &mut self.post_filter,
            &spikes[tgt],
            dt,
            &mut self.held,
            &mut self.a_post,
        );
        self.learner
            .step(&mut self.w, &self.a_pre, &self.a_post, dt);
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn find_non_finite(&self) -> Option<String> {
        crate::lanes::position_non_finite(&self.w)
            .map(|s| {
                format!(
                    "weight {} → {}",
                    s % self.n_pre.max(1),
                    s / self.n_pre.max(1)
                )
            })
            .or_else(|| self.pre_filter.find_non_finite())
            .or_else(|| self.post_filter.find_non_finite())
    }
}

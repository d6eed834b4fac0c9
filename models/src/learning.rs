//! Learning rules on NEF connections, with Nengo 4.1's semantics: **PES** (prescribed error
//! sensitivity) on the decoders of a decoded connection and **Voja** (vector Oja) on the
//! encoders of the connection's target ensemble.
//!
//! Both are phases of the engine's step schedule (phase 3, after the neurons spiked); they
//! never reach into neuron kernels.
//!
//! # PES (MacNeil & Eliasmith 2011; Nengo `nengo.PES`, `SimPES`)
//! For a decoded connection from an ensemble of N neurons with decoders `D` (`k × N` in
//! Nengo, stored here `N × k`), an error signal `e` (k values) and presynaptic activities `a`
//! (spikes of height 1/Δt filtered by `pre_synapse`, default `Lowpass(0.005)`, so in Hz):
//!
//! $$\Delta D = -\frac{\kappa\,\Delta t}{N}\; e\,a^\top$$
//!
//! with learning rate κ (Nengo's default 1e-4). The error is itself the output of connections
//! *into the rule* ([`crate::network::Endpoint::LearningRule`]): each step it is the sum of
//! their filtered, transformed values (Nengo resets the error signal every step and every
//! error connection increments it); `error = actual − target` makes the decoders descend.
//!
//! **Timing** (read from Nengo's operator order: `weights += delta` is an increment that runs
//! before the weights are read; `SimPES` updates `delta` after every read; synapse outputs are
//! updates, read before they advance). In step k:
//! - the spikes `s_k` of the step are decoded with `D_k = D_0 + Σ_{j<k} ΔD_j`;
//! - `ΔD_k` uses the error `e_k` delivered in phase 1 of step k (error connections' synapse
//!   outputs, i.e. their inputs up to step k−1) and the filtered activities `a_k` *before* this
//!   step's spikes enter the filter (spikes up to step k−1);
//! - `ΔD_k` is applied at once (phase 3), so it first acts on the spikes of step k+1.
//!
//! Cost O(N·k) per step (the outer product), plus O(N) for the activity filter.
//!
//! **Batch form.** Over a batch of m samples with activities `A` (`m × N`) and errors `E =
//! A D − Y` (`m × k`), the same rule is gradient descent on ½‖A D − Y‖²: `ΔD = −κ·Aᵀ E`
//! ([`pes_batch_step`]); iterated with a small enough κ it converges to the least-squares
//! decoders.
//!
//! # Voja (Voelker 2015; Nengo `nengo.Voja`, `SimVoja`)
//! On a connection into an ensemble with gains α, radius r and scaled encoders
//! `Ẽ_i = (α_i/r)·e_i`:
//!
//! $$\Delta \tilde E_i = \kappa\,\Delta t\,L\,a_i\,\big(\tfrac{\alpha_i}{r}\,x - \tilde E_i\big)$$
//!
//! where `x` is the ensemble's decoded input of the step (the sum of every connection into
//! it, Nengo's `ens["in"]`), `a` the ensemble's spikes filtered by `post_synapse` (default
//! `Lowpass(0.005)`, before this step's spikes), κ the learning rate (default 1e-2) and `L`
//! the learning signal, 1 plus the sum of connections into the rule. Each unit encoder moves
//! towards the inputs its neuron fires for. The change is applied in phase 3 and first acts on
//! the inputs of the next step (Nengo's order). Cost O(N·d) per step.

use std::sync::{Arc, Mutex, MutexGuard};

use simcore::Component;
use simcore::lanes::Padded;
use simcore::plasticity::dense::filter_spikes;
use simcore::spikes::Spikes;
use simcore::synapse::PscFilter;

use crate::NefError;
use crate::synapse::{Synapse, SynapseForm};

/// A learning rule on a connection (what a spec asks for).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LearningRule {
    /// PES on the connection's decoders.
    Pes {
        /// κ (Nengo's default 1e-4).
        learning_rate: f64,
        /// Filter of the presynaptic activities (default `Lowpass(0.005)`; `None` allowed).
        pre_synapse: Synapse,
    },
    /// Voja on the target ensemble's encoders.
    Voja {
        /// κ (Nengo's default 1e-2).
        learning_rate: f64,
        /// Filter of the ensemble's activities (default `Lowpass(0.005)`; `None` allowed).
        post_synapse: Synapse,
    },
}

impl LearningRule {
    /// PES with Nengo's defaults (κ = 1e-4, `pre_synapse = Lowpass(0.005)`).
    pub fn pes() -> Self {
        LearningRule::Pes {
            learning_rate: 1e-4,
            pre_synapse: Synapse::Default,
        }
    }

    /// Voja with Nengo's defaults (κ = 1e-2, `post_synapse = Lowpass(0.005)`).
    pub fn voja() -> Self {
        LearningRule::Voja {
            learning_rate: 1e-2,
            post_synapse: Synapse::Default,
        }
    }

    /// Dimensions of the rule's input for a connection of `k_out` output dimensions: the
    /// error (PES) or the scalar learning signal (Voja).
    pub fn input_dims(&self, k_out: usize) -> usize {
        match self {
            LearningRule::Pes { .. } => k_out,
            LearningRule::Voja { .. } => 1,
        }
    }

    /// Checks the parameters; `object` names the connection.
    pub fn validate(&self, object: &str) -> Result<(), NefError> {
        let (rate, syn) = match self {
            LearningRule::Pes {
                learning_rate,
                pre_synapse,
            } => (*learning_rate, pre_synapse),
            LearningRule::Voja {
                learning_rate,
                post_synapse,
            } => (*learning_rate, post_synapse),
        };
        if !(rate >= 0.0 && rate.is_finite()) {
            return Err(NefError::invalid(
                object,
                "learning_rate",
                format!("{rate}: must be ≥ 0 and finite"),
            ));
        }
        syn.validate(object)
    }
}

/// The input of a learning rule: the sum of the connections into it during one step (written
/// in phase 1, read and cleared by the rule in phase 3). Cloning shares the buffer.
#[derive(Clone, Debug)]
pub struct RuleInput(Arc<Mutex<Vec<f64>>>);

impl RuleInput {
    /// A zeroed input of `dims` values.
    pub fn new(dims: usize) -> Self {
        Self(Arc::new(Mutex::new(vec![0.0; dims])))
    }

    fn lock(&self) -> MutexGuard<'_, Vec<f64>> {
        // A poisoned lock only means a panic elsewhere; the data is plain numbers.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Dimensions.
    pub fn dims(&self) -> usize {
        self.lock().len()
    }

    /// Adds `v` (one connection's output of this step).
    pub fn add(&self, v: &[f64]) {
        for (s, v) in self.lock().iter_mut().zip(v) {
            *s += v;
        }
    }

    /// Copies the sum into `out` and clears it for the next step.
    pub fn take_into(&self, out: &mut [f64]) {
        let mut g = self.lock();
        out.copy_from_slice(&g);
        g.fill(0.0);
    }
}

/// Filtered spike activities (Hz) of a population, advanced once per step; without a synapse
/// the activities are the step's spikes (height 1/Δt).
#[derive(Debug)]
struct Activities {
    filter: Option<PscFilter>,
    held: Vec<f32>,
    a: Vec<f32>,
}

impl Activities {
    fn new(object: &str, synapse: Synapse, n: usize, dt: f64) -> Result<Self, NefError> {
        Ok(Self {
            filter: synapse.filter(object, SynapseForm::Nengo, true, dt, n)?,
            held: vec![0.0; n],
            a: vec![0.0; n],
        })
    }

    /// The activities the rule reads in this step: with a filter, its state before this
    /// step's spikes; without, this step's spikes.
    fn current(&mut self, spikes: &Spikes, dt: f64) -> &[f32] {
        if self.filter.is_none() {
            self.a.fill(0.0);
            for &i in &spikes.ids {
                self.a[i as usize] = (1.0 / dt) as f32;
            }
        }
        &self.a
    }

    /// Feeds this step's spikes into the filter (after the rule has read it).
    fn advance(&mut self, spikes: &Spikes, dt: f64) {
        if let Some(f) = &mut self.filter {
            filter_spikes(f, spikes, dt, &mut self.held, &mut self.a);
        }
    }

    fn find_non_finite(&self) -> Option<String> {
        self.filter.as_ref().and_then(PscFilter::find_non_finite)
    }
}

/// PES state of one decoded connection (see the module docs); owned by the
/// [`crate::connection::Connection`] whose decoders it changes.
#[derive(Debug)]
pub struct Pes {
    /// −κ·Δt/N.
    alpha: f64,
    acts: Activities,
    error: RuleInput,
    e: Vec<f64>,
}

impl Pes {
    /// PES with learning rate `learning_rate` on decoders from `n` neurons to `k` values,
    /// activities filtered by `pre_synapse`, error read from `error` (k values).
    pub fn new(
        object: &str,
        learning_rate: f64,
        pre_synapse: Synapse,
        n: usize,
        error: RuleInput,
        dt: f64,
    ) -> Result<Self, NefError> {
        let k = error.dims();
        Ok(Self {
            alpha: -learning_rate * dt / n.max(1) as f64,
            acts: Activities::new(object, pre_synapse, n, dt)?,
            error,
            e: vec![0.0; k],
        })
    }

    /// Phase 3 of step k: `decoders` (`N × k`, row-major) += −κΔt/N·a_k e_kᵀ, then this step's
    /// presynaptic `spikes` enter the activity filter.
    pub fn update(&mut self, decoders: &mut [f64], spikes: &Spikes, dt: f64) {
        self.error.take_into(&mut self.e);
        let k = self.e.len();
        if self.e.iter().any(|&e| e != 0.0) {
            let a = self.acts.current(spikes, dt);
            for (row, &ai) in decoders.chunks_exact_mut(k.max(1)).zip(a) {
                if ai != 0.0 {
                    let g = self.alpha * f64::from(ai);
                    for (d, e) in row.iter_mut().zip(&self.e) {
                        *d += g * e;
                    }
                }
            }
        }
        self.acts.advance(spikes, dt);
    }

    /// The error read in the last step.
    pub fn error(&self) -> &[f64] {
        &self.e
    }

    /// First non-finite value of the state, described.
    pub fn find_non_finite(&self) -> Option<String> {
        self.acts.find_non_finite().or_else(|| {
            self.e
                .iter()
                .position(|v| !v.is_finite())
                .map(|j| format!("PES error {j}"))
        })
    }
}

/// One batch PES step: `decoders` (`N × k`) += −κ·Aᵀ·(A·D − Y) for activities `a` (`m × N`)
/// and targets `y` (`m × k`), all row-major (see the module docs). Returns the RMS of the
/// error `A·D − Y` before the step. Shapes: `n = decoders.len() / k`, `m = y.len() / k`.
pub fn pes_batch_step(a: &[f64], y: &[f64], k: usize, kappa: f64, decoders: &mut [f64]) -> f64 {
    let k = k.max(1);
    let n = decoders.len() / k;
    let m = y.len() / k;
    debug_assert_eq!(a.len(), m * n);
    let mut grad = vec![0.0; n * k];
    let mut err = vec![0.0; k];
    let mut sq = 0.0;
    for (row, yr) in a.chunks_exact(n.max(1)).zip(y.chunks_exact(k)) {
        // e = A_r·D − y_r
        err.copy_from_slice(yr);
        err.iter_mut().for_each(|e| *e = -*e);
        for (&ai, d) in row.iter().zip(decoders.chunks_exact(k)) {
            for (e, d) in err.iter_mut().zip(d) {
                *e += ai * d;
            }
        }
        sq += err.iter().map(|e| e * e).sum::<f64>();
        for (&ai, g) in row.iter().zip(grad.chunks_exact_mut(k)) {
            for (g, e) in g.iter_mut().zip(&err) {
                *g += ai * e;
            }
        }
    }
    for (d, g) in decoders.iter_mut().zip(&grad) {
        *d -= kappa * g;
    }
    (sq / (m * k).max(1) as f64).sqrt()
}

/// Encoders of an ensemble that a [`Voja`] rule changes, shared with every connection
/// encoding into it; the connections also add their decoded values (the ensemble's input,
/// Nengo's `ens["in"]`) for the rule to read.
#[derive(Clone, Debug)]
pub struct SharedEncoders(Arc<Mutex<EncoderState>>);

/// What [`SharedEncoders`] holds.
#[derive(Debug)]
pub struct EncoderState {
    /// Scaled encoders `α e / r`, `N × d`, f32 (what connections encode with).
    pub scaled: Vec<f32>,
    /// Decoded input of the current step, d values (summed by connections in phase 1).
    pub input: Vec<f64>,
}

impl SharedEncoders {
    /// Shares `scaled` encoders (`N × d`).
    pub fn new(scaled: Vec<f32>, d: usize) -> Self {
        Self(Arc::new(Mutex::new(EncoderState {
            scaled,
            input: vec![0.0; d],
        })))
    }

    /// Locks the state.
    pub fn lock(&self) -> MutexGuard<'_, EncoderState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Voja on the encoders of one ensemble (a [`Component`]; see the module docs).
#[derive(Debug)]
pub struct Voja {
    name: String,
    pop: usize,
    /// κ·Δt.
    alpha: f64,
    /// α_i / r per neuron.
    scale: Vec<f64>,
    dims: usize,
    shared: SharedEncoders,
    /// The scaled encoders in f64 (the shared copy is their f32 rounding).
    scaled: Vec<f64>,
    learning: RuleInput,
    signal: [f64; 1],
    acts: Activities,
    x: Vec<f64>,
}

impl Voja {
    /// Voja named `name` on population `pop` with `gain` and `radius`, whose scaled encoders
    /// (`N × d`, f64) are `scaled` and are shared with connections through `shared`; learning
    /// signal from `learning` (1 value, added to 1).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &str,
        pop: usize,
        learning_rate: f64,
        post_synapse: Synapse,
        gain: &[f64],
        radius: f64,
        scaled: Vec<f64>,
        shared: SharedEncoders,
        learning: RuleInput,
        dt: f64,
    ) -> Result<Self, NefError> {
        let n = gain.len();
        let dims = scaled.len() / n.max(1);
        Ok(Self {
            name: name.to_string(),
            pop,
            alpha: learning_rate * dt,
            scale: gain.iter().map(|g| g / radius).collect(),
            dims,
            shared,
            scaled,
            learning,
            signal: [0.0],
            acts: Activities::new(name, post_synapse, n, dt)?,
            x: vec![0.0; dims],
        })
    }

    /// Current scaled encoders `α e / r` (`N × d`).
    pub fn scaled_encoders(&self) -> &[f64] {
        &self.scaled
    }

    /// Current unit-length-scale encoders `e = Ẽ·r/α` (`N × d`).
    pub fn encoders(&self) -> Vec<f64> {
        let d = self.dims.max(1);
        self.scaled
            .chunks_exact(d)
            .zip(&self.scale)
            .flat_map(|(row, s)| row.iter().map(move |v| v / s))
            .collect()
    }
}

impl Component for Voja {
    fn name(&self) -> &str {
        &self.name
    }

    fn drive(&mut self, _step: u64, _dt: f64, _inputs: &mut [Vec<Padded>]) {}

    fn observe(&mut self, _step: u64, dt: f64, spikes: &[Spikes]) {
        self.learning.take_into(&mut self.signal);
        let l = 1.0 + self.signal[0];
        let mut st = self.shared.lock();
        self.x.copy_from_slice(&st.input);
        st.input.fill(0.0);
        let spikes = &spikes[self.pop];
        if l != 0.0 {
            let d = self.dims.max(1);
            let a = self.acts.current(spikes, dt);
            for (i, (&ai, &s)) in a.iter().zip(&self.scale).enumerate() {
                if ai == 0.0 {
                    continue;
                }
                let g = self.alpha * l * f64::from(ai);
                let rows = i * d..(i + 1) * d;
                for ((e, e32), x) in self.scaled[rows.clone()]
                    .iter_mut()
                    .zip(&mut st.scaled[rows])
                    .zip(&self.x)
                {
                    *e += g * (s * x - *e);
                    *e32 = *e as f32;
                }
            }
        }
        drop(st);
        self.acts.advance(spikes, dt);
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn find_non_finite(&self) -> Option<String> {
        self.scaled
            .iter()
            .position(|v| !v.is_finite())
            .map(|i| {
                format!(
                    "encoder {} of neuron {}",
                    i % self.dims.max(1),
                    i / self.dims.max(1)
                )
            })
            .or_else(|| self.acts.find_non_finite())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::{Connection, Source, Target, Transform};
    use crate::ensemble::EnsembleSpec;
    use crate::network::{
        BuildOptions, ConnectionSpec, Endpoint, NefNetwork, ProbeSpec, ProbeWhat,
    };
    use crate::node::Signal;
    use crate::probe::ProbeHandle;
    use rand::{Rng, SeedableRng};

    type R = rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn batch_pes_descends_to_the_least_squares_decoders() {
        // Y = A·D* exactly: iterating ΔD = −κ·Aᵀ(A D − Y) from 0 reaches D*.
        let mut r = R::seed_from_u64(3);
        let (m, n, k) = (40, 4, 2);
        let a: Vec<f64> = (0..m * n).map(|_| r.random_range(0.0..1.0)).collect();
        let d_star: Vec<f64> = (0..n * k).map(|_| r.random_range(-1.0..1.0)).collect();
        let mut y = vec![0.0; m * k];
        for i in 0..m {
            for j in 0..k {
                y[i * k + j] = (0..n).map(|q| a[i * n + q] * d_star[q * k + j]).sum();
            }
        }
        let mut d = vec![0.0; n * k];
        let first = pes_batch_step(&a, &y, k, 0.02, &mut d);
        let mut last = first;
        for _ in 0..20_000 {
            last = pes_batch_step(&a, &y, k, 0.02, &mut d);
        }
        assert!(first > 0.1 && last < 1e-6 * first, "{first} → {last}");
        for (x, s) in d.iter().zip(&d_star) {
            assert!((x - s).abs() < 1e-4, "{x} vs {s}");
        }
        // Ascending instead of descending must blow up, so the sign is tested.
        let mut d = vec![0.0; n * k];
        for _ in 0..50 {
            pes_batch_step(&a, &y, k, -0.02, &mut d);
        }
        assert!(pes_batch_step(&a, &y, k, 0.0, &mut d) > first);
    }

    /// Decoders after each step of a PES connection driven by random spikes and errors,
    /// against a reference loop written from Nengo's operator order (see the module docs).
    #[test]
    #[allow(clippy::needless_range_loop)] // the reference loop is written index by index
    fn pes_follows_nengos_timing() {
        let (n, k, dt, tau, kappa) = (3usize, 2usize, 1e-3, 0.005, 0.5);
        let mut r = R::seed_from_u64(7);
        let error = RuleInput::new(k);
        let pes = Pes::new("c.pes", kappa, Synapse::Lowpass(tau), n, error.clone(), dt).unwrap();
        let probe = ProbeHandle::new("p", k, 1, dt);
        let d0: Vec<f64> = (0..n * k).map(|_| r.random_range(-1.0..1.0)).collect();
        let mut c = Connection::new(
            "c",
            Source::Spikes {
                pop: 0,
                decoders: d0.clone(),
            },
            k,
            None,
            dt,
            Transform::Identity,
            Target::Probe(probe.clone()),
        )
        .with_pes(pes)
        .unwrap();
        let a = (-dt / tau).exp();
        let (mut d_ref, mut pf) = (d0, vec![0.0f64; n]);
        let mut out_ref = Vec::new();
        let mut inputs: Vec<Vec<simcore::lanes::Padded>> = vec![];
        let mut pending = vec![0.0; k];
        for step in 0..200u64 {
            c.drive(step, dt, &mut inputs);
            out_ref.extend_from_slice(&pending);
            let e: Vec<f64> = (0..k).map(|_| r.random_range(-1.0..1.0)).collect();
            error.add(&e);
            let mut s = Spikes::default();
            for i in 0..n {
                if r.random_bool(0.2) {
                    s.push(i as u32, 0.5e-3);
                }
            }
            c.observe(step, dt, std::slice::from_ref(&s));
            // Reference: decode s_k with D_k, then D += −κΔt/N·e_k ⊗ a_k (a before s_k).
            pending.fill(0.0);
            for &i in &s.ids {
                for j in 0..k {
                    pending[j] += d_ref[i as usize * k + j] / dt;
                }
            }
            for i in 0..n {
                for j in 0..k {
                    d_ref[i * k + j] -= kappa * dt / n as f64 * e[j] * pf[i];
                }
            }
            let mut spiked = vec![0.0; n];
            for &i in &s.ids {
                spiked[i as usize] = 1.0 / dt;
            }
            for i in 0..n {
                pf[i] = a * pf[i] + (1.0 - a) * spiked[i];
            }
            let d = c.decoders().unwrap();
            for (x, y) in d.iter().zip(&d_ref) {
                assert!(
                    (x - y).abs() < 1e-5 * (1.0 + y.abs()),
                    "step {step}: {x} vs {y}"
                );
            }
        }
        let got = probe.data().values;
        for (x, y) in got.iter().zip(&out_ref) {
            assert!((x - y).abs() < 1e-3 * (1.0 + y.abs()), "{x} vs {y}");
        }
    }

    #[test]
    #[allow(clippy::needless_range_loop)] // the reference loop is written index by index
    fn voja_moves_active_encoders_towards_the_input() {
        // Two neurons, 2-D, gain 2, radius 1; neuron 0 fires every step, neuron 1 never.
        let (dt, kappa, tau) = (1e-3, 1.0, 0.005);
        let gain = [2.0, 3.0];
        let scaled = vec![2.0, 0.0, 0.0, 3.0];
        let shared = SharedEncoders::new(scaled.iter().map(|&v| v as f32).collect(), 2);
        let learning = RuleInput::new(1);
        let mut v = Voja::new(
            "v",
            0,
            kappa,
            Synapse::Lowpass(tau),
            &gain,
            1.0,
            scaled.clone(),
            shared.clone(),
            learning.clone(),
            dt,
        )
        .unwrap();
        let x = [0.6, 0.8];
        let a_f = (-dt / tau).exp();
        let (mut e_ref, mut pf) = (scaled, 0.0f64);
        let mut inputs: Vec<Vec<simcore::lanes::Padded>> = vec![];
        for step in 0..300u64 {
            v.drive(step, dt, &mut inputs);
            shared.lock().input.copy_from_slice(&x);
            // Learning signal: 1 + 0 for 200 steps, then 1 − 1 = 0 (learning off).
            if step >= 200 {
                learning.add(&[-1.0]);
            }
            let mut s = Spikes::default();
            s.push(0, 0.0);
            v.observe(step, dt, std::slice::from_ref(&s));
            if step < 200 {
                for j in 0..2 {
                    e_ref[j] += kappa * dt * pf * (gain[0] * x[j] - e_ref[j]);
                }
            }
            pf = a_f * pf + (1.0 - a_f) / dt;
        }
        for j in 0..2 {
            assert!((v.scaled_encoders()[j] - e_ref[j]).abs() < 1e-9);
        }
        let e = v.encoders();
        // Neuron 0's unit encoder moved most of the way to x; neuron 1 is untouched.
        assert!(
            (e[0] - x[0]).abs() < 0.05 && (e[1] - x[1]).abs() < 0.05,
            "{e:?}"
        );
        assert_eq!(&e[2..], &[0.0, 1.0]);
        assert_eq!(shared.lock().scaled[0], e_ref[0] as f32);
    }

    fn net_with(learning: LearningRule, pre: &str, post: Endpoint) -> NefNetwork {
        let mut net = NefNetwork::default();
        net.ensembles.push(EnsembleSpec::new("a", 20, 1));
        net.ensembles.push(EnsembleSpec::new("b", 20, 2));
        net.nodes.push(("x".into(), Signal::Constant(vec![0.5])));
        let pre = if pre == "x" {
            Endpoint::Node("x".into())
        } else {
            Endpoint::Ensemble(pre.into())
        };
        let mut c = ConnectionSpec::new(pre, post);
        c.name = "c".into();
        c.learning = Some(learning);
        net.connections.push(c);
        net
    }

    fn build_err(net: &NefNetwork) -> String {
        net.build(&BuildOptions {
            dt: 1e-3,
            seed: 1,
            cache: crate::cache::DecoderCache::disabled(),
        })
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
    }

    #[test]
    fn misplaced_rules_are_errors_naming_the_connection() {
        let ens = |n: &str| Endpoint::Ensemble(n.into());
        let e = build_err(&net_with(LearningRule::pes(), "x", ens("a")));
        assert!(e.contains("c: `learning`") && e.contains("PES"), "{e}");
        let e = build_err(&net_with(
            LearningRule::voja(),
            "a",
            Endpoint::Neurons("a".into()),
        ));
        assert!(e.contains("c: `learning`") && e.contains("Voja"), "{e}");
        let bad = LearningRule::Pes {
            learning_rate: -1.0,
            pre_synapse: Synapse::Default,
        };
        let e = build_err(&net_with(bad, "a", ens("a")));
        assert!(e.contains("learning_rate"), "{e}");
        // An error of the wrong size, and an error into a connection without a rule.
        let mut net = net_with(LearningRule::pes(), "a", ens("a"));
        net.connections.push(ConnectionSpec::new(
            ens("b"),
            Endpoint::LearningRule("c".into()),
        ));
        let e = build_err(&net);
        assert!(
            e.contains("b->c: `transform`") && e.contains("takes 1"),
            "{e}"
        );
        net.connections[1].post = Endpoint::LearningRule("nope".into());
        let e = build_err(&net);
        assert!(e.contains("no connection `nope`"), "{e}");
    }

    #[test]
    fn voja_in_a_network_moves_only_the_encoders_of_active_neurons() {
        let mut net = net_with(
            LearningRule::Voja {
                learning_rate: 0.05,
                post_synapse: Synapse::Default,
            },
            "x",
            Endpoint::Ensemble("a".into()),
        );
        net.probes.push(ProbeSpec::new(
            "s",
            Endpoint::Ensemble("a".into()),
            ProbeWhat::Spikes,
        ));
        let built = net
            .build(&BuildOptions {
                dt: 1e-3,
                seed: 1,
                cache: crate::cache::DecoderCache::disabled(),
            })
            .unwrap();
        let e0 = built.ensembles[0].encoders.clone();
        let (mut run, rec) = built.into_run(1e-3, 1).unwrap();
        run.run(1.0).unwrap();
        let e1 = run.learned_encoders("c").unwrap();
        let spikes = rec.probe("s").unwrap().data();
        let (mut active, mut moved) = (0, 0);
        for i in 0..20 {
            let fired = spikes.column(i).iter().any(|&v| v > 0.0);
            if fired {
                active += 1;
                // 1-D encoders ±1 move towards the input 0.5.
                if (e1[i] - 0.5).abs() < 0.9 * (e0[i] - 0.5).abs() {
                    moved += 1;
                }
            } else {
                assert_eq!(e1[i], e0[i], "silent neuron {i} changed");
            }
        }
        assert!(
            active >= 5 && moved == active,
            "{active} active, {moved} moved"
        );
    }
}

//! Decoded connections as engine [`Component`]s, run factored.
//!
//! A connection carries a k-vector from a source to a target each step:
//!
//! 1. **source** — a node's value $x(t)$, or decoded spikes
//!    $\hat x = \sum_{i\in\text{spiked}} d_i / \Delta t$ (spikes of height 1/Δt, as Nengo), added
//!    event by event while the engine reports spikes (phase 3): $O(\text{spikes}\cdot k)$;
//! 2. **synapse** — Nengo's `Lowpass` ([`crate::synapse`]), one step of delay;
//! 3. **transform** — $u = T y$ (identity, scalar or $k' \times k$ matrix): $O(k k')$;
//! 4. **target** — the input current of an ensemble's neurons, $J_m \mathrel{+}= \sum_j
//!    (\alpha_m e_{mj}/r)\,u_j$ (scaled encoders, $O(M k')$), or of its neurons directly,
//!    $J_m \mathrel{+}= \alpha_m u_m$ (Nengo applies the gain on `ens.neurons` targets), or a
//!    probe's record.
//!
//! The full weight matrix $E\,T\,D$ ($M \times N$) is never formed: a step costs
//! $O(\text{spikes}\cdot k + k k' + M k')$.

use simcore::Component;
use simcore::lanes::Padded;
use simcore::spikes::Spikes;

use simcore::synapse::{Discretisation, PscFilter};

use crate::NefError;
use crate::learning::{Pes, RuleInput, SharedEncoders};
use crate::node::NodeSource;
use crate::probe::ProbeHandle;
use crate::rate::SharedRates;

/// Where a connection's vector comes from.
#[derive(Debug)]
pub enum Source {
    /// A node's signal.
    Node(NodeSource),
    /// Spikes of population `pop` weighted by `decoders` (`N × k` row-major, unscaled: the
    /// 1/Δt spike height is applied when the spikes arrive).
    Spikes {
        /// Index of the population in the simulator.
        pop: usize,
        /// Decoders, `N × k`.
        decoders: Vec<f64>,
    },
    /// Rates (Hz) of a rate population weighted by `decoders` (`N × k`), every step:
    /// $\hat x = \sum_i d_i r_i$.
    Rates {
        /// The population's rates.
        rates: SharedRates,
        /// Decoders, `N × k`.
        decoders: Vec<f64>,
    },
}

/// A linear map applied after the synapse.
#[derive(Clone, Debug, PartialEq)]
pub enum Transform {
    /// `u = y`.
    Identity,
    /// `u = c·y`.
    Scalar(f64),
    /// `u = T y`, `T` `rows × cols` row-major.
    Matrix {
        /// Output dimensions k'.
        rows: usize,
        /// Input dimensions k.
        cols: usize,
        /// Entries, row-major.
        values: Vec<f64>,
    },
}

impl Transform {
    /// Output dimensions for input dimensions `k` (None when a matrix does not fit `k`).
    pub fn out_dims(&self, k: usize) -> Option<usize> {
        match self {
            Transform::Identity | Transform::Scalar(_) => Some(k),
            Transform::Matrix { rows, cols, .. } => (*cols == k).then_some(*rows),
        }
    }

    /// `out = T·y`.
    pub fn apply(&self, y: &[f64], out: &mut [f64]) {
        match self {
            Transform::Identity => out.copy_from_slice(y),
            Transform::Scalar(c) => out.iter_mut().zip(y).for_each(|(o, y)| *o = c * y),
            Transform::Matrix { cols, values, .. } => {
                for (o, row) in out.iter_mut().zip(values.chunks(*cols)) {
                    *o = row.iter().zip(y).map(|(t, y)| t * y).sum();
                }
            }
        }
    }
}

/// Where a connection's vector goes.
#[derive(Debug)]
pub enum Target {
    /// An ensemble: `J += E·u` with scaled encoders `E` (`M × k'` row-major, f32).
    Encoded {
        /// Index of the population in the simulator.
        pop: usize,
        /// Scaled encoders `α e / r`, `M × k'`.
        encoders: Vec<f32>,
    },
    /// Neurons directly: `J_m += gain_m·u_m` (`k' = M`).
    Neurons {
        /// Index of the population in the simulator.
        pop: usize,
        /// Per-neuron gains.
        gain: Vec<f32>,
    },
    /// A probe records `u` (every `sample_every` steps).
    Probe(ProbeHandle),
    /// An ensemble whose encoders a Voja rule learns: `J += E·u` with the shared encoders,
    /// and `u` is added to the ensemble's decoded input the rule reads.
    LearnedEncoders {
        /// Index of the population in the simulator.
        pop: usize,
        /// The shared encoders and input.
        encoders: SharedEncoders,
    },
    /// A learning rule's input (PES error, Voja learning signal): `u` is added to it.
    Rule(RuleInput),
}

/// `J += E·u` for scaled encoders `E` (`M × k` row-major).
fn encode(j: &mut [f32], encoders: &[f32], u: &[f64]) {
    let k = u.len();
    if k == 1 {
        let u = u[0] as f32;
        for (j, e) in j.iter_mut().zip(encoders) {
            *j = e.mul_add(u, *j);
        }
    } else {
        let u: Vec<f32> = u.iter().map(|&v| v as f32).collect();
        for (j, e) in j.iter_mut().zip(encoders.chunks_exact(k)) {
            *j += e.iter().zip(&u).map(|(e, u)| e * u).sum::<f32>();
        }
    }
}

/// `pending += h·Σ_{i ∈ ids} d_i` for decoders `d` (`N × k` row-major). One-dimensional
/// decoders are summed in four interleaved partial sums: a single running sum makes every spike
/// wait for the previous addition (at NEF rates a 1000-neuron ensemble emits a few hundred
/// spikes per step).
fn decode_spikes(ids: &[u32], decoders: &[f64], h: f64, pending: &mut [f64]) {
    let k = pending.len();
    if k == 1 {
        let mut acc = [0.0; 4];
        let mut quads = ids.chunks_exact(4);
        for q in &mut quads {
            for (a, &i) in acc.iter_mut().zip(q) {
                *a += decoders[i as usize];
            }
        }
        for (a, &i) in acc.iter_mut().zip(quads.remainder()) {
            *a += decoders[i as usize];
        }
        pending[0] += h * ((acc[0] + acc[1]) + (acc[2] + acc[3]));
    } else {
        for &i in ids {
            let d = &decoders[i as usize * k..(i as usize + 1) * k];
            for (p, d) in pending.iter_mut().zip(d) {
                *p += h * d;
            }
        }
    }
}

/// One decoded connection (or decoded-value probe) on the engine's schedule.
#[derive(Debug)]
pub struct Connection {
    name: String,
    source: Source,
    synapse: Option<PscFilter>,
    /// Spike weights fed to the filter: 1/Δt (height, Nengo) or 1 (impulse area, exact form).
    spike_weight: f64,
    /// Filter input and output buffers (f32, the filter's precision).
    filt_in: Vec<f32>,
    filt_out: Vec<f32>,
    transform: Transform,
    target: Target,
    /// Input gathered for the next filter step (decoded spikes of this step, or the node's
    /// value), k values.
    pending: Vec<f64>,
    /// Fresh node value, k values.
    fresh: Vec<f64>,
    /// Transformed output, k' values.
    out: Vec<f64>,
    /// PES on the decoders ([`crate::learning`]).
    pes: Option<Pes>,
}

impl Connection {
    /// A connection named `name`; `k` is the source's dimension, `synapse` its filter over the
    /// k values (None: no filter; see [`crate::synapse::Synapse::filter`]), `dt` the time
    /// step. Shapes are checked by the builder ([`crate::network`]).
    pub fn new(
        name: &str,
        source: Source,
        k: usize,
        synapse: Option<PscFilter>,
        dt: f64,
        transform: Transform,
        target: Target,
    ) -> Self {
        let k_out = transform.out_dims(k).unwrap_or(k);
        let impulse = synapse
            .as_ref()
            .is_some_and(|f| f.discretisation() == Discretisation::Impulse);
        Self {
            name: name.to_string(),
            source,
            synapse,
            spike_weight: if impulse { 1.0 } else { 1.0 / dt },
            filt_in: vec![0.0; k],
            filt_out: vec![0.0; k],
            transform,
            target,
            pending: vec![0.0; k],
            fresh: vec![0.0; k],
            out: vec![0.0; k_out],
            pes: None,
        }
    }

    /// Adds PES learning to the decoders (the source must be spikes, the transform the
    /// identity: fold a transform into the decoders first, as Nengo learns `T·D`).
    pub fn with_pes(mut self, pes: Pes) -> Result<Self, NefError> {
        if !matches!(self.source, Source::Spikes { .. }) {
            return Err(NefError::invalid(
                &self.name,
                "learning",
                "PES needs an ensemble source (decoders to learn)",
            ));
        }
        if self.transform != Transform::Identity {
            return Err(NefError::invalid(
                &self.name,
                "learning",
                "PES learns the decoders of an identity transform (fold the transform first)",
            ));
        }
        self.pes = Some(pes);
        Ok(self)
    }

    /// The connection's decoders (`N × k`, row-major; learned ones as of the last step), if
    /// its source is an ensemble (spikes or rates).
    pub fn decoders(&self) -> Option<&[f64]> {
        match &self.source {
            Source::Spikes { decoders, .. } | Source::Rates { decoders, .. } => Some(decoders),
            Source::Node(_) => None,
        }
    }

    /// The PES state, if the decoders learn.
    pub fn pes(&self) -> Option<&Pes> {
        self.pes.as_ref()
    }

    /// The filtered source vector (before the transform) as of the last step.
    pub fn filtered(&self) -> &[f64] {
        &self.fresh
    }

    /// Steps the filter with `pending` as input; the output lands in `fresh`.
    fn filter_step(
        f: &mut PscFilter,
        pending: &[f64],
        fin: &mut [f32],
        fout: &mut [f32],
        fresh: &mut [f64],
    ) {
        for (i, p) in fin.iter_mut().zip(pending) {
            *i = *p as f32;
        }
        fout.fill(0.0); // the filter adds its output into the buffer
        f.step_values(fin, fout);
        for (y, o) in fresh.iter_mut().zip(fout.iter()) {
            *y = f64::from(*o);
        }
    }
}

impl Connection {
    /// Steps 1–3: the source value through the synapse (one step of delay when filtered) and
    /// the transform, into `out`.
    fn advance(&mut self, step: u64, dt: f64) {
        let t = (step + 1) as f64 * dt;
        match (&self.source, &mut self.synapse) {
            (Source::Node(node), Some(f)) => {
                Self::filter_step(
                    f,
                    &self.pending,
                    &mut self.filt_in,
                    &mut self.filt_out,
                    &mut self.fresh,
                );
                node.eval(t, &mut self.pending);
            }
            (Source::Node(node), None) => node.eval(t, &mut self.fresh),
            (Source::Spikes { .. } | Source::Rates { .. }, Some(f)) => {
                Self::filter_step(
                    f,
                    &self.pending,
                    &mut self.filt_in,
                    &mut self.filt_out,
                    &mut self.fresh,
                );
                self.pending.fill(0.0);
            }
            (Source::Spikes { .. } | Source::Rates { .. }, None) => {
                self.fresh.copy_from_slice(&self.pending);
                self.pending.fill(0.0);
            }
        }
        self.transform.apply(&self.fresh, &mut self.out);
    }

    /// Step 4 for an ensemble or neurons target: adds `out` into its input current `ports[0]`.
    fn add_into(&self, ports: &mut [Padded]) {
        match &self.target {
            Target::Encoded { encoders, .. } => {
                encode(ports[0].as_mut_slice(), encoders, &self.out);
            }
            Target::Neurons { gain, .. } => {
                let j = ports[0].as_mut_slice();
                for ((j, g), u) in j.iter_mut().zip(gain).zip(&self.out) {
                    *j += g * *u as f32;
                }
            }
            _ => {}
        }
    }

    /// Phase 3 for a spiking source: decodes its spikes of the step into `pending`, then
    /// learns (the change first acts on the next step's spikes).
    fn take_spikes(&mut self, spikes: &Spikes, dt: f64) {
        if let Source::Spikes { decoders, .. } = &mut self.source {
            decode_spikes(&spikes.ids, decoders, self.spike_weight, &mut self.pending);
            if let Some(pes) = &mut self.pes {
                pes.update(decoders, spikes, dt);
            }
        }
    }
}

impl Component for Connection {
    fn name(&self) -> &str {
        &self.name
    }

    fn drive(&mut self, step: u64, dt: f64, inputs: &mut [Vec<Padded>]) {
        self.advance(step, dt);
        // 4: target.
        match &self.target {
            Target::Encoded { pop, .. } | Target::Neurons { pop, .. } => {
                self.add_into(&mut inputs[*pop])
            }
            Target::LearnedEncoders { pop, encoders } => {
                let mut st = encoders.lock();
                encode(inputs[*pop][0].as_mut_slice(), &st.scaled, &self.out);
                for (x, u) in st.input.iter_mut().zip(&self.out) {
                    *x += u;
                }
            }
            Target::Probe(p) => p.record(step, &self.out),
            Target::Rule(r) => r.add(&self.out),
        }
    }

    fn observe(&mut self, _step: u64, dt: f64, spikes: &[Spikes]) {
        match &self.source {
            Source::Spikes { pop, .. } => self.take_spikes(&spikes[*pop], dt),
            Source::Rates { rates, decoders } => {
                let k = self.pending.len();
                rates.with(|r| {
                    for (&r, d) in r.iter().zip(decoders.chunks_exact(k)) {
                        if r != 0.0 {
                            for (p, d) in self.pending.iter_mut().zip(d) {
                                *p += f64::from(r) * d;
                            }
                        }
                    }
                })
            }
            Source::Node(_) => {}
        }
    }

    /// An ensemble or its neurons: phase 1 touches only their input.
    fn drive_target(&self) -> Option<usize> {
        match &self.target {
            Target::Encoded { pop, .. } | Target::Neurons { pop, .. } => Some(*pop),
            _ => None,
        }
    }

    fn drive_ports(&mut self, step: u64, dt: f64, ports: &mut [Padded]) {
        self.advance(step, dt);
        self.add_into(ports);
    }

    /// Decoded spikes without learning: phase 3 reads only the source's spikes (PES also
    /// reads its error signal, so learning connections observe after the step).
    fn observe_source(&self) -> Option<usize> {
        match &self.source {
            Source::Spikes { pop, .. } if self.pes.is_none() => Some(*pop),
            _ => None,
        }
    }

    fn observe_spikes(&mut self, _step: u64, dt: f64, spikes: &Spikes) {
        self.take_spikes(spikes, dt);
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn find_non_finite(&self) -> Option<String> {
        if let Some(e) = self.synapse.as_ref().and_then(PscFilter::find_non_finite) {
            return Some(e);
        }
        if let Some(e) = self.pes.as_ref().and_then(Pes::find_non_finite) {
            return Some(e);
        }
        if self.pes.is_some()
            && let Some(i) = self
                .decoders()
                .and_then(|d| d.iter().position(|v| !v.is_finite()))
        {
            return Some(format!("learned decoder {i}"));
        }
        self.filtered()
            .iter()
            .chain(&self.pending)
            .position(|v| !v.is_finite())
            .map(|i| format!("decoded value {i}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Signal;
    use crate::probe::ProbeHandle;
    use crate::synapse::{Synapse, SynapseForm};

    #[test]
    fn transform_shapes_and_values() {
        let t = Transform::Matrix {
            rows: 2,
            cols: 3,
            values: vec![1.0, 0.0, 2.0, 0.0, -1.0, 0.0],
        };
        assert_eq!(t.out_dims(3), Some(2));
        assert_eq!(t.out_dims(2), None);
        let mut out = [0.0; 2];
        t.apply(&[1.0, 2.0, 3.0], &mut out);
        assert_eq!(out, [7.0, -2.0]);
        let mut o1 = [0.0];
        Transform::Scalar(0.5).apply(&[4.0], &mut o1);
        assert_eq!(o1, [2.0]);
    }

    #[test]
    fn lowpass_of_a_node_follows_nengo_with_one_step_delay() {
        // Constant 1 through Lowpass(τ): y_s = 1 − a^s (y_0 = 0: the first step sees nothing).
        let dt = 1e-3;
        let tau = 0.01;
        let probe = ProbeHandle::new("p", 1, 1, dt);
        let node = Signal::Constant(vec![1.0]).build("n", 0).unwrap();
        let mut c = Connection::new(
            "c",
            Source::Node(node),
            1,
            Synapse::Lowpass(tau)
                .filter("c", SynapseForm::Nengo, false, dt, 1)
                .unwrap(),
            dt,
            Transform::Identity,
            Target::Probe(probe.clone()),
        );
        let mut inputs: Vec<Vec<Padded>> = vec![];
        for s in 0..50 {
            c.drive(s, dt, &mut inputs);
            c.observe(s, dt, &[]);
        }
        let a: f64 = (-dt / tau).exp();
        let data = probe.data();
        for (s, y) in data.values.iter().enumerate() {
            assert!((y - (1.0 - a.powi(s as i32))).abs() < 1e-6, "step {s}: {y}");
        }
        assert!((data.times[0] - dt).abs() < 1e-15);
    }

    #[test]
    fn spikes_are_decoded_event_by_event_and_encoded() {
        // Two neurons, decoders [1, -2]·1e-3; a spike of neuron 1 at step 0 reaches the target
        // at step 1 (no synapse) as J += e·(−2e-3/Δt).
        let dt = 1e-3;
        let mut c = Connection::new(
            "c",
            Source::Spikes {
                pop: 0,
                decoders: vec![1e-3, -2e-3],
            },
            1,
            None,
            dt,
            Transform::Scalar(0.5),
            Target::Encoded {
                pop: 1,
                encoders: vec![2.0, -1.0, 0.5],
            },
        );
        let mut inputs = vec![vec![Padded::filled(2, 0.0)], vec![Padded::filled(3, 0.0)]];
        c.drive(0, dt, &mut inputs);
        assert!(inputs[1][0].as_slice().iter().all(|&v| v == 0.0));
        let spikes = vec![
            Spikes {
                ids: vec![1],
                offsets: vec![5e-4],
            },
            Spikes::default(),
        ];
        c.observe(0, dt, &spikes);
        c.drive(1, dt, &mut inputs);
        let u = 0.5 * -2.0;
        let j = inputs[1][0].as_slice();
        for (j, e) in j.iter().zip([2.0, -1.0, 0.5]) {
            assert!((j - e * u).abs() < 1e-6, "{j}");
        }
    }
}

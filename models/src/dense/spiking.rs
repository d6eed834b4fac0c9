//! Running a trained rate network as a spiking one (Hunsberger & Eliasmith 2015).
//!
//! Every hidden layer with a LIF-type activation (`lif` or `soft_lif`) becomes a
//! [`LifPopulation`] with the same time constants and the layer's biases as bias currents; the
//! same weights connect them. Spikes (unit-area impulses) of layer `l` are weighted by
//! `amplitude · W_{l+1}` and filtered by a [`PscFilter`] (exponential, τ = `synapse` seconds,
//! default 5 ms as Nengo) into the input current of layer `l + 1`: a neuron firing at rate `r`
//! then delivers on average `amplitude · r · W`, exactly what the rate network computes with
//! `amplitude · G(J)`. The input vector `x` is presented for `presentation` seconds as the
//! held current `x·W₀` through the same filter. The output layer is a linear readout
//! `z = (amplitude · r̂)·W_out + b_out` of the last hidden layer's activity `r̂`, taken either
//! from **spike counts** (`r̂ = count / presentation`) or from the **filtered** spike trains
//! averaged after a settling time; the class is `argmax z`.
//!
//! Many samples are simulated at once: sample `s` owns neuron block `s` of every population,
//! so one [`Simulator`] step advances the whole test set.

use super::DenseError;
use super::activations::Activation;
use super::matrix::{Matrix, Op, argmax, gemm};
use super::mlp::Mlp;
use rand::Rng;
use simcore::lanes::Padded;
use simcore::neuron::lif::LifParams;
use simcore::par::Par;
use simcore::synapse::{Discretisation, PscFilter, PscShape};
use simcore::{Component, LifPopulation, Population, Simulator, Spikes};
use std::sync::{Arc, Mutex};

/// Settings of a spiking run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpikingConfig {
    /// Time step, s.
    pub dt: f64,
    /// Presentation time per sample, s.
    pub presentation: f64,
    /// Synaptic time constant (exponential PSC), s.
    pub synapse: f64,
    /// Time after which the filtered readout is averaged, s.
    pub settle: f64,
    /// Worker threads (0: one per core); results do not depend on it.
    pub threads: usize,
    /// Seed of the initial voltages (stream `dense/spiking/<layer>/v0`).
    pub seed: u64,
}

impl Default for SpikingConfig {
    fn default() -> Self {
        Self {
            dt: 1e-3,
            presentation: 0.1,
            synapse: 0.005,
            settle: 0.02,
            threads: 1,
            seed: 0,
        }
    }
}

/// What a spiking run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikingResult {
    /// Class per sample from spike counts.
    pub classes_counts: Vec<usize>,
    /// Class per sample from the filtered readout.
    pub classes_filtered: Vec<usize>,
    /// Mean firing rate of each hidden layer, Hz.
    pub mean_rates: Vec<f64>,
    /// Readout values from spike counts, `samples × outputs`.
    pub outputs_counts: Matrix,
}

/// A hidden layer's LIF constants and amplitude, or an error naming the layer.
fn lif_of(act: &Activation, layer: usize) -> Result<(LifParams, f64), DenseError> {
    match *act {
        Activation::Lif { params, amplitude }
        | Activation::SoftLif {
            params, amplitude, ..
        } => Ok((params, amplitude)),
        other => Err(DenseError::Param {
            object: format!("layer {layer}"),
            key: "activation",
            value: other.to_string(),
            msg: "spiking conversion needs lif or soft_lif hidden layers".into(),
        }),
    }
}

/// Checks that `mlp` can run as a spiking network: at least one hidden layer, all hidden layers
/// LIF-type (the output layer is a linear readout whatever its activation).
pub fn check_convertible(mlp: &Mlp) -> Result<Vec<(LifParams, f64)>, DenseError> {
    let n = mlp.layers.len();
    if n < 2 {
        return Err(DenseError::Param {
            object: "model".into(),
            key: "layers",
            value: n.to_string(),
            msg: "spiking conversion needs a hidden layer".into(),
        });
    }
    (0..n - 1)
        .map(|l| lif_of(&mlp.layers[l].activation, l))
        .collect()
}

/// Held input currents `x·W₀` presented to the first hidden layer through a filter.
#[derive(Debug)]
struct InputDrive {
    current: Padded,
    filter: PscFilter,
}

impl Component for InputDrive {
    fn name(&self) -> &str {
        "dense/input"
    }
    fn drive(&mut self, _step: u64, _dt: f64, inputs: &mut [Vec<Padded>]) {
        self.filter.step(&self.current, &mut inputs[0][0], Par::Seq);
    }
    fn observe(&mut self, _step: u64, _dt: f64, _spikes: &[Spikes]) {}
    fn find_non_finite(&self) -> Option<String> {
        self.filter.find_non_finite()
    }
}

/// Dense weights from population `pre` to population `post`, per sample block: each spike of
/// neuron `i` in block `s` adds the impulse row `amplitude · W[i, :]` to block `s` of the
/// post-synaptic filter input (event-driven: cost ∝ spikes × fan-out).
#[derive(Debug)]
struct DenseSynapse {
    name: String,
    pre: usize,
    post: usize,
    n_pre: usize,
    n_post: usize,
    w: Vec<f32>,
    pending: Padded,
    filter: PscFilter,
}

impl DenseSynapse {
    fn deliver(&mut self, spikes: &Spikes) {
        let pending = self.pending.as_mut_slice();
        for &id in &spikes.ids {
            let (s, i) = (id as usize / self.n_pre, id as usize % self.n_pre);
            let row = &self.w[i * self.n_post..(i + 1) * self.n_post];
            for (p, w) in pending[s * self.n_post..(s + 1) * self.n_post]
                .iter_mut()
                .zip(row)
            {
                *p += w;
            }
        }
    }
}

impl Component for DenseSynapse {
    fn name(&self) -> &str {
        &self.name
    }
    fn drive(&mut self, _step: u64, _dt: f64, inputs: &mut [Vec<Padded>]) {
        self.filter
            .step(&self.pending, &mut inputs[self.post][0], Par::Seq);
        self.pending.as_mut_slice().fill(0.0);
    }
    fn observe(&mut self, _step: u64, _dt: f64, spikes: &[Spikes]) {
        self.deliver(&spikes[self.pre]);
    }
    fn find_non_finite(&self) -> Option<String> {
        self.filter.find_non_finite()
    }
}

/// What the readout accumulates (shared with the caller, which reads it after the run).
#[derive(Debug, Default)]
struct ReadoutState {
    counts: Vec<u32>,
    filtered_sum: Vec<f64>,
    steps_summed: u64,
}

/// Linear readout of the last hidden layer: counts its spikes and filters them through the
/// output weights.
#[derive(Debug)]
struct Readout {
    synapse: DenseSynapse,
    out: Padded,
    settle_steps: u64,
    state: Arc<Mutex<ReadoutState>>,
}

impl Component for Readout {
    fn name(&self) -> &str {
        "dense/readout"
    }
    fn drive(&mut self, step: u64, _dt: f64, _inputs: &mut [Vec<Padded>]) {
        self.out.as_mut_slice().fill(0.0);
        self.synapse
            .filter
            .step(&self.synapse.pending, &mut self.out, Par::Seq);
        self.synapse.pending.as_mut_slice().fill(0.0);
        if step >= self.settle_steps {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            for (s, o) in st.filtered_sum.iter_mut().zip(self.out.as_slice()) {
                *s += f64::from(*o);
            }
            st.steps_summed += 1;
        }
    }
    fn observe(&mut self, _step: u64, _dt: f64, spikes: &[Spikes]) {
        let pre = &spikes[self.synapse.pre];
        {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            for &id in &pre.ids {
                st.counts[id as usize] += 1;
            }
        }
        self.synapse.deliver(pre);
    }
    fn find_non_finite(&self) -> Option<String> {
        self.synapse.filter.find_non_finite()
    }
}

fn filter(
    name: &str,
    cfg: &SpikingConfig,
    n: usize,
    disc: Discretisation,
) -> Result<PscFilter, DenseError> {
    Ok(PscFilter::new(
        name,
        PscShape::exponential(cfg.synapse),
        disc,
        cfg.dt,
        n,
    )?)
}

/// Presents each row of `x` to the spiking version of `mlp` for `cfg.presentation` seconds and
/// classifies it from the readout.
pub fn run(mlp: &Mlp, x: &Matrix, cfg: &SpikingConfig) -> Result<SpikingResult, DenseError> {
    let lifs = check_convertible(mlp)?;
    if x.cols() != mlp.n_in() {
        return Err(DenseError::Shape {
            object: "spiking input".into(),
            msg: format!("{} features, model takes {}", x.cols(), mlp.n_in()),
        });
    }
    for (key, v) in [
        ("dt", cfg.dt),
        ("presentation", cfg.presentation),
        ("synapse", cfg.synapse),
    ] {
        if !(v > 0.0 && v.is_finite()) {
            return Err(DenseError::Param {
                object: "spiking".into(),
                key,
                value: v.to_string(),
                msg: "must be a positive, finite time".into(),
            });
        }
    }
    let samples = x.rows();
    let hidden = mlp.layers.len() - 1;
    let mut populations = Vec::with_capacity(hidden);
    for (l, (params, _)) in lifs.iter().enumerate() {
        let layer = &mlp.layers[l];
        let bias: Vec<f32> = (0..samples)
            .flat_map(|_| layer.b.iter().map(|&b| b as f32))
            .collect();
        let name = format!("layer{l}");
        let mut pop = LifPopulation::new(&name, *params, cfg.dt, &bias)?;
        let mut rng = simcore::rng::stream(cfg.seed, &format!("dense/spiking/{name}/v0"));
        pop.voltage_mut()
            .iter_mut()
            .for_each(|v| *v = rng.random::<f32>());
        populations.push(Population {
            name,
            neurons: Box::new(pop),
        });
    }
    // Input currents x·W₀ (without the bias, which the population holds).
    let mut j0 = Matrix::default();
    gemm(&mut j0, x, Op::N, &mlp.layers[0].w, Op::N, 1.0, false);
    let current: Vec<f32> = j0.data().iter().map(|&v| v as f32).collect();
    let mut components: Vec<Box<dyn Component>> = vec![Box::new(InputDrive {
        current: Padded::from_slice(&current, 0.0),
        filter: filter("dense/input", cfg, current.len(), Discretisation::Held)?,
    })];
    let synapse = |l: usize| -> Result<DenseSynapse, DenseError> {
        let (n_pre, n_post) = (mlp.layers[l].n_in(), mlp.layers[l].n_out());
        let amplitude = lifs[l - 1].1;
        let name = format!("dense/synapse{l}");
        Ok(DenseSynapse {
            filter: filter(&name, cfg, samples * n_post, Discretisation::Impulse)?,
            name,
            pre: l - 1,
            post: l,
            n_pre,
            n_post,
            w: mlp.layers[l]
                .w
                .data()
                .iter()
                .map(|&w| (amplitude * w) as f32)
                .collect(),
            pending: Padded::filled(samples * n_post, 0.0),
        })
    };
    for l in 1..hidden {
        components.push(Box::new(synapse(l)?));
    }
    let n_last = mlp.layers[hidden - 1].n_out();
    let n_out = mlp.n_out();
    let state = Arc::new(Mutex::new(ReadoutState {
        counts: vec![0; samples * n_last],
        filtered_sum: vec![0.0; samples * n_out],
        steps_summed: 0,
    }));
    components.push(Box::new(Readout {
        synapse: synapse(hidden)?,
        out: Padded::filled(samples * n_out, 0.0),
        settle_steps: (cfg.settle / cfg.dt).round() as u64,
        state: Arc::clone(&state),
    }));
    let mut sim = Simulator::new(cfg.dt, populations, components, cfg.threads)?;
    // Mean rates need every layer's spikes: count them between steps.
    let mut spike_totals = vec![0u64; hidden];
    let steps = (cfg.presentation / cfg.dt).round().max(1.0) as u64;
    for _ in 0..steps {
        sim.step()?;
        for (t, s) in spike_totals.iter_mut().zip(sim.spikes()) {
            *t += s.len() as u64;
        }
    }
    sim.check_finite()?;
    drop(sim);
    let st = std::mem::take(&mut *state.lock().unwrap_or_else(|e| e.into_inner()));
    let t = steps as f64 * cfg.dt;
    let amplitude = lifs[hidden - 1].1;
    let out_layer = &mlp.layers[hidden];
    // Count readout: z = (amplitude · count/T)·W_out + b_out.
    let rates = Matrix::from_vec(
        samples,
        n_last,
        st.counts
            .iter()
            .map(|&c| amplitude * f64::from(c) / t)
            .collect(),
    )
    .expect("samples × units");
    let mut outputs_counts = Matrix::zeros(samples, n_out);
    for s in 0..samples {
        outputs_counts.row_mut(s).copy_from_slice(&out_layer.b);
    }
    gemm(
        &mut outputs_counts,
        &rates,
        Op::N,
        &out_layer.w,
        Op::N,
        1.0,
        true,
    );
    let steps_summed = st.steps_summed.max(1) as f64;
    let classes_filtered = st
        .filtered_sum
        .chunks_exact(n_out.max(1))
        .map(|row| {
            let z: Vec<f64> = row
                .iter()
                .zip(&out_layer.b)
                .map(|(v, b)| v / steps_summed + b)
                .collect();
            argmax(&z)
        })
        .collect();
    let sizes: Vec<usize> = (0..hidden)
        .map(|l| mlp.layers[l].n_out() * samples)
        .collect();
    Ok(SpikingResult {
        classes_counts: outputs_counts.argmax_rows(),
        classes_filtered,
        mean_rates: spike_totals
            .iter()
            .zip(&sizes)
            .map(|(&c, &n)| c as f64 / (n.max(1) as f64 * t))
            .collect(),
        outputs_counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dense::layers::Dense;
    use crate::dense::losses::Loss;

    /// One LIF unit driven by a constant input: its spike count over a long presentation
    /// matches `G(J)` (the readout reports `amplitude · count/T` through an identity output).
    #[test]
    fn single_neuron_rate_matches_g_of_j() {
        let lif = Activation::lif();
        let (params, amp) = (LifParams::default(), 0.01);
        let mlp = Mlp {
            layers: vec![
                Dense {
                    w: Matrix::from_vec(1, 1, vec![1.0]).unwrap(),
                    b: vec![1.0],
                    activation: lif,
                },
                Dense {
                    w: Matrix::from_vec(1, 1, vec![1.0]).unwrap(),
                    b: vec![0.0],
                    activation: Activation::Identity,
                },
            ],
            loss: Loss::Mse,
        };
        let x = Matrix::from_vec(3, 1, vec![0.5, 1.0, 3.0]).unwrap();
        let cfg = SpikingConfig {
            presentation: 2.0,
            ..Default::default()
        };
        let r = run(&mlp, &x, &cfg).unwrap();
        for (s, &xv) in x.data().iter().enumerate() {
            let want = params.rate(1.0 + xv);
            let got = r.outputs_counts.row(s)[0] / amp;
            // Within one spike over the run (count quantisation, start-up transient).
            assert!(
                (got - want).abs() <= 1.0 / cfg.presentation + 1e-9,
                "J = {}: {got} vs {want}",
                1.0 + xv
            );
        }
    }

    #[test]
    fn non_lif_hidden_layers_are_rejected() {
        let s = |u, a| crate::dense::mlp::LayerShape {
            units: u,
            activation: a,
            init: None,
        };
        let m = Mlp::new(
            "r",
            2,
            &[s(3, Activation::Relu), s(2, Activation::Softmax)],
            Loss::CrossEntropy,
            0,
        )
        .unwrap();
        let e = run(&m, &Matrix::zeros(1, 2), &SpikingConfig::default()).unwrap_err();
        assert!(e.to_string().contains("layer 0"), "{e}");
    }

    /// A two-hidden-layer soft-LIF network (exercising the spike-to-spike dense synapse)
    /// computes what its LIF-rate version computes: the count readout's RMS error is below 10 %
    /// of the spread of the rate net's outputs.
    #[test]
    fn two_hidden_layers_agree_with_the_rate_net() {
        let s = |u, a| crate::dense::mlp::LayerShape {
            units: u,
            activation: a,
            init: None,
        };
        let act = Activation::soft_lif();
        let mut m = Mlp::new(
            "two",
            4,
            &[s(40, act), s(40, act), s(3, Activation::Softmax)],
            Loss::CrossEntropy,
            3,
        )
        .unwrap();
        // Scale weights so hidden neurons fire at tens of Hz and layer 2 gets real drive.
        m.layers[1].w.data_mut().iter_mut().for_each(|w| *w *= 8.0);
        m.layers[2].w.data_mut().iter_mut().for_each(|w| *w *= 8.0);
        let x = Matrix::from_vec(
            60,
            4,
            (0..240)
                .map(|i| ((i * 37 % 101) as f64 / 50.0) - 1.0)
                .collect(),
        )
        .unwrap();
        let mut z = Matrix::default();
        m.hardened().predict_with(&x, Some(&mut z));
        let cfg = SpikingConfig {
            presentation: 1.0,
            synapse: 0.02,
            ..Default::default()
        };
        let r = run(&m, &x, &cfg).unwrap();
        let d = z.data();
        let mean = d.iter().sum::<f64>() / d.len() as f64;
        let spread = (d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / d.len() as f64).sqrt();
        let err = (d
            .iter()
            .zip(r.outputs_counts.data())
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            / d.len() as f64)
            .sqrt();
        assert!(
            err < 0.1 * spread,
            "readout error {err} vs spread {spread}, rates {:?}",
            r.mean_rates
        );
        assert!(r.mean_rates.iter().all(|&f| f > 5.0), "{:?}", r.mean_rates);
    }
}

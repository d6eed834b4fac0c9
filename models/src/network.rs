//! NEF networks: ensembles, nodes, connections and probes described by name, built into the
//! engine's populations and components ([`NefNetwork::build`]) and run with their probes
//! ([`NefRun`]).
//!
//! Build order (Nengo's builder): every ensemble's arrays ([`crate::ensemble`]), then every
//! connection's decoders (solved once per connection, through the [`DecoderCache`]), then one
//! [`LifPopulation`] per ensemble (initial voltages from the ensemble; a
//! [`LifRatePopulation`] for `lif_rate` ensembles, decoded from its rates), one
//! [`Connection`] component per connection and per decoded probe (and a [`SpikeProbe`] per
//! spike probe), then the input-current
//! probes last (they read the summed input).

use std::collections::HashMap;

use rayon::prelude::*;

use simcore::{Component, LifPopulation, Neurons, Population, SimError, Simulator};

use crate::NefError;
use crate::cache::DecoderCache;
use crate::connection::{Connection, Source, Target, Transform};
use crate::ensemble::{BuiltEnsemble, EnsembleSpec, NeuronType};
use crate::function::Function;
use crate::learning::{LearningRule, Pes, RuleInput, SharedEncoders, Voja};
use crate::node::Signal;
use crate::probe::{InputProbe, ProbeHandle, SpikeProbe, StateProbe};
use crate::rate::{LifRatePopulation, SharedRates};
use crate::solver::{Decoders, LstsqL2, solve};
use crate::synapse::{Synapse, SynapseForm};

/// One end of a connection or the object of a probe.
#[derive(Clone, Debug, PartialEq)]
pub enum Endpoint {
    /// A node (as a source: its value).
    Node(String),
    /// An ensemble's represented (decoded or encoded) value.
    Ensemble(String),
    /// An ensemble's neurons (spikes as a source; input currents as a target).
    Neurons(String),
    /// The learning rule of the named connection, as a target: the connection's output is
    /// the rule's input (PES error, Voja learning signal; Nengo's `conn.learning_rule`).
    LearningRule(String),
}

impl Endpoint {
    fn name(&self) -> &str {
        match self {
            Endpoint::Node(n)
            | Endpoint::Ensemble(n)
            | Endpoint::Neurons(n)
            | Endpoint::LearningRule(n) => n,
        }
    }
}

/// A connection between two objects.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionSpec {
    /// Name (for errors and the decoder record); default `"pre->post"`.
    pub name: String,
    /// Source.
    pub pre: Endpoint,
    /// Target (a node is not a valid target).
    pub post: Endpoint,
    /// Decoded function (ensemble sources only).
    pub function: Function,
    /// Transform after the synapse.
    pub transform: Transform,
    /// Synapse (default Lowpass 5 ms).
    pub synapse: Synapse,
    /// Decoder solver.
    pub solver: LstsqL2,
    /// Decoders given directly (`N × k` row-major), skipping the solve.
    pub decoders: Option<Vec<f64>>,
    /// Synapse discretisation (default Nengo's).
    pub form: SynapseForm,
    /// A learning rule (PES on the decoders, Voja on the target's encoders).
    pub learning: Option<LearningRule>,
}

impl ConnectionSpec {
    /// A connection with Nengo's defaults: identity function and transform, Lowpass(5 ms),
    /// `LstsqL2(reg = 0.1)`.
    pub fn new(pre: Endpoint, post: Endpoint) -> Self {
        Self {
            name: format!("{}->{}", pre.name(), post.name()),
            pre,
            post,
            function: Function::Identity,
            transform: Transform::Identity,
            synapse: Synapse::Default,
            solver: LstsqL2::default(),
            decoders: None,
            form: SynapseForm::Nengo,
            learning: None,
        }
    }
}

/// What a probe records.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbeWhat {
    /// The decoded value of an ensemble (identity decoders) or a node's value.
    Value,
    /// Spikes of an ensemble's neurons.
    Spikes,
    /// A neuron state variable (`"v"`).
    Variable(String),
    /// Total input current of the neurons.
    Input,
}

/// A probe.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeSpec {
    /// Name (unique).
    pub name: String,
    /// The ensemble or node probed.
    pub target: Endpoint,
    /// What is recorded.
    pub what: ProbeWhat,
    /// Synapse for `Value` probes (default none).
    pub synapse: Synapse,
    /// Keep every k-th step.
    pub sample_every: u64,
    /// Solver for the decoded value.
    pub solver: LstsqL2,
    /// Decoders given directly for the decoded value (`N × k`), skipping the solve.
    pub decoders: Option<Vec<f64>>,
    /// Synapse discretisation (default Nengo's).
    pub form: SynapseForm,
    /// Function decoded for `Value` probes of ensembles (default identity).
    pub function: Function,
    /// The neurons recorded by `Spikes`, `Variable` and `Input` probes (indices into the
    /// ensemble, distinct); None records every neuron.
    pub neurons: Option<Vec<u32>>,
}

impl ProbeSpec {
    /// A probe recording `what` of `target` every step, without synapse.
    pub fn new(name: &str, target: Endpoint, what: ProbeWhat) -> Self {
        Self {
            name: name.to_string(),
            target,
            what,
            synapse: Synapse::None,
            sample_every: 1,
            solver: LstsqL2::default(),
            decoders: None,
            form: SynapseForm::Nengo,
            function: Function::Identity,
            neurons: None,
        }
    }

    /// The recorded neurons of an ensemble of `n` neurons (all when none are selected).
    fn neuron_list(&self, n: usize) -> Result<Vec<u32>, NefError> {
        let Some(list) = &self.neurons else {
            return Ok((0..n as u32).collect());
        };
        if list.is_empty() {
            return Err(NefError::invalid(
                &self.name,
                "neurons",
                "selects no neurons",
            ));
        }
        let mut seen = vec![false; n];
        for &i in list {
            let Some(s) = seen.get_mut(i as usize) else {
                return Err(NefError::invalid(
                    &self.name,
                    "neurons",
                    format!("{i} is not a neuron of the ensemble (indices 0..{n})"),
                ));
            };
            if std::mem::replace(s, true) {
                return Err(NefError::invalid(
                    &self.name,
                    "neurons",
                    format!("neuron {i} is listed twice"),
                ));
            }
        }
        Ok(list.clone())
    }
}

/// A network of ensembles, nodes, connections and probes.
#[derive(Clone, Debug, Default)]
pub struct NefNetwork {
    /// Ensembles.
    pub ensembles: Vec<EnsembleSpec>,
    /// Nodes: name and signal.
    pub nodes: Vec<(String, Signal)>,
    /// Connections.
    pub connections: Vec<ConnectionSpec>,
    /// Probes.
    pub probes: Vec<ProbeSpec>,
}

/// Options of a build.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// Time step, s.
    pub dt: f64,
    /// Master seed.
    pub seed: u64,
    /// Decoder cache.
    pub cache: DecoderCache,
}

/// The decoders solved for one connection or probe.
#[derive(Clone, Debug)]
pub struct SolvedDecoders {
    /// Connection or probe name.
    pub name: String,
    /// Ensemble decoded from.
    pub ensemble: String,
    /// Function decoded.
    pub function: String,
    /// The decoders and their solver RMSE.
    pub decoders: Decoders,
    /// Whether they came from the cache.
    pub cached: bool,
    /// Seconds spent solving (0 on a cache hit).
    pub solve_seconds: f64,
}

/// A built network: the engine objects plus a record of what was built.
#[derive(Debug)]
pub struct BuiltNetwork {
    /// Built ensembles (in spec order; population `i` is ensemble `i`).
    pub ensembles: Vec<BuiltEnsemble>,
    /// Decoders per decoded connection and probe.
    pub decoders: Vec<SolvedDecoders>,
    /// One LIF population per ensemble.
    pub populations: Vec<Population>,
    /// Connections, then decoded probes, then input probes.
    pub components: Vec<Box<dyn Component>>,
    /// Spike and state probes, read between steps.
    pub state_probes: Vec<StateProbe>,
    /// Every probe's handle, by probe name (spec order).
    pub probes: Vec<(String, ProbeHandle)>,
}

impl NefNetwork {
    fn ensemble_index(&self, name: &str, object: &str, key: &str) -> Result<usize, NefError> {
        self.ensembles
            .iter()
            .position(|e| e.name == name)
            .ok_or_else(|| NefError::invalid(object, key, format!("no ensemble named `{name}`")))
    }

    fn node_index(&self, name: &str, object: &str, key: &str) -> Result<usize, NefError> {
        self.nodes
            .iter()
            .position(|(n, _)| n == name)
            .ok_or_else(|| NefError::invalid(object, key, format!("no node named `{name}`")))
    }

    /// Builds every object (see the module docs).
    pub fn build(&self, opts: &BuildOptions) -> Result<BuiltNetwork, NefError> {
        // On a worker of the current rayon pool: the build's parallel loops (tuning curves,
        // every solver iteration) then split there instead of each handing its work from this
        // thread to the pool and sleeping until it is done — hundreds of hand-overs per build,
        // each tens of microseconds on a virtual machine.
        rayon::scope(|_| self.build_here(opts))
    }

    fn build_here(&self, opts: &BuildOptions) -> Result<BuiltNetwork, NefError> {
        let dt = opts.dt;
        if !(dt > 0.0 && dt.is_finite()) {
            return Err(NefError::invalid(
                "simulation",
                "dt",
                "must be a positive, finite time",
            ));
        }
        let mut seen = HashMap::new();
        for name in self
            .ensembles
            .iter()
            .map(|e| &e.name)
            .chain(self.nodes.iter().map(|n| &n.0))
        {
            if seen.insert(name.clone(), ()).is_some() {
                return Err(NefError::invalid(
                    name,
                    "name",
                    "used by more than one ensemble or node",
                ));
            }
        }
        // Ensembles, then every decoder solve the build will need, as parallel tasks (each also
        // splits its own loops): results do not depend on the thread, and errors are reported
        // in declaration order as by a sequential build.
        let ensembles: Vec<BuiltEnsemble> = self
            .ensembles
            .par_iter()
            .map(|e| e.build(opts.seed))
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Result<_, _>>()?;
        let mut populations = Vec::with_capacity(ensembles.len());
        // Per ensemble: the rates handle of a rate population (None: spiking).
        let mut rate_outputs: Vec<Option<SharedRates>> = Vec::with_capacity(ensembles.len());
        for b in &ensembles {
            let neurons: Box<dyn Neurons> = match b.neuron {
                NeuronType::Lif(params) => {
                    let bias: Vec<f32> = b.bias.iter().map(|&v| v as f32).collect();
                    let mut pop = LifPopulation::new(&b.name, params, dt, &bias)?;
                    for (v, &v0) in pop.voltage_mut().iter_mut().zip(&b.initial_voltage) {
                        *v = v0 as f32;
                    }
                    rate_outputs.push(None);
                    Box::new(pop)
                }
                NeuronType::LifRate(params) => {
                    let pop = LifRatePopulation::new(&b.name, params, &b.bias)?;
                    rate_outputs.push(Some(pop.shared_rates()));
                    Box::new(pop)
                }
            };
            populations.push(Population {
                name: b.name.clone(),
                neurons,
            });
        }
        // What decoders of ensemble `i` read: its spikes, or its rates.
        let decoded = |pop: usize, decoders: Vec<f64>| match &rate_outputs[pop] {
            Some(rates) => Source::Rates {
                rates: rates.clone(),
                decoders,
            },
            None => Source::Spikes { pop, decoders },
        };

        let mut decoders = Vec::new();
        let mut components: Vec<Box<dyn Component>> = Vec::new();
        let solve_one = |name: &str,
                         ens: &BuiltEnsemble,
                         f: &Function,
                         solver: &LstsqL2|
         -> Result<SolvedDecoders, NefError> {
            let (alt, y) = f.targets(ens, name)?;
            let e = alt.as_ref().unwrap_or(ens);
            let k = f.dims(ens.dims);
            // Hashing everything a solve depends on is a few % of a build: only with a cache.
            let key = opts
                .cache
                .dir()
                .map(|_| DecoderCache::key(e, &y, k, solver));
            let (dec, cached, secs) = match key.as_deref().and_then(|key| opts.cache.get(key)) {
                Some(d) if d.n == ens.n && d.dims == k => (d, true, 0.0),
                _ => {
                    let t0 = std::time::Instant::now();
                    let d = solve(e, &y, k, solver, name)?;
                    let secs = t0.elapsed().as_secs_f64();
                    if let Some(key) = &key {
                        opts.cache.put(key, &d);
                    }
                    (d, false, secs)
                }
            };
            Ok(SolvedDecoders {
                name: name.to_string(),
                ensemble: ens.name.clone(),
                function: f.describe(),
                decoders: dec,
                cached,
                solve_seconds: secs,
            })
        };
        // The solves of connections and value probes from ensembles without given decoders
        // (those whose source is not found are left to the sequential pass, which reports it).
        let solve_plan = |name: &str, e: &str, f: &Function, solver: &LstsqL2, given: bool| {
            let i = self
                .ensemble_index(e, name, "pre")
                .ok()
                .filter(|_| !given)?;
            Some((name.to_string(), i, f.clone(), *solver))
        };
        let conn_jobs = self.connections.iter().map(|c| match &c.pre {
            Endpoint::Ensemble(e) => {
                solve_plan(&c.name, e, &c.function, &c.solver, c.decoders.is_some())
            }
            _ => None,
        });
        let probe_jobs = self.probes.iter().map(|p| match (&p.what, &p.target) {
            (ProbeWhat::Value, Endpoint::Ensemble(e)) => {
                solve_plan(&p.name, e, &p.function, &p.solver, p.decoders.is_some())
            }
            _ => None,
        });
        let jobs: Vec<_> = conn_jobs.chain(probe_jobs).collect();
        let mut pre_solved: Vec<Option<Result<SolvedDecoders, NefError>>> = jobs
            .par_iter()
            .map(|job| {
                job.as_ref()
                    .map(|(name, i, f, solver)| solve_one(name, &ensembles[*i], f, solver))
            })
            .collect();
        let mut probe_solved = pre_solved.split_off(self.connections.len());
        let mut conn_solved = pre_solved;
        let solve_for = |name: &str,
                         ens: &BuiltEnsemble,
                         f: &Function,
                         solver: &LstsqL2,
                         pre: Option<Result<SolvedDecoders, NefError>>,
                         decoders: &mut Vec<SolvedDecoders>|
         -> Result<Vec<f64>, NefError> {
            let solved = match pre {
                Some(s) => s?,
                None => solve_one(name, ens, f, solver)?,
            };
            let values = solved.decoders.values.clone();
            decoders.push(solved);
            Ok(values)
        };

        let plan = self.learning_plan(&ensembles)?;
        for (ci, c) in self.connections.iter().enumerate() {
            let name = &c.name;
            c.synapse.validate(name)?;
            let (source, k) = match &c.pre {
                Endpoint::Node(n) => {
                    let i = self.node_index(n, name, "pre")?;
                    let node = self.nodes[i].1.build(n, opts.seed)?;
                    if c.function != Function::Identity {
                        return Err(NefError::invalid(
                            name,
                            "function",
                            "node sources take no function (give the node the function instead)",
                        ));
                    }
                    let k = node.dims();
                    (Source::Node(node), k)
                }
                Endpoint::Ensemble(e) => {
                    let i = self.ensemble_index(e, name, "pre")?;
                    let ens = &ensembles[i];
                    let k = c.function.dims(ens.dims);
                    let values = match &c.decoders {
                        Some(d) => {
                            if d.len() != ens.n * k {
                                return Err(NefError::invalid(
                                    name,
                                    "decoders",
                                    format!("{} values, expected N·k = {}", d.len(), ens.n * k),
                                ));
                            }
                            d.clone()
                        }
                        None => {
                            let pre = conn_solved[ci].take();
                            solve_for(name, ens, &c.function, &c.solver, pre, &mut decoders)?
                        }
                    };
                    (decoded(i, values), k)
                }
                Endpoint::LearningRule(r) => {
                    return Err(NefError::invalid(
                        name,
                        "pre",
                        format!("the learning rule of `{r}` is a target only"),
                    ));
                }
                Endpoint::Neurons(e) => {
                    // Spikes of each neuron are the source vector: fold the transform into
                    // per-neuron decoders (column i of T), so each spike costs O(k').
                    let i = self.ensemble_index(e, name, "pre")?;
                    let n = ensembles[i].n;
                    let (rows, dec) = match &c.transform {
                        Transform::Matrix { rows, cols, values } if *cols == n => {
                            let mut d = vec![0.0; n * rows];
                            for r in 0..*rows {
                                for j in 0..n {
                                    d[j * rows + r] = values[r * n + j];
                                }
                            }
                            (*rows, d)
                        }
                        Transform::Matrix { cols, .. } => {
                            return Err(NefError::invalid(
                                name,
                                "transform",
                                format!("has {cols} columns; the source has {n} neurons"),
                            ));
                        }
                        t => {
                            let c0 = if let Transform::Scalar(c) = t {
                                *c
                            } else {
                                1.0
                            };
                            let mut d = vec![0.0; n * n];
                            for j in 0..n {
                                d[j * n + j] = c0;
                            }
                            (n, d)
                        }
                    };
                    let conn = self.target(c, &ensembles, rows, &plan)?;
                    let spikes = rate_outputs[i].is_none();
                    let built = Connection::new(
                        name,
                        decoded(i, dec),
                        rows,
                        c.synapse.filter(name, c.form, spikes, dt, rows)?,
                        dt,
                        Transform::Identity,
                        conn,
                    );
                    components.push(Box::new(plan.attach_pes(c, built, ensembles[i].n, dt)?));
                    continue;
                }
            };
            let k_out = c.transform.out_dims(k).ok_or_else(|| {
                NefError::invalid(name, "transform", format!("does not take a {k}-D input"))
            })?;
            let target = self.target(c, &ensembles, k_out, &plan)?;
            let is_spikes = matches!(source, Source::Spikes { .. });
            let pes = matches!(c.learning, Some(LearningRule::Pes { .. }));
            let (source, k, transform) = match source {
                // PES learns the full weights T·D (Nengo): fold the transform in first.
                Source::Spikes { pop, decoders } if pes && c.transform != Transform::Identity => (
                    Source::Spikes {
                        pop,
                        decoders: fold_transform(&c.transform, &decoders, k, k_out),
                    },
                    k_out,
                    Transform::Identity,
                ),
                s => (s, k, c.transform.clone()),
            };
            let built = Connection::new(
                name,
                source,
                k,
                c.synapse.filter(name, c.form, is_spikes, dt, k)?,
                dt,
                transform,
                target,
            );
            let n = match &c.pre {
                Endpoint::Ensemble(e) => ensembles[self.ensemble_index(e, name, "pre")?].n,
                _ => 0,
            };
            components.push(Box::new(plan.attach_pes(c, built, n, dt)?));
        }
        for c in &self.connections {
            if let (
                Some(LearningRule::Voja {
                    learning_rate,
                    post_synapse,
                }),
                Endpoint::Ensemble(e),
            ) = (c.learning, &c.post)
            {
                let i = self.ensemble_index(e, &c.name, "post")?;
                let ens = &ensembles[i];
                components.push(Box::new(Voja::new(
                    &format!("{}.voja", c.name),
                    i,
                    learning_rate,
                    post_synapse,
                    &ens.gain,
                    ens.radius,
                    ens.scaled_encoders.clone(),
                    plan.shared[&i].clone(),
                    plan.inputs[&c.name].clone(),
                    dt,
                )?));
            }
        }

        let mut probes = Vec::new();
        let mut state_probes = Vec::new();
        let mut input_probes: Vec<Box<dyn Component>> = Vec::new();
        for (pi, p) in self.probes.iter().enumerate() {
            let name = &p.name;
            p.synapse.validate(name)?;
            if p.sample_every == 0 {
                return Err(NefError::invalid(
                    name,
                    "sample_every",
                    "must be at least 1",
                ));
            }
            if p.neurons.is_some() && p.what == ProbeWhat::Value {
                return Err(NefError::invalid(
                    name,
                    "neurons",
                    "selects neurons of spike, voltage and input probes; a decoded value records \
                     every dimension",
                ));
            }
            let handle = |dims| ProbeHandle::new(name, dims, p.sample_every, dt);
            match (&p.what, &p.target) {
                (ProbeWhat::Value, Endpoint::Node(n)) => {
                    let i = self.node_index(n, name, "target")?;
                    let node = self.nodes[i].1.build(n, opts.seed)?;
                    let h = handle(node.dims());
                    let k = node.dims();
                    components.push(Box::new(Connection::new(
                        name,
                        Source::Node(node),
                        k,
                        p.synapse.filter(name, p.form, false, dt, k)?,
                        dt,
                        Transform::Identity,
                        Target::Probe(h.clone()),
                    )));
                    probes.push((name.clone(), h));
                }
                (ProbeWhat::Value, Endpoint::Ensemble(e)) => {
                    let i = self.ensemble_index(e, name, "target")?;
                    let ens = &ensembles[i];
                    let k = p.function.dims(ens.dims);
                    let values = match &p.decoders {
                        Some(d) if d.len() == ens.n * k => d.clone(),
                        Some(d) => {
                            return Err(NefError::invalid(
                                name,
                                "decoders",
                                format!("{} values, expected N·k = {}", d.len(), ens.n * k),
                            ));
                        }
                        None => {
                            let pre = probe_solved[pi].take();
                            solve_for(name, ens, &p.function, &p.solver, pre, &mut decoders)?
                        }
                    };
                    let h = handle(k);
                    let spikes = rate_outputs[i].is_none();
                    components.push(Box::new(Connection::new(
                        name,
                        decoded(i, values),
                        k,
                        p.synapse.filter(name, p.form, spikes, dt, k)?,
                        dt,
                        Transform::Identity,
                        Target::Probe(h.clone()),
                    )));
                    probes.push((name.clone(), h));
                }
                (ProbeWhat::Value, Endpoint::Neurons(_)) => {
                    return Err(NefError::invalid(
                        name,
                        "what",
                        "neurons have no decoded value: probe \"spikes\", \"voltage\" or \"input\"",
                    ));
                }
                (what, Endpoint::Ensemble(e) | Endpoint::Neurons(e)) => {
                    let i = self.ensemble_index(e, name, "target")?;
                    let n = ensembles[i].n;
                    let neurons = p.neuron_list(n)?;
                    let h = handle(neurons.len());
                    match what {
                        ProbeWhat::Spikes if rate_outputs[i].is_some() => {
                            return Err(NefError::invalid(
                                name,
                                "what",
                                format!(
                                    "`{e}` is a lif_rate ensemble: it has no spikes; probe \"rate\""
                                ),
                            ));
                        }
                        ProbeWhat::Spikes => components.push(Box::new(SpikeProbe::new(
                            name,
                            i,
                            n,
                            &neurons,
                            h.clone(),
                        ))),
                        ProbeWhat::Variable(v) => {
                            if populations[i].neurons.variable(v).is_none() {
                                let known: Vec<&str> = populations[i]
                                    .neurons
                                    .variables()
                                    .iter()
                                    .map(|x| x.0)
                                    .collect();
                                return Err(NefError::invalid(
                                    name,
                                    "what",
                                    format!("no variable `{v}` (known: {known:?})"),
                                ));
                            }
                            state_probes.push(StateProbe::new(i, v, neurons, h.clone()))
                        }
                        ProbeWhat::Input => {
                            let bias: Vec<f32> =
                                ensembles[i].bias.iter().map(|&b| b as f32).collect();
                            input_probes.push(Box::new(InputProbe::new(
                                name,
                                i,
                                &bias,
                                neurons,
                                h.clone(),
                            )));
                        }
                        ProbeWhat::Value => unreachable!("handled above"),
                    }
                    probes.push((name.clone(), h));
                }
                (_, Endpoint::Node(_)) => {
                    return Err(NefError::invalid(
                        name,
                        "what",
                        "nodes only have a value to probe",
                    ));
                }
                (_, Endpoint::LearningRule(_)) => {
                    return Err(NefError::invalid(
                        name,
                        "target",
                        "learning rules cannot be probed; probe the error's sources instead",
                    ));
                }
            }
        }
        components.extend(input_probes);
        Ok(BuiltNetwork {
            ensembles,
            decoders,
            populations,
            components,
            state_probes,
            probes,
        })
    }

    /// Checks every learning rule and makes the shared objects: one input per rule, shared
    /// encoders per ensemble a Voja rule learns.
    fn learning_plan(&self, ensembles: &[BuiltEnsemble]) -> Result<LearningPlan, NefError> {
        let mut plan = LearningPlan::default();
        for c in &self.connections {
            let Some(rule) = c.learning else { continue };
            let name = &c.name;
            rule.validate(name)?;
            if plan.inputs.contains_key(name) {
                return Err(NefError::invalid(
                    name,
                    "name",
                    "two connections with learning rules share this name",
                ));
            }
            let on = match rule {
                LearningRule::Pes { .. } => &c.pre,
                LearningRule::Voja { .. } => &c.post,
            };
            let k_out = match (&rule, on) {
                (LearningRule::Pes { .. }, Endpoint::Ensemble(e)) => {
                    let ens = &ensembles[self.ensemble_index(e, name, "pre")?];
                    let k = c.function.dims(ens.dims);
                    c.transform.out_dims(k).ok_or_else(|| {
                        NefError::invalid(name, "transform", format!("does not take a {k}-D input"))
                    })?
                }
                (LearningRule::Pes { .. }, Endpoint::Neurons(e)) => {
                    let n = ensembles[self.ensemble_index(e, name, "pre")?].n;
                    match &c.transform {
                        Transform::Matrix { rows, .. } => *rows,
                        _ => n,
                    }
                }
                (LearningRule::Pes { .. }, _) => {
                    return Err(NefError::invalid(
                        name,
                        "learning",
                        "PES needs an ensemble (or its neurons) as `pre`: it learns decoders",
                    ));
                }
                (LearningRule::Voja { .. }, Endpoint::Ensemble(e)) => {
                    let i = self.ensemble_index(e, name, "post")?;
                    if plan.shared.contains_key(&i) {
                        return Err(NefError::invalid(
                            name,
                            "learning",
                            format!("a second Voja rule on the encoders of `{e}`"),
                        ));
                    }
                    let ens = &ensembles[i];
                    let scaled = ens.scaled_encoders.iter().map(|&v| v as f32).collect();
                    plan.shared.insert(i, SharedEncoders::new(scaled, ens.dims));
                    1
                }
                (LearningRule::Voja { .. }, _) => {
                    return Err(NefError::invalid(
                        name,
                        "learning",
                        "Voja learns the encoders of an ensemble: `post` must be an ensemble",
                    ));
                }
            };
            plan.inputs
                .insert(name.clone(), RuleInput::new(rule.input_dims(k_out)));
        }
        Ok(plan)
    }

    fn target(
        &self,
        c: &ConnectionSpec,
        ensembles: &[BuiltEnsemble],
        k_out: usize,
        plan: &LearningPlan,
    ) -> Result<Target, NefError> {
        let name = &c.name;
        match &c.post {
            Endpoint::LearningRule(r) => {
                let input = plan.inputs.get(r).ok_or_else(|| {
                    NefError::invalid(
                        name,
                        "post",
                        format!("no connection `{r}` with a learning rule"),
                    )
                })?;
                if input.dims() != k_out {
                    return Err(NefError::invalid(
                        name,
                        "transform",
                        format!(
                            "gives {k_out} value(s); the learning rule of `{r}` takes {}",
                            input.dims()
                        ),
                    ));
                }
                Ok(Target::Rule(input.clone()))
            }
            Endpoint::Ensemble(e)
                if plan
                    .shared
                    .contains_key(&self.ensemble_index(e, name, "post")?) =>
            {
                let i = self.ensemble_index(e, name, "post")?;
                if ensembles[i].dims != k_out {
                    return Err(NefError::invalid(
                        name,
                        "transform",
                        format!(
                            "gives {k_out} dimension(s); `{e}` represents {}",
                            ensembles[i].dims
                        ),
                    ));
                }
                Ok(Target::LearnedEncoders {
                    pop: i,
                    encoders: plan.shared[&i].clone(),
                })
            }
            Endpoint::Ensemble(e) => {
                let i = self.ensemble_index(e, name, "post")?;
                let ens = &ensembles[i];
                if ens.dims != k_out {
                    return Err(NefError::invalid(
                        name,
                        "transform",
                        format!("gives {k_out} dimension(s); `{e}` represents {}", ens.dims),
                    ));
                }
                Ok(Target::Encoded {
                    pop: i,
                    encoders: ens.scaled_encoders.iter().map(|&v| v as f32).collect(),
                })
            }
            Endpoint::Neurons(e) => {
                let i = self.ensemble_index(e, name, "post")?;
                let ens = &ensembles[i];
                if ens.n != k_out {
                    return Err(NefError::invalid(
                        name,
                        "transform",
                        format!("gives {k_out} value(s); `{e}` has {} neurons", ens.n),
                    ));
                }
                Ok(Target::Neurons {
                    pop: i,
                    gain: ens.gain.iter().map(|&v| v as f32).collect(),
                })
            }
            Endpoint::Node(n) => Err(NefError::invalid(
                name,
                "post",
                format!(
                    "node `{n}` cannot be a target (nodes are inputs); probe the source instead"
                ),
            )),
        }
    }
}

/// Shared objects of the learning rules of one build.
#[derive(Debug, Default)]
struct LearningPlan {
    /// Input of each rule, by connection name.
    inputs: HashMap<String, RuleInput>,
    /// Shared encoders, by ensemble index (ensembles with a Voja rule).
    shared: HashMap<usize, SharedEncoders>,
}

impl LearningPlan {
    /// Adds the PES rule of `c` (if any) to its built connection from `n` neurons.
    fn attach_pes(
        &self,
        c: &ConnectionSpec,
        built: Connection,
        n: usize,
        dt: f64,
    ) -> Result<Connection, NefError> {
        match c.learning {
            Some(LearningRule::Pes {
                learning_rate,
                pre_synapse,
            }) => {
                let pes = Pes::new(
                    &format!("{}.pes", c.name),
                    learning_rate,
                    pre_synapse,
                    n,
                    self.inputs[&c.name].clone(),
                    dt,
                )?;
                built.with_pes(pes)
            }
            _ => Ok(built),
        }
    }
}

/// `T·D` as per-neuron decoders: `decoders` is `N × k`, the result `N × k_out` with row i
/// equal to `T·d_i`.
fn fold_transform(t: &Transform, decoders: &[f64], k: usize, k_out: usize) -> Vec<f64> {
    let mut out = vec![0.0; decoders.len() / k.max(1) * k_out];
    for (d, o) in decoders
        .chunks_exact(k.max(1))
        .zip(out.chunks_exact_mut(k_out.max(1)))
    {
        t.apply(d, o);
    }
    out
}

/// Neurons from which a NEF network's steps run on the pool. NEF neurons fire at 100–400 Hz
/// at Δt = 1 ms, so a neuron-step (with its share of decoding and encoding) costs about 2 ns,
/// several times a cortical neuron's at Δt = 0.1 ms, and a step of 4096 neurons (≈ 8 µs)
/// outweighs a fork-join between awake workers (about 1 µs).
pub const NEF_MIN_PARALLEL_WORK: usize = 4096;

impl BuiltNetwork {
    /// The probe named `name`.
    pub fn probe(&self, name: &str) -> Option<&ProbeHandle> {
        self.probes.iter().find(|(n, _)| n == name).map(|(_, h)| h)
    }

    /// Moves the engine objects into a runnable simulation on `threads` worker threads.
    pub fn into_run(self, dt: f64, threads: usize) -> Result<(NefRun, NetworkRecord), SimError> {
        let mut sim = Simulator::new(dt, self.populations, self.components, threads)?;
        sim.set_min_parallel_work(NEF_MIN_PARALLEL_WORK);
        Ok((
            NefRun {
                sim,
                state_probes: self.state_probes,
            },
            NetworkRecord {
                ensembles: self.ensembles,
                decoders: self.decoders,
                probes: self.probes,
            },
        ))
    }
}

/// What was built, kept after the engine objects moved into a [`NefRun`].
#[derive(Debug)]
pub struct NetworkRecord {
    /// Built ensembles.
    pub ensembles: Vec<BuiltEnsemble>,
    /// Decoders per connection and probe.
    pub decoders: Vec<SolvedDecoders>,
    /// Probe handles by name.
    pub probes: Vec<(String, ProbeHandle)>,
}

impl NetworkRecord {
    /// The probe named `name`.
    pub fn probe(&self, name: &str) -> Option<&ProbeHandle> {
        self.probes.iter().find(|(n, _)| n == name).map(|(_, h)| h)
    }
}

/// A simulator with the probes that read it between steps.
#[derive(Debug)]
pub struct NefRun {
    /// The engine.
    pub sim: Simulator,
    /// Spike and state probes.
    pub state_probes: Vec<StateProbe>,
}

impl NefRun {
    /// Runs `steps` steps, recording probes.
    pub fn run_steps(&mut self, steps: u64) -> Result<(), SimError> {
        let probes = &mut self.state_probes;
        self.sim.run_stepwise(steps, &mut |sim| {
            let s = sim.steps_done() - 1;
            for p in probes.iter_mut() {
                p.record(s, sim);
            }
        })
    }

    /// The decoders (`N × k`) of connection `name` as of the last step (learned ones change
    /// during the run); None when no such connection decodes spikes.
    pub fn decoders(&self, name: &str) -> Option<Vec<f64>> {
        self.sim
            .components()
            .iter()
            .filter(|c| c.name() == name)
            .find_map(|c| c.as_any()?.downcast_ref::<Connection>()?.decoders())
            .map(<[f64]>::to_vec)
    }

    /// The encoders (unit scale, `N × d`) learned by the Voja rule of connection `name`.
    pub fn learned_encoders(&self, name: &str) -> Option<Vec<f64>> {
        let key = format!("{name}.voja");
        self.sim
            .components()
            .iter()
            .filter(|c| c.name() == key)
            .find_map(|c| Some(c.as_any()?.downcast_ref::<Voja>()?.encoders()))
    }

    /// Runs for `seconds` of simulated time (rounded to whole steps).
    pub fn run(&mut self, seconds: f64) -> Result<(), SimError> {
        let steps = (seconds / self.sim.dt()).round().max(0.0) as u64;
        self.run_steps(steps)
    }
}

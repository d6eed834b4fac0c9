//! The NEF sections: `[[ensemble]]`, `[[node]]`, `[[connection]]`, and the NEF side of
//! `[[probe]]` (decoded values, node outputs, input currents; spikes and voltages of
//! ensembles go through the ordinary probe path).
//!
//! They build through [`models::network::NefNetwork`] (Nengo 4.1's build recipe, decoder
//! cache) into the same simulator as plain populations: ensembles are built first, so
//! ensemble `i` is population `i`; plain populations, projections and inputs follow and may
//! refer to ensembles by name (mixed specs). Errors the NEF builder reports are mapped back
//! to the file, line, column and dotted key of the object at fault.

pub mod connection;
pub mod ensemble;
pub mod node;
pub mod values;

use models::NefError;
use models::expr::Expr;
use models::function::Function;
use models::learning::LearningRule;
use models::network::{
    BuildOptions, ConnectionSpec, Endpoint, NefNetwork, NetworkRecord, ProbeSpec, ProbeWhat,
};
use models::solver::LstsqL2;
use models::synapse::Synapse;
use simcore::Component;

use self::connection::{Connection, FunctionText, RULE_SUFFIX};
use self::ensemble::Ensemble;
use self::node::{Node, expr_message};
use crate::build::{Builder, PopulationInfo, ProbeKind, ProbePlan};
use crate::error::{ErrorKind, Origin, SpecError, closest};
use crate::learned::{LearnedKind, LearnedPlan};
use crate::neuron::Recorded;
use crate::reader::At;
use crate::sections::population::Population;
use crate::sections::probe::Probe;

/// Probe variables of ensembles and their neurons (`voltage` and `v` are the same).
pub const ENSEMBLE_VARIABLES: [&str; 5] = ["decoded", "spikes", "voltage", "v", "input"];
/// Probe variables of nodes.
pub const NODE_VARIABLES: [&str; 1] = ["output"];

/// The NEF sections of a spec.
#[derive(Clone, Copy, Debug)]
pub struct Sections<'a> {
    /// `[[ensemble]]`.
    pub ensembles: &'a [Ensemble],
    /// `[[node]]`.
    pub nodes: &'a [Node],
    /// `[[connection]]`.
    pub connections: &'a [Connection],
    /// `[[probe]]` (those on ensembles and nodes are planned here).
    pub probes: &'a [Probe],
    /// `[[population]]` (for errors that mix them up with ensembles).
    pub populations: &'a [Population],
}

/// What a spec name refers to.
enum Ref {
    Ensemble(usize),
    Neurons(usize),
    Node(usize),
}

impl Sections<'_> {
    fn ensemble(&self, name: &str) -> Option<usize> {
        self.ensembles.iter().position(|e| e.name.value == name)
    }

    fn resolve(&self, name: &At<String>, populations: &[String]) -> Result<Ref, SpecError> {
        let n = name.value.as_str();
        if let Some(i) = self.ensemble(n) {
            return Ok(Ref::Ensemble(i));
        }
        if let Some(i) = n.strip_suffix(".neurons").and_then(|e| self.ensemble(e)) {
            return Ok(Ref::Neurons(i));
        }
        if let Some(i) = self.nodes.iter().position(|x| x.name.value == n) {
            return Ok(Ref::Node(i));
        }
        if populations.iter().any(|p| p == n) {
            return Err(name.error(ErrorKind::Invalid(format!(
                "`{n}` is a [[population]]: NEF connections join ensembles and nodes \
                 (use [[projection]] between populations)"
            ))));
        }
        let candidates: Vec<String> = self
            .ensembles
            .iter()
            .flat_map(|e| [e.name.value.clone(), format!("{}.neurons", e.name.value)])
            .chain(self.nodes.iter().map(|x| x.name.value.clone()))
            .collect();
        Err(name.error(ErrorKind::UnknownReference {
            kind: "ensemble or node",
            name: n.to_string(),
            suggestion: closest(n, candidates.iter().map(String::as_str)),
        }))
    }

    /// Whether `probe` targets an NEF object.
    fn is_nef_probe(&self, probe: &Probe) -> bool {
        let n = probe.target.value.as_str();
        if crate::learned::VARIABLES.contains(&probe.variable.value.as_str()) {
            return false;
        }
        self.ensemble(n).is_some()
            || n.strip_suffix(".neurons")
                .and_then(|e| self.ensemble(e))
                .is_some()
            || self.nodes.iter().any(|x| x.name.value == n)
    }

    /// Builds the NEF objects into `b` (which must hold no population yet). Returns the
    /// components that must run after every other one (input-current probes read the summed
    /// input of the step).
    pub fn build(&self, b: &mut Builder) -> Result<Vec<Box<dyn Component>>, SpecError> {
        let nef_probes: Vec<&Probe> = self
            .probes
            .iter()
            .filter(|p| self.is_nef_probe(p))
            .collect();
        if self.ensembles.is_empty() && self.nodes.is_empty() && self.connections.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(e) = self.ensembles.first().filter(|_| !b.populations.is_empty()) {
            return Err(e.name.error(ErrorKind::Invalid(
                "internal: ensembles must be built before populations".into(),
            )));
        }
        let populations: Vec<String> = self
            .populations
            .iter()
            .map(|p| p.name.value.clone())
            .collect();
        let mut net = NefNetwork::default();
        for e in self.ensembles {
            net.ensembles.push(e.to_spec(b.seed)?);
        }
        for x in self.nodes {
            net.nodes
                .push((x.name.value.clone(), x.signal.value.clone()));
        }
        for c in self.connections {
            net.connections.push(self.connection(c, &populations)?);
        }
        // Probes the NEF builder records (decoded values, node outputs, input currents).
        let mut recorded: Vec<(&Probe, Ref)> = Vec::new();
        let mut planned_later: Vec<(&Probe, usize)> = Vec::new();
        for p in &nef_probes {
            let target = self.resolve(&p.target, &populations)?;
            let v = p.variable.value.as_str();
            let known: &[&str] = match target {
                Ref::Node(_) => &NODE_VARIABLES,
                _ => &ENSEMBLE_VARIABLES,
            };
            values::one_of(&p.variable, "probe variable", known)?;
            if v == "decoded" && matches!(target, Ref::Neurons(_)) {
                return Err(p.variable.error(ErrorKind::Invalid(format!(
                    "neurons have no decoded value: probe `{}` instead, or spikes/voltage/input",
                    p.target.value.trim_end_matches(".neurons")
                ))));
            }
            // Spikes without `sample_every` go to `/spikes/<ensemble>` and voltages are
            // sampled from the population, as for plain populations; spikes with
            // `sample_every` are binned by the NEF builder's spike probe (Nengo's spike output).
            let binned = v == "spikes" && p.sample_every.is_some();
            if let ("spikes" | "voltage" | "v", Ref::Ensemble(i) | Ref::Neurons(i), false) =
                (v, &target, binned)
            {
                planned_later.push((p, *i));
                continue;
            }
            if let (Some(n), Ref::Node(_) | Ref::Ensemble(_), "decoded" | "output") =
                (&p.neurons, &target, v)
            {
                return Err(n.error(ErrorKind::Invalid(
                    "decoded values and node outputs record every dimension: `neurons` selects \
                     neurons of spike, voltage and input probes"
                        .into(),
                )));
            }
            if let (Some(s), false) = (&p.synapse, v == "decoded" || v == "output") {
                return Err(s.error(ErrorKind::Invalid(
                    "a synapse applies to decoded values and node outputs".into(),
                )));
            }
            let endpoint = match target {
                Ref::Ensemble(i) => Endpoint::Ensemble(self.ensembles[i].name.value.clone()),
                Ref::Neurons(i) => Endpoint::Neurons(self.ensembles[i].name.value.clone()),
                Ref::Node(i) => Endpoint::Node(self.nodes[i].name.value.clone()),
            };
            let what = match v {
                "input" => ProbeWhat::Input,
                "spikes" => ProbeWhat::Spikes,
                _ => ProbeWhat::Value,
            };
            let mut spec = ProbeSpec::new(&p.name.value, endpoint, what);
            spec.synapse = p.synapse.as_ref().map_or(Synapse::None, |s| s.value);
            spec.sample_every = p.every(b.dt)?;
            if let Ref::Ensemble(i) | Ref::Neurons(i) = target
                && p.neurons.is_some()
            {
                spec.neurons = Some(p.neuron_list(self.ensembles[i].n_neurons.value as usize)?);
            }
            net.probes.push(spec);
            recorded.push((p, target));
        }

        let opts = BuildOptions {
            dt: b.dt,
            seed: b.seed,
            cache: b.cache.clone(),
        };
        let built = net.build(&opts).map_err(|e| self.locate(e))?;
        for (e, built_e) in self.ensembles.iter().zip(&built.ensembles) {
            let v = Recorded::scaled("v", "1", 1.0);
            b.info.push(PopulationInfo {
                name: e.name.value.clone(),
                size: built_e.n,
                model: built_e.neuron.name(),
                summary: format!(
                    "NEF ensemble, {}-D, radius {}, tau_rc {} s, tau_ref {} s, max rates {}, \
                     intercepts {}, {} eval points",
                    built_e.dims,
                    built_e.radius,
                    e.tau_rc.value,
                    e.tau_ref.value,
                    describe(&e.max_rates.value),
                    describe(&e.intercepts.value),
                    built_e.n_eval_points()
                ),
                recorded: None,
                variables: vec![("voltage", v.clone()), ("v", v)],
            });
        }
        b.populations.extend(built.populations);
        let mut components = built.components;
        // Input probes are built last (they read the summed input of the step).
        let n_input = recorded
            .iter()
            .filter(|(p, _)| p.variable.value == "input")
            .count();
        let late = components.split_off(components.len() - n_input);
        b.components.extend(components);
        for (p, target) in recorded {
            let handle = built
                .probes
                .iter()
                .find(|(n, _)| *n == p.name.value)
                .map(|(_, h)| h.clone())
                .ok_or_else(|| {
                    p.name
                        .error(ErrorKind::Invalid("internal: probe not built".into()))
                })?;
            let (population, neurons) = match target {
                Ref::Ensemble(i) | Ref::Neurons(i)
                    if matches!(p.variable.value.as_str(), "input" | "spikes") =>
                {
                    (i, p.neuron_list(built.ensembles[i].n)?)
                }
                Ref::Ensemble(i) | Ref::Neurons(i) => (i, (0..handle.data().dims as u32).collect()),
                Ref::Node(_) => (0, (0..handle.data().dims as u32).collect()),
            };
            b.probes.push(ProbePlan {
                name: p.name.value.clone(),
                target: p.target.value.clone(),
                population,
                variable: p.variable.value.clone(),
                kind: ProbeKind::Recorded(handle),
                neurons,
                every: p.every(b.dt)?,
                // Binned spikes: Σ 1/Δt per window (Nengo's spike output), in Hz.
                unit: if p.variable.value == "spikes" {
                    "Hz"
                } else {
                    "1"
                },
            });
        }
        for (p, i) in planned_later {
            p.plan(i, b)?;
        }
        for c in self.connections {
            let Some(l) = &c.learning else { continue };
            let (rule, kind, on) = match l.value {
                LearningRule::Pes { .. } => ("pes", LearnedKind::Decoders, &c.pre.value),
                LearningRule::Voja { .. } => ("voja", LearnedKind::Encoders, &c.post.value),
            };
            let ens = on.trim_end_matches(".neurons");
            let rows = self.ensemble(ens).map_or(0, |i| built.ensembles[i].n);
            b.learned.push(LearnedPlan {
                name: c.name.value.clone(),
                rule,
                pre: c.pre.value.clone(),
                post: c.post.value.clone(),
                rows,
                kind,
            });
        }
        b.nef = NetworkRecord {
            ensembles: built.ensembles,
            decoders: built.decoders,
            probes: built.probes,
        };
        Ok(late)
    }

    /// The models connection for `c`.
    fn connection(
        &self,
        c: &Connection,
        populations: &[String],
    ) -> Result<ConnectionSpec, SpecError> {
        if c.pre.value.ends_with(RULE_SUFFIX) {
            return Err(c.pre.error(ErrorKind::Invalid(
                "a learning rule is a target only (its input is the error or learning signal)"
                    .into(),
            )));
        }
        let pre = self.resolve(&c.pre, populations)?;
        let endpoint = |r: &Ref| match *r {
            Ref::Ensemble(i) => Endpoint::Ensemble(self.ensembles[i].name.value.clone()),
            Ref::Neurons(i) => Endpoint::Neurons(self.ensembles[i].name.value.clone()),
            Ref::Node(i) => Endpoint::Node(self.nodes[i].name.value.clone()),
        };
        let post = match c.post.value.strip_suffix(RULE_SUFFIX) {
            Some(rule) => self.learning_rule(c, rule)?,
            None => match self.resolve(&c.post, populations)? {
                Ref::Node(_) => {
                    return Err(c.post.error(ErrorKind::Invalid(
                        "a node cannot be a connection target (nodes are inputs)".into(),
                    )));
                }
                r => endpoint(&r),
            },
        };
        let mut spec = ConnectionSpec::new(endpoint(&pre), post);
        spec.name = c.name.value.clone();
        if let Some(f) = &c.function {
            let Ref::Ensemble(i) = pre else {
                return Err(f.error(ErrorKind::Invalid(
                    "only connections from an ensemble's decoded value take a function".into(),
                )));
            };
            let d = self.ensembles[i].dimensions.value as usize;
            spec.function = match &f.value {
                FunctionText::Exprs(texts) => Function::Exprs(
                    texts
                        .iter()
                        .map(|s| Expr::parse(s, d, false, &c.name.value, "function"))
                        .collect::<Result<_, _>>()
                        .map_err(|e| f.error(ErrorKind::Invalid(expr_message(&e))))?,
                ),
                FunctionText::Table { points, values } => {
                    if points[0].len() != d {
                        return Err(f.error(ErrorKind::Invalid(format!(
                            "table points have {} values; `{}` represents {d}",
                            points[0].len(),
                            self.ensembles[i].name.value
                        ))));
                    }
                    Function::Table {
                        points: points.concat(),
                        values: values.concat(),
                        dims: values[0].len(),
                    }
                }
            };
        }
        if let Some(t) = &c.transform {
            spec.transform = t.value.clone();
        }
        spec.synapse = c.synapse.value;
        spec.solver = LstsqL2 {
            reg: c.reg.value,
            method: c.solver.value,
        };
        spec.form = c.form.value;
        if let Some(l) = &c.learning {
            match (l.value, &pre, &spec.post) {
                (LearningRule::Pes { .. }, Ref::Node(_), _) => {
                    return Err(l.error(ErrorKind::Invalid(format!(
                        "PES learns decoders and `{}` is a node, which has none: connect from \
                         an ensemble or its neurons",
                        c.pre.value
                    ))));
                }
                (LearningRule::Voja { .. }, _, Endpoint::Ensemble(_)) => {}
                (LearningRule::Voja { .. }, _, _) => {
                    return Err(l.error(ErrorKind::Invalid(format!(
                        "Voja learns the encoders of an ensemble and `{}` is not one",
                        c.post.value
                    ))));
                }
                _ => {}
            }
            spec.learning = Some(l.value);
        }
        Ok(spec)
    }

    /// The target `<rule>.learning_rule` of connection `c` (Nengo's `conn.learning_rule`):
    /// the error of a PES rule or the learning signal of a Voja rule.
    fn learning_rule(&self, c: &Connection, rule: &str) -> Result<Endpoint, SpecError> {
        let learners = || self.connections.iter().filter(|x| x.learning.is_some());
        match self.connections.iter().find(|x| x.name.value == rule) {
            Some(x) if !x.named => Err(c.post.error(ErrorKind::Invalid(format!(
                "give connection `{rule}` a `name` to target its learning rule"
            )))),
            Some(x) if x.learning.is_none() => Err(c.post.error(ErrorKind::Invalid(format!(
                "connection `{rule}` has no `learning_rule`"
            )))),
            Some(_) if c.learning.is_some() => Err(c.post.error(ErrorKind::Invalid(
                "a connection into a learning rule cannot have a learning rule itself".into(),
            ))),
            Some(_) => Ok(Endpoint::LearningRule(rule.to_string())),
            None => Err(c.post.error(ErrorKind::Invalid(format!(
                "no connection named `{rule}`{}",
                closest(rule, learners().map(|x| x.name.value.as_str()))
                    .map(|s| format!("; did you mean `{s}{RULE_SUFFIX}`?"))
                    .unwrap_or_else(|| {
                        " (name the learning connection and target `<name>.learning_rule`)"
                            .to_string()
                    })
            )))),
        }
    }

    /// A builder error mapped to the spec location of the object and key at fault.
    fn locate(&self, e: NefError) -> SpecError {
        let (object, key) = match &e {
            NefError::Invalid { object, key, .. } | NefError::Expr { object, key, .. } => {
                (object.as_str(), key.as_str())
            }
            NefError::Solve { object, .. } => (object.as_str(), "solver"),
            _ => ("", ""),
        };
        let msg = match &e {
            NefError::Invalid { msg, .. } => msg.clone(),
            NefError::Expr { .. } => expr_message(&e),
            other => other.to_string(),
        };
        let found: Option<(String, Origin)> =
            if let Some(x) = self.ensembles.iter().find(|x| x.name.value == object) {
                Some((
                    x.path(),
                    x.locate(key).unwrap_or_else(|| x.name.origin.clone()),
                ))
            } else if let Some(x) = self.connections.iter().find(|x| x.name.value == object) {
                Some((
                    table_path(&x.name),
                    x.locate(key).unwrap_or_else(|| x.name.origin.clone()),
                ))
            } else if let Some(x) = self.nodes.iter().find(|x| x.name.value == object) {
                Some((table_path(&x.name), x.signal.origin.clone()))
            } else {
                self.probes
                    .iter()
                    .find(|x| x.name.value == object)
                    .map(|x| (table_path(&x.name), x.name.origin.clone()))
            };
        match found {
            Some((path, origin)) if !key.is_empty() => {
                SpecError::new(origin, format!("{path}.{key}"), ErrorKind::Invalid(msg))
            }
            Some((path, origin)) => SpecError::new(origin, path, ErrorKind::Invalid(msg)),
            None => {
                let origin = self
                    .ensembles
                    .first()
                    .map(|x| x.name.origin.clone())
                    .or_else(|| self.nodes.first().map(|x| x.name.origin.clone()))
                    .unwrap_or(Origin {
                        file: String::new(),
                        line: 0,
                        col: 0,
                    });
                SpecError::new(origin, "", ErrorKind::Invalid(e.to_string()))
            }
        }
    }
}

/// `ensemble.a` from the `name` value of `ensemble.a` (or `connection.0` for unnamed).
fn table_path(name: &At<String>) -> String {
    name.key.trim_end_matches(".name").to_string()
}

fn describe(p: &values::PerNeuronParam) -> String {
    match p {
        values::PerNeuronParam::Param(p) => p.to_string(),
        values::PerNeuronParam::Values(v) => format!("{} values", v.len()),
    }
}

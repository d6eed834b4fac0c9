//! `[[projection]]`: synapses from one population to another, sampled by a connection rule
//! (`simcore::connectivity`) and delivered event-driven with delays (`simcore::delivery`).
//!
//! ```toml
//! [[projection]]
//! name = "e_to_all"        # optional; default "<source>_<target>"
//! source = "exc"
//! target = "inh"
//! rule = "fixed_indegree"  # all_to_all | one_to_one | pairwise_bernoulli | fixed_indegree |
//! k = 1000                 # fixed_outdegree | fixed_total_number | explicit
//! weight = 0.1             # or {dist = "normal", mean = 0.1, std = 0.01}; weight_min/_max
//! delay = 1.5e-3           # s, or a distribution table
//! receptor = "delta"       # delta | exponential | alpha | gamma (tau_syn = … s, order = n)
//!                          # | excitatory | inhibitory (conductances of `lif_coba`)
//!
//! [projection.plasticity]  # optional (docs/learning.md): the weights learn
//! rule = "stdp"            # stdp | hebbian | oja | bcm
//! a_plus = 0.005           # stdp: amplitudes (weight units; fractions if multiplicative)
//! a_minus = 0.00525
//! tau_plus = 0.02          # s (default 0.02)
//! tau_minus = 0.02         # s (default 0.02)
//! w_min = 0.0              # hard bounds, weight units (default 0)
//! w_max = 1.0              # required
//! dependence = "additive"  # additive | multiplicative (soft bounds)
//! delay_split = "axonal"   # axonal (Brian2) | dendritic (NEST stdp_synapse)
//! ```
//!
//! Rate rules (`hebbian`: `learning_rate`, `decay`; `oja`: `learning_rate`, `beta`; `bcm`:
//! `learning_rate`, `tau_theta`; all: `tau`, the activity filter, default 0.005 s) act on
//! activities in Hz (spikes of height 1/Δt through `Lowpass(tau)`). Amplitudes, bounds and
//! learning rates are in the units of `weight`; they are converted with it into the receptor's
//! unit.

use std::path::Path;

use simcore::connectivity::{Connect, Dist, Rule, Value};
use simcore::delivery::{Projection as SimProjection, SpikeDelivery};
use simcore::plasticity::{DelaySplit, PlasticDelivery, RateRule, StdpParams, WeightDependence};

use crate::build::Builder;
use crate::error::{ErrorKind, SpecError, closest};
use crate::learned::{LearnedKind, LearnedPlan, PROJECTIONS};
use crate::neuron::{RECEPTORS, receptor_kernel};
use crate::param::{Param, read_param};
use crate::reader::{At, Required, TableReader};
use crate::sections::Names;
use crate::sections::population::Population;

/// Rule names accepted in `rule = "…"`.
pub const RULES: [&str; 7] = [
    "all_to_all",
    "one_to_one",
    "pairwise_bernoulli",
    "fixed_indegree",
    "fixed_outdegree",
    "fixed_total_number",
    "explicit",
];

/// Explicit synapses read from a file: one entry per synapse.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExplicitSynapses {
    /// Source neuron indices.
    pub source: Vec<u32>,
    /// Target neuron indices.
    pub target: Vec<u32>,
    /// Weights, in the receptor's unit (the projection's `weight` when absent).
    pub weight: Option<Vec<f64>>,
    /// Delays, s (the projection's `delay` when absent).
    pub delay: Option<Vec<f64>>,
}

/// Reads explicit synapses from an HDF5 file (`file` ending in `.h5` or `.hdf5`); errors are
/// messages naming the file and dataset. netspec reads CSV itself but does not link libhdf5:
/// the caller that does (the CLI) supplies this reader in [`crate::Spec::synapse_reader`].
pub type SynapseFileReader = fn(&Path) -> Result<ExplicitSynapses, String>;

/// A weight or delay: a constant or a distribution, with optional clip bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct SynValue {
    /// The distribution.
    pub param: Param,
    /// Lower clip bound.
    pub min: Option<f64>,
    /// Upper clip bound.
    pub max: Option<f64>,
}

impl SynValue {
    /// Reads `key` as a number or a distribution table, with optional clip bounds `<key>_min`
    /// and `<key>_max`.
    fn read(
        t: &mut TableReader<'_>,
        key: &'static str,
        min_key: &'static str,
        max_key: &'static str,
    ) -> Result<Option<At<SynValue>>, SpecError> {
        let min = t.f64(min_key)?.map(|x| x.value);
        let max = t.f64(max_key)?.map(|x| x.value);
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            return Err(t.error(
                max_key,
                ErrorKind::OutOfRange {
                    value: hi.to_string(),
                    msg: format!("must be ≥ {min_key} = {lo}"),
                },
            ));
        }
        Ok(read_param(t, key)?.map(|p| p.map(|&param| SynValue { param, min, max })))
    }

    /// The sign of the distribution's mean (of the constant): −1, 0 or 1.
    fn mean_sign(&self) -> f64 {
        let m = match self.param {
            Param::Const(x) => x,
            Param::Uniform { low, high } => 0.5 * (low + high),
            Param::Normal { mean, .. } => mean,
            Param::LogNormal { .. } => 1.0,
        };
        if m > 0.0 {
            1.0
        } else if m < 0.0 {
            -1.0
        } else {
            0.0
        }
    }

    fn to_value(&self, keep_sign: bool) -> Value {
        Value {
            dist: self.param,
            min: self.min,
            max: self.max,
            keep_sign,
        }
    }
}

/// A validated `[[projection]]` entry.
#[derive(Debug)]
pub struct Projection {
    /// Name (default `<source>_<target>`).
    pub name: At<String>,
    /// Source population.
    pub source: At<String>,
    /// Target population.
    pub target: At<String>,
    /// Connection rule name.
    pub rule: At<String>,
    /// The rule with its parameters (explicit synapses are loaded at build).
    rule_params: RuleParams,
    /// Weight, in the target receptor's unit.
    pub weight: At<SynValue>,
    /// Delay, s.
    pub delay: At<SynValue>,
    /// Receptor kind.
    pub receptor: At<String>,
    /// Synaptic time constant, s (filtered receptors).
    pub tau_syn: Option<At<f64>>,
    /// Kernel order n (`gamma` receptors).
    pub order: Option<At<u64>>,
    /// The PSC kernel of filtered current receptors.
    pub kernel: Option<simcore::synapse::PscShape>,
    /// Allow autapses.
    pub allow_autapses: At<bool>,
    /// Allow multapses.
    pub allow_multapses: At<bool>,
    /// Learning rule of the weights (`[projection.plasticity]`), in the units of `weight`.
    pub plasticity: Option<At<Plasticity>>,
}

/// Rule names accepted in `plasticity.rule`.
pub const PLASTICITY_RULES: [&str; 4] = ["stdp", "hebbian", "oja", "bcm"];

/// A projection's learning rule, parameters in the units of `weight`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Plasticity {
    /// Pair STDP (`simcore::plasticity::stdp`).
    Stdp(StdpParams),
    /// Hebbian, Oja or BCM on activities filtered by `Lowpass(tau)`.
    Rate {
        /// The rule.
        rule: RateRule,
        /// Activity filter time constant, s.
        tau: f64,
    },
}

impl Plasticity {
    /// Reads `[projection.plasticity]`.
    fn parse(t: &mut TableReader<'_>) -> Result<Self, SpecError> {
        let rule = t.str("rule")?.required(t, "rule")?;
        let req = |t: &mut TableReader<'_>, k: &'static str| -> Result<f64, SpecError> {
            Ok(t.f64(k)?.required(t, k)?.value)
        };
        let opt = |t: &mut TableReader<'_>, k: &'static str, d: f64| -> Result<f64, SpecError> {
            Ok(t.f64(k)?.map_or(d, |x| x.value))
        };
        let choice = |t: &mut TableReader<'_>,
                      k: &'static str,
                      known: &[&str]|
         -> Result<Option<String>, SpecError> {
            let Some(v) = t.str(k)? else { return Ok(None) };
            if known.contains(&v.value.as_str()) {
                Ok(Some(v.value))
            } else {
                Err(v.error(ErrorKind::Invalid(format!(
                    "unknown `{}` (known: {})",
                    v.value,
                    known.join(", ")
                ))))
            }
        };
        let p = match rule.value.as_str() {
            "stdp" => {
                let dependence = match choice(t, "dependence", &["additive", "multiplicative"])? {
                    Some(d) if d == "multiplicative" => WeightDependence::Multiplicative,
                    _ => WeightDependence::Additive,
                };
                let delay_split = match choice(t, "delay_split", &["axonal", "dendritic"])? {
                    Some(d) if d == "dendritic" => DelaySplit::Dendritic,
                    _ => DelaySplit::Axonal,
                };
                Plasticity::Stdp(StdpParams {
                    a_plus: req(t, "a_plus")?,
                    a_minus: req(t, "a_minus")?,
                    tau_plus: opt(t, "tau_plus", 0.02)?,
                    tau_minus: opt(t, "tau_minus", 0.02)?,
                    w_min: opt(t, "w_min", 0.0)?,
                    w_max: req(t, "w_max")?,
                    dependence,
                    delay_split,
                })
            }
            "hebbian" | "oja" | "bcm" => {
                let rate = req(t, "learning_rate")?;
                let rule = match rule.value.as_str() {
                    "hebbian" => RateRule::Hebbian {
                        rate,
                        decay: opt(t, "decay", 0.0)?,
                    },
                    "oja" => RateRule::Oja {
                        rate,
                        beta: opt(t, "beta", 1.0)?,
                    },
                    _ => RateRule::Bcm {
                        rate,
                        tau_theta: opt(t, "tau_theta", 1.0)?,
                    },
                };
                Plasticity::Rate {
                    rule,
                    tau: opt(t, "tau", 0.005)?,
                }
            }
            other => {
                return Err(rule.error(ErrorKind::Invalid(format!(
                    "unknown plasticity rule `{other}` (known: {}){}",
                    PLASTICITY_RULES.join(", "),
                    closest(other, PLASTICITY_RULES)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default()
                ))));
            }
        };
        let object = t.path().to_string();
        let checked = match p {
            Plasticity::Stdp(s) => s.validate(&object),
            Plasticity::Rate { rule, tau } => rule.validate(&object).and_then(|()| {
                if tau > 0.0 && tau.is_finite() {
                    Ok(())
                } else {
                    Err(simcore::SimError::Param {
                        object: object.clone(),
                        key: "tau",
                        value: tau.to_string(),
                        msg: "must be a positive, finite time".into(),
                    })
                }
            }),
        };
        if let Err(simcore::SimError::Param {
            key, value, msg, ..
        }) = checked
        {
            return Err(t.error(key, ErrorKind::OutOfRange { value, msg }));
        }
        Ok(p)
    }

    /// The rule in the receptor's unit, weights converted by `s` (> 0).
    /// The rule's name as the spec writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Plasticity::Stdp(_) => "stdp",
            Plasticity::Rate { rule, .. } => match rule {
                RateRule::Hebbian { .. } => "hebbian",
                RateRule::Oja { .. } => "oja",
                RateRule::Bcm { .. } => "bcm",
            },
        }
    }

    fn scaled(self, s: f64) -> Self {
        match self {
            Plasticity::Stdp(mut p) => {
                if p.dependence == WeightDependence::Additive {
                    p.a_plus *= s;
                    p.a_minus *= s;
                }
                p.w_min *= s;
                p.w_max *= s;
                Plasticity::Stdp(p)
            }
            Plasticity::Rate { rule, tau } => {
                let rule = match rule {
                    RateRule::Hebbian { rate, decay } => RateRule::Hebbian {
                        rate: rate * s,
                        decay,
                    },
                    RateRule::Oja { rate, beta } => RateRule::Oja {
                        rate: rate * s,
                        beta: beta / s,
                    },
                    RateRule::Bcm { rate, tau_theta } => RateRule::Bcm {
                        rate: rate * s,
                        tau_theta,
                    },
                };
                Plasticity::Rate { rule, tau }
            }
        }
    }
}

#[derive(Debug)]
enum RuleParams {
    Simple(Rule),
    Explicit(At<String>),
}

/// Bytes a synapse may take at the peak of a build: its target (4), per-synapse weight (4)
/// and delay (2), and the sampling and transposition buffers the rows are assembled from.
pub const SYNAPSE_BUILD_BYTES: u64 = 16;

impl Projection {
    /// Synapses the rule makes between `n_pre` sources and `n_post` targets (the mean for
    /// `pairwise_bernoulli`; 0 for `explicit`, whose file bounds its count).
    pub fn expected_synapses(&self, n_pre: u64, n_post: u64) -> f64 {
        let (pre, post) = (n_pre as f64, n_post as f64);
        match &self.rule_params {
            RuleParams::Simple(rule) => match *rule {
                Rule::AllToAll => pre * post,
                Rule::OneToOne => pre.min(post),
                Rule::PairwiseBernoulli { p } => p * pre * post,
                Rule::FixedIndegree { k } => k as f64 * post,
                Rule::FixedOutdegree { k } => k as f64 * pre,
                Rule::FixedTotalNumber { m } => m as f64,
                Rule::Explicit { .. } => 0.0,
            },
            RuleParams::Explicit(_) => 0.0,
        }
    }

    /// Reads one `[[projection]]` table.
    pub fn parse(t: &mut TableReader<'_>, names: &mut Names) -> Result<Self, SpecError> {
        let source = t.str("source")?.required(t, "source")?;
        let target = t.str("target")?.required(t, "target")?;
        let name = t
            .str("name")?
            .unwrap_or_else(|| t.default("name", format!("{}_{}", source.value, target.value)));
        names.claim("projection", &name)?;
        let rule = t.str("rule")?.required(t, "rule")?;
        let count = |t: &mut TableReader<'_>, k: &'static str| -> Result<usize, SpecError> {
            Ok(t.u64(k)?.required(t, k)?.value as usize)
        };
        let rule_params = match rule.value.as_str() {
            "all_to_all" => RuleParams::Simple(Rule::AllToAll),
            "one_to_one" => RuleParams::Simple(Rule::OneToOne),
            "pairwise_bernoulli" => {
                let p = t.f64("p")?.required(t, "p")?.check(
                    |p| (0.0..=1.0).contains(&p),
                    "must be in [0, 1] (a probability)",
                )?;
                RuleParams::Simple(Rule::PairwiseBernoulli { p: p.value })
            }
            "fixed_indegree" => RuleParams::Simple(Rule::FixedIndegree { k: count(t, "k")? }),
            "fixed_outdegree" => RuleParams::Simple(Rule::FixedOutdegree { k: count(t, "k")? }),
            "fixed_total_number" => {
                RuleParams::Simple(Rule::FixedTotalNumber { m: count(t, "m")? })
            }
            "explicit" => RuleParams::Explicit(t.str("file")?.required(t, "file")?),
            other => {
                return Err(rule.error(ErrorKind::Invalid(format!(
                    "unknown rule `{other}` (known: {}){}",
                    RULES.join(", "),
                    closest(other, RULES)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default()
                ))));
            }
        };
        let explicit = matches!(rule_params, RuleParams::Explicit(_));
        let weight = match SynValue::read(t, "weight", "weight_min", "weight_max")? {
            Some(w) => w,
            None if explicit => t.default(
                "weight",
                SynValue {
                    param: Param::Const(0.0),
                    min: None,
                    max: None,
                },
            ),
            None => return Err(t.error("weight", ErrorKind::Missing)),
        };
        let delay = SynValue::read(t, "delay", "delay_min", "delay_max")?.unwrap_or_else(|| {
            t.default(
                "delay",
                SynValue {
                    param: Param::Const(1e-4),
                    min: None,
                    max: None,
                },
            )
        });
        let receptor = t
            .str("receptor")?
            .unwrap_or_else(|| t.default("receptor", "delta".to_string()));
        if !RECEPTORS.contains(&receptor.value.as_str()) {
            return Err(receptor.error(ErrorKind::Invalid(format!(
                "unknown receptor `{}` (known: {})",
                receptor.value,
                RECEPTORS.join(", ")
            ))));
        }
        let tau_syn = t.f64("tau_syn")?.map(At::positive_time).transpose()?;
        let order = t.u64("order")?;
        let kernel = receptor_kernel(
            &receptor.value,
            tau_syn.as_ref().map(|t| t.value),
            order
                .as_ref()
                .map(|o| o.value.min(u64::from(u32::MAX)) as u32),
        )
        .map_err(|msg| receptor.error(ErrorKind::Invalid(msg)))?;
        let allow_autapses = t
            .bool("allow_autapses")?
            .unwrap_or_else(|| t.default("allow_autapses", true));
        let allow_multapses = t
            .bool("allow_multapses")?
            .unwrap_or_else(|| t.default("allow_multapses", true));
        let plasticity = match t.table("plasticity")? {
            Some(mut pt) => {
                let (origin, key) = (pt.origin(), pt.path().to_string());
                let p = Plasticity::parse(&mut pt)?;
                pt.finish()?;
                Some(At {
                    value: p,
                    key,
                    origin,
                })
            }
            None => None,
        };
        t.finish()?;
        Ok(Self {
            name,
            source,
            target,
            rule,
            rule_params,
            weight,
            delay,
            receptor,
            tau_syn,
            order,
            kernel,
            allow_autapses,
            allow_multapses,
            plasticity,
        })
    }

    /// Samples every projection and adds one delivery component for them all.
    pub fn build(
        items: &[Self],
        populations: &[Population],
        spec_file: &str,
        reader: Option<SynapseFileReader>,
        b: &mut Builder,
    ) -> Result<(), SpecError> {
        if items.is_empty() {
            return Ok(());
        }
        let mut built = Vec::with_capacity(items.len());
        let mut stdp = Vec::new();
        let mut rate = Vec::new();
        for (index, p) in items.iter().enumerate() {
            let src = b.population(&p.source)?;
            let dst = b.population(&p.target)?;
            let model = Population::model_of(populations, &p.target)?;
            let syn = model
                .synapse(&p.receptor.value, p.kernel)
                .map_err(|msg| p.receptor.error(ErrorKind::Invalid(msg)))?;
            let negative = p.weight.value.mean_sign() < 0.0;
            let port = b.input_port(dst, &p.target, &syn, &p.receptor, &p.weight, negative)?;
            let rule = match &p.rule_params {
                RuleParams::Simple(r) => r.clone(),
                RuleParams::Explicit(file) => read_explicit(file, spec_file, reader)?,
            };
            if let (
                true,
                Rule::Explicit {
                    weight: Some(w), ..
                },
            ) = (syn.conductance, &rule)
                && let Some(i) = w.iter().position(|&x| x < 0.0)
            {
                return Err(p.rule.error(ErrorKind::Invalid(format!(
                    "synapse {i} of the explicit file has weight {} < 0: conductance weights are \
                     ≥ 0 ({}); inhibition is `receptor = \"inhibitory\"`",
                    w[i], syn.unit
                ))));
            }
            let mut weight = p.weight.value.to_value(true);
            scale_value(&mut weight, syn.scale);
            let rule = match rule {
                Rule::Explicit {
                    pre,
                    post,
                    weight: Some(w),
                    delay,
                } => Rule::Explicit {
                    pre,
                    post,
                    weight: Some(w.into_iter().map(|x| x * syn.scale).collect()),
                    delay,
                },
                r => r,
            };
            let mut conn = Connect::new(rule, weight, p.delay.value.to_value(false));
            conn.allow_autapses = p.allow_autapses.value;
            conn.allow_multapses = p.allow_multapses.value;
            let sizes = (b.info[src].size, b.info[dst].size);
            let csr = conn
                .build(
                    &p.name.value,
                    sizes.0,
                    sizes.1,
                    src == dst,
                    b.dt,
                    b.seed,
                    b.par,
                )
                .map_err(|e| p.rule.error(ErrorKind::Invalid(e.to_string())))?;
            b.synapses += csr.len() as u64;
            if let Some(pl) = &p.plasticity {
                if syn.scale.is_nan() || syn.scale <= 0.0 {
                    return Err(pl.error(ErrorKind::Invalid(format!(
                        "receptor `{}` converts weights with a non-positive factor; plasticity needs a positive one",
                        p.receptor.value
                    ))));
                }
                b.learned.push(LearnedPlan {
                    name: p.name.value.clone(),
                    rule: pl.value.name(),
                    pre: p.source.value.clone(),
                    post: p.target.value.clone(),
                    rows: 0,
                    kind: LearnedKind::Weights {
                        projection: index,
                        scale: syn.scale,
                        unit: syn.unit,
                    },
                });
                match pl.value.scaled(syn.scale) {
                    Plasticity::Stdp(s) => stdp.push((index, s)),
                    Plasticity::Rate { rule, tau } => rate.push((index, rule, tau)),
                }
            }
            built.push(SimProjection {
                name: p.name.value.clone(),
                source: src,
                target: dst,
                port,
                receptor: syn.receptor,
                csr,
            });
        }
        let sizes: Vec<usize> = b.info.iter().map(|i| i.size).collect();
        let ports: Vec<usize> = b
            .populations
            .iter()
            .map(|p| p.neurons.ports().len())
            .collect();
        let delivery = SpikeDelivery::new(PROJECTIONS, built, &sizes, &ports, b.dt)
            .map_err(|e| items[0].name.error(ErrorKind::Invalid(e.to_string())))?;
        if stdp.is_empty() && rate.is_empty() {
            b.components.push(Box::new(delivery));
            return Ok(());
        }
        let fail = |i: usize, e: simcore::SimError| match &items[i].plasticity {
            Some(p) => p.error(ErrorKind::Invalid(e.to_string())),
            None => items[i].name.error(ErrorKind::Invalid(e.to_string())),
        };
        // STDP errors (per-synapse delays…) name the first STDP projection at fault.
        let mut plastic =
            PlasticDelivery::new(PROJECTIONS, delivery, stdp.clone()).map_err(|e| {
                let i = stdp
                    .iter()
                    .map(|s| s.0)
                    .find(|&i| {
                        e.to_string()
                            .contains(&format!("`{}`", items[i].name.value))
                    })
                    .unwrap_or(stdp.first().map_or(0, |s| s.0));
                fail(i, e)
            })?;
        for (i, rule, tau) in rate {
            plastic = plastic
                .with_rate_rule(i, rule, tau, b.dt)
                .map_err(|e| fail(i, e))?;
        }
        b.components.push(Box::new(plastic));
        Ok(())
    }
}

/// Multiplies a weight distribution by `s` (unit conversion into the port's unit).
fn scale_value(v: &mut Value, s: f64) {
    v.dist = match v.dist {
        Dist::Const(x) => Dist::Const(x * s),
        Dist::Uniform { low, high } => {
            let (a, b) = (low * s, high * s);
            Dist::Uniform {
                low: a.min(b),
                high: a.max(b),
            }
        }
        Dist::Normal { mean, std } => Dist::Normal {
            mean: mean * s,
            std: std * s.abs(),
        },
        Dist::LogNormal { mu, sigma } => Dist::LogNormal {
            mu: mu + s.abs().ln(),
            sigma,
        },
    };
    v.min = v.min.map(|x| x * s);
    v.max = v.max.map(|x| x * s);
    if s < 0.0 {
        std::mem::swap(&mut v.min, &mut v.max);
    }
}

/// Reads explicit synapses from `file` (relative to the spec file's folder): HDF5 (`.h5`,
/// `.hdf5`) through `reader`, anything else as CSV with a header naming the columns `source`,
/// `target` and optionally `weight` and `delay` (s).
fn read_explicit(
    file: &At<String>,
    spec_file: &str,
    reader: Option<SynapseFileReader>,
) -> Result<Rule, SpecError> {
    let base = Path::new(spec_file).parent().unwrap_or(Path::new(""));
    let path = base.join(&file.value);
    let bad = |msg: String| file.error(ErrorKind::Invalid(msg));
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("h5") || ext.eq_ignore_ascii_case("hdf5") {
        let Some(read) = reader else {
            return Err(bad(format!(
                "`{}`: HDF5 synapse files are read by the spikesim CLI; this program gave the \
                 spec no HDF5 reader (use a CSV file)",
                path.display()
            )));
        };
        let syn = read(&path).map_err(bad)?;
        return explicit_rule(syn).map_err(|msg| bad(format!("`{}`: {msg}", path.display())));
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| bad(format!("cannot read `{}`: {e}", path.display())))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(bad(format!("`{}` is empty", path.display())));
    };
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    let col = |name: &str| cols.iter().position(|c| *c == name);
    let (Some(ci), Some(cj)) = (col("source"), col("target")) else {
        return Err(bad(format!(
            "`{}`: the header must name columns `source` and `target` (optional `weight`, `delay`), found `{header}`",
            path.display()
        )));
    };
    let (cw, cd) = (col("weight"), col("delay"));
    let (mut pre, mut post, mut w, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (line, l) in lines {
        let f: Vec<&str> = l.split(',').map(str::trim).collect();
        let field = |c: usize, what: &str| -> Result<&str, SpecError> {
            f.get(c).copied().ok_or_else(|| {
                bad(format!(
                    "`{}` line {}: missing {what}",
                    path.display(),
                    line + 1
                ))
            })
        };
        let int = |c: usize, what: &str| -> Result<u32, SpecError> {
            field(c, what)?.parse().map_err(|_| {
                bad(format!(
                    "`{}` line {}: {what} is not a neuron index",
                    path.display(),
                    line + 1
                ))
            })
        };
        let num = |c: usize, what: &str| -> Result<f64, SpecError> {
            let x: f64 = field(c, what)?.parse().map_err(|_| {
                bad(format!(
                    "`{}` line {}: {what} is not a number",
                    path.display(),
                    line + 1
                ))
            })?;
            if x.is_finite() {
                Ok(x)
            } else {
                Err(bad(format!(
                    "`{}` line {}: {what} is not finite",
                    path.display(),
                    line + 1
                )))
            }
        };
        pre.push(int(ci, "source")?);
        post.push(int(cj, "target")?);
        if let Some(c) = cw {
            w.push(num(c, "weight")?);
        }
        if let Some(c) = cd {
            d.push(num(c, "delay")?);
        }
    }
    Ok(Rule::Explicit {
        pre,
        post,
        weight: cw.map(|_| w),
        delay: cd.map(|_| d),
    })
}

/// Checks explicit synapses read from a file (equal lengths, finite values) and makes the
/// rule; errors are messages.
fn explicit_rule(syn: ExplicitSynapses) -> Result<Rule, String> {
    let n = syn.source.len();
    if syn.target.len() != n {
        return Err(format!(
            "`target` has {} entries but `source` has {n}",
            syn.target.len()
        ));
    }
    for (name, col) in [("weight", &syn.weight), ("delay", &syn.delay)] {
        let Some(v) = col else { continue };
        if v.len() != n {
            return Err(format!(
                "`{name}` has {} entries but `source` has {n}",
                v.len()
            ));
        }
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            return Err(format!("`{name}`[{i}] = {} is not finite", v[i]));
        }
    }
    Ok(Rule::Explicit {
        pre: syn.source,
        post: syn.target,
        weight: syn.weight,
        delay: syn.delay,
    })
}

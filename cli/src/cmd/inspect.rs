//! `spikesim inspect FILE.h5`: populations, spike counts, rates, probes and provenance of an
//! output file (SONATA, or NWB 2 from `run --format nwb`); `--json` for machines.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use hdf5::types::{
    FixedAscii, FixedUnicode, FloatSize, IntSize, TypeDescriptor, VarLenAscii, VarLenUnicode,
};
use hdf5::{Attribute, File, Location};
use serde_json::{Map, Value, json};

use crate::output::h5::text;
use crate::output::sonata::SpikeGroup;

/// Arguments of `spikesim inspect`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  spikesim inspect lif_small.h5\n  spikesim inspect out.h5 --json | jq .populations"
)]
pub struct Args {
    /// A file written by `spikesim run`.
    pub file: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// An attribute's value as JSON (scalars and 1-D arrays of numbers and strings).
pub fn attr_value(a: &Attribute) -> Value {
    let Ok(desc) = a.dtype().and_then(|d| d.to_descriptor()) else {
        return Value::Null;
    };
    let scalar = a.is_scalar();
    macro_rules! num {
        ($t:ty) => {
            if scalar {
                a.read_scalar::<$t>()
                    .map(|v| json!(v))
                    .unwrap_or(Value::Null)
            } else {
                a.read_raw::<$t>().map(|v| json!(v)).unwrap_or(Value::Null)
            }
        };
    }
    macro_rules! text {
        ($t:ty) => {
            if scalar {
                a.read_scalar::<$t>()
                    .map(|v| json!(text(v.as_bytes())))
                    .unwrap_or(Value::Null)
            } else {
                a.read_raw::<$t>()
                    .map(|v| json!(v.iter().map(|s| text(s.as_bytes())).collect::<Vec<_>>()))
                    .unwrap_or(Value::Null)
            }
        };
    }
    match desc {
        TypeDescriptor::Unsigned(IntSize::U8) => num!(u64),
        TypeDescriptor::Unsigned(_) => num!(u32),
        TypeDescriptor::Integer(IntSize::U8) => num!(i64),
        TypeDescriptor::Integer(_) => num!(i32),
        TypeDescriptor::Float(FloatSize::U8) => num!(f64),
        TypeDescriptor::Float(_) => num!(f32),
        // Strings in each of HDF5's four forms (HDF5 converts neither between ASCII and
        // UTF-8 nor from variable to fixed length); fixed-length ones (h5py's `np.bytes_`) are
        // read through a 255-byte buffer, their NUL padding dropped.
        TypeDescriptor::VarLenUnicode => text!(VarLenUnicode),
        TypeDescriptor::VarLenAscii => text!(VarLenAscii),
        TypeDescriptor::FixedAscii(_) => text!(FixedAscii<255>),
        TypeDescriptor::FixedUnicode(_) => text!(FixedUnicode<255>),
        TypeDescriptor::Enum(e) => {
            let v = a.read_scalar::<i8>().unwrap_or(-1);
            e.members
                .iter()
                .find(|m| m.value as i64 == v as i64)
                .map_or(Value::Null, |m| json!(m.name))
        }
        _ => Value::Null,
    }
}

fn attrs(loc: &Location) -> Map<String, Value> {
    let mut m = Map::new();
    for name in loc.attr_names().unwrap_or_default() {
        if let Ok(a) = loc.attr(&name) {
            m.insert(name, attr_value(&a));
        }
    }
    m
}

/// Everything `inspect` reports, as JSON.
pub fn describe(file: &File) -> Result<Value> {
    let nwb = file.link_exists("units") && file.link_exists("general");
    if !nwb && !file.link_exists("spikes") {
        bail!("neither /spikes (SONATA) nor /units (NWB): not a spike file written by spikesim");
    }
    let (format, prov_path, probes_path) = if nwb {
        ("nwb", "general/spikesim", "acquisition")
    } else {
        ("sonata", "provenance", "probes")
    };
    let mut prov = if file.link_exists(prov_path) {
        let g = file.group(prov_path)?;
        attrs(&g)
    } else {
        Map::new()
    };
    // Unknown in files of other writers (no provenance): rates are then not computed.
    let duration_s = match (prov.get("t_start"), prov.get("t_stop")) {
        (Some(a), Some(b)) => Some((b.as_f64().unwrap_or(0.0) - a.as_f64().unwrap_or(0.0)) * 1e-3),
        _ => None,
    };
    let names: Vec<String> = prov
        .get("population_names")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let recorded: Vec<u64> = prov
        .get("recorded_neurons")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let pops = if nwb {
        units_populations(file, &names, &recorded, duration_s)?
    } else {
        sonata_populations(file, &names, &recorded, duration_s)?
    };
    let mut probes = Vec::new();
    if file.link_exists(probes_path) {
        let g = file.group(probes_path)?;
        for name in g.member_names()? {
            let p = g.group(&name)?;
            let data = p.dataset("data")?;
            let mut m = attrs(&p);
            m.insert("name".into(), json!(name));
            m.insert("shape".into(), json!(data.shape()));
            m.insert(
                "units".into(),
                data.attr("units")
                    .map(|a| attr_value(&a))
                    .unwrap_or(Value::Null),
            );
            probes.push(Value::Object(m));
        }
    }
    prov.remove("spec_toml");
    Ok(json!({
        "format": format,
        "duration_s": duration_s,
        "populations": pops,
        "probes": probes,
        "learned": learned(file)?,
        "provenance": prov,
    }))
}

/// What plastic projections and learning connections learned (`/weights`, `/decoders`,
/// `/encoders`): per object its rule, shape, and min/mean/max of the values.
fn learned(file: &File) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for root in ["weights", "decoders", "encoders"] {
        if !file.link_exists(root) {
            continue;
        }
        let g = file.group(root)?;
        for name in g.member_names()? {
            let (mut m, ds) = if root == "weights" {
                let p = g.group(&name)?;
                let ds = p.dataset("weight")?;
                let mut m = attrs(&p);
                m.insert(
                    "units".into(),
                    ds.attr("units")
                        .map(|a| attr_value(&a))
                        .unwrap_or(Value::Null),
                );
                (m, ds)
            } else {
                let ds = g.dataset(&name)?;
                (attrs(&ds), ds)
            };
            let v: Vec<f64> = ds.read_raw()?;
            let (lo, hi) = v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
            m.insert("name".into(), json!(name));
            m.insert("what".into(), json!(root));
            m.insert("shape".into(), json!(ds.shape()));
            if !v.is_empty() {
                m.insert("min".into(), json!(lo));
                m.insert("mean".into(), json!(mean));
                m.insert("max".into(), json!(hi));
            }
            out.push(Value::Object(m));
        }
    }
    Ok(out)
}

/// Mean rate of `count` spikes of `recorded` neurons over `duration_s` (null when the
/// duration is unknown; 0 for no recorded neuron or no time).
fn rate_hz(count: u64, recorded: u64, duration_s: Option<f64>) -> Value {
    match duration_s {
        Some(d) if recorded > 0 && d > 0.0 => json!(count as f64 / recorded as f64 / d),
        Some(_) => json!(0.0),
        None => Value::Null,
    }
}

/// Populations of a SONATA file: one group each under `/spikes`.
fn sonata_populations(
    file: &File,
    names: &[String],
    recorded: &[u64],
    duration_s: Option<f64>,
) -> Result<Vec<Value>> {
    let mut pops = Vec::new();
    let spikes = file.group("spikes")?;
    for name in spikes.member_names()? {
        let pop = SpikeGroup::open(&spikes, &name)?;
        let (n_nodes, count) = (pop.n_nodes, pop.len() as u64);
        let rec = names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| recorded.get(i).copied())
            .unwrap_or(n_nodes);
        pops.push(json!({
            "name": name,
            "n_nodes": n_nodes,
            "recorded_neurons": rec,
            "spikes": count,
            "rate_hz": rate_hz(count, rec, duration_s),
            "sorting": pop.group.attr("sorting").ok().map(|a| attr_value(&a)).unwrap_or(Value::Null),
        }));
    }
    Ok(pops)
}

/// Populations of an NWB file: the `/units` rows grouped by their `population` column (in
/// file order; every neuron is a unit, silent ones included).
fn units_populations(
    file: &File,
    names: &[String],
    recorded: &[u64],
    duration_s: Option<f64>,
) -> Result<Vec<Value>> {
    let units = file.group("units")?;
    let ends: Vec<u64> = units.dataset("spike_times_index")?.read_raw()?;
    let pop: Vec<VarLenUnicode> = units.dataset("population")?.read_raw()?;
    if pop.len() != ends.len() {
        bail!("/units: `population` and `spike_times_index` differ in length");
    }
    // (name, units, spikes) in order of first appearance.
    let mut rows: Vec<(String, u64, u64)> = Vec::new();
    let mut start = 0u64;
    for (name, &end) in pop.iter().zip(&ends) {
        let name = text(name.as_bytes());
        let spikes = end.saturating_sub(start);
        start = end;
        match rows.iter_mut().find(|r| r.0 == name) {
            Some(r) => {
                r.1 += 1;
                r.2 += spikes;
            }
            None => rows.push((name, 1, spikes)),
        }
    }
    Ok(rows
        .into_iter()
        .map(|(name, n, count)| {
            let rec = names
                .iter()
                .position(|p| *p == name)
                .and_then(|i| recorded.get(i).copied())
                .unwrap_or(n);
            json!({
                "name": name,
                "n_nodes": n,
                "recorded_neurons": rec,
                "spikes": count,
                "rate_hz": rate_hz(count, rec, duration_s),
                "sorting": "by_id",
            })
        })
        .collect())
}

/// Runs the command.
pub fn run(args: &Args) -> Result<()> {
    let file = File::open(&args.file)
        .with_context(|| format!("cannot open {} as HDF5", args.file.display()))?;
    let d = describe(&file)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
        return Ok(());
    }
    let duration = match d["duration_s"].as_f64() {
        Some(t) => format!("{t:?} s simulated"),
        None => "duration unknown: no provenance".into(),
    };
    println!(
        "{} ({}, {duration})",
        args.file.display(),
        d["format"].as_str().unwrap_or("")
    );
    println!(
        "{:<16} {:>10} {:>10} {:>12} {:>10}  sorting",
        "population", "neurons", "recorded", "spikes", "rate (Hz)"
    );
    for p in d["populations"].as_array().into_iter().flatten() {
        println!(
            "{:<16} {:>10} {:>10} {:>12} {:>10}  {}",
            p["name"].as_str().unwrap_or(""),
            p["n_nodes"].to_string(),
            p["recorded_neurons"].to_string(),
            p["spikes"].to_string(),
            p["rate_hz"]
                .as_f64()
                .map_or("-".to_string(), |r| format!("{r:.2}")),
            p["sorting"].as_str().unwrap_or("-")
        );
    }
    let probes = d["probes"].as_array().cloned().unwrap_or_default();
    if !probes.is_empty() {
        println!("probes:");
        for p in probes {
            println!(
                "  {:<14} {}.{}  shape {}  units {}  every {} ms",
                p["name"].as_str().unwrap_or(""),
                p["target"].as_str().unwrap_or(""),
                p["variable"].as_str().unwrap_or(""),
                p["shape"],
                p["units"],
                p["sample_every"]
            );
        }
    }
    let learned = d["learned"].as_array().cloned().unwrap_or_default();
    if !learned.is_empty() {
        println!("learned:");
        for l in learned {
            println!(
                "  {:<14} {} {}  shape {}  min {:.4e}  mean {:.4e}  max {:.4e}{}",
                l["name"].as_str().unwrap_or(""),
                l["rule"].as_str().unwrap_or(""),
                l["what"].as_str().unwrap_or(""),
                l["shape"],
                l["min"].as_f64().unwrap_or(f64::NAN),
                l["mean"].as_f64().unwrap_or(f64::NAN),
                l["max"].as_f64().unwrap_or(f64::NAN),
                l["units"]
                    .as_str()
                    .map(|u| format!("  units {u}"))
                    .unwrap_or_default()
            );
        }
    }
    println!("provenance:");
    if let Some(m) = d["provenance"].as_object() {
        for (k, v) in m {
            println!("  {k:<18} {v}");
        }
    }
    Ok(())
}

//! No input makes the spec reader panic: proptest generates documents from the spec's own keys
//! (mixed with misspelt keys, wrong types, NaN/inf, huge and negative numbers, nested tables)
//! and raw byte soup, and runs parse → validate → build on each.

use netspec::Spec;
use proptest::prelude::*;

const KEYS: &[&str] = &[
    "dt",
    "duration",
    "seed",
    "threads",
    "name",
    "size",
    "model",
    "tau_rc",
    "tau_ref",
    "min_voltage",
    "gain",
    "bias",
    "input",
    "v0",
    "c_m_pf",
    "tau_m_ms",
    "e_l_mv",
    "v_th_mv",
    "v_reset_mv",
    "t_ref_ms",
    "i_e_pa",
    "v_m_mv",
    "target",
    "variable",
    "neurons",
    "sample_every",
    "dist",
    "low",
    "high",
    "mean",
    "std",
    "start",
    "stop",
    "step",
    "tau_r",
    "nme",
];

fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        (-5i64..20).prop_map(|i| i.to_string()),
        prop_oneof![
            Just("nan".to_string()),
            Just("inf".to_string()),
            Just("-inf".to_string()),
            Just("0.0".to_string()),
            Just("1e-4".to_string()),
            Just("1e308".to_string()),
            Just("-0.02".to_string()),
        ],
        any::<f64>().prop_map(|f| format!("{f:e}")),
        prop_oneof![
            Just("\"lif\"".to_string()),
            Just("\"lif_physical\"".to_string()),
            Just("\"a\"".to_string()),
            Just("\"v\"".to_string()),
            Just("\"spikes\"".to_string()),
            Just("\"uniform\"".to_string()),
            Just("\"normal\"".to_string()),
            Just("\"\"".to_string()),
        ],
        any::<bool>().prop_map(|b| b.to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(|kv| {
                let mut seen = Vec::new();
                let body: Vec<String> = kv
                    .into_iter()
                    .filter(|(k, _)| {
                        let fresh = !seen.contains(k);
                        seen.push(*k);
                        fresh
                    })
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect();
                format!("{{{}}}", body.join(", "))
            }),
        ]
    })
}

fn table(header: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec((prop::sample::select(KEYS), value()), 0..8).prop_map(move |kv| {
        let mut seen = Vec::new();
        let mut s = format!("{header}\n");
        for (k, v) in kv {
            if !seen.contains(&k) {
                seen.push(k);
                s.push_str(&format!("{k} = {v}\n"));
            }
        }
        s
    })
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            table("[simulation]"),
            table("[[population]]"),
            table("[[probe]]"),
            table("[[populaton]]"),
        ],
        0..5,
    )
    .prop_map(|t| t.concat())
}

/// Parse, validate and (for small networks) build: any outcome but a panic is fine.
fn exercise(text: &str, overrides: &[String]) {
    if let Ok(spec) = Spec::parse("fuzz.toml", text, overrides) {
        let neurons: u64 = spec.populations.iter().map(|p| p.size.value).sum();
        if neurons <= 100_000 {
            let _ = spec.build();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn generated_documents_never_panic(doc in document(), set in prop::collection::vec(
        (prop::sample::select(&["simulation.dt", "population.0.size", "population.a.tau_rc",
            "probe.0.neurons", "x.y.z", "simulation", ".", "population.9.name"][..]), value()), 0..3)) {
        let overrides: Vec<String> = set.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        exercise(&doc, &overrides);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}", set in "\\PC{0,40}") {
        exercise(&text, &[set]);
    }

    #[test]
    fn valid_documents_with_random_values_never_panic(
        size in 0u64..300, tau in any::<f64>(), bias in any::<f64>(), dt in any::<f64>()) {
        let doc = format!(
            "[simulation]\ndt = {dt:e}\nduration = 0.01\n[[population]]\nname = \"a\"\n\
             size = {size}\ntau_rc = {tau:e}\nbias = {bias:e}\n");
        exercise(&doc, &[]);
    }
}

/// Spec files: (file name, text).
type Files = Vec<(String, String)>;

/// The shipped examples (network specs, and training specs under `examples/dense/`).
fn examples() -> (Files, Files) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let read = |dir: std::path::PathBuf| -> Files {
        let mut v: Files = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        v.sort();
        v
    };
    (read(root.clone()), read(root.join("dense")))
}

/// Every `key` of a `key = value` line of the examples: the vocabulary mutations draw from.
fn example_keys(docs: &Files) -> Vec<String> {
    let mut keys: Vec<String> = docs
        .iter()
        .flat_map(|(_, t)| t.lines())
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.is_empty() && !k.starts_with('#') && !k.contains(' '))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// One edit of a spec's text, at a line chosen by `at` (modulo the line count).
#[derive(Clone, Debug)]
enum Edit {
    /// Replace the value of a `key = value` line.
    Value(usize, String),
    /// Replace the key of a `key = value` line by another example key (index into the keys).
    Key(usize, usize),
    /// Misspell the key (drop one character).
    Misspell(usize),
    /// Delete the line.
    Delete(usize),
    /// Repeat the line (duplicate keys, or another table of an array).
    Repeat(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), value()).prop_map(|(at, v)| Edit::Value(at, v)),
        (any::<usize>(), any::<usize>()).prop_map(|(at, k)| Edit::Key(at, k)),
        any::<usize>().prop_map(Edit::Misspell),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Repeat),
    ]
}

/// `text` with `edits` applied.
fn apply(text: &str, edits: &[Edit], keys: &[String]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for e in edits {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        let kv = |l: &str| {
            l.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        };
        match e {
            Edit::Value(at, v) => {
                if let Some((k, _)) = kv(&lines[at % n]) {
                    lines[at % n] = format!("{k}= {v}");
                }
            }
            Edit::Key(at, key) => {
                if let Some((_, v)) = kv(&lines[at % n]) {
                    lines[at % n] = format!("{} ={v}", keys[key % keys.len()]);
                }
            }
            Edit::Misspell(at) => {
                if let Some((k, v)) = kv(&lines[at % n]) {
                    // Drop one character (not byte: example comments hold `τ`, `Δ`).
                    let chars: Vec<char> = k.trim().chars().collect();
                    if chars.len() > 1 {
                        let cut = at % chars.len();
                        let k: String = chars[..cut].iter().chain(&chars[cut + 1..]).collect();
                        lines[at % n] = format!("{k} ={v}");
                    }
                }
            }
            Edit::Delete(at) => {
                lines.remove(at % n);
            }
            Edit::Repeat(at) => {
                let l = lines[at % n].clone();
                lines.insert(at % n, l);
            }
        }
    }
    lines.join("\n")
}

/// Examples small enough to build in a test case (no 10⁷-synapse networks, no large solves).
const BUILDABLE: &[&str] = &[
    "lif_small.toml",
    "lif_pop.toml",
    "generators.toml",
    "hh_psc_alpha.toml",
    "nef_channel.toml",
    "nef_squaring.toml",
    "nef_pes_learn.toml",
    "stdp_song.toml",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every shipped example, network or training spec, with a few edits (values of any
    /// type, keys of other sections, misspellings, deleted and repeated lines): parsing and
    /// validation never panic, and small networks build or fail cleanly.
    #[test]
    fn edited_examples_never_panic(
        pick in any::<usize>(),
        edits in prop::collection::vec(edit(), 1..4),
        small in (any::<usize>(), -3i64..60, prop::collection::vec(any::<usize>(), 1..3)),
    ) {
        let (nets, trains) = examples();
        let all: Vec<_> = nets.iter().chain(&trains).cloned().collect();
        let keys = example_keys(&all);
        let (name, text) = &all[pick % all.len()];
        let edited = apply(text, &edits, &keys);
        if trains.iter().any(|(n, _)| n == name) {
            let _ = netspec::train::TrainSpec::parse(name, &edited, &[]);
        } else {
            let _ = Spec::parse(name, &edited, &[]);
        }
        // Small networks: small integer edits only (sizes stay small), then build.
        let buildable: Vec<_> = nets.iter().filter(|(n, _)| BUILDABLE.contains(&n.as_str())).collect();
        let (name, text) = buildable[small.0 % buildable.len()];
        let edits: Vec<Edit> = small.2.iter().map(|&at| Edit::Value(at, small.1.to_string())).collect();
        if let Ok(spec) = Spec::parse(name, &apply(text, &edits, &keys), &[]) {
            let neurons: u64 = spec.populations.iter().map(|p| p.size.value).sum();
            if neurons <= 20_000 {
                let _ = spec.build();
            }
        }
    }
}

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

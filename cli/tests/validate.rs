//! `spikesim validate` end to end: exit codes, JSON contract, plots.

use std::process::Command;

fn spikesim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_spikesim"))
}

#[test]
fn validate_lif_quick_json_on_stdout_passes() {
    let out = spikesim()
        .args(["validate", "lif", "--quick", "--json", "-"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let checks = doc["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0]["name"], "lif");
    assert_eq!(checks[0]["passed"], true);
    let metrics = checks[0]["metrics"].as_object().unwrap();
    let limits = checks[0]["limits"].as_object().unwrap();
    let ratios: Vec<f64> = metrics
        .iter()
        .filter(|(k, _)| k.ends_with("/max_error_over_tolerance"))
        .map(|(_, v)| v.as_f64().unwrap())
        .collect();
    assert_eq!(ratios.len(), 4, "{metrics:?}");
    assert!(ratios.iter().all(|&r| r > 0.0 && r <= 1.0), "{ratios:?}");
    assert!(limits.keys().all(|k| metrics.contains_key(k)));
    // The table went to stderr, with a PASS row per limited metric.
    assert!(stderr.contains("max_error_over_tolerance") && stderr.contains("PASS"));
    assert!(!stderr.contains("FAIL "));
}

#[test]
fn validate_writes_json_file_and_plots() {
    let dir = std::env::temp_dir().join(format!("spikesim-cli-validate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let json = dir.join("out.json");
    let plots = dir.join("plots");
    std::fs::create_dir_all(&dir).unwrap();
    let out = spikesim()
        .args(["validate", "--quick", "--json"])
        .arg(&json)
        .arg("--plots")
        .arg(&plots)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("check"), "table on stdout: {stdout}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["passed"] == true)
    );
    for f in ["lif_rates.png", "lif_rate_error.png"] {
        let bytes = std::fs::read(plots.join(f)).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_check_is_a_usage_error_listing_known_checks() {
    let out = spikesim().args(["validate", "lfi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: unknown check `lfi`"), "{stderr}");
    assert!(stderr.contains("lif"), "{stderr}");
}

#[test]
fn bad_flags_are_usage_errors_and_help_has_examples() {
    let out = spikesim()
        .args(["validate", "--threads", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = spikesim().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("Examples:") && help.contains("spikesim validate lif"),
        "{help}"
    );
}

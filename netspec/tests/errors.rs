//! Each class of spec error, with its exact message (file, line, column, dotted key, what).

use netspec::Spec;

const BASE: &str = "[simulation]
dt = 1e-4
duration = 1.0

[[population]]
name = \"exc\"
size = 10
bias = 2.0
";

fn err(text: &str, overrides: &[&str]) -> String {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    match Spec::parse("net.toml", text, &o).and_then(|s| s.build().map(|_| ())) {
        Ok(()) => panic!("spec accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_base_spec_is_valid() {
    let spec = Spec::parse("net.toml", BASE, &[]).unwrap();
    assert_eq!(spec.simulation.steps, 10_000);
    spec.build().unwrap();
}

#[test]
fn syntax_error() {
    assert_eq!(
        err("[simulation\ndt = 1\n", &[]),
        "net.toml:1:12: TOML syntax error: unclosed table, expected `]`"
    );
}

#[test]
fn unknown_key_with_suggestion() {
    let text = BASE.replace("bias = 2.0", "bias = 2.0\ntau_rcc = 0.02");
    assert_eq!(
        err(&text, &[]),
        "net.toml:9:1: `population.exc.tau_rcc`: unknown key; did you mean `tau_rc`?"
    );
    let text = BASE.replace("[[population]]", "[[populations]]");
    assert_eq!(
        err(&text, &[]),
        "net.toml:5:3: `populations`: unknown key; did you mean `population`?"
    );
}

#[test]
fn missing_key() {
    assert_eq!(
        err(&BASE.replace("size = 10\n", ""), &[]),
        "net.toml:5:1: `population.exc.size`: missing required key"
    );
}

#[test]
fn misspelt_required_key_is_reported_as_the_misspelling() {
    assert_eq!(
        err(&BASE.replace("duration = 1.0", "duraton = 1.0"), &[]),
        "net.toml:3:1: `simulation.duraton`: unknown key; did you mean `duration`?"
    );
}

#[test]
fn wrong_type() {
    assert_eq!(
        err(&BASE.replace("size = 10", "size = \"ten\""), &[]),
        "net.toml:7:8: `population.exc.size`: expected a non-negative integer, found a string"
    );
}

#[test]
fn non_positive_time_constant() {
    assert_eq!(
        err(
            &BASE.replace("bias = 2.0", "bias = 2.0\ntau_rc = -0.02"),
            &[]
        ),
        "net.toml:9:10: `population.exc.tau_rc`: -0.02 must be > 0 (a time, in s)"
    );
    assert_eq!(
        err(&BASE.replace("dt = 1e-4", "dt = 0"), &[]),
        "net.toml:2:6: `simulation.dt`: 0 must be > 0 (a time, in s)"
    );
}

#[test]
fn nan_and_infinity() {
    assert_eq!(
        err(&BASE.replace("bias = 2.0", "bias = nan"), &[]),
        "net.toml:8:8: `population.exc.bias`: NaN is not a finite number (NaN and infinities are rejected)"
    );
    assert_eq!(
        err(
            &BASE.replace(
                "bias = 2.0",
                "bias = {dist = \"normal\", mean = 1, std = inf}"
            ),
            &[]
        ),
        "net.toml:8:42: `population.exc.bias.std`: inf is not a finite number (NaN and infinities are rejected)"
    );
}

#[test]
fn duration_not_a_multiple_of_dt() {
    assert_eq!(
        err(&BASE.replace("duration = 1.0", "duration = 1.00005"), &[]),
        "net.toml:3:12: `simulation.duration`: duration 1.00005 s is not a whole number of steps \
         of dt = 0.0001 s (10000.5 steps); choose a duration that is a multiple of dt"
    );
}

#[test]
fn unknown_population_reference() {
    let text = format!("{BASE}\n[[probe]]\nname = \"v\"\ntarget = \"exd\"\nvariable = \"v\"\n");
    assert_eq!(
        err(&text, &[]),
        "net.toml:12:10: `probe.v.target`: no population named `exd`; did you mean `exc`?"
    );
}

#[test]
fn refractory_shorter_than_dt_on_a_fast_neuron() {
    // τ_ref = 0, J = 1000: G(J) = 1/(0.02·ln(1000/999)) ≈ 49975 Hz > 1/dt = 10 kHz.
    let text = BASE.replace("bias = 2.0", "bias = 1000.0\ntau_ref = 0.0");
    assert_eq!(
        err(&text, &[]),
        "net.toml:9:11: `population.exc.tau_ref`: refractory period 0 s is shorter than dt = 0.0001 s \
         and neuron 0 would fire at 49975.0 Hz, more than once per step (1/dt = 10000.0 Hz): its \
         rate would be clipped; use a refractory period ≥ dt, a smaller dt or a weaker drive"
    );
    // The same refractory period with a weak drive is fine.
    Spec::parse(
        "net.toml",
        &BASE.replace("bias = 2.0", "bias = 2.0\ntau_ref = 0.0"),
        &[],
    )
    .unwrap()
    .build()
    .unwrap();
}

#[test]
fn too_large_for_the_machine() {
    let e = err(&BASE.replace("size = 10", "size = 4000000000"), &[]);
    assert!(
        e.starts_with("net.toml:7:8: `population.exc.size`: the network needs about 119.21 GiB but this machine has"),
        "{e}"
    );
}

#[test]
fn duplicate_names() {
    let text = format!("{BASE}\n[[population]]\nname = \"exc\"\nsize = 1\n");
    assert_eq!(
        err(&text, &[]),
        "net.toml:11:8: `population.exc.name`: duplicate name `exc` (first used at net.toml:6:8)"
    );
}

#[test]
fn overrides_are_checked_like_the_file() {
    assert_eq!(
        err(BASE, &["population.exc.size=-5"]),
        "--set population.exc.size=-5: `population.exc.size`: -5 must be ≥ 0"
    );
    assert_eq!(
        err(BASE, &["population.exc.tau_rx=0.01"]),
        "--set population.exc.tau_rx=0.01: `population.exc.tau_rx`: unknown key; did you mean `tau_rc`?"
    );
    assert_eq!(
        err(BASE, &["simulation.duration=1.00005"]),
        "--set simulation.duration=1.00005: `simulation.duration`: duration 1.00005 s is not a \
         whole number of steps of dt = 0.0001 s (10000.5 steps); choose a duration that is a multiple of dt"
    );
    let spec = Spec::parse(
        "net.toml",
        BASE,
        &["population.exc.size=800".into(), "simulation.seed=3".into()],
    )
    .unwrap();
    assert_eq!(spec.populations[0].size.value, 800);
    assert_eq!(spec.simulation.seed.value, 3);
}

#[test]
fn unknown_model_and_variable() {
    assert_eq!(
        err(&BASE.replace("bias = 2.0", "model = \"lfi\""), &[]),
        "net.toml:8:9: `population.exc.model`: unknown neuron model `lfi` (known: lif, lif_physical, lif_coba, hh, hh_physical, poisson_generator, spike_generator); did you mean `lif`?"
    );
    let text = format!("{BASE}\n[[probe]]\nname = \"p\"\ntarget = \"exc\"\nvariable = \"u\"\n");
    assert_eq!(
        err(&text, &[]),
        "net.toml:13:12: `probe.p.variable`: population `exc` (lif) has no variable `u` (known: v, refractory, spikes); did you mean `v`?"
    );
}

#[test]
fn empty_neuron_selections_only_for_spikes_written_to_the_spike_file() {
    let probe = |variable: &str, extra: &str| {
        format!(
            "{BASE}\n[[probe]]\nname = \"p\"\ntarget = \"exc\"\nvariable = \"{variable}\"\n\
             neurons = []\n{extra}"
        )
    };
    // A spike probe may select none: the population then writes no spikes.
    let spec = Spec::parse("net.toml", &probe("spikes", ""), &[]).unwrap();
    let built = spec.build().unwrap();
    assert_eq!(built.populations[0].recorded_count(), 0);
    let msg = "net.toml:14:11: `probe.p.neurons`: selects no neurons (only a spike probe \
               without `sample_every` may: it then records none of the population's spikes)";
    assert_eq!(err(&probe("v", ""), &[]), msg);
    assert_eq!(err(&probe("spikes", "sample_every = 1e-3\n"), &[]), msg);
}

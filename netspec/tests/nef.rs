//! NEF sections from spec files: the shipped NEF examples behave as their equations say
//! (decoded values close to the ideal), probes record what they name, and errors point at the
//! file, line, column and key.

use std::path::PathBuf;

use netspec::{Network, ProbeKind, Spec};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

/// Runs the whole spec; returns the network (its probe handles hold every sample).
fn run(spec: &Spec) -> Network {
    let mut net = spec.build().unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..net.steps {
        net.simulator.step().unwrap();
    }
    net
}

/// Samples of probe `name`: times (s) and one column per dimension.
fn probe(net: &Network, name: &str) -> (Vec<f64>, Vec<Vec<f64>>) {
    let plan = net.probes.iter().find(|p| p.name == name).unwrap();
    let ProbeKind::Recorded(h) = &plan.kind else {
        panic!("{name} is not a recorded probe")
    };
    let d = h.data();
    let cols = (0..d.dims).map(|j| d.column(j)).collect();
    (d.times, cols)
}

/// Nengo's zero-order-hold Lowpass with one step of delay: `y_s = a·y_{s−1} + (1−a)·u_{s−1}`.
fn lowpass(u: &[f64], tau: f64, dt: f64) -> Vec<f64> {
    let a = (-dt / tau).exp();
    let mut y = vec![0.0; u.len()];
    for s in 1..u.len() {
        y[s] = a * y[s - 1] + (1.0 - a) * u[s - 1];
    }
    y
}

fn rmse(a: &[f64], b: &[f64], skip: usize) -> f64 {
    let n = a.len() - skip;
    (a[skip..]
        .iter()
        .zip(&b[skip..])
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        / n as f64)
        .sqrt()
}

#[test]
fn communication_channel_passes_the_sine_through() {
    let spec = Spec::load(&example("nef_channel.toml"), &[]).unwrap();
    let net = run(&spec);
    let dt = spec.simulation.dt.value;
    let (t, y) = probe(&net, "b_value");
    assert_eq!(t.len(), 2000);
    assert!((t[0] - dt).abs() < 1e-12);
    // Ideal: the stimulus through the same three synapses (5 ms, 5 ms, probe 10 ms).
    let x: Vec<f64> = t
        .iter()
        .map(|t| (std::f64::consts::TAU * t).sin())
        .collect();
    let ideal = lowpass(&lowpass(&lowpass(&x, 0.005, dt), 0.005, dt), 0.01, dt);
    let e = rmse(&y[0], &ideal, 100);
    assert!(e < 0.05, "RMSE {e}");
    // The node probe is exactly the filtered stimulus.
    let (_, inp) = probe(&net, "input");
    assert!(rmse(&inp[0], &lowpass(&x, 0.01, dt), 0) < 1e-6);
    // Decoders were solved for the connection and the probe.
    assert_eq!(net.nef.decoders.len(), 2);
    assert!(
        net.nef
            .decoders
            .iter()
            .all(|d| d.decoders.mean_rmse() < 0.05)
    );
}

fn err(text: &str) -> String {
    match Spec::parse("net.toml", text, &[]).and_then(|s| s.build().map(|_| ())) {
        Ok(()) => panic!("no error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

const HEAD: &str = "[simulation]\ndt = 1e-3\nduration = 0.1\n\
    [[ensemble]]\nname = \"a\"\nn_neurons = 20\n\
    [[ensemble]]\nname = \"b\"\nn_neurons = 20\ndimensions = 2\n";

#[test]
fn nef_errors_name_file_line_and_key() {
    let e = err(&format!(
        "{HEAD}[[connection]]\npre = \"aa\"\npost = \"b\"\n"
    ));
    assert_eq!(
        e,
        "net.toml:12:7: `connection.0.pre`: no ensemble or node named `aa`; did you mean `a`?"
    );
    let e = err(&format!(
        "{HEAD}[[connection]]\npre = \"a\"\npost = \"b\"\nfunction = \"x[0]*x[1]\"\n"
    ));
    assert!(
        e.starts_with("net.toml:14:12: `connection.0.function`: expression `x[0]*x[1]`"),
        "{e}"
    );
    // 1-D decoded value onto a 2-D ensemble without a transform: the NEF builder's error,
    // located at the connection.
    let e = err(&format!(
        "{HEAD}[[connection]]\npre = \"a\"\npost = \"b\"\n"
    ));
    assert!(e.starts_with("net.toml:"), "{e}");
    assert!(
        e.contains("`connection.0.transform`") && e.contains("represents 2"),
        "{e}"
    );
    let e = err(&format!(
        "{HEAD}[[ensemble]]\nname = \"c\"\nn_neurons = 5\nintercepts = 1.5\n"
    ));
    assert!(
        e.starts_with("net.toml:14:14: `ensemble.c.intercepts`: 1.5 is out of range"),
        "{e}"
    );
    let e = err(&format!(
        "{HEAD}[[ensemble]]\nname = \"c\"\nn_neurons = 5\nneuron = \"lfi\"\n"
    ));
    assert!(e.contains("did you mean `lif`?"), "{e}");
    let e = err(&format!(
        "{HEAD}[[probe]]\nname = \"p\"\ntarget = \"a\"\nvariable = \"decode\"\n"
    ));
    assert!(
        e.starts_with("net.toml:14:12: `probe.p.variable`: unknown probe variable `decode`"),
        "{e}"
    );
    assert!(e.contains("did you mean `decoded`?"), "{e}");
    let e = err(&format!("{HEAD}[[node]]\nname = \"a\"\nvalue = 1.0\n"));
    assert!(e.contains("duplicate name `a`"), "{e}");
    let e = err(&format!(
        "{HEAD}[[node]]\nname = \"n\"\nkind = \"sine\"\nfreq = 1\nvalue = 2\n"
    ));
    assert!(e.contains("`node.n.value`: unknown key"), "{e}");
}

#[test]
fn mixed_spec_builds_ensembles_and_populations_in_one_simulator() {
    let text = format!(
        "{HEAD}[[population]]\nname = \"p\"\nsize = 10\nbias = 2.0\n\
         [[projection]]\nsource = \"a\"\ntarget = \"p\"\nrule = \"all_to_all\"\nweight = 0.01\n\
         [[probe]]\nname = \"va\"\ntarget = \"a.neurons\"\nvariable = \"voltage\"\nneurons = [0, 1]\n"
    );
    let spec = Spec::parse("net.toml", &text, &[]).unwrap();
    let net = spec.build().unwrap();
    let names: Vec<&str> = net.populations.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "p"]);
    assert_eq!(net.synapses, 200);
    let va = net.probes.iter().find(|p| p.name == "va").unwrap();
    assert_eq!((va.population, va.neurons.clone()), (0, vec![0, 1]));
}

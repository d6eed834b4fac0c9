//! `[[projection]]` and `[[input]]`: errors name the key, explicit CSV synapses load, inputs
//! drive their target.

use netspec::Spec;

const HEAD: &str = r#"
[simulation]
dt = 1e-4
duration = 0.01
seed = 3

[[population]]
name = "a"
size = 20
model = "lif_physical"
e_l_mv = 0.0
v_reset_mv = 10.0
v_th_mv = 20.0
v_m_mv = 0.0
"#;

fn err(extra: &str) -> String {
    Spec::parse("t.toml", &format!("{HEAD}{extra}"), &[])
        .and_then(|s| s.build().map(|_| ()))
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_projection_keys_are_reported_where_written() {
    let e = err(
        "[[projection]]\nsource = \"a\"\ntarget = \"a\"\nrule = \"fixed_indegre\"\nk = 3\nweight = 1.0\n",
    );
    assert!(e.contains("fixed_indegree") && e.contains("rule"), "{e}");
    let e = err(
        "[[projection]]\nsource = \"a\"\ntarget = \"b\"\nrule = \"all_to_all\"\nweight = 1.0\n",
    );
    assert!(e.contains("no population named `b`"), "{e}");
    let e = err(
        "[[projection]]\nsource = \"a\"\ntarget = \"a\"\nrule = \"all_to_all\"\nweight = 1.0\nreceptor = \"exponential\"\n",
    );
    assert!(e.contains("tau_syn"), "{e}");
    let e = err(
        "[[projection]]\nsource = \"a\"\ntarget = \"a\"\nrule = \"pairwise_bernoulli\"\np = 1.5\nweight = 1.0\n",
    );
    assert!(e.contains("projection.a_a.p") || e.contains(".p"), "{e}");
    let e = err(
        "[[projection]]\nsource = \"a\"\ntarget = \"a\"\nrule = \"fixed_indegree\"\nk = 30\nweight = 1.0\nallow_multapses = false\n",
    );
    assert!(e.contains("exceeds"), "{e}");
    let e = err("[[input]]\nname = \"x\"\ntarget = \"a\"\nweight = 1.0\n");
    assert!(e.contains("rate"), "{e}");
}

#[test]
fn explicit_synapses_from_csv_carry_their_weights_and_delays() {
    let dir = std::env::temp_dir().join(format!("spikesim-proj-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // src neuron 0 → a neuron 1 (25 mV, above the 20 mV gap: it fires), delay 0.3 ms;
    // src neuron 0 → a neuron 2 (5 mV: it does not).
    std::fs::write(
        dir.join("syn.csv"),
        "source,target,weight,delay\n0,1,25.0,3e-4\n0,2,5.0,1e-4\n",
    )
    .unwrap();
    let text = format!(
        "{HEAD}[[population]]\nname = \"src\"\nsize = 1\nmodel = \"lif_physical\"\n\
         c_m_pf = 250.0\ntau_m_ms = 10.0\nt_ref_ms = 2.0\ni_e_pa = 2000.0\n\
         [[projection]]\nsource = \"src\"\ntarget = \"a\"\nrule = \"explicit\"\nfile = \"syn.csv\"\n"
    );
    let path = dir.join("net.toml");
    std::fs::write(&path, &text).unwrap();
    let spec = Spec::load(&path, &["simulation.duration=0.05".into()]).unwrap();
    let mut net = spec.build().unwrap();
    assert_eq!(net.synapses, 2);
    let (mut src, mut a) = (Vec::new(), Vec::new());
    for k in 0..net.steps {
        net.simulator.step().unwrap();
        a.extend(net.simulator.spikes()[0].ids.iter().map(|&i| (k, i)));
        src.extend(net.simulator.spikes()[1].ids.iter().map(|_| k));
    }
    assert!(src.len() >= 3, "source should fire: {src:?}");
    // Every source spike of step k makes neuron 1 fire at step k + 3 (unless refractory).
    let want: Vec<(u64, u32)> = src
        .iter()
        .map(|&k| (k + 3, 1))
        .filter(|&(k, _)| k < net.steps)
        .collect();
    assert_eq!(a, want);
    std::fs::remove_dir_all(&dir).ok();
}

const PLASTIC: &str = "[[projection]]\nname = \"p\"\nsource = \"a\"\ntarget = \"a\"\nrule = \"all_to_all\"\nweight = 2.0\nallow_autapses = false\n[projection.plasticity]\n";

#[test]
fn plasticity_keys_are_checked_where_written() {
    let e = err(&format!("{PLASTIC}rule = \"stpd\"\n"));
    assert!(e.contains("did you mean `stdp`"), "{e}");
    let e = err(&format!(
        "{PLASTIC}rule = \"stdp\"\na_plus = 0.1\na_minus = 0.1\n"
    ));
    assert!(e.contains("w_max"), "{e}");
    let e = err(&format!(
        "{PLASTIC}rule = \"stdp\"\na_plus = 0.1\na_minus = 0.1\nw_max = 5.0\ntau_plus = -1.0\n"
    ));
    assert!(e.contains("tau_plus"), "{e}");
    let e = err(&format!(
        "{PLASTIC}rule = \"oja\"\nlearning_rate = 1.0\nbeta = 0.0\n"
    ));
    assert!(e.contains("beta"), "{e}");
    let e = err(&format!(
        "{PLASTIC}rule = \"bcm\"\nlearning_rate = 1.0\ntau_thetaa = 1.0\n"
    ));
    assert!(e.contains("tau_theta"), "{e}");
    let e = err(&format!(
        "{PLASTIC}rule = \"stdp\"\na_plus = 0.1\na_minus = 0.1\nw_max = 5.0\ndependence = \"soft\"\n"
    ));
    assert!(e.contains("multiplicative"), "{e}");
}

/// Total of the plastic projection's weights after a run of `steps` with a strong drive.
fn learned_total(plasticity: &str, steps: u64) -> (f64, f64) {
    use simcore::plasticity::PlasticDelivery;
    let text = format!(
        "{HEAD}[[input]]\nname = \"drive\"\nkind = \"poisson\"\ntarget = \"a\"\nrate = 4000.0\nweight = 2.0\n{PLASTIC}{plasticity}"
    );
    let spec = Spec::parse("t.toml", &text, &[]).unwrap();
    let mut net = spec.build().unwrap();
    let total = |net: &netspec::Network| -> f64 {
        let c = net
            .simulator
            .components()
            .iter()
            .find_map(|c| c.as_any()?.downcast_ref::<PlasticDelivery>())
            .expect("plastic delivery");
        match c.weights(0) {
            simcore::connectivity::Weights::PerSynapse(w) => w.iter().map(|&x| f64::from(x)).sum(),
            simcore::connectivity::Weights::Uniform(w) => f64::from(*w) * 380.0,
        }
    };
    let before = total(&net);
    for _ in 0..steps {
        net.simulator.step().unwrap();
    }
    (before, total(&net))
}

#[test]
fn plastic_projections_learn_from_a_spec() {
    // Additive STDP with depression dominating drives the weights down; a Hebbian rule
    // without decay drives them up; both keep spikes flowing.
    let (b, a) = learned_total(
        "rule = \"stdp\"\na_plus = 0.01\na_minus = 0.05\nw_max = 4.0\n",
        2000,
    );
    assert!(a < b, "stdp {b} → {a}");
    let (b, a) = learned_total("rule = \"hebbian\"\nlearning_rate = 1e-5\n", 2000);
    assert!(a > b, "hebbian {b} → {a}");
}

/// Song et al.'s STDP setting (100 inputs) with `delay` as written; final weights after 1 s on
/// `threads` threads.
fn stdp_weights(delay: &str, threads: u32) -> Vec<f64> {
    let text = format!(
        "[simulation]\ndt = 1e-4\nduration = 1.0\nseed = 5\nthreads = {threads}\n\
         [[population]]\nname = \"in\"\nsize = 100\nmodel = \"poisson_generator\"\nrate = 20.0\n\
         [[population]]\nname = \"out\"\nsize = 3\nmodel = \"lif_coba\"\n\
         [[projection]]\nname = \"p\"\nsource = \"in\"\ntarget = \"out\"\nrule = \"all_to_all\"\n\
         weight = {{dist = \"uniform\", low = 0.0, high = 1.5}}\ndelay = {delay}\n\
         receptor = \"excitatory\"\n\
         [projection.plasticity]\nrule = \"stdp\"\na_plus = 0.0075\na_minus = 0.007875\n\
         w_max = 1.5\n"
    );
    let spec = Spec::parse("stdp.toml", &text, &[]).unwrap();
    let mut net = spec.build().unwrap();
    for _ in 0..net.steps {
        net.simulator.step().unwrap();
    }
    let plan = &net.learned[0];
    match plan.read(net.simulator.components()).unwrap() {
        netspec::learned::LearnedValues::Synapses { weight, .. } => weight,
        other => panic!("{other:?}"),
    }
}

#[test]
fn stdp_projection_takes_per_synapse_delays() {
    let spread = "{dist = \"uniform\", low = 1e-4, high = 5e-3}";
    let one = stdp_weights(spread, 1);
    assert_eq!(one.len(), 300);
    assert_eq!(one, stdp_weights(spread, 2), "1 vs 2 threads");
    let fixed = stdp_weights("1e-4", 1);
    let differ = one.iter().zip(&fixed).filter(|(a, b)| a != b).count();
    assert!(
        differ > 150,
        "per-synapse delays change the learning: {differ} differ"
    );
}

/// A rule whose synapses would not fit in memory is refused at its `rule` key before any
/// synapse is drawn (multapses allowed, so the in-degree itself is valid).
#[test]
fn projections_beyond_the_machine_are_errors() {
    let e = err(
        "[[projection]]\nname = \"big\"\nsource = \"a\"\ntarget = \"a\"\nrule = \"fixed_indegree\"\nk = 4294967296\nweight = 1.0\n",
    );
    assert!(
        e.starts_with("t.toml:19:8: `projection.big.rule`: the network needs about"),
        "{e}"
    );
    let e = err(
        "[[projection]]\nname = \"big\"\nsource = \"a\"\ntarget = \"a\"\nrule = \"fixed_total_number\"\nm = 9000000000000\nweight = 1.0\n",
    );
    assert!(
        e.contains("`projection.big.rule`: the network needs about"),
        "{e}"
    );
}

//! The `lif_coba`, `hh`, `hh_physical`, `poisson_generator` and `spike_generator` models and the
//! conductance / `gamma` receptors: each error class with its exact message, and what the
//! models do when built.

use netspec::Spec;

const HEAD: &str = "[simulation]
dt = 1e-4
duration = 0.05
seed = 2
";

fn err(text: &str) -> String {
    match Spec::parse("m.toml", &format!("{HEAD}{text}"), &[]).and_then(|s| s.build().map(|_| ())) {
        Ok(()) => panic!("spec accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

const COBA: &str = "
[[population]]
name = \"c\"
size = 10
model = \"lif_coba\"
";

const HH: &str = "
[[population]]
name = \"h\"
size = 4
model = \"hh\"
";

fn proj(source: &str, target: &str, rest: &str) -> String {
    format!(
        "\n[[projection]]\nsource = \"{source}\"\ntarget = \"{target}\"\nrule = \"all_to_all\"\n{rest}"
    )
}

#[test]
fn model_parameter_errors() {
    assert_eq!(
        err(&format!("{COBA}v_th_mv = -70.0\n")),
        "m.toml:10:11: `population.c.v_th_mv`: -70 must be above v_reset_mv = -60 mV"
    );
    assert_eq!(
        err(&format!("{COBA}tau_syn_ex_ms = 0\n")),
        "m.toml:10:17: `population.c.tau_syn_ex_ms`: 0 must be > 0 (a time, in ms)"
    );
    assert_eq!(
        err(&format!("{HH}method = \"rk5\"\n")),
        "m.toml:10:10: `population.h.method`: unknown integration method `rk5` (known: staggered, \
         exponential_euler, rk4); did you mean `rk4`?"
    );
    assert_eq!(
        err(&format!("{HH}g_na_ms_per_cm2 = -1.0\n")),
        "m.toml:10:19: `population.h.g_na_ms_per_cm2`: -1 must be ≥ 0 (mS/cm²)"
    );
    assert_eq!(
        err(&format!("{HH}i_e_ua_per_cm2 = 1e9\n")),
        "m.toml:10:18: `population.h.i_e_ua_per_cm2`: 1e9 is outside ±1e6, where the f32 state of \
         a Hodgkin–Huxley neuron overflows"
    );
    assert_eq!(
        err(&format!("{HH}g_na_ms_per_cm = 100.0\n")),
        "m.toml:10:1: `population.h.g_na_ms_per_cm`: unknown key; did you mean `g_na_ms_per_cm2`?"
    );
}

#[test]
fn coba_refractory_below_dt_on_a_fast_neuron() {
    // 1e6 pA over 10 nS: V_∞ = 1e5 mV, ISI ≈ 20 ms · ln(1 + 10/1e5) ≈ 2 µs < dt.
    assert_eq!(
        err(&format!("{COBA}t_ref_ms = 0.0\ni_e_pa = 1e6\n")),
        "m.toml:10:12: `population.c.t_ref_ms`: refractory period 0 s is shorter than dt = 0.0001 s \
         and neuron 0 would fire at 499975.0 Hz, more than once per step (1/dt = 10000.0 Hz): its \
         rate would be clipped; use a refractory period ≥ dt, a smaller dt or a weaker drive"
    );
}

#[test]
fn receptor_errors() {
    let lif = "\n[[population]]\nname = \"l\"\nsize = 3\n";
    assert_eq!(
        err(&format!(
            "{COBA}{}",
            proj("c", "c", "weight = -6.0\nreceptor = \"excitatory\"\n")
        )),
        "m.toml:15:10: `projection.0.weight`: conductance weights are ≥ 0 (nS); inhibition is \
         `receptor = \"inhibitory\"`"
    );
    assert_eq!(
        err(&format!(
            "{COBA}{}",
            proj("c", "c", "weight = 6.0\nreceptor = \"delta\"\n")
        )),
        "m.toml:16:12: `projection.0.receptor`: `lif_coba` neurons take conductance synapses \
         `excitatory` or `inhibitory` (nS), or currents through `exponential`, `alpha` or `gamma` \
         (pA), not `delta`"
    );
    assert_eq!(
        err(&format!(
            "{COBA}{}",
            proj(
                "c",
                "c",
                "weight = 6.0\nreceptor = \"excitatory\"\ntau_syn = 0.005\n"
            )
        )),
        "m.toml:16:12: `projection.0.receptor`: receptor `excitatory` takes no `tau_syn` \
         (filtered current receptors: exponential, alpha, gamma; conductance time constants \
         belong to the target population)"
    );
    assert_eq!(
        err(&format!(
            "{lif}{}",
            proj("l", "l", "weight = 6.0\nreceptor = \"inhibitory\"\n")
        )),
        "m.toml:15:12: `projection.0.receptor`: LIF neurons take `delta`, `exponential`, `alpha` \
         or `gamma` synapses, not `inhibitory`"
    );
    assert_eq!(
        err(&format!(
            "{lif}{}",
            proj(
                "l",
                "l",
                "weight = 1.0\nreceptor = \"gamma\"\ntau_syn = 0.005\n"
            )
        )),
        "m.toml:15:12: `projection.0.receptor`: receptor `gamma` needs `order` (n ≥ 0)"
    );
    assert_eq!(
        err(&format!(
            "{lif}{}",
            proj(
                "l",
                "l",
                "weight = 1.0\nreceptor = \"alpha\"\ntau_syn = 0.005\norder = 2\n"
            )
        )),
        "m.toml:15:12: `projection.0.receptor`: receptor `alpha` takes no `order` (only `gamma` does)"
    );
    assert_eq!(
        err(&format!(
            "{lif}{}",
            proj(
                "l",
                "l",
                "weight = 1.0\nreceptor = \"gamma\"\ntau_syn = 0.005\norder = 16\n"
            )
        )),
        "m.toml:15:12: `projection.0.receptor`: receptor `gamma`: order 16 is above the largest \
         supported order 15"
    );
    assert_eq!(
        err(&format!("{HH}{}", proj("h", "h", "weight = 1.0\n"))),
        "m.toml:11:1: `projection.0.receptor`: Hodgkin–Huxley neurons take current synapses \
         through `exponential`, `alpha` or `gamma` kernels (µA/cm²), not `delta`"
    );
}

#[test]
fn generator_errors() {
    let gen_ = "\n[[population]]\nname = \"g\"\nsize = 2\n";
    assert_eq!(
        err(&format!(
            "{gen_}model = \"poisson_generator\"\nrate = -1.0\n"
        )),
        "m.toml:10:8: `population.g.rate`: -1 must be ≥ 0 (a rate, in Hz)"
    );
    assert_eq!(
        err(&format!("{gen_}model = \"poisson_generator\"\n")),
        "m.toml:6:1: `population.g.rate`: missing required key"
    );
    assert_eq!(
        err(&format!(
            "{gen_}model = \"spike_generator\"\nspike_times = [[0.1], [-0.2]]\n"
        )),
        "m.toml:10:24: `population.g.spike_times`: -0.2 must be ≥ 0 (a spike time, in s)"
    );
    assert_eq!(
        err(&format!(
            "{gen_}model = \"spike_generator\"\nspike_times = [[0.1], [0.2], [0.3]]\n"
        )),
        "m.toml:10:15: `population.g.spike_times`: 2 is not a neuron of `g` (indices 0..2): give \
         a spike list per neuron or indices below the size"
    );
    assert_eq!(
        err(&format!(
            "{gen_}model = \"spike_generator\"\nindices = [0, 1]\ntimes = [0.1]\n"
        )),
        "m.toml:11:9: `population.g.times`: has 1 entries but `indices` has 2: give one time per index"
    );
    assert_eq!(
        err(&format!(
            "{gen_}model = \"spike_generator\"\nindices = [0, 1]\n"
        )),
        "m.toml:10:11: `population.g.indices`: `indices` and `times` go together: give both"
    );
    assert_eq!(
        err(&format!(
            "{gen_}model = \"spike_generator\"\nspike_times = 0.1\n"
        )),
        "m.toml:10:15: `population.g.spike_times`: expected an array of arrays of times (s), found a float"
    );
    assert_eq!(
        err(&format!(
            "{gen_}model = \"poisson_generator\"\nrate = 5.0\n{}",
            proj("g", "g", "weight = 1.0\n")
        )),
        "m.toml:12:1: `projection.0.receptor`: model `poisson_generator` has no `delta` synapses"
    );
}

#[test]
fn hdf5_synapse_files_need_a_reader() {
    // netspec reads CSV itself; HDF5 files need the reader the CLI supplies.
    let lif = "\n[[population]]\nname = \"l\"\nsize = 3\n";
    assert_eq!(
        err(&format!(
            "{lif}{}",
            proj("l", "l", "").replace("all_to_all", "explicit") + "file = \"syn.h5\"\n"
        )),
        "m.toml:14:8: `projection.0.file`: `syn.h5`: HDF5 synapse files are read by the spikesim \
         CLI; this program gave the spec no HDF5 reader (use a CSV file)"
    );
}

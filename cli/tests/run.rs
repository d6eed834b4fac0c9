//! `spikesim run` end to end: the files are read back with hdf5-metno and checked against
//! FORMATS.md's SONATA layout, dtypes, attributes and spike counts.

mod common;

use common::{bin, example, run, s, str_attr, tmpdir};
use hdf5::types::{TypeDescriptor, VarLenUnicode};
use hdf5::{File, H5Type};

#[derive(H5Type, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i8)]
enum Sorting {
    #[expect(dead_code, reason = "a member of the enum type in the file")]
    #[hdf5(rename = "none")]
    None = 0,
    #[hdf5(rename = "by_id")]
    ById = 1,
    #[hdf5(rename = "by_time")]
    ByTime = 2,
}

const TWO_POPS: &str = r#"
[simulation]
dt = 1e-4
duration = 0.5
seed = 7

[[population]]
name = "active"
size = 37
bias = { dist = "uniform", low = 1.2, high = 4.0 }
v0 = { dist = "uniform", low = 0.0, high = 1.0 }

[[population]]
name = "silent"
size = 9
bias = 0.5
"#;

#[test]
fn sonata_layout_dtypes_and_attributes() {
    let dir = tmpdir("layout");
    let out = dir.join("small.h5");
    let o = run(&["run", s(&example("lif_small.toml")), "-o", s(&out)]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("lif") && stdout.contains("output:"),
        "{stdout}"
    );
    let f = File::open(&out).unwrap();
    assert_eq!(
        f.attr("magic").unwrap().read_scalar::<u32>().unwrap(),
        0x0A7A
    );
    assert_eq!(
        f.attr("version").unwrap().read_raw::<u32>().unwrap(),
        vec![0, 1]
    );
    assert_eq!(
        f.group("spikes").unwrap().member_names().unwrap(),
        vec!["lif"]
    );
    let g = f.group("spikes/lif").unwrap();
    let sorting = g.attr("sorting").unwrap();
    assert!(matches!(
        sorting.dtype().unwrap().to_descriptor().unwrap(),
        TypeDescriptor::Enum(_)
    ));
    assert_eq!(sorting.read_scalar::<Sorting>().unwrap(), Sorting::ByTime);
    assert_eq!(
        g.attr("n_nodes").unwrap().read_scalar::<u64>().unwrap(),
        100
    );
    let ts = g.dataset("timestamps").unwrap();
    assert_eq!(
        ts.dtype().unwrap().to_descriptor().unwrap(),
        TypeDescriptor::Float(hdf5::types::FloatSize::U8)
    );
    assert_eq!(str_attr(&ts, "units"), "ms");
    assert!(ts.filters().is_empty(), "no compression filter");
    let ids = g.dataset("node_ids").unwrap();
    assert_eq!(
        ids.dtype().unwrap().to_descriptor().unwrap(),
        TypeDescriptor::Unsigned(hdf5::types::IntSize::U8)
    );
    let t: Vec<f64> = ts.read_raw().unwrap();
    let id: Vec<u64> = ids.read_raw().unwrap();
    assert_eq!(t.len(), id.len());
    assert!(t.len() > 1000, "{}", t.len());
    // by_time: steps ascending; within a step, ids ascending.
    let step = |x: f64| (x / 0.1 - 1e-9).floor() as i64;
    for w in 0..t.len() - 1 {
        let (a, b) = ((step(t[w]), id[w]), (step(t[w + 1]), id[w + 1]));
        assert!(a < b, "spike {w}: {a:?} then {b:?}");
    }
    assert!(t.iter().all(|&x| x > 0.0 && x <= 1000.0));
    assert!(id.iter().all(|&i| i < 100));
    // The summary's count is the file's.
    assert!(stdout.contains(&format!(" {} ", t.len())), "{stdout}");
    // Probe.
    let p = f.group("probes/lif_v").unwrap();
    let data = p.dataset("data").unwrap();
    assert_eq!(data.shape(), vec![1000, 5]);
    assert_eq!(str_attr(&data, "units"), "1");
    let v: Vec<f32> = data.read_raw().unwrap();
    assert!(v.iter().all(|x| (0.0..=1.0).contains(x)) && v.iter().any(|&x| x > 0.5));
    let time: Vec<f64> = p.dataset("time").unwrap().read_raw().unwrap();
    assert_eq!(time.len(), 1000);
    assert!((time[0] - 1.0).abs() < 1e-9 && (time[999] - 1000.0).abs() < 1e-9);
    assert_eq!(
        p.dataset("node_ids").unwrap().read_raw::<u64>().unwrap(),
        vec![0, 1, 2, 3, 4]
    );
    // Provenance.
    let prov = f.group("provenance").unwrap();
    let text = std::fs::read_to_string(example("lif_small.toml")).unwrap();
    let spec_toml: VarLenUnicode = prov.dataset("spec_toml").unwrap().read_scalar().unwrap();
    assert_eq!(spec_toml.as_str(), text);
    assert_eq!(str_attr(&prov, "spec_sha256").len(), 64);
    assert_eq!(prov.attr("seed").unwrap().read_scalar::<u64>().unwrap(), 1);
    assert_eq!(prov.attr("dt").unwrap().read_scalar::<f64>().unwrap(), 0.1);
    assert_eq!(
        prov.attr("t_stop").unwrap().read_scalar::<f64>().unwrap(),
        1000.0
    );
    assert_eq!(str_attr(&prov, "status"), "complete");
    assert_eq!(str_attr(&prov, "hdf5_version"), "1.10.8");
    let models: Vec<VarLenUnicode> = prov.attr("neuron_models").unwrap().read_raw().unwrap();
    assert_eq!(models[0].as_str(), "lif");
    // Nothing left behind but the output.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn silent_populations_get_a_group_and_by_id_sorts_stably() {
    let dir = tmpdir("byid");
    let spec = dir.join("two.toml");
    std::fs::write(&spec, TWO_POPS).unwrap();
    let a = dir.join("a.h5");
    let b = dir.join("b.h5");
    run(&["run", s(&spec), "-o", s(&a), "-q"]);
    run(&["run", s(&spec), "-o", s(&b), "-q", "--sort", "by_id"]);
    let fa = File::open(&a).unwrap();
    let fb = File::open(&b).unwrap();
    assert_eq!(
        fa.group("spikes").unwrap().member_names().unwrap(),
        vec!["active", "silent"]
    );
    let silent = fa.group("spikes/silent").unwrap();
    assert_eq!(silent.dataset("timestamps").unwrap().size(), 0);
    assert_eq!(
        silent
            .attr("n_nodes")
            .unwrap()
            .read_scalar::<u64>()
            .unwrap(),
        9
    );
    let ga = fa.group("spikes/active").unwrap();
    let gb = fb.group("spikes/active").unwrap();
    assert_eq!(
        gb.attr("sorting")
            .unwrap()
            .read_scalar::<Sorting>()
            .unwrap(),
        Sorting::ById
    );
    let ta: Vec<f64> = ga.dataset("timestamps").unwrap().read_raw().unwrap();
    let ia: Vec<u64> = ga.dataset("node_ids").unwrap().read_raw().unwrap();
    let tb: Vec<f64> = gb.dataset("timestamps").unwrap().read_raw().unwrap();
    let ib: Vec<u64> = gb.dataset("node_ids").unwrap().read_raw().unwrap();
    let mut pairs: Vec<(u64, f64)> = ia.iter().copied().zip(ta.iter().copied()).collect();
    pairs.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
    let sorted: Vec<(u64, f64)> = ib.iter().copied().zip(tb.iter().copied()).collect();
    assert!(!sorted.is_empty());
    assert_eq!(pairs, sorted);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Spike probes select whose spikes are written: exactly the spikes of the full recording
/// whose neurons the probes name (their union), in the same order; `neurons = []`, none.
#[test]
fn spike_probes_record_exactly_their_neurons_spikes() {
    let dir = tmpdir("spike-subset");
    let (all, some) = (dir.join("all.toml"), dir.join("some.toml"));
    std::fs::write(&all, TWO_POPS).unwrap();
    let probes = "\n[[probe]]\nname = \"a\"\ntarget = \"active\"\nvariable = \"spikes\"\n\
                  neurons = [0, 5, 36]\n\n[[probe]]\nname = \"b\"\ntarget = \"active\"\n\
                  variable = \"spikes\"\nneurons = {start = 10, stop = 14}\n";
    std::fs::write(&some, format!("{TWO_POPS}{probes}")).unwrap();
    let (a, b) = (dir.join("all.h5"), dir.join("some.h5"));
    run(&["run", s(&all), "-o", s(&a), "-q"]);
    run(&["run", s(&some), "-o", s(&b), "-q"]);
    let read = |path: &std::path::Path| -> Vec<(u64, f64)> {
        let g = File::open(path).unwrap().group("spikes/active").unwrap();
        let t: Vec<f64> = g.dataset("timestamps").unwrap().read_raw().unwrap();
        let i: Vec<u64> = g.dataset("node_ids").unwrap().read_raw().unwrap();
        i.into_iter().zip(t).collect()
    };
    let chosen = [0, 5, 36, 10, 11, 12, 13];
    let want: Vec<(u64, f64)> = read(&a)
        .into_iter()
        .filter(|(i, _)| chosen.contains(i))
        .collect();
    let got = read(&b);
    assert!(chosen.iter().all(|c| got.iter().any(|(i, _)| i == c)));
    assert_eq!(got, want);
    // `neurons = []`: none written, the group and its node count stay.
    let none = dir.join("none.toml");
    let probe =
        "\n[[probe]]\nname = \"n\"\ntarget = \"active\"\nvariable = \"spikes\"\nneurons = []\n";
    std::fs::write(&none, format!("{TWO_POPS}{probe}")).unwrap();
    let c = dir.join("none.h5");
    run(&["run", s(&none), "-o", s(&c), "-q"]);
    assert!(read(&c).is_empty());
    let g = File::open(&c).unwrap().group("spikes/active").unwrap();
    assert_eq!(g.attr("n_nodes").unwrap().read_scalar::<u64>().unwrap(), 37);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A NEF network large enough to step on the pool (five 1000-neuron ensembles in a chain):
/// byte-identical files on one and two threads, and every ensemble fires.
#[test]
fn nef_chain_files_are_identical_on_one_and_two_threads() {
    let dir = tmpdir("nef-threads");
    let mut spec = String::from(
        "[simulation]\ndt = 1e-3\nduration = 0.2\nseed = 3\n\n[[node]]\nname = \"in\"\n\
         kind = \"sine\"\nfreq = 1.0\namplitude = 1.0\n",
    );
    let mut prev = "in".to_string();
    for i in 0..5 {
        spec += &format!(
            "\n[[ensemble]]\nname = \"e{i}\"\nn_neurons = 1000\ndimensions = 1\n\n\
             [[connection]]\npre = \"{prev}\"\npost = \"e{i}\"\nsynapse = 0.005\n"
        );
        prev = format!("e{i}");
    }
    spec += "\n[[probe]]\nname = \"y\"\ntarget = \"e4\"\nvariable = \"decoded\"\nsynapse = 0.01\n";
    let path = dir.join("chain.toml");
    std::fs::write(&path, spec).unwrap();
    let out = |t: &str| {
        let h5 = dir.join(format!("t{t}.h5"));
        run(&[
            "run",
            s(&path),
            "-o",
            s(&h5),
            "-q",
            "--no-cache",
            "--threads",
            t,
        ]);
        std::fs::read(&h5).unwrap()
    };
    let (a, b) = (out("1"), out("2"));
    assert!(a == b, "files differ");
    let f = File::open(dir.join("t1.h5")).unwrap();
    for i in 0..5 {
        let n = f.dataset(&format!("spikes/e{i}/node_ids")).unwrap().size();
        assert!(n > 10_000, "e{i}: {n} spikes");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn same_seed_gives_byte_identical_files_whatever_the_thread_count() {
    let dir = tmpdir("bytes");
    let spec = example("lif_pop.toml");
    let one = dir.join("one.h5");
    let two = dir.join("two.h5");
    let set = "population.lif_pop.size=5000";
    run(&[
        "run",
        s(&spec),
        "-o",
        s(&one),
        "-q",
        "--threads",
        "1",
        "--set",
        set,
    ]);
    run(&[
        "run",
        s(&spec),
        "-o",
        s(&two),
        "-q",
        "--threads",
        "2",
        "--set",
        set,
    ]);
    let (a, b) = (std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    assert!(a == b, "files differ");
    // A different seed changes nothing here (no random parameters) but the provenance.
    let f = File::open(&one).unwrap();
    let ids: Vec<u64> = f
        .dataset("spikes/lif_pop/node_ids")
        .unwrap()
        .read_raw()
        .unwrap();
    assert_eq!(
        ids.len(),
        1000 * 50,
        "1000 recorded neurons at 50 Hz for 1 s"
    );
    let prov = f.group("provenance").unwrap();
    let o: Vec<VarLenUnicode> = prov.attr("overrides").unwrap().read_raw().unwrap();
    assert_eq!(o.iter().map(|x| x.as_str()).collect::<Vec<_>>(), vec![set]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn spec_errors_exit_2_with_file_line_and_key_and_write_nothing() {
    let dir = tmpdir("errors");
    let spec = dir.join("bad.toml");
    std::fs::write(
        &spec,
        TWO_POPS.replace("size = 9", "size = 9\ntau_rx = 0.01"),
    )
    .unwrap();
    let out = dir.join("x.h5");
    let o = bin()
        .args(["run", s(&spec), "-o", s(&out)])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.trim(),
        format!(
            "error: {}:16:1: `population.silent.tau_rx`: unknown key; did you mean `tau_rc`?",
            spec.display()
        )
    );
    let o = bin()
        .args([
            "run",
            s(&spec),
            "--set",
            "population.silent.tau_rx=1",
            "--seed",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "bad flag value is a usage error");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "only the spec");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_prints_what_would_be_built() {
    let o = run(&[
        "check",
        s(&example("lif_pop.toml")),
        "--set",
        "population.lif_pop.size=2000",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("lif_pop") && out.contains("2000 neurons"),
        "{out}"
    );
    assert!(
        out.contains("memory") && out.contains("10000 steps"),
        "{out}"
    );
}

#[test]
fn inspect_and_plot_read_the_file() {
    let dir = tmpdir("inspect");
    let out = dir.join("pop.h5");
    run(&[
        "run",
        s(&example("lif_pop.toml")),
        "-o",
        s(&out),
        "-q",
        "--set",
        "population.lif_pop.size=5000",
        "--set",
        "probe.recorded.neurons={start=0, stop=5000}",
    ]);
    let o = run(&["inspect", s(&out), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = &v["populations"][0];
    assert_eq!(p["name"], "lif_pop");
    assert_eq!(p["spikes"], 5000 * 50);
    assert!((p["rate_hz"].as_f64().unwrap() - 50.0).abs() < 1e-9);
    assert_eq!(v["provenance"]["status"], "complete");
    let o = run(&["inspect", s(&out)]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("250000"));
    // A closed standard output (`inspect … | head`) ends it by SIGPIPE, as other Unix tools;
    // it used to panic (exit 101).
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = bin()
        .args(["inspect", s(&out)])
        .stdout(writer)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(13), "{status:?}");
    // 5000 neurons > 2000 raster rows: subsampled 1 in 3, and the plot says so.
    let svg = dir.join("pop.svg");
    run(&[
        "plot",
        s(&out),
        "-o",
        s(&svg),
        "--from",
        "0.1",
        "--to",
        "0.3",
    ]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.contains("1 in 3 neurons shown (1667 of 5000)"),
        "caption missing"
    );
    let png = dir.join("pop.png");
    run(&["plot", s(&out), "-o", s(&png)]);
    assert_eq!(&std::fs::read(&png).unwrap()[..4], b"\x89PNG");
    let o = bin()
        .args(["plot", s(&out), "--populations", "nope"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("no population `nope` in the file (it has: lif_pop)")
    );
    // An infinite window used to hang while laying out the axis; an unwritable output was
    // reported as a drawing-backend error.
    let fails = |args: &[&str], msg: &str| {
        let o = bin().args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(msg), "{args:?}: {e}");
    };
    fails(
        &["plot", s(&out), "--to", "inf"],
        "expected a finite time ≥ 0, in seconds",
    );
    let nowhere = dir.join("no_such_dir").join("p.png");
    fails(
        &["plot", s(&out), "-o", s(&nowhere)],
        &format!(
            "cannot write {}: No such file or directory",
            nowhere.display()
        ),
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Height of a PNG file, px (IHDR, big-endian at byte 20).
fn png_height(path: &std::path::Path) -> u32 {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..4], b"\x89PNG");
    u32::from_be_bytes([b[20], b[21], b[22], b[23]])
}

#[test]
fn plot_grows_with_the_number_of_probes() {
    // Five probe panels used to share the space of one (strips ~60 px high): each probe
    // panel now keeps at least 200 px, the raster and rate panels keep theirs.
    let dir = tmpdir("plot-probes");
    let height = |n: usize| {
        let probes: String = (0..n)
            .map(|k| {
                format!(
                    "\n[[probe]]\nname = \"v{k}\"\ntarget = \"active\"\nvariable = \"v\"\n\
                     neurons = [{k}]\n"
                )
            })
            .collect();
        let spec = dir.join(format!("probes{n}.toml"));
        std::fs::write(&spec, format!("{TWO_POPS}{probes}")).unwrap();
        let (h5, png) = (dir.join(format!("p{n}.h5")), dir.join(format!("p{n}.png")));
        run(&["run", s(&spec), "-o", s(&h5), "-q"]);
        run(&["plot", s(&h5), "-o", s(&png)]);
        png_height(&png)
    };
    let h: Vec<u32> = [0, 1, 2, 5].into_iter().map(height).collect();
    assert!(h[0] < h[1] && h[1] < h[2] && h[2] < h[3], "{h:?}");
    assert!(
        h[3] - h[2] >= 3 * 200,
        "three more probes, three more panels: {h:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--format nwb`: the NWB 2 layout of FORMATS.md (root fields, required groups, the `/units`
/// table with its index references and Neo's `obs_intervals`), spikes equal to the SONATA
/// file's, and a probe as a `TimeSeries` in seconds.
#[test]
fn nwb_units_table_holds_the_same_spikes_as_sonata() {
    let dir = tmpdir("nwb");
    let spec = dir.join("two.toml");
    let probe = "\n[[probe]]\nname = \"v_active\"\ntarget = \"active\"\nvariable = \"v\"\nneurons = [0, 3]\n";
    std::fs::write(&spec, format!("{TWO_POPS}{probe}")).unwrap();
    let sonata = dir.join("a.h5");
    let nwb = dir.join("a.nwb");
    run(&["run", s(&spec), "-o", s(&sonata), "-q", "--sort", "by_id"]);
    let out = run(&["run", s(&spec), "-o", s(&nwb), "--format", "nwb"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("(NWB 2, by_id)"));
    let f = File::open(&nwb).unwrap();
    assert_eq!(str_attr(&f, "neurodata_type"), "NWBFile");
    assert_eq!(str_attr(&f, "namespace"), "core");
    assert_eq!(str_attr(&f, "nwb_version"), "2.7.0");
    assert_eq!(str_attr(&f, "object_id").len(), 36);
    for g in [
        "acquisition",
        "analysis",
        "general",
        "processing",
        "stimulus/presentation",
        "stimulus/templates",
    ] {
        assert!(f.link_exists(g), "missing /{g}");
    }
    for d in [
        "identifier",
        "session_description",
        "session_start_time",
        "timestamps_reference_time",
    ] {
        assert!(f.dataset(d).unwrap().is_scalar(), "{d}");
    }
    assert_eq!(f.dataset("file_create_date").unwrap().shape(), vec![1]);
    let script = f.dataset("general/source_script").unwrap();
    assert_eq!(
        script.read_scalar::<VarLenUnicode>().unwrap().as_str(),
        std::fs::read_to_string(&spec).unwrap()
    );

    let units = f.group("units").unwrap();
    assert_eq!(str_attr(&units, "neurodata_type"), "Units");
    let st = units.dataset("spike_times").unwrap();
    assert_eq!(str_attr(&st, "neurodata_type"), "VectorData");
    assert_eq!(str_attr(&st, "namespace"), "hdmf-common");
    assert_eq!(
        st.attr("resolution").unwrap().read_scalar::<f64>().unwrap(),
        1e-4
    );
    let times: Vec<f64> = st.read_raw().unwrap();
    let ends: Vec<u64> = units
        .dataset("spike_times_index")
        .unwrap()
        .read_raw()
        .unwrap();
    let pop: Vec<VarLenUnicode> = units.dataset("population").unwrap().read_raw().unwrap();
    let node: Vec<u64> = units.dataset("node_id").unwrap().read_raw().unwrap();
    let id: Vec<i64> = units.dataset("id").unwrap().read_raw().unwrap();
    assert_eq!(
        ends.len(),
        37 + 9,
        "one unit per neuron, silent ones included"
    );
    assert_eq!(id, (0..46).collect::<Vec<i64>>());
    assert_eq!(pop[36].as_str(), "active");
    assert_eq!(pop[37].as_str(), "silent");
    assert_eq!((node[36], node[37], node[45]), (36, 0, 8));
    assert_eq!(*ends.last().unwrap() as usize, times.len());
    let idx = units.dataset("spike_times_index").unwrap();
    assert_eq!(str_attr(&idx, "neurodata_type"), "VectorIndex");
    assert_eq!(
        idx.attr("target")
            .unwrap()
            .dtype()
            .unwrap()
            .to_descriptor()
            .unwrap(),
        TypeDescriptor::Reference(hdf5::types::Reference::Object)
    );
    let obs = units.dataset("obs_intervals").unwrap();
    assert_eq!(obs.shape(), vec![46, 2]);
    assert_eq!(
        units
            .dataset("obs_intervals_index")
            .unwrap()
            .read_raw::<u64>()
            .unwrap(),
        (1..=46).collect::<Vec<u64>>()
    );

    // The same spikes as the SONATA file (by id), in seconds, ascending within each unit.
    let g = File::open(&sonata).unwrap().group("spikes/active").unwrap();
    let ts: Vec<f64> = g.dataset("timestamps").unwrap().read_raw().unwrap();
    let is: Vec<u64> = g.dataset("node_ids").unwrap().read_raw().unwrap();
    assert!(!ts.is_empty());
    assert_eq!(ts.len(), times.len(), "the silent population has no spikes");
    let mut start = 0usize;
    for (unit, &end) in ends.iter().enumerate().take(37) {
        let mine = &times[start..end as usize];
        let theirs: Vec<f64> = is
            .iter()
            .zip(&ts)
            .filter(|&(&i, _)| i == unit as u64)
            .map(|(_, &t)| t / 1e3)
            .collect();
        assert_eq!(mine, &theirs[..], "unit {unit}");
        assert!(mine.windows(2).all(|w| w[0] < w[1]));
        start = end as usize;
    }

    let ts = f.group("acquisition/v_active").unwrap();
    assert_eq!(str_attr(&ts, "neurodata_type"), "TimeSeries");
    let data = ts.dataset("data").unwrap();
    assert_eq!(data.shape()[1], 2);
    let stamps: Vec<f64> = ts.dataset("timestamps").unwrap().read_raw().unwrap();
    assert_eq!(stamps.len(), data.shape()[0]);
    assert!((stamps[0] - 1e-4).abs() < 1e-12, "seconds: {}", stamps[0]);
    std::fs::remove_dir_all(&dir).unwrap();
}

// `inspect` and `plot` on SONATA spike files written by other tools (bmtk, libsonata): no
// `n_nodes` attribute and no provenance; malformed populations are errors naming the dataset.

/// Writes `/spikes/cells` as bmtk does: `timestamps` (ms, f64), `node_ids` (u64) and a
/// `sorting` string attribute, nothing else.
fn write_bmtk(path: &std::path::Path, times: &[f64], ids: &[u64]) {
    let f = File::create(path).unwrap();
    let g = f.create_group("spikes/cells").unwrap();
    g.new_dataset_builder()
        .with_data(times)
        .create("timestamps")
        .unwrap();
    g.new_dataset_builder()
        .with_data(ids)
        .create("node_ids")
        .unwrap();
    let by_time: VarLenUnicode = "by_time".parse().unwrap();
    g.new_attr::<VarLenUnicode>()
        .create("sorting")
        .unwrap()
        .write_scalar(&by_time)
        .unwrap();
}

#[test]
fn files_of_other_writers_are_read_and_bad_ones_named() {
    let dir = tmpdir("foreign-sonata");
    // This test writes HDF5 files in-process while other tests spawn children, which inherit
    // the writer's descriptor and its lock (libhdf5 opens without O_CLOEXEC); the readers
    // here therefore do not lock.
    let spikesim = |args: &[&str]| {
        bin()
            .env("HDF5_USE_FILE_LOCKING", "FALSE")
            .args(args)
            .output()
            .unwrap()
    };
    let good = dir.join("bmtk.h5");
    write_bmtk(&good, &[1.0, 2.5, 4.0, 7.5], &[3, 0, 9, 3]);
    let o = spikesim(&["inspect", s(&good), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = &v["populations"][0];
    assert_eq!(p["name"], "cells");
    // The size is the largest id + 1 when the writer gave none.
    assert_eq!(p["n_nodes"], 10);
    assert_eq!(p["spikes"], 4);
    assert_eq!(p["sorting"], "by_time");
    // No provenance: the duration, and so the rate, is unknown (not 0).
    assert!(v["duration_s"].is_null() && p["rate_hz"].is_null(), "{v}");
    let o = spikesim(&["inspect", s(&good)]);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("duration unknown"), "{table}");
    let png = dir.join("bmtk.png");
    assert!(
        spikesim(&["plot", s(&good), "-o", s(&png)])
            .status
            .success()
    );
    assert_eq!(&std::fs::read(&png).unwrap()[..4], b"\x89PNG");

    // `sorting` as other writers store it: ASCII strings, variable and fixed length.
    let ascii = dir.join("ascii.h5");
    write_bmtk(&ascii, &[1.0], &[0]);
    {
        let f = File::open_rw(&ascii).unwrap();
        let g = f.group("spikes/cells").unwrap();
        g.delete_attr("sorting").unwrap();
        let v = hdf5::types::VarLenAscii::from_ascii("by_id").unwrap();
        g.new_attr::<hdf5::types::VarLenAscii>()
            .create("sorting")
            .unwrap()
            .write_scalar(&v)
            .unwrap();
        let h = f.create_group("spikes/fixed").unwrap();
        h.new_dataset_builder()
            .with_data(&[2.0f64])
            .create("timestamps")
            .unwrap();
        h.new_dataset_builder()
            .with_data(&[1u64])
            .create("node_ids")
            .unwrap();
        let v = hdf5::types::FixedAscii::<7>::from_ascii(b"by_time").unwrap();
        h.new_attr::<hdf5::types::FixedAscii<7>>()
            .create("sorting")
            .unwrap()
            .write_scalar(&v)
            .unwrap();
    }
    let o = spikesim(&["inspect", s(&ascii), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sorting: Vec<&str> = (0..2)
        .map(|i| v["populations"][i]["sorting"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(sorting, ["by_id", "by_time"], "{v}");

    let bad = dir.join("bad.h5");
    write_bmtk(&bad, &[1.0, 2.0, 3.0], &[0, 1]);
    for cmd in ["inspect", "plot"] {
        let o = spikesim(&[cmd, s(&bad)]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            e.contains("/spikes/cells/timestamps has 3 entries but /spikes/cells/node_ids has 2"),
            "{cmd}: {e}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Damaged files: bytes of a run's output overwritten (seeded; mostly in the first 16 KiB,
/// where HDF5 keeps the superblock and object headers), then `inspect` and `plot` on each. HDF5
/// 1.10 crashes outright on some of them (so does its own `h5dump`); spikesim must still end
/// with a status, 0 or 2, never by a signal, and say which file crashed the library. Strings
/// damaged into invalid UTF-8 must not reach the output as such.
#[test]
fn damaged_files_end_with_an_error_not_a_signal() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tmpdir("damaged");
    let base = dir.join("base.h5");
    run(&[
        "run",
        s(&example("nef_channel.toml")),
        "-o",
        s(&base),
        "--duration",
        "0.2",
        "-q",
    ]);
    let bytes = std::fs::read(&base).unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = |n: usize| {
        // xorshift64*: a fixed sequence of damaged files on every machine.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    };
    let (mut crashed, mut errors, mut hung) = (0, 0, 0);
    for k in 0..120 {
        let mut b = bytes.clone();
        for _ in 0..1 + next(20) {
            let at = if next(5) < 4 {
                next(b.len().min(16_384))
            } else {
                next(b.len())
            };
            b[at] = next(256) as u8;
        }
        let path = dir.join(format!("damaged_{k}.h5"));
        std::fs::write(&path, &b).unwrap();
        let png = dir.join(format!("damaged_{k}.png"));
        for args in [
            vec!["inspect", s(&path)],
            vec!["inspect", s(&path), "--json"],
            vec!["plot", s(&path), "-o", s(&png)],
        ] {
            // HDF5 1.10 can also loop forever on a damaged file (closing one of these spins
            // in its metadata cache; h5dump does not get there): such runs are stopped after
            // a while and counted, not failed — no caller can end that loop.
            let mut child = bin()
                .env("HDF5_USE_FILE_LOCKING", "FALSE")
                .args(&args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let started = std::time::Instant::now();
            let mut killed = false;
            while child.try_wait().unwrap().is_none() {
                if started.elapsed() > std::time::Duration::from_secs(5) {
                    child.kill().unwrap();
                    killed = true;
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            let o = child.wait_with_output().unwrap();
            if killed {
                hung += 1;
                continue;
            }
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                o.status.signal().is_none() && matches!(o.status.code(), Some(0 | 2)),
                "{args:?}: {:?}\n{err}",
                o.status
            );
            assert!(
                std::str::from_utf8(&o.stdout).is_ok(),
                "{args:?}: invalid UTF-8 on stdout"
            );
            if err.contains("crashed the HDF5 library") {
                assert!(err.contains(s(&path)), "{err}");
                crashed += 1;
            } else if o.status.code() == Some(2) {
                errors += 1;
            }
        }
    }
    eprintln!(
        "damaged files: {crashed} runs crashed HDF5, {errors} ended with an error, {hung} hung in HDF5"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

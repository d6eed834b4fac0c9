"""Nengo 4.1 reference for spikesim's `validate learning` PES cases (validation/src/learning_pes.rs).
Run: /path/to/python scripts/pes_nengo.py sine|white (prints JSON: mean first/last-second error RMSE)
     /path/to/python scripts/pes_nengo.py dump validation/data/nengo_pes_setups.json
         (Nengo's built `pre` and `post` ensembles of seeds 0-4, the white-noise stimulus it
          drew for each seed, and Nengo's figures: the paired setups `validate learning` runs)

stim (sin 2πt, or WhiteSignal(period T, high 5 Hz, rms 0.5)) → pre (100 LIF, no synapse);
pre → post (100 LIF) decoded with zero decoders (function 0), PES(lr 1e-4, pre_synapse
Lowpass(0.005)), synapse Lowpass(0.005); error = post − stim through two connections into the
learning rule (default synapse Lowpass(0.005)). Output: probe(post, Lowpass(0.01)).
Target: stim through two zero-order-hold lowpasses (0.005 then 0.01), each with one step of
delay (the path's own filtering). Error RMSE over the first and the last second of 10 s.
"""
import os, sys, json, numpy as np, nengo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "validation", "nengo"))
from nef_reference import built_params, initial_voltage, setups_file  # noqa: E402
dt = 1e-3
def lowpass(x, tau):
    a = np.exp(-dt / tau)
    y = np.zeros_like(x)
    for k in range(1, len(x)):
        y[k] = a * y[k - 1] + (1 - a) * x[k - 1]
    return y
def run(seed, kind, T=10.0, dump=None):
    with nengo.Network(seed=seed) as net:
        if kind == "sine":
            stim = nengo.Node(lambda t: np.sin(2 * np.pi * t))
        else:
            stim = nengo.Node(nengo.processes.WhiteSignal(T, high=5, rms=0.5, seed=seed))
        pre = nengo.Ensemble(100, 1)
        post = nengo.Ensemble(100, 1)
        nengo.Connection(stim, pre, synapse=None)
        conn = nengo.Connection(pre, post, function=lambda x: [0], learning_rule_type=nengo.PES())
        nengo.Connection(post, conn.learning_rule)
        nengo.Connection(stim, conn.learning_rule, transform=-1)
        pp = nengo.Probe(post, synapse=0.01)
        ps = nengo.Probe(stim, synapse=None)
    with nengo.Simulator(net, progress_bar=False, dt=dt) as sim:
        v0 = {"pre": initial_voltage(sim, pre), "post": initial_voltage(sim, post)}
        sim.run(T)
    if dump is not None:
        dump["pre"] = built_params(sim, pre, v0["pre"])
        dump["post"] = built_params(sim, post, v0["post"])
        # Nine significant digits: the f32 simulation cannot tell them from the f64 values.
        dump["stimulus"] = [float(f"{x:.9g}") for x in sim.data[ps][:, 0]]
    target = lowpass(lowpass(sim.data[ps][:, 0], 0.005), 0.01)
    e = sim.data[pp][:, 0] - target
    n = int(round(1 / dt))
    return [float(np.sqrt(np.mean(e[:n] ** 2))), float(np.sqrt(np.mean(e[-n:] ** 2)))]
def dump_setups(path, seeds=range(5)):
    """Nengo's ensembles, white-noise stimuli and figures for every case and seed."""
    out = setups_file("PES cases of `spikesim validate learning` (scripts/pes_nengo.py dump); "
                      "dt 1e-3, 10 s; stimulus = the white-noise node's output at t = k dt, "
                      "k = 1..10000")
    for kind, case in [("sine", "pes_sine"), ("white", "pes_white_noise")]:
        for s in seeds:
            d = {}
            first, last = run(s, kind, dump=d)
            c = {"case": case, "seed": s,
                 "ensembles": {r: out.add(d[r]) for r in ("pre", "post")},
                 "nengo": {"rmse_first_s": first, "rmse_last_s": last}}
            if kind == "white":
                c["stimulus"] = d["stimulus"]
            out.cases.append(c)
            print(case, s, first, last, flush=True)
    out.write(path)


if sys.argv[1] == "dump":
    dump_setups(sys.argv[2])
else:
    kind = sys.argv[1]
    r = np.array([run(s, kind) for s in range(5)])
    print(json.dumps({"kind": kind, "first_mean": r[:, 0].mean(), "last_mean": r[:, 1].mean(),
                      "last_std": r[:, 1].std(), "per_seed": r.tolist()}))

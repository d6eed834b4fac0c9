"""Nengo 4.1 reference for `spikesim validate nef`: the setups and metric definitions that
reproduce ANCHORS.md's Nengo figures (seeds 0-4 give them to every quoted digit).

usage: python nef_reference.py [--seeds N]     (prints mean, std (ddof=1) and per-seed values)
       python nef_reference.py --replay OURS.json   (spikesim's built ensembles run in Nengo)
       python nef_reference.py --dump-setups OUT.json [--seeds N]
           (Nengo's own built ensembles of every case and seed, with Nengo's figure for each:
            the paired setups `spikesim validate nef` runs; shipped as
            validation/data/nengo_nef_setups.json)

- comm / square / product: Node(sin 2πt) (2-D: [sin, cos]) -> Ensemble(100 / 100 / 200) with
  synapse=None; Connection(ens, Node(size_in=1), function=f, synapse=None); Probe(out,
  synapse=0.01); RMSE against Lowpass(0.01).filt(f(x)) delayed by one step.
- integrator_N: Node(lambda t: 1 if t <= 0.5 else 0) -> ens (transform 0.1, synapse 0.1),
  ens -> ens (synapse 0.1), Probe(ens, synapse=0.01), 5.5 s; drift = |least-squares slope|
  over t >= 1 s; final = mean over t > 5.4 s.
- oscillator: 2-D, 200 neurons; Node([0.5, 0] if t < 0.1 else [0, 0]) -> ens (synapse 0.1),
  ens -> ens (transform [[1, -w tau], [w tau, 1]], w = 2 pi, tau = 0.1), Probe(ens,
  synapse=0.01), 5.2 s; amplitude ratio = mean radius over the last 1 s / mean radius over
  [0.2, 1.2); frequency = least-squares slope of the unwrapped phase over t >= 0.2, / 2 pi.
- solver: LstsqL2(reg=0.1) RMSE on the evaluation points of integrator_1000's ensemble
  (1000 neurons, 2000 points), identity function.
"""
import argparse

import numpy as np
import nengo


def ensemble(n, d, built=None):
    """Nengo's default ensemble, or one with spikesim's built parameters (--replay)."""
    if built is None:
        return nengo.Ensemble(n, d)
    return nengo.Ensemble(
        n, d, gain=np.array(built["gain"]), bias=np.array(built["bias"]),
        encoders=np.array(built["encoders"]).reshape(n, d),
        eval_points=np.array(built["eval_points"]).reshape(-1, d),
        neuron_type=nengo.LIF(initial_state={"voltage": np.array(built["initial_voltage"])}))


def decode_case(seed, n, d, f, built=None):
    with nengo.Network(seed=seed) as net:
        inp = nengo.Node((lambda t: np.sin(2 * np.pi * t)) if d == 1 else
                         (lambda t: [np.sin(2 * np.pi * t), np.cos(2 * np.pi * t)]))
        ens = ensemble(n, d, built)
        nengo.Connection(inp, ens, synapse=None)
        out = nengo.Node(size_in=1)
        nengo.Connection(ens, out, function=f, synapse=None)
        p = nengo.Probe(out, synapse=0.01)
        pin = nengo.Probe(inp)
    with nengo.Simulator(net, progress_bar=False) as sim:
        v0 = initial_voltage(sim, ens)
        sim.run(2.0)
    x = sim.data[pin]
    fx = np.array([np.atleast_1d(f(xi if d > 1 else xi[0])) for xi in x])
    ideal = nengo.Lowpass(0.01).filt(fx, dt=sim.dt, y0=0)
    ideal = np.vstack([np.zeros((1, ideal.shape[1])), ideal[:-1]])
    return np.sqrt(np.mean((sim.data[p] - ideal) ** 2)), built_params(sim, ens, v0)


def initial_voltage(sim, ens):
    """The LIF voltages the simulator starts from (drawn at build)."""
    return np.array(sim.signals[sim.model.sig[ens.neurons]["voltage"]], dtype=float).copy()


def built_params(sim, ens, v0):
    """An ensemble's built parameters, in the layout of the fixture (row-major)."""
    b = sim.data[ens]
    return {"n": int(ens.n_neurons), "dims": int(ens.dimensions),
            "gain": b.gain.tolist(), "bias": b.bias.tolist(),
            "encoders": b.encoders.ravel().tolist(), "eval_points": b.eval_points.ravel().tolist(),
            "initial_voltage": v0.tolist()}


def integrator(seed, n, built=None):
    with nengo.Network(seed=seed) as net:
        inp = nengo.Node(lambda t: 1.0 if t <= 0.5 else 0.0)
        ens = ensemble(n, 1, built)
        nengo.Connection(inp, ens, transform=0.1, synapse=0.1)
        nengo.Connection(ens, ens, synapse=0.1)
        p = nengo.Probe(ens, synapse=0.01)
    with nengo.Simulator(net, progress_bar=False) as sim:
        v0 = initial_voltage(sim, ens)
        sim.run(5.5)
    t, y = sim.trange(), sim.data[p][:, 0]
    m = t >= 1.0
    return abs(np.polyfit(t[m], y[m], 1)[0]), y[t > 5.4].mean(), built_params(sim, ens, v0)


def oscillator(seed, built=None, seconds=5.0):
    tau, w = 0.1, 2 * np.pi
    with nengo.Network(seed=seed) as net:
        kick = nengo.Node(lambda t: [0.5, 0.0] if t < 0.1 else [0.0, 0.0])
        ens = ensemble(200, 2, built)
        nengo.Connection(kick, ens, synapse=tau)
        nengo.Connection(ens, ens, transform=[[1, -w * tau], [w * tau, 1]], synapse=tau)
        p = nengo.Probe(ens, synapse=0.01)
    with nengo.Simulator(net, progress_bar=False) as sim:
        v0 = initial_voltage(sim, ens)
        sim.run(0.2 + seconds)
    t, y = sim.trange(), sim.data[p]
    end = 0.2 + seconds
    r = np.hypot(y[:, 0], y[:, 1])
    ratio = r[(t >= end - 1.0) & (t < end)].mean() / r[(t >= 0.2) & (t < 1.2)].mean()
    m = t >= 0.2
    phase = np.unwrap(np.arctan2(y[m, 1], y[m, 0]))
    freq = np.polyfit(t[m], phase, 1)[0] / (2 * np.pi)
    return ratio, freq, built_params(sim, ens, v0)


def solver_rmse(built):
    """LstsqL2(reg=0.1) RMSE of the identity on an ensemble's own evaluation points."""
    n, d = built["n"], built["dims"]
    x = np.array(built["eval_points"]).reshape(-1, d)
    enc = np.array(built["encoders"]).reshape(n, d)
    j = np.array(built["gain"]) * (x @ enc.T) + np.array(built["bias"])
    a = nengo.LIF().rates(j, np.ones(n), np.zeros(n))
    _, info = nengo.solvers.LstsqL2(reg=0.1)(a, x)
    return float(np.mean(info["rmses"]))


class setups_file:
    """A setups file: ensembles stored once (keyed by a hash of their contents; the comm and
    square networks have the same structure, hence the same ensemble) and cases referring to
    them by role."""

    def __init__(self, about):
        self.about, self.ensembles, self.cases = about, {}, []

    def add(self, built):
        import hashlib
        import json
        k = hashlib.sha256(json.dumps(built).encode()).hexdigest()[:12]
        self.ensembles[k] = built
        return k

    def write(self, path):
        import json
        with open(path, "w") as fh:
            json.dump({"about": "Nengo " + nengo.__version__ + ": " + self.about,
                       "ensembles": self.ensembles, "cases": self.cases}, fh,
                      separators=(",", ":"))


def dump_setups(path, seeds):
    """Nengo's own ensembles for every case and seed, with Nengo's figures: the paired
    setups of `spikesim validate nef`."""
    out = setups_file("built ensembles and figures of the `spikesim validate nef` cases "
                      "(validation/nengo/nef_reference.py --dump-setups); dt 1e-3; row-major "
                      "encoders/eval_points")

    def case(name, s, b, figures):
        out.cases.append({"case": name, "seed": s, "ensembles": {"ens": out.add(b)},
                          "nengo": figures})

    for s in seeds:
        for name, n, d, f in [("comm_channel", 100, 1, lambda x: x),
                              ("square", 100, 1, lambda x: x ** 2),
                              ("product", 200, 2, lambda x: x[0] * x[1])]:
            rmse, b = decode_case(s, n, d, f)
            case(name, s, b, {"rmse": rmse})
        for n in [100, 1000]:
            drift, final, b = integrator(s, n)
            case(f"integrator_{n}", s, b, {"abs_drift_per_s": drift, "final_value": final})
            if n == 1000:
                case("solver_rmse", s, b, {"solver_rmse": solver_rmse(b)})
        ratio, freq, b = oscillator(s)
        case("oscillator", s, b, {"amplitude_ratio": ratio, "frequency_hz": freq})
        print("seed", s, "done", flush=True)
    out.write(path)
    for c in sorted({c["case"] for c in out.cases}):
        rows = [x["nengo"] for x in out.cases if x["case"] == c]
        for m in rows[0]:
            report(f"{c} {m}", [r[m] for r in rows])


def report(name, v):
    v = np.asarray(v)
    print(f"{name}: mean {v.mean():.5f} std {v.std(ddof=1):.5f} per seed {np.round(v, 5).tolist()}")


def replay(path):
    """Runs spikesim's built ensembles (gains, biases, encoders, eval points, initial
    voltages; from `cargo test --release -p validation dump_built -- --ignored`) in Nengo and
    prints Nengo's figure next to spikesim's for each case and seed."""
    import json
    rows = {}
    for c in json.load(open(path)):
        if c["case"] == "square":
            v = [decode_case(c["seed"], 100, 1, lambda x: x ** 2, c)[0]]
        else:
            v = list(integrator(c["seed"], 1000, c)[:2])
        rows.setdefault(c["case"], []).append((v, c["spikesim"]))
        print(c["case"], c["seed"], "nengo", np.round(v, 5).tolist(),
              "spikesim", np.round(c["spikesim"], 5).tolist(), flush=True)
    for case, r in rows.items():
        ng = np.array([x[0] for x in r])
        ss = np.array([x[1] for x in r])
        print(f"{case}: mean nengo {np.round(ng.mean(0), 5).tolist()} "
              f"spikesim {np.round(ss.mean(0), 5).tolist()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--replay", metavar="JSON", help="run spikesim's built ensembles in Nengo")
    ap.add_argument("--dump-setups", metavar="JSON", help="write Nengo's built ensembles")
    a = ap.parse_args()
    if a.replay:
        replay(a.replay)
        return
    if a.dump_setups:
        dump_setups(a.dump_setups, range(a.seeds))
        return
    seeds = range(a.seeds)
    for name, n, d, f in [("comm", 100, 1, lambda x: x), ("square", 100, 1, lambda x: x ** 2),
                          ("product", 200, 2, lambda x: x[0] * x[1])]:
        report(name, [decode_case(s, n, d, f)[0] for s in seeds])
    for n in [100, 1000]:
        r = np.array([integrator(s, n)[:2] for s in seeds])
        report(f"integrator_{n} drift", r[:, 0])
        report(f"integrator_{n} final", r[:, 1])
    r = np.array([oscillator(s)[:2] for s in seeds])
    report("oscillator amplitude_ratio", r[:, 0])
    report("oscillator frequency_hz", r[:, 1])


if __name__ == "__main__":
    main()

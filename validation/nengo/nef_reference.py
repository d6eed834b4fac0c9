"""Nengo 4.1 reference for `spikesim validate nef`: the setups and metric definitions that
reproduce ANCHORS.md's Nengo figures (seeds 0-4 give them to every quoted digit).

usage: python nef_reference.py [--seeds N]     (prints mean, std (ddof=1) and per-seed values)
       python nef_reference.py --replay OURS.json   (spikesim's built ensembles run in Nengo)

- comm / square / product: Node(sin 2πt) (2-D: [sin, cos]) -> Ensemble(100 / 100 / 200) with
  synapse=None; Connection(ens, Node(size_in=1), function=f, synapse=None); Probe(out,
  synapse=0.01); RMSE against Lowpass(0.01).filt(f(x)) delayed by one step.
- integrator_N: Node(lambda t: 1 if t <= 0.5 else 0) -> ens (transform 0.1, synapse 0.1),
  ens -> ens (synapse 0.1), Probe(ens, synapse=0.01), 5.5 s; drift = |least-squares slope|
  over t >= 1 s; final = mean over t > 5.4 s.
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
        sim.run(2.0)
    x = sim.data[pin]
    fx = np.array([np.atleast_1d(f(xi if d > 1 else xi[0])) for xi in x])
    ideal = nengo.Lowpass(0.01).filt(fx, dt=sim.dt, y0=0)
    ideal = np.vstack([np.zeros((1, ideal.shape[1])), ideal[:-1]])
    return np.sqrt(np.mean((sim.data[p] - ideal) ** 2))


def integrator(seed, n, built=None):
    with nengo.Network(seed=seed) as net:
        inp = nengo.Node(lambda t: 1.0 if t <= 0.5 else 0.0)
        ens = ensemble(n, 1, built)
        nengo.Connection(inp, ens, transform=0.1, synapse=0.1)
        nengo.Connection(ens, ens, synapse=0.1)
        p = nengo.Probe(ens, synapse=0.01)
    with nengo.Simulator(net, progress_bar=False) as sim:
        sim.run(5.5)
    t, y = sim.trange(), sim.data[p][:, 0]
    m = t >= 1.0
    return abs(np.polyfit(t[m], y[m], 1)[0]), y[t > 5.4].mean()


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
            v = [decode_case(c["seed"], 100, 1, lambda x: x ** 2, c)]
        else:
            v = list(integrator(c["seed"], 1000, c))
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
    a = ap.parse_args()
    if a.replay:
        replay(a.replay)
        return
    seeds = range(a.seeds)
    for name, n, d, f in [("comm", 100, 1, lambda x: x), ("square", 100, 1, lambda x: x ** 2),
                          ("product", 200, 2, lambda x: x[0] * x[1])]:
        report(name, [decode_case(s, n, d, f) for s in seeds])
    for n in [100, 1000]:
        r = np.array([integrator(s, n) for s in seeds])
        report(f"integrator_{n} drift", r[:, 0])
        report(f"integrator_{n} final", r[:, 1])


if __name__ == "__main__":
    main()

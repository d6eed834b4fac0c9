"""Nengo 4.1 reference for `spikesim validate nef`: the setups and metric definitions that
reproduce ANCHORS.md's Nengo figures (seeds 0-4 give them to every quoted digit).

usage: python nef_reference.py [--seeds N]     (prints mean, std (ddof=1) and per-seed values)

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


def decode_case(seed, n, d, f):
    with nengo.Network(seed=seed) as net:
        inp = nengo.Node((lambda t: np.sin(2 * np.pi * t)) if d == 1 else
                         (lambda t: [np.sin(2 * np.pi * t), np.cos(2 * np.pi * t)]))
        ens = nengo.Ensemble(n, d)
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


def integrator(seed, n):
    with nengo.Network(seed=seed) as net:
        inp = nengo.Node(lambda t: 1.0 if t <= 0.5 else 0.0)
        ens = nengo.Ensemble(n, 1)
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    seeds = range(ap.parse_args().seeds)
    for name, n, d, f in [("comm", 100, 1, lambda x: x), ("square", 100, 1, lambda x: x ** 2),
                          ("product", 200, 2, lambda x: x[0] * x[1])]:
        report(name, [decode_case(s, n, d, f) for s in seeds])
    for n in [100, 1000]:
        r = np.array([integrator(s, n) for s in seeds])
        report(f"integrator_{n} drift", r[:, 0])
        report(f"integrator_{n} final", r[:, 1])


if __name__ == "__main__":
    main()

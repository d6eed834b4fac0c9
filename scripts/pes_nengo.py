"""Nengo 4.1 reference for spikesim's `validate learning` PES cases (validation/src/learning_pes.rs).
Run: /path/to/python scripts/pes_nengo.py sine|white (prints JSON: mean first/last-second error RMSE).

stim (sin 2πt, or WhiteSignal(period T, high 5 Hz, rms 0.5)) → pre (100 LIF, no synapse);
pre → post (100 LIF) decoded with zero decoders (function 0), PES(lr 1e-4, pre_synapse
Lowpass(0.005)), synapse Lowpass(0.005); error = post − stim through two connections into the
learning rule (default synapse Lowpass(0.005)). Output: probe(post, Lowpass(0.01)).
Target: stim through two zero-order-hold lowpasses (0.005 then 0.01), each with one step of
delay (the path's own filtering). Error RMSE over the first and the last second of 10 s.
"""
import sys, json, numpy as np, nengo
dt = 1e-3
def lowpass(x, tau):
    a = np.exp(-dt / tau)
    y = np.zeros_like(x)
    for k in range(1, len(x)):
        y[k] = a * y[k - 1] + (1 - a) * x[k - 1]
    return y
def run(seed, kind, T=10.0):
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
        sim.run(T)
    target = lowpass(lowpass(sim.data[ps][:, 0], 0.005), 0.01)
    e = sim.data[pp][:, 0] - target
    n = int(round(1 / dt))
    return [float(np.sqrt(np.mean(e[:n] ** 2))), float(np.sqrt(np.mean(e[-n:] ** 2)))]
kind = sys.argv[1]
r = np.array([run(s, kind) for s in range(5)])
print(json.dumps({"kind": kind, "first_mean": r[:, 0].mean(), "last_mean": r[:, 1].mean(),
                  "last_std": r[:, 1].std(), "per_seed": r.tolist()}))

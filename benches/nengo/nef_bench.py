"""Nengo 4.1 (reference NumPy simulator) side of `cargo run --release -p spikesim-benches
--example nef`: the same NEF workloads (spikesim_benches::nef), one JSON line each.

usage: python nef_bench.py chain|single|solve [--n N] [--seed S] [--cache]

  chain   Node(sin 2πt) -> 10 ensembles x 1000 LIF (1-D) chained by decoded identity
          connections (default Lowpass(0.005)), last probed with Lowpass(0.01);
          build = nengo.Simulator(...), run = sim.run(1.0)
  single  one 1-D ensemble of N neurons (default 10000) with a decoded probe; build only
  solve   LstsqL2(reg=0.1) on the tuning curves of a 1000-neuron ensemble (2000 eval points)

`*_s` are wall seconds, `*_cpu_s` process CPU seconds (all BLAS threads).  The decoder cache
is off unless --cache (spikesim's figures are without its cache too).
"""
import argparse
import json
import time

import numpy as np
import nengo
from nengo.builder.ensemble import get_activities


def timed(f):
    c0, t0 = time.process_time(), time.perf_counter()
    r = f()
    return r, time.perf_counter() - t0, time.process_time() - c0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=["chain", "single", "solve"])
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", action="store_true")
    a = ap.parse_args()
    nengo.rc["decoder_cache"]["enabled"] = "True" if a.cache else "False"
    out = dict(simulator="nengo", version=nengo.__version__, workload="nef_" + a.workload,
               seed=a.seed, cache=a.cache)
    if a.workload == "chain":
        with nengo.Network(seed=a.seed) as net:
            inp = nengo.Node(lambda t: np.sin(2 * np.pi * t))
            prev = inp
            for _ in range(10):
                e = nengo.Ensemble(1000, 1)
                nengo.Connection(prev, e)
                prev = e
            nengo.Probe(prev, synapse=0.01)
        sim, b_s, b_cpu = timed(lambda: nengo.Simulator(net, progress_bar=False))
        _, r_s, r_cpu = timed(lambda: sim.run(1.0))
        out.update(ensembles=10, n=1000, build_s=b_s, build_cpu_s=b_cpu, sim_s=r_s, sim_cpu_s=r_cpu)
    elif a.workload == "single":
        n = a.n or 10000
        with nengo.Network(seed=a.seed) as net:
            e = nengo.Ensemble(n, 1)
            p = nengo.Probe(e, synapse=0.01)
        sim, b_s, b_cpu = timed(lambda: nengo.Simulator(net, progress_bar=False))
        # The probe's decoded connection is built internally; its BuiltConnection is the
        # only Connection in model.params.
        conn = [k for k in sim.model.params if isinstance(k, nengo.Connection)][0]
        rmse = float(np.mean(sim.model.params[conn].solver_info["rmses"]))
        out.update(n=n, build_s=b_s, build_cpu_s=b_cpu, solver_rmse=rmse)
    else:
        n = a.n or 1000
        with nengo.Network(seed=a.seed) as net:
            e = nengo.Ensemble(n, 1)
        sim = nengo.Simulator(net, progress_bar=False)
        x = sim.data[e].eval_points
        act = get_activities(sim.data[e], e, x)
        (d, info), s, cpu = timed(lambda: nengo.solvers.LstsqL2()(act, x))
        out.update(n=n, solve_s=s, solve_cpu_s=cpu, solver_rmse=float(np.mean(info["rmses"])))
    print(json.dumps(out))


if __name__ == "__main__":
    main()

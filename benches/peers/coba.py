"""COBA (Brette et al. 2007 benchmark 1 with a constant 200 pA drive) in Brian2 2.9 and NEST 3.10,
the same network as spikesim's examples/coba.toml and simcore::networks::coba::Coba::default().

/work/shared/peers/common.py has no COBA workload; the parameters are here (COBA below) and must
stay equal to examples/coba.toml.

usage (venv with brian2 and nest-simulator, see /work/shared/peers/README.md):
  python benches/peers/coba.py brian2 [--mode standalone|runtime] [--seed S]
  python benches/peers/coba.py nest [--seed S]
Prints one JSON line: build and simulation wall time, simulation CPU time (sim_cpu_s; for Brian2
standalone the binary's CPU time minus its set-up share is not separable, so binary_cpu_s is
given beside sim_s), rates per population and the ISI CV of the first 1000 excitatory neurons.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np

COBA = dict(
    N=4000, frac_exc=0.8, p=0.02,
    C_m=200.0, g_L=10.0, E_L=-60.0, V_th=-50.0, V_reset=-60.0, t_ref=5.0,  # pF nS mV mV mV ms
    E_ex=0.0, E_in=-80.0, tau_ex=5.0, tau_in=10.0,  # mV mV ms ms
    w_ex=6.0, w_in=67.0, I_e=200.0,  # nS nS pA
    delay=0.1, dt=0.1, T=1000.0,  # ms
)


def stats(t_ms, idx, ne, n, T):
    t = np.asarray(t_ms, float)
    i = np.asarray(idx, np.int64)
    out = dict(rate_hz=len(t) / n / (T / 1e3),
               rate_exc_hz=int((i < ne).sum()) / ne / (T / 1e3),
               rate_inh_hz=int((i >= ne).sum()) / (n - ne) / (T / 1e3))
    sel = i < 1000
    ts, js = t[sel], i[sel]
    o = np.lexsort((ts, js))
    ts, js = ts[o], js[o]
    same = np.diff(js) == 0
    isi, own = np.diff(ts)[same], js[1:][same]
    cvs = []
    for j in np.unique(own):
        x = isi[own == j]
        if len(x) >= 2:
            cvs.append(x.std() / x.mean())
    out["cv_isi_mean"] = float(np.mean(cvs)) if cvs else None
    return out


def brian2_run(mode, seed):
    import brian2 as b2
    from brian2 import ms, mV, nS, pA, pF
    p = COBA
    if mode == "standalone":
        b2.set_device("cpp_standalone", build_on_run=False)
    b2.seed(seed)
    b2.defaultclock.dt = p["dt"] * ms
    n, ne = p["N"], int(round(p["N"] * p["frac_exc"]))
    t0 = time.perf_counter()
    eqs = """
    dv/dt = (gL*(EL - v) + ge*(Eex - v) + gi*(Ein - v) + Ie)/Cm : volt (unless refractory)
    dge/dt = -ge/tauex : siemens
    dgi/dt = -gi/tauin : siemens
    """
    ns = dict(gL=p["g_L"] * nS, EL=p["E_L"] * mV, Eex=p["E_ex"] * mV, Ein=p["E_in"] * mV,
              Ie=p["I_e"] * pA, Cm=p["C_m"] * pF, tauex=p["tau_ex"] * ms, tauin=p["tau_in"] * ms,
              Vt=p["V_th"] * mV, Vr=p["V_reset"] * mV, we=p["w_ex"] * nS, wi=p["w_in"] * nS)
    P = b2.NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr", refractory=p["t_ref"] * ms,
                       method="exponential_euler", namespace=ns)
    P.v = "Vr + rand() * (Vt - Vr)"
    Ce = b2.Synapses(P, P, on_pre="ge += we", delay=p["delay"] * ms, namespace=ns)
    Ci = b2.Synapses(P, P, on_pre="gi += wi", delay=p["delay"] * ms, namespace=ns)
    Ce.connect(f"i<{ne}", p=p["p"])
    Ci.connect(f"i>={ne}", p=p["p"])
    mon = b2.SpikeMonitor(P)
    net = b2.Network(P, Ce, Ci, mon)
    rec = dict(simulator="brian2", version=b2.__version__, mode=mode, seed=seed,
               method="exponential_euler")
    if mode == "runtime":
        rec["build_s"] = time.perf_counter() - t0
        net.run(0 * ms)
        t1, c1 = time.perf_counter(), time.process_time()
        net.run(p["T"] * ms)
        rec.update(sim_s=time.perf_counter() - t1, sim_cpu_s=time.process_time() - c1)
    else:
        net.run(p["T"] * ms)
        bdir = f"/tmp/b2sa_coba_{seed}"
        b2.device.build(directory=bdir, compile=True, run=False, debug=False, clean=False)
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t1 = time.perf_counter()
        b2.device.run(bdir, "results", False, None)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        rec.update(binary_s=time.perf_counter() - t1, sim_s=float(b2.device._last_run_time),
                   binary_cpu_s=(ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime))
    rec["n_synapses"] = int(len(Ce) + len(Ci))
    rec.update(stats(np.asarray(mon.t / ms), np.asarray(mon.i[:]), ne, n, p["T"]))
    return rec


def nest_run(seed):
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest
    p = COBA
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.SetKernelStatus({"local_num_threads": 1, "resolution": p["dt"], "rng_seed": seed,
                          "print_time": False})
    n, ne = p["N"], int(round(p["N"] * p["frac_exc"]))
    t0 = time.perf_counter()
    pop = nest.Create("iaf_cond_exp", n, params={
        "C_m": p["C_m"], "g_L": p["g_L"], "E_L": p["E_L"], "V_th": p["V_th"],
        "V_reset": p["V_reset"], "t_ref": p["t_ref"], "E_ex": p["E_ex"], "E_in": p["E_in"],
        "tau_syn_ex": p["tau_ex"], "tau_syn_in": p["tau_in"], "I_e": p["I_e"]})
    pop.V_m = nest.random.uniform(p["V_reset"], p["V_th"])
    conn = {"rule": "pairwise_bernoulli", "p": p["p"], "allow_autapses": True}
    # iaf_cond_exp: a positive weight is an excitatory, a negative one an inhibitory jump (nS)
    nest.Connect(pop[:ne], pop, conn, {"weight": p["w_ex"], "delay": p["delay"]})
    nest.Connect(pop[ne:], pop, conn, {"weight": -p["w_in"], "delay": p["delay"]})
    sr = nest.Create("spike_recorder")
    nest.Connect(pop, sr)
    build = time.perf_counter() - t0
    nest.Prepare()
    t1, c1 = time.perf_counter(), time.process_time()
    nest.Run(p["T"])
    sim, cpu = time.perf_counter() - t1, time.process_time() - c1
    nest.Cleanup()
    ev = sr.get("events")
    rec = dict(simulator="nest", version=nest.__version__, seed=seed, build_s=build, sim_s=sim,
               sim_cpu_s=cpu, n_synapses=nest.GetKernelStatus("num_connections") - n,
               model="iaf_cond_exp (GSL RKF45)")
    rec.update(stats(ev["times"], np.asarray(ev["senders"]) - pop[0].global_id, ne, n, p["T"]))
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("simulator", choices=["brian2", "nest"])
    ap.add_argument("--mode", choices=["standalone", "runtime"], default="standalone")
    ap.add_argument("--seed", type=int, default=12345)
    a = ap.parse_args()
    rec = brian2_run(a.mode, a.seed) if a.simulator == "brian2" else nest_run(a.seed)
    print(json.dumps(rec, sort_keys=True), flush=True)


if __name__ == "__main__":
    sys.exit(main())

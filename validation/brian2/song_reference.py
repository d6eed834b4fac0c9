"""Brian2 reference for `spikesim validate learning`'s `stdp_song2000` case: the same model and
parameters run in Brian2 (C++ standalone), so the bimodal weights and the output rates have a
peer figure beside spikesim's (Song, Miller & Abbott 2000 describe both qualitatively).

usage: python song_reference.py [SECONDS] [SEED ...]   (prints one JSON line per seed)
       env SONG_COPIES=K SONG_DT_MS=0.01 ...: K independent copies of the setting in one run
       (one JSON line per copy), time step 0.01 ms (convergence check of the peer's
       discretisation).

Model (validation/src/learning.rs, examples/stdp_song.toml): one conductance-based LIF neuron,
C_m 200 pF, g_L 10 nS (tau_m 20 ms), E_L -70 mV, threshold -54 mV, reset -60 mV, no refractory
period, E_e 0 mV, tau_e 5 ms, starting at E_L; 1000 independent Poisson inputs at 10 Hz; additive
STDP (pair-based, all-to-all traces), g_max = 0.015 g_L, A+ = 0.005 g_max, A- = 1.05 A+,
tau+- = 20 ms, weights U(0, g_max), 0.1 ms axonal delay; dt 0.1 ms. Metrics as the check:
fraction of weights <= 0.1 g_max and >= 0.9 g_max at the end; output rate over the first 5 s and
over the last fifth of the run.
"""
import json
import os
import sys
import tempfile

import numpy as np
from brian2 import (NeuronGroup, PoissonGroup, SpikeMonitor, Synapses, defaultclock, device,
                    ms, mV, nS, pF, Hz, second, seed as bseed, set_device, run)


def song(seconds, seed, copies=1, dt_ms=0.1):
    set_device("cpp_standalone", directory=tempfile.mkdtemp(prefix="song_"), build_on_run=False)
    defaultclock.dt = dt_ms * ms
    bseed(seed)
    c_m, g_l, e_l, v_th, v_r, e_e, tau_e = 200 * pF, 10 * nS, -70 * mV, -54 * mV, -60 * mV, 0 * mV, 5 * ms
    g_max = 0.015 * g_l
    a_plus = 0.005 * g_max
    a_minus = 1.05 * a_plus
    tau_pm = 20 * ms
    neuron = NeuronGroup(copies, """dv/dt = (g_l*(e_l - v) + ge*(e_e - v)) / c_m : volt
                               dge/dt = -ge / tau_e : siemens""",
                         threshold="v > v_th", reset="v = v_r", method="exponential_euler")
    neuron.v = e_l
    inputs = PoissonGroup(1000 * copies, rates=10 * Hz)
    s = Synapses(inputs, neuron,
                 """w : siemens
                    dapre/dt = -apre / tau_pm : siemens (event-driven)
                    dapost/dt = -apost / tau_pm : siemens (event-driven)""",
                 on_pre="""ge += w
                           apre += a_plus
                           w = clip(w - apost, 0*nS, g_max)""",
                 on_post="""apost += a_minus
                            w = clip(w + apre, 0*nS, g_max)""",
                 delay=0.1 * ms)
    s.connect(j="i // 1000")
    s.w = "rand() * g_max"
    out = SpikeMonitor(neuron)
    run(seconds * second)
    device.build(run=True)
    w_all = np.asarray(s.w / g_max)
    post = np.asarray(s.j[:])
    t_all, i_all = np.asarray(out.t / second), np.asarray(out.i[:])
    tail = seconds / 5
    res = []
    for c in range(copies):
        w, t = w_all[post == c], t_all[i_all == c]
        r = {"simulator": "brian2", "seed": seed, "copy": c, "dt_ms": dt_ms, "seconds": seconds,
             "fraction_near_zero": float(np.mean(w <= 0.1)),
             "fraction_near_gmax": float(np.mean(w >= 0.9)),
             "output_rate_initial_hz": float(np.sum(t < 5) / 5),
             "output_rate_final_hz": float(np.sum(t >= seconds - tail) / tail)}
        r["fraction_near_bounds"] = r["fraction_near_zero"] + r["fraction_near_gmax"]
        res.append(r)
    device.reinit()
    device.activate()
    return res


if __name__ == "__main__":
    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 2000.0
    seeds = [int(x) for x in sys.argv[2:]] or [2000]
    copies = int(os.environ.get("SONG_COPIES", "1"))
    dt_ms = float(os.environ.get("SONG_DT_MS", "0.1"))
    for sd in seeds:
        for r in song(secs, sd, copies, dt_ms):
            print(json.dumps(r), flush=True)

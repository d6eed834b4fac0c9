"""scikit-learn's MLPClassifier on the workloads of `benches/examples/dense_train.rs`, one
thread, printing one JSON line per run like the Rust example (CPU time of `fit`).

    python scripts/sklearn_mlp.py digits [SEEDS] [SPLIT_DIR]
    python scripts/sklearn_mlp.py synthetic [SAMPLES] [EPOCHS]
    python scripts/sklearn_mlp.py compare [SEEDS]     # both libraries, same splits, one table

digits:    the repository's models/data/digits.csv / 16 (the file spikesim ships and reads),
           split exactly as spikesim splits it: the test rows of seed k are read from
           SPLIT_DIR/digits_seed<k>.txt (default target/dense_splits), written by
           `dense_train digits`; the other rows, ascending, are the training set.
           64-100-10 ReLU, Adam η = 0.001 (β 0.9/0.999, ε 1e-8), batch 200, α = 1e-4, exactly
           200 epochs (tol = 0 and n_iter_no_change > max_iter, so it never stops early),
           shuffled every epoch, float64, random_state = seed.
synthetic: 784-256-10 ReLU, Adam, batch 200, standard-normal inputs with labels from a random
           linear teacher, SAMPLES (10000) × EPOCHS (5); reports samples per CPU-second.
compare:   runs `target/release/examples/dense_train digits SEEDS f32` and `... f64` (which
           write the splits), then scikit-learn on the same splits, and prints mean ± sd.

Run from the repository root. Thread counts of BLAS/OpenMP are pinned to one below, before
NumPy loads.
"""
import os

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ[v] = "1"

import json
import pathlib
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPLITS = ROOT / "target" / "dense_splits"


def mlp(hidden, epochs, seed):
    return MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                         learning_rate_init=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                         batch_size=200, max_iter=epochs, alpha=1e-4, shuffle=True,
                         random_state=seed, tol=0.0, n_iter_no_change=epochs + 1,
                         early_stopping=False)


def load_digits_csv():
    """The shipped CSV: 64 pixels 0..16 then the label; scaled like spikesim (/16)."""
    data = np.loadtxt(ROOT / "models" / "data" / "digits.csv", delimiter=",", comments="#")
    return data[:, :-1] / 16.0, data[:, -1].astype(int)


def split(n, seed, split_dir):
    path = pathlib.Path(split_dir) / f"digits_seed{seed}.txt"
    if not path.exists():
        sys.exit(f"{path} is missing: run `target/release/examples/dense_train digits "
                 f"{seed + 1}` first (it writes spikesim's splits)")
    test = np.loadtxt(path, dtype=int, ndmin=1)
    mask = np.zeros(n, dtype=bool)
    mask[test] = True
    return np.flatnonzero(~mask), np.sort(test)


def digits(seeds, split_dir=SPLITS):
    x, y = load_digits_csv()
    accs, cpus = [], []
    for seed in range(seeds):
        tr, te = split(len(y), seed, split_dir)
        clf = mlp((100,), 200, seed)
        c0, w0 = time.process_time(), time.perf_counter()
        clf.fit(x[tr], y[tr])
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        acc = clf.score(x[te], y[te])
        accs.append(acc)
        cpus.append(cpu)
        print(json.dumps({"simulator": "sklearn", "version": sklearn.__version__,
                          "workload": "digits", "precision": "f64", "seed": seed,
                          "epochs": clf.n_iter_, "train": len(tr), "test": len(te),
                          "cpu_s": round(cpu, 4), "wall_s": round(wall, 4),
                          "test_accuracy": round(acc, 4)}), flush=True)
    sd = statistics.stdev if seeds > 1 else (lambda v: 0.0)
    summary = {"simulator": "sklearn", "workload": "digits", "summary": True,
               "precision": "f64", "seeds": seeds,
               "test_accuracy_mean": round(statistics.mean(accs), 4),
               "test_accuracy_sd": round(sd(accs), 4),
               "cpu_s_mean": round(statistics.mean(cpus), 4), "cpu_s_sd": round(sd(cpus), 4)}
    print(json.dumps(summary), flush=True)
    return {**summary, "per_seed": [round(a, 4) for a in accs]}


def synthetic(n, epochs):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 784))
    y = np.argmax(x @ rng.standard_normal((784, 10)), axis=1)
    clf = mlp((256,), epochs, 0)
    c0, w0 = time.process_time(), time.perf_counter()
    clf.fit(x, y)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    print(json.dumps({"simulator": "sklearn", "version": sklearn.__version__,
                      "workload": "synthetic_784_256_10", "samples": n, "epochs": clf.n_iter_,
                      "cpu_s": round(cpu, 4), "wall_s": round(wall, 4),
                      "samples_per_cpu_s": round(n * clf.n_iter_ / cpu, 1)}), flush=True)


def compare(seeds):
    exe = ROOT / "target" / "release" / "examples" / "dense_train"
    if not exe.exists():
        sys.exit(f"{exe} is missing: cargo build --release -p spikesim-benches --example "
                 "dense_train")
    rows, per_seed = [], {}
    for precision in ("f32", "f64"):
        out = subprocess.run([str(exe), "digits", str(seeds), precision, str(SPLITS)],
                             cwd=ROOT, check=True, capture_output=True, text=True).stdout
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        for line in lines:
            print(json.dumps(line), flush=True)
        rows.append((f"spikesim {precision}", lines[-1]))
        per_seed[precision] = [line["test_accuracy"] for line in lines[:-1]]
    sk = digits(seeds)
    rows.append(("scikit-learn f64", sk))
    print(f"\ndigits, {seeds} seeds (same split per seed), mean ± sd:")
    print(f"{'':18} {'test accuracy':>18} {'train CPU s':>18}")
    for name, s in rows:
        print(f"{name:18} {s['test_accuracy_mean']:.4f} ± {s['test_accuracy_sd']:.4f}    "
              f"{s['cpu_s_mean']:.3f} ± {s['cpu_s_sd']:.3f}")
    for precision, accs in per_seed.items():
        d = [a - b for a, b in zip(accs, sk["per_seed"])]
        se = statistics.stdev(d) / len(d) ** 0.5 if len(d) > 1 else 0.0
        wins = sum(x > 1e-9 for x in d), sum(abs(x) <= 1e-9 for x in d), sum(x < -1e-9 for x in d)
        print(f"paired spikesim {precision} − scikit-learn: {statistics.mean(d):+.4f} ± "
              f"{se:.4f} (s.e.); better/equal/worse on {wins[0]}/{wins[1]}/{wins[2]} seeds; "
              f"CPU-time ratio {rows[0 if precision == 'f32' else 1][1]['cpu_s_mean'] / sk['cpu_s_mean']:.2f}")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "digits"
    if mode == "digits":
        digits(int(sys.argv[2]) if len(sys.argv) > 2 else 5,
               sys.argv[3] if len(sys.argv) > 3 else SPLITS)
    elif mode == "synthetic":
        synthetic(int(sys.argv[2]) if len(sys.argv) > 2 else 10000,
                  int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    elif mode == "compare":
        compare(int(sys.argv[2]) if len(sys.argv) > 2 else 5)
    else:
        sys.exit(f"unknown workload {mode!r} (digits | synthetic | compare)")

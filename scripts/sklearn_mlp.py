"""scikit-learn's MLPClassifier on the workloads of `benches/examples/dense_train.rs`, one
thread, printing one JSON line per run like the Rust example (CPU time of `fit`).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 python scripts/sklearn_mlp.py digits [SEEDS]
    OMP_NUM_THREADS=1 ... python scripts/sklearn_mlp.py synthetic [SAMPLES] [EPOCHS]

digits:    load_digits / 16, stratified 20 % test split (random_state = seed), 64-100-10 ReLU,
           Adam η = 0.001, batch 200, α = 1e-4, exactly 200 epochs (tol = 0 and
           n_iter_no_change > max_iter, so it never stops early), float64.
synthetic: 784-256-10 ReLU, Adam, batch 200, standard-normal inputs with labels from a random
           linear teacher, SAMPLES (10000) × EPOCHS (5); reports samples per CPU-second.
"""
import os

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(v, "1")

import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def mlp(hidden, epochs, seed):
    return MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                         learning_rate_init=1e-3, batch_size=200, max_iter=epochs, alpha=1e-4,
                         shuffle=True, random_state=seed, tol=0.0,
                         n_iter_no_change=epochs + 1)


def digits(seeds):
    x, y = load_digits(return_X_y=True)
    x = x / 16.0
    for seed in range(seeds):
        xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)
        clf = mlp((100,), 200, seed)
        c0, w0 = time.process_time(), time.perf_counter()
        clf.fit(xtr, ytr)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        print(json.dumps({"simulator": "sklearn", "version": sklearn.__version__,
                          "workload": "digits", "seed": seed, "epochs": clf.n_iter_,
                          "cpu_s": round(cpu, 4), "wall_s": round(wall, 4),
                          "test_accuracy": round(clf.score(xte, yte), 4)}), flush=True)


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


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "digits"
    if mode == "digits":
        digits(int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    elif mode == "synthetic":
        synthetic(int(sys.argv[2]) if len(sys.argv) > 2 else 10000,
                  int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    else:
        sys.exit(f"unknown workload {mode!r} (digits | synthetic)")

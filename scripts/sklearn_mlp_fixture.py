"""Writes models/tests/fixtures/sklearn_mlp_adam.txt: scikit-learn's MLPClassifier trained from
given initial weights, for `models/tests/sklearn_parity.rs`, which trains spikesim's MLP from
the same weights in the same sample order and checks that both land on the same weights.

    /tmp/peers/bin/python scripts/sklearn_mlp_fixture.py

Setting: the first 120 rows of models/data/digits.csv / 16; 64-16-10 ReLU/softmax; Adam
η = 0.01 (β 0.9/0.999, ε 1e-8); α = 0.01; batch 50, so every epoch ends with a batch of 20 (where
α/n_b differs from α/50); 3 epochs without shuffling; float64. Initial weights and biases are
drawn from NumPy (seed 7) uniform in ±√(6/(n_in + n_out)) and written to the file too.
scikit-learn creates a fresh Adam (t = 0) at every `fit`, so a warm start from overwritten
`coefs_`/`intercepts_` trains exactly from the given weights.

File format: `#` comment lines, then one tensor per line: `name rows cols v1 v2 …` (row-major,
Python's round-trip float repr). Tensors: w0, b0, w1, b1 (initial), then W0, B0, W1, B1 (after
training) and P (predict_proba of the 120 training rows after training, 120 × 10).
"""
import os

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = "1"

import pathlib
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "models" / "tests" / "fixtures" / "sklearn_mlp_adam.txt"

data = np.loadtxt(ROOT / "models" / "data" / "digits.csv", delimiter=",")[:120]
x, y = data[:, :-1] / 16.0, data[:, -1].astype(int)
assert sorted(set(y)) == list(range(10))

rng = np.random.default_rng(7)
sizes = [64, 16, 10]
init_w, init_b = [], []
for n_in, n_out in zip(sizes[:-1], sizes[1:]):
    lim = np.sqrt(6.0 / (n_in + n_out))
    init_w.append(rng.uniform(-lim, lim, (n_in, n_out)))
    init_b.append(rng.uniform(-lim, lim, n_out))

clf = MLPClassifier(hidden_layer_sizes=(16,), activation="relu", solver="adam",
                    learning_rate_init=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                    alpha=0.01, batch_size=50, max_iter=1, shuffle=False, tol=0.0,
                    n_iter_no_change=100, random_state=0, warm_start=True)
clf.fit(x, y)  # builds the label binarizer and layer shapes
clf.coefs_ = [w.copy() for w in init_w]
clf.intercepts_ = [b.copy() for b in init_b]
clf.max_iter = 3
clf.fit(x, y)
proba = clf.predict_proba(x)


def line(name, a):
    a = np.atleast_2d(a)
    return f"{name} {a.shape[0]} {a.shape[1]} " + " ".join(repr(float(v)) for v in a.ravel())


lines = [f"# scikit-learn {sklearn.__version__}, numpy {np.__version__}; written by "
         "scripts/sklearn_mlp_fixture.py (see there for the setting)"]
for i, (w, b) in enumerate(zip(init_w, init_b)):
    lines += [line(f"w{i}", w), line(f"b{i}", b)]
for i, (w, b) in enumerate(zip(clf.coefs_, clf.intercepts_)):
    lines += [line(f"W{i}", w), line(f"B{i}", b)]
lines.append(line("P", proba))
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text("\n".join(lines) + "\n")
print(f"wrote {OUT}")

#!/usr/bin/python3
"""Generates the predictions fixtures of tests/mleval-compare-*.bats and the
metrics scikit-learn computes on them (run once; its outputs are committed,
so the tests need no scikit-learn). Debian 12: python3-sklearn 1.2.1.

    cd tests/data/mleval-compare && /usr/bin/python3 gen.py
"""
import json
import math

import numpy as np
from sklearn import metrics as skm

rng = np.random.default_rng(20261123)


def write_csv(name, header, rows, crlf=False, bom=False, quote=False):
    nl = "\r\n" if crlf else "\n"
    out = []
    q = (lambda s: '"' + s.replace('"', '""') + '"') if quote else (lambda s: s)
    out.append(",".join(q(h) for h in header))
    for r in rows:
        out.append(",".join(q(str(v)) for v in r))
    text = nl.join(out) + nl
    with open(name, "w", encoding="utf-8", newline="") as f:
        if bom:
            f.write("\ufeff")
        f.write(text)


def num(v):
    """Floats as Python's shortest repr; whole floats without '.0' noise."""
    return repr(float(v))


def safe(fn):
    try:
        v = float(fn())
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def binary_metrics(y, s, t=0.5):
    p = (s >= t).astype(int)
    probs = bool(np.all((s >= 0) & (s <= 1)))
    return {
        "accuracy": safe(lambda: skm.accuracy_score(y, p)),
        "precision": safe(lambda: skm.precision_score(y, p, zero_division=0)),
        "recall": safe(lambda: skm.recall_score(y, p, zero_division=0)),
        "f1": safe(lambda: skm.f1_score(y, p, zero_division=0)),
        "roc_auc": safe(lambda: skm.roc_auc_score(y, s)) if len(set(y)) == 2 else None,
        "log_loss": safe(lambda: skm.log_loss(y, s, labels=[0, 1])) if probs else None,
        "brier": safe(lambda: skm.brier_score_loss(y, s, pos_label=1)) if probs else None,
    }


def multiclass_metrics(y, p):
    return {
        "accuracy": skm.accuracy_score(y, p),
        "precision": skm.precision_score(y, p, average="macro", zero_division=0),
        "recall": skm.recall_score(y, p, average="macro", zero_division=0),
        "f1": skm.f1_score(y, p, average="macro", zero_division=0),
    }


def regression_metrics(y, p):
    return {
        "mae": skm.mean_absolute_error(y, p),
        "rmse": skm.mean_squared_error(y, p, squared=False),
        "r2": skm.r2_score(y, p),
    }


expected = {}


def record(name, task, rows, threshold, m):
    expected[name] = {"task": task, "rows": rows, "threshold": threshold,
                      "metrics": {k: (None if v is None else float(v)) for k, v in m.items()}}


# Binary, many ties (scores on a 0.05 grid), with ids; the baseline's rows
# are shuffled so that pairing by id is needed.
n = 400
y = rng.integers(0, 2, n)
ids = [f"row-{i:04d}" for i in range(n)]
cand = np.clip(np.round((0.35 * y + rng.random(n) * 0.65) * 20) / 20, 0, 1)
base = np.clip(np.round((0.25 * y + rng.random(n) * 0.75) * 20) / 20, 0, 1)
write_csv("binary-cand.csv", ["id", "label", "score"], [(ids[i], y[i], num(cand[i])) for i in range(n)])
perm = rng.permutation(n)
write_csv("binary-base.csv", ["score", "id", "label", "note"],
          [(num(base[i]), ids[i], y[i], "x") for i in perm])
record("binary-cand.csv", "binary", n, 0.5, binary_metrics(y, cand))
record("binary-base.csv", "binary", n, 0.5, binary_metrics(y, base))
record("binary-cand.csv@0.3", "binary", n, 0.3, binary_metrics(y, cand, 0.3))
# The same candidate as RFC 4180 at its fullest: BOM, CRLF, every field quoted.
write_csv("binary-cand-crlf.csv", ["id", "label", "score"],
          [(ids[i], y[i], num(cand[i])) for i in range(n)], crlf=True, bom=True, quote=True)
record("binary-cand-crlf.csv", "binary", n, 0.5, binary_metrics(y, cand))

# Binary with full-precision scores (the strtod path), exact 0 and 1 (log
# loss clipping) and scores right at the threshold.
n = 300
y = rng.integers(0, 2, n)
s = rng.random(n)
s[:5] = 0.0
s[5:10] = 1.0
s[10:15] = 0.5
s[15:18] = 1e-20
write_csv("binary-precise.csv", ["label", "score"], [(y[i], num(s[i])) for i in range(n)])
record("binary-precise.csv", "binary", n, 0.5, binary_metrics(y, s))

# All one class: ROC AUC undefined, the rest defined.
n = 50
y = np.ones(n, dtype=int)
s = np.round(rng.random(n), 3)
write_csv("binary-oneclass.csv", ["label", "score"], [(y[i], num(s[i])) for i in range(n)])
record("binary-oneclass.csv", "binary", n, 0.5, binary_metrics(y, s))

# Scores that are not probabilities (margins): log loss and Brier undefined.
n = 60
y = rng.integers(0, 2, n)
s = np.round(rng.normal(0, 2, n) + y, 4)
write_csv("binary-margins.csv", ["label", "score"], [(y[i], num(s[i])) for i in range(n)])
record("binary-margins.csv", "binary", n, 0.5, binary_metrics(y, s))

# Multi-class: four classes, one never predicted, one predicted but absent.
n = 240
y = rng.integers(0, 4, n)
pc = np.where(rng.random(n) < 0.7, y, rng.integers(0, 5, n))
pc[pc == 3] = 2
pb = np.where(rng.random(n) < 0.6, y, rng.integers(0, 4, n))
write_csv("multi-cand.csv", ["label", "prediction"], [(y[i], pc[i]) for i in range(n)])
write_csv("multi-base.csv", ["label", "prediction"], [(y[i], pb[i]) for i in range(n)])
record("multi-cand.csv", "multiclass", n, None, multiclass_metrics(y, pc))
record("multi-base.csv", "multiclass", n, None, multiclass_metrics(y, pb))

# Regression.
n = 200
y = rng.normal(50, 10, n)
pc = y + rng.normal(0, 3, n)
pb = y + rng.normal(0.5, 4, n)
write_csv("reg-cand.csv", ["id", "label", "prediction"], [(i, num(y[i]), num(pc[i])) for i in range(n)])
write_csv("reg-base.csv", ["id", "label", "prediction"], [(i, num(y[i]), num(pb[i])) for i in range(n)])
record("reg-cand.csv", "regression", n, None, regression_metrics(y, pc))
record("reg-base.csv", "regression", n, None, regression_metrics(y, pb))

# Regression with constant labels: R^2 is 0 for an imperfect fit.
n = 20
y = np.full(n, 3.0)
p = np.round(3 + rng.normal(0, 0.1, n), 3)
write_csv("reg-constant.csv", ["label", "prediction"], [(num(y[i]), num(p[i])) for i in range(n)])
record("reg-constant.csv", "regression", n, None, regression_metrics(y, p))

with open("expected.json", "w", encoding="utf-8") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")

#!/usr/bin/env python3
"""The numpy reference of bench/run.sh: a typical paired bootstrap, written
plainly and vectorised within each resample. Every resample draws one index
vector and scores baseline and candidate on the same rows.

np_bootstrap.py BASE.csv CAND.csv RESAMPLES [auc]
Prints the seconds the resampling loop took on stdout (bench/run.sh scales
a short run to 1000 resamples with it) and the 95% interval of each delta
(candidate - baseline) on stderr. With 'auc', roc_auc (scikit-learn's
roc_auc_score) is resampled too.
"""
import sys
import time

import numpy as np
from sklearn.metrics import roc_auc_score


def counts(label, pred):
    tp = np.count_nonzero(label & pred)
    fp = np.count_nonzero(pred) - tp
    fn = np.count_nonzero(label) - tp
    return tp, fp, fn


def scores(label, score, with_auc):
    pred = score >= 0.5
    tp, fp, fn = counts(label, pred)
    out = [np.count_nonzero(label == pred) / len(label),
           2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0]
    if with_auc:
        out.append(roc_auc_score(label, score))
    return np.array(out)


def main():
    base = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
    cand = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
    n_resamples = int(sys.argv[3])
    with_auc = len(sys.argv) > 4 and sys.argv[4] == "auc"
    label = base[:, 0].astype(bool)
    bscore, cscore = base[:, 1], cand[:, 1]
    rng = np.random.default_rng(0)
    n = len(label)
    deltas = []
    start = time.monotonic()
    for _ in range(n_resamples):
        idx = rng.integers(0, n, n)
        lab = label[idx]
        deltas.append(scores(lab, cscore[idx], with_auc) - scores(lab, bscore[idx], with_auc))
    loop = time.monotonic() - start
    lo, hi = np.percentile(np.array(deltas), [2.5, 97.5], axis=0)
    print("%.6f" % loop)
    sys.stderr.write(" ".join("[%.5f, %.5f]" % (a, b) for a, b in zip(lo, hi)) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The scikit-learn reference of bench/run.sh: what a typical user runs to
score a predictions CSV. Loads label,score with numpy.loadtxt (numpy >= 1.23
parses in C; pandas is not installed here), then computes the binary metrics
mleval-compare reports.

sk_metrics.py FILE.csv
"""
import json
import sys

import numpy as np
from sklearn import metrics


def main():
    data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
    label = data[:, 0].astype(np.int8)
    score = data[:, 1]
    pred = (score >= 0.5).astype(np.int8)
    out = {
        "accuracy": metrics.accuracy_score(label, pred),
        "precision": metrics.precision_score(label, pred, zero_division=0),
        "recall": metrics.recall_score(label, pred, zero_division=0),
        "f1": metrics.f1_score(label, pred, zero_division=0),
        "roc_auc": metrics.roc_auc_score(label, score),
        "log_loss": metrics.log_loss(label, score),
        "brier": metrics.brier_score_loss(label, score),
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

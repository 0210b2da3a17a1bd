#!/usr/bin/env python3
"""Logistic regression by mini-batch gradient descent, standard library only.

The training job of mlgate's example pipeline: it reads a CSV with an `id`
column, a label column and numeric features, holds out a fixed part of the
rows (chosen by a hash of the id, so every model is judged on the same rows
whatever its hyperparameters), trains, and writes

  OUT/model.json   the weights, with the feature scaling they expect
  OUT/preds.csv    id,label,score for the held-out rows: the gate's input

While it trains it prints one JSON metric line per epoch on stdout,
{"epoch":N,"loss":X,"val_loss":Y,"val_acc":Z}, which mlrun-log records.
The same arguments and seed give byte-identical output files.
"""

import argparse
import csv
import hashlib
import json
import math
import os
import random
import sys
import tempfile


def die(msg, status=2):
    print("train.py: " + msg, file=sys.stderr)
    sys.exit(status)


PARAM_KEYS = ("features", "lr", "epochs", "batch", "l2", "seed", "holdout")


def read_params(path):
    """A JSON object of hyperparameters: the file mlrun-log --params logs."""
    try:
        with open(path) as f:
            params = json.load(f)
    except OSError as e:
        die("cannot read '%s': %s" % (path, e.strerror))
    except ValueError as e:
        die("%s: not JSON: %s" % (path, e))
    if not isinstance(params, dict):
        die("%s: expected a JSON object" % path)
    for key in params:
        if key not in PARAM_KEYS:
            die("%s: unknown parameter '%s' (known: %s)" % (path, key, ", ".join(PARAM_KEYS)))
    return params


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Train a logistic regression on a CSV; write model.json and preds.csv.")
    p.add_argument("--params", metavar="FILE",
                   help="JSON object of hyperparameters; options given on the command line win")
    p.add_argument("--data", required=True, help="CSV file with id, label and feature columns")
    p.add_argument("--out", required=True, help="directory for model.json and preds.csv")
    p.add_argument("--label", default="diagnosis", help="label column (default: diagnosis)")
    p.add_argument("--positive", default="M", help="label value of the positive class (default: M)")
    p.add_argument("--features", default="all",
                   help="comma-separated feature columns, or 'all' (default)")
    p.add_argument("--lr", type=float, default=0.1, help="learning rate (default: 0.1)")
    p.add_argument("--epochs", type=int, default=50, help="passes over the training rows (default: 50)")
    p.add_argument("--batch", type=int, default=16, help="mini-batch size (default: 16)")
    p.add_argument("--l2", type=float, default=0.0, help="L2 penalty on the weights (default: 0)")
    p.add_argument("--seed", type=int, default=42, help="shuffling and initialisation seed (default: 42)")
    p.add_argument("--holdout", type=float, default=0.4,
                   help="share of rows held out for evaluation, by id hash (default: 0.4)")
    a = p.parse_args(argv)
    if a.params:
        p.set_defaults(**read_params(a.params))
        a = p.parse_args(argv)
        a.features = str(a.features)
        try:
            a.lr, a.l2, a.holdout = float(a.lr), float(a.l2), float(a.holdout)
            a.epochs, a.batch, a.seed = int(a.epochs), int(a.batch), int(a.seed)
        except (TypeError, ValueError):
            die("%s: a parameter has the wrong type" % a.params)
    if not a.lr > 0 or a.epochs < 1 or a.batch < 1 or a.l2 < 0 or not 0 < a.holdout < 1:
        die("--lr must be > 0, --epochs and --batch >= 1, --l2 >= 0, 0 < --holdout < 1")
    return a


def load(path, label, positive, features):
    try:
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            rows = list(reader)
    except OSError as e:
        die("cannot read '%s': %s" % (path, e.strerror))
    except StopIteration:
        die("'%s' is empty" % path)
    for col in ("id", label):
        if col not in header:
            die("'%s' has no '%s' column" % (path, col))
    if features == "all":
        names = [h for h in header if h not in ("id", label)]
    else:
        names = [n for n in features.split(",") if n]
    missing = [n for n in names if n not in header]
    if missing or not names:
        die("unknown feature '%s'; the columns are: %s"
            % (missing[0] if missing else "", ",".join(header)))
    idx = [header.index(n) for n in names]
    id_col, label_col = header.index("id"), header.index(label)
    data = []
    for line, row in enumerate(rows, 2):
        if len(row) != len(header):
            die("%s:%d: expected %d fields, found %d" % (path, line, len(header), len(row)))
        try:
            x = [float(row[i]) for i in idx]
        except ValueError:
            die("%s:%d: a feature is not a number" % (path, line))
        data.append((row[id_col], 1 if row[label_col] == positive else 0, x))
    return names, data


def held_out(row_id, share):
    """A fixed split: the same id lands on the same side for every model."""
    h = int.from_bytes(hashlib.sha256(b"mlgate-holdout:" + row_id.encode()).digest()[:8], "big")
    return h / 2.0**64 < share


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def scaler(rows):
    n, k = len(rows), len(rows[0][2])
    mean = [sum(r[2][j] for r in rows) / n for j in range(k)]
    std = []
    for j in range(k):
        var = sum((r[2][j] - mean[j]) ** 2 for r in rows) / n
        std.append(math.sqrt(var) if var > 0 else 1.0)
    return mean, std


def standardise(rows, mean, std):
    return [(i, y, [(v - m) / s for v, m, s in zip(x, mean, std)]) for i, y, x in rows]


def score(w, b, x):
    return sigmoid(b + sum(wi * xi for wi, xi in zip(w, x)))


def evaluate(w, b, rows):
    eps = 1e-15
    loss = correct = 0
    for _, y, x in rows:
        p = score(w, b, x)
        q = min(max(p, eps), 1 - eps)
        loss -= y * math.log(q) + (1 - y) * math.log(1 - q)
        correct += (p >= 0.5) == (y == 1)
    return loss / len(rows), correct / len(rows)


def train(args, train_rows, val_rows):
    rng = random.Random(args.seed)
    k = len(train_rows[0][2])
    w = [rng.gauss(0.0, 0.01) for _ in range(k)]
    b = 0.0
    order = list(range(len(train_rows)))
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(order)
        for start in range(0, len(order), args.batch):
            batch = order[start:start + args.batch]
            gw, gb = [0.0] * k, 0.0
            for i in batch:
                _, y, x = train_rows[i]
                err = score(w, b, x) - y
                gb += err
                for j in range(k):
                    gw[j] += err * x[j]
            n = len(batch)
            w = [wj - args.lr * (g / n + args.l2 * wj) for wj, g in zip(w, gw)]
            b -= args.lr * gb / n
        loss, _ = evaluate(w, b, train_rows)
        val_loss, val_acc = evaluate(w, b, val_rows)
        print(json.dumps({"epoch": epoch, "loss": round(loss, 6),
                          "val_loss": round(val_loss, 6), "val_acc": round(val_acc, 6)},
                         separators=(",", ":")),
              flush=True)
    return w, b


def write_atomic(path, text):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv):
    args = parse_args(argv)
    names, rows = load(args.data, args.label, args.positive, args.features)
    train_rows = [r for r in rows if not held_out(r[0], args.holdout)]
    val_rows = [r for r in rows if held_out(r[0], args.holdout)]
    if not train_rows or not val_rows:
        die("the split left no training or no held-out rows")
    mean, std = scaler(train_rows)
    train_rows = standardise(train_rows, mean, std)
    val_rows = standardise(val_rows, mean, std)
    print("train.py: %d features, %d training rows, %d held out"
          % (len(names), len(train_rows), len(val_rows)), file=sys.stderr)
    w, b = train(args, train_rows, val_rows)

    try:
        os.makedirs(args.out, exist_ok=True)
        model = {"kind": "logistic-regression", "features": names,
                 "mean": mean, "std": std, "weights": w, "bias": b,
                 "positive": args.positive,
                 "params": {"lr": args.lr, "epochs": args.epochs, "batch": args.batch,
                            "l2": args.l2, "seed": args.seed, "holdout": args.holdout}}
        write_atomic(os.path.join(args.out, "model.json"),
                     json.dumps(model, sort_keys=True, indent=1) + "\n")
        lines = ["id,label,score"]
        lines += ["%s,%d,%.17g" % (i, y, score(w, b, x)) for i, y, x in val_rows]
        write_atomic(os.path.join(args.out, "preds.csv"), "\n".join(lines) + "\n")
    except OSError as e:
        die("cannot write to '%s': %s" % (args.out, e.strerror), 3)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

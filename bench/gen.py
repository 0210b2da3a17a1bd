#!/usr/bin/env python3
"""Deterministic bench data for bench/run.sh (numpy's PCG64, fixed seeds).

gen.py smalltree DIR   20,000 files of 4-256 KiB, log-uniform sizes (mean ~60 KiB, ~1.2 GB)
gen.py bigtree DIR     200 files of 5 MiB (~1 GB)
gen.py metrics FILE N  N metric lines {"step":N,"loss":X,...} (~74 bytes each)
gen.py preds FILE N SEED   N rows label,score (a model about 85% right)
File contents are random bytes: what a tree of compressed data (images,
parquet, npz) looks like to a hash or to zstd.
"""
import os
import sys

import numpy as np


def write_tree(root, sizes, fanout, seed):
    rng = np.random.default_rng(seed)
    block = rng.bytes(32 << 20)  # 32 MiB pool; each file a slice plus its own header
    for i, size in enumerate(sizes):
        d = os.path.join(root, "d%03d" % (i // fanout))
        if i % fanout == 0:
            os.makedirs(d, exist_ok=True)
        head = (b"file %08d " % i) * 4
        off = int(rng.integers(0, len(block) - int(size)))
        with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
            f.write(head)
            f.write(block[off:off + int(size) - len(head)])


def smalltree(root):
    rng = np.random.default_rng(1)
    lo, hi = np.log(4 << 10), np.log(256 << 10)
    sizes = np.exp(rng.uniform(lo, hi, 20000)).astype(np.int64)
    write_tree(root, sizes, 200, 2)


def bigtree(root):
    write_tree(root, np.full(200, 5 << 20), 50, 3)


def metrics(path, n):
    rng = np.random.default_rng(4)
    chunk = 500000
    with open(path, "w") as f:
        for start in range(0, n, chunk):
            k = min(chunk, n - start)
            step = np.arange(start, start + k)
            loss = 2.0 / np.sqrt(step + 1.0) + rng.uniform(0, 0.01, k)
            acc = 1.0 - loss / 2.5
            lr = np.full(k, 0.0003)
            lines = ['{"step":%d,"epoch":%d,"loss":%.6f,"acc":%.5f,"lr":%g}\n'
                     % (s, s // 100000, a, b, c)
                     for s, a, b, c in zip(step.tolist(), loss.tolist(),
                                           acc.tolist(), lr.tolist())]
            f.write("".join(lines))


def preds(path, n, seed):
    # The labels depend on n only, so files of one n pair row by row; the
    # seed draws the model's noise.
    label = np.random.default_rng(5).integers(0, 2, n)
    noise = np.random.default_rng(seed).normal(0, 0.28, n)
    score = np.clip(np.where(label == 1, 0.7, 0.3) + noise, 0, 1)
    with open(path, "w") as f:
        f.write("label,score\n")
        chunk = 1000000
        for s in range(0, n, chunk):
            f.write("".join("%d,%.6f\n" % (a, b) for a, b in
                            zip(label[s:s + chunk].tolist(),
                                score[s:s + chunk].tolist())))


def main():
    what = sys.argv[1]
    if what == "smalltree":
        smalltree(sys.argv[2])
    elif what == "bigtree":
        bigtree(sys.argv[2])
    elif what == "metrics":
        metrics(sys.argv[2], int(sys.argv[3]))
    elif what == "preds":
        preds(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit("gen.py: unknown '%s'" % what)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reads an `strace -f` log and checks that every file renamed into place
was fsynced after its last write and before the rename, and that the
directory it was renamed into was fsynced after the rename.

Usage: durability-check.py TRACE [MIN_RENAMES]
Prints one line per replace it checked, and one per problem; exit 1 on any.
"""
import os
import re
import sys

CALL = re.compile(r'^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+)')
STR = re.compile(r'"((?:[^"\\]|\\.)*)"')


def main():
    trace, want = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
    cwd = {}
    fds = {}        # (pid, fd) -> path
    synced = set()  # paths fsynced since their last write
    pending = []    # (pid, final dir, final path) renames awaiting a dir fsync
    problems, renames = [], 0
    for line in open(trace, encoding="utf-8", errors="replace"):
        m = CALL.match(line)
        if not m:
            continue
        pid, call, args, ret = m.group(1), m.group(2), m.group(3), int(m.group(4))
        strs = STR.findall(args)
        if call in ("openat", "open") and ret >= 0 and strs:
            path = os.path.normpath(strs[0])
            fds[(pid, ret)] = path
            if "O_CREAT" in args or "O_TRUNC" in args:
                synced.discard(path)
        elif call in ("write", "pwrite64", "writev") and ret >= 0:
            fd = int(args.split(",")[0])
            synced.discard(fds.get((pid, fd)))
        elif call in ("fsync", "fdatasync") and ret == 0:
            path = fds.get((pid, int(args)))
            if path is None:
                continue
            synced.add(path)
            pending = [p for p in pending if p[1] != path]
        elif call in ("rename", "renameat", "renameat2") and ret == 0 and len(strs) >= 2:
            src, dst = os.path.normpath(strs[0]), os.path.normpath(strs[1])
            renames += 1
            if src not in synced:
                problems.append(f"'{dst}' renamed from '{src}' without an fsync after its last write")
            pending.append((pid, os.path.dirname(dst) or ".", dst))
            print(f"replace: {dst}")
    for _, d, dst in pending:
        problems.append(f"directory '{d}' not fsynced after '{dst}' was renamed into it")
    if renames < want:
        problems.append(f"only {renames} renames traced, expected at least {want}")
    for p in problems:
        print("durability: " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

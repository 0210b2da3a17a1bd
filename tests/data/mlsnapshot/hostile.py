#!/usr/bin/env python3
"""Builds the hostile tar archives the extract tests throw at mlsnapshot.

usage: hostile.py ABSPATH CASE.tar[.gz]...

Writes each CASE.tar (CASE.tar.gz: gzip) in the current folder; ABSPATH is
the name the "absolute" case uses. One run for many cases: python starts slowly.

Each case holds one thing extract must refuse (named in the test), next to
an innocent file so that the refusal cannot come from an empty archive.
"""
import io
import sys
import tarfile


def add_file(tar, name, data=b"x\n"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def add(tar, name, kind, **attrs):
    info = tarfile.TarInfo(name)
    info.type = kind
    for key, value in attrs.items():
        setattr(info, key, value)
    tar.addfile(info)


def build(case, tar, abspath):
    add_file(tar, "innocent.txt")
    if case == "dotdot":
        add_file(tar, "../evil")
    elif case == "dotdot-inside":
        add_file(tar, "sub/../../evil")
    elif case == "absolute":
        add_file(tar, abspath)
    elif case == "symlink-absolute":
        add(tar, "link", tarfile.SYMTYPE, linkname="/etc")
    elif case == "symlink-up":
        add(tar, "sub/link", tarfile.SYMTYPE, linkname="../../evil")
    elif case == "symlink-chain":
        # Each link stays inside by its text; followed, q leaves the tree.
        add(tar, "s", tarfile.SYMTYPE, linkname=".")
        add(tar, "q", tarfile.SYMTYPE, linkname="s/s/s/..")
    elif case == "symlink-later":
        # Dangling today; out of the tree once someone makes "later/".
        add(tar, "s", tarfile.SYMTYPE, linkname=".")
        add(tar, "q", tarfile.SYMTYPE, linkname="later/../s/s/s/../..")
    elif case == "through-symlink":
        # A file written through a link to outside the tree.
        add(tar, "sub", tarfile.SYMTYPE, linkname="innocent.txt")
        add_file(tar, "sub/evil")
    elif case == "hardlink":
        add(tar, "hard", tarfile.LNKTYPE, linkname="innocent.txt")
    elif case == "chardev":
        add(tar, "dev", tarfile.CHRTYPE, devmajor=1, devminor=3)
    elif case == "blockdev":
        add(tar, "blk", tarfile.BLKTYPE, devmajor=7, devminor=0)
    elif case == "fifo":
        add(tar, "fifo", tarfile.FIFOTYPE)
    elif case == "duplicate":
        add_file(tar, "innocent.txt", b"second\n")
    elif case == "duplicate-dot":
        add_file(tar, "./innocent.txt", b"second\n")
    elif case == "dir-then-file":
        add(tar, "d", tarfile.DIRTYPE, mode=0o755)
        add_file(tar, "d")
    elif case == "big":
        add_file(tar, "big.bin", b"\0" * (2 << 20))
    elif case == "zeros":
        add_file(tar, "zeros.bin", b"\0" * (20 << 20))
    else:
        raise SystemExit("unknown case " + case)


def main():
    abspath = sys.argv[1]
    for out in sys.argv[2:]:
        case = out.split(".tar")[0]
        mode = "w:gz" if out.endswith(".gz") else "w"
        with tarfile.open(out, mode, format=tarfile.PAX_FORMAT) as tar:
            build(case, tar, abspath)


main()

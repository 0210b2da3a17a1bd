#!/usr/bin/env bats
# Hostile archives beyond tests/mlsnapshot-extract.bats (which has '..',
# absolute paths, symlink escapes, a file through a symlink, hardlinks,
# devices, duplicates, a 20 MiB bomb, truncated and bit-flipped archives):
# a 4 GiB decompression bomb and very long paths.
bats_require_minimum_version 1.5.0
load helper

# Work in w/, where nothing but the archives and snap.json may stay.
setup_file_local() {
	mkdir -p w && cd w || return 1
}

assert_nothing_left() {
	run -0 find . -mindepth 1 -maxdepth 1 ! -name '*.tar*' ! -name snap.json
	assert_output ""
}

@test "a 4 GiB bomb (142 KiB of zstd) is refused by the default ratio, and by --max-size, nothing written" {
	# tests/data/reliability/bomb-4g.tar.zst: one pax entry 'zeros.bin' of
	# 4 GiB of zeros, made by tarfile + zstd -1 (11 s of CPU: not done here)
	cp "$TESTDATA/reliability/bomb-4g.tar.zst" bomb.tar.zst
	run --separate-stderr -1 mlsnapshot extract bomb.tar.zst out
	assert_equal "$stderr" "mlsnapshot: 'bomb.tar.zst': refused entry 'zeros.bin': compression ratio over --max-ratio"
	assert_output ""
	assert_nothing_left
	run --separate-stderr -1 mlsnapshot extract --max-ratio 0 --max-size 1G bomb.tar.zst out
	assert_equal "$stderr" "mlsnapshot: 'bomb.tar.zst': refused entry 'zeros.bin': archive over --max-size"
	assert_nothing_left
}

@test "very long paths: 3,000 bytes deep extracts and verifies; a 4,268-byte path too; a 256-byte name is refused whole" {
	python3 - <<'PY'
import io, tarfile
def make(name, paths):
    with tarfile.open(name, "w", format=tarfile.PAX_FORMAT) as t:
        for p in paths:
            ti = tarfile.TarInfo(p)
            ti.size = 2
            t.addfile(ti, io.BytesIO(b"x\n"))
make("long-ok.tar", ["/".join(["d" * 200] * 15) + "/f", "a" * 255])
make("long-path.tar", ["/".join(["e" * 250] * 17) + "/f"])
make("long-name.tar", ["ok.txt", "a" * 256])
PY
	run -0 mlsnapshot extract long-ok.tar out
	printf '%s\n' "$output" > snap.json
	keep_record snap.json
	assert_equal "$(jq -r '.entries | length' snap.json)" 2
	run -0 mlsnapshot verify snap.json long-ok.tar
	rm -rf out
	run -0 mlsnapshot extract long-path.tar out
	assert_equal "$(jq -r '.entries[0].path | length' <<<"$output")" 4268
	rm -rf out
	run --separate-stderr -3 mlsnapshot extract long-name.tar out
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "mlsnapshot: cannot create '$(printf 'a%.0s' $(seq 1 256))': File name too long" ]]
	assert_nothing_left
}

# A snapshot of one small file, for verify to compare an archive with.
small_snapshot() {
	mkdir -p src && printf 'x\n' > src/f
	mlsnapshot src > snap.json
	rm -rf src
}

@test "verify and diff apply extract's limits: the 4 GiB bomb is refused by the ratio, or by --max-size" {
	cp "$TESTDATA/reliability/bomb-4g.tar.zst" bomb.tar.zst
	small_snapshot
	# Without the limits, both would inflate all 4 GiB and print a difference.
	run --separate-stderr -1 mlsnapshot verify snap.json bomb.tar.zst
	assert_equal "$stderr" "mlsnapshot: 'bomb.tar.zst': refused entry 'zeros.bin': compression ratio over --max-ratio"
	assert_output ""
	run --separate-stderr -1 mlsnapshot diff snap.json bomb.tar.zst
	assert_equal "$stderr" "mlsnapshot: 'bomb.tar.zst': refused entry 'zeros.bin': compression ratio over --max-ratio"
	assert_output ""
	run --separate-stderr -1 mlsnapshot diff bomb.tar.zst snap.json
	assert_equal "$stderr" "mlsnapshot: 'bomb.tar.zst': refused entry 'zeros.bin': compression ratio over --max-ratio"
	run --separate-stderr -1 mlsnapshot verify --max-ratio 0 --max-size 1G snap.json bomb.tar.zst
	assert_equal "$stderr" "mlsnapshot: 'bomb.tar.zst': refused entry 'zeros.bin': archive over --max-size"
	assert_output ""
	run --separate-stderr -1 mlsnapshot diff --max-ratio 0 --max-size 1G bomb.tar.zst snap.json
	assert_equal "$stderr" "mlsnapshot: 'bomb.tar.zst': refused entry 'zeros.bin': archive over --max-size"
	assert_nothing_left
}

@test "a bomb made here (256 MiB of zeros through zstd) is refused by verify, diff and extract alike" {
	python3 - <<'PY' | zstd -q -1 > zeros.tar.zst
import sys, tarfile
size = 256 << 20
ti = tarfile.TarInfo("zeros.bin")
ti.size = size
out = sys.stdout.buffer
out.write(ti.tobuf(tarfile.USTAR_FORMAT))
block = bytes(1 << 20)
for _ in range(size >> 20):
    out.write(block)
out.write(bytes(1024))
PY
	small_snapshot
	want="mlsnapshot: 'zeros.tar.zst': refused entry 'zeros.bin': compression ratio over --max-ratio"
	run --separate-stderr -1 mlsnapshot verify snap.json zeros.tar.zst
	assert_equal "$stderr" "$want"
	run --separate-stderr -1 mlsnapshot diff zeros.tar.zst zeros.tar.zst
	assert_equal "$stderr" "$want"
	run --separate-stderr -1 mlsnapshot extract zeros.tar.zst out
	assert_equal "$stderr" "$want"
	assert_nothing_left
	# The same limit, lowered and raised, the same way in all three.
	run --separate-stderr -1 mlsnapshot verify --max-ratio 0 --max-size 100M snap.json zeros.tar.zst
	assert_equal "$stderr" "mlsnapshot: 'zeros.tar.zst': refused entry 'zeros.bin': archive over --max-size"
	run --separate-stderr -1 mlsnapshot diff --max-ratio 0 snap.json zeros.tar.zst
	assert_equal "$(jq -r '.added[0].path, .added[0].size' <<<"$output")" "zeros.bin
268435456"
}

@test "the default size limit is 10 GiB of file data: a file declared larger is refused before it is read" {
	# A pax header declaring 11 GiB, and no data after it: the size is refused
	# before anything is inflated, so nothing is read past the header.
	python3 - <<'PY'
import tarfile
ti = tarfile.TarInfo("huge.bin")
ti.size = 11 << 30
with open("huge.tar", "wb") as f:
    f.write(ti.tobuf(tarfile.PAX_FORMAT))
PY
	small_snapshot
	want="mlsnapshot: 'huge.tar': refused entry 'huge.bin': archive over --max-size"
	run --separate-stderr -1 mlsnapshot extract huge.tar out
	assert_equal "$stderr" "$want"
	assert_nothing_left
	run --separate-stderr -1 mlsnapshot verify snap.json huge.tar
	assert_equal "$stderr" "$want"
	run --separate-stderr -1 mlsnapshot diff huge.tar snap.json
	assert_equal "$stderr" "$want"
	# 10G given is the default; 11G admits the file, then the missing data is found.
	run --separate-stderr -1 mlsnapshot extract --max-size 10G huge.tar out
	assert_equal "$stderr" "$want"
	run --separate-stderr -2 mlsnapshot verify --max-size 11G snap.json huge.tar
	[[ "$stderr" == "mlsnapshot: cannot read archive 'huge.tar': "* ]]
	run --separate-stderr -2 mlsnapshot extract --max-size 0 huge.tar out
	[[ "$stderr" == "mlsnapshot: cannot read archive 'huge.tar': "* ]]
	assert_nothing_left
}

@test "verify and diff take --max-size and --max-ratio as extract does; snapshot mode does not" {
	small_snapshot
	run --separate-stderr -2 mlsnapshot verify --max-size lots snap.json snap.json
	assert_equal "$stderr" "mlsnapshot: --max-size wants a size such as 512M or 10G, not 'lots' (see --help)"
	run --separate-stderr -2 mlsnapshot diff --max-ratio 0.5 snap.json snap.json
	assert_equal "$stderr" "mlsnapshot: --max-ratio wants a number of at least 1, not '0.5' (see --help)"
	mkdir d
	run --separate-stderr -2 mlsnapshot --max-size 1G d
	assert_equal "$stderr" "mlsnapshot: option '--max-size' does not apply to snapshot"
	rmdir d
	run -0 mlsnapshot diff --max-size 1 --max-ratio 1 snap.json snap.json
}

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

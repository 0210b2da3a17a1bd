#!/usr/bin/env bats
# mlsnapshot extract: all or nothing, and nothing outside the target, whatever
# the archive holds. Hostile archives are built by tests/data/mlsnapshot/hostile.py.
bats_require_minimum_version 1.5.0
load helper

setup_file_local() {
	HOSTILE=$TESTDATA/mlsnapshot/hostile.py
	# Work one level down: ../ is where an escaping entry would land.
	mkdir -p w && cd w || return 1
}

make_tree() {
	mkdir -p "$1/sub/deep" "$1/empty-dir"
	printf 'hello\n' > "$1/a.txt"
	head -c 30000 /dev/urandom > "$1/sub/blob.bin"
	printf '#!/bin/sh\n' > "$1/sub/run.sh"
	chmod 755 "$1/sub/run.sh"
	printf 'deep\n' > "$1/sub/deep/x"
	ln -s ../a.txt "$1/sub/link"
}

# Nothing but the archives in the working folder, and nothing escaped above it.
assert_nothing_left() {
	run -0 find . -mindepth 1 ! -name '*.tar*'
	assert_output ""
	[ ! -e ../evil ]
	[ ! -e ../abs-evil ]
}

@test "an archive of a snapshot extracts to the same tree, checked against the snapshot" {
	make_tree d
	mlsnapshot -o d.tar.zst d > snap.json
	run --separate-stderr -0 mlsnapshot extract --snapshot snap.json d.tar.zst out
	assert_equal "$stderr" ""
	printf '%s\n' "$output" > got.json
	keep_record got.json
	assert_equal "$(jqr .root got.json)" out
	assert_equal "$(jqr .id got.json)" "$(jqr .id snap.json)"
	assert_equal "$(mlsnapshot out | jq -r .id)" "$(jqr .id snap.json)"
	assert_equal "$(readlink out/sub/link)" ../a.txt
	assert_equal "$(stat -c %a out/sub/run.sh)" 755
	assert_equal "$(stat -c %a out/a.txt)" 644
	assert_equal "$(stat -c %a out)" 755
	# No temp folder is left beside it.
	run -0 find . -maxdepth 1 -name '.*mlsnapshot*'
	assert_output ""
}

@test "options may follow the operands, a GNU tar archive extracts too, DIR may end in a slash" {
	make_tree d
	mlsnapshot d > snap.json
	tar -czf hand.tar.gz -C d .
	run -0 mlsnapshot extract hand.tar.gz out/ --snapshot snap.json
	assert_equal "$(jq -r .id <<<"$output")" "$(jqr .id snap.json)"
	[ -d out ]
	mkdir parent
	run -0 mlsnapshot extract hand.tar.gz parent/out
	[ -f parent/out/sub/deep/x ]
	run -0 find parent -maxdepth 1 -name '.*'
	assert_output ""
}

@test "an archive that does not match --snapshot is exit 1 with the difference, and nothing is extracted" {
	make_tree d
	mlsnapshot -o d.tar d > snap.json
	printf 'changed\n' > d/a.txt
	mlsnapshot -o d2.tar d > /dev/null
	rm -rf d
	run --separate-stderr -1 mlsnapshot extract --snapshot snap.json d2.tar out
	assert_equal "$stderr" "mlsnapshot: 'd2.tar' does not match 'snap.json': nothing extracted"
	assert_equal "$(jq -c '[.changed[].path]' <<<"$output")" '["a.txt"]'
	rm snap.json
	assert_nothing_left
}

@test "the target must not exist; a missing parent or bad snapshot is exit 2, nothing written" {
	make_tree d
	mlsnapshot -o d.tar d > snap.json
	mkdir out
	run --separate-stderr -2 mlsnapshot extract d.tar out
	assert_equal "$stderr" "mlsnapshot: 'out' already exists"
	run -0 ls -A out
	assert_output ""
	run -2 mlsnapshot extract d.tar no/such/parent/out
	printf 'nope' > bad.json
	run --separate-stderr -2 mlsnapshot extract --snapshot bad.json d.tar out2
	[ ! -e out2 ]
	run --separate-stderr -2 mlsnapshot extract missing.tar out3
	assert_equal "$stderr" "mlsnapshot: cannot read archive 'missing.tar': Failed to open 'missing.tar'"
	[ ! -e out3 ]
}

@test "hostile entries are refused (exit 1, one line naming the entry), nothing left anywhere" {
	declare -A why=(
		[dotdot]="'../evil': path with a '..' component"
		[dotdot-inside]="'sub/../../evil': path with a '..' component"
		[absolute]="'$BATS_TEST_TMPDIR/abs-evil': absolute path"
		[symlink-absolute]="'link': symlink target leaves the tree"
		[symlink-up]="'sub/link': symlink target leaves the tree"
		[symlink-chain]="'q': symlink target leaves the tree"
		[symlink-later]="'q': symlink target leaves the tree"
		[through-symlink]="'sub/evil': a parent is not a directory"
		[hardlink]="'hard': hardlink"
		[chardev]="'dev': not a file, directory or symlink"
		[blockdev]="'blk': not a file, directory or symlink"
		[fifo]="'fifo': not a file, directory or symlink"
		[duplicate]="'innocent.txt': duplicate entry"
		[duplicate-dot]="'innocent.txt': duplicate entry"
		[dir-then-file]="'d': duplicate entry"
	)
	python3 "$HOSTILE" "$BATS_TEST_TMPDIR/abs-evil" $(printf '%s.tar ' "${!why[@]}")
	for case in "${!why[@]}"; do
		run --separate-stderr -1 mlsnapshot extract "$case.tar" out
		assert_equal "$output" ""
		assert_equal "$stderr" "mlsnapshot: '$case.tar': refused entry ${why[$case]}"
		assert_nothing_left
	done
}

@test "the same hostile entries make verify and diff fail (exit 1) without writing" {
	make_tree d
	mlsnapshot d > snap.json
	python3 "$HOSTILE" "$BATS_TEST_TMPDIR/abs-evil" dotdot.tar absolute.tar hardlink.tar chardev.tar duplicate.tar
	for case in dotdot absolute hardlink chardev duplicate; do
		run --separate-stderr -1 mlsnapshot verify snap.json "$case.tar"
		assert_equal "${#stderr_lines[@]}" 1
		[[ "$stderr" == "mlsnapshot: '$case.tar': refused entry "* ]]
	done
	[ ! -e ../evil ]
	[ ! -e ../abs-evil ]
}

@test "size limits: --max-size, --max-ratio, and the default ratio of 1000" {
	python3 "$HOSTILE" /unused big.tar.gz zeros.tar
	run --separate-stderr -1 mlsnapshot extract --max-size 1M big.tar.gz out
	assert_equal "$stderr" "mlsnapshot: 'big.tar.gz': refused entry 'big.bin': archive over --max-size"
	assert_nothing_left
	run --separate-stderr -1 mlsnapshot extract --max-ratio 10 big.tar.gz out
	assert_equal "$stderr" "mlsnapshot: 'big.tar.gz': refused entry 'big.bin': compression ratio over --max-ratio"
	assert_nothing_left
	run -0 mlsnapshot extract --max-size 3M --max-ratio 0 big.tar.gz out
	rm -rf out
	# 20 MiB of zeros in well under 1 KiB of zstd.
	zstd -q --rm zeros.tar
	run --separate-stderr -1 mlsnapshot extract zeros.tar.zst out
	assert_equal "$stderr" "mlsnapshot: 'zeros.tar.zst': refused entry 'zeros.bin': compression ratio over --max-ratio"
	assert_nothing_left
}

@test "truncated and bit-flipped archives are exit 2, nothing left" {
	make_tree d
	mlsnapshot -o d.tar.gz d > /dev/null
	mlsnapshot -o d.tar d > /dev/null
	rm -rf d
	size=$(stat -c %s d.tar.gz)
	head -c $((size / 2)) d.tar.gz > cut.tar.gz
	# A plain tar cut inside a file's data.
	head -c 20000 d.tar > cut.tar
	# A flipped bit in a tar header (its checksum), and in the deflate stream.
	cp d.tar flip-header.tar
	printf '\x55' | dd of=flip-header.tar bs=1 seek=10 conv=notrunc status=none
	cp d.tar.gz flip.tar.gz
	printf '\x55' | dd of=flip.tar.gz bs=1 seek=100 conv=notrunc status=none
	for a in cut.tar.gz cut.tar flip-header.tar flip.tar.gz; do
		run --separate-stderr -2 mlsnapshot extract "$a" out
		assert_equal "$output" ""
		assert_equal "${#stderr_lines[@]}" 1
		[[ "$stderr" == "mlsnapshot: cannot read archive '$a': "* ]]
		assert_nothing_left
	done
}

@test "damage inside a file's data is caught by --snapshot (tar and libarchive's gzip do not check it)" {
	make_tree d
	mlsnapshot -o d.tar d > snap.json
	rm -rf d
	# a.txt's header and data take bytes 0-1023, sub/blob.bin's header the next
	# 512: byte 1636 is inside blob.bin's data.
	offset=1636
	cp d.tar data-flip.tar
	printf '\x55' | dd of=data-flip.tar bs=1 seek=$offset conv=notrunc status=none
	run --separate-stderr -1 mlsnapshot extract --snapshot snap.json data-flip.tar out
	assert_equal "$(jq -c '[.changed[].path]' <<<"$output")" '["sub/blob.bin"]'
	rm snap.json
	assert_nothing_left
}

#!/usr/bin/env bats
# mlsnapshot verify and diff: snapshots, directories and archives compared.
bats_require_minimum_version 1.5.0
load helper

make_tree() {
	mkdir -p "$1/sub"
	printf 'one\n' > "$1/a"
	printf 'two\n' > "$1/sub/b"
	printf 'three\n' > "$1/sub/c"
	ln -s a "$1/link"
}

@test "verify: an unchanged directory and its archive are identical (exit 0)" {
	make_tree d
	mlsnapshot -o d.tar.zst d > snap.json
	run --separate-stderr -0 mlsnapshot verify snap.json d
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.identical, .added, .removed, .changed]' <<<"$output")" '[true,[],[],[]]'
	assert_equal "$(jq -r '.a.id' <<<"$output")" "$(jqr .id snap.json)"
	assert_equal "$(jq -r '.b.id' <<<"$output")" "$(jqr .id snap.json)"
	assert_equal "$(jq -r '.b.kind' <<<"$output")" directory
	run -0 mlsnapshot verify snap.json d.tar.zst
	assert_equal "$(jq -r '.identical, .b.kind' <<<"$output")" "true
archive"
}

@test "verify: added, removed and changed files and links are reported (exit 1)" {
	make_tree d
	mlsnapshot d > snap.json
	printf 'ONE\n' > d/a
	rm d/sub/b
	printf 'new\n' > d/sub/new
	ln -sfn sub/c d/link
	run --separate-stderr -1 mlsnapshot verify snap.json d
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.added[].path]' <<<"$output")" '["sub/new"]'
	assert_equal "$(jq -c '[.removed[].path]' <<<"$output")" '["sub/b"]'
	assert_equal "$(jq -c '[.changed[].path]' <<<"$output")" '["a","link"]'
	assert_equal "$(jq -c '.changed[1] | [.a.target, .b.target]' <<<"$output")" '["a","sub/c"]'
	assert_equal "$(jq -r '.changed[0].b.hash' <<<"$output")" "sha256:$(sha256sum < d/a | cut -d' ' -f1)"
	assert_equal "$(jq -r .identical <<<"$output")" false
}

@test "verify reads every file: a change hidden from the stat cache is still found" {
	make_tree d
	sleep 1.1
	mlsnapshot d > snap.json
	mlsnapshot d > /dev/null
	# Same size, mtime put back: only ctime tells (and verify does not trust the cache).
	touch -r d/a ref && printf 'ONE\n' > d/a && touch -r ref d/a
	run -1 mlsnapshot verify snap.json d
	assert_equal "$(jq -c '[.changed[].path]' <<<"$output")" '["a"]'
}

@test "verify applies the snapshot's excludes to the directory and the archive" {
	make_tree d
	printf 'x' > d/scratch.tmp
	mlsnapshot -x '*.tmp' -x sub d > snap.json
	tar -cf plain.tar -C d .
	printf 'y' > d/other.tmp
	run -0 mlsnapshot verify snap.json d
	run -0 mlsnapshot verify snap.json plain.tar
	printf 'z' > d/visible
	run -1 mlsnapshot verify snap.json d
	assert_equal "$(jq -c '[.added[].path]' <<<"$output")" '["visible"]'
}

@test "verify against a GNU tar archive made by hand (./ prefixes, directory entries)" {
	make_tree d
	mlsnapshot d > snap.json
	tar -czf hand.tar.gz -C d .
	run -0 mlsnapshot verify snap.json hand.tar.gz
	printf 'changed\n' > d/sub/c
	tar -czf hand2.tar.gz -C d .
	run -1 mlsnapshot verify snap.json hand2.tar.gz
	assert_equal "$(jq -c '[.changed[].path]' <<<"$output")" '["sub/c"]'
}

@test "diff: any two of snapshot, directory and archive; exit 0 same, 1 different" {
	make_tree d
	mlsnapshot -o d.tar d > d.json
	cp -a d e
	printf 'more\n' >> e/sub/b
	mlsnapshot -o e.tar.gz e > e.json
	for a in d d.json d.tar; do
		for b in d d.json d.tar; do
			run -0 mlsnapshot diff "$a" "$b"
		done
		for b in e e.json e.tar.gz; do
			run -1 mlsnapshot diff "$a" "$b"
			assert_equal "$(jq -c '[.added, .removed, [.changed[].path]]' <<<"$output")" '[[],[],["sub/b"]]'
		done
	done
	run -1 mlsnapshot diff e d
	assert_equal "$(jq -c '[.changed[0].a.size, .changed[0].b.size]' <<<"$output")" '[9,4]'
	assert_equal "$(jq -r '.a.source, .a.kind, .b.source, .b.kind' <<<"$output")" "e
directory
d
directory"
}

@test "diff: a snapshot's excludes apply to the other side" {
	make_tree d
	mlsnapshot -x sub d > d.json
	run -0 mlsnapshot diff d.json d
	run -0 mlsnapshot diff d d.json
}

@test "a snapshot that is not JSON, not a snapshot, or tampered with is exit 2 with one line" {
	make_tree d
	mlsnapshot d > snap.json
	printf 'not json' > bad.json
	run --separate-stderr -2 mlsnapshot verify bad.json d
	assert_equal "$output" ""
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == "mlsnapshot: bad.json:1:"* ]]
	printf '{"kind":"snapshot","entries":[]' > cut.json
	run --separate-stderr -2 mlsnapshot verify cut.json d
	assert_equal "${#stderr_lines[@]}" 1
	jq -c '.kind = "run"' snap.json > run.json
	run --separate-stderr -2 mlsnapshot verify run.json d
	assert_equal "${#stderr_lines[@]}" 1
	# An edited entry no longer matches the id.
	jq -c '.entries[0].size = 99' snap.json > tampered.json
	run --separate-stderr -2 mlsnapshot verify tampered.json d
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == *"id does not match"* ]]
	# Entries a snapshot cannot hold, with a matching id.
	for bad in '[{"path":"../x","type":"file","size":1,"hash":"sha256:'"$(printf '0%.0s' {1..64})"'"}]' \
		'[{"path":"x","type":"fifo","size":1}]' \
		'[{"path":"x","type":"file","size":-1,"hash":"sha256:'"$(printf '0%.0s' {1..64})"'"}]' \
		'[{"path":"x","type":"file","size":1,"hash":"md5:00"}]' \
		'[{"path":"x","type":"symlink","size":1}]'; do
		jq -c --argjson e "$bad" '.entries = $e | del(.id)' snap.json > odd.json
		run --separate-stderr -2 mlsnapshot verify odd.json d
		assert_equal "${#stderr_lines[@]}" 1
		[[ "$stderr" == "mlsnapshot: 'odd.json': not a valid snapshot: entries"* ]]
	done
	run --separate-stderr -2 mlsnapshot verify missing.json d
	assert_equal "$stderr" "mlsnapshot: cannot read 'missing.json': No such file or directory"
	# verify's first operand must be a snapshot, not a directory.
	run -2 mlsnapshot verify d d
}

@test "an unreadable, corrupt or truncated archive is exit 2 with one line" {
	make_tree d
	mlsnapshot -o d.tar.gz d > snap.json
	printf 'just some text\n' > text.tar
	run --separate-stderr -2 mlsnapshot verify snap.json text.tar
	assert_equal "$output" ""
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == "mlsnapshot: cannot read archive 'text.tar': "* ]]
	size=$(stat -c %s d.tar.gz)
	head -c $((size / 2)) d.tar.gz > cut.tar.gz
	run --separate-stderr -2 mlsnapshot verify snap.json cut.tar.gz
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == "mlsnapshot: cannot read archive 'cut.tar.gz': "* ]]
	# A flipped bit inside the compressed data: gzip's CRC catches it.
	cp d.tar.gz flip.tar.gz
	printf '\x55' | dd of=flip.tar.gz bs=1 seek=$((size - 20)) conv=notrunc status=none
	run --separate-stderr -2 mlsnapshot verify snap.json flip.tar.gz
	assert_equal "${#stderr_lines[@]}" 1
	run --separate-stderr -2 mlsnapshot diff snap.json nothing-here.tar
	assert_equal "$stderr" "mlsnapshot: cannot read 'nothing-here.tar': No such file or directory"
}

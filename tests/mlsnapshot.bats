#!/usr/bin/env bats
# mlsnapshot: the snapshot record, ids, excludes, symlinks, options and errors.
# The stat cache, archives, verify/diff and extract have their own files.
bats_require_minimum_version 1.5.0
load helper

# A small tree: nested folders, an empty file, a binary file, an executable,
# names that sort differently by bytes than by locale, a symlink to a file
# outside the tree and one to a folder (never followed).
make_tree() {
	mkdir -p "$1/sub/deep" "$1/B" "$1/empty-dir"
	printf 'hello\n' > "$1/a.txt"
	: > "$1/empty"
	head -c 100000 /dev/urandom > "$1/sub/blob.bin"
	printf '#!/bin/sh\n' > "$1/sub/run.sh"
	chmod 755 "$1/sub/run.sh"
	printf 'deep\n' > "$1/sub/deep/x"
	printf 'upper\n' > "$1/B/z"
	printf 'é\n' > "$1/café.txt"
	ln -s ../outside.txt "$1/sub/out-link"
	ln -s sub "$1/dir-link"
}

@test "the record has the snapshot fields, and hashes that sha256sum agrees with" {
	make_tree d
	run --separate-stderr -0 mlsnapshot d
	assert_equal "$stderr" ""
	keep_output snap.json
	assert_equal "$(jqr '.kind' snap.json)" snapshot
	assert_equal "$(jqr '.v' snap.json)" 1
	assert_equal "$(jqr '.root' snap.json)" d
	assert_equal "$(jqr '.excludes | length' snap.json)" 0
	assert_equal "$(jqr '.file_count' snap.json)" 7
	assert_equal "$(jqr '.byte_count' snap.json)" "$(find d -type f -printf '%s\n' | awk '{s+=$1} END {print s}')"
	[[ "$(jqr '.id' snap.json)" =~ ^sha256:[0-9a-f]{64}$ ]]
	[[ "$(jqr '.created_at' snap.json)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
	# Every regular file, with sha256sum's hash and its size.
	jq -r '.entries[] | select(.type == "file") | "\(.hash[7:])  \(.path) \(.size)"' snap.json > got
	(cd d && find . -type f | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do
		printf '%s  %s %s\n' "$(sha256sum < "$f" | cut -d' ' -f1)" "$f" "$(stat -c %s "$f")"
	done) > want
	run diff want got
	assert_success
}

@test "entries are sorted by path bytes and files and symlinks are all there" {
	make_tree d
	mlsnapshot d > snap.json
	jqr '.entries[].path' snap.json > got
	LC_ALL=C sort got > sorted
	run diff sorted got
	assert_success
	(cd d && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort) > want
	run diff want got
	assert_success
	# "B/z" sorts before "a.txt" by bytes, "café" after "b" ones by UTF-8 bytes.
	assert_equal "$(head -1 got)" "B/z"
}

@test "symlinks are recorded with their target and never followed" {
	make_tree d
	printf 'outside\n' > outside.txt
	mlsnapshot d > snap.json
	assert_equal "$(jq -c '.entries[] | select(.path == "sub/out-link")' snap.json)" \
		'{"path":"sub/out-link","size":14,"target":"../outside.txt","type":"symlink"}'
	assert_equal "$(jq -c '.entries[] | select(.path == "dir-link")' snap.json)" \
		'{"path":"dir-link","size":3,"target":"sub","type":"symlink"}'
	# Nothing was read through dir-link: no path below it.
	assert_equal "$(jq '[.entries[] | select(.path | startswith("dir-link/"))] | length' snap.json)" 0
	# A dangling link is recorded just the same.
	ln -s nowhere d/dangling
	run -0 mlsnapshot d
	assert_equal "$(jq -c '.entries[] | select(.path == "dangling") | .target' <<<"$output")" '"nowhere"'
}

@test "the id covers the entries only: same data elsewhere with other mtimes, owners and order is the same id" {
	make_tree d
	mlsnapshot d > one.json
	# A copy made in another order, somewhere else, with other times and owners.
	mkdir -p elsewhere/deeper/copy
	(cd d && find . -type d) | while read -r dir; do mkdir -p "elsewhere/deeper/copy/$dir"; done
	(cd d && find . ! -type d | sort -r) | while read -r f; do cp -P "d/$f" "elsewhere/deeper/copy/$f"; done
	find elsewhere -exec touch -h -d '2001-02-03 04:05:06' {} +
	chown -hR nobody: elsewhere 2>/dev/null || true
	mlsnapshot elsewhere/deeper/copy > two.json
	keep_record one.json two.json
	assert_equal "$(jqr .id two.json)" "$(jqr .id one.json)"
	assert_equal "$(jqr .root two.json)" elsewhere/deeper/copy
	# And it is the SHA-256 of the canonical entries array alone.
	assert_equal "$(jqr .id one.json)" \
		"sha256:$(jq -cj .entries one.json | sha256sum | cut -d' ' -f1)"
}

@test "the id changes when a byte, a name or a link target changes" {
	make_tree d
	base=$(mlsnapshot d | jq -r .id)
	printf 'hellO\n' > d/a.txt
	byte=$(mlsnapshot d | jq -r .id)
	mv d/a.txt d/b.txt
	name=$(mlsnapshot d | jq -r .id)
	ln -sfn ../elsewhere.txt d/sub/out-link
	target=$(mlsnapshot d | jq -r .id)
	run -0 sort -u <<<"$base
$byte
$name
$target"
	assert_equal "${#lines[@]}" 4
}

# Names that need every escape JSON has, characters whose UTF-8 bytes order
# differently from their UTF-16 units, sizes around the powers of ten.
make_odd_tree() {
	mkdir -p "$1/sub"
	printf 'a' > "$1/$(printf 'q"uote')"
	printf 'bb' > "$1/back\\slash"
	printf 'ccc' > "$1/$(printf 'tab\there')"
	printf 'dddd' > "$1/$(printf 'ctl\001\037\177x')"
	printf 'e' > "$1/$(printf 'new\nline')"
	printf 'f' > "$1/$(printf 'bs\bff\fcr\r')"
	printf 'g' > "$1/sub/é"
	printf 'h' > "$1/sub/$(printf '\357\274\241')"    # U+FF21
	printf 'i' > "$1/sub/$(printf '\360\237\230\200')" # U+1F600
	: > "$1/empty"
	head -c 1000 /dev/zero > "$1/sub/k1000"
	head -c 99999 /dev/zero > "$1/sub/k99999"
	ln -s "$(printf 'odd "target"\\\t\001')" "$1/sub/link"
}

@test "the record written straight from the entries is the one the tree of them gives" {
	make_odd_tree d
	run --separate-stderr -0 mlsnapshot d
	keep_output snap.json
	# Reading it back recomputes the id from the parsed entries.
	run --separate-stderr -0 mlsnapshot verify snap.json d
	assert_equal "$(jqr '.entries | length' snap.json)" 13
	assert_equal "$(jqr '.entries[] | select(.type == "symlink") | .target' snap.json)" \
		"$(printf 'odd "target"\\\t\001')"
	# extract prints its record from a cJSON tree of the entries: the same
	# bytes but for created_at.
	mlsnapshot -o x.tar d > /dev/null
	mv d d0
	run --separate-stderr -0 mlsnapshot extract x.tar d
	keep_output back.json
	assert_equal "$(sed 's/"created_at":"[^"]*"//' back.json)" \
		"$(sed 's/"created_at":"[^"]*"//' snap.json)"
}

@test "-x excludes by bare name, by relative path and whole folders, and is kept in the record" {
	make_tree d
	run -0 mlsnapshot -x '*.bin' -x 'sub/deep' -x B d
	keep_output snap.json
	jqr '.entries[].path' snap.json > got
	run grep -cE '\.bin$|^sub/deep/|^B/' got
	assert_output 0
	assert_equal "$(jq -c .excludes snap.json)" '["*.bin","sub/deep","B"]'
	grep -qx 'sub/run.sh' got
	# '*' crosses '/' (as tar's --exclude): a path glob.
	run -0 mlsnapshot -x 'sub/*' d
	assert_equal "$(jq '[.entries[] | select(.path | startswith("sub/"))] | length' <<<"$output")" 0
	# The id of an excluded snapshot is that of the tree without those files.
	mkdir d2 && cp -a d/. d2/ && rm -rf d2/B
	assert_equal "$(mlsnapshot -x B d | jq -r .id)" "$(mlsnapshot d2 | jq -r .id)"
}

@test "-j 1 and -j 8 give the same entries" {
	make_tree d
	for i in $(seq 1 40); do printf '%s\n' "$i" > "d/sub/f$i"; done
	# A folder listed and stat'ed in several chunks of names, with
	# subfolders and links among them.
	mkdir d/wide
	for i in $(seq 1 700); do printf '%s\n' "$i" > "d/wide/w$i"; done
	for i in $(seq 1 30); do mkdir "d/wide/s$i" && printf 'x' > "d/wide/s$i/in"; done
	ln -s w1 d/wide/zlink
	one=$(mlsnapshot -j 1 d | jq -c .entries)
	eight=$(mlsnapshot --jobs 8 d | jq -c .entries)
	assert_equal "$eight" "$one"
	assert_equal "$(jq -r 'length' <<<"$one")" 780
	assert_equal "$(jq -r '[.[] | select(.path | startswith("wide/"))] | length' <<<"$one")" 731
	assert_equal "$(jq -r '.[] | select(.path == "wide/w700") | .hash' <<<"$one")" \
		"sha256:$(printf '700\n' | sha256sum | cut -d' ' -f1)"
}

@test "a tree 900 folders deep is walked" {
	deep=$(printf 'a/%.0s' $(seq 1 900))
	mkdir -p "d/$deep"
	printf 'x\n' > "d/${deep}f"
	run --separate-stderr -0 mlsnapshot d
	assert_equal "$(jq -r '.entries[0].path' <<<"$output")" "${deep}f"
}

@test "an empty directory is a valid snapshot with no entries" {
	mkdir empty
	run --separate-stderr -0 mlsnapshot empty
	keep_output snap.json
	assert_equal "$(jq -c '[.file_count, .byte_count, .entries]' snap.json)" '[0,0,[]]'
}

@test "a fifo is skipped with a warning naming it" {
	mkdir d && printf 'x' > d/f && mkfifo d/pipe
	run --separate-stderr -0 mlsnapshot d
	assert_equal "$stderr" "mlsnapshot: skipping 'd/pipe': not a regular file, directory or symlink"
	assert_equal "$(jq -c '[.entries[].path]' <<<"$output")" '["f"]'
}

@test "a directory named like a subcommand is snapshotted as ./verify" {
	mkdir verify && printf 'x' > verify/f
	run -0 mlsnapshot ./verify
	assert_equal "$(jqr .root <(printf '%s' "$output"))" ./verify
}

@test "--pretty indents on a terminal only, and says the same" {
	make_tree d
	run -0 mlsnapshot --pretty d
	assert_equal "${#lines[@]}" 1
	b=$(mlsnapshot d | jq -c 'del(.created_at)')
	assert_equal "$(jq -c 'del(.created_at)' <<<"$output")" "$b"
	# script(1) gives it a terminal.
	run -0 script -qec "mlsnapshot --pretty d" /dev/null
	[ "${#lines[@]}" -gt 10 ]
	assert_line --index 1 --regexp '^  "byte_count": [0-9]+,'
	assert_equal "$(tr -d '\r' <<<"$output" | jq -c 'del(.created_at)')" "$b"
}

@test "a missing or non-directory DIR is exit 2 with one line and nothing on stdout" {
	run --separate-stderr -2 mlsnapshot nope
	assert_equal "$output" ""
	assert_equal "$stderr" "mlsnapshot: cannot read directory 'nope': No such file or directory"
	printf 'x' > file
	run --separate-stderr -2 mlsnapshot file
	assert_equal "$stderr" "mlsnapshot: cannot read directory 'file': Not a directory"
}

# As root, drop the capabilities that let root read anything.
as_plain_user() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --bounding-set=-dac_override,-dac_read_search "$@"
	else
		"$@"
	fi
}

@test "an unreadable DIR, folder or file inside is exit 2 naming it, nothing on stdout" {
	mkdir -p d/sub && printf 'x' > d/a && printf 'y' > d/secret
	chmod 000 d/secret
	run --separate-stderr -2 as_plain_user mlsnapshot d
	assert_equal "$output" ""
	assert_equal "$stderr" "mlsnapshot: cannot read 'd/secret': Permission denied"
	chmod 644 d/secret && chmod 000 d/sub
	run --separate-stderr -2 as_plain_user mlsnapshot d
	assert_equal "$stderr" "mlsnapshot: cannot read directory 'd/sub': Permission denied"
	chmod 755 d/sub && chmod 000 d
	run --separate-stderr -2 as_plain_user mlsnapshot d
	assert_equal "$stderr" "mlsnapshot: cannot read directory 'd': Permission denied"
	chmod 755 d
}

@test "a file name that is not UTF-8 is exit 2 (JSON cannot hold it)" {
	mkdir d
	: > "d/$(printf 'bad\377name')"
	run --separate-stderr -2 mlsnapshot d
	assert_equal "$output" ""
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == *"file name is not valid UTF-8"* ]]
}

@test "usage errors are exit 2; --help and --version exit 0 on stdout" {
	run --separate-stderr -2 mlsnapshot
	assert_equal "$stderr" "mlsnapshot: a DIR to snapshot is missing (see --help)"
	mkdir a b
	run --separate-stderr -2 mlsnapshot -j 0 a
	assert_equal "$stderr" "mlsnapshot: -j wants a number of threads from 1 to 1024, not '0' (see --help)"
	run -2 mlsnapshot a b
	run -2 mlsnapshot -j 0 a
	run -2 mlsnapshot -j many a
	run -2 mlsnapshot --frobnicate a
	run --separate-stderr -2 mlsnapshot -o out.zip a
	[[ "$stderr" == *"'out.zip': the archive name must end in"* ]]
	[ ! -e out.zip ]
	run --separate-stderr -2 mlsnapshot --snapshot s.json a
	assert_equal "${stderr_lines[0]}" "mlsnapshot: option '--snapshot' does not apply to snapshot"
	run -2 mlsnapshot verify -o x.tar a b
	run -2 mlsnapshot verify a
	run -2 mlsnapshot extract --max-size lots a.tar out
	run -2 mlsnapshot extract --max-ratio 0.5 a.tar out
	run --separate-stderr -0 mlsnapshot --help
	assert_equal "$stderr" ""
	assert_line --index 0 "usage: mlsnapshot [-o ARCHIVE] [-x GLOB]... [-j N] [--no-cache] [--pretty] DIR"
	run --separate-stderr -0 mlsnapshot --version
	[[ "$output" == "mlsnapshot (mlgate) "* ]]
}

@test "usage() and the man page SYNOPSIS say the same" {
	man=$MLGATE_ROOT/man/man1/mlsnapshot.1
	mandoc -T utf8 "$man" | col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' |
		sed '1d;$d' | tr -s ' \t\n' ' ' | sed 's/^ //;s/ $//' > man.txt
	mlsnapshot --help | sed 's/^usage: //' | tr -s ' \t\n' ' ' | sed 's/^ //;s/ $//' > usage.txt
	run diff usage.txt man.txt
	assert_success
}

@test "a full stdout is exit 3" {
	mkdir d && printf 'x' > d/f
	run -3 sh -c 'mlsnapshot d > /dev/full'
	[[ "$output" == *"cannot write to standard output"* ]]
}

#!/usr/bin/env bats
# mlsnapshot's stat cache: unchanged files are not read again, changed ones
# always are, and a damaged cache is never believed.
bats_require_minimum_version 1.5.0
load helper

make_tree() {
	mkdir -p d/sub
	for i in 1 2 3 4 5; do printf 'content %s\n' "$i" > "d/f$i"; done
	head -c 50000 /dev/urandom > d/sub/blob
	# Files changed in the last second before a snapshot are not cached
	# (timestamp granularity): let these age past that.
	sleep 1.1
}

# reads NAME...: how many of the files were opened for reading by the last
# traced run (directories are opened too, with O_DIRECTORY: not counted).
traced() {
	# LeakSanitizer cannot run under ptrace: the sanitizer build runs unchecked here.
	ASAN_OPTIONS=detect_leaks=0:exitcode=99 strace -f -qq -e trace=openat -o trace "$@"
}
reads() {
	grep -v O_DIRECTORY trace | grep -cE '"(f[0-9]|sub/blob)"' || true
}

want_hashes() {
	(cd d && find . -type f | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do
		printf '%s %s\n' "$f" "sha256:$(sha256sum < "$f" | cut -d' ' -f1)"
	done)
}
got_hashes() {
	jq -r '.entries[] | "\(.path) \(.hash)"' "$1"
}

@test "the cache lives under XDG_CACHE_HOME/mlgate, never in the tree" {
	make_tree
	mlsnapshot d > one.json
	run -0 find "$XDG_CACHE_HOME/mlgate" -type f -name 'snapshot-*'
	assert_equal "${#lines[@]}" 1
	real=$(cd d && pwd -P)
	assert_equal "$(basename "${lines[0]}")" "snapshot-$(printf '%s' "$real" | sha256sum | cut -d' ' -f1)"
	run -0 find d -name '*snapshot*'
	assert_output ""
}

@test "without XDG_CACHE_HOME the cache goes to ~/.cache/mlgate" {
	make_tree
	unset XDG_CACHE_HOME
	mlsnapshot d > /dev/null
	run -0 find "$HOME/.cache/mlgate" -type f -name 'snapshot-*'
	assert_equal "${#lines[@]}" 1
}

@test "a cache folder inside the tree is not used" {
	make_tree
	export XDG_CACHE_HOME=$PWD/d/cache
	mlsnapshot d > one.json
	[ ! -e d/cache ]
	assert_equal "$(jq '.entries | length' one.json)" 6
}

@test "an unchanged tree is re-snapshotted without reading any file" {
	make_tree
	traced mlsnapshot d > one.json
	assert_equal "$(reads)" 6
	traced mlsnapshot d > two.json
	assert_equal "$(reads)" 0
	keep_record two.json
	assert_equal "$(jq -c .entries two.json)" "$(jq -c .entries one.json)"
	run diff <(want_hashes) <(got_hashes two.json)
	assert_success
}

@test "a file changed with the same size and its mtime put back is read again (ctime)" {
	make_tree
	mlsnapshot d > one.json
	touch -r d/f1 ref
	printf 'CONTENT 1\n' > d/f1
	touch -r ref d/f1
	traced mlsnapshot d > two.json
	assert_equal "$(grep -v O_DIRECTORY trace | grep -c '"f1"')" 1
	run diff <(want_hashes) <(got_hashes two.json)
	assert_success
	[ "$(jqr .id two.json)" != "$(jqr .id one.json)" ]
}

@test "a file just changed is read again on the next run too (racy timestamps)" {
	make_tree
	mlsnapshot d > /dev/null
	printf 'new\n' >> d/f2
	traced mlsnapshot d > /dev/null
	assert_equal "$(reads)" 1
	# Changed less than a second ago: not cached yet, read again.
	traced mlsnapshot d > three.json
	assert_equal "$(reads)" 1
	run diff <(want_hashes) <(got_hashes three.json)
	assert_success
}

@test "a damaged cache is ignored as a whole: every file is read and hashed right" {
	make_tree
	mlsnapshot d > one.json
	cache=$(find "$XDG_CACHE_HOME/mlgate" -type f)
	# Swap one hash for another, as a bit flip would: the checksum catches it.
	sed -i 's/sha256:[0-9a-f]\{64\} \(2 f1\)/sha256:0000000000000000000000000000000000000000000000000000000000000000 \1/' "$cache"
	grep -q 'sha256:0000000000000000000000000000000000000000000000000000000000000000 2 f1' "$cache"
	traced mlsnapshot d > two.json
	assert_equal "$(reads)" 6
	run diff <(want_hashes) <(got_hashes two.json)
	assert_success
	# Truncated, or garbage: the same.
	head -c 100 "$cache" > cut && cat cut > "$cache"
	traced mlsnapshot d > three.json
	assert_equal "$(reads)" 6
	printf 'garbage' > "$cache"
	run -0 mlsnapshot d
	assert_equal "$(jq -c .entries <<<"$output")" "$(jq -c .entries one.json)"
}

# reseal CACHE: a new trailer for an edited cache, so that only its parser
# can refuse it.
reseal() {
	sed '$d' "$1" > body
	printf 'end sha256:%s\n' "$(sha256sum < body | cut -d' ' -f1)" | cat body - > "$1"
}

@test "a cache with a right checksum but a record out of form is ignored as a whole" {
	make_tree
	mlsnapshot d > one.json
	cache=$(find "$XDG_CACHE_HOME/mlgate" -type f)
	cp "$cache" good
	# Resealed unchanged, it is used.
	reseal "$cache"
	traced mlsnapshot d > /dev/null
	assert_equal "$(reads)" 0
	# A hash in capitals, an inode past 2^64, a path length that overruns,
	# a time that is not a number, paths out of order, a path twice: each is
	# refused.
	for edit in 's/sha256:\([0-9a-f]*\) \(2 f1\)/sha256:\U\1\E \2/' \
		's/^[0-9]* \(.* 2 f1\)$/99999999999999999999 \1/' \
		's/ 2 f1$/ 3 f1/' \
		's/^\([0-9]* [0-9]* \)[0-9]*\( .* 2 f1\)$/\1x\2/' \
		's/ 2 f2$/ 2 f0/' \
		's/ 2 f2$/ 2 f1/'; do
		sed "$edit" good > "$cache"
		run cmp -s good "$cache"
		assert_failure
		reseal "$cache"
		traced mlsnapshot d > two.json
		assert_equal "$(reads)" 6
		run diff <(want_hashes) <(got_hashes two.json)
		assert_success
	done
}

@test "--no-cache neither reads nor writes the cache" {
	make_tree
	traced mlsnapshot --no-cache d > one.json
	assert_equal "$(reads)" 6
	[ ! -e "$XDG_CACHE_HOME/mlgate" ]
	mlsnapshot d > /dev/null
	traced mlsnapshot --no-cache d > two.json
	assert_equal "$(reads)" 6
}

@test "a cache that cannot be written does not fail the snapshot" {
	make_tree
	mkdir -p "$XDG_CACHE_HOME"
	printf 'not a folder' > "$XDG_CACHE_HOME/mlgate"
	run --separate-stderr -0 mlsnapshot d
	assert_equal "$stderr" ""
	assert_equal "$(jq '.entries | length' <<<"$output")" 6
}

@test "a walk that dies while the cache loads is exit 2 every time, never a crash" {
	make_tree
	mlsnapshot d > /dev/null
	: > "d/$(printf 'bad\377name')"
	# The cache thread may still be in OpenSSL when the walk dies: exit must
	# not tear OpenSSL down under it (about one run in twenty crashed).
	for i in $(seq 1 100); do
		run --separate-stderr -2 mlsnapshot -j 2 d
		assert_equal "$output" ""
		[[ "$stderr" == *"file name is not valid UTF-8"* ]]
	done
}

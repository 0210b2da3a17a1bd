#!/usr/bin/env bats
# mlsnapshot -o: deterministic archives that GNU tar reads and that hold what
# the snapshot says.
bats_require_minimum_version 1.5.0
load helper

make_tree() {
	mkdir -p "$1/sub/deep"
	printf 'hello\n' > "$1/a.txt"
	: > "$1/empty"
	head -c 70000 /dev/urandom > "$1/sub/blob.bin"
	printf '#!/bin/sh\n' > "$1/sub/run.sh"
	chmod 750 "$1/sub/run.sh"
	chmod 600 "$1/a.txt"
	printf 'deep\n' > "$1/sub/deep/x"
	ln -s ../a.txt "$1/sub/link"
	# Over ustar's 100-byte name field: needs a pax header.
	long=$(printf 'n%.0s' $(seq 1 120))
	printf 'long\n' > "$1/sub/$long"
}

@test "each suffix gives the archive it names, and tar -t lists the entries in path order" {
	make_tree d
	for a in out.tar out.tar.gz out.tgz out.tar.zst out.tzst; do
		run --separate-stderr -0 mlsnapshot -o "$a" d
		assert_equal "$stderr" ""
	done
	keep_output snap.json
	assert_equal "$(head -c 262 out.tar | tail -c 5)" ustar
	[ "$(head -c 2 out.tar.gz | od -An -tx1 | tr -d ' ')" = 1f8b ]
	[ "$(head -c 2 out.tgz | od -An -tx1 | tr -d ' ')" = 1f8b ]
	[ "$(head -c 4 out.tar.zst | od -An -tx1 | tr -d ' ')" = 28b52ffd ]
	[ "$(head -c 4 out.tzst | od -An -tx1 | tr -d ' ')" = 28b52ffd ]
	jqr '.entries[].path' snap.json > want
	for a in out.tar out.tar.gz out.tar.zst; do
		case $a in
		*.gz) tar -tzf "$a" > got ;;
		*.zst) tar --zstd -tf "$a" > got ;;
		*) tar -tf "$a" > got ;;
		esac
		run diff want got
		assert_success
	done
}

@test "owners, modes and times are normalised (SOURCE_DATE_EPOCH or 0)" {
	make_tree d
	mlsnapshot -o out.tar d > /dev/null
	run -0 tar --numeric-owner --full-time -tvf out.tar
	for line in "${lines[@]}"; do
		[[ "$line" == *" 0/0 "* ]]
		[[ "$line" == *" 1970-01-01 00:00:00 "* ]]
	done
	assert_line --partial '-rw-r--r-- 0/0               6 1970-01-01 00:00:00 a.txt'
	assert_line --partial '-rwxr-xr-x 0/0              10 1970-01-01 00:00:00 sub/run.sh'
	assert_line --partial 'lrwxrwxrwx 0/0               0 1970-01-01 00:00:00 sub/link -> ../a.txt'
	# No user or group names.
	run -0 tar -tvf out.tar
	refute_output --partial root
	SOURCE_DATE_EPOCH=1700000000 mlsnapshot -o sde.tar d > /dev/null
	run -0 tar --full-time -tvf sde.tar a.txt
	assert_output --partial '2023-11-14 22:13:20 a.txt'
	run --separate-stderr -2 env SOURCE_DATE_EPOCH=yesterday mlsnapshot -o bad.tar d
	assert_equal "$stderr" "mlsnapshot: invalid SOURCE_DATE_EPOCH 'yesterday'"
	[ ! -e bad.tar ]
}

@test "the same tree gives byte-identical archives: twice, and from a copy with other mtimes, modes and owners" {
	make_tree d
	for a in x.tar x.tar.gz x.tar.zst; do
		mlsnapshot -o "one-$a" d > /dev/null
		mlsnapshot --no-cache -o "two-$a" d > /dev/null
		cmp "one-$a" "two-$a"
	done
	mkdir -p far/away
	cp -a d far/away/copy
	find far -exec touch -h -d '1999-12-31 23:59:59' {} +
	chmod 644 far/away/copy/a.txt
	chmod 700 far/away/copy/sub/run.sh
	chown -hR nobody: far 2>/dev/null || true
	sleep 1 # a gzip header would carry a new second
	for a in x.tar x.tar.gz x.tar.zst; do
		mlsnapshot -o "copy-$a" far/away/copy > /dev/null
		cmp "one-$a" "copy-$a"
	done
	# gzip's header holds no time (bytes 4-7 are zero).
	assert_equal "$(od -An -tx1 -j4 -N4 one-x.tar.gz | tr -d ' ')" 00000000
}

@test "the files in the archive hash to the snapshot's entries" {
	make_tree d
	mlsnapshot -o out.tar.gz d > snap.json
	mkdir unpacked
	tar -xzf out.tar.gz -C unpacked
	(cd unpacked && find . -type f | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do
		printf '%s sha256:%s\n' "$f" "$(sha256sum < "$f" | cut -d' ' -f1)"
	done) > got
	jq -r '.entries[] | select(.type == "file") | "\(.path) \(.hash)"' snap.json > want
	run diff want got
	assert_success
	assert_equal "$(readlink unpacked/sub/link)" ../a.txt
	# And the snapshot of the unpacked tree is the same id.
	assert_equal "$(mlsnapshot unpacked | jq -r .id)" "$(jqr .id snap.json)"
}

@test "excluded files stay out of the archive" {
	make_tree d
	mlsnapshot -x '*.bin' -x deep -o out.tar d > snap.json
	run -0 tar -tf out.tar
	refute_output --partial blob.bin
	refute_output --partial deep/
	assert_line a.txt
}

@test "an archive that cannot be written is exit 3 and leaves nothing, not even a temp file" {
	mkdir w && cd w
	make_tree d
	run --separate-stderr -3 mlsnapshot -o missing/out.tar d
	assert_equal "$output" ""
	[[ "$stderr" == "mlsnapshot: cannot write 'missing/out.tar': "* ]]
	run -0 ls -A
	assert_output d
}

@test "an existing archive is replaced whole" {
	mkdir w && cd w
	make_tree d
	printf 'old junk' > out.tar
	mlsnapshot -o out.tar d > /dev/null
	run -0 tar -tf out.tar a.txt
	run -0 ls -A
	assert_output "d
out.tar"
}

@test "an empty tree gives an empty archive tar reads" {
	mkdir empty
	mlsnapshot -o e.tar.gz empty > snap.json
	run -0 tar -tzf e.tar.gz
	assert_output ""
}

@test "an archive inside the tree it archives is refused (exit 2): the next snapshot would hold it" {
	make_tree d
	run --separate-stderr -2 mlsnapshot -o d/sub/self.tar d
	assert_equal "$stderr" "mlsnapshot: the archive 'd/sub/self.tar' would be inside 'd'"
	[ ! -e d/sub/self.tar ]
	cd d
	run --separate-stderr -2 mlsnapshot -o self.tar.gz .
	assert_equal "$stderr" "mlsnapshot: the archive 'self.tar.gz' would be inside '.'"
	run -0 mlsnapshot -o ../beside.tar .
}

@test "UTF-8 names archive the same whatever the locale, and GNU tar reads them back" {
	mkdir d
	printf '1\n' > d/café.txt
	printf '2\n' > "d/日本語 name"
	ln -s café.txt d/lïnk
	LC_ALL=C mlsnapshot -o c.tar.gz d > snap.json
	LC_ALL=C.UTF-8 mlsnapshot -o u.tar.gz d > /dev/null
	LANG= LC_ALL= mlsnapshot -o n.tar.gz d > /dev/null
	cmp c.tar.gz u.tar.gz
	cmp c.tar.gz n.tar.gz
	mkdir out
	tar -xzf c.tar.gz -C out
	assert_equal "$(readlink out/lïnk)" café.txt
	assert_equal "$(mlsnapshot out | jq -r .id)" "$(jqr .id snap.json)"
	run -0 mlsnapshot verify snap.json c.tar.gz
}

@test "a threaded .tar.zst is the same bytes whatever -j, and zstd(1) reads it whole" {
	make_tree d
	# Tens of MiB, part compressible, part not: more than one zstd job, and
	# more than the windows the writer hands to the disk and drops from memory.
	head -c 30000000 /dev/urandom > d/sub/noise
	seq 1 600000 > d/sub/counts
	for j in 1 2 4; do
		mlsnapshot --no-cache -j "$j" -o "j$j.tar.zst" d > "snap$j.json"
	done
	cmp j1.tar.zst j2.tar.zst
	cmp j1.tar.zst j4.tar.zst
	assert_equal "$(jq -c .entries snap1.json)" "$(jq -c .entries snap4.json)"
	run -0 zstd -q -t j2.tar.zst
	# And it holds what the snapshot says.
	mkdir out
	zstd -q -dc j2.tar.zst | tar -xf - -C out
	assert_equal "$(mlsnapshot --no-cache out | jq -c .entries)" "$(jq -c .entries snap2.json)"
}

@test "with -o each file is read once: the hashes come from the bytes archived" {
	make_tree d
	head -c 3000000 /dev/urandom > d/sub/noise
	# LeakSanitizer cannot run under ptrace.
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=openat -o trace \
		mlsnapshot --no-cache -o out.tar.zst d > snap.json
	assert_equal "$(grep -c '"sub/noise"' trace)" 1
	run diff <(mlsnapshot --no-cache d | jq -c .entries) <(jq -c .entries snap.json)
	assert_success
}

# stale_cache: rewrites the stat cache of tree d so that the entry of PATH
# carries HASH, with a valid checksum: a cache that lies.
stale_cache() {
	local f
	f=$(find "$XDG_CACHE_HOME/mlgate" -type f -name 'snapshot-*')
	head -n -1 "$f" | awk -v p="$1" -v h="$2" '$NF == p { $5 = h } { print }' > body
	{ cat body; printf 'end sha256:%s\n' "$(sha256sum < body | cut -d' ' -f1)"; } > "$f"
}

@test "a stat cache hash that the bytes do not match fails the archive (exit 2) and leaves none" {
	make_tree d
	sleep 1.1 # files changed in the last second are not cached
	mlsnapshot d > /dev/null
	stale_cache sub/blob.bin "sha256:$(printf 'other' | sha256sum | cut -d' ' -f1)"
	# Without -o the cache is believed (that is what it is for)...
	run -0 mlsnapshot d
	assert_equal "$(jq -r '.entries[] | select(.path == "sub/blob.bin") | .hash' <<<"$output")" \
		"sha256:$(printf 'other' | sha256sum | cut -d' ' -f1)"
	# ...but an archive is hashed as it is written, and must match.
	run --separate-stderr -2 mlsnapshot -o out.tar.zst d
	assert_equal "$output" ""
	assert_equal "$stderr" "mlsnapshot: 'd/sub/blob.bin' changed while being archived"
	[ ! -e out.tar.zst ]
	run -0 find . -maxdepth 1 -name '*.tmp*'
	assert_output ""
}

@test "an unreadable file with -o is exit 2 naming it, and no archive" {
	make_tree d
	printf 'y' > d/secret
	chmod 000 d/secret
	if [ "$(id -u)" -eq 0 ]; then
		run --separate-stderr -2 setpriv --bounding-set=-dac_override,-dac_read_search \
			mlsnapshot --no-cache -o out.tar d
	else
		run --separate-stderr -2 mlsnapshot --no-cache -o out.tar d
	fi
	chmod 644 d/secret
	assert_equal "$output" ""
	assert_equal "$stderr" "mlsnapshot: cannot read 'd/secret': Permission denied"
	[ ! -e out.tar ]
}

@test "a write that fails mid-archive (threaded writer) is exit 3 and leaves nothing" {
	make_tree d
	head -c 4000000 /dev/urandom > d/sub/noise
	for e in EIO ENOSPC; do
		run --separate-stderr env LD_PRELOAD="$MLGATE_BUILD/tests/faultshim.so" FAULT_CALL=write \
			FAULT_NTH=5 FAULT_ERRNO=$e FAULT_MATCH="$BATS_TEST_TMPDIR/" \
			mlsnapshot --no-cache -j 2 -o out.tar d
		assert_equal "$status" 3
		assert_equal "$output" ""
		case $e in
		EIO) assert_equal "$stderr" "mlsnapshot: cannot write 'out.tar': Input/output error" ;;
		*) assert_equal "$stderr" "mlsnapshot: cannot write 'out.tar': No space left on device" ;;
		esac
		[ ! -e out.tar ]
		run -0 find . -maxdepth 1 -name '*.tmp*'
		assert_output ""
	done
}

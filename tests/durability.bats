#!/usr/bin/env bats
# Durability: every file a tool replaces is written to a temp file, fsynced,
# renamed over the final name, and its directory fsynced, in that order,
# as strace -f sees the system calls.

load helper
bats_require_minimum_version 1.5.0

setup_file_local() {
	command -v strace > /dev/null || skip "strace is not installed"
	mkdir -p data && printf 'a\n' > data/a.txt && printf 'b\n' > data/b.txt
}

# traced MIN_RENAMES CMD...: runs CMD under strace and checks the order.
traced() {
	local min=$1
	shift
	# LeakSanitizer cannot run under ptrace: the sanitizer build leaves leaks to the other tests.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -o trace.txt -e trace=open,openat,write,writev,pwrite64,fsync,fdatasync,rename,renameat,renameat2 "$@" > out.json
	run -0 python3 "$BATS_TEST_DIRNAME/durability-check.py" trace.txt "$min"
}

@test "mlsnapshot -o: the archive is replaced durably" {
	traced 1 mlsnapshot -o data.tar.zst data
	assert_line 'replace: data.tar.zst'
}

@test "mlrun-log: run.json and metrics.jsonl are replaced durably" {
	traced 1 sh -c 'echo "{\"step\":1,\"loss\":0.5}" | mlrun-log -d run'
	assert_line 'replace: run/run.json'
}

@test "mleval-compare --junit --markdown: reports are replaced durably" {
	printf '{"metrics":{"f1":0.8}}' > base.json
	printf '{"metrics":{"f1":0.9}}' > cand.json
	traced 2 mleval-compare --rule 'f1 >= baseline' --junit j.xml --markdown m.md base.json cand.json
	assert_line 'replace: j.xml'
	assert_line 'replace: m.md'
}

@test "mlpromote: publish and promote replace the manifest and the pointer durably" {
	mlpromote init --registry reg
	printf 'weights' > model.bin
	traced 1 mlpromote publish --registry reg --model m --version v1 model.bin
	traced 1 mlpromote promote --registry reg --model m --version v1 --force --reason first
	assert_line 'replace: reg/models/m/current.json'
}

@test "the checker itself catches a rename without fsync" {
	cat > bad.txt <<'TRACE'
1 openat(AT_FDCWD, "x.tmp", O_RDWR|O_CREAT|O_EXCL, 0600) = 3
1 write(3, "hi", 2) = 2
1 rename("x.tmp", "x") = 0
TRACE
	run -1 python3 "$BATS_TEST_DIRNAME/durability-check.py" bad.txt
	assert_line "durability: 'x' renamed from 'x.tmp' without an fsync after its last write"
	assert_line "durability: directory '.' not fsynced after 'x' was renamed into it"
}

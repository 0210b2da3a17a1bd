#!/usr/bin/env bats
# I/O faults: with write, fsync, rename or open failing (EIO, ENOSPC) through
# the LD_PRELOAD shim in tests/fault/, every tool exits 3 with one clear
# line, reports no success on stdout, and leaves the previous state intact.

load helper
bats_require_minimum_version 1.5.0

SHIM=$MLGATE_BUILD/tests/faultshim.so

setup_file_local() {
	mkdir -p data && printf 'a\n' > data/a.txt && printf 'b\n' > data/b.txt
}

# faulty CALL ERRNO CMD...: runs CMD with that call failing on files under cwd.
faulty() {
	local call=$1 errno=$2
	shift 2
	run --separate-stderr env LD_PRELOAD="$SHIM" FAULT_CALL="$call" FAULT_ERRNO="$errno" \
		FAULT_MATCH="$BATS_TEST_TMPDIR/" "$@"
}

message_for() {
	case $1 in ENOSPC) echo "No space left on device" ;; *) echo "Input/output error" ;; esac
}

# No temp file may be left beside the final names.
assert_no_temp_files() {
	run find . -name '*.tmp*' -not -path './cache/*'
	assert_output ''
}

@test "mlsnapshot -o: a failing write, fsync, rename or open leaves no archive" {
	for call in write fsync rename open; do
		for e in EIO ENOSPC; do
			faulty $call $e mlsnapshot --no-cache -o out.tar.gz data
			[ "$status" -eq 3 ] || { echo "$call $e: status $status: $stderr"; return 1; }
			assert_output ''
			[[ "$stderr" == "mlsnapshot: "*"out.tar.gz"* ]] || { echo "$call $e: $stderr"; return 1; }
			[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
			[ ! -e out.tar.gz ]
			assert_no_temp_files
		done
	done
}

@test "mlsnapshot -o: a failed rewrite keeps the previous archive byte for byte" {
	mlsnapshot --no-cache -o out.tar data > /dev/null
	before=$(sha256sum out.tar)
	printf 'c\n' > data/c.txt
	for call in write fsync rename; do
		faulty $call EIO mlsnapshot --no-cache -o out.tar data
		[ "$status" -eq 3 ] || { echo "$call: status $status: $stderr"; return 1; }
		assert_equal "$(sha256sum out.tar)" "$before"
	done
	assert_no_temp_files
}

@test "mlrun-log: a failing write, fsync, rename or open leaves no run.json" {
	for call in write fsync rename open; do
		for e in EIO ENOSPC; do
			rm -rf run
			faulty $call $e mlrun-log -d run <<< '{"step":1,"loss":0.5}'
			[ "$status" -eq 3 ] || { echo "$call $e: status $status: $stderr"; return 1; }
			assert_output ''
			[[ "$stderr" == *"$(message_for $e)"* ]] || { echo "$call $e: $stderr"; return 1; }
			[ ! -e run/run.json ]
			assert_no_temp_files
		done
	done
}

@test "mlrun-log -- CMD: its own I/O failure is exit 125, after the command ran" {
	faulty rename EIO mlrun-log -d run -- sh -c 'echo "{\"loss\":1}"; touch ran'
	assert_equal "$status" 125
	[ -e ran ]
	[ ! -e run/run.json ]
}

@test "mleval-compare --junit: a failing write keeps the previous report" {
	printf '{"metrics":{"f1":0.8}}' > base.json
	printf '{"metrics":{"f1":0.9}}' > cand.json
	printf 'old report\n' > report.xml
	for call in write fsync rename open; do
		for e in EIO ENOSPC; do
			faulty $call $e mleval-compare --rule 'f1 >= baseline' --junit report.xml base.json cand.json
			[ "$status" -eq 3 ] || { echo "$call $e: status $status: $stderr"; return 1; }
			assert_output ''
			[[ "$stderr" == "mleval-compare: "*"report.xml"*"$(message_for $e)"* ]] || { echo "$call $e: $stderr"; return 1; }
			assert_equal "$(cat report.xml)" "old report"
			assert_no_temp_files
		done
	done
}

@test "mlpromote publish: a failing write, fsync, rename or open publishes nothing" {
	mlpromote init --registry reg
	printf 'weights' > model.bin
	for call in write fsync rename open; do
		faulty $call EIO mlpromote publish --registry reg --model m --version v1 model.bin
		[ "$status" -eq 3 ] || { echo "$call: status $status: $stderr"; return 1; }
		assert_output ''
		[[ "$stderr" == "mlpromote: "*"Input/output error"* ]] || { echo "$call: $stderr"; return 1; }
		[ ! -e reg/models/m/versions/v1 ]
	done
	run -0 mlpromote publish --registry reg --model m --version v1 model.bin
	run -0 mlpromote verify --registry reg
}

@test "every tool: a full standard output is exit 3" {
	printf '{"metrics":{"f1":0.9}}' > cand.json
	mlpromote init --registry reg
	for cmd in "mlsnapshot --no-cache data" \
		   "mleval-compare --no-baseline --rule 'f1>=0.5' cand.json" \
		   "mlpromote status --registry reg --model m"; do
		run -3 --separate-stderr sh -c "$cmd > /dev/full"
		[[ "$stderr" == *"cannot write to standard output"* ]] || { echo "$cmd: $stderr"; return 1; }
	done
	run -3 --separate-stderr sh -c 'echo "{\"loss\":1}" | mlrun-log -d run > /dev/full'
	[[ "$stderr" == *"standard output"* ]]
}

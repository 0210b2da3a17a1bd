#!/usr/bin/env bats
# Crash safety: each tool is killed with SIGKILL at random moments, spread
# from 0 to its typical duration, by tests/soak/crash-loop.sh (a plain bash
# script: bats' per-command trace would cost more than the tools). What is
# checked after each kill is listed at the top of that script.
#
# CRASH_KILLS sets the number of kills: 100 for mlpromote by default, 30 for
# the others; a quarter of that under a sanitizer build, whose every process
# costs ten times more. CRASH_SEED replays a run. tests/soak/crash-soak.sh
# runs 1,000 of each.
bats_require_minimum_version 1.5.0
load helper

setup_file_local() {
	LOOP=$BATS_TEST_DIRNAME/soak/crash-loop.sh
	KILLS=${CRASH_KILLS:-100}
	if ldd "$MLGATE_BUILD/bin/mlpromote" 2> /dev/null | grep -q libasan; then
		KILLS=${CRASH_KILLS:-25}
	fi
}

@test "mlpromote promote and rollback killed at random moments: old or new pointer, chain intact, healed" {
	run --separate-stderr -0 bash "$LOOP" mlpromote "$KILLS"
	[[ $output == "mlpromote: $KILLS runs "* ]]
	echo "# $output" >&3
	run -0 mlpromote verify --registry reg
	run -0 mlpromote history --registry reg --model m
	keep_output history.jsonl
}

@test "mlsnapshot -o killed at random moments: the archive is the old one or the new one, never partial" {
	run --separate-stderr -0 bash "$LOOP" mlsnapshot $((KILLS * 3 / 10))
	echo "# $output" >&3
	[[ $output == "mlsnapshot -o: "*"the archive was always whole" ]]
}

@test "mlrun-log killed at random moments: run.json is complete or absent" {
	run --separate-stderr -0 bash "$LOOP" mlrun-log $((KILLS * 3 / 10))
	echo "# $output" >&3
	[[ $output == "mlrun-log: "*"every run.json whole" ]]
	keep_record ref.json
}

#!/usr/bin/env bats
# Races on a directory registry: 50 writers at once. --expect SEQ is a
# compare-and-swap (one wins, the others lose cleanly); plain promotions
# serialise on the model's flock and none is lost; a lock whose holder was
# killed does not wedge the registry. (mlpromote-concurrency.bats has the
# 20-writer cases with verdicts and lock-free readers.)
bats_require_minimum_version 1.5.0
load helper

# publish_many N: versions 1..N of model m in a fresh registry reg, version
# N live (seq 1).
publish_many() {
	mlpromote init --registry reg
	local i
	for i in $(seq 1 "$1"); do
		echo "weights $i" > "w$i.bin"
		mlpromote publish --registry reg --model m --version "$i" "w$i.bin" > /dev/null
	done
	mlpromote promote --registry reg --model m --version "$1" --force --reason base > /dev/null
}

# changes: the promote and rollback lines of the audit log.
changes() {
	grep -cE '"action":"(promote|rollback)"' reg/models/m/audit.jsonl
}

@test "50 promote --expect 1 at once: exactly one wins, 49 exit 1, one new audit line" {
	publish_many 51
	local i pids=() ok=0 lost=0 other=0 rc winner=
	for i in $(seq 1 50); do
		mlpromote promote --registry reg --model m --version "$i" --force --reason "cas $i" \
			--expect 1 > "out$i.json" 2> "err$i" &
		pids[i]=$!
	done
	for i in $(seq 1 50); do
		rc=0
		wait "${pids[i]}" || rc=$?
		case $rc in
		0) ok=$((ok + 1)) winner=$i ;;
		1) lost=$((lost + 1)) ;;
		*) other=$((other + 1)); cat "err$i" ;;
		esac
	done
	assert_equal "$ok $lost $other" "1 49 0"
	# each loser said why, in one line, and printed nothing
	for i in $(seq 1 50); do
		[ "$i" = "$winner" ] && continue
		assert_equal "$(cat "err$i")" "mlpromote: stage 'current' of model 'm' is at seq 2, not 1: another change came first"
		assert_equal "$(wc -c < "out$i.json")" 0
	done
	assert_equal "$(changes)" 2
	assert_equal "$(jq -c '[.version, .seq]' reg/models/m/current.json)" "[\"$winner\",2]"
	cmp "out$winner.json" reg/models/m/current.json
	run -0 mlpromote verify --registry reg
}

@test "50 forced promotions at once: all serialise, none lost, seq 2..51 each once" {
	publish_many 50
	mlpromote promote --registry reg --model m --version 1 --force --reason base > /dev/null
	# versions 1..50 again, so that none is the live one whatever the order:
	# each of the 50 is a change (seq 3..52)
	local i pids=() failed=0
	for i in $(seq 2 50) 1; do
		mlpromote promote --registry reg --model m --version "$i" --force --reason "race $i" \
			> "out$i.json" 2> "err$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || failed=$((failed + 1))
	done
	# version 1 is live at the start, so its own promotion is a no-op when it
	# runs first, else a change: count what the log says, then check it
	assert_equal "$failed" 0
	assert_equal "$(cat err*)" ""
	local n
	n=$(changes)
	[ "$n" -eq 51 ] || [ "$n" -eq 52 ]
	assert_equal "$(jq -r .seq reg/models/m/current.json)" $((n))
	run -0 mlpromote history --registry reg --model m
	keep_output history.jsonl
	# seq 1..n, each once, in the order of the log; versions 2..50 each once
	assert_equal "$(jq -r 'select(.action == "promote") | .seq' history.jsonl | tr '\n' ' ')" \
		"$(seq 1 "$n" | tr '\n' ' ')"
	assert_equal "$(jq -r 'select(.action == "promote" and .reason != "base") | .version' history.jsonl |
		grep -vx 1 | sort -n | tr '\n' ' ')" "$(seq 2 50 | tr '\n' ' ')"
	run -0 mlpromote verify --registry reg
}

@test "a lock whose holder was killed does not wedge the registry; a killed waiter changes nothing" {
	command -v flock > /dev/null || skip "flock(1) is not installed"
	publish_many 3
	local lock=reg/models/m/.lock before
	# a holder that dies with the lock held (flock -o: only flock itself holds it)
	# (its child records its pid and lets go of bats' fd 3, so that it can
	# neither outlive the test unseen nor hold the run's output open)
	flock -o "$lock" sh -c 'echo $$ > sleeper.pid; exec sleep 300' 3>&- &
	local holder=$!
	# until flock(1) holds it, a try-lock succeeds
	while flock -n "$lock" true; do sleep 0.05; done
	before=$(cat reg/models/m/audit.jsonl reg/models/m/current.json | sha256sum)
	# a writer waiting for the lock, killed while it waits: nothing changes
	mlpromote promote --registry reg --model m --version 1 --force --reason waiter &
	local waiter=$!
	sleep 0.2
	kill -KILL "$waiter"
	local rc=0
	wait "$waiter" || rc=$?
	assert_equal "$rc" 137
	assert_equal "$(cat reg/models/m/audit.jsonl reg/models/m/current.json | sha256sum)" "$before"
	# another writer queues, then the holder dies: the kernel drops its lock
	mlpromote promote --registry reg --model m --version 2 --force --reason after > out.json &
	local writer=$!
	kill -KILL "$holder"
	kill -KILL "$(cat sleeper.pid)" 2> /dev/null || true
	rc=0
	wait "$writer" || rc=$?
	assert_equal "$rc" 0
	assert_equal "$(jq -c '[.version, .seq]' out.json)" '["2",2]'
	[ -e "$lock" ]
	run -0 mlpromote rollback --registry reg --model m
	run -0 mlpromote verify --registry reg
}

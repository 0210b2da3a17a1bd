#!/usr/bin/env bats
# mlrun-log -- COMMAND: the command's output passed through, its metrics
# read, its fate recorded, and timeout(1)'s exit statuses.
bats_require_minimum_version 1.5.0
load helper

@test "command: stdout and stderr pass to our stderr, metrics from stdout, the record alone on stdout" {
	cat > train.sh <<-'EOF'
	echo 'epoch 1'
	echo '{"step":1,"loss":0.5}'
	echo 'warning: slow' >&2
	echo '{"step":2,"loss":0.25}' >&2
	echo '{"step":3,"loss":0.125}'
	EOF
	run --separate-stderr -0 mlrun-log -d r -p lr=0.1 -- sh train.sh
	printf '%s\n' "$output" > out.json
	cmp out.json r/run.json
	keep_record r/run.json
	[ "$(printf '%s\n' "$stderr" | grep -c .)" -eq 5 ]
	[[ "$stderr" == *"warning: slow"* ]]
	# The step 2 line came on stderr: passed through, not a metric.
	[ "$(cat r/metrics.jsonl)" = $'{"step":1,"loss":0.5}\n{"step":3,"loss":0.125}' ]
	[ "$(jq -c '[.status, .exit_code, .signal, .metrics, .command]' out.json)" = '["finished",0,null,{"loss":0.125},["sh","train.sh"]]' ]
}

@test "command: its exit status is ours, and the run is recorded as failed" {
	run --separate-stderr -3 mlrun-log -d r -- sh -c 'echo "{\"acc\":0.7}"; exit 3'
	[ "$(jq -c '[.status, .exit_code, .signal, .metrics]' r/run.json)" = '["failed",3,null,{"acc":0.7}]' ]
	printf '%s\n' "$output" | cmp - r/run.json
	keep_record r/run.json
}

@test "command: interleaved stdout and stderr keep each stream's order" {
	cat > talk.sh <<-'EOF'
	i=1
	while [ $i -le 3000 ]; do
		echo "{\"step\":$i,\"loss\":$i}"
		echo "err $i" >&2
		i=$((i + 1))
	done
	EOF
	run --separate-stderr -0 mlrun-log -d r -- sh talk.sh
	printf '%s\n' "$stderr" > both
	[ "$(grep -c '^err ' both)" -eq 3000 ]
	[ "$(grep -c '^{' both)" -eq 3000 ]
	# Each stream alone reads 1..3000 in order.
	diff <(grep '^err ' both | cut -d' ' -f2) <(seq 3000)
	diff <(grep '^{' both | jq -r .step) <(seq 3000)
	diff <(jq -r .step r/metrics.jsonl) <(seq 3000)
	[ "$(jq -c .metric_stats.loss r/run.json)" = '{"count":3000,"last_step":3000,"max":3000,"min":1,"nan_count":0}' ]
}

@test "command: killed by a signal is 128+N, recorded as killed with the signal" {
	run --separate-stderr -143 mlrun-log -d term -- sh -c 'echo "{\"loss\":1}"; kill -TERM $$'
	[ "$(jq -c '[.status, .exit_code, .signal, .metrics]' term/run.json)" = '["killed",null,15,{"loss":1}]' ]
	keep_record term/run.json
	run --separate-stderr -137 mlrun-log -d kill -- sh -c 'kill -KILL $$'
	[ "$(jq -c '[.status, .signal]' kill/run.json)" = '["killed",9]' ]
}

@test "command: SIGTERM and SIGINT sent to mlrun-log go on to the command" {
	for sig in TERM INT; do
		rm -f ready
		mlrun-log -d "r$sig" -- sh -c 'trap "echo got-$0; exit 7" '"$sig"'; touch ready; while :; do sleep 0.05; done' "$sig" \
			> "out$sig" 2> "err$sig" 3>&- &
		pid=$!
		while [ ! -e ready ]; do kill -0 "$pid"; sleep 0.05; done
		kill -"$sig" "$pid"
		# wait is a builtin: it cannot run in run's subshell.
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 7 ]
		grep -q "^got-$sig\$" "err$sig"
		[ "$(jq -c '[.status, .exit_code]' "r$sig/run.json")" = '["failed",7]' ]
		cmp "out$sig" "r$sig/run.json"
	done
}

@test "command: not found is 127, not executable 126; nothing recorded, nothing left behind" {
	run --separate-stderr -127 mlrun-log -d r -- no-such-command-here --flag
	[ "$stderr" = "mlrun-log: cannot run 'no-such-command-here': No such file or directory" ]
	[ "$output" = "" ]
	[ ! -e r ]
	run --separate-stderr -127 mlrun-log -d r -- ./missing.sh
	printf 'echo hi\n' > noexec.sh
	chmod 644 noexec.sh
	run --separate-stderr -126 mlrun-log -d r -- ./noexec.sh
	[ "$stderr" = "mlrun-log: cannot run './noexec.sh': Permission denied" ]
	mkdir adir
	run --separate-stderr -126 mlrun-log -d r -- ./adir
	[ ! -e r ]
}

@test "command: our own failures are 125, before the command runs" {
	run --separate-stderr -0 mlrun-log -d r -- true
	run --separate-stderr -125 mlrun-log -d r -- touch ran
	[ "$stderr" = "mlrun-log: 'r' already holds a run; use --force to replace it" ]
	run --separate-stderr -125 mlrun-log -d r2 -p lr -- touch ran
	run --separate-stderr -125 mlrun-log -d r2 -p a=1 -p a=2 -- touch ran
	run --separate-stderr -125 mlrun-log -d r2 --params nothere.json -- touch ran
	run --separate-stderr -125 mlrun-log --bogus -- touch ran
	touch afile
	run --separate-stderr -125 mlrun-log -d afile/r -- touch ran
	[ ! -e ran ]
	[ ! -e r2 ]
	run --separate-stderr -125 bash -c 'mlrun-log -d r3 -- true > /dev/full'
}

@test "command: artifacts the command writes are hashed after it ends" {
	run --separate-stderr -0 mlrun-log -d r -a model.bin -- sh -c 'printf trained > model.bin'
	[ "$(jq -c '.artifacts' r/run.json)" = "[{\"hash\":\"sha256:$(sha256sum model.bin | cut -d' ' -f1)\",\"path\":\"model.bin\",\"size\":7}]" ]
	keep_record r/run.json
}

@test "command: a missing artifact fails a finished run (125); a failed run is recorded without it" {
	run --separate-stderr -125 mlrun-log -d ok -a model.bin -- true
	[ "$stderr" = "mlrun-log: cannot read artifact 'model.bin': No such file or directory" ]
	[ ! -e ok/run.json ]
	run --separate-stderr -4 mlrun-log -d bad -a model.bin -- sh -c 'exit 4'
	[ "$stderr" = "mlrun-log: artifact 'model.bin' left out: No such file or directory" ]
	[ "$(jq -c '[.status, .artifacts]' bad/run.json)" = '["failed",[]]' ]
}

@test "command: stdin is the command's own" {
	run --separate-stderr -0 mlrun-log -d r -- cat <<< '{"loss":0.5}'
	[ "$stderr" = '{"loss":0.5}' ]
	[ "$(jq -c .metrics r/run.json)" = '{"loss":0.5}' ]
}

@test "command: a background child holding the pipes does not hold the record" {
	run --separate-stderr -0 mlrun-log -d r -- sh -c 'sleep 60 & echo $! > bg.pid; echo "{\"loss\":1}"'
	# mlrun-log returned while the grandchild still runs.
	kill -0 "$(cat bg.pid)"
	kill "$(cat bg.pid)"
	[ "$(jq -c .metrics r/run.json)" = '{"loss":1}' ]
}

@test "command: the command's options are its own" {
	run --separate-stderr -0 mlrun-log -d r -- sh -c 'echo "$@"' sh -d -p x=1 --force
	[ "$stderr" = "-d -p x=1 --force" ]
	[ "$(jq -c .command r/run.json)" = '["sh","-c","echo \"$@\"","sh","-d","-p","x=1","--force"]' ]
}

@test "command: a large metric stream through the pipe" {
	run --separate-stderr -0 mlrun-log -d r -- awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "{\"step\":%d,\"loss\":%d}\n", i, i % 10 }'
	[ "$(wc -l < r/metrics.jsonl)" -eq 100000 ]
	[ "$(jq -c .metric_stats.loss r/run.json)" = '{"count":100000,"last_step":100000,"max":9,"min":0,"nan_count":0}' ]
}

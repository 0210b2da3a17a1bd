#!/usr/bin/env bats
# mlrun-log in filter mode: the log on stdin, the run record, its params,
# metrics, data, artifacts and environment, and the bad inputs it refuses.
bats_require_minimum_version 1.5.0
load helper

D=$BATS_TEST_DIRNAME/data/mlrun-log

@test "filter: the log is echoed to stderr unchanged, the record alone on stdout" {
	run --separate-stderr -0 mlrun-log -d run1 < "$D/train.log"
	printf '%s' "$stderr" > echoed
	# $stderr loses the final newline only; the log ends without one.
	cmp echoed "$D/train.log"
	printf '%s\n' "$output" > out.json
	cmp out.json run1/run.json
	keep_record run1/run.json
	[ "$(jq -r .kind out.json)" = run ]
	[ "$(jq -r .status out.json)" = finished ]
	[ "$(jq -r '.exit_code, .signal, .data, .name, .command' out.json | tr '\n' ' ')" = "null null null null null " ]
}

@test "filter: metric lines and only they reach metrics.jsonl, with the expected statistics" {
	run --separate-stderr -0 mlrun-log -d run1 < "$D/train.log"
	diff run1/metrics.jsonl "$D/train.metrics.jsonl"
	diff <(jq -S '{metrics, metric_stats}' run1/run.json) <(jq -S . "$D/train.expected.json")
}

@test "filter: a 100,000-line log with text between the metric lines" {
	awk 'BEGIN { for (i = 1; i <= 100000; i++) {
		printf "{\"step\":%d,\"loss\":%.6f,\"acc\":%d}\n", i, 1 / i, i % 7
		if (i % 1000 == 0) printf "checkpoint %d saved\n", i } }' > big.log
	run --separate-stderr -0 mlrun-log -d big < big.log
	[ "$(wc -l < big/metrics.jsonl)" -eq 100000 ]
	jq -e '.metric_stats.loss == {"count":100000,"last_step":100000,"max":1,"min":0.00001,"nan_count":0}' big/run.json
	jq -e '.metric_stats.acc == {"count":100000,"last_step":100000,"max":6,"min":0,"nan_count":0}' big/run.json
	jq -e '.metrics == {"acc":5,"loss":0.00001}' big/run.json
	[ "$(printf '%s\n' "$stderr" | grep -c '^checkpoint')" -eq 100 ]
	keep_record big/run.json
}

@test "filter: the fast path and the lenient parser give the same records" {
	# Compact lines take the fast path; blanks, escaped keys and CRLF force
	# the lenient parser. Numbers cover the fast conversion and strtod's.
	awk 'BEGIN { srand(7); for (i = 0; i < 3000; i++) {
		v = (rand() - 0.5) * 10 ^ int(rand() * 40 - 20)
		printf "{\"step\":%d,\"loss\":%.17g,\"acc\":%.3f,\"big\":123456789012345678901%d,\"e\":%.5e,\"x\":%s}\n",
			i, v, rand(), i, v * 3, (i % 10 == 0 ? "NaN" : "-0.0") } }' > fast.log
	sed -e 's/:/ : /g' -e 's/,/ , /g' -e 's/"acc"/"a\\u0063c"/' -e 's/$/\r/' fast.log > lenient.log
	run -1 cmp -s fast.log lenient.log
	run -0 mlrun-log -d fast < fast.log 2>/dev/null
	run -0 mlrun-log -d lenient < lenient.log 2>/dev/null
	cmp fast/metrics.jsonl lenient/metrics.jsonl
	[ "$(wc -l < fast/metrics.jsonl)" -eq 3000 ]
	diff <(jq -S '{metrics, metric_stats}' fast/run.json) <(jq -S '{metrics, metric_stats}' lenient/run.json)
	jq -e '.metric_stats.x == {"count":3000,"last_step":2999,"max":0,"min":0,"nan_count":300}' fast/run.json
}

@test "filter: NaN and Infinity are counted, and a non-finite last value is null" {
	printf '{"step":1,"loss":0.5}\n{"step":2,"loss":NaN}\n{"step":3,"loss":-Infinity}\n' > nan.log
	run --separate-stderr -0 mlrun-log -d r < nan.log
	[ "$(jq -c '.metrics' r/run.json)" = '{"loss":null}' ]
	[ "$(jq -c '.metric_stats.loss' r/run.json)" = '{"count":3,"last_step":3,"max":0.5,"min":0.5,"nan_count":2}' ]
	[ "$(sed -n 2p r/metrics.jsonl)" = '{"step":2,"loss":null}' ]
	keep_record r/run.json
}

@test "filter: nothing crashes the parser (long lines, binary junk, NUL, nesting, no final newline)" {
	{
		awk 'BEGIN { s = "1"; while (length(s) < 5000) s = s s; print "{\"a\":" s "}" }'
		awk 'BEGIN { printf "{"; for (i = 0; i < 5000; i++) printf "\"k%d\":%d,", i, i; print "\"z\":1}" }'
		awk 'BEGIN { s = "1"; while (length(s) < 1100000) s = s s; print "{\"x\":1,\"pad\":" s "}" }'
		# every byte value, NUL included
		printf "$(printf '\\%03o' $(seq 0 255))\n"
		printf '{"a":1,\0"b":2}\n{"a":{"b":{"c":[1,2,{"d":3}]}}}\n'
		awk 'BEGIN { for (i = 0; i < 5000; i++) printf "{\"a\":["; print "" }'
		printf '{"\\ud800":1}\n{"\\u0000":1}\n{"a":1e99999}\n{"a":-}\n{"a":1.}\n{"a":.5}\n{"a":1e}\n"\n{\n{"\n'
		printf '\xff\xfe{"a":1}\n{"\xc3\x28":1}\n{"step":1,"last":2}'
	} > junk.log
	# Into a file: a shell variable cannot hold the NUL bytes.
	run -0 bash -c 'mlrun-log -d junk < junk.log 2> echoed'
	cmp echoed junk.log
	# The 8192-digit number and 1e99999 overflow a double: infinite. The
	# line of 1.1 MB is past the parse limit (1 MiB): no x.
	[ "$(jq -r '.metric_stats.a.count, .metric_stats.a.nan_count' junk/run.json | tr '\n' ' ')" = "2 2 " ]
	[ "$(jq -r '.metric_stats.k4999.count, .metrics.z' junk/run.json | tr '\n' ' ')" = "1 1 " ]
	[ "$(jq -r '.metrics.last' junk/run.json)" = 2 ]
	[ "$(jq -r '.metrics | has("x"), has("b"), has("d")' junk/run.json | tr '\n' ' ')" = "false false false " ]
	keep_record junk/run.json
}

@test "filter: SIGTERM or SIGINT ends the log early; the run is recorded as killed, 128+N" {
	for sig in TERM INT; do
		mkfifo "log$sig"
		# fd 3 is bats' own: the background job must not hold it.
		mlrun-log -d "r$sig" < "log$sig" > "out$sig" 2> "err$sig" 3>&- &
		pid=$!
		exec 5> "log$sig"
		echo '{"step":1,"loss":0.5}' >&5
		# The echo on stderr shows the line was read.
		while ! grep -q loss "err$sig"; do kill -0 "$pid"; sleep 0.05; done
		kill -"$sig" "$pid"
		# wait is a builtin: it cannot run in run's subshell.
		rc=0
		wait "$pid" || rc=$?
		exec 5>&-
		[ "$rc" -eq $((128 + $(kill -l "$sig"))) ]
		[ "$(jq -c '[.status, .exit_code, .signal, .metrics]' "out$sig")" = "[\"killed\",null,$(kill -l "$sig"),{\"loss\":0.5}]" ]
		cmp "out$sig" "r$sig/run.json"
		[ "$(cat "r$sig/metrics.jsonl")" = '{"step":1,"loss":0.5}' ]
	done
	keep_record rTERM/run.json
}

@test "filter: an empty log gives an empty series" {
	run --separate-stderr -0 mlrun-log -d e < /dev/null
	[ -f e/metrics.jsonl ]
	[ ! -s e/metrics.jsonl ]
	[ "$(jq -c '.metrics, .metric_stats' e/run.json | tr '\n' ' ')" = "{} {} " ]
	[ "$stderr" = "" ]
	keep_record e/run.json
}

@test "params: -p values are typed as JSON numbers, booleans or strings" {
	run --separate-stderr -0 mlrun-log -d r -p lr=0.05 -p seed=42 -p neg=-1 -p exp=1e5 \
		-p zeros=007 -p dot=1. -p lead=.5 -p yes=true -p no=false -p nul=null -p hex=0x10 \
		-p nan=NaN -p inf=1e999 -p empty= -p eq=a=b -p text='two words' < /dev/null
	[ "$(jq -c .params r/run.json)" = '{"dot":"1.","empty":"","eq":"a=b","exp":100000,"hex":"0x10","inf":"1e999","lead":".5","lr":0.05,"nan":"NaN","neg":-1,"no":false,"nul":"null","seed":42,"text":"two words","yes":true,"zeros":"007"}' ]
	keep_record r/run.json
}

@test "params: a JSON file, -p overriding it" {
	run --separate-stderr -0 mlrun-log -d r --params "$D/params.json" -p lr=0.1 -p extra=x < /dev/null
	[ "$(jq -c .params r/run.json)" = '{"extra":"x","lr":0.1,"model":{"depth":6,"kind":"gbm"},"optimizer":"adam","seed":7}' ]
}

@test "params: .env and key: value files" {
	run --separate-stderr -0 mlrun-log -d env --params "$D/params.env" < /dev/null
	[ "$(jq -c .params env/run.json)" = '{"EMPTY":"","LR":0.01,"OPTIMIZER":"adam","SEED":7,"ZEROS":"007"}' ]
	run --separate-stderr -0 mlrun-log -d yaml --params "$D/params.yaml" -p seed=8 < /dev/null
	[ "$(jq -c .params yaml/run.json)" = '{"early_stop":true,"lr":0.01,"optimizer":"adam","seed":8,"url":"http://example.com:8080/x"}' ]
}

@test "params: bad params are exit 2 with one line, before anything is written" {
	run --separate-stderr -2 mlrun-log -d r -p lr=1 -p lr=2 < /dev/null
	[ "$stderr" = "mlrun-log: -p 'lr=2': key 'lr' given twice" ]
	run --separate-stderr -2 mlrun-log -d r -p lr < /dev/null
	[ "$stderr" = "mlrun-log: -p 'lr': expected KEY=VALUE" ]
	run --separate-stderr -2 mlrun-log -d r -p =1 < /dev/null
	run --separate-stderr -2 mlrun-log -d r --params missing.json < /dev/null
	[ "$stderr" = "mlrun-log: cannot read 'missing.json': No such file or directory" ]
	run --separate-stderr -2 mlrun-log -d r --params "$D/params-dup.json" < /dev/null
	[[ "$stderr" == "mlrun-log: $D/params-dup.json:1:"*"duplicate"* ]]
	run --separate-stderr -2 mlrun-log -d r --params "$D/params-nested.yaml" < /dev/null
	[ "$stderr" = "mlrun-log: $D/params-nested.yaml:3:3: nested values are not supported (use a JSON file)" ]
	run --separate-stderr -2 mlrun-log -d r --params "$D/params-bad.env" < /dev/null
	[ "$stderr" = "mlrun-log: $D/params-bad.env:1:1: expected 'key: value' or KEY=VALUE" ]
	run --separate-stderr -2 mlrun-log -d r -t team < /dev/null
	run --separate-stderr -2 mlrun-log -d r -t a=1 -t a=2 < /dev/null
	[ "$output" = "" ]
	[ ! -e r ]
}

@test "strings that are not UTF-8: refused in params, name and artifacts; replaced in the environment" {
	run --separate-stderr -2 mlrun-log -d r -p $'k\xff=1' < /dev/null
	[ "$stderr" = "mlrun-log: -p: an argument that is not valid UTF-8" ]
	run --separate-stderr -2 mlrun-log -d r -t $'k=\xfe' < /dev/null
	run --separate-stderr -2 mlrun-log -d r -n $'\xc3' < /dev/null
	run --separate-stderr -2 mlrun-log -d r -a $'\xc3' < /dev/null
	printf 'lr: \xff\n' > latin1.yaml
	run --separate-stderr -2 mlrun-log -d r --params latin1.yaml < /dev/null
	[ "$stderr" = "mlrun-log: latin1.yaml: not valid UTF-8" ]
	[ ! -e r ]
	mkdir $'dir\xff'
	cd $'dir\xff'
	run --separate-stderr -0 mlrun-log -d r < /dev/null
	[[ "$(jq -r .env.cwd r/run.json)" == *"/dir"$'\xef\xbf\xbd' ]]
	keep_record r/run.json
}

@test "data: --data links the snapshot's id; a tampered or foreign record is exit 2" {
	run --separate-stderr -0 mlrun-log -d r --data "$D/snapshot.json" < /dev/null
	[ "$(jq -c .data r/run.json)" = "{\"snapshot\":\"$(jq -r .id "$D/snapshot.json")\"}" ]
	keep_record r/run.json
	sed 's/"size":8/"size":9/' "$D/snapshot.json" > tampered.json
	run --separate-stderr -2 mlrun-log -d r2 --data tampered.json < /dev/null
	[[ "$stderr" == "mlrun-log: "*"tampered.json"* ]]
	run --separate-stderr -2 mlrun-log -d r3 --data r/run.json < /dev/null
	[ ! -e r2 ]
	[ ! -e r3 ]
}

@test "artifacts: path, size and SHA-256 of each, hashed at the end" {
	printf 'weights' > model.bin
	printf 'id,score\n1,0.5\n' > preds.csv
	run --separate-stderr -0 mlrun-log -d r -a model.bin -a preds.csv < /dev/null
	[ "$(jq -c '.artifacts[0]' r/run.json)" = "{\"hash\":\"sha256:$(sha256sum model.bin | cut -d' ' -f1)\",\"path\":\"model.bin\",\"size\":7}" ]
	[ "$(jq -r '.artifacts[1].path, .artifacts[1].size' r/run.json | tr '\n' ' ')" = "preds.csv 15 " ]
	keep_record r/run.json
}

@test "artifacts: a missing one fails a finished run (exit 2, no run.json); twice the same is exit 2" {
	run --separate-stderr -2 mlrun-log -d r -a nothere.bin < /dev/null
	[ "$stderr" = "mlrun-log: cannot read artifact 'nothere.bin': No such file or directory" ]
	[ ! -e r/run.json ]
	touch m.bin
	run --separate-stderr -2 mlrun-log -d r2 -a m.bin -a m.bin < /dev/null
	[ "$stderr" = "mlrun-log: -a 'm.bin': artifact given twice" ]
}

@test "name and tags" {
	run --separate-stderr -0 mlrun-log -d r -n baseline -t team=fraud -t ticket=ML-42 < /dev/null
	[ "$(jq -c '[.name, .tags]' r/run.json)" = '["baseline",{"team":"fraud","ticket":"ML-42"}]' ]
}

@test "env: times, host, user, cwd, versions; no git outside a work tree" {
	run --separate-stderr -0 mlrun-log -d r < /dev/null
	jq -e '.started_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' r/run.json
	jq -e '.ended_at >= .started_at and .duration_s >= 0' r/run.json
	[ "$(jq -r .env.cwd r/run.json)" = "$PWD" ]
	[ "$(jq -r .env.host r/run.json)" = "$(uname -n)" ]
	[ "$(jq -r .env.user r/run.json)" = "$(id -un)" ]
	[ "$(jq -r '.env.git, .env.ci' r/run.json | tr '\n' ' ')" = "null null " ]
	jq -e '.env.versions.mlgate | length > 0' r/run.json
}

@test "env: git commit and dirty flag in a work tree; null without git" {
	git init -q repo
	cd repo
	echo a > tracked
	git add tracked
	git -c user.name=t -c user.email=t@example.com commit -q -m init
	run --separate-stderr -0 mlrun-log -d r < /dev/null
	[ "$(jq -c .env.git r/run.json)" = "{\"commit\":\"$(git rev-parse HEAD)\",\"dirty\":false}" ]
	echo b >> tracked
	run --separate-stderr -0 mlrun-log -d r2 < /dev/null
	[ "$(jq -r .env.git.dirty r2/run.json)" = true ]
	run --separate-stderr -0 env PATH=/nonexistent "$MLGATE_BUILD/bin/mlrun-log" -d r3 < /dev/null
	[ "$(jq -r .env.git r3/run.json)" = null ]
	[ "$stderr" = "" ]
}

@test "env: GitHub Actions and Jenkins context" {
	GITHUB_ACTIONS=true GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=acme/churn \
		GITHUB_RUN_ID=99 GITHUB_JOB=train GITHUB_ACTOR=alice \
		run --separate-stderr -0 mlrun-log -d gh < /dev/null
	[ "$(jq -r '.env.ci | .provider, .build_url, .job, .actor' gh/run.json | tr '\n' ' ')" = \
		"github-actions https://github.com/acme/churn/actions/runs/99 train alice " ]
	keep_record gh/run.json
	JENKINS_URL=https://ci.example.com/ BUILD_URL=https://ci.example.com/job/churn/7/ JOB_NAME=churn \
		BUILD_NUMBER=7 run --separate-stderr -0 mlrun-log -d jk < /dev/null
	[ "$(jq -r '.env.ci | .provider, .build_url, .job, .build_number' jk/run.json | tr '\n' ' ')" = \
		"jenkins https://ci.example.com/job/churn/7/ churn 7 " ]
}

@test "rundir: default runs/<UTC time>-<id>, one directory per run" {
	run --separate-stderr -0 mlrun-log < /dev/null
	run --separate-stderr -0 mlrun-log < /dev/null
	[ "$(find runs -name run.json | wc -l)" -eq 2 ]
	for d in runs/*; do [[ "$d" =~ ^runs/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$ ]]; done
}

@test "rundir: a second run into it is refused unless --force" {
	run --separate-stderr -0 mlrun-log -d r <<< '{"loss":1}'
	cp r/run.json first.json
	run --separate-stderr -2 mlrun-log -d r <<< '{"loss":2}'
	[ "$stderr" = "mlrun-log: 'r' already holds a run; use --force to replace it" ]
	[ "$output" = "" ]
	cmp r/run.json first.json
	run --separate-stderr -0 mlrun-log -d r --force <<< '{"loss":2}'
	[ "$(jq -c .metrics r/run.json)" = '{"loss":2}' ]
	[ "$(cat r/metrics.jsonl)" = '{"loss":2}' ]
}

@test "rundir: one that cannot be written is exit 2, with nothing left behind" {
	touch afile
	run --separate-stderr -2 mlrun-log -d afile < /dev/null
	[ "$stderr" = "mlrun-log: run directory 'afile' is not a directory" ]
	run --separate-stderr -2 mlrun-log -d afile/sub < /dev/null
	[ "$stderr" = "mlrun-log: cannot use run directory 'afile/sub': Not a directory" ]
	[ "$output" = "" ]
	[ ! -s afile ]
	[ "$(find . -name '*run*' -o -name '*metrics*')" = "" ]
}

@test "a run that is never recorded leaves no directory; the temp file is gone" {
	run --separate-stderr -2 mlrun-log -d r -a missing < /dev/null
	[ "$(ls -A r)" = metrics.jsonl ]
	run --separate-stderr -2 mlrun-log -d r2 --data nothere.json < /dev/null
	[ ! -e r2 ]
}

@test "--pretty indents on a terminal only; run.json is canonical either way" {
	run --separate-stderr -0 mlrun-log -d plain --pretty < /dev/null
	printf '%s\n' "$output" | cmp - plain/run.json
	# script(1) gives mlrun-log a terminal for its stdout.
	run -0 script -qec "mlrun-log -d tty --pretty < /dev/null" /dev/null
	[[ "$output" == "{"$'\r\n'"  \"artifacts\": [],"* ]]
	[ "$(wc -l < tty/run.json)" -eq 1 ]
	keep_record tty/run.json
}

@test "stdout that cannot be written is exit 3" {
	run --separate-stderr -3 bash -c 'mlrun-log -d r < /dev/null > /dev/full'
	[[ "$stderr" == "mlrun-log: "*"standard output"* ]]
}

@test "options: --help, --version, unknown options and operands" {
	run --separate-stderr -0 mlrun-log --help
	[[ "$output" == "usage: mlrun-log [-d RUNDIR]"* ]]
	[ "$stderr" = "" ]
	run --separate-stderr -0 mlrun-log --version
	[[ "$output" == *"mlrun-log"* ]]
	run --separate-stderr -2 mlrun-log --bogus
	[ "$stderr" = "mlrun-log: unknown option '--bogus' (see --help)" ]
	run --separate-stderr -2 mlrun-log python3 train.py
	[ "$stderr" = "mlrun-log: unexpected argument 'python3' (a command goes after --)" ]
	run --separate-stderr -2 mlrun-log -d
	[ "$stderr" = "mlrun-log: option '-d' needs a value" ]
}

@test "the man page's SYNOPSIS is usage() word for word" {
	run -0 mlrun-log --help
	usage=$(printf '%s\n' "$output" | sed 's/^usage://' | tr -s ' \n' '  ')
	# Overstrikes (x BS x) removed with sed: col(1) is not on every machine.
	synopsis=$(mandoc -T ascii -O width=200 "$MLGATE_ROOT/man/man1/mlrun-log.1" | sed 's/.\x08//g' |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \n' '  ')
	[ "$(echo $usage)" = "$(echo $synopsis)" ]
}

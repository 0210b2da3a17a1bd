#!/usr/bin/env bats
# mlrun-log ls: listing, sorting and filtering runs, and its views.
bats_require_minimum_version 1.5.0
load helper

# Three runs, one of them deeper, one without acc: made once, copied into
# each test's own directory.
setup_file() {
	cd "$BATS_FILE_TMPDIR" || return 1
	mlrun-log -d exp/a -n alpha -p lr=0.1 > /dev/null 2>&1 <<< '{"loss":0.5,"acc":0.7}'
	mlrun-log -d exp/sub/b -n beta -p lr=0.01 -p opt=adam > /dev/null 2>&1 <<< '{"loss":0.3,"acc":0.9}'
	mlrun-log -d exp/c -n gamma > /dev/null 2>&1 <<< '{"loss":0.4}'
}

make_runs() {
	cp -R "$BATS_FILE_TMPDIR/exp" exp
}

@test "ls: one JSON summary per run under the directories" {
	make_runs
	run --separate-stderr -0 mlrun-log ls exp
	[ "$stderr" = "" ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
	printf '%s\n' "$output" > list.jsonl
	[ "$(jq -c 'keys' list.jsonl | sort -u)" = '["dir","id","metrics","name","params","started_at","status"]' ]
	[ "$(jq -r 'select(.name == "beta") | .dir' list.jsonl)" = exp/sub/b ]
	[ "$(jq -r 'select(.name == "beta") | .id' list.jsonl)" = "$(jq -r .id exp/sub/b/run.json)" ]
	[ "$(jq -c 'select(.name == "beta") | [.params, .metrics, .status]' list.jsonl)" = '[{"lr":0.01,"opt":"adam"},{"acc":0.9,"loss":0.3},"finished"]' ]
}

@test "ls: --sort by a metric, ascending or descending, runs without it last" {
	make_runs
	run --separate-stderr -0 mlrun-log ls --sort loss exp
	[ "$(printf '%s\n' "$output" | jq -r .name | tr '\n' ' ')" = "beta gamma alpha " ]
	run --separate-stderr -0 mlrun-log ls --sort -loss exp
	[ "$(printf '%s\n' "$output" | jq -r .name | tr '\n' ' ')" = "alpha gamma beta " ]
	run --separate-stderr -0 mlrun-log ls --sort -acc exp
	[ "$(printf '%s\n' "$output" | jq -r .name | tr '\n' ' ')" = "beta alpha gamma " ]
	run --separate-stderr -0 mlrun-log ls --sort acc exp
	[ "$(printf '%s\n' "$output" | jq -r .name | tr '\n' ' ')" = "alpha beta gamma " ]
}

@test "ls: --filter with the gate's rule grammar, every rule holding" {
	make_runs
	run --separate-stderr -0 mlrun-log ls --filter 'acc >= 0.8' exp
	[ "$(printf '%s\n' "$output" | jq -r .name)" = beta ]
	run --separate-stderr -0 mlrun-log ls --filter 'loss<0.45' --filter 'loss > 0.35' exp
	[ "$(printf '%s\n' "$output" | jq -r .name)" = gamma ]
	# A run without the metric fails its rule.
	run --separate-stderr -0 mlrun-log ls --filter 'acc < 1' --sort acc exp
	[ "$(printf '%s\n' "$output" | jq -r .name | tr '\n' ' ')" = "alpha beta " ]
	run --separate-stderr -0 mlrun-log ls --filter 'f1 > 0' exp
	[ "$output" = "" ]
}

@test "ls: a relative or malformed rule is exit 2" {
	make_runs
	run --separate-stderr -2 mlrun-log ls --filter 'acc >= baseline + 0.1' exp
	[ "$stderr" = "mlrun-log: --filter 'acc >= baseline + 0.1': there is no baseline in a listing (use a number)" ]
	run --separate-stderr -2 mlrun-log ls --filter 'acc = 1' exp
	[[ "$stderr" == "mlrun-log: --filter 5: "* ]]
	[ "$output" = "" ]
}

@test "ls: --format table is aligned and fits the terminal" {
	make_runs
	COLUMNS=200 run --separate-stderr -0 mlrun-log ls --format table --sort -acc exp
	printf '%s\n' "$output" > wide
	[ "$(head -1 wide | tr -s ' ')" = "ID NAME STATUS STARTED acc loss p.lr p.opt" ]
	[ "$(wc -l < wide)" -eq 4 ]
	[[ "$(sed -n 2p wide)" == "$(jq -r .id exp/sub/b/run.json | cut -c8-19)  beta   finished  "* ]]
	# Every column starts at the same place on every line.
	for word in STATUS STARTED; do
		col=$(head -1 wide | awk -v w="$word" '{ print index($0, w) }')
		[ "$(awk -v c="$col" 'NR > 1 { print substr($0, c - 2, 2) }' wide | sort -u)" = "  " ]
	done
	COLUMNS=52 run --separate-stderr -0 mlrun-log ls --format table exp
	[ "$(printf '%s\n' "$output" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 52 ]
	[ "$(printf '%s\n' "$output" | head -1 | tr -s ' ')" = "ID NAME STATUS STARTED" ]
	# Without COLUMNS: 80.
	run --separate-stderr -0 mlrun-log ls --format table exp
	[ "$(printf '%s\n' "$output" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 80 ]
	[ "$(printf '%s\n' "$output" | grep -c ' $')" -eq 0 ]
}

@test "ls: --format markdown has every column" {
	make_runs
	COLUMNS=30 run --separate-stderr -0 mlrun-log ls --format markdown --sort loss exp
	[ "$(printf '%s\n' "$output" | sed -n 1p)" = "| ID | NAME | STATUS | STARTED | acc | loss | p.lr | p.opt |" ]
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = "| --- | --- | --- | --- | ---: | ---: | --- | --- |" ]
	[[ "$(printf '%s\n' "$output" | sed -n 3p)" == *"| beta | finished | "*" | 0.9 | 0.3 | 0.01 | adam |" ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 5 ]
}

@test "ls: a corrupt or tampered run.json is named, the others listed, exit 2" {
	make_runs
	mkdir -p exp/broken exp/tampered
	printf '{"kind":"run",' > exp/broken/run.json
	sed 's/"loss":0.4/"loss":0.1/' exp/c/run.json > exp/tampered/run.json
	run --separate-stderr -2 mlrun-log ls exp
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
	[[ "$stderr" == *"mlrun-log: exp/broken/run.json:1:"* ]]
	[[ "$stderr" == *"mlrun-log: exp/tampered/run.json: "* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 2 ]
}

@test "ls: a run.json named directly, a run reached twice, an empty tree" {
	make_runs
	run --separate-stderr -0 mlrun-log ls exp/a/run.json
	[ "$(printf '%s\n' "$output" | jq -r .name)" = alpha ]
	# A run reached twice is listed once.
	run --separate-stderr -0 mlrun-log ls exp exp/a exp/a/run.json
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
	mkdir empty
	run --separate-stderr -0 mlrun-log ls empty
	[ "$output" = "" ]
}

@test "ls: usage errors are exit 2" {
	run --separate-stderr -2 mlrun-log ls
	run --separate-stderr -2 mlrun-log ls nothere
	[ "$stderr" = "mlrun-log: cannot read 'nothere': No such file or directory" ]
	mkdir d
	run --separate-stderr -2 mlrun-log ls --format yaml d
	[ "$stderr" = "mlrun-log: --format 'yaml': expected json, table or markdown" ]
	run --separate-stderr -2 mlrun-log ls --sort - d
	run --separate-stderr -2 mlrun-log ls --bogus d
	run --separate-stderr -0 mlrun-log ls --help
	[[ "$output" == "usage: mlrun-log ls "* ]]
}

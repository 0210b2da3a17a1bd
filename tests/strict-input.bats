#!/usr/bin/env bats
# Strict input: every tool that reads records refuses what is not strict JSON
# (exit 2, one line on stderr naming the file and position, nothing on stdout,
# nothing written): duplicate keys, trailing garbage, NaN and Infinity,
# numbers out of range, nesting deeper than 64, invalid UTF-8, a NUL, and a
# file of nothing but whitespace (100 MB here: 1 GB takes 10 s of CPU in the
# plain build and 24 s under ASan, see docs/reliability.md). Keys differing
# only in case are distinct keys (the design compares keys case-sensitively).
# CSV cases the predictions tests do not have are at the end.
bats_require_minimum_version 1.5.0
load helper

# bad_records: one file per case, each otherwise a fine record with metrics.
bad_records() {
	local deep open close
	printf '{"metrics":{"f1":0.5},"metrics":{"f1":0.6}}' > dup.json
	printf '{"metrics":{"f1":0.5}} x' > trailing.json
	printf '{"metrics":{"f1":0.5}}{}' > two.json
	printf '{"metrics":{"f1":NaN}}' > nan.json
	printf '{"metrics":{"f1":-Infinity}}' > inf.json
	printf '{"metrics":{"f1":1e999}}' > range.json
	open=$(printf '[%.0s' $(seq 1 70))
	close=$(printf ']%.0s' $(seq 1 70))
	deep="{\"metrics\":{\"f1\":0.5},\"x\":$open$close}"
	printf '%s' "$deep" > deep.json
	printf '{"metrics":{"f1":0.5},"x":"\xff\xfe"}' > utf8.json
	printf '{"metrics":{"f1":0.5},"x":"\xc0\xaf"}' > overlong.json
	printf '{"metrics":{"f1":0.5},"x":"a\x00b"}' > nul.json
	printf '{"metrics":{"f1":0.5}}\x00' > nul-after.json
	printf '{"metrics":{"f1":0.5},"x":"\\ud800"}' > surrogate.json
	printf '{"metrics":{"f1":0.5,}}' > comma.json
	printf "{'metrics':{}}" > quotes.json
}
CASES="dup trailing two nan inf range deep utf8 overlong nul nul-after surrogate comma quotes"

# One file of 100 MB of spaces and newlines, and nothing else, for all tests.
setup_file() {
	head -c 100000000 /dev/zero | tr '\0' ' ' > "$BATS_FILE_TMPDIR/ws.json"
	printf '\n\t\r\n' >> "$BATS_FILE_TMPDIR/ws.json"
}

# whitespace: ./ws.json, that file.
whitespace() {
	ln -s "$BATS_FILE_TMPDIR/ws.json" ws.json
}

# refused TOOL FILE ARGS...: the last run was exit 2 with one line about FILE.
refused() {
	local tool=$1 file=$2
	[ "$status" -eq 2 ] || { echo "$file: exit $status: $stderr"; return 1; }
	[ -z "$output" ] || { echo "$file: stdout: $output"; return 1; }
	[ "${#stderr_lines[@]}" -eq 1 ] || { echo "$file: ${#stderr_lines[@]} lines: $stderr"; return 1; }
	[[ $stderr == "$tool: "*"$file"* ]] || { echo "$file: $stderr"; return 1; }
}

@test "mleval-compare: each kind of bad record is exit 2 with one line FILE:LINE:COL" {
	bad_records
	printf '{"metrics":{"f1":0.9}}' > good.json
	local c
	for c in $CASES; do
		run --separate-stderr mleval-compare --rule 'f1 >= baseline' good.json "$c.json"
		refused mleval-compare "$c.json"
		[[ $stderr =~ ^mleval-compare:\ $c.json:[0-9]+:[0-9]+:\  ]] || { echo "$c: $stderr"; return 1; }
		# as the baseline too
		run --separate-stderr mleval-compare --rule 'f1 >= baseline' "$c.json" good.json
		refused mleval-compare "$c.json"
	done
	run --separate-stderr -2 mleval-compare --rule 'f1 >= baseline' good.json dup.json
	assert_equal "$stderr" "mleval-compare: dup.json:1:23: duplicate key 'metrics'"
	run --separate-stderr -2 mleval-compare --rule 'f1 >= baseline' good.json deep.json
	assert_equal "$stderr" "mleval-compare: deep.json:1:90: nesting deeper than 64"
	# 64 levels is fine
	printf '{"metrics":{"f1":0.5},"x":%s%s}' "$(printf '[%.0s' $(seq 1 62))" "$(printf ']%.0s' $(seq 1 62))" > deep64.json
	run -1 mleval-compare --rule 'f1 >= baseline' good.json deep64.json
}

@test "mleval-compare: keys are case-sensitive: 'Metrics' is not 'metrics', 'F1' is not 'f1'" {
	printf '{"metrics":{"f1":0.5},"Metrics":{"f1":0.9}}' > mixed.json
	run -1 mleval-compare --no-baseline --rule 'f1 >= 0.8' mixed.json
	assert_equal "$(jq -c '.checks[0].candidate' <<<"$output")" 0.5
	printf '{"metrics":{"F1":0.9}}' > upper.json
	run -1 mleval-compare --no-baseline --rule 'f1 >= 0.8' upper.json
	assert_equal "$(jq -r '.checks[0].status' <<<"$output")" fail
	printf '{"metrics":{"f1":0.9,"F1":0.1}}' > both.json
	run -0 mleval-compare --no-baseline --rule 'f1 >= 0.8' both.json
	keep_output verdict.json
}

@test "mleval-compare: 100 MB of whitespace is exit 2 (no JSON value); a record followed by it is fine" {
	whitespace
	run --separate-stderr -2 mleval-compare --no-baseline --rule 'f1 >= 0.1' ws.json
	assert_equal "$stderr" "mleval-compare: ws.json:3:1: no JSON value (empty input)"
	{ printf '{"metrics":{"f1":0.5}}'; cat ws.json; } > padded.json
	run -0 mleval-compare --no-baseline --rule 'f1 >= 0.1' padded.json
}

@test "mlpromote promote --verdict: each bad verdict is exit 2 with one line, the registry unchanged" {
	bad_records
	whitespace
	mlpromote init --registry reg
	echo w > w.bin
	mlpromote publish --registry reg --model m --version 1 w.bin > /dev/null
	local before c
	before=$(cd reg && find . -type f -exec sha256sum {} + | sort)
	for c in $CASES ws; do
		run --separate-stderr mlpromote promote --registry reg --model m --version 1 --verdict "$c.json"
		refused mlpromote "$c.json"
	done
	assert_equal "$(cd reg && find . -type f -exec sha256sum {} + | sort)" "$before"
	run -0 mlpromote verify --registry reg
}

@test "mlrun-log --data: each bad snapshot is exit 2 with one line, no run directory" {
	bad_records
	whitespace
	local c
	for c in $CASES ws; do
		run --separate-stderr mlrun-log -d "run-$c" --data "$c.json" <<< '{"loss":1}'
		refused mlrun-log "$c.json"
		[ ! -e "run-$c" ] || { echo "$c: run-$c was left behind"; return 1; }
	done
}

@test "mlsnapshot verify: each bad snapshot is exit 2 with one line" {
	bad_records
	whitespace
	mkdir d && echo a > d/a
	local c
	for c in $CASES ws; do
		run --separate-stderr mlsnapshot verify "$c.json" d
		refused mlsnapshot "$c.json"
	done
}

@test "CSV: out-of-range and non-finite numbers, NUL, invalid UTF-8, junk after a quote, a BOM alone: exit 2 with FILE:LINE:COL" {
	printf 'label,score\n1,0.5\n0,1e999\n' > range.csv
	printf 'label,score\n1,0.5\n0,inf\n' > inf.csv
	printf 'label,score\n1,0.5\n0,-Infinity\n' > inf2.csv
	printf 'label,score\n1,0.5\n0,0.\x001\n' > nul.csv
	printf 'label,score\n1,"0.5"x\n' > afterquote.csv
	printf 'label,score\n1,0.5\n0,\n' > emptyfield.csv
	printf 'label,score\n1,0.5\n0\n' > short.csv
	printf '\xef\xbb\xbf' > bom.csv
	printf 'label,sc\xffore\n1,0.5\n' > utf8.csv
	printf 'label,score\n1,0x1p-2\n' > hex.csv
	local f
	for f in range inf inf2 nul afterquote emptyfield short bom utf8 hex; do
		run --separate-stderr mleval-compare --predictions "$f.csv"
		[ "$status" -eq 2 ] || { echo "$f: exit $status: $output $stderr"; return 1; }
		[ "${#stderr_lines[@]}" -eq 1 ] || { echo "$f: $stderr"; return 1; }
		[[ $stderr =~ ^mleval-compare:\ $f.csv:[0-9]+:[0-9]+:\  ]] || { echo "$f: $stderr"; return 1; }
		[ -z "$output" ]
	done
}

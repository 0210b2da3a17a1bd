#!/usr/bin/env bats
# mleval-compare, metrics mode: records with "metrics" maps judged by rules.
bats_require_minimum_version 1.5.0
load helper

D=$TESTDATA/mleval-compare

@test "a passing gate exits 0 with a verdict naming both inputs" {
	run -0 --separate-stderr mleval-compare --rule 'f1 >= baseline + 0.01' \
		--rule 'roc_auc >= 0.8' "$D/base.json" "$D/cand.json"
	assert_equal "$stderr" ""
	keep_output verdict.json
	assert_equal "$(jq -r '.kind, .pass, .v, .bootstrap, (.checks|length)' verdict.json | tr '\n' ' ')" \
		"verdict true 1 null 2 "
	assert_equal "$(jq -r '.baseline.source, .candidate.source' verdict.json | tr '\n' ' ')" \
		"$D/base.json $D/cand.json "
	assert_equal "$(jq -r '.checks[0] | [.rule, .metric, .status, .baseline, .candidate] | @tsv' verdict.json)" \
		"$(printf 'f1 >= baseline + 0.01\tf1\tpass\t0.83\t0.84')"
	assert_equal "$(jq -r '.checks[0].interval' verdict.json)" "null"
	run -0 jq -e '.id | test("^sha256:[0-9a-f]{64}$")' verdict.json
}

@test "a failing rule exits 1 with its reason" {
	run -1 --separate-stderr mleval-compare --rule 'roc_auc >= baseline' "$D/base.json" "$D/cand.json"
	assert_equal "$stderr" ""
	keep_output verdict.json
	assert_equal "$(jq -r '.pass, .checks[0].status, .checks[0].reason' verdict.json | tr '\n' '|')" \
		"false|fail|candidate 0.85, needs >= 0.9 (the baseline)|"
	assert_equal "$(jq -r '.checks[0].delta | . * 1000 | round' verdict.json)" "-50"
}

@test "relative rules: + - * and a floor, with decimal equality holding" {
	run -0 mleval-compare --rule 'f1 >= baseline + 0.01' --rule 'loss <= baseline - 0.05' \
		--rule 'latency_ms <= baseline * 1.05' --rule 'roc_auc > 0.849' "$D/base.json" "$D/cand.json"
	keep_output verdict.json
	assert_equal "$(jq -r '[.checks[].status] | join(",")' verdict.json)" "pass,pass,pass,pass"
	run -1 mleval-compare --rule 'latency_ms <= baseline * 1.03' --rule 'f1 > baseline + 0.01' \
		"$D/base.json" "$D/cand.json"
	assert_equal "$(jq -r '[.checks[].status] | join(",")' <<<"$output")" "fail,fail"
}

@test "a missing, null or non-numeric metric fails its rule, either side" {
	run -1 mleval-compare --rule 'acc >= 0.5' --rule 'gone >= baseline' --rule 'note >= 0' \
		--rule 'gone >= 0' "$D/base.json" "$D/cand.json"
	keep_output verdict.json
	assert_equal "$(jq -r '.checks[] | "\(.status) \(.reason)"' verdict.json)" \
"fail metric 'acc' is missing in the candidate
fail metric 'gone' is null in the baseline
fail metric 'note' is not a number in the candidate
pass candidate 1 >= 0"
}

@test "no rule at all is a usage error" {
	run -2 --separate-stderr mleval-compare "$D/base.json" "$D/cand.json"
	assert_equal "$output" ""
	assert_equal "$stderr" "mleval-compare: no rule: give --rule EXPR or --policy FILE"
}

@test "a rule that does not parse names its --rule index and column" {
	run -2 --separate-stderr mleval-compare --rule 'f1 >= 0.5' --rule 'auc = 2' "$D/base.json" "$D/cand.json"
	assert_equal "$output" ""
	assert_regex "$stderr" "^mleval-compare: --rule 2:5: expected an operator"
}

@test "--policy reads JSON and one rule a line, with comments" {
	run -0 mleval-compare --policy "$D/policy.json" "$D/base.json" "$D/cand.json"
	keep_output a.json
	run -0 mleval-compare --policy "$D/policy.txt" "$D/base.json" "$D/cand.json"
	keep_output b.json
	assert_equal "$(jq -c '[.checks[].rule]' a.json)" '["f1 >= baseline + 0.01","roc_auc >= 0.8"]'
	assert_equal "$(jq -c '.checks' a.json)" "$(jq -c '.checks' b.json)"
}

@test "policy errors name FILE:LINE:COL" {
	run -2 --separate-stderr mleval-compare --policy "$D/policy-bad.json" "$D/base.json" "$D/cand.json"
	assert_regex "$stderr" "^mleval-compare: $D/policy-bad.json:3:12: expected an operator"
	run -2 --separate-stderr mleval-compare --policy "$D/policy-bad.txt" "$D/base.json" "$D/cand.json"
	assert_regex "$stderr" "^mleval-compare: $D/policy-bad.txt:3:12: "
	printf '{"rules": [1]}' > p.json
	run -2 --separate-stderr mleval-compare --policy p.json "$D/base.json" "$D/cand.json"
	assert_equal "$stderr" "mleval-compare: p.json: rules[0]: not a string"
	printf '{"rules": [}' > p.json
	run -2 --separate-stderr mleval-compare --policy p.json "$D/base.json" "$D/cand.json"
	assert_regex "$stderr" "^mleval-compare: p.json:1:12: "
}

@test "a baseline that says nothing is live is exit 2 naming --no-baseline" {
	run -2 --separate-stderr mleval-compare --rule 'f1 >= 0.5' "$D/status-notlive.json" "$D/cand.json"
	assert_equal "$output" ""
	assert_regex "$stderr" "status-notlive.json: nothing is live .*--no-baseline"
}

@test "--no-baseline skips relative rules and keeps floors" {
	run -0 mleval-compare --no-baseline --policy "$D/policy.txt" "$D/cand.json"
	keep_output v1.json
	assert_equal "$(jq -r '.baseline, ([.checks[].status] | join(","))' v1.json | tr '\n' ' ')" "null skipped,pass "
	assert_equal "$(jq -r '.checks[0].reason' v1.json)" "relative rule skipped: no baseline (--no-baseline)"
	run -0 mleval-compare --no-baseline --policy "$D/policy.txt" "$D/status-notlive.json" "$D/cand.json"
	keep_output v2.json
	assert_equal "$(jq -c .checks v1.json)" "$(jq -c .checks v2.json)"
	run -1 mleval-compare --no-baseline --rule 'roc_auc >= 0.9' "$D/cand.json"
	run -2 --separate-stderr mleval-compare --no-baseline --rule 'f1 >= 0' "$D/status-live.json" "$D/cand.json"
	assert_regex "$stderr" "a live baseline with --no-baseline"
	run -2 --separate-stderr mleval-compare --rule 'f1 >= 0' "$D/cand.json"
	assert_regex "$stderr" "no BASELINE"
}

@test "a status baseline carries its pointer id and kind" {
	run -0 mleval-compare --rule 'f1 >= baseline' "$D/status-live.json" "$D/cand.json"
	keep_output verdict.json
	assert_equal "$(jq -r '.baseline.kind, .baseline.pointer, .candidate.pointer' verdict.json | tr '\n' ' ')" \
		"status sha256:1111111111111111111111111111111111111111111111111111111111111111 null "
}

@test "ids: computed when absent, checked when stated" {
	run -0 mleval-compare --rule 'f1 >= 0' --no-baseline "$D/cand.json"
	id=$(jq -r .candidate.id <<<"$output")
	jq -c --arg id "$id" '. + {id: $id}' "$D/cand.json" > withid.json
	run -0 mleval-compare --rule 'f1 >= 0' --no-baseline withid.json
	assert_equal "$(jq -r .candidate.id <<<"$output")" "$id"
	jq -c '.metrics.f1 = 0.99' withid.json > forged.json
	run -2 --separate-stderr mleval-compare --rule 'f1 >= 0' --no-baseline forged.json
	assert_equal "$output" ""
	assert_regex "$stderr" "^mleval-compare: forged.json.*id does not match"
}

@test "malformed and unreadable inputs are exit 2 with a position" {
	printf '{"metrics": {"f1": 0.5,}}' > bad.json
	run -2 --separate-stderr mleval-compare --rule 'f1 >= 0' "$D/base.json" bad.json
	assert_regex "$stderr" "^mleval-compare: bad.json:1:"
	run -2 --separate-stderr mleval-compare --rule 'f1 >= 0' "$D/base.json" missing.json
	assert_regex "$stderr" "missing.json"
	printf '{"loss": 1}' > nometrics.json
	run -2 --separate-stderr mleval-compare --rule 'f1 >= 0' "$D/base.json" nometrics.json
	assert_equal "$stderr" "mleval-compare: nometrics.json: no \"metrics\" object"
}

@test "- reads the candidate from standard input, but only once" {
	run -0 --separate-stderr mleval-compare --rule 'f1 >= baseline' "$D/base.json" - < "$D/cand.json"
	assert_equal "$(jq -r .candidate.source <<<"$output")" "-"
	run -2 mleval-compare --rule 'f1 >= baseline' - - < "$D/cand.json"
}

@test "--junit and --markdown files, and \$GITHUB_STEP_SUMMARY appended" {
	export GITHUB_STEP_SUMMARY=$PWD/summary.md
	echo "earlier step" > summary.md
	run -3 --separate-stderr mleval-compare --junit nodir/junit.xml \
		--rule 'f1 >= baseline' "$D/base.json" "$D/cand.json"
	assert_equal "$output" ""
	assert_regex "$stderr" "nodir/junit.xml"
	mkdir out
	run -1 --separate-stderr mleval-compare --junit out/junit.xml --markdown gate.md \
		--rule 'f1 >= baseline + 0.01' --rule 'roc_auc >= 0.9' "$D/base.json" "$D/cand.json"
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .kind <<<"$output")" "verdict"
	run -0 python3 -c 'import sys, xml.etree.ElementTree as E
s = E.parse(sys.argv[1]).getroot().find("testsuite")
print(s.get("tests"), s.get("failures"), [c.get("name") for c in s.findall("testcase")], s.find("testcase[2]/failure").get("message"))' out/junit.xml
	assert_output "2 1 ['f1 >= baseline + 0.01', 'roc_auc >= 0.9'] candidate 0.85, needs >= 0.9"
	run -0 grep -c '^| ✅ | `f1 >= baseline + 0.01`' gate.md
	run -0 grep -c '^| ❌ | `roc_auc >= 0.9`' gate.md
	assert_equal "$(head -1 summary.md)" "earlier step"
	assert_equal "$(grep -c 'Eval gate failed' summary.md)" "1"
	assert_equal "$(ls -A out)" "junit.xml"
}

@test "--format table, markdown and junit print views instead of JSON" {
	run -1 --separate-stderr mleval-compare --format table --rule 'f1 >= baseline' \
		--rule 'roc_auc >= 0.9' "$D/base.json" "$D/cand.json"
	assert_line --index 0 --regexp '^STATUS +RULE +BASELINE +CANDIDATE +DELTA +INTERVAL$'
	assert_line --index 1 --regexp '^pass +f1 >= baseline +0.83 +0.84 +\+0.01 +-$'
	assert_line --index 5 'verdict: fail (1 passed, 1 failed, 0 skipped)'
	run -0 mleval-compare --format markdown --rule 'f1 >= baseline' "$D/base.json" "$D/cand.json"
	assert_line --index 0 '### ✅ Eval gate passed: 1 passed, 0 failed, 0 skipped'
	assert_line '| ✅ | `f1 >= baseline` | 0.83 | 0.84 | +0.01 | - | candidate 0.84 >= 0.83 (the baseline) |'
	run -0 mleval-compare --format junit --rule 'f1 >= baseline' "$D/base.json" "$D/cand.json"
	assert_line --index 0 '<?xml version="1.0" encoding="UTF-8"?>'
	run -0 python3 -c 'import sys, xml.etree.ElementTree as E; E.fromstring(sys.stdin.read().encode())' <<<"$output"
	run -2 --separate-stderr mleval-compare --format yaml --rule 'f1 >= 0' "$D/base.json" "$D/cand.json"
	assert_equal "$stderr" "mleval-compare: --format: unknown format 'yaml' (json, table, markdown, junit)"
}

@test "--help, --version, usage errors, and a full stdout" {
	run -0 --separate-stderr mleval-compare --help
	assert_line --index 0 --partial 'usage: mleval-compare [--rule EXPR]...'
	run -0 mleval-compare --version
	assert_output --partial 'mleval-compare'
	run -2 mleval-compare --frobnicate
	run -2 mleval-compare --rule 'f1 >= 0'
	run -2 --separate-stderr mleval-compare --bootstrap 10 --rule 'f1 >= 0' "$D/base.json" "$D/cand.json"
	assert_equal "$stderr" "mleval-compare: --bootstrap needs --predictions"
	run -3 sh -c 'mleval-compare --rule "f1 >= 0" "$1" "$2" > /dev/full' sh "$D/base.json" "$D/cand.json"
}

@test "option errors are one line named 'mleval-compare:', even when run by its path" {
	tool=$MLGATE_BUILD/bin/mleval-compare
	run -2 --separate-stderr "$tool" --rule
	assert_equal "$stderr" "mleval-compare: option '--rule' needs a value"
	run -2 --separate-stderr "$tool" -j
	assert_equal "$stderr" "mleval-compare: option '-j' needs a value"
	run -2 --separate-stderr "$tool" --frobnicate x.json
	assert_equal "$stderr" "mleval-compare: unknown option '--frobnicate' (see --help)"
	run -2 --separate-stderr "$tool" --rule 'f1 >= 0'
	assert_equal "$stderr" "mleval-compare: CANDIDATE is missing (see --help)"
	run -2 --separate-stderr "$tool" --rule 'f1 >= 0' a.json b.json c.json
	assert_equal "$stderr" "mleval-compare: too many arguments: 'c.json' (see --help)"
	assert_equal "$output" ""
}

@test "the man page's SYNOPSIS is --help's usage, word for word, and lints clean" {
	man="$MLGATE_ROOT/man/man1/mleval-compare.1"
	run -0 mleval-compare --help
	usage=$(sed 's/^usage: //' <<<"$output" | tr -s ' \t\n' ' ' | sed 's/^ //; s/ $//')
	synopsis=$(mandoc -T ascii "$man" | sed 's/.\x08//g' | awk '/^SYNOPSIS/ { f = 1; next } /^DESCRIPTION/ { f = 0 } f' |
		tr -s ' \t\n' ' ' | sed 's/^ //; s/ $//')
	assert_equal "$synopsis" "$usage"
	run -0 mandoc -T lint -W warning "$man"
	assert_output ""
}

@test "the verdict schema requires every field the tool writes and closes checks and sides" {
	run -0 mleval-compare --rule 'f1 >= baseline' "$D/base.json" "$D/cand.json"
	mkdir ok no-ci no-threshold extra-check extra-side
	printf '%s\n' "$output" > ok/v.json
	jq -c 'del(.ci)' ok/v.json > no-ci/v.json
	jq -c 'del(.checks[0].threshold)' ok/v.json > no-threshold/v.json
	jq -c '.checks[0].thresold = 1' ok/v.json > extra-check/v.json
	jq -c '.candidate.pointr = null' ok/v.json > extra-side/v.json
	run -0 python3 "$MLGATE_ROOT/tests/schema-check.py" "$MLGATE_ROOT/schemas" ok
	for bad in no-ci no-threshold extra-check extra-side; do
		run -1 python3 "$MLGATE_ROOT/tests/schema-check.py" "$MLGATE_ROOT/schemas" "$bad"
	done
}

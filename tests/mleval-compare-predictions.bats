#!/usr/bin/env bats
# mleval-compare --predictions: metrics from CSV, checked against scikit-learn.
bats_require_minimum_version 1.5.0
load helper

D=$TESTDATA/mleval-compare

# agree EVAL.json KEY: task, rows, threshold and every metric of KEY in
# expected.json (scikit-learn 1.2.1, see gen.py), to 1e-9, nulls alike.
agree() {
	jq -e --slurpfile exp "$D/expected.json" --arg k "$2" '
	. as $r | $exp[0][$k] as $e
	| ($r.task == $e.task) and ($r.rows == $e.rows) and ($r.threshold == $e.threshold)
	  and (($r.metrics | keys) == ($e.metrics | keys))
	  and ([$e.metrics | to_entries[] | .key as $m | .value as $v | $r.metrics[$m] as $got
	        | if $v == null then $got == null
	          else ($got != null and (($got - $v) | if . < 0 then -. else . end) <= 1e-9) end]
	       | all)' "$1"
}

sha() {
	echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"
}

@test "eval records agree with scikit-learn to 1e-9 on every fixture" {
	for f in binary-cand binary-base binary-cand-crlf binary-precise binary-oneclass \
		binary-margins multi-cand multi-base reg-cand reg-base reg-constant; do
		run -0 --separate-stderr mleval-compare --predictions "$D/$f.csv"
		assert_equal "$stderr" ""
		keep_output "$f.json"
		run -0 agree "$f.json" "$f.csv"
		assert_equal "$(jq -r '.kind, .source.path, .source.hash' "$f.json" | tr '\n' ' ')" \
			"eval $D/$f.csv $(sha "$D/$f.csv") "
	done
}

@test "undefined metrics are null: one class (roc_auc), margins (log_loss, brier)" {
	run -0 mleval-compare --predictions "$D/binary-oneclass.csv"
	assert_equal "$(jq -c '[.metrics.roc_auc, .metrics.log_loss != null]' <<<"$output")" "[null,true]"
	run -0 mleval-compare --predictions "$D/binary-margins.csv"
	assert_equal "$(jq -c '[.metrics.roc_auc != null, .metrics.log_loss, .metrics.brier]' <<<"$output")" "[true,null,null]"
	run -1 mleval-compare --predictions --no-baseline --rule 'roc_auc >= 0' "$D/binary-oneclass.csv"
	assert_equal "$(jq -r '.checks[0].reason' <<<"$output")" "metric 'roc_auc' is null in the candidate"
}

@test "--threshold moves the decision, as scikit-learn on score >= T" {
	run -0 mleval-compare --predictions --threshold 0.3 "$D/binary-cand.csv"
	keep_output eval.json
	run -0 agree eval.json "binary-cand.csv@0.3"
	run -2 --separate-stderr mleval-compare --predictions --threshold 0.3 "$D/reg-cand.csv"
	assert_equal "$stderr" "mleval-compare: --threshold applies to binary classification, not regression"
}

@test "the task is guessed from the columns and values; --task overrides" {
	run -0 mleval-compare --predictions "$D/multi-cand.csv"
	assert_equal "$(jq -r .task <<<"$output")" "multiclass"
	run -0 mleval-compare --predictions --task regression "$D/multi-cand.csv"
	keep_output reg.json
	assert_equal "$(jq -c '[.task, (.metrics | keys)]' reg.json)" '["regression",["mae","r2","rmse"]]'
	run -2 --separate-stderr mleval-compare --predictions --task binary "$D/multi-cand.csv"
	assert_equal "$stderr" "mleval-compare: $D/multi-cand.csv:1:1: no 'score' column in the header"
	run -2 --separate-stderr mleval-compare --predictions --task ranking "$D/multi-cand.csv"
	assert_equal "$stderr" "mleval-compare: --task: unknown task 'ranking' (binary, multiclass, regression)"
}

@test "RFC 4180: BOM, CRLF and quoted fields read as the plain file" {
	run -0 mleval-compare --predictions "$D/binary-cand.csv"
	a=$(jq -c .metrics <<<"$output")
	run -0 mleval-compare --predictions "$D/binary-cand-crlf.csv"
	assert_equal "$(jq -c .metrics <<<"$output")" "$a"
	printf '"label","sc""ore","score"\r\n"1","x,""y""\r\nz",0.75\r\n0,,0.25' > q.csv
	run -0 mleval-compare --predictions q.csv
	assert_equal "$(jq -c '[.rows, .metrics.accuracy, .metrics.roc_auc]' <<<"$output")" "[2,1,1]"
	printf 'label,score\n1,0.9\n\n0,0.1\n\n' > blank.csv
	run -0 mleval-compare --predictions blank.csv
	assert_equal "$(jq -r .rows <<<"$output")" "2"
}

@test "files larger than a read block: the same metrics as the rows they repeat" {
	awk 'NR > 1 { row[n++] = $0 } END { for (i = 0; i < 700; i++) for (j = 0; j < n; j++) print row[j] }' \
		"$D/binary-cand.csv" > body
	{ head -1 "$D/binary-cand.csv"; cat body; } > big.csv
	run -0 mleval-compare --predictions "$D/binary-cand.csv"
	want=$(jq -c '.metrics | map_values(. * 1e9 | round)' <<<"$output")
	run -0 mleval-compare --predictions big.csv
	assert_equal "$(jq -r .rows <<<"$output")" "280000"
	assert_equal "$(jq -c '.metrics | map_values(. * 1e9 | round)' <<<"$output")" "$want"
	{ printf '\xef\xbb\xbf"id","label","score"\r\n'; sed 's/^\([^,]*\),\([^,]*\),\(.*\)$/"\1","\2","\3"\r/' body; } > bigq.csv
	run -0 mleval-compare --predictions bigq.csv
	assert_equal "$(jq -c '.metrics | map_values(. * 1e9 | round)' <<<"$output")" "$want"
}

@test "CSV errors are exit 2 with FILE:LINE:COL" {
	: > empty.csv
	run -2 --separate-stderr mleval-compare --predictions empty.csv
	assert_equal "$stderr" "mleval-compare: empty.csv:1:1: empty file: expected a header"
	printf 'label,score\n' > header.csv
	run -2 --separate-stderr mleval-compare --predictions header.csv
	assert_equal "$stderr" "mleval-compare: header.csv:2:1: no data rows after the header"
	printf 'label,score\n1,0.5\n0,0.2x\n' > num.csv
	run -2 --separate-stderr mleval-compare --predictions num.csv
	assert_equal "$stderr" "mleval-compare: num.csv:3:3: bad number '0.2x' in column 'score'"
	printf 'label,score\n1,0.5\n0,nan\n' > nan.csv
	run -2 --separate-stderr mleval-compare --predictions nan.csv
	assert_equal "$stderr" "mleval-compare: nan.csv:3:3: bad number 'nan' in column 'score'"
	printf 'label,score\n1,0.5\n0,0.1,7\n' > ragged.csv
	run -2 --separate-stderr mleval-compare --predictions ragged.csv
	assert_equal "$stderr" "mleval-compare: ragged.csv:3:1: ragged row: 3 fields, the header has 2"
	printf 'label,score\n1,"0.5\n' > quote.csv
	run -2 --separate-stderr mleval-compare --predictions quote.csv
	assert_equal "$stderr" "mleval-compare: quote.csv:2:3: unterminated quoted field"
	printf 'label,score\n2,0.5\n' > label.csv
	run -2 --separate-stderr mleval-compare --predictions label.csv
	assert_equal "$stderr" "mleval-compare: label.csv:2:1: a label must be 0 or 1 beside a score"
	printf 'y,score\n1,0.5\n' > nolabel.csv
	run -2 --separate-stderr mleval-compare --predictions nolabel.csv
	assert_equal "$stderr" "mleval-compare: nolabel.csv:1:1: no 'label' column in the header"
	printf 'label,score,label\n1,0.5,1\n' > dup.csv
	run -2 --separate-stderr mleval-compare --predictions dup.csv
	assert_equal "$stderr" "mleval-compare: dup.csv:1:13: duplicate column 'label'"
	run -2 --separate-stderr mleval-compare --predictions nosuch.csv
	assert_regex "$stderr" "^mleval-compare: cannot read 'nosuch.csv': "
	assert_equal "$output" ""
	# opened, then a read fails: no position, the reason
	mkdir dir.csv
	run -2 --separate-stderr mleval-compare --predictions dir.csv
	assert_equal "$stderr" "mleval-compare: cannot read 'dir.csv': Is a directory"
	assert_equal "$output" ""
}

@test "a paired verdict from two CSVs, rows paired by id" {
	run -0 --separate-stderr mleval-compare --predictions --rule 'f1 >= baseline + 0.01' \
		--rule 'roc_auc >= 0.8' "$D/binary-base.csv" "$D/binary-cand.csv"
	assert_equal "$stderr" ""
	keep_output verdict.json
	assert_equal "$(jq -r '.candidate.kind, .candidate.source, .candidate.predictions.hash, .baseline.predictions.hash' verdict.json | tr '\n' ' ')" \
		"eval $D/binary-cand.csv $(sha "$D/binary-cand.csv") $(sha "$D/binary-base.csv") "
	run -0 jq -e --slurpfile e "$D/expected.json" '
		(.checks[0].candidate - $e[0]["binary-cand.csv"].metrics.f1 | fabs) < 1e-12 and
		(.checks[0].baseline - $e[0]["binary-base.csv"].metrics.f1 | fabs) < 1e-12 and
		(.checks[1].candidate - $e[0]["binary-cand.csv"].metrics.roc_auc | fabs) < 1e-12' verdict.json
	run -0 mleval-compare --predictions "$D/binary-cand.csv"
	assert_equal "$(jq -r .candidate.id verdict.json)" "$(jq -r .id <<<"$output")"
}

@test "rows that cannot be paired are exit 2" {
	head -100 "$D/binary-cand.csv" > short.csv
	run -2 --separate-stderr mleval-compare --predictions --rule 'f1 >= baseline' short.csv "$D/binary-cand.csv"
	assert_equal "$stderr" "mleval-compare: 'short.csv' has 99 rows and '$D/binary-cand.csv' 400: the rows must be the same eval examples"
	sed 's/^row-0007,/row-9999,/' "$D/binary-cand.csv" > otherid.csv
	run -2 --separate-stderr mleval-compare --predictions --rule 'f1 >= baseline' "$D/binary-base.csv" otherid.csv
	assert_regex "$stderr" "otherid.csv: id 'row-9999' is not in "
	sed 's/^row-0007,/row-0008,/' "$D/binary-cand.csv" > dupid.csv
	run -2 --separate-stderr mleval-compare --predictions --rule 'f1 >= baseline' dupid.csv "$D/binary-cand.csv"
	assert_equal "$stderr" "mleval-compare: dupid.csv: id 'row-0008' appears twice"
	cut -d, -f2- "$D/binary-cand.csv" > noid.csv
	run -2 --separate-stderr mleval-compare --predictions --rule 'f1 >= baseline' "$D/binary-base.csv" noid.csv
	assert_equal "$stderr" "mleval-compare: '$D/binary-base.csv' has an id column and 'noid.csv' has none"
	awk -F, 'NR == 5 { $2 = 1 - $2 } { print }' OFS=, "$D/binary-cand.csv" > flipped.csv
	run -2 --separate-stderr mleval-compare --predictions --rule 'f1 >= baseline' "$D/binary-base.csv" flipped.csv
	assert_equal "$stderr" "mleval-compare: row 4 of 'flipped.csv' (by id) has another label in '$D/binary-base.csv'"
}

@test "--candidate-run and --baseline: the verdict names the run and the live pointer" {
	cp "$D/binary-cand.csv" preds.csv
	cp "$D/binary-base.csv" live.csv
	jq -n --arg h "$(sha preds.csv)" '{kind: "run", v: 1, name: "t", metrics: {}, artifacts: [{path: "model.bin", size: 1, hash: "sha256:0000000000000000000000000000000000000000000000000000000000000000"}, {path: "preds.csv", size: 2, hash: $h}]}' > run.json
	jq --arg h "$(sha live.csv)" '.files = [{path: "preds.csv", size: 3, hash: $h}]' "$D/status-live.json" > status.json
	run -0 --separate-stderr mleval-compare --predictions --candidate-run run.json --baseline status.json \
		--rule 'f1 >= baseline' live.csv preds.csv
	assert_equal "$stderr" ""
	keep_output verdict.json
	assert_equal "$(jq -r '.candidate.kind, .candidate.source, .baseline.kind, .baseline.source, .baseline.pointer' verdict.json | tr '\n' ' ')" \
		"run run.json status status.json sha256:1111111111111111111111111111111111111111111111111111111111111111 "
	run -1 mleval-compare --rule 'f1 >= 0' --no-baseline run.json
	assert_equal "$(jq -r .candidate.id verdict.json)" "$(jq -r .candidate.id <<<"$output")"
	# a CSV the record does not list is refused
	run -2 --separate-stderr mleval-compare --predictions --candidate-run run.json --rule 'f1 >= baseline' live.csv live.csv
	assert_regex "$stderr" "^mleval-compare: run.json: 'live.csv' \(sha256:[0-9a-f]{64}\) is not among its artifacts$"
	run -2 --separate-stderr mleval-compare --predictions --baseline status.json --rule 'f1 >= baseline' preds.csv preds.csv
	assert_regex "$stderr" "^mleval-compare: status.json: 'preds.csv' \(sha256:[0-9a-f]{64}\) is not among its files$"
	run -2 --separate-stderr mleval-compare --predictions --candidate-run "$D/cand.json" --rule 'f1 >= baseline' live.csv preds.csv
	assert_equal "$output" ""
}

@test "--baseline saying nothing is live needs --no-baseline; then floors only" {
	run -2 --separate-stderr mleval-compare --predictions --baseline "$D/status-notlive.json" \
		--rule 'f1 >= baseline' --rule 'roc_auc >= 0.8' "$D/binary-cand.csv"
	assert_regex "$stderr" "status-notlive.json: nothing is live .*--no-baseline"
	run -0 mleval-compare --predictions --baseline "$D/status-notlive.json" --no-baseline \
		--rule 'f1 >= baseline' --rule 'roc_auc >= 0.8' "$D/binary-cand.csv"
	keep_output verdict.json
	assert_equal "$(jq -r '.baseline, ([.checks[].status] | join(","))' verdict.json | tr '\n' ' ')" "null skipped,pass "
	run -2 --separate-stderr mleval-compare --predictions --rule 'f1 >= baseline' "$D/binary-cand.csv"
	assert_equal "$stderr" "mleval-compare: no BASE.csv: give one, or --no-baseline for a first model"
	run -2 --separate-stderr mleval-compare --predictions --no-baseline --rule 'f1 >= 0' "$D/binary-base.csv" "$D/binary-cand.csv"
	assert_equal "$stderr" "mleval-compare: --no-baseline takes no BASE.csv"
}

@test "predictions mode without a rule: one CSV only, no verdict options" {
	run -2 --separate-stderr mleval-compare --predictions "$D/binary-base.csv" "$D/binary-cand.csv"
	assert_equal "$stderr" "mleval-compare: no rule: give --rule EXPR or --policy FILE"
	run -2 --separate-stderr mleval-compare --predictions --junit j.xml "$D/binary-cand.csv"
	assert_equal "$stderr" "mleval-compare: --junit needs a rule (--rule or --policy)"
	run -2 --separate-stderr mleval-compare --predictions --format table "$D/binary-cand.csv"
	assert_equal "$stderr" "mleval-compare: --format needs a rule (--rule or --policy)"
	[ ! -e j.xml ]
}

@test "- reads the candidate CSV from standard input" {
	run -0 --separate-stderr mleval-compare --predictions - < "$D/reg-cand.csv"
	keep_output eval.json
	run -0 agree eval.json reg-cand.csv
	assert_equal "$(jq -r .source.path eval.json)" "-"
}

@test "standard input is read once at most" {
	run -2 --separate-stderr mleval-compare --predictions --candidate-run - --no-baseline \
		--rule 'f1 >= 0' - < "$D/binary-cand.csv"
	assert_equal "$stderr" "mleval-compare: standard input can be read only once"
}

@test "eval records feed metrics mode, keeping their ids" {
	mleval-compare --predictions "$D/reg-base.csv" > base.json
	mleval-compare --predictions "$D/reg-cand.csv" > cand.json
	run -0 --separate-stderr mleval-compare --rule 'rmse <= baseline * 0.9' --rule 'r2 >= 0.85' base.json cand.json
	keep_output verdict.json
	assert_equal "$(jq -r '.candidate.kind, .candidate.id == $c, .baseline.id == $b' \
		--arg c "$(jq -r .id cand.json)" --arg b "$(jq -r .id base.json)" verdict.json | tr '\n' ' ')" \
		"eval true true "
}

@test "the eval schema and the verdict's predictions close {path, hash} to the fields written" {
	mkdir ok bad-eval bad-verdict
	run -0 mleval-compare --predictions "$D/binary-cand.csv"
	printf '%s\n' "$output" > ok/eval.json
	jq -c '.source.hsah = .source.hash' ok/eval.json > bad-eval/eval.json
	run -0 mleval-compare --predictions --rule 'f1 >= baseline - 1' "$D/binary-base.csv" "$D/binary-cand.csv"
	printf '%s\n' "$output" > ok/verdict.json
	jq -c '.candidate.predictions.sizes = 1' ok/verdict.json > bad-verdict/verdict.json
	run -0 jq -e '.candidate.predictions.hash' ok/verdict.json
	run -0 python3 "$MLGATE_ROOT/tests/schema-check.py" "$MLGATE_ROOT/schemas" ok
	run -1 python3 "$MLGATE_ROOT/tests/schema-check.py" "$MLGATE_ROOT/schemas" bad-eval
	run -1 python3 "$MLGATE_ROOT/tests/schema-check.py" "$MLGATE_ROOT/schemas" bad-verdict
}

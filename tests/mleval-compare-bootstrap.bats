#!/usr/bin/env bats
# mleval-compare --bootstrap: the paired bootstrap and rules judged on intervals.
bats_require_minimum_version 1.5.0
load helper

D=$TESTDATA/mleval-compare

gate() {
	mleval-compare --predictions --bootstrap 300 --seed 11 "$@"
}

@test "same seed, same verdict, bit for bit, whatever the number of threads" {
	for j in 1 2 3; do
		run -0 --separate-stderr gate -j "$j" --rule 'f1 >= baseline + 0.01' --rule 'roc_auc >= 0.8' \
			--rule 'brier <= baseline' "$D/binary-base.csv" "$D/binary-cand.csv"
		assert_equal "$stderr" ""
		keep_output "v$j.json"
		jq -c 'del(.created_at)' "v$j.json" > "c$j.json"
	done
	cmp c1.json c2.json
	cmp c1.json c3.json
	assert_equal "$(jq -c .bootstrap v1.json)" '{"confidence":0.95,"n":300,"seed":11}'
	run -0 mleval-compare --predictions --bootstrap 300 --seed 12 --rule 'f1 >= baseline + 0.01' \
		--rule 'roc_auc >= 0.8' --rule 'brier <= baseline' "$D/binary-base.csv" "$D/binary-cand.csv"
	[ "$(jq -c '.checks[0].interval' <<<"$output")" != "$(jq -c '.checks[0].interval' v1.json)" ]
}

@test "the bootstrap is paired: a model against itself has a zero-width delta" {
	run -0 gate --rule 'f1 >= baseline' --rule 'roc_auc >= baseline' "$D/binary-cand.csv" "$D/binary-cand.csv"
	keep_output verdict.json
	assert_equal "$(jq -c '[.checks[].interval]' verdict.json)" "[[0,0],[0,0]]"
	run -1 gate --rule 'f1 > baseline' "$D/binary-cand.csv" "$D/binary-cand.csv"
}

@test "a relative rule is judged on the lower bound of the paired delta" {
	run -0 mleval-compare --predictions --rule 'f1 >= baseline + 0.05' "$D/binary-base.csv" "$D/binary-cand.csv"
	assert_equal "$(jq -r '.checks[0].status' <<<"$output")" "pass"
	delta=$(jq -r '.checks[0].delta' <<<"$output")
	run -1 gate --rule 'f1 >= baseline + 0.05' "$D/binary-base.csv" "$D/binary-cand.csv"
	keep_output verdict.json
	run -0 jq -e --argjson d "$delta" '.checks[0] | .status == "fail" and .interval[0] < 0.05
		and .interval[0] < $d and $d < .interval[1] and .delta == $d' verdict.json
	assert_regex "$(jq -r '.checks[0].reason' verdict.json)" \
		'^95% interval of the delta \(candidate - baseline\) \[.*\]: lower bound .*, needs >= 0.05$'
}

@test "a floor is judged on the candidate's interval: lower bound for >=, upper for <=" {
	run -0 mleval-compare --predictions --no-baseline --rule 'roc_auc >= 0.86' --rule 'log_loss <= 0.46' \
		"$D/binary-cand.csv"
	run -1 gate --no-baseline --rule 'roc_auc >= 0.86' --rule 'log_loss <= 0.46' --rule 'f1 >= baseline' \
		"$D/binary-cand.csv"
	keep_output verdict.json
	run -0 jq -e '.checks[0].interval[0] < 0.86 and .checks[1].interval[1] > 0.46
		and .checks[0].status == "fail" and .checks[1].status == "fail"
		and .checks[2].status == "skipped" and .checks[2].interval == null' verdict.json
	assert_regex "$(jq -r '.checks[1].reason' verdict.json)" "^95% interval of the candidate .*: upper bound .*, needs <= 0.46$"
}

@test "baseline * k is judged on candidate - k * baseline" {
	run -0 gate --rule 'rmse <= baseline * 0.9' "$D/reg-base.csv" "$D/reg-cand.csv"
	keep_output verdict.json
	assert_regex "$(jq -r '.checks[0].reason' verdict.json)" \
		'^95% interval of candidate - 0.9 \* baseline \[.*\]: upper bound .* <= 0$'
	run -0 jq -e '.checks[0].interval[1] <= 0' verdict.json
}

@test "--confidence narrows or widens the interval" {
	run -0 gate --confidence 0.5 --rule 'mae <= baseline' "$D/reg-base.csv" "$D/reg-cand.csv"
	narrow=$(jq -r '.checks[0].interval | .[1] - .[0]' <<<"$output")
	assert_equal "$(jq -r '.bootstrap.confidence' <<<"$output")" "0.5"
	run -0 gate --confidence 0.99 --rule 'mae <= baseline' "$D/reg-base.csv" "$D/reg-cand.csv"
	wide=$(jq -r '.checks[0].interval | .[1] - .[0]' <<<"$output")
	assert_regex "$(jq -r '.checks[0].reason' <<<"$output")" "^99% interval"
	run -0 awk -v a="$narrow" -v b="$wide" 'BEGIN { exit !(a > 0 && a < b) }'
}

@test "multi-class: macro metrics resampled" {
	run -1 gate --rule 'f1 >= baseline' --rule 'accuracy >= 0.55' "$D/multi-base.csv" "$D/multi-cand.csv"
	keep_output verdict.json
	assert_equal "$(jq -r '[.checks[].status] | join(",")' verdict.json)" "fail,pass"
}

@test "a metric undefined in some resamples fails its rule, saying how often" {
	{ echo label,score; echo 1,0.9; for i in 1 2 3 4 5 6 7 8 9; do echo "0,0.$i"; done; } > rare.csv
	run -1 gate --no-baseline --rule 'roc_auc >= 0.5' --rule 'accuracy >= 0.1' rare.csv
	keep_output verdict.json
	assert_regex "$(jq -r '.checks[0].reason' verdict.json)" \
		"^metric 'roc_auc' is undefined in [0-9]+ of the bootstrap resamples$"
	assert_equal "$(jq -c '[.checks[0].interval, .checks[1].status]' verdict.json)" '[null,"pass"]'
}

@test "the interval shows in the markdown and table views" {
	run -0 gate --format markdown --rule 'f1 >= baseline' "$D/binary-base.csv" "$D/binary-cand.csv"
	assert_line --regexp '^\| ✅ \| `f1 >= baseline` \| 0\.67[0-9]* \| 0\.76[0-9]* \| \+0\.09[0-9]* \| \[0\.[0-9]+, 0\.[0-9]+\] \| 95% interval'
	run -0 gate --format table --rule 'f1 >= baseline' "$D/binary-base.csv" "$D/binary-cand.csv"
	assert_line --index 1 --regexp '^pass +f1 >= baseline +0\.67[0-9]* +0\.76[0-9]* +\+0\.09[0-9]* +\[0\.[0-9]+, 0\.[0-9]+\]$'
}

@test "bad bootstrap options are usage errors" {
	args=(--rule 'f1 >= baseline' "$D/binary-base.csv" "$D/binary-cand.csv")
	run -2 --separate-stderr mleval-compare --predictions --bootstrap 0 "${args[@]}"
	assert_equal "$stderr" "mleval-compare: --bootstrap: '0' is not a whole number from 1 to 10000000"
	run -2 --separate-stderr mleval-compare --predictions --bootstrap 10 --confidence 1 "${args[@]}"
	assert_equal "$stderr" "mleval-compare: --confidence: '1' is not between 0 and 1"
	run -2 --separate-stderr mleval-compare --predictions --bootstrap 10 --seed -1 "${args[@]}"
	assert_regex "$stderr" "^mleval-compare: --seed: '-1' is not a whole number"
	run -2 --separate-stderr mleval-compare --predictions --bootstrap 10 -j 0 "${args[@]}"
	assert_equal "$stderr" "mleval-compare: -j: '0' is not a whole number from 1 to 256"
	run -2 --separate-stderr mleval-compare --predictions --seed 3 "${args[@]}"
	assert_equal "$stderr" "mleval-compare: --seed needs --bootstrap"
	run -2 --separate-stderr mleval-compare --predictions --confidence 0.9 "${args[@]}"
	assert_equal "$stderr" "mleval-compare: --confidence needs --bootstrap"
}

@test "count metrics drawn per cell agree with rows drawn one by one" {
	# f1 alone takes the multinomial draw over the joint cells; with a
	# roc_auc rule beside it every row is drawn. Same distribution: the
	# intervals must agree to within the resampling noise.
	run -0 gate --bootstrap 2000 --rule 'f1 >= baseline' "$D/binary-base.csv" "$D/binary-cand.csv"
	cells=$(jq -c '.checks[0].interval' <<<"$output")
	run -0 gate --bootstrap 2000 --rule 'f1 >= baseline' --rule 'roc_auc >= 0' \
		"$D/binary-base.csv" "$D/binary-cand.csv"
	rows=$(jq -c '.checks[0].interval' <<<"$output")
	run -0 jq -en --argjson a "$cells" --argjson b "$rows" \
		'($a[0] - $b[0] | fabs) < 0.01 and ($a[1] - $b[1] | fabs) < 0.01 and $a != $b'
}

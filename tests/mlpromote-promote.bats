#!/usr/bin/env bats
# mlpromote promote and rollback: the evidence a change needs, seq, the history.
bats_require_minimum_version 1.5.0
load helper
load data/mlpromote/lib

@test "the first promote needs a verdict without baseline; the pointer says it all" {
	init_reg
	pub m 1
	verdict v.json m 1
	GITHUB_ACTOR=ci-bot run --separate-stderr -0 mlpromote promote --registry reg --model m --version 1 --verdict v.json
	[ -z "$stderr" ]
	keep_output pointer.json
	cmp pointer.json reg/models/m/current.json
	assert_equal "$(jq -c '[.kind, .model, .stage, .version, .seq, .previous, .action, .forced, .reason, .promoted_by, .approved_by]' pointer.json)" \
		'["pointer","m","current","1",1,null,"promote",false,null,"ci-bot",null]'
	assert_equal "$(jq -r .manifest pointer.json)" "$(jq -r .id reg/models/m/versions/1/model.json)"
	assert_equal "$(jq -r .run pointer.json)" "$(run_id m 1)"
	assert_equal "$(jq -r .snapshot pointer.json)" "$(jq -r .snapshot reg/models/m/versions/1/model.json)"
	[[ $(jq -r .verdict pointer.json) =~ ^sha256:[0-9a-f]{64}$ ]]
	assert_equal "$(tail -n 1 reg/models/m/audit.jsonl | jq -r '[.action, .seq, .ids.pointer == "'"$(jq -r .id pointer.json)"'", .ids.verdict == "'"$(jq -r .verdict pointer.json)"'"] | join(" ")')" \
		"promote 1 true true"
	keep_record reg/models/m/audit.jsonl
}

@test "promote with a verdict taken against the live status: seq 2, previous 1" {
	first_live
	mlpromote status --registry reg --model m > live.json
	verdict v2.json m 2 live.json
	run --separate-stderr -0 mlpromote promote --registry reg --model m --version 2 --verdict v2.json
	assert_equal "$(jq -c '[.version, .seq, .previous]' <<<"$output")" '["2",2,"1"]'
	assert_equal "$(live m)" 2
}

@test "the verdict may name the version's manifest instead of its run" {
	init_reg
	echo w > f.bin
	mlpromote publish --registry reg --model m --version 1 f.bin > manifest.json
	jq -c '{kind: "verdict", v: 1, pass: true, baseline: null, bootstrap: null, checks: [],
		candidate: {id, kind, source: "model.json", pointer: null}}' manifest.json > v.json
	run --separate-stderr -0 mlpromote promote --registry reg --model m --version 1 --verdict v.json
	assert_equal "$(live m)" 1
}

@test "a stale verdict is exit 1 and changes nothing: older live, or live again after a rollback" {
	first_live
	mlpromote status --registry reg --model m > live1.json
	verdict v2.json m 2 live1.json
	verdict v3old.json m 3 live1.json
	mlpromote promote --registry reg --model m --version 2 --verdict v2.json > /dev/null
	local before
	before=$(tree_sum reg)
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 3 --verdict v3old.json
	[[ $stderr == *"v3old.json: stale verdict: its baseline is not the live pointer (seq 2)"* ]]
	assert_equal "$(tree_sum reg)" "$before"
	# version 1 is live again, but through another pointer: still stale
	mlpromote rollback --registry reg --model m > /dev/null
	assert_equal "$(live m)" 1
	before=$(tree_sum reg)
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 3 --verdict v3old.json
	assert_equal "$(tree_sum reg)" "$before"
	# a fresh one against what is live now goes through
	mlpromote status --registry reg --model m > live3.json
	verdict v3.json m 3 live3.json
	run -0 mlpromote promote --registry reg --model m --version 3 --verdict v3.json
	assert_equal "$(jq -r .seq <<<"$output")" 4
}

@test "a verdict without baseline while something is live, or with one while nothing is, is stale" {
	first_live
	verdict nb.json m 2
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 2 --verdict nb.json
	[[ $stderr == *"stale verdict: taken with no baseline, but version '1' is live"* ]]
	mlpromote status --registry reg --model m > live.json
	verdict staging.json m 2 live.json
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 2 --stage staging --verdict staging.json
	[[ $stderr == *"taken against a baseline, but nothing is live"* ]]
	jq '.baseline.pointer = null' staging.json > noptr.json
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 2 --verdict noptr.json
	[[ $stderr == *"its baseline is not the live pointer"* ]]
}

@test "a verdict that failed, or judged another candidate, is exit 1" {
	first_live
	mlpromote status --registry reg --model m > live.json
	verdict failed.json m 2 live.json false
	local before
	before=$(tree_sum reg)
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 2 --verdict failed.json
	[[ $stderr == *"failed.json: the verdict did not pass"* ]]
	verdict other.json m 3 live.json
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 2 --verdict other.json
	[[ $stderr == *"the verdict's candidate is not version '2'"* ]]
	assert_equal "$(tree_sum reg)" "$before"
}

@test "a verdict that is not a verdict, does not parse, or whose id lies is exit 2, registry unchanged" {
	first_live
	local before
	before=$(tree_sum reg)
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 2 --verdict run-m-2.json
	[[ $stderr == *"run-m-2.json"* ]]
	assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 1
	printf '{"kind":"verdict","pass":true,' > torn.json
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 2 --verdict torn.json
	[[ $stderr == "mlpromote: torn.json:1:"* ]]
	mlpromote status --registry reg --model m > live.json
	verdict v.json m 2 live.json
	jq -c '.id = "sha256:0000000000000000000000000000000000000000000000000000000000000000"' v.json > lying.json
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 2 --verdict lying.json
	echo '{"kind":"verdict","v":1}' > empty.json
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 2 --verdict empty.json
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 2 --verdict nosuch.json
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 2
	[[ $stderr == *"promote needs --verdict FILE (or --force --reason TEXT)"* ]]
	assert_equal "$(tree_sum reg)" "$before"
}

@test "promoting the version already live is a no-op: exit 0, nothing written" {
	first_live
	local before
	before=$(tree_sum reg)
	run --separate-stderr -0 mlpromote promote --registry reg --model m --version 1 --verdict v1.json
	cmp <(printf '%s\n' "$output") reg/models/m/current.json
	assert_equal "$(tree_sum reg)" "$before"
}

@test "an unpublished version or model is exit 1" {
	first_live
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 9 --force --reason x
	[[ $stderr == *"version '9' of model 'm' is not published"* ]]
	run --separate-stderr -1 mlpromote promote --registry reg --model nosuch --version 1 --force --reason x
	[ ! -e reg/models/nosuch ]
}

@test "stages in mlgate.json need --approved-by (exit 1 without), which goes to the pointer and the log" {
	first_live --require-approval production
	verdict v.json m 2
	local before
	before=$(tree_sum reg)
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 2 --stage production --verdict v.json
	[[ $stderr == *"stage 'production' needs --approved-by"* ]]
	assert_equal "$(tree_sum reg)" "$before"
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 2 --stage production --verdict v.json --approved-by ''
	run --separate-stderr -0 mlpromote promote --registry reg --model m --version 2 --stage production \
		--verdict v.json --approved-by alice
	assert_equal "$(jq -r .approved_by reg/models/m/production.json)" alice
	assert_equal "$(tail -n 1 reg/models/m/audit.jsonl | jq -r .approved_by)" alice
	run -0 mlpromote status --registry reg --model m --stage production
	assert_equal "$(jq -r .approved_by <<<"$output")" alice
}

@test "--force --reason overrides the verdict and is marked; --force alone or --reason alone is exit 2" {
	first_live
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 3 --force
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 3 --reason why --verdict v1.json
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 3 --force --reason ''
	verdict failed.json m 3 none false
	run --separate-stderr -0 mlpromote promote --registry reg --model m --version 3 --verdict failed.json \
		--force --reason "hotfix INC-42"
	assert_equal "$(jq -c '[.version, .forced, .reason]' <<<"$output")" '["3",true,"hotfix INC-42"]'
	assert_equal "$(jq -r .verdict <<<"$output")" "$(tail -n 1 reg/models/m/audit.jsonl | jq -r .ids.verdict)"
	[[ $(jq -r .verdict <<<"$output") =~ ^sha256: ]]
	assert_equal "$(tail -n 1 reg/models/m/audit.jsonl | jq -c '[.forced, .reason]')" '[true,"hotfix INC-42"]'
}

@test "the pipeline with the real gate: status -> mleval-compare -> promote" {
	command -v mleval-compare > /dev/null || skip "mleval-compare is not built"
	init_reg --require-approval current
	pub m 1 0.70
	pub m 2 0.80
	mlpromote status --registry reg --model m > live.json
	run -0 mleval-compare --rule 'f1 >= 0.5' --no-baseline run-m-1.json
	printf '%s\n' "$output" > v1.json
	run -0 mlpromote promote --registry reg --model m --version 1 --verdict v1.json --approved-by ann
	mlpromote status --registry reg --model m > live.json
	run -0 mleval-compare --rule 'f1 >= baseline + 0.05' live.json run-m-2.json
	printf '%s\n' "$output" > v2.json
	run -0 mlpromote promote --registry reg --model m --version 2 --verdict v2.json --approved-by ann
	assert_equal "$(live m)" 2
	# the same verdict again after a change is stale
	mlpromote rollback --registry reg --model m > /dev/null
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 2 --verdict v2.json --approved-by ann
	[[ $stderr == *"stale verdict"* ]]
}

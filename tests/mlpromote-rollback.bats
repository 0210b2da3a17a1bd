#!/usr/bin/env bats
# mlpromote rollback, --expect, stages: seq and the promotion history.
bats_require_minimum_version 1.5.0
load helper
load data/mlpromote/lib

@test "--expect SEQ is a compare-and-swap: exit 1 when another change came first" {
	first_live
	local before
	before=$(tree_sum reg)
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 2 --force --reason x --expect 0
	[[ $stderr == *"is at seq 1, not 0: another change came first"* ]]
	run --separate-stderr -1 mlpromote rollback --registry reg --model m --expect 5
	assert_equal "$(tree_sum reg)" "$before"
	run -0 mlpromote promote --registry reg --model m --version 2 --force --reason x --expect 1
	run -0 mlpromote rollback --registry reg --model m --expect 2
	assert_equal "$(jq -r .seq <<<"$output")" 3
	run -0 mlpromote promote --registry reg --model m --version 2 --stage fresh --force --reason x --expect 0
}

@test "rollback walks back the promotion history 3 -> 2 -> 1, then has nothing to go to" {
	first_live
	mlpromote promote --registry reg --model m --version 2 --force --reason x > /dev/null
	mlpromote promote --registry reg --model m --version 3 --force --reason x > /dev/null
	run --separate-stderr -0 mlpromote rollback --registry reg --model m
	keep_output p4.json
	assert_equal "$(jq -c '[.version, .seq, .previous, .action]' p4.json)" '["2",4,"3","rollback"]'
	run -0 mlpromote rollback --registry reg --model m
	assert_equal "$(jq -c '[.version, .seq, .previous]' <<<"$output")" '["1",5,"2"]'
	assert_equal "$(jq -r .verdict <<<"$output")" "$(sed -n 4p reg/models/m/audit.jsonl | jq -r .ids.verdict)"
	local before
	before=$(tree_sum reg)
	run --separate-stderr -1 mlpromote rollback --registry reg --model m
	[[ $stderr == *"nothing to roll back to at stage 'current' of model 'm'"* ]]
	assert_equal "$(tree_sum reg)" "$before"
	run -0 mlpromote verify --registry reg
}

@test "rollback --to V: only a version that was live at that stage before" {
	first_live
	mlpromote promote --registry reg --model m --version 2 --force --reason x > /dev/null
	mlpromote promote --registry reg --model m --version 3 --force --reason x > /dev/null
	run -0 mlpromote rollback --registry reg --model m --to 1
	assert_equal "$(jq -c '[.version, .seq, .previous]' <<<"$output")" '["1",4,"3"]'
	run --separate-stderr -1 mlpromote rollback --registry reg --model m
	[[ $stderr == *"nothing to roll back to"* ]]
	run -0 mlpromote rollback --registry reg --model m --to 3
	assert_equal "$(live m)" 3
	run -0 mlpromote rollback --registry reg --model m
	assert_equal "$(live m)" 1
	pub m 4
	run --separate-stderr -1 mlpromote rollback --registry reg --model m --to 4
	[[ $stderr == *"version '4' was never live at stage 'current'"* ]]
	run --separate-stderr -1 mlpromote rollback --registry reg --model m --stage staging
	[[ $stderr == *"nothing is live at stage 'staging'"* ]]
	run -0 mlpromote verify --registry reg
}

@test "stages are independent: each has its own seq and history" {
	first_live
	mlpromote promote --registry reg --model m --version 3 --stage staging --force --reason x > /dev/null
	mlpromote promote --registry reg --model m --version 2 --stage staging --force --reason x > /dev/null
	assert_equal "$(jq -r .seq reg/models/m/staging.json)" 2
	assert_equal "$(jq -r .seq reg/models/m/current.json)" 1
	run -0 mlpromote rollback --registry reg --model m --stage staging
	assert_equal "$(live m staging)" 3
	assert_equal "$(live m)" 1
}

#!/usr/bin/env bats
# mlpromote: status (records, table, Prometheus), history, pull.
bats_require_minimum_version 1.5.0
load helper
load data/mlpromote/lib

@test "status of a model never promoted: live false, every field null, exit 0" {
	init_reg
	pub m 1
	run --separate-stderr -0 mlpromote status --registry reg --model m
	keep_output status.json
	assert_equal "$(jq -c '[.kind, .model, .stage, .live, .version, .seq, .pointer, .metrics, .files]' status.json)" \
		'["status","m","current",false,null,null,null,null,null]'
	run -0 mlpromote status --registry reg --model never
	assert_equal "$(jq -r .live <<<"$output")" false
}

@test "status of a live model: version, seq, since, ids, the run's metrics and the files" {
	init_reg
	pub m 1 0.81
	mlpromote promote --registry reg --model m --version 1 --force --reason first > pointer.json
	run --separate-stderr -0 mlpromote status --registry reg --model m
	keep_output status.json
	keep_record pointer.json
	assert_equal "$(jq -c '[.live, .version, .seq, .metrics.f1, .files[0].path]' status.json)" \
		'[true,"1",1,0.81,"model.bin"]'
	assert_equal "$(jq -r .pointer status.json)" "$(jq -r .id reg/models/m/current.json)"
	assert_equal "$(jq -r .since status.json)" "$(jq -r .created_at reg/models/m/current.json)"
	assert_equal "$(jq -r .run status.json)" "$(run_id m 1)"
	cmp pointer.json reg/models/m/current.json
}

@test "status without --model: one record per model and stage, JSON Lines; --stage narrows" {
	init_reg
	pub a 1
	pub b 1
	pub b 2
	mlpromote promote --registry reg --model b --version 1 --stage staging --force --reason t > /dev/null
	mlpromote promote --registry reg --model b --version 2 --force --reason t > /dev/null
	run --separate-stderr -0 mlpromote status --registry reg
	keep_output all.jsonl
	assert_equal "$(jq -r '[.model, .stage, .live, .version] | join(" ")' all.jsonl)" \
		"$(printf 'a current false \nb current true 2\nb staging true 1')"
	run -0 mlpromote status --registry reg --stage staging
	assert_equal "$(jq -r '[.model, .live] | join(" ")' <<<"$output")" "$(printf 'a false\nb true')"
}

@test "status --format table; a bad --format is exit 2" {
	init_reg
	pub m 1
	mlpromote promote --registry reg --model m --version 1 --force --reason t > /dev/null
	run --separate-stderr -0 mlpromote status --registry reg --format table
	assert_line --index 0 --regexp '^MODEL +STAGE +LIVE +VERSION +SEQ +SINCE$'
	assert_line --index 1 --regexp '^m +current +yes +1 +1  20[0-9-]+T'
	run --separate-stderr -2 mlpromote status --registry reg --format yaml
}

@test "status --format prometheus: textfile metrics promtool accepts, written atomically with --output" {
	init_reg
	pub m 1
	pub n 1
	mlpromote promote --registry reg --model m --version 1 --force --reason t > /dev/null
	run --separate-stderr -0 mlpromote status --registry reg --format prometheus --output m.prom
	[ -z "$output" ] && [ -z "$stderr" ]
	grep -qx 'mlgate_model_info{model="m",stage="current",version="1"} 1' m.prom
	grep -qx 'mlgate_model_seq{model="m",stage="current"} 1' m.prom
	grep -qx 'mlgate_model_live{model="n",stage="current"} 0' m.prom
	grep -q '^mlgate_model_promoted_timestamp_seconds{model="m",stage="current"} [0-9]\+$' m.prom
	grep -q '^mlgate_model_data_age_seconds{model="m",stage="current"} [0-9]\+$' m.prom
	run -0 grep -c 'model="n"' m.prom
	assert_output 1
	if command -v promtool > /dev/null; then
		run -0 promtool check metrics < m.prom
	fi
	run -0 find . -maxdepth 1 -name '*.tmp*'
	assert_output ""
}

@test "status --max-age: exit 1 when a live model went live longer ago, 0 otherwise" {
	init_reg
	pub m 1
	mlpromote promote --registry reg --model m --version 1 --force --reason t > /dev/null
	run --separate-stderr -0 mlpromote status --registry reg --model m --max-age 30d
	[ -z "$stderr" ]
	sleep 1 # whole seconds: the version is now at least 1s old
	run --separate-stderr -1 mlpromote status --registry reg --model m --max-age 0s
	[[ $stderr == *"over --max-age 0s"* ]]
	assert_equal "$(jq -r .version <<<"$output")" 1
	run --separate-stderr -2 mlpromote status --registry reg --max-age soon
}

@test "history: the audit log as JSON Lines, and as a table" {
	init_reg
	pub m 1
	pub m 2
	mlpromote promote --registry reg --model m --version 1 --force --reason t > /dev/null
	mlpromote promote --registry reg --model m --version 2 --force --reason t --approved-by ann > /dev/null
	mlpromote rollback --registry reg --model m > /dev/null
	run --separate-stderr -0 mlpromote history --registry reg --model m
	keep_output history.jsonl
	cmp history.jsonl reg/models/m/audit.jsonl
	assert_equal "$(jq -r '[.line, .action, .version, (.seq // "-")] | join(" ")' history.jsonl)" \
		"$(printf '1 publish 1 -\n2 publish 2 -\n3 promote 1 1\n4 promote 2 2\n5 rollback 1 3')"
	run -0 mlpromote history --registry reg --model m --format table
	assert_line --index 0 --regexp '^ +LINE +ACTION +STAGE +VERSION +SEQ +TIME +ACTOR +APPROVED_BY$'
	assert_line --index 4 --regexp '^ +4 +promote +current +2 +2 +20.* ann +\(forced\)$'
	run --separate-stderr -1 mlpromote history --registry reg --model nosuch
}

@test "pull copies the live version's files out, verified; --version picks another" {
	init_reg
	pub m 1
	pub m 2
	mlpromote promote --registry reg --model m --version 1 --force --reason t > /dev/null
	run --separate-stderr -0 mlpromote pull --registry reg --model m serve
	assert_equal "$(jq -r .version <<<"$output")" 1
	cmp art-m-1/model.bin serve/model.bin
	run -0 mlpromote pull --registry reg --model m --version 2 v2/
	cmp art-m-2/model.bin v2/model.bin
	run --separate-stderr -2 mlpromote pull --registry reg --model m --version 2 v2
	[[ $stderr == *"exists"* ]]
	run --separate-stderr -1 mlpromote pull --registry reg --model m --stage staging s
	run --separate-stderr -1 mlpromote pull --registry reg --model m --version 9 s
	run --separate-stderr -2 mlpromote pull --registry reg --model m --stage current --version 1 s
	[ ! -e s ]
}

@test "pull refuses a file that is not as published (exit 1) and leaves nothing" {
	init_reg
	pub m 1
	echo evil > reg/models/m/versions/1/files/model.bin
	run --separate-stderr -1 mlpromote pull --registry reg --model m --version 1 out
	[[ $stderr == *"versions/1/files/model.bin: not as published (run 'mlpromote verify')"* ]]
	[ ! -e out ]
	run -0 find . -maxdepth 1 -name 'out*'
	assert_output ""
}

#!/usr/bin/env bats
# mlpromote: command line, init, publish.
bats_require_minimum_version 1.5.0
load helper
load data/mlpromote/lib

@test "--help prints the synopsis on stdout, exit 0; --version names the tool" {
	run --separate-stderr -0 mlpromote --help
	assert_output --partial "mlpromote promote [--registry DIR] --model M --version V"
	[ -z "$stderr" ]
	run --separate-stderr -0 mlpromote status --help
	assert_output --partial "usage: mlpromote init"
	run -0 mlpromote --version
	assert_output --partial "mlpromote"
}

@test "usage errors are exit 2: no subcommand, an unknown one, an option of another subcommand" {
	run --separate-stderr -2 mlpromote
	assert_equal "$output" ""
	assert_equal "$stderr" "mlpromote: a subcommand is missing (see --help)"
	run --separate-stderr -2 mlpromote frobnicate
	assert_equal "$stderr" "mlpromote: 'frobnicate': no such subcommand (see --help)"
	run --separate-stderr -2 mlpromote status --verdict v.json
	assert_equal "$stderr" "mlpromote: --verdict: not an option of 'status' (see --help)"
	run --separate-stderr -2 mlpromote status --bogus
	assert_equal "$stderr" "mlpromote: unknown option '--bogus' (see --help)"
	run --separate-stderr -2 mlpromote status --model
	assert_equal "$stderr" "mlpromote: option '--model' needs a value (see --help)"
	run -3 --separate-stderr sh -c 'mlpromote --help > /dev/full' 
	run --separate-stderr -2 mlpromote promote --expect 1x
	[[ $stderr == *"--expect '1x'"* ]]
}

@test "usage() and the man page SYNOPSIS say the same, word for word; the page lints clean" {
	local man usage
	man=$(mandoc -T ascii "$MLGATE_ROOT/man/man1/mlpromote.1" | col -b |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \t\n' ' ')
	usage=$(mlpromote --help | sed 's/^usage://' | tr -s ' \t\n' ' ')
	assert_equal "$man" "$usage"
	run -0 mandoc -T lint -W warning "$MLGATE_ROOT/man/man1/mlpromote.1"
	assert_output ""
}

@test "init makes the registry: mlgate.json with the approval stages, sorted and once each" {
	run --separate-stderr -0 mlpromote init --registry reg --require-approval production,current,production
	[ -z "$output" ] && [ -z "$stderr" ]
	[ -d reg/models ]
	assert_equal "$(jq -c .require_approval reg/mlgate.json)" '["current","production"]'
	assert_equal "$(jq -r .kind reg/mlgate.json)" registry
	keep_record reg/mlgate.json
}

@test "init again with the same settings is a no-op; with others exit 1, unchanged" {
	init_reg --require-approval production
	cp reg/mlgate.json before.json
	run -0 mlpromote init --registry reg --require-approval production
	cmp before.json reg/mlgate.json
	run --separate-stderr -1 mlpromote init --registry reg
	[[ $stderr == *"other settings"* ]]
	cmp before.json reg/mlgate.json
}

@test "init refuses a folder that holds other things, and bad stage names" {
	mkdir notreg && touch notreg/file
	run --separate-stderr -1 mlpromote init --registry notreg
	[ ! -e notreg/mlgate.json ]
	run --separate-stderr -2 mlpromote init --registry reg2 --require-approval 'prod,../x'
	[ ! -e reg2 ]
	run --separate-stderr -2 mlpromote init
	[[ $stderr == *"--registry DIR or set MLGATE_REGISTRY"* ]]
}

@test "a missing registry is exit 2 with a hint, and nothing is created" {
	local cmd
	for cmd in "status" "status --model m" "history --model m" "verify" \
		"rollback --model m" "promote --model m --version 1 --force --reason x"; do
		# shellcheck disable=SC2086
		run --separate-stderr -2 mlpromote $cmd --registry nowhere
		[[ $stderr == *"no registry at 'nowhere' (create one with 'mlpromote init --registry nowhere')"* ]]
	done
	echo x > f.bin
	run --separate-stderr -2 mlpromote publish --registry nowhere --model m --version 1 f.bin
	[ ! -e nowhere ]
	run --separate-stderr -2 mlpromote status
	[[ $stderr == *"no registry: give --registry DIR or set MLGATE_REGISTRY"* ]]
}

@test "MLGATE_REGISTRY names the registry when --registry does not" {
	init_reg
	MLGATE_REGISTRY=reg run --separate-stderr -0 mlpromote status --model m
	assert_equal "$(jq -r .live <<<"$output")" false
}

@test "bad names are exit 2 with one line, and the registry is unchanged" {
	init_reg
	pub m 1
	echo x > f.bin
	local before
	before=$(tree_sum reg)
	run --separate-stderr -2 mlpromote publish --registry reg --model ../m --version 2 f.bin
	[[ $stderr == "mlpromote: invalid model '../m'"* ]]
	assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 1
	run --separate-stderr -2 mlpromote publish --registry reg --model m --version a/b f.bin
	run --separate-stderr -2 mlpromote publish --registry reg --model m --version '' f.bin
	run --separate-stderr -2 mlpromote publish --registry reg --model m --version .hidden f.bin
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 1 --stage .. --force --reason x
	run --separate-stderr -2 mlpromote rollback --registry reg --model m --to 'x y'
	run --separate-stderr -2 mlpromote status --registry reg --model "$(printf 'a%.0s' {1..129})"
	assert_equal "$(tree_sum reg)" "$before"
}

@test "publish copies the files, keeps the run, writes the manifest and an audit line" {
	init_reg
	mkdir out
	echo weights > out/model.bin
	echo label,score > out/preds.csv
	make_run run.json 0.9 out/model.bin out/preds.csv
	run --separate-stderr -0 mlpromote publish --registry reg --model churn --version 7 --run run.json \
		out/model.bin out/preds.csv
	[ -z "$stderr" ]
	keep_output manifest.json
	cmp out/model.bin reg/models/churn/versions/7/files/model.bin
	cmp out/preds.csv reg/models/churn/versions/7/files/preds.csv
	cmp manifest.json reg/models/churn/versions/7/model.json
	assert_equal "$(jq -r '[.kind, .model, .version, .snapshot] | join(" ")' manifest.json)" \
		"model churn 7 sha256:1111111111111111111111111111111111111111111111111111111111111111"
	assert_equal "$(jq -r '.run' manifest.json)" "$(jq -r .id reg/models/churn/versions/7/run.json)"
	assert_equal "$(jq -c '[.files[] | .path, .size, .hash]' manifest.json)" \
		"[\"model.bin\",8,\"$(hash_of out/model.bin)\",\"preds.csv\",12,\"$(hash_of out/preds.csv)\"]"
	assert_equal "$(jq -r .metrics.f1 reg/models/churn/versions/7/run.json)" 0.9
	assert_equal "$(wc -l < reg/models/churn/audit.jsonl)" 1
	assert_equal "$(jq -r '[.line, .action, .version, .prev, .ids.manifest == "'"$(jq -r .id manifest.json)"'"] | join(" ")' \
		reg/models/churn/audit.jsonl)" "1 publish 7  true"
	keep_record reg/models/churn/audit.jsonl
}

@test "publish records who published: the CI actor" {
	init_reg
	echo w > f.bin
	GITHUB_ACTOR=octocat run -0 mlpromote publish --registry reg --model m --version 1 f.bin
	assert_equal "$(jq -r .published_by <<<"$output")" octocat
	assert_equal "$(jq -r .actor reg/models/m/audit.jsonl)" octocat
	assert_equal "$(jq -r .run <<<"$output")" null
}

@test "publish -C DIR keeps the paths given, relative to DIR; unsafe paths are exit 2" {
	init_reg
	mkdir -p build/sub
	echo a > build/sub/a.bin
	echo b > build/b.bin
	run -0 mlpromote publish --registry reg --model m --version 1 -C build sub/a.bin ./b.bin
	assert_equal "$(jq -c '[.files[].path]' <<<"$output")" '["b.bin","sub/a.bin"]'
	cmp build/sub/a.bin reg/models/m/versions/1/files/sub/a.bin
	echo c > c.bin
	run --separate-stderr -2 mlpromote publish --registry reg --model m --version 2 -C build ../c.bin
	run --separate-stderr -2 mlpromote publish --registry reg --model m --version 2 -C build "$PWD/c.bin"
	run --separate-stderr -2 mlpromote publish --registry reg --model m --version 2 c.bin build/../c.bin
	[[ $stderr == *"'c.bin' given twice"* ]]
	[ ! -e reg/models/m/versions/2 ]
}

@test "versions are immutable: the same content again is a no-op, other content exit 1" {
	init_reg
	pub m 1
	cp reg/models/m/audit.jsonl audit.before
	run --separate-stderr -0 mlpromote publish --registry reg --model m --version 1 \
		--run run-m-1.json art-m-1/model.bin
	[ -z "$stderr" ]
	cmp audit.before reg/models/m/audit.jsonl
	echo changed > art-m-1/model.bin
	run --separate-stderr -1 mlpromote publish --registry reg --model m --version 1 art-m-1/model.bin
	[[ $stderr == *"already published with other content"* ]]
	cmp audit.before reg/models/m/audit.jsonl
	assert_equal "$(cat reg/models/m/versions/1/files/model.bin)" "weights of m 1"
}

@test "an artifact whose hash differs from the run's artifact of that name is exit 1, nothing published" {
	init_reg
	echo real > model.bin
	make_run run.json 0.5 model.bin
	echo other > model.bin
	run --separate-stderr -1 mlpromote publish --registry reg --model m --version 1 --run run.json model.bin
	[[ $stderr == *"'model.bin': its hash differs from the run's artifact of that name"* ]]
	[ ! -e reg/models/m/versions/1 ]
	run -0 find reg/models/m -name '.tmp-*'
	assert_output ""
}

@test "a version may not take a stage's name" {
	init_reg --require-approval canary
	pub m 1
	mlpromote promote --registry reg --model m --version 1 --stage shadow --force --reason t > /dev/null
	echo w > f.bin
	local v
	for v in current staging production canary shadow; do
		run --separate-stderr -2 mlpromote publish --registry reg --model m --version "$v" f.bin
		[[ $stderr == *"version '$v' takes the name of a stage"* ]]
	done
	[ ! -e reg/models/m/versions/current ]
	run --separate-stderr -2 mlpromote promote --registry reg --model m --version 1 --stage 1 --force --reason t
	[[ $stderr == *"stage '1' takes the name of a version of model 'm'"* ]]
	[ ! -e reg/models/m/1.json ]
}

@test "publish: a run that is not a run, or a missing file, is exit 2 and leaves nothing" {
	init_reg
	echo w > f.bin
	echo '{"kind":"snapshot","v":1}' > snap.json
	run --separate-stderr -2 mlpromote publish --registry reg --model m --version 1 --run snap.json f.bin
	echo '{"kind":"run",' > bad.json
	run --separate-stderr -2 mlpromote publish --registry reg --model m --version 1 --run bad.json f.bin
	[[ $stderr == *"bad.json:"* ]]
	run --separate-stderr -2 mlpromote publish --registry reg --model m --version 1 f.bin missing.bin
	[[ $stderr == *"missing.bin"* ]]
	run --separate-stderr -2 mlpromote publish --registry reg --model m --version 1
	[ ! -e reg/models/m/versions/1 ]
}

@test "stdout to /dev/full is exit 3" {
	init_reg
	pub m 1
	run --separate-stderr -3 sh -c 'mlpromote status --registry reg --model m > /dev/full'
	[[ $stderr == *"cannot write to standard output"* ]]
	run --separate-stderr -0 sh -c 'mlpromote --version > /dev/null'
	[ -z "$stderr" ]
}

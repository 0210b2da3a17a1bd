#!/usr/bin/env bats
# mlpromote: promotions started at once serialise on the model's lock.
bats_require_minimum_version 1.5.0
load helper
load data/mlpromote/lib

# publish_many N: versions 1..N of model m.
publish_many() {
	local i
	for i in $(seq 1 "$1"); do
		echo "weights $i" > "w$i.bin"
		mlpromote publish --registry reg --model m --version "$i" "w$i.bin" > /dev/null
	done
}

@test "20 forced promotions at once: all land, seq ends at 20, the chain holds every one" {
	init_reg
	publish_many 20
	local i pids=() failed=0
	for i in $(seq 1 20); do
		mlpromote promote --registry reg --model m --version "$i" --force --reason "race $i" > "out$i.json" 2> "err$i" &
		pids+=($!)
		# readers take no lock, and never see a pointer ahead of the log
		mlpromote status --registry reg --model m > "status$i.json" 2> "serr$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || failed=$((failed + 1))
	done
	assert_equal "$failed" 0
	assert_equal "$(jq -r .seq reg/models/m/current.json)" 20
	run -0 mlpromote verify --registry reg
	run -0 mlpromote history --registry reg --model m
	keep_output history.jsonl
	assert_equal "$(jq -r 'select(.action == "promote") | .seq' history.jsonl | sort -n | tr '\n' ' ')" \
		"$(seq 1 20 | tr '\n' ' ')"
	assert_equal "$(jq -r 'select(.action == "promote") | .version' history.jsonl | sort -n | tr '\n' ' ')" \
		"$(seq 1 20 | tr '\n' ' ')"
	assert_equal "$(cat err* serr*)" ""
	# each process printed the pointer it wrote, and the last is what is live
	assert_equal "$(jq -r .seq out*.json | sort -n | tr '\n' ' ')" "$(seq 1 20 | tr '\n' ' ')"
	cmp reg/models/m/current.json "$(grep -l '"seq":20,' out*.json)"
}

@test "20 promotions with verdicts against the same live version: exactly one lands, the others are stale" {
	init_reg
	publish_many 21
	mlpromote promote --registry reg --model m --version 21 --force --reason base > /dev/null
	mlpromote status --registry reg --model m > live.json
	local i pids=() ok=0 stale=0 other=0 rc
	for i in $(seq 1 20); do
		verdict "v$i.json" m "$i" live.json
	done
	for i in $(seq 1 20); do
		mlpromote promote --registry reg --model m --version "$i" --verdict "v$i.json" > /dev/null 2> "err$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		rc=0
		wait "$i" || rc=$?
		case $rc in
		0) ok=$((ok + 1)) ;;
		1) stale=$((stale + 1)) ;;
		*) other=$((other + 1)) ;;
		esac
	done
	assert_equal "$ok $stale $other" "1 19 0"
	assert_equal "$(grep -l 'stale verdict' err* | wc -l)" 19
	assert_equal "$(jq -r .seq reg/models/m/current.json)" 2
	run -0 mlpromote verify --registry reg
}

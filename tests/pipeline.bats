#!/usr/bin/env bats
# The pipeline end to end: examples/demo.sh runs once for the file (snapshot,
# three runs, three gates, two promotions, a rollback and a roll forward);
# each test works on its own copy of what it left, checks the lineage by id,
# and tampers with the data, an artifact and the audit log, one at a time.
# The first tests check the example's training job alone.
bats_require_minimum_version 1.5.0
load helper

setup_file() {
	# The interpreter itself, not a version manager's shim in front of it:
	# the demo starts python3 three times and the tests many more.
	mkdir -p "$BATS_FILE_TMPDIR/python"
	ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$BATS_FILE_TMPDIR/python/python3"
	export PATH="$BATS_FILE_TMPDIR/python:$PATH"
	export XDG_CACHE_HOME="$BATS_FILE_TMPDIR/cache" HOME="$BATS_FILE_TMPDIR/home"
	mkdir -p "$HOME"
	unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY GITHUB_OUTPUT JENKINS_URL BUILD_URL CI MLGATE_REGISTRY
	MLGATE_DEMO_DIR="$BATS_FILE_TMPDIR/demo" sh "$MLGATE_ROOT/examples/demo.sh" \
		> "$BATS_FILE_TMPDIR/demo.out" 2> "$BATS_FILE_TMPDIR/demo.err" || {
		cat "$BATS_FILE_TMPDIR/demo.out" "$BATS_FILE_TMPDIR/demo.err" >&2
		return 1
	}
}

# demo_copy: this test's own copy of the demo's work dir, as cwd.
demo_copy() {
	cp -R "$BATS_FILE_TMPDIR/demo" demo
	cd demo || return 1
}

TRAIN=$MLGATE_ROOT/examples/train.py
WDBC=$MLGATE_ROOT/examples/data/wdbc.csv

@test "train.py: JSON metric lines, model.json and held-out id,label,score for the gate" {
	run --separate-stderr -0 python3 "$TRAIN" --data "$WDBC" --out out --epochs 3
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 --regexp '^\{"epoch":1,"loss":[0-9.]+,"val_loss":[0-9.]+,"val_acc":[0-9.]+\}$'
	assert_line --index 2 --regexp '^\{"epoch":3,'
	run -0 head -n 1 out/preds.csv
	assert_output "id,label,score"
	# 226 of the 569 rows are held out, by a hash of their id.
	run -0 wc -l < out/preds.csv
	assert_output 227
	run -0 jq -r '.features | length' out/model.json
	assert_output 30
}

@test "train.py: the same seed gives the same files; another seed, another model" {
	python3 "$TRAIN" --data "$WDBC" --out a --epochs 5 --seed 7 > a.log
	python3 "$TRAIN" --data "$WDBC" --out b --epochs 5 --seed 7 > b.log
	python3 "$TRAIN" --data "$WDBC" --out c --epochs 5 --seed 8 > c.log
	run -0 cmp a/model.json b/model.json
	run -0 cmp a/preds.csv b/preds.csv
	run -0 cmp a.log b.log
	run -1 cmp -s a/model.json c/model.json
	# Whatever the seed, the held-out rows are the same ones.
	run -0 diff <(cut -d, -f1,2 a/preds.csv) <(cut -d, -f1,2 c/preds.csv)
}

@test "train.py: a params file gives the same run as the same options" {
	printf '{"features": "radius_mean,texture_mean", "epochs": 4, "l2": 0.1}\n' > p.json
	python3 "$TRAIN" --params p.json --data "$WDBC" --out a > a.log
	python3 "$TRAIN" --data "$WDBC" --out b --features radius_mean,texture_mean --epochs 4 --l2 0.1 > b.log
	run -0 cmp a/model.json b/model.json
	run -0 cmp a.log b.log
	# Options on the command line win over the file.
	run --separate-stderr -0 python3 "$TRAIN" --params p.json --data "$WDBC" --out c --epochs 2
	assert_equal "${#lines[@]}" 2
}

@test "train.py: bad input is exit 2 with one line" {
	run --separate-stderr -2 python3 "$TRAIN" --data "$WDBC" --out o --features radius_mean,nope
	assert_equal "$stderr" "train.py: unknown feature 'nope'; the columns are: $(head -n 1 "$WDBC")"
	run --separate-stderr -2 python3 "$TRAIN" --data missing.csv --out o
	assert_equal "$stderr" "train.py: cannot read 'missing.csv': No such file or directory"
	printf '{"momentum": 0.9}\n' > p.json
	run --separate-stderr -2 python3 "$TRAIN" --params p.json --data "$WDBC" --out o
	assert_equal "$stderr" "train.py: p.json: unknown parameter 'momentum' (known: features, lr, epochs, batch, l2, seed, holdout)"
	run --separate-stderr -2 python3 "$TRAIN" --data "$WDBC" --out o --epochs 0
	assert [ ! -e o ]
}

@test "demo: every step printed its command, and it ends saying where the records are" {
	run -0 grep -c '^\$ ' "$BATS_FILE_TMPDIR/demo.out"
	assert [ "$output" -ge 30 ]
	run -0 cat "$BATS_FILE_TMPDIR/demo.out"
	assert_line "the gate said no (exit 1): model 3 stops here"
	assert_line "# Done. The records are in $BATS_FILE_TMPDIR/demo:"
	# The training logs went to their files; no step complained.
	run -0 cat "$BATS_FILE_TMPDIR/demo.err"
	assert_output ""
}

@test "lineage: pointer -> manifest -> run -> snapshot, and the verdict that let it through" {
	demo_copy
	m=reg/models/wdbc
	keep_record snapshot.json run1.json run2.json run3.json verdict1.json verdict2.json \
		verdict3.json model1.json model2.json pointer1.json pointer2.json pointer3.json \
		pointer4.json live.json "$m/current.json" "$m/audit.jsonl" \
		"$m/versions/2/model.json" "$m/versions/2/run.json"
	snapshot=$(jq -r .id snapshot.json)
	run2=$(jq -r .id run2.json)
	# The live pointer (version 2 again, after the rollback and the roll forward).
	run -0 jq -r '[.version, .seq, .action, .previous] | @tsv' "$m/current.json"
	assert_output $'2\t4\trollback\t1'
	run -0 jq -r .run "$m/current.json"
	assert_output "$run2"
	run -0 jq -r .snapshot "$m/current.json"
	assert_output "$snapshot"
	run -0 jq -r .manifest "$m/current.json"
	assert_output "$(jq -r .id "$m/versions/2/model.json")"
	run -0 jq -r '[.run, .snapshot] | @tsv' "$m/versions/2/model.json"
	assert_output "$run2"$'\t'"$snapshot"
	# The run names the data it trained on.
	run -0 jq -r .data.snapshot run2.json
	assert_output "$snapshot"
	# The verdict that promoted version 2: its candidate is the run, its
	# baseline the status record taken when version 1 was live.
	run -0 jq -r .verdict "$m/current.json"
	assert_output "$(jq -r .id verdict2.json)"
	run -0 jq -r '[.candidate.id, .candidate.kind] | @tsv' verdict2.json
	assert_output "$run2"$'\trun'
	run -0 jq -r '[.baseline.kind, .baseline.pointer] | @tsv' verdict2.json
	assert_output "status"$'\t'"$(jq -r .id pointer1.json)"
	run -0 jq -r .pass verdict2.json
	assert_output true
	run -0 jq -r '[.baseline.id, .baseline.pointer] | @tsv' verdict3.json
	assert_output "$(jq -r .id live.json)"$'\t'"$(jq -r .id pointer2.json)"
	# The bytes the gate judged are the bytes the run made and the registry serves.
	preds="sha256:$(sha256sum < out/2/preds.csv | cut -d' ' -f1)"
	run -0 jq -r '.artifacts[] | select(.path == "out/2/preds.csv") | .hash' run2.json
	assert_output "$preds"
	run -0 jq -r .candidate.predictions.hash verdict2.json
	assert_output "$preds"
	run -0 jq -r '.files[] | select(.path == "preds.csv") | .hash' "$m/versions/2/model.json"
	assert_output "$preds"
	run -0 cmp out/2/preds.csv "$m/versions/2/files/preds.csv"
	# The audit log's last line names the pointer now live.
	run -0 jq -r .ids.pointer <(tail -n 1 "$m/audit.jsonl")
	assert_output "$(jq -r .id "$m/current.json")"
	# The first version went live without a baseline, on its floors alone.
	run -0 jq -c '[.pass, .baseline]' verdict1.json
	assert_output '[true,null]'
	run -0 jq -r '[.checks[].status] | join(" ")' verdict1.json
	assert_output "pass pass skipped skipped"
	# The data is what the snapshot says, the archive too, the registry is whole.
	run -0 mlsnapshot verify snapshot.json data
	run -0 mlsnapshot verify snapshot.json data.tar.gz
	run --separate-stderr -0 mlpromote verify --registry reg
	assert_equal "$stderr" ""
}

@test "the audit log tells the whole story, chained by hash" {
	demo_copy
	log=reg/models/wdbc/audit.jsonl
	run -0 jq -r '[.line, .action, .version, (.seq // "-"), (.approved_by // "-")] | @tsv' "$log"
	assert_output "$(printf '%s\n' \
		$'1\tpublish\t1\t-\t-' $'2\tpromote\t1\t1\talice' \
		$'3\tpublish\t2\t-\t-' $'4\tpromote\t2\t2\talice' \
		$'5\trollback\t1\t3\t-' $'6\trollback\t2\t4\t-')"
	# Each line's prev is the SHA-256 of the exact bytes of the line before.
	for n in 2 3 4 5 6; do
		want="sha256:$(sed -n "$((n - 1))p" "$log" | sha256sum | cut -d' ' -f1)"
		run -0 jq -r .prev <(sed -n "${n}p" "$log")
		assert_output "$want"
	done
}

@test "the gate blocks model 3: exit 1, the relative rules fail, promote refuses its verdict" {
	demo_copy
	run -0 jq -r '[.checks[] | "\(.rule): \(.status)"] | join(", ")' verdict3.json
	assert_output "roc_auc >= 0.85: pass, f1 >= 0.70: pass, roc_auc >= baseline - 0.01: fail, f1 >= baseline - 0.02: fail"
	run -0 jq -r .candidate.id verdict3.json
	assert_output "$(jq -r .id run3.json)"
	# The same gate, taken now: version 2 is live again, so it is what model 3 meets.
	mlpromote status --registry reg --model wdbc > now.json
	mlpromote pull --registry reg --model wdbc base > pulled.json
	run --separate-stderr -1 mleval-compare --predictions --policy gate.policy --bootstrap 1000 \
		--candidate-run run3.json --baseline now.json base/preds.csv out/3/preds.csv
	keep_output verdict3-now.json
	now="$BATS_TEST_TMPDIR/verdict3-now.json"
	run -0 jq -r .pass "$now"
	assert_output false
	# Published, version 3 still cannot go live on a verdict that failed.
	run -0 mlpromote publish --registry reg --model wdbc --version 3 --run run3.json \
		-C out/3 model.json preds.csv
	run --separate-stderr -1 mlpromote promote --registry reg --model wdbc --version 3 \
		--verdict "$now" --approved-by alice
	run -0 jq -r .version reg/models/wdbc/current.json
	assert_output 2
	run -0 mlpromote verify --registry reg
}

@test "tampering with the data is caught by mlsnapshot verify" {
	demo_copy
	sed -i '2s/17\.99/17.98/' data/wdbc.csv
	run --separate-stderr -1 mlsnapshot verify snapshot.json data
	assert_output --partial "wdbc.csv"
	# A file slipped in beside the data is caught as well.
	cp "$MLGATE_ROOT/examples/data/wdbc.csv" data/wdbc.csv
	run -0 mlsnapshot verify snapshot.json data
	printf 'x\n' > data/extra.csv
	run --separate-stderr -1 mlsnapshot verify snapshot.json data
	assert_output --partial "extra.csv"
}

@test "tampering with a published artifact is caught by mlpromote verify" {
	demo_copy
	f=reg/models/wdbc/versions/2/files/preds.csv
	chmod u+w "$f" "$(dirname "$f")"
	sed -i '2s/,[01],/,9,/' "$f"
	run --separate-stderr -1 mlpromote verify --registry reg
	assert_equal "$output" ""
	assert [ -n "$stderr" ]
	assert_regex "$stderr" 'versions/2/files/preds\.csv'
}

@test "tampering with the audit log is caught by mlpromote verify" {
	demo_copy
	log=reg/models/wdbc/audit.jsonl
	chmod u+w "$log"
	sed -i '2s/"alice"/"mallo"/' "$log"
	run -0 grep -c mallo "$log"
	run --separate-stderr -1 mlpromote verify --registry reg
	assert_regex "$stderr" 'audit\.jsonl'
}

@test "a verdict taken before a rollback is stale: forward again is rollback --to" {
	demo_copy
	run -0 mlpromote rollback --registry reg --model wdbc
	# Version 1 is live again, but under a new pointer: version 2's verdict
	# was taken against the old one, so it cannot promote version 2 again.
	run --separate-stderr -1 mlpromote promote --registry reg --model wdbc --version 2 \
		--verdict verdict2.json --approved-by alice
	assert_regex "$stderr" 'stale'
	run -0 jq -r '[.version, .seq] | @tsv' reg/models/wdbc/current.json
	assert_output $'1\t5'
	run -0 mlpromote rollback --registry reg --model wdbc --to 2
	run -0 jq -r '[.version, .seq, .action] | @tsv' reg/models/wdbc/current.json
	assert_output $'2\t6\trollback'
	# Only to a version that was live at that stage before.
	run -0 mlpromote publish --registry reg --model wdbc --version 3 --run run3.json \
		-C out/3 model.json preds.csv
	run --separate-stderr -1 mlpromote rollback --registry reg --model wdbc --to 3
	assert_regex "$stderr" 'never live'
	run -0 mlpromote verify --registry reg
}

@test "demo: a MLGATE_DEMO_DIR it did not make is never wiped" {
	mkdir precious
	printf 'keep me\n' > precious/notes.txt
	run --separate-stderr -2 env MLGATE_DEMO_DIR="$PWD/precious" sh "$MLGATE_ROOT/examples/demo.sh"
	assert_equal "$stderr" "demo: '$PWD/precious' is not empty and not a demo's folder; not wiping it"
	run -0 cat precious/notes.txt
	assert_output "keep me"
	# The demo's own folder carries its mark, so the next run may wipe it.
	run -0 test -e "$BATS_FILE_TMPDIR/demo/.mlgate-demo"
}

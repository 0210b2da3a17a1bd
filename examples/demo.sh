#!/bin/sh
# mlgate's example pipeline, step by step: what `make demo` runs.
#
# Trains three logistic regressions on the Breast Cancer Wisconsin data
# (examples/data), gates each against what is live, promotes the good ones,
# shows the gate blocking the bad one, rolls back and forward, verifies the
# registry and prints its state. Every command is printed before it runs;
# README.md's tour is the same commands, and tests/readme.bats checks that.
#
# Environment: MLGATE_BUILD (default: build) holds bin/ with the tools;
# MLGATE_DEMO_DIR (default: build/demo) is wiped and used as the work dir.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${MLGATE_BUILD:-$root/build}
work=${MLGATE_DEMO_DIR:-$root/build/demo}
# Both are used after a cd: make them absolute.
case $build in /*) ;; *) build=$PWD/$build ;; esac
case $work in /*) ;; *) work=$PWD/$work ;; esac
PATH=$build/bin:$PATH
export PATH
# The demo shows a laptop's run: no CI context, no registry from outside.
unset MLGATE_REGISTRY GITHUB_STEP_SUMMARY

for tool in mlsnapshot mlrun-log mleval-compare mlpromote python3 jq; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "demo: '$tool' not found; run 'make demo' (it installs and builds what is missing)" >&2
		exit 2
	fi
done

bold='' plain=''
if [ -t 1 ]; then
	bold=$(printf '\033[1m') plain=$(printf '\033[0m')
fi
say() {
	printf '\n%s# %s%s\n' "$bold" "$*" "$plain"
}

# run CMD: prints CMD as a shell prompt would show it, then runs it.
run() {
	printf '$ %s\n' "$1"
	eval "$1"
}

trap 'echo "demo: the last step failed (exit $?); what it wrote is in $work (training output in train*.log)" >&2' EXIT

# build/demo is ours; a MLGATE_DEMO_DIR may point anywhere, so wipe it only
# when a demo made it, or when it is empty.
if [ -n "${MLGATE_DEMO_DIR:-}" ] && [ -d "$work" ] && [ ! -e "$work/.mlgate-demo" ] &&
	[ -n "$(ls -A "$work")" ]; then
	trap - EXIT
	echo "demo: '$work' is not empty and not a demo's folder; not wiping it" >&2
	exit 2
fi
rm -rf "$work"
mkdir -p "$work"
: > "$work/.mlgate-demo"
cp -R "$root/examples/data" "$root/examples/params" "$root/examples/train.py" \
	"$root/examples/gate.policy" "$work/"
cd "$work"
echo "mlgate demo in $work"

say "A registry: a directory. The 'current' stage needs a named approver."
run 'mlpromote init --registry reg --require-approval current'

say "1. What data: a content-hashed snapshot of data/, and a deterministic archive of it."
run 'mlsnapshot -o data.tar.gz data > snapshot.json'
run 'jq -c "{id, file_count, byte_count}" snapshot.json'

say "2. What run: model 1 uses two features. mlrun-log records params, metrics, data and artifacts."
run 'cat params/1.json'
run 'mlrun-log -d runs/1 -n wdbc --params params/1.json --data snapshot.json \
    -a out/1/model.json -a out/1/preds.csv \
    -- python3 train.py --params params/1.json --data data/wdbc.csv --out out/1 \
    > run1.json 2> train1.log'
run 'jq -c "{id, status, metrics, data}" run1.json'

say "3. What is live: nothing yet, so the first gate says --no-baseline out loud and keeps the floors."
run 'mlpromote status --registry reg --model wdbc > live.json'
run 'jq -c "{live, version}" live.json'
run 'cat gate.policy'
run 'mleval-compare --predictions --policy gate.policy --bootstrap 1000 --no-baseline \
    --candidate-run run1.json out/1/preds.csv > verdict1.json'
run 'jq -c "{pass, checks: [.checks[] | {rule, status}]}" verdict1.json'

say "4. Publish version 1 with its run record, and promote it with the verdict and an approver."
run 'mlpromote publish --registry reg --model wdbc --version 1 --run run1.json \
    -C out/1 model.json preds.csv > model1.json'
run 'mlpromote promote --registry reg --model wdbc --version 1 --verdict verdict1.json \
    --approved-by alice > pointer1.json'
run 'jq -c "{version, seq, approved_by, verdict}" pointer1.json'

say "5. Model 2 uses all 30 features."
run 'cat params/2.json'
run 'mlrun-log -d runs/2 -n wdbc --params params/2.json --data snapshot.json \
    -a out/2/model.json -a out/2/preds.csv \
    -- python3 train.py --params params/2.json --data data/wdbc.csv --out out/2 \
    > run2.json 2> train2.log'
run 'mlrun-log ls --format table runs'

say "6. The gate: a paired bootstrap of model 2 against the live model's own held-out predictions."
run 'mlpromote status --registry reg --model wdbc > live.json'
run 'mlpromote pull --registry reg --model wdbc base2 | jq -c "{model, version}"'
run 'mleval-compare --predictions --policy gate.policy --bootstrap 1000 \
    --candidate-run run2.json --baseline live.json base2/preds.csv out/2/preds.csv > verdict2.json'
run 'jq -c ".checks[] | {rule, status, delta, interval}" verdict2.json'
run 'mlpromote publish --registry reg --model wdbc --version 2 --run run2.json \
    -C out/2 model.json preds.csv > model2.json'
run 'mlpromote promote --registry reg --model wdbc --version 2 --verdict verdict2.json \
    --approved-by alice > pointer2.json'

say "7. Model 3 regularises too hard (l2 = 1.0). Its floors pass; the paired gate against production does not."
run 'cat params/3.json'
run 'mlrun-log -d runs/3 -n wdbc --params params/3.json --data snapshot.json \
    -a out/3/model.json -a out/3/preds.csv \
    -- python3 train.py --params params/3.json --data data/wdbc.csv --out out/3 \
    > run3.json 2> train3.log'
run 'mlpromote status --registry reg --model wdbc > live.json'
run 'mlpromote pull --registry reg --model wdbc base3 | jq -c "{model, version}"'
run 'mleval-compare --predictions --policy gate.policy --bootstrap 1000 \
    --candidate-run run3.json --baseline live.json base3/preds.csv out/3/preds.csv > verdict3.json \
    || echo "the gate said no (exit $?): model 3 stops here"'
run 'jq -c ".checks[] | {rule, status, delta, interval}" verdict3.json'

say "8. Undo in one command: back to version 1. Then forward again to version 2, which was live before."
run 'mlpromote rollback --registry reg --model wdbc > pointer3.json'
run 'jq -c "{version, seq, action, previous}" pointer3.json'
run 'mlpromote rollback --registry reg --model wdbc --to 2 > pointer4.json'
run 'jq -c "{version, seq, action, previous}" pointer4.json'

say "9. Verify: the data against its snapshot, the registry's hash chain, pointers and artifacts."
run 'mlsnapshot verify snapshot.json data'
run 'mlpromote verify --registry reg'

say "10. What is live, and how it got there."
run 'mlpromote status --registry reg --format table'
run 'mlpromote history --registry reg --model wdbc --format table'

trap - EXIT
say "Done. The records are in $work:"
cat <<EOF
  snapshot.json                       the data (data.tar.gz is its archive)
  run1.json run2.json run3.json       the runs (runs/N/ also holds metrics.jsonl)
  verdict1.json verdict2.json verdict3.json   the gates (3 failed)
  reg/models/wdbc/current.json        the live pointer
  reg/models/wdbc/audit.jsonl         the hash-chained audit log
  reg/models/wdbc/versions/N/         each published version: model.json, run.json, files/
Run it again with 'make demo': it starts from scratch each time.
EOF

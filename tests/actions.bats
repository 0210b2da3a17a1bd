#!/usr/bin/env bats
# The GitHub Actions of actions/: schema validation, static checks (no ${{ }}
# inside a run: script), shellcheck of every script, and each composite action
# and example workflow run locally by tests/actions-harness.py against the
# built tools.

bats_require_minimum_version 1.5.0
load helper
load oci/registry

teardown() {
	oci_registry_stop
}

HARNESS="$BATS_TEST_DIRNAME/actions-harness.py"
ACTIONS="$BATS_TEST_DIRNAME/../actions"
ADATA="$BATS_TEST_DIRNAME/data/actions"

# action-validator (npm), checking action.yml and workflows against the
# published schemas, installed once into build/node when missing. The same
# install, for a machine's setup:
#   npm install --no-audit --no-fund --prefix build/node @action-validator/cli@0.6.0 @action-validator/core@0.6.0
setup_file() {
	local root
	root=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	# Debian's python3 with python3-yaml when there: it starts faster than a shim.
	PYTHON=python3
	if /usr/bin/python3 -c 'import yaml' 2> /dev/null; then PYTHON=/usr/bin/python3; fi
	export PYTHON
	export ACTION_VALIDATOR="$root/build/node/node_modules/.bin/action-validator"
	if [ ! -x "$ACTION_VALIDATOR" ]; then
		mkdir -p "$root/build/node"
		flock "$root/build/node/.lock" sh -c '[ -x "$1" ] || npm install --no-audit --no-fund --loglevel=error \
			--prefix "$2" @action-validator/cli@0.6.0 @action-validator/core@0.6.0 >&2' \
			sh "$ACTION_VALIDATOR" "$root/build/node"
	fi
}

# harness MODE TARGET [ARGS]: the harness with its runner files in
# $HARNESS_STATE, or a fresh folder of this test's; the result's .state names it.
harness() {
	local state=${HARNESS_STATE:-$(mktemp -d "$BATS_TEST_TMPDIR/state.XXXXXX")}
	"$PYTHON" "$HARNESS" "$@" --state "$state"
}

# result FILTER: jq -r over the last harness run's JSON result (stdout).
result() {
	printf '%s\n' "$output" | jq -r "$1"
}

# A stand-in for GitHub's gh on PATH: logs each call with the token it got,
# answers the approvals API from $FAKE_GH_APPROVALS, keeps PR comment bodies.
fake_gh() {
	mkdir -p "$BATS_TEST_TMPDIR/fakebin"
	cat > "$BATS_TEST_TMPDIR/fakebin/gh" <<'EOF'
#!/bin/bash
printf 'gh %s token=%s\n' "$*" "${GH_TOKEN:-}" >> "$FAKE_GH_LOG"
case "$1 $2" in
"api repos/"*) cat "$FAKE_GH_APPROVALS" ;;
"pr comment")
	while [ $# -gt 0 ]; do
		if [ "$1" = --body-file ]; then cp "$2" "$FAKE_GH_LOG.body"; fi
		shift
	done ;;
*) echo "fake gh: unexpected call" >&2; exit 1 ;;
esac
EOF
	chmod +x "$BATS_TEST_TMPDIR/fakebin/gh"
	export FAKE_GH_LOG="$BATS_TEST_TMPDIR/gh.log"
	export FAKE_GH_APPROVALS="${1:-$ADATA/approvals.json}"
	PATH="$BATS_TEST_TMPDIR/fakebin:$PATH"
}

# A training script that prints metric lines and writes model.bin.
make_train() { # make_train F1 ROC_AUC
	cat > train.sh <<EOF
echo '{"epoch":1,"f1":0.5,"roc_auc":0.6}'
echo 'not a metric line'
echo '{"epoch":2,"f1":$1,"roc_auc":$2}'
echo "model f1=$1" > model.bin
EOF
}

# readme_snippet [FILE]: the first ```yaml block of FILE's "## GitHub Actions"
# section: README.md's once the snippet is merged there, else actions/README.md's.
readme_snippet() {
	local f=${1:-}
	if [ -z "$f" ]; then
		f="$MLGATE_ROOT/README.md"
		[ -n "$(readme_snippet "$f")" ] || f="$ACTIONS/README.md"
	fi
	awk '/^## / { sec = ($0 == "## GitHub Actions") } sec && /^```yaml$/ && !done { on = 1; next }
		on && /^```$/ { on = 0; done = 1 } on' "$f"
}

# A registry with version 1 live (f1 0.80) and records of a candidate (f1 $1).
seed_registry() {
	mlpromote init --registry reg
	make_train 0.80 0.85
	mlrun-log -d runs/v1 -a model.bin -- bash train.sh > run1.json 2> /dev/null
	mleval-compare --no-baseline --rule 'f1 >= 0.5' run1.json > verdict1.json
	mlpromote publish --registry reg --model churn --version 1 --run run1.json model.bin > /dev/null
	mlpromote promote --registry reg --model churn --version 1 --verdict verdict1.json \
		--approved-by seed > /dev/null
	mlpromote status --registry reg --model churn > live.json
}

# --- static checks ------------------------------------------------------------

@test "every action.yml, example workflow and the README snippet validate against the published schemas" {
	readme_snippet "$ACTIONS/README.md" > snippet.yml
	readme_snippet "$MLGATE_ROOT/README.md" > top-snippet.yml
	[ -s snippet.yml ]
	local f n=0
	for f in "$ACTIONS"/*/action.yml "$ACTIONS"/examples/*.yml snippet.yml; do
		run -0 "$ACTION_VALIDATOR" "$f"
		n=$((n + 1))
	done
	[ "$n" -eq 8 ]
	if [ -s top-snippet.yml ]; then run -0 "$ACTION_VALIDATOR" top-snippet.yml; fi
}

@test "action-validator rejects a broken workflow (the validation is real)" {
	printf 'name: x\non: push\njobs:\n  a:\n    steps:\n      - run: true\n' > broken.yml
	run -1 "$ACTION_VALIDATOR" broken.yml
	assert_output --partial 'runs-on'
}

@test "no \${{ }} inside any run: script; every input, output and shell documented and declared" {
	readme_snippet > snippet.yml
	run -0 "$PYTHON" "$HARNESS" lint "$ACTIONS"/*/action.yml "$ACTIONS"/examples/*.yml snippet.yml
	assert_output ''
	# the same check on the text, without YAML: the lines of run: scripts
	run -0 run_script_expressions "$ACTIONS"/*/action.yml "$ACTIONS"/examples/*.yml snippet.yml
	assert_output ''
	run -0 run_script_expressions "$ADATA/bad-action/action.yml"
	assert_output "$ADATA/bad-action/action.yml:15:      run: echo \"id=\${{ inputs.model }}\" >> \"\$GITHUB_OUTPUT\"
$ADATA/bad-action/action.yml:16:    - run: echo \"\${{ inputs.undeclared }}\""
}

# run_script_expressions FILE...: every line of a run: script (one-line or
# block) that holds a ${{, as FILE:LINE: text.
run_script_expressions() {
	awk '
	FNR == 1 { inrun = 0 }
	inrun {
		match($0, /^ */)
		if ($0 !~ /^ *$/ && RLENGTH <= ind) inrun = 0
		else if (index($0, "${{")) print FILENAME ":" FNR ":" $0
	}
	!inrun && /^[ -]*run: *[|>][-+]? *$/ { match($0, /^[ -]*/); ind = RLENGTH; inrun = 1; next }
	!inrun && /^[ -]*run: / && index($0, "${{") { print FILENAME ":" FNR ":" $0 }
	' "$@"
}

@test "the lint finds an expression in run:, a step without shell and an undeclared input" {
	run -1 "$PYTHON" "$HARNESS" lint "$ADATA/bad-action/action.yml"
	assert_line --partial 'step 1 (None): ${{ }} inside run:'
	assert_line --partial 'step 2: a composite run step needs shell: bash'
	assert_line --partial 'output id has no description'
	assert_line --partial 'inputs.undeclared is used but not declared'
	[ "${#lines[@]}" -eq 5 ]
}

@test "every run: script passes shellcheck" {
	readme_snippet > snippet.yml
	mkdir scripts
	run -0 "$PYTHON" "$HARNESS" scripts scripts "$ACTIONS"/*/action.yml "$ACTIONS"/examples/*.yml snippet.yml
	[ "${#lines[@]}" -ge 15 ]
	run -0 shellcheck -s bash scripts/*.sh
}

# --- the harness itself ---------------------------------------------------------

@test "harness: GitHub's expression semantics" {
	run -0 "$PYTHON" "$HARNESS" eval "\${{ 1 == '1' && 'A' == 'a' && null == 0 && !('' || 0) }}"
	assert_output 'true'
	run -0 "$PYTHON" "$HARNESS" eval "\${{ format('{0}-{{1}}', github.run_id) }} \${{ inputs.x || 'dflt' }}"
	assert_output '"1000-{1} dflt"'
	run -0 "$PYTHON" "$HARNESS" eval "\${{ contains(fromJSON('[\"a\",\"b\"]'), 'B') && startsWith('oci://x', 'OCI://') }}"
	assert_output 'true'
	run -2 "$PYTHON" "$HARNESS" eval "\${{ nosuch.context }}"
	assert_output --partial "unknown context 'nosuch'"
}

@test "harness: outputs, GITHUB_ENV, GITHUB_PATH, summary, annotations, stubs and failure() as the runner" {
	run --separate-stderr -0 harness action "$ADATA/selftest" --stub-output stubbed.answer=42
	[ "$(result .status)" = success ]
	[ "$(result .outputs.word)" = OCTOCAT ]
	[ "$(result .outputs.lines)" = $'first\nsecond' ]
	[ "$(result '.outputs["seen-env"]')" = "from-env-file:$(result .state)/runner-temp/extra-bin:selftest" ]
	[ "$(result .outputs.stub)" = 42 ]
	[ "$(result '.outputs["after-failure"]')" = '' ]
	[ "$(result .summary)" = '## summary from octocat' ]
	[ "$(result '.annotations[0].message')" = $'100% done\nand a second line' ]
	[ "$(result '.steps[1].stubbed')" = true ]
	[[ $stderr == *"STUBBED uses: actions/cache@v4"* ]]
	run --separate-stderr -1 harness action "$ADATA/selftest" --input fail=true
	[ "$(result .status)" = failure ]
	[ "$(result '.outputs["after-failure"]')" = yes ]
	[ "$(result '.outputs["seen-env"]')" = '' ]
}

# --- setup ------------------------------------------------------------------------

@test "setup: runs make install from its own checkout, outside it, into a prefix, and puts the tools on PATH" {
	# The build folder starts as a copy of the plain build (mtimes kept; never the
	# sanitizer one, whose objects the action's flags cannot link), so make finds
	# the objects up to date, rebuilds only what changed, and installs: a
	# from-scratch build takes minutes on a busy 2-core machine, and `make check`
	# has just done it.
	local state plain="$MLGATE_ROOT/build"
	state=$(mktemp -d "$BATS_TEST_TMPDIR/state.XXXXXX")
	mkdir -p "$state/runner-temp/mlgate-build"
	if [ -f "$plain/libcommon.a" ]; then
		cp -a "$plain"/bin "$plain"/cmd "$plain"/common "$plain"/libcommon.a "$state/runner-temp/mlgate-build/"
	fi
	HARNESS_STATE=$state run --separate-stderr -0 harness action "$ACTIONS/setup" --input prefix=inst
	[ "$(result .status)" = success ]
	local bin="$BATS_TEST_TMPDIR/inst/bin"
	[ "$(result '.outputs["bin-dir"]')" = "$bin" ]
	[ "$(result '.path[0]')" = "$bin" ]
	for t in mlsnapshot mlrun-log mleval-compare mlpromote; do
		[ -x "$bin/$t" ] && [ ! -L "$bin/$t" ]
		cmp "$bin/$t" "$state/runner-temp/mlgate-build/bin/$t"
	done
	[ -f "$BATS_TEST_TMPDIR/inst/share/man/man7/mlgate.7" ]
	[ "$(result .outputs.version)" = "$("$bin/mlpromote" --version | head -n 1)" ]
	[[ $(result '.outputs["source-hash"]') =~ ^[0-9a-f]{64}$ ]]
	[ "$(result '.outputs["cache-hit"]')" = false ]
	[[ $stderr == *"STUBBED uses: actions/cache@v4"*"mlgate-Linux-X64-local-0-$(result '.outputs["source-hash"]')"* ]]
	[[ $stderr == *"make: Entering directory '$MLGATE_ROOT'"* ]]
	[[ $stderr == *"mlgate setup: mlpromote (mlgate) "*" in $bin"* ]]
	# the checkout is left as it was: no build/ output of this run inside it
	[ -z "$(find "$MLGATE_ROOT" -path "$MLGATE_ROOT/build" -prune -o -newer "$state/runner-temp" -name '*.o' -print)" ]
}

@test "setup: a cache hit skips the build; a missing tool is an error" {
	mkdir -p pre/bin
	for t in mlsnapshot mlrun-log mleval-compare mlpromote; do ln -s "$MLGATE_BUILD/bin/$t" pre/bin/; done
	run --separate-stderr -0 harness action "$ACTIONS/setup" --input prefix=pre --input install-packages=false \
		--stub-output cache.cache-hit=true
	[ "$(result '.outputs["cache-hit"]')" = true ]
	[ ! -e "$(result .state)/runner-temp/mlgate-build" ]
	[ "$(result '.steps[0].conclusion')" = skipped ]
	rm pre/bin/mlrun-log
	run --separate-stderr -1 harness action "$ACTIONS/setup" --input prefix=pre --input install-packages=false \
		--stub-output cache.cache-hit=true
	[ "$(result '.annotations[0].message')" = "mlrun-log is missing from $BATS_TEST_TMPDIR/pre/bin" ]
}

@test "setup: the cache key follows the sources that go into the binaries, and only those" {
	mkdir -p copy/actions pre/bin
	cp -r "$MLGATE_ROOT/Makefile" "$MLGATE_ROOT/common" "$MLGATE_ROOT/cmd" copy/
	cp -r "$ACTIONS/setup" copy/actions/
	for t in mlsnapshot mlrun-log mleval-compare mlpromote; do ln -s "$MLGATE_BUILD/bin/$t" pre/bin/; done
	local args=(--input prefix=pre --input install-packages=false --stub-output cache.cache-hit=true)
	run --separate-stderr -0 harness action copy/actions/setup "${args[@]}"
	local h1
	h1=$(result '.outputs["source-hash"]')
	echo '# notes' > copy/common/NOTES.md
	run --separate-stderr -0 harness action copy/actions/setup "${args[@]}"
	[ "$(result '.outputs["source-hash"]')" = "$h1" ]
	echo '/* changed */' >> copy/common/err.c
	run --separate-stderr -0 harness action copy/actions/setup "${args[@]}"
	[ "$(result '.outputs["source-hash"]')" != "$h1" ]
}

@test "setup: installs only the missing Debian packages with apt-get, through sudo when not root" {
	mkdir -p fakebin pre/bin
	for t in mlsnapshot mlrun-log mleval-compare mlpromote; do ln -s "$MLGATE_BUILD/bin/$t" pre/bin/; done
	printf '#!/bin/sh\necho "install ok installed jq"\necho "install ok installed zstd"\n' > fakebin/dpkg-query
	printf '#!/bin/sh\necho "apt-get $*" >> "%s/apt.log"\n' "$BATS_TEST_TMPDIR" > fakebin/apt-get
	printf '#!/bin/sh\necho "sudo $1" >> "%s/apt.log"\nexec "$@"\n' "$BATS_TEST_TMPDIR" > fakebin/sudo
	printf '#!/bin/sh\necho 1000\n' > fakebin/id
	chmod +x fakebin/*
	PATH="$BATS_TEST_TMPDIR/fakebin:$PATH" run --separate-stderr -0 harness action "$ACTIONS/setup" \
		--input prefix=pre --stub-output cache.cache-hit=true
	[ "$(result '.steps[0].conclusion')" = success ]
	[ "$(cat apt.log)" = "sudo apt-get
apt-get update -q
sudo apt-get
apt-get install -y -q --no-install-recommends build-essential pkg-config libarchive-dev libcjson-dev libsodium-dev libssl-dev libcurl4-openssl-dev" ]
}

# --- snapshot and run-log ---------------------------------------------------------

@test "snapshot: record, id, counts, excludes and archive as outputs" {
	mkdir -p data/sub
	printf 'a,b\n1,2\n' > data/train.csv
	printf 'x\n' > data/sub/eval.csv
	printf 'tmp\n' > data/scratch.tmp
	run --separate-stderr -0 harness action "$ACTIONS/snapshot" --input path=data \
		--input output=records/snapshot.json --input archive=data.tar.gz --input exclude=$'*.tmp\n'
	[ "$(result .status)" = success ]
	[ "$(result '.outputs["snapshot-id"]')" = "$(jq -r .id records/snapshot.json)" ]
	[[ $(result '.outputs["snapshot-id"]') =~ ^sha256:[0-9a-f]{64}$ ]]
	[ "$(result '.outputs["file-count"]')" = 2 ]
	[ "$(result '.outputs["byte-count"]')" = 10 ]
	[ "$(result .outputs.record)" = records/snapshot.json ]
	[ "$(result .outputs.archive)" = data.tar.gz ]
	[ -s data.tar.gz ]
	[ "$(jq -c .excludes records/snapshot.json)" = '["*.tmp"]' ]
	keep_record records/snapshot.json
}

@test "run-log: trains under mlrun-log with params, tags, data and artifacts; outputs the run" {
	mkdir data && echo 1 > data/x
	mlsnapshot data > snapshot.json
	make_train 0.8 0.9
	run --separate-stderr -0 harness action "$ACTIONS/run-log" --input command='bash train.sh' \
		--input params=$'lr=0.05\nseed=42\n' --input tags='team=risk' --input name=churn \
		--input data=snapshot.json --input artifacts=model.bin --input output=records/run.json
	[ "$(result .status)" = success ]
	[ "$(result '.outputs["run-id"]')" = "$(jq -r .id records/run.json)" ]
	[ "$(result .outputs.status)" = finished ]
	[ "$(result '.outputs["exit-code"]')" = 0 ]
	[ "$(result '.outputs["run-dir"]')" = runs/github-1000-1-harness ]
	[ -s runs/github-1000-1-harness/run.json ]
	[ "$(jq -c .params records/run.json)" = '{"lr":0.05,"seed":42}' ]
	[ "$(jq -r .metrics.f1 records/run.json)" = 0.8 ]
	[ "$(jq -r .data.snapshot records/run.json)" = "$(jq -r .id snapshot.json)" ]
	[ "$(jq -r '.artifacts[0].path' records/run.json)" = model.bin ]
	[ "$(jq -r .name records/run.json)" = churn ]
	[[ $stderr == *'not a metric line'* ]]
	keep_record records/run.json
	# a second run in the same job gets its own folder
	run --separate-stderr -0 harness action "$ACTIONS/run-log" --input command='bash train.sh'
	[ "$(result '.outputs["run-dir"]')" = runs/github-1000-1-harness-2 ]
}

@test "run-log: a failing training command fails the step with its status, the record still written" {
	run --separate-stderr -1 harness action "$ACTIONS/run-log" --input command='echo "{\"loss\":1}"; exit 7'
	[ "$(result .status)" = failure ]
	[ "$(result '.outputs["exit-code"]')" = 7 ]
	[ "$(result .outputs.status)" = failed ]
	[ "$(jq -r .exit_code run.json)" = 7 ]
	[ "$(result '.annotations[0].message')" = 'training failed with exit status 7' ]
	keep_record run.json
}

# --- eval-gate --------------------------------------------------------------------

@test "eval-gate: a passing gate sets pass=true, writes verdict and markdown, and the tool fills the summary" {
	echo '{"metrics":{"f1":0.80,"roc_auc":0.85}}' > base.json
	echo '{"metrics":{"f1":0.82,"roc_auc":0.86}}' > cand.json
	run --separate-stderr -0 harness action "$ACTIONS/eval-gate" --input baseline=base.json \
		--input candidate=cand.json --input rules=$'f1 >= baseline + 0.01\nroc_auc >= 0.80\n' \
		--input junit=junit.xml
	[ "$(result .status)" = success ]
	[ "$(result .outputs.pass)" = true ]
	[ "$(result '.outputs["failed-rules"]')" = 0 ]
	[ "$(result '.outputs["verdict-id"]')" = "$(jq -r .id verdict.json)" ]
	[ "$(jq -r .pass verdict.json)" = true ]
	[ "$(jq -r '.checks | length' verdict.json)" = 2 ]
	[ -s verdict.md ] && [ -s junit.xml ]
	[[ $(result .summary) == *'f1 >= baseline + 0.01'* ]]
	[ "$(result '.annotations | length')" = 0 ]
	keep_record verdict.json
}

@test "eval-gate: a blocked gate fails the step, pass=false, one ::error:: per failed rule" {
	echo '{"metrics":{"f1":0.80,"roc_auc":0.85,"latency_ms":10}}' > base.json
	echo '{"metrics":{"f1":0.79,"roc_auc":0.70,"latency_ms":10}}' > cand.json
	run --separate-stderr -1 harness action "$ACTIONS/eval-gate" --input baseline=base.json \
		--input candidate=cand.json --input output=out/verdict.json \
		--input rules=$'f1 >= baseline + 0.01\nroc_auc >= 0.80\nlatency_ms <= baseline * 1.05'
	[ "$(result .status)" = failure ]
	[ "$(result .outputs.pass)" = false ]
	[ "$(result '.outputs["failed-rules"]')" = 2 ]
	[ "$(result '[.annotations[] | select(.title == "mlgate gate failed")] | length')" = 2 ]
	[[ $(result '.annotations[0].message') == 'f1 >= baseline + 0.01: '* ]]
	[[ $(result '.annotations[1].message') == 'roc_auc >= 0.80: '* ]]
	[[ $stderr == *'::error title=mlgate gate failed::f1 >= baseline + 0.01: '* ]]
	[[ $(result .summary) == *'roc_auc >= 0.80'* ]]
	[ "$(jq -r .pass out/verdict.json)" = false ]
	keep_record out/verdict.json
}

@test "eval-gate: no baseline on a first model skips relative rules and keeps floors" {
	echo '{"metrics":{"f1":0.79}}' > cand.json
	run --separate-stderr -0 harness action "$ACTIONS/eval-gate" --input candidate=cand.json \
		--input no-baseline=true --input rules=$'f1 >= baseline + 0.01\nf1 >= 0.5'
	[ "$(result .outputs.pass)" = true ]
	[ "$(jq -r '.checks[0].status' verdict.json)" = skipped ]
	keep_record verdict.json
}

@test "eval-gate: predictions mode hands the CSVs, the candidate run and the bootstrap to the tool" {
	cp "$ADATA/preds-cand.csv" preds.csv
	mlrun-log -d runs/c -a preds.csv < /dev/null > run.json 2> /dev/null
	run --separate-stderr -0 harness action "$ACTIONS/eval-gate" --input predictions=true \
		--input baseline="$ADATA/preds-base.csv" --input candidate=preds.csv --input candidate-run=run.json \
		--input bootstrap=50 --input seed=1 --input confidence=0.9 \
		--input rules=$'roc_auc >= baseline\naccuracy >= 0.6'
	[ "$(result .outputs.pass)" = true ]
	[ "$(jq -c .bootstrap verdict.json)" = '{"confidence":0.9,"n":50,"seed":1}' ]
	[ "$(jq -r .candidate.id verdict.json)" = "$(jq -r .id run.json)" ]
	[ "$(jq -r '.checks[0].interval | length' verdict.json)" = 2 ]
	keep_record verdict.json run.json
}

@test "eval-gate: input that cannot be judged fails the step; rule text never runs as shell" {
	echo '{"metrics":{"f1":0.8}}' > cand.json
	run --separate-stderr -1 harness action "$ACTIONS/eval-gate" --input candidate=cand.json \
		--input no-baseline=true --input rules='f1 >= $(touch pwned) `touch pwned2`'
	[ "$(result .status)" = failure ]
	[ "$(result .outputs.pass)" = '' ]
	[[ $(result '.annotations[0].message') == 'mleval-compare could not judge (exit status 2)'* ]]
	[ ! -e pwned ] && [ ! -e pwned2 ]
}

@test "eval-gate: pr-comment posts the table on a pull request with the token, and only there" {
	fake_gh
	echo '{"metrics":{"f1":0.80}}' > base.json
	echo '{"metrics":{"f1":0.70}}' > cand.json
	run --separate-stderr -1 harness action "$ACTIONS/eval-gate" --input baseline=base.json \
		--input candidate=cand.json --input rules='f1 >= baseline' --input pr-comment=true \
		--event pull_request --event-json "$ADATA/pull_request.json"
	[ "$(result .outputs.pass)" = false ]
	[ "$(cat gh.log)" = 'gh pr comment 42 --repo example/churn --body-file verdict.md token=ghs_harness_token' ]
	cmp gh.log.body verdict.md
	# a comment that cannot be posted is a warning; the gate's result stands
	printf '#!/bin/sh\nexit 1\n' > "$BATS_TEST_TMPDIR/fakebin/gh"
	echo '{"metrics":{"f1":0.90}}' > better.json
	run --separate-stderr -0 harness action "$ACTIONS/eval-gate" --input baseline=base.json \
		--input candidate=better.json --input rules='f1 >= baseline' --input pr-comment=true \
		--event pull_request --event-json "$ADATA/pull_request.json"
	[ "$(result .outputs.pass)" = true ]
	[ "$(result '.annotations[0].message')" = 'could not comment on pull request 42 (the token needs pull-requests write)' ]
	rm gh.log
	run --separate-stderr -1 harness action "$ACTIONS/eval-gate" --input baseline=base.json \
		--input candidate=cand.json --input rules='f1 >= baseline' --input pr-comment=true
	[ ! -e gh.log ]
	[ "$(result '.annotations[] | select(.level == "notice") | .message')" = 'not a pull request: no comment posted' ]
}

# --- promote ----------------------------------------------------------------------

@test "promote: publishes and promotes, recording the environment's reviewer as the approver" {
	fake_gh
	seed_registry
	make_train 0.85 0.90
	mlrun-log -d runs/v2 -a model.bin -- bash train.sh > run2.json 2> /dev/null
	mleval-compare --rule 'f1 >= baseline + 0.01' live.json run2.json > verdict2.json
	mlpromote keygen -p pub.key -s sec.key
	run --separate-stderr -0 harness action "$ACTIONS/promote" --input registry=reg --input model=churn \
		--input version=2 --input files=model.bin --input run=run2.json --input verdict=verdict2.json \
		--input environment=production --input sign-key=sec.key
	[ "$(result .status)" = success ]
	[ "$(result .outputs.version)" = 2 ]
	[ "$(result .outputs.seq)" = 2 ]
	[ "$(result .outputs.stage)" = current ]
	[ "$(result '.outputs["approved-by"]')" = carol ]
	[ "$(result '.outputs["approval-source"]')" = environment ]
	[ "$(result '.outputs["pointer-id"]')" = "$(jq -r .id pointer.json)" ]
	[ "$(cat gh.log)" = 'gh api repos/example/churn/actions/runs/1000/approvals token=ghs_harness_token' ]
	[ "$(tail -n 1 reg/models/churn/audit.jsonl | jq -r .approved_by)" = carol ]
	[ "$(tail -n 1 reg/models/churn/audit.jsonl | jq -r .actor)" = octocat ]
	[ "$(mlpromote status --registry reg --model churn | jq -r .version)" = 2 ]
	run -0 minisign -V -q -p pub.key -m reg/models/churn/current.json
	keep_record pointer.json
	# the approval of another environment counts only for that one
	run --separate-stderr -0 harness action "$ACTIONS/promote" --input registry=reg --input model=churn \
		--input version=2 --input verdict=verdict2.json --input environment=staging
	[ "$(result '.outputs["approved-by"]')" = sam ]
}

@test "promote: no approval found falls back to github.actor and says so in the audit line, unless told not to" {
	fake_gh
	echo '[]' > none.json
	FAKE_GH_APPROVALS=$BATS_TEST_TMPDIR/none.json
	seed_registry
	make_train 0.85 0.90
	mlrun-log -d runs/v2 -a model.bin -- bash train.sh > run2.json 2> /dev/null
	mleval-compare --rule 'f1 >= baseline' live.json run2.json > verdict2.json
	run --separate-stderr -1 harness action "$ACTIONS/promote" --input registry=reg --input model=churn \
		--input version=2 --input files=model.bin --input verdict=verdict2.json --input fallback-to-actor=false
	[ "$(result '.annotations[0].message')" = 'no environment approval found for this run, and fallback-to-actor is off' ]
	[ "$(mlpromote status --registry reg --model churn | jq -r .version)" = 1 ]
	run --separate-stderr -0 harness action "$ACTIONS/promote" --input registry=reg --input model=churn \
		--input version=2 --input files=model.bin --input run=run2.json --input verdict=verdict2.json \
		--github actor=dave
	[ "$(result '.outputs["approved-by"]')" = dave ]
	[ "$(result '.outputs["approval-source"]')" = actor ]
	[ "$(result '.annotations[0].level')" = warning ]
	[ "$(result '.annotations[0].message')" = 'no environment approval found for this run: recording github.actor (dave) as the approver' ]
	[ "$(tail -n 1 reg/models/churn/audit.jsonl | jq -r .approved_by)" = 'dave (github.actor: no environment approval found)' ]
	# an explicit approver needs no lookup
	rm gh.log
	run --separate-stderr -0 harness action "$ACTIONS/promote" --input registry=reg --input model=churn \
		--input version=2 --input verdict=verdict2.json --input approved-by=erin
	[ "$(result '.outputs["approval-source"]')" = input ]
	[ ! -e gh.log ]
}

@test "promote: a stale verdict is refused, the step fails and the registry keeps its live version" {
	fake_gh
	seed_registry
	make_train 0.85 0.90
	mlrun-log -d runs/v2 -a model.bin -- bash train.sh > run2.json 2> /dev/null
	mleval-compare --no-baseline --rule 'f1 >= 0.5' run2.json > stale.json
	run --separate-stderr -1 harness action "$ACTIONS/promote" --input registry=reg --input model=churn \
		--input version=2 --input files=model.bin --input run=run2.json --input verdict=stale.json
	[ "$(result .status)" = failure ]
	[[ $(result '.annotations[0].message') == 'mlpromote promote refused churn 2 (exit status 1)'* ]]
	[ "$(mlpromote status --registry reg --model churn | jq -r .version)" = 1 ]
}

@test "promote: registry credentials reach mlpromote only for an oci:// registry" {
	fake_gh
	mkdir -p "$BATS_TEST_TMPDIR/fakebin"
	cat > "$BATS_TEST_TMPDIR/fakebin/mlpromote" <<'EOF'
#!/bin/bash
printf '%s user=%s password=%s registry=%s\n' "$1" "${MLGATE_OCI_USERNAME-unset}" \
	"${MLGATE_OCI_PASSWORD-unset}" "$MLGATE_REGISTRY" >> "$BATS_TEST_TMPDIR/mlpromote.log"
echo '{"version":"3","seq":4,"id":"sha256:0"}'
EOF
	chmod +x "$BATS_TEST_TMPDIR/fakebin/mlpromote"
	export BATS_TEST_TMPDIR
	run --separate-stderr -0 harness action "$ACTIONS/promote" --input registry=oci://ghcr.io/example/models \
		--input model=churn --input version=3 --input verdict=v.json --input approved-by=carol
	[ "$(cat mlpromote.log)" = 'promote user=octocat password=ghs_harness_token registry=oci://ghcr.io/example/models' ]
	rm mlpromote.log
	run --separate-stderr -0 harness action "$ACTIONS/promote" --input registry=reg \
		--input model=churn --input version=3 --input verdict=v.json --input approved-by=carol
	[ "$(cat mlpromote.log)" = 'promote user=unset password=unset registry=reg' ]
}

# --- the example workflows and the README snippet -----------------------------------

# example_workspace: the repository's example job in this test's workspace, and
# the tools where setup's (stubbed) cache restores them.
example_workspace() {
	cp -r "$MLGATE_ROOT/examples" .
}

# workflow FILE [ARGS]: runs an example workflow; setup's cache hit is stubbed
# with the built tools in its prefix, so it does not build again.
workflow() {
	local file=$1
	shift
	local state
	state=$(mktemp -d "$BATS_TEST_TMPDIR/state.XXXXXX")
	mkdir -p "$state/runner-temp/mlgate/bin"
	for t in mlsnapshot mlrun-log mleval-compare mlpromote; do
		ln -s "$MLGATE_BUILD/bin/$t" "$state/runner-temp/mlgate/bin/"
	done
	# python3 is Debian's, for speed (see setup_file)
	mkdir -p "$BATS_TEST_TMPDIR/fakebin"
	ln -sf "$(command -v "$PYTHON")" "$BATS_TEST_TMPDIR/fakebin/python3"
	HARNESS_STATE=$state PATH="$BATS_TEST_TMPDIR/fakebin:$PATH" harness workflow "$file" --stub-output cache.cache-hit=true --env REGISTRY=reg \
		--env "TRAIN_COMMAND=${TRAIN:-python3 examples/train.py --data examples/data/wdbc.csv --out out --epochs 8}" \
		"$@"
}

@test "train-gate-promote: first model, a better one, then rollback.yml walks back" {
	fake_gh
	example_workspace
	run --separate-stderr -0 workflow "$ACTIONS/examples/train-gate-promote.yml" \
		--event workflow_dispatch --input first-model=true --github run_number=1
	[ "$(result .status)" = success ]
	[ "$(result .jobs.gate.outputs.pass)" = true ]
	[ "$(result .jobs.gate.result)" = success ]
	[ "$(result .jobs.promote.result)" = success ]
	[ "$(result .jobs.gate.outputs.version)" = 1.1 ]
	[ "$(jq -r '.checks[0].status' records/verdict.json)" = skipped ]
	[ "$(mlpromote status --registry reg --model wdbc | jq -r .version)" = 1.1 ]
	[[ $stderr == *"environment 'production': approval by its required reviewers STUBBED"* ]]
	[[ $(result .summary) == *'wdbc 1.1 is live (approved by carol)'* ]]
	keep_record records/snapshot.json records/run.json records/verdict.json records/pointer.json
	# a push to main: gated against what is live, promoted with the reviewer's name
	rm -rf out records runs
	TRAIN='python3 examples/train.py --data examples/data/wdbc.csv --out out --epochs 12' \
		run --separate-stderr -0 workflow "$ACTIONS/examples/train-gate-promote.yml" --github run_number=2
	[ "$(result .jobs.promote.result)" = success ]
	[ "$(jq -r '.checks | map(.status) | join(",")' records/verdict.json)" = pass,pass,pass ]
	[ "$(jq -r .baseline.pointer records/verdict.json)" != null ]
	[ "$(mlpromote status --registry reg --model wdbc | jq -r .version)" = 2.1 ]
	[ "$(tail -n 1 reg/models/wdbc/audit.jsonl | jq -r .approved_by)" = carol ]
	[ "$(jq -r .data.snapshot records/run.json)" = "$(jq -r .id records/snapshot.json)" ]
	# rollback.yml: back to 1.1
	run --separate-stderr -0 workflow "$ACTIONS/examples/rollback.yml" --event workflow_dispatch
	[ "$(result .status)" = success ]
	[ "$(mlpromote status --registry reg --model wdbc | jq -r .version)" = 1.1 ]
	[ "$(tail -n 1 reg/models/wdbc/audit.jsonl | jq -r .action)" = rollback ]
	[[ $(result .summary) == *'wdbc rolled back: 1.1 is live at current'* ]]
	keep_record pointer.json
	# and forward to a given version
	run --separate-stderr -0 workflow "$ACTIONS/examples/rollback.yml" --event workflow_dispatch \
		--input version=2.1
	[ "$(mlpromote status --registry reg --model wdbc | jq -r .version)" = 2.1 ]
}

@test "train-gate-promote on an OCI registry: first model, a better one, rollback; skopeo pulls :current" {
	fake_gh
	example_workspace
	oci_registry_start plain
	local reg=oci://$OCI_HOST/models
	run --separate-stderr -0 workflow "$ACTIONS/examples/train-gate-promote.yml" --env "REGISTRY=$reg" \
		--event workflow_dispatch --input first-model=true --github run_number=1
	[ "$(result .jobs.promote.result)" = success ]
	[[ $stderr == *"an OCI registry needs no set-up"* ]]
	[ "$(mlpromote status --registry "$reg" --model wdbc | jq -r .version)" = 1.1 ]
	rm -rf out records runs
	TRAIN='python3 examples/train.py --data examples/data/wdbc.csv --out out --epochs 12' \
		run --separate-stderr -0 workflow "$ACTIONS/examples/train-gate-promote.yml" --env "REGISTRY=$reg" \
		--github run_number=2
	[ "$(result .jobs.promote.result)" = success ]
	[ "$(jq -r .baseline.pointer records/verdict.json)" != null ]
	[ "$(mlpromote status --registry "$reg" --model wdbc | jq -r .version)" = 2.1 ]
	skopeo inspect --raw --tls-verify=false "docker://$OCI_HOST/models/wdbc:current" > current.json
	[ "$(jq -r '.annotations["org.opencontainers.image.version"]' current.json)" = 2.1 ]
	run --separate-stderr -0 workflow "$ACTIONS/examples/rollback.yml" --env "REGISTRY=$reg" --event workflow_dispatch
	[ "$(mlpromote status --registry "$reg" --model wdbc | jq -r .version)" = 1.1 ]
	run -0 mlpromote verify --registry "$reg" --model wdbc
	oci_registry_stop
}

@test "the example workflows name GHCR, owner in lower case, when MLGATE_REGISTRY is not set" {
	fake_gh
	example_workspace
	run --separate-stderr workflow "$ACTIONS/examples/rollback.yml" --env REGISTRY= \
		--github repository_owner=Example-Org --event workflow_dispatch
	[[ $stderr == *"mlgate registry: oci://ghcr.io/example-org/models"* ]]
}

@test "train-gate-promote: a worse model on a pull request is blocked, commented, never promoted" {
	fake_gh
	example_workspace
	run --separate-stderr -0 workflow "$ACTIONS/examples/train-gate-promote.yml" \
		--event workflow_dispatch --input first-model=true
	rm -rf out records runs gh.log
	TRAIN='python3 examples/train.py --data examples/data/wdbc.csv --out out --epochs 1 --lr 0.001' \
		run --separate-stderr -1 workflow "$ACTIONS/examples/train-gate-promote.yml" \
		--event pull_request --event-json "$ADATA/pull_request.json" --github run_number=9
	[ "$(result .status)" = failure ]
	[ "$(result .jobs.gate.result)" = failure ]
	[ "$(result .jobs.gate.outputs.pass)" = false ]
	[ "$(result .jobs.promote.result)" = skipped ]
	[ "$(result '[.annotations[] | select(.title == "mlgate gate failed")][0].message')" = "$(jq -r '[.checks[] | select(.status == "fail")][0] | .rule + ": " + .reason' records/verdict.json)" ]
	grep -q '^gh pr comment 42 --repo example/churn --body-file records/verdict.md token=' gh.log
	[ "$(mlpromote status --registry reg --model wdbc | jq -r .version)" = 7.1 ]
	[[ $stderr == *'STUBBED uses: actions/upload-artifact@v4'* ]]
	keep_record records/verdict.json
	# one version ever live: nothing to roll back to
	run --separate-stderr -1 workflow "$ACTIONS/examples/rollback.yml" --event workflow_dispatch
	[ "$(result .jobs.rollback.result)" = failure ]
	[ "$(result '.annotations[0].message')" = 'mlpromote rollback refused (exit status 1); see the log above' ]
	[ "$(mlpromote status --registry reg --model wdbc | jq -r .version)" = 7.1 ]
}

@test "the README snippet runs: gate against the live model, promote with the reviewer" {
	fake_gh
	seed_registry
	rm -f run1.json verdict1.json live.json model.bin
	readme_snippet > snippet.yml
	cat > train.py <<'EOF'
print('{"epoch": 1, "f1": 0.83, "roc_auc": 0.9}')
open("model.bin", "w").write("better\n")
EOF
	run --separate-stderr -0 workflow snippet.yml --github run_number=5
	[ "$(result .jobs.gate.outputs.pass)" = true ]
	[ "$(result .jobs.promote.result)" = success ]
	[ "$(mlpromote status --registry reg --model churn | jq -r .version)" = 5 ]
	[ "$(tail -n 1 reg/models/churn/audit.jsonl | jq -r .approved_by)" = carol ]
	[[ $stderr == *'run action OWNER/mlgate/actions/eval-gate@v1'* ]]
}

#!/usr/bin/env bats
# Jenkins: the shared library (jenkins/vars, jenkins/src), jenkins/Jenkinsfile,
# jenkins/Jenkinsfile.rollback and the README snippet (README.md, "## Jenkins"), run
# under plain Groovy by tests/jenkins-harness, whose `sh` runs the real tools
# against a temp registry; and npm-groovy-lint over every Groovy file.
#
# The JVM starts slowly, so setup_file prepares every scenario (workspace,
# registry, what is live) and runs all the pipelines in one JVM, one after the
# other; each test then checks what its pipeline left: the harness's
# build.json (result, stages, junit reports, archived files, inputs), its
# console.log, its archive/, and the registry.

bats_require_minimum_version 1.5.0
load helper
load oci/registry

HARNESS=$MLGATE_ROOT/tests/jenkins-harness

# java_home: JAVA_HOME, else the JDK of the java on PATH.
java_home() {
	if [ -n "${JAVA_HOME:-}" ]; then
		printf '%s\n' "$JAVA_HOME"
	elif command -v java >/dev/null 2>&1; then
		dirname "$(dirname "$(readlink -f "$(command -v java)")")"
	fi
}

# checkout DIR: the example training job, as a repository checked out.
checkout() {
	mkdir -p "$1"
	cp -R "$MLGATE_ROOT/examples/data" "$MLGATE_ROOT/examples/params" \
		"$MLGATE_ROOT/examples/train.py" "$MLGATE_ROOT/examples/gate.policy" "$1/"
}

# go_live REGISTRY STAGE VERSION PARAMS: trains the example with PARAMS and
# promotes it as VERSION at STAGE with the CLI, as an earlier build would have.
go_live() {
	local reg=$1 stage=$2 version=$3 params=$4 dir
	dir=$(mktemp -d "$BATS_FILE_TMPDIR/live.XXXXXX")
	checkout "$dir"
	(
		cd "$dir" || exit 1
		mlsnapshot data >snapshot.json &&
			mlrun-log -d run --params "$params" --data snapshot.json -a out/model.json -a out/preds.csv \
				-- python3 train.py --params "$params" --data data/wdbc.csv --out out >run.json 2>train.log &&
			mleval-compare --predictions --policy gate.policy --no-baseline --candidate-run run.json \
				out/preds.csv >verdict.json &&
			mlpromote publish --registry "$reg" --model wdbc --version "$version" --run run.json \
				-C out model.json preds.csv >/dev/null &&
			mlpromote promote --registry "$reg" --model wdbc --version "$version" --stage "$stage" \
				--verdict verdict.json --approved-by earlier-build >/dev/null
	)
}

# job NAME PIPELINE PARAMS-JSON ENV-JSON: one entry of the batch.
job() {
	local w=$BATS_FILE_TMPDIR/$1
	mkdir -p "$w/ws"
	jq -n --arg name "$1" --arg dir "$w/ws" --arg pipeline "$2" --argjson params "$3" \
		--argjson env "$4" --arg out "$w/out" --arg root "$MLGATE_ROOT" --arg bin "$MLGATE_BUILD/bin" \
		'{name: $name, dir: $dir, pipeline: $pipeline, params: $params,
		  env: ({HARNESS_OUT: $out, HARNESS_LIBRARIES: ("mlgate=" + $root + "/jenkins"),
		         HARNESS_TOOLS: $bin, HARNESS_JOB: "wdbc", HARNESS_APPROVER_GROUPS: ""} + $env)}' \
		>>"$BATS_FILE_TMPDIR/jobs.jsonl"
}

setup_file() {
	command -v groovy >/dev/null 2>&1 || skip "groovy is not installed (apt-get install groovy)"
	export JAVA_HOME
	JAVA_HOME=$(java_home)
	[ -n "$JAVA_HOME" ] || skip "no JDK (apt-get install default-jdk-headless)"
	# A short run: C1 only and the serial GC start faster and burn less CPU.
	export JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto"
	export XDG_CACHE_HOME=$BATS_FILE_TMPDIR/cache HOME=$BATS_FILE_TMPDIR/home
	mkdir -p "$HOME"
	unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY GITHUB_OUTPUT JENKINS_URL BUILD_URL CI MLGATE_REGISTRY
	local f=$BATS_FILE_TMPDIR scm=$MLGATE_ROOT/examples

	# pass: model 1 (two features) is live; build 7 trains model 2 (all 30); alice approves.
	mlpromote init --registry "$f/pass/reg" --require-approval production >/dev/null
	go_live "$f/pass/reg" production 1 params/1.json
	job pass "$MLGATE_ROOT/jenkins/Jenkinsfile" "{\"REGISTRY\": \"$f/pass/reg\"}" \
		"{\"HARNESS_SCM\": \"$scm\", \"HARNESS_BUILD_NUMBER\": \"7\", \"HARNESS_APPROVER\": \"alice\",
		  \"HARNESS_APPROVER_GROUPS\": \"ml-approvers\"}"

	# worse: model 2 is live; build 8 trains model 3 (l2 = 1.0), which the paired gate rejects.
	mlpromote init --registry "$f/worse/reg" --require-approval production >/dev/null
	go_live "$f/worse/reg" production 2 params/2.json
	cp -R "$f/worse/reg" "$f/worse/reg.before"
	job worse "$MLGATE_ROOT/jenkins/Jenkinsfile" "{\"REGISTRY\": \"$f/worse/reg\", \"PARAMS\": \"params/3.json\"}" \
		"{\"HARNESS_SCM\": \"$scm\", \"HARNESS_BUILD_NUMBER\": \"8\", \"HARNESS_APPROVER\": \"alice\",
		  \"HARNESS_APPROVER_GROUPS\": \"ml-approvers\"}"

	# first: an empty registry, FIRST_MODEL; the approver is not in ml-approvers: aborted.
	mlpromote init --registry "$f/first/reg" --require-approval production >/dev/null
	job first "$MLGATE_ROOT/jenkins/Jenkinsfile" "{\"REGISTRY\": \"$f/first/reg\", \"FIRST_MODEL\": true}" \
		"{\"HARNESS_SCM\": \"$scm\", \"HARNESS_BUILD_NUMBER\": \"5\", \"HARNESS_APPROVER\": \"mallory\"}"

	# oci: the pass scenario on an OCI registry with token auth; the credentials come
	# from the Jenkins credentials store (withCredentials), never from Groovy strings.
	mkdir -p "$f/ocireg"
	BATS_TEST_TMPDIR=$f/ocireg OCI_LIFETIME=1800 oci_registry_start token
	echo "$OCI_HOST" >"$f/ocireg/host"
	MLGATE_OCI_USERNAME=$OCI_USER MLGATE_OCI_PASSWORD=$OCI_PASS \
		go_live "oci://$OCI_HOST/ml" production 1 params/1.json
	local creds envjson
	creds=$(jq -cn --arg u "$OCI_USER" --arg p "$OCI_PASS" '{"harbor-robot": {username: $u, password: $p}}')
	envjson=$(jq -cn --arg scm "$scm" --arg c "$creds" '{HARNESS_SCM: $scm, HARNESS_BUILD_NUMBER: "9",
		HARNESS_APPROVER: "alice", HARNESS_APPROVER_GROUPS: "ml-approvers", HARNESS_CREDENTIALS: $c}')
	job oci "$MLGATE_ROOT/jenkins/Jenkinsfile" \
		"{\"REGISTRY\": \"oci://$OCI_HOST/ml\", \"REGISTRY_CREDENTIALS\": \"harbor-robot\"}" "$envjson"

	# rollback: versions 1, 2, 3 went live in turn (forced); the job goes back to 1.
	mlpromote init --registry "$f/rollback/reg" >/dev/null
	local v
	for v in 1 2 3; do
		printf 'model %s\n' "$v" >"$f/model-$v.bin"
		mlpromote publish --registry "$f/rollback/reg" --model wdbc --version "$v" -C "$f" "model-$v.bin" >/dev/null
		mlpromote promote --registry "$f/rollback/reg" --model wdbc --version "$v" --stage production \
			--force --reason "set-up $v" >/dev/null
	done
	job rollback "$MLGATE_ROOT/jenkins/Jenkinsfile.rollback" \
		"{\"REGISTRY\": \"$f/rollback/reg\", \"VERSION\": \"1\"}" '{"HARNESS_BUILD_NUMBER": "12"}'

	# readme: the README's snippet, the default stage; model 1 is live; bob approves.
	awk '/^## / { sec = ($0 == "## Jenkins") } sec && /^```groovy$/ { on = 1; next } on && /^```$/ { on = 0 } sec && on' "$MLGATE_ROOT/README.md" \
		>"$f/readme.Jenkinsfile"
	mlpromote init --registry "$f/readme/reg" --require-approval current >/dev/null
	go_live "$f/readme/reg" current 1 params/1.json
	job readme "$f/readme.Jenkinsfile" '{}' \
		"{\"HARNESS_SCM\": \"$scm\", \"HARNESS_BUILD_NUMBER\": \"3\", \"HARNESS_APPROVER\": \"bob\",
		  \"MLGATE_REGISTRY\": \"$f/readme/reg\"}"

	# steps: every option of every step, against fake tools that log their arguments.
	mkdir -p "$f/fake"
	for v in mlsnapshot mlrun-log mleval-compare mlpromote; do
		ln -s "$HARNESS/fake-tool" "$f/fake/$v"
	done
	job steps "$HARNESS/steps.Jenkinsfile" '{}' \
		"{\"HARNESS_TOOLS\": \"$f/fake\", \"FAKE_LOG\": \"$f/steps/argv\"}"
	printf '{"loss": 1}\n' >"$f/steps/ws/train.log"

	jq -s . "$f/jobs.jsonl" >"$f/jobs.json"
	groovy -cp "$HARNESS" "$HARNESS/run.groovy" --batch "$f/jobs.json" >"$f/batch.out" 2>&1 || true
}

teardown_file() {
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR/ocireg oci_registry_stop
}

# result NAME: the build's result, after the harness ran it (fails the test if it did not).
result() {
	local b=$BATS_FILE_TMPDIR/$1/out/build.json
	if [ ! -s "$b" ]; then
		echo "the harness did not finish '$1':" >&2
		cat "$BATS_FILE_TMPDIR/batch.out" "$BATS_FILE_TMPDIR/$1/out/console.log" >&2 2>/dev/null
		return 1
	fi
	jq -r .result "$b"
}

# stages NAME: name=status of each stage, space-separated.
stages() {
	jq -r '[.stages[] | "\(.name)=\(.status)"] | join(" ")' "$BATS_FILE_TMPDIR/$1/out/build.json"
}

build_json() {
	printf '%s\n' "$BATS_FILE_TMPDIR/$1/out/build.json"
}

console() {
	printf '%s\n' "$BATS_FILE_TMPDIR/$1/out/console.log"
}

@test "Jenkinsfile: a better model passes the gate, junit is published, alice approves, it goes live" {
	local f=$BATS_FILE_TMPDIR/pass b
	b=$(build_json pass)
	run -0 result pass
	assert_output SUCCESS
	run -0 stages pass
	assert_output "Snapshot=success Train=success Gate=success Publish=success Promote=success"
	run -0 jq -c .options "$b"
	assert_output '["disableConcurrentBuilds","buildDiscarder"]'
	# The gate's JUnit report: one passing test per rule of gate.policy, published.
	run -0 jq -c '.junit[] | [.file, .tests, .failures]' "$b"
	assert_output '["records/gate-junit.xml",4,0]'
	run -0 jq -r '.junit[0].cases[].name' "$b"
	assert_output "$(cat "$MLGATE_ROOT/examples/gate.policy")"
	# The approval: asked of ml-approvers, answered by alice, who is the approver of record.
	run -0 jq -c '.inputs[] | [.submitter, .submitterParameter, .approver]' "$b"
	assert_output '["ml-approvers","APPROVER","alice"]'
	run -0 jq -c '[.model, .stage, .version, .approved_by, .action]' "$f/reg/models/wdbc/production.json"
	assert_output '["wdbc","production","7","alice","promote"]'
	run -0 jq -c '[.action, .version, .approved_by]' <(tail -n 1 "$f/reg/models/wdbc/audit.jsonl")
	assert_output '["promote","7","alice"]'
	# The pointer names the records this build archived.
	run -0 jq -r .verdict "$f/reg/models/wdbc/production.json"
	assert_output "$(jq -r .id "$f/out/archive/records/verdict.json")"
	run -0 jq -r .run "$f/reg/models/wdbc/production.json"
	assert_output "$(jq -r .id "$f/out/archive/records/run.json")"
	run -0 jq -r .snapshot "$f/reg/models/wdbc/production.json"
	assert_output "$(jq -r .id "$f/out/archive/records/snapshot.json")"
	# The gate was the paired one, against what was live.
	run -0 jq -r '.baseline.pointer' "$f/out/archive/records/verdict.json"
	assert_output "$(jq -r .pointer "$f/out/archive/records/live.json")"
	run -0 jq -r '.archived | join(" ")' "$b"
	assert_output "records/baseline.json records/gate-junit.xml records/gate.md records/live.json records/model.json records/pointer.json records/run.json records/run/metrics.jsonl records/run/run.json records/snapshot.json records/verdict.json"
	keep_record "$f"/out/archive/records/{snapshot,run,live,verdict,model,pointer,baseline}.json
}

@test "Jenkinsfile on an OCI registry: credentials from the store, the model goes live, no secret in the log" {
	local reg
	reg=oci://$(cat "$BATS_FILE_TMPDIR/ocireg/host")/ml
	run -0 result oci
	assert_output SUCCESS
	run -0 stages oci
	assert_output "Snapshot=success Train=success Gate=success Publish=success Promote=success"
	export MLGATE_OCI_USERNAME=$OCI_USER MLGATE_OCI_PASSWORD=$OCI_PASS
	run -0 mlpromote status --registry "$reg" --model wdbc --stage production
	assert_equal "$(jq -c '[.version, .approved_by, .seq]' <<<"$output")" '["9","alice",2]'
	run -0 mlpromote verify --registry "$reg" --model wdbc
	run -0 grep -c 'withCredentials (harbor-robot)' "$(console oci)"
	run -1 grep -F "$OCI_PASS" "$(console oci)"
}

@test "Jenkinsfile: a worse model fails the build at the gate; its records are kept; the registry is unchanged" {
	local f=$BATS_FILE_TMPDIR/worse b
	b=$(build_json worse)
	run -0 result worse
	assert_output FAILURE
	run -0 stages worse
	assert_output "Snapshot=success Train=success Gate=failed Publish=skipped Promote=skipped"
	run -0 grep -c '^ERROR: mlEvalGate: the gate failed: ' "$(console worse)"
	assert_output 1
	# The failing report was published, and the records and the rejected model archived.
	run -0 jq -c '.junit[] | [.file, .tests, (.failures > 0)]' "$b"
	assert_output '["records/gate-junit.xml",4,true]'
	run -0 jq -r .pass "$f/out/archive/records/verdict.json"
	assert_output false
	run -0 jq -r '.archived | map(select(. == "records/verdict.json" or . == "records/gate-junit.xml"
		or . == "records/run.json" or . == "out/preds.csv" or . == "out/model.json")) | length' "$b"
	assert_output 5
	run -0 jq -c .inputs "$b"
	assert_output '[]'
	run -0 diff -r "$f/reg.before" "$f/reg"
	keep_record "$f"/out/archive/records/{snapshot,run,live,verdict}.json
}

@test "Jenkinsfile: a first model is gated with --no-baseline; an approver outside ml-approvers aborts it" {
	local f=$BATS_FILE_TMPDIR/first b
	b=$(build_json first)
	run -0 result first
	assert_output ABORTED
	run -0 stages first
	assert_output "Snapshot=success Train=success Gate=success Publish=success Promote=aborted"
	run -0 grep -c -- '--no-baseline' "$(console first)"
	assert_output 1
	run -0 jq -c '[.baseline, .pass]' "$f/out/archive/records/verdict.json"
	assert_output '[null,true]'
	run -0 jq -c '.inputs[] | [.submitter, .approver]' "$b"
	assert_output '["ml-approvers","mallory"]'
	# Published, not live.
	run -0 jq -r .version "$f/reg/models/wdbc/versions/5/model.json"
	assert_output 5
	run -0 mlpromote status --registry "$f/reg" --model wdbc --stage production
	run -0 jq -r .live <<<"$output"
	assert_output false
}

@test "Jenkinsfile.rollback: VERSION puts that version back, guarded by --expect" {
	local f=$BATS_FILE_TMPDIR/rollback b
	b=$(build_json rollback)
	run -0 result rollback
	assert_output SUCCESS
	run -0 jq -c .options "$b"
	assert_output '["disableConcurrentBuilds"]'
	run -0 jq -c '[.version, .seq, .action, .previous]' "$f/reg/models/wdbc/production.json"
	assert_output '["1",4,"rollback","3"]'
	run -0 grep -c -- '^+ mlpromote rollback --model wdbc --stage production --expect 3 --to 1 --$' "$(console rollback)"
	assert_output 1
	run -0 grep -c '^wdbc at production: version 3 -> 1 (seq 4)$' "$(console rollback)"
	assert_output 1
	keep_record "$f"/out/archive/records/{before,pointer}.json
}

@test "README: the @Library('mlgate') snippet with its four steps promotes a better model" {
	local f=$BATS_FILE_TMPDIR/readme b
	b=$(build_json readme)
	grep -q "^@Library('mlgate') _$" "$BATS_FILE_TMPDIR/readme.Jenkinsfile"
	run -0 result readme
	assert_output SUCCESS
	run -0 stages readme
	assert_output "Train=success Gate=success Promote=success"
	run -0 jq -c '.junit[] | [.file, .tests, .failures]' "$b"
	assert_output '["records/gate.xml",2,0]'
	run -0 jq -c '[.stage, .version, .approved_by]' "$f/reg/models/wdbc/current.json"
	assert_output '["current","3","bob"]'
	run -0 jq -c '[.action, .version, .approved_by]' <(tail -n 1 "$f/reg/models/wdbc/audit.jsonl")
	assert_output '["promote","3","bob"]'
}

@test "steps: every argument reaches the tool as one word; a misspelt option is refused; a failed gate can be UNSTABLE" {
	local f=$BATS_FILE_TMPDIR/steps
	run -0 result steps
	assert_output UNSTABLE
	run -0 stages steps
	assert_output "every option=success misspelt option=success gate: unstable=unstable"
	run -0 diff "$HARNESS/steps.argv" "$f/argv"
	run -0 find "$f" -name pwned
	assert_output ''
	run -0 grep -c "^rejected: mlSnapshot: unknown argument 'noCahce' " "$(console steps)"
	assert_output 1
	run -0 grep -c '^WARNING: mlEvalGate: the gate failed: f1 >= baseline (f1 0.5 < 0.6); the verdict is in v3.json$' \
		"$(console steps)"
	assert_output 1
	run -0 grep -c '^the failed gate returned pass=false$' "$(console steps)"
	assert_output 1
	run -0 jq -c '[.junit[] | [.file, .failures]]' "$(build_json steps)"
	assert_output '[["j.xml",0],["gate-junit.xml",1]]'
}

# The files npm-groovy-lint checks: the library, the pipelines, the README's
# snippet, and the harness.
lint_files() {
	printf '%s\n' "$MLGATE_ROOT"/jenkins/Jenkinsfile "$MLGATE_ROOT"/jenkins/Jenkinsfile.rollback \
		"$MLGATE_ROOT"/jenkins/vars/*.groovy "$MLGATE_ROOT"/jenkins/src/mlgate/*.groovy \
		"$HARNESS"/*.groovy "$HARNESS"/steps.Jenkinsfile "$BATS_FILE_TMPDIR/readme.Jenkinsfile"
}

@test "npm-groovy-lint: no errors in the library, the Jenkinsfiles, the README snippet or the harness" {
	local lint=$MLGATE_ROOT/build/npm/node_modules/.bin/npm-groovy-lint stamp sum f
	[ -x "$lint" ] || lint=$(command -v npm-groovy-lint) ||
		skip "npm-groovy-lint is not installed (npm install --prefix build/npm npm-groovy-lint@15)"
	# It takes long (node, then a JVM): a clean result is kept for the same files, config and linter.
	# The linter's version from its package.json (asking it takes a JVM's start).
	local pkg
	pkg=$(dirname "$(dirname "$(readlink -f "$lint")")")/package.json
	sum=$({ lint_files | xargs cat; cat "$MLGATE_ROOT/jenkins/.groovylintrc.json"; jq -r .version "$pkg"; } |
		sha256sum | cut -c1-64)
	stamp=$MLGATE_ROOT/build/jenkins-lint.ok
	if [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
		return 0
	fi
	# CodeNarc scans from the files' common directory down: give it one small tree.
	mkdir -p lint/jenkins/vars lint/jenkins/src/mlgate lint/harness
	cp "$MLGATE_ROOT"/jenkins/Jenkinsfile "$MLGATE_ROOT"/jenkins/Jenkinsfile.rollback lint/jenkins/
	cp "$MLGATE_ROOT"/jenkins/vars/*.groovy lint/jenkins/vars/
	cp "$MLGATE_ROOT"/jenkins/src/mlgate/*.groovy lint/jenkins/src/mlgate/
	cp "$HARNESS"/*.groovy "$HARNESS"/steps.Jenkinsfile lint/harness/
	cp "$BATS_FILE_TMPDIR/readme.Jenkinsfile" lint/Jenkinsfile
	local files=()
	while IFS= read -r f; do files+=("$f"); done < <(find "$PWD/lint" -type f | sort)
	[ "${#files[@]}" -eq "$(lint_files | wc -l)" ]
	# C1 only and the serial GC: a third of the CPU time of the defaults for a run this short.
	# --failon error: exit 1 on any error; warnings and infos are reported only.
	run -0 "$lint" --noserver --javaoptions=-Xms64m,-Xmx1024m,-XX:TieredStopAtLevel=1,-XX:+UseSerialGC \
		--failon error --config "$MLGATE_ROOT/jenkins/.groovylintrc.json" --output txt "${files[@]}"
	# Every file was linted (the count is printed in bold: drop the colours first).
	printf '%s\n' "$output" | sed 's/\x1b\[[0-9;]*m//g' >lint.out
	run -0 grep -c "^npm-groovy-lint results in ${#files[@]} linted files:$" lint.out
	assert_output 1
	mkdir -p "$(dirname "$stamp")" && printf '%s\n' "$sum" >"$stamp"
}

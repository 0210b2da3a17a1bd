# Helpers for the mlpromote bats files: load helper, then load data/mlpromote/lib.
# Everything happens in the test's own temp dir (the cwd), registry "reg".

# init_reg [ARGS]: a registry at ./reg.
init_reg() {
	mlpromote init --registry reg "$@"
}

# hash_of FILE: its "sha256:<hex>".
hash_of() {
	printf 'sha256:%s' "$(sha256sum "$1" | cut -d' ' -f1)"
}

# make_run OUT F1 FILE...: a run record (as mlrun-log writes one) with metric
# f1 and the files as artifacts.
make_run() {
	local out=$1 f1=$2 arts="" f
	shift 2
	for f in "$@"; do
		[ -z "$arts" ] || arts="$arts,"
		arts="$arts{\"path\":\"$f\",\"size\":$(wc -c < "$f"),\"hash\":\"$(hash_of "$f")\"}"
	done
	cat > "$out" <<JSON
{"kind":"run","v":1,"name":"$out","status":"finished","exit_code":0,"signal":null,
 "started_at":"2026-11-20T10:00:00Z","ended_at":"2026-11-20T10:01:00Z","duration_s":60,
 "params":{},"metrics":{"f1":$f1},"metric_stats":{},
 "data":{"snapshot":"sha256:1111111111111111111111111111111111111111111111111111111111111111"},
 "artifacts":[$arts],"env":null,"tags":{}}
JSON
}

# pub MODEL VERSION [F1]: publishes a version of one artifact and its run.
pub() {
	local m=$1 v=$2 f1=${3:-0.5}
	mkdir -p "art-$m-$v"
	printf 'weights of %s %s\n' "$m" "$v" > "art-$m-$v/model.bin"
	make_run "run-$m-$v.json" "$f1" "art-$m-$v/model.bin"
	mlpromote publish --registry reg --model "$m" --version "$v" --run "run-$m-$v.json" \
		"art-$m-$v/model.bin" > /dev/null
}

# run_id MODEL VERSION: the run id the version was published with.
run_id() {
	jq -r .run "reg/models/$1/versions/$2/model.json"
}

# candidate_id MODEL VERSION: what a verdict names as the candidate: the
# version's run, or its manifest when it was published without one.
candidate_id() {
	jq -r '.run // .id' "reg/models/$1/versions/$2/model.json"
}

# verdict OUT MODEL VERSION [STATUS.json|none] [true|false]: a verdict as
# mleval-compare writes one: candidate the version's run, baseline the status
# record (its pointer) or null.
verdict() {
	local out=$1 m=$2 v=$3 base=${4:-none} pass=${5:-true} b
	if [ "$base" = none ]; then
		b=null
	else
		b=$(jq -c '{id, kind, source: "live.json", pointer}' "$base")
	fi
	cat > "$out" <<JSON
{"kind":"verdict","v":1,"pass":$pass,"baseline":$b,
 "candidate":{"id":"$(candidate_id "$m" "$v")","kind":"run","source":"run.json","pointer":null},
 "bootstrap":null,"checks":[]}
JSON
}

# live MODEL [STAGE]: the live version ("null" when none).
live() {
	mlpromote status --registry reg --model "$1" --stage "${2:-current}" | jq -r .version
}

# tree_sum DIR: one hash over every path, type, mode and content under DIR.
tree_sum() {
	(cd "$1" && find . -printf '%p %y %m %s\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum
}

# first_live [INIT ARGS]: a registry with versions 1..3 of m, version 1 live
# through a verdict without baseline.
first_live() {
	init_reg "$@"
	pub m 1 0.70
	pub m 2 0.75
	pub m 3 0.80
	verdict v1.json m 1
	mlpromote promote --registry reg --model m --version 1 --verdict v1.json > /dev/null
}

#!/usr/bin/env bats
# Tampering: one byte changed anywhere in an artifact, a manifest, a run, a
# pointer or an audit line is found by `mlpromote verify` (exit 1, naming the
# file). Bytes are changed at positions spread over each file, and inside the
# created_at field that ids leave out. (mlpromote-recovery.bats has the
# whole-line and whole-file cases; mlpromote-sign.bats replays and copies.)
bats_require_minimum_version 1.5.0
load helper
load data/mlpromote/lib

two_live() {
	init_reg
	pub m 1
	pub m 2
	mlpromote promote --registry reg --model m --version 1 --force --reason t > /dev/null
	mlpromote promote --registry reg --model m --version 2 --force --reason t > /dev/null
}

# change_byte FILE POS: replaces the byte at POS (from 0) with another of the
# same kind (a digit by a digit, a letter by a letter), so the file stays
# well-formed where it can.
change_byte() {
	local c new
	c=$(dd if="$1" bs=1 skip="$2" count=1 2> /dev/null | od -An -c | tr -d ' ')
	case $c in
	[0-8]) new=$((c + 1)) ;;
	9) new=0 ;;
	[a-y] | [A-Y]) new=$(printf '%s' "$c" | tr 'a-yA-Y' 'b-zB-Z') ;;
	z) new=a ;;
	Z) new=A ;;
	'\n') new=' ' ;;
	*) new='#' ;;
	esac
	printf '%s' "$new" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# positions FILE N [created_at]: N offsets spread over FILE and its last
# byte, but none inside the created_at value (its own test is below); or
# three inside that value.
positions() {
	local size n=$2 i at pos
	at=$(grep -bo '"created_at":"' "$1" | head -n 1 | cut -d: -f1)
	if [ "${3:-}" = created_at ]; then
		echo $((at + 14)) $((at + 20)) $((at + 31))
		return
	fi
	size=$(stat -c %s "$1")
	for i in $(seq 0 "$n"); do
		pos=$((i * (size - 1) / n))
		if [ -n "$at" ] && [ "$pos" -ge $((at + 14)) ] && [ "$pos" -lt $((at + 34)) ]; then
			pos=$((at + 10))
		fi
		echo "$pos"
	done
}

# tamper_each FILE NAME N [created_at]: for each position, change that byte, check that
# verify is exit 1 with a line naming NAME, and put the file back.
tamper_each() {
	local file=$1 name=$2 pos
	cp "$file" orig
	for pos in $(positions "$file" "$3" "${4:-}"); do
		change_byte "$file" "$pos"
		if cmp -s "$file" orig; then continue; fi
		run --separate-stderr mlpromote verify --registry reg
		[ "$status" -eq 1 ] || { echo "$name byte $pos: exit $status: $stderr"; cmp -l orig "$file"; return 1; }
		[[ $stderr == *"$name"* ]] || { echo "$name byte $pos: not named: $stderr"; return 1; }
		cp orig "$file"
	done
	run -0 mlpromote verify --registry reg
}

@test "one byte changed anywhere in an artifact is named by verify" {
	two_live
	tamper_each reg/models/m/versions/1/files/model.bin reg/models/m/versions/1/files/model.bin 8
}

@test "one byte changed anywhere in a manifest or a version's run is named by verify" {
	two_live
	tamper_each reg/models/m/versions/1/model.json reg/models/m/versions/1/model.json 10
	tamper_each reg/models/m/versions/2/run.json reg/models/m/versions/2/run.json 10
}

@test "one byte changed anywhere in the live pointer is named by verify" {
	two_live
	tamper_each reg/models/m/current.json reg/models/m/current.json 14
}

@test "one byte changed anywhere in an audit line, the last one too, is named by verify" {
	two_live
	local log=reg/models/m/audit.jsonl second last
	# line 2 (chained to by line 3), and the last line (chained to by nothing)
	second=$(head -n 1 "$log" | wc -c)
	last=$(head -n 3 "$log" | wc -c)
	cp "$log" orig-log
	head -n 2 "$log" | tail -n 1 > l2
	head -n 4 "$log" | tail -n 1 > l4
	local pos
	for pos in $(positions l2 8); do
		change_byte "$log" $((second + pos))
		run --separate-stderr -1 mlpromote verify --registry reg
		[[ $stderr == *"$log:"[23]":"* ]] || { echo "line 2 byte $pos: $stderr"; return 1; }
		cp orig-log "$log"
	done
	for pos in $(positions l4 8); do
		change_byte "$log" $((last + pos))
		run --separate-stderr -1 mlpromote verify --registry reg
		# its last byte, the newline, too: a whole line is not a torn one
		[[ $stderr == *"$log:4:"* ]] || { echo "line 4 byte $pos: $stderr"; return 1; }
		cp orig-log "$log"
	done
	run -0 mlpromote verify --registry reg
}

@test "a changed created_at in a manifest, a run or a pointer is named by verify" {
	two_live
	# a run with a created_at of its own, as mlrun-log writes one
	mkdir art3 && printf 'weights of m 3\n' > art3/model.bin
	make_run run3.json 0.5 art3/model.bin
	jq -c '.created_at = "2026-11-20T10:01:00Z"' run3.json > run3-dated.json
	mlpromote publish --registry reg --model m --version 3 --run run3-dated.json art3/model.bin > /dev/null
	local f
	for f in versions/1/model.json versions/3/run.json current.json; do
		grep -q '"created_at":"' "reg/models/m/$f"
		tamper_each "reg/models/m/$f" "reg/models/m/$f" 0 created_at
	done
	# the message says which line holds the bytes
	change_byte reg/models/m/current.json "$(positions reg/models/m/current.json 0 created_at | cut -d' ' -f1)"
	run --separate-stderr -1 mlpromote verify --registry reg
	assert_equal "$stderr" "mlpromote: reg/models/m/current.json: created_at is not that of reg/models/m/audit.jsonl:4, which made it"
}

@test "a publish line seals the exact bytes of model.json and run.json; a run.json added later is named" {
	init_reg
	pub m 1
	mkdir art2 && printf 'weights 2\n' > art2/model.bin
	mlpromote publish --registry reg --model m --version 2 art2/model.bin > /dev/null
	local v
	for v in 1 2; do
		assert_equal "$(sed -n "${v}p" reg/models/m/audit.jsonl | jq -r '.files["model.json"]')" \
			"$(hash_of reg/models/m/versions/$v/model.json)"
	done
	assert_equal "$(sed -n 1p reg/models/m/audit.jsonl | jq -r '.files["run.json"]')" \
		"$(hash_of reg/models/m/versions/1/run.json)"
	assert_equal "$(sed -n 2p reg/models/m/audit.jsonl | jq -c '.files["run.json"]')" null
	cp reg/models/m/versions/1/run.json reg/models/m/versions/2/run.json
	run --separate-stderr -1 mlpromote verify --registry reg
	assert_equal "$stderr" "mlpromote: reg/models/m/versions/2/run.json: audit line 2 published no run.json"
}

@test "a publish the next writer completes after a crash seals the files as they are" {
	init_reg
	pub m 1
	pub m 2
	head -n 1 reg/models/m/audit.jsonl > a && mv a reg/models/m/audit.jsonl
	run -0 mlpromote promote --registry reg --model m --version 1 --force --reason t
	assert_equal "$(sed -n 2p reg/models/m/audit.jsonl | jq -r '[.action, .version, .files["model.json"]] | join(" ")')" \
		"publish 2 $(hash_of reg/models/m/versions/2/model.json)"
	run -0 mlpromote verify --registry reg
}

@test "publish lines from before the seal (no files) still verify" {
	two_live
	# drop "files" from the publish lines, with true ids and a true chain
	python3 - reg/models/m/audit.jsonl <<'PY'
import hashlib, json, sys
canon = lambda r: json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
out, prev = [], None
for raw in open(sys.argv[1], encoding="utf-8").read().splitlines():
    rec = json.loads(raw)
    rec.pop("files", None)
    rec["prev"] = prev
    body = {k: v for k, v in rec.items() if k not in ("id", "created_at")}
    rec["id"] = "sha256:" + hashlib.sha256(canon(body).encode()).hexdigest()
    line = canon(rec) + "\n"
    prev = "sha256:" + hashlib.sha256(line.encode()).hexdigest()
    out.append(line)
open(sys.argv[1], "w", encoding="utf-8").write("".join(out))
PY
	run -0 jq -se 'map(select(.action == "publish") | has("files")) == [false, false]' reg/models/m/audit.jsonl
	run --separate-stderr -0 mlpromote verify --registry reg
	[ -z "$stderr" ]
	run -0 mlpromote rollback --registry reg --model m
	run -0 mlpromote verify --registry reg
}

@test "the last audit line's newline changed: named, and no writer cuts it as torn" {
	two_live
	local log=reg/models/m/audit.jsonl
	truncate -s -1 "$log" && printf 'x' >> "$log"
	cp "$log" damaged
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"$log:4: a whole line ending in 0x78, not a newline (a changed byte, not a torn append)"* ]]
	run --separate-stderr -1 mlpromote rollback --registry reg --model m
	[[ $stderr == *"$log:4: a whole line ending in 0x78"*"(run 'mlpromote verify')" ]]
	cmp damaged "$log"
}

@test "a tear just before the newline is still torn: ignored by readers, cut by the next writer" {
	two_live
	local log=reg/models/m/audit.jsonl
	cp "$log" whole.jsonl
	cp reg/models/m/current.json seq2.json
	mlpromote rollback --registry reg --model m > /dev/null
	# as if the rollback died with its line written but for the newline
	cp seq2.json reg/models/m/current.json
	truncate -s -1 "$log"
	run --separate-stderr -0 mlpromote verify --registry reg
	[ -z "$stderr" ]
	run -0 mlpromote status --registry reg --model m
	assert_equal "$(jq -c '[.version, .seq]' <<<"$output")" '["2",2]'
	run -0 mlpromote rollback --registry reg --model m
	assert_equal "$(wc -l < "$log")" 5
	cmp whole.jsonl <(head -n 4 "$log")
	run -0 mlpromote verify --registry reg
}

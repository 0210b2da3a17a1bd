#!/usr/bin/env bats
# mlpromote: the write-ahead log heals interrupted changes; tampering is found.
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

@test "a torn last audit line is ignored by readers and cut by the next writer" {
	two_live
	cp reg/models/m/audit.jsonl whole.jsonl
	printf '{"action":"promote","line":5,"mod' >> reg/models/m/audit.jsonl
	run --separate-stderr -0 mlpromote history --registry reg --model m
	assert_equal "$(printf '%s\n' "$output" | wc -l)" 4
	run -0 mlpromote status --registry reg --model m
	assert_equal "$(jq -r .version <<<"$output")" 2
	run -0 mlpromote verify --registry reg
	run -0 mlpromote rollback --registry reg --model m
	assert_equal "$(wc -l < reg/models/m/audit.jsonl)" 5
	cmp whole.jsonl <(head -n 4 reg/models/m/audit.jsonl)
	run -0 mlpromote verify --registry reg
}

@test "a crash between the audit line and the pointer: readers follow the log, the next writer completes it" {
	two_live
	cp reg/models/m/current.json seq2.json
	mlpromote rollback --registry reg --model m > seq3.json
	# as if the process died after appending line 5, before replacing the pointer
	cp seq2.json reg/models/m/current.json
	run -0 mlpromote status --registry reg --model m
	assert_equal "$(jq -c '[.version, .seq]' <<<"$output")" '["1",3]'
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"reg/models/m/current.json: behind the audit log (an interrupted change; the next write completes it)"* ]]
	pub m 3
	cmp seq3.json reg/models/m/current.json
	run -0 mlpromote verify --registry reg
}

@test "a crash before the first pointer was written: the next writer writes it" {
	init_reg
	pub m 1
	mlpromote promote --registry reg --model m --version 1 --stage staging --force --reason t > p.json
	rm reg/models/m/staging.json
	run -0 mlpromote status --registry reg --model m --stage staging
	assert_equal "$(jq -r .live <<<"$output")" true
	run -0 mlpromote promote --registry reg --model m --version 1 --force --reason t
	cmp p.json reg/models/m/staging.json
}

@test "a crash between a version's rename and its audit line: the next writer logs the publish" {
	init_reg
	pub m 1
	pub m 2
	head -n 1 reg/models/m/audit.jsonl > a && mv a reg/models/m/audit.jsonl
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"reg/models/m/versions/2: published but not in the audit log"* ]]
	run -0 mlpromote promote --registry reg --model m --version 1 --force --reason t
	assert_equal "$(sed -n 2p reg/models/m/audit.jsonl | jq -r '[.action, .version] | join(" ")')" "publish 2"
	run -0 mlpromote verify --registry reg
}

@test "an edited audit line breaks the chain: verify names the line, every other subcommand refuses" {
	two_live
	sed -i '3s/"reason":"t"/"reason":"T"/' reg/models/m/audit.jsonl
	local before
	before=$(tree_sum reg)
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"reg/models/m/audit.jsonl:3: id does not match its content"* ]]
	run --separate-stderr -1 mlpromote status --registry reg --model m
	[[ $stderr == *"reg/models/m/audit.jsonl:3: id does not match its content (run 'mlpromote verify')"* ]]
	run --separate-stderr -1 mlpromote history --registry reg --model m
	run --separate-stderr -1 mlpromote rollback --registry reg --model m
	run --separate-stderr -1 mlpromote promote --registry reg --model m --version 1 --force --reason x
	run --separate-stderr -1 mlpromote pull --registry reg --model m out
	assert_equal "$(tree_sum reg)" "$before"
}

@test "a line rewritten with a fresh id still breaks the chain at the next line" {
	two_live
	# line 3 made canonical again with a true id: only line 4's prev can tell
	python3 - reg/models/m/audit.jsonl <<'PY'
import hashlib, json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines(True)
rec = json.loads(lines[2])
rec["reason"] = "T"
body = {k: v for k, v in rec.items() if k not in ("id", "created_at")}
canon = lambda r: json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
rec["id"] = "sha256:" + hashlib.sha256(canon(body).encode()).hexdigest()
lines[2] = canon(rec) + "\n"
open(sys.argv[1], "w", encoding="utf-8").write("".join(lines))
PY
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"reg/models/m/audit.jsonl:4: hash chain broken: prev does not match line 3"* ]]
}

@test "a deleted or reordered line is found" {
	two_live
	{ sed -n 1p reg/models/m/audit.jsonl; sed -n 3p reg/models/m/audit.jsonl; sed -n 2p reg/models/m/audit.jsonl;
	  sed -n 4p reg/models/m/audit.jsonl; } > swapped
	mv swapped reg/models/m/audit.jsonl
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"audit.jsonl:2: line number is not 2"* ]]
}

@test "a pointer edited by hand is found: not canonical, id that lies, or ahead of the log" {
	two_live
	cp reg/models/m/current.json good.json
	jq . good.json > reg/models/m/current.json
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"reg/models/m/current.json: not in canonical form"* ]]
	run --separate-stderr -1 mlpromote status --registry reg --model m
	[[ $stderr == *"current.json: not in canonical form (run 'mlpromote verify')"* ]]
	jq -c '.version = "1"' good.json > reg/models/m/current.json
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"current.json: id does not match its content"* ]]
	cp good.json reg/models/m/staging.json
	cp good.json reg/models/m/current.json
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"reg/models/m/staging.json: no audit line made this pointer"* ]]
}

@test "verify: an artifact changed, resized or removed is exit 1 naming the file; a good registry is exit 0, silent" {
	two_live
	run --separate-stderr -0 mlpromote verify --registry reg
	[ -z "$output" ] && [ -z "$stderr" ]
	run -0 mlpromote verify --registry reg --model m
	printf 'weights of m 1!\n' > reg/models/m/versions/1/files/model.bin
	printf 'weights of m 3\n' > reg/models/m/versions/2/files/model.bin
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"reg/models/m/versions/1/files/model.bin: size 16, published as 15"* ]]
	[[ $stderr == *"reg/models/m/versions/2/files/model.bin: hash sha256:"* ]]
	assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 2
	rm reg/models/m/versions/2/files/model.bin
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"versions/2/files/model.bin: missing or unreadable"* ]]
	run --separate-stderr -1 mlpromote verify --registry reg --model nosuch
}

@test "verify: a manifest or run swapped for another is found" {
	two_live
	cp reg/models/m/versions/2/model.json reg/models/m/versions/1/model.json
	cp reg/models/m/versions/2/run.json reg/models/m/versions/1/run.json
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"versions/1/model.json: manifest of another model or version"* ]]
	[[ $stderr == *"versions/1/run.json: not the run the version was published with"* ]]
	run --separate-stderr -1 mlpromote rollback --registry reg --model m
	[[ $stderr == *"versions/1/model.json: manifest of another model or version (run 'mlpromote verify')"* ]]
}

@test "verify: a damaged mlgate.json is exit 1; every other subcommand refuses it" {
	init_reg
	echo '{"kind":"registry"}' > reg/mlgate.json
	run --separate-stderr -1 mlpromote verify --registry reg
	[[ $stderr == *"reg/mlgate.json: no id"* ]]
	run --separate-stderr -1 mlpromote status --registry reg
}

@test "verify: one line per problem; a damaged manifest or run is named once" {
	two_live
	jq . reg/models/m/versions/1/model.json > pretty.json
	mv pretty.json reg/models/m/versions/1/model.json
	rm reg/models/m/versions/2/run.json
	run --separate-stderr -1 mlpromote verify --registry reg
	assert_equal "$stderr" "$(printf '%s\n' \
		"mlpromote: reg/models/m/versions/1/model.json: not in canonical form" \
		"mlpromote: reg/models/m/versions/2/run.json: missing")"
	run --separate-stderr -1 mlpromote pull --registry reg --model m --version 1 out
	[[ $stderr == *"versions/1/model.json: not in canonical form (run 'mlpromote verify')"* ]]
}

@test "a rollback that dies after its audit line (the pointer's rename fails): the next writer completes it" {
	command -v strace > /dev/null || skip "strace is not installed"
	two_live
	# LeakSanitizer cannot run under ptrace: off for this one command
	ASAN_OPTIONS=detect_leaks=0:exitcode=99 run --separate-stderr -3 strace -f -o /dev/null \
		-e trace=rename,renameat,renameat2 -e inject=rename,renameat,renameat2:error=EIO \
		mlpromote rollback --registry reg --model m
	[[ $stderr == *"cannot write 'reg/models/m/current.json'"* ]]
	assert_equal "$(tail -n 1 reg/models/m/audit.jsonl | jq -c '[.action, .seq]')" '["rollback",3]'
	assert_equal "$(jq -r .seq reg/models/m/current.json)" 2
	run -0 find reg -name '*.tmp*'
	assert_output ""
	run -0 mlpromote status --registry reg --model m
	assert_equal "$(jq -c '[.version, .seq]' <<<"$output")" '["1",3]'
	run -0 mlpromote promote --registry reg --model m --version 1 --force --reason t
	assert_equal "$(jq -c '[.version, .seq, .action]' reg/models/m/current.json)" '["1",3,"rollback"]'
	run -0 mlpromote verify --registry reg
}

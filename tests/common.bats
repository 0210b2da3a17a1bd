#!/usr/bin/env bats
# common/: strict JSON, canonical form and ids, atomic files, locks, time,
# names, CI context and the rule grammar, through build/tests/common-test.

load helper
bats_require_minimum_version 1.5.0

ct() { "$MLGATE_BUILD/tests/common-test" "$@"; }

@test "numbers are written as RFC 8785 (ECMAScript) says, for every example of its appendix" {
	while read -r bits want; do
		run ct num "$bits"
		assert_success
		[ "$output" = "$want" ] || { echo "$bits: got '$output', want '$want'"; return 1; }
	done < "$TESTDATA/common/rfc8785-numbers.txt"
}

@test "the RFC 8785 sample canonicalises byte for byte" {
	run ct canon "$TESTDATA/common/rfc8785-sample.json"
	assert_success
	assert_output "$(cat "$TESTDATA/common/rfc8785-sample.canon")"
}

@test "keys are sorted by UTF-16 code units, as RFC 8785's sorting example" {
	run ct canon "$TESTDATA/common/rfc8785-sort.json"
	assert_success
	values=$(printf '%s\n' "$output" | jq -r '[.[]] | join(",")')
	assert_equal "$values" "Carriage Return,One,Control,Latin Small Letter O With Diaeresis,Euro Sign,Emoji: Grinning Face,Hebrew Letter Dalet With Dagesh"
}

@test "canonical form drops whitespace and keeps nesting" {
	printf '{ "b" : [ 1 , {"z":true,"a":null} ], "a" : "x" }\n' > in.json
	run ct canon in.json
	assert_success
	assert_output '{"a":"x","b":[1,{"a":null,"z":true}]}'
}

strict_rejects() { # CONTENT WANT-POSITION WANT-MESSAGE-PART
	printf '%b' "$1" > bad.json
	run -2 --separate-stderr ct canon bad.json
	assert_output ''
	[[ "$stderr" == "common-test: bad.json:$2: "*"$3"* ]] || { echo "stderr: $stderr"; return 1; }
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

@test "strict JSON: duplicate keys are refused with their position" {
	strict_rejects '{"a":1,\n  "a":2}' 2:3 "duplicate key 'a'"
}

@test "strict JSON: keys differing only in case are two keys" {
	printf '{"A":1,"a":2}' > ok.json
	run ct canon ok.json
	assert_success
	assert_output '{"A":1,"a":2}'
}

@test "strict JSON: NaN and Infinity are refused" {
	strict_rejects '{"x": NaN}' 1:7 "NaN and Infinity are not JSON"
	strict_rejects '[1, -Infinity]' 1:5 "NaN and Infinity are not JSON"
	strict_rejects '[Infinity]' 1:2 "NaN and Infinity are not JSON"
}

@test "strict JSON: trailing bytes after the value are refused" {
	strict_rejects '{"a":1} x' 1:9 "trailing data"
	strict_rejects '{"a":1}{}' 1:8 "trailing data"
}

@test "strict JSON: numbers that do not fit a double are refused" {
	strict_rejects '[1e400]' 1:2 "number out of range"
	strict_rejects '[-1e999]' 1:2 "number out of range"
}

@test "strict JSON: leading zeros, bare dots and missing exponents are refused" {
	strict_rejects '[012]' 1:2 "leading zero"
	strict_rejects '[1.]' 1:4 "a digit after '.'"
	strict_rejects '[1e]' 1:4 "exponent"
}

@test "strict JSON: nesting deeper than 64 is refused, 64 is fine" {
	printf '%0.s[' $(seq 64) > ok.json; printf '%0.s]' $(seq 64) >> ok.json
	run ct canon ok.json
	assert_success
	strict_rejects "$(printf '%0.s[' $(seq 65))$(printf '%0.s]' $(seq 65))" 1:65 "nesting deeper than 64"
}

@test "strict JSON: invalid UTF-8, overlong forms and surrogates are refused" {
	strict_rejects '{"a":"\xff"}' 1:7 "invalid UTF-8"
	strict_rejects '["\xc0\xaf"]' 1:3 "invalid UTF-8"
	strict_rejects '["\xed\xa0\x80"]' 1:3 "invalid UTF-8"
	strict_rejects '["\\ud800"]' 1:3 "high surrogate"
	strict_rejects '["\\udc00"]' 1:3 "lone low surrogate"
}

@test "strict JSON: a NUL byte anywhere is refused" {
	strict_rejects '{"a":"x\x00"}' 1:8 "NUL byte in string"
	strict_rejects '{"a":1}\x00' 1:8 "trailing data"
	strict_rejects '["\\u0000"]' 1:3 "u0000 is not allowed"
}

@test "strict JSON: raw control characters in strings are refused" {
	strict_rejects '["a\tb"]' 1:4 "control character in string"
}

@test "strict JSON: empty input, whitespace only, and truncation" {
	strict_rejects '' 1:1 "empty input"
	strict_rejects '  \n\n  ' 3:3 "empty input"
	strict_rejects '{"a":[1,2' 1:10 "unexpected end of input"
	strict_rejects '{"a":"abc' 1:10 "unterminated string"
}

@test "strict JSON: a missing file is exit 2 naming it" {
	run -2 --separate-stderr ct canon nope.json
	assert_equal "$stderr" "common-test: cannot read 'nope.json': No such file or directory"
}

@test "strict JSON: reads standard input as '-'" {
	run ct canon - <<< '{"b":1,"a":2}'
	assert_success
	assert_output '{"a":2,"b":1}'
}

@test "record ids: computed over the canonical form without id and created_at" {
	printf '{"kind":"x","v":1,"b":[1.50,"s"],"a":{"y":1,"x":2}}' > r.json
	want="sha256:$(printf '%s' '{"a":{"x":2,"y":1},"b":[1.5,"s"],"kind":"x","v":1}' | sha256sum | cut -d' ' -f1)"
	run ct id r.json
	assert_success
	assert_output "$want"
	# created_at and id do not take part
	printf '{"created_at":"2026-01-01T00:00:00Z","id":"%s","kind":"x","v":1,"b":[1.5,"s"],"a":{"y":1,"x":2}}' "$want" > r2.json
	run ct id r2.json
	assert_success
	assert_output "$want"
}

@test "record ids: a stated id that does not match the content is exit 2" {
	printf '{"kind":"x","v":1,"a":1,"id":"sha256:%064d"}' 0 > r.json
	run -2 --separate-stderr ct id r.json
	[[ "$stderr" == "common-test: r.json: id does not match its content"* ]]
}

@test "record ids: a snapshot's id covers its entries only" {
	printf '{"kind":"snapshot","root":"a","entries":[{"path":"f","size":1}]}' > s1.json
	printf '{"kind":"snapshot","root":"elsewhere/b","file_count":1,"entries":[{"size":1,"path":"f"}]}' > s2.json
	want="sha256:$(printf '%s' '[{"path":"f","size":1}]' | sha256sum | cut -d' ' -f1)"
	run ct id s1.json
	assert_output "$want"
	run ct id s2.json
	assert_output "$want"
}

@test "record_finish adds kind, v, created_at and a matching id" {
	printf '{"z":1}' > in.json
	run ct finish demo in.json
	assert_success
	printf '%s\n' "$output" > out.json
	assert_equal "$(jq -r .kind out.json)" demo
	assert_equal "$(jq -r .v out.json)" 1
	[[ "$(jq -r .created_at out.json)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]
	run ct id out.json
	assert_output "$(jq -r .id out.json)"
}

@test "strings: runs between escapes are written whole, escapes as RFC 8785 says" {
	run ct canon-string "$(printf 'plain "quoted" back\\slash\ttab\001ctl\177del caf\303\251 end')"
	assert_success
	assert_output "$(printf '%s' '"plain \"quoted\" back\\slash\ttab\u0001ctl')$(printf '\177')del café end\""
	run ct canon-string '"'
	assert_output '"\""'
	run ct canon-string ''
	assert_output '""'
}

@test "integers are written in full up to 2^53, from there as ECMAScript does" {
	printf '[0,-0,1,-1,10,-10,100,1234567890123,-9007199254740991,9007199254740991,9007199254740992,1e21,123456789012345680000,-5e-7,2.5]' > n.json
	run ct canon n.json
	assert_success
	assert_output '[0,0,1,-1,10,-10,100,1234567890123,-9007199254740991,9007199254740991,9007199254740992,1e+21,123456789012345680000,-5e-7,2.5]'
}

@test "keys are sorted in objects of any size, by UTF-16 code units where bytes would differ" {
	# 20 keys, reversed: more than the writer sorts in place
	printf '{' > many.json
	for i in $(seq 20 -1 1); do printf '"k%02d":%d,' "$i" "$i"; done >> many.json
	printf '"K":0}' >> many.json
	run ct canon many.json
	assert_success
	want='{"K":0'
	for i in $(seq 1 20); do want="$want,\"k$(printf %02d "$i")\":$i"; done
	assert_output "$want}"
	# U+E000 sorts after U+1F600 in UTF-16 (0xd83d < 0xe000), before it in bytes
	printf '{"\xee\x80\x80":1,"\xf0\x9f\x98\x80":2,"a":3}' > u.json
	run ct canon u.json
	assert_success
	assert_output "$(printf '{"a":3,"\xf0\x9f\x98\x80":2,"\xee\x80\x80":1}')"
}

@test "record_finish of a snapshot prints its canonical form, the id over the entries printed" {
	printf '{"kind":"snapshot","root":"r","entries":[{"type":"file","size":3,"path":"a \\"q\\"\\u0001","hash":"h"},{"path":"b","size":1e21}]}' > s.json
	run ct finish snapshot s.json
	assert_success
	printf '%s\n' "$output" > out.json
	run ct canon out.json
	assert_output "$(cat out.json)"
	want="sha256:$(printf '%s' '[{"hash":"h","path":"a \"q\"\u0001","size":3,"type":"file"},{"path":"b","size":1e+21}]' | sha256sum | cut -d' ' -f1)"
	assert_equal "$(jq -r .id out.json)" "$want"
	run ct id out.json
	assert_output "$want"
}

@test "what record_finish keeps of one snapshot is never printed for another" {
	printf '{"kind":"snapshot","root":"r","entries":[{"path":"a","size":1}]}' > a.json
	printf '{"kind":"snapshot","root":"r","entries":[{"path":"b","size":2}]}' > b.json
	run ct finish-then snapshot a.json b.json
	assert_success
	assert_output "$(ct canon b.json)"
	ct finish snapshot b.json > b2.json
	run ct finish-then snapshot a.json b2.json
	assert_output "$(ct canon b2.json)"
}

@test "atomic files: the content lands whole, with the mode asked and no temp left" {
	run ct atomic out.txt hello
	assert_success
	assert_equal "$(cat out.txt)" hello
	assert_equal "$(stat -c %a out.txt)" 644
	assert_equal "$(ls -A | grep -c tmp)" 0
}

@test "atomic files: a writer killed before the rename leaves the old file intact" {
	printf 'old' > f.txt
	"$MLGATE_BUILD/tests/common-test" atomic-pause f.txt new > tmpname &
	pid=$!
	for _ in $(seq 100); do [ -s tmpname ] && break; sleep 0.05; done
	tmp=$(cat tmpname)
	[ -e "$tmp" ]
	kill -KILL "$pid"; wait "$pid" || true
	assert_equal "$(cat f.txt)" old
}

@test "atomic files: SIGTERM removes the temp file and keeps the old one" {
	printf 'old' > f.txt
	"$MLGATE_BUILD/tests/common-test" atomic-pause f.txt new > tmpname &
	pid=$!
	for _ in $(seq 100); do [ -s tmpname ] && break; sleep 0.05; done
	tmp=$(cat tmpname)
	kill -TERM "$pid"; wait "$pid" || true
	[ ! -e "$tmp" ]
	assert_equal "$(cat f.txt)" old
}

@test "atomic files: an unwritable directory is exit 3 naming the file" {
	mkdir ro && chmod 0555 ro
	# Root writes anywhere through CAP_DAC_OVERRIDE: drop it for the test.
	local drop=()
	[ "$(id -u)" -ne 0 ] || drop=(setpriv --inh-caps=-all --bounding-set=-dac_override,-dac_read_search)
	run -3 --separate-stderr "${drop[@]}" "$MLGATE_BUILD/tests/common-test" atomic ro/x.txt hi
	assert_equal "$stderr" "common-test: cannot write 'ro/x.txt': Permission denied"
	[ ! -e ro/x.txt ]
	assert_equal "$(ls -A ro)" ""
}

@test "atomic files: a missing directory is exit 3 naming the file" {
	run -3 --separate-stderr ct atomic no/such/x.txt hi
	assert_equal "$stderr" "common-test: cannot write 'no/such/x.txt': No such file or directory"
}

@test "locks: a held lock is seen by another process, and freed when its holder dies" {
	"$MLGATE_BUILD/tests/common-test" lock l.lock 30 > held &
	pid=$!
	for _ in $(seq 100); do [ -s held ] && break; sleep 0.05; done
	run -1 ct trylock l.lock
	kill -KILL "$pid"; wait "$pid" || true
	run -0 ct trylock l.lock
}

@test "time: RFC 3339 UTC round trip, fractions and +00:00 accepted, others refused" {
	run ct time 2026-11-23T10:00:00Z
	assert_output "1795428000 2026-11-23T10:00:00Z"
	run ct time 2026-11-23T10:00:00.123+00:00
	assert_output "1795428000 2026-11-23T10:00:00Z"
	run ct time 1970-01-01T00:00:00Z
	assert_output "0 1970-01-01T00:00:00Z"
	run -2 ct time 2026-11-23T10:00:00+01:00
	run -2 ct time 2026-13-01T00:00:00Z
	run -2 ct time yesterday
}

@test "durations: s m h d w and plain seconds" {
	run ct duration 30d;  assert_output 2592000
	run ct duration 12h;  assert_output 43200
	run ct duration 15m;  assert_output 900
	run ct duration 2w;   assert_output 1209600
	run ct duration 45;   assert_output 45
	run -2 ct duration 3y
	run -2 ct duration -5s
	run -2 ct duration d
}

@test "names: the allowed form, and what is refused" {
	for ok in a churn v1.2.3 A_b-C.d 0 "$(printf 'x%.0s' $(seq 128))"; do
		run -0 ct name "$ok"
	done
	for bad in "" .. . -x _x a/b "a b" "$(printf 'x%.0s' $(seq 129))" "é"; do
		run -2 --separate-stderr ct name "$bad"
		[[ "$stderr" == "common-test: invalid name "* ]]
	done
}

@test "CI context: GitHub Actions" {
	GITHUB_ACTIONS=true GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=o/r GITHUB_RUN_ID=7 \
	GITHUB_RUN_ATTEMPT=2 GITHUB_ACTOR=alice GITHUB_SHA=abc GITHUB_JOB=train run ct ci
	assert_success
	assert_line --index 0 '{"actor":"alice","build_number":null,"build_url":"https://github.com/o/r/actions/runs/7/attempts/2","job":"train","provider":"github-actions","ref":null,"repository":"o/r","run_attempt":"2","run_id":"7","server":"https://github.com","sha":"abc","workflow":null}'
	assert_line --index 1 alice
}

@test "CI context: Jenkins" {
	JENKINS_URL=http://j/ BUILD_URL=http://j/job/x/5/ JOB_NAME=x BUILD_NUMBER=5 GIT_COMMIT=abc USER=bob run ct ci
	assert_success
	assert_line --index 0 --partial '"build_url":"http://j/job/x/5/"'
	assert_line --index 0 --partial '"provider":"jenkins"'
	assert_line --index 0 --partial '"sha":"abc"'
	assert_line --index 1 bob
}

@test "CI context: none outside CI" {
	USER=carol run ct ci
	assert_line --index 0 null
	assert_line --index 1 carol
}

@test "rules: every form of the grammar" {
	run ct rule 'f1 >= baseline + 0.01';      assert_output 'f1 >= baseline+ 0.01'
	run ct rule 'roc_auc>=0.8';               assert_output 'roc_auc >= abs 0.80000000000000004'
	run ct rule 'latency_ms <= baseline * 1.05'; assert_output 'latency_ms <= baseline* 1.05'
	run ct rule 'loss < baseline';            assert_output 'loss < baseline 0'
	run ct rule 'acc > baseline - 2e-2';      assert_output 'acc > baseline- 0.02'
	run ct rule 'val/acc.top-1 > -1';         assert_output 'val/acc.top-1 > abs -1'
}

@test "rules: errors give the column" {
	run -2 --separate-stderr ct rule 'f1 x= 0.5'
	assert_equal "$stderr" "common-test: --rule 1:4: expected an operator (>=, >, <= or <)"
	run -2 --separate-stderr ct rule '>= 0.5'
	assert_equal "$stderr" "common-test: --rule 1:1: expected a metric name"
	run -2 --separate-stderr ct rule 'f1 >= baseline / 2'
	assert_equal "$stderr" "common-test: --rule 1:16: expected '+', '-' or '*' after 'baseline'"
	run -2 --separate-stderr ct rule 'f1 >= nan'
	assert_equal "$stderr" "common-test: --rule 1:7: expected a number"
	run -2 --separate-stderr ct rule 'f1 >= 0x10'
	assert_equal "$stderr" "common-test: --rule 1:7: invalid number"
	run -2 --separate-stderr ct rule 'f1 >= 0.5 and more'
	assert_equal "$stderr" "common-test: --rule 1:11: unexpected text after the rule"
	run -2 --separate-stderr ct rule ''
	assert_equal "$stderr" "common-test: --rule 1:1: empty rule"
}

@test "writing to a full stdout is exit 3" {
	printf '{"a":1}' > in.json
	run -3 --separate-stderr sh -c '"$1" canon in.json > /dev/full' sh "$MLGATE_BUILD/tests/common-test"
	[[ "$stderr" == "common-test: cannot write to standard output: No space left on device" ]]
}

@test "version_print closes stdout once, whoever else closes it at exit" {
	run -0 --separate-stderr ct version
	assert_output "common-test (mlgate) 0.1.0"
	assert_equal "$stderr" ""
	run -3 --separate-stderr sh -c '"$1" version > /dev/full' sh "$MLGATE_BUILD/tests/common-test"
}

@test "CI context: the actor falls back to the account name when USER and LOGNAME are unset" {
	run env -u USER -u LOGNAME "$MLGATE_BUILD/tests/common-test" ci
	assert_line --index 1 "$(id -un)"
}

@test "the canonical writer refuses strings that are not UTF-8, and keeps those that are" {
	run -0 ct canon-string "$(printf 'caf\xc3\xa9')"
	assert_output "$(printf '"caf\xc3\xa9"')"
	run -2 --separate-stderr ct canon-string "$(printf 'caf\xe9')"
	assert_equal "$stderr" "common-test: a value cannot be written as JSON (a non-finite number or invalid UTF-8)"
}

@test "CI context: environment bytes that are not UTF-8 become U+FFFD" {
	GITHUB_ACTIONS=true GITHUB_JOB="$(printf 'j\xffb')" GITHUB_ACTOR="$(printf 'a\xfe')" run ct ci
	assert_success
	assert_line --index 0 --partial "$(printf '"job":"j\xef\xbf\xbdb"')"
	assert_line --index 1 "$(printf 'a\xef\xbf\xbd')"
}

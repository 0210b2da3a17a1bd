#!/bin/bash
# crash-loop.sh TOOL N: kills TOOL with SIGKILL N times at random moments and
# checks, after each kill, what a crash must never break. Run in an empty
# scratch directory with the tools on PATH; tests/crash.bats runs it with
# N=100 for mlpromote, tests/soak/crash-soak.sh with N=1000.
#
#   mlpromote   promote and rollback, in turn. After each kill: the pointer is
#               the old one or the new one byte for byte, never torn or empty;
#               the audit chain verifies up to a possibly torn last line; the
#               next writer (a publish) completes the interrupted change, only
#               appending to the log, and then `verify` passes; a change that
#               exited 0 has exactly one audit line, a killed one none or one.
#   mlsnapshot  -o ARCHIVE of two trees in turn: the archive is the old or the
#               new one byte for byte (archives are deterministic), never partial.
#   mlrun-log   -d RUNDIR: run.json is absent, or whole (its id checks) with
#               the whole metric series beside it.
#
# The kill delay is drawn from 0 to 1.2 x the mean duration of the runs that
# were not killed (timeout(1) starts its clock before the tool is executed).
# CRASH_SEED replays a sequence of delays. Prints one summary line; on a
# failure, one line saying which kill broke what, and exits 1.
set -u

tool=${1:?usage: crash-loop.sh mlpromote|mlsnapshot|mlrun-log N}
kills=${2:?usage: crash-loop.sh mlpromote|mlsnapshot|mlrun-log N}
seed=${CRASH_SEED:-$$}
RANDOM=$seed

fail() {
	echo "crash-loop: $tool (CRASH_SEED=$seed): $*" >&2
	exit 1
}

now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# killed_run MS CMD...: runs CMD, SIGKILLed after MS ms; sets rc, and adds its
# duration to the mean when it was not killed.
sum=0 ends=0 dur=50
killed_run() {
	local ms=$1 t0 secs
	shift
	secs=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
	[ "$ms" -gt 0 ] || secs=0.001
	t0=$(now_ms)
	rc=0
	timeout -s KILL "$secs" "$@" || rc=$?
	if [ "$rc" -ne 137 ]; then
		sum=$((sum + $(now_ms) - t0)) ends=$((ends + 1))
		dur=$((sum / ends + 1))
	fi
}

next_delay() {
	echo $((RANDOM % (dur + dur / 5 + 1)))
}

# calibrate CMD...: the first mean duration, from one run that is not killed.
calibrate() {
	local t0
	t0=$(now_ms)
	"$@" || fail "calibration run failed: $*"
	sum=$(($(now_ms) - t0)) ends=1 dur=$((sum + 1))
}

# field NAME TEXT: the string value of the first "NAME":"..." in TEXT.
field() {
	[[ $2 =~ \"$1\":\"([^\"]*)\" ]] && echo "${BASH_REMATCH[1]}"
}

changes() {
	grep -cE '"action":"(promote|rollback)"' "$1"
}

crash_mlpromote() {
	local ptr=reg/models/m/current.json log=reg/models/m/audit.jsonl v
	mlpromote init --registry reg || fail "init failed"
	for v in 1 2 3; do
		echo "weights $v" > "w$v.bin"
		mlpromote publish --registry reg --model m --version "$v" "w$v.bin" > /dev/null || fail "publish failed"
	done
	mlpromote promote --registry reg --model m --version 1 --force --reason setup > /dev/null || fail "promote failed"
	calibrate mlpromote promote --registry reg --model m --version 2 --force --reason setup > /dev/null
	local next=4 i old prefix after healed before now kind delay line what
	local killed=0 exited=0 refused=0 torn=0 landed=0
	for i in $(seq 1 "$kills"); do
		old=$(< "$ptr")
		before=$(changes "$log")
		delay=$(next_delay)
		if ((i % 2)); then
			kind=promote
			# the version the previous heal published: never the live one
			killed_run "$delay" mlpromote promote --registry reg --model m --version $((next - 1)) \
				--force --reason "kill $i" > out.json 2> err
		else
			kind=rollback
			killed_run "$delay" mlpromote rollback --registry reg --model m > out.json 2> err
		fi
		what="kill $i ($kind, ${delay}ms, exit $rc)"
		after=$(< "$ptr")
		[ -n "$after" ] || fail "$what: empty pointer"
		case $rc in
		0) exited=$((exited + 1)) ;;
		137) killed=$((killed + 1)) ;;
		1)
			# nothing to go back to, when killed promotions left no history
			[[ $kind == rollback && $(< err) == *"nothing to roll back to"* ]] || fail "$what: $(< err)"
			refused=$((refused + 1))
			;;
		*) fail "$what: $(< err)" ;;
		esac
		prefix=$(< "$log")
		if [ -n "$(tail -c 1 "$log")" ]; then
			torn=$((torn + 1))
			prefix=${prefix%$'\n'*}
			# readers check the chain, ignoring the torn last line
			mlpromote history --registry reg --model m > /dev/null || fail "$what: history refused the log"
		fi
		# the next writer completes whatever was interrupted
		echo "weights $next" > "w$next.bin"
		mlpromote publish --registry reg --model m --version "$next" "w$next.bin" > /dev/null ||
			fail "$what: the next publish failed"
		next=$((next + 1))
		healed=$(< "$ptr")
		[[ $after == "$old" || $after == "$healed" ]] || fail "$what: pointer neither the old nor the new one"
		now=$(changes "$log")
		if [ "$rc" -eq 0 ]; then
			[ "$now" -eq $((before + 1)) ] || fail "$what: $now change lines after $before"
			[ "$healed" = "$(< out.json)" ] || fail "$what: the pointer is not the one printed"
		elif [ "$rc" -eq 1 ] || [ "$now" -eq "$before" ]; then
			[ "$now" -eq "$before" ] || fail "$what: $now change lines after $before"
			[ "$healed" = "$old" ] || fail "$what: the pointer changed without an audit line"
		else
			[ "$now" -eq $((before + 1)) ] || fail "$what: $now change lines after $before"
			landed=$((landed + 1))
		fi
		if [ "$now" -ne "$before" ]; then
			line=$(grep -E '"action":"(promote|rollback)"' "$log" | tail -n 1)
			[ "$(field id "$healed")" = "$(field pointer "$line")" ] ||
				fail "$what: the pointer is not the one the last audit line names"
		fi
		[[ $(< "$log") == "$prefix"* ]] || fail "$what: the audit log was rewritten, not appended to"
		mlpromote verify --registry reg || fail "$what: verify failed after the next writer"
	done
	now=$(changes "$log")
	[ "$now" -eq $((2 + exited + landed)) ] || fail "$now change lines, expected $((2 + exited + landed))"
	echo "mlpromote: $kills runs (mean ${dur}ms): $killed killed ($landed after their audit line)," \
		"$exited exited 0, $refused refused, $torn torn audit lines; verify passed after each"
}

crash_mlsnapshot() {
	export SOURCE_DATE_EPOCH=1700000000
	mkdir -p d1 d2
	head -c 1000000 /dev/urandom > d1/big.bin
	printf 'one\n' > d1/a.txt
	head -c 1000000 /dev/urandom > d2/big.bin
	printf 'two\n' > d2/a.txt
	mlsnapshot --no-cache -o ref1.tar.gz d1 > /dev/null || fail "reference archive failed"
	calibrate mlsnapshot --no-cache -o ref2.tar.gz d2 > /dev/null
	local i src delay cur=none killed=0 exited=0 what
	for i in $(seq 1 "$kills"); do
		src=$((i % 2 + 1))
		delay=$(next_delay)
		killed_run "$delay" mlsnapshot --no-cache -o out.tar.gz "d$src" > snap.json 2> err
		what="kill $i (${delay}ms, exit $rc)"
		case $rc in
		0) exited=$((exited + 1)) ;;
		137) killed=$((killed + 1)) ;;
		*) fail "$what: $(< err)" ;;
		esac
		if [ -e out.tar.gz ]; then
			if cmp -s out.tar.gz "ref$src.tar.gz"; then
				cur=$src
			else
				if [ "$rc" -eq 0 ] || [ "$cur" = none ]; then
					fail "$what: out.tar.gz is not the new archive"
				fi
				cmp -s out.tar.gz "ref$cur.tar.gz" || fail "$what: out.tar.gz is neither the old nor the new archive"
			fi
		else
			if [ "$cur" != none ] || [ "$rc" -eq 0 ]; then
				fail "$what: no out.tar.gz"
			fi
		fi
	done
	echo "mlsnapshot -o: $kills runs (mean ${dur}ms): $killed killed, $exited exited 0; the archive was always whole"
}

crash_mlrun_log() {
	local j
	for j in $(seq 1 20000); do
		printf '{"step":%d,"loss":0.%04d}\n' "$j" "$j"
	done > train.log
	calibrate mlrun-log -d ref -p lr=0.1 < train.log > ref.json 2> /dev/null
	local i delay killed=0 exited=0 recorded=0 what
	mkdir -p runs
	for i in $(seq 1 "$kills"); do
		delay=$(next_delay)
		killed_run "$delay" mlrun-log -d "runs/r$i" -p lr=0.1 < train.log > "out$i.json" 2> /dev/null
		what="kill $i (${delay}ms, exit $rc)"
		case $rc in
		0)
			exited=$((exited + 1))
			cmp -s "out$i.json" "runs/r$i/run.json" || fail "$what: run.json is not the record printed"
			;;
		137) killed=$((killed + 1)) ;;
		*) fail "$what" ;;
		esac
		if [ -e "runs/r$i/run.json" ]; then
			recorded=$((recorded + 1))
			# the whole series went down before the record that names it
			[ "$(wc -l < "runs/r$i/metrics.jsonl")" -eq 20000 ] || fail "$what: metrics.jsonl is partial"
		fi
	done
	# every run.json there is whole: ls checks each one's id against its content
	if [ "$recorded" -gt 0 ]; then
		[ "$(mlrun-log ls runs | wc -l)" -eq "$recorded" ] || fail "ls does not list every run"
		mlrun-log ls runs > /dev/null || fail "ls found a damaged run.json"
	fi
	echo "mlrun-log: $kills runs (mean ${dur}ms): $killed killed, $exited exited 0, $recorded recorded; every run.json whole"
}

case $tool in
mlpromote) crash_mlpromote ;;
mlsnapshot) crash_mlsnapshot ;;
mlrun-log) crash_mlrun_log ;;
*) fail "unknown tool" ;;
esac

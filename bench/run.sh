#!/bin/sh
# mlgate's speed figures beside the tools a user would pick instead: what
# `make bench` runs (after building). See docs/performance.md.
#
# Usage: sh bench/run.sh [snapshot] [runlog] [eval] [startup] [demo]
#   (no argument: all five). Each of our commands runs beside its references
#   in one loop, alternating, BENCH_RUNS times (default 5); the table at the
#   end holds the medians (wall clock) and the speed-ups (reference / ours).
#
# The data are generated deterministically under build/bench (at most about
# 2.5 GB at a time) and removed at the end; the table is kept in
# build/bench-results.txt. Environment: MLGATE_BUILD (default build),
# BENCH_RUNS, BENCH_PYTHON (a python3 with numpy and scikit-learn).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${MLGATE_BUILD:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
bin=$build/bin
B=$build/bench
runs=${BENCH_RUNS:-5}
results=$build/bench-results.txt
# Hashing is done by libcrypto either way; keep the locale out of sort(1) and tar.
LC_ALL=C
export LC_ALL

# ---- dependencies: bench-only, not in build-aux/deps.sh -------------------

missing=
for c in cc hyperfine zstd b2sum sha256sum jq tar find xargs; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
[ -x /usr/bin/time ] || missing="$missing /usr/bin/time"
[ -f /usr/include/cjson/cJSON.h ] || missing="$missing cJSON.h"
py=
for p in ${BENCH_PYTHON:-} python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import numpy, sklearn' 2>/dev/null; then
		py=$p
		break
	fi
done
[ -n "$py" ] || missing="$missing python3-numpy/python3-sklearn"
if [ -n "$missing" ]; then
	echo "bench: missing:$missing" >&2
	echo "bench: on Debian: apt-get install -y build-essential hyperfine time zstd jq libcjson-dev python3-numpy python3-sklearn" >&2
	exit 2
fi
for t in mlsnapshot mlrun-log mleval-compare mlpromote; do
	[ -x "$bin/$t" ] || {
		echo "bench: '$bin/$t' not built; run 'make bench'" >&2
		exit 2
	}
done

rm -rf "$B"
mkdir -p "$B/times" "$B/cpu"
trap 'rm -rf "$B"' EXIT
trap 'exit 130' INT TERM
# Our own copy of the tools: a rebuild during the run must not mix versions.
mkdir -p "$B/bin"
for t in mlsnapshot mlrun-log mleval-compare mlpromote; do
	cp "$bin/$t" "$B/bin/$t"
done
bin=$B/bin
rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
rows=$B/rows
: >"$rows"
# mlsnapshot's stat cache goes here, never into the user's cache.
XDG_CACHE_HOME=$B/cache
export XDG_CACHE_HOME

say() {
	printf 'bench: %s\n' "$*" >&2
}

# measure LABEL CMD: runs CMD (a shell command line, eval'd in this shell so
# no extra process is timed) and appends its wall time in seconds to
# $B/times/LABEL. Exit statuses 0 and 1 (a gate saying no) both count.
# The CPU time (user + system of the children, from times(1)) goes to
# $B/cpu/LABEL: far less noisy than the wall clock on a loaded machine.
measure() {
	label=$1
	times >"$B/times0"
	t0=$(date +%s%N)
	rc=0
	eval "$2" || rc=$?
	t1=$(date +%s%N)
	times >"$B/times1"
	c0=$(children_cpu "$B/times0")
	c1=$(children_cpu "$B/times1")
	if [ "$rc" -gt 1 ]; then
		echo "bench: '$2' failed (exit $rc)" >&2
		exit 1
	fi
	echo "$t0 $t1" | awk '{ printf "%.6f\n", ($2 - $1) / 1e9 }' >>"$B/times/$label"
	echo "$c0 $c1" | awk '{ printf "%.6f\n", $2 - $1 }' >>"$B/cpu/$label"
}

# children_cpu FILE: the user + system seconds of this shell's waited-for
# children, from what times(1) wrote to FILE (times runs in this shell: in a
# command substitution it would see the subshell's children only).
children_cpu() {
	awk 'NR == 2 {
		s = 0
		for (i = 1; i <= 2; i++) { split($i, p, "m"); s += p[1] * 60 + p[2] }
		printf "%.6f\n", s
	}' "$1"
}

# median LABEL [DIR]: the median of the times measured for LABEL (DIR: times
# for the wall clock, cpu for the CPU time).
median() {
	sort -n "$B/${2:-times}/$1" | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# versus FIGURE OURS REF MIN: a row comparing two medians; MIN is the
# speed-up (reference / ours) the target asks for, or - for none.
versus() {
	o=$(median "$2")
	r=$(median "$3")
	cpu=-
	[ ! -s "$B/cpu/$2" ] || [ ! -s "$B/cpu/$3" ] || cpu=$(awk -v o="$(median "$2" cpu)" -v r="$(median "$3" cpu)" 'BEGIN { printf "%.2fx", r / o }')
	awk -v f="$1" -v o="$o" -v r="$r" -v min="$4" -v cpu="$cpu" 'BEGIN {
		s = r / o
		v = (min == "-") ? "-" : (s >= min ? "met" : "MISSED")
		t = (min == "-") ? "-" : ">= " min "x"
		printf "%s\t%.3f s\t%.3f s\t%.2fx\t%s\t%s\t%s\n", f, o, r, s, cpu, t, v
	}' >>"$rows"
}

# value FIGURE VALUE UNIT OP LIMIT: a row holding one figure against a bound
# (OP and LIMIT -: no target, a figure for the record).
value() {
	awk -v f="$1" -v x="$2" -v u="$3" -v op="$4" -v lim="$5" 'BEGIN {
		ok = (op == "<=") ? (x <= lim) : (x >= lim)
		t = (op == "-") ? "-" : op " " lim " " u
		v = (op == "-") ? "-" : (ok ? "met" : "MISSED")
		printf "%s\t%.4g %s\t-\t-\t-\t%s\t%s\n", f, x, u, t, v
	}' >>"$rows"
}

# peak_rss CMD: the peak resident set in KiB of CMD (GNU time).
peak_rss() {
	/usr/bin/time -f %M -o "$B/rss" sh -c "$1" || [ $? -eq 1 ]
	tail -n 1 "$B/rss"
}

warm() {
	find "$1" -type f -exec cat {} + >/dev/null
}

# ---- 1. mlsnapshot -----------------------------------------------------------

snapshot_tree() { # NAME GENERATOR
	d=$B/tree-$1
	say "generating the $1 tree"
	"$py" "$root/bench/gen.py" "$2" "$d"
	# Old mtimes: the stat cache never trusts a file modified in the last seconds.
	find "$d" -exec touch -h -d '2020-01-01 00:00:00' {} +
	sleep 2
	warm "$d"
	say "mlsnapshot on the $1 tree, $runs rounds"
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		measure "snap-$1" "'$bin/mlsnapshot' --no-cache '$d' >/dev/null"
		measure "b2-$1" "find '$d' -type f -print0 | xargs -0 -P2 -n1000 b2sum >/dev/null"
		measure "sha-$1" "find '$d' -type f -print0 | xargs -0 -P2 -n1000 sha256sum >/dev/null"
		rm -rf "$XDG_CACHE_HOME"
		measure "first-$1" "'$bin/mlsnapshot' '$d' >/dev/null"
		measure "again-$1" "'$bin/mlsnapshot' '$d' >/dev/null"
		measure "arch-$1" "'$bin/mlsnapshot' --no-cache -o '$B/ours.tar.zst' '$d' >/dev/null"
		rm -f "$B/ours.tar.zst"
		measure "tar-$1" "tar --sort=name -cf - -C '$d' . | zstd -q -1 -T2 >'$B/ref.tar.zst'"
		rm -f "$B/ref.tar.zst"
	done
	versus "mlsnapshot $1 vs xargs -P2 b2sum" "snap-$1" "b2-$1" 1.5
	versus "mlsnapshot $1 vs xargs -P2 sha256sum" "snap-$1" "sha-$1" 3
	versus "mlsnapshot $1 re-snapshot vs first" "again-$1" "first-$1" 20
	versus "mlsnapshot -o .tar.zst $1 vs tar|zstd -1 -T2" "arch-$1" "tar-$1" 1
	gb=$(du -sb "$d" | awk '{ print $1 / 1e9 }')
	value "mlsnapshot $1 hash rate" "$(awk -v g="$gb" -v t="$(median "snap-$1")" 'BEGIN { print g / t }')" GB/s - -
	rss=$(peak_rss "'$bin/mlsnapshot' --no-cache '$d' >/dev/null")
	value "mlsnapshot $1 peak RSS" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" MiB "<=" 64
	rss=$(peak_rss "'$bin/mlsnapshot' --no-cache -o '$B/ours.tar.zst' '$d' >/dev/null")
	rm -f "$B/ours.tar.zst"
	value "mlsnapshot -o .tar.zst $1 peak RSS" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" MiB "<=" 64
	rm -rf "$d" "$XDG_CACHE_HOME"
}

bench_snapshot() {
	snapshot_tree small smalltree
	snapshot_tree big bigtree
}

# ---- 2. mlrun-log ------------------------------------------------------------

bench_runlog() {
	m=$B/metrics.jsonl
	lines=5000000
	say "generating $lines metric lines"
	"$py" "$root/bench/gen.py" metrics "$m" "$lines"
	cc -O2 -o "$B/cjson-lines" "$root/bench/cjson-lines.c" -lcjson
	cat "$m" >/dev/null
	say "mlrun-log, $runs rounds"
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		measure runlog "'$bin/mlrun-log' -d '$B/run' <'$m' >/dev/null 2>/dev/null"
		rm -rf "$B/run"
		measure jq "jq -c . <'$m' >'$B/jq.out'"
		rm -f "$B/jq.out"
		measure cjson "'$B/cjson-lines' copy '$B/cj.out' <'$m'"
		rm -f "$B/cj.out"
		measure cjprint "'$B/cjson-lines' print '$B/cj.out' <'$m'"
		rm -f "$B/cj.out"
	done
	versus "mlrun-log 5M lines vs jq -c ." runlog jq 8
	versus "mlrun-log 5M lines vs cJSON parse, line copied" runlog cjson 2
	versus "mlrun-log 5M lines vs cJSON parse + print" runlog cjprint -
	value "mlrun-log line rate" "$(awk -v n=$lines -v t="$(median runlog)" 'BEGIN { print n / t / 1e6 }')" "M lines/s" ">=" 4
	rss=$(peak_rss "'$bin/mlrun-log' -d '$B/run' <'$m' >/dev/null 2>/dev/null")
	rm -rf "$B/run" "$m"
	value "mlrun-log peak RSS" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" MiB - -
}

# ---- 3. mleval-compare -------------------------------------------------------

# numpy_boot LABEL RESAMPLES [auc]: the numpy bootstrap, run with RESAMPLES
# and scaled to 1000 (its loop is linear in them): wall + loop * (1000/R - 1).
numpy_boot() {
	measure "$1" "'$py' '$root/bench/np_bootstrap.py' '$B/base.csv' '$B/cand.csv' $2 ${3:-} >'$B/loop' 2>/dev/null"
	last=$(tail -n 1 "$B/times/$1")
	sed '$d' "$B/times/$1" >"$B/times/$1.tmp"
	awk -v w="$last" -v l="$(cat "$B/loop")" -v r="$2" 'BEGIN { printf "%.6f\n", w + l * (1000 / r - 1) }' >>"$B/times/$1.tmp"
	mv "$B/times/$1.tmp" "$B/times/$1"
	# Its CPU time was not scaled: leave it out of the CPU ratio.
	rm -f "$B/cpu/$1"
}

bench_eval() {
	p=$B/preds.csv
	rows10=10000000
	say "generating $rows10 prediction rows and two paired files of 1M"
	"$py" "$root/bench/gen.py" preds "$p" "$rows10" 6
	"$py" "$root/bench/gen.py" preds "$B/base.csv" 1000000 7
	"$py" "$root/bench/gen.py" preds "$B/cand.csv" 1000000 8
	cat "$p" "$B/base.csv" "$B/cand.csv" >/dev/null
	cls="--rule 'accuracy >= baseline - 0.01' --rule 'precision >= baseline - 0.01'"
	cls="$cls --rule 'recall >= baseline - 0.01' --rule 'f1 >= baseline - 0.01'"
	say "mleval-compare, $runs rounds"
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		measure ev10 "'$bin/mleval-compare' --predictions --no-baseline --rule 'roc_auc >= 0.5' '$p' >/dev/null"
		measure sk10 "'$py' '$root/bench/sk_metrics.py' '$p' >/dev/null"
		measure bootp "'$bin/mleval-compare' --predictions --bootstrap 1000 $cls '$B/base.csv' '$B/cand.csv' >/dev/null"
		numpy_boot npboot 50
		measure bootauc "'$bin/mleval-compare' --predictions --bootstrap 1000 $cls --rule 'roc_auc >= baseline - 0.01' '$B/base.csv' '$B/cand.csv' >/dev/null"
		numpy_boot npbootauc 4 auc
	done
	versus "mleval-compare 10M rows vs scikit-learn" ev10 sk10 6
	value "mleval-compare 10M rows, all binary metrics" "$(median ev10)" s "<=" 1.5
	versus "paired bootstrap 1000x1M acc/p/r/f1 vs numpy" bootp npboot -
	value "paired bootstrap 1000x1M acc/p/r/f1" "$(median bootp)" s "<=" 1
	versus "paired bootstrap 1000x1M +roc_auc vs numpy" bootauc npbootauc -
	value "paired bootstrap 1000x1M +roc_auc" "$(median bootauc)" s "<=" 5
	# On a shared machine the CPU time tells what two idle cores would take.
	value "  10M rows, CPU (user+system)" "$(median ev10 cpu)" s - -
	value "  bootstrap acc/p/r/f1, CPU" "$(median bootp cpu)" s - -
	value "  bootstrap +roc_auc, CPU" "$(median bootauc cpu)" s - -
	rss=$(peak_rss "'$bin/mleval-compare' --predictions --no-baseline --rule 'roc_auc >= 0.5' '$p' >/dev/null")
	value "mleval-compare 10M rows memory" "$(awk -v k="$rss" -v n=$rows10 'BEGIN { print k * 1024 / n }')" bytes/row "<=" 24
	rm -f "$p" "$B/base.csv" "$B/cand.csv"
}

# ---- 4. start-up and the demo ----------------------------------------------

hyper() { # LABEL COMMAND: the median of 200 runs, in ms
	hyperfine -N --style none --warmup 10 --runs 200 --export-json "$B/h.json" "$2" >/dev/null
	jq '.results[0].median * 1000' "$B/h.json" >"$B/times/$1"
	jq '(.results[0].user + .results[0].system) * 1000' "$B/h.json" >"$B/cpu/$1"
}

bench_startup() {
	say "start-up (hyperfine, 200 runs each)"
	"$bin/mlpromote" init --registry "$B/reg" >/dev/null
	hyper v-snap "$bin/mlsnapshot --version"
	hyper v-runlog "$bin/mlrun-log --version"
	hyper v-eval "$bin/mleval-compare --version"
	hyper v-promote "$bin/mlpromote --version"
	hyper s-promote "$bin/mlpromote status --registry $B/reg"
	printf 'int main(void) { return 0; }\n' >"$B/empty.c"
	cc -O2 -o "$B/empty" "$B/empty.c"
	hyper v-empty "$B/empty"
	value "mlsnapshot --version" "$(median v-snap)" ms "<=" 10
	value "mlrun-log --version" "$(median v-runlog)" ms "<=" 3
	value "mleval-compare --version" "$(median v-eval)" ms "<=" 3
	value "mlpromote --version" "$(median v-promote)" ms "<=" 10
	value "mlpromote status (directory registry)" "$(median s-promote)" ms "<=" 10
	value "an empty C program (the floor)" "$(median v-empty)" ms - -
	# On a loaded machine even the floor is slow: the start-up cost in
	# multiples of the floor's is what carries over to an idle one.
	for l in v-snap v-runlog v-eval v-promote s-promote; do
		value "$l: wall / empty program's" "$(awk -v a="$(median "$l")" -v b="$(median v-empty)" 'BEGIN { print a / b }')" x - -
	done
	for l in v-snap v-runlog v-eval v-promote s-promote v-empty; do
		printf '%s %s\n' "$l" "$(cat "$B/cpu/$l")"
	done | awk '{ printf "bench: start-up CPU (user+system, mean) %-9s %.2f ms\n", $1, $2 }' >&2
	rm -rf "$B/reg"
}

# The demo with each tool replaced by bench/timed.c, which runs the real one
# and logs the time from just before posix_spawn to just after wait4 (the
# tool's start-up, run and exit; not the wrapper's own start) and the tool's
# CPU time. python3 (the training, run by mlrun-log) is wrapped too and its
# time taken off. For scale, the same wrapper times an empty C program as
# many times as the demo calls tools: the floor of that many process starts.
bench_demo() {
	w=$B/wrap/bin
	mkdir -p "$w"
	cc -O2 -o "$B/timed" "$root/bench/timed.c"
	printf 'int main(void) { return 0; }\n' >"$B/empty.c"
	cc -O2 -o "$bin/empty" "$B/empty.c"
	for t in mlsnapshot mlrun-log mleval-compare mlpromote python3 empty; do
		ln -sf "$B/timed" "$w/$t"
	done
	BENCH_REAL_BIN=$bin
	BENCH_REAL_PYTHON=$(command -v python3)
	export BENCH_REAL_BIN BENCH_REAL_PYTHON
	demoruns=3
	say "the demo with its tools timed, $demoruns rounds"
	i=0
	while [ "$i" -lt "$demoruns" ]; do
		i=$((i + 1))
		BENCH_DEMO_LOG=$B/demo.log
		export BENCH_DEMO_LOG
		: >"$BENCH_DEMO_LOG"
		MLGATE_BUILD=$B/wrap MLGATE_DEMO_DIR=$B/demo sh "$root/examples/demo.sh" >/dev/null 2>&1
		# Wall and CPU (ms) of the tools, the training's taken off.
		awk '{ d = ($3 - $2) / 1e6; c = $4 / 1e3; if ($1 == "tool") { t += d; u += c } else { t -= d; u -= c } }
			END { printf "%.3f\n", t >"/dev/stderr"; printf "%.3f\n", u }' "$BENCH_DEMO_LOG" \
			2>>"$B/times/demo" >>"$B/cpu/demo"
		calls=$(grep -c '^tool' "$BENCH_DEMO_LOG")
		cp "$BENCH_DEMO_LOG" "$B/demo-last.log"
		BENCH_DEMO_LOG=$B/empty.log
		: >"$BENCH_DEMO_LOG"
		k=0
		while [ "$k" -lt "$calls" ]; do
			k=$((k + 1))
			"$w/empty"
		done
		awk '{ t += ($3 - $2) / 1e6; u += $4 / 1e3 } END { printf "%.3f\n", t >"/dev/stderr"; printf "%.3f\n", u }' \
			"$BENCH_DEMO_LOG" 2>>"$B/times/demo-empty" >>"$B/cpu/demo-empty"
	done
	# The last round's time by tool and subcommand (training taken off mlrun-log).
	awk '{ d = ($3 - $2) / 1e6; k = $5 " " $6; if ($1 == "train") { d = -d; k = "mlrun-log --" } t[k] += d; n[k]++ }
		END { for (k in t) printf "bench: demo %-26s %3d calls %8.1f ms\n", k, n[k], t[k] }' "$B/demo-last.log" | sort >&2
	value "demo pipeline tool time ($calls calls, training excluded)" "$(median demo)" ms "<=" 150
	value "  the same, CPU (user+system)" "$(median demo cpu)" ms - -
	value "  $calls calls of an empty C program, same wrapper" "$(median demo-empty)" ms - -
	rm -rf "$B/demo" "$B/wrap" "$bin/empty"
}

# ---- main ----------------------------------------------------------------------

sections=${*:-snapshot runlog eval startup demo}
for s in $sections; do
	case $s in
	snapshot | runlog | eval | startup | demo) "bench_$s" ;;
	*)
		echo "bench: unknown section '$s' (snapshot, runlog, eval, startup, demo)" >&2
		exit 2
		;;
	esac
done

{
	echo "mlgate bench at $rev, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $runs rounds, medians of wall time"
	echo "speed-up: reference / ours, wall clock (the verdict) and CPU time (user + system)"
	printf 'figure\tours\treference\tspeed-up\tcpu\ttarget\tverdict\n'
	cat "$rows"
} | awk -F '\t' 'NR <= 2 { print; next }
	{ printf "%-56s %13s %10s %8s %8s %-17s %s\n", $1, $2, $3, $4, $5, $6, $7 }' | tee "$results"

#!/bin/sh
# valgrind.sh [BUILD]: runs a representative set of mlgate commands under
# valgrind's memcheck (--leak-check=full --error-exitcode=99) against the
# plain build (default build/; a sanitizer build cannot run under valgrind),
# in a scratch directory, and prints one line per command and a summary.
# Exit 0 when every command ran clean, 1 otherwise (the logs are kept).
# On demand only (a few minutes): docs/reliability.md has the last result.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
PATH=$build/bin:$PATH
export PATH
work=$(mktemp -d)
export HOME="$work/home" XDG_CACHE_HOME="$work/cache"
mkdir -p "$HOME"
cd "$work" || exit 3
echo "valgrind.sh: logs in $work"

n=0 bad=0
# vg EXPECTED-STATUS CMD...: the command under memcheck; a memcheck error is
# status 99, a leak is reported as an error too (--errors-for-leak-kinds).
vg() {
	want=$1
	shift
	n=$((n + 1))
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		--log-file="vg-$n.log" "$@" > "out-$n" 2> "err-$n" < /dev/null
	got=$?
	if [ "$got" -eq "$want" ] && [ ! -s "vg-$n.log" ]; then
		echo "ok   $n: $*"
	else
		echo "FAIL $n (exit $got, wanted $want): $* -- see $work/vg-$n.log"
		bad=$((bad + 1))
	fi
}

mkdir -p data/sub
printf 'a\n' > data/a.txt
head -c 200000 /dev/urandom > data/sub/b.bin
ln -s a.txt data/link
export SOURCE_DATE_EPOCH=1700000000
vg 0 mlsnapshot -j 2 -o data.tar.gz data
mlsnapshot data > snap.json
vg 0 mlsnapshot verify snap.json data.tar.gz
vg 0 mlsnapshot diff snap.json data
vg 0 mlsnapshot extract --snapshot snap.json data.tar.gz out
# 200 rows, both classes in every bootstrap resample
awk 'BEGIN { print "label,score"; for (i = 0; i < 200; i++) printf "%d,0.%03d\n", i % 2, (i * 37) % 1000 }' > preds.csv
awk 'BEGIN { print "label,score"; for (i = 0; i < 200; i++) printf "%d,0.%03d\n", i % 2, (i * 53) % 1000 }' > base.csv
printf '{"step":1,"loss":0.5}\nnoise\n{"step":2,"loss":NaN}\n' > train.log
vg 0 mlrun-log -d run1 -p lr=0.1 --data snap.json -a preds.csv -a base.csv --params /dev/null -- cat train.log
mlrun-log -d run0 -a base.csv < train.log > run0.json 2> /dev/null
cp run1/run.json run.json
vg 0 mlrun-log ls --sort -loss run0 run1
vg 0 mleval-compare --predictions --bootstrap 200 --rule 'roc_auc >= baseline - 2' base.csv preds.csv
vg 1 mleval-compare --rule 'loss <= baseline * 0.5' --format markdown run0.json run.json
vg 2 mleval-compare --rule 'f1 >=' run0.json run.json
mlpromote init --registry reg
vg 0 mlpromote publish --registry reg --model m --version 1 --run run0.json base.csv
vg 0 mlpromote publish --registry reg --model m --version 2 --run run.json preds.csv
vg 0 mlpromote keygen -p k.pub -s k.key
vg 0 mlpromote promote --registry reg --model m --version 1 --force --reason vg --sign k.key
vg 0 mlpromote promote --registry reg --model m --version 2 --force --reason vg --sign k.key
vg 0 mlpromote rollback --registry reg --model m --sign k.key
vg 0 mlpromote status --registry reg --model m
vg 0 mlpromote history --registry reg --model m
vg 0 mlpromote verify --registry reg --pubkey k.pub
vg 0 mlpromote pull --registry reg --model m pulled
printf 'x' >> reg/models/m/audit.jsonl
vg 0 mlpromote verify --registry reg
echo '{"metrics":{"f1":0.5},"metrics":{}}' > dup.json
vg 2 mleval-compare --no-baseline --rule 'f1 >= 0.1' dup.json

echo "valgrind.sh: $n commands, $bad with memcheck errors, leaks or a wrong exit status"
[ "$bad" -eq 0 ]

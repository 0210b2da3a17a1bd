#!/bin/sh
# crash-soak.sh [KILLS] [BUILD]: the crash-safety loops of tests/crash.bats,
# long: KILLS (default 1000) SIGKILLs of mlpromote promote/rollback, and as
# many of mlsnapshot -o and mlrun-log, each in its own scratch directory,
# against BUILD (default build/). Prints each loop's summary line (the
# figures docs/reliability.md quotes); exit 1 at the first broken invariant,
# with CRASH_SEED to replay it. On demand only: about 0.1 s a kill.
set -u
here=$(cd "$(dirname "$0")" && pwd)
kills=${1:-1000}
build=$(cd "${2:-$here/../../build}" && pwd)
PATH=$build/bin:$PATH
export PATH
status=0
for tool in mlpromote mlsnapshot mlrun-log; do
	work=$(mktemp -d)
	export HOME="$work" XDG_CACHE_HOME="$work/cache"
	if (cd "$work" && bash "$here/crash-loop.sh" "$tool" "$kills"); then
		rm -rf "$work"
	else
		echo "crash-soak: $tool failed; its directory is kept: $work" >&2
		status=1
	fi
done
exit "$status"

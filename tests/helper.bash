# Shared set-up for every bats file: load with `load helper`.
#
# Tools come from $MLGATE_BUILD/bin (build/ by default; build/asan under
# `make check`'s sanitizer pass). Each test runs in its own temp directory,
# with its own stat cache.

bats_load_library bats-support
bats_load_library bats-assert

MLGATE_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
MLGATE_BUILD=${MLGATE_BUILD:-$MLGATE_ROOT/build}
TESTDATA=$BATS_TEST_DIRNAME/data
export MLGATE_ROOT MLGATE_BUILD TESTDATA
PATH=$MLGATE_BUILD/bin:$PATH
export PATH
# Sanitizer runs must fail loudly, and LD_PRELOAD fault shims must load.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99:verify_asan_link_order=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}

setup() {
	export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY GITHUB_OUTPUT JENKINS_URL BUILD_URL CI MLGATE_REGISTRY
	# make check runs the suite from make: nested makes in tests must not see that.
	unset MAKEFLAGS MAKELEVEL MFLAGS MAKEOVERRIDES
	cd "$BATS_TEST_TMPDIR" || return 1
	if declare -F setup_file_local >/dev/null; then setup_file_local; fi
}

# keep_record FILE...: hands records the tools wrote to the schema check that
# `make test` runs over all of them at the end (JSON or JSON Lines).
keep_record() {
	[ -n "${MLGATE_RECORDS:-}" ] || return 0
	local f n
	for f in "$@"; do
		[ -s "$f" ] || { echo "keep_record: '$f' is empty or missing" >&2; return 1; }
		n=$(printf '%s' "$BATS_TEST_FILENAME:$BATS_TEST_NUMBER:$f" | cksum | cut -d' ' -f1)
		cp "$f" "$MLGATE_RECORDS/$(basename "$BATS_TEST_FILENAME" .bats)-$BATS_TEST_NUMBER-$n-$(basename "$f")"
	done
}

# keep_output NAME: the same for the last `run`'s stdout.
# shellcheck disable=SC2154 # $output is set by bats' run
keep_output() {
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/$1"
	keep_record "$BATS_TEST_TMPDIR/$1"
}

# jqr FILTER FILE: jq -r, failing the test when jq fails.
jqr() {
	jq -r "$1" "$2"
}

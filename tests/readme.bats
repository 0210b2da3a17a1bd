#!/usr/bin/env bats
# README.md and reality cannot drift: the tour's ```sh blocks are run as
# written, `make demo` must print exactly the tour's commands, and the install
# command is run into a temporary prefix. (`make check`, the README's other
# command, is what runs this file: it cannot run itself.)
bats_require_minimum_version 1.5.0
load helper
load oci/registry

README=$MLGATE_ROOT/README.md

setup_file() {
	# The interpreter itself, not a version manager's shim in front of it:
	# the demo starts python3 three times.
	mkdir -p "$BATS_FILE_TMPDIR/python"
	ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$BATS_FILE_TMPDIR/python/python3"
	export PATH="$BATS_FILE_TMPDIR/python:$PATH"
}
# The make commands below are the README's, as a reader types them: not the
# sub-make of whatever `make check` pass runs this file.
unset MAKEFLAGS MFLAGS MAKELEVEL

# readme_blocks FROM TO: the lines of the ```sh blocks between the markers
# <!-- FROM --> and <!-- TO --> of README.md.
readme_blocks() {
	awk -v from="<!-- $1 -->" -v to="<!-- $2 -->" '
		$0 == from { on = 1; next }
		$0 == to { on = 0 }
		on && $0 == "```sh" { block = 1; next }
		block && $0 == "```" { block = 0; next }
		on && block { print }' "$README"
}

# printed_commands FILE: the commands the demo printed ("$ CMD", and the
# lines that continue one ending in a backslash).
printed_commands() {
	awk 'more { print; more = /\\$/; next }
		/^\$ / { sub(/^\$ /, ""); print; more = /\\$/ }' "$1"
}

@test "the first screen says what mlgate is and shows make demo and make check" {
	run -0 head -n 20 "$README"
	assert_line --partial "mlgate is ML CI/CD"
	assert_line --regexp '^make demo +#'
	assert_line --regexp '^make check +#'
}

@test "the tour has its set-up block and the demo's steps" {
	readme_blocks tour-setup tour > setup.sh
	readme_blocks tour /tour > tour.sh
	run -0 grep -c . setup.sh
	assert_output 4
	run -0 grep -c '^mlpromote promote ' tour.sh
	assert_output 2
	run -0 grep -c '^mlpromote rollback ' tour.sh
	assert_output 2
}

@test "make demo prints exactly the tour's commands, and a second make demo works as well" {
	readme_blocks tour /tour > tour.sh
	export MLGATE_DEMO_DIR="$BATS_TEST_TMPDIR/demo"
	for i in 1 2; do
		make -s -C "$MLGATE_ROOT" --no-print-directory demo > "demo$i.out" 2> "demo$i.err" || {
			cat "demo$i.out" "demo$i.err"
			return 1
		}
		printed_commands "demo$i.out" > "printed$i.sh"
		run -0 diff -u tour.sh "printed$i.sh"
	done
	run -0 tail -n 8 demo2.out
	assert_line --partial "The records are in $MLGATE_DEMO_DIR"
	run -0 jq -r .version "$MLGATE_DEMO_DIR/reg/models/wdbc/current.json"
	assert_output 2
}

teardown() {
	oci_registry_stop
}

@test "the tour's blocks run as written, from the top of a source tree" {
	# A source tree as a reader has it after `make`: examples/ and build/bin.
	mkdir -p tree/build
	ln -s "$MLGATE_ROOT/examples" tree/examples
	ln -s "$MLGATE_BUILD/bin" tree/build/bin
	{
		readme_blocks tour-setup tour
		readme_blocks tour /tour
	} > tree/tour.sh
	cd tree
	run --separate-stderr -0 sh -eu tour.sh
	assert_line "the gate said no (exit 1): model 3 stops here"
	cd build/tour
	run -0 jq -r .pass verdict1.json verdict2.json verdict3.json
	assert_output $'true\ntrue\nfalse'
	run -0 jq -r '[.version, .seq, .action] | @tsv' reg/models/wdbc/current.json
	assert_output $'2\t4\trollback'
	keep_record snapshot.json run1.json run2.json run3.json verdict1.json verdict2.json \
		verdict3.json reg/models/wdbc/current.json reg/models/wdbc/audit.jsonl
	# the OCI section continues the tour, here against a registry of the test's own
	oci_registry_start plain
	readme_blocks oci /oci | sed "s|oci://ghcr.io/acme/models|oci://$OCI_HOST/acme|" > oci.sh
	grep -q "oci://$OCI_HOST/acme" oci.sh
	run --separate-stderr -0 sh -eu oci.sh
	assert_equal "$output" $'{"version":"1","seq":1}\n{"version":"1"}'
	cmp serving/preds.csv out/1/preds.csv
}

@test "make install PREFIX= installs the four tools and every manual" {
	prefix="$BATS_TEST_TMPDIR/prefix"
	run -0 make -s -C "$MLGATE_ROOT" --no-print-directory install PREFIX="$prefix"
	for tool in mlsnapshot mlrun-log mleval-compare mlpromote; do
		run -0 "$prefix/bin/$tool" --version
		assert [ -f "$prefix/share/man/man1/$tool.1" ]
	done
	assert [ -f "$prefix/share/man/man7/mlgate.7" ]
	# What `man mlgate` shows, from the installed page.
	run -0 mandoc -T markdown "$prefix/share/man/man7/mlgate.7"
	assert_line "**mlgate** - ML CI/CD as four small tools: train, eval gate, approve, promote"
}

@test "every relative link in the README leads to a file of the tree" {
	grep -o '](\([^)#:]*\))' "$README" | sed 's/^](//; s/)$//' | sort -u > links
	run -0 grep -c . links
	while read -r link; do
		[ -e "$MLGATE_ROOT/$link" ] || {
			echo "README.md links to '$link', which does not exist"
			return 1
		}
	done < links
}

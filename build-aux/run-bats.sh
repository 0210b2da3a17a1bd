#!/bin/sh
# Runs every bats file in tests/, on both cores when GNU parallel is there.
set -eu
jobs=
if command -v parallel >/dev/null 2>&1; then
	jobs="--jobs $(nproc 2>/dev/null || echo 2) --no-parallelize-within-files"
fi
# shellcheck disable=SC2086 # $jobs is empty or a few words
exec bats --timing $jobs tests/*.bats

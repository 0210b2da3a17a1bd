#!/bin/sh
# Builds tests/oci/oci-test by hand until the Makefile has a rule for it:
#   tests/oci/build-oci-test.sh [BUILD]   (BUILD defaults to build; SANITIZE=1 for ASan)
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
san=""
[ "${SANITIZE:-0}" = 1 ] && san="-fsanitize=address,undefined -fno-omit-frame-pointer -g"
mkdir -p "$build/tests"
# shellcheck disable=SC2046,SC2086
cc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 $san -Icommon -Icmd/mlpromote \
	$(pkg-config --cflags libcjson libcrypto libsodium) -o "$build/tests/oci-test" \
	tests/oci/oci-test.c cmd/mlpromote/oci_auth.c cmd/mlpromote/oci_client.c \
	cmd/mlpromote/oci_curl.c cmd/mlpromote/oci_http.c "$build/libcommon.a" \
	$(pkg-config --libs libsodium libcjson libcrypto) -lm

#!/bin/sh
# Installs the Debian 12 packages that building and testing mlgate need,
# when any is missing. Run by `make deps`, and so by `make check` and `make demo`.
set -eu

# Linters the tests run, from the npm registry, into build/ (never global).
npm_tools() {
	command -v npm >/dev/null 2>&1 || return 0
	[ -x build/npm/node_modules/.bin/npm-groovy-lint ] ||
		npm install --no-audit --no-fund --loglevel=error --prefix build/npm npm-groovy-lint@15 ||
		echo "deps: npm install npm-groovy-lint@15 failed; the Jenkins lint test will skip" >&2
	[ -x build/node/node_modules/.bin/action-validator ] ||
		npm install --no-audit --no-fund --loglevel=error --prefix build/node \
			@action-validator/cli@0.6.0 @action-validator/core@0.6.0 ||
		echo "deps: npm install @action-validator/cli failed" >&2
}

packages="build-essential pkg-config libarchive-dev libcjson-dev libsodium-dev libssl-dev
libcurl4-openssl-dev bats bats-support bats-assert parallel jq zstd shellcheck mandoc
python3 python3-jsonschema python3-yaml minisign strace groovy
docker-registry skopeo apache2-utils python3-cryptography openssl prometheus"
# Node.js may come from elsewhere (nodesource ships npm inside nodejs): only
# ask Debian for it when there is no npm at all.
command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: not a Debian system; install the equivalents of: $packages" >&2
	exit 0
fi

missing=
for p in $packages; do
	status=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
	case $status in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -n "$missing" ] || { npm_tools; exit 0; }

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo=sudo
else
	echo "deps: missing packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # the package list is meant to split
if ! $sudo apt-get install -y -q --no-install-recommends $missing; then
	$sudo apt-get update -q
	$sudo apt-get install -y -q --no-install-recommends $missing || {
		echo "deps: apt-get failed; run as root: apt-get update && apt-get install -y$missing" >&2
		exit 1
	}
fi
npm_tools

# Test registries for tests/oci.bats: Debian's docker-registry (CNCF
# distribution) on a loopback port of its own, with its storage in the test's
# temp dir. Load with `load oci/registry`.
#
# oci_registry_start plain|tls|token sets OCI_HOST (127.0.0.1:PORT; the
# registry listens on OCI_ADDR when that is set, e.g. 0.0.0.0) and, for
# tls, OCI_CA (the throw-away CA's certificate); tls and token need the user
# OCI_USER / OCI_PASS (Basic against htpasswd, or through the token server).
# Every server runs under `timeout`, so it stops by itself even when the
# teardown does not run; oci_registry_stop kills what the test started.

OCI_DIR_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OCI_USER=mlgate
OCI_PASS=s3cret-Pa55
OCI_LIFETIME=${OCI_LIFETIME:-300}

# oci_make_ca DIR: a CA and a server certificate for 127.0.0.1 and localhost.
oci_make_ca() {
	local d=$1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mlgate-test-ca \
		-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null || return 1
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
		-keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || return 1
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$d/san.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/san.ext" -out "$d/server.pem" 2>/dev/null
}

# oci_wait_file FILE [TEST]: waits up to 10 s (30 s with -e) for a file to
# appear with content (TEST -s), or at all (TEST -e).
oci_wait_file() {
	local _ test=${2:--s} tries=100
	[ "$test" = -e ] && tries=300
	for _ in $(seq "$tries"); do
		test "$test" "$1" && return 0
		sleep 0.1
	done
	echo "oci: '$1' did not appear" >&2
	return 1
}

oci_start_token_server() {
	local d=$1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mlgate-token \
		-keyout "$d/token.key" -out "$d/token.pem" 2>/dev/null || return 1
	timeout "$OCI_LIFETIME" python3 "$OCI_DIR_SCRIPTS/token-server.py" \
		"$d/token.port" "$d/token.key" "$d/token.pem" mlgate-issuer \
		"$OCI_USER" "$OCI_PASS" 3>&- >"$d/token.log" 2>&1 &
	echo $! > "$d/token.pid"
	oci_wait_file "$d/token.port"
}

oci_registry_start() {
	local mode=$1 d="$BATS_TEST_TMPDIR/oci" auth="" tls=""
	mkdir -p "$d/storage"
	case $mode in
	plain) ;;
	tls)
		oci_make_ca "$d" || return 1
		htpasswd -Bbc "$d/htpasswd" "$OCI_USER" "$OCI_PASS" 2>/dev/null || return 1
		tls="  tls:
    certificate: $d/server.pem
    key: $d/server.key"
		auth="auth:
  htpasswd:
    realm: mlgate-test
    path: $d/htpasswd"
		export OCI_CA=$d/ca.pem
		;;
	token)
		oci_start_token_server "$d" || return 1
		auth="auth:
  token:
    realm: http://127.0.0.1:$(cat "$d/token.port")/token
    service: mlgate-registry
    issuer: mlgate-issuer
    rootcertbundle: $d/token.pem"
		;;
	*) echo "oci_registry_start: unknown mode '$mode'" >&2; return 1 ;;
	esac
	cat > "$d/config.yml" <<CONF
version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $d/storage
  delete:
    enabled: true
http:
  addr: ${OCI_ADDR:-127.0.0.1}:0
  secret: mlgate-test-secret
$tls
$auth
CONF
	timeout "$OCI_LIFETIME" docker-registry serve "$d/config.yml" 3>&- >"$d/registry.log" 2>&1 &
	echo $! > "$d/registry.pid"
	local _ port=""
	for _ in $(seq 100); do
		port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$d/registry.log" | head -n1)
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { echo "oci: registry did not start:" >&2; cat "$d/registry.log" >&2; return 1; }
	OCI_HOST=127.0.0.1:$port
	export OCI_HOST OCI_USER OCI_PASS
}

# oci_registry_stop: kills the registry (and token server) this test started.
oci_registry_stop() {
	local d="$BATS_TEST_TMPDIR/oci" f
	for f in "$d/registry.pid" "$d/token.pid" "$d/proxy.pid" "$d/hang.pid"; do
		[ -f "$f" ] || continue
		kill "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
	return 0
}

# oci_cut_proxy PATCHES: a proxy to the running registry that dies on the
# upload's chunk number PATCHES+1; sets OCI_PROXY (127.0.0.1:PORT).
oci_cut_proxy() {
	local d="$BATS_TEST_TMPDIR/oci"
	timeout "$OCI_LIFETIME" python3 "$OCI_DIR_SCRIPTS/cut-proxy.py" "$d/proxy.port" \
		"${OCI_HOST#*:}" "$1" 3>&- >"$d/proxy.log" 2>&1 &
	echo $! > "$d/proxy.pid"
	oci_wait_file "$d/proxy.port" || return 1
	OCI_PROXY=127.0.0.1:$(cat "$d/proxy.port")
	export OCI_PROXY
}

# oci_hold_proxy METHOD PATH_PREFIX: a proxy to the running registry that
# holds the first such request until oci_release; sets OCI_PROXY. The held
# request has arrived when "$BATS_TEST_TMPDIR/oci/held" exists.
oci_hold_proxy() {
	local d="$BATS_TEST_TMPDIR/oci"
	timeout "$OCI_LIFETIME" python3 "$OCI_DIR_SCRIPTS/cut-proxy.py" "$d/proxy.port" \
		"${OCI_HOST#*:}" -1 "$1" "$2" "$d" 3>&- >"$d/proxy.log" 2>&1 &
	echo $! > "$d/proxy.pid"
	oci_wait_file "$d/proxy.port" || return 1
	OCI_PROXY=127.0.0.1:$(cat "$d/proxy.port")
	export OCI_PROXY
}

# oci_wait_held: waits until the proxy holds its request.
oci_wait_held() {
	oci_wait_file "$BATS_TEST_TMPDIR/oci/held" -e
}

oci_release() {
	touch "$BATS_TEST_TMPDIR/oci/release"
}

# oci_hang_server: a port that accepts connections and never answers; sets
# OCI_HANG (127.0.0.1:PORT).
oci_hang_server() {
	local d="$BATS_TEST_TMPDIR/oci"
	mkdir -p "$d"
	timeout "$OCI_LIFETIME" python3 -c '
import os, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    c, _ = s.accept()
    held.append(c)
' "$d/hang.port" 3>&- >/dev/null 2>&1 &
	echo $! > "$d/hang.pid"
	oci_wait_file "$d/hang.port" || return 1
	OCI_HANG=127.0.0.1:$(cat "$d/hang.port")
	export OCI_HANG
}

# oci_requests REGEX: how many requests the registry logged whose method
# matches REGEX (e.g. 'PATCH', 'POST').
oci_requests() {
	grep -c "http.request.method=$1 .*msg=\"response completed\"\|msg=\"response completed\".*http.request.method=$1 " \
		"$BATS_TEST_TMPDIR/oci/registry.log" || true
}

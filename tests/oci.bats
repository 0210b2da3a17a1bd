#!/usr/bin/env bats
# mlpromote's OCI client (cmd/mlpromote/oci_*.c) against Debian's
# docker-registry (CNCF distribution): plain HTTP on loopback, TLS with a
# throw-away CA and htpasswd Basic auth, and token auth (the Bearer flow)
# against tests/oci/token-server.py. skopeo, a client we did not write, reads
# back what we pushed. The driver is tests/oci/oci-test.c.
bats_require_minimum_version 1.5.0
load helper
load oci/registry

setup_file() {
	local root build
	root=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	build=${MLGATE_BUILD:-$root/build}
	if [ ! -x "$build/tests/oci-test" ]; then
		case $build in
		*asan*) SANITIZE=1 "$root/tests/oci/build-oci-test.sh" "$build" ;;
		*) "$root/tests/oci/build-oci-test.sh" "$build" ;;
		esac
	fi
}

teardown() {
	oci_registry_stop
}

ocit() {
	"$MLGATE_BUILD/tests/oci-test" "$@"
}

sha() {
	printf 'sha256:%s' "$(sha256sum "$1" | cut -d' ' -f1)"
}

# modelpack_manifest WEIGHTS CONFIG: a ModelPack image manifest on stdout.
modelpack_manifest() {
	jq -cn --arg w "$(sha "$1")" --argjson ws "$(stat -c %s "$1")" --arg wt "$(basename "$1")" \
		--arg c "$(sha "$2")" --argjson cs "$(stat -c %s "$2")" '{
		schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		artifactType: "application/vnd.cncf.model.manifest.v1+json",
		config: {mediaType: "application/vnd.cncf.model.config.v1+json", digest: $c, size: $cs},
		layers: [{mediaType: "application/vnd.cncf.model.weight.v1.raw", digest: $w, size: $ws,
			annotations: {"org.opencontainers.image.title": $wt}}]}'
}

model_files() {
	head -c 300000 /dev/urandom > weights.bin
	printf '{"descriptor":{"name":"m","version":"1.0"},"modelfs":{"type":"layers","diffIds":["%s"]},"config":{}}' \
		"$(sha weights.bin)" > config.json
	modelpack_manifest weights.bin config.json > manifest.json
}

@test "plain HTTP on loopback: a blob goes up in several chunks and comes back whole" {
	oci_registry_start plain
	head -c 300000 /dev/urandom > big
	run -0 --separate-stderr ocit --chunk 100000 "oci://$OCI_HOST/ns" m push-blob big
	assert_output "sent $(sha big)"
	assert_equal "$stderr" ""
	assert_equal "$(oci_requests PATCH)" 3
	run -0 ocit "oci://$OCI_HOST/ns" m fetch "$(sha big)" back
	cmp big back
}

@test "a blob tampered with in the registry's storage is caught on fetch (exit 1)" {
	oci_registry_start plain
	head -c 70000 /dev/urandom > blob
	ocit "oci://$OCI_HOST/ns" m push-blob blob
	d=$(sha blob)
	data="$BATS_TEST_TMPDIR/oci/storage/docker/registry/v2/blobs/sha256/${d:7:2}/${d#sha256:}/data"
	head -c 70000 /dev/urandom > "$data"
	run -1 --separate-stderr ocit "oci://$OCI_HOST/ns" m fetch "$d" back
	assert_equal "$stderr" "oci-test: registry '$OCI_HOST': blob $d in 'ns/m' does not hash to its digest"
}

@test "mlpromote does not map libcurl: it is loaded only for an oci:// registry" {
	run -0 ldd "$MLGATE_BUILD/bin/mlpromote"
	refute_output --partial libcurl
	run -0 ldd "$MLGATE_BUILD/tests/oci-test"
	refute_output --partial libcurl
}

@test "a blob already in the repository is not sent again" {
	oci_registry_start plain
	head -c 5000 /dev/urandom > blob
	run -0 ocit "oci://$OCI_HOST/ns" m push-blob blob
	assert_output "sent $(sha blob)"
	posts=$(oci_requests POST)
	run -0 ocit "oci://$OCI_HOST/ns" m push-blob blob
	assert_output "exists $(sha blob)"
	assert_equal "$(oci_requests POST)" "$posts"
	run -0 ocit "oci://$OCI_HOST/ns" m exists "$(sha blob)"
	run -1 ocit "oci://$OCI_HOST/ns" m exists "sha256:$(printf '%064d' 0)"
}

@test "a ModelPack manifest, tagged, reads back with skopeo" {
	oci_registry_start plain
	model_files
	ocit "oci://$OCI_HOST/ns" m push-blob weights.bin
	ocit "oci://$OCI_HOST/ns" m push-blob config.json
	run -0 ocit "oci://$OCI_HOST/ns" m put-manifest 1.0 manifest.json
	assert_output "$(sha manifest.json)"
	digest=$output
	run -0 ocit "oci://$OCI_HOST/ns" m tags
	assert_output "1.0"
	run -0 ocit "oci://$OCI_HOST/ns" m get-manifest "$digest"
	assert_output "$(cat manifest.json)"
	skopeo inspect --raw --tls-verify=false "docker://$OCI_HOST/ns/m:1.0" > raw.json
	cmp raw.json manifest.json
	run -0 skopeo inspect --raw --tls-verify=false "docker://$OCI_HOST/ns/m@$digest"
	skopeo copy -q --src-tls-verify=false "docker://$OCI_HOST/ns/m:1.0" dir:copy
	cmp copy/manifest.json manifest.json
	w=$(sha weights.bin)
	cmp "copy/${w#sha256:}" weights.bin
}

@test "a tag or digest never pushed is exit 1 and a repository never pushed has no tags" {
	oci_registry_start plain
	run -1 ocit "oci://$OCI_HOST/ns" m get-manifest current
	run -0 --separate-stderr ocit "oci://$OCI_HOST/ns" never tags
	assert_output ""
	assert_equal "$stderr" ""
}

@test "TLS with Basic auth and --ca-file; skopeo reads it back" {
	oci_registry_start tls
	model_files
	export MLGATE_OCI_USERNAME=$OCI_USER MLGATE_OCI_PASSWORD=$OCI_PASS
	reg=oci://$OCI_HOST/team
	run -0 ocit --ca-file "$OCI_CA" --chunk 65536 "$reg" m push-blob weights.bin
	ocit --ca-file "$OCI_CA" "$reg" m push-blob config.json
	run -0 --separate-stderr ocit --ca-file "$OCI_CA" "$reg" m put-manifest 1.0 manifest.json
	assert_equal "$stderr" ""
	mkdir certs && cp "$OCI_CA" certs/ca.crt
	skopeo inspect --raw --cert-dir certs --creds "$OCI_USER:$OCI_PASS" \
		"docker://$OCI_HOST/team/m:1.0" > raw.json
	cmp raw.json manifest.json
}

@test "TLS without the CA is refused (exit 3): no silent downgrade to HTTP" {
	oci_registry_start tls
	export MLGATE_OCI_USERNAME=$OCI_USER MLGATE_OCI_PASSWORD=$OCI_PASS
	run -3 --separate-stderr ocit "oci://$OCI_HOST/team" m tags
	assert_output ""
	[[ $stderr == "oci-test: registry '$OCI_HOST'"* ]]
}

@test "credentials from ~/.docker/config.json auths" {
	oci_registry_start tls
	mkdir -p "$HOME/.docker"
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$OCI_HOST" \
		"$(printf '%s:%s' "$OCI_USER" "$OCI_PASS" | base64 -w0)" > "$HOME/.docker/config.json"
	printf 'x' > one
	run -0 ocit --ca-file "$OCI_CA" "oci://$OCI_HOST/team" m push-blob one
	assert_output "sent $(sha one)"
}

@test "Basic auth: wrong credentials are exit 2 and the secret is never echoed" {
	oci_registry_start tls
	export MLGATE_OCI_USERNAME=$OCI_USER MLGATE_OCI_PASSWORD=wrong-Secret-42
	printf 'x' > one
	run -2 --separate-stderr ocit --ca-file "$OCI_CA" "oci://$OCI_HOST/team" m push-blob one
	assert_output ""
	assert_equal "$stderr" "oci-test: registry '$OCI_HOST': authentication failed (wrong credentials?)"
	unset MLGATE_OCI_USERNAME MLGATE_OCI_PASSWORD
	run -2 --separate-stderr ocit --ca-file "$OCI_CA" "oci://$OCI_HOST/team" m tags
	assert_equal "$stderr" "oci-test: registry '$OCI_HOST': authentication failed (no credentials found)"
}

@test "token auth: the Bearer flow pushes a model skopeo reads back" {
	oci_registry_start token
	model_files
	export MLGATE_OCI_USERNAME=$OCI_USER MLGATE_OCI_PASSWORD=$OCI_PASS
	reg=oci://$OCI_HOST/org
	run -0 ocit --chunk 100000 "$reg" m push-blob weights.bin
	ocit "$reg" m push-blob config.json
	run -0 --separate-stderr ocit "$reg" m put-manifest current manifest.json
	assert_equal "$stderr" ""
	run -0 ocit "$reg" m tags
	assert_output "current"
	skopeo inspect --raw --tls-verify=false --creds "$OCI_USER:$OCI_PASS" \
		"docker://$OCI_HOST/org/m:current" > raw.json
	cmp raw.json manifest.json
}

@test "token auth: wrong credentials are exit 2 and the secret is never echoed" {
	oci_registry_start token
	export MLGATE_OCI_USERNAME=$OCI_USER MLGATE_OCI_PASSWORD=wrong-Secret-42
	run -2 --separate-stderr ocit "oci://$OCI_HOST/org" m tags
	assert_output ""
	assert_equal "$stderr" "oci-test: registry '$OCI_HOST': the token server refused the credentials"
	[[ $stderr != *Secret* ]]
}

@test "a server that stops mid-upload: exit 3, the blob is not there and nothing is tagged" {
	oci_registry_start plain
	oci_cut_proxy 1
	model_files
	run -3 --separate-stderr ocit --chunk 100000 --retries 1 "oci://$OCI_PROXY/ns" m push-blob weights.bin
	assert_output ""
	[[ $stderr == "oci-test: registry '$OCI_PROXY': PATCH /v2/ns/m/blobs/uploads/"* ]]
	run -1 ocit "oci://$OCI_HOST/ns" m exists "$(sha weights.bin)"
	run -0 ocit "oci://$OCI_HOST/ns" m tags
	assert_output ""
}

@test "a server that accepts and never answers fails within the timeouts (exit 3)" {
	oci_hang_server
	run -3 --separate-stderr ocit --connect-timeout 1 --stall-timeout 1 --retries 0 \
		"oci://$OCI_HANG/ns" m tags
	assert_output ""
	[[ $stderr == "oci-test: registry '$OCI_HANG'"* ]]
}

@test "a registry URL without a host, port or namespace is exit 2" {
	for bad in "oci:///ns" "oci://127.0.0.1:/ns" "oci://127.0.0.1" "oci://127.0.0.1/"; do
		run -2 --separate-stderr ocit "$bad" m tags
		assert_equal "$stderr" "oci-test: registry '$bad': want oci://HOST[:PORT]/NAMESPACE"
	done
}

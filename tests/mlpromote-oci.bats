#!/usr/bin/env bats
# mlpromote on an OCI registry (--registry oci://HOST/NAMESPACE): the same
# commands, records and exit statuses as on a directory, against Debian's
# docker-registry started by each test; skopeo, a client we did not write,
# reads back what mlpromote pushed.
bats_require_minimum_version 1.5.0
load helper
load oci/registry

teardown() {
	oci_registry_stop
}

hash_of() {
	printf 'sha256:%s' "$(sha256sum "$1" | cut -d' ' -f1)"
}

# pub VERSION [SIZE]: publishes weights.bin (SIZE random bytes) and a
# config file as VERSION of model m.
pub() {
	head -c "${2:-20000}" /dev/urandom > weights.bin
	printf '{"layers": %s}\n' "$1" > config.json
	mlpromote publish --registry "$REG" --model m --version "$1" weights.bin config.json
}

promote() {
	mlpromote promote --registry "$REG" --model m --force --reason test "$@"
}

live() {
	mlpromote status --registry "$REG" --model m --stage "${1:-current}" | jq -r .version
}

# skopeo_raw REF: the manifest skopeo reads at ns/m:REF.
skopeo_raw() {
	skopeo inspect --raw --tls-verify=false "docker://$OCI_HOST/ns/m:$1"
}

# storage_blob DIGEST: where the registry keeps a blob's bytes.
storage_blob() {
	local d=${1#sha256:}
	printf '%s' "$BATS_TEST_TMPDIR/oci/storage/docker/registry/v2/blobs/sha256/${d:0:2}/$d/data"
}

# race_held METHOD PATH: versions 1.0 and 2.0, 1.0 live; writer A (promote 2.0
# through a proxy that holds A's first METHOD PATH request) and, while A is
# held, writer B (promote 2.0 to staging). A's stdout, stderr and exit status
# are left in a.out, a.err and a.rc.
race_held() {
	start_plain
	pub 1.0 > /dev/null
	pub 2.0 > /dev/null
	promote --version 1.0 > /dev/null
	oci_hold_proxy "$1" "$2"
	( rc=0; mlpromote promote --registry "oci://$OCI_PROXY/ns" --model m --version 2.0 --force \
		--reason a > a.out 2> a.err || rc=$?; echo "$rc" > a.rc ) &
	local pid=$!
	oci_wait_held
	promote --version 2.0 --stage staging > /dev/null
	oci_release
	wait "$pid"
}

start_plain() {
	oci_registry_start plain
	REG=oci://$OCI_HOST/ns
}

@test "publish pushes a ModelPack artifact tagged V that skopeo reads back, with our digests" {
	start_plain
	run -0 --separate-stderr pub 1.0 300000
	assert_equal "$stderr" ""
	keep_output model.json
	skopeo_raw 1.0 > raw.json
	assert_equal "$(jq -r .artifactType raw.json)" application/vnd.cncf.model.manifest.v1+json
	assert_equal "$(jq -r .config.mediaType raw.json)" application/vnd.cncf.model.config.v1+json
	assert_equal "$(jq -r '.annotations["org.opencontainers.image.version"]' raw.json)" 1.0
	# each file is a raw weight layer titled by its name, digest as recorded
	for f in weights.bin config.json; do
		assert_equal "$(jq -r --arg f "$f" '.layers[] | select(.annotations["org.opencontainers.image.title"] == $f) | .mediaType + " " + .digest' raw.json)" \
			"application/vnd.cncf.model.weight.v1.raw $(hash_of "$f")"
		assert_equal "$(jq -r --arg f "$f" '.files[] | select(.path == $f) | .hash' model.json)" "$(hash_of "$f")"
	done
	skopeo copy -q --src-tls-verify=false "docker://$OCI_HOST/ns/m:1.0" dir:copy
	w=$(hash_of weights.bin)
	cmp "copy/${w#sha256:}" weights.bin
	# mlgate's own model record is a layer too, byte for byte what publish printed
	mr=$(jq -r '.layers[] | select(.mediaType == "application/vnd.mlgate.model.v1+json") | .digest' raw.json)
	cmp "copy/${mr#sha256:}" model.json
	# the ModelPack config carries name, version and the files' diffIds
	c=$(jq -r .config.digest raw.json)
	assert_equal "$(jq -c '[.descriptor.name, .descriptor.version, (.modelfs.diffIds | length)]' "copy/${c#sha256:}")" '["m","1.0",2]'
}

@test "publish, gate, promote, rollback, status, history, verify and pull: the whole cycle over OCI" {
	start_plain
	pub 1.0 > manifest1.json
	# the gate's verdict, here naming the version's manifest as its candidate
	jq -c '{kind: "verdict", v: 1, pass: false, baseline: null, bootstrap: null, checks: [],
		candidate: {id, kind, source: "model.json", pointer: null}}' manifest1.json > fail.json
	jq -c '.pass = true' fail.json > pass.json
	run -1 --separate-stderr mlpromote promote --registry "$REG" --model m --version 1.0 --verdict fail.json
	assert_equal "$(live)" null
	run -0 --separate-stderr mlpromote promote --registry "$REG" --model m --version 1.0 --verdict pass.json
	keep_output pointer1.json
	[[ $(jq -r .verdict pointer1.json) =~ ^sha256:[0-9a-f]{64}$ ]]
	assert_equal "$(jq -c '[.kind, .stage, .version, .seq]' pointer1.json)" '["pointer","current","1.0",1]'
	pub 2.0 > /dev/null
	cp weights.bin weights2.bin
	promote --version 2.0 > /dev/null
	assert_equal "$(live)" 2.0
	# the current tag is the version's manifest: any OCI tool pulls the live model
	assert_equal "$(skopeo_raw current | sha256sum)" "$(skopeo_raw 2.0 | sha256sum)"
	run -0 --separate-stderr mlpromote history --registry "$REG" --model m
	assert_equal "$(jq -r '.action + " " + (.version // "-")' <<<"$output" | tr '\n' ' ')" \
		"publish 1.0 promote 1.0 publish 2.0 promote 2.0 "
	run -0 --separate-stderr mlpromote rollback --registry "$REG" --model m
	assert_equal "$(jq -c '[.action, .version, .seq, .previous]' <<<"$output")" '["rollback","1.0",3,"2.0"]'
	assert_equal "$(live)" 1.0
	assert_equal "$(skopeo_raw current | sha256sum)" "$(skopeo_raw 1.0 | sha256sum)"
	run -0 --separate-stderr mlpromote verify --registry "$REG" --model m
	assert_equal "$stderr" ""
	run -0 --separate-stderr mlpromote pull --registry "$REG" --model m --version 2.0 out
	cmp out/weights.bin weights2.bin
	run -0 mlpromote pull --registry "$REG" --model m served
	[ -f served/weights.bin ] && ! cmp -s served/weights.bin weights2.bin
	run -0 mlpromote status --registry "$REG" --format table
	assert_line --regexp '^m +current +yes +1\.0 +3 '
}

@test "the audit log and pointers live in the _mlgate.state artifact; each state names the one it replaced" {
	start_plain
	pub 1.0 > /dev/null
	skopeo_raw _mlgate.state > s1.json
	promote --version 1.0 > pointer.json
	skopeo_raw _mlgate.state > s2.json
	assert_equal "$(jq -r .artifactType s2.json)" application/vnd.mlgate.state.v1+json
	assert_equal "$(jq -r '.annotations["org.mlgate.state.previous"]' s2.json)" "sha256:$(sha256sum < s1.json | cut -d' ' -f1)"
	assert_equal "$(jq -r '[.layers[].annotations["org.opencontainers.image.title"]] | join(" ")' s2.json)" "audit.jsonl current.json"
	p=$(jq -r '.layers[1].digest' s2.json)
	cmp "$(storage_blob "$p")" pointer.json
	a=$(jq -r '.layers[0].digest' s2.json)
	assert_equal "$(wc -l < "$(storage_blob "$a")")" 2
	keep_record "$(storage_blob "$a")"
}

@test "versions are immutable, publishing again is a no-op, and a blob already there is not sent again" {
	start_plain
	pub 1.0 300000 > first.json
	posts=$(oci_requests POST)
	run -0 mlpromote publish --registry "$REG" --model m --version 1.0 weights.bin config.json
	assert_equal "$(jq -S 'del(.created_at, .id)' <<<"$output")" "$(jq -S 'del(.created_at, .id)' first.json)"
	assert_equal "$(oci_requests POST)" "$posts"
	# a second version that shares weights.bin uploads only what is new
	printf 'other\n' > readme.txt
	mlpromote publish --registry "$REG" --model m --version 1.1 weights.bin readme.txt > /dev/null
	w=$(hash_of weights.bin)
	assert_equal "$(grep -c "blobs/uploads.*digest=$w" "$BATS_TEST_TMPDIR/oci/registry.log" || true)" 1
	run -1 --separate-stderr mlpromote publish --registry "$REG" --model m --version 1.0 readme.txt
	assert_equal "$stderr" "mlpromote: version '1.0' of model 'm' is already published with other content"
	run -2 --separate-stderr mlpromote publish --registry "$REG" --model m --version staging readme.txt
	assert_equal "$stderr" "mlpromote: version 'staging' takes the name of a stage"
}

@test "a tag V pushed by someone else with other content is exit 1, and nothing moves" {
	start_plain
	pub 1.0 > /dev/null
	skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
		"docker://$OCI_HOST/ns/m:1.0" "docker://$OCI_HOST/ns/m:2.0"
	before=$(skopeo_raw _mlgate.state | sha256sum)
	run -1 --separate-stderr pub 2.0
	assert_equal "$stderr" "mlpromote: version '2.0' of model 'm' is already in '$REG' with other content"
	assert_equal "$(skopeo_raw _mlgate.state | sha256sum)" "$before"
}

@test "a model never pushed is not live, and naming it elsewhere is exit 1" {
	start_plain
	run -0 --separate-stderr mlpromote status --registry "$REG" --model ghost
	assert_equal "$(jq -c '[.model, .live]' <<<"$output")" '["ghost",false]'
	run -1 --separate-stderr mlpromote verify --registry "$REG" --model ghost
	assert_equal "$stderr" "mlpromote: no model 'ghost' in '$REG'"
	run -1 mlpromote promote --registry "$REG" --model ghost --version 1 --force --reason x
	run -2 --separate-stderr mlpromote init --registry "$REG"
	assert_equal "$stderr" "mlpromote: '$REG': init makes directory registries only"
}

@test "verify re-hashes every blob: a tampered artifact is exit 1, and pull refuses it" {
	start_plain
	pub 1.0 > /dev/null
	promote --version 1.0 > /dev/null
	w=$(hash_of weights.bin)
	head -c 20000 /dev/urandom > "$(storage_blob "$w")"
	run -1 --separate-stderr mlpromote verify --registry "$REG" --model m
	# messages name the registry, never the command's private temp copy
	[[ $stderr == "mlpromote: $REG/m/versions/1.0/files/weights.bin: hash sha256:"*", published as $w" ]]
	run -1 --separate-stderr mlpromote pull --registry "$REG" --model m out
	assert_equal "$stderr" "mlpromote: $REG/m/versions/1.0/files/weights.bin: not as published (run 'mlpromote verify')"
	[ ! -e out ]
}

@test "verify names a stage tag that disagrees with the audit log; the next write puts it back" {
	start_plain
	pub 1.0 > /dev/null
	pub 2.0 > /dev/null
	promote --version 1.0 > /dev/null
	skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
		"docker://$OCI_HOST/ns/m:2.0" "docker://$OCI_HOST/ns/m:current"
	run -1 --separate-stderr mlpromote verify --registry "$REG" --model m
	assert_equal "$stderr" "mlpromote: $REG/m:current: tag points to $(skopeo_raw 2.0 | hash_of /dev/stdin), not to version '1.0' that the audit log made live"
	promote --version 1.0 --stage staging > /dev/null
	run -0 mlpromote verify --registry "$REG" --model m
	assert_equal "$(skopeo_raw current | sha256sum)" "$(skopeo_raw 1.0 | sha256sum)"
}

@test "racing promotions: losers say so (exit 1), and after the next write verify passes" {
	start_plain
	for v in 1 2 3 4 5 6; do pub "$v" > /dev/null; done
	promote --version 1 > /dev/null
	pids=()
	for v in 2 3 4 5 6; do
		( rc=0; promote --version "$v" > "out-$v" 2> "err-$v" || rc=$?; echo "$rc" > "rc-$v" ) &
		pids+=($!)
	done
	wait "${pids[@]}"
	wins=0
	for v in 2 3 4 5 6; do
		rc=$(cat "rc-$v")
		case $rc in
		0) wins=$((wins + 1)) ;;
		1) grep -Eq "lost a race|changed while this command ran" "err-$v" ;;
		*) cat "err-$v"; false ;;
		esac
	done
	[ "$wins" -ge 1 ]
	# every promotion the log holds was reported a success
	mlpromote history --registry "$REG" --model m | jq -r 'select(.action == "promote") | .version' > promoted
	while read -r v; do
		[ "$v" = 1 ] || assert_equal "$(cat "rc-$v")" 0
	done < promoted
	run -0 mlpromote rollback --registry "$REG" --model m
	run -0 --separate-stderr mlpromote verify --registry "$REG" --model m
	assert_equal "$stderr" ""
}

@test "a model changed between our read and our write: exit 1, and nothing of ours is live" {
	# writer A stalls after reading (its first blob check is held) while B promotes
	race_held HEAD /v2/ns/m/blobs/
	assert_equal "$(cat a.rc)" 1
	assert_equal "$(cat a.err)" "mlpromote: oci://$OCI_PROXY/ns/m:_mlgate.state: model 'm' changed while this command ran (another writer); nothing of this change is live: run it again"
	[ ! -s a.out ]
	assert_equal "$(live)" 1.0
	assert_equal "$(live staging)" 2.0
	run -0 mlpromote verify --registry "$REG" --model m
}

@test "a write that lands between another's check and its tag move: verify names the fork" {
	# writer A is held just before it moves the state tag; B promotes staging
	# meanwhile, and A then writes over B's state
	race_held PUT /v2/ns/m/manifests/_mlgate.state
	assert_equal "$(cat a.rc)" 0
	run -1 --separate-stderr mlpromote verify --registry "$REG" --model m
	assert_equal "$stderr" "mlpromote: $REG/m:staging: a tag with no pointer in the audit log: a change lost to a race with another writer (a fork); promote the stage again or delete the tag"
	promote --version 2.0 --stage staging > /dev/null
	run -0 mlpromote verify --registry "$REG" --model m
}

@test "signatures live beside the pointers in the state; verify --pubkey checks them" {
	start_plain
	mlpromote keygen -p k.pub -s k.sec
	pub 1.0 > /dev/null
	run -0 promote --version 1.0 --sign k.sec
	skopeo_raw _mlgate.state > s.json
	assert_equal "$(jq -r '[.layers[].annotations["org.opencontainers.image.title"]] | join(" ")' s.json)" \
		"audit.jsonl current.json current.json.minisig"
	run -0 --separate-stderr mlpromote verify --registry "$REG" --model m --pubkey k.pub
	pub 2.0 > /dev/null
	promote --version 2.0 > /dev/null
	run -1 --separate-stderr mlpromote verify --registry "$REG" --model m --pubkey k.pub
	[[ $stderr == *"current.json"* ]]
}

@test "approval comes from --require-approval or MLGATE_REQUIRE_APPROVAL on an OCI registry" {
	start_plain
	pub 1.0 > /dev/null
	run -1 --separate-stderr promote --version 1.0 --stage production --require-approval production
	assert_equal "$stderr" "mlpromote: stage 'production' needs --approved-by"
	MLGATE_REQUIRE_APPROVAL=staging,production run -1 --separate-stderr promote --version 1.0 --stage staging
	assert_equal "$stderr" "mlpromote: stage 'staging' needs --approved-by"
	MLGATE_REQUIRE_APPROVAL=staging run -0 promote --version 1.0 --stage staging --approved-by alice
	assert_equal "$(jq -r .approved_by <<<"$output")" alice
}

@test "TLS with Basic auth and --ca-file; wrong credentials are exit 2 and never echoed" {
	oci_registry_start tls
	REG=oci://$OCI_HOST/team
	export MLGATE_OCI_USERNAME=$OCI_USER MLGATE_OCI_PASSWORD=$OCI_PASS
	printf 'w\n' > w.bin
	run -0 --separate-stderr mlpromote publish --registry "$REG" --ca-file "$OCI_CA" --model m --version 1 w.bin
	run -0 mlpromote promote --registry "$REG" --ca-file "$OCI_CA" --model m --version 1 --force --reason x
	skopeo inspect --raw --creds "$OCI_USER:$OCI_PASS" \
		--tls-verify=false "docker://$OCI_HOST/team/m:current" > raw.json
	assert_equal "$(jq -r '.annotations["org.opencontainers.image.version"]' raw.json)" 1
	run -3 --separate-stderr mlpromote status --registry "$REG" --model m
	[[ $stderr == "mlpromote: registry '$OCI_HOST': "* ]]
	MLGATE_OCI_PASSWORD=wrong-Secret-42 run -2 --separate-stderr mlpromote status --registry "$REG" --ca-file "$OCI_CA" --model m
	assert_equal "$stderr" "mlpromote: registry '$OCI_HOST': authentication failed (wrong credentials?)"
	[[ $stderr != *Secret* ]]
}

@test "token auth: the Bearer flow runs the cycle" {
	oci_registry_start token
	REG=oci://$OCI_HOST/org
	export MLGATE_OCI_USERNAME=$OCI_USER MLGATE_OCI_PASSWORD=$OCI_PASS
	pub 1 > /dev/null
	run -0 promote --version 1
	run -0 mlpromote verify --registry "$REG" --model m
	assert_equal "$(live)" 1
}

@test "a server that stops mid-upload: publish is exit 3 and tags nothing" {
	oci_registry_start plain
	oci_cut_proxy 1
	REG=oci://$OCI_PROXY/ns
	head -c 17000000 /dev/zero > big.bin
	run -3 --separate-stderr mlpromote publish --registry "$REG" --model m --version 1 big.bin
	assert_output ""
	[[ $stderr == "mlpromote: registry '$OCI_PROXY': "* ]]
	run -0 curl -s "http://$OCI_HOST/v2/ns/m/tags/list"
	assert_output --partial NAME_UNKNOWN
}

@test "a server that never answers fails the step within the timeouts (exit 3)" {
	oci_hang_server
	run -3 --separate-stderr mlpromote status --registry "oci://$OCI_HANG/ns" --model m \
		--connect-timeout 1 --stall-timeout 1
	[[ $stderr == "mlpromote: registry '$OCI_HANG'"* ]]
	run -2 --separate-stderr mlpromote status --registry "oci://$OCI_HANG/ns" --stall-timeout 0
	assert_equal "$stderr" "mlpromote: --stall-timeout '0': want whole seconds from 1 to 3600"
}

@test "status and verify without --model list the namespace's models" {
	start_plain
	pub 1.0 > /dev/null
	promote --version 1.0 > /dev/null
	mlpromote publish --registry "$REG" --model other --version 1 config.json > /dev/null
	mlpromote publish --registry "oci://$OCI_HOST/elsewhere" --model stranger --version 1 config.json > /dev/null
	run -0 mlpromote status --registry "$REG" --format table
	assert_line --regexp '^m +current +yes +1\.0 '
	refute_output --partial stranger
	run -0 mlpromote verify --registry "$REG"
}

@test "credentials from a Docker credential helper: credHelpers for the host, else credsStore" {
	oci_registry_start token
	REG=oci://$OCI_HOST/org
	mkdir -p bin "$HOME/.docker"
	# a helper as docker-credential-pass and the others are: host on stdin, JSON out
	cat > bin/docker-credential-fake <<HELPER
#!/bin/sh
[ "\$1" = get ] || exit 2
read -r host
echo "\$host" >> "$BATS_TEST_TMPDIR/asked"
[ "\$host" = "$OCI_HOST" ] || { echo "credentials not found in native keychain"; exit 1; }
printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "\$host" "$OCI_USER" "$OCI_PASS"
HELPER
	chmod +x bin/docker-credential-fake
	PATH=$PWD/bin:$PATH
	printf '{"credHelpers": {"%s": "fake"}}\n' "$OCI_HOST" > "$HOME/.docker/config.json"
	run -0 --separate-stderr pub 1
	assert_equal "$(sort -u asked)" "$OCI_HOST"
	printf '{"credsStore": "fake", "auths": {"%s": {}}}\n' "$OCI_HOST" > "$HOME/.docker/config.json"
	run -0 promote --version 1
	printf '{"credsStore": "missing"}\n' > "$HOME/.docker/config.json"
	run -2 --separate-stderr mlpromote status --registry "$REG" --model m
	assert_equal "$stderr" "mlpromote: '$HOME/.docker/config.json' names the credential helper 'docker-credential-missing', which is not installed"
}

@test "plain HTTP to a host that is not loopback only with --insecure-http said out loud" {
	local ip
	ip=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$' | grep -v '^127\.' | head -n1)
	[ -n "$ip" ] || skip "this machine has no IPv4 address but loopback"
	OCI_ADDR=0.0.0.0 oci_registry_start plain
	REG=oci://$ip:${OCI_HOST#*:}/ns
	run -3 --separate-stderr mlpromote status --registry "$REG" --model m --connect-timeout 2
	[[ $stderr == "mlpromote: registry '$ip:${OCI_HOST#*:}': "*" (no TLS there? plain HTTP to a host that is not loopback needs --insecure-http)" ]]
	run -0 --separate-stderr mlpromote status --registry "$REG" --model m --insecure-http
	assert_equal "$(jq -r .live <<<"$output")" false
}

@test "verify walks the earlier states: a state that drops audit lines of its predecessor is named" {
	start_plain
	pub 1.0 > /dev/null
	promote --version 1.0 > /dev/null
	skopeo_raw _mlgate.state > s2.json
	pub 2.0 > /dev/null
	promote --version 2.0 > /dev/null
	run -0 mlpromote verify --registry "$REG" --model m
	s4=$(skopeo_raw _mlgate.state | hash_of /dev/stdin)
	# the state of two changes ago, made to claim it follows the latest one: a log
	# cut back by two lines, its own hash chain intact
	jq -c --arg p "$s4" '.annotations["org.mlgate.state.previous"] = $p' s2.json > forged.json
	curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
		--data-binary @forged.json "http://$OCI_HOST/v2/ns/m/manifests/_mlgate.state"
	skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
		"docker://$OCI_HOST/ns/m:1.0" "docker://$OCI_HOST/ns/m:current"
	run -1 --separate-stderr mlpromote verify --registry "$REG" --model m
	[[ $stderr == *"mlpromote: $REG/m:_mlgate.state: the earlier state $s4 holds an audit log that is not the start of this one: history was rewritten"* ]]
}

@test "a command reads only what it needs: status costs as many requests with 2 versions as with 8" {
	start_plain
	local v before one many
	for v in 1 2; do pub "$v" > /dev/null; done
	promote --version 2 > /dev/null
	before=$(oci_requests '[A-Z]*')
	mlpromote status --registry "$REG" --model m > /dev/null
	one=$(( $(oci_requests '[A-Z]*') - before ))
	for v in 3 4 5 6 7 8; do pub "$v" > /dev/null; done
	before=$(oci_requests '[A-Z]*')
	run -0 mlpromote status --registry "$REG" --model m
	many=$(( $(oci_requests '[A-Z]*') - before ))
	assert_equal "$(jq -r .version <<<"$output")" 2
	assert_equal "$many" "$one"
}

@test "verify names a version tag whose layers are not the files its model.json publishes" {
	start_plain
	pub 1.0 > /dev/null
	promote --version 1.0 > /dev/null
	run -0 mlpromote verify --registry "$REG" --model m
	# the weights layer made to point at the config's blob: skopeo would pull other weights
	skopeo_raw 1.0 | jq -c '(.layers[] | select(.annotations["org.opencontainers.image.title"] == "weights.bin")) |=
		(.digest = "'"$(hash_of config.json)"'" | .size = '"$(stat -c %s config.json)"')' > forged.json
	curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
		--data-binary @forged.json "http://$OCI_HOST/v2/ns/m/manifests/1.0"
	run -1 --separate-stderr mlpromote verify --registry "$REG" --model m
	[[ $stderr == *"mlpromote: $REG/m:1.0: its layers are not the files its model.json publishes: an OCI client pulling this tag gets other files"* ]]
	# pull fetches by the published hashes, so it still serves what was published
	run -0 mlpromote pull --registry "$REG" --model m --version 1.0 out
	cmp out/weights.bin weights.bin
}

#!/usr/bin/env bats
# mlpromote's signatures: keygen, promote/rollback --sign, verify --pubkey,
# checked both ways against Debian's minisign(1).

bats_require_minimum_version 1.5.0
load helper

# make_registry: reg/ with model m, versions 1 and 2 published.
make_registry() {
	mlpromote init --registry reg
	printf 'weights one\n' > one.bin
	printf 'weights two\n' > two.bin
	mlpromote publish --registry reg --model m --version 1 one.bin > /dev/null
	mlpromote publish --registry reg --model m --version 2 two.bin > /dev/null
}

# promote_signed VERSION KEY [STAGE]: a forced promotion (no gate here), signed.
promote_signed() {
	mlpromote promote --registry reg --model m --version "$1" --stage "${3:-current}" \
		--force --reason "signature test" --sign "$2" > /dev/null
}

# minisign -G -W: an unencrypted key pair made by minisign itself.
minisign_keypair() {
	minisign -G -W -p "$1.pub" -s "$1.key" > /dev/null
}

# flip_base64_char FILE LINE POS: replaces the base64 letter at POS (from 0)
# of that line with another, so one decoded byte changes.
flip_base64_char() {
	local line new
	line=$(sed -n "$2p" "$1")
	new=A
	[ "${line:$3:1}" = A ] && new=B
	line="${line:0:$3}$new${line:$(($3 + 1))}"
	sed -i "$2c\\$line" "$1"
}

@test "keygen writes a minisign key pair, the secret key 0600, and says nothing" {
	run --separate-stderr -0 mlpromote keygen -p our.pub -s our.key
	assert_output ''
	[ -z "$stderr" ]
	[ "$(stat -c %a our.key)" = 600 ]
	run -0 sed -n 1p our.pub
	assert_output --regexp '^untrusted comment: minisign public key [0-9A-F]{16}$'
	run -0 sed -n 2p our.pub
	assert_output --regexp '^RW[A-Za-z0-9+/]{54}$'
	run -0 sed -n 1p our.key
	assert_output --regexp '^untrusted comment: '
	# Whatever minisign signs with our secret key verifies with our public key.
	printf 'hello\n' > msg
	run -0 minisign -S -s our.key -m msg -t 'made by minisign'
	run -0 minisign -V -p our.pub -m msg
	assert_output --partial 'Trusted comment: made by minisign'
}

@test "keygen never overwrites: an existing key file is exit 2 and left as it was" {
	mlpromote keygen -p our.pub -s our.key
	cp our.key our.key.orig
	cp our.pub our.pub.orig
	run --separate-stderr -2 mlpromote keygen -p new.pub -s our.key
	assert_equal "$stderr" "mlpromote: 'our.key' already exists: not overwriting it"
	cmp our.key our.key.orig
	[ ! -e new.pub ]
	# An existing public key: the secret key just written is taken back.
	run --separate-stderr -2 mlpromote keygen -p our.pub -s new.key
	assert_equal "$stderr" "mlpromote: 'our.pub' already exists: not overwriting it"
	cmp our.pub our.pub.orig
	[ ! -e new.key ]
	# A dangling symlink is not followed to create a key somewhere else.
	ln -s elsewhere.key link.key
	run -2 mlpromote keygen -p l.pub -s link.key
	[ ! -e elsewhere.key ]
	[ ! -e l.pub ]
	run ls -A
	refute_output --partial 'tmp'
}

@test "keygen: a directory that does not exist is exit 3" {
	run --separate-stderr -3 mlpromote keygen -p nodir/k.pub -s nodir/k.key
	assert_equal "$stderr" "mlpromote: cannot write 'nodir/k.key': No such file or directory"
}

@test "promote --sign with our key: minisign -V verifies the pointer, as a server would" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	promote_signed 1 our.key
	[ -s reg/models/m/current.json.minisig ]
	keep_record reg/models/m/current.json
	run -0 minisign -V -p our.pub -m reg/models/m/current.json
	assert_output --partial 'Trusted comment: mlgate pointer model=m stage=current version=1 seq=1'
	run --separate-stderr -0 mlpromote verify --registry reg --pubkey our.pub
	[ -z "$stderr" ]
	# The signature covers the exact bytes of the pointer file.
	run -0 minisign -V -q -p our.pub -m reg/models/m/current.json -x reg/models/m/current.json.minisig
}

@test "keys made by minisign -G -W sign with --sign; both minisign and verify --pubkey accept" {
	make_registry
	minisign_keypair ms
	promote_signed 1 ms.key
	run -0 minisign -V -p ms.pub -m reg/models/m/current.json
	assert_output --partial 'Trusted comment: mlgate pointer model=m stage=current version=1 seq=1'
	run -0 mlpromote verify --registry reg --pubkey ms.pub
}

@test "rollback --sign signs the new pointer with its own seq" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	promote_signed 1 our.key
	promote_signed 2 our.key
	run -0 mlpromote rollback --registry reg --model m --sign our.key
	run -0 minisign -V -p our.pub -m reg/models/m/current.json
	assert_output --partial 'Trusted comment: mlgate pointer model=m stage=current version=1 seq=3'
	run -0 mlpromote verify --registry reg --pubkey our.pub
}

@test "a pointer changed without --sign no longer passes verify --pubkey" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	promote_signed 1 our.key
	mlpromote promote --registry reg --model m --version 2 --force --reason unsigned > /dev/null
	run --separate-stderr -1 mlpromote verify --registry reg --pubkey our.pub
	assert_output ''
	[[ "$stderr" == *current.json* ]]
}

@test "verify --pubkey: a missing .minisig is exit 1 naming it" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	promote_signed 1 our.key
	rm reg/models/m/current.json.minisig
	run --separate-stderr -1 mlpromote verify --registry reg --pubkey our.pub
	[[ "$stderr" == *current.json.minisig* ]]
	# Without --pubkey, signatures are not required.
	run -0 mlpromote verify --registry reg
}

@test "verify --pubkey: a tampered signature is exit 1 naming the file" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	promote_signed 1 our.key
	flip_base64_char reg/models/m/current.json.minisig 2 50
	run -1 minisign -V -q -p our.pub -m reg/models/m/current.json
	run --separate-stderr -1 mlpromote verify --registry reg --pubkey our.pub
	[[ "$stderr" == *current.json.minisig* ]]
}

@test "verify --pubkey: a garbled signature file is exit 1, not a crash" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	promote_signed 1 our.key
	printf 'untrusted comment: x\nnot base64\n' > reg/models/m/current.json.minisig
	run --separate-stderr -1 mlpromote verify --registry reg --pubkey our.pub
	[[ "$stderr" == *current.json.minisig* ]]
}

@test "verify --pubkey: a tampered global signature or trusted comment is exit 1" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	promote_signed 1 our.key
	sig=reg/models/m/current.json.minisig
	cp "$sig" sig.orig
	flip_base64_char "$sig" 4 50
	run -1 minisign -V -q -p our.pub -m reg/models/m/current.json
	run --separate-stderr -1 mlpromote verify --registry reg --pubkey our.pub
	[[ "$stderr" == *current.json.minisig* ]]
	cp sig.orig "$sig"
	sed -i 's/^trusted comment: .*/trusted comment: mlgate pointer model=m stage=current version=1 seq=9/' "$sig"
	run -1 minisign -V -q -p our.pub -m reg/models/m/current.json
	run --separate-stderr -1 mlpromote verify --registry reg --pubkey our.pub
	[[ "$stderr" == *current.json.minisig* ]]
}

@test "verify --pubkey: a tampered pointer is exit 1 naming it" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	promote_signed 1 our.key
	sed -i 's/"seq":1/"seq":7/' reg/models/m/current.json
	run -1 minisign -V -q -p our.pub -m reg/models/m/current.json
	run --separate-stderr -1 mlpromote verify --registry reg --pubkey our.pub
	[[ "$stderr" == *current.json* ]]
}

@test "verify --pubkey: a signature by another key is exit 1" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	minisign_keypair other
	promote_signed 1 our.key
	run --separate-stderr -1 mlpromote verify --registry reg --pubkey other.pub
	[[ "$stderr" == *current.json.minisig* ]]
	[[ "$stderr" == *"other.pub"* ]]
}

@test "verify --pubkey: a valid signature with another pointer's trusted comment is exit 1" {
	make_registry
	# Signed with the right key over the right bytes, but the trusted comment
	# names another stage: a signature made for staging replayed on current.
	minisign_keypair ms
	promote_signed 1 ms.key
	minisign -S -s ms.key -m reg/models/m/current.json \
		-t 'mlgate pointer model=m stage=staging version=1 seq=1' > /dev/null
	run -0 minisign -V -q -p ms.pub -m reg/models/m/current.json
	run --separate-stderr -1 mlpromote verify --registry reg --pubkey ms.pub
	[[ "$stderr" == *current.json.minisig* ]]
}

@test "verify --pubkey: staging's signed pointer copied over current is exit 1" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	promote_signed 1 our.key
	promote_signed 2 our.key staging
	cp reg/models/m/staging.json reg/models/m/current.json
	cp reg/models/m/staging.json.minisig reg/models/m/current.json.minisig
	run --separate-stderr -1 mlpromote verify --registry reg --pubkey our.pub
	[[ "$stderr" == *current.json* ]]
}

@test "verify --pubkey: an older signed pointer copied back is exit 1" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	promote_signed 1 our.key
	cp reg/models/m/current.json old.json
	cp reg/models/m/current.json.minisig old.json.minisig
	promote_signed 2 our.key
	cp old.json reg/models/m/current.json
	cp old.json.minisig reg/models/m/current.json.minisig
	run --separate-stderr -1 mlpromote verify --registry reg --pubkey our.pub
	[[ "$stderr" == *current.json* ]]
}

@test "verify --pubkey: a public key that cannot be read or parsed is exit 2" {
	make_registry
	mlpromote keygen -p our.pub -s our.key
	promote_signed 1 our.key
	run --separate-stderr -2 mlpromote verify --registry reg --pubkey missing.pub
	[[ "$stderr" == *missing.pub* ]]
	printf 'not a key\n' > bad.pub
	run --separate-stderr -2 mlpromote verify --registry reg --pubkey bad.pub
	[[ "$stderr" == *"'bad.pub' is not a minisign public key"* ]]
}

@test "--sign with an encrypted key is exit 2 with a hint, and the registry is unchanged" {
	make_registry
	cp "$TESTDATA/mlpromote/minisign-encrypted.key" enc.key
	run --separate-stderr -2 promote_signed 1 enc.key
	[[ "$stderr" == *"'enc.key' is encrypted with a password"* ]]
	[[ "$stderr" == *"minisign -C -W -s enc.key"* ]]
	[ ! -e reg/models/m/current.json ]
	[ ! -e reg/models/m/current.json.minisig ]
}

@test "--sign with a missing or damaged key is exit 2, and the registry is unchanged" {
	make_registry
	run --separate-stderr -2 promote_signed 1 missing.key
	[[ "$stderr" == *missing.key* ]]
	mlpromote keygen -p our.pub -s our.key
	# The checksum minisign checks on encrypted keys: ours is written, and checked.
	# Letter 200 of the 212 lies in the checksum (bytes 126-157).
	flip_base64_char our.key 2 200
	run --separate-stderr -2 promote_signed 1 our.key
	[[ "$stderr" == *"secret key 'our.key' is damaged"* ]]
	[ ! -e reg/models/m/current.json ]
	[ ! -e reg/models/m/current.json.minisig ]
}

@test "a minisign key whose all-zero checksum hides a damaged secret key is refused" {
	make_registry
	minisign_keypair ms
	# minisign leaves the checksum (bytes 126-157, letters 168-211) all zero.
	run -0 sed -n 2p ms.key
	assert_output --regexp 'A{43}=$'
	# Letter 157 lies in the public half (bytes 94-125) of the 64-byte secret key.
	flip_base64_char ms.key 2 157
	run --separate-stderr -2 promote_signed 1 ms.key
	[[ "$stderr" == *"secret key 'ms.key' is damaged"* ]]
}

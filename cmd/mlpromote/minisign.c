/*
 * minisign's formats, written and read with libsodium. Layouts (all binary
 * fields are base64, standard alphabet, padded, one line each):
 *
 *   public key  "Ed" keyid[8] pk[32]
 *   secret key  "Ed" kdf[2] "B2" salt[32] opslimit[8] memlimit[8]
 *               keyid[8] sk[64] checksum[32]
 *               (kdf "\0\0": unencrypted; "Sc": scrypt, which we refuse,
 *               since a tool run by CI never prompts for a password)
 *   signature   "ED" keyid[8] Ed25519(BLAKE2b-512(message))[64]
 *   global sig  Ed25519(signature[64] || trusted comment)[64]
 *
 * The key id shows in comments as a little-endian 64-bit number in hex.
 *
 * Status codes: minisign_verify returns 1 for anything wrong with the
 * signature text (bad, garbled, by another key): the signature lives in
 * the registry, and a damaged registry file is a finding, not bad input.
 * A public or secret key file that cannot be read or parsed is 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "atomicfile.h"
#include "fileio.h"
#include "minisign.h"
#include "strbuf.h"
#include "xalloc.h"

#define ALG_LEN 2
#define KEYID_LEN 8
#define SALT_LEN 32
#define LIMIT_LEN 8
#define CHK_LEN 32
#define PK_LEN crypto_sign_PUBLICKEYBYTES   /* 32 */
#define SK_LEN crypto_sign_SECRETKEYBYTES   /* 64: seed, then public key */
#define SIG_LEN crypto_sign_BYTES           /* 64 */
#define PREHASH_LEN crypto_generichash_BYTES_MAX /* 64 */

#define PUB_BIN_LEN (ALG_LEN + KEYID_LEN + PK_LEN)
/* Offsets into the secret key blob. */
#define SEC_KDF (ALG_LEN)
#define SEC_CHKALG (SEC_KDF + ALG_LEN)
#define SEC_KEYID (SEC_CHKALG + ALG_LEN + SALT_LEN + 2 * LIMIT_LEN)
#define SEC_SK (SEC_KEYID + KEYID_LEN)
#define SEC_CHK (SEC_SK + SK_LEN)
#define SEC_BIN_LEN (SEC_CHK + CHK_LEN)
#define SIG_BIN_LEN (ALG_LEN + KEYID_LEN + SIG_LEN)

/* minisign reads lines with fixed buffers: stay within them. */
#define COMMENT_MAX 1024
#define TRUSTED_LINE_MAX 8192
#define KEYFILE_MAX 4096

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "

struct pubkey {
	unsigned char keyid[KEYID_LEN];
	unsigned char pk[PK_LEN];
};

/* Held in sodium_malloc'd memory: guarded, locked, wiped on free. */
struct seckey {
	unsigned char keyid[KEYID_LEN];
	unsigned char sk[SK_LEN];
};

/* A line of a text file: [start, start + len), without its "\n" or "\r\n". */
struct line {
	const char *start;
	size_t len;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct minisign_err *err, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return status;
}

static int sodium_ready(struct minisign_err *err)
{
	if (sodium_init() < 0)
		return fail(err, 3, "cannot initialise libsodium");
	return 0;
}

/* The key id as minisign prints it: the 8 bytes read little-endian, in hex. */
static void keyid_hex(const unsigned char keyid[KEYID_LEN], char out[2 * KEYID_LEN + 1])
{
	static const char digits[] = "0123456789ABCDEF";

	for (int i = 0; i < KEYID_LEN; i++) {
		out[2 * i] = digits[keyid[KEYID_LEN - 1 - i] >> 4];
		out[2 * i + 1] = digits[keyid[KEYID_LEN - 1 - i] & 0xf];
	}
	out[2 * KEYID_LEN] = '\0';
}

/*
 * Splits text into up to max lines; returns how many, or -1 when there are
 * more, or a NUL byte. A final newline is optional.
 */
static int split_lines(const char *text, size_t len, struct line *lines, int max)
{
	int n = 0;
	size_t i = 0;

	if (memchr(text, '\0', len))
		return -1;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;

		if (n == max)
			return -1;
		lines[n].start = text + i;
		lines[n].len = end - i;
		if (lines[n].len > 0 && lines[n].start[lines[n].len - 1] == '\r')
			lines[n].len--;
		n++;
		i = end + 1;
	}
	return n;
}

static int has_prefix(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && memcmp(l->start, prefix, n) == 0;
}

/* Decodes exactly want bytes of padded standard base64; 0 or -1. */
static int base64_exact(const struct line *l, unsigned char *out, size_t want)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	size_t got = 0;
	const char *end = NULL;

	/* libsodium 1.0.18 decodes some bytes >= 0x80 as if they were letters
	 * of the alphabet: refuse them first, so one text means one signature. */
	for (size_t i = 0; i < l->len; i++)
		if (!l->start[i] || !strchr(alphabet, l->start[i]))
			return -1;
	if (sodium_base642bin(out, want, l->start, l->len, NULL, &got, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return got == want && end == l->start + l->len ? 0 : -1;
}

/* ---- reading key files ---- */

/* Reads up to max bytes; the count, or -1 with errno. */
static ssize_t read_upto(int fd, char *buf, size_t max)
{
	size_t got = 0;

	while (got < max) {
		ssize_t n = read(fd, buf + got, max - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/*
 * Reads a small file whole into sodium_malloc'd memory, NUL-terminated, so
 * a secret key's text is never left in ordinary heap memory.
 */
static int read_small_file(const char *path, char **buf, size_t *len, struct minisign_err *err)
{
	struct stat st;
	ssize_t n;
	int saved;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail(err, 2, "cannot read '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size > KEYFILE_MAX) {
		close(fd);
		return fail(err, 2, "'%s' is not a minisign key file", path);
	}
	*buf = sodium_malloc(KEYFILE_MAX + 1);
	if (!*buf) {
		close(fd);
		return fail(err, 3, "out of memory");
	}
	n = read_upto(fd, *buf, KEYFILE_MAX);
	if (n < 0) {
		sodium_free(*buf);
		*buf = NULL;
		goto fail;
	}
	close(fd);
	(*buf)[n] = '\0';
	*len = (size_t)n;
	return 0;
fail:
	saved = errno;
	close(fd);
	return fail(err, 2, "cannot read '%s': %s", path, strerror(saved));
}

static int load_pubkey(const char *path, struct pubkey *key, struct minisign_err *err)
{
	unsigned char bin[PUB_BIN_LEN];
	struct line lines[2];
	char *text;
	size_t len;
	int rc = read_small_file(path, &text, &len, err);

	if (rc)
		return rc;
	if (split_lines(text, len, lines, 2) != 2 || !has_prefix(&lines[0], UNTRUSTED_PREFIX) ||
	    base64_exact(&lines[1], bin, sizeof bin) < 0) {
		sodium_free(text);
		return fail(err, 2, "'%s' is not a minisign public key", path);
	}
	sodium_free(text);
	if (memcmp(bin, "Ed", ALG_LEN) != 0)
		return fail(err, 2, "'%s': unsupported signature algorithm", path);
	memcpy(key->keyid, bin + ALG_LEN, KEYID_LEN);
	memcpy(key->pk, bin + ALG_LEN + KEYID_LEN, PK_LEN);
	return 0;
}

/* BLAKE2b-256 over "Ed" || keyid || sk, as minisign checks a secret key. */
static void seckey_checksum(const unsigned char *blob, unsigned char chk[CHK_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, CHK_LEN);
	crypto_generichash_update(&st, blob, ALG_LEN);
	crypto_generichash_update(&st, blob + SEC_KEYID, KEYID_LEN);
	crypto_generichash_update(&st, blob + SEC_SK, SK_LEN);
	crypto_generichash_final(&st, chk, CHK_LEN);
	sodium_memzero(&st, sizeof st);
}

/*
 * The checksum (when not all zero, as `minisign -G -W` leaves it) and the
 * public half derived again from the seed catch a damaged key before it
 * signs anything.
 */
static int check_seckey_blob(const char *path, const unsigned char *blob, struct minisign_err *err)
{
	unsigned char chk[CHK_LEN];
	unsigned char pk[PK_LEN];
	unsigned char *sk;
	int chk_ok;

	seckey_checksum(blob, chk);
	chk_ok = sodium_is_zero(blob + SEC_CHK, CHK_LEN) || sodium_memcmp(chk, blob + SEC_CHK, CHK_LEN) == 0;
	sodium_memzero(chk, sizeof chk);
	if (!chk_ok)
		return fail(err, 2, "secret key '%s' is damaged (checksum mismatch)", path);
	sk = sodium_malloc(SK_LEN);
	if (!sk)
		return fail(err, 3, "out of memory");
	crypto_sign_seed_keypair(pk, sk, blob + SEC_SK);
	sodium_free(sk);
	if (memcmp(pk, blob + SEC_SK + crypto_sign_SEEDBYTES, PK_LEN) != 0)
		return fail(err, 2, "secret key '%s' is damaged (its public half does not match)", path);
	return 0;
}

static int parse_seckey(const char *path, const char *text, size_t len, unsigned char *blob,
			struct minisign_err *err)
{
	struct line lines[2];

	if (split_lines(text, len, lines, 2) != 2 || !has_prefix(&lines[0], UNTRUSTED_PREFIX) ||
	    base64_exact(&lines[1], blob, SEC_BIN_LEN) < 0)
		return fail(err, 2, "'%s' is not a minisign secret key", path);
	if (memcmp(blob, "Ed", ALG_LEN) != 0)
		return fail(err, 2, "secret key '%s': unsupported signature algorithm", path);
	if (memcmp(blob + SEC_CHKALG, "B2", ALG_LEN) != 0)
		return fail(err, 2, "secret key '%s': unsupported checksum algorithm", path);
	if (memcmp(blob + SEC_KDF, "Sc", ALG_LEN) == 0)
		return fail(err, 2, "secret key '%s' is encrypted with a password, which is never "
			    "prompted for: remove it with 'minisign -C -W -s %s'", path, path);
	if (!sodium_is_zero(blob + SEC_KDF, ALG_LEN))
		return fail(err, 2, "secret key '%s': unsupported key derivation", path);
	return check_seckey_blob(path, blob, err);
}

/* Loads the secret key into *key, sodium_malloc'd; the caller sodium_free()s it. */
static int load_seckey(const char *path, struct seckey **key, struct minisign_err *err)
{
	unsigned char *blob;
	char *text;
	size_t len;
	int rc = read_small_file(path, &text, &len, err);

	if (rc)
		return rc;
	blob = sodium_malloc(SEC_BIN_LEN);
	*key = sodium_malloc(sizeof **key);
	if (!blob || !*key)
		rc = fail(err, 3, "out of memory");
	else if ((rc = parse_seckey(path, text, len, blob, err)) == 0) {
		memcpy((*key)->keyid, blob + SEC_KEYID, KEYID_LEN);
		memcpy((*key)->sk, blob + SEC_SK, SK_LEN);
	}
	sodium_free(text);
	sodium_free(blob);
	if (rc) {
		sodium_free(*key);
		*key = NULL;
	}
	return rc;
}

/* ---- keygen ---- */

/*
 * Writes a new file at path, never replacing one: a temp file beside it,
 * written and fsynced, then link(2)ed to the final name, which fails with
 * EEXIST on any existing name (a dangling symlink too). A crash leaves no
 * half-written key under the final name.
 */
static int create_file(const char *path, const void *buf, size_t len, mode_t mode,
		       struct minisign_err *err)
{
	struct atomicfile af;
	int saved;

	if (atomicfile_open(&af, path, mode) < 0)
		return fail(err, 3, "cannot write '%s': %s", path, strerror(errno));
	if (atomicfile_write(&af, buf, len) < 0 || fsync(af.fd) < 0)
		goto fail;
	saved = close(af.fd);
	af.fd = -1;
	if (saved < 0 || link(af.tmp, path) < 0)
		goto fail;
	atomicfile_abort(&af); /* removes the temp name; the file lives on under path */
	if (fsync_parent_dir(path) < 0)
		return fail(err, 3, "cannot write '%s': %s", path, strerror(errno));
	return 0;
fail:
	saved = errno;
	atomicfile_abort(&af);
	if (saved == EEXIST)
		return fail(err, 2, "'%s' already exists: not overwriting it", path);
	return fail(err, 3, "cannot write '%s': %s", path, strerror(saved));
}

/* "untrusted comment: ...\n" + base64(bin) + "\n", in sodium_malloc'd memory. */
static char *key_file_text(const char *comment, const unsigned char *bin, size_t bin_len, size_t *len)
{
	size_t b64_len = sodium_base64_ENCODED_LEN(bin_len, sodium_base64_VARIANT_ORIGINAL);
	size_t head = strlen(comment);
	char *text = sodium_malloc(head + b64_len + 1);

	if (!text)
		return NULL;
	memcpy(text, comment, head);
	sodium_bin2base64(text + head, b64_len, bin, bin_len, sodium_base64_VARIANT_ORIGINAL);
	*len = head + strlen(text + head);
	text[(*len)++] = '\n';
	text[*len] = '\0';
	return text;
}

static int write_keypair(const char *pubpath, const char *secpath, const unsigned char *pub_bin,
			 const unsigned char *sec_bin, struct minisign_err *err)
{
	char hex[2 * KEYID_LEN + 1];
	char comment[64];
	char *pub_text, *sec_text;
	size_t pub_len, sec_len;
	int rc;

	keyid_hex(pub_bin + ALG_LEN, hex);
	snprintf(comment, sizeof comment, UNTRUSTED_PREFIX "minisign public key %s\n", hex);
	pub_text = key_file_text(comment, pub_bin, PUB_BIN_LEN, &pub_len);
	sec_text = key_file_text(UNTRUSTED_PREFIX "minisign unencrypted secret key\n", sec_bin,
				 SEC_BIN_LEN, &sec_len);
	if (!pub_text || !sec_text)
		rc = fail(err, 3, "out of memory");
	else if ((rc = create_file(secpath, sec_text, sec_len, 0600, err)) == 0 &&
		 (rc = create_file(pubpath, pub_text, pub_len, 0644, err)) != 0)
		unlink(secpath); /* ours, just created: no key pair without its half */
	sodium_free(pub_text);
	sodium_free(sec_text);
	return rc;
}

int minisign_keygen(const char *pubpath, const char *secpath, struct minisign_err *err)
{
	unsigned char pub_bin[PUB_BIN_LEN];
	unsigned char *sec_bin;
	int rc;

	if ((rc = sodium_ready(err)) != 0)
		return rc;
	if (strcmp(pubpath, secpath) == 0)
		return fail(err, 2, "the public and secret key cannot both be '%s'", pubpath);
	sec_bin = sodium_malloc(SEC_BIN_LEN);
	if (!sec_bin)
		return fail(err, 3, "out of memory");
	memset(sec_bin, 0, SEC_BIN_LEN); /* kdf "\0\0", no salt, no limits */
	memcpy(sec_bin, "Ed", ALG_LEN);
	memcpy(sec_bin + SEC_CHKALG, "B2", ALG_LEN);
	randombytes_buf(sec_bin + SEC_KEYID, KEYID_LEN);
	crypto_sign_keypair(pub_bin + ALG_LEN + KEYID_LEN, sec_bin + SEC_SK);
	seckey_checksum(sec_bin, sec_bin + SEC_CHK);
	memcpy(pub_bin, "Ed", ALG_LEN);
	memcpy(pub_bin + ALG_LEN, sec_bin + SEC_KEYID, KEYID_LEN);
	rc = write_keypair(pubpath, secpath, pub_bin, sec_bin, err);
	sodium_free(sec_bin);
	return rc;
}

/* ---- sign ---- */

static int check_trusted_comment(const char *tc, struct minisign_err *err)
{
	size_t len = strlen(tc);

	if (strpbrk(tc, "\r\n"))
		return fail(err, 2, "the trusted comment must be one line");
	/* minisign reads the line, prefix and newline included, in 8192 bytes. */
	if (len + sizeof TRUSTED_PREFIX + 1 > TRUSTED_LINE_MAX)
		return fail(err, 2, "the trusted comment is too long");
	return 0;
}

static void add_base64(struct strbuf *sb, const unsigned char *bin, size_t len)
{
	char b64[sodium_base64_ENCODED_LEN(SIG_BIN_LEN, sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(b64, sizeof b64, bin, len, sodium_base64_VARIANT_ORIGINAL);
	strbuf_addstr(sb, b64);
	strbuf_addch(sb, '\n');
}

static char *signature_text(const struct seckey *key, const void *msg, size_t len, const char *tc)
{
	unsigned char prehash[PREHASH_LEN];
	unsigned char sig[SIG_BIN_LEN];
	unsigned char global[SIG_LEN];
	unsigned char *signed_tc;
	size_t tc_len = strlen(tc);
	char hex[2 * KEYID_LEN + 1];
	struct strbuf sb = STRBUF_INIT;

	crypto_generichash(prehash, sizeof prehash, msg, len, NULL, 0);
	memcpy(sig, "ED", ALG_LEN);
	memcpy(sig + ALG_LEN, key->keyid, KEYID_LEN);
	crypto_sign_detached(sig + ALG_LEN + KEYID_LEN, NULL, prehash, sizeof prehash, key->sk);

	signed_tc = xmalloc(SIG_LEN + tc_len);
	memcpy(signed_tc, sig + ALG_LEN + KEYID_LEN, SIG_LEN);
	memcpy(signed_tc + SIG_LEN, tc, tc_len);
	crypto_sign_detached(global, NULL, signed_tc, SIG_LEN + tc_len, key->sk);
	free(signed_tc);

	keyid_hex(key->keyid, hex);
	strbuf_addf(&sb, UNTRUSTED_PREFIX "signature from minisign secret key %s\n", hex);
	add_base64(&sb, sig, sizeof sig);
	strbuf_addf(&sb, TRUSTED_PREFIX "%s\n", tc);
	add_base64(&sb, global, sizeof global);
	return strbuf_detach(&sb, NULL);
}

int minisign_sign(const char *secpath, const void *msg, size_t len,
		  const char *trusted_comment, char **sig_text, struct minisign_err *err)
{
	struct seckey *key;
	int rc;

	*sig_text = NULL;
	if ((rc = sodium_ready(err)) != 0 || (rc = check_trusted_comment(trusted_comment, err)) != 0)
		return rc;
	if ((rc = load_seckey(secpath, &key, err)) != 0)
		return rc;
	*sig_text = signature_text(key, msg, len, trusted_comment);
	sodium_free(key);
	return 0;
}

/* ---- verify ---- */

struct parsed_sig {
	unsigned char sig[SIG_BIN_LEN];
	unsigned char global[SIG_LEN];
	struct line trusted; /* after the prefix */
};

static int parse_signature(const char *text, size_t len, struct parsed_sig *ps,
			   struct minisign_err *err)
{
	struct line lines[4];

	if (split_lines(text, len, lines, 4) != 4 || !has_prefix(&lines[0], UNTRUSTED_PREFIX) ||
	    lines[0].len >= COMMENT_MAX || base64_exact(&lines[1], ps->sig, SIG_BIN_LEN) < 0 ||
	    !has_prefix(&lines[2], TRUSTED_PREFIX) || lines[2].len + 2 > TRUSTED_LINE_MAX ||
	    base64_exact(&lines[3], ps->global, SIG_LEN) < 0)
		return fail(err, 1, "not a minisign signature");
	if (memcmp(ps->sig, "ED", ALG_LEN) != 0)
		return fail(err, 1, "not a prehashed (\"ED\") minisign signature");
	ps->trusted.start = lines[2].start + strlen(TRUSTED_PREFIX);
	ps->trusted.len = lines[2].len - strlen(TRUSTED_PREFIX);
	return 0;
}

static int check_signatures(const struct pubkey *key, const char *pubpath, const void *msg,
			    size_t len, const struct parsed_sig *ps, struct minisign_err *err)
{
	unsigned char prehash[PREHASH_LEN];
	unsigned char *signed_tc;
	int bad;

	if (memcmp(ps->sig + ALG_LEN, key->keyid, KEYID_LEN) != 0) {
		char want[2 * KEYID_LEN + 1], got[2 * KEYID_LEN + 1];
		keyid_hex(key->keyid, want);
		keyid_hex(ps->sig + ALG_LEN, got);
		return fail(err, 1, "signed by key %s, not by '%s' (key %s)", got, pubpath, want);
	}
	crypto_generichash(prehash, sizeof prehash, msg, len, NULL, 0);
	if (crypto_sign_verify_detached(ps->sig + ALG_LEN + KEYID_LEN, prehash, sizeof prehash,
					key->pk) != 0)
		return fail(err, 1, "signature verification failed: the file or its signature was changed");
	signed_tc = xmalloc(SIG_LEN + ps->trusted.len);
	memcpy(signed_tc, ps->sig + ALG_LEN + KEYID_LEN, SIG_LEN);
	memcpy(signed_tc + SIG_LEN, ps->trusted.start, ps->trusted.len);
	bad = crypto_sign_verify_detached(ps->global, signed_tc, SIG_LEN + ps->trusted.len, key->pk);
	free(signed_tc);
	if (bad)
		return fail(err, 1, "trusted comment verification failed: the signature was changed");
	return 0;
}

int minisign_verify(const char *pubpath, const void *msg, size_t len,
		    const char *sig_text, size_t sig_len,
		    char **trusted_comment, struct minisign_err *err)
{
	struct pubkey key;
	struct parsed_sig ps;
	int rc;

	if (trusted_comment)
		*trusted_comment = NULL;
	if ((rc = sodium_ready(err)) != 0 || (rc = load_pubkey(pubpath, &key, err)) != 0)
		return rc;
	if ((rc = parse_signature(sig_text, sig_len, &ps, err)) != 0 ||
	    (rc = check_signatures(&key, pubpath, msg, len, &ps, err)) != 0)
		return rc;
	if (trusted_comment)
		*trusted_comment = xstrndup(ps.trusted.start, ps.trusted.len);
	return 0;
}

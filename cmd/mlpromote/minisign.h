/*
 * minisign's key and signature formats, through libsodium: Ed25519 keys,
 * signatures over the BLAKE2b-512 prehash of the message ("ED"), the
 * trusted comment bound by a global signature. `minisign -V` verifies what
 * minisign_sign writes; keys made by `minisign -G -W` sign here.
 *
 * Every function returns 0 on success, or an exit status (1 a bad or
 * missing signature, 2 malformed input or wrong key, 3 I/O) with a one-line
 * message in err (no prefix, no newline). Secret keys are held in
 * sodium_malloc'd memory and wiped after use.
 */
#ifndef MLPROMOTE_MINISIGN_H
#define MLPROMOTE_MINISIGN_H

#include <stddef.h>

struct minisign_err {
	char msg[256];
};

/* Writes an unencrypted key pair (as `minisign -G -W`): the secret key
 * 0600, both created with O_EXCL (never overwriting an existing file). */
int minisign_keygen(const char *pubpath, const char *secpath, struct minisign_err *err);

/*
 * Signs msg with the secret key file. *sig_text receives the whole .minisig
 * file's contents (malloc'd, NUL-terminated): untrusted comment line, base64
 * signature, "trusted comment: " line, base64 global signature.
 */
int minisign_sign(const char *secpath, const void *msg, size_t len,
		  const char *trusted_comment, char **sig_text, struct minisign_err *err);

/*
 * Verifies sig_text (a .minisig file's contents) over msg with the public
 * key file. On success *trusted_comment (when not NULL) receives the trusted
 * comment, malloc'd, without the "trusted comment: " prefix.
 */
int minisign_verify(const char *pubpath, const void *msg, size_t len,
		    const char *sig_text, size_t sig_len,
		    char **trusted_comment, struct minisign_err *err);

#endif

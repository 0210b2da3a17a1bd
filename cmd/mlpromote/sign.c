/* Signing pointers and checking their signatures (minisign.c does the cryptography). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "minisign.h"
#include "opts.h"
#include "sign.h"
#include "xalloc.h"

char *sign_comment(const cJSON *pointer)
{
	double seq = 0;

	json_get_number(pointer, "seq", &seq);
	return xasprintf("mlgate pointer model=%s stage=%s version=%s seq=%.0f",
			 json_get_string(pointer, "model"), json_get_string(pointer, "stage"),
			 json_get_string(pointer, "version"), seq);
}

char *sign_pointer(const char *seckey, const cJSON *pointer, const char *bytes, size_t len)
{
	struct minisign_err err;
	char *comment = sign_comment(pointer);
	char *sig = NULL;
	int status = minisign_sign(seckey, bytes, len, comment, &sig, &err);

	free(comment);
	if (status)
		die(status, "%s", err.msg);
	return sig;
}

int sign_check(const char *pubkey, const char *pointer_path, const char *sig_path,
	       const cJSON *pointer)
{
	struct minisign_err err;
	char *msg, *sig, *comment = NULL, *want;
	size_t mlen, slen;
	int status, ok;

	if (file_read(sig_path, &sig, &slen) < 0) {
		check_fail(sig_path, errno == ENOENT ? "missing: the pointer is not signed"
						     : "cannot read the signature");
		return -1;
	}
	if (file_read(pointer_path, &msg, &mlen) < 0)
		die_errno("cannot read '%s'", pointer_path);
	status = minisign_verify(pubkey, msg, mlen, sig, slen, &comment, &err);
	free(msg);
	free(sig);
	if (status == EXIT_USAGE || status == EXIT_IO)
		die(status, "%s", err.msg);
	if (status) {
		check_fail(sig_path, "%s", err.msg);
		return -1;
	}
	want = sign_comment(pointer);
	ok = !strcmp(comment, want);
	if (!ok)
		check_fail(sig_path, "trusted comment '%s' is not '%s'", comment, want);
	free(want);
	free(comment);
	return ok ? 0 : -1;
}

int cmd_keygen(struct opts *o)
{
	struct minisign_err err;
	int status;

	if (!o->pubkey || !o->seckey || o->nargs)
		die(EXIT_USAGE, "keygen needs -p PUBFILE and -s SECFILE");
	status = minisign_keygen(o->pubkey, o->seckey, &err);
	if (status)
		die(status, "%s", err.msg);
	return EXIT_OK;
}

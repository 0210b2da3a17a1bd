/*
 * libFuzzer target: mlpromote's minisign parser (cmd/mlpromote/minisign.c).
 * Kept in tests/fuzz/pending/ until the Makefile's fuzz rule also compiles a
 * tool's own sources (see docs/reliability.md): moved to tests/fuzz/ then.
 *
 * The input is split at its first NUL: before it a .minisig file's text,
 * after it a public key file's text (or, with no NUL, a key made here).
 * Whatever the input, minisign_verify must return 0, 1 or 2 with a message,
 * never crash; under the target's own key it may return 0 only for the
 * signature made at start-up.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "minisign.h"

static char dir_path[64], pub_path[64], sec_path[64], tmp_path[64];
static const char message[] = "{\"kind\":\"pointer\"}\n";
static char *good_sig;

/* The keys live in a temp folder for the run: removed when the fuzzer exits. */
static void cleanup(void)
{
	unlink(pub_path);
	unlink(sec_path);
	unlink(tmp_path);
	rmdir(dir_path);
}

static void setup(void)
{
	struct minisign_err err;
	char *dir = strcpy(dir_path, "/tmp/fuzz-minisign-XXXXXX");

	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(pub_path, sizeof pub_path, "%s/k.pub", dir);
	snprintf(sec_path, sizeof sec_path, "%s/k.key", dir);
	snprintf(tmp_path, sizeof tmp_path, "%s/fuzz.pub", dir);
	if (minisign_keygen(pub_path, sec_path, &err) != 0 ||
	    minisign_sign(sec_path, message, sizeof message - 1, "model m seq 1",
			  &good_sig, &err) != 0)
		abort();
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct minisign_err err = { { 0 } };
	const uint8_t *nul;
	const char *key = pub_path;
	size_t sig_len = size;
	char *comment = NULL;
	int rc;

	if (!good_sig)
		setup();
	nul = memchr(data, 0, size);
	if (nul) {
		sig_len = (size_t)(nul - data);
		write_file(tmp_path, nul + 1, size - sig_len - 1);
		key = tmp_path;
	}
	rc = minisign_verify(key, message, sizeof message - 1, (const char *)data, sig_len,
			     &comment, &err);
	if (rc != 0 && rc != 1 && rc != 2 && rc != 3)
		abort();
	if (rc != 0 && !err.msg[0])
		abort(); /* every refusal says why */
	/* Under this target's own key, only its own signature verifies: any
	 * other text accepted is a forgery or a malleable form. (With a key
	 * from the input, a valid signature by that key is fine.) */
	if (rc == 0 && !nul && !(sig_len == strlen(good_sig) && memcmp(data, good_sig, sig_len) == 0))
		abort();
	free(comment);
	return 0;
}

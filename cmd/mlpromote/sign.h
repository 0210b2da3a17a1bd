/* Pointer signatures in minisign's format, bound to the pointer by their trusted comment. */
#ifndef MLPROMOTE_SIGN_H
#define MLPROMOTE_SIGN_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* "mlgate pointer model=M stage=S version=V seq=N". New string. */
char *sign_comment(const cJSON *pointer);

/* The .minisig text for the pointer's file bytes, or dies with minisign's status. */
char *sign_pointer(const char *seckey, const cJSON *pointer, const char *bytes, size_t len);

/* Checks sig_path against the pointer file's bytes: 0, or -1 after check_fail(). */
int sign_check(const char *pubkey, const char *pointer_path, const char *sig_path,
	       const cJSON *pointer);

#endif

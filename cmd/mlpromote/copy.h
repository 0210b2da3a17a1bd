/* Copying artifacts in and out of the registry, hashing what is copied. */
#ifndef MLPROMOTE_COPY_H
#define MLPROMOTE_COPY_H

#include <stdint.h>

#include "hash.h"

/*
 * Copies src to dst (created new, 0644, its parent folders made), hashing
 * the bytes written, and fsyncs it. Dies on error: exit 2 when src cannot
 * be read, 3 when dst cannot be written.
 */
void copy_hashed(const char *src, const char *dst, char hash[HASH_STR_LEN], uint64_t *size);

/*
 * A relative path kept inside the registry: no leading '/', no '..', no empty
 * or '.' parts ("./" prefixes are dropped). New string, or NULL when unsafe.
 */
char *safe_relpath(const char *path);

#endif

/*
 * The OCI backend of the registry (oci://HOST[:PORT]/NAMESPACE, model M in
 * the repository NAMESPACE/M). A command works on a private mirror: each
 * model it touches is fetched into a temp directory laid out like a
 * directory registry, the directory code reads and changes it there, and a
 * writer pushes what changed back (registry_oci_push). See modelpack.h for
 * what is stored, and mlpromote(1) for the race design.
 */
#ifndef MLPROMOTE_REGISTRY_OCI_H
#define MLPROMOTE_REGISTRY_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "oci_http.h"

struct registry;

/* Transport settings for every oci:// registry opened later. */
void registry_oci_configure(const struct oci_http_opts *opts);

void registry_oci_open(struct registry *r, const char *location);
void registry_oci_close(struct registry *r);
const char *registry_oci_location(const struct registry *r);

/* Fetches the model's records into the mirror, once: 1 when it has any. */
int registry_oci_model(const struct registry *r, const char *model);
/* Reads a version's manifest and records into the mirror, once. */
void registry_oci_fetch_version(const struct registry *r, const char *model, const char *version);
/* Downloads a published version's files into the mirror, each re-hashed. */
void registry_oci_fetch_files(const struct registry *r, const char *model, const char *version);
/* A blob into dst: 1, its hash (what came, even when it is not digest) and size. */
int registry_oci_fetch_blob(const struct registry *r, const char *model, const char *digest,
			    const char *dst, char hash[HASH_STR_LEN], uint64_t *size);
/*
 * Pushes what changed in the mirror: new versions, then the state (audit
 * log, pointers, signatures) under one tag, then the stage tags. Exit 1 on
 * a lost race with another writer.
 */
void registry_oci_push(const struct registry *r, const char *model);
/* What only the registry can disagree on: stage tags against the pointers. */
void registry_oci_verify(const struct registry *r, const char *model);
/* Sorted model names under the namespace (exit 2 when it cannot list). */
char **registry_oci_models(const struct registry *r, size_t *n);

#endif

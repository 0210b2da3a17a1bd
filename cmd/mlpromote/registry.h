/*
 * The registry's storage: where its files live, its settings, its locks.
 * Every path mlpromote touches is made here, so that another backend (an
 * OCI registry) can take the directory's place behind the same calls.
 */
#ifndef MLPROMOTE_REGISTRY_H
#define MLPROMOTE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "hash.h"

#define REGISTRY_SETTINGS "mlgate.json"

struct registry_oci;

struct registry {
	char *root;        /* the directory (for oci://, the command's private mirror) */
	cJSON *settings;   /* mlgate.json, a "registry" record */
	struct registry_oci *oci;  /* NULL for a directory registry */
};

/* Opens an existing registry or dies: none given or none there is exit 2. */
void registry_open(struct registry *r, const char *location);
void registry_close(struct registry *r);
/* What the user named: the directory or the oci:// URL, for messages. */
const char *registry_location(const struct registry *r);

/*
 * What a backend other than a directory needs (no-ops for a directory):
 * a version's records, or its files, in place to read, a writer's changes made visible
 * (exit 1 on a lost race), and the checks only the backend can make.
 */
void registry_fetch_version(const struct registry *r, const char *model, const char *version);
void registry_fetch_files(const struct registry *r, const char *model, const char *version);
/* A blob by its digest into dst (parents made, fsynced): 1 with its hash and
 * size, or 0 for a directory registry, whose files are read in place. */
int registry_fetch_blob(const struct registry *r, const char *model, const char *digest,
			const char *dst, char hash[HASH_STR_LEN], uint64_t *size);
void registry_push(const struct registry *r, const char *model);
void registry_verify_backend(const struct registry *r, const char *model);
/* "a,b" (--require-approval) -> ["a","b"]: checked, sorted, each once. */
cJSON *registry_parse_stages(const char *list);
/* Adds stages that need an approver (--require-approval, comma-separated). */
void registry_require_approval(struct registry *r, const char *stages);

/* New strings: ROOT/models/M, and a file under it. */
char *registry_model_dir(const struct registry *r, const char *model);
char *registry_model_file(const struct registry *r, const char *model, const char *rel);
int registry_model_exists(const struct registry *r, const char *model);

/* Sorted names: every model; a model's stages that have a pointer file. */
char **registry_models(const struct registry *r, size_t *n);
char **registry_pointer_stages(const struct registry *r, const char *model, size_t *n);
/* Sorted version names of a model (folders under versions/). */
char **registry_versions(const struct registry *r, const char *model, size_t *n);

int registry_needs_approval(const struct registry *r, const char *stage);
/* The stages a version may not be named after, beyond the model's own. */
int registry_is_known_stage(const struct registry *r, const char *name);

/* Takes the model's exclusive lock (creating its folder); the fd. */
int registry_lock_model(const struct registry *r, const char *model);

void strlist_free(char **list, size_t n);

#endif

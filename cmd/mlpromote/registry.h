/*
 * The registry's storage: where its files live, its settings, its locks.
 * Every path mlpromote touches is made here, so that another backend (an
 * OCI registry) can take the directory's place behind the same calls.
 */
#ifndef MLPROMOTE_REGISTRY_H
#define MLPROMOTE_REGISTRY_H

#include <stddef.h>
#include <cjson/cJSON.h>

#define REGISTRY_SETTINGS "mlgate.json"

struct registry {
	char *root;        /* the directory */
	cJSON *settings;   /* mlgate.json, a "registry" record */
};

/* Opens an existing registry or dies: none given or none there is exit 2. */
void registry_open(struct registry *r, const char *location);
void registry_close(struct registry *r);

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

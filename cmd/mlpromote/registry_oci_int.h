/* What registry_oci.c and registry_push.c share: a model as the registry holds it. */
#ifndef MLPROMOTE_REGISTRY_OCI_INT_H
#define MLPROMOTE_REGISTRY_OCI_INT_H

#include <cjson/cJSON.h>

#include "hash.h"
#include "oci_client.h"
#include "registry.h"
#include "strbuf.h"

/* A version: known by name from the tag list, read when first needed. */
struct remote_version {
	char *name;
	int loaded;                 /* manifest and records fetched */
	char digest[HASH_STR_LEN];  /* of its manifest, "" when not there */
	char *manifest;             /* the manifest's bytes */
	size_t len;
};

/* A stage tag: its digest read when first needed. */
struct remote_tag {
	char *name;
	int known;
	char digest[HASH_STR_LEN];  /* "" when the tag is not there */
};

struct remote_model {
	char *name;
	struct oci_client cl;       /* on NAMESPACE/name */
	int exists;
	char state[HASH_STR_LEN];   /* the state manifest's digest, "" when none */
	cJSON *state_doc;
	struct remote_version *versions;
	size_t nversions;
	struct remote_tag *stages;  /* stage tags */
	size_t nstages;
};

struct registry_oci {
	char *location;
	struct remote_model **models;  /* pointers: they outlive the array's growth */
	size_t n;
};

/* The model, fetched into the mirror on first use. */
struct remote_model *remote_model(const struct registry *r, const char *model);
void remote_model_free(struct remote_model *rm);
/* Adds a version whose manifest bytes it takes (loaded). */
void remote_add_version(struct remote_model *rm, const char *name, const char *digest,
			char *manifest, size_t len);
/* The version named so in the registry, or NULL; not read yet. */
struct remote_version *remote_version_find(const struct remote_model *rm, const char *name);
/* The same, its manifest and records read into the mirror (digest "" when gone). */
const struct remote_version *remote_version(const struct registry *r, struct remote_model *rm,
					    const char *name);
/* The digest the stage tag holds now (read once), or NULL when there is no such tag. */
const char *remote_stage_digest(struct remote_model *rm, const char *stage);
void remote_set_stage(struct remote_model *rm, const char *name, const char *digest);
/* The mirror's model.json of version, parsed without checks (verify makes
 * them), or NULL. */
cJSON *remote_model_record(const struct registry *r, const char *model, const char *version);
char *remote_where(const struct registry *r, const struct remote_model *rm, const char *ref);
int remote_fetch_blob(struct remote_model *rm, const char *digest, const char *path);
cJSON *remote_parse_manifest(const struct registry *r, const struct remote_model *rm,
			     const char *ref, const struct strbuf *body);

#endif

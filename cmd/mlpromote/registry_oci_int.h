/* What registry_oci.c and registry_push.c share: a model as the registry holds it. */
#ifndef MLPROMOTE_REGISTRY_OCI_INT_H
#define MLPROMOTE_REGISTRY_OCI_INT_H

#include <cjson/cJSON.h>

#include "hash.h"
#include "oci_client.h"
#include "registry.h"
#include "strbuf.h"

struct remote_version {
	char *name;
	char digest[HASH_STR_LEN];  /* of its manifest */
	char *manifest;             /* the manifest's bytes */
	size_t len;
};

struct remote_tag {
	char *name;
	char digest[HASH_STR_LEN];
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
	struct remote_model *models;
	size_t n;
};

/* The model, fetched into the mirror on first use. */
struct remote_model *remote_model(const struct registry *r, const char *model);
void remote_model_free(struct remote_model *rm);
/* Adds a version whose manifest bytes it takes. */
void remote_add_version(struct remote_model *rm, const char *name, const char *digest,
			char *manifest, size_t len);
const struct remote_version *remote_version(const struct remote_model *rm, const char *name);
const char *remote_stage_digest(const struct remote_model *rm, const char *stage);
void remote_set_stage(struct remote_model *rm, const char *name, const char *digest);
char *remote_where(const struct registry *r, const struct remote_model *rm, const char *ref);
int remote_fetch_blob(struct remote_model *rm, const char *digest, const char *path);
cJSON *remote_parse_manifest(const struct registry *r, const struct remote_model *rm,
			     const char *ref, const struct strbuf *body);

#endif

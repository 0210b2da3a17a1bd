/*
 * What mlgate stores in an OCI registry, as image manifests:
 *
 *  - a version, tagged V: a CNCF ModelPack manifest (model-spec v1), one
 *    raw weight layer per artifact file named by its title annotation, plus
 *    mlgate's own model record and run record as layers of their own;
 *  - a model's state, tagged _mlgate.state: the audit log, the pointers and
 *    their signatures as layers, and the digest of the state it replaced.
 *
 * Tags that start with '_' can never be a version or a stage: mlgate names
 * start with a letter or a digit.
 */
#ifndef MLPROMOTE_MODELPACK_H
#define MLPROMOTE_MODELPACK_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "hash.h"

#define MODELPACK_ARTIFACT "application/vnd.cncf.model.manifest.v1+json"
#define MODELPACK_CONFIG "application/vnd.cncf.model.config.v1+json"
#define MODELPACK_WEIGHT "application/vnd.cncf.model.weight.v1.raw"
#define MLGATE_MODEL_TYPE "application/vnd.mlgate.model.v1+json"
#define MLGATE_RUN_TYPE "application/vnd.mlgate.run.v1+json"
#define MLGATE_STATE_ARTIFACT "application/vnd.mlgate.state.v1+json"
#define MLGATE_AUDIT_TYPE "application/vnd.mlgate.audit.v1+jsonl"
#define MLGATE_POINTER_TYPE "application/vnd.mlgate.pointer.v1+json"
#define MLGATE_SIG_TYPE "application/vnd.mlgate.pointer.v1.minisig"
#define OCI_EMPTY_TYPE "application/vnd.oci.empty.v1+json"
#define OCI_EMPTY_DIGEST "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define OCI_TITLE "org.opencontainers.image.title"
#define OCI_VERSION "org.opencontainers.image.version"
#define STATE_TAG "_mlgate.state"
#define STATE_PREVIOUS "org.mlgate.state.previous"

/* A blob a manifest names. */
struct blob_ref {
	char digest[HASH_STR_LEN];
	uint64_t size;
};

/* An OCI descriptor object. */
cJSON *descriptor_new(const char *media_type, const struct blob_ref *b, const char *title);

/*
 * The ModelPack config of a model record ("model" kind): name, version,
 * createdAt and the diffIds of its files. New string.
 */
char *modelpack_config(const cJSON *model, size_t *len);

/* The version manifest: config, a layer per file, the model and run records. */
char *modelpack_manifest(const cJSON *model, const struct blob_ref *config,
			 const struct blob_ref *model_rec, const struct blob_ref *run_rec,
			 size_t *len);

/* The state manifest over layers (an array of descriptors it takes). */
char *state_manifest(cJSON *layers, const char *model, const char *previous, size_t *len);

/* A manifest's layer of media_type (the first), or NULL. */
const cJSON *manifest_layer(const cJSON *manifest, const char *media_type);
/* A descriptor's digest and size: 0, or -1 when malformed. */
int descriptor_ref(const cJSON *desc, struct blob_ref *out);
/* A descriptor's title annotation, or NULL. */
const char *descriptor_title(const cJSON *desc);

#endif

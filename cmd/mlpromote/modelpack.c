/* Building and reading the manifests mlgate keeps in an OCI registry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jsonio.h"
#include "modelpack.h"
#include "oci_client.h"
#include "xalloc.h"

cJSON *descriptor_new(const char *media_type, const struct blob_ref *b, const char *title)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "mediaType", media_type);
	cJSON_AddStringToObject(d, "digest", b->digest);
	cJSON_AddNumberToObject(d, "size", (double)b->size);
	if (title) {
		cJSON *ann = cJSON_AddObjectToObject(d, "annotations");

		cJSON_AddStringToObject(ann, OCI_TITLE, title);
	}
	return d;
}

static char *print_or_die(cJSON *doc, size_t *len)
{
	char *s = cJSON_PrintUnformatted(doc);

	if (!s)
		die(EXIT_IO, "out of memory");
	*len = strlen(s);
	cJSON_Delete(doc);
	return s;
}

char *modelpack_config(const cJSON *model, size_t *len)
{
	cJSON *cfg = cJSON_CreateObject();
	cJSON *desc = cJSON_AddObjectToObject(cfg, "descriptor");
	cJSON *fs, *ids;
	const cJSON *f;

	cJSON_AddStringToObject(desc, "name", json_get_string(model, "model"));
	cJSON_AddStringToObject(desc, "version", json_get_string(model, "version"));
	cJSON_AddStringToObject(desc, "createdAt", json_get_string(model, "created_at"));
	cJSON_AddObjectToObject(cfg, "config");
	fs = cJSON_AddObjectToObject(cfg, "modelfs");
	cJSON_AddStringToObject(fs, "type", "layers");
	ids = cJSON_AddArrayToObject(fs, "diffIds");
	/* raw layers: a layer's DiffID is the digest of the file itself */
	cJSON_ArrayForEach(f, json_get_array(model, "files"))
		cJSON_AddItemToArray(ids, cJSON_CreateString(json_get_string(f, "hash")));
	return print_or_die(cfg, len);
}

static cJSON *manifest_new(const char *artifact_type, cJSON *config)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddNumberToObject(m, "schemaVersion", 2);
	cJSON_AddStringToObject(m, "mediaType", OCI_MANIFEST_TYPE);
	cJSON_AddStringToObject(m, "artifactType", artifact_type);
	cJSON_AddItemToObject(m, "config", config);
	return m;
}

char *modelpack_manifest(const cJSON *model, const struct blob_ref *config,
			 const struct blob_ref *model_rec, const struct blob_ref *run_rec,
			 size_t *len)
{
	cJSON *m = manifest_new(MODELPACK_ARTIFACT, descriptor_new(MODELPACK_CONFIG, config, NULL));
	cJSON *layers = cJSON_AddArrayToObject(m, "layers");
	cJSON *ann;
	const cJSON *f;

	cJSON_ArrayForEach(f, json_get_array(model, "files")) {
		struct blob_ref b;
		double size = 0;

		snprintf(b.digest, sizeof b.digest, "%s", json_get_string(f, "hash"));
		json_get_number(f, "size", &size);
		b.size = (uint64_t)size;
		cJSON_AddItemToArray(layers, descriptor_new(MODELPACK_WEIGHT, &b,
							    json_get_string(f, "path")));
	}
	cJSON_AddItemToArray(layers, descriptor_new(MLGATE_MODEL_TYPE, model_rec, "model.json"));
	if (run_rec)
		cJSON_AddItemToArray(layers, descriptor_new(MLGATE_RUN_TYPE, run_rec, "run.json"));
	ann = cJSON_AddObjectToObject(m, "annotations");
	cJSON_AddStringToObject(ann, OCI_VERSION, json_get_string(model, "version"));
	cJSON_AddStringToObject(ann, "org.opencontainers.image.created",
				json_get_string(model, "created_at"));
	cJSON_AddStringToObject(ann, "org.mlgate.model.id", json_get_string(model, "id"));
	return print_or_die(m, len);
}

char *state_manifest(cJSON *layers, const char *model, const char *previous, size_t *len)
{
	struct blob_ref empty = { OCI_EMPTY_DIGEST, 2 };
	cJSON *m = manifest_new(MLGATE_STATE_ARTIFACT, descriptor_new(OCI_EMPTY_TYPE, &empty, NULL));
	cJSON *ann;

	cJSON_AddItemToObject(m, "layers", layers);
	ann = cJSON_AddObjectToObject(m, "annotations");
	cJSON_AddStringToObject(ann, "org.mlgate.model", model);
	if (previous && *previous)
		cJSON_AddStringToObject(ann, STATE_PREVIOUS, previous);
	return print_or_die(m, len);
}

const cJSON *manifest_layer(const cJSON *manifest, const char *media_type)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, json_get_array(manifest, "layers")) {
		const char *mt = json_get_string(l, "mediaType");

		if (mt && !strcmp(mt, media_type))
			return l;
	}
	return NULL;
}

int descriptor_ref(const cJSON *desc, struct blob_ref *out)
{
	const char *digest = json_get_string(desc, "digest");
	double size = -1;

	if (!digest || !hash_str_valid(digest) || !json_get_number(desc, "size", &size) ||
	    size < 0 || size > 9007199254740992.0)
		return -1;
	memcpy(out->digest, digest, HASH_STR_LEN);
	out->size = (uint64_t)size;
	return 0;
}

const char *descriptor_title(const cJSON *desc)
{
	return json_get_string(json_get_object(desc, "annotations"), OCI_TITLE);
}

/*
 * verify's part on an OCI registry: what only the registry can disagree on,
 * the stage tags against the pointers and the earlier states against today's.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fileio.h"
#include "jsonio.h"
#include "modelpack.h"
#include "registry_oci.h"
#include "registry_oci_int.h"
#include "xalloc.h"

/* The audit log layer of a state manifest, or -1. */
static int state_audit(const cJSON *doc, struct blob_ref *b)
{
	const cJSON *layer = manifest_layer(doc, MLGATE_AUDIT_TYPE);

	return layer ? descriptor_ref(layer, b) : -1;
}

/*
 * The states before the current one, through org.mlgate.state.previous: each
 * one's audit log must be a prefix of today's, or history was rewritten.
 * The walk ends where the registry no longer has a state (garbage-collected).
 */
static void verify_history(const struct registry *r, struct remote_model *rm)
{
	char *path = registry_model_file(r, rm->name, "audit.jsonl");
	char *where = remote_where(r, rm, STATE_TAG);
	const char *p = json_get_string(json_get_object(rm->state_doc, "annotations"), STATE_PREVIOUS);
	char cur[HASH_STR_LEN], digest[HASH_STR_LEN], prefix[HASH_STR_LEN];
	struct strbuf body = { 0 };
	size_t len = 0;
	char *log = NULL;
	int more = p && hash_str_valid(p);

	if (more)
		memcpy(cur, p, HASH_STR_LEN);
	if (file_read(path, &log, &len) < 0)
		len = 0;
	/* a digest names its content, so the chain cannot loop */
	while (more && oci_manifest_get(&rm->cl, cur, &body, digest) == 0) {
		cJSON *doc = remote_parse_manifest(r, rm, cur, &body);
		struct blob_ref b;

		if (doc && state_audit(doc, &b) == 0) {
			if (b.size <= len)
				hash_buf_str(log ? log : "", (size_t)b.size, prefix);
			if (b.size > len || strcmp(prefix, b.digest))
				check_fail(where, "the earlier state %s holds an audit log that is not the "
						  "start of this one: history was rewritten", cur);
		}
		p = json_get_string(json_get_object(doc, "annotations"), STATE_PREVIOUS);
		more = p && hash_str_valid(p);
		if (more)
			memcpy(cur, p, HASH_STR_LEN);
		cJSON_Delete(doc);
	}
	strbuf_release(&body);
	free(log);
	free(where);
	free(path);
}

/* The weight layer titled path, or NULL. */
static const cJSON *weight_layer(const cJSON *manifest, const char *path)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, json_get_array(manifest, "layers")) {
		const char *type = json_get_string(l, "mediaType");
		const char *title = descriptor_title(l);

		if (type && !strcmp(type, MODELPACK_WEIGHT) && title && !strcmp(title, path))
			return l;
	}
	return NULL;
}

static size_t count_weights(const cJSON *manifest)
{
	const cJSON *l;
	size_t n = 0;

	cJSON_ArrayForEach(l, json_get_array(manifest, "layers")) {
		const char *type = json_get_string(l, "mediaType");

		n += type && !strcmp(type, MODELPACK_WEIGHT);
	}
	return n;
}

/*
 * A version's manifest against its model.json: an OCI client pulling the tag
 * (or a stage tag on it) gets the layers, so they must be the files published.
 */
static void verify_layers(const struct registry *r, struct remote_model *rm,
			  const struct remote_version *v)
{
	struct json_error err;
	cJSON *manifest = json_parse_strict(v->manifest, v->len, &err);
	cJSON *rec = remote_model_record(r, rm->name, v->name);
	size_t nfiles = 0;
	int same = manifest && rec;
	const cJSON *f;

	cJSON_ArrayForEach(f, json_get_array(rec, "files")) {
		const cJSON *l = weight_layer(manifest, json_get_string(f, "path"));
		const char *hash = json_get_string(f, "hash");
		struct blob_ref b;
		double size = -1;

		json_get_number(f, "size", &size);
		nfiles++;
		if (!l || !hash || descriptor_ref(l, &b) < 0 || strcmp(b.digest, hash) ||
		    (double)b.size != size)
			same = 0;
	}
	if (rec && same && nfiles == count_weights(manifest)) {
		cJSON_Delete(manifest);
		cJSON_Delete(rec);
		return;
	}
	if (rec) {
		char *where = remote_where(r, rm, v->name);

		check_fail(where, "its layers are not the files its model.json publishes: an OCI "
				  "client pulling this tag gets other files");
		free(where);
	}
	cJSON_Delete(manifest);
	cJSON_Delete(rec);
}

void registry_oci_verify(const struct registry *r, const char *model)
{
	struct remote_model *rm = remote_model(r, model);
	size_t n;
	char **stages = registry_pointer_stages(r, model, &n);

	verify_history(r, rm);
	for (size_t i = 0; i < rm->nversions; i++)
		if (rm->versions[i].loaded && rm->versions[i].manifest)
			verify_layers(r, rm, &rm->versions[i]);
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s.json", stages[i]);
		char *full = registry_model_file(r, model, path);
		cJSON *pointer = json_read_object(full);
		const char *version = json_get_string(pointer, "version");
		const struct remote_version *v = version ? remote_version(r, rm, version) : NULL;
		const char *tag = remote_stage_digest(rm, stages[i]);
		char *where = remote_where(r, rm, stages[i]);

		if (!tag)
			check_fail(where, "missing: the pointer says version '%s' (an interrupted "
					  "change; the next write completes it)", version ? version : "?");
		else if (!v || strcmp(v->digest, tag))
			check_fail(where, "tag points to %s, not to version '%s' that the audit log "
					  "made live", tag, version ? version : "?");
		cJSON_Delete(pointer);
		free(where);
		free(path);
		free(full);
	}
	for (size_t i = 0; i < rm->nstages; i++) {
		size_t j = 0;

		while (j < n && strcmp(stages[j], rm->stages[i].name))
			j++;
		if (j == n) {
			char *where = remote_where(r, rm, rm->stages[i].name);

			check_fail(where, "a tag with no pointer in the audit log: a change lost to a "
					  "race with another writer (a fork); promote the stage again or "
					  "delete the tag");
			free(where);
		}
	}
	strlist_free(stages, n);
}

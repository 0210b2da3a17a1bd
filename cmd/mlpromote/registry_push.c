/*
 * Pushing a writer's changes from the mirror to the OCI registry, in the
 * write-ahead order of the directory registry: a new version's blobs and
 * manifest (tag V) first, then the state (audit log, pointers, signatures:
 * one manifest, one tag, so the log and the pointers move together), then
 * the stage tags that OCI tools pull from.
 *
 * The distribution API has no compare-and-swap on tags. A writer checks
 * that the state tag is still the one it read just before moving it, and
 * reads it back after: a writer that finds another's state there lost a
 * race and says so (exit 1). The window between the check and the move is
 * a few milliseconds; CI concurrency groups close it (see mlpromote(1)).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "modelpack.h"
#include "names.h"
#include "record.h"
#include "registry_oci.h"
#include "registry_oci_int.h"
#include "xalloc.h"

static void push_file(struct remote_model *rm, const char *path, const char *digest)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		die_errno("cannot read '%s'", path);
	oci_blob_push_fd(&rm->cl, fd, (uint64_t)st.st_size, digest);
	close(fd);
}

/* Reads a mirror file and pushes it as a blob; its ref in b. New buffer. */
static char *push_small(struct remote_model *rm, const char *path, struct blob_ref *b)
{
	size_t len;
	char *buf = file_read_or_die(path, &len);

	hash_buf_str(buf, len, b->digest);
	b->size = len;
	oci_blob_push_buf(&rm->cl, buf, len, b->digest);
	return buf;
}

/* The manifest at ref now: 0 with its digest, or 1 when there is none. */
static int digest_at(struct remote_model *rm, const char *ref, char digest[HASH_STR_LEN])
{
	struct strbuf body = { 0 };
	int rc = oci_manifest_get(&rm->cl, ref, &body, digest);

	strbuf_release(&body);
	if (rc)
		digest[0] = '\0';
	return rc;
}

/* Puts manifest bytes under tag, then reads the tag back. */
static void move_tag(const struct registry *r, struct remote_model *rm, const char *tag,
		     const char *manifest, size_t len, char digest[HASH_STR_LEN])
{
	char now[HASH_STR_LEN];

	oci_manifest_put(&rm->cl, tag, OCI_MANIFEST_TYPE, manifest, len, digest);
	if (digest_at(rm, tag, now) == 0 && !strcmp(now, digest))
		return;
	die(EXIT_NO, "%s/%s:%s: lost a race: another writer moved the tag to %s just after us "
		     "(run 'mlpromote verify'; serialise writers with a CI concurrency group)",
	    r->oci->location, rm->name, tag, now[0] ? now : "nothing");
}

/* A version published into the mirror: its files, records, config, manifest. */
static void push_version(const struct registry *r, struct remote_model *rm, const char *version)
{
	char *rel = xasprintf("versions/%s", version);
	char *dir = registry_model_file(r, rm->name, rel);
	char *mpath = xasprintf("%s/model.json", dir), *rpath = xasprintf("%s/run.json", dir);
	struct blob_ref model_rec, run_rec, config;
	cJSON *model = record_read(mpath, "model");
	const cJSON *f;
	char *mbuf, *rbuf = NULL, *cbuf, *manifest;
	char digest[HASH_STR_LEN], have[HASH_STR_LEN];
	size_t clen, len;

	cJSON_ArrayForEach(f, json_get_array(model, "files")) {
		char *path = xasprintf("%s/files/%s", dir, json_get_string(f, "path"));

		push_file(rm, path, json_get_string(f, "hash"));
		free(path);
	}
	mbuf = push_small(rm, mpath, &model_rec);
	if (access(rpath, F_OK) == 0)
		rbuf = push_small(rm, rpath, &run_rec);
	cbuf = modelpack_config(model, &clen);
	hash_buf_str(cbuf, clen, config.digest);
	config.size = clen;
	oci_blob_push_buf(&rm->cl, cbuf, clen, config.digest);
	manifest = modelpack_manifest(model, &config, &model_rec, rbuf ? &run_rec : NULL, &len);
	hash_buf_str(manifest, len, digest);
	cJSON_Delete(model);
	/* versions are immutable: a tag V of other content is someone else's V */
	if (digest_at(rm, version, have) == 0 && strcmp(have, digest)) {
		free(manifest);
		die(EXIT_NO, "version '%s' of model '%s' is already in '%s' with other content",
		    version, rm->name, r->oci->location);
	}
	if (!have[0])
		move_tag(r, rm, version, manifest, len, digest);
	remote_add_version(rm, version, digest, manifest, len);
	free(mbuf);
	free(rbuf);
	free(cbuf);
	free(rel);
	free(dir);
	free(mpath);
	free(rpath);
}

static void push_versions(const struct registry *r, struct remote_model *rm)
{
	size_t n;
	char **versions = registry_versions(r, rm->name, &n);

	for (size_t i = 0; i < n; i++)
		if (!remote_version_find(rm, versions[i]))
			push_version(r, rm, versions[i]);
	strlist_free(versions, n);
}

/* One registry file as a state layer, when it is there. */
static void add_layer(const struct registry *r, struct remote_model *rm, cJSON *layers,
		      const char *title, const char *media_type)
{
	char *path = registry_model_file(r, rm->name, title);
	struct blob_ref b;

	if (hash_file(path, b.digest, &b.size) < 0) {
		if (errno != ENOENT)
			die_errno("cannot read '%s'", path);
		free(path);
		return;
	}
	cJSON_AddItemToArray(layers, descriptor_new(media_type, &b, title));
	free(path);
}

/* The state's layers as the mirror has them. */
static cJSON *state_layers(const struct registry *r, struct remote_model *rm)
{
	cJSON *layers = cJSON_CreateArray();
	size_t n;
	char **stages = registry_pointer_stages(r, rm->name, &n);

	add_layer(r, rm, layers, "audit.jsonl", MLGATE_AUDIT_TYPE);
	for (size_t i = 0; i < n; i++) {
		char *pointer = xasprintf("%s.json", stages[i]);
		char *sig = xasprintf("%s.json.minisig", stages[i]);

		add_layer(r, rm, layers, pointer, MLGATE_POINTER_TYPE);
		add_layer(r, rm, layers, sig, MLGATE_SIG_TYPE);
		free(pointer);
		free(sig);
	}
	strlist_free(stages, n);
	return layers;
}

static void push_layers(const struct registry *r, struct remote_model *rm, const cJSON *layers)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, layers) {
		char *path = registry_model_file(r, rm->name, descriptor_title(l));

		push_file(rm, path, json_get_string(l, "digest"));
		free(path);
	}
	oci_blob_push_buf(&rm->cl, "{}", 2, OCI_EMPTY_DIGEST);
}

static int same_string(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int same_layers(const cJSON *a, const cJSON *b)
{
	const cJSON *x;
	const cJSON *y = b ? b->child : NULL;

	cJSON_ArrayForEach(x, a) {
		if (!y || !same_string(json_get_string(x, "digest"), json_get_string(y, "digest")) ||
		    !same_string(descriptor_title(x), descriptor_title(y)))
			return 0;
		y = y->next;
	}
	return y == NULL;
}

/* 1 when the state moved; dies on a lost race. */
static int push_state(const struct registry *r, struct remote_model *rm)
{
	cJSON *layers = state_layers(r, rm);
	char now[HASH_STR_LEN], digest[HASH_STR_LEN];
	char *manifest;
	size_t len;
	struct json_error err;

	if (same_layers(layers, json_get_array(rm->state_doc, "layers"))) {
		cJSON_Delete(layers);
		return 0;
	}
	push_layers(r, rm, layers);
	manifest = state_manifest(layers, rm->name, rm->state, &len);
	digest_at(rm, STATE_TAG, now);
	if (strcmp(now, rm->state)) {
		free(manifest);
		die(EXIT_NO, "%s/%s:%s: model '%s' changed while this command ran (another writer); "
			     "nothing of this change is live: run it again",
		    r->oci->location, rm->name, STATE_TAG, rm->name);
	}
	move_tag(r, rm, STATE_TAG, manifest, len, digest);
	memcpy(rm->state, digest, HASH_STR_LEN);
	cJSON_Delete(rm->state_doc);
	rm->state_doc = json_parse_strict(manifest, len, &err);
	free(manifest);
	return 1;
}

/* Dies (a lost race) unless the state tag is still the one this command read or wrote. */
static void check_state_ours(const struct registry *r, struct remote_model *rm, const char *when)
{
	char now[HASH_STR_LEN];

	digest_at(rm, STATE_TAG, now);
	if (strcmp(now, rm->state))
		die(EXIT_NO, "%s/%s:%s: lost a race: another writer replaced this change %s (run "
			     "'mlpromote verify'; serialise writers with a CI concurrency group)",
		    r->oci->location, rm->name, STATE_TAG, when);
}

/*
 * The stage tags follow the state: the writer whose state is the tag's owns
 * them, and puts back a stage tag that a losing writer moved meanwhile (the
 * loser finds the state not its own and exits 1).
 */
static void move_stage_tag(const struct registry *r, struct remote_model *rm, const char *stage,
			   const struct remote_version *v)
{
	char now[HASH_STR_LEN], digest[HASH_STR_LEN];

	/* each losing writer can move it back at most once after we own the state */
	for (int tries = 0; tries < 16; tries++) {
		check_state_ours(r, rm, "before its stage tags moved");
		oci_manifest_put(&rm->cl, stage, OCI_MANIFEST_TYPE, v->manifest, v->len, digest);
		if (digest_at(rm, stage, now) == 0 && !strcmp(now, digest)) {
			remote_set_stage(rm, stage, digest);
			return;
		}
	}
	die(EXIT_NO, "%s/%s:%s: other writers keep moving this tag (run 'mlpromote verify'; "
		     "serialise writers with a CI concurrency group)", r->oci->location, rm->name, stage);
}

/* Each stage tag onto the manifest of the version its pointer names. */
static void push_stage_tags(const struct registry *r, struct remote_model *rm)
{
	size_t n;
	char **stages = registry_pointer_stages(r, rm->name, &n);

	for (size_t i = 0; i < n; i++) {
		char *rel = xasprintf("%s.json", stages[i]);
		char *path = registry_model_file(r, rm->name, rel);
		cJSON *pointer = record_read(path, "pointer");
		const char *version = json_get_string(pointer, "version");
		const struct remote_version *v = version ? remote_version(r, rm, version) : NULL;
		const char *tag = remote_stage_digest(rm, stages[i]);

		if (!v)
			die(EXIT_NO, "%s/%s:%s: the pointer names version '%s', which is not in the "
				     "registry", r->oci->location, rm->name, stages[i],
			    version ? version : "?");
		if (!tag || strcmp(tag, v->digest))
			move_stage_tag(r, rm, stages[i], v);
		cJSON_Delete(pointer);
		free(rel);
		free(path);
	}
	strlist_free(stages, n);
}

void registry_oci_push(const struct registry *r, const char *model)
{
	struct remote_model *rm = remote_model(r, model);

	int moved;

	push_versions(r, rm);
	moved = push_state(r, rm);
	push_stage_tags(r, rm);
	/* a writer that moved the state after our read-back has replaced our change */
	if (moved)
		check_state_ours(r, rm, "after it was made");
}

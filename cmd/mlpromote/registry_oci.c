/*
 * The OCI backend: fetching a model into the mirror, and opening and
 * closing the mirror. Pushing is registry_push.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check.h"
#include "copy.h"
#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "modelpack.h"
#include "names.h"
#include "oci_client.h"
#include "registry.h"
#include "registry_oci_int.h"
#include "xalloc.h"

static struct oci_http_opts transport = { .retries = -1 };

void registry_oci_configure(const struct oci_http_opts *opts)
{
	transport = *opts;
}

void registry_oci_open(struct registry *r, const char *location)
{
	const char *tmpdir = getenv("TMPDIR");
	char *alias, *shown;

	/* the URL's shape, before anything is made */
	oci_url_check(location);
	r->oci = xcalloc(1, sizeof *r->oci);
	r->oci->location = xstrdup(location);
	r->root = xasprintf("%s/mlgate-oci-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(r->root))
		die_errno("cannot create a temp folder for '%s'", location);
	cleanup_register(r->root);
	alias = xasprintf("%s/models/", r->root);
	shown = xasprintf("%s/", location);
	err_path_alias(alias, shown);
	free(alias);
	free(shown);
	/* no settings file: the stages that need an approver come from the environment */
	r->settings = cJSON_CreateObject();
	if (getenv("MLGATE_REQUIRE_APPROVAL"))
		registry_require_approval(r, getenv("MLGATE_REQUIRE_APPROVAL"));
}

const char *registry_oci_location(const struct registry *r)
{
	return r->oci->location;
}

void registry_oci_close(struct registry *r)
{
	struct registry_oci *o = r->oci;

	for (size_t i = 0; i < o->n; i++) {
		remote_model_free(o->models[i]);
		free(o->models[i]);
	}
	free(o->models);
	remove_tree(r->root);
	cleanup_forget(r->root);
	err_path_alias(NULL, NULL);
	free(o->location);
	free(o);
	r->oci = NULL;
}

void remote_model_free(struct remote_model *rm)
{
	for (size_t i = 0; i < rm->nversions; i++) {
		free(rm->versions[i].name);
		free(rm->versions[i].manifest);
	}
	free(rm->versions);
	for (size_t i = 0; i < rm->nstages; i++)
		free(rm->stages[i].name);
	free(rm->stages);
	cJSON_Delete(rm->state_doc);
	oci_client_close(&rm->cl);
	free(rm->name);
}

/* "oci://host/ns/M:ref", for messages. New string. */
char *remote_where(const struct registry *r, const struct remote_model *rm, const char *ref)
{
	return xasprintf("%s/%s:%s", r->oci->location, rm->name, ref);
}

/* Downloads a blob into path: 0, 1 when the registry has no such blob, 2
 * when what came does not hash to its digest (left in place for verify). */
int remote_fetch_blob(struct remote_model *rm, const char *digest, const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc;

	if (fd < 0)
		die_errno("cannot create '%s'", path);
	rc = oci_blob_fetch(&rm->cl, digest, fd);
	if (close(fd) < 0)
		die_errno("cannot write '%s'", path);
	if (rc == 1)
		unlink(path);
	return rc;
}

/* A record blob the mirror cannot do without: anything but 0 is a finding. */
static void fetch_record_blob(const struct registry *r, struct remote_model *rm,
			      const char *ref, const struct blob_ref *b, const char *path)
{
	int rc = remote_fetch_blob(rm, b->digest, path);
	char *where;

	if (rc == 0)
		return;
	where = remote_where(r, rm, ref);
	check_fail(where, "blob %s %s", b->digest,
		   rc == 1 ? "is missing" : "does not hash to its digest");
	free(where);
	unlink(path);
}

/* Parses a manifest's bytes, or NULL after check_fail naming it. */
cJSON *remote_parse_manifest(const struct registry *r, const struct remote_model *rm,
			     const char *ref, const struct strbuf *body)
{
	struct json_error err;
	cJSON *doc = json_parse_strict(body->buf ? body->buf : "", body->len, &err);
	char *where;

	if (doc && cJSON_IsObject(doc))
		return doc;
	cJSON_Delete(doc);
	where = remote_where(r, rm, ref);
	check_fail(where, "a manifest that is not a JSON object");
	free(where);
	return NULL;
}

static int is_version_manifest(const cJSON *doc)
{
	const char *type = json_get_string(doc, "artifactType");

	return type && !strcmp(type, MODELPACK_ARTIFACT) && manifest_layer(doc, MLGATE_MODEL_TYPE);
}

void remote_add_version(struct remote_model *rm, const char *name, const char *digest,
			char *manifest, size_t len)
{
	struct remote_version *v;

	rm->versions = xreallocarray(rm->versions, rm->nversions + 1, sizeof *rm->versions);
	v = &rm->versions[rm->nversions++];
	memset(v, 0, sizeof *v);
	v->name = xstrdup(name);
	v->loaded = 1;
	memcpy(v->digest, digest, HASH_STR_LEN);
	v->manifest = manifest;
	v->len = len;
}

/* A version the audit log publishes: read when first needed. */
static void add_lazy_version(const struct registry *r, struct remote_model *rm, const char *name)
{
	char *rel = xasprintf("versions/%s", name);
	char *dir = registry_model_file(r, rm->name, rel);

	if (mkdir_p(dir, 0755) < 0)
		die_errno("cannot create '%s'", dir);
	rm->versions = xreallocarray(rm->versions, rm->nversions + 1, sizeof *rm->versions);
	memset(&rm->versions[rm->nversions], 0, sizeof *rm->versions);
	rm->versions[rm->nversions++].name = xstrdup(name);
	free(rel);
	free(dir);
}

static struct remote_tag *stage_tag(struct remote_model *rm, const char *name)
{
	for (size_t i = 0; i < rm->nstages; i++)
		if (!strcmp(rm->stages[i].name, name))
			return &rm->stages[i];
	rm->stages = xreallocarray(rm->stages, rm->nstages + 1, sizeof *rm->stages);
	memset(&rm->stages[rm->nstages], 0, sizeof *rm->stages);
	rm->stages[rm->nstages].name = xstrdup(name);
	return &rm->stages[rm->nstages++];
}

void remote_set_stage(struct remote_model *rm, const char *name, const char *digest)
{
	struct remote_tag *t = stage_tag(rm, name);

	t->known = 1;
	memcpy(t->digest, digest, HASH_STR_LEN);
}

const char *remote_stage_digest(struct remote_model *rm, const char *stage)
{
	struct remote_tag *t = NULL;
	struct strbuf body = { 0 };

	for (size_t i = 0; i < rm->nstages && !t; i++)
		if (!strcmp(rm->stages[i].name, stage))
			t = &rm->stages[i];
	if (!t)
		return NULL;
	if (!t->known) {
		if (oci_manifest_get(&rm->cl, stage, &body, t->digest) != 0)
			t->digest[0] = '\0';
		strbuf_release(&body);
		t->known = 1;
	}
	return t->digest[0] ? t->digest : NULL;
}

/* A version's records into versions/V/ of the mirror. */
static void fetch_version_records(const struct registry *r, struct remote_model *rm,
				  const char *version, const cJSON *doc)
{
	static const char *const types[] = { MLGATE_MODEL_TYPE, MLGATE_RUN_TYPE };
	static const char *const files[] = { "model.json", "run.json" };
	char *rel = xasprintf("versions/%s", version);
	char *dir = registry_model_file(r, rm->name, rel);

	if (mkdir_p(dir, 0755) < 0)
		die_errno("cannot create '%s'", dir);
	for (size_t i = 0; i < 2; i++) {
		const cJSON *layer = manifest_layer(doc, types[i]);
		struct blob_ref b;
		char *path;

		if (!layer)
			continue;
		path = xasprintf("%s/%s", dir, files[i]);
		if (descriptor_ref(layer, &b) < 0) {
			char *where = remote_where(r, rm, version);

			check_fail(where, "a malformed %s layer", files[i]);
			free(where);
		} else {
			fetch_record_blob(r, rm, version, &b, path);
		}
		free(path);
	}
	free(rel);
	free(dir);
}

/*
 * A tag: a version when the manifest's version annotation is the tag itself,
 * a stage tag when it names another; anything else is not ours to read.
 */
static void fetch_tag(const struct registry *r, struct remote_model *rm, const char *tag)
{
	struct strbuf body = { 0 };
	char digest[HASH_STR_LEN];
	cJSON *doc;
	const char *version;

	if (oci_manifest_get(&rm->cl, tag, &body, digest) != 0) {
		strbuf_release(&body);
		return;  /* deleted since the listing */
	}
	doc = remote_parse_manifest(r, rm, tag, &body);
	if (doc && is_version_manifest(doc)) {
		version = json_get_string(json_get_object(doc, "annotations"), OCI_VERSION);
		if (version && !strcmp(version, tag)) {
			remote_add_version(rm, tag, digest,
					   xstrndup(body.buf ? body.buf : "", body.len), body.len);
			fetch_version_records(r, rm, tag, doc);
		} else {
			remote_set_stage(rm, tag, digest);
		}
	}
	cJSON_Delete(doc);
	strbuf_release(&body);
}

/* Reads a version the log publishes: its manifest must still be that version's. */
static void load_version(const struct registry *r, struct remote_model *rm,
			 struct remote_version *v)
{
	struct strbuf body = { 0 };
	cJSON *doc;
	const char *version;

	v->loaded = 1;
	if (oci_manifest_get(&rm->cl, v->name, &body, v->digest) != 0) {
		v->digest[0] = '\0';  /* gone: verify names the missing manifest */
		strbuf_release(&body);
		return;
	}
	doc = remote_parse_manifest(r, rm, v->name, &body);
	version = json_get_string(json_get_object(doc, "annotations"), OCI_VERSION);
	if (doc && (!is_version_manifest(doc) || !version || strcmp(version, v->name))) {
		char *where = remote_where(r, rm, v->name);

		check_fail(where, "the tag no longer holds the version the audit log published");
		free(where);
	} else if (doc) {
		v->manifest = strbuf_detach(&body, &v->len);
		fetch_version_records(r, rm, v->name, doc);
	}
	cJSON_Delete(doc);
	strbuf_release(&body);
}

/* A state layer's title: audit.jsonl, S.json or S.json.minisig. */
static int state_title_valid(const char *title)
{
	size_t n = title ? strlen(title) : 0;
	char *name;
	int ok;

	if (!title)
		return 0;
	if (!strcmp(title, "audit.jsonl"))
		return 1;
	if (n > 13 && !strcmp(title + n - 13, ".json.minisig"))
		name = xstrndup(title, n - 13);
	else if (n > 5 && !strcmp(title + n - 5, ".json"))
		name = xstrndup(title, n - 5);
	else
		return 0;
	ok = name_valid(name);
	free(name);
	return ok;
}

/* The state: its layers become the mirror's audit log, pointers, signatures. */
static void fetch_state(const struct registry *r, struct remote_model *rm)
{
	struct strbuf body = { 0 };
	const cJSON *layer;

	if (oci_manifest_get(&rm->cl, STATE_TAG, &body, rm->state) != 0) {
		rm->state[0] = '\0';
		strbuf_release(&body);
		return;
	}
	rm->state_doc = remote_parse_manifest(r, rm, STATE_TAG, &body);
	strbuf_release(&body);
	cJSON_ArrayForEach(layer, json_get_array(rm->state_doc, "layers")) {
		const char *title = descriptor_title(layer);
		struct blob_ref b;
		char *path;

		if (!state_title_valid(title) || descriptor_ref(layer, &b) < 0) {
			char *where = remote_where(r, rm, STATE_TAG);

			check_fail(where, "a layer that is not a registry file");
			free(where);
			continue;
		}
		path = registry_model_file(r, rm->name, title);
		fetch_record_blob(r, rm, STATE_TAG, &b, path);
		free(path);
	}
}

int registry_oci_fetch_blob(const struct registry *r, const char *model, const char *digest,
			    const char *dst, char hash[HASH_STR_LEN], uint64_t *size)
{
	struct remote_model *rm = remote_model(r, model);
	char *parent = xstrdup(dst);
	struct stat st;
	int rc, fd;

	*strrchr(parent, '/') = '\0';
	if (mkdir_p(parent, 0755) < 0)
		die_errno("cannot create '%s'", parent);
	free(parent);
	/* re-hashed from the disk by the fetch: 0 means it is the digest's content */
	rc = remote_fetch_blob(rm, digest, dst);
	snprintf(hash, HASH_STR_LEN, "%s", rc == 0 ? digest : rc == 1 ? "missing" : "damaged");
	*size = 0;
	if (rc == 1)
		return 1;
	fd = open(dst, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || fsync(fd) < 0)
		die_errno("cannot write '%s'", dst);
	*size = (uint64_t)st.st_size;
	close(fd);
	return 1;
}


/* Sorted versions the mirror's audit log publishes (a line that does not
 * parse is left to the log's own checks). */
static char **published_versions(const struct registry *r, const struct remote_model *rm,
				 size_t *n)
{
	char *path = registry_model_file(r, rm->name, "audit.jsonl");
	char **list = NULL;
	char *buf = NULL, *line, *save = NULL;
	size_t len;

	*n = 0;
	if (file_read(path, &buf, &len) == 0) {
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			struct json_error err;
			cJSON *rec = json_parse_strict(line, strlen(line), &err);
			const char *action = json_get_string(rec, "action");
			const char *version = json_get_string(rec, "version");

			if (action && !strcmp(action, "publish") && version) {
				list = xreallocarray(list, *n + 1, sizeof *list);
				list[(*n)++] = xstrdup(version);
			}
			cJSON_Delete(rec);
		}
	}
	if (*n)
		qsort(list, *n, sizeof *list, name_compare);
	free(buf);
	free(path);
	return list;
}

/* The mirror has a pointer for stage (the state lists S.json). */
static int has_pointer(const struct registry *r, const struct remote_model *rm, const char *stage)
{
	char *rel = xasprintf("%s.json", stage);
	char *path = registry_model_file(r, rm->name, rel);
	int there = access(path, F_OK) == 0;

	free(rel);
	free(path);
	return there;
}

static void fetch_model(const struct registry *r, struct remote_model *rm)
{
	char *dir = registry_model_dir(r, rm->name);
	size_t n, npub;
	char **tags, **published;

	if (mkdir_p(dir, 0755) < 0)
		die_errno("cannot create '%s'", dir);
	free(dir);
	fetch_state(r, rm);
	published = published_versions(r, rm, &npub);
	tags = oci_tags_list(&rm->cl, &n);
	for (size_t i = 0; i < n; i++) {
		if (!name_valid(tags[i]))
			continue;
		if (has_pointer(r, rm, tags[i]))
			stage_tag(rm, tags[i]);  /* its digest is read when needed */
		else if (bsearch(&tags[i], published, npub, sizeof *published, name_compare))
			add_lazy_version(r, rm, tags[i]);
		else
			fetch_tag(r, rm, tags[i]);  /* a pending version, a stray stage tag, or not ours */
	}
	oci_tags_free(tags, n);
	strlist_free(published, npub);
	rm->exists = rm->state[0] || rm->nversions;
}

struct remote_model *remote_model(const struct registry *r, const char *model)
{
	struct registry_oci *o = r->oci;
	struct remote_model *rm;

	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->models[i]->name, model))
			return o->models[i];
	o->models = xreallocarray(o->models, o->n + 1, sizeof *o->models);
	rm = o->models[o->n++] = xcalloc(1, sizeof *rm);
	rm->name = xstrdup(model);
	oci_client_open(&rm->cl, o->location, model, &transport);
	fetch_model(r, rm);
	return rm;
}

int registry_oci_model(const struct registry *r, const char *model)
{
	return remote_model(r, model)->exists;
}

struct remote_version *remote_version_find(const struct remote_model *rm, const char *name)
{
	for (size_t i = 0; i < rm->nversions; i++)
		if (!strcmp(rm->versions[i].name, name))
			return &rm->versions[i];
	return NULL;
}

const struct remote_version *remote_version(const struct registry *r, struct remote_model *rm,
					    const char *name)
{
	struct remote_version *v = remote_version_find(rm, name);

	if (v && !v->loaded)
		load_version(r, rm, v);
	return v && v->digest[0] ? v : NULL;
}

void registry_oci_fetch_version(const struct registry *r, const char *model, const char *version)
{
	remote_version(r, remote_model(r, model), version);
}

cJSON *remote_model_record(const struct registry *r, const char *model, const char *version)
{
	char *rel = xasprintf("versions/%s/model.json", version);
	char *path = registry_model_file(r, model, rel);
	struct json_error err;
	cJSON *rec = NULL;
	char *buf;
	size_t len;

	if (file_read(path, &buf, &len) == 0) {
		rec = json_parse_strict(buf, len, &err);
		free(buf);
	}
	free(rel);
	free(path);
	return rec;
}

void registry_oci_fetch_files(const struct registry *r, const char *model, const char *version)
{
	cJSON *rec;
	const cJSON *f;

	registry_oci_fetch_version(r, model, version);
	rec = remote_model_record(r, model, version);
	/* each file by the hash model.json publishes: a blob's digest is its file's hash */
	cJSON_ArrayForEach(f, json_get_array(rec, "files")) {
		const char *path = json_get_string(f, "path");
		const char *hash = json_get_string(f, "hash");
		char *safe = path ? safe_relpath(path) : NULL;
		char got[HASH_STR_LEN];
		uint64_t size;
		char *rel, *dst;

		if (safe && hash_str_valid(hash)) {
			/* a missing or damaged blob is left for verify's hash check to name */
			rel = xasprintf("versions/%s/files/%s", version, safe);
			dst = registry_model_file(r, model, rel);
			registry_oci_fetch_blob(r, model, hash, dst, got, &size);
			free(rel);
			free(dst);
		}
		free(safe);
	}
	cJSON_Delete(rec);
}

char **registry_oci_models(const struct registry *r, size_t *n)
{
	struct oci_client cl;
	const char *loc = r->oci->location;
	char **repos, **models = NULL;
	size_t count, nslen;
	char *ns;

	oci_client_open(&cl, loc, "_", &transport);
	ns = xstrndup(cl.repo, strlen(cl.repo) - 1);  /* "NAMESPACE/" */
	nslen = strlen(ns);
	repos = oci_catalog(&cl, &count);
	if (!repos)
		die(EXIT_USAGE, "registry '%s' does not list its repositories: give --model", loc);
	*n = 0;
	models = xcalloc(count + 1, sizeof *models);
	for (size_t i = 0; i < count; i++)
		if (!strncmp(repos[i], ns, nslen) && name_valid(repos[i] + nslen))
			models[(*n)++] = xstrdup(repos[i] + nslen);
	qsort(models, *n, sizeof *models, name_compare);
	oci_tags_free(repos, count);
	free(ns);
	oci_client_close(&cl);
	return models;
}


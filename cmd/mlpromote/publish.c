#define _XOPEN_SOURCE 700 /* realpath */
/*
 * publish: copies a version's artifacts into the registry, all or nothing.
 * The files are staged in a temp folder under the model's folder and the
 * folder renamed into versions/V: a version is either whole or absent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check.h"
#include "ci.h"
#include "copy.h"
#include "err.h"
#include "jsonio.h"
#include "model.h"
#include "names.h"
#include "opts.h"
#include "pointer.h"
#include "record.h"
#include "xalloc.h"

struct artifact {
	char *src;   /* where it is read */
	char *path;  /* where it goes, under files/ */
};

static int compare_artifacts(const void *a, const void *b)
{
	return strcmp(((const struct artifact *)a)->path, ((const struct artifact *)b)->path);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* -C DIR keeps the paths given (relative to DIR); otherwise the file names. */
static struct artifact *resolve_artifacts(const struct opts *o)
{
	struct artifact *a = xcalloc((size_t)o->nargs, sizeof *a);
	struct stat st;

	for (int i = 0; i < o->nargs; i++) {
		const char *arg = o->args[i];

		a[i].src = o->chdir ? xasprintf("%s/%s", o->chdir, arg) : xstrdup(arg);
		a[i].path = safe_relpath(o->chdir ? arg : base_name(arg));
		if (!a[i].path)
			die(EXIT_USAGE, "'%s': not a relative path inside the version", arg);
		if (stat(a[i].src, &st) < 0)
			die(EXIT_USAGE, "cannot read '%s': %s", a[i].src, strerror(errno));
		if (!S_ISREG(st.st_mode))
			die(EXIT_USAGE, "'%s': not a regular file", a[i].src);
	}
	qsort(a, (size_t)o->nargs, sizeof *a, compare_artifacts);
	for (int i = 1; i < o->nargs; i++)
		if (!strcmp(a[i].path, a[i - 1].path))
			die(EXIT_USAGE, "'%s' given twice", a[i].path);
	return a;
}

static void free_artifacts(struct artifact *a, int n)
{
	for (int i = 0; i < n; i++) {
		free(a[i].src);
		free(a[i].path);
	}
	free(a);
}

/* Where the run lists an artifact of the same file name, the hashes must agree. */
static void check_against_run(const cJSON *run, const char *path, const char *hash)
{
	const cJSON *item;
	int named = 0;

	cJSON_ArrayForEach(item, json_get_array(run, "artifacts")) {
		const char *p = json_get_string(item, "path");
		const char *h = json_get_string(item, "hash");

		if (!p || strcmp(base_name(p), base_name(path)))
			continue;
		named = 1;
		if (h && !strcmp(h, hash))
			return;
	}
	if (named)
		die(EXIT_NO, "'%s': its hash differs from the run's artifact of that name", path);
}

static cJSON *file_entry(const char *path, uint64_t size, const char *hash)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "path", path);
	cJSON_AddNumberToObject(e, "size", (double)size);
	cJSON_AddStringToObject(e, "hash", hash);
	return e;
}

static cJSON *new_manifest(const struct opts *o, const cJSON *run, cJSON *files)
{
	cJSON *m = cJSON_CreateObject();
	cJSON *data = json_get_object(run, "data");

	cJSON_AddStringToObject(m, "model", o->model);
	cJSON_AddStringToObject(m, "version", o->version);
	json_set_string_or_null(m, "run", run ? json_get_string(run, "id") : NULL);
	json_set_string_or_null(m, "snapshot", json_get_string(data, "snapshot"));
	json_set(m, "files", files);
	cJSON_AddStringToObject(m, "published_by", ci_actor());
	json_set(m, "ci", ci_context());
	record_finish(m, "model");
	return m;
}

/* Same model, version, run, snapshot and files: publishing again is a no-op. */
static int same_content(const cJSON *a, const cJSON *b)
{
	static const char *const keys[] = { "model", "version", "run", "snapshot", "files" };

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!cJSON_Compare(json_get(a, keys[i]), json_get(b, keys[i]), 1))
			return 0;
	return 1;
}

/* The manifest the inputs would make, hashing them in place. */
static cJSON *manifest_of_inputs(const struct opts *o, const cJSON *run,
				 const struct artifact *a)
{
	cJSON *files = cJSON_CreateArray();

	for (int i = 0; i < o->nargs; i++) {
		char hash[HASH_STR_LEN];
		uint64_t size;

		if (hash_file(a[i].src, hash, &size) < 0)
			die(EXIT_USAGE, "cannot read '%s': %s", a[i].src, strerror(errno));
		cJSON_AddItemToArray(files, file_entry(a[i].path, size, hash));
	}
	return new_manifest(o, run, files);
}

/*
 * Into a remote registry's private mirror, an artifact is a link to its
 * source, hashed now: what is pushed later is checked against that hash by
 * the registry, so a file that changes meanwhile is refused, never
 * published, and a large model is not copied to the temp folder first.
 */
static void link_hashed(const char *src, const char *dst, char hash[HASH_STR_LEN], uint64_t *size)
{
	char *abs = realpath(src, NULL);
	char *parent = xstrdup(dst);

	*strrchr(parent, '/') = '\0';
	if (!abs || hash_file(abs, hash, size) < 0)
		die(EXIT_USAGE, "cannot read '%s': %s", src, strerror(errno));
	if (mkdir_p(parent, 0755) < 0 || symlink(abs, dst) < 0)
		die_errno("cannot link '%s'", dst);
	free(abs);
	free(parent);
}

/* Copies everything into tmp; returns the manifest, written there too. */
static cJSON *stage_version(const struct opts *o, const cJSON *run, const struct artifact *a,
			    const char *tmp, int remote)
{
	cJSON *files = cJSON_CreateArray();
	cJSON *manifest;
	char *path;

	for (int i = 0; i < o->nargs; i++) {
		char hash[HASH_STR_LEN];
		uint64_t size;
		char *dst = xasprintf("%s/files/%s", tmp, a[i].path);

		if (remote)
			link_hashed(a[i].src, dst, hash, &size);
		else
			copy_hashed(a[i].src, dst, hash, &size);
		if (run)
			check_against_run(run, a[i].path, hash);
		cJSON_AddItemToArray(files, file_entry(a[i].path, size, hash));
		free(dst);
	}
	if (run) {
		path = xasprintf("%s/run.json", tmp);
		record_write_file(path, run);
		free(path);
	}
	manifest = new_manifest(o, run, files);
	path = xasprintf("%s/model.json", tmp);
	record_write_file(path, manifest);
	free(path);
	return manifest;
}

/* The version exists: the same content is a no-op, anything else a refusal. */
static int publish_again(struct model *m, const cJSON *wanted, int pretty)
{
	cJSON *have = model_manifest(m, json_get_string(wanted, "version"));

	if (!have)
		die(EXIT_NO, "version '%s' of model '%s' is incomplete (run 'mlpromote verify')",
		    json_get_string(wanted, "version"), m->name);
	if (!same_content(have, wanted))
		die(EXIT_NO, "version '%s' of model '%s' is already published with other content",
		    json_get_string(wanted, "version"), m->name);
	record_print(have, pretty);
	cJSON_Delete(have);
	return EXIT_OK;
}

static void check_not_a_stage(const struct model *m, const char *version)
{
	char *pointer = model_pointer_path(m, version);
	struct stat st;

	if (registry_is_known_stage(m->reg, version) || state_stage(&m->state, version) ||
	    stat(pointer, &st) == 0)
		die(EXIT_USAGE, "version '%s' takes the name of a stage", version);
	free(pointer);
}

static void append_publish_line(struct model *m, const cJSON *manifest)
{
	cJSON *line = audit_new(&m->log, "publish");
	cJSON *ids = json_get_object(line, "ids");

	copy_field(line, "version", manifest, "version");
	copy_field(line, "actor", manifest, "published_by");
	copy_field(ids, "manifest", manifest, "id");
	copy_field(ids, "run", manifest, "run");
	copy_field(ids, "snapshot", manifest, "snapshot");
	audit_append(&m->log, line);
}

static int publish_new(struct registry *reg, const struct opts *o, const cJSON *run,
		       const struct artifact *a)
{
	char *mdir = registry_model_dir(reg, o->model);
	char *tmp = xasprintf("%s/.tmp-publish-XXXXXX", mdir);
	char *versions = xasprintf("%s/versions", mdir);
	char *final = xasprintf("%s/%s", versions, o->version);
	struct model m;
	cJSON *manifest;
	int status = EXIT_OK;

	if (mkdir_p(versions, 0755) < 0)
		die_errno("cannot create '%s'", versions);
	if (!mkdtemp(tmp))
		die_errno("cannot create a temp folder in '%s'", mdir);
	cleanup_register(tmp);
	manifest = stage_version(o, run, a, tmp, reg->oci != NULL);
	if (fsync_dir(tmp) < 0)
		die_errno("cannot sync '%s'", tmp);
	model_open(&m, reg, o->model, MODEL_WRITE);
	check_not_a_stage(&m, o->version);
	if (rename(tmp, final) == 0) {
		cleanup_forget(tmp);
		if (fsync_dir(versions) < 0)
			die_errno("cannot sync '%s'", versions);
		append_publish_line(&m, manifest);
		model_push(&m);
		record_print(manifest, o->pretty);
	} else if (errno == EEXIST || errno == ENOTEMPTY) {
		status = publish_again(&m, manifest, o->pretty);
	} else {
		die_errno("cannot rename '%s' to '%s'", tmp, final);
	}
	remove_tree(tmp);
	model_close(&m);
	cJSON_Delete(manifest);
	free(mdir);
	free(tmp);
	free(versions);
	free(final);
	return status;
}

/* The version is there already: 1 and the result in *status, else 0. */
static int published_before(struct registry *reg, const struct opts *o, const cJSON *run,
			    const struct artifact *a, int *status)
{
	struct model m;
	cJSON *have, *wanted;
	int found;

	if (!registry_model_exists(reg, o->model))
		return 0;
	model_open(&m, reg, o->model, MODEL_READ);
	check_not_a_stage(&m, o->version);
	have = model_manifest(&m, o->version);
	found = have != NULL;
	if (have) {
		wanted = manifest_of_inputs(o, run, a);
		*status = publish_again(&m, wanted, o->pretty);
		cJSON_Delete(wanted);
		cJSON_Delete(have);
	}
	model_close(&m);
	return found;
}

int cmd_publish(struct opts *o)
{
	struct registry reg;
	struct artifact *a;
	cJSON *run = NULL;
	int status;

	if (!o->model || !o->version)
		die(EXIT_USAGE, "publish needs --model and --version");
	name_check("model", o->model);
	name_check("version", o->version);
	if (o->nargs < 1)
		die(EXIT_USAGE, "publish needs at least one FILE");
	registry_open(&reg, o->registry);
	a = resolve_artifacts(o);
	if (o->run)
		run = record_read(o->run, "run");
	if (registry_is_known_stage(&reg, o->version))
		die(EXIT_USAGE, "version '%s' takes the name of a stage", o->version);
	if (!published_before(&reg, o, run, a, &status))
		status = publish_new(&reg, o, run, a);
	cJSON_Delete(run);
	free_artifacts(a, o->nargs);
	registry_close(&reg);
	return status;
}

/*
 * pull: copies a version's files out of the registry, each checked against
 * its manifest, into a temp folder renamed into place: all or nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "copy.h"
#include "err.h"
#include "jsonio.h"
#include "model.h"
#include "names.h"
#include "opts.h"
#include "record.h"
#include "xalloc.h"

static const char *version_to_pull(const struct model *m, const struct opts *o)
{
	const char *stage = o->stage ? o->stage : DEFAULT_STAGE;
	const cJSON *p;

	if (o->version)
		return o->version;
	p = model_pointer(m, stage);
	if (!p)
		die(EXIT_NO, "nothing is live at stage '%s' of model '%s'", stage, m->name);
	return json_get_string(p, "version");
}

static void copy_out(const struct model *m, const cJSON *manifest, const char *tmp)
{
	const char *version = json_get_string(manifest, "version");
	const cJSON *f;

	cJSON_ArrayForEach(f, json_get_array(manifest, "files")) {
		const char *path = json_get_string(f, "path");
		const char *want = json_get_string(f, "hash");
		char *safe = path ? safe_relpath(path) : NULL;
		char *rel, *src, *dst;
		char hash[HASH_STR_LEN];
		uint64_t size;
		double wsize = -1;

		json_get_number(f, "size", &wsize);
		if (!safe)
			die(EXIT_NO, "version '%s': unsafe file path in its manifest (run 'mlpromote verify')",
			    version);
		rel = xasprintf("versions/%s/files/%s", version, safe);
		src = registry_model_file(m->reg, m->name, rel);
		dst = xasprintf("%s/%s", tmp, safe);
		/* a remote registry's blob comes straight here, re-hashed on the way */
		if (!want || !registry_fetch_blob(m->reg, m->name, want, dst, hash, &size))
			copy_hashed(src, dst, hash, &size);
		if (!want || strcmp(hash, want) || (double)size != wsize)
			die(EXIT_NO, "%s: not as published (run 'mlpromote verify')", src);
		free(safe);
		free(rel);
		free(src);
		free(dst);
	}
}

static char *strip_slashes(const char *dir)
{
	char *d = xstrdup(dir);
	size_t n = strlen(d);

	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	return d;
}

int cmd_pull(struct opts *o)
{
	struct registry reg;
	struct model m;
	cJSON *manifest;
	const char *version;
	char *dir, *tmp;

	if (!o->model)
		die(EXIT_USAGE, "pull needs --model");
	if (o->nargs != 1)
		die(EXIT_USAGE, "pull needs one DIR");
	if (o->stage && o->version)
		die(EXIT_USAGE, "--stage and --version exclude each other");
	name_check("model", o->model);
	if (o->stage)
		name_check("stage", o->stage);
	if (o->version)
		name_check("version", o->version);
	registry_open(&reg, o->registry);
	if (!registry_model_exists(&reg, o->model))
		die(EXIT_NO, "no model '%s' in '%s'", o->model, registry_location(&reg));
	model_open(&m, &reg, o->model, MODEL_READ);
	version = version_to_pull(&m, o);
	manifest = model_manifest(&m, version);
	if (!manifest)
		die(EXIT_NO, "version '%s' of model '%s' is not published", version, o->model);
	dir = strip_slashes(o->args[0]);
	tmp = xasprintf("%s.tmp-XXXXXX", dir);
	if (!mkdtemp(tmp))
		die_errno("cannot create a temp folder beside '%s'", dir);
	cleanup_register(tmp);
	copy_out(&m, manifest, tmp);
	if (fsync_dir(tmp) < 0)
		die_errno("cannot sync '%s'", tmp);
	if (rename(tmp, dir) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY || errno == ENOTDIR)
			die(EXIT_USAGE, "'%s' exists and is not an empty folder", dir);
		die_errno("cannot rename '%s' to '%s'", tmp, dir);
	}
	cleanup_forget(tmp);
	if (fsync_parent_dir(dir) < 0)
		die_errno("cannot sync the folder of '%s'", dir);
	record_print(manifest, o->pretty);
	cJSON_Delete(manifest);
	free(dir);
	free(tmp);
	model_close(&m);
	registry_close(&reg);
	return EXIT_OK;
}

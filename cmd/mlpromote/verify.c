/*
 * verify: the whole registry (or one model) against itself: the chain, the
 * pointers against the log, every artifact against its manifest, every
 * file canonical with an id that matches, and with --pubkey every pointer
 * signed. One line per problem, naming the file; exit 1 when any.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "copy.h"
#include "err.h"
#include "jsonio.h"
#include "model.h"
#include "names.h"
#include "opts.h"
#include "pointer.h"
#include "sign.h"
#include "xalloc.h"

static void verify_files(const struct model *m, const cJSON *manifest, const char *version)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, json_get_array(manifest, "files")) {
		const char *path = json_get_string(f, "path");
		const char *want = json_get_string(f, "hash");
		char *safe = path ? safe_relpath(path) : NULL;
		char hash[HASH_STR_LEN];
		uint64_t size;
		double wsize = -1;
		char *rel, *full;

		if (!safe) {
			char *mpath = xasprintf("versions/%s/model.json", version);

			check_fail(mpath, "unsafe file path '%s'", path ? path : "");
			free(mpath);
			continue;
		}
		json_get_number(f, "size", &wsize);
		rel = xasprintf("versions/%s/files/%s", version, safe);
		full = registry_model_file(m->reg, m->name, rel);
		if (hash_file(full, hash, &size) < 0)
			check_fail(full, "missing or unreadable");
		else if ((double)size != wsize)
			check_fail(full, "size %llu, published as %.0f", (unsigned long long)size, wsize);
		else if (!want || strcmp(hash, want))
			check_fail(full, "hash %s, published as %s", hash, want ? want : "null");
		free(safe);
		free(rel);
		free(full);
	}
}

/*
 * A record of the version against the SHA-256 of its exact bytes that the
 * publish line sealed: ids leave created_at out, this does not. Lines
 * written before publish lines had "files" have nothing to compare.
 */
static void verify_sealed(const cJSON *line, const char *name, const char *path)
{
	const cJSON *files = json_get_object(line, "files");
	const cJSON *want = json_get(files, name);
	char hash[HASH_STR_LEN];
	uint64_t size;

	if (!files || hash_file(path, hash, &size) < 0)
		return;
	if (!cJSON_IsString(want))
		check_fail(path, "audit line %g published no %s", json_get(line, "line")->valuedouble,
			   name);
	else if (strcmp(hash, want->valuestring))
		check_fail(path, "hash %s, audit line %g published %s (a byte changed outside the id, "
				 "as in created_at)", hash, json_get(line, "line")->valuedouble,
			   want->valuestring);
}

/* A publish line's version: its manifest, run and files as the line says. */
static void verify_version(const struct model *m, const cJSON *line)
{
	const char *version = json_get_string(line, "version");
	const cJSON *ids = json_get_object(line, "ids");
	const char *want_run = json_get_string(ids, "run");
	char *rel = xasprintf("versions/%s/model.json", version);
	char *mpath = registry_model_file(m->reg, m->name, rel);
	char *rpath;
	cJSON *manifest, *run;

	free(rel);
	rel = xasprintf("versions/%s/run.json", version);
	rpath = registry_model_file(m->reg, m->name, rel);
	free(rel);
	registry_fetch_files(m->reg, m->name, version);
	manifest = model_manifest(m, version);
	run = model_run(m, version);

	if (!manifest) {
		if (access(mpath, F_OK) < 0)
			check_fail(mpath, "missing");
	} else {
		const char *want = json_get_string(ids, "manifest");
		int same = want && !strcmp(json_get_string(manifest, "id"), want);

		if (!same)
			check_fail(mpath, "not the manifest the audit log published");
		if (!cJSON_Compare(json_get(manifest, "run"), json_get(ids, "run"), 1))
			check_fail(mpath, "names another run than the audit log");
		else if (same)
			verify_sealed(line, "model.json", mpath);
		verify_files(m, manifest, version);
	}
	if (want_run && !run && access(rpath, F_OK) < 0)
		check_fail(rpath, "missing");
	else if (want_run && run && strcmp(json_get_string(run, "id"), want_run))
		check_fail(rpath, "not the run the version was published with");
	else if (run)
		verify_sealed(line, "run.json", rpath);
	cJSON_Delete(manifest);
	cJSON_Delete(run);
	free(mpath);
	free(rpath);
}

/*
 * The stage's pointer file, when it passed its checks and has the id of the
 * pointer its audit line makes, against that pointer byte for byte: ids
 * leave created_at out, so only this finds a changed created_at.
 */
static void verify_pointer_bytes(const struct model *m, size_t i, const char *path)
{
	const cJSON *last = m->state.stages[i].last;
	const cJSON *rebuilt = m->pointers[i];

	for (size_t j = 0; j < m->nfiles; j++) {
		const cJSON *file = m->file_recs[j];

		if (strcmp(m->files[j], m->state.stages[i].name) || !file ||
		    strcmp(json_get_string(file, "id"), json_get_string(rebuilt, "id")))
			continue;
		if (pointer_file_matches(path, rebuilt) == 0)
			check_fail(path, "created_at is not that of %s:%g, which made it", m->log.path,
				   json_get(last, "line")->valuedouble);
	}
}

static void verify_model(struct registry *reg, const char *name, const char *pubkey)
{
	struct model m;

	model_open(&m, reg, name, MODEL_READ);
	for (size_t i = 0; i < m.npending; i++) {
		char *rel = xasprintf("versions/%s", m.pending[i]);
		char *path = registry_model_file(reg, name, rel);

		free(rel);
		check_fail(path, "published but not in the audit log (an interrupted publish; "
				 "the next write completes it)");
		free(path);
	}
	for (size_t i = 0; i < m.log.n; i++)
		if (!strcmp(json_get_string(m.log.lines[i], "action"), "publish"))
			verify_version(&m, m.log.lines[i]);
	for (size_t i = 0; i < m.state.n; i++) {
		const char *stage = m.state.stages[i].name;
		char *path = model_pointer_path(&m, stage);
		char *sig = model_sig_path(&m, stage);

		if (m.behind[i]) {
			check_fail(path, "behind the audit log (an interrupted change; the next write "
					 "completes it)");
		} else {
			verify_pointer_bytes(&m, i, path);
			if (pubkey)
				sign_check(pubkey, path, sig, m.pointers[i]);
		}
		free(path);
		free(sig);
	}
	registry_verify_backend(reg, name);
	model_close(&m);
}

int cmd_verify(struct opts *o)
{
	struct registry reg;

	if (o->model)
		name_check("model", o->model);
	if (o->nargs)
		die(EXIT_USAGE, "verify takes no operand");
	check_collect();
	registry_open(&reg, o->registry);
	if (o->model) {
		if (!registry_model_exists(&reg, o->model))
			die(EXIT_NO, "no model '%s' in '%s'", o->model, registry_location(&reg));
		verify_model(&reg, o->model, o->pubkey);
	} else {
		size_t n;
		char **models = registry_models(&reg, &n);

		for (size_t i = 0; i < n; i++)
			verify_model(&reg, models[i], o->pubkey);
		strlist_free(models, n);
	}
	registry_close(&reg);
	return check_count() ? EXIT_NO : EXIT_OK;
}

/* Opening a model: checks, and write-ahead recovery under the lock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "jsonio.h"
#include "lock.h"
#include "model.h"
#include "pointer.h"
#include "record.h"
#include "xalloc.h"

char *model_pointer_path(const struct model *m, const char *stage)
{
	char *rel = xasprintf("%s.json", stage);
	char *path = registry_model_file(m->reg, m->name, rel);

	free(rel);
	return path;
}

char *model_sig_path(const struct model *m, const char *stage)
{
	char *rel = xasprintf("%s.json.minisig", stage);
	char *path = registry_model_file(m->reg, m->name, rel);

	free(rel);
	return path;
}

void model_write_pointer(const struct model *m, const cJSON *pointer)
{
	const char *stage = json_get_string(pointer, "stage");
	char *path = model_pointer_path(m, stage);
	char *sig = model_sig_path(m, stage);

	if (unlink(sig) < 0 && errno != ENOENT)
		die_errno("cannot remove '%s'", sig);
	record_write_file(path, pointer);
	free(path);
	free(sig);
}

cJSON *model_manifest(const struct model *m, const char *version)
{
	char *rel, *path;
	int absent;
	cJSON *rec;
	const char *mm, *vv;

	registry_fetch_version(m->reg, m->name, version);
	rel = xasprintf("versions/%s/model.json", version);
	path = registry_model_file(m->reg, m->name, rel);
	rec = check_read_record(path, "model", &absent);

	if (rec) {
		mm = json_get_string(rec, "model");
		vv = json_get_string(rec, "version");
		if (!mm || strcmp(mm, m->name) || !vv || strcmp(vv, version)) {
			check_fail(path, "manifest of another model or version");
			cJSON_Delete(rec);
			rec = NULL;
		}
	}
	free(rel);
	free(path);
	return rec;
}

cJSON *model_run(const struct model *m, const char *version)
{
	char *rel, *path;
	int absent;
	cJSON *rec;

	registry_fetch_version(m->reg, m->name, version);
	rel = xasprintf("versions/%s/run.json", version);
	path = registry_model_file(m->reg, m->name, rel);
	rec = check_read_record(path, "run", &absent);

	free(rel);
	free(path);
	return rec;
}

/*
 * The pointer files, read before the log: a writer appends to the log before
 * it replaces a pointer, so a reader that reads in the other order can find
 * a pointer behind the log (a change in flight: the log wins) but never an
 * honest one ahead of it.
 */
static void read_pointer_files(struct model *m)
{
	m->files = registry_pointer_stages(m->reg, m->name, &m->nfiles);
	m->file_recs = xcalloc(m->nfiles + 1, sizeof *m->file_recs);
	for (size_t i = 0; i < m->nfiles; i++) {
		char *path = model_pointer_path(m, m->files[i]);
		int absent;

		m->file_recs[i] = check_read_record(path, "pointer", &absent);
		free(path);
	}
}

static const cJSON *pointer_file(const struct model *m, const char *stage)
{
	for (size_t i = 0; i < m->nfiles; i++)
		if (!strcmp(m->files[i], stage))
			return m->file_recs[i];
	return NULL;
}

/* Each pointer file against the log: equal, behind (a change to complete), or wrong. */
static void check_pointers(struct model *m)
{
	m->pointers = xcalloc(m->state.n + 1, sizeof *m->pointers);
	m->behind = xcalloc(m->state.n + 1, sizeof *m->behind);
	for (size_t i = 0; i < m->state.n; i++) {
		struct stage_state *st = &m->state.stages[i];
		const char *want = json_get_string(json_get_object(st->last, "ids"), "pointer");
		char *path = model_pointer_path(m, st->name);
		const cJSON *file = pointer_file(m, st->name);
		double seq = 0;

		m->pointers[i] = pointer_from_audit(st->last);
		if (!want || strcmp(want, json_get_string(m->pointers[i], "id")))
			check_fail(m->log.path, "line %g: ids.pointer does not match the change",
				   json_get(st->last, "line")->valuedouble);
		if (file)
			json_get_number(file, "seq", &seq);
		if (!file || seq < (double)st->seq)
			m->behind[i] = 1;
		else if (seq > (double)st->seq)
			check_fail(path, "seq %g is ahead of the audit log", seq);
		else if (strcmp(json_get_string(file, "id"), want ? want : ""))
			check_fail(path, "does not match audit line %g",
				   json_get(st->last, "line")->valuedouble);
		free(path);
	}
	for (size_t i = 0; i < m->nfiles; i++) {
		if (m->file_recs[i] && !state_stage(&m->state, m->files[i])) {
			char *path = model_pointer_path(m, m->files[i]);

			check_fail(path, "no audit line made this pointer");
			free(path);
		}
	}
}

/* Versions whose folder is in place but whose publish line is not. */
static void find_pending(struct model *m)
{
	size_t n;
	char **versions = registry_versions(m->reg, m->name, &n);

	for (size_t i = 0; i < n; i++) {
		if (state_published(&m->log, versions[i])) {
			free(versions[i]);
			continue;
		}
		m->pending = xreallocarray(m->pending, m->npending + 1, sizeof *m->pending);
		m->pending[m->npending++] = versions[i];
	}
	free(versions);
}

/* Appends the publish line of a version whose publisher died before writing it. */
static void complete_publish(struct model *m, const char *version)
{
	cJSON *manifest = model_manifest(m, version);
	cJSON *line, *ids;

	if (!manifest)
		return;
	line = audit_new(&m->log, "publish");
	json_set_string_or_null(line, "version", version);
	copy_field(line, "actor", manifest, "published_by");
	ids = json_get_object(line, "ids");
	copy_field(ids, "manifest", manifest, "id");
	copy_field(ids, "run", manifest, "run");
	copy_field(ids, "snapshot", manifest, "snapshot");
	audit_append(&m->log, line);
	cJSON_Delete(manifest);
}

static void recover(struct model *m)
{
	audit_cut_torn(&m->log);
	for (size_t i = 0; i < m->npending; i++)
		complete_publish(m, m->pending[i]);
	for (size_t i = 0; i < m->state.n; i++) {
		if (m->behind[i])
			model_write_pointer(m, m->pointers[i]);
		m->behind[i] = 0;
	}
}

void model_open(struct model *m, struct registry *reg, const char *name, enum model_mode mode)
{
	char *path;

	memset(m, 0, sizeof *m);
	m->reg = reg;
	m->name = name;
	m->lock_fd = mode == MODEL_WRITE ? registry_lock_model(reg, name) : -1;
	read_pointer_files(m);
	path = registry_model_file(reg, name, "audit.jsonl");
	audit_load(&m->log, path, name);
	free(path);
	state_build(&m->state, &m->log);
	check_pointers(m);
	find_pending(m);
	if (mode == MODEL_WRITE)
		recover(m);
}

void model_push(struct model *m)
{
	registry_push(m->reg, m->name);
	m->pushed = 1;
}

void model_close(struct model *m)
{
	/* what recovery completed is made visible too */
	if (m->lock_fd >= 0 && !m->pushed)
		registry_push(m->reg, m->name);
	for (size_t i = 0; i < m->state.n; i++)
		cJSON_Delete(m->pointers[i]);
	free(m->pointers);
	free(m->behind);
	for (size_t i = 0; i < m->nfiles; i++)
		cJSON_Delete(m->file_recs[i]);
	free(m->file_recs);
	strlist_free(m->files, m->nfiles);
	strlist_free(m->pending, m->npending);
	state_release(&m->state);
	audit_release(&m->log);
	if (m->lock_fd >= 0)
		lock_release(m->lock_fd);
	m->lock_fd = -1;
}

static int stage_index(const struct model *m, const char *stage)
{
	for (size_t i = 0; i < m->state.n; i++)
		if (!strcmp(m->state.stages[i].name, stage))
			return (int)i;
	return -1;
}

const cJSON *model_pointer(const struct model *m, const char *stage)
{
	int i = stage_index(m, stage);

	return i < 0 ? NULL : m->pointers[i];
}

long long model_seq(const struct model *m, const char *stage)
{
	int i = stage_index(m, stage);

	return i < 0 ? 0 : m->state.stages[i].seq;
}

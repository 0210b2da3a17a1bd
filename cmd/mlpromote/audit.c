/* The hash-chained audit log: reading, checking, appending. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "audit.h"
#include "check.h"
#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "record.h"
#include "xalloc.h"

static const char *const actions[] = { "publish", "promote", "rollback" };

char *audit_where(const struct audit_log *log, size_t n)
{
	return xasprintf("%s:%zu", log->path, n);
}

static void push_line(struct audit_log *log, cJSON *rec, const char *hash)
{
	if (log->n == log->cap) {
		log->cap = log->cap ? 2 * log->cap : 16;
		log->lines = xreallocarray(log->lines, log->cap, sizeof *log->lines);
		log->hashes = xreallocarray(log->hashes, log->cap, sizeof *log->hashes);
	}
	log->lines[log->n] = rec;
	memcpy(log->hashes[log->n], hash, HASH_STR_LEN);
	log->n++;
}

static int valid_action(const char *a)
{
	for (size_t i = 0; a && i < sizeof actions / sizeof actions[0]; i++)
		if (!strcmp(a, actions[i]))
			return 1;
	return 0;
}

/* The chain and the fields every line must have right. 0 or -1 (reported). */
static int check_line(struct audit_log *log, const cJSON *rec, const char *where)
{
	size_t n = log->n + 1;
	double line;
	const char *model = json_get_string(rec, "model");
	const cJSON *prev = json_get(rec, "prev");

	if (!json_get_number(rec, "line", &line) || line != (double)n) {
		check_fail(where, "line number is not %zu", n);
		return -1;
	}
	if (n == 1 ? !cJSON_IsNull(prev)
		   : !cJSON_IsString(prev) || strcmp(prev->valuestring, log->hashes[n - 2])) {
		check_fail(where, "hash chain broken: prev does not match line %zu", n - 1);
		return -1;
	}
	if (!model || strcmp(model, log->model)) {
		check_fail(where, "line of another model");
		return -1;
	}
	if (!valid_action(json_get_string(rec, "action")) || !json_get_string(rec, "version") ||
	    !json_get_object(rec, "ids")) {
		check_fail(where, "not a complete audit line");
		return -1;
	}
	return 0;
}

/*
 * Bytes after the last newline are a torn append, unless all but their last
 * byte make a whole JSON value: a proper prefix of a line never does, so that
 * is a whole line whose newline was changed into another byte.
 */
static int newline_changed(const char *p, size_t len)
{
	struct json_error jerr;
	cJSON *rec = len > 1 ? json_parse_strict(p, len - 1, &jerr) : NULL;
	int whole = rec != NULL;

	cJSON_Delete(rec);
	return whole;
}

void audit_load(struct audit_log *log, const char *path, const char *model)
{
	char *buf, *p, *end, *nl;
	size_t len;

	memset(log, 0, sizeof *log);
	log->path = xstrdup(path);
	log->model = xstrdup(model);
	if (file_read(path, &buf, &len) < 0) {
		if (errno == ENOENT)
			return;
		die_errno("cannot read '%s'", path);
	}
	end = buf + len;
	for (p = buf; p < end; p = nl + 1) {
		char hash[HASH_STR_LEN];
		char *where;
		cJSON *rec;

		nl = memchr(p, '\n', (size_t)(end - p));
		where = audit_where(log, log->n + 1);
		if (!nl && newline_changed(p, (size_t)(end - p))) {
			check_fail(where, "a whole line ending in 0x%02x, not a newline (a changed "
					  "byte, not a torn append)", (unsigned char)end[-1]);
			free(where);
			log->broken = 1;
			break;
		}
		if (!nl) {
			free(where);
			log->torn = 1;
			break;
		}
		rec = check_parse_record(where, p, (size_t)(nl + 1 - p), "audit", 1);
		if (!rec || check_line(log, rec, where) < 0) {
			cJSON_Delete(rec);
			free(where);
			log->broken = 1;
			break;
		}
		free(where);
		hash_buf_str(p, (size_t)(nl + 1 - p), hash);
		push_line(log, rec, hash);
		log->good_len = nl + 1 - buf;
	}
	free(buf);
}

void audit_release(struct audit_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		cJSON_Delete(log->lines[i]);
	free(log->lines);
	free(log->hashes);
	free(log->path);
	free(log->model);
	memset(log, 0, sizeof *log);
}

void audit_cut_torn(struct audit_log *log)
{
	int fd;

	if (!log->torn)
		return;
	fd = open(log->path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || ftruncate(fd, log->good_len) < 0 || fsync(fd) < 0)
		die_errno("cannot cut the torn last line of '%s'", log->path);
	close(fd);
	log->torn = 0;
}

cJSON *audit_new(const struct audit_log *log, const char *action)
{
	cJSON *line = cJSON_CreateObject();

	cJSON_AddNumberToObject(line, "line", (double)(log->n + 1));
	cJSON_AddStringToObject(line, "action", action);
	cJSON_AddStringToObject(line, "model", log->model);
	cJSON_AddNullToObject(line, "stage");
	cJSON_AddNullToObject(line, "version");
	cJSON_AddNullToObject(line, "seq");
	cJSON_AddNullToObject(line, "previous");
	cJSON_AddNullToObject(line, "actor");
	cJSON_AddNullToObject(line, "approved_by");
	cJSON_AddFalseToObject(line, "forced");
	cJSON_AddNullToObject(line, "reason");
	cJSON_AddObjectToObject(line, "ids");
	if (log->n)
		cJSON_AddStringToObject(line, "prev", log->hashes[log->n - 1]);
	else
		cJSON_AddNullToObject(line, "prev");
	return line;
}

/* models/<m>/versions/VERSION/NAME, beside the log. New string. */
static char *version_file(const struct audit_log *log, const char *version, const char *name)
{
	const char *slash = strrchr(log->path, '/');
	int dirlen = slash ? (int)(slash - log->path) : 1;

	return xasprintf("%.*s/versions/%s/%s", dirlen, slash ? log->path : ".", version, name);
}

/* "sha256:..." of the file's bytes, null when there is no such file. */
static cJSON *file_hash_or_null(const char *path)
{
	char hash[HASH_STR_LEN];
	uint64_t size;

	if (hash_file(path, hash, &size) == 0)
		return cJSON_CreateString(hash);
	if (errno != ENOENT)
		die_errno("cannot read '%s'", path);
	return cJSON_CreateNull();
}

/*
 * A publish line seals the exact bytes of the version's records: their ids
 * leave created_at out, and an edit there must not pass verify.
 */
static void seal_version(const struct audit_log *log, cJSON *line)
{
	static const char *const names[] = { "model.json", "run.json" };
	const char *version = json_get_string(line, "version");
	cJSON *files = cJSON_CreateObject();

	for (size_t i = 0; version && i < sizeof names / sizeof names[0]; i++) {
		char *path = version_file(log, version, names[i]);

		json_set(files, names[i], file_hash_or_null(path));
		free(path);
	}
	json_set(line, "files", files);
}

void audit_append(struct audit_log *log, cJSON *line)
{
	char hash[HASH_STR_LEN];
	size_t len;
	char *buf;
	int fd, created = access(log->path, F_OK) < 0;

	if (!strcmp(json_get_string(line, "action"), "publish"))
		seal_version(log, line);
	record_finish(line, "audit");
	buf = record_serialize(line, &len);
	fd = open(log->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die_errno("cannot open '%s'", log->path);
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0)
		die_errno("cannot append to '%s'", log->path);
	if (close(fd) < 0)
		die_errno("cannot append to '%s'", log->path);
	if (created && fsync_parent_dir(log->path) < 0)
		die_errno("cannot sync the folder of '%s'", log->path);
	hash_buf_str(buf, len, hash);
	free(buf);
	push_line(log, line, hash);
}

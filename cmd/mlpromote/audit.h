/*
 * models/<m>/audit.jsonl: the append-only, hash-chained write-ahead log.
 * Each line is a canonical "audit" record whose "prev" is the SHA-256 of the
 * exact bytes of the line before it (its newline included).
 */
#ifndef MLPROMOTE_AUDIT_H
#define MLPROMOTE_AUDIT_H

#include <stddef.h>
#include <sys/types.h>
#include <cjson/cJSON.h>

#include "hash.h"

struct audit_log {
	char *path;
	char *model;
	cJSON **lines;      /* the records, in order */
	char (*hashes)[HASH_STR_LEN]; /* of each line's bytes */
	size_t n, cap;
	off_t good_len;     /* bytes through the last newline */
	int torn;           /* bytes after the last newline: a torn append */
	int broken;         /* a line failed its checks (only when collecting) */
};

/*
 * Reads and checks the log (a missing file is an empty log). A torn last
 * line (bytes after the last newline that are not a whole line) is left out.
 * A line that fails its checks, or a whole last line whose newline was
 * changed into another byte, is check_fail()ed and ends the reading.
 */
void audit_load(struct audit_log *log, const char *path, const char *model);
void audit_release(struct audit_log *log);

/* Cuts a torn last line: only a writer, under the model's lock. */
void audit_cut_torn(struct audit_log *log);

/*
 * A new line for the log, with line, action, model and prev set and every
 * other field null (forced false, ids {}): the caller fills them.
 */
cJSON *audit_new(const struct audit_log *log, const char *action);

/*
 * Finishes line as an "audit" record, appends it and fsyncs: the commit. A
 * publish line gets "files": the SHA-256 of the exact bytes of the version's
 * model.json and run.json (null when it has none) as they are now, in place.
 */
void audit_append(struct audit_log *log, cJSON *line);

/* "path:N", for messages about line N (from 1). New string. */
char *audit_where(const struct audit_log *log, size_t n);

#endif

/*
 * Problems found in registry files. Every subcommand refuses to act on a
 * registry file that fails its checks (exit 1, naming the file and
 * `verify`); `verify` instead collects every problem, one line each.
 */
#ifndef MLPROMOTE_CHECK_H
#define MLPROMOTE_CHECK_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* From now on, report problems and go on (verify) instead of dying. */
void check_collect(void);
/* How many problems have been reported. */
int check_count(void);
/* Reports a problem with file ("mlpromote: FILE: what"), or dies with EXIT_NO. */
void check_fail(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Parses buf as a registry record of kind: strict JSON, canonical form plus
 * newline (exactly, when newline is set), an id that matches. Returns the
 * record, or NULL after check_fail(where, ...).
 */
cJSON *check_parse_record(const char *where, const char *buf, size_t len, const char *kind,
			  int newline);

/*
 * Reads a registry record file the same way. NULL with *absent set when the
 * file does not exist; NULL after check_fail() when it fails a check.
 * Other read errors are exit 3.
 */
cJSON *check_read_record(const char *path, const char *kind, int *absent);

#endif

/* Problems in registry files: fatal for every subcommand but verify. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "record.h"
#include "xalloc.h"

static int collecting;
static int problems;

void check_collect(void)
{
	collecting = 1;
}

int check_count(void)
{
	return problems;
}

void check_fail(const char *file, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	problems++;
	if (collecting)
		warnmsg("%s: %s", file, msg);
	else
		die(EXIT_NO, "%s: %s (run 'mlpromote verify')", file, msg);
}

cJSON *check_parse_record(const char *where, const char *buf, size_t len, const char *kind,
			  int newline)
{
	struct json_error jerr;
	char msg[256];
	const char *k;
	char *canon;
	size_t clen;
	cJSON *rec = json_parse_strict(buf, len, &jerr);

	if (!rec) {
		check_fail(where, "%d:%d: %s", jerr.line, jerr.col, jerr.msg);
		return NULL;
	}
	if (!cJSON_IsObject(rec)) {
		check_fail(where, "not a JSON object");
		goto bad;
	}
	k = json_get_string(rec, "kind");
	if (!k || strcmp(k, kind)) {
		check_fail(where, "not a '%s' record", kind);
		goto bad;
	}
	if (!json_get_string(rec, "id")) {
		check_fail(where, "no id");
		goto bad;
	}
	if (record_verify_id(rec, msg, sizeof msg) < 0) {
		check_fail(where, "id does not match its content");
		goto bad;
	}
	canon = record_serialize(rec, &clen);
	if (!newline)
		clen--;
	if (clen != len || memcmp(canon, buf, len)) {
		free(canon);
		check_fail(where, "not in canonical form");
		goto bad;
	}
	free(canon);
	return rec;
bad:
	cJSON_Delete(rec);
	return NULL;
}

cJSON *check_read_record(const char *path, const char *kind, int *absent)
{
	char *buf;
	size_t len;
	cJSON *rec;

	*absent = 0;
	if (file_read(path, &buf, &len) < 0) {
		if (errno == ENOENT) {
			*absent = 1;
			return NULL;
		}
		die_errno("cannot read '%s'", path);
	}
	rec = check_parse_record(path, buf, len, kind, 1);
	free(buf);
	return rec;
}

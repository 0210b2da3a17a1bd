#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "err.h"
#include "fileio.h"
#include "jcs.h"
#include "jsonio.h"
#include "record.h"
#include "strbuf.h"
#include "timefmt.h"

static void die_unwritable(void)
{
	die(EXIT_USAGE, "a record holds a value JSON cannot carry (a non-finite number or invalid UTF-8)");
}

void record_compute_id(const cJSON *rec, char out[HASH_STR_LEN])
{
	static const char *const skip[] = { "id", "created_at", NULL };
	struct strbuf sb = STRBUF_INIT;
	const char *kind = json_get_string(rec, "kind");
	const cJSON *entries = kind && !strcmp(kind, "snapshot") ? json_get_array(rec, "entries") : NULL;

	/* A snapshot names data, not the moment it was taken: entries only. */
	if ((entries ? jcs_write(&sb, entries) : jcs_write_without(&sb, rec, skip)) < 0)
		die_unwritable();
	hash_buf_str(sb.buf, sb.len, out);
	strbuf_release(&sb);
}

void record_finish(cJSON *rec, const char *kind)
{
	char id[HASH_STR_LEN], now[TIME_STR_LEN];

	if (kind)
		json_set(rec, "kind", cJSON_CreateString(kind));
	json_set(rec, "v", cJSON_CreateNumber(RECORD_VERSION));
	if (!json_get(rec, "created_at")) {
		time_now_str(now);
		json_set(rec, "created_at", cJSON_CreateString(now));
	}
	record_compute_id(rec, id);
	json_set(rec, "id", cJSON_CreateString(id));
}

int record_verify_id(cJSON *rec, char *msg, size_t msglen)
{
	char id[HASH_STR_LEN];
	cJSON *stated = json_get(rec, "id");

	record_compute_id(rec, id);
	if (!stated) {
		json_set(rec, "id", cJSON_CreateString(id));
		return 0;
	}
	if (!cJSON_IsString(stated)) {
		snprintf(msg, msglen, "\"id\" is not a string");
		return -1;
	}
	if (strcmp(stated->valuestring, id) != 0) {
		snprintf(msg, msglen, "id does not match its content (stated %.80s, computed %s)",
			 stated->valuestring, id);
		return -1;
	}
	return 0;
}

cJSON *record_read(const char *path, const char *kind)
{
	cJSON *rec = json_read_object(path);
	const char *name = file_display_name(path);
	char msg[256];

	if (kind) {
		const char *k = json_get_string(rec, "kind");
		if (!k || strcmp(k, kind) != 0) {
			char got[96];
			snprintf(got, sizeof got, k ? "kind '%.64s'" : "no kind", k);
			cJSON_Delete(rec);
			die(EXIT_USAGE, "%s: not a %s record (%s)", name, kind, got);
		}
	}
	if (record_verify_id(rec, msg, sizeof msg) < 0) {
		cJSON_Delete(rec);
		die(EXIT_USAGE, "%s: %s", name, msg);
	}
	return rec;
}

char *record_serialize(const cJSON *rec, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;

	if (jcs_write(&sb, rec) < 0) {
		strbuf_release(&sb);
		die_unwritable();
	}
	strbuf_addch(&sb, '\n');
	return strbuf_detach(&sb, len);
}

void record_write_file(const char *path, const cJSON *rec)
{
	size_t len;
	char *text = record_serialize(rec, &len);

	if (atomicfile_replace(path, text, len, 0644) < 0) {
		free(text);
		die_errno("cannot write '%s'", path);
	}
	free(text);
}

void record_print(const cJSON *rec, int pretty)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = pretty && isatty(STDOUT_FILENO) ? jcs_write_pretty(&sb, rec) : jcs_write(&sb, rec);

	if (rc < 0) {
		strbuf_release(&sb);
		die_unwritable();
	}
	strbuf_addch(&sb, '\n');
	stdout_write(sb.buf, sb.len);
	strbuf_release(&sb);
}

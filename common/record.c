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

/*
 * A snapshot's "entries" are nearly all of its record (2.6 MB for 20,000
 * files) and their canonical text is what its id hashes: record_finish keeps
 * that text, and record_print and record_serialize write it back in place of
 * the array instead of writing the array a second time. The text is used
 * only for the record it was made for, while that record still holds the
 * same array and the id it was given (an id is the hash of exactly this
 * text), so the output is the same bytes as writing the tree again.
 */
static struct {
	const cJSON *rec, *entries, *first;
	char id[HASH_STR_LEN];
	char *text;
	size_t len;
} kept;

static void kept_drop(void)
{
	free(kept.text);
	memset(&kept, 0, sizeof kept);
}

static const cJSON *snapshot_entries(const cJSON *rec)
{
	const char *kind = json_get_string(rec, "kind");

	return kind && strcmp(kind, "snapshot") == 0 ? json_get_array(rec, "entries") : NULL;
}

static int kept_for(const cJSON *rec)
{
	const char *id;

	if (!kept.text || rec != kept.rec)
		return 0;
	id = json_get_string(rec, "id");
	return snapshot_entries(rec) == kept.entries && kept.entries->child == kept.first && id &&
	       strcmp(id, kept.id) == 0;
}

static void die_unwritable(void)
{
	die(EXIT_USAGE, "a record holds a value JSON cannot carry (a non-finite number or invalid UTF-8)");
}

/* The canonical form of rec, appended to sb. */
static int write_canonical(struct strbuf *sb, const cJSON *rec)
{
	if (!kept_for(rec))
		return jcs_write(sb, rec);
	strbuf_grow(sb, kept.len + 4096);
	return jcs_write_splice(sb, rec, kept.entries, kept.text, kept.len);
}

void record_compute_id(const cJSON *rec, char out[HASH_STR_LEN])
{
	static const char *const skip[] = { "id", "created_at", NULL };
	struct strbuf sb = STRBUF_INIT;
	const cJSON *entries = snapshot_entries(rec);

	/* A snapshot names data, not the moment it was taken: entries only. */
	if ((entries ? jcs_write(&sb, entries) : jcs_write_without(&sb, rec, skip)) < 0)
		die_unwritable();
	hash_buf_str(sb.buf, sb.len, out);
	strbuf_release(&sb);
}

void record_finish(cJSON *rec, const char *kind)
{
	char id[HASH_STR_LEN], now[TIME_STR_LEN];
	const cJSON *entries;

	kept_drop();
	if (kind)
		json_set(rec, "kind", cJSON_CreateString(kind));
	json_set(rec, "v", cJSON_CreateNumber(RECORD_VERSION));
	if (!json_get(rec, "created_at")) {
		time_now_str(now);
		json_set(rec, "created_at", cJSON_CreateString(now));
	}
	entries = snapshot_entries(rec);
	if (entries) {
		struct strbuf sb = STRBUF_INIT;
		if (jcs_write(&sb, entries) < 0)
			die_unwritable();
		hash_buf_str(sb.buf, sb.len, id);
		kept.rec = rec;
		kept.entries = entries;
		kept.first = entries->child;
		memcpy(kept.id, id, sizeof id);
		kept.text = strbuf_detach(&sb, &kept.len);
	} else {
		record_compute_id(rec, id);
	}
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

	if (write_canonical(&sb, rec) < 0) {
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
	int rc = pretty && isatty(STDOUT_FILENO) ? jcs_write_pretty(&sb, rec) : write_canonical(&sb, rec);

	if (rc < 0) {
		strbuf_release(&sb);
		die_unwritable();
	}
	strbuf_addch(&sb, '\n');
	stdout_write(sb.buf, sb.len);
	strbuf_release(&sb);
	/* A snapshot is printed once: its kept text is done with. */
	if (kept.rec == rec)
		kept_drop();
}

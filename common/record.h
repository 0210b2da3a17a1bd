/*
 * mlgate records: JSON objects with "kind", "v": 1, "created_at" and "id",
 * where id is "sha256:<hex>" over the record's canonical (JCS) form without
 * "id" and "created_at". A snapshot's id covers only its "entries" array
 * (the canonical form of that array), so the same data has the same id
 * anywhere, whenever it was taken.
 */
#ifndef MLGATE_RECORD_H
#define MLGATE_RECORD_H

#include <stdio.h>
#include <cjson/cJSON.h>
#include "hash.h"

#define RECORD_VERSION 1

/* Computes the id of rec as it stands (its "id" and "created_at" ignored). */
void record_compute_id(const cJSON *rec, char out[HASH_STR_LEN]);

/*
 * Makes rec a finished record: sets "kind" (when kind is not NULL),
 * "v": 1, "created_at" (now, unless present) and "id". Call last.
 */
void record_finish(cJSON *rec, const char *kind);

/*
 * Reads a record strictly (json_read_object), then checks its id: a stated
 * id that does not match the content dies with EXIT_USAGE ("FILE: id does
 * not match its content"); a record without an id gets the computed one
 * added. kind, when not NULL, must match "kind" (EXIT_USAGE otherwise).
 */
cJSON *record_read(const char *path, const char *kind);

/* The same check on a parsed record; name is used in messages. Returns 0,
 * or -1 with a message in msg (size msglen) when the id does not match. */
int record_verify_id(cJSON *rec, char *msg, size_t msglen);

/* Canonical form plus a newline, as records are always stored. */
char *record_serialize(const cJSON *rec, size_t *len);

/* Writes the record atomically to path in canonical form plus newline.
 * Dies with EXIT_IO on failure. */
void record_write_file(const char *path, const cJSON *rec);

/*
 * Prints the record on stdout: canonical plus newline, or indented when
 * pretty is set and stdout is a terminal. Dies with EXIT_IO on failure.
 */
void record_print(const cJSON *rec, int pretty);

#endif

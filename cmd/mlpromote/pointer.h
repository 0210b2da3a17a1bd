/*
 * The pointer: models/<m>/<stage>.json, what is live at a stage. A pointer
 * is built from its audit line alone (its created_at too), so a change the
 * log holds can always be completed byte for byte after a crash.
 */
#ifndef MLPROMOTE_POINTER_H
#define MLPROMOTE_POINTER_H

#include <cjson/cJSON.h>

/* The finished "pointer" record an audit line (promote or rollback) stands for. */
cJSON *pointer_from_audit(const cJSON *line);

/*
 * 1 when the file at path holds exactly the bytes of pointer (canonical form
 * plus newline), 0 when it holds others, -1 with errno when it cannot be read.
 */
int pointer_file_matches(const char *path, const cJSON *pointer);

/* Copies src[skey] into dst[dkey] (null when absent). */
void copy_field(cJSON *dst, const char *dkey, const cJSON *src, const char *skey);

#endif

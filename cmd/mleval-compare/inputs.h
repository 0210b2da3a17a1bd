/* The records a verdict is taken on: what they are and what they hold. */
#ifndef MLEVAL_INPUTS_H
#define MLEVAL_INPUTS_H

#include <cjson/cJSON.h>

/* Reads a record (any JSON object; its id checked or computed). */
cJSON *input_read(const char *path);
/* 1 when rec is a status record saying nothing is live ("live": false). */
int input_not_live(const cJSON *rec);
/* Dies naming --no-baseline: the baseline says nothing is live. */
_Noreturn void input_die_not_live(const char *path);
/* Its "metrics" object, or dies (exit 2). */
const cJSON *input_metrics(const cJSON *rec, const char *path);
/* {id, kind, source, pointer} for the verdict. */
cJSON *input_describe(const cJSON *rec, const char *path);
/* Dies (exit 2) unless hash is among the "hash" of rec's array field. */
void input_require_hash(const cJSON *rec, const char *path, const char *field,
			const char *hash, const char *csv);

#endif

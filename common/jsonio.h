/*
 * Strict JSON reading (RFC 8259, plus mlgate's rules): duplicate keys,
 * NaN/Infinity, trailing bytes, nesting deeper than 64, invalid UTF-8, a NUL,
 * numbers that do not fit a double are all errors, reported with the line
 * and column where they occur. The result is a cJSON tree.
 *
 * cJSON's own GetObjectItem compares keys case-insensitively: mlgate code
 * uses cJSON_GetObjectItemCaseSensitive, or the json_get* helpers below.
 */
#ifndef MLGATE_JSONIO_H
#define MLGATE_JSONIO_H

#include <stddef.h>
#include <cjson/cJSON.h>

#define JSON_MAX_DEPTH 64

struct json_error {
	int line;       /* 1-based */
	int col;        /* 1-based, in bytes */
	char msg[128];  /* what is wrong, lowercase, no period */
};

/* Parses exactly one JSON value from buf[0..len). NULL on error, with *err filled. */
cJSON *json_parse_strict(const char *buf, size_t len, struct json_error *err);

/*
 * Reads path ("-" is stdin) and parses it strictly. On any error dies with
 * EXIT_USAGE and "tool: FILE:LINE:COL: what" (or "cannot read 'FILE': ...").
 */
cJSON *json_read_file(const char *path);

/* json_read_file() that also requires an object at the top level. */
cJSON *json_read_object(const char *path);

/* Case-sensitive lookups; NULL when absent or of another type. */
cJSON *json_get(const cJSON *obj, const char *key);
const char *json_get_string(const cJSON *obj, const char *key);
/* 1 and *out when key holds a number. */
int json_get_number(const cJSON *obj, const char *key, double *out);
cJSON *json_get_object(const cJSON *obj, const char *key);
cJSON *json_get_array(const cJSON *obj, const char *key);

/* Adds (or replaces) key with value, returning value. Takes ownership. */
cJSON *json_set(cJSON *obj, const char *key, cJSON *value);
/* Adds a string, or null when s is NULL. */
cJSON *json_set_string_or_null(cJSON *obj, const char *key, const char *s);
/* Adds a number, or null when v is not finite. */
cJSON *json_set_number_or_null(cJSON *obj, const char *key, double v);

#endif

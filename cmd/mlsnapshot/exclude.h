/*
 * -x GLOB excludes: fnmatch(3) patterns without flags (so '*' also matches
 * '/', as tar's --exclude does), each matched against a path relative to the
 * root and against its last component. An excluded directory excludes all
 * below it.
 */
#ifndef MLSNAPSHOT_EXCLUDE_H
#define MLSNAPSHOT_EXCLUDE_H

#include <stddef.h>
#include <cjson/cJSON.h>

struct excludes {
	char **glob;
	size_t n;
};

#define EXCLUDES_INIT { NULL, 0 }

void excludes_add(struct excludes *x, const char *glob);
void excludes_free(struct excludes *x);
/* 1 when the path itself (or its last component) matches. */
int excludes_match(const struct excludes *x, const char *path);
/* 1 when the path or any directory above it matches. */
int excludes_match_tree(const struct excludes *x, const char *path);
/* The globs as a JSON array of strings, in the order given. */
cJSON *excludes_to_json(const struct excludes *x);
/* Adds the strings of a snapshot's "excludes" array; -1 when it is not one. */
int excludes_from_json(struct excludes *x, const cJSON *arr);

#endif

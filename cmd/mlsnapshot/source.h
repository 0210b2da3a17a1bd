/*
 * An operand of verify and diff: a snapshot record, a directory or an
 * archive, turned into an entry list. A regular file whose first non-blank
 * byte is '{' is a snapshot; any other file is an archive.
 */
#ifndef MLSNAPSHOT_SOURCE_H
#define MLSNAPSHOT_SOURCE_H

#include "entries.h"
#include "exclude.h"
#include "tarread.h"

enum source_kind { SOURCE_SNAPSHOT, SOURCE_DIR, SOURCE_ARCHIVE };

/* What path is; dies with EXIT_USAGE when it cannot be read. */
enum source_kind source_kind_of(const char *path);

/* Reads a snapshot record's entries into l and its excludes into x. */
void source_load_snapshot(const char *path, struct entry_list *l, struct excludes *x);

/* Reads a directory (hashing every file, no cache: this is a check) or an
 * archive (under lim: a bomb is refused, not inflated), minus what x
 * excludes. */
void source_load_tree(const char *path, enum source_kind kind, const struct excludes *x,
		      int threads, const struct tarread_limits *lim, struct entry_list *l);

#endif

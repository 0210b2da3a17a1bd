/* Deterministic tar archives of an entry list. */
#ifndef MLSNAPSHOT_TARWRITE_H
#define MLSNAPSHOT_TARWRITE_H

#include "entries.h"

/* 1 when path ends in .tar, .tar.gz, .tgz, .tar.zst or .tzst. */
int tarwrite_suffix_known(const char *path);

/*
 * Writes the files and symlinks of l, read again through rootfd, to path
 * (atomically) as a pax_restricted tar, filtered by the suffix: entries in
 * path order, mtime SOURCE_DATE_EPOCH or 0, uid/gid 0 and no names, modes
 * 0644, 0755 (a file with an execute bit) and 0777 (symlinks), gzip without
 * its timestamp. Every file is hashed again as it is archived: a file that
 * no longer matches l dies with EXIT_USAGE, so the archive always holds what
 * the snapshot says.
 */
void tarwrite_archive(const char *path, int rootfd, const char *root, const struct entry_list *l);

#endif

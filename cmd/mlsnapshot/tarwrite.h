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
 * its timestamp, zstd at level 1 on threads (the same bytes whatever their
 * number). Every file is read once and hashed as it is archived: an entry
 * without a hash gets it, one with a hash (from the stat cache) must match
 * it; a file that changed since the walk dies with EXIT_USAGE, so the
 * archive always holds what the snapshot says.
 */
void tarwrite_archive(const char *path, int rootfd, const char *root, struct entry_list *l,
		      int threads);

#endif

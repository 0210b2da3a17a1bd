/*
 * The stat cache: (path, size, mtime_ns, ctime_ns, inode) -> hash for one
 * tree, so that re-snapshotting an unchanged tree reads no file. One file per
 * tree under $XDG_CACHE_HOME/mlgate/ (or ~/.cache/mlgate/), named by the
 * SHA-256 of the tree's real path, never inside the tree. A cache that fails
 * its own checksum or does not parse is ignored as a whole: it can only cost
 * time, never a wrong hash.
 */
#ifndef MLSNAPSHOT_STATCACHE_H
#define MLSNAPSHOT_STATCACHE_H

#include <stdint.h>

#include "entries.h"

struct statcache;

/* The cache for the tree at root; NULL when there is nowhere to keep one. */
struct statcache *statcache_open(const char *root);
/* Gives the unchanged files of l their cached hash. */
void statcache_apply(struct statcache *c, struct entry_list *l);
/*
 * Replaces the cache with the files of l. Files changed less than a second
 * before start_ns (when the snapshot began) are left out: a change within the
 * file system's timestamp granularity could otherwise go unseen. Failures are
 * ignored: the cache is only an optimisation.
 */
void statcache_save(struct statcache *c, const struct entry_list *l, int64_t start_ns);
void statcache_free(struct statcache *c);

#endif

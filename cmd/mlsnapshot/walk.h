/* Walking a directory tree into an entry list (nothing is read yet). */
#ifndef MLSNAPSHOT_WALK_H
#define MLSNAPSHOT_WALK_H

#include "entries.h"
#include "exclude.h"

/*
 * Opens root (following it when it is a symlink: it is what the user named)
 * and returns its fd, or dies with EXIT_USAGE when it is missing, not a
 * directory or unreadable.
 */
int walk_open_root(const char *root);

/*
 * Adds every regular file and symlink below rootfd, minus the excluded, to l
 * (sorted), with the stat fields the cache keys on. Symlinks are read, never
 * followed. Other file types (fifos, sockets, devices) are skipped with a
 * warning. An unreadable directory or a name that is not UTF-8 dies with
 * EXIT_USAGE. The names' lstat calls are shared out between up to threads
 * threads.
 */
void walk_tree(int rootfd, const char *root, const struct excludes *x, int threads,
	       struct entry_list *l);

/* "root/rel" for messages, without doubling a trailing slash. */
char *walk_display_path(const char *root, const char *rel);

#endif

/* Hashing the files of an entry list on N threads. */
#ifndef MLSNAPSHOT_HASHPOOL_H
#define MLSNAPSHOT_HASHPOOL_H

#include "entries.h"

/* The number of online cores (at least 1). */
int hashpool_default_threads(void);

/*
 * Hashes every file entry of l whose hash is still empty, reading it through
 * rootfd (never following a symlink), on up to threads threads. Sizes become
 * the bytes actually read. The first unreadable file, in path order, dies
 * with EXIT_USAGE naming it (root is used in the message).
 */
void hashpool_run(int rootfd, const char *root, struct entry_list *l, int threads);

#endif

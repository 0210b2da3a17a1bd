/* Taking a snapshot of a directory: walk, stat cache, hash, record. */
#ifndef MLSNAPSHOT_SNAPSHOT_H
#define MLSNAPSHOT_SNAPSHOT_H

#include <cjson/cJSON.h>

#include "entries.h"
#include "exclude.h"

struct snapshot_opts {
	const char *root;
	const char *output;     /* -o ARCHIVE, or NULL */
	struct excludes x;
	int threads;
	int use_cache;
	int pretty;
};

/*
 * Fills l with the hashed entries of the tree at root. Returns the root's fd
 * (for re-reading files), which the caller closes.
 */
int snapshot_dir(const char *root, const struct excludes *x, int threads, int use_cache,
		 struct entry_list *l);

/* A finished snapshot record (root as given). */
cJSON *snapshot_record(const char *root, const struct excludes *x, const struct entry_list *l);

/* Prints what record_print(snapshot_record(...)) would, without the tree. */
void snapshot_print(const char *root, const struct excludes *x, const struct entry_list *l,
		    int pretty);

/* mlsnapshot [-o ARCHIVE] ... DIR: prints the record; returns the exit status. */
int snapshot_main(struct snapshot_opts *o);

#endif

/*
 * Reading a tar archive (plain, gzip, zstd, ... whatever libarchive reads)
 * into an entry list, refusing what no snapshot can hold. Used by verify and
 * diff to compare, and by extract to write the entries out as they stream by.
 */
#ifndef MLSNAPSHOT_TARREAD_H
#define MLSNAPSHOT_TARREAD_H

#include <stddef.h>
#include <stdint.h>

#include "entries.h"

struct tarread_limits {
	uint64_t max_size;    /* total bytes of file data; 0: no limit */
	double max_ratio;     /* uncompressed / compressed bytes; 0: no limit */
};

/* What extract does with each entry; NULL when only reading. */
struct tarread_ops {
	void *ctx;
	void (*dir)(void *ctx, const char *path);
	/* Returns the fd to write the file's data to (the scanner closes it). */
	int (*file)(void *ctx, const char *path, int exec);
	void (*symlink)(void *ctx, const char *path, const char *target);
};

/*
 * Reads every entry of the archive at path into l (sorted). Exits 2 when the
 * archive cannot be read (missing, not a tar, corrupt, truncated), and 1
 * ("refused") on an absolute path, a ".." component, a hardlink, a device,
 * fifo or socket, a duplicate entry, an entry below a non-directory, or (with
 * limits) too much data; with ops, also a symlink whose target leaves the
 * tree by its text (extract checks the links it made once all are there).
 */
void tarread_scan(const char *path, const struct tarread_limits *lim,
		  const struct tarread_ops *ops, struct entry_list *l);

/*
 * tarread_scan's core, which never exits on a bad archive: reads the archive
 * at path or, when data is not NULL, the size bytes at data (path then only
 * names it). Returns 0, or the status tarread_scan would exit with (1
 * refused, 2 unreadable, 3 a write through ops failed) with *msg its
 * message, to free, and l freed.
 */
int tarread_read(const char *path, const void *data, size_t size,
		 const struct tarread_limits *lim, const struct tarread_ops *ops,
		 struct entry_list *l, char **msg);

/*
 * 1 when a symlink at path (relative to the tree) with this target stays in
 * the tree by its text alone: not absolute, never more ".." than depth.
 */
int symlink_target_inside(const char *path, const char *target);

#endif

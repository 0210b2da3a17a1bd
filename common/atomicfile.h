/*
 * Replace a file atomically: a temp file in the same directory, written,
 * fsynced, renamed over the target, and the directory fsynced. A temp file
 * that is never committed is removed at exit and on SIGINT/SIGTERM/SIGHUP,
 * so no half-written file is ever left under the final name or beside it.
 */
#ifndef MLGATE_ATOMICFILE_H
#define MLGATE_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

struct atomicfile {
	char *path;  /* the final name */
	char *tmp;   /* the temp file beside it */
	int fd;
};

/* 0, or -1 with errno. mode is the final file's mode (e.g. 0644). */
int atomicfile_open(struct atomicfile *af, const char *path, mode_t mode);
int atomicfile_write(struct atomicfile *af, const void *buf, size_t len);
/* fsync, close, rename, fsync the directory. 0, or -1 with errno (the temp is removed). */
int atomicfile_commit(struct atomicfile *af);
/* Closes and removes the temp file. Safe to call after a failed commit. */
void atomicfile_abort(struct atomicfile *af);

/* The whole dance for a buffer. 0, or -1 with errno. */
int atomicfile_replace(const char *path, const void *buf, size_t len, mode_t mode);
/* atomicfile_replace() or die(EXIT_IO, "cannot write 'path': ...") */
void atomicfile_replace_or_die(const char *path, const void *buf, size_t len, mode_t mode);

/* fsync the directory that holds path (or path itself when it is a directory). */
int fsync_parent_dir(const char *path);
int fsync_dir(const char *dir);

/*
 * Temp paths (files or directories) removed at exit and on fatal signals
 * unless forgotten first. Directories are removed recursively.
 */
void cleanup_register(const char *path);
void cleanup_forget(const char *path);

/* mkdir -p; 0 or -1 with errno. */
int mkdir_p(const char *path, mode_t mode);
/* rm -rf; 0 or -1 with errno. */
int remove_tree(const char *path);

#endif

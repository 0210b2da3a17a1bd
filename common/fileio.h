/* Reading whole inputs and checked writes to stdout. */
#ifndef MLGATE_FILEIO_H
#define MLGATE_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads all of path ("-" is stdin) into a new NUL-terminated buffer.
 * Returns 0, or -1 with errno set (the buffer is then NULL).
 */
int file_read(const char *path, char **buf, size_t *len);

/* file_read() or die(EXIT_USAGE, "cannot read 'path': ...") */
char *file_read_or_die(const char *path, size_t *len);

/* write(2) until done, retrying on EINTR. 0 or -1 with errno. */
int write_all(int fd, const void *buf, size_t len);

/* Writes to stdout or dies with EXIT_IO ("cannot write to standard output"). */
void stdout_write(const void *buf, size_t len);

/*
 * Flushes and closes stdout, dying with EXIT_IO on failure, so that
 * `tool > /dev/full` is an error. Call at the end of main, via atexit, or
 * both: only the first call acts.
 */
void stdout_close(void);

/* A display name for an input path: "standard input" for "-". */
const char *file_display_name(const char *path);

#endif

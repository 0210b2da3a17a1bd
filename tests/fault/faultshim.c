/*
 * An LD_PRELOAD shim that makes one kind of system call fail, so that the
 * tests can show every tool reporting an I/O error cleanly and leaving the
 * previous state intact.
 *
 *   FAULT_CALL   write | fsync | rename | open   (open covers mkstemp too)
 *   FAULT_ERRNO  EIO | ENOSPC                    (default EIO)
 *   FAULT_MATCH  fail only when the file's path contains this (optional)
 *   FAULT_NTH    fail from the Nth matching call on (default 1)
 *
 * Standard input, output and error are never failed (fds 0-2), nor files
 * under /proc, /sys and /dev, nor opens for reading: the point is the
 * tools' own writes. glibc's stdio calls the kernel directly, so only the
 * tools' explicit write(2), fsync(2), rename(2) and open(2) are seen.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static int fault_errno(void)
{
	const char *e = getenv("FAULT_ERRNO");

	return e && strcmp(e, "ENOSPC") == 0 ? ENOSPC : EIO;
}

static int ignored_path(const char *path)
{
	return strncmp(path, "/proc/", 6) == 0 || strncmp(path, "/sys/", 5) == 0 ||
	       strncmp(path, "/dev/", 5) == 0;
}

static int path_matches(const char *path)
{
	const char *m = getenv("FAULT_MATCH");
	char abs[8192];

	if (!path)
		return 0;
	/* FAULT_MATCH names absolute folders: resolve relative paths first. */
	if (path[0] != '/' && getcwd(abs, 4096)) {
		size_t n = strlen(abs);
		snprintf(abs + n, sizeof abs - n, "/%s", path);
		path = abs;
	}
	if (ignored_path(path))
		return 0;
	return !m || !*m || strstr(path, m) != NULL;
}

static int fd_matches(int fd)
{
	char link[64], path[4096];
	ssize_t n;

	if (fd <= 2)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return path[0] == '/' && path_matches(path);
}

/* 1 when this call of kind `call` on a matching file must fail. */
static int should_fail(const char *call, int matches)
{
	static int seen;
	const char *want = getenv("FAULT_CALL"), *nth = getenv("FAULT_NTH");

	if (!want || strcmp(want, call) != 0 || !matches)
		return 0;
	seen++;
	return seen >= (nth ? atoi(nth) : 1);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buf, size_t n)
{
	if (should_fail("write", fd_matches(fd))) {
		errno = fault_errno();
		return -1;
	}
	return REAL(write)(fd, buf, n);
}

int fsync(int fd)
{
	if (should_fail("fsync", fd_matches(fd))) {
		errno = fault_errno();
		return -1;
	}
	return REAL(fsync)(fd);
}

int fdatasync(int fd)
{
	if (should_fail("fsync", fd_matches(fd))) {
		errno = fault_errno();
		return -1;
	}
	return REAL(fdatasync)(fd);
}

int rename(const char *from, const char *to)
{
	if (should_fail("rename", path_matches(to))) {
		errno = fault_errno();
		return -1;
	}
	return REAL(rename)(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	if (should_fail("rename", path_matches(to))) {
		errno = fault_errno();
		return -1;
	}
	return REAL(renameat)(fromfd, from, tofd, to);
}

static int writes(int flags)
{
	return (flags & (O_WRONLY | O_RDWR | O_CREAT)) != 0;
}

/* The open family takes a mode only with O_CREAT; fail or pass it on. */
#define OPEN_WRAPPER(name, proto, pathexpr, ...)                                  \
	int name proto                                                           \
	{                                                                        \
		mode_t mode = 0;                                                 \
		va_list ap;                                                      \
		va_start(ap, flags);                                             \
		if (flags & O_CREAT)                                             \
			mode = (mode_t)va_arg(ap, int);                          \
		va_end(ap);                                                      \
		if (writes(flags) && should_fail("open", path_matches(pathexpr))) { \
			errno = fault_errno();                                   \
			return -1;                                               \
		}                                                                \
		return REAL(name)(__VA_ARGS__, mode);                            \
	}

OPEN_WRAPPER(open, (const char *path, int flags, ...), path, path, flags)
OPEN_WRAPPER(open64, (const char *path, int flags, ...), path, path, flags)
OPEN_WRAPPER(openat, (int dirfd, const char *path, int flags, ...), path, dirfd, path, flags)

int mkstemp(char *tmpl)
{
	if (should_fail("open", path_matches(tmpl))) {
		errno = fault_errno();
		return -1;
	}
	return REAL(mkstemp)(tmpl);
}

int mkostemp(char *tmpl, int flags)
{
	if (should_fail("open", path_matches(tmpl))) {
		errno = fault_errno();
		return -1;
	}
	return REAL(mkostemp)(tmpl, flags);
}

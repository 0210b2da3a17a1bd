#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "xalloc.h"

const char *file_display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "standard input" : path;
}

static int read_fd(int fd, char **buf, size_t *len)
{
	struct stat st;
	size_t cap = 65536, n = 0;
	char *p;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	p = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			p = xrealloc(p, cap);
		}
		ssize_t r = read(fd, p + n, cap - n - 1);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			free(p);
			errno = saved;
			return -1;
		}
		n += (size_t)r;
	}
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;
}

int file_read(const char *path, char **buf, size_t *len)
{
	int fd, rc, saved;
	struct stat st;

	*buf = NULL;
	*len = 0;
	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, buf, len);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	rc = read_fd(fd, buf, len);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

char *file_read_or_die(const char *path, size_t *len)
{
	char *buf;
	size_t n;

	if (file_read(path, &buf, &n) < 0)
		die(EXIT_USAGE, "cannot read '%s': %s", file_display_name(path), strerror(errno));
	if (len)
		*len = n;
	return buf;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

void stdout_write(const void *buf, size_t len)
{
	if (len && fwrite(buf, 1, len, stdout) != len)
		die_errno("cannot write to standard output");
}

void stdout_close(void)
{
	static int closed;

	/* Called from main and from atexit alike: close once. */
	if (closed)
		return;
	closed = 1;
	/* A closed stdout (EBADF) is the caller's choice, not our failure. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int saved = errno;
		if (saved != EBADF) {
			errno = saved;
			die_errno("cannot write to standard output");
		}
	}
	if (fclose(stdout) != 0 && errno != EBADF)
		die_errno("cannot write to standard output");
}

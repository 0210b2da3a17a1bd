/* Hashed copies and safe relative paths. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "copy.h"
#include "err.h"
#include "fileio.h"
#include "xalloc.h"

static void make_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash) {
		*slash = '\0';
		if (mkdir_p(dir, 0755) < 0)
			die_errno("cannot create '%s'", dir);
	}
	free(dir);
}

void copy_hashed(const char *src, const char *dst, char hash[HASH_STR_LEN], uint64_t *size)
{
	static char buf[1 << 17];
	unsigned char digest[SHA256_LEN];
	struct sha256 h;
	ssize_t got;
	int in, out;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		die(EXIT_USAGE, "cannot read '%s': %s", src, strerror(errno));
	make_parent(dst);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0)
		die_errno("cannot create '%s'", dst);
	sha256_init(&h);
	*size = 0;
	while ((got = read(in, buf, sizeof buf)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			die(EXIT_USAGE, "cannot read '%s': %s", src, strerror(errno));
		}
		sha256_update(&h, buf, (size_t)got);
		if (write_all(out, buf, (size_t)got) < 0)
			die_errno("cannot write '%s'", dst);
		*size += (uint64_t)got;
	}
	sha256_final(&h, digest);
	hash_format(digest, hash);
	if (fsync(out) < 0 || close(out) < 0)
		die_errno("cannot write '%s'", dst);
	close(in);
}

char *safe_relpath(const char *path)
{
	char *copy, *part, *save = NULL;
	size_t len;

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (!*path || path[0] == '/')
		return NULL;
	copy = xstrdup(path);
	for (part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save))
		if (!strcmp(part, "..") || !strcmp(part, "."))
			break;
	free(copy);
	len = strlen(path);
	if (part || strstr(path, "//") || path[len - 1] == '/')
		return NULL;
	return xstrdup(path);
}

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "err.h"
#include "fileio.h"
#include "xalloc.h"

/* ---- paths to remove at exit or on a fatal signal ---- */

#define CLEANUP_MAX 64
static char *volatile cleanup_paths[CLEANUP_MAX];
static int cleanup_installed;

static void cleanup_run(void)
{
	for (int i = 0; i < CLEANUP_MAX; i++) {
		char *p = cleanup_paths[i];
		if (p) {
			cleanup_paths[i] = NULL;
			remove_tree(p);
			free(p);
		}
	}
}

static void cleanup_on_signal(int sig)
{
	/* unlink/rmdir only: enough for temp files, and async-signal-safe. */
	for (int i = 0; i < CLEANUP_MAX; i++)
		if (cleanup_paths[i] && unlink(cleanup_paths[i]) < 0)
			remove_tree(cleanup_paths[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void cleanup_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

	if (cleanup_installed)
		return;
	cleanup_installed = 1;
	atexit(cleanup_run);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction sa, old;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = cleanup_on_signal;
		sigemptyset(&sa.sa_mask);
		/* Leave alone a signal the caller chose to ignore. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void cleanup_register(const char *path)
{
	cleanup_install();
	for (int i = 0; i < CLEANUP_MAX; i++)
		if (!cleanup_paths[i]) {
			cleanup_paths[i] = xstrdup(path);
			return;
		}
	die(EXIT_IO, "too many temporary files");
}

void cleanup_forget(const char *path)
{
	for (int i = 0; i < CLEANUP_MAX; i++)
		if (cleanup_paths[i] && strcmp(cleanup_paths[i], path) == 0) {
			char *p = cleanup_paths[i];
			cleanup_paths[i] = NULL;
			free(p);
			return;
		}
}

/* ---- directories ---- */

static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc, saved;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	/* Some file systems cannot fsync a directory; that is not a failure. */
	if (rc < 0 && (saved == EINVAL || saved == ENOTSUP))
		rc = 0;
	errno = saved;
	return rc;
}

int fsync_parent_dir(const char *path)
{
	char *dir;
	int rc, saved;

	dir = parent_of(path);
	rc = fsync_dir(dir);
	saved = errno;
	free(dir);
	errno = saved;
	return rc;
}

int mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				rc = -1;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	if (rc == 0) {
		struct stat st;
		if (stat(path, &st) < 0)
			rc = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			rc = -1;
		}
	}
	int saved = errno;
	free(p);
	errno = saved;
	return rc;
}

static int remove_dir_contents(int dirfd)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		close(dirfd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd, e->d_name, 0) == 0)
			continue;
		if (errno != EISDIR && errno != EPERM) {
			rc = -1;
			continue;
		}
		int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || remove_dir_contents(sub) < 0 || unlinkat(dirfd, e->d_name, AT_REMOVEDIR) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int remove_tree(const char *path)
{
	int fd;

	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (remove_dir_contents(fd) < 0)
		return -1;
	return rmdir(path);
}

/* ---- atomic replacement ---- */

int atomicfile_open(struct atomicfile *af, const char *path, mode_t mode)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	mode_t mask;

	af->path = xstrdup(path);
	af->tmp = xasprintf("%.*s.%s.tmp-XXXXXX", slash ? (int)(slash - path + 1) : 0, path, base);
	af->fd = mkstemp(af->tmp);
	if (af->fd < 0) {
		int saved = errno;
		free(af->path);
		free(af->tmp);
		af->path = af->tmp = NULL;
		errno = saved;
		return -1;
	}
	cleanup_register(af->tmp);
	fcntl(af->fd, F_SETFD, FD_CLOEXEC);
	mask = umask(0);
	umask(mask);
	if (fchmod(af->fd, mode & ~mask) < 0) {
		int saved = errno;
		atomicfile_abort(af);
		errno = saved;
		return -1;
	}
	return 0;
}

int atomicfile_write(struct atomicfile *af, const void *buf, size_t len)
{
	return write_all(af->fd, buf, len);
}

int atomicfile_commit(struct atomicfile *af)
{
	int saved;

	if (fsync(af->fd) < 0)
		goto fail;
	if (close(af->fd) < 0) {
		af->fd = -1;
		goto fail;
	}
	af->fd = -1;
	if (rename(af->tmp, af->path) < 0)
		goto fail;
	cleanup_forget(af->tmp);
	if (fsync_parent_dir(af->path) < 0)
		goto fail_renamed;
	free(af->tmp);
	free(af->path);
	af->tmp = af->path = NULL;
	return 0;
fail:
	saved = errno;
	atomicfile_abort(af);
	errno = saved;
	return -1;
fail_renamed:
	saved = errno;
	free(af->tmp);
	free(af->path);
	af->tmp = af->path = NULL;
	errno = saved;
	return -1;
}

void atomicfile_abort(struct atomicfile *af)
{
	if (af->fd >= 0)
		close(af->fd);
	af->fd = -1;
	if (af->tmp) {
		unlink(af->tmp);
		cleanup_forget(af->tmp);
	}
	free(af->tmp);
	free(af->path);
	af->tmp = af->path = NULL;
}

int atomicfile_replace(const char *path, const void *buf, size_t len, mode_t mode)
{
	struct atomicfile af;

	if (atomicfile_open(&af, path, mode) < 0)
		return -1;
	if (atomicfile_write(&af, buf, len) < 0) {
		int saved = errno;
		atomicfile_abort(&af);
		errno = saved;
		return -1;
	}
	return atomicfile_commit(&af);
}

void atomicfile_replace_or_die(const char *path, const void *buf, size_t len, mode_t mode)
{
	if (atomicfile_replace(path, buf, len, mode) < 0)
		die_errno("cannot write '%s'", path);
}

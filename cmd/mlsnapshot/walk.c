#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "strbuf.h"
#include "walk.h"
#include "xalloc.h"

struct walker {
	const char *root;
	const struct excludes *x;
	struct entry_list *l;
	struct strbuf rel;   /* the path being visited, relative to root */
};

char *walk_display_path(const char *root, const char *rel)
{
	size_t n = strlen(root);

	if (!*rel)
		return xstrdup(root);
	if (n > 0 && root[n - 1] == '/')
		return xasprintf("%s%s", root, rel);
	return xasprintf("%s/%s", root, rel);
}

_Noreturn static void die_at(const struct walker *w, const char *what, int errnum)
{
	char *shown = walk_display_path(w->root, w->rel.buf ? w->rel.buf : "");

	die(EXIT_USAGE, "cannot %s '%s': %s", what, shown, strerror(errnum));
}

int walk_open_root(const char *root)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *probe;

	if (fd < 0)
		die(EXIT_USAGE, "cannot read directory '%s': %s", root, strerror(errno));
	/* Opening needs only search permission; listing needs read. */
	probe = fdopendir(dup(fd));
	if (!probe)
		die(EXIT_USAGE, "cannot read directory '%s': %s", root, strerror(errno));
	closedir(probe);
	return fd;
}

static char *read_link(struct walker *w, int dfd, const char *name, size_t hint)
{
	size_t cap = hint + 2;

	for (;;) {
		char *buf = xmalloc(cap);
		ssize_t n = readlinkat(dfd, name, buf, cap);
		if (n < 0) {
			int e = errno;
			free(buf);
			die_at(w, "read symlink", e);
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		cap *= 2;
	}
}

static void walk_dir(struct walker *w, int dfd);

static void visit(struct walker *w, int dfd, const char *name)
{
	struct stat st;
	struct snapent *e;

	if (!utf8_valid(name))
		die(EXIT_USAGE, "'%s': file name is not valid UTF-8", w->rel.buf);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		die_at(w, "stat", errno);
	if (excludes_match(w->x, w->rel.buf))
		return;
	if (S_ISDIR(st.st_mode)) {
		int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			die_at(w, "read directory", errno);
		walk_dir(w, sub);
		return;
	}
	if (S_ISREG(st.st_mode)) {
		e = entries_add(w->l, w->rel.buf, ENTRY_FILE);
		e->size = (uint64_t)st.st_size;
		e->exec = (st.st_mode & 0111) != 0;
	} else if (S_ISLNK(st.st_mode)) {
		char *target = read_link(w, dfd, name, (size_t)st.st_size);
		if (!utf8_valid(target)) {
			free(target);
			die(EXIT_USAGE, "'%s': symlink target is not valid UTF-8", w->rel.buf);
		}
		e = entries_add(w->l, w->rel.buf, ENTRY_SYMLINK);
		e->target = target;
		e->size = strlen(target);
	} else {
		char *shown = walk_display_path(w->root, w->rel.buf);
		warnmsg("skipping '%s': not a regular file, directory or symlink", shown);
		free(shown);
		return;
	}
	e->ino = (uint64_t)st.st_ino;
	e->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
}

/* Takes ownership of dfd. */
static void walk_dir(struct walker *w, int dfd)
{
	DIR *d = fdopendir(dfd);
	size_t base = w->rel.len;
	struct dirent *de;

	if (!d)
		die_at(w, "read directory", errno);
	rewinddir(d); /* the root's fd is a dup: its offset is shared */
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		w->rel.len = base;
		if (base)
			strbuf_addch(&w->rel, '/');
		else
			strbuf_add(&w->rel, "", 0);
		strbuf_addstr(&w->rel, de->d_name);
		visit(w, dirfd(d), de->d_name);
	}
	if (errno) {
		w->rel.len = base;
		if (w->rel.buf)
			w->rel.buf[base] = '\0';
		die_at(w, "read directory", errno);
	}
	closedir(d);
	w->rel.len = base;
	if (w->rel.buf)
		w->rel.buf[base] = '\0';
}

void walk_tree(int rootfd, const char *root, const struct excludes *x, struct entry_list *l)
{
	struct walker w = { root, x, l, STRBUF_INIT };
	int fd = dup(rootfd);

	if (fd < 0)
		die_errno("cannot duplicate a file descriptor");
	walk_dir(&w, fd);
	strbuf_release(&w.rel);
	entries_sort(l);
}

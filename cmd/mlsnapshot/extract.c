#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "compare.h"
#include "err.h"
#include "exclude.h"
#include "extract.h"
#include "record.h"
#include "snapshot.h"
#include "source.h"
#include "strbuf.h"
#include "tarread.h"
#include "xalloc.h"

/* As the kernel's MAXSYMLINKS: more hops than this is a loop. */
#define MAX_HOPS 40

struct extractor {
	const char *archive;
	char *tmp;      /* the temp directory beside the target */
	int tmpfd;
	mode_t umask;
};

int extract_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (errno || *end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int extract_parse_ratio(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !isfinite(v) || (v != 0 && v < 1))
		return -1;
	*out = v;
	return 0;
}

/*
 * Opens the directory that holds path inside the temp tree, creating missing
 * directories, never following a symlink. Returns its fd; *name is the last
 * component.
 */
static int open_parent(struct extractor *x, char *path, const char **name)
{
	int fd = dup(x->tmpfd);
	char *c = path, *slash;

	if (fd < 0)
		die_errno("cannot extract '%s'", path);
	while ((slash = strchr(c, '/'))) {
		*slash = '\0';
		if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST)
			die_errno("cannot create '%s'", path);
		int sub = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			die_errno("cannot open '%s'", path);
		*slash = '/';
		close(fd);
		fd = sub;
		c = slash + 1;
	}
	*name = c;
	return fd;
}

static void make_dir(void *ctx, const char *path)
{
	struct extractor *x = ctx;
	char *p = xstrdup(path);
	const char *name;
	int fd = open_parent(x, p, &name);

	if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
		die_errno("cannot create '%s'", path);
	close(fd);
	free(p);
}

static int make_file(void *ctx, const char *path, int exec)
{
	struct extractor *x = ctx;
	char *p = xstrdup(path);
	const char *name;
	int dfd = open_parent(x, p, &name);
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			exec ? 0755 : 0644);

	if (fd < 0)
		die_errno("cannot create '%s'", path);
	close(dfd);
	free(p);
	return fd;
}

static void make_symlink(void *ctx, const char *path, const char *target)
{
	struct extractor *x = ctx;
	char *p = xstrdup(path);
	const char *name;
	int fd = open_parent(x, p, &name);

	if (symlinkat(target, fd, name) < 0)
		die_errno("cannot create '%s'", path);
	close(fd);
	free(p);
}

/* Takes the next component off *rest into out; 0 when none is left. */
static int next_component(const char **rest, struct strbuf *out)
{
	const char *c = *rest;
	size_t n;

	while (*c == '/')
		c++;
	if (!*c)
		return 0;
	n = strcspn(c, "/");
	strbuf_reset(out);
	strbuf_add(out, c, n);
	*rest = c + n;
	return 1;
}

/*
 * 1 when the symlink at path, resolved as the kernel would but within the
 * temp tree (every link on the way followed), never leaves it.
 */
static int link_stays_inside(struct extractor *x, const char *path)
{
	struct strbuf cur = STRBUF_INIT, comp = STRBUF_INIT, todo = STRBUF_INIT;
	const char *rest;
	int hops = 0, inside = 1;
	char *slash;

	/* Start in the link's directory, with the link itself to resolve. */
	strbuf_addstr(&cur, path);
	slash = strrchr(cur.buf, '/');
	cur.len = slash ? (size_t)(slash - cur.buf) : 0;
	cur.buf[cur.len] = '\0';
	strbuf_addstr(&todo, slash ? slash + 1 : path);
	rest = todo.buf;
	while (inside && next_component(&rest, &comp)) {
		if (strcmp(comp.buf, ".") == 0)
			continue;
		if (strcmp(comp.buf, "..") == 0) {
			if (cur.len == 0) {
				inside = 0;
				break;
			}
			slash = strrchr(cur.buf, '/');
			cur.len = slash ? (size_t)(slash - cur.buf) : 0;
			cur.buf[cur.len] = '\0';
			continue;
		}
		size_t before = cur.len;
		if (cur.len)
			strbuf_addch(&cur, '/');
		strbuf_addstr(&cur, comp.buf);
		struct stat st;
		/*
		 * A name that does not exist (yet) is taken as a folder, and links met
		 * after it are followed all the same: stricter than the kernel, which
		 * stops there, so that creating it later cannot open a way out.
		 */
		if (fstatat(x->tmpfd, cur.buf, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode))
			continue;
		if (++hops > MAX_HOPS) {
			inside = 0;
			break;
		}
		char *target = xmalloc((size_t)st.st_size + 1);
		ssize_t n = readlinkat(x->tmpfd, cur.buf, target, (size_t)st.st_size + 1);
		if (n < 0 || n > st.st_size || n == 0 || target[0] == '/') {
			free(target);
			inside = 0;
			break;
		}
		target[n] = '\0';
		/* The link is replaced by its target, resolved from the link's folder. */
		cur.len = before;
		cur.buf[cur.len] = '\0';
		struct strbuf next = STRBUF_INIT;
		strbuf_addstr(&next, target);
		strbuf_addch(&next, '/');
		strbuf_addstr(&next, rest);
		free(target);
		strbuf_release(&todo);
		todo = next;
		rest = todo.buf;
	}
	strbuf_release(&cur);
	strbuf_release(&comp);
	strbuf_release(&todo);
	return inside;
}

static void check_links(struct extractor *x, const struct entry_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].type == ENTRY_SYMLINK && !link_stays_inside(x, l->v[i].path))
			die(EXIT_NO, "'%s': refused entry '%s': symlink target leaves the tree",
			    x->archive, l->v[i].path);
}

/* The temp directory beside dir: same file system, so the rename is atomic. */
static char *make_temp_beside(const char *dir)
{
	char *copy = xstrdup(dir);
	size_t n = strlen(copy);
	char *slash, *tmp;

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	slash = strrchr(copy, '/');
	if (slash)
		tmp = xasprintf("%.*s/.%s.mlsnapshot-XXXXXX", (int)(slash - copy), copy, slash + 1);
	else
		tmp = xasprintf(".%s.mlsnapshot-XXXXXX", copy);
	free(copy);
	if (!mkdtemp(tmp)) {
		int e = errno;
		die(e == ENOENT || e == ENOTDIR ? EXIT_USAGE : EXIT_IO,
		    "cannot create a directory beside '%s': %s", dir, strerror(e));
	}
	cleanup_register(tmp);
	return tmp;
}

/* 1 when the tree matches the snapshot, as verify sees it (its excludes applied). */
static int verify_against(const struct entry_list *got, const struct entry_list *want,
			  const struct excludes *ex, int pretty)
{
	/* A shallow view: got keeps owning the strings. */
	struct entry_list kept = { xcalloc(got->n ? got->n : 1, sizeof(struct snapent)), 0, got->n };
	cJSON *out;
	int same;

	for (size_t i = 0; i < got->n; i++)
		if (!excludes_match_tree(ex, got->v[i].path))
			kept.v[kept.n++] = got->v[i];
	out = compare_entries(want, &kept, &same);
	if (!same)
		record_print(out, pretty);
	cJSON_Delete(out);
	free(kept.v);
	return same;
}

int extract_main(struct extract_opts *o)
{
	struct extractor x = { .archive = o->archive };
	struct tarread_limits lim = { o->max_size, o->max_ratio };
	struct tarread_ops ops = { &x, make_dir, make_file, make_symlink };
	struct entry_list want = ENTRY_LIST_INIT, got = ENTRY_LIST_INIT;
	struct excludes ex = EXCLUDES_INIT, none = EXCLUDES_INIT;
	struct stat st;
	int status = EXIT_OK;

	if (o->snapshot)
		source_load_snapshot(o->snapshot, &want, &ex);
	if (lstat(o->dir, &st) == 0 || errno != ENOENT)
		die(EXIT_USAGE, "'%s' already exists", o->dir);
	x.umask = umask(0);
	umask(x.umask);
	x.tmp = make_temp_beside(o->dir);
	x.tmpfd = open(x.tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x.tmpfd < 0)
		die_errno("cannot open '%s'", x.tmp);
	tarread_scan(o->archive, &lim, &ops, &got);
	check_links(&x, &got);
	if (o->snapshot && !verify_against(&got, &want, &ex, o->pretty)) {
		warnmsg("'%s' does not match '%s': nothing extracted", o->archive, o->snapshot);
		status = EXIT_NO; /* the temp tree goes at exit */
		goto out;
	}
	if (fchmod(x.tmpfd, 0755 & ~x.umask) < 0 || fsync(x.tmpfd) < 0)
		die_errno("cannot write '%s'", x.tmp);
	close(x.tmpfd);
	if (lstat(o->dir, &st) == 0)
		die(EXIT_NO, "'%s' appeared while extracting", o->dir);
	if (rename(x.tmp, o->dir) < 0)
		die_errno("cannot rename '%s' to '%s'", x.tmp, o->dir);
	cleanup_forget(x.tmp);
	if (fsync_parent_dir(o->dir) < 0)
		die_errno("cannot sync the directory of '%s'", o->dir);
	snapshot_print(o->dir, &none, &got, o->pretty);
out:
	free(x.tmp);
	entries_free(&want);
	entries_free(&got);
	excludes_free(&ex);
	return status;
}

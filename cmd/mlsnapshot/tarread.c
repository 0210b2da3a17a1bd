#define _XOPEN_SOURCE 700 /* tsearch */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "err.h"
#include "fileio.h"
#include "hash.h"
#include "strbuf.h"
#include "tarread.h"
#include "xalloc.h"

#define DATA_SIZE (1u << 20)
/* Below this much output, the ratio says nothing: tar's padding alone varies it. */
#define RATIO_MIN_BYTES (1u << 20)

/* Every path seen, to refuse duplicates and entries below a non-directory. */
struct seen {
	char *path;
	char is_dir;
	char explicit;  /* an entry of its own (not only a parent of one) */
};

struct scan {
	const char *path;
	struct archive *a;
	const struct tarread_limits *lim;
	const struct tarread_ops *ops;
	struct entry_list *l;
	void *tree;             /* tsearch tree of struct seen */
	struct seen **all;
	size_t nall, capall;
	uint64_t total;
	unsigned char *buf;
	int status;             /* the first failure's exit status, 0 while none */
	char *msg;              /* and its message */
};

static int seen_cmp(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->path, ((const struct seen *)b)->path);
}

static void scan_release(struct scan *s)
{
	for (size_t i = 0; i < s->nall; i++) {
		tdelete(s->all[i], &s->tree, seen_cmp);
		free(s->all[i]->path);
		free(s->all[i]);
	}
	free(s->all);
	free(s->buf);
	if (s->a)
		archive_read_free(s->a);
	s->a = NULL;
	s->all = NULL;
	s->buf = NULL;
	s->nall = 0;
}

/* Each failure is kept (the first only) and -1 passed up to tarread_read. */
static int fail(struct scan *s, int status, char *msg)
{
	if (s->status) {
		free(msg);
		return -1;
	}
	s->status = status;
	s->msg = msg;
	return -1;
}

static int refuse(struct scan *s, const char *entry, const char *why)
{
	return fail(s, EXIT_NO, xasprintf("'%s': refused entry '%s': %s", s->path, entry, why));
}

static int unreadable(struct scan *s)
{
	const char *why = s->a ? archive_error_string(s->a) : NULL;

	return fail(s, EXIT_USAGE, xasprintf("cannot read archive '%s': %s", s->path,
					     why ? why : "corrupt or truncated"));
}

static int unwritable(struct scan *s, const char *entry)
{
	return fail(s, EXIT_IO, xasprintf("cannot write '%s': %s", entry, strerror(errno)));
}

static struct seen *seen_lookup(struct scan *s, const char *path, int insert)
{
	struct seen key = { (char *)path, 0, 0 };
	struct seen **found = tfind(&key, &s->tree, seen_cmp);
	struct seen *n;

	if (found || !insert)
		return found ? *found : NULL;
	n = xcalloc(1, sizeof(*n));
	n->path = xstrdup(path);
	if (s->nall == s->capall) {
		s->capall = s->capall ? s->capall * 2 : 256;
		s->all = xreallocarray(s->all, s->capall, sizeof(*s->all));
	}
	s->all[s->nall++] = n;
	tsearch(n, &s->tree, seen_cmp);
	return n;
}

/* Records path (and its parents as directories), refusing any conflict. */
static int claim(struct scan *s, char *path, int is_dir)
{
	struct seen *n;

	for (char *p = path; (p = strchr(p, '/')); p++) {
		*p = '\0';
		n = seen_lookup(s, path, 1);
		if (!n->explicit)
			n->is_dir = 1;
		*p = '/';
		if (!n->is_dir)
			return refuse(s, path, "a parent is not a directory");
	}
	n = seen_lookup(s, path, 1);
	if (n->explicit || (n->is_dir && !is_dir))
		return refuse(s, path, "duplicate entry");
	n->explicit = 1;
	n->is_dir = (char)is_dir;
	return 0;
}

/*
 * The entry's path with "./", "." and empty components dropped into *out;
 * NULL for the root itself. Absolute paths and ".." are refused (-1).
 */
static int normalise(struct scan *s, const char *raw, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	const char *c = raw;

	*out = NULL;
	if (raw[0] == '/')
		return refuse(s, raw, "absolute path");
	while (*c) {
		size_t n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			strbuf_release(&sb);
			return refuse(s, raw, "path with a '..' component");
		}
		if (n > 0 && !(n == 1 && c[0] == '.')) {
			if (sb.len)
				strbuf_addch(&sb, '/');
			strbuf_add(&sb, c, n);
		}
		c += n;
		if (*c == '/')
			c++;
	}
	if (sb.len)
		*out = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	return 0;
}

int symlink_target_inside(const char *path, const char *target)
{
	int depth = 0;
	const char *c;

	if (target[0] == '/' || !target[0])
		return 0;
	for (c = path; (c = strchr(c, '/')); c++)
		depth++;
	for (c = target; *c;) {
		size_t n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (--depth < 0)
				return 0;
		} else if (n > 0 && !(n == 1 && c[0] == '.')) {
			depth++;
		}
		c += n;
		if (*c == '/')
			c++;
	}
	return 1;
}

static int check_ratio(struct scan *s, const char *entry)
{
	la_int64_t out = archive_filter_bytes(s->a, 0);
	la_int64_t in = archive_filter_bytes(s->a, -1);

	if (s->lim->max_ratio > 0 && out > (la_int64_t)RATIO_MIN_BYTES && in > 0 &&
	    (double)out > s->lim->max_ratio * (double)in)
		return refuse(s, entry, "compression ratio over --max-ratio");
	return 0;
}

/* The file's data through the hash (and into fd, closed here, when not -1). */
static int read_file(struct scan *s, struct snapent *e, int fd, la_int64_t declared)
{
	unsigned char digest[SHA256_LEN];
	struct sha256 h;
	uint64_t total = 0;
	int rc = 0;

	if (s->lim && s->lim->max_size && (uint64_t)declared > s->lim->max_size - s->total)
		rc = refuse(s, e->path, "archive over --max-size");
	sha256_init(&h);
	while (rc == 0) {
		la_ssize_t r = archive_read_data(s->a, s->buf, DATA_SIZE);
		if (r == 0)
			break;
		if (r < 0) {
			rc = unreadable(s);
			break;
		}
		sha256_update(&h, s->buf, (size_t)r);
		total += (uint64_t)r;
		s->total += (uint64_t)r;
		if (s->lim && s->lim->max_size && s->total > s->lim->max_size)
			rc = refuse(s, e->path, "archive over --max-size");
		else if (s->lim)
			rc = check_ratio(s, e->path);
		if (rc == 0 && fd >= 0 && write_all(fd, s->buf, (size_t)r) < 0)
			rc = unwritable(s, e->path);
	}
	sha256_final(&h, digest);
	hash_format(digest, e->hash);
	e->size = total;
	if (fd < 0)
		return rc;
	if (rc == 0 && fsync(fd) < 0)
		rc = unwritable(s, e->path);
	if (close(fd) < 0 && rc == 0)
		rc = unwritable(s, e->path);
	return rc;
}

static int scan_entry(struct scan *s, struct archive_entry *ae)
{
	const char *raw = archive_entry_pathname_utf8(ae);
	mode_t type = archive_entry_filetype(ae);
	char *path;
	struct snapent *e;
	int rc = 0;

	if (!raw)
		raw = archive_entry_pathname(ae);
	if (!raw || !utf8_valid(raw))
		return refuse(s, raw ? raw : "?", "name is not valid UTF-8");
	if (archive_entry_hardlink(ae))
		return refuse(s, raw, "hardlink");
	if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return refuse(s, raw, "not a file, directory or symlink");
	if (normalise(s, raw, &path) < 0)
		return -1;
	if (!path) /* the root itself */
		return type == AE_IFDIR ? 0 : refuse(s, raw, "not a directory");
	/* Claimed before anything is written, so no entry replaces another. */
	if (claim(s, path, type == AE_IFDIR) < 0) {
		free(path);
		return -1;
	}
	if (type == AE_IFDIR) {
		if (s->ops)
			s->ops->dir(s->ops->ctx, path);
	} else if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink_utf8(ae);
		if (!target || !*target || !utf8_valid(target))
			rc = refuse(s, path, "symlink without a valid target");
		else if (s->ops && !symlink_target_inside(path, target))
			rc = refuse(s, path, "symlink target leaves the tree");
		if (rc == 0) {
			e = entries_add(s->l, path, ENTRY_SYMLINK);
			e->target = xstrdup(target);
			e->size = strlen(target);
			if (s->ops)
				s->ops->symlink(s->ops->ctx, path, target);
		}
	} else {
		int exec = (archive_entry_perm(ae) & 0111) != 0;
		e = entries_add(s->l, path, ENTRY_FILE);
		e->exec = exec;
		rc = read_file(s, e, s->ops ? s->ops->file(s->ops->ctx, path, exec) : -1,
			       archive_entry_size(ae));
	}
	free(path);
	return rc;
}

static int scan_open(struct scan *s, const void *data, size_t size)
{
	int rc;

	s->a = archive_read_new();
	if (!s->a)
		die(EXIT_IO, "out of memory");
	archive_read_support_filter_all(s->a);
	archive_read_support_format_tar(s->a);
	if (data)
		rc = archive_read_open_memory(s->a, data, size);
	else
		rc = archive_read_open_filename(s->a, s->path, 64 * 1024);
	return rc == ARCHIVE_OK ? 0 : unreadable(s);
}

int tarread_read(const char *path, const void *data, size_t size,
		 const struct tarread_limits *lim, const struct tarread_ops *ops,
		 struct entry_list *l, char **msg)
{
	struct scan s = { .path = path, .lim = lim, .ops = ops, .l = l };
	struct archive_entry *ae;
	int rc;

	s.buf = xmalloc(DATA_SIZE);
	if (scan_open(&s, data, size) == 0) {
		while ((rc = archive_read_next_header(s.a, &ae)) == ARCHIVE_OK)
			if (scan_entry(&s, ae) < 0)
				break;
		/* A warning is a damaged header: nothing to trust the rest on. */
		if (rc != ARCHIVE_EOF && rc != ARCHIVE_OK)
			unreadable(&s);
	}
	scan_release(&s);
	*msg = s.msg;
	if (s.status) {
		entries_free(l);
		return s.status;
	}
	entries_sort(l);
	return 0;
}

void tarread_scan(const char *path, const struct tarread_limits *lim,
		  const struct tarread_ops *ops, struct entry_list *l)
{
	char *msg;
	int status = tarread_read(path, NULL, 0, lim, ops, l, &msg);

	if (status)
		die(status, "%s", msg);
}

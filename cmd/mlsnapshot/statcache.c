#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomicfile.h"
#include "fileio.h"
#include "hash.h"
#include "statcache.h"
#include "strbuf.h"
#include "xalloc.h"

#define MAGIC "mlsnapshot-statcache 1 "
/* "end sha256:<64 hex>\n" */
#define TRAILER_LEN (4 + HASH_STR_LEN - 1 + 1)
#define RACY_NS INT64_C(1000000000)

struct cached {
	const char *path;    /* into buf, NUL-terminated in place */
	uint64_t ino, size;
	int64_t mtime_ns, ctime_ns;
	const char *hash;    /* into buf, HASH_STR_LEN - 1 chars */
};

struct statcache {
	char *realroot;
	char *dir;           /* the cache folder */
	char *file;
	char *buf;           /* the loaded cache */
	struct cached *v;
	size_t n;
	size_t hits;
};

static char *cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	/* The XDG spec says a relative value is to be ignored. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/mlgate", xdg);
	if (home && home[0] == '/')
		return xasprintf("%s/.cache/mlgate", home);
	return NULL;
}

/* 1 when dir (which may not exist yet) would lie inside the tree at realroot. */
static int inside_tree(const char *dir, const char *realroot)
{
	char *probe = xstrdup(dir);
	char *real = NULL;
	size_t n = strlen(realroot);
	int inside;

	while (!(real = realpath(probe, NULL))) {
		char *slash = strrchr(probe, '/');
		if (!slash || slash == probe) {
			free(probe);
			return 0;
		}
		*slash = '\0';
	}
	inside = strcmp(realroot, "/") == 0 ||
		(strncmp(real, realroot, n) == 0 && (real[n] == '\0' || real[n] == '/'));
	free(real);
	free(probe);
	return inside;
}

static int parse_u64(char **p, char stop, uint64_t *out)
{
	char *end;

	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(*p, &end, 10);
	if (errno || *end != stop)
		return -1;
	*out = v;
	*p = end + 1;
	return 0;
}

static int parse_i64(char **p, char stop, int64_t *out)
{
	char *end;

	if (!((**p >= '0' && **p <= '9') || **p == '-'))
		return -1;
	errno = 0;
	long long v = strtoll(*p, &end, 10);
	if (errno || *end != stop)
		return -1;
	*out = v;
	*p = end + 1;
	return 0;
}

static int parse_record(char **pp, char *end, struct cached *c)
{
	char *p = *pp;
	uint64_t len;

	if (parse_u64(&p, ' ', &c->ino) || parse_u64(&p, ' ', &c->size) ||
	    parse_i64(&p, ' ', &c->mtime_ns) || parse_i64(&p, ' ', &c->ctime_ns))
		return -1;
	if (end - p < HASH_STR_LEN || p[HASH_STR_LEN - 1] != ' ')
		return -1;
	p[HASH_STR_LEN - 1] = '\0';
	if (!hash_str_valid(p))
		return -1;
	c->hash = p;
	p += HASH_STR_LEN;
	if (parse_u64(&p, ' ', &len) || len == 0 || (uint64_t)(end - p) <= len || p[len] != '\n')
		return -1;
	if (memchr(p, '\0', len))
		return -1;
	p[len] = '\0';
	c->path = p;
	*pp = p + len + 1;
	return 0;
}

/* Parses the whole cache or nothing. */
static void load(struct statcache *c)
{
	size_t len, cap = 0;
	char *p, *end, *header;
	char sum[HASH_STR_LEN];

	if (file_read(c->file, &c->buf, &len) < 0)
		return;
	header = xasprintf(MAGIC "%zu %s\n", strlen(c->realroot), c->realroot);
	if (len < strlen(header) + TRAILER_LEN || memcmp(c->buf, header, strlen(header)) != 0)
		goto bad;
	end = c->buf + len - TRAILER_LEN;
	hash_buf_str(c->buf, (size_t)(end - c->buf), sum);
	if (memcmp(end, "end ", 4) != 0 || memcmp(end + 4, sum, HASH_STR_LEN - 1) != 0 ||
	    end[TRAILER_LEN - 1] != '\n')
		goto bad;
	for (p = c->buf + strlen(header); p < end;) {
		if (c->n == cap) {
			cap = cap ? cap * 2 : 256;
			c->v = xreallocarray(c->v, cap, sizeof(*c->v));
		}
		if (parse_record(&p, end, &c->v[c->n]) < 0)
			goto bad;
		if (c->n > 0 && strcmp(c->v[c->n - 1].path, c->v[c->n].path) >= 0)
			goto bad;
		c->n++;
	}
	free(header);
	return;
bad:
	free(header);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

struct statcache *statcache_open(const char *root)
{
	struct statcache *c;
	char *dir = cache_dir();
	char *realroot;
	char hex[HASH_STR_LEN];

	if (!dir)
		return NULL;
	realroot = realpath(root, NULL);
	if (!realroot || inside_tree(dir, realroot)) {
		free(realroot);
		free(dir);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->realroot = realroot;
	c->dir = dir;
	hash_buf_str(realroot, strlen(realroot), hex);
	c->file = xasprintf("%s/snapshot-%s", dir, hex + 7);
	load(c);
	return c;
}

void statcache_apply(struct statcache *c, struct entry_list *l)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n && k < c->n; i++) {
		struct snapent *e = &l->v[i];
		int cmp = 1;
		while (k < c->n && (cmp = strcmp(c->v[k].path, e->path)) < 0)
			k++;
		if (cmp != 0 || e->type != ENTRY_FILE)
			continue;
		const struct cached *r = &c->v[k];
		if (r->ino == e->ino && r->size == e->size &&
		    r->mtime_ns == e->mtime_ns && r->ctime_ns == e->ctime_ns) {
			memcpy(e->hash, r->hash, HASH_STR_LEN);
			c->hits++;
		}
	}
}

static int cacheable(const struct snapent *e, int64_t start_ns)
{
	int64_t newest = e->mtime_ns > e->ctime_ns ? e->mtime_ns : e->ctime_ns;

	return e->type == ENTRY_FILE && e->hash[0] && !e->err && !e->changed &&
		newest < start_ns - RACY_NS;
}

void statcache_save(struct statcache *c, const struct entry_list *l, int64_t start_ns)
{
	struct strbuf sb = STRBUF_INIT;
	char sum[HASH_STR_LEN];
	size_t count = 0;

	for (size_t i = 0; i < l->n; i++)
		count += cacheable(&l->v[i], start_ns);
	/* Nothing new to say: spare the write (the common, unchanged case). */
	if (count == c->hits && count == c->n)
		return;
	strbuf_addf(&sb, MAGIC "%zu %s\n", strlen(c->realroot), c->realroot);
	for (size_t i = 0; i < l->n; i++) {
		const struct snapent *e = &l->v[i];
		if (!cacheable(e, start_ns))
			continue;
		strbuf_addf(&sb, "%" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64 " %s %zu ",
			    e->ino, e->size, e->mtime_ns, e->ctime_ns, e->hash, strlen(e->path));
		strbuf_addstr(&sb, e->path);
		strbuf_addch(&sb, '\n');
	}
	hash_buf_str(sb.buf, sb.len, sum);
	strbuf_addf(&sb, "end %s\n", sum);
	if (mkdir_p(c->dir, 0700) == 0)
		(void)atomicfile_replace(c->file, sb.buf, sb.len, 0600);
	strbuf_release(&sb);
}

void statcache_free(struct statcache *c)
{
	if (!c)
		return;
	free(c->realroot);
	free(c->dir);
	free(c->file);
	free(c->buf);
	free(c->v);
	free(c);
}

#define _XOPEN_SOURCE 700 /* realpath */
#define _DEFAULT_SOURCE 1 /* MAP_POPULATE */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
#ifdef MAP_POPULATE
#define POPULATE MAP_POPULATE /* one fault for the whole cache, not one a page */
#else
#define POPULATE 0
#endif

struct cached {
	const char *path;    /* into the mapped cache, path_len bytes, no NUL */
	size_t path_len;
	uint64_t ino, size;
	int64_t mtime_ns, ctime_ns;
	const char *hash;    /* into the mapped cache, HASH_STR_LEN - 1 chars */
};

struct statcache {
	char *realroot;
	char *dir;           /* the cache folder */
	char *file;
	char *map;           /* the cache file, mapped read-only */
	size_t map_len;
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

/*
 * The parsers below read the mapped file in place (it is never written to):
 * a cache of 20,000 files is 2.9 MB, read on every snapshot, and strtoull,
 * strlen and hash_str_valid over it were a sixth of a re-snapshot.
 */
static int parse_u64(const char **pp, const char *end, char stop, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	if (p >= end || *p < '0' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (p >= end || *p != stop)
		return -1;
	*out = v;
	*pp = p + 1;
	return 0;
}

static int parse_i64(const char **pp, const char *end, char stop, int64_t *out)
{
	const char *p = *pp;
	int neg = p < end && *p == '-';
	uint64_t v;

	p += neg;
	if (parse_u64(&p, end, stop, &v) < 0 || v > (uint64_t)INT64_MAX + (uint64_t)neg)
		return -1;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	*pp = p;
	return 0;
}

/* "sha256:" and 64 lowercase hex digits (what hash_str_valid accepts). */
static int hash_valid(const char *p)
{
	/* Constant: the cache is parsed on a thread of its own (snapshot.c). */
	static const unsigned char hex[256] = {
		['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
		['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	};
	unsigned char bad = 0;

	if (memcmp(p, "sha256:", 7) != 0)
		return 0;
	for (int i = 7; i < HASH_STR_LEN - 1; i++)
		bad |= (unsigned char)(hex[(unsigned char)p[i]] ^ 1);
	return !bad;
}

static int parse_record(const char **pp, const char *end, struct cached *c)
{
	const char *p = *pp;
	uint64_t len;

	if (parse_u64(&p, end, ' ', &c->ino) || parse_u64(&p, end, ' ', &c->size) ||
	    parse_i64(&p, end, ' ', &c->mtime_ns) || parse_i64(&p, end, ' ', &c->ctime_ns))
		return -1;
	if (end - p < HASH_STR_LEN || p[HASH_STR_LEN - 1] != ' ' || !hash_valid(p))
		return -1;
	c->hash = p;
	p += HASH_STR_LEN;
	if (parse_u64(&p, end, ' ', &len) || len == 0 || (uint64_t)(end - p) <= len || p[len] != '\n')
		return -1;
	if (memchr(p, '\0', len))
		return -1;
	c->path = p;
	c->path_len = len;
	*pp = p + len + 1;
	return 0;
}

/* strcmp order of a cached path and the len bytes at path (neither needs a NUL). */
static int path_cmp(const struct cached *c, const char *path, size_t len)
{
	int cmp = memcmp(c->path, path, c->path_len < len ? c->path_len : len);

	if (cmp)
		return cmp;
	return c->path_len < len ? -1 : c->path_len > len;
}

static void unmap(struct statcache *c)
{
	if (c->map)
		munmap(c->map, c->map_len);
	c->map = NULL;
	c->map_len = 0;
}

/* Parses the whole cache or nothing. */
static void load(struct statcache *c)
{
	size_t len, cap = 0;
	const char *p, *end;
	char *header;
	char sum[HASH_STR_LEN];
	struct stat st;
	int fd = open(c->file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uintmax_t)st.st_size > SIZE_MAX) {
		close(fd);
		return;
	}
	len = (size_t)st.st_size;
	c->map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | POPULATE, fd, 0);
	close(fd);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return;
	}
	c->map_len = len;
	header = xasprintf(MAGIC "%zu %s\n", strlen(c->realroot), c->realroot);
	if (len < strlen(header) + TRAILER_LEN || memcmp(c->map, header, strlen(header)) != 0)
		goto bad;
	end = c->map + len - TRAILER_LEN;
	hash_buf_str(c->map, (size_t)(end - c->map), sum);
	if (memcmp(end, "end ", 4) != 0 || memcmp(end + 4, sum, HASH_STR_LEN - 1) != 0 ||
	    end[TRAILER_LEN - 1] != '\n')
		goto bad;
	for (p = c->map + strlen(header); p < end;) {
		if (c->n == cap) {
			cap = cap ? cap * 2 : 256;
			c->v = xreallocarray(c->v, cap, sizeof(*c->v));
		}
		if (parse_record(&p, end, &c->v[c->n]) < 0)
			goto bad;
		if (c->n > 0 && path_cmp(&c->v[c->n - 1], c->v[c->n].path, c->v[c->n].path_len) >= 0)
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
	unmap(c);
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
		size_t len = strlen(e->path);
		int cmp = 1;
		while (k < c->n && (cmp = path_cmp(&c->v[k], e->path, len)) < 0)
			k++;
		if (cmp != 0 || e->type != ENTRY_FILE)
			continue;
		const struct cached *r = &c->v[k];
		if (r->ino == e->ino && r->size == e->size &&
		    r->mtime_ns == e->mtime_ns && r->ctime_ns == e->ctime_ns) {
			memcpy(e->hash, r->hash, HASH_STR_LEN - 1);
			e->hash[HASH_STR_LEN - 1] = '\0';
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
	unmap(c);
	free(c->v);
	free(c);
}

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "strbuf.h"
#include "walk.h"
#include "xalloc.h"

struct statpool;

struct walker {
	const char *root;
	const struct excludes *x;
	struct entry_list *l;
	struct strbuf rel;   /* the path being visited, relative to root */
	struct statpool *pool;
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

/*
 * What visit needs of a name's lstat. The names of a directory are listed
 * a chunk at a time and the chunk's fstatat calls are shared out between
 * the threads of the pool: on a re-snapshot from the stat cache, those
 * calls (the kernel's path look-up of each name) are most of the time.
 */
struct lstat_res {
	int err;
	mode_t mode;
	uint64_t size, ino;
	int64_t mtime_ns, ctime_ns;
};

/* Names listed, then stat'ed together: bounds the memory each level holds. */
#define CHUNK 256
/* Fewer names than this are stat'ed on the calling thread alone. */
#define SHARE_MIN 32
/* Names a thread takes from the chunk at a time. */
#define GRAB 8
/* Looks for the next chunk before a helper sleeps. */
#define SPIN 2000

struct batch {
	int dfd;
	const char *names;       /* NUL-separated */
	const size_t *offs;      /* where each name starts in names */
	struct lstat_res *res;
	size_t n;
	atomic_size_t next;
};

struct statpool {
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	struct batch *b;
	unsigned long gen;       /* bumped for each batch */
	int busy;                /* helpers still on the current batch */
	int quit;
	pthread_t *tid;
	int nthreads;            /* helpers started */
};

static void stat_one(int dfd, const char *name, struct lstat_res *r)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r->err = errno;
		return;
	}
	r->err = 0;
	r->mode = st.st_mode;
	r->size = (uint64_t)st.st_size;
	r->ino = (uint64_t)st.st_ino;
	r->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	r->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
}

static void batch_work(struct batch *b, int dfd)
{
	for (;;) {
		size_t i = atomic_fetch_add(&b->next, GRAB);
		if (i >= b->n)
			return;
		for (size_t k = i; k < b->n && k < i + GRAB; k++)
			stat_one(dfd, b->names + b->offs[k], &b->res[k]);
	}
}

static void *helper(void *arg)
{
	struct statpool *p = arg;
	unsigned long seen = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		/*
		 * The next folder's names come within microseconds; waking a
		 * sleeping thread (a halted virtual CPU) can take longer than
		 * stat'ing them: look again for a while before sleeping.
		 */
		for (int spin = 0; spin < SPIN && !p->quit && p->gen == seen; spin++) {
			pthread_mutex_unlock(&p->mu);
			sched_yield();
			pthread_mutex_lock(&p->mu);
		}
		while (!p->quit && p->gen == seen)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->quit)
			break;
		seen = p->gen;
		pthread_mutex_unlock(&p->mu);
		/*
		 * A folder fd of its own: on one shared fd, every fstatat of
		 * both threads counts references on the same open file, and
		 * the two stat no faster than one.
		 */
		int own = openat(p->b->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		batch_work(p->b, own >= 0 ? own : p->b->dfd);
		if (own >= 0)
			close(own);
		pthread_mutex_lock(&p->mu);
		if (--p->busy == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void pool_start(struct statpool *p, int threads)
{
	memset(p, 0, sizeof *p);
	if (threads < 2)
		return;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	p->tid = xcalloc((size_t)threads - 1, sizeof(*p->tid));
	/* Fewer helpers than asked is slower, never wrong. */
	while (p->nthreads < threads - 1 && pthread_create(&p->tid[p->nthreads], NULL, helper, p) == 0)
		p->nthreads++;
}

static void pool_stop(struct statpool *p)
{
	if (!p->tid)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (int t = 0; t < p->nthreads; t++)
		pthread_join(p->tid[t], NULL);
	free(p->tid);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->done);
}

static void pool_stat(struct statpool *p, struct batch *b)
{
	atomic_init(&b->next, 0);
	if (p->nthreads == 0 || b->n < SHARE_MIN) {
		batch_work(b, b->dfd);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->b = b;
	p->busy = p->nthreads;
	p->gen++;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	batch_work(b, b->dfd);
	pthread_mutex_lock(&p->mu);
	while (p->busy)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

/* rel becomes the path of name inside the folder at rel[0..base). */
static void rel_set(struct strbuf *rel, size_t base, const char *name)
{
	rel->len = base;
	if (base)
		strbuf_addch(rel, '/');
	else
		strbuf_add(rel, "", 0);
	strbuf_addstr(rel, name);
}

static void rel_cut(struct strbuf *rel, size_t base)
{
	rel->len = base;
	if (rel->buf)
		rel->buf[base] = '\0';
}

/* Returns 1 when name is a folder to walk into. */
static int visit(struct walker *w, int dfd, const char *name, const struct lstat_res *r)
{
	struct snapent *e;

	if (!utf8_valid(name))
		die(EXIT_USAGE, "'%s': file name is not valid UTF-8", w->rel.buf);
	if (r->err)
		die_at(w, "stat", r->err);
	if (excludes_match(w->x, w->rel.buf))
		return 0;
	if (S_ISDIR(r->mode))
		return 1;
	if (S_ISREG(r->mode)) {
		e = entries_add(w->l, w->rel.buf, ENTRY_FILE);
		e->size = r->size;
		e->exec = (r->mode & 0111) != 0;
	} else if (S_ISLNK(r->mode)) {
		char *target = read_link(w, dfd, name, (size_t)r->size);
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
		return 0;
	}
	e->ino = r->ino;
	e->mtime_ns = r->mtime_ns;
	e->ctime_ns = r->ctime_ns;
	return 0;
}

/*
 * Takes ownership of dfd. The folder's names are listed and stat'ed a chunk
 * at a time; its subfolders are walked once it is listed, so each level
 * holds one chunk and the names of its subfolders, and one open folder.
 */
static void walk_dir(struct walker *w, int dfd)
{
	DIR *d = fdopendir(dfd);
	size_t base = w->rel.len;
	/* On the heap: a tree a thousand folders deep must not take 12 MB of stack. */
	size_t *offs = xmalloc(CHUNK * sizeof(*offs));
	struct lstat_res *res = xmalloc(CHUNK * sizeof(*res));
	struct strbuf names = STRBUF_INIT, subdirs = STRBUF_INIT;
	struct dirent *de = NULL;

	if (!d)
		die_at(w, "read directory", errno);
	rewinddir(d); /* the root's fd is a dup: its offset is shared */
	do {
		struct batch b = { .dfd = dirfd(d), .offs = offs, .res = res };

		strbuf_reset(&names);
		for (;;) {
			errno = 0;
			de = readdir(d);
			if (!de)
				break;
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			offs[b.n++] = names.len;
			strbuf_add(&names, de->d_name, strlen(de->d_name) + 1);
			if (b.n == CHUNK)
				break;
		}
		if (!de && errno) {
			rel_cut(&w->rel, base);
			die_at(w, "read directory", errno);
		}
		b.names = names.buf;
		pool_stat(w->pool, &b);
		for (size_t k = 0; k < b.n; k++) {
			const char *name = names.buf + offs[k];
			rel_set(&w->rel, base, name);
			if (visit(w, b.dfd, name, &res[k]))
				strbuf_add(&subdirs, name, strlen(name) + 1);
		}
	} while (de);
	free(offs);
	free(res);
	strbuf_release(&names);
	for (size_t at = 0; at < subdirs.len; at += strlen(subdirs.buf + at) + 1) {
		const char *name = subdirs.buf + at;
		int sub;
		rel_set(&w->rel, base, name);
		sub = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			die_at(w, "read directory", errno);
		walk_dir(w, sub);
	}
	strbuf_release(&subdirs);
	closedir(d);
	rel_cut(&w->rel, base);
}

void walk_tree(int rootfd, const char *root, const struct excludes *x, int threads,
	       struct entry_list *l)
{
	struct statpool pool;
	struct walker w = { root, x, l, STRBUF_INIT, &pool };
	int fd = dup(rootfd);

	if (fd < 0)
		die_errno("cannot duplicate a file descriptor");
	pool_start(&pool, threads);
	walk_dir(&w, fd);
	pool_stop(&pool);
	strbuf_release(&w.rel);
	entries_sort(l);
}

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "hashpool.h"
#include "walk.h"
#include "xalloc.h"

/* Large reads keep syscalls rare: SHA-256 with the CPU's instructions runs at GB/s. */
#define READ_SIZE (1u << 20)

struct pool {
	int rootfd;
	struct entry_list *l;
	size_t *todo;        /* indexes into l of the files to hash */
	size_t ntodo;
	atomic_size_t next;  /* the work queue: the next index of todo to take */
};

static int hash_one(int rootfd, struct snapent *e, unsigned char *buf)
{
	unsigned char digest[SHA256_LEN];
	struct sha256 h;
	uint64_t total = 0;
	int fd = openat(rootfd, e->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	sha256_init(&h);
	for (;;) {
		ssize_t r = read(fd, buf, READ_SIZE);
		if (r == 0)
			break;
		if (r < 0) {
			int saved = errno;
			if (saved == EINTR)
				continue;
			sha256_final(&h, digest);
			close(fd);
			return saved;
		}
		sha256_update(&h, buf, (size_t)r);
		total += (uint64_t)r;
	}
	close(fd);
	sha256_final(&h, digest);
	hash_format(digest, e->hash);
	if (total != e->size) {
		e->size = total;
		e->changed = 1;
	}
	return 0;
}

struct job {
	uint64_t size;
	size_t index;
};

static int bigger_first(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * The largest files first: a big file taken last would leave every other
 * thread idle while one hashes it.
 */
static void order_largest_first(struct pool *p)
{
	struct job *jobs = xcalloc(p->ntodo ? p->ntodo : 1, sizeof(*jobs));

	for (size_t k = 0; k < p->ntodo; k++)
		jobs[k] = (struct job){ p->l->v[p->todo[k]].size, p->todo[k] };
	qsort(jobs, p->ntodo, sizeof(*jobs), bigger_first);
	for (size_t k = 0; k < p->ntodo; k++)
		p->todo[k] = jobs[k].index;
	free(jobs);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	unsigned char *buf = xmalloc(READ_SIZE);

	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->ntodo)
			break;
		struct snapent *e = &p->l->v[p->todo[i]];
		e->err = hash_one(p->rootfd, e, buf);
	}
	free(buf);
	return NULL;
}

int hashpool_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

void hashpool_run(int rootfd, const char *root, struct entry_list *l, int threads)
{
	struct pool p = { .rootfd = rootfd, .l = l };
	pthread_t *tid;
	int started = 0;

	p.todo = xcalloc(l->n ? l->n : 1, sizeof(*p.todo));
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].type == ENTRY_FILE && !l->v[i].hash[0])
			p.todo[p.ntodo++] = i;
	atomic_init(&p.next, 0);
	if (threads > 1)
		order_largest_first(&p);
	if ((size_t)threads > p.ntodo)
		threads = (int)p.ntodo;
	tid = xcalloc(threads > 0 ? (size_t)threads : 1, sizeof(*tid));
	/* The calling thread works too, so one thread means no thread at all. */
	for (int t = 1; t < threads; t++) {
		/* Fewer threads than asked is slower, never wrong: carry on. */
		if (pthread_create(&tid[t], NULL, worker, &p) != 0)
			break;
		started++;
	}
	worker(&p);
	for (int t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	free(tid);
	for (size_t k = 0; k < l->n; k++) {
		struct snapent *e = &l->v[k];
		if (e->err) {
			char *shown = walk_display_path(root, e->path);
			free(p.todo);
			die(EXIT_USAGE, "cannot read '%s': %s", shown, strerror(e->err));
		}
	}
	free(p.todo);
}

#if defined(__linux__)
#define _GNU_SOURCE /* sync_file_range */
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "atomicfile.h"
#include "err.h"
#include "fileio.h"
#include "hash.h"
#include "tarwrite.h"
#include "walk.h"
#include "xalloc.h"

#define COPY_SIZE (128u << 10)
/*
 * What reaches the file goes in writes of this size (libarchive's default is
 * 10 KiB: a hundred thousand write calls per GB; 128 KiB stays in the core's
 * cache, where 1 MiB copies ran slower). The last block is not padded, as
 * libarchive does by default for a regular file: the archive's bytes do not
 * depend on the block size.
 */
#define BLOCK_SIZE (128 << 10)

enum filter { FILTER_NONE, FILTER_GZIP, FILTER_ZSTD, FILTER_UNKNOWN };

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static enum filter filter_for(const char *path)
{
	if (ends_with(path, ".tar"))
		return FILTER_NONE;
	if (ends_with(path, ".tar.gz") || ends_with(path, ".tgz"))
		return FILTER_GZIP;
	if (ends_with(path, ".tar.zst") || ends_with(path, ".tzst"))
		return FILTER_ZSTD;
	return FILTER_UNKNOWN;
}

int tarwrite_suffix_known(const char *path)
{
	return filter_for(path) != FILTER_UNKNOWN;
}

/* SOURCE_DATE_EPOCH (reproducible-builds.org): a decimal count of seconds. */
static time_t archive_mtime(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!sde || !*sde)
		return 0;
	errno = 0;
	v = strtoll(sde, &end, 10);
	if (errno || *end || v < 0 || sde[0] < '0' || sde[0] > '9')
		die(EXIT_USAGE, "invalid SOURCE_DATE_EPOCH '%s'", sde);
	return (time_t)v;
}

/*
 * A ring of slots between one producer and one consumer thread. Either side
 * sleeps only on a full or an empty ring, and is woken once the other has
 * moved half a ring: a wake-up per slot cost a futex call each way, some
 * 80,000 for a gigabyte.
 */
struct ring {
	pthread_mutex_t mu;
	pthread_cond_t filled;
	pthread_cond_t freed;
	size_t cap;
	size_t head;            /* slots published */
	size_t done;            /* slots released */
	int quit;               /* the producer is done: take what is left */
	int consumer_asleep, producer_asleep;
};

static void ring_init(struct ring *r, size_t cap)
{
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->filled, NULL);
	pthread_cond_init(&r->freed, NULL);
	r->cap = cap;
}

static void ring_destroy(struct ring *r)
{
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->filled);
	pthread_cond_destroy(&r->freed);
}

/* Producer: the slot to fill next, once it is free. */
static size_t ring_slot(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	while (r->head - r->done == r->cap) {
		r->producer_asleep = 1;
		pthread_cond_wait(&r->freed, &r->mu);
	}
	r->producer_asleep = 0;
	pthread_mutex_unlock(&r->mu);
	return r->head % r->cap;
}

/* Producer: hands the filled slot over. */
static void ring_publish(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->head++;
	if (r->consumer_asleep && r->head - r->done >= r->cap / 2)
		pthread_cond_signal(&r->filled);
	pthread_mutex_unlock(&r->mu);
}

/* Producer: no more slots; the consumer takes what is left and stops. */
static void ring_quit(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->quit = 1;
	pthread_cond_signal(&r->filled);
	pthread_mutex_unlock(&r->mu);
}

/* Consumer: the next slot to use, or -1 once the producer quit and all are taken. */
static long ring_take(struct ring *r)
{
	long slot = -1;

	pthread_mutex_lock(&r->mu);
	while (r->done == r->head && !r->quit) {
		r->consumer_asleep = 1;
		pthread_cond_wait(&r->filled, &r->mu);
	}
	r->consumer_asleep = 0;
	if (r->done != r->head)
		slot = (long)(r->done % r->cap);
	pthread_mutex_unlock(&r->mu);
	return slot;
}

/* Consumer: done with the slot taken. */
static void ring_release(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->done++;
	if (r->producer_asleep && r->cap - (r->head - r->done) >= r->cap / 2)
		pthread_cond_signal(&r->freed);
	pthread_mutex_unlock(&r->mu);
}

/*
 * The bytes read for the archive are hashed on a thread of their own, so that
 * hashing, the archive's copies and zstd's workers share the cores: the
 * archiving thread fills a ring of buffers, hands each to the hasher and to
 * libarchive, and takes a buffer back once the hasher is done with it.
 */
#define RING 16

struct chunk {
	unsigned char *buf;
	size_t len;
	size_t entry;           /* index into the list */
	int last;               /* the file's last chunk: finish its hash */
	int had_hash;           /* the entry came with a hash (the stat cache's) to check */
};

struct hasher {
	struct ring ring;       /* of chunks */
	struct chunk chunks[RING];
	struct entry_list *l;
	size_t bad;             /* the first entry whose bytes did not match, or SIZE_MAX */
	pthread_t tid;
	int running;            /* 0: hash on the archiving thread */
	struct sha256 h;        /* the current file's hash */
	int started;            /* h holds a started hash */
};

/*
 * The archive's bytes go to the file from a thread of their own too: the
 * kernel's copy into the page cache is as costly as the hash. Blocks are
 * copied into a ring and written in order; the file's pages are handed to
 * writeback as they are written, so that the fsync at the end has little
 * left to wait for.
 */
#define OUT_RING 8
#define SYNC_EVERY (8u << 20)

struct outq {
	struct ring ring;       /* of blocks */
	unsigned char *bufs;    /* OUT_RING blocks of BLOCK_SIZE */
	size_t len[OUT_RING];
	atomic_int err;         /* errno of the first failed write, 0 when fine */
	int fd;
	uint64_t written, synced, dropped;
	pthread_t tid;
	int running;
};

static int out_write(struct outq *q, const void *buf, size_t len)
{
	if (write_all(q->fd, buf, len) < 0)
		return -1;
	q->written += len;
#ifdef SYNC_FILE_RANGE_WRITE
	if (q->written - q->synced >= SYNC_EVERY) {
		/* Only a head start for the fsync: a failure here is not one. */
		(void)sync_file_range(q->fd, (off_t)q->synced, (off_t)(q->written - q->synced),
				      SYNC_FILE_RANGE_WRITE);
		/*
		 * The window before is on its way to the disk by now: wait for it
		 * and let its pages go, so that the next writes reuse them rather
		 * than take a gigabyte of fresh memory for an archive nobody reads.
		 */
		if (q->synced >= SYNC_EVERY) {
			off_t from = (off_t)(q->dropped), n = (off_t)(q->synced - q->dropped);
			if (sync_file_range(q->fd, from, n, SYNC_FILE_RANGE_WAIT_BEFORE |
					    SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) == 0)
				(void)posix_fadvise(q->fd, from, n, POSIX_FADV_DONTNEED);
			q->dropped = q->synced;
		}
		q->synced = q->written;
	}
#endif
	return 0;
}

static void *outq_main(void *arg)
{
	struct outq *q = arg;
	long slot;

	while ((slot = ring_take(&q->ring)) >= 0) {
		if (!atomic_load(&q->err) &&
		    out_write(q, q->bufs + (size_t)slot * BLOCK_SIZE, q->len[slot]) < 0)
			atomic_store(&q->err, errno ? errno : EIO);
		ring_release(&q->ring);
	}
	return NULL;
}

static void outq_start(struct outq *q, int fd, int threads)
{
	q->fd = fd;
	if (threads < 2)
		return;
	q->bufs = xmalloc((size_t)OUT_RING * BLOCK_SIZE);
	ring_init(&q->ring, OUT_RING);
	q->running = pthread_create(&q->tid, NULL, outq_main, q) == 0;
	if (!q->running) {
		ring_destroy(&q->ring);
		free(q->bufs);
		q->bufs = NULL;
	}
}

/* Writes what is queued, ends the thread; 0, or -1 with errno. */
static int outq_stop(struct outq *q)
{
	if (q->running) {
		ring_quit(&q->ring);
		pthread_join(q->tid, NULL);
		ring_destroy(&q->ring);
		free(q->bufs);
		q->bufs = NULL;
		q->running = 0;
	}
	if (atomic_load(&q->err)) {
		errno = atomic_load(&q->err);
		return -1;
	}
	return 0;
}

/* libarchive's write callback: queues the block, or writes it with no thread. */
static la_ssize_t outq_put(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct outq *q = arg;
	const unsigned char *p = buf;
	size_t left = len;
	int err;

	if (!q->running && !atomic_load(&q->err) && out_write(q, buf, len) < 0)
		atomic_store(&q->err, errno ? errno : EIO);
	while (q->running && left > 0 && !atomic_load(&q->err)) {
		size_t n = left < BLOCK_SIZE ? left : BLOCK_SIZE, slot = ring_slot(&q->ring);
		memcpy(q->bufs + slot * BLOCK_SIZE, p, n);
		q->len[slot] = n;
		ring_publish(&q->ring);
		p += n;
		left -= n;
	}
	err = atomic_load(&q->err);
	if (err) {
		archive_set_error(a, err, "%s", strerror(err));
		return -1;
	}
	return (la_ssize_t)len;
}

/* libarchive's close callback: drains the queue (its error is checked after). */
static int outq_close(struct archive *a, void *arg)
{
	struct outq *q = arg;

	if (outq_stop(q) < 0) {
		archive_set_error(a, errno, "%s", strerror(errno));
		return ARCHIVE_FATAL;
	}
	return ARCHIVE_OK;
}

struct writer {
	struct archive *a;
	struct atomicfile af;
	const char *path;
	const char *root;
	int rootfd;
	time_t mtime;
	unsigned char *bufs;    /* RING buffers of COPY_SIZE */
	struct hasher hs;
	struct outq out;
};

/* Hashes one chunk; at a file's last, sets or checks the entry's hash. */
static void hash_chunk(struct hasher *hs, const struct chunk *c)
{
	unsigned char digest[SHA256_LEN];
	char got[HASH_STR_LEN];
	struct snapent *e = &hs->l->v[c->entry];

	if (!hs->started) {
		sha256_init(&hs->h);
		hs->started = 1;
	}
	if (c->len)
		sha256_update(&hs->h, c->buf, c->len);
	if (!c->last)
		return;
	sha256_final(&hs->h, digest);
	hs->started = 0;
	hash_format(digest, got);
	if (c->had_hash && strcmp(got, e->hash) != 0) {
		if (c->entry < hs->bad)
			hs->bad = c->entry;
		return;
	}
	memcpy(e->hash, got, HASH_STR_LEN);
}

static void *hasher_main(void *arg)
{
	struct hasher *hs = arg;
	long slot;

	while ((slot = ring_take(&hs->ring)) >= 0) {
		hash_chunk(hs, &hs->chunks[slot]);
		ring_release(&hs->ring);
	}
	return NULL;
}

static void hasher_start(struct hasher *hs, struct entry_list *l, int threads)
{
	hs->l = l;
	hs->bad = SIZE_MAX;
	if (threads < 2)
		return;
	ring_init(&hs->ring, RING);
	/* No thread is slower, never wrong. */
	hs->running = pthread_create(&hs->tid, NULL, hasher_main, hs) == 0;
	if (!hs->running)
		ring_destroy(&hs->ring);
}

/* Waits for every chunk to be hashed and ends the thread. */
static void hasher_stop(struct hasher *hs)
{
	if (hs->running) {
		ring_quit(&hs->ring);
		pthread_join(hs->tid, NULL);
		ring_destroy(&hs->ring);
		hs->running = 0;
	}
	if (hs->started) {
		unsigned char digest[SHA256_LEN];
		sha256_final(&hs->h, digest);
		hs->started = 0;
	}
}

/* A buffer no chunk in flight uses: the one of the next slot. */
static unsigned char *hasher_free_buf(struct writer *w)
{
	if (!w->hs.running)
		return w->bufs;
	return w->bufs + ring_slot(&w->hs.ring) * COPY_SIZE;
}

static void hasher_put(struct writer *w, const struct chunk *c)
{
	struct hasher *hs = &w->hs;

	if (!hs->running) {
		hash_chunk(hs, c);
		return;
	}
	hs->chunks[hs->ring.head % RING] = *c;
	ring_publish(&hs->ring);
}

static void writer_release(struct writer *w)
{
	hasher_stop(&w->hs);
	(void)outq_stop(&w->out);
	archive_write_free(w->a);
	free(w->bufs);
}

_Noreturn static void fail(struct writer *w, int status, const char *fmt, const char *arg,
			   const char *arg2)
{
	char *msg = xasprintf(fmt, arg, arg2);

	writer_release(w);
	atomicfile_abort(&w->af);
	die(status, "%s", msg);
}

_Noreturn static void fail_archive(struct writer *w)
{
	char *msg = xasprintf("cannot write '%s': %s", w->path, archive_error_string(w->a));

	writer_release(w);
	atomicfile_abort(&w->af);
	die(EXIT_IO, "%s", msg);
}

static struct archive_entry *header(struct writer *w, const struct snapent *e)
{
	struct archive_entry *ae = archive_entry_new2(w->a);

	archive_entry_set_pathname(ae, e->path);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	archive_entry_set_mtime(ae, w->mtime, 0);
	if (e->type == ENTRY_SYMLINK) {
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_set_perm(ae, 0777);
		archive_entry_set_symlink(ae, e->target);
		archive_entry_set_size(ae, 0);
	} else {
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, e->exec ? 0755 : 0644);
		archive_entry_set_size(ae, (la_int64_t)e->size);
	}
	return ae;
}

/* 1 when there is more to read past the size the walk saw. */
static int grew(int fd)
{
	unsigned char probe;
	ssize_t r;

	while ((r = read(fd, &probe, 1)) < 0 && errno == EINTR)
		;
	return r > 0;
}

/* Gives up on the file being archived: unreadable (err, an errno) or, err 0, changed. */
_Noreturn static void file_fail(struct writer *w, int fd, struct archive_entry *ae, const char *shown,
				int err)
{
	if (fd >= 0)
		close(fd);
	archive_entry_free(ae);
	if (err)
		fail(w, EXIT_USAGE, "cannot read '%s': %s", shown, strerror(err));
	fail(w, EXIT_USAGE, "'%s' changed while being archived", shown, NULL);
}

/*
 * Reads the file once: the bytes hashed are the bytes archived. A file the
 * walk found unhashed (no stat cache hit) gets its hash; one with a hash
 * (from the cache) must still match it, which tarwrite_archive checks once
 * the hasher is done.
 */
static void add_file(struct writer *w, size_t index, struct archive_entry *ae)
{
	struct snapent *e = &w->hs.l->v[index];
	struct chunk c = { .entry = index, .had_hash = e->hash[0] != '\0' };
	uint64_t total = 0;
	char *shown = walk_display_path(w->root, e->path);
	int fd = openat(w->rootfd, e->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && !c.had_hash)
		file_fail(w, fd, ae, shown, errno);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != e->size)
		file_fail(w, fd, ae, shown, 0);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (archive_write_header(w->a, ae) != ARCHIVE_OK)
		fail_archive(w);
	do {
		c.buf = hasher_free_buf(w);
		c.len = 0;
		while (total < e->size && c.len < COPY_SIZE) {
			ssize_t r = read(fd, c.buf + c.len, COPY_SIZE - c.len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && !c.had_hash)
				file_fail(w, fd, ae, shown, errno);
			if (r <= 0)
				break;
			if ((uint64_t)r > e->size - total)
				r = (ssize_t)(e->size - total);
			c.len += (size_t)r;
			total += (uint64_t)r;
		}
		/* Shorter than it was: the header already promised e->size bytes. */
		if (c.len < COPY_SIZE && total < e->size)
			file_fail(w, fd, ae, shown, 0);
		c.last = total == e->size;
		if (c.last && grew(fd))
			file_fail(w, fd, ae, shown, 0);
		hasher_put(w, &c);
		if (c.len && archive_write_data(w->a, c.buf, c.len) != (la_ssize_t)c.len)
			fail_archive(w);
	} while (!c.last);
	close(fd);
	free(shown);
}

/* The zstd level and threads (libarchive >= 3.6; zstd's output does not depend on the threads). */
static int zstd_options(struct archive *a, int threads)
{
	char n[16];

	snprintf(n, sizeof(n), "%d", threads > 1 ? threads : 1);
	if (archive_write_set_filter_option(a, "zstd", "compression-level", "1") != ARCHIVE_OK)
		return ARCHIVE_FATAL;
	return archive_write_set_filter_option(a, "zstd", "threads", n);
}

void tarwrite_archive(const char *path, int rootfd, const char *root, struct entry_list *l,
		      int threads)
{
	struct writer w = { .path = path, .root = root, .rootfd = rootfd };
	enum filter f = filter_for(path);
	int rc = ARCHIVE_OK;

	w.mtime = archive_mtime();
	if (atomicfile_open(&w.af, path, 0644) < 0)
		die(EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
	w.a = archive_write_new();
	w.bufs = xmalloc((size_t)RING * COPY_SIZE);
	hasher_start(&w.hs, l, threads);
	if (!w.a || archive_write_set_format_pax_restricted(w.a) != ARCHIVE_OK)
		fail_archive(&w);
	if (f == FILTER_GZIP) {
		rc = archive_write_add_filter_gzip(w.a);
		/* gzip stores the time it was written unless told not to. */
		if (rc == ARCHIVE_OK)
			rc = archive_write_set_filter_option(w.a, "gzip", "timestamp", NULL);
	} else if (f == FILTER_ZSTD) {
		rc = archive_write_add_filter_zstd(w.a);
		if (rc == ARCHIVE_OK)
			rc = zstd_options(w.a, threads);
	}
	if (rc == ARCHIVE_OK)
		rc = archive_write_set_bytes_per_block(w.a, BLOCK_SIZE);
	if (rc == ARCHIVE_OK)
		rc = archive_write_set_bytes_in_last_block(w.a, 1);
	outq_start(&w.out, w.af.fd, threads);
	if (rc != ARCHIVE_OK ||
	    archive_write_open2(w.a, &w.out, NULL, outq_put, outq_close, NULL) != ARCHIVE_OK)
		fail_archive(&w);
	for (size_t i = 0; i < l->n; i++) {
		const struct snapent *e = &l->v[i];
		struct archive_entry *ae = header(&w, e);
		if (e->type == ENTRY_FILE)
			add_file(&w, i, ae);
		else if (archive_write_header(w.a, ae) != ARCHIVE_OK)
			fail_archive(&w);
		archive_entry_free(ae);
	}
	hasher_stop(&w.hs);
	if (w.hs.bad != SIZE_MAX) {
		char *shown = walk_display_path(root, l->v[w.hs.bad].path);
		fail(&w, EXIT_USAGE, "'%s' changed while being archived", shown, NULL);
	}
	if (archive_write_close(w.a) != ARCHIVE_OK)
		fail_archive(&w);
	/* libarchive drops what its close callback returns: ask the queue. */
	if (outq_stop(&w.out) < 0)
		fail(&w, EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
	writer_release(&w);
	if (atomicfile_commit(&w.af) < 0)
		die(EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
}

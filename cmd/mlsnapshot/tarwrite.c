#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "atomicfile.h"
#include "err.h"
#include "hash.h"
#include "tarwrite.h"
#include "walk.h"
#include "xalloc.h"

#define COPY_SIZE (1u << 20)

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

struct writer {
	struct archive *a;
	struct atomicfile af;
	const char *path;
	const char *root;
	int rootfd;
	time_t mtime;
	unsigned char *buf;
};

_Noreturn static void fail(struct writer *w, int status, const char *fmt, const char *arg)
{
	char *msg = xasprintf(fmt, arg);

	archive_write_free(w->a);
	atomicfile_abort(&w->af);
	free(w->buf);
	die(status, "%s", msg);
}

_Noreturn static void fail_archive(struct writer *w)
{
	char *msg = xasprintf("cannot write '%s': %s", w->path, archive_error_string(w->a));

	archive_write_free(w->a);
	atomicfile_abort(&w->af);
	free(w->buf);
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

static void add_file(struct writer *w, const struct snapent *e, struct archive_entry *ae)
{
	unsigned char digest[SHA256_LEN];
	char got[HASH_STR_LEN];
	struct sha256 h;
	uint64_t total = 0;
	char *shown = walk_display_path(w->root, e->path);
	int fd = openat(w->rootfd, e->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != e->size) {
		archive_entry_free(ae);
		if (fd >= 0)
			close(fd);
		fail(w, EXIT_USAGE, "'%s' changed while being archived", shown);
	}
	if (archive_write_header(w->a, ae) != ARCHIVE_OK)
		fail_archive(w);
	sha256_init(&h);
	while (total < e->size) {
		ssize_t r = read(fd, w->buf, COPY_SIZE);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if ((uint64_t)r > e->size - total)
			r = (ssize_t)(e->size - total);
		sha256_update(&h, w->buf, (size_t)r);
		if (archive_write_data(w->a, w->buf, (size_t)r) != r)
			fail_archive(w);
		total += (uint64_t)r;
	}
	close(fd);
	sha256_final(&h, digest);
	hash_format(digest, got);
	if (total != e->size || strcmp(got, e->hash) != 0)
		fail(w, EXIT_USAGE, "'%s' changed while being archived", shown);
	free(shown);
}

void tarwrite_archive(const char *path, int rootfd, const char *root, const struct entry_list *l)
{
	struct writer w = { .path = path, .root = root, .rootfd = rootfd };
	enum filter f = filter_for(path);
	int rc = ARCHIVE_OK;

	w.mtime = archive_mtime();
	if (atomicfile_open(&w.af, path, 0644) < 0)
		die(EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
	w.a = archive_write_new();
	w.buf = xmalloc(COPY_SIZE);
	if (!w.a || archive_write_set_format_pax_restricted(w.a) != ARCHIVE_OK)
		fail_archive(&w);
	if (f == FILTER_GZIP) {
		rc = archive_write_add_filter_gzip(w.a);
		/* gzip stores the time it was written unless told not to. */
		if (rc == ARCHIVE_OK)
			rc = archive_write_set_filter_option(w.a, "gzip", "timestamp", NULL);
	} else if (f == FILTER_ZSTD) {
		rc = archive_write_add_filter_zstd(w.a);
	}
	if (rc != ARCHIVE_OK || archive_write_open_fd(w.a, w.af.fd) != ARCHIVE_OK)
		fail_archive(&w);
	for (size_t i = 0; i < l->n; i++) {
		const struct snapent *e = &l->v[i];
		struct archive_entry *ae = header(&w, e);
		if (e->type == ENTRY_FILE)
			add_file(&w, e, ae);
		else if (archive_write_header(w.a, ae) != ARCHIVE_OK)
			fail_archive(&w);
		archive_entry_free(ae);
	}
	if (archive_write_close(w.a) != ARCHIVE_OK)
		fail_archive(&w);
	archive_write_free(w.a);
	free(w.buf);
	if (atomicfile_commit(&w.af) < 0)
		die(EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
}

/*
 * libFuzzer target: mlsnapshot's archive lister (tarread_read in
 * cmd/mlsnapshot/tarread.c), over whatever libarchive reads (tar, pax, gnu,
 * gzip, zstd, xz, bzip2, ...).
 *
 * The input is read twice: as verify and diff read it (no ops), and as
 * extract does (size and ratio limits, the extract callbacks, here writing
 * nothing). Each refusal must say why with the status the tool exits with;
 * a listing must hold only clean, sorted, distinct paths; the extract pass
 * may only refuse more (exit 1), and what it accepts lists the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entries.h"
#include "hash.h"
#include "tarread.h"
#include "utf8.h"

static size_t calls;

static void on_dir(void *ctx, const char *path)
{
	(void)ctx, (void)path;
	calls++;
}

static int on_file(void *ctx, const char *path, int exec)
{
	(void)ctx, (void)path, (void)exec;
	calls++;
	return -1; /* read and hash, write nowhere */
}

static void on_symlink(void *ctx, const char *path, const char *target)
{
	(void)ctx;
	calls++;
	if (!symlink_target_inside(path, target))
		abort(); /* extract would have made a link out of the tree */
}

static void check_path(const char *p)
{
	const char *c = p;

	if (!*p || !utf8_valid(p) || p[0] == '/')
		abort();
	while (*c) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			abort();
		c += n;
		if (*c == '/' && !*++c)
			abort(); /* a trailing slash */
	}
}

static void check_list(const struct entry_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct snapent *e = &l->v[i];
		check_path(e->path);
		if (i > 0 && strcmp(l->v[i - 1].path, e->path) >= 0)
			abort(); /* sorted, no duplicates */
		if (e->type == ENTRY_FILE && !hash_str_valid(e->hash))
			abort();
		if (e->type == ENTRY_SYMLINK && (!e->target || !*e->target ||
						 e->size != strlen(e->target)))
			abort();
	}
}

static int list(const uint8_t *data, size_t size, const struct tarread_limits *lim,
		const struct tarread_ops *ops, struct entry_list *l)
{
	char *msg = NULL;
	int rc = tarread_read("fuzz.tar", data, size, lim, ops, l, &msg);

	if (rc == 0) {
		if (msg)
			abort();
		check_list(l);
		return 0;
	}
	if ((rc != 1 && rc != 2) || !msg || !*msg || l->n != 0)
		abort(); /* refused (1) or unreadable (2), said once, nothing kept */
	free(msg);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tarread_ops ops = { NULL, on_dir, on_file, on_symlink };
	/* Small enough that a compressed input cannot spend long inflating. */
	const struct tarread_limits loose = { UINT64_C(64) << 20, 0 };
	const struct tarread_limits strict = { UINT64_C(1) << 20, 100 };
	struct entry_list a = ENTRY_LIST_INIT, b = ENTRY_LIST_INIT;
	int ra, rb;

	calls = 0;
	ra = list(data, size, &loose, NULL, &a);
	if (calls)
		abort(); /* no ops, no callbacks */
	rb = list(data, size, &strict, &ops, &b);
	if (ra == 1 && rb != 1)
		abort(); /* the same entries, refused the same or sooner */
	if (ra == 0 && rb == 2)
		abort();
	if (ra == 0 && rb == 0) {
		if (a.n != b.n)
			abort();
		for (size_t i = 0; i < a.n; i++)
			if (!entry_same(&a.v[i], &b.v[i]))
				abort();
	}
	entries_free(&a);
	entries_free(&b);
	return 0;
}

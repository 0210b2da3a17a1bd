/*
 * libFuzzer target: mleval-compare's predictions reader (preds_parse in
 * cmd/mleval-compare/csv.c).
 *
 * The first byte picks the value column (COL_GUESS, COL_SCORE,
 * COL_PREDICTION) and the size of the first read block (1 to 64 bytes); the
 * rest is the file. It is read twice: in one block, as the tool's 4 MiB
 * block holds any input here, and in the small one, so that records are cut
 * at the places a block can end. Both reads must give the same rows, hash
 * and error, and every refusal must say where and why.
 */
#define _GNU_SOURCE /* memfd_create */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csv.h"
#include "hash.h"

static int file_of(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.csv", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

static int parse(const uint8_t *data, size_t size, enum value_col col, size_t block,
		 struct preds *p, struct preds_err *err)
{
	int fd = file_of(data, size);
	int rc = preds_parse(fd, "fuzz.csv", col, block, p, err);

	close(fd);
	if (rc != 0 && rc != -1)
		abort();
	if (rc < 0 && (err->line < 1 || err->col < 1 || !err->msg[0]))
		abort(); /* every refusal says where and why */
	return rc;
}

static void check_rows(const struct preds *p, const uint8_t *data, size_t size)
{
	char want[HASH_STR_LEN];

	if (p->n == 0)
		abort(); /* a file without rows is refused */
	hash_buf_str(data, size, want);
	if (strcmp(want, p->hash) != 0)
		abort(); /* the hash is of the file's bytes, all of them */
	for (size_t i = 0; i < p->n; i++) {
		if (!isfinite(p->label[i]) || !isfinite(p->value[i]))
			abort();
		if (p->col == COL_SCORE && p->label[i] != 0 && p->label[i] != 1)
			abort();
	}
}

static int same_rows(const struct preds *a, const struct preds *b)
{
	if (a->n != b->n || a->col != b->col || a->integral != b->integral ||
	    strcmp(a->hash, b->hash) != 0 || (a->ids == NULL) != (b->ids == NULL))
		return 0;
	if (memcmp(a->label, b->label, a->n * sizeof(double)) != 0 ||
	    memcmp(a->value, b->value, a->n * sizeof(double)) != 0)
		return 0;
	for (size_t i = 0; a->ids && i < a->n; i++)
		if (strcmp(a->ids + a->id_off[i], b->ids + b->id_off[i]) != 0)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct preds whole, cut;
	struct preds_err ew, ec;
	enum value_col col;
	size_t block;
	int rw, rcut;

	if (size < 1)
		return 0;
	col = (enum value_col)(data[0] % 3);
	block = 1 + (data[0] >> 2);
	data++, size--;
	rw = parse(data, size, col, size + 1, &whole, &ew);
	rcut = parse(data, size, col, block, &cut, &ec);
	if (rw != rcut)
		abort();
	if (rw < 0) {
		if (ew.line != ec.line || ew.col != ec.col || strcmp(ew.msg, ec.msg) != 0)
			abort();
		return 0;
	}
	check_rows(&whole, data, size);
	if (!same_rows(&whole, &cut))
		abort();
	preds_release(&whole);
	preds_release(&cut);
	return 0;
}

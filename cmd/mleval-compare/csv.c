/*
 * A streaming RFC 4180 reader: the file is read in 4 MiB blocks (hashed as
 * they come), each record is cut into field slices of the block, and only
 * the label, value and id columns are kept, in flat arrays. A record cut by
 * the end of a block is parsed again once the next block is in, so nothing
 * is allocated per field and a row costs a few byte scans.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"
#include "bigmem.h"
#include "fastnum.h"
#include "csv.h"

#define BLOCK (4u << 20)
#define MAX_FIELDS 4096
#define NEED_MORE (-2)

struct field {
	size_t start, len;  /* in the block, quotes excluded */
	int quoted;
	long line;
	size_t col;
};

struct csvin {
	int fd;
	const char *name;
	char *buf;
	size_t len, cap, pos;
	int eof;
	struct sha256 h;
	long line;          /* of the record at pos */
	struct field f[MAX_FIELDS];
	size_t nf;          /* fields in the last record, maybe more than MAX_FIELDS */
	struct preds_err *err;
};

/* 0, or -1 with in->err set when the file cannot be read. */
static int csv_fill(struct csvin *in)
{
	ssize_t got;

	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
	}
	if (in->len == in->cap) {
		in->cap *= 2;
		in->buf = xrealloc(in->buf, in->cap);
	}
	do
		got = read(in->fd, in->buf + in->len, in->cap - in->len);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		in->err->line = 0;
		in->err->col = 0;
		snprintf(in->err->msg, sizeof(in->err->msg), "cannot read '%s': %s",
			 in->name, strerror(errno));
		return -1;
	}
	if (got == 0)
		in->eof = 1;
	sha256_update(&in->h, in->buf + in->len, (size_t)got);
	in->len += (size_t)got;
	return 0;
}

/* Sets in->err to FILE:LINE:COL's message; returns -1 for the caller to pass up. */
static int csv_error(const struct csvin *in, long line, size_t col, const char *fmt,
		     const char *arg)
{
	in->err->line = line;
	in->err->col = col;
	snprintf(in->err->msg, PREDS_POS_MSG_MAX, fmt, arg);
	return -1;
}

static void add_field(struct csvin *in, size_t *n, const struct field *fl)
{
	if (*n < MAX_FIELDS)
		in->f[*n] = *fl;
	(*n)++;
}

/*
 * One record into in->f. 1 when parsed (pos past it), 0 at the end of the
 * input, NEED_MORE when the block ends inside it and more must be read
 * first, -1 on an error (in->err set).
 */
static int parse_record(struct csvin *in)
{
	const char *b = in->buf;
	size_t i = in->pos, end = in->len, linestart = in->pos, n = 0;
	long line = in->line;

	if (i == end)
		return in->eof ? 0 : NEED_MORE;
	for (;;) {
		struct field fl = { 0, 0, 0, line, i - linestart + 1 };
		if (b[i] == '"') {
			fl.quoted = 1;
			fl.start = ++i;
			for (;;) {
				const char *q = memchr(b + i, '"', end - i);
				if (q == NULL) {
					if (in->eof)
						return csv_error(in, fl.line, fl.col, "%s", "unterminated quoted field");
					return NEED_MORE;
				}
				for (const char *p = b + i; p < q; p++)
					if (*p == '\n') {
						line++;
						linestart = (size_t)(p - b) + 1;
					}
				i = (size_t)(q - b) + 1;
				if (i == end && !in->eof)
					return NEED_MORE;
				if (i < end && b[i] == '"') {
					i++;
					continue;
				}
				break;
			}
			fl.len = i - 1 - fl.start;
			if (i < end && b[i] == '\r') {
				if (i + 1 == end && !in->eof)
					return NEED_MORE;
				if (i + 1 == end || b[i + 1] == '\n')
					i++;
			}
			if (i < end && b[i] != ',' && b[i] != '\n')
				return csv_error(in, line, i - linestart + 1, "%s",
						 "unexpected character after a closing quote");
		} else {
			fl.start = i;
			while (i < end && b[i] != ',' && b[i] != '\n')
				i++;
			if (i == end && !in->eof)
				return NEED_MORE;
			fl.len = i - fl.start;
			if (fl.len > 0 && b[i - 1] == '\r' && (i == end || b[i] == '\n'))
				fl.len--;
		}
		add_field(in, &n, &fl);
		if (i < end && b[i] == ',') {
			i++;
			if (i == end && !in->eof)
				return NEED_MORE;
			if (i == end) {
				struct field last = { i, 0, 0, line, i - linestart + 1 };
				add_field(in, &n, &last);
				break;
			}
			continue;
		}
		if (i < end) {
			i++;
			line++;
		}
		break;
	}
	in->pos = i;
	in->line = line;
	in->nf = n;
	return 1;
}

/* The next record, reading blocks as needed. 0 at the end, -1 on an error. */
static int next_record(struct csvin *in)
{
	int r;

	while ((r = parse_record(in)) == NEED_MORE)
		if (csv_fill(in) < 0)
			return -1;
	return r;
}

static int blank_record(const struct csvin *in)
{
	return in->nf == 1 && in->f[0].len == 0 && !in->f[0].quoted;
}

/* A field's text with "" unescaped, appended to sb. */
static void field_text(const struct csvin *in, const struct field *fl, struct strbuf *sb)
{
	const char *s = in->buf + fl->start;

	for (size_t i = 0; i < fl->len; i++) {
		strbuf_addch(sb, s[i]);
		if (fl->quoted && s[i] == '"')
			i++;
	}
}

struct columns {
	size_t n;
	long label, value, id;
};

static int read_header(struct csvin *in, enum value_col *col, struct columns *c)
{
	long score = -1, prediction = -1;
	struct strbuf sb = STRBUF_INIT;
	int r;

	do
		if (csv_fill(in) < 0)
			return -1;
	while (in->len < 3 && !in->eof);
	if (in->len >= 3 && memcmp(in->buf, "\xEF\xBB\xBF", 3) == 0)
		in->pos = 3;
	r = next_record(in);
	if (r <= 0)
		return r < 0 ? -1 : csv_error(in, 1, 1, "%s", "empty file: expected a header");
	if (in->nf > MAX_FIELDS)
		return csv_error(in, 1, 1, "%s", "too many columns");
	c->n = in->nf;
	c->label = c->value = c->id = -1;
	for (size_t k = 0; k < in->nf; k++) {
		long *slot = NULL;
		strbuf_reset(&sb);
		field_text(in, &in->f[k], &sb);
		if (sb.len == 0)
			continue;
		if (strcmp(sb.buf, "label") == 0)
			slot = &c->label;
		else if (strcmp(sb.buf, "score") == 0)
			slot = &score;
		else if (strcmp(sb.buf, "prediction") == 0)
			slot = &prediction;
		else if (strcmp(sb.buf, "id") == 0)
			slot = &c->id;
		if (slot != NULL && *slot >= 0) {
			csv_error(in, 1, in->f[k].col, "duplicate column '%s'", sb.buf);
			strbuf_release(&sb);
			return -1;
		}
		if (slot != NULL)
			*slot = (long)k;
	}
	strbuf_release(&sb);
	if (c->label < 0)
		return csv_error(in, 1, 1, "%s", "no 'label' column in the header");
	if (*col == COL_GUESS)
		*col = score >= 0 ? COL_SCORE : COL_PREDICTION;
	c->value = *col == COL_SCORE ? score : prediction;
	if (c->value < 0)
		return csv_error(in, 1, 1, "no '%s' column in the header",
				 *col == COL_SCORE ? "score" : "prediction");
	return 0;
}

static int field_number(struct csvin *in, const struct field *fl, const char *name, double *out)
{
	double v;

	if (fastnum_parse(in->buf + fl->start, fl->len, &v) < 0) {
		char what[128];
		snprintf(what, sizeof(what), "bad number '%.*s' in column '%s'",
			 (int)(fl->len > 40 ? 40 : fl->len), in->buf + fl->start, name);
		return csv_error(in, fl->line, fl->col, "%s", what);
	}
	*out = v == 0 ? 0.0 : v;  /* -0 is 0: it ties with 0 */
	return 0;
}

static void grow(struct preds *p, size_t *cap, int ids)
{
	*cap = *cap ? *cap * 2 : 1024;
	p->label = xreallocarray(p->label, *cap, sizeof(double));
	p->value = xreallocarray(p->value, *cap, sizeof(double));
	if (ids)
		p->id_off = xreallocarray(p->id_off, *cap, sizeof(size_t));
}

/*
 * A row takes 4 bytes at least ("0,1\n"): a regular file's size bounds the
 * rows, so the arrays are allocated once (pages are only touched as rows
 * come); a pipe's grow as it is read.
 */
static size_t preallocate(struct csvin *in, const struct columns *c, struct preds *p)
{
	struct stat st;
	size_t cap;

	if (fstat(in->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return 0;
	cap = (size_t)st.st_size / 4 + 2;
	p->label = big_alloc(cap, sizeof(double));
	p->value = big_alloc(cap, sizeof(double));
	if (c->id >= 0)
		p->id_off = big_alloc(cap, sizeof(size_t));
	return cap;
}

static int read_row(struct csvin *in, const struct columns *c, struct preds *p,
		    double *y, double *v)
{
	const struct field *f = in->f;

	if (in->nf != c->n) {
		char what[96];
		snprintf(what, sizeof(what), "ragged row: %zu field%s, the header has %zu",
			 in->nf, in->nf == 1 ? "" : "s", c->n);
		return csv_error(in, f[0].line, 1, "%s", what);
	}
	if (p->n == UINT32_MAX - 1)
		return csv_error(in, f[0].line, 1, "%s", "too many rows");
	if (field_number(in, &f[c->label], "label", y) < 0 ||
	    field_number(in, &f[c->value], p->col == COL_SCORE ? "score" : "prediction", v) < 0)
		return -1;
	if (p->col == COL_SCORE && *y != 0 && *y != 1)
		return csv_error(in, f[c->label].line, f[c->label].col, "%s",
				 "a label must be 0 or 1 beside a score");
	return 0;
}

static int read_rows(struct csvin *in, const struct columns *c, struct preds *p)
{
	size_t cap = preallocate(in, c, p);
	struct strbuf ids = STRBUF_INIT;
	int integral = 1, r;

	while ((r = next_record(in)) > 0) {
		const struct field *f = in->f;
		double y, v;
		if (blank_record(in))
			continue;
		if (read_row(in, c, p, &y, &v) < 0) {
			r = -1;
			break;
		}
		if (p->n == cap)
			grow(p, &cap, c->id >= 0);
		if (integral && (y != floor(y) || v != floor(v)))
			integral = 0;
		p->label[p->n] = y;
		p->value[p->n] = v;
		if (c->id >= 0) {
			p->id_off[p->n] = ids.len;
			field_text(in, &f[c->id], &ids);
			strbuf_addch(&ids, '\0');
		}
		p->n++;
	}
	if (r == 0 && p->n == 0)
		r = csv_error(in, in->line, 1, "%s", "no data rows after the header");
	if (r < 0) {
		strbuf_release(&ids);
		return -1;
	}
	p->integral = integral;
	if (c->id >= 0)
		p->ids = strbuf_detach(&ids, NULL);
	return 0;
}

int preds_parse(int fd, const char *name, enum value_col col, size_t block,
		struct preds *p, struct preds_err *err)
{
	struct csvin *in = xcalloc(1, sizeof(*in));
	struct columns c;
	unsigned char digest[SHA256_LEN];
	int rc;

	memset(p, 0, sizeof(*p));
	in->fd = fd;
	in->name = name;
	in->err = err;
	in->cap = block ? block : BLOCK;
	in->buf = xmalloc(in->cap);
	in->line = 1;
	sha256_init(&in->h);
	rc = read_header(in, &col, &c);
	if (rc == 0) {
		p->col = col;
		rc = read_rows(in, &c, p);
	}
	sha256_final(&in->h, digest);
	if (rc == 0)
		hash_format(digest, p->hash);
	else
		preds_release(p);
	free(in->buf);
	free(in);
	return rc;
}

void preds_read(const char *path, enum value_col col, struct preds *p)
{
	struct preds_err err;
	const char *name = file_display_name(path);
	int is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		die(EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
	rc = preds_parse(fd, name, col, 0, p, &err);
	if (!is_stdin)
		close(fd);
	if (rc < 0 && err.line > 0)
		die(EXIT_USAGE, "%s:%ld:%zu: %s", name, err.line, err.col, err.msg);
	if (rc < 0)
		die(EXIT_USAGE, "%s", err.msg);
	p->path = path;
}

void preds_release(struct preds *p)
{
	free(p->label);
	free(p->value);
	free(p->ids);
	free(p->id_off);
	memset(p, 0, sizeof(*p));
}

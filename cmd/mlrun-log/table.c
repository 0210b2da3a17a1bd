/*
 * The human views of `mlrun-log ls`: an aligned table that fits the
 * terminal (columns that do not fit are left out, long cells cut), and a
 * markdown table (every column, for a pull request or a job summary).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "jsonio.h"
#include "names.h"
#include "runlog.h"
#include "strbuf.h"
#include "xalloc.h"

#define CELL_MAX 24

struct column {
	char *header;
	const char *group;  /* "metrics", "params", or NULL for a field */
	const char *key;
	int numeric;
	size_t width;
};

/* Display width: UTF-8 code points (lead bytes), near enough for a table. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* The first n code points of s. */
static size_t text_prefix(const char *s, size_t n)
{
	size_t i = 0;

	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n-- == 0)
			break;
	return i;
}

static char *cell_text(const cJSON *row, const struct column *c, int markdown)
{
	const cJSON *v = c->group ? json_get(json_get_object(row, c->group), c->key) : json_get(row, c->key);
	struct strbuf sb = STRBUF_INIT;
	char *s;

	if (!v)
		return xstrdup("");
	if (cJSON_IsNull(v))
		return xstrdup("-");
	if (cJSON_IsBool(v))
		return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNumber(v))
		return xasprintf("%.6g", v->valuedouble);
	if (cJSON_IsString(v)) {
		s = v->valuestring;
		if (!c->group && strcmp(c->key, "id") == 0 && strncmp(s, "sha256:", 7) == 0 && strlen(s) > 19)
			return xstrndup(s + 7, 12);
		s = xstrdup(s);
	} else {
		s = cJSON_PrintUnformatted(v);
		if (!s)
			return xstrdup("?");
	}
	for (char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20)
			*p = ' ';
		if (markdown && *p == '|')
			strbuf_addch(&sb, '\\');
		strbuf_addch(&sb, *p);
	}
	free(s);
	return strbuf_detach(&sb, NULL);
}


/* Columns of group (metrics or params), sorted by name, as "prefix" + key. */
static void columns_of_group(struct column **cols, size_t *n, const cJSON *rows,
                             const char *group, const char *prefix)
{
	const char **names = NULL;
	size_t nn = 0, cap = 0;
	const cJSON *row, *it;

	cJSON_ArrayForEach(row, rows) {
		cJSON_ArrayForEach(it, json_get_object(row, group)) {
			size_t j;
			for (j = 0; j < nn && strcmp(names[j], it->string); j++)
				;
			if (j < nn)
				continue;
			if (nn == cap) {
				cap = cap ? cap * 2 : 16;
				names = xreallocarray(names, cap, sizeof *names);
			}
			names[nn++] = it->string;
		}
	}
	if (nn)
		qsort(names, nn, sizeof *names, name_compare);
	*cols = xreallocarray(*cols, *n + nn, sizeof **cols);
	for (size_t j = 0; j < nn; j++) {
		struct column *c = &(*cols)[(*n)++];
		c->header = xasprintf("%s%s", prefix, names[j]);
		c->group = group;
		c->key = names[j];
		c->numeric = strcmp(group, "metrics") == 0;
		c->width = 0;
	}
	free(names);
}

static void pad(struct strbuf *sb, size_t n)
{
	while (n--)
		strbuf_addch(sb, ' ');
}

/* One aligned cell, cut to the column's width. */
static void cell_put(struct strbuf *sb, const char *text, const struct column *c, int last)
{
	size_t w = text_width(text);

	if (w > c->width) {
		strbuf_add(sb, text, text_prefix(text, c->width - 3));
		strbuf_addstr(sb, "...");
		w = c->width;
	} else if (c->numeric) {
		pad(sb, c->width - w);
		strbuf_addstr(sb, text);
		return;
	} else {
		strbuf_addstr(sb, text);
	}
	if (!last)
		pad(sb, c->width - w);
}

void table_print(const cJSON *rows, int markdown, int width)
{
	static const char *const fields[][2] = {
		{ "ID", "id" }, { "NAME", "name" }, { "STATUS", "status" }, { "STARTED", "started_at" }
	};
	size_t nrows = (size_t)cJSON_GetArraySize(rows), ncols = 0, shown, used = 0;
	struct column *cols = xcalloc(4, sizeof *cols);
	struct strbuf sb = STRBUF_INIT;
	char **cells;
	const cJSON *row;
	size_t r = 0;

	for (; ncols < 4; ncols++) {
		cols[ncols].header = xstrdup(fields[ncols][0]);
		cols[ncols].key = fields[ncols][1];
	}
	columns_of_group(&cols, &ncols, rows, "metrics", "");
	columns_of_group(&cols, &ncols, rows, "params", "p.");
	cells = xcalloc(nrows * ncols + 1, sizeof *cells);
	cJSON_ArrayForEach(row, rows) {
		for (size_t c = 0; c < ncols; c++) {
			cells[r * ncols + c] = cell_text(row, &cols[c], markdown);
			if (text_width(cells[r * ncols + c]) > cols[c].width)
				cols[c].width = text_width(cells[r * ncols + c]);
		}
		r++;
	}
	/* Columns left to right while they fit; the id always does. */
	for (shown = 0; shown < ncols; shown++) {
		struct column *c = &cols[shown];
		if (text_width(c->header) > c->width)
			c->width = text_width(c->header);
		if (markdown)
			continue;
		if (c->width > CELL_MAX && shown > 0)
			c->width = CELL_MAX;
		if (shown > 0 && used + 2 + c->width > (size_t)width)
			break;
		used += (shown ? 2 : 0) + c->width;
	}
	for (size_t i = 0; i <= nrows; i++) {
		for (size_t c = 0; c < shown; c++) {
			const char *text = i ? cells[(i - 1) * ncols + c] : cols[c].header;
			if (markdown) {
				strbuf_addf(&sb, "| %s ", text);
				continue;
			}
			if (c)
				strbuf_add(&sb, "  ", 2);
			cell_put(&sb, text, &cols[c], c + 1 == shown);
		}
		/* Empty cells at the end of a row leave no trailing blanks. */
		while (!markdown && sb.len && sb.buf[sb.len - 1] == ' ')
			sb.buf[--sb.len] = '\0';
		strbuf_addstr(&sb, markdown ? "|\n" : "\n");
		if (markdown && i == 0) {
			for (size_t c = 0; c < shown; c++)
				strbuf_addstr(&sb, cols[c].numeric ? "| ---: " : "| --- ");
			strbuf_addstr(&sb, "|\n");
		}
	}
	stdout_write(sb.buf, sb.len);
	strbuf_release(&sb);
	for (size_t i = 0; i < nrows * ncols; i++)
		free(cells[i]);
	free(cells);
	for (size_t c = 0; c < ncols; c++)
		free(cols[c].header);
	free(cols);
}

/*
 * The metric series: log bytes in, lines out, points kept as statistics per
 * metric and written to metrics.jsonl. The file is written through a
 * buffer and an atomic file, so it appears whole at the end or not at all.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "err.h"
#include "jsonio.h"
#include "runlog.h"
#include "xalloc.h"

/* A line longer than this is not a metric line (it is still echoed). */
#define LINE_PARSE_MAX (1u << 20)
#define OUT_FLUSH (256u << 10)

struct mstat {
	char *name;
	size_t len;
	uint64_t hash;
	uint64_t count, nan_count;
	uint64_t seen;          /* the last line that named it: duplicates */
	double min, max, last, last_step;
	int has_range, has_step;
};

struct metrics {
	struct atomicfile af;
	int af_open;            /* not yet committed */
	char *path;
	struct strbuf out;      /* metrics.jsonl, not yet written */
	struct strbuf carry;    /* a line that straddles two blocks */
	int overlong;           /* the current line passed LINE_PARSE_MAX */
	struct point pt;
	size_t *idx;            /* per member of pt: its mstat, or SIZE_MAX for an index */
	size_t idxcap;
	struct mstat *stats;    /* in order of first appearance */
	size_t nstats, capstats;
	uint32_t *slots;        /* hash -> index into stats, plus one; 0 is empty */
	size_t nslots;
	uint64_t serial;
};

struct metrics *metrics_open(const char *path)
{
	struct metrics *m = xcalloc(1, sizeof *m);

	if (atomicfile_open(&m->af, path, 0644) < 0) {
		int e = errno;
		free(m); /* nothing else is held yet: the leak checker sees every exit */
		die(e == EACCES || e == EROFS || e == ENOENT || e == ENOTDIR ? EXIT_USAGE : EXIT_IO,
		    "cannot write '%s': %s", path, strerror(e));
	}
	m->path = xstrdup(path);
	m->af_open = 1;
	m->nslots = 64;
	m->slots = xcalloc(m->nslots, sizeof *m->slots);
	return m;
}

static uint64_t name_hash(const char *s, size_t len)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static void slots_grow(struct metrics *m)
{
	size_t n = m->nslots * 2;
	uint32_t *slots = xcalloc(n, sizeof *slots);

	for (size_t i = 0; i < m->nstats; i++) {
		size_t j = m->stats[i].hash & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = (uint32_t)(i + 1);
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
}

static size_t stat_find(struct metrics *m, const char *key, size_t len)
{
	uint64_t h = name_hash(key, len);
	size_t j = h & (m->nslots - 1);
	struct mstat *s;

	for (; m->slots[j]; j = (j + 1) & (m->nslots - 1)) {
		s = &m->stats[m->slots[j] - 1];
		if (s->hash == h && s->len == len && memcmp(s->name, key, len) == 0)
			return m->slots[j] - 1;
	}
	if (m->nstats >= UINT32_MAX - 1)
		die(EXIT_IO, "too many metrics");
	if (m->nstats == m->capstats) {
		m->capstats = m->capstats ? m->capstats * 2 : 32;
		m->stats = xreallocarray(m->stats, m->capstats, sizeof *m->stats);
	}
	s = &m->stats[m->nstats];
	memset(s, 0, sizeof *s);
	s->name = xstrndup(key, len);
	s->len = len;
	s->hash = h;
	m->slots[j] = (uint32_t)(++m->nstats);
	if (m->nstats * 2 > m->nslots)
		slots_grow(m);
	return m->nstats - 1;
}

static int is_index(const struct point_value *v, const char *name)
{
	size_t n = strlen(name);
	return v->keylen == n && memcmp(v->key, name, n) == 0;
}

/*
 * A key with JCS's minimal escapes, so that it reads back as the same
 * string, at out (room for 6 bytes per key byte plus 2); returns the end.
 * Written by hand: this runs for every member of every metric line.
 */
static char *key_put(char *out, const char *k, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	*out++ = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)k[i];
		const char *esc = NULL;

		if (c >= 0x20 && c != '"' && c != '\\') {
			*out++ = (char)c;
			continue;
		}
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		}
		if (esc) {
			memcpy(out, esc, 2);
			out += 2;
		} else {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			memcpy(out, u, 6);
			out += 6;
		}
	}
	*out++ = '"';
	return out;
}

static void out_flush(struct metrics *m)
{
	if (m->out.len && atomicfile_write(&m->af, m->out.buf, m->out.len) < 0)
		die(EXIT_IO, "cannot write '%s': %s", m->path, strerror(errno));
	strbuf_reset(&m->out);
}

/*
 * A parsed object is a point when its keys are distinct and not empty,
 * step and epoch (indices) are finite, and one metric at least is there.
 */
static void point_take(struct metrics *m)
{
	struct point *pt = &m->pt;
	double step = 0;
	int has_step = 0, has_epoch = 0, nmetrics = 0;
	double epoch = 0;

	if (pt->n > m->idxcap) {
		m->idxcap = pt->n;
		m->idx = xreallocarray(m->idx, m->idxcap, sizeof *m->idx);
	}
	m->serial++;
	for (size_t i = 0; i < pt->n; i++) {
		const struct point_value *v = &pt->v[i];
		int st = is_index(v, "step");

		if (v->keylen == 0)
			return;
		if (st || is_index(v, "epoch")) {
			int *has = st ? &has_step : &has_epoch;
			if (*has || !isfinite(v->value))
				return;
			*has = 1;
			*(st ? &step : &epoch) = v->value;
			m->idx[i] = SIZE_MAX;
			continue;
		}
		m->idx[i] = stat_find(m, v->key, v->keylen);
		if (m->stats[m->idx[i]].seen == m->serial)
			return;
		m->stats[m->idx[i]].seen = m->serial;
		nmetrics++;
	}
	if (!nmetrics)
		return;
	if (!has_step && has_epoch) {
		step = epoch;
		has_step = 1;
	}
	/* Room for the whole line at once: {"key":num,...}\n, keys escaped. */
	size_t room = 3;
	for (size_t i = 0; i < pt->n; i++)
		room += pt->v[i].keylen * 6 + pt->v[i].numlen + 8;
	strbuf_grow(&m->out, room);
	char *out = m->out.buf + m->out.len;
	*out++ = '{';
	for (size_t i = 0; i < pt->n; i++) {
		const struct point_value *v = &pt->v[i];
		int finite = isfinite(v->value);

		if (i)
			*out++ = ',';
		out = key_put(out, v->key, v->keylen);
		*out++ = ':';
		if (finite) {
			memcpy(out, v->num, v->numlen);
			out += v->numlen;
		} else {
			memcpy(out, "null", 4);
			out += 4;
		}
		if (m->idx[i] != SIZE_MAX) {
			struct mstat *s = &m->stats[m->idx[i]];
			s->count++;
			s->last = v->value;
			if (!finite) {
				s->nan_count++;
			} else if (!s->has_range) {
				s->min = s->max = v->value;
				s->has_range = 1;
			} else {
				if (v->value < s->min)
					s->min = v->value;
				if (v->value > s->max)
					s->max = v->value;
			}
			s->has_step = has_step;
			s->last_step = step;
		}
	}
	*out++ = '}';
	*out++ = '\n';
	*out = '\0';
	m->out.len = (size_t)(out - m->out.buf);
	if (m->out.len >= OUT_FLUSH)
		out_flush(m);
}

static void line_take(struct metrics *m, const char *line, size_t len)
{
	if (len > LINE_PARSE_MAX)
		return;
	/* Most log lines are text: leave them at the first byte. */
	if (len && line[0] != '{' && line[0] != ' ' && line[0] != '\t')
		return;
	if (point_parse(&m->pt, line, len))
		point_take(m);
}

void metrics_feed(struct metrics *m, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;

	if (m->carry.len || m->overlong) {
		nl = memchr(p, '\n', len);
		size_t part = (size_t)((nl ? nl : end) - p);
		if (!m->overlong && m->carry.len + part <= LINE_PARSE_MAX)
			strbuf_add(&m->carry, p, part);
		else
			m->overlong = 1;
		if (!nl)
			return;
		if (!m->overlong)
			line_take(m, m->carry.buf, m->carry.len);
		strbuf_reset(&m->carry);
		m->overlong = 0;
		p = nl + 1;
	}
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		line_take(m, p, (size_t)(nl - p));
		p = nl + 1;
	}
	if (p < end) {
		if ((size_t)(end - p) <= LINE_PARSE_MAX)
			strbuf_add(&m->carry, p, (size_t)(end - p));
		else
			m->overlong = 1;
	}
}

void metrics_finish(struct metrics *m)
{
	if (m->carry.len && !m->overlong)
		line_take(m, m->carry.buf, m->carry.len);
	strbuf_reset(&m->carry);
	m->overlong = 0;
}

void metrics_commit(struct metrics *m)
{
	out_flush(m);
	m->af_open = 0;
	if (atomicfile_commit(&m->af) < 0)
		die(EXIT_IO, "cannot write '%s': %s", m->path, strerror(errno));
}

/* Names are distinct already: json_set's search would make this quadratic. */
static void add_number_or_null(cJSON *obj, const char *key, double v)
{
	cJSON_AddItemToObject(obj, key, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

cJSON *metrics_last(const struct metrics *m)
{
	cJSON *obj = cJSON_CreateObject();

	for (size_t i = 0; i < m->nstats; i++)
		if (m->stats[i].count)
			add_number_or_null(obj, m->stats[i].name, m->stats[i].last);
	return obj;
}

cJSON *metrics_stats(const struct metrics *m)
{
	cJSON *obj = cJSON_CreateObject();

	for (size_t i = 0; i < m->nstats; i++) {
		const struct mstat *s = &m->stats[i];
		cJSON *st;

		if (!s->count)
			continue;
		st = cJSON_CreateObject();
		if (s->has_range) {
			json_set_number_or_null(st, "min", s->min);
			json_set_number_or_null(st, "max", s->max);
		} else {
			json_set(st, "min", cJSON_CreateNull());
			json_set(st, "max", cJSON_CreateNull());
		}
		json_set(st, "count", cJSON_CreateNumber((double)s->count));
		json_set(st, "nan_count", cJSON_CreateNumber((double)s->nan_count));
		if (s->has_step)
			json_set_number_or_null(st, "last_step", s->last_step);
		else
			json_set(st, "last_step", cJSON_CreateNull());
		cJSON_AddItemToObject(obj, s->name, st);
	}
	return obj;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	if (m->af_open)
		atomicfile_abort(&m->af);
	for (size_t i = 0; i < m->nstats; i++)
		free(m->stats[i].name);
	free(m->stats);
	free(m->slots);
	free(m->idx);
	point_release(&m->pt);
	strbuf_release(&m->out);
	strbuf_release(&m->carry);
	free(m->path);
	free(m);
}

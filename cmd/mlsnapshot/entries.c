#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entries.h"
#include "err.h"
#include "jcs.h"
#include "jsonio.h"
#include "xalloc.h"

struct snapent *entries_add(struct entry_list *l, const char *path, enum entry_type type)
{
	struct snapent *e;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->path = xstrdup(path);
	e->type = type;
	return e;
}

static int entry_cmp(const void *a, const void *b)
{
	/* strcmp compares as unsigned char: the "path bytes" order. */
	return strcmp(((const struct snapent *)a)->path, ((const struct snapent *)b)->path);
}

void entries_sort(struct entry_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), entry_cmp);
}

const char *entries_find_duplicate(const struct entry_list *l)
{
	for (size_t i = 1; i < l->n; i++)
		if (strcmp(l->v[i - 1].path, l->v[i].path) == 0)
			return l->v[i].path;
	return NULL;
}

void entries_free(struct entry_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].target);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Adds under a constant key, neither copied nor looked up: a record holds thousands of entries. */
static void add_const(cJSON *o, const char *key, cJSON *value)
{
	if (!value || !cJSON_AddItemToObjectCS(o, key, value))
		die(EXIT_IO, "out of memory");
}

cJSON *entry_to_json(const struct snapent *e)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		die(EXIT_IO, "out of memory");
	add_const(o, "path", cJSON_CreateString(e->path));
	add_const(o, "type", cJSON_CreateStringReference(e->type == ENTRY_FILE ? "file" : "symlink"));
	add_const(o, "size", cJSON_CreateNumber((double)e->size));
	if (e->type == ENTRY_FILE)
		add_const(o, "hash", cJSON_CreateString(e->hash));
	else
		add_const(o, "target", cJSON_CreateString(e->target));
	return o;
}

cJSON *entries_to_json(const struct entry_list *l)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < l->n; i++)
		cJSON_AddItemToArray(arr, entry_to_json(&l->v[i]));
	return arr;
}

/* A hash string needs no escape when it is what hash_format writes. */
static char *put_hash(char *out, const char *hash)
{
	if (strlen(hash) != HASH_STR_LEN - 1)
		return jcs_put_string(out, hash);
	*out++ = '"';
	memcpy(out, hash, HASH_STR_LEN - 1);
	out += HASH_STR_LEN - 1;
	*out++ = '"';
	return out;
}

/* A size as JCS writes the double cJSON would hold. */
static char *put_size(char *out, uint64_t size)
{
	char num[32];
	size_t n;

	jcs_format_number((double)size, num);
	n = strlen(num);
	memcpy(out, num, n);
	return out + n;
}

#define PUT(out, lit) (memcpy(out, lit, sizeof(lit) - 1), out + sizeof(lit) - 1)

void entries_write_canonical(struct strbuf *sb, const struct entry_list *l)
{
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < l->n; i++) {
		const struct snapent *e = &l->v[i];
		const char *other = e->type == ENTRY_FILE ? e->hash : e->target;
		/* Every byte escaped at most as \u00xx: six bytes for one. */
		strbuf_grow(sb, 6 * (strlen(e->path) + strlen(other)) + 64);
		char *out = sb->buf + sb->len;

		if (i)
			*out++ = ',';
		/* The keys in JCS order: hash < path < size < type, path < size < target < type. */
		if (e->type == ENTRY_FILE) {
			out = PUT(out, "{\"hash\":");
			out = put_hash(out, e->hash);
			out = PUT(out, ",\"path\":");
		} else {
			out = PUT(out, "{\"path\":");
		}
		out = jcs_put_string(out, e->path);
		out = PUT(out, ",\"size\":");
		out = put_size(out, e->size);
		if (e->type == ENTRY_FILE) {
			out = PUT(out, ",\"type\":\"file\"}");
		} else {
			out = PUT(out, ",\"target\":");
			out = jcs_put_string(out, e->target);
			out = PUT(out, ",\"type\":\"symlink\"}");
		}
		sb->len = (size_t)(out - sb->buf);
	}
	strbuf_addch(sb, ']');
}

/* A stored path must be one extraction and walking could have produced. */
static int path_valid(const char *p)
{
	const char *c = p;

	if (!*p || *p == '/')
		return 0;
	while (*c) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		c += n;
		if (*c == '/')
			c++;
		if (*c == '\0' && c[-1] == '/')
			return 0;
	}
	return 1;
}

/* Integers up to 2^53 are exact in a double, and that is plenty of bytes. */
static int size_valid(double d)
{
	return isfinite(d) && d >= 0 && d <= 9007199254740992.0 && d == floor(d);
}

static int entry_from_json(const cJSON *o, size_t i, struct entry_list *l, char *msg, size_t msglen)
{
	const char *path = json_get_string(o, "path");
	const char *type = json_get_string(o, "type");
	double size;
	struct snapent *e;

	if (!path || !path_valid(path) || !utf8_valid(path)) {
		snprintf(msg, msglen, "entries[%zu]: invalid or missing \"path\"", i);
		return -1;
	}
	if (!json_get_number(o, "size", &size) || !size_valid(size)) {
		snprintf(msg, msglen, "entries[%zu]: invalid or missing \"size\"", i);
		return -1;
	}
	if (type && strcmp(type, "file") == 0) {
		const char *hash = json_get_string(o, "hash");
		if (!hash_str_valid(hash)) {
			snprintf(msg, msglen, "entries[%zu]: invalid or missing \"hash\"", i);
			return -1;
		}
		e = entries_add(l, path, ENTRY_FILE);
		memcpy(e->hash, hash, HASH_STR_LEN);
	} else if (type && strcmp(type, "symlink") == 0) {
		const char *target = json_get_string(o, "target");
		if (!target || !*target) {
			snprintf(msg, msglen, "entries[%zu]: invalid or missing \"target\"", i);
			return -1;
		}
		e = entries_add(l, path, ENTRY_SYMLINK);
		e->target = xstrdup(target);
	} else {
		snprintf(msg, msglen, "entries[%zu]: \"type\" must be \"file\" or \"symlink\"", i);
		return -1;
	}
	e->size = (uint64_t)size;
	return 0;
}

int entries_from_json(const cJSON *arr, struct entry_list *l, char *msg, size_t msglen)
{
	const cJSON *o;
	const char *dup;
	size_t i = 0;

	if (!cJSON_IsArray(arr)) {
		snprintf(msg, msglen, "\"entries\" must be an array");
		return -1;
	}
	cJSON_ArrayForEach(o, arr) {
		if (!cJSON_IsObject(o)) {
			snprintf(msg, msglen, "entries[%zu]: not an object", i);
			return -1;
		}
		if (entry_from_json(o, i, l, msg, msglen) < 0)
			return -1;
		i++;
	}
	entries_sort(l);
	if ((dup = entries_find_duplicate(l))) {
		snprintf(msg, msglen, "entries: duplicate path '%s'", dup);
		return -1;
	}
	return 0;
}

int entry_same(const struct snapent *a, const struct snapent *b)
{
	if (a->type != b->type || a->size != b->size)
		return 0;
	if (a->type == ENTRY_FILE)
		return strcmp(a->hash, b->hash) == 0;
	return strcmp(a->target, b->target) == 0;
}

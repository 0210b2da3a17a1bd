/*
 * A strict JSON reader that builds cJSON trees. cJSON's own parser accepts
 * duplicate keys, invalid UTF-8 and bytes after the value, and reports no
 * line or column; records must be refused for all of those, with the place.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fileio.h"
#include "jsonio.h"
#include "strbuf.h"
#include "utf8.h"
#include "xalloc.h"

struct parser {
	const char *start, *p, *end;
	int depth;
	struct json_error *err;
	int failed;
};

static void fail_at(struct parser *ps, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_at(struct parser *ps, const char *where, const char *fmt, ...)
{
	va_list ap;
	int line = 1, col = 1;

	if (ps->failed)
		return;
	ps->failed = 1;
	for (const char *q = ps->start; q < where; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	ps->err->line = line;
	ps->err->col = col;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof ps->err->msg, fmt, ap);
	va_end(ap);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static void fail_unexpected(struct parser *ps, const char *expected)
{
	unsigned char c;

	if (ps->p >= ps->end) {
		fail_at(ps, ps->p, "unexpected end of input, expected %s", expected);
		return;
	}
	c = (unsigned char)*ps->p;
	if (c == 0)
		fail_at(ps, ps->p, "NUL byte, expected %s", expected);
	else if (c >= 0x21 && c < 0x7f)
		fail_at(ps, ps->p, "unexpected '%c', expected %s", c, expected);
	else
		fail_at(ps, ps->p, "unexpected byte 0x%02x, expected %s", c, expected);
}

static cJSON *parse_value(struct parser *ps);

static void add_utf8(struct strbuf *sb, unsigned cp)
{
	char b[4];

	if (cp < 0x80) {
		b[0] = (char)cp;
		strbuf_add(sb, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 4);
	}
}

static int read_hex4(struct parser *ps, unsigned *out)
{
	unsigned v = 0;

	if (ps->end - ps->p < 4) {
		fail_at(ps, ps->p, "truncated \\u escape");
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		char c = ps->p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else {
			fail_at(ps, ps->p + i, "invalid \\u escape");
			return -1;
		}
	}
	ps->p += 4;
	*out = v;
	return 0;
}

static int parse_unicode_escape(struct parser *ps, struct strbuf *sb, const char *esc)
{
	unsigned cp, lo;

	if (read_hex4(ps, &cp) < 0)
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		fail_at(ps, esc, "lone low surrogate in \\u escape");
		return -1;
	}
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
			fail_at(ps, esc, "high surrogate without its low half");
			return -1;
		}
		ps->p += 2;
		if (read_hex4(ps, &lo) < 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff) {
			fail_at(ps, esc, "high surrogate without its low half");
			return -1;
		}
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0) {
		fail_at(ps, esc, "\\u0000 is not allowed");
		return -1;
	}
	add_utf8(sb, cp);
	return 0;
}

static int parse_escape(struct parser *ps, struct strbuf *sb)
{
	const char *esc = ps->p - 1;
	char c;

	if (ps->p >= ps->end) {
		fail_at(ps, ps->p, "unterminated string");
		return -1;
	}
	c = *ps->p++;
	switch (c) {
	case '"': strbuf_addch(sb, '"'); return 0;
	case '\\': strbuf_addch(sb, '\\'); return 0;
	case '/': strbuf_addch(sb, '/'); return 0;
	case 'b': strbuf_addch(sb, '\b'); return 0;
	case 'f': strbuf_addch(sb, '\f'); return 0;
	case 'n': strbuf_addch(sb, '\n'); return 0;
	case 'r': strbuf_addch(sb, '\r'); return 0;
	case 't': strbuf_addch(sb, '\t'); return 0;
	case 'u': return parse_unicode_escape(ps, sb, esc);
	default:
		fail_at(ps, esc, "invalid escape in string");
		return -1;
	}
}

/* Parses a string at ps->p (on the opening quote) into a new C string. */
static char *parse_string(struct parser *ps)
{
	struct strbuf sb = STRBUF_INIT;

	ps->p++;
	strbuf_grow(&sb, 16);
	for (;;) {
		const char *run = ps->p;
		while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' &&
		       (unsigned char)*ps->p >= 0x20 && (unsigned char)*ps->p < 0x80)
			ps->p++;
		strbuf_add(&sb, run, (size_t)(ps->p - run));
		if (ps->p >= ps->end) {
			fail_at(ps, ps->p, "unterminated string");
			break;
		}
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			return strbuf_detach(&sb, NULL);
		}
		if (c == '\\') {
			ps->p++;
			if (parse_escape(ps, &sb) < 0)
				break;
			continue;
		}
		if (c < 0x20) {
			fail_at(ps, ps->p, c ? "control character in string" : "NUL byte in string");
			break;
		}
		size_t n = utf8_seq_len(ps->p, ps->end);
		if (!n) {
			fail_at(ps, ps->p, "invalid UTF-8 in string");
			break;
		}
		strbuf_add(&sb, ps->p, n);
		ps->p += n;
	}
	strbuf_release(&sb);
	return NULL;
}

static int is_digit(const struct parser *ps, const char *q)
{
	return q < ps->end && *q >= '0' && *q <= '9';
}

static cJSON *parse_number(struct parser *ps)
{
	const char *s = ps->p, *q = ps->p;
	char small[64], *tok;
	double v;
	size_t n;

	if (*q == '-')
		q++;
	if (!is_digit(ps, q)) {
		ps->p = q;
		if (q < ps->end && (*q == 'I' || *q == 'N'))
			fail_at(ps, s, "NaN and Infinity are not JSON");
		else
			fail_unexpected(ps, "a digit");
		return NULL;
	}
	if (*q == '0' && is_digit(ps, q + 1)) {
		fail_at(ps, q, "leading zero in number");
		return NULL;
	}
	while (is_digit(ps, q))
		q++;
	if (q < ps->end && *q == '.') {
		q++;
		if (!is_digit(ps, q)) {
			ps->p = q;
			fail_unexpected(ps, "a digit after '.'");
			return NULL;
		}
		while (is_digit(ps, q))
			q++;
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		if (!is_digit(ps, q)) {
			ps->p = q;
			fail_unexpected(ps, "a digit in the exponent");
			return NULL;
		}
		while (is_digit(ps, q))
			q++;
	}
	n = (size_t)(q - s);
	tok = n < sizeof small ? small : xmalloc(n + 1);
	memcpy(tok, s, n);
	tok[n] = '\0';
	v = strtod(tok, NULL);
	if (tok != small)
		free(tok);
	if (!isfinite(v)) {
		fail_at(ps, s, "number out of range");
		return NULL;
	}
	ps->p = q;
	return cJSON_CreateNumber(v);
}

static cJSON *parse_literal(struct parser *ps, const char *word, cJSON *(*make)(void))
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
		if (*ps->p == 'N' || *ps->p == 'I')
			fail_at(ps, ps->p, "NaN and Infinity are not JSON");
		else
			fail_unexpected(ps, "a JSON value");
		return NULL;
	}
	ps->p += n;
	return make();
}

static cJSON *make_true(void) { return cJSON_CreateTrue(); }
static cJSON *make_false(void) { return cJSON_CreateFalse(); }
static cJSON *make_null(void) { return cJSON_CreateNull(); }

static int enter(struct parser *ps)
{
	if (++ps->depth > JSON_MAX_DEPTH) {
		fail_at(ps, ps->p, "nesting deeper than %d", JSON_MAX_DEPTH);
		return -1;
	}
	ps->p++;
	return 0;
}

static cJSON *parse_array(struct parser *ps)
{
	cJSON *arr;

	if (enter(ps) < 0)
		return NULL;
	arr = cJSON_CreateArray();
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		ps->depth--;
		return arr;
	}
	for (;;) {
		cJSON *item = parse_value(ps);
		if (!item)
			goto fail;
		cJSON_AddItemToArray(arr, item);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			ps->depth--;
			return arr;
		}
		fail_unexpected(ps, "',' or ']'");
		goto fail;
	}
fail:
	cJSON_Delete(arr);
	return NULL;
}

static cJSON *parse_object(struct parser *ps)
{
	cJSON *obj;

	if (enter(ps) < 0)
		return NULL;
	obj = cJSON_CreateObject();
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		ps->depth--;
		return obj;
	}
	for (;;) {
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"') {
			fail_unexpected(ps, "a string key");
			goto fail;
		}
		const char *key_at = ps->p;
		char *key = parse_string(ps);
		if (!key)
			goto fail;
		if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
			fail_at(ps, key_at, "duplicate key '%.80s'", key);
			free(key);
			goto fail;
		}
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':') {
			free(key);
			fail_unexpected(ps, "':'");
			goto fail;
		}
		ps->p++;
		cJSON *item = parse_value(ps);
		if (!item) {
			free(key);
			goto fail;
		}
		cJSON_AddItemToObject(obj, key, item);
		free(key);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			ps->depth--;
			return obj;
		}
		fail_unexpected(ps, "',' or '}'");
		goto fail;
	}
fail:
	cJSON_Delete(obj);
	return NULL;
}

static cJSON *parse_value(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail_unexpected(ps, "a JSON value");
		return NULL;
	}
	switch (*ps->p) {
	case '{': return parse_object(ps);
	case '[': return parse_array(ps);
	case '"': {
		char *s = parse_string(ps);
		cJSON *item = s ? cJSON_CreateString(s) : NULL;
		free(s);
		return item;
	}
	case 't': return parse_literal(ps, "true", make_true);
	case 'f': return parse_literal(ps, "false", make_false);
	case 'n': return parse_literal(ps, "null", make_null);
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9') || *ps->p == 'N' || *ps->p == 'I')
			return parse_number(ps);
		fail_unexpected(ps, "a JSON value");
		return NULL;
	}
}

cJSON *json_parse_strict(const char *buf, size_t len, struct json_error *err)
{
	struct parser ps = { buf, buf, buf + len, 0, err, 0 };
	cJSON *root;

	memset(err, 0, sizeof *err);
	skip_ws(&ps);
	if (ps.p >= ps.end) {
		fail_at(&ps, ps.p, "no JSON value (empty input)");
		return NULL;
	}
	root = parse_value(&ps);
	if (!root)
		return NULL;
	skip_ws(&ps);
	if (ps.p < ps.end) {
		fail_at(&ps, ps.p, "trailing data after the JSON value");
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

cJSON *json_read_file(const char *path)
{
	struct json_error err;
	size_t len;
	char *buf = file_read_or_die(path, &len);
	cJSON *root = json_parse_strict(buf, len, &err);

	free(buf);
	if (!root)
		die(EXIT_USAGE, "%s:%d:%d: %s", file_display_name(path), err.line, err.col, err.msg);
	return root;
}

cJSON *json_read_object(const char *path)
{
	cJSON *root = json_read_file(path);

	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		die(EXIT_USAGE, "%s:1:1: expected a JSON object", file_display_name(path));
	}
	return root;
}

cJSON *json_get(const cJSON *obj, const char *key)
{
	return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

const char *json_get_string(const cJSON *obj, const char *key)
{
	cJSON *item = json_get(obj, key);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

int json_get_number(const cJSON *obj, const char *key, double *out)
{
	cJSON *item = json_get(obj, key);

	if (!cJSON_IsNumber(item))
		return 0;
	*out = item->valuedouble;
	return 1;
}

cJSON *json_get_object(const cJSON *obj, const char *key)
{
	cJSON *item = json_get(obj, key);

	return cJSON_IsObject(item) ? item : NULL;
}

cJSON *json_get_array(const cJSON *obj, const char *key)
{
	cJSON *item = json_get(obj, key);

	return cJSON_IsArray(item) ? item : NULL;
}

cJSON *json_set(cJSON *obj, const char *key, cJSON *value)
{
	if (!value)
		die(EXIT_IO, "out of memory");
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
	else
		cJSON_AddItemToObject(obj, key, value);
	return value;
}

cJSON *json_set_string_or_null(cJSON *obj, const char *key, const char *s)
{
	return json_set(obj, key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

cJSON *json_set_number_or_null(cJSON *obj, const char *key, double v)
{
	return json_set(obj, key, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

/*
 * RFC 8785 canonical JSON. The parts cJSON does not give: keys ordered by
 * UTF-16 code units, numbers as ECMAScript prints them (shortest digits that
 * round-trip, exponent only outside 1e-7..1e21), and the minimal escapes.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jcs.h"
#include "utf8.h"
#include "xalloc.h"

/* Shortest decimal digits that read back as v: digits (no dot) and the
 * exponent n such that v = 0.DIGITS x 10^n. */
static void shortest_digits(double v, char digits[24], int *n)
{
	char buf[40];

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
		if (strtod(buf, NULL) == v || prec == 17)
			break;
	}
	/* buf is "d.ddde[+-]XX" (or "de[+-]XX") */
	char *e = strchr(buf, 'e');
	int k = 0;
	for (char *p = buf; p < e; p++)
		if (*p != '.')
			digits[k++] = *p;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	*n = atoi(e + 1) + 1;
}

void jcs_format_number(double v, char result[32])
{
	/* At most 24 bytes ("-1.2345678901234567e-308"); the slack quiets -Wformat-truncation. */
	char digits[24], out[64];
	int n, k, pos = 0;

	if (v == 0) {
		strcpy(result, "0"); /* -0 too */
		return;
	}
	if (v == trunc(v) && fabs(v) < 9007199254740992.0) {
		/* An integer below 2^53: its decimal digits, as "%.0f" would print them. */
		uint64_t u = (uint64_t)fabs(v);
		char rev[20];
		int m = 0;
		do {
			rev[m++] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (v < 0)
			result[pos++] = '-';
		while (m)
			result[pos++] = rev[--m];
		result[pos] = '\0';
		return;
	}
	if (v < 0) {
		out[pos++] = '-';
		v = -v;
	}
	shortest_digits(v, digits, &n);
	k = (int)strlen(digits);
	if (k <= n && n <= 21) {
		pos += snprintf(out + pos, sizeof out - (size_t)pos, "%s%0*d", digits, n - k, 0);
		/* %0*d with width 0 prints "0": trim it when no zeros are due */
		if (n == k)
			out[--pos] = '\0';
	} else if (0 < n && n <= 21) {
		snprintf(out + pos, sizeof out - (size_t)pos, "%.*s.%s", n, digits, digits + n);
	} else if (-6 < n && n <= 0) {
		pos += snprintf(out + pos, sizeof out - (size_t)pos, "0.");
		for (int i = 0; i < -n; i++)
			out[pos++] = '0';
		snprintf(out + pos, sizeof out - (size_t)pos, "%s", digits);
	} else {
		int e = n - 1;
		if (k == 1)
			snprintf(out + pos, sizeof out - (size_t)pos, "%ce%c%d", digits[0], e < 0 ? '-' : '+', abs(e));
		else
			snprintf(out + pos, sizeof out - (size_t)pos, "%c.%se%c%d", digits[0], digits + 1,
				 e < 0 ? '-' : '+', abs(e));
	}
	size_t len = strlen(out);
	if (len > 31)
		die(EXIT_IO, "internal error: number form too long");
	memcpy(result, out, len + 1);
}

char *jcs_put_string(char *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	*out++ = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\') {
			*out++ = (char)*p;
			continue;
		}
		*out++ = '\\';
		switch (*p) {
		case '"': *out++ = '"'; break;
		case '\\': *out++ = '\\'; break;
		case '\b': *out++ = 'b'; break;
		case '\f': *out++ = 'f'; break;
		case '\n': *out++ = 'n'; break;
		case '\r': *out++ = 'r'; break;
		case '\t': *out++ = 't'; break;
		default:
			memcpy(out, "u00", 3);
			out[3] = hex[*p >> 4];
			out[4] = hex[*p & 15];
			out += 5;
		}
	}
	*out++ = '"';
	return out;
}

static void write_string(struct strbuf *sb, const char *s)
{
	/* Every byte escaped at most as \u00xx: six bytes for one. */
	strbuf_grow(sb, 6 * strlen(s) + 2);
	sb->len = (size_t)(jcs_put_string(sb->buf + sb->len, s) - sb->buf);
	sb->buf[sb->len] = '\0';
}

/* A key as UTF-16 code units, for RFC 8785's ordering. */
struct sort_key {
	const cJSON *item;
	uint16_t *units;
	size_t n;
};

static void to_utf16(const char *s, struct sort_key *k)
{
	size_t len = strlen(s);
	const unsigned char *p = (const unsigned char *)s;

	k->units = xmalloc((len + 1) * sizeof *k->units);
	k->n = 0;
	while (*p) {
		uint32_t cp;
		int extra;
		if (*p < 0x80) { cp = *p; extra = 0; }
		else if (*p < 0xe0) { cp = *p & 0x1f; extra = 1; }
		else if (*p < 0xf0) { cp = *p & 0x0f; extra = 2; }
		else { cp = *p & 0x07; extra = 3; }
		p++;
		for (int i = 0; i < extra && *p; i++, p++)
			cp = (cp << 6) | (*p & 0x3f);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			k->units[k->n++] = (uint16_t)(0xd800 + (cp >> 10));
			k->units[k->n++] = (uint16_t)(0xdc00 + (cp & 0x3ff));
		} else {
			k->units[k->n++] = (uint16_t)cp;
		}
	}
}

static int compare_keys(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;

	for (size_t i = 0; i < n; i++)
		if (x->units[i] != y->units[i])
			return x->units[i] < y->units[i] ? -1 : 1;
	return (x->n > y->n) - (x->n < y->n);
}

static void newline(struct strbuf *sb, int indent)
{
	if (indent < 0)
		return;
	strbuf_addch(sb, '\n');
	for (int i = 0; i < indent; i++)
		strbuf_add(sb, "  ", 2);
}

/* A value written as given text instead of from its tree (jcs_write_splice). */
struct splice {
	const cJSON *at;
	const char *text;
	size_t len;
};

static int write_item(struct strbuf *sb, const cJSON *item, int indent, const struct splice *sp);

static int is_skipped(const char *key, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (strcmp(key, *skip) == 0)
			return 1;
	return 0;
}

/* Byte order (strcmp) is code point order, which is UTF-16 order unless a
 * key holds U+E000..U+FFFF or a character beyond U+FFFF (lead bytes 0xee
 * and up): only such keys need the UTF-16 comparison. */
static int byte_order_is_utf16(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0xee)
			return 0;
	return 1;
}

static const char *key_of(const cJSON *c)
{
	return c->string ? c->string : "";
}

static int compare_bytes(const void *a, const void *b)
{
	return strcmp(key_of(*(const cJSON *const *)a), key_of(*(const cJSON *const *)b));
}

/* Orders items by key as RFC 8785 asks. */
static void sort_members(const cJSON **items, size_t n)
{
	int bytes = 1;

	for (size_t i = 0; i < n && bytes; i++)
		bytes = byte_order_is_utf16(key_of(items[i]));
	if (bytes) {
		if (n > 16) {
			qsort(items, n, sizeof *items, compare_bytes);
			return;
		}
		/* Records' objects are small and often in order already. */
		for (size_t i = 1; i < n; i++) {
			const cJSON *c = items[i];
			size_t j = i;
			while (j > 0 && strcmp(key_of(items[j - 1]), key_of(c)) > 0) {
				items[j] = items[j - 1];
				j--;
			}
			items[j] = c;
		}
		return;
	}
	struct sort_key *keys = xcalloc(n, sizeof *keys);
	for (size_t i = 0; i < n; i++) {
		keys[i].item = items[i];
		to_utf16(key_of(items[i]), &keys[i]);
	}
	qsort(keys, n, sizeof *keys, compare_keys);
	for (size_t i = 0; i < n; i++) {
		items[i] = keys[i].item;
		free(keys[i].units);
	}
	free(keys);
}

static int write_object(struct strbuf *sb, const cJSON *obj, int indent, const char *const *skip,
			const struct splice *sp)
{
	const cJSON *small[16], **items;
	size_t n = 0, i;
	int rc = 0;

	for (const cJSON *c = obj->child; c; c = c->next)
		if (!c->string || !is_skipped(c->string, skip))
			n++;
	if (!n) {
		strbuf_add(sb, "{}", 2);
		return 0;
	}
	items = n <= 16 ? small : xmalloc(n * sizeof *items);
	i = 0;
	for (const cJSON *c = obj->child; c; c = c->next)
		if (!c->string || !is_skipped(c->string, skip))
			items[i++] = c;
	sort_members(items, n);
	strbuf_addch(sb, '{');
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addch(sb, ',');
		newline(sb, indent < 0 ? -1 : indent + 1);
		write_string(sb, key_of(items[i]));
		if (items[i]->string && !utf8_valid(items[i]->string))
			rc = -1;
		strbuf_add(sb, indent < 0 ? ":" : ": ", indent < 0 ? 1 : 2);
		if (write_item(sb, items[i], indent < 0 ? -1 : indent + 1, sp) < 0)
			rc = -1;
	}
	newline(sb, indent);
	strbuf_addch(sb, '}');
	if (items != small)
		free(items);
	return rc;
}

static int write_array(struct strbuf *sb, const cJSON *arr, int indent, const struct splice *sp)
{
	int rc = 0;

	if (!arr->child) {
		strbuf_add(sb, "[]", 2);
		return 0;
	}
	strbuf_addch(sb, '[');
	for (const cJSON *c = arr->child; c; c = c->next) {
		if (c != arr->child)
			strbuf_addch(sb, ',');
		newline(sb, indent < 0 ? -1 : indent + 1);
		if (write_item(sb, c, indent < 0 ? -1 : indent + 1, sp) < 0)
			rc = -1;
	}
	newline(sb, indent);
	strbuf_addch(sb, ']');
	return rc;
}

static int write_item(struct strbuf *sb, const cJSON *item, int indent, const struct splice *sp)
{
	char num[32];

	if (sp && item == sp->at) {
		strbuf_add(sb, sp->text, sp->len);
		return 0;
	}
	switch (item->type & 0xff) {
	case cJSON_False: strbuf_add(sb, "false", 5); return 0;
	case cJSON_True: strbuf_add(sb, "true", 4); return 0;
	case cJSON_NULL: strbuf_add(sb, "null", 4); return 0;
	case cJSON_Number:
		if (!isfinite(item->valuedouble)) {
			strbuf_add(sb, "null", 4);
			return -1;
		}
		jcs_format_number(item->valuedouble, num);
		strbuf_addstr(sb, num);
		return 0;
	case cJSON_String:
		write_string(sb, item->valuestring ? item->valuestring : "");
		return item->valuestring && !utf8_valid(item->valuestring) ? -1 : 0;
	case cJSON_Array: return write_array(sb, item, indent, sp);
	case cJSON_Object: return write_object(sb, item, indent, NULL, sp);
	case cJSON_Raw:
		strbuf_addstr(sb, item->valuestring ? item->valuestring : "null");
		return 0;
	default:
		strbuf_add(sb, "null", 4);
		return -1;
	}
}

int jcs_write(struct strbuf *sb, const cJSON *item)
{
	return write_item(sb, item, -1, NULL);
}

int jcs_write_without(struct strbuf *sb, const cJSON *obj, const char *const *skip)
{
	if (!cJSON_IsObject(obj))
		return write_item(sb, obj, -1, NULL);
	return write_object(sb, obj, -1, skip, NULL);
}

int jcs_write_pretty(struct strbuf *sb, const cJSON *item)
{
	return write_item(sb, item, 0, NULL);
}

int jcs_write_splice(struct strbuf *sb, const cJSON *item, const cJSON *at, const char *text, size_t len)
{
	struct splice sp = { at, text, len };

	return write_item(sb, item, -1, &sp);
}

char *jcs_string(const cJSON *item, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;

	if (jcs_write(&sb, item) < 0) {
		strbuf_release(&sb);
		die(EXIT_USAGE, "a value cannot be written as JSON (a non-finite number or invalid UTF-8)");
	}
	return strbuf_detach(&sb, len);
}

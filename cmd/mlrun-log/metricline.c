/*
 * Is a log line a metric point? A JSON object whose values are all numbers.
 *
 * Training jobs print millions of lines like {"step":3,"loss":0.21}, so a
 * hand-rolled fast path takes exactly that shape: no blanks, keys of
 * printable ASCII without escapes. Anything it does not take goes to the
 * lenient parser (blanks, escapes, UTF-8 keys), which decides. Both share
 * number_scan(), so the same point gives the same values either way. The
 * log is the one lenient input: NaN, Infinity and -Infinity are numbers.
 * Nothing here trusts the input: every read is bounded by end.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runlog.h"
#include "xalloc.h"

static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* strtod on a token that is not NUL-terminated where it lies. */
static double token_strtod(const char *s, size_t len)
{
	char small[64], *copy = len < sizeof small ? small : xmalloc(len + 1);
	double v;

	memcpy(copy, s, len);
	copy[len] = '\0';
	v = strtod(copy, NULL);
	if (copy != small)
		free(copy);
	return v;
}

size_t number_scan(const char *s, const char *end, double *out)
{
	const char *p = s;
	uint64_t mant = 0;
	int digits = 0, exp10 = 0, inexact = 0, neg = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (end - p >= 8 && memcmp(p, "Infinity", 8) == 0) {
		*out = neg ? -INFINITY : INFINITY;
		return (size_t)(p + 8 - s);
	}
	if (!neg && end - p >= 3 && memcmp(p, "NaN", 3) == 0) {
		*out = NAN;
		return 3;
	}
	if (p >= end || !is_digit(*p))
		return 0;
	if (*p == '0') {
		p++;
	} else {
		for (; p < end && is_digit(*p); p++) {
			if (digits < 19) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				digits++;
			} else {
				inexact = 1;
				exp10++;
			}
		}
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || !is_digit(*p))
			return 0;
		for (; p < end && is_digit(*p); p++) {
			if (digits < 19) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				if (mant)
					digits++;
				exp10--;
			} else {
				inexact = 1;
			}
		}
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0, e = 0;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= end || !is_digit(*p))
			return 0;
		for (; p < end && is_digit(*p); p++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		exp10 += eneg ? -e : e;
	}
	/*
	 * Clinger's fast path: a mantissa below 2^53 and a power of ten that a
	 * double holds exactly give a correctly rounded result in one
	 * operation; everything else goes to strtod.
	 */
	if (!inexact && mant <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
		double v = (double)mant;
		v = exp10 >= 0 ? v * pow10_exact[exp10] : v / pow10_exact[-exp10];
		*out = neg ? -v : v;
	} else {
		*out = token_strtod(s, (size_t)(p - s));
	}
	return (size_t)(p - s);
}

static void point_push(struct point *pt, const char *key, size_t keylen,
                       const char *num, size_t numlen, double value)
{
	struct point_value *v;

	if (pt->n == pt->cap) {
		pt->cap = pt->cap ? pt->cap * 2 : 16;
		pt->v = xreallocarray(pt->v, pt->cap, sizeof *pt->v);
	}
	v = &pt->v[pt->n++];
	v->key = key;
	v->keylen = keylen;
	v->num = num;
	v->numlen = numlen;
	v->value = value;
}

static int point_parse_fast(struct point *pt, const char *p, const char *end)
{
	if (p == end || *p != '{')
		return 0;
	p++;
	for (;;) {
		const char *key;
		double v;
		size_t n;

		if (p == end || *p != '"')
			return 0;
		key = ++p;
		while (p < end && *p != '"') {
			unsigned char c = (unsigned char)*p;
			if (c == '\\' || c < 0x20 || c >= 0x80)
				return 0;
			p++;
		}
		if (end - p < 2 || p[1] != ':')
			return 0;
		n = number_scan(p + 2, end, &v);
		if (!n)
			return 0;
		point_push(pt, key, (size_t)(p - key), p + 2, n, v);
		p += 2 + n;
		if (p == end)
			return 0;
		if (*p == '}')
			return p + 1 == end;
		if (*p++ != ',')
			return 0;
	}
}

/* ---- the lenient path ---- */

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static int hex4(const char *p, const char *end, unsigned *out)
{
	unsigned v = 0;

	if (end - p < 4)
		return 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return 0;
	}
	*out = v;
	return 1;
}

static void utf8_put(struct strbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		strbuf_addch(sb, (char)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, (char)(0xc0 | (cp >> 6)));
		strbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, (char)(0xe0 | (cp >> 12)));
		strbuf_addch(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(sb, (char)(0xf0 | (cp >> 18)));
		strbuf_addch(sb, (char)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	}
}

/* A JSON string at p (after its quote) decoded into sb; the end, or NULL. */
static const char *string_decode(struct strbuf *sb, const char *p, const char *end)
{
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		unsigned cp, lo;
		size_t n;

		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c >= 0x80) {
			n = utf8_seq_len(p, end);
			if (!n)
				return NULL;
			strbuf_add(sb, p, n);
			p += n;
			continue;
		}
		if (c != '\\') {
			strbuf_addch(sb, (char)c);
			p++;
			continue;
		}
		if (++p == end)
			return NULL;
		switch (*p++) {
		case '"': strbuf_addch(sb, '"'); break;
		case '\\': strbuf_addch(sb, '\\'); break;
		case '/': strbuf_addch(sb, '/'); break;
		case 'b': strbuf_addch(sb, '\b'); break;
		case 'f': strbuf_addch(sb, '\f'); break;
		case 'n': strbuf_addch(sb, '\n'); break;
		case 'r': strbuf_addch(sb, '\r'); break;
		case 't': strbuf_addch(sb, '\t'); break;
		case 'u':
			if (!hex4(p, end, &cp))
				return NULL;
			p += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return NULL;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, end, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					return NULL;
				p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			/* A NUL cannot be a metric's name: keys are C strings. */
			if (cp == 0)
				return NULL;
			utf8_put(sb, cp);
			break;
		default:
			return NULL;
		}
	}
	return NULL;
}

static int point_parse_lenient(struct point *pt, const char *p, const char *end)
{
	p = skip_blanks(p, end);
	if (p == end || *p != '{')
		return 0;
	p = skip_blanks(p + 1, end);
	if (p < end && *p == '}')
		return 0; /* {} holds no metric */
	strbuf_reset(&pt->keys);
	for (;;) {
		size_t keyoff = pt->keys.len, n;
		double v;

		if (p == end || *p != '"')
			return 0;
		p = string_decode(&pt->keys, p + 1, end);
		if (!p)
			return 0;
		/* Offsets for now: the buffer may move as keys are added. */
		strbuf_addch(&pt->keys, '\0');
		p = skip_blanks(p, end);
		if (p == end || *p != ':')
			return 0;
		p = skip_blanks(p + 1, end);
		n = number_scan(p, end, &v);
		if (!n)
			return 0;
		point_push(pt, NULL, keyoff, p, n, v);
		p = skip_blanks(p + n, end);
		if (p == end)
			return 0;
		if (*p == '}')
			break;
		if (*p != ',')
			return 0;
		p = skip_blanks(p + 1, end);
	}
	if (skip_blanks(p + 1, end) != end)
		return 0;
	for (size_t i = 0; i < pt->n; i++) {
		size_t off = pt->v[i].keylen;
		pt->v[i].key = pt->keys.buf + off;
		pt->v[i].keylen = strlen(pt->keys.buf + off);
	}
	return 1;
}

int point_parse(struct point *pt, const char *line, size_t len)
{
	const char *end = line + len;

	pt->n = 0;
	if (point_parse_fast(pt, line, end))
		return 1;
	pt->n = 0;
	return point_parse_lenient(pt, line, end);
}

void point_release(struct point *pt)
{
	free(pt->v);
	strbuf_release(&pt->keys);
	memset(pt, 0, sizeof *pt);
}

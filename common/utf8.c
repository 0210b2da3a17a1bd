/*
 * UTF-8 checks: records are strict JSON, so every string that enters a
 * record from outside (arguments, files, the environment) is checked, or
 * made valid, here; the canonical writer refuses what slips through.
 */
#include <string.h>

#include "strbuf.h"
#include "utf8.h"

/* The length of a valid UTF-8 sequence (not ASCII) at p, or 0. */
size_t utf8_seq_len(const char *s, const char *end)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c = p[0];
	size_t n;
	unsigned cp, min;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; cp = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; cp = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int utf8_valid(const char *s)
{
	const char *end = s + strlen(s);

	while (s < end) {
		size_t n = (unsigned char)*s < 0x80 ? 1 : utf8_seq_len(s, end);
		if (!n)
			return 0;
		s += n;
	}
	return 1;
}

char *utf8_sanitize(const char *s)
{
	const char *end = s + strlen(s);
	struct strbuf sb = STRBUF_INIT;

	while (s < end) {
		size_t n = (unsigned char)*s < 0x80 ? 1 : utf8_seq_len(s, end);
		if (n) {
			strbuf_add(&sb, s, n);
			s += n;
		} else {
			strbuf_addstr(&sb, "\xef\xbf\xbd"); /* U+FFFD */
			s++;
		}
	}
	return strbuf_detach(&sb, NULL);
}

/* UTF-8 validity: JSON strings must be valid UTF-8 (RFC 8259). */
#ifndef MLGATE_UTF8_H
#define MLGATE_UTF8_H

#include <stddef.h>

/* The length of a valid multi-byte UTF-8 sequence at s (not ASCII), or 0:
 * overlong forms, surrogates and code points past U+10FFFF are invalid. */
size_t utf8_seq_len(const char *s, const char *end);
/* 1 when the NUL-terminated s is valid UTF-8. */
int utf8_valid(const char *s);
/* A new copy of s with each invalid byte replaced by U+FFFD. */
char *utf8_sanitize(const char *s);

#endif

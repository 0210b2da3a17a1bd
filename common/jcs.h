/*
 * The canonical JSON form of RFC 8785 (JCS): object keys sorted by their
 * UTF-16 code units, no whitespace, numbers in ECMAScript's shortest
 * round-trip form, strings with the minimal escapes. cJSON's printer is not
 * that. Records are hashed and written in this form.
 */
#ifndef MLGATE_JCS_H
#define MLGATE_JCS_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "strbuf.h"

/*
 * Appends the canonical form of item to sb. Returns 0, or -1 when the tree
 * holds what JSON cannot say: a non-finite number (callers store null) or
 * a string that is not valid UTF-8 (callers check or sanitize input).
 */
int jcs_write(struct strbuf *sb, const cJSON *item);

/* jcs_write of an object without the keys listed in skip (NULL-terminated). */
int jcs_write_without(struct strbuf *sb, const cJSON *obj, const char *const *skip);

/*
 * jcs_write of item, except that the value at (an item inside it) is
 * written as the len bytes of text: its canonical form, written before.
 */
int jcs_write_splice(struct strbuf *sb, const cJSON *item, const cJSON *at, const char *text, size_t len);

/* jcs_write, indented by two spaces (for --pretty on a terminal only). */
int jcs_write_pretty(struct strbuf *sb, const cJSON *item);

/*
 * Writes s at out as a canonical JSON string (quoted, the minimal escapes,
 * lowercase \u00xx) and returns the end; out has room for 6 * strlen(s) + 2
 * bytes. s is written as it is: the caller knows it is valid UTF-8.
 */
char *jcs_put_string(char *out, const char *s);

/* Formats a finite double as ECMAScript's Number.prototype.toString does.
 * out must hold 32 bytes. */
void jcs_format_number(double v, char out[32]);

/* New string: the canonical form. Dies (EXIT_USAGE) when jcs_write fails. */
char *jcs_string(const cJSON *item, size_t *len);

#endif

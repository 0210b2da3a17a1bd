/* Decimal numbers from CSV fields, without allocation or a NUL. */
#ifndef MLEVAL_FASTNUM_H
#define MLEVAL_FASTNUM_H

#include <stddef.h>

/*
 * Parses s[0..len) (blanks around it allowed) as a finite decimal number:
 * [+-]digits[.digits][e[+-]digits]. 0 and *out, or -1. The result is
 * correctly rounded: exact fast paths, strtod for the rest.
 */
int fastnum_parse(const char *s, size_t len, double *out);

#endif

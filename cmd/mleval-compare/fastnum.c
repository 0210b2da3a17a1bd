/*
 * Most prediction files hold short decimals ("0.8234"). Those with at most
 * 19 significant digits, a mantissa below 2^53 and a power of ten up to 22
 * are exact as one multiplication or division of two exact doubles
 * (Clinger's fast path), so they need no strtod; the others take it, from
 * a NUL-terminated copy, so every value is rounded as strtod rounds it.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "fastnum.h"

static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_slow(const char *s, size_t len, double *out)
{
	char small[64];
	char *copy = len < sizeof(small) ? small : xmalloc(len + 1);
	char *end;
	double v;

	memcpy(copy, s, len);
	copy[len] = '\0';
	v = strtod(copy, &end);
	if (copy != small)
		free(copy);
	if (!isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int fastnum_parse(const char *s, size_t len, double *out)
{
	size_t i = 0, digits = 0, sig = 0;
	uint64_t mant = 0;
	long dexp = 0, exp = 0;
	int neg = 0, inexact = 0;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	s += i;
	len -= i;
	i = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < len && is_digit(s[i]); i++, digits++) {
		if (mant == 0 && s[i] == '0')
			continue;
		if (sig < 19) {
			mant = mant * 10 + (uint64_t)(s[i] - '0');
			sig++;
		} else {
			dexp++;
			inexact = 1;
		}
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && is_digit(s[i]); i++, digits++) {
			if (mant == 0 && s[i] == '0') {
				dexp--;
				continue;
			}
			if (sig < 19) {
				mant = mant * 10 + (uint64_t)(s[i] - '0');
				sig++;
				dexp--;
			} else {
				inexact = 1;
			}
		}
	}
	if (digits == 0)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		int eneg = 0;
		size_t start;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		start = i;
		for (; i < len && is_digit(s[i]); i++)
			if (exp < 100000)
				exp = exp * 10 + (s[i] - '0');
		if (i == start)
			return -1;
		dexp += eneg ? -exp : exp;
	}
	if (i != len)
		return -1;
	if (mant == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	if (!inexact && mant <= (UINT64_C(1) << 53) && dexp >= -22 && dexp <= 22) {
		double v = (double)mant;
		v = dexp >= 0 ? v * pow10_exact[dexp] : v / pow10_exact[-dexp];
		*out = neg ? -v : v;
		return 0;
	}
	return parse_slow(s, len, out);
}

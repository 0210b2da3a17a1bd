#include <string.h>

#include "err.h"
#include "names.h"

static int name_char(char c, int first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	return !first && (c == '.' || c == '_' || c == '-');
}

int name_valid(const char *s)
{
	size_t n;

	if (!s || !*s)
		return 0;
	n = strlen(s);
	if (n > NAME_MAX_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i], i == 0))
			return 0;
	return 1;
}

void name_check(const char *what, const char *s)
{
	if (!name_valid(s))
		die(EXIT_USAGE, "invalid %s '%.200s': names are 1 to %d of [A-Za-z0-9._-], starting with a letter or digit",
		    what, s ? s : "", NAME_MAX_LEN);
}

int name_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

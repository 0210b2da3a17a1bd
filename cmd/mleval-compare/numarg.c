#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "numarg.h"

long numarg_long(const char *opt, const char *arg, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (arg[0] == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		die(EXIT_USAGE, "%s: '%s' is not a whole number from %ld to %ld", opt, arg, min, max);
	return v;
}

double numarg_double(const char *opt, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (arg[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(v))
		die(EXIT_USAGE, "%s: '%s' is not a number", opt, arg);
	return v;
}

double numarg_fraction(const char *opt, const char *arg)
{
	double v = numarg_double(opt, arg);

	if (!(v > 0 && v < 1))
		die(EXIT_USAGE, "%s: '%s' is not between 0 and 1", opt, arg);
	return v;
}

unsigned long long numarg_seed(const char *arg)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 || v > (1ULL << 53) - 1)
		die(EXIT_USAGE, "--seed: '%s' is not a whole number from 0 to 9007199254740991", arg);
	return v;
}

enum format numarg_format(const char *arg)
{
	static const char *const names[] = { "json", "table", "markdown", "junit" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(arg, names[i]) == 0)
			return (enum format)i;
	die(EXIT_USAGE, "--format: unknown format '%s' (json, table, markdown, junit)", arg);
}

enum task numarg_task(const char *arg)
{
	if (strcmp(arg, "binary") == 0)
		return TASK_BINARY;
	if (strcmp(arg, "multiclass") == 0)
		return TASK_MULTICLASS;
	if (strcmp(arg, "regression") == 0)
		return TASK_REGRESSION;
	die(EXIT_USAGE, "--task: unknown task '%s' (binary, multiclass, regression)", arg);
}

/* Option arguments, checked whole: "12x" is not 12. Errors exit 2. */
#ifndef MLEVAL_NUMARG_H
#define MLEVAL_NUMARG_H

#include "opts.h"

long numarg_long(const char *opt, const char *arg, long min, long max);
/* A finite number. */
double numarg_double(const char *opt, const char *arg);
/* A number strictly between 0 and 1. */
double numarg_fraction(const char *opt, const char *arg);
unsigned long long numarg_seed(const char *arg);
enum format numarg_format(const char *arg);
enum task numarg_task(const char *arg);

#endif

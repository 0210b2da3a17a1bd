/* Model names, versions and stages: [A-Za-z0-9][A-Za-z0-9._-]{0,127}. */
#ifndef MLGATE_NAMES_H
#define MLGATE_NAMES_H

#define NAME_MAX_LEN 128

int name_valid(const char *s);
/* Dies with EXIT_USAGE ("invalid WHAT 'S': ...") unless name_valid(s). */
void name_check(const char *what, const char *s);
/* qsort/bsearch order for an array of strings (char *): strcmp's. */
int name_compare(const void *a, const void *b);

#endif

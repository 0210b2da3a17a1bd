/* verify and diff: two entry lists compared, the difference as JSON. */
#ifndef MLSNAPSHOT_COMPARE_H
#define MLSNAPSHOT_COMPARE_H

#include <cjson/cJSON.h>

#include "entries.h"
#include "tarread.h"

/*
 * {"identical", "added" (in b only), "removed" (in a only), "changed"
 * [{"path", "a", "b"}]}: entries as a snapshot stores them. Sets *same.
 */
cJSON *compare_entries(const struct entry_list *a, const struct entry_list *b, int *same);

/* The id a snapshot of these entries has. */
void compare_entries_id(const struct entry_list *l, char out[HASH_STR_LEN]);

/*
 * mlsnapshot verify SNAPSHOT DIR|ARCHIVE and mlsnapshot diff A B: prints the
 * difference; returns 0 when identical, 1 when not. An archive operand is
 * read under lim, as extract reads one.
 */
int compare_main(const char *mode, const char *a, const char *b, int threads,
		 const struct tarread_limits *lim, int pretty);

#endif

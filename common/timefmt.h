/* RFC 3339 UTC times ("2026-11-23T10:00:00Z") and durations. */
#ifndef MLGATE_TIMEFMT_H
#define MLGATE_TIMEFMT_H

#include <time.h>

#define TIME_STR_LEN 21 /* "2026-11-23T10:00:00Z" + NUL */

void time_format(time_t t, char out[TIME_STR_LEN]);
/* Now, or SOURCE_DATE_EPOCH when that is set and valid (for reproducible
 * records in tests and archives) -- only when honour_sde is nonzero. */
time_t time_now(int honour_sde);
void time_now_str(char out[TIME_STR_LEN]);
/* Parses "YYYY-MM-DDTHH:MM:SS[.frac]Z" (or +00:00). 0, or -1. */
int time_parse(const char *s, time_t *out);
/* Parses "30d", "12h", "15m", "45s", "2w" or plain seconds. 0, or -1. */
int duration_parse(const char *s, double *seconds);
/* Seconds since the epoch as a double with sub-second precision. */
double time_now_precise(void);

#endif

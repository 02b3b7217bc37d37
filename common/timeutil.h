/*
 * timeutil — clocks and ISO 8601 text.  Stored times are integer
 * milliseconds since the Unix epoch, UTC.
 */
#ifndef DRAFTBOT_TIMEUTIL_H
#define DRAFTBOT_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TIME_ISO_MAX 32 /* "2026-11-21T23:45:01.123Z" and NUL */

/* Wall-clock time in milliseconds since the epoch. */
int64_t time_now_ms(void);

/* A monotonic clock in nanoseconds, comparable between processes. */
int64_t time_mono_ns(void);

/* Calendar arithmetic, proleptic Gregorian, no time zone (H. Hinnant's
 * algorithms): the days of month m (1..12) of year y, the days from
 * 1970-01-01 to y-m-d (negative before), and back. */
int time_days_in_month(int y, int m);
int64_t time_days_from_civil(int y, int m, int d);
void time_civil_from_days(int64_t days, int *y, int *m, int *d);

/* Write ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (>= TIME_ISO_MAX).
 * Returns 0 or -ERANGE when buf is too small or the year is out of range. */
int time_format_iso(int64_t ms, char *buf, size_t len);

/*
 * Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM", "…:SS", "…:SS.fff", each optionally
 * followed by "Z" or "+HH:MM"/"-HH:MM" (a space may stand for 'T'); no zone
 * means UTC.  Returns 0 and the instant in *ret_ms, or -EINVAL.
 */
int time_parse_iso(const char *s, int64_t *ret_ms);

/*
 * Parse a --since value: an ISO 8601 time as above, or a duration back from
 * now ("90s", "10m", "2h", "7d").  Returns 0 or -EINVAL.
 */
int time_parse_since(const char *s, int64_t now_ms, int64_t *ret_ms);

#endif

/*
 * draft_event_int — what draft_event.c and draft_event_revise.c share: an
 * event draft's time as numbers, read from and written to its JSON, and
 * the calendar arithmetic on it.
 */
#ifndef DRAFTBOT_DRAFT_EVENT_INT_H
#define DRAFTBOT_DRAFT_EVENT_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "workflows/nlp.h"

#define MINUTE_MS (60 * 1000LL)

/* An event's start and end, local wall time in its zone. */
struct ev_span {
	int y, m, d; /* start date */
	bool timed;  /* else all day */
	int h, mi;   /* start time when timed */
	bool has_end;
	int ey, em, ed; /* end date (all day: the last day, inclusive) */
	int eh, emi;    /* end time when timed */
};

/* "YYYY-MM-DD" that exists; "HH:MM" from 00:00 to 23:59. */
bool draft_ev_parse_date(const char *s, int *y, int *m, int *d);
bool draft_ev_parse_hhmm(const char *s, int *h, int *mi);

/* Read the span of draft: 0, or -EINVAL when it has no valid start_date
 * (or a start_time / end that is not well formed). */
int draft_ev_span_get(struct json_object *draft, struct ev_span *s);

/* Write s into draft (start_date, start_time, end_date, end_time,
 * all_day; the keys s does not have are removed).  0 or -ENOMEM. */
int draft_ev_span_put(struct json_object *draft, const struct ev_span *s);

/* The zone of draft ("timezone"), or fallback when it has none that this
 * machine knows. */
const char *draft_ev_zone(struct json_object *draft, const char *fallback);

/* y-m-d moved by n days (n may be negative). */
void draft_ev_add_days(int *y, int *m, int *d, int n);

/* Days from the first to the second date (negative when before). */
int64_t draft_ev_days_between(int y1, int m1, int d1, int y2, int m2, int d2);

/* Give s an end default_ms after its start (timed), or the start day (all
 * day), computed in zone tz.  0 or -EINVAL. */
int draft_ev_default_end(struct ev_span *s, const char *tz, int64_t default_ms);

/* Make an end that is not after the start the same time a day later ("10pm
 * until 2"), for a timed span on one date. */
void draft_ev_fix_end(struct ev_span *s);

/* The instants of s in tz: [*start, *end), as draft_event_span(). */
int draft_ev_instants(const struct ev_span *s, const char *tz,
    int64_t default_ms, int64_t *start, int64_t *end);

/* Move s (its start and end together) so it starts at instant ms of tz,
 * keeping its length. */
int draft_ev_move_to(
    struct ev_span *s, const char *tz, int64_t ms, int64_t default_ms);

#endif

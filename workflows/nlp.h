/*
 * nlp — understanding what people write, without an LLM.
 *
 * This is the minimal parser of Phase 1 (today, tomorrow, weekdays, "in N
 * days", times such as 5pm and 17:00); a later issue replaces it behind this
 * same interface with the full parser (ranges, recurrence, zones, …).
 * Dates are resolved in the user's time zone relative to ref->now_ms.
 */
#ifndef DRAFTBOT_NLP_H
#define DRAFTBOT_NLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlp_ref {
	int64_t now_ms;  /* the reference instant */
	const char *tz;  /* IANA zone of the user, e.g. "Europe/Berlin";
			  * NULL means UTC */
	bool day_first;  /* 12/01 is 12 January (else US month-first) */
};

#define NLP_SPANS_MAX 4

struct nlp_when {
	bool has_date;       /* a date was stated or implied by a time */
	bool has_time;       /* a time of day was stated */
	bool date_implied;   /* only a time was stated: the date is today if
				the time is still ahead, else tomorrow */
	int year, month, day; /* local date in ref->tz */
	int hour, minute;    /* local time when has_time */
	/* Byte ranges of text that expressed it ("tomorrow", "at 5pm"), to
	 * cut from the title. */
	struct {
		size_t start, len;
	} spans[NLP_SPANS_MAX];
	int nspans;
	char reasoning[160]; /* "'tomorrow at 5pm' → Sat 22 Nov 17:00" */
};

/*
 * Find the date/time expression in text.  Returns 1 and fills *ret, 0 when
 * there is none (ret zeroed), -EINVAL for a bad time zone.
 */
int nlp_when(const char *text, const struct nlp_ref *ref,
    struct nlp_when *ret);

/*
 * Rewrite w->reasoning from w's spans in text (the text given to nlp_when)
 * and its date and time, e.g. after the caller moved the date: draft_revise
 * keeps a draft's day when a correction names only a time.
 */
void nlp_explain(struct nlp_when *w, const char *text,
    const struct nlp_ref *ref);

/*
 * "Fri 28 Nov" (English names whatever the locale), with " 2027" appended
 * when with_year, into buf.  Returns 0, -EINVAL for a date that does not
 * exist (2026-02-30), -ERANGE when buf is too small.
 */
int nlp_format_day(int year, int month, int day, bool with_year, char *buf,
    size_t len);

/* Is tz a time zone this machine knows ("UTC", "Europe/Berlin")? */
bool nlp_tz_valid(const char *tz);

/*
 * Local calendar date and time of instant ms in tz (year 2026, month 1–12,
 * day 1–31, wday 0 = Sunday as in struct tm; any out pointer may be NULL),
 * and back: the instant of a local date/time in tz.  A local time that
 * happens twice (autumn) is its first instant; one that does not exist
 * (spring gap) moves forward by the gap (02:30 → 03:30).  0 or -EINVAL.
 */
int nlp_local(const char *tz, int64_t ms, int *year, int *month, int *day,
    int *hour, int *minute, int *wday);
int nlp_instant(const char *tz, int year, int month, int day, int hour,
    int minute, int64_t *ret_ms);

#endif

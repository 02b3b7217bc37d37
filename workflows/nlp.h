/*
 * nlp — understanding what people write, without an LLM.
 *
 * A rule-based English parser of dates, times, ranges, durations,
 * recurrence, zones named in the text, priority, titles and subtasks
 * (nlp_parse), and the one-expression view the drafting workflows use
 * (nlp_when).  Dates are resolved in the user's time zone relative to
 * ref->now_ms.  What it understands is listed at the top of nlp_parse.c.
 */
#ifndef DRAFTBOT_NLP_H
#define DRAFTBOT_NLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlp_ref {
	int64_t now_ms; /* the reference instant */
	const char *tz; /* IANA zone of the user, e.g. "Europe/Berlin", or
	                 * a fixed offset "+02:00"; NULL means UTC */
	bool day_first; /* 12/01 is 12 January (else US month-first) */
};

#define NLP_SPANS_MAX 8
#define NLP_RRULE_MAX 96

struct nlp_when {
	bool has_date;        /* a date was stated or implied by a time */
	bool has_time;        /* a time of day was stated */
	bool date_implied;    /* only a time was stated: the date is today if
	                         the time is still ahead, else tomorrow */
	int year, month, day; /* local date in ref->tz */
	int hour, minute;     /* local time when has_time */
	/* Byte ranges of text that expressed it ("tomorrow", "at 5pm"), to
	 * cut from the title. */
	struct {
		size_t start, len;
	} spans[NLP_SPANS_MAX];
	int nspans;
	char reasoning[160]; /* "'tomorrow at 5pm' → Sat 22 Nov 17:00" */
	/* An end ("2-3pm", "Monday to Wednesday", "for 2 hours"). */
	bool has_end;
	bool end_has_time;
	int end_year, end_month, end_day, end_hour, end_minute;
	char rrule[NLP_RRULE_MAX]; /* "FREQ=WEEKLY;BYDAY=MO", or "" */
};

/*
 * Find the first date/time expression in text, read as an assistant
 * should: a day or time without more is the next one to come, and an hour
 * 1–11 without am/pm the one that makes sense (see nlp_opts.ahead).
 * Returns 1 and fills *ret, 0 when there is none (ret zeroed), -EINVAL for
 * a bad time zone.
 */
int nlp_when(const char *text, const struct nlp_ref *ref, struct nlp_when *ret);

/*
 * Rewrite w->reasoning from w's spans in text (the text given to nlp_when)
 * and its date and time, e.g. after the caller moved the date: draft_revise
 * keeps a draft's day when a correction names only a time.
 */
void nlp_explain(
    struct nlp_when *w, const char *text, const struct nlp_ref *ref);

/*
 * "Fri 28 Nov" (English names whatever the locale), with " 2027" appended
 * when with_year, into buf.  Returns 0, -EINVAL for a date that does not
 * exist (2026-02-30), -ERANGE when buf is too small.
 */
int nlp_format_day(
    int year, int month, int day, bool with_year, char *buf, size_t len);

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

/*
 * Make tz the process's own zone (TZ), for a tool that works in one zone
 * all along (draftbot parse): conversions in it then need no switching.
 * 0 or -EINVAL.
 */
int nlp_tz_use(const char *tz);

/* The full parser. */

enum nlp_known {
	NLP_YEAR = 1 << 0,
	NLP_MONTH = 1 << 1,
	NLP_DAY = 1 << 2,
	NLP_HOUR = 1 << 3,
	NLP_MINUTE = 1 << 4,
	NLP_SECOND = 1 << 5,
	NLP_WEEKDAY = 1 << 6,
	NLP_OFFSET = 1 << 7, /* the text named a zone or an offset */
};

enum nlp_dst {
	NLP_DST_NONE,
	NLP_DST_GAP,    /* the wall time does not exist (spring forward): the
	                   instant is moved on by the gap, 02:30 → 03:30 */
	NLP_DST_REPEAT, /* it happens twice (autumn): the first is taken */
};

/*
 * A moment: the local date and time in the user's zone.  A time the text
 * gave in another zone ("5pm EST") is converted; offset keeps the one it
 * named.  Components the text does not state are filled from the
 * reference (or 12:00 for a date without a time, as chrono does) and left
 * out of known.
 */
struct nlp_moment {
	int year, month, day; /* year may be < 1 for "345 BC" */
	int hour, minute, second;
	int weekday;    /* 0 = Sunday */
	int offset;     /* minutes east of UTC the text named */
	unsigned known; /* enum nlp_known bits */
	int64_t ms;     /* the instant (0 for years outside 1–9999) */
	enum nlp_dst dst;
};

struct nlp_match {
	size_t index, len; /* bytes of text, as chrono reports them */
	struct nlp_moment start, end;
	bool has_end;
	char rrule[NLP_RRULE_MAX]; /* RFC 5545 RRULE value, or "" */
	/* The parts of text that said it ("tomorrow", "at 5pm", "from"),
	 * in order: what a title leaves out. */
	struct {
		size_t start, len;
	} pieces[NLP_SPANS_MAX];
	int npieces;
};

struct nlp_opts {
	/* chrono's forwardDate: a weekday, a month or a time without more
	 * is the next one to come, not the nearest. */
	bool forward_date;
	/* The assistant's reading (implies forward_date): an hour 1–11
	 * without am/pm is the next one still ahead today (at 09:00 "at 5"
	 * is 17:00), on another day the first from 07:00 on (7–11 morning,
	 * 1–6 afternoon); a time alone already past today is tomorrow. */
	bool ahead;
};

#define NLP_MATCHES_MAX 16
#define NLP_TITLE_MAX 1024
#define NLP_SUBTASKS_MAX 16
#define NLP_SUBTASK_MAX 256

struct nlp_result {
	struct nlp_match matches[NLP_MATCHES_MAX]; /* in text order */
	int nmatches;
	int priority;              /* 0 none, 1 low, 2 high, 3 urgent */
	char title[NLP_TITLE_MAX]; /* the first line without the date,
	                              priority and filler words */
	char subtasks[NLP_SUBTASKS_MAX][NLP_SUBTASK_MAX];
	int nsubtasks;
};

/*
 * Every date/time expression in text (the first NLP_MATCHES_MAX), the
 * title, priority and subtasks, resolved against ref (opts NULL: chrono's
 * defaults).  Returns the number of matches (0 when none: the title is
 * still filled), -EINVAL for a bad zone or NULL arguments.  *ret is
 * overwritten in every case.
 */
int nlp_parse(const char *text, const struct nlp_ref *ref,
    const struct nlp_opts *opts, struct nlp_result *ret);

#endif

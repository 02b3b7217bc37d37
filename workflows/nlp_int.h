/*
 * nlp_int — what the parts of the date/time parser share.
 *
 *  - Calendar arithmetic (nlp_time.c): the proleptic Gregorian calendar,
 *    no time zone, days counted from 1970-01-01.
 *  - Zones (nlp_time.c): a zone entered once per parse, so converting
 *    between instants and wall clocks inside it costs no TZ switch.
 *  - The parse state (nlp_parse.c): a result is a span of the text with
 *    components, like chrono's: each component is known (the text stated
 *    it), implied (a parser chose it) or left for the reference to fill.
 *  - The scanners (nlp_lex.c words and numbers, nlp_clock.c times of day,
 *    nlp_date.c calendar dates, nlp_rel.c days relative to now, nlp_span.c
 *    durations and periods, nlp_recur.c
 *    recurrence, nlp_zone.c zones named in the text), the refiners that
 *    join results (nlp_refine.c), and the title (nlp_task.c).
 */
#ifndef DRAFTBOT_NLP_INT_H
#define DRAFTBOT_NLP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timeutil.h"
#include "workflows/nlp.h"

/* Calendar: time_days_in_month(), time_days_from_civil() and
 * time_civil_from_days() of common/timeutil.h, and */

bool nlp_date_valid(int y, int m, int d); /* years 1–9999 */
int nlp_weekday_of(int64_t days);         /* 0 = Sunday */

/* Zones. */

struct nlp_lt {
	int y, m, d, h, mi, s, wday;
	int off; /* seconds east of UTC */
};

struct nlp_zone {
	bool fixed;    /* a fixed offset: no TZ switch at all */
	int off;       /* seconds east of UTC, when fixed */
	bool switched; /* TZ was changed and must be restored */
	bool had;      /* TZ was set before */
	char *old;     /* its value */
};

/* Enter zone tz (IANA name, "UTC", "+02:00"; NULL is UTC) until
 * nlp_zone_leave().  0, -EINVAL for a zone this machine does not know,
 * -ENOMEM. */
int nlp_zone_enter(struct nlp_zone *z, const char *tz);
void nlp_zone_leave(struct nlp_zone *z);
/* Wall clock of instant t (seconds) in the entered zone. */
int nlp_zone_local(const struct nlp_zone *z, int64_t t, struct nlp_lt *lt);
/* The instant of a wall clock: *dst 1 when it falls in a gap (moved on by
 * the gap), 2 when it happens twice (the first), else 0. */
int nlp_zone_instant(const struct nlp_zone *z, int y, int m, int d, int h,
    int mi, int s, int64_t *t, int *dst);
/* "+02:00", "-0530", "+14" → seconds east; -EINVAL. */
int nlp_offset_parse(const char *s, int *off);

/* Components. */

struct nlp_zone_rule;
/* Minutes east of UTC of a named zone at a wall time (seconds, as if
 * UTC), by its rules of daylight saving time (nlp_zone.c). */
int nlp_zone_rule_offset(const struct nlp_zone_rule *z, int64_t wall);

enum {
	C_YEAR,
	C_MONTH,
	C_DAY,
	C_HOUR,
	C_MINUTE,
	C_SECOND,
	C_WDAY,
	C_MERID,  /* 0 am, 1 pm */
	C_OFFSET, /* minutes east of UTC */
	C_N,
};

#define CB(k) (1u << (k))
#define C_DATE (CB(C_YEAR) | CB(C_MONTH) | CB(C_DAY))
#define C_TIME (CB(C_HOUR) | CB(C_MINUTE) | CB(C_SECOND))

struct comps {
	int v[C_N];
	uint16_t known;   /* stated by the text */
	uint16_t implied; /* chosen by a parser */
	/* a zone a named abbreviation follows (ET): DST by its rules */
	const struct nlp_zone_rule *zone;
};

void c_set(struct comps *c, int k, int v);
void c_imply(struct comps *c, int k, int v);
bool c_known(const struct comps *c, int k);
bool c_has(const struct comps *c, int k);
int c_get(const struct comps *c, int k, int dflt);
bool c_only_time(const struct comps *c);    /* no day, month, year, wday */
bool c_only_date(const struct comps *c);    /* no hour, minute, second */
bool c_only_weekday(const struct comps *c); /* wday but no day or month */

/* Recurrence. */

enum freq {
	FREQ_NONE,
	FREQ_MINUTELY,
	FREQ_HOURLY,
	FREQ_DAILY,
	FREQ_WEEKLY,
	FREQ_MONTHLY,
	FREQ_YEARLY
};

struct recur {
	uint8_t freq;
	uint8_t byday; /* bit per weekday, bit 0 Sunday */
	int8_t nth;    /* BYDAY=1MO, -1FR: with one byday bit */
	uint8_t bymonth;
	int8_t bymonthday; /* -1: the last day */
	uint16_t interval;
	uint16_t count;
	int32_t until; /* days since the epoch + 1; 0 none */
};

/* Results. */

#define RES_MAX 48
#define PIECES_MAX NLP_SPANS_MAX

enum {
	F_REL_TIME = 1 << 0,  /* counted in real time from now: "in 3 hours" */
	F_AMBIG = 1 << 1,     /* an hour 1–11 without am/pm */
	F_PART = 1 << 2,      /* a part of the day: morning, tonight */
	F_DEAD = 1 << 3,      /* looked like a date but is not one: blocks */
	F_RECUR = 1 << 4,     /* carries a recurrence */
	F_END_AMBIG = 1 << 5, /* the end hour is 1–11 without am/pm */
	F_DURATION = 1 << 6,  /* a bare duration ("2 hours") */
	F_MIDNIGHT = 1 << 7,  /* "midnight" */
	F_ANCHOR = 1 << 8,    /* the day was chosen on purpose ("next
	                         friday"): forward_date leaves it */
	F_LASTS = 1 << 9,     /* "for 2 hours" after it: dur_* say how long */
	F_SHIFTED = 1 << 10,  /* a day counted from now or from another
	                         ("in 3 days", "for 2 hours", "next week"):
	                         no weekday before it names it */
};

struct piece {
	size_t i, e;
};

struct res {
	size_t i, e; /* the text [i, e) */
	struct comps s, en;
	bool has_end;
	unsigned flags;
	struct recur rec;
	int dur_secs;   /* F_DURATION: a time span, in seconds */
	int dur_days;   /* F_DURATION: calendar days */
	int dur_months; /* F_DURATION: calendar months */
	int64_t abs_t;  /* F_REL_TIME: the instant, seconds */
	int npiece;
	struct piece piece[PIECES_MAX]; /* last: res_init leaves it */
};

struct ctx {
	const char *s;
	size_t n;
	struct nlp_zone *z;
	struct nlp_lt ref; /* the reference wall clock */
	int64_t ref_t;     /* the reference instant, seconds */
	int ref_ms;        /* and its milliseconds */
	bool day_first;
	bool forward;
	bool ahead;
	int depth;       /* nested parses ("2 days after tomorrow") */
	size_t last_end; /* end of the result before, for "05/31/2024.14:15" */
};

/* A parser: does an expression of its kind start at text[i]?  On a match
 * it fills *r (r->i = i) and returns true. */
typedef bool (*nlp_scanner)(struct ctx *c, size_t i, struct res *r);

void res_init(struct res *r, const struct ctx *c, size_t i);
/* The longest date expression at i from every scanner (no times when
 * dates_only); false when none. */
bool nlp_scan_at(struct ctx *c, size_t i, struct res *r, bool dates_only);

/* Scanners. */
bool scan_clock(struct ctx *c, size_t i, struct res *r);
bool scan_casual_time(struct ctx *c, size_t i, struct res *r);
bool scan_iso(struct ctx *c, size_t i, struct res *r);
bool scan_numeric_date(struct ctx *c, size_t i, struct res *r);
bool scan_month_name(struct ctx *c, size_t i, struct res *r);
bool scan_casual_day(struct ctx *c, size_t i, struct res *r);
bool scan_weekday(struct ctx *c, size_t i, struct res *r);
bool scan_relative(struct ctx *c, size_t i, struct res *r);
bool scan_period(struct ctx *c, size_t i, struct res *r);
bool scan_ordinal_day(struct ctx *c, size_t i, struct res *r);
bool scan_recur(struct ctx *c, size_t i, struct res *r);

/* A time of day at i, for after a date or a range word: bare hours
 * allowed when loose.  Fills comps and *end. */
bool nlp_time_at(struct ctx *c, size_t i, bool loose, struct comps *t,
    unsigned *flags, size_t *end);
/* A zone named at i (after a time): " EST", " utc+02:45", "+14", " (gmt-2)".
 * Sets the offset or zone into t; *end after it. */
bool nlp_zone_at(
    struct ctx *c, size_t i, struct comps *t, bool *abs_only, size_t *end);
/* A duration at i: "2 hours", "1d 2hr 5min", "half an hour", "a week".
 * Fills the calendar and clock parts; *end after it. */
struct span {
	int years, months, days; /* calendar */
	int64_t secs;            /* clock */
	bool has_clock;          /* a unit of hours or less */
	bool has_week;
	bool has_quarter;
	int nunits;
};
bool nlp_duration_at(
    struct ctx *c, size_t i, bool abbrev, struct span *d, size_t *end);
/* Components for now moved by sign × d (calendar part on the wall clock,
 * clock part in real time); known components as chrono sets them. */
void nlp_shift(struct ctx *c, const struct comps *from, const struct span *d,
    int sign, struct comps *out, unsigned *flags);

/* Refiners and the end of a parse. */
int nlp_refine(struct ctx *c, struct res *r, int n);
/* The RRULE value of rec; UNTIL as a date, or as until_utc (seconds, the
 * end of that day in the user's zone) when the start has a time of day,
 * as RFC 5545 wants. */
void nlp_recur_rrule(
    const struct recur *rec, int64_t until_utc, char *buf, size_t len);
void nlp_recur_first(struct ctx *c, struct res *r);

/* Title, priority and subtasks. */
void nlp_task(
    const char *text, const struct nlp_result *res, struct nlp_result *ret);

/* Lexical helpers (nlp_lex.c). */

static inline bool
lx_alnum(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9');
}

static inline bool
lx_wordch(unsigned char ch)
{
	return lx_alnum(ch) || ch >= 0x80;
}

static inline bool
lx_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static inline char
lx_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static inline bool
lx_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

size_t lx_sp(const char *s, size_t i);
bool lx_word_start(const char *s, size_t i);
/* Word w (lower case; a space matches blanks) at s+i, ending at a word
 * boundary; *end after it. */
bool lx_word_slow(const char *s, size_t i, const char *w, size_t *end);
static inline bool
lx_word(const char *s, size_t i, const char *w, size_t *end)
{
	/* most tries fail at the first letter: no call for those */
	return (s[i] == w[0] || s[i] + ('a' - 'A') == w[0]) &&
	    lx_word_slow(s, i, w, end);
}
/* The first of words[] (NULL-terminated) at s+i: its index, or -1. */
int lx_words(const char *s, size_t i, const char *const *words, size_t *end);
/* Word w then blanks: *next at the following word. */
bool lx_word_sp(const char *s, size_t i, const char *w, size_t *next);
/* 1..maxd digits at s+i (not more): the value and *end. */
bool lx_uint(const char *s, size_t i, int maxd, int *v, size_t *end);
/* How many digits run from s+i. */
int lx_ndigits(const char *s, size_t i);
/* A count: digits (with a decimal part when frac), one…ninety-nine,
 * a/an, half, a few, several, a couple (of).  Scaled by 1000. */
bool lx_count(const char *s, size_t i, bool frac, int64_t *milli, size_t *end);
/* 1st, 2nd, 23rd, first … thirty-first, twenty-fourth. */
bool lx_ordinal(const char *s, size_t i, int *v, size_t *end);
/* Month names and abbreviations ("sept.", "jan"): 1–12; *abbr when the
 * form is three letters. */
int lx_month(const char *s, size_t i, size_t *end, bool *abbr);
/* Weekday names and abbreviations: 0–6, or -1; *weak for mon, wed,
 * sat, sun (words too). */
int lx_weekday(const char *s, size_t i, size_t *end, bool *weak);
/* The scanners an expression at s+i can come from (SC_* bits; 0: none,
 * as for most words). */
enum {
	SC_RECUR = 1 << 0,
	SC_ISO = 1 << 1,
	SC_NUM = 1 << 2,
	SC_MONTH = 1 << 3,
	SC_CASUAL = 1 << 4,
	SC_WEEKDAY = 1 << 5,
	SC_REL = 1 << 6,
	SC_PERIOD = 1 << 7,
	SC_ORD = 1 << 8,
	SC_CLOCK = 1 << 9,
	SC_PART = 1 << 10,
	SC_DATES = SC_ISO | SC_NUM | SC_MONTH | SC_CASUAL | SC_WEEKDAY |
	    SC_REL | SC_PERIOD | SC_ORD,
};
unsigned lx_starter(const char *s, size_t i);
/* mondays … sundays: 0–6, or -1. */
int lx_weekday_plural(const char *s, size_t i, size_t *end);
/* A year after a date: 1–4 digits with BC/AD/BE, four digits, or two
 * digits (50–99 → 19xx, else 20xx) when two_digit. */
bool lx_year(const char *s, size_t i, bool two_digit, int *y, size_t *end);

/* Small helpers of the day scanners (nlp_rel.c, nlp_span.c). */

static inline int64_t
nlp_today(const struct ctx *c)
{
	return time_days_from_civil(c->ref.y, c->ref.m, c->ref.d);
}

static inline void
nlp_set_day(struct comps *p, int64_t days, bool known)
{
	int y, m, d;

	time_civil_from_days(days, &y, &m, &d);
	if (known) {
		c_set(p, C_YEAR, y);
		c_set(p, C_MONTH, m);
		c_set(p, C_DAY, d);
	} else {
		c_imply(p, C_YEAR, y);
		c_imply(p, C_MONTH, m);
		c_imply(p, C_DAY, d);
	}
}

static inline void
nlp_imply_ref_time(const struct ctx *c, struct comps *p)
{
	c_imply(p, C_HOUR, c->ref.h);
	c_imply(p, C_MINUTE, c->ref.mi);
	c_imply(p, C_SECOND, c->ref.s);
}

static inline int
nlp_mon_index(int wday)
{
	return (wday + 6) % 7;
}

/* Days from today to weekday wd in the week `weeks` from this one. */
static inline int
nlp_in_week(const struct ctx *c, int wd, int weeks)
{
	return nlp_mon_index(wd) - nlp_mon_index(c->ref.wday) + 7 * weeks;
}

#endif

/*
 * nlp — the minimal English date/time parser of Phase 1.
 *
 * The rules, each pinned down by tests/check_nlp.c:
 *
 *  - Words match whole and case-insensitively; "tomorrow's" counts as
 *    "tomorrow" (the "'s" goes with it).
 *  - Days: today, tonight (an evening), tomorrow, [the] day after tomorrow,
 *    this morning/afternoon/evening.  A day may carry a part of the day
 *    ("tomorrow morning", "friday evening") that settles am or pm.
 *  - "friday", "on friday", "this friday": the coming friday, today when
 *    today is friday.  "next friday": the friday of next week, weeks
 *    starting on Monday — chrono's rule, and what most people mean: said on
 *    a Tuesday it is 10 days ahead, on a Friday 7, on a Sunday 5.
 *    Abbreviations (tue, thu, fri…) count alone; mon, wed, sat and sun are
 *    English words too, so they count only after on/this/next.
 *  - "in N days/weeks/months" is a date (months keep the day of the month,
 *    clamped to its end); "in N hours/minutes" is a date and time counted
 *    in real time, so across a DST change the wall clock moves N±1 hours.
 *    N is 1–4 digits, a/an, or one…twelve.
 *  - Times: 5pm, 5 pm, 5:30pm, 5.30 p.m., 17:00, 17.00, 05:30, noon,
 *    midday, midnight, and "at 5" (a bare hour only after "at").  A dotted
 *    time without am/pm or "at" needs a two-digit hour and a 24-hour look
 *    (17.00, 09.45) or a quarter (10.30): "2.50" and "10.12" are not
 *    times; numbers glued to more digits ("10.12.2026", "1/2") never are.
 *  - An hour 1–11 without am/pm and without a leading zero is ambiguous.
 *    A part-of-day word settles it; otherwise, for today (stated or
 *    implied) it is the next such o'clock still ahead (at 09:00, "at 5" is
 *    17:00 and "at 10" is 10:00; at 23:00, "at 5" is 05:00 tomorrow), and
 *    for any other day it is the first one from 07:00 on, so 7–11 are
 *    morning and 1–6 afternoon or evening.  12 alone is noon.
 *  - A time without a day is today if still ahead, else tomorrow; so
 *    "midnight" alone is 00:00 tomorrow, while "friday midnight" is 00:00
 *    at the start of friday.
 *  - The first day expression and the first time expression are used, in
 *    either order; "in 3 hours" stands alone.  Whatever else the text says
 *    stays in it.
 *
 * Calendar arithmetic and time zones are in nlp_time.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "workflows/nlp.h"
#include "workflows/nlp_int.h"

#define QUOTE_MAX 96 /* bytes of the user's words quoted in reasoning */
#define COUNT_MAX 9999
#define MORNING (7 * 60) /* an ambiguous hour on another day: from 07:00 */

/* The scanner. */

enum cand_kind {
	CAND_NONE,
	CAND_DAY,  /* a calendar day */
	CAND_TIME, /* a time of day */
	CAND_SPAN, /* "in 3 hours": an instant ahead of now */
};

enum day_rule {
	DAY_OFFSET, /* n days ahead */
	DAY_THIS,   /* the coming weekday n (0 Sunday), today included */
	DAY_NEXT,   /* weekday n of next week (weeks start on Monday) */
	DAY_MONTHS, /* n months ahead */
};

enum part { PART_NONE, PART_AM, PART_PM };

struct cand {
	enum cand_kind kind;
	size_t start, end;
	enum day_rule rule;
	int n;
	enum part part;   /* settles an ambiguous hour */
	int hour, minute; /* CAND_TIME */
	bool ambiguous;   /* an hour 1–11 without am/pm */
	int64_t ahead_ms; /* CAND_SPAN */
};

struct now {
	int y, m, d, h, mi, wday;
};

static bool
wordch(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch >= 0x80;
}

static bool
digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static char
lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static size_t
blanks(const char *s, size_t i)
{
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return i;
}

/* Is word w (lower case) at s+i, ending at a word boundary?  *end: after
 * it. */
static bool
kw(const char *s, size_t i, const char *w, size_t *end)
{
	size_t k;

	for (k = 0; w[k] != '\0'; k++)
		if (lower(s[i + k]) != w[k])
			return false;
	if (wordch((unsigned char)s[i + k]))
		return false;
	*end = i + k;
	return true;
}

/* Word w and at least one blank; *next: the start of the word after. */
static bool
kw_then(const char *s, size_t i, const char *w, size_t *next)
{
	size_t e;

	if (!kw(s, i, w, &e) || (s[e] != ' ' && s[e] != '\t'))
		return false;
	*next = blanks(s, e);
	return true;
}

/* "tomorrow's": the possessive goes with the day. */
static size_t
possessive(const char *s, size_t e)
{
	if (s[e] == '\'' && lower(s[e + 1]) == 's' &&
	    !wordch((unsigned char)s[e + 2]))
		return e + 2;
	if ((unsigned char)s[e] == 0xe2 && (unsigned char)s[e + 1] == 0x80 &&
	    (unsigned char)s[e + 2] == 0x99 && lower(s[e + 3]) == 's' &&
	    !wordch((unsigned char)s[e + 4]))
		return e + 4;
	return e;
}

/* "morning", "evening"… after a day: the part of the day. */
static size_t
day_part(const char *s, size_t e, enum part *part)
{
	size_t j = blanks(s, e), k;

	if (j == e)
		return e;
	if (kw(s, j, "morning", &k)) {
		*part = PART_AM;
		return k;
	}
	if (kw(s, j, "afternoon", &k) || kw(s, j, "evening", &k) ||
	    kw(s, j, "night", &k)) {
		*part = PART_PM;
		return k;
	}
	return e;
}

static const struct {
	const char *name;
	int wday;
	bool alone; /* also a day without on/this/next */
} weekdays[] = {
    {"monday", 1, true},
    {"mon", 1, false},
    {"tuesday", 2, true},
    {"tues", 2, true},
    {"tue", 2, true},
    {"wednesday", 3, true},
    {"wed", 3, false},
    {"thursday", 4, true},
    {"thurs", 4, true},
    {"thur", 4, true},
    {"thu", 4, true},
    {"friday", 5, true},
    {"fri", 5, true},
    {"saturday", 6, true},
    {"sat", 6, false},
    {"sunday", 0, true},
    {"sun", 0, false},
};

static bool
weekday_at(const char *s, size_t i, bool any, int *wday, size_t *end)
{
	for (size_t k = 0; k < sizeof(weekdays) / sizeof(weekdays[0]); k++) {
		if ((any || weekdays[k].alone) &&
		    kw(s, i, weekdays[k].name, end)) {
			*wday = weekdays[k].wday;
			return true;
		}
	}
	return false;
}

/* A count: 1–4 digits, a/an, one…twelve.  Digits may run into the unit
 * ("2hours"). */
static bool
count_at(const char *s, size_t i, int *n, size_t *end)
{
	static const char *const words[] = {"a", "an", "one", "two", "three",
	    "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
	    "twelve"};
	size_t k = i;
	int v = 0;

	if (digit(s[k])) {
		while (digit(s[k]) && k - i < 5)
			v = v * 10 + (s[k++] - '0');
		if (k - i > 4 || s[k] == '.' || s[k] == ',' || s[k] == ':')
			return false;
		*n = v;
		*end = k;
		return true;
	}
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		if (kw(s, i, words[w], end)) {
			*n = w < 2 ? 1 : (int)w - 1;
			return true;
		}
	}
	return false;
}

enum unit_kind { UNIT_DAYS, UNIT_MONTHS, UNIT_MINUTES };

static const struct {
	const char *name;
	enum unit_kind kind;
	int mult;
} units[] = {
    {"days", UNIT_DAYS, 1},
    {"day", UNIT_DAYS, 1},
    {"d", UNIT_DAYS, 1},
    {"weeks", UNIT_DAYS, 7},
    {"week", UNIT_DAYS, 7},
    {"wks", UNIT_DAYS, 7},
    {"wk", UNIT_DAYS, 7},
    {"months", UNIT_MONTHS, 1},
    {"month", UNIT_MONTHS, 1},
    {"hours", UNIT_MINUTES, 60},
    {"hour", UNIT_MINUTES, 60},
    {"hrs", UNIT_MINUTES, 60},
    {"hr", UNIT_MINUTES, 60},
    {"h", UNIT_MINUTES, 60},
    {"minutes", UNIT_MINUTES, 1},
    {"minute", UNIT_MINUTES, 1},
    {"mins", UNIT_MINUTES, 1},
    {"min", UNIT_MINUTES, 1},
};

/* "in 3 days", "in a week", "in 2hours". */
static bool
match_in(const char *s, size_t i, struct cand *c)
{
	size_t j, e;
	int n;

	if (!kw_then(s, i, "in", &j) || !count_at(s, j, &n, &j) ||
	    n > COUNT_MAX)
		return false;
	j = blanks(s, j);
	for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		if (!kw(s, j, units[k].name, &e))
			continue;
		c->end = e;
		switch (units[k].kind) {
		case UNIT_DAYS:
			c->kind = CAND_DAY;
			c->rule = DAY_OFFSET;
			c->n = n * units[k].mult;
			break;
		case UNIT_MONTHS:
			c->kind = CAND_DAY;
			c->rule = DAY_MONTHS;
			c->n = n;
			break;
		case UNIT_MINUTES:
			c->kind = CAND_SPAN;
			c->ahead_ms = (int64_t)n * units[k].mult * 60000;
			break;
		}
		return true;
	}
	return false;
}

/* A day expression at s+i (a word start). */
static bool
match_day(const char *s, size_t i, struct cand *c)
{
	size_t j = i, k, e;
	bool any = false;
	int wd;

	memset(c, 0, sizeof(*c));
	c->kind = CAND_DAY;
	c->start = i;
	c->rule = DAY_OFFSET;
	if (kw_then(s, i, "the", &k))
		j = k;
	if (kw_then(s, j, "day", &k) && kw_then(s, k, "after", &k) &&
	    kw(s, k, "tomorrow", &e)) {
		c->n = 2;
	} else if (kw(s, i, "today", &e)) {
		c->n = 0;
	} else if (kw(s, i, "tonight", &e)) {
		c->part = PART_PM;
		c->end = possessive(s, e);
		return true;
	} else if (kw(s, i, "tomorrow", &e)) {
		c->n = 1;
	} else if (kw_then(s, i, "this", &k) &&
	    (kw(s, k, "morning", &e) || kw(s, k, "afternoon", &e) ||
	        kw(s, k, "evening", &e))) {
		c->part = lower(s[k]) == 'm' ? PART_AM : PART_PM;
		c->end = e;
		return true;
	} else if (match_in(s, i, c)) {
		return true;
	} else {
		c->rule = DAY_THIS;
		j = i;
		if (kw_then(s, j, "on", &k)) {
			j = k;
			any = true;
		}
		if (kw_then(s, j, "this", &k)) {
			j = k;
			any = true;
		} else if (kw_then(s, j, "next", &k)) {
			j = k;
			any = true;
			c->rule = DAY_NEXT;
		}
		if (!weekday_at(s, j, any, &wd, &e))
			return false;
		c->n = wd;
	}
	c->end = day_part(s, possessive(s, e), &c->part);
	return true;
}

/* am, pm, a.m., p.m. at s+i: 1 am, 2 pm, 0 none. */
static int
meridiem_at(const char *s, size_t i, size_t *end)
{
	static const char *const forms[] = {
	    "a.m.", "a.m", "am", "p.m.", "p.m", "pm"};

	for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++)
		if (kw(s, i, forms[k], end))
			return k < 3 ? 1 : 2;
	return 0;
}

/* Is the character before s+j a separator between digits ("1/2", "2.5")? */
static bool
glued_before(const char *s, size_t j)
{
	return j >= 2 &&
	    (s[j - 1] == '.' || s[j - 1] == ':' || s[j - 1] == '/' ||
	        s[j - 1] == ',') &&
	    digit(s[j - 2]);
}

/* 5pm, 5 pm, 5:30pm, 5.30pm, 17:00, 17.00, 05:30 and, when at, 5. */
static bool
clock_at(const char *s, size_t j, bool at, struct cand *c)
{
	size_t k = j, e;
	int h = 0, mi = 0, nd = 0, mer;
	bool has_min = false, dot = false;

	if (!digit(s[j]) || glued_before(s, j))
		return false;
	while (digit(s[k]) && nd < 3) {
		h = h * 10 + (s[k++] - '0');
		nd++;
	}
	if (nd > 2)
		return false;
	if ((s[k] == ':' || s[k] == '.') && digit(s[k + 1]) &&
	    digit(s[k + 2]) && !digit(s[k + 3])) {
		dot = s[k] == '.';
		mi = (s[k + 1] - '0') * 10 + (s[k + 2] - '0');
		has_min = true;
		k += 3;
		if (!dot && s[k] == ':' && digit(s[k + 1]) && digit(s[k + 2]) &&
		    !digit(s[k + 3]))
			k += 3; /* seconds, ignored */
	}
	if ((s[k] == '.' || s[k] == ':' || s[k] == '/' || s[k] == ',') &&
	    digit(s[k + 1]))
		return false;
	mer = meridiem_at(s, blanks(s, k), &e);
	if (mer != 0) {
		if (h < 1 || h > 12 || mi > 59)
			return false;
		c->hour = h % 12 + (mer == 2 ? 12 : 0);
		c->end = e;
	} else {
		if (wordch((unsigned char)s[k]) || (!has_min && !at) ||
		    h > 23 || mi > 59)
			return false;
		/* "10.12" is as likely a date: a dotted time without am/pm
		 * needs "at", or a 24-hour look (17.00, 09.45), or a round
		 * quarter (10.30) */
		if (dot && !at &&
		    (nd != 2 || (h < 13 && s[j] != '0' && mi % 15 != 0)))
			return false;
		c->hour = h;
		c->ambiguous = h >= 1 && h <= 11 && s[j] != '0';
		c->end = k;
	}
	c->minute = mi;
	return true;
}

/* A time expression at s+i (a word start). */
static bool
match_time(const char *s, size_t i, struct cand *c)
{
	size_t j = i, e;
	bool at = false;

	memset(c, 0, sizeof(*c));
	c->kind = CAND_TIME;
	c->start = i;
	if (kw_then(s, i, "at", &j))
		at = true;
	if (kw(s, j, "noon", &e) || kw(s, j, "midday", &e)) {
		c->hour = 12;
		c->end = e;
		return true;
	}
	if (kw(s, j, "midnight", &e)) {
		c->end = e;
		return true;
	}
	return clock_at(s, j, at, c);
}

static int64_t
today_of(const struct now *now)
{
	return nlp_days_from_civil(now->y, now->m, now->d);
}

/* The day c names, as days since the epoch. */
static int64_t
resolve_day(const struct cand *c, const struct now *now)
{
	int64_t base = today_of(now);
	int y, m;

	switch (c->rule) {
	case DAY_THIS:
		return base + (c->n - now->wday + 7) % 7;
	case DAY_NEXT:
		/* to next week's Monday, then on to the weekday */
		return base + 7 - (now->wday + 6) % 7 + (c->n + 6) % 7;
	case DAY_MONTHS:
		m = now->m - 1 + c->n;
		y = now->y + m / 12;
		m = m % 12 + 1;
		if (y > 9999)
			return base;
		return nlp_days_from_civil(y, m,
		    now->d < nlp_days_in_month(y, m) ? now->d
		                                     : nlp_days_in_month(y, m));
	case DAY_OFFSET:
		break;
	}
	return base + c->n;
}

static void
add_span(struct nlp_when *w, const struct cand *c)
{
	if (w->nspans >= NLP_SPANS_MAX)
		return;
	w->spans[w->nspans].start = c->start;
	w->spans[w->nspans].len = c->end - c->start;
	w->nspans++;
}

/* Date and time from a day and/or a time expression. */
static void
resolve(const struct cand *day, const struct cand *tod, const struct now *now,
    struct nlp_when *w)
{
	int now_min = now->h * 60 + now->mi;
	int64_t d = today_of(now);
	int h = tod->hour, at_min;

	if (day->kind == CAND_DAY)
		d = resolve_day(day, now);
	if (tod->kind == CAND_TIME) {
		at_min = h * 60 + tod->minute;
		if (day->kind != CAND_DAY) {
			/* the next such time still ahead */
			w->date_implied = true;
			if (at_min > now_min)
				;
			else if (tod->ambiguous && at_min + 720 > now_min)
				h += 12;
			else
				d++;
		} else if (tod->ambiguous) {
			if (day->part == PART_PM)
				h += 12;
			else if (day->part == PART_NONE &&
			    at_min <=
			        (d == today_of(now) ? now_min : MORNING - 1))
				h += 12;
		}
		w->has_time = true;
		w->hour = h;
		w->minute = tod->minute;
	}
	w->has_date = true;
	nlp_civil_from_days(d, &w->year, &w->month, &w->day);
	if (day->kind == CAND_DAY && tod->kind == CAND_TIME &&
	    tod->start < day->start) {
		add_span(w, tod);
		add_span(w, day);
	} else {
		if (day->kind == CAND_DAY)
			add_span(w, day);
		if (tod->kind == CAND_TIME)
			add_span(w, tod);
	}
}

void
nlp_explain(struct nlp_when *w, const char *text, const struct nlp_ref *ref)
{
	char quote[QUOTE_MAX + 8], day[32];
	size_t q = 0, tlen = strlen(text);
	int ry = 0;

	w->reasoning[0] = '\0';
	for (int k = 0; k < w->nspans; k++) {
		size_t st = w->spans[k].start, n = w->spans[k].len;

		if (st > tlen || n > tlen - st)
			continue;
		if (q > 0 && q < QUOTE_MAX)
			quote[q++] = ' ';
		if (q + n > QUOTE_MAX) {
			n = QUOTE_MAX - q;
			/* do not split a UTF-8 sequence */
			while (n > 0 &&
			    ((unsigned char)text[st + n] & 0xc0) == 0x80)
				n--;
			memcpy(quote + q, text + st, n);
			memcpy(quote + q + n, "\xe2\x80\xa6", 3);
			q += n + 3;
			break;
		}
		memcpy(quote + q, text + st, n);
		q += n;
	}
	quote[q] = '\0';
	(void)nlp_local(
	    ref->tz, ref->now_ms, &ry, NULL, NULL, NULL, NULL, NULL);
	if (nlp_format_day(
	        w->year, w->month, w->day, w->year != ry, day, sizeof(day)) < 0)
		return;
	if (w->has_time)
		snprintf(w->reasoning, sizeof(w->reasoning),
		    "'%s' \xe2\x86\x92 %s %02d:%02d", quote, day, w->hour,
		    w->minute);
	else
		snprintf(w->reasoning, sizeof(w->reasoning),
		    "'%s' \xe2\x86\x92 %s", quote, day);
}

int
nlp_when(const char *text, const struct nlp_ref *ref, struct nlp_when *ret)
{
	struct cand day = {0}, tod = {0}, c;
	struct now now;
	size_t i = 0;
	int r;

	if (ret != NULL)
		memset(ret, 0, sizeof(*ret));
	if (text == NULL || ref == NULL || ret == NULL)
		return -EINVAL;
	r = nlp_local(ref->tz, ref->now_ms, &now.y, &now.m, &now.d, &now.h,
	    &now.mi, &now.wday);
	if (r < 0)
		return r;
	while (text[i] != '\0' &&
	    (day.kind == CAND_NONE ||
	        (day.kind == CAND_DAY && tod.kind == CAND_NONE))) {
		if (wordch((unsigned char)text[i]) &&
		    (i == 0 || !wordch((unsigned char)text[i - 1]))) {
			if (day.kind == CAND_NONE && match_day(text, i, &c)) {
				day = c;
				i = c.end;
				continue;
			}
			if (tod.kind == CAND_NONE && match_time(text, i, &c)) {
				tod = c;
				i = c.end;
				continue;
			}
		}
		i++;
	}
	if (day.kind == CAND_NONE && tod.kind == CAND_NONE)
		return 0;
	if (day.kind == CAND_SPAN) {
		r = nlp_local(ref->tz, ref->now_ms + day.ahead_ms, &ret->year,
		    &ret->month, &ret->day, &ret->hour, &ret->minute, NULL);
		if (r < 0) {
			memset(ret, 0, sizeof(*ret));
			return 0;
		}
		ret->has_date = true;
		ret->has_time = true;
		add_span(ret, &day);
	} else {
		resolve(&day, &tod, &now, ret);
	}
	if (!nlp_date_valid(ret->year, ret->month, ret->day)) {
		memset(ret, 0, sizeof(*ret));
		return 0;
	}
	nlp_explain(ret, text, ref);
	return 1;
}

/*
 * nlp_recur — repeating times as an RFC 5545 RRULE: daily, every day,
 * every other day, every 3 days, every weekday, every weekend, weekly,
 * every 2 weeks, biweekly, every monday and thursday, on mondays, every
 * other friday, monthly, every 1st of the month, every month on the 15th,
 * the last day of every month, every first monday of the month, quarterly,
 * yearly, every year on March 3, every March 3, hourly, every 15 minutes,
 * every morning; then "until <date>" (UNTIL) or "10 times" (COUNT).
 *
 * The match starts at the first occurrence on or after today (a time of
 * day said with it that has already passed today moves it to the next
 * one); the RRULE says how it repeats, without DTSTART.
 */
#include <stdio.h>
#include <string.h>

#include "workflows/nlp_int.h"

#define ALL_WEEKDAYS 0x3e /* Monday to Friday */
#define WEEKEND 0x41

static const char *const byday_names[] = {
    "SU", "MO", "TU", "WE", "TH", "FR", "SA"};

/* "every", "each", "every other", "every 3": *interval. */
static bool
every_at(const char *s, size_t i, int *interval, size_t *next)
{
	static const char *const nums[] = {"two", "three", "four", "five",
	    "six", "seven", "eight", "nine", "ten", "eleven", "twelve", NULL};
	size_t j, e;
	int n, k;

	if (!lx_word_sp(s, i, "every", &j) && !lx_word_sp(s, i, "each", &j))
		return false;
	*interval = 1;
	if (lx_word_sp(s, j, "other", &e) || lx_word_sp(s, j, "second", &e)) {
		*interval = 2;
		j = e;
	} else if (lx_uint(s, j, 3, &n, &e) && n >= 1 && lx_sp(s, e) > e) {
		*interval = n;
		j = lx_sp(s, e);
	} else if ((k = lx_words(s, j, nums, &e)) >= 0 && lx_sp(s, e) > e) {
		*interval = k + 2; /* "every three days" */
		j = lx_sp(s, e);
	}
	*next = j;
	return true;
}

/* "monday", "mon and thu", "mondays, wednesdays and fridays". */
static bool
weekday_list(const char *s, size_t i, uint8_t *mask, size_t *end)
{
	size_t j = i, e, k;
	int wd, n = 0;
	bool weak;

	*mask = 0;
	for (;;) {
		wd = lx_weekday_plural(s, j, &e);
		if (wd < 0)
			wd = lx_weekday(s, j, &e, &weak);
		if (wd < 0)
			break;
		*mask |= (uint8_t)(1u << wd);
		*end = e;
		n++;
		k = lx_sp(s, e);
		if (s[k] == ',')
			k = lx_sp(s, k + 1);
		if (lx_word_sp(s, k, "and", &e) || lx_word_sp(s, k, "&", &e) ||
		    lx_word_sp(s, k, "or", &e))
			k = e;
		else if (s[k] == '&')
			k = lx_sp(s, k + 1);
		if (k == *end)
			break;
		j = k;
	}
	return n > 0;
}

static int64_t
today(const struct ctx *c)
{
	return time_days_from_civil(c->ref.y, c->ref.m, c->ref.d);
}

/* Does day d match rec (ignoring the interval)? */
static bool
matches(const struct recur *rec, int64_t d)
{
	int y, m, dd, wd = nlp_weekday_of(d), dim;

	time_civil_from_days(d, &y, &m, &dd);
	dim = time_days_in_month(y, m);
	if (rec->bymonth != 0 && rec->bymonth != m)
		return false;
	if (rec->bymonthday > 0 && rec->bymonthday != dd)
		return false;
	if (rec->bymonthday < 0 && dd != dim)
		return false;
	if (rec->byday != 0 && !(rec->byday & (1u << wd)))
		return false;
	if (rec->nth > 0 && (dd - 1) / 7 + 1 != rec->nth)
		return false;
	if (rec->nth < 0 && dd + 7 <= dim)
		return false;
	return true;
}

/* The first day from d on that matches rec. */
static int64_t
next_day(const struct recur *rec, int64_t d)
{
	for (int k = 0; k < 800; k++)
		if (matches(rec, d + k))
			return d + k;
	return d;
}

static void
first(struct ctx *c, struct res *r)
{
	int64_t d = next_day(&r->rec, today(c));
	int y, m, dd;

	time_civil_from_days(d, &y, &m, &dd);
	c_imply(&r->s, C_YEAR, y);
	c_imply(&r->s, C_MONTH, m);
	c_imply(&r->s, C_DAY, dd);
	if (r->rec.byday != 0 && (r->rec.byday & (r->rec.byday - 1)) == 0)
		c_set(&r->s, C_WDAY, nlp_weekday_of(d));
	r->flags |= F_RECUR | F_ANCHOR;
}

/* until <date>, 10 times, for 10 weeks. */
static size_t
ending(struct ctx *c, size_t e, struct recur *rec)
{
	const char *s = c->s;
	size_t j = lx_sp(s, e), k;
	struct res a;
	int n;

	if (lx_word_sp(s, j, "until", &k) || lx_word_sp(s, j, "till", &k) ||
	    lx_word_sp(s, j, "through", &k)) {
		if (nlp_scan_at(c, k, &a, true) && !(a.flags & F_DEAD) &&
		    c_has(&a.s, C_DAY)) {
			rec->until =
			    (int32_t)(time_days_from_civil(
			                  c_get(&a.s, C_YEAR, c->ref.y),
			                  c_get(&a.s, C_MONTH, c->ref.m),
			                  a.s.v[C_DAY]) +
			        1);
			return a.e;
		}
	}
	if (lx_word_sp(s, j, "for", &k))
		j = k;
	if (lx_uint(s, j, 3, &n, &k) && n > 0 &&
	    lx_word(s, lx_sp(s, k), "times", &k)) {
		rec->count = (uint16_t)n;
		return k;
	}
	return e;
}

/* "of the month", "of every month", "of each month", "every month". */
static bool
of_month(const char *s, size_t i, size_t *end)
{
	size_t j = lx_sp(s, i);

	return lx_word(s, j, "of the month", end) ||
	    lx_word(s, j, "of every month", end) ||
	    lx_word(s, j, "of each month", end) ||
	    lx_word(s, j, "every month", end) ||
	    lx_word(s, j, "each month", end) || lx_word(s, j, "monthly", end);
}

bool
scan_recur(struct ctx *c, size_t i, struct res *r)
{
	static const char *const nths[] = {"first", "second", "third", "fourth",
	    "last", "1st", "2nd", "3rd", "4th", NULL};
	const char *s = c->s;
	struct recur *rec = &r->rec;
	size_t j, e, k;
	int iv = 1, n, m, d;
	bool abbr;
	uint8_t mask;

	memset(rec, 0, sizeof(*rec));
	if (lx_word(s, i, "daily", &e) || lx_word(s, i, "everyday", &e)) {
		rec->freq = FREQ_DAILY;
	} else if (lx_word(s, i, "weekly", &e)) {
		rec->freq = FREQ_WEEKLY;
	} else if (lx_word(s, i, "biweekly", &e) ||
	    lx_word(s, i, "fortnightly", &e) ||
	    lx_word(s, i, "every fortnight", &e)) {
		rec->freq = FREQ_WEEKLY;
		iv = 2;
	} else if (lx_word(s, i, "monthly", &e)) {
		rec->freq = FREQ_MONTHLY;
	} else if (lx_word(s, i, "quarterly", &e)) {
		rec->freq = FREQ_MONTHLY;
		iv = 3;
	} else if (lx_word(s, i, "yearly", &e) ||
	    lx_word(s, i, "annually", &e)) {
		rec->freq = FREQ_YEARLY;
	} else if (lx_word(s, i, "hourly", &e)) {
		rec->freq = FREQ_HOURLY;
	} else if ((lx_word_sp(s, i, "on", &j) || (j = i, true)) &&
	    weekday_list(s, j, &mask, &e) && lx_weekday_plural(s, j, &k) >= 0 &&
	    j > i) {
		/* on mondays (and thursdays) */
		rec->freq = FREQ_WEEKLY;
		rec->byday = mask;
	} else if (lx_word(s, i, "on weekdays", &e) ||
	    lx_word(s, i, "weekdays", &e)) {
		rec->freq = FREQ_WEEKLY;
		rec->byday = ALL_WEEKDAYS;
	} else if (lx_word(s, i, "on weekends", &e) ||
	    lx_word(s, i, "weekends", &e)) {
		rec->freq = FREQ_WEEKLY;
		rec->byday = WEEKEND;
	} else if (every_at(s, i, &iv, &j)) {
		if (lx_word(s, j, "day", &e) || lx_word(s, j, "days", &e)) {
			rec->freq = FREQ_DAILY;
		} else if (lx_word(s, j, "weekday", &e) ||
		    lx_word(s, j, "workday", &e) ||
		    lx_word(s, j, "business day", &e) ||
		    lx_word(s, j, "working day", &e)) {
			rec->freq = FREQ_WEEKLY;
			rec->byday = ALL_WEEKDAYS;
		} else if (lx_word(s, j, "weekend", &e)) {
			rec->freq = FREQ_WEEKLY;
			rec->byday = WEEKEND;
		} else if (lx_word(s, j, "week", &e) ||
		    lx_word(s, j, "weeks", &e)) {
			rec->freq = FREQ_WEEKLY;
			/* every week on monday */
			k = lx_sp(s, e);
			if (lx_word_sp(s, k, "on", &k) &&
			    weekday_list(s, k, &mask, &k)) {
				rec->byday = mask;
				e = k;
			}
		} else if (lx_word(s, j, "month", &e) ||
		    lx_word(s, j, "months", &e)) {
			rec->freq = FREQ_MONTHLY;
			k = lx_sp(s, e);
			if (lx_word_sp(s, k, "on the", &k) &&
			    lx_ordinal(s, k, &d, &k) && d <= 31) {
				rec->bymonthday = (int8_t)d;
				e = k;
			}
		} else if (lx_word(s, j, "year", &e) ||
		    lx_word(s, j, "years", &e)) {
			rec->freq = FREQ_YEARLY;
			k = lx_sp(s, e);
			if (lx_word_sp(s, k, "on", &k) &&
			    (m = lx_month(s, k, &k, &abbr)) > 0 &&
			    lx_sp(s, k) > k &&
			    (lx_ordinal(s, lx_sp(s, k), &d, &k) ||
			        lx_uint(s, lx_sp(s, k), 2, &d, &k)) &&
			    d >= 1 && d <= time_days_in_month(2000, m)) {
				rec->bymonth = (uint8_t)m;
				rec->bymonthday = (int8_t)d;
				e = k;
			}
		} else if (lx_word(s, j, "hour", &e) ||
		    lx_word(s, j, "hours", &e)) {
			rec->freq = FREQ_HOURLY;
		} else if (lx_word(s, j, "minute", &e) ||
		    lx_word(s, j, "minutes", &e)) {
			rec->freq = FREQ_MINUTELY;
		} else if (lx_word(s, j, "morning", &e) ||
		    lx_word(s, j, "afternoon", &e) ||
		    lx_word(s, j, "evening", &e) ||
		    lx_word(s, j, "night", &e)) {
			static const int hours[] = {6, 15, 20, 22};
			char ch = lx_lower(s[j]);

			rec->freq = FREQ_DAILY;
			c_imply(&r->s, C_HOUR,
			    hours[ch == 'm'     ? 0
			            : ch == 'a' ? 1
			            : ch == 'e' ? 2
			                        : 3]);
			c_imply(&r->s, C_MINUTE, 0);
			c_imply(&r->s, C_MERID, ch != 'm');
		} else if (weekday_list(s, j, &mask, &e)) {
			rec->freq = FREQ_WEEKLY;
			rec->byday = mask;
		} else if ((n = lx_words(s, j, nths, &k)) >= 0 &&
		    lx_sp(s, k) > k &&
		    weekday_list(s, lx_sp(s, k), &mask, &k) &&
		    (mask & (mask - 1)) == 0) {
			/* every first monday (of the month) */
			rec->freq = FREQ_MONTHLY;
			rec->byday = mask;
			rec->nth = (int8_t)(n == 4 ? -1
			        : n > 4            ? n - 4
			                           : n + 1);
			e = k;
			if (of_month(s, k, &k))
				e = k;
		} else if (lx_ordinal(s, j, &d, &k) && d <= 31) {
			/* every 1st (of the month), every 3rd of March */
			size_t k2 = lx_sp(s, k);

			e = k;
			if (lx_word_sp(s, k2, "of", &k2) &&
			    (m = lx_month(s, k2, &k2, &abbr)) > 0) {
				rec->freq = FREQ_YEARLY;
				rec->bymonth = (uint8_t)m;
				e = k2;
			} else {
				rec->freq = FREQ_MONTHLY;
				if (of_month(s, k, &k2))
					e = k2;
			}
			rec->bymonthday = (int8_t)d;
		} else if (lx_word(s, j, "last day", &k)) {
			rec->freq = FREQ_MONTHLY;
			rec->bymonthday = -1;
			e = k;
			if (of_month(s, k, &k))
				e = k;
		} else if ((m = lx_month(s, j, &k, &abbr)) > 0 &&
		    (lx_ordinal(s, lx_sp(s, k), &d, &e) ||
		        lx_uint(s, lx_sp(s, k), 2, &d, &e)) &&
		    d >= 1 && d <= time_days_in_month(2000, m)) {
			/* every March 3 */
			rec->freq = FREQ_YEARLY;
			rec->bymonth = (uint8_t)m;
			rec->bymonthday = (int8_t)d;
		} else {
			return false;
		}
	} else if ((lx_word_sp(s, i, "on the", &j) ||
	               lx_word_sp(s, i, "the", &j)) &&
	    lx_ordinal(s, j, &d, &e) && d <= 31 &&
	    (lx_word(s, lx_sp(s, e), "of every month", &k) ||
	        lx_word(s, lx_sp(s, e), "of each month", &k))) {
		/* the 1st of every month */
		rec->freq = FREQ_MONTHLY;
		rec->bymonthday = (int8_t)d;
		e = k;
	} else {
		return false;
	}
	if (iv > 1000)
		return false;
	rec->interval = (uint16_t)iv;
	/* weekly on monday, monthly on the 15th */
	k = lx_sp(s, e);
	if ((rec->freq == FREQ_WEEKLY && rec->byday == 0 &&
	        lx_word_sp(s, k, "on", &j) && weekday_list(s, j, &mask, &j))) {
		rec->byday = mask;
		e = j;
	} else if (rec->freq == FREQ_MONTHLY && rec->bymonthday == 0 &&
	    rec->byday == 0 && lx_word_sp(s, k, "on the", &j) &&
	    lx_ordinal(s, j, &d, &j) && d <= 31) {
		rec->bymonthday = (int8_t)d;
		e = j;
	}
	e = ending(c, e, rec);
	if (rec->freq == FREQ_HOURLY || rec->freq == FREQ_MINUTELY) {
		c_set(&r->s, C_YEAR, c->ref.y);
		c_set(&r->s, C_MONTH, c->ref.m);
		c_set(&r->s, C_DAY, c->ref.d);
		c_set(&r->s, C_HOUR, c->ref.h);
		c_set(&r->s, C_MINUTE, c->ref.mi);
		r->flags |= F_RECUR | F_ANCHOR;
	} else {
		first(c, r);
	}
	r->e = e;
	return true;
}

/* Move a recurrence whose first time today has passed to the next day
 * it happens (nlp_parse.c, once a time has joined it). */
void
nlp_recur_first(struct ctx *c, struct res *r)
{
	int64_t d;
	int y, m, dd;

	if (!(r->flags & F_RECUR) || r->rec.freq == FREQ_HOURLY ||
	    r->rec.freq == FREQ_MINUTELY || !c_known(&r->s, C_HOUR))
		return;
	d = time_days_from_civil(
	    r->s.v[C_YEAR], r->s.v[C_MONTH], r->s.v[C_DAY]);
	if (d != today(c) ||
	    r->s.v[C_HOUR] * 60 + r->s.v[C_MINUTE] > c->ref.h * 60 + c->ref.mi)
		return;
	d = next_day(&r->rec, d + 1);
	time_civil_from_days(d, &y, &m, &dd);
	r->s.v[C_YEAR] = y;
	r->s.v[C_MONTH] = m;
	r->s.v[C_DAY] = dd;
}

void
nlp_recur_rrule(
    const struct recur *rec, int64_t until_utc, char *buf, size_t len)
{
	static const char *const freqs[] = {
	    "", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"};
	size_t n;
	bool comma = false;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (rec->freq == FREQ_NONE || rec->freq > FREQ_YEARLY)
		return;
	n = (size_t)snprintf(buf, len, "FREQ=%s", freqs[rec->freq]);
	if (rec->interval > 1 && n < len)
		n += (size_t)snprintf(
		    buf + n, len - n, ";INTERVAL=%u", rec->interval);
	if (rec->bymonth != 0 && n < len)
		n += (size_t)snprintf(
		    buf + n, len - n, ";BYMONTH=%u", rec->bymonth);
	if (rec->bymonthday != 0 && n < len)
		n += (size_t)snprintf(
		    buf + n, len - n, ";BYMONTHDAY=%d", rec->bymonthday);
	if (rec->byday != 0 && n < len) {
		n += (size_t)snprintf(buf + n, len - n, ";BYDAY=");
		/* Monday first, as people write them */
		for (int k = 1; k <= 7 && n < len; k++) {
			int wd = k % 7;

			if (!(rec->byday & (1u << wd)))
				continue;
			if (rec->nth != 0)
				n += (size_t)snprintf(buf + n, len - n,
				    "%s%d%s", comma ? "," : "", rec->nth,
				    byday_names[wd]);
			else
				n += (size_t)snprintf(buf + n, len - n, "%s%s",
				    comma ? "," : "", byday_names[wd]);
			comma = true;
		}
	}
	if (rec->count != 0 && n < len)
		n +=
		    (size_t)snprintf(buf + n, len - n, ";COUNT=%u", rec->count);
	if (rec->until != 0 && n < len) {
		int64_t days = until_utc != 0
		    ? (until_utc >= 0 ? until_utc / 86400
		                      : (until_utc - 86399) / 86400)
		    : rec->until - 1;
		int y, m, d, sod = (int)(until_utc - days * 86400);

		time_civil_from_days(days, &y, &m, &d);
		if (until_utc != 0)
			snprintf(buf + n, len - n,
			    ";UNTIL=%04d%02d%02dT%02d%02d%02dZ", y, m, d,
			    sod / 3600, sod / 60 % 60, sod % 60);
		else
			snprintf(
			    buf + n, len - n, ";UNTIL=%04d%02d%02d", y, m, d);
	}
	if (n >= len)
		buf[len - 1] = '\0';
}

/*
 * nlp_rel — days said relative to now: casual days (today, tomorrow,
 * tonight, last night, the day after tomorrow, this morning, end of day),
 * weekdays (friday, next friday, last sunday, friday of next week, the
 * first monday of march, this weekend, next weekday) and ordinal days
 * (the 20th, 20th of next month).  Durations and periods are in
 * nlp_span.c.
 *
 * Weeks start on Monday: "next friday" is the friday of next week, which
 * is also chrono's rule (said on a Tuesday it is 10 days ahead, on a
 * Friday 7, on a Sunday 5).
 */
#include <string.h>

#include "workflows/nlp_int.h"

/* "'s" and "’s" after a day: "tomorrow's meeting". */
static size_t
possessive(const char *s, size_t e)
{
	if (s[e] == '\'' && lx_lower(s[e + 1]) == 's' &&
	    !lx_wordch((unsigned char)s[e + 2]))
		return e + 2;
	if ((unsigned char)s[e] == 0xe2 && (unsigned char)s[e + 1] == 0x80 &&
	    (unsigned char)s[e + 2] == 0x99 && lx_lower(s[e + 3]) == 's' &&
	    !lx_wordch((unsigned char)s[e + 4]))
		return e + 4;
	return e;
}

/* "morning", "afternoon", "evening", "night" after a day. */
static size_t
day_part(const char *s, size_t e, struct res *r)
{
	static const char *const parts[] = {
	    "morning", "afternoon", "evening", "night", NULL};
	static const int hours[] = {6, 15, 20, 22};
	size_t j = lx_sp(s, e), k;
	int p;

	if (j == e)
		return e;
	p = lx_words(s, j, parts, &k);
	if (p < 0)
		return e;
	c_imply(&r->s, C_HOUR, hours[p]);
	c_imply(&r->s, C_MINUTE, 0);
	c_imply(&r->s, C_SECOND, 0);
	c_imply(&r->s, C_MERID, p > 0);
	r->flags |= F_PART;
	return k;
}

/* Casual days. */

bool
scan_casual_day(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	size_t e, j, k;
	int64_t d = nlp_today(c);
	struct span sp;

	r->flags |= F_ANCHOR;
	if (lx_word(s, i, "now", &e) || lx_word(s, i, "right now", &e)) {
		c_set(&r->s, C_YEAR, c->ref.y);
		c_set(&r->s, C_MONTH, c->ref.m);
		c_set(&r->s, C_DAY, c->ref.d);
		c_set(&r->s, C_HOUR, c->ref.h);
		c_set(&r->s, C_MINUTE, c->ref.mi);
		c_set(&r->s, C_SECOND, c->ref.s);
		r->flags |= F_REL_TIME;
		r->abs_t = c->ref_t;
		j = lx_sp(s, e);
		if ((s[j] == '+' || s[j] == '-') &&
		    nlp_duration_at(c, lx_sp(s, j + 1), true, &sp, &k)) {
			nlp_shift(c, NULL, &sp, s[j] == '-' ? -1 : 1, &r->s,
			    &r->flags);
			r->abs_t = c->ref_t + (s[j] == '-' ? -1 : 1) * sp.secs;
			e = k;
		}
		r->e = e;
		return true;
	}
	if (lx_word(s, i, "tonight", &e) || lx_word(s, i, "tonite", &e)) {
		nlp_set_day(&r->s, d, true);
		c_imply(&r->s, C_HOUR, 22);
		c_imply(&r->s, C_MINUTE, 0);
		c_imply(&r->s, C_MERID, 1);
		r->flags |= F_PART;
		r->e = possessive(s, e);
		return true;
	}
	if (lx_word(s, i, "last night", &e)) {
		nlp_set_day(&r->s, c->ref.h > 6 ? d - 1 : d, true);
		c_imply(&r->s, C_HOUR, 0);
		c_imply(&r->s, C_MINUTE, 0);
		r->e = e;
		return true;
	}
	if (lx_word_sp(s, i, "this", &j) || lx_word_sp(s, i, "today", &j)) {
		static const char *const parts[] = {
		    "morning", "afternoon", "evening", NULL};
		static const int hours[] = {6, 15, 20};
		int p = lx_words(s, j, parts, &e);

		if (p >= 0) {
			nlp_set_day(&r->s, d, true);
			c_imply(&r->s, C_HOUR, hours[p]);
			c_imply(&r->s, C_MINUTE, 0);
			c_imply(&r->s, C_MERID, p > 0);
			r->flags |= F_PART;
			r->e = e;
			return true;
		}
	}
	if (lx_word(s, i, "end of day", &e) ||
	    lx_word(s, i, "end of the day", &e) ||
	    lx_word(s, i, "end of today", &e) || lx_word(s, i, "eod", &e) ||
	    lx_word(s, i, "close of business", &e) ||
	    lx_word(s, i, "cob", &e)) {
		nlp_set_day(&r->s, d, true);
		c_imply(&r->s, C_HOUR, 17);
		c_imply(&r->s, C_MINUTE, 0);
		r->e = e;
		return true;
	}
	j = i;
	if (lx_word_sp(s, i, "the", &k))
		j = k;
	if (lx_word(s, j, "day after tomorrow", &e) ||
	    lx_word(s, j, "overmorrow", &e)) {
		d += 2;
	} else if (lx_word(s, j, "day before yesterday", &e)) {
		d -= 2;
	} else if (lx_word(s, i, "today", &e)) {
		;
	} else if (lx_word(s, i, "tomorrow", &e) || lx_word(s, i, "tmr", &e) ||
	    lx_word(s, i, "tmrw", &e) || lx_word(s, i, "tomorow", &e) ||
	    lx_word(s, i, "tommorow", &e) || lx_word(s, i, "tommorrow", &e)) {
		d += 1;
	} else if (lx_word(s, i, "yesterday", &e)) {
		d -= 1;
	} else {
		return false;
	}
	nlp_set_day(&r->s, d, true);
	nlp_imply_ref_time(c, &r->s);
	r->e = day_part(s, possessive(s, e), r);
	return true;
}

/* Weekdays. */

/* chrono's: the nearest wd, back or forth. */
static int
closest(const struct ctx *c, int wd)
{
	int fwd = (wd - c->ref.wday + 7) % 7, back = fwd - 7;

	return fwd < -back ? fwd : back;
}

/* "of next week", ", next week", "next week" after a weekday. */
static bool
week_suffix(const char *s, size_t i, int *weeks, size_t *end)
{
	size_t j = lx_sp(s, i), k;

	if (s[j] == ',')
		j = lx_sp(s, j + 1);
	if (lx_word_sp(s, j, "of", &k) || lx_word_sp(s, j, "in", &k))
		j = k;
	if (lx_word_sp(s, j, "the", &k))
		j = k;
	if (lx_word(s, j, "next week", end) ||
	    lx_word(s, j, "following week", end))
		*weeks = 1;
	else if (lx_word(s, j, "last week", end) ||
	    lx_word(s, j, "previous week", end))
		*weeks = -1;
	else if (lx_word(s, j, "this week", end))
		*weeks = 0;
	else
		return false;
	return true;
}

/* The nth (1–5, -1 last) weekday wd of month m of year y, 0 if none. */
static int64_t
nth_weekday(int y, int m, int wd, int nth)
{
	int64_t first = time_days_from_civil(y, m, 1), d;
	int dim = time_days_in_month(y, m);

	if (nth > 0) {
		d = first + (wd - nlp_weekday_of(first) + 7) % 7 +
		    7 * (nth - 1);
		return d < first + dim ? d : 0;
	}
	d = first + dim - 1;
	return d - (nlp_weekday_of(d) - wd + 7) % 7;
}

/* "the first monday of march", "last friday of the month",
 * "2nd tuesday of next month". */
static bool
nth_weekday_of(struct ctx *c, size_t i, struct res *r)
{
	static const char *const nths[] = {"first", "second", "third", "fourth",
	    "fifth", "last", "1st", "2nd", "3rd", "4th", "5th", NULL};
	const char *s = c->s;
	size_t j = i, e, k;
	int n, wd, y = c->ref.y, m = c->ref.m;
	bool weak, abbr;
	int64_t d;

	if (lx_word_sp(s, i, "the", &k))
		j = k;
	n = lx_words(s, j, nths, &e);
	if (n < 0 || (j = lx_sp(s, e)) == e)
		return false;
	n = n == 5 ? -1 : n > 5 ? n - 5 : n + 1;
	wd = lx_weekday(s, j, &e, &weak);
	k = lx_sp(s, e);
	if (wd < 0 || k == e ||
	    !(lx_word_sp(s, k, "of", &j) || lx_word_sp(s, k, "in", &j)))
		return false;
	if (lx_word(s, j, "the month", &e) || lx_word(s, j, "this month", &e)) {
		;
	} else if (lx_word(s, j, "next month", &e)) {
		m++;
	} else if (lx_word(s, j, "last month", &e)) {
		m--;
	} else {
		int mm = lx_month(s, j, &e, &abbr);

		if (mm < 0)
			return false;
		if (mm < m ||
		    (c->forward && mm == m &&
		        nth_weekday(y, mm, wd, n) < nlp_today(c)))
			y++;
		m = mm;
		if (lx_year(s, lx_sp(s, e), false, &y, &k) && lx_sp(s, e) > e) {
			e = k;
		}
	}
	if (m > 12) {
		m = 1;
		y++;
	} else if (m < 1) {
		m = 12;
		y--;
	}
	d = nth_weekday(y, m, wd, n);
	if (d == 0) {
		r->flags |= F_DEAD;
		r->e = e;
		return true;
	}
	nlp_set_day(&r->s, d, true);
	c_set(&r->s, C_WDAY, wd);
	r->flags |= F_ANCHOR;
	r->e = e;
	return true;
}

/* next weekday / last business day: working days. */
static bool
working_day(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	size_t j, e;
	int dir, wd;
	int64_t d = nlp_today(c);

	if (lx_word_sp(s, i, "next", &j))
		dir = 1;
	else if (lx_word_sp(s, i, "last", &j) ||
	    lx_word_sp(s, i, "previous", &j))
		dir = -1;
	else
		return false;
	if (!lx_word(s, j, "weekday", &e) &&
	    !lx_word(s, j, "business day", &e) &&
	    !lx_word(s, j, "working day", &e) && !lx_word(s, j, "workday", &e))
		return false;
	do {
		d += dir;
		wd = nlp_weekday_of(d);
	} while (wd == 0 || wd == 6);
	nlp_set_day(&r->s, d, true);
	r->flags |= F_ANCHOR;
	r->e = e;
	return true;
}

/* this weekend: Saturday to Sunday. */
static bool
weekend(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	size_t j = i, e;
	int weeks = 0;
	int64_t sat;

	if (lx_word_sp(s, i, "next", &j))
		weeks = 1;
	else if (lx_word_sp(s, i, "last", &j) || lx_word_sp(s, i, "past", &j))
		weeks = -1;
	else if (lx_word_sp(s, i, "this", &j) || lx_word_sp(s, i, "the", &j) ||
	    lx_word_sp(s, i, "on the", &j) || lx_word_sp(s, i, "over the", &j))
		weeks = 0;
	if (!lx_word(s, j, "weekend", &e))
		return false;
	/* on a Sunday "this weekend" is today's */
	sat = nlp_today(c) + nlp_in_week(c, 6, weeks);
	nlp_set_day(&r->s, sat, true);
	c_set(&r->s, C_WDAY, 6);
	nlp_set_day(&r->en, sat + 1, true);
	c_set(&r->en, C_WDAY, 0);
	r->has_end = true;
	r->flags |= F_ANCHOR;
	r->e = e;
	return true;
}

/*
 * "sat 7pm", "wed 11:00", "sun at 10", "sat morning": a weekday that is
 * also an English word (mon, wed, sat, sun) is the day when a time of day
 * (not a bare number) or a part of the day follows it.
 */
static bool
weak_day_follows(struct ctx *c, size_t i, size_t e)
{
	static const char *const parts[] = {
	    "morning", "afternoon", "evening", "night", NULL};
	/* "in the sun at 5pm", "I sat at 5pm": the word, not the day */
	static const char *const before[] = {"the", "a", "an", "my", "your",
	    "his", "her", "our", "their", "i", "you", "he", "she", "we", "they",
	    "it", NULL};
	struct comps t;
	unsigned flags;
	size_t j = lx_sp(c->s, e), k, ws = i;

	while (ws > 0 && lx_blank(c->s[ws - 1]))
		ws--;
	k = ws;
	while (ws > 0 && lx_alnum((unsigned char)c->s[ws - 1]))
		ws--;
	if (ws < k && lx_words(c->s, ws, before, &k) >= 0 &&
	    lx_sp(c->s, k) == i)
		return false;
	if (j == e)
		return false;
	if (lx_words(c->s, j, parts, &k) >= 0)
		return true;
	return nlp_time_at(c, j, false, &t, &flags, &k) &&
	    (flags & F_DEAD) == 0;
}

bool
scan_weekday(struct ctx *c, size_t i, struct res *r)
{
	static const char *const mods[] = {"on", "this", "next", "last", "past",
	    "coming", "upcoming", "previous", "following", NULL};
	const char *s = c->s;
	size_t j = i, e, k;
	int mod = -1, wd, days, weeks, n = 0;
	bool weak;
	int64_t milli;

	if (nth_weekday_of(c, i, r) || working_day(c, i, r) || weekend(c, i, r))
		return true;
	/* "2 fridays from now" */
	if (lx_digit(s[i]) || lx_lower(s[i]) == 't' || lx_lower(s[i]) == 'o') {
		if (lx_count(s, i, false, &milli, &e) && milli >= 1000 &&
		    milli % 1000 == 0 && (j = lx_sp(s, e)) > e &&
		    (wd = lx_weekday_plural(s, j, &e)) >= 0 &&
		    lx_word(s, lx_sp(s, e), "from now", &k)) {
			n = (int)(milli / 1000);
			days = (wd - c->ref.wday + 7) % 7;
			if (days == 0)
				days = 7;
			nlp_set_day(
			    &r->s, nlp_today(c) + days + 7 * (n - 1), true);
			c_set(&r->s, C_WDAY, wd);
			r->flags |= F_ANCHOR;
			r->e = k;
			return true;
		}
		j = i;
	}
	mod = lx_words(s, i, mods, &e);
	if (mod >= 0) {
		j = lx_sp(s, e);
		if (j == e)
			return false;
		if (mod == 0) {
			size_t k2;
			int m2 = lx_words(s, j, mods, &k2);

			if (m2 > 0 && lx_sp(s, k2) > k2) {
				mod = m2;
				j = lx_sp(s, k2);
			}
		}
	}
	wd = lx_weekday(s, j, &e, &weak);
	if (wd < 0 || (weak && mod < 0 && !weak_day_follows(c, j, e)))
		return false;
	e = possessive(s, e);
	switch (mod) {
	case 1: /* this: the coming one, today included */
		days = (wd - c->ref.wday + 7) % 7;
		r->flags |= F_ANCHOR;
		break;
	case 2: /* next */
	case 8: /* following */
		days = nlp_in_week(c, wd, 1);
		r->flags |= F_ANCHOR;
		break;
	case 3: /* last */
	case 4: /* past */
	case 7: /* previous */
		days = -((c->ref.wday - wd + 7) % 7);
		if (days == 0)
			days = -7;
		r->flags |= F_ANCHOR;
		break;
	case 5: /* coming */
	case 6:
		days = (wd - c->ref.wday + 7) % 7;
		if (days == 0)
			days = 7;
		r->flags |= F_ANCHOR;
		break;
	default:
		days = closest(c, wd);
		break;
	}
	if (week_suffix(s, e, &weeks, &k)) {
		days = nlp_in_week(c, wd, weeks);
		r->flags |= F_ANCHOR;
		e = k;
	} else if (lx_word_sp(s, lx_sp(s, e), "after", &k) &&
	    lx_word(s, k, "next", &k)) {
		days = nlp_in_week(c, wd, 2);
		r->flags |= F_ANCHOR;
		e = k;
	}
	nlp_set_day(&r->s, nlp_today(c) + days, false);
	c_set(&r->s, C_WDAY, wd);
	r->e = day_part(s, e, r);
	return true;
}

/* Words that may follow "the 20th" when it is a day of the month. */
static bool
ordinal_day_follow(const char *s, size_t i)
{
	static const char *const ok[] = {"at", "of", "by", "from", "to",
	    "until", "till", "and", "or", "for", "in", "on", "this", "next",
	    "morning", "afternoon", "evening", "night", "please", "then", NULL};
	size_t j = lx_sp(s, i), e;

	if (!lx_alnum((unsigned char)s[j]))
		return true;
	if (lx_digit(s[j]))
		return true;
	return lx_words(s, j, ok, &e) >= 0;
}

/* the 20th, on the 3rd, 20th of next month, the 1st of the month. */
bool
scan_ordinal_day(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	size_t j = i, e, k;
	int d, y = c->ref.y, m = c->ref.m;
	bool the = false, of = false;

	if (lx_word_sp(s, i, "on the", &k) || lx_word_sp(s, i, "the", &k)) {
		j = k;
		the = true;
	}
	if (!lx_ordinal(s, j, &d, &e) || d < 1 || d > 31)
		return false;
	k = lx_sp(s, e);
	if (lx_word_sp(s, k, "of", &j) || lx_word_sp(s, k, "day of", &j)) {
		if (lx_word(s, j, "next month", &k)) {
			m++;
			of = true;
		} else if (lx_word(s, j, "this month", &k) ||
		    lx_word(s, j, "the month", &k) ||
		    lx_word(s, j, "the current month", &k)) {
			of = true;
		} else if (lx_word(s, j, "last month", &k)) {
			m--;
			of = true;
		}
		if (of)
			e = k;
	}
	if (!the && !of)
		return false;
	if (!of && !ordinal_day_follow(s, e))
		return false;
	if (!of && d < c->ref.d)
		m++; /* the 3rd, said on the 20th: next month's */
	if (m > 12) {
		m = 1;
		y++;
	} else if (m < 1) {
		m = 12;
		y--;
	}
	if (d > time_days_in_month(y, m)) {
		r->flags |= F_DEAD;
		r->e = e;
		return true;
	}
	c_set(&r->s, C_YEAR, y);
	c_set(&r->s, C_MONTH, m);
	c_set(&r->s, C_DAY, d);
	r->flags |= F_ANCHOR;
	r->e = e;
	return true;
}

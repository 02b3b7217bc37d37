/*
 * nlp_rel — days said relative to now: casual days (today, tomorrow,
 * tonight, last night, the day after tomorrow, this morning, end of day),
 * weekdays (friday, next friday, last sunday, friday of next week, the
 * first monday of march, this weekend, next weekday), durations (in 3
 * days, 2 hours ago, 3 weeks from now, 2 days after tomorrow, +15 minutes,
 * next 2 weeks, for 5 minutes), periods (next week, this month, last
 * year, next quarter) and ordinal days (the 20th, 20th of next month).
 *
 * Weeks start on Monday: "next friday" is the friday of next week, which
 * is also chrono's rule (said on a Tuesday it is 10 days ahead, on a
 * Friday 7, on a Sunday 5).
 */
#include <string.h>

#include "workflows/nlp_int.h"

static int64_t
today(const struct ctx *c)
{
	return nlp_days_from_civil(c->ref.y, c->ref.m, c->ref.d);
}

static void
set_day(struct comps *p, int64_t days, bool known)
{
	int y, m, d;

	nlp_civil_from_days(days, &y, &m, &d);
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

static void
imply_ref_time(const struct ctx *c, struct comps *p)
{
	c_imply(p, C_HOUR, c->ref.h);
	c_imply(p, C_MINUTE, c->ref.mi);
	c_imply(p, C_SECOND, c->ref.s);
}

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

/* Durations. */

enum unit { U_YEAR, U_QUARTER, U_MONTH, U_WEEK, U_DAY, U_HOUR, U_MINUTE,
	U_SECOND };

static const struct {
	const char *name;
	enum unit unit;
	bool abbr; /* only after digits */
} units[] = {
    {"years", U_YEAR, false},
    {"year", U_YEAR, false},
    {"yrs", U_YEAR, true},
    {"yr", U_YEAR, true},
    {"y", U_YEAR, true},
    {"quarters", U_QUARTER, false},
    {"quarter", U_QUARTER, false},
    {"qtrs", U_QUARTER, false},
    {"qtr", U_QUARTER, false},
    {"months", U_MONTH, false},
    {"month", U_MONTH, false},
    {"mos", U_MONTH, true},
    {"mo", U_MONTH, true},
    {"mon", U_MONTH, false},
    {"weeks", U_WEEK, false},
    {"week", U_WEEK, false},
    {"wks", U_WEEK, false},
    {"wk", U_WEEK, false},
    {"w", U_WEEK, true},
    {"days", U_DAY, false},
    {"day", U_DAY, false},
    {"d", U_DAY, true},
    {"hours", U_HOUR, false},
    {"hour", U_HOUR, false},
    {"hrs", U_HOUR, false},
    {"hr", U_HOUR, false},
    {"h", U_HOUR, true},
    {"minutes", U_MINUTE, false},
    {"minute", U_MINUTE, false},
    {"mins", U_MINUTE, false},
    {"min", U_MINUTE, false},
    {"m", U_MINUTE, true},
    {"seconds", U_SECOND, false},
    {"second", U_SECOND, false},
    {"secs", U_SECOND, false},
    {"sec", U_SECOND, false},
    {"s", U_SECOND, true},
};

/* A unit word at s+i; digits may follow it ("2hr5min"). */
static int
unit_at(const char *s, size_t i, bool after_digits, size_t *end)
{
	for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		size_t n = strlen(units[k].name), j;

		if (units[k].abbr && !after_digits)
			continue;
		for (j = 0; j < n; j++)
			if (lx_lower(s[i + j]) != units[k].name[j])
				break;
		if (j < n)
			continue;
		if ((s[i + n] >= 'a' && s[i + n] <= 'z') ||
		    (s[i + n] >= 'A' && s[i + n] <= 'Z') ||
		    (unsigned char)s[i + n] >= 0x80)
			continue;
		*end = i + n;
		return units[k].unit;
	}
	return -1;
}

static void
add_unit(struct span *d, enum unit u, int64_t milli)
{
	static const int64_t secs[] = {0, 0, 0, 7 * 86400, 86400, 3600, 60,
	    1};
	int64_t whole = milli / 1000, frac = milli % 1000;

	switch (u) {
	case U_YEAR:
		d->years += (int)whole;
		d->months += (int)(frac * 12 / 1000);
		break;
	case U_QUARTER:
		d->months += (int)(milli * 3 / 1000);
		d->has_quarter = true;
		break;
	case U_MONTH:
		d->months += (int)whole;
		d->days += (int)(frac * 30 / 1000);
		break;
	case U_WEEK:
		d->days += (int)(whole * 7);
		d->has_week = true;
		if (frac != 0) {
			d->secs += frac * secs[U_WEEK] / 1000;
			d->has_clock = true;
		}
		break;
	case U_DAY:
		d->days += (int)whole;
		if (frac != 0) {
			d->secs += frac * 86400 / 1000;
			d->has_clock = true;
		}
		break;
	case U_HOUR:
	case U_MINUTE:
	case U_SECOND:
		d->secs += milli * secs[u] / 1000;
		d->has_clock = true;
		break;
	}
	d->nunits++;
}

bool
nlp_duration_at(struct ctx *c, size_t i, bool abbrev, struct span *d,
    size_t *end)
{
	const char *s = c->s;
	size_t j = i, e, k, last = i;
	int64_t milli;
	int u;

	memset(d, 0, sizeof(*d));
	for (int n = 0; n < 8; n++) {
		bool digits;

		k = j;
		if (n > 0) {
			/* ", ", " and ", ", and " between units */
			k = lx_sp(s, j);
			if (s[k] == ',')
				k = lx_sp(s, k + 1);
			if (lx_word_sp(s, k, "and", &e))
				k = e;
		}
		if (lx_word_sp(s, k, "about", &e) ||
		    lx_word_sp(s, k, "around", &e) ||
		    lx_word_sp(s, k, "approximately", &e))
			k = e;
		if (s[k] == '~')
			k = lx_sp(s, k + 1);
		digits = lx_digit(s[k]);
		if (n > 0 && !digits)
			break;
		if (!lx_count(s, k, true, &milli, &e))
			break;
		k = lx_sp(s, e);
		u = unit_at(s, k, digits && abbrev, &e);
		if (u < 0)
			break;
		if (lx_word_sp(s, e, "and a half", &k) ||
		    lx_word(s, lx_sp(s, e), "and a half", &k)) {
			milli += 500;
			e = k;
		}
		if (milli > 100000 * 1000LL)
			return false;
		add_unit(d, (enum unit)u, milli);
		last = e;
		j = e;
	}
	if (d->nunits == 0)
		return false;
	*end = last;
	return true;
}

static void
add_months(int *y, int *m, int *d, int months)
{
	int mm = *m - 1 + months, dim;

	*y += mm >= 0 ? mm / 12 : (mm - 11) / 12;
	mm = ((mm % 12) + 12) % 12;
	*m = mm + 1;
	dim = nlp_days_in_month(*y, *m);
	if (*d > dim)
		*d = dim;
}

void
nlp_shift(struct ctx *c, const struct comps *from, const struct span *d,
    int sign, struct comps *out, unsigned *flags)
{
	int y = c->ref.y, m = c->ref.m, day = c->ref.d;
	int h = c->ref.h, mi = c->ref.mi, sec = c->ref.s;
	int64_t days, t;
	struct nlp_lt lt;

	memset(out, 0, sizeof(*out));
	if (from != NULL) {
		y = c_get(from, C_YEAR, y);
		m = c_get(from, C_MONTH, m);
		day = c_get(from, C_DAY, day);
		h = c_get(from, C_HOUR, 12);
		mi = c_get(from, C_MINUTE, 0);
		sec = c_get(from, C_SECOND, 0);
	}
	if (y < -9999 || y > 9999 || m < 1 || m > 12 || day < 1 || day > 31)
		return;
	add_months(&y, &m, &day, sign * (d->years * 12 + d->months));
	if (y < -9999 || y > 9999)
		return;
	days = nlp_days_from_civil(y, m, day) + sign * d->days;
	nlp_civil_from_days(days, &y, &m, &day);
	if (d->has_clock) {
		if (nlp_zone_instant(c->z, y, m, day, h, mi, sec, &t, NULL) <
		    0)
			return;
		if (from == NULL && d->years == 0 && d->months == 0 &&
		    d->days == 0)
			t = c->ref_t; /* exactly now, even in a repeated hour */
		t += sign * d->secs;
		if (nlp_zone_local(c->z, t, &lt) < 0)
			return;
		c_set(out, C_YEAR, lt.y);
		c_set(out, C_MONTH, lt.m);
		c_set(out, C_DAY, lt.d);
		c_set(out, C_HOUR, lt.h);
		c_set(out, C_MINUTE, lt.mi);
		c_set(out, C_SECOND, lt.s);
		*flags |= F_REL_TIME;
		return;
	}
	c_imply(out, C_HOUR, h);
	c_imply(out, C_MINUTE, mi);
	c_imply(out, C_SECOND, sec);
	if (from != NULL && c_known(from, C_HOUR)) {
		c_set(out, C_HOUR, h);
		c_set(out, C_MINUTE, mi);
	}
	if (d->days != 0 || d->has_week) {
		c_set(out, C_YEAR, y);
		c_set(out, C_MONTH, m);
		c_set(out, C_DAY, day);
	} else if (d->has_quarter) {
		c_imply(out, C_YEAR, y);
		c_imply(out, C_MONTH, m);
		c_imply(out, C_DAY, day);
	} else if (d->months != 0) {
		c_set(out, C_YEAR, y);
		c_set(out, C_MONTH, m);
		c_imply(out, C_DAY, day);
	} else {
		c_set(out, C_YEAR, y);
		c_imply(out, C_MONTH, m);
		c_imply(out, C_DAY, day);
	}
}

/* Casual days. */

/* The anchors a duration can be counted from: "2 days after tomorrow". */
static bool
anchor_at(struct ctx *c, size_t i, struct res *a)
{
	return nlp_scan_at(c, i, a, true) && !(a->flags & F_DEAD) &&
	    !(a->flags & F_DURATION);
}

bool
scan_casual_day(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	size_t e, j, k;
	int64_t d = today(c);
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
		set_day(&r->s, d, true);
		c_imply(&r->s, C_HOUR, 22);
		c_imply(&r->s, C_MINUTE, 0);
		c_imply(&r->s, C_MERID, 1);
		r->flags |= F_PART;
		r->e = possessive(s, e);
		return true;
	}
	if (lx_word(s, i, "last night", &e)) {
		set_day(&r->s, c->ref.h > 6 ? d - 1 : d, true);
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
			set_day(&r->s, d, true);
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
		set_day(&r->s, d, true);
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
	set_day(&r->s, d, true);
	imply_ref_time(c, &r->s);
	r->e = day_part(s, possessive(s, e), r);
	return true;
}

/* Weekdays. */

static int
mon_index(int wday)
{
	return (wday + 6) % 7;
}

/* Days from today to weekday wd in the week `weeks` from this one. */
static int
in_week(const struct ctx *c, int wd, int weeks)
{
	return mon_index(wd) - mon_index(c->ref.wday) + 7 * weeks;
}

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
	int64_t first = nlp_days_from_civil(y, m, 1), d;
	int dim = nlp_days_in_month(y, m);

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
	static const char *const nths[] = {"first", "second", "third",
	    "fourth", "fifth", "last", "1st", "2nd", "3rd", "4th", "5th", NULL};
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
	if (wd < 0 || !(lx_word_sp(s, e, "of", &j) || lx_word_sp(s, e, "in", &j)))
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
		if (mm < m || (c->forward && mm == m &&
				  nth_weekday(y, mm, wd, n) < today(c)))
			y++;
		m = mm;
		if (lx_year(s, lx_sp(s, e), false, &y, &k) &&
		    lx_sp(s, e) > e) {
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
	set_day(&r->s, d, true);
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
	int64_t d = today(c);

	if (lx_word_sp(s, i, "next", &j))
		dir = 1;
	else if (lx_word_sp(s, i, "last", &j) ||
	    lx_word_sp(s, i, "previous", &j))
		dir = -1;
	else
		return false;
	if (!lx_word(s, j, "weekday", &e) &&
	    !lx_word(s, j, "business day", &e) &&
	    !lx_word(s, j, "working day", &e) &&
	    !lx_word(s, j, "workday", &e))
		return false;
	do {
		d += dir;
		wd = nlp_weekday_of(d);
	} while (wd == 0 || wd == 6);
	set_day(&r->s, d, true);
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
	sat = today(c) + in_week(c, 6, weeks);
	set_day(&r->s, sat, true);
	c_set(&r->s, C_WDAY, 6);
	set_day(&r->en, sat + 1, true);
	c_set(&r->en, C_WDAY, 0);
	r->has_end = true;
	r->flags |= F_ANCHOR;
	r->e = e;
	return true;
}

bool
scan_weekday(struct ctx *c, size_t i, struct res *r)
{
	static const char *const mods[] = {"on", "this", "next", "last",
	    "past", "coming", "upcoming", "previous", "following", NULL};
	const char *s = c->s;
	size_t j = i, e, k;
	int mod = -1, wd, days, weeks, n = 0;
	bool weak;
	int64_t milli;

	if (nth_weekday_of(c, i, r) || working_day(c, i, r) ||
	    weekend(c, i, r))
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
			set_day(&r->s, today(c) + days + 7 * (n - 1), true);
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
	if (wd < 0 || (weak && mod < 0))
		return false;
	e = possessive(s, e);
	switch (mod) {
	case 1: /* this: the coming one, today included */
		days = (wd - c->ref.wday + 7) % 7;
		r->flags |= F_ANCHOR;
		break;
	case 2: /* next */
	case 8: /* following */
		days = in_week(c, wd, 1);
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
		days = in_week(c, wd, weeks);
		r->flags |= F_ANCHOR;
		e = k;
	} else if (lx_word_sp(s, lx_sp(s, e), "after", &k) &&
	    lx_word(s, k, "next", &k)) {
		days = in_week(c, wd, 2);
		r->flags |= F_ANCHOR;
		e = k;
	}
	set_day(&r->s, today(c) + days, false);
	c_set(&r->s, C_WDAY, wd);
	r->e = day_part(s, e, r);
	return true;
}

/* Relative durations. */

bool
scan_relative(struct ctx *c, size_t i, struct res *r)
{
	static const char *const before[] = {"in", "within", "for", "next",
	    "last", "past", "after", NULL};
	static const char *const later[] = {"from now", "later", "hence",
	    "out", "from today", "afterwards", "after", "from", NULL};
	static const char *const ago[] = {
	    "ago", "earlier", "before", "back", "prior", NULL};
	const char *s = c->s;
	struct span d;
	struct res a;
	size_t j = i, e, k;
	int pre = -1, post, sign = 1;

	if (s[i] == '+' || s[i] == '-') {
		sign = s[i] == '-' ? -1 : 1;
		j = i + 1;
		pre = 100;
	} else {
		pre = lx_words(s, i, before, &e);
		if (pre >= 0) {
			j = lx_sp(s, e);
			if (j == e)
				return false;
			if (pre == 4 || pre == 5)
				sign = -1;
		}
	}
	if (!nlp_duration_at(c, j, true, &d, &e))
		return false;
	if (pre < 0) {
		size_t jj = lx_sp(s, e);

		post = lx_words(s, jj, later, &k);
		if (post < 0) {
			post = lx_words(s, jj, ago, &k);
			if (post < 0)
				return false;
			sign = -1;
			if (post == 2 && lx_sp(s, k) > k &&
			    anchor_at(c, lx_sp(s, k), &a)) {
				/* 2 days before tomorrow, 2 months before
				 * 02/02 */
				nlp_shift(c, &a.s, &d, -1, &r->s, &r->flags);
				r->flags |= F_ANCHOR;
				r->e = a.e;
				return true;
			}
		} else if ((post == 6 || post == 7) && lx_sp(s, k) > k &&
		    anchor_at(c, lx_sp(s, k), &a)) {
			nlp_shift(c, &a.s, &d, 1, &r->s, &r->flags);
			r->flags |= F_ANCHOR;
			r->e = a.e;
			return true;
		} else if (post == 7) {
			return false; /* "2 days from" what? */
		}
		e = k;
	} else if (pre == 2) {
		r->flags |= F_DURATION;
		r->dur_secs = (int)(d.secs > 0x3fffffff ? 0x3fffffff : d.secs);
		r->dur_days = d.days;
		r->dur_months = d.years * 12 + d.months;
	}
	nlp_shift(c, NULL, &d, sign, &r->s, &r->flags);
	if (r->flags & F_REL_TIME)
		r->abs_t = c->ref_t + sign * d.secs;
	r->flags |= F_ANCHOR;
	r->e = e;
	return true;
}

/* next week, this month, last year, next quarter, the week after next,
 * after this year. */
bool
scan_period(struct ctx *c, size_t i, struct res *r)
{
	static const char *const mods[] = {"this", "next", "last", "past",
	    "coming", "previous", "after this", "the following", NULL};
	static const char *const names[] = {"day", "week", "month", "year",
	    "quarter", "qtr", NULL};
	const char *s = c->s;
	struct span d;
	size_t j, e, k;
	int mod, u, y = c->ref.y, m = c->ref.m;
	int64_t t = today(c);

	memset(&d, 0, sizeof(d));
	if (lx_word(s, i, "end of the month", &e) ||
	    lx_word(s, i, "end of month", &e) ||
	    lx_word(s, i, "end of this month", &e)) {
		set_day(&r->s, nlp_days_from_civil(y, m,
				   nlp_days_in_month(y, m)),
		    true);
		r->flags |= F_ANCHOR;
		r->e = e;
		return true;
	}
	if (lx_word(s, i, "end of the week", &e) ||
	    lx_word(s, i, "end of week", &e) ||
	    lx_word(s, i, "end of this week", &e)) {
		int fri = in_week(c, 5, 0);

		set_day(&r->s, t + (fri < 0 ? 0 : fri), true);
		r->flags |= F_ANCHOR;
		r->e = e;
		return true;
	}
	if (lx_word(s, i, "end of the year", &e) ||
	    lx_word(s, i, "end of year", &e) ||
	    lx_word(s, i, "end of this year", &e)) {
		set_day(&r->s, nlp_days_from_civil(y, 12, 31), true);
		r->flags |= F_ANCHOR;
		r->e = e;
		return true;
	}
	if (lx_word_sp(s, i, "the", &j) &&
	    (u = lx_words(s, j, names, &e)) >= 0 && u <= 3 &&
	    lx_word(s, lx_sp(s, e), "after next", &k)) {
		if (u == 0)
			d.days = 2;
		else if (u == 1)
			d.days = 14;
		else if (u == 2)
			d.months = 2;
		else
			d.years = 2;
		nlp_shift(c, NULL, &d, 1, &r->s, &r->flags);
		r->flags |= F_ANCHOR;
		r->e = k;
		return true;
	}
	mod = lx_words(s, i, mods, &e);
	if (mod < 0 || (j = lx_sp(s, e)) == e)
		return false;
	u = lx_words(s, j, names, &e);
	if (u < 0)
		return false;
	if (mod == 6) {
		if (u != 3)
			return false;
		mod = 1;
	}
	r->flags |= F_ANCHOR;
	r->e = e;
	if (mod == 0) {
		/* this week starts on Monday, this month on the 1st, this
		 * year on 1 January */
		switch (u) {
		case 0:
			set_day(&r->s, t, true);
			break;
		case 1:
			set_day(&r->s, t - mon_index(c->ref.wday), false);
			break;
		case 2:
			c_set(&r->s, C_YEAR, y);
			c_set(&r->s, C_MONTH, m);
			c_imply(&r->s, C_DAY, 1);
			break;
		case 3:
			c_set(&r->s, C_YEAR, y);
			c_imply(&r->s, C_MONTH, 1);
			c_imply(&r->s, C_DAY, 1);
			break;
		default:
			c_imply(&r->s, C_YEAR, y);
			c_imply(&r->s, C_MONTH, (m - 1) / 3 * 3 + 1);
			c_imply(&r->s, C_DAY, 1);
			break;
		}
		imply_ref_time(c, &r->s);
		return true;
	}
	switch (u) {
	case 0:
		d.days = 1;
		break;
	case 1:
		d.days = 7;
		d.has_week = true;
		break;
	case 2:
		d.months = 1;
		break;
	case 3:
		d.years = 1;
		break;
	default:
		d.months = 3;
		d.has_quarter = true;
		break;
	}
	nlp_shift(c, NULL, &d, mod == 1 || mod == 4 || mod == 7 ? 1 : -1,
	    &r->s, &r->flags);
	return true;
}

/* Words that may follow "the 20th" when it is a day of the month. */
static bool
ordinal_day_follow(const char *s, size_t i)
{
	static const char *const ok[] = {"at", "of", "by", "from", "to",
	    "until", "till", "and", "or", "for", "in", "on", "this", "next",
	    "morning", "afternoon", "evening", "night", "please", "then",
	    NULL};
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
	if (d > nlp_days_in_month(y, m)) {
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

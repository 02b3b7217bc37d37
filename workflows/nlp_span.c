/*
 * nlp_span — durations and what they move: "in 3 days", "2 hours ago",
 * "3 weeks from now", "2 days after tomorrow", "+15 minutes", "next 2
 * weeks", "for 5 minutes", "1d 2hr 5min", "an hour and a half"; and
 * periods: "next week", "this month", "last year", "next quarter", "the
 * week after next", "end of the month".
 */
#include <string.h>

#include "workflows/nlp_int.h"

/* Durations. */

enum unit {
	U_YEAR,
	U_QUARTER,
	U_MONTH,
	U_WEEK,
	U_DAY,
	U_HOUR,
	U_MINUTE,
	U_SECOND
};

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
	static const int64_t secs[] = {0, 0, 0, 7 * 86400, 86400, 3600, 60, 1};
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
nlp_duration_at(
    struct ctx *c, size_t i, bool abbrev, struct span *d, size_t *end)
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
	dim = time_days_in_month(*y, *m);
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
	days = time_days_from_civil(y, m, day) + sign * d->days;
	time_civil_from_days(days, &y, &m, &day);
	if (d->has_clock) {
		if (nlp_zone_instant(c->z, y, m, day, h, mi, sec, &t, NULL) < 0)
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

/* The anchors a duration can be counted from: "2 days after tomorrow". */
static bool
anchor_at(struct ctx *c, size_t i, struct res *a)
{
	return nlp_scan_at(c, i, a, true) && !(a->flags & F_DEAD) &&
	    !(a->flags & F_DURATION);
}

/* Relative durations. */

bool
scan_relative(struct ctx *c, size_t i, struct res *r)
{
	static const char *const before[] = {
	    "in", "within", "for", "next", "last", "past", "after", NULL};
	static const char *const later[] = {"from now", "later", "hence", "out",
	    "from today", "afterwards", "after", "from", NULL};
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
	if (pre >= 0 && lx_word(s, j, "the", &k))
		return false; /* "in the second half" */
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
				r->flags |= F_ANCHOR | F_SHIFTED;
				r->e = a.e;
				return true;
			}
		} else if ((post == 6 || post == 7) && lx_sp(s, k) > k &&
		    anchor_at(c, lx_sp(s, k), &a)) {
			nlp_shift(c, &a.s, &d, 1, &r->s, &r->flags);
			r->flags |= F_ANCHOR | F_SHIFTED;
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
	r->flags |= F_ANCHOR | F_SHIFTED;
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
	static const char *const names[] = {
	    "day", "week", "month", "year", "quarter", "qtr", NULL};
	const char *s = c->s;
	struct span d;
	size_t j, e, k;
	int mod, u, y = c->ref.y, m = c->ref.m;
	int64_t t = nlp_today(c);

	memset(&d, 0, sizeof(d));
	if (lx_word(s, i, "end of the month", &e) ||
	    lx_word(s, i, "end of month", &e) ||
	    lx_word(s, i, "end of this month", &e)) {
		nlp_set_day(&r->s,
		    time_days_from_civil(y, m, time_days_in_month(y, m)), true);
		r->flags |= F_ANCHOR;
		r->e = e;
		return true;
	}
	if (lx_word(s, i, "end of the week", &e) ||
	    lx_word(s, i, "end of week", &e) ||
	    lx_word(s, i, "end of this week", &e)) {
		int fri = nlp_in_week(c, 5, 0);

		nlp_set_day(&r->s, t + (fri < 0 ? 0 : fri), true);
		r->flags |= F_ANCHOR;
		r->e = e;
		return true;
	}
	if (lx_word(s, i, "end of the year", &e) ||
	    lx_word(s, i, "end of year", &e) ||
	    lx_word(s, i, "end of this year", &e)) {
		nlp_set_day(&r->s, time_days_from_civil(y, 12, 31), true);
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
		r->flags |= F_ANCHOR | F_SHIFTED;
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
			nlp_set_day(&r->s, t, true);
			break;
		case 1:
			nlp_set_day(
			    &r->s, t - nlp_mon_index(c->ref.wday), false);
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
		nlp_imply_ref_time(c, &r->s);
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
	nlp_shift(c, NULL, &d, mod == 1 || mod == 4 || mod == 7 ? 1 : -1, &r->s,
	    &r->flags);
	r->flags |= F_SHIFTED;
	return true;
}

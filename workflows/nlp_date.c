/*
 * nlp_date — calendar dates written out: 2027-01-12 (ISO, with a time and
 * zone), 2012/8/10, 2012/Aug/10, 6/10/2018, 25/05/2015, 05-25-2015,
 * 12.01.2027, 5/31, 04/2016; 10 August 2012, 23rd february, 2016,
 * 10-August-2012, SUN 15SEP, Twenty-fourth of May, 10 - 22 August 2012;
 * August 10, Nov 12, 2011, Sun, Mar. 6, 2016, August 10 to 22, 2012,
 * May eighth, 2010, Aug 9 96; September 2012, in Jan, 2024 August.
 *
 * Numbers are month first unless ref->day_first; a first number above 12
 * swaps them (25/05/2015).  A date of a day that does not exist (2/29/2014,
 * 06/31/2022, February 20 - 29, 2022) is no date at all, and neither is a
 * fraction before a measure ("3/4 cup") nor a version (1.1.30).  A date
 * without a year gets the year that puts it nearest the reference.
 */
#include <string.h>

#include "workflows/nlp_int.h"

static bool
valid(int y, int m, int d)
{
	return m >= 1 && m <= 12 && d >= 1 && y >= -9999 && y <= 9999 &&
	    d <= time_days_in_month(y, m);
}

/* The year that puts month m, day d nearest the reference. */
static int
nearest_year(const struct ctx *c, int m, int d)
{
	int64_t ref = time_days_from_civil(c->ref.y, c->ref.m, c->ref.d);
	int64_t best = -1;
	int year = c->ref.y;

	for (int y = c->ref.y - 1; y <= c->ref.y + 1; y++) {
		int64_t dist;

		if (!valid(y, m, d))
			continue;
		dist = time_days_from_civil(y, m, d) - ref;
		if (dist < 0)
			dist = -dist;
		if (best < 0 || dist < best) {
			best = dist;
			year = y;
		}
	}
	return year;
}

/* Set a date on p: year known when y_known, else the nearest year.
 * False (and r dead) when the day does not exist. */
static bool
put_date(
    const struct ctx *c, struct comps *p, int y, bool y_known, int m, int d)
{
	if (!y_known)
		y = nearest_year(c, m, d);
	if (!valid(y, m, d))
		return false;
	if (y_known)
		c_set(p, C_YEAR, y);
	else
		c_imply(p, C_YEAR, y);
	c_set(p, C_MONTH, m);
	c_set(p, C_DAY, d);
	return true;
}

static bool
dead(struct res *r, size_t e)
{
	r->flags |= F_DEAD;
	r->e = e;
	return true;
}

/* ISO 8601: 2027-01-12, 2015-07-31T12:00:00, 2020-01-01T06:00Z,
 * 2020-01-01T06:00:00.000+02:00. */
bool
scan_iso(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	int y, m, d, h, mi, sec = 0, off;
	size_t k, e;

	if (lx_ndigits(s, i) != 4 || s[i + 4] != '-' ||
	    lx_ndigits(s, i + 5) != 2 || s[i + 7] != '-' ||
	    lx_ndigits(s, i + 8) != 2)
		return false;
	lx_uint(s, i, 4, &y, &e);
	lx_uint(s, i + 5, 2, &m, &e);
	lx_uint(s, i + 8, 2, &d, &e);
	k = i + 10;
	if (lx_alnum((unsigned char)s[k]) && s[k] != 'T')
		return false;
	if (m > 12 && d <= 12) {
		int t = m;

		m = d;
		d = t;
	}
	if (!valid(y, m, d))
		return dead(r, k);
	c_set(&r->s, C_YEAR, y);
	c_set(&r->s, C_MONTH, m);
	c_set(&r->s, C_DAY, d);
	r->e = k;
	if (s[k] != 'T' || lx_ndigits(s, k + 1) != 2 || s[k + 3] != ':' ||
	    lx_ndigits(s, k + 4) != 2)
		return true;
	lx_uint(s, k + 1, 2, &h, &e);
	lx_uint(s, k + 4, 2, &mi, &e);
	e = k + 6;
	if (s[e] == ':' && lx_ndigits(s, e + 1) == 2) {
		lx_uint(s, e + 1, 2, &sec, &e);
		if (s[e] == '.' && lx_digit(s[e + 1]))
			e += 1 + lx_ndigits(s, e + 1);
	}
	if (h > 23 || mi > 59 || sec > 59)
		return true;
	c_set(&r->s, C_HOUR, h);
	c_set(&r->s, C_MINUTE, mi);
	c_set(&r->s, C_SECOND, sec);
	if (s[e] == 'Z') {
		c_set(&r->s, C_OFFSET, 0);
		e++;
	} else if ((s[e] == '+' || s[e] == '-') &&
	    (lx_ndigits(s, e + 1) == 2 || lx_ndigits(s, e + 1) == 4)) {
		char buf[8];
		/* "+05:30", "+0530", "+05" — and never past the text's end
		 * ("+05:" at the very end is "+05") */
		size_t n = lx_ndigits(s, e + 1) == 4 ? 5
		    : s[e + 3] == ':' && lx_ndigits(s, e + 4) == 2 ? 6
		                                                    : 3;

		memcpy(buf, s + e, n);
		buf[n] = '\0';
		if (nlp_offset_parse(buf, &off) == 0) {
			c_set(&r->s, C_OFFSET, off / 60);
			e += n;
		}
	}
	r->e = e;
	return true;
}

/* Words of measure after a fraction: "3/4 cup" is no date. */
static bool
measure_after(const char *s, size_t i)
{
	static const char *const words[] = {"cup", "cups", "tsp", "tbsp",
	    "teaspoon", "teaspoons", "tablespoon", "tablespoons", "oz", "ounce",
	    "ounces", "lb", "lbs", "pound", "pounds", "inch", "inches", "in",
	    "mile", "miles", "km", "kg", "g", "gram", "grams", "ml", "l",
	    "liter", "liters", "litre", "litres", "of", "pint", "pints",
	    "quart", "gallon", "stick", "sticks", "slice", "slices", "piece",
	    "pieces", "mm", "cm", "m", "ft", "feet", "foot", "yard", "yards",
	    "dozen", "way", "done", "full", "empty", "left", "off", "more",
	    "less", "the", "a", "an", "and", "or", "x", NULL};
	size_t j = lx_sp(s, i), e;

	return s[j] == '%' || lx_words(s, j, words, &e) >= 0;
}

static bool
is_sep(char ch)
{
	return ch == '/' || ch == '-' || ch == '.';
}

/* Numbers joined by one separator: 2012/8/10, 6/10/2018, 5/31, 04/2016. */
bool
scan_numeric_date(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	int a, b, y = 0, n1, n2, n3 = 0, m, d, t;
	size_t e, k;
	char sep;
	bool has_year;

	n1 = lx_ndigits(s, i);
	if (n1 == 0 || n1 > 4 || !is_sep(s[i + n1]))
		return false;
	sep = s[i + n1];
	/* "1.5.3" after "v": a version, as is anything with 3 dots */
	lx_uint(s, i, 4, &a, &e);
	k = e + 1;
	if (n1 == 4) {
		/* year first: 2012/8/10, 2012/Aug/10 */
		bool abbr;

		y = a;
		m = lx_month(s, k, &e, &abbr);
		if (m > 0) {
			if (s[e] != sep || lx_ndigits(s, e + 1) < 1 ||
			    lx_ndigits(s, e + 1) > 2)
				return false;
			lx_uint(s, e + 1, 2, &d, &e);
		} else {
			n2 = lx_ndigits(s, k);
			if (n2 < 1 || n2 > 2 || s[k + n2] != sep ||
			    lx_ndigits(s, k + n2 + 1) < 1 ||
			    lx_ndigits(s, k + n2 + 1) > 2)
				return false;
			lx_uint(s, k, 2, &m, &e);
			lx_uint(s, e + 1, 2, &d, &e);
			if (sep == '-' && n2 == 2 && lx_ndigits(s, k + 3) == 2)
				return false; /* ISO's: scan_iso */
			if (m > 12 && d <= 12) {
				t = m;
				m = d;
				d = t;
			}
		}
		if (lx_alnum((unsigned char)s[e]) ||
		    (is_sep(s[e]) && lx_digit(s[e + 1])))
			return false;
		if (!valid(y, m, d))
			return dead(r, e);
		put_date(c, &r->s, y, true, m, d);
		r->e = e;
		return true;
	}
	if (n1 > 2)
		return false;
	n2 = lx_ndigits(s, k);
	if (n2 == 4 && sep == '/' && a >= 1 && a <= 12 &&
	    !lx_alnum((unsigned char)s[k + 4]) &&
	    !(is_sep(s[k + 4]) && lx_digit(s[k + 5]))) {
		/* 04/2016 */
		lx_uint(s, k, 4, &y, &e);
		c_set(&r->s, C_YEAR, y);
		c_set(&r->s, C_MONTH, a);
		c_imply(&r->s, C_DAY, 1);
		r->e = e;
		return true;
	}
	if (n2 < 1 || n2 > 2)
		return false;
	lx_uint(s, k, 2, &b, &e);
	has_year = s[e] == sep && (n3 = lx_ndigits(s, e + 1)) > 0;
	if (has_year) {
		if (n3 != 2 && n3 != 4)
			return false;
		lx_uint(s, e + 1, 4, &y, &e);
		if (n3 == 2) {
			/* 1.1.30 is a version, 02.07.13 a date */
			if (sep != '/' && (n1 != 2 || n2 != 2))
				return false;
			y += y >= 50 ? 1900 : 2000;
		}
		/* a time may follow: 05/31/2024.14:15, 05/31/2024:14:15 */
		if (lx_alnum((unsigned char)s[e]) ||
		    (is_sep(s[e]) && lx_digit(s[e + 1]) &&
		        !(s[e] == '.' && n3 == 4 && lx_ndigits(s, e + 1) == 2 &&
		            s[e + 3] == ':')) ||
		    (s[e] == ':' &&
		        !(lx_ndigits(s, e + 1) == 2 && s[e + 3] == ':')))
			return false;
		if (n3 == 4 && s[e] == '.' &&
		    !(lx_ndigits(s, e + 1) == 2 && s[e + 3] == ':') &&
		    lx_digit(s[e + 1]))
			return false;
	} else {
		/* without a year only 5/31, never 1-2 or 10.12 */
		if (sep != '/' || lx_alnum((unsigned char)s[e]) ||
		    (is_sep(s[e]) && lx_digit(s[e + 1])))
			return false;
		if (i >= 2 && lx_digit(s[i - 2]) && lx_blank(s[i - 1]))
			return false; /* 1 1/2 */
		if (measure_after(s, e)) {
			static const char *const weak[] = {
			    "the", "and", "or", "a", "an", "in", "of", NULL};
			bool fraction = a < b &&
			    (b == 2 || b == 3 || b == 4 || b == 8 || b == 16);

			if (fraction || lx_words(s, lx_sp(s, e), weak, &k) < 0)
				return false;
		}
	}
	if (i >= 2 && is_sep(s[i - 1]) && s[i - 1] != '/' && lx_digit(s[i - 2]))
		return false;
	if (i >= 1 && (lx_lower(s[i - 1]) == 'v'))
		return false;
	m = c->day_first ? b : a;
	d = c->day_first ? a : b;
	if (m > 12 && d <= 12) {
		t = m;
		m = d;
		d = t;
	}
	if (!valid(has_year ? y : 2000, m, d) || (has_year && !valid(y, m, d)))
		return dead(r, e);
	if (!put_date(c, &r->s, y, has_year, m, d))
		return dead(r, e);
	r->e = e;
	return true;
}

/* Words before a month name that make "may", "march" or "jan" one. */
static bool
month_context(const char *s, size_t i)
{
	static const char *const words[] = {"in", "of", "from", "to", "until",
	    "till", "by", "since", "during", "early", "mid", "late", "end",
	    "beginning", "start", "next", "last", "this", "every", "each",
	    "before", "after", "through", "and", "or", NULL};
	size_t k = i, ws, e;

	while (k > 0 && (lx_blank(s[k - 1]) || s[k - 1] == '-'))
		k--;
	ws = k;
	while (ws > 0 && lx_alnum((unsigned char)s[ws - 1]))
		ws--;
	if (ws == k)
		return false;
	return lx_words(s, ws, words, &e) >= 0 && e == k;
}

/* Does text hold nothing but [i, e) (and blanks)? */
static bool
whole_text(const struct ctx *c, size_t i, size_t e)
{
	for (size_t k = 0; k < i; k++)
		if (!lx_blank(c->s[k]))
			return false;
	for (size_t k = e; k < c->n; k++)
		if (!lx_blank(c->s[k]) && c->s[k] != '\n' && c->s[k] != '\r')
			return false;
	return true;
}

/* Subject words: "I may", "it may" are verbs. */
static bool
subject_before(const char *s, size_t i)
{
	static const char *const words[] = {"i", "you", "we", "they", "he",
	    "she", "it", "this", "that", "which", "who", "there", "theresa",
	    NULL};
	size_t k = i, ws, e;

	while (k > 0 && lx_blank(s[k - 1]))
		k--;
	ws = k;
	while (ws > 0 && lx_alnum((unsigned char)s[ws - 1]))
		ws--;
	return ws < k && lx_words(s, ws, words, &e) >= 0 && e == k;
}

/* Separator between a month name and a day or year: blanks, "-", "/",
 * ", ", "." */
static size_t
msep(const char *s, size_t i, char *which)
{
	size_t j = lx_sp(s, i);

	*which = ' ';
	if (s[j] == '-' || s[j] == '/') {
		*which = s[j];
		return lx_sp(s, j + 1);
	}
	if (s[j] == ',') {
		*which = ',';
		return lx_sp(s, j + 1);
	}
	return j;
}

/* A day of the month: 10, 10th, tenth, twenty-fourth. */
static bool
day_at(const char *s, size_t i, int *d, size_t *end)
{
	if (lx_ordinal(s, i, d, end))
		return *d <= 31;
	if (!lx_uint(s, i, 2, d, end) || *d < 1 || *d > 31)
		return false;
	if (lx_alnum((unsigned char)s[*end]))
		return false;
	/* a time, not a day: "May 5:30", "Aug 9 10pm" handled by the year */
	if ((s[*end] == ':' || s[*end] == '.') && lx_digit(s[*end + 1]))
		return false;
	return true;
}

/* A range word between two days: "-", "–", "to", "until", "through". */
static bool
day_range_word(const char *s, size_t i, size_t *next)
{
	static const char *const words[] = {
	    "to", "until", "till", "through", "thru", NULL};
	size_t j = lx_sp(s, i), e;

	if (s[j] == '-') {
		e = j + 1;
	} else if ((unsigned char)s[j] == 0xe2 &&
	    (unsigned char)s[j + 1] == 0x80 &&
	    (unsigned char)s[j + 2] == 0x93) {
		e = j + 3;
	} else if (lx_words(s, j, words, &e) < 0) {
		return false;
	}
	*next = lx_sp(s, e);
	return true;
}

/*
 * A year after a date: "-2012", "/16" (glued: any two digits), ", 2012",
 * ", 96", " 2012", " 345 BC" (after a blank or comma two digits only for
 * 20–25 and 50–99, as chrono).  A spaced " - " starts a range, not a year.
 */
static bool
year_after(const char *s, size_t i, int *y, size_t *end)
{
	size_t j;

	if ((s[i] == '-' || s[i] == '/') && lx_digit(s[i + 1]))
		return lx_year(s, i + 1, true, y, end);
	j = lx_sp(s, i);
	if (s[j] == ',' || s[j] == '.') {
		if (s[j] == '.' && j > i)
			return false;
		j = lx_sp(s, j + 1);
	} else if (j == i) {
		return false;
	}
	return lx_year(s, j, false, y, end);
}

/* Optional weekday before a date: "Tuesday, ", "Sun ". */
static size_t
weekday_prefix(const char *s, size_t i, int *wd)
{
	size_t e, j;
	bool weak;

	*wd = lx_weekday(s, i, &e, &weak);
	if (*wd < 0)
		return i;
	j = lx_sp(s, e);
	if (s[j] == ',')
		j = lx_sp(s, j + 1);
	if (j == e) {
		*wd = -1;
		return i;
	}
	return j;
}

/*
 * The common end of the day-month forms: check the day(s) exist, store the
 * start (and, when d2 > 0, the end of a "10 - 22" range in the same month),
 * the weekday if one was written, and the match's end k.  A date that
 * cannot exist ("31 June") ends the match as nothing.
 */
static bool
put_day_month(struct ctx *c, struct res *r, size_t k, int y, bool has_year,
    int m, int d1, int d2, int wd)
{
	if (!valid(has_year ? y : 2000, m, d1) ||
	    (d2 > 0 && !valid(has_year ? y : 2000, m, d2)))
		return dead(r, k);
	if (!put_date(c, &r->s, y, has_year, m, d1))
		return dead(r, k);
	if (wd >= 0)
		c_set(&r->s, C_WDAY, wd);
	if (d2 > 0) {
		if (!put_date(c, &r->en, r->s.v[C_YEAR], has_year, m, d2))
			return dead(r, k);
		if (!has_year)
			c_imply(&r->en, C_YEAR, r->s.v[C_YEAR]);
		r->has_end = true;
	}
	r->e = k;
	return true;
}

/* 10 August [2012], 10 - 22 August 2012, 15SEP, the 24th of May. */
static bool
little_endian(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	int wd, d1, d2 = 0, m, y = 0;
	size_t j, e, k;
	bool abbr, range = false, has_year = false;
	char sep;

	j = weekday_prefix(s, i, &wd);
	if (lx_word_sp(s, j, "the", &k))
		j = k;
	if (!day_at(s, j, &d1, &e) &&
	    !(lx_uint(s, j, 2, &d1, &e) && lx_month(s, e, &k, &abbr) > 0))
		return false; /* 15SEP */
	k = e;
	if (day_range_word(s, k, &j) && day_at(s, j, &d2, &e)) {
		range = true;
		k = e;
	}
	j = lx_sp(s, k);
	if (lx_word_sp(s, j, "of", &e))
		j = e;
	else if (s[k] == '-' || s[k] == '/')
		j = k + 1;
	m = lx_month(s, j, &e, &abbr);
	if (m < 0)
		return false;
	if (j == k && !lx_digit(s[k - 1]))
		return false;
	k = e;
	if (s[k] == '-' || s[k] == '/') {
		sep = s[k];
		if (lx_year(s, k + 1, true, &y, &e)) {
			has_year = true;
			k = e;
		}
		(void)sep;
	} else if (year_after(s, k, &y, &e)) {
		has_year = true;
		k = e;
	}
	return put_day_month(c, r, k, y, has_year, m, d1, range ? d2 : 0, wd);
}

/* August 10 [, 2012], Aug 10 - 22, May eighth, 2010, Dec. 21. */
static bool
middle_endian(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	int wd, d1, d2 = 0, m, y = 0;
	size_t j, e, k;
	bool abbr, range = false, has_year = false;
	char sep;

	j = weekday_prefix(s, i, &wd);
	m = lx_month(s, j, &e, &abbr);
	if (m < 0)
		return false;
	if (m == 5 && wd < 0 && subject_before(s, j))
		return false;
	k = msep(s, e, &sep);
	if (sep == ',' || k == e || !day_at(s, k, &d1, &e))
		return false;
	/* "Aug 20 19" is not a range of days, "March 3 1030" no year */
	k = e;
	if (day_range_word(s, k, &j) && day_at(s, j, &d2, &e) &&
	    !lx_digit(s[e])) {
		range = true;
		k = e;
	}
	if (year_after(s, k, &y, &e)) {
		has_year = true;
		k = e;
	}
	return put_day_month(c, r, k, y, has_year, m, d1, range ? d2 : 0, wd);
}

/* September 2012, Sept. 2012, August, 2012, in August, May (alone). */
static bool
month_year(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	int m, y;
	size_t e, k;
	bool abbr, has_year = false;

	m = lx_month(s, i, &e, &abbr);
	if (m < 0)
		return false;
	k = e;
	if (year_after(s, e, &y, &k) && (y >= 1000 || y < 0)) {
		has_year = true;
	} else {
		bool ctx_ok = month_context(s, i);

		/* "mar" and "jan" only after "in", "may" also as the whole
		 * text, "march" in lower case only after "in" */
		k = e;
		if ((abbr || (m == 3 && s[i] == 'm')) && !ctx_ok)
			return false;
		if (m == 5 && !ctx_ok && !whole_text(c, i, e))
			return false;
	}
	if (has_year)
		c_set(&r->s, C_YEAR, y);
	else
		c_imply(&r->s, C_YEAR, nearest_year(c, m, 1));
	c_set(&r->s, C_MONTH, m);
	c_imply(&r->s, C_DAY, 1);
	r->e = k;
	return true;
}

/* 2024 August, 2024-August, 2024/August, 2023 Sept. */
static bool
year_month(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	int y, m;
	size_t e, j;
	bool abbr;

	if (lx_ndigits(s, i) != 4)
		return false;
	lx_uint(s, i, 4, &y, &e);
	if (s[e] == '-' || s[e] == '/')
		j = e + 1;
	else
		j = lx_sp(s, e);
	if (j == e)
		return false;
	m = lx_month(s, j, &e, &abbr);
	if (m < 0 || (s[e] == '-' || s[e] == '/'))
		return false;
	if (lx_digit(s[lx_sp(s, e)]))
		return false;
	c_set(&r->s, C_YEAR, y);
	c_set(&r->s, C_MONTH, m);
	c_imply(&r->s, C_DAY, 1);
	r->e = e;
	return true;
}

bool
scan_month_name(struct ctx *c, size_t i, struct res *r)
{
	struct res a, b;
	bool fa, fb;

	res_init(&a, c, i);
	res_init(&b, c, i);
	fa = little_endian(c, i, &a);
	fb = middle_endian(c, i, &b);
	if (fa && (!fb || a.e >= b.e)) {
		*r = a;
		return true;
	}
	if (fb) {
		*r = b;
		return true;
	}
	if (month_year(c, i, r))
		return true;
	res_init(r, c, i);
	return year_month(c, i, r);
}

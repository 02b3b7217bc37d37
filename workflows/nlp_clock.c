/*
 * nlp_clock — times of day: 5pm, 5 pm, 5:30, 17:00, 5.30pm, 0530,
 * 10:00:00, 5 o'clock, at 5, quarter past 3, half past 7, 10 to 4, noon,
 * midnight, 6 in the morning, 10 at night; and ranges of them: 2-3pm,
 * 3:30-4:30pm, 8pm - 11, 10 - 11 at night, 10am to 12pm, 9 until 17:30.
 *
 * A bare number is a time only after "at" or "@", with "o'clock", with a
 * part of the day after it, right before a day ("9 tomorrow evening") or
 * as the end of a range.  A dotted time without am/pm or "at" needs a
 * 24-hour look (17.00, 09.45) or a quarter (10.30): "2.50" and "10.12" are
 * not times, and a number glued to more digits ("10.12.2026", "1/2") never
 * is.  An hour 1–11 without am/pm, without a leading zero and without a
 * part of the day is ambiguous (F_AMBIG): am for chrono, the one that
 * makes sense for the assistant (nlp_parse.c).
 */
#include <string.h>

#include "workflows/nlp_int.h"

enum mer { MER_NONE, MER_AM, MER_PM };

/* am, pm, a.m., p.m. at s+i (blanks allowed before). */
static enum mer
meridiem_at(const char *s, size_t i, size_t *end)
{
	static const char *const forms[] = {
	    "a.m.", "a.m", "am", "p.m.", "p.m", "pm", NULL};
	size_t j = lx_sp(s, i);
	int k = lx_words(s, j, forms, end);

	if (k < 0) {
		/* "5.30 a.m." ends in a dot, not a letter */
		return MER_NONE;
	}
	return k < 3 ? MER_AM : MER_PM;
}

/* "o'clock" after an hour. */
static bool
oclock_at(const char *s, size_t i, size_t *end)
{
	static const char *const forms[] = {
	    "o'clock", "o clock", "oclock", NULL};

	return lx_words(s, lx_sp(s, i), forms, end) >= 0;
}

enum part { PART_NONE, PART_MORNING, PART_AFTERNOON, PART_EVENING, PART_NIGHT };

/* "in the morning", "at night", "in the evening" after a time. */
static enum part
part_after(const char *s, size_t i, size_t *end)
{
	size_t j = lx_sp(s, i);

	if (j == i)
		return PART_NONE;
	if (lx_word(s, j, "in the morning", end))
		return PART_MORNING;
	if (lx_word(s, j, "in the afternoon", end))
		return PART_AFTERNOON;
	if (lx_word(s, j, "in the evening", end))
		return PART_EVENING;
	if (lx_word(s, j, "at night", end))
		return PART_NIGHT;
	return PART_NONE;
}

/* Apply a part of the day to an hour without am/pm. */
static int
part_hour(enum part p, int h)
{
	switch (p) {
	case PART_MORNING:
		return h == 12 ? 0 : h;
	case PART_AFTERNOON:
		return h < 12 ? h + 12 : h;
	case PART_EVENING:
		return h >= 1 && h < 12 ? h + 12 : h;
	case PART_NIGHT:
		return h >= 6 && h < 12 ? h + 12 : h == 12 ? 0 : h;
	case PART_NONE:
		break;
	}
	return h;
}

/* An hour 1–12 in digits or words ("three"). */
static bool
hour12_at(const char *s, size_t i, int *h, size_t *end)
{
	static const char *const words[] = {"one", "two", "three", "four",
	    "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
	    NULL};
	int k;

	if (lx_digit(s[i])) {
		if (!lx_uint(s, i, 2, h, end) || *h < 1 || *h > 12 ||
		    lx_wordch((unsigned char)s[*end]) ||
		    ((s[*end] == ':' || s[*end] == '.') &&
		        lx_digit(s[*end + 1])))
			return false;
		return true;
	}
	k = lx_words(s, i, words, end);
	if (k < 0)
		return false;
	*h = k + 1;
	return true;
}

/* quarter past 3, half past seven, 10 to 4, twenty past 5. */
static bool
past_to_at(
    const char *s, size_t i, struct comps *t, unsigned *flags, size_t *end)
{
	static const char *const mins[] = {"five", "ten", "quarter", "twenty",
	    "twenty-five", "twenty five", "half", NULL};
	static const int mval[] = {5, 10, 15, 20, 25, 25, 30};
	size_t j, e;
	int m, h, k;
	bool to;

	if (lx_word_sp(s, i, "a", &j) && lx_word(s, j, "quarter", &e))
		i = j;
	k = lx_words(s, i, mins, &e);
	if (k >= 0) {
		m = mval[k];
	} else if (!lx_uint(s, i, 2, &m, &e) || m < 1 || m > 59) {
		return false;
	}
	j = lx_sp(s, e);
	if (!lx_word_sp(s, j, "minutes", &e) && !lx_word_sp(s, j, "mins", &e))
		e = j;
	j = e;
	if (lx_word_sp(s, j, "past", &j) || lx_word_sp(s, j, "after", &j))
		to = false;
	else if (lx_word_sp(s, j, "to", &j) || lx_word_sp(s, j, "till", &j) ||
	    lx_word_sp(s, j, "before", &j))
		to = true;
	else
		return false;
	if (to && m == 30)
		return false;
	if (!hour12_at(s, j, &h, &e))
		return false;
	if (to) {
		h = h == 1 ? 12 : h - 1;
		m = 60 - m;
	}
	c_set(t, C_HOUR, h == 12 ? 12 : h);
	c_set(t, C_MINUTE, m);
	*flags |= h != 12 ? F_AMBIG : 0;
	*end = e;
	return true;
}

/* Is the text at i a day expression ("tomorrow", "friday")? */
static bool
day_follows(struct ctx *c, size_t i)
{
	struct res r;
	size_t j = lx_sp(c->s, i);

	if (j == i)
		return false;
	return nlp_scan_at(c, j, &r, true) && !(r.flags & F_DEAD);
}

bool
nlp_time_at(struct ctx *c, size_t i, bool loose, struct comps *t,
    unsigned *flags, size_t *end)
{
	const char *s = c->s;
	size_t j = i, k, e;
	int h = 0, mi = 0, sec = -1, nd;
	bool at = false, has_min = false, dot = false, oclock = false;
	enum mer mer;
	enum part part;

	memset(t, 0, sizeof(*t));
	*flags = 0;
	if (lx_word_sp(s, i, "at", &j) || lx_word_sp(s, i, "around", &j) ||
	    lx_word_sp(s, i, "about", &j) || lx_word_sp(s, i, "by", &j) ||
	    lx_word_sp(s, i, "until", &j) || lx_word_sp(s, i, "till", &j) ||
	    lx_word_sp(s, i, "before", &j)) {
		at = true;
	} else if (s[i] == '@') {
		j = lx_sp(s, i + 1);
		at = true;
	}
	if (lx_word(s, j, "noon", &e) || lx_word(s, j, "midday", &e)) {
		c_set(t, C_HOUR, 12);
		c_set(t, C_MINUTE, 0);
		c_imply(t, C_SECOND, 0);
		c_imply(t, C_MERID, 1);
		*end = e;
		return true;
	}
	if (lx_word(s, j, "midnight", &e)) {
		int64_t d = time_days_from_civil(c->ref.y, c->ref.m, c->ref.d);
		int y, m, dd;

		/* the coming midnight, unless it is just past (chrono) */
		time_civil_from_days(c->ref.h > 2 ? d + 1 : d, &y, &m, &dd);
		c_imply(t, C_YEAR, y);
		c_imply(t, C_MONTH, m);
		c_imply(t, C_DAY, dd);
		c_set(t, C_HOUR, 0);
		c_set(t, C_MINUTE, 0);
		*flags |= F_MIDNIGHT;
		*end = e;
		return true;
	}
	if (past_to_at(s, j, t, flags, end))
		return true;
	if (!lx_digit(s[j]))
		return false;
	/* glued to a number before it: "1/2", "2.50" (but after a date
	 * "05/31/2024.14:15" is a time) */
	if (j >= 2 && strchr(".:/,", s[j - 1]) != NULL && lx_digit(s[j - 2]) &&
	    c->last_end != j - 1)
		return false;
	nd = lx_ndigits(s, j);
	if (nd > 4)
		return false;
	lx_uint(s, j, 4, &h, &k);
	if (nd >= 3) {
		mi = h % 100;
		h /= 100;
		has_min = true;
	} else if ((s[k] == ':' || s[k] == '.') && lx_digit(s[k + 1])) {
		dot = s[k] == '.';
		nd = lx_ndigits(s, k + 1);
		if (nd != 2)
			return false;
		mi = (s[k + 1] - '0') * 10 + (s[k + 2] - '0');
		has_min = true;
		k += 3;
		if ((s[k] == ':' || (s[k] == '.' && !dot)) &&
		    lx_ndigits(s, k + 1) == 2) {
			sec = (s[k + 1] - '0') * 10 + (s[k + 2] - '0');
			k += 3;
			if (s[k] == '.' && lx_digit(s[k + 1]))
				k += 1 + lx_ndigits(s, k + 1);
		}
	}
	/* part of a longer number: 10.12.2026, 1/2, 3:4:5:6 */
	if ((s[k] == '.' || s[k] == ':' || s[k] == '/' || s[k] == ',') &&
	    lx_digit(s[k + 1]) && !(s[k] == ',' && lx_blank(s[k + 1])))
		return false;
	mer = meridiem_at(s, k, &e);
	if (mer == MER_NONE && lx_alnum((unsigned char)s[k]) &&
	    !(lx_lower(s[k]) == 'h' && !lx_alnum((unsigned char)s[k + 1])))
		return false;
	if (mer != MER_NONE) {
		if (h > 12 || h == 0 || mi > 59) {
			*flags |= F_DEAD;
			*end = e;
			return true;
		}
		if (nd >= 3 && !has_min)
			return false;
		c_set(t, C_HOUR, h % 12 + (mer == MER_PM ? 12 : 0));
		c_set(t, C_MERID, mer == MER_PM);
		k = e;
	} else {
		if (nd == 4 && s[j] != '0' && !at)
			return false;
		/* "0151 2345678" is a phone number */
		if (nd == 4 && !at && lx_digit(s[lx_sp(s, k)]))
			return false;
		if (nd == 3)
			return false;
		if (h > 24 || mi > 59 || sec > 59)
			return false;
		if (h == 24)
			h = 0;
		if (oclock_at(s, k, &e)) {
			oclock = true;
			k = e;
		}
		part = part_after(s, k, &e);
		if (!has_min && !at && !oclock && !loose && part == PART_NONE &&
		    !day_follows(c, k))
			return false;
		if (dot && !at && !loose &&
		    (lx_ndigits(s, j) != 2 ||
		        (h < 13 && s[j] != '0' && mi % 15 != 0)))
			return false;
		if (part != PART_NONE && h <= 12) {
			h = part_hour(part, h);
			c_set(t, C_MERID, h >= 12);
			k = e;
		} else if (h >= 13) {
			c_set(t, C_MERID, 1);
		} else {
			if (h >= 1 && h <= 11 && s[j] != '0')
				*flags |= F_AMBIG;
			c_imply(t, C_MERID, h >= 12);
		}
		c_set(t, C_HOUR, h);
	}
	c_set(t, C_MINUTE, mi);
	if (sec >= 0)
		c_set(t, C_SECOND, sec);
	else
		c_imply(t, C_SECOND, 0);
	if (mer != MER_NONE && oclock_at(s, k, &e))
		k = e;
	*end = k;
	return true;
}

/* A range word between two times. */
static bool
range_word(const char *s, size_t i, size_t *next)
{
	static const char *const words[] = {
	    "to", "until", "till", "til", "thru", "through", NULL};
	size_t j = lx_sp(s, i), e;

	if (s[j] == '-' || s[j] == '~') {
		e = j + 1;
	} else if ((unsigned char)s[j] == 0xe2 &&
	    (unsigned char)s[j + 1] == 0x80 &&
	    ((unsigned char)s[j + 2] == 0x93 ||
	        (unsigned char)s[j + 2] == 0x94)) {
		e = j + 3; /* – — */
	} else if (lx_words(s, j, words, &e) < 0) {
		return false;
	}
	*next = lx_sp(s, e);
	return true;
}

static bool
until_word(const char *s, size_t i)
{
	static const char *const words[] = {"until", "till", "til", NULL};
	size_t e;

	return lx_words(s, lx_sp(s, i), words, &e) >= 0;
}

/* The end's am/pm from the start's and back (chrono's rules, and 9 - 5
 * is 09:00–17:00). */
static void
pair_meridiem(
    struct comps *st, unsigned *sflags, struct comps *en, unsigned eflags)
{
	int sh = st->v[C_HOUR], eh = en->v[C_HOUR];

	if (c_known(en, C_MERID) && !c_known(st, C_MERID) && sh <= 12) {
		if (en->v[C_MERID] == 0) {
			if (sh == 12)
				c_set(st, C_HOUR, 0);
		} else if (sh < 12 && sh + 12 <= eh) {
			c_set(st, C_HOUR, sh + 12);
		}
		*sflags &= ~F_AMBIG;
		return;
	}
	if (c_known(en, C_MERID) || eh > 12)
		return;
	if (c_known(st, C_MERID) && sh >= 12) {
		if (sh - 12 <= eh && eh < 12)
			c_set(en, C_HOUR, eh + 12);
		return;
	}
	if ((eflags & F_AMBIG) && eh <= sh && eh + 12 > sh)
		c_set(en, C_HOUR, eh + 12);
}

bool
scan_clock(struct ctx *c, size_t i, struct res *r)
{
	const char *s = c->s;
	struct comps t, t2;
	unsigned fl, fl2 = 0;
	size_t e, j, e2;
	bool loose_start = false, end_ok;

	if (!nlp_time_at(c, i, false, &t, &fl, &e)) {
		/* "10 - 11 at night", "9-10am": a bare start when the end
		 * says am or pm */
		if (!lx_digit(s[i]) || !nlp_time_at(c, i, true, &t, &fl, &e) ||
		    (fl & F_DEAD))
			return false;
		loose_start = true;
	}
	r->s = t;
	r->flags = fl;
	r->e = e;
	if (fl & F_DEAD)
		return true;
	if (!range_word(s, e, &j))
		return !loose_start;
	end_ok = nlp_time_at(c, j, true, &t2, &fl2, &e2) && !(fl2 & F_DEAD);
	/* a bare start needs an end with am/pm, or "until": "9 until 5" */
	if (loose_start &&
	    (!end_ok || c_known(&t, C_MERID) ||
	        (!c_known(&t2, C_MERID) && !until_word(s, e))))
		return false;
	if (!end_ok) {
		/* "10 - 10.1", "at 10 - 10.1": numbers, not times */
		if (lx_digit(s[j]) && s[lx_sp(s, e)] == '-')
			r->flags |= F_DEAD;
		return true;
	}
	/* "10 - 11 at night": 11 is pm, so 10 is too */
	pair_meridiem(&r->s, &r->flags, &t2, fl2);
	r->en = t2;
	r->has_end = true;
	if (fl2 & F_AMBIG)
		r->flags |= F_END_AMBIG;
	r->e = e2;
	return true;
}

/* "this morning" is a day (nlp_rel.c); morning, afternoon, evening and
 * night alone only join a day ("tomorrow morning", "Jan 1 Morning"): they
 * are kept as parts (F_PART) that the refiner drops when alone.  "in the
 * morning" alone is this morning. */
bool
scan_casual_time(struct ctx *c, size_t i, struct res *r)
{
	static const char *const parts[] = {
	    "morning", "afternoon", "evening", "night", NULL};
	static const int hours[] = {6, 15, 20, 22};
	const char *s = c->s;
	size_t e, j = i;
	int k;
	bool in_the = false;

	if (lx_word_sp(s, i, "in the", &j))
		in_the = true;
	k = lx_words(s, j, parts, &e);
	if (k < 0)
		return false;
	c_imply(&r->s, C_HOUR, hours[k]);
	c_imply(&r->s, C_MERID, k > 0);
	c_imply(&r->s, C_MINUTE, 0);
	if (!in_the)
		r->flags |= F_PART;
	r->e = e;
	return true;
}

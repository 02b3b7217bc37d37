/*
 * nlp_refine — joining neighbouring results, in this order:
 *
 *  1. a weekday and the date after it: "Sunday 12/7/2014" (not a day
 *     counted from now: "friday 5pm for 30 minutes" is Friday, not now
 *     plus half an hour, and "friday in 3 days" is two days);
 *  2. a day and a time of day, either way round, with at most a
 *     connector between ("tomorrow at 5pm", "5pm tomorrow", "tomorrow
 *     before 4pm", "8:23 AM ∙ Jul 9", "9:30 - 11:00 on Thursday"); a part
 *     of the day settles an ambiguous hour ("tonight at 8" is 20:00);
 *  3. a zone after a time ("5pm EST", "10:30 (gmt-2:30)"), then 2 again;
 *  4. a year after a date that has none ("Thu Oct 26 11:00:09 2023");
 *  5. ranges: "today - next friday", "10 August - 12 September 2013",
 *     "From May to December, 2022", "Monday to Friday" (what one side
 *     states the other takes; a range that runs backwards is turned
 *     round: "Monday to Friday" said on a Sunday ends on the Friday after);
 *  6. a duration after a time: "tomorrow at 3 for 2 hours" ends at 17:00;
 *  7. parts of the day that joined nothing ("good morning") are dropped.
 */
#include <string.h>

#include "workflows/nlp_int.h"

static bool
punct(const char *s, size_t k, size_t *end)
{
	unsigned char ch = (unsigned char)s[k];

	if (ch == ',' || ch == '-' || ch == '.' || ch == ':' || ch == '|' ||
	    ch == '@' || ch == '/') {
		*end = k + 1;
		return true;
	}
	/* ∙ • – — */
	if (ch == 0xe2 &&
	    (((unsigned char)s[k + 1] == 0x88 &&
	         (unsigned char)s[k + 2] == 0x99) ||
	        ((unsigned char)s[k + 1] == 0x80 &&
	            ((unsigned char)s[k + 2] == 0xa2 ||
	                (unsigned char)s[k + 2] == 0x93 ||
	                (unsigned char)s[k + 2] == 0x94)))) {
		*end = k + 3;
		return true;
	}
	return false;
}

/* Is [a, b) blanks, at most two punctuation marks and at most one word
 * of words?  *w: where that word is (or a == b). */
static bool
gap_ok(const char *s, size_t a, size_t b, const char *const *words,
    struct piece *w)
{
	size_t k = a, e;
	int marks = 0, nwords = 0;

	w->i = w->e = 0;
	while (k < b) {
		if (lx_blank(s[k])) {
			k++;
		} else if (punct(s, k, &e) && e <= b) {
			if (++marks > 2)
				return false;
			k = e;
		} else if (words != NULL && lx_words(s, k, words, &e) >= 0 &&
		    e <= b) {
			if (++nwords > 1)
				return false;
			w->i = k;
			w->e = e;
			k = e;
		} else {
			return false;
		}
	}
	return true;
}

static void
add_piece(struct res *r, size_t i, size_t e)
{
	int k;

	if (e <= i || r->npiece >= PIECES_MAX)
		return;
	/* in text order */
	for (k = r->npiece; k > 0 && r->piece[k - 1].i > i; k--)
		r->piece[k] = r->piece[k - 1];
	r->piece[k].i = i;
	r->piece[k].e = e;
	r->npiece++;
}

/* a takes b's text and pieces (b is then removed by the caller). */
static void
absorb(struct res *a, const struct res *b, const struct piece *w)
{
	for (int k = 0; k < b->npiece; k++)
		add_piece(a, b->piece[k].i, b->piece[k].e);
	if (w != NULL)
		add_piece(a, w->i, w->e);
	if (b->i < a->i)
		a->i = b->i;
	if (b->e > a->e)
		a->e = b->e;
}

static void
drop(struct res *r, int *n, int k)
{
	memmove(r + k, r + k + 1, sizeof(*r) * (size_t)(*n - k - 1));
	(*n)--;
}

static bool
dateish(const struct res *r)
{
	if (r->flags & (F_REL_TIME | F_DURATION))
		return false;
	if (r->flags & F_RECUR)
		return c_only_date(&r->s);
	return c_only_date(&r->s) &&
	    ((r->s.known & (C_DATE | CB(C_WDAY))) != 0);
}

static bool
timeish(const struct res *r)
{
	if (r->flags & (F_REL_TIME | F_DURATION | F_RECUR))
		return false;
	return c_only_time(&r->s) &&
	    (c_known(&r->s, C_HOUR) || (r->flags & F_PART));
}

/* The time components of t onto p. */
static void
put_time(struct comps *p, const struct comps *t)
{
	static const int ks[] = {C_HOUR, C_MINUTE, C_SECOND, C_MERID, C_OFFSET};

	for (size_t k = 0; k < sizeof(ks) / sizeof(ks[0]); k++) {
		if (c_known(t, ks[k]))
			c_set(p, ks[k], t->v[ks[k]]);
		else if (c_has(t, ks[k]))
			c_imply(p, ks[k], t->v[ks[k]]);
	}
	if (t->zone != NULL)
		p->zone = t->zone;
}

/* day d and time t into one result, in d's place. */
static void
merge_date_time(struct res *d, const struct res *t, const struct piece *w)
{
	struct res out = *d;
	unsigned tflags = t->flags;

	/* a time alone keeps the day's implied hour only when it has none */
	put_time(&out.s, &t->s);
	if ((d->flags & F_PART) && (tflags & F_AMBIG) &&
	    c_has(&d->s, C_MERID) && d->s.v[C_MERID] == 1 &&
	    !c_known(&t->s, C_MERID) && t->s.v[C_HOUR] < 12) {
		c_set(&out.s, C_HOUR, t->s.v[C_HOUR] + 12);
		tflags &= ~F_AMBIG;
	} else if ((d->flags & F_PART) && (tflags & F_AMBIG) &&
	    c_has(&d->s, C_MERID) && d->s.v[C_MERID] == 0) {
		tflags &= ~F_AMBIG;
	}
	if (t->has_end && !d->has_end) {
		out.en = d->s;
		out.en.known &= ~(C_TIME | CB(C_MERID));
		out.en.implied &= ~(C_TIME | CB(C_MERID));
		put_time(&out.en, &t->en);
		if ((d->flags & F_PART) && (tflags & F_END_AMBIG) &&
		    c_has(&d->s, C_MERID) && d->s.v[C_MERID] == 1 &&
		    t->en.v[C_HOUR] < 12)
			c_set(&out.en, C_HOUR, t->en.v[C_HOUR] + 12);
		out.has_end = true;
	} else if (d->has_end && !t->has_end) {
		put_time(&out.en, &t->s);
	}
	out.flags = (d->flags & ~F_PART) |
	    (tflags & (F_AMBIG | F_END_AMBIG | F_MIDNIGHT));
	if ((t->flags & F_PART) && !c_known(&t->s, C_HOUR))
		out.flags |= F_PART;
	absorb(&out, t, w);
	*d = out;
}

/*
 * Does weekday a name the day of b, as in "Sunday 12/7/2014" and
 * "friday the 20th"?  Only when b is a day the text states: a duration or
 * a day counted from now or from another ("for 30 minutes", "in 3 days",
 * "next week") is no date the weekday could be the name of.  A duration
 * after a weekday and a time is how long it lasts (durations() below).
 */
static bool
weekday_names(const struct res *a, const struct res *b, const struct piece *w)
{
	return c_only_weekday(&a->s) && !(a->flags & F_ANCHOR) &&
	    (b->s.known & CB(C_DAY)) && !a->has_end && w->e == 0 &&
	    !(b->flags & (F_SHIFTED | F_DURATION | F_REL_TIME));
}

static const char *const dt_words[] = {"at", "on", "of", "before", "after",
    "by", "around", "about", "from", "in", "the", NULL};

static int
merge_dates_times(struct ctx *c, struct res *r, int n)
{
	struct piece w;
	bool again = true;

	while (again) {
		again = false;
		for (int k = 0; k + 1 < n; k++) {
			struct res *a = &r[k], *b = &r[k + 1];

			if (!gap_ok(c->s, a->e, b->i, dt_words, &w))
				continue;
			/* "Sunday 12/7/2014": the weekday goes with the
			 * date */
			if (weekday_names(a, b, &w)) {
				int wd = a->s.v[C_WDAY];
				struct res out = *b;

				c_set(&out.s, C_WDAY, wd);
				absorb(&out, a, NULL);
				*a = out;
				drop(r, &n, k + 1);
				again = true;
				break;
			}
			if (dateish(a) && timeish(b) &&
			    !(a->has_end && b->has_end)) {
				merge_date_time(a, b, &w);
				drop(r, &n, k + 1);
				again = true;
				break;
			}
			if (timeish(a) && dateish(b) &&
			    !(a->has_end && b->has_end) &&
			    !(a->flags & F_PART && !c_known(&a->s, C_HOUR))) {
				merge_date_time(b, a, &w);
				*a = *b;
				drop(r, &n, k + 1);
				again = true;
				break;
			}
		}
	}
	return n;
}

static int
zones(struct ctx *c, struct res *r, int n)
{
	for (int k = 0; k < n; k++) {
		struct comps t = r[k].s;
		size_t e;
		bool abs_only = false;

		if (!c_known(&t, C_HOUR) && !(t.known & C_DATE))
			continue;
		if (t.known & CB(C_OFFSET))
			continue;
		if (k + 1 < n && r[k + 1].i <= r[k].e)
			continue;
		if (!nlp_zone_at(c, r[k].e, &t, &abs_only, &e))
			continue;
		/* "utc+02:45": the "02:45" scanned as a time is the zone's */
		while (k + 1 < n && r[k + 1].i < e && r[k + 1].e <= e)
			drop(r, &n, k + 1);
		if (k + 1 < n && e > r[k + 1].i)
			continue;
		/* "in 1 hour GMT": the instant is already exact */
		if (!(r[k].flags & F_REL_TIME)) {
			r[k].s = t;
			if (r[k].has_end) {
				r[k].en.known |= CB(C_OFFSET);
				r[k].en.v[C_OFFSET] = t.v[C_OFFSET];
				r[k].en.zone = t.zone;
			}
		}
		add_piece(&r[k], lx_sp(c->s, r[k].e), e);
		r[k].e = e;
	}
	return n;
}

/* "Thu Oct 26 11:00:09 2023": a year after a date that has none. */
static void
year_suffix(struct ctx *c, struct res *r, int n)
{
	for (int k = 0; k < n; k++) {
		size_t j = lx_sp(c->s, r[k].e), e;
		int y;

		if (j == r[k].e || !c_known(&r[k].s, C_MONTH) ||
		    c_known(&r[k].s, C_YEAR) || lx_ndigits(c->s, j) != 4 ||
		    !lx_year(c->s, j, false, &y, &e))
			continue;
		if (k + 1 < n && e > r[k + 1].i)
			continue;
		c_set(&r[k].s, C_YEAR, y);
		if (r[k].has_end && !c_known(&r[k].en, C_YEAR))
			c_set(&r[k].en, C_YEAR, y);
		add_piece(&r[k], j, e);
		r[k].e = e;
	}
}

static int64_t
wall(const struct ctx *c, const struct comps *p)
{
	int y = c_get(p, C_YEAR, c->ref.y), m = c_get(p, C_MONTH, c->ref.m);
	int d = c_get(p, C_DAY, c->ref.d);

	if (m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	return time_days_from_civil(y, m, d) * 86400 +
	    c_get(p, C_HOUR, 12) * 3600 + c_get(p, C_MINUTE, 0) * 60;
}

static void
shift_days(struct comps *p, int days)
{
	int y, m, d;

	time_civil_from_days(
	    time_days_from_civil(p->v[C_YEAR], p->v[C_MONTH], p->v[C_DAY]) +
	        days,
	    &y, &m, &d);
	c_imply(p, C_YEAR, y);
	c_imply(p, C_MONTH, m);
	c_imply(p, C_DAY, d);
}

/* The components one side states and the other does not. */
static bool
share(struct comps *to, const struct comps *from)
{
	static const int ks[] = {
	    C_YEAR, C_MONTH, C_DAY, C_HOUR, C_MINUTE, C_MERID};
	bool year = false;

	for (size_t k = 0; k < sizeof(ks) / sizeof(ks[0]); k++) {
		if (c_known(from, ks[k]) && !c_known(to, ks[k])) {
			c_set(to, ks[k], from->v[ks[k]]);
			year = year || ks[k] == C_YEAR;
		}
	}
	return year;
}

static const char *const range_words[] = {
    "to", "until", "till", "til", "through", "thru", "and", NULL};

static bool
before_word(const char *s, size_t i, const char *w, size_t *at)
{
	size_t k = i, ws, e;

	while (k > 0 && lx_blank(s[k - 1]))
		k--;
	ws = k;
	while (ws > 0 && lx_alnum((unsigned char)s[ws - 1]))
		ws--;
	if (ws == k || !lx_word(s, ws, w, &e) || e != k)
		return false;
	*at = ws;
	return true;
}

static int
ranges(struct ctx *c, struct res *r, int n)
{
	struct piece w;
	size_t from;

	for (int k = 0; k + 1 < n; k++) {
		struct res *a = &r[k], *b = &r[k + 1];
		bool and, year_to_a = false;

		if (a->has_end || b->has_end ||
		    ((a->flags | b->flags) & (F_DURATION | F_RECUR)))
			continue;
		if (!gap_ok(c->s, a->e, b->i, range_words, &w))
			continue;
		if (w.e == 0) {
			/* only "-", "–", "~" between */
			size_t j = lx_sp(c->s, a->e);

			if (!(c->s[j] == '-' || c->s[j] == '~' ||
			        ((unsigned char)c->s[j] == 0xe2 &&
			            (unsigned char)c->s[j + 1] == 0x80)))
				continue;
			/* "1.5.3 - 2015-09-24" has no first date anyway;
			 * "10:30 - 2:30" is the clock's */
		}
		and = w.e > w.i && lx_lower(c->s[w.i]) == 'a';
		if (and&&!before_word(c->s, a->i, "between", &from))
			continue;
		if (!c_only_weekday(&a->s) && !c_only_weekday(&b->s)) {
			year_to_a = share(&a->s, &b->s);
			share(&b->s, &a->s);
		}
		if (wall(c, &a->s) > wall(c, &b->s)) {
			if (c_only_weekday(&b->s))
				shift_days(&b->s, 7);
			else if (c_only_weekday(&a->s))
				shift_days(&a->s, -7);
			else if (year_to_a)
				c_set(&a->s, C_YEAR, a->s.v[C_YEAR] - 1);
			else if (c_only_time(&b->s) && c_only_time(&a->s))
				;
			else {
				struct comps t = a->s;

				a->s = b->s;
				b->s = t;
			}
		}
		a->en = b->s;
		a->has_end = true;
		if (b->flags & F_AMBIG)
			a->flags |= F_END_AMBIG;
		absorb(a, b, &w);
		if (before_word(c->s, a->i, "from", &from) ||
		    before_word(c->s, a->i, "between", &from))
			add_piece(a, from,
			    from + (lx_lower(c->s[from]) == 'f' ? 4 : 7));
		drop(r, &n, k + 1);
		k--;
	}
	return n;
}

/* "tomorrow at 3 for 2 hours": the end is the start and the duration,
 * worked out once the start is resolved (nlp_parse.c). */
static int
durations(struct ctx *c, struct res *r, int n)
{
	struct piece w;

	for (int k = 0; k + 1 < n; k++) {
		struct res *a = &r[k], *b = &r[k + 1];

		if (!(b->flags & F_DURATION) || a->has_end ||
		    (a->flags & (F_DURATION | F_REL_TIME | F_LASTS)) ||
		    !gap_ok(c->s, a->e, b->i, NULL, &w))
			continue;
		a->dur_secs = b->dur_secs;
		a->dur_days = b->dur_days;
		a->dur_months = b->dur_months;
		a->flags |= F_LASTS;
		absorb(a, b, NULL);
		drop(r, &n, k + 1);
	}
	return n;
}

/* "every day at 7pm until December 24": the end of a recurrence said
 * after its time. */
static int
until_dates(struct ctx *c, struct res *r, int n)
{
	static const char *const words[] = {"until", "till", "through", NULL};
	struct piece w;

	for (int k = 0; k + 1 < n; k++) {
		struct res *a = &r[k], *b = &r[k + 1];

		if (!(a->flags & F_RECUR) || a->rec.until != 0 ||
		    !c_known(&b->s, C_DAY) || b->has_end ||
		    !gap_ok(c->s, a->e, b->i, words, &w) || w.e == 0)
			continue;
		a->rec.until = (int32_t)(time_days_from_civil(
		                             c_get(&b->s, C_YEAR, c->ref.y),
		                             c_get(&b->s, C_MONTH, c->ref.m),
		                             b->s.v[C_DAY]) +
		    1);
		absorb(a, b, &w);
		drop(r, &n, k + 1);
	}
	return n;
}

int
nlp_refine(struct ctx *c, struct res *r, int n)
{
	n = merge_dates_times(c, r, n);
	n = zones(c, r, n);
	n = merge_dates_times(c, r, n);
	year_suffix(c, r, n);
	n = until_dates(c, r, n);
	n = ranges(c, r, n);
	n = durations(c, r, n);
	for (int k = 0; k < n; k++) {
		if ((r[k].flags & F_PART) &&
		    (r[k].s.known & ~CB(C_OFFSET)) == 0) {
			drop(r, &n, k);
			k--;
			continue;
		}
		nlp_recur_first(c, &r[k]);
	}
	return n;
}

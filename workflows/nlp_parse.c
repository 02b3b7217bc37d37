/*
 * nlp_parse — the rule-based parser: scan, refine, resolve.
 *
 * What it understands (English; each rule pinned down by tests/check_nlp*.c
 * and chrono's English test suite, ../shared/corpora/dates/chrono-en.tsv):
 *
 *  - Casual days and parts of days: now, today, tonight, tomorrow (tmr),
 *    yesterday, last night, [the] day after tomorrow, this morning,
 *    tomorrow afternoon, friday evening, noon, midnight, end of day,
 *    this weekend (Saturday to Sunday).
 *  - Weekdays: friday, on friday, this friday (the coming one, today
 *    included), next friday (the friday of next week, weeks starting on
 *    Monday, as chrono), last friday, friday after next, 2 fridays from
 *    now, friday of next week, the first monday of march, next/last
 *    weekday (a working day).  A weekday alone is the nearest one (chrono)
 *    or the next one to come (forward_date, ahead).  Mon, wed, sat and
 *    sun, which are also words, are days after on/this/next… or before a
 *    time of day or a part of it ("sat 7pm", "wed 11:00", "sun morning"),
 *    not after "the", "my", "I"… ("in the sun at 5pm").
 *  - Relative: in 3 days, in 2 hours, in half an hour, in a quarter of an
 *    hour, 3 weeks from now, 2 days later, 3 days ago, within 2 weeks,
 *    next 2 weeks, +15 minutes, a day after tomorrow, 2 months before 02/02,
 *    next week/month/year/quarter, this month, last year.  Days, weeks,
 *    months and years move the calendar (31 Jan + 1 month = 28 Feb);
 *    hours, minutes and seconds are counted in real time, so across a DST
 *    change the wall clock moves by one hour more or less.
 *  - Absolute: 12 January, Jan 12, January 12th 2027, the 20th, 20th of
 *    next month, 12/01 and 1/12 (month first unless ref->day_first),
 *    2027-01-12, 12.01.2027, 2027/01/12, Sept 2012, 2024 August.  A date
 *    without a year is the nearest such date (chrono) or the next one
 *    (forward_date, ahead).
 *  - Times: 5pm, 5 pm, 17:00, 5:30, 5.30pm, 0530, 5 o'clock, at 5, quarter
 *    past 3, half past 7, 10 to 4, noon, midnight, 6 in the morning,
 *    10 at night.
 *  - Ranges and durations: 2-3pm, from 2pm to 3:30pm, 9:30 - 11:00 on
 *    Thursday, Monday to Wednesday, July 13-15, 10 August - 12 September,
 *    for 2 hours, until 5.
 *  - Zones in the text: EST, PST, CET, GMT, UTC, JST… and offsets (+02:00,
 *    utc+0245, (gmt-2:30)); the time is converted to the user's zone.
 *    ET, PT, CT, MT and CET follow daylight saving time on the day named.
 *  - Recurrence: see nlp_recur.c.
 *  - Not dates: a bare number, "May I…", "I may", "3/4 cup", version
 *    numbers, "1-2", "14PM", 2/29 of a year that has none.
 *
 * How: every scanner is tried at each word start and the longest match
 * wins (a match that turns out not to be a date still blocks its text);
 * the refiners then join neighbours (a date and a time, a range, a zone, a
 * duration), and each result is resolved against the reference in the
 * user's zone, entered once per parse.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "workflows/nlp_int.h"

#define TEXT_MAX (64 * 1024) /* bytes of a message that are looked at */

void
c_set(struct comps *c, int k, int v)
{
	c->v[k] = v;
	c->known |= CB(k);
	c->implied &= ~CB(k);
}

void
c_imply(struct comps *c, int k, int v)
{
	if (c->known & CB(k))
		return;
	c->v[k] = v;
	c->implied |= CB(k);
}

bool
c_known(const struct comps *c, int k)
{
	return (c->known & CB(k)) != 0;
}

bool
c_has(const struct comps *c, int k)
{
	return ((c->known | c->implied) & CB(k)) != 0;
}

int
c_get(const struct comps *c, int k, int dflt)
{
	return c_has(c, k) ? c->v[k] : dflt;
}

bool
c_only_time(const struct comps *c)
{
	return (c->known & (C_DATE | CB(C_WDAY))) == 0;
}

bool
c_only_date(const struct comps *c)
{
	return (c->known & C_TIME) == 0;
}

bool
c_only_weekday(const struct comps *c)
{
	return c_known(c, C_WDAY) &&
	    (c->known & (CB(C_DAY) | CB(C_MONTH))) == 0;
}

void
res_init(struct res *r, const struct ctx *c, size_t i)
{
	/* the pieces are only read below npiece */
	memset(r, 0, offsetof(struct res, piece));
	r->i = i;
	r->e = i;
	(void)c;
}

/* In order of preference when two match the same length. */
static const struct {
	nlp_scanner scan;
	unsigned bit; /* SC_* */
} scanners[] = {
    {scan_recur, SC_RECUR},
    {scan_iso, SC_ISO},
    {scan_numeric_date, SC_NUM},
    {scan_month_name, SC_MONTH},
    {scan_casual_day, SC_CASUAL},
    {scan_weekday, SC_WEEKDAY},
    {scan_relative, SC_REL},
    {scan_period, SC_PERIOD},
    {scan_ordinal_day, SC_ORD},
    {scan_clock, SC_CLOCK},
    {scan_casual_time, SC_PART},
};

bool
nlp_scan_at(struct ctx *c, size_t i, struct res *best, bool dates_only)
{
	struct res r;
	bool found = false;
	unsigned may = lx_starter(c->s, i) & (dates_only ? SC_DATES : ~0u);

	if (c->depth > 3 || may == 0)
		return false;
	c->depth++;
	for (size_t k = 0; k < sizeof(scanners) / sizeof(scanners[0]); k++) {
		if (!(scanners[k].bit & may))
			continue;
		res_init(&r, c, i);
		if (!scanners[k].scan(c, i, &r) || r.e <= i)
			continue;
		if (!found || r.e > best->e ||
		    (r.e == best->e && (best->flags & F_DEAD) &&
		        !(r.flags & F_DEAD))) {
			*best = r;
			found = true;
		}
	}
	c->depth--;
	if (found && best->npiece == 0) {
		best->piece[0].i = best->i;
		best->piece[0].e = best->e;
		best->npiece = 1;
	}
	return found;
}

/* Where a scan may start: a word, or a sign before digits ("+15 min"). */
static bool
scan_start(const char *s, size_t i)
{
	if (i > 0 && lx_wordch((unsigned char)s[i - 1]))
		return false;
	if (lx_alnum((unsigned char)s[i]))
		return true;
	return (s[i] == '+' || s[i] == '-') && lx_digit(s[i + 1]);
}

/* Resolution. */

static int64_t
days_of(const struct comps *c)
{
	return time_days_from_civil(c->v[C_YEAR], c->v[C_MONTH], c->v[C_DAY]);
}

static void
set_days(struct comps *c, int64_t days, bool known)
{
	int y, m, d;

	time_civil_from_days(days, &y, &m, &d);
	if (known) {
		c_set(c, C_YEAR, y);
		c_set(c, C_MONTH, m);
		c_set(c, C_DAY, d);
	} else {
		c->v[C_YEAR] = y;
		c->v[C_MONTH] = m;
		c->v[C_DAY] = d;
	}
}

static bool
valid_ymd(int y, int m, int d)
{
	if (y < -9999 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= time_days_in_month(y, m);
}

/* Fill what c does not have from the reference (the date) and 12:00. */
static void
fill(const struct ctx *c, struct comps *p)
{
	if (!c_has(p, C_YEAR))
		p->v[C_YEAR] = c->ref.y;
	if (!c_has(p, C_MONTH))
		p->v[C_MONTH] = c->ref.m;
	if (!c_has(p, C_DAY))
		p->v[C_DAY] = c->ref.d;
	if (!c_has(p, C_HOUR))
		p->v[C_HOUR] = 12;
	if (!c_has(p, C_MINUTE))
		p->v[C_MINUTE] = 0;
	if (!c_has(p, C_SECOND))
		p->v[C_SECOND] = 0;
}

/* Seconds of the wall clock of p, as if UTC: to compare with the
 * reference's. */
static int64_t
wall_of(const struct comps *p)
{
	return days_of(p) * 86400 + p->v[C_HOUR] * 3600 + p->v[C_MINUTE] * 60 +
	    p->v[C_SECOND];
}

static int64_t
ref_wall(const struct ctx *c)
{
	return time_days_from_civil(c->ref.y, c->ref.m, c->ref.d) * 86400 +
	    c->ref.h * 3600 + c->ref.mi * 60 + c->ref.s;
}

/* Is p before the reference?  The assistant compares days when no time
 * of day was said or implied ("friday" said on a Friday afternoon is
 * today); chrono compares the wall clocks (12:00 for a bare date). */
static bool
past(const struct ctx *c, const struct comps *p)
{
	if (c->ahead && !c_has(p, C_HOUR))
		return days_of(p) <
		    time_days_from_civil(c->ref.y, c->ref.m, c->ref.d);
	return wall_of(p) < ref_wall(c);
}

/* An hour 1–11 without am/pm, read as the assistant does (nlp.h). */
static void
ahead_hour(const struct ctx *c, struct res *r, bool time_only)
{
	struct comps *p = &r->s;
	int now = c->ref.h * 60 + c->ref.mi;
	int at = p->v[C_HOUR] * 60 + p->v[C_MINUTE];
	int64_t today = time_days_from_civil(c->ref.y, c->ref.m, c->ref.d);

	if (time_only) {
		if (at > now)
			return;
		if ((r->flags & F_AMBIG) && at + 720 > now)
			c_set(p, C_HOUR, p->v[C_HOUR] + 12);
		else
			set_days(p, today + 1, false);
		return;
	}
	if (!(r->flags & F_AMBIG))
		return;
	if (at <= (days_of(p) == today ? now : 7 * 60 - 1))
		c_set(p, C_HOUR, p->v[C_HOUR] + 12);
}

/* Move start (and an end that follows it) forward as forward_date and
 * ahead say. */
static void
forward(const struct ctx *c, struct res *r)
{
	struct comps *p = &r->s;
	int64_t now = ref_wall(c), shift = 0;
	bool time_only = c_only_time(p) && c_known(p, C_HOUR);

	if (r->flags & (F_REL_TIME | F_RECUR))
		return;
	if (c->ahead && c_known(p, C_HOUR) &&
	    !(time_only && (r->flags & F_ANCHOR))) {
		int64_t before = days_of(p);

		ahead_hour(c, r, time_only);
		shift = days_of(p) - before;
	} else if (time_only && !(r->flags & F_ANCHOR) && wall_of(p) < now) {
		set_days(p, days_of(p) + 1, false);
		shift = 1;
	}
	if (c_only_weekday(p) && !(r->flags & F_ANCHOR) && past(c, p)) {
		int64_t d = days_of(p), from = d;

		do {
			d += 7;
			set_days(p, d, false);
		} while (past(c, p));
		shift = d - from;
	}
	if (c_known(p, C_MONTH) && !c_known(p, C_YEAR) &&
	    !(r->flags & F_ANCHOR)) {
		for (int k = 0; k < 4; k++) {
			if (!past(c, p) &&
			    valid_ymd(p->v[C_YEAR], p->v[C_MONTH], p->v[C_DAY]))
				break;
			p->v[C_YEAR]++;
			if (r->has_end && !c_known(&r->en, C_YEAR))
				r->en.v[C_YEAR]++;
		}
	}
	if (shift != 0 && r->has_end && !(r->en.known & C_DATE))
		set_days(&r->en, days_of(&r->en) + shift, false);
}

static void
moment_of(const struct ctx *c, const struct comps *p, int64_t abs_t,
    bool has_abs, struct nlp_moment *m)
{
	int64_t t = 0;
	int dst = 0;

	memset(m, 0, sizeof(*m));
	m->year = p->v[C_YEAR];
	m->month = p->v[C_MONTH];
	m->day = p->v[C_DAY];
	m->hour = p->v[C_HOUR];
	m->minute = p->v[C_MINUTE];
	m->second = p->v[C_SECOND];
	m->known = p->known & 0x7f;
	if (p->known & CB(C_OFFSET)) {
		m->known |= NLP_OFFSET;
		m->offset = p->v[C_OFFSET];
	}
	/* a weekday the text states stays, as chrono keeps it */
	m->weekday =
	    c_known(p, C_WDAY) ? p->v[C_WDAY] : nlp_weekday_of(days_of(p));
	if (has_abs) {
		t = abs_t;
	} else if (m->year >= 1 && m->year <= 9999) {
		if (nlp_zone_instant(c->z, m->year, m->month, m->day, m->hour,
		        m->minute, m->second, &t, &dst) < 0)
			t = 0;
	}
	m->dst = dst == 1 ? NLP_DST_GAP
	    : dst == 2    ? NLP_DST_REPEAT
	                  : NLP_DST_NONE;
	m->ms = t * 1000;
	if (has_abs && t == c->ref_t)
		m->ms += c->ref_ms;
}

/*
 * A time the text gave in another zone ("5pm EST"): read it there and
 * bring it to the user's zone.  Dates without a time stay as they are.
 */
static int
convert_zone(const struct ctx *c, struct comps *p)
{
	int64_t t;
	struct nlp_lt lt;

	if (!(p->known & CB(C_OFFSET)) && p->zone == NULL)
		return 0;
	if (!c_has(p, C_HOUR) || p->v[C_YEAR] < 1 || p->v[C_YEAR] > 9999)
		return 0;
	t = days_of(p) * 86400 + p->v[C_HOUR] * 3600 + p->v[C_MINUTE] * 60 +
	    p->v[C_SECOND];
	if (p->zone != NULL)
		c_set(p, C_OFFSET, nlp_zone_rule_offset(p->zone, t));
	t -= (int64_t)p->v[C_OFFSET] * 60;
	if (nlp_zone_local(c->z, t, &lt) < 0)
		return -EINVAL;
	p->v[C_YEAR] = lt.y;
	p->v[C_MONTH] = lt.m;
	p->v[C_DAY] = lt.d;
	p->v[C_HOUR] = lt.h;
	p->v[C_MINUTE] = lt.mi;
	p->v[C_SECOND] = lt.s;
	return 0;
}

static bool
comps_valid(const struct comps *p)
{
	return valid_ymd(p->v[C_YEAR], p->v[C_MONTH], p->v[C_DAY]) &&
	    p->v[C_HOUR] >= 0 && p->v[C_HOUR] <= 23 && p->v[C_MINUTE] >= 0 &&
	    p->v[C_MINUTE] <= 59 && p->v[C_SECOND] >= 0 && p->v[C_SECOND] <= 59;
}

/* Digits with at most one dot ("2012", "6.5") are no date (chrono's
 * rule): a year or a number alone says too little. */
static bool
unlikely(const struct ctx *c, const struct res *r)
{
	int dots = 0;

	if (c_known(&r->s, C_HOUR))
		return false; /* 17.00 is a time */
	for (size_t k = r->i; k < r->e; k++) {
		if (c->s[k] == '.')
			dots++;
		else if (!lx_digit(c->s[k]) && c->s[k] != ' ')
			return false;
	}
	return dots <= 1;
}

/* The end of something that lasts dur_* ("for 2 hours"). */
static void
lasts(struct res *r)
{
	struct comps *p = &r->s, *e = &r->en;
	int y = p->v[C_YEAR], m = p->v[C_MONTH] - 1 + r->dur_months;
	int d = p->v[C_DAY];
	int64_t secs;

	*e = *p;
	e->known &= ~(C_DATE | C_TIME | CB(C_WDAY));
	e->implied |= C_DATE | C_TIME;
	y += m >= 0 ? m / 12 : (m - 11) / 12;
	m = (m % 12 + 12) % 12 + 1;
	if (d > time_days_in_month(y, m))
		d = time_days_in_month(y, m);
	secs = p->v[C_HOUR] * 3600LL + p->v[C_MINUTE] * 60 + p->v[C_SECOND] +
	    r->dur_secs;
	set_days(e, time_days_from_civil(y, m, d) + r->dur_days + secs / 86400,
	    false);
	secs %= 86400;
	e->v[C_HOUR] = (int)(secs / 3600);
	e->v[C_MINUTE] = (int)(secs / 60 % 60);
	e->v[C_SECOND] = (int)(secs % 60);
	if (c_known(p, C_HOUR)) {
		e->known |= CB(C_HOUR) | CB(C_MINUTE);
		e->implied &= ~(CB(C_HOUR) | CB(C_MINUTE));
	}
	r->has_end = true;
}

static bool
finish(struct ctx *c, struct res *r, struct nlp_match *m)
{
	fill(c, &r->s);
	if (r->has_end) {
		/* an end without a date is on the start's day */
		if (!c_has(&r->en, C_YEAR))
			r->en.v[C_YEAR] = r->s.v[C_YEAR];
		if (!c_has(&r->en, C_MONTH))
			r->en.v[C_MONTH] = r->s.v[C_MONTH];
		if (!c_has(&r->en, C_DAY))
			r->en.v[C_DAY] = r->s.v[C_DAY];
		r->en.implied |= C_DATE;
		fill(c, &r->en);
	}
	if (c->forward || c->ahead)
		forward(c, r);
	if ((r->flags & F_LASTS) && !r->has_end &&
	    valid_ymd(r->s.v[C_YEAR], r->s.v[C_MONTH], r->s.v[C_DAY]))
		lasts(r);
	if (!comps_valid(&r->s) || (r->has_end && !comps_valid(&r->en)))
		return false;
	if (convert_zone(c, &r->s) < 0 ||
	    (r->has_end && convert_zone(c, &r->en) < 0))
		return false;
	if (r->has_end && !(r->en.known & C_DATE) && !c_known(&r->en, C_WDAY) &&
	    wall_of(&r->en) < wall_of(&r->s) && c_known(&r->en, C_HOUR))
		set_days(&r->en, days_of(&r->en) + 1, false);
	memset(m, 0, sizeof(*m));
	m->index = r->i;
	m->len = r->e - r->i;
	moment_of(c, &r->s, r->abs_t, (r->flags & F_REL_TIME) != 0, &m->start);
	if (r->has_end) {
		m->has_end = true;
		moment_of(c, &r->en, 0, false, &m->end);
	}
	if (r->flags & F_RECUR) {
		int64_t until = 0;

		if (r->rec.until != 0 && c_known(&r->s, C_HOUR)) {
			int y, mo, d;

			time_civil_from_days(r->rec.until - 1, &y, &mo, &d);
			if (nlp_zone_instant(
			        c->z, y, mo, d, 23, 59, 59, &until, NULL) < 0)
				until = 0;
		}
		nlp_recur_rrule(&r->rec, until, m->rrule, sizeof(m->rrule));
	}
	for (int k = 0; k < r->npiece && k < NLP_SPANS_MAX; k++) {
		m->pieces[k].start = r->piece[k].i;
		m->pieces[k].len = r->piece[k].e - r->piece[k].i;
		m->npieces++;
	}
	return true;
}

int
nlp_parse(const char *text, const struct nlp_ref *ref,
    const struct nlp_opts *opts, struct nlp_result *ret)
{
	static const struct nlp_opts none;
	struct res res[RES_MAX], tmp;
	struct nlp_zone z;
	struct ctx c;
	int64_t secs;
	int nr = 0, r;
	size_t i;

	if (ret != NULL)
		memset(ret, 0, sizeof(*ret));
	if (text == NULL || ref == NULL || ret == NULL)
		return -EINVAL;
	if (opts == NULL)
		opts = &none;
	r = nlp_zone_enter(&z, ref->tz);
	if (r < 0)
		return r;
	memset(&c, 0, sizeof(c));
	c.s = text;
	c.n = strnlen(text, TEXT_MAX);
	c.z = &z;
	secs =
	    ref->now_ms >= 0 ? ref->now_ms / 1000 : (ref->now_ms - 999) / 1000;
	c.ref_t = secs;
	c.ref_ms = (int)(ref->now_ms - secs * 1000);
	c.day_first = ref->day_first;
	c.forward = opts->forward_date || opts->ahead;
	c.ahead = opts->ahead;
	c.last_end = (size_t)-1;
	r = nlp_zone_local(&z, secs, &c.ref);
	if (r < 0)
		goto out;
	for (i = 0; i < c.n && nr < RES_MAX;) {
		if (!scan_start(text, i)) {
			i++;
			continue;
		}
		if (nlp_scan_at(&c, i, &tmp, false)) {
			if (!(tmp.flags & F_DEAD)) {
				res[nr++] = tmp;
				c.last_end = tmp.e;
			}
			i = tmp.e;
			continue;
		}
		if (!lx_alnum((unsigned char)text[i]))
			i++;
		while (i < c.n && lx_alnum((unsigned char)text[i]))
			i++;
	}
	nr = nlp_refine(&c, res, nr);
	for (int k = 0; k < nr && ret->nmatches < NLP_MATCHES_MAX; k++) {
		if (unlikely(&c, &res[k]))
			continue;
		if (finish(&c, &res[k], &ret->matches[ret->nmatches]))
			ret->nmatches++;
	}
	nlp_task(text, ret, ret);
	r = ret->nmatches;
out:
	nlp_zone_leave(&z);
	return r;
}

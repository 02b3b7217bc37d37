/*
 * ics — the VEVENTs of an iCalendar text (RFC 5545), read with libical.
 *
 * libical unfolds lines, unescapes "\," "\;" "\n" in text values, resolves
 * TZID against the calendar's VTIMEZONEs and the system zone database, and
 * works out DTEND from DURATION.  This file maps what it finds onto
 * struct ev_event:
 *
 *   DTSTART:20251031T183000Z             "2025-10-31T18:30:00Z", offset "Z"
 *   DTSTART;TZID=Europe/Berlin:…T193000  "2025-10-31T19:30:00", named zone
 *   DTSTART;VALUE=DATE:20251031          "2025-10-31", all day
 *   DTSTART:20251031T193000              floating (the reader's zone)
 *
 * A TZID that is not an IANA name (Outlook's "W. Europe Standard Time")
 * but has a VTIMEZONE becomes a fixed offset for that instant
 * ("2025-10-31T19:30:00+01:00"); one with neither is read as floating.
 */
#include <errno.h>
#include <libical/ical.h> /* the types; calls go through icalx */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/ev_int.h"
#include "events/event.h"
#include "events/icalx.h"

#define DAY_MS (86400LL * 1000)
#define ZONES_MAX 16 /* time zones one calendar may have converted */

/* One VEVENT while the list is being ordered. */
struct pick {
	icalcomponent *comp;
	struct ev_rank rank; /* seq: order in the text */
	int64_t ms;          /* start instant, valid when has_start */
	bool has_start;
	bool all_day; /* ms is the start of the day in the reader's zone */
};

bool
ev_is_ics(const char *buf, size_t len)
{
	static const char magic[] = "BEGIN:VCALENDAR";
	size_t i = 0;

	if (buf == NULL)
		return false;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len &&
	    (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	        buf[i] == '\n'))
		i++;
	return len - i >= sizeof(magic) - 1 &&
	    strncasecmp(buf + i, magic, sizeof(magic) - 1) == 0;
}

/* dst = the cleaned text of src (ev_set_text: white space collapsed,
 * UTF-8 made valid, never cut inside a character); NULL leaves "". */
static void
set_text(char *dst, size_t cap, const char *src)
{
	dst[0] = '\0';
	if (src != NULL)
		ev_set_text(dst, cap, src, strlen(src));
}

/* e->url from URL, resolved against o->base_url when there is one;
 * javascript: and data: links are dropped (ev_set_url). */
static void
set_url(const struct ev_opts *o, struct ev_event *e, const char *src)
{
	struct ev_ctx c;

	if (src == NULL)
		return;
	memset(&c, 0, sizeof(c));
	c.o = o;
	if (o != NULL && o->base_url != NULL)
		snprintf(c.base, sizeof(c.base), "%s", o->base_url);
	ev_set_url(&c, e->url, sizeof(e->url), src, strlen(src));
}

static bool
time_sane(struct icaltimetype t)
{
	if (icaltime_is_null_time(t))
		return false;
	if (t.year < 1 || t.year > 9999 || t.month < 1 || t.month > 12 ||
	    t.day < 1 || t.day > icaltime_days_in_month(t.month, t.year))
		return false;
	return t.is_date ||
	    (t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 &&
	        t.second >= 0 && t.second <= 60);
}

/* "2025-10-31" or "2025-10-31T19:30:00", then suffix ("Z", "+01:00"). */
static void
format_time(struct icaltimetype t, const char *suffix, char *out, size_t len)
{
	if (t.is_date)
		snprintf(out, len, "%04d-%02d-%02d", t.year, t.month, t.day);
	else
		snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d%s", t.year,
		    t.month, t.day, t.hour, t.minute, t.second, suffix);
}

/* An IANA zone name the system zone database knows? */
static bool
known_zone(const char *name)
{
	return name != NULL && name[0] != '\0' && name[0] != '/' &&
	    strlen(name) < 64 &&
	    icaltimezone_get_builtin_timezone(name) != NULL;
}

/*
 * The IANA name of zone (found through tzid): the VTIMEZONE's
 * X-LIC-LOCATION, the TZID itself, or the tail of a path-like TZID
 * ("/mozilla.org/20050126_1/Europe/Berlin").  false when there is none.
 */
static bool
zone_name(icaltimezone *zone, const char *tzid, char *out, size_t len)
{
	const char *name = NULL;

	if (zone != NULL && known_zone(icaltimezone_get_location(zone)))
		name = icaltimezone_get_location(zone);
	else if (known_zone(tzid))
		name = tzid;
	else if (tzid != NULL && strlen(tzid) < 256)
		for (const char *p = strchr(tzid, '/');
		     p != NULL && name == NULL; p = strchr(p + 1, '/'))
			if (known_zone(p + 1))
				name = p + 1;
	if (name == NULL)
		return false;
	snprintf(out, len, "%s", name);
	return true;
}

/* "+01:00" for the offset of zone at wall time t. */
static void
offset_suffix(icaltimezone *zone, struct icaltimetype t, char *out, size_t len)
{
	int dst = 0, off = icaltimezone_get_utc_offset(zone, &t, &dst);
	int a = off < 0 ? -off : off;

	snprintf(out, len, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600 % 100,
	    a / 60 % 60);
}

static const char *
tzid_of(icalproperty *prop)
{
	icalparameter *p;

	p = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
	return p != NULL ? icalparameter_get_tzid(p) : NULL;
}

static int
by_count(const short *by, int size)
{
	int n = 0;

	while (n < size && by[n] != ICAL_RECURRENCE_ARRAY_MAX)
		n++;
	return n;
}

/*
 * May libical work out offsets from this calendar-defined VTIMEZONE?  It
 * expands every rule from its DTSTART up to the year asked for, so one
 * hostile rule (FREQ=MINUTELY from 1601, a year of 9999) takes hours.  Real
 * zones have a few yearly rules naming one month and one weekday, or up
 * to seven month days ("second Sunday": BYMONTHDAY=8,…,14;BYDAY=SU).
 */
static bool
zone_tame(icaltimezone *zone)
{
	icalcomponent *vtz = icaltimezone_get_component(zone), *c;
	icalproperty *p;
	int nrules = 0;

	if (vtz == NULL)
		return false;
	for (c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	     c != NULL;
	     c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		for (p = icalcomponent_get_first_property(
		         c, ICAL_RRULE_PROPERTY);
		     p != NULL; p = icalcomponent_get_next_property(
		                    c, ICAL_RRULE_PROPERTY)) {
			struct icalrecurrencetype r = icalproperty_get_rrule(p);

			if (++nrules > 8 || r.freq != ICAL_YEARLY_RECURRENCE ||
			    r.interval < 1 ||
			    by_count(r.by_second, ICAL_BY_SECOND_SIZE) > 0 ||
			    by_count(r.by_minute, ICAL_BY_MINUTE_SIZE) > 0 ||
			    by_count(r.by_hour, ICAL_BY_HOUR_SIZE) > 0 ||
			    by_count(r.by_year_day, ICAL_BY_YEARDAY_SIZE) > 0 ||
			    by_count(r.by_week_no, ICAL_BY_WEEKNO_SIZE) > 0 ||
			    by_count(r.by_set_pos, ICAL_BY_SETPOS_SIZE) > 0 ||
			    by_count(r.by_month, ICAL_BY_MONTH_SIZE) > 1 ||
			    by_count(r.by_day, ICAL_BY_DAY_SIZE) > 1 ||
			    by_count(r.by_month_day, ICAL_BY_MONTHDAY_SIZE) > 7)
				return false;
		}
	}
	return true;
}

/*
 * The zones one extraction converts with, each checked once.  Working out
 * a zone's offsets costs up to a few hundred milliseconds (see
 * zone_tame), so a calendar gets a handful; times in any further zone are
 * taken as written.
 */
struct zones {
	icaltimezone *zone[ZONES_MAX];
	bool ok[ZONES_MAX];
	int n;
};

/* zone when it may be used for conversions (a calendar-defined one only
 * when tame), else NULL. */
static icaltimezone *
admit(struct zones *zs, icaltimezone *zone, bool calendar)
{
	if (zone == NULL)
		return NULL;
	for (int k = 0; k < zs->n; k++)
		if (zs->zone[k] == zone)
			return zs->ok[k] ? zone : NULL;
	if (zs->n == ZONES_MAX)
		return NULL;
	zs->zone[zs->n] = zone;
	zs->ok[zs->n] = !calendar || zone_tame(zone);
	return zs->ok[zs->n++] ? zone : NULL;
}

/* How a DTSTART or DTEND value reads. */
struct zoned {
	enum ev_tz_kind kind;
	char name[64];      /* "Z", an IANA name, "floating", "date-only" */
	icaltimezone *conv; /* converts it; NULL: a date, floating, or a
	                       zone past the ZONES_MAX budget */
};

/*
 * Read the zone of t, the value of prop: UTC, an IANA zone (converted
 * with the system's rules, whatever the calendar's VTIMEZONE of that name
 * says), a calendar-defined zone (converted with its rules when they are
 * tame: EV_TZ_OFFSET), or floating (no zone, an unknown one, a wild one).
 */
static void
resolve(struct icaltimetype t, icalproperty *prop, struct zones *zs,
    struct zoned *z)
{
	icaltimezone *zone = (icaltimezone *)t.zone;

	memset(z, 0, sizeof(*z));
	if (t.is_date) {
		z->kind = EV_TZ_DATE;
		snprintf(z->name, sizeof(z->name), "date-only");
	} else if (icaltime_is_utc(t)) {
		z->kind = EV_TZ_OFFSET;
		z->conv = icaltimezone_get_utc_timezone();
		snprintf(z->name, sizeof(z->name), "Z");
	} else if (zone != NULL &&
	    zone_name(zone, tzid_of(prop), z->name, sizeof(z->name))) {
		z->kind = EV_TZ_NAMED;
		z->conv = admit(
		    zs, icaltimezone_get_builtin_timezone(z->name), false);
	} else if ((z->conv = admit(zs, zone, true)) != NULL) {
		z->kind = EV_TZ_OFFSET;
	} else {
		z->kind = EV_TZ_FLOATING;
		snprintf(z->name, sizeof(z->name), "floating");
	}
}

/*
 * DTSTART and DTEND (or DTSTART plus DURATION) into e.  A DTEND in another
 * zone is shown on the start's clock.  An all-day DTEND is exclusive in
 * iCalendar; e->end holds the last day, as schema.org's endDate does, and
 * stays "" for a one-day event.
 */
static void
fill_times(icalcomponent *comp, struct zones *zs, struct ev_event *e)
{
	icalproperty *sp, *ep;
	struct icaltimetype t, en;
	struct zoned z, ze;
	char suffix[sizeof(z.name)] = "", *raw;
	bool fixed;

	sp = icalcomponent_get_first_property(comp, ICAL_DTSTART_PROPERTY);
	if (sp == NULL)
		return;
	raw = icalproperty_get_value_as_string_r(sp);
	if (raw != NULL) {
		snprintf(e->start_raw, sizeof(e->start_raw), "%s", raw);
		icalmemory_free_buffer(raw);
	}
	t = icalcomponent_get_dtstart(comp);
	if (!time_sane(t))
		return;
	resolve(t, sp, zs, &z);
	/* a calendar-defined zone: the offset it has at that time */
	fixed = z.kind == EV_TZ_OFFSET && !icaltime_is_utc(t);
	if (fixed)
		offset_suffix(z.conv, t, z.name, sizeof(z.name));
	if (z.kind == EV_TZ_OFFSET)
		snprintf(suffix, sizeof(suffix), "%s", z.name);
	e->tz_kind = z.kind;
	e->all_day = t.is_date;
	snprintf(e->timezone, sizeof(e->timezone), "%s", z.name);
	format_time(t, suffix, e->start, sizeof(e->start));

	ep = icalcomponent_get_first_property(comp, ICAL_DTEND_PROPERTY);
	if (ep == NULL &&
	    icalcomponent_get_first_property(comp, ICAL_DURATION_PROPERTY) ==
	        NULL)
		return;
	en = icalcomponent_get_dtend(comp);
	if (!time_sane(en) || en.is_date != t.is_date)
		return;
	if (t.is_date) {
		icaltime_adjust(&en, -1, 0, 0, 0);
		if (icaltime_compare_date_only(en, t) <= 0)
			return;
	} else if (ep != NULL && z.conv != NULL) {
		resolve(en, ep, zs, &ze);
		if (ze.conv != NULL && ze.conv != z.conv) {
			en.zone = ze.conv;
			en = icaltime_convert_to_zone(en, z.conv);
		}
	}
	if (fixed)
		offset_suffix(z.conv, en, suffix, sizeof(suffix));
	/* compared as wall times: both are on the start's clock now */
	en.zone = NULL;
	t.zone = NULL;
	if (icaltime_compare(en, t) < 0)
		return;
	format_time(en, suffix, e->end, sizeof(e->end));
}

static void
fill_event(icalcomponent *comp, const struct ev_opts *o, struct zones *zs,
    struct ev_event *e)
{
	icalproperty *p;

	memset(e, 0, sizeof(*e));
	e->source = EV_SRC_ICS;
	e->tz_kind = EV_TZ_NONE;
	set_text(e->name, sizeof(e->name), icalcomponent_get_summary(comp));
	set_text(
	    e->location, sizeof(e->location), icalcomponent_get_location(comp));
	set_text(e->description, sizeof(e->description),
	    icalcomponent_get_description(comp));
	p = icalcomponent_get_first_property(comp, ICAL_URL_PROPERTY);
	if (p != NULL)
		set_url(o, e, icalproperty_get_url(p));
	fill_times(comp, zs, e);
	switch (icalcomponent_get_status(comp)) {
	case ICAL_STATUS_CANCELLED:
		snprintf(e->status, sizeof(e->status), "cancelled");
		break;
	case ICAL_STATUS_CONFIRMED:
		snprintf(e->status, sizeof(e->status), "scheduled");
		break;
	default:
		break;
	}
	p = icalcomponent_get_first_property(comp, ICAL_RRULE_PROPERTY);
	if (p != NULL) {
		struct icalrecurrencetype r = icalproperty_get_rrule(p);
		char *s = NULL;

		if (r.freq != ICAL_NO_RECURRENCE)
			s = icalrecurrencetype_as_string_r(&r);
		if (s != NULL && strlen(s) < sizeof(e->rrule))
			snprintf(e->rrule, sizeof(e->rrule), "%s", s);
		icalmemory_free_buffer(s);
	}
}

/* One extraction. */
struct ics {
	const struct ev_opts *o;
	icaltimezone *reader; /* floating times and dates are read in it */
	struct zones zs;
	struct pick *picks; /* every VEVENT, in text order until sorted */
	size_t n, cap;
};

/* The start instant of comp for ordering; floating times, dates and
 * times in zones past the budget are read in the reader's zone. */
static void
pick_of(struct ics *x, icalcomponent *comp, struct pick *pk)
{
	icalproperty *sp;
	struct icaltimetype t;
	struct zoned z;
	icaltimezone *zone;

	sp = icalcomponent_get_first_property(comp, ICAL_DTSTART_PROPERTY);
	if (sp == NULL)
		return;
	t = icalcomponent_get_dtstart(comp);
	if (!time_sane(t))
		return;
	resolve(t, sp, &x->zs, &z);
	zone = z.conv != NULL ? z.conv : x->reader;
	pk->ms = (int64_t)icaltime_as_timet_with_zone(t, zone) * 1000;
	pk->has_start = true;
	pk->all_day = t.is_date;
}

/* Rank every pick (an all-day event is upcoming until its day is over):
 * is any upcoming? */
static bool
rank_picks(struct pick *p, size_t n, int64_t now_ms)
{
	bool upcoming = false;

	for (size_t k = 0; k < n; k++)
		if (ev_rank_set(&p[k].rank, p[k].has_start, p[k].ms,
		        p[k].all_day ? p[k].ms + DAY_MS - 1 : p[k].ms, now_ms))
			upcoming = true;
	return upcoming;
}

/* In the order of a page's events (extract.c). */
static int
pick_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	return ev_rank_cmp(&x->rank, &y->rank);
}

/* Append the VEVENTs of one VCALENDAR to x->picks, with their start
 * instants when the list is to be ordered. */
static int
collect(struct ics *x, icalcomponent *cal)
{
	for (icalcomponent *c =
	         icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     c != NULL;
	     c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		struct pick *pk;

		if (x->n == x->cap) {
			size_t nc = x->cap ? x->cap * 2 : 16;
			struct pick *np = realloc(x->picks, nc * sizeof(*np));

			if (np == NULL)
				return -ENOMEM;
			x->picks = np;
			x->cap = nc;
		}
		pk = &x->picks[x->n];
		memset(pk, 0, sizeof(*pk));
		pk->comp = c;
		pk->rank.seq = x->n++;
		if (x->o->now_ms != 0)
			pick_of(x, c, pk);
	}
	return 0;
}

/* The text as icalparser_get_line() reads it, fgets-like. */
struct line_src {
	const char *pos, *end;
};

/*
 * Hand libical the next piece of the text: up to size-1 bytes, through the
 * end of the line.  A CR not followed by LF ends a line too (some servers
 * send CR alone) and is handed over as LF.  Ours, not libical's string
 * generator, because that one looks for the line end past size each time,
 * which is quadratic in a long line, and wants a NUL-terminated copy.
 */
static char *
next_line(char *out, size_t size, void *arg)
{
	struct line_src *s = arg;
	size_t max = (size_t)(s->end - s->pos), n = 0;

	if (max == 0 || size < 2)
		return NULL;
	if (max > size - 1)
		max = size - 1;
	while (n < max) {
		char ch = s->pos[n++];

		if (ch == '\n')
			break;
		if (ch == '\r' && (s->pos + n == s->end || s->pos[n] != '\n')) {
			memcpy(out, s->pos, n - 1);
			out[n - 1] = '\n';
			out[n] = '\0';
			s->pos += n;
			return out;
		}
	}
	memcpy(out, s->pos, n);
	out[n] = '\0';
	s->pos += n;
	return out;
}

/*
 * The top-level components of len bytes of text (a NUL ends it early): one
 * VCALENDAR, or an XROOT holding several.  A component left open at the end
 * (a missing END:VCALENDAR, a cut-off download) is closed where the text
 * stops, as icalparser_clean() does.  NULL when nothing was read.  Caller
 * frees with icalcomponent_free().
 */
static icalcomponent *
parse_text(const char *buf, size_t len)
{
	const char *nul = memchr(buf, '\0', len);
	struct line_src src = {buf, nul != NULL ? nul : buf + len};
	icalcomponent *root, *rest, *x;
	icalparser *p = icalparser_new();

	if (p == NULL)
		return NULL;
	icalparser_set_gen_data(p, &src);
	root = icalparser_parse(p, next_line);
	/* clean() leaves what it returns owned by the parser: keep a copy */
	rest = icalparser_clean(p);
	if (rest != NULL)
		rest = icalcomponent_new_clone(rest);
	icalparser_free(p);
	if (rest == NULL)
		return root;
	if (root == NULL)
		return rest;
	if (icalcomponent_isa(root) != ICAL_XROOT_COMPONENT) {
		x = icalcomponent_new(ICAL_XROOT_COMPONENT);
		if (x == NULL) {
			icalcomponent_free(rest);
			return root;
		}
		icalcomponent_add_component(x, root);
		root = x;
	}
	icalcomponent_add_component(root, rest);
	return root;
}

int
ev_extract_ics(
    const char *buf, size_t len, const struct ev_opts *o, struct ev_list **ret)
{
	static const struct ev_opts defaults;
	icalcomponent *root = NULL;
	struct ev_list *l = NULL;
	struct ics x;
	int r;

	memset(&x, 0, sizeof(x));
	x.o = o != NULL ? o : &defaults;
	if (len > EV_HTML_MAX)
		return -EFBIG;
	if (!ev_is_ics(buf, len))
		return -EBADMSG;
	r = icalx_load(); /* -ENOSYS: libical.so.3 is not installed */
	if (r < 0)
		return r;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	if (icalerror_get_errors_are_fatal())
		icalerror_set_errors_are_fatal(0);
	root = parse_text(buf, len);
	if (root == NULL) {
		r = -EBADMSG;
		goto out;
	}
	if (x.o->tz != NULL)
		x.reader = icaltimezone_get_builtin_timezone(x.o->tz);
	if (x.reader == NULL)
		x.reader = icaltimezone_get_utc_timezone();
	else
		(void)admit(&x.zs, x.reader, false);
	r = 0;
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
		r = collect(&x, root);
	} else if (icalcomponent_isa(root) == ICAL_XROOT_COMPONENT) {
		for (icalcomponent *c = icalcomponent_get_first_component(
		         root, ICAL_VCALENDAR_COMPONENT);
		     c != NULL && r == 0; c = icalcomponent_get_next_component(
		                              root, ICAL_VCALENDAR_COMPONENT))
			r = collect(&x, c);
	} else {
		r = -EBADMSG;
	}
	if (r < 0)
		goto out;
	/* order every VEVENT before the first EV_MAX_EVENTS are kept: a
	 * feed's upcoming event is often far down a long past */
	if (x.o->now_ms != 0 && x.n > 1 &&
	    rank_picks(x.picks, x.n, x.o->now_ms))
		qsort(x.picks, x.n, sizeof(*x.picks), pick_cmp);
	l->total = x.n;
	l->n = x.n < EV_MAX_EVENTS ? x.n : EV_MAX_EVENTS;
	for (size_t k = 0; k < l->n; k++)
		fill_event(x.picks[k].comp, x.o, &x.zs, &l->ev[k]);
	*ret = l;
	l = NULL;
out:
	if (root != NULL)
		icalcomponent_free(root);
	free(x.picks);
	free(l);
	return r;
}

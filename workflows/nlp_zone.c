/*
 * nlp_zone — a zone named after a time or date: abbreviations (EST, PDT,
 * CET, JST, UTC…) and offsets (+02:00, utc+0245, GMT -08:45, (gmt-2:30),
 * 23.00+14).  Abbreviations count only in capitals (so "get" and "cat"
 * stay words), UTC and GMT in any case.  ET, CT, MT, PT, AET and CET, EET,
 * WET name a place rather than an offset: the offset is the one in force
 * there on that day (chrono reads CET the same way), by today's rules of
 * daylight saving time (the US's since 2007, the EU's since 1996,
 * Australia's since 2008), worked out here rather than by switching TZ.
 */
#include <string.h>

#include "workflows/nlp_int.h"

enum rule { RULE_NONE, RULE_US, RULE_EU, RULE_AU };

struct nlp_zone_rule {
	enum rule rule;
	int std, dst; /* minutes east of UTC */
};

static const struct nlp_zone_rule us_east = {RULE_US, -300, -240},
                                  us_central = {RULE_US, -360, -300},
                                  us_mountain = {RULE_US, -420, -360},
                                  us_pacific = {RULE_US, -480, -420},
                                  eu_west = {RULE_EU, 0, 60},
                                  eu_central = {RULE_EU, 60, 120},
                                  eu_east = {RULE_EU, 120, 180},
                                  au_east = {RULE_AU, 600, 660};

static const struct {
	const char *abbr;
	int minutes;                      /* east of UTC */
	const struct nlp_zone_rule *zone; /* follows DST: minutes unused */
} zones[] = {
    {"UTC", 0, NULL},
    {"GMT", 0, NULL},
    {"EST", -300, NULL},
    {"EDT", -240, NULL},
    {"ET", 0, &us_east},
    {"CST", -360, NULL},
    {"CDT", -300, NULL},
    {"CT", 0, &us_central},
    {"MST", -420, NULL},
    {"MDT", -360, NULL},
    {"MT", 0, &us_mountain},
    {"PST", -480, NULL},
    {"PDT", -420, NULL},
    {"PT", 0, &us_pacific},
    {"AKST", -540, NULL},
    {"AKDT", -480, NULL},
    {"HST", -600, NULL},
    {"AST", -240, NULL},
    {"ADT", -180, NULL},
    {"NST", -210, NULL},
    {"NDT", -150, NULL},
    {"BRT", -180, NULL},
    {"ART", -180, NULL},
    {"WET", 0, &eu_west},
    {"WEST", 60, NULL},
    {"BST", 60, NULL},
    {"IST", 330, NULL},
    {"CET", 0, &eu_central},
    {"CEST", 120, NULL},
    {"MET", 60, NULL},
    {"MEST", 120, NULL},
    {"EET", 0, &eu_east},
    {"EEST", 180, NULL},
    {"MSK", 180, NULL},
    {"GET", 240, NULL},
    {"GST", 240, NULL},
    {"PKT", 300, NULL},
    {"ICT", 420, NULL},
    {"WIB", 420, NULL},
    {"SGT", 480, NULL},
    {"HKT", 480, NULL},
    {"AWST", 480, NULL},
    {"PHT", 480, NULL},
    {"JST", 540, NULL},
    {"KST", 540, NULL},
    {"ACST", 570, NULL},
    {"ACDT", 630, NULL},
    {"AEST", 600, NULL},
    {"AEDT", 660, NULL},
    {"AET", 0, &au_east},
    {"NZST", 720, NULL},
    {"NZDT", 780, NULL},
    {"SAST", 120, NULL},
    {"CAT", 120, NULL},
    {"EAT", 180, NULL},
    {"WAT", 60, NULL},
};

/* Day number of the nth (1–5; -1 last) Sunday of month m of year y. */
static int64_t
sunday(int y, int m, int nth)
{
	int64_t first = time_days_from_civil(y, m, 1), d;

	if (nth > 0)
		return first + (7 - nlp_weekday_of(first)) % 7 + 7 * (nth - 1);
	d = first + time_days_in_month(y, m) - 1;
	return d - nlp_weekday_of(d);
}

int
nlp_zone_rule_offset(const struct nlp_zone_rule *z, int64_t wall)
{
	int64_t days = wall >= 0 ? wall / 86400 : (wall - 86399) / 86400;
	int64_t on, off;
	int y, m, d;

	time_civil_from_days(days, &y, &m, &d);
	switch (z->rule) {
	case RULE_US: /* 2nd Sunday of March 02:00 to 1st of November 02:00 */
		on = sunday(y, 3, 2) * 86400 + 2 * 3600;
		off = sunday(y, 11, 1) * 86400 + 2 * 3600;
		return wall >= on && wall < off ? z->dst : z->std;
	case RULE_EU: /* last Sundays of March and October, 01:00 UTC */
		on = sunday(y, 3, -1) * 86400 + 3600 + z->std * 60;
		off = sunday(y, 10, -1) * 86400 + 3600 + z->dst * 60;
		return wall >= on && wall < off ? z->dst : z->std;
	case RULE_AU: /* 1st Sunday of October 02:00 to 1st of April 03:00 */
		on = sunday(y, 10, 1) * 86400 + 2 * 3600;
		off = sunday(y, 4, 1) * 86400 + 3 * 3600;
		return wall >= on || wall < off ? z->dst : z->std;
	case RULE_NONE:
		break;
	}
	return z->std;
}

/* [+-]HH, [+-]HHMM, [+-]H:MM, [+-]HH:MM at s+i: minutes east. */
static bool
offset_at(const char *s, size_t i, int *min, size_t *end)
{
	int sign, h, m = 0, nd;
	size_t k;

	if (s[i] != '+' && s[i] != '-')
		return false;
	sign = s[i] == '-' ? -1 : 1;
	nd = lx_ndigits(s, i + 1);
	if (nd == 4) {
		h = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
		m = (s[i + 3] - '0') * 10 + (s[i + 4] - '0');
		k = i + 5;
	} else if (nd == 1 || nd == 2) {
		lx_uint(s, i + 1, 2, &h, &k);
		if (s[k] == ':' && lx_ndigits(s, k + 1) == 2)
			lx_uint(s, k + 1, 2, &m, &k);
	} else {
		return false;
	}
	if (h > 14 || m > 59 || lx_alnum((unsigned char)s[k]))
		return false;
	*min = sign * (h * 60 + m);
	*end = k;
	return true;
}

/* An abbreviation in capitals at s+i. */
static int
abbr_at(const char *s, size_t i, size_t *end)
{
	for (size_t k = 0; k < sizeof(zones) / sizeof(zones[0]); k++) {
		size_t n = strlen(zones[k].abbr);
		bool any_case = k < 2; /* UTC, GMT */
		size_t j;

		for (j = 0; j < n; j++) {
			char ch =
			    any_case ? (char)(s[i + j] & ~0x20) : s[i + j];

			if (ch != zones[k].abbr[j])
				break;
		}
		if (j == n && !lx_wordch((unsigned char)s[i + n])) {
			*end = i + n;
			return (int)k;
		}
		if (j == n && any_case &&
		    (s[i + n] == '+' || s[i + n] == '-')) {
			*end = i + n;
			return (int)k;
		}
	}
	return -1;
}

bool
nlp_zone_at(
    struct ctx *c, size_t i, struct comps *t, bool *abs_only, size_t *end)
{
	const char *s = c->s;
	size_t j, k, e;
	bool paren = false;
	int z, min;

	(void)abs_only;
	/* 23.00+14: an offset glued to the time */
	if (offset_at(s, i, &min, &e)) {
		c_set(t, C_OFFSET, min);
		*end = e;
		return true;
	}
	j = lx_sp(s, i);
	if (s[j] == ',' && c_only_date(t))
		j = lx_sp(s, j + 1);
	if (s[j] == '(') {
		paren = true;
		j = lx_sp(s, j + 1);
	}
	if (j == i && !paren)
		return false;
	z = abbr_at(s, j, &e);
	if (z < 0) {
		/* " +02:00", " -0800" after a time */
		if (!c_known(t, C_HOUR) || !offset_at(s, j, &min, &e) ||
		    (lx_ndigits(s, j + 1) == 1 && s[j + 2] != ':'))
			return false;
		c_set(t, C_OFFSET, min);
	} else if (z < 2) {
		/* UTC, GMT, then maybe an offset: utc+02:45, GMT -08:45 */
		k = s[e] == ' ' ? lx_sp(s, e) : e;
		if (offset_at(s, k, &min, &k)) {
			c_set(t, C_OFFSET, min);
			e = k;
		} else {
			c_set(t, C_OFFSET, 0);
		}
	} else if (zones[z].zone != NULL) {
		t->zone = zones[z].zone;
		t->known |= CB(C_OFFSET);
		t->v[C_OFFSET] = 0;
	} else {
		c_set(t, C_OFFSET, zones[z].minutes);
	}
	if (paren) {
		k = lx_sp(s, e);
		if (s[k] != ')')
			return false;
		e = k + 1;
	}
	*end = e;
	return true;
}

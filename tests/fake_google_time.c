/*
 * fake_google_time — the time text Google speaks (RFC 3339 date-times,
 * YYYY-MM-DD dates) and named zones for Calendar's timeZone fields.
 *
 * Zones are read from the system's zoneinfo (TZif files, version 2 and
 * later: the 64-bit transitions, then the POSIX TZ footer for times past
 * the last one).  The fake never touches TZ or libc's zone state: the
 * code under test shares the process and may rely on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fake_google_int.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define TZIF_MAX (1 << 20)
#define DAY_MS 86400000LL

/* ---- calendar arithmetic ---- */

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int mdays[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 ? 28 + is_leap(y) : mdays[m - 1];
}

/* Days from 1970-01-01 to y-m-d (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* n decimal digits at s into *v; false when any is not a digit. */
static bool
digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static bool
date_part(const char *s, int64_t *days)
{
	int y, m, d;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

int
fg_parse_date(const char *s, int64_t *ms)
{
	int64_t days;

	if (s == NULL || strlen(s) != 10 || !date_part(s, &days))
		return -EINVAL;
	*ms = days * DAY_MS;
	return 0;
}

int
fg_parse_datetime(const char *s, bool allow_local, int64_t *ms, bool *zoned)
{
	int64_t days, frac = 0;
	int hh, mi, ss, oh, om, scale = 100;
	const char *p;

	if (s == NULL || strlen(s) < 19 || !date_part(s, &days) ||
	    (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &hh) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &ss) || hh > 23 || mi > 59 || ss > 59)
		return -EINVAL;
	p = s + 19;
	if (*p == '.') {
		if (!(p[1] >= '0' && p[1] <= '9'))
			return -EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	*ms = days * DAY_MS + (hh * 3600 + mi * 60 + ss) * 1000LL + frac;
	*zoned = true;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return 0;
	if ((*p == '+' || *p == '-') && digits(p + 1, 2, &oh) && p[3] == ':' &&
	    digits(p + 4, 2, &om) && p[6] == '\0' && oh < 24 && om < 60) {
		int64_t off = (oh * 3600 + om * 60) * 1000LL;

		*ms -= *p == '+' ? off : -off;
		return 0;
	}
	if (*p == '\0' && allow_local) {
		*zoned = false;
		return 0;
	}
	return -EINVAL;
}

void
fg_format_time(int64_t ms, char *buf, size_t len)
{
	int64_t days = ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
	int64_t rest = ms - days * DAY_MS;
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d,
	    (int)(rest / 3600000), (int)(rest / 60000 % 60),
	    (int)(rest / 1000 % 60), (int)(rest % 1000));
}

/* ---- zones ---- */

/* "Area/City" made of [A-Za-z0-9_+-.] segments, none empty or starting
 * with '.', so it cannot leave the zoneinfo folder. */
static bool
zone_name_ok(const char *tz)
{
	size_t n = strlen(tz);

	if (n == 0 || n > 128 || tz[n - 1] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = tz[i];
		bool seg_start = i == 0 || tz[i - 1] == '/';

		if (seg_start && (ch == '.' || ch == '/'))
			return false;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		        (ch >= '0' && ch <= '9') || ch == '/' || ch == '_' ||
		        ch == '-' || ch == '+' || ch == '.'))
			return false;
	}
	return true;
}

static bool
is_utc(const char *tz)
{
	return strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0 ||
	    strcmp(tz, "GMT") == 0 || strcmp(tz, "Etc/GMT") == 0;
}

/* The zone file's bytes, malloc'd, or NULL. */
static unsigned char *
zone_read(const char *tz, size_t *len)
{
	char path[sizeof(ZONEINFO) + 130];
	unsigned char *buf = NULL;
	struct stat st;
	ssize_t got;
	int fd;

	if (!zone_name_ok(tz))
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", ZONEINFO, tz);
	/* stat first: opening a FIFO would block */
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 44 ||
	    st.st_size > TZIF_MAX)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	got = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	if (got != st.st_size || memcmp(buf, "TZif", 4) != 0) {
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	*len = (size_t)got;
	return buf;
}

bool
fg_tz_valid(const char *tz)
{
	unsigned char *buf;
	size_t len;

	if (tz == NULL)
		return false;
	if (is_utc(tz))
		return true;
	buf = zone_read(tz, &len);
	free(buf);
	return buf != NULL;
}

static int64_t
be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

/* A POSIX TZ rule date ("Mm.w.d", "Jn", "n") and time of day. */
struct rule_date {
	char kind; /* 'M', 'J' or 'n' */
	int m, w, d, n;
	int secs; /* time of day, local */
};

struct posix_tz {
	int std_off, dst_off; /* seconds east of UTC */
	bool has_dst;
	struct rule_date start, end;
};

static const char *
skip_name(const char *p)
{
	if (*p == '<') {
		const char *q = strchr(p, '>');

		return q ? q + 1 : NULL;
	}
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p;
}

/* "[+-]hh[:mm[:ss]]" into seconds; NULL when malformed. */
static const char *
hms(const char *p, int *secs)
{
	int sign = 1, part = 0, v[3] = {0, 0, 0};

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (!(*p >= '0' && *p <= '9'))
		return NULL;
	for (;;) {
		while (*p >= '0' && *p <= '9')
			v[part] = v[part] * 10 + (*p++ - '0');
		if (*p != ':' || part == 2)
			break;
		part++;
		p++;
	}
	*secs = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
	return p;
}

static const char *
rule_date(const char *p, struct rule_date *r)
{
	r->secs = 7200;
	if (*p == 'M') {
		r->kind = 'M';
		if (sscanf(p + 1, "%d.%d.%d", &r->m, &r->w, &r->d) != 3 ||
		    r->m < 1 || r->m > 12 || r->w < 1 || r->w > 5 || r->d < 0 ||
		    r->d > 6)
			return NULL;
		p++;
		while ((*p >= '0' && *p <= '9') || *p == '.')
			p++;
	} else {
		r->kind = *p == 'J' ? 'J' : 'n';
		if (*p == 'J')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		r->n = 0;
		while (*p >= '0' && *p <= '9')
			r->n = r->n * 10 + (*p++ - '0');
	}
	if (*p == '/')
		p = hms(p + 1, &r->secs);
	return p;
}

/* Parse a TZif footer such as "CET-1CEST,M3.5.0,M10.5.0/3". */
static bool
posix_parse(const char *s, struct posix_tz *tz)
{
	const char *p = skip_name(s);
	int off;

	memset(tz, 0, sizeof(*tz));
	if (p == NULL || p == s || (p = hms(p, &off)) == NULL)
		return false;
	tz->std_off = -off; /* POSIX counts west of UTC */
	if (*p == '\0')
		return true;
	s = p;
	if ((p = skip_name(p)) == NULL || p == s)
		return false;
	tz->has_dst = true;
	tz->dst_off = tz->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = hms(p, &off)) == NULL)
			return false;
		tz->dst_off = -off;
	}
	if (*p != ',' || (p = rule_date(p + 1, &tz->start)) == NULL ||
	    *p != ',' || (p = rule_date(p + 1, &tz->end)) == NULL)
		return false;
	return true;
}

/* The day (days since the epoch) a rule date falls on in year y. */
static int64_t
rule_day(const struct rule_date *r, int y)
{
	int64_t first;
	int wd, day;

	if (r->kind == 'J')
		return days_from_civil(y, 1, 1) + r->n - 1 +
		    (is_leap(y) && r->n >= 60);
	if (r->kind == 'n')
		return days_from_civil(y, 1, 1) + r->n;
	first = days_from_civil(y, r->m, 1);
	wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01: Thursday */
	day = 1 + (r->d - wd + 7) % 7 + (r->w - 1) * 7;
	while (day > days_in_month(y, r->m))
		day -= 7;
	return first + day - 1;
}

/* Offset east of UTC at instant t (seconds) under a POSIX rule. */
static int
posix_offset(const struct posix_tz *tz, int64_t t)
{
	int64_t start, end;
	int y, m, d;

	if (!tz->has_dst)
		return tz->std_off;
	civil_from_days(
	    (t + tz->std_off) / 86400 - ((t + tz->std_off) < 0), &y, &m, &d);
	start = rule_day(&tz->start, y) * 86400 + tz->start.secs - tz->std_off;
	end = rule_day(&tz->end, y) * 86400 + tz->end.secs - tz->dst_off;
	if (start < end)
		return t >= start && t < end ? tz->dst_off : tz->std_off;
	return t >= end && t < start ? tz->std_off : tz->dst_off;
}

/* Offset east of UTC at instant t in the TZif data buf; false when the
 * file is not one this reader understands. */
static bool
tzif_offset(const unsigned char *buf, size_t len, int64_t t, int *off)
{
	const unsigned char *p = buf, *trans, *idx, *types, *footer;
	int64_t timecnt, typecnt, charcnt, leapcnt, isstd, isut;
	int64_t lo, hi;
	size_t v1;
	struct posix_tz ptz;

	if (len < 44 || buf[4] < '2')
		return false;
	isut = be(p + 20, 4), isstd = be(p + 24, 4), leapcnt = be(p + 28, 4);
	timecnt = be(p + 32, 4), typecnt = be(p + 36, 4);
	charcnt = be(p + 40, 4);
	v1 = 44 +
	    (size_t)(timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8 + isstd +
	        isut);
	if (v1 + 44 > len || memcmp(buf + v1, "TZif", 4) != 0)
		return false;
	p = buf + v1;
	isut = be(p + 20, 4), isstd = be(p + 24, 4), leapcnt = be(p + 28, 4);
	timecnt = be(p + 32, 4), typecnt = be(p + 36, 4);
	charcnt = be(p + 40, 4);
	trans = p + 44;
	idx = trans + timecnt * 8;
	types = idx + timecnt;
	footer = types + typecnt * 6 + charcnt + leapcnt * 12 + isstd + isut;
	if (typecnt < 1 || footer > buf + len)
		return false;
	if (timecnt > 0 && t >= be(trans + (timecnt - 1) * 8, 8) &&
	    footer < buf + len && *footer == '\n') {
		char rule[128];
		size_t n = strcspn((const char *)footer + 1, "\n");

		if (n > 0 && n < sizeof(rule)) {
			memcpy(rule, footer + 1, n);
			rule[n] = '\0';
			if (posix_parse(rule, &ptz)) {
				*off = posix_offset(&ptz, t);
				return true;
			}
		}
	}
	if (timecnt == 0 || t < be(trans, 8)) {
		*off = (int)be(types, 4);
		return true;
	}
	lo = 0, hi = timecnt - 1; /* the last transition at or before t */
	while (lo < hi) {
		int64_t mid = (lo + hi + 1) / 2;

		if (be(trans + mid * 8, 8) <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	if (idx[lo] >= typecnt)
		return false;
	*off = (int)be(types + idx[lo] * 6, 4);
	return true;
}

int
fg_tz_to_utc(const char *tz, int64_t local_ms, int64_t *ms)
{
	unsigned char *buf;
	size_t len;
	int64_t local = local_ms / 1000 - (local_ms % 1000 < 0), t;
	int off1, off2;
	bool ok;

	if (tz == NULL)
		return -EINVAL;
	if (is_utc(tz)) {
		*ms = local_ms;
		return 0;
	}
	buf = zone_read(tz, &len);
	if (buf == NULL)
		return -EINVAL;
	/* guess with the offset at the local time read as UTC, then settle
	 * on the offset in force at the instant that guess gives */
	ok = tzif_offset(buf, len, local, &off1) &&
	    tzif_offset(buf, len, local - off1, &off2);
	if (ok && off2 != off1) {
		t = local - off2;
		ok = tzif_offset(buf, len, t, &off1);
		off2 = off1;
	}
	free(buf);
	if (!ok)
		return -EINVAL;
	*ms = local_ms - (int64_t)off2 * 1000;
	return 0;
}

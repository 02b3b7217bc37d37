/*
 * nlp_time — calendar arithmetic and time zones for nlp: the zone names
 * this machine knows, fixed offsets, and local time <-> instant through
 * libc.  For a named zone TZ is switched for the length of one parse (or
 * one conversion) and restored (a process is single-threaded where this
 * runs); the zone files are the system's zoneinfo (package tzdata), never
 * parsed here.  UTC and fixed offsets need no switch at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "workflows/nlp.h"
#include "workflows/nlp_int.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define ZONE_NAME_MAX 128

static const char *const wday_names[] = {
    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Calendar arithmetic, proleptic Gregorian, no time zone. */

bool
nlp_date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= time_days_in_month(y, m);
}

int
nlp_weekday_of(int64_t days)
{
	int w = (int)((days + 4) % 7); /* 1970-01-01 was a Thursday */

	return w < 0 ? w + 7 : w;
}

int
nlp_format_day(
    int year, int month, int day, bool with_year, char *buf, size_t len)
{
	int wd, n;

	if (!nlp_date_valid(year, month, day))
		return -EINVAL;
	wd = nlp_weekday_of(time_days_from_civil(year, month, day));
	if (with_year)
		n = snprintf(buf, len, "%s %d %s %d", wday_names[wd], day,
		    month_names[month - 1], year);
	else
		n = snprintf(buf, len, "%s %d %s", wday_names[wd], day,
		    month_names[month - 1]);
	if (n < 0 || (size_t)n >= len)
		return -ERANGE;
	return 0;
}

/* Time zones. */

/* "Area/City" made of [A-Za-z0-9_+-.] segments, none empty or starting
 * with '.', so it cannot leave the zoneinfo folder. */
static bool
zone_name_ok(const char *tz)
{
	size_t n = strlen(tz);

	if (n == 0 || n > ZONE_NAME_MAX || tz[n - 1] == '/')
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

/* Is ZONEINFO/tz a regular file that starts like a TZif file? */
static bool
zone_file_ok(const char *tz)
{
	char path[sizeof(ZONEINFO) + ZONE_NAME_MAX + 2], magic[4];
	struct stat st;
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", ZONEINFO, tz);
	/* stat first: opening a FIFO would block */
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	ok = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

bool
nlp_tz_valid(const char *tz)
{
	if (tz == NULL || !zone_name_ok(tz))
		return false;
	/* glibc knows UTC even without the tzdata package */
	return strcmp(tz, "UTC") == 0 || zone_file_ok(tz);
}

/* Seconds east of UTC from "+02:00", "-0530", "+14". */
int
nlp_offset_parse(const char *s, int *off)
{
	int h, m = 0, sign;
	size_t i = 1;

	if (s == NULL || (s[0] != '+' && s[0] != '-'))
		return -EINVAL;
	sign = s[0] == '-' ? -1 : 1;
	if (!(s[1] >= '0' && s[1] <= '9'))
		return -EINVAL;
	h = s[i++] - '0';
	if (s[i] >= '0' && s[i] <= '9')
		h = h * 10 + (s[i++] - '0');
	if (s[i] == ':')
		i++;
	if (s[i] != '\0') {
		if (!(s[i] >= '0' && s[i] <= '5') ||
		    !(s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 2] != '\0')
			return -EINVAL;
		m = (s[i] - '0') * 10 + (s[i + 1] - '0');
	} else if (s[i - 1] == ':') {
		return -EINVAL;
	}
	if (h > 14)
		return -EINVAL;
	*off = sign * (h * 3600 + m * 60);
	return 0;
}

/* The TZ value that selects zone tz, or -EINVAL. */
static int
tz_value(const char *tz, char *val, size_t len)
{
	/* the last zone found good, so a parse per message does not stat
	 * the same file again and again */
	static _Thread_local char good[ZONE_NAME_MAX + 1];

	if (!zone_name_ok(tz))
		return -EINVAL;
	if (strcmp(tz, good) != 0) {
		if (!zone_file_ok(tz))
			return -EINVAL;
		snprintf(good, sizeof(good), "%s", tz);
	}
	/* an absolute path, so TZDIR cannot point elsewhere */
	snprintf(val, len, ":%s/%s", ZONEINFO, tz);
	return 0;
}

int
nlp_zone_enter(struct nlp_zone *z, const char *tz)
{
	char val[sizeof(ZONEINFO) + ZONE_NAME_MAX + 3];
	const char *cur;

	memset(z, 0, sizeof(*z));
	if (tz == NULL || strcmp(tz, "UTC") == 0 ||
	    strcmp(tz, "Etc/UTC") == 0) {
		z->fixed = true;
		return 0;
	}
	if (tz[0] == '+' || tz[0] == '-') {
		if (nlp_offset_parse(tz, &z->off) < 0)
			return -EINVAL;
		z->fixed = true;
		return 0;
	}
	if (tz_value(tz, val, sizeof(val)) < 0)
		return -EINVAL;
	cur = getenv("TZ");
	if (cur != NULL && strcmp(cur, val) == 0)
		return 0; /* already the process's zone */
	z->had = cur != NULL;
	z->old = cur != NULL ? strdup(cur) : NULL;
	if (z->had && z->old == NULL)
		return -ENOMEM;
	if (setenv("TZ", val, 1) < 0) {
		free(z->old);
		z->old = NULL;
		return -ENOMEM;
	}
	tzset();
	z->switched = true;
	return 0;
}

void
nlp_zone_leave(struct nlp_zone *z)
{
	if (!z->switched)
		return;
	if (z->had)
		setenv("TZ", z->old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(z->old);
	z->old = NULL;
	z->switched = false;
}

int
nlp_tz_use(const char *tz)
{
	char val[sizeof(ZONEINFO) + ZONE_NAME_MAX + 3];
	int off;

	/* UTC and offsets never switch TZ: nothing to do */
	if (tz == NULL || strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0)
		return 0;
	if (tz[0] == '+' || tz[0] == '-')
		return nlp_offset_parse(tz, &off);
	if (tz_value(tz, val, sizeof(val)) < 0 || setenv("TZ", val, 1) < 0)
		return -EINVAL;
	tzset();
	return 0;
}

static void
lt_from_secs(int64_t t, int off, struct nlp_lt *lt)
{
	int64_t w = t + off, days = w >= 0 ? w / 86400 : (w - 86399) / 86400;
	int sod = (int)(w - days * 86400);

	time_civil_from_days(days, &lt->y, &lt->m, &lt->d);
	lt->h = sod / 3600;
	lt->mi = sod / 60 % 60;
	lt->s = sod % 60;
	lt->wday = nlp_weekday_of(days);
	lt->off = off;
}

int
nlp_zone_local(const struct nlp_zone *z, int64_t t, struct nlp_lt *lt)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (z->fixed) {
		lt_from_secs(t, z->off, lt);
		return 0;
	}
	if (localtime_r(&tt, &tm) == NULL)
		return -EINVAL;
	lt->y = tm.tm_year + 1900;
	lt->m = tm.tm_mon + 1;
	lt->d = tm.tm_mday;
	lt->h = tm.tm_hour;
	lt->mi = tm.tm_min;
	lt->s = tm.tm_sec;
	lt->wday = tm.tm_wday;
	lt->off = (int)tm.tm_gmtoff;
	return 0;
}

/* Does instant t show as y-m-d h:mi:s in the current zone? */
static bool
shows_as(time_t t, int y, int m, int d, int h, int mi, int s)
{
	struct tm tm;

	return localtime_r(&t, &tm) != NULL && tm.tm_year + 1900 == y &&
	    tm.tm_mon + 1 == m && tm.tm_mday == d && tm.tm_hour == h &&
	    tm.tm_min == mi && tm.tm_sec == s;
}

static long
offset_at(time_t t)
{
	struct tm tm;

	return localtime_r(&t, &tm) != NULL ? tm.tm_gmtoff : 0;
}

int
nlp_zone_instant(const struct nlp_zone *z, int y, int m, int d, int h, int mi,
    int s, int64_t *t, int *dst)
{
	int64_t wall =
	    time_days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
	time_t before, after;
	bool ok_b, ok_a;

	if (dst != NULL)
		*dst = 0;
	if (z->fixed) {
		*t = wall - z->off;
		return 0;
	}
	/*
	 * The offsets a day before and a day after bracket any transition
	 * near this wall time.  Both readings valid: the time happens twice,
	 * take the first.  Neither: it falls in a gap; reading it with the
	 * offset from before the gap lands just as far past it.
	 */
	before = (time_t)(wall - offset_at((time_t)(wall - 86400)));
	after = (time_t)(wall - offset_at((time_t)(wall + 86400)));
	ok_b = shows_as(before, y, m, d, h, mi, s);
	ok_a = shows_as(after, y, m, d, h, mi, s);
	if (ok_b && ok_a) {
		*t = before < after ? before : after;
		if (dst != NULL && before != after)
			*dst = 2;
	} else if (ok_b || ok_a) {
		*t = ok_b ? before : after;
	} else {
		*t = before;
		if (dst != NULL)
			*dst = 1;
	}
	return 0;
}

static int64_t
secs_of(int64_t ms)
{
	return ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
}

int
nlp_local(const char *tz, int64_t ms, int *year, int *month, int *day,
    int *hour, int *minute, int *wday)
{
	struct nlp_zone z;
	struct nlp_lt lt;
	int r;

	r = nlp_zone_enter(&z, tz);
	if (r < 0)
		return r;
	r = nlp_zone_local(&z, secs_of(ms), &lt);
	nlp_zone_leave(&z);
	if (r < 0)
		return r;
	if (year != NULL)
		*year = lt.y;
	if (month != NULL)
		*month = lt.m;
	if (day != NULL)
		*day = lt.d;
	if (hour != NULL)
		*hour = lt.h;
	if (minute != NULL)
		*minute = lt.mi;
	if (wday != NULL)
		*wday = lt.wday;
	return 0;
}

int
nlp_instant(const char *tz, int year, int month, int day, int hour, int minute,
    int64_t *ret_ms)
{
	struct nlp_zone z;
	int64_t t;
	int r;

	if (!nlp_date_valid(year, month, day) || hour < 0 || hour > 23 ||
	    minute < 0 || minute > 59 || ret_ms == NULL)
		return -EINVAL;
	r = nlp_zone_enter(&z, tz);
	if (r < 0)
		return r;
	r = nlp_zone_instant(&z, year, month, day, hour, minute, 0, &t, NULL);
	nlp_zone_leave(&z);
	if (r == 0)
		*ret_ms = t * 1000;
	return r;
}

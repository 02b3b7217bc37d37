/*
 * nlp_time — calendar arithmetic and time zones for nlp: the zone names
 * this machine knows, and local time <-> instant through libc.  TZ is
 * switched for the length of one conversion and restored (a process is
 * single-threaded where this runs); the zone files are the system's
 * zoneinfo (package tzdata), never parsed here.
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

int
nlp_days_in_month(int y, int m)
{
	static const int mdays[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : mdays[m - 1];
}

bool
nlp_date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= nlp_days_in_month(y, m);
}

/* Days from 1970-01-01 to y-m-d (H. Hinnant's algorithm). */
int64_t
nlp_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
nlp_civil_from_days(int64_t z, int *y, int *m, int *d)
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

static int
weekday_of(int64_t days)
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
	wd = weekday_of(nlp_days_from_civil(year, month, day));
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

struct tz_saved {
	char *old; /* TZ before, or NULL when it was unset */
	bool had;
};

/* Switch the process to zone tz (NULL: UTC) until tz_leave(). */
static int
tz_enter(const char *tz, struct tz_saved *sv)
{
	char val[sizeof(ZONEINFO) + ZONE_NAME_MAX + 3];
	const char *cur;

	if (tz == NULL)
		tz = "UTC";
	if (!zone_name_ok(tz))
		return -EINVAL;
	if (zone_file_ok(tz))
		/* an absolute path, so TZDIR cannot point elsewhere */
		snprintf(val, sizeof(val), ":%s/%s", ZONEINFO, tz);
	else if (strcmp(tz, "UTC") == 0)
		snprintf(val, sizeof(val), "UTC0");
	else
		return -EINVAL;
	cur = getenv("TZ");
	sv->had = cur != NULL;
	sv->old = cur != NULL ? strdup(cur) : NULL;
	if (sv->had && sv->old == NULL)
		return -ENOMEM;
	if (setenv("TZ", val, 1) < 0) {
		free(sv->old);
		return -errno;
	}
	tzset();
	return 0;
}

static void
tz_leave(struct tz_saved *sv)
{
	if (sv->had)
		setenv("TZ", sv->old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(sv->old);
	sv->old = NULL;
}

static time_t
secs_of(int64_t ms)
{
	return (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
}

int
nlp_local(const char *tz, int64_t ms, int *year, int *month, int *day,
    int *hour, int *minute, int *wday)
{
	struct tz_saved sv;
	time_t t = secs_of(ms);
	struct tm tm;
	bool ok;
	int r;

	r = tz_enter(tz, &sv);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	ok = localtime_r(&t, &tm) != NULL;
	tz_leave(&sv);
	if (!ok)
		return -EINVAL;
	if (year != NULL)
		*year = tm.tm_year + 1900;
	if (month != NULL)
		*month = tm.tm_mon + 1;
	if (day != NULL)
		*day = tm.tm_mday;
	if (hour != NULL)
		*hour = tm.tm_hour;
	if (minute != NULL)
		*minute = tm.tm_min;
	if (wday != NULL)
		*wday = tm.tm_wday;
	return 0;
}

/* Does instant t show as y-m-d h:mi in the current zone? */
static bool
shows_as(time_t t, int y, int m, int d, int h, int mi)
{
	struct tm tm;

	return localtime_r(&t, &tm) != NULL && tm.tm_year + 1900 == y &&
	    tm.tm_mon + 1 == m && tm.tm_mday == d && tm.tm_hour == h &&
	    tm.tm_min == mi;
}

static long
offset_at(time_t t)
{
	struct tm tm;

	return localtime_r(&t, &tm) != NULL ? tm.tm_gmtoff : 0;
}

int
nlp_instant(const char *tz, int year, int month, int day, int hour, int minute,
    int64_t *ret_ms)
{
	struct tz_saved sv;
	time_t wall, before, after, t;
	int r;

	if (!nlp_date_valid(year, month, day) || hour < 0 || hour > 23 ||
	    minute < 0 || minute > 59 || ret_ms == NULL)
		return -EINVAL;
	wall = (time_t)(nlp_days_from_civil(year, month, day) * 86400 +
	    hour * 3600 + minute * 60);
	r = tz_enter(tz, &sv);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	/*
	 * The offsets a day before and a day after bracket any transition
	 * near this wall time.  Both readings valid: the time happens twice,
	 * take the first.  Neither: it falls in a gap; reading it with the
	 * offset from before the gap lands just as far past it.
	 */
	before = wall - offset_at(wall - 86400);
	after = wall - offset_at(wall + 86400);
	if (shows_as(before, year, month, day, hour, minute))
		t = before;
	else if (shows_as(after, year, month, day, hour, minute))
		t = after;
	else
		t = before;
	if (after < t && shows_as(after, year, month, day, hour, minute))
		t = after;
	tz_leave(&sv);
	*ret_ms = (int64_t)t * 1000;
	return 0;
}

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/cfg.h"
#include "common/timeutil.h"

int64_t
time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
time_format_iso(int64_t ms, char *buf, size_t len)
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)secs * 1000);
	struct tm tm;
	int n;

	if (gmtime_r(&secs, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0)
		return -ERANGE;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, frac);
	if (n < 0 || (size_t)n >= len)
		return -ERANGE;
	return 0;
}

/* Read exactly n digits from *p into *ret and advance. */
static int
digits(const char **p, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char ch = (*p)[i];

		if (ch < '0' || ch > '9')
			return -EINVAL;
		v = v * 10 + (ch - '0');
	}
	*p += n;
	*ret = v;
	return 0;
}

int
time_days_in_month(int y, int m)
{
	static const int mdays[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : mdays[m - 1];
}

int64_t
time_days_from_civil(int y, int m, int d)
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
time_civil_from_days(int64_t z, int *y, int *m, int *d)
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

int
time_parse_iso(const char *s, int64_t *ret_ms)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, oh, om;
	int64_t offset_min = 0, v;

	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0)
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > time_days_in_month(y, mo))
		return -EINVAL;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' ||
		    digits(&p, 2, &mi) < 0)
			return -EINVAL;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) < 0)
				return -EINVAL;
			if (*p == '.') {
				int scale = 100;

				p++;
				if (*p < '0' || *p > '9')
					return -EINVAL;
				for (; *p >= '0' && *p <= '9'; p++) {
					ms += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -EINVAL;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1;

			if (digits(&p, 2, &oh) < 0)
				return -EINVAL;
			if (*p == ':')
				p++;
			if (digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
				return -EINVAL;
			offset_min = sign * (oh * 60 + om);
		}
	}
	if (*p != '\0')
		return -EINVAL;
	v = time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	v -= offset_min * 60;
	*ret_ms = v * 1000 + ms;
	return 0;
}

int
time_parse_since(const char *s, int64_t now_ms, int64_t *ret_ms)
{
	int64_t d;

	if (time_parse_iso(s, ret_ms) == 0)
		return 0;
	if (cfg_parse_duration(s, &d) == 0) {
		*ret_ms = now_ms - d;
		return 0;
	}
	return -EINVAL;
}

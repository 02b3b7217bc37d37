/*
 * date — ISO 8601 dates as pages write them, into the normalised form of
 * struct ev_event: "-0400" becomes "-04:00", "Z" stays "Z", a date alone
 * is all-day, a wall time without a zone is floating.  Durations
 * ("PT2H") give an end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/timeutil.h"
#include "events/ev_int.h"

/* Read exactly k digits at s[*i]. */
static int
digits(const char *s, size_t n, size_t *i, int k, int *ret)
{
	int v = 0;

	if (*i + (size_t)k > n)
		return -EINVAL;
	for (int j = 0; j < k; j++) {
		char ch = s[*i + (size_t)j];

		if (ch < '0' || ch > '9')
			return -EINVAL;
		v = v * 10 + (ch - '0');
	}
	*i += (size_t)k;
	*ret = v;
	return 0;
}

static bool
at(const char *s, size_t n, size_t i, char ch)
{
	return i < n && s[i] == ch;
}

/* "HH:MM[:SS[.f]]" or "HHMM[SS[.f]]" at s[*i]. */
static int
read_time(const char *s, size_t n, size_t *i, struct ev_date *d)
{
	bool ext;

	if (digits(s, n, i, 2, &d->h) < 0)
		return -EINVAL;
	ext = at(s, n, *i, ':');
	if (ext)
		(*i)++;
	if (digits(s, n, i, 2, &d->mi) < 0)
		return -EINVAL;
	d->has_time = true;
	if (ext ? at(s, n, *i, ':')
	        : *i + 1 < n && s[*i] >= '0' && s[*i] <= '9') {
		if (ext)
			(*i)++;
		if (digits(s, n, i, 2, &d->s) < 0)
			return -EINVAL;
		d->has_sec = true;
		if (at(s, n, *i, '.') || at(s, n, *i, ',')) {
			(*i)++;
			while (*i < n && s[*i] >= '0' && s[*i] <= '9')
				(*i)++;
		}
	}
	if (d->h > 23 || d->mi > 59 || d->s > 60)
		return -EINVAL;
	return 0;
}

/* "Z", "±HH:MM", "±HHMM" or "±HH" at s[*i], after optional blanks. */
static int
read_zone(const char *s, size_t n, size_t *i, struct ev_date *d)
{
	int hh, mm = 0, sign;
	size_t j = *i;

	while (j < n && s[j] == ' ')
		j++;
	if (j >= n)
		return 0;
	if (s[j] == 'Z' || s[j] == 'z') {
		d->zone = EV_ZONE_Z;
		*i = j + 1;
		return 0;
	}
	if (s[j] != '+' && s[j] != '-')
		return -EINVAL;
	sign = s[j] == '-' ? -1 : 1;
	j++;
	if (digits(s, n, &j, 2, &hh) < 0)
		return -EINVAL;
	if (at(s, n, j, ':'))
		j++;
	if (j < n && s[j] >= '0' && s[j] <= '9' && digits(s, n, &j, 2, &mm) < 0)
		return -EINVAL;
	if (hh > 23 || mm > 59)
		return -EINVAL;
	d->zone = EV_ZONE_OFFSET;
	d->off_min = sign * (hh * 60 + mm);
	*i = j;
	return 0;
}

int
ev_date_parse(const char *s, size_t n, struct ev_date *d)
{
	size_t i = 0;
	bool ext;

	memset(d, 0, sizeof(*d));
	while (n > 0 && (unsigned char)s[0] <= 0x20)
		s++, n--;
	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	if (digits(s, n, &i, 4, &d->y) < 0 || d->y < 1)
		return -EINVAL;
	ext = at(s, n, i, '-');
	if (ext)
		i++;
	if (digits(s, n, &i, 2, &d->mo) < 0)
		return -EINVAL;
	if (ext && !at(s, n, i, '-'))
		return -EINVAL;
	if (ext)
		i++;
	if (digits(s, n, &i, 2, &d->d) < 0)
		return -EINVAL;
	if (d->mo < 1 || d->mo > 12 || d->d < 1 ||
	    d->d > time_days_in_month(d->y, d->mo))
		return -EINVAL;
	if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		size_t j = i + 1;

		while (j < n && s[j] == ' ')
			j++;
		if (read_time(s, n, &j, d) < 0)
			return -EINVAL;
		i = j;
		if (read_zone(s, n, &i, d) < 0)
			return -EINVAL;
	}
	return i == n ? 0 : -EINVAL;
}

void
ev_date_format(const struct ev_date *d, char *out, size_t cap)
{
	int k = snprintf(out, cap, "%04d-%02d-%02d", d->y, d->mo, d->d);

	if (d->has_time && k > 0 && (size_t)k < cap)
		k += snprintf(
		    out + k, cap - (size_t)k, "T%02d:%02d", d->h, d->mi);
	if (d->has_time && d->has_sec && k > 0 && (size_t)k < cap)
		k += snprintf(out + k, cap - (size_t)k, ":%02d", d->s);
	if (!d->has_time || k <= 0 || (size_t)k >= cap)
		return;
	if (d->zone == EV_ZONE_Z)
		snprintf(out + k, cap - (size_t)k, "Z");
	else if (d->zone == EV_ZONE_OFFSET)
		snprintf(out + k, cap - (size_t)k, "%c%02d:%02d",
		    d->off_min < 0 ? '-' : '+',
		    (d->off_min < 0 ? -d->off_min : d->off_min) / 60,
		    (d->off_min < 0 ? -d->off_min : d->off_min) % 60);
}

int64_t
ev_date_utc(const struct ev_date *d)
{
	return time_days_from_civil(d->y, d->mo, d->d) * 86400 + d->h * 3600 +
	    d->mi * 60 + d->s;
}

void
ev_date_add(struct ev_date *d, int64_t sec)
{
	int64_t t = ev_date_utc(d) + sec, day = t / 86400, rest = t % 86400;

	if (rest < 0)
		rest += 86400, day--;
	time_civil_from_days(day, &d->y, &d->mo, &d->d);
	d->h = (int)(rest / 3600);
	d->mi = (int)(rest / 60 % 60);
	d->s = (int)(rest % 60);
	if (d->s != 0)
		d->has_sec = true;
}

int64_t
ev_duration(const char *s, size_t n)
{
	int64_t total = 0;
	bool in_time = false, any = false;
	size_t i = 1;

	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	while (n > 0 && (unsigned char)s[0] <= 0x20)
		s++, n--;
	if (n < 3 || (s[0] != 'P' && s[0] != 'p'))
		return -1;
	while (i < n) {
		int64_t v = 0, unit;
		size_t start = i;

		if (s[i] == 'T' || s[i] == 't') {
			in_time = true;
			i++;
			continue;
		}
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 9)
			v = v * 10 + (s[i++] - '0');
		if (i < n && (s[i] == '.' || s[i] == ','))
			while (++i < n && s[i] >= '0' && s[i] <= '9')
				;
		if (i == start || i >= n)
			return -1;
		switch (s[i] | 0x20) {
		case 'y':
			unit = in_time ? -1 : 365 * 86400;
			break;
		case 'm':
			unit = in_time ? 60 : 30 * 86400;
			break;
		case 'w':
			unit = in_time ? -1 : 7 * 86400;
			break;
		case 'd':
			unit = in_time ? -1 : 86400;
			break;
		case 'h':
			unit = in_time ? 3600 : -1;
			break;
		case 's':
			unit = in_time ? 1 : -1;
			break;
		default:
			unit = -1;
		}
		if (unit < 0)
			return -1;
		total += v * unit;
		any = true;
		i++;
	}
	/* Ten years at most: beyond is a typo, and far dates do not fit
	 * the four-digit year. */
	return any && total <= 3660LL * 86400 ? total : -1;
}

static void
zone_name(const struct ev_date *d, char *out, size_t cap)
{
	if (!d->has_time)
		snprintf(out, cap, "date-only");
	else if (d->zone == EV_ZONE_Z)
		snprintf(out, cap, "Z");
	else if (d->zone == EV_ZONE_NONE)
		snprintf(out, cap, "floating");
	else
		snprintf(out, cap, "%c%02d:%02d", d->off_min < 0 ? '-' : '+',
		    (d->off_min < 0 ? -d->off_min : d->off_min) / 60,
		    (d->off_min < 0 ? -d->off_min : d->off_min) % 60);
}

int
ev_set_start(struct ev_event *e, const char *s, size_t n)
{
	struct ev_date d;

	ev_set_text(e->start_raw, sizeof(e->start_raw), s, n);
	e->start[0] = '\0';
	e->tz_kind = EV_TZ_NONE;
	e->timezone[0] = '\0';
	e->all_day = false;
	if (ev_date_parse(s, n, &d) < 0)
		return -EINVAL;
	ev_date_format(&d, e->start, sizeof(e->start));
	zone_name(&d, e->timezone, sizeof(e->timezone));
	e->all_day = !d.has_time;
	if (!d.has_time)
		e->tz_kind = EV_TZ_DATE;
	else
		e->tz_kind =
		    d.zone == EV_ZONE_NONE ? EV_TZ_FLOATING : EV_TZ_OFFSET;
	return 0;
}

int
ev_set_end(struct ev_event *e, const char *s, size_t n)
{
	struct ev_date d;

	e->end[0] = '\0';
	if (ev_date_parse(s, n, &d) < 0)
		return -EINVAL;
	ev_date_format(&d, e->end, sizeof(e->end));
	return 0;
}

void
ev_set_duration(struct ev_event *e, const char *s, size_t n)
{
	struct ev_date d;
	int64_t sec = ev_duration(s, n);

	if (sec <= 0 || e->end[0] != '\0' ||
	    ev_date_parse(e->start, strlen(e->start), &d) < 0)
		return;
	if (!d.has_time) {
		/* An all-day event lasts whole days. */
		if (sec < 86400)
			return;
		sec -= sec % 86400;
	}
	ev_date_add(&d, sec);
	if (d.y > 9999)
		return;
	ev_date_format(&d, e->end, sizeof(e->end));
}

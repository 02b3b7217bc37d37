/*
 * draft_event_page — an event draft from an event found on a page
 * (ev_extract_html / ev_extract_ics): its time in the right zone, the
 * notes the card shows about it (floating time, the page's own time, the
 * status, more events), and where it came from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "events/event.h"
#include "workflows/draft_event.h"
#include "workflows/draft_event_int.h"
#include "workflows/draft_int.h"

/* "YYYY-MM-DD[THH:MM…]" at the front of s: the wall date and time
 * (*timed false for a date alone). */
static bool
wall_of(const char *s, struct ev_span *w, bool *timed)
{
	char date[11];

	if (strlen(s) < 10)
		return false;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!draft_ev_parse_date(date, &w->y, &w->m, &w->d))
		return false;
	*timed = false;
	if (s[10] != 'T' && s[10] != ' ')
		return s[10] == '\0';
	if (sscanf(s + 11, "%2d:%2d", &w->h, &w->mi) != 2 || w->h > 23 ||
	    w->mi > 59)
		return false;
	*timed = true;
	return true;
}

/* The offset part of a normalised page time ("-04:00", "Z"), or "". */
static const char *
offset_of(const char *s)
{
	size_t n = strlen(s);

	if (n > 10 && s[n - 1] == 'Z')
		return "Z";
	if (n > 16 && (s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':')
		return s + n - 6;
	return "";
}

/* page_time: the wall time w as the page gave it, in its offset. */
static int
put_page_time(struct json_object *j, const struct ev_span *w, const char *off)
{
	char day[32], buf[96];

	if (nlp_format_day(w->y, w->m, w->d, false, day, sizeof(day)) < 0)
		return 0;
	if (strcmp(off, "Z") == 0)
		snprintf(
		    buf, sizeof(buf), "%s %02d:%02d (UTC)", day, w->h, w->mi);
	else
		snprintf(buf, sizeof(buf), "%s %02d:%02d (UTC%s)", day, w->h,
		    w->mi, off);
	return draft_set_str(j, "page_time", buf);
}

/*
 * The span of page event e in the draft's zone *tz: an instant (offset)
 * is moved into the person's zone, a named zone is kept, a floating time
 * or a date is taken as written.  0 with s filled, 1 when e has no
 * usable start, or a negative errno.
 */
static int
page_span(const struct ev_event *e, struct json_object *j, const char **tz,
    const char *user_tz, struct ev_span *s)
{
	struct ev_span wall = {0}, ewall = {0};
	bool timed, etimed;
	int64_t ms, ems;
	int r = 0;

	memset(s, 0, sizeof(*s));
	if (e->tz_kind == EV_TZ_NONE || !wall_of(e->start, &wall, &timed))
		return 1;
	if (e->tz_kind == EV_TZ_OFFSET && time_parse_iso(e->start, &ms) == 0) {
		if (nlp_local(user_tz, ms, &s->y, &s->m, &s->d, &s->h, &s->mi,
		        NULL) < 0)
			return 1;
		s->timed = true;
		if (s->y != wall.y || s->m != wall.m || s->d != wall.d ||
		    s->h != wall.h || s->mi != wall.mi)
			r = put_page_time(j, &wall, offset_of(e->start));
		if (r == 0 && e->end[0] != '\0' &&
		    time_parse_iso(e->end, &ems) == 0 && ems >= ms &&
		    nlp_local(user_tz, ems, &s->ey, &s->em, &s->ed, &s->eh,
		        &s->emi, NULL) == 0)
			s->has_end = true;
		return r;
	}
	if (e->tz_kind == EV_TZ_NAMED && nlp_tz_valid(e->timezone))
		*tz = e->timezone;
	else if (timed && e->tz_kind != EV_TZ_DATE &&
	    json_object_object_add(j, "floating", json_object_new_boolean(1)) <
	        0)
		return -ENOMEM;
	*s = wall;
	s->timed = timed && !e->all_day;
	if (e->end[0] != '\0' && wall_of(e->end, &ewall, &etimed) &&
	    etimed == s->timed) {
		s->has_end = true;
		s->ey = ewall.y;
		s->em = ewall.m;
		s->ed = ewall.d;
		s->eh = ewall.h;
		s->emi = ewall.mi;
	}
	return 0;
}

/* "'2025-10-31T19:30:00-04:00' on the page (json-ld)". */
static int
put_page_reasoning(struct json_object *j, const struct ev_event *e)
{
	char buf[160];

	if (e->start_raw[0] != '\0' || e->start[0] != '\0')
		snprintf(buf, sizeof(buf), "'%s' on the page (%s)",
		    e->start_raw[0] != '\0' ? e->start_raw : e->start,
		    ev_source_name(e->source));
	else
		snprintf(buf, sizeof(buf), "no date on the page (%s)",
		    ev_source_name(e->source));
	return draft_set_str(j, "reasoning", buf);
}

/* Copy of s without surrounding blanks, cut to max bytes; caller frees. */
static char *
clean(const char *s, size_t max)
{
	char *c = strdup(s), *t;

	if (c == NULL)
		return NULL;
	t = draft_trim(c);
	memmove(c, t, strlen(t) + 1);
	draft_squeeze(c);
	if (strlen(c) > max)
		draft_fit(c, max);
	return c;
}

static int
put_clean(struct json_object *j, const char *key, const char *s, size_t max)
{
	char *c;
	int r = 0;

	if (s == NULL || s[strspn(s, " \t\r\n")] == '\0')
		return 0;
	c = clean(s, max);
	if (c == NULL)
		return -ENOMEM;
	if (*c != '\0')
		r = draft_set_str(j, key, c);
	free(c);
	return r;
}

int
draft_event_from_page(const struct ev_event *e, const char *page_url, int more,
    const char *user_tz, int64_t now_ms, int64_t default_duration_ms,
    struct json_object **ret)
{
	struct json_object *j;
	const char *tz;
	struct ev_span s;
	int r;

	if (ret != NULL)
		*ret = NULL;
	if (e == NULL || ret == NULL)
		return -EINVAL;
	tz = user_tz != NULL && nlp_tz_valid(user_tz) ? user_tz : "UTC";
	j = json_object_new_object();
	if (j == NULL)
		return -ENOMEM;
	r = put_clean(j, "title",
	    e->name[strspn(e->name, " \t\r\n")] != '\0' ? e->name
	                                                : "Untitled event",
	    DRAFT_TITLE_MAX);
	if (r == 0)
		r = page_span(e, j, &tz, tz, &s);
	if (r == 0) {
		draft_ev_fix_end(&s);
		if (!s.has_end)
			r = draft_ev_default_end(&s, tz, default_duration_ms);
		if (r == 0)
			r = draft_ev_span_put(j, &s);
	} else if (r == 1) {
		/* no start: the card asks for it */
		r = json_object_object_add(
		        j, "all_day", json_object_new_boolean(0)) < 0
		    ? -ENOMEM
		    : 0;
	}
	if (r == 0)
		r = draft_set_str(j, "timezone", tz);
	if (r == 0)
		r = put_clean(j, "location", e->location, EV_TEXT_MAX);
	if (r == 0)
		r = put_clean(j, "url", e->url[0] != '\0' ? e->url : page_url,
		    EV_URL_MAX);
	if (r == 0)
		r = put_clean(j, "description", e->description, EV_TEXT_MAX);
	if (r == 0 && e->rrule[0] != '\0' &&
	    strlen(e->rrule) < DRAFT_EVENT_RRULE_MAX)
		r = draft_set_str(j, "rrule", e->rrule);
	if (r == 0 && page_url != NULL)
		r = draft_set_str(j, "source_url", page_url);
	if (r == 0 && e->status[0] != '\0' &&
	    strcmp(e->status, "scheduled") != 0)
		r = draft_set_str(j, "status", e->status);
	if (r == 0 && more > 0)
		r = draft_set_int(j, "more_events", more);
	if (r == 0)
		r = put_page_reasoning(j, e);
	(void)now_ms;
	if (r < 0) {
		json_object_put(j);
		return r;
	}
	*ret = j;
	return 0;
}

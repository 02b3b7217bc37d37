/*
 * calendar — Google Calendar v3 events that draftbot writes: insert with
 * a deterministic id, read one back (is a taken id ours?), delete.  Shapes
 * follow calendar-v3.discovery.json (Event, EventDateTime).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "google/gapi_int.h"

#define EVENT_ID_MIN 5
#define EVENT_ID_MAX 1024
#define MARKER_KEY "draftbot"

void
gapi_events_path(const struct gapi *g, struct gapi_buf *b, const char *calendar,
    const char *id)
{
	gapi_buf_init(b, GAPI_URL_MAX, '?');
	gapi_buf_puts(b, g->calendar_url);
	gapi_buf_puts(b, "/calendars/");
	gapi_buf_pct(b, calendar);
	gapi_buf_puts(b, "/events");
	if (id != NULL) {
		gapi_buf_puts(b, "/");
		gapi_buf_pct(b, id);
	}
}

/* Calendar's rule for ids we choose: 5..1024 characters of [a-v0-9]. */
static bool
event_id_ok(const char *id)
{
	size_t n = strspn(id, "abcdefghijklmnopqrstuv0123456789");

	return id[n] == '\0' && n >= EVENT_ID_MIN && n <= EVENT_ID_MAX;
}

static bool
is_date(const char *s)
{
	static const char shape[] = "dddd-dd-dd";
	size_t i;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != '-')
			return false;
	return s[i] == '\0';
}

static bool
event_ok(const struct gapi_event *e)
{
	if (e->summary == NULL || e->start == NULL || e->end == NULL)
		return false;
	if (e->id != NULL && !event_id_ok(e->id))
		return false;
	if (e->all_day && (!is_date(e->start) || !is_date(e->end)))
		return false;
	if (!e->all_day &&
	    (strchr(e->start, 'T') == NULL || strchr(e->end, 'T') == NULL))
		return false;
	/* Google wants the zone that expands a timed recurrence. */
	if (e->rrule != NULL &&
	    (*e->rrule == '\0' || strpbrk(e->rrule, "\r\n") != NULL ||
	        (!e->all_day && e->timezone == NULL)))
		return false;
	if (e->source_url != NULL &&
	    strncmp(e->source_url, "http://", 7) != 0 &&
	    strncmp(e->source_url, "https://", 8) != 0)
		return false;
	return true;
}

/* {"date": d} or {"dateTime": t, "timeZone": z}. */
static struct json_object *
when_json(const struct gapi_event *e, const char *at)
{
	struct json_object *o = json_object_new_object();
	int r;

	if (o == NULL)
		return NULL;
	if (e->all_day) {
		r = gapi_json_put_str(o, "date", at);
	} else {
		r = gapi_json_put_str(o, "dateTime", at);
		if (r == 0)
			r = gapi_json_put_str(o, "timeZone", e->timezone);
	}
	if (r < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Add v (owned; NULL means out of memory) as o[key]. */
static int
add(struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int
recurrence_json(const char *rrule, struct json_object **ret)
{
	struct json_object *a = json_object_new_array();
	struct gapi_buf line;
	int r;

	if (a == NULL)
		return -ENOMEM;
	gapi_buf_init(&line, strlen(rrule) + sizeof("RRULE:"), 0);
	if (strncmp(rrule, "RRULE:", 6) != 0)
		gapi_buf_puts(&line, "RRULE:");
	gapi_buf_puts(&line, rrule);
	r = line.err;
	if (r == 0 &&
	    json_object_array_add(a, json_object_new_string(line.p)) < 0)
		r = -ENOMEM;
	gapi_buf_wipe(&line);
	if (r < 0) {
		json_object_put(a);
		return r;
	}
	*ret = a;
	return 0;
}

static int
event_json(const struct gapi_event *e, struct json_object **ret)
{
	struct json_object *o = json_object_new_object(), *x, *p;
	int r;

	if (o == NULL)
		return -ENOMEM;
	r = gapi_json_put_str(o, "id", e->id);
	if (r == 0)
		r = gapi_json_put_str(o, "summary", e->summary);
	if (r == 0)
		r = gapi_json_put_str(o, "description", e->description);
	if (r == 0)
		r = gapi_json_put_str(o, "location", e->location);
	if (r == 0)
		r = add(o, "start", when_json(e, e->start));
	if (r == 0)
		r = add(o, "end", when_json(e, e->end));
	if (r == 0 && e->rrule != NULL) {
		r = recurrence_json(e->rrule, &x);
		if (r == 0)
			r = add(o, "recurrence", x);
	}
	if (r == 0 && e->source_url != NULL) {
		x = json_object_new_object();
		r = add(o, "source", x);
		if (r == 0)
			r = gapi_json_put_str(x, "url", e->source_url);
		if (r == 0)
			r = gapi_json_put_str(x, "title", e->source_title);
	}
	if (r == 0 && e->marker != NULL) {
		x = json_object_new_object();
		p = json_object_new_object();
		r = add(o, "extendedProperties", x);
		if (r == 0)
			r = add(x, "private", p);
		else
			json_object_put(p);
		if (r == 0)
			r = gapi_json_put_str(p, MARKER_KEY, e->marker);
	}
	if (r < 0) {
		json_object_put(o);
		return r;
	}
	*ret = o;
	return 0;
}

int
gapi_event_insert(struct gapi *g, const char *access, const char *calendar,
    const struct gapi_event *e, char *ret_id, size_t idlen,
    struct gapi_error *err)
{
	struct json_object *body = NULL, *root = NULL;
	struct gapi_buf url = {0};
	int r;

	gapi_err_clear(err);
	if (g == NULL || calendar == NULL || *calendar == '\0' || e == NULL ||
	    !event_ok(e))
		return gapi_fail(err, -EINVAL, "missing or bad event field");
	gapi_events_path(g, &url, calendar, NULL);
	r = gapi_url_check(&url, "calendar", err);
	if (r == 0)
		r = event_json(e, &body);
	if (r == 0)
		r = gapi_send(g, "POST", url.p, access, body, &root, err);
	if (r == 0)
		r = gapi_new_id(root, "event", ret_id, idlen, err);
	json_object_put(root);
	json_object_put(body);
	gapi_buf_wipe(&url);
	return r;
}

int
gapi_event_get(struct gapi *g, const char *access, const char *calendar,
    const char *id, char *marker, size_t mlen, char *status, size_t slen,
    struct gapi_error *err)
{
	struct json_object *root = NULL, *priv;
	struct gapi_buf url = {0};
	const char *m, *s;
	int r;

	gapi_err_clear(err);
	if (g == NULL || calendar == NULL || *calendar == '\0' || id == NULL ||
	    *id == '\0')
		return gapi_fail(err, -EINVAL, "missing calendar or event id");
	if (marker != NULL && mlen > 0)
		marker[0] = '\0';
	if (status != NULL && slen > 0)
		status[0] = '\0';
	gapi_events_path(g, &url, calendar, id);
	r = gapi_url_check(&url, "event", err);
	if (r == 0)
		r = gapi_send(g, "GET", url.p, access, NULL, &root, err);
	if (r < 0)
		goto out;
	priv =
	    gapi_json_obj(gapi_json_obj(root, "extendedProperties"), "private");
	m = gapi_json_str(priv, MARKER_KEY);
	/* Absent means Google's documented default. */
	s = gapi_json_str(root, "status");
	if (gapi_copy(marker, mlen, m != NULL ? m : "") < 0 ||
	    gapi_copy(status, slen, s != NULL ? s : "confirmed") < 0)
		r = gapi_fail(err, -EBADMSG,
		    "the event's marker or status "
		    "does not fit");
out:
	json_object_put(root);
	gapi_buf_wipe(&url);
	return r;
}

int
gapi_event_delete(struct gapi *g, const char *access, const char *calendar,
    const char *id, struct gapi_error *err)
{
	struct gapi_buf url;
	int r;

	gapi_err_clear(err);
	if (g == NULL || calendar == NULL || *calendar == '\0' || id == NULL ||
	    *id == '\0')
		return gapi_fail(err, -EINVAL, "missing calendar or event id");
	gapi_events_path(g, &url, calendar, id);
	r = gapi_url_check(&url, "event", err);
	if (r == 0)
		r = gapi_send(g, "DELETE", url.p, access, NULL, NULL, err);
	gapi_buf_wipe(&url);
	return r;
}

/*
 * calendar_read — what the calendar already holds around a draft's time:
 * the events (for "overlaps Team sync 14:00–15:00" on the card) and the
 * busy periods (freeBusy).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "google/gapi_int.h"

static bool
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/* An EventDateTime's value: dateTime, else date (then *all_day). */
static const char *
when_of(struct json_object *o, bool *all_day)
{
	const char *s = gapi_json_str(o, "dateTime");

	if (s != NULL)
		return s;
	s = gapi_json_str(o, "date");
	if (s != NULL)
		*all_day = true;
	return s;
}

/* Call fn for each event of a listing that blocks time. */
static int
each_event(struct json_object *items,
    int (*fn)(const char *summary, const char *start, const char *end,
        bool all_day, void *arg),
    void *arg, struct gapi_error *err)
{
	struct json_object *item;
	const char *status, *transp, *summary, *start, *end;
	bool all_day;
	size_t i;
	int r;

	for (i = 0; items != NULL && i < json_object_array_length(items); i++) {
		item = json_object_array_get_idx(items, i);
		status = gapi_json_str(item, "status");
		transp = gapi_json_str(item, "transparency");
		if ((status != NULL && strcmp(status, "cancelled") == 0) ||
		    (transp != NULL && strcmp(transp, "transparent") == 0))
			continue;
		all_day = false;
		start = when_of(gapi_json_obj(item, "start"), &all_day);
		end = when_of(gapi_json_obj(item, "end"), &all_day);
		if (start == NULL || end == NULL)
			return gapi_fail(
			    err, -EBADMSG, "an event has no start or end");
		summary = gapi_json_str(item, "summary");
		r = fn(
		    summary != NULL ? summary : "", start, end, all_day, arg);
		if (r != 0)
			return r;
	}
	return 0;
}

int
gapi_events_between(struct gapi *g, const char *access, const char *calendar,
    const char *time_min, const char *time_max,
    int (*fn)(const char *summary, const char *start, const char *end,
        bool all_day, void *arg),
    void *arg, struct gapi_error *err)
{
	struct json_object *root = NULL;
	struct gapi_buf url = {0};
	int r;

	gapi_err_clear(err);
	if (g == NULL || !nonempty(calendar) || !nonempty(time_min) ||
	    !nonempty(time_max) || fn == NULL)
		return gapi_fail(err, -EINVAL, "missing argument");
	gapi_events_path(g, &url, calendar, NULL);
	gapi_buf_kv(&url, "timeMin", time_min);
	gapi_buf_kv(&url, "timeMax", time_max);
	gapi_buf_kv(&url, "singleEvents", "true");
	gapi_buf_kv(&url, "orderBy", "startTime");
	gapi_buf_kv(&url, "maxResults", "50");
	r = gapi_url_check(&url, "events", err);
	if (r == 0)
		r = gapi_send(g, "GET", url.p, access, NULL, &root, err);
	if (r == 0)
		r = each_event(gapi_json_array(root, "items"), fn, arg, err);
	json_object_put(root);
	gapi_buf_wipe(&url);
	return r;
}

static int
freebusy_json(const char *calendar, const char *time_min, const char *time_max,
    struct json_object **ret)
{
	struct json_object *o, *items, *item;

	o = json_object_new_object();
	if (o == NULL)
		return -ENOMEM;
	if (gapi_json_put_str(o, "timeMin", time_min) < 0 ||
	    gapi_json_put_str(o, "timeMax", time_max) < 0)
		goto fail;
	items = json_object_new_array();
	if (items == NULL || json_object_object_add(o, "items", items) < 0) {
		json_object_put(items);
		goto fail;
	}
	item = json_object_new_object();
	if (item == NULL || json_object_array_add(items, item) < 0) {
		json_object_put(item);
		goto fail;
	}
	if (gapi_json_put_str(item, "id", calendar) < 0)
		goto fail;
	*ret = o;
	return 0;
fail:
	json_object_put(o);
	return -ENOMEM;
}

/* A per-calendar error of a freeBusy reply (errors:[{domain, reason}]). */
static int
calendar_error(struct json_object *errors, struct gapi_error *err)
{
	const char *reason =
	    gapi_json_str(json_object_array_get_idx(errors, 0), "reason");

	if (reason == NULL)
		reason = "";
	if (err != NULL)
		snprintf(err->reason, sizeof(err->reason), "%s", reason);
	if (strcmp(reason, "notFound") == 0)
		return gapi_fail(err, -ENOENT, "no such calendar");
	if (strcmp(reason, "internalError") == 0 ||
	    strcmp(reason, "backendError") == 0)
		return gapi_fail(err, -EREMOTEIO,
		    "Google could not compute "
		    "the busy times");
	return gapi_fail(err, -EINVAL, "freeBusy refused the calendar");
}

/* The reply's entry for calendar; when Google keyed it otherwise (an
 * alias such as "primary" answered under the address), the only one. */
static struct json_object *
calendar_entry(struct json_object *cals, const char *calendar)
{
	struct json_object *v = NULL;

	if (cals == NULL)
		return NULL;
	if (json_object_object_get_ex(cals, calendar, &v))
		return v;
	if (json_object_object_length(cals) != 1)
		return NULL;
	json_object_object_foreach(cals, key, val)
	{
		(void)key;
		v = val;
	}
	return v;
}

int
gapi_freebusy(struct gapi *g, const char *access, const char *calendar,
    const char *time_min, const char *time_max,
    int (*fn)(const char *start, const char *end, void *arg), void *arg,
    struct gapi_error *err)
{
	struct json_object *body = NULL, *root = NULL, *cal, *busy, *errors;
	struct gapi_buf url = {0};
	const char *start, *end;
	size_t i;
	int r;

	gapi_err_clear(err);
	if (g == NULL || !nonempty(calendar) || !nonempty(time_min) ||
	    !nonempty(time_max) || fn == NULL)
		return gapi_fail(err, -EINVAL, "missing argument");
	gapi_buf_init(&url, GAPI_URL_MAX, '?');
	gapi_buf_puts(&url, g->calendar_url);
	gapi_buf_puts(&url, "/freeBusy");
	r = url.err;
	if (r == 0)
		r = freebusy_json(calendar, time_min, time_max, &body);
	if (r < 0)
		goto out;
	r = gapi_send(g, "POST", url.p, access, body, &root, err);
	if (r < 0)
		goto out;
	cal = calendar_entry(gapi_json_obj(root, "calendars"), calendar);
	if (cal == NULL) {
		r = gapi_fail(err, -EBADMSG,
		    "the reply has no entry for the "
		    "calendar");
		goto out;
	}
	errors = gapi_json_array(cal, "errors");
	if (errors != NULL && json_object_array_length(errors) > 0) {
		r = calendar_error(errors, err);
		goto out;
	}
	busy = gapi_json_array(cal, "busy");
	for (i = 0; busy != NULL && i < json_object_array_length(busy); i++) {
		start =
		    gapi_json_str(json_object_array_get_idx(busy, i), "start");
		end = gapi_json_str(json_object_array_get_idx(busy, i), "end");
		if (start == NULL || end == NULL) {
			r = gapi_fail(err, -EBADMSG,
			    "a busy period has no "
			    "start or end");
			break;
		}
		r = fn(start, end, arg);
		if (r != 0)
			break;
	}
out:
	json_object_put(root);
	json_object_put(body);
	gapi_buf_wipe(&url);
	return r;
}

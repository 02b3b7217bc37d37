/*
 * fake_google_calendar — Google Calendar API v3 as the fake serves it: the
 * primary calendar's events (insert with or without a client id, get,
 * patch, delete, list over a time window) and freeBusy.
 *
 * Like Google, a deleted event stays: events.get answers it with status
 * "cancelled", a second delete answers 410, and its id stays taken (409
 * on insert).  Every function here runs with f->lock held; bodies arrive
 * already checked against the Event or FreeBusyRequest schema.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/fake_google_int.h"

#define ID_MIN 5
#define ID_MAX 1024
#define ID_GEN 26
#define BASE32HEX "0123456789abcdefghijklmnopqrstuv"
#define PROP_KEY_MAX 44
#define PROP_VALUE_MAX 1024

/* The times of an event, from its start and end. */
struct span {
	int64_t start_ms, end_ms;
	bool all_day;
};

static bool
calendar_ok(const char *cal)
{
	return strcmp(cal, "primary") == 0 ||
	    strcmp(cal, FAKE_GOOGLE_USER) == 0;
}

static struct fg_event *
event_find(struct fake_google *f, const char *id)
{
	for (size_t i = 0; i < f->n_events; i++)
		if (strcmp(f->events[i].id, id) == 0)
			return &f->events[i];
	return NULL;
}

static struct json_object *
member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* A 400 Google answers with its own reason; counted like fg_invalid. */
static int
invalid_reason(struct fake_google *f, struct fg_reply *r, const char *reason,
    const char *msg)
{
	snprintf(f->last_invalid, sizeof(f->last_invalid), "%s", msg);
	f->stats.validation_failures++;
	r->invalid = true;
	return fg_api_error(r, 400, "calendar", reason, "%s", msg);
}

/* One of start/end: the instant into *ms; false with the 400 answered. */
static bool
when(struct fake_google *f, struct json_object *dt, const char *which,
    bool *all_day, int64_t *ms, struct fg_reply *r)
{
	const char *date = fg_str(dt, "date");
	const char *datetime = fg_str(dt, "dateTime");
	const char *tz = fg_str(dt, "timeZone");
	bool zoned;

	if (date == NULL && datetime == NULL) {
		fg_invalid(f, r, "Missing %s time.", which);
		return false;
	}
	if (date != NULL && datetime != NULL) {
		fg_invalid(f, r,
		    "Invalid %s time: it has both date and dateTime; set one",
		    which);
		return false;
	}
	if (tz != NULL && !fg_tz_valid(tz)) {
		fg_invalid(
		    f, r, "Invalid time zone definition for %s time.", which);
		return false;
	}
	*all_day = date != NULL;
	if (date != NULL)
		return fg_parse_date(date, ms) == 0;
	fg_parse_datetime(datetime, true, ms, &zoned);
	if (zoned)
		return true;
	if (tz == NULL) {
		fg_invalid(
		    f, r, "Missing time zone definition for %s time.", which);
		return false;
	}
	if (fg_tz_to_utc(tz, *ms, ms) < 0) {
		fg_invalid(
		    f, r, "Invalid time zone definition for %s time.", which);
		return false;
	}
	return true;
}

static bool
one_of(const char *v, const char *const *allowed)
{
	for (; *allowed != NULL; allowed++)
		if (strcmp(v, *allowed) == 0)
			return true;
	return false;
}

/* Google's rules for an Event beyond the schema, on the whole event;
 * the span into *sp; false with the 400 answered. */
static bool
event_rules(struct fake_google *f, struct json_object *ev, struct span *sp,
    struct fg_reply *r)
{
	static const char *const statuses[] = {
	    "confirmed", "tentative", "cancelled", NULL};
	static const char *const transp[] = {"opaque", "transparent", NULL};
	static const char *const vis[] = {
	    "default", "public", "private", "confidential", NULL};
	static const char *const rrule[] = {
	    "RRULE:", "EXRULE:", "RDATE:", "EXDATE:"};
	struct json_object *start = member(ev, "start"),
	                   *end = member(ev, "end");
	struct json_object *rec = member(ev, "recurrence");
	struct json_object *priv =
	    member(member(ev, "extendedProperties"), "private");
	bool end_all_day;
	const char *v;

	if (start == NULL) {
		fg_invalid(f, r, "Missing start time.");
		return false;
	}
	if (end == NULL) {
		fg_invalid(f, r, "Missing end time.");
		return false;
	}
	if (!when(f, start, "start", &sp->all_day, &sp->start_ms, r) ||
	    !when(f, end, "end", &end_all_day, &sp->end_ms, r))
		return false;
	if (sp->all_day != end_all_day) {
		fg_invalid(f, r,
		    "Invalid start and end: both must be date, or both "
		    "dateTime");
		return false;
	}
	for (size_t i = 0; rec && i < json_object_array_length(rec); i++) {
		const char *line =
		    json_object_get_string(json_object_array_get_idx(rec, i));
		bool ok = false;

		for (size_t k = 0; k < 4; k++)
			ok = ok ||
			    strncmp(line, rrule[k], strlen(rrule[k])) == 0;
		if (!ok) {
			fg_invalid(f, r,
			    "Invalid recurrence rule: recurrence[%zu] \"%s\"",
			    i, line);
			return false;
		}
		if (!sp->all_day && fg_str(start, "timeZone") == NULL) {
			fg_invalid(f, r,
			    "Missing time zone definition for start time: a "
			    "recurring event needs start.timeZone");
			return false;
		}
	}
	if (sp->end_ms < sp->start_ms ||
	    (sp->all_day && sp->end_ms == sp->start_ms)) {
		invalid_reason(f, r, "timeRangeEmpty",
		    "The specified time range is empty.");
		return false;
	}
	if ((v = fg_str(ev, "status")) && !one_of(v, statuses)) {
		fg_invalid(f, r, "Invalid value at 'status': \"%s\"", v);
		return false;
	}
	if ((v = fg_str(ev, "transparency")) && !one_of(v, transp)) {
		fg_invalid(f, r, "Invalid value at 'transparency': \"%s\"", v);
		return false;
	}
	if ((v = fg_str(ev, "visibility")) && !one_of(v, vis)) {
		fg_invalid(f, r, "Invalid value at 'visibility': \"%s\"", v);
		return false;
	}
	if (priv != NULL && json_object_is_type(priv, json_type_object)) {
		json_object_object_foreach(priv, key, val)
		{
			if (strlen(key) > PROP_KEY_MAX ||
			    strlen(json_object_get_string(val)) >
			        PROP_VALUE_MAX) {
				fg_invalid(f, r,
				    "Invalid value at "
				    "'extendedProperties.private.%s': keys "
				    "are at most %d bytes, values %d",
				    key, PROP_KEY_MAX, PROP_VALUE_MAX);
				return false;
			}
		}
	}
	return true;
}

static bool
id_ok(const char *id)
{
	size_t n = strlen(id);

	return n >= ID_MIN && n <= ID_MAX && strspn(id, BASE32HEX) == n;
}

static void
set(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

/* Stamp the fields Google owns on ev; sequence and created stay. */
static void
stamp(struct json_object *ev, const char *id, int64_t now, bool created)
{
	struct json_object *who;
	char buf[1200];

	set(ev, "kind", "calendar#event");
	snprintf(buf, sizeof(buf), "\"%lld000\"", (long long)now);
	set(ev, "etag", buf);
	set(ev, "id", id);
	if (fg_str(ev, "status") == NULL)
		set(ev, "status", "confirmed");
	snprintf(buf, sizeof(buf),
	    "https://www.google.com/calendar/event?eid=%s", id);
	set(ev, "htmlLink", buf);
	fg_format_time(now, buf, sizeof(buf));
	if (created)
		set(ev, "created", buf);
	set(ev, "updated", buf);
	if (created) {
		who = json_object_new_object();
		set(who, "email", FAKE_GOOGLE_USER);
		json_object_object_add(who, "self", json_object_new_boolean(1));
		json_object_object_add(ev, "creator", json_object_get(who));
		json_object_object_add(ev, "organizer", who);
		if (fg_str(ev, "iCalUID") == NULL) {
			snprintf(buf, sizeof(buf), "%s@google.com", id);
			set(ev, "iCalUID", buf);
		}
		if (member(ev, "sequence") == NULL)
			json_object_object_add(
			    ev, "sequence", json_object_new_int(0));
		if (member(ev, "reminders") == NULL) {
			struct json_object *rem = json_object_new_object();

			json_object_object_add(
			    rem, "useDefault", json_object_new_boolean(1));
			json_object_object_add(ev, "reminders", rem);
		}
		if (fg_str(ev, "eventType") == NULL)
			set(ev, "eventType", "default");
	}
}

/* Store ev (taken) with span sp under id (NULL = generate). */
static struct fg_event *
store(struct fake_google *f, struct json_object *ev, const struct span *sp,
    const char *id)
{
	struct fg_event *e;
	char gen[ID_GEN + 1];
	unsigned char rnd[ID_GEN];

	if (fg_grow(&f->events, &f->cap_events, f->n_events + 1,
	        sizeof(*f->events)) < 0) {
		json_object_put(ev);
		return NULL;
	}
	if (id == NULL) {
		do {
			fg_random(rnd, sizeof(rnd));
			for (size_t i = 0; i < ID_GEN; i++)
				gen[i] = BASE32HEX[rnd[i] & 31];
			gen[ID_GEN] = '\0';
		} while (event_find(f, gen) != NULL);
		id = gen;
	}
	e = &f->events[f->n_events];
	memset(e, 0, sizeof(*e));
	e->id = strdup(id);
	if (e->id == NULL) {
		json_object_put(ev);
		return NULL;
	}
	stamp(ev, e->id, fg_now_ms(), true); /* id may live in ev */
	e->json = ev;
	e->start_ms = sp->start_ms;
	e->end_ms = sp->end_ms;
	e->all_day = sp->all_day;
	e->cancelled = strcmp(fg_str(ev, "status"), "cancelled") == 0;
	f->n_events++;
	return e;
}

static int
reply_event(struct fg_reply *r, const struct fg_event *e)
{
	fg_reply_json(r, 200, json_object_get(e->json));
	return 0;
}

int
fg_events_insert(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	const char *id = fg_str(c->json, "id");
	struct fg_event *e;
	struct span sp;

	if (!calendar_ok(c->seg[0]))
		return fg_not_found(r);
	if (!event_rules(f, c->json, &sp, r))
		return 0;
	if (id != NULL && !id_ok(id))
		return invalid_reason(
		    f, r, "invalid", "Invalid resource id value.");
	if (id != NULL && event_find(f, id) != NULL)
		return fg_api_error(r, 409, "global", "duplicate",
		    "The requested identifier already exists.");
	e = store(f, json_object_get(c->json), &sp, id);
	if (e == NULL)
		return fg_api_error(r, 500, "global", "backendError", "ENOMEM");
	return reply_event(r, e);
}

int
fg_events_get(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	struct fg_event *e = event_find(f, c->seg[1]);

	if (!calendar_ok(c->seg[0]) || e == NULL)
		return fg_not_found(r);
	return reply_event(r, e);
}

int
fg_events_patch(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	struct fg_event *e = event_find(f, c->seg[1]);
	struct json_object *merged = NULL, *seq;
	struct span sp;

	if (!calendar_ok(c->seg[0]) || e == NULL)
		return fg_not_found(r);
	if (json_object_deep_copy(e->json, &merged, NULL) != 0)
		return fg_api_error(r, 500, "global", "backendError", "ENOMEM");
	json_object_object_foreach(c->json, key, val)
	{
		if (strcmp(key, "id") == 0)
			continue;
		if (val == NULL)
			json_object_object_del(merged, key);
		else
			json_object_object_add(
			    merged, key, json_object_get(val));
	}
	if (!event_rules(f, merged, &sp, r)) {
		json_object_put(merged);
		return 0;
	}
	seq = member(merged, "sequence");
	json_object_object_add(merged, "sequence",
	    json_object_new_int(seq ? json_object_get_int(seq) + 1 : 1));
	stamp(merged, e->id, fg_now_ms(), false);
	json_object_put(e->json);
	e->json = merged;
	e->start_ms = sp.start_ms;
	e->end_ms = sp.end_ms;
	e->all_day = sp.all_day;
	e->cancelled = strcmp(fg_str(merged, "status"), "cancelled") == 0;
	return reply_event(r, e);
}

int
fg_events_delete(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	struct fg_event *e = event_find(f, c->seg[1]);

	if (!calendar_ok(c->seg[0]) || e == NULL)
		return fg_not_found(r);
	if (e->cancelled)
		return fg_api_error(
		    r, 410, "global", "deleted", "Resource has been deleted");
	e->cancelled = true;
	set(e->json, "status", "cancelled");
	stamp(e->json, e->id, fg_now_ms(), false);
	r->status = 204;
	return 0;
}

/* Does ev match every "key=value" of the repeated query parameter? */
static bool
props_match(struct fg_call *c, const char *param, struct json_object *ev,
    const char *which)
{
	struct json_object *vals = NULL;
	struct json_object *props =
	    member(member(ev, "extendedProperties"), which);

	if (!json_object_object_get_ex(c->query, param, &vals))
		return true;
	for (size_t i = 0; i < json_object_array_length(vals); i++) {
		const char *kv =
		    json_object_get_string(json_object_array_get_idx(vals, i));
		const char *eq = strchr(kv, '=');
		char key[PROP_KEY_MAX + 1];
		const char *have;

		if (eq == NULL || (size_t)(eq - kv) > PROP_KEY_MAX)
			return false;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
		have = fg_str(props, key);
		if (have == NULL || strcmp(have, eq + 1) != 0)
			return false;
	}
	return true;
}

static bool
text_has(struct json_object *ev, const char *q)
{
	static const char *const fields[] = {
	    "summary", "description", "location"};

	for (size_t i = 0; i < 3; i++) {
		const char *v = fg_str(ev, fields[i]);

		if (v != NULL && strcasestr(v, q) != NULL)
			return true;
	}
	return false;
}

static int
by_start(const void *a, const void *b)
{
	const struct fg_event *x = *(struct fg_event *const *)a;
	const struct fg_event *y = *(struct fg_event *const *)b;

	if (x->start_ms != y->start_ms)
		return x->start_ms > y->start_ms ? 1 : -1;
	return (x > y) - (x < y);
}

static int
by_updated(const void *a, const void *b)
{
	const struct fg_event *x = *(struct fg_event *const *)a;
	const struct fg_event *y = *(struct fg_event *const *)b;
	int d = strcmp(fg_str(x->json, "updated"), fg_str(y->json, "updated"));

	return d != 0 ? d : (x > y) - (x < y);
}

/* A query time bound, or def when absent (already checked RFC 3339). */
static int64_t
bound(struct fg_call *c, const char *name, int64_t def)
{
	const char *s = fg_query(c, name);
	int64_t ms;
	bool zoned;

	return s && fg_parse_datetime(s, false, &ms, &zoned) == 0 ? ms : def;
}

int
fg_events_list(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	const char *order = fg_query(c, "orderBy");
	const char *q = fg_query(c, "q"), *uid = fg_query(c, "iCalUID");
	bool deleted = fg_query_bool(c, "showDeleted", false);
	int64_t lo = bound(c, "timeMin", INT64_MIN);
	int64_t hi = bound(c, "timeMax", INT64_MAX);
	struct json_object *o, *items, *tok;
	struct fg_event **sel;
	size_t n = 0, from, count;
	char now[32];

	if (!calendar_ok(c->seg[0]))
		return fg_not_found(r);
	if (order && strcmp(order, "startTime") == 0 &&
	    !fg_query_bool(c, "singleEvents", false))
		return invalid_reason(f, r, "invalid",
		    "The requested ordering is not available for the "
		    "particular query.");
	sel = calloc(f->n_events + 1, sizeof(*sel));
	if (sel == NULL)
		return fg_api_error(r, 500, "global", "backendError", "ENOMEM");
	for (size_t i = 0; i < f->n_events; i++) {
		struct fg_event *e = &f->events[i];

		if ((e->cancelled && !deleted) || e->end_ms <= lo ||
		    e->start_ms >= hi || (q && !text_has(e->json, q)) ||
		    (uid && strcmp(uid, fg_str(e->json, "iCalUID")) != 0) ||
		    !props_match(
		        c, "privateExtendedProperty", e->json, "private") ||
		    !props_match(
		        c, "sharedExtendedProperty", e->json, "shared"))
			continue;
		sel[n++] = e;
	}
	if (order && strcmp(order, "startTime") == 0)
		qsort(sel, n, sizeof(*sel), by_start);
	else if (order && strcmp(order, "updated") == 0)
		qsort(sel, n, sizeof(*sel), by_updated);
	if (!fg_page(f, c, r, FG_EVENTS_PAGE, FG_EVENTS_PAGE_MAX, n, &from,
	        &count)) {
		free(sel);
		return 0;
	}
	o = json_object_new_object();
	set(o, "kind", "calendar#events");
	set(o, "etag", "\"fake-events\"");
	set(o, "summary", FAKE_GOOGLE_USER);
	set(o, "description", "");
	fg_format_time(fg_now_ms(), now, sizeof(now));
	set(o, "updated", now);
	set(o, "timeZone", "UTC");
	set(o, "accessRole", "owner");
	json_object_object_add(o, "defaultReminders", json_object_new_array());
	if ((tok = fg_page_token(from + count, n)) != NULL)
		json_object_object_add(o, "nextPageToken", tok);
	items = json_object_new_array();
	for (size_t i = from; i < from + count; i++)
		json_object_array_add(items, json_object_get(sel[i]->json));
	json_object_object_add(o, "items", items);
	free(sel);
	fg_reply_json(r, 200, o);
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ", as freeBusy writes busy periods. */
static struct json_object *
busy_time(int64_t ms)
{
	char buf[32];

	fg_format_time(ms, buf, sizeof(buf));
	memmove(buf + 19, buf + 23, strlen(buf + 23) + 1);
	return json_object_new_string(buf);
}

static int
by_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return (x->start_ms > y->start_ms) - (x->start_ms < y->start_ms);
}

/* The merged busy periods of the primary calendar within [lo, hi). */
static struct json_object *
busy_of(struct fake_google *f, int64_t lo, int64_t hi)
{
	struct span *s = calloc(f->n_events + 1, sizeof(*s));
	struct json_object *busy = json_object_new_array();
	size_t n = 0;

	for (size_t i = 0; s != NULL && i < f->n_events; i++) {
		const struct fg_event *e = &f->events[i];
		const char *tr = fg_str(e->json, "transparency");

		if (e->cancelled || e->end_ms <= lo || e->start_ms >= hi ||
		    (tr && strcmp(tr, "transparent") == 0))
			continue;
		s[n].start_ms = e->start_ms > lo ? e->start_ms : lo;
		s[n++].end_ms = e->end_ms < hi ? e->end_ms : hi;
	}
	if (n > 0)
		qsort(s, n, sizeof(*s), by_span);
	for (size_t i = 0; i < n;) {
		struct json_object *p = json_object_new_object();
		int64_t start = s[i].start_ms, end = s[i].end_ms;

		for (i++; i < n && s[i].start_ms <= end; i++)
			if (s[i].end_ms > end)
				end = s[i].end_ms;
		json_object_object_add(p, "start", busy_time(start));
		json_object_object_add(p, "end", busy_time(end));
		json_object_array_add(busy, p);
	}
	free(s);
	return busy;
}

int
fg_freebusy(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	const char *tmin = fg_str(c->json, "timeMin");
	const char *tmax = fg_str(c->json, "timeMax");
	struct json_object *items = member(c->json, "items");
	struct json_object *o, *cals;
	int64_t lo, hi;
	char buf[32];
	bool z;

	if (tmin == NULL)
		return fg_invalid(f, r, "Missing timeMin parameter.");
	if (tmax == NULL)
		return fg_invalid(f, r, "Missing timeMax parameter.");
	fg_parse_datetime(tmin, false, &lo, &z);
	fg_parse_datetime(tmax, false, &hi, &z);
	if (hi <= lo)
		return invalid_reason(f, r, "timeRangeEmpty",
		    "The specified time range is empty.");
	o = json_object_new_object();
	set(o, "kind", "calendar#freeBusy");
	fg_format_time(lo, buf, sizeof(buf));
	set(o, "timeMin", buf);
	fg_format_time(hi, buf, sizeof(buf));
	set(o, "timeMax", buf);
	cals = json_object_new_object();
	for (size_t i = 0; items && i < json_object_array_length(items); i++) {
		const char *id =
		    fg_str(json_object_array_get_idx(items, i), "id");
		struct json_object *cal = json_object_new_object();

		if (id == NULL) {
			json_object_put(cal);
			continue;
		}
		if (calendar_ok(id)) {
			json_object_object_add(cal, "busy", busy_of(f, lo, hi));
		} else {
			struct json_object *errs = json_object_new_array();
			struct json_object *e = json_object_new_object();

			set(e, "domain", "global");
			set(e, "reason", "notFound");
			json_object_array_add(errs, e);
			json_object_object_add(cal, "errors", errs);
			json_object_object_add(
			    cal, "busy", json_object_new_array());
		}
		json_object_object_add(cals, id, cal);
	}
	json_object_object_add(o, "calendars", cals);
	fg_reply_json(r, 200, o);
	return 0;
}

void
fg_events_free(struct fake_google *f)
{
	for (size_t i = 0; i < f->n_events; i++) {
		free(f->events[i].id);
		json_object_put(f->events[i].json);
	}
	free(f->events);
}

/* {"date":s} or {"dateTime":s}; NULL when s is neither a date nor a
 * date-time with an offset. */
static struct json_object *
edt(const char *s)
{
	struct json_object *o;
	int64_t ms;
	bool zoned;

	if (s == NULL)
		return NULL;
	if (fg_parse_date(s, &ms) == 0) {
		o = json_object_new_object();
		set(o, "date", s);
		return o;
	}
	if (fg_parse_datetime(s, false, &ms, &zoned) < 0)
		return NULL;
	o = json_object_new_object();
	set(o, "dateTime", s);
	return o;
}

int
fake_google_add_event_id(struct fake_google *f, const char *summary,
    const char *start_rfc3339, const char *end_rfc3339, char *id_out)
{
	struct json_object *ev, *s = edt(start_rfc3339), *e = edt(end_rfc3339);
	struct fg_reply r = {0};
	struct fg_event *stored;
	struct span sp;
	char last[FG_MSG_MAX];
	size_t n_invalid;
	int ret = 0;

	if (s == NULL || e == NULL) {
		json_object_put(s);
		json_object_put(e);
		return -EINVAL;
	}
	ev = json_object_new_object();
	if (summary != NULL)
		set(ev, "summary", summary);
	json_object_object_add(ev, "start", s);
	json_object_object_add(ev, "end", e);
	pthread_mutex_lock(&f->lock);
	/* the test's own mistake is not the client's: keep the counters */
	n_invalid = f->stats.validation_failures;
	memcpy(last, f->last_invalid, sizeof(last));
	if (!event_rules(f, ev, &sp, &r)) {
		f->stats.validation_failures = n_invalid;
		memcpy(f->last_invalid, last, sizeof(last));
		json_object_put(ev);
		ret = -EINVAL;
	} else if ((stored = store(f, ev, &sp, NULL)) == NULL) {
		ret = -ENOMEM;
	} else if (id_out != NULL) {
		snprintf(id_out, FAKE_GOOGLE_TOKEN_MAX, "%s", stored->id);
	}
	pthread_mutex_unlock(&f->lock);
	free(r.body);
	return ret;
}

int
fake_google_add_event(struct fake_google *f, const char *summary,
    const char *start_rfc3339, const char *end_rfc3339)
{
	return fake_google_add_event_id(
	    f, summary, start_rfc3339, end_rfc3339, NULL);
}

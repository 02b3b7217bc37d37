/*
 * gconflicts — overlaps with the person's Google Calendar on an event
 * draft's card.
 *
 * The local calendar is checked inside the transaction that makes or
 * moves the draft (event_flow.c).  Google cannot be asked there (a slow
 * call would hold the write lock, and the card should not wait for it),
 * so the run queues a "conflicts" command in the chat's order; it asks
 * Calendar for the events in the draft's window (events.list: freeBusy
 * gives no names) and, when some overlap and the draft has not changed
 * meanwhile, adds "overlaps Team sync 14:00–15:00" to the card.  It is a
 * hint: when Google cannot answer, the card simply stays as it is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "google/gapi.h"
#include "workflows/draft_event.h"
#include "workflows/event_flow.h"
#include "workflows/wf_int.h"

int
wf_gconflicts_enqueue(struct wf_ctx *x, const struct store_draft *d)
{
	char key[QUEUE_KEY_MAX + 1], payload[96];
	struct queue_new n = {0};
	struct wf_prefs p;
	int r;

	r = wf_prefs_get(x, d->owner_id, &p);
	if (r < 0 || strcmp(p.backend, "google") != 0 ||
	    !wf_google_connected(x, d->owner_id))
		return r < 0 ? r : 0;
	snprintf(key, sizeof(key), "conflicts:%" PRId64 ":%d:%" PRId64, d->id,
	    d->version, x->c->id);
	snprintf(payload, sizeof(payload),
	    "{\"draft_id\":%" PRId64 ",\"version\":%d}", d->id, d->version);
	n.type = "conflicts";
	n.key = key;
	n.chat_id = d->chat_id;
	n.user_id = d->owner_id;
	n.payload = payload;
	n.max_attempts = 1; /* a hint: not worth retrying */
	return queue_enqueue(x->q, &n, NULL, NULL);
}

struct found {
	const char *tz;
	struct json_object *list;
	int n;
};

/* "Team sync 14:00–15:00" in the person's zone, or "Team sync (all
 * day)". */
static int
one(const char *summary, const char *start, const char *end, bool all_day,
    void *arg)
{
	struct found *f = arg;
	char line[256];
	int64_t s, e;
	int sh = 0, sm = 0, eh = 0, em = 0;

	if (f->n >= DRAFT_EVENT_CONFLICTS_MAX)
		return 1;
	if (all_day || time_parse_iso(start, &s) < 0 ||
	    time_parse_iso(end, &e) < 0 ||
	    nlp_local(f->tz, s, NULL, NULL, NULL, &sh, &sm, NULL) < 0 ||
	    nlp_local(f->tz, e, NULL, NULL, NULL, &eh, &em, NULL) < 0)
		snprintf(line, sizeof(line), "%.200s (all day)",
		    summary[0] ? summary : "Busy");
	else
		snprintf(line, sizeof(line), "%.200s %02d:%02d–%02d:%02d",
		    summary[0] ? summary : "Busy", sh, sm, eh, em);
	json_object_array_add(f->list, json_object_new_string(line));
	f->n++;
	return 0;
}

/* Add the lines of list to j's conflicts that it does not have yet. */
static bool
merge(struct json_object *j, struct json_object *list)
{
	struct json_object *have, *v;
	bool added = false;
	size_t i, k;

	if (!json_object_object_get_ex(j, "conflicts", &have)) {
		have = json_object_new_array();
		json_object_object_add(j, "conflicts", have);
	}
	for (i = 0; i < json_object_array_length(list); i++) {
		v = json_object_array_get_idx(list, i);
		for (k = 0; k < json_object_array_length(have); k++)
			if (strcmp(json_object_get_string(
			               json_object_array_get_idx(have, k)),
			        json_object_get_string(v)) == 0)
				break;
		if (k < json_object_array_length(have) ||
		    json_object_array_length(have) >= DRAFT_EVENT_CONFLICTS_MAX)
			continue;
		json_object_array_add(have, json_object_get(v));
		added = true;
	}
	return added;
}

/* In the closing transaction: put the overlaps on the draft and its card
 * if it is still the version that was asked about. */
static int
apply(struct wf_ctx *x, int64_t id, int version, struct json_object *list)
{
	struct store_draft *d = NULL;
	struct json_object *j = NULL;
	int r;

	r = queue_begin(x->q);
	if (r < 0)
		return r;
	r = store_draft_get(x->q, id, &d);
	if (r == 1 && d->version == version && strcmp(d->status, "drafted") == 0 &&
	    (j = wf_draft_json(d)) != NULL && merge(j, list)) {
		r = wf_draft_set(x, d, "drafted", d->editing, j);
		if (r == 0)
			r = wf_card(x, d, d->editing ? CARD_EDITING : CARD_DRAFT,
			    WF_CARD_EDIT, 0, NULL);
		wf_result(x, "conflicts_shown", id);
	} else if (r >= 0) {
		r = 0;
		wf_result(x, "no_conflicts", id);
	}
	if (r == 0)
		r = wf_finish(x);
	if (r < 0)
		queue_rollback(x->q);
	json_object_put(j);
	store_draft_free(d);
	return r;
}

int
wf_gconflicts(struct wf_ctx *x)
{
	struct found f = {0};
	struct wf_gcall c = {0};
	struct store_draft *d = NULL;
	struct json_object *j = NULL, *v;
	char tmin[TIME_ISO_MAX], tmax[TIME_ISO_MAX];
	int64_t id = 0, start, end;
	int version = 0, r;

	if (json_object_object_get_ex(x->args, "draft_id", &v))
		id = json_object_get_int64(v);
	if (json_object_object_get_ex(x->args, "version", &v))
		version = json_object_get_int(v);
	r = store_draft_get(x->q, id, &d);
	if (r < 0)
		return r;
	f.list = json_object_new_array();
	if (f.list == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (r == 0 || d->version != version || strcmp(d->status, "drafted") != 0)
		goto done; /* changed since: its own check is queued */
	if (store_user_get(x->q, d->owner_id, &x->user) == 1 &&
	    nlp_tz_valid(x->user.timezone))
		snprintf(x->tz, sizeof(x->tz), "%s", x->user.timezone);
	else
		snprintf(x->tz, sizeof(x->tz), "UTC");
	f.tz = x->tz;
	j = wf_draft_json(d);
	if (j == NULL || draft_event_span(j, wf_event_duration(x), &start,
	                     &end) < 0)
		goto done;
	r = wf_svc_gapi(x, &c.g);
	if (r == 0) {
		struct wf_prefs p;

		r = wf_prefs_get(x, d->owner_id, &p);
		snprintf(c.calendar, sizeof(c.calendar), "%s", p.calendar);
	}
	if (r == 0)
		r = wf_google_access(x, d->owner_id, false, c.access,
		    sizeof(c.access), &c.err);
	if (r == 1 && time_format_iso(start, tmin, sizeof(tmin)) == 0 &&
	    time_format_iso(end, tmax, sizeof(tmax)) == 0)
		r = gapi_events_between(
		    c.g, c.access, c.calendar, tmin, tmax, one, &f, &c.err);
	/* Google could not say (not connected any more, slow, refused): the
	 * card stays as it is; this is only a hint. */
	(void)r;
done:
	r = apply(x, id, version, f.list);
out:
	explicit_bzero(c.access, sizeof(c.access));
	json_object_put(f.list);
	json_object_put(j);
	store_draft_free(d);
	return r;
}

/*
 * event_flow — event drafts inside a run: create (from text, or from a
 * page through event_url.c), revise, look for overlaps in the local
 * calendar, confirm into it exactly once, and undo.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/draft_event_int.h"
#include "workflows/draft_int.h"
#include "workflows/event_flow.h"

#define QUESTION_MAX 512

int64_t
wf_event_duration(const struct wf_ctx *x)
{
	int64_t ms = cfg_int(x->env->cfg, "event_duration");

	return ms > 0 ? ms : WF_EVENT_DURATION_MS;
}

/* Send question (plain text) as a reply to the message. */
static int
ask(struct wf_ctx *x, const char *question)
{
	char *q = html_escape(
	    question[0] ? question : "What is the event, and when?");
	int r;

	if (q == NULL)
		return -ENOMEM;
	r = wf_send(x, x->u->chat_id, q, NULL, x->u->message_id, NULL);
	free(q);
	return r;
}

/* Why d takes no more presses, in event words. */
static int
closed(struct wf_ctx *x, const struct store_draft *d)
{
	static const struct {
		const char *status, *text;
	} texts[] = {
	    {"confirmed", "This event is already saved."},
	    {"executing", "This event is already saved."},
	    {"executed", "This event is already saved."},
	    {"undone", "This event was undone."},
	    {"failed", "This event could not be saved."},
	};

	wf_result(x, "draft_closed", d->id);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strcmp(texts[i].status, d->status) == 0)
			return wf_say(x, "%s", texts[i].text);
	return wf_say(x, "%s", wf_draft_state_text(x, d));
}

/* ---- conflicts ---- */

struct overlaps {
	struct json_object *list;
	const char *tz;
	int y, m, d; /* the draft's first day */
	int err;
};

static int
one_overlap(const struct store_event *e, void *arg)
{
	struct overlaps *o = arg;
	char line[DRAFT_TITLE_MAX + 96], day[32] = "", when[64];
	int y, m, d, h, mi, ey, em, ed, eh, emi;
	struct json_object *s;

	if (nlp_local(o->tz, e->start_ms, &y, &m, &d, &h, &mi, NULL) < 0 ||
	    nlp_local(o->tz, e->end_ms, &ey, &em, &ed, &eh, &emi, NULL) < 0)
		return 0;
	if ((y != o->y || m != o->m || d != o->d) &&
	    nlp_format_day(y, m, d, false, day, sizeof(day)) == 0)
		strcat(day, " ");
	if (e->all_day)
		snprintf(when, sizeof(when), "%s(all day)", day);
	else
		snprintf(when, sizeof(when), "%s%02d:%02d\xe2\x80\x93%02d:%02d",
		    day, h, mi, eh, emi);
	snprintf(line, sizeof(line), "%s %s",
	    e->title != NULL && e->title[0] ? e->title : "(no title)", when);
	s = json_object_new_string(line);
	if (s == NULL || json_object_array_add(o->list, s) < 0) {
		json_object_put(s);
		o->err = -ENOMEM;
		return 1;
	}
	return 0;
}

int
wf_event_conflicts(struct wf_ctx *x, int64_t owner, struct json_object *j)
{
	struct overlaps o = {0};
	struct ev_span sp;
	int64_t start, end;
	int r;

	json_object_object_del(j, "conflicts");
	o.tz = draft_ev_zone(j, x->tz[0] ? x->tz : "UTC");
	if (draft_ev_span_get(j, &sp) < 0 ||
	    draft_ev_instants(&sp, o.tz, wf_event_duration(x), &start, &end) <
	        0)
		return 0;
	o.y = sp.y;
	o.m = sp.m;
	o.d = sp.d;
	o.list = json_object_new_array();
	if (o.list == NULL)
		return -ENOMEM;
	r = store_event_between(x->q, owner, start, end,
	    DRAFT_EVENT_CONFLICTS_MAX, one_overlap, &o);
	if (r > 0)
		r = o.err;
	if (r == 0 && json_object_array_length(o.list) > 0) {
		if (json_object_object_add(j, "conflicts", o.list) < 0)
			r = -ENOMEM;
		else
			o.list = NULL;
	}
	json_object_put(o.list);
	return r;
}

/* ---- create and revise ---- */

int
wf_event_create(struct wf_ctx *x, struct json_object *j, const char *prefix)
{
	int r = wf_event_conflicts(x, x->u->user_id, j);

	return r < 0 ? r : wf_draft_store_show(x, "event", j, prefix);
}

int
wf_event_new(struct wf_ctx *x, const char *text, const char *prefix)
{
	char question[QUESTION_MAX] = "";
	struct json_object *j = NULL;
	struct nlp_ref ref;
	int r;

	wf_nlp_ref(x, &ref);
	r = draft_event_from_text(
	    text, &ref, wf_event_duration(x), &j, question, sizeof(question));
	if (r < 0)
		return r;
	if (j == NULL) {
		wf_result(x, "question", 0);
		return ask(x, question);
	}
	r = wf_event_create(x, j, prefix);
	json_object_put(j);
	return r;
}

int
wf_event_revise(struct wf_ctx *x, struct store_draft *d, const char *text)
{
	char question[QUESTION_MAX] = "";
	struct json_object *j = wf_draft_json(d);
	bool was_editing = d->editing != 0, moved = false;
	struct nlp_ref ref;
	int r;

	if (j == NULL)
		return -EINVAL;
	wf_nlp_ref(x, &ref);
	r = draft_event_revise(j, text, &ref, wf_event_duration(x), &moved,
	    question, sizeof(question));
	if (r < 0)
		goto out;
	if (r == 0) {
		/* not understood: the draft stays as it is */
		wf_result(x, "not_understood", d->id);
		r = ask(x, question);
		goto out;
	}
	if (moved) {
		r = wf_event_conflicts(x, d->owner_id, j);
		if (r < 0)
			goto out;
	}
	r = wf_draft_set(x, d, "drafted", 0, j);
	if (r == 0 && moved)
		r = wf_gconflicts_enqueue(x, d); /* Google's, after this */
	if (r == 0)
		r = wf_draft_updated(x, d, was_editing);
out:
	json_object_put(j);
	return r;
}

/* ---- confirm and undo ---- */


static int
add_event(struct wf_ctx *x, const struct store_draft *d, struct json_object *j,
    int64_t *ret_id)
{
	struct store_event e = {0};
	struct ev_span sp;
	int r;

	r = draft_ev_span_get(j, &sp);
	if (r == 0)
		r = draft_event_span(
		    j, wf_event_duration(x), &e.start_ms, &e.end_ms);
	if (r < 0)
		return r;
	e.owner_id = d->owner_id;
	e.draft_id = d->id;
	e.title = (char *)wf_jstr(j, "title");
	e.location = (char *)wf_jstr(j, "location");
	e.description = (char *)wf_jstr(j, "description");
	e.url = (char *)wf_jstr(j, "url");
	e.rrule = (char *)wf_jstr(j, "rrule");
	e.all_day = !sp.timed;
	snprintf(e.timezone, sizeof(e.timezone), "%s",
	    draft_ev_zone(j, x->tz[0] ? x->tz : "UTC"));
	return store_event_add(x->q, &e, ret_id);
}

int
wf_event_confirm_check(struct wf_ctx *x, struct store_draft *d)
{
	char why[256] = "";
	struct json_object *j;
	int r;

	r = wf_confirm_saved(x, d, "event");
	if (r != 0)
		return r < 0 ? r : 0;
	if (strcmp(d->status, "drafted") != 0) {
		r = closed(x, d);
		return r < 0 ? r : 0;
	}
	j = wf_draft_json(d);
	if (j == NULL)
		return -EINVAL;
	r = draft_event_validate(j, why, sizeof(why));
	json_object_put(j);
	if (r == 0)
		return 1;
	/* why is a sentence ("The event ends before it starts.") */
	r = wf_draft_invalid(x, d, why);
	return r < 0 ? r : 0;
}

int
wf_event_confirm_local(struct wf_ctx *x, struct store_draft *d)
{
	char details[160];
	struct json_object *j, *v;
	int64_t event_id = 0;
	bool all_day;
	int r;

	j = wf_draft_json(d);
	if (j == NULL)
		return -EINVAL;
	all_day = json_object_object_get_ex(j, "all_day", &v) &&
	    json_object_get_boolean(v);
	r = add_event(x, d, j, &event_id);
	if (r < 0)
		goto out;
	snprintf(details, sizeof(details),
	    "{\"draft_id\":%" PRId64 ",\"target\":\"local\",\"all_day\":%s}",
	    d->id, all_day ? "true" : "false");
	r = wf_confirm_local_done(x, d, j, "event", event_id, details);
out:
	json_object_put(j);
	return r;
}

int
wf_event_undo_local(struct wf_ctx *x, struct store_draft *d)
{
	return wf_undo_local(x, d, "event", store_event_delete_by_draft);
}

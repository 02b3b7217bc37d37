/*
 * callbacks — button presses.  Callback data carries no authority: it only
 * names a draft or task, which must exist, be shown in the chat pressed
 * from, and belong to the presser.  The grammar is
 *
 *	d:<draft id>:<c|e|x|u>	Confirm, Edit, Cancel, Undo on a draft card
 *	t:<task id>:d		Done in the /tasks list
 *
 * and anything else is rejected (audit callback_rejected) with nothing
 * changed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/store.h"
#include "workflows/event_flow.h"
#include "workflows/wf_int.h"

#define ID_DIGITS_MAX 18 /* any int64 id we make, never an overflow */

struct press {
	char kind;   /* 'd' draft, 't' task */
	int64_t id;  /* > 0 */
	char action; /* c e x u for drafts, d for tasks */
};

/* Parse s by the grammar above.  Longer data than Telegram allows was cut
 * by the parser, and no cut of it fits the grammar. */
static bool
parse_press(const char *s, struct press *p)
{
	size_t n;
	int64_t id = 0;

	if (strlen(s) > UPD_CALLBACK_MAX || (s[0] != 'd' && s[0] != 't') ||
	    s[1] != ':')
		return false;
	p->kind = s[0];
	s += 2;
	n = strspn(s, "0123456789");
	if (n == 0 || n > ID_DIGITS_MAX || s[0] == '0' || s[n] != ':')
		return false;
	for (size_t i = 0; i < n; i++)
		id = id * 10 + (s[i] - '0');
	p->id = id;
	p->action = s[n + 1];
	if (p->action == '\0' || s[n + 2] != '\0')
		return false;
	return p->kind == 'd' ? strchr("cexu", p->action) != NULL
	                      : p->action == 'd';
}

static int
reject(
    struct wf_ctx *x, const char *reason, const char *entity_type, int64_t id)
{
	struct json_object *d = json_object_new_object();
	int r;

	if (d == NULL)
		return -ENOMEM;
	json_object_object_add(d, "reason", json_object_new_string(reason));
	json_object_object_add(
	    d, "data", json_object_new_string(x->u->callback_data));
	r = wf_audit(x, "callback_rejected", entity_type, id, x->u->user_id,
	    x->u->chat_id,
	    json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN));
	json_object_put(d);
	wf_result(x, "callback_rejected", 0);
	return r;
}

/* The draft's state does not allow this button: say so, change nothing. */
static int
closed(struct wf_ctx *x, const struct store_draft *d)
{
	wf_result(x, "draft_closed", d->id);
	return wf_say(x, "%s", wf_draft_state_text(x, d));
}


static int64_t
jint(struct json_object *j, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(j, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v);
}

/*
 * The notes of draft j as the store keeps them.  struct store_task has no
 * end time or recurrence, so rather than change the schema for them a
 * draft's due_end_time and rrule go into the notes as lines of their own,
 * "Ends: 15:00" and "Repeats: FREQ=MONTHLY;BYMONTHDAY=1".  Caller frees;
 * NULL when out of memory.
 */
static char *
task_notes(struct json_object *j)
{
	const char *notes = wf_jstr(j, "notes"), *end = wf_jstr(j, "due_end_time");
	const char *rr = wf_jstr(j, "rrule");
	size_t len = strlen(notes) + strlen(end) + strlen(rr) + 32;
	char *out = malloc(len);
	size_t n;

	if (out == NULL)
		return NULL;
	n = (size_t)snprintf(out, len, "%s", notes);
	if (*end != '\0')
		n += (size_t)snprintf(
		    out + n, len - n, "%sEnds: %s", n > 0 ? "\n" : "", end);
	if (*rr != '\0')
		snprintf(
		    out + n, len - n, "%sRepeats: %s", n > 0 ? "\n" : "", rr);
	return out;
}

/* Write the task of draft j with its subtasks; the parent's id to *ret_id,
 * the number of subtasks to *ret_n. */
static int
add_tasks(struct wf_ctx *x, const struct store_draft *d, struct json_object *j,
    int64_t *ret_id, int *ret_n)
{
	struct store_task t = {0};
	struct json_object *subs, *s;
	int64_t parent = 0;
	char *notes;
	size_t i;
	int r;

	notes = task_notes(j);
	if (notes == NULL)
		return -ENOMEM;
	t.owner_id = d->owner_id;
	t.draft_id = d->id;
	t.title = (char *)wf_jstr(j, "title");
	t.notes = notes;
	snprintf(t.due_date, sizeof(t.due_date), "%s", wf_jstr(j, "due_date"));
	snprintf(t.due_time, sizeof(t.due_time), "%s", wf_jstr(j, "due_time"));
	t.priority = (int)jint(j, "priority");
	r = store_task_add(x->q, &t, &parent);
	free(notes);
	if (r < 0)
		return r;
	*ret_id = parent;
	*ret_n = 0;
	if (!json_object_object_get_ex(j, "subtasks", &subs) ||
	    !json_object_is_type(subs, json_type_array))
		return 0;
	memset(&t, 0, sizeof(t));
	t.owner_id = d->owner_id;
	t.draft_id = d->id;
	t.parent_id = parent;
	t.notes = "";
	for (i = 0; i < json_object_array_length(subs); i++) {
		s = json_object_array_get_idx(subs, i);
		if (!json_object_is_type(s, json_type_string) ||
		    json_object_get_string_len(s) == 0)
			continue;
		t.title = (char *)json_object_get_string(s);
		r = store_task_add(x->q, &t, NULL);
		if (r < 0)
			return r;
		(*ret_n)++;
	}
	return 0;
}

/*
 * Does d go to Google (its owner chose Google and is connected)?  Then
 * the press only marks it confirmed and queues the write (effect.c), which
 * happens outside any transaction and edits the card when done: 1.  0 for
 * the local store.
 */
static int
to_google(struct wf_ctx *x, struct store_draft *d)
{
	struct wf_prefs p;
	char details[64];
	int r;

	r = wf_prefs_get(x, d->owner_id, &p);
	if (r < 0)
		return r;
	if (strcmp(p.backend, "google") != 0 ||
	    !wf_google_connected(x, d->owner_id))
		return 0;
	r = wf_draft_set(x, d, "confirmed", 0, NULL);
	snprintf(details, sizeof(details),
	    "{\"version\":%d,\"target\":\"google\"}", d->version);
	if (r == 0)
		r = wf_audit(x, "draft_confirmed", "draft", d->id, d->owner_id,
		    d->chat_id, details);
	if (r == 0)
		r = wf_effect_enqueue(x, d, "create", "press");
	if (r == 0)
		r = wf_card(x, d, CARD_SAVING, WF_CARD_EDIT, 0, NULL);
	wf_result(x, "effect_queued", d->id);
	return r < 0 ? r : 1;
}

/* The local calendar as an event draft's target (event_flow.c). */
static int
confirm_local_event(struct wf_ctx *x, struct store_draft *d)
{
	return wf_event_confirm_local(x, d);
}

/*
 * Confirm an event draft: checked first (already saved, closed, invalid:
 * answered there), then written by its target — Google when its owner
 * chose it and is connected, else the local calendar.
 */
static int
confirm_event(struct wf_ctx *x, struct store_draft *d)
{
	int r = wf_event_confirm_check(x, d);

	if (r <= 0)
		return r;
	r = to_google(x, d);
	if (r != 0)
		return r < 0 ? r : 0; /* queued for Google, or an error */
	return confirm_local_event(x, d);
}

/*
 * Confirm: exactly once.  The effect row "draft:<id>:task" commits with
 * the tasks, so a second press, a re-sent update or a re-run finds it done
 * and writes nothing more.
 */
static int
confirm(struct wf_ctx *x, struct store_draft *d)
{
	char why[256] = "", details[128];
	struct json_object *j = NULL;
	int64_t task_id = 0;
	int nsub = 0, r;

	if (strcmp(d->kind, "event") == 0)
		return confirm_event(x, d);
	r = wf_confirm_saved(x, d, "task");
	if (r != 0)
		return r < 0 ? r : 0;
	if (strcmp(d->status, "drafted") != 0)
		return closed(x, d);
	j = wf_draft_json(d);
	if (j == NULL)
		return -EINVAL;
	if (draft_validate(j, why, sizeof(why)) < 0) {
		/* why is a sentence ("The title is empty."). */
		r = wf_draft_invalid(x, d, why);
		goto out;
	}
	r = to_google(x, d);
	if (r != 0) {
		/* queued for Google (1: done here), or an error */
		r = r < 0 ? r : 0;
		goto out;
	}
	r = add_tasks(x, d, j, &task_id, &nsub);
	if (r < 0)
		goto out;
	snprintf(details, sizeof(details),
	    "{\"draft_id\":%" PRId64 ",\"subtasks\":%d,\"target\":\"local\"}",
	    d->id, nsub);
	r = wf_confirm_local_done(x, d, j, "task", task_id, details);
out:
	json_object_put(j);
	return r;
}

static int
edit(struct wf_ctx *x, struct store_draft *d)
{
	int r;

	if (strcmp(d->status, "drafted") != 0)
		return closed(x, d);
	r = wf_draft_set(x, d, "drafted", 1, NULL);
	if (r == 0)
		r = wf_audit(x, "draft_updated", "draft", d->id, d->owner_id,
		    d->chat_id, "{\"editing\":true}");
	if (r == 0)
		r = wf_card(x, d, CARD_EDITING, WF_CARD_EDIT, 0, NULL);
	wf_result(x, "draft_editing", d->id);
	return r;
}

static int
cancel(struct wf_ctx *x, struct store_draft *d)
{
	if (strcmp(d->status, "drafted") != 0)
		return closed(x, d);
	return wf_draft_cancel(x, d);
}

/* Undo: remove what Confirm wrote, while undo_until has not passed. */
static int
undo(struct wf_ctx *x, struct store_draft *d)
{
	char key[64], state[16] = "", remote[64] = "";
	struct json_object *j;
	int64_t until;
	int r;

	if (strcmp(d->status, "drafted") == 0) {
		wf_result(x, "nothing_to_undo", d->id);
		return wf_say(x, "There is nothing to undo yet.");
	}
	if (strcmp(d->status, "executed") != 0)
		return closed(x, d);
	j = wf_draft_json(d);
	if (j == NULL)
		return -EINVAL;
	until = jint(j, "undo_until");
	json_object_put(j);
	if (x->now > until) {
		wf_result(x, "undo_expired", d->id);
		r = wf_card(x, d, CARD_CONFIRMED, WF_CARD_EDIT_BARE, 0, NULL);
		return r < 0 ? r : wf_say(x, "Undo is no longer available.");
	}
	/* Written to Google: taken back there, outside the transaction. */
	wf_effect_key(d, key, sizeof(key));
	r = store_effect_get(
	    x->q, key, state, sizeof(state), remote, sizeof(remote));
	if (r < 0)
		return r;
	if (r == 1 && strcmp(state, "done") == 0) {
		wf_result(x, "undo_queued", d->id);
		r = wf_effect_enqueue(x, d, "undo", "press");
		return r < 0 ? r
		             : wf_card(x, d, CARD_CONFIRMED, WF_CARD_EDIT_BARE,
		                   0, NULL);
	}
	if (strcmp(d->kind, "event") == 0)
		return wf_event_undo_local(x, d);
	return wf_undo_local(x, d, "task", store_task_delete_by_draft);
}

static const struct {
	char action;
	int (*run)(struct wf_ctx *x, struct store_draft *d);
} draft_actions[] = {
    {'c', confirm},
    {'e', edit},
    {'x', cancel},
    {'u', undo},
};

static int
draft_press(struct wf_ctx *x, const struct press *p)
{
	const struct upd *u = x->u;
	struct store_draft *d = NULL;
	size_t i;
	int r;

	r = store_draft_get(x->q, p->id, &d);
	if (r <= 0)
		return r < 0 ? r : reject(x, "no_such_draft", "draft", p->id);
	/* The button must sit under this draft's card, in its chat. */
	if (d->chat_id != u->chat_id ||
	    (d->message_id != 0 && u->message_id != d->message_id)) {
		r = reject(x, "wrong_message", "draft", d->id);
		goto out;
	}
	if (d->owner_id != u->user_id) {
		r = reject(x, "not_owner", "draft", d->id);
		if (r == 0)
			r = wf_not_owner(x, d->owner_id);
		goto out;
	}
	/* The card is where the press came from, even when the sender has
	 * not recorded its id yet. */
	if (d->message_id == 0)
		d->message_id = u->message_id;
	/* Past its time but not yet swept by maintenance: expire it now, so
	 * a late Confirm never saves a draft that should be gone. */
	if (strcmp(d->status, "drafted") == 0 && !wf_draft_live(x, d)) {
		r = wf_draft_expire(x, d);
		if (r == 0)
			r = closed(x, d);
		goto out;
	}
	for (i = 0; i < sizeof(draft_actions) / sizeof(draft_actions[0]); i++)
		if (draft_actions[i].action == p->action) {
			r = draft_actions[i].run(x, d);
			break;
		}
out:
	store_draft_free(d);
	return r;
}

/* Done in the /tasks list: the presser's own open task. */
static int
task_done(struct wf_ctx *x, const struct press *p)
{
	struct store_task *t = NULL;
	char *title = NULL;
	int r;

	r = store_task_get(x->q, p->id, &t);
	if (r <= 0)
		return r < 0 ? r : reject(x, "no_such_task", "task", p->id);
	if (t->owner_id != x->u->user_id) {
		r = reject(x, "not_owner", "task", t->id);
		goto out;
	}
	title = html_escape(t->title);
	if (title == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (strcmp(t->status, "done") == 0) {
		wf_result(x, "already_done", 0);
		r = wf_say(x, "Already done: %s", title);
		goto out;
	}
	r = store_task_set_status(x->q, x->u->user_id, t->id, "done");
	if (r == 0)
		r = wf_audit(x, "task_completed", "task", t->id, t->owner_id,
		    x->u->chat_id, NULL);
	/* The list the button was in, refreshed in place. */
	if (r == 0 && x->u->message_id != 0)
		r = wf_tasks_list(x, x->u->message_id);
	if (r == 0)
		r = wf_say(x, "✅ Done: %s", title);
	wf_result(x, "task_completed", 0);
out:
	free(title);
	store_task_free(t);
	return r;
}

int
wf_callback(struct wf_ctx *x)
{
	struct press p;
	int r;

	/* A button under an inline-mode message has no chat to answer in. */
	if (x->u->user_id == 0 || x->u->chat_id == 0) {
		wf_result(x, "ignored", 0);
		return 0;
	}
	r = wf_access(x);
	if (r <= 0)
		return r;
	if (!parse_press(x->u->callback_data, &p))
		return reject(x, "malformed", NULL, 0);
	return p.kind == 'd' ? draft_press(x, &p) : task_done(x, &p);
}

/*
 * task_flow — a task draft's life from text: create it (or ask the one
 * clarification question), revise it from a correction, cancel or expire
 * it; and the /tasks list of what was confirmed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/draft_int.h"
#include "workflows/wf_int.h"

#define QUESTION_MAX 512
#define DEFAULT_TTL_MS (24 * 3600 * 1000LL)
#define LIST_TASKS_MAX 200  /* rows read for /tasks */
#define LIST_BUTTONS_MAX 50 /* Done buttons (top-level tasks) shown */
#define LIST_TEXT_MAX 3500  /* bytes, under Telegram's 4096 characters */
#define BUTTON_TITLE_MAX 32 /* bytes of a title on a Done button */

void
wf_nlp_ref(const struct wf_ctx *x, struct nlp_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->now_ms = x->now;
	ref->tz = x->tz[0] ? x->tz : "UTC";
}

struct json_object *
wf_draft_json(const struct store_draft *d)
{
	struct json_object *j = json_tokener_parse(d->draft ? d->draft : "");

	if (j != NULL && !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		j = NULL;
	}
	return j;
}

int
wf_draft_set(struct wf_ctx *x, struct store_draft *d, const char *status,
    int editing, struct json_object *j)
{
	char *text;
	int r;

	if (j != NULL) {
		text = strdup(json_object_to_json_string_ext(j,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		if (text == NULL)
			return -ENOMEM;
		free(d->draft);
		d->draft = text;
	}
	snprintf(d->status, sizeof(d->status), "%s", status);
	d->editing = editing;
	r = store_draft_update(x->q, d);
	return r == -ESTALE ? -EAGAIN : r;
}

const char *
wf_jstr(struct json_object *j, const char *key)
{
	const char *s = draft_get_str(j, key);

	return s != NULL ? s : "";
}

bool
wf_draft_live(const struct wf_ctx *x, const struct store_draft *d)
{
	return strcmp(d->status, "drafted") == 0 &&
	    (d->expires_at_ms == 0 || x->now < d->expires_at_ms);
}

const char *
wf_draft_state_text(const struct wf_ctx *x, const struct store_draft *d)
{
	static const struct {
		const char *status, *task, *event;
	} texts[] = {
	    {"confirmed", "This task is being saved.",
	        "This event is being saved."},
	    {"executing", "This task is being saved.",
	        "This event is being saved."},
	    {"executed", "This task is already saved.",
	        "This event is already saved."},
	    {"cancelled", "This draft was cancelled.",
	        "This draft was cancelled."},
	    {"expired", "This draft expired.", "This draft expired."},
	    {"undone", "This task was undone.", "This event was undone."},
	    {"failed", "This draft could not be saved.",
	        "This draft could not be saved."},
	};
	bool event = strcmp(d->kind, "event") == 0;
	size_t i;

	if (strcmp(d->status, "drafted") == 0)
		return wf_draft_live(x, d) ? "This draft is still open."
		                           : "This draft expired.";
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strcmp(texts[i].status, d->status) == 0)
			return event ? texts[i].event : texts[i].task;
	return "This draft is closed.";
}

/* Send question (plain text from the draft module) as a reply. */
static int
ask(struct wf_ctx *x, const char *question)
{
	char *q =
	    html_escape(question[0] ? question : "What should the task be?");
	int r;

	if (q == NULL)
		return -ENOMEM;
	r = wf_send(x, x->u->chat_id, q, NULL, x->u->message_id, NULL);
	free(q);
	return r;
}

int
wf_draft_store_show(struct wf_ctx *x, const char *kind, struct json_object *j,
    const char *prefix)
{
	struct store_draft nd = {0}, *d = NULL;
	struct wf_prefs p;
	char details[64];
	int64_t id = 0, ttl = cfg_int(x->env->cfg, "draft_ttl");
	bool dup = false;
	int r;

	/* The card says what Google will do with it (Tasks keeps no time). */
	if (wf_prefs_get(x, x->u->user_id, &p) == 0 &&
	    strcmp(p.backend, "google") == 0 &&
	    wf_google_connected(x, x->u->user_id))
		json_object_object_add(j, "backend", json_object_new_string("google"));
	nd.owner_id = x->u->user_id;
	nd.chat_id = x->u->chat_id;
	snprintf(nd.kind, sizeof(nd.kind), "%s", kind);
	nd.draft = (char *)json_object_to_json_string_ext(
	    j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	nd.command_id = x->c->id; /* a re-run of the command finds it */
	nd.expires_at_ms = x->now + (ttl > 0 ? ttl : DEFAULT_TTL_MS);
	r = store_draft_create(x->q, &nd, &id, &dup);
	if (r < 0)
		goto out;
	if (!dup) {
		snprintf(details, sizeof(details), "{\"kind\":\"%s\"}",
		    nd.kind);
		r = wf_audit(x, "draft_created", "draft", id, nd.owner_id,
		    nd.chat_id, details);
		if (r < 0)
			goto out;
	}
	r = store_draft_get(x->q, id, &d);
	if (r == 0)
		r = -EIO; /* it was just written in this transaction */
	if (r < 0)
		goto out;
	r = wf_card(x, d, CARD_DRAFT, WF_CARD_SEND, x->u->message_id, prefix);
	if (r == 0 && strcmp(kind, "event") == 0)
		r = wf_gconflicts_enqueue(x, d); /* Google's overlaps, after */
	wf_result(x, "draft_created", id);
out:
	store_draft_free(d);
	return r;
}

int
wf_draft_new(struct wf_ctx *x, const char *text, const char *prefix)
{
	char question[QUESTION_MAX] = "";
	struct json_object *j = NULL;
	struct nlp_ref ref;
	int r;

	wf_nlp_ref(x, &ref);
	r = draft_task_from_text(text, &ref, &j, question, sizeof(question));
	if (r < 0)
		return r;
	if (j == NULL) {
		wf_result(x, "question", 0);
		return ask(x, question);
	}
	r = wf_draft_store_show(x, "task", j, prefix);
	json_object_put(j);
	return r;
}

int
wf_draft_revise(struct wf_ctx *x, struct store_draft *d, const char *text)
{
	char question[QUESTION_MAX] = "";
	struct json_object *j = wf_draft_json(d);
	struct nlp_ref ref;
	bool was_editing = d->editing != 0;
	int r;

	if (j == NULL)
		return -EINVAL;
	wf_nlp_ref(x, &ref);
	r = draft_revise(j, text, &ref, question, sizeof(question));
	if (r < 0)
		goto out;
	if (r == 0) {
		/* Not understood: the draft stays as it is, still waiting
		 * for a correction when it was. */
		wf_result(x, "not_understood", d->id);
		r = ask(x, question);
		goto out;
	}
	r = wf_draft_set(x, d, "drafted", 0, j);
	if (r == 0)
		r = wf_draft_updated(x, d, was_editing);
out:
	json_object_put(j);
	return r;
}

int
wf_draft_cancel(struct wf_ctx *x, struct store_draft *d)
{
	int r = wf_draft_set(x, d, "cancelled", 0, NULL);

	if (r == 0)
		r = wf_audit(x, "draft_cancelled", "draft", d->id, d->owner_id,
		    d->chat_id, NULL);
	if (r == 0)
		r = wf_card(x, d, CARD_CANCELLED, WF_CARD_EDIT, 0, NULL);
	wf_result(x, "draft_cancelled", d->id);
	return r;
}

int
wf_draft_expire(struct wf_ctx *x, struct store_draft *d)
{
	int r = wf_draft_set(x, d, "expired", 0, NULL);

	if (r == 0)
		r = wf_audit(x, "draft_expired", "draft", d->id, d->owner_id,
		    d->chat_id, NULL);
	if (r == 0)
		r = wf_card(x, d, CARD_EXPIRED, WF_CARD_EDIT, 0, NULL);
	return r;
}

int
wf_draft_updated(
    struct wf_ctx *x, const struct store_draft *d, bool was_editing)
{
	char details[64];
	int r;

	snprintf(details, sizeof(details), "{\"version\":%d,\"via\":\"%s\"}",
	    d->version, was_editing ? "edit" : "reply");
	r = wf_audit(x, "draft_updated", "draft", d->id, d->owner_id,
	    d->chat_id, details);
	if (r == 0)
		r = wf_card(x, d, CARD_DRAFT, WF_CARD_EDIT, 0, NULL);
	wf_result(x, "draft_updated", d->id);
	return r;
}

/* The effect row of d's local <kind>: "draft:<id>:<kind>". */
static void
local_key(const struct store_draft *d, const char *kind, char *key, size_t len)
{
	snprintf(key, len, "draft:%" PRId64 ":%s", d->id, kind);
}

int
wf_confirm_saved(
    struct wf_ctx *x, const struct store_draft *d, const char *kind)
{
	char key[64], state[16] = "", remote[64];
	int r;

	local_key(d, kind, key, sizeof(key));
	r = store_effect_get(
	    x->q, key, state, sizeof(state), remote, sizeof(remote));
	if (r < 0)
		return r;
	if ((r == 1 && strcmp(state, "done") == 0) ||
	    strcmp(d->status, "executed") == 0) {
		wf_result(x, "already_saved", d->id);
		r = wf_say(x, "Already saved.");
		return r < 0 ? r : 1;
	}
	return 0;
}

int
wf_draft_invalid(struct wf_ctx *x, const struct store_draft *d, const char *why)
{
	char *esc = html_escape(why[0] ? why : "The draft is incomplete.");
	int r;

	if (esc == NULL)
		return -ENOMEM;
	r = wf_say(x,
	    "I can't save this yet. %s Press \xe2\x9c\x8f\xef\xb8\x8f Edit to "
	    "fix it.",
	    esc);
	free(esc);
	wf_result(x, "draft_invalid", d->id);
	return r;
}

int
wf_confirm_local_done(struct wf_ctx *x, struct store_draft *d,
    struct json_object *j, const char *kind, int64_t id, const char *details)
{
	char key[64], remote[64], action[32], version[32];
	int r;

	local_key(d, kind, key, sizeof(key));
	snprintf(remote, sizeof(remote), "%s:%" PRId64, kind, id);
	r = store_effect_put(
	    x->q, key, d->id, x->c->id, "done", "local", remote, NULL);
	if (r < 0)
		return r;
	json_object_object_add(
	    j, "undo_until", json_object_new_int64(x->now + WF_UNDO_MS));
	r = wf_draft_set(x, d, "executed", 0, j);
	if (r < 0)
		return r;
	snprintf(version, sizeof(version), "{\"version\":%d}", d->version);
	r = wf_audit(x, "draft_confirmed", "draft", d->id, d->owner_id,
	    d->chat_id, version);
	if (r < 0)
		return r;
	snprintf(action, sizeof(action), "%s_executed", kind);
	r = wf_audit(x, action, kind, id, d->owner_id, d->chat_id, details);
	if (r == 0)
		r = wf_card(x, d, CARD_CONFIRMED, WF_CARD_EDIT, 0, NULL);
	wf_result(x, action, d->id);
	return r;
}

int
wf_undo_local(struct wf_ctx *x, struct store_draft *d, const char *kind,
    int (*remove)(struct queue *q, int64_t draft_id, int64_t *ret_n))
{
	char key[64], state[16] = "", remote[64] = "", details[96];
	char action[32], prefix[32];
	int64_t n = 0, id = 0;
	int r;

	local_key(d, kind, key, sizeof(key));
	r = store_effect_get(
	    x->q, key, state, sizeof(state), remote, sizeof(remote));
	if (r < 0)
		return r;
	snprintf(prefix, sizeof(prefix), "%s:", kind);
	if (r == 1 && strncmp(remote, prefix, strlen(prefix)) == 0)
		sscanf(remote + strlen(prefix), "%" SCNd64, &id);
	r = remove(x->q, d->id, &n);
	if (r == 0)
		r = store_effect_put(
		    x->q, key, d->id, x->c->id, "undone", "local", NULL, NULL);
	if (r == 0)
		r = wf_draft_set(x, d, "undone", 0, NULL);
	if (r < 0)
		return r;
	snprintf(details, sizeof(details),
	    "{\"draft_id\":%" PRId64 ",\"removed\":%" PRId64 "}", d->id, n);
	snprintf(action, sizeof(action), "%s_undone", kind);
	r = wf_audit(x, action, kind, id, d->owner_id, d->chat_id, details);
	if (r == 0)
		r = wf_card(x, d, CARD_UNDONE, WF_CARD_EDIT, 0, NULL);
	wf_result(x, action, d->id);
	return r;
}

int
wf_not_owner(struct wf_ctx *x, int64_t owner_id)
{
	struct store_user owner;
	char *name = NULL;
	int r;

	r = store_user_get(x->q, owner_id, &owner);
	if (r < 0)
		return r;
	if (r == 1 && owner.display_name[0] != '\0') {
		name = html_escape(owner.display_name);
		if (name == NULL)
			return -ENOMEM;
	}
	r = wf_say(x, "Only %s can change this draft.",
	    name != NULL ? name : "the person who made it");
	free(name);
	return r;
}

int
wf_cancel_latest(struct wf_ctx *x)
{
	struct store_draft *d = NULL;
	int r;

	r = store_draft_latest(x->q, x->u->user_id, "drafted", false, &d);
	if (r < 0)
		return r;
	if (r == 0 || !wf_draft_live(x, d)) {
		wf_result(x, "nothing_to_cancel", 0);
		r = wf_say(x, "There is no draft to cancel.");
		goto out;
	}
	r = wf_draft_cancel(x, d);
	if (r == 0)
		r = wf_say(x, "Draft cancelled.");
out:
	store_draft_free(d);
	return r;
}

/* ---- /tasks ---- */

struct text {
	char *s;
	size_t len, cap;
	bool oom;
};

static void text_add(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	size_t need;
	char *s;
	int n;

	if (t->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->oom = true;
		return;
	}
	need = t->len + (size_t)n + 1;
	if (need > t->cap) {
		s = realloc(t->s, need * 2);
		if (s == NULL) {
			t->oom = true;
			return;
		}
		t->s = s;
		t->cap = need * 2;
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

struct listing {
	struct text text;
	struct json_object *rows; /* inline_keyboard */
	int64_t shown_parent;     /* the top-level task last listed */
	int ntop;
	bool more; /* stopped before the end */
	int year;  /* this year in the user's zone */
	int err;
};

/* " — Fri 28 Nov 10:30" for a task's due date and time ("" if none); the
 * year only when it is not this_year. */
static void
due_text(const struct store_task *t, int this_year, char *buf, size_t len)
{
	char day[32];
	int y, m, d;

	buf[0] = '\0';
	if (t->due_date[0] == '\0')
		return;
	if (sscanf(t->due_date, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
	    nlp_format_day(y, m, d, y != this_year, day, sizeof(day)) < 0)
		snprintf(day, sizeof(day), "%s", t->due_date);
	/* Both come from the store's checked formats: nothing to escape. */
	snprintf(
	    buf, len, " — %s%s%s", day, t->due_time[0] ? " " : "", t->due_time);
}

static void
list_row(struct listing *l, const struct store_task *t, const char *title)
{
	static const char *const prio[] = {"", "", " ‼", " ‼‼"};
	char due[64];

	if (t->parent_id != 0) {
		text_add(&l->text, "\n    ◦ %s", title);
		return;
	}
	due_text(t, l->year, due, sizeof(due));
	text_add(&l->text, "\n• <b>%s</b>%s%s", title, due,
	    prio[t->priority >= 0 && t->priority <= 3 ? t->priority : 0]);
}

static int
list_one(const struct store_task *t, void *arg)
{
	struct listing *l = arg;
	struct json_object *row, *b;
	char data[UPD_CALLBACK_MAX + 1], label[64];
	char *title;
	size_t n;

	if (t->parent_id != 0 && t->parent_id != l->shown_parent)
		return 0; /* a subtask whose parent is done (or not shown) */
	if (t->parent_id == 0 &&
	    (l->ntop == LIST_BUTTONS_MAX || l->text.len > LIST_TEXT_MAX)) {
		l->more = true;
		return 1;
	}
	title = html_escape(t->title);
	if (title == NULL) {
		l->err = -ENOMEM;
		return 1;
	}
	list_row(l, t, title);
	free(title);
	if (t->parent_id != 0)
		return 0;
	l->shown_parent = t->id;
	l->ntop++;
	/* Button labels are plain text, not HTML. */
	n = wf_utf8_prefix(t->title, BUTTON_TITLE_MAX);
	snprintf(label, sizeof(label), "✓ %.*s%s", (int)n, t->title,
	    t->title[n] ? "…" : "");
	snprintf(data, sizeof(data), "t:%" PRId64 ":d", t->id);
	b = json_object_new_object();
	row = json_object_new_array();
	if (b == NULL || row == NULL) {
		json_object_put(b);
		json_object_put(row);
		l->err = -ENOMEM;
		return 1;
	}
	json_object_object_add(b, "text", json_object_new_string(label));
	json_object_object_add(
	    b, "callback_data", json_object_new_string(data));
	json_object_array_add(row, b);
	json_object_array_add(l->rows, row);
	return 0;
}

int
wf_tasks_list(struct wf_ctx *x, int64_t edit_id)
{
	struct listing l = {0};
	struct json_object *markup = json_object_new_object();
	const char *html;
	int r;

	l.rows = json_object_new_array();
	if (markup == NULL || l.rows == NULL) {
		r = -ENOMEM;
		goto out;
	}
	json_object_object_add(
	    markup, "inline_keyboard", json_object_get(l.rows));
	if (nlp_local(x->tz, x->now, &l.year, NULL, NULL, NULL, NULL, NULL) < 0)
		l.year = 0;
	text_add(&l.text, "<b>Open tasks</b>");
	r = store_task_list(
	    x->q, x->u->user_id, "open", LIST_TASKS_MAX, list_one, &l);
	if (r > 0)
		r = l.err;
	if (r < 0)
		goto out;
	if (l.more)
		text_add(&l.text, "\n\n…and more. Mark some done to see them.");
	if (l.text.oom) {
		r = -ENOMEM;
		goto out;
	}
	html = l.ntop > 0 ? l.text.s : "No open tasks.";
	if (edit_id != 0)
		r = wf_edit(x, x->u->chat_id, edit_id, html, markup, NULL);
	else
		r = wf_send(x, x->u->chat_id, html, l.ntop > 0 ? markup : NULL,
		    0, NULL);
out:
	json_object_put(l.rows);
	json_object_put(markup);
	free(l.text.s);
	return r;
}

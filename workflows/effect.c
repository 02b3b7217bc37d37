/*
 * effect — the "effect" command: after the owner pressed Confirm (or Undo)
 * on a draft whose things go to Google, write it there (or take it back).
 *
 * It runs its own transactions (route external): the effect row is put in
 * state intent and committed BEFORE Google is called, and the result
 * (done, the remote ids, the draft executed, the card, the command
 * completed) is committed after.  A crash in between leaves intent: the
 * re-run reconciles (gwrite.c) instead of writing twice.  Retryable
 * failures (429, 5xx, network) return their code and the queue retries
 * with backoff; Google refusing the draft puts it back to drafted and says
 * why; an expired sign-in leaves it confirmed until /connect.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google/gapi.h"
#include "workflows/wf_int.h"

int
wf_effect_enqueue(struct wf_ctx *x, const struct store_draft *d,
    const char *action, const char *why)
{
	char key[QUEUE_KEY_MAX + 1], payload[128];
	struct queue_new n = {0};

	snprintf(key, sizeof(key), "effect:%s:%" PRId64 ":%s:%" PRId64, action,
	    d->id, why, x->c->id);
	snprintf(payload, sizeof(payload),
	    "{\"draft_id\":%" PRId64 ",\"action\":\"%s\"}", d->id, action);
	n.type = "effect";
	n.key = key;
	/* the chat's order: it runs after the press that caused it */
	n.chat_id = d->chat_id;
	n.user_id = d->owner_id;
	n.payload = payload;
	return queue_enqueue(x->q, &n, NULL, NULL);
}

void
wf_effect_key(const struct store_draft *d, char *key, size_t len)
{
	snprintf(key, len, "draft:%" PRId64 ":%s", d->id,
	    strcmp(d->kind, "event") == 0 ? "gevent" : "gtask");
}

/* End the command in a transaction of its own with what fn writes. */
static int
conclude(struct wf_ctx *x, struct store_draft *d,
    int (*fn)(struct wf_ctx *x, struct store_draft *d, void *arg), void *arg)
{
	struct store_draft *fresh = NULL;
	int r;

	r = queue_begin(x->q);
	if (r < 0)
		return r;
	/* the draft as it is now, inside the lock */
	r = store_draft_get(x->q, d->id, &fresh);
	if (r == 1)
		r = fn(x, fresh, arg);
	else if (r == 0)
		wf_result(x, "draft_gone", d->id);
	if (r == 0)
		r = wf_finish(x);
	if (r < 0)
		queue_rollback(x->q);
	store_draft_free(fresh);
	return r;
}

static int
nothing(struct wf_ctx *x, struct store_draft *d, void *arg)
{
	wf_result(x, arg, d->id);
	return 0;
}

/* ---- create ---- */

struct created {
	const char *key, *target, *remote;
	int nsub;
};

static int
created(struct wf_ctx *x, struct store_draft *d, void *arg)
{
	const struct created *c = arg;
	bool event = strcmp(d->kind, "event") == 0;
	struct json_object *j;
	char details[160];
	int r;

	r = store_effect_put(x->q, c->key, d->id, x->c->id, "done", c->target,
	    c->remote, NULL);
	if (r < 0 || strcmp(d->status, "confirmed") != 0) {
		wf_result(x, "already_saved", d->id);
		return r;
	}
	j = wf_draft_json(d);
	if (j == NULL)
		return -EINVAL;
	json_object_object_add(
	    j, "undo_until", json_object_new_int64(x->now + WF_UNDO_MS));
	json_object_object_add(j, "saved_to",
	    json_object_new_string(event ? "Google Calendar" : "Google Tasks"));
	r = wf_draft_set(x, d, "executed", 0, j);
	json_object_put(j);
	snprintf(details, sizeof(details),
	    "{\"draft_id\":%" PRId64 ",\"subtasks\":%d,\"target\":\"%s\"}",
	    d->id, c->nsub, c->target);
	if (r == 0)
		r = wf_audit(x, event ? "event_executed" : "task_executed",
		    event ? "event" : "task", d->id, d->owner_id, d->chat_id,
		    details);
	if (r == 0)
		r = wf_card(x, d, CARD_CONFIRMED, WF_CARD_EDIT, 0, NULL);
	wf_result(x, event ? "event_executed" : "task_executed", d->id);
	return r;
}

struct refused {
	const char *key, *target;
	int err;
	const struct gapi_error *gerr;
};

/* Google said no for good: the draft is the owner's to fix again. */
static int
refused(struct wf_ctx *x, struct store_draft *d, void *arg)
{
	const struct refused *f = arg;
	struct json_object *o;
	char *why;
	int r;

	r = store_effect_put(x->q, f->key, d->id, x->c->id, "failed",
	    f->target, NULL,
	    f->gerr->message[0] ? f->gerr->message : strerror(-f->err));
	if (r < 0 || strcmp(d->status, "confirmed") != 0)
		return r;
	r = wf_draft_set(x, d, "drafted", 0, NULL);
	o = json_object_new_object();
	if (o == NULL)
		return -ENOMEM;
	json_object_object_add(o, "draft_id", json_object_new_int64(d->id));
	json_object_object_add(o, "target", json_object_new_string(f->target));
	json_object_object_add(
	    o, "status", json_object_new_int(f->gerr->http_status));
	json_object_object_add(
	    o, "reason", json_object_new_string(f->gerr->reason));
	if (r == 0)
		r = wf_audit(x, "effect_failed", "draft", d->id, d->owner_id,
		    d->chat_id,
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	why = html_escape(f->gerr->message[0] ? f->gerr->message
	                                      : "it refused the request");
	if (why == NULL)
		return -ENOMEM;
	if (r == 0)
		r = wf_card(x, d, CARD_DRAFT, WF_CARD_EDIT, 0, NULL);
	if (r == 0) {
		char msg[512];

		snprintf(msg, sizeof(msg),
		    "Google didn't accept this: %s. Nothing was saved; the "
		    "draft is still here — ✏️ Edit it or press ✅ Confirm "
		    "again.",
		    why);
		r = wf_send(x, d->chat_id, msg, NULL, 0, NULL);
	}
	free(why);
	wf_result(x, "effect_failed", d->id);
	return r;
}

/* The sign-in is gone (revoked, expired, disconnected): wait for it. */
static int
needs_signin(struct wf_ctx *x, struct store_draft *d, void *arg)
{
	int r;

	(void)arg;
	wf_result(x, "google_signin_needed", d->id);
	if (strcmp(d->status, "confirmed") != 0 &&
	    strcmp(d->status, "executed") != 0)
		return 0;
	r = wf_audit(x, "google_reauth_needed", "draft", d->id, d->owner_id,
	    d->chat_id, NULL);
	return r < 0 ? r
	             : wf_send(x, d->chat_id,
	                   "Google asks you to sign in again before I can "
	                   "save this: send /connect. Your confirmed draft "
	                   "waits and is saved as soon as you're connected.",
	                   NULL, 0, NULL);
}

/* Open the call context: the owner's access token and where things go.
 * 1 ready; 0 the owner must sign in; < 0 error. */
static int
open_call(struct wf_ctx *x, const struct store_draft *d, bool force,
    struct wf_gcall *c)
{
	struct wf_prefs p;
	int r;

	r = wf_svc_gapi(x, &c->g);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = wf_prefs_get(x, d->owner_id, &p);
	if (r < 0)
		return r;
	snprintf(c->list, sizeof(c->list), "%s", p.task_list);
	snprintf(c->calendar, sizeof(c->calendar), "%s", p.calendar);
	r = wf_google_access(
	    x, d->owner_id, force, c->access, sizeof(c->access), &c->err);
	return r == -EKEYREJECTED ? 0 : r;
}

static int
create(struct wf_ctx *x, struct store_draft *d)
{
	char key[64], state[16] = "", remote[WF_REMOTE_MAX] = "";
	bool event = strcmp(d->kind, "event") == 0;
	struct wf_gcall c = {0};
	struct json_object *j = NULL;
	const char *target = event ? "google_calendar" : "google_tasks";
	bool look;
	int r, nsub = 0, tries;

	if (strcmp(d->status, "confirmed") != 0)
		return conclude(x, d, nothing, "nothing_to_do");
	wf_effect_key(d, key, sizeof(key));
	r = store_effect_get(
	    x->q, key, state, sizeof(state), remote, sizeof(remote));
	if (r < 0)
		return r;
	if (r == 1 && strcmp(state, "done") == 0) {
		struct created cr = {key, target, remote, 0};

		return conclude(x, d, created, &cr);
	}
	/* an earlier attempt may have written part of it: after a crash
	 * (intent), or a failure that may have reached Google (failed) */
	look = r == 1 && (strcmp(state, "intent") == 0 ||
	                     strcmp(state, "failed") == 0);
	r = open_call(x, d, false, &c);
	if (r <= 0)
		goto signin;
	if (strcmp(state, "intent") != 0) { /* "" when there is no row */
		/* the intent is on disk before Google hears of it */
		r = store_effect_put(x->q, key, d->id, x->c->id, "intent",
		    target, NULL, NULL);
		if (r < 0)
			goto out;
	}
	j = wf_draft_json(d);
	if (j == NULL) {
		r = -EINVAL;
		goto out;
	}
	for (tries = 0; tries < 2; tries++) {
		r = event ? wf_gevent_create(&c, j, key, x->tz[0] ? x->tz : "UTC",
		                cfg_int(x->env->cfg, "event_duration"), remote,
		                sizeof(remote))
		          : wf_gtask_create(&c, j, key, look, remote,
		                sizeof(remote), &nsub);
		if (r != -EKEYREJECTED || tries > 0)
			break;
		/* 401: the access token died early; refresh once */
		r = open_call(x, d, true, &c);
		if (r <= 0)
			goto signin;
		look = true; /* part of it may be there already */
	}
	if (r == 0) {
		struct created cr = {key, target, remote, nsub};

		r = conclude(x, d, created, &cr);
	} else if (r == -EKEYREJECTED) {
		goto signin;
	} else if (!gapi_retryable(r) || x->c->attempts >= x->c->max_attempts) {
		/* Refused for good, or the last attempt: the draft is the
		 * owner's again rather than stuck "being saved" (the effect
		 * row says failed; a new Confirm looks for a half-made task
		 * by its marker first). */
		struct refused f = {key, target, r, &c.err};

		if (gapi_retryable(r))
			snprintf(c.err.message, sizeof(c.err.message),
			    "Google did not answer after %d tries",
			    x->c->attempts);
		r = conclude(x, d, refused, &f);
	}
	goto out;
signin:
	r = r < 0 && r != -EKEYREJECTED ? r : conclude(x, d, needs_signin, NULL);
out:
	json_object_put(j);
	explicit_bzero(c.access, sizeof(c.access));
	return r;
}

/* ---- undo ---- */

static int
removed(struct wf_ctx *x, struct store_draft *d, void *arg)
{
	const char *key = arg;
	bool event = strcmp(d->kind, "event") == 0;
	char details[128];
	int r;

	if (strcmp(d->status, "executed") != 0) {
		wf_result(x, "nothing_to_undo", d->id);
		return 0;
	}
	r = store_effect_put(x->q, key, d->id, x->c->id, "undone",
	    event ? "google_calendar" : "google_tasks", NULL, NULL);
	if (r == 0)
		r = wf_draft_set(x, d, "undone", 0, NULL);
	snprintf(details, sizeof(details),
	    "{\"draft_id\":%" PRId64 ",\"target\":\"%s\"}", d->id,
	    event ? "google_calendar" : "google_tasks");
	if (r == 0)
		r = wf_audit(x, event ? "event_undone" : "task_undone",
		    event ? "event" : "task", d->id, d->owner_id, d->chat_id,
		    details);
	if (r == 0)
		r = wf_card(x, d, CARD_UNDONE, WF_CARD_EDIT, 0, NULL);
	wf_result(x, event ? "event_undone" : "task_undone", d->id);
	return r;
}

static int
undo(struct wf_ctx *x, struct store_draft *d)
{
	char key[64], state[16] = "", remote[WF_REMOTE_MAX] = "";
	struct wf_gcall c = {0};
	int r;

	wf_effect_key(d, key, sizeof(key));
	r = store_effect_get(
	    x->q, key, state, sizeof(state), remote, sizeof(remote));
	if (r < 0)
		return r;
	if (r == 0 || strcmp(state, "done") != 0 ||
	    strcmp(d->status, "executed") != 0)
		return conclude(x, d, nothing, "nothing_to_undo");
	r = open_call(x, d, false, &c);
	if (r <= 0)
		goto signin;
	r = wf_gremove(&c, strcmp(d->kind, "event") == 0, remote);
	if (r == -EKEYREJECTED) {
		r = open_call(x, d, true, &c);
		if (r <= 0)
			goto signin;
		r = wf_gremove(&c, strcmp(d->kind, "event") == 0, remote);
	}
	if (r == 0)
		r = conclude(x, d, removed, key);
	goto out;
signin:
	r = r < 0 && r != -EKEYREJECTED ? r : conclude(x, d, needs_signin, NULL);
out:
	explicit_bzero(c.access, sizeof(c.access));
	return r;
}

int
wf_effect(struct wf_ctx *x)
{
	struct json_object *v;
	struct store_draft *d = NULL;
	const char *action = "";
	int64_t id = 0;
	int r;

	if (json_object_object_get_ex(x->args, "draft_id", &v))
		id = json_object_get_int64(v);
	if (json_object_object_get_ex(x->args, "action", &v))
		action = json_object_get_string(v);
	r = store_draft_get(x->q, id, &d);
	if (r <= 0)
		return r < 0 ? r : -EINVAL; /* no such draft: permanent */
	if (store_user_get(x->q, d->owner_id, &x->user) == 1 &&
	    nlp_tz_valid(x->user.timezone))
		snprintf(x->tz, sizeof(x->tz), "%s", x->user.timezone);
	if (strcmp(action, "create") == 0)
		r = create(x, d);
	else if (strcmp(action, "undo") == 0)
		r = undo(x, d);
	else
		r = -EINVAL;
	store_draft_free(d);
	/* The executor retries only wf_retryable() codes: a 5xx
	 * (-EREMOTEIO) or a refused connection from Google is worth a retry
	 * too, not a dead command and a draft left confirmed. */
	if (r < 0 && gapi_retryable(r) && !wf_retryable(r))
		r = -EAGAIN;
	return r;
}

/*
 * oauth_flow — the oauth_exchange command: Google redirected a person back
 * with a code (the receiver enqueued it, keyed by the state).  The state
 * must be one we issued, unused and not expired; it is used up in its own
 * transaction before the code is traded, with an effect row
 * "oauth:<state>" in state intent, so a retry after a network failure
 * trades again while a replay of the redirect is refused.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google/gapi.h"
#include "workflows/wf_int.h"

#define RESUME_MAX 50 /* confirmed drafts resumed after a (re)connect */

static const char *
arg(const struct wf_ctx *x, const char *key)
{
	struct json_object *v;

	if (x->args == NULL || !json_object_object_get_ex(x->args, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A message to the chat the /connect came from (no update here). */
static int
tell(struct wf_ctx *x, const struct store_oauth_state *st, const char *html)
{
	if (st->chat_id == 0)
		return 0;
	return wf_send(x, st->chat_id, html, NULL, 0, NULL);
}

struct resume {
	struct wf_ctx *x;
	int n;
};

/* A draft confirmed while Google needed a new sign-in: write it now. */
static int
resume_one(const struct store_draft *d, void *arg)
{
	struct resume *rs = arg;

	rs->n++;
	return wf_effect_enqueue(rs->x, d, "create", "resume");
}

/* The state could not be used: say why (to its owner, when known). */
static int
rejected(struct wf_ctx *x, const char *state, int why)
{
	struct store_oauth_state st = {0};
	const char *reason = why == -EALREADY ? "used"
	    : why == -ETIME                   ? "expired"
	                                      : "unknown";
	char details[64];
	int r;

	if (why != -ENOENT && store_oauth_state_get(x->q, state, &st) < 0)
		memset(&st, 0, sizeof(st));
	snprintf(details, sizeof(details), "{\"reason\":\"%s\"}", reason);
	wf_result(x, "oauth_state_rejected", 0);
	r = wf_audit(x, "oauth_state_rejected", "user", st.user_id, st.user_id,
	    st.chat_id, details);
	if (r == 0 && st.user_id != 0)
		r = tell(x, &st,
		    why == -ETIME ? "That Google sign-in link expired. Send "
		                    "/connect for a new one."
		                  : "That Google sign-in link was already "
		                    "used. Send /connect for a new one.");
	explicit_bzero(st.verifier, sizeof(st.verifier));
	return r;
}

/*
 * Step 1, in its own transaction: use the state.  1 and *st when the code
 * should be traded now; 0 when the command is finished (refused).
 */
static int
take_state(struct wf_ctx *x, const char *state, const char *key,
    struct store_oauth_state *st)
{
	char estate[16] = "", remote[8];
	int r;

	r = queue_begin(x->q);
	if (r < 0)
		return r;
	r = store_oauth_state_use(x->q, state, x->now, st);
	if (r == -EALREADY) {
		/* Ours, from an earlier attempt of this command? */
		r = store_effect_get(x->q, key, estate, sizeof(estate), remote,
		    sizeof(remote));
		if (r == 1 && strcmp(estate, "intent") == 0)
			r = store_oauth_state_get(x->q, state, st) == 1 ? 0
			                                               : -ENOENT;
		else if (r >= 0)
			r = -EALREADY;
	}
	if (r == -EALREADY || r == -ETIME || r == -ENOENT) {
		r = rejected(x, state, r);
		if (r == 0)
			r = wf_finish(x);
		return r < 0 ? r : 0;
	}
	if (r == 0)
		r = store_effect_put(x->q, key, 0, x->c->id, "intent",
		    "google_oauth", NULL, NULL);
	if (r == 0)
		r = queue_commit(x->q);
	if (r < 0) {
		queue_rollback(x->q);
		return r;
	}
	return 1;
}

/* Step 3, in its own transaction: what the trade gave. */
static int
finish(struct wf_ctx *x, const struct store_oauth_state *st, const char *key,
    int err, const struct gapi_tokens *t, const struct gapi_error *gerr)
{
	struct resume rs = {.x = x};
	char details[160], msg[512];
	int r;

	r = queue_begin(x->q);
	if (r < 0)
		return r;
	if (err == 0) {
		r = wf_google_save_tokens(x, st->user_id, t);
		if (r == 0)
			r = wf_prefs_set(x, st->user_id, "backend", "google");
		if (r == 0)
			r = store_effect_put(x->q, key, 0, x->c->id, "done",
			    "google_oauth", NULL, NULL);
		if (r == 0)
			r = store_draft_list(x->q, st->user_id, "confirmed",
			    RESUME_MAX, resume_one, &rs);
		snprintf(details, sizeof(details),
		    "{\"tasks\":%s,\"calendar\":%s,\"resumed\":%d}",
		    gapi_scope_granted(t->scope,
		        "https://www.googleapis.com/auth/tasks")
		        ? "true"
		        : "false",
		    gapi_scope_granted(t->scope,
		        "https://www.googleapis.com/auth/calendar.events")
		        ? "true"
		        : "false",
		    rs.n);
		if (r == 0)
			r = wf_audit(x, "google_connected", "user", st->user_id,
			    st->user_id, st->chat_id, details);
		snprintf(msg, sizeof(msg),
		    "Google connected ✅ Confirmed tasks now go to Google Tasks "
		    "and events to Google Calendar (/settings to change)."
		    "%s",
		    rs.n > 0 ? " Saving the drafts you confirmed meanwhile." : "");
		if (r == 0)
			r = tell(x, st, msg);
		wf_result(x, "google_connected", 0);
	} else {
		r = store_effect_put(x->q, key, 0, x->c->id, "failed",
		    "google_oauth", NULL, gerr->reason[0] ? gerr->reason : NULL);
		snprintf(details, sizeof(details), "{\"reason\":\"%s\"}",
		    gerr->reason[0] ? gerr->reason : "no_refresh_token");
		if (r == 0)
			r = wf_audit(x, "google_connect_failed", "user",
			    st->user_id, st->user_id, st->chat_id, details);
		if (r == 0)
			r = tell(x, st,
			    "Google sign-in didn't work (Google refused the "
			    "code). Nothing changed. Send /connect to try "
			    "again.");
		wf_result(x, "google_connect_failed", 0);
	}
	if (r == 0)
		r = wf_finish(x);
	if (r < 0)
		queue_rollback(x->q);
	return r;
}

/* The person pressed "Cancel" on Google's consent screen. */
static int
denied(struct wf_ctx *x, const char *state, const char *error)
{
	struct store_oauth_state st = {0};
	int r;

	r = queue_begin(x->q);
	if (r < 0)
		return r;
	r = store_oauth_state_use(x->q, state, x->now, &st);
	if (r < 0) {
		r = rejected(x, state, r);
	} else {
		r = wf_audit(x, "google_connect_failed", "user", st.user_id,
		    st.user_id, st.chat_id, "{\"reason\":\"access_denied\"}");
		if (r == 0)
			r = tell(x, &st,
			    "You didn't allow access to Google, so nothing "
			    "changed. Send /connect if you change your mind.");
		wf_result(x, "google_connect_denied", 0);
	}
	explicit_bzero(st.verifier, sizeof(st.verifier));
	if (r == 0)
		r = wf_finish(x);
	if (r < 0)
		queue_rollback(x->q);
	return r;
}

int
wf_oauth_exchange(struct wf_ctx *x)
{
	const char *state = arg(x, "state"), *code = arg(x, "code");
	struct store_oauth_state st = {0};
	struct gapi_tokens t = {0};
	struct gapi_error gerr = {0};
	struct gapi *g;
	char key[64];
	int r;

	if (state == NULL)
		return -EINVAL;
	if (code == NULL)
		return denied(x, state, arg(x, "error"));
	snprintf(key, sizeof(key), "oauth:%.50s", state);
	r = take_state(x, state, key, &st);
	if (r <= 0)
		goto out;
	r = wf_svc_gapi(x, &g);
	if (r < 0)
		goto out; /* Google's settings went away: retried, then dead */
	r = gapi_exchange_code(
	    g, code, st.verifier, st.redirect_uri, x->now, &t, &gerr);
	if (r < 0 && gapi_retryable(r)) {
		/* the effect stays intent: a retry trades again (as a code
		 * the executor retries: a 5xx is -EREMOTEIO) */
		if (!wf_retryable(r))
			r = -EAGAIN;
		goto out;
	}
	if (r == 0 && t.refresh_token[0] == '\0')
		r = -EKEYREJECTED; /* useless without offline access */
	r = finish(x, &st, key, r, &t, &gerr);
out:
	explicit_bzero(st.verifier, sizeof(st.verifier));
	gapi_tokens_wipe(&t);
	return r;
}

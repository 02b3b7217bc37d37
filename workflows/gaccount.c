/*
 * gaccount — a person's Google account: sealed tokens, access tokens
 * refreshed on expiry, where confirmed things go (/settings), and the
 * /connect and /disconnect commands.
 *
 * The sealed credential is a JSON object {"refresh_token", "access_token",
 * "expires_at", "scope"} sealed with the secret key; no token is ever put
 * in the audit log, the queue or a message.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "google/gapi.h"
#include "workflows/wf_int.h"

#define PROVIDER "google"
#define STATE_TTL_MS (10 * 60 * 1000LL)
#define EXPIRY_MARGIN_MS 60000 /* refresh a minute before Google would */

/* ---- where confirmed things go ---- */

int
wf_prefs_get(struct wf_ctx *x, int64_t user_id, struct wf_prefs *p)
{
	struct json_object *o = NULL, *v;
	char *js = NULL;
	int r;

	snprintf(p->backend, sizeof(p->backend), "local");
	snprintf(p->task_list, sizeof(p->task_list), "@default");
	snprintf(p->calendar, sizeof(p->calendar), "primary");
	r = store_user_settings_get(x->q, user_id, &js);
	if (r <= 0)
		return r;
	o = json_tokener_parse(js);
	free(js);
	if (o == NULL)
		return 0; /* unreadable settings: the defaults */
	if (json_object_object_get_ex(o, "backend", &v) &&
	    strcmp(json_object_get_string(v), "google") == 0)
		snprintf(p->backend, sizeof(p->backend), "google");
	if (json_object_object_get_ex(o, "task_list", &v) &&
	    json_object_get_string_len(v) > 0)
		snprintf(p->task_list, sizeof(p->task_list), "%s",
		    json_object_get_string(v));
	if (json_object_object_get_ex(o, "calendar", &v) &&
	    json_object_get_string_len(v) > 0)
		snprintf(p->calendar, sizeof(p->calendar), "%s",
		    json_object_get_string(v));
	json_object_put(o);
	return 0;
}

int
wf_prefs_set(struct wf_ctx *x, int64_t user_id, const char *key,
    const char *value)
{
	struct json_object *o = NULL;
	char *js = NULL;
	int r;

	r = store_user_settings_get(x->q, user_id, &js);
	if (r < 0)
		return r;
	if (js != NULL)
		o = json_tokener_parse(js);
	free(js);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
		if (o == NULL)
			return -ENOMEM;
	}
	json_object_object_add(o, key, json_object_new_string(value));
	r = store_user_settings_set(x->q, user_id,
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return r;
}

/* ---- tokens ---- */

int
wf_google_save_tokens(
    struct wf_ctx *x, int64_t user_id, const struct gapi_tokens *t)
{
	const struct secret_key *key;
	struct json_object *o;
	unsigned char *box = NULL;
	const char *plain;
	size_t n = 0;
	int r;

	r = wf_svc_key(x, &key, NULL);
	if (r < 0)
		return r;
	o = json_object_new_object();
	if (o == NULL)
		return -ENOMEM;
	json_object_object_add(
	    o, "refresh_token", json_object_new_string(t->refresh_token));
	json_object_object_add(
	    o, "access_token", json_object_new_string(t->access_token));
	json_object_object_add(
	    o, "expires_at", json_object_new_int64(t->expires_at_ms));
	json_object_object_add(o, "scope", json_object_new_string(t->scope));
	plain = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	r = secret_seal(key, plain, strlen(plain), &box, &n);
	/* json-c keeps the text in the object's buffer: wipe it. */
	explicit_bzero((char *)plain, strlen(plain));
	json_object_put(o);
	if (r < 0)
		return r;
	r = store_cred_put(x->q, user_id, PROVIDER, box, n, t->scope);
	free(box);
	return r;
}

/* Read and open the sealed tokens: 1 and *t, 0 when there are none. */
static int
load_tokens(struct wf_ctx *x, int64_t user_id, struct gapi_tokens *t)
{
	const struct secret_key *key;
	struct json_object *o, *v;
	void *box = NULL;
	size_t n = 0, pn = 0;
	char *plain = NULL;
	int r;

	memset(t, 0, sizeof(*t));
	r = store_cred_get(x->q, user_id, PROVIDER, &box, &n);
	if (r <= 0)
		return r;
	r = wf_svc_key(x, &key, NULL);
	if (r == 0)
		r = secret_open(key, box, n, &plain, &pn);
	free(box);
	if (r < 0)
		return r;
	o = json_tokener_parse(plain);
	explicit_bzero(plain, pn);
	free(plain);
	if (o == NULL)
		return -EBADMSG;
	if (json_object_object_get_ex(o, "refresh_token", &v))
		snprintf(t->refresh_token, sizeof(t->refresh_token), "%s",
		    json_object_get_string(v));
	if (json_object_object_get_ex(o, "access_token", &v))
		snprintf(t->access_token, sizeof(t->access_token), "%s",
		    json_object_get_string(v));
	if (json_object_object_get_ex(o, "expires_at", &v))
		t->expires_at_ms = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "scope", &v))
		snprintf(t->scope, sizeof(t->scope), "%s",
		    json_object_get_string(v));
	/* the parsed strings live in o: wipe them before freeing */
	if (json_object_object_get_ex(o, "refresh_token", &v))
		explicit_bzero((char *)json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
	if (json_object_object_get_ex(o, "access_token", &v))
		explicit_bzero((char *)json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
	json_object_put(o);
	return 1;
}

int
wf_google_access(struct wf_ctx *x, int64_t user_id, bool force,
    char *access, size_t len, struct gapi_error *err)
{
	struct gapi_tokens t;
	struct gapi *g;
	int r;

	r = wf_svc_gapi(x, &g);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	r = load_tokens(x, user_id, &t);
	if (r <= 0)
		goto out;
	if (force || t.access_token[0] == '\0' ||
	    t.expires_at_ms - EXPIRY_MARGIN_MS <= x->now) {
		if (t.refresh_token[0] == '\0') {
			r = -EKEYREJECTED;
			goto out;
		}
		r = gapi_refresh(g, t.refresh_token, x->now, &t, err);
		if (r < 0)
			goto out;
		/* its own short transaction: the caller holds none */
		r = wf_google_save_tokens(x, user_id, &t);
		if (r < 0)
			goto out;
	}
	if (strlen(t.access_token) >= len) {
		r = -ENAMETOOLONG;
		goto out;
	}
	memcpy(access, t.access_token, strlen(t.access_token) + 1);
	r = 1;
out:
	gapi_tokens_wipe(&t);
	return r;
}

bool
wf_google_connected(struct wf_ctx *x, int64_t user_id)
{
	void *box = NULL;
	size_t n = 0;
	int r = store_cred_get(x->q, user_id, PROVIDER, &box, &n);

	free(box);
	return r == 1;
}

/* ---- /connect ---- */

int
wf_connect(struct wf_ctx *x)
{
	struct store_oauth_state st = {0};
	char challenge[GAPI_CHALLENGE_MAX], redirect[STORE_URI_MAX];
	const char *pub = cfg_str(x->env->cfg, "public_url");
	char *url = NULL, *esc = NULL;
	struct gapi *g;
	int r;

	if (wf_svc_gapi(x, &g) < 0 || pub == NULL) {
		wf_result(x, "google_not_configured", 0);
		return wf_say(x,
		    "Google isn't set up on this bot yet: its operator "
		    "needs to set google_client_id, google_client_secret "
		    "and public_url. Until then I keep your tasks and "
		    "events here.");
	}
	/* public_url may end in "/" */
	snprintf(redirect, sizeof(redirect), "%.*s/oauth/google/callback",
	    (int)(strlen(pub) - (pub[0] && pub[strlen(pub) - 1] == '/')), pub);
	r = gapi_random_token(st.state, GAPI_STATE_MAX);
	if (r == 0)
		r = gapi_pkce(st.verifier, challenge);
	if (r < 0)
		return r;
	st.user_id = x->u->user_id;
	st.chat_id = x->u->chat_id;
	st.expires_at_ms = x->now + STATE_TTL_MS;
	snprintf(st.redirect_uri, sizeof(st.redirect_uri), "%s", redirect);
	r = store_oauth_state_add(x->q, &st);
	if (r == 0)
		r = gapi_auth_url(g, redirect, st.state, challenge, &url);
	if (r == 0)
		esc = html_escape(url);
	if (r == 0 && esc == NULL)
		r = -ENOMEM;
	if (r == 0)
		r = wf_audit(x, "google_connect_started", "user",
		    x->u->user_id, x->u->user_id, x->u->chat_id, NULL);
	if (r == 0)
		r = wf_say(x,
		    "Open <a href=\"%s\">this Google sign-in link</a> to "
		    "connect your Google Tasks and Calendar (it works once, "
		    "for 10 minutes). Nothing is written to Google until you "
		    "press ✅ Confirm on a draft.",
		    esc);
	wf_result(x, "google_connect", 0);
	explicit_bzero(st.verifier, sizeof(st.verifier));
	free(url);
	free(esc);
	return r;
}

/* ---- /disconnect ---- */

int
wf_disconnect_prepare(struct wf_ctx *x)
{
	struct gapi_tokens t;
	struct gapi_error err = {0};
	struct gapi *g;
	int r;

	x->pre.revoke_tried = true;
	r = wf_svc_gapi(x, &g);
	if (r == 0)
		r = load_tokens(x, x->u->user_id, &t);
	if (r == 1) {
		r = gapi_revoke(g,
		    t.refresh_token[0] ? t.refresh_token : t.access_token,
		    &err);
		gapi_tokens_wipe(&t);
	}
	x->pre.revoke_err = r;
	return 0; /* a failed revoke still disconnects here */
}

int
wf_disconnect(struct wf_ctx *x)
{
	char details[96];
	int r;

	if (!wf_google_connected(x, x->u->user_id)) {
		wf_result(x, "google_not_connected", 0);
		return wf_say(x, "Google isn't connected.");
	}
	r = store_cred_delete(x->q, x->u->user_id, PROVIDER);
	if (r == 0)
		r = wf_prefs_set(x, x->u->user_id, "backend", "local");
	snprintf(details, sizeof(details), "{\"revoked\":%s}",
	    x->pre.revoke_tried && x->pre.revoke_err == 0 ? "true" : "false");
	if (r == 0)
		r = wf_audit(x, "google_disconnected", "user", x->u->user_id,
		    x->u->user_id, x->u->chat_id, details);
	wf_result(x, "google_disconnected", 0);
	if (r == 0)
		r = wf_say(x,
		    "Google disconnected%s. New tasks and events are kept "
		    "here; what is already in Google stays there.",
		    x->pre.revoke_err == 0 ? " and its access revoked"
		                           : " (Google could not be reached "
		                             "to revoke the access: you can "
		                             "remove draftbot at "
		                             "myaccount.google.com/permissions)");
	return r;
}

/* ---- /settings ---- */

static int
show_settings(struct wf_ctx *x, const char *prefix)
{
	struct wf_prefs p;
	char *list, *cal, *tz;
	bool connected = wf_google_connected(x, x->u->user_id);
	int r;

	r = wf_prefs_get(x, x->u->user_id, &p);
	if (r < 0)
		return r;
	list = html_escape(p.task_list);
	cal = html_escape(p.calendar);
	tz = html_escape(x->tz);
	if (list == NULL || cal == NULL || tz == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = wf_say(x,
	    "%s<b>Settings</b>\n"
	    "Confirmed things go to: <b>%s</b>%s\n"
	    "Google task list: %s\nGoogle calendar: %s\nTime zone: %s\n\n"
	    "Change with <code>/settings backend local</code> or "
	    "<code>google</code>, <code>/settings list ID</code>, "
	    "<code>/settings calendar ID</code>, <code>/tz ZONE</code>.",
	    prefix,
	    strcmp(p.backend, "google") == 0 ? "Google" : "draftbot's own list",
	    connected ? " (Google connected)"
	              : " (Google not connected: /connect)",
	    list, cal, tz);
out:
	free(list);
	free(cal);
	free(tz);
	return r;
}

/* A task list or calendar id as people paste them: no spaces or controls,
 * at most 127 bytes. */
static bool
plain_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(((struct wf_prefs *)0)->task_list))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int
wf_settings(struct wf_ctx *x, const char *args)
{
	char key[16] = "", value[160] = "", details[256];
	struct json_object *o;
	int n = 0, r;

	wf_result(x, "settings", 0);
	if (args != NULL)
		n = sscanf(args, " %15s %159s", key, value);
	if (n <= 0)
		return show_settings(x, "");
	if (n == 1 || (strcmp(key, "backend") != 0 && strcmp(key, "list") != 0 &&
	                  strcmp(key, "calendar") != 0))
		return wf_say(x,
		    "I know <code>/settings backend local|google</code>, "
		    "<code>/settings list ID</code> and <code>/settings "
		    "calendar ID</code>.");
	if (strcmp(key, "backend") == 0) {
		if (strcmp(value, "local") != 0 && strcmp(value, "google") != 0)
			return wf_say(x, "The backend is <code>local</code> or "
			                 "<code>google</code>.");
		if (strcmp(value, "google") == 0 &&
		    !wf_google_connected(x, x->u->user_id))
			return wf_say(x, "Google isn't connected yet: send "
			                 "/connect first.");
		r = wf_prefs_set(x, x->u->user_id, "backend", value);
	} else {
		if (!plain_id(value))
			return wf_say(x, "That doesn't look like an id.");
		r = wf_prefs_set(x, x->u->user_id,
		    strcmp(key, "list") == 0 ? "task_list" : "calendar", value);
	}
	if (r < 0)
		return r;
	o = json_object_new_object();
	if (o == NULL)
		return -ENOMEM;
	json_object_object_add(o, key, json_object_new_string(value));
	snprintf(details, sizeof(details), "%s",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	r = wf_audit(x, "settings_changed", "user", x->u->user_id,
	    x->u->user_id, x->u->chat_id, details);
	return r < 0 ? r : show_settings(x, "Saved. ");
}

/* ---- operators ---- */

int
wf_google_import(struct wf_env *env, int64_t user_id,
    const struct gapi_tokens *t, char *err, size_t errlen)
{
	struct wf_ctx x = {.env = env, .q = env->q};
	const struct secret_key *key;
	const char *why = NULL;
	int r;

	if (t->refresh_token[0] == '\0') {
		snprintf(err, errlen, "there is no refresh token to store");
		return -EINVAL;
	}
	r = wf_svc_key(&x, &key, &why);
	if (r < 0) {
		snprintf(err, errlen, "%s", why != NULL ? why : strerror(-r));
		return r;
	}
	x.now = queue_now(x.q);
	r = queue_begin(x.q);
	if (r < 0)
		return r;
	/* someone the bot has not met yet: a row to hang the token on */
	r = store_user_touch(x.q, user_id, 0, "",
	    cfg_str(env->cfg, "tz") != NULL ? cfg_str(env->cfg, "tz") : "UTC");
	if (r == 0)
		r = wf_google_save_tokens(&x, user_id, t);
	if (r == 0)
		r = wf_prefs_set(&x, user_id, "backend", "google");
	if (r == 0)
		r = wf_audit(&x, "google_connected", "user", user_id, user_id, 0,
		    "{\"by\":\"operator\"}");
	if (r == 0)
		r = queue_commit(x.q);
	if (r < 0) {
		queue_rollback(x.q);
		snprintf(err, errlen, "%s", queue_errmsg(x.q));
	}
	return r;
}

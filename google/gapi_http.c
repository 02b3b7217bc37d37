/*
 * gapi_http — the client handle and the one request every call makes:
 * send, then classify Google's answer into the error classes of gapi.h.
 *
 * Google answers API errors as
 *   {"error":{"code":403,"message":"…","errors":[{"reason":"…"}],
 *             "status":"PERMISSION_DENIED","details":[…]}}
 * and the OAuth endpoints as {"error":"invalid_grant",
 * "error_description":"…"}.  Whatever lands in err is checked against the
 * secrets of the call first: a message that quotes one is withheld.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h> /* the types; calls go through sodiumx */
#include "common/sodiumx.h"

#include "google/gapi_int.h"

static char *
dup_url(const char *s)
{
	size_t n;
	char *d;

	if (s == NULL ||
	    (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0))
		return NULL;
	n = strlen(s);
	while (n > 8 && s[n - 1] == '/')
		n--;
	d = strndup(s, n);
	return d;
}

int
gapi_open(const struct gapi_opts *o, struct gapi **ret)
{
	struct http_opts ho = {0};
	struct gapi *g;
	int r;

	if (o == NULL || ret == NULL || o->timeout_ms < 0 ||
	    o->client_id == NULL || *o->client_id == '\0' ||
	    o->client_secret == NULL || *o->client_secret == '\0' ||
	    !gapi_token_ok(o->client_id, 1024) ||
	    !gapi_token_ok(o->client_secret, 1024))
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->auth_url = dup_url(o->auth_url);
	g->token_url = dup_url(o->token_url);
	g->revoke_url = dup_url(o->revoke_url);
	g->tasks_url = dup_url(o->tasks_url);
	g->calendar_url = dup_url(o->calendar_url);
	if (g->auth_url == NULL || g->token_url == NULL ||
	    g->revoke_url == NULL || g->tasks_url == NULL ||
	    g->calendar_url == NULL) {
		r = -EINVAL;
		goto fail;
	}
	g->client_id = strdup(o->client_id);
	g->client_secret = strdup(o->client_secret);
	if (g->client_id == NULL || g->client_secret == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	ho.timeout_ms = o->timeout_ms;
	ho.max_response = GAPI_REPLY_MAX;
	r = http_open(&ho, &g->http);
	if (r < 0)
		goto fail;
	*ret = g;
	return 0;
fail:
	gapi_close(g);
	return r;
}

void
gapi_close(struct gapi *g)
{
	if (g == NULL)
		return;
	http_close(g->http);
	if (g->client_secret != NULL)
		explicit_bzero(g->client_secret, strlen(g->client_secret));
	free(g->client_secret);
	free(g->client_id);
	free(g->auth_url);
	free(g->token_url);
	free(g->revoke_url);
	free(g->tasks_url);
	free(g->calendar_url);
	free(g);
}

bool
gapi_retryable(int r)
{
	return r == -EAGAIN || r == -EREMOTEIO || http_retryable(r);
}

bool
gapi_token_ok(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (i + 1 >= max || s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

void
gapi_err_clear(struct gapi_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

int
gapi_fail(struct gapi_error *err, int r, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return r;
}

/* Does s quote any secret of the call (or look like an access token)? */
static bool
quotes_secret(const struct gapi *g, const struct gapi_call *c, const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	if (strstr(s, "ya29.") != NULL || strstr(s, g->client_secret) != NULL)
		return true;
	if (c->bearer != NULL && strstr(s, c->bearer) != NULL)
		return true;
	for (i = 0; i < GAPI_SECRETS_MAX; i++)
		if (c->secrets[i] != NULL && *c->secrets[i] != '\0' &&
		    strstr(s, c->secrets[i]) != NULL)
			return true;
	return false;
}

/* Copy src into dst of len bytes: control characters become spaces and a
 * cut never splits a UTF-8 sequence. */
static void
copy_text(char *dst, size_t len, const char *src)
{
	size_t i, n = 0;

	for (i = 0; src[i] != '\0' && n + 1 < len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[n++] = c < ' ' || c == 0x7f ? ' ' : (char)c;
	}
	/* src[n] is the first byte left out: when it continues a sequence,
	 * drop that sequence's bytes already copied. */
	while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
		n--;
	dst[n] = '\0';
}

/* The most specific reason Google gave: errors[0].reason, else the
 * ErrorInfo reason in details[], else the canonical status. */
static const char *
google_reason(struct json_object *e)
{
	struct json_object *a, *x;
	const char *s;
	size_t i;

	a = gapi_json_array(e, "errors");
	if (a != NULL && json_object_array_length(a) > 0 &&
	    (s = gapi_json_str(json_object_array_get_idx(a, 0), "reason")))
		return s;
	a = gapi_json_array(e, "details");
	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		x = json_object_array_get_idx(a, i);
		if ((s = gapi_json_str(x, "reason")) != NULL)
			return s;
	}
	return gapi_json_str(e, "status");
}

static bool
rate_limited(const char *reason)
{
	static const char *const rate[] = {"rateLimitExceeded",
	    "userRateLimitExceeded", "quotaExceeded", "RATE_LIMIT_EXCEEDED",
	    "RESOURCE_EXHAUSTED"};
	size_t i;

	for (i = 0; i < sizeof(rate) / sizeof(rate[0]); i++)
		if (strcmp(reason, rate[i]) == 0)
			return true;
	return false;
}

static int
classify(int status, const char *reason, bool oauth)
{
	if (oauth && strcmp(reason, "invalid_grant") == 0)
		return -EKEYREJECTED;
	/* Our client id or secret is wrong: the person reconnecting would
	 * not help, the operator must fix the configuration. */
	if (oauth &&
	    (strcmp(reason, "invalid_client") == 0 ||
	        strcmp(reason, "unauthorized_client") == 0))
		return -EACCES;
	if (status == 401)
		return -EKEYREJECTED;
	if (status == 429)
		return -EAGAIN;
	if (status == 403)
		return rate_limited(reason) ? -EAGAIN : -EACCES;
	if (status == 404 || status == 410)
		return -ENOENT;
	if (status == 409)
		return -EEXIST;
	if (status >= 500 && status <= 599)
		return -EREMOTEIO;
	if (status >= 400 && status <= 499)
		return -EINVAL;
	return -EBADMSG;
}

/* A non-2xx answer: fill err from its body and classify it. */
static int
reply_error(const struct gapi *g, const struct gapi_call *c,
    const struct http_resp *rs, struct gapi_error *err)
{
	struct json_object *root = NULL, *e = NULL;
	const char *reason = NULL, *msg = NULL;
	int r;

	if (gapi_json_parse(rs->body, rs->len, &root) == 0 &&
	    json_object_object_get_ex(root, "error", &e)) {
		if (json_object_is_type(e, json_type_string)) {
			reason = json_object_get_string(e);
			msg = gapi_json_str(root, "error_description");
		} else if (json_object_is_type(e, json_type_object)) {
			reason = google_reason(e);
			msg = gapi_json_str(e, "message");
		}
	}
	if (reason != NULL && !quotes_secret(g, c, reason))
		copy_text(err->reason, sizeof(err->reason), reason);
	if (msg != NULL && quotes_secret(g, c, msg))
		snprintf(err->message, sizeof(err->message),
		    "HTTP %d (Google's message withheld: it quotes a "
		    "credential)",
		    rs->status);
	else if (msg != NULL && *msg != '\0')
		copy_text(err->message, sizeof(err->message), msg);
	else
		snprintf(err->message, sizeof(err->message),
		    "HTTP %d with %s reply", rs->status,
		    root != NULL ? "an unexpected JSON" : "a non-JSON");
	r = classify(rs->status, err->reason, c->oauth);
	json_object_put(root);
	return r;
}

int
gapi_call(struct gapi *g, const struct gapi_call *c, struct json_object **ret,
    struct gapi_error *err)
{
	static const char *const accept[] = {"Accept: application/json", NULL};
	struct gapi_error scratch;
	struct http_req rq = {0};
	struct http_resp rs = {0};
	char why[HTTP_ERR_MAX];
	int r;

	if (err == NULL)
		err = &scratch;
	gapi_err_clear(err);
	if (ret != NULL)
		*ret = NULL;
	/* Every API call carries the person's access token; only the
	 * OAuth endpoints go without. */
	if ((c->bearer != NULL || !c->oauth) &&
	    !gapi_token_ok(c->bearer, GAPI_BEARER_MAX))
		return gapi_fail(
		    err, -EINVAL, "the access token is missing or malformed");
	rq.method = c->method;
	/* Inserts (no idempotency key on Tasks) and code trades (single
	 * use) must never be re-sent behind our back: every write goes on a
	 * fresh connection. */
	rq.once = strcmp(c->method, "GET") != 0;
	rq.url = c->url;
	rq.bearer = c->bearer;
	rq.headers = accept;
	if (c->form != NULL) {
		rq.content_type = "application/x-www-form-urlencoded";
		rq.body = c->form;
		rq.body_len = strlen(c->form);
	} else if (c->json != NULL) {
		rq.content_type = "application/json; charset=utf-8";
		rq.body = json_object_to_json_string_ext(c->json,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (rq.body == NULL)
			return gapi_fail(err, -ENOMEM, "out of memory");
		rq.body_len = strlen(rq.body);
	}
	r = http_do(g->http, &rq, &rs, why, sizeof(why));
	if (r < 0) {
		if (quotes_secret(g, c, why))
			return gapi_fail(err, r, "the request failed (%d)", r);
		return gapi_fail(err, r, "%s", why);
	}
	err->http_status = rs.status;
	err->retry_after = rs.retry_after;
	if (rs.status < 200 || rs.status > 299) {
		r = reply_error(g, c, &rs, err);
	} else if (ret != NULL) {
		r = gapi_json_parse(rs.body, rs.len, ret);
		if (r < 0)
			gapi_fail(err, r,
			    "HTTP %d: the reply is not a JSON "
			    "object (%.40s)",
			    rs.status,
			    rs.content_type[0] ? rs.content_type : "no type");
	}
	if (c->secret_reply && rs.body != NULL)
		explicit_bzero(rs.body, rs.len);
	http_resp_free(&rs);
	return r;
}

int
gapi_send(struct gapi *g, const char *method, const char *url,
    const char *access, struct json_object *body, struct json_object **ret,
    struct gapi_error *err)
{
	struct gapi_call c = {0};

	c.method = method;
	c.url = url;
	c.bearer = access;
	c.json = body;
	return gapi_call(g, &c, ret, err);
}

int
gapi_url_check(
    const struct gapi_buf *url, const char *what, struct gapi_error *err)
{
	if (url->err == 0)
		return 0;
	return gapi_fail(err, url->err == -E2BIG ? -EINVAL : url->err,
	    "the %s URL is too long", what);
}

int
gapi_new_id(struct json_object *reply, const char *what, char *ret_id,
    size_t idlen, struct gapi_error *err)
{
	const char *id = gapi_json_str(reply, "id");

	if (id == NULL || *id == '\0')
		return gapi_fail(err, -EBADMSG, "the new %s has no id", what);
	if (gapi_copy(ret_id, idlen, id) < 0)
		return gapi_fail(
		    err, -EBADMSG, "the new %s's id is too long", what);
	return 0;
}

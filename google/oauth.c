/*
 * oauth — Google's OAuth 2.0 for a web server application: the consent
 * URL, trading the code for tokens, refreshing and revoking.
 *
 * The token endpoint's reply is the one place tokens arrive: its body is
 * wiped by gapi_call() (secret_reply) and the token strings inside the
 * parsed JSON are wiped here before it is freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "google/gapi_int.h"

#define EXPIRES_DEFAULT_S 3600
#define EXPIRES_MAX_S (366 * 86400)

int
gapi_auth_url(const struct gapi *g, const char *redirect_uri, const char *state,
    const char *challenge, char **ret_url)
{
	struct gapi_buf b;

	if (g == NULL || redirect_uri == NULL || *redirect_uri == '\0' ||
	    state == NULL || *state == '\0' || challenge == NULL ||
	    *challenge == '\0' || ret_url == NULL)
		return -EINVAL;
	gapi_buf_init(
	    &b, GAPI_URL_MAX, strchr(g->auth_url, '?') != NULL ? '&' : '?');
	gapi_buf_puts(&b, g->auth_url);
	gapi_buf_kv(&b, "client_id", g->client_id);
	gapi_buf_kv(&b, "redirect_uri", redirect_uri);
	gapi_buf_kv(&b, "response_type", "code");
	gapi_buf_kv(&b, "scope", GAPI_SCOPES);
	gapi_buf_kv(&b, "state", state);
	gapi_buf_kv(&b, "code_challenge", challenge);
	gapi_buf_kv(&b, "code_challenge_method", "S256");
	gapi_buf_kv(&b, "access_type", "offline");
	gapi_buf_kv(&b, "prompt", "consent");
	gapi_buf_kv(&b, "include_granted_scopes", "true");
	if (b.err < 0) {
		int r = b.err == -E2BIG ? -EINVAL : b.err;

		gapi_buf_wipe(&b);
		return r;
	}
	*ret_url = b.p;
	return 0;
}

void
gapi_tokens_wipe(struct gapi_tokens *t)
{
	if (t != NULL)
		explicit_bzero(t, sizeof(*t));
}

bool
gapi_scope_granted(const char *scope, const char *one)
{
	size_t n;
	const char *p;

	if (scope == NULL || one == NULL || (n = strlen(one)) == 0)
		return false;
	for (p = scope; (p = strstr(p, one)) != NULL; p += n)
		if ((p == scope || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

/* Copy the words of src that fit into dst, in order. */
static void
copy_scope(char *dst, size_t len, const char *src)
{
	size_t n = 0, w;

	dst[0] = '\0';
	while (*src != '\0') {
		src += strspn(src, " ");
		w = strcspn(src, " ");
		if (w > 0 && n + (n > 0) + w < len) {
			if (n > 0)
				dst[n++] = ' ';
			memcpy(dst + n, src, w);
			n += w;
			dst[n] = '\0';
		}
		src += w;
	}
}

/* Fill t from the token endpoint's reply; old is the refresh token to keep
 * when the reply carries none (NULL: leave it empty). */
static int
tokens_from_json(struct json_object *o, const char *old, int64_t now_ms,
    struct gapi_tokens *t, struct gapi_error *err)
{
	const char *access, *refresh, *type, *scope;
	struct json_object *v;
	int64_t expires = EXPIRES_DEFAULT_S;

	access = gapi_json_str(o, "access_token");
	if (!gapi_token_ok(access, sizeof(t->access_token)))
		return gapi_fail(err, -EBADMSG,
		    "the token reply has no usable access_token");
	type = gapi_json_str(o, "token_type");
	if (type != NULL && strcasecmp(type, "Bearer") != 0)
		return gapi_fail(err, -EBADMSG,
		    "the token reply's token_type is not Bearer");
	if (json_object_object_get_ex(o, "expires_in", &v)) {
		if (!json_object_is_type(v, json_type_int))
			return gapi_fail(err, -EBADMSG,
			    "the token reply's expires_in is not a number");
		expires = json_object_get_int64(v);
		if (expires <= 0 || expires > EXPIRES_MAX_S)
			return gapi_fail(err, -EBADMSG,
			    "the token reply's expires_in is out of range");
	}
	refresh = gapi_json_str(o, "refresh_token");
	if (refresh != NULL &&
	    !gapi_token_ok(refresh, sizeof(t->refresh_token)))
		return gapi_fail(err, -EBADMSG,
		    "the token reply's refresh_token is unusable");
	if (refresh == NULL)
		refresh = old != NULL ? old : "";
	memcpy(t->access_token, access, strlen(access) + 1);
	memcpy(t->refresh_token, refresh, strlen(refresh) + 1);
	t->expires_at_ms = now_ms + expires * 1000;
	scope = gapi_json_str(o, "scope");
	copy_scope(t->scope, sizeof(t->scope), scope != NULL ? scope : "");
	return 0;
}

/* Zero the token strings inside a parsed reply before it is freed: json-c
 * would free them as they are.  The buffers are json-c's own, writable
 * behind the const of its getter. */
static void
wipe_tokens_json(struct json_object *o)
{
	static const char *const keys[] = {
	    "access_token", "refresh_token", "id_token"};
	struct json_object *v;
	size_t i;

	for (i = 0; o != NULL && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_object_get_ex(o, keys[i], &v) &&
		    json_object_is_type(v, json_type_string))
			explicit_bzero((char *)json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
}

/* POST form (with its secrets) to the token endpoint and read the tokens
 * into ret; ret is wiped on failure. */
static int
token_call(struct gapi *g, struct gapi_buf *form, const char *old,
    int64_t now_ms, struct gapi_tokens *ret, struct gapi_error *err,
    const struct gapi_call *c0)
{
	struct gapi_call c = *c0;
	struct json_object *root = NULL;
	int r;

	gapi_err_clear(err);
	if (form->err < 0) {
		r = gapi_fail(err, form->err == -E2BIG ? -EINVAL : form->err,
		    "the token request is too large");
		goto out;
	}
	c.method = "POST";
	c.url = g->token_url;
	c.form = form->p;
	c.oauth = true;
	c.secret_reply = true;
	r = gapi_call(g, &c, &root, err);
	if (r == 0)
		r = tokens_from_json(root, old, now_ms, ret, err);
out:
	wipe_tokens_json(root);
	json_object_put(root);
	if (r < 0)
		gapi_tokens_wipe(ret);
	return r;
}

int
gapi_exchange_code(struct gapi *g, const char *code, const char *verifier,
    const char *redirect_uri, int64_t now_ms, struct gapi_tokens *ret,
    struct gapi_error *err)
{
	char challenge[GAPI_CHALLENGE_MAX];
	struct gapi_call c = {0};
	struct gapi_buf form;
	int r;

	gapi_err_clear(err);
	if (g == NULL || code == NULL || *code == '\0' || verifier == NULL ||
	    redirect_uri == NULL || *redirect_uri == '\0' || ret == NULL)
		return gapi_fail(err, -EINVAL, "missing argument");
	/* A malformed verifier would only earn an invalid_grant later. */
	if (gapi_pkce_challenge(verifier, challenge) < 0)
		return gapi_fail(
		    err, -EINVAL, "the PKCE verifier is malformed");
	gapi_buf_init(&form, GAPI_FORM_MAX, 0);
	gapi_buf_kv(&form, "grant_type", "authorization_code");
	gapi_buf_kv(&form, "code", code);
	gapi_buf_kv(&form, "code_verifier", verifier);
	gapi_buf_kv(&form, "redirect_uri", redirect_uri);
	gapi_buf_kv(&form, "client_id", g->client_id);
	gapi_buf_kv(&form, "client_secret", g->client_secret);
	c.secrets[0] = code;
	c.secrets[1] = verifier;
	r = token_call(g, &form, NULL, now_ms, ret, err, &c);
	gapi_buf_wipe(&form);
	return r;
}

int
gapi_refresh(struct gapi *g, const char *refresh_token, int64_t now_ms,
    struct gapi_tokens *ret, struct gapi_error *err)
{
	char old[sizeof(ret->refresh_token)];
	struct gapi_call c = {0};
	struct gapi_buf form;
	int r;

	gapi_err_clear(err);
	if (g == NULL || ret == NULL ||
	    !gapi_token_ok(refresh_token, sizeof(old)))
		return gapi_fail(err, -EINVAL,
		    "missing or malformed refresh "
		    "token");
	/* ret may be the struct refresh_token lives in. */
	memcpy(old, refresh_token, strlen(refresh_token) + 1);
	gapi_buf_init(&form, GAPI_FORM_MAX, 0);
	gapi_buf_kv(&form, "grant_type", "refresh_token");
	gapi_buf_kv(&form, "refresh_token", old);
	gapi_buf_kv(&form, "client_id", g->client_id);
	gapi_buf_kv(&form, "client_secret", g->client_secret);
	c.secrets[0] = old;
	r = token_call(g, &form, old, now_ms, ret, err, &c);
	gapi_buf_wipe(&form);
	explicit_bzero(old, sizeof(old));
	return r;
}

int
gapi_revoke(struct gapi *g, const char *token, struct gapi_error *err)
{
	struct gapi_error scratch;
	struct gapi_call c = {0};
	struct gapi_buf form;
	int r;

	if (err == NULL)
		err = &scratch;
	gapi_err_clear(err);
	if (g == NULL || !gapi_token_ok(token, GAPI_BEARER_MAX))
		return gapi_fail(err, -EINVAL, "missing or malformed token");
	gapi_buf_init(&form, GAPI_FORM_MAX, 0);
	gapi_buf_kv(&form, "token", token);
	if (form.err < 0) {
		r = form.err == -E2BIG ? -EINVAL : form.err;
		goto out;
	}
	c.method = "POST";
	c.url = g->revoke_url;
	c.form = form.p;
	c.oauth = true;
	c.secrets[0] = token;
	r = gapi_call(g, &c, NULL, err);
	/* Already revoked or expired: what revoking wanted. */
	if (r == -EINVAL && strcmp(err->reason, "invalid_token") == 0)
		r = 0;
out:
	gapi_buf_wipe(&form);
	return r;
}

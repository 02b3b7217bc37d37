/*
 * fake_google_oauth — Google's OAuth 2.0 endpoints as the fake serves
 * them: the consent page (/o/oauth2/v2/auth, which consents at once and
 * redirects), the token endpoint (authorization_code with PKCE S256, and
 * refresh_token), revocation, and the bearer check in front of the API.
 *
 * A grant is one consent: its refresh token and every access token minted
 * from it.  Revoking any of them revokes the grant, as Google does.
 * Every function here runs with f->lock held unless it says otherwise.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/fake_google_int.h"

#define DEFAULT_SCOPE FAKE_GOOGLE_TASKS_SCOPE " " FAKE_GOOGLE_CALENDAR_SCOPE
#define SEE_ALSO                                                               \
	"Expected OAuth 2 access token, login cookie or other valid "          \
	"authentication credential. See "                                      \
	"https://developers.google.com/identity/sign-in/web/"                  \
	"devconsole-project."

/* Scopes a consent may ask for beyond the two discovery documents'. */
static const char *const extra_scopes[] = {"openid", "email", "profile",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/userinfo.profile"};

/* A fresh token: prefix and n random bytes, base64url. */
static void
new_token(const char *prefix, size_t n, char *out)
{
	unsigned char raw[48];
	char b64[80];

	fg_random(raw, n);
	fg_b64url(raw, n, b64, sizeof(b64));
	snprintf(out, FAKE_GOOGLE_TOKEN_MAX, "%s%s", prefix, b64);
}

/* {"error":error,"error_description":desc} with status; returns 0. */
static int
oauth_error(struct fake_google *f, struct fg_reply *r, int status,
    const char *error, const char *desc)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(error));
	if (desc != NULL)
		json_object_object_add(
		    o, "error_description", json_object_new_string(desc));
	fg_reply_json(r, status, o);
	return 0;
}

/* The consent page's error page; returns 0. */
static int
auth_page_error(
    struct fg_reply *r, int status, const char *error, const char *detail)
{
	char *page;

	if (asprintf(&page,
	        "<!DOCTYPE html><html><head><title>Error %d: %s</title>"
	        "</head><body><h1>Access blocked: authorization error</h1>"
	        "<p>Error %d: %s</p><p>%s</p></body></html>\n",
	        status, error, status, error, detail) < 0)
		page = NULL;
	free(r->body);
	r->status = status;
	r->body = page;
	r->html = true;
	return 0;
}

/* Percent-encode s (everything but RFC 3986 unreserved) onto a string of
 * the caller's; false on ENOMEM. */
static bool
urlenc_append(char **buf, size_t *len, size_t *cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	if (fg_grow(buf, cap, *len + strlen(s) * 3 + 1, 1) < 0)
		return false;
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			(*buf)[(*len)++] = (char)ch;
		} else {
			(*buf)[(*len)++] = '%';
			(*buf)[(*len)++] = hex[ch >> 4];
			(*buf)[(*len)++] = hex[ch & 15];
		}
	}
	(*buf)[*len] = '\0';
	return true;
}

static bool
raw_append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (fg_grow(buf, cap, *len + n + 1, 1) < 0)
		return false;
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return true;
}

static bool
scope_known(struct fake_google *f, const char *scope, size_t n)
{
	struct json_object *docs[] = {f->tasks_doc, f->calendar_doc}, *sc;
	char name[256];

	if (n >= sizeof(name))
		return false;
	memcpy(name, scope, n);
	name[n] = '\0';
	for (size_t i = 0; i < sizeof(extra_scopes) / sizeof(*extra_scopes);
	     i++)
		if (strcmp(extra_scopes[i], name) == 0)
			return true;
	for (size_t i = 0; i < 2; i++)
		if (json_object_object_get_ex(docs[i], "auth", &sc) &&
		    json_object_object_get_ex(sc, "oauth2", &sc) &&
		    json_object_object_get_ex(sc, "scopes", &sc) &&
		    json_object_object_get_ex(sc, name, NULL))
			return true;
	return false;
}

/* Is every space-separated scope known?  The first unknown into bad. */
static bool
scopes_ok(struct fake_google *f, const char *scope, char *bad, size_t len)
{
	const char *p = scope;
	bool any = false;

	while (*p != '\0') {
		size_t n;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n > 0 && !scope_known(f, p, n)) {
			snprintf(bad, len, "%.*s", (int)n, p);
			return false;
		}
		any = any || n > 0;
		p += n;
	}
	return any;
}

/* A PKCE value: 43-128 characters of [A-Za-z0-9-._~] (RFC 7636). */
static bool
pkce_text(const char *s)
{
	size_t n = strlen(s);

	return n >= 43 && n <= 128 &&
	    strspn(s,
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789-._~") == n;
}

int
fg_new_code(struct fake_google *f, const char *client_id,
    const char *redirect_uri, const char *challenge, const char *scope,
    char *code_out)
{
	struct fg_code *c;

	if (fg_grow(&f->codes, &f->cap_codes, f->n_codes + 1,
	        sizeof(*f->codes)) < 0)
		return -ENOMEM;
	c = &f->codes[f->n_codes];
	memset(c, 0, sizeof(*c));
	new_token("4/0Afake", 24, c->code);
	c->client_id = strdup(client_id);
	c->redirect_uri = strdup(redirect_uri);
	c->challenge = strdup(challenge);
	c->scope = strdup(scope);
	c->expires_ms = fg_mono_ms() + FG_CODE_LIFETIME_MS;
	if (!c->client_id || !c->redirect_uri || !c->challenge || !c->scope) {
		free(c->client_id);
		free(c->redirect_uri);
		free(c->challenge);
		free(c->scope);
		return -ENOMEM;
	}
	f->n_codes++;
	f->stats.codes_issued++;
	snprintf(code_out, FAKE_GOOGLE_TOKEN_MAX, "%s", c->code);
	return 0;
}

/* A new access token for grant g into out. */
static int
new_access(struct fake_google *f, size_t g, char *out)
{
	struct fg_access *a;

	if (fg_grow(&f->access, &f->cap_access, f->n_access + 1,
	        sizeof(*f->access)) < 0)
		return -ENOMEM;
	a = &f->access[f->n_access++];
	new_token("ya29.fake", 24, a->token);
	a->grant = g;
	a->expires_ms = fg_mono_ms() + (int64_t)f->token_lifetime_s * 1000;
	snprintf(out, FAKE_GOOGLE_TOKEN_MAX, "%s", a->token);
	return 0;
}

int
fg_new_grant(struct fake_google *f, const char *client_id, const char *scope,
    char *access_out, char *refresh_out)
{
	struct fg_grant *g;

	if (fg_grow(&f->grants, &f->cap_grants, f->n_grants + 1,
	        sizeof(*f->grants)) < 0)
		return -ENOMEM;
	g = &f->grants[f->n_grants];
	memset(g, 0, sizeof(*g));
	new_token("1//0fake", 32, g->refresh);
	g->client_id = strdup(client_id);
	g->scope = strdup(scope);
	if (g->client_id == NULL || g->scope == NULL) {
		free(g->client_id);
		free(g->scope);
		return -ENOMEM;
	}
	f->n_grants++;
	if (new_access(f, f->n_grants - 1, access_out) < 0)
		return -ENOMEM;
	snprintf(refresh_out, FAKE_GOOGLE_TOKEN_MAX, "%s", g->refresh);
	f->stats.tokens_issued++;
	return 0;
}

/* The consent page's answer; returns 0. */
static int
auth_answer(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	const char *client = fg_query(c, "client_id");
	const char *redirect = fg_query(c, "redirect_uri");
	const char *rtype = fg_query(c, "response_type");
	const char *scope = fg_query(c, "scope");
	const char *state = fg_query(c, "state");
	const char *challenge = fg_query(c, "code_challenge");
	const char *method = fg_query(c, "code_challenge_method");
	char code[FAKE_GOOGLE_TOKEN_MAX], bad[256], detail[512];
	char *loc = NULL;
	size_t len = 0, cap = 0;
	bool ok;

	if (client == NULL || *client == '\0')
		return auth_page_error(r, 400, "invalid_request",
		    "Missing required parameter: client_id");
	if (strcmp(client, f->client_id) != 0)
		return auth_page_error(r, 401, "invalid_client",
		    "The OAuth client was not found.");
	if (redirect == NULL || *redirect == '\0')
		return auth_page_error(r, 400, "invalid_request",
		    "Missing required parameter: redirect_uri");
	if (strncmp(redirect, "http://", 7) != 0 &&
	    strncmp(redirect, "https://", 8) != 0)
		return auth_page_error(r, 400, "invalid_request",
		    "Invalid parameter value for redirect_uri");
	if (rtype == NULL || *rtype == '\0')
		return auth_page_error(r, 400, "invalid_request",
		    "Required parameter is missing: response_type");
	if (strcmp(rtype, "code") != 0)
		return auth_page_error(r, 400, "unsupported_response_type",
		    "Invalid response_type");
	if (scope == NULL || *scope == '\0')
		return auth_page_error(r, 400, "invalid_request",
		    "Missing required parameter: scope");
	if (!scopes_ok(f, scope, bad, sizeof(bad))) {
		snprintf(detail, sizeof(detail),
		    "Some requested scopes were invalid. {invalid=[%s]}", bad);
		return auth_page_error(r, 400, "invalid_scope", detail);
	}
	if (challenge == NULL || *challenge == '\0')
		return auth_page_error(r, 400, "invalid_request",
		    "Missing required parameter: code_challenge");
	if (method == NULL || strcmp(method, "S256") != 0)
		return auth_page_error(r, 400, "invalid_request",
		    "Invalid code_challenge_method: S256 is required");
	if (!pkce_text(challenge))
		return auth_page_error(
		    r, 400, "invalid_request", "Invalid code_challenge");
	if (fg_new_code(f, client, redirect, challenge, scope, code) < 0)
		return auth_page_error(r, 500, "server_error", "Out of memory");
	ok = raw_append(&loc, &len, &cap, redirect) &&
	    raw_append(&loc, &len, &cap, strchr(redirect, '?') ? "&" : "?");
	if (state != NULL)
		ok = ok && raw_append(&loc, &len, &cap, "state=") &&
		    urlenc_append(&loc, &len, &cap, state) &&
		    raw_append(&loc, &len, &cap, "&");
	ok = ok && raw_append(&loc, &len, &cap, "code=") &&
	    urlenc_append(&loc, &len, &cap, code) &&
	    raw_append(&loc, &len, &cap, "&scope=") &&
	    urlenc_append(&loc, &len, &cap, scope);
	if (!ok) {
		free(loc);
		return auth_page_error(r, 500, "server_error", "Out of memory");
	}
	r->status = 302;
	r->location = loc;
	r->html = true;
	r->body = strdup("");
	return 0;
}

int
fg_oauth_auth(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	auth_answer(f, c, r);
	return 0;
}

/* Client credentials from HTTP Basic into id and secret (malloc'd). */
static void
basic_auth(const char *hdr, char **id, char **secret)
{
	unsigned char raw[512];
	size_t n;
	char *colon, *text;
	struct json_object *form;

	*id = *secret = NULL;
	if (hdr == NULL || strncasecmp(hdr, "Basic ", 6) != 0)
		return;
	if (sodium_base642bin(raw, sizeof(raw) - 1, hdr + 6, strlen(hdr + 6),
	        NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return;
	raw[n] = '\0';
	colon = strchr((char *)raw, ':');
	if (colon == NULL)
		return;
	*colon = '\0';
	/* RFC 6749 2.3.1: both parts are form-urlencoded first */
	if (asprintf(&text, "i=%s&s=%s", raw, colon + 1) < 0)
		return;
	form = fg_form_parse(text);
	free(text);
	if (fg_str(form, "i") && fg_str(form, "s")) {
		*id = strdup(fg_str(form, "i"));
		*secret = strdup(fg_str(form, "s"));
	}
	json_object_put(form);
}

static void
token_reply(struct fake_google *f, struct fg_reply *r, const char *access,
    const char *refresh, const char *scope)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(
	    o, "access_token", json_object_new_string(access));
	json_object_object_add(
	    o, "expires_in", json_object_new_int(f->token_lifetime_s));
	if (refresh != NULL)
		json_object_object_add(
		    o, "refresh_token", json_object_new_string(refresh));
	json_object_object_add(o, "scope", json_object_new_string(scope));
	json_object_object_add(
	    o, "token_type", json_object_new_string("Bearer"));
	fg_reply_json(r, 200, o);
}

/* The authorization_code grant; returns 0. */
static int
grant_code(struct fake_google *f, struct json_object *form, const char *client,
    struct fg_reply *r)
{
	const char *code = fg_str(form, "code");
	const char *redirect = fg_str(form, "redirect_uri");
	const char *verifier = fg_str(form, "code_verifier");
	unsigned char hash[crypto_hash_sha256_BYTES];
	char b64[64], access[FAKE_GOOGLE_TOKEN_MAX];
	char refresh[FAKE_GOOGLE_TOKEN_MAX];
	struct fg_code *c = NULL;

	if (code == NULL || *code == '\0')
		return oauth_error(f, r, 400, "invalid_request",
		    "Missing required parameter: code");
	if (redirect == NULL || *redirect == '\0')
		return oauth_error(f, r, 400, "invalid_request",
		    "Missing parameter: redirect_uri");
	for (size_t i = 0; i < f->n_codes; i++)
		if (strcmp(f->codes[i].code, code) == 0)
			c = &f->codes[i];
	if (c == NULL)
		return oauth_error(
		    f, r, 400, "invalid_grant", "Malformed auth code.");
	if (c->used)
		return oauth_error(f, r, 400, "invalid_grant",
		    "Bad Request: the code was already redeemed.");
	if (fg_mono_ms() > c->expires_ms)
		return oauth_error(f, r, 400, "invalid_grant",
		    "Bad Request: the code has expired.");
	if (strcmp(c->client_id, client) != 0)
		return oauth_error(f, r, 400, "invalid_grant", "Unauthorized");
	if (strcmp(c->redirect_uri, redirect) != 0)
		return oauth_error(
		    f, r, 400, "redirect_uri_mismatch", "Bad Request");
	if (verifier == NULL || *verifier == '\0')
		return oauth_error(
		    f, r, 400, "invalid_grant", "Missing code verifier.");
	crypto_hash_sha256(
	    hash, (const unsigned char *)verifier, strlen(verifier));
	fg_b64url(hash, sizeof(hash), b64, sizeof(b64));
	if (!pkce_text(verifier) || strcmp(b64, c->challenge) != 0)
		return oauth_error(
		    f, r, 400, "invalid_grant", "Invalid code verifier.");
	if (fg_new_grant(f, client, c->scope, access, refresh) < 0)
		return oauth_error(f, r, 500, "internal_failure", NULL);
	c->used = true;
	token_reply(f, r, access, refresh, c->scope);
	return 0;
}

/* The refresh_token grant; returns 0. */
static int
grant_refresh(struct fake_google *f, struct json_object *form,
    const char *client, struct fg_reply *r)
{
	const char *rt = fg_str(form, "refresh_token");
	char access[FAKE_GOOGLE_TOKEN_MAX];
	size_t g;

	if (rt == NULL || *rt == '\0')
		return oauth_error(f, r, 400, "invalid_request",
		    "Missing required parameter: refresh_token");
	for (g = 0; g < f->n_grants; g++)
		if (strcmp(f->grants[g].refresh, rt) == 0)
			break;
	if (g == f->n_grants || f->grants[g].revoked)
		return oauth_error(f, r, 400, "invalid_grant",
		    "Token has been expired or revoked.");
	if (strcmp(f->grants[g].client_id, client) != 0)
		return oauth_error(
		    f, r, 401, "unauthorized_client", "Unauthorized");
	if (new_access(f, g, access) < 0)
		return oauth_error(f, r, 500, "internal_failure", NULL);
	f->stats.tokens_refreshed++;
	token_reply(f, r, access, NULL, f->grants[g].scope);
	return 0;
}

int
fg_oauth_token(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	struct json_object *form;
	const char *grant, *id, *secret;
	char *bid, *bsecret;

	if (c->content_type == NULL ||
	    strncasecmp(c->content_type, "application/x-www-form-urlencoded",
	        33) != 0) {
		oauth_error(f, r, 400, "invalid_request",
		    "Content-Type must be "
		    "application/x-www-form-urlencoded");
		f->stats.token_errors++;
		return 0;
	}
	form = fg_form_parse(c->body);
	basic_auth(c->authorization, &bid, &bsecret);
	grant = fg_str(form, "grant_type");
	id = fg_str(form, "client_id") ? fg_str(form, "client_id") : bid;
	secret = fg_str(form, "client_secret") ? fg_str(form, "client_secret")
	                                       : bsecret;
	if (grant == NULL ||
	    (strcmp(grant, "authorization_code") != 0 &&
	        strcmp(grant, "refresh_token") != 0)) {
		char desc[160];

		snprintf(desc, sizeof(desc), "Invalid grant_type: %s",
		    grant ? grant : "");
		oauth_error(f, r, 400, "unsupported_grant_type", desc);
	} else if (id == NULL || *id == '\0') {
		oauth_error(f, r, 400, "invalid_request",
		    "Could not determine client ID from request.");
	} else if (strcmp(id, f->client_id) != 0) {
		oauth_error(f, r, 401, "invalid_client",
		    "The OAuth client was not found.");
	} else if (secret == NULL || strcmp(secret, f->client_secret) != 0) {
		oauth_error(f, r, 401, "invalid_client", "Unauthorized");
	} else if (strcmp(grant, "authorization_code") == 0) {
		grant_code(f, form, id, r);
	} else {
		grant_refresh(f, form, id, r);
	}
	if (r->status >= 400 && r->status < 500)
		f->stats.token_errors++;
	if (bsecret != NULL)
		sodium_memzero(bsecret, strlen(bsecret));
	free(bid);
	free(bsecret);
	json_object_put(form);
	return 0;
}

/* The grant token t belongs to (a live refresh or access token), or -1. */
static long
grant_of(struct fake_google *f, const char *t, bool live_access)
{
	int64_t now = fg_mono_ms();

	for (size_t g = 0; g < f->n_grants; g++)
		if (strcmp(f->grants[g].refresh, t) == 0)
			return f->grants[g].revoked ? -1 : (long)g;
	for (size_t i = 0; i < f->n_access; i++) {
		const struct fg_access *a = &f->access[i];

		if (strcmp(a->token, t) != 0)
			continue;
		if (f->grants[a->grant].revoked ||
		    (live_access && now >= a->expires_ms))
			return -1;
		return (long)a->grant;
	}
	return -1;
}

int
fg_oauth_revoke(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	struct json_object *form = fg_form_parse(c->body);
	const char *t = fg_str(form, "token");
	long g;

	if (t == NULL)
		t = fg_query(c, "token");
	g = t ? grant_of(f, t, true) : -1;
	if (g < 0) {
		oauth_error(
		    f, r, 400, "invalid_token", "Token expired or revoked");
	} else {
		f->grants[g].revoked = true;
		f->stats.tokens_revoked++;
		fg_reply_json(r, 200, json_object_new_object());
	}
	json_object_put(form);
	return 0;
}

bool
fg_oauth_check(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	const char *t = NULL;
	long g;

	if (c->authorization != NULL &&
	    strncasecmp(c->authorization, "Bearer ", 7) == 0)
		t = c->authorization + 7;
	if (t == NULL)
		t = fg_query(c, "access_token");
	if (t == NULL)
		t = fg_query(c, "oauth_token");
	if (t == NULL || *t == '\0') {
		fg_api_error(r, 401, "global", "required",
		    "Request is missing required authentication credential. "
		    "%s",
		    SEE_ALSO);
		r->www_auth = "Bearer realm=\"https://accounts.google.com/\"";
		return false;
	}
	g = -1;
	for (size_t i = 0; i < f->n_access; i++)
		if (strcmp(f->access[i].token, t) == 0) {
			g = grant_of(f, t, true);
			break;
		}
	if (g < 0) {
		fg_api_error(r, 401, "global", "authError",
		    "Request had invalid authentication credentials. %s",
		    SEE_ALSO);
		r->www_auth = "Bearer realm=\"https://accounts.google.com/\", "
		              "error=\"invalid_token\"";
		return false;
	}
	if (!fg_scope_allows(c->m, f->grants[g].scope)) {
		fg_api_error(r, 403, "global", "insufficientPermissions",
		    "Request had insufficient authentication scopes.");
		r->www_auth = "Bearer realm=\"https://accounts.google.com/\", "
		              "error=\"insufficient_scope\"";
		return false;
	}
	return true;
}

void
fg_oauth_free(struct fake_google *f)
{
	for (size_t i = 0; i < f->n_codes; i++) {
		free(f->codes[i].client_id);
		free(f->codes[i].redirect_uri);
		free(f->codes[i].challenge);
		free(f->codes[i].scope);
	}
	free(f->codes);
	for (size_t i = 0; i < f->n_grants; i++) {
		free(f->grants[i].client_id);
		free(f->grants[i].scope);
	}
	free(f->grants);
	free(f->access);
}

/* ---- the public API (takes the lock) ---- */

int
fake_google_issue_code(struct fake_google *f, const char *redirect_uri,
    const char *challenge, char *code_out)
{
	int r;

	if (redirect_uri == NULL || challenge == NULL || code_out == NULL ||
	    !pkce_text(challenge))
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	r = fg_new_code(
	    f, f->client_id, redirect_uri, challenge, DEFAULT_SCOPE, code_out);
	pthread_mutex_unlock(&f->lock);
	return r;
}

int
fake_google_grant(struct fake_google *f, const char *scope, char *access_out,
    char *refresh_out)
{
	char access[FAKE_GOOGLE_TOKEN_MAX], refresh[FAKE_GOOGLE_TOKEN_MAX];
	int r;

	if (scope != NULL && *scope == '\0')
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	r = fg_new_grant(
	    f, f->client_id, scope ? scope : DEFAULT_SCOPE, access, refresh);
	pthread_mutex_unlock(&f->lock);
	if (r == 0 && access_out != NULL)
		memcpy(access_out, access, sizeof(access));
	if (r == 0 && refresh_out != NULL)
		memcpy(refresh_out, refresh, sizeof(refresh));
	return r;
}

void
fake_google_set_token_lifetime(struct fake_google *f, int seconds)
{
	pthread_mutex_lock(&f->lock);
	f->token_lifetime_s = seconds > 0 ? seconds : 0;
	pthread_mutex_unlock(&f->lock);
}

void
fake_google_expire_tokens(struct fake_google *f)
{
	int64_t now = fg_mono_ms();

	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n_access; i++)
		if (f->access[i].expires_ms > now)
			f->access[i].expires_ms = now;
	pthread_mutex_unlock(&f->lock);
}

/*
 * check_gapi — the Google API client (google/) against a tiny canned HTTP
 * server on 127.0.0.1 that records every request (method, raw target,
 * headers, body) and answers the replies a case queued, so the cases can
 * assert the exact paths, queries, form and JSON bodies, and every error
 * class from Google's real error shapes.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "google/gapi.h"
#include "tests/testutil.h"

#define REQS_MAX 80
#define CANNED_MAX 80
#define BODY_MAX (64 * 1024)

#define CLIENT_ID "123-abc.apps.googleusercontent.com"
#define SECRET "GOCSPX-test-client-secret"
#define ACCESS "ya29.a0-test-access-token"
#define REFRESH "1//0g-test-refresh-token"
#define CODE "4/0AY0e-test-authorization-code"
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define REDIRECT "https://bot.example.org/oauth/google/callback"
#define REDIRECT_ENC "https%3A%2F%2Fbot.example.org%2Foauth%2Fgoogle%2Fcallback"

/* Google's API error body: code, message, errors[0].reason, status. */
#define GERR(code, msg, reason, status)                                        \
	"{\"error\":{\"code\":" #code ",\"message\":\"" msg "\",\"errors\":"   \
	"[{\"message\":\"" msg "\",\"domain\":\"global\",\"reason\":\"" reason \
	"\"}],\"status\":\"" status "\"}}"

/* ---- the canned server ---- */

struct req {
	char method[16];
	char uri[4096]; /* the request target exactly as sent */
	char auth[4096];
	char ctype[128];
	char *body; /* NUL-terminated, "" when none */
	size_t len;
	bool started, stored;
};

struct canned {
	int status;
	char *body;
	int retry_after;
	int delay_ms;
	const char *ctype;
};

static struct {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	struct req *reqs[REQS_MAX];
	size_t n_reqs;
	struct canned canned[CANNED_MAX];
	size_t n_canned, next;
	char base[64];
} srv;

static struct gapi *g;

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct req *r = calloc(1, sizeof(*r));

	if (r != NULL)
		snprintf(r->uri, sizeof(r->uri), "%s", uri);
	return r;
}

static void
header(struct MHD_Connection *c, const char *name, char *dst, size_t len)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	snprintf(dst, len, "%s", v != NULL ? v : "");
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **req_cls)
{
	struct req *r = *req_cls;
	struct canned k = {500, NULL, 0, 0, NULL};
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char num[16];

	if (r == NULL)
		return MHD_NO;
	if (!r->started) {
		r->started = true;
		snprintf(r->method, sizeof(r->method), "%s", method);
		header(c, "Authorization", r->auth, sizeof(r->auth));
		header(c, "Content-Type", r->ctype, sizeof(r->ctype));
		r->body = calloc(1, 1);
		return r->body != NULL ? MHD_YES : MHD_NO;
	}
	if (*upload_len > 0) {
		size_t n = *upload_len;
		char *b;

		if (r->len + n > BODY_MAX)
			return MHD_NO;
		b = realloc(r->body, r->len + n + 1);
		if (b == NULL)
			return MHD_NO;
		memcpy(b + r->len, upload, n);
		r->len += n;
		b[r->len] = '\0';
		r->body = b;
		*upload_len = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&srv.lock);
	if (srv.n_reqs < REQS_MAX) {
		srv.reqs[srv.n_reqs++] = r;
		r->stored = true;
	}
	if (srv.next < srv.n_canned)
		k = srv.canned[srv.next++];
	pthread_mutex_unlock(&srv.lock);
	if (k.delay_ms > 0)
		usleep((useconds_t)k.delay_ms * 1000);
	if (k.body == NULL)
		k.body =
		    GERR(500, "no canned reply", "backendError", "INTERNAL");
	resp = MHD_create_response_from_buffer(
	    strlen(k.body), k.body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type",
	    k.ctype != NULL ? k.ctype : "application/json; charset=UTF-8");
	if (k.retry_after > 0) {
		snprintf(num, sizeof(num), "%d", k.retry_after);
		MHD_add_response_header(resp, "Retry-After", num);
	}
	ret = MHD_queue_response(c, (unsigned int)k.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *req_cls;

	if (r != NULL && !r->stored) {
		free(r->body);
		free(r);
	}
	*req_cls = NULL;
}

static void
srv_start(void)
{
	struct sockaddr_in sa = {0};
	const union MHD_DaemonInfo *info;

	memset(&srv, 0, sizeof(srv));
	pthread_mutex_init(&srv.lock, NULL);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
	    0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
	ck_assert_ptr_nonnull(srv.d);
	info = MHD_get_daemon_info(srv.d, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert(info != NULL && info->port != 0);
	snprintf(srv.base, sizeof(srv.base), "http://127.0.0.1:%u",
	    (unsigned)info->port);
}

static void
srv_stop(void)
{
	size_t i;

	MHD_stop_daemon(srv.d);
	for (i = 0; i < srv.n_reqs; i++) {
		free(srv.reqs[i]->body);
		free(srv.reqs[i]);
	}
	for (i = 0; i < srv.n_canned; i++)
		free(srv.canned[i].body);
	pthread_mutex_destroy(&srv.lock);
}

/* Queue the next answer. */
static void
reply_ex(int status, const char *body, int retry_after, int delay_ms,
    const char *ctype)
{
	pthread_mutex_lock(&srv.lock);
	ck_assert_uint_lt(srv.n_canned, CANNED_MAX);
	srv.canned[srv.n_canned].status = status;
	srv.canned[srv.n_canned].body = strdup(body);
	srv.canned[srv.n_canned].retry_after = retry_after;
	srv.canned[srv.n_canned].delay_ms = delay_ms;
	srv.canned[srv.n_canned].ctype = ctype;
	srv.n_canned++;
	pthread_mutex_unlock(&srv.lock);
}

static void
reply(int status, const char *body)
{
	reply_ex(status, body, 0, 0, NULL);
}

static size_t
nreqs(void)
{
	size_t n;

	pthread_mutex_lock(&srv.lock);
	n = srv.n_reqs;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

static const struct req *
req_at(size_t i)
{
	const struct req *r;

	pthread_mutex_lock(&srv.lock);
	ck_assert_msg(i < srv.n_reqs, "request %zu not made", i);
	r = srv.reqs[i];
	pthread_mutex_unlock(&srv.lock);
	return r;
}

/* The request's path (before '?'), and its raw query ("" when none). */
static const char *
path_of(const struct req *r)
{
	static char p[4096];

	snprintf(p, sizeof(p), "%.*s", (int)strcspn(r->uri, "?"), r->uri);
	return p;
}

static const char *
query_of(const struct req *r)
{
	const char *q = strchr(r->uri, '?');

	return q != NULL ? q + 1 : "";
}

/* The raw (still percent-encoded) value of key in a query or form body;
 * NULL when absent.  Returns a static buffer. */
static const char *
kv(const char *s, const char *key)
{
	static char v[8192];
	size_t n = strlen(key), w;

	while (*s != '\0') {
		w = strcspn(s, "&");
		if (w > n && strncmp(s, key, n) == 0 && s[n] == '=') {
			snprintf(
			    v, sizeof(v), "%.*s", (int)(w - n - 1), s + n + 1);
			return v;
		}
		s += w;
		if (*s == '&')
			s++;
	}
	return NULL;
}

/* How many key=value pairs s has. */
static int
kv_count(const char *s)
{
	int n = *s != '\0';

	for (; *s != '\0'; s++)
		n += *s == '&';
	return n;
}

static struct json_object *
body_json(const struct req *r)
{
	struct json_object *o = json_tokener_parse(r->body);

	ck_assert_msg(o != NULL, "body is not JSON: %s", r->body);
	ck_assert_str_eq(r->ctype, "application/json; charset=utf-8");
	return o;
}

/* o's member at a "a.b.c" path, which must exist with type t. */
static struct json_object *
member(struct json_object *o, const char *path, enum json_type t)
{
	char key[128];
	const char *p = path;
	size_t w;

	while (*p != '\0') {
		w = strcspn(p, ".");
		snprintf(key, sizeof(key), "%.*s", (int)w, p);
		ck_assert_msg(
		    json_object_object_get_ex(o, key, &o), "no %s", path);
		p += w + (p[w] == '.');
	}
	ck_assert_msg(json_object_is_type(o, t), "%s has type %s", path,
	    json_type_to_name(json_object_get_type(o)));
	return o;
}

static const char *
str_at(struct json_object *o, const char *path)
{
	return json_object_get_string(member(o, path, json_type_string));
}

static bool
has(struct json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

/* No credential of the tests in err. */
static void
assert_clean(const struct gapi_error *e)
{
	static const char *const secrets[] = {
	    ACCESS, REFRESH, CODE, SECRET, VERIFIER, "ya29."};
	size_t i;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		ck_assert_msg(strstr(e->message, secrets[i]) == NULL,
		    "secret in message: %s", e->message);
		ck_assert_msg(strstr(e->reason, secrets[i]) == NULL,
		    "secret in reason: %s", e->reason);
	}
}

static void
setup(void)
{
	char auth[96], token[96], revoke[96], tasks[96], cal[96];
	struct gapi_opts o = {0};

	srv_start();
	snprintf(auth, sizeof(auth), "%s/o/oauth2/v2/auth", srv.base);
	snprintf(token, sizeof(token), "%s/token", srv.base);
	snprintf(revoke, sizeof(revoke), "%s/revoke", srv.base);
	snprintf(tasks, sizeof(tasks), "%s/tasks/v1/", srv.base);
	snprintf(cal, sizeof(cal), "%s/calendar/v3", srv.base);
	o.auth_url = auth;
	o.token_url = token;
	o.revoke_url = revoke;
	o.tasks_url = tasks;
	o.calendar_url = cal;
	o.client_id = CLIENT_ID;
	o.client_secret = SECRET;
	o.timeout_ms = 5000;
	ck_assert_int_eq(gapi_open(&o, &g), 0);
}

static void
teardown(void)
{
	gapi_close(g);
	g = NULL;
	srv_stop();
}

/* ---- PKCE, state, event ids ---- */

START_TEST(pkce_rfc7636_vector)
{
	char ch[GAPI_CHALLENGE_MAX];

	/* RFC 7636 appendix B. */
	ck_assert_int_eq(gapi_pkce_challenge(VERIFIER, ch), 0);
	ck_assert_str_eq(ch, CHALLENGE);
	/* too short, too long, outside the unreserved set */
	ck_assert_int_eq(gapi_pkce_challenge("abc", ch), -EINVAL);
	char longv[130];
	memset(longv, 'a', 129);
	longv[129] = '\0';
	ck_assert_int_eq(gapi_pkce_challenge(longv, ch), -EINVAL);
	longv[128] = '\0';
	ck_assert_int_eq(gapi_pkce_challenge(longv, ch), 0);
	ck_assert_int_eq(gapi_pkce_challenge(
	                     "dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk", ch),
	    -EINVAL);
}
END_TEST

START_TEST(pkce_fresh_pairs)
{
	char v1[GAPI_VERIFIER_MAX], c1[GAPI_CHALLENGE_MAX];
	char v2[GAPI_VERIFIER_MAX], c2[GAPI_CHALLENGE_MAX];
	char again[GAPI_CHALLENGE_MAX];
	size_t n;

	ck_assert_int_eq(gapi_pkce(v1, c1), 0);
	ck_assert_int_eq(gapi_pkce(v2, c2), 0);
	n = strlen(v1);
	ck_assert(n >= 43 && n <= 128);
	ck_assert_uint_eq(strspn(v1,
	                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	                      "nopqrstuvwxyz0123456789-._~"),
	    n);
	ck_assert_uint_eq(strlen(c1), 43);
	ck_assert_str_ne(v1, v2);
	ck_assert_str_ne(c1, c2);
	ck_assert_int_eq(gapi_pkce_challenge(v1, again), 0);
	ck_assert_str_eq(again, c1);
}
END_TEST

START_TEST(random_token_shape)
{
	char a[GAPI_STATE_MAX], b[GAPI_STATE_MAX], big[200];

	ck_assert_int_eq(gapi_random_token(a, sizeof(a)), 0);
	ck_assert_int_eq(gapi_random_token(b, sizeof(b)), 0);
	ck_assert_uint_eq(strlen(a), 43);
	ck_assert_uint_eq(strspn(a,
	                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	                      "opqrstuvwxyz0123456789-_"),
	    43);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(gapi_random_token(big, sizeof(big)), 0);
	ck_assert_uint_eq(strlen(big), sizeof(big) - 1);
	ck_assert_int_eq(gapi_random_token(a, 22), -EINVAL);
	ck_assert_int_eq(gapi_random_token(NULL, 44), -EINVAL);
}
END_TEST

START_TEST(event_id_shape)
{
	char a[GAPI_EVENT_ID_MAX], b[GAPI_EVENT_ID_MAX], c[GAPI_EVENT_ID_MAX];
	size_t n;

	ck_assert_int_eq(gapi_event_id("effect:42:event", a, sizeof(a)), 0);
	ck_assert_int_eq(gapi_event_id("effect:42:event", b, sizeof(b)), 0);
	ck_assert_int_eq(gapi_event_id("effect:43:event", c, sizeof(c)), 0);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	n = strlen(a);
	ck_assert(n >= 26 + 2 && n >= 5 && n <= 1024);
	ck_assert_uint_eq(n, GAPI_EVENT_ID_MAX - 1);
	ck_assert_uint_eq(strspn(a, "abcdefghijklmnopqrstuv0123456789"), n);
	/* base32hex of SHA-256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924
	 * 27ae41e4 */
	ck_assert_int_eq(gapi_event_id("", a, sizeof(a)), 0);
	ck_assert_str_eq(a, "dbseoc8gkovge196nruj49irtp4gjqsgf4");
	ck_assert_int_eq(gapi_event_id("k", a, GAPI_EVENT_ID_MAX - 1), -EINVAL);
	ck_assert_int_eq(gapi_event_id(NULL, a, sizeof(a)), -EINVAL);
}
END_TEST

/* ---- OAuth ---- */

START_TEST(auth_url_exact)
{
	char want[2048], *url = NULL;

	ck_assert_int_eq(
	    gapi_auth_url(g, REDIRECT, "st4te-_x", CHALLENGE, &url), 0);
	snprintf(want, sizeof(want), "%s%s", srv.base,
	    "/o/oauth2/v2/auth?client_id=" CLIENT_ID
	    "&redirect_uri=" REDIRECT_ENC "&response_type=code"
	    "&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Ftasks"
	    "%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar."
	    "events%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2F"
	    "calendar.readonly&state=st4te-_x&code_challenge=" CHALLENGE
	    "&code_challenge_method=S256&access_type=offline&prompt=consent"
	    "&include_granted_scopes=true");
	ck_assert_str_eq(url, want);
	free(url);
	ck_assert_int_eq(
	    gapi_auth_url(g, REDIRECT, "s&t=1", CHALLENGE, &url), 0);
	ck_assert_ptr_nonnull(strstr(url, "&state=s%26t%3D1&"));
	free(url);
	ck_assert_int_eq(gapi_auth_url(g, "", "s", CHALLENGE, &url), -EINVAL);
	ck_assert_uint_eq(nreqs(), 0);
}
END_TEST

START_TEST(open_rejects)
{
	struct gapi_opts o = {"https://a/auth", "https://a/token",
	    "https://a/revoke", "https://a/tasks/v1", "https://a/calendar/v3",
	    CLIENT_ID, SECRET, 0};
	struct gapi *h = NULL;

	ck_assert_int_eq(gapi_open(&o, &h), 0);
	gapi_close(h);
	gapi_close(NULL);
	o.client_secret = NULL;
	ck_assert_int_eq(gapi_open(&o, &h), -EINVAL);
	o.client_secret = "with space";
	ck_assert_int_eq(gapi_open(&o, &h), -EINVAL);
	o.client_secret = SECRET;
	o.tasks_url = "ftp://a/tasks";
	ck_assert_int_eq(gapi_open(&o, &h), -EINVAL);
	o.tasks_url = NULL;
	ck_assert_int_eq(gapi_open(&o, &h), -EINVAL);
	ck_assert_int_eq(gapi_open(NULL, &h), -EINVAL);
}
END_TEST

START_TEST(exchange_code_form)
{
	struct gapi_tokens t;
	struct gapi_error e;
	const struct req *r;

	reply(200,
	    "{\"access_token\":\"" ACCESS "\",\"expires_in\":3599,"
	    "\"refresh_token\":\"" REFRESH "\",\"scope\":\"https://"
	    "www.googleapis.com/auth/tasks https://www.googleapis.com/"
	    "auth/calendar.events\",\"token_type\":\"Bearer\"}");
	ck_assert_int_eq(
	    gapi_exchange_code(g, CODE, VERIFIER, REDIRECT, 1000, &t, &e), 0);
	ck_assert_str_eq(t.access_token, ACCESS);
	ck_assert_str_eq(t.refresh_token, REFRESH);
	ck_assert_int_eq(t.expires_at_ms, 1000 + 3599 * 1000LL);
	ck_assert(gapi_scope_granted(
	    t.scope, "https://www.googleapis.com/auth/tasks"));
	ck_assert(!gapi_scope_granted(
	    t.scope, "https://www.googleapis.com/auth/calendar.readonly"));
	ck_assert(!gapi_scope_granted(
	    t.scope, "https://www.googleapis.com/auth/calendar"));
	ck_assert_int_eq(e.http_status, 200);
	r = req_at(0);
	ck_assert_str_eq(r->method, "POST");
	ck_assert_str_eq(r->uri, "/token");
	ck_assert_str_eq(r->ctype, "application/x-www-form-urlencoded");
	ck_assert_str_eq(r->auth, "");
	ck_assert_int_eq(kv_count(r->body), 6);
	ck_assert_str_eq(kv(r->body, "grant_type"), "authorization_code");
	ck_assert_str_eq(
	    kv(r->body, "code"), "4%2F0AY0e-test-authorization-code");
	ck_assert_str_eq(kv(r->body, "code_verifier"), VERIFIER);
	ck_assert_str_eq(kv(r->body, "redirect_uri"), REDIRECT_ENC);
	ck_assert_str_eq(kv(r->body, "client_id"), CLIENT_ID);
	ck_assert_str_eq(kv(r->body, "client_secret"), SECRET);
	gapi_tokens_wipe(&t);
	ck_assert_str_eq(t.access_token, "");

	/* no refresh_token, no expires_in: "" and an hour */
	reply(200, "{\"access_token\":\"" ACCESS "\"}");
	ck_assert_int_eq(
	    gapi_exchange_code(g, CODE, VERIFIER, REDIRECT, 0, &t, &e), 0);
	ck_assert_str_eq(t.refresh_token, "");
	ck_assert_int_eq(t.expires_at_ms, 3600 * 1000LL);
	/* a malformed verifier never leaves */
	ck_assert_int_eq(
	    gapi_exchange_code(g, CODE, "short", REDIRECT, 0, &t, &e), -EINVAL);
	ck_assert_uint_eq(nreqs(), 2);
}
END_TEST

START_TEST(exchange_invalid_grant)
{
	struct gapi_tokens t, zero;
	struct gapi_error e;

	memset(&t, 'x', sizeof(t));
	memset(&zero, 0, sizeof(zero));
	reply(400,
	    "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"Bad Request\"}");
	ck_assert_int_eq(
	    gapi_exchange_code(g, CODE, VERIFIER, REDIRECT, 0, &t, &e),
	    -EKEYREJECTED);
	ck_assert_int_eq(e.http_status, 400);
	ck_assert_str_eq(e.reason, "invalid_grant");
	ck_assert_str_eq(e.message, "Bad Request");
	ck_assert_int_eq(memcmp(&t, &zero, sizeof(t)), 0);
	assert_clean(&e);
}
END_TEST

START_TEST(refresh_keeps_old_token)
{
	struct gapi_tokens t = {0};
	struct gapi_error e;
	const struct req *r;

	snprintf(t.refresh_token, sizeof(t.refresh_token), "%s", REFRESH);
	reply(200,
	    "{\"access_token\":\"ya29.second\",\"expires_in\":3599,"
	    "\"scope\":\"" GAPI_SCOPES "\",\"token_type\":\"Bearer\"}");
	/* ret is the struct the refresh token comes from */
	ck_assert_int_eq(gapi_refresh(g, t.refresh_token, 5000, &t, &e), 0);
	ck_assert_str_eq(t.access_token, "ya29.second");
	ck_assert_str_eq(t.refresh_token, REFRESH);
	ck_assert_int_eq(t.expires_at_ms, 5000 + 3599000LL);
	ck_assert_str_eq(t.scope, GAPI_SCOPES);
	r = req_at(0);
	ck_assert_str_eq(r->uri, "/token");
	ck_assert_int_eq(kv_count(r->body), 4);
	ck_assert_str_eq(kv(r->body, "grant_type"), "refresh_token");
	ck_assert_str_eq(
	    kv(r->body, "refresh_token"), "1%2F%2F0g-test-refresh-token");
	ck_assert_str_eq(kv(r->body, "client_id"), CLIENT_ID);
	ck_assert_str_eq(kv(r->body, "client_secret"), SECRET);

	/* a rotated refresh token replaces the old one */
	reply(200,
	    "{\"access_token\":\"ya29.third\",\"expires_in\":60,"
	    "\"refresh_token\":\"1//rotated\"}");
	ck_assert_int_eq(gapi_refresh(g, t.refresh_token, 0, &t, NULL), 0);
	ck_assert_str_eq(t.refresh_token, "1//rotated");
	ck_assert_int_eq(t.expires_at_ms, 60000);
}
END_TEST

static const struct token_case {
	int status;
	const char *body;
	int want;
	const char *reason, *message;
} token_cases[] = {
    {400,
        "{\"error\":\"invalid_grant\",\"error_description\":\"Token has "
        "been expired or revoked.\"}",
        -EKEYREJECTED, "invalid_grant", "Token has been expired or revoked."},
    {401,
        "{\"error\":\"invalid_client\",\"error_description\":"
        "\"Unauthorized\"}",
        -EACCES, "invalid_client", "Unauthorized"},
    {400,
        "{\"error\":\"unauthorized_client\",\"error_description\":"
        "\"Unauthorized\"}",
        -EACCES, "unauthorized_client", "Unauthorized"},
    {400,
        "{\"error\":\"invalid_request\",\"error_description\":"
        "\"Missing required parameter: refresh_token\"}",
        -EINVAL, "invalid_request",
        "Missing required parameter: refresh_token"},
    {429, "{\"error\":\"rate_limit_exceeded\"}", -EAGAIN, "rate_limit_exceeded",
        "HTTP 429 with an unexpected JSON reply"},
    {503, "<html>Service Unavailable</html>", -EREMOTEIO, "",
        "HTTP 503 with a non-JSON reply"},
    {200, "{\"token_type\":\"Bearer\"}", -EBADMSG, "",
        "the token reply has no usable access_token"},
    {200, "{\"access_token\":\"ya29.x\",\"token_type\":\"MAC\"}", -EBADMSG, "",
        "the token reply's token_type is not Bearer"},
    {200, "{\"access_token\":\"ya29.x\",\"expires_in\":\"soon\"}", -EBADMSG, "",
        "the token reply's expires_in is not a number"},
    {200, "{\"access_token\":\"ya29 x\"}", -EBADMSG, "",
        "the token reply has no usable access_token"},
    {200, "not json", -EBADMSG, "", NULL},
};

START_TEST(token_errors)
{
	const struct token_case *k = &token_cases[_i];
	struct gapi_tokens t, zero = {0};
	struct gapi_error e;

	memset(&t, 'x', sizeof(t));
	reply(k->status, k->body);
	ck_assert_int_eq(gapi_refresh(g, REFRESH, 0, &t, &e), k->want);
	ck_assert_int_eq(e.http_status, k->status);
	ck_assert_str_eq(e.reason, k->reason);
	if (k->message != NULL)
		ck_assert_str_eq(e.message, k->message);
	ck_assert_int_eq(memcmp(&t, &zero, sizeof(t)), 0);
	assert_clean(&e);
}
END_TEST

START_TEST(revoke_form)
{
	struct gapi_error e;
	const struct req *r;

	reply(200, "");
	ck_assert_int_eq(gapi_revoke(g, REFRESH, &e), 0);
	r = req_at(0);
	ck_assert_str_eq(r->method, "POST");
	ck_assert_str_eq(r->uri, "/revoke");
	ck_assert_str_eq(r->ctype, "application/x-www-form-urlencoded");
	ck_assert_str_eq(r->body, "token=1%2F%2F0g-test-refresh-token");
	/* already revoked: done */
	reply(400,
	    "{\"error\":\"invalid_token\",\"error_description\":"
	    "\"Token expired or revoked\"}");
	ck_assert_int_eq(gapi_revoke(g, REFRESH, NULL), 0);
	reply(503, "");
	ck_assert_int_eq(gapi_revoke(g, REFRESH, &e), -EREMOTEIO);
	ck_assert_int_eq(e.http_status, 503);
	ck_assert_int_eq(gapi_revoke(g, "", &e), -EINVAL);
	ck_assert_uint_eq(nreqs(), 3);
}
END_TEST

/* ---- Tasks ---- */

START_TEST(task_insert_body)
{
	struct gapi_task t = {"Buy milk", "2 litres\n[draftbot:e42]",
	    "2026-11-28T00:00:00.000Z", NULL, "needsAction"};
	char id[GAPI_ID_MAX];
	struct gapi_error e;
	struct json_object *b;
	const struct req *r;

	reply(200,
	    "{\"kind\":\"tasks#task\",\"id\":\"MTIzNDU2Nzg5\","
	    "\"title\":\"Buy milk\",\"status\":\"needsAction\"}");
	ck_assert_int_eq(
	    gapi_task_insert(g, ACCESS, "@default", &t, id, sizeof(id), &e), 0);
	ck_assert_str_eq(id, "MTIzNDU2Nzg5");
	r = req_at(0);
	ck_assert_str_eq(r->method, "POST");
	ck_assert_str_eq(r->uri, "/tasks/v1/lists/%40default/tasks");
	ck_assert_str_eq(r->auth, "Bearer " ACCESS);
	b = body_json(r);
	ck_assert_int_eq(json_object_object_length(b), 4);
	ck_assert_str_eq(str_at(b, "title"), "Buy milk");
	ck_assert_str_eq(str_at(b, "notes"), "2 litres\n[draftbot:e42]");
	ck_assert_str_eq(str_at(b, "due"), "2026-11-28T00:00:00.000Z");
	ck_assert_str_eq(str_at(b, "status"), "needsAction");
	json_object_put(b);
}
END_TEST

START_TEST(task_insert_subtask)
{
	struct gapi_task t = {"Step 1", NULL, NULL, "PARENT/id 1", NULL};
	char id[GAPI_ID_MAX];
	struct json_object *b;
	const struct req *r;

	reply(200, "{\"id\":\"c3ViMQ\",\"parent\":\"PARENT/id 1\"}");
	ck_assert_int_eq(
	    gapi_task_insert(g, ACCESS, "list/ä", &t, id, sizeof(id), NULL), 0);
	r = req_at(0);
	ck_assert_str_eq(path_of(r), "/tasks/v1/lists/list%2F%C3%A4/tasks");
	ck_assert_str_eq(query_of(r), "parent=PARENT%2Fid%201");
	b = body_json(r);
	ck_assert_int_eq(json_object_object_length(b), 1);
	ck_assert(!has(b, "parent"));
	json_object_put(b);
	/* a bad status or no title never leaves */
	t.status = "done";
	ck_assert_int_eq(
	    gapi_task_insert(g, ACCESS, "@default", &t, id, sizeof(id), NULL),
	    -EINVAL);
	t.status = NULL;
	t.title = NULL;
	ck_assert_int_eq(
	    gapi_task_insert(g, ACCESS, "@default", &t, id, sizeof(id), NULL),
	    -EINVAL);
	ck_assert_uint_eq(nreqs(), 1);
}
END_TEST

START_TEST(find_marker_pages)
{
	char id[GAPI_ID_MAX] = "";
	struct gapi_error e;

	reply(200,
	    "{\"kind\":\"tasks#tasks\",\"nextPageToken\":\"p2/+\","
	    "\"items\":[{\"id\":\"a\",\"notes\":\"[draftbot:e1]\"},"
	    "{\"id\":\"b\",\"title\":\"no notes\"}]}");
	reply(200,
	    "{\"items\":[{\"id\":\"c\",\"notes\":\"x [draftbot:e42] y\","
	    "\"status\":\"completed\",\"hidden\":true}],"
	    "\"nextPageToken\":\"p3\"}");
	ck_assert_int_eq(gapi_task_find_marker(g, ACCESS, "@default",
	                     "[draftbot:e42]", NULL, id, sizeof(id), &e),
	    1);
	ck_assert_str_eq(id, "c");
	ck_assert_uint_eq(nreqs(), 2);
	ck_assert_str_eq(req_at(0)->method, "GET");
	ck_assert_str_eq(
	    path_of(req_at(0)), "/tasks/v1/lists/%40default/tasks");
	ck_assert_str_eq(query_of(req_at(0)),
	    "showCompleted=true&showHidden=true&maxResults=100");
	ck_assert_str_eq(query_of(req_at(1)),
	    "showCompleted=true&showHidden=true&maxResults=100&pageToken=p2%2F%"
	    "2B");
	ck_assert_str_eq(req_at(1)->auth, "Bearer " ACCESS);
}
END_TEST

START_TEST(find_marker_parent)
{
	char id[GAPI_ID_MAX] = "";

	/* the same marker at the top level and under another parent */
	reply(200,
	    "{\"items\":[{\"id\":\"top\",\"notes\":\"[draftbot:s1]\"},"
	    "{\"id\":\"other\",\"parent\":\"P9\",\"notes\":"
	    "\"[draftbot:s1]\"},{\"id\":\"gone\",\"parent\":\"P1\","
	    "\"deleted\":true,\"notes\":\"[draftbot:s1]\"},{\"id\":"
	    "\"mine\",\"parent\":\"P1\",\"notes\":\"[draftbot:s1]\"}]}");
	ck_assert_int_eq(gapi_task_find_marker(g, ACCESS, "L", "[draftbot:s1]",
	                     "P1", id, sizeof(id), NULL),
	    1);
	ck_assert_str_eq(id, "mine");
	/* none: 0 after the last page */
	reply(
	    200, "{\"items\":[{\"id\":\"top\",\"notes\":\"[draftbot:s1]\"}]}");
	ck_assert_int_eq(gapi_task_find_marker(g, ACCESS, "L", "[draftbot:s2]",
	                     NULL, id, sizeof(id), NULL),
	    0);
	reply(200, "{\"kind\":\"tasks#tasks\"}");
	ck_assert_int_eq(gapi_task_find_marker(g, ACCESS, "L", "[draftbot:s2]",
	                     NULL, NULL, 0, NULL),
	    0);
	ck_assert_uint_eq(nreqs(), 3);
}
END_TEST

START_TEST(find_marker_page_cap)
{
	struct gapi_error e;
	char body[128];
	int i;

	for (i = 0; i < 51; i++) {
		snprintf(body, sizeof(body),
		    "{\"items\":[],\"nextPageToken\":"
		    "\"t%d\"}",
		    i);
		reply(200, body);
	}
	ck_assert_int_eq(
	    gapi_task_find_marker(g, ACCESS, "L", "[m]", NULL, NULL, 0, &e),
	    -E2BIG);
	ck_assert_uint_eq(nreqs(), 50);
	ck_assert_str_eq(query_of(req_at(49)),
	    "showCompleted=true&showHidden=true&maxResults=100&pageToken=t48");
}
END_TEST

START_TEST(find_marker_token_loop)
{
	struct gapi_error e;

	reply(200, "{\"items\":[],\"nextPageToken\":\"same\"}");
	reply(200, "{\"items\":[],\"nextPageToken\":\"same\"}");
	ck_assert_int_eq(
	    gapi_task_find_marker(g, ACCESS, "L", "[m]", NULL, NULL, 0, &e),
	    -EBADMSG);
	ck_assert_uint_eq(nreqs(), 2);
}
END_TEST

START_TEST(task_delete_paths)
{
	struct gapi_error e;

	reply(204, "");
	ck_assert_int_eq(
	    gapi_task_delete(g, ACCESS, "@default", "abc_1", &e), 0);
	ck_assert_str_eq(req_at(0)->method, "DELETE");
	ck_assert_str_eq(
	    req_at(0)->uri, "/tasks/v1/lists/%40default/tasks/abc_1");
	ck_assert_str_eq(req_at(0)->auth, "Bearer " ACCESS);
	reply(404, GERR(404, "Not Found", "notFound", "NOT_FOUND"));
	ck_assert_int_eq(gapi_task_delete(g, ACCESS, "L", "abc", &e), -ENOENT);
	ck_assert_str_eq(e.reason, "notFound");
	reply(410, GERR(410, "Resource has been deleted", "deleted", "GONE"));
	ck_assert_int_eq(gapi_task_delete(g, ACCESS, "L", "abc", &e), -ENOENT);
	ck_assert_int_eq(e.http_status, 410);
}
END_TEST

struct seen {
	char text[512];
	int calls, stop_at;
};

static int
on_list(const char *id, const char *title, void *arg)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s=%s;", id, title);
	return ++s->calls == s->stop_at ? 7 : 0;
}

START_TEST(tasklists_pages)
{
	struct seen s = {"", 0, 0};

	reply(200,
	    "{\"kind\":\"tasks#taskLists\",\"nextPageToken\":\"n\","
	    "\"items\":[{\"id\":\"MDE\",\"title\":\"My Tasks\"}]}");
	reply(200,
	    "{\"items\":[{\"id\":\"MDI\",\"title\":\"Shopping\"},"
	    "{\"id\":\"MDM\"}]}");
	ck_assert_int_eq(gapi_tasklists(g, ACCESS, on_list, &s, NULL), 0);
	ck_assert_str_eq(s.text, "MDE=My Tasks;MDI=Shopping;MDM=;");
	ck_assert_str_eq(
	    req_at(0)->uri, "/tasks/v1/users/@me/lists?maxResults=100");
	ck_assert_str_eq(req_at(1)->uri,
	    "/tasks/v1/users/@me/lists?maxResults=100&pageToken=n");
	/* fn stops the walk with its own value */
	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	reply(200,
	    "{\"nextPageToken\":\"n\",\"items\":[{\"id\":\"A\"},"
	    "{\"id\":\"B\"}]}");
	ck_assert_int_eq(gapi_tasklists(g, ACCESS, on_list, &s, NULL), 7);
	ck_assert_int_eq(s.calls, 1);
	ck_assert_uint_eq(nreqs(), 3);
}
END_TEST

/* ---- Calendar ---- */

START_TEST(event_insert_timed)
{
	struct gapi_event ev = {0};
	char id[GAPI_EVENT_ID_MAX], got[GAPI_ID_MAX];
	struct json_object *b, *rec;
	const struct req *r;

	ck_assert_int_eq(gapi_event_id("effect:7", id, sizeof(id)), 0);
	ev.id = id;
	ev.summary = "Team sync";
	ev.description = "Weekly";
	ev.location = "Room 4";
	ev.source_url = "https://example.org/meet";
	ev.source_title = "Meeting page";
	ev.start = "2026-11-30T14:00:00";
	ev.end = "2026-11-30T15:00:00";
	ev.timezone = "Europe/Berlin";
	ev.rrule = "FREQ=WEEKLY;BYDAY=MO";
	ev.marker = "e7";
	reply(200,
	    "{\"kind\":\"calendar#event\",\"id\":\"x\",\"status\":"
	    "\"confirmed\"}");
	ck_assert_int_eq(gapi_event_insert(
	                     g, ACCESS, "primary", &ev, got, sizeof(got), NULL),
	    0);
	ck_assert_str_eq(got, "x");
	r = req_at(0);
	ck_assert_str_eq(r->method, "POST");
	ck_assert_str_eq(r->uri, "/calendar/v3/calendars/primary/events");
	ck_assert_str_eq(r->auth, "Bearer " ACCESS);
	b = body_json(r);
	ck_assert_str_eq(str_at(b, "id"), id);
	ck_assert_str_eq(str_at(b, "summary"), "Team sync");
	ck_assert_str_eq(str_at(b, "description"), "Weekly");
	ck_assert_str_eq(str_at(b, "location"), "Room 4");
	ck_assert_str_eq(str_at(b, "start.dateTime"), "2026-11-30T14:00:00");
	ck_assert_str_eq(str_at(b, "start.timeZone"), "Europe/Berlin");
	ck_assert(!has(member(b, "start", json_type_object), "date"));
	ck_assert_str_eq(str_at(b, "end.dateTime"), "2026-11-30T15:00:00");
	ck_assert_str_eq(str_at(b, "end.timeZone"), "Europe/Berlin");
	rec = member(b, "recurrence", json_type_array);
	ck_assert_uint_eq(json_object_array_length(rec), 1);
	ck_assert_str_eq(
	    json_object_get_string(json_object_array_get_idx(rec, 0)),
	    "RRULE:FREQ=WEEKLY;BYDAY=MO");
	ck_assert_str_eq(str_at(b, "source.url"), "https://example.org/meet");
	ck_assert_str_eq(str_at(b, "source.title"), "Meeting page");
	ck_assert_str_eq(
	    str_at(b, "extendedProperties.private.draftbot"), "e7");
	ck_assert_int_eq(json_object_object_length(b), 9);
	json_object_put(b);

	/* an "RRULE:" prefix is not doubled */
	ev.rrule = "RRULE:FREQ=DAILY;COUNT=3";
	reply(200, "{\"id\":\"y\"}");
	ck_assert_int_eq(
	    gapi_event_insert(g, ACCESS, "primary", &ev, NULL, 0, NULL), 0);
	b = body_json(req_at(1));
	rec = member(b, "recurrence", json_type_array);
	ck_assert_str_eq(
	    json_object_get_string(json_object_array_get_idx(rec, 0)),
	    "RRULE:FREQ=DAILY;COUNT=3");
	json_object_put(b);
}
END_TEST

START_TEST(event_insert_all_day)
{
	struct gapi_event ev = {0};
	struct json_object *b;
	const struct req *r;

	ev.summary = "Holiday";
	ev.start = "2026-12-24";
	ev.end = "2026-12-25";
	ev.all_day = true;
	ev.timezone = "Europe/Berlin"; /* ignored for dates */
	reply(200, "{\"id\":\"abcde\"}");
	ck_assert_int_eq(
	    gapi_event_insert(g, ACCESS, "team@group.calendar.google.com", &ev,
	        NULL, 0, NULL),
	    0);
	r = req_at(0);
	ck_assert_str_eq(r->uri,
	    "/calendar/v3/calendars/"
	    "team%40group.calendar.google.com/events");
	b = body_json(r);
	ck_assert_str_eq(str_at(b, "start.date"), "2026-12-24");
	ck_assert_str_eq(str_at(b, "end.date"), "2026-12-25");
	ck_assert_int_eq(
	    json_object_object_length(member(b, "start", json_type_object)), 1);
	ck_assert_int_eq(
	    json_object_object_length(member(b, "end", json_type_object)), 1);
	ck_assert(!has(b, "id"));
	ck_assert(!has(b, "recurrence"));
	ck_assert(!has(b, "source"));
	ck_assert(!has(b, "extendedProperties"));
	ck_assert(!has(b, "description"));
	json_object_put(b);
}
END_TEST

START_TEST(event_insert_rejects)
{
	struct gapi_event ev = {0};
	struct gapi_error e;

	ev.summary = "x";
	ev.start = "2026-12-24";
	ev.end = "2026-12-25";
	/* a date for a timed event */
	ck_assert_int_eq(
	    gapi_event_insert(g, ACCESS, "primary", &ev, NULL, 0, &e), -EINVAL);
	ev.all_day = true;
	ev.id = "UPPER_case";
	ck_assert_int_eq(
	    gapi_event_insert(g, ACCESS, "primary", &ev, NULL, 0, &e), -EINVAL);
	ev.id = "abcd"; /* too short */
	ck_assert_int_eq(
	    gapi_event_insert(g, ACCESS, "primary", &ev, NULL, 0, &e), -EINVAL);
	ev.id = NULL;
	ev.all_day = false;
	ev.start = "2026-12-24T10:00:00";
	ev.end = "2026-12-24T11:00:00";
	ev.rrule = "FREQ=DAILY"; /* a timed recurrence needs its zone */
	ck_assert_int_eq(
	    gapi_event_insert(g, ACCESS, "primary", &ev, NULL, 0, &e), -EINVAL);
	ev.timezone = "UTC";
	ev.rrule = "FREQ=DAILY\r\nEXDATE:x";
	ck_assert_int_eq(
	    gapi_event_insert(g, ACCESS, "primary", &ev, NULL, 0, &e), -EINVAL);
	ev.rrule = NULL;
	ev.source_url = "javascript:alert(1)";
	ck_assert_int_eq(
	    gapi_event_insert(g, ACCESS, "primary", &ev, NULL, 0, &e), -EINVAL);
	ev.source_url = NULL;
	ck_assert_int_eq(
	    gapi_event_insert(g, "bad\r\ntoken", "primary", &ev, NULL, 0, &e),
	    -EINVAL);
	ck_assert_int_eq(e.http_status, 0);
	ck_assert_uint_eq(nreqs(), 0);
}
END_TEST

START_TEST(event_conflict_then_get)
{
	struct gapi_event ev = {0};
	char marker[GAPI_MARKER_MAX], status[GAPI_STATUS_MAX];
	char id[GAPI_EVENT_ID_MAX], path[128];
	struct gapi_error e;

	ck_assert_int_eq(gapi_event_id("effect:9", id, sizeof(id)), 0);
	ev.id = id;
	ev.summary = "Dinner";
	ev.start = "2026-11-28T20:00:00+01:00";
	ev.end = "2026-11-28T22:00:00+01:00";
	ev.marker = "e9";
	reply(409,
	    GERR(409, "The requested identifier already exists.", "duplicate",
	        "ALREADY_EXISTS"));
	ck_assert_int_eq(
	    gapi_event_insert(g, ACCESS, "primary", &ev, NULL, 0, &e), -EEXIST);
	ck_assert_str_eq(e.reason, "duplicate");
	ck_assert_str_eq(e.message, "The requested identifier already exists.");
	reply(200,
	    "{\"kind\":\"calendar#event\",\"id\":\"x\",\"status\":"
	    "\"cancelled\",\"extendedProperties\":{\"private\":"
	    "{\"draftbot\":\"e9\",\"other\":\"1\"}}}");
	ck_assert_int_eq(gapi_event_get(g, ACCESS, "primary", id, marker,
	                     sizeof(marker), status, sizeof(status), &e),
	    0);
	ck_assert_str_eq(marker, "e9");
	ck_assert_str_eq(status, "cancelled");
	snprintf(
	    path, sizeof(path), "/calendar/v3/calendars/primary/events/%s", id);
	ck_assert_str_eq(req_at(1)->method, "GET");
	ck_assert_str_eq(req_at(1)->uri, path);
	/* someone else's event: no marker; status defaults to confirmed */
	reply(200, "{\"id\":\"x\"}");
	ck_assert_int_eq(gapi_event_get(g, ACCESS, "primary", id, marker,
	                     sizeof(marker), status, sizeof(status), &e),
	    0);
	ck_assert_str_eq(marker, "");
	ck_assert_str_eq(status, "confirmed");
	reply(404, GERR(404, "Not Found", "notFound", "NOT_FOUND"));
	ck_assert_int_eq(gapi_event_get(g, ACCESS, "primary", id, marker,
	                     sizeof(marker), status, sizeof(status), &e),
	    -ENOENT);
}
END_TEST

START_TEST(event_delete_paths)
{
	struct gapi_error e;

	reply(204, "");
	ck_assert_int_eq(
	    gapi_event_delete(g, ACCESS, "primary", "dbabc12", &e), 0);
	ck_assert_str_eq(req_at(0)->method, "DELETE");
	ck_assert_str_eq(
	    req_at(0)->uri, "/calendar/v3/calendars/primary/events/dbabc12");
	reply(410, GERR(410, "Resource has been deleted", "deleted", "GONE"));
	ck_assert_int_eq(
	    gapi_event_delete(g, ACCESS, "primary", "dbabc12", &e), -ENOENT);
	ck_assert_str_eq(e.reason, "deleted");
}
END_TEST

static int
on_event(const char *summary, const char *start, const char *end, bool all_day,
    void *arg)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s|%s|%s|%d;", summary,
	    start, end, all_day);
	return ++s->calls == s->stop_at ? 5 : 0;
}

START_TEST(events_between_query)
{
	struct seen s = {"", 0, 0};

	reply(200,
	    "{\"kind\":\"calendar#events\",\"items\":["
	    "{\"id\":\"1\",\"status\":\"confirmed\",\"summary\":"
	    "\"Team sync\",\"start\":{\"dateTime\":"
	    "\"2026-11-28T14:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
	    "\"end\":{\"dateTime\":\"2026-11-28T15:00:00+01:00\"}},"
	    "{\"id\":\"2\",\"status\":\"cancelled\",\"summary\":\"Gone\","
	    "\"start\":{\"dateTime\":\"2026-11-28T16:00:00Z\"},"
	    "\"end\":{\"dateTime\":\"2026-11-28T17:00:00Z\"}},"
	    "{\"id\":\"3\",\"transparency\":\"transparent\",\"summary\":"
	    "\"Free\",\"start\":{\"date\":\"2026-11-28\"},\"end\":"
	    "{\"date\":\"2026-11-29\"}},"
	    "{\"id\":\"4\",\"start\":{\"date\":\"2026-11-28\"},\"end\":"
	    "{\"date\":\"2026-11-29\"}}]}");
	ck_assert_int_eq(gapi_events_between(g, ACCESS, "primary",
	                     "2026-11-28T00:00:00+01:00",
	                     "2026-11-29T00:00:00+01:00", on_event, &s, NULL),
	    0);
	ck_assert_str_eq(s.text,
	    "Team sync|2026-11-28T14:00:00+01:00|"
	    "2026-11-28T15:00:00+01:00|0;"
	    "|2026-11-28|2026-11-29|1;");
	ck_assert_str_eq(req_at(0)->method, "GET");
	ck_assert_str_eq(
	    path_of(req_at(0)), "/calendar/v3/calendars/primary/events");
	ck_assert_str_eq(query_of(req_at(0)),
	    "timeMin=2026-11-28T00%3A00%3A00%2B01%3A00"
	    "&timeMax=2026-11-29T00%3A00%3A00%2B01%3A00"
	    "&singleEvents=true&orderBy=startTime&maxResults=50");
	ck_assert_str_eq(req_at(0)->auth, "Bearer " ACCESS);
}
END_TEST

static int
on_busy(const char *start, const char *end, void *arg)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s..%s;", start, end);
	s->calls++;
	return 0;
}

START_TEST(freebusy_body)
{
	struct seen s = {"", 0, 0};
	struct json_object *b, *items;

	reply(200,
	    "{\"kind\":\"calendar#freeBusy\",\"timeMin\":"
	    "\"2026-11-28T00:00:00.000Z\",\"timeMax\":"
	    "\"2026-11-29T00:00:00.000Z\",\"calendars\":{\"primary\":"
	    "{\"busy\":[{\"start\":\"2026-11-28T13:00:00Z\",\"end\":"
	    "\"2026-11-28T14:00:00Z\"},{\"start\":"
	    "\"2026-11-28T16:30:00Z\",\"end\":\"2026-11-28T17:00:00Z\"}]}}}");
	ck_assert_int_eq(
	    gapi_freebusy(g, ACCESS, "primary", "2026-11-28T00:00:00Z",
	        "2026-11-29T00:00:00Z", on_busy, &s, NULL),
	    0);
	ck_assert_str_eq(s.text,
	    "2026-11-28T13:00:00Z..2026-11-28T14:00:00Z;"
	    "2026-11-28T16:30:00Z..2026-11-28T17:00:00Z;");
	ck_assert_str_eq(req_at(0)->method, "POST");
	ck_assert_str_eq(req_at(0)->uri, "/calendar/v3/freeBusy");
	b = body_json(req_at(0));
	ck_assert_str_eq(str_at(b, "timeMin"), "2026-11-28T00:00:00Z");
	ck_assert_str_eq(str_at(b, "timeMax"), "2026-11-29T00:00:00Z");
	items = member(b, "items", json_type_array);
	ck_assert_uint_eq(json_object_array_length(items), 1);
	ck_assert_str_eq(
	    str_at(json_object_array_get_idx(items, 0), "id"), "primary");
	json_object_put(b);
}
END_TEST

START_TEST(freebusy_calendar_errors)
{
	struct seen s = {"", 0, 0};
	struct gapi_error e;

	reply(200,
	    "{\"calendars\":{\"nobody@example.org\":{\"errors\":["
	    "{\"domain\":\"global\",\"reason\":\"notFound\"}],"
	    "\"busy\":[]}}}");
	ck_assert_int_eq(gapi_freebusy(g, ACCESS, "nobody@example.org",
	                     "2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z",
	                     on_busy, &s, &e),
	    -ENOENT);
	ck_assert_str_eq(e.reason, "notFound");
	reply(200,
	    "{\"calendars\":{\"a\":{\"errors\":[{\"domain\":\"global\","
	    "\"reason\":\"backendError\"}]}}}");
	ck_assert_int_eq(gapi_freebusy(g, ACCESS, "a", "2026-11-28T00:00:00Z",
	                     "2026-11-29T00:00:00Z", on_busy, &s, &e),
	    -EREMOTEIO);
	reply(200, "{\"kind\":\"calendar#freeBusy\"}");
	ck_assert_int_eq(gapi_freebusy(g, ACCESS, "a", "2026-11-28T00:00:00Z",
	                     "2026-11-29T00:00:00Z", on_busy, &s, &e),
	    -EBADMSG);
	ck_assert_int_eq(s.calls, 0);
}
END_TEST

/* ---- error classes, network, secrets ---- */

static const struct api_case {
	int status;
	const char *body;
	int retry_after;
	int want;
	const char *reason, *message;
} api_cases[] = {
    {401,
        GERR(401, "Request had invalid authentication credentials.",
            "authError", "UNAUTHENTICATED"),
        0, -EKEYREJECTED, "authError",
        "Request had invalid authentication credentials."},
    {429,
        GERR(429, "Rate Limit Exceeded", "rateLimitExceeded",
            "RESOURCE_EXHAUSTED"),
        7, -EAGAIN, "rateLimitExceeded", "Rate Limit Exceeded"},
    {403,
        "{\"error\":{\"code\":403,\"message\":\"Rate Limit Exceeded\","
        "\"errors\":[{\"domain\":\"usageLimits\",\"reason\":"
        "\"rateLimitExceeded\"}]}}",
        0, -EAGAIN, "rateLimitExceeded", "Rate Limit Exceeded"},
    {403,
        GERR(403, "User Rate Limit Exceeded", "userRateLimitExceeded",
            "PERMISSION_DENIED"),
        30, -EAGAIN, "userRateLimitExceeded", "User Rate Limit Exceeded"},
    {403,
        GERR(403, "Calendar usage limits exceeded.", "quotaExceeded",
            "PERMISSION_DENIED"),
        0, -EAGAIN, "quotaExceeded", "Calendar usage limits exceeded."},
    {403,
        GERR(403, "Request had insufficient authentication scopes.",
            "insufficientPermissions", "PERMISSION_DENIED"),
        0, -EACCES, "insufficientPermissions",
        "Request had insufficient authentication scopes."},
    {403, GERR(403, "Forbidden", "forbidden", "PERMISSION_DENIED"), 0, -EACCES,
        "forbidden", "Forbidden"},
    /* the newer shape: no errors[], the reason in details[] */
    {403,
        "{\"error\":{\"code\":403,\"message\":\"Request had "
        "insufficient authentication scopes.\",\"status\":"
        "\"PERMISSION_DENIED\",\"details\":[{\"@type\":\"type."
        "googleapis.com/google.rpc.ErrorInfo\",\"reason\":"
        "\"ACCESS_TOKEN_SCOPE_INSUFFICIENT\",\"domain\":"
        "\"googleapis.com\"}]}}",
        0, -EACCES, "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        "Request had insufficient authentication scopes."},
    {404, GERR(404, "Not Found", "notFound", "NOT_FOUND"), 0, -ENOENT,
        "notFound", "Not Found"},
    {410, GERR(410, "Resource has been deleted", "deleted", "GONE"), 0, -ENOENT,
        "deleted", "Resource has been deleted"},
    {409,
        GERR(409, "The requested identifier already exists.", "duplicate",
            "ALREADY_EXISTS"),
        0, -EEXIST, "duplicate", "The requested identifier already exists."},
    {400,
        GERR(400, "Invalid value for: Invalid format: \\\"tomorrow\\\"",
            "invalid", "INVALID_ARGUMENT"),
        0, -EINVAL, "invalid",
        "Invalid value for: Invalid format: "
        "\"tomorrow\""},
    {500, GERR(500, "Backend Error", "backendError", "INTERNAL"), 0, -EREMOTEIO,
        "backendError", "Backend Error"},
    {503, "<html><body>Service Unavailable</body></html>", 5, -EREMOTEIO, "",
        "HTTP 503 with a non-JSON reply"},
    {502, "", 0, -EREMOTEIO, "", "HTTP 502 with a non-JSON reply"},
    {200, "<html>captive portal</html>", 0, -EBADMSG, "", NULL},
    {200, "[{\"id\":\"x\"}]", 0, -EBADMSG, "", NULL},
    {200, "{\"id\":\"x\"} trailing", 0, -EBADMSG, "", NULL},
    {200, "{\"kind\":\"tasks#task\"}", 0, -EBADMSG, "",
        "the new task has no id"},
    {302, "", 0, -EBADMSG, "", NULL},
};

START_TEST(api_errors)
{
	const struct api_case *k = &api_cases[_i];
	struct gapi_task t = {"T", NULL, NULL, NULL, NULL};
	char id[GAPI_ID_MAX] = "unchanged";
	struct gapi_error e;

	reply_ex(k->status, k->body, k->retry_after, 0,
	    k->body[0] == '<' ? "text/html" : NULL);
	ck_assert_int_eq(
	    gapi_task_insert(g, ACCESS, "@default", &t, id, sizeof(id), &e),
	    k->want);
	ck_assert_int_eq(e.http_status, k->status);
	ck_assert_int_eq(e.retry_after, k->retry_after);
	ck_assert_str_eq(e.reason, k->reason);
	if (k->message != NULL)
		ck_assert_str_eq(e.message, k->message);
	else
		ck_assert_str_ne(e.message, "");
	ck_assert_str_eq(id, "unchanged");
	ck_assert_int_eq(gapi_retryable(k->want),
	    k->want == -EAGAIN || k->want == -EREMOTEIO);
	assert_clean(&e);
}
END_TEST

START_TEST(network_refused)
{
	struct gapi_tokens tok;
	struct gapi_opts o = {0};
	struct gapi_error e;
	struct gapi *h;
	char url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", tu_free_port());
	o.auth_url = o.token_url = o.revoke_url = o.tasks_url = o.calendar_url =
	    url;
	o.client_id = CLIENT_ID;
	o.client_secret = SECRET;
	o.timeout_ms = 2000;
	ck_assert_int_eq(gapi_open(&o, &h), 0);
	ck_assert_int_eq(
	    gapi_task_delete(h, ACCESS, "L", "t", &e), -ECONNREFUSED);
	ck_assert_int_eq(e.http_status, 0);
	ck_assert_str_ne(e.message, "");
	assert_clean(&e);
	ck_assert(gapi_retryable(-ECONNREFUSED));
	ck_assert_int_eq(gapi_refresh(h, REFRESH, 0, &tok, &e), -ECONNREFUSED);
	assert_clean(&e);
	gapi_close(h);
}
END_TEST

START_TEST(network_timeout)
{
	struct gapi_opts o = {0};
	struct gapi_error e;
	struct gapi *h;
	char url[96];

	snprintf(url, sizeof(url), "%s/tasks/v1", srv.base);
	o.auth_url = o.token_url = o.revoke_url = o.calendar_url = url;
	o.tasks_url = url;
	o.client_id = CLIENT_ID;
	o.client_secret = SECRET;
	o.timeout_ms = 300;
	ck_assert_int_eq(gapi_open(&o, &h), 0);
	reply_ex(204, "", 0, 1500, NULL);
	ck_assert_int_eq(gapi_task_delete(h, ACCESS, "L", "t", &e), -ETIMEDOUT);
	ck_assert_int_eq(e.http_status, 0);
	assert_clean(&e);
	gapi_close(h);
}
END_TEST

START_TEST(secrets_withheld)
{
	struct gapi_task t = {"T", NULL, NULL, NULL, NULL};
	struct gapi_tokens tok;
	struct gapi_error e;

	/* an API error that quotes the bearer token */
	reply(400,
	    GERR(400, "Invalid Credentials: Bearer " ACCESS, "invalid",
	        "INVALID_ARGUMENT"));
	ck_assert_int_eq(
	    gapi_task_insert(g, ACCESS, "@default", &t, NULL, 0, &e), -EINVAL);
	ck_assert_str_eq(e.reason, "invalid");
	ck_assert_ptr_nonnull(strstr(e.message, "withheld"));
	assert_clean(&e);
	/* the token endpoint quoting the refresh token, the code, the
	 * client secret */
	reply(400,
	    "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"Bad token " REFRESH "\"}");
	ck_assert_int_eq(gapi_refresh(g, REFRESH, 0, &tok, &e), -EKEYREJECTED);
	assert_clean(&e);
	reply(400,
	    "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"Malformed auth code: " CODE "\"}");
	ck_assert_int_eq(
	    gapi_exchange_code(g, CODE, VERIFIER, REDIRECT, 0, &tok, &e),
	    -EKEYREJECTED);
	assert_clean(&e);
	reply(401,
	    "{\"error\":\"invalid_client\",\"error_description\":"
	    "\"client_secret " SECRET " is wrong\"}");
	ck_assert_int_eq(gapi_refresh(g, REFRESH, 0, &tok, &e), -EACCES);
	assert_clean(&e);
	/* a reason that is a token */
	reply(400, "{\"error\":\"" REFRESH "\"}");
	ck_assert_int_eq(gapi_revoke(g, REFRESH, &e), -EINVAL);
	ck_assert_str_eq(e.reason, "");
	assert_clean(&e);
}
END_TEST

START_TEST(bad_arguments)
{
	struct gapi_tokens tok;
	struct gapi_error e;
	char id[GAPI_ID_MAX];

	ck_assert_int_eq(gapi_task_delete(g, ACCESS, "", "t", &e), -EINVAL);
	ck_assert_int_eq(e.http_status, 0);
	ck_assert_int_eq(gapi_task_delete(g, NULL, "L", "t", &e), -EINVAL);
	ck_assert_int_eq(gapi_task_delete(g, "a b", "L", "t", &e), -EINVAL);
	ck_assert_int_eq(
	    gapi_task_find_marker(g, ACCESS, "L", "", NULL, id, sizeof(id), &e),
	    -EINVAL);
	ck_assert_int_eq(gapi_tasklists(g, ACCESS, NULL, NULL, &e), -EINVAL);
	ck_assert_int_eq(
	    gapi_event_get(g, ACCESS, "primary", "", NULL, 0, NULL, 0, &e),
	    -EINVAL);
	ck_assert_int_eq(gapi_events_between(g, ACCESS, "primary", NULL,
	                     "2026-11-29T00:00:00Z", on_event, NULL, &e),
	    -EINVAL);
	ck_assert_int_eq(
	    gapi_freebusy(g, ACCESS, "primary", "a", "b", NULL, NULL, &e),
	    -EINVAL);
	ck_assert_int_eq(gapi_refresh(g, "", 0, &tok, &e), -EINVAL);
	ck_assert_int_eq(gapi_refresh(g, "tok\nen", 0, &tok, &e), -EINVAL);
	ck_assert_int_eq(
	    gapi_exchange_code(g, "", VERIFIER, REDIRECT, 0, &tok, &e),
	    -EINVAL);
	ck_assert_uint_eq(nreqs(), 0);
}
END_TEST

static Suite *
gapi_suite(void)
{
	Suite *s = suite_create("gapi");
	TCase *pure = tcase_create("pure");
	TCase *oauth = tcase_create("oauth");
	TCase *tasks = tcase_create("tasks");
	TCase *cal = tcase_create("calendar");
	TCase *errs = tcase_create("errors");

	tcase_add_test(pure, pkce_rfc7636_vector);
	tcase_add_test(pure, pkce_fresh_pairs);
	tcase_add_test(pure, random_token_shape);
	tcase_add_test(pure, event_id_shape);
	tcase_add_test(pure, open_rejects);
	suite_add_tcase(s, pure);

	tcase_add_checked_fixture(oauth, setup, teardown);
	tcase_add_test(oauth, auth_url_exact);
	tcase_add_test(oauth, exchange_code_form);
	tcase_add_test(oauth, exchange_invalid_grant);
	tcase_add_test(oauth, refresh_keeps_old_token);
	tcase_add_loop_test(oauth, token_errors, 0,
	    (int)(sizeof(token_cases) / sizeof(token_cases[0])));
	tcase_add_test(oauth, revoke_form);
	suite_add_tcase(s, oauth);

	tcase_add_checked_fixture(tasks, setup, teardown);
	tcase_add_test(tasks, task_insert_body);
	tcase_add_test(tasks, task_insert_subtask);
	tcase_add_test(tasks, find_marker_pages);
	tcase_add_test(tasks, find_marker_parent);
	tcase_add_test(tasks, find_marker_page_cap);
	tcase_add_test(tasks, find_marker_token_loop);
	tcase_add_test(tasks, task_delete_paths);
	tcase_add_test(tasks, tasklists_pages);
	suite_add_tcase(s, tasks);

	tcase_add_checked_fixture(cal, setup, teardown);
	tcase_add_test(cal, event_insert_timed);
	tcase_add_test(cal, event_insert_all_day);
	tcase_add_test(cal, event_insert_rejects);
	tcase_add_test(cal, event_conflict_then_get);
	tcase_add_test(cal, event_delete_paths);
	tcase_add_test(cal, events_between_query);
	tcase_add_test(cal, freebusy_body);
	tcase_add_test(cal, freebusy_calendar_errors);
	suite_add_tcase(s, cal);

	tcase_add_checked_fixture(errs, setup, teardown);
	tcase_set_timeout(errs, 60);
	tcase_add_loop_test(errs, api_errors, 0,
	    (int)(sizeof(api_cases) / sizeof(api_cases[0])));
	tcase_add_test(errs, network_refused);
	tcase_add_test(errs, network_timeout);
	tcase_add_test(errs, secrets_withheld);
	tcase_add_test(errs, bad_arguments);
	suite_add_tcase(s, errs);
	return s;
}

int
main(void)
{
	return tu_run_suite(gapi_suite());
}

/*
 * check_fake_google — the fake Google OAuth, Tasks and Calendar server
 * (tests/fake_google.c) that the suites talking to Google share, driven
 * with plain libcurl as a client would: the OAuth dance with a real PKCE
 * pair, refresh, revocation and expiry; tasks and events with Google's
 * answers and errors; validation against the discovery documents; faults.
 */
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake_google.h"
#include "tests/fake_google_client.h"
#include "tests/testutil.h"

#define GUARD_MS 10000 /* hang guard for waits, never a measured limit */
#define REDIRECT "http://127.0.0.1:8765/oauth/callback"
/* RFC 7636 appendix B: a verifier and its S256 challenge */
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define TASKS "/tasks/v1/lists/@default/tasks"
#define EVENTS "/calendar/v3/calendars/primary/events"

static struct fake_google *fk;
static char tok[FAKE_GOOGLE_TOKEN_MAX]; /* an access token for the API */

static void
setup(void)
{
	ck_assert_int_eq(fake_google_start(NULL, &fk), 0);
	ck_assert_int_eq(fake_google_grant(fk, NULL, tok, NULL), 0);
}

static void
teardown(void)
{
	fake_google_stop(fk);
	fk = NULL;
}

/* An API call: path under the base URL, JSON body, the fixture's token. */
static long
api(const char *verb, const char *path, const char *body, struct fgc_resp *r)
{
	char url[1024];

	snprintf(url, sizeof(url), "%s%s", fake_google_base_url(fk), path);
	return fgc_http(verb, url, tok, "application/json", body, r);
}

/* A form POST to the token or revoke endpoint. */
static long
form(const char *url, const char *body, struct fgc_resp *r)
{
	return fgc_http(
	    "POST", url, NULL, "application/x-www-form-urlencoded", body, r);
}

/* Exchange code with verifier; the answer in r. */
static long
exchange(const char *code, const char *verifier, struct fgc_resp *r)
{
	char *ec = curl_easy_escape(NULL, code, 0), body[1024];

	snprintf(body, sizeof(body),
	    "grant_type=authorization_code&code=%s&code_verifier=%s"
	    "&redirect_uri=" REDIRECT "&client_id=" FAKE_GOOGLE_CLIENT_ID
	    "&client_secret=" FAKE_GOOGLE_CLIENT_SECRET,
	    ec, verifier);
	curl_free(ec);
	return form(fake_google_token_url(fk), body, r);
}

static long
refresh(const char *rt, struct fgc_resp *r)
{
	char body[512];

	snprintf(body, sizeof(body),
	    "grant_type=refresh_token&refresh_token=%s"
	    "&client_id=" FAKE_GOOGLE_CLIENT_ID
	    "&client_secret=" FAKE_GOOGLE_CLIENT_SECRET,
	    rt);
	return form(fake_google_token_url(fk), body, r);
}

START_TEST(oauth_pkce_flow)
{
	struct fake_google_stats st;
	struct fgc_resp r = {0};
	char code[FAKE_GOOGLE_TOKEN_MAX];

	ck_assert_int_eq(
	    fgc_consent(fk, REDIRECT,
	        FAKE_GOOGLE_TASKS_SCOPE " " FAKE_GOOGLE_CALENDAR_SCOPE,
	        CHALLENGE, "s 1/2", code, &r),
	    0);
	ck_assert_int_eq(r.status, 302);
	ck_assert_ptr_nonnull(
	    strstr(r.location, REDIRECT "?state=s%201%2F2&code="));
	ck_assert_int_eq(exchange(code, VERIFIER, &r), 200);
	ck_assert_int_eq(
	    json_object_get_int(fgc_get(r.json, "expires_in")), 3599);
	ck_assert_str_eq(fgc_str(r.json, "token_type"), "Bearer");
	ck_assert_ptr_nonnull(fgc_str(r.json, "refresh_token"));
	ck_assert_str_eq(fgc_str(r.json, "scope"),
	    FAKE_GOOGLE_TASKS_SCOPE " " FAKE_GOOGLE_CALENDAR_SCOPE);
	snprintf(tok, sizeof(tok), "%s", fgc_str(r.json, "access_token"));
	ck_assert_int_eq(
	    api("GET", "/tasks/v1/users/@me/lists", NULL, &r), 200);
	ck_assert_str_eq(fgc_str(r.json, "kind"), "tasks#taskLists");
	ck_assert_str_eq(
	    fgc_str(r.json, "items.0.id"), FAKE_GOOGLE_DEFAULT_LIST);

	/* the same code again */
	ck_assert_int_eq(exchange(code, VERIFIER, &r), 400);
	ck_assert_str_eq(fgc_str(r.json, "error"), "invalid_grant");
	fake_google_stats(fk, &st);
	ck_assert_uint_eq(st.codes_issued, 1);
	ck_assert_uint_eq(st.tokens_issued, 2); /* with the fixture's */
	ck_assert_uint_eq(st.token_errors, 1);
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(oauth_consent_errors)
{
	/* the good query with one parameter left out (and one put instead) */
	static const struct {
		const char *drop, *put;
		long status;
		const char *error;
	} cases[] = {
	    {"client_id", "", 400, "invalid_request"},
	    {"client_id", "client_id=other", 401, "invalid_client"},
	    {"redirect_uri", "", 400, "invalid_request"},
	    {"response_type", "response_type=token", 400,
	        "unsupported_response_type"},
	    {"scope", "scope=https://example.com/x", 400, "invalid_scope"},
	    {"code_challenge", "", 400, "invalid_request"},
	    {"code_challenge_method", "code_challenge_method=plain", 400,
	        "invalid_request"},
	};
	static const char *const good[] = {"client_id=" FAKE_GOOGLE_CLIENT_ID,
	    "redirect_uri=" REDIRECT, "response_type=code", "scope=email",
	    "code_challenge=" CHALLENGE, "code_challenge_method=S256"};
	struct fgc_resp r = {0};
	struct fake_google_stats st;
	char url[2048];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(url, sizeof(url), "%s?%s", fake_google_auth_url(fk),
		    cases[i].put);
		for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
			size_t n = strlen(cases[i].drop);

			if (strncmp(good[k], cases[i].drop, n) != 0 ||
			    good[k][n] != '=')
				snprintf(url + strlen(url),
				    sizeof(url) - strlen(url), "&%s", good[k]);
		}
		fgc_http("GET", url, NULL, NULL, NULL, &r);
		ck_assert_msg(
		    r.status == cases[i].status, "case %zu: %ld", i, r.status);
		ck_assert_msg(strstr(r.body, cases[i].error) != NULL,
		    "case %zu: %s", i, r.body);
		ck_assert_str_eq(r.location, "");
	}
	fake_google_stats(fk, &st);
	ck_assert_uint_eq(st.codes_issued, 0);
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(oauth_token_errors)
{
	struct fgc_resp r = {0};
	char code[FAKE_GOOGLE_TOKEN_MAX], body[1024];

	ck_assert_int_eq(
	    fake_google_issue_code(fk, REDIRECT, CHALLENGE, code), 0);
	/* a real verifier, but not this challenge's */
	ck_assert_int_eq(
	    exchange(code, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &r),
	    400);
	ck_assert_str_eq(fgc_str(r.json, "error"), "invalid_grant");
	ck_assert_str_eq(
	    fgc_str(r.json, "error_description"), "Invalid code verifier.");
	ck_assert_int_eq(exchange(code, "", &r), 400);
	ck_assert_str_eq(
	    fgc_str(r.json, "error_description"), "Missing code verifier.");
	ck_assert_int_eq(exchange("4/0Anope", VERIFIER, &r), 400);
	ck_assert_str_eq(fgc_str(r.json, "error"), "invalid_grant");
	/* another redirect_uri */
	snprintf(body, sizeof(body),
	    "grant_type=authorization_code&code=%s&code_verifier=" VERIFIER
	    "&redirect_uri=http://127.0.0.1:1/"
	    "x&client_id=" FAKE_GOOGLE_CLIENT_ID
	    "&client_secret=" FAKE_GOOGLE_CLIENT_SECRET,
	    code);
	ck_assert_int_eq(form(fake_google_token_url(fk), body, &r), 400);
	ck_assert_str_eq(fgc_str(r.json, "error"), "redirect_uri_mismatch");
	/* a wrong secret */
	snprintf(body, sizeof(body),
	    "grant_type=authorization_code&code=%s&code_verifier=" VERIFIER
	    "&redirect_uri=" REDIRECT "&client_id=" FAKE_GOOGLE_CLIENT_ID
	    "&client_secret=nope",
	    code);
	ck_assert_int_eq(form(fake_google_token_url(fk), body, &r), 401);
	ck_assert_str_eq(fgc_str(r.json, "error"), "invalid_client");
	ck_assert_int_eq(form(fake_google_token_url(fk),
	                     "grant_type=password&client_id=x", &r),
	    400);
	ck_assert_str_eq(fgc_str(r.json, "error"), "unsupported_grant_type");
	/* failed attempts do not use the code up */
	ck_assert_int_eq(exchange(code, VERIFIER, &r), 200);
	ck_assert_int_eq(exchange(code, VERIFIER, &r), 400);
	ck_assert_str_eq(fgc_str(r.json, "error"), "invalid_grant");
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(oauth_refresh_revoke_expiry)
{
	struct fake_google_stats st;
	struct fgc_resp r = {0};
	char rt[FAKE_GOOGLE_TOKEN_MAX], body[512];

	ck_assert_int_eq(fake_google_grant(fk, NULL, tok, rt), 0);
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 200);
	fake_google_expire_tokens(fk);
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 401);
	ck_assert_str_eq(fgc_str(r.json, "error.status"), "UNAUTHENTICATED");
	ck_assert_ptr_nonnull(strstr(fgc_str(r.json, "error.message"),
	    "Request had invalid authentication credentials"));
	ck_assert_ptr_nonnull(strstr(r.www_auth, "invalid_token"));

	ck_assert_int_eq(refresh(rt, &r), 200);
	ck_assert_ptr_null(fgc_get(r.json, "refresh_token"));
	snprintf(tok, sizeof(tok), "%s", fgc_str(r.json, "access_token"));
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 200);

	/* revoking the access token revokes the grant */
	snprintf(body, sizeof(body), "token=%s", tok);
	ck_assert_int_eq(form(fake_google_revoke_url(fk), body, &r), 200);
	ck_assert_str_eq(r.body, "{}");
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 401);
	ck_assert_int_eq(refresh(rt, &r), 400);
	ck_assert_str_eq(fgc_str(r.json, "error"), "invalid_grant");
	ck_assert_str_eq(fgc_str(r.json, "error_description"),
	    "Token has been expired or revoked.");
	ck_assert_int_eq(form(fake_google_revoke_url(fk), body, &r), 400);
	ck_assert_str_eq(fgc_str(r.json, "error"), "invalid_token");

	/* tokens born expired */
	fake_google_set_token_lifetime(fk, 0);
	ck_assert_int_eq(fake_google_grant(fk, NULL, tok, rt), 0);
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 401);
	fake_google_set_token_lifetime(fk, 60);
	ck_assert_int_eq(refresh(rt, &r), 200);
	ck_assert_int_eq(
	    json_object_get_int(fgc_get(r.json, "expires_in")), 60);

	fake_google_stats(fk, &st);
	ck_assert_uint_eq(st.tokens_issued, 3);
	ck_assert_uint_eq(st.tokens_refreshed, 2);
	ck_assert_uint_eq(st.tokens_revoked, 1);
	ck_assert_uint_eq(st.unauthenticated, 3);
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(oauth_bearer_and_scopes)
{
	struct fgc_resp r = {0};
	char url[512];

	snprintf(url, sizeof(url), "%s" TASKS, fake_google_base_url(fk));
	fgc_http("GET", url, NULL, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(fgc_str(r.json, "error.errors.0.reason"), "required");
	/* Tasks only: Calendar says 403 */
	ck_assert_int_eq(
	    fake_google_grant(fk, FAKE_GOOGLE_TASKS_SCOPE, tok, NULL), 0);
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 200);
	ck_assert_int_eq(api("GET", EVENTS, NULL, &r), 403);
	ck_assert_str_eq(fgc_str(r.json, "error.errors.0.reason"),
	    "insufficientPermissions");
	/* calendar.events does not cover freeBusy */
	ck_assert_int_eq(
	    fake_google_grant(fk,
	        "https://www.googleapis.com/auth/calendar.events", tok, NULL),
	    0);
	ck_assert_int_eq(api("GET", EVENTS, NULL, &r), 200);
	ck_assert_int_eq(api("POST", "/calendar/v3/freeBusy",
	                     "{\"timeMin\":\"2025-03-14T00:00:00Z\","
	                     "\"timeMax\":\"2025-03-15T00:00:00Z\"}",
	                     &r),
	    403);
	fgc_resp_clear(&r);
}
END_TEST

/* Insert a task; its id into id (may be NULL).  Returns the status. */
static long
add_task(const char *query, const char *body, char *id)
{
	struct fgc_resp r = {0};
	char path[512];
	long st;

	snprintf(path, sizeof(path), TASKS "%s", query ? query : "");
	st = api("POST", path, body, &r);
	if (id != NULL)
		snprintf(id, FAKE_GOOGLE_TOKEN_MAX, "%s",
		    fgc_str(r.json, "id") ? fgc_str(r.json, "id") : "");
	fgc_resp_clear(&r);
	return st;
}

START_TEST(tasks_insert_page_delete)
{
	struct fgc_resp r = {0};
	char id[FAKE_GOOGLE_TOKEN_MAX], path[512], seen[256] = "";
	const char *next = NULL;
	int pages = 0;

	for (int i = 0; i < 5; i++) {
		char body[128];

		snprintf(body, sizeof(body), "{\"title\":\"t%d\"}", i);
		ck_assert_int_eq(add_task(NULL, body, NULL), 200);
	}
	ck_assert_int_eq(add_task(NULL,
	                     "{\"title\":\"due\",\"notes\":\"n\","
	                     "\"due\":\"2025-03-14T15:30:00+01:00\"}",
	                     id),
	    200);
	snprintf(path, sizeof(path), TASKS "/%s", id);
	ck_assert_int_eq(api("GET", path, NULL, &r), 200);
	ck_assert_str_eq(fgc_str(r.json, "due"), "2025-03-14T00:00:00.000Z");
	ck_assert_str_eq(fgc_str(r.json, "status"), "needsAction");
	ck_assert_str_eq(fgc_str(r.json, "kind"), "tasks#task");

	/* newest first; three pages of two */
	fake_google_set_page_size(fk, 2);
	do {
		char q[512];

		snprintf(q, sizeof(q), TASKS "?maxResults=100%s%s",
		    next ? "&pageToken=" : "", next ? next : "");
		ck_assert_int_eq(api("GET", q, NULL, &r), 200);
		ck_assert_uint_le(fgc_len(r.json, "items"), 2);
		for (size_t i = 0; i < fgc_len(r.json, "items"); i++) {
			char item[48];

			snprintf(item, sizeof(item), "items.%zu.title", i);
			strcat(seen, fgc_str(r.json, item));
			strcat(seen, ",");
		}
		next = fgc_str(r.json, "nextPageToken");
		pages++;
	} while (next != NULL);
	ck_assert_int_eq(pages, 3);
	ck_assert_str_eq(seen, "due,t4,t3,t2,t1,t0,");

	ck_assert_int_eq(api("DELETE", path, NULL, &r), 204);
	ck_assert_str_eq(r.body, "");
	ck_assert_int_eq(api("GET", path, NULL, &r), 200);
	ck_assert(json_object_get_boolean(fgc_get(r.json, "deleted")));
	fake_google_set_page_size(fk, 0);
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 200);
	ck_assert_uint_eq(fgc_len(r.json, "items"), 5);
	ck_assert_int_eq(api("GET", TASKS "?showDeleted=true", NULL, &r), 200);
	ck_assert_uint_eq(fgc_len(r.json, "items"), 6);
	ck_assert_int_eq(api("DELETE", TASKS "/nosuchtask", NULL, &r), 404);
	ck_assert_int_eq(
	    json_object_get_int(fgc_get(r.json, "error.code")), 404);
	ck_assert_str_eq(fgc_str(r.json, "error.message"), "Not Found");
	ck_assert_int_eq(
	    api("GET", "/tasks/v1/lists/nosuchlist/tasks", NULL, &r), 404);
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(tasks_parent_complete_lists)
{
	struct fake_google_task *t;
	struct fgc_resp r = {0};
	char parent[FAKE_GOOGLE_TOKEN_MAX], a[FAKE_GOOGLE_TOKEN_MAX];
	char b[FAKE_GOOGLE_TOKEN_MAX], list[FAKE_GOOGLE_TOKEN_MAX];
	char q[512];
	size_t n;

	ck_assert_int_eq(add_task(NULL, "{\"title\":\"trip\"}", parent), 200);
	snprintf(q, sizeof(q), "?parent=%s", parent);
	ck_assert_int_eq(add_task(q, "{\"title\":\"a\"}", a), 200);
	snprintf(q, sizeof(q), "?parent=%s&previous=%s", parent, a);
	ck_assert_int_eq(add_task(q, "{\"notes\":\"only notes\"}", b), 200);
	ck_assert_int_eq(
	    add_task("?parent=nosuchtask", "{\"title\":\"orphan\"}", NULL),
	    404);
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 200);
	ck_assert_str_eq(fgc_str(r.json, "items.0.id"), parent);
	ck_assert_str_eq(fgc_str(r.json, "items.1.id"), a);
	ck_assert_str_eq(fgc_str(r.json, "items.1.parent"), parent);
	ck_assert_str_eq(fgc_str(r.json, "items.2.id"), b);

	/* complete a: hidden from showCompleted=false */
	snprintf(q, sizeof(q), TASKS "/%s", a);
	ck_assert_int_eq(
	    api("PATCH", q, "{\"status\":\"completed\"}", &r), 200);
	ck_assert_ptr_nonnull(fgc_str(r.json, "completed"));
	ck_assert_int_eq(
	    api("GET", TASKS "?showCompleted=false", NULL, &r), 200);
	ck_assert_uint_eq(fgc_len(r.json, "items"), 2);

	/* a named list keeps its own tasks */
	ck_assert_int_eq(fake_google_add_list(fk, "Groceries", list), 0);
	ck_assert_str_ne(list, FAKE_GOOGLE_DEFAULT_LIST);
	snprintf(q, sizeof(q), "/tasks/v1/lists/%s/tasks", list);
	ck_assert_int_eq(api("POST", q, "{\"title\":\"milk\"}", &r), 200);
	ck_assert_int_eq(
	    api("GET", "/tasks/v1/users/@me/lists", NULL, &r), 200);
	ck_assert_uint_eq(fgc_len(r.json, "items"), 2);
	ck_assert_str_eq(fgc_str(r.json, "items.1.title"), "Groceries");

	ck_assert_int_eq(fake_google_tasks(fk, list, &t, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(t[0].title, "milk");
	ck_assert_str_eq(t[0].list, list);
	fake_google_tasks_free(t, n);
	ck_assert_int_eq(fake_google_tasks(fk, "@default", &t, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_null(t[0].parent);
	ck_assert_str_eq(t[1].parent, parent);
	ck_assert_str_eq(t[1].status, "completed");
	ck_assert_ptr_null(t[2].title);
	ck_assert_str_eq(t[2].notes, "only notes");
	fake_google_tasks_free(t, n);
	ck_assert_int_eq(fake_google_tasks(fk, "nosuch", &t, &n), -ENOENT);

	/* deleting the parent takes the children along */
	snprintf(q, sizeof(q), TASKS "/%s", parent);
	ck_assert_int_eq(api("DELETE", q, NULL, &r), 204);
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 200);
	ck_assert_uint_eq(fgc_len(r.json, "items"), 0);
	ck_assert_uint_eq(fake_google_validation_failures(fk), 0);
	fgc_resp_clear(&r);
}
END_TEST

#define EVENT_BODY(id)                                                         \
	"{\"id\":\"" id "\",\"summary\":\"Dentist\",\"location\":\"Main St"    \
	" 1\",\"description\":\"check-up\",\"start\":{\"dateTime\":"           \
	"\"2025-03-14T10:30:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"       \
	"\"end\":{\"dateTime\":\"2025-03-14T11:00:00+01:00\",\"timeZone\":"    \
	"\"Europe/Berlin\"},\"extendedProperties\":{\"private\":{"             \
	"\"draftbot\":\"d42\"}},\"source\":{\"title\":\"x\",\"url\":"          \
	"\"https://example.com/e\"},\"reminders\":{\"useDefault\":false,"      \
	"\"overrides\":[{\"method\":\"popup\",\"minutes\":30}]}}"

START_TEST(events_insert_duplicate_delete)
{
	struct fake_google_event *ev;
	struct fgc_resp r = {0};
	size_t n;

	ck_assert_int_eq(
	    api("POST", EVENTS, EVENT_BODY("abc123def456"), &r), 200);
	ck_assert_str_eq(fgc_str(r.json, "id"), "abc123def456");
	ck_assert_str_eq(fgc_str(r.json, "status"), "confirmed");
	ck_assert_str_eq(fgc_str(r.json, "kind"), "calendar#event");
	ck_assert_str_eq(
	    fgc_str(r.json, "extendedProperties.private.draftbot"), "d42");
	ck_assert_ptr_nonnull(fgc_str(r.json, "htmlLink"));
	ck_assert_int_eq(
	    api("POST", EVENTS, EVENT_BODY("abc123def456"), &r), 409);
	ck_assert_str_eq(fgc_str(r.json, "error.errors.0.reason"), "duplicate");
	ck_assert_str_eq(fgc_str(r.json, "error.message"),
	    "The requested identifier already exists.");
	/* ids are base32hex, 5 to 1024 characters */
	ck_assert_int_eq(api("POST", EVENTS, EVENT_BODY("abcw1234"), &r), 400);
	ck_assert_int_eq(api("POST", EVENTS, EVENT_BODY("abc"), &r), 400);
	ck_assert_int_eq(api("POST", EVENTS, EVENT_BODY("ABC123DEF"), &r), 400);

	ck_assert_int_eq(api("GET", EVENTS "/abc123def456", NULL, &r), 200);
	ck_assert_str_eq(fgc_str(r.json, "summary"), "Dentist");
	ck_assert_int_eq(api("DELETE", EVENTS "/abc123def456", NULL, &r), 204);
	ck_assert_int_eq(api("GET", EVENTS "/abc123def456", NULL, &r), 200);
	ck_assert_str_eq(fgc_str(r.json, "status"), "cancelled");
	ck_assert_int_eq(api("DELETE", EVENTS "/abc123def456", NULL, &r), 410);
	ck_assert_str_eq(
	    fgc_str(r.json, "error.message"), "Resource has been deleted");
	/* a deleted id stays taken */
	ck_assert_int_eq(
	    api("POST", EVENTS, EVENT_BODY("abc123def456"), &r), 409);
	ck_assert_int_eq(api("GET", EVENTS "/nosuchevent", NULL, &r), 404);
	ck_assert_int_eq(api("DELETE", EVENTS "/nosuchevent", NULL, &r), 404);
	ck_assert_int_eq(api("GET",
	                     "/calendar/v3/calendars/other@x.com/events/"
	                     "abc123def456",
	                     NULL, &r),
	    404);

	ck_assert_int_eq(fake_google_events(fk, &ev, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ev[0].status, "cancelled");
	ck_assert_str_eq(ev[0].draftbot, "d42");
	ck_assert_str_eq(ev[0].location, "Main St 1");
	ck_assert_str_eq(ev[0].description, "check-up");
	ck_assert_str_eq(ev[0].source_url, "https://example.com/e");
	ck_assert_str_eq(ev[0].start, "2025-03-14T10:30:00+01:00");
	ck_assert_str_eq(ev[0].time_zone, "Europe/Berlin");
	ck_assert_int_eq(ev[0].end_ms - ev[0].start_ms, 30 * 60 * 1000);
	fake_google_events_free(ev, n);
	ck_assert_uint_eq(fake_google_validation_failures(fk), 3);
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(events_zones_and_patch)
{
	struct fake_google_event *ev;
	struct fgc_resp r = {0};
	char path[256];
	size_t n;

	/* local times in their zone: CET in March, CEST in July */
	ck_assert_int_eq(api("POST", EVENTS,
	                     "{\"summary\":\"w\",\"start\":{\"dateTime\":"
	                     "\"2025-03-14T10:00:00\",\"timeZone\":"
	                     "\"Europe/Berlin\"},\"end\":{\"dateTime\":"
	                     "\"2025-07-14T10:00:00\",\"timeZone\":"
	                     "\"Europe/Berlin\"},\"recurrence\":"
	                     "[\"RRULE:FREQ=WEEKLY;COUNT=3\"]}",
	                     &r),
	    200);
	snprintf(path, sizeof(path), EVENTS "/%s", fgc_str(r.json, "id"));
	ck_assert_int_eq(api("POST", EVENTS,
	                     "{\"summary\":\"all day\",\"start\":{\"date\":"
	                     "\"2025-03-15\"},\"end\":{\"date\":"
	                     "\"2025-03-16\"}}",
	                     &r),
	    200);
	ck_assert_int_eq(fake_google_events(fk, &ev, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ev[0].start_ms, 1741942800000LL); /* 09:00Z */
	ck_assert_int_eq(ev[0].end_ms, 1752480000000LL);   /* 08:00Z */
	ck_assert_str_eq(ev[0].recurrence, "[\"RRULE:FREQ=WEEKLY;COUNT=3\"]");
	ck_assert(ev[1].all_day);
	ck_assert_int_eq(ev[1].start_ms, 1741996800000LL);
	fake_google_events_free(ev, n);

	ck_assert_int_eq(
	    api("PATCH", path, "{\"summary\":\"moved\",\"location\":\"here\"}",
	        &r),
	    200);
	ck_assert_str_eq(fgc_str(r.json, "summary"), "moved");
	ck_assert_int_eq(json_object_get_int(fgc_get(r.json, "sequence")), 1);
	ck_assert_str_eq(fgc_str(r.json, "start.timeZone"), "Europe/Berlin");
	ck_assert_uint_eq(fake_google_validation_failures(fk), 0);
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(events_list_window)
{
	struct fgc_resp r = {0};
	char id[FAKE_GOOGLE_TOKEN_MAX];

	ck_assert_int_eq(fake_google_add_event(fk, "late",
	                     "2025-03-14T15:00:00Z", "2025-03-14T16:00:00Z"),
	    0);
	ck_assert_int_eq(fake_google_add_event(fk, "early",
	                     "2025-03-14T08:00:00Z", "2025-03-14T09:30:00Z"),
	    0);
	ck_assert_int_eq(fake_google_add_event(fk, "before",
	                     "2025-03-13T08:00:00Z", "2025-03-14T08:00:00Z"),
	    0);
	ck_assert_int_eq(
	    fake_google_add_event_id(
	        fk, "gone", "2025-03-14T12:00:00Z", "2025-03-14T13:00:00Z", id),
	    0);
	ck_assert_int_eq(fake_google_add_event(fk, "bad", "2025-03-14T12:00:00",
	                     "2025-03-14T13:00:00Z"),
	    -EINVAL);
	ck_assert_int_eq(fake_google_add_event(fk, "backwards",
	                     "2025-03-14T12:00:00Z", "2025-03-14T11:00:00Z"),
	    -EINVAL);
	ck_assert_int_eq(api("POST", EVENTS, EVENT_BODY("tagged01"), &r), 200);
	{
		char path[256];

		snprintf(path, sizeof(path), EVENTS "/%s", id);
		ck_assert_int_eq(api("DELETE", path, NULL, &r), 204);
	}
	ck_assert_int_eq(api("GET",
	                     EVENTS "?timeMin=2025-03-14T08:00:00Z"
	                            "&timeMax=2025-03-15T00:00:00Z"
	                            "&singleEvents=true&orderBy=startTime",
	                     NULL, &r),
	    200);
	ck_assert_str_eq(fgc_str(r.json, "kind"), "calendar#events");
	ck_assert_uint_eq(fgc_len(r.json, "items"), 3);
	ck_assert_str_eq(fgc_str(r.json, "items.0.summary"), "early");
	ck_assert_str_eq(fgc_str(r.json, "items.1.summary"), "Dentist");
	ck_assert_str_eq(fgc_str(r.json, "items.2.summary"), "late");
	ck_assert_int_eq(
	    api("GET", EVENTS "?privateExtendedProperty=draftbot%3Dd42", NULL,
	        &r),
	    200);
	ck_assert_uint_eq(fgc_len(r.json, "items"), 1);
	ck_assert_str_eq(fgc_str(r.json, "items.0.id"), "tagged01");
	ck_assert_int_eq(api("GET", EVENTS "?showDeleted=true", NULL, &r), 200);
	ck_assert_uint_eq(fgc_len(r.json, "items"), 5);
	/* startTime order needs singleEvents */
	ck_assert_int_eq(
	    api("GET", EVENTS "?orderBy=startTime", NULL, &r), 400);
	ck_assert_uint_eq(fake_google_validation_failures(fk), 1);
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(freebusy_busy_periods)
{
	struct fgc_resp r = {0};

	fake_google_add_event(
	    fk, "a", "2025-03-14T09:00:00Z", "2025-03-14T10:00:00Z");
	fake_google_add_event(
	    fk, "b", "2025-03-14T09:30:00+00:00", "2025-03-14T11:00:00Z");
	fake_google_add_event(
	    fk, "c", "2025-03-14T13:00:00+01:00", "2025-03-14T13:30:00+01:00");
	fake_google_add_event(
	    fk, "d", "2025-03-14T22:00:00Z", "2025-03-15T02:00:00Z");
	ck_assert_int_eq(
	    api("POST", "/calendar/v3/freeBusy",
	        "{\"timeMin\":\"2025-03-14T00:00:00Z\",\"timeMax\":"
	        "\"2025-03-15T00:00:00Z\",\"timeZone\":\"UTC\",\"items\":"
	        "[{\"id\":\"primary\"},{\"id\":\"other@example.com\"}]}",
	        &r),
	    200);
	ck_assert_str_eq(fgc_str(r.json, "kind"), "calendar#freeBusy");
	ck_assert_str_eq(
	    fgc_str(r.json, "timeMin"), "2025-03-14T00:00:00.000Z");
	ck_assert_uint_eq(fgc_len(r.json, "calendars.primary.busy"), 3);
	ck_assert_str_eq(fgc_str(r.json, "calendars.primary.busy.0.start"),
	    "2025-03-14T09:00:00Z");
	ck_assert_str_eq(fgc_str(r.json, "calendars.primary.busy.0.end"),
	    "2025-03-14T11:00:00Z");
	ck_assert_str_eq(fgc_str(r.json, "calendars.primary.busy.1.start"),
	    "2025-03-14T12:00:00Z");
	ck_assert_str_eq(fgc_str(r.json, "calendars.primary.busy.2.end"),
	    "2025-03-15T00:00:00Z");
	ck_assert_str_eq(
	    fgc_str(json_object_object_get(
	                fgc_get(r.json, "calendars"), "other@example.com"),
	        "errors.0.reason"),
	    "notFound");
	ck_assert_int_eq(api("POST", "/calendar/v3/freeBusy",
	                     "{\"timeMin\":\"2025-03-15T00:00:00Z\","
	                     "\"timeMax\":\"2025-03-14T00:00:00Z\"}",
	                     &r),
	    400);
	ck_assert_str_eq(
	    fgc_str(r.json, "error.errors.0.reason"), "timeRangeEmpty");
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(validation_failures)
{
	static const struct {
		const char *verb, *path, *body, *field;
	} bad[] = {
	    {"POST", TASKS, "{\"titel\":\"x\"}", "titel"},
	    {"POST", TASKS, "{\"title\":5}", "title"},
	    {"POST", TASKS, "{\"title\":\"x\",\"due\":\"tomorrow\"}", "due"},
	    {"POST", TASKS, "{\"title\":\"x\",\"due\":\"2025-03-14\"}", "due"},
	    {"POST", TASKS, "{\"title\":\"\",\"notes\":\"\"}", "title"},
	    {"POST", TASKS, "{\"title\":\"x\",\"status\":\"done\"}", "status"},
	    {"POST", TASKS, "[\"title\"]", "JSON"},
	    {"POST", TASKS, "{\"title\":", "JSON"},
	    {"POST", EVENTS,
	        "{\"summary\":\"x\",\"start\":{\"date\":"
	        "\"2025-03-14\"}}",
	        "end"},
	    {"POST", EVENTS,
	        "{\"start\":{\"date\":\"2025-3-14\"},\"end\":"
	        "{\"date\":\"2025-03-15\"}}",
	        "start.date"},
	    {"POST", EVENTS,
	        "{\"start\":{\"dateTime\":\"2025-13-01T00:00:00Z\""
	        "},\"end\":{\"date\":\"2025-03-15\"}}",
	        "start.dateTime"},
	    {"POST", EVENTS,
	        "{\"start\":{\"dateTime\":\"2025-03-14T10:00:00\""
	        "},\"end\":{\"dateTime\":\"2025-03-14T11:00:00Z\""
	        "}}",
	        "time zone"},
	    {"POST", EVENTS,
	        "{\"start\":{\"date\":\"2025-03-14\"},\"end\":"
	        "{\"date\":\"2025-03-15\"},\"recurrence\":"
	        "\"RRULE:FREQ=DAILY\"}",
	        "recurrence"},
	    {"POST", EVENTS,
	        "{\"start\":{\"date\":\"2025-03-14\"},\"end\":"
	        "{\"date\":\"2025-03-15\"},\"anyoneCanAddSelf\":"
	        "\"yes\"}",
	        "anyoneCanAddSelf"},
	    {"POST", EVENTS,
	        "{\"start\":{\"date\":\"2025-03-14\"},\"end\":"
	        "{\"date\":\"2025-03-15\"},\"sequence\":\"1\"}",
	        "sequence"},
	    {"POST", EVENTS,
	        "{\"start\":{\"date\":\"2025-03-14\"},\"end\":"
	        "{\"date\":\"2025-03-15\"},\"extendedProperties\":"
	        "{\"private\":{\"draftbot\":7}}}",
	        "extendedProperties.private.draftbot"},
	    {"POST", EVENTS,
	        "{\"start\":{\"date\":\"2025-03-14\"},\"end\":"
	        "{\"date\":\"2025-03-15\"},\"source\":\"x\"}",
	        "source"},
	    {"POST", "/calendar/v3/freeBusy",
	        "{\"timeMin\":\"2025-03-14T00:00:00Z\",\"timeMax\":"
	        "\"2025-03-15T00:00:00Z\",\"items\":{\"id\":\"primary\"}}",
	        "items"},
	    {"GET", TASKS "?foo=1", NULL, "foo"},
	    {"GET", TASKS "?showCompleted=yes", NULL, "showCompleted"},
	    {"GET", EVENTS "?timeMin=2025-03-14", NULL, "timeMin"},
	    {"GET", EVENTS "?maxResults=0", NULL, "maxResults"},
	};
	struct fgc_resp r = {0};
	char msg[512];
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(
		    api(bad[i].verb, bad[i].path, bad[i].body, &r), 400);
		ck_assert_int_eq(
		    json_object_get_int(fgc_get(r.json, "error.code")), 400);
		ck_assert_str_eq(
		    fgc_str(r.json, "error.status"), "INVALID_ARGUMENT");
		ck_assert_str_eq(
		    fgc_str(r.json, "error.errors.0.reason"), "invalid");
		ck_assert_str_eq(
		    fgc_str(r.json, "error.errors.0.domain"), "global");
		n = fake_google_last_validation(fk, msg, sizeof(msg));
		ck_assert_uint_eq(n, i + 1);
		ck_assert_msg(strstr(msg, bad[i].field) != NULL,
		    "case %zu: \"%s\" does not name %s", i, msg, bad[i].field);
		ck_assert_str_eq(fgc_str(r.json, "error.message"), msg);
	}
	/* a form body on a JSON method */
	{
		char url[512];

		fgc_resp_clear(&r);
		snprintf(
		    url, sizeof(url), "%s" TASKS, fake_google_base_url(fk));
		fgc_http("POST", url, tok, "application/x-www-form-urlencoded",
		    "title=x", &r);
		ck_assert_int_eq(r.status, 400);
	}
	ck_assert_uint_eq(fake_google_validation_failures(fk),
	    sizeof(bad) / sizeof(bad[0]) + 1);
	/* nothing was stored; a good request leaves the count alone */
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 200);
	ck_assert_uint_eq(fgc_len(r.json, "items"), 0);
	ck_assert_int_eq(api("GET", EVENTS, NULL, &r), 200);
	ck_assert_uint_eq(fgc_len(r.json, "items"), 0);
	ck_assert_uint_eq(fake_google_validation_failures(fk),
	    sizeof(bad) / sizeof(bad[0]) + 1);
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(faults_and_canned)
{
	struct fake_google_req *reqs;
	struct fgc_resp r = {0};
	char rt[FAKE_GOOGLE_TOKEN_MAX];
	int64_t t0;
	size_t n;

	fake_google_set_retry_after(fk, 7);
	fake_google_fail_next(fk, 2, 429);
	/* OAuth is left alone */
	ck_assert_int_eq(fake_google_grant(fk, NULL, NULL, rt), 0);
	ck_assert_int_eq(refresh(rt, &r), 200);
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 429);
	ck_assert_str_eq(r.retry_after, "7");
	ck_assert_str_eq(
	    fgc_str(r.json, "error.errors.0.reason"), "rateLimitExceeded");
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 429);
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 200);
	fake_google_fail_next(fk, 1, 403);
	ck_assert_int_eq(api("GET", EVENTS, NULL, &r), 403);
	ck_assert_str_eq(
	    fgc_str(r.json, "error.errors.0.reason"), "rateLimitExceeded");
	fake_google_fail_next(fk, 1, 500);
	ck_assert_int_eq(api("GET", EVENTS, NULL, &r), 500);
	ck_assert_str_eq(
	    fgc_str(r.json, "error.errors.0.reason"), "backendError");
	fake_google_fail_next(fk, 1, 0);
	ck_assert_int_eq(api("GET", EVENTS, NULL, &r), 0);
	ck_assert_int_eq(r.cc, CURLE_GOT_NOTHING);

	/* canned replies by prefix, in order */
	ck_assert_int_eq(
	    fake_google_set_next_reply(fk, "/calendar/", 503, "{\"x\":1}"), 0);
	ck_assert_int_eq(fake_google_set_next_reply(fk, NULL, 0, NULL), 0);
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 0); /* the NULL one */
	ck_assert_int_eq(api("GET", EVENTS, NULL, &r), 503);
	ck_assert_str_eq(r.body, "{\"x\":1}");
	ck_assert_int_eq(api("GET", EVENTS, NULL, &r), 200);

	/* a delay on one prefix */
	ck_assert_int_eq(fake_google_set_delay(fk, "/tasks/", 300), 0);
	t0 = tu_mono_ms();
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 200);
	ck_assert_int_ge(tu_mono_ms() - t0, 300);
	ck_assert_int_eq(fake_google_set_delay(fk, "/tasks/", 0), 0);

	ck_assert_int_eq(
	    fake_google_requests(fk, FAKE_GOOGLE_EVENTS_LIST, &reqs, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(reqs[0].outcome, FAKE_GOOGLE_FAULT);
	ck_assert_int_eq(reqs[2].outcome, FAKE_GOOGLE_DROPPED);
	ck_assert_int_eq(reqs[2].status, 0);
	ck_assert_int_eq(reqs[3].outcome, FAKE_GOOGLE_CANNED);
	ck_assert_int_eq(reqs[4].outcome, FAKE_GOOGLE_ANSWERED);
	fake_google_requests_free(reqs, n);
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(hold_crash_window)
{
	struct fake_google_task *t;
	struct fake_google_req *reqs;
	struct fgc_resp r = {0};
	size_t n;

	/* the task is made, the answer lost */
	ck_assert_int_eq(fake_google_hold_next(fk, "/tasks/"), 0);
	ck_assert_int_eq(api("GET", TASKS, NULL, &r), 200); /* reads pass */
	ck_assert_int_eq(api("POST", TASKS, "{\"title\":\"once\"}", &r), 0);
	ck_assert_int_eq(r.cc, CURLE_GOT_NOTHING);
	ck_assert_int_eq(fake_google_tasks(fk, NULL, &t, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(t[0].title, "once");
	fake_google_tasks_free(t, n);

	/* an event with a client id: the retry learns it exists */
	ck_assert_int_eq(fake_google_hold_next(fk, NULL), 0);
	ck_assert_int_eq(api("POST", EVENTS, EVENT_BODY("redo00001"), &r), 0);
	ck_assert_int_eq(api("POST", EVENTS, EVENT_BODY("redo00001"), &r), 409);
	ck_assert_int_eq(api("GET", EVENTS "/redo00001", NULL, &r), 200);

	ck_assert_int_eq(
	    fake_google_requests(fk, FAKE_GOOGLE_EVENTS_INSERT, &reqs, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(reqs[0].outcome, FAKE_GOOGLE_HELD);
	ck_assert_int_eq(reqs[0].status, 200);
	ck_assert_int_eq(reqs[1].status, 409);
	fake_google_requests_free(reqs, n);
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(records_and_unknown_paths)
{
	struct fake_google_req *reqs;
	struct fgc_resp r = {0};
	char auth[256];
	size_t n;

	ck_assert_int_eq(
	    fake_google_wait_count(fk, FAKE_GOOGLE_ANY, 1, 50), -ETIMEDOUT);
	ck_assert_int_eq(
	    api("POST", TASKS "?previous=", "{\"title\":\"r\"}", &r), 200);
	ck_assert_int_eq(api("GET", "/nowhere", NULL, &r), 404);
	ck_assert_ptr_nonnull(strstr(r.body, "404"));
	ck_assert_int_eq(api("PUT", TASKS "/x", "{}", &r), 501);
	ck_assert_int_eq(
	    fake_google_wait_count(fk, FAKE_GOOGLE_ANY, 3, GUARD_MS), 0);
	ck_assert_uint_eq(fake_google_count(fk, FAKE_GOOGLE_TASKS_INSERT), 1);
	ck_assert_uint_eq(fake_google_count(fk, FAKE_GOOGLE_UNKNOWN), 2);

	ck_assert_int_eq(
	    fake_google_requests(fk, FAKE_GOOGLE_TASKS_INSERT, &reqs, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(reqs[0].verb, "POST");
	ck_assert_str_eq(reqs[0].path, TASKS);
	ck_assert_str_eq(reqs[0].query, "previous=");
	snprintf(auth, sizeof(auth), "Bearer %s", tok);
	ck_assert_str_eq(reqs[0].authorization, auth);
	ck_assert_str_eq(reqs[0].content_type, "application/json");
	ck_assert_str_eq(reqs[0].body, "{\"title\":\"r\"}");
	ck_assert_int_eq(reqs[0].status, 200);
	ck_assert(!reqs[0].invalid);
	fake_google_requests_free(reqs, n);
	ck_assert_str_eq(fake_google_kind_name(FAKE_GOOGLE_FREEBUSY),
	    "calendar.freebusy.query");

	fake_google_clear_requests(fk);
	ck_assert_uint_eq(fake_google_count(fk, FAKE_GOOGLE_ANY), 0);
	fgc_resp_clear(&r);
}
END_TEST

START_TEST(start_needs_corpora)
{
	struct fake_google *f2 = NULL;
	char url[64];

	ck_assert_int_eq(fake_google_start("/nonexistent", &f2), -ENOENT);
	ck_assert_ptr_null(f2);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u",
	    (unsigned)fake_google_port(fk));
	ck_assert_str_eq(fake_google_base_url(fk), url);
	ck_assert_ptr_nonnull(
	    strstr(fake_google_calendar_url(fk), "/calendar/v3"));
	ck_assert_ptr_nonnull(strstr(fake_google_tasks_url(fk), "/tasks/v1"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fake_google");
	TCase *tc = tcase_create("fake");

	curl_global_init(CURL_GLOBAL_DEFAULT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, oauth_pkce_flow);
	tcase_add_test(tc, oauth_consent_errors);
	tcase_add_test(tc, oauth_token_errors);
	tcase_add_test(tc, oauth_refresh_revoke_expiry);
	tcase_add_test(tc, oauth_bearer_and_scopes);
	tcase_add_test(tc, tasks_insert_page_delete);
	tcase_add_test(tc, tasks_parent_complete_lists);
	tcase_add_test(tc, events_insert_duplicate_delete);
	tcase_add_test(tc, events_zones_and_patch);
	tcase_add_test(tc, events_list_window);
	tcase_add_test(tc, freebusy_busy_periods);
	tcase_add_test(tc, validation_failures);
	tcase_add_test(tc, faults_and_canned);
	tcase_add_test(tc, hold_crash_window);
	tcase_add_test(tc, records_and_unknown_paths);
	tcase_add_test(tc, start_needs_corpora);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}

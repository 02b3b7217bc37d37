/*
 * fake_google — a fake of Google's OAuth 2.0 endpoints, Tasks API v1 and
 * Calendar API v3 for tests, on libmicrohttpd at 127.0.0.1 on an ephemeral
 * port, answering each connection on a thread of its own.
 *
 * It speaks Google's wire format: the real paths under the base URL,
 * query parameters, JSON resources and error bodies
 * {"error":{"code":…,"message":…,"errors":[{"domain","reason","message"}],
 * "status":…}}.  At start it loads the discovery documents
 * google/tasks-v1.discovery.json and google/calendar-v3.discovery.json and
 * checks every API request against them: unknown or mistyped query
 * parameters, a body field the resource schema (Task, Event,
 * FreeBusyRequest) does not have, a value of the wrong JSON type, a
 * "date-time" that is not RFC 3339 or a "date" that is not YYYY-MM-DD, a
 * JSON body without Content-Type application/json, and what Google
 * requires beyond the schema (an Event's start and end, each with date or
 * dateTime, both of one kind, a timeZone for a dateTime without an offset
 * or for a recurring event, end not before start, a client id of 5-1024
 * base32hex characters; a Task with a non-empty title or notes, title and
 * notes within Google's lengths).  Such a request is answered 400
 * INVALID_ARGUMENT with a message naming the field, and counted as a
 * validation failure: a test that drives a client asserts the count
 * stays 0.  (A 409, 404 or 410 is Google answering, not a failure.)
 *
 * Endpoints:
 *
 *   GET  /o/oauth2/v2/auth   the consent page: checks client_id,
 *        redirect_uri, response_type=code, scope, code_challenge and
 *        code_challenge_method=S256 (an HTML 400/401 page otherwise) and
 *        answers 302 Location: redirect_uri?state=…&code=…&scope=…
 *   POST /token      grant_type=authorization_code (PKCE S256 checked) or
 *                    refresh_token; client_id and client_secret in the
 *                    form or as HTTP Basic
 *   POST /revoke     token=… (an access or a refresh token: the whole grant)
 *   /tasks/v1/users/@me/lists                    GET
 *   /tasks/v1/lists/{list}/tasks                 GET, POST (?parent,previous:
 *                                                404 unless in the list)
 *   /tasks/v1/lists/{list}/tasks/{task}          GET, PATCH, DELETE
 *   /calendar/v3/calendars/{cal}/events          GET, POST
 *   /calendar/v3/calendars/{cal}/events/{id}     GET, PATCH, DELETE
 *   /calendar/v3/freeBusy                        POST
 *
 * The API needs "Authorization: Bearer <access token>" whose grant holds
 * one of the scopes the discovery document lists for the method: else 401
 * UNAUTHENTICATED (also once the token expired or was revoked) or 403
 * insufficientPermissions.  {list} may be "@default"; {cal} "primary" or
 * FAKE_GOOGLE_USER.  Calendar times without an offset are read in their
 * timeZone from the system's zoneinfo; all-day dates and the calendar are
 * in UTC.  Recurring events are stored and listed as one event (no
 * expansion into instances).
 *
 * Every request is recorded.  Canned replies, faults, delays and a "crash
 * window" (the write is done, the answer lost) can be set at any time.
 * Every function is thread-safe.
 */
#ifndef DRAFTBOT_FAKE_GOOGLE_H
#define DRAFTBOT_FAKE_GOOGLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_GOOGLE_CLIENT_ID "fake-client-id.apps.googleusercontent.com"
#define FAKE_GOOGLE_CLIENT_SECRET "fake-client-secret"
#define FAKE_GOOGLE_USER "fake.user@gmail.com" /* the primary calendar */
#define FAKE_GOOGLE_DEFAULT_LIST "MDAxNjQ4NTk4MjY5MDgxNjY5MTA6MDow"
#define FAKE_GOOGLE_TASKS_SCOPE "https://www.googleapis.com/auth/tasks"
#define FAKE_GOOGLE_CALENDAR_SCOPE "https://www.googleapis.com/auth/calendar"
#define FAKE_GOOGLE_TOKEN_MAX 128 /* codes, tokens, generated ids + NUL */

struct fake_google;

/*
 * Start a fake whose OAuth client is FAKE_GOOGLE_CLIENT_ID with
 * FAKE_GOOGLE_CLIENT_SECRET.  corpora is the folder holding
 * google/<api>.discovery.json (or the two files themselves); NULL means
 * $DRAFTBOT_CORPORA.  On success store the handle in *ret and return 0;
 * otherwise -EINVAL (no corpora given), -ENOENT or -EBADMSG (a discovery
 * document missing, unreadable or without a method the fake serves),
 * -ENOMEM or -EADDRNOTAVAIL (the daemon did not start).
 */
int fake_google_start(const char *corpora, struct fake_google **ret);

/* Stop the server (waking delayed answers first) and free everything.
 * NULL is a no-op. */
void fake_google_stop(struct fake_google *f);

/* Replace the OAuth client the fake accepts (both copied, non-empty).
 * 0, -EINVAL or -ENOMEM. */
int fake_google_set_client(
    struct fake_google *f, const char *client_id, const char *client_secret);

/* URLs for the client's settings, owned by f:
 * "http://127.0.0.1:<port>" and that + "/o/oauth2/v2/auth", "/token",
 * "/revoke", "/tasks/v1", "/calendar/v3". */
const char *fake_google_base_url(const struct fake_google *f);
const char *fake_google_auth_url(const struct fake_google *f);
const char *fake_google_token_url(const struct fake_google *f);
const char *fake_google_revoke_url(const struct fake_google *f);
const char *fake_google_tasks_url(const struct fake_google *f);
const char *fake_google_calendar_url(const struct fake_google *f);
uint16_t fake_google_port(const struct fake_google *f);

/* ---- OAuth ---- */

/*
 * Issue a one-time authorization code for the configured client, bound to
 * redirect_uri and the S256 challenge (BASE64URL(SHA256(verifier)),
 * unpadded), as the consent page would, granting the Tasks and Calendar
 * scopes; the code goes into code_out (FAKE_GOOGLE_TOKEN_MAX bytes).  It
 * is valid for 10 minutes.  0, -EINVAL or -ENOMEM.
 */
int fake_google_issue_code(struct fake_google *f, const char *redirect_uri,
    const char *challenge, char *code_out);

/*
 * Grant scope (space-separated; NULL = Tasks and Calendar) to the
 * configured client without the OAuth dance: a fresh access token into
 * access_out and its refresh token into refresh_out (each
 * FAKE_GOOGLE_TOKEN_MAX bytes; either may be NULL).  Counted as issued.
 * 0, -EINVAL or -ENOMEM.
 */
int fake_google_grant(struct fake_google *f, const char *scope,
    char *access_out, char *refresh_out);

/* Lifetime of access tokens issued from now on, in seconds (also their
 * expires_in); 3599 by default, like Google.  0 issues expired tokens. */
void fake_google_set_token_lifetime(struct fake_google *f, int seconds);

/* Expire every access token issued so far (refresh tokens keep working). */
void fake_google_expire_tokens(struct fake_google *f);

struct fake_google_stats {
	size_t codes_issued;     /* consent page and fake_google_issue_code */
	size_t tokens_issued;    /* code exchanges and fake_google_grant */
	size_t tokens_refreshed; /* refresh_token grants answered 200 */
	size_t tokens_revoked;   /* /revoke answered 200 */
	size_t token_errors;     /* /token answered 4xx */
	size_t unauthenticated;  /* API requests answered 401 */
	size_t validation_failures;
};

void fake_google_stats(struct fake_google *f, struct fake_google_stats *out);

/* ---- faults ---- */

/*
 * Answer the next request whose path starts with path_prefix (NULL = any)
 * with HTTP status and body, verbatim, instead of its own answer; status
 * 0 drops the connection.  Several calls queue up; a request takes the
 * first queued reply that matches.  A canned reply is taken before
 * fail_next and hold, after the delay; body is copied.  0 or -ENOMEM.
 */
int fake_google_set_next_reply(struct fake_google *f, const char *path_prefix,
    int status, const char *body);

/*
 * Answer the next n Tasks or Calendar requests (OAuth endpoints are left
 * alone) with status and Google's body for it: 429 rateLimitExceeded
 * (RESOURCE_EXHAUSTED, with Retry-After), 403 rateLimitExceeded
 * (domain usageLimits), 500 backendError, 503 backendError (with
 * Retry-After), 401 authError; other codes a plain error; 0 drops the
 * connection.  Replaces an earlier count.
 */
void fake_google_fail_next(struct fake_google *f, int n, int status);

/* Seconds sent in Retry-After with 429 and 503 faults (1 by default). */
void fake_google_set_retry_after(struct fake_google *f, int seconds);

/* Wait ms before answering each request whose path starts with
 * path_prefix (NULL = every request); ms 0 turns the delay off.
 * 0 or -ENOMEM. */
int fake_google_set_delay(
    struct fake_google *f, const char *path_prefix, int ms);

/*
 * The crash window: the next write (POST, PATCH, DELETE) whose path starts
 * with path_prefix (NULL = any) is carried out, and then the connection is
 * dropped without an answer, as if the network failed after Google
 * committed.  Several calls queue up.  0 or -ENOMEM.
 */
int fake_google_hold_next(struct fake_google *f, const char *path_prefix);

/*
 * At most n items a page in every list answer, whatever maxResults asks
 * (Google, too, may return fewer), so a client's pagination is exercised;
 * 0 restores Google's defaults (20 task lists, 20 tasks, 250 events).
 */
void fake_google_set_page_size(struct fake_google *f, int n);

/* ---- stored data ---- */

/* Add a task list titled title (copied); its id into id_out
 * (FAKE_GOOGLE_TOKEN_MAX bytes, may be NULL).  0, -EINVAL or -ENOMEM. */
int fake_google_add_list(
    struct fake_google *f, const char *title, char *id_out);

/* A stored task; every string is owned by the array it came in. */
struct fake_google_task {
	char *id;
	char *list;      /* the task list's id (never "@default") */
	char *title;     /* NULL when not set */
	char *notes;     /* NULL when not set */
	char *due;       /* "YYYY-MM-DDT00:00:00.000Z", NULL when none */
	char *parent;    /* NULL for a top-level task */
	char *status;    /* "needsAction" or "completed" */
	char *completed; /* RFC 3339, NULL unless completed */
	char *position;
	bool deleted;
	bool hidden;
};

/*
 * Copy the tasks of list (an id or "@default"; NULL = every list, deleted
 * ones included) in insertion order into a new array *ret of *ret_n;
 * free it with fake_google_tasks_free().  0, -ENOENT (no such list) or
 * -ENOMEM.
 */
int fake_google_tasks(struct fake_google *f, const char *list,
    struct fake_google_task **ret, size_t *ret_n);
void fake_google_tasks_free(struct fake_google_task *t, size_t n);

/*
 * Add a confirmed event to the primary calendar, as if made elsewhere:
 * start and end are RFC 3339 date-times with an offset, or both
 * YYYY-MM-DD for an all-day event.  fake_google_add_event_id() also
 * stores the generated id in id_out (FAKE_GOOGLE_TOKEN_MAX bytes, may be
 * NULL).  0, -EINVAL or -ENOMEM.
 */
int fake_google_add_event(struct fake_google *f, const char *summary,
    const char *start_rfc3339, const char *end_rfc3339);
int fake_google_add_event_id(struct fake_google *f, const char *summary,
    const char *start_rfc3339, const char *end_rfc3339, char *id_out);

/* A stored event; every string is owned by the array it came in. */
struct fake_google_event {
	char *id;
	char *summary;    /* NULL when not set */
	char *start;      /* start.dateTime as sent, or start.date */
	char *end;        /* end.dateTime as sent, or end.date */
	char *time_zone;  /* start.timeZone, NULL when none */
	int64_t start_ms; /* the instants, UTC (all-day: midnight UTC) */
	int64_t end_ms;
	bool all_day;
	char *status;      /* "confirmed", "tentative" or "cancelled" */
	char *draftbot;    /* extendedProperties.private.draftbot, or NULL */
	char *recurrence;  /* the recurrence array as JSON text, or NULL */
	char *location;    /* NULL when not set */
	char *description; /* NULL when not set */
	char *source_url;  /* source.url, NULL when not set */
	char *json;        /* the whole event as events.get answers it */
};

/* Copy every event, cancelled ones included, in insertion order, into a
 * new array *ret of *ret_n; free it with fake_google_events_free().
 * 0 or -ENOMEM. */
int fake_google_events(
    struct fake_google *f, struct fake_google_event **ret, size_t *ret_n);
void fake_google_events_free(struct fake_google_event *e, size_t n);

/* ---- recorded requests ---- */

/* What a request was, by method and path (Google's method ids). */
enum fake_google_kind {
	FAKE_GOOGLE_ANY = -1,    /* for filters: every kind */
	FAKE_GOOGLE_UNKNOWN = 0, /* no such endpoint: 404, or 501 for a
	                            real one the fake does not serve */
	FAKE_GOOGLE_AUTH,        /* oauth.auth */
	FAKE_GOOGLE_TOKEN,       /* oauth.token */
	FAKE_GOOGLE_REVOKE,      /* oauth.revoke */
	FAKE_GOOGLE_TASKLISTS_LIST,
	FAKE_GOOGLE_TASKS_LIST,
	FAKE_GOOGLE_TASKS_INSERT,
	FAKE_GOOGLE_TASKS_GET,
	FAKE_GOOGLE_TASKS_PATCH,
	FAKE_GOOGLE_TASKS_DELETE,
	FAKE_GOOGLE_EVENTS_LIST,
	FAKE_GOOGLE_EVENTS_INSERT,
	FAKE_GOOGLE_EVENTS_GET,
	FAKE_GOOGLE_EVENTS_PATCH,
	FAKE_GOOGLE_EVENTS_DELETE,
	FAKE_GOOGLE_FREEBUSY,
	FAKE_GOOGLE_N_KINDS
};

/* "tasks.tasks.insert", "calendar.freebusy.query", "oauth.token", …;
 * "unknown" for anything else.  Static. */
const char *fake_google_kind_name(enum fake_google_kind k);

enum fake_google_outcome {
	FAKE_GOOGLE_ANSWERED, /* the endpoint's own answer, success or error */
	FAKE_GOOGLE_CANNED,   /* fake_google_set_next_reply() */
	FAKE_GOOGLE_FAULT,    /* fake_google_fail_next() */
	FAKE_GOOGLE_DROPPED,  /* closed unanswered: canned or fault status 0 */
	FAKE_GOOGLE_HELD,     /* done, then dropped: fake_google_hold_next() */
};

/* One recorded request; the strings are owned by the array. */
struct fake_google_req {
	enum fake_google_kind kind;
	char verb[8];        /* "GET", "POST", … */
	char *path;          /* decoded, without the query */
	char *query;         /* decoded "k=v&k=v" in arrival order, or "" */
	char *authorization; /* the Authorization header, NULL when none */
	char *content_type;  /* NULL when none */
	char *body;          /* as received, "" when none */
	int status;          /* answered (or would have been when held);
	                        0 when dropped */
	bool invalid;        /* answered 400 as a validation failure */
	enum fake_google_outcome outcome;
	int64_t t_ns; /* arrival, CLOCK_MONOTONIC */
};

/*
 * Copy the recorded requests of kind (FAKE_GOOGLE_ANY = all), in the
 * order they were answered, into a new array *ret of *ret_n; free it
 * with fake_google_requests_free().  0 or -ENOMEM.
 */
int fake_google_requests(struct fake_google *f, enum fake_google_kind kind,
    struct fake_google_req **ret, size_t *ret_n);
void fake_google_requests_free(struct fake_google_req *reqs, size_t n);

/* Requests recorded of kind (FAKE_GOOGLE_ANY = all). */
size_t fake_google_count(struct fake_google *f, enum fake_google_kind kind);

/* Wait until fake_google_count(kind) reaches n: 0, or -ETIMEDOUT when
 * timeout_ms passes first (a hang guard, not a timer). */
int fake_google_wait_count(struct fake_google *f, enum fake_google_kind kind,
    size_t n, int timeout_ms);

/* Forget the recorded requests (stored data, tokens and counters stay). */
void fake_google_clear_requests(struct fake_google *f);

/* Requests answered 400 because they broke the discovery document or
 * Google's rules; and the last such message (which field and why) into
 * buf ("" when none), returning the count as well. */
size_t fake_google_validation_failures(struct fake_google *f);
size_t fake_google_last_validation(
    struct fake_google *f, char *buf, size_t len);

#endif

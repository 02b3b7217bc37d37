/*
 * fake_google_int.h — what the files of the fake Google server share.
 *
 *   fake_google.c           the HTTP server, routing, start and stop
 *   fake_google_faults.c    delays, canned replies, faults, held writes
 *   fake_google_util.c      helpers: arrays, clocks, replies, parameters
 *   fake_google_records.c   recorded requests, counters, stored-data copies
 *   fake_google_schema.c    discovery documents: request validation
 *   fake_google_time.c      RFC 3339 text and zoneinfo (TZif) offsets
 *   fake_google_oauth.c     /o/oauth2/v2/auth, /token, /revoke, bearer check
 *   fake_google_tasks.c     Tasks v1
 *   fake_google_calendar.c  Calendar v3
 *
 * All state is guarded by f->lock; f->cond is broadcast on every change.
 * Endpoint handlers run with f->lock held.
 */
#ifndef DRAFTBOT_FAKE_GOOGLE_INT_H
#define DRAFTBOT_FAKE_GOOGLE_INT_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdarg.h>
#include <time.h>

#include "tests/fake_google.h"

#define FG_MSG_MAX 512
/* Google's page sizes: the default, and the most maxResults may ask. */
#define FG_TASKS_PAGE 20
#define FG_LISTS_PAGE 20
#define FG_TASKS_PAGE_MAX 100
#define FG_EVENTS_PAGE 250
#define FG_EVENTS_PAGE_MAX 2500
#define FG_CODE_LIFETIME_MS (10 * 60 * 1000)

/* A discovery method the fake serves: borrowed from the loaded document. */
struct fg_method {
	const char *id;             /* "tasks.tasks.insert" */
	struct json_object *doc;    /* the discovery document */
	struct json_object *params; /* the method's "parameters" */
	struct json_object *scopes; /* array of scope URLs */
	const char *request;        /* the request schema's id, or NULL */
};

struct fg_canned {
	char *prefix; /* NULL = any path */
	int status;
	char *body;
};

struct fg_code {
	char code[FAKE_GOOGLE_TOKEN_MAX];
	char *client_id, *redirect_uri, *challenge, *scope;
	int64_t expires_ms; /* CLOCK_MONOTONIC */
	bool used;
};

/* A grant: the refresh token and what it allows. */
struct fg_grant {
	char refresh[FAKE_GOOGLE_TOKEN_MAX];
	char *client_id, *scope;
	bool revoked;
};

struct fg_access {
	char token[FAKE_GOOGLE_TOKEN_MAX];
	size_t grant;
	int64_t expires_ms; /* CLOCK_MONOTONIC */
};

struct fg_list {
	char id[FAKE_GOOGLE_TOKEN_MAX];
	char *title;
	int64_t updated_ms;
};

struct fg_task {
	char id[FAKE_GOOGLE_TOKEN_MAX];
	size_t list;
	char parent[FAKE_GOOGLE_TOKEN_MAX];    /* "" at the top level */
	char *title, *notes, *due, *completed; /* NULL when unset */
	bool done;                             /* status "completed" */
	bool deleted, hidden;
	int64_t pos; /* order among siblings */
	int64_t updated_ms;
};

struct fg_event {
	char *id;
	struct json_object *json; /* the event as answered */
	int64_t start_ms, end_ms;
	bool all_day;
	bool cancelled;
};

/* A prefix-bound setting: delays. */
struct fg_delay {
	char *prefix; /* NULL = any */
	int ms;
};

struct fake_google {
	struct MHD_Daemon *daemon;
	uint16_t port;
	char base_url[64];
	char auth_url[96], token_url[96], revoke_url[96];
	char tasks_url[96], calendar_url[96];
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC; broadcast on any change */
	bool stopping;

	char *client_id, *client_secret;
	struct json_object *tasks_doc, *calendar_doc;
	struct fg_method methods[FAKE_GOOGLE_N_KINDS]; /* id NULL: not API */

	struct fg_canned *canned;
	size_t n_canned, cap_canned;
	int fail_n, fail_status, retry_after;
	char **holds; /* prefixes; an entry NULL = any path */
	size_t n_holds, cap_holds;
	struct fg_delay *delays;
	size_t n_delays, cap_delays;
	int page_size; /* 0 = Google's defaults */

	struct fg_code *codes;
	size_t n_codes, cap_codes;
	struct fg_grant *grants;
	size_t n_grants, cap_grants;
	struct fg_access *access;
	size_t n_access, cap_access;
	int token_lifetime_s;
	uint64_t serial; /* for ids and tokens */

	struct fg_list *lists;
	size_t n_lists, cap_lists;
	struct fg_task *tasks;
	size_t n_tasks, cap_tasks;
	struct fg_event *events;
	size_t n_events, cap_events;

	struct fake_google_req *reqs;
	size_t n_reqs, cap_reqs;
	struct fake_google_stats stats;
	char last_invalid[FG_MSG_MAX];
};

/* One request as the handlers see it. */
struct fg_call {
	const char *verb;
	const char *path;
	const char *seg[2];        /* the path's variable segments */
	struct json_object *query; /* name -> array of strings */
	const char *body;          /* "" when none */
	const char *content_type;  /* NULL when none */
	const char *authorization; /* NULL when none */
	struct json_object *json;  /* the parsed body of an API write */
	const struct fg_method *m; /* NULL for the OAuth endpoints */
};

/* What a handler answers. */
struct fg_reply {
	int status;
	char *body;           /* malloc'd; NULL = empty */
	bool html;            /* text/html instead of JSON */
	char *location;       /* a Location header, malloc'd */
	int retry_after;      /* > 0: a Retry-After header */
	const char *www_auth; /* a WWW-Authenticate header */
	bool invalid;         /* a validation failure (counted) */
};

/* An endpoint: called with f->lock held; fills the reply and returns 0
 * (an int so that a handler can end with "return fg_not_found(r);"). */
typedef int fg_handler(
    struct fake_google *, struct fg_call *, struct fg_reply *);

/* ---- fake_google_faults.c ---- */

/* A Tasks or Calendar request (not OAuth)? */
bool fg_is_api(enum fake_google_kind k);
/*
 * Under f->lock: what to do with a request before serving it.  Returns
 * FAKE_GOOGLE_CANNED (*status and *body, which the caller frees, set),
 * FAKE_GOOGLE_FAULT (*status), FAKE_GOOGLE_HELD or FAKE_GOOGLE_ANSWERED;
 * *delay_ms in any case.
 */
enum fake_google_outcome fg_decide(struct fake_google *f, const char *verb,
    const char *path, enum fake_google_kind kind, int *status, char **body,
    int *delay_ms);
/* Google's answer for a fail_next status into r. */
void fg_fault_reply(struct fake_google *f, int status, struct fg_reply *r);

/* ---- fake_google_util.c ---- */

int fg_grow(void *pp, size_t *cap, size_t need, size_t elem);
struct timespec fg_deadline(int64_t ms);
int64_t fg_mono_ms(void);
int64_t fg_now_ms(void);

/* JSON text of o (plain, slashes unescaped), malloc'd; o is not put. */
char *fg_json_text(struct json_object *o);
/* Take o: the reply's status and body become status and o's text. */
void fg_reply_json(struct fg_reply *r, int status, struct json_object *o);
/* Google's error shape {"error":{code,message,errors:[{domain,reason,
 * message}],status}}; reason NULL leaves "errors" out.  Returns 0, like
 * the two below. */
int fg_api_error(struct fg_reply *r, int status, const char *domain,
    const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A 400 for a validation failure: counted, remembered, answered. */
int fg_invalid(struct fake_google *f, struct fg_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 404 {"error":{"code":404,"message":"Not Found",…}}. */
int fg_not_found(struct fg_reply *r);

/* The first value of query parameter name, or NULL. */
const char *fg_query(const struct fg_call *c, const char *name);
/* A query boolean ("true"/"false"), def when absent. */
bool fg_query_bool(const struct fg_call *c, const char *name, bool def);
/* Base64url without padding of n bytes into out (>= n*4/3+2 bytes). */
void fg_b64url(const void *in, size_t n, char *out, size_t outlen);
/* n random bytes. */
void fg_random(void *buf, size_t n);
/* Decode an application/x-www-form-urlencoded body into an object of
 * strings (last value wins); NULL on ENOMEM. */
struct json_object *fg_form_parse(const char *body);
/* A string member of o, or NULL. */
const char *fg_str(struct json_object *o, const char *key);
/* Page bounds from maxResults (google_default when absent, at most
 * google_max, at most f->page_size) and pageToken: items [*from, *from +
 * *count).  false (with the 400 in r) for a bad pageToken. */
bool fg_page(struct fake_google *f, struct fg_call *c, struct fg_reply *r,
    int google_default, int google_max, size_t total, size_t *from,
    size_t *count);
/* The nextPageToken for items from `next` on, or NULL when none. */
struct json_object *fg_page_token(size_t next, size_t total);

/* ---- fake_google_schema.c ---- */

/* Load both discovery documents from corpora and fill f->methods.
 * 0, -ENOENT or -EBADMSG. */
int fg_schema_load(struct fake_google *f, const char *corpora);
/* Check c's query parameters against its method; false with a message. */
bool fg_check_query(const struct fg_call *c, char *msg, size_t len);
/* Check body against the method's request schema; false with a message. */
bool fg_check_body(
    const struct fg_method *m, struct json_object *body, char *msg, size_t len);
/* Does a token with scope (space-separated) allow method m? */
bool fg_scope_allows(const struct fg_method *m, const char *scope);

/* ---- fake_google_time.c ---- */

/*
 * RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)".  With allow_local the
 * zone may be missing: *zoned is false and *ms the wall clock read as if
 * UTC.  0 or -EINVAL.
 */
int fg_parse_datetime(
    const char *s, bool allow_local, int64_t *ms, bool *zoned);
/* "YYYY-MM-DD" to milliseconds of its UTC midnight.  0 or -EINVAL. */
int fg_parse_date(const char *s, int64_t *ms);
/* ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (buf >= 32). */
void fg_format_time(int64_t ms, char *buf, size_t len);
/* Is tz a zone name zoneinfo knows ("UTC" always)? */
bool fg_tz_valid(const char *tz);
/* A wall clock in zone tz to the instant.  0 or -EINVAL. */
int fg_tz_to_utc(const char *tz, int64_t local_ms, int64_t *ms);

/* ---- fake_google_oauth.c ---- */

fg_handler fg_oauth_auth, fg_oauth_token, fg_oauth_revoke;
/* With the lock held: check the bearer token of an API call; false with
 * the 401/403 in r. */
bool fg_oauth_check(
    struct fake_google *f, struct fg_call *c, struct fg_reply *r);
/* With the lock held: a new code or grant (see the public functions). */
int fg_new_code(struct fake_google *f, const char *client_id,
    const char *redirect_uri, const char *challenge, const char *scope,
    char *code_out);
int fg_new_grant(struct fake_google *f, const char *client_id,
    const char *scope, char *access_out, char *refresh_out);
void fg_oauth_free(struct fake_google *f);

/* ---- fake_google_tasks.c ---- */

fg_handler fg_tasklists_list, fg_tasks_list, fg_tasks_insert, fg_tasks_get,
    fg_tasks_patch, fg_tasks_delete;
/* With the lock held: list index of id or "@default", or -1. */
long fg_list_find(struct fake_google *f, const char *id);
/* With the lock held: add a list. */
int fg_list_add(struct fake_google *f, const char *title, const char *id);
void fg_tasks_free(struct fake_google *f);

/* ---- fake_google_calendar.c ---- */

fg_handler fg_events_list, fg_events_insert, fg_events_get, fg_events_patch,
    fg_events_delete, fg_freebusy;
void fg_events_free(struct fake_google *f);

#endif

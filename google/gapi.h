/*
 * gapi — the Google API client: OAuth 2.0 sign-in (authorization code with
 * PKCE S256), Google Tasks v1 and Google Calendar v3, over net/http.h
 * (libcurl loaded at run time) with json-c and libsodium.
 *
 * Every call that talks to Google returns 0 or one of these classes, and
 * fills err (optional everywhere) on every return:
 *
 *   -EKEYREJECTED  401: the access token expired or is invalid — refresh it
 *                  and retry once.  From the token endpoint: invalid_grant,
 *                  the refresh token was revoked or expired (or the code
 *                  was used) — the person must /connect again.
 *   -EAGAIN        429, or 403 with reason rateLimitExceeded,
 *                  userRateLimitExceeded or quotaExceeded: retry after
 *                  err->retry_after seconds (0: back off on your own).
 *   -EREMOTEIO     5xx: retry with backoff.
 *   -ETIMEDOUT, -ECONNREFUSED, -EHOSTUNREACH, -EIO  network: retry with
 *                  backoff (see gapi_retryable()).
 *   -ENOENT        404 or 410 (deleted).
 *   -EEXIST        409 (Calendar: an event with that id exists, perhaps
 *                  cancelled — see gapi_event_get()).
 *   -EACCES        any other 403 (insufficient scopes, forbidden), and the
 *                  token endpoint's invalid_client / unauthorized_client
 *                  (the operator's client id or secret is wrong).
 *   -EINVAL        any other 4xx (err->message is Google's), or a bad
 *                  argument (nothing was sent; err->http_status is 0).
 *   -EBADMSG       the reply is not the expected JSON (or a status that
 *                  is none of the above, such as a redirect).
 *   -EMSGSIZE      the reply exceeded the size bound (4 MiB).
 *   -ENOMEM
 *
 * Secrets (client secret, tokens, codes, verifiers) are never logged, never
 * copied into err, and wiped with explicit_bzero once used; gapi itself
 * never prints.  One struct gapi may be shared by threads: calls on it are
 * serialised by its HTTP connection.
 */
#ifndef DRAFTBOT_GAPI_H
#define DRAFTBOT_GAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GAPI_SCOPES                                                            \
	"https://www.googleapis.com/auth/tasks "                               \
	"https://www.googleapis.com/auth/calendar.events "                     \
	"https://www.googleapis.com/auth/calendar.readonly"

#define GAPI_STATE_MAX 44     /* gapi_random_token() for state: 43 + NUL */
#define GAPI_VERIFIER_MAX 129 /* RFC 7636: 43..128 chars + NUL */
#define GAPI_CHALLENGE_MAX 44 /* BASE64URL(SHA-256) is 43 chars + NUL */
#define GAPI_EVENT_ID_MAX 35  /* gapi_event_id(): 34 chars + NUL */
#define GAPI_ID_MAX 1025      /* room for any Task or Event id */
#define GAPI_MARKER_MAX 1024  /* room for a marker read back */
#define GAPI_STATUS_MAX 16    /* "confirmed", "tentative", "cancelled" */

struct gapi;

struct gapi_opts {
	const char *auth_url; /* https://accounts.google.com/o/oauth2/v2/auth */
	const char *token_url;    /* https://oauth2.googleapis.com/token */
	const char *revoke_url;   /* https://oauth2.googleapis.com/revoke */
	const char *tasks_url;    /* https://tasks.googleapis.com/tasks/v1 */
	const char *calendar_url; /* https://www.googleapis.com/calendar/v3 */
	const char *client_id;
	const char *client_secret; /* copied; wiped on gapi_close */
	long timeout_ms;           /* each call; 0 = 10000 */
};

struct gapi_error {
	int http_status;   /* 0 when no HTTP answer arrived */
	char reason[64];   /* Google's errors[0].reason (rateLimitExceeded,
	                      notFound, …) or the OAuth "error"
	                      (invalid_grant, …); "" if none */
	char message[256]; /* Google's error.message / error_description, or
	                      what went wrong here; never holds a token */
	int retry_after;   /* seconds from Retry-After, 0 if none */
};

/*
 * Make a client.  Every URL (http or https; a trailing "/" is dropped) and
 * the client id and secret are required and copied.  0 and *ret; -EINVAL,
 * -ENOMEM, or -ENOSYS/-EIO when libcurl or libsodium cannot be loaded or
 * initialised.
 */
int gapi_open(const struct gapi_opts *o, struct gapi **ret);
void gapi_close(struct gapi *g); /* NULL is a no-op */

/* Is r worth retrying later (-EAGAIN, -EREMOTEIO, network, time-out)? */
bool gapi_retryable(int r);

/* ---- OAuth 2.0 ---- */

/*
 * A URL-safe random string (base64url alphabet A-Z a-z 0-9 - _) of len-1
 * characters in out, NUL-terminated, from libsodium's CSPRNG.  len must be
 * 23..1024 (at least 132 bits); GAPI_STATE_MAX gives the 43 characters of
 * 32 random bytes.  0, or -EINVAL, -EIO (libsodium unusable).
 */
int gapi_random_token(char *out, size_t len);

/*
 * A fresh PKCE pair (RFC 7636): verifier = 43 characters from 32 random
 * bytes, challenge = BASE64URL(SHA-256(verifier)) without padding.  0 or
 * -EINVAL, -EIO.  The verifier is a secret until the code is exchanged.
 */
int gapi_pkce(
    char verifier[GAPI_VERIFIER_MAX], char challenge[GAPI_CHALLENGE_MAX]);

/* The S256 challenge of an existing verifier (43..128 unreserved
 * characters).  0 or -EINVAL, -EIO. */
int gapi_pkce_challenge(
    const char *verifier, char challenge[GAPI_CHALLENGE_MAX]);

/*
 * The consent-screen URL: auth_url?client_id&redirect_uri&
 * response_type=code&scope=GAPI_SCOPES&state&code_challenge&
 * code_challenge_method=S256&access_type=offline&prompt=consent&
 * include_granted_scopes=true, every value percent-encoded.  On 0 *ret_url
 * is the caller's to free(); -EINVAL, -ENOMEM.
 */
int gapi_auth_url(const struct gapi *g, const char *redirect_uri,
    const char *state, const char *challenge, char **ret_url);

struct gapi_tokens {
	char access_token[2048];
	char refresh_token[512]; /* "" when Google sent none */
	int64_t expires_at_ms;   /* now_ms + expires_in (3600 s if absent) */
	char scope[512];         /* granted scopes, space-separated; words
	                            that do not fit are dropped */
};

/* Wipe every byte of t (explicit_bzero); NULL is a no-op. */
void gapi_tokens_wipe(struct gapi_tokens *t);

/* Whether the space-separated scope list holds the whole word one. */
bool gapi_scope_granted(const char *scope, const char *one);

/*
 * Trade an authorization code for tokens: POST token_url (form) with
 * grant_type=authorization_code, code, code_verifier, redirect_uri,
 * client_id, client_secret.  On 0 *ret is filled (refresh_token "" if
 * Google sent none); on failure *ret is wiped.  invalid_grant (a used or
 * expired code, a verifier that does not match) is -EKEYREJECTED.
 */
int gapi_exchange_code(struct gapi *g, const char *code, const char *verifier,
    const char *redirect_uri, int64_t now_ms, struct gapi_tokens *ret,
    struct gapi_error *err);

/*
 * A new access token: POST token_url with grant_type=refresh_token.
 * Google usually omits refresh_token in the reply: then ret->refresh_token
 * is a copy of refresh_token (which may live in *ret itself).  On failure
 * *ret is wiped; invalid_grant is -EKEYREJECTED (the person must /connect
 * again).
 */
int gapi_refresh(struct gapi *g, const char *refresh_token, int64_t now_ms,
    struct gapi_tokens *ret, struct gapi_error *err);

/*
 * Revoke a refresh or access token (and with it the grant): POST
 * revoke_url with token=….  A 400 invalid_token (already revoked or
 * expired) counts as done: 0.
 */
int gapi_revoke(struct gapi *g, const char *token, struct gapi_error *err);

/* ---- Google Tasks v1 (paths relative to tasks_url) ---- */

struct gapi_task {
	const char *title;  /* required, at most 1024 characters */
	const char *notes;  /* NULL = none; at most 8192 characters */
	const char *due;    /* RFC 3339 "2026-11-28T00:00:00.000Z" (Google
	                       keeps only the date) or NULL */
	const char *parent; /* parent task id; NULL = top level */
	const char *status; /* NULL, "needsAction" or "completed" */
};

/*
 * POST /lists/{list}/tasks[?parent=ID] with the Task JSON (list "@default"
 * is the person's default list).  On 0 the new task's id goes to ret_id
 * (idlen bytes, GAPI_ID_MAX is enough; ret_id may be NULL).
 */
int gapi_task_insert(struct gapi *g, const char *access, const char *list,
    const struct gapi_task *t, char *ret_id, size_t idlen,
    struct gapi_error *err);

/*
 * Look for the task whose notes contain marker (a plain substring: end the
 * marker with a delimiter so that one is not the prefix of another) and,
 * when parent is non-NULL, whose parent is that task.  GET
 * /lists/{list}/tasks?showCompleted=true&showHidden=true&maxResults=100,
 * following nextPageToken.  1 and its id in ret_id (may be NULL) when
 * found, 0 when not; -E2BIG when the list has more than 50 pages (5,000
 * tasks) and the search stopped without an answer; the classes above.
 */
int gapi_task_find_marker(struct gapi *g, const char *access, const char *list,
    const char *marker, const char *parent, char *ret_id, size_t idlen,
    struct gapi_error *err);

/* DELETE /lists/{list}/tasks/{id}; a task already gone is -ENOENT. */
int gapi_task_delete(struct gapi *g, const char *access, const char *list,
    const char *id, struct gapi_error *err);

/*
 * GET /users/@me/lists (all pages, at most 50): fn(id, title, arg) for
 * each task list; the strings are borrowed for the call.  fn returns 0 to
 * go on; any other value stops the walk and is returned.  -E2BIG after 50
 * pages.
 */
int gapi_tasklists(struct gapi *g, const char *access,
    int (*fn)(const char *id, const char *title, void *arg), void *arg,
    struct gapi_error *err);

/* ---- Google Calendar v3 (paths relative to calendar_url) ---- */

/*
 * The event id for an effect key, the same for the same key on every run:
 * "db" and the base32hex (a-v, 0-9) of the first 160 bits of
 * SHA-256(key), 34 characters in all — within Calendar's 5..1024 chars of
 * [a-v0-9], so a retried insert meets its own earlier event (-EEXIST).
 * len must be at least GAPI_EVENT_ID_MAX.  0, -EINVAL or -EIO.
 */
int gapi_event_id(const char *key, char *out, size_t len);

struct gapi_event {
	const char *id;      /* from gapi_event_id(); NULL = Google picks */
	const char *summary; /* required */
	const char *description, *location;    /* NULL = none */
	const char *source_url, *source_title; /* http(s) page; NULL = none */
	const char *start, *end; /* required: "2026-11-28T20:00:00" (local
	                            to timezone, or with an offset), or
	                            "2026-11-28" when all_day (end is
	                            exclusive: the day after) */
	bool all_day;
	const char *timezone; /* IANA; for timed events (required by Google
	                         when rrule is set) */
	const char *rrule;    /* "FREQ=WEEKLY;BYDAY=MO" (an "RRULE:" prefix
	                         is accepted), or NULL */
	const char *marker;   /* extendedProperties.private.draftbot, or NULL */
};

/*
 * POST /calendars/{calendar}/events with the Event JSON.  On 0 the event's
 * id goes to ret_id (may be NULL).  -EEXIST when the id is taken (409):
 * gapi_event_get() tells whether it is ours (and whether it is cancelled).
 * -EINVAL without sending when Google would refuse the event anyway: an
 * id outside 5..1024 of [a-v0-9], all_day with start/end not YYYY-MM-DD,
 * a timed start/end without a 'T', a timed rrule without timezone, an
 * rrule with a line break, a source_url that is not http(s).
 */
int gapi_event_insert(struct gapi *g, const char *access, const char *calendar,
    const struct gapi_event *e, char *ret_id, size_t idlen,
    struct gapi_error *err);

/*
 * GET /calendars/{calendar}/events/{id}: the event's
 * extendedProperties.private.draftbot into marker ("" when absent) and its
 * status ("confirmed", "tentative", "cancelled") into status.  Either
 * buffer may be NULL; a value that does not fit is -EBADMSG.
 */
int gapi_event_get(struct gapi *g, const char *access, const char *calendar,
    const char *id, char *marker, size_t mlen, char *status, size_t slen,
    struct gapi_error *err);

/* DELETE /calendars/{calendar}/events/{id}; an event already gone (404,
 * 410) is -ENOENT. */
int gapi_event_delete(struct gapi *g, const char *access, const char *calendar,
    const char *id, struct gapi_error *err);

/*
 * GET /calendars/{calendar}/events?timeMin&timeMax&singleEvents=true&
 * orderBy=startTime&maxResults=50 (one page: for the card's "overlaps …"
 * line).  time_min and time_max are RFC 3339 with an offset.  fn(summary
 * ("" if hidden), start, end, all_day, arg) for each event that blocks
 * time (cancelled and transparent ones are skipped); start and end are
 * dateTime values, or dates when all_day.  fn returns 0 to go on; any
 * other value stops and is returned.
 */
int gapi_events_between(struct gapi *g, const char *access,
    const char *calendar, const char *time_min, const char *time_max,
    int (*fn)(const char *summary, const char *start, const char *end,
        bool all_day, void *arg),
    void *arg, struct gapi_error *err);

/*
 * POST /freeBusy {timeMin, timeMax, items:[{id: calendar}]}: fn(start, end,
 * arg) for each busy period (RFC 3339, UTC).  A per-calendar error in the
 * reply is classified by its reason (notFound: -ENOENT, internalError or
 * backendError: -EREMOTEIO, others: -EINVAL).  fn as above.
 */
int gapi_freebusy(struct gapi *g, const char *access, const char *calendar,
    const char *time_min, const char *time_max,
    int (*fn)(const char *start, const char *end, void *arg), void *arg,
    struct gapi_error *err);

#endif

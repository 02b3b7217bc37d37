/*
 * gapi_int — what the files of google/ share: the client's body, one
 * request with its error classification (gapi_http.c), bounded strings
 * with percent-encoding (gapi_buf.c) and JSON helpers (gapi_json.c).
 */
#ifndef DRAFTBOT_GAPI_INT_H
#define DRAFTBOT_GAPI_INT_H

#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "google/gapi.h"
#include "net/http.h"

#define GAPI_URL_MAX 8192   /* a request URL with its query */
#define GAPI_FORM_MAX 16384 /* a token-endpoint form body */
#define GAPI_REPLY_MAX (4u << 20)
#define GAPI_JSON_DEPTH 32
#define GAPI_PAGES_MAX 50 /* pages followed by one listing */
#define GAPI_PAGE_TOKEN_MAX 1024
#define GAPI_SECRETS_MAX 4
#define GAPI_BEARER_MAX 2048 /* sizeof(gapi_tokens.access_token) */

struct gapi {
	struct http *http;
	char *auth_url, *token_url, *revoke_url, *tasks_url, *calendar_url;
	char *client_id;
	char *client_secret; /* wiped on gapi_close */
};

/* ---- gapi_buf.c ---- */

/*
 * A string of at most cap-1 bytes built in one allocation that is never
 * moved (realloc would leave copies of a secret behind in freed memory).
 * The first failure sticks in err (-ENOMEM, -E2BIG) and later appends do
 * nothing, so a caller checks once at the end.
 */
struct gapi_buf {
	char *p; /* NUL-terminated; owned, freed by gapi_buf_wipe() */
	size_t len, cap;
	int err;
	char sep; /* put before the next gapi_buf_kv(): '?', '&' or 0 */
};

/* Allocate cap bytes; sep is what goes before the first key ('?' after a
 * URL, 0 for a form body). */
void gapi_buf_init(struct gapi_buf *b, size_t cap, char sep);
void gapi_buf_puts(struct gapi_buf *b, const char *s);
/* s percent-encoded: RFC 3986 unreserved characters kept, all else %XX. */
void gapi_buf_pct(struct gapi_buf *b, const char *s);
/* sep, name, '=', value percent-encoded; then sep becomes '&'. */
void gapi_buf_kv(struct gapi_buf *b, const char *name, const char *value);
/* explicit_bzero the whole allocation and free it; leaves b empty. */
void gapi_buf_wipe(struct gapi_buf *b);

/* ---- gapi_http.c ---- */

struct gapi_call {
	const char *method;
	const char *url;
	const char *bearer; /* the access token; NULL at OAuth endpoints */
	const char *form;   /* form body (x-www-form-urlencoded), or */
	struct json_object *json; /* a JSON body, or neither */
	bool oauth;               /* token/revoke endpoint: OAuth error shape
	                             ({"error":"invalid_grant",…}) and classes */
	bool secret_reply;        /* the reply holds tokens: wipe it */
	const char *secrets[GAPI_SECRETS_MAX]; /* besides the bearer and the
	                                          client secret: never in err */
};

/*
 * Send c and classify the answer (see gapi.h).  On 0 with ret non-NULL,
 * *ret is the reply's JSON object, the caller's to json_object_put(); with
 * ret NULL the reply body is ignored (DELETE).  err may be NULL; when not,
 * it is filled on every return.
 */
int gapi_call(struct gapi *g, const struct gapi_call *c,
    struct json_object **ret, struct gapi_error *err);

/*
 * The request every API call makes: method to url with the person's access
 * token and body (a JSON object, or NULL for none); otherwise as
 * gapi_call().
 */
int gapi_send(struct gapi *g, const char *method, const char *url,
    const char *access, struct json_object *body, struct json_object **ret,
    struct gapi_error *err);

/* Did url build whole?  0, or -EINVAL when it did not fit (other build
 * errors as they are) with err saying "the <what> URL is too long". */
int gapi_url_check(
    const struct gapi_buf *url, const char *what, struct gapi_error *err);

/* Copy an insert reply's "id" into ret_id of idlen bytes: 0, or -EBADMSG
 * with err naming the new <what> when the id is missing or too long. */
int gapi_new_id(struct json_object *reply, const char *what, char *ret_id,
    size_t idlen, struct gapi_error *err);

/* Clear err (may be NULL). */
void gapi_err_clear(struct gapi_error *err);

/* Set err->message (err may be NULL) from a format that never takes a
 * secret; returns r, so "return gapi_fail(err, -EBADMSG, …)" reads well. */
int gapi_fail(struct gapi_error *err, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Is s usable as a bearer token or in a header: 1..max-1 printable ASCII
 * bytes without spaces? */
bool gapi_token_ok(const char *s, size_t max);

/* ---- calendar.c ---- */

/* calendar_url/calendars/{calendar}/events[/{id}] into a new b, ready for
 * query keys (gapi_buf_kv). */
void gapi_events_path(const struct gapi *g, struct gapi_buf *b,
    const char *calendar, const char *id);

/* ---- gapi_json.c ---- */

/* Parse len bytes as one JSON object (depth bounded, nothing after it but
 * white space): 0 and *ret (caller puts), or -EBADMSG, -ENOMEM. */
int gapi_json_parse(const char *s, size_t len, struct json_object **ret);

/* o[key] when it is a string, else NULL (borrowed). */
const char *gapi_json_str(struct json_object *o, const char *key);

/* o[key] when it is an array / object, else NULL (borrowed). */
struct json_object *gapi_json_array(struct json_object *o, const char *key);
struct json_object *gapi_json_obj(struct json_object *o, const char *key);

/* o[key] = s when s is non-NULL: 0, or -ENOMEM. */
int gapi_json_put_str(struct json_object *o, const char *key, const char *s);

/* Copy src (non-NULL) into dst of len bytes when it fits: 0, or -EBADMSG
 * (dst gets ""); dst NULL is a no-op returning 0. */
int gapi_copy(char *dst, size_t len, const char *src);

#endif

/*
 * fake_google_client — plain libcurl calls for tests that talk to the fake
 * Google server (fake_google.h) themselves: one HTTP request on a fresh
 * connection with the headers a test asserts on, JSON look-ups by dotted
 * path, and playing the browser on the consent page.  Nothing here fails a
 * test by itself: the caller asserts on what comes back.
 */
#ifndef DRAFTBOT_FAKE_GOOGLE_CLIENT_H
#define DRAFTBOT_FAKE_GOOGLE_CLIENT_H

#include <curl/curl.h>
#include <json-c/json.h>

#include "tests/fake_google.h"

#define FGC_TIMEOUT_MS 10000 /* a hang guard, not a measured limit */

struct fgc_resp {
	CURLcode cc;              /* CURLE_GOT_NOTHING: dropped unanswered */
	long status;              /* 0 when nothing came back */
	char body[65536];         /* NUL-terminated; longer answers fail */
	char location[2048];      /* the Location header, or "" */
	char retry_after[32];     /* the Retry-After header, or "" */
	char www_auth[256];       /* the WWW-Authenticate header, or "" */
	struct json_object *json; /* body parsed, NULL when not JSON; owned
	                             by r: fgc_resp_clear() or the next call */
};

/*
 * Send verb to url on a connection of its own (so a dropped answer is not
 * re-sent by libcurl), with "Authorization: Bearer <bearer>" when bearer
 * is not NULL and body (NUL-terminated) with Content-Type ctype when body
 * is not NULL.  Redirects are not followed.  *r (zeroed before its first
 * use) is cleared first, its old json put.  Returns r->status.
 */
long fgc_http(const char *verb, const char *url, const char *bearer,
    const char *ctype, const char *body, struct fgc_resp *r);

/* Put r->json; r may be reused afterwards. */
void fgc_resp_clear(struct fgc_resp *r);

/* The member of o at a dotted path ("error.errors.0.reason"; numbers
 * index arrays), borrowed; NULL when absent. */
struct json_object *fgc_get(struct json_object *o, const char *path);

/* fgc_get() as a string (NULL unless a string), and as an array length
 * (0 unless an array). */
const char *fgc_str(struct json_object *o, const char *path);
size_t fgc_len(struct json_object *o, const char *path);

/*
 * Play the browser: open f's consent page for the configured client with
 * redirect_uri, scope (space-separated), the S256 challenge and state
 * (NULL = none), and take the code from the redirect into code_out
 * (FAKE_GOOGLE_TOKEN_MAX bytes).  0; -EPROTO when the page does not
 * redirect (r holds what it said when r is not NULL), -EIO when the
 * request fails.
 */
int fgc_consent(struct fake_google *f, const char *redirect_uri,
    const char *scope, const char *challenge, const char *state, char *code_out,
    struct fgc_resp *r);

#endif

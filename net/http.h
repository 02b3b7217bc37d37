/*
 * http — a small HTTP client for the APIs draftbot calls (Google's token
 * endpoint, Tasks and Calendar, OpenAI-compatible LLMs), on libcurl loaded
 * at run time (net/curlx.h).
 *
 * One handle is one connection kept alive between calls; one call at a
 * time per handle (the handle locks).  Every call has a time-out and a
 * bound on the reply; redirects are not followed (APIs do not redirect).
 * Any HTTP status is a successful call: callers classify statuses; only
 * transport failures are errors.
 */
#ifndef DRAFTBOT_HTTP_H
#define DRAFTBOT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_ERR_MAX 256

struct http;

struct http_opts {
	long timeout_ms;         /* whole call; 0 = 10000 */
	long connect_timeout_ms; /* 0 = 5000 */
	size_t max_response;     /* 0 = 4 MiB */
	const char *user_agent;  /* NULL = "draftbot/<version>" */
};

/* Make a handle: 0, -EINVAL, -ENOMEM, or -ENOSYS/-EIO when libcurl cannot
 * be loaded (curlx_load_error() says why). */
int http_open(const struct http_opts *o, struct http **ret);
void http_close(struct http *h); /* NULL is a no-op */

struct http_req {
	const char *method;       /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;
	const char *content_type; /* of body; NULL when there is none */
	const char *body;         /* borrowed; NULL = no body */
	size_t body_len;
	const char *bearer;       /* "Authorization: Bearer <bearer>"; NULL */
	const char *const *headers; /* extra "Name: value" lines, NULL-ended */
	long timeout_ms;          /* 0: the handle's */
	bool once;                /* not idempotent (creates something): on a
				     fresh connection, so that libcurl never
				     sends it again by itself after a kept-alive
				     connection died under it */
};

struct http_resp {
	int status;              /* HTTP status */
	char *body;              /* NUL-terminated (caller frees via
				    http_resp_free); "" when empty */
	size_t len;
	char content_type[128];  /* as sent, "" if none */
	int retry_after;         /* seconds from Retry-After, 0 if none */
};

/*
 * Make one request.  0 when an HTTP answer arrived (whatever its status)
 * and *rs is filled; otherwise nothing to free and one of: -ETIMEDOUT,
 * -ECONNREFUSED, -EHOSTUNREACH, -EIO (network), -EMSGSIZE (reply larger
 * than max_response), -EINVAL, -ENOMEM; err (may be NULL) says why in one
 * line that never contains the bearer token.
 */
int http_do(struct http *h, const struct http_req *rq, struct http_resp *rs,
    char *err, size_t errlen);

void http_resp_free(struct http_resp *rs); /* body only; NULL is a no-op */

/* s percent-encoded for a URL query or form (RFC 3986 unreserved kept).
 * Caller frees with free().  NULL on ENOMEM or when libcurl is missing. */
char *http_escape(const char *s);

/* Is r a transport failure worth a retry (time-out, refused, network)? */
bool http_retryable(int r);

#endif

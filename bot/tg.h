/*
 * tg — a Telegram Bot API client on libcurl and json-c.  libcurl.so.4 is
 * loaded on the first tg_open(), so a process that never opens a client
 * never maps it (nor the TLS libraries behind it).
 *
 * Every method is "POST <api_base>/bot<token>/<method>" with a JSON body;
 * the reply is {"ok":true,"result":…} or {"ok":false,"error_code":N,
 * "description":"…","parameters":{"retry_after":S}}.  Errors are classified,
 * never collapsed, so callers (the outbox sender, the poller) can decide:
 *
 *   0            ok ("Bad Request: message is not modified" counts as ok)
 *   -EAGAIN      429 Too Many Requests: retry after err->retry_after seconds
 *   -EREMOTEIO   5xx: retry with backoff
 *   -ETIMEDOUT   the call timed out: retry with backoff
 *   -ECONNREFUSED, -EHOSTUNREACH, -EIO  network: retry with backoff
 *   -EPERM       403 Forbidden (bot blocked, kicked): do not retry
 *   -ENOENT      404 (bad token or method): permanent
 *   -EEXIST      409 Conflict (getUpdates while a webhook is set)
 *   -EINVAL      other 4xx: permanent, err->description says why
 *   -EBADMSG     the reply was not the Bot API's JSON
 *   -EMSGSIZE    the reply exceeded max_response bytes
 *
 * The token is never logged and never appears in err->description.
 */
#ifndef DRAFTBOT_TG_H
#define DRAFTBOT_TG_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_TOKEN_MAX 128
#define TG_DESCRIPTION_MAX 256

struct tg;

struct tg_opts {
	const char *api_base; /* "https://api.telegram.org" (no trailing /) */
	const char *token;    /* copied; wiped on tg_close */
	long timeout_ms;      /* whole call; 0 = 10000 */
	long connect_timeout_ms; /* 0 = 5000 */
	size_t max_response;     /* 0 = 4 MiB */
};

struct tg_error {
	int http_status; /* 0 when no HTTP answer */
	int error_code;  /* Telegram's error_code, 0 if none */
	int retry_after; /* seconds, from parameters.retry_after; 0 if none */
	char description[TG_DESCRIPTION_MAX];
};

/*
 * Make a client.  -EINVAL for a missing or malformed token/base URL,
 * -ENOMEM; -ENOSYS when libcurl.so.4 cannot be loaded and -EIO when it
 * cannot be initialised, with the reason in tg_load_error().
 */
int tg_open(const struct tg_opts *o, struct tg **ret);
void tg_close(struct tg *t); /* NULL is a no-op */

/*
 * Why libcurl is unusable ("libcurl.so.4 could not be loaded: …"), once a
 * tg_open() has returned -ENOSYS or -EIO for that reason; NULL otherwise.
 * Static text owned by tg.
 */
const char *tg_load_error(void);

/*
 * Call method with params (a JSON object's text, NULL = no body).  On 0,
 * *ret_result (may be NULL) gets Telegram's "result" — true, an object, an
 * array or null — which the caller must json_object_put().  err (may be
 * NULL) is filled on every return.  long_poll_s > 0 extends the time-out by
 * that many seconds (getUpdates' own timeout).
 */
int tg_call(struct tg *t, const char *method, const char *params,
    int long_poll_s, struct json_object **ret_result, struct tg_error *err);

/* Is r a failure worth retrying (429, 5xx, network, time-out)? */
bool tg_retryable(int r);

/*
 * setWebhook with a self-signed certificate: multipart/form-data with the
 * PEM file at cert_path and the fields of params (a JSON object whose
 * values become form fields; objects/arrays as JSON text).  Same result as
 * tg_call().
 */
int tg_call_multipart(struct tg *t, const char *method, const char *params,
    const char *file_field, const char *file_path,
    struct json_object **ret_result, struct tg_error *err);

#endif

/*
 * fake_google_util — small helpers the files of the fake Google server
 * share: growing arrays, clocks, JSON replies in Google's error shape,
 * query and form parameters, base64url and randomness (libsodium), and
 * list pagination.
 */
#include <errno.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/fake_google_int.h"

/* Opaque to clients, like Google's: they must pass back what they got. */
#define PAGE_TOKEN_PREFIX "fgpage:"

int
fg_grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	void **p = pp;
	size_t n = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

struct timespec
fg_deadline(int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static int64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
fg_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

int64_t
fg_now_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

char *
fg_json_text(struct json_object *o)
{
	return strdup(json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

void
fg_reply_json(struct fg_reply *r, int status, struct json_object *o)
{
	free(r->body);
	r->status = status;
	r->body = fg_json_text(o);
	r->html = false;
	json_object_put(o);
}

static const char *
status_name(int status)
{
	switch (status) {
	case 400:
		return "INVALID_ARGUMENT";
	case 401:
		return "UNAUTHENTICATED";
	case 403:
		return "PERMISSION_DENIED";
	case 404:
		return "NOT_FOUND";
	case 409:
		return "ALREADY_EXISTS";
	case 429:
		return "RESOURCE_EXHAUSTED";
	case 500:
		return "INTERNAL";
	case 501:
		return "UNIMPLEMENTED";
	case 503:
		return "UNAVAILABLE";
	default:
		return NULL;
	}
}

static void api_error_v(struct fg_reply *r, int status, const char *domain,
    const char *reason, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static void
api_error_v(struct fg_reply *r, int status, const char *domain,
    const char *reason, const char *fmt, va_list ap)
{
	struct json_object *o = json_object_new_object();
	struct json_object *e = json_object_new_object();
	const char *sn = status_name(status);
	char msg[FG_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	json_object_object_add(e, "code", json_object_new_int(status));
	json_object_object_add(e, "message", json_object_new_string(msg));
	if (reason != NULL) {
		struct json_object *arr = json_object_new_array();
		struct json_object *it = json_object_new_object();

		json_object_object_add(
		    it, "message", json_object_new_string(msg));
		json_object_object_add(it, "domain",
		    json_object_new_string(domain ? domain : "global"));
		json_object_object_add(
		    it, "reason", json_object_new_string(reason));
		json_object_array_add(arr, it);
		json_object_object_add(e, "errors", arr);
	}
	if (sn != NULL)
		json_object_object_add(e, "status", json_object_new_string(sn));
	json_object_object_add(o, "error", e);
	fg_reply_json(r, status, o);
}

int
fg_api_error(struct fg_reply *r, int status, const char *domain,
    const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	api_error_v(r, status, domain, reason, fmt, ap);
	va_end(ap);
	return 0;
}

int
fg_invalid(struct fake_google *f, struct fg_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->last_invalid, sizeof(f->last_invalid), fmt, ap);
	va_end(ap);
	f->stats.validation_failures++;
	r->invalid = true;
	return fg_api_error(r, 400, "global", "invalid", "%s", f->last_invalid);
}

int
fg_not_found(struct fg_reply *r)
{
	return fg_api_error(r, 404, "global", "notFound", "Not Found");
}

const char *
fg_query(const struct fg_call *c, const char *name)
{
	struct json_object *arr;

	if (c->query == NULL ||
	    !json_object_object_get_ex(c->query, name, &arr) ||
	    json_object_array_length(arr) == 0)
		return NULL;
	return json_object_get_string(json_object_array_get_idx(arr, 0));
}

bool
fg_query_bool(const struct fg_call *c, const char *name, bool def)
{
	const char *v = fg_query(c, name);

	return v == NULL ? def : strcmp(v, "true") == 0;
}

const char *
fg_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void
fg_b64url(const void *in, size_t n, char *out, size_t outlen)
{
	sodium_bin2base64(
	    out, outlen, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
fg_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n bytes of form-urlencoded text, decoded, as a new string. */
static char *
form_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

struct json_object *
fg_form_parse(const char *body)
{
	struct json_object *o = json_object_new_object();
	const char *p = body;

	while (o != NULL && *p != '\0') {
		size_t n = strcspn(p, "&");
		const char *eq = memchr(p, '=', n);
		char *k, *v;

		if (n > 0) {
			k = form_decode(p, eq ? (size_t)(eq - p) : n);
			v = eq ? form_decode(eq + 1, n - (size_t)(eq - p) - 1)
			       : strdup("");
			if (k != NULL && v != NULL)
				json_object_object_add(
				    o, k, json_object_new_string(v));
			free(k);
			free(v);
		}
		p += n;
		if (*p == '&')
			p++;
	}
	return o;
}

bool
fg_page(struct fake_google *f, struct fg_call *c, struct fg_reply *r,
    int google_default, int google_max, size_t total, size_t *from,
    size_t *count)
{
	const char *mr = fg_query(c, "maxResults");
	const char *pt = fg_query(c, "pageToken");
	long per = mr ? atol(mr) : google_default;
	unsigned long long off = 0;
	char *end;

	if (per <= 0)
		per = google_default;
	if (per > google_max)
		per = google_max;
	if (f->page_size > 0 && per > f->page_size)
		per = f->page_size;
	if (pt != NULL && *pt != '\0') {
		if (strncmp(pt, PAGE_TOKEN_PREFIX, strlen(PAGE_TOKEN_PREFIX)) !=
		    0) {
			fg_invalid(
			    f, r, "Invalid value for pageToken: \"%s\"", pt);
			return false;
		}
		errno = 0;
		off = strtoull(pt + strlen(PAGE_TOKEN_PREFIX), &end, 10);
		if (*end != '\0' || errno != 0) {
			fg_invalid(
			    f, r, "Invalid value for pageToken: \"%s\"", pt);
			return false;
		}
	}
	*from = off > total ? total : (size_t)off;
	*count = total - *from < (size_t)per ? total - *from : (size_t)per;
	return true;
}

struct json_object *
fg_page_token(size_t next, size_t total)
{
	char buf[64];

	if (next >= total)
		return NULL;
	snprintf(buf, sizeof(buf), PAGE_TOKEN_PREFIX "%zu", next);
	return json_object_new_string(buf);
}

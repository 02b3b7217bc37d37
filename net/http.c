/* http — requests with libcurl: keep-alive, time-outs, bounded replies. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/curlx.h"
#include "net/http.h"

#ifndef DRAFTBOT_VERSION
#define DRAFTBOT_VERSION "dev"
#endif
#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define DEFAULT_MAX_RESPONSE (4u << 20)
#define HEADER_MAX 8192 /* one extra header line */

struct http {
	CURL *curl;
	pthread_mutex_t lock;
	long timeout_ms, connect_timeout_ms;
	size_t max_response;
	char user_agent[128];
	char errbuf[CURL_ERROR_SIZE];
};

struct sink {
	char *data;
	size_t len, cap, max;
	bool overflow;
	struct http_resp *rs;
};

int
http_open(const struct http_opts *o, struct http **ret)
{
	struct http *h;
	int r;

	if (o == NULL || ret == NULL || o->timeout_ms < 0 ||
	    o->connect_timeout_ms < 0)
		return -EINVAL;
	r = curlx_load();
	if (r < 0)
		return r;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->curl = cx.easy_init();
	if (h->curl == NULL) {
		free(h);
		return -ENOMEM;
	}
	pthread_mutex_init(&h->lock, NULL);
	h->timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	h->connect_timeout_ms = o->connect_timeout_ms
	    ? o->connect_timeout_ms
	    : DEFAULT_CONNECT_TIMEOUT_MS;
	h->max_response = o->max_response ? o->max_response
	                                  : DEFAULT_MAX_RESPONSE;
	snprintf(h->user_agent, sizeof(h->user_agent), "%s",
	    o->user_agent ? o->user_agent : "draftbot/" DRAFTBOT_VERSION);
	*ret = h;
	return 0;
}

void
http_close(struct http *h)
{
	if (h == NULL)
		return;
	cx.easy_cleanup(h->curl);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n, cap;
	char *d;

	if (s->len + len > s->max) {
		s->overflow = true;
		return 0; /* abort the transfer */
	}
	if (s->len + len + 1 > s->cap) {
		cap = s->cap ? s->cap : 4096;
		while (cap < s->len + len + 1)
			cap *= 2;
		d = realloc(s->data, cap);
		if (d == NULL)
			return 0;
		s->data = d;
		s->cap = cap;
	}
	memcpy(s->data + s->len, p, len);
	s->len += len;
	s->data[s->len] = '\0';
	return len;
}

/* Retry-After: delta-seconds (the HTTP-date form is rare for APIs and is
 * left to the caller's backoff). */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;
	const char *name = "retry-after:";
	size_t nl = strlen(name);
	long v;

	if (len > nl && strncasecmp(p, name, nl) == 0) {
		char tmp[32];
		size_t m = len - nl < sizeof(tmp) - 1 ? len - nl
		                                      : sizeof(tmp) - 1;

		memcpy(tmp, p + nl, m);
		tmp[m] = '\0';
		v = strtol(tmp, NULL, 10);
		if (v > 0 && v < 86400)
			s->rs->retry_after = (int)v;
	}
	return len;
}

static int
classify(CURLcode c)
{
	switch (c) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static int
build_headers(const struct http_req *rq, struct curl_slist **ret)
{
	struct curl_slist *l = NULL, *t;
	char line[HEADER_MAX];
	size_t i;

	/* libcurl adds "Expect: 100-continue" to large POSTs: one more
	 * round trip for nothing. */
	l = cx.slist_append(l, "Expect:");
	if (l == NULL)
		return -ENOMEM;
	if (rq->content_type != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s",
		    rq->content_type);
		if ((t = cx.slist_append(l, line)) == NULL)
			goto oom;
		l = t;
	}
	if (rq->bearer != NULL) {
		if (snprintf(line, sizeof(line), "Authorization: Bearer %s",
		        rq->bearer) >= (int)sizeof(line))
			goto inval;
		t = cx.slist_append(l, line);
		explicit_bzero(line, sizeof(line));
		if (t == NULL)
			goto oom;
		l = t;
	}
	for (i = 0; rq->headers != NULL && rq->headers[i] != NULL; i++) {
		if ((t = cx.slist_append(l, rq->headers[i])) == NULL)
			goto oom;
		l = t;
	}
	*ret = l;
	return 0;
oom:
	cx.slist_free_all(l);
	return -ENOMEM;
inval:
	cx.slist_free_all(l);
	return -EINVAL;
}

int
http_do(struct http *h, const struct http_req *rq, struct http_resp *rs,
    char *err, size_t errlen)
{
	struct curl_slist *hdrs = NULL;
	struct sink s = {0};
	CURL *c;
	CURLcode cc;
	long status = 0;
	char *ct = NULL;
	int r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (h == NULL || rq == NULL || rs == NULL || rq->url == NULL ||
	    rq->method == NULL)
		return -EINVAL;
	memset(rs, 0, sizeof(*rs));
	r = build_headers(rq, &hdrs);
	if (r < 0)
		return r;
	s.max = h->max_response;
	s.rs = rs;
	pthread_mutex_lock(&h->lock);
	c = h->curl;
	cx.easy_reset(c);
	cx.easy_setopt(c, CURLOPT_URL, rq->url);
	cx.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cx.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cx.easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    rq->timeout_ms > 0 ? rq->timeout_ms : h->timeout_ms);
	cx.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	cx.easy_setopt(c, CURLOPT_USERAGENT, h->user_agent);
	cx.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	cx.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	cx.easy_setopt(c, CURLOPT_WRITEDATA, &s);
	cx.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	cx.easy_setopt(c, CURLOPT_HEADERDATA, &s);
	cx.easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	cx.easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	/* libcurl silently re-sends a request whose reused connection died
	 * before any answer; for a write that may already have happened
	 * (Google Tasks has no idempotency key) that is a second task. */
	if (rq->once)
		cx.easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	h->errbuf[0] = '\0';
	if (strcmp(rq->method, "GET") == 0) {
		cx.easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(rq->method, "POST") != 0)
			cx.easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
		if (rq->body != NULL || strcmp(rq->method, "POST") == 0) {
			cx.easy_setopt(c, CURLOPT_POST, 1L);
			cx.easy_setopt(c, CURLOPT_POSTFIELDS,
			    rq->body != NULL ? rq->body : "");
			cx.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)(rq->body != NULL ? rq->body_len : 0));
		}
	}
	cc = cx.easy_perform(c);
	if (cc == CURLE_OK) {
		cx.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (cx.easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
		    ct != NULL)
			snprintf(rs->content_type, sizeof(rs->content_type),
			    "%s", ct);
	} else if (s.overflow) {
		r = -EMSGSIZE;
		if (err != NULL)
			snprintf(err, errlen, "the reply is larger than %zu "
			    "bytes", h->max_response);
	} else {
		r = classify(cc);
		if (err != NULL)
			snprintf(err, errlen, "%s",
			    h->errbuf[0] ? h->errbuf : cx.easy_strerror(cc));
	}
	/* Drop the headers (they hold the bearer) from the handle. */
	cx.easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	pthread_mutex_unlock(&h->lock);
	cx.slist_free_all(hdrs);
	if (r < 0) {
		free(s.data);
		memset(rs, 0, sizeof(*rs));
		return r;
	}
	if (s.data == NULL) {
		s.data = calloc(1, 1);
		if (s.data == NULL)
			return -ENOMEM;
	}
	rs->status = (int)status;
	rs->body = s.data;
	rs->len = s.len;
	return 0;
}

void
http_resp_free(struct http_resp *rs)
{
	if (rs == NULL)
		return;
	free(rs->body);
	rs->body = NULL;
	rs->len = 0;
}

char *
http_escape(const char *s)
{
	char *e, *out;

	if (s == NULL || curlx_load() < 0)
		return NULL;
	e = cx.easy_escape(NULL, s, (int)strlen(s));
	if (e == NULL)
		return NULL;
	out = strdup(e);
	cx.free(e);
	return out;
}

bool
http_retryable(int r)
{
	return r == -ETIMEDOUT || r == -ECONNREFUSED || r == -EHOSTUNREACH ||
	    r == -EIO;
}

/*
 * event_url — an event draft from a link, in two steps.
 *
 * wf_url_prepare() runs before the transaction (router.c's prepare step):
 * it fetches the page with fetch_url() — SSRF-safe, with the fetch_allow,
 * fetch_timeout and fetch_max_bytes settings — and extracts its events
 * (iCalendar for text/calendar or a body that is one, else HTML), writing
 * nothing.  wf_url_draft() runs inside it and turns what was found into
 * the person's answer: the refusal, "no event on that page", or a draft of
 * the page's primary event.
 *
 * The audit never holds a whole link (it may carry a password or a token
 * in its query): only its host.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "net/fetch.h"
#include "workflows/draft_int.h"
#include "workflows/event_flow.h"

#define EXTRACT_TIMEOUT_MS 5000 /* extraction of one fetched page */

#define HOST_MAX 256

/* The host of url ("example.com"), without user info or port; "" when it
 * has none. */
static void
url_host(const char *url, char *out, size_t len)
{
	const char *p = strstr(url, "://"), *end, *at;
	size_t n;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	while (at != NULL) { /* the last '@' ends the user info */
		p = at + 1;
		at = memchr(p, '@', (size_t)(end - p));
	}
	if (*p == '[') { /* [::1]:8080 */
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (close != NULL)
			end = close + 1;
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));

		if (colon != NULL)
			end = colon;
	}
	n = (size_t)(end - p) < len ? (size_t)(end - p) : len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* url without "user:password@", for the card. */
static void
url_public(const char *url, char *out, size_t len)
{
	const char *p = strstr(url, "://"), *end, *at = NULL, *q;

	snprintf(out, len, "%s", url);
	if (p == NULL)
		return;
	end = p + 3 + strcspn(p + 3, "/?#");
	for (q = p + 3; q < end; q++)
		if (*q == '@')
			at = q;
	if (at != NULL)
		snprintf(out, len, "%.*s%s", (int)(p + 3 - url), url, at + 1);
}

/* The person's zone outside the transaction: x->tz is filled only by
 * wf_user_touch(), which writes. */
static void
reader_zone(struct wf_ctx *x, char *tz, size_t len)
{
	struct store_user user;
	const char *def = cfg_str(x->env->cfg, "tz");

	if (x->tz[0] != '\0') {
		snprintf(tz, len, "%s", x->tz);
		return;
	}
	if (x->u != NULL && store_user_get(x->q, x->u->user_id, &user) == 1 &&
	    user.timezone[0] != '\0' && nlp_tz_valid(user.timezone)) {
		snprintf(tz, len, "%s", user.timezone);
		return;
	}
	snprintf(tz, len, "%s", def != NULL && nlp_tz_valid(def) ? def : "UTC");
}

int
wf_url_prepare(struct wf_ctx *x, const char *url)
{
	struct wf_pre *p = &x->pre;
	struct fetch_result res = {0};
	struct fetch_opts o = {0};
	struct ev_opts eo = {0};
	char tz[STORE_TZ_MAX];
	int r;

	p->url_tried = true;
	p->url_err = 0;
	p->url_msg[0] = '\0';
	if (url == NULL || strlen(url) >= sizeof(p->url)) {
		p->url_err = -EINVAL;
		snprintf(
		    p->url_msg, sizeof(p->url_msg), "That link is too long.");
		return 0;
	}
	snprintf(p->url, sizeof(p->url), "%s", url);
	o.allow = cfg_str(x->env->cfg, "fetch_allow");
	o.timeout_ms = (long)cfg_int(x->env->cfg, "fetch_timeout");
	o.max_bytes = (size_t)cfg_int(x->env->cfg, "fetch_max_bytes");
	r = fetch_url(url, &o, &res, p->url_msg, sizeof(p->url_msg));
	if (r < 0) {
		p->url_err = r;
		if (p->url_msg[0] == '\0')
			snprintf(p->url_msg, sizeof(p->url_msg),
			    "I couldn't fetch that page.");
		return r == -ENOMEM ? r : 0;
	}
	snprintf(p->final_url, sizeof(p->final_url), "%s",
	    res.final_url[0] != '\0' ? res.final_url : url);
	reader_zone(x, tz, sizeof(tz));
	eo.base_url = p->final_url;
	eo.now_ms = x->now;
	eo.tz = tz;
	/* In a child process: a crafted page may crash or stall the HTML
	 * parser, and must not take this worker with it. */
	r = ev_extract_isolated(res.body, res.len,
	    strcmp(res.content_type, "text/calendar") == 0 ||
	        ev_is_ics(res.body, res.len),
	    &eo, EXTRACT_TIMEOUT_MS, &p->events);
	fetch_result_free(&res);
	if (r < 0) {
		p->url_err = r;
		snprintf(p->url_msg, sizeof(p->url_msg),
		    r == -EFBIG ? "That page is too large to read."
		                : "I couldn't read that page.");
		return r == -ENOMEM ? r : 0;
	}
	return 0;
}

/* A short name of a fetch error for the audit, and whether it is a
 * refusal by the rules (not a failure of the network or the site). */
static const char *
error_name(int err, bool *refused)
{
	static const struct {
		int err;
		const char *name;
		bool refused;
	} names[] = {
	    {-EINVAL, "bad_url", true},
	    {-EPERM, "blocked_address", true},
	    {-ELOOP, "too_many_redirects", true},
	    {-EFBIG, "too_large", true},
	    {-EMEDIUMTYPE, "not_a_page", true},
	    {-ENOENT, "no_such_host", false},
	    {-ETIMEDOUT, "timeout", false},
	    {-EREMOTEIO, "http_error", false},
	    {-EIO, "network", false},
	    {-ENOSYS, "no_libcurl", false},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err) {
			*refused = names[i].refused;
			return names[i].name;
		}
	*refused = false;
	return "error";
}

/* Audit action (entity none) with details {"url_host", extra keys…}. */
static int
audit_url(struct wf_ctx *x, const char *action, const char *host,
    struct json_object *extra)
{
	struct json_object *d =
	    extra != NULL ? extra : json_object_new_object();
	int r;

	if (d == NULL)
		return -ENOMEM;
	json_object_object_add(d, "url_host", json_object_new_string(host));
	r = wf_audit(x, action, NULL, 0, x->u->user_id, x->u->chat_id,
	    json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN));
	json_object_put(d);
	return r;
}

static int
refuse(struct wf_ctx *x, const char *host)
{
	struct wf_pre *p = &x->pre;
	struct json_object *d = json_object_new_object();
	bool refused;
	const char *name = error_name(p->url_err, &refused);
	char *msg;
	int r;

	if (d == NULL)
		return -ENOMEM;
	json_object_object_add(d, "error", json_object_new_string(name));
	r = audit_url(x, refused ? "fetch_refused" : "fetch_failed", host, d);
	if (r < 0)
		return r;
	msg = html_escape(p->url_msg);
	if (msg == NULL)
		return -ENOMEM;
	r = wf_say(x, "I couldn't use that link: %s", msg);
	free(msg);
	wf_result(x, refused ? "fetch_refused" : "fetch_failed", 0);
	return r;
}

int
wf_url_draft(struct wf_ctx *x)
{
	struct wf_pre *p = &x->pre;
	char host[HOST_MAX], page[sizeof(p->final_url)];
	struct json_object *j = NULL, *d;
	const struct ev_event *e;
	size_t total;
	int r;

	url_host(p->final_url[0] != '\0' ? p->final_url : p->url, host,
	    sizeof(host));
	if (p->url_err != 0)
		return refuse(x, host);
	if (p->events == NULL || p->events->n == 0) {
		r = audit_url(x, "event_not_found", host, NULL);
		wf_result(x, "event_not_found", 0);
		return r < 0 ? r
		             : wf_say(x,
		                   "I couldn't find an event on that "
		                   "page.");
	}
	e = &p->events->ev[0];
	total =
	    p->events->total > p->events->n ? p->events->total : p->events->n;
	url_public(p->final_url, page, sizeof(page));
	r = draft_event_from_page(e, page, (int)(total - 1),
	    x->tz[0] ? x->tz : "UTC", x->now, wf_event_duration(x), &j);
	if (r < 0)
		return r;
	r = draft_set_str(j, "source", x->u->text != NULL ? x->u->text : "");
	if (r < 0)
		goto out;
	d = json_object_new_object();
	if (d == NULL) {
		r = -ENOMEM;
		goto out;
	}
	json_object_object_add(
	    d, "source", json_object_new_string(ev_source_name(e->source)));
	json_object_object_add(
	    d, "events", json_object_new_int64((int64_t)total));
	r = audit_url(x, "event_extracted", host, d);
	if (r == 0)
		r = wf_event_create(x, j, NULL);
out:
	json_object_put(j);
	return r;
}

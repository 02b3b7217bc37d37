/*
 * fake_google — the fake Google OAuth, Tasks and Calendar server of the
 * test suites (see fake_google.h): the HTTP side on libmicrohttpd with a
 * thread per connection, the routing table, the checks in front of the
 * API (bearer token, query, body), start and stop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "tests/fake_google_int.h"

#define BODY_MAX (1u << 20)

#define HTML_404                                                               \
	"<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Error 404 " \
	"(Not Found)!!1</title><p><b>404.</b> <ins>That's an error.</ins><p>"  \
	"The requested URL was not found on this server.  <ins>That's all we " \
	"know.</ins>\n"

/* What one HTTP request collects across the handler's calls. */
struct request {
	int64_t t_ns;
	char *body;
	size_t len, cap;
	bool too_big;
};

struct route {
	const char *verb;
	const char *pattern; /* '*' stands for one path segment */
	enum fake_google_kind kind;
	fg_handler *fn;
};

static const struct route routes[] = {
    {"GET", "/o/oauth2/v2/auth", FAKE_GOOGLE_AUTH, fg_oauth_auth},
    {"POST", "/token", FAKE_GOOGLE_TOKEN, fg_oauth_token},
    {"POST", "/revoke", FAKE_GOOGLE_REVOKE, fg_oauth_revoke},
    {"GET", "/tasks/v1/users/@me/lists", FAKE_GOOGLE_TASKLISTS_LIST,
        fg_tasklists_list},
    {"GET", "/tasks/v1/lists/*/tasks", FAKE_GOOGLE_TASKS_LIST, fg_tasks_list},
    {"POST", "/tasks/v1/lists/*/tasks", FAKE_GOOGLE_TASKS_INSERT,
        fg_tasks_insert},
    {"GET", "/tasks/v1/lists/*/tasks/*", FAKE_GOOGLE_TASKS_GET, fg_tasks_get},
    {"PATCH", "/tasks/v1/lists/*/tasks/*", FAKE_GOOGLE_TASKS_PATCH,
        fg_tasks_patch},
    {"DELETE", "/tasks/v1/lists/*/tasks/*", FAKE_GOOGLE_TASKS_DELETE,
        fg_tasks_delete},
    {"GET", "/calendar/v3/calendars/*/events", FAKE_GOOGLE_EVENTS_LIST,
        fg_events_list},
    {"POST", "/calendar/v3/calendars/*/events", FAKE_GOOGLE_EVENTS_INSERT,
        fg_events_insert},
    {"GET", "/calendar/v3/calendars/*/events/*", FAKE_GOOGLE_EVENTS_GET,
        fg_events_get},
    {"PATCH", "/calendar/v3/calendars/*/events/*", FAKE_GOOGLE_EVENTS_PATCH,
        fg_events_patch},
    {"DELETE", "/calendar/v3/calendars/*/events/*", FAKE_GOOGLE_EVENTS_DELETE,
        fg_events_delete},
    {"POST", "/calendar/v3/freeBusy", FAKE_GOOGLE_FREEBUSY, fg_freebusy},
};

/* ---- the HTTP side ---- */

static int
rq_add(struct request *rq, const char *s, size_t n)
{
	if (fg_grow(&rq->body, &rq->cap, rq->len + n + 1, 1) < 0)
		return -ENOMEM;
	memcpy(rq->body + rq->len, s, n);
	rq->len += n;
	rq->body[rq->len] = '\0';
	return 0;
}

/*
 * Does path match pattern?  The '*' segments go into seg[0], seg[1] as
 * pointers into buf (a copy of path cut at the slashes).
 */
static bool
path_match(const char *pattern, const char *path, char *buf, size_t len,
    const char **seg)
{
	const char *p = pattern;
	char *q = buf;
	int ns = 0;

	snprintf(buf, len, "%s", path);
	seg[0] = seg[1] = NULL;
	while (*p != '\0') {
		if (*p == '*') {
			size_t n = strcspn(q, "/");

			if (n == 0 || ns == 2)
				return false;
			seg[ns++] = q;
			q += n;
			p++;
			if (*q == '/' && *p == '/') {
				*q++ = '\0';
				p++;
			} else if (*q != '\0' || *p != '\0') {
				return false;
			}
			continue;
		}
		if (*p++ != *q++)
			return false;
	}
	return *q == '\0';
}

/* The route for verb and path; *known says whether the path matched a
 * route of another verb. */
static const struct route *
route_find(const char *verb, const char *path, char *buf, size_t len,
    const char **seg, bool *known)
{
	*known = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!path_match(routes[i].pattern, path, buf, len, seg))
			continue;
		*known = true;
		if (strcmp(routes[i].verb, verb) == 0)
			return &routes[i];
	}
	return NULL;
}

static bool
is_json_type(const char *ct)
{
	return ct != NULL && strncasecmp(ct, "application/json", 16) == 0 &&
	    (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

/* Under f->lock: an API request, after authentication, query and body
 * checks. */
static void
serve_api(struct fake_google *f, const struct route *rt, struct fg_call *c,
    struct fg_reply *r)
{
	char msg[FG_MSG_MAX];
	enum json_tokener_error jerr;

	if (!fg_oauth_check(f, c, r))
		return;
	if (!fg_check_query(c, msg, sizeof(msg))) {
		fg_invalid(f, r, "%s", msg);
		return;
	}
	if (c->m->request != NULL) {
		if (!is_json_type(c->content_type)) {
			fg_invalid(f, r,
			    "Content-Type must be application/json, not "
			    "\"%s\"",
			    c->content_type ? c->content_type : "");
			return;
		}
		c->json = json_tokener_parse_verbose(c->body, &jerr);
		if (c->json == NULL ||
		    !json_object_is_type(c->json, json_type_object)) {
			fg_invalid(f, r, "Invalid JSON payload received. %s",
			    c->json ? "The body is not a JSON object."
			            : json_tokener_error_desc(jerr));
			return;
		}
		if (!fg_check_body(c->m, c->json, msg, sizeof(msg))) {
			fg_invalid(f, r, "%s", msg);
			return;
		}
	}
	rt->fn(f, c, r);
}

/* Under f->lock: the endpoint's own answer. */
static void
serve(struct fake_google *f, const struct route *rt, bool known,
    struct fg_call *c, struct fg_reply *r)
{
	if (rt == NULL && known) {
		fg_api_error(r, 501, NULL, NULL,
		    "fake_google does not serve %s %s", c->verb, c->path);
		return;
	}
	if (rt == NULL) {
		r->status = 404;
		r->body = strdup(HTML_404);
		r->html = true;
		return;
	}
	c->m = f->methods[rt->kind].id ? &f->methods[rt->kind] : NULL;
	if (c->m != NULL)
		serve_api(f, rt, c, r);
	else
		rt->fn(f, c, r);
}

static void
record(struct fake_google *f, struct fake_google_req *rec)
{
	pthread_mutex_lock(&f->lock);
	if (fg_grow(&f->reqs, &f->cap_reqs, f->n_reqs + 1, sizeof(*f->reqs)) ==
	    0) {
		f->reqs[f->n_reqs++] = *rec;
		memset(rec, 0, sizeof(*rec));
	}
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	free(rec->path);
	free(rec->query);
	free(rec->authorization);
	free(rec->content_type);
	free(rec->body);
}

/* Sleep ms, or less when the fake stops. */
static void
pause_ms(struct fake_google *f, int ms)
{
	struct timespec deadline = fg_deadline(ms);

	pthread_mutex_lock(&f->lock);
	while (!f->stopping)
		if (pthread_cond_timedwait(&f->cond, &f->lock, &deadline) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&f->lock);
}

static enum MHD_Result
respond(struct MHD_Connection *c, const struct fg_reply *r)
{
	const char *body = r->body ? r->body : "";
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char num[16];

	resp = MHD_create_response_from_buffer(
	    strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	if (*body != '\0' || r->status != 204)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    r->html ? "text/html; charset=utf-8"
		            : "application/json; charset=UTF-8");
	if (r->location != NULL)
		MHD_add_response_header(
		    resp, MHD_HTTP_HEADER_LOCATION, r->location);
	if (r->retry_after > 0) {
		snprintf(num, sizeof(num), "%d", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, num);
	}
	if (r->www_auth != NULL)
		MHD_add_response_header(
		    resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, r->www_auth);
	ret = MHD_queue_response(c, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

struct query_acc {
	struct json_object *obj;
	char *text;
	size_t len, cap;
};

static enum MHD_Result
on_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query_acc *q = cls;
	struct json_object *arr;
	size_t need = strlen(key) + (value ? strlen(value) : 0) + 3;

	if (!json_object_object_get_ex(q->obj, key, &arr)) {
		arr = json_object_new_array();
		json_object_object_add(q->obj, key, arr);
	}
	json_object_array_add(arr, json_object_new_string(value ? value : ""));
	if (fg_grow(&q->text, &q->cap, q->len + need, 1) < 0)
		return MHD_NO;
	q->len += (size_t)snprintf(q->text + q->len, q->cap - q->len, "%s%s=%s",
	    q->len ? "&" : "", key, value ? value : "");
	return MHD_YES;
}

static char *
header(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	return v ? strdup(v) : NULL;
}

/* The last call of the handler for a request: everything has arrived. */
static enum MHD_Result
answer(struct fake_google *f, struct MHD_Connection *conn, const char *url,
    const char *verb, struct request *rq)
{
	struct fake_google_req rec = {0};
	struct query_acc qa = {0};
	struct fg_call call = {0};
	struct fg_reply rep = {0};
	const struct route *rt;
	char pathbuf[1024];
	char *canned_body = NULL;
	int status = 0, delay_ms;
	bool known, silent;
	enum MHD_Result ret;

	rec.t_ns = rq->t_ns;
	snprintf(rec.verb, sizeof(rec.verb), "%s", verb);
	rec.path = strdup(url);
	rec.authorization = header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
	rec.content_type = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
	rec.body = strdup(rq->body ? rq->body : "");
	qa.obj = json_object_new_object();
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_query, &qa);
	rec.query = qa.text ? qa.text : strdup("");

	rt = route_find(verb, url, pathbuf, sizeof(pathbuf), call.seg, &known);
	rec.kind = rt ? rt->kind : FAKE_GOOGLE_UNKNOWN;
	call.verb = verb;
	call.path = url;
	call.query = qa.obj;
	call.body = rec.body ? rec.body : "";
	call.content_type = rec.content_type;
	call.authorization = rec.authorization;

	pthread_mutex_lock(&f->lock);
	rec.outcome =
	    fg_decide(f, verb, url, rec.kind, &status, &canned_body, &delay_ms);
	pthread_mutex_unlock(&f->lock);
	if (delay_ms > 0)
		pause_ms(f, delay_ms);

	if (rq->too_big) {
		fg_api_error(&rep, 413, NULL, NULL, "Request Entity Too Large");
	} else if (rec.outcome == FAKE_GOOGLE_CANNED) {
		rep.status = status;
		rep.body = canned_body;
		rep.html = canned_body && *canned_body != '{' &&
		    *canned_body != '[' && *canned_body != '\0';
		canned_body = NULL;
		if (status == 0)
			rec.outcome = FAKE_GOOGLE_DROPPED;
	} else if (rec.outcome == FAKE_GOOGLE_FAULT) {
		if (status == 0)
			rec.outcome = FAKE_GOOGLE_DROPPED;
		else
			fg_fault_reply(f, status, &rep);
	} else {
		pthread_mutex_lock(&f->lock);
		serve(f, rt, known, &call, &rep);
		if (rep.status == 401 && fg_is_api(rec.kind))
			f->stats.unauthenticated++;
		pthread_mutex_unlock(&f->lock);
	}
	json_object_put(call.json);
	json_object_put(qa.obj);

	rec.status = rec.outcome == FAKE_GOOGLE_DROPPED ? 0 : rep.status;
	rec.invalid = rep.invalid;
	silent = rec.outcome == FAKE_GOOGLE_DROPPED ||
	    rec.outcome == FAKE_GOOGLE_HELD || rep.status == 0;
	record(f, &rec); /* takes rec's strings and clears it */
	if (silent)
		ret = MHD_NO;
	else
		ret = respond(conn, &rep);
	free(rep.body);
	free(rep.location);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *verb, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct fake_google *f = cls;
	struct request *rq = *con_cls;

	if (rq == NULL) {
		struct timespec ts;

		rq = calloc(1, sizeof(*rq));
		if (rq == NULL)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		rq->t_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (rq->len + *upload_size > BODY_MAX ||
		    rq_add(rq, upload, *upload_size) < 0)
			rq->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	return answer(f, c, url, verb, rq);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	if (rq == NULL)
		return;
	free(rq->body);
	free(rq);
	*con_cls = NULL;
}

/* ---- the public API ---- */

static void
free_state(struct fake_google *f)
{
	for (size_t i = 0; i < f->n_canned; i++) {
		free(f->canned[i].prefix);
		free(f->canned[i].body);
	}
	free(f->canned);
	for (size_t i = 0; i < f->n_holds; i++)
		free(f->holds[i]);
	free(f->holds);
	for (size_t i = 0; i < f->n_delays; i++)
		free(f->delays[i].prefix);
	free(f->delays);
	fg_oauth_free(f);
	fg_tasks_free(f);
	fg_events_free(f);
	fake_google_clear_requests(f);
	free(f->reqs);
	free(f->client_id);
	free(f->client_secret);
	json_object_put(f->tasks_doc);
	json_object_put(f->calendar_doc);
}

static int
start_daemon(struct fake_google *f)
{
	struct sockaddr_in sa = {0};
	const union MHD_DaemonInfo *info;

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
	    0, NULL, NULL, on_request, f, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    f, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
	    MHD_OPTION_END);
	info = f->daemon
	    ? MHD_get_daemon_info(f->daemon, MHD_DAEMON_INFO_BIND_PORT)
	    : NULL;
	if (info == NULL || info->port == 0)
		return -EADDRNOTAVAIL;
	f->port = info->port;
	snprintf(f->base_url, sizeof(f->base_url), "http://127.0.0.1:%u",
	    (unsigned)f->port);
	snprintf(f->auth_url, sizeof(f->auth_url), "%s/o/oauth2/v2/auth",
	    f->base_url);
	snprintf(f->token_url, sizeof(f->token_url), "%s/token", f->base_url);
	snprintf(
	    f->revoke_url, sizeof(f->revoke_url), "%s/revoke", f->base_url);
	snprintf(
	    f->tasks_url, sizeof(f->tasks_url), "%s/tasks/v1", f->base_url);
	snprintf(f->calendar_url, sizeof(f->calendar_url), "%s/calendar/v3",
	    f->base_url);
	return 0;
}

int
fake_google_start(const char *corpora, struct fake_google **ret)
{
	pthread_condattr_t ca;
	struct fake_google *f;
	int r;

	if (corpora == NULL)
		corpora = getenv("DRAFTBOT_CORPORA");
	if (corpora == NULL || *corpora == '\0' || ret == NULL)
		return -EINVAL;
	if (sodium_init() < 0)
		return -ENOMEM;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cond, &ca);
	pthread_condattr_destroy(&ca);
	f->token_lifetime_s = 3599;
	f->retry_after = 1;
	f->client_id = strdup(FAKE_GOOGLE_CLIENT_ID);
	f->client_secret = strdup(FAKE_GOOGLE_CLIENT_SECRET);
	r = f->client_id && f->client_secret ? 0 : -ENOMEM;
	if (r == 0)
		r = fg_schema_load(f, corpora);
	if (r == 0)
		r = fg_list_add(f, "My Tasks", FAKE_GOOGLE_DEFAULT_LIST);
	if (r == 0)
		r = start_daemon(f);
	if (r < 0) {
		if (f->daemon != NULL)
			MHD_stop_daemon(f->daemon);
		free_state(f);
		pthread_cond_destroy(&f->cond);
		pthread_mutex_destroy(&f->lock);
		free(f);
		return r;
	}
	*ret = f;
	return 0;
}

void
fake_google_stop(struct fake_google *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->lock);
	f->stopping = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	MHD_stop_daemon(f->daemon);
	free_state(f);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

int
fake_google_set_client(
    struct fake_google *f, const char *client_id, const char *client_secret)
{
	char *id, *secret;

	if (client_id == NULL || *client_id == '\0' || client_secret == NULL ||
	    *client_secret == '\0')
		return -EINVAL;
	id = strdup(client_id);
	secret = strdup(client_secret);
	if (id == NULL || secret == NULL) {
		free(id);
		free(secret);
		return -ENOMEM;
	}
	pthread_mutex_lock(&f->lock);
	free(f->client_id);
	free(f->client_secret);
	f->client_id = id;
	f->client_secret = secret;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

const char *
fake_google_base_url(const struct fake_google *f)
{
	return f->base_url;
}

const char *
fake_google_auth_url(const struct fake_google *f)
{
	return f->auth_url;
}

const char *
fake_google_token_url(const struct fake_google *f)
{
	return f->token_url;
}

const char *
fake_google_revoke_url(const struct fake_google *f)
{
	return f->revoke_url;
}

const char *
fake_google_tasks_url(const struct fake_google *f)
{
	return f->tasks_url;
}

const char *
fake_google_calendar_url(const struct fake_google *f)
{
	return f->calendar_url;
}

uint16_t
fake_google_port(const struct fake_google *f)
{
	return f->port;
}

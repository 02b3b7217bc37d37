/*
 * fake_tg — the fake Telegram Bot API server of the test suites (see
 * fake_tg.h): the HTTP side on libmicrohttpd with a thread per connection,
 * so a handler may block (long polls, slow answers) without holding up
 * other clients; faults, canned replies and queued updates.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "tests/fake_tg_int.h"

#define BODY_MAX (1u << 20)
#define PP_BUFFER 65536
#define FIRST_UPDATE_ID 1000

#define NOT_FOUND                                                              \
	"{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}"
#define TOO_LARGE                                                              \
	"{\"ok\":false,\"error_code\":413,\"description\":\"Request Entity "   \
	"Too Large\"}"
#define BAD_GATEWAY                                                            \
	"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"  \
	"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/"      \
	"1.18.0</center>\r\n</body>\r\n</html>\r\n"

struct sbuf {
	char *data; /* NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

struct part {
	char *key;
	char *filename; /* NULL for a plain field */
	char *ctype;
	struct sbuf data;
};

/* What one HTTP request collects across the handler's calls. */
struct request {
	int64_t t_ns;
	struct sbuf body;
	bool too_big;
	bool form; /* urlencoded or multipart, parsed by pp */
	bool multipart;
	struct MHD_PostProcessor *pp;
	struct part *parts;
	size_t n_parts, cap_parts;
};

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct timespec
fake_tg_deadline(int64_t ms)
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

int
fake_tg_grow(void *pp, size_t *cap, size_t need, size_t elem)
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

static int
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (fake_tg_grow(&b->data, &b->cap, b->len + n + 1, 1) < 0)
		return -ENOMEM;
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* splitmix64: small, seedable, the same sequence everywhere. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
rng_double(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

/* ---- the HTTP side ---- */

static enum MHD_Result
on_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off, size_t size)
{
	struct request *rq = cls;
	struct part *pt;

	if (key == NULL)
		return MHD_YES;
	pt = rq->n_parts ? &rq->parts[rq->n_parts - 1] : NULL;
	if (pt == NULL || off == 0 || strcmp(pt->key, key) != 0) {
		if (fake_tg_grow(&rq->parts, &rq->cap_parts, rq->n_parts + 1,
		        sizeof(*rq->parts)) < 0)
			return MHD_NO;
		pt = &rq->parts[rq->n_parts++];
		memset(pt, 0, sizeof(*pt));
		pt->key = strdup(key);
		pt->filename = filename ? strdup(filename) : NULL;
		pt->ctype = content_type ? strdup(content_type) : NULL;
		if (pt->key == NULL)
			return MHD_NO;
	}
	return sbuf_add(&pt->data, data ? data : "", data ? size : 0) < 0
	    ? MHD_NO
	    : MHD_YES;
}

static enum MHD_Result
on_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	json_object_object_add(
	    cls, key, json_object_new_string(value ? value : ""));
	return MHD_YES;
}

/*
 * The request's parameters as one JSON object (query first, then the
 * body's fields over them) and the text to record as its body.  NULL when
 * a JSON body does not parse to an object.
 */
static struct json_object *
collect_params(struct MHD_Connection *c, struct request *rq, char **ret_body)
{
	struct json_object *p = json_object_new_object(), *body;

	*ret_body = NULL;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, on_query, p);
	if (rq->form) {
		for (size_t i = 0; i < rq->n_parts; i++) {
			struct part *pt = &rq->parts[i];
			const char *data = pt->data.data ? pt->data.data : "";
			struct json_object *v;

			if (pt->filename == NULL) {
				v = json_object_new_string(data);
			} else {
				v = json_object_new_object();
				json_object_object_add(v, "filename",
				    json_object_new_string(pt->filename));
				json_object_object_add(v, "content_type",
				    json_object_new_string(
				        pt->ctype ? pt->ctype : ""));
				json_object_object_add(
				    v, "data", json_object_new_string(data));
			}
			json_object_object_add(p, pt->key, v);
		}
		*ret_body = strdup(
		    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
		return p;
	}
	if (rq->body.len == 0) {
		*ret_body = strdup(
		    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
		return p;
	}
	*ret_body = strdup(rq->body.data);
	body = json_tokener_parse(rq->body.data);
	if (body == NULL || !json_object_is_type(body, json_type_object)) {
		json_object_put(body);
		json_object_put(p);
		return NULL;
	}
	json_object_object_foreach(body, key, val)
	    json_object_object_add(p, key, json_object_get(val));
	json_object_put(body);
	return p;
}

/* Sleep ms, or less when the fake stops. */
static void
pause_ms(struct fake_tg *f, int ms)
{
	struct timespec deadline = fake_tg_deadline(ms);

	pthread_mutex_lock(&f->lock);
	while (!f->stopping)
		if (pthread_cond_timedwait(&f->cond, &f->lock, &deadline) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&f->lock);
}

static void
record(struct fake_tg *f, struct fake_tg_req *rec)
{
	pthread_mutex_lock(&f->lock);
	if (fake_tg_grow(
	        &f->reqs, &f->cap_reqs, f->n_reqs + 1, sizeof(*f->reqs)) == 0) {
		f->reqs[f->n_reqs++] = *rec;
		rec->body = NULL;
	}
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	free(rec->body);
}

static bool
says_ok(const char *body)
{
	struct json_object *root = json_tokener_parse(body), *ok;
	bool r = root != NULL && json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "ok", &ok) &&
	    json_object_get_boolean(ok);

	json_object_put(root);
	return r;
}

static enum MHD_Result
respond(struct MHD_Connection *c, int status, const char *body)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(
	    strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    (*body == '{' || *body == '[') ? "application/json" : "text/html");
	r = MHD_queue_response(c, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* Split "/bot<token>/<method>"; false when the path or token is wrong. */
static bool
parse_path(const struct fake_tg *f, const char *url, char *method, size_t len)
{
	const char *rest, *slash;

	method[0] = '\0';
	if (strncmp(url, "/bot", 4) != 0)
		return false;
	rest = url + 4;
	slash = strchr(rest, '/');
	if (slash == NULL)
		return false;
	snprintf(method, len, "%s", slash + 1);
	return (size_t)(slash - rest) == strlen(f->token) &&
	    memcmp(rest, f->token, strlen(f->token)) == 0 && *method != '\0' &&
	    strchr(method, '/') == NULL;
}

/* Under f->lock: a canned reply or a drawn fault for this request. */
static enum fake_tg_outcome
decide(struct fake_tg *f, const char *method, int *status, char **body,
    int *delay_ms)
{
	bool hit = f->faults_on &&
	    (f->fault_method == NULL ||
	        strcasecmp(f->fault_method, method) == 0);
	double u;

	*delay_ms = hit ? f->faults.delay_ms : 0;
	if (f->n_canned > 0) {
		*status = f->canned[0].status;
		*body = f->canned[0].body;
		memmove(f->canned, f->canned + 1,
		    (f->n_canned - 1) * sizeof(*f->canned));
		f->n_canned--;
		return *status == 0 ? FAKE_TG_DROPPED : FAKE_TG_CANNED;
	}
	if (!hit)
		return FAKE_TG_ANSWERED;
	u = rng_double(&f->rng);
	if (u < f->faults.p_drop)
		return FAKE_TG_DROPPED;
	u -= f->faults.p_drop;
	if (u < f->faults.p_429) {
		int s = f->faults.retry_after > 0 ? f->faults.retry_after : 1;

		*status = 429;
		if (asprintf(body,
		        "{\"ok\":false,\"error_code\":429,\"description\":"
		        "\"Too Many Requests: retry after %d\",\"parameters\":"
		        "{\"retry_after\":%d}}",
		        s, s) < 0)
			*body = NULL;
		return FAKE_TG_FAULT_429;
	}
	u -= f->faults.p_429;
	if (u < f->faults.p_5xx) {
		if (rng_next(&f->rng) & 1) {
			*status = 502;
			*body = strdup(BAD_GATEWAY);
		} else {
			*status = 500;
			*body = strdup("{\"ok\":false,\"error_code\":500,"
			               "\"description\":\"Internal Server "
			               "Error\"}");
		}
		return FAKE_TG_FAULT_5XX;
	}
	return FAKE_TG_ANSWERED;
}

static char *
error_body(int status, const char *desc)
{
	struct json_object *o = json_object_new_object();
	char *s;

	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error_code", json_object_new_int(status));
	json_object_object_add(o, "description", json_object_new_string(desc));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static char *
ok_body(struct json_object *result)
{
	struct json_object *o = json_object_new_object();
	char *s;

	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "result", result);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* The last call of the handler for a request: everything has arrived. */
static enum MHD_Result
answer(struct fake_tg *f, struct MHD_Connection *c, const char *url,
    const char *verb, struct request *rq)
{
	const union MHD_ConnectionInfo *ci;
	struct fake_tg_req rec = {0};
	struct json_object *params = NULL;
	const struct fake_tg_method *m = NULL;
	struct fake_tg_answer a = {0};
	char *body = NULL;
	int status = 200, delay_ms;
	enum MHD_Result ret;

	rec.t_ns = rq->t_ns;
	rec.multipart = rq->multipart;
	snprintf(rec.verb, sizeof(rec.verb), "%s", verb);
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL)
		rec.conn = (uint64_t)(uintptr_t)ci->socket_context;
	if (rq->pp != NULL) {
		/* urlencoded forms hand over their last value only here */
		MHD_destroy_post_processor(rq->pp);
		rq->pp = NULL;
	}
	if (!parse_path(f, url, rec.method, sizeof(rec.method)) ||
	    (m = fake_tg_find_method(rec.method)) == NULL) {
		rec.outcome = FAKE_TG_NOT_FOUND;
		rec.status = 404;
		rec.body = strdup(rq->body.data ? rq->body.data : "");
		record(f, &rec);
		return respond(c, 404, NOT_FOUND);
	}
	if (rq->too_big) {
		rec.status = 413;
		rec.body = strdup("");
		record(f, &rec);
		return respond(c, 413, TOO_LARGE);
	}
	params = collect_params(c, rq, &rec.body);
	if (params != NULL)
		rec.has_chat_id =
		    fake_tg_param_int(params, "chat_id", &rec.chat_id);

	pthread_mutex_lock(&f->lock);
	rec.outcome = decide(f, rec.method, &status, &body, &delay_ms);
	pthread_mutex_unlock(&f->lock);
	if (delay_ms > 0)
		pause_ms(f, delay_ms);

	if (rec.outcome == FAKE_TG_ANSWERED) {
		if (params == NULL) {
			status = 400;
			body = error_body(400,
			    "Bad Request: can't parse "
			    "JSON object");
		} else {
			pthread_mutex_lock(&f->lock);
			status = m->fn(f, params, &a);
			pthread_mutex_unlock(&f->lock);
			body = status == 200 ? ok_body(a.result)
			                     : error_body(status, a.desc);
		}
	}
	json_object_put(params);
	rec.status = rec.outcome == FAKE_TG_DROPPED ? 0 : status;
	rec.ok = rec.status == 200 && body != NULL && says_ok(body);
	record(f, &rec);
	if (rec.outcome == FAKE_TG_DROPPED) {
		free(body);
		return MHD_NO;
	}
	ret = body ? respond(c, status, body) : MHD_NO;
	free(body);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *verb, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct fake_tg *f = cls;
	struct request *rq = *con_cls;

	if (rq == NULL) {
		const char *ct = MHD_lookup_connection_value(
		    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

		rq = calloc(1, sizeof(*rq));
		if (rq == NULL)
			return MHD_NO;
		rq->t_ns = now_ns();
		if (ct != NULL &&
		    (strncasecmp(ct, "multipart/form-data", 19) == 0 ||
		        strncasecmp(ct, "application/x-www-form-urlencoded",
		            33) == 0)) {
			rq->multipart = strncasecmp(ct, "multipart", 9) == 0;
			rq->pp = MHD_create_post_processor(
			    c, PP_BUFFER, on_field, rq);
			rq->form = rq->pp != NULL;
		}
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (rq->body.len + *upload_size > BODY_MAX)
			rq->too_big = true;
		else if (rq->form)
			MHD_post_process(rq->pp, upload, *upload_size);
		else if (sbuf_add(&rq->body, upload, *upload_size) < 0)
			rq->too_big = true;
		if (rq->form)
			rq->body.len += *upload_size; /* counted, not kept */
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
	if (rq->pp != NULL)
		MHD_destroy_post_processor(rq->pp);
	for (size_t i = 0; i < rq->n_parts; i++) {
		free(rq->parts[i].key);
		free(rq->parts[i].filename);
		free(rq->parts[i].ctype);
		free(rq->parts[i].data.data);
	}
	free(rq->parts);
	free(rq->body.data);
	free(rq);
	*con_cls = NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct fake_tg *f = cls;

	if (toe != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	pthread_mutex_lock(&f->lock);
	*socket_context = (void *)(uintptr_t)++f->conns;
	pthread_mutex_unlock(&f->lock);
}

/* ---- the public API ---- */

static void
free_state(struct fake_tg *f)
{
	for (size_t i = 0; i < f->n_canned; i++)
		free(f->canned[i].body);
	free(f->canned);
	fake_tg_drop_updates(f, f->n_updates);
	free(f->updates);
	for (size_t i = 0; i < f->n_msgs; i++) {
		free(f->msgs[i].text);
		free(f->msgs[i].markup);
	}
	free(f->msgs);
	free(f->chats);
	free(f->webhook_url);
	free(f->fault_method);
	for (size_t i = 0; i < f->n_reqs; i++)
		free(f->reqs[i].body);
	free(f->reqs);
}

int
fake_tg_start(const char *token, struct fake_tg **ret)
{
	struct sockaddr_in sa = {0};
	const union MHD_DaemonInfo *info;
	pthread_condattr_t ca;
	struct fake_tg *f;

	if (token == NULL || *token == '\0' || strlen(token) >= 256 ||
	    ret == NULL)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	snprintf(f->token, sizeof(f->token), "%s", token);
	f->bot_id = strtoll(token, NULL, 10);
	if (f->bot_id <= 0)
		f->bot_id = 1;
	f->next_update_id = FIRST_UPDATE_ID;
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cond, &ca);
	pthread_condattr_destroy(&ca);

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	f->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
	    0, NULL, NULL, on_request, f, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    f, MHD_OPTION_NOTIFY_CONNECTION, on_connection, f,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120, MHD_OPTION_END);
	info = f->daemon
	    ? MHD_get_daemon_info(f->daemon, MHD_DAEMON_INFO_BIND_PORT)
	    : NULL;
	if (info == NULL || info->port == 0) {
		if (f->daemon != NULL)
			MHD_stop_daemon(f->daemon);
		pthread_cond_destroy(&f->cond);
		pthread_mutex_destroy(&f->lock);
		free(f);
		return -EADDRNOTAVAIL;
	}
	f->port = info->port;
	snprintf(f->base_url, sizeof(f->base_url), "http://127.0.0.1:%u",
	    (unsigned)f->port);
	*ret = f;
	return 0;
}

void
fake_tg_stop(struct fake_tg *f)
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

const char *
fake_tg_base_url(const struct fake_tg *f)
{
	return f->base_url;
}

uint16_t
fake_tg_port(const struct fake_tg *f)
{
	return f->port;
}

int
fake_tg_set_next_reply(struct fake_tg *f, int status, const char *body)
{
	char *copy = strdup(body ? body : "");
	int r = 0;

	if (copy == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&f->lock);
	if (fake_tg_grow(&f->canned, &f->cap_canned, f->n_canned + 1,
	        sizeof(*f->canned)) < 0) {
		free(copy);
		r = -ENOMEM;
	} else {
		f->canned[f->n_canned++] =
		    (struct fake_tg_canned){status, copy};
	}
	pthread_mutex_unlock(&f->lock);
	return r;
}

int64_t
fake_tg_push_update(struct fake_tg *f, const char *json)
{
	struct json_object *o = json ? json_tokener_parse(json) : NULL, *v;
	struct fake_tg_update u = {0};
	int64_t r;
	size_t i;

	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EINVAL;
	}
	pthread_mutex_lock(&f->lock);
	if (json_object_object_get_ex(o, "update_id", &v) &&
	    json_object_is_type(v, json_type_int)) {
		u.id = json_object_get_int64(v);
	} else {
		u.id = f->next_update_id;
		json_object_object_add(
		    o, "update_id", json_object_new_int64(u.id));
	}
	u.json =
	    strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	if (u.json == NULL ||
	    fake_tg_grow(&f->updates, &f->cap_updates, f->n_updates + 1,
	        sizeof(*f->updates))) {
		free(u.json);
		r = -ENOMEM;
		goto out;
	}
	if (u.id >= f->next_update_id)
		f->next_update_id = u.id + 1;
	for (i = f->n_updates; i > 0 && f->updates[i - 1].id > u.id; i--)
		;
	memmove(f->updates + i + 1, f->updates + i,
	    (f->n_updates - i) * sizeof(*f->updates));
	f->updates[i] = u;
	f->n_updates++;
	pthread_cond_broadcast(&f->cond);
	r = u.id;
out:
	pthread_mutex_unlock(&f->lock);
	json_object_put(o);
	return r;
}

size_t
fake_tg_pending_updates(struct fake_tg *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->n_updates;
	pthread_mutex_unlock(&f->lock);
	return n;
}

bool
fake_tg_webhook(struct fake_tg *f, char *buf, size_t len)
{
	bool set;

	pthread_mutex_lock(&f->lock);
	set = f->webhook_url != NULL;
	if (len > 0)
		snprintf(buf, len, "%s", set ? f->webhook_url : "");
	pthread_mutex_unlock(&f->lock);
	return set;
}

void
fake_tg_set_faults(struct fake_tg *f, const struct fake_tg_faults *x)
{
	char *method = x && x->method ? strdup(x->method) : NULL;

	pthread_mutex_lock(&f->lock);
	free(f->fault_method);
	f->fault_method = method;
	f->faults_on = x != NULL;
	memset(&f->faults, 0, sizeof(f->faults));
	if (x != NULL) {
		f->faults = *x;
		f->faults.method = NULL;
		f->rng = x->seed;
	}
	pthread_mutex_unlock(&f->lock);
}

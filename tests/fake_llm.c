/*
 * fake_llm — the fake OpenAI-compatible chat completions server of the
 * tests (see fake_llm.h): libmicrohttpd with a thread per connection, so
 * a slow answer holds up no other client.  All state is guarded by
 * f->lock; f->cond wakes delays when the fake stops.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tests/fake_llm.h"

#define BODY_MAX (1u << 20)
#define KEY_MAX 512
#define ECHO_TITLE_MAX 120
#define PATH "/v1/chat/completions"

#define ERR_401                                                                \
	"{\"error\":{\"message\":\"Incorrect API key provided: %s. You can "   \
	"find your API key at https://platform.openai.com/account/api-keys."   \
	"\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":"       \
	"\"invalid_api_key\"}}"
#define ERR_429                                                                \
	"{\"error\":{\"message\":\"Rate limit reached for %s in organization " \
	"org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. "   \
	"Please try again in 20s.\",\"type\":\"requests\",\"param\":null,"     \
	"\"code\":\"rate_limit_exceeded\"}}"
#define ERR_500                                                                \
	"{\"error\":{\"message\":\"The server had an error while processing "  \
	"your request. Sorry about that!\",\"type\":\"server_error\","         \
	"\"param\":null,\"code\":null}}"
#define ERR_404                                                                \
	"{\"error\":{\"message\":\"Invalid URL (%s %s)\",\"type\":"            \
	"\"invalid_request_error\",\"param\":null,\"code\":null}}"
#define ERR_413                                                                \
	"{\"error\":{\"message\":\"Request too large\",\"type\":"              \
	"\"invalid_request_error\",\"param\":null,\"code\":null}}"
#define SCHEMA_BREAKER                                                         \
	"{\"kind\":\"meeting\",\"title\":\"x\",\"notes\":\"\",\"date\":\"\","  \
	"\"time\":\"\",\"end_time\":\"\",\"duration_min\":0,\"location\":"     \
	"\"\",\"priority\":0,\"subtasks\":[],\"question\":\"\"}"

struct raw {
	int status;
	char *body;
};

struct fake_llm {
	struct MHD_Daemon *daemon;
	char key[KEY_MAX + 1]; /* "" = no check */
	char base_url[64];
	uint16_t port;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC; broadcast on stop */
	bool stopping;

	char **replies; /* queued contents */
	size_t n_replies, cap_replies;
	char *fixed; /* NULL = echo */
	struct raw *raws;
	size_t n_raws, cap_raws;

	enum fake_llm_fault fault;
	int fault_n; /* < 0 = until cleared */
	int retry_after;
	int delay_ms;
	bool usage_set;
	int64_t usage_prompt, usage_completion;

	size_t count, count_ok;
	uint64_t next_id;
	char *last_body;
	char last_auth[KEY_MAX + 64];
	bool has_auth;
};

/* What one HTTP request collects across the handler's calls. */
struct request {
	char *body;
	size_t len, cap;
	bool too_big;
};

/* How one request is to be answered, decided under the lock. */
struct plan {
	int status;    /* 0 = drop */
	char *body;    /* the whole HTTP body, when already known */
	char *content; /* else the completion's content */
	const char *finish;
	int retry_after;
	bool ok;
};

static int
grow(void *pp, size_t *cap, size_t need, size_t elem)
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

static struct timespec
deadline(int64_t ms)
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

/* Sleep ms, or less when the fake stops. */
static void
pause_ms(struct fake_llm *f, int ms)
{
	struct timespec dl = deadline(ms);

	pthread_mutex_lock(&f->lock);
	while (!f->stopping)
		if (pthread_cond_timedwait(&f->cond, &f->lock, &dl) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&f->lock);
}

static char *
dup_json(struct json_object *o)
{
	char *s = strdup(json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return s;
}

static char *printf_dup(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *
printf_dup(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static struct json_object *
get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* ---- the request ---- */

static char *
bad_request(const char *msg, const char *param)
{
	struct json_object *o = json_object_new_object();
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(
	    e, "type", json_object_new_string("invalid_request_error"));
	json_object_object_add(e, "param", json_object_new_string(param));
	json_object_object_add(e, "code", NULL);
	json_object_object_add(o, "error", e);
	return dup_json(o);
}

/*
 * Check what OpenAI would refuse: NULL when the request is good, else a
 * 400 body.  *user gets the last user message's content (borrowed from
 * req) and *prompt_bytes the size of every message's content.
 */
static char *
check_request(struct json_object *req, const char **user, size_t *prompt_bytes)
{
	struct json_object *model, *msgs, *rf, *js, *v;

	*user = "";
	*prompt_bytes = 0;
	if (!json_object_is_type(req, json_type_object))
		return bad_request("We could not parse the JSON body of your "
		                   "request.",
		    "body");
	model = get(req, "model");
	if (!json_object_is_type(model, json_type_string) ||
	    json_object_get_string_len(model) == 0)
		return bad_request(
		    "Missing required parameter: 'model'.", "model");
	msgs = get(req, "messages");
	if (!json_object_is_type(msgs, json_type_array) ||
	    json_object_array_length(msgs) == 0)
		return bad_request(
		    "Missing required parameter: 'messages'.", "messages");
	for (size_t i = 0; i < json_object_array_length(msgs); i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i);
		struct json_object *role = get(m, "role");
		struct json_object *content = get(m, "content");

		if (!json_object_is_type(role, json_type_string) ||
		    !json_object_is_type(content, json_type_string))
			return bad_request("Invalid message: role and content "
			                   "must be strings.",
			    "messages");
		*prompt_bytes += (size_t)json_object_get_string_len(content);
		if (strcmp(json_object_get_string(role), "user") == 0)
			*user = json_object_get_string(content);
	}
	rf = get(req, "response_format");
	v = get(rf, "type");
	js = get(rf, "json_schema");
	if (!json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "json_schema") != 0 ||
	    !json_object_is_type(get(js, "name"), json_type_string) ||
	    !json_object_is_type(get(js, "schema"), json_type_object))
		return bad_request("Invalid 'response_format': expected "
		                   "json_schema with a name and a schema.",
		    "response_format");
	return NULL;
}

/* The default content: the user's words as a task's title. */
static char *
echo_content(const char *user)
{
	struct json_object *o = json_object_new_object();
	char title[ECHO_TITLE_MAX + 1];
	size_t n = strlen(user), i;

	while (n > 0 && (*user == ' ' || *user == '\n' || *user == '\t')) {
		user++;
		n--;
	}
	if (n > ECHO_TITLE_MAX) {
		n = ECHO_TITLE_MAX;
		while (n > 0 && ((unsigned char)user[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++)
		title[i] = (unsigned char)user[i] < 0x20 ? ' ' : user[i];
	while (i > 0 && title[i - 1] == ' ')
		i--;
	title[i] = '\0';
	json_object_object_add(o, "kind", json_object_new_string("task"));
	json_object_object_add(o, "title", json_object_new_string(title));
	json_object_object_add(o, "notes", json_object_new_string(""));
	json_object_object_add(o, "date", json_object_new_string(""));
	json_object_object_add(o, "time", json_object_new_string(""));
	json_object_object_add(o, "end_time", json_object_new_string(""));
	json_object_object_add(o, "duration_min", json_object_new_int(0));
	json_object_object_add(o, "location", json_object_new_string(""));
	json_object_object_add(o, "priority", json_object_new_int(0));
	json_object_object_add(o, "subtasks", json_object_new_array());
	json_object_object_add(o, "question", json_object_new_string(""));
	return dup_json(o);
}

/* Under f->lock: a fault for this good request, or false. */
static bool
take_fault(struct fake_llm *f, const char *model, struct plan *pl)
{
	enum fake_llm_fault fault = f->fault;

	if (fault == FAKE_LLM_FAULT_NONE || f->fault_n == 0)
		return false;
	if (f->fault_n > 0 && --f->fault_n == 0)
		f->fault = FAKE_LLM_FAULT_NONE;
	switch (fault) {
	case FAKE_LLM_FAULT_429:
		pl->status = 429;
		pl->body = printf_dup(ERR_429, model);
		pl->retry_after = f->retry_after;
		return true;
	case FAKE_LLM_FAULT_500:
		pl->status = 500;
		pl->body = strdup(ERR_500);
		return true;
	case FAKE_LLM_FAULT_DROP:
		pl->status = 0;
		return true;
	case FAKE_LLM_FAULT_BAD_JSON:
		pl->content = strdup("{not json");
		return false;
	case FAKE_LLM_FAULT_SCHEMA:
		pl->content = strdup(SCHEMA_BREAKER);
		return false;
	case FAKE_LLM_FAULT_NO_CHOICES:
		pl->status = 200;
		pl->body =
		    printf_dup("{\"id\":\"chatcmpl-fake-empty\",\"object\":"
		               "\"chat.completion\",\"created\":%lld,"
		               "\"model\":\"%s\",\"choices\":[]}",
		        (long long)time(NULL), model);
		return true;
	case FAKE_LLM_FAULT_TRUNCATED:
		pl->content = strdup("{\"kind\":\"task\",\"title\":\"Buy mi");
		pl->finish = "length";
		return false;
	case FAKE_LLM_FAULT_NONE:
		break;
	}
	return false;
}

/* Under f->lock: the content of a completion. */
static char *
next_content(struct fake_llm *f, const char *user)
{
	char *c;

	if (f->n_replies > 0) {
		c = f->replies[0];
		memmove(f->replies, f->replies + 1,
		    (f->n_replies - 1) * sizeof(*f->replies));
		f->n_replies--;
		return c;
	}
	if (f->fixed != NULL)
		return strdup(f->fixed);
	return echo_content(user);
}

static char *
completion_body(struct fake_llm *f, uint64_t id, const char *model,
    const char *content, const char *finish, size_t prompt_bytes)
{
	struct json_object *o = json_object_new_object();
	struct json_object *choices = json_object_new_array();
	struct json_object *choice = json_object_new_object();
	struct json_object *msg = json_object_new_object();
	struct json_object *usage;
	char idbuf[48];
	int64_t pt, ct;

	snprintf(
	    idbuf, sizeof(idbuf), "chatcmpl-fake-%llu", (unsigned long long)id);
	json_object_object_add(o, "id", json_object_new_string(idbuf));
	json_object_object_add(
	    o, "object", json_object_new_string("chat.completion"));
	json_object_object_add(o, "created", json_object_new_int64(time(NULL)));
	json_object_object_add(o, "model", json_object_new_string(model));
	json_object_object_add(
	    msg, "role", json_object_new_string("assistant"));
	json_object_object_add(msg, "content", json_object_new_string(content));
	json_object_object_add(choice, "index", json_object_new_int(0));
	json_object_object_add(choice, "message", msg);
	json_object_object_add(
	    choice, "finish_reason", json_object_new_string(finish));
	json_object_array_add(choices, choice);
	json_object_object_add(o, "choices", choices);
	pthread_mutex_lock(&f->lock);
	if (f->usage_set) {
		pt = f->usage_prompt;
		ct = f->usage_completion;
	} else {
		pt = (int64_t)(prompt_bytes + 3) / 4;
		ct = (int64_t)(strlen(content) + 3) / 4;
	}
	pthread_mutex_unlock(&f->lock);
	if (pt >= 0) {
		usage = json_object_new_object();
		json_object_object_add(
		    usage, "prompt_tokens", json_object_new_int64(pt));
		json_object_object_add(
		    usage, "completion_tokens", json_object_new_int64(ct));
		json_object_object_add(
		    usage, "total_tokens", json_object_new_int64(pt + ct));
		json_object_object_add(o, "usage", usage);
	}
	return dup_json(o);
}

/* ---- the HTTP side ---- */

static enum MHD_Result
respond(struct MHD_Connection *c, int status, const char *body, int retry_after)
{
	struct MHD_Response *resp;
	enum MHD_Result r;
	char ra[16];

	resp = MHD_create_response_from_buffer(
	    strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    (*body == '{' || *body == '[') ? "application/json"
	                                   : "text/html; charset=utf-8");
	if (retry_after > 0) {
		snprintf(ra, sizeof(ra), "%d", retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	r = MHD_queue_response(c, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* OpenAI shows a wrong key's first three and last four characters. */
static void
mask_key(const char *given, char *out, size_t len)
{
	size_t n = strlen(given);

	if (n < 8)
		snprintf(out, len, "%s", n ? "***" : "");
	else
		snprintf(out, len, "%.3s***%s", given, given + n - 4);
}

/* Record the request; under no lock. */
static void
record(struct fake_llm *f, const char *body, const char *auth)
{
	char *copy = strdup(body);

	pthread_mutex_lock(&f->lock);
	f->count++;
	free(f->last_body);
	f->last_body = copy;
	f->has_auth = auth != NULL;
	snprintf(f->last_auth, sizeof(f->last_auth), "%s", auth ? auth : "");
	pthread_mutex_unlock(&f->lock);
}

/* The last call of the handler for a request: everything has arrived. */
static enum MHD_Result
answer(struct fake_llm *f, struct MHD_Connection *c, const char *url,
    const char *verb, struct request *rq)
{
	const char *auth = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *body = rq->body ? rq->body : "";
	struct json_object *req = NULL;
	struct plan pl = {.status = 200, .finish = "stop"};
	char masked[32], model[128];
	const char *user;
	size_t prompt_bytes;
	uint64_t id;
	int delay;
	enum MHD_Result ret;

	record(f, body, auth);
	pthread_mutex_lock(&f->lock);
	delay = f->delay_ms;
	pthread_mutex_unlock(&f->lock);
	if (delay > 0)
		pause_ms(f, delay);

	if (strcmp(url, PATH) != 0 || strcmp(verb, "POST") != 0) {
		char *b = printf_dup(ERR_404, verb, url);

		ret = b ? respond(c, 404, b, 0) : MHD_NO;
		free(b);
		return ret;
	}
	if (f->key[0] != '\0' &&
	    (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 ||
	        strcmp(auth + 7, f->key) != 0)) {
		char *b;

		mask_key(
		    auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : "",
		    masked, sizeof(masked));
		b = printf_dup(ERR_401, masked);
		ret = b ? respond(c, 401, b, 0) : MHD_NO;
		free(b);
		return ret;
	}
	if (rq->too_big)
		return respond(c, 413, ERR_413, 0);

	pthread_mutex_lock(&f->lock);
	if (f->n_raws > 0) {
		struct raw r = f->raws[0];

		memmove(
		    f->raws, f->raws + 1, (f->n_raws - 1) * sizeof(*f->raws));
		f->n_raws--;
		pthread_mutex_unlock(&f->lock);
		ret = r.status == 0 ? MHD_NO : respond(c, r.status, r.body, 0);
		free(r.body);
		return ret;
	}
	pthread_mutex_unlock(&f->lock);

	req = json_tokener_parse(body);
	pl.body = check_request(req, &user, &prompt_bytes);
	if (pl.body != NULL) {
		json_object_put(req);
		ret = respond(c, 400, pl.body, 0);
		free(pl.body);
		return ret;
	}
	snprintf(model, sizeof(model), "%s",
	    json_object_get_string(get(req, "model")));

	pthread_mutex_lock(&f->lock);
	id = ++f->next_id;
	if (!take_fault(f, model, &pl) && pl.content == NULL)
		pl.content = next_content(f, user);
	pthread_mutex_unlock(&f->lock);

	if (pl.status == 0) {
		ret = MHD_NO; /* dropped */
	} else if (pl.body == NULL && pl.content == NULL) {
		ret = MHD_NO; /* out of memory */
	} else {
		if (pl.body == NULL) {
			pl.body = completion_body(
			    f, id, model, pl.content, pl.finish, prompt_bytes);
			pl.ok = true;
		} else {
			pl.ok = pl.status == 200 &&
			    strstr(pl.body, "\"choices\":[]") == NULL;
		}
		ret = pl.body ? respond(c, pl.status, pl.body, pl.retry_after)
		              : MHD_NO;
		if (pl.ok && ret == MHD_YES) {
			pthread_mutex_lock(&f->lock);
			f->count_ok++;
			pthread_mutex_unlock(&f->lock);
		}
	}
	free(pl.body);
	free(pl.content);
	json_object_put(req);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *verb, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct fake_llm *f = cls;
	struct request *rq = *con_cls;

	if (rq == NULL) {
		rq = calloc(1, sizeof(*rq));
		if (rq == NULL)
			return MHD_NO;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (rq->too_big || rq->len + *upload_size > BODY_MAX ||
		    grow(&rq->body, &rq->cap, rq->len + *upload_size + 1, 1) <
		        0) {
			rq->too_big = true;
		} else {
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
			rq->body[rq->len] = '\0';
		}
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

int
fake_llm_start(const char *key, struct fake_llm **ret)
{
	struct sockaddr_in sa = {0};
	const union MHD_DaemonInfo *info;
	pthread_condattr_t ca;
	struct fake_llm *f;

	if (ret == NULL || (key != NULL && strlen(key) > KEY_MAX))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	snprintf(f->key, sizeof(f->key), "%s", key ? key : "");
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cond, &ca);
	pthread_condattr_destroy(&ca);
	f->retry_after = 0;

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	f->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
	    0, NULL, NULL, on_request, f, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    f, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
	    MHD_OPTION_END);
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
	snprintf(f->base_url, sizeof(f->base_url), "http://127.0.0.1:%u/v1",
	    (unsigned)f->port);
	*ret = f;
	return 0;
}

void
fake_llm_stop(struct fake_llm *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->lock);
	f->stopping = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	MHD_stop_daemon(f->daemon);
	for (size_t i = 0; i < f->n_replies; i++)
		free(f->replies[i]);
	free(f->replies);
	for (size_t i = 0; i < f->n_raws; i++)
		free(f->raws[i].body);
	free(f->raws);
	free(f->fixed);
	free(f->last_body);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

const char *
fake_llm_base_url(const struct fake_llm *f)
{
	return f->base_url;
}

uint16_t
fake_llm_port(const struct fake_llm *f)
{
	return f->port;
}

int
fake_llm_set_reply(struct fake_llm *f, const char *content)
{
	char *copy = NULL;

	if (content != NULL && (copy = strdup(content)) == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&f->lock);
	free(f->fixed);
	f->fixed = copy;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

int
fake_llm_push_reply(struct fake_llm *f, const char *content)
{
	char *copy = strdup(content ? content : "");
	int r = 0;

	if (copy == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&f->lock);
	if (grow(&f->replies, &f->cap_replies, f->n_replies + 1,
	        sizeof(*f->replies)) < 0) {
		free(copy);
		r = -ENOMEM;
	} else {
		f->replies[f->n_replies++] = copy;
	}
	pthread_mutex_unlock(&f->lock);
	return r;
}

int
fake_llm_push_raw(struct fake_llm *f, int status, const char *body)
{
	char *copy = strdup(body ? body : "");
	int r = 0;

	if (copy == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&f->lock);
	if (grow(&f->raws, &f->cap_raws, f->n_raws + 1, sizeof(*f->raws)) < 0) {
		free(copy);
		r = -ENOMEM;
	} else {
		f->raws[f->n_raws++] = (struct raw){status, copy};
	}
	pthread_mutex_unlock(&f->lock);
	return r;
}

void
fake_llm_set_fault(
    struct fake_llm *f, enum fake_llm_fault fault, int n, int retry_after_s)
{
	pthread_mutex_lock(&f->lock);
	f->fault = n == 0 ? FAKE_LLM_FAULT_NONE : fault;
	f->fault_n = fault == FAKE_LLM_FAULT_NONE ? 0 : n;
	f->retry_after = retry_after_s > 0 ? retry_after_s : 0;
	pthread_mutex_unlock(&f->lock);
}

void
fake_llm_set_delay_ms(struct fake_llm *f, int delay_ms)
{
	pthread_mutex_lock(&f->lock);
	f->delay_ms = delay_ms > 0 ? delay_ms : 0;
	pthread_mutex_unlock(&f->lock);
}

void
fake_llm_set_usage(struct fake_llm *f, int64_t prompt, int64_t completion)
{
	pthread_mutex_lock(&f->lock);
	f->usage_set = true;
	f->usage_prompt = prompt;
	f->usage_completion = completion;
	pthread_mutex_unlock(&f->lock);
}

void
fake_llm_default_usage(struct fake_llm *f)
{
	pthread_mutex_lock(&f->lock);
	f->usage_set = false;
	pthread_mutex_unlock(&f->lock);
}

size_t
fake_llm_count(struct fake_llm *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->count;
	pthread_mutex_unlock(&f->lock);
	return n;
}

size_t
fake_llm_count_ok(struct fake_llm *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->count_ok;
	pthread_mutex_unlock(&f->lock);
	return n;
}

char *
fake_llm_last_body(struct fake_llm *f)
{
	char *s;

	pthread_mutex_lock(&f->lock);
	s = f->last_body ? strdup(f->last_body) : NULL;
	pthread_mutex_unlock(&f->lock);
	return s;
}

bool
fake_llm_last_auth(struct fake_llm *f, char *buf, size_t len)
{
	bool has;

	pthread_mutex_lock(&f->lock);
	has = f->has_auth;
	if (len > 0)
		snprintf(buf, len, "%s", f->last_auth);
	pthread_mutex_unlock(&f->lock);
	return has;
}

void
fake_llm_clear(struct fake_llm *f)
{
	pthread_mutex_lock(&f->lock);
	f->count = 0;
	f->count_ok = 0;
	free(f->last_body);
	f->last_body = NULL;
	f->has_auth = false;
	f->last_auth[0] = '\0';
	pthread_mutex_unlock(&f->lock);
}

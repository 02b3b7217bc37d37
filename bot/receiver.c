/*
 * receiver — the webhook HTTP server: checks each request, hands accepted
 * updates to the group committer and answers once they are durable.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bot/ingest.h"
#include "bot/oauth_callback.h"
#include "bot/receiver.h"
#include "common/log.h"
#include "common/timeutil.h"

#define DEFAULT_THREADS 8
#define DEFAULT_MAX_CONNS 256
#define DEFAULT_TIMEOUT_S 10
#define UPLOAD_DEADLINE_NS (30 * 1000000000LL) /* whole body, however slow */
#define REFUSAL_LOG_EVERY_NS (60 * 1000000000LL)
#define SECRET_HEADER "X-Telegram-Bot-Api-Secret-Token"

/* Canned answers, made once and shared by every request. */
enum answer {
	A_OK,
	A_BAD_JSON,
	A_NOT_UPDATE,
	A_UNAUTHORIZED,
	A_NOT_FOUND,
	A_METHOD,
	A_METHOD_GET,
	A_TOO_LARGE,
	A_MEDIA_TYPE,
	A_STORE,
	A_NANSWERS
};

static const struct {
	unsigned status;
	const char *body;
	const char *allow; /* Allow header of a 405, or NULL */
} answers[A_NANSWERS] = {
    [A_OK] = {MHD_HTTP_OK, "", NULL},
    [A_BAD_JSON] = {MHD_HTTP_BAD_REQUEST,
        "{\"ok\":false,\"error\":\"the body is not a JSON object\"}", NULL},
    [A_NOT_UPDATE] = {MHD_HTTP_BAD_REQUEST,
        "{\"ok\":false,\"error\":\"not a Telegram Update (no integer "
        "update_id)\"}",
        NULL},
    [A_UNAUTHORIZED] = {MHD_HTTP_UNAUTHORIZED,
        "{\"ok\":false,\"error\":\"wrong or missing secret token\"}", NULL},
    [A_NOT_FOUND] = {MHD_HTTP_NOT_FOUND,
        "{\"ok\":false,\"error\":\"not found\"}", NULL},
    [A_METHOD] = {MHD_HTTP_METHOD_NOT_ALLOWED,
        "{\"ok\":false,\"error\":\"only POST\"}", "POST"},
    [A_METHOD_GET] = {MHD_HTTP_METHOD_NOT_ALLOWED,
        "{\"ok\":false,\"error\":\"only GET\"}", "GET"},
    [A_TOO_LARGE] = {MHD_HTTP_CONTENT_TOO_LARGE,
        "{\"ok\":false,\"error\":\"the body is over 1 MiB\"}", NULL},
    [A_MEDIA_TYPE] = {MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
        "{\"ok\":false,\"error\":\"Content-Type must be "
        "application/json\"}",
        NULL},
    [A_STORE] = {MHD_HTTP_INTERNAL_SERVER_ERROR,
        "{\"ok\":false,\"error\":\"the update could not be stored; "
        "send it again\"}",
        NULL},
};

/* Why requests are refused; each class is logged at most once a minute. */
enum refusal { R_SECRET, R_JSON, R_SIZE, R_TYPE, R_ROUTE, R_STORE, R_N };

static const char *const refusal_names[R_N] = {
    [R_SECRET] = "wrong or missing secret token (401)",
    [R_JSON] = "body is not a Telegram Update (400)",
    [R_SIZE] = "body over 1 MiB or too slow (413)",
    [R_TYPE] = "Content-Type is not application/json (415)",
    [R_ROUTE] = "wrong path or method (404/405)",
    [R_STORE] = "the queue could not store the update (500)",
};

struct receiver {
	const struct receiver_opts *o;
	size_t secret_len;
	struct ingest *ingest;
	struct MHD_Response *resp[A_NANSWERS];
	_Atomic int64_t refusal_logged_ns[R_N];
	atomic_long refusal_count[R_N]; /* since the last line */
};

/* One webhook request: its body as it arrives. */
struct req {
	char *body;
	size_t len, cap;
	int64_t start_ns;
};

/*
 * Count a refusal and log a line for its class at most once a minute, so a
 * flood of bad requests cannot flood the log.  detail is a short reason.
 */
static void
refused(struct receiver *rv, struct MHD_Connection *conn, enum refusal why,
    const char *detail)
{
	const union MHD_ConnectionInfo *ci;
	char addr[INET6_ADDRSTRLEN] = "?";
	int64_t now = time_mono_ns(), last;
	long n;

	atomic_fetch_add(&rv->refusal_count[why], 1);
	last = atomic_load(&rv->refusal_logged_ns[why]);
	if (last != 0 && now - last < REFUSAL_LOG_EVERY_NS)
		return;
	if (!atomic_compare_exchange_strong(
	        &rv->refusal_logged_ns[why], &last, now))
		return; /* another thread logs this one */
	n = atomic_exchange(&rv->refusal_count[why], 0);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL) {
		const struct sockaddr *sa = ci->client_addr;

		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
			    &((const struct sockaddr_in *)sa)->sin_addr, addr,
			    sizeof(addr));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
			    &((const struct sockaddr_in6 *)sa)->sin6_addr, addr,
			    sizeof(addr));
	}
	log_warn("webhook: refused %ld request%s since the last such line: "
	         "%s (latest from %s: %s)",
	    n, n == 1 ? "" : "s", refusal_names[why], addr, detail);
}

static enum MHD_Result
answer(struct receiver *rv, struct MHD_Connection *conn, enum answer a)
{
	return MHD_queue_response(conn, answers[a].status, rv->resp[a]);
}

/*
 * Compare the secret header in time that depends only on the length of the
 * configured secret, never on where the first difference is.
 */
static bool
secret_ok(const struct receiver *rv, const char *got)
{
	const char *want = rv->o->secret;
	size_t got_len = got != NULL ? strlen(got) : 0;
	volatile unsigned char diff = got == NULL || got_len != rv->secret_len;

	for (size_t i = 0; i < rv->secret_len; i++)
		diff |= (unsigned char)want[i] ^
		    (unsigned char)(i < got_len ? got[i] : 0);
	return diff == 0;
}

/* "application/json", with or without parameters such as charset. */
static bool
is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	if (ct == NULL || strncasecmp(ct, want, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static enum MHD_Result
healthz(struct receiver *rv, struct MHD_Connection *conn, const char *method)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char body[96];
	int64_t depth = 0;
	unsigned status = MHD_HTTP_OK;
	int r;

	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return answer(rv, conn, A_METHOD_GET);
	r = ingest_depth(rv->ingest, &depth);
	if (r < 0) {
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
		snprintf(body, sizeof(body),
		    "{\"ok\":false,\"error\":\"the queue is unavailable\"}");
	} else {
		snprintf(body, sizeof(body),
		    "{\"ok\":true,\"queue_depth\":%lld}", (long long)depth);
	}
	resp = MHD_create_response_from_buffer(
	    strlen(body), body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(
	    resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * First call of a webhook request, headers only: refuse what can be refused
 * before reading the body (MHD then discards it and closes the connection).
 * Returns the request state to keep, or NULL with *ret set.
 */
static struct req *
check_headers(struct receiver *rv, struct MHD_Connection *conn,
    const char *method, enum MHD_Result *ret)
{
	const char *v;
	struct req *rq;
	size_t cap = 16 * 1024;

	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
		refused(rv, conn, R_ROUTE, method);
		*ret = answer(rv, conn, A_METHOD);
		return NULL;
	}
	if (rv->secret_len > 0 &&
	    !secret_ok(rv,
	        MHD_lookup_connection_value(
	            conn, MHD_HEADER_KIND, SECRET_HEADER))) {
		refused(rv, conn, R_SECRET, "nothing was enqueued");
		*ret = answer(rv, conn, A_UNAUTHORIZED);
		return NULL;
	}
	v = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!is_json_type(v)) {
		refused(rv, conn, R_TYPE, v != NULL ? v : "none");
		*ret = answer(rv, conn, A_MEDIA_TYPE);
		return NULL;
	}
	v = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (v != NULL) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(v, &end, 10);
		if (errno == 0 && *end == '\0' && n > RECV_BODY_MAX) {
			refused(rv, conn, R_SIZE, "Content-Length");
			*ret = answer(rv, conn, A_TOO_LARGE);
			return NULL;
		}
		if (errno == 0 && *end == '\0')
			cap = (size_t)n + 1;
	}
	rq = calloc(1, sizeof(*rq));
	if (rq == NULL || (rq->body = malloc(cap)) == NULL) {
		free(rq);
		*ret = MHD_NO;
		return NULL;
	}
	rq->cap = cap;
	rq->start_ns = time_mono_ns();
	*ret = MHD_YES;
	return rq;
}

/*
 * Append a piece of the body.  Past RECV_BODY_MAX (a chunked body: the
 * length was not known in advance) or past the upload deadline the
 * connection is dropped without reading more: nothing is stored.
 */
static enum MHD_Result
take_body(struct receiver *rv, struct MHD_Connection *conn, struct req *rq,
    const char *data, size_t *size)
{
	size_t n = *size;

	if (n > RECV_BODY_MAX - rq->len) {
		refused(rv, conn, R_SIZE, "chunked body over the limit");
		return MHD_NO;
	}
	if (time_mono_ns() - rq->start_ns > UPLOAD_DEADLINE_NS) {
		refused(rv, conn, R_SIZE, "body upload too slow");
		return MHD_NO;
	}
	if (rq->len + n + 1 > rq->cap) {
		size_t cap = rq->cap * 2;
		char *p;

		while (cap < rq->len + n + 1)
			cap *= 2;
		if (cap > RECV_BODY_MAX + 1)
			cap = RECV_BODY_MAX + 1;
		p = realloc(rq->body, cap);
		if (p == NULL)
			return MHD_NO;
		rq->body = p;
		rq->cap = cap;
	}
	memcpy(rq->body + rq->len, data, n);
	rq->len += n;
	*size = 0;
	return MHD_YES;
}

/* The whole body is here: parse, store durably, answer. */
static enum MHD_Result
take_update(struct receiver *rv, struct MHD_Connection *conn, struct req *rq)
{
	struct ingest_item it;
	int r;

	rq->body[rq->len] = '\0';
	/* A NUL inside would cut the stored payload short. */
	if (memchr(rq->body, '\0', rq->len) != NULL) {
		refused(rv, conn, R_JSON, "NUL byte in the body");
		return answer(rv, conn, A_BAD_JSON);
	}
	r = ingest_prepare(&it, rq->body, rq->len);
	if (r == -EBADMSG || r == -EINVAL) {
		refused(rv, conn, R_JSON,
		    r == -EINVAL ? "no integer update_id"
		                 : "not a JSON object");
		return answer(
		    rv, conn, r == -EINVAL ? A_NOT_UPDATE : A_BAD_JSON);
	}
	if (r < 0) {
		refused(rv, conn, R_STORE, strerror(-r));
		return answer(rv, conn, A_STORE);
	}
	r = ingest_submit(rv->ingest, &it);
	ingest_item_clear(&it);
	if (r == -EINVAL) {
		/* The queue refused the command itself (e.g. payload not
		 * one JSON object): sending it again will not help. */
		refused(rv, conn, R_JSON, "refused by the queue");
		return answer(rv, conn, A_BAD_JSON);
	}
	if (r < 0) {
		refused(rv, conn, R_STORE, strerror(-r));
		return answer(rv, conn, A_STORE);
	}
	return answer(rv, conn, A_OK);
}

static enum MHD_Result
html_page(struct MHD_Connection *conn, unsigned status, const char *page)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(
	    strlen(page), (void *)page, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * Google's redirect after sign-in: only enqueued (key oauth:<state>, so a
 * replayed redirect adds nothing); the executor checks the state and
 * trades the code.  No secret header here: the state is the check.
 */
static enum MHD_Result
oauth_redirect(struct receiver *rv, struct MHD_Connection *conn,
    const char *method)
{
	struct ingest_item it;
	char payload[OAUTH_PAYLOAD_MAX];
	int r;

	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0)
		return answer(rv, conn, A_METHOD_GET);
	r = oauth_callback_item(
	    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "code"),
	    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "state"),
	    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "error"),
	    &it, payload);
	if (r < 0) {
		refused(rv, conn, R_ROUTE, "malformed OAuth redirect");
		return html_page(
		    conn, MHD_HTTP_BAD_REQUEST, oauth_callback_page_bad);
	}
	r = ingest_submit(rv->ingest, &it);
	if (r < 0) {
		refused(rv, conn, R_STORE, "OAuth redirect not stored");
		return answer(rv, conn, A_STORE);
	}
	return html_page(conn, MHD_HTTP_OK, oauth_callback_page_ok);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct receiver *rv = cls;
	struct req *rq = *con_cls;
	enum MHD_Result ret;

	(void)version;
	if (rq == NULL) {
		if (strcmp(url, "/healthz") == 0)
			return healthz(rv, conn, method);
		if (strcmp(url, OAUTH_CALLBACK_PATH) == 0)
			return oauth_redirect(rv, conn, method);
		if (strcmp(url, rv->o->path) != 0) {
			refused(rv, conn, R_ROUTE, "unknown path");
			return answer(rv, conn, A_NOT_FOUND);
		}
		*con_cls = check_headers(rv, conn, method, &ret);
		return ret;
	}
	if (*upload_data_size > 0)
		return take_body(rv, conn, rq, upload_data, upload_data_size);
	return take_update(rv, conn, rq);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq == NULL)
		return;
	free(rq->body);
	free(rq);
	*con_cls = NULL;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	log_debug("microhttpd: %s", line);
}

/*
 * Bind and listen on "ADDR:PORT" or "[ADDR]:PORT" ourselves, so a failure
 * names its cause.  Returns the socket, or -1 after logging why.
 */
static int
listen_on(const char *spec, bool *ret_v6, char *shown, size_t shownlen)
{
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	};
	struct addrinfo *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[16], hbuf[NI_MAXHOST], pbuf[NI_MAXSERV];
	const char *colon = strrchr(spec, ':');
	int fd = -1, one = 1, r;
	size_t hl;

	if (colon == NULL || colon[1] == '\0' ||
	    strlen(colon + 1) >= sizeof(port) ||
	    (size_t)(colon - spec) >= sizeof(host)) {
		log_error("--listen '%s': expected ADDR:PORT such as "
		          "127.0.0.1:8080",
		    spec);
		return -1;
	}
	hl = (size_t)(colon - spec);
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	snprintf(port, sizeof(port), "%s", colon + 1);
	r = getaddrinfo(host[0] != '\0' ? host : NULL, port, &hints, &res);
	if (r != 0) {
		log_error("--listen '%s': %s", spec, gai_strerror(r));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
	    listen(fd, 128) < 0) {
		log_error("cannot listen on %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	*ret_v6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	/* Name the real port: with port 0 the kernel picked one. */
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    getnameinfo((struct sockaddr *)&ss, sl, hbuf, sizeof(hbuf), pbuf,
	        sizeof(pbuf), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(
		    shown, shownlen, *ret_v6 ? "[%s]:%s" : "%s:%s", hbuf, pbuf);
	else
		snprintf(shown, shownlen, "%s", spec);
	return fd;
}

static int
make_answers(struct receiver *rv)
{
	for (int a = 0; a < A_NANSWERS; a++) {
		struct MHD_Response *r =
		    MHD_create_response_from_buffer(strlen(answers[a].body),
		        (void *)answers[a].body, MHD_RESPMEM_PERSISTENT);

		if (r == NULL)
			return -ENOMEM;
		rv->resp[a] = r;
		if (answers[a].body[0] != '\0')
			MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
			    "application/json");
		if (answers[a].allow != NULL)
			MHD_add_response_header(
			    r, MHD_HTTP_HEADER_ALLOW, answers[a].allow);
	}
	return 0;
}

/* Wait for SIGINT or SIGTERM (blocked in every thread). */
static void
wait_for_stop(const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
	log_info(
	    "%s: stopping the receiver", sig == SIGINT ? "SIGINT" : "SIGTERM");
}

int
receiver_run(struct queue *q, const struct receiver_opts *o)
{
	struct receiver rv = {.o = o};
	struct MHD_Daemon *d = NULL;
	sigset_t set;
	char shown[300];
	bool v6 = false;
	unsigned flags;
	int fd = -1, r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* Before any thread starts, so that all inherit the mask and only
	 * sigwait() below sees these signals. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	rv.secret_len = o->secret != NULL ? strlen(o->secret) : 0;
	if (rv.secret_len == 0)
		log_warn("webhook_secret is not set: anyone who can reach this "
		         "port can post updates; set DRAFTBOT_WEBHOOK_SECRET "
		         "and run 'draftbot webhook set' again");
	r = make_answers(&rv);
	if (r < 0) {
		log_error("out of memory");
		goto out;
	}
	fd = listen_on(o->listen, &v6, shown, sizeof(shown));
	if (fd < 0) {
		r = -EADDRNOTAVAIL;
		goto out;
	}
	r = ingest_start(q, INGEST_BATCH_MAX, &rv.ingest);
	if (r < 0) {
		log_error("cannot start the commit thread: %s", strerror(-r));
		goto out;
	}
	q = NULL; /* the committer owns it now */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
	d = MHD_start_daemon(flags, 0, NULL, NULL, handle, &rv,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
	    fd, MHD_OPTION_THREAD_POOL_SIZE,
	    o->threads ? o->threads : DEFAULT_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT,
	    o->max_conns ? o->max_conns : DEFAULT_MAX_CONNS,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    o->timeout_s ? o->timeout_s : DEFAULT_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)RECV_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (d == NULL) {
		log_error("cannot start the HTTP server on %s (see "
		          "--log-level debug)",
		    shown);
		r = -EIO;
		goto out;
	}
	fd = -1; /* MHD closes it when it stops */
	log_info("receiving Telegram updates on http://%s%s", shown, o->path);
	wait_for_stop(&set);
	r = 0;
out:
	/* First the server (its handlers may wait for a commit), then the
	 * committer, which finishes what was handed to it. */
	if (d != NULL)
		MHD_stop_daemon(d);
	if (fd >= 0)
		close(fd);
	ingest_stop(rv.ingest);
	queue_close(q);
	for (int a = 0; a < A_NANSWERS; a++)
		if (rv.resp[a] != NULL)
			MHD_destroy_response(rv.resp[a]);
	return r;
}

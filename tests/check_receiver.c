/*
 * The receiver end to end: `draftbot receive` runs as a real process and
 * the test talks HTTP to it over a socket with libcurl, then looks at the
 * database through the queue API (a connection of its own).  Poll mode and
 * `draftbot webhook …` run against the fake Telegram (fake_tg.h).
 *
 * Every case starts its own receiver on a fresh database and stops it with
 * SIGTERM (or SIGINT), which must end it with exit status 0.  The receiver
 * dies with the test process (PR_SET_PDEATHSIG), so a failed case leaves
 * nothing running.  Waits have generous hang guards; nothing asserts on
 * timing.
 */
#include <check.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bot/receiver.h"
#include "queue/audit.h"
#include "queue/outbox.h"
#include "queue/queue.h"
#include "tests/fake_tg.h"
#include "tests/testutil.h"

#define SECRET "s3cret-Token_42"
#define TOKEN "123456:TEST-token"
#define HANG_GUARD_MS 60000 /* a wait this long means something hangs */
#define BODY_MAX (1 << 20)

/* A receiver process and its scratch folder. */
struct rx {
	char dir[256];
	char db[320];
	char log[320]; /* its stderr */
	char base[64]; /* http://127.0.0.1:PORT */
	pid_t pid;
};

/* The whole of a small file, NUL-terminated; the caller frees it. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert(fseek(f, 0, SEEK_END) == 0);
	n = ftell(f);
	ck_assert(n >= 0 && fseek(f, 0, SEEK_SET) == 0);
	buf = malloc((size_t)n + 1);
	ck_assert(buf != NULL);
	ck_assert(fread(buf, 1, (size_t)n, f) == (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *
corpus(const char *name)
{
	const char *dir = getenv("DRAFTBOT_CORPORA");
	char path[1024];

	ck_assert_msg(dir != NULL, "DRAFTBOT_CORPORA is not set");
	snprintf(path, sizeof(path), "%s/telegram/updates/%s", dir, name);
	return slurp(path);
}

/*
 * Start `draftbot receive` (or with --poll) on a fresh database, with
 * env entries ("NAME=value", NULL-terminated, may be NULL) added.
 */
static void
rx_spawn(struct rx *x, const char *const *env, bool poll)
{
	const char *bin = getenv("DRAFTBOT_BIN");
	char listen[32], dbenv[400];
	int port = tu_free_port();

	ck_assert_msg(bin != NULL, "DRAFTBOT_BIN is not set");
	tu_tmpdir(x->dir, sizeof(x->dir));
	tu_path(x->db, sizeof(x->db), x->dir, "d.db");
	tu_path(x->log, sizeof(x->log), x->dir, "stderr.log");
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(x->base, sizeof(x->base), "http://127.0.0.1:%d", port);
	snprintf(dbenv, sizeof(dbenv), "DRAFTBOT_DB=%s", x->db);
	/* made here, so the test can read it as soon as fork returns */
	close(open(x->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	fflush(NULL);
	x->pid = fork();
	ck_assert(x->pid >= 0);
	if (x->pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int err = open(x->log, O_WRONLY | O_APPEND);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(in, 0);
		dup2(err, 1);
		dup2(err, 2);
		unsetenv("DRAFTBOT_WEBHOOK_SECRET");
		putenv(dbenv);
		for (int i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
		if (poll)
			execl(bin, bin, "receive", "--poll", (char *)NULL);
		else
			execl(bin, bin, "receive", "--listen", listen,
			    (char *)NULL);
		_exit(127);
	}
}

/* The receiver's stderr so far; the caller frees it. */
static char *
rx_log(const struct rx *x)
{
	return slurp(x->log);
}

/* Fail the case with the receiver's stderr when it has exited. */
static void
rx_check_alive(struct rx *x)
{
	int status;

	if (waitpid(x->pid, &status, WNOHANG) == x->pid) {
		char *log = rx_log(x);

		x->pid = 0;
		ck_abort_msg(
		    "the receiver exited (status %d): %s", status, log);
	}
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	char *buf = arg; /* 4096 bytes, NUL-terminated */
	size_t have = strlen(buf), add = size * n;

	if (have + add >= 4096)
		add = 4095 - have;
	memcpy(buf + have, data, add);
	buf[have + add] = '\0';
	return size * n;
}

struct http {
	const char *method; /* "POST" (default), "GET", … */
	const char *secret; /* the secret header, or NULL for none */
	const char *ctype;  /* NULL = application/json */
	const char *body;
	size_t len;        /* 0 = strlen(body) */
	const char *extra; /* one more header line "Name: value", or NULL */
};

/*
 * One request on c (a handle kept for keep-alive, or NULL for a new one)
 * to x's base URL + path.  The answer's body goes into out (4096 bytes, may
 * be NULL).  Returns the HTTP status, or 0 when no answer came.
 */
static long
http_on(CURL *c, const struct rx *x, const char *path, const struct http *h,
    char *out)
{
	struct curl_slist *hdrs = NULL;
	char url[256], line[512], scratch[4096];
	bool own = c == NULL;
	long status = 0;

	if (own)
		c = curl_easy_init();
	ck_assert(c != NULL);
	if (out == NULL)
		out = scratch;
	out[0] = '\0';
	snprintf(url, sizeof(url), "%s%s", x->base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)HANG_GUARD_MS);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (h->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, h->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(h->len ? h->len : strlen(h->body)));
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, h->method);
	snprintf(line, sizeof(line), "Content-Type: %s",
	    h->ctype ? h->ctype : "application/json");
	hdrs = curl_slist_append(hdrs, line);
	if (h->secret != NULL) {
		snprintf(line, sizeof(line),
		    "X-Telegram-Bot-Api-Secret-Token: %s", h->secret);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (h->extra != NULL)
		hdrs = curl_slist_append(hdrs, h->extra);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	if (own)
		curl_easy_cleanup(c);
	return status;
}

static long
http(const struct rx *x, const char *path, const struct http *h, char *out)
{
	return http_on(NULL, x, path, h, out);
}

/* POST body to the webhook with the right secret. */
static long
post(const struct rx *x, const char *body, char *out)
{
	return http(x, "/telegram",
	    &(struct http){.secret = SECRET, .body = body}, out);
}

/* Start a webhook receiver with the secret set and wait until /healthz
 * answers. */
static void
rx_start_env(struct rx *x, const char *const *env)
{
	int64_t t0 = tu_mono_ms();

	rx_spawn(x, env, false);
	for (;;) {
		long st =
		    http(x, "/healthz", &(struct http){.method = "GET"}, NULL);

		if (st == 200)
			return;
		rx_check_alive(x);
		ck_assert_msg(tu_mono_ms() - t0 < HANG_GUARD_MS,
		    "the receiver never answered /healthz");
		tu_sleep_ms(20);
	}
}

static void
rx_start(struct rx *x)
{
	rx_start_env(
	    x, (const char *const[]){"DRAFTBOT_WEBHOOK_SECRET=" SECRET, NULL});
}

/* Send sig and expect a clean exit with status 0. */
static void
rx_stop_sig(struct rx *x, int sig)
{
	int status = 0;

	ck_assert(x->pid > 0);
	ck_assert(kill(x->pid, sig) == 0);
	ck_assert(waitpid(x->pid, &status, 0) == x->pid);
	x->pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *log = rx_log(x);

		ck_abort_msg("the receiver ended with status %d after signal "
		             "%d: %s",
		    status, sig, log);
	}
}

static void
rx_stop(struct rx *x)
{
	rx_stop_sig(x, SIGTERM);
	tu_rmtree(x->dir);
}

/* The test's own connection to the receiver's database. */
static struct queue *
rx_queue(const struct rx *x)
{
	return tu_open(x->db, NULL);
}

struct key_count {
	const char *key;
	int64_t n;
	struct queue_cmd *found; /* a copy of the first match's fields */
	char type[QUEUE_TYPE_MAX + 1];
	char payload[4096];
	int64_t chat_id;
};

static int
count_key_cb(const struct queue_cmd *c, void *arg)
{
	struct key_count *k = arg;

	if (strcmp(c->key, k->key) != 0)
		return 0;
	if (k->n++ == 0) {
		snprintf(k->type, sizeof(k->type), "%s", c->type);
		snprintf(k->payload, sizeof(k->payload), "%s",
		    c->payload ? c->payload : "");
		k->chat_id = c->chat_id;
	}
	return 0;
}

/* How many commands have key (with the first one's fields in *k). */
static int64_t
count_key(struct queue *q, const char *key, struct key_count *k)
{
	struct key_count local;

	if (k == NULL)
		k = &local;
	memset(k, 0, sizeof(*k));
	k->key = key;
	ck_assert_int_eq(queue_list(q, -1, 1000000, count_key_cb, k), 0);
	return k->n;
}

static int64_t
outbox_count_key(struct queue *q, const char *key, struct key_count *k)
{
	memset(k, 0, sizeof(*k));
	k->key = key;
	ck_assert_int_eq(outbox_list(q, -1, 1000000, count_key_cb, k), 0);
	return k->n;
}

static int64_t
total(int (*stats)(struct queue *, struct queue_stats *), struct queue *q)
{
	struct queue_stats st;
	int64_t n = 0;

	ck_assert_int_eq(stats(q, &st), 0);
	for (int i = 0; i < QUEUE_NSTATUS; i++)
		n += st.count[i];
	return n;
}

static int
count_audit_cb(const struct audit_entry *e, void *arg)
{
	(void)e;
	(*(int64_t *)arg)++;
	return 0;
}

static int64_t
audit_rows(struct queue *q)
{
	struct audit_filter f = {0};
	int64_t n = 0;

	ck_assert_int_eq(audit_query(q, &f, count_audit_cb, &n, NULL), 0);
	return n;
}

/* The database holds no command, no outbox message and no audit row. */
static void
assert_untouched(const struct rx *x)
{
	struct queue *q = rx_queue(x);

	ck_assert_int_eq(total(queue_stats, q), 0);
	ck_assert_int_eq(total(outbox_stats, q), 0);
	ck_assert_int_eq(audit_rows(q), 0);
	queue_close(q);
}

/* The receiver's stderr contains want (waiting a little for the line). */
static void
assert_logged(const struct rx *x, const char *want)
{
	int64_t t0 = tu_mono_ms();
	char *log;

	for (;;) {
		log = rx_log(x);
		if (strstr(log, want) != NULL || tu_mono_ms() - t0 > 5000)
			break;
		free(log);
		tu_sleep_ms(20);
	}
	ck_assert_msg(strstr(log, want) != NULL, "no '%s' in: %s", want, log);
	free(log);
}

/* --- accepted updates ---------------------------------------------------- */

START_TEST(update_enqueued_once)
{
	char *body = corpus("tgdocs_02_message_text.json"), out[4096];
	struct json_object *o, *id;
	struct key_count k;
	struct queue *q;
	struct rx x;

	rx_start(&x);
	ck_assert_int_eq(post(&x, body, out), 200);
	ck_assert_str_eq(out, "");
	q = rx_queue(&x);
	ck_assert_int_eq(count_key(q, "tg:update:10000", &k), 1);
	ck_assert_str_eq(k.type, "message");
	ck_assert_int_eq(k.chat_id, 1111111);
	o = json_tokener_parse(k.payload);
	ck_assert(o != NULL && json_object_object_get_ex(o, "update_id", &id));
	ck_assert_int_eq(json_object_get_int64(id), 10000);
	json_object_put(o);
	/* the same update twice more: 200, nothing more */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(post(&x, body, out), 200);
		ck_assert_str_eq(out, "");
	}
	ck_assert_int_eq(count_key(q, "tg:update:10000", NULL), 1);
	ck_assert_int_eq(total(queue_stats, q), 1);
	queue_close(q);
	rx_stop(&x);
	free(body);
}
END_TEST

/* Every sample of the corpus is an Update: 200 and its command. */
START_TEST(corpus_all_accepted)
{
	const char *dir = getenv("DRAFTBOT_CORPORA");
	char path[1024], key[64], out[4096];
	int64_t ids[128];
	size_t nids = 0, distinct = 0;
	struct dirent *de;
	struct queue *q;
	struct rx x;
	DIR *d;

	ck_assert(dir != NULL);
	snprintf(path, sizeof(path), "%s/telegram/updates", dir);
	d = opendir(path);
	ck_assert_msg(d != NULL, "%s: %s", path, strerror(errno));
	rx_start(&x);
	while ((de = readdir(d)) != NULL) {
		struct json_object *o, *id;
		char *body;

		if (strstr(de->d_name, ".json") == NULL)
			continue;
		body = corpus(de->d_name);
		ck_assert_msg(
		    post(&x, body, out) == 200, "%s: %s", de->d_name, out);
		o = json_tokener_parse(body);
		ck_assert(json_object_object_get_ex(o, "update_id", &id));
		ck_assert(nids < 128);
		ids[nids++] = json_object_get_int64(id);
		json_object_put(o);
		free(body);
	}
	closedir(d);
	ck_assert_int_eq(nids, 59);
	q = rx_queue(&x);
	for (size_t i = 0; i < nids; i++) {
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen = seen || ids[j] == ids[i];
		distinct += !seen;
		snprintf(key, sizeof(key), "tg:update:%lld", (long long)ids[i]);
		ck_assert_int_eq(count_key(q, key, NULL), 1);
	}
	ck_assert_int_eq(total(queue_stats, q), (int64_t)distinct);
	queue_close(q);
	rx_stop(&x);
}
END_TEST

START_TEST(callback_answered_in_same_transaction)
{
	char *body = corpus("emulator_tta_callback_query__callback_query.json");
	struct json_object *o, *v;
	struct key_count k;
	struct queue *q;
	struct rx x;

	rx_start(&x);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(post(&x, body, NULL), 200);
	q = rx_queue(&x);
	ck_assert_int_eq(count_key(q, "tg:update:3", &k), 1);
	ck_assert_str_eq(k.type, "callback");
	ck_assert_int_eq(outbox_count_key(q, "tg:cbq:1", &k), 1);
	ck_assert_str_eq(k.type, "answerCallbackQuery");
	o = json_tokener_parse(k.payload);
	ck_assert(
	    o != NULL && json_object_object_get_ex(o, "callback_query_id", &v));
	ck_assert_str_eq(json_object_get_string(v), "1");
	json_object_put(o);
	ck_assert_int_eq(total(outbox_stats, q), 1);
	queue_close(q);
	rx_stop(&x);
	free(body);
}
END_TEST

START_TEST(healthz_depth)
{
	char out[4096], body[128];
	struct json_object *o, *v;
	struct rx x;

	rx_start(&x);
	for (int i = 1; i <= 2; i++) {
		snprintf(body, sizeof(body),
		    "{\"update_id\":%d,\"message\":{\"message_id\":%d,"
		    "\"date\":1,\"chat\":{\"id\":5,\"type\":\"private\"},"
		    "\"text\":\"hi\"}}",
		    i, i);
		ck_assert_int_eq(post(&x, body, NULL), 200);
	}
	ck_assert_int_eq(
	    http(&x, "/healthz", &(struct http){.method = "GET"}, out), 200);
	o = json_tokener_parse(out);
	ck_assert_msg(o != NULL, "healthz: %s", out);
	ck_assert(json_object_object_get_ex(o, "ok", &v) &&
	    json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(o, "queue_depth", &v));
	ck_assert_int_eq(json_object_get_int64(v), 2);
	json_object_put(o);
	/* /healthz is read-only */
	ck_assert_int_eq(
	    http(&x, "/healthz", &(struct http){.method = "POST", .body = "{}"},
	        NULL),
	    405);
	rx_stop(&x);
}
END_TEST

/* A body of exactly the limit is still taken. */
START_TEST(body_at_limit_accepted)
{
	static const char head[] = "{\"update_id\":77,\"pad\":\"";
	char *body = malloc(BODY_MAX + 1);
	struct queue *q;
	struct rx x;

	ck_assert(body != NULL);
	memcpy(body, head, sizeof(head) - 1);
	memset(body + sizeof(head) - 1, 'a', BODY_MAX - (sizeof(head) - 1));
	memcpy(body + BODY_MAX - 2, "\"}", 2);
	body[BODY_MAX] = '\0';
	rx_start(&x);
	ck_assert_int_eq(post(&x, body, NULL), 200);
	q = rx_queue(&x);
	ck_assert_int_eq(count_key(q, "tg:update:77", NULL), 1);
	queue_close(q);
	rx_stop(&x);
	free(body);
}
END_TEST

START_TEST(no_secret_configured)
{
	struct queue *q;
	struct rx x;

	rx_start_env(&x, NULL);
	ck_assert_int_eq(http(&x, "/telegram",
	                     &(struct http){.body = "{\"update_id\":9}"}, NULL),
	    200);
	assert_logged(&x, "webhook_secret is not set");
	q = rx_queue(&x);
	ck_assert_int_eq(count_key(q, "tg:update:9", NULL), 1);
	queue_close(q);
	rx_stop(&x);
}
END_TEST

/* --- refused requests: the answer, a log line, and nothing stored ------- */

START_TEST(wrong_secret_401)
{
	char *body = corpus("tgdocs_02_message_text.json"), out[4096];
	struct rx x;

	rx_start(&x);
	ck_assert_int_eq(
	    http(&x, "/telegram",
	        &(struct http){.secret = "s3cret-Token_43", .body = body}, out),
	    401);
	ck_assert_str_eq(
	    out, "{\"ok\":false,\"error\":\"wrong or missing secret token\"}");
	/* a prefix of the secret, and the secret with more after it */
	ck_assert_int_eq(
	    http(&x, "/telegram",
	        &(struct http){.secret = "s3cret", .body = body}, NULL),
	    401);
	ck_assert_int_eq(
	    http(&x, "/telegram",
	        &(struct http){.secret = SECRET "x", .body = body}, NULL),
	    401);
	assert_logged(&x, "wrong or missing secret token (401)");
	assert_untouched(&x);
	rx_stop(&x);
	free(body);
}
END_TEST

START_TEST(missing_secret_401)
{
	char *body = corpus("tgdocs_02_message_text.json"), out[4096];
	struct rx x;

	rx_start(&x);
	ck_assert_int_eq(
	    http(&x, "/telegram", &(struct http){.body = body}, out), 401);
	ck_assert_str_eq(
	    out, "{\"ok\":false,\"error\":\"wrong or missing secret token\"}");
	assert_logged(&x, "wrong or missing secret token (401)");
	assert_untouched(&x);
	rx_stop(&x);
	free(body);
}
END_TEST

START_TEST(malformed_json_400)
{
	static const char *const bad[] = {
	    "{\"update_id\":1,", "not json", "", "[1,2]", "\"text\"", NULL};
	char out[4096];
	struct rx x;

	rx_start(&x);
	for (int i = 0; bad[i] != NULL; i++) {
		ck_assert_msg(post(&x, bad[i], out) == 400, "'%s'", bad[i]);
		ck_assert_str_eq(out,
		    "{\"ok\":false,\"error\":\"the body is not a JSON "
		    "object\"}");
	}
	assert_logged(&x, "body is not a Telegram Update (400)");
	assert_untouched(&x);
	rx_stop(&x);
}
END_TEST

START_TEST(not_an_update_400)
{
	static const char *const bad[] = {"{}", "{\"message\":{}}",
	    "{\"update_id\":\"12\"}", "{\"update_id\":1.5}", NULL};
	char out[4096];
	struct rx x;

	rx_start(&x);
	for (int i = 0; bad[i] != NULL; i++) {
		ck_assert_msg(post(&x, bad[i], out) == 400, "'%s'", bad[i]);
		ck_assert_str_eq(out,
		    "{\"ok\":false,\"error\":\"not a Telegram Update (no "
		    "integer update_id)\"}");
	}
	assert_untouched(&x);
	rx_stop(&x);
}
END_TEST

START_TEST(body_over_limit_413)
{
	static const char head[] = "{\"update_id\":78,\"pad\":\"";
	size_t len = BODY_MAX + 1;
	char *body = malloc(len + 1), out[4096];
	struct rx x;

	ck_assert(body != NULL);
	memcpy(body, head, sizeof(head) - 1);
	memset(body + sizeof(head) - 1, 'a', len - (sizeof(head) - 1));
	memcpy(body + len - 2, "\"}", 2);
	body[len] = '\0';
	rx_start(&x);
	ck_assert_int_eq(post(&x, body, out), 413);
	ck_assert_str_eq(
	    out, "{\"ok\":false,\"error\":\"the body is over 1 MiB\"}");
	assert_logged(&x, "body over 1 MiB or too slow (413)");
	assert_untouched(&x);
	rx_stop(&x);
	free(body);
}
END_TEST

/*
 * Request headers live in libmicrohttpd's per-connection pool, kept small
 * (RECV_CONN_MEMORY) for the receiver's memory: a few KiB of headers, far
 * above Telegram's, still pass; more is answered 431 and nothing stored.
 */
START_TEST(headers_over_pool_431)
{
	static const char name[] = "X-Pad: ";
	size_t big = RECV_CONN_MEMORY + 1024;
	char *line = malloc(sizeof(name) + big);
	struct queue *q;
	struct rx x;

	ck_assert(line != NULL);
	memcpy(line, name, sizeof(name) - 1);
	rx_start(&x);
	/* well within: accepted and stored */
	memset(line + sizeof(name) - 1, 'a', RECV_CONN_MEMORY / 2);
	line[sizeof(name) - 1 + RECV_CONN_MEMORY / 2] = '\0';
	ck_assert_int_eq(http(&x, "/telegram",
	                     &(struct http){.secret = SECRET,
	                         .body = "{\"update_id\":79}",
	                         .extra = line},
	                     NULL),
	    200);
	q = rx_queue(&x);
	ck_assert_int_eq(count_key(q, "tg:update:79", NULL), 1);
	/* over the pool: 431, nothing more */
	memset(line + sizeof(name) - 1, 'a', big);
	line[sizeof(name) - 1 + big] = '\0';
	ck_assert_int_eq(http(&x, "/telegram",
	                     &(struct http){.secret = SECRET,
	                         .body = "{\"update_id\":80}",
	                         .extra = line},
	                     NULL),
	    431);
	ck_assert_int_eq(count_key(q, "tg:update:80", NULL), 0);
	ck_assert_int_eq(total(queue_stats, q), 1);
	queue_close(q);
	rx_stop(&x);
	free(line);
}
END_TEST

START_TEST(not_json_type_415)
{
	char out[4096];
	struct rx x;

	rx_start(&x);
	ck_assert_int_eq(http(&x, "/telegram",
	                     &(struct http){.secret = SECRET,
	                         .ctype = "text/plain",
	                         .body = "{\"update_id\":5}"},
	                     out),
	    415);
	ck_assert_str_eq(out,
	    "{\"ok\":false,\"error\":\"Content-Type must be "
	    "application/json\"}");
	assert_logged(&x, "Content-Type is not application/json (415)");
	assert_untouched(&x);
	/* a charset parameter is fine */
	ck_assert_int_eq(http(&x, "/telegram",
	                     &(struct http){.secret = SECRET,
	                         .ctype = "application/json; charset=utf-8",
	                         .body = "{\"update_id\":6}"},
	                     NULL),
	    200);
	rx_stop(&x);
}
END_TEST

START_TEST(wrong_method_and_path)
{
	char out[4096];
	struct rx x;

	rx_start(&x);
	ck_assert_int_eq(
	    http(&x, "/telegram", &(struct http){.method = "GET"}, out), 405);
	ck_assert_str_eq(out, "{\"ok\":false,\"error\":\"only POST\"}");
	ck_assert_int_eq(http(&x, "/telegram",
	                     &(struct http){.method = "PUT",
	                         .secret = SECRET,
	                         .body = "{\"update_id\":1}"},
	                     NULL),
	    405);
	ck_assert_int_eq(
	    http(&x, "/telegram/x",
	        &(struct http){.secret = SECRET, .body = "{\"update_id\":1}"},
	        out),
	    404);
	ck_assert_str_eq(out, "{\"ok\":false,\"error\":\"not found\"}");
	ck_assert_int_eq(
	    http(&x, "/", &(struct http){.method = "GET"}, NULL), 404);
	assert_logged(&x, "wrong path or method (404/405)");
	assert_untouched(&x);
	rx_stop(&x);
}
END_TEST

/* --- concurrency: group commit under load -------------------------------- */

#define NTHREADS 32
#define PER_THREAD 50

struct load {
	const struct rx *x;
	int t;
	int ok, other; /* answers 200, anything else */
};

static void *
load_thread(void *arg)
{
	struct load *l = arg;
	CURL *c = curl_easy_init();
	char body[256];

	for (int i = 0; c != NULL && i < PER_THREAD; i++) {
		long id = 500000 + l->t * PER_THREAD + i;
		long st;

		snprintf(body, sizeof(body),
		    "{\"update_id\":%ld,\"message\":{\"message_id\":%ld,"
		    "\"date\":1,\"chat\":{\"id\":%d,\"type\":\"private\"},"
		    "\"from\":{\"id\":%d,\"first_name\":\"L\"},"
		    "\"text\":\"load %ld\"}}",
		    id, id, 1000 + l->t, 1000 + l->t, id);
		st = http_on(c, l->x, "/telegram",
		    &(struct http){.secret = SECRET, .body = body}, NULL);
		if (st == 200)
			l->ok++;
		else
			l->other++;
	}
	curl_easy_cleanup(c);
	return NULL;
}

START_TEST(concurrent_updates_all_committed)
{
	struct load loads[NTHREADS];
	pthread_t th[NTHREADS];
	struct timespec t0;
	int ok = 0, other = 0;
	struct queue *q;
	struct rx x;

	rx_start(&x);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int t = 0; t < NTHREADS; t++) {
		loads[t] = (struct load){.x = &x, .t = t};
		ck_assert(
		    pthread_create(&th[t], NULL, load_thread, &loads[t]) == 0);
	}
	for (int t = 0; t < NTHREADS; t++) {
		pthread_join(th[t], NULL);
		ok += loads[t].ok;
		other += loads[t].other;
	}
	printf("# %d updates over %d connections in %lld ms\n",
	    NTHREADS * PER_THREAD, NTHREADS, (long long)tu_ms_since(&t0));
	ck_assert_int_eq(other, 0);
	ck_assert_int_eq(ok, NTHREADS * PER_THREAD);
	q = rx_queue(&x);
	/* every 200 is a committed command, and nothing else is */
	ck_assert_int_eq(total(queue_stats, q), ok);
	ck_assert_int_eq(count_key(q, "tg:update:500000", NULL), 1);
	ck_assert_int_eq(count_key(q, "tg:update:501599", NULL), 1);
	queue_close(q);
	rx_stop(&x);
}
END_TEST

START_TEST(sigint_stops_cleanly)
{
	struct rx x;

	rx_start(&x);
	ck_assert_int_eq(post(&x, "{\"update_id\":1}", NULL), 200);
	rx_stop_sig(&x, SIGINT);
	assert_logged(&x, "SIGINT: stopping the receiver");
	tu_rmtree(x.dir);
}
END_TEST

/*
 * The webhook receiver never talks to Telegram, so it must not map libcurl
 * nor the TLS libraries behind it (tg loads them on its first client): they
 * were about 3 MB of its resident memory.
 */
START_TEST(webhook_does_not_map_libcurl)
{
	static const char *const libs[] = {"libcurl", "libssl", "libcrypto"};
	char path[64], line[1024];
	int mappings = 0;
	struct rx x;
	FILE *f;

	rx_start(&x);
	ck_assert_int_eq(post(&x, "{\"update_id\":1}", NULL), 200);
	/* line by line: /proc files have no size for slurp() */
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)x.pid);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		mappings++;
		for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
			ck_assert_msg(strstr(line, libs[i]) == NULL,
			    "the receiver maps %s", line);
	}
	fclose(f);
	ck_assert_int_gt(mappings, 0);
	rx_stop(&x);
}
END_TEST

/* --- poll mode and webhook commands, against the fake Telegram ---------- */

/* Environment for a draftbot talking to fake f. */
struct tg_env {
	char api[128];
	char *v[6];
};

static void
tg_env(struct tg_env *e, struct fake_tg *f)
{
	snprintf(e->api, sizeof(e->api), "DRAFTBOT_TELEGRAM_API=%s",
	    fake_tg_base_url(f));
	e->v[0] = e->api;
	e->v[1] = "DRAFTBOT_TELEGRAM_TOKEN=" TOKEN;
	e->v[2] = "DRAFTBOT_WEBHOOK_SECRET=" SECRET;
	e->v[3] = "DRAFTBOT_BUSY_TIMEOUT=200ms";
	e->v[4] = NULL;
}

/* The offset of each recorded getUpdates, in order (-1: none given). */
static size_t
offsets(struct fake_tg *f, int64_t *out, size_t max)
{
	struct fake_tg_req *reqs = NULL;
	size_t n = 0, k = 0;

	ck_assert_int_eq(fake_tg_requests(f, "getUpdates", &reqs, &n), 0);
	for (size_t i = 0; i < n && k < max; i++) {
		struct json_object *o = json_tokener_parse(reqs[i].body), *v;

		out[k++] =
		    o != NULL && json_object_object_get_ex(o, "offset", &v)
		    ? json_object_get_int64(v)
		    : -1;
		json_object_put(o);
	}
	fake_tg_requests_free(reqs, n);
	return k;
}

static int64_t
wait_commands(const struct rx *x, int64_t n)
{
	int64_t t0 = tu_mono_ms(), have;
	struct queue *q;

	for (;;) {
		q = rx_queue(x);
		have = total(queue_stats, q);
		queue_close(q);
		if (have >= n || tu_mono_ms() - t0 > HANG_GUARD_MS)
			return have;
		tu_sleep_ms(20);
	}
}

START_TEST(poll_offset_after_commit)
{
	char *msg = corpus("tgdocs_02_message_text.json");
	char *cbq = corpus("emulator_tta_callback_query__callback_query.json");
	int64_t offs[64];
	struct fake_tg *f = NULL;
	struct tg_env e;
	struct key_count k;
	struct queue *q;
	sqlite3 *lock = NULL;
	size_t n;
	struct rx x;

	ck_assert_int_eq(fake_tg_start(TOKEN, &f), 0);
	tg_env(&e, f);
	rx_spawn(&x, (const char *const *)e.v, true);
	/* polling means the database is open and migrated */
	assert_logged(&x, "polling Telegram for updates");
	rx_check_alive(&x);
	/* hold the write lock: the batch cannot commit */
	ck_assert_int_eq(sqlite3_open(x.db, &lock), SQLITE_OK);
	sqlite3_busy_timeout(lock, 10000);
	ck_assert_int_eq(
	    sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert(fake_tg_push_update(f, cbq) == 3);
	ck_assert(fake_tg_push_update(f, msg) == 10000);
	/* two failed commits: the updates are fetched again each time */
	ck_assert_int_eq(
	    fake_tg_wait_count(f, "getUpdates", 3, HANG_GUARD_MS), 0);
	n = offsets(f, offs, 64);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(offs[i] <= 0,
		    "offset %lld advanced before the "
		    "commit",
		    (long long)offs[i]);
	ck_assert_int_eq(fake_tg_pending_updates(f), 2);
	assert_logged(&x, "cannot store updates");
	ck_assert_int_eq(
	    sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(lock);
	/* now the batch commits, and only then the offset moves past it */
	ck_assert_int_eq(wait_commands(&x, 2), 2);
	/* The fake records a long poll when it answers: one more update
	 * ends the poll that carries the advanced offset. */
	ck_assert(fake_tg_push_update(f,
	              "{\"update_id\":10001,\"message\":{\"message_id\":7,"
	              "\"date\":1,\"chat\":{\"id\":1111111,\"type\":"
	              "\"private\"},\"text\":\"more\"}}") == 10001);
	ck_assert_int_eq(wait_commands(&x, 3), 3);
	n = offsets(f, offs, 64);
	ck_assert(n >= 4);
	ck_assert_int_eq(offs[n - 1], 10001);
	for (size_t i = 0; i + 1 < n; i++)
		ck_assert_msg(offs[i] <= 0, "offset %lld before the commit",
		    (long long)offs[i]);
	/* all but 10001 were confirmed by an offset (10001 by the poll
	 * under way, or about to be) */
	ck_assert_int_le(fake_tg_pending_updates(f), 1);
	q = rx_queue(&x);
	ck_assert_int_eq(count_key(q, "tg:update:10000", NULL), 1);
	ck_assert_int_eq(count_key(q, "tg:update:3", &k), 1);
	ck_assert_str_eq(k.type, "callback");
	ck_assert_int_eq(outbox_count_key(q, "tg:cbq:1", &k), 1);
	queue_close(q);
	/* stops at once, even in the middle of a long poll */
	rx_stop(&x);
	fake_tg_stop(f);
	free(msg);
	free(cbq);
}
END_TEST

START_TEST(poll_409_clear_message)
{
	struct fake_tg *f = NULL;
	struct tg_env e;
	char out[4096], err[4096];
	int64_t t0;
	int status = 0;
	struct rx x;

	ck_assert_int_eq(fake_tg_start(TOKEN, &f), 0);
	tg_env(&e, f);
	/* a webhook is set: getUpdates answers 409 */
	ck_assert_int_eq(
	    tu_run((const char *const[]){"webhook", "set",
	               "https://bot.example.org/telegram", NULL},
	        (const char *const *)e.v, out, sizeof(out), err, sizeof(err)),
	    0);
	ck_assert(fake_tg_webhook(f, out, sizeof(out)));
	rx_spawn(&x, (const char *const *)e.v, true);
	for (t0 = tu_mono_ms(); waitpid(x.pid, &status, WNOHANG) != x.pid;
	     tu_sleep_ms(20))
		ck_assert_msg(tu_mono_ms() - t0 < HANG_GUARD_MS,
		    "the poller did not exit on 409");
	x.pid = 0;
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	assert_logged(&x, "a webhook is set for this bot");
	assert_logged(&x, "Run 'draftbot webhook delete' to poll");
	/* one try, no spinning */
	ck_assert_int_eq(fake_tg_count(f, "getUpdates"), 1);
	assert_untouched(&x);
	tu_rmtree(x.dir);
	fake_tg_stop(f);
}
END_TEST

START_TEST(webhook_commands)
{
	struct fake_tg_req *reqs = NULL;
	struct json_object *o, *v;
	struct fake_tg *f = NULL;
	struct tg_env e;
	char out[4096], err[4096];
	size_t n = 0;

	ck_assert_int_eq(fake_tg_start(TOKEN, &f), 0);
	tg_env(&e, f);
	ck_assert_int_eq(
	    tu_run((const char *const[]){"webhook", "set",
	               "https://bot.example.org/telegram", "--max-connections",
	               "40", "--drop-pending-updates", NULL},
	        (const char *const *)e.v, out, sizeof(out), err, sizeof(err)),
	    0);
	ck_assert_msg(strstr(out, "webhook set") != NULL, "%s", out);
	ck_assert_int_eq(fake_tg_requests(f, "setWebhook", &reqs, &n), 0);
	ck_assert_int_eq(n, 1);
	o = json_tokener_parse(reqs[0].body);
	ck_assert(o != NULL);
	ck_assert(json_object_object_get_ex(o, "url", &v));
	ck_assert_str_eq(
	    json_object_get_string(v), "https://bot.example.org/telegram");
	ck_assert(json_object_object_get_ex(o, "secret_token", &v));
	ck_assert_str_eq(json_object_get_string(v), SECRET);
	ck_assert(json_object_object_get_ex(o, "max_connections", &v));
	ck_assert_int_eq(json_object_get_int(v), 40);
	ck_assert(json_object_object_get_ex(o, "drop_pending_updates", &v));
	ck_assert(json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(o, "allowed_updates", &v));
	ck_assert_str_eq(
	    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
	    "[\"message\",\"edited_message\",\"callback_query\","
	    "\"my_chat_member\"]");
	json_object_put(o);
	fake_tg_requests_free(reqs, n);
	/* the secret is never printed */
	ck_assert(strstr(out, SECRET) == NULL && strstr(err, SECRET) == NULL);

	ck_assert_int_eq(
	    tu_run((const char *const[]){"webhook", "info", "--json", NULL},
	        (const char *const *)e.v, out, sizeof(out), err, sizeof(err)),
	    0);
	o = json_tokener_parse(out);
	ck_assert_msg(o != NULL, "%s", out);
	ck_assert(json_object_object_get_ex(o, "url", &v));
	ck_assert_str_eq(
	    json_object_get_string(v), "https://bot.example.org/telegram");
	json_object_put(o);
	ck_assert_int_eq(
	    tu_run((const char *const[]){"webhook", "info", NULL},
	        (const char *const *)e.v, out, sizeof(out), err, sizeof(err)),
	    0);
	ck_assert_msg(
	    strstr(out, "https://bot.example.org/telegram") != NULL, "%s", out);

	ck_assert_int_eq(
	    tu_run((const char *const[]){"webhook", "delete", NULL},
	        (const char *const *)e.v, out, sizeof(out), err, sizeof(err)),
	    0);
	ck_assert(!fake_tg_webhook(f, out, sizeof(out)));

	/* refused before any call: not https, bad --max-connections */
	n = fake_tg_count(f, NULL);
	ck_assert_int_eq(
	    tu_run((const char *const[]){"webhook", "set",
	               "http://bot.example.org/telegram", NULL},
	        (const char *const *)e.v, out, sizeof(out), err, sizeof(err)),
	    2);
	ck_assert_msg(strstr(err, "is not an https:// URL") != NULL, "%s", err);
	ck_assert_int_eq(
	    tu_run((const char *const[]){"webhook", "set",
	               "https://x.example/t", "--max-connections", "0", NULL},
	        (const char *const *)e.v, out, sizeof(out), err, sizeof(err)),
	    2);
	/* a secret Telegram would refuse is refused here, naming the rule */
	e.v[2] = "DRAFTBOT_WEBHOOK_SECRET=not allowed!";
	ck_assert_int_eq(
	    tu_run((const char *const[]){"webhook", "set",
	               "https://x.example/t", NULL},
	        (const char *const *)e.v, out, sizeof(out), err, sizeof(err)),
	    1);
	ck_assert_msg(strstr(err,
	                  "webhook_secret must be 1 to 256 "
	                  "characters") != NULL,
	    "%s", err);
	ck_assert_int_eq(fake_tg_count(f, NULL), n);
	fake_tg_stop(f);
}
END_TEST

START_TEST(listen_errors)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	char dir[256], db[320], dbenv[400], spec[32], err[4096];
	const char *env[2] = {dbenv, NULL};
	int fd;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "d.db");
	snprintf(dbenv, sizeof(dbenv), "DRAFTBOT_DB=%s", db);
	ck_assert_int_eq(tu_run((const char *const[]){"receive", "--listen",
	                            "127.0.0.1", NULL},
	                     env, NULL, 0, err, sizeof(err)),
	    1);
	ck_assert_msg(
	    strstr(err, "--listen '127.0.0.1': expected ADDR:PORT") != NULL,
	    "%s", err);
	/* a port someone else listens on */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	ck_assert(listen(fd, 1) == 0);
	ck_assert(getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", ntohs(sa.sin_port));
	ck_assert_int_eq(
	    tu_run((const char *const[]){"receive", "--listen", spec, NULL},
	        env, NULL, 0, err, sizeof(err)),
	    1);
	ck_assert_msg(strstr(err, "Address already in use") != NULL, "%s", err);
	close(fd);
	tu_rmtree(dir);
}
END_TEST

START_TEST(missing_token_message)
{
	static const char *const cmds[][3] = {
	    {"receive", "--poll", NULL},
	    {"webhook", "info", NULL},
	    {"webhook", "delete", NULL},
	};
	char err[4096];

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ck_assert_int_eq(
		    tu_run(cmds[i], NULL, NULL, 0, err, sizeof(err)), 1);
		ck_assert_msg(strstr(err,
		                  "no Telegram bot token: set "
		                  "DRAFTBOT_TELEGRAM_TOKEN") != NULL,
		    "%s", err);
		ck_assert(strstr(err, "DRAFTBOT_TELEGRAM_TOKEN_FILE") != NULL);
	}
}
END_TEST

/* A libcurl.so.4 that cannot be loaded: one clear message, nothing sent. */
START_TEST(libcurl_missing_message)
{
	char dir[256], path[320], libenv[300], err[4096];
	const char *env[4];

	tu_tmpdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "libcurl.so.4");
	/* an empty file found first on the library path: "file too short" */
	close(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	snprintf(libenv, sizeof(libenv), "LD_LIBRARY_PATH=%s", dir);
	env[0] = libenv;
	env[1] = "DRAFTBOT_TELEGRAM_TOKEN=" TOKEN;
	env[2] = "DRAFTBOT_TELEGRAM_API=http://127.0.0.1:1";
	env[3] = NULL;
	ck_assert_int_eq(tu_run((const char *const[]){"webhook", "info", NULL},
	                     env, NULL, 0, err, sizeof(err)),
	    1);
	ck_assert_msg(strstr(err,
	                  "cannot talk to Telegram: libcurl.so.4 could not "
	                  "be loaded: ") != NULL &&
	        strstr(err, "install libcurl") != NULL,
	    "%s", err);
	tu_rmtree(dir);
}
END_TEST

START_TEST(token_file_mode_and_newline)
{
	struct fake_tg *f = NULL;
	char dir[256], path[320], api[128], fileenv[400], out[4096], err[4096];
	const char *env[3];
	FILE *fp;

	ck_assert_int_eq(fake_tg_start(TOKEN, &f), 0);
	tu_tmpdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "token");
	fp = fopen(path, "w");
	ck_assert(fp != NULL);
	fputs(TOKEN "\n", fp);
	fclose(fp);
	snprintf(
	    api, sizeof(api), "DRAFTBOT_TELEGRAM_API=%s", fake_tg_base_url(f));
	snprintf(
	    fileenv, sizeof(fileenv), "DRAFTBOT_TELEGRAM_TOKEN_FILE=%s", path);
	env[0] = api;
	env[1] = fileenv;
	env[2] = NULL;
	/* readable by others: refused, nothing sent */
	ck_assert(chmod(path, 0644) == 0);
	ck_assert_int_eq(tu_run((const char *const[]){"webhook", "info", NULL},
	                     env, out, sizeof(out), err, sizeof(err)),
	    1);
	ck_assert_msg(strstr(err,
	                  "can be read or changed by others (mode "
	                  "0644)") != NULL &&
	        strstr(err, "chmod 600") != NULL,
	    "%s", err);
	ck_assert_int_eq(fake_tg_count(f, NULL), 0);
	/* owner only: the token, without its newline, is accepted */
	ck_assert(chmod(path, 0600) == 0);
	ck_assert_int_eq(tu_run((const char *const[]){"webhook", "info", NULL},
	                     env, out, sizeof(out), err, sizeof(err)),
	    0);
	ck_assert_int_eq(fake_tg_count_ok(f, "getWebhookInfo"), 1);
	tu_rmtree(dir);
	fake_tg_stop(f);
}
END_TEST

static Suite *
receiver_suite(void)
{
	Suite *s = suite_create("receiver");
	TCase *tc = tcase_create("webhook");
	TCase *bad = tcase_create("refused");
	TCase *load = tcase_create("load");
	TCase *tg = tcase_create("telegram");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, update_enqueued_once);
	tcase_add_test(tc, corpus_all_accepted);
	tcase_add_test(tc, callback_answered_in_same_transaction);
	tcase_add_test(tc, healthz_depth);
	tcase_add_test(tc, body_at_limit_accepted);
	tcase_add_test(tc, no_secret_configured);
	tcase_add_test(tc, sigint_stops_cleanly);
	tcase_add_test(tc, listen_errors);
	tcase_add_test(tc, webhook_does_not_map_libcurl);
	suite_add_tcase(s, tc);
	tcase_set_timeout(bad, 120);
	tcase_add_test(bad, wrong_secret_401);
	tcase_add_test(bad, missing_secret_401);
	tcase_add_test(bad, malformed_json_400);
	tcase_add_test(bad, not_an_update_400);
	tcase_add_test(bad, body_over_limit_413);
	tcase_add_test(bad, headers_over_pool_431);
	tcase_add_test(bad, not_json_type_415);
	tcase_add_test(bad, wrong_method_and_path);
	suite_add_tcase(s, bad);
	tcase_set_timeout(load, 240);
	tcase_add_test(load, concurrent_updates_all_committed);
	suite_add_tcase(s, load);
	tcase_set_timeout(tg, 120);
	tcase_add_test(tg, poll_offset_after_commit);
	tcase_add_test(tg, poll_409_clear_message);
	tcase_add_test(tg, webhook_commands);
	tcase_add_test(tg, missing_token_message);
	tcase_add_test(tg, libcurl_missing_message);
	tcase_add_test(tg, token_file_mode_and_newline);
	suite_add_tcase(s, tg);
	return s;
}

int
main(void)
{
	int r;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = tu_run_suite(receiver_suite());
	curl_global_cleanup();
	return r;
}

/*
 * The whole pipeline with real processes: the fake Telegram (fake_tg.h) in
 * the test, `draftbot receive --listen` taking Updates over HTTP with the
 * webhook secret, `draftbot execute --workers 2` running them and sending
 * to the fake, all on one database, which the test reads through the
 * queue API on a connection of its own.  Updates are POSTed with libcurl
 * exactly as Telegram sends them.
 *
 * The processes die with the test (PR_SET_PDEATHSIG), each in a process
 * group of its own, so a case can SIGKILL the whole executor.  Waits have
 * generous hang guards; nothing asserts on timing.
 */
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "queue/outbox.h"
#include "queue/store.h"
#include "tests/fake_tg.h"
#include "tests/testutil.h"

#define TOKEN "123456:PIPE-token_abcdefgh"
#define SECRET "pipe-S3cret_token"
#define HANG_MS 90000 /* a wait this long means something hangs */
#define OWNER 42
#define STRANGER 77

struct pl {
	char dir[256];
	char db[320];
	char rxlog[320], exlog[320];
	char listen[32];
	char base[64]; /* the receiver: http://127.0.0.1:PORT */
	struct fake_tg *tg;
	struct queue *q;
	pid_t rx, ex;
	int64_t next_update;
};

static void
show_logs(const struct pl *x)
{
	tu_show_file(x->rxlog);
	tu_show_file(x->exlog);
}

/* Start `draftbot argv…` in a process group of its own, output to log,
 * with the pipeline's environment and extra entries. */
static pid_t
spawn(const struct pl *x, const char *const *argv, const char *log,
    const char *const *extra)
{
	const char *bin = getenv("DRAFTBOT_BIN");
	const char *args[16];
	pid_t test = getpid(), pid;
	int n = 0;

	ck_assert_ptr_nonnull(bin);
	args[n++] = bin;
	for (int i = 0; argv[i] != NULL && n < 15; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fflush(NULL);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != test)
			_exit(127);
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		setenv("DRAFTBOT_DB", x->db, 1);
		setenv("DRAFTBOT_TELEGRAM_API", fake_tg_base_url(x->tg), 1);
		setenv("DRAFTBOT_TELEGRAM_TOKEN", TOKEN, 1);
		setenv("DRAFTBOT_WEBHOOK_SECRET", SECRET, 1);
		setenv("DRAFTBOT_LOG_LEVEL", "info", 1);
		for (int i = 0; extra != NULL && extra[i] != NULL; i++)
			putenv((char *)extra[i]);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	setpgid(pid, pid);
	return pid;
}

/* ---- HTTP to the receiver ---- */

static size_t
discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

/*
 * One request to the receiver: POST body to /telegram with secret (NULL:
 * no header), or GET path when body is NULL.  Returns the HTTP status, 0
 * when no answer came.
 */
static long
http(const struct pl *x, const char *path, const char *body, const char *secret)
{
	struct curl_slist *hdrs = NULL;
	char url[256], line[256];
	CURL *c = curl_easy_init();
	long status = 0;

	ck_assert_ptr_nonnull(c);
	snprintf(url, sizeof(url), "%s%s", x->base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)HANG_MS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		hdrs =
		    curl_slist_append(hdrs, "Content-Type: application/json");
		if (secret != NULL) {
			snprintf(line, sizeof(line),
			    "X-Telegram-Bot-Api-Secret-Token: %s", secret);
			hdrs = curl_slist_append(hdrs, line);
		}
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return status;
}

static long
post(const struct pl *x, const char *body)
{
	return http(x, "/telegram", body, SECRET);
}

/* ---- the processes ---- */

static void
start_receiver(struct pl *x)
{
	static const char *argv[] = {"receive", "--listen", NULL, NULL};
	int64_t t0 = tu_mono_ms();
	int status;

	argv[2] = x->listen;
	x->rx = spawn(x, argv, x->rxlog, NULL);
	while (http(x, "/healthz", NULL, NULL) != 200) {
		if (waitpid(x->rx, &status, WNOHANG) == x->rx) {
			x->rx = 0;
			show_logs(x);
			ck_abort_msg("the receiver exited (status %d)", status);
		}
		ck_assert_msg(tu_mono_ms() - t0 < HANG_MS,
		    "the receiver never answered /healthz");
		tu_sleep_ms(20);
	}
}

static void
start_executor(struct pl *x, const char *const *extra)
{
	static const char *const argv[] = {"execute", "--workers", "2", NULL};

	ck_assert_int_eq(x->ex, 0);
	x->ex = spawn(x, argv, x->exlog, extra);
}

static void
pl_open_env(struct pl *x, const char *const *exec_env)
{
	memset(x, 0, sizeof(*x));
	ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), 0);
	tu_tmpdir(x->dir, sizeof(x->dir));
	tu_path(x->db, sizeof(x->db), x->dir, "queue.db");
	tu_path(x->rxlog, sizeof(x->rxlog), x->dir, "receiver.log");
	tu_path(x->exlog, sizeof(x->exlog), x->dir, "executor.log");
	snprintf(x->listen, sizeof(x->listen), "127.0.0.1:%d", tu_free_port());
	snprintf(x->base, sizeof(x->base), "http://%s", x->listen);
	ck_assert_int_eq(fake_tg_start(TOKEN, &x->tg), 0);
	x->q = tu_open(x->db, NULL);
	x->next_update = 5000;
	start_receiver(x);
	start_executor(x, exec_env);
}

static void
pl_open(struct pl *x)
{
	pl_open_env(x, NULL);
}

/* Both processes must stop cleanly on SIGTERM and no sanitizer spoke. */
static void
pl_close(struct pl *x)
{
	int rx = tu_proc_stop(&x->rx, SIGTERM),
	    ex = tu_proc_stop(&x->ex, SIGTERM);

	if (rx != 0 || ex != 0 || tu_file_says(x->rxlog, "Sanitizer") ||
	    tu_file_says(x->exlog, "Sanitizer") ||
	    tu_file_says(x->rxlog, "runtime error:") ||
	    tu_file_says(x->exlog, "runtime error:")) {
		show_logs(x);
		ck_abort_msg("receiver %d, executor %d at stop, or a sanitizer "
		             "reported an error (logs above)",
		    rx, ex);
	}
	fake_tg_stop(x->tg);
	queue_close(x->q);
	tu_rmtree(x->dir);
	curl_global_cleanup();
}

/* Wait until pred(x, arg) holds; fail (showing the logs) after HANG_MS. */
static void
wait_for(struct pl *x, bool (*pred)(struct pl *, void *), void *arg,
    const char *what)
{
	int64_t t0 = tu_mono_ms();

	while (!pred(x, arg)) {
		if (tu_mono_ms() - t0 > HANG_MS) {
			show_logs(x);
			ck_abort_msg("hang guard: still waiting for %s", what);
		}
		tu_sleep_ms(20);
	}
}

/* ---- Updates, as Telegram sends them ---- */

static char *
message(struct pl *x, int64_t user, const char *text)
{
	char *json = NULL;
	int64_t id = x->next_update++;

	ck_assert_int_ge(asprintf(&json,
	                     "{\"update_id\":%" PRId64
	                     ",\"message\":{\"message_id\":%" PRId64
	                     ",\"date\":1763700000,\"from\":{\"id\":%" PRId64
	                     ",\"is_bot\":false,\"first_name\":\"Ann\"},"
	                     "\"chat\":{\"id\":%" PRId64
	                     ",\"type\":\"private\",\"first_name\":\"Ann\"},"
	                     "\"text\":\"%s\"}}",
	                     id, id, user, user, text),
	    0);
	return json;
}

/* user presses the button with data under message msg_id in chat. */
static char *
press(
    struct pl *x, int64_t user, int64_t chat, int64_t msg_id, const char *data)
{
	char *json = NULL;
	int64_t id = x->next_update++;

	ck_assert_int_ge(
	    asprintf(&json,
	        "{\"update_id\":%" PRId64
	        ",\"callback_query\":{\"id\":\"cb%" PRId64
	        "\",\"from\":{\"id\":%" PRId64
	        ",\"is_bot\":false,\"first_name\":\"Ann\"},\"chat_instance\":"
	        "\"1\",\"message\":{\"message_id\":%" PRId64
	        ",\"date\":1763700000,\"chat\":{\"id\":%" PRId64
	        ",\"type\":\"private\"},\"text\":\"card\"},\"data\":\"%s\"}}",
	        id, id, user, msg_id, chat, data),
	    0);
	return json;
}

static void
post_ok(struct pl *x, char *json)
{
	long st = post(x, json);

	if (st != 200)
		show_logs(x);
	ck_assert_msg(st == 200, "POST answered %ld: %s", st, json);
	free(json);
}

/* ---- reading back ---- */

/* Nothing left to do: every command and every message finished. */
static bool
settled(struct pl *x, void *arg)
{
	struct queue_stats c, m;

	(void)arg;
	ck_assert_int_eq(queue_stats(x->q, &c), 0);
	ck_assert_int_eq(outbox_stats(x->q, &m), 0);
	return c.count[QUEUE_PENDING] + c.count[QUEUE_PROCESSING] +
	    c.count[QUEUE_FAILED] + m.count[QUEUE_PENDING] +
	    m.count[QUEUE_PROCESSING] + m.count[QUEUE_FAILED] ==
	    0;
}

static void
wait_settled(struct pl *x)
{
	wait_for(x, settled, NULL, "the queue and the outbox to settle");
}

/* Requests of method to chat answered ok by the fake. */
static size_t
ok_to_chat(struct pl *x, const char *method, int64_t chat)
{
	struct fake_tg_req *reqs = NULL;
	size_t n = 0, hits = 0;

	ck_assert_int_eq(fake_tg_requests(x->tg, method, &reqs, &n), 0);
	for (size_t k = 0; k < n; k++)
		hits += reqs[k].ok && reqs[k].has_chat_id &&
		    reqs[k].chat_id == chat;
	fake_tg_requests_free(reqs, n);
	return hits;
}

struct chat_method {
	const char *method;
	int64_t chat;
};

static bool
delivered(struct pl *x, void *arg)
{
	struct chat_method *cm = arg;

	return ok_to_chat(x, cm->method, cm->chat) > 0;
}

/* The last ok request body of method to chat (the caller puts it). */
static struct json_object *
last_body(struct pl *x, const char *method, int64_t chat)
{
	struct fake_tg_req *reqs = NULL;
	struct json_object *body = NULL;
	size_t n = 0;

	ck_assert_int_eq(fake_tg_requests(x->tg, method, &reqs, &n), 0);
	for (size_t k = n; k-- > 0 && body == NULL;)
		if (reqs[k].ok && reqs[k].has_chat_id &&
		    reqs[k].chat_id == chat)
			body = json_tokener_parse(reqs[k].body);
	fake_tg_requests_free(reqs, n);
	ck_assert_msg(body != NULL, "no %s to chat %" PRId64, method, chat);
	return body;
}

/* The callback data of a keyboard's buttons, in order, into data[n]. */
static int
buttons(struct json_object *body, char data[][80], int max)
{
	struct json_object *markup, *rows, *v;
	int n = 0;

	if (!json_object_object_get_ex(body, "reply_markup", &markup))
		return 0;
	if (json_object_is_type(markup, json_type_string))
		markup = json_tokener_parse(json_object_get_string(markup));
	else
		json_object_get(markup);
	if (json_object_object_get_ex(markup, "inline_keyboard", &rows))
		for (size_t r = 0; r < json_object_array_length(rows); r++) {
			struct json_object *row =
			    json_object_array_get_idx(rows, r);

			for (size_t c = 0; c < json_object_array_length(row);
			     c++) {
				struct json_object *b =
				    json_object_array_get_idx(row, c);

				if (n < max &&
				    json_object_object_get_ex(
				        b, "callback_data", &v))
					snprintf(data[n], sizeof(data[n]), "%s",
					    json_object_get_string(v));
				n++;
			}
		}
	json_object_put(markup);
	return n;
}

static int
count_task(const struct store_task *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

static int
tasks_of(struct pl *x, int64_t owner)
{
	int n = 0;

	ck_assert_int_eq(
	    store_task_list(x->q, owner, NULL, 100, count_task, &n), 0);
	return n;
}

static int64_t
sql_int(struct pl *x, const char *sql)
{
	sqlite3 *h = tu_sql_open(x->db);
	int64_t v = tu_sql_int(h, sql);

	sqlite3_close(h);
	return v;
}

/* Commands made of Telegram updates that are completed (the scheduler's
 * maintenance commands are not counted). */
static int64_t
updates_done(struct pl *x)
{
	return sql_int(x,
	    "SELECT count(*) FROM commands WHERE status = "
	    "'completed' AND idempotency_key LIKE 'tg:update:%'");
}

/*
 * user writes "buy milk tomorrow" and the card arrives: returns the card's
 * message id (as the draft recorded it) and the three buttons' data.
 */
static int64_t
card_for(struct pl *x, int64_t user, char data[][80])
{
	struct chat_method cm = {"sendMessage", user};
	struct store_draft *d = NULL;
	struct json_object *body, *v;
	int64_t msg_id;

	post_ok(x, message(x, user, "buy milk tomorrow"));
	wait_for(x, delivered, &cm, "the draft card");
	wait_settled(x);
	body = last_body(x, "sendMessage", user);
	ck_assert(json_object_object_get_ex(body, "text", &v));
	ck_assert_ptr_nonnull(strstr(json_object_get_string(v), "Buy milk"));
	ck_assert(json_object_object_get_ex(body, "parse_mode", &v));
	ck_assert_str_eq(json_object_get_string(v), "HTML");
	ck_assert_int_eq(buttons(body, data, 3), 3);
	json_object_put(body);
	ck_assert_int_eq(
	    store_draft_latest(x->q, user, "drafted", false, &d), 1);
	msg_id = d->message_id;
	ck_assert_int_gt(msg_id, 0);
	store_draft_free(d);
	return msg_id;
}

/* ---- cases ---- */

START_TEST(message_gets_card)
{
	char data[3][80], want[3][80];
	struct store_draft *d = NULL;
	struct pl x;

	pl_open(&x);
	card_for(&x, OWNER, data);
	ck_assert_int_eq(
	    store_draft_latest(x.q, OWNER, "drafted", false, &d), 1);
	snprintf(want[0], sizeof(want[0]), "d:%" PRId64 ":c", d->id);
	snprintf(want[1], sizeof(want[1]), "d:%" PRId64 ":e", d->id);
	snprintf(want[2], sizeof(want[2]), "d:%" PRId64 ":x", d->id);
	for (int i = 0; i < 3; i++)
		ck_assert_str_eq(data[i], want[i]);
	/* the fake numbers messages per chat from 1: this is the first */
	ck_assert_int_eq(d->message_id, 1);
	store_draft_free(d);
	ck_assert_int_eq(fake_tg_count_ok(x.tg, "sendMessage"), 1);
	ck_assert_int_eq(tu_audit_count(x.q, "draft_created"), 1);
	pl_close(&x);
}
END_TEST

START_TEST(same_update_three_times)
{
	struct chat_method cm = {"sendMessage", OWNER};
	char *json;
	struct pl x;

	pl_open(&x);
	json = message(&x, OWNER, "buy milk tomorrow");
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(post(&x, json), 200);
	wait_for(&x, delivered, &cm, "the draft card");
	/* and again after it was done */
	wait_settled(&x);
	ck_assert_int_eq(post(&x, json), 200);
	free(json);
	/* a marker update from someone else: once its card is there, the
	 * repeats had every chance to make more */
	post_ok(&x, message(&x, STRANGER, "call mom"));
	cm.chat = STRANGER;
	wait_for(&x, delivered, &cm, "the marker's card");
	wait_settled(&x);
	ck_assert_int_eq(updates_done(&x), 2);
	ck_assert_int_eq(sql_int(&x,
	                     "SELECT count(*) FROM commands WHERE "
	                     "idempotency_key LIKE 'tg:update:%'"),
	    2);
	ck_assert_int_eq(sql_int(&x, "SELECT count(*) FROM drafts"), 2);
	ck_assert_int_eq(ok_to_chat(&x, "sendMessage", OWNER), 1);
	ck_assert_int_eq(fake_tg_count(x.tg, "sendMessage"), 2);
	pl_close(&x);
}
END_TEST

START_TEST(confirm_pressed_twice)
{
	struct store_draft *d = NULL;
	char data[3][80], undo[80], *text = NULL, *markup = NULL;
	int64_t msg_id;
	struct pl x;

	pl_open(&x);
	msg_id = card_for(&x, OWNER, data);
	post_ok(&x, press(&x, OWNER, OWNER, msg_id, data[0]));
	post_ok(&x, press(&x, OWNER, OWNER, msg_id, data[0]));
	wait_settled(&x);
	ck_assert_int_eq(tasks_of(&x, OWNER), 1);
	ck_assert_int_eq(tu_audit_count(x.q, "draft_confirmed"), 1);
	ck_assert_int_eq(
	    store_draft_latest(x.q, OWNER, "executed", false, &d), 1);
	snprintf(undo, sizeof(undo), "d:%" PRId64 ":u", d->id);
	store_draft_free(d);
	/* the card was edited in place to its confirmed form, with Undo */
	ck_assert_int_ge(ok_to_chat(&x, "editMessageText", OWNER), 1);
	ck_assert_int_eq(
	    fake_tg_message(x.tg, OWNER, msg_id, &text, &markup), 0);
	ck_assert_msg(strstr(text, "Saved") != NULL, "%s", text);
	ck_assert_ptr_nonnull(markup);
	ck_assert_msg(strstr(markup, undo) != NULL, "%s", markup);
	free(text);
	free(markup);
	/* each press stopped its spinner */
	ck_assert_int_eq(fake_tg_count_ok(x.tg, "answerCallbackQuery"), 2);
	pl_close(&x);
}
END_TEST

START_TEST(stranger_press_refused)
{
	char data[3][80], *before = NULL, *after = NULL, *mk = NULL,
	                  *mk2 = NULL;
	struct store_draft *d = NULL;
	int64_t msg_id, draft_id;
	int version;
	struct pl x;

	pl_open(&x);
	msg_id = card_for(&x, OWNER, data);
	ck_assert_int_eq(fake_tg_message(x.tg, OWNER, msg_id, &before, &mk), 0);
	ck_assert_int_eq(
	    store_draft_latest(x.q, OWNER, "drafted", false, &d), 1);
	draft_id = d->id;
	version = d->version;
	store_draft_free(d);
	/* someone else presses Confirm on the owner's card */
	post_ok(&x, press(&x, STRANGER, OWNER, msg_id, data[0]));
	wait_settled(&x);
	ck_assert_int_eq(tu_audit_count(x.q, "callback_rejected"), 1);
	ck_assert_int_eq(tu_audit_count(x.q, "draft_confirmed"), 0);
	ck_assert_int_eq(tasks_of(&x, OWNER), 0);
	ck_assert_int_eq(tasks_of(&x, STRANGER), 0);
	ck_assert_int_eq(store_draft_get(x.q, draft_id, &d), 1);
	ck_assert_str_eq(d->status, "drafted");
	ck_assert_int_eq(d->version, version); /* untouched */
	store_draft_free(d);
	ck_assert_int_eq(fake_tg_count(x.tg, "editMessageText"), 0);
	ck_assert_int_eq(fake_tg_message(x.tg, OWNER, msg_id, &after, &mk2), 0);
	ck_assert_str_eq(before, after);
	ck_assert_str_eq(mk, mk2);
	/* the stranger's spinner still stops */
	ck_assert_int_eq(fake_tg_count_ok(x.tg, "answerCallbackQuery"), 1);
	free(before);
	free(after);
	free(mk);
	free(mk2);
	pl_close(&x);
}
END_TEST

START_TEST(bad_requests_change_nothing)
{
	static const char *const not_updates[] = {
	    "{\"update_id\":",
	    "[1,2]",
	    "{\"message\":{\"text\":\"hi\"}}",
	    "",
	};
	struct chat_method cm = {"sendMessage", OWNER};
	struct queue_stats st, ob;
	char *json;
	struct pl x;

	pl_open(&x);
	json = message(&x, OWNER, "buy milk tomorrow");
	ck_assert_int_eq(http(&x, "/telegram", json, "wrong-secret"), 401);
	ck_assert_int_eq(http(&x, "/telegram", json, NULL), 401);
	ck_assert_int_eq(http(&x, "/telegram", json, SECRET "x"), 401);
	free(json);
	for (size_t i = 0; i < sizeof(not_updates) / sizeof(*not_updates); i++)
		ck_assert_msg(
		    post(&x, not_updates[i]) == 400, "%s", not_updates[i]);
	ck_assert_int_eq(queue_stats(x.q, &st), 0);
	ck_assert_int_eq(outbox_stats(x.q, &ob), 0);
	for (int s = 0; s < QUEUE_NSTATUS; s++) {
		ck_assert_int_eq(st.count[s], 0);
		ck_assert_int_eq(ob.count[s], 0);
	}
	ck_assert_int_eq(tu_audit_count(x.q, NULL), 0);
	/* a good update after them is the only thing that happened */
	post_ok(&x, message(&x, OWNER, "call mom"));
	wait_for(&x, delivered, &cm, "the card");
	wait_settled(&x);
	ck_assert_int_eq(updates_done(&x), 1);
	ck_assert_int_eq(fake_tg_count(x.tg, NULL), 1);
	pl_close(&x);
}
END_TEST

/* ---- the executor SIGKILLed mid-flow ---- */

#define FIRST_USER 1001
#define NUSERS 30

struct poster {
	struct pl *x;
	char *bodies[2 * NUSERS];
	int n;
	int failed; /* answers other than 200 */
};

static void *
post_all(void *arg)
{
	struct poster *p = arg;

	for (int i = 0; i < p->n; i++)
		if (post(p->x, p->bodies[i]) != 200)
			p->failed++;
	return NULL;
}

struct progress {
	int64_t base; /* updates done before the phase */
	int64_t want;
};

static bool
completed_at_least(struct pl *x, void *arg)
{
	struct progress *p = arg;

	return updates_done(x) >= p->base + p->want;
}

static bool
all_delivered(struct pl *x, void *arg)
{
	const char *method = arg;

	for (int i = 0; i < NUSERS; i++)
		if (ok_to_chat(x, method, FIRST_USER + i) == 0)
			return false;
	return true;
}

/*
 * Cards for NUSERS users; then, from a thread, NUSERS new messages and
 * the first users' Confirm presses, interleaved, while Telegram answers
 * every call 429 (so that no message is accepted while the executor dies:
 * a message accepted but not yet marked sent is the one duplicate
 * at-least-once delivery allows).  Once some of those commands are done,
 * the executor is SIGKILLed as a whole and started again.  Everything
 * completes: one task per press, one card per new message, one edit per
 * confirmed card, one answer per press, nothing dead.
 */
START_TEST(executor_killed_mid_flow)
{
	static const char *const fast[] = {
	    "DRAFTBOT_LEASE=2s", "DRAFTBOT_TELEGRAM_TIMEOUT=1s", NULL};
	struct fake_tg_faults busy = {.p_429 = 1.0, .retry_after = 2};
	int64_t msg_ids[NUSERS];
	struct poster p = {0};
	struct progress prog;
	struct queue_stats st;
	char data[NUSERS][3][80];
	pthread_t th;
	struct pl x;

	pl_open_env(&x, fast);
	p.x = &x;
	for (int i = 0; i < NUSERS; i++)
		post_ok(&x, message(&x, FIRST_USER + i, "buy milk tomorrow"));
	wait_for(&x, all_delivered, (void *)"sendMessage", "the first cards");
	wait_settled(&x);
	for (int i = 0; i < NUSERS; i++) {
		struct store_draft *d = NULL;
		struct json_object *body =
		    last_body(&x, "sendMessage", FIRST_USER + i);

		ck_assert_int_eq(buttons(body, data[i], 3), 3);
		json_object_put(body);
		ck_assert_int_eq(store_draft_latest(
		                     x.q, FIRST_USER + i, "drafted", false, &d),
		    1);
		msg_ids[i] = d->message_id;
		store_draft_free(d);
	}

	fake_tg_set_faults(x.tg, &busy);
	for (int i = 0; i < NUSERS; i++) {
		p.bodies[p.n++] =
		    message(&x, FIRST_USER + NUSERS + i, "call mom");
		p.bodies[p.n++] = press(
		    &x, FIRST_USER + i, FIRST_USER + i, msg_ids[i], data[i][0]);
	}
	prog.base = updates_done(&x);
	prog.want = 10;
	ck_assert_int_eq(pthread_create(&th, NULL, post_all, &p), 0);
	wait_for(&x, completed_at_least, &prog, "some commands to finish");
	ck_assert_int_eq(tu_proc_stop(&x.ex, SIGKILL), 128 + SIGKILL);
	pthread_join(th, NULL);
	ck_assert_int_eq(p.failed, 0);
	/* nothing was accepted by "Telegram" since the faults began: the
	 * first cards are all it took */
	ck_assert_int_eq(fake_tg_count_ok(x.tg, NULL), NUSERS);

	fake_tg_set_faults(x.tg, NULL);
	start_executor(&x, fast);
	wait_settled(&x);
	ck_assert_int_eq(updates_done(&x), 3 * NUSERS);
	ck_assert_int_eq(queue_stats(x.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_DEAD], 0);
	ck_assert_int_eq(outbox_stats(x.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_DEAD], 0);
	for (int i = 0; i < NUSERS; i++) {
		int64_t u = FIRST_USER + i, v = FIRST_USER + NUSERS + i;

		ck_assert_int_eq(tasks_of(&x, u), 1);
		ck_assert_int_eq(tasks_of(&x, v), 0);
		ck_assert_int_eq(ok_to_chat(&x, "sendMessage", u), 1);
		ck_assert_int_eq(ok_to_chat(&x, "editMessageText", u), 1);
		ck_assert_int_eq(ok_to_chat(&x, "sendMessage", v), 1);
	}
	ck_assert_int_eq(fake_tg_count_ok(x.tg, "answerCallbackQuery"), NUSERS);
	ck_assert_int_eq(
	    sql_int(&x, "SELECT count(*) FROM drafts"), 2 * NUSERS);
	ck_assert_int_eq(tu_audit_count(x.q, "draft_confirmed"), NUSERS);
	for (int i = 0; i < p.n; i++)
		free(p.bodies[i]);
	pl_close(&x);
}
END_TEST

static Suite *
pipeline_suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("pipeline");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, message_gets_card);
	tcase_add_test(tc, same_update_three_times);
	tcase_add_test(tc, confirm_pressed_twice);
	tcase_add_test(tc, stranger_press_refused);
	tcase_add_test(tc, bad_requests_change_nothing);
	tcase_add_test(tc, executor_killed_mid_flow);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(pipeline_suite());
}

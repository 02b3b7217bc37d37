/*
 * The executor end to end: `draftbot execute` (and `draftbot run`) as real
 * processes against the fake Telegram (fake_tg.h), commands put in with the
 * queue API exactly as the receiver makes them (upd_parse, upd_to_command),
 * and the outcome read back from the database and from what the fake
 * recorded.  Then the sender, the scheduler and exec_one() in-process,
 * where a case can hold the clock still.
 *
 * Every executor dies with the test process (PR_SET_PDEATHSIG) and runs in
 * a process group of its own, so a failed case leaves nothing running and a
 * case can kill the whole executor at once.  Waits have generous hang
 * guards; nothing asserts on timing.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bot/executor.h"
#include "bot/scheduler.h"
#include "bot/sender.h"
#include "bot/supervisor.h"
#include "bot/tg.h"
#include "bot/update.h"
#include "common/settings.h"
#include "queue/outbox.h"
#include "queue/store.h"
#include "tests/fake_tg.h"
#include "tests/testutil.h"

#define TOKEN "123456:TEST-token_abcdefgh"
#define HANG_MS 60000 /* a wait this long means something hangs */
#define USER 42

/* A scratch folder, a queue on its database, a fake Telegram and an
 * executor process (pid 0 while none runs). */
struct ex {
	char dir[256];
	char db[320];
	char log[320]; /* the executor's stderr */
	struct queue *q;
	struct fake_tg *tg;
	pid_t pid;
	int64_t next_update; /* update_id of the next update made up */
};

static void
ex_open(struct ex *x)
{
	memset(x, 0, sizeof(*x));
	tu_tmpdir(x->dir, sizeof(x->dir));
	tu_path(x->db, sizeof(x->db), x->dir, "queue.db");
	tu_path(x->log, sizeof(x->log), x->dir, "executor.log");
	x->q = tu_open(x->db, NULL);
	ck_assert_int_eq(fake_tg_start(TOKEN, &x->tg), 0);
	x->next_update = 1000;
}

/* Print what the executor logged: the first thing to read when a case
 * fails. */
static void
show_log(const struct ex *x)
{
	tu_show_file(x->log);
}

/* The executor's environment: the database, the fake, and extra entries
 * ("NAME=value", NULL-terminated, may be NULL). */
static void
child_env(const struct ex *x, const char *const *extra)
{
	setenv("DRAFTBOT_DB", x->db, 1);
	setenv("DRAFTBOT_TELEGRAM_API", fake_tg_base_url(x->tg), 1);
	setenv("DRAFTBOT_TELEGRAM_TOKEN", TOKEN, 1);
	setenv("DRAFTBOT_LOG_LEVEL", "info", 1);
	for (int i = 0; extra != NULL && extra[i] != NULL; i++)
		putenv((char *)extra[i]);
}

/* Start `draftbot argv…` in a process group of its own, stderr and stdout
 * to x->log.  Returns its pid. */
static pid_t
spawn(const struct ex *x, const char *const *argv, const char *const *extra)
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
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(x->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != test)
			_exit(127);
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		child_env(x, extra);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	setpgid(pid, pid);
	return pid;
}

static void
start_exec(struct ex *x, const char *const *extra)
{
	static const char *const argv[] = {"execute", "--workers", "2", NULL};

	ck_assert_int_eq(x->pid, 0);
	x->pid = spawn(x, argv, extra);
}

/* Signal the executor and wait for it: its exit status, or 128+signal. */
static int
stop_exec(struct ex *x, int sig)
{
	return tu_proc_stop(&x->pid, sig);
}

/* Did any process of the executor report a sanitizer error? */
static bool log_says(struct ex *x, void *arg);

static void
ex_close(struct ex *x)
{
	if (x->pid != 0)
		stop_exec(x, SIGKILL);
	if (log_says(x, "Sanitizer") || log_says(x, "runtime error:")) {
		show_log(x);
		ck_abort_msg("a sanitizer reported an error (log above)");
	}
	fake_tg_stop(x->tg);
	queue_close(x->q);
	tu_rmtree(x->dir);
}

/* Wait until pred(x, arg) holds; fail (showing the log) after HANG_MS. */
static void
wait_for(struct ex *x, bool (*pred)(struct ex *, void *), void *arg,
    const char *what)
{
	int64_t t0 = tu_mono_ms();

	while (!pred(x, arg)) {
		if (tu_mono_ms() - t0 > HANG_MS) {
			show_log(x);
			ck_abort_msg("hang guard: still waiting for %s", what);
		}
		tu_sleep_ms(20);
	}
}

static void
wait_ok_within(struct ex *x, const char *method, size_t n, int guard_ms)
{
	if (fake_tg_wait_ok(x->tg, method, n, guard_ms) != 0) {
		show_log(x);
		ck_abort_msg("hang guard: %zu %s answered ok (have %zu)", n,
		    method, fake_tg_count_ok(x->tg, method));
	}
}

static void
wait_ok(struct ex *x, const char *method, size_t n)
{
	wait_ok_within(x, method, n, HANG_MS);
}

/* ---- updates, as the receiver enqueues them ---- */

static int64_t
enqueue_update(struct ex *x, const char *json)
{
	struct queue_new n;
	struct upd *u = NULL;
	char key[48];
	int64_t id = 0;
	bool dup = true;

	ck_assert_int_eq(upd_parse(json, strlen(json), &u), 0);
	upd_to_command(u, json, key, sizeof(key), &n);
	ck_assert_int_eq(queue_enqueue(x->q, &n, &id, &dup), 0);
	ck_assert(!dup);
	upd_free(u);
	return id;
}

/* A text message from user in their private chat.  Returns the command
 * id. */
static int64_t
say(struct ex *x, int64_t user, const char *text)
{
	char json[1024];
	int64_t uid = x->next_update++;

	snprintf(json, sizeof(json),
	    "{\"update_id\":%" PRId64 ",\"message\":{\"message_id\":%" PRId64
	    ",\"date\":1763700000,\"from\":{\"id\":%" PRId64
	    ",\"is_bot\":false,\"first_name\":\"Ann\"},\"chat\":{\"id\":"
	    "%" PRId64
	    ",\"type\":\"private\",\"first_name\":\"Ann\"},\"text\":\"%s\"}}",
	    uid, uid, user, user, text);
	return enqueue_update(x, json);
}

/* user presses the button with data under message msg_id. */
static int64_t
press(struct ex *x, int64_t user, int64_t msg_id, const char *data)
{
	char json[1024];
	int64_t uid = x->next_update++;

	snprintf(json, sizeof(json),
	    "{\"update_id\":%" PRId64 ",\"callback_query\":{\"id\":\"cb%" PRId64
	    "\",\"from\":{\"id\":%" PRId64
	    ",\"is_bot\":false,\"first_name\":\"Ann\"},\"chat_instance\":\"1\","
	    "\"message\":{\"message_id\":%" PRId64
	    ",\"date\":1763700000,\"chat\":{\"id\":%" PRId64
	    ",\"type\":\"private\"},\"text\":\"card\"},\"data\":\"%s\"}}",
	    uid, uid, user, msg_id, user, data);
	return enqueue_update(x, json);
}

/* ---- reading back ---- */

static bool
cmd_done(struct ex *x, void *arg)
{
	struct queue_cmd *c = NULL;
	bool done;

	ck_assert_int_eq(queue_get(x->q, *(int64_t *)arg, &c), 1);
	done = c->status == QUEUE_COMPLETED || c->status == QUEUE_DEAD;
	queue_cmd_free(c);
	return done;
}

static void
wait_cmd(struct ex *x, int64_t id)
{
	wait_for(x, cmd_done, &id, "a command to finish");
}

/* Nothing left to deliver: every outbox message sent or dead. */
static bool
outbox_settled(struct ex *x, void *arg)
{
	struct queue_stats st;

	(void)arg;
	ck_assert_int_eq(outbox_stats(x->q, &st), 0);
	return st.count[QUEUE_PENDING] == 0 &&
	    st.count[QUEUE_PROCESSING] == 0 && st.count[QUEUE_FAILED] == 0;
}

static int
count_task(const struct store_task *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

static int
tasks_of(struct ex *x, int64_t owner)
{
	int n = 0;

	ck_assert_int_eq(
	    store_task_list(x->q, owner, NULL, 100, count_task, &n), 0);
	return n;
}

/* The body of the i-th ok request of method to chat (-1: the last). */
static struct json_object *
request_body(struct ex *x, const char *method, int64_t chat, int i)
{
	struct fake_tg_req *reqs = NULL;
	struct json_object *body = NULL;
	size_t n = 0;
	int seen = 0;

	ck_assert_int_eq(fake_tg_requests(x->tg, method, &reqs, &n), 0);
	for (size_t k = 0; k < n; k++) {
		size_t j = i < 0 ? n - 1 - k : k;

		if (!reqs[j].ok || !reqs[j].has_chat_id ||
		    reqs[j].chat_id != chat)
			continue;
		if (i < 0 || seen++ == i) {
			body = json_tokener_parse(reqs[j].body);
			break;
		}
	}
	fake_tg_requests_free(reqs, n);
	ck_assert_msg(body != NULL, "no %s to chat %" PRId64, method, chat);
	return body;
}

static size_t
ok_to_chat(struct ex *x, const char *method, int64_t chat)
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

/* The inline keyboard's buttons of a sendMessage body: how many, and the
 * callback data of the one whose data ends in ":<action>". */
static int
buttons(struct json_object *body, char action, char *data, size_t len)
{
	struct json_object *markup, *rows, *b, *v;
	int n = 0;

	data[0] = '\0';
	if (!json_object_object_get_ex(body, "reply_markup", &markup))
		return 0;
	if (json_object_is_type(markup, json_type_string))
		markup = json_tokener_parse(json_object_get_string(markup));
	else
		json_object_get(markup);
	if (!json_object_object_get_ex(markup, "inline_keyboard", &rows)) {
		json_object_put(markup);
		return 0;
	}
	for (size_t r = 0; r < json_object_array_length(rows); r++) {
		struct json_object *row = json_object_array_get_idx(rows, r);

		for (size_t c = 0; c < json_object_array_length(row); c++) {
			const char *d;

			b = json_object_array_get_idx(row, c);
			n++;
			if (!json_object_object_get_ex(b, "callback_data", &v))
				continue;
			d = json_object_get_string(v);
			if (strlen(d) > 2 && d[strlen(d) - 1] == action &&
			    d[strlen(d) - 2] == ':')
				snprintf(data, len, "%s", d);
		}
	}
	json_object_put(markup);
	return n;
}

/* How many draft cards (a message with a Confirm button) chat got. */
static size_t
cards_to(struct ex *x, int64_t chat)
{
	struct fake_tg_req *reqs = NULL;
	size_t n = 0, cards = 0;
	char data[80];

	ck_assert_int_eq(fake_tg_requests(x->tg, "sendMessage", &reqs, &n), 0);
	for (size_t k = 0; k < n; k++) {
		struct json_object *b;

		if (!reqs[k].ok || !reqs[k].has_chat_id ||
		    reqs[k].chat_id != chat)
			continue;
		b = json_tokener_parse(reqs[k].body);
		buttons(b, 'c', data, sizeof(data));
		cards += data[0] != '\0';
		json_object_put(b);
	}
	fake_tg_requests_free(reqs, n);
	return cards;
}

static int64_t
int_field(struct json_object *o, const char *name)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, name, &v), "no %s", name);
	return json_object_get_int64(v);
}

static const char *
str_field(struct json_object *o, const char *name)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, name, &v), "no %s", name);
	return json_object_get_string(v);
}

struct sent_find {
	int64_t chat;
	int64_t message_id;
};

static int
find_sent(const struct queue_cmd *m, void *arg)
{
	struct sent_find *s = arg;
	struct json_object *res, *v;

	if (strcmp(m->type, "sendMessage") != 0 || m->chat_id != s->chat ||
	    m->result == NULL)
		return 0;
	res = json_tokener_parse(m->result);
	if (json_object_object_get_ex(res, "message_id", &v))
		s->message_id = json_object_get_int64(v);
	json_object_put(res);
	return s->message_id != 0;
}

/* The message id Telegram (the fake) gave the first card sent to chat, as
 * the outbox recorded it. */
static int64_t
card_message_id(struct ex *x, int64_t chat)
{
	struct sent_find s = {chat, 0};

	ck_assert_int_ge(
	    outbox_list(x->q, QUEUE_COMPLETED, 1000, find_sent, &s), 0);
	ck_assert_int_gt(s.message_id, 0);
	return s.message_id;
}

/* "buy milk tomorrow" → a card with three buttons; returns the card's
 * message id and Confirm's callback data. */
static int64_t
draft_card(struct ex *x, int64_t user, char *confirm, size_t len)
{
	struct json_object *body;
	int64_t id = say(x, user, "buy milk tomorrow");
	char cancel[80];

	wait_cmd(x, id);
	wait_for(x, outbox_settled, NULL, "the card to be delivered");
	body = request_body(x, "sendMessage", user, -1);
	ck_assert_int_eq(int_field(body, "chat_id"), user);
	ck_assert_ptr_nonnull(strstr(str_field(body, "text"), "milk"));
	ck_assert_int_eq(buttons(body, 'c', confirm, len), 3);
	ck_assert_int_eq(buttons(body, 'x', cancel, sizeof(cancel)), 3);
	ck_assert_str_ne(confirm, "");
	ck_assert_str_ne(cancel, "");
	json_object_put(body);
	return card_message_id(x, user);
}

static int64_t
draft_of_data(const char *data)
{
	long long id = 0;

	ck_assert_int_eq(sscanf(data, "d:%lld:", &id), 1);
	return id;
}

/* ---- cases: the executor as a process ---- */

START_TEST(message_card_confirm_once)
{
	struct store_draft *d = NULL;
	struct json_object *edit;
	char confirm[80];
	int64_t msg_id, id;
	struct ex x;

	ex_open(&x);
	start_exec(&x, NULL);
	msg_id = draft_card(&x, USER, confirm, sizeof(confirm));
	/* the draft knows its card */
	ck_assert_int_eq(store_draft_get(x.q, draft_of_data(confirm), &d), 1);
	ck_assert_int_eq(d->message_id, msg_id);
	store_draft_free(d);

	id = press(&x, USER, msg_id, confirm);
	wait_cmd(&x, id);
	wait_ok(&x, "editMessageText", 1);
	edit = request_body(&x, "editMessageText", USER, 0);
	ck_assert_int_eq(int_field(edit, "message_id"), msg_id);
	json_object_put(edit);
	ck_assert_int_eq(tasks_of(&x, USER), 1);

	/* Confirm pressed again: nothing more is created */
	id = press(&x, USER, msg_id, confirm);
	wait_cmd(&x, id);
	wait_for(&x, outbox_settled, NULL, "the outbox to settle");
	ck_assert_int_eq(tasks_of(&x, USER), 1);
	ck_assert_uint_eq(cards_to(&x, USER), 1);

	ck_assert_int_eq(stop_exec(&x, SIGTERM), 0);
	ex_close(&x);
}
END_TEST

/* Add an outbox sendMessage with key and text to chat. */
static void
add_message(struct ex *x, int64_t chat, int i)
{
	char key[32], payload[128];
	struct queue_new n = {
	    .type = "sendMessage",
	    .key = key,
	    .chat_id = chat,
	    .payload = payload,
	    /* a 429 uses an attempt too; at 20 % faults ten make a loss
	     * a one-in-ten-million event */
	    .max_attempts = 10,
	};
	bool dup = true;

	snprintf(key, sizeof(key), "t:%d", i);
	snprintf(payload, sizeof(payload),
	    "{\"chat_id\":%" PRId64 ",\"text\":\"m%d\"}", chat, i);
	ck_assert_int_eq(outbox_add(x->q, &n, NULL, &dup), 0);
	ck_assert(!dup);
}

START_TEST(faults_every_message_once_within_limits)
{
	struct fake_tg_faults faults = {
	    .p_429 = 0.1,
	    .p_5xx = 0.1,
	    .retry_after = 1,
	    .seed = 20251121,
	};
	enum { N_SOLO = 35, N_BUSY = 3, PER_BUSY = 4, N_GROUP = 22 };
	int total = N_SOLO + N_BUSY * PER_BUSY + N_GROUP, i = 0;
	int *seen = calloc((size_t)total, sizeof(*seen));
	struct fake_tg_req *reqs = NULL;
	struct fake_tg_rates rates;
	struct queue_stats st;
	size_t n = 0;
	struct ex x;

	ck_assert_ptr_nonnull(seen);
	ex_open(&x);
	fake_tg_set_faults(x.tg, &faults);
	/* Everything is queued before the executor starts, so the limits
	 * are what holds the sender back: 35 chats at once (overall), three
	 * chats with four each (private bursts), and a group with more than
	 * its 20 a minute. */
	ck_assert_int_eq(queue_begin(x.q), 0);
	for (int c = 0; c < N_SOLO; c++, i++)
		add_message(&x, 1000 + c, i);
	for (int c = 0; c < N_BUSY; c++)
		for (int k = 0; k < PER_BUSY; k++, i++)
			add_message(&x, 2000 + c, i);
	for (int k = 0; k < N_GROUP; k++, i++)
		add_message(&x, -3000, i);
	ck_assert_int_eq(queue_commit(x.q), 0);

	start_exec(&x, NULL);
	/* the group's last two wait a minute by design */
	wait_ok_within(&x, "sendMessage", (size_t)total, 4 * HANG_MS);
	wait_for(&x, outbox_settled, NULL, "the outbox to settle");

	/* each exactly once, by its text */
	ck_assert_int_eq(fake_tg_requests(x.tg, "sendMessage", &reqs, &n), 0);
	for (size_t k = 0; k < n; k++) {
		struct json_object *b;
		int m = -1;

		if (!reqs[k].ok)
			continue;
		b = json_tokener_parse(reqs[k].body);
		ck_assert_int_eq(sscanf(str_field(b, "text"), "m%d", &m), 1);
		ck_assert(m >= 0 && m < total);
		seen[m]++;
		json_object_put(b);
	}
	for (int m = 0; m < total; m++)
		ck_assert_msg(
		    seen[m] == 1, "message m%d arrived %d times", m, seen[m]);
	/* the faults did happen, and were retried */
	ck_assert_uint_gt(n, (size_t)total);
	fake_tg_requests_free(reqs, n);
	ck_assert_int_eq(outbox_stats(x.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_COMPLETED], total);
	ck_assert_int_eq(st.count[QUEUE_DEAD], 0);

	fake_tg_rates(x.tg, &rates);
	ck_assert_uint_eq(rates.sent, (size_t)total);
	ck_assert_uint_eq(rates.global_violations, 0);
	ck_assert_int_le(rates.global_max_1s, 30);
	ck_assert_uint_eq(rates.group_violations, 0);
	ck_assert_int_le(rates.group_max_1min, 20);
	ck_assert_int_le(rates.private_max_1s, 3);

	ck_assert_int_eq(stop_exec(&x, SIGTERM), 0);
	free(seen);
	ex_close(&x);
}
END_TEST

static bool
edit_in_flight(struct ex *x, void *arg)
{
	struct queue_stats st;

	(void)arg;
	ck_assert_int_eq(outbox_stats(x->q, &st), 0);
	return st.count[QUEUE_PROCESSING] > 0;
}

/* The pids of the executor's children whose name is comm. */
static int
children(pid_t parent, const char *comm, pid_t *pids, int max)
{
	char path[64], buf[1024], name[32];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent,
	    (int)parent);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	for (char *tok = strtok(buf, " \n"); tok != NULL && n < max;
	     tok = strtok(NULL, " \n")) {
		pid_t pid = (pid_t)atoi(tok);

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(name, sizeof(name), f) != NULL) {
			name[strcspn(name, "\n")] = '\0';
			if (strcmp(name, comm) == 0)
				pids[n++] = pid;
		}
		fclose(f);
	}
	return n;
}

struct replaced {
	pid_t gone;
};

static bool
worker_replaced(struct ex *x, void *arg)
{
	struct replaced *r = arg;
	pid_t pids[8];
	int n = children(x->pid, "draftbot-worker", pids, 8);

	for (int i = 0; i < n; i++)
		if (pids[i] == r->gone)
			return false;
	return n == 2;
}

static bool
two_workers_and_sender(struct ex *x, void *arg)
{
	pid_t pids[8];

	(void)arg;
	return children(x->pid, "draftbot-worker", pids, 8) == 2 &&
	    children(x->pid, "draftbot-sender", pids, 8) == 1;
}

START_TEST(killed_mid_flow_completes_once)
{
	static const char *const env[] = {
	    "DRAFTBOT_LEASE=3s", "DRAFTBOT_TELEGRAM_TIMEOUT=2s", NULL};
	struct fake_tg_faults slow_edit = {
	    .delay_ms = 1500,
	    .method = "editMessageText",
	    .seed = 1,
	};
	char confirm[80], *text = NULL, *markup = NULL;
	struct replaced gone;
	pid_t pids[8];
	int64_t msg_id, id;
	struct ex x;

	ex_open(&x);
	start_exec(&x, env);
	msg_id = draft_card(&x, USER, confirm, sizeof(confirm));

	/* Confirm; kill every executor process while the edit of the card
	 * is on its way to Telegram. */
	fake_tg_set_faults(x.tg, &slow_edit);
	id = press(&x, USER, msg_id, confirm);
	wait_for(&x, edit_in_flight, NULL, "the edit to be in flight");
	ck_assert_int_eq(stop_exec(&x, SIGKILL), 128 + SIGKILL);
	fake_tg_set_faults(x.tg, NULL);

	/* a new executor finishes the flow once the lease has run out */
	start_exec(&x, env);
	wait_cmd(&x, id);
	wait_for(&x, outbox_settled, NULL, "the outbox to settle");
	ck_assert_int_eq(tasks_of(&x, USER), 1);
	ck_assert_uint_eq(cards_to(&x, USER), 1);
	ck_assert_uint_eq(ok_to_chat(&x, "sendMessage", USER), 1);
	ck_assert_int_eq(
	    fake_tg_message(x.tg, USER, msg_id, &text, &markup), 0);
	/* the card is in its confirmed form: an Undo button */
	ck_assert_ptr_nonnull(markup);
	ck_assert_ptr_nonnull(strstr(markup, ":u\""));
	free(text);
	free(markup);

	/* a worker killed on its own is replaced, and work goes on */
	wait_for(&x, two_workers_and_sender, NULL, "the children");
	ck_assert_int_eq(children(x.pid, "draftbot-worker", pids, 8), 2);
	gone.gone = pids[0];
	ck_assert_int_eq(kill(pids[0], SIGKILL), 0);
	wait_for(&x, worker_replaced, &gone, "a new worker");
	id = press(&x, USER, msg_id, confirm);
	wait_cmd(&x, id);
	ck_assert_int_eq(tasks_of(&x, USER), 1);

	ck_assert_int_eq(stop_exec(&x, SIGTERM), 0);
	ex_close(&x);
}
END_TEST

static bool
one_dead(struct ex *x, void *arg)
{
	struct queue_stats st;

	(void)arg;
	ck_assert_int_eq(outbox_stats(x->q, &st), 0);
	return st.count[QUEUE_DEAD] == 1;
}

static int
first_dead(const struct queue_cmd *m, void *arg)
{
	*(struct queue_cmd **)arg = calloc(1, sizeof(struct queue_cmd));
	(*(struct queue_cmd **)arg)->attempts = m->attempts;
	(*(struct queue_cmd **)arg)->chat_id = m->chat_id;
	(*(struct queue_cmd **)arg)->last_error =
	    m->last_error ? strdup(m->last_error) : NULL;
	return 1;
}

START_TEST(blocked_user_no_retry_loop)
{
	struct queue_cmd *dead = NULL;
	struct store_user u;
	struct queue_stats st;
	int64_t id;
	struct ex x;

	ex_open(&x);
	ck_assert_int_eq(fake_tg_set_next_reply(x.tg, 403,
	                     "{\"ok\":false,\"error_code\":403,"
	                     "\"description\":\"Forbidden: bot was blocked "
	                     "by the user\"}"),
	    0);
	start_exec(&x, NULL);
	id = say(&x, 43, "buy milk tomorrow");
	wait_cmd(&x, id);
	wait_for(&x, one_dead, NULL, "the card to go dead");
	ck_assert_int_eq(outbox_list(x.q, QUEUE_DEAD, 1, first_dead, &dead), 1);
	ck_assert_int_eq(dead->attempts, 1);
	ck_assert_int_eq(dead->chat_id, 43);
	ck_assert_ptr_nonnull(strstr(dead->last_error, "403"));
	ck_assert_ptr_nonnull(strstr(dead->last_error, "blocked"));
	ck_assert_ptr_null(strstr(dead->last_error, TOKEN));
	queue_cmd_free(dead);
	ck_assert_int_eq(store_user_get(x.q, 43, &u), 1);
	ck_assert_str_eq(u.status, "inactive");
	/* dead is final: Telegram was asked once */
	ck_assert_uint_eq(fake_tg_count(x.tg, "sendMessage"), 1);
	ck_assert_int_eq(outbox_stats(x.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_PENDING] + st.count[QUEUE_FAILED] +
	        st.count[QUEUE_PROCESSING],
	    0);
	ck_assert_int_eq(stop_exec(&x, SIGTERM), 0);
	ex_close(&x);
}
END_TEST

START_TEST(permanent_failure_tells_the_user)
{
	struct queue_new n = {
	    .type = "message",
	    .key = "bad:1",
	    .chat_id = 44,
	    .user_id = 44,
	    .payload = "{\"not\":\"an update\"}",
	};
	struct queue_cmd *c = NULL;
	struct json_object *body;
	int64_t id = 0;
	struct ex x;

	ex_open(&x);
	ck_assert_int_eq(queue_enqueue(x.q, &n, &id, NULL), 0);
	start_exec(&x, NULL);
	wait_cmd(&x, id);
	c = tu_get(x.q, id);
	ck_assert_int_eq(c->status, QUEUE_DEAD);
	ck_assert_int_eq(c->attempts, 1);
	queue_cmd_free(c);
	wait_ok(&x, "sendMessage", 1);
	body = request_body(&x, "sendMessage", 44, 0);
	ck_assert_str_eq(str_field(body, "text"),
	    "Sorry — I couldn't process that message (it was not in a form "
	    "I can read). Nothing was changed.");
	json_object_put(body);
	ck_assert_int_eq(stop_exec(&x, SIGTERM), 0);
	ex_close(&x);
}
END_TEST

START_TEST(sigterm_stops_everything)
{
	pid_t pids[8];
	int n = 0;
	struct ex x;

	ex_open(&x);
	start_exec(&x, NULL);
	wait_for(&x, two_workers_and_sender, NULL, "the children");
	n += children(x.pid, "draftbot-worker", pids, 8);
	n += children(x.pid, "draftbot-sender", pids + n, 8 - n);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(stop_exec(&x, SIGTERM), 0);
	for (int i = 0; i < n; i++)
		ck_assert_msg(kill(pids[i], 0) < 0 && errno == ESRCH,
		    "child %d is still there", (int)pids[i]);
	/* and SIGINT (Ctrl-C) the same */
	start_exec(&x, NULL);
	wait_for(&x, two_workers_and_sender, NULL, "the children");
	ck_assert_int_eq(stop_exec(&x, SIGINT), 0);
	ex_close(&x);
}
END_TEST

START_TEST(execute_bad_input)
{
	static const char *const bad_workers[] = {
	    "execute", "--workers", "0", NULL};
	static const char *const extra[] = {"execute", "now", NULL};
	static const char *const no_args[] = {"execute", NULL};
	char dir[256], db[320], env_db[340], err[2048];
	const char *env[] = {env_db, NULL};

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "q.db");
	snprintf(env_db, sizeof(env_db), "DRAFTBOT_DB=%s", db);
	ck_assert_int_eq(
	    tu_run(bad_workers, env, NULL, 0, err, sizeof(err)), EXIT_USAGE);
	ck_assert_str_eq(
	    err, "draftbot: --workers: '0' is not a number from 1 to 64\n");
	ck_assert_int_eq(
	    tu_run(extra, env, NULL, 0, err, sizeof(err)), EXIT_USAGE);
	ck_assert_str_eq(err,
	    "draftbot: unexpected argument 'now'\nusage: draftbot execute "
	    "[--workers N]\n");
	/* no token: says what to set, starts nothing */
	ck_assert_int_eq(tu_run(no_args, env, NULL, 0, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "DRAFTBOT_TELEGRAM_TOKEN"));
	tu_rmtree(dir);
}
END_TEST

/* An LLM or Google configured but unusable: refused at start, named. */
START_TEST(execute_broken_service_settings)
{
	static const char *const args[] = {"execute", NULL};
	char dir[256], db[320], env_db[340], err[2048];
	const char *no_key[] = {env_db, "DRAFTBOT_TELEGRAM_TOKEN=" TOKEN,
	    "DRAFTBOT_LLM_PROVIDER=openai", NULL};
	const char *half_google[] = {env_db, "DRAFTBOT_TELEGRAM_TOKEN=" TOKEN,
	    "DRAFTBOT_GOOGLE_CLIENT_ID=x.apps.googleusercontent.com", NULL};
	const char *custom[] = {env_db, "DRAFTBOT_TELEGRAM_TOKEN=" TOKEN,
	    "DRAFTBOT_LLM_PROVIDER=custom", NULL};

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "q.db");
	snprintf(env_db, sizeof(env_db), "DRAFTBOT_DB=%s", db);
	ck_assert_int_eq(tu_run(args, no_key, NULL, 0, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "the LLM settings are not usable"));
	ck_assert_ptr_nonnull(strstr(err, "key"));
	ck_assert_int_eq(tu_run(args, custom, NULL, 0, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "the LLM settings are not usable"));
	ck_assert_int_eq(
	    tu_run(args, half_google, NULL, 0, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "google_client_secret"));
	tu_rmtree(dir);
}
END_TEST

/* ---- `draftbot run` ---- */

START_TEST(run_without_token)
{
	static const char *const argv[] = {"run", NULL};
	char dir[256], db[320], env_db[340], out[256], err[2048];
	const char *env[] = {env_db, NULL};

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "q.db");
	snprintf(env_db, sizeof(env_db), "DRAFTBOT_DB=%s", db);
	ck_assert_int_eq(
	    tu_run(argv, env, out, sizeof(out), err, sizeof(err)), 1);
	ck_assert_str_eq(err, supervisor_no_token);
	ck_assert_str_eq(out, "");
	ck_assert_ptr_nonnull(strstr(err, "DRAFTBOT_TELEGRAM_TOKEN="));
	ck_assert_ptr_nonnull(strstr(err, "DRAFTBOT_TELEGRAM_TOKEN_FILE="));
	ck_assert_ptr_nonnull(strstr(err, "draftbot chat"));
	/* nothing was started, not even the database */
	ck_assert_int_eq(tu_file_size(db), -1);
	tu_rmtree(dir);
}
END_TEST

START_TEST(run_with_a_refused_token)
{
	static const char *const argv[] = {"run", "--poll", NULL};
	char env_api[128], env_db[340], err[2048], db[320];
	const char *env[] = {env_api, env_db,
	    "DRAFTBOT_TELEGRAM_TOKEN=999:not-the-fakes-token", NULL};
	struct ex x;

	ex_open(&x);
	tu_path(db, sizeof(db), x.dir, "other.db");
	snprintf(env_api, sizeof(env_api), "DRAFTBOT_TELEGRAM_API=%s",
	    fake_tg_base_url(x.tg));
	snprintf(env_db, sizeof(env_db), "DRAFTBOT_DB=%s", db);
	ck_assert_int_eq(tu_run(argv, env, NULL, 0, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "does not accept this bot token"));
	ck_assert_ptr_nonnull(strstr(err, "404"));
	ck_assert_ptr_null(strstr(err, "not-the-fakes-token"));
	/* an unreachable Telegram: a hint to check the network */
	snprintf(env_api, sizeof(env_api),
	    "DRAFTBOT_TELEGRAM_API=http://127.0.0.1:1");
	ck_assert_int_eq(tu_run(argv, env, NULL, 0, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "cannot reach Telegram"));
	ex_close(&x);
}
END_TEST

static bool
log_says(struct ex *x, void *arg)
{
	return tu_file_says(x->log, arg);
}

START_TEST(run_poll_end_to_end)
{
	static const char *const argv[] = {"run", "--poll", NULL};
	char json[512];
	struct json_object *body;
	struct ex x;

	ex_open(&x);
	x.pid = spawn(&x, argv, NULL);
	wait_for(
	    &x, log_says, "draftbot: running as @fake_bot\n", "the bot's name");
	snprintf(json, sizeof(json),
	    "{\"message\":{\"message_id\":5,\"date\":1763700000,"
	    "\"from\":{\"id\":%d,\"is_bot\":false,\"first_name\":\"Ann\"},"
	    "\"chat\":{\"id\":%d,\"type\":\"private\"},"
	    "\"text\":\"buy milk tomorrow\"}}",
	    USER, USER);
	ck_assert_int_ge(fake_tg_push_update(x.tg, json), 0);
	wait_ok(&x, "sendMessage", 1);
	body = request_body(&x, "sendMessage", USER, 0);
	ck_assert_ptr_nonnull(strstr(str_field(body, "text"), "milk"));
	json_object_put(body);
	ck_assert_int_eq(stop_exec(&x, SIGTERM), 0);
	ex_close(&x);
}
END_TEST

/* ---- in-process: the sender, the scheduler, exec_one ---- */

static int64_t frozen_ms = 1000000;

static int64_t
frozen(void *arg)
{
	(void)arg;
	return frozen_ms;
}

static struct sender *
make_sender(struct ex *x, struct tg **t, bool frozen_clock)
{
	struct tg_opts to = {.api_base = fake_tg_base_url(x->tg),
	    .token = TOKEN,
	    .timeout_ms = 5000};
	struct sender_opts so = {
	    .owner = "send:test:1",
	    .lease_ms = 30000,
	    .rate = {30, 1, 3, 20},
	    .mono_ms = frozen_clock ? frozen : NULL,
	};
	struct sender *s = NULL;

	ck_assert_int_eq(tg_open(&to, t), 0);
	ck_assert_int_eq(sender_new(x->q, *t, &so, &s), 0);
	return s;
}

static int64_t
add_ref(struct ex *x, const char *method, int64_t chat, const char *payload,
    const char *key, const char *ref)
{
	struct queue_new n = {
	    .type = method, .key = key, .chat_id = chat, .payload = payload};
	int64_t id = 0;

	ck_assert_int_eq(outbox_add_ref(x->q, &n, ref, &id, NULL), 0);
	return id;
}

START_TEST(sender_fills_the_cards_message_id)
{
	struct store_draft d = {.owner_id = 7,
	    .chat_id = 7,
	    .kind = "task",
	    .draft = "{\"title\":\"Milk\"}",
	    .command_id = 1,
	    .expires_at_ms = INT64_MAX / 2};
	struct store_draft *got = NULL;
	struct json_object *body;
	struct sender *s;
	struct tg *t = NULL;
	char ref[32];
	int64_t draft_id = 0;
	struct ex x;

	ex_open(&x);
	s = make_sender(&x, &t, false);
	ck_assert_int_eq(store_draft_create(x.q, &d, &draft_id, NULL), 0);
	snprintf(ref, sizeof(ref), "draft:%" PRId64, draft_id);
	/* another message first, so the card is not message 1 */
	add_ref(&x, "sendMessage", 7, "{\"chat_id\":7,\"text\":\"hello\"}",
	    "k:0", NULL);
	add_ref(&x, "sendMessage", 7, "{\"chat_id\":7,\"text\":\"card\"}",
	    "k:1", ref);
	add_ref(&x, "editMessageText", 7,
	    "{\"chat_id\":7,\"message_id\":0,\"text\":\"card v2\"}", "k:2",
	    ref);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(sender_step(s), 1);
	ck_assert_int_eq(sender_step(s), 0);
	ck_assert_int_eq(store_draft_get(x.q, draft_id, &got), 1);
	ck_assert_int_eq(got->message_id, 2);
	store_draft_free(got);
	body = request_body(&x, "editMessageText", 7, 0);
	ck_assert_int_eq(int_field(body, "message_id"), 2);
	ck_assert_str_eq(str_field(body, "text"), "card v2");
	json_object_put(body);

	/* an edit of a card that never got an id: dead, with the reason,
	 * and Telegram is not asked */
	d.command_id = 2;
	ck_assert_int_eq(store_draft_create(x.q, &d, &draft_id, NULL), 0);
	snprintf(ref, sizeof(ref), "draft:%" PRId64, draft_id);
	add_ref(&x, "editMessageText", 7,
	    "{\"chat_id\":7,\"message_id\":0,\"text\":\"x\"}", "k:3", ref);
	ck_assert_int_eq(sender_step(s), 1);
	ck_assert_uint_eq(fake_tg_count(x.tg, "editMessageText"), 1);
	sender_free(s);
	tg_close(t);
	ex_close(&x);
}
END_TEST

START_TEST(sender_defers_by_rate_without_using_attempts)
{
	struct queue_cmd *m = NULL;
	struct sender *s;
	struct tg *t = NULL;
	char key[16], payload[64];
	int64_t ids[5];
	struct ex x;

	ex_open(&x);
	s = make_sender(&x, &t, true);
	for (int i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "r:%d", i);
		snprintf(payload, sizeof(payload),
		    "{\"chat_id\":%d,\"text\":\"m%d\"}", i < 4 ? 9 : 10, i);
		ids[i] = add_ref(
		    &x, "sendMessage", i < 4 ? 9 : 10, payload, key, NULL);
	}
	/* the clock stands still: chat 9 gets its burst of three, the
	 * fourth waits, and chat 10 is not held up by it */
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(sender_step(s), 1);
	ck_assert_uint_eq(ok_to_chat(&x, "sendMessage", 9), 3);
	ck_assert_uint_eq(ok_to_chat(&x, "sendMessage", 10), 1);
	ck_assert_int_eq(outbox_get(x.q, ids[3], &m), 1);
	ck_assert_int_eq(m->status, QUEUE_FAILED);
	ck_assert_int_eq(m->attempts, 0);
	ck_assert_ptr_null(m->last_error);
	queue_cmd_free(m);
	sender_free(s);
	tg_close(t);
	ex_close(&x);
}
END_TEST

START_TEST(sender_429_pauses_all_chats)
{
	struct queue_cmd *m = NULL;
	struct sender *s;
	struct tg *t = NULL;
	int64_t id;
	struct ex x;

	ex_open(&x);
	s = make_sender(&x, &t, true);
	ck_assert_int_eq(fake_tg_set_next_reply(x.tg, 429,
	                     "{\"ok\":false,\"error_code\":429,"
	                     "\"description\":\"Too Many Requests: retry "
	                     "after 7\",\"parameters\":{\"retry_after\":7}}"),
	    0);
	id = add_ref(&x, "sendMessage", 5, "{\"chat_id\":5,\"text\":\"a\"}",
	    "p:1", NULL);
	add_ref(&x, "sendMessage", 6, "{\"chat_id\":6,\"text\":\"b\"}", "p:2",
	    NULL);
	ck_assert_int_eq(sender_step(s), 1);
	ck_assert_int_eq(outbox_get(x.q, id, &m), 1);
	ck_assert_int_eq(m->status, QUEUE_FAILED);
	ck_assert_int_eq(m->attempts, 1);
	ck_assert_ptr_nonnull(strstr(m->last_error, "429"));
	queue_cmd_free(m);
	/* another chat waits too: flood control is per bot */
	ck_assert_int_gt(sender_pause_ms(s), 6000);
	ck_assert_int_eq(sender_step(s), 0);
	ck_assert_uint_eq(fake_tg_count(x.tg, "sendMessage"), 1);
	frozen_ms += 7100;
	ck_assert_int_eq(sender_pause_ms(s), 0);
	ck_assert_int_eq(sender_step(s), 1);
	ck_assert_uint_eq(ok_to_chat(&x, "sendMessage", 6), 1);
	sender_free(s);
	tg_close(t);
	ex_close(&x);
}
END_TEST

static struct cfg *
test_cfg(const char *db)
{
	char err[CFG_ERR_MAX];
	struct cfg *cfg = NULL;

	ck_assert_int_eq(
	    cfg_load(settings_table, NULL, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg_set(cfg, "db", db, err, sizeof(err)), 0);
	return cfg;
}

struct keys {
	char list[8][64];
	int n;
};

static int
collect_key(const struct queue_cmd *c, void *arg)
{
	struct keys *k = arg;

	if (k->n < 8)
		snprintf(k->list[k->n++], sizeof(k->list[0]), "%s", c->key);
	return 0;
}

START_TEST(scheduler_once_per_minute_and_day)
{
	/* 2026-11-21 23:59:30 UTC */
	int64_t wall = 1795305570000LL, mono = 5000, next;
	struct sched *s = NULL, *other = NULL;
	struct cfg *cfg;
	struct keys k = {.n = 0};
	char key[64];
	struct ex x;

	ex_open(&x);
	cfg = test_cfg(x.db);
	sched_key("expire", wall, key, sizeof(key));
	ck_assert_str_eq(key, "maint:expire:202611212359");
	sched_key("prune", wall, key, sizeof(key));
	ck_assert_str_eq(key, "maint:prune:20261121");

	ck_assert_int_eq(sched_new(cfg, mono, &s), 0);
	ck_assert_int_eq(sched_new(cfg, mono, &other), 0);
	next = sched_tick(s, wall, mono);
	ck_assert_int_eq(next, 30000); /* the next minute */
	/* a second executor in the same minute adds nothing */
	sched_tick(other, wall + 1000, mono + 1000);
	ck_assert_int_eq(sched_tick(s, wall + 2000, mono + 2000), 28000);
	/* the next minute; then a day after the start, the prune */
	sched_tick(s, wall + 30000, mono + 30000);
	sched_tick(s, wall + 86400000LL, mono + 86400000LL);
	ck_assert_int_ge(queue_list(x.q, -1, 8, collect_key, &k), 0);
	ck_assert_int_eq(k.n, 4);
	ck_assert_str_eq(k.list[0], "maint:prune:20261122");
	ck_assert_str_eq(k.list[1], "maint:expire:202611222359");
	ck_assert_str_eq(k.list[2], "maint:expire:202611220000");
	ck_assert_str_eq(k.list[3], "maint:expire:202611212359");
	sched_free(s);
	sched_free(other);
	cfg_free(cfg);
	ex_close(&x);
}
END_TEST

START_TEST(exec_one_prune_and_failure)
{
	struct queue_new prune = {.type = "maintenance",
	    .key = "maint:prune:20261121",
	    .payload = "{\"task\":\"prune\"}"};
	struct queue_new bad = {.type = "callback",
	    .key = "bad:2",
	    .chat_id = 45,
	    .user_id = 45,
	    .payload = "{\"update_id\":\"nope\"}"};
	struct wf_env env;
	struct queue_cmd *c;
	struct cfg *cfg;
	int64_t id;
	struct ex x;

	ex_open(&x);
	cfg = test_cfg(x.db);
	env = (struct wf_env){.q = x.q, .cfg = cfg};
	ck_assert_int_eq(exec_one(&env, "exec:test:1", 30000), 0);

	ck_assert_int_eq(queue_enqueue(x.q, &prune, &id, NULL), 0);
	ck_assert_int_eq(exec_one(&env, "exec:test:1", 30000), 1);
	c = tu_get(x.q, id);
	ck_assert_int_eq(c->status, QUEUE_COMPLETED);
	ck_assert_ptr_nonnull(strstr(c->result, "\"pruned\""));
	queue_cmd_free(c);

	/* a permanent failure: dead, and the apology queued with it */
	ck_assert_int_eq(queue_enqueue(x.q, &bad, &id, NULL), 0);
	ck_assert_int_eq(exec_one(&env, "exec:test:1", 30000), 1);
	c = tu_get(x.q, id);
	ck_assert_int_eq(c->status, QUEUE_DEAD);
	queue_cmd_free(c);
	{
		struct keys k = {.n = 0};
		char want[64];

		ck_assert_int_ge(outbox_list(x.q, -1, 8, collect_key, &k), 0);
		snprintf(want, sizeof(want), "cmd:%" PRId64 ":failed", id);
		ck_assert_int_eq(k.n, 1);
		ck_assert_str_eq(k.list[0], want);
	}
	cfg_free(cfg);
	ex_close(&x);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("executor");
	TCase *procs = tcase_create("processes");
	TCase *unit = tcase_create("in-process");

	tcase_set_timeout(procs, 280);
	tcase_add_test(procs, message_card_confirm_once);
	tcase_add_test(procs, faults_every_message_once_within_limits);
	tcase_add_test(procs, killed_mid_flow_completes_once);
	tcase_add_test(procs, blocked_user_no_retry_loop);
	tcase_add_test(procs, permanent_failure_tells_the_user);
	tcase_add_test(procs, sigterm_stops_everything);
	tcase_add_test(procs, execute_bad_input);
	tcase_add_test(procs, execute_broken_service_settings);
	tcase_add_test(procs, run_without_token);
	tcase_add_test(procs, run_with_a_refused_token);
	tcase_add_test(procs, run_poll_end_to_end);
	suite_add_tcase(s, procs);
	tcase_add_test(unit, sender_fills_the_cards_message_id);
	tcase_add_test(unit, sender_defers_by_rate_without_using_attempts);
	tcase_add_test(unit, sender_429_pauses_all_chats);
	tcase_add_test(unit, scheduler_once_per_minute_and_day);
	tcase_add_test(unit, exec_one_prune_and_failure);
	suite_add_tcase(s, unit);
	return tu_run_suite(s);
}

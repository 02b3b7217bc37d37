/*
 * `draftbot chat` as a real process with its stdin a pipe: the transcript
 * it prints, and what it left in the database (read back through the queue
 * API on a connection of the test's own).  Then the terminal rendering
 * (chat_int.h) in-process.
 */
#include <check.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/chat_int.h"
#include "bot/update.h"
#include "queue/outbox.h"
#include "queue/store.h"
#include "tests/testutil.h"
#include "workflows/nlp.h"

#define OUT_MAX (256 * 1024)
#define BUTTONS "[1] ✅ Confirm  [2] ✏️ Edit  [3] ✖ Cancel\n"

/* A scratch folder with the chat's database, and the last run's output. */
struct cx {
	char dir[256];
	char db[320];
	char dbenv[400];
	char *out, *err;
	int code;
	struct queue *q; /* opened by cx_queue() after a run */
};

static void
cx_open(struct cx *x)
{
	memset(x, 0, sizeof(*x));
	tu_tmpdir(x->dir, sizeof(x->dir));
	tu_path(x->db, sizeof(x->db), x->dir, "chat.db");
	snprintf(x->dbenv, sizeof(x->dbenv), "DRAFTBOT_DB=%s", x->db);
	x->out = calloc(1, OUT_MAX);
	x->err = calloc(1, OUT_MAX);
	ck_assert(x->out != NULL && x->err != NULL);
}

static void
cx_close(struct cx *x)
{
	queue_close(x->q);
	free(x->out);
	free(x->err);
	tu_rmtree(x->dir);
}

/* Run `draftbot chat args…` with input on stdin, and extra env entries. */
static int
cx_run_env(struct cx *x, const char *input, const char *const *args,
    const char *const *extra)
{
	const char *argv[16] = {"chat"};
	const char *env[16] = {x->dbenv, "DRAFTBOT_TZ=UTC"};
	int n = 1, e = 2;

	for (int i = 0; args != NULL && args[i] != NULL && n < 15; i++)
		argv[n++] = args[i];
	for (int i = 0; extra != NULL && extra[i] != NULL && e < 15; i++)
		env[e++] = extra[i];
	x->code = tu_run_input(
	    argv, env, input, strlen(input), x->out, OUT_MAX, x->err, OUT_MAX);
	return x->code;
}

static int
cx_run(struct cx *x, const char *input)
{
	return cx_run_env(x, input, NULL, NULL);
}

static struct queue *
cx_queue(struct cx *x)
{
	if (x->q == NULL)
		x->q = tu_open(x->db, NULL);
	return x->q;
}

/* Assert the output holds want, showing the whole of it when not. */
static void
has(const struct cx *x, const char *want)
{
	ck_assert_msg(strstr(x->out, want) != NULL,
	    "no \"%s\" in the output:\n%s\n-- stderr:\n%s", want, x->out,
	    x->err);
}

static int
count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* "Sat 22 Nov" for today + days in UTC, as the card writes it. */
static void
day_of(int days, char *buf, size_t len)
{
	time_t t = time(NULL) + days * 86400, now = time(NULL);
	struct tm tm, now_tm;

	gmtime_r(&t, &tm);
	gmtime_r(&now, &now_tm);
	ck_assert_int_eq(
	    nlp_format_day(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	        tm.tm_year != now_tm.tm_year, buf, len),
	    0);
}

static int
count_task(const struct store_task *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

static int
tasks_of(struct queue *q, int64_t owner, const char *status)
{
	int n = 0;

	ck_assert_int_eq(
	    store_task_list(q, owner, status, 100, count_task, &n), 0);
	return n;
}

/* Every outbox message of the chat was shown and marked sent. */
static void
outbox_all_sent(struct queue *q)
{
	struct queue_stats st;

	ck_assert_int_eq(outbox_stats(q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_PENDING], 0);
	ck_assert_int_eq(st.count[QUEUE_PROCESSING], 0);
	ck_assert_int_eq(st.count[QUEUE_FAILED], 0);
	ck_assert_int_eq(st.count[QUEUE_DEAD], 0);
}

struct sent_find {
	int64_t first_id; /* message_id of the first sendMessage result */
	int n;
};

static int
find_sent(const struct queue_cmd *m, void *arg)
{
	struct sent_find *s = arg;
	struct json_object *res, *v;

	if (strcmp(m->type, "sendMessage") != 0 || m->result == NULL)
		return 0;
	res = json_tokener_parse(m->result);
	ck_assert_ptr_nonnull(res);
	ck_assert(json_object_object_get_ex(res, "message_id", &v));
	s->first_id = json_object_get_int64(v); /* newest first: ends oldest */
	s->n++;
	json_object_put(res);
	return 0;
}

/* ---- the conversation ---- */

/* The README's example: draft, confirm, list. */
START_TEST(draft_confirm_tasks)
{
	struct store_draft *d = NULL;
	struct sent_find sf = {0};
	char tomorrow[32], later[32], want[128];
	struct queue *q;
	struct cx x;

	cx_open(&x);
	day_of(1, tomorrow, sizeof(tomorrow));
	ck_assert_int_eq(cx_run(&x, "buy milk tomorrow 5pm\n1\n/tasks\n"), 0);
	day_of(1, later, sizeof(later)); /* midnight may have passed */
	has(&x, "you: buy milk tomorrow 5pm\ndraftbot:\n  📝 Buy milk\n");
	snprintf(want, sizeof(want), "  📅 %s, 17:00\n", tomorrow);
	if (strstr(x.out, want) == NULL)
		snprintf(want, sizeof(want), "  📅 %s, 17:00\n", later);
	has(&x, want);
	has(&x, "  " BUTTONS);
	/* 1 pressed Confirm: the card again, saved, with Undo */
	has(&x,
	    "you: 1\n(pressed [1] ✅ Confirm)\ndraftbot (edited):\n"
	    "  📝 Buy milk\n");
	has(&x, "  ✅ Saved\n  [1] ↩️ Undo\n");
	/* /tasks: the task with its Done button */
	has(&x, "you: /tasks\ndraftbot:\n  Open tasks\n  • Buy milk — ");
	has(&x, "  [1] ✓ Buy milk\n");
	/* not a terminal: no ANSI, no prompt */
	ck_assert_ptr_null(strchr(x.out, '\033'));
	ck_assert_ptr_null(strstr(x.out, "> "));
	ck_assert_str_eq(x.err, "");

	q = cx_queue(&x);
	ck_assert_int_eq(tasks_of(q, 1, "open"), 1);
	ck_assert_int_eq(tu_audit_count(q, "draft_created"), 1);
	ck_assert_int_eq(tu_audit_count(q, "draft_confirmed"), 1);
	ck_assert_int_eq(tu_audit_count(q, "command_executed"), 3);
	outbox_all_sent(q);
	/* the card's message id, as "Telegram" gave it, is on the draft */
	ck_assert_int_ge(
	    outbox_list(q, QUEUE_COMPLETED, 100, find_sent, &sf), 0);
	ck_assert_int_eq(sf.n, 2); /* the card and the list */
	ck_assert_int_eq(store_draft_latest(q, 1, "executed", false, &d), 1);
	ck_assert_int_eq(d->message_id, sf.first_id);
	ck_assert_int_eq(d->chat_id, 1);
	store_draft_free(d);
	cx_close(&x);
}
END_TEST

START_TEST(edit_then_correct)
{
	struct store_draft *d = NULL;
	struct json_object *j, *v;
	const char *edited;
	struct cx x;

	cx_open(&x);
	ck_assert_int_eq(
	    cx_run(&x, "buy milk tomorrow 5pm\n2\nmake it 11am\n"), 0);
	has(&x, "you: 2\n(pressed [2] ✏️ Edit)\ndraftbot (edited):\n");
	has(&x, "What should change?");
	has(&x, "  [1] ✖ Cancel\n");
	/* the correction edits the same card: 11:00, three buttons again */
	edited = strstr(x.out,
	    "you: make it 11am\ndraftbot (edited):\n"
	    "  📝 Buy milk\n");
	ck_assert_msg(edited != NULL, "%s", x.out);
	ck_assert_ptr_nonnull(strstr(edited, ", 11:00\n"));
	ck_assert_ptr_nonnull(strstr(edited, "  " BUTTONS));
	ck_assert_int_eq(count_of(x.out, "draftbot:\n"), 1); /* one card */

	ck_assert_int_eq(
	    store_draft_latest(cx_queue(&x), 1, "drafted", false, &d), 1);
	j = json_tokener_parse(d->draft);
	ck_assert(json_object_object_get_ex(j, "due_time", &v));
	ck_assert_str_eq(json_object_get_string(v), "11:00");
	json_object_put(j);
	store_draft_free(d);
	outbox_all_sent(x.q);
	cx_close(&x);
}
END_TEST

/* A later session on the same database: fresh ids (nothing taken for a
 * re-sent update), the earlier task is there, its button works. */
START_TEST(second_session)
{
	struct queue_stats st;
	struct cx x;

	cx_open(&x);
	ck_assert_int_eq(cx_run(&x, "buy milk tomorrow 5pm\n1\n"), 0);
	ck_assert_int_eq(cx_run(&x, "call mom\n/tasks\n2\n"), 0);
	has(&x, "  📝 Call mom\n");
	has(&x, "  • Buy milk");
	/* the list is the newest message with buttons: one, as "call mom"
	 * is only a draft */
	has(&x, "(there is no button 2: the last message has 1)\n");
	ck_assert_int_eq(cx_run(&x, "/tasks\n1\n"), 0);
	has(&x, "you: 1\n(pressed [1] ✓ Buy milk)\n");
	ck_assert_int_eq(queue_stats(cx_queue(&x), &st), 0);
	ck_assert_int_eq(st.count[QUEUE_COMPLETED], 6);
	ck_assert_int_eq(tu_audit_count(x.q, "command_created"), 6);
	ck_assert_int_eq(tasks_of(x.q, 1, "open"), 0);
	ck_assert_int_eq(tasks_of(x.q, 1, "done"), 1);
	outbox_all_sent(x.q);
	cx_close(&x);
}
END_TEST

/* Another chat's messages on the same database are not the terminal's:
 * they stay in the outbox for the Telegram sender.  Its command is run
 * (a worker is a worker) and its reply waits there too. */
START_TEST(other_chats_untouched)
{
	struct queue_new n = {.type = "sendMessage",
	    .key = "other:1",
	    .chat_id = 99,
	    .user_id = 99,
	    .payload = "{\"chat_id\":99,\"text\":\"for 99 only\"}"};
	static const char upd[] =
	    "{\"update_id\":5,\"message\":{\"message_id\":5,\"date\":1,"
	    "\"from\":{\"id\":99,\"first_name\":\"Bo\"},\"chat\":{\"id\":99,"
	    "\"type\":\"private\"},\"text\":\"water plants friday\"}}";
	struct queue_new cmd;
	struct queue_stats st;
	struct upd *u = NULL;
	int64_t msg_id = 0, cmd_id = 0;
	struct queue_cmd *m = NULL;
	char key[48];
	struct cx x;

	cx_open(&x);
	ck_assert_int_eq(outbox_add(cx_queue(&x), &n, &msg_id, NULL), 0);
	ck_assert_int_eq(upd_parse(upd, strlen(upd), &u), 0);
	upd_to_command(u, upd, key, sizeof(key), &cmd);
	ck_assert_int_eq(queue_enqueue(x.q, &cmd, &cmd_id, NULL), 0);
	upd_free(u);

	ck_assert_int_eq(cx_run(&x, "buy milk tomorrow 5pm\n"), 0);
	has(&x, "  📝 Buy milk\n");
	ck_assert_ptr_null(strstr(x.out, "99"));
	ck_assert_ptr_null(strstr(x.out, "Water plants"));
	ck_assert_int_eq(outbox_get(x.q, msg_id, &m), 1);
	ck_assert_int_eq(m->status, QUEUE_PENDING);
	queue_cmd_free(m);
	m = tu_get(x.q, cmd_id);
	ck_assert_int_eq(m->status, QUEUE_COMPLETED);
	queue_cmd_free(m);
	/* 99's note and 99's card wait for the sender */
	ck_assert_int_eq(outbox_stats(x.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_PENDING], 2);
	ck_assert_int_eq(st.count[QUEUE_COMPLETED], 1);
	cx_close(&x);
}
END_TEST

START_TEST(access_refused)
{
	static const char *const allow[] = {"DRAFTBOT_ALLOWED_USERS=5", NULL};
	static const char *const user7[] = {"--user", "7", NULL};
	struct cx x;

	cx_open(&x);
	ck_assert_int_eq(cx_run_env(&x, "buy milk\n", user7, allow), 0);
	has(&x, "you: buy milk\ndraftbot:\n");
	ck_assert_ptr_null(strstr(x.out, "Buy milk"));
	ck_assert_int_eq(tu_audit_count(cx_queue(&x), "access_denied"), 1);
	ck_assert_int_eq(tasks_of(x.q, 7, NULL), 0);
	cx_close(&x);
}
END_TEST

/* ---- bad input ---- */

START_TEST(empty_lines_ignored)
{
	struct queue_stats st;
	struct cx x;

	cx_open(&x);
	ck_assert_int_eq(cx_run(&x, "\n   \n\t\r\n/help\n\n"), 0);
	ck_assert_int_eq(count_of(x.out, "you: "), 1);
	ck_assert_int_eq(queue_stats(cx_queue(&x), &st), 0);
	ck_assert_int_eq(st.count[QUEUE_COMPLETED], 1);
	/* no input at all: nothing, exit 0 */
	ck_assert_int_eq(cx_run(&x, ""), 0);
	ck_assert_str_eq(x.out, "");
	cx_close(&x);
}
END_TEST

START_TEST(no_such_button)
{
	struct queue_stats st;
	struct cx x;

	cx_open(&x);
	ck_assert_int_eq(cx_run(&x, "7\nbuy milk tomorrow 5pm\n4\n0\n99\n"), 0);
	has(&x,
	    "you: 7\n(there is no button 7: no message has buttons "
	    "now)\n");
	has(&x, "you: 4\n(there is no button 4: the last message has 3)\n");
	has(&x, "you: 0\n(there is no button 0: the last message has 3)\n");
	has(&x, "you: 99\n(there is no button 99: the last message has 3)\n");
	/* only the message became a command; nothing was pressed */
	ck_assert_int_eq(queue_stats(cx_queue(&x), &st), 0);
	ck_assert_int_eq(st.count[QUEUE_COMPLETED], 1);
	ck_assert_int_eq(tu_audit_count(x.q, "draft_confirmed"), 0);
	/* the next session presses the same card's buttons; once cancelled
	 * it has none left */
	ck_assert_int_eq(cx_run(&x, "3\n1\n"), 0);
	has(&x, "you: 3\n(pressed [3] ✖ Cancel)\n");
	has(&x, "  ✖ Cancelled\n");
	has(&x,
	    "you: 1\n(there is no button 1: no message has buttons "
	    "now)\n");
	cx_close(&x);
}
END_TEST

/* A 10 KB line is cut to Telegram's 4096 characters; a 200 KB one is
 * read and cut without trouble; the lines after them still work. */
START_TEST(long_lines_cut)
{
	size_t big = 200 * 1024;
	char *in = malloc(big + 10240 + 64), *p = in;
	struct store_draft *d = NULL;
	struct json_object *j, *v;
	struct cx x;

	ck_assert_ptr_nonnull(in);
	memset(p, 'a', 10240);
	p += 10240;
	*p++ = '\n';
	memset(p, 'b', big);
	p += big;
	strcpy(p, "\n/help\n");
	cx_open(&x);
	ck_assert_int_eq(cx_run(&x, in), 0);
	ck_assert_int_eq(count_of(x.out,
	                     "(your message was cut to 4096 "
	                     "characters, Telegram's limit)\n"),
	    2);
	has(&x, "you: /help\n");
	ck_assert_int_eq(count_of(x.out, "draftbot:\n"), 3);
	/* the draft holds at most 4096 characters of it */
	ck_assert_int_eq(
	    store_draft_latest(cx_queue(&x), 1, "drafted", false, &d), 1);
	j = json_tokener_parse(d->draft);
	ck_assert(json_object_object_get_ex(j, "source", &v));
	ck_assert_int_le(json_object_get_string_len(v), UPD_TEXT_MAX);
	json_object_put(j);
	store_draft_free(d);
	free(in);
	cx_close(&x);
}
END_TEST

START_TEST(not_utf8_refused)
{
	struct queue_stats st;
	struct cx x;

	cx_open(&x);
	ck_assert_int_eq(cx_run(&x, "caf\xe9\n\xc0\xaf\n"), 0);
	ck_assert_int_eq(count_of(x.out,
	                     "(that line is not valid UTF-8; "
	                     "nothing was sent)\n"),
	    2);
	ck_assert_int_eq(queue_stats(cx_queue(&x), &st), 0);
	ck_assert_int_eq(
	    st.count[QUEUE_PENDING] + st.count[QUEUE_COMPLETED], 0);
	cx_close(&x);
}
END_TEST

START_TEST(usage_errors)
{
	static const char *const bad[][3] = {
	    {"--user", "abc", NULL},
	    {"--user", "0", NULL},
	    {"--user", "-4", NULL},
	    {"--user", "12x", NULL},
	};
	static const char *const extra[] = {"hello", NULL};
	static const char *const missing[] = {"--user", NULL};
	char want[128];
	struct cx x;

	cx_open(&x);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ck_assert_int_eq(cx_run_env(&x, "hi\n", bad[i], NULL), 2);
		snprintf(want, sizeof(want),
		    "draftbot: --user: '%s' is not a Telegram user id (a "
		    "positive number)\n",
		    bad[i][1]);
		ck_assert_str_eq(x.err, want);
		ck_assert_str_eq(x.out, "");
	}
	ck_assert_int_eq(cx_run_env(&x, "hi\n", extra, NULL), 2);
	ck_assert_ptr_nonnull(strstr(x.err, "unexpected argument 'hello'"));
	ck_assert_int_eq(cx_run_env(&x, "hi\n", missing, NULL), 2);
	/* nothing was opened, let alone created */
	ck_assert_int_eq(tu_file_size(x.db), -1);
	cx_close(&x);
}
END_TEST

/* ---- rendering ---- */

START_TEST(html_to_text)
{
	static const char html[] =
	    "📝 <b>A &amp; B</b> &lt;x&gt; &quot;q&quot; &#233;&#x1F600; "
	    "<i>why</i>\n<a href=\"https://e.x/?a=1&amp;b=2\">link</a> "
	    "&nope; & <code>c</code>\x1b[31m\x07";
	char *s;

	s = chat_html_text(html, false);
	ck_assert_str_eq(s,
	    "📝 A & B <x> \"q\" é😀 why\nlink "
	    "(https://e.x/?a=1&b=2) &nope; & c[31m");
	free(s);
	s = chat_html_text(html, true);
	ck_assert_str_eq(s,
	    "📝 \033[1mA & B\033[22m <x> \"q\" é😀 "
	    "\033[3mwhy\033[23m\nlink (https://e.x/?a=1&b=2) "
	    "&nope; & c[31m\033[0m");
	free(s);
	/* entities that are not characters, and an unclosed tag */
	s = chat_html_text("a&#0;b&#27;c&#xD800;d&#1114112;e <b", false);
	ck_assert_str_eq(s, "abcde <b");
	free(s);
	s = chat_html_text("", true);
	ck_assert_str_eq(s, "\033[0m");
	free(s);
}
END_TEST

START_TEST(keyboard_numbering)
{
	struct chat_keyboard *kb = calloc(1, sizeof(*kb));
	struct json_object *m;
	char buf[1024];
	FILE *f;

	ck_assert_ptr_nonnull(kb);
	m = json_tokener_parse(
	    "{\"inline_keyboard\":[[{\"text\":\"✅ Confirm\",\"callback_data\":"
	    "\"d:1:c\"},{\"text\":\"x\\u001b[2J\",\"callback_data\":"
	    "\"d:1:x\"}],[{\"text\":\"site\",\"url\":\"https://e.x\"}],"
	    "[{\"no\":1}]]}");
	ck_assert_int_eq(chat_keyboard(m, kb), 3);
	ck_assert_str_eq(kb->b[0].data, "d:1:c");
	ck_assert_str_eq(kb->b[1].label, "x[2J");
	ck_assert_str_eq(kb->b[2].url, "https://e.x");
	ck_assert_str_eq(kb->b[2].data, "");
	f = fmemopen(buf, sizeof(buf), "w");
	chat_print(f, "draftbot:", "one\n\ntwo", kb);
	fclose(f);
	ck_assert_str_eq(buf,
	    "draftbot:\n  one\n\n  two\n"
	    "  [1] ✅ Confirm  [2] x[2J\n  [3] site\n");
	json_object_put(m);
	/* the markup as JSON text, as Telegram also takes it */
	m = json_object_new_string("{\"inline_keyboard\":[[{\"text\":\"a\","
	                           "\"callback_data\":\"1\"}]]}");
	ck_assert_int_eq(chat_keyboard(m, kb), 1);
	json_object_put(m);
	ck_assert_int_eq(chat_keyboard(NULL, kb), 0);
	free(kb);
}
END_TEST

static Suite *
chat_suite(void)
{
	Suite *s = suite_create("chat");
	TCase *tc = tcase_create("process");
	TCase *bad = tcase_create("bad input");
	TCase *render = tcase_create("render");

	tcase_set_timeout(tc, 120);
	tcase_set_timeout(bad, 120);
	tcase_add_test(tc, draft_confirm_tasks);
	tcase_add_test(tc, edit_then_correct);
	tcase_add_test(tc, second_session);
	tcase_add_test(tc, other_chats_untouched);
	tcase_add_test(tc, access_refused);
	tcase_add_test(bad, empty_lines_ignored);
	tcase_add_test(bad, no_such_button);
	tcase_add_test(bad, long_lines_cut);
	tcase_add_test(bad, not_utf8_refused);
	tcase_add_test(bad, usage_errors);
	tcase_add_test(render, html_to_text);
	tcase_add_test(render, keyboard_numbering);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, render);
	return s;
}

int
main(void)
{
	return tu_run_suite(chat_suite());
}

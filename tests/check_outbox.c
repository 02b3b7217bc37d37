/*
 * check_outbox.c — tests for the outbox (queue/outbox.h): idempotent adds,
 * claim and sent with the result kept, per-chat order, retries and dead
 * messages with their audit actions, no audit row for a claim, fencing,
 * claims for one chat (outbox_claim_chat), and that outbox messages and
 * commands never mix.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/audit.h"
#include "queue/outbox.h"
#include "queue/queue.h"
#include "tests/testutil.h"

struct audit_tally {
	int64_t n, last_id;
	char entity_type[32], entity_id[32], details[512];
};

static int
tally_cb(const struct audit_entry *e, void *arg)
{
	struct audit_tally *t = arg;

	t->n++;
	t->last_id = e->id;
	snprintf(t->entity_type, sizeof(t->entity_type), "%s",
	    e->entity_type ? e->entity_type : "");
	snprintf(t->entity_id, sizeof(t->entity_id), "%s",
	    e->entity_id ? e->entity_id : "");
	snprintf(t->details, sizeof(t->details), "%s", e->details);
	return 0;
}

/* Rows with action (all rows when NULL); the last one's fields in *t. */
static int64_t
audit_tally(struct queue *q, const char *action, struct audit_tally *t)
{
	struct audit_filter f = {.action = action};

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(audit_query(q, &f, tally_cb, t, NULL), 0);
	return t->n;
}

static int64_t
add_msg(struct queue *q, const char *key, int64_t chat)
{
	struct queue_new n = {.type = "sendMessage",
	    .key = key,
	    .chat_id = chat,
	    .payload = "{\"text\":\"hello\"}"};
	int64_t id = 0;
	bool dup = true;

	ck_assert_int_eq(outbox_add(q, &n, &id, &dup), 0);
	ck_assert(!dup);
	return id;
}

static struct queue_cmd *
claim(struct queue *q, const char *owner, int64_t lease_ms)
{
	struct queue_cmd *m = NULL;
	int r = outbox_claim(q, owner, lease_ms, &m);

	ck_assert_msg(r == 1, "outbox_claim: %d %s", r, queue_errmsg(q));
	return m;
}

static void
claim_none(struct queue *q)
{
	struct queue_cmd *m = NULL;

	ck_assert_int_eq(outbox_claim(q, "s-none", 30000, &m), 0);
	ck_assert_ptr_null(m);
}

static struct queue_cmd *
get_msg(struct queue *q, int64_t id)
{
	struct queue_cmd *m = NULL;

	ck_assert_int_eq(outbox_get(q, id, &m), 1);
	return m;
}

START_TEST(add_idempotent)
{
	struct queue_new n = {.type = "sendMessage",
	    .key = "cmd:1:0",
	    .chat_id = 10,
	    .user_id = 11,
	    .payload = "{\"text\":\"hi\"}"};
	struct audit_tally t;
	struct queue_stats st;
	struct queue_cmd *m;
	int64_t id1 = 0, id2 = 0;
	bool dup = true;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(outbox_add(f.q, &n, &id1, &dup), 0);
	ck_assert(!dup);
	n.payload = "{\"text\":\"hi again\"}"; /* a re-run workflow */
	ck_assert_int_eq(outbox_add(f.q, &n, &id2, &dup), 0);
	ck_assert(dup);
	ck_assert_int_eq(id2, id1);
	ck_assert_int_eq(outbox_stats(f.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_PENDING], 1);
	ck_assert_int_eq(st.oldest_pending_age_ms, 0);
	m = get_msg(f.q, id1);
	ck_assert_str_eq(m->type, "sendMessage");
	ck_assert_str_eq(m->key, "cmd:1:0");
	ck_assert_str_eq(m->payload, "{\"text\":\"hi\"}");
	ck_assert_int_eq(m->chat_id, 10);
	ck_assert_int_eq(m->user_id, 11);
	ck_assert_int_eq(m->status, QUEUE_PENDING);
	ck_assert_int_eq(m->max_attempts, 5);
	queue_cmd_free(m);
	ck_assert_int_eq(audit_tally(f.q, "message_queued", &t), 1);
	ck_assert_str_eq(t.entity_type, "message");
	ck_assert_int_eq(strtoll(t.entity_id, NULL, 10), id1);
	ck_assert_int_eq(tu_audit_count(f.q, NULL), 1);
	tu_fx_close(&f);
}
END_TEST

START_TEST(add_rejects)
{
	struct queue_new n = {.type = "sendMessage",
	    .key = "k",
	    .payload = "[\"not\", \"an object\"]"};
	struct queue_stats st;
	int64_t id = -3;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(outbox_add(f.q, &n, &id, NULL), -EINVAL);
	ck_assert_str_eq(queue_errmsg(f.q), "the payload is not a JSON object");
	n = (struct queue_new){.type = "", .key = "k"};
	ck_assert_int_eq(outbox_add(f.q, &n, &id, NULL), -EINVAL);
	ck_assert_str_eq(queue_errmsg(f.q), "the type is empty");
	n = (struct queue_new){.type = "sendMessage", .key = ""};
	ck_assert_int_eq(outbox_add(f.q, &n, &id, NULL), -EINVAL);
	ck_assert_str_eq(queue_errmsg(f.q), "the idempotency key is empty");
	ck_assert_int_eq(id, -3);
	ck_assert_int_eq(outbox_stats(f.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_PENDING], 0);
	ck_assert_int_eq(tu_audit_count(f.q, NULL), 0);
	tu_fx_close(&f);
}
END_TEST

/* The outbox and the command queue are separate: keys, claims, ids. */
START_TEST(separate_from_commands)
{
	struct queue_new n = {.type = "sendMessage", .key = "same-key"};
	struct queue_cmd *c = NULL;
	struct queue_stats st;
	int64_t msg = 0;
	bool dup = true;
	struct tu_fx f;

	tu_fx_open(&f);
	tu_enqueue(f.q, "same-key", 0);
	ck_assert_int_eq(outbox_add(f.q, &n, &msg, &dup), 0);
	ck_assert(!dup);
	ck_assert_int_eq(queue_claim(f.q, "w", 30000, &c), 1);
	ck_assert_str_eq(c->type, "message");
	queue_cmd_free(c);
	c = NULL;
	ck_assert_int_eq(queue_claim(f.q, "w", 30000, &c), 0);
	c = claim(f.q, "s", 30000);
	ck_assert_int_eq(c->id, msg);
	ck_assert_str_eq(c->type, "sendMessage");
	queue_cmd_free(c);
	claim_none(f.q);
	ck_assert_int_eq(outbox_stats(f.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_PROCESSING], 1);
	ck_assert_int_eq(st.count[QUEUE_PENDING], 0);
	tu_fx_close(&f);
}
END_TEST

START_TEST(claim_and_sent)
{
	struct audit_tally t;
	struct queue_cmd *m, *g;
	int64_t id, before;
	struct tu_fx f;

	tu_fx_open(&f);
	id = add_msg(f.q, "m1", 10);
	before = tu_audit_count(f.q, NULL);
	f.now += 100;
	m = claim(f.q, "sender", 20000);
	ck_assert_int_eq(m->id, id);
	ck_assert_int_eq(m->status, QUEUE_PROCESSING);
	ck_assert_str_eq(m->lease_owner, "sender");
	ck_assert_int_eq(m->lease_expires_ms, TU_T0 + 100 + 20000);
	ck_assert_int_eq(m->attempts, 1);
	/* The sender claims constantly: claims are not audited. */
	ck_assert_int_eq(tu_audit_count(f.q, NULL), before);
	ck_assert_int_eq(tu_audit_count(f.q, "command_claimed"), 0);
	f.now += 50;
	ck_assert_int_eq(
	    outbox_sent(f.q, m, "{\"message_id\":321,\"chat\":{\"id\":10}}"),
	    0);
	g = get_msg(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_COMPLETED);
	ck_assert_str_eq(
	    g->result, "{\"message_id\":321,\"chat\":{\"id\":10}}");
	ck_assert_ptr_null(g->lease_owner);
	ck_assert_int_eq(g->updated_at_ms, TU_T0 + 150);
	queue_cmd_free(g);
	ck_assert_int_eq(audit_tally(f.q, "message_sent", &t), 1);
	ck_assert_str_eq(t.entity_type, "message");
	ck_assert_int_eq(strtoll(t.entity_id, NULL, 10), id);
	ck_assert_int_eq(tu_audit_count(f.q, "command_executed"), 0);
	claim_none(f.q);
	queue_cmd_free(m);
	tu_fx_close(&f);
}
END_TEST

START_TEST(chat_order)
{
	struct queue_cmd *m1, *m2, *m3;
	int64_t a, b, other, nochat;
	struct tu_fx f;

	tu_fx_open(&f);
	a = add_msg(f.q, "a", 10);
	b = add_msg(f.q, "b", 10);
	other = add_msg(f.q, "other", 20);
	nochat = add_msg(f.q, "nochat", 0);
	m1 = claim(f.q, "s1", 30000);
	ck_assert_int_eq(m1->id, a);
	m2 = claim(f.q, "s2", 30000);
	ck_assert_int_eq(m2->id, other); /* b waits behind a */
	m3 = claim(f.q, "s3", 30000);
	ck_assert_int_eq(m3->id, nochat);
	claim_none(f.q);
	ck_assert_int_eq(outbox_sent(f.q, m1, NULL), 0);
	queue_cmd_free(m1);
	m1 = claim(f.q, "s1", 30000);
	ck_assert_int_eq(m1->id, b);
	queue_cmd_free(m1);
	queue_cmd_free(m2);
	queue_cmd_free(m3);
	tu_fx_close(&f);
}
END_TEST

/* outbox_claim_chat: only its chat's messages (in order) and the answers to
 * its user's button presses; other chats' are left for the sender. */
START_TEST(claim_chat_only)
{
	struct queue_new ans = {.type = "answerCallbackQuery",
	    .key = "tg:cbq:1",
	    .user_id = 10,
	    .payload = "{\"callback_query_id\":\"1\"}"};
	struct queue_new ans2 = {.type = "answerCallbackQuery",
	    .key = "tg:cbq:2",
	    .user_id = 20,
	    .payload = "{\"callback_query_id\":\"2\"}"};
	struct queue_cmd *m = NULL, *m1, *m2;
	int64_t other, a, b, mine, theirs, before;
	struct tu_fx f;

	tu_fx_open(&f);
	other = add_msg(f.q, "other", 20);
	a = add_msg(f.q, "a", 10);
	b = add_msg(f.q, "b", 10);
	ck_assert_int_eq(outbox_add(f.q, &ans, &mine, NULL), 0);
	ck_assert_int_eq(outbox_add(f.q, &ans2, &theirs, NULL), 0);
	before = tu_audit_count(f.q, NULL);

	ck_assert_int_eq(outbox_claim_chat(f.q, "chat", 30000, 10, 10, &m1), 1);
	ck_assert_int_eq(m1->id, a);
	ck_assert_str_eq(m1->lease_owner, "chat");
	ck_assert_int_eq(m1->attempts, 1);
	/* b waits behind a; the answer is tied to no chat */
	ck_assert_int_eq(outbox_claim_chat(f.q, "chat", 30000, 10, 10, &m2), 1);
	ck_assert_int_eq(m2->id, mine);
	ck_assert_int_eq(outbox_claim_chat(f.q, "chat", 30000, 10, 10, &m), 0);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(outbox_sent(f.q, m1, NULL), 0);
	ck_assert_int_eq(outbox_sent(f.q, m2, NULL), 0);
	queue_cmd_free(m1);
	queue_cmd_free(m2);
	/* without a user, no chat-less message is taken */
	ck_assert_int_eq(outbox_claim_chat(f.q, "chat", 30000, 10, 0, &m1), 1);
	ck_assert_int_eq(m1->id, b);
	ck_assert_int_eq(outbox_sent(f.q, m1, NULL), 0);
	queue_cmd_free(m1);
	ck_assert_int_eq(outbox_claim_chat(f.q, "chat", 30000, 10, 10, &m), 0);
	ck_assert_int_eq(tu_audit_count(f.q, NULL), before + 3); /* sent */

	/* the other chat's message and answer are still there for the
	 * sender */
	m1 = claim(f.q, "sender", 30000);
	ck_assert_int_eq(m1->id, other);
	m2 = claim(f.q, "sender", 30000);
	ck_assert_int_eq(m2->id, theirs);
	claim_none(f.q);
	queue_cmd_free(m1);
	queue_cmd_free(m2);

	ck_assert_int_eq(
	    outbox_claim_chat(f.q, "chat", 30000, 0, 10, &m), -EINVAL);
	ck_assert_int_eq(
	    outbox_claim_chat(f.q, "", 30000, 10, 10, &m), -EINVAL);
	ck_assert_int_eq(
	    outbox_claim_chat(f.q, "chat", 0, 10, 10, &m), -EINVAL);
	ck_assert_ptr_null(m);
	tu_fx_close(&f);
}
END_TEST

/* A rate-limited message goes back without using an attempt, and the
 * chat's next message waits behind it. */
START_TEST(defer_keeps_attempts_and_order)
{
	struct queue_cmd *m, *g;
	struct audit_tally t;
	int64_t a, before;
	struct tu_fx f;

	tu_fx_open(&f);
	a = add_msg(f.q, "a", 10);
	add_msg(f.q, "b", 10);
	before = audit_tally(f.q, NULL, &t);
	m = claim(f.q, "s", 30000);
	ck_assert_int_eq(m->id, a);
	ck_assert_int_eq(outbox_defer(f.q, m, 1500), 0);
	g = get_msg(f.q, a);
	ck_assert_int_eq(g->status, QUEUE_FAILED);
	ck_assert_int_eq(g->attempts, 0);
	ck_assert_int_eq(g->run_at_ms, f.now + 1500);
	ck_assert_ptr_null(g->lease_owner);
	queue_cmd_free(g);
	ck_assert_int_eq(audit_tally(f.q, NULL, &t), before);
	/* neither it nor b (behind it) before the delay */
	claim_none(f.q);
	/* a second defer with the old lease is fenced off */
	ck_assert_int_eq(outbox_defer(f.q, m, 10), -ESTALE);
	ck_assert_int_eq(outbox_defer(f.q, m, -1), -EINVAL);
	queue_cmd_free(m);
	f.now += 1500;
	m = claim(f.q, "s", 30000);
	ck_assert_int_eq(m->id, a);
	ck_assert_int_eq(m->attempts, 1);
	queue_cmd_free(m);
	tu_fx_close(&f);
}
END_TEST

START_TEST(fail_retry_then_dead)
{
	struct audit_tally t;
	struct queue_cmd *m, *g;
	int64_t a, b;
	struct tu_fx f;

	tu_fx_open(&f);
	a = add_msg(f.q, "a", 10);
	b = add_msg(f.q, "b", 10);
	m = claim(f.q, "s", 30000);
	/* Telegram said 429, retry_after 3 s */
	ck_assert_int_eq(
	    outbox_fail(f.q, m, QUEUE_RETRY, 3000, "429 Too Many Requests"), 0);
	queue_cmd_free(m);
	g = get_msg(f.q, a);
	ck_assert_int_eq(g->status, QUEUE_FAILED);
	ck_assert_int_eq(g->run_at_ms, TU_T0 + 3000);
	ck_assert_str_eq(g->last_error, "429 Too Many Requests");
	queue_cmd_free(g);
	ck_assert_int_eq(audit_tally(f.q, "message_retry", &t), 1);
	ck_assert_int_eq(strtoll(t.entity_id, NULL, 10), a);
	ck_assert_ptr_nonnull(strstr(t.details, "429"));
	claim_none(f.q); /* b must not overtake a */
	f.now += 3000;
	m = claim(f.q, "s", 30000);
	ck_assert_int_eq(m->id, a);
	ck_assert_int_eq(m->attempts, 2);
	ck_assert_int_eq(outbox_fail(f.q, m, QUEUE_PERMANENT, -1,
	                     "403 Forbidden: bot was blocked by the user"),
	    0);
	queue_cmd_free(m);
	g = get_msg(f.q, a);
	ck_assert_int_eq(g->status, QUEUE_DEAD);
	ck_assert_str_eq(
	    g->last_error, "403 Forbidden: bot was blocked by the user");
	queue_cmd_free(g);
	ck_assert_int_eq(audit_tally(f.q, "message_dead", &t), 1);
	ck_assert_int_eq(strtoll(t.entity_id, NULL, 10), a);
	ck_assert_int_eq(tu_audit_count(f.q, "command_dead"), 0);
	m = claim(f.q, "s", 30000); /* a is dead: b's turn */
	ck_assert_int_eq(m->id, b);
	queue_cmd_free(m);
	tu_fx_close(&f);
}
END_TEST

START_TEST(fail_backoff_and_give_up)
{
	struct queue_new n = {
	    .type = "sendMessage", .key = "k", .max_attempts = 2};
	struct queue_cmd *m, *g;
	int64_t id = 0, delay;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(outbox_add(f.q, &n, &id, NULL), 0);
	m = claim(f.q, "s", 30000);
	ck_assert_int_eq(outbox_fail(f.q, m, QUEUE_RETRY, -1, "502"), 0);
	queue_cmd_free(m);
	g = get_msg(f.q, id);
	delay = g->run_at_ms - f.now;
	ck_assert_msg(
	    delay >= 900 && delay <= 1100, "delay %lld", (long long)delay);
	f.now = g->run_at_ms;
	queue_cmd_free(g);
	m = claim(f.q, "s", 30000);
	ck_assert_int_eq(m->attempts, 2);
	ck_assert_int_eq(outbox_fail(f.q, m, QUEUE_RETRY, -1, "502"), 0);
	queue_cmd_free(m);
	g = get_msg(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_DEAD);
	ck_assert_str_eq(g->last_error, "gave up after 2 attempts: 502");
	queue_cmd_free(g);
	ck_assert_int_eq(tu_audit_count(f.q, "message_retry"), 1);
	ck_assert_int_eq(tu_audit_count(f.q, "message_dead"), 1);
	tu_fx_close(&f);
}
END_TEST

START_TEST(fencing)
{
	struct queue_cmd *m1, *m2, *g, wrong;
	int64_t id, last;
	struct audit_tally t;
	struct tu_fx f;

	tu_fx_open(&f);
	id = add_msg(f.q, "a", 10);
	m1 = claim(f.q, "s1", 1000);
	audit_tally(f.q, NULL, &t);
	last = t.last_id;
	wrong = *m1;
	wrong.lease_owner = (char *)"s2";
	ck_assert_int_eq(outbox_sent(f.q, &wrong, "{}"), -ESTALE);
	ck_assert_int_eq(
	    outbox_fail(f.q, &wrong, QUEUE_RETRY, 0, "x"), -ESTALE);
	wrong = *m1;
	wrong.attempts = 2;
	ck_assert_int_eq(outbox_sent(f.q, &wrong, "{}"), -ESTALE);
	g = get_msg(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_PROCESSING);
	ck_assert_ptr_null(g->result);
	queue_cmd_free(g);
	/* s1 stalls past its lease; s2 takes the message over */
	f.now += 1000;
	m2 = claim(f.q, "s2", 1000);
	ck_assert_int_eq(m2->id, id);
	ck_assert_int_eq(m2->attempts, 2);
	ck_assert_int_eq(outbox_sent(f.q, m1, "{\"by\":1}"), -ESTALE);
	ck_assert_int_eq(
	    outbox_fail(f.q, m1, QUEUE_PERMANENT, 0, "x"), -ESTALE);
	audit_tally(f.q, NULL, &t);
	ck_assert_int_eq(t.last_id, last);
	ck_assert_int_eq(outbox_sent(f.q, m2, "{\"by\":2}"), 0);
	g = get_msg(f.q, id);
	ck_assert_str_eq(g->result, "{\"by\":2}");
	queue_cmd_free(g);
	ck_assert_int_eq(tu_audit_count(f.q, "message_sent"), 1);
	queue_cmd_free(m1);
	queue_cmd_free(m2);
	tu_fx_close(&f);
}
END_TEST

START_TEST(rescue_last_attempt_dead)
{
	struct queue_new n = {.type = "sendMessage",
	    .key = "k",
	    .chat_id = 10,
	    .max_attempts = 1};
	struct audit_tally t;
	struct queue_cmd *m, *g;
	int64_t id = 0, next;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(outbox_add(f.q, &n, &id, NULL), 0);
	next = add_msg(f.q, "next", 10);
	m = claim(f.q, "s1", 1000);
	queue_cmd_free(m);
	f.now += 1000;
	m = claim(f.q, "s2", 1000);
	ck_assert_int_eq(m->id, next);
	queue_cmd_free(m);
	g = get_msg(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_DEAD);
	ck_assert_ptr_nonnull(strstr(g->last_error, "lease"));
	queue_cmd_free(g);
	ck_assert_int_eq(audit_tally(f.q, "message_dead", &t), 1);
	ck_assert_int_eq(strtoll(t.entity_id, NULL, 10), id);
	ck_assert_int_eq(tu_audit_count(f.q, "command_dead"), 0);
	tu_fx_close(&f);
}
END_TEST

struct walk {
	int n;
	int64_t ids[8];
};

static int
walk_cb(const struct queue_cmd *m, void *arg)
{
	struct walk *w = arg;

	ck_assert_int_lt(w->n, 8);
	w->ids[w->n++] = m->id;
	return 0;
}

START_TEST(list_and_stats)
{
	struct queue_stats st;
	struct queue_cmd *m = NULL;
	struct walk w = {0};
	int64_t a, b, c;
	struct tu_fx f;

	tu_fx_open(&f);
	tu_enqueue(f.q, "a command", 0);
	a = add_msg(f.q, "a", 0);
	f.now += 4000;
	b = add_msg(f.q, "b", 0);
	c = add_msg(f.q, "c", 0);
	m = claim(f.q, "s", 30000);
	ck_assert_int_eq(m->id, a);
	ck_assert_int_eq(outbox_sent(f.q, m, NULL), 0);
	queue_cmd_free(m);
	ck_assert_int_eq(outbox_list(f.q, -1, 0, walk_cb, &w), 0);
	ck_assert_int_eq(w.n, 3);
	ck_assert_int_eq(w.ids[0], c);
	ck_assert_int_eq(w.ids[1], b);
	ck_assert_int_eq(w.ids[2], a);
	w = (struct walk){0};
	ck_assert_int_eq(outbox_list(f.q, QUEUE_COMPLETED, 0, walk_cb, &w), 0);
	ck_assert_int_eq(w.n, 1);
	ck_assert_int_eq(w.ids[0], a);
	ck_assert_int_eq(outbox_stats(f.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_PENDING], 2);
	ck_assert_int_eq(st.count[QUEUE_COMPLETED], 1);
	f.now += 1500;
	ck_assert_int_eq(outbox_stats(f.q, &st), 0);
	ck_assert_int_eq(st.oldest_pending_age_ms, 1500);
	m = NULL;
	ck_assert_int_eq(outbox_get(f.q, c + 100, &m), 0);
	ck_assert_ptr_null(m);
	tu_fx_close(&f);
}
END_TEST

static Suite *
outbox_suite(void)
{
	Suite *s = suite_create("outbox");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, add_idempotent);
	tcase_add_test(tc, add_rejects);
	tcase_add_test(tc, separate_from_commands);
	tcase_add_test(tc, claim_and_sent);
	tcase_add_test(tc, chat_order);
	tcase_add_test(tc, claim_chat_only);
	tcase_add_test(tc, defer_keeps_attempts_and_order);
	tcase_add_test(tc, fail_retry_then_dead);
	tcase_add_test(tc, fail_backoff_and_give_up);
	tcase_add_test(tc, fencing);
	tcase_add_test(tc, rescue_last_attempt_dead);
	tcase_add_test(tc, list_and_stats);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(outbox_suite());
}

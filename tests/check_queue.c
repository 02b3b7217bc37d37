/*
 * check_queue.c — tests for the command queue (queue/queue.h) on the SQLite
 * back end, in one process: idempotent enqueue and its bad input, claims,
 * per-chat order, fencing, lease rescue, retries and backoff, operator
 * re-queue, explicit transactions, the atomicity of a state change and its
 * audit row, stats, listing, pruning and queue_wait().  Time is a clock the
 * test moves by hand (f.now of struct tu_fx), so nothing sleeps for it.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "queue/audit.h"
#include "queue/outbox.h"
#include "queue/queue.h"
#include "tests/testutil.h"

/* The id of the newest audit row, 0 when the log is empty. */
static int64_t
audit_last_id(struct queue *q)
{
	struct audit_filter f = {.last = 1};
	int64_t id = 0;

	ck_assert_int_eq(audit_query(q, &f, NULL, NULL, &id), 0);
	return id;
}

/* A copy of the newest audit row with this action; fails when none. */
struct audit_copy {
	int64_t id, ts_ms, user_id, chat_id;
	char actor[64], action[80], entity_type[32], entity_id[32];
	char details[1024];
};

static int
copy_cb(const struct audit_entry *e, void *arg)
{
	struct audit_copy *c = arg;

	c->id = e->id;
	c->ts_ms = e->ts_ms;
	c->user_id = e->user_id;
	c->chat_id = e->chat_id;
	snprintf(c->actor, sizeof(c->actor), "%s", e->actor);
	snprintf(c->action, sizeof(c->action), "%s", e->action);
	snprintf(c->entity_type, sizeof(c->entity_type), "%s",
	    e->entity_type ? e->entity_type : "");
	snprintf(c->entity_id, sizeof(c->entity_id), "%s",
	    e->entity_id ? e->entity_id : "");
	snprintf(c->details, sizeof(c->details), "%s", e->details);
	return 0;
}

static void
audit_last(struct queue *q, const char *action, struct audit_copy *ret)
{
	struct audit_filter f = {.action = action, .last = 1};

	memset(ret, 0, sizeof(*ret));
	ck_assert_int_eq(audit_query(q, &f, copy_cb, ret, NULL), 0);
	ck_assert_msg(ret->id > 0, "no audit row %s", action);
}

/* An integer member of a JSON object text; fails when missing. */
static int64_t
json_int(const char *text, const char *name)
{
	struct json_object *o = json_tokener_parse(text), *v;
	int64_t n;

	ck_assert_msg(o != NULL, "not JSON: %s", text);
	ck_assert_msg(
	    json_object_object_get_ex(o, name, &v), "no %s in %s", name, text);
	n = json_object_get_int64(v);
	json_object_put(o);
	return n;
}

static enum queue_status
status_of(struct queue *q, int64_t id)
{
	struct queue_cmd *c = tu_get(q, id);
	enum queue_status s = c->status;

	queue_cmd_free(c);
	return s;
}

/* Claim expecting nothing runnable. */
static void
claim_none(struct queue *q)
{
	struct queue_cmd *c = NULL;

	ck_assert_int_eq(queue_claim(q, "w-none", 30000, &c), 0);
	ck_assert_ptr_null(c);
}

static int64_t
total_commands(struct queue *q)
{
	struct queue_stats st;
	int64_t n = 0;

	ck_assert_int_eq(queue_stats(q, &st), 0);
	for (int i = 0; i < QUEUE_NSTATUS; i++)
		n += st.count[i];
	return n;
}

/* Run SQL on the file through a connection of its own. */
static void
raw_exec(const char *db, const char *sql)
{
	sqlite3 *h = tu_sql_open(db);

	tu_sql_exec(h, sql);
	sqlite3_close(h);
}

/* ---- enqueue ---- */

START_TEST(enqueue_idempotent)
{
	struct queue_new n = {.type = "message",
	    .key = "tg:update:42",
	    .chat_id = 7,
	    .user_id = 9,
	    .payload = "{\"text\":\"milk\"}"};
	struct audit_copy a;
	struct queue_cmd *c;
	int64_t id1 = 0, id2 = 0;
	bool dup = true;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(queue_enqueue(f.q, &n, &id1, &dup), 0);
	ck_assert(!dup);
	ck_assert_int_gt(id1, 0);
	/* The same update re-sent, even with another payload. */
	n.payload = "{\"text\":\"eggs\"}";
	f.now += 1000;
	ck_assert_int_eq(queue_enqueue(f.q, &n, &id2, &dup), 0);
	ck_assert(dup);
	ck_assert_int_eq(id2, id1);
	ck_assert_int_eq(total_commands(f.q), 1);
	c = tu_get(f.q, id1);
	ck_assert_str_eq(c->payload, "{\"text\":\"milk\"}");
	ck_assert_int_eq(c->created_at_ms, TU_T0);
	queue_cmd_free(c);
	ck_assert_int_eq(tu_audit_count(f.q, NULL), 1);
	audit_last(f.q, "command_created", &a);
	ck_assert_str_eq(a.actor, "test");
	ck_assert_str_eq(a.entity_type, "command");
	ck_assert_int_eq(strtoll(a.entity_id, NULL, 10), id1);
	ck_assert_int_eq(a.chat_id, 7);
	ck_assert_int_eq(a.user_id, 9);
	ck_assert_int_eq(a.ts_ms, TU_T0);
	/* ret_id and ret_dup may be NULL */
	ck_assert_int_eq(queue_enqueue(f.q, &n, NULL, NULL), 0);
	ck_assert_int_eq(total_commands(f.q), 1);
	tu_fx_close(&f);
}
END_TEST

START_TEST(enqueue_defaults)
{
	struct queue_new n = {.type = "briefing", .key = "k1"};
	struct queue_cmd *c;
	int64_t id = 0;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(queue_enqueue(f.q, &n, &id, NULL), 0);
	c = tu_get(f.q, id);
	ck_assert_int_eq(c->id, id);
	ck_assert_str_eq(c->type, "briefing");
	ck_assert_str_eq(c->key, "k1");
	ck_assert_str_eq(c->payload, "{}");
	ck_assert_int_eq(c->status, QUEUE_PENDING);
	ck_assert_int_eq(c->attempts, 0);
	ck_assert_int_eq(c->max_attempts, 5);
	ck_assert_int_eq(c->chat_id, 0);
	ck_assert_int_eq(c->user_id, 0);
	ck_assert_int_eq(c->run_at_ms, TU_T0);
	ck_assert_int_eq(c->created_at_ms, TU_T0);
	ck_assert_int_eq(c->updated_at_ms, TU_T0);
	ck_assert_ptr_null(c->lease_owner);
	ck_assert_int_eq(c->lease_expires_ms, 0);
	ck_assert_ptr_null(c->last_error);
	ck_assert_ptr_null(c->result);
	queue_cmd_free(c);
	ck_assert_int_eq(queue_get(f.q, id + 100, &c), 0);
	tu_fx_close(&f);
}
END_TEST

/* One bad queue_new and the exact complaint about it. */
struct bad_new {
	const char *type, *key, *payload;
	int max_attempts;
	const char *msg;
};

START_TEST(enqueue_rejects)
{
	static char key201[202], type65[66];
	static char big[QUEUE_PAYLOAD_MAX + 2];
	const struct bad_new bad[] = {
	    {"", "k", NULL, 0, "the type is empty"},
	    {NULL, "k", NULL, 0, "the type is empty"},
	    {type65, "k", NULL, 0, "the type is longer than 64 bytes"},
	    {"message", "", NULL, 0, "the idempotency key is empty"},
	    {"message", NULL, NULL, 0, "the idempotency key is empty"},
	    {"message", key201, NULL, 0,
	        "the idempotency key is 201 bytes; the limit is 200"},
	    {"message", "k", "not json", 0, "the payload is not a JSON object"},
	    {"message", "k", "[1,2]", 0, "the payload is not a JSON object"},
	    {"message", "k", "\"text\"", 0, "the payload is not a JSON object"},
	    {"message", "k", "{\"a\":1} x", 0,
	        "the payload is not a JSON object"},
	    {"message", "k", "{\"a\":1}{}", 0,
	        "the payload is not a JSON object"},
	    {"message", "k", "{\"a\":", 0, "the payload is not a JSON object"},
	    {"message", "k", "", 0, "the payload is not a JSON object"},
	    {"message", "k", big, 0,
	        "the payload is 1048577 bytes; the limit is 1048576"},
	    {"message", "k", NULL, -1,
	        "max attempts must be between 1 and 1000"},
	    {"message", "k", NULL, 1001,
	        "max attempts must be between 1 and 1000"},
	};
	struct tu_fx f;

	memset(key201, 'k', 201);
	memset(type65, 't', 65);
	/* {"a":"xxx…"} of QUEUE_PAYLOAD_MAX + 1 bytes: valid, too long */
	memset(big, 'x', QUEUE_PAYLOAD_MAX + 1);
	memcpy(big, "{\"a\":\"", 6);
	memcpy(big + QUEUE_PAYLOAD_MAX + 1 - 2, "\"}", 2);
	tu_fx_open(&f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct queue_new n = {.type = bad[i].type,
		    .key = bad[i].key,
		    .payload = bad[i].payload,
		    .max_attempts = bad[i].max_attempts};
		int64_t id = -7;
		bool dup = true;

		ck_assert_msg(queue_enqueue(f.q, &n, &id, &dup) == -EINVAL,
		    "case %zu accepted", i);
		ck_assert_str_eq(queue_errmsg(f.q), bad[i].msg);
		ck_assert_int_eq(id, -7);
		ck_assert(dup);
	}
	ck_assert_int_eq(total_commands(f.q), 0);
	ck_assert_int_eq(audit_last_id(f.q), 0);
	tu_fx_close(&f);
}
END_TEST

START_TEST(enqueue_limits_inclusive)
{
	static char key200[201], type64[65];
	static char big[QUEUE_PAYLOAD_MAX + 1];
	struct queue_new n = {.type = type64, .key = key200};
	struct queue_cmd *c;
	int64_t id = 0;
	struct tu_fx f;

	memset(key200, 'k', 200);
	memset(type64, 't', 64);
	memset(big, 'x', QUEUE_PAYLOAD_MAX);
	memcpy(big, "{\"a\":\"", 6);
	memcpy(big + QUEUE_PAYLOAD_MAX - 2, "\"}", 2);
	tu_fx_open(&f);
	ck_assert_int_eq(queue_enqueue(f.q, &n, &id, NULL), 0);
	c = tu_get(f.q, id);
	ck_assert_str_eq(c->key, key200);
	ck_assert_str_eq(c->type, type64);
	queue_cmd_free(c);
	n = (struct queue_new){.type = "message",
	    .key = "big",
	    .payload = big,
	    .max_attempts = 1000};
	ck_assert_int_eq(queue_enqueue(f.q, &n, &id, NULL), 0);
	c = tu_get(f.q, id);
	ck_assert_uint_eq(strlen(c->payload), QUEUE_PAYLOAD_MAX);
	ck_assert_int_eq(c->max_attempts, 1000);
	queue_cmd_free(c);
	/* Whitespace around the object is still one JSON object. */
	n = (struct queue_new){
	    .type = "message", .key = "ws", .payload = " {\"a\":1}\n"};
	ck_assert_int_eq(queue_enqueue(f.q, &n, &id, NULL), 0);
	ck_assert_int_eq(total_commands(f.q), 3);
	tu_fx_close(&f);
}
END_TEST

/* ---- claim ---- */

START_TEST(claim_oldest_first)
{
	struct queue_cmd *c;
	int64_t a, b, d;
	struct tu_fx f;

	tu_fx_open(&f);
	a = tu_enqueue(f.q, "a", 0);
	b = tu_enqueue(f.q, "b", 0);
	d = tu_enqueue(f.q, "d", 0);
	c = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c->id, a);
	queue_cmd_free(c);
	c = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c->id, b);
	queue_cmd_free(c);
	c = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c->id, d);
	queue_cmd_free(c);
	claim_none(f.q);
	tu_fx_close(&f);
}
END_TEST

/* Oldest means the earliest run_at, then the lowest id. */
START_TEST(claim_by_run_at)
{
	struct queue_new n = {
	    .type = "reminder", .key = "overdue", .run_at_ms = TU_T0 - 5000};
	struct queue_cmd *c;
	int64_t a, overdue = 0;
	struct tu_fx f;

	tu_fx_open(&f);
	a = tu_enqueue(f.q, "a", 0);
	ck_assert_int_eq(queue_enqueue(f.q, &n, &overdue, NULL), 0);
	c = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c->id, overdue);
	queue_cmd_free(c);
	c = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c->id, a);
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

START_TEST(claim_sets_lease)
{
	struct queue_new n = {
	    .type = "message", .key = "k", .chat_id = 5, .user_id = 6};
	struct queue_cmd *c, *g;
	struct audit_copy a;
	int64_t id = 0;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(queue_enqueue(f.q, &n, &id, NULL), 0);
	f.now += 250;
	c = tu_claim(f.q, "worker-1", 30000);
	ck_assert_int_eq(c->id, id);
	ck_assert_int_eq(c->status, QUEUE_PROCESSING);
	ck_assert_str_eq(c->lease_owner, "worker-1");
	ck_assert_int_eq(c->lease_expires_ms, TU_T0 + 250 + 30000);
	ck_assert_int_eq(c->attempts, 1);
	ck_assert_int_eq(c->updated_at_ms, TU_T0 + 250);
	/* what the claim returned is what the row holds */
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_PROCESSING);
	ck_assert_str_eq(g->lease_owner, "worker-1");
	ck_assert_int_eq(g->lease_expires_ms, TU_T0 + 30250);
	ck_assert_int_eq(g->attempts, 1);
	queue_cmd_free(g);
	audit_last(f.q, "command_claimed", &a);
	ck_assert_int_eq(strtoll(a.entity_id, NULL, 10), id);
	ck_assert_int_eq(a.chat_id, 5);
	ck_assert_int_eq(a.user_id, 6);
	ck_assert_int_eq(a.ts_ms, TU_T0 + 250);
	ck_assert_int_eq(json_int(a.details, "attempt"), 1);
	ck_assert_ptr_nonnull(strstr(a.details, "\"owner\":\"worker-1\""));
	/* a live lease is not claimable by anyone else */
	f.now += 29999;
	claim_none(f.q);
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

START_TEST(claim_nothing)
{
	struct queue_cmd *c = (struct queue_cmd *)&c;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(queue_claim(f.q, "w", 1000, &c), 0);
	ck_assert_ptr_eq(c, (struct queue_cmd *)&c); /* untouched */
	ck_assert_int_eq(audit_last_id(f.q), 0);
	tu_fx_close(&f);
}
END_TEST

START_TEST(claim_rejects)
{
	char owner64[65];
	struct queue_cmd *c = NULL;
	struct tu_fx f;

	memset(owner64, 'o', 64);
	owner64[64] = '\0';
	tu_fx_open(&f);
	tu_enqueue(f.q, "a", 0);
	ck_assert_int_eq(queue_claim(f.q, "", 1000, &c), -EINVAL);
	ck_assert_str_eq(
	    queue_errmsg(f.q), "the lease owner must be 1 to 63 bytes");
	ck_assert_int_eq(queue_claim(f.q, NULL, 1000, &c), -EINVAL);
	ck_assert_int_eq(queue_claim(f.q, owner64, 1000, &c), -EINVAL);
	ck_assert_int_eq(queue_claim(f.q, "w", 0, &c), -EINVAL);
	ck_assert_str_eq(queue_errmsg(f.q), "the lease must be > 0 ms");
	ck_assert_int_eq(queue_claim(f.q, "w", -5, &c), -EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(status_of(f.q, 1), QUEUE_PENDING);
	owner64[63] = '\0'; /* 63 bytes is the longest owner */
	c = tu_claim(f.q, owner64, 1000);
	ck_assert_str_eq(c->lease_owner, owner64);
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

START_TEST(claim_run_at_future)
{
	struct queue_new n = {
	    .type = "reminder", .key = "later", .run_at_ms = TU_T0 + 60000};
	struct queue_cmd *c;
	int64_t later = 0, now_id;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(queue_enqueue(f.q, &n, &later, NULL), 0);
	claim_none(f.q);
	/* a later arrival that is due now runs first */
	now_id = tu_enqueue(f.q, "now", 0);
	c = tu_claim(f.q, "w", 1000);
	ck_assert_int_eq(c->id, now_id);
	ck_assert_int_eq(queue_complete(f.q, c, NULL), 0);
	queue_cmd_free(c);
	f.now = TU_T0 + 59999;
	claim_none(f.q);
	f.now = TU_T0 + 60000;
	c = tu_claim(f.q, "w", 1000);
	ck_assert_int_eq(c->id, later);
	ck_assert_int_eq(c->run_at_ms, TU_T0 + 60000);
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

/* ---- per-chat order ---- */

START_TEST(chat_order)
{
	struct queue_cmd *c1, *c2;
	int64_t a, b;
	struct tu_fx f;

	tu_fx_open(&f);
	a = tu_enqueue(f.q, "buy milk", -1001); /* group chats are negative */
	b = tu_enqueue(f.q, "cancel", -1001);
	c1 = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c1->id, a);
	claim_none(f.q); /* b waits for a */
	ck_assert_int_eq(status_of(f.q, b), QUEUE_PENDING);
	ck_assert_int_eq(queue_complete(f.q, c1, NULL), 0);
	c2 = tu_claim(f.q, "w2", 30000);
	ck_assert_int_eq(c2->id, b);
	queue_cmd_free(c1);
	queue_cmd_free(c2);
	tu_fx_close(&f);
}
END_TEST

START_TEST(chat_order_other_chats)
{
	struct queue_cmd *c1, *c2, *c3, *c4;
	int64_t a1, a2, b1, z1, z2;
	struct tu_fx f;

	tu_fx_open(&f);
	a1 = tu_enqueue(f.q, "a1", 100);
	a2 = tu_enqueue(f.q, "a2", 100);
	b1 = tu_enqueue(f.q, "b1", 200);
	z1 = tu_enqueue(f.q, "z1", 0);
	z2 = tu_enqueue(f.q, "z2", 0);
	c1 = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c1->id, a1);
	/* a2 is held back; b1 and the chat-less ones are not */
	c2 = tu_claim(f.q, "w2", 30000);
	ck_assert_int_eq(c2->id, b1);
	c3 = tu_claim(f.q, "w3", 30000);
	ck_assert_int_eq(c3->id, z1);
	c4 = tu_claim(f.q, "w4", 30000);
	ck_assert_int_eq(c4->id, z2); /* chat 0 never orders */
	claim_none(f.q);
	ck_assert_int_eq(status_of(f.q, a2), QUEUE_PENDING);
	queue_cmd_free(c1);
	queue_cmd_free(c2);
	queue_cmd_free(c3);
	queue_cmd_free(c4);
	tu_fx_close(&f);
}
END_TEST

START_TEST(chat_order_failed_blocks)
{
	struct queue_cmd *c1, *c2;
	int64_t a, b, other;
	struct tu_fx f;

	tu_fx_open(&f);
	a = tu_enqueue(f.q, "a", 42);
	b = tu_enqueue(f.q, "b", 42);
	c1 = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(queue_fail(f.q, c1, QUEUE_RETRY, 5000, "503"), 0);
	queue_cmd_free(c1);
	ck_assert_int_eq(status_of(f.q, a), QUEUE_FAILED);
	/* a waits for its retry; b must not overtake it */
	claim_none(f.q);
	other = tu_enqueue(f.q, "other", 43);
	c1 = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c1->id, other);
	queue_cmd_free(c1);
	f.now += 5000;
	c1 = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c1->id, a);
	ck_assert_int_eq(c1->attempts, 2);
	claim_none(f.q);
	ck_assert_int_eq(queue_complete(f.q, c1, NULL), 0);
	c2 = tu_claim(f.q, "w2", 30000);
	ck_assert_int_eq(c2->id, b);
	queue_cmd_free(c1);
	queue_cmd_free(c2);
	tu_fx_close(&f);
}
END_TEST

START_TEST(chat_order_dead_unblocks)
{
	struct queue_cmd *c1, *c2;
	int64_t b;
	struct tu_fx f;

	tu_fx_open(&f);
	tu_enqueue(f.q, "a", 42);
	b = tu_enqueue(f.q, "b", 42);
	c1 = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(queue_fail(f.q, c1, QUEUE_PERMANENT, -1, "bad"), 0);
	c2 = tu_claim(f.q, "w2", 30000);
	ck_assert_int_eq(c2->id, b);
	queue_cmd_free(c1);
	queue_cmd_free(c2);
	tu_fx_close(&f);
}
END_TEST

/*
 * A command scheduled for later (a reminder for tomorrow) has not started:
 * it must not hold back the chat's messages until it is due.  Once it is
 * due it goes before what came after it.
 */
START_TEST(chat_order_scheduled_does_not_block)
{
	struct queue_new n = {.type = "reminder",
	    .key = "tomorrow",
	    .chat_id = 42,
	    .run_at_ms = TU_T0 + 86400000};
	struct queue_cmd *c;
	int64_t rem = 0, msg1, msg2;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(queue_enqueue(f.q, &n, &rem, NULL), 0);
	msg1 = tu_enqueue(f.q, "today", 42);
	c = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c->id, msg1);
	ck_assert_int_eq(queue_complete(f.q, c, NULL), 0);
	queue_cmd_free(c);
	f.now = TU_T0 + 86400000;
	msg2 = tu_enqueue(f.q, "tomorrow's message", 42);
	c = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c->id, rem);
	claim_none(f.q);
	ck_assert_int_eq(queue_complete(f.q, c, NULL), 0);
	queue_cmd_free(c);
	c = tu_claim(f.q, "w1", 30000);
	ck_assert_int_eq(c->id, msg2);
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

/* ---- fencing ---- */

START_TEST(fence_wrong_owner_or_attempt)
{
	struct queue_cmd *c, *g, wrong;
	int64_t id, last;
	struct tu_fx f;

	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 1);
	c = tu_claim(f.q, "w1", 30000);
	last = audit_last_id(f.q);
	for (int i = 0; i < 3; i++) {
		wrong = *c;
		if (i == 0)
			wrong.lease_owner = (char *)"w2";
		else if (i == 1)
			wrong.attempts = c->attempts + 1;
		else
			wrong.lease_owner = NULL;
		f.now += 10;
		ck_assert_int_eq(queue_complete(f.q, &wrong, "{}"), -ESTALE);
		ck_assert_int_eq(
		    queue_fail(f.q, &wrong, QUEUE_RETRY, 1000, "x"), -ESTALE);
		ck_assert_int_eq(
		    queue_fail(f.q, &wrong, QUEUE_PERMANENT, 0, "x"), -ESTALE);
		ck_assert_int_eq(queue_extend(f.q, &wrong, 60000), -ESTALE);
		ck_assert_int_eq(wrong.lease_expires_ms, c->lease_expires_ms);
	}
	ck_assert_ptr_nonnull(strstr(queue_errmsg(f.q), "no longer held"));
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_PROCESSING);
	ck_assert_str_eq(g->lease_owner, "w1");
	ck_assert_int_eq(g->attempts, 1);
	ck_assert_int_eq(g->lease_expires_ms, TU_T0 + 30000);
	ck_assert_int_eq(g->updated_at_ms, TU_T0);
	ck_assert_ptr_null(g->result);
	ck_assert_ptr_null(g->last_error);
	queue_cmd_free(g);
	ck_assert_int_eq(audit_last_id(f.q), last);
	/* the real holder still can */
	ck_assert_int_eq(queue_complete(f.q, c, "{\"ok\":true}"), 0);
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_COMPLETED);
	ck_assert_str_eq(g->result, "{\"ok\":true}");
	ck_assert_ptr_null(g->lease_owner);
	ck_assert_int_eq(g->lease_expires_ms, 0);
	queue_cmd_free(g);
	/* a second complete of a completed command is stale too */
	ck_assert_int_eq(queue_complete(f.q, c, NULL), -ESTALE);
	ck_assert_int_eq(tu_audit_count(f.q, "command_executed"), 1);
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

START_TEST(fence_takeover)
{
	struct queue_cmd *c1, *c2, *g;
	int64_t id, last;
	struct tu_fx f;

	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 1);
	c1 = tu_claim(f.q, "w1", 30000);
	f.now += 30000; /* w1 hung: its lease ran out */
	c2 = tu_claim(f.q, "w2", 30000);
	ck_assert_int_eq(c2->id, id);
	ck_assert_int_eq(c2->attempts, 2);
	ck_assert_str_eq(c2->lease_owner, "w2");
	last = audit_last_id(f.q);
	ck_assert_int_eq(queue_complete(f.q, c1, "{\"from\":1}"), -ESTALE);
	ck_assert_int_eq(queue_fail(f.q, c1, QUEUE_PERMANENT, 0, "x"), -ESTALE);
	ck_assert_int_eq(queue_extend(f.q, c1, 1000), -ESTALE);
	ck_assert_int_eq(audit_last_id(f.q), last);
	ck_assert_int_eq(queue_complete(f.q, c2, "{\"from\":2}"), 0);
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_COMPLETED);
	ck_assert_str_eq(g->result, "{\"from\":2}");
	ck_assert_int_eq(g->attempts, 2);
	queue_cmd_free(g);
	ck_assert_int_eq(tu_audit_count(f.q, "command_executed"), 1);
	ck_assert_int_eq(tu_audit_count(f.q, "command_claimed"), 2);
	queue_cmd_free(c1);
	queue_cmd_free(c2);
	tu_fx_close(&f);
}
END_TEST

START_TEST(extend_moves_lease)
{
	struct queue_cmd *c, *g;
	int64_t id;
	struct tu_fx f;

	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 0);
	c = tu_claim(f.q, "w1", 1000);
	f.now += 900;
	ck_assert_int_eq(queue_extend(f.q, c, 5000), 0);
	ck_assert_int_eq(c->lease_expires_ms, TU_T0 + 900 + 5000);
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->lease_expires_ms, TU_T0 + 5900);
	queue_cmd_free(g);
	f.now = TU_T0 + 1000; /* the old expiry: still held */
	claim_none(f.q);
	f.now = TU_T0 + 5899;
	claim_none(f.q);
	ck_assert_int_eq(queue_extend(f.q, c, 0), -EINVAL);
	ck_assert_int_eq(c->lease_expires_ms, TU_T0 + 5900);
	ck_assert_int_eq(queue_complete(f.q, c, NULL), 0);
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

/* ---- rescue of expired leases ---- */

START_TEST(rescue_expired)
{
	struct queue_cmd *c1, *c2;
	int64_t id;
	struct tu_fx f;

	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 9);
	tu_enqueue(f.q, "b", 9);
	c1 = tu_claim(f.q, "w1", 30000);
	f.now += 29999;
	claim_none(f.q); /* neither a (leased) nor b (behind a) */
	f.now += 1;
	c2 = tu_claim(f.q, "w2", 30000);
	ck_assert_int_eq(c2->id, id); /* the chat's head, not b */
	ck_assert_int_eq(c2->attempts, 2);
	ck_assert_int_eq(c2->lease_expires_ms, f.now + 30000);
	claim_none(f.q);
	queue_cmd_free(c1);
	queue_cmd_free(c2);
	tu_fx_close(&f);
}
END_TEST

START_TEST(rescue_last_attempt_dead)
{
	struct queue_new n = {
	    .type = "message", .key = "a", .chat_id = 3, .max_attempts = 2};
	struct queue_cmd *c, *g;
	struct audit_copy a;
	int64_t id = 0, b;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(queue_enqueue(f.q, &n, &id, NULL), 0);
	b = tu_enqueue(f.q, "b", 3);
	c = tu_claim(f.q, "w1", 1000);
	queue_cmd_free(c);
	f.now += 1000;
	c = tu_claim(f.q, "w2", 1000);
	ck_assert_int_eq(c->id, id);
	ck_assert_int_eq(c->attempts, 2);
	f.now += 1000; /* the last attempt's lease ran out too */
	queue_cmd_free(c);
	c = tu_claim(f.q, "w3", 1000);
	ck_assert_int_eq(c->id, b); /* a went to dead, b's turn */
	queue_cmd_free(c);
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_DEAD);
	ck_assert_int_eq(g->attempts, 2);
	ck_assert_ptr_null(g->lease_owner);
	ck_assert_ptr_nonnull(g->last_error);
	ck_assert_ptr_nonnull(strstr(g->last_error, "lease"));
	ck_assert_ptr_nonnull(strstr(g->last_error, "2 of 2"));
	queue_cmd_free(g);
	ck_assert_int_eq(tu_audit_count(f.q, "command_dead"), 1);
	audit_last(f.q, "command_dead", &a);
	ck_assert_int_eq(strtoll(a.entity_id, NULL, 10), id);
	ck_assert_int_eq(a.chat_id, 3);
	ck_assert_ptr_nonnull(strstr(a.details, "lease"));
	tu_fx_close(&f);
}
END_TEST

/* Every command that dies of an expired lease gets its audit row, however
 * many expire at once. */
START_TEST(rescue_many_dead_all_audited)
{
	enum { N = 40 };
	struct queue_stats st;
	struct tu_fx f;

	tu_fx_open(&f);
	for (int i = 0; i < N; i++) {
		struct queue_new n = {.type = "message", .max_attempts = 1};
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		n.key = key;
		ck_assert_int_eq(queue_enqueue(f.q, &n, NULL, NULL), 0);
		queue_cmd_free(tu_claim(f.q, "w1", 1000));
	}
	f.now += 1000;
	claim_none(f.q);
	ck_assert_int_eq(queue_stats(f.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_DEAD], N);
	ck_assert_int_eq(st.count[QUEUE_PROCESSING], 0);
	ck_assert_int_eq(tu_audit_count(f.q, "command_dead"), N);
	tu_fx_close(&f);
}
END_TEST

/* ---- failure, retry and backoff ---- */

/* Fail N fresh commands at their attempt-th attempt with the default
 * backoff and check each delay lies in [lo, hi]; they must not all be
 * equal (there is jitter). */
static void
check_backoff(int attempt, int64_t lo, int64_t hi)
{
	enum { N = 20 };
	int64_t delays[N];
	struct audit_copy a;
	bool varied = false;
	struct tu_fx f;

	tu_fx_open(&f);
	for (int i = 0; i < N; i++) {
		struct queue_cmd *c, *g;
		char key[16];

		/* the earlier ones wait for their retries: this is runnable */
		snprintf(key, sizeof(key), "k%d", i);
		tu_enqueue(f.q, key, 0);
		c = tu_claim(f.q, "w", 30000);
		for (int k = 1; k < attempt; k++) {
			ck_assert_int_eq(
			    queue_fail(f.q, c, QUEUE_RETRY, 0, "again"), 0);
			queue_cmd_free(c);
			c = tu_claim(f.q, "w", 30000);
		}
		ck_assert_int_eq(c->attempts, attempt);
		f.now += 7;
		ck_assert_int_eq(queue_fail(f.q, c, QUEUE_RETRY, -1, "503"), 0);
		g = tu_get(f.q, c->id);
		ck_assert_int_eq(g->status, QUEUE_FAILED);
		ck_assert_str_eq(g->last_error, "503");
		ck_assert_ptr_null(g->lease_owner);
		delays[i] = g->run_at_ms - f.now;
		ck_assert_msg(delays[i] >= lo && delays[i] <= hi,
		    "attempt %d: delay %lld not in [%lld, %lld]", attempt,
		    (long long)delays[i], (long long)lo, (long long)hi);
		audit_last(f.q, "command_retry", &a);
		ck_assert_int_eq(strtoll(a.entity_id, NULL, 10), c->id);
		ck_assert_int_eq(json_int(a.details, "run_at"), g->run_at_ms);
		ck_assert_int_eq(json_int(a.details, "attempt"), attempt);
		if (i > 0 && delays[i] != delays[0])
			varied = true;
		queue_cmd_free(g);
		queue_cmd_free(c);
	}
	ck_assert_msg(varied, "no jitter in %d delays", N);
	ck_assert_int_eq(tu_audit_count(f.q, "command_retry"), N * attempt);
	tu_fx_close(&f);
}

START_TEST(backoff_attempt_1)
{
	check_backoff(1, 900, 1100);
}
END_TEST

START_TEST(backoff_attempt_2)
{
	check_backoff(2, 14400, 17600);
}
END_TEST

START_TEST(retry_explicit_delay)
{
	struct queue_cmd *c, *g;
	struct audit_copy a;
	int64_t id;
	struct tu_fx f;

	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 0);
	c = tu_claim(f.q, "w", 30000);
	f.now += 100;
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_RETRY, 7000, "429"), 0);
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_FAILED);
	ck_assert_int_eq(g->run_at_ms, TU_T0 + 100 + 7000);
	ck_assert_str_eq(g->last_error, "429");
	ck_assert_int_eq(g->attempts, 1);
	queue_cmd_free(g);
	audit_last(f.q, "command_retry", &a);
	ck_assert_int_eq(json_int(a.details, "run_at"), TU_T0 + 7100);
	ck_assert_ptr_nonnull(strstr(a.details, "\"error\":\"429\""));
	f.now = TU_T0 + 7099;
	claim_none(f.q);
	f.now = TU_T0 + 7100;
	queue_cmd_free(c);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(c->id, id);
	ck_assert_int_eq(c->attempts, 2);
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

START_TEST(fail_permanent)
{
	struct queue_cmd *c, *g;
	struct audit_copy a;
	int64_t id;
	struct tu_fx f;

	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 0);
	c = tu_claim(f.q, "w", 30000);
	f.now += 5;
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_PERMANENT, -1,
	                     "400 Bad Request: chat not found"),
	    0);
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_DEAD);
	ck_assert_str_eq(g->last_error, "400 Bad Request: chat not found");
	ck_assert_ptr_null(g->lease_owner);
	ck_assert_int_eq(g->updated_at_ms, TU_T0 + 5);
	queue_cmd_free(g);
	audit_last(f.q, "command_dead", &a);
	ck_assert_int_eq(strtoll(a.entity_id, NULL, 10), id);
	ck_assert_ptr_nonnull(strstr(a.details, "chat not found"));
	ck_assert_int_eq(tu_audit_count(f.q, "command_retry"), 0);
	f.now += 86400000;
	claim_none(f.q); /* dead stays dead */
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

START_TEST(fail_gives_up)
{
	struct queue_new n = {.type = "message", .key = "a", .max_attempts = 2};
	struct queue_cmd *c, *g;
	struct audit_copy a;
	int64_t id = 0;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(queue_enqueue(f.q, &n, &id, NULL), 0);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_RETRY, 0, "timeout"), 0);
	queue_cmd_free(c);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(c->attempts, 2);
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_RETRY, 0, "timeout"), 0);
	queue_cmd_free(c);
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_DEAD);
	ck_assert_str_eq(g->last_error, "gave up after 2 attempts: timeout");
	queue_cmd_free(g);
	audit_last(f.q, "command_dead", &a);
	ck_assert_ptr_nonnull(strstr(a.details, "gave up after 2 attempts"));
	ck_assert_int_eq(tu_audit_count(f.q, "command_retry"), 1);
	ck_assert_int_eq(tu_audit_count(f.q, "command_dead"), 1);
	claim_none(f.q);
	tu_fx_close(&f);
}
END_TEST

START_TEST(fail_error_text)
{
	char longerr[QUEUE_ERROR_MAX * 2];
	struct queue_cmd *c, *g;
	int64_t id;
	struct tu_fx f;

	memset(longerr, 'e', sizeof(longerr) - 1);
	longerr[sizeof(longerr) - 1] = '\0';
	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 0);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_RETRY, 0, NULL), 0);
	queue_cmd_free(c);
	g = tu_get(f.q, id);
	ck_assert_str_eq(g->last_error, "unknown error");
	queue_cmd_free(g);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_PERMANENT, 0, longerr), 0);
	queue_cmd_free(c);
	g = tu_get(f.q, id);
	ck_assert_uint_eq(strlen(g->last_error), QUEUE_ERROR_MAX - 1);
	queue_cmd_free(g);
	tu_fx_close(&f);
}
END_TEST

/* A long error cut at the limit keeps whole UTF-8 characters. */
START_TEST(fail_error_utf8_cut)
{
	char err[QUEUE_ERROR_MAX * 2] = "";
	struct queue_cmd *c, *g;
	size_t n;
	int64_t id;
	struct tu_fx f;

	/* "x" then 3-byte "€" over and over: 1023 falls inside one */
	strcat(err, "x");
	while (strlen(err) + 3 < sizeof(err))
		strcat(err, "\xe2\x82\xac");
	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 0);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_PERMANENT, 0, err), 0);
	queue_cmd_free(c);
	g = tu_get(f.q, id);
	n = strlen(g->last_error);
	ck_assert_uint_lt(n, QUEUE_ERROR_MAX);
	ck_assert_uint_eq((n - 1) % 3, 0); /* only whole characters */
	ck_assert_uint_eq(n, 1 + (QUEUE_ERROR_MAX - 2) / 3 * 3);
	ck_assert_int_eq(memcmp(g->last_error + n - 3, "\xe2\x82\xac", 3), 0);
	queue_cmd_free(g);
	tu_fx_close(&f);
}
END_TEST

/* ---- operator re-queue ---- */

START_TEST(requeue_dead)
{
	struct queue_cmd *c, *g;
	struct audit_copy a;
	int64_t id;
	struct tu_fx f;

	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 0);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_PERMANENT, 0, "boom"), 0);
	queue_cmd_free(c);
	f.now += 60000;
	ck_assert_int_eq(queue_retry(f.q, id), 0);
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_PENDING);
	ck_assert_int_eq(g->attempts, 0);
	ck_assert_int_eq(g->run_at_ms, TU_T0 + 60000);
	ck_assert_int_eq(g->updated_at_ms, TU_T0 + 60000);
	queue_cmd_free(g);
	audit_last(f.q, "command_requeued", &a);
	ck_assert_int_eq(strtoll(a.entity_id, NULL, 10), id);
	ck_assert_ptr_nonnull(strstr(a.details, "\"from\":\"dead\""));
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(c->id, id);
	ck_assert_int_eq(c->attempts, 1);
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

START_TEST(requeue_failed)
{
	struct queue_cmd *c, *g;
	int64_t id;
	struct tu_fx f;

	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 0);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_RETRY, 3600000, "x"), 0);
	queue_cmd_free(c);
	ck_assert_int_eq(queue_retry(f.q, id), 0); /* now, not in an hour */
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_PENDING);
	ck_assert_int_eq(g->run_at_ms, TU_T0);
	ck_assert_int_eq(g->attempts, 0);
	queue_cmd_free(g);
	tu_fx_close(&f);
}
END_TEST

START_TEST(requeue_rejects)
{
	struct queue_cmd *before, *after, *c;
	int64_t pend, done, last;
	struct tu_fx f;
	char msg[128];

	tu_fx_open(&f);
	done = tu_enqueue(f.q, "done", 0);
	pend = tu_enqueue(f.q, "pending", 0);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_complete(f.q, c, NULL), 0);
	queue_cmd_free(c);
	last = audit_last_id(f.q);
	f.now += 1000;
	ck_assert_int_eq(queue_retry(f.q, 999), -ENOENT);
	ck_assert_str_eq(queue_errmsg(f.q), "there is no command 999");
	before = tu_get(f.q, pend);
	ck_assert_int_eq(queue_retry(f.q, pend), -EINVAL);
	snprintf(msg, sizeof(msg),
	    "command %lld is pending; only dead or failed ones can be retried",
	    (long long)pend);
	ck_assert_str_eq(queue_errmsg(f.q), msg);
	after = tu_get(f.q, pend);
	ck_assert_int_eq(after->status, before->status);
	ck_assert_int_eq(after->updated_at_ms, before->updated_at_ms);
	queue_cmd_free(before);
	queue_cmd_free(after);
	before = tu_get(f.q, done);
	ck_assert_int_eq(queue_retry(f.q, done), -EINVAL);
	after = tu_get(f.q, done);
	ck_assert_int_eq(after->status, QUEUE_COMPLETED);
	ck_assert_int_eq(after->attempts, before->attempts);
	ck_assert_int_eq(after->updated_at_ms, before->updated_at_ms);
	queue_cmd_free(before);
	queue_cmd_free(after);
	c = tu_claim(f.q, "w", 30000); /* processing cannot be re-queued */
	ck_assert_int_eq(queue_retry(f.q, c->id), -EINVAL);
	ck_assert_int_eq(status_of(f.q, c->id), QUEUE_PROCESSING);
	queue_cmd_free(c);
	ck_assert_int_eq(tu_audit_count(f.q, "command_requeued"), 0);
	ck_assert_int_eq(audit_last_id(f.q), last + 1); /* the claim only */
	tu_fx_close(&f);
}
END_TEST

/* ---- explicit transactions ---- */

/* In one transaction: a command, an audit row and an outbox message. */
static void
write_three(struct tu_fx *f, int64_t *cmd, int64_t *msg)
{
	struct queue_new n = {
	    .type = "message", .key = "tg:update:1", .chat_id = 5};
	struct queue_new m = {.type = "sendMessage",
	    .key = "cmd:1:0",
	    .chat_id = 5,
	    .payload = "{\"text\":\"hi\"}"};
	struct audit_entry e = {.action = "draft_confirmed", .user_id = 77};

	ck_assert_int_eq(queue_begin(f->q), 0);
	ck_assert_int_eq(queue_enqueue(f->q, &n, cmd, NULL), 0);
	ck_assert_int_eq(audit_add(f->q, &e), 0);
	ck_assert_int_eq(outbox_add(f->q, &m, msg, NULL), 0);
}

START_TEST(txn_rollback)
{
	struct queue_stats st;
	struct queue_cmd *c = NULL;
	int64_t cmd = 0, msg = 0;
	struct tu_fx f;

	tu_fx_open(&f);
	write_three(&f, &cmd, &msg);
	ck_assert_int_eq(queue_rollback(f.q), 0);
	ck_assert_int_eq(queue_get(f.q, cmd, &c), 0);
	ck_assert_int_eq(outbox_get(f.q, msg, &c), 0);
	ck_assert_int_eq(total_commands(f.q), 0);
	ck_assert_int_eq(outbox_stats(f.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_PENDING], 0);
	ck_assert_int_eq(audit_last_id(f.q), 0);
	/* the handle works on, each call its own transaction again */
	ck_assert_int_eq(queue_rollback(f.q), 0);
	tu_enqueue(f.q, "after", 0);
	ck_assert_int_eq(total_commands(f.q), 1);
	tu_fx_close(&f);
}
END_TEST

START_TEST(txn_commit)
{
	struct queue_cmd *c = NULL;
	struct queue *q2;
	int64_t cmd = 0, msg = 0;
	struct tu_fx f;

	tu_fx_open(&f);
	write_three(&f, &cmd, &msg);
	ck_assert_int_eq(queue_commit(f.q), 0);
	/* visible to another connection: it is on disk */
	q2 = tu_open(f.db, NULL);
	ck_assert_int_eq(queue_get(q2, cmd, &c), 1);
	ck_assert_str_eq(c->key, "tg:update:1");
	queue_cmd_free(c);
	ck_assert_int_eq(outbox_get(q2, msg, &c), 1);
	ck_assert_str_eq(c->payload, "{\"text\":\"hi\"}");
	queue_cmd_free(c);
	ck_assert_int_eq(tu_audit_count(q2, "draft_confirmed"), 1);
	ck_assert_int_eq(tu_audit_count(q2, "command_created"), 1);
	ck_assert_int_eq(tu_audit_count(q2, "message_queued"), 1);
	queue_close(q2);
	ck_assert_int_eq(queue_commit(f.q), -EINVAL);
	ck_assert_str_eq(queue_errmsg(f.q), "no transaction is open");
	tu_fx_close(&f);
}
END_TEST

START_TEST(txn_nested)
{
	int64_t cmd = 0, msg = 0;
	struct tu_fx f;

	tu_fx_open(&f);
	write_three(&f, &cmd, &msg);
	ck_assert_int_eq(queue_begin(f.q), -EALREADY);
	ck_assert_str_eq(queue_errmsg(f.q), "a transaction is already open");
	/* the open transaction is unharmed and still rolls back whole */
	ck_assert_int_eq(queue_rollback(f.q), 0);
	ck_assert_int_eq(total_commands(f.q), 0);
	ck_assert_int_eq(audit_last_id(f.q), 0);
	tu_fx_close(&f);
}
END_TEST

START_TEST(txn_claim_complete_rollback)
{
	struct queue_cmd *c;
	int64_t id, last;
	struct tu_fx f;

	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 0);
	c = tu_claim(f.q, "w", 30000);
	last = audit_last_id(f.q);
	ck_assert_int_eq(queue_begin(f.q), 0);
	ck_assert_int_eq(queue_complete(f.q, c, "{}"), 0);
	ck_assert_int_eq(status_of(f.q, id), QUEUE_COMPLETED);
	ck_assert_int_eq(queue_rollback(f.q), 0);
	ck_assert_int_eq(status_of(f.q, id), QUEUE_PROCESSING);
	ck_assert_int_eq(audit_last_id(f.q), last);
	ck_assert_int_eq(queue_complete(f.q, c, "{}"), 0);
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

/* ---- a state change and its audit row commit together ---- */

START_TEST(audit_failure_rolls_back_state)
{
	struct queue_cmd *c, *g;
	int64_t id;
	struct tu_fx f;
	int r;

	tu_fx_open(&f);
	id = tu_enqueue(f.q, "a", 0);
	c = tu_claim(f.q, "w", 30000);
	/* Make the audit row of the completion fail. */
	raw_exec(f.db,
	    "CREATE TRIGGER no_exec BEFORE INSERT ON audit_log "
	    "WHEN NEW.action = 'command_executed' "
	    "BEGIN SELECT RAISE(ABORT, 'injected'); END");
	r = queue_complete(f.q, c, "{}");
	ck_assert_int_lt(r, 0);
	ck_assert_int_ne(r, -ESTALE);
	g = tu_get(f.q, id);
	ck_assert_int_eq(g->status, QUEUE_PROCESSING);
	ck_assert_ptr_null(g->result);
	queue_cmd_free(g);
	/* and the enqueue of a command whose audit row fails leaves none */
	raw_exec(f.db,
	    "DROP TRIGGER no_exec; "
	    "CREATE TRIGGER no_create BEFORE INSERT ON audit_log "
	    "WHEN NEW.action = 'command_created' "
	    "BEGIN SELECT RAISE(ABORT, 'injected'); END");
	{
		struct queue_new n = {.type = "message", .key = "b"};

		ck_assert_int_lt(queue_enqueue(f.q, &n, NULL, NULL), 0);
	}
	ck_assert_int_eq(total_commands(f.q), 1);
	raw_exec(f.db, "DROP TRIGGER no_create");
	ck_assert_int_eq(queue_complete(f.q, c, "{}"), 0);
	ck_assert_int_eq(tu_audit_count(f.q, "command_executed"), 1);
	queue_cmd_free(c);
	tu_fx_close(&f);
}
END_TEST

/* ---- stats and list ---- */

START_TEST(stats_counts)
{
	struct queue_stats st;
	struct queue_cmd *c;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(queue_stats(f.q, &st), 0);
	for (int i = 0; i < QUEUE_NSTATUS; i++)
		ck_assert_int_eq(st.count[i], 0);
	ck_assert_int_eq(st.oldest_pending_age_ms, -1);
	tu_enqueue(f.q, "a", 0);
	tu_enqueue(f.q, "b", 0);
	tu_enqueue(f.q, "c", 0);
	tu_enqueue(f.q, "d", 0);
	f.now += 1000;
	tu_enqueue(f.q, "e", 0);
	tu_enqueue(f.q, "f", 0);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_complete(f.q, c, NULL), 0);
	queue_cmd_free(c);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_RETRY, 60000, "x"), 0);
	queue_cmd_free(c);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_PERMANENT, 0, "x"), 0);
	queue_cmd_free(c);
	queue_cmd_free(tu_claim(f.q, "w", 30000)); /* d stays processing */
	f.now = TU_T0 + 6000;
	ck_assert_int_eq(queue_stats(f.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_PENDING], 2);
	ck_assert_int_eq(st.count[QUEUE_PROCESSING], 1);
	ck_assert_int_eq(st.count[QUEUE_COMPLETED], 1);
	ck_assert_int_eq(st.count[QUEUE_FAILED], 1);
	ck_assert_int_eq(st.count[QUEUE_DEAD], 1);
	/* e and f, created at TU_T0 + 1000, are the pending ones */
	ck_assert_int_eq(st.oldest_pending_age_ms, 5000);
	queue_cmd_free(tu_claim(f.q, "w", 30000));
	queue_cmd_free(tu_claim(f.q, "w", 30000));
	ck_assert_int_eq(queue_stats(f.q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_PENDING], 0);
	ck_assert_int_eq(st.oldest_pending_age_ms, -1);
	tu_fx_close(&f);
}
END_TEST

struct walk {
	int n, stop_at;
	int64_t ids[16];
};

static int
walk_cb(const struct queue_cmd *c, void *arg)
{
	struct walk *w = arg;

	ck_assert_int_lt(w->n, 16);
	w->ids[w->n++] = c->id;
	return w->n == w->stop_at ? 42 : 0;
}

START_TEST(list_order_filter_limit)
{
	struct walk w = {0};
	int64_t id[5];
	struct queue_cmd *c;
	struct tu_fx f;

	tu_fx_open(&f);
	for (int i = 0; i < 5; i++) {
		char key[8];

		snprintf(key, sizeof(key), "k%d", i);
		id[i] = tu_enqueue(f.q, key, 0);
	}
	c = tu_claim(f.q, "w", 30000); /* id[0] */
	ck_assert_int_eq(queue_complete(f.q, c, NULL), 0);
	queue_cmd_free(c);
	ck_assert_int_eq(queue_list(f.q, -1, 0, walk_cb, &w), 0);
	ck_assert_int_eq(w.n, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(w.ids[i], id[4 - i]);
	w = (struct walk){0};
	ck_assert_int_eq(queue_list(f.q, QUEUE_PENDING, 0, walk_cb, &w), 0);
	ck_assert_int_eq(w.n, 4);
	ck_assert_int_eq(w.ids[0], id[4]);
	ck_assert_int_eq(w.ids[3], id[1]);
	w = (struct walk){0};
	ck_assert_int_eq(queue_list(f.q, QUEUE_COMPLETED, 0, walk_cb, &w), 0);
	ck_assert_int_eq(w.n, 1);
	ck_assert_int_eq(w.ids[0], id[0]);
	w = (struct walk){0};
	ck_assert_int_eq(queue_list(f.q, QUEUE_DEAD, 0, walk_cb, &w), 0);
	ck_assert_int_eq(w.n, 0);
	w = (struct walk){0};
	ck_assert_int_eq(queue_list(f.q, -1, 2, walk_cb, &w), 0);
	ck_assert_int_eq(w.n, 2);
	ck_assert_int_eq(w.ids[0], id[4]);
	ck_assert_int_eq(w.ids[1], id[3]);
	w = (struct walk){.stop_at = 3};
	ck_assert_int_eq(queue_list(f.q, -1, 0, walk_cb, &w), 42);
	ck_assert_int_eq(w.n, 3);
	tu_fx_close(&f);
}
END_TEST

/* ---- pruning ---- */

static int64_t
audit_count_since(struct queue *q, int64_t since)
{
	struct audit_filter f = {.since_ms = since};

	return tu_audit_rows(q, &f);
}

START_TEST(prune)
{
	struct queue_new m = {.type = "sendMessage", .key = "m1"};
	struct queue_cmd *c = NULL;
	struct audit_copy a;
	int64_t old_done, new_done, dead, pend, msg = 0, cmds = -1, audit = -1;
	int64_t all, recent;
	struct tu_fx f;

	tu_fx_open(&f);
	old_done = tu_enqueue(f.q, "old", 0);
	dead = tu_enqueue(f.q, "dead", 0);
	ck_assert_int_eq(outbox_add(f.q, &m, &msg, NULL), 0);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_complete(f.q, c, NULL), 0);
	queue_cmd_free(c);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_fail(f.q, c, QUEUE_PERMANENT, 0, "x"), 0);
	queue_cmd_free(c);
	ck_assert_int_eq(outbox_claim(f.q, "s", 30000, &c), 1);
	ck_assert_int_eq(outbox_sent(f.q, c, "{}"), 0);
	queue_cmd_free(c);
	f.now = TU_T0 + 10000;
	new_done = tu_enqueue(f.q, "new", 0);
	pend = tu_enqueue(f.q, "pending", 0);
	c = tu_claim(f.q, "w", 30000);
	ck_assert_int_eq(queue_complete(f.q, c, NULL), 0);
	queue_cmd_free(c);
	all = tu_audit_count(f.q, NULL);
	recent = audit_count_since(f.q, TU_T0 + 5000);
	ck_assert_int_gt(all - recent, 0);
	f.now = TU_T0 + 20000;
	ck_assert_int_eq(
	    queue_prune(f.q, TU_T0 + 5000, TU_T0 + 5000, &cmds, &audit), 0);
	ck_assert_int_eq(cmds, 2); /* old_done and the sent message */
	ck_assert_int_eq(audit, all - recent);
	ck_assert_int_eq(queue_get(f.q, old_done, &c), 0);
	ck_assert_int_eq(outbox_get(f.q, msg, &c), 0);
	ck_assert_int_eq(status_of(f.q, new_done), QUEUE_COMPLETED);
	ck_assert_int_eq(status_of(f.q, dead), QUEUE_DEAD);
	ck_assert_int_eq(status_of(f.q, pend), QUEUE_PENDING);
	ck_assert_int_eq(audit_count_since(f.q, 0), recent + 1);
	audit_last(f.q, "queue_pruned", &a);
	ck_assert_int_eq(a.ts_ms, TU_T0 + 20000);
	ck_assert_str_eq(a.actor, "test");
	ck_assert_int_eq(json_int(a.details, "commands"), 1);
	ck_assert_int_eq(json_int(a.details, "messages"), 1);
	ck_assert_int_eq(json_int(a.details, "audit_rows"), all - recent);
	/* audit_before 0 keeps the log; dead rows survive any cutoff */
	all = tu_audit_count(f.q, NULL);
	ck_assert_int_eq(queue_prune(f.q, TU_T0 + 30000, 0, &cmds, &audit), 0);
	ck_assert_int_eq(cmds, 1);
	ck_assert_int_eq(audit, 0);
	ck_assert_int_eq(tu_audit_count(f.q, NULL), all + 1);
	ck_assert_int_eq(status_of(f.q, dead), QUEUE_DEAD);
	ck_assert_int_eq(queue_get(f.q, new_done, &c), 0);
	tu_fx_close(&f);
}
END_TEST

/* ---- queue_wait ---- */

START_TEST(wait_times_out)
{
	struct timespec t0;
	int64_t ms;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(queue_wait(f.q, 100), 1); /* started listening */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(queue_wait(f.q, 100), 0);
	ms = tu_ms_since(&t0);
	ck_assert_msg(ms >= 90 && ms < 1000, "waited %lld ms", (long long)ms);
	tu_fx_close(&f);
}
END_TEST

START_TEST(wait_rung_by_other_handle)
{
	struct timespec t0;
	struct queue *q2;
	int64_t ms;
	struct tu_fx f;

	tu_fx_open(&f);
	q2 = tu_open(f.db, &f.now);
	ck_assert_int_eq(queue_wait(f.q, 5000), 1); /* started listening */
	tu_enqueue(q2, "a", 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(queue_wait(f.q, 5000), 1);
	ms = tu_ms_since(&t0);
	ck_assert_msg(ms < 1000, "woke after %lld ms", (long long)ms);
	/* the ring was consumed: nothing new, so a short wait times out */
	ck_assert_int_eq(queue_wait(f.q, 20), 0);
	/* a duplicate enqueue adds nothing and rings nobody */
	{
		struct queue_new n = {.type = "message", .key = "a"};
		bool dup = false;

		ck_assert_int_eq(queue_enqueue(q2, &n, NULL, &dup), 0);
		ck_assert(dup);
	}
	ck_assert_int_eq(queue_wait(f.q, 20), 0);
	queue_close(q2);
	tu_fx_close(&f);
}
END_TEST

START_TEST(wait_until_scheduled)
{
	struct queue_new n = {
	    .type = "reminder", .key = "soon", .run_at_ms = TU_T0 + 50};
	struct timespec t0;
	int64_t ms;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(queue_enqueue(f.q, &n, NULL, NULL), 0);
	ck_assert_int_eq(queue_wait(f.q, 5000), 1); /* started listening */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* the command is due in 50 ms: the wait is cut short for it */
	ck_assert_int_eq(queue_wait(f.q, 5000), 0);
	ms = tu_ms_since(&t0);
	ck_assert_msg(ms >= 40 && ms < 1000, "waited %lld ms", (long long)ms);
	tu_fx_close(&f);
}
END_TEST

/* ---- names and messages ---- */

START_TEST(status_names)
{
	enum queue_status s;

	for (int i = 0; i < QUEUE_NSTATUS; i++) {
		ck_assert_int_eq(
		    queue_status_parse(queue_status_name(i), &s), 0);
		ck_assert_int_eq(s, i);
	}
	ck_assert_str_eq(queue_status_name(QUEUE_FAILED), "failed");
	ck_assert_str_eq(queue_status_name(QUEUE_NSTATUS), "unknown");
	s = QUEUE_DEAD;
	ck_assert_int_eq(queue_status_parse("done", &s), -EINVAL);
	ck_assert_int_eq(s, QUEUE_DEAD);
	ck_assert_str_eq(
	    queue_strerror(-ESTALE), "the lease was lost to another worker");
}
END_TEST

static Suite *
queue_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc;

	tc = tcase_create("enqueue");
	tcase_add_test(tc, enqueue_idempotent);
	tcase_add_test(tc, enqueue_defaults);
	tcase_add_test(tc, enqueue_rejects);
	tcase_add_test(tc, enqueue_limits_inclusive);
	suite_add_tcase(s, tc);

	tc = tcase_create("claim");
	tcase_add_test(tc, claim_oldest_first);
	tcase_add_test(tc, claim_by_run_at);
	tcase_add_test(tc, claim_sets_lease);
	tcase_add_test(tc, claim_nothing);
	tcase_add_test(tc, claim_rejects);
	tcase_add_test(tc, claim_run_at_future);
	suite_add_tcase(s, tc);

	tc = tcase_create("chat_order");
	tcase_add_test(tc, chat_order);
	tcase_add_test(tc, chat_order_other_chats);
	tcase_add_test(tc, chat_order_failed_blocks);
	tcase_add_test(tc, chat_order_dead_unblocks);
	tcase_add_test(tc, chat_order_scheduled_does_not_block);
	suite_add_tcase(s, tc);

	tc = tcase_create("fencing");
	tcase_add_test(tc, fence_wrong_owner_or_attempt);
	tcase_add_test(tc, fence_takeover);
	tcase_add_test(tc, extend_moves_lease);
	suite_add_tcase(s, tc);

	tc = tcase_create("rescue");
	tcase_add_test(tc, rescue_expired);
	tcase_add_test(tc, rescue_last_attempt_dead);
	tcase_add_test(tc, rescue_many_dead_all_audited);
	suite_add_tcase(s, tc);

	tc = tcase_create("retry");
	tcase_add_test(tc, backoff_attempt_1);
	tcase_add_test(tc, backoff_attempt_2);
	tcase_add_test(tc, retry_explicit_delay);
	tcase_add_test(tc, fail_permanent);
	tcase_add_test(tc, fail_gives_up);
	tcase_add_test(tc, fail_error_text);
	tcase_add_test(tc, fail_error_utf8_cut);
	tcase_add_test(tc, requeue_dead);
	tcase_add_test(tc, requeue_failed);
	tcase_add_test(tc, requeue_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("transactions");
	tcase_add_test(tc, txn_rollback);
	tcase_add_test(tc, txn_commit);
	tcase_add_test(tc, txn_nested);
	tcase_add_test(tc, txn_claim_complete_rollback);
	tcase_add_test(tc, audit_failure_rolls_back_state);
	suite_add_tcase(s, tc);

	tc = tcase_create("admin");
	tcase_add_test(tc, stats_counts);
	tcase_add_test(tc, list_order_filter_limit);
	tcase_add_test(tc, prune);
	tcase_add_test(tc, status_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("wait");
	tcase_add_test(tc, wait_times_out);
	tcase_add_test(tc, wait_rung_by_other_handle);
	tcase_add_test(tc, wait_until_scheduled);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(queue_suite());
}

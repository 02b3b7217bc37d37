/*
 * check_audit.c — tests for the audit log (queue/audit.h): every class of
 * bad entry (exact message, -EINVAL, nothing written), defaults, the
 * filters of audit_query() and audit_wait() across two handles.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "queue/audit.h"
#include "queue/queue.h"
#include "tests/testutil.h"

/* What a walk saw: ids in order and a copy of the last entry. */
struct seen {
	int n, stop_at;
	int64_t ids[32];
	struct audit_entry last;
	char actor[64], action[80], etype[32], eid[32], details[256];
};

static int
seen_cb(const struct audit_entry *e, void *arg)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->n, 32);
	s->ids[s->n++] = e->id;
	s->last = *e;
	snprintf(s->actor, sizeof(s->actor), "%s", e->actor);
	snprintf(s->action, sizeof(s->action), "%s", e->action);
	snprintf(s->etype, sizeof(s->etype), "%s",
	    e->entity_type ? e->entity_type : "(null)");
	snprintf(s->eid, sizeof(s->eid), "%s",
	    e->entity_id ? e->entity_id : "(null)");
	snprintf(s->details, sizeof(s->details), "%s", e->details);
	s->last.actor = s->last.action = s->last.details = NULL;
	s->last.entity_type = s->last.entity_id = NULL;
	return s->n == s->stop_at ? 7 : 0;
}

static void
query(struct queue *q, const struct audit_filter *f, struct seen *s)
{
	int stop = s->stop_at;

	memset(s, 0, sizeof(*s));
	s->stop_at = stop;
	ck_assert_int_eq(audit_query(q, f, seen_cb, s, NULL), 0);
}

static void
add(struct queue *q, const char *action, int64_t user)
{
	struct audit_entry e = {.action = action, .user_id = user};

	ck_assert_int_eq(audit_add(q, &e), 0);
}

struct bad_entry {
	const char *action, *details, *msg;
};

START_TEST(add_rejects)
{
	static char action65[66], big[AUDIT_DETAILS_MAX + 2];
	static const char details_msg[] =
	    "audit details must be a JSON object of at most 65536 bytes";
	const struct bad_entry bad[] = {
	    {NULL, NULL, "the audit action is empty"},
	    {"", NULL, "the audit action is empty"},
	    {action65, NULL, "the audit action is longer than 64 bytes"},
	    {"x", "[1,2]", details_msg},
	    {"x", "\"text\"", details_msg},
	    {"x", "42", details_msg},
	    {"x", "not json", details_msg},
	    {"x", "", details_msg},
	    {"x", "{\"a\":", details_msg},
	    {"x", "{\"a\":1} junk", details_msg},
	    {"x", "{}{}", details_msg},
	    {"x", big, details_msg},
	};
	struct tu_fx f;

	memset(action65, 'a', 65);
	/* a valid object of AUDIT_DETAILS_MAX + 1 bytes */
	memset(big, 'x', AUDIT_DETAILS_MAX + 1);
	memcpy(big, "{\"a\":\"", 6);
	memcpy(big + AUDIT_DETAILS_MAX + 1 - 2, "\"}", 2);
	tu_fx_open(&f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct audit_entry e = {
		    .action = bad[i].action, .details = bad[i].details};

		ck_assert_msg(
		    audit_add(f.q, &e) == -EINVAL, "case %zu accepted", i);
		ck_assert_str_eq(queue_errmsg(f.q), bad[i].msg);
	}
	ck_assert_int_eq(tu_audit_count(f.q, NULL), 0);
	tu_fx_close(&f);
}
END_TEST

START_TEST(add_limits_inclusive)
{
	static char action64[65], big[AUDIT_DETAILS_MAX + 1];
	struct audit_entry e = {.action = action64};
	struct audit_filter flt = {0};
	struct seen s = {0};
	struct tu_fx f;

	memset(action64, 'a', 64);
	memset(big, 'x', AUDIT_DETAILS_MAX);
	memcpy(big, "{\"a\":\"", 6);
	memcpy(big + AUDIT_DETAILS_MAX - 2, "\"}", 2);
	tu_fx_open(&f);
	ck_assert_int_eq(audit_add(f.q, &e), 0);
	e = (struct audit_entry){.action = "big", .details = big};
	ck_assert_int_eq(audit_add(f.q, &e), 0);
	e = (struct audit_entry){.action = "spaced", .details = " {\"a\":1}\n"};
	ck_assert_int_eq(audit_add(f.q, &e), 0);
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 3);
	flt.action = action64;
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 1);
	tu_fx_close(&f);
}
END_TEST

START_TEST(add_defaults)
{
	struct audit_entry e = {.action = "draft_confirmed"};
	struct audit_filter flt = {0};
	struct seen s = {0};
	struct tu_fx f;

	tu_fx_open(&f);
	f.now = TU_T0 + 1234;
	ck_assert_int_eq(audit_add(f.q, &e), 0);
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_gt(s.ids[0], 0);
	ck_assert_int_eq(s.last.ts_ms, TU_T0 + 1234);
	ck_assert_str_eq(s.actor, "test"); /* the queue's actor */
	ck_assert_str_eq(s.action, "draft_confirmed");
	ck_assert_str_eq(s.details, "{}");
	ck_assert_str_eq(s.etype, "(null)");
	ck_assert_str_eq(s.eid, "(null)");
	ck_assert_int_eq(s.last.user_id, 0);
	ck_assert_int_eq(s.last.chat_id, 0);
	ck_assert_int_eq(s.last.source_msg_id, 0);
	tu_fx_close(&f);
}
END_TEST

START_TEST(add_all_fields)
{
	struct audit_entry e = {.actor = "user",
	    .action = "draft_edited",
	    .user_id = 1001,
	    .chat_id = -1002,
	    .entity_type = "draft",
	    .entity_id = "17",
	    .source_msg_id = 555,
	    .details = "{\"field\":\"title\"}"};
	struct audit_filter flt = {0};
	struct seen s = {0};
	struct queue *q2;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(audit_add(f.q, &e), 0);
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.actor, "user");
	ck_assert_str_eq(s.action, "draft_edited");
	ck_assert_int_eq(s.last.user_id, 1001);
	ck_assert_int_eq(s.last.chat_id, -1002);
	ck_assert_str_eq(s.etype, "draft");
	ck_assert_str_eq(s.eid, "17");
	ck_assert_int_eq(s.last.source_msg_id, 555);
	ck_assert_str_eq(s.details, "{\"field\":\"title\"}");
	/* a process with another actor writes under its own name */
	{
		struct queue_opts o = {.actor = "receiver"};

		ck_assert_int_eq(queue_open(f.db, &o, &q2), 0);
	}
	add(q2, "update_received", 0);
	queue_close(q2);
	flt.action = "update_received";
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.actor, "receiver");
	tu_fx_close(&f);
}
END_TEST

START_TEST(query_filters)
{
	struct audit_filter flt = {0};
	struct seen s = {0};
	int64_t ids[8];
	struct tu_fx f;

	tu_fx_open(&f);
	/* ts TU_T0..TU_T0+7000, users 1 and 2 alternating, two actions */
	for (int i = 0; i < 8; i++) {
		f.now = TU_T0 + i * 1000;
		add(f.q, i % 3 == 0 ? "draft_created" : "draft_confirmed",
		    i % 2 + 1);
	}
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 8);
	memcpy(ids, s.ids, sizeof(ids));
	for (int i = 1; i < 8; i++)
		ck_assert_int_gt(ids[i], ids[i - 1]);

	flt = (struct audit_filter){.after_id = ids[5]};
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(s.ids[0], ids[6]);
	ck_assert_int_eq(s.ids[1], ids[7]);

	flt = (struct audit_filter){.since_ms = TU_T0 + 5000};
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 3); /* ts >= since */
	ck_assert_int_eq(s.ids[0], ids[5]);

	flt = (struct audit_filter){.user_id = 2};
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 4);
	ck_assert_int_eq(s.ids[0], ids[1]);
	ck_assert_int_eq(s.ids[3], ids[7]);

	flt = (struct audit_filter){.action = "draft_created"};
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 3); /* 0, 3, 6 */
	ck_assert_int_eq(s.ids[0], ids[0]);
	ck_assert_int_eq(s.ids[1], ids[3]);
	ck_assert_int_eq(s.ids[2], ids[6]);

	flt = (struct audit_filter){.action = "draft_created", .user_id = 1};
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 2); /* 0 and 6 */
	ck_assert_int_eq(s.ids[0], ids[0]);
	ck_assert_int_eq(s.ids[1], ids[6]);

	flt = (struct audit_filter){.action = "no_such_action"};
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 0);
	tu_fx_close(&f);
}
END_TEST

START_TEST(query_last_n)
{
	struct audit_filter flt = {.last = 3};
	struct seen s = {0};
	int64_t all[6];
	struct tu_fx f;

	tu_fx_open(&f);
	for (int i = 0; i < 6; i++)
		add(f.q, i % 2 ? "odd" : "even", 0);
	flt.last = 0;
	query(f.q, &flt, &s);
	memcpy(all, s.ids, sizeof(all));
	/* the last 3, in ascending id order */
	flt.last = 3;
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 3);
	ck_assert_int_eq(s.ids[0], all[3]);
	ck_assert_int_eq(s.ids[1], all[4]);
	ck_assert_int_eq(s.ids[2], all[5]);
	/* the last 2 of the matching ones */
	flt = (struct audit_filter){.last = 2, .action = "even"};
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(s.ids[0], all[2]);
	ck_assert_int_eq(s.ids[1], all[4]);
	/* more than there are */
	flt = (struct audit_filter){.last = 100};
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 6);
	ck_assert_int_eq(s.ids[0], all[0]);
	tu_fx_close(&f);
}
END_TEST

START_TEST(query_last_id_and_stop)
{
	struct audit_filter flt = {0};
	struct seen s = {.stop_at = 2};
	int64_t last = -1, ids[4];
	struct tu_fx f;

	tu_fx_open(&f);
	/* an empty log leaves *ret_last_id alone */
	ck_assert_int_eq(audit_query(f.q, &flt, NULL, NULL, &last), 0);
	ck_assert_int_eq(last, -1);
	for (int i = 0; i < 4; i++)
		add(f.q, "a", 0);
	ck_assert_int_eq(audit_query(f.q, &flt, NULL, NULL, &last), 0);
	s.stop_at = 0;
	query(f.q, &flt, &s);
	memcpy(ids, s.ids, sizeof(ids));
	ck_assert_int_eq(last, ids[3]); /* fn NULL: just the last id */
	/* fn's non-zero value stops the walk and is returned */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	ck_assert_int_eq(audit_query(f.q, &flt, seen_cb, &s, &last), 7);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(last, ids[1]);
	/* following a log: nothing after the last id leaves it alone */
	last = ids[3];
	flt.after_id = last;
	ck_assert_int_eq(audit_query(f.q, &flt, NULL, NULL, &last), 0);
	ck_assert_int_eq(last, ids[3]);
	add(f.q, "b", 0);
	ck_assert_int_eq(audit_query(f.q, &flt, NULL, NULL, &last), 0);
	ck_assert_int_eq(last, ids[3] + 1);
	tu_fx_close(&f);
}
END_TEST

/* Queue operations write their rows under the queue's actor. */
START_TEST(queue_rows_use_actor)
{
	struct audit_filter flt = {.action = "command_created"};
	struct seen s = {0};
	int64_t id;
	struct tu_fx f;

	tu_fx_open(&f);
	id = tu_enqueue(f.q, "tg:update:9", 77);
	query(f.q, &flt, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.actor, "test");
	ck_assert_str_eq(s.etype, "command");
	ck_assert_int_eq(strtoll(s.eid, NULL, 10), id);
	ck_assert_int_eq(s.last.chat_id, 77);
	ck_assert_ptr_nonnull(strstr(s.details, "tg:update:9"));
	tu_fx_close(&f);
}
END_TEST

START_TEST(wait_for_other_handle)
{
	struct timespec t0;
	struct queue *q2;
	int64_t ms;
	struct tu_fx f;

	tu_fx_open(&f);
	q2 = tu_open(f.db, &f.now);
	ck_assert_int_eq(audit_wait(f.q, 1000), 1); /* the watch began */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(audit_wait(f.q, 60), 0);
	ms = tu_ms_since(&t0);
	ck_assert_msg(ms >= 50 && ms < 1000, "waited %lld ms", (long long)ms);
	/* reading does not wake anyone */
	ck_assert_int_eq(tu_audit_count(q2, NULL), 0);
	ck_assert_int_eq(audit_wait(f.q, 20), 0);
	add(q2, "draft_created", 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(audit_wait(f.q, 5000), 1);
	ms = tu_ms_since(&t0);
	ck_assert_msg(ms < 1000, "woke after %lld ms", (long long)ms);
	ck_assert_int_eq(tu_audit_count(f.q, NULL), 1);
	/* the change was consumed */
	ck_assert_int_eq(audit_wait(f.q, 20), 0);
	queue_close(q2);
	tu_fx_close(&f);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, add_rejects);
	tcase_add_test(tc, add_limits_inclusive);
	tcase_add_test(tc, add_defaults);
	tcase_add_test(tc, add_all_fields);
	tcase_add_test(tc, query_filters);
	tcase_add_test(tc, query_last_n);
	tcase_add_test(tc, query_last_id_and_stop);
	tcase_add_test(tc, queue_rows_use_actor);
	tcase_add_test(tc, wait_for_other_handle);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(audit_suite());
}

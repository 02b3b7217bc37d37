/* The local store: users, drafts, tasks, effects, outbox refs. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/outbox.h"
#include "queue/store.h"
#include "tests/testutil.h"

START_TEST(user_touch_and_settings)
{
	struct store_user u;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(store_user_get(f.q, 7, &u), 0);
	ck_assert_int_eq(
	    store_user_touch(f.q, 7, 70, "Ann", "Europe/Berlin"), 0);
	ck_assert_int_eq(store_user_get(f.q, 7, &u), 1);
	ck_assert_int_eq(u.chat_id, 70);
	ck_assert_str_eq(u.display_name, "Ann");
	ck_assert_str_eq(u.timezone, "Europe/Berlin");
	ck_assert_str_eq(u.status, "allowed");
	/* a later touch refreshes the name, keeps the zone */
	ck_assert_int_eq(store_user_set_timezone(f.q, 7, "Asia/Tokyo"), 0);
	ck_assert_int_eq(store_user_touch(f.q, 7, 70, "Ann B", "UTC"), 0);
	ck_assert_int_eq(store_user_get(f.q, 7, &u), 1);
	ck_assert_str_eq(u.display_name, "Ann B");
	ck_assert_str_eq(u.timezone, "Asia/Tokyo");
	ck_assert_int_eq(store_user_set_status(f.q, 7, "inactive"), 0);
	ck_assert_int_eq(store_user_get(f.q, 7, &u), 1);
	ck_assert_str_eq(u.status, "inactive");
	/* bad input changes nothing */
	ck_assert_int_eq(store_user_set_timezone(f.q, 8, "UTC"), -ENOENT);
	ck_assert_int_eq(store_user_set_timezone(f.q, 7, ""), -EINVAL);
	ck_assert_int_eq(store_user_set_status(f.q, 7, "royal"), -EINVAL);
	ck_assert_int_eq(store_user_get(f.q, 7, &u), 1);
	ck_assert_str_eq(u.status, "inactive");
	ck_assert_int_eq(store_user_touch(f.q, 0, 1, "x", "UTC"), -EINVAL);
	tu_fx_close(&f);
}
END_TEST

static int64_t
make_draft(struct queue *q, int64_t owner, int64_t command_id, bool *dup)
{
	struct store_draft d = {.owner_id = owner,
	    .chat_id = owner * 10,
	    .kind = "task",
	    .draft = "{\"title\":\"Milk\"}",
	    .command_id = command_id,
	    .expires_at_ms = TU_T0 + 1000};
	int64_t id = 0;

	ck_assert_int_eq(store_draft_create(q, &d, &id, dup), 0);
	return id;
}

START_TEST(draft_life)
{
	struct store_draft *d = NULL, *g = NULL;
	bool dup = true;
	struct tu_fx f;
	int64_t id;

	tu_fx_open(&f);
	id = make_draft(f.q, 5, 100, &dup);
	ck_assert(!dup);
	/* the same command again makes no second draft */
	ck_assert_int_eq(make_draft(f.q, 5, 100, &dup), id);
	ck_assert(dup);
	ck_assert_int_eq(store_draft_get(f.q, id, &d), 1);
	ck_assert_str_eq(d->status, "drafted");
	ck_assert_str_eq(d->draft, "{\"title\":\"Milk\"}");
	ck_assert_int_eq(d->version, 1);
	ck_assert_int_eq(d->chat_id, 50);
	/* update with the version read: ok, version moves on */
	free(d->draft);
	d->draft = strdup("{\"title\":\"Oat milk\"}");
	d->editing = 1;
	ck_assert_int_eq(store_draft_update(f.q, d), 0);
	ck_assert_int_eq(d->version, 2);
	/* a stale copy is refused and changes nothing */
	ck_assert_int_eq(store_draft_get(f.q, id, &g), 1);
	g->version = 1;
	strcpy(g->status, "cancelled");
	ck_assert_int_eq(store_draft_update(f.q, g), -ESTALE);
	store_draft_free(g);
	g = NULL;
	ck_assert_int_eq(store_draft_latest(f.q, 5, "drafted", true, &g), 1);
	ck_assert_int_eq(g->id, id);
	ck_assert_str_eq(g->draft, "{\"title\":\"Oat milk\"}");
	store_draft_free(g);
	g = NULL;
	ck_assert_int_eq(store_draft_latest(f.q, 6, "drafted", false, &g), 0);
	/* the card's message id, found back from a reply */
	ck_assert_int_eq(store_draft_set_message(f.q, id, 777), 0);
	ck_assert_int_eq(store_draft_by_message(f.q, 50, 777, &g), 1);
	ck_assert_int_eq(g->id, id);
	ck_assert_int_eq(g->version, 2); /* not bumped by the message id */
	store_draft_free(g);
	g = NULL;
	ck_assert_int_eq(store_draft_by_message(f.q, 51, 777, &g), 0);
	/* a draft that is not JSON is refused */
	free(d->draft);
	d->draft = strdup("[1]");
	ck_assert_int_eq(store_draft_update(f.q, d), -EINVAL);
	store_draft_free(d);
	tu_fx_close(&f);
}
END_TEST

static int
count_due(const struct store_draft *d, void *arg)
{
	(void)d;
	(*(int *)arg)++;
	return 0;
}

START_TEST(drafts_due)
{
	struct store_draft *d = NULL;
	struct tu_fx f;
	int n = 0;
	bool dup;

	tu_fx_open(&f);
	make_draft(f.q, 1, 1, &dup);
	make_draft(f.q, 2, 2, &dup);
	ck_assert_int_eq(
	    store_draft_due(f.q, TU_T0 + 999, 10, count_due, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(
	    store_draft_due(f.q, TU_T0 + 1000, 10, count_due, &n), 0);
	ck_assert_int_eq(n, 2);
	/* a cancelled one is not due */
	ck_assert_int_eq(store_draft_get(f.q, 1, &d), 1);
	strcpy(d->status, "cancelled");
	ck_assert_int_eq(store_draft_update(f.q, d), 0);
	store_draft_free(d);
	n = 0;
	ck_assert_int_eq(
	    store_draft_due(f.q, TU_T0 + 5000, 10, count_due, &n), 0);
	ck_assert_int_eq(n, 1);
	tu_fx_close(&f);
}
END_TEST

struct listing {
	char titles[8][32];
	int n;
};

static int
collect(const struct store_task *t, void *arg)
{
	struct listing *l = arg;

	ck_assert_int_lt(l->n, 8);
	snprintf(l->titles[l->n++], sizeof(l->titles[0]), "%s%s",
	    t->parent_id ? "- " : "", t->title);
	return 0;
}

START_TEST(tasks)
{
	struct store_task t = {.owner_id = 5, .draft_id = 9};
	struct store_task *g = NULL;
	struct listing l = {.n = 0};
	int64_t pack, later, n = 0;
	struct tu_fx f;

	tu_fx_open(&f);
	t.title = "Later";
	ck_assert_int_eq(store_task_add(f.q, &t, &later), 0);
	t.title = "Pack";
	strcpy(t.due_date, "2026-11-22");
	strcpy(t.due_time, "09:00");
	t.priority = 2;
	ck_assert_int_eq(store_task_add(f.q, &t, &pack), 0);
	t.parent_id = pack;
	t.title = "passport";
	ck_assert_int_eq(store_task_add(f.q, &t, NULL), 0);
	/* someone else's task is not listed */
	t.owner_id = 6;
	t.parent_id = 0;
	t.title = "Theirs";
	ck_assert_int_eq(store_task_add(f.q, &t, NULL), 0);
	ck_assert_int_eq(store_task_list(f.q, 5, "open", 10, collect, &l), 0);
	ck_assert_int_eq(l.n, 3);
	ck_assert_str_eq(l.titles[0], "Pack"); /* dated first */
	ck_assert_str_eq(l.titles[1], "- passport");
	ck_assert_str_eq(l.titles[2], "Later");
	ck_assert_int_eq(store_task_get(f.q, pack, &g), 1);
	ck_assert_str_eq(g->due_date, "2026-11-22");
	ck_assert_str_eq(g->due_time, "09:00");
	ck_assert_int_eq(g->priority, 2);
	store_task_free(g);
	/* only the owner can mark it done */
	ck_assert_int_eq(store_task_set_status(f.q, 6, pack, "done"), -ENOENT);
	ck_assert_int_eq(store_task_set_status(f.q, 5, pack, "done"), 0);
	l.n = 0;
	ck_assert_int_eq(store_task_list(f.q, 5, "open", 10, collect, &l), 0);
	ck_assert_int_eq(l.n, 2);
	/* undo removes what the draft made, subtasks included */
	ck_assert_int_eq(store_task_delete_by_draft(f.q, 9, &n), 0);
	ck_assert_int_eq(n, 4);
	l.n = 0;
	ck_assert_int_eq(store_task_list(f.q, 5, NULL, 10, collect, &l), 0);
	ck_assert_int_eq(l.n, 0);
	t.title = "";
	ck_assert_int_eq(store_task_add(f.q, &t, NULL), -EINVAL);
	tu_fx_close(&f);
}
END_TEST

START_TEST(effects)
{
	char state[16], remote[64];
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(store_effect_get(f.q, "draft:1:task", state,
	                     sizeof(state), remote, sizeof(remote)),
	    0);
	ck_assert_int_eq(store_effect_put(f.q, "draft:1:task", 1, 2, "intent",
	                     "local", NULL, NULL),
	    0);
	ck_assert_int_eq(store_effect_get(f.q, "draft:1:task", state,
	                     sizeof(state), remote, sizeof(remote)),
	    1);
	ck_assert_str_eq(state, "intent");
	ck_assert_str_eq(remote, "");
	ck_assert_int_eq(store_effect_put(f.q, "draft:1:task", 1, 2, "done",
	                     "local", "task:4", NULL),
	    0);
	ck_assert_int_eq(store_effect_get(f.q, "draft:1:task", state,
	                     sizeof(state), remote, sizeof(remote)),
	    1);
	ck_assert_str_eq(state, "done");
	ck_assert_str_eq(remote, "task:4");
	ck_assert_int_eq(store_effect_put(f.q, "draft:1:task", 1, 2, "bogus",
	                     "local", NULL, NULL),
	    -EINVAL);
	tu_fx_close(&f);
}
END_TEST

START_TEST(outbox_ref_in_one_transaction)
{
	struct queue_new n = {.type = "sendMessage",
	    .key = "cmd:1:0",
	    .chat_id = 50,
	    .payload = "{\"chat_id\":50,\"text\":\"hi\"}"};
	struct queue_cmd *m = NULL;
	char ref[32];
	int64_t id = 0, id2 = 0;
	struct tu_fx f;
	bool dup = true;

	tu_fx_open(&f);
	ck_assert_int_eq(outbox_add_ref(f.q, &n, "draft:3", &id, &dup), 0);
	ck_assert(!dup);
	ck_assert_int_eq(outbox_add_ref(f.q, &n, "draft:4", &id2, &dup), 0);
	ck_assert(dup);
	ck_assert_int_eq(id2, id);
	ck_assert_int_eq(outbox_claim(f.q, "s", 1000, &m), 1);
	ck_assert_int_eq(outbox_ref(f.q, m->id, ref, sizeof(ref)), 0);
	ck_assert_str_eq(ref, "draft:3"); /* the duplicate did not change it */
	queue_cmd_free(m);
	/* rolled back with its caller's transaction */
	n.key = "cmd:1:1";
	ck_assert_int_eq(queue_begin(f.q), 0);
	ck_assert_int_eq(outbox_add_ref(f.q, &n, "draft:5", &id, &dup), 0);
	ck_assert_int_eq(queue_rollback(f.q), 0);
	ck_assert_int_eq(outbox_get(f.q, id, &m), 0);
	tu_fx_close(&f);
}
END_TEST

START_TEST(settings_and_credentials)
{
	struct tu_fx f;
	char *js = NULL;
	void *b = NULL;
	size_t n = 0;
	const unsigned char blob[] = {0, 1, 2, 0xff, 0};

	tu_fx_open(&f);
	ck_assert_int_eq(store_user_settings_get(f.q, 7, &js), 0);
	ck_assert_int_eq(store_user_touch(f.q, 7, 70, "Ann", "UTC"), 0);
	ck_assert_int_eq(store_user_settings_get(f.q, 7, &js), 1);
	ck_assert_str_eq(js, "{}");
	free(js);
	ck_assert_int_eq(
	    store_user_settings_set(f.q, 7, "{\"backend\":\"google\"}"), 0);
	ck_assert_int_eq(store_user_settings_get(f.q, 7, &js), 1);
	ck_assert_str_eq(js, "{\"backend\":\"google\"}");
	free(js);
	/* not an object / unknown user: refused, nothing changed */
	ck_assert_int_eq(store_user_settings_set(f.q, 7, "[1]"), -EINVAL);
	ck_assert_int_eq(store_user_settings_set(f.q, 8, "{}"), -ENOENT);
	ck_assert_int_eq(store_user_settings_get(f.q, 7, &js), 1);
	ck_assert_str_eq(js, "{\"backend\":\"google\"}");
	free(js);

	ck_assert_int_eq(store_cred_get(f.q, 7, "google", &b, &n), 0);
	ck_assert_int_eq(
	    store_cred_put(f.q, 7, "google", blob, sizeof(blob), "tasks"), 0);
	ck_assert_int_eq(store_cred_get(f.q, 7, "google", &b, &n), 1);
	ck_assert_uint_eq(n, sizeof(blob));
	ck_assert_int_eq(memcmp(b, blob, n), 0);
	free(b);
	ck_assert_int_eq(store_cred_put(f.q, 7, "google", blob, 0, ""), -EINVAL);
	ck_assert_int_eq(store_cred_delete(f.q, 7, "google"), 0);
	ck_assert_int_eq(store_cred_get(f.q, 7, "google", &b, &n), 0);
	ck_assert_int_eq(store_cred_delete(f.q, 7, "google"), 0);
	tu_fx_close(&f);
}
END_TEST

START_TEST(oauth_state_single_use)
{
	struct store_oauth_state st = {.user_id = 7, .chat_id = 70,
	    .expires_at_ms = TU_T0 + 600000}, got;
	struct tu_fx f;
	int64_t n = -1;

	tu_fx_open(&f);
	snprintf(st.state, sizeof(st.state), "s1");
	snprintf(st.verifier, sizeof(st.verifier), "v1");
	snprintf(st.redirect_uri, sizeof(st.redirect_uri), "https://x/cb");
	ck_assert_int_eq(store_oauth_state_add(f.q, &st), 0);
	ck_assert_int_eq(store_oauth_state_use(f.q, "nope", TU_T0, &got),
	    -ENOENT);
	ck_assert_int_eq(store_oauth_state_use(f.q, "", TU_T0, &got), -ENOENT);
	/* expired: refused, still unused */
	ck_assert_int_eq(store_oauth_state_use(f.q, "s1", TU_T0 + 600000, &got),
	    -ETIME);
	ck_assert_int_eq(store_oauth_state_get(f.q, "s1", &got), 1);
	ck_assert_int_eq(got.used_at_ms, 0);
	ck_assert_int_eq(store_oauth_state_use(f.q, "s1", TU_T0 + 1, &got), 0);
	ck_assert_int_eq(got.user_id, 7);
	ck_assert_str_eq(got.verifier, "v1");
	ck_assert_str_eq(got.redirect_uri, "https://x/cb");
	/* reused: refused */
	ck_assert_int_eq(store_oauth_state_use(f.q, "s1", TU_T0 + 2, &got),
	    -EALREADY);
	ck_assert_int_eq(store_oauth_state_prune(f.q, TU_T0 + 700000, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(store_oauth_state_get(f.q, "s1", &got), 0);
	tu_fx_close(&f);
}
END_TEST

START_TEST(llm_usage_sums)
{
	struct store_llm_usage u = {.user_id = 7, .purpose = "intent",
	    .outcome = "ok", .prompt_tokens = 100, .completion_tokens = 20,
	    .cost_micros = 35};
	struct store_llm_totals t;
	struct tu_fx f;

	tu_fx_open(&f);
	ck_assert_int_eq(store_llm_usage_sum(f.q, 7, 0, &t), 0);
	ck_assert_int_eq(t.requests, 0);
	ck_assert_int_eq(store_llm_usage_add(f.q, &u), 0);
	ck_assert_int_eq(store_llm_usage_add(f.q, &u), 0);
	u.user_id = 8;
	ck_assert_int_eq(store_llm_usage_add(f.q, &u), 0);
	u.cost_micros = -1;
	ck_assert_int_eq(store_llm_usage_add(f.q, &u), -EINVAL);
	ck_assert_int_eq(store_llm_usage_sum(f.q, 7, 0, &t), 0);
	ck_assert_int_eq(t.requests, 2);
	ck_assert_int_eq(t.prompt_tokens, 200);
	ck_assert_int_eq(t.completion_tokens, 40);
	ck_assert_int_eq(t.cost_micros, 70);
	ck_assert_int_eq(store_llm_usage_sum(f.q, 7, INT64_MAX, &t), 0);
	ck_assert_int_eq(t.requests, 0);
	tu_fx_close(&f);
}
END_TEST

static int
count_event(const struct store_event *e, void *arg)
{
	(*(int *)arg)++;
	ck_assert_str_eq(e->status, "confirmed");
	return 0;
}

static int
count_draft(const struct store_draft *d, void *arg)
{
	(*(int *)arg)++;
	ck_assert_str_eq(d->status, "drafted");
	return 0;
}

START_TEST(events_and_draft_list)
{
	struct store_event e = {.owner_id = 7, .draft_id = 3,
	    .title = "Team sync", .start_ms = 1000, .end_ms = 2000,
	    .timezone = "Europe/Berlin"};
	struct store_event *got = NULL;
	struct tu_fx f;
	int64_t id = 0, n = 0;
	int hits = 0;
	bool dup;

	tu_fx_open(&f);
	ck_assert_int_eq(store_event_add(f.q, &e, &id), 0);
	ck_assert_int_eq(store_event_get(f.q, id, &got), 1);
	ck_assert_str_eq(got->title, "Team sync");
	ck_assert_str_eq(got->location, "");
	ck_assert_str_eq(got->timezone, "Europe/Berlin");
	ck_assert_int_eq(got->end_ms, 2000);
	store_event_free(got);
	/* overlap is half-open: touching ends do not overlap */
	ck_assert_int_eq(store_event_between(f.q, 7, 2000, 3000, 10,
	                     count_event, &hits), 0);
	ck_assert_int_eq(hits, 0);
	ck_assert_int_eq(store_event_between(f.q, 7, 1500, 3000, 10,
	                     count_event, &hits), 0);
	ck_assert_int_eq(hits, 1);
	ck_assert_int_eq(store_event_between(f.q, 8, 0, 3000, 10,
	                     count_event, &hits), 0);
	ck_assert_int_eq(hits, 1);
	e.end_ms = 0; /* ends before it starts */
	ck_assert_int_eq(store_event_add(f.q, &e, NULL), -EINVAL);
	ck_assert_int_eq(store_event_delete_by_draft(f.q, 3, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(store_event_get(f.q, id, &got), 0);

	make_draft(f.q, 7, 100, &dup);
	make_draft(f.q, 7, 101, &dup);
	make_draft(f.q, 9, 102, &dup);
	hits = 0;
	ck_assert_int_eq(
	    store_draft_list(f.q, 7, "drafted", 10, count_draft, &hits), 0);
	ck_assert_int_eq(hits, 2);
	tu_fx_close(&f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_test(tc, user_touch_and_settings);
	tcase_add_test(tc, draft_life);
	tcase_add_test(tc, drafts_due);
	tcase_add_test(tc, tasks);
	tcase_add_test(tc, effects);
	tcase_add_test(tc, outbox_ref_in_one_transaction);
	tcase_add_test(tc, settings_and_credentials);
	tcase_add_test(tc, oauth_state_single_use);
	tcase_add_test(tc, llm_usage_sums);
	tcase_add_test(tc, events_and_draft_list);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}

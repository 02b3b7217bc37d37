/*
 * Workflows (Phase 1): wf_execute() driven with real Update JSON enqueued
 * the way the receiver does it (upd_to_command), asserting on the outbox,
 * drafts, tasks and audit rows it leaves.  The queue's clock is moved by
 * hand, so expiry and the 10-minute Undo need no sleeping.  The fixture:
 * tests/wf_fixture.h.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/outbox.h"
#include "queue/store.h"
#include "tests/testutil.h"
#include "tests/wf_fixture.h"

#define ANN WFX_ANN
#define BOB WFX_BOB
#define EVE WFX_EVE
#define GROUP (-1001234567890LL)
#define MIN_MS (60 * 1000LL)

/* The bot's own membership in user's private chat changes from old to
 * now (a my_chat_member update; caller frees). */
static char *
member_json(struct wfx *w, int64_t user, const char *old, const char *now)
{
	json_object *cm = json_object_new_object(), *o, *n, *bot;

	json_object_object_add(cm, "chat", wfx_chat_obj(user));
	json_object_object_add(cm, "from", wfx_user_obj(user));
	json_object_object_add(cm, "date", json_object_new_int64(1700000000));
	bot = json_object_new_object();
	json_object_object_add(bot, "id", json_object_new_int64(999));
	json_object_object_add(bot, "is_bot", json_object_new_boolean(1));
	json_object_object_add(
	    bot, "first_name", json_object_new_string("draftbot"));
	o = json_object_new_object();
	json_object_object_add(o, "user", json_object_get(bot));
	json_object_object_add(o, "status", json_object_new_string(old));
	n = json_object_new_object();
	json_object_object_add(n, "user", bot);
	json_object_object_add(n, "status", json_object_new_string(now));
	json_object_object_add(n, "until_date", json_object_new_int(0));
	json_object_object_add(cm, "old_chat_member", o);
	json_object_object_add(cm, "new_chat_member", n);
	return wfx_update_json(w, "my_chat_member", cm);
}

/* ---- looking at the results ---- */

static struct store_draft *
draft(struct wfx *w, int64_t id)
{
	struct store_draft *d = NULL;

	ck_assert_int_eq(store_draft_get(w->f.q, id, &d), 1);
	return d;
}

static const char *
out_text(const struct wfx_out *o)
{
	return wfx_jstr(o->p, "text");
}

static int64_t
out_int(const struct wfx_out *o, const char *key)
{
	json_object *v;

	ck_assert(json_object_object_get_ex(o->p, key, &v));
	return json_object_get_int64(v);
}

/* The newest message is a sendMessage whose text contains needle. */
static void
assert_said(struct wfx *w, const char *needle)
{
	struct wfx_out o;

	wfx_out_get(w, 0, &o);
	ck_assert_str_eq(o.type, "sendMessage");
	wfx_assert_has(out_text(&o), needle);
	wfx_out_free(&o);
}

/* Every row of drafts, tasks and effects and the users' status and zone,
 * as one string: equal snapshots mean none of them changed.  The outbox is
 * counted apart, since a refusal adds its message and nothing else. */
static const char *const snapshot_sql[] = {
    "SELECT group_concat(id || '|' || status || '|' || version || '|' "
    "|| editing || '|' || coalesce(message_id, 0) || '|' || draft, "
    "';') FROM (SELECT * FROM drafts ORDER BY id)",
    "SELECT group_concat(id || '|' || status || '|' || title, ';') "
    "FROM (SELECT * FROM tasks ORDER BY id)",
    "SELECT group_concat(effect_key || '|' || state, ';') FROM effects",
    "SELECT group_concat(id || '|' || status || '|' || timezone, ';') "
    "FROM users",
    NULL,
};

static char *
snapshot(struct wfx *w)
{
	return wfx_snapshot(w, snapshot_sql);
}

static void
assert_unchanged(struct wfx *w, char *before)
{
	wfx_assert_unchanged(w, snapshot_sql, before);
}

/* ---- cases ---- */

START_TEST(message_makes_card)
{
	struct store_draft *d;
	struct wfx w;
	struct wfx_out o;
	char want[64];
	int64_t id;

	wfx_open(&w, "UTC");
	wfx_say(&w, ANN, ANN, "buy <milk> & eggs tomorrow");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 1);
	id = wfx_last_draft_id(&w);
	d = draft(&w, id);
	ck_assert_str_eq(d->status, "drafted");
	ck_assert_int_eq(d->owner_id, ANN);
	ck_assert_int_eq(d->chat_id, ANN);
	ck_assert_int_eq(d->editing, 0);
	ck_assert_int_eq(d->expires_at_ms, TU_T0 + 24 * 60 * MIN_MS);
	store_draft_free(d);
	ck_assert_int_eq(wfx_outbox_n(&w), 1);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "sendMessage");
	snprintf(want, sizeof(want), "draft:%" PRId64, id);
	ck_assert_str_eq(o.ref, want);
	ck_assert_int_eq(out_int(&o, "chat_id"), ANN);
	ck_assert_str_eq(wfx_jstr(o.p, "parse_mode"), "HTML");
	wfx_assert_has(out_text(&o), "&lt;milk&gt; &amp; eggs");
	ck_assert_ptr_null(strstr(out_text(&o), "<milk>"));
	snprintf(want, sizeof(want),
	    "d:%" PRId64 ":c,d:%" PRId64 ":e,d:%" PRId64 ":x", id, id, id);
	ck_assert_str_eq(o.buttons, want);
	/* a reply to the user's message, delivered even if it is gone */
	json_object *rp;
	ck_assert(json_object_object_get_ex(o.p, "reply_parameters", &rp));
	ck_assert_int_eq(
	    json_object_get_int64(json_object_object_get(rp, "message_id")),
	    w.message_id);
	snprintf(want, sizeof(want), "cmd:%" PRId64 ":1",
	    wfx_count(&w, "SELECT max(id) FROM commands"));
	ck_assert_str_eq(o.key, want);
	wfx_out_free(&o);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_created"), 1);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'draft_created' AND "
	                     "entity_type = 'draft' AND user_id = 1 "
	                     "AND source_msg_id = 101"),
	    1);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM tasks"), 0);
	/* the user was recorded with the default zone */
	struct store_user u;
	ck_assert_int_eq(store_user_get(w.f.q, ANN, &u), 1);
	ck_assert_str_eq(u.display_name, "Ann");
	ck_assert_str_eq(u.timezone, "UTC");
	wfx_close(&w);
}
END_TEST

START_TEST(start_help_and_commands)
{
	struct wfx w;

	wfx_open(&w, "UTC");
	wfx_say(&w, ANN, ANN, "/start");
	assert_said(&w, "Hi Ann!");
	assert_said(&w, "/tasks");
	wfx_say(&w, ANN, ANN, "/start@MyBot");
	assert_said(&w, "Hi Ann!");
	wfx_say(&w, ANN, ANN, "/help");
	assert_said(&w, "/tz Area/City");
	/* /startle is its own (unknown) word, not /start */
	wfx_say(&w, ANN, ANN, "/startle");
	assert_said(&w, "I don't know /startle");
	wfx_say(&w, ANN, ANN, "/frobnicate <b>now</b>");
	assert_said(&w, "I don't know /frobnicate");
	ck_assert_int_eq(wfx_outbox_n(&w), 5);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 0);
	wfx_close(&w);
}
END_TEST

/* Asking for the list or for help in words is not a task to draft. */
START_TEST(list_and_help_in_words)
{
	struct wfx w;

	wfx_open(&w, "UTC");
	wfx_say(&w, ANN, ANN, "what are my tasks?");
	assert_said(&w, "No open tasks.");
	wfx_say(&w, ANN, ANN, "how does this bot work");
	assert_said(&w, "/tasks");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 0);
	wfx_close(&w);
}
END_TEST

/* /settings with what it does not know: one plain answer each, and the
 * person's settings, drafts and tasks stay as they were. */
START_TEST(settings_bad_input)
{
	static const char *const bad[] = {"/settings colour blue",
	    "/settings backend", "/settings backend cloud",
	    "/settings backend google", "/settings list a\x01b", NULL};
	static const char *const said[] = {"I know", "I know",
	    "The backend is", "Google isn't connected yet", "doesn't look like an id", NULL};
	char *before, *js = NULL;
	struct wfx w;

	wfx_open(&w, "UTC");
	wfx_say(&w, ANN, ANN, "/settings");
	assert_said(&w, "draftbot's own list");
	before = snapshot(&w);
	for (int i = 0; bad[i] != NULL; i++) {
		wfx_say(&w, ANN, ANN, bad[i]);
		assert_said(&w, said[i]);
	}
	assert_unchanged(&w, before);
	ck_assert_int_eq(store_user_settings_get(w.f.q, ANN, &js), 1);
	ck_assert_str_eq(js, "{}");
	free(js);
	wfx_close(&w);
}
END_TEST

/* The executor's own commands with a payload that is not theirs: refused
 * (permanent, for the dead letter), nothing written.  (A payload that is
 * not a JSON object never gets in: queue_enqueue() refuses it.) */
START_TEST(internal_commands_bad_payload)
{
	static const struct {
		const char *type, *payload;
		int want;
	} cases[] = {
	    {"effect", "{}", -EINVAL},
	    {"effect", "{\"draft_id\":99,\"action\":\"create\"}", -EINVAL},
	    {"effect", "{\"draft_id\":1,\"action\":\"explode\"}", -EINVAL},
	    {"oauth_exchange", "{\"code\":\"c\"}", -EINVAL},
	    /* a draft that is not there: nothing to look at, done */
	    {"conflicts", "{\"draft_id\":99,\"version\":1}", 0},
	};
	struct queue_new n = {0};
	struct queue_cmd *c;
	char key[32], *before;
	struct wfx w;

	wfx_open(&w, "UTC");
	wfx_say(&w, ANN, ANN, "buy milk tomorrow");
	before = snapshot(&w);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(key, sizeof(key), "bad:%zu", i);
		n = (struct queue_new){.type = cases[i].type, .key = key,
		    .payload = cases[i].payload};
		ck_assert_int_eq(queue_enqueue(w.f.q, &n, NULL, NULL), 0);
		c = tu_claim(w.f.q, "w1", 60000);
		ck_assert_ptr_nonnull(c);
		ck_assert_msg(wf_execute(&w.env, c) == cases[i].want,
		    "%s %s", cases[i].type, cases[i].payload);
		if (cases[i].want < 0)
			ck_assert_int_eq(queue_fail(w.f.q, c, QUEUE_PERMANENT,
			                     0, "bad payload"),
			    0);
		queue_cmd_free(c);
	}
	assert_unchanged(&w, before);
	wfx_close(&w);
}
END_TEST

START_TEST(escaped_name_in_greeting)
{
	struct wfx w;

	wfx_open(&w, "UTC");
	wfx_say(&w, EVE, EVE, "/start");
	assert_said(&w, "Hi Eve &lt;3!");
	wfx_close(&w);
}
END_TEST

START_TEST(tasks_empty_and_listed)
{
	struct store_task *t = NULL;
	struct wfx w;
	struct wfx_out o;
	char data[32], want[32];
	int64_t id, card, parent;

	wfx_open(&w, "UTC");
	wfx_say(&w, ANN, ANN, "/tasks");
	assert_said(&w, "No open tasks");
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.buttons, "");
	wfx_out_free(&o);
	id = wfx_make_draft(
	    &w, ANN, ANN, "pack: passport, charger and tickets", &card);
	wfx_draft_data(data, sizeof(data), id, 'c');
	wfx_press(&w, ANN, ANN, card, data);
	parent = wfx_count(&w, "SELECT id FROM tasks WHERE parent_id IS NULL");
	wfx_say(&w, ANN, ANN, "/tasks");
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "sendMessage");
	wfx_assert_has(out_text(&o), "Open tasks");
	wfx_assert_has(out_text(&o), "passport");
	wfx_assert_has(out_text(&o), "charger");
	wfx_assert_has(out_text(&o), "tickets");
	snprintf(want, sizeof(want), "t:%" PRId64 ":d", parent);
	ck_assert_str_eq(o.buttons, want); /* one per top-level task */
	wfx_out_free(&o);
	/* Bob sees none of Ann's */
	wfx_say(&w, BOB, BOB, "/tasks");
	assert_said(&w, "No open tasks");
	/* Done from the list: the task is done, the list refreshed */
	wfx_press(&w, ANN, ANN, 777, want);
	ck_assert_int_eq(store_task_get(w.f.q, parent, &t), 1);
	ck_assert_str_eq(t->status, "done");
	store_task_free(t);
	ck_assert_int_eq(tu_audit_count(w.f.q, "task_completed"), 1);
	assert_said(&w, "Done: ");
	wfx_out_get(&w, 1, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	ck_assert_int_eq(out_int(&o, "message_id"), 777);
	wfx_assert_has(out_text(&o), "No open tasks");
	wfx_out_free(&o);
	wfx_close(&w);
}
END_TEST

START_TEST(task_done_not_owner)
{
	struct wfx w;
	char data[32], *before;
	int64_t id, card, parent, n;

	wfx_open(&w, "UTC");
	id = wfx_make_draft(&w, ANN, ANN, "call mom", &card);
	wfx_draft_data(data, sizeof(data), id, 'c');
	wfx_press(&w, ANN, ANN, card, data);
	parent = wfx_count(&w, "SELECT id FROM tasks");
	snprintf(data, sizeof(data), "t:%" PRId64 ":d", parent);
	wfx_say(&w, BOB, BOB, "/help");
	before = snapshot(&w);
	n = wfx_outbox_n(&w);
	wfx_press(&w, BOB, BOB, 900, data);
	ck_assert_int_eq(wfx_outbox_n(&w), n);
	ck_assert_int_eq(tu_audit_count(w.f.q, "callback_rejected"), 1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "task_completed"), 0);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM tasks WHERE "
	                     "status = 'open'"),
	    1);
	assert_unchanged(&w, before);
	wfx_close(&w);
}
END_TEST

START_TEST(tz_valid_and_invalid)
{
	struct store_user u;
	struct wfx w;
	char *before;
	int64_t n;

	wfx_open(&w, "UTC");
	wfx_say(&w, ANN, ANN, "/tz Europe/Berlin");
	assert_said(&w, "Time zone set to Europe/Berlin");
	ck_assert_int_eq(store_user_get(w.f.q, ANN, &u), 1);
	ck_assert_str_eq(u.timezone, "Europe/Berlin");
	before = snapshot(&w);
	n = wfx_outbox_n(&w);
	wfx_say(&w, ANN, ANN, "/tz Mars/Olympus_Mons");
	assert_said(&w, "I don't know the time zone");
	assert_said(&w, "Mars/Olympus_Mons");
	assert_said(&w, "Europe/Berlin"); /* an example */
	wfx_say(&w, ANN, ANN, "/tz <script>");
	assert_said(&w, "&lt;script&gt;");
	ck_assert_int_eq(wfx_outbox_n(&w), n + 2); /* the two answers only */
	ck_assert_int_eq(store_user_get(w.f.q, ANN, &u), 1);
	ck_assert_str_eq(u.timezone, "Europe/Berlin");
	assert_unchanged(&w, before);
	/* no argument: tells the zone */
	wfx_say(&w, ANN, ANN, "/tz");
	assert_said(&w, "Your time zone is Europe/Berlin");
	wfx_close(&w);
}
END_TEST

START_TEST(vague_text_asks)
{
	struct wfx w;
	struct wfx_out o;

	wfx_open(&w, "UTC");
	wfx_say(&w, ANN, ANN, "remind me");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 0);
	ck_assert_int_eq(wfx_outbox_n(&w), 1);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "sendMessage");
	ck_assert_str_eq(o.ref, "");
	ck_assert_str_eq(o.buttons, "");
	ck_assert(strchr(out_text(&o), '?') != NULL);
	wfx_out_free(&o);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_created"), 0);
	/* /task with nothing after it asks too */
	wfx_say(&w, ANN, ANN, "/task");
	assert_said(&w, "?");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 0);
	wfx_close(&w);
}
END_TEST

/* /event drafts an event (tests/check_event_flow.c has the rest), /task a
 * task, whatever the words. */
START_TEST(event_and_task_commands)
{
	struct wfx w;
	struct wfx_out o;

	wfx_open(&w, "UTC");
	wfx_say(&w, ANN, ANN, "/event concert friday 20:00");
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM drafts WHERE "
	                     "kind = 'event'"),
	    1);
	wfx_out_get(&w, 0, &o);
	wfx_assert_has(out_text(&o), "oncert");
	wfx_out_free(&o);
	wfx_say(&w, ANN, ANN, "/task water the plants");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 2);
	assert_said(&w, "plants");
	wfx_close(&w);
}
END_TEST

START_TEST(edit_then_correction)
{
	struct store_draft *d;
	json_object *j;
	struct wfx w;
	struct wfx_out o;
	char data[32], want[32];
	int64_t id, card, n;

	wfx_open(&w, "UTC");
	id = wfx_make_draft(&w, ANN, ANN, "pay rent tomorrow 10:30", &card);
	wfx_draft_data(data, sizeof(data), id, 'e');
	wfx_press(&w, ANN, ANN, card, data);
	d = draft(&w, id);
	ck_assert_int_eq(d->editing, 1);
	ck_assert_int_eq(d->version, 2);
	store_draft_free(d);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	ck_assert_int_eq(out_int(&o, "message_id"), card);
	snprintf(want, sizeof(want), "draft:%" PRId64, id);
	ck_assert_str_eq(o.ref, want);
	snprintf(want, sizeof(want), "d:%" PRId64 ":x", id);
	wfx_assert_has(o.buttons, want); /* Cancel stays */
	ck_assert_ptr_null(strstr(o.buttons, ":c"));
	wfx_out_free(&o);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'draft_updated' AND details = "
	                     "'{\"editing\":true}'"),
	    1);
	/* not understood: asked again, the draft waits as it was */
	n = wfx_outbox_n(&w);
	wfx_say(&w, ANN, ANN, "qwxz blorp");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 1);
	d = draft(&w, id);
	ck_assert_int_eq(d->editing, 1);
	ck_assert_int_eq(d->version, 2);
	store_draft_free(d);
	ck_assert_int_eq(wfx_outbox_n(&w), n + 1);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "sendMessage");
	ck_assert_str_eq(o.ref, "");
	wfx_out_free(&o);
	/* the next message is the correction: same card, edited */
	wfx_say(&w, ANN, ANN, "make it 11am");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 1);
	d = draft(&w, id);
	ck_assert_int_eq(d->editing, 0);
	ck_assert_int_eq(d->version, 3);
	ck_assert_str_eq(d->status, "drafted");
	store_draft_free(d);
	j = wfx_draft_obj(&w, id);
	ck_assert_str_eq(wfx_jstr(j, "due_time"), "11:00");
	json_object_put(j);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	ck_assert_int_eq(out_int(&o, "message_id"), card);
	snprintf(want, sizeof(want), "draft:%" PRId64, id);
	ck_assert_str_eq(o.ref, want);
	wfx_assert_has(out_text(&o), "11:00");
	snprintf(want, sizeof(want), "d:%" PRId64 ":c", id);
	wfx_assert_has(o.buttons, want);
	wfx_out_free(&o);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_updated"), 2);
	/* editing is over: the next text is a new draft */
	wfx_say(&w, ANN, ANN, "water the plants");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 2);
	wfx_close(&w);
}
END_TEST

START_TEST(reply_to_card_revises)
{
	json_object *j;
	struct wfx w;
	struct wfx_out o;
	int64_t id, card;

	wfx_open(&w, "UTC");
	id = wfx_make_draft(&w, ANN, ANN, "call the bank friday", &card);
	wfx_reply(&w, ANN, ANN, card, "priority high");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 1);
	j = wfx_draft_obj(&w, id);
	ck_assert_int_eq(
	    json_object_get_int(json_object_object_get(j, "priority")), 2);
	json_object_put(j);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	ck_assert_int_eq(out_int(&o, "message_id"), card);
	wfx_out_free(&o);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'draft_updated' AND "
	                     "entity_id = '1'"),
	    1);
	wfx_close(&w);
}
END_TEST

START_TEST(reply_to_card_of_someone_else)
{
	struct wfx w;
	char *before;
	int64_t card, n;

	wfx_open(&w, "UTC");
	wfx_say(&w, BOB, GROUP, "/start"); /* Bob is known */
	wfx_make_draft(&w, ANN, GROUP, "buy a cake saturday", &card);
	before = snapshot(&w);
	n = wfx_outbox_n(&w);
	wfx_reply(&w, BOB, GROUP, card, "make it 11am");
	assert_said(&w, "Only Ann can change this draft.");
	ck_assert_int_eq(wfx_outbox_n(&w), n + 1);
	assert_unchanged(&w, before);
	wfx_close(&w);
}
END_TEST

START_TEST(confirm_once_with_subtasks)
{
	struct store_draft *d;
	json_object *j;
	struct wfx w;
	struct wfx_out o;
	char data[32], want[48];
	int64_t id, card, parent, n;

	wfx_open(&w, "UTC");
	id = wfx_make_draft(
	    &w, ANN, ANN, "pack: passport, charger and tickets", &card);
	wfx_draft_data(data, sizeof(data), id, 'c');
	wfx_press(&w, ANN, ANN, card, data);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM tasks WHERE "
	                     "parent_id IS NULL AND owner_id = 1"),
	    1);
	parent = wfx_count(&w, "SELECT id FROM tasks WHERE parent_id IS NULL");
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM tasks WHERE "
	                     "parent_id IS NOT NULL"),
	    3);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM tasks WHERE "
	                     "draft_id = 1"),
	    4);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM tasks WHERE "
	                     "title IN ('passport', 'charger', "
	                     "'tickets')"),
	    3);
	d = draft(&w, id);
	ck_assert_str_eq(d->status, "executed");
	store_draft_free(d);
	j = wfx_draft_obj(&w, id);
	ck_assert_int_eq(
	    json_object_get_int64(json_object_object_get(j, "undo_until")),
	    TU_T0 + 10 * MIN_MS);
	json_object_put(j);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM effects WHERE "
	                     "effect_key = 'draft:1:task' AND "
	                     "state = 'done'"),
	    1);
	snprintf(want, sizeof(want), "task:%" PRId64, parent);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM effects WHERE "
	                     "remote_id = 'task:1'"),
	    parent == 1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_confirmed"), 1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "task_executed"), 1);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'task_executed' AND "
	                     "entity_type = 'task'"),
	    1);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	ck_assert_int_eq(out_int(&o, "message_id"), card);
	snprintf(want, sizeof(want), "d:%" PRId64 ":u", id);
	ck_assert_str_eq(o.buttons, want);
	wfx_out_free(&o);
	/* the second press creates nothing */
	n = wfx_outbox_n(&w);
	wfx_press(&w, ANN, ANN, card, data);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM tasks"), 4);
	ck_assert_int_eq(tu_audit_count(w.f.q, "task_executed"), 1);
	ck_assert_int_eq(wfx_outbox_n(&w), n + 1);
	assert_said(&w, "Already saved");
	/* Edit and Cancel on a saved draft change nothing either */
	wfx_draft_data(data, sizeof(data), id, 'x');
	wfx_press(&w, ANN, ANN, card, data);
	assert_said(&w, "already saved");
	d = draft(&w, id);
	ck_assert_str_eq(d->status, "executed");
	store_draft_free(d);
	wfx_close(&w);
}
END_TEST

START_TEST(confirm_invalid_keeps_draft)
{
	struct store_draft *d;
	struct wfx w;
	char data[32], *before, *big;
	int64_t id, card, n;

	wfx_open(&w, "UTC");
	id = wfx_make_draft(&w, ANN, ANN, "call mom", &card);
	/* A title too long to save (as a later edit could make it). */
	big = malloc(1200 + 64);
	strcpy(big, "{\"title\":\"");
	memset(big + 10, 'a', 1100);
	strcpy(big + 1110, "\"}");
	d = draft(&w, id);
	free(d->draft);
	d->draft = big;
	ck_assert_int_eq(store_draft_update(w.f.q, d), 0);
	store_draft_free(d);
	before = snapshot(&w);
	n = wfx_outbox_n(&w);
	wfx_draft_data(data, sizeof(data), id, 'c');
	wfx_press(&w, ANN, ANN, card, data);
	assert_said(&w, "I can't save this yet. The title is too long");
	ck_assert_int_eq(wfx_outbox_n(&w), n + 1);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM tasks"), 0);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_confirmed"), 0);
	assert_unchanged(&w, before);
	wfx_close(&w);
}
END_TEST

START_TEST(rerun_after_lost_completion)
{
	struct queue_cmd *c;
	struct wfx w;
	char *before;
	int64_t cmd, id, n;

	wfx_open(&w, "UTC");
	cmd = wfx_enqueue(&w, wfx_message_json(&w, ANN, ANN, "call mom", 0));
	ck_assert_int_eq(wfx_run_next(&w), 0);
	id = wfx_last_draft_id(&w);
	before = snapshot(&w);
	n = wfx_outbox_n(&w);
	ck_assert_int_eq(n, 1);
	/* As if the work committed but the command came back (an operator
	 * re-queued it): run it again under a new claim. */
	tu_sql_exec(w.h, "UPDATE commands SET status = 'failed'");
	ck_assert_int_eq(queue_retry(w.f.q, cmd), 0);
	ck_assert_int_eq(wfx_run_next(&w), 0);
	ck_assert_int_eq(wfx_last_draft_id(&w), id);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_created"), 1);
	ck_assert_int_eq(wfx_outbox_n(&w), n); /* the same keys: no new rows */
	assert_unchanged(&w, before);
	c = tu_get(w.f.q, cmd);
	ck_assert_int_eq(c->status, QUEUE_COMPLETED);
	queue_cmd_free(c);
	wfx_close(&w);
}
END_TEST

START_TEST(crash_before_commit_leaves_nothing)
{
	struct queue_cmd *c1, *c2;
	struct wfx w;
	char *before;

	wfx_open(&w, "UTC");
	wfx_enqueue(&w, wfx_message_json(&w, ANN, ANN, "call mom", 0));
	before = snapshot(&w);
	c1 = tu_claim(w.f.q, "w1", 1000);
	/* w1 stalls past its lease; w2 rescues the command */
	w.f.now += 2000;
	c2 = tu_claim(w.f.q, "w2", 60000);
	ck_assert_int_eq(c2->id, c1->id);
	ck_assert_int_eq(wf_execute(&w.env, c1), -ESTALE);
	ck_assert_int_eq(wfx_outbox_n(&w), 0);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_created"), 0);
	assert_unchanged(&w, before);
	before = snapshot(&w);
	ck_assert_int_eq(wf_execute(&w.env, c2), 0);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 1);
	ck_assert_int_eq(wfx_outbox_n(&w), 1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_created"), 1);
	/* the lost worker retrying its stale copy changes nothing */
	free(before);
	before = snapshot(&w);
	ck_assert_int_eq(wf_execute(&w.env, c1), -ESTALE);
	ck_assert_int_eq(wfx_outbox_n(&w), 1);
	assert_unchanged(&w, before);
	queue_cmd_free(c1);
	queue_cmd_free(c2);
	wfx_close(&w);
}
END_TEST

START_TEST(callback_from_other_user)
{
	struct wfx w;
	char data[32], *before;
	int64_t id, card, n;

	wfx_open(&w, "UTC");
	wfx_say(&w, BOB, GROUP, "/help");
	id = wfx_make_draft(&w, ANN, GROUP, "buy a cake saturday", &card);
	before = snapshot(&w);
	n = wfx_outbox_n(&w);
	wfx_draft_data(data, sizeof(data), id, 'c');
	wfx_press(&w, BOB, GROUP, card, data);
	assert_said(&w, "Only Ann can change this draft.");
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'callback_rejected' AND "
	                     "user_id = 2 AND entity_id = '1' AND "
	                     "details LIKE '%not_owner%'"),
	    1);
	wfx_draft_data(data, sizeof(data), id, 'x');
	wfx_press(&w, BOB, GROUP, card, data);
	ck_assert_int_eq(tu_audit_count(w.f.q, "callback_rejected"), 2);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM tasks"), 0);
	ck_assert_int_eq(wfx_outbox_n(&w), n + 2); /* the two refusals only */
	assert_unchanged(&w, before);
	wfx_close(&w);
}
END_TEST

START_TEST(forged_callbacks)
{
	static const char *const bad[] = {
	    "d:999:c",
	    "zzz",
	    "d:1:q",
	    "d:01:c",
	    "d:1:c ",
	    "d::c",
	    "t:1:x",
	    "d:1:cc",
	    "t:999:d",
	    "d:99999999999999999999:c",
	    "",
	};
	struct wfx w;
	char data[80], *before;
	int64_t card;
	size_t i;
	int64_t n;

	wfx_open(&w, "UTC");
	wfx_make_draft(&w, ANN, ANN, "call mom", &card);
	before = snapshot(&w);
	n = wfx_outbox_n(&w);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		wfx_press(&w, ANN, ANN, card, bad[i]);
	/* 70 bytes: more than Telegram allows */
	memset(data, '1', 70);
	memcpy(data, "d:1:c", 5);
	data[70] = '\0';
	wfx_press(&w, ANN, ANN, card, data);
	memcpy(data, "d:", 2);
	wfx_press(&w, ANN, ANN, card, data);
	/* the right draft, pressed from some other message */
	wfx_press(&w, ANN, ANN, card + 1, "d:1:c");
	ck_assert_int_eq(tu_audit_count(w.f.q, "callback_rejected"),
	    (int64_t)(sizeof(bad) / sizeof(bad[0])) + 3);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'callback_rejected' AND "
	                     "details LIKE '%no_such_draft%'"),
	    1);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'callback_rejected' AND "
	                     "details LIKE '%wrong_message%'"),
	    1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_confirmed"), 0);
	ck_assert_int_eq(wfx_outbox_n(&w), n); /* no answer to forgeries */
	assert_unchanged(&w, before);
	wfx_close(&w);
}
END_TEST

START_TEST(cancel_button_and_command)
{
	struct store_draft *d;
	struct wfx w;
	struct wfx_out o;
	char data[32], want[32];
	int64_t id, card, id2;

	wfx_open(&w, "UTC");
	id = wfx_make_draft(&w, ANN, ANN, "call mom", &card);
	wfx_draft_data(data, sizeof(data), id, 'x');
	wfx_press(&w, ANN, ANN, card, data);
	d = draft(&w, id);
	ck_assert_str_eq(d->status, "cancelled");
	store_draft_free(d);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_cancelled"), 1);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	ck_assert_int_eq(out_int(&o, "message_id"), card);
	ck_assert_str_eq(o.buttons, "");
	wfx_out_free(&o);
	/* Confirm on the cancelled card: said so, nothing changes */
	wfx_draft_data(data, sizeof(data), id, 'c');
	wfx_press(&w, ANN, ANN, card, data);
	assert_said(&w, "cancelled");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM tasks"), 0);
	/* /cancel before the card was delivered: the edit has message_id 0
	 * and the ref the sender fills it in from */
	wfx_say(&w, ANN, ANN, "water the plants");
	id2 = wfx_last_draft_id(&w);
	wfx_say(&w, ANN, ANN, "/cancel");
	assert_said(&w, "cancelled");
	wfx_out_get(&w, 1, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	ck_assert_int_eq(out_int(&o, "message_id"), 0);
	snprintf(want, sizeof(want), "draft:%" PRId64, id2);
	ck_assert_str_eq(o.ref, want);
	wfx_out_free(&o);
	d = draft(&w, id2);
	ck_assert_str_eq(d->status, "cancelled");
	store_draft_free(d);
	wfx_say(&w, ANN, ANN, "/cancel");
	assert_said(&w, "no draft to cancel");
	wfx_close(&w);
}
END_TEST

START_TEST(undo_within_ten_minutes)
{
	struct store_draft *d;
	struct wfx w;
	struct wfx_out o;
	char data[32];
	int64_t id, card;

	wfx_open(&w, "UTC");
	id = wfx_make_draft(
	    &w, ANN, ANN, "pack: passport, charger and tickets", &card);
	wfx_draft_data(data, sizeof(data), id, 'c');
	wfx_press(&w, ANN, ANN, card, data);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM tasks"), 4);
	w.f.now += 9 * MIN_MS;
	wfx_draft_data(data, sizeof(data), id, 'u');
	wfx_press(&w, ANN, ANN, card, data);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM tasks"), 0);
	d = draft(&w, id);
	ck_assert_str_eq(d->status, "undone");
	store_draft_free(d);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM effects WHERE "
	                     "state = 'undone'"),
	    1);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'task_undone' AND "
	                     "details LIKE '%\"removed\":4%'"),
	    1);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	ck_assert_str_eq(o.buttons, "");
	wfx_out_free(&o);
	/* Confirm again on the undone card: nothing comes back */
	wfx_draft_data(data, sizeof(data), id, 'c');
	wfx_press(&w, ANN, ANN, card, data);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM tasks"), 0);
	wfx_draft_data(data, sizeof(data), id, 'u');
	wfx_press(&w, ANN, ANN, card, data);
	assert_said(&w, "undone");
	wfx_close(&w);
}
END_TEST

START_TEST(undo_too_late)
{
	struct store_draft *d;
	struct wfx w;
	struct wfx_out o;
	char data[32];
	int64_t id, card;

	wfx_open(&w, "UTC");
	id = wfx_make_draft(&w, ANN, ANN, "call mom", &card);
	wfx_draft_data(data, sizeof(data), id, 'c');
	wfx_press(&w, ANN, ANN, card, data);
	w.f.now += 11 * MIN_MS;
	wfx_draft_data(data, sizeof(data), id, 'u');
	wfx_press(&w, ANN, ANN, card, data);
	assert_said(&w, "Undo is no longer available");
	wfx_out_get(&w, 1, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	ck_assert_str_eq(o.buttons, ""); /* the Undo button is gone */
	wfx_out_free(&o);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM tasks"), 1);
	d = draft(&w, id);
	ck_assert_str_eq(d->status, "executed");
	store_draft_free(d);
	ck_assert_int_eq(tu_audit_count(w.f.q, "task_undone"), 0);
	wfx_close(&w);
}
END_TEST

static int
run_expire(struct wfx *w, const char *key, const char *payload)
{
	struct queue_new n = {
	    .type = "maintenance", .key = key, .payload = payload};

	ck_assert_int_eq(queue_enqueue(w->f.q, &n, NULL, NULL), 0);
	return wfx_run_next(w);
}

START_TEST(expire_after_ttl)
{
	struct store_draft *d;
	struct queue_cmd *c;
	struct wfx w;
	struct wfx_out o;
	char data[32], *before;
	int64_t id, card, id2, n;

	wfx_open(&w, "UTC");
	id = wfx_make_draft(&w, ANN, ANN, "call mom", &card);
	w.f.now += 12 * 60 * MIN_MS;
	id2 = wfx_make_draft(&w, BOB, BOB, "water the plants", &card);
	card = w.card_msg_id - 1; /* Ann's */
	/* not yet */
	before = snapshot(&w);
	n = wfx_outbox_n(&w);
	ck_assert_int_eq(run_expire(&w, "maint:1", "{\"task\":\"expire\"}"), 0);
	ck_assert_int_eq(wfx_outbox_n(&w), n);
	assert_unchanged(&w, before);
	w.f.now = TU_T0 + 24 * 60 * MIN_MS;
	ck_assert_int_eq(run_expire(&w, "maint:2", "{\"task\":\"expire\"}"), 0);
	d = draft(&w, id);
	ck_assert_str_eq(d->status, "expired");
	store_draft_free(d);
	d = draft(&w, id2);
	ck_assert_str_eq(d->status, "drafted");
	store_draft_free(d);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_expired"), 1);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	ck_assert_int_eq(out_int(&o, "chat_id"), ANN);
	ck_assert_int_eq(out_int(&o, "message_id"), card);
	ck_assert_str_eq(o.buttons, "");
	wfx_out_free(&o);
	c = tu_get(w.f.q, wfx_count(&w, "SELECT max(id) FROM commands"));
	wfx_assert_has(c->result, "\"count\":1");
	queue_cmd_free(c);
	/* a button on the expired card */
	before = snapshot(&w);
	n = wfx_outbox_n(&w);
	wfx_draft_data(data, sizeof(data), id, 'c');
	wfx_press(&w, ANN, ANN, card, data);
	assert_said(&w, "expired");
	ck_assert_int_eq(wfx_outbox_n(&w), n + 1);
	assert_unchanged(&w, before);
	/* an unknown maintenance task is permanent, nothing written */
	before = snapshot(&w);
	ck_assert_int_eq(
	    run_expire(&w, "maint:3", "{\"task\":\"nap\"}"), -EINVAL);
	ck_assert_int_eq(wfx_outbox_n(&w), n + 1);
	assert_unchanged(&w, before);
	wfx_close(&w);
}
END_TEST

START_TEST(button_after_ttl_before_sweep)
{
	struct store_draft *d;
	struct wfx w;
	char data[32];
	int64_t id, card;

	wfx_open(&w, "UTC");
	id = wfx_make_draft(&w, ANN, ANN, "call mom", &card);
	w.f.now += 25 * 60 * MIN_MS;
	wfx_draft_data(data, sizeof(data), id, 'c');
	wfx_press(&w, ANN, ANN, card, data);
	assert_said(&w, "expired");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM tasks"), 0);
	d = draft(&w, id);
	ck_assert_str_eq(d->status, "expired");
	store_draft_free(d);
	/* and text no longer edits it */
	wfx_reply(&w, ANN, ANN, card, "make it 11am");
	assert_said(&w, "expired");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 1);
	wfx_close(&w);
}
END_TEST

START_TEST(access_denied_once)
{
	struct store_user u;
	struct wfx w;
	struct wfx_out o;

	wfx_open(&w, "UTC");
	wfx_set(&w, "allowed_users", "1,2");
	wfx_say(&w, EVE, EVE, "call mom tomorrow");
	ck_assert_int_eq(wfx_outbox_n(&w), 1);
	wfx_out_get(&w, 0, &o);
	wfx_assert_has(out_text(&o), "Sorry");
	ck_assert_int_eq(out_int(&o, "chat_id"), EVE);
	wfx_out_free(&o);
	wfx_say(&w, EVE, EVE, "/start");
	wfx_press(&w, EVE, EVE, 5, "d:1:c");
	ck_assert_int_eq(wfx_outbox_n(&w), 1); /* the refusal only once */
	ck_assert_int_eq(tu_audit_count(w.f.q, "access_denied"), 3);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'access_denied' AND user_id = 3"),
	    3);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 0);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM tasks"), 0);
	ck_assert_int_eq(store_user_get(w.f.q, EVE, &u), 1);
	ck_assert_str_eq(u.status, "blocked");
	/* those on the list are served */
	wfx_say(&w, BOB, BOB, "call mom tomorrow");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 1);
	wfx_close(&w);
}
END_TEST

START_TEST(member_kicked_and_back)
{
	struct store_user u;
	struct wfx w;

	wfx_open(&w, "UTC");
	wfx_say(&w, ANN, ANN, "/start");
	ck_assert_int_eq(
	    wfx_run(&w, member_json(&w, ANN, "member", "kicked")), 0);
	ck_assert_int_eq(store_user_get(w.f.q, ANN, &u), 1);
	ck_assert_str_eq(u.status, "inactive");
	ck_assert_int_eq(tu_audit_count(w.f.q, "user_blocked_bot"), 1);
	ck_assert_int_eq(wfx_outbox_n(&w), 1); /* nothing sent to a blocker */
	ck_assert_int_eq(
	    wfx_run(&w, member_json(&w, ANN, "kicked", "member")), 0);
	ck_assert_int_eq(store_user_get(w.f.q, ANN, &u), 1);
	ck_assert_str_eq(u.status, "allowed");
	wfx_close(&w);
}
END_TEST

START_TEST(ignored_and_bad_payloads)
{
	struct queue_cmd *c;
	struct queue_new n = {.type = "message", .key = "k:1"};
	struct wfx w;
	char *before;

	wfx_open(&w, "UTC");
	/* an update kind draftbot does not use: completed, no effect */
	before = snapshot(&w);
	ck_assert_int_eq(wfx_run(&w,
	                     strdup("{\"update_id\":5,"
	                            "\"message_reaction\":{\"chat\":"
	                            "{\"id\":1,\"type\":"
	                            "\"private\"}}}")),
	    0);
	assert_unchanged(&w, before);
	/* a JSON object that is not an Update */
	before = snapshot(&w);
	n.payload = "{\"hello\":1}";
	ck_assert_int_eq(queue_enqueue(w.f.q, &n, NULL, NULL), 0);
	c = tu_claim(w.f.q, "w1", 60000);
	ck_assert_int_eq(wf_execute(&w.env, c), -EINVAL);
	ck_assert(!wf_retryable(-EINVAL));
	queue_cmd_free(c);
	c = tu_get(w.f.q, wfx_count(&w, "SELECT max(id) FROM commands"));
	ck_assert_int_eq(c->status, QUEUE_PROCESSING); /* not completed */
	queue_cmd_free(c);
	assert_unchanged(&w, before);
	/* text that is not JSON at all (the queue refuses to store it, so
	 * it is put into the claimed copy) */
	before = snapshot(&w);
	n.key = "k:2";
	n.chat_id = 77;
	ck_assert_int_eq(queue_enqueue(w.f.q, &n, NULL, NULL), 0);
	c = tu_claim(w.f.q, "w1", 60000);
	free(c->payload);
	c->payload = strdup("not json {");
	ck_assert_int_eq(wf_execute(&w.env, c), -EINVAL);
	queue_cmd_free(c);
	assert_unchanged(&w, before);
	/* an unknown command type */
	n.type = "telepathy";
	n.key = "k:3";
	n.chat_id = 78;
	n.payload = NULL;
	ck_assert_int_eq(queue_enqueue(w.f.q, &n, NULL, NULL), 0);
	c = tu_claim(w.f.q, "w1", 60000);
	ck_assert_int_eq(wf_execute(&w.env, c), -ENOTSUP);
	queue_cmd_free(c);
	ck_assert_int_eq(wfx_outbox_n(&w), 0);
	ck_assert(wf_retryable(-EBUSY) && wf_retryable(-EAGAIN) &&
	    wf_retryable(-ETIMEDOUT) && wf_retryable(-EIO));
	ck_assert(!wf_retryable(-ESTALE) && !wf_retryable(-ENOTSUP));
	wfx_close(&w);
}
END_TEST

START_TEST(photo_without_caption)
{
	struct wfx w;
	char *json;

	wfx_open(&w, "UTC");
	json = strdup("{\"update_id\":9,\"message\":{\"message_id\":3,"
	              "\"from\":{\"id\":1,\"is_bot\":false,\"first_name\":"
	              "\"Ann\"},\"chat\":{\"id\":1,\"type\":\"private\"},"
	              "\"date\":1700000000,\"photo\":[{\"file_id\":\"AgAD\","
	              "\"file_unique_id\":\"AQAD\",\"width\":90,\"height\":"
	              "90}]}}");
	ck_assert_int_eq(wfx_run(&w, json), 0);
	assert_said(&w, "only read text");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 0);
	wfx_close(&w);
}
END_TEST

static Suite *
workflows_suite(void)
{
	Suite *s = suite_create("workflows");
	TCase *tc = tcase_create("flows");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, message_makes_card);
	tcase_add_test(tc, start_help_and_commands);
	tcase_add_test(tc, list_and_help_in_words);
	tcase_add_test(tc, settings_bad_input);
	tcase_add_test(tc, internal_commands_bad_payload);
	tcase_add_test(tc, escaped_name_in_greeting);
	tcase_add_test(tc, tasks_empty_and_listed);
	tcase_add_test(tc, task_done_not_owner);
	tcase_add_test(tc, tz_valid_and_invalid);
	tcase_add_test(tc, vague_text_asks);
	tcase_add_test(tc, event_and_task_commands);
	tcase_add_test(tc, edit_then_correction);
	tcase_add_test(tc, reply_to_card_revises);
	tcase_add_test(tc, reply_to_card_of_someone_else);
	tcase_add_test(tc, confirm_once_with_subtasks);
	tcase_add_test(tc, confirm_invalid_keeps_draft);
	tcase_add_test(tc, rerun_after_lost_completion);
	tcase_add_test(tc, crash_before_commit_leaves_nothing);
	tcase_add_test(tc, callback_from_other_user);
	tcase_add_test(tc, forged_callbacks);
	tcase_add_test(tc, cancel_button_and_command);
	tcase_add_test(tc, undo_within_ten_minutes);
	tcase_add_test(tc, undo_too_late);
	tcase_add_test(tc, expire_after_ttl);
	tcase_add_test(tc, button_after_ttl_before_sweep);
	tcase_add_test(tc, access_denied_once);
	tcase_add_test(tc, member_kicked_and_back);
	tcase_add_test(tc, ignored_and_bad_payloads);
	tcase_add_test(tc, photo_without_caption);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(workflows_suite());
}

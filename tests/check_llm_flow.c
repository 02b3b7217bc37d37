/*
 * LLM flow: wf_execute() on free text with a fake OpenAI-compatible LLM
 * (tests/fake_llm.c) configured through the settings, as the executor runs
 * it: the prepare step asks the LLM only when the rules are not confident
 * (each case first checks that premise with wf_classify), and the run in
 * the transaction drafts from the reading, records the usage and audits
 * llm_used or llm_fallback with the reason.  Every case also checks that
 * nothing else happened: the number of drafts, cards, usage rows and
 * llm_* audit rows, and what reached the fake.
 *
 * The queue's clock stands at 2026-11-22 10:30 in Berlin (a Sunday), the
 * reference of tests/data/llm/messages.jsonl, whose messages these are.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "queue/outbox.h"
#include "queue/store.h"
#include "tests/fake_llm.h"
#include "tests/testutil.h"
#include "tests/wf_fixture.h"
#include "workflows/classify.h"
#include "workflows/draft.h"
#include "workflows/workflow.h"

#define ANN WFX_ANN
#define BOB WFX_BOB
#define EVE WFX_EVE
#define TZ "Europe/Berlin"
#define NOW_MS 1795339800000LL /* 2026-11-22T09:30:00Z, 10:30 in Berlin */
#define MIN_MS (60 * 1000LL)
#define KEY "sk-flow-0123456789abcdef"
#define MODEL "flow-model"

/* A task reading with every field; %s are the title, the date, the time,
 * the end time and the subtasks.  The notes are the LLM's own. */
#define TASK_FMT                                                               \
	"{\"kind\":\"task\",\"title\":\"%s\",\"notes\":\"from the AI\","       \
	"\"date\":\"%s\",\"time\":\"%s\",\"end_time\":\"%s\",\"duration_"      \
	"min\":"                                                               \
	"0,\"location\":\"\",\"priority\":0,\"subtasks\":%s,\"question\":"     \
	"\"\"}"
struct lfx {
	struct wfx x; /* the queue, settings and workflows */
	struct fake_llm *llm;
};

static void
set(struct lfx *w, const char *key, const char *value)
{
	wfx_set(&w->x, key, value);
}

/*
 * The fixture: a queue whose clock reads NOW_MS, settings with tz Berlin,
 * a fake LLM that demands KEY, and (with_llm) the LLM configured as a
 * custom provider at the fake.  allowed_users may be NULL (everyone).
 * The clients are made on the first message: set more before it.
 */
static void
lfx_open(struct lfx *w, bool with_llm, const char *allowed_users)
{
	memset(w, 0, sizeof(*w));
	wfx_open(&w->x, TZ);
	w->x.f.now = NOW_MS;
	if (allowed_users != NULL)
		set(w, "allowed_users", allowed_users);
	ck_assert_int_eq(fake_llm_start(KEY, &w->llm), 0);
	if (with_llm) {
		set(w, "llm_provider", "custom");
		set(w, "llm_url", fake_llm_base_url(w->llm));
		set(w, "llm_model", MODEL);
		set(w, "llm_key", KEY);
		set(w, "llm_timeout", "5s");
	}
}

static void
lfx_close(struct lfx *w)
{
	wfx_close(&w->x);
	fake_llm_stop(w->llm);
}

/* ---- premises: what the rules make of a message ---- */

static struct nlp_ref
ref_now(const struct lfx *w)
{
	struct nlp_ref ref = {.now_ms = w->x.f.now, .tz = TZ};

	return ref;
}

/* The rules are (want) or are not (!want) confident about text, read as
 * the bot reads it now. */
static void
assert_confident(const struct lfx *w, const char *text, bool want)
{
	struct nlp_ref ref = ref_now(w);
	struct wf_reading rd;

	ck_assert_int_eq(wf_classify(text, &ref, &rd), 0);
	ck_assert_msg(wf_confident(&rd) == want,
	    "premise: the rules are%s confident about \"%s\" (%s %d: %s)",
	    want ? " not" : "", text, wf_kind_name(rd.kind), rd.confidence,
	    rd.why);
}

/* The task draft the rules alone make of text (caller puts). */
static json_object *
rules_task(const struct lfx *w, const char *text)
{
	struct nlp_ref ref = ref_now(w);
	json_object *j = NULL;
	char question[256];

	ck_assert_int_eq(
	    draft_task_from_text(text, &ref, &j, question, sizeof(question)),
	    0);
	ck_assert_ptr_nonnull(j);
	return j;
}

/* ---- running it ---- */

/* user writes text in a private chat: enqueued as the receiver does,
 * claimed and run; the command must complete. */
static void
say(struct lfx *w, int64_t user, const char *text)
{
	wfx_say(&w->x, user, user, text);
}

/* ---- looking at the results ---- */

static int64_t
count(struct lfx *w, const char *sql)
{
	return wfx_count(&w->x, sql);
}

/* One text column of the first row of sql, copied into buf ("" if NULL). */
static const char *
text_of(struct lfx *w, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s;
	const unsigned char *t;

	ck_assert_int_eq(
	    sqlite3_prepare_v2(w->x.h, sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	t = sqlite3_column_text(s, 0);
	snprintf(buf, len, "%s", t != NULL ? (const char *)t : "");
	sqlite3_finalize(s);
	return buf;
}

/* The newest draft's JSON (caller puts); its kind into kind. */
static json_object *
last_draft(struct lfx *w, char *kind, size_t len)
{
	char buf[8192];
	json_object *j;

	text_of(
	    w, "SELECT kind FROM drafts ORDER BY id DESC LIMIT 1", kind, len);
	text_of(w, "SELECT draft FROM drafts ORDER BY id DESC LIMIT 1", buf,
	    sizeof(buf));
	j = json_tokener_parse(buf);
	ck_assert_ptr_nonnull(j);
	return j;
}

static int64_t
jint(json_object *o, const char *key)
{
	json_object *v;

	ck_assert_msg(o != NULL && json_object_object_get_ex(o, key, &v),
	    "no \"%s\"", key);
	return json_object_get_int64(v);
}

/* The newest audit row with action: its details (caller puts). */
static json_object *
audit_details(struct lfx *w, const char *action)
{
	char sql[256], buf[2048];
	json_object *j;

	snprintf(sql, sizeof(sql),
	    "SELECT details FROM audit_log WHERE action = '%s' "
	    "ORDER BY id DESC LIMIT 1",
	    action);
	j = json_tokener_parse(text_of(w, sql, buf, sizeof(buf)));
	ck_assert_ptr_nonnull(j);
	return j;
}

/* The newest outbox message's text into buf. */
static const char *
last_sent(struct lfx *w, char *buf, size_t len)
{
	char p[8192];
	json_object *j;

	text_of(w, "SELECT type FROM outbox ORDER BY id DESC LIMIT 1", p,
	    sizeof(p));
	ck_assert_str_eq(p, "sendMessage");
	text_of(w, "SELECT payload FROM outbox ORDER BY id DESC LIMIT 1", p,
	    sizeof(p));
	j = json_tokener_parse(p);
	ck_assert_ptr_nonnull(j);
	snprintf(buf, len, "%s", wfx_jstr(j, "text"));
	json_object_put(j);
	return buf;
}

/*
 * Everything the LLM flow may leave, counted: drafts (and of them events),
 * outbox messages, llm_usage rows, llm_used and llm_fallback audit rows,
 * and requests that reached the fake.  Tasks stay 0: nothing is confirmed.
 */
struct tally {
	int64_t drafts, events, outbox, usage, used, fallback;
	size_t requests;
};

static void
assert_tally(struct lfx *w, struct tally t)
{
	ck_assert_int_eq(count(w, "SELECT count(*) FROM drafts"), t.drafts);
	ck_assert_int_eq(
	    count(w, "SELECT count(*) FROM drafts WHERE kind = 'event'"),
	    t.events);
	ck_assert_int_eq(count(w, "SELECT count(*) FROM outbox"), t.outbox);
	ck_assert_int_eq(count(w, "SELECT count(*) FROM llm_usage"), t.usage);
	ck_assert_int_eq(tu_audit_count(w->x.f.q, "llm_used"), t.used);
	ck_assert_int_eq(tu_audit_count(w->x.f.q, "llm_fallback"), t.fallback);
	ck_assert_int_eq(count(w,
	                     "SELECT count(*) FROM audit_log WHERE action LIKE "
	                     "'llm%' AND action NOT IN ('llm_used', "
	                     "'llm_fallback')"),
	    0);
	ck_assert_uint_eq(fake_llm_count(w->llm), t.requests);
	ck_assert_int_eq(count(w, "SELECT count(*) FROM tasks"), 0);
}

/* The last request's body, parsed (caller puts). */
static json_object *
last_request(struct lfx *w)
{
	char *body = fake_llm_last_body(w->llm);
	json_object *j;

	ck_assert_ptr_nonnull(body);
	j = json_tokener_parse(body);
	free(body);
	ck_assert_ptr_nonnull(j);
	return j;
}

/* The request asked for model MODEL at temperature, with a JSON schema,
 * the key as the bearer token, and the person's words as the last
 * message. */
static void
assert_request(struct lfx *w, double temperature, const char *text)
{
	json_object *j = last_request(w), *v, *rf, *msgs;
	char auth[256];

	ck_assert_str_eq(wfx_jstr(j, "model"), MODEL);
	ck_assert(json_object_object_get_ex(j, "temperature", &v));
	ck_assert_msg(fabs(json_object_get_double(v) - temperature) < 1e-9,
	    "temperature %g, want %g", json_object_get_double(v), temperature);
	ck_assert(json_object_object_get_ex(j, "response_format", &rf));
	ck_assert_str_eq(wfx_jstr(rf, "type"), "json_schema");
	ck_assert(json_object_object_get_ex(rf, "json_schema", &v));
	ck_assert(json_object_object_get_ex(v, "schema", &v));
	ck_assert(json_object_is_type(v, json_type_object));
	ck_assert(json_object_object_get_ex(j, "messages", &msgs));
	ck_assert_uint_ge(json_object_array_length(msgs), 1);
	v = json_object_array_get_idx(msgs, json_object_array_length(msgs) - 1);
	wfx_assert_has(wfx_jstr(v, "content"), text);
	json_object_put(j);
	ck_assert(fake_llm_last_auth(w->llm, auth, sizeof(auth)));
	ck_assert_str_eq(auth, "Bearer " KEY);
}

/* The newest llm_fallback says reason, and the newest usage row (when
 * the LLM was reached) too. */
static void
assert_fallback(struct lfx *w, const char *reason, bool reached)
{
	json_object *d = audit_details(w, "llm_fallback");
	char buf[64];

	ck_assert_str_eq(wfx_jstr(d, "reason"), reason);
	ck_assert_str_ne(wfx_jstr(d, "why"), "");
	json_object_put(d);
	if (reached)
		ck_assert_str_eq(text_of(w,
		                     "SELECT outcome FROM llm_usage ORDER BY "
		                     "id DESC LIMIT 1",
		                     buf, sizeof(buf)),
		    reason);
}

/* The newest draft is the rules' task draft of text: title and due. */
static void
assert_rules_draft(struct lfx *w, const char *text)
{
	json_object *want = rules_task(w, text), *d;
	char kind[16];

	d = last_draft(w, kind, sizeof(kind));
	ck_assert_str_eq(kind, "task");
	ck_assert_str_eq(wfx_jstr(d, "title"), wfx_jstr(want, "title"));
	ck_assert_str_eq(wfx_jstr(d, "due_date"), wfx_jstr(want, "due_date"));
	ck_assert_str_eq(wfx_jstr(d, "due_time"), wfx_jstr(want, "due_time"));
	ck_assert_str_eq(wfx_jstr(d, "reasoning"), wfx_jstr(want, "reasoning"));
	ck_assert(!json_object_object_get_ex(d, "notes", NULL) ||
	    strcmp(wfx_jstr(d, "notes"), "from the AI") != 0);
	json_object_put(d);
	json_object_put(want);
}

static void
push_task_until(struct lfx *w, const char *title, const char *date,
    const char *time, const char *end_time, const char *subtasks)
{
	char buf[2048];

	snprintf(
	    buf, sizeof(buf), TASK_FMT, title, date, time, end_time, subtasks);
	ck_assert_int_eq(fake_llm_push_reply(w->llm, buf), 0);
}

static void
push_task(struct lfx *w, const char *title, const char *date, const char *time,
    const char *subtasks)
{
	push_task_until(w, title, date, time, "", subtasks);
}

/* ---- cases ---- */

#define VAGUE "send thank you cards" /* "small talk": not confident */
#define CONFIDENT "buy milk tomorrow 5pm"

/* `draftbot user show ANN --json`, run on the same database: its "llm"
 * object's window (caller puts). */
static json_object *
user_show_llm(struct lfx *w, const char *window)
{
	char out[8192] = "", err[4096] = "", db[400], conf[450];
	const char *argv[] = {"--db", db, "user", "show", "1", "--json", NULL};
	const char *env[] = {conf, NULL};
	json_object *o, *l, *v;

	snprintf(db, sizeof(db), "%s", w->x.f.db);
	snprintf(conf, sizeof(conf), "DRAFTBOT_CONFIG=%s", w->x.conf);
	ck_assert_msg(
	    tu_run(argv, env, out, sizeof(out), err, sizeof(err)) == 0,
	    "user show: %s", err);
	o = json_tokener_parse(out);
	ck_assert_msg(o != NULL, "user show printed: %s", out);
	ck_assert(json_object_object_get_ex(o, "llm", &l));
	ck_assert(json_object_object_get_ex(l, window, &v));
	json_object_get(v);
	json_object_put(o);
	return v;
}

START_TEST(llm_used_for_unsure_message)
{
	struct lfx w;
	json_object *d, *a, *subs, *t;
	char kind[16], buf[4096];
	struct timespec ts;

	lfx_open(&w, true, NULL);
	/* Real time, so that `user show` (which reads the wall clock) counts
	 * the request in its "day" too. */
	clock_gettime(CLOCK_REALTIME, &ts);
	w.x.f.now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	set(&w, "llm_price_input", "150000");  /* 0.15 per 1M */
	set(&w, "llm_price_output", "600000"); /* 0.60 per 1M */
	fake_llm_set_usage(w.llm, 1234, 567);
	assert_confident(&w, VAGUE, false);
	push_task(&w, "Send thank-you cards", "", "",
	    "[\"buy cards\",\"write the addresses\"]");
	say(&w, ANN, VAGUE);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .outbox = 1,
	        .usage = 1,
	        .used = 1,
	        .requests = 1});
	ck_assert_uint_eq(fake_llm_count_ok(w.llm), 1);
	assert_request(&w, 0.1, VAGUE);
	/* the draft is the LLM's */
	d = last_draft(&w, kind, sizeof(kind));
	ck_assert_str_eq(kind, "task");
	ck_assert_str_eq(wfx_jstr(d, "title"), "Send thank-you cards");
	ck_assert_str_eq(wfx_jstr(d, "notes"), "from the AI");
	ck_assert_str_eq(wfx_jstr(d, "source"), VAGUE);
	ck_assert(json_object_object_get_ex(d, "subtasks", &subs));
	ck_assert_uint_eq(json_object_array_length(subs), 2);
	ck_assert_str_eq(
	    json_object_get_string(json_object_array_get_idx(subs, 0)),
	    "buy cards");
	ck_assert_str_eq(
	    json_object_get_string(json_object_array_get_idx(subs, 1)),
	    "write the addresses");
	ck_assert_str_eq(wfx_jstr(d, "due_date"), "");
	json_object_put(d);
	wfx_assert_has(last_sent(&w, buf, sizeof(buf)), "Send thank-you cards");
	wfx_assert_has(buf, "buy cards");
	/* audited with the tokens and the cost */
	a = audit_details(&w, "llm_used");
	ck_assert_str_eq(wfx_jstr(a, "kind"), "task");
	ck_assert_str_eq(wfx_jstr(a, "why"), "small talk");
	ck_assert_int_eq(jint(a, "prompt_tokens"), 1234);
	ck_assert_int_eq(jint(a, "completion_tokens"), 567);
	/* 1234 * 0.15 + 567 * 0.60 = 525.3 micro-units, rounded up */
	ck_assert_int_eq(jint(a, "cost_micros"), 526);
	json_object_put(a);
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM audit_log WHERE action = "
	                     "'llm_used' AND user_id = 1 AND chat_id = 1"),
	    1);
	/* one usage row: who, tokens, cost in integer micro-units */
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM llm_usage WHERE user_id = 1 "
	                     "AND outcome = 'ok' AND prompt_tokens = 1234 AND "
	                     "completion_tokens = 567 AND cost_micros = 526 "
	                     "AND purpose = 'intent'"),
	    1);
	ck_assert_int_eq(count(&w,
	                     "SELECT typeof(cost_micros) = 'integer' "
	                     "FROM llm_usage"),
	    1);
	/* and `draftbot user show` adds them up */
	push_task(&w, "Post the thank-you letters", "", "", "[]");
	assert_confident(&w, "post the thank you letters", false);
	say(&w, ANN, "post the thank you letters");
	ck_assert_uint_eq(fake_llm_count(w.llm), 2);
	ck_assert_int_eq(tu_audit_count(w.x.f.q, "llm_used"), 2);
	for (int i = 0; i < 2; i++) {
		t = user_show_llm(&w, i == 0 ? "day" : "all");
		ck_assert_int_eq(jint(t, "requests"), 2);
		ck_assert_int_eq(jint(t, "prompt_tokens"), 2468);
		ck_assert_int_eq(jint(t, "completion_tokens"), 1134);
		ck_assert_int_eq(jint(t, "cost_micros"), 1052);
		json_object_put(t);
	}
	lfx_close(&w);
}
END_TEST

/* A long message (a plan) is read at the drafting temperature. */
START_TEST(long_message_drafting_temperature)
{
	static const char text[] =
	    "so my sister is coming in on friday and I still need to clean "
	    "the guest room, buy new towels, get groceries for the weekend "
	    "and figure out where everyone is going to sleep";
	struct lfx w;
	json_object *d, *subs;
	char kind[16];

	lfx_open(&w, true, NULL);
	ck_assert_uint_gt(strlen(text), 160);
	assert_confident(&w, text, false);
	push_task(&w, "Get ready for my sister's visit", "2026-11-27", "",
	    "[\"clean the guest room\",\"buy new towels\",\"get "
	    "groceries\",\"plan who sleeps where\"]");
	say(&w, ANN, text);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .outbox = 1,
	        .usage = 1,
	        .used = 1,
	        .requests = 1});
	assert_request(&w, 0.3, text);
	d = last_draft(&w, kind, sizeof(kind));
	ck_assert_str_eq(kind, "task");
	ck_assert_str_eq(
	    wfx_jstr(d, "title"), "Get ready for my sister's visit");
	ck_assert(json_object_object_get_ex(d, "subtasks", &subs));
	ck_assert_uint_eq(json_object_array_length(subs), 4);
	json_object_put(d);
	/* the usage row says what the call was for */
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM llm_usage WHERE purpose = "
	                     "'draft'"),
	    1);
	lfx_close(&w);
}
END_TEST

START_TEST(confident_message_skips_llm)
{
	struct lfx w;
	json_object *d;
	char kind[16];

	lfx_open(&w, true, NULL);
	assert_confident(&w, CONFIDENT, true);
	say(&w, ANN, CONFIDENT);
	assert_tally(&w, (struct tally){.drafts = 1, .outbox = 1});
	d = last_draft(&w, kind, sizeof(kind));
	ck_assert_str_eq(kind, "task");
	ck_assert_str_eq(wfx_jstr(d, "title"), "Buy milk");
	ck_assert_str_eq(wfx_jstr(d, "due_date"), "2026-11-23");
	ck_assert_str_eq(wfx_jstr(d, "due_time"), "17:00");
	json_object_put(d);
	assert_rules_draft(&w, CONFIDENT);
	/* commands never go to the LLM either */
	say(&w, ANN, "/cancel");
	say(&w, ANN, "/help");
	ck_assert_uint_eq(fake_llm_count(w.llm), 0);
	lfx_close(&w);
}
END_TEST

START_TEST(no_llm_configured_rules_only)
{
	static const char *const texts[] = {VAGUE, "call dad on monday arvo",
	    "coffee w/ sam tomorrow 10", "remind me about the thing",
	    CONFIDENT};
	struct lfx w;
	json_object *d;
	char kind[16], buf[4096];

	lfx_open(&w, false, NULL);
	/* a task, an event, a question: each as the rules alone have it */
	assert_confident(&w, texts[0], false);
	say(&w, ANN, texts[0]);
	assert_rules_draft(&w, texts[0]);
	assert_confident(&w, texts[1], false);
	say(&w, ANN, texts[1]);
	assert_rules_draft(&w, texts[1]);
	assert_confident(&w, texts[2], false);
	say(&w, ANN, texts[2]);
	d = last_draft(&w, kind, sizeof(kind));
	ck_assert_str_eq(kind, "event");
	json_object_put(d);
	assert_confident(&w, texts[3], false);
	say(&w, ANN, texts[3]);
	assert_rules_draft(&w, texts[3]);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM drafts"), 4);
	ck_assert_str_ne(last_sent(&w, buf, sizeof(buf)), "");
	assert_confident(&w, texts[4], true);
	say(&w, ANN, texts[4]);
	assert_rules_draft(&w, texts[4]);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM drafts"), 5);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM outbox"), 5);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM llm_usage"), 0);
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM audit_log WHERE action "
	                     "LIKE 'llm%'"),
	    0);
	ck_assert_uint_eq(fake_llm_count(w.llm), 0);
	lfx_close(&w);
}
END_TEST

/* A fault of the LLM: the rules' draft, llm_fallback with reason. */
static void
fault_case(
    enum fake_llm_fault fault, int status, const char *reason, bool tokens)
{
	struct lfx w;
	json_object *a;

	lfx_open(&w, true, NULL);
	fake_llm_set_usage(w.llm, 100, 20);
	assert_confident(&w, VAGUE, false);
	if (status != 0)
		ck_assert_int_eq(
		    fake_llm_push_raw(w.llm, status,
		        status == 429 ? "{\"error\":{\"message\":\"Rate "
		                        "limit reached\",\"type\":"
		                        "\"requests\",\"code\":"
		                        "\"rate_limit_exceeded\"}}"
		                      : "{\"error\":{\"message\":\"The "
		                        "server had an error\",\"type\":"
		                        "\"server_error\"}}"),
		    0);
	else
		fake_llm_set_fault(w.llm, fault, 1, 0);
	say(&w, ANN, VAGUE);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .outbox = 1,
	        .usage = 1,
	        .fallback = 1,
	        .requests = 1});
	assert_rules_draft(&w, VAGUE);
	assert_fallback(&w, reason, true);
	a = audit_details(&w, "llm_fallback");
	ck_assert_int_eq(jint(a, "prompt_tokens"), tokens ? 100 : 0);
	ck_assert_int_eq(jint(a, "completion_tokens"), tokens ? 20 : 0);
	json_object_put(a);
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'draft_created'"),
	    1);
	lfx_close(&w);
}

START_TEST(bad_json_falls_back)
{
	fault_case(FAKE_LLM_FAULT_BAD_JSON, 0, "invalid_json", true);
}
END_TEST

START_TEST(schema_violation_falls_back)
{
	fault_case(FAKE_LLM_FAULT_SCHEMA, 0, "invalid_json", true);
}
END_TEST

START_TEST(rate_limited_falls_back)
{
	fault_case(FAKE_LLM_FAULT_429, 0, "rate_limited", false);
	fault_case(FAKE_LLM_FAULT_NONE, 429, "rate_limited", false);
}
END_TEST

START_TEST(server_error_falls_back)
{
	fault_case(FAKE_LLM_FAULT_500, 0, "server_error", false);
	fault_case(FAKE_LLM_FAULT_NONE, 503, "server_error", false);
}
END_TEST

/* A reading that is valid JSON but not a valid draft (a task without a
 * title) is a schema violation as well. */
START_TEST(empty_title_falls_back)
{
	struct lfx w;

	lfx_open(&w, true, NULL);
	assert_confident(&w, VAGUE, false);
	push_task(&w, "", "", "", "[]");
	say(&w, ANN, VAGUE);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .outbox = 1,
	        .usage = 1,
	        .fallback = 1,
	        .requests = 1});
	assert_rules_draft(&w, VAGUE);
	assert_fallback(&w, "invalid_json", true);
	lfx_close(&w);
}
END_TEST

START_TEST(slow_llm_times_out)
{
	struct lfx w;

	lfx_open(&w, true, NULL);
	set(&w, "llm_timeout", "500ms");
	fake_llm_set_delay_ms(w.llm, 3000);
	assert_confident(&w, VAGUE, false);
	push_task(&w, "Too late", "", "", "[]");
	say(&w, ANN, VAGUE);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .outbox = 1,
	        .usage = 1,
	        .fallback = 1,
	        .requests = 1});
	assert_rules_draft(&w, VAGUE);
	assert_fallback(&w, "timeout", true);
	ck_assert_uint_eq(fake_llm_count_ok(w.llm), 0);
	lfx_close(&w);
}
END_TEST

START_TEST(per_user_limits)
{
	static const char *const texts[] = {
	    VAGUE, "post the thank you letters", "don't forget charger"};
	struct lfx w;
	json_object *a;

	lfx_open(&w, true, NULL);
	set(&w, "llm_user_per_minute", "1");
	for (int i = 0; i < 3; i++)
		assert_confident(&w, texts[i], false);
	say(&w, ANN, texts[0]);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .outbox = 1,
	        .usage = 1,
	        .used = 1,
	        .requests = 1});
	/* the second within the minute reaches no LLM */
	w.x.f.now += 30 * 1000;
	say(&w, ANN, texts[1]);
	assert_tally(&w,
	    (struct tally){.drafts = 2,
	        .outbox = 2,
	        .usage = 1,
	        .used = 1,
	        .fallback = 1,
	        .requests = 1});
	assert_rules_draft(&w, texts[1]);
	assert_fallback(&w, "over_limit", false);
	a = audit_details(&w, "llm_fallback");
	ck_assert_int_eq(jint(a, "prompt_tokens"), 0);
	ck_assert_int_eq(jint(a, "cost_micros"), 0);
	json_object_put(a);
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM audit_log WHERE action = "
	                     "'llm_fallback' AND user_id = 1"),
	    1);
	/* another person is not limited by Ann's use */
	say(&w, BOB, texts[1]);
	assert_tally(&w,
	    (struct tally){.drafts = 3,
	        .outbox = 3,
	        .usage = 2,
	        .used = 2,
	        .fallback = 1,
	        .requests = 2});
	ck_assert_int_eq(
	    count(&w, "SELECT count(*) FROM llm_usage WHERE user_id = 2"), 1);
	/* a minute after her first request Ann may ask again */
	w.x.f.now += 31 * 1000;
	say(&w, ANN, texts[2]);
	assert_tally(&w,
	    (struct tally){.drafts = 4,
	        .outbox = 4,
	        .usage = 3,
	        .used = 3,
	        .fallback = 1,
	        .requests = 3});
	lfx_close(&w);
}
END_TEST

START_TEST(per_day_limit)
{
	static const char *const texts[] = {
	    VAGUE, "post the thank you letters", "don't forget charger"};
	struct lfx w;

	lfx_open(&w, true, NULL);
	set(&w, "llm_user_per_minute", "0");
	set(&w, "llm_user_per_day", "2");
	for (int i = 0; i < 3; i++) {
		assert_confident(&w, texts[i], false);
		say(&w, ANN, texts[i]);
		w.x.f.now += 2 * 3600 * 1000LL;
	}
	assert_tally(&w,
	    (struct tally){.drafts = 3,
	        .outbox = 3,
	        .usage = 2,
	        .used = 2,
	        .fallback = 1,
	        .requests = 2});
	assert_fallback(&w, "over_limit", false);
	/* a day after the first, one more is allowed */
	w.x.f.now = NOW_MS + 24 * 3600 * 1000LL + 1;
	say(&w, ANN, texts[0]);
	assert_tally(&w,
	    (struct tally){.drafts = 4,
	        .outbox = 4,
	        .usage = 3,
	        .used = 3,
	        .fallback = 1,
	        .requests = 3});
	lfx_close(&w);
}
END_TEST

/* The LLM reads another date than the words say: the parser's stands. */
START_TEST(date_disagreement_parser_wins)
{
	static const char text[] = "call dad on monday arvo";
	struct lfx w;
	json_object *d, *want;
	char kind[16];

	lfx_open(&w, true, NULL);
	assert_confident(&w, text, false);
	want = rules_task(&w, text);
	ck_assert_str_eq(wfx_jstr(want, "due_date"), "2026-11-23");
	push_task_until(&w, "Call dad", "2026-11-24", "15:00", "16:00", "[]");
	say(&w, ANN, text);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .outbox = 1,
	        .usage = 1,
	        .used = 1,
	        .requests = 1});
	d = last_draft(&w, kind, sizeof(kind));
	ck_assert_str_eq(wfx_jstr(d, "title"), "Call dad");
	ck_assert_str_eq(wfx_jstr(d, "due_date"), "2026-11-23");
	ck_assert_str_eq(wfx_jstr(d, "due_time"), wfx_jstr(want, "due_time"));
	/* nor the AI's end without its start */
	ck_assert_str_eq(wfx_jstr(d, "due_end_time"), "");
	/* the parser's own reasoning first, then the AI's reading */
	ck_assert_str_eq(
	    wfx_jstr(want, "reasoning"), "'on monday' → Mon 23 Nov");
	ck_assert_str_eq(wfx_jstr(d, "reasoning"),
	    "'on monday' → Mon 23 Nov. The AI read 2026-11-24 15:00; I kept "
	    "2026-11-23 from your words.");
	json_object_put(d);
	json_object_put(want);
	lfx_close(&w);
}
END_TEST

/* The same day, and a time only the LLM read: its time, said so. */
START_TEST(time_from_llm_on_the_same_day)
{
	static const char text[] = "call dad on monday arvo";
	struct lfx w;
	json_object *d, *want;
	char kind[16];

	lfx_open(&w, true, NULL);
	assert_confident(&w, text, false);
	want = rules_task(&w, text);
	ck_assert_str_eq(wfx_jstr(want, "due_time"), "");
	push_task_until(&w, "Call dad", "2026-11-23", "15:00", "16:00", "[]");
	say(&w, ANN, text);
	d = last_draft(&w, kind, sizeof(kind));
	ck_assert_str_eq(wfx_jstr(d, "due_date"), "2026-11-23");
	ck_assert_str_eq(wfx_jstr(d, "due_time"), "15:00");
	ck_assert_str_eq(wfx_jstr(d, "due_end_time"), "16:00");
	ck_assert_str_eq(wfx_jstr(d, "reasoning"),
	    "'on monday' → Mon 23 Nov. Time from the AI: 15:00.");
	json_object_put(d);
	json_object_put(want);
	lfx_close(&w);
}
END_TEST

/* The same date: nothing to say about it. */
START_TEST(date_agreement_no_note)
{
	static const char text[] = "call dad on monday arvo";
	struct lfx w;
	json_object *d, *want;
	char kind[16];

	lfx_open(&w, true, NULL);
	assert_confident(&w, text, false);
	want = rules_task(&w, text);
	push_task(&w, "Call dad", "2026-11-23", "", "[]");
	say(&w, ANN, text);
	d = last_draft(&w, kind, sizeof(kind));
	ck_assert_str_eq(wfx_jstr(d, "title"), "Call dad");
	ck_assert_str_eq(wfx_jstr(d, "due_date"), "2026-11-23");
	ck_assert_str_eq(wfx_jstr(d, "reasoning"), wfx_jstr(want, "reasoning"));
	ck_assert_ptr_null(strstr(wfx_jstr(d, "reasoning"), "AI"));
	json_object_put(d);
	json_object_put(want);
	lfx_close(&w);
}
END_TEST

/* The parser found no date and the LLM did: the LLM's, said so. */
START_TEST(date_from_llm_when_parser_has_none)
{
	struct lfx w;
	json_object *d, *want;
	char kind[16], buf[4096];

	lfx_open(&w, true, NULL);
	assert_confident(&w, VAGUE, false);
	want = rules_task(&w, VAGUE);
	ck_assert_str_eq(wfx_jstr(want, "due_date"), "");
	json_object_put(want);
	push_task(&w, "Send thank-you cards", "2026-11-25", "18:00", "[]");
	say(&w, ANN, VAGUE);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .outbox = 1,
	        .usage = 1,
	        .used = 1,
	        .requests = 1});
	d = last_draft(&w, kind, sizeof(kind));
	ck_assert_str_eq(wfx_jstr(d, "due_date"), "2026-11-25");
	ck_assert_str_eq(wfx_jstr(d, "due_time"), "18:00");
	ck_assert_str_eq(
	    wfx_jstr(d, "reasoning"), "Date from the AI: 2026-11-25 18:00.");
	json_object_put(d);
	/* the card shows the date and why */
	wfx_assert_has(last_sent(&w, buf, sizeof(buf)), "25 Nov");
	lfx_close(&w);
}
END_TEST

START_TEST(unclear_asks_the_question)
{
	static const char text[] = "remind me about the thing";
	struct lfx w;
	json_object *a;
	char buf[4096];

	lfx_open(&w, true, NULL);
	assert_confident(&w, text, false);
	ck_assert_int_eq(
	    fake_llm_push_reply(w.llm,
	        "{\"kind\":\"unclear\",\"title\":\"\",\"notes\":\"\","
	        "\"date\":\"\",\"time\":\"\",\"end_time\":\"\","
	        "\"duration_min\":0,\"location\":\"\",\"priority\":0,"
	        "\"subtasks\":[],\"question\":\"Which thing & when?\"}"),
	    0);
	say(&w, ANN, text);
	assert_tally(&w,
	    (struct tally){.outbox = 1, .usage = 1, .used = 1, .requests = 1});
	/* sent as HTML: the & escaped */
	ck_assert_str_eq(
	    last_sent(&w, buf, sizeof(buf)), "Which thing &amp; when?");
	a = audit_details(&w, "llm_used");
	ck_assert_str_eq(wfx_jstr(a, "kind"), "unclear");
	json_object_put(a);
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'draft_created'"),
	    0);
	lfx_close(&w);
}
END_TEST

START_TEST(event_reading_makes_event_draft)
{
	static const char text[] = "coffee w/ sam tomorrow 10";
	struct lfx w;
	json_object *d, *a;
	char kind[16], buf[4096];

	lfx_open(&w, true, NULL);
	assert_confident(&w, text, false);
	ck_assert_int_eq(
	    fake_llm_push_reply(w.llm,
	        "{\"kind\":\"event\",\"title\":\"Coffee with Sam\","
	        "\"notes\":\"\",\"date\":\"2026-11-23\",\"time\":\"10:00\","
	        "\"end_time\":\"11:30\",\"duration_min\":0,\"location\":\"Blue "
	        "Bottle\",\"priority\":0,\"subtasks\":[],\"question\":\"\"}"),
	    0);
	say(&w, ANN, text);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .events = 1,
	        .outbox = 1,
	        .usage = 1,
	        .used = 1,
	        .requests = 1});
	d = last_draft(&w, kind, sizeof(kind));
	ck_assert_str_eq(kind, "event");
	ck_assert_str_eq(wfx_jstr(d, "title"), "Coffee with Sam");
	ck_assert_str_eq(wfx_jstr(d, "location"), "Blue Bottle");
	ck_assert_str_eq(wfx_jstr(d, "start_date"), "2026-11-23");
	/* the words gave the day, the AI the hour the rules missed */
	ck_assert_str_eq(wfx_jstr(d, "start_time"), "10:00");
	ck_assert_str_eq(wfx_jstr(d, "end_date"), "2026-11-23");
	ck_assert_str_eq(wfx_jstr(d, "end_time"), "11:30");
	ck_assert(
	    !json_object_get_boolean(json_object_object_get(d, "all_day")));
	ck_assert_str_eq(wfx_jstr(d, "reasoning"),
	    "'tomorrow' → Mon 23 Nov. Time from the AI: 10:00.");
	ck_assert_str_eq(wfx_jstr(d, "source"), text);
	json_object_put(d);
	wfx_assert_has(last_sent(&w, buf, sizeof(buf)), "Coffee with Sam");
	a = audit_details(&w, "llm_used");
	ck_assert_str_eq(wfx_jstr(a, "kind"), "event");
	json_object_put(a);
	lfx_close(&w);
}
END_TEST

/* An event the LLM dates otherwise than the words: the words' date. */
START_TEST(event_date_disagreement_parser_wins)
{
	static const char text[] = "coffee w/ sam tomorrow 10";
	struct lfx w;
	json_object *d;
	char kind[16];

	lfx_open(&w, true, NULL);
	assert_confident(&w, text, false);
	ck_assert_int_eq(
	    fake_llm_push_reply(w.llm,
	        "{\"kind\":\"event\",\"title\":\"Coffee with Sam\","
	        "\"notes\":\"\",\"date\":\"2026-11-24\",\"time\":\"10:00\","
	        "\"end_time\":\"\",\"duration_min\":0,\"location\":\"\","
	        "\"priority\":0,\"subtasks\":[],\"question\":\"\"}"),
	    0);
	say(&w, ANN, text);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .events = 1,
	        .outbox = 1,
	        .usage = 1,
	        .used = 1,
	        .requests = 1});
	d = last_draft(&w, kind, sizeof(kind));
	ck_assert_str_eq(kind, "event");
	ck_assert_str_eq(wfx_jstr(d, "title"), "Coffee with Sam");
	ck_assert_str_eq(wfx_jstr(d, "start_date"), "2026-11-23");
	/* the time stays the rules' (none): they disagree on the day */
	ck_assert_str_eq(wfx_jstr(d, "start_time"), "");
	ck_assert_str_eq(wfx_jstr(d, "reasoning"),
	    "'tomorrow' → Mon 23 Nov. The AI read 2026-11-24 10:00; I kept "
	    "2026-11-23 from your words.");
	json_object_put(d);
	lfx_close(&w);
}
END_TEST

/* An event the rules found no date for: the LLM's date, said so. */
START_TEST(event_date_from_llm)
{
	static const char text[] = "valentine's dinner reservation!!";
	struct lfx w;
	json_object *d;
	char kind[16];

	lfx_open(&w, true, NULL);
	assert_confident(&w, text, false);
	ck_assert_int_eq(
	    fake_llm_push_reply(w.llm,
	        "{\"kind\":\"event\",\"title\":\"Valentine's dinner\","
	        "\"notes\":\"\",\"date\":\"2027-02-14\",\"time\":\"19:30\","
	        "\"end_time\":\"\",\"duration_min\":120,\"location\":\"\","
	        "\"priority\":0,\"subtasks\":[],\"question\":\"\"}"),
	    0);
	say(&w, ANN, text);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .events = 1,
	        .outbox = 1,
	        .usage = 1,
	        .used = 1,
	        .requests = 1});
	d = last_draft(&w, kind, sizeof(kind));
	ck_assert_str_eq(kind, "event");
	ck_assert_str_eq(wfx_jstr(d, "title"), "Valentine's dinner");
	ck_assert_str_eq(wfx_jstr(d, "start_date"), "2027-02-14");
	ck_assert_str_eq(wfx_jstr(d, "start_time"), "19:30");
	ck_assert_str_eq(wfx_jstr(d, "end_time"), "21:30");
	ck_assert_str_eq(
	    wfx_jstr(d, "reasoning"), "Date from the AI: 2027-02-14 19:30.");
	json_object_put(d);
	lfx_close(&w);
}
END_TEST

/* The LLM reads no task or event (a question, chat): the rules answer,
 * and the audit says what the LLM read. */
START_TEST(other_reading_leaves_it_to_the_rules)
{
	static const char text[] = "what time is it in new york";
	struct lfx w;
	json_object *a;

	lfx_open(&w, true, NULL);
	assert_confident(&w, text, false);
	ck_assert_int_eq(
	    fake_llm_push_reply(w.llm,
	        "{\"kind\":\"other\",\"title\":\"\",\"notes\":\"\","
	        "\"date\":\"\",\"time\":\"\",\"end_time\":\"\","
	        "\"duration_min\":0,\"location\":\"\",\"priority\":0,"
	        "\"subtasks\":[],\"question\":\"\"}"),
	    0);
	say(&w, ANN, text);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .outbox = 1,
	        .usage = 1,
	        .used = 1,
	        .requests = 1});
	assert_rules_draft(&w, text);
	a = audit_details(&w, "llm_used");
	ck_assert_str_eq(wfx_jstr(a, "kind"), "other");
	json_object_put(a);
	lfx_close(&w);
}
END_TEST

START_TEST(unknown_user_never_reaches_llm)
{
	struct lfx w;
	char buf[4096];

	lfx_open(&w, true, "1,2");
	assert_confident(&w, VAGUE, false);
	say(&w, EVE, VAGUE);
	say(&w, EVE, "remind me about the thing");
	assert_tally(&w, (struct tally){.outbox = 1});
	wfx_assert_has(last_sent(&w, buf, sizeof(buf)), "Sorry");
	ck_assert_int_eq(tu_audit_count(w.x.f.q, "access_denied"), 2);
	/* those on the list are served by it */
	say(&w, BOB, VAGUE);
	assert_tally(&w,
	    (struct tally){.drafts = 1,
	        .outbox = 2,
	        .usage = 1,
	        .used = 1,
	        .requests = 1});
	lfx_close(&w);
}
END_TEST

static Suite *
llm_flow_suite(void)
{
	Suite *s = suite_create("llm_flow");
	TCase *tc = tcase_create("flow");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, llm_used_for_unsure_message);
	tcase_add_test(tc, long_message_drafting_temperature);
	tcase_add_test(tc, confident_message_skips_llm);
	tcase_add_test(tc, no_llm_configured_rules_only);
	tcase_add_test(tc, bad_json_falls_back);
	tcase_add_test(tc, schema_violation_falls_back);
	tcase_add_test(tc, rate_limited_falls_back);
	tcase_add_test(tc, server_error_falls_back);
	tcase_add_test(tc, empty_title_falls_back);
	tcase_add_test(tc, slow_llm_times_out);
	tcase_add_test(tc, per_user_limits);
	tcase_add_test(tc, per_day_limit);
	tcase_add_test(tc, date_disagreement_parser_wins);
	tcase_add_test(tc, date_agreement_no_note);
	tcase_add_test(tc, time_from_llm_on_the_same_day);
	tcase_add_test(tc, date_from_llm_when_parser_has_none);
	tcase_add_test(tc, unclear_asks_the_question);
	tcase_add_test(tc, event_reading_makes_event_draft);
	tcase_add_test(tc, event_date_disagreement_parser_wins);
	tcase_add_test(tc, event_date_from_llm);
	tcase_add_test(tc, other_reading_leaves_it_to_the_rules);
	tcase_add_test(tc, unknown_user_never_reaches_llm);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(llm_flow_suite());
}

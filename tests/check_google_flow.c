/*
 * Google end to end (issue 5): sign-in with state and PKCE through the
 * receiver's redirect, Google Calendar's overlaps on an event card,
 * confirmed tasks and events written to the fake Google exactly once —
 * across a SIGKILLed executor, ambiguous failures, 401, invalid_grant,
 * rate limits, 5xx and refusals — undo, /disconnect, and the operator's
 * `draftbot google …` commands.
 *
 * The workflows run in-process on a real SQLite queue (exec_one(), with
 * the executor's own retry handling) under a clock the test moves by
 * hand, or as real `draftbot` processes where a process matters (the
 * receiver, a crashing executor, the CLI).  Every case ends by asserting
 * that each request draftbot sent passed the fake's discovery-document
 * validation (gfx_close()).  Waits have generous hang guards; nothing
 * asserts on timing.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "google/gapi.h"
#include "queue/store.h"
#include "tests/gflow_fixture.h"

#define ANN GFX_ANN
#define BOB GFX_BOB
#define PACK GFX_PACK
#define DINNER GFX_DINNER

/* ---- 1. connect ---- */

START_TEST(connect_end_to_end)
{
	char v[600], loc[2048], page[4096], redirect[160], challenge[64];
	char state[GAPI_STATE_MAX], url[2200], *link, *details, *settings;
	struct store_oauth_state st;
	struct fake_google_req *reqs = NULL;
	struct fake_google_stats stats;
	size_t n = 0;
	struct gfx w;

	gfx_open(&w, false);
	gfx_rx_start(&w);
	link = gfx_connect_link(&w, ANN);

	/* the link: Google's consent page with our client, our redirect,
	 * a state and an S256 challenge */
	snprintf(url, sizeof(url), "%s?", fake_google_auth_url(w.g));
	ck_assert_msg(strncmp(link, url, strlen(url)) == 0, "%s", link);
	ck_assert(gfx_query(link, "client_id", v, sizeof(v)));
	ck_assert_str_eq(v, FAKE_GOOGLE_CLIENT_ID);
	snprintf(
	    redirect, sizeof(redirect), "%s/oauth/google/callback", w.rx_base);
	ck_assert(gfx_query(link, "redirect_uri", v, sizeof(v)));
	ck_assert_str_eq(v, redirect);
	ck_assert(gfx_query(link, "response_type", v, sizeof(v)));
	ck_assert_str_eq(v, "code");
	ck_assert(gfx_query(link, "code_challenge_method", v, sizeof(v)));
	ck_assert_str_eq(v, "S256");
	ck_assert(gfx_query(link, "access_type", v, sizeof(v)));
	ck_assert_str_eq(v, "offline");
	ck_assert(gfx_query(link, "scope", v, sizeof(v)));
	wfx_assert_has(v, "https://www.googleapis.com/auth/tasks");
	wfx_assert_has(v, "https://www.googleapis.com/auth/calendar.events");
	ck_assert(gfx_query(link, "state", state, sizeof(state)));
	ck_assert_uint_eq(strlen(state), GAPI_STATE_MAX - 1);
	ck_assert(
	    gfx_query(link, "code_challenge", challenge, sizeof(challenge)));

	/* the state row: Ann's, from her chat, 10 minutes, and the PKCE
	 * verifier behind the challenge stays in the database */
	ck_assert_int_eq(store_oauth_state_get(w.x.f.q, state, &st), 1);
	ck_assert_int_eq(st.user_id, ANN);
	ck_assert_int_eq(st.chat_id, ANN);
	ck_assert_str_eq(st.redirect_uri, redirect);
	ck_assert_int_eq(st.expires_at_ms - st.created_at_ms, 10 * GFX_MIN_MS);
	ck_assert_int_eq(st.used_at_ms, 0);
	ck_assert_int_eq(gapi_pkce_challenge(st.verifier, v), 0);
	ck_assert_str_eq(v, challenge);
	ck_assert_ptr_null(strstr(link, st.verifier));
	ck_assert_int_eq(gfx_audit(&w, "google_connect_started", ANN), 1);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_ANY), 0);

	/* the browser: Google answers with a redirect to the receiver */
	gfx_consent(link, loc, sizeof(loc));
	snprintf(url, sizeof(url), "%s?", redirect);
	ck_assert_msg(strncmp(loc, url, strlen(url)) == 0, "%s", loc);
	ck_assert(gfx_query(loc, "state", v, sizeof(v)));
	ck_assert_str_eq(v, state);
	ck_assert(gfx_query(loc, "code", v, sizeof(v)));
	ck_assert_int_eq(gfx_http_get(loc, page, sizeof(page), NULL, 0), 200);
	wfx_assert_has(page, "the sign-in reached draftbot");
	/* the receiver only enqueued it */
	ck_assert_int_eq(gfx_int(&w,
	                     "SELECT count(*) FROM commands WHERE type = "
	                     "'oauth_exchange' AND status = 'pending'"),
	    1);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_TOKEN), 0);
	ck_assert(!gfx_connected(&w, ANN));

	/* the executor trades the code, with the verifier */
	gfx_sync(&w);
	ck_assert_int_eq(gfx_drain(&w), 1);
	gfx_assert_said(&w, ANN, "Google connected");
	ck_assert(gfx_connected(&w, ANN));
	ck_assert_int_eq(
	    fake_google_requests(w.g, FAKE_GOOGLE_TOKEN, &reqs, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(reqs[0].status, 200);
	wfx_assert_has(reqs[0].body, "grant_type=authorization_code");
	snprintf(v, sizeof(v), "code_verifier=%s", st.verifier);
	wfx_assert_has(reqs[0].body, v);
	fake_google_requests_free(reqs, n);
	fake_google_stats(w.g, &stats);
	ck_assert_uint_eq(stats.tokens_issued, 1);
	ck_assert_uint_eq(stats.token_errors, 0);

	/* sealed, not readable in the database files, the audit or the
	 * receiver's log */
	gfx_assert_tokens_hidden(&w, ANN, w.rx_log, NULL);
	settings =
	    gfx_text(&w, "SELECT settings FROM users WHERE id = %d", ANN);
	wfx_assert_has(settings, "\"backend\":\"google\"");
	free(settings);
	ck_assert_int_eq(gfx_audit(&w, "google_connected", ANN), 1);
	details = gfx_audit_details(&w, "google_connected");
	wfx_assert_has(details, "\"tasks\":true");
	wfx_assert_has(details, "\"calendar\":true");
	free(details);
	ck_assert_int_eq(store_oauth_state_get(w.x.f.q, state, &st), 1);
	ck_assert_int_ne(st.used_at_ms, 0);
	snprintf(v, sizeof(v), "oauth:%s", state);
	ck_assert_str_eq(gfx_effect(&w, v), "done");
	/* nothing else happened: one message, no draft, no task */
	ck_assert_int_eq(gfx_int(&w, "SELECT count(*) FROM drafts"), 0);
	ck_assert_int_eq(gfx_int(&w, "SELECT count(*) FROM tasks"), 0);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_ANY),
	    2); /* the consent page and the token call */

	explicit_bzero(&st, sizeof(st));
	free(link);
	gfx_close(&w);
}
END_TEST

/* The fake checks PKCE: a verifier that does not match the challenge in
 * the link is refused, and nothing is stored. */
START_TEST(connect_wrong_verifier_refused)
{
	char loc[2048], state[GAPI_STATE_MAX], other[GAPI_VERIFIER_MAX];
	char challenge[GAPI_CHALLENGE_MAX], *link;
	struct fake_google_stats stats;
	struct gfx w;

	gfx_open(&w, false);
	link = gfx_connect_link(&w, ANN);
	gfx_consent(link, loc, sizeof(loc));
	ck_assert(gfx_query(loc, "state", state, sizeof(state)));
	/* someone else's verifier behind this state */
	ck_assert_int_eq(gapi_pkce(other, challenge), 0);
	tu_sql_exec(w.x.h, "BEGIN");
	{
		char sql[512];

		snprintf(sql, sizeof(sql),
		    "UPDATE oauth_states SET verifier = '%s' WHERE state = "
		    "'%s'",
		    other, state);
		tu_sql_exec(w.x.h, sql);
	}
	tu_sql_exec(w.x.h, "COMMIT");
	gfx_deliver(&w, loc, NULL);
	ck_assert_int_eq(gfx_drain(&w), 1);

	fake_google_stats(w.g, &stats);
	ck_assert_uint_eq(stats.token_errors, 1);
	ck_assert_uint_eq(stats.tokens_issued, 0);
	ck_assert_uint_eq(gfx_answered(&w, FAKE_GOOGLE_TOKEN, 400), 1);
	ck_assert(!gfx_connected(&w, ANN));
	gfx_assert_said(&w, ANN, "Google sign-in didn't work");
	ck_assert_int_eq(gfx_audit(&w, "google_connect_failed", ANN), 1);
	ck_assert_int_eq(gfx_audit(&w, "google_connected", 0), 0);
	free(link);
	gfx_close(&w);
}
END_TEST

/* ---- 2. forged, malformed, reused and expired states ---- */

static long
callback(struct gfx *w, const char *query, char *page, size_t len)
{
	char url[1024];

	snprintf(
	    url, sizeof(url), "%s/oauth/google/callback?%s", w->rx_base, query);
	return gfx_http_get(url, page, len, NULL, 0);
}

static int64_t
exchanges(struct gfx *w)
{
	return gfx_int(
	    w, "SELECT count(*) FROM commands WHERE type = 'oauth_exchange'");
}

START_TEST(forged_and_malformed_state)
{
	static const char *const malformed[] = {
	    "code=4/0Acode&state=short",
	    "code=4/0Acode&state=abcdefghijklmnopqrstuvwxyz%21ABCDEFGHIJKLMNOP",
	    "state=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
	    "code=a%20b&state=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
	    "code=4/0Acode",
	};
	char state[GAPI_STATE_MAX], q[256], page[4096], *details;
	int64_t before;
	struct gfx w;

	gfx_open(&w, false);
	gfx_rx_start(&w);
	gfx_say(&w, ANN, "/start"); /* Ann is known, with a chat */

	/* a state nobody issued: taken by the receiver, refused by the
	 * executor, Google never asked */
	ck_assert_int_eq(gapi_random_token(state, sizeof(state)), 0);
	snprintf(q, sizeof(q), "code=4/0AforgedCode&state=%s", state);
	ck_assert_int_eq(callback(&w, q, page, sizeof(page)), 200);
	wfx_assert_has(page, "the sign-in reached draftbot");
	ck_assert_int_eq(exchanges(&w), 1);
	before = gfx_int(&w, "SELECT count(*) FROM outbox");
	gfx_sync(&w);
	ck_assert_int_eq(gfx_drain(&w), 1);
	ck_assert_int_eq(gfx_audit(&w, "oauth_state_rejected", 0), 1);
	details = gfx_audit_details(&w, "oauth_state_rejected");
	wfx_assert_has(details, "\"reason\":\"unknown\"");
	free(details);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_ANY), 0);
	ck_assert_int_eq(gfx_int(&w, "SELECT count(*) FROM credentials"), 0);
	ck_assert_int_eq(gfx_int(&w, "SELECT count(*) FROM outbox"), before);
	ck_assert_int_eq(gfx_int(&w,
	                     "SELECT count(*) FROM commands WHERE type = "
	                     "'oauth_exchange' AND status = 'completed'"),
	    1);

	/* malformed: a 400 page and nothing enqueued */
	for (size_t i = 0; i < sizeof(malformed) / sizeof(*malformed); i++) {
		ck_assert_msg(
		    callback(&w, malformed[i], page, sizeof(page)) == 400, "%s",
		    malformed[i]);
		wfx_assert_has(page, "not valid");
		ck_assert_int_eq(exchanges(&w), 1);
	}
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_ANY), 0);
	gfx_close(&w);
}
END_TEST

START_TEST(reused_state_one_exchange)
{
	char loc[2048], state[GAPI_STATE_MAX], page[4096], q[256], *link;
	char payload[512], key[128], *details;
	struct queue_new nw = {0};
	bool dup = false;
	struct gfx w;

	gfx_open(&w, false);
	gfx_rx_start(&w);
	link = gfx_connect_link(&w, ANN);
	gfx_consent(link, loc, sizeof(loc));
	ck_assert(gfx_query(loc, "state", state, sizeof(state)));

	/* the same redirect twice, and once more with another code: one
	 * command (keyed by the state) */
	ck_assert_int_eq(gfx_http_get(loc, page, sizeof(page), NULL, 0), 200);
	ck_assert_int_eq(gfx_http_get(loc, page, sizeof(page), NULL, 0), 200);
	snprintf(q, sizeof(q), "code=4/0AnotherCode&state=%s", state);
	ck_assert_int_eq(callback(&w, q, page, sizeof(page)), 200);
	ck_assert_int_eq(exchanges(&w), 1);
	gfx_sync(&w);
	ck_assert_int_eq(gfx_drain(&w), 1);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_TOKEN), 1);
	ck_assert(gfx_connected(&w, ANN));
	/* after it ran, a replay is still the same command */
	ck_assert_int_eq(gfx_http_get(loc, page, sizeof(page), NULL, 0), 200);
	ck_assert_int_eq(exchanges(&w), 1);
	ck_assert_int_eq(gfx_drain(&w), 0);

	/* the same state in a command of another key (not through the
	 * receiver): the state is used, refused, Ann told */
	snprintf(key, sizeof(key), "oauth:replay:%s", state);
	snprintf(payload, sizeof(payload),
	    "{\"state\":\"%s\",\"code\":\"4/0AnotherCode\"}", state);
	nw.type = "oauth_exchange";
	nw.key = key;
	nw.payload = payload;
	ck_assert_int_eq(queue_enqueue(w.x.f.q, &nw, NULL, &dup), 0);
	ck_assert(!dup);
	ck_assert_int_eq(gfx_drain(&w), 1);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_TOKEN), 1);
	ck_assert_int_eq(gfx_audit(&w, "oauth_state_rejected", ANN), 1);
	details = gfx_audit_details(&w, "oauth_state_rejected");
	wfx_assert_has(details, "\"reason\":\"used\"");
	free(details);
	gfx_assert_said(&w, ANN, "already used");
	ck_assert_int_eq(gfx_audit(&w, "google_connected", ANN), 1);
	free(link);
	gfx_close(&w);
}
END_TEST

START_TEST(expired_state_refused)
{
	char loc[2048], page[4096], *link, *details;
	struct gfx w;

	gfx_open(&w, false);
	gfx_rx_start(&w);
	link = gfx_connect_link(&w, BOB);
	gfx_consent(link, loc, sizeof(loc));
	/* Bob comes back 11 minutes later */
	gfx_sync(&w);
	gfx_tick(&w, 11 * GFX_MIN_MS);
	ck_assert_int_eq(gfx_http_get(loc, page, sizeof(page), NULL, 0), 200);
	ck_assert_int_eq(gfx_drain(&w), 1);
	ck_assert_int_eq(gfx_audit(&w, "oauth_state_rejected", BOB), 1);
	details = gfx_audit_details(&w, "oauth_state_rejected");
	wfx_assert_has(details, "\"reason\":\"expired\"");
	free(details);
	gfx_assert_said(&w, BOB, "That Google sign-in link expired");
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_TOKEN), 0);
	ck_assert(!gfx_connected(&w, BOB));
	free(link);
	gfx_close(&w);
}
END_TEST

/* Ann presses Cancel on Google's consent screen: told, the state used
 * up, Google's token endpoint never asked. */
START_TEST(consent_denied)
{
	char loc[2048], state[GAPI_STATE_MAX], q[256], page[4096], *link;
	char *details;
	bool dup = false;
	struct gfx w;

	gfx_open(&w, false);
	gfx_rx_start(&w);
	link = gfx_connect_link(&w, ANN);
	ck_assert(gfx_query(link, "state", state, sizeof(state)));
	snprintf(q, sizeof(q), "error=access_denied&state=%s", state);
	ck_assert_int_eq(callback(&w, q, page, sizeof(page)), 200);
	gfx_sync(&w);
	ck_assert_int_eq(gfx_drain(&w), 1);
	gfx_assert_said(&w, ANN, "You didn't allow access to Google");
	ck_assert_int_eq(gfx_audit(&w, "google_connect_failed", ANN), 1);
	details = gfx_audit_details(&w, "google_connect_failed");
	wfx_assert_has(details, "access_denied");
	free(details);
	ck_assert(!gfx_connected(&w, ANN));
	/* a code for this state afterwards is the same command (its key
	 * is the state): nothing more runs */
	gfx_consent(link, loc, sizeof(loc));
	gfx_deliver(&w, loc, &dup);
	ck_assert(dup);
	ck_assert_int_eq(gfx_drain(&w), 0);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_TOKEN), 0);
	ck_assert(!gfx_connected(&w, ANN));
	free(link);
	gfx_close(&w);
}
END_TEST

/* ---- 3. a task with subtasks ---- */

START_TEST(task_with_subtasks_once)
{
	char key[64], *card, *details;
	struct fake_google_req *reqs = NULL;
	size_t n = 0;
	int64_t d;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	fake_google_clear_requests(w.g);
	d = gfx_draft(&w, ANN, PACK);
	ck_assert_str_eq(gfx_status(&w, d), "drafted");
	/* nothing reaches Google before Confirm; the card says where it
	 * goes */
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_ANY), 0);
	gfx_assert_said(&w, ANN, "Goes to Google Tasks");

	/* two presses before the write runs: one write */
	gfx_press_draft(&w, ANN, d, 'c', false);
	gfx_press_draft(&w, ANN, d, 'c', false);
	gfx_drain(&w);
	gfx_assert_said(&w, ANN, "This task is being saved");
	card = gfx_out_find(&w, ANN, "editMessageText", NULL);
	wfx_assert_has(card, "Saved to Google Tasks");
	free(card);
	ck_assert_int_eq(gfx_int(&w,
	                     "SELECT count(*) FROM commands WHERE type = "
	                     "'effect'"),
	    1);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_TASKS_INSERT), 4);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 4);
	gfx_assert_pack_written(&w, d);
	gfx_assert_task_done(&w, ANN, d);
	ck_assert_int_eq(gfx_audit(&w, "draft_confirmed", ANN), 1);
	details = gfx_audit_details(&w, "task_executed");
	wfx_assert_has(details, "\"subtasks\":3");
	free(details);
	/* the subtasks were made under their parent (?parent=) */
	ck_assert_int_eq(
	    fake_google_requests(w.g, FAKE_GOOGLE_TASKS_INSERT, &reqs, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_ptr_null(strstr(reqs[0].query, "parent="));
	for (size_t i = 1; i < n; i++)
		wfx_assert_has(reqs[i].query, "parent=");
	fake_google_requests_free(reqs, n);
	gfx_effect_key(key, sizeof(key), d, "gtask");
	card = gfx_text(
	    &w, "SELECT remote_id FROM effects WHERE effect_key = '%s'", key);
	ck_assert_int_eq((int)(strchr(card, ',') != NULL), 1);
	free(card);

	/* Confirm again on the saved card: told so, nothing more */
	gfx_press_draft(&w, ANN, d, 'c', true);
	gfx_assert_said(&w, ANN, "Already saved");
	ck_assert_int_eq(gfx_int(&w,
	                     "SELECT count(*) FROM commands WHERE type = "
	                     "'effect'"),
	    1);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_TASKS_INSERT), 4);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 4);
	ck_assert_int_eq(gfx_audit(&w, "task_executed", ANN), 1);
	gfx_close(&w);
}
END_TEST

/* An event: the id from the draft, the time zone, the marker. */
START_TEST(event_once)
{
	struct fake_google_event *e = NULL;
	char key[64], id[GAPI_EVENT_ID_MAX], *details;
	size_t n = 0;
	int64_t d;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	fake_google_clear_requests(w.g);
	d = gfx_draft(&w, ANN, DINNER);
	ck_assert_int_eq(gfx_int(&w,
	                     "SELECT count(*) FROM drafts WHERE id = %" PRId64
	                     " AND kind = 'event'",
	                     d),
	    1);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_EVENTS_INSERT), 0);
	gfx_press_draft(&w, ANN, d, 'c', true);
	gfx_effect_key(key, sizeof(key), d, "gevent");
	ck_assert_str_eq(gfx_effect(&w, key), "done");
	ck_assert_str_eq(gfx_status(&w, d), "executed");
	ck_assert_int_eq(fake_google_events(w.g, &e, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(gapi_event_id(key, id, sizeof(id)), 0);
	ck_assert_str_eq(e[0].id, id);
	ck_assert_str_eq(e[0].draftbot, key);
	ck_assert_str_eq(e[0].status, "confirmed");
	wfx_assert_has(e[0].summary, "Dinner");
	wfx_assert_has(e[0].start, "T20:00:00");
	ck_assert_ptr_nonnull(e[0].time_zone);
	ck_assert_str_eq(e[0].time_zone, "UTC");
	fake_google_events_free(e, n);
	ck_assert_int_eq(gfx_int(&w, "SELECT count(*) FROM events"), 0);
	ck_assert_int_eq(gfx_audit(&w, "event_executed", ANN), 1);
	details = gfx_audit_details(&w, "event_executed");
	wfx_assert_has(details, "\"target\":\"google_calendar\"");
	free(details);
	gfx_press_draft(&w, ANN, d, 'c', true);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_EVENTS_INSERT), 1);
	gfx_close(&w);
}
END_TEST

/* Before Confirm, the event card names what overlaps it in Google
 * Calendar (read only: nothing is written). */
START_TEST(event_card_shows_google_overlap)
{
	char start[40], end[40], *date, *card;
	int64_t d;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	gfx_say_enqueue(&w, ANN, DINNER);
	/* the message only: the draft is made, its overlaps check waits */
	ck_assert_int_eq(gfx_run_one(&w), 1);
	d = gfx_int(&w, "SELECT max(id) FROM drafts");
	ck_assert_int_gt(d, 0);
	wfx_deliver_card(&w.x, d);
	date = gfx_text(&w,
	    "SELECT json_extract(draft, '$.start_date') FROM drafts WHERE id "
	    "= %" PRId64,
	    d);
	ck_assert_uint_eq(strlen(date), 10);
	snprintf(start, sizeof(start), "%sT19:30:00Z", date);
	snprintf(end, sizeof(end), "%sT20:30:00Z", date);
	free(date);
	ck_assert_int_eq(
	    fake_google_add_event(w.g, "Team sync", start, end), 0);
	fake_google_clear_requests(w.g);
	gfx_drain(&w);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_EVENTS_LIST), 1);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_EVENTS_INSERT), 0);
	card = gfx_out_find(&w, ANN, "editMessageText", "overlaps");
	ck_assert_msg(card != NULL, "no card edit names the overlap");
	wfx_assert_has(card, "Team sync 19:30");
	free(card);
	ck_assert_str_eq(gfx_status(&w, d), "drafted");
	ck_assert_int_eq(gfx_events(&w, NULL), 1);
	gfx_close(&w);
}
END_TEST

/* What Google keeps of each kind: an all-day event as dates (the end
 * exclusive), a weekly one with its RRULE and the person's zone, a task's
 * time in its notes (Tasks keeps only the date). */
START_TEST(kinds_as_google_keeps_them)
{
	struct fake_google_event *e = NULL;
	struct fake_google_task *t = NULL;
	size_t n = 0;
	int64_t a, r, k;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	gfx_say(&w, ANN, "/tz Europe/Berlin");
	a = gfx_draft(&w, ANN, "/event conference on 5 december");
	gfx_press_draft(&w, ANN, a, 'c', true);
	r = gfx_draft(&w, ANN, "/event team sync every monday 10am");
	gfx_press_draft(&w, ANN, r, 'c', true);
	k = gfx_draft(&w, ANN, "call the plumber tomorrow at 5pm");
	gfx_press_draft(&w, ANN, k, 'c', true);
	ck_assert_str_eq(gfx_status(&w, a), "executed");
	ck_assert_str_eq(gfx_status(&w, r), "executed");
	ck_assert_str_eq(gfx_status(&w, k), "executed");

	ck_assert_int_eq(fake_google_events(w.g, &e, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(e[0].all_day);
	ck_assert_uint_eq(strlen(e[0].start), 10);
	wfx_assert_has(e[0].start, "-12-05");
	wfx_assert_has(e[0].end, "-12-06");
	ck_assert(!e[1].all_day);
	wfx_assert_has(e[1].start, "T10:00:00");
	ck_assert_ptr_nonnull(e[1].time_zone);
	ck_assert_str_eq(e[1].time_zone, "Europe/Berlin");
	ck_assert_ptr_nonnull(e[1].recurrence);
	wfx_assert_has(e[1].recurrence, "RRULE:FREQ=WEEKLY;BYDAY=MO");
	fake_google_events_free(e, n);

	ck_assert_int_eq(fake_google_tasks(w.g, NULL, &t, &n), 0);
	ck_assert_uint_eq(n, 1);
	wfx_assert_has(t[0].notes, "17:00");
	ck_assert_ptr_nonnull(t[0].due);
	wfx_assert_has(t[0].due, "T00:00:00.000Z");
	fake_google_tasks_free(t, n);
	gfx_close(&w);
}
END_TEST

/* ---- 4. the executor killed between intent and done ---- */

struct effect_wait {
	char key[64];
	const char *state;
};

static bool
effect_is(struct gfx *w, void *arg)
{
	struct effect_wait *e = arg;

	return strcmp(gfx_effect(w, e->key), e->state) == 0;
}

/* No command waits or runs. */
static bool
queue_idle(struct gfx *w, void *arg)
{
	(void)arg;
	return gfx_int(w,
	           "SELECT count(*) FROM commands WHERE status IN ('pending', "
	           "'processing', 'failed')") == 0;
}

static bool
outbox_settled(struct gfx *w, void *arg)
{
	(void)arg;
	return gfx_int(w,
	           "SELECT count(*) FROM outbox WHERE status IN ('pending', "
	           "'processing', 'failed')") == 0;
}

/*
 * Start a process case: the relay in front of the fake for Tasks and
 * Calendar, Ann connected (in-process, before any executor runs), then
 * the executor.
 */
static struct relay *
crash_setup(struct gfx *w)
{
	struct relay *r;

	gfx_open(w, true);
	r = relay_start(fake_google_port(w->g));
	snprintf(w->tasks_url, sizeof(w->tasks_url),
	    "http://127.0.0.1:%u/tasks/v1", (unsigned)relay_port(r));
	snprintf(w->calendar_url, sizeof(w->calendar_url),
	    "http://127.0.0.1:%u/calendar/v3", (unsigned)relay_port(r));
	gfx_set(w, "google_tasks_url", w->tasks_url);
	gfx_set(w, "google_calendar_url", w->calendar_url);
	gfx_connect(w, ANN);
	gfx_exec_start(w);
	return r;
}

/* Confirm d and SIGKILL the executor while its first Google write is at
 * the fake (delayed there), after the intent was committed. */
static void
kill_in_flight(struct gfx *w, struct relay *r, int64_t d, const char *prefix,
    const char *kind)
{
	struct effect_wait ew = {.state = "intent"};
	uint64_t mark = relay_bytes(r);

	gfx_effect_key(ew.key, sizeof(ew.key), d, kind);
	ck_assert_int_eq(fake_google_set_delay(w->g, prefix, 1500), 0);
	gfx_press_draft(w, ANN, d, 'c', false);
	ck_assert_msg(relay_wait_bytes(r, mark, GFX_HANG_MS),
	    "the write never reached Google");
	/* the intent is on disk before Google hears of the write */
	ck_assert_str_eq(gfx_effect(w, ew.key), "intent");
	ck_assert_int_eq(gfx_exec_stop(w, SIGKILL), 128 + SIGKILL);
	ck_assert_int_eq(fake_google_set_delay(w->g, prefix, 0), 0);
}

START_TEST(crash_mid_task_write)
{
	struct effect_wait done = {.state = "done"};
	char marker[96];
	struct relay *r;
	size_t lists_before;
	int64_t d;
	struct gfx w;

	r = crash_setup(&w);
	d = gfx_draft(&w, ANN, PACK);
	gfx_wait(&w, queue_idle, NULL, "the commands to finish");
	fake_google_clear_requests(w.g);
	kill_in_flight(&w, r, d, "/tasks/v1/lists/", "gtask");

	/* Google made the parent task though nobody heard of it */
	ck_assert_int_eq(fake_google_wait_count(
	                     w.g, FAKE_GOOGLE_TASKS_INSERT, 1, GFX_HANG_MS),
	    0);
	gfx_task_marker(marker, sizeof(marker), d, -1);
	ck_assert_int_eq(gfx_live_tasks(&w, marker), 1);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 1);
	ck_assert_str_eq(gfx_status(&w, d), "confirmed");
	lists_before = fake_google_count(w.g, FAKE_GOOGLE_TASKS_LIST);

	/* a new executor finds it by its marker and makes the rest */
	gfx_exec_start(&w);
	gfx_effect_key(done.key, sizeof(done.key), d, "gtask");
	gfx_wait(&w, effect_is, &done, "the effect to be done");
	gfx_wait(&w, outbox_settled, NULL, "the outbox to settle");
	ck_assert_int_eq(gfx_live_tasks(&w, marker), 1);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 4);
	gfx_assert_pack_written(&w, d);
	ck_assert_uint_gt(
	    fake_google_count(w.g, FAKE_GOOGLE_TASKS_LIST), lists_before);
	/* the parent once before the crash, the three children after */
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_TASKS_INSERT), 4);
	gfx_assert_task_done(&w, ANN, d);
	gfx_assert_tokens_hidden(&w, ANN, w.exec_log, NULL);
	ck_assert_int_eq(gfx_exec_stop(&w, SIGTERM), 0);
	relay_stop(r);
	gfx_close(&w);
}
END_TEST

START_TEST(crash_mid_event_write)
{
	struct effect_wait done = {.state = "done"};
	struct fake_google_event *e = NULL;
	char *details;
	struct relay *r;
	size_t n = 0;
	int64_t d;
	struct gfx w;

	r = crash_setup(&w);
	d = gfx_draft(&w, ANN, DINNER);
	/* its overlaps check (Calendar) is over before the write begins */
	gfx_wait(&w, queue_idle, NULL, "the commands to finish");
	fake_google_clear_requests(w.g);
	kill_in_flight(&w, r, d, "/calendar/v3/calendars/", "gevent");
	ck_assert_int_eq(fake_google_wait_count(
	                     w.g, FAKE_GOOGLE_EVENTS_INSERT, 1, GFX_HANG_MS),
	    0);
	ck_assert_int_eq(gfx_events(&w, NULL), 1);
	ck_assert_str_eq(gfx_status(&w, d), "confirmed");

	/* the retry meets its own event (409), checks the marker: done */
	gfx_exec_start(&w);
	gfx_effect_key(done.key, sizeof(done.key), d, "gevent");
	gfx_wait(&w, effect_is, &done, "the effect to be done");
	gfx_wait(&w, outbox_settled, NULL, "the outbox to settle");
	ck_assert_int_eq(fake_google_events(w.g, &e, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(e[0].draftbot, done.key);
	ck_assert_str_eq(e[0].status, "confirmed");
	fake_google_events_free(e, n);
	ck_assert_uint_eq(gfx_answered(&w, FAKE_GOOGLE_EVENTS_INSERT, 409), 1);
	ck_assert_uint_eq(gfx_answered(&w, FAKE_GOOGLE_EVENTS_GET, 200), 1);
	ck_assert_str_eq(gfx_status(&w, d), "executed");
	ck_assert_int_eq(gfx_audit(&w, "event_executed", ANN), 1);
	details = gfx_audit_details(&w, "event_executed");
	wfx_assert_has(details, "\"target\":\"google_calendar\"");
	free(details);
	gfx_assert_tokens_hidden(&w, ANN, w.exec_log, NULL);
	ck_assert_int_eq(gfx_exec_stop(&w, SIGTERM), 0);
	relay_stop(r);
	gfx_close(&w);
}
END_TEST

/*
 * The write done at Google, its answer lost (in-process): whoever retries
 * — the HTTP client or the queue — must find the task by its marker and
 * the event by its id (409), never write a second one.
 */
START_TEST(ambiguous_write_reconciled)
{
	char marker[96], key[64];
	int64_t d, e;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	d = gfx_draft(&w, ANN, PACK);
	ck_assert_int_eq(fake_google_hold_next(w.g, "/tasks/v1/lists/"), 0);
	gfx_press_draft(&w, ANN, d, 'c', false);
	gfx_settle_effect(&w);
	gfx_task_marker(marker, sizeof(marker), d, -1);
	ck_assert_msg(gfx_parent_inserts(&w) == 1,
	    "the parent task was POSTed %zu times (a POST whose answer was "
	    "lost was sent again)",
	    gfx_parent_inserts(&w));
	ck_assert_int_eq(gfx_live_tasks(&w, marker), 1);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 4);
	gfx_assert_pack_written(&w, d);
	gfx_assert_task_done(&w, ANN, d);

	e = gfx_draft(&w, ANN, DINNER);
	ck_assert_int_eq(
	    fake_google_hold_next(w.g, "/calendar/v3/calendars/"), 0);
	gfx_press_draft(&w, ANN, e, 'c', false);
	gfx_settle_effect(&w);
	gfx_effect_key(key, sizeof(key), e, "gevent");
	ck_assert_str_eq(gfx_effect(&w, key), "done");
	ck_assert_int_eq(gfx_events(&w, NULL), 1);
	ck_assert_uint_eq(gfx_answered(&w, FAKE_GOOGLE_EVENTS_INSERT, 409), 1);
	ck_assert_str_eq(gfx_status(&w, e), "executed");
	gfx_close(&w);
}
END_TEST

/* ---- 5. errors ---- */

START_TEST(unauthorized_refreshes_once)
{
	struct gapi_tokens before, after;
	struct fake_google_stats st;
	int64_t d;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	ck_assert_int_eq(gfx_tokens(&w, ANN, &before), 1);
	d = gfx_draft(&w, ANN, PACK);
	fake_google_fail_next(w.g, 1, 401);
	gfx_press_draft(&w, ANN, d, 'c', true);
	fake_google_stats(w.g, &st);
	ck_assert_uint_eq(st.tokens_refreshed, 1);
	ck_assert_uint_eq(gfx_answered(&w, FAKE_GOOGLE_TASKS_INSERT, 401), 1);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 4);
	gfx_assert_pack_written(&w, d);
	gfx_assert_task_done(&w, ANN, d);
	/* the new access token was kept (sealed), the refresh token too */
	ck_assert_int_eq(gfx_tokens(&w, ANN, &after), 1);
	ck_assert_str_ne(after.access_token, before.access_token);
	ck_assert_str_eq(after.refresh_token, before.refresh_token);
	gfx_assert_tokens_hidden(&w, ANN, NULL, NULL);
	gapi_tokens_wipe(&before);
	gapi_tokens_wipe(&after);
	gfx_close(&w);
}
END_TEST

START_TEST(invalid_grant_waits_for_connect)
{
	struct gapi_tokens t;
	char form[700], key[64], *details;
	int64_t d;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	d = gfx_draft(&w, ANN, PACK);
	/* Ann removes draftbot in her Google account: the grant is gone */
	ck_assert_int_eq(gfx_tokens(&w, ANN, &t), 1);
	snprintf(form, sizeof(form), "token=%s", t.refresh_token);
	gapi_tokens_wipe(&t);
	ck_assert_int_eq(
	    gfx_http_post_form(fake_google_revoke_url(w.g), form), 200);
	explicit_bzero(form, sizeof(form));

	gfx_press_draft(&w, ANN, d, 'c', true);
	gfx_assert_said(&w, ANN, "send /connect");
	ck_assert_str_eq(gfx_status(&w, d), "confirmed");
	ck_assert_int_eq(gfx_audit(&w, "google_reauth_needed", ANN), 1);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 0);
	ck_assert_uint_eq(gfx_answered(&w, FAKE_GOOGLE_TOKEN, 400), 1);
	ck_assert_int_eq(gfx_int(&w,
	                     "SELECT count(*) FROM commands WHERE type = "
	                     "'effect' AND status = 'completed'"),
	    1);
	ck_assert_int_eq(gfx_audit(&w, "task_executed", 0), 0);

	/* connected again: the waiting draft is written */
	gfx_connect(&w, ANN);
	gfx_assert_said(&w, ANN, "Saving the drafts you confirmed meanwhile");
	details = gfx_audit_details(&w, "google_connected");
	wfx_assert_has(details, "\"resumed\":1");
	free(details);
	gfx_effect_key(key, sizeof(key), d, "gtask");
	ck_assert_str_eq(gfx_effect(&w, key), "done");
	gfx_assert_pack_written(&w, d);
	gfx_assert_task_done(&w, ANN, d);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 4);
	gfx_close(&w);
}
END_TEST

START_TEST(rate_limited_retried_later)
{
	char key[64];
	int64_t d;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	d = gfx_draft(&w, ANN, PACK);
	gfx_effect_key(key, sizeof(key), d, "gtask");

	fake_google_fail_next(w.g, 1, 429);
	gfx_press_draft(&w, ANN, d, 'c', true);
	gfx_assert_retry_later(&w, 1);
	ck_assert_str_eq(gfx_status(&w, d), "confirmed");
	ck_assert_str_eq(gfx_effect(&w, key), "intent");
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 0);
	ck_assert_int_eq(gfx_audit(&w, "command_retry", 0), 1);
	/* nothing runs before its time */
	ck_assert_int_eq(gfx_drain(&w), 0);

	/* then 403 rateLimitExceeded */
	fake_google_fail_next(w.g, 1, 403);
	gfx_to_retry(&w);
	ck_assert_int_eq(gfx_drain(&w), 1);
	gfx_assert_retry_later(&w, 2);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 0);

	gfx_to_retry(&w);
	ck_assert_int_eq(gfx_drain(&w), 1);
	gfx_assert_pack_written(&w, d);
	gfx_assert_task_done(&w, ANN, d);
	ck_assert_uint_eq(gfx_answered(&w, FAKE_GOOGLE_TASKS_INSERT, 200), 4);
	gfx_close(&w);
}
END_TEST

/* 5xx are worth a retry, like 429 (a dropped answer: see
 * ambiguous_write_reconciled). */
START_TEST(server_errors_retried)
{
	static const int faults[] = {500, 503, 502};
	int64_t d;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	d = gfx_draft(&w, ANN, PACK);
	fake_google_fail_next(w.g, 1, faults[0]);
	gfx_press_draft(&w, ANN, d, 'c', true);
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(gfx_int(&w,
		                  "SELECT count(*) FROM commands WHERE type = "
		                  "'effect' AND status = 'dead'") == 0,
		    "a %d from Google killed the write", faults[i]);
		gfx_assert_retry_later(&w, i + 1);
		ck_assert_str_eq(gfx_status(&w, d), "confirmed");
		if (i + 1 < 3)
			fake_google_fail_next(w.g, 1, faults[i + 1]);
		gfx_to_retry(&w);
		ck_assert_int_eq(gfx_drain(&w), 1);
	}
	gfx_assert_pack_written(&w, d);
	gfx_assert_task_done(&w, ANN, d);
	/* the person heard of no failure */
	ck_assert_ptr_null(gfx_out_find(&w, ANN, "sendMessage", "Sorry"));
	gfx_close(&w);
}
END_TEST

START_TEST(google_refuses_draft)
{
	static const char body[] =
	    "{\"error\":{\"code\":400,\"message\":\"Invalid task title.\","
	    "\"errors\":[{\"domain\":\"global\",\"reason\":\"invalid\","
	    "\"message\":\"Invalid task title.\"}],\"status\":"
	    "\"INVALID_ARGUMENT\"}}";
	char key[64], confirm[48], *card, *details;
	int64_t d;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	d = gfx_draft(&w, ANN, PACK);
	ck_assert_int_eq(
	    fake_google_set_next_reply(w.g, "/tasks/v1/lists/", 400, body), 0);
	gfx_press_draft(&w, ANN, d, 'c', true);
	ck_assert_str_eq(gfx_status(&w, d), "drafted");
	gfx_assert_said(
	    &w, ANN, "Google didn't accept this: Invalid task title.");
	gfx_effect_key(key, sizeof(key), d, "gtask");
	ck_assert_str_eq(gfx_effect(&w, key), "failed");
	ck_assert_int_eq(gfx_audit(&w, "effect_failed", ANN), 1);
	details = gfx_audit_details(&w, "effect_failed");
	wfx_assert_has(details, "\"status\":400");
	free(details);
	ck_assert_int_eq(gfx_audit(&w, "task_executed", 0), 0);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 0);
	/* the card is a draft again, with its Confirm button */
	card = gfx_text(&w,
	    "SELECT payload FROM outbox WHERE type = 'editMessageText' AND "
	    "chat_id = %d ORDER BY id DESC LIMIT 1",
	    ANN);
	snprintf(confirm, sizeof(confirm), "d:%" PRId64 ":c", d);
	wfx_assert_has(card, confirm);
	free(card);

	/* Confirm again: written */
	gfx_press_draft(&w, ANN, d, 'c', true);
	gfx_assert_pack_written(&w, d);
	gfx_assert_task_done(&w, ANN, d);
	gfx_close(&w);
}
END_TEST

/* ---- 6. undo ---- */

START_TEST(undo_deletes_at_google)
{
	struct fake_google_req *reqs = NULL;
	char key[64], *details, *card;
	size_t n = 0;
	int64_t d, e;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	d = gfx_draft(&w, ANN, PACK);
	gfx_press_draft(&w, ANN, d, 'c', true);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 4);
	fake_google_clear_requests(w.g);
	gfx_press_draft(&w, ANN, d, 'u', true);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 0);
	ck_assert_int_eq(gfx_deleted_tasks(&w), 4);
	/* the subtasks first, their parent last */
	ck_assert_int_eq(
	    fake_google_requests(w.g, FAKE_GOOGLE_TASKS_DELETE, &reqs, &n), 0);
	ck_assert_uint_eq(n, 4);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(reqs[i].status, 204);
	fake_google_requests_free(reqs, n);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_TASKS_INSERT), 0);
	ck_assert_str_eq(gfx_status(&w, d), "undone");
	gfx_effect_key(key, sizeof(key), d, "gtask");
	ck_assert_str_eq(gfx_effect(&w, key), "undone");
	ck_assert_int_eq(gfx_audit(&w, "task_undone", ANN), 1);
	details = gfx_audit_details(&w, "task_undone");
	wfx_assert_has(details, "\"target\":\"google_tasks\"");
	free(details);
	card = gfx_text(&w,
	    "SELECT payload FROM outbox WHERE type = 'editMessageText' AND "
	    "chat_id = %d ORDER BY id DESC LIMIT 1",
	    ANN);
	wfx_assert_has(card, "Undone");
	free(card);

	e = gfx_draft(&w, ANN, DINNER);
	gfx_press_draft(&w, ANN, e, 'c', true);
	ck_assert_int_eq(gfx_events(&w, "confirmed"), 1);
	gfx_press_draft(&w, ANN, e, 'u', true);
	ck_assert_int_eq(gfx_events(&w, "confirmed"), 0);
	ck_assert_int_eq(gfx_events(&w, "cancelled"), 1);
	ck_assert_uint_eq(gfx_answered(&w, FAKE_GOOGLE_EVENTS_DELETE, 204), 1);
	ck_assert_str_eq(gfx_status(&w, e), "undone");
	gfx_effect_key(key, sizeof(key), e, "gevent");
	ck_assert_str_eq(gfx_effect(&w, key), "undone");
	ck_assert_int_eq(gfx_audit(&w, "event_undone", ANN), 1);
	gfx_close(&w);
}
END_TEST

START_TEST(undo_already_gone)
{
	static const char gone404[] =
	    "{\"error\":{\"code\":404,\"message\":\"Task not found.\","
	    "\"errors\":[{\"domain\":\"global\",\"reason\":\"notFound\","
	    "\"message\":\"Task not found.\"}],\"status\":\"NOT_FOUND\"}}";
	static const char gone410[] =
	    "{\"error\":{\"code\":410,\"message\":\"Resource has been "
	    "deleted\",\"errors\":[{\"domain\":\"global\",\"reason\":"
	    "\"deleted\",\"message\":\"Resource has been deleted\"}]}}";
	char key[64];
	int64_t d, e, late;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	d = gfx_draft(&w, ANN, PACK);
	gfx_press_draft(&w, ANN, d, 'c', true);
	e = gfx_draft(&w, ANN, DINNER);
	gfx_press_draft(&w, ANN, e, 'c', true);
	late = gfx_draft(&w, ANN, "call the bank tomorrow");
	gfx_press_draft(&w, ANN, late, 'c', true);
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 5);

	/* deleted in Google already (404 for each task, 410 for the
	 * event): counted as gone */
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(fake_google_set_next_reply(
		                     w.g, "/tasks/v1/lists/", 404, gone404),
		    0);
	gfx_press_draft(&w, ANN, d, 'u', true);
	ck_assert_str_eq(gfx_status(&w, d), "undone");
	gfx_effect_key(key, sizeof(key), d, "gtask");
	ck_assert_str_eq(gfx_effect(&w, key), "undone");
	ck_assert_int_eq(gfx_audit(&w, "task_undone", ANN), 1);
	ck_assert_int_eq(fake_google_set_next_reply(
	                     w.g, "/calendar/v3/calendars/", 410, gone410),
	    0);
	gfx_press_draft(&w, ANN, e, 'u', true);
	ck_assert_str_eq(gfx_status(&w, e), "undone");
	ck_assert_int_eq(gfx_audit(&w, "event_undone", ANN), 1);
	ck_assert_ptr_null(gfx_out_find(&w, ANN, "sendMessage", "Sorry"));

	/* past the Undo window: nothing is deleted */
	gfx_tick(&w, 11 * GFX_MIN_MS);
	gfx_press_draft(&w, ANN, late, 'u', true);
	gfx_assert_said(&w, ANN, "Undo is no longer available");
	ck_assert_str_eq(gfx_status(&w, late), "executed");
	ck_assert_int_eq(gfx_live_tasks(&w, NULL), 5);
	gfx_close(&w);
}
END_TEST

/* ---- 7. /disconnect and the operator's commands ---- */

START_TEST(disconnect_revokes)
{
	struct gapi_tokens t;
	struct fake_google_stats st;
	char form[700], *details, *settings;
	int64_t d;
	struct gfx w;

	gfx_open(&w, false);
	gfx_connect(&w, ANN);
	ck_assert_int_eq(gfx_tokens(&w, ANN, &t), 1);
	gfx_say(&w, ANN, "/disconnect");
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_REVOKE), 1);
	fake_google_stats(w.g, &st);
	ck_assert_uint_eq(st.tokens_revoked, 1);
	ck_assert(!gfx_connected(&w, ANN));
	gfx_assert_said(&w, ANN, "Google disconnected and its access revoked");
	ck_assert_int_eq(gfx_audit(&w, "google_disconnected", ANN), 1);
	details = gfx_audit_details(&w, "google_disconnected");
	wfx_assert_has(details, "\"revoked\":true");
	free(details);
	settings =
	    gfx_text(&w, "SELECT settings FROM users WHERE id = %d", ANN);
	wfx_assert_has(settings, "\"backend\":\"local\"");
	free(settings);
	/* the grant is dead at Google */
	snprintf(form, sizeof(form),
	    "grant_type=refresh_token&refresh_token=%s&client_id=%s&"
	    "client_secret=%s",
	    t.refresh_token, FAKE_GOOGLE_CLIENT_ID, FAKE_GOOGLE_CLIENT_SECRET);
	gapi_tokens_wipe(&t);
	ck_assert_int_eq(
	    gfx_http_post_form(fake_google_token_url(w.g), form), 400);
	explicit_bzero(form, sizeof(form));
	/* a second /disconnect: nothing to do */
	gfx_say(&w, ANN, "/disconnect");
	gfx_assert_said(&w, ANN, "Google isn't connected");
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_REVOKE), 1);

	/* confirmed things go to draftbot's own list again */
	fake_google_clear_requests(w.g);
	d = gfx_draft(&w, ANN, PACK);
	gfx_press_draft(&w, ANN, d, 'c', true);
	ck_assert_str_eq(gfx_status(&w, d), "executed");
	ck_assert_int_eq(gfx_int(&w, "SELECT count(*) FROM tasks"), 4);
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_ANY), 0);
	gfx_close(&w);
}
END_TEST

/* `draftbot user show ID --json`: google_connected. */
static bool
shown_connected(struct gfx *w, int64_t user)
{
	char id[24], out[4096] = "", err[1024] = "";
	const char *argv[] = {"user", "show", id, "--json", NULL};
	struct json_object *o, *v;
	bool yes;

	snprintf(id, sizeof(id), "%" PRId64, user);
	ck_assert_msg(gfx_run(w, argv, out, sizeof(out), err, sizeof(err)) == 0,
	    "user show: %s", err);
	o = json_tokener_parse(out);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "google_connected", &v));
	yes = json_object_get_boolean(v);
	json_object_put(o);
	return yes;
}

static void
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

START_TEST(import_token_cli)
{
	char refresh[FAKE_GOOGLE_TOKEN_MAX], file[400], line[512];
	char out[4096], err[4096], *settings;
	const char *argv[] = {"google", "import-token", "--user", "777",
	    "--refresh-token-file", file, NULL};
	struct gapi_tokens t;
	struct gfx w;

	gfx_open(&w, false);
	ck_assert_int_eq(fake_google_grant(w.g, NULL, NULL, refresh), 0);
	tu_path(file, sizeof(file), w.x.f.dir, "refresh.txt");
	snprintf(line, sizeof(line), "%s\n", refresh);
	write_file(file, line);
	ck_assert_msg(
	    gfx_run(&w, argv, out, sizeof(out), err, sizeof(err)) == 0,
	    "import-token: %s", err);
	wfx_assert_has(out, "Google connected for user 777");
	ck_assert(gfx_connected(&w, 777));
	ck_assert_int_eq(gfx_tokens(&w, 777, &t), 1);
	ck_assert_str_eq(t.refresh_token, refresh);
	gapi_tokens_wipe(&t);
	ck_assert(!gfx_db_has(&w, refresh));
	ck_assert_ptr_null(strstr(out, refresh));
	ck_assert_ptr_null(strstr(err, refresh));
	settings = gfx_text(&w, "SELECT settings FROM users WHERE id = 777");
	wfx_assert_has(settings, "\"backend\":\"google\"");
	free(settings);
	ck_assert_int_eq(gfx_audit(&w, "google_connected", 777), 1);
	ck_assert(shown_connected(&w, 777));
	ck_assert_uint_eq(fake_google_count(w.g, FAKE_GOOGLE_TOKEN), 1);

	/* a token Google does not know: refused, nothing stored */
	write_file(file, "1//0gNotATokenTheFakeIssued-abcdefgh\n");
	argv[3] = "778";
	ck_assert_int_ne(
	    gfx_run(&w, argv, out, sizeof(out), err, sizeof(err)), 0);
	wfx_assert_has(err, "Google refused this refresh token");
	wfx_assert_has(err, "nothing was stored");
	ck_assert(!gfx_connected(&w, 778));
	ck_assert_int_eq(
	    gfx_int(&w, "SELECT count(*) FROM users WHERE id = 778"), 0);
	ck_assert_int_eq(gfx_int(&w, "SELECT count(*) FROM credentials"), 1);
	ck_assert_int_eq(gfx_audit(&w, "google_connected", 0), 1);
	gfx_close(&w);
}
END_TEST

/* The link `draftbot google connect` printed in its log, or "". */
static bool
link_printed(struct gfx *w, void *arg)
{
	char *link = arg, line[4096];
	const char *auth = fake_google_auth_url(w->g);
	FILE *f = fopen(w->exec_log, "r");

	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, auth, strlen(auth)) == 0) {
			line[strcspn(line, "\r\n")] = '\0';
			snprintf(link, 4096, "%s", line);
		}
	fclose(f);
	return link[0] != '\0';
}

START_TEST(connect_cli_loopback)
{
	const char *argv[] = {
	    "google", "connect", "--user", "779", "--timeout", "20s", NULL};
	char link[4096] = "", loc[2048], page[1024], v[256], forged[2200];
	int status = 0;
	pid_t pid;
	struct gfx w;

	gfx_open(&w, false);
	tu_path(w.exec_log, sizeof(w.exec_log), w.x.f.dir, "connect.log");
	pid = gfx_spawn(&w, argv, w.exec_log);
	gfx_wait(&w, link_printed, link, "the sign-in link");
	ck_assert(gfx_query(link, "redirect_uri", v, sizeof(v)));
	ck_assert_msg(strncmp(v, "http://127.0.0.1:", 17) == 0, "%s", v);
	ck_assert(gfx_query(link, "code_challenge_method", v, sizeof(v)));
	ck_assert_str_eq(v, "S256");
	gfx_consent(link, loc, sizeof(loc));
	/* a redirect with another state is not the one it waits for */
	snprintf(forged, sizeof(forged), "%.*s?state=%s&code=4/0Aforged",
	    (int)strcspn(loc, "?"), loc,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ");
	ck_assert_int_eq(
	    gfx_http_get(forged, page, sizeof(page), NULL, 0), 400);
	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0);
	ck_assert_int_eq(gfx_http_get(loc, page, sizeof(page), NULL, 0), 200);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		tu_show_file(w.exec_log);
		ck_abort_msg("google connect ended with status %d", status);
	}
	ck_assert(tu_file_says(w.exec_log, "Google connected for user 779"));
	ck_assert(gfx_connected(&w, 779));
	ck_assert(shown_connected(&w, 779));
	ck_assert_uint_eq(gfx_answered(&w, FAKE_GOOGLE_TOKEN, 200), 1);
	gfx_assert_tokens_hidden(&w, 779, w.exec_log, NULL);
	gfx_close(&w);
}
END_TEST

static Suite *
google_flow_suite(void)
{
	Suite *s = suite_create("google_flow");
	TCase *c = tcase_create("connect");

	tcase_set_timeout(c, 120);
	tcase_add_test(c, connect_end_to_end);
	tcase_add_test(c, connect_wrong_verifier_refused);
	tcase_add_test(c, forged_and_malformed_state);
	tcase_add_test(c, reused_state_one_exchange);
	tcase_add_test(c, expired_state_refused);
	tcase_add_test(c, consent_denied);
	suite_add_tcase(s, c);

	c = tcase_create("write");
	tcase_set_timeout(c, 120);
	tcase_add_test(c, task_with_subtasks_once);
	tcase_add_test(c, event_once);
	tcase_add_test(c, kinds_as_google_keeps_them);
	tcase_add_test(c, event_card_shows_google_overlap);
	tcase_add_test(c, crash_mid_task_write);
	tcase_add_test(c, crash_mid_event_write);
	tcase_add_test(c, ambiguous_write_reconciled);
	suite_add_tcase(s, c);

	c = tcase_create("errors");
	tcase_set_timeout(c, 120);
	tcase_add_test(c, unauthorized_refreshes_once);
	tcase_add_test(c, invalid_grant_waits_for_connect);
	tcase_add_test(c, rate_limited_retried_later);
	tcase_add_test(c, server_errors_retried);
	tcase_add_test(c, google_refuses_draft);
	suite_add_tcase(s, c);

	c = tcase_create("undo_and_accounts");
	tcase_set_timeout(c, 120);
	tcase_add_test(c, undo_deletes_at_google);
	tcase_add_test(c, undo_already_gone);
	tcase_add_test(c, disconnect_revokes);
	tcase_add_test(c, import_token_cli);
	tcase_add_test(c, connect_cli_loopback);
	suite_add_tcase(s, c);
	return s;
}

int
main(void)
{
	return tu_run_suite(google_flow_suite());
}

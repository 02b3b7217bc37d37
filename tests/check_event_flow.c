/*
 * Event drafts (issue 6): from text and from a link, their card, edits,
 * conflicts, confirm into the local calendar exactly once, and undo.
 * wf_execute() is driven with real Update JSON enqueued as the receiver
 * does it, on a real SQLite queue whose clock the test moves by hand
 * (tests/wf_fixture.h); the pages a link points to come from a small HTTP
 * server on 127.0.0.1 inside the test (the fetch_allow setting lets the
 * fetcher reach it).
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "queue/outbox.h"
#include "queue/store.h"
#include "tests/testutil.h"
#include "tests/wf_fixture.h"
#include "workflows/draft_event.h"

#define ANN WFX_ANN
#define BOB WFX_BOB
#define MIN_MS (60 * 1000LL)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
/* Mon 23 Nov 2026 08:00 UTC, 09:00 in Berlin: "friday" is 27 Nov. */
#define NOW 1795420800000LL
#define FRI_20H_BERLIN 1795806000000LL   /* 2026-11-27T19:00Z */
#define DEC5_BERLIN 1796425200000LL      /* 2026-12-05T00:00+01:00 */
#define DEC5_0130_BERLIN 1796430600000LL /* 2026-12-05T00:30Z */

/* The fixture at NOW in Berlin; fetch_allow (may be NULL) lets the
 * fetcher reach the page server. */
static void
efx_open(struct wfx *w, const char *fetch_allow)
{
	wfx_open(w, "Europe/Berlin");
	w->f.now = NOW;
	wfx_set(w, "fetch_timeout", "5s");
	if (fetch_allow != NULL)
		wfx_set(w, "fetch_allow", fetch_allow);
}

/* user presses action act on the card (message msg_id) of draft. */
static void
press(struct wfx *w, int64_t user, int64_t msg_id, int64_t draft, char act)
{
	char data[40];

	wfx_draft_data(data, sizeof(data), draft, act);
	wfx_press(w, user, user, msg_id, data);
}

/* ---- looking at the results ---- */

static bool
jhas(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static void
assert_lacks(const char *hay, const char *needle)
{
	ck_assert_msg(
	    strstr(hay, needle) == NULL, "\"%s\" in \"%s\"", needle, hay);
}

/* The newest message is of type and its text contains needle. */
static void
assert_out(struct wfx *w, const char *type, const char *needle)
{
	struct wfx_out o;

	wfx_out_get(w, 0, &o);
	ck_assert_str_eq(o.type, type);
	wfx_assert_has(wfx_jstr(o.p, "text"), needle);
	wfx_out_free(&o);
}

/* drafts, events and effects as one string: equal means unchanged. */
static const char *const snapshot_sql[] = {
    "SELECT group_concat(id || '|' || kind || '|' || status || '|' || "
    "version || '|' || draft, ';') FROM (SELECT * FROM drafts ORDER "
    "BY id)",
    "SELECT group_concat(id || '|' || title || '|' || start_at || '|' "
    "|| end_at, ';') FROM (SELECT * FROM events ORDER BY id)",
    "SELECT group_concat(effect_key || '|' || state, ';') FROM effects",
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

/* A delivered event draft of text by Ann: its id; *card its message. */
static int64_t
make_event(struct wfx *w, const char *text, int64_t *card)
{
	int64_t id = wfx_make_draft(w, ANN, ANN, text, card);

	ck_assert_int_eq(wfx_count(w,
	                     "SELECT count(*) FROM drafts WHERE kind = "
	                     "'event' AND id = (SELECT max(id) FROM "
	                     "drafts)"),
	    1);
	return id;
}

/* ---- the page server ---- */

struct page {
	const char *path, *type, *body;
};

#define JSONLD(x)                                                              \
	"<!doctype html><html><head><title>Tickets</title><script "            \
	"type=\"application/ld+json\">" x "</script></head><body><h1>"         \
	"Tickets</h1></body></html>"

static const struct page pages[] = {
    {"/concert.html", "text/html; charset=utf-8",
        JSONLD("{\"@context\":\"https://schema.org\",\"@type\":"
               "\"MusicEvent\",\"name\":\"Jazz & Blues Night\","
               "\"startDate\":\"2026-12-04T19:30:00-05:00\","
               "\"endDate\":\"2026-12-04T22:00:00-05:00\","
               "\"location\":{\"@type\":\"Place\",\"name\":\"Blue "
               "Note\",\"address\":\"131 W 3rd St, New York\"}}")},
    {"/two.html", "text/html",
        JSONLD("[{\"@context\":\"https://schema.org\",\"@type\":\"Event\","
               "\"name\":\"Talk one\",\"startDate\":"
               "\"2026-12-10T18:00:00+01:00\"},{\"@context\":"
               "\"https://schema.org\",\"@type\":\"Event\",\"name\":"
               "\"Talk two\",\"startDate\":\"2026-12-11T18:00:00+01:00\"}]")},
    {"/cancelled.html", "text/html",
        JSONLD("{\"@context\":\"https://schema.org\",\"@type\":\"Event\","
               "\"name\":\"Open air\",\"startDate\":"
               "\"2026-12-12T20:00:00+01:00\",\"eventStatus\":"
               "\"https://schema.org/EventCancelled\"}")},
    {"/floating.html", "text/html",
        JSONLD("{\"@context\":\"https://schema.org\",\"@type\":\"Event\","
               "\"name\":\"Book club\",\"startDate\":\"2026-12-03T19:30\"}")},
    {"/nothing.html", "text/html",
        "<!doctype html><html><head><title>About us</title></head><body>"
        "<p>We sell shoes.</p></body></html>"},
    {"/cal.ics", "text/calendar",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:1@t\r\nDTSTAMP:20261101T000000Z\r\n"
        "SUMMARY:Board meeting\r\nDTSTART;TZID=America/New_York:"
        "20261207T090000\r\nDTEND;TZID=America/New_York:20261207T100000\r\n"
        "LOCATION:Room 9\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"},
};

static enum MHD_Result
serve(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_len, void **state)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	const struct page *p = NULL;

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strcmp(pages[i].path, url) == 0)
			p = &pages[i];
	if (p == NULL) {
		r = MHD_create_response_from_buffer(
		    9, (void *)"not found", MHD_RESPMEM_PERSISTENT);
		ret = MHD_queue_response(c, MHD_HTTP_NOT_FOUND, r);
	} else {
		r = MHD_create_response_from_buffer(
		    strlen(p->body), (void *)p->body, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Content-Type", p->type);
		ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	}
	MHD_destroy_response(r);
	return ret;
}

struct site {
	struct MHD_Daemon *d;
	unsigned port;
};

static void
site_start(struct site *s)
{
	struct sockaddr_in sa = {0};
	const union MHD_DaemonInfo *info;

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
	    0, NULL, NULL, serve, NULL, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_END);
	ck_assert_ptr_nonnull(s->d);
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(info);
	s->port = info->port;
}

static void
site_stop(struct site *s)
{
	MHD_stop_daemon(s->d);
}

static const char *
link_to(const struct site *s, const char *path)
{
	static char url[256];

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", s->port, path);
	return url;
}

/* ---- event drafts from text ---- */

START_TEST(text_dinner_at_place)
{
	struct wfx w;
	struct wfx_out o;
	json_object *j;
	int64_t id;

	efx_open(&w, NULL);
	wfx_say(&w, ANN, ANN, "dinner with Ana friday 8pm at Luigi's");
	id = wfx_last_draft_id(&w);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM drafts WHERE kind = "
	                     "'event' AND status = 'drafted'"),
	    1);
	j = wfx_draft_obj(&w, id);
	ck_assert_str_eq(wfx_jstr(j, "title"), "Dinner with Ana");
	ck_assert_str_eq(wfx_jstr(j, "start_date"), "2026-11-27");
	ck_assert_str_eq(wfx_jstr(j, "start_time"), "20:00");
	ck_assert_str_eq(wfx_jstr(j, "end_date"), "2026-11-27");
	ck_assert_str_eq(wfx_jstr(j, "end_time"), "21:00");
	ck_assert_str_eq(wfx_jstr(j, "location"), "Luigi's");
	ck_assert_str_eq(wfx_jstr(j, "timezone"), "Europe/Berlin");
	ck_assert_str_eq(wfx_jstr(j, "all_day"), "false");
	ck_assert_str_eq(wfx_jstr(j, "source"),
	    "dinner with Ana friday 8pm at "
	    "Luigi's");
	wfx_assert_has(wfx_jstr(j, "reasoning"), "Fri 27 Nov");
	json_object_put(j);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "sendMessage");
	wfx_assert_has(wfx_jstr(o.p, "text"), "<b>Dinner with Ana</b>");
	wfx_assert_has(wfx_jstr(o.p, "text"), "Fri 27 Nov");
	wfx_assert_has(wfx_jstr(o.p, "text"),
	    "20:00\xe2\x80\x93"
	    "21:00 (Europe/Berlin)");
	wfx_assert_has(wfx_jstr(o.p, "text"), "\xf0\x9f\x93\x8d Luigi's");
	assert_lacks(wfx_jstr(o.p, "text"), "overlaps");
	ck_assert_str_eq(o.buttons, "d:1:c,d:1:e,d:1:x");
	wfx_out_free(&o);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'draft_created' AND details "
	                     "LIKE '%\"event\"%'"),
	    1);
	wfx_close(&w);
}
END_TEST

START_TEST(text_range_tomorrow)
{
	struct wfx w;
	json_object *j;

	efx_open(&w, NULL);
	wfx_say(&w, ANN, ANN, "team meeting 2-3pm tomorrow");
	j = wfx_draft_obj(&w, wfx_last_draft_id(&w));
	ck_assert_str_eq(wfx_jstr(j, "title"), "Team meeting");
	ck_assert_str_eq(wfx_jstr(j, "start_date"), "2026-11-24");
	ck_assert_str_eq(wfx_jstr(j, "start_time"), "14:00");
	ck_assert_str_eq(wfx_jstr(j, "end_time"), "15:00");
	ck_assert(!jhas(j, "location"));
	json_object_put(j);
	assert_out(&w, "sendMessage",
	    "14:00\xe2\x80\x93"
	    "15:00");
	wfx_close(&w);
}
END_TEST

START_TEST(text_all_day)
{
	struct wfx w;
	json_object *j;

	efx_open(&w, NULL);
	wfx_say(&w, ANN, ANN, "conference on 5 december");
	j = wfx_draft_obj(&w, wfx_last_draft_id(&w));
	ck_assert_str_eq(wfx_jstr(j, "title"), "Conference");
	ck_assert_str_eq(wfx_jstr(j, "start_date"), "2026-12-05");
	ck_assert_str_eq(wfx_jstr(j, "end_date"), "2026-12-05");
	ck_assert_str_eq(wfx_jstr(j, "all_day"), "true");
	ck_assert(!jhas(j, "start_time"));
	ck_assert(!jhas(j, "end_time"));
	json_object_put(j);
	assert_out(&w, "sendMessage", "Sat 5 Dec");
	assert_out(&w, "sendMessage", "all day");
	wfx_close(&w);
}
END_TEST

START_TEST(slash_event)
{
	struct wfx w;
	json_object *j;

	efx_open(&w, NULL);
	/* the rules read this one as a task; /event says it is an event */
	wfx_say(
	    &w, ANN, ANN, "/event buy a present tomorrow 5pm for 30 minutes");
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM drafts WHERE kind = "
	                     "'event'"),
	    1);
	j = wfx_draft_obj(&w, wfx_last_draft_id(&w));
	ck_assert_str_eq(wfx_jstr(j, "start_time"), "17:00");
	ck_assert_str_eq(wfx_jstr(j, "end_time"), "17:30");
	json_object_put(j);
	assert_out(&w, "sendMessage",
	    "17:00\xe2\x80\x93"
	    "17:30");
	/* nothing after /event, or no date: a question, no draft */
	wfx_say(&w, ANN, ANN, "/event");
	assert_out(&w, "sendMessage", "What is the event");
	wfx_say(&w, ANN, ANN, "/event dinner with Ana");
	assert_out(&w, "sendMessage", "When is");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 1);
	/* words that say the event, with a link: the link is its url, and
	 * nothing is fetched (no fetch audit) */
	wfx_say(&w, ANN, ANN, "concert friday 8pm https://tickets.example/123");
	j = wfx_draft_obj(&w, wfx_last_draft_id(&w));
	ck_assert_str_eq(wfx_jstr(j, "title"), "Concert");
	ck_assert_str_eq(wfx_jstr(j, "url"), "https://tickets.example/123");
	json_object_put(j);
	assert_out(
	    &w, "sendMessage", "\xf0\x9f\x94\x97 https://tickets.example/123");
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action LIKE 'fetch%' OR action LIKE "
	                     "'event_%'"),
	    0);
	/* the task path is as it was */
	wfx_say(&w, ANN, ANN, "buy milk tomorrow");
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM drafts WHERE kind = "
	                     "'task'"),
	    1);
	/* and the help names /event */
	wfx_say(&w, ANN, ANN, "/help");
	assert_out(&w, "sendMessage", "/event");
	wfx_close(&w);
}
END_TEST

START_TEST(card_escapes)
{
	struct wfx w;
	struct wfx_out o;

	efx_open(&w, NULL);
	wfx_say(&w, ANN, ANN,
	    "/event <b>party</b> & fun friday 9pm at \"Bar <x>\"");
	wfx_out_get(&w, 0, &o);
	wfx_assert_has(wfx_jstr(o.p, "text"), "&lt;b&gt;");
	wfx_assert_has(wfx_jstr(o.p, "text"), "&amp;");
	wfx_assert_has(wfx_jstr(o.p, "text"), "&quot;Bar &lt;x&gt;&quot;");
	assert_lacks(wfx_jstr(o.p, "text"), "<x>");
	wfx_out_free(&o);
	wfx_close(&w);
}
END_TEST

/* ---- edits ---- */

START_TEST(edits_move_length_place)
{
	struct wfx w;
	json_object *j;
	int64_t id, card, n;
	char *before;

	efx_open(&w, NULL);
	id = make_event(&w, "dinner with Ana friday 8pm at Luigi's", &card);
	wfx_reply(&w, ANN, ANN, card, "move it to 9pm");
	j = wfx_draft_obj(&w, id);
	ck_assert_str_eq(wfx_jstr(j, "start_date"), "2026-11-27");
	ck_assert_str_eq(wfx_jstr(j, "start_time"), "21:00");
	ck_assert_str_eq(wfx_jstr(j, "end_time"), "22:00");
	json_object_put(j);
	/* edited in place */
	assert_out(&w, "editMessageText",
	    "21:00\xe2\x80\x93"
	    "22:00");
	wfx_reply(&w, ANN, ANN, card, "make it 2 hours");
	j = wfx_draft_obj(&w, id);
	ck_assert_str_eq(wfx_jstr(j, "end_time"), "23:00");
	json_object_put(j);
	wfx_reply(&w, ANN, ANN, card, "until 11:30pm");
	j = wfx_draft_obj(&w, id);
	ck_assert_str_eq(wfx_jstr(j, "end_time"), "23:30");
	json_object_put(j);
	/* Edit, then the answer without replying */
	press(&w, ANN, card, id, 'e');
	assert_out(&w, "editMessageText", "move it to 9pm");
	wfx_say(&w, ANN, ANN, "at Caf\xc3\xa9 Central");
	j = wfx_draft_obj(&w, id);
	ck_assert_str_eq(wfx_jstr(j, "location"), "Caf\xc3\xa9 Central");
	ck_assert_str_eq(wfx_jstr(j, "start_time"), "21:00");
	json_object_put(j);
	wfx_reply(&w, ANN, ANN, card, "saturday");
	j = wfx_draft_obj(&w, id);
	ck_assert_str_eq(wfx_jstr(j, "start_date"), "2026-11-28");
	ck_assert_str_eq(wfx_jstr(j, "start_time"), "21:00");
	ck_assert_str_eq(wfx_jstr(j, "end_date"), "2026-11-28");
	ck_assert_str_eq(wfx_jstr(j, "end_time"), "23:30");
	json_object_put(j);
	wfx_reply(&w, ANN, ANN, card, "title: Dinner & drinks");
	assert_out(&w, "editMessageText", "Dinner &amp; drinks");
	wfx_reply(&w, ANN, ANN, card, "no end");
	j = wfx_draft_obj(&w, id);
	ck_assert(!jhas(j, "end_time"));
	json_object_put(j);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'draft_updated'"),
	    8);
	/* not understood: a question, the draft as it was */
	before = snapshot(&w);
	n = wfx_outbox_n(&w);
	wfx_reply(&w, ANN, ANN, card, "purple monkey dishwasher");
	assert_out(&w, "sendMessage", "didn\xe2\x80\x99t understand");
	ck_assert_int_eq(wfx_outbox_n(&w), n + 1);
	assert_unchanged(&w, before);
	wfx_close(&w);
}
END_TEST

/* ---- confirm and undo ---- */

START_TEST(confirm_once_then_undo)
{
	struct store_event *e = NULL;
	struct wfx w;
	struct wfx_out o;
	int64_t id, card, eid;

	efx_open(&w, NULL);
	id = make_event(&w, "dinner with Ana friday 8pm at Luigi's", &card);
	press(&w, ANN, card, id, 'c');
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM events"), 1);
	eid = wfx_count(&w, "SELECT id FROM events");
	ck_assert_int_eq(store_event_get(w.f.q, eid, &e), 1);
	ck_assert_str_eq(e->title, "Dinner with Ana");
	ck_assert_str_eq(e->location, "Luigi's");
	ck_assert_int_eq(e->start_ms, FRI_20H_BERLIN);
	ck_assert_int_eq(e->end_ms, FRI_20H_BERLIN + HOUR_MS);
	ck_assert_int_eq(e->all_day, 0);
	ck_assert_int_eq(e->draft_id, id);
	ck_assert_int_eq(e->owner_id, ANN);
	ck_assert_str_eq(e->timezone, "Europe/Berlin");
	store_event_free(e);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM effects WHERE "
	                     "effect_key = 'draft:1:event' AND state = "
	                     "'done'"),
	    1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_confirmed"), 1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "event_executed"), 1);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM drafts WHERE status "
	                     "= 'executed'"),
	    1);
	wfx_out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	wfx_assert_has(wfx_jstr(o.p, "text"), "Added to your calendar");
	ck_assert_str_eq(o.buttons, "d:1:u");
	wfx_out_free(&o);
	/* a second press: still one event */
	press(&w, ANN, card, id, 'c');
	assert_out(&w, "sendMessage", "Already saved");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM events"), 1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "event_executed"), 1);
	/* Undo */
	w.f.now += 5 * MIN_MS;
	press(&w, ANN, card, id, 'u');
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM events"), 0);
	ck_assert_int_eq(tu_audit_count(w.f.q, "event_undone"), 1);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM effects WHERE "
	                     "effect_key = 'draft:1:event' AND state = "
	                     "'undone'"),
	    1);
	assert_out(&w, "editMessageText", "Undone");
	/* Confirm after Undo: nothing */
	press(&w, ANN, card, id, 'c');
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM events"), 0);
	wfx_close(&w);
}
END_TEST

START_TEST(confirm_all_day_and_late_undo)
{
	struct store_event *e = NULL;
	struct wfx w;
	int64_t id, card;

	efx_open(&w, NULL);
	id = make_event(&w, "conference on 5 december", &card);
	press(&w, ANN, card, id, 'c');
	ck_assert_int_eq(
	    store_event_get(w.f.q, wfx_count(&w, "SELECT id FROM events"), &e),
	    1);
	ck_assert_int_eq(e->all_day, 1);
	ck_assert_int_eq(e->start_ms, DEC5_BERLIN);
	ck_assert_int_eq(e->end_ms, DEC5_BERLIN + DAY_MS);
	store_event_free(e);
	/* Undo is gone after 10 minutes */
	w.f.now += 11 * MIN_MS;
	press(&w, ANN, card, id, 'u');
	assert_out(&w, "sendMessage", "no longer");
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM events"), 1);
	wfx_close(&w);
}
END_TEST

START_TEST(confirm_invalid_and_not_owner)
{
	struct wfx w;
	int64_t id, card;
	char *before;

	efx_open(&w, NULL);
	id = make_event(&w, "dinner with Ana friday 8pm", &card);
	/* an end before the start, as a broken draft might have it */
	tu_sql_exec(w.h,
	    "UPDATE drafts SET draft = json_set(draft, "
	    "'$.end_time', '19:00')");
	before = snapshot(&w);
	press(&w, ANN, card, id, 'c');
	assert_out(&w, "sendMessage", "ends before it starts");
	assert_unchanged(&w, before);
	before = snapshot(&w);
	press(&w, BOB, card, id, 'c');
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM events"), 0);
	ck_assert_int_eq(tu_audit_count(w.f.q, "callback_rejected"), 1);
	assert_unchanged(&w, before);
	wfx_close(&w);
}
END_TEST

/* ---- conflicts ---- */

START_TEST(conflicts_shown)
{
	struct wfx w;
	struct wfx_out o;
	json_object *j, *a;
	int64_t id, card;

	efx_open(&w, NULL);
	id = make_event(&w, "team sync friday 2-3pm", &card);
	press(&w, ANN, card, id, 'c');
	id = make_event(&w, "dentist appointment friday 2:30pm", &card);
	j = wfx_draft_obj(&w, id);
	ck_assert(json_object_object_get_ex(j, "conflicts", &a));
	ck_assert_int_eq(json_object_array_length(a), 1);
	ck_assert_str_eq(
	    json_object_get_string(json_object_array_get_idx(a, 0)),
	    "Team sync 14:00\xe2\x80\x93"
	    "15:00");
	json_object_put(j);
	wfx_out_get(&w, 0, &o);
	wfx_assert_has(wfx_jstr(o.p, "text"),
	    "\xe2\x9a\xa0\xef\xb8\x8f overlaps Team "
	    "sync 14:00\xe2\x80\x93"
	    "15:00");
	wfx_out_free(&o);
	/* moved away: no more overlap */
	wfx_reply(&w, ANN, ANN, card, "move it to 5pm");
	j = wfx_draft_obj(&w, id);
	ck_assert(!jhas(j, "conflicts"));
	json_object_put(j);
	assert_out(&w, "editMessageText", "17:00");
	wfx_out_get(&w, 0, &o);
	assert_lacks(wfx_jstr(o.p, "text"), "overlaps");
	wfx_out_free(&o);
	/* and back: it is there again */
	wfx_reply(&w, ANN, ANN, card, "move it to 2pm");
	assert_out(&w, "editMessageText", "overlaps Team sync");
	/* another person's events are not mine */
	wfx_say(&w, BOB, BOB, "coffee friday 2pm");
	assert_out(&w, "sendMessage", "Coffee");
	wfx_out_get(&w, 0, &o);
	assert_lacks(wfx_jstr(o.p, "text"), "overlaps");
	wfx_out_free(&o);
	wfx_close(&w);
}
END_TEST

/* ---- events from a link ---- */

START_TEST(link_jsonld_offset)
{
	struct store_event *e = NULL;
	struct site s;
	struct wfx w;
	struct wfx_out o;
	json_object *j;
	int64_t id;

	site_start(&s);
	efx_open(&w, "127.0.0.1");
	wfx_say(&w, ANN, ANN, link_to(&s, "/concert.html"));
	id = wfx_last_draft_id(&w);
	ck_assert_int_eq(id, 1);
	j = wfx_draft_obj(&w, id);
	ck_assert_str_eq(wfx_jstr(j, "title"), "Jazz & Blues Night");
	/* 19:30 at -05:00 is 01:30 the next day in Berlin */
	ck_assert_str_eq(wfx_jstr(j, "start_date"), "2026-12-05");
	ck_assert_str_eq(wfx_jstr(j, "start_time"), "01:30");
	ck_assert_str_eq(wfx_jstr(j, "end_time"), "04:00");
	ck_assert_str_eq(wfx_jstr(j, "timezone"), "Europe/Berlin");
	ck_assert_str_eq(
	    wfx_jstr(j, "source_url"), link_to(&s, "/concert.html"));
	wfx_assert_has(wfx_jstr(j, "location"), "Blue Note");
	wfx_assert_has(wfx_jstr(j, "page_time"), "19:30 (UTC-05:00)");
	json_object_put(j);
	wfx_out_get(&w, 0, &o);
	wfx_assert_has(wfx_jstr(o.p, "text"), "Jazz &amp; Blues Night");
	wfx_assert_has(wfx_jstr(o.p, "text"), "Sat 5 Dec");
	wfx_assert_has(wfx_jstr(o.p, "text"),
	    "01:30\xe2\x80\x93"
	    "04:00 (Europe/Berlin)");
	wfx_assert_has(wfx_jstr(o.p, "text"), "on the page: Fri 4 Dec 19:30");
	wfx_assert_has(wfx_jstr(o.p, "text"), "from: http://127.0.0.1:");
	wfx_out_free(&o);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'event_extracted' AND details "
	                     "LIKE '%\"json-ld\"%'"),
	    1);
	/* confirmed as the instant the page said */
	press(&w, ANN, wfx_deliver_card(&w, id), id, 'c');
	ck_assert_int_eq(
	    store_event_get(w.f.q, wfx_count(&w, "SELECT id FROM events"), &e),
	    1);
	ck_assert_int_eq(e->start_ms, DEC5_0130_BERLIN);
	ck_assert_int_eq(e->end_ms, DEC5_0130_BERLIN + 150 * MIN_MS);
	store_event_free(e);
	wfx_close(&w);
	site_stop(&s);
}
END_TEST

START_TEST(link_with_slash_event_and_ics)
{
	struct site s;
	struct wfx w;
	json_object *j;

	site_start(&s);
	efx_open(&w, "127.0.0.1");
	{
		char text[300];

		snprintf(
		    text, sizeof(text), "/event %s", link_to(&s, "/cal.ics"));
		wfx_say(&w, ANN, ANN, text);
	}
	j = wfx_draft_obj(&w, wfx_last_draft_id(&w));
	ck_assert_str_eq(wfx_jstr(j, "title"), "Board meeting");
	/* a named zone is kept as the page gave it */
	ck_assert_str_eq(wfx_jstr(j, "timezone"), "America/New_York");
	ck_assert_str_eq(wfx_jstr(j, "start_time"), "09:00");
	ck_assert_str_eq(wfx_jstr(j, "end_time"), "10:00");
	ck_assert_str_eq(wfx_jstr(j, "location"), "Room 9");
	json_object_put(j);
	assert_out(&w, "sendMessage", "(America/New_York)");
	wfx_close(&w);
	site_stop(&s);
}
END_TEST

START_TEST(link_no_event)
{
	struct site s;
	struct wfx w;
	char *before;

	site_start(&s);
	efx_open(&w, "127.0.0.1");
	before = snapshot(&w);
	wfx_say(&w, ANN, ANN, link_to(&s, "/nothing.html"));
	assert_out(&w, "sendMessage", "I couldn't find an event on that page.");
	assert_unchanged(&w, before);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 0);
	ck_assert_int_eq(tu_audit_count(w.f.q, "event_not_found"), 1);
	wfx_close(&w);
	site_stop(&s);
}
END_TEST

START_TEST(link_refused)
{
	struct site s;
	struct wfx w;
	char *before;

	site_start(&s);
	efx_open(&w, NULL); /* no allow-list: loopback is refused */
	before = snapshot(&w);
	wfx_say(&w, ANN, ANN, link_to(&s, "/concert.html"));
	assert_out(&w, "sendMessage", "I couldn't use that link");
	assert_unchanged(&w, before);
	ck_assert_int_eq(wfx_count(&w, "SELECT count(*) FROM drafts"), 0);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'fetch_refused' AND details "
	                     "LIKE '%\"url_host\":\"127.0.0.1\"%'"),
	    1);
	/* a private address, with credentials in the link: the audit keeps
	 * only the host */
	before = snapshot(&w);
	wfx_say(&w, ANN, ANN, "http://alice:s3cret@10.0.0.1/admin?token=abc");
	assert_out(&w, "sendMessage", "I couldn't use that link");
	assert_unchanged(&w, before);
	ck_assert_int_eq(tu_audit_count(w.f.q, "fetch_refused"), 2);
	ck_assert_int_eq(wfx_count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "details LIKE '%s3cret%' OR details LIKE "
	                     "'%token%'"),
	    0);
	wfx_close(&w);
	site_stop(&s);
}
END_TEST

START_TEST(link_two_events)
{
	struct site s;
	struct wfx w;
	json_object *j;

	site_start(&s);
	efx_open(&w, "127.0.0.1");
	wfx_say(&w, ANN, ANN, link_to(&s, "/two.html"));
	j = wfx_draft_obj(&w, wfx_last_draft_id(&w));
	ck_assert_str_eq(wfx_jstr(j, "title"), "Talk one");
	ck_assert_str_eq(wfx_jstr(j, "more_events"), "1");
	/* the page's offset is Berlin's: no page_time note */
	ck_assert(!jhas(j, "page_time"));
	json_object_put(j);
	assert_out(&w, "sendMessage", "(1 more event on this page)");
	wfx_close(&w);
	site_stop(&s);
}
END_TEST

START_TEST(link_cancelled)
{
	struct site s;
	struct wfx w;

	site_start(&s);
	efx_open(&w, "127.0.0.1");
	wfx_say(&w, ANN, ANN, link_to(&s, "/cancelled.html"));
	assert_out(&w, "sendMessage",
	    "\xe2\x9a\xa0\xef\xb8\x8f This event is marked cancelled on the "
	    "page");
	wfx_close(&w);
	site_stop(&s);
}
END_TEST

START_TEST(link_floating)
{
	struct site s;
	struct wfx w;
	json_object *j;

	site_start(&s);
	efx_open(&w, "127.0.0.1");
	wfx_say(&w, ANN, ANN, link_to(&s, "/floating.html"));
	j = wfx_draft_obj(&w, wfx_last_draft_id(&w));
	ck_assert_str_eq(wfx_jstr(j, "start_time"), "19:30");
	ck_assert_str_eq(wfx_jstr(j, "floating"), "true");
	json_object_put(j);
	assert_out(&w, "sendMessage",
	    "floating time \xe2\x80\x94 read as "
	    "your zone");
	wfx_close(&w);
	site_stop(&s);
}
END_TEST

/* ---- the parts on their own ---- */

START_TEST(revise_and_validate)
{
	struct nlp_ref ref = {.now_ms = NOW, .tz = "Europe/Berlin"};
	char q[512], why[256];
	json_object *j = NULL;
	bool moved;

	ck_assert_int_eq(draft_event_from_text("party saturday 10pm until 2",
	                     &ref, HOUR_MS, &j, q, sizeof(q)),
	    0);
	ck_assert_ptr_nonnull(j);
	/* an end before the start is the next day */
	ck_assert_str_eq(wfx_jstr(j, "start_date"), "2026-11-28");
	ck_assert_str_eq(wfx_jstr(j, "end_date"), "2026-11-29");
	ck_assert_str_eq(wfx_jstr(j, "end_time"), "02:00");
	ck_assert_int_eq(draft_event_validate(j, why, sizeof(why)), 0);
	ck_assert_int_eq(
	    draft_event_revise(j, "1h30", &ref, HOUR_MS, &moved, q, sizeof(q)),
	    1);
	ck_assert(moved);
	ck_assert_str_eq(wfx_jstr(j, "end_time"), "23:30");
	ck_assert_int_eq(
	    draft_event_revise(j, "at 9", &ref, HOUR_MS, &moved, q, sizeof(q)),
	    1);
	ck_assert_str_eq(wfx_jstr(j, "start_time"), "21:00");
	ck_assert(!jhas(j, "location"));
	ck_assert_int_eq(draft_event_revise(j, "in Room 4", &ref, HOUR_MS,
	                     &moved, q, sizeof(q)),
	    1);
	ck_assert(!moved);
	ck_assert_str_eq(wfx_jstr(j, "location"), "Room 4");
	ck_assert_int_eq(draft_event_revise(
	                     j, "all day", &ref, HOUR_MS, &moved, q, sizeof(q)),
	    1);
	ck_assert_str_eq(wfx_jstr(j, "all_day"), "true");
	ck_assert_int_eq(draft_event_revise(j, "make it 2 hours", &ref, HOUR_MS,
	                     &moved, q, sizeof(q)),
	    0);
	wfx_assert_has(q, "all-day");
	json_object_object_add(j, "title", json_object_new_string("  "));
	ck_assert_int_eq(draft_event_validate(j, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "The title is empty.");
	json_object_put(j);
	/* "at 8pm" is a time, "in 2 hours" too: no place */
	ck_assert_int_eq(draft_event_from_text("meeting at 8pm with Bob", &ref,
	                     HOUR_MS, &j, q, sizeof(q)),
	    0);
	ck_assert(!jhas(j, "location"));
	ck_assert_str_eq(wfx_jstr(j, "title"), "Meeting with Bob");
	json_object_put(j);
	ck_assert_int_eq(draft_event_from_text("call in 2 hours", &ref, HOUR_MS,
	                     &j, q, sizeof(q)),
	    0);
	ck_assert(!jhas(j, "location"));
	json_object_put(j);
	ck_assert_int_eq(draft_event_from_text("yoga every tuesday 7pm in "
	                                       "Room 4",
	                     &ref, HOUR_MS, &j, q, sizeof(q)),
	    0);
	ck_assert_str_eq(wfx_jstr(j, "location"), "Room 4");
	ck_assert_str_eq(wfx_jstr(j, "rrule"), "FREQ=WEEKLY;BYDAY=TU");
	json_object_put(j);
}
END_TEST

START_TEST(from_page_kinds)
{
	struct ev_event e = {0};
	json_object *j = NULL;

	snprintf(e.name, sizeof(e.name), "Fair");
	snprintf(e.start, sizeof(e.start), "2026-12-05");
	snprintf(e.end, sizeof(e.end), "2026-12-07");
	e.tz_kind = EV_TZ_DATE;
	e.all_day = true;
	ck_assert_int_eq(draft_event_from_page(&e, "https://u:p@x.test/f", 0,
	                     "Europe/Berlin", NOW, HOUR_MS, &j),
	    0);
	ck_assert_str_eq(wfx_jstr(j, "all_day"), "true");
	ck_assert_str_eq(wfx_jstr(j, "start_date"), "2026-12-05");
	ck_assert_str_eq(wfx_jstr(j, "end_date"), "2026-12-07");
	ck_assert(!jhas(j, "more_events"));
	json_object_put(j);
	/* no start: a draft that asks for the date and cannot be confirmed */
	memset(&e, 0, sizeof(e));
	e.tz_kind = EV_TZ_NONE;
	ck_assert_int_eq(draft_event_from_page(&e, "https://x.test/", 2,
	                     "Europe/Berlin", NOW, HOUR_MS, &j),
	    0);
	ck_assert_str_eq(wfx_jstr(j, "title"), "Untitled event");
	ck_assert(!jhas(j, "start_date"));
	ck_assert_int_eq(draft_event_validate(j, NULL, 0), -EINVAL);
	json_object_put(j);
}
END_TEST

static int
count_hit(const struct store_event *e, void *arg)
{
	(void)e;
	(*(int *)arg)++;
	return 0;
}

/* The parts of the local calendar the flow relies on. */
START_TEST(store_overlaps)
{
	struct store_event e = {0};
	struct wfx w;
	int64_t n = 0;
	int hits;

	efx_open(&w, NULL);
	e.owner_id = ANN;
	e.title = "A";
	e.start_ms = NOW;
	e.end_ms = NOW + HOUR_MS;
	ck_assert_int_eq(store_event_add(w.f.q, &e, NULL), 0);
	/* one that only touches it does not overlap */
	hits = 0;
	ck_assert_int_eq(store_event_between(w.f.q, ANN, NOW + HOUR_MS,
	                     NOW + 2 * HOUR_MS, 5, count_hit, &hits),
	    0);
	ck_assert_int_eq(hits, 0);
	hits = 0;
	ck_assert_int_eq(store_event_between(w.f.q, ANN, NOW - HOUR_MS, NOW, 5,
	                     count_hit, &hits),
	    0);
	ck_assert_int_eq(hits, 0);
	/* inside it, or around it, does */
	hits = 0;
	ck_assert_int_eq(store_event_between(w.f.q, ANN, NOW + 10 * MIN_MS,
	                     NOW + 20 * MIN_MS, 5, count_hit, &hits),
	    0);
	ck_assert_int_eq(hits, 1);
	hits = 0;
	ck_assert_int_eq(store_event_between(w.f.q, ANN, NOW - DAY_MS,
	                     NOW + DAY_MS, 5, count_hit, &hits),
	    0);
	ck_assert_int_eq(hits, 1);
	/* and only for its owner */
	hits = 0;
	ck_assert_int_eq(store_event_between(w.f.q, BOB, NOW - DAY_MS,
	                     NOW + DAY_MS, 5, count_hit, &hits),
	    0);
	ck_assert_int_eq(hits, 0);
	/* undo removes what one draft made, nothing else */
	e.draft_id = 0;
	ck_assert_int_eq(store_event_delete_by_draft(w.f.q, 999, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(tu_sql_int(w.h, "SELECT count(*) FROM events"), 1);
	wfx_close(&w);
}
END_TEST

static Suite *
event_flow_suite(void)
{
	Suite *s = suite_create("event_flow");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, text_dinner_at_place);
	tcase_add_test(tc, text_range_tomorrow);
	tcase_add_test(tc, text_all_day);
	tcase_add_test(tc, slash_event);
	tcase_add_test(tc, card_escapes);
	tcase_add_test(tc, edits_move_length_place);
	tcase_add_test(tc, confirm_once_then_undo);
	tcase_add_test(tc, confirm_all_day_and_late_undo);
	tcase_add_test(tc, confirm_invalid_and_not_owner);
	tcase_add_test(tc, conflicts_shown);
	tcase_add_test(tc, link_jsonld_offset);
	tcase_add_test(tc, link_with_slash_event_and_ics);
	tcase_add_test(tc, link_no_event);
	tcase_add_test(tc, link_refused);
	tcase_add_test(tc, link_two_events);
	tcase_add_test(tc, link_cancelled);
	tcase_add_test(tc, link_floating);
	tcase_add_test(tc, revise_and_validate);
	tcase_add_test(tc, from_page_kinds);
	tcase_add_test(tc, store_overlaps);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(event_flow_suite());
}

/*
 * Event drafts (issue 6): from text and from a link, their card, edits,
 * conflicts, confirm into the local calendar exactly once, and undo.
 * wf_execute() is driven with real Update JSON enqueued as the receiver
 * does it, on a real SQLite queue whose clock the test moves by hand; the
 * pages a link points to come from a small HTTP server on 127.0.0.1 inside
 * the test (the fetch_allow setting lets the fetcher reach it).
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

#include "bot/update.h"
#include "common/cfg.h"
#include "common/settings.h"
#include "events/event.h"
#include "queue/outbox.h"
#include "queue/store.h"
#include "tests/testutil.h"
#include "workflows/draft_event.h"
#include "workflows/workflow.h"

#define ANN 1
#define BOB 2
#define MIN_MS (60 * 1000LL)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
/* Mon 23 Nov 2026 08:00 UTC, 09:00 in Berlin: "friday" is 27 Nov. */
#define NOW 1795420800000LL
#define FRI_20H_BERLIN 1795806000000LL   /* 2026-11-27T19:00Z */
#define DEC5_BERLIN 1796425200000LL      /* 2026-12-05T00:00+01:00 */
#define DEC5_0130_BERLIN 1796430600000LL /* 2026-12-05T00:30Z */

struct wfx {
	struct tu_fx f;
	struct cfg *cfg;
	struct wf_env env;
	sqlite3 *h;
	int64_t update_id;
	int64_t message_id;
	int64_t card_msg_id;
};

static void
wfx_open(struct wfx *w, const char *fetch_allow)
{
	char err[CFG_ERR_MAX], path[400];
	FILE *fp;

	memset(w, 0, sizeof(*w));
	tu_fx_open(&w->f);
	w->f.now = NOW;
	tu_path(path, sizeof(path), w->f.dir, "draftbot.conf");
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	ck_assert_msg(
	    cfg_load(settings_table, path, &w->cfg, err, sizeof(err)) == 0,
	    "cfg_load: %s", err);
	ck_assert_int_eq(
	    cfg_set(w->cfg, "tz", "Europe/Berlin", err, sizeof(err)), 0);
	ck_assert_int_eq(
	    cfg_set(w->cfg, "fetch_timeout", "5s", err, sizeof(err)), 0);
	if (fetch_allow != NULL)
		ck_assert_int_eq(cfg_set(w->cfg, "fetch_allow", fetch_allow,
		                     err, sizeof(err)),
		    0);
	w->env.q = w->f.q;
	w->env.cfg = w->cfg;
	w->h = tu_sql_open(w->f.db);
	w->update_id = 800000000;
	w->message_id = 100;
	w->card_msg_id = 7000;
}

static void
wfx_close(struct wfx *w)
{
	sqlite3_close(w->h);
	cfg_free(w->cfg);
	tu_fx_close(&w->f);
}

/* ---- Update JSON, shaped like what Telegram sends ---- */

static json_object *
user_obj(int64_t user)
{
	json_object *u = json_object_new_object();

	json_object_object_add(u, "id", json_object_new_int64(user));
	json_object_object_add(u, "is_bot", json_object_new_boolean(0));
	json_object_object_add(u, "first_name",
	    json_object_new_string(user == ANN ? "Ann" : "Bob"));
	return u;
}

static json_object *
chat_obj(int64_t chat)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "id", json_object_new_int64(chat));
	json_object_object_add(c, "type", json_object_new_string("private"));
	return c;
}

static char *
update_text(struct wfx *w, const char *kind, json_object *body)
{
	json_object *up = json_object_new_object();
	char *s;

	json_object_object_add(
	    up, "update_id", json_object_new_int64(w->update_id++));
	json_object_object_add(up, kind, body);
	s = strdup(json_object_to_json_string_ext(up, JSON_C_TO_STRING_PLAIN));
	json_object_put(up);
	return s;
}

static char *
message_json(struct wfx *w, int64_t user, const char *text, int64_t reply_to)
{
	json_object *m = json_object_new_object(), *ents, *e, *r;
	const char *link = strstr(text, "http");

	json_object_object_add(
	    m, "message_id", json_object_new_int64(++w->message_id));
	json_object_object_add(m, "from", user_obj(user));
	json_object_object_add(m, "chat", chat_obj(user));
	json_object_object_add(m, "date", json_object_new_int64(1795420800));
	json_object_object_add(m, "text", json_object_new_string(text));
	ents = json_object_new_array();
	if (text[0] == '/') {
		e = json_object_new_object();
		json_object_object_add(e, "offset", json_object_new_int(0));
		json_object_object_add(e, "length",
		    json_object_new_int((int)strcspn(text, " \n")));
		json_object_object_add(
		    e, "type", json_object_new_string("bot_command"));
		json_object_array_add(ents, e);
	}
	if (link != NULL) { /* ASCII texts: bytes are UTF-16 units */
		e = json_object_new_object();
		json_object_object_add(
		    e, "offset", json_object_new_int((int)(link - text)));
		json_object_object_add(e, "length",
		    json_object_new_int((int)strcspn(link, " \n")));
		json_object_object_add(
		    e, "type", json_object_new_string("url"));
		json_object_array_add(ents, e);
	}
	json_object_object_add(m, "entities", ents);
	if (reply_to != 0) {
		r = json_object_new_object();
		json_object_object_add(
		    r, "message_id", json_object_new_int64(reply_to));
		json_object_object_add(r, "from", user_obj(user));
		json_object_object_add(r, "chat", chat_obj(user));
		json_object_object_add(
		    r, "date", json_object_new_int64(1795420000));
		json_object_object_add(
		    r, "text", json_object_new_string("(the card)"));
		json_object_object_add(m, "reply_to_message", r);
	}
	return update_text(w, "message", m);
}

static char *
callback_json(struct wfx *w, int64_t user, int64_t msg_id, const char *data)
{
	json_object *cq = json_object_new_object(), *m;
	char id[32];

	snprintf(id, sizeof(id), "55%" PRId64, w->update_id);
	json_object_object_add(cq, "id", json_object_new_string(id));
	json_object_object_add(cq, "from", user_obj(user));
	m = json_object_new_object();
	json_object_object_add(m, "message_id", json_object_new_int64(msg_id));
	json_object_object_add(m, "chat", chat_obj(user));
	json_object_object_add(m, "date", json_object_new_int64(1795420850));
	json_object_object_add(m, "text", json_object_new_string("a card"));
	json_object_object_add(cq, "message", m);
	json_object_object_add(
	    cq, "chat_instance", json_object_new_string("-87910034"));
	json_object_object_add(cq, "data", json_object_new_string(data));
	return update_text(w, "callback_query", cq);
}

/* ---- running commands ---- */

static int
run_update(struct wfx *w, char *json)
{
	struct queue_cmd *c, *g;
	struct queue_new n;
	struct upd *u = NULL;
	char key[48];
	int r;

	ck_assert_int_eq(upd_parse(json, strlen(json), &u), 0);
	upd_to_command(u, json, key, sizeof(key), &n);
	ck_assert_int_eq(queue_enqueue(w->f.q, &n, NULL, NULL), 0);
	upd_free(u);
	free(json);
	c = tu_claim(w->f.q, "w1", 60000);
	r = wf_execute(&w->env, c);
	if (r == 0) {
		g = tu_get(w->f.q, c->id);
		ck_assert_int_eq(g->status, QUEUE_COMPLETED);
		queue_cmd_free(g);
	}
	queue_cmd_free(c);
	return r;
}

static void
say(struct wfx *w, int64_t user, const char *text)
{
	ck_assert_int_eq(run_update(w, message_json(w, user, text, 0)), 0);
}

static void
reply(struct wfx *w, int64_t user, int64_t to, const char *text)
{
	ck_assert_int_eq(run_update(w, message_json(w, user, text, to)), 0);
}

static void
press(struct wfx *w, int64_t user, int64_t msg_id, int64_t draft, char act)
{
	char data[40];

	snprintf(data, sizeof(data), "d:%" PRId64 ":%c", draft, act);
	ck_assert_int_eq(
	    run_update(w, callback_json(w, user, msg_id, data)), 0);
}

/* ---- looking at the results ---- */

static int64_t
count(struct wfx *w, const char *sql)
{
	return tu_sql_int(w->h, sql);
}

static int64_t
last_draft_id(struct wfx *w)
{
	return count(w, "SELECT coalesce(max(id), 0) FROM drafts");
}

static json_object *
draft_obj(struct wfx *w, int64_t id)
{
	struct store_draft *d = NULL;
	json_object *j;

	ck_assert_int_eq(store_draft_get(w->f.q, id, &d), 1);
	j = json_tokener_parse(d->draft);
	store_draft_free(d);
	ck_assert_ptr_nonnull(j);
	return j;
}

static const char *
jstr(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return "";
	return json_object_get_string(v);
}

static bool
jhas(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

struct out {
	int64_t id;
	char type[32];
	json_object *p;
	char buttons[512];
};

struct nth {
	int want, seen;
	struct out *o;
};

static int
pick(const struct queue_cmd *m, void *arg)
{
	struct nth *n = arg;

	if (n->seen++ < n->want)
		return 0;
	n->o->id = m->id;
	snprintf(n->o->type, sizeof(n->o->type), "%s", m->type);
	n->o->p = json_tokener_parse(m->payload);
	return 1;
}

/* The k-th newest outbox message (0 = the newest). */
static void
out_get(struct wfx *w, int k, struct out *o)
{
	struct nth n = {.want = k, .o = o};
	json_object *rm, *kb, *row, *b;

	memset(o, 0, sizeof(*o));
	ck_assert_int_eq(outbox_list(w->f.q, -1, k + 1, pick, &n), 1);
	ck_assert_ptr_nonnull(o->p);
	if (!json_object_object_get_ex(o->p, "reply_markup", &rm) ||
	    !json_object_object_get_ex(rm, "inline_keyboard", &kb))
		return;
	for (size_t i = 0; i < json_object_array_length(kb); i++) {
		row = json_object_array_get_idx(kb, i);
		for (size_t j = 0; j < json_object_array_length(row); j++) {
			b = json_object_array_get_idx(row, j);
			if (o->buttons[0] != '\0')
				strcat(o->buttons, ",");
			strcat(o->buttons, jstr(b, "callback_data"));
		}
	}
}

static void
out_free(struct out *o)
{
	json_object_put(o->p);
	o->p = NULL;
}

static void
assert_has(const char *hay, const char *needle)
{
	ck_assert_msg(
	    strstr(hay, needle) != NULL, "\"%s\" not in \"%s\"", needle, hay);
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
	struct out o;

	out_get(w, 0, &o);
	ck_assert_str_eq(o.type, type);
	assert_has(jstr(o.p, "text"), needle);
	out_free(&o);
}

static int64_t
outbox_n(struct wfx *w)
{
	return count(w, "SELECT count(*) FROM outbox");
}

/* drafts, events and effects as one string: equal means unchanged. */
static char *
snapshot(struct wfx *w)
{
	static const char *const sql[] = {
	    "SELECT group_concat(id || '|' || kind || '|' || status || '|' || "
	    "version || '|' || draft, ';') FROM (SELECT * FROM drafts ORDER "
	    "BY id)",
	    "SELECT group_concat(id || '|' || title || '|' || start_at || '|' "
	    "|| end_at, ';') FROM (SELECT * FROM events ORDER BY id)",
	    "SELECT group_concat(effect_key || '|' || state, ';') FROM effects",
	};
	char *all = strdup(""), *next;
	sqlite3_stmt *s;
	const unsigned char *t;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		ck_assert_int_eq(
		    sqlite3_prepare_v2(w->h, sql[i], -1, &s, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
		t = sqlite3_column_text(s, 0);
		ck_assert_int_ne(
		    asprintf(&next, "%s\n%s", all, t ? (const char *)t : ""),
		    -1);
		sqlite3_finalize(s);
		free(all);
		all = next;
	}
	return all;
}

static void
assert_unchanged(struct wfx *w, char *before)
{
	char *after = snapshot(w);

	ck_assert_str_eq(after, before);
	free(after);
	free(before);
}

static int64_t
deliver_card(struct wfx *w, int64_t draft_id)
{
	int64_t id = ++w->card_msg_id;

	ck_assert_int_eq(store_draft_set_message(w->f.q, draft_id, id), 0);
	return id;
}

/* A delivered event draft of text by Ann: its id; *card its message. */
static int64_t
make_event(struct wfx *w, const char *text, int64_t *card)
{
	int64_t id;

	say(w, ANN, text);
	id = last_draft_id(w);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(count(w,
	                     "SELECT count(*) FROM drafts WHERE kind = "
	                     "'event' AND id = (SELECT max(id) FROM "
	                     "drafts)"),
	    1);
	*card = deliver_card(w, id);
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
	struct out o;
	json_object *j;
	int64_t id;

	wfx_open(&w, NULL);
	say(&w, ANN, "dinner with Ana friday 8pm at Luigi's");
	id = last_draft_id(&w);
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM drafts WHERE kind = "
	                     "'event' AND status = 'drafted'"),
	    1);
	j = draft_obj(&w, id);
	ck_assert_str_eq(jstr(j, "title"), "Dinner with Ana");
	ck_assert_str_eq(jstr(j, "start_date"), "2026-11-27");
	ck_assert_str_eq(jstr(j, "start_time"), "20:00");
	ck_assert_str_eq(jstr(j, "end_date"), "2026-11-27");
	ck_assert_str_eq(jstr(j, "end_time"), "21:00");
	ck_assert_str_eq(jstr(j, "location"), "Luigi's");
	ck_assert_str_eq(jstr(j, "timezone"), "Europe/Berlin");
	ck_assert_str_eq(jstr(j, "all_day"), "false");
	ck_assert_str_eq(jstr(j, "source"),
	    "dinner with Ana friday 8pm at "
	    "Luigi's");
	assert_has(jstr(j, "reasoning"), "Fri 27 Nov");
	json_object_put(j);
	out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "sendMessage");
	assert_has(jstr(o.p, "text"), "<b>Dinner with Ana</b>");
	assert_has(jstr(o.p, "text"), "Fri 27 Nov");
	assert_has(jstr(o.p, "text"),
	    "20:00\xe2\x80\x93"
	    "21:00 (Europe/Berlin)");
	assert_has(jstr(o.p, "text"), "\xf0\x9f\x93\x8d Luigi's");
	assert_lacks(jstr(o.p, "text"), "overlaps");
	ck_assert_str_eq(o.buttons, "d:1:c,d:1:e,d:1:x");
	out_free(&o);
	ck_assert_int_eq(count(&w,
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

	wfx_open(&w, NULL);
	say(&w, ANN, "team meeting 2-3pm tomorrow");
	j = draft_obj(&w, last_draft_id(&w));
	ck_assert_str_eq(jstr(j, "title"), "Team meeting");
	ck_assert_str_eq(jstr(j, "start_date"), "2026-11-24");
	ck_assert_str_eq(jstr(j, "start_time"), "14:00");
	ck_assert_str_eq(jstr(j, "end_time"), "15:00");
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

	wfx_open(&w, NULL);
	say(&w, ANN, "conference on 5 december");
	j = draft_obj(&w, last_draft_id(&w));
	ck_assert_str_eq(jstr(j, "title"), "Conference");
	ck_assert_str_eq(jstr(j, "start_date"), "2026-12-05");
	ck_assert_str_eq(jstr(j, "end_date"), "2026-12-05");
	ck_assert_str_eq(jstr(j, "all_day"), "true");
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

	wfx_open(&w, NULL);
	/* the rules read this one as a task; /event says it is an event */
	say(&w, ANN, "/event buy a present tomorrow 5pm for 30 minutes");
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM drafts WHERE kind = "
	                     "'event'"),
	    1);
	j = draft_obj(&w, last_draft_id(&w));
	ck_assert_str_eq(jstr(j, "start_time"), "17:00");
	ck_assert_str_eq(jstr(j, "end_time"), "17:30");
	json_object_put(j);
	assert_out(&w, "sendMessage",
	    "17:00\xe2\x80\x93"
	    "17:30");
	/* nothing after /event, or no date: a question, no draft */
	say(&w, ANN, "/event");
	assert_out(&w, "sendMessage", "What is the event");
	say(&w, ANN, "/event dinner with Ana");
	assert_out(&w, "sendMessage", "When is");
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM drafts"), 1);
	/* words that say the event, with a link: the link is its url, and
	 * nothing is fetched (no fetch audit) */
	say(&w, ANN, "concert friday 8pm https://tickets.example/123");
	j = draft_obj(&w, last_draft_id(&w));
	ck_assert_str_eq(jstr(j, "title"), "Concert");
	ck_assert_str_eq(jstr(j, "url"), "https://tickets.example/123");
	json_object_put(j);
	assert_out(
	    &w, "sendMessage", "\xf0\x9f\x94\x97 https://tickets.example/123");
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action LIKE 'fetch%' OR action LIKE "
	                     "'event_%'"),
	    0);
	/* the task path is as it was */
	say(&w, ANN, "buy milk tomorrow");
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM drafts WHERE kind = "
	                     "'task'"),
	    1);
	/* and the help names /event */
	say(&w, ANN, "/help");
	assert_out(&w, "sendMessage", "/event");
	wfx_close(&w);
}
END_TEST

START_TEST(card_escapes)
{
	struct wfx w;
	struct out o;

	wfx_open(&w, NULL);
	say(&w, ANN, "/event <b>party</b> & fun friday 9pm at \"Bar <x>\"");
	out_get(&w, 0, &o);
	assert_has(jstr(o.p, "text"), "&lt;b&gt;");
	assert_has(jstr(o.p, "text"), "&amp;");
	assert_has(jstr(o.p, "text"), "&quot;Bar &lt;x&gt;&quot;");
	assert_lacks(jstr(o.p, "text"), "<x>");
	out_free(&o);
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

	wfx_open(&w, NULL);
	id = make_event(&w, "dinner with Ana friday 8pm at Luigi's", &card);
	reply(&w, ANN, card, "move it to 9pm");
	j = draft_obj(&w, id);
	ck_assert_str_eq(jstr(j, "start_date"), "2026-11-27");
	ck_assert_str_eq(jstr(j, "start_time"), "21:00");
	ck_assert_str_eq(jstr(j, "end_time"), "22:00");
	json_object_put(j);
	/* edited in place */
	assert_out(&w, "editMessageText",
	    "21:00\xe2\x80\x93"
	    "22:00");
	reply(&w, ANN, card, "make it 2 hours");
	j = draft_obj(&w, id);
	ck_assert_str_eq(jstr(j, "end_time"), "23:00");
	json_object_put(j);
	reply(&w, ANN, card, "until 11:30pm");
	j = draft_obj(&w, id);
	ck_assert_str_eq(jstr(j, "end_time"), "23:30");
	json_object_put(j);
	/* Edit, then the answer without replying */
	press(&w, ANN, card, id, 'e');
	assert_out(&w, "editMessageText", "move it to 9pm");
	say(&w, ANN, "at Caf\xc3\xa9 Central");
	j = draft_obj(&w, id);
	ck_assert_str_eq(jstr(j, "location"), "Caf\xc3\xa9 Central");
	ck_assert_str_eq(jstr(j, "start_time"), "21:00");
	json_object_put(j);
	reply(&w, ANN, card, "saturday");
	j = draft_obj(&w, id);
	ck_assert_str_eq(jstr(j, "start_date"), "2026-11-28");
	ck_assert_str_eq(jstr(j, "start_time"), "21:00");
	ck_assert_str_eq(jstr(j, "end_date"), "2026-11-28");
	ck_assert_str_eq(jstr(j, "end_time"), "23:30");
	json_object_put(j);
	reply(&w, ANN, card, "title: Dinner & drinks");
	assert_out(&w, "editMessageText", "Dinner &amp; drinks");
	reply(&w, ANN, card, "no end");
	j = draft_obj(&w, id);
	ck_assert(!jhas(j, "end_time"));
	json_object_put(j);
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'draft_updated'"),
	    8);
	/* not understood: a question, the draft as it was */
	before = snapshot(&w);
	n = outbox_n(&w);
	reply(&w, ANN, card, "purple monkey dishwasher");
	assert_out(&w, "sendMessage", "didn\xe2\x80\x99t understand");
	ck_assert_int_eq(outbox_n(&w), n + 1);
	assert_unchanged(&w, before);
	wfx_close(&w);
}
END_TEST

/* ---- confirm and undo ---- */

START_TEST(confirm_once_then_undo)
{
	struct store_event *e = NULL;
	struct wfx w;
	struct out o;
	int64_t id, card, eid;

	wfx_open(&w, NULL);
	id = make_event(&w, "dinner with Ana friday 8pm at Luigi's", &card);
	press(&w, ANN, card, id, 'c');
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM events"), 1);
	eid = count(&w, "SELECT id FROM events");
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
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM effects WHERE "
	                     "effect_key = 'draft:1:event' AND state = "
	                     "'done'"),
	    1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "draft_confirmed"), 1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "event_executed"), 1);
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM drafts WHERE status "
	                     "= 'executed'"),
	    1);
	out_get(&w, 0, &o);
	ck_assert_str_eq(o.type, "editMessageText");
	assert_has(jstr(o.p, "text"), "Added to your calendar");
	ck_assert_str_eq(o.buttons, "d:1:u");
	out_free(&o);
	/* a second press: still one event */
	press(&w, ANN, card, id, 'c');
	assert_out(&w, "sendMessage", "Already saved");
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM events"), 1);
	ck_assert_int_eq(tu_audit_count(w.f.q, "event_executed"), 1);
	/* Undo */
	w.f.now += 5 * MIN_MS;
	press(&w, ANN, card, id, 'u');
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM events"), 0);
	ck_assert_int_eq(tu_audit_count(w.f.q, "event_undone"), 1);
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM effects WHERE "
	                     "effect_key = 'draft:1:event' AND state = "
	                     "'undone'"),
	    1);
	assert_out(&w, "editMessageText", "Undone");
	/* Confirm after Undo: nothing */
	press(&w, ANN, card, id, 'c');
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM events"), 0);
	wfx_close(&w);
}
END_TEST

START_TEST(confirm_all_day_and_late_undo)
{
	struct store_event *e = NULL;
	struct wfx w;
	int64_t id, card;

	wfx_open(&w, NULL);
	id = make_event(&w, "conference on 5 december", &card);
	press(&w, ANN, card, id, 'c');
	ck_assert_int_eq(
	    store_event_get(w.f.q, count(&w, "SELECT id FROM events"), &e), 1);
	ck_assert_int_eq(e->all_day, 1);
	ck_assert_int_eq(e->start_ms, DEC5_BERLIN);
	ck_assert_int_eq(e->end_ms, DEC5_BERLIN + DAY_MS);
	store_event_free(e);
	/* Undo is gone after 10 minutes */
	w.f.now += 11 * MIN_MS;
	press(&w, ANN, card, id, 'u');
	assert_out(&w, "sendMessage", "no longer");
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM events"), 1);
	wfx_close(&w);
}
END_TEST

START_TEST(confirm_invalid_and_not_owner)
{
	struct wfx w;
	int64_t id, card;
	char *before;

	wfx_open(&w, NULL);
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
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM events"), 0);
	ck_assert_int_eq(tu_audit_count(w.f.q, "callback_rejected"), 1);
	assert_unchanged(&w, before);
	wfx_close(&w);
}
END_TEST

/* ---- conflicts ---- */

START_TEST(conflicts_shown)
{
	struct wfx w;
	struct out o;
	json_object *j, *a;
	int64_t id, card;

	wfx_open(&w, NULL);
	id = make_event(&w, "team sync friday 2-3pm", &card);
	press(&w, ANN, card, id, 'c');
	id = make_event(&w, "dentist appointment friday 2:30pm", &card);
	j = draft_obj(&w, id);
	ck_assert(json_object_object_get_ex(j, "conflicts", &a));
	ck_assert_int_eq(json_object_array_length(a), 1);
	ck_assert_str_eq(
	    json_object_get_string(json_object_array_get_idx(a, 0)),
	    "Team sync 14:00\xe2\x80\x93"
	    "15:00");
	json_object_put(j);
	out_get(&w, 0, &o);
	assert_has(jstr(o.p, "text"),
	    "\xe2\x9a\xa0\xef\xb8\x8f overlaps Team "
	    "sync 14:00\xe2\x80\x93"
	    "15:00");
	out_free(&o);
	/* moved away: no more overlap */
	reply(&w, ANN, card, "move it to 5pm");
	j = draft_obj(&w, id);
	ck_assert(!jhas(j, "conflicts"));
	json_object_put(j);
	assert_out(&w, "editMessageText", "17:00");
	out_get(&w, 0, &o);
	assert_lacks(jstr(o.p, "text"), "overlaps");
	out_free(&o);
	/* and back: it is there again */
	reply(&w, ANN, card, "move it to 2pm");
	assert_out(&w, "editMessageText", "overlaps Team sync");
	/* another person's events are not mine */
	say(&w, BOB, "coffee friday 2pm");
	assert_out(&w, "sendMessage", "Coffee");
	out_get(&w, 0, &o);
	assert_lacks(jstr(o.p, "text"), "overlaps");
	out_free(&o);
	wfx_close(&w);
}
END_TEST

/* ---- events from a link ---- */

START_TEST(link_jsonld_offset)
{
	struct store_event *e = NULL;
	struct site s;
	struct wfx w;
	struct out o;
	json_object *j;
	int64_t id;

	site_start(&s);
	wfx_open(&w, "127.0.0.1");
	say(&w, ANN, link_to(&s, "/concert.html"));
	id = last_draft_id(&w);
	ck_assert_int_eq(id, 1);
	j = draft_obj(&w, id);
	ck_assert_str_eq(jstr(j, "title"), "Jazz & Blues Night");
	/* 19:30 at -05:00 is 01:30 the next day in Berlin */
	ck_assert_str_eq(jstr(j, "start_date"), "2026-12-05");
	ck_assert_str_eq(jstr(j, "start_time"), "01:30");
	ck_assert_str_eq(jstr(j, "end_time"), "04:00");
	ck_assert_str_eq(jstr(j, "timezone"), "Europe/Berlin");
	ck_assert_str_eq(jstr(j, "source_url"), link_to(&s, "/concert.html"));
	assert_has(jstr(j, "location"), "Blue Note");
	assert_has(jstr(j, "page_time"), "19:30 (UTC-05:00)");
	json_object_put(j);
	out_get(&w, 0, &o);
	assert_has(jstr(o.p, "text"), "Jazz &amp; Blues Night");
	assert_has(jstr(o.p, "text"), "Sat 5 Dec");
	assert_has(jstr(o.p, "text"),
	    "01:30\xe2\x80\x93"
	    "04:00 (Europe/Berlin)");
	assert_has(jstr(o.p, "text"), "on the page: Fri 4 Dec 19:30");
	assert_has(jstr(o.p, "text"), "from: http://127.0.0.1:");
	out_free(&o);
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'event_extracted' AND details "
	                     "LIKE '%\"json-ld\"%'"),
	    1);
	/* confirmed as the instant the page said */
	press(&w, ANN, deliver_card(&w, id), id, 'c');
	ck_assert_int_eq(
	    store_event_get(w.f.q, count(&w, "SELECT id FROM events"), &e), 1);
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
	wfx_open(&w, "127.0.0.1");
	{
		char text[300];

		snprintf(
		    text, sizeof(text), "/event %s", link_to(&s, "/cal.ics"));
		say(&w, ANN, text);
	}
	j = draft_obj(&w, last_draft_id(&w));
	ck_assert_str_eq(jstr(j, "title"), "Board meeting");
	/* a named zone is kept as the page gave it */
	ck_assert_str_eq(jstr(j, "timezone"), "America/New_York");
	ck_assert_str_eq(jstr(j, "start_time"), "09:00");
	ck_assert_str_eq(jstr(j, "end_time"), "10:00");
	ck_assert_str_eq(jstr(j, "location"), "Room 9");
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
	wfx_open(&w, "127.0.0.1");
	before = snapshot(&w);
	say(&w, ANN, link_to(&s, "/nothing.html"));
	assert_out(&w, "sendMessage", "I couldn't find an event on that page.");
	assert_unchanged(&w, before);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM drafts"), 0);
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
	wfx_open(&w, NULL); /* no allow-list: loopback is refused */
	before = snapshot(&w);
	say(&w, ANN, link_to(&s, "/concert.html"));
	assert_out(&w, "sendMessage", "I couldn't use that link");
	assert_unchanged(&w, before);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM drafts"), 0);
	ck_assert_int_eq(count(&w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "action = 'fetch_refused' AND details "
	                     "LIKE '%\"url_host\":\"127.0.0.1\"%'"),
	    1);
	/* a private address, with credentials in the link: the audit keeps
	 * only the host */
	before = snapshot(&w);
	say(&w, ANN, "http://alice:s3cret@10.0.0.1/admin?token=abc");
	assert_out(&w, "sendMessage", "I couldn't use that link");
	assert_unchanged(&w, before);
	ck_assert_int_eq(tu_audit_count(w.f.q, "fetch_refused"), 2);
	ck_assert_int_eq(count(&w,
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
	wfx_open(&w, "127.0.0.1");
	say(&w, ANN, link_to(&s, "/two.html"));
	j = draft_obj(&w, last_draft_id(&w));
	ck_assert_str_eq(jstr(j, "title"), "Talk one");
	ck_assert_str_eq(jstr(j, "more_events"), "1");
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
	wfx_open(&w, "127.0.0.1");
	say(&w, ANN, link_to(&s, "/cancelled.html"));
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
	wfx_open(&w, "127.0.0.1");
	say(&w, ANN, link_to(&s, "/floating.html"));
	j = draft_obj(&w, last_draft_id(&w));
	ck_assert_str_eq(jstr(j, "start_time"), "19:30");
	ck_assert_str_eq(jstr(j, "floating"), "true");
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
	ck_assert_str_eq(jstr(j, "start_date"), "2026-11-28");
	ck_assert_str_eq(jstr(j, "end_date"), "2026-11-29");
	ck_assert_str_eq(jstr(j, "end_time"), "02:00");
	ck_assert_int_eq(draft_event_validate(j, why, sizeof(why)), 0);
	ck_assert_int_eq(
	    draft_event_revise(j, "1h30", &ref, HOUR_MS, &moved, q, sizeof(q)),
	    1);
	ck_assert(moved);
	ck_assert_str_eq(jstr(j, "end_time"), "23:30");
	ck_assert_int_eq(
	    draft_event_revise(j, "at 9", &ref, HOUR_MS, &moved, q, sizeof(q)),
	    1);
	ck_assert_str_eq(jstr(j, "start_time"), "21:00");
	ck_assert(!jhas(j, "location"));
	ck_assert_int_eq(draft_event_revise(j, "in Room 4", &ref, HOUR_MS,
	                     &moved, q, sizeof(q)),
	    1);
	ck_assert(!moved);
	ck_assert_str_eq(jstr(j, "location"), "Room 4");
	ck_assert_int_eq(draft_event_revise(
	                     j, "all day", &ref, HOUR_MS, &moved, q, sizeof(q)),
	    1);
	ck_assert_str_eq(jstr(j, "all_day"), "true");
	ck_assert_int_eq(draft_event_revise(j, "make it 2 hours", &ref, HOUR_MS,
	                     &moved, q, sizeof(q)),
	    0);
	assert_has(q, "all-day");
	json_object_object_add(j, "title", json_object_new_string("  "));
	ck_assert_int_eq(draft_event_validate(j, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "The title is empty.");
	json_object_put(j);
	/* "at 8pm" is a time, "in 2 hours" too: no place */
	ck_assert_int_eq(draft_event_from_text("meeting at 8pm with Bob", &ref,
	                     HOUR_MS, &j, q, sizeof(q)),
	    0);
	ck_assert(!jhas(j, "location"));
	ck_assert_str_eq(jstr(j, "title"), "Meeting with Bob");
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
	ck_assert_str_eq(jstr(j, "location"), "Room 4");
	ck_assert_str_eq(jstr(j, "rrule"), "FREQ=WEEKLY;BYDAY=TU");
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
	ck_assert_str_eq(jstr(j, "all_day"), "true");
	ck_assert_str_eq(jstr(j, "start_date"), "2026-12-05");
	ck_assert_str_eq(jstr(j, "end_date"), "2026-12-07");
	ck_assert(!jhas(j, "more_events"));
	json_object_put(j);
	/* no start: a draft that asks for the date and cannot be confirmed */
	memset(&e, 0, sizeof(e));
	e.tz_kind = EV_TZ_NONE;
	ck_assert_int_eq(draft_event_from_page(&e, "https://x.test/", 2,
	                     "Europe/Berlin", NOW, HOUR_MS, &j),
	    0);
	ck_assert_str_eq(jstr(j, "title"), "Untitled event");
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

	wfx_open(&w, NULL);
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

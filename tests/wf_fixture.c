/*
 * wf_fixture — see wf_fixture.h.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/update.h"
#include "common/settings.h"
#include "queue/outbox.h"
#include "queue/store.h"
#include "tests/wf_fixture.h"

void
wfx_set(struct wfx *w, const char *name, const char *value)
{
	char err[CFG_ERR_MAX];

	ck_assert_msg(cfg_set(w->cfg, name, value, err, sizeof(err)) == 0,
	    "cfg_set %s=%s: %s", name, value, err);
}

void
wfx_open(struct wfx *w, const char *tz)
{
	char err[CFG_ERR_MAX];
	FILE *fp;

	memset(w, 0, sizeof(*w));
	tu_fx_open(&w->f);
	tu_path(w->conf, sizeof(w->conf), w->f.dir, "draftbot.conf");
	fp = fopen(w->conf, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	ck_assert_msg(
	    cfg_load(settings_table, w->conf, &w->cfg, err, sizeof(err)) == 0,
	    "cfg_load: %s", err);
	wfx_set(w, "tz", tz);
	w->env.q = w->f.q;
	w->env.cfg = w->cfg;
	w->h = tu_sql_open(w->f.db);
	w->update_id = 700000000;
	w->message_id = 100;
	w->card_msg_id = 5000;
}

void
wfx_close(struct wfx *w)
{
	sqlite3_close(w->h);
	wf_env_close(&w->env);
	cfg_free(w->cfg);
	tu_fx_close(&w->f);
}

/* ---- Update JSON ---- */

static const char *
name_of(int64_t user)
{
	switch (user) {
	case WFX_ANN:
		return "Ann";
	case WFX_BOB:
		return "Bob";
	case WFX_EVE:
		return "Eve <3";
	default:
		return "Sam";
	}
}

json_object *
wfx_user_obj(int64_t user)
{
	json_object *u = json_object_new_object();

	json_object_object_add(u, "id", json_object_new_int64(user));
	json_object_object_add(u, "is_bot", json_object_new_boolean(0));
	json_object_object_add(
	    u, "first_name", json_object_new_string(name_of(user)));
	json_object_object_add(
	    u, "language_code", json_object_new_string("en"));
	return u;
}

json_object *
wfx_chat_obj(int64_t chat)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "id", json_object_new_int64(chat));
	if (chat > 0) {
		json_object_object_add(
		    c, "first_name", json_object_new_string(name_of(chat)));
		json_object_object_add(
		    c, "type", json_object_new_string("private"));
	} else {
		json_object_object_add(
		    c, "title", json_object_new_string("Family"));
		json_object_object_add(
		    c, "type", json_object_new_string("group"));
	}
	return c;
}

char *
wfx_update_json(struct wfx *w, const char *kind, json_object *body)
{
	json_object *up = json_object_new_object();
	char *s;

	json_object_object_add(
	    up, "update_id", json_object_new_int64(w->update_id++));
	json_object_object_add(up, kind, body);
	s = strdup(json_object_to_json_string_ext(up, JSON_C_TO_STRING_PLAIN));
	json_object_put(up);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* The message date: the hand clock's, or the wall clock's when the queue
 * reads that (f.now 0). */
static int64_t
date_now(const struct wfx *w)
{
	return w->f.now > 0 ? w->f.now / 1000 : (int64_t)time(NULL);
}

static void
add_entity(json_object *ents, const char *type, int offset, int length)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "offset", json_object_new_int(offset));
	json_object_object_add(e, "length", json_object_new_int(length));
	json_object_object_add(e, "type", json_object_new_string(type));
	json_object_array_add(ents, e);
}

char *
wfx_message_json(struct wfx *w, int64_t user, int64_t chat, const char *text,
    int64_t reply_to)
{
	json_object *m = json_object_new_object(), *ents, *r;
	const char *link = strstr(text, "http");

	json_object_object_add(
	    m, "message_id", json_object_new_int64(++w->message_id));
	json_object_object_add(m, "from", wfx_user_obj(user));
	json_object_object_add(m, "chat", wfx_chat_obj(chat));
	json_object_object_add(m, "date", json_object_new_int64(date_now(w)));
	json_object_object_add(m, "text", json_object_new_string(text));
	ents = json_object_new_array();
	if (text[0] == '/')
		add_entity(ents, "bot_command", 0, (int)strcspn(text, " \n"));
	/* Offsets are UTF-16 units; the tests' links follow ASCII text. */
	if (link != NULL)
		add_entity(
		    ents, "url", (int)(link - text), (int)strcspn(link, " \n"));
	if (json_object_array_length(ents) > 0)
		json_object_object_add(m, "entities", ents);
	else
		json_object_put(ents);
	if (reply_to != 0) {
		r = json_object_new_object();
		json_object_object_add(
		    r, "message_id", json_object_new_int64(reply_to));
		json_object_object_add(r, "from", wfx_user_obj(user));
		json_object_object_add(r, "chat", wfx_chat_obj(chat));
		json_object_object_add(
		    r, "date", json_object_new_int64(date_now(w) - 1000));
		json_object_object_add(
		    r, "text", json_object_new_string("(the card)"));
		json_object_object_add(m, "reply_to_message", r);
	}
	return wfx_update_json(w, "message", m);
}

char *
wfx_callback_json(
    struct wfx *w, int64_t user, int64_t chat, int64_t msg_id, const char *data)
{
	json_object *cq = json_object_new_object(), *m, *bot;
	char id[32];

	snprintf(id, sizeof(id), "43826%" PRId64, w->update_id);
	json_object_object_add(cq, "id", json_object_new_string(id));
	json_object_object_add(cq, "from", wfx_user_obj(user));
	m = json_object_new_object();
	json_object_object_add(m, "message_id", json_object_new_int64(msg_id));
	bot = json_object_new_object();
	json_object_object_add(bot, "id", json_object_new_int64(999));
	json_object_object_add(bot, "is_bot", json_object_new_boolean(1));
	json_object_object_add(
	    bot, "first_name", json_object_new_string("draftbot"));
	json_object_object_add(m, "from", bot);
	json_object_object_add(m, "chat", wfx_chat_obj(chat));
	json_object_object_add(m, "date", json_object_new_int64(date_now(w)));
	json_object_object_add(m, "text", json_object_new_string("a card"));
	json_object_object_add(cq, "message", m);
	json_object_object_add(
	    cq, "chat_instance", json_object_new_string("-8791003443542617"));
	json_object_object_add(cq, "data", json_object_new_string(data));
	return wfx_update_json(w, "callback_query", cq);
}

/* ---- running commands ---- */

int64_t
wfx_enqueue_on(struct queue *q, char *json)
{
	struct queue_new n;
	struct upd *u = NULL;
	char key[48];
	int64_t id = 0;

	ck_assert_int_eq(upd_parse(json, strlen(json), &u), 0);
	upd_to_command(u, json, key, sizeof(key), &n);
	ck_assert_int_eq(queue_enqueue(q, &n, &id, NULL), 0);
	upd_free(u);
	free(json);
	return id;
}

int64_t
wfx_enqueue(struct wfx *w, char *json)
{
	return wfx_enqueue_on(w->f.q, json);
}

/* Run claimed c (freed here); completed when wf_execute() returns 0. */
static int
execute(struct wfx *w, struct queue_cmd *c)
{
	struct queue_cmd *g;
	int r = wf_execute(&w->env, c);

	/* anything but 0 or -errno breaks wf_execute's contract: a positive
	 * value is neither committed nor rolled back */
	ck_assert_msg(r <= 0, "wf_execute returned %d", r);
	if (r == 0) {
		g = tu_get(w->f.q, c->id);
		ck_assert_int_eq(g->status, QUEUE_COMPLETED);
		queue_cmd_free(g);
	}
	queue_cmd_free(c);
	return r;
}

int
wfx_run_next(struct wfx *w)
{
	return execute(w, tu_claim(w->f.q, "w1", 60000));
}

int
wfx_run(struct wfx *w, char *json)
{
	int64_t id = wfx_enqueue(w, json);
	struct queue_cmd *c = tu_claim(w->f.q, "w1", 60000);

	ck_assert_int_eq(c->id, id);
	return execute(w, c);
}

void
wfx_say(struct wfx *w, int64_t user, int64_t chat, const char *text)
{
	int r = wfx_run(w, wfx_message_json(w, user, chat, text, 0));

	ck_assert_msg(r == 0, "wf_execute of \"%s\" returned %d", text, r);
}

void
wfx_reply(
    struct wfx *w, int64_t user, int64_t chat, int64_t to, const char *text)
{
	int r = wfx_run(w, wfx_message_json(w, user, chat, text, to));

	ck_assert_msg(
	    r == 0, "wf_execute of reply \"%s\" returned %d", text, r);
}

void
wfx_press(
    struct wfx *w, int64_t user, int64_t chat, int64_t msg_id, const char *data)
{
	int r = wfx_run(w, wfx_callback_json(w, user, chat, msg_id, data));

	ck_assert_msg(
	    r == 0, "wf_execute of press \"%s\" returned %d", data, r);
}

void
wfx_draft_data(char *buf, size_t len, int64_t draft, char action)
{
	ck_assert_int_lt(
	    snprintf(buf, len, "d:%" PRId64 ":%c", draft, action), (int)len);
}

/* ---- looking at the results ---- */

int64_t
wfx_count(struct wfx *w, const char *sql)
{
	return tu_sql_int(w->h, sql);
}

int64_t
wfx_last_draft_id(struct wfx *w)
{
	return wfx_count(w, "SELECT coalesce(max(id), 0) FROM drafts");
}

json_object *
wfx_draft_obj(struct wfx *w, int64_t id)
{
	struct store_draft *d = NULL;
	json_object *j;

	ck_assert_int_eq(store_draft_get(w->f.q, id, &d), 1);
	j = json_tokener_parse(d->draft);
	store_draft_free(d);
	ck_assert_ptr_nonnull(j);
	return j;
}

int64_t
wfx_deliver_card(struct wfx *w, int64_t draft)
{
	int64_t id = ++w->card_msg_id;

	ck_assert_int_eq(store_draft_set_message(w->f.q, draft, id), 0);
	return id;
}

int64_t
wfx_make_draft(
    struct wfx *w, int64_t user, int64_t chat, const char *text, int64_t *card)
{
	int64_t before = wfx_last_draft_id(w), id;

	wfx_say(w, user, chat, text);
	id = wfx_last_draft_id(w);
	ck_assert_msg(id > before, "no draft from \"%s\"", text);
	*card = wfx_deliver_card(w, id);
	return id;
}

const char *
wfx_jstr(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return "";
	return json_object_get_string(v);
}

void
wfx_assert_has(const char *hay, const char *needle)
{
	ck_assert_msg(hay != NULL && strstr(hay, needle) != NULL,
	    "\"%s\" not in \"%s\"", needle, hay ? hay : "(null)");
}

struct nth {
	int want, seen;
	struct wfx_out *o;
};

static int
pick(const struct queue_cmd *m, void *arg)
{
	struct nth *n = arg;

	if (n->seen++ < n->want)
		return 0;
	n->o->id = m->id;
	snprintf(n->o->type, sizeof(n->o->type), "%s", m->type);
	snprintf(n->o->key, sizeof(n->o->key), "%s", m->key);
	n->o->p = json_tokener_parse(m->payload);
	return 1;
}

/* Append every button's callback_data of o's inline keyboard. */
static void
collect_buttons(struct wfx_out *o)
{
	json_object *rm, *kb, *row;
	size_t i, j, used;
	const char *data;

	if (!json_object_object_get_ex(o->p, "reply_markup", &rm) ||
	    !json_object_object_get_ex(rm, "inline_keyboard", &kb))
		return;
	for (i = 0; i < json_object_array_length(kb); i++) {
		row = json_object_array_get_idx(kb, i);
		for (j = 0; j < json_object_array_length(row); j++) {
			data = wfx_jstr(
			    json_object_array_get_idx(row, j), "callback_data");
			used = strlen(o->buttons);
			ck_assert_int_lt(snprintf(o->buttons + used,
			                     sizeof(o->buttons) - used, "%s%s",
			                     used > 0 ? "," : "", data),
			    (int)(sizeof(o->buttons) - used));
		}
	}
}

void
wfx_out_get(struct wfx *w, int k, struct wfx_out *o)
{
	struct nth n = {.want = k, .o = o};

	memset(o, 0, sizeof(*o));
	ck_assert_int_eq(outbox_list(w->f.q, -1, k + 1, pick, &n), 1);
	ck_assert_ptr_nonnull(o->p);
	ck_assert_int_eq(outbox_ref(w->f.q, o->id, o->ref, sizeof(o->ref)), 0);
	collect_buttons(o);
}

void
wfx_out_free(struct wfx_out *o)
{
	json_object_put(o->p);
	o->p = NULL;
}

int64_t
wfx_outbox_n(struct wfx *w)
{
	return wfx_count(w, "SELECT count(*) FROM outbox");
}

char *
wfx_snapshot(struct wfx *w, const char *const *sql)
{
	char *all = strdup(""), *next;
	sqlite3_stmt *s;
	const unsigned char *t;

	ck_assert_ptr_nonnull(all);
	for (; *sql != NULL; sql++) {
		ck_assert_msg(
		    sqlite3_prepare_v2(w->h, *sql, -1, &s, NULL) == SQLITE_OK,
		    "%s: %s", *sql, sqlite3_errmsg(w->h));
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

void
wfx_assert_unchanged(struct wfx *w, const char *const *sql, char *before)
{
	char *after = wfx_snapshot(w, sql);

	ck_assert_str_eq(after, before);
	free(after);
	free(before);
}

/*
 * wf_fixture — the workflows driven in-process: Telegram Updates built as
 * Telegram sends them, enqueued as the receiver does (upd_to_command),
 * claimed and run with wf_execute() on a real SQLite queue whose clock the
 * test moves by hand (f.now), and the results read back from the database
 * and the outbox.  Shared by check_workflows, check_event_flow,
 * check_llm_flow and (through gflow_fixture) check_google_flow; a suite
 * that needs more (a fake LLM, a fake Google) embeds struct wfx in its own
 * fixture.
 *
 * Every helper fails the running test (ck_assert) instead of returning an
 * error, unless its contract says otherwise.
 */
#ifndef DRAFTBOT_WF_FIXTURE_H
#define DRAFTBOT_WF_FIXTURE_H

#include <json-c/json.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"
#include "tests/testutil.h"
#include "workflows/workflow.h"

/* Users with a known first name; any other id is "Sam". */
#define WFX_ANN 1
#define WFX_BOB 2
#define WFX_EVE 3 /* "Eve <3": a name that needs HTML escaping */

struct wfx {
	struct tu_fx f;      /* the folder, the queue, the hand clock */
	struct cfg *cfg;     /* the settings env sees */
	struct wf_env env;   /* the workflows on f.q with cfg */
	sqlite3 *h;          /* the test's own connection, for reading */
	char conf[400];      /* the empty config file cfg was loaded from */
	int64_t update_id;   /* the next update's id */
	int64_t message_id;  /* the last message id used */
	int64_t card_msg_id; /* the last id the "sender" gave a card */
};

/*
 * A new fixture: scratch folder and queue (tu_fx_open(); set f.now after
 * this for another start time), settings loaded from an empty config file
 * (no DRAFTBOT_CONFIG of the caller leaks in) with tz set to tz, and the
 * workflows' environment on them.  Settings the workflows read when their
 * clients are first made must be set (wfx_set()) before the first update.
 */
void wfx_open(struct wfx *w, const char *tz);

/* Free everything wfx_open() and the workflows made. */
void wfx_close(struct wfx *w);

/* cfg_set(); fails with the setting's error. */
void wfx_set(struct wfx *w, const char *name, const char *value);

/* ---- Update JSON, as Telegram sends it ---- */

/* A User object for user, and a Chat object: private with the user's
 * name for chat > 0, the group "Family" otherwise.  Caller puts. */
json_object *wfx_user_obj(int64_t user);
json_object *wfx_chat_obj(int64_t chat);

/* {"update_id": the next id, kind: body} as text; body is consumed, the
 * text is the caller's to free. */
char *wfx_update_json(struct wfx *w, const char *kind, json_object *body);

/* A message from user in chat (a new message id), replying to message
 * reply_to unless 0.  A leading /command gets its bot_command entity and
 * an http link its url entity, as Telegram marks them.  Caller frees. */
char *wfx_message_json(struct wfx *w, int64_t user, int64_t chat,
    const char *text, int64_t reply_to);

/* A callback_query: user pressed a button with data on the bot's message
 * msg_id in chat.  Caller frees. */
char *wfx_callback_json(struct wfx *w, int64_t user, int64_t chat,
    int64_t msg_id, const char *data);

/* ---- running commands ---- */

/* Enqueue json (consumed; must parse as an Update) as the receiver does:
 * the command id.  The queue's clock is the caller's. */
int64_t wfx_enqueue_on(struct queue *q, char *json);

/* wfx_enqueue_on() on w's queue. */
int64_t wfx_enqueue(struct wfx *w, char *json);

/* Claim the next runnable command and wf_execute() it: its result.  When
 * that is 0 the command must be completed. */
int wfx_run_next(struct wfx *w);

/* Enqueue json (consumed), claim it (it must be the next runnable
 * command) and run it: wf_execute()'s result, as wfx_run_next(). */
int wfx_run(struct wfx *w, char *json);

/* wfx_run() of a message, a reply to message to, or a button press;
 * each must return 0. */
void wfx_say(struct wfx *w, int64_t user, int64_t chat, const char *text);
void wfx_reply(
    struct wfx *w, int64_t user, int64_t chat, int64_t to, const char *text);
void wfx_press(struct wfx *w, int64_t user, int64_t chat, int64_t msg_id,
    const char *data);

/* The callback_data of draft's button action ('c', 'u', 'x', …). */
void wfx_draft_data(char *buf, size_t len, int64_t draft, char action);

/* ---- looking at the results ---- */

/* The first column of the first row of sql, as an integer. */
int64_t wfx_count(struct wfx *w, const char *sql);

/* The newest draft's id (0 while none). */
int64_t wfx_last_draft_id(struct wfx *w);

/* Draft id's JSON, parsed (caller puts); fails when there is none. */
json_object *wfx_draft_obj(struct wfx *w, int64_t id);

/* What the sender does after delivering draft's card: record a new
 * message id for it.  Returns that id. */
int64_t wfx_deliver_card(struct wfx *w, int64_t draft);

/* user writes text in chat and it makes a draft, whose card is then
 * delivered: the draft's id; *card the card's message id. */
int64_t wfx_make_draft(
    struct wfx *w, int64_t user, int64_t chat, const char *text, int64_t *card);

/* o's string member key ("" when o is NULL or has none; borrowed). */
const char *wfx_jstr(json_object *o, const char *key);

/* Fail unless needle is in hay (NULL: fail). */
void wfx_assert_has(const char *hay, const char *needle);

/* An outbox message as read back. */
struct wfx_out {
	int64_t id;
	char type[32];     /* sendMessage, editMessageText, … */
	char key[64];      /* its idempotency key */
	char ref[48];      /* outbox_ref(): "draft:<id>" or "" */
	json_object *p;    /* its payload (wfx_out_free() puts it) */
	char buttons[512]; /* callback_data of every button, ',' between */
};

/* The k-th newest outbox message (0: the newest) into *o; fails when
 * there are not that many.  wfx_out_free() what it filled. */
void wfx_out_get(struct wfx *w, int k, struct wfx_out *o);
void wfx_out_free(struct wfx_out *o);

/* The number of outbox messages. */
int64_t wfx_outbox_n(struct wfx *w);

/* The first column of each query of the NULL-terminated sql, each a
 * single row (group_concat() of a table, say), joined with newlines:
 * equal snapshots mean nothing they read changed.  Caller frees. */
char *wfx_snapshot(struct wfx *w, const char *const *sql);

/* Fail unless wfx_snapshot(w, sql) equals before; frees before. */
void wfx_assert_unchanged(struct wfx *w, const char *const *sql, char *before);

#endif

/*
 * Private to workflows/: the context one run of a command carries through
 * its handler, and the helpers the handlers share.  Every helper joins the
 * transaction router.c opened, returns 0 or a negative errno code, and
 * writes nothing outside the database.
 */
#ifndef DRAFTBOT_WF_INT_H
#define DRAFTBOT_WF_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "bot/update.h"
#include "google/gapi.h"
#include "queue/store.h"
#include "workflows/classify.h"
#include "workflows/draft.h"
#include "workflows/workflow.h"

#define WF_UNDO_MS (10 * 60 * 1000LL) /* how long Undo stays valid */
#define WF_EXPIRE_BATCH 100           /* drafts one maintenance run expires */

struct ev_list;
struct llm_reading;

/*
 * What a route's prepare step learned outside the transaction (see
 * router.c), for its run step.  Each part is filled by one producer and
 * freed by wf_pre_free().
 */
struct wf_pre {
	/* event from a link (event_url.c) */
	bool url_tried;          /* a page was fetched (or refused) */
	int url_err;             /* 0, or fetch_url()'s / extraction's code */
	char url[2048];          /* the link */
	char url_msg[256];       /* the refusal, for the person */
	char final_url[2048];    /* after redirects */
	struct ev_list *events;  /* what the page holds (owned) */
	/* LLM reading (llm_flow.c) */
	bool llm_tried;          /* the LLM was asked (or skipped, see err) */
	int llm_err;             /* 0, or why the rules answer instead */
	struct llm_reading *llm; /* validated reading (owned), NULL if none */
	int64_t llm_prompt_tokens, llm_completion_tokens, llm_cost_micros;
	char llm_why[128];       /* why the rules were not confident */
	/* the rules' reading of free text (prepare.c), reused by the run */
	bool classified;
	struct wf_reading reading;
	/* /disconnect (gaccount.c) */
	bool revoke_tried;
	int revoke_err;          /* 0: Google revoked the grant */
};

void wf_pre_free(struct wf_pre *p);

struct wf_ctx {
	struct wf_env *env;
	struct queue *q;
	const struct queue_cmd *c; /* the claimed command */
	struct upd *u;             /* the parsed Update; NULL for maintenance */
	struct json_object *args;  /* maintenance payload (borrowed) */
	int64_t now;               /* the queue's clock at the start */
	int nmsg;                  /* outbox messages added by this run */
	struct store_user user;    /* the sender, after wf_user_touch() */
	char tz[STORE_TZ_MAX];     /* the sender's zone, valid for nlp */
	struct json_object *result; /* what the run did, for queue_complete */
	struct wf_pre pre;          /* the prepare step's findings */
};

/* ---- router.c: command types ---- */
int wf_message(struct wf_ctx *x);     /* intent.c */
int wf_callback(struct wf_ctx *x);    /* callbacks.c */
int wf_member(struct wf_ctx *x);      /* access.c */
int wf_maintenance(struct wf_ctx *x); /* maintenance.c */
int wf_message_prepare(struct wf_ctx *x); /* prepare.c: before the txn */
int wf_effect(struct wf_ctx *x);          /* effect.c: external */
int wf_oauth_exchange(struct wf_ctx *x);  /* oauth_flow.c: external */

/* Complete the command and commit the open transaction (the last step of
 * every run; external runs call it themselves). */
int wf_finish(struct wf_ctx *x);

/* Record outcome (and draft_id when > 0) as the command's result. */
void wf_result(struct wf_ctx *x, const char *outcome, int64_t draft_id);

/* ---- services.c: clients made on first use ---- */

struct llm;
struct secret_key;

/* Are google_client_id and google_client_secret set? */
bool wf_google_configured(const struct wf_ctx *x);

/* The worker's Google client: 0 and *ret, -ENOENT when Google is not
 * configured, or gapi_open()'s error (the same on every later call). */
int wf_svc_gapi(struct wf_ctx *x, struct gapi **ret);

/* The worker's LLM client: 0 and *ret, -ENOENT when none is configured,
 * or llm_open()'s error. */
int wf_svc_llm(struct wf_ctx *x, struct llm **ret);

/* The key that seals tokens (secret_key_file, created on first use): 0
 * and *ret, or an error with the operator's sentence in *why. */
int wf_svc_key(struct wf_ctx *x, const struct secret_key **ret,
    const char **why);

/* ---- gaccount.c: a person's Google account ---- */


/* Where confirmed things go (users.settings); defaults local, @default,
 * primary. */
struct wf_prefs {
	char backend[8]; /* local, google */
	char task_list[128];
	char calendar[128];
};

int wf_prefs_get(struct wf_ctx *x, int64_t user_id, struct wf_prefs *p);

/* Set one key of user's settings ("backend", "task_list", "calendar"). */
int wf_prefs_set(struct wf_ctx *x, int64_t user_id, const char *key,
    const char *value);

/* Seal and store t as user's Google credential. */
int wf_google_save_tokens(
    struct wf_ctx *x, int64_t user_id, const struct gapi_tokens *t);

/*
 * An access token for user (outside a transaction: it may refresh, and
 * then stores the new token in its own): 1 and access filled; 0 when
 * Google is not configured or the user is not connected; -EKEYREJECTED
 * when Google refused the refresh token (the person must /connect again);
 * gapi's other errors.  force: refresh even if it looks valid (after a
 * 401).
 */
int wf_google_access(struct wf_ctx *x, int64_t user_id, bool force,
    char *access, size_t len, struct gapi_error *err);

bool wf_google_connected(struct wf_ctx *x, int64_t user_id);

int wf_connect(struct wf_ctx *x);             /* /connect */
int wf_disconnect_prepare(struct wf_ctx *x);  /* /disconnect, before */
int wf_disconnect(struct wf_ctx *x);          /* /disconnect, in the txn */
int wf_settings(struct wf_ctx *x, const char *args); /* /settings */

/* ---- effect.c / gwrite.c: writes to Google after Confirm ---- */

#define WF_REMOTE_MAX 1024 /* remote ids of one draft, comma-separated */

/*
 * Queue an "effect" command (action "create" or "undo") for draft d, in
 * the open transaction, keyed by this command (a re-run adds nothing);
 * why tells apart several effects one command causes ("press", "resume").
 */
int wf_effect_enqueue(struct wf_ctx *x, const struct store_draft *d,
    const char *action, const char *why);

/* The effect key of d's Google write: "draft:<id>:gtask" / ":gevent". */
void wf_effect_key(const struct store_draft *d, char *key, size_t len);

/* One Google call's context. */
struct wf_gcall {
	struct gapi *g;
	char access[2048];
	char list[128], calendar[128];
	struct gapi_error err;
};

/*
 * Create the Google task of draft j with its subtasks (effect key key);
 * look: an earlier attempt may have made some of it, find those by their
 * markers first.  On 0 the ids ("parent,sub,…") into remote and the number
 * of subtasks into *ret_n.
 */
int wf_gtask_create(struct wf_gcall *c, struct json_object *j, const char *key,
    bool look, char *remote, size_t len, int *ret_n);

/* Create the Calendar event of draft j with the id made from key (a 409
 * from our own earlier attempt counts as done); tz for a draft without a
 * zone, default_ms the length when it has no end. */
int wf_gevent_create(struct wf_gcall *c, struct json_object *j, const char *key,
    const char *tz, int64_t default_ms, char *remote, size_t len);

/* Delete what wf_g*_create made (remote as it returned); gone is fine. */
int wf_gremove(struct wf_gcall *c, bool event, const char *remote);

/* ---- llm_flow.c: the LLM when the rules are not sure ---- */

/* Before the transaction: ask the LLM about text (why: what made the
 * rules unsure), within the sender's limits; the reading waits in x->pre.
 * Without an LLM configured it does nothing.  0 or -ENOMEM. */
int wf_llm_prepare(struct wf_ctx *x, const char *text, const char *why);

/* In the transaction: account for what prepare did (llm_used /
 * llm_fallback) and draft from the reading.  1 when it answered (a draft
 * or a question), 0 when the rules should draft, or an error. */
int wf_llm_draft(struct wf_ctx *x, const char *text);

/* ---- gconflicts.c: overlaps with Google Calendar ---- */

/* When d's owner keeps events in Google, queue a "conflicts" command that
 * asks Calendar about d's window after this run (in the chat's order). */
int wf_gconflicts_enqueue(struct wf_ctx *x, const struct store_draft *d);

/* The "conflicts" command (external): ask, then add the overlaps to the
 * draft and its card if it has not changed meanwhile. */
int wf_gconflicts(struct wf_ctx *x);

/* ---- reply.c: outgoing messages ---- */

/*
 * Queue a sendMessage of html (already escaped) to chat_id, with markup
 * (borrowed, NULL = none), as a reply to message reply_to (0 = none), and
 * with ref ("draft:<id>", NULL = none) so the sender records the message
 * id.  The outbox key is "cmd:<command id>:<n>": a re-run of the command
 * adds the same keys, so Telegram gets each message once.
 */
int wf_send(struct wf_ctx *x, int64_t chat_id, const char *html,
    struct json_object *markup, int64_t reply_to, const char *ref);

/* wf_send() of a printf-formatted text to the sender's chat, no markup, no
 * reply.  Arguments are put in as they are: escape user strings first. */
int wf_say(struct wf_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Queue an editMessageText of message_id (0: not known yet; the sender
 * fills it in from ref) in chat_id.  markup NULL removes the buttons. */
int wf_edit(struct wf_ctx *x, int64_t chat_id, int64_t message_id,
    const char *html, struct json_object *markup, const char *ref);

enum wf_card_mode {
	WF_CARD_SEND,      /* a new message */
	WF_CARD_EDIT,      /* edit the card in place */
	WF_CARD_EDIT_BARE, /* edit in place, without any buttons */
};

/*
 * Show draft d as a card in state, always with ref "draft:<id>": a new
 * message replying to reply_to (0 = none) and prefixed by the line prefix
 * (HTML, NULL = none), or an edit of the card's message in place.
 */
int wf_card(struct wf_ctx *x, const struct store_draft *d,
    enum card_state state, enum wf_card_mode mode, int64_t reply_to,
    const char *prefix);

/* How many bytes of s fit in max without cutting a UTF-8 character. */
size_t wf_utf8_prefix(const char *s, size_t max);

/* Append an audit row about entity (type, id; id 0 = none) for user and
 * chat; source_msg_id is the update's message.  details: JSON object text
 * or NULL. */
int wf_audit(struct wf_ctx *x, const char *action, const char *entity_type,
    int64_t entity_id, int64_t user_id, int64_t chat_id, const char *details);

/* ---- task_flow.c: drafts ---- */

/* The user's nlp reference: now and x->tz. */
void wf_nlp_ref(const struct wf_ctx *x, struct nlp_ref *ref);

/* Draft text as a new task (keyed by the command id) and show its card, or
 * ask the clarification question.  prefix: a line above the card. */
int wf_draft_new(struct wf_ctx *x, const char *text, const char *prefix);

/* Store draft object j (borrowed; kind "task" or "event") as the sender's
 * new draft, keyed by the command id, audit draft_created and send its
 * card replying to the message, with prefix above it. */
int wf_draft_store_show(struct wf_ctx *x, const char *kind,
    struct json_object *j, const char *prefix);

/* Revise draft d (the sender's, status drafted) with text and edit its
 * card, or ask again when the correction is not understood. */
int wf_draft_revise(struct wf_ctx *x, struct store_draft *d, const char *text);

/* Parse d->draft: a new object (caller puts), or NULL when it is not a JSON
 * object. */
struct json_object *wf_draft_json(const struct store_draft *d);

/*
 * Move d to status with editing, and when j is non-NULL its draft JSON
 * (serialised from j).  Optimistic: a version conflict, which the write lock
 * the run holds makes impossible, is reported as -EAGAIN (retry the run).
 */
int wf_draft_set(struct wf_ctx *x, struct store_draft *d, const char *status,
    int editing, struct json_object *j);

/* Cancel / expire draft d (status drafted): status, audit, card. */
int wf_draft_cancel(struct wf_ctx *x, struct store_draft *d);
int wf_draft_expire(struct wf_ctx *x, struct store_draft *d);

/* ---- task_flow.c: the steps task and event drafts share ---- */

/* After d took a correction: audit draft_updated (via "edit" when it was
 * waiting for one, else "reply"), edit its card, result draft_updated. */
int wf_draft_updated(
    struct wf_ctx *x, const struct store_draft *d, bool was_editing);

/* Is d's <kind> ("task", "event") already saved: its effect row done, or d
 * executed?  Then say so: 1.  0 when not, or -errno. */
int wf_confirm_saved(
    struct wf_ctx *x, const struct store_draft *d, const char *kind);

/* Answer a Confirm of d that does not validate, why being the sentence
 * that says what is wrong ("" for a generic one); result draft_invalid. */
int wf_draft_invalid(
    struct wf_ctx *x, const struct store_draft *d, const char *why);

/*
 * The end of a local Confirm of d, once its <kind> rows are written, id the
 * first: effect row "draft:<d>:<kind>" done with remote "<kind>:<id>", d
 * executed with j (borrowed; gains undo_until), audits draft_confirmed and
 * <kind>_executed with details, card confirmed, result <kind>_executed.
 */
int wf_confirm_local_done(struct wf_ctx *x, struct store_draft *d,
    struct json_object *j, const char *kind, int64_t id, const char *details);

/*
 * Undo a local Confirm of d: remove() its <kind> rows, effect row undone, d
 * undone, audit <kind>_undone (the first row's id, how many went), card
 * undone, result <kind>_undone.
 */
int wf_undo_local(struct wf_ctx *x, struct store_draft *d, const char *kind,
    int (*remove)(struct queue *q, int64_t draft_id, int64_t *ret_n));

/* The string j[key], or "" when it is absent or not a string. */
const char *wf_jstr(struct json_object *j, const char *key);

/* A drafted draft whose time has not run out? */
bool wf_draft_live(const struct wf_ctx *x, const struct store_draft *d);

/* Why d takes no more changes: "This draft expired.", … (static). */
const char *wf_draft_state_text(
    const struct wf_ctx *x, const struct store_draft *d);

/* "Only Ann can change this draft." to the sender's chat. */
int wf_not_owner(struct wf_ctx *x, int64_t owner_id);

/* /cancel: cancel the sender's newest draft still open. */
int wf_cancel_latest(struct wf_ctx *x);

/* /tasks: the sender's open tasks with a Done button each, as a new
 * message (edit_id 0) or in place of message edit_id. */
int wf_tasks_list(struct wf_ctx *x, int64_t edit_id);

/* ---- access.c: the sender ---- */

/* /tz ARG: set the sender's zone, or say why not. */
int wf_set_tz(struct wf_ctx *x, const char *arg);

/* Is the sender on the allowed list (read only: for prepare steps, which
 * must not fetch or ask anything for someone who will be refused)? */
bool wf_may_use(const struct wf_ctx *x);

/* Insert or refresh the sender in users; fills x->user and x->tz. */
int wf_user_touch(struct wf_ctx *x);

/* Touch the sender (wf_user_touch), then: may they use the bot?  1 yes;
 * 0 no, already refused (audit access_denied, a polite refusal the first
 * time); or an error. */
int wf_access(struct wf_ctx *x);

#endif

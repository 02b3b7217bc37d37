/*
 * store — the rows workflows keep: users, drafts, the local task store and
 * effects.  Every call joins the open queue_begin() transaction, so a
 * workflow's drafts, tasks, audit rows, outbox messages and the completion
 * of its command commit together (or not at all).  Without queue_begin()
 * each write is its own transaction.
 *
 * Returned structs are owned by the caller (store_*_free); strings passed in
 * are borrowed for the call.
 */
#ifndef DRAFTBOT_STORE_H
#define DRAFTBOT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "queue/queue.h"

#define STORE_TZ_MAX 64
#define STORE_NAME_MAX 128

struct store_user {
	int64_t id;      /* Telegram user id */
	int64_t chat_id; /* private chat with the bot, 0 unknown */
	char display_name[STORE_NAME_MAX];
	char timezone[STORE_TZ_MAX];
	char status[16]; /* allowed, blocked, pending, inactive */
};

/* Insert the user or refresh chat_id and display_name (status and
 * timezone are kept).  New users get timezone default_tz. */
int store_user_touch(struct queue *q, int64_t id, int64_t chat_id,
    const char *display_name, const char *default_tz);

/* 1 and *ret filled, or 0 if there is no such user. */
int store_user_get(struct queue *q, int64_t id, struct store_user *ret);

/* Set the time zone or the status; -ENOENT for an unknown user. */
int store_user_set_timezone(struct queue *q, int64_t id, const char *tz);
int store_user_set_status(struct queue *q, int64_t id, const char *status);

struct store_draft {
	int64_t id;
	int64_t owner_id, chat_id;
	char kind[8];            /* task, event */
	char *draft;             /* JSON object text */
	char status[16];         /* drafted, confirmed, executed, cancelled,
				    expired, failed, undone */
	int editing;             /* 1: the next message of the owner edits it */
	int64_t message_id;      /* Telegram message showing it, 0 unknown */
	int version;             /* bumped by each update */
	int64_t command_id;      /* the command that made it (unique) */
	int64_t expires_at_ms;
	int64_t created_at_ms, updated_at_ms;
};

/*
 * Create a draft (d->id, version and times are ignored).  If a draft made
 * by the same command_id exists, nothing is written and its id is returned
 * with *ret_dup true (a command that runs again makes no second draft).
 */
int store_draft_create(struct queue *q, const struct store_draft *d,
    int64_t *ret_id, bool *ret_dup);

/* 1 and *ret (caller frees), or 0 if none. */
int store_draft_get(struct queue *q, int64_t id, struct store_draft **ret);

/* The owner's newest draft in status (e.g. "drafted"); with editing_only,
 * only one awaiting an edit.  1 and *ret, or 0 if none. */
int store_draft_latest(struct queue *q, int64_t owner_id, const char *status,
    bool editing_only, struct store_draft **ret);

/* The draft shown by message_id in chat_id.  1 and *ret, or 0 if none. */
int store_draft_by_message(struct queue *q, int64_t chat_id,
    int64_t message_id, struct store_draft **ret);

/*
 * Write d's draft, status, editing and message_id if the row still has
 * d->version (optimistic lock); on success d->version is incremented.
 * -ESTALE if someone changed it meanwhile, -ENOENT if it is gone.
 */
int store_draft_update(struct queue *q, struct store_draft *d);

/* Set the message id of draft id (the sender, when its card is
 * delivered).  Does not bump the version. */
int store_draft_set_message(struct queue *q, int64_t id, int64_t message_id);

/* Call fn for up to limit drafts in status drafted whose expiry passed. */
int store_draft_due(struct queue *q, int64_t now_ms, int limit,
    int (*fn)(const struct store_draft *d, void *arg), void *arg);

void store_draft_free(struct store_draft *d); /* NULL is a no-op */

struct store_task {
	int64_t id, owner_id, parent_id, draft_id;
	char *title;
	char *notes;
	char due_date[11]; /* "YYYY-MM-DD" or "" */
	char due_time[6];  /* "HH:MM" or "" */
	int priority;
	char status[8]; /* open, done */
	int64_t created_at_ms;
};

/* Add a task (id and times ignored).  *ret_id may be NULL. */
int store_task_add(struct queue *q, const struct store_task *t,
    int64_t *ret_id);

/* 1 and *ret (caller frees), or 0 if there is none. */
int store_task_get(struct queue *q, int64_t id, struct store_task **ret);

/* Call fn for up to limit tasks of owner in status (NULL: any), top-level
 * ones first by due date, each followed by its subtasks.  The task is
 * borrowed for the call. */
int store_task_list(struct queue *q, int64_t owner_id, const char *status,
    int limit, int (*fn)(const struct store_task *t, void *arg), void *arg);

/* Set status of the owner's task id: -ENOENT when it is not the owner's. */
int store_task_set_status(struct queue *q, int64_t owner_id, int64_t id,
    const char *status);

/* Delete the tasks made from draft_id (undo); the count to *ret_n. */
int store_task_delete_by_draft(struct queue *q, int64_t draft_id,
    int64_t *ret_n);

void store_task_free(struct store_task *t); /* NULL is a no-op */

/*
 * Effects: one row per external write, keyed (e.g. "draft:12:task").
 * store_effect_get: 1 and the state ("intent", "done", "failed",
 * "undone") and remote id copied out, or 0 if none.  store_effect_put:
 * insert or update the row.
 */
int store_effect_get(struct queue *q, const char *key, char *state,
    size_t state_len, char *remote_id, size_t remote_len);
int store_effect_put(struct queue *q, const char *key, int64_t draft_id,
    int64_t command_id, const char *state, const char *target,
    const char *remote_id, const char *error);

/*
 * Outbox messages that refer to a draft: outbox_add_ref() is outbox_add()
 * with ref "draft:<id>" stored on the row; outbox_ref() reads it back for a
 * claimed message (0 and ref "" when none).
 */
int outbox_add_ref(struct queue *q, const struct queue_new *n,
    const char *ref, int64_t *ret_id, bool *ret_dup);
int outbox_ref(struct queue *q, int64_t id, char *ref, size_t len);

/* ---- per-user settings (users.settings, a JSON object) ---- */

/* 1 and *ret (JSON object text, caller frees), or 0 for an unknown user. */
int store_user_settings_get(struct queue *q, int64_t id, char **ret);

/* Replace the settings object; -ENOENT for an unknown user, -EINVAL when
 * json is not a JSON object. */
int store_user_settings_set(struct queue *q, int64_t id, const char *json);

/* Call fn for up to limit of owner's drafts in status, oldest first. */
int store_draft_list(struct queue *q, int64_t owner_id, const char *status,
    int limit, int (*fn)(const struct store_draft *d, void *arg), void *arg);

/* ---- credentials: sealed (encrypted) tokens per user and provider ---- */

/* Insert or replace. sealed is opaque bytes (see common/secret.h). */
int store_cred_put(struct queue *q, int64_t user_id, const char *provider,
    const void *sealed, size_t len, const char *scopes);

/* 1 and *ret_sealed (caller frees) / *ret_len, or 0 if there is none. */
int store_cred_get(struct queue *q, int64_t user_id, const char *provider,
    void **ret_sealed, size_t *ret_len);

/* Delete; 0 also when there was none. */
int store_cred_delete(struct queue *q, int64_t user_id, const char *provider);

/* ---- OAuth states: single use, short-lived ---- */

#define STORE_STATE_MAX 96
#define STORE_VERIFIER_MAX 160
#define STORE_URI_MAX 512

struct store_oauth_state {
	char state[STORE_STATE_MAX];
	int64_t user_id, chat_id;
	char verifier[STORE_VERIFIER_MAX];
	char redirect_uri[STORE_URI_MAX];
	int64_t created_at_ms, expires_at_ms;
	int64_t used_at_ms; /* 0: not used yet */
};

/* Add a state (created_at_ms is set by the store). */
int store_oauth_state_add(struct queue *q, const struct store_oauth_state *s);

/* 1 and *ret, or 0 when there is no such state. */
int store_oauth_state_get(struct queue *q, const char *state,
    struct store_oauth_state *ret);

/*
 * Use the state once: 0 and *ret filled when it existed, was unused and
 * not expired at now_ms (it is now used); -EALREADY when it was used
 * before, -ETIME when it expired, -ENOENT when unknown.  Nothing is
 * changed on failure.
 */
int store_oauth_state_use(struct queue *q, const char *state, int64_t now_ms,
    struct store_oauth_state *ret);

/* Delete states that expired before before_ms; the count to *ret_n. */
int store_oauth_state_prune(struct queue *q, int64_t before_ms,
    int64_t *ret_n);

/* ---- LLM usage accounting ---- */

struct store_llm_usage {
	int64_t user_id;
	const char *purpose; /* intent, draft */
	const char *outcome; /* ok, timeout, rate_limited, invalid_json, … */
	int64_t prompt_tokens, completion_tokens, cost_micros;
};

struct store_llm_totals {
	int64_t requests, prompt_tokens, completion_tokens, cost_micros;
};

/* Record one request at the queue's clock. */
int store_llm_usage_add(struct queue *q, const struct store_llm_usage *u);

/* Sums of user's requests since since_ms (0: all time). */
int store_llm_usage_sum(struct queue *q, int64_t user_id, int64_t since_ms,
    struct store_llm_totals *ret);

/* ---- the local calendar ---- */

struct store_event {
	int64_t id, owner_id, draft_id;
	char *title, *location, *description, *url, *rrule;
	int64_t start_ms, end_ms; /* UTC; end exclusive */
	int all_day;
	char timezone[STORE_TZ_MAX];
	char status[12]; /* confirmed, cancelled */
	int64_t created_at_ms;
};

/* Add an event (id, status and times ignored).  *ret_id may be NULL. */
int store_event_add(struct queue *q, const struct store_event *e,
    int64_t *ret_id);

/* 1 and *ret (caller frees), or 0 if there is none. */
int store_event_get(struct queue *q, int64_t id, struct store_event **ret);

/* Call fn for up to limit confirmed events of owner overlapping
 * [start_ms, end_ms), by start.  The event is borrowed for the call. */
int store_event_between(struct queue *q, int64_t owner_id, int64_t start_ms,
    int64_t end_ms, int limit,
    int (*fn)(const struct store_event *e, void *arg), void *arg);

/* Delete the events made from draft_id (undo); the count to *ret_n. */
int store_event_delete_by_draft(struct queue *q, int64_t draft_id,
    int64_t *ret_n);

void store_event_free(struct store_event *e); /* NULL is a no-op */

#endif

/*
 * audit — the append-only audit log operators follow.  Action names are an
 * interface (operators grep for them): add new ones, never rename.
 */
#ifndef DRAFTBOT_AUDIT_H
#define DRAFTBOT_AUDIT_H

#include <stdint.h>

#include "queue/queue.h"

#define AUDIT_ACTION_MAX 64
#define AUDIT_DETAILS_MAX (64 * 1024)

struct audit_entry {
	int64_t id;            /* set when read back */
	int64_t ts_ms;         /* set when read back; now when written */
	const char *actor;     /* NULL = the queue's actor */
	const char *action;    /* required: "draft_confirmed" */
	int64_t user_id;       /* 0 = none */
	int64_t chat_id;       /* 0 = none */
	const char *entity_type; /* "command", "draft", … or NULL */
	const char *entity_id;   /* or NULL */
	int64_t source_msg_id; /* Telegram message id, 0 = none */
	const char *details;   /* JSON object text; NULL = "{}"; never tokens */
};

/*
 * Append an entry (joins the open queue_begin() transaction, if any).
 * Returns 0, -EINVAL (no action, action over AUDIT_ACTION_MAX, details not a
 * JSON object or over AUDIT_DETAILS_MAX), or an I/O error.
 */
int audit_add(struct queue *q, const struct audit_entry *e);

struct audit_filter {
	int64_t after_id;   /* only rows with id > after_id */
	int64_t since_ms;   /* only rows with ts >= since_ms; 0 = any */
	int64_t user_id;    /* 0 = any */
	const char *action; /* NULL = any */
	int last;           /* > 0: only the last N matching rows */
};

/*
 * Call fn (may be NULL), in id order, for each row matching f.  The entry is borrowed for
 * the call.  fn returning non-zero stops the walk and is returned; otherwise
 * 0, or a negative errno code.  *ret_last_id (may be NULL) gets the id of the
 * last row visited (unchanged when none).
 */
int audit_query(struct queue *q, const struct audit_filter *f,
    int (*fn)(const struct audit_entry *e, void *arg), void *arg,
    int64_t *ret_last_id);

/*
 * Block until the database may have new rows (any process committed), or
 * timeout_ms passes.  Returns 1 on a change, 0 on time-out, -EINTR on a
 * signal.  Uses inotify on the database files: no busy loop.
 */
int audit_wait(struct queue *q, int timeout_ms);

#endif

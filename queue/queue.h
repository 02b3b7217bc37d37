/*
 * queue — the durable command queue.
 *
 * A struct queue is one process's (one thread's) connection to the database
 * that holds commands, the outbox and the audit log.  Delivery is
 * at-least-once; effects are made exactly-once by idempotency keys and by the
 * fencing of every write of a claimed command (owner and attempt must still
 * match).  Every state change writes its audit row in the same transaction.
 *
 * Commands of one chat never run at the same time and start in arrival
 * order.  Times are milliseconds since the epoch (see timeutil.h).
 */
#ifndef DRAFTBOT_QUEUE_H
#define DRAFTBOT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUEUE_KEY_MAX 200           /* idempotency key, bytes */
#define QUEUE_TYPE_MAX 64           /* command type / Bot API method */
#define QUEUE_PAYLOAD_MAX (1 << 20) /* payload JSON, bytes */
#define QUEUE_OWNER_MAX 64          /* lease owner */
#define QUEUE_ERROR_MAX 1024        /* last error kept per command */

enum queue_status {
	QUEUE_PENDING,
	QUEUE_PROCESSING,
	QUEUE_COMPLETED,
	QUEUE_FAILED, /* failed once, a retry is scheduled at run_at */
	QUEUE_DEAD,
	QUEUE_NSTATUS
};

struct queue;

struct queue_opts {
	const char *backend;   /* "sqlite" (the default when NULL) */
	int busy_timeout_ms;   /* wait for the write lock; 0 = 5000 */
	int max_attempts;      /* for commands that do not say; 0 = 5 */
	int cache_kb;          /* page cache of this connection, KiB; 0 = the
	                          back end's default (SQLite: 2000) */
	const char *actor;     /* audit actor of this process; NULL = "operator" */
	/* Clock for tests; NULL = the real wall clock. */
	int64_t (*now_ms)(void *arg);
	void *clock_arg;
};

/* What to enqueue.  Strings are borrowed for the duration of the call. */
struct queue_new {
	const char *type;    /* required, <= QUEUE_TYPE_MAX */
	const char *key;     /* idempotency key, required, <= QUEUE_KEY_MAX */
	int64_t chat_id;     /* 0 = not tied to a chat (no per-chat order) */
	int64_t user_id;     /* 0 = none */
	const char *payload; /* JSON object text; NULL = "{}" */
	int64_t run_at_ms;   /* 0 = now */
	int max_attempts;    /* 0 = the queue's default */
};

/* A command as read back.  Owned by the caller: queue_cmd_free(). */
struct queue_cmd {
	int64_t id;
	char *type;
	char *key;
	int64_t chat_id, user_id;
	char *payload;
	enum queue_status status;
	int attempts, max_attempts;
	int64_t run_at_ms, created_at_ms, updated_at_ms;
	char *lease_owner;       /* NULL unless processing */
	int64_t lease_expires_ms; /* 0 unless processing */
	char *last_error;        /* NULL if none */
	char *result;            /* NULL if none */
};

struct queue_stats {
	int64_t count[QUEUE_NSTATUS];
	int64_t oldest_pending_age_ms; /* -1 when nothing is pending */
};

enum queue_failure {
	QUEUE_RETRY,     /* transient: network, 429, 5xx; back off and retry */
	QUEUE_PERMANENT, /* go to dead now */
};

/*
 * Open (creating if needed) the queue database at path and apply pending
 * schema migrations.  opts may be NULL.  On success store the handle in
 * *ret_q and return 0; otherwise return a negative errno code and leave
 * *ret_q untouched: -EISDIR path is a directory, -ENOENT its folder does not
 * exist, -EACCES/-EROFS not writable, -EBADMSG not a database (corrupt),
 * -EPROTO the schema is newer than this binary, -EBUSY locked past the busy
 * timeout, -ENOTSUP unknown back end.  queue_open_error() then says more.
 */
int queue_open(const char *path, const struct queue_opts *opts,
    struct queue **ret_q);

/* The detail of the last queue_open() failure in this thread (a static
 * string; "" when there is none). */
const char *queue_open_error(void);

void queue_close(struct queue *q); /* NULL is a no-op */

/* Detail of the last error on q (borrowed, valid until the next call). */
const char *queue_errmsg(const struct queue *q);

/* A sentence for an error code returned by this module (static string). */
const char *queue_strerror(int r);

/* The schema version of the open database. */
int queue_schema_version(const struct queue *q);

/* The newest schema version this binary knows. */
int queue_schema_latest(void);

/*
 * Explicit transactions.  Between queue_begin() and queue_commit() every
 * queue, outbox and audit call on q joins one write transaction, so a
 * workflow's state change, audit rows and outbox messages commit or roll
 * back together.  Without queue_begin() each call is its own transaction.
 * Nesting is not supported (-EALREADY).  queue_commit() is durable when it
 * returns 0.
 */
int queue_begin(struct queue *q);
int queue_commit(struct queue *q);
int queue_rollback(struct queue *q); /* safe to call without a begin */

/*
 * Add a command.  Returns 0 and its id in *ret_id (may be NULL); if a command
 * with this key already exists, nothing is written, *ret_id is the existing
 * id and *ret_dup (may be NULL) is set to true.  Durable on return (unless
 * inside queue_begin()).  Writes audit "command_created".  Wakes waiting
 * workers.  -EINVAL bad argument (empty or oversized type/key/payload,
 * payload not a JSON object), -EBUSY lock timeout, -EIO.
 */
int queue_enqueue(struct queue *q, const struct queue_new *n, int64_t *ret_id,
    bool *ret_dup);

/*
 * Claim the oldest runnable command (by run_at, then id): pending or failed
 * with run_at <= now, or processing with an expired lease (rescue), whose
 * chat has nothing processing and nothing due or awaiting a retry ahead of
 * it (a command scheduled for later does not hold its chat up).  It becomes processing with lease owner,
 * lease expiry now+lease_ms and attempts+1, audited "command_claimed".
 * Returns 1 and the command in *ret (caller frees), 0 when nothing is
 * runnable now, or a negative errno code.  An expired lease on a command
 * that has used all its attempts sends it to dead instead.
 */
int queue_claim(struct queue *q, const char *owner, int64_t lease_ms,
    struct queue_cmd **ret);

/*
 * Fenced writes of a claimed command c (as returned by queue_claim): each
 * succeeds only while c->lease_owner and c->attempts still match the row;
 * otherwise -ESTALE and nothing changes (the lease was lost to another
 * worker).
 *
 * queue_complete: status completed, result (JSON text, may be NULL) stored,
 * audit "command_executed".
 * queue_fail: QUEUE_RETRY schedules run_at = now + delay_ms, or when
 * delay_ms < 0 the backoff attempt^4 s ± 10 %, status failed, audit
 * "command_retry"; QUEUE_PERMANENT, or a retry when attempts are used up,
 * goes to dead with error, audit "command_dead".
 * queue_extend: lease expiry = now + lease_ms; c->lease_expires_ms updated.
 */
int queue_complete(struct queue *q, const struct queue_cmd *c,
    const char *result);
int queue_fail(struct queue *q, const struct queue_cmd *c,
    enum queue_failure kind, int64_t delay_ms, const char *error);
int queue_extend(struct queue *q, struct queue_cmd *c, int64_t lease_ms);

/*
 * Operator re-queue: a dead or failed command becomes pending now with its
 * attempts reset, audit "command_requeued".  -ENOENT no such command,
 * -EINVAL it is not dead or failed.
 */
int queue_retry(struct queue *q, int64_t id);

/* Look up command id: 1 and *ret (caller frees), 0 if there is none. */
int queue_get(struct queue *q, int64_t id, struct queue_cmd **ret);

int queue_stats(struct queue *q, struct queue_stats *ret);

/*
 * Call fn for up to limit commands, newest first, of status (or of every
 * status when status < 0).  fn returning non-zero stops the walk and that
 * value is returned.  The command passed to fn is borrowed.
 */
int queue_list(struct queue *q, int status, int limit,
    int (*fn)(const struct queue_cmd *c, void *arg), void *arg);

/*
 * Delete completed commands and sent outbox messages finished before
 * done_before_ms, and audit rows older than audit_before_ms (0 = keep).
 * Dead rows are kept.  Counts go to *ret_cmds and *ret_audit (may be NULL).
 */
int queue_prune(struct queue *q, int64_t done_before_ms,
    int64_t audit_before_ms, int64_t *ret_cmds, int64_t *ret_audit);

/*
 * Block until a command may have become runnable: another process enqueued
 * or released one (the doorbell rang), the earliest scheduled run_at came,
 * or timeout_ms passed (< 0: the fallback poll interval, 1 s).  Returns 1
 * when woken by the doorbell, 0 on time-out, -EINTR on a signal.
 */
int queue_wait(struct queue *q, int timeout_ms);

void queue_cmd_free(struct queue_cmd *c); /* NULL is a no-op */

/* "pending", "processing", …; queue_status_parse() is its inverse (-EINVAL). */
const char *queue_status_name(enum queue_status s);
int queue_status_parse(const char *name, enum queue_status *ret);

/* The clock this queue uses (real, or the test clock from opts). */
int64_t queue_now(const struct queue *q);

#endif

/*
 * Private to the SQLite back end: the connection, its cached statements and
 * the helpers its files share.
 */
#ifndef DRAFTBOT_SQLITE_INT_H
#define DRAFTBOT_SQLITE_INT_H

#include <json-c/json.h>
#include <sqlite3.h>

#include "queue/queue_int.h"

/* Statements prepared once per connection; JOB_ ones once per kind. */
enum sq_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_AUDIT_ADD,
	ST_JOB_INSERT,
	ST_JOB_FIND_KEY,
	ST_JOB_EXPIRE_DEAD,
	ST_JOB_CLAIM,
	ST_JOB_CLAIM_CHAT,
	ST_JOB_COMPLETE,
	ST_JOB_RETRY_LATER,
	ST_JOB_DEAD,
	ST_JOB_EXTEND,
	ST_JOB_DEFER,
	ST_JOB_GET,
	ST_NSTMTS
};

struct sq {
	sqlite3 *db;
	sqlite3_stmt *st[JOB_NKINDS][ST_NSTMTS];
	int schema_version;
	int depth;      /* nesting of sq_txn_begin() */
	int inotify_fd; /* for wait_change; -1 until first use */
};

static inline struct sq *
sq_of(const struct queue *q)
{
	return q->be_data;
}

/*
 * The cached statement id for kind k (kind ignored for non-job
 * statements), reset and with bindings cleared.  NULL on a prepare error,
 * with q->errmsg set.
 */
sqlite3_stmt *sq_stmt(struct queue *q, enum job_kind k, enum sq_stmt id);

/* A copy of tmpl with each "@T" replaced by table; caller frees.  NULL
 * when out of memory. */
char *sq_expand(const char *tmpl, const char *table);

/* Map an SQLite result code to a negative errno code and set q->errmsg to
 * "what: <sqlite's message>". */
int sq_error(struct queue *q, int rc, const char *what);

/* Start a write transaction unless queue_begin() already has one. */
int sq_txn_begin(struct queue *q);

/* End what sq_txn_begin() started: commit if r >= 0 else roll back.  Inside
 * queue_begin() does nothing.  Returns r, or the commit's error. */
int sq_txn_end(struct queue *q, int r);

/* Run SQL without results (schema, pragmas). */
int sq_exec(struct queue *q, const char *sql, const char *what);

/* Bind text or NULL; an int64 or NULL when 0. */
int sq_bind_text(sqlite3_stmt *s, int i, const char *v);
int sq_bind_id(sqlite3_stmt *s, int i, int64_t v);

/* A job's audit row.  details is consumed (may be NULL).  Joins the current
 * transaction. */
int sq_audit_job(struct queue *q, enum job_kind k, enum job_event ev,
    int64_t id, int64_t chat_id, int64_t user_id, struct json_object *details);

/* Read the current row of s (columns in JOB_COLUMNS order) into a new
 * queue_cmd.  -ENOMEM on failure. */
int sq_read_job(sqlite3_stmt *s, struct queue_cmd **ret);

#define JOB_COLUMNS                                                        \
	"id, type, idempotency_key, chat_id, user_id, payload, status, "   \
	"attempts, max_attempts, run_at, created_at, updated_at, "         \
	"lease_owner, lease_expires_at, last_error, result"

/* Functions of the back-end table, by file. */
int sq_open(struct queue *q, const char *path);
void sq_close(struct queue *q);
int sq_begin(struct queue *q);
int sq_commit(struct queue *q);
int sq_rollback(struct queue *q);
int sq_schema_version(const struct queue *q);
int sq_enqueue(struct queue *q, enum job_kind k, const struct queue_new *n,
    int64_t *ret_id, bool *ret_dup);
int sq_claim(struct queue *q, enum job_kind k, const char *owner,
    int64_t lease_ms, const struct job_filter *only, struct queue_cmd **ret);
int sq_complete(struct queue *q, enum job_kind k, const struct queue_cmd *c,
    const char *result);
int sq_fail(struct queue *q, enum job_kind k, const struct queue_cmd *c,
    bool dead, int64_t run_at_ms, const char *error);
int sq_defer(struct queue *q, enum job_kind k, const struct queue_cmd *c,
    int64_t run_at_ms);
int sq_extend(struct queue *q, enum job_kind k, struct queue_cmd *c,
    int64_t lease_ms);
int sq_retry(struct queue *q, enum job_kind k, int64_t id);
int sq_get(struct queue *q, enum job_kind k, int64_t id,
    struct queue_cmd **ret);
int sq_stats(struct queue *q, enum job_kind k, struct queue_stats *ret);
int sq_list(struct queue *q, enum job_kind k, int status, int limit,
    int (*fn)(const struct queue_cmd *c, void *arg), void *arg);
int sq_prune(struct queue *q, int64_t done_before_ms, int64_t audit_before_ms,
    int64_t *ret_cmds, int64_t *ret_audit);
int sq_next_run_at(struct queue *q, int64_t *ret_ms);
int sq_audit_add(struct queue *q, const struct audit_entry *e);
int sq_audit_query(struct queue *q, const struct audit_filter *f,
    int (*fn)(const struct audit_entry *e, void *arg), void *arg,
    int64_t *ret_last_id);
int sq_wait_change(struct queue *q, int timeout_ms);
extern const struct store_ops sq_store_ops;
extern const struct account_ops sq_account_ops;
extern const struct events_ops sq_events_ops;

/* Shared by the store files (sqlite_store.c, sqlite_account.c,
 * sqlite_events.c): prepare sql (NULL and q's error set on failure); step
 * a write statement to its end and finalize it; copy / strdup a text
 * column ("" for NULL; *oom set when strdup fails). */
sqlite3_stmt *sq_prep(struct queue *q, const char *sql);
int sq_run(struct queue *q, sqlite3_stmt *s, const char *what);
void sq_copy_col(sqlite3_stmt *s, int i, char *dst, size_t len);
char *sq_dup_col(sqlite3_stmt *s, int i, bool *oom);

#endif

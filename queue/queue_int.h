/*
 * Private to queue/: the handle and the back-end table.  A back end
 * implements every operation for both kinds of job row (commands and outbox
 * messages share one life cycle) plus the audit log.
 */
#ifndef DRAFTBOT_QUEUE_INT_H
#define DRAFTBOT_QUEUE_INT_H

#include <stdbool.h>

#include "queue/audit.h"
#include "queue/queue.h"

enum job_kind { JOB_COMMAND, JOB_OUTBOX, JOB_NKINDS };

struct doorbell;
struct store_user;
struct store_draft;
struct store_task;

/* The back end's half of store.h, same contracts. */
struct store_ops {
	int (*user_touch)(struct queue *q, int64_t id, int64_t chat_id,
	    const char *display_name, const char *default_tz);
	int (*user_get)(struct queue *q, int64_t id, struct store_user *ret);
	int (*user_set_timezone)(struct queue *q, int64_t id, const char *tz);
	int (*user_set_status)(struct queue *q, int64_t id,
	    const char *status);
	int (*draft_create)(struct queue *q, const struct store_draft *d,
	    int64_t *ret_id, bool *ret_dup);
	int (*draft_get)(struct queue *q, int64_t id,
	    struct store_draft **ret);
	int (*draft_latest)(struct queue *q, int64_t owner_id,
	    const char *status, bool editing_only, struct store_draft **ret);
	int (*draft_by_message)(struct queue *q, int64_t chat_id,
	    int64_t message_id, struct store_draft **ret);
	int (*draft_update)(struct queue *q, struct store_draft *d);
	int (*draft_set_message)(struct queue *q, int64_t id,
	    int64_t message_id);
	int (*draft_due)(struct queue *q, int64_t now_ms, int limit,
	    int (*fn)(const struct store_draft *d, void *arg), void *arg);
	int (*task_add)(struct queue *q, const struct store_task *t,
	    int64_t *ret_id);
	int (*task_get)(struct queue *q, int64_t id, struct store_task **ret);
	int (*task_list)(struct queue *q, int64_t owner_id, const char *status,
	    int limit, int (*fn)(const struct store_task *t, void *arg),
	    void *arg);
	int (*task_set_status)(struct queue *q, int64_t owner_id, int64_t id,
	    const char *status);
	int (*task_delete_by_draft)(struct queue *q, int64_t draft_id,
	    int64_t *ret_n);
	int (*effect_get)(struct queue *q, const char *key, char *state,
	    size_t state_len, char *remote_id, size_t remote_len);
	int (*effect_put)(struct queue *q, const char *key, int64_t draft_id,
	    int64_t command_id, const char *state, const char *target,
	    const char *remote_id, const char *error);
	int (*outbox_set_ref)(struct queue *q, int64_t id, const char *ref);
	int (*outbox_ref)(struct queue *q, int64_t id, char *ref, size_t len);
	int (*draft_list)(struct queue *q, int64_t owner_id,
	    const char *status, int limit,
	    int (*fn)(const struct store_draft *d, void *arg), void *arg);
};

struct store_oauth_state;
struct store_llm_usage;
struct store_llm_totals;
struct store_event;

/* The back end's per-person rows (store.h), same contracts. */
struct account_ops {
	int (*user_settings_get)(struct queue *q, int64_t id, char **ret);
	int (*user_settings_set)(struct queue *q, int64_t id,
	    const char *json);
	int (*cred_put)(struct queue *q, int64_t user_id, const char *provider,
	    const void *sealed, size_t len, const char *scopes);
	int (*cred_get)(struct queue *q, int64_t user_id, const char *provider,
	    void **ret_sealed, size_t *ret_len);
	int (*cred_delete)(struct queue *q, int64_t user_id,
	    const char *provider);
	int (*oauth_state_add)(struct queue *q,
	    const struct store_oauth_state *s);
	int (*oauth_state_get)(struct queue *q, const char *state,
	    struct store_oauth_state *ret);
	int (*oauth_state_use)(struct queue *q, const char *state,
	    int64_t now_ms, struct store_oauth_state *ret);
	int (*oauth_state_prune)(struct queue *q, int64_t before_ms,
	    int64_t *ret_n);
	int (*llm_usage_add)(struct queue *q, const struct store_llm_usage *u);
	int (*llm_usage_sum)(struct queue *q, int64_t user_id, int64_t since_ms,
	    struct store_llm_totals *ret);
};

/* The back end's local calendar (store.h), same contracts. */
struct events_ops {
	int (*event_add)(struct queue *q, const struct store_event *e,
	    int64_t *ret_id);
	int (*event_get)(struct queue *q, int64_t id, struct store_event **ret);
	int (*event_between)(struct queue *q, int64_t owner_id,
	    int64_t start_ms, int64_t end_ms, int limit,
	    int (*fn)(const struct store_event *e, void *arg), void *arg);
	int (*event_delete_by_draft)(struct queue *q, int64_t draft_id,
	    int64_t *ret_n);
};

/* Which rows a claim may take (NULL: any): those of chat chat_id, and those
 * tied to no chat whose user is user_id (0: none of those). */
struct job_filter {
	int64_t chat_id;
	int64_t user_id;
};

struct queue_backend {
	const char *name;
	int (*open)(struct queue *q, const char *path);
	void (*close)(struct queue *q);
	int (*begin)(struct queue *q);
	int (*commit)(struct queue *q);
	int (*rollback)(struct queue *q);
	int (*enqueue)(struct queue *q, enum job_kind k,
	    const struct queue_new *n, int64_t *ret_id, bool *ret_dup);
	int (*claim)(struct queue *q, enum job_kind k, const char *owner,
	    int64_t lease_ms, const struct job_filter *only,
	    struct queue_cmd **ret);
	int (*complete)(struct queue *q, enum job_kind k,
	    const struct queue_cmd *c, const char *result);
	/* dead: go to dead; else retry at run_at_ms */
	int (*fail)(struct queue *q, enum job_kind k, const struct queue_cmd *c,
	    bool dead, int64_t run_at_ms, const char *error);
	int (*extend)(struct queue *q, enum job_kind k, struct queue_cmd *c,
	    int64_t lease_ms);
	/* wait (as failed) until run_at_ms, the attempt not counted */
	int (*defer)(struct queue *q, enum job_kind k,
	    const struct queue_cmd *c, int64_t run_at_ms);
	int (*retry)(struct queue *q, enum job_kind k, int64_t id);
	int (*get)(struct queue *q, enum job_kind k, int64_t id,
	    struct queue_cmd **ret);
	int (*stats)(struct queue *q, enum job_kind k, struct queue_stats *ret);
	int (*list)(struct queue *q, enum job_kind k, int status, int limit,
	    int (*fn)(const struct queue_cmd *c, void *arg), void *arg);
	int (*prune)(struct queue *q, int64_t done_before_ms,
	    int64_t audit_before_ms, int64_t *ret_cmds, int64_t *ret_audit);
	/* earliest run_at of a waiting job of either kind; 0 if none */
	int (*next_run_at)(struct queue *q, int64_t *ret_ms);
	int (*schema_version)(const struct queue *q);
	int (*audit_add)(struct queue *q, const struct audit_entry *e);
	int (*audit_query)(struct queue *q, const struct audit_filter *f,
	    int (*fn)(const struct audit_entry *e, void *arg), void *arg,
	    int64_t *ret_last_id);
	int (*wait_change)(struct queue *q, int timeout_ms);
	const struct store_ops *store;
	const struct account_ops *account;
	const struct events_ops *events;
};

extern const struct queue_backend queue_backend_sqlite;

struct queue {
	const struct queue_backend *be;
	void *be_data;
	char *path;
	struct queue_opts opts; /* copy; actor owned */
	struct doorbell *bell;  /* NULL until first ring or wait */
	bool in_txn;            /* inside queue_begin() */
	bool ring_on_commit;    /* something runnable was written in it */
	char errmsg[512];
};

/* Set q->errmsg (printf-style) and return r, for "return qerr(q, r, …)". */
int queue_set_error(struct queue *q, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Remember the detail of a queue_open() failure (thread-local). */
void queue_set_open_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* The audit action for an event of a kind of job, NULL for none. */
enum job_event { EV_CREATED, EV_CLAIMED, EV_DONE, EV_RETRY, EV_DEAD,
	EV_REQUEUED, EV_NEVENTS };
const char *job_action(enum job_kind k, enum job_event ev);

/* Is text (len bytes) one JSON object with nothing after it but white
 * space?  Cheap enough for every enqueue. */
bool queue_is_json_object(const char *text, size_t len);

/* Validate a queue_new (sizes, JSON object payload).  0 or -EINVAL with
 * q->errmsg set. */
int job_validate_new(struct queue *q, const struct queue_new *n);

/* The shared life cycle behind the queue_ and outbox_ functions. */
int job_enqueue(struct queue *q, enum job_kind k, const struct queue_new *n,
    int64_t *ret_id, bool *ret_dup);
int job_claim(struct queue *q, enum job_kind k, const char *owner,
    int64_t lease_ms, const struct job_filter *only, struct queue_cmd **ret);
int job_complete(struct queue *q, enum job_kind k, const struct queue_cmd *c,
    const char *result);
int job_fail(struct queue *q, enum job_kind k, const struct queue_cmd *c,
    enum queue_failure kind, int64_t delay_ms, const char *error);

#endif

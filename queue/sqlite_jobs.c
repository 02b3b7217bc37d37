/*
 * SQLite back end: the life cycle of job rows (commands and outbox
 * messages): enqueue, claim, complete, fail, extend, and reading them back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "queue/sqlite_int.h"

static char *
col_strdup(sqlite3_stmt *s, int i, bool *oom)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	char *d;

	if (t == NULL)
		return NULL;
	d = strdup((const char *)t);
	if (d == NULL)
		*oom = true;
	return d;
}

int
sq_read_job(sqlite3_stmt *s, struct queue_cmd **ret)
{
	struct queue_cmd *c;
	enum queue_status st = QUEUE_PENDING;
	bool oom = false;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->id = sqlite3_column_int64(s, 0);
	c->type = col_strdup(s, 1, &oom);
	c->key = col_strdup(s, 2, &oom);
	c->chat_id = sqlite3_column_int64(s, 3);
	c->user_id = sqlite3_column_int64(s, 4);
	c->payload = col_strdup(s, 5, &oom);
	queue_status_parse((const char *)sqlite3_column_text(s, 6), &st);
	c->status = st;
	c->attempts = sqlite3_column_int(s, 7);
	c->max_attempts = sqlite3_column_int(s, 8);
	c->run_at_ms = sqlite3_column_int64(s, 9);
	c->created_at_ms = sqlite3_column_int64(s, 10);
	c->updated_at_ms = sqlite3_column_int64(s, 11);
	c->lease_owner = col_strdup(s, 12, &oom);
	c->lease_expires_ms = sqlite3_column_int64(s, 13);
	c->last_error = col_strdup(s, 14, &oom);
	c->result = col_strdup(s, 15, &oom);
	if (oom) {
		queue_cmd_free(c);
		return -ENOMEM;
	}
	*ret = c;
	return 0;
}

/* Step s expecting one row with an integer in column 0; 1 found, 0 none. */
static int
step_id(struct queue *q, sqlite3_stmt *s, int64_t *ret, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s); /* finish a RETURNING statement */
		if (rc != SQLITE_DONE)
			return sq_error(q, rc, what);
		return 1;
	}
	return rc == SQLITE_DONE ? 0 : sq_error(q, rc, what);
}

int
sq_enqueue(struct queue *q, enum job_kind k, const struct queue_new *n,
    int64_t *ret_id, bool *ret_dup)
{
	struct json_object *d;
	sqlite3_stmt *s;
	int64_t now = queue_now(q), id = 0;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_stmt(q, k, ST_JOB_INSERT);
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_text(s, 1, n->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, n->type, -1, SQLITE_STATIC);
	sq_bind_id(s, 3, n->chat_id);
	sq_bind_id(s, 4, n->user_id);
	sq_bind_text(s, 5, n->payload);
	sqlite3_bind_int(s, 6,
	    n->max_attempts > 0 ? n->max_attempts : q->opts.max_attempts);
	sqlite3_bind_int64(s, 7, n->run_at_ms > 0 ? n->run_at_ms : now);
	sqlite3_bind_int64(s, 8, now);
	r = step_id(q, s, &id, "enqueue");
	if (r < 0)
		goto out;
	if (r == 0) {
		/* The key exists: an earlier enqueue of the same thing. */
		s = sq_stmt(q, k, ST_JOB_FIND_KEY);
		if (s == NULL) {
			r = -EIO;
			goto out;
		}
		sqlite3_bind_text(s, 1, n->key, -1, SQLITE_STATIC);
		r = step_id(q, s, &id, "find key");
		if (r == 0)
			r = queue_set_error(q, -EIO, "key vanished");
		if (r < 0)
			goto out;
		*ret_dup = true;
		r = 0;
		goto out;
	}
	*ret_dup = false;
	d = json_object_new_object();
	json_object_object_add(d, "type", json_object_new_string(n->type));
	json_object_object_add(d, "key", json_object_new_string(n->key));
	r = sq_audit_job(q, k, EV_CREATED, id, n->chat_id, n->user_id, d);
out:
	r = sq_txn_end(q, r);
	if (r == 0)
		*ret_id = id;
	return r;
}

/* Send expired leases that used their last attempt to dead, with audit. */
static int
expire_dead(struct queue *q, enum job_kind k, int64_t now)
{
	sqlite3_stmt *s = sq_stmt(q, k, ST_JOB_EXPIRE_DEAD);
	int rc = SQLITE_DONE, r = 0;

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, now);
	/*
	 * SQLite makes all the changes of an UPDATE … RETURNING in the first
	 * step and hands the rows out from memory, so each row can be
	 * audited as it comes, however many leases expired at once.
	 */
	while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct json_object *d = json_object_new_object();

		json_object_object_add(d, "attempt",
		    json_object_new_int(sqlite3_column_int(s, 3)));
		json_object_object_add(d, "error",
		    json_object_new_string("lease expired on the last attempt"));
		r = sq_audit_job(q, k, EV_DEAD, sqlite3_column_int64(s, 0),
		    sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2), d);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = sq_error(q, rc, "expire leases");
	sqlite3_reset(s);
	return r;
}

int
sq_claim(struct queue *q, enum job_kind k, const char *owner, int64_t lease_ms,
    const struct job_filter *only, struct queue_cmd **ret)
{
	struct queue_cmd *c = NULL;
	sqlite3_stmt *s;
	int64_t now = queue_now(q);
	int rc, r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	r = expire_dead(q, k, now);
	if (r < 0)
		goto out;
	s = sq_stmt(q, k, only != NULL ? ST_JOB_CLAIM_CHAT : ST_JOB_CLAIM);
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, lease_ms);
	if (only != NULL) {
		sqlite3_bind_int64(s, 4, only->chat_id);
		sqlite3_bind_int64(s, 5, only->user_id);
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		r = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = sq_error(q, rc, "claim");
		goto out;
	}
	r = sq_read_job(s, &c);
	if (r < 0)
		goto out;
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		r = sq_error(q, rc, "claim");
		goto out;
	}
	if (job_action(k, EV_CLAIMED) != NULL) {
		struct json_object *d = json_object_new_object();

		json_object_object_add(d, "owner",
		    json_object_new_string(owner));
		json_object_object_add(d, "attempt",
		    json_object_new_int(c->attempts));
		r = sq_audit_job(q, k, EV_CLAIMED, c->id, c->chat_id,
		    c->user_id, d);
		if (r < 0)
			goto out;
	}
	r = 1;
out:
	r = sq_txn_end(q, r);
	if (r == 1)
		*ret = c;
	else
		queue_cmd_free(c);
	return r;
}

/* Bind the fence (id, owner, attempt) and now as ?1..?4 and run s. */
static int
fenced_step(struct queue *q, sqlite3_stmt *s, const struct queue_cmd *c,
    int64_t now, const char *what)
{
	int rc;

	sqlite3_bind_int64(s, 1, c->id);
	sq_bind_text(s, 2, c->lease_owner);
	sqlite3_bind_int(s, 3, c->attempts);
	sqlite3_bind_int64(s, 4, now);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		return sq_error(q, rc, what);
	if (sqlite3_changes(sq_of(q)->db) == 0)
		return queue_set_error(q, -ESTALE,
		    "%s: command %lld attempt %d is no longer held by %s", what,
		    (long long)c->id, c->attempts,
		    c->lease_owner ? c->lease_owner : "(nobody)");
	return 0;
}

int
sq_complete(struct queue *q, enum job_kind k, const struct queue_cmd *c,
    const char *result)
{
	struct json_object *d;
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_stmt(q, k, ST_JOB_COMPLETE);
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sq_bind_text(s, 5, result);
	r = fenced_step(q, s, c, queue_now(q), "complete");
	if (r < 0)
		goto out;
	d = json_object_new_object();
	json_object_object_add(d, "attempt", json_object_new_int(c->attempts));
	r = sq_audit_job(q, k, EV_DONE, c->id, c->chat_id, c->user_id, d);
out:
	return sq_txn_end(q, r);
}

int
sq_fail(struct queue *q, enum job_kind k, const struct queue_cmd *c, bool dead,
    int64_t run_at_ms, const char *error)
{
	struct json_object *d;
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_stmt(q, k, dead ? ST_JOB_DEAD : ST_JOB_RETRY_LATER);
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	if (!dead)
		sqlite3_bind_int64(s, 5, run_at_ms);
	sqlite3_bind_text(s, 6, error, -1, SQLITE_STATIC);
	r = fenced_step(q, s, c, queue_now(q), "fail");
	if (r < 0)
		goto out;
	d = json_object_new_object();
	json_object_object_add(d, "attempt", json_object_new_int(c->attempts));
	json_object_object_add(d, "error", json_object_new_string(error));
	if (!dead)
		json_object_object_add(d, "run_at",
		    json_object_new_int64(run_at_ms));
	r = sq_audit_job(q, k, dead ? EV_DEAD : EV_RETRY, c->id, c->chat_id,
	    c->user_id, d);
out:
	return sq_txn_end(q, r);
}

int
sq_extend(struct queue *q, enum job_kind k, struct queue_cmd *c,
    int64_t lease_ms)
{
	sqlite3_stmt *s;
	int64_t now = queue_now(q);
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_stmt(q, k, ST_JOB_EXTEND);
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 5, lease_ms);
	r = fenced_step(q, s, c, now, "extend");
out:
	r = sq_txn_end(q, r);
	if (r == 0)
		c->lease_expires_ms = now + lease_ms;
	return r;
}

int
sq_defer(struct queue *q, enum job_kind k, const struct queue_cmd *c,
    int64_t run_at_ms)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_stmt(q, k, ST_JOB_DEFER);
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 5, run_at_ms);
	r = fenced_step(q, s, c, queue_now(q), "defer");
out:
	return sq_txn_end(q, r);
}

int
sq_get(struct queue *q, enum job_kind k, int64_t id, struct queue_cmd **ret)
{
	sqlite3_stmt *s = sq_stmt(q, k, ST_JOB_GET);
	int rc, r;

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		r = 0;
	else if (rc != SQLITE_ROW)
		r = sq_error(q, rc, "get");
	else
		r = sq_read_job(s, ret) == 0 ? 1 : -ENOMEM;
	sqlite3_reset(s);
	return r;
}

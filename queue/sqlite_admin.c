/*
 * SQLite back end: what operators and the scheduler ask of the job tables:
 * re-queue, stats, listing, pruning and the next due time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/sqlite_int.h"

static const char *const tables[JOB_NKINDS] = { "commands", "outbox" };
static const char *const nouns[JOB_NKINDS] = { "command", "message" };

/* Prepare a one-off statement with the job table substituted for @T. */
static int
prepare(struct queue *q, enum job_kind k, const char *tmpl,
    sqlite3_stmt **ret)
{
	char *sql = sq_expand(tmpl, tables[k]);
	int rc;

	if (sql == NULL)
		return queue_set_error(q, -ENOMEM, "out of memory");
	rc = sqlite3_prepare_v2(sq_of(q)->db, sql, -1, ret, NULL);
	free(sql);
	return rc == SQLITE_OK ? 0 : sq_error(q, rc, "prepare");
}

int
sq_retry(struct queue *q, enum job_kind k, int64_t id)
{
	sqlite3_stmt *s = NULL;
	struct json_object *d;
	char status[16] = "";
	int64_t chat = 0, user = 0;
	int rc, r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	r = prepare(q, k, "SELECT status, chat_id, user_id FROM @T "
			  "WHERE id = ?1", &s);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		r = queue_set_error(q, -ENOENT, "there is no %s %lld",
		    nouns[k], (long long)id);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = sq_error(q, rc, "retry");
		goto out;
	}
	snprintf(status, sizeof(status), "%s", sqlite3_column_text(s, 0));
	chat = sqlite3_column_int64(s, 1);
	user = sqlite3_column_int64(s, 2);
	sqlite3_finalize(s);
	s = NULL;
	if (strcmp(status, "dead") != 0 && strcmp(status, "failed") != 0) {
		r = queue_set_error(q, -EINVAL,
		    "%s %lld is %s; only dead or failed ones can be retried",
		    nouns[k], (long long)id, status);
		goto out;
	}
	r = prepare(q, k, "UPDATE @T SET status = 'pending', attempts = 0, "
			  "run_at = ?2, updated_at = ?2, finished_at = NULL "
			  "WHERE id = ?1", &s);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, queue_now(q));
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		r = sq_error(q, rc, "retry");
		goto out;
	}
	d = json_object_new_object();
	json_object_object_add(d, "from", json_object_new_string(status));
	r = sq_audit_job(q, k, EV_REQUEUED, id, chat, user, d);
out:
	sqlite3_finalize(s);
	return sq_txn_end(q, r);
}

int
sq_stats(struct queue *q, enum job_kind k, struct queue_stats *ret)
{
	struct queue_stats st = { .oldest_pending_age_ms = -1 };
	sqlite3_stmt *s = NULL;
	int rc, r;

	/* One read transaction so the counts agree with each other. */
	if (!q->in_txn) {
		r = sq_exec(q, "BEGIN", "stats");
		if (r < 0)
			return r;
	}
	r = prepare(q, k, "SELECT status, count(*) FROM @T GROUP BY status",
	    &s);
	if (r < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		enum queue_status status;

		if (queue_status_parse((const char *)sqlite3_column_text(s, 0),
			&status) == 0)
			st.count[status] = sqlite3_column_int64(s, 1);
	}
	if (rc != SQLITE_DONE) {
		r = sq_error(q, rc, "stats");
		goto out;
	}
	sqlite3_finalize(s);
	r = prepare(q, k, "SELECT min(created_at) FROM @T "
			  "WHERE status = 'pending'", &s);
	if (r < 0)
		goto out;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		r = sq_error(q, rc, "stats");
		goto out;
	}
	if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
		st.oldest_pending_age_ms =
		    queue_now(q) - sqlite3_column_int64(s, 0);
		if (st.oldest_pending_age_ms < 0)
			st.oldest_pending_age_ms = 0;
	}
	*ret = st;
out:
	sqlite3_finalize(s);
	if (!q->in_txn)
		sq_exec(q, "COMMIT", "stats");
	return r;
}

int
sq_list(struct queue *q, enum job_kind k, int status, int limit,
    int (*fn)(const struct queue_cmd *c, void *arg), void *arg)
{
	sqlite3_stmt *s = NULL;
	struct queue_cmd *c;
	int rc, r;

	r = prepare(q, k, "SELECT " JOB_COLUMNS " FROM @T "
			  "WHERE ?1 IS NULL OR status = ?1 "
			  "ORDER BY id DESC LIMIT ?2", &s);
	if (r < 0)
		return r;
	if (status >= 0)
		sqlite3_bind_text(s, 1,
		    queue_status_name((enum queue_status)status), -1,
		    SQLITE_STATIC);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r = sq_read_job(s, &c);
		if (r < 0)
			goto out;
		r = fn(c, arg);
		queue_cmd_free(c);
		if (r != 0)
			goto out;
	}
	r = rc == SQLITE_DONE ? 0 : sq_error(q, rc, "list");
out:
	sqlite3_finalize(s);
	return r;
}

/* Run a one-off DELETE bound to ?1 = before and count its rows. */
static int
delete_before(struct queue *q, const char *sql, int64_t before, int64_t *n)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(sq_of(q)->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, before);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sq_error(q, rc, "prune");
	*n += sqlite3_changes(sq_of(q)->db);
	return 0;
}

int
sq_prune(struct queue *q, int64_t done_before_ms, int64_t audit_before_ms,
    int64_t *ret_cmds, int64_t *ret_audit)
{
	int64_t cmds = 0, msgs = 0, audit = 0;
	struct audit_entry e = { .action = "queue_pruned",
		.entity_type = "queue" };
	char details[160];
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	if (done_before_ms > 0) {
		r = delete_before(q,
		    "DELETE FROM commands WHERE status = 'completed' "
		    "AND finished_at < ?1",
		    done_before_ms, &cmds);
		if (r == 0)
			r = delete_before(q,
			    "DELETE FROM outbox WHERE status = 'completed' "
			    "AND finished_at < ?1",
			    done_before_ms, &msgs);
	}
	if (r == 0 && audit_before_ms > 0)
		r = delete_before(q, "DELETE FROM audit_log WHERE ts < ?1",
		    audit_before_ms, &audit);
	if (r < 0)
		goto out;
	snprintf(details, sizeof(details),
	    "{\"commands\":%lld,\"messages\":%lld,\"audit_rows\":%lld}",
	    (long long)cmds, (long long)msgs, (long long)audit);
	e.details = details;
	r = sq_audit_add(q, &e);
out:
	r = sq_txn_end(q, r);
	if (r == 0 && ret_cmds != NULL)
		*ret_cmds = cmds + msgs;
	if (r == 0 && ret_audit != NULL)
		*ret_audit = audit;
	return r;
}

int
sq_next_run_at(struct queue *q, int64_t *ret_ms)
{
	static const char sql[] =
	    "SELECT min(t) FROM ("
	    "SELECT min(run_at) AS t FROM commands "
	    "  WHERE status IN ('pending', 'failed') AND run_at > ?1 "
	    "UNION ALL SELECT min(lease_expires_at) FROM commands "
	    "  WHERE status = 'processing' AND lease_expires_at > ?1 "
	    "UNION ALL SELECT min(run_at) FROM outbox "
	    "  WHERE status IN ('pending', 'failed') AND run_at > ?1 "
	    "UNION ALL SELECT min(lease_expires_at) FROM outbox "
	    "  WHERE status = 'processing' AND lease_expires_at > ?1)";
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(sq_of(q)->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, queue_now(q));
		rc = sqlite3_step(s);
	}
	if (rc == SQLITE_ROW) {
		*ret_ms = sqlite3_column_int64(s, 0); /* NULL reads as 0 */
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : sq_error(q, rc, "next run");
}

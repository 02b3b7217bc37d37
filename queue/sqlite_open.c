/*
 * SQLite back end: opening, errors, the statement cache, transactions and
 * schema migrations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "queue/sqlite_int.h"
#include "schema/schema.h"

#define OPEN_RETRY_MS 10 /* a busy switch to WAL is tried again after */

static const char *const job_tables[JOB_NKINDS] = { "commands", "outbox" };

/*
 * Job statements name their table as @T.
 *
 * Claim takes the oldest runnable row (by run_at, then id) whose chat is
 * free: nothing of the chat processing, and nothing of it ahead (lower id)
 * that is due or waiting for a retry.  A command scheduled for later does
 * not hold its chat up.  A row being rescued (processing, lease expired) is
 * held back only by a live lease of its chat, so two stuck rows of one chat
 * cannot block each other.  Each branch walks commands_runnable in order and
 * stops at the first free row; the chat test uses the partial index of
 * active rows, so neither cost grows with completed history.
 */
#define CHAT_ACTIVE                                                       \
	"p.chat_id = c.chat_id "                                          \
	"AND p.status IN ('pending', 'processing', 'failed') AND p.id <> c.id "
#define CHAT_FREE                                                         \
	"NOT EXISTS (SELECT 1 FROM @T p WHERE " CHAT_ACTIVE                \
	"AND (p.status = 'processing' OR (p.id < c.id AND (p.status = "    \
	"'failed' OR (p.status = 'pending' AND p.run_at <= ?1)))))"
#define CLAIM_BRANCH(cond, free)                                          \
	"SELECT * FROM (SELECT c.id, c.run_at FROM @T c WHERE " cond       \
	" AND " free " ORDER BY c.run_at, c.id LIMIT 1)"
/* only: more conditions on the row c, each starting with " AND ". */
#define CLAIM_SQL(only)                                                   \
	"UPDATE @T SET status = 'processing', lease_owner = ?2, "          \
	"lease_expires_at = ?1 + ?3, attempts = attempts + 1, "            \
	"updated_at = ?1 "                                                 \
	"WHERE id = (SELECT id FROM ("                                     \
	CLAIM_BRANCH("c.status = 'pending' AND c.run_at <= ?1" only,       \
	    CHAT_FREE)                                                     \
	" UNION ALL "                                                      \
	CLAIM_BRANCH("c.status = 'failed' AND c.run_at <= ?1" only,        \
	    CHAT_FREE)                                                     \
	" UNION ALL "                                                      \
	CLAIM_BRANCH("c.status = 'processing' AND c.lease_expires_at <= ?1" \
	    only,                                                          \
	    "NOT EXISTS (SELECT 1 FROM @T p WHERE " CHAT_ACTIVE            \
	    "AND p.status = 'processing' AND p.lease_expires_at > ?1)")    \
	") ORDER BY run_at, id LIMIT 1) "                                  \
	"RETURNING " JOB_COLUMNS
/* A stored chat or user id of 0 is NULL (sq_bind_id). */
#define ONLY_CHAT                                                         \
	" AND (c.chat_id = ?4 OR (c.chat_id IS NULL AND c.user_id = ?5))"

static const char *const sql_text[ST_NSTMTS] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_AUDIT_ADD] =
	    "INSERT INTO audit_log (ts, actor, action, user_id, chat_id, "
	    "entity_type, entity_id, source_msg_id, details) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce(?9, '{}'))",
	[ST_JOB_INSERT] =
	    "INSERT INTO @T (idempotency_key, type, chat_id, user_id, payload, "
	    "max_attempts, run_at, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, coalesce(?5, '{}'), ?6, ?7, ?8, ?8) "
	    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
	[ST_JOB_FIND_KEY] = "SELECT id FROM @T WHERE idempotency_key = ?1",
	[ST_JOB_EXPIRE_DEAD] =
	    "UPDATE @T SET status = 'dead', lease_owner = NULL, "
	    "lease_expires_at = NULL, updated_at = ?1, finished_at = ?1, "
	    "last_error = 'lease expired on the last attempt (' || attempts || "
	    "' of ' || max_attempts || '): the worker died or hung' "
	    "WHERE status = 'processing' AND lease_expires_at <= ?1 "
	    "AND attempts >= max_attempts "
	    "RETURNING id, chat_id, user_id, attempts",
	[ST_JOB_CLAIM] = CLAIM_SQL(""),
	[ST_JOB_CLAIM_CHAT] = CLAIM_SQL(ONLY_CHAT),
	[ST_JOB_COMPLETE] =
	    "UPDATE @T SET status = 'completed', result = ?5, "
	    "lease_owner = NULL, lease_expires_at = NULL, updated_at = ?4, "
	    "finished_at = ?4 "
	    "WHERE id = ?1 AND status = 'processing' AND lease_owner = ?2 "
	    "AND attempts = ?3",
	[ST_JOB_RETRY_LATER] =
	    "UPDATE @T SET status = 'failed', run_at = ?5, last_error = ?6, "
	    "lease_owner = NULL, lease_expires_at = NULL, updated_at = ?4 "
	    "WHERE id = ?1 AND status = 'processing' AND lease_owner = ?2 "
	    "AND attempts = ?3",
	[ST_JOB_DEAD] =
	    "UPDATE @T SET status = 'dead', last_error = ?6, "
	    "lease_owner = NULL, lease_expires_at = NULL, updated_at = ?4, "
	    "finished_at = ?4 "
	    "WHERE id = ?1 AND status = 'processing' AND lease_owner = ?2 "
	    "AND attempts = ?3",
	[ST_JOB_EXTEND] =
	    "UPDATE @T SET lease_expires_at = ?4 + ?5, updated_at = ?4 "
	    "WHERE id = ?1 AND status = 'processing' AND lease_owner = ?2 "
	    "AND attempts = ?3",
	[ST_JOB_DEFER] =
	    "UPDATE @T SET status = 'failed', run_at = ?5, "
	    "attempts = attempts - 1, lease_owner = NULL, "
	    "lease_expires_at = NULL, updated_at = ?4 "
	    "WHERE id = ?1 AND status = 'processing' AND lease_owner = ?2 "
	    "AND attempts = ?3",
	[ST_JOB_GET] = "SELECT " JOB_COLUMNS " FROM @T WHERE id = ?1",
};

char *
sq_expand(const char *tmpl, const char *table)
{
	size_t tl = strlen(table), n = strlen(tmpl) + 1;
	const char *p;
	char *out, *o;

	for (p = tmpl; (p = strstr(p, "@T")) != NULL; p += 2)
		n += tl;
	out = malloc(n);
	if (out == NULL)
		return NULL;
	for (o = out, p = tmpl; *p != '\0';) {
		if (p[0] == '@' && p[1] == 'T') {
			memcpy(o, table, tl);
			o += tl;
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

sqlite3_stmt *
sq_stmt(struct queue *q, enum job_kind k, enum sq_stmt id)
{
	struct sq *sq = sq_of(q);
	sqlite3_stmt **slot;
	char *sql;
	int rc;

	if (id < ST_JOB_INSERT)
		k = JOB_COMMAND;
	slot = &sq->st[k][id];
	if (*slot != NULL) {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
		return *slot;
	}
	sql = sq_expand(sql_text[id], job_tables[k]);
	if (sql == NULL) {
		queue_set_error(q, -ENOMEM, "out of memory");
		return NULL;
	}
	rc = sqlite3_prepare_v3(sq->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    slot, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		sq_error(q, rc, "prepare");
		return NULL;
	}
	return *slot;
}

int
sq_error(struct queue *q, int rc, const char *what)
{
	struct sq *sq = sq_of(q);
	int r;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		r = -EBUSY;
		break;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		r = -EBADMSG;
		break;
	case SQLITE_READONLY:
		r = -EROFS;
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		r = sqlite3_system_errno(sq->db) ? -sqlite3_system_errno(sq->db)
						 : -EACCES;
		break;
	case SQLITE_FULL:
		r = -ENOSPC;
		break;
	case SQLITE_NOMEM:
		r = -ENOMEM;
		break;
	case SQLITE_TOOBIG:
		r = -EMSGSIZE;
		break;
	case SQLITE_CONSTRAINT:
		r = -EINVAL;
		break;
	default:
		r = -EIO;
		break;
	}
	return queue_set_error(q, r, "%s: %s", what, sqlite3_errmsg(sq->db));
}

int
sq_exec(struct queue *q, const char *sql, const char *what)
{
	int rc = sqlite3_exec(sq_of(q)->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sq_error(q, rc, what);
}

static int
step_done(struct queue *q, enum sq_stmt id, const char *what)
{
	sqlite3_stmt *s = sq_stmt(q, JOB_COMMAND, id);
	int rc;

	if (s == NULL)
		return -EIO;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sq_error(q, rc, what);
}

int
sq_begin(struct queue *q)
{
	return step_done(q, ST_BEGIN, "begin");
}

int
sq_commit(struct queue *q)
{
	int r = step_done(q, ST_COMMIT, "commit");

	if (r < 0 && !sqlite3_get_autocommit(sq_of(q)->db))
		step_done(q, ST_ROLLBACK, "rollback");
	return r;
}

int
sq_rollback(struct queue *q)
{
	if (sqlite3_get_autocommit(sq_of(q)->db))
		return 0; /* SQLite already rolled back (e.g. on SQLITE_FULL) */
	return step_done(q, ST_ROLLBACK, "rollback");
}

/*
 * Internal transactions nest by depth: an operation that calls another (an
 * enqueue writing its audit row) runs in one transaction.  Inside
 * queue_begin() the caller's transaction is joined and never ended here.
 */
int
sq_txn_begin(struct queue *q)
{
	struct sq *sq = sq_of(q);
	int r;

	if (q->in_txn || sq->depth > 0) {
		sq->depth++;
		return 0;
	}
	r = sq_begin(q);
	if (r == 0)
		sq->depth = 1;
	return r;
}

int
sq_txn_end(struct queue *q, int r)
{
	struct sq *sq = sq_of(q);
	int c;

	if (--sq->depth > 0 || q->in_txn)
		return r;
	if (r < 0) {
		sq_rollback(q);
		return r;
	}
	/* r may be a count (a claim's 1): keep it unless the commit fails. */
	c = sq_commit(q);
	return c < 0 ? c : r;
}

int
sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC)
		 : sqlite3_bind_null(s, i);
}

int
sq_bind_id(sqlite3_stmt *s, int i, int64_t v)
{
	return v ? sqlite3_bind_int64(s, i, v) : sqlite3_bind_null(s, i);
}

/* Run a one-row, one-integer query. */
static int
query_int(struct queue *q, const char *sql, int *ret)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(sq_of(q)->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : sq_error(q, rc, "read schema version");
}

/*
 * What is this file?  Reads only.  *ret_version: 0 for a new, empty file.
 * A file with tables but no schema_version is somebody else's database:
 * -EBADMSG, and it is left untouched.  A newer schema: -EPROTO.
 */
static int
identify(struct queue *q, int *ret_version)
{
	int latest = (int)schema_sqlite_count, n = 0, r;

	/*
	 * The first read of the file: a corrupt one fails here.  One
	 * statement, so one snapshot: another process may commit the first
	 * migration between two reads, and its tables without its
	 * schema_version would look like another program's database.
	 * n = -1: ours; else the number of objects of something else.
	 */
	r = query_int(q,
	    "SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_master WHERE "
	    "type = 'table' AND name = 'schema_version') THEN -1 ELSE "
	    "(SELECT count(*) FROM sqlite_master WHERE name NOT LIKE "
	    "'sqlite_%') END",
	    &n);
	if (r < 0)
		return r;
	if (n >= 0) {
		if (n > 0)
			return queue_set_error(q, -EBADMSG,
			    "the file is an SQLite database of something else "
			    "(%d objects, no draftbot schema); it was left "
			    "unchanged",
			    n);
		*ret_version = 0;
		return 0;
	}
	r = query_int(q, "SELECT coalesce(max(version), 0) FROM schema_version",
	    ret_version);
	if (r < 0)
		return r;
	if (*ret_version > latest)
		return queue_set_error(q, -EPROTO,
		    "the database has schema version %d but this draftbot "
		    "knows only up to %d; run a newer draftbot (schemas are "
		    "never downgraded)",
		    *ret_version, latest);
	return 0;
}

static int
record_version(struct queue *q, const struct schema_migration *m,
    const char *what)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(sq_of(q)->db,
	    "INSERT INTO schema_version (version, name, applied_at) "
	    "VALUES (?1, ?2, ?3)",
	    -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int(s, 1, m->version);
		sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, queue_now(q));
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sq_error(q, rc, what);
}

/*
 * Bring the schema from version up to date in one write transaction, with
 * the schema_version rows.  Another process may have migrated between
 * identify() and the lock, so the version is read again under it.
 */
static int
migrate(struct queue *q, int version)
{
	int latest = (int)schema_sqlite_count, r;

	if (version == latest)
		return 0;
	r = sq_exec(q, "BEGIN IMMEDIATE", "migrate");
	if (r < 0)
		return r;
	r = identify(q, &version);
	if (r < 0)
		goto out;
	r = sq_exec(q,
	    "CREATE TABLE IF NOT EXISTS schema_version ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at INTEGER NOT NULL) STRICT",
	    "create schema_version");
	for (int i = version; r == 0 && i < latest; i++) {
		const struct schema_migration *m = &schema_sqlite[i];
		char what[96];

		snprintf(what, sizeof(what), "migration %04d_%s", m->version,
		    m->name);
		r = sq_exec(q, m->sql, what);
		if (r == 0)
			r = record_version(q, m, what);
	}
out:
	if (r < 0) {
		sq_exec(q, "ROLLBACK", "rollback");
		return r;
	}
	return sq_exec(q, "COMMIT", "migrate");
}

/* Settings of every connection; see DESIGN.md §4 "SQLite rules". */
static int
configure(struct queue *q)
{
	struct sq *sq = sq_of(q);
	sqlite3_stmt *s = NULL;
	int rc, r;

	rc = sqlite3_prepare_v2(sq->db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(s, 0), "wal") != 0) {
		r = queue_set_error(q, -EIO,
		    "the database cannot use WAL journaling (it stays in %s "
		    "mode)",
		    (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		return r;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return sq_error(q, rc, "open");
	if (sqlite3_db_readonly(sq->db, "main") == 1)
		return queue_set_error(q, -EROFS,
		    "the database file is not writable");
	r = sq_exec(q,
	    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
	    "PRAGMA temp_store = MEMORY",
	    "configure");
	if (r == 0 && q->opts.cache_kb > 0) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d",
		    q->opts.cache_kb);
		r = sq_exec(q, sql, "configure");
	}
	return r;
}

int
sq_open(struct queue *q, const char *path)
{
	struct sq *sq;
	struct stat st;
	int rc, r, version = 0;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		queue_set_open_error("%s is a directory, not a database file",
		    path);
		return -EISDIR;
	}
	sq = calloc(1, sizeof(*sq));
	if (sq == NULL)
		return -ENOMEM;
	sq->inotify_fd = -1;
	q->be_data = sq;
	rc = sqlite3_open_v2(path, &sq->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		r = sq_error(q, rc, "open");
		goto fail;
	}
	sqlite3_extended_result_codes(sq->db, 1);
	sqlite3_busy_timeout(sq->db, q->opts.busy_timeout_ms);
	/* Nothing is written to a file until we know it is ours. */
	r = identify(q, &version);
	if (r < 0)
		goto fail;
	/*
	 * Processes that open a new file at the same moment (`draftbot run`
	 * starts two) race to switch it to WAL, and SQLite answers the loser
	 * "busy" at once, without its busy handler: try again until the busy
	 * timeout.
	 */
	for (int waited = 0;; waited += OPEN_RETRY_MS) {
		r = configure(q);
		if (r != -EBUSY || waited >= q->opts.busy_timeout_ms)
			break;
		sqlite3_sleep(OPEN_RETRY_MS);
	}
	if (r < 0)
		goto fail;
	r = migrate(q, version);
	if (r < 0)
		goto fail;
	sq->schema_version = (int)schema_sqlite_count;
	return 0;
fail:
	queue_set_open_error("%s: %s", path, q->errmsg);
	sq_close(q);
	return r;
}

void
sq_close(struct queue *q)
{
	struct sq *sq = sq_of(q);

	if (sq == NULL)
		return;
	for (int k = 0; k < JOB_NKINDS; k++)
		for (int i = 0; i < ST_NSTMTS; i++)
			sqlite3_finalize(sq->st[k][i]);
	sqlite3_close(sq->db);
	if (sq->inotify_fd >= 0)
		close(sq->inotify_fd);
	free(sq);
	q->be_data = NULL;
}

int
sq_schema_version(const struct queue *q)
{
	return sq_of(q)->schema_version;
}

const struct queue_backend queue_backend_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.enqueue = sq_enqueue,
	.claim = sq_claim,
	.complete = sq_complete,
	.fail = sq_fail,
	.extend = sq_extend,
	.defer = sq_defer,
	.retry = sq_retry,
	.get = sq_get,
	.stats = sq_stats,
	.list = sq_list,
	.prune = sq_prune,
	.next_run_at = sq_next_run_at,
	.schema_version = sq_schema_version,
	.audit_add = sq_audit_add,
	.audit_query = sq_audit_query,
	.wait_change = sq_wait_change,
	.store = &sq_store_ops,
	.account = &sq_account_ops,
	.events = &sq_events_ops,
};

/*
 * SQLite back end of store.h: users, drafts, local tasks, effects and the
 * outbox's draft reference.  Not on a hot path: statements are prepared
 * per call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/sqlite_int.h"
#include "queue/store.h"

/* Prepare sql; on failure set q->errmsg and return NULL. */
sqlite3_stmt *
sq_prep(struct queue *q, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(sq_of(q)->db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK) {
		sq_error(q, rc, "prepare");
		return NULL;
	}
	return s;
}

/* Step a write statement to the end; 0 or the mapped error. */
int
sq_run(struct queue *q, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sq_error(q, rc, what);
}

static int
changes(struct queue *q)
{
	return sqlite3_changes(sq_of(q)->db);
}

void
sq_copy_col(sqlite3_stmt *s, int i, char *dst, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

char *
sq_dup_col(sqlite3_stmt *s, int i, bool *oom)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	char *d = strdup(t ? (const char *)t : "");

	if (d == NULL)
		*oom = true;
	return d;
}

/* ---- users ---- */

static int
sq_user_touch(struct queue *q, int64_t id, int64_t chat_id,
    const char *display_name, const char *default_tz)
{
	sqlite3_stmt *s;
	int64_t now = queue_now(q);
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "INSERT INTO users (id, chat_id, display_name, timezone, "
		    "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
		    "ON CONFLICT (id) DO UPDATE SET "
		    "chat_id = coalesce(excluded.chat_id, chat_id), "
		    "display_name = excluded.display_name, updated_at = ?5 "
		    "WHERE chat_id IS NOT excluded.chat_id "
		    "OR display_name IS NOT excluded.display_name");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	sq_bind_id(s, 2, chat_id);
	sq_bind_text(s, 3, display_name ? display_name : "");
	sq_bind_text(s, 4, default_tz ? default_tz : "UTC");
	sqlite3_bind_int64(s, 5, now);
	r = sq_run(q, s, "user");
out:
	return sq_txn_end(q, r);
}

static int
sq_user_get(struct queue *q, int64_t id, struct store_user *ret)
{
	sqlite3_stmt *s;
	int rc, r = 0;

	s = sq_prep(q, "SELECT id, chat_id, display_name, timezone, status "
		    "FROM users WHERE id = ?1");
	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(ret, 0, sizeof(*ret));
		ret->id = sqlite3_column_int64(s, 0);
		ret->chat_id = sqlite3_column_int64(s, 1);
		sq_copy_col(s, 2, ret->display_name, sizeof(ret->display_name));
		sq_copy_col(s, 3, ret->timezone, sizeof(ret->timezone));
		sq_copy_col(s, 4, ret->status, sizeof(ret->status));
		r = 1;
	} else if (rc != SQLITE_DONE) {
		r = sq_error(q, rc, "user");
	}
	sqlite3_finalize(s);
	return r;
}

/* UPDATE users SET <column> = ?2 WHERE id = ?1, -ENOENT when absent. */
static int
user_set(struct queue *q, int64_t id, const char *sql, const char *value)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, sql);
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	sq_bind_text(s, 2, value);
	sqlite3_bind_int64(s, 3, queue_now(q));
	r = sq_run(q, s, "user");
	if (r == 0 && changes(q) == 0)
		r = queue_set_error(q, -ENOENT, "there is no user %lld",
		    (long long)id);
out:
	return sq_txn_end(q, r);
}

static int
sq_user_set_timezone(struct queue *q, int64_t id, const char *tz)
{
	return user_set(q, id,
	    "UPDATE users SET timezone = ?2, updated_at = ?3 WHERE id = ?1",
	    tz);
}

static int
sq_user_set_status(struct queue *q, int64_t id, const char *status)
{
	return user_set(q, id,
	    "UPDATE users SET status = ?2, updated_at = ?3 WHERE id = ?1",
	    status);
}

/* ---- drafts ---- */

#define DRAFT_COLUMNS                                                     \
	"id, owner_id, chat_id, kind, draft, status, editing, message_id, " \
	"version, command_id, expires_at, created_at, updated_at"

static int
read_draft(sqlite3_stmt *s, struct store_draft **ret)
{
	struct store_draft *d = calloc(1, sizeof(*d));
	bool oom = false;

	if (d == NULL)
		return -ENOMEM;
	d->id = sqlite3_column_int64(s, 0);
	d->owner_id = sqlite3_column_int64(s, 1);
	d->chat_id = sqlite3_column_int64(s, 2);
	sq_copy_col(s, 3, d->kind, sizeof(d->kind));
	d->draft = sq_dup_col(s, 4, &oom);
	sq_copy_col(s, 5, d->status, sizeof(d->status));
	d->editing = sqlite3_column_int(s, 6);
	d->message_id = sqlite3_column_int64(s, 7);
	d->version = sqlite3_column_int(s, 8);
	d->command_id = sqlite3_column_int64(s, 9);
	d->expires_at_ms = sqlite3_column_int64(s, 10);
	d->created_at_ms = sqlite3_column_int64(s, 11);
	d->updated_at_ms = sqlite3_column_int64(s, 12);
	if (oom) {
		store_draft_free(d);
		return -ENOMEM;
	}
	*ret = d;
	return 0;
}

/* Step a query returning at most one draft: 1 found, 0 none. */
static int
one_draft(struct queue *q, sqlite3_stmt *s, struct store_draft **ret)
{
	int rc = sqlite3_step(s), r;

	if (rc == SQLITE_ROW)
		r = read_draft(s, ret) == 0 ? 1 : -ENOMEM;
	else
		r = rc == SQLITE_DONE ? 0 : sq_error(q, rc, "draft");
	sqlite3_finalize(s);
	return r;
}

static int
sq_draft_create(struct queue *q, const struct store_draft *d, int64_t *ret_id,
    bool *ret_dup)
{
	sqlite3_stmt *s;
	int64_t now = queue_now(q), id = 0;
	int rc, r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "INSERT INTO drafts (owner_id, chat_id, kind, draft, "
		    "status, editing, message_id, command_id, expires_at, "
		    "created_at, updated_at) "
		    "VALUES (?1, ?2, ?3, ?4, 'drafted', ?5, ?6, ?7, ?8, ?9, ?9) "
		    "ON CONFLICT (command_id) WHERE command_id IS NOT NULL "
		    "DO NOTHING RETURNING id");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, d->owner_id);
	sqlite3_bind_int64(s, 2, d->chat_id);
	sq_bind_text(s, 3, d->kind[0] ? d->kind : "task");
	sq_bind_text(s, 4, d->draft ? d->draft : "{}");
	sqlite3_bind_int(s, 5, d->editing);
	sq_bind_id(s, 6, d->message_id);
	sq_bind_id(s, 7, d->command_id);
	sq_bind_id(s, 8, d->expires_at_ms);
	sqlite3_bind_int64(s, 9, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		r = sq_error(q, rc, "draft");
		goto out;
	}
	*ret_dup = id == 0;
	if (id == 0) {
		s = sq_prep(q, "SELECT id FROM drafts WHERE command_id = ?1");
		if (s == NULL) {
			r = -EIO;
			goto out;
		}
		sqlite3_bind_int64(s, 1, d->command_id);
		if (sqlite3_step(s) == SQLITE_ROW)
			id = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	*ret_id = id;
out:
	return sq_txn_end(q, r);
}

static int
sq_draft_get(struct queue *q, int64_t id, struct store_draft **ret)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT " DRAFT_COLUMNS
				  " FROM drafts WHERE id = ?1");

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	return one_draft(q, s, ret);
}

static int
sq_draft_latest(struct queue *q, int64_t owner_id, const char *status,
    bool editing_only, struct store_draft **ret)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT " DRAFT_COLUMNS
				  " FROM drafts WHERE owner_id = ?1 "
				  "AND status = ?2 AND (?3 = 0 OR editing = 1) "
				  "ORDER BY id DESC LIMIT 1");

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, owner_id);
	sq_bind_text(s, 2, status);
	sqlite3_bind_int(s, 3, editing_only);
	return one_draft(q, s, ret);
}

static int
sq_draft_by_message(struct queue *q, int64_t chat_id, int64_t message_id,
    struct store_draft **ret)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT " DRAFT_COLUMNS
				  " FROM drafts WHERE chat_id = ?1 "
				  "AND message_id = ?2 ORDER BY id DESC LIMIT 1");

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, chat_id);
	sqlite3_bind_int64(s, 2, message_id);
	return one_draft(q, s, ret);
}

static int
sq_draft_update(struct queue *q, struct store_draft *d)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "UPDATE drafts SET draft = ?3, status = ?4, editing = ?5, "
		    "message_id = ?6, version = version + 1, updated_at = ?7 "
		    "WHERE id = ?1 AND version = ?2");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, d->id);
	sqlite3_bind_int(s, 2, d->version);
	sq_bind_text(s, 3, d->draft ? d->draft : "{}");
	sq_bind_text(s, 4, d->status);
	sqlite3_bind_int(s, 5, d->editing);
	sq_bind_id(s, 6, d->message_id);
	sqlite3_bind_int64(s, 7, queue_now(q));
	r = sq_run(q, s, "draft");
	if (r == 0 && changes(q) == 0) {
		struct store_draft *cur = NULL;

		r = sq_draft_get(q, d->id, &cur);
		r = r == 1 ? queue_set_error(q, -ESTALE,
				 "draft %lld changed meanwhile (version %d, "
				 "expected %d)",
				 (long long)d->id, cur->version, d->version)
			   : r == 0 ? queue_set_error(q, -ENOENT,
					  "there is no draft %lld",
					  (long long)d->id)
				    : r;
		store_draft_free(cur);
	}
	if (r == 0)
		d->version++;
out:
	return sq_txn_end(q, r);
}

static int
sq_draft_set_message(struct queue *q, int64_t id, int64_t message_id)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "UPDATE drafts SET message_id = ?2 WHERE id = ?1");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, message_id);
	r = sq_run(q, s, "draft");
out:
	return sq_txn_end(q, r);
}

/* Step s (a bound SELECT of DRAFT_COLUMNS, finalized here) and hand each
 * draft to fn until fn returns non-zero, which is returned; -errno naming
 * what on a failed step. */
static int
each_draft(struct queue *q, sqlite3_stmt *s,
    int (*fn)(const struct store_draft *d, void *arg), void *arg,
    const char *what)
{
	struct store_draft *d;
	int rc = SQLITE_DONE, r = 0;

	while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r = read_draft(s, &d);
		if (r < 0)
			break;
		r = fn(d, arg);
		store_draft_free(d);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = sq_error(q, rc, what);
	sqlite3_finalize(s);
	return r;
}

static int
sq_draft_due(struct queue *q, int64_t now_ms, int limit,
    int (*fn)(const struct store_draft *d, void *arg), void *arg)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT " DRAFT_COLUMNS
				  " FROM drafts WHERE status = 'drafted' "
				  "AND expires_at <= ?1 ORDER BY expires_at "
				  "LIMIT ?2");

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, now_ms);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : -1);
	return each_draft(q, s, fn, arg, "drafts due");
}

static int
sq_draft_list(struct queue *q, int64_t owner_id, const char *status,
    int limit, int (*fn)(const struct store_draft *d, void *arg), void *arg)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT " DRAFT_COLUMNS
				  " FROM drafts WHERE owner_id = ?1 "
				  "AND status = ?2 ORDER BY id LIMIT ?3");

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, owner_id);
	sq_bind_text(s, 2, status);
	sqlite3_bind_int(s, 3, limit > 0 ? limit : -1);
	return each_draft(q, s, fn, arg, "drafts");
}

/* ---- tasks ---- */

#define TASK_COLUMNS                                                      \
	"id, owner_id, parent_id, draft_id, title, notes, due_date, "      \
	"due_time, priority, status, created_at"

static int
read_task(sqlite3_stmt *s, struct store_task **ret)
{
	struct store_task *t = calloc(1, sizeof(*t));
	bool oom = false;

	if (t == NULL)
		return -ENOMEM;
	t->id = sqlite3_column_int64(s, 0);
	t->owner_id = sqlite3_column_int64(s, 1);
	t->parent_id = sqlite3_column_int64(s, 2);
	t->draft_id = sqlite3_column_int64(s, 3);
	t->title = sq_dup_col(s, 4, &oom);
	t->notes = sq_dup_col(s, 5, &oom);
	sq_copy_col(s, 6, t->due_date, sizeof(t->due_date));
	sq_copy_col(s, 7, t->due_time, sizeof(t->due_time));
	t->priority = sqlite3_column_int(s, 8);
	sq_copy_col(s, 9, t->status, sizeof(t->status));
	t->created_at_ms = sqlite3_column_int64(s, 10);
	if (oom) {
		store_task_free(t);
		return -ENOMEM;
	}
	*ret = t;
	return 0;
}

static int
sq_task_add(struct queue *q, const struct store_task *t, int64_t *ret_id)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "INSERT INTO tasks (owner_id, parent_id, draft_id, title, "
		    "notes, due_date, due_time, priority, status, created_at, "
		    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		    "'open', ?9, ?9)");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, t->owner_id);
	sq_bind_id(s, 2, t->parent_id);
	sq_bind_id(s, 3, t->draft_id);
	sq_bind_text(s, 4, t->title ? t->title : "");
	sq_bind_text(s, 5, t->notes ? t->notes : "");
	sq_bind_text(s, 6, t->due_date[0] ? t->due_date : NULL);
	sq_bind_text(s, 7, t->due_time[0] ? t->due_time : NULL);
	sqlite3_bind_int(s, 8, t->priority);
	sqlite3_bind_int64(s, 9, queue_now(q));
	r = sq_run(q, s, "task");
	if (r == 0 && ret_id != NULL)
		*ret_id = sqlite3_last_insert_rowid(sq_of(q)->db);
out:
	return sq_txn_end(q, r);
}

static int
sq_task_get(struct queue *q, int64_t id, struct store_task **ret)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT " TASK_COLUMNS
				  " FROM tasks WHERE id = ?1");
	int rc, r;

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r = read_task(s, ret) == 0 ? 1 : -ENOMEM;
	else
		r = rc == SQLITE_DONE ? 0 : sq_error(q, rc, "task");
	sqlite3_finalize(s);
	return r;
}

static int
sq_task_list(struct queue *q, int64_t owner_id, const char *status, int limit,
    int (*fn)(const struct store_task *t, void *arg), void *arg)
{
	/* Parents by due date (undated last), each followed by its children. */
	sqlite3_stmt *s = sq_prep(q,
	    "SELECT t.id, t.owner_id, t.parent_id, t.draft_id, t.title, "
	    "t.notes, t.due_date, t.due_time, t.priority, t.status, "
	    "t.created_at FROM tasks t "
	    "LEFT JOIN tasks p ON p.id = t.parent_id "
	    "WHERE t.owner_id = ?1 AND (?2 IS NULL OR t.status = ?2) "
	    "ORDER BY coalesce(p.due_date, t.due_date) IS NULL, "
	    "coalesce(p.due_date, t.due_date), coalesce(p.due_time, t.due_time), "
	    "coalesce(t.parent_id, t.id), t.parent_id IS NOT NULL, t.id "
	    "LIMIT ?3");
	struct store_task *t;
	int rc, r = 0;

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, owner_id);
	sq_bind_text(s, 2, status);
	sqlite3_bind_int(s, 3, limit > 0 ? limit : -1);
	while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r = read_task(s, &t);
		if (r < 0)
			break;
		r = fn(t, arg);
		store_task_free(t);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = sq_error(q, rc, "tasks");
	sqlite3_finalize(s);
	return r;
}

static int
sq_task_set_status(struct queue *q, int64_t owner_id, int64_t id,
    const char *status)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "UPDATE tasks SET status = ?3, updated_at = ?4 "
		    "WHERE id = ?1 AND owner_id = ?2");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, owner_id);
	sq_bind_text(s, 3, status);
	sqlite3_bind_int64(s, 4, queue_now(q));
	r = sq_run(q, s, "task");
	if (r == 0 && changes(q) == 0)
		r = queue_set_error(q, -ENOENT, "user %lld has no task %lld",
		    (long long)owner_id, (long long)id);
out:
	return sq_txn_end(q, r);
}

static int
sq_task_delete_by_draft(struct queue *q, int64_t draft_id, int64_t *ret_n)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	/* Counted first: rows removed by ON DELETE CASCADE (subtasks) are
	 * not in sqlite3_changes(). */
	s = sq_prep(q, "SELECT count(*) FROM tasks WHERE draft_id = ?1");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, draft_id);
	if (sqlite3_step(s) == SQLITE_ROW && ret_n != NULL)
		*ret_n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = sq_prep(q, "DELETE FROM tasks WHERE draft_id = ?1");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, draft_id);
	r = sq_run(q, s, "task");
out:
	return sq_txn_end(q, r);
}

/* ---- effects ---- */

static int
sq_effect_get(struct queue *q, const char *key, char *state,
    size_t state_len, char *remote_id, size_t remote_len)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT state, remote_id FROM effects "
				  "WHERE effect_key = ?1");
	int rc, r = 0;

	if (s == NULL)
		return -EIO;
	sq_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		sq_copy_col(s, 0, state, state_len);
		sq_copy_col(s, 1, remote_id, remote_len);
		r = 1;
	} else if (rc != SQLITE_DONE) {
		r = sq_error(q, rc, "effect");
	}
	sqlite3_finalize(s);
	return r;
}

static int
sq_effect_put(struct queue *q, const char *key, int64_t draft_id,
    int64_t command_id, const char *state, const char *target,
    const char *remote_id, const char *error)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "INSERT INTO effects (effect_key, draft_id, command_id, "
		    "state, target, remote_id, error, created_at, updated_at) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) "
		    "ON CONFLICT (effect_key) DO UPDATE SET state = ?4, "
		    "remote_id = coalesce(?6, remote_id), error = ?7, "
		    "updated_at = ?8");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sq_bind_text(s, 1, key);
	sq_bind_id(s, 2, draft_id);
	sq_bind_id(s, 3, command_id);
	sq_bind_text(s, 4, state);
	sq_bind_text(s, 5, target);
	sq_bind_text(s, 6, remote_id);
	sq_bind_text(s, 7, error);
	sqlite3_bind_int64(s, 8, queue_now(q));
	r = sq_run(q, s, "effect");
out:
	return sq_txn_end(q, r);
}

/* ---- the outbox's draft reference ---- */

static int
sq_outbox_set_ref(struct queue *q, int64_t id, const char *ref)
{
	sqlite3_stmt *s = sq_prep(q, "UPDATE outbox SET ref = ?2 WHERE id = ?1");

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	sq_bind_text(s, 2, ref);
	return sq_run(q, s, "outbox ref");
}

static int
sq_outbox_ref(struct queue *q, int64_t id, char *ref, size_t len)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT ref FROM outbox WHERE id = ?1");
	int rc;

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		sq_copy_col(s, 0, ref, len);
	else if (len > 0)
		ref[0] = '\0';
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
						     : sq_error(q, rc, "ref");
}

const struct store_ops sq_store_ops = {
	.user_touch = sq_user_touch,
	.user_get = sq_user_get,
	.user_set_timezone = sq_user_set_timezone,
	.user_set_status = sq_user_set_status,
	.draft_create = sq_draft_create,
	.draft_get = sq_draft_get,
	.draft_latest = sq_draft_latest,
	.draft_by_message = sq_draft_by_message,
	.draft_update = sq_draft_update,
	.draft_set_message = sq_draft_set_message,
	.draft_due = sq_draft_due,
	.draft_list = sq_draft_list,
	.task_add = sq_task_add,
	.task_get = sq_task_get,
	.task_list = sq_task_list,
	.task_set_status = sq_task_set_status,
	.task_delete_by_draft = sq_task_delete_by_draft,
	.effect_get = sq_effect_get,
	.effect_put = sq_effect_put,
	.outbox_set_ref = sq_outbox_set_ref,
	.outbox_ref = sq_outbox_ref,
};

/* SQLite back end of store.h's local calendar and draft listing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/sqlite_int.h"
#include "queue/store.h"

#define EVENT_COLUMNS                                                     \
	"id, owner_id, draft_id, title, location, description, url, rrule, " \
	"start_at, end_at, all_day, timezone, status, created_at"

static int
read_event(sqlite3_stmt *s, struct store_event **ret)
{
	struct store_event *e = calloc(1, sizeof(*e));
	bool oom = false;

	if (e == NULL)
		return -ENOMEM;
	e->id = sqlite3_column_int64(s, 0);
	e->owner_id = sqlite3_column_int64(s, 1);
	e->draft_id = sqlite3_column_int64(s, 2);
	e->title = sq_dup_col(s, 3, &oom);
	e->location = sq_dup_col(s, 4, &oom);
	e->description = sq_dup_col(s, 5, &oom);
	e->url = sq_dup_col(s, 6, &oom);
	e->rrule = sq_dup_col(s, 7, &oom);
	e->start_ms = sqlite3_column_int64(s, 8);
	e->end_ms = sqlite3_column_int64(s, 9);
	e->all_day = sqlite3_column_int(s, 10);
	sq_copy_col(s, 11, e->timezone, sizeof(e->timezone));
	sq_copy_col(s, 12, e->status, sizeof(e->status));
	e->created_at_ms = sqlite3_column_int64(s, 13);
	if (oom) {
		store_event_free(e);
		return -ENOMEM;
	}
	*ret = e;
	return 0;
}

static int
sq_event_add(struct queue *q, const struct store_event *e, int64_t *ret_id)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "INSERT INTO events (owner_id, draft_id, title, "
		       "location, description, url, rrule, start_at, end_at, "
		       "all_day, timezone, created_at, updated_at) VALUES "
		       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, e->owner_id);
	sq_bind_id(s, 2, e->draft_id);
	sq_bind_text(s, 3, e->title);
	sq_bind_text(s, 4, e->location ? e->location : "");
	sq_bind_text(s, 5, e->description ? e->description : "");
	sq_bind_text(s, 6, e->url ? e->url : "");
	sq_bind_text(s, 7, e->rrule ? e->rrule : "");
	sqlite3_bind_int64(s, 8, e->start_ms);
	sqlite3_bind_int64(s, 9, e->end_ms);
	sqlite3_bind_int(s, 10, e->all_day ? 1 : 0);
	sq_bind_text(s, 11, e->timezone[0] ? e->timezone : "UTC");
	sqlite3_bind_int64(s, 12, queue_now(q));
	r = sq_run(q, s, "event");
	if (r == 0 && ret_id != NULL)
		*ret_id = sqlite3_last_insert_rowid(sq_of(q)->db);
out:
	return sq_txn_end(q, r);
}

static int
sq_event_get(struct queue *q, int64_t id, struct store_event **ret)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT " EVENT_COLUMNS
				     " FROM events WHERE id = ?1");
	int rc, r = 0;

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r = read_event(s, ret) == 0 ? 1 : -ENOMEM;
	else if (rc != SQLITE_DONE)
		r = sq_error(q, rc, "event");
	sqlite3_finalize(s);
	return r;
}

static int
sq_event_between(struct queue *q, int64_t owner_id, int64_t start_ms,
    int64_t end_ms, int limit,
    int (*fn)(const struct store_event *e, void *arg), void *arg)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT " EVENT_COLUMNS " FROM events "
				     "WHERE owner_id = ?1 AND status = "
				     "'confirmed' AND start_at < ?3 AND "
				     "end_at > ?2 ORDER BY start_at, id "
				     "LIMIT ?4");
	struct store_event *e;
	int rc = SQLITE_DONE, r = 0;

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, owner_id);
	sqlite3_bind_int64(s, 2, start_ms);
	sqlite3_bind_int64(s, 3, end_ms);
	sqlite3_bind_int(s, 4, limit > 0 ? limit : -1);
	while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r = read_event(s, &e);
		if (r < 0)
			break;
		r = fn(e, arg);
		store_event_free(e);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = sq_error(q, rc, "events");
	sqlite3_finalize(s);
	return r;
}

static int
sq_event_delete_by_draft(struct queue *q, int64_t draft_id, int64_t *ret_n)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "DELETE FROM events WHERE draft_id = ?1");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, draft_id);
	r = sq_run(q, s, "event");
	if (r == 0 && ret_n != NULL)
		*ret_n = sqlite3_changes(sq_of(q)->db);
out:
	return sq_txn_end(q, r);
}

const struct events_ops sq_events_ops = {
	.event_add = sq_event_add,
	.event_get = sq_event_get,
	.event_between = sq_event_between,
	.event_delete_by_draft = sq_event_delete_by_draft,
};

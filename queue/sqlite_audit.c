/*
 * SQLite back end: the audit log — appending, querying, and waiting for
 * other processes' commits (inotify on the database and its WAL).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "queue/sqlite_int.h"

static const char *const entity_types[JOB_NKINDS] = { "command", "message" };

int
sq_audit_add(struct queue *q, const struct audit_entry *e)
{
	sqlite3_stmt *s;
	int rc, r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_stmt(q, JOB_COMMAND, ST_AUDIT_ADD);
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, queue_now(q));
	sq_bind_text(s, 2, e->actor ? e->actor : q->opts.actor);
	sq_bind_text(s, 3, e->action);
	sq_bind_id(s, 4, e->user_id);
	sq_bind_id(s, 5, e->chat_id);
	sq_bind_text(s, 6, e->entity_type);
	sq_bind_text(s, 7, e->entity_id);
	sq_bind_id(s, 8, e->source_msg_id);
	sq_bind_text(s, 9, e->details);
	rc = sqlite3_step(s);
	r = rc == SQLITE_DONE ? 0 : sq_error(q, rc, "audit");
	sqlite3_reset(s);
out:
	return sq_txn_end(q, r);
}

int
sq_audit_job(struct queue *q, enum job_kind k, enum job_event ev, int64_t id,
    int64_t chat_id, int64_t user_id, struct json_object *details)
{
	struct audit_entry e = {
		.action = job_action(k, ev),
		.user_id = user_id,
		.chat_id = chat_id,
		.entity_type = entity_types[k],
	};
	char idbuf[24];
	int r;

	if (e.action == NULL) {
		json_object_put(details);
		return 0;
	}
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	e.entity_id = idbuf;
	e.details = details ? json_object_to_json_string_ext(details,
				  JSON_C_TO_STRING_PLAIN)
			    : NULL;
	r = sq_audit_add(q, &e);
	json_object_put(details);
	return r;
}

static const char *
col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

int
sq_audit_query(struct queue *q, const struct audit_filter *f,
    int (*fn)(const struct audit_entry *e, void *arg), void *arg,
    int64_t *ret_last_id)
{
	/* The last N rows are taken newest first, then put back in order. */
	static const char sql[] =
	    "SELECT * FROM (SELECT id, ts, actor, action, user_id, chat_id, "
	    "entity_type, entity_id, source_msg_id, details FROM audit_log "
	    "WHERE id > ?1 AND ts >= ?2 AND (?3 IS NULL OR user_id = ?3) "
	    "AND (?4 IS NULL OR action = ?4) "
	    "ORDER BY id DESC LIMIT ?5) ORDER BY id";
	sqlite3_stmt *s = NULL;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(sq_of(q)->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return sq_error(q, rc, "audit query");
	sqlite3_bind_int64(s, 1, f->after_id);
	sqlite3_bind_int64(s, 2, f->since_ms);
	sq_bind_id(s, 3, f->user_id);
	sq_bind_text(s, 4, f->action);
	sqlite3_bind_int(s, 5, f->last > 0 ? f->last : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct audit_entry e = {
			.id = sqlite3_column_int64(s, 0),
			.ts_ms = sqlite3_column_int64(s, 1),
			.actor = col(s, 2),
			.action = col(s, 3),
			.user_id = sqlite3_column_int64(s, 4),
			.chat_id = sqlite3_column_int64(s, 5),
			.entity_type = col(s, 6),
			.entity_id = col(s, 7),
			.source_msg_id = sqlite3_column_int64(s, 8),
			.details = col(s, 9),
		};

		if (ret_last_id != NULL)
			*ret_last_id = e.id;
		r = fn != NULL ? fn(&e, arg) : 0;
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = sq_error(q, rc, "audit query");
	sqlite3_finalize(s);
	return r;
}

/*
 * Every commit of any process appends to the WAL (and a checkpoint writes
 * the database file), so a modification of either means "look again".
 * Our own reads write neither.  The first call sets the watch up and returns
 * 1 so the caller looks once more after watching began.
 */
int
sq_wait_change(struct queue *q, int timeout_ms)
{
	struct sq *sq = sq_of(q);
	char path[PATH_MAX], buf[4096];
	struct pollfd pfd;
	int r;

	if (sq->inotify_fd < 0) {
		int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

		if (fd < 0)
			return queue_set_error(q, -errno, "inotify: %s",
			    strerror(errno));
		snprintf(path, sizeof(path), "%s-wal", q->path);
		if (inotify_add_watch(fd, path, IN_MODIFY) < 0 ||
		    inotify_add_watch(fd, q->path, IN_MODIFY) < 0) {
			r = -errno;
			close(fd);
			return queue_set_error(q, r, "inotify watch %s: %s",
			    path, strerror(-r));
		}
		sq->inotify_fd = fd;
		return 1;
	}
	pfd.fd = sq->inotify_fd;
	pfd.events = POLLIN;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	while (read(sq->inotify_fd, buf, sizeof(buf)) > 0)
		;
	return 1;
}

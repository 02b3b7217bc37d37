/*
 * gflow_expect — what the fake Google and the database must show after a
 * write (see gflow_fixture.h).
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/gflow_fixture.h"

struct tasks {
	struct fake_google_task *t;
	size_t n;
};

static void
tasks_get(struct gfx *w, struct tasks *ts)
{
	ck_assert_int_eq(fake_google_tasks(w->g, NULL, &ts->t, &ts->n), 0);
}

static void
tasks_free(struct tasks *ts)
{
	fake_google_tasks_free(ts->t, ts->n);
}

/* Tasks not deleted whose notes hold marker (NULL: every live task). */
int
gfx_live_tasks(struct gfx *w, const char *marker)
{
	struct tasks ts;
	int n = 0;

	tasks_get(w, &ts);
	for (size_t i = 0; i < ts.n; i++)
		n += !ts.t[i].deleted &&
		    (marker == NULL ||
		        (ts.t[i].notes != NULL &&
		            strstr(ts.t[i].notes, marker)));
	tasks_free(&ts);
	return n;
}

int
gfx_deleted_tasks(struct gfx *w)
{
	struct tasks ts;
	int n = 0;

	tasks_get(w, &ts);
	for (size_t i = 0; i < ts.n; i++)
		n += ts.t[i].deleted;
	tasks_free(&ts);
	return n;
}

/* Events at the fake with status (NULL: any). */
int
gfx_events(struct gfx *w, const char *status)
{
	struct fake_google_event *e = NULL;
	size_t n = 0;
	int hits = 0;

	ck_assert_int_eq(fake_google_events(w->g, &e, &n), 0);
	for (size_t i = 0; i < n; i++)
		hits += status == NULL || strcmp(e[i].status, status) == 0;
	fake_google_events_free(e, n);
	return hits;
}

/* Requests of kind answered with status (-1: any). */
size_t
gfx_answered(struct gfx *w, enum fake_google_kind kind, int status)
{
	struct fake_google_req *r = NULL;
	size_t n = 0, hits = 0;

	ck_assert_int_eq(fake_google_requests(w->g, kind, &r, &n), 0);
	for (size_t i = 0; i < n; i++)
		hits += status < 0 || r[i].status == status;
	fake_google_requests_free(r, n);
	return hits;
}

/* The task marker of draft d (sub: -1 for the parent). */
void
gfx_task_marker(char *buf, size_t len, int64_t d, int sub)
{
	if (sub < 0)
		snprintf(buf, len, "draftbot:draft:%" PRId64 ":gtask;", d);
	else
		snprintf(buf, len, "draftbot:draft:%" PRId64 ":gtask:sub%d;", d,
		    sub);
}

void
gfx_effect_key(char *buf, size_t len, int64_t d, const char *kind)
{
	snprintf(buf, len, "draft:%" PRId64 ":%s", d, kind);
}

/*
 * The task of PACK as Google must hold it: one parent titled Pack with
 * the due date only and its marker, three children under it in order,
 * each with its own marker and no due date, nothing else live.
 */
void
gfx_assert_pack_written(struct gfx *w, int64_t d)
{
	static const char *const subs[] = {"passport", "charger", "tickets"};
	char marker[96], due[40];
	const char *parent = NULL;
	struct tasks ts;
	time_t now;
	struct tm tm;
	int kids = 0;

	/* "tomorrow" from the day the draft was made */
	now = (time_t)(gfx_int(w,
	                   "SELECT created_at FROM drafts WHERE id = %" PRId64,
	                   d) /
	    1000);
	now += 24 * 3600;
	gmtime_r(&now, &tm);
	strftime(due, sizeof(due), "%Y-%m-%dT00:00:00.000Z", &tm);
	gfx_task_marker(marker, sizeof(marker), d, -1);
	tasks_get(w, &ts);
	for (size_t i = 0; i < ts.n; i++) {
		if (ts.t[i].deleted || ts.t[i].parent != NULL)
			continue;
		ck_assert_msg(parent == NULL, "two top-level tasks");
		parent = ts.t[i].id;
		ck_assert_str_eq(ts.t[i].title, "Pack");
		wfx_assert_has(ts.t[i].notes, marker);
		ck_assert_ptr_nonnull(ts.t[i].due);
		ck_assert_str_eq(ts.t[i].due, due);
	}
	ck_assert_ptr_nonnull(parent);
	for (size_t i = 0; i < ts.n; i++) {
		if (ts.t[i].deleted || ts.t[i].parent == NULL)
			continue;
		ck_assert_int_lt(kids, 3);
		ck_assert_str_eq(ts.t[i].parent, parent);
		ck_assert_str_eq(ts.t[i].title, subs[kids]);
		gfx_task_marker(marker, sizeof(marker), d, kids);
		wfx_assert_has(ts.t[i].notes, marker);
		ck_assert_ptr_null(ts.t[i].due);
		kids++;
	}
	ck_assert_int_eq(kids, 3);
	tasks_free(&ts);
}

/* The draft was written to Google Tasks once and the bot says so. */
void
gfx_assert_task_done(struct gfx *w, int64_t user, int64_t d)
{
	char key[64], undo[48], *details, *card;

	gfx_effect_key(key, sizeof(key), d, "gtask");
	ck_assert_str_eq(gfx_effect(w, key), "done");
	ck_assert_int_eq(gfx_int(w,
	                     "SELECT count(*) FROM effects WHERE effect_key "
	                     "= '%s' AND target = 'google_tasks' AND "
	                     "length(remote_id) > 0",
	                     key),
	    1);
	ck_assert_str_eq(gfx_status(w, d), "executed");
	/* nothing went to the local store */
	ck_assert_int_eq(gfx_int(w, "SELECT count(*) FROM tasks"), 0);
	ck_assert_int_eq(gfx_int(w,
	                     "SELECT count(*) FROM effects WHERE draft_id = "
	                     "%" PRId64 " AND target = 'local'",
	                     d),
	    0);
	ck_assert_int_eq(gfx_audit(w, "task_executed", user), 1);
	details = gfx_audit_details(w, "task_executed");
	wfx_assert_has(details, "\"target\":\"google_tasks\"");
	free(details);
	/* the card, edited in place, offers Undo */
	card = gfx_text(w,
	    "SELECT payload FROM outbox WHERE type = 'editMessageText' AND "
	    "chat_id = %" PRId64 " ORDER BY id DESC LIMIT 1",
	    user);
	snprintf(undo, sizeof(undo), "d:%" PRId64 ":u", d);
	wfx_assert_has(card, "Saved");
	wfx_assert_has(card, undo);
	free(card);
}

/* The refresh and access token of user appear in no file of the
 * database, no audit row and none of the logs given. */
void
gfx_assert_tokens_hidden(
    struct gfx *w, int64_t user, const char *log1, const char *log2)
{
	struct gapi_tokens t;

	ck_assert_int_eq(gfx_tokens(w, user, &t), 1);
	ck_assert_uint_gt(strlen(t.refresh_token), 8);
	ck_assert_uint_gt(strlen(t.access_token), 8);
	ck_assert_msg(!gfx_db_has(w, t.refresh_token),
	    "the refresh token is in the database files");
	ck_assert_msg(!gfx_db_has(w, t.access_token),
	    "the access token is in the database files");
	ck_assert_int_eq(gfx_int(w,
	                     "SELECT count(*) FROM audit_log WHERE "
	                     "instr(details, '%s') > 0 OR instr(details, "
	                     "'%s') > 0",
	                     t.refresh_token, t.access_token),
	    0);
	for (int i = 0; i < 2; i++) {
		const char *log = i == 0 ? log1 : log2;

		if (log == NULL || log[0] == '\0')
			continue;
		ck_assert_msg(!gfx_file_has(log, t.refresh_token),
		    "the refresh token is in %s", log);
		ck_assert_msg(!gfx_file_has(log, t.access_token),
		    "the access token is in %s", log);
	}
	gapi_tokens_wipe(&t);
}

/* The effect command: its status and whether it is due later. */
void
gfx_assert_retry_later(struct gfx *w, int attempts)
{
	ck_assert_int_eq(gfx_int(w,
	                     "SELECT count(*) FROM commands WHERE type = "
	                     "'effect' AND status = 'failed' AND attempts = "
	                     "%d AND run_at > %" PRId64,
	                     attempts, w->x.f.now),
	    1);
}

void
gfx_to_retry(struct gfx *w)
{
	w->x.f.now = gfx_int(w,
	    "SELECT run_at FROM commands WHERE type = 'effect' AND status = "
	    "'failed'");
}

/* Run the effect until it is no longer waiting for a retry (each retry
 * when it is due): how many runs it took. */
int
gfx_settle_effect(struct gfx *w)
{
	int runs = 1;

	gfx_drain(w);
	while (gfx_int(w,
	           "SELECT count(*) FROM commands WHERE type = "
	           "'effect' AND status = 'failed'") > 0) {
		ck_assert_int_lt(runs++, 5);
		gfx_to_retry(w);
		gfx_drain(w);
	}
	return runs;
}

/* Top-level task inserts Google received (no ?parent=). */
size_t
gfx_parent_inserts(struct gfx *w)
{
	struct fake_google_req *r = NULL;
	size_t n = 0, hits = 0;

	ck_assert_int_eq(
	    fake_google_requests(w->g, FAKE_GOOGLE_TASKS_INSERT, &r, &n), 0);
	for (size_t i = 0; i < n; i++)
		hits += strstr(r[i].query, "parent=") == NULL;
	fake_google_requests_free(r, n);
	return hits;
}

/*
 * fake_google_records — what a test reads back from the fake Google
 * server: the recorded requests, counters, validation failures, and
 * copies of the stored tasks and events.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake_google_int.h"

static const char *const kind_names[FAKE_GOOGLE_N_KINDS] = {
    [FAKE_GOOGLE_UNKNOWN] = "unknown",
    [FAKE_GOOGLE_AUTH] = "oauth.auth",
    [FAKE_GOOGLE_TOKEN] = "oauth.token",
    [FAKE_GOOGLE_REVOKE] = "oauth.revoke",
    [FAKE_GOOGLE_TASKLISTS_LIST] = "tasks.tasklists.list",
    [FAKE_GOOGLE_TASKS_LIST] = "tasks.tasks.list",
    [FAKE_GOOGLE_TASKS_INSERT] = "tasks.tasks.insert",
    [FAKE_GOOGLE_TASKS_GET] = "tasks.tasks.get",
    [FAKE_GOOGLE_TASKS_PATCH] = "tasks.tasks.patch",
    [FAKE_GOOGLE_TASKS_DELETE] = "tasks.tasks.delete",
    [FAKE_GOOGLE_EVENTS_LIST] = "calendar.events.list",
    [FAKE_GOOGLE_EVENTS_INSERT] = "calendar.events.insert",
    [FAKE_GOOGLE_EVENTS_GET] = "calendar.events.get",
    [FAKE_GOOGLE_EVENTS_PATCH] = "calendar.events.patch",
    [FAKE_GOOGLE_EVENTS_DELETE] = "calendar.events.delete",
    [FAKE_GOOGLE_FREEBUSY] = "calendar.freebusy.query",
};

const char *
fake_google_kind_name(enum fake_google_kind k)
{
	if (k < 0 || k >= FAKE_GOOGLE_N_KINDS || kind_names[k] == NULL)
		return "unknown";
	return kind_names[k];
}

/* A copy of s, NULL staying NULL; *ok false on ENOMEM. */
static char *
dup_or_null(const char *s, bool *ok)
{
	char *c = s ? strdup(s) : NULL;

	if (s != NULL && c == NULL)
		*ok = false;
	return c;
}

static void
req_free(struct fake_google_req *r)
{
	free(r->path);
	free(r->query);
	free(r->authorization);
	free(r->content_type);
	free(r->body);
}

int
fake_google_requests(struct fake_google *f, enum fake_google_kind kind,
    struct fake_google_req **ret, size_t *ret_n)
{
	struct fake_google_req *out;
	size_t n = 0;
	bool ok = true;

	pthread_mutex_lock(&f->lock);
	out = calloc(f->n_reqs + 1, sizeof(*out));
	for (size_t i = 0; out != NULL && i < f->n_reqs; i++) {
		const struct fake_google_req *s = &f->reqs[i];
		struct fake_google_req *d;

		if (kind != FAKE_GOOGLE_ANY && s->kind != kind)
			continue;
		d = &out[n++];
		*d = *s;
		d->path = dup_or_null(s->path, &ok);
		d->query = dup_or_null(s->query, &ok);
		d->authorization = dup_or_null(s->authorization, &ok);
		d->content_type = dup_or_null(s->content_type, &ok);
		d->body = dup_or_null(s->body, &ok);
	}
	pthread_mutex_unlock(&f->lock);
	if (out == NULL || !ok) {
		fake_google_requests_free(out, n);
		return -ENOMEM;
	}
	*ret = out;
	*ret_n = n;
	return 0;
}

void
fake_google_requests_free(struct fake_google_req *reqs, size_t n)
{
	if (reqs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		req_free(&reqs[i]);
	free(reqs);
}

/* Under f->lock. */
static size_t
count(struct fake_google *f, enum fake_google_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n_reqs; i++)
		if (kind == FAKE_GOOGLE_ANY || f->reqs[i].kind == kind)
			n++;
	return n;
}

size_t
fake_google_count(struct fake_google *f, enum fake_google_kind kind)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = count(f, kind);
	pthread_mutex_unlock(&f->lock);
	return n;
}

int
fake_google_wait_count(
    struct fake_google *f, enum fake_google_kind kind, size_t n, int timeout_ms)
{
	struct timespec deadline = fg_deadline(timeout_ms);
	int r = 0;

	pthread_mutex_lock(&f->lock);
	while (count(f, kind) < n && r == 0)
		if (pthread_cond_timedwait(&f->cond, &f->lock, &deadline) ==
		    ETIMEDOUT)
			r = count(f, kind) < n ? -ETIMEDOUT : 0;
	pthread_mutex_unlock(&f->lock);
	return r;
}

void
fake_google_clear_requests(struct fake_google *f)
{
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n_reqs; i++)
		req_free(&f->reqs[i]);
	f->n_reqs = 0;
	pthread_mutex_unlock(&f->lock);
}

size_t
fake_google_validation_failures(struct fake_google *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->stats.validation_failures;
	pthread_mutex_unlock(&f->lock);
	return n;
}

size_t
fake_google_last_validation(struct fake_google *f, char *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->stats.validation_failures;
	if (len > 0)
		snprintf(buf, len, "%s", f->last_invalid);
	pthread_mutex_unlock(&f->lock);
	return n;
}

void
fake_google_stats(struct fake_google *f, struct fake_google_stats *out)
{
	pthread_mutex_lock(&f->lock);
	*out = f->stats;
	pthread_mutex_unlock(&f->lock);
}

/* ---- stored data ---- */

void
fake_google_tasks_free(struct fake_google_task *t, size_t n)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(t[i].id);
		free(t[i].list);
		free(t[i].title);
		free(t[i].notes);
		free(t[i].due);
		free(t[i].parent);
		free(t[i].status);
		free(t[i].completed);
		free(t[i].position);
	}
	free(t);
}

int
fake_google_tasks(struct fake_google *f, const char *list,
    struct fake_google_task **ret, size_t *ret_n)
{
	struct fake_google_task *out;
	size_t n = 0;
	long l = -1;
	bool ok = true;
	char pos[32];

	pthread_mutex_lock(&f->lock);
	if (list != NULL && (l = fg_list_find(f, list)) < 0) {
		pthread_mutex_unlock(&f->lock);
		return -ENOENT;
	}
	out = calloc(f->n_tasks + 1, sizeof(*out));
	for (size_t i = 0; out != NULL && i < f->n_tasks; i++) {
		const struct fg_task *s = &f->tasks[i];
		struct fake_google_task *d;

		if (l >= 0 && s->list != (size_t)l)
			continue;
		d = &out[n++];
		snprintf(pos, sizeof(pos), "%020lld", (long long)s->pos);
		d->id = dup_or_null(s->id, &ok);
		d->list = dup_or_null(f->lists[s->list].id, &ok);
		d->title = dup_or_null(s->title, &ok);
		d->notes = dup_or_null(s->notes, &ok);
		d->due = dup_or_null(s->due, &ok);
		d->parent = dup_or_null(*s->parent ? s->parent : NULL, &ok);
		d->status =
		    dup_or_null(s->done ? "completed" : "needsAction", &ok);
		d->completed = dup_or_null(s->completed, &ok);
		d->position = dup_or_null(pos, &ok);
		d->deleted = s->deleted;
		d->hidden = s->hidden;
	}
	pthread_mutex_unlock(&f->lock);
	if (out == NULL || !ok) {
		fake_google_tasks_free(out, n);
		return -ENOMEM;
	}
	*ret = out;
	*ret_n = n;
	return 0;
}

void
fake_google_events_free(struct fake_google_event *e, size_t n)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(e[i].id);
		free(e[i].summary);
		free(e[i].start);
		free(e[i].end);
		free(e[i].time_zone);
		free(e[i].status);
		free(e[i].draftbot);
		free(e[i].recurrence);
		free(e[i].location);
		free(e[i].description);
		free(e[i].source_url);
		free(e[i].json);
	}
	free(e);
}

static struct json_object *
member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* start.dateTime, else start.date, of an EventDateTime. */
static const char *
edt_text(struct json_object *dt)
{
	const char *s = fg_str(dt, "dateTime");

	return s ? s : fg_str(dt, "date");
}

static void
event_copy(const struct fg_event *s, struct fake_google_event *d, bool *ok)
{
	struct json_object *j = s->json, *rec = member(j, "recurrence");

	d->id = dup_or_null(s->id, ok);
	d->summary = dup_or_null(fg_str(j, "summary"), ok);
	d->start = dup_or_null(edt_text(member(j, "start")), ok);
	d->end = dup_or_null(edt_text(member(j, "end")), ok);
	d->time_zone = dup_or_null(fg_str(member(j, "start"), "timeZone"), ok);
	d->start_ms = s->start_ms;
	d->end_ms = s->end_ms;
	d->all_day = s->all_day;
	d->status = dup_or_null(fg_str(j, "status"), ok);
	d->draftbot = dup_or_null(
	    fg_str(
	        member(member(j, "extendedProperties"), "private"), "draftbot"),
	    ok);
	d->recurrence = rec ? fg_json_text(rec) : NULL;
	if (rec != NULL && d->recurrence == NULL)
		*ok = false;
	d->location = dup_or_null(fg_str(j, "location"), ok);
	d->description = dup_or_null(fg_str(j, "description"), ok);
	d->source_url = dup_or_null(fg_str(member(j, "source"), "url"), ok);
	d->json = fg_json_text(j);
	if (d->json == NULL)
		*ok = false;
}

int
fake_google_events(
    struct fake_google *f, struct fake_google_event **ret, size_t *ret_n)
{
	struct fake_google_event *out;
	size_t n = 0;
	bool ok = true;

	pthread_mutex_lock(&f->lock);
	out = calloc(f->n_events + 1, sizeof(*out));
	for (size_t i = 0; out != NULL && i < f->n_events; i++)
		event_copy(&f->events[i], &out[n++], &ok);
	pthread_mutex_unlock(&f->lock);
	if (out == NULL || !ok) {
		fake_google_events_free(out, n);
		return -ENOMEM;
	}
	*ret = out;
	*ret_n = n;
	return 0;
}

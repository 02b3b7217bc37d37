/*
 * gwrite — writing one confirmed draft to Google, and taking it back.
 *
 * Exactly once across crashes and retries:
 *   Tasks has no client-chosen ids, so every task carries a marker line
 *   "draftbot:<effect key>;" (subtasks "…:sub<i>;") in its notes; before
 *   creating anything after an earlier attempt (the effect is "intent"),
 *   the task is looked up by its marker and only created when missing.
 *   Calendar takes our id (gapi_event_id(effect key)): a retry meets its
 *   own event as 409, which is checked to be ours by the marker in
 *   extendedProperties.private.draftbot.
 * Every call here is outside a transaction.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "google/gapi.h"
#include "workflows/wf_int.h"

#define SUBTASKS_MAX 20


/* Append "…;" ids to the remote list (comma-separated), bounded. */
static void
add_id(char *remote, size_t len, const char *id)
{
	size_t n = strlen(remote);

	if (n + strlen(id) + 2 > len)
		return; /* cannot happen with GAPI ids and WF_REMOTE_MAX */
	snprintf(remote + n, len - n, "%s%s", n > 0 ? "," : "", id);
}

/* Notes of the Google task: the draft's notes, what Google cannot keep
 * (the time, the end, the recurrence) and the marker.  Caller frees. */
static char *
task_notes(struct json_object *j, const char *marker)
{
	const char *notes = wf_jstr(j, "notes"), *t = wf_jstr(j, "due_time");
	const char *end = wf_jstr(j, "due_end_time"), *rr = wf_jstr(j, "rrule");
	char *out = NULL;

	if (asprintf(&out, "%s%s%s%s%s%s%s%s%s%s", notes, notes[0] ? "\n" : "",
	        t[0] ? "Time: " : "", t, t[0] ? "\n" : "",
	        end[0] ? "Ends: " : "", end, end[0] ? "\n" : "",
	        rr[0] ? "Repeats: " : "", rr) < 0)
		return NULL;
	/* the marker on a line of its own, last */
	{
		char *full = NULL;

		if (asprintf(&full, "%s%s%s", out,
		        out[0] && out[strlen(out) - 1] != '\n' ? "\n" : "",
		        marker) < 0)
			full = NULL;
		free(out);
		return full;
	}
}

/* Find (after an earlier attempt) or create one task.  parent NULL: top
 * level. */
static int
one_task(struct wf_gcall *c, const char *title, const char *notes,
    const char *due, const char *marker, const char *parent, bool look,
    char *id, size_t idlen)
{
	struct gapi_task t = {.title = title, .notes = notes, .due = due,
	    .parent = parent};
	int r;

	if (look) {
		r = gapi_task_find_marker(c->g, c->access, c->list, marker,
		    parent, id, idlen, &c->err);
		if (r != 0)
			return r < 0 ? r : 0; /* found: nothing to create */
	}
	return gapi_task_insert(c->g, c->access, c->list, &t, id, idlen,
	    &c->err);
}

int
wf_gtask_create(struct wf_gcall *c, struct json_object *j, const char *key,
    bool look, char *remote, size_t len, int *ret_n)
{
	char marker[160], due[40] = "", id[GAPI_ID_MAX], parent[GAPI_ID_MAX];
	struct json_object *subs = NULL, *s;
	char *notes;
	size_t i;
	int r;

	remote[0] = '\0';
	*ret_n = 0;
	snprintf(marker, sizeof(marker), "draftbot:%s;", key);
	notes = task_notes(j, marker);
	if (notes == NULL)
		return -ENOMEM;
	if (wf_jstr(j, "due_date")[0] != '\0')
		snprintf(due, sizeof(due), "%sT00:00:00.000Z",
		    wf_jstr(j, "due_date"));
	r = one_task(c, wf_jstr(j, "title"), notes, due[0] ? due : NULL, marker,
	    NULL, look, parent, sizeof(parent));
	free(notes);
	if (r < 0)
		return r;
	add_id(remote, len, parent);
	if (!json_object_object_get_ex(j, "subtasks", &subs) ||
	    !json_object_is_type(subs, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(subs) && i < SUBTASKS_MAX;
	     i++) {
		s = json_object_array_get_idx(subs, i);
		if (!json_object_is_type(s, json_type_string) ||
		    json_object_get_string_len(s) == 0)
			continue;
		snprintf(marker, sizeof(marker), "draftbot:%s:sub%zu;", key, i);
		r = one_task(c, json_object_get_string(s), marker, NULL, marker,
		    parent, look, id, sizeof(id));
		if (r < 0)
			return r;
		add_id(remote, len, id);
		(*ret_n)++;
	}
	return 0;
}

/* Google takes only http(s) links as an event's source. */
static bool
web_url(const char *u)
{
	return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

/* The day after date: "2026-11-28" → "2026-11-29". */
static void
next_day(const char *date, char *out, size_t len)
{
	struct tm tm = {0};
	time_t t;

	if (sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) !=
	    3) {
		snprintf(out, len, "%s", date);
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_mday += 1;
	tm.tm_hour = 12;
	t = timegm(&tm); /* normalises the 32nd into the 1st */
	gmtime_r(&t, &tm);
	snprintf(out, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
}

int
wf_gevent_create(struct wf_gcall *c, struct json_object *j, const char *key,
    const char *tz, int64_t default_ms, char *remote, size_t len)
{
	char id[GAPI_EVENT_ID_MAX], start[32], end[32], marker[GAPI_MARKER_MAX];
	const char *sd = wf_jstr(j, "start_date"), *st = wf_jstr(j, "start_time");
	const char *ed = wf_jstr(j, "end_date"), *et = wf_jstr(j, "end_time");
	const char *zone = wf_jstr(j, "timezone");
	struct gapi_event e = {0};
	struct json_object *v;
	bool all_day;
	int r, mins, h, m;

	remote[0] = '\0';
	if (sd[0] == '\0')
		return -EINVAL;
	all_day = st[0] == '\0' ||
	    (json_object_object_get_ex(j, "all_day", &v) &&
	        json_object_get_boolean(v));
	r = gapi_event_id(key, id, sizeof(id));
	if (r < 0)
		return r;
	if (all_day) {
		snprintf(start, sizeof(start), "%s", sd);
		if (ed[0] != '\0' && strcmp(ed, sd) > 0)
			next_day(ed, end, sizeof(end)); /* exclusive */
		else
			next_day(sd, end, sizeof(end));
	} else {
		snprintf(start, sizeof(start), "%sT%s:00", sd, st);
		if (et[0] != '\0') {
			snprintf(end, sizeof(end), "%sT%s:00",
			    ed[0] ? ed : sd, et);
		} else {
			/* the draft had no end: the default length */
			mins = (int)(default_ms / 60000);
			if (sscanf(st, "%d:%d", &h, &m) != 2)
				return -EINVAL;
			m += h * 60 + mins;
			if (m >= 24 * 60) {
				char d2[12];

				next_day(sd, d2, sizeof(d2));
				snprintf(end, sizeof(end), "%sT%02d:%02d:00",
				    d2, (m / 60) % 24, m % 60);
			} else {
				snprintf(end, sizeof(end), "%sT%02d:%02d:00",
				    sd, m / 60, m % 60);
			}
		}
	}
	e.id = id;
	e.summary = wf_jstr(j, "title");
	e.description = wf_jstr(j, "description")[0] ? wf_jstr(j, "description")
	                                          : NULL;
	e.location = wf_jstr(j, "location")[0] ? wf_jstr(j, "location") : NULL;
	e.source_url = web_url(wf_jstr(j, "source_url"))
	    ? wf_jstr(j, "source_url")
	    : web_url(wf_jstr(j, "url")) ? wf_jstr(j, "url")
	                              : NULL;
	e.start = start;
	e.end = end;
	e.all_day = all_day;
	e.timezone = all_day ? NULL : zone[0] ? zone : tz;
	e.rrule = wf_jstr(j, "rrule")[0] ? wf_jstr(j, "rrule") : NULL;
	e.marker = key;
	r = gapi_event_insert(c->g, c->access, c->calendar, &e, NULL, 0, &c->err);
	if (r == -EEXIST) {
		/* Our id is taken: by our own earlier attempt, or not?  (Ours
		 * and since deleted in Google counts as done: it was written
		 * once, and Calendar keeps the id reserved anyway.) */
		r = gapi_event_get(c->g, c->access, c->calendar, id, marker,
		    sizeof(marker), NULL, 0, &c->err);
		if (r == 0 && strcmp(marker, key) != 0) {
			snprintf(c->err.message, sizeof(c->err.message),
			    "an event with this id exists and is not ours");
			r = -EEXIST;
		}
	}
	if (r == 0)
		snprintf(remote, len, "%s", id);
	return r;
}

int
wf_gremove(struct wf_gcall *c, bool event, const char *remote)
{
	char ids[WF_REMOTE_MAX], *save = NULL, *id, *last = NULL;
	int r = 0;

	snprintf(ids, sizeof(ids), "%s", remote);
	if (event) {
		r = gapi_event_delete(c->g, c->access, c->calendar, ids,
		    &c->err);
		return r == -ENOENT ? 0 : r;
	}
	/* subtasks first, then their parent (the first id) */
	for (id = strtok_r(ids, ",", &save); id != NULL;
	     id = strtok_r(NULL, ",", &save)) {
		if (last == NULL) {
			last = id;
			continue;
		}
		r = gapi_task_delete(c->g, c->access, c->list, id, &c->err);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	if (last == NULL)
		return 0;
	r = gapi_task_delete(c->g, c->access, c->list, last, &c->err);
	return r == -ENOENT ? 0 : r;
}

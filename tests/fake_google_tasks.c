/*
 * fake_google_tasks — Google Tasks API v1 as the fake serves it: task
 * lists, and tasks with parents, sibling positions, due dates kept to the
 * day, completion, deletion and paged listing.  Every function here runs
 * with f->lock held; bodies arrive already checked against the Task
 * schema.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake_google_int.h"

#define LIST_ID_SEED "00164859826908166910"
#define POS_START (1LL << 40)
#define POS_GAP 1024
#define TITLE_MAX 1024
#define NOTES_MAX 8192
#define SELF_BASE "https://www.googleapis.com/tasks/v1"

long
fg_list_find(struct fake_google *f, const char *id)
{
	if (id == NULL)
		return -1;
	if (strcmp(id, "@default") == 0)
		return 0;
	for (size_t i = 0; i < f->n_lists; i++)
		if (strcmp(f->lists[i].id, id) == 0)
			return (long)i;
	return -1;
}

int
fg_list_add(struct fake_google *f, const char *title, const char *id)
{
	struct fg_list *l;
	char raw[64];

	if (fg_grow(&f->lists, &f->cap_lists, f->n_lists + 1,
	        sizeof(*f->lists)) < 0)
		return -ENOMEM;
	l = &f->lists[f->n_lists];
	memset(l, 0, sizeof(*l));
	if (id != NULL) {
		snprintf(l->id, sizeof(l->id), "%s", id);
	} else {
		snprintf(
		    raw, sizeof(raw), "%s:%zu:0", LIST_ID_SEED, f->n_lists);
		fg_b64url(raw, strlen(raw), l->id, sizeof(l->id));
	}
	l->title = strdup(title);
	if (l->title == NULL)
		return -ENOMEM;
	l->updated_ms = fg_now_ms();
	f->n_lists++;
	return 0;
}

static struct fg_task *
task_find(struct fake_google *f, size_t list, const char *id)
{
	for (size_t i = 0; i < f->n_tasks; i++)
		if (f->tasks[i].list == list && strcmp(f->tasks[i].id, id) == 0)
			return &f->tasks[i];
	return NULL;
}

static void
add_str(struct json_object *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, key, json_object_new_string(v));
}

static struct json_object *
task_json(struct fake_google *f, const struct fg_task *t)
{
	struct json_object *o = json_object_new_object();
	const char *list = f->lists[t->list].id;
	char buf[512];

	add_str(o, "kind", "tasks#task");
	add_str(o, "id", t->id);
	snprintf(buf, sizeof(buf), "\"%lld\"", (long long)t->updated_ms);
	add_str(o, "etag", buf);
	add_str(o, "title", t->title ? t->title : "");
	fg_format_time(t->updated_ms, buf, sizeof(buf));
	add_str(o, "updated", buf);
	snprintf(buf, sizeof(buf), SELF_BASE "/lists/%s/tasks/%s", list, t->id);
	add_str(o, "selfLink", buf);
	if (*t->parent != '\0')
		add_str(o, "parent", t->parent);
	snprintf(buf, sizeof(buf), "%020lld", (long long)t->pos);
	add_str(o, "position", buf);
	add_str(o, "notes", t->notes);
	add_str(o, "status", t->done ? "completed" : "needsAction");
	add_str(o, "due", t->due);
	add_str(o, "completed", t->completed);
	if (t->deleted)
		json_object_object_add(
		    o, "deleted", json_object_new_boolean(1));
	if (t->hidden)
		json_object_object_add(o, "hidden", json_object_new_boolean(1));
	json_object_object_add(o, "links", json_object_new_array());
	snprintf(buf, sizeof(buf), "https://tasks.google.com/task/%s", t->id);
	add_str(o, "webViewLink", buf);
	return o;
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Replace *dst with a copy of src (NULL clears); false on ENOMEM. */
static bool
set_str(char **dst, const char *src)
{
	char *c = src ? strdup(src) : NULL;

	if (src != NULL && c == NULL)
		return false;
	free(*dst);
	*dst = c;
	return true;
}

/* "due" keeps only its date, as Google does: "YYYY-MM-DDT00:00:00.000Z". */
static bool
set_due(struct fg_task *t, const char *due)
{
	char buf[32];

	if (due == NULL)
		return set_str(&t->due, NULL);
	snprintf(buf, sizeof(buf), "%.10sT00:00:00.000Z", due);
	return set_str(&t->due, buf);
}

/*
 * Copy the Task fields of body into t: title, notes, due, status,
 * completed, deleted (the rest are read-only and ignored, as Google
 * does).  Present-but-null clears a field.  false on ENOMEM.
 */
static bool
apply(struct fg_task *t, struct json_object *body)
{
	struct json_object *v;
	char now[32];
	bool ok = true;

	if (json_object_object_get_ex(body, "title", &v))
		ok = ok && set_str(&t->title, json_object_get_string(v));
	if (json_object_object_get_ex(body, "notes", &v))
		ok = ok && set_str(&t->notes, json_object_get_string(v));
	if (json_object_object_get_ex(body, "due", &v))
		ok = ok && set_due(t, json_object_get_string(v));
	if (json_object_object_get_ex(body, "status", &v) && v != NULL)
		t->done = strcmp(json_object_get_string(v), "completed") == 0;
	if (json_object_object_get_ex(body, "completed", &v))
		ok = ok && set_str(&t->completed, json_object_get_string(v));
	if (json_object_object_get_ex(body, "deleted", &v) && v != NULL)
		t->deleted = json_object_get_boolean(v);
	if (t->done && t->completed == NULL) {
		fg_format_time(fg_now_ms(), now, sizeof(now));
		ok = ok && set_str(&t->completed, now);
	}
	if (!t->done)
		ok = ok && set_str(&t->completed, NULL);
	t->updated_ms = fg_now_ms();
	return ok;
}

/* Google's rules for a Task body beyond the schema; false with the 400
 * answered. */
static bool
task_rules(struct fake_google *f, struct json_object *body, bool insert,
    struct fg_reply *r)
{
	const char *title = fg_str(body, "title");
	const char *notes = fg_str(body, "notes");
	const char *status = fg_str(body, "status");

	if (insert && (title == NULL || *title == '\0') &&
	    (notes == NULL || *notes == '\0')) {
		fg_invalid(f, r,
		    "Invalid value at 'title': a task needs a non-empty "
		    "title or notes");
		return false;
	}
	if (title != NULL && utf8_chars(title) > TITLE_MAX) {
		fg_invalid(f, r,
		    "Invalid value at 'title': longer than %d characters",
		    TITLE_MAX);
		return false;
	}
	if (notes != NULL && utf8_chars(notes) > NOTES_MAX) {
		fg_invalid(f, r,
		    "Invalid value at 'notes': longer than %d characters",
		    NOTES_MAX);
		return false;
	}
	if (status != NULL && strcmp(status, "needsAction") != 0 &&
	    strcmp(status, "completed") != 0) {
		fg_invalid(f, r,
		    "Invalid value at 'status': \"%s\" (needsAction or "
		    "completed)",
		    status);
		return false;
	}
	return true;
}

static bool
siblings(const struct fg_task *a, size_t list, const char *parent)
{
	return a->list == list && !a->deleted && strcmp(a->parent, parent) == 0;
}

static int
by_pos(const void *a, const void *b)
{
	const struct fg_task *x = *(struct fg_task *const *)a;
	const struct fg_task *y = *(struct fg_task *const *)b;

	if (x->pos != y->pos)
		return x->pos > y->pos ? 1 : -1;
	return (x > y) - (x < y); /* ties (a deleted sibling's old place):
	                             insertion order */
}

/* Spread the siblings' positions POS_GAP apart, keeping their order. */
static void
renumber(struct fake_google *f, size_t list, const char *parent)
{
	struct fg_task **sib = calloc(f->n_tasks + 1, sizeof(*sib));
	size_t n = 0;

	if (sib == NULL)
		return; /* positions stay tight; the new one ties */
	for (size_t i = 0; i < f->n_tasks; i++)
		if (siblings(&f->tasks[i], list, parent))
			sib[n++] = &f->tasks[i];
	qsort(sib, n, sizeof(*sib), by_pos);
	for (size_t i = 0; i < n; i++)
		sib[i]->pos = POS_START + (int64_t)i * POS_GAP;
	free(sib);
}

/* The position of a new task among parent's children: first, or right
 * after prev. */
static int64_t
position(struct fake_google *f, size_t list, const char *parent,
    const struct fg_task *prev)
{
	int64_t lo = INT64_MAX, after = INT64_MAX;
	bool any = false;

	for (size_t i = 0; i < f->n_tasks; i++) {
		const struct fg_task *t = &f->tasks[i];

		if (!siblings(t, list, parent))
			continue;
		any = true;
		if (t->pos < lo)
			lo = t->pos;
		if (prev != NULL && t->pos > prev->pos && t->pos < after)
			after = t->pos;
	}
	if (prev == NULL)
		return any ? lo - POS_GAP : POS_START;
	if (after == INT64_MAX)
		return prev->pos + POS_GAP;
	if (after - prev->pos < 2) {
		renumber(f, list, parent);
		return prev->pos + POS_GAP / 2;
	}
	return prev->pos + (after - prev->pos) / 2;
}

int
fg_tasks_insert(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	long list = fg_list_find(f, c->seg[0]);
	const char *parent = fg_query(c, "parent");
	const char *previous = fg_query(c, "previous");
	struct fg_task *p = NULL, *prev = NULL, *t;
	char raw[96];

	if (list < 0)
		return fg_not_found(r);
	if (!task_rules(f, c->json, true, r))
		return 0;
	if (parent != NULL && *parent != '\0' &&
	    ((p = task_find(f, (size_t)list, parent)) == NULL || p->deleted))
		return fg_not_found(r);
	if (previous != NULL && *previous != '\0') {
		prev = task_find(f, (size_t)list, previous);
		if (prev == NULL || prev->deleted)
			return fg_not_found(r);
		if (strcmp(prev->parent, p ? p->id : "") != 0) {
			fg_invalid(f, r,
			    "Invalid value for previous: task %s is not a "
			    "sibling under the given parent",
			    previous);
			return 0;
		}
	}
	if (fg_grow(&f->tasks, &f->cap_tasks, f->n_tasks + 1,
	        sizeof(*f->tasks)) < 0)
		return fg_api_error(r, 500, "global", "backendError", "ENOMEM");
	/* growing may move the array */
	p = p ? task_find(f, (size_t)list, parent) : NULL;
	prev = prev ? task_find(f, (size_t)list, previous) : NULL;
	t = &f->tasks[f->n_tasks];
	memset(t, 0, sizeof(*t));
	snprintf(raw, sizeof(raw), "%s:%ld:%llu", LIST_ID_SEED, list,
	    (unsigned long long)++f->serial);
	fg_b64url(raw, strlen(raw), t->id, sizeof(t->id));
	t->list = (size_t)list;
	snprintf(t->parent, sizeof(t->parent), "%s", p ? p->id : "");
	t->pos = position(f, (size_t)list, t->parent, prev);
	if (!apply(t, c->json)) {
		free(t->title);
		free(t->notes);
		free(t->due);
		free(t->completed);
		return fg_api_error(r, 500, "global", "backendError", "ENOMEM");
	}
	f->n_tasks++;
	fg_reply_json(r, 200, task_json(f, t));
	return 0;
}

int
fg_tasks_get(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	long list = fg_list_find(f, c->seg[0]);
	struct fg_task *t =
	    list < 0 ? NULL : task_find(f, (size_t)list, c->seg[1]);

	if (t == NULL)
		return fg_not_found(r);
	fg_reply_json(r, 200, task_json(f, t));
	return 0;
}

int
fg_tasks_patch(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	long list = fg_list_find(f, c->seg[0]);
	struct fg_task *t =
	    list < 0 ? NULL : task_find(f, (size_t)list, c->seg[1]);

	if (t == NULL)
		return fg_not_found(r);
	if (!task_rules(f, c->json, false, r))
		return 0;
	if (!apply(t, c->json))
		return fg_api_error(r, 500, "global", "backendError", "ENOMEM");
	fg_reply_json(r, 200, task_json(f, t));
	return 0;
}

/* Mark t and its descendants deleted. */
static void
delete_tree(struct fake_google *f, struct fg_task *t)
{
	t->deleted = true;
	t->updated_ms = fg_now_ms();
	for (size_t i = 0; i < f->n_tasks; i++)
		if (f->tasks[i].list == t->list && !f->tasks[i].deleted &&
		    strcmp(f->tasks[i].parent, t->id) == 0)
			delete_tree(f, &f->tasks[i]);
}

int
fg_tasks_delete(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	long list = fg_list_find(f, c->seg[0]);
	struct fg_task *t =
	    list < 0 ? NULL : task_find(f, (size_t)list, c->seg[1]);

	if (t == NULL)
		return fg_not_found(r);
	delete_tree(f, t);
	r->status = 204;
	return 0;
}

/* Append the indexes of list's tasks under parent, in position order,
 * each followed by its children, to idx.  false on ENOMEM. */
static bool
tree_order(struct fake_google *f, size_t list, const char *parent, size_t *idx,
    size_t *n)
{
	struct fg_task **kids = calloc(f->n_tasks + 1, sizeof(*kids));
	size_t k = 0;
	bool ok = true;

	if (kids == NULL)
		return false;
	for (size_t i = 0; i < f->n_tasks; i++)
		if (f->tasks[i].list == list &&
		    strcmp(f->tasks[i].parent, parent) == 0)
			kids[k++] = &f->tasks[i];
	qsort(kids, k, sizeof(*kids), by_pos);
	for (size_t i = 0; i < k && ok; i++) {
		idx[(*n)++] = (size_t)(kids[i] - f->tasks);
		ok = tree_order(f, list, kids[i]->id, idx, n);
	}
	free(kids);
	return ok;
}

/* Is the task's time field s (RFC 3339 or NULL) within the query's
 * [min, max) bounds? */
static bool
in_bounds(struct fg_call *c, const char *s, const char *min, const char *max)
{
	const char *lo = fg_query(c, min), *hi = fg_query(c, max);
	int64_t v, b;
	bool z;

	if (lo == NULL && hi == NULL)
		return true;
	if (s == NULL || fg_parse_datetime(s, false, &v, &z) < 0)
		return false;
	if (lo != NULL && fg_parse_datetime(lo, false, &b, &z) == 0 && v < b)
		return false;
	if (hi != NULL && fg_parse_datetime(hi, false, &b, &z) == 0 && v >= b)
		return false;
	return true;
}

int
fg_tasks_list(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	long list = fg_list_find(f, c->seg[0]);
	bool completed = fg_query_bool(c, "showCompleted", true);
	bool hidden = fg_query_bool(c, "showHidden", false);
	bool deleted = fg_query_bool(c, "showDeleted", false);
	struct json_object *o, *items, *tok;
	size_t *idx, n = 0, m = 0, from, count;

	if (list < 0)
		return fg_not_found(r);
	idx = calloc(f->n_tasks + 1, sizeof(*idx));
	if (idx == NULL)
		return fg_api_error(r, 500, "global", "backendError", "ENOMEM");
	if (!tree_order(f, (size_t)list, "", idx, &n)) {
		free(idx);
		return fg_api_error(r, 500, "global", "backendError", "ENOMEM");
	}
	for (size_t i = 0; i < n; i++) {
		const struct fg_task *t = &f->tasks[idx[i]];

		if ((t->done && !completed) || (t->hidden && !hidden) ||
		    (t->deleted && !deleted) ||
		    !in_bounds(c, t->due, "dueMin", "dueMax") ||
		    !in_bounds(c, t->completed, "completedMin", "completedMax"))
			continue;
		idx[m++] = idx[i];
	}
	if (!fg_page(
	        f, c, r, FG_TASKS_PAGE, FG_TASKS_PAGE_MAX, m, &from, &count)) {
		free(idx);
		return 0;
	}
	o = json_object_new_object();
	add_str(o, "kind", "tasks#tasks");
	add_str(o, "etag", "\"fake-tasks\"");
	if ((tok = fg_page_token(from + count, m)) != NULL)
		json_object_object_add(o, "nextPageToken", tok);
	items = json_object_new_array();
	for (size_t i = from; i < from + count; i++)
		json_object_array_add(items, task_json(f, &f->tasks[idx[i]]));
	json_object_object_add(o, "items", items);
	free(idx);
	fg_reply_json(r, 200, o);
	return 0;
}

int
fg_tasklists_list(struct fake_google *f, struct fg_call *c, struct fg_reply *r)
{
	struct json_object *o, *items, *tok;
	size_t from, count;
	char buf[256];

	if (!fg_page(f, c, r, FG_LISTS_PAGE, FG_TASKS_PAGE_MAX, f->n_lists,
	        &from, &count))
		return 0;
	o = json_object_new_object();
	add_str(o, "kind", "tasks#taskLists");
	add_str(o, "etag", "\"fake-lists\"");
	if ((tok = fg_page_token(from + count, f->n_lists)) != NULL)
		json_object_object_add(o, "nextPageToken", tok);
	items = json_object_new_array();
	for (size_t i = from; i < from + count; i++) {
		struct json_object *l = json_object_new_object();

		add_str(l, "kind", "tasks#taskList");
		add_str(l, "id", f->lists[i].id);
		snprintf(buf, sizeof(buf), "\"%lld\"",
		    (long long)f->lists[i].updated_ms);
		add_str(l, "etag", buf);
		add_str(l, "title", f->lists[i].title);
		fg_format_time(f->lists[i].updated_ms, buf, sizeof(buf));
		add_str(l, "updated", buf);
		snprintf(buf, sizeof(buf), SELF_BASE "/users/@me/lists/%s",
		    f->lists[i].id);
		add_str(l, "selfLink", buf);
		json_object_array_add(items, l);
	}
	json_object_object_add(o, "items", items);
	fg_reply_json(r, 200, o);
	return 0;
}

void
fg_tasks_free(struct fake_google *f)
{
	for (size_t i = 0; i < f->n_tasks; i++) {
		free(f->tasks[i].title);
		free(f->tasks[i].notes);
		free(f->tasks[i].due);
		free(f->tasks[i].completed);
	}
	free(f->tasks);
	for (size_t i = 0; i < f->n_lists; i++)
		free(f->lists[i].title);
	free(f->lists);
}

int
fake_google_add_list(struct fake_google *f, const char *title, char *id_out)
{
	int r;

	if (title == NULL)
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	r = fg_list_add(f, title, NULL);
	if (r == 0 && id_out != NULL)
		snprintf(id_out, FAKE_GOOGLE_TOKEN_MAX, "%s",
		    f->lists[f->n_lists - 1].id);
	pthread_mutex_unlock(&f->lock);
	return r;
}

/*
 * tasks — Google Tasks v1: insert, find by marker, delete, list the task
 * lists.  Paths and fields follow tasks-v1.discovery.json.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "google/gapi_int.h"

/* tasks_url/lists/{list}/tasks[/{id}] into b, ready for query keys. */
static void
tasks_path(
    const struct gapi *g, struct gapi_buf *b, const char *list, const char *id)
{
	gapi_buf_init(b, GAPI_URL_MAX, '?');
	gapi_buf_puts(b, g->tasks_url);
	gapi_buf_puts(b, "/lists/");
	gapi_buf_pct(b, list);
	gapi_buf_puts(b, "/tasks");
	if (id != NULL) {
		gapi_buf_puts(b, "/");
		gapi_buf_pct(b, id);
	}
}

static bool
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

static int
task_json(const struct gapi_task *t, struct json_object **ret)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return -ENOMEM;
	if (gapi_json_put_str(o, "title", t->title) < 0 ||
	    gapi_json_put_str(o, "notes", t->notes) < 0 ||
	    gapi_json_put_str(o, "due", t->due) < 0 ||
	    gapi_json_put_str(o, "status", t->status) < 0) {
		json_object_put(o);
		return -ENOMEM;
	}
	*ret = o;
	return 0;
}

int
gapi_task_insert(struct gapi *g, const char *access, const char *list,
    const struct gapi_task *t, char *ret_id, size_t idlen,
    struct gapi_error *err)
{
	struct json_object *body = NULL, *root = NULL;
	struct gapi_buf url = {0};
	int r;

	gapi_err_clear(err);
	if (g == NULL || !nonempty(list) || t == NULL || t->title == NULL ||
	    (t->parent != NULL && *t->parent == '\0') ||
	    (t->status != NULL && strcmp(t->status, "needsAction") != 0 &&
	        strcmp(t->status, "completed") != 0))
		return gapi_fail(err, -EINVAL, "missing or bad task field");
	tasks_path(g, &url, list, NULL);
	if (t->parent != NULL)
		gapi_buf_kv(&url, "parent", t->parent);
	r = gapi_url_check(&url, "task", err);
	if (r == 0)
		r = task_json(t, &body);
	if (r == 0)
		r = gapi_send(g, "POST", url.p, access, body, &root, err);
	if (r == 0)
		r = gapi_new_id(root, "task", ret_id, idlen, err);
	json_object_put(root);
	json_object_put(body);
	gapi_buf_wipe(&url);
	return r;
}

/* Is item the task find_marker looks for? */
static bool
task_matches(struct json_object *item, const char *marker, const char *parent)
{
	struct json_object *v;
	const char *notes = gapi_json_str(item, "notes");
	const char *p = gapi_json_str(item, "parent");

	if (json_object_object_get_ex(item, "deleted", &v) &&
	    json_object_get_boolean(v))
		return false;
	if (notes == NULL || strstr(notes, marker) == NULL)
		return false;
	return parent == NULL || (p != NULL && strcmp(p, parent) == 0);
}

/*
 * One page of a listing: GET url (with pageToken when *token is set), then
 * hand the reply to page().  page returns non-zero to stop.  The next page
 * token replaces *token ("" when none).
 */
static int
list_page(struct gapi *g, const char *access, struct gapi_buf *url, char *token,
    size_t tlen, struct json_object **ret, struct gapi_error *err)
{
	const char *next;
	int r;

	if (*token != '\0')
		gapi_buf_kv(url, "pageToken", token);
	r = gapi_url_check(url, "listing", err);
	if (r == 0)
		r = gapi_send(g, "GET", url->p, access, NULL, ret, err);
	if (r < 0)
		return r;
	next = gapi_json_str(*ret, "nextPageToken");
	if (next == NULL || *next == '\0') {
		*token = '\0';
		return 0;
	}
	/* A token that comes back unchanged would loop forever. */
	if (strcmp(next, token) == 0 || strlen(next) >= tlen) {
		json_object_put(*ret);
		*ret = NULL;
		return gapi_fail(err, -EBADMSG, "bad nextPageToken");
	}
	memcpy(token, next, strlen(next) + 1);
	return 0;
}

/*
 * Walk a listing page by page: url() builds each page's URL (list_page adds
 * the pageToken), item() sees each item and returns non-zero to stop the
 * walk with that value.  -E2BIG after GAPI_PAGES_MAX pages of <what>.
 */
static int
list_each(struct gapi *g, const char *access, const char *what,
    void (*url)(const struct gapi *g, struct gapi_buf *b, void *arg),
    int (*item)(struct json_object *o, void *arg, struct gapi_error *err),
    void *arg, struct gapi_error *err)
{
	char token[GAPI_PAGE_TOKEN_MAX] = "";
	struct json_object *root = NULL, *items;
	struct gapi_buf b;
	int page, r = 0;
	size_t i;

	for (page = 0; page < GAPI_PAGES_MAX; page++) {
		url(g, &b, arg);
		r = list_page(g, access, &b, token, sizeof(token), &root, err);
		gapi_buf_wipe(&b);
		if (r < 0)
			return r;
		items = gapi_json_array(root, "items");
		for (i = 0;
		     items != NULL && i < json_object_array_length(items);
		     i++) {
			r = item(json_object_array_get_idx(items, i), arg, err);
			if (r != 0)
				break;
		}
		json_object_put(root);
		root = NULL;
		if (r != 0 || token[0] == '\0')
			return r;
	}
	return gapi_fail(
	    err, -E2BIG, "more than %d pages of %s", GAPI_PAGES_MAX, what);
}

struct find_marker {
	const char *list, *marker, *parent;
	char *ret_id;
	size_t idlen;
};

static void
find_marker_url(const struct gapi *g, struct gapi_buf *b, void *arg)
{
	const struct find_marker *f = arg;

	tasks_path(g, b, f->list, NULL);
	gapi_buf_kv(b, "showCompleted", "true");
	gapi_buf_kv(b, "showHidden", "true");
	gapi_buf_kv(b, "maxResults", "100");
}

static int
find_marker_item(struct json_object *item, void *arg, struct gapi_error *err)
{
	struct find_marker *f = arg;
	const char *id;

	if (!task_matches(item, f->marker, f->parent))
		return 0;
	id = gapi_json_str(item, "id");
	if (id == NULL || gapi_copy(f->ret_id, f->idlen, id) < 0)
		return gapi_fail(
		    err, -EBADMSG, "the matching task has no usable id");
	return 1;
}

int
gapi_task_find_marker(struct gapi *g, const char *access, const char *list,
    const char *marker, const char *parent, char *ret_id, size_t idlen,
    struct gapi_error *err)
{
	struct find_marker f = {list, marker, parent, ret_id, idlen};

	gapi_err_clear(err);
	if (g == NULL || !nonempty(list) || !nonempty(marker) ||
	    (parent != NULL && *parent == '\0'))
		return gapi_fail(err, -EINVAL, "missing list or marker");
	return list_each(
	    g, access, "tasks", find_marker_url, find_marker_item, &f, err);
}

int
gapi_task_delete(struct gapi *g, const char *access, const char *list,
    const char *id, struct gapi_error *err)
{
	struct gapi_buf url;
	int r;

	gapi_err_clear(err);
	if (g == NULL || !nonempty(list) || !nonempty(id))
		return gapi_fail(err, -EINVAL, "missing list or task id");
	tasks_path(g, &url, list, id);
	r = gapi_url_check(&url, "task", err);
	if (r == 0)
		r = gapi_send(g, "DELETE", url.p, access, NULL, NULL, err);
	gapi_buf_wipe(&url);
	return r;
}

struct tasklists {
	int (*fn)(const char *id, const char *title, void *arg);
	void *arg;
};

static void
tasklists_url(const struct gapi *g, struct gapi_buf *b, void *arg)
{
	(void)arg;
	gapi_buf_init(b, GAPI_URL_MAX, '?');
	gapi_buf_puts(b, g->tasks_url);
	gapi_buf_puts(b, "/users/@me/lists");
	gapi_buf_kv(b, "maxResults", "100");
}

static int
tasklists_item(struct json_object *item, void *arg, struct gapi_error *err)
{
	const struct tasklists *t = arg;
	const char *id = gapi_json_str(item, "id");
	const char *title = gapi_json_str(item, "title");

	(void)err;
	if (id == NULL)
		return 0;
	return t->fn(id, title != NULL ? title : "", t->arg);
}

int
gapi_tasklists(struct gapi *g, const char *access,
    int (*fn)(const char *id, const char *title, void *arg), void *arg,
    struct gapi_error *err)
{
	struct tasklists t = {fn, arg};

	gapi_err_clear(err);
	if (g == NULL || fn == NULL)
		return gapi_fail(err, -EINVAL, "missing argument");
	return list_each(
	    g, access, "task lists", tasklists_url, tasklists_item, &t, err);
}

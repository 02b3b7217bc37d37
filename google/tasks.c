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
	struct gapi_call c = {0};
	struct gapi_buf url = {0};
	const char *id;
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
	if (url.err < 0) {
		r = gapi_fail(err, url.err == -E2BIG ? -EINVAL : url.err,
		    "the task URL is too long");
		goto out;
	}
	r = task_json(t, &body);
	if (r < 0)
		goto out;
	c.method = "POST";
	c.url = url.p;
	c.bearer = access;
	c.json = body;
	r = gapi_call(g, &c, &root, err);
	if (r < 0)
		goto out;
	id = gapi_json_str(root, "id");
	if (id == NULL || *id == '\0')
		r = gapi_fail(err, -EBADMSG, "the new task has no id");
	else if (gapi_copy(ret_id, idlen, id) < 0)
		r = gapi_fail(err, -EBADMSG, "the new task's id is too long");
out:
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
	struct gapi_call c = {0};
	const char *next;
	int r;

	if (*token != '\0')
		gapi_buf_kv(url, "pageToken", token);
	if (url->err < 0)
		return gapi_fail(err, url->err == -E2BIG ? -EINVAL : url->err,
		    "the listing URL is too long");
	c.method = "GET";
	c.url = url->p;
	c.bearer = access;
	r = gapi_call(g, &c, ret, err);
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

int
gapi_task_find_marker(struct gapi *g, const char *access, const char *list,
    const char *marker, const char *parent, char *ret_id, size_t idlen,
    struct gapi_error *err)
{
	char token[GAPI_PAGE_TOKEN_MAX] = "";
	struct json_object *root = NULL, *items, *item;
	struct gapi_buf url = {0};
	const char *id;
	int page, r = 0;
	size_t i;

	gapi_err_clear(err);
	if (g == NULL || !nonempty(list) || !nonempty(marker) ||
	    (parent != NULL && *parent == '\0'))
		return gapi_fail(err, -EINVAL, "missing list or marker");
	for (page = 0; page < GAPI_PAGES_MAX; page++) {
		tasks_path(g, &url, list, NULL);
		gapi_buf_kv(&url, "showCompleted", "true");
		gapi_buf_kv(&url, "showHidden", "true");
		gapi_buf_kv(&url, "maxResults", "100");
		r = list_page(
		    g, access, &url, token, sizeof(token), &root, err);
		gapi_buf_wipe(&url);
		if (r < 0)
			return r;
		items = gapi_json_array(root, "items");
		for (i = 0;
		     items != NULL && i < json_object_array_length(items);
		     i++) {
			item = json_object_array_get_idx(items, i);
			if (!task_matches(item, marker, parent))
				continue;
			id = gapi_json_str(item, "id");
			if (id == NULL || gapi_copy(ret_id, idlen, id) < 0)
				r = gapi_fail(err, -EBADMSG,
				    "the matching task has no usable id");
			else
				r = 1;
			break;
		}
		json_object_put(root);
		root = NULL;
		if (r != 0 || token[0] == '\0')
			return r;
	}
	return gapi_fail(
	    err, -E2BIG, "more than %d pages of tasks", GAPI_PAGES_MAX);
}

int
gapi_task_delete(struct gapi *g, const char *access, const char *list,
    const char *id, struct gapi_error *err)
{
	struct gapi_call c = {0};
	struct gapi_buf url;
	int r;

	gapi_err_clear(err);
	if (g == NULL || !nonempty(list) || !nonempty(id))
		return gapi_fail(err, -EINVAL, "missing list or task id");
	tasks_path(g, &url, list, id);
	if (url.err < 0) {
		r = gapi_fail(err, url.err == -E2BIG ? -EINVAL : url.err,
		    "the task URL is too long");
		goto out;
	}
	c.method = "DELETE";
	c.url = url.p;
	c.bearer = access;
	r = gapi_call(g, &c, NULL, err);
out:
	gapi_buf_wipe(&url);
	return r;
}

int
gapi_tasklists(struct gapi *g, const char *access,
    int (*fn)(const char *id, const char *title, void *arg), void *arg,
    struct gapi_error *err)
{
	char token[GAPI_PAGE_TOKEN_MAX] = "";
	struct json_object *root = NULL, *items, *item;
	struct gapi_buf url;
	const char *id, *title;
	int page, r = 0;
	size_t i;

	gapi_err_clear(err);
	if (g == NULL || fn == NULL)
		return gapi_fail(err, -EINVAL, "missing argument");
	for (page = 0; page < GAPI_PAGES_MAX; page++) {
		gapi_buf_init(&url, GAPI_URL_MAX, '?');
		gapi_buf_puts(&url, g->tasks_url);
		gapi_buf_puts(&url, "/users/@me/lists");
		gapi_buf_kv(&url, "maxResults", "100");
		r = list_page(
		    g, access, &url, token, sizeof(token), &root, err);
		gapi_buf_wipe(&url);
		if (r < 0)
			return r;
		items = gapi_json_array(root, "items");
		for (i = 0;
		     items != NULL && i < json_object_array_length(items);
		     i++) {
			item = json_object_array_get_idx(items, i);
			id = gapi_json_str(item, "id");
			title = gapi_json_str(item, "title");
			if (id == NULL)
				continue;
			r = fn(id, title != NULL ? title : "", arg);
			if (r != 0)
				break;
		}
		json_object_put(root);
		root = NULL;
		if (r != 0 || token[0] == '\0')
			return r;
	}
	return gapi_fail(
	    err, -E2BIG, "more than %d pages of task lists", GAPI_PAGES_MAX);
}

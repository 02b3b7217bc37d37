/*
 * maintenance — housekeeping commands the scheduler enqueues, payload
 * {"task": NAME}.  "expire": drafts left unconfirmed past their expiry
 * become expired, their cards say so and lose their buttons.
 */
#include <errno.h>
#include <string.h>

#include "workflows/wf_int.h"

struct due {
	int64_t ids[WF_EXPIRE_BATCH];
	int n;
};

static int
collect(const struct store_draft *d, void *arg)
{
	struct due *due = arg;

	if (due->n == WF_EXPIRE_BATCH)
		return 1;
	due->ids[due->n++] = d->id;
	return 0;
}

/*
 * Bounded: at most WF_EXPIRE_BATCH drafts per run, so one run stays one
 * short transaction; the next run takes the rest.  The ids are collected
 * first because the drafts are changed while the walk would still be open.
 */
static int
expire(struct wf_ctx *x)
{
	struct store_draft *d;
	struct json_object *res;
	struct due due = {.n = 0};
	int i, n = 0, r;

	r = store_draft_due(x->q, x->now, WF_EXPIRE_BATCH, collect, &due);
	if (r < 0)
		return r;
	for (i = 0; i < due.n; i++) {
		d = NULL;
		r = store_draft_get(x->q, due.ids[i], &d);
		if (r == 1 && strcmp(d->status, "drafted") == 0) {
			r = wf_draft_expire(x, d);
			n++;
		}
		store_draft_free(d);
		if (r < 0)
			return r;
	}
	wf_result(x, "expired", 0);
	res = x->result;
	if (res != NULL) {
		json_object_object_add(res, "count", json_object_new_int(n));
		json_object_object_add(res, "more",
		    json_object_new_boolean(due.n == WF_EXPIRE_BATCH));
	}
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct wf_ctx *x);
} tasks[] = {
    {"expire", expire},
};

int
wf_maintenance(struct wf_ctx *x)
{
	struct json_object *v;
	const char *name;
	size_t i;

	if (!json_object_object_get_ex(x->args, "task", &v) ||
	    !json_object_is_type(v, json_type_string))
		return -EINVAL;
	name = json_object_get_string(v);
	for (i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++)
		if (strcmp(tasks[i].name, name) == 0)
			return tasks[i].run(x);
	return -EINVAL; /* permanent: no later attempt knows it either */
}

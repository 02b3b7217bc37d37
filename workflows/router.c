/*
 * router — wf_execute(): parse the command, pick its handler from a table
 * by command type, and run it inside one transaction that also completes
 * the command.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/wf_int.h"

static int
run_ignored(struct wf_ctx *x)
{
	wf_result(x, "ignored", 0);
	return 0;
}

/*
 * prepare: optional, runs BEFORE the transaction: it may read the database
 * and call out (fetch a page, ask the LLM) but writes nothing; what it
 * learns waits in x->pre for run.  A slow call then never holds the write
 * lock, and a crash during it leaves nothing to undo.
 * external: run opens and commits its own transactions (a write to Google
 * needs its intent committed before the call and its result after it);
 * it must complete the command in its last one (wf_finish).
 */
static const struct route {
	const char *type;
	int (*run)(struct wf_ctx *x);
	bool update; /* the payload is a Telegram Update */
	int (*prepare)(struct wf_ctx *x);
	bool external;
} routes[] = {
    {"message", wf_message, true, wf_message_prepare, false},
    {"callback", wf_callback, true, NULL, false},
    {"member", wf_member, true, NULL, false},
    {"ignored", run_ignored, true, NULL, false},
    {"maintenance", wf_maintenance, false, NULL, false},
    {"effect", wf_effect, false, NULL, true},
    {"oauth_exchange", wf_oauth_exchange, false, NULL, true},
    {"conflicts", wf_gconflicts, false, NULL, true},
};

static const struct route *
find_route(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (type != NULL && strcmp(routes[i].type, type) == 0)
			return &routes[i];
	return NULL;
}

void
wf_result(struct wf_ctx *x, const char *outcome, int64_t draft_id)
{
	json_object_put(x->result);
	x->result = json_object_new_object();
	if (x->result == NULL)
		return;
	json_object_object_add(
	    x->result, "outcome", json_object_new_string(outcome));
	if (draft_id > 0)
		json_object_object_add(
		    x->result, "draft_id", json_object_new_int64(draft_id));
}

/* The payload as the route expects it: an Update, or a JSON object. */
static int
parse_payload(
    struct wf_ctx *x, const struct route *rt, struct json_object **ret_args)
{
	const char *p = x->c->payload != NULL ? x->c->payload : "";
	struct json_object *o;
	int r;

	if (rt->update) {
		r = upd_parse(p, strlen(p), &x->u);
		return r == -ENOMEM ? r : r < 0 ? -EINVAL : 0;
	}
	o = json_tokener_parse(p);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EINVAL;
	}
	*ret_args = o;
	return 0;
}

int
wf_execute(struct wf_env *env, const struct queue_cmd *c)
{
	struct wf_ctx x = {.env = env, .q = env->q, .c = c};
	struct json_object *args = NULL;
	const struct route *rt;
	int r;

	rt = find_route(c->type);
	if (rt == NULL)
		return -ENOTSUP; /* a type this executor does not know */
	r = parse_payload(&x, rt, &args);
	if (r < 0)
		goto out;
	x.args = args;
	x.now = queue_now(x.q);
	if (rt->prepare != NULL) {
		r = rt->prepare(&x);
		if (r < 0)
			goto out;
	}
	if (rt->external) {
		r = rt->run(&x);
		goto out;
	}
	r = queue_begin(x.q);
	if (r < 0)
		goto out;
	x.now = queue_now(x.q);
	r = rt->run(&x);
	if (r > 0)
		r = -EPROTO; /* a handler broke its contract: never leave the
				transaction open */
	if (r == 0)
		r = wf_finish(&x);
	if (r < 0)
		queue_rollback(x.q);
out:
	json_object_put(x.result);
	json_object_put(args);
	upd_free(x.u);
	wf_pre_free(&x.pre);
	return r;
}

int
wf_finish(struct wf_ctx *x)
{
	const char *result = x->result == NULL
	    ? NULL
	    : json_object_to_json_string_ext(x->result, JSON_C_TO_STRING_PLAIN);
	int r;

	/* Inside the transaction: the completion commits with the effects,
	 * or neither does.  -ESTALE: the lease was lost. */
	r = queue_complete(x->q, x->c, result);
	if (r == 0)
		r = queue_commit(x->q);
	return r;
}

int
wf_retryable(int r)
{
	return r == -EBUSY || r == -EAGAIN || r == -ETIMEDOUT || r == -EIO;
}

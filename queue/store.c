/* store.h's front: argument checks, then the back end's store_ops. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "queue/queue_int.h"
#include "queue/store.h"

#define OPS(q) ((q)->be->store)

int
store_user_touch(struct queue *q, int64_t id, int64_t chat_id,
    const char *display_name, const char *default_tz)
{
	if (id == 0)
		return queue_set_error(q, -EINVAL, "user id 0");
	return OPS(q)->user_touch(q, id, chat_id, display_name, default_tz);
}

int
store_user_get(struct queue *q, int64_t id, struct store_user *ret)
{
	return OPS(q)->user_get(q, id, ret);
}

int
store_user_set_timezone(struct queue *q, int64_t id, const char *tz)
{
	if (tz == NULL || tz[0] == '\0' || strlen(tz) >= STORE_TZ_MAX)
		return queue_set_error(q, -EINVAL, "bad time zone name");
	return OPS(q)->user_set_timezone(q, id, tz);
}

int
store_user_set_status(struct queue *q, int64_t id, const char *status)
{
	return OPS(q)->user_set_status(q, id, status);
}

int
store_draft_create(struct queue *q, const struct store_draft *d,
    int64_t *ret_id, bool *ret_dup)
{
	int64_t id = 0;
	bool dup = false;
	int r;

	if (d->draft != NULL &&
	    !queue_is_json_object(d->draft, strlen(d->draft)))
		return queue_set_error(q, -EINVAL,
		    "the draft is not a JSON object");
	r = OPS(q)->draft_create(q, d, &id, &dup);
	if (r == 0 && ret_id != NULL)
		*ret_id = id;
	if (r == 0 && ret_dup != NULL)
		*ret_dup = dup;
	return r;
}

int
store_draft_get(struct queue *q, int64_t id, struct store_draft **ret)
{
	return OPS(q)->draft_get(q, id, ret);
}

int
store_draft_latest(struct queue *q, int64_t owner_id, const char *status,
    bool editing_only, struct store_draft **ret)
{
	return OPS(q)->draft_latest(q, owner_id, status, editing_only, ret);
}

int
store_draft_by_message(struct queue *q, int64_t chat_id, int64_t message_id,
    struct store_draft **ret)
{
	return OPS(q)->draft_by_message(q, chat_id, message_id, ret);
}

int
store_draft_update(struct queue *q, struct store_draft *d)
{
	if (d->draft != NULL &&
	    !queue_is_json_object(d->draft, strlen(d->draft)))
		return queue_set_error(q, -EINVAL,
		    "the draft is not a JSON object");
	return OPS(q)->draft_update(q, d);
}

int
store_draft_set_message(struct queue *q, int64_t id, int64_t message_id)
{
	return OPS(q)->draft_set_message(q, id, message_id);
}

int
store_draft_due(struct queue *q, int64_t now_ms, int limit,
    int (*fn)(const struct store_draft *d, void *arg), void *arg)
{
	return OPS(q)->draft_due(q, now_ms, limit, fn, arg);
}

void
store_draft_free(struct store_draft *d)
{
	if (d == NULL)
		return;
	free(d->draft);
	free(d);
}

int
store_task_add(struct queue *q, const struct store_task *t, int64_t *ret_id)
{
	if (t->title == NULL || t->title[0] == '\0')
		return queue_set_error(q, -EINVAL, "a task needs a title");
	return OPS(q)->task_add(q, t, ret_id);
}

int
store_task_get(struct queue *q, int64_t id, struct store_task **ret)
{
	return OPS(q)->task_get(q, id, ret);
}

int
store_task_list(struct queue *q, int64_t owner_id, const char *status,
    int limit, int (*fn)(const struct store_task *t, void *arg), void *arg)
{
	return OPS(q)->task_list(q, owner_id, status, limit, fn, arg);
}

int
store_task_set_status(struct queue *q, int64_t owner_id, int64_t id,
    const char *status)
{
	return OPS(q)->task_set_status(q, owner_id, id, status);
}

int
store_task_delete_by_draft(struct queue *q, int64_t draft_id, int64_t *ret_n)
{
	return OPS(q)->task_delete_by_draft(q, draft_id, ret_n);
}

void
store_task_free(struct store_task *t)
{
	if (t == NULL)
		return;
	free(t->title);
	free(t->notes);
	free(t);
}

int
store_effect_get(struct queue *q, const char *key, char *state,
    size_t state_len, char *remote_id, size_t remote_len)
{
	return OPS(q)->effect_get(q, key, state, state_len, remote_id,
	    remote_len);
}

int
store_effect_put(struct queue *q, const char *key, int64_t draft_id,
    int64_t command_id, const char *state, const char *target,
    const char *remote_id, const char *error)
{
	return OPS(q)->effect_put(q, key, draft_id, command_id, state, target,
	    remote_id, error);
}

int
outbox_add_ref(struct queue *q, const struct queue_new *n, const char *ref,
    int64_t *ret_id, bool *ret_dup)
{
	bool own = !q->in_txn, dup = false;
	int64_t id = 0;
	int r;

	/* The row and its ref in one transaction: the sender never sees a
	 * message without the ref it needs. */
	if (own) {
		r = queue_begin(q);
		if (r < 0)
			return r;
	}
	r = job_enqueue(q, JOB_OUTBOX, n, &id, &dup);
	if (r == 0 && !dup && ref != NULL)
		r = OPS(q)->outbox_set_ref(q, id, ref);
	if (own)
		r = r == 0 ? queue_commit(q) : (queue_rollback(q), r);
	if (r == 0 && ret_id != NULL)
		*ret_id = id;
	if (r == 0 && ret_dup != NULL)
		*ret_dup = dup;
	return r;
}

int
outbox_ref(struct queue *q, int64_t id, char *ref, size_t len)
{
	return OPS(q)->outbox_ref(q, id, ref, len);
}

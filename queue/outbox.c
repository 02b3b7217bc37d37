/* The outbox: commands' life cycle applied to outgoing Telegram calls. */
#include <errno.h>

#include "queue/outbox.h"
#include "queue/queue_int.h"

int
outbox_add(struct queue *q, const struct queue_new *n, int64_t *ret_id,
    bool *ret_dup)
{
	return job_enqueue(q, JOB_OUTBOX, n, ret_id, ret_dup);
}

int
outbox_claim(struct queue *q, const char *owner, int64_t lease_ms,
    struct queue_cmd **ret)
{
	return job_claim(q, JOB_OUTBOX, owner, lease_ms, NULL, ret);
}

int
outbox_claim_chat(struct queue *q, const char *owner, int64_t lease_ms,
    int64_t chat_id, int64_t user_id, struct queue_cmd **ret)
{
	struct job_filter only = {.chat_id = chat_id, .user_id = user_id};

	if (chat_id == 0)
		return queue_set_error(
		    q, -EINVAL, "a chat id must be non-zero");
	return job_claim(q, JOB_OUTBOX, owner, lease_ms, &only, ret);
}

int
outbox_sent(struct queue *q, const struct queue_cmd *m, const char *result)
{
	return job_complete(q, JOB_OUTBOX, m, result);
}

int
outbox_fail(struct queue *q, const struct queue_cmd *m,
    enum queue_failure kind, int64_t delay_ms, const char *error)
{
	return job_fail(q, JOB_OUTBOX, m, kind, delay_ms, error);
}

int
outbox_defer(struct queue *q, const struct queue_cmd *m, int64_t delay_ms)
{
	int r;

	if (delay_ms < 0)
		return queue_set_error(q, -EINVAL, "a delay must be >= 0");
	r = q->be->defer(q, JOB_OUTBOX, m, queue_now(q) + delay_ms);
	return r;
}

int
outbox_stats(struct queue *q, struct queue_stats *ret)
{
	return q->be->stats(q, JOB_OUTBOX, ret);
}

int
outbox_get(struct queue *q, int64_t id, struct queue_cmd **ret)
{
	return q->be->get(q, JOB_OUTBOX, id, ret);
}

int
outbox_list(struct queue *q, int status, int limit,
    int (*fn)(const struct queue_cmd *m, void *arg), void *arg)
{
	return q->be->list(q, JOB_OUTBOX, status, limit, fn, arg);
}

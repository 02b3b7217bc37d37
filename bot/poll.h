/*
 * poll — receiving updates by getUpdates long polling instead of a webhook.
 *
 * Each batch is enqueued in one transaction (see ingest.h), and only after
 * it committed is the offset advanced past it, so Telegram forgets updates
 * only once they are durable.  A crash at any point re-fetches the batch;
 * the idempotency keys make that harmless.
 */
#ifndef DRAFTBOT_POLL_H
#define DRAFTBOT_POLL_H

#include "bot/tg.h"
#include "queue/queue.h"

#define POLL_TIMEOUT_S 25 /* getUpdates' own long-poll time-out */
#define POLL_BACKOFF_MAX_MS 30000

struct poll_opts {
	int timeout_s; /* 0 = POLL_TIMEOUT_S */
	int limit;     /* updates per call, 1..100; 0 = 100 */
};

/*
 * Poll until SIGINT or SIGTERM.  Takes ownership of t and q.  Retryable
 * failures (network, 429, 5xx, a busy database) are logged and retried
 * after 1 s, doubling to 30 s (429: after Telegram's retry_after).  Blocks
 * SIGINT, SIGTERM and SIGUSR1 in the calling thread.
 *
 * Returns 0 after a clean stop; -EEXIST when Telegram answers 409 because a
 * webhook is set (nothing is logged: the caller tells the operator what to
 * do); another negative errno code for a permanent failure, with
 * *err filled (may be NULL).
 */
int poll_run(struct tg *t, struct queue *q, const struct poll_opts *o,
    struct tg_error *err);

#endif

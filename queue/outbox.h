/*
 * outbox — outgoing Telegram calls, added in the transaction of the state
 * change that caused them (queue_begin … queue_commit) and delivered later by
 * the sender.  A message has the life cycle of a command (struct queue_cmd,
 * type = the Bot API method, completed = sent), with per-chat order, leases,
 * fencing and retries; only the audit actions differ.
 */
#ifndef DRAFTBOT_OUTBOX_H
#define DRAFTBOT_OUTBOX_H

#include "queue/queue.h"

/*
 * Add a message: n->type is the method ("sendMessage"), n->payload its JSON
 * parameters, n->key an idempotency key (e.g. "cmd:<id>:<n>") so a re-run
 * workflow does not send twice.  Like queue_enqueue(), audit
 * "message_queued".
 */
int outbox_add(struct queue *q, const struct queue_new *n, int64_t *ret_id,
    bool *ret_dup);

/* Like queue_claim() for the outbox (no audit row for the claim). */
int outbox_claim(struct queue *q, const char *owner, int64_t lease_ms,
    struct queue_cmd **ret);

/*
 * Like outbox_claim(), but only a message for one chat: one to chat_id, or
 * one tied to no chat (chat_id 0) whose user_id is user_id — the answer to
 * a button press (see bot/ingest.h); user_id 0 takes none of those.  Other
 * chats' messages are left to the sender.  `draftbot chat` delivers its
 * own chat's messages with it.  -EINVAL when chat_id is 0.
 */
int outbox_claim_chat(struct queue *q, const char *owner, int64_t lease_ms,
    int64_t chat_id, int64_t user_id, struct queue_cmd **ret);

/* Telegram accepted m: completed, result (Telegram's JSON) kept, audit
 * "message_sent".  Fenced like queue_complete(). */
int outbox_sent(struct queue *q, const struct queue_cmd *m,
    const char *result);

/* Like queue_fail(): audit "message_retry" or "message_dead". */
int outbox_fail(struct queue *q, const struct queue_cmd *m,
    enum queue_failure kind, int64_t delay_ms, const char *error);

/*
 * Put claimed message m back, to be sent delay_ms from now, without
 * counting the attempt and without an audit row: the sender's rate limit
 * said "not yet".  It waits as failed (a retry is scheduled) so that the
 * chat's later messages wait behind it (per-chat order).  Fenced like outbox_sent(): -ESTALE when the lease was lost.
 */
int outbox_defer(struct queue *q, const struct queue_cmd *m, int64_t delay_ms);

int outbox_stats(struct queue *q, struct queue_stats *ret);

/* Like queue_get()/queue_list() for outbox messages. */
int outbox_get(struct queue *q, int64_t id, struct queue_cmd **ret);
int outbox_list(struct queue *q, int status, int limit,
    int (*fn)(const struct queue_cmd *m, void *arg), void *arg);

#endif

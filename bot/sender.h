/*
 * sender — delivers the outbox to Telegram.
 *
 * One message at a time: claim the oldest due one (per-chat order comes from
 * the queue), wait for Telegram's rate limits (ratelimit.h) by deferring it
 * and taking another chat's message, fill in the message id of a draft's
 * card, call the Bot API, and record the outcome:
 *
 *   accepted        sent (a card's message id stored in the same
 *                   transaction)
 *   429             retry after Telegram's retry_after, and every chat
 *                   pauses that long (flood control is per bot)
 *   5xx, network    retry with backoff
 *   401/404         the token was refused: the message waits, sending
 *                   pauses, the operator is told (it is not the message's
 *                   fault)
 *   403             the user blocked the bot: user inactive, message dead
 *   other 4xx       dead, with Telegram's description
 *
 * Delivery is at-least-once: a message is marked sent right after Telegram
 * accepts it, so a process that dies between the two re-sends it once its
 * lease expires.
 */
#ifndef DRAFTBOT_SENDER_H
#define DRAFTBOT_SENDER_H

#include <signal.h>
#include <stdint.h>

#include "bot/ratelimit.h"
#include "bot/tg.h"
#include "queue/queue.h"

struct sender_opts {
	const char *owner;   /* lease owner, "send:<host>:<pid>" */
	int64_t lease_ms;    /* > the Bot API time-out */
	struct rl_opts rate; /* Telegram's limits */
	/* Monotonic clock for the rate limits; NULL = CLOCK_MONOTONIC. */
	int64_t (*mono_ms)(void *arg);
	void *clock_arg;
};

struct sender;

/*
 * Make a sender on q and t, which stay the caller's and must outlive it.
 * 0 and *ret, or -EINVAL (bad options), -ENOMEM.
 */
int sender_new(struct queue *q, struct tg *t, const struct sender_opts *o,
    struct sender **ret);
void sender_free(struct sender *s); /* NULL is a no-op */

/*
 * Handle one due message: 1 when one was sent, failed or deferred, 0 when
 * nothing is due now (or sending is paused: see sender_pause_ms), or a
 * negative errno code when the queue failed (logged).
 */
int sender_step(struct sender *s);

/* Milliseconds until sending may go on (a 429 or a refused token paused
 * it, or the overall rate is used up); 0 when it may now. */
int64_t sender_pause_ms(struct sender *s);

/*
 * Deliver until *stop becomes non-zero (a signal handler sets it): steps
 * while there is work, waits on the queue's doorbell when nothing is due,
 * sleeps out a pause.  The message in flight is finished before it returns.
 * Returns 0.
 */
int sender_run(struct sender *s, volatile sig_atomic_t *stop);

#endif

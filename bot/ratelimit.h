/*
 * ratelimit — Telegram's sending limits, kept by the outbox sender.
 *
 * Three limits, all on a monotonic millisecond clock the caller passes in:
 *
 *   overall         at most global_per_s calls in any 1 s
 *   a group         at most group_per_min calls in any 60 s (chat id < 0)
 *   a private chat  chat_per_s calls per second, bursts of chat_burst
 *
 * The first two are exact sliding windows over the last N calls: a token
 * bucket that allows a burst of N lets up to 2N through in one window, and
 * Telegram (like the fake in tests/) counts any window.  A private chat is a
 * token bucket (GCRA), because there Telegram tolerates short bursts.
 *
 * A call counts from the moment it ends (rl_note after the call returns)
 * and the next may start only a window after that, so however long a
 * request took on the way, Telegram never sees N+1 arrivals in a window.
 * One rl serves one sender process: several executors sending for one bot
 * would each keep their own and could exceed the limits together.
 */
#ifndef DRAFTBOT_RATELIMIT_H
#define DRAFTBOT_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct rl_opts {
	int global_per_s;  /* calls per second overall, >= 1 */
	int chat_per_s;    /* per private chat, >= 1 */
	int chat_burst;    /* calls a private chat may get at once, >= 1 */
	int group_per_min; /* per group, >= 1 */
};

struct rl;

/* Make a limiter.  0 and *ret, or -EINVAL (a limit < 1), -ENOMEM. */
int rl_new(const struct rl_opts *o, struct rl **ret);
void rl_free(struct rl *rl); /* NULL is a no-op */

/*
 * Milliseconds from now_ms until a call may start: 0 means now.  chat_id 0
 * or per_chat false checks only the overall limit (and a pause); otherwise
 * also the chat's.  Takes nothing: call rl_note() once the call is made.
 */
int64_t rl_wait(struct rl *rl, int64_t chat_id, bool per_chat, int64_t now_ms);

/* A call to chat_id ended at now_ms (whatever Telegram answered). */
void rl_note(struct rl *rl, int64_t chat_id, bool per_chat, int64_t now_ms);

/* Nothing may start before until_ms (Telegram's flood control is per bot:
 * a 429 pauses every chat).  An earlier until_ms than the current pause
 * changes nothing. */
void rl_pause(struct rl *rl, int64_t until_ms);

/* Chats currently tracked (idle ones are forgotten); for tests. */
int rl_chats(const struct rl *rl);

#endif

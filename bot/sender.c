/*
 * sender — the outbox's way to Telegram: claim, rate-limit, resolve a
 * draft's message id, call, record.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/sender.h"
#include "common/log.h"
#include "queue/outbox.h"
#include "queue/store.h"

#define BACKOFF_MAX_MS (10 * 60 * 1000LL)
#define TOKEN_PAUSE_MS 60000 /* after Telegram refused the token */
#define QUEUE_PAUSE_MS 1000  /* after the database failed */
#define MARK_TRIES 3         /* to record a message Telegram accepted */
#define SLEEP_SLICE_MS 1000  /* a stop request is noticed within this */
#define REF_MAX 64

struct sender {
	struct queue *q;
	struct tg *t;
	struct sender_opts o;
	struct rl *rl;
	int64_t paused_until; /* mono ms: a refused token or a failing queue */
};

/* Calls that do not put a message into a chat: no per-chat limit. */
static const char *const chat_exempt[] = {
    "answerCallbackQuery",
    "sendChatAction",
    NULL,
};

/* Calls whose message_id the sender may fill in from the draft. */
static const char *const edits[] = {
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    NULL,
};

static bool
listed(const char *const *list, const char *method)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, method) == 0)
			return true;
	return false;
}

static int64_t
mono_ms(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
now_of(const struct sender *s)
{
	return s->o.mono_ms(s->o.clock_arg);
}

int
sender_new(struct queue *q, struct tg *t, const struct sender_opts *o,
    struct sender **ret)
{
	struct sender *s;
	int r;

	if (q == NULL || t == NULL || o == NULL || o->owner == NULL ||
	    o->owner[0] == '\0' || o->lease_ms <= 0)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->q = q;
	s->t = t;
	s->o = *o;
	if (s->o.mono_ms == NULL)
		s->o.mono_ms = mono_ms;
	r = rl_new(&o->rate, &s->rl);
	if (r < 0) {
		free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void
sender_free(struct sender *s)
{
	if (s == NULL)
		return;
	rl_free(s->rl);
	free(s);
}

int64_t
sender_pause_ms(struct sender *s)
{
	int64_t now = now_of(s), wait = rl_wait(s->rl, 0, false, now);

	if (s->paused_until - now > wait)
		wait = s->paused_until - now;
	return wait;
}

/* 1 s, 4 s, 16 s, … up to 10 min, ± 10 %: sooner than the queue's
 * attempt^4 s, because a chat message that comes minutes late is worse
 * than one more request to Telegram. */
static int64_t
backoff_ms(int attempt)
{
	int64_t ms = 1000;

	for (int i = 1; i < attempt && ms < BACKOFF_MAX_MS; i++)
		ms *= 4;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	return ms - ms / 10 + (int64_t)(random() % (ms / 5 + 1));
}

/* The draft a message refers to ("draft:<id>"), or 0. */
static int64_t
draft_of(struct sender *s, const struct queue_cmd *m)
{
	char ref[REF_MAX];
	int64_t id = 0;

	if (outbox_ref(s->q, m->id, ref, sizeof(ref)) < 0)
		return -1;
	if (sscanf(ref, "draft:%" SCNd64, &id) != 1 || id <= 0)
		return 0;
	return id;
}

/*
 * An edit of a draft's card queued before the card's sendMessage was
 * delivered carries message_id 0.  Per-chat order delivered the card first,
 * so its id is in the draft now.  On 1 *ret is the payload with the id
 * filled in (caller frees); 0 when nothing needs filling; -ENOENT when the
 * card never got an id (its sendMessage died), -EBADMSG for a payload that
 * is not an object, or a queue error.
 */
static int
fill_message_id(
    struct sender *s, const struct queue_cmd *m, int64_t draft_id, char **ret)
{
	struct json_object *p, *v;
	struct store_draft *d = NULL;
	int r;

	p = json_tokener_parse(m->payload);
	if (p == NULL || !json_object_is_type(p, json_type_object)) {
		r = -EBADMSG;
		goto out;
	}
	if (json_object_object_get_ex(p, "message_id", &v) &&
	    json_object_get_int64(v) != 0) {
		r = 0;
		goto out;
	}
	r = store_draft_get(s->q, draft_id, &d);
	if (r < 0)
		goto out;
	if (r == 0 || d->message_id == 0) {
		r = -ENOENT;
		goto out;
	}
	json_object_object_add(
	    p, "message_id", json_object_new_int64(d->message_id));
	*ret =
	    strdup(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
	r = *ret != NULL ? 1 : -ENOMEM;
out:
	store_draft_free(d);
	json_object_put(p);
	return r;
}

/*
 * Telegram accepted m: mark it sent and, for a card, remember its message
 * id, in one transaction.  A lock time-out is tried again: every failure
 * here means the message goes out twice once its lease expires.
 */
static void
mark_sent(struct sender *s, const struct queue_cmd *m, int64_t draft_id,
    struct json_object *res)
{
	const char *text = res != NULL
	    ? json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN)
	    : NULL;
	struct json_object *v;
	int64_t msg_id = 0;
	int r = 0;

	if (draft_id > 0 && strcmp(m->type, "sendMessage") == 0 &&
	    json_object_is_type(res, json_type_object) &&
	    json_object_object_get_ex(res, "message_id", &v))
		msg_id = json_object_get_int64(v);
	for (int i = 0; i < MARK_TRIES; i++) {
		r = queue_begin(s->q);
		if (r == 0)
			r = outbox_sent(s->q, m, text);
		if (r == 0 && msg_id > 0)
			r = store_draft_set_message(s->q, draft_id, msg_id);
		if (r == 0)
			r = queue_commit(s->q);
		if (r == 0)
			return;
		queue_rollback(s->q);
		if (r != -EBUSY)
			break;
	}
	if (r == -ESTALE)
		log_warn("outbox %" PRId64 " (%s): sent, but its lease had "
		         "passed to another sender: it may arrive twice",
		    m->id, m->type);
	else
		log_error("outbox %" PRId64 " (%s): sent, but cannot record "
		          "it (%s): it will be sent again",
		    m->id, m->type, queue_errmsg(s->q));
}

/* The user Telegram says blocked the bot (403) becomes inactive and the
 * message dead, together. */
static int
blocked(struct sender *s, const struct queue_cmd *m, const char *why)
{
	int64_t user = m->user_id != 0 ? m->user_id
	    : m->chat_id > 0           ? m->chat_id
	                               : 0;
	int r;

	r = queue_begin(s->q);
	if (r < 0)
		return outbox_fail(s->q, m, QUEUE_PERMANENT, 0, why);
	if (user != 0) {
		r = store_user_set_status(s->q, user, "inactive");
		if (r == -ENOENT)
			r = 0; /* not a user we know: nothing to mark */
	}
	if (r == 0)
		r = outbox_fail(s->q, m, QUEUE_PERMANENT, 0, why);
	if (r == 0)
		r = queue_commit(s->q);
	if (r < 0)
		queue_rollback(s->q);
	else
		log_info("chat %" PRId64 " (user %" PRId64 "): %s; the user "
		         "is inactive now",
		    m->chat_id, user, why);
	return r;
}

/*
 * Telegram said 401/404.  For a known method that means the token was
 * revoked or mistyped, which is not the message's fault: it waits and
 * sending pauses, once told.  getMe tells the two apart: if it works, the
 * method is what Telegram does not know, and the message is dead.
 */
static int
not_found(struct sender *s, const struct queue_cmd *m, const char *why)
{
	struct tg_error err;
	int r;

	r = tg_call(s->t, "getMe", NULL, 0, NULL, &err);
	if (r == 0) {
		log_warn("outbox %" PRId64 ": Telegram does not know the "
		         "method %s",
		    m->id, m->type);
		return outbox_fail(s->q, m, QUEUE_PERMANENT, 0, why);
	}
	log_error("Telegram refused the bot token (%s): check "
	          "DRAFTBOT_TELEGRAM_TOKEN; sending pauses for %d s",
	    err.description, TOKEN_PAUSE_MS / 1000);
	s->paused_until = now_of(s) + TOKEN_PAUSE_MS;
	return outbox_defer(s->q, m, TOKEN_PAUSE_MS);
}

/* Call Telegram for claimed message m and record what happened. */
static int
deliver(struct sender *s, const struct queue_cmd *m, bool per_chat)
{
	struct json_object *res = NULL;
	struct tg_error err = {0};
	char why[QUEUE_ERROR_MAX], *payload = NULL;
	int64_t draft_id, delay;
	int r;

	draft_id = draft_of(s, m);
	if (draft_id < 0)
		return outbox_defer(s->q, m, QUEUE_PAUSE_MS);
	if (draft_id > 0 && listed(edits, m->type)) {
		r = fill_message_id(s, m, draft_id, &payload);
		if (r == -ENOENT || r == -EBADMSG)
			return outbox_fail(s->q, m, QUEUE_PERMANENT, 0,
			    r == -ENOENT ? "the draft's card was never "
			                   "delivered: no message to edit"
			                 : "the payload is not a JSON object");
		if (r < 0)
			return outbox_defer(s->q, m, QUEUE_PAUSE_MS);
	}
	/* At-least-once: should this process die after Telegram accepted
	 * the call and before mark_sent() commits, the lease runs out and
	 * the message is claimed and sent again.  The Bot API takes no
	 * idempotency key, so nothing closer to exactly-once is possible. */
	r = tg_call(s->t, m->type, payload != NULL ? payload : m->payload, 0,
	    &res, &err);
	rl_note(s->rl, m->chat_id, per_chat, now_of(s));
	free(payload);
	if (r == 0) {
		mark_sent(s, m, draft_id, res);
		json_object_put(res);
		log_debug("outbox %" PRId64 ": %s to chat %" PRId64 " sent",
		    m->id, m->type, m->chat_id);
		return 0;
	}
	if (err.http_status != 0)
		snprintf(why, sizeof(why), "%s: HTTP %d: %s", m->type,
		    err.http_status, err.description);
	else
		snprintf(why, sizeof(why), "%s: %s", m->type, err.description);
	if (r == -EAGAIN) {
		delay = (err.retry_after > 0 ? err.retry_after : 1) * 1000LL;
		rl_pause(s->rl, now_of(s) + delay);
		log_warn("Telegram asks to slow down (%s); sending pauses for "
		         "%" PRId64 " ms",
		    why, delay);
		return outbox_fail(s->q, m, QUEUE_RETRY, delay, why);
	}
	if (tg_retryable(r) || r == -ENOMEM) {
		log_warn("outbox %" PRId64 " to chat %" PRId64
		         ": %s; will retry",
		    m->id, m->chat_id, why);
		return outbox_fail(
		    s->q, m, QUEUE_RETRY, backoff_ms(m->attempts), why);
	}
	if (r == -EPERM)
		return blocked(s, m, why);
	if (r == -ENOENT)
		return not_found(s, m, why);
	/* Telegram's own description says what was wrong; logged once,
	 * here, and kept as the dead message's error. */
	log_warn("outbox %" PRId64 " to chat %" PRId64 " refused: %s", m->id,
	    m->chat_id, why);
	return outbox_fail(s->q, m, QUEUE_PERMANENT, 0, why);
}

int
sender_step(struct sender *s)
{
	struct queue_cmd *m = NULL;
	int64_t wait;
	bool per_chat;
	int r;

	if (sender_pause_ms(s) > 0)
		return 0;
	r = outbox_claim(s->q, s->o.owner, s->o.lease_ms, &m);
	if (r < 0) {
		log_error(
		    "outbox: cannot claim a message: %s", queue_errmsg(s->q));
		s->paused_until = now_of(s) + QUEUE_PAUSE_MS;
		return r;
	}
	if (r == 0)
		return 0;
	per_chat = !listed(chat_exempt, m->type);
	wait = rl_wait(s->rl, m->chat_id, per_chat, now_of(s));
	if (wait > 0)
		/* Not yet for this chat: it waits without using an attempt,
		 * holding its chat's order, while other chats go on. */
		r = outbox_defer(s->q, m, wait);
	else
		r = deliver(s, m, per_chat);
	if (r == -ESTALE)
		log_warn("outbox %" PRId64 ": the lease passed to another "
		         "sender",
		    m->id);
	else if (r < 0)
		log_error("outbox %" PRId64 ": cannot record the outcome: %s",
		    m->id, queue_errmsg(s->q));
	queue_cmd_free(m);
	return 1;
}

/* Sleep ms, or less when a signal comes (no SA_RESTART). */
static void
nap(int64_t ms)
{
	struct timespec ts = {
	    .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

int
sender_run(struct sender *s, volatile sig_atomic_t *stop)
{
	int64_t pause;

	while (!*stop) {
		if (sender_step(s) == 1)
			continue;
		pause = sender_pause_ms(s);
		if (pause > 0)
			/* A signal ends the sleep early (no SA_RESTART). */
			nap(pause < SLEEP_SLICE_MS ? pause : SLEEP_SLICE_MS);
		else if (!*stop && queue_wait(s->q, -1) < 0 && !*stop)
			/* No doorbell (its folder refused, say): the fallback
			 * poll, instead of spinning. */
			nap(SLEEP_SLICE_MS);
	}
	return 0;
}

/*
 * ratelimit — sliding windows for the overall and group limits, GCRA for
 * private chats, and a small open-addressing table of the chats seen in the
 * last minute.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bot/ratelimit.h"

#define SECOND_MS 1000
#define MINUTE_MS 60000
/* Times are whole milliseconds: a call that ended at c (ms, rounded down)
 * ended before c+1, and one that starts at s (rounded down) starts at or
 * after s, so s >= c + window + 2 keeps the true gap above the window. */
#define MARGIN_MS 2
#define TABLE_MIN 64

/* At most n calls in any window: the end times of the last n calls. */
struct window {
	int64_t *t; /* ring of n times; t[head] is the oldest once full */
	int n, head, count;
};

struct chat {
	int64_t id;        /* 0: an empty slot (Telegram has no chat 0) */
	int64_t tat;       /* private: GCRA theoretical arrival time */
	int64_t last;      /* the last call's end, to forget idle chats */
	struct window win; /* groups only; t NULL for private chats */
};

struct rl {
	struct rl_opts o;
	struct window global;
	int64_t paused_until;
	struct chat *slots;
	int cap, used; /* cap is a power of two */
};

static int
window_init(struct window *w, int n)
{
	w->t = calloc((size_t)n, sizeof(*w->t));
	if (w->t == NULL)
		return -ENOMEM;
	w->n = n;
	w->head = 0;
	w->count = 0;
	return 0;
}

static int64_t
window_wait(const struct window *w, int64_t span, int64_t now)
{
	int64_t free_at;

	if (w->count < w->n)
		return 0;
	free_at = w->t[w->head] + span + MARGIN_MS;
	return free_at > now ? free_at - now : 0;
}

static void
window_note(struct window *w, int64_t now)
{
	w->t[w->head] = now;
	w->head = (w->head + 1) % w->n;
	if (w->count < w->n)
		w->count++;
}

int
rl_new(const struct rl_opts *o, struct rl **ret)
{
	struct rl *rl;

	if (o == NULL || o->global_per_s < 1 || o->chat_per_s < 1 ||
	    o->chat_burst < 1 || o->group_per_min < 1)
		return -EINVAL;
	rl = calloc(1, sizeof(*rl));
	if (rl == NULL)
		return -ENOMEM;
	rl->o = *o;
	rl->cap = TABLE_MIN;
	rl->slots = calloc((size_t)rl->cap, sizeof(*rl->slots));
	if (rl->slots == NULL || window_init(&rl->global, o->global_per_s)) {
		rl_free(rl);
		return -ENOMEM;
	}
	*ret = rl;
	return 0;
}

void
rl_free(struct rl *rl)
{
	if (rl == NULL)
		return;
	for (int i = 0; rl->slots != NULL && i < rl->cap; i++)
		free(rl->slots[i].win.t);
	free(rl->slots);
	free(rl->global.t);
	free(rl);
}

static size_t
slot_of(int64_t id, int cap)
{
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (size_t)(cap - 1);
}

static struct chat *
lookup(const struct rl *rl, int64_t id)
{
	for (size_t i = slot_of(id, rl->cap);; i = (i + 1) & (rl->cap - 1)) {
		if (rl->slots[i].id == id)
			return &rl->slots[i];
		if (rl->slots[i].id == 0)
			return NULL;
	}
}

/* A chat whose limits no longer hold anything back can be forgotten: its
 * bucket is full again and its window is empty. */
static bool
idle(const struct chat *c, int64_t now)
{
	return c->tat <= now && now - c->last > MINUTE_MS + MARGIN_MS;
}

/*
 * Move every chat that is not idle into a table of cap slots.  On -ENOMEM
 * the old table stays.
 */
static int
rebuild(struct rl *rl, int cap, int64_t now)
{
	struct chat *slots = calloc((size_t)cap, sizeof(*slots));
	int used = 0;

	if (slots == NULL)
		return -ENOMEM;
	for (int i = 0; i < rl->cap; i++) {
		struct chat *c = &rl->slots[i];
		size_t j;

		if (c->id == 0)
			continue;
		if (idle(c, now)) {
			free(c->win.t);
			continue;
		}
		j = slot_of(c->id, cap);
		while (slots[j].id != 0)
			j = (j + 1) & (size_t)(cap - 1);
		slots[j] = *c;
		used++;
	}
	free(rl->slots);
	rl->slots = slots;
	rl->cap = cap;
	rl->used = used;
	return 0;
}

/* The chat's entry, added if new; NULL only when memory ran out. */
static struct chat *
enter(struct rl *rl, int64_t id, int64_t now)
{
	struct chat *c = lookup(rl, id);
	size_t i;

	if (c != NULL)
		return c;
	if ((rl->used + 1) * 4 > rl->cap * 3) {
		/* Forget idle chats first; grow only if most are active
		 * (at most a minute's worth of sends can be). */
		if (rebuild(rl, rl->cap, now) < 0)
			return NULL;
		if ((rl->used + 1) * 2 > rl->cap &&
		    rebuild(rl, rl->cap * 2, now) < 0)
			return NULL;
	}
	i = slot_of(id, rl->cap);
	while (rl->slots[i].id != 0)
		i = (i + 1) & (size_t)(rl->cap - 1);
	c = &rl->slots[i];
	memset(c, 0, sizeof(*c));
	if (id < 0 && window_init(&c->win, rl->o.group_per_min) < 0)
		return NULL;
	c->id = id;
	c->tat = now;
	c->last = now;
	rl->used++;
	return c;
}

/* GCRA: one call every interval, up to burst at once.  The margin goes
 * into the step, so a burst still goes at once and the call after it keeps
 * a whole interval from the first. */
static int64_t
step_ms(const struct rl *rl)
{
	return (SECOND_MS + rl->o.chat_per_s - 1) / rl->o.chat_per_s +
	    MARGIN_MS;
}

static int64_t
chat_wait(const struct rl *rl, const struct chat *c, int64_t now)
{
	int64_t tolerance, allowed_at;

	if (c->id < 0)
		return window_wait(&c->win, MINUTE_MS, now);
	tolerance = (int64_t)(rl->o.chat_burst - 1) * step_ms(rl);
	allowed_at = c->tat - tolerance;
	return allowed_at > now ? allowed_at - now : 0;
}

int64_t
rl_wait(struct rl *rl, int64_t chat_id, bool per_chat, int64_t now_ms)
{
	int64_t wait = window_wait(&rl->global, SECOND_MS, now_ms);
	const struct chat *c;

	if (rl->paused_until > now_ms && rl->paused_until - now_ms > wait)
		wait = rl->paused_until - now_ms;
	if (!per_chat || chat_id == 0)
		return wait;
	c = lookup(rl, chat_id);
	if (c != NULL) {
		int64_t w = chat_wait(rl, c, now_ms);

		if (w > wait)
			wait = w;
	}
	return wait;
}

void
rl_note(struct rl *rl, int64_t chat_id, bool per_chat, int64_t now_ms)
{
	struct chat *c;

	window_note(&rl->global, now_ms);
	if (!per_chat || chat_id == 0)
		return;
	c = enter(rl, chat_id, now_ms);
	if (c == NULL)
		return; /* out of memory: the overall limit still holds */
	c->last = now_ms;
	if (chat_id < 0)
		window_note(&c->win, now_ms);
	else
		c->tat = (c->tat > now_ms ? c->tat : now_ms) + step_ms(rl);
}

void
rl_pause(struct rl *rl, int64_t until_ms)
{
	if (until_ms > rl->paused_until)
		rl->paused_until = until_ms;
}

int
rl_chats(const struct rl *rl)
{
	return rl->used;
}

/* scheduler — maintenance commands by the clock. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/scheduler.h"
#include "common/log.h"
#include "queue/queue.h"

#define MAINT_ATTEMPTS 3

struct sched {
	const struct cfg *cfg;
	int64_t expire_minute; /* wall ms of the last minute enqueued, -1 */
	int64_t prune_at;      /* mono ms of the next prune */
	int64_t retry_at;      /* mono ms: after a failure, not before */
};

int
sched_new(const struct cfg *cfg, int64_t mono_ms, struct sched **ret)
{
	struct sched *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	s->cfg = cfg;
	s->expire_minute = -1;
	s->prune_at = mono_ms + SCHED_PRUNE_EVERY_MS;
	*ret = s;
	return 0;
}

void
sched_free(struct sched *s)
{
	free(s);
}

void
sched_key(const char *task, int64_t wall_ms, char *buf, size_t len)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	char stamp[16];

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp),
	    strcmp(task, "prune") == 0 ? "%Y%m%d" : "%Y%m%d%H%M", &tm);
	snprintf(buf, len, "maint:%s:%s", task, stamp);
}

/* Enqueue the maintenance task at wall_ms (idempotent by its key). */
static int
enqueue(struct queue *q, const char *task, int64_t wall_ms)
{
	char key[64], payload[64];
	struct queue_new n = {
	    .type = "maintenance",
	    .key = key,
	    .payload = payload,
	    .max_attempts = MAINT_ATTEMPTS,
	};
	bool dup = false;
	int r;

	sched_key(task, wall_ms, key, sizeof(key));
	snprintf(payload, sizeof(payload), "{\"task\":\"%s\"}", task);
	r = queue_enqueue(q, &n, NULL, &dup);
	if (r < 0)
		log_warn(
		    "scheduler: cannot enqueue %s: %s", key, queue_errmsg(q));
	else if (!dup)
		log_debug("scheduler: enqueued %s", key);
	return r;
}

int64_t
sched_tick(struct sched *s, int64_t wall_ms, int64_t mono_ms)
{
	int64_t minute = wall_ms - wall_ms % SCHED_EXPIRE_EVERY_MS, next;
	bool expire = minute != s->expire_minute;
	bool prune = mono_ms >= s->prune_at;
	struct queue_opts o = {
	    .busy_timeout_ms = (int)cfg_int(s->cfg, "busy_timeout"),
	    .max_attempts = (int)cfg_int(s->cfg, "max_attempts"),
	    .actor = "scheduler",
	};
	struct queue *q = NULL;
	int r = 0;

	if ((expire || prune) && mono_ms >= s->retry_at) {
		r = queue_open(cfg_str(s->cfg, "db"), &o, &q);
		if (r < 0)
			log_warn("scheduler: cannot open the database: %s",
			    queue_open_error());
		if (r == 0 && expire) {
			r = enqueue(q, "expire", wall_ms);
			if (r == 0)
				s->expire_minute = minute;
		}
		if (r == 0 && prune) {
			r = enqueue(q, "prune", wall_ms);
			if (r == 0)
				s->prune_at += SCHED_PRUNE_EVERY_MS;
		}
		queue_close(q);
		if (r < 0)
			s->retry_at = mono_ms + SCHED_RETRY_MS;
	}
	next = s->expire_minute == minute
	    ? minute + SCHED_EXPIRE_EVERY_MS - wall_ms
	    : 0;
	if (s->prune_at - mono_ms < next)
		next = s->prune_at > mono_ms ? s->prune_at - mono_ms : 0;
	/* What failed waits for its retry time. */
	if (s->retry_at - mono_ms > next)
		next = s->retry_at - mono_ms;
	return next;
}

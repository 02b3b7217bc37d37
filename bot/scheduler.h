/*
 * scheduler — the executor's clock: it enqueues the maintenance commands
 * the workers then run like any other.
 *
 *   every minute   {"task":"expire"}  key maint:expire:<UTC yyyymmddHHMM>
 *   every 24 h     {"task":"prune"}   key maint:prune:<UTC yyyymmdd>
 *                  (the first a day after start)
 *
 * The keys make it idempotent: several executors on one database enqueue
 * each run once.  The scheduler opens the database only for the moment it
 * writes, so the process it lives in (the executor's parent) holds no
 * connection across fork().
 */
#ifndef DRAFTBOT_SCHEDULER_H
#define DRAFTBOT_SCHEDULER_H

#include <stdint.h>

#include "common/cfg.h"

#define SCHED_EXPIRE_EVERY_MS 60000
#define SCHED_PRUNE_EVERY_MS (24 * 3600 * 1000LL)
#define SCHED_RETRY_MS 5000 /* after the database failed */

struct sched;

/* A scheduler for the database in cfg (borrowed; must outlive it), started
 * at monotonic time mono_ms.  0 and *ret, or -ENOMEM. */
int sched_new(const struct cfg *cfg, int64_t mono_ms, struct sched **ret);
void sched_free(struct sched *s); /* NULL is a no-op */

/*
 * Enqueue what is due at wall-clock time wall_ms (UTC, for the keys) and
 * monotonic time mono_ms (for the 24 h).  Returns the milliseconds until
 * something is due again.  A failure is logged and tried again after
 * SCHED_RETRY_MS.
 */
int64_t sched_tick(struct sched *s, int64_t wall_ms, int64_t mono_ms);

/* The key of the run of task at wall_ms into buf (>= 32 bytes). */
void sched_key(const char *task, int64_t wall_ms, char *buf, size_t len);

#endif

/*
 * executor — `draftbot execute [--workers N]`: N worker processes that run
 * commands through the workflows, one outbox sender process (sender.h), and
 * the scheduler (scheduler.h) in the parent, which also restarts a crashed
 * child (procs.h) and stops them all on SIGINT/SIGTERM.
 *
 * A worker claims a command (lease from the settings; per-chat order from
 * the queue), runs wf_execute(), and on failure:
 *
 *   -ESTALE        its lease was lost: nothing more to do
 *   retryable      retried with the queue's back-off
 *   permanent, or  dead, and in the same transaction the chat gets "Sorry —
 *   out of tries   I couldn't process that message (<reason>). Nothing was
 *                  changed." (outbox key cmd:<id>:failed)
 *
 * Maintenance tasks about the queue itself ("prune") are run here, the rest
 * by the workflows.  Idle workers sleep on the queue's doorbell.
 */
#ifndef DRAFTBOT_EXECUTOR_H
#define DRAFTBOT_EXECUTOR_H

#include <stddef.h>
#include <stdint.h>

#include "bot/cli.h"
#include "workflows/workflow.h"

/*
 * Claim one runnable command on env->q as owner and run it to its end
 * (completed, retry scheduled, dead or lost).  Returns 1 when a command
 * was handled, 0 when none is runnable now, or a negative errno code when
 * the queue failed (logged).
 */
int exec_one(struct wf_env *env, const char *owner, int64_t lease_ms);

/* A lease owner "<role>:<host>:<pid>" into buf (QUEUE_OWNER_MAX bytes). */
void exec_owner(const char *role, char *buf, size_t len);

/* The subcommand `draftbot execute`. */
int cli_execute(struct cli *cli, int argc, char **argv);

#endif

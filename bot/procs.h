/*
 * procs — a parent that keeps child processes running: the executor over
 * its workers and sender, `draftbot run` over the receiver and the executor.
 *
 * A child that exits or crashes is started again after a back-off of 1 s,
 * doubling to 30 s, back to 1 s once a child stayed up for 60 s.  A child
 * that exits with EXIT_USAGE (2: a usage or configuration error, or a
 * command not built) is not: that will not fix itself, so everything
 * stops.  SIGINT or SIGTERM stops the children: SIGTERM to each, up to a
 * grace period to exit, then SIGKILL.  Every child gets SIGTERM when its
 * parent dies, so a killed supervisor leaves nothing running.
 */
#ifndef DRAFTBOT_PROCS_H
#define DRAFTBOT_PROCS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROCS_BACKOFF_MIN_MS 1000
#define PROCS_BACKOFF_MAX_MS 30000
#define PROCS_STABLE_MS 60000 /* up this long: the back-off starts over */
#define PROCS_GRACE_MS 10000

struct proc {
	const char *name; /* "worker 1", "sender", "receiver" */
	/* Runs in the child after fork(), with default signal handling and
	 * nothing blocked; its return value is the exit status.  It must
	 * open its own database and network handles. */
	int (*main)(void *arg);
	void *arg;
	/* Kept by procs_run(): */
	pid_t pid;             /* 0 while not running */
	int64_t started_ms;    /* monotonic */
	int64_t restart_at_ms; /* while not running: when to start it */
	int64_t backoff_ms;    /* the wait before the next restart */
};

struct procs_opts {
	int grace_ms; /* SIGTERM to SIGKILL; 0 = PROCS_GRACE_MS */
	/* Called on every turn of the loop, in the parent; returns the
	 * milliseconds until it wants to run again (< 0: no wish).  NULL =
	 * none. */
	int64_t (*tick)(void *arg);
	void *tick_arg;
};

/*
 * Start p[0..n) and supervise them until SIGINT or SIGTERM, then stop
 * them all and reap them.  Blocks SIGINT, SIGTERM and SIGCHLD in the
 * caller for the duration (restored on return).  Returns 0 after a clean
 * stop, 1 when a child exited with EXIT_USAGE (everything was stopped), or
 * a negative errno code when the signals could not be set up.
 */
int procs_run(struct proc *p, size_t n, const struct procs_opts *o);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t procs_now_ms(void);

#endif

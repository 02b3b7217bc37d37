/*
 * procs — fork, watch, restart with back-off, stop.  The parent waits in
 * sigtimedwait() with SIGINT, SIGTERM and SIGCHLD blocked, so no signal is
 * lost between a check and a wait, and no handler runs in the parent.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bot/cli.h"
#include "bot/procs.h"
#include "common/log.h"

int64_t
procs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: undo what the parent set up, then run. */
static void __attribute__((noreturn)) child(struct proc *p, pid_t parent)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;
	int code;

	/* If the supervisor dies, its children stop too. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1); /* it died before prctl() */
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGCHLD, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	code = p->main(p->arg);
	/* exit(), not _exit(): the child's own handles are closed by now,
	 * stdio was flushed before fork(), and leak checkers run at exit. */
	exit(code);
}

static void
spawn(struct proc *p, int64_t now)
{
	pid_t parent = getpid(), pid;

	fflush(NULL); /* nothing buffered may be written twice */
	pid = fork();
	if (pid == 0)
		child(p, parent);
	if (pid < 0) {
		log_error("cannot start the %s: %s; trying again in %lld s",
		    p->name, strerror(errno), (long long)p->backoff_ms / 1000);
		p->restart_at_ms = now + p->backoff_ms;
		return;
	}
	p->pid = pid;
	p->started_ms = now;
	log_debug("started the %s (pid %d)", p->name, (int)pid);
}

static struct proc *
find(struct proc *p, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].pid == pid)
			return &p[i];
	return NULL;
}

static void
describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(
		    buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "stopped (status %#x)", status);
}

/*
 * Reap every child that ended.  While running, schedule each one's restart
 * and return 1 if one exited with EXIT_USAGE; while stopping, only count.
 */
static int
reap(struct proc *p, size_t n, bool stopping, size_t *running)
{
	int64_t now = procs_now_ms();
	char how[96];
	int status, fatal = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct proc *c = find(p, n, pid);

		if (c == NULL)
			continue; /* a grandchild reparented to us */
		c->pid = 0;
		(*running)--;
		if (stopping)
			continue;
		describe(status, how, sizeof(how));
		if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_USAGE) {
			log_error("the %s %s (a usage or configuration "
			          "error): stopping",
			    c->name, how);
			fatal = 1;
			continue;
		}
		if (now - c->started_ms >= PROCS_STABLE_MS)
			c->backoff_ms = PROCS_BACKOFF_MIN_MS;
		c->restart_at_ms = now + c->backoff_ms;
		log_warn("the %s (pid %d) %s; restarting it in %lld s", c->name,
		    (int)pid, how, (long long)c->backoff_ms / 1000);
		c->backoff_ms *= 2;
		if (c->backoff_ms > PROCS_BACKOFF_MAX_MS)
			c->backoff_ms = PROCS_BACKOFF_MAX_MS;
	}
	return fatal;
}

static struct timespec
ts_of(int64_t ms)
{
	struct timespec ts = {
	    .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	return ts;
}

/* SIGTERM every child, wait up to grace_ms, SIGKILL the rest. */
static void
stop_all(struct proc *p, size_t n, size_t running, int grace_ms)
{
	int64_t deadline = procs_now_ms() + grace_ms;
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (size_t i = 0; i < n; i++)
		if (p[i].pid > 0)
			kill(p[i].pid, SIGTERM);
	while (running > 0) {
		int64_t left = deadline - procs_now_ms();
		struct timespec ts = ts_of(left > 0 ? left : 0);

		reap(p, n, true, &running);
		if (running == 0 || left <= 0)
			break;
		sigtimedwait(&chld, NULL, &ts);
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i].pid <= 0)
			continue;
		log_warn("the %s (pid %d) did not stop within %d s: killing "
		         "it",
		    p[i].name, (int)p[i].pid, grace_ms / 1000);
		kill(p[i].pid, SIGKILL);
		waitpid(p[i].pid, NULL, 0);
		p[i].pid = 0;
	}
}

int
procs_run(struct proc *p, size_t n, const struct procs_opts *o)
{
	int grace = o != NULL && o->grace_ms > 0 ? o->grace_ms : PROCS_GRACE_MS;
	sigset_t set, oldmask;
	size_t running = 0;
	int code = 0, sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &oldmask) < 0)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		p[i].pid = 0;
		p[i].restart_at_ms = 0;
		p[i].backoff_ms = PROCS_BACKOFF_MIN_MS;
	}
	for (;;) {
		int64_t now = procs_now_ms(), wait = -1;
		struct timespec ts;

		for (size_t i = 0; i < n; i++) {
			if (p[i].pid != 0)
				continue;
			if (p[i].restart_at_ms <= now) {
				spawn(&p[i], now);
				if (p[i].pid > 0)
					running++;
			}
			if (p[i].pid == 0 &&
			    (wait < 0 || p[i].restart_at_ms - now < wait))
				wait = p[i].restart_at_ms - now;
		}
		if (o != NULL && o->tick != NULL) {
			int64_t t = o->tick(o->tick_arg);

			if (t >= 0 && (wait < 0 || t < wait))
				wait = t;
		}
		if (wait < 0) {
			sig = sigwaitinfo(&set, NULL);
		} else {
			ts = ts_of(wait);
			sig = sigtimedwait(&set, NULL, &ts);
		}
		if (sig == SIGCHLD) {
			if (reap(p, n, false, &running)) {
				code = 1;
				break;
			}
		} else if (sig == SIGINT || sig == SIGTERM) {
			log_info("%s: stopping", strsignal(sig));
			break;
		}
		/* else: time-out (EAGAIN) or EINTR: go round */
	}
	stop_all(p, n, running, grace);
	/* A second SIGINT or SIGTERM that came while stopping must not kill
	 * the process once unblocked: it is stopping already. */
	{
		struct timespec zero = {0, 0};

		while (sigtimedwait(&set, NULL, &zero) > 0)
			;
	}
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return code;
}

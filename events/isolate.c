/*
 * isolate — extraction of a fetched page in a child process.
 *
 * gumbo 0.10 (Debian's) has assertions that abort() on some crafted
 * markup, and is quadratic on some shapes the guard may not foresee.  A
 * page someone sent must never take a bot worker down with it, so the
 * worker forks, the child extracts under CPU and memory limits and writes
 * the finished list (a plain struct, same binary) into a pipe, and the
 * parent waits at most timeout_ms.  A child that dies, overruns or writes
 * a short list is -EIO, like any page that cannot be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "events/event.h"

#define CHILD_MEMORY (1024L << 20) /* address space of the child */

#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(__SANITIZE_ADDRESS__)
#define __SANITIZE_ADDRESS__ 1 /* clang's spelling of gcc's macro */
#endif
#endif

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child: extract, write the list, exit.  Never returns. */
static void
child(int fd, const char *buf, size_t len, bool ics, const struct ev_opts *o,
    int timeout_ms)
{
	struct rlimit cpu = {.rlim_cur = (rlim_t)(timeout_ms / 1000 + 1),
	    .rlim_max = (rlim_t)(timeout_ms / 1000 + 2)};
	struct rlimit mem = {CHILD_MEMORY, CHILD_MEMORY};
	struct ev_list *l = NULL;
	const char *p;
	size_t left;
	ssize_t n;
	int r;

	setrlimit(RLIMIT_CPU, &cpu);
#ifndef __SANITIZE_ADDRESS__
	/* (AddressSanitizer reserves terabytes of address space up front:
	 * under it only the CPU and time limits apply.) */
	setrlimit(RLIMIT_AS, &mem);
#else
	(void)mem;
#endif
	r = ics ? ev_extract_ics(buf, len, o, &l) : ev_extract_html(buf, len, o, &l);
	if (r == -EBADMSG && ics) /* labelled a calendar, but is not one */
		r = ev_extract_html(buf, len, o, &l);
	if (r < 0)
		_exit(-r < 126 ? -r : 125);
	for (p = (const char *)l, left = sizeof(*l); left > 0;
	     p += n, left -= (size_t)n) {
		n = write(fd, p, left);
		if (n <= 0 && errno != EINTR)
			_exit(EIO);
		if (n < 0)
			n = 0;
	}
	_exit(0);
}

int
ev_extract_isolated(const char *buf, size_t len, bool ics,
    const struct ev_opts *o, int timeout_ms, struct ev_list **ret)
{
	struct ev_list *l;
	struct pollfd pfd;
	int64_t deadline;
	size_t got = 0;
	ssize_t n;
	pid_t pid;
	int fds[2], status = 0, r = 0;

	if (buf == NULL || ret == NULL || timeout_ms <= 0)
		return -EINVAL;
	if (len > EV_HTML_MAX)
		return -EFBIG;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		free(l);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		free(l);
		return r;
	}
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], buf, len, ics, o, timeout_ms);
	}
	close(fds[1]);
	deadline = mono_ms() + timeout_ms;
	pfd = (struct pollfd){.fd = fds[0], .events = POLLIN};
	while (got < sizeof(*l)) {
		int64_t wait = deadline - mono_ms();

		if (wait <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		n = poll(&pfd, 1, (int)wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n == 0 ? -ETIMEDOUT : -errno;
			break;
		}
		n = read(fds[0], (char *)l + got, sizeof(*l) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the child ended: see its status */
		got += (size_t)n;
	}
	close(fds[0]);
	if (r < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && got < sizeof(*l))
		r = WIFEXITED(status) && WEXITSTATUS(status) != 0
		    ? -WEXITSTATUS(status) /* the extractor's own error */
		    : -EIO;                /* killed: abort(), limits */
	if (r < 0) {
		free(l);
		return r;
	}
	*ret = l;
	return 0;
}

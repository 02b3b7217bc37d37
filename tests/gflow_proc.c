/*
 * gflow_proc — the processes and the relay of gflow_fixture.h: the
 * environment draftbot processes get, running and spawning them, the
 * executor and the receiver, waiting on conditions, and the TCP relay
 * that tells when a request has reached the fake Google.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/gflow_fixture.h"

/* ---- processes ---- */

void
gfx_env_free(struct gfx *w)
{
	for (size_t i = 0; w->envv[i] != NULL; i++) {
		free(w->envv[i]);
		w->envv[i] = NULL;
	}
}

static void
env_add(struct gfx *w, size_t *n, const char *name, const char *value)
{
	ck_assert_uint_lt(*n + 1, sizeof(w->envv) / sizeof(*w->envv));
	ck_assert_int_ge(asprintf(&w->envv[*n], "%s=%s", name, value), 0);
	(*n)++;
}

const char *const *
gfx_env(struct gfx *w)
{
	size_t n = 0;

	gfx_env_free(w);
	env_add(w, &n, "DRAFTBOT_DB", w->x.f.db);
	env_add(w, &n, "DRAFTBOT_TZ", "UTC");
	env_add(w, &n, "DRAFTBOT_LOG_LEVEL", "info");
	env_add(w, &n, "DRAFTBOT_LEASE", "3s");
	env_add(w, &n, "DRAFTBOT_SECRET_KEY_FILE", w->key);
	env_add(w, &n, "DRAFTBOT_PUBLIC_URL", w->public_url);
	env_add(w, &n, "DRAFTBOT_WEBHOOK_SECRET", GFX_WEBHOOK_SECRET);
	env_add(w, &n, "DRAFTBOT_GOOGLE_CLIENT_ID", FAKE_GOOGLE_CLIENT_ID);
	env_add(
	    w, &n, "DRAFTBOT_GOOGLE_CLIENT_SECRET", FAKE_GOOGLE_CLIENT_SECRET);
	env_add(w, &n, "DRAFTBOT_GOOGLE_AUTH_URL", fake_google_auth_url(w->g));
	env_add(
	    w, &n, "DRAFTBOT_GOOGLE_TOKEN_URL", fake_google_token_url(w->g));
	env_add(
	    w, &n, "DRAFTBOT_GOOGLE_REVOKE_URL", fake_google_revoke_url(w->g));
	env_add(w, &n, "DRAFTBOT_GOOGLE_TASKS_URL", w->tasks_url);
	env_add(w, &n, "DRAFTBOT_GOOGLE_CALENDAR_URL", w->calendar_url);
	env_add(w, &n, "DRAFTBOT_GOOGLE_TIMEOUT", "20s");
	env_add(w, &n, "DRAFTBOT_TELEGRAM_TOKEN", GFX_TG_TOKEN);
	env_add(w, &n, "DRAFTBOT_TELEGRAM_TIMEOUT", "2s");
	if (w->tg != NULL)
		env_add(
		    w, &n, "DRAFTBOT_TELEGRAM_API", fake_tg_base_url(w->tg));
	w->envv[n] = NULL;
	return (const char *const *)w->envv;
}

int
gfx_run(struct gfx *w, const char *const *argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	int st = tu_run(argv, gfx_env(w), out, outlen, err, errlen);

	ck_assert_msg(err == NULL ||
	        (strstr(err, "Sanitizer") == NULL &&
	            strstr(err, "runtime error:") == NULL),
	    "a sanitizer reported an error: %s", err);
	return st;
}

pid_t
gfx_spawn(struct gfx *w, const char *const *argv, const char *log)
{
	const char *bin = getenv("DRAFTBOT_BIN");
	const char *const *env = gfx_env(w);
	const char *args[16];
	pid_t test = getpid(), pid;
	int n = 0;

	ck_assert_ptr_nonnull(bin);
	args[n++] = bin;
	for (int i = 0; argv[i] != NULL && n < 15; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	close(open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
	fflush(NULL);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(log, O_WRONLY | O_APPEND);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != test)
			_exit(127);
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		for (int i = 0; env[i] != NULL; i++)
			putenv((char *)env[i]);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	setpgid(pid, pid);
	return pid;
}

void
gfx_exec_start(struct gfx *w)
{
	static const char *const argv[] = {"execute", "--workers", "2", NULL};

	ck_assert(w->wall);
	ck_assert_int_eq(w->exec_pid, 0);
	if (w->tg == NULL)
		ck_assert_int_eq(fake_tg_start(GFX_TG_TOKEN, &w->tg), 0);
	if (w->exec_log[0] == '\0')
		tu_path(w->exec_log, sizeof(w->exec_log), w->x.f.dir,
		    "executor.log");
	w->exec_pid = gfx_spawn(w, argv, w->exec_log);
}

int
gfx_exec_stop(struct gfx *w, int sig)
{
	return tu_proc_stop(&w->exec_pid, sig);
}

void
gfx_rx_start(struct gfx *w)
{
	char listen[32], url[96];
	const char *argv[] = {"receive", "--listen", listen, NULL};
	int64_t t0 = tu_mono_ms();
	int port = tu_free_port(), status;

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(w->rx_base, sizeof(w->rx_base), "http://127.0.0.1:%d", port);
	snprintf(w->public_url, sizeof(w->public_url), "%s", w->rx_base);
	gfx_set(w, "public_url", w->public_url);
	tu_path(w->rx_log, sizeof(w->rx_log), w->x.f.dir, "receiver.log");
	w->rx_pid = gfx_spawn(w, argv, w->rx_log);
	snprintf(url, sizeof(url), "%s/healthz", w->rx_base);
	while (gfx_http_get(url, NULL, 0, NULL, 0) != 200) {
		if (waitpid(w->rx_pid, &status, WNOHANG) == w->rx_pid) {
			w->rx_pid = 0;
			tu_show_file(w->rx_log);
			ck_abort_msg("the receiver exited (status %d)", status);
		}
		ck_assert_msg(tu_mono_ms() - t0 < GFX_HANG_MS,
		    "the receiver never answered /healthz");
		tu_sleep_ms(20);
	}
}

void
gfx_wait(struct gfx *w, bool (*pred)(struct gfx *w, void *arg), void *arg,
    const char *what)
{
	int64_t t0 = tu_mono_ms();

	while (!pred(w, arg)) {
		if (tu_mono_ms() - t0 > GFX_HANG_MS) {
			gfx_show_logs(w);
			ck_abort_msg("hang guard: still waiting for %s", what);
		}
		tu_sleep_ms(10);
	}
}

/* ---- relay ---- */

struct relay {
	int lfd;
	uint16_t port, target;
	pthread_t accepter;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	int active;  /* pump threads running */
	uint64_t up; /* bytes from clients */
};

struct pump {
	struct relay *r;
	int cfd;
};

/* Write all of buf to fd: whether it went. */
static bool
write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, buf, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		buf += k;
		n -= (size_t)k;
	}
	return true;
}

static bool
stopping(struct relay *r)
{
	bool s;

	pthread_mutex_lock(&r->lock);
	s = r->stop;
	pthread_mutex_unlock(&r->lock);
	return s;
}

static void *
pump_main(void *arg)
{
	struct pump *p = arg;
	struct relay *r = p->r;
	struct sockaddr_in sa = {.sin_family = AF_INET,
	    .sin_port = htons(r->target),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	char buf[16384];
	int ufd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (ufd >= 0 && connect(ufd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		struct pollfd fds[2] = {{p->cfd, POLLIN, 0}, {ufd, POLLIN, 0}};

		while (!stopping(r)) {
			int n = poll(fds, 2, 100);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			if (fds[0].revents != 0) {
				ssize_t k = recv(p->cfd, buf, sizeof(buf), 0);

				if (k <= 0)
					break;
				pthread_mutex_lock(&r->lock);
				r->up += (uint64_t)k;
				pthread_cond_broadcast(&r->cond);
				pthread_mutex_unlock(&r->lock);
				if (!write_all(ufd, buf, (size_t)k))
					break;
			}
			if (fds[1].revents != 0) {
				ssize_t k = recv(ufd, buf, sizeof(buf), 0);

				if (k <= 0 ||
				    !write_all(p->cfd, buf, (size_t)k))
					break;
			}
		}
	}
	if (ufd >= 0)
		close(ufd);
	close(p->cfd);
	free(p);
	pthread_mutex_lock(&r->lock);
	r->active--;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void *
accept_main(void *arg)
{
	struct relay *r = arg;
	struct pollfd pfd = {r->lfd, POLLIN, 0};
	pthread_t th;

	while (!stopping(r)) {
		struct pump *p;
		int fd;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		p = malloc(sizeof(*p));
		if (p == NULL) {
			close(fd);
			continue;
		}
		*p = (struct pump){r, fd};
		pthread_mutex_lock(&r->lock);
		r->active++;
		pthread_mutex_unlock(&r->lock);
		if (pthread_create(&th, NULL, pump_main, p) != 0) {
			close(fd);
			free(p);
			pthread_mutex_lock(&r->lock);
			r->active--;
			pthread_mutex_unlock(&r->lock);
			continue;
		}
		pthread_detach(th);
	}
	return NULL;
}

struct relay *
relay_start(uint16_t target)
{
	struct relay *r = calloc(1, sizeof(*r));
	struct sockaddr_in sa = {
	    .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);

	ck_assert_ptr_nonnull(r);
	r->target = target;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(r->lfd, 0);
	ck_assert_int_eq(bind(r->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(r->lfd, 16), 0);
	ck_assert_int_eq(getsockname(r->lfd, (struct sockaddr *)&sa, &sl), 0);
	r->port = ntohs(sa.sin_port);
	ck_assert_int_eq(pthread_create(&r->accepter, NULL, accept_main, r), 0);
	return r;
}

void
relay_stop(struct relay *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->accepter, NULL);
	pthread_mutex_lock(&r->lock);
	while (r->active > 0)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
	close(r->lfd);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	free(r);
}

uint16_t
relay_port(const struct relay *r)
{
	return r->port;
}

uint64_t
relay_bytes(struct relay *r)
{
	uint64_t n;

	pthread_mutex_lock(&r->lock);
	n = r->up;
	pthread_mutex_unlock(&r->lock);
	return n;
}

bool
relay_wait_bytes(struct relay *r, uint64_t above, int ms)
{
	int64_t t0 = tu_mono_ms();
	bool got;

	pthread_mutex_lock(&r->lock);
	while (r->up <= above && tu_mono_ms() - t0 < ms) {
		pthread_mutex_unlock(&r->lock);
		tu_sleep_ms(2);
		pthread_mutex_lock(&r->lock);
	}
	got = r->up > above;
	pthread_mutex_unlock(&r->lock);
	return got;
}

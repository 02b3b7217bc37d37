#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/testutil.h"

void
tu_tmpdir(char *dir, size_t len)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	/* meson points TMPDIR into the build tree; make it on first use */
	if (mkdir(base, 0700) < 0 && errno != EEXIST)
		ck_abort_msg("mkdir %s: %s", base, strerror(errno));
	snprintf(dir, len, "%s/draftbot-test-XXXXXX", base);
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
}

void
tu_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	ck_assert(n > 0 && (size_t)n < len);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
tu_rmtree(const char *dir)
{
	if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0)
		return 0;
	return errno != 0 ? -errno : -EIO;
}

int64_t
tu_clock(void *arg)
{
	return *(int64_t *)arg;
}

int64_t
tu_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

struct queue *
tu_open(const char *path, int64_t *clock)
{
	struct queue_opts o = {.actor = "test"};
	struct queue *q = NULL;
	int r;

	if (clock != NULL) {
		o.now_ms = tu_clock;
		o.clock_arg = clock;
	}
	r = queue_open(path, &o, &q);
	ck_assert_msg(
	    r == 0, "queue_open %s: %d %s", path, r, queue_open_error());
	return q;
}

void
tu_fx_open(struct tu_fx *f)
{
	tu_tmpdir(f->dir, sizeof(f->dir));
	tu_path(f->db, sizeof(f->db), f->dir, "queue.db");
	f->now = TU_T0;
	f->q = tu_open(f->db, &f->now);
}

void
tu_fx_close(struct tu_fx *f)
{
	queue_close(f->q);
	f->q = NULL;
	tu_rmtree(f->dir);
}

int64_t
tu_enqueue(struct queue *q, const char *key, int64_t chat)
{
	struct queue_new n = {.type = "message", .key = key, .chat_id = chat};
	int64_t id = 0;
	bool dup = false;
	int r;

	r = queue_enqueue(q, &n, &id, &dup);
	ck_assert_msg(r == 0, "enqueue %s: %d %s", key, r, queue_errmsg(q));
	ck_assert(!dup);
	return id;
}

struct queue_cmd *
tu_claim(struct queue *q, const char *owner, int64_t lease_ms)
{
	struct queue_cmd *c = NULL;
	int r = queue_claim(q, owner, lease_ms, &c);

	ck_assert_msg(r == 1, "claim: %d %s", r, queue_errmsg(q));
	return c;
}

struct queue_cmd *
tu_get(struct queue *q, int64_t id)
{
	struct queue_cmd *c = NULL;

	ck_assert_int_eq(queue_get(q, id, &c), 1);
	return c;
}

static int
count_cb(const struct audit_entry *e, void *arg)
{
	(void)e;
	(*(int64_t *)arg)++;
	return 0;
}

int64_t
tu_audit_rows(struct queue *q, const struct audit_filter *f)
{
	int64_t n = 0;

	ck_assert_int_eq(audit_query(q, f, count_cb, &n, NULL), 0);
	return n;
}

int64_t
tu_audit_count(struct queue *q, const char *action)
{
	struct audit_filter f = {.action = action};

	return tu_audit_rows(q, &f);
}

sqlite3 *
tu_sql_open(const char *db)
{
	sqlite3 *h = NULL;

	ck_assert_int_eq(
	    sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	return h;
}

void
tu_sql_exec(sqlite3 *h, const char *sql)
{
	char *err = NULL;

	ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, &err) == SQLITE_OK,
	    "%s: %s", sql, err);
}

int64_t
tu_sql_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v;

	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Read what is ready on fd into buf at *used; 0 at EOF. */
static int
drain(int fd, char *buf, size_t len, size_t *used)
{
	char scratch[4096];
	ssize_t n;

	if (buf != NULL && *used + 1 < len)
		n = read(fd, buf + *used, len - 1 - *used);
	else
		n = read(fd, scratch, sizeof(scratch));
	if (n > 0 && buf != NULL && *used + 1 < len)
		*used += (size_t)n;
	return n > 0 ? 1 : n == 0 ? 0 : (errno == EINTR ? 1 : 0);
}

/* Write what is left of input (*off of len) to fd; -1 closes it. */
static void
feed(int *fd, const char *input, size_t len, size_t *off)
{
	ssize_t n;

	if (*off < len) {
		n = write(*fd, input + *off, len - *off);
		if (n > 0)
			*off += (size_t)n;
		else if (n < 0 && errno != EINTR && errno != EAGAIN)
			*off = len; /* the child closed its stdin: stop */
	}
	if (*off >= len) {
		close(*fd);
		*fd = -1;
	}
}

/* tu_run and tu_run_input: input NULL means stdin from /dev/null. */
static int
run(const char *const *argv, const char *const *env, const char *input,
    size_t inlen, char *out, size_t outlen, char *err, size_t errlen)
{
	const char *bin = getenv("DRAFTBOT_BIN");
	int po[2], pe[2], pi[2] = {-1, -1}, status;
	size_t nout = 0, nerr = 0, off = 0;
	const char *args[64];
	int nargs = 0;
	pid_t pid;

	ck_assert_msg(bin != NULL, "DRAFTBOT_BIN is not set");
	args[nargs++] = bin;
	for (int i = 0; argv[i] != NULL && nargs < 63; i++)
		args[nargs++] = argv[i];
	args[nargs] = NULL;
	ck_assert(pipe2(po, O_CLOEXEC) == 0 && pipe2(pe, O_CLOEXEC) == 0);
	if (input != NULL) {
		ck_assert(pipe2(pi, O_CLOEXEC) == 0);
		/* a child that exits before reading all must not kill us */
		signal(SIGPIPE, SIG_IGN);
	}
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int in = input != NULL ? pi[0] : open("/dev/null", O_RDONLY);

		dup2(in, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		for (int i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	if (input != NULL) {
		close(pi[0]);
		fcntl(pi[1], F_SETFL, O_NONBLOCK);
	}
	{
		struct pollfd p[3] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0},
		    {pi[1], POLLOUT, 0}};
		int open_fds = 2;

		while (open_fds > 0 || p[2].fd >= 0) {
			if (poll(p, 3, -1) < 0 && errno != EINTR)
				break;
			if (p[0].fd >= 0 && p[0].revents &&
			    !drain(po[0], out, outlen, &nout)) {
				p[0].fd = -1;
				open_fds--;
			}
			if (p[1].fd >= 0 && p[1].revents &&
			    !drain(pe[0], err, errlen, &nerr)) {
				p[1].fd = -1;
				open_fds--;
			}
			if (p[2].fd >= 0 && p[2].revents) {
				feed(&pi[1], input, inlen, &off);
				p[2].fd = pi[1];
			}
			if (open_fds == 0 && p[2].fd >= 0) {
				close(pi[1]); /* the child is gone */
				p[2].fd = -1;
			}
		}
	}
	close(po[0]);
	close(pe[0]);
	if (out != NULL && outlen > 0)
		out[nout] = '\0';
	if (err != NULL && errlen > 0)
		err[nerr] = '\0';
	ck_assert(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
tu_run(const char *const *argv, const char *const *env, char *out,
    size_t outlen, char *err, size_t errlen)
{
	return run(argv, env, NULL, 0, out, outlen, err, errlen);
}

int
tu_run_input(const char *const *argv, const char *const *env, const char *input,
    size_t inlen, char *out, size_t outlen, char *err, size_t errlen)
{
	return run(argv, env, input, inlen, out, outlen, err, errlen);
}

long long
tu_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

void
tu_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int64_t
tu_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int
tu_free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	ck_assert(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	ck_assert(getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

void
tu_show_file(const char *path)
{
	char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return;
	fprintf(stderr, "---- %s\n", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(f);
}

bool
tu_file_says(const char *path, const char *what)
{
	char *buf = malloc(1 << 20);
	FILE *f = fopen(path, "r");
	bool hit = false;
	size_t n;

	ck_assert_ptr_nonnull(buf);
	if (f != NULL) {
		n = fread(buf, 1, (1 << 20) - 1, f);
		buf[n] = '\0';
		hit = strstr(buf, what) != NULL;
		fclose(f);
	}
	free(buf);
	return hit;
}

int
tu_proc_stop(pid_t *pid, int sig)
{
	int status = 0;

	if (*pid == 0)
		return -1;
	kill(sig == SIGKILL ? -*pid : *pid, sig);
	ck_assert_int_eq(waitpid(*pid, &status, 0), *pid);
	*pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

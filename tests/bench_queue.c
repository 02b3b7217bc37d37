/*
 * bench_queue — how fast is the durable queue on this disk?
 *
 *   bench_queue [--quick] --dir DIR
 *
 * DIR is an empty scratch folder on the disk to measure (scripts/bench-queue
 * makes one next to the build).  Measures, in one run:
 *
 *  1. raw SQLite: single-row INSERTs in autocommit, WAL, synchronous=FULL,
 *     one prepared statement — the most commits per second this disk gives;
 *  2. queue_enqueue per second (durable, audited) and its ratio to 1,
 *     measured in rounds alternating with 1 so that noise hits both;
 *  3. claim+complete per second with 1 and with 4 worker processes over a
 *     pre-filled queue;
 *  4. pickup latency: enqueue start in one process to queue_claim's return
 *     in another that waits on the doorbell (p50, p99);
 *  5. peak resident set of this process and its children.
 *
 * Human-readable lines first; the last line is
 *   RESULT raw_commits_per_s=… enqueue_per_s=… … peak_rss_kb=…
 * Every process opens its own queue after fork: no connection crosses a
 * fork.  Exit status 0, or 1 when a measurement failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "queue/queue.h"
#include "tests/fdio.h"

#define CHATS 200             /* commands cycle over this many chats */
#define LEASE_MS 60000        /* no lease expires during a run */
#define BUSY_MS 30000         /* lock wait of every handle */
#define PICKUP_GAP_NS 2000000 /* producer pause between commands */
#define MAX_WORKERS 8
#define PAYLOAD "{\"text\":\"buy milk\"}"

struct sizes {
	int writes; /* raw inserts, and as many enqueues */
	int claim;  /* commands per claim+complete run */
	int pickup; /* latency samples */
};

static const struct sizes full_sizes = {20000, 10000, 3000};
static const struct sizes quick_sizes = {5000, 2500, 1000};

struct results {
	double raw_per_s, enqueue_per_s, cc_per_s[2];
	double p50_ms, p99_ms;
	long peak_rss_kb;
};

static double
seconds_since(int64_t t0_ns)
{
	return (double)(time_mono_ns() - t0_ns) / 1e9;
}

static void
path_in(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static struct queue *
open_queue(const char *path)
{
	struct queue_opts o = {.actor = "bench", .busy_timeout_ms = BUSY_MS};
	struct queue *q = NULL;
	int r = queue_open(path, &o, &q);

	if (r < 0) {
		fprintf(stderr, "bench_queue: open %s: %s\n", path,
		    queue_open_error());
		return NULL;
	}
	return q;
}

/* Reap pid; 0 when it exited with 0, else -ECHILD. */
static int
reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	fprintf(stderr, "bench_queue: child %ld %s %d\n", (long)pid,
	    WIFEXITED(status) ? "exited with" : "killed by signal",
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -ECHILD;
}

/* ------------------------------------------------------------ raw SQLite */

static int
sql_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		fprintf(stderr, "bench_queue: %s: %s\n", sql,
		    err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return -EIO;
	}
	return 0;
}

/* A fresh raw database in dir with its INSERT prepared.  0 or -EIO. */
static int
raw_open(const char *dir, sqlite3 **ret_db, sqlite3_stmt **ret_s)
{
	char path[PATH_MAX];
	int rc, r;

	path_in(path, sizeof(path), dir, "raw.db");
	rc = sqlite3_open(path, ret_db);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "bench_queue: open %s: %s\n", path,
		    sqlite3_errstr(rc));
		return -EIO;
	}
	r = sql_exec(*ret_db,
	    "PRAGMA journal_mode = WAL; "
	    "PRAGMA synchronous = FULL; "
	    "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL) STRICT");
	if (r < 0)
		return r;
	rc = sqlite3_prepare_v3(*ret_db, "INSERT INTO t (v) VALUES (?1)", -1,
	    SQLITE_PREPARE_PERSISTENT, ret_s, NULL);
	return rc == SQLITE_OK ? 0 : -EIO;
}

/* n single-row INSERTs, each its own durable (autocommit) transaction. */
static int
raw_inserts(sqlite3 *db, sqlite3_stmt *s, int n)
{
	for (int i = 0; i < n; i++) {
		int rc;

		sqlite3_bind_text(s, 1, PAYLOAD, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "bench_queue: raw insert: %s\n",
			    sqlite3_errmsg(db));
			return -EIO;
		}
	}
	return 0;
}

/* --------------------------------------------------------------- enqueue */

static int
enqueue_one(struct queue *q, const char *prefix, int i, const char *payload)
{
	char key[64];
	struct queue_new n = {.type = "message",
	    .key = key,
	    .chat_id = i % CHATS + 1,
	    .user_id = 1000 + i % CHATS,
	    .payload = payload};
	int r;

	snprintf(key, sizeof(key), "%s:%d", prefix, i);
	r = queue_enqueue(q, &n, NULL, NULL);
	if (r < 0)
		fprintf(stderr, "bench_queue: enqueue %s: %s\n", key,
		    queue_errmsg(q));
	return r;
}

/*
 * Measurements 1 and 2: n raw inserts and n durable enqueues, each in its
 * own fresh file in dir, run in alternating rounds so that whatever else
 * the machine does slows both alike and their ratio stays meaningful.  The
 * rates go to *ret_raw and *ret_enq.  0 or a negative errno code.
 */
static int
bench_writes(const char *dir, int n, double *ret_raw, double *ret_enq)
{
	const int rounds = 10;
	int64_t raw_ns = 0, enq_ns = 0, t0;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char path[PATH_MAX];
	struct queue *q = NULL;
	int done = 0, r;

	r = raw_open(dir, &db, &s);
	if (r < 0)
		goto out;
	path_in(path, sizeof(path), dir, "enqueue.db");
	q = open_queue(path);
	if (q == NULL) {
		r = -EIO;
		goto out;
	}
	for (int round = 0; round < rounds && r == 0; round++) {
		int chunk = (n - done) / (rounds - round);

		t0 = time_mono_ns();
		r = raw_inserts(db, s, chunk);
		raw_ns += time_mono_ns() - t0;
		t0 = time_mono_ns();
		for (int i = done; i < done + chunk && r == 0; i++)
			r = enqueue_one(q, "enq", i, PAYLOAD);
		enq_ns += time_mono_ns() - t0;
		done += chunk;
	}
	if (r == 0) {
		*ret_raw = n / (raw_ns / 1e9);
		*ret_enq = n / (enq_ns / 1e9);
	}
out:
	queue_close(q);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return r;
}

/* ------------------------------------------------------- claim+complete */

/* Is nothing left to run (pending, processing, failed)?  1, 0 or -errno. */
static int
drained(struct queue *q)
{
	struct queue_stats st;
	int r = queue_stats(q, &st);

	if (r < 0)
		return r;
	return st.count[QUEUE_PENDING] + st.count[QUEUE_PROCESSING] +
	    st.count[QUEUE_FAILED] ==
	    0;
}

/* A worker: say ready, wait for the gate, claim+complete until drained. */
static int
cc_worker(const char *path, int idx, int ready_fd, int gate_fd)
{
	char owner[QUEUE_OWNER_MAX], b;
	struct queue *q = open_queue(path);
	int r;

	if (q == NULL)
		return 2;
	snprintf(owner, sizeof(owner), "b%d:%ld", idx, (long)getpid());
	if (tu_write_full(ready_fd, "r", 1) < 0 ||
	    tu_read_full(gate_fd, &b, 1) != 1)
		return 2;
	for (;;) {
		struct queue_cmd *c = NULL;

		r = queue_claim(q, owner, LEASE_MS, &c);
		if (r < 0)
			break;
		if (r == 1) {
			r = queue_complete(q, c, NULL);
			queue_cmd_free(c);
			if (r < 0)
				break;
			continue;
		}
		r = drained(q);
		if (r != 0)
			break;
		/* Another worker holds the chat we could run next. */
		r = queue_wait(q, 50);
		if (r < 0 && r != -EINTR)
			break;
	}
	if (r < 0)
		fprintf(stderr, "bench_queue: worker %d: %s\n", idx,
		    queue_errmsg(q));
	queue_close(q);
	return r < 0 ? 2 : 0;
}

/*
 * Pre-fill n commands, then let workers processes claim and complete them
 * all; the rate (n / wall time from the gate opening to the last exit) in
 * *ret_per_s.
 */
static int
bench_claim(const char *dir, int n, int workers, double *ret_per_s)
{
	char path[PATH_MAX], name[32], b[MAX_WORKERS];
	pid_t pid[MAX_WORKERS];
	int ready[2] = {-1, -1}, gate[2] = {-1, -1};
	int started = 0, r = 0;
	struct queue *q;
	int64_t t0 = 0;

	snprintf(name, sizeof(name), "claim-%dw.db", workers);
	path_in(path, sizeof(path), dir, name);
	q = open_queue(path);
	if (q == NULL)
		return -EIO;
	/* Fill fast: the fill is not what is measured. */
	for (int i = 0; i < n && r == 0; i += 500) {
		r = queue_begin(q);
		for (int j = i; j < i + 500 && j < n && r == 0; j++)
			r = enqueue_one(q, "cc", j, PAYLOAD);
		if (r == 0)
			r = queue_commit(q);
		else
			queue_rollback(q);
	}
	queue_close(q); /* before fork: no connection may cross it */
	if (r < 0)
		return r;
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(gate, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	fflush(NULL);
	for (; started < workers; started++) {
		pid[started] = fork();
		if (pid[started] < 0) {
			r = -errno;
			goto out;
		}
		if (pid[started] == 0)
			_exit(cc_worker(path, started, ready[1], gate[0]));
	}
	if (tu_read_full(ready[0], b, (size_t)workers) != (size_t)workers) {
		r = -ECHILD;
		goto out;
	}
	t0 = time_mono_ns();
	r = tu_write_full(gate[1], b, (size_t)workers);
out:
	if (r < 0)
		for (int i = 0; i < started; i++)
			kill(pid[i], SIGKILL);
	for (int i = 0; i < started; i++)
		if (reap(pid[i]) < 0 && r == 0)
			r = -ECHILD;
	if (r == 0)
		*ret_per_s = n / seconds_since(t0);
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0)
			close(ready[i]);
		if (gate[i] >= 0)
			close(gate[i]);
	}
	return r;
}

/* ------------------------------------------------------- pickup latency */

/* The enqueue-start time a producer put into a payload; 0 if none. */
static int64_t
payload_t(const char *payload)
{
	const char *p = strstr(payload, "\"t\":");

	return p != NULL ? strtoll(p + 4, NULL, 10) : 0;
}

/* Wait on the doorbell, claim, time, complete; n samples to out_fd. */
static int
pickup_consumer(const char *path, int n, int ready_fd, int out_fd)
{
	int64_t *lat = calloc((size_t)n, sizeof(*lat));
	struct queue *q = open_queue(path);
	int got = 0, r = 0;

	if (q == NULL || lat == NULL)
		return 2;
	/* The first wait starts listening and returns at once. */
	r = queue_wait(q, 0);
	if (r < 0 || tu_write_full(ready_fd, "r", 1) < 0)
		return 2;
	while (got < n) {
		struct queue_cmd *c = NULL;

		r = queue_claim(q, "consumer", LEASE_MS, &c);
		if (r == 1) {
			lat[got++] = time_mono_ns() - payload_t(c->payload);
			r = queue_complete(q, c, NULL);
			queue_cmd_free(c);
		} else if (r == 0) {
			r = queue_wait(q, 1000);
		}
		if (r < 0 && r != -EINTR) {
			fprintf(stderr, "bench_queue: consumer: %s\n",
			    queue_errmsg(q));
			return 2;
		}
	}
	queue_close(q);
	r = tu_write_full(out_fd, lat, (size_t)n * sizeof(*lat));
	free(lat);
	return r < 0 ? 2 : 0;
}

/* Enqueue n commands stamped with the enqueue start, PICKUP_GAP_NS apart. */
static int
pickup_producer(const char *path, int n)
{
	struct queue *q = open_queue(path);
	struct timespec gap = {0, PICKUP_GAP_NS};
	char payload[96];

	if (q == NULL)
		return 2;
	for (int i = 0; i < n; i++) {
		snprintf(payload, sizeof(payload),
		    "{\"t\":%" PRId64 ",\"text\":\"buy milk\"}",
		    time_mono_ns());
		if (enqueue_one(q, "pick", i, payload) < 0)
			return 2;
		nanosleep(&gap, NULL);
	}
	queue_close(q);
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile (nearest rank) of sorted v[n], in ms. */
static double
percentile_ms(const int64_t *v, int n, int p)
{
	int rank = (n * p + 99) / 100;

	if (rank < 1)
		rank = 1;
	return (double)v[rank - 1] / 1e6;
}

/* n pickup samples between a producer and a consumer process. */
static int
bench_pickup(const char *dir, int n, struct results *res)
{
	char path[PATH_MAX], b;
	int ready[2] = {-1, -1}, out[2] = {-1, -1};
	pid_t cons = -1, prod = -1;
	int64_t *lat = NULL;
	struct queue *q;
	int r = 0;

	path_in(path, sizeof(path), dir, "pickup.db");
	q = open_queue(path); /* create it before the two open it */
	if (q == NULL)
		return -EIO;
	queue_close(q);
	lat = calloc((size_t)n, sizeof(*lat));
	if (lat == NULL)
		return -ENOMEM;
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	fflush(NULL);
	cons = fork();
	if (cons < 0) {
		r = -errno;
		goto out;
	}
	if (cons == 0)
		_exit(pickup_consumer(path, n, ready[1], out[1]));
	close(out[1]);
	out[1] = -1;
	if (tu_read_full(ready[0], &b, 1) != 1) {
		r = -ECHILD;
		goto out;
	}
	prod = fork();
	if (prod < 0) {
		r = -errno;
		goto out;
	}
	if (prod == 0)
		_exit(pickup_producer(path, n));
	if (tu_read_full(out[0], lat, (size_t)n * sizeof(*lat)) !=
	    (size_t)n * sizeof(*lat))
		r = -ECHILD;
out:
	if (r < 0) {
		if (cons > 0)
			kill(cons, SIGKILL);
		if (prod > 0)
			kill(prod, SIGKILL);
	}
	if (prod > 0 && reap(prod) < 0 && r == 0)
		r = -ECHILD;
	if (cons > 0 && reap(cons) < 0 && r == 0)
		r = -ECHILD;
	if (r == 0) {
		qsort(lat, (size_t)n, sizeof(*lat), cmp_i64);
		res->p50_ms = percentile_ms(lat, n, 50);
		res->p99_ms = percentile_ms(lat, n, 99);
		printf("pickup latency:            %d samples, p50 %.3f ms, "
		       "p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
		    n, res->p50_ms, percentile_ms(lat, n, 90), res->p99_ms,
		    (double)lat[n - 1] / 1e6);
	}
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0)
			close(ready[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	free(lat);
	return r;
}

/* ------------------------------------------------------------------ main */

static long
peak_rss_kb(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return self.ru_maxrss > kids.ru_maxrss ? self.ru_maxrss
	                                       : kids.ru_maxrss;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_queue [--quick] --dir DIR\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const struct sizes *sz = &full_sizes;
	struct results res = {0};
	const char *dir = NULL;
	static const int nworkers[2] = {1, 4};
	int r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			sz = &quick_sizes;
		else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else
			usage();
	}
	if (dir == NULL)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("bench_queue: %s mode, scratch %s, SQLite %s\n",
	    sz == &quick_sizes ? "quick" : "full", dir, sqlite3_libversion());

	r = bench_writes(dir, sz->writes, &res.raw_per_s, &res.enqueue_per_s);
	if (r < 0)
		goto fail;
	printf("raw SQLite commits:        %d inserts, %.0f commits/s "
	       "(WAL, synchronous=FULL, autocommit)\n",
	    sz->writes, res.raw_per_s);
	printf("queue_enqueue:             %d commands, %.0f/s, %.3f of raw "
	       "(measured in rounds alternating with the raw inserts)\n",
	    sz->writes, res.enqueue_per_s, res.enqueue_per_s / res.raw_per_s);

	for (int i = 0; i < 2; i++) {
		r = bench_claim(dir, sz->claim, nworkers[i], &res.cc_per_s[i]);
		if (r < 0)
			goto fail;
		printf("claim+complete, %d worker%s: %d commands over %d "
		       "chats, %.0f/s\n",
		    nworkers[i], nworkers[i] > 1 ? "s" : " ", sz->claim, CHATS,
		    res.cc_per_s[i]);
	}

	r = bench_pickup(dir, sz->pickup, &res);
	if (r < 0)
		goto fail;

	res.peak_rss_kb = peak_rss_kb();
	printf("peak RSS:                  %ld kB\n", res.peak_rss_kb);
	printf("RESULT raw_commits_per_s=%.0f enqueue_per_s=%.0f "
	       "enqueue_vs_raw=%.3f claim_complete_per_s_1w=%.0f "
	       "claim_complete_per_s_4w=%.0f pickup_p50_ms=%.3f "
	       "pickup_p99_ms=%.3f peak_rss_kb=%ld\n",
	    res.raw_per_s, res.enqueue_per_s, res.enqueue_per_s / res.raw_per_s,
	    res.cc_per_s[0], res.cc_per_s[1], res.p50_ms, res.p99_ms,
	    res.peak_rss_kb);
	return 0;
fail:
	fprintf(stderr, "bench_queue: failed: %s\n", strerror(-r));
	return 1;
}

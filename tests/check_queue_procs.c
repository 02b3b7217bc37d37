/*
 * The queue with real processes: workers forked from the test, each with its
 * own connection (opened after the fork), racing for one database.
 *
 * Rules every case keeps:
 *  - the test process holds no open queue while it forks: SQLite's lock
 *    bookkeeping is per process (it is inherited memory), so a child that
 *    opens the same file while an inherited connection exists may believe
 *    it holds locks it does not;
 *  - a child never returns into check's runner: it _exit()s with 0 or a
 *    small code and says why on stderr;
 *  - the test reaps every child, and kills the rest when it fails.
 * No case asserts on timing; timings are printed as TAP comments.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "queue/audit.h"
#include "queue/queue.h"
#include "tests/fdio.h"
#include "tests/testutil.h"

#define BUSY_MS 10000                   /* lock wait for every handle */
#define GIVE_UP_NS (120 * 1000000000LL) /* a child stuck this long fails */
#define MAX_KIDS 16

/* Children of the running case, 0 once reaped. */
static pid_t kids[MAX_KIDS];
static int nkids;

static void
kill_kids(void)
{
	for (int i = 0; i < nkids; i++) {
		if (kids[i] <= 0)
			continue;
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
		kids[i] = 0;
	}
}

/* ck_assert for the test process while children run: kill them first. */
#define P_ASSERT(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			kill_kids();                                           \
			ck_abort_msg(__VA_ARGS__);                             \
		}                                                              \
	} while (0)

/* In a child: say what went wrong and give the exit code to _exit with. */
static int __attribute__((format(printf, 1, 2)))
child_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "child %ld: ", (long)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/*
 * Fork a child that runs fn(arg) and _exits with its result.  The child
 * never returns here, so check's runner never sees two processes.
 */
static pid_t
spawn(int (*fn)(void *arg), void *arg)
{
	pid_t pid;

	P_ASSERT(nkids < MAX_KIDS, "too many children");
	fflush(NULL); /* buffered output must not be written twice */
	pid = fork();
	P_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(fn(arg));
	kids[nkids++] = pid;
	return pid;
}

/* Reap pid and return its wait status. */
static int
reap(pid_t pid)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	P_ASSERT(r == pid, "waitpid %ld: %s", (long)pid, strerror(errno));
	for (int i = 0; i < nkids; i++)
		if (kids[i] == pid)
			kids[i] = 0;
	return status;
}

/* Reap pid and fail the case unless it exited with 0. */
static void
reap_ok(pid_t pid, const char *what)
{
	int status = reap(pid);

	P_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%s (pid %ld) failed: %s %d (see its stderr)", what, (long)pid,
	    WIFEXITED(status) ? "exit" : "signal",
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static struct queue *
child_open(const char *path, const char *actor)
{
	struct queue_opts o = {.actor = actor, .busy_timeout_ms = BUSY_MS};
	struct queue *q = NULL;
	int r = queue_open(path, &o, &q);

	if (r < 0) {
		child_fail("queue_open %s: %d %s", path, r, queue_open_error());
		return NULL;
	}
	return q;
}

/* The test process's own handle, opened only while no child is forked. */
static struct queue *
parent_open(const char *path)
{
	struct queue_opts o = {.actor = "test", .busy_timeout_ms = BUSY_MS};
	struct queue *q = NULL;
	int r = queue_open(path, &o, &q);

	P_ASSERT(r == 0, "queue_open %s: %d %s", path, r, queue_open_error());
	return q;
}

static int64_t
parent_enqueue(
    struct queue *q, const char *key, int64_t chat, const char *payload)
{
	struct queue_new n = {
	    .type = "message", .key = key, .chat_id = chat, .payload = payload};
	int64_t id = 0;
	bool dup = true;
	int r = queue_enqueue(q, &n, &id, &dup);

	P_ASSERT(r == 0, "enqueue %s: %d %s", key, r, queue_errmsg(q));
	P_ASSERT(!dup, "enqueue %s: unexpected duplicate", key);
	return id;
}

/* Remove a passing case's scratch folder (a failing one stays to look at). */
static void
rm_scratch(const char *dir)
{
	int r = tu_rmtree(dir);

	ck_assert_msg(r == 0, "remove %s: %s", dir, strerror(-r));
}

/* Count audit rows with action about command id (and collect details). */
struct audit_count {
	char id[24];
	int n;
	char details[4][256]; /* of the first four matches */
};

static int
count_row(const struct audit_entry *e, void *arg)
{
	struct audit_count *ac = arg;

	if (e->entity_type == NULL || strcmp(e->entity_type, "command") != 0)
		return 0;
	if (ac->id[0] != '\0' &&
	    (e->entity_id == NULL || strcmp(e->entity_id, ac->id) != 0))
		return 0;
	if (ac->n < 4)
		snprintf(ac->details[ac->n], sizeof(ac->details[0]), "%s",
		    e->details ? e->details : "");
	ac->n++;
	return 0;
}

/* Rows of action about command id (every command when id is 0). */
static int
audit_count(
    struct queue *q, const char *action, int64_t id, struct audit_count *ac)
{
	struct audit_filter f = {.action = action};
	int r;

	memset(ac, 0, sizeof(*ac));
	if (id != 0)
		snprintf(ac->id, sizeof(ac->id), "%" PRId64, id);
	r = audit_query(q, &f, count_row, ac, NULL);
	ck_assert_msg(
	    r == 0, "audit_query %s: %d %s", action, r, queue_errmsg(q));
	return ac->n;
}

/* ---------------------------------------------------------------- (a) */

#define A_CMDS 2000
#define A_CHATS 50
#define A_WORKERS 4
/* Longer than any run, even under ASan on a loaded machine: this case is
 * about order and exactly-once, not rescue (that is case (b)). */
#define A_LEASE_MS 120000

/* One executed command as a worker saw it (fixed size, O_APPEND). */
struct exec_rec {
	int64_t id, chat;
	int64_t start_ns, end_ns; /* claim returned .. just before complete */
	int32_t worker, pad;
};

struct worker_arg {
	const char *db;
	char out[512]; /* its record file */
	int idx;
	int64_t total; /* stop once this many are completed */
};

/* Sleep about ns so that an overlap of two commands would be visible. */
static void
work(long ns)
{
	struct timespec ts = {0, ns};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Is everything done?  1 yes, 0 no, < 0 error. */
static int
all_done(struct queue *q, int64_t total)
{
	struct queue_stats st;
	int r = queue_stats(q, &st);

	if (r < 0)
		return r;
	return st.count[QUEUE_COMPLETED] >= total;
}

static int
worker_main(void *arg)
{
	const struct worker_arg *a = arg;
	int64_t deadline = time_mono_ns() + GIVE_UP_NS;
	char owner[QUEUE_OWNER_MAX];
	struct queue *q;
	int fd, r;

	snprintf(owner, sizeof(owner), "w%d:%ld", a->idx, (long)getpid());
	q = child_open(a->db, "executor");
	if (q == NULL)
		return 2;
	fd = open(a->out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return child_fail("open %s: %s", a->out, strerror(errno));
	for (;;) {
		struct queue_cmd *c = NULL;
		struct exec_rec rec = {.worker = a->idx};

		r = queue_claim(q, owner, A_LEASE_MS, &c);
		if (r < 0)
			return child_fail("claim: %d %s", r, queue_errmsg(q));
		if (r == 0) {
			r = all_done(q, a->total);
			if (r < 0)
				return child_fail(
				    "stats: %d %s", r, queue_errmsg(q));
			if (r == 1)
				break;
			if (time_mono_ns() > deadline)
				return child_fail("gave up waiting for work");
			r = queue_wait(q, 200);
			if (r < 0 && r != -EINTR)
				return child_fail(
				    "wait: %d %s", r, queue_errmsg(q));
			continue;
		}
		rec.start_ns = time_mono_ns();
		rec.id = c->id;
		rec.chat = c->chat_id;
		work(100000);
		rec.end_ns = time_mono_ns();
		r = queue_complete(q, c, NULL);
		if (r < 0)
			return child_fail("complete %" PRId64 ": %d %s", c->id,
			    r, queue_errmsg(q));
		queue_cmd_free(c);
		if (tu_write_full(fd, &rec, sizeof(rec)) < 0)
			return child_fail(
			    "write %s: %s", a->out, strerror(errno));
	}
	close(fd);
	queue_close(q);
	return 0;
}

static int
rec_by_chat_start(const void *x, const void *y)
{
	const struct exec_rec *a = x, *b = y;

	if (a->chat != b->chat)
		return a->chat < b->chat ? -1 : 1;
	if (a->start_ns != b->start_ns)
		return a->start_ns < b->start_ns ? -1 : 1;
	return 0;
}

/* Index of id in the increasing ids[n], -1 if absent. */
static int
find_id(const int64_t *ids, int n, int64_t id)
{
	int lo = 0, hi = n - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (ids[mid] == id)
			return mid;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * The chat of the i-th command: scattered (a fixed hash) so that commands
 * of one chat are often next to each other in id order.  With i % 50 the
 * oldest few pending commands would always be of different chats and a
 * claim that ignored per-chat order would still pass.
 */
static int64_t
chat_of(int i)
{
	uint32_t x = (uint32_t)i * 2654435761u;

	x ^= x >> 15;
	return (int64_t)(x % A_CHATS) + 1;
}

static void
enqueue_range(const char *db, int64_t *ids, int from, int to)
{
	struct queue *q = parent_open(db);
	char key[32];

	for (int i = from; i < to; i++) {
		snprintf(key, sizeof(key), "a:%d", i);
		ids[i] = parent_enqueue(q, key, chat_of(i), NULL);
		P_ASSERT(i == 0 || ids[i] > ids[i - 1],
		    "ids do not increase: %" PRId64 " after %" PRId64, ids[i],
		    ids[i - 1]);
	}
	queue_close(q);
}

START_TEST(workers_share_one_queue)
{
	static struct worker_arg wa[A_WORKERS];
	static int64_t ids[A_CMDS];
	static struct exec_rec recs[A_CMDS + 1];
	static int seen[A_CMDS];
	char dir[256], db[512];
	struct queue_stats st;
	struct queue *q;
	pid_t pid[A_WORKERS];
	int nrec = 0;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "q.db");
	/* Half before the workers start, half while they run. */
	enqueue_range(db, ids, 0, A_CMDS / 2);
	for (int w = 0; w < A_WORKERS; w++) {
		wa[w].db = db;
		wa[w].idx = w;
		wa[w].total = A_CMDS;
		snprintf(wa[w].out, sizeof(wa[w].out), "%s/w%d.rec", dir, w);
		pid[w] = spawn(worker_main, &wa[w]);
	}
	enqueue_range(db, ids, A_CMDS / 2, A_CMDS);
	for (int w = 0; w < A_WORKERS; w++)
		reap_ok(pid[w], "worker");

	q = parent_open(db);
	ck_assert_int_eq(queue_stats(q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_COMPLETED], A_CMDS);
	ck_assert_int_eq(st.count[QUEUE_PENDING], 0);
	ck_assert_int_eq(st.count[QUEUE_PROCESSING], 0);
	ck_assert_int_eq(st.count[QUEUE_FAILED], 0);
	ck_assert_int_eq(st.count[QUEUE_DEAD], 0);
	queue_close(q);

	for (int w = 0; w < A_WORKERS; w++) {
		int fd = open(wa[w].out, O_RDONLY | O_CLOEXEC);
		size_t n;

		if (fd < 0) /* a worker that never got a command */
			continue;
		n = tu_read_full(fd, recs + nrec,
		    sizeof(recs) - (size_t)nrec * sizeof(recs[0]));
		close(fd);
		ck_assert_msg(
		    n % sizeof(recs[0]) == 0, "torn record in %s", wa[w].out);
		nrec += (int)(n / sizeof(recs[0]));
		ck_assert_msg(nrec <= A_CMDS, "more records than commands");
	}
	ck_assert_int_eq(nrec, A_CMDS);
	for (int i = 0; i < nrec; i++) {
		int k = find_id(ids, A_CMDS, recs[i].id);

		ck_assert_msg(k >= 0, "unknown id %" PRId64, recs[i].id);
		ck_assert_msg(seen[k]++ == 0, "command %" PRId64 " ran twice",
		    recs[i].id);
		ck_assert_int_eq(recs[i].chat, chat_of(k));
		ck_assert(recs[i].start_ns <= recs[i].end_ns);
	}
	/* Per chat: no two intervals overlap, and starts follow id order. */
	qsort(recs, (size_t)nrec, sizeof(recs[0]), rec_by_chat_start);
	for (int i = 1; i < nrec; i++) {
		const struct exec_rec *p = &recs[i - 1], *c = &recs[i];

		if (p->chat != c->chat)
			continue;
		ck_assert_msg(p->end_ns < c->start_ns,
		    "chat %" PRId64 ": commands %" PRId64 " and %" PRId64
		    " ran at the same time",
		    c->chat, p->id, c->id);
		ck_assert_msg(p->id < c->id,
		    "chat %" PRId64 ": command %" PRId64
		    " started before %" PRId64,
		    c->chat, p->id, c->id);
	}
	rm_scratch(dir);
}
END_TEST

/* ---------------------------------------------------------------- (b) */

struct claim_report {
	int64_t id;
	int32_t attempts;
	int32_t ok;
};

struct victim_arg {
	const char *db;
	int fd; /* report pipe */
};

/* Claim with a short lease, say so, then hang until killed. */
static int
victim_main(void *arg)
{
	const struct victim_arg *a = arg;
	struct claim_report rep = {0};
	struct queue_cmd *c = NULL;
	char owner[QUEUE_OWNER_MAX];
	struct queue *q;
	int r;

	snprintf(owner, sizeof(owner), "w1:%ld", (long)getpid());
	q = child_open(a->db, "executor");
	if (q == NULL)
		return 2;
	r = queue_claim(q, owner, 300, &c);
	if (r != 1)
		return child_fail("claim: %d %s", r, queue_errmsg(q));
	rep.id = c->id;
	rep.attempts = c->attempts;
	rep.ok = 1;
	if (tu_write_full(a->fd, &rep, sizeof(rep)) < 0)
		return child_fail("report: %s", strerror(errno));
	for (;;)
		pause(); /* a hung worker: only SIGKILL ends it */
}

/* Loop claim/queue_wait until a command comes, report it, complete it. */
static int
rescuer_main(void *arg)
{
	const struct victim_arg *a = arg;
	int64_t deadline = time_mono_ns() + GIVE_UP_NS;
	struct claim_report rep = {0};
	struct queue_cmd *c = NULL;
	char owner[QUEUE_OWNER_MAX];
	struct queue *q;
	int r;

	snprintf(owner, sizeof(owner), "w2:%ld", (long)getpid());
	q = child_open(a->db, "executor");
	if (q == NULL)
		return 2;
	while ((r = queue_claim(q, owner, 5000, &c)) == 0) {
		if (time_mono_ns() > deadline)
			return child_fail("the lease was never rescued");
		r = queue_wait(q, 200);
		if (r < 0 && r != -EINTR)
			return child_fail("wait: %d %s", r, queue_errmsg(q));
	}
	if (r < 0)
		return child_fail("claim: %d %s", r, queue_errmsg(q));
	rep.id = c->id;
	rep.attempts = c->attempts;
	rep.ok = 1;
	r = queue_complete(q, c, "{\"rescued\":true}");
	if (r < 0)
		return child_fail("complete: %d %s", r, queue_errmsg(q));
	queue_cmd_free(c);
	queue_close(q);
	if (tu_write_full(a->fd, &rep, sizeof(rep)) < 0)
		return child_fail("report: %s", strerror(errno));
	return 0;
}

/* Expect details of a command_claimed row: owner prefix and attempt. */
static void
check_claim_details(const char *details, const char *owner_prefix, int attempt)
{
	struct json_object *o = json_tokener_parse(details), *v;

	ck_assert_msg(o != NULL, "details not JSON: %s", details);
	ck_assert(json_object_object_get_ex(o, "owner", &v));
	ck_assert_msg(strncmp(json_object_get_string(v), owner_prefix,
	                  strlen(owner_prefix)) == 0,
	    "claimed by %s, expected %s…", json_object_get_string(v),
	    owner_prefix);
	ck_assert(json_object_object_get_ex(o, "attempt", &v));
	ck_assert_int_eq(json_object_get_int(v), attempt);
	json_object_put(o);
}

START_TEST(killed_worker_lease_is_rescued)
{
	char dir[256], db[512];
	struct claim_report rep = {0};
	struct victim_arg va;
	struct audit_count ac;
	struct queue_cmd *c = NULL;
	struct queue *q;
	int64_t id;
	int p[2], status;
	pid_t pid;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "q.db");
	q = parent_open(db);
	id = parent_enqueue(q, "b:1", 7, "{\"text\":\"buy milk\"}");
	queue_close(q);

	ck_assert(pipe2(p, O_CLOEXEC) == 0);
	va = (struct victim_arg){.db = db, .fd = p[1]};
	pid = spawn(victim_main, &va);
	close(p[1]);
	P_ASSERT(tu_read_full(p[0], &rep, sizeof(rep)) == sizeof(rep),
	    "the first worker did not report a claim");
	close(p[0]);
	P_ASSERT(rep.ok && rep.id == id && rep.attempts == 1,
	    "first claim: id %" PRId64 " attempts %d", rep.id, rep.attempts);
	P_ASSERT(kill(pid, SIGKILL) == 0, "kill: %s", strerror(errno));
	status = reap(pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	ck_assert(pipe2(p, O_CLOEXEC) == 0);
	va = (struct victim_arg){.db = db, .fd = p[1]};
	pid = spawn(rescuer_main, &va);
	close(p[1]);
	memset(&rep, 0, sizeof(rep));
	P_ASSERT(tu_read_full(p[0], &rep, sizeof(rep)) == sizeof(rep),
	    "the second worker did not report a claim");
	close(p[0]);
	reap_ok(pid, "rescuer");
	ck_assert_int_eq(rep.id, id);
	ck_assert_int_eq(rep.attempts, 2);

	q = parent_open(db);
	c = tu_get(q, id);
	ck_assert_int_eq(c->status, QUEUE_COMPLETED);
	ck_assert_int_eq(c->attempts, 2);
	ck_assert_ptr_null(c->lease_owner);
	queue_cmd_free(c);
	ck_assert_int_eq(audit_count(q, "command_claimed", id, &ac), 2);
	check_claim_details(ac.details[0], "w1:", 1);
	check_claim_details(ac.details[1], "w2:", 2);
	ck_assert_int_eq(audit_count(q, "command_executed", id, &ac), 1);
	ck_assert_int_eq(audit_count(q, "command_dead", id, &ac), 0);
	queue_close(q);
	rm_scratch(dir);
}
END_TEST

/* ---------------------------------------------------------------- (c) */

#define C_PROCS 8
#define C_KEYS 500

struct enq_report {
	int64_t ids[C_KEYS];
	uint8_t dup[C_KEYS];
	int32_t fresh; /* dup == false */
	int32_t err;   /* first error, 0 if none */
};

struct enqueuer_arg {
	const char *db;
	int idx;
	int gate; /* read end: EOF means go */
	int fd;   /* report pipe */
};

/* Multipliers prime to C_KEYS: each process walks the keys its own way. */
static const int walk[C_PROCS] = {1, 3, 7, 9, 11, 13, 17, 19};

static int
enqueuer_main(void *arg)
{
	const struct enqueuer_arg *a = arg;
	static struct enq_report rep;
	struct queue *q;
	char key[32], buf[1];

	q = child_open(a->db, "receiver");
	if (q == NULL)
		return 2;
	while (read(a->gate, buf, 1) < 0 && errno == EINTR)
		;
	for (int j = 0; j < C_KEYS; j++) {
		int k = (j * walk[a->idx] + a->idx * 37) % C_KEYS;
		struct queue_new n = {.type = "message",
		    .key = key,
		    .chat_id = k % 10 + 1,
		    .payload = "{\"text\":\"buy milk\"}"};
		bool dup = false;
		int r;

		snprintf(key, sizeof(key), "k%d", k);
		r = queue_enqueue(q, &n, &rep.ids[k], &dup);
		if (r < 0) {
			child_fail(
			    "enqueue %s: %d %s", key, r, queue_errmsg(q));
			rep.err = r;
			break;
		}
		rep.dup[k] = dup;
		rep.fresh += !dup;
	}
	queue_close(q);
	if (tu_write_full(a->fd, &rep, sizeof(rep)) < 0)
		return child_fail("report: %s", strerror(errno));
	return rep.err == 0 ? 0 : 2;
}

START_TEST(concurrent_enqueue_same_keys)
{
	static struct enq_report rep[C_PROCS];
	static struct enqueuer_arg ea[C_PROCS];
	char dir[256], db[512];
	struct queue_stats st;
	struct audit_count ac;
	struct queue *q;
	int gate[2], p[C_PROCS][2], fresh = 0;
	pid_t pid[C_PROCS];

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "q.db");
	queue_close(parent_open(db)); /* create it before the race */
	ck_assert(pipe2(gate, O_CLOEXEC) == 0);
	for (int i = 0; i < C_PROCS; i++) {
		P_ASSERT(pipe2(p[i], O_CLOEXEC) == 0, "pipe");
		ea[i] = (struct enqueuer_arg){
		    .db = db, .idx = i, .gate = gate[0], .fd = p[i][1]};
		pid[i] = spawn(enqueuer_main, &ea[i]);
		close(p[i][1]);
	}
	/* One byte per child lets them all go at once (an EOF would need
	 * every child to close its inherited write end first). */
	for (int i = 0; i < C_PROCS; i++)
		P_ASSERT(
		    write(gate[1], "g", 1) == 1, "gate: %s", strerror(errno));
	close(gate[1]);
	close(gate[0]);
	for (int i = 0; i < C_PROCS; i++) {
		P_ASSERT(tu_read_full(p[i][0], &rep[i], sizeof(rep[i])) ==
		        sizeof(rep[i]),
		    "enqueuer %d sent no report", i);
		close(p[i][0]);
	}
	for (int i = 0; i < C_PROCS; i++)
		reap_ok(pid[i], "enqueuer");

	for (int i = 0; i < C_PROCS; i++) {
		ck_assert_int_eq(rep[i].err, 0);
		fresh += rep[i].fresh;
	}
	ck_assert_int_eq(fresh, C_KEYS);
	for (int k = 0; k < C_KEYS; k++) {
		int firsts = 0;

		for (int i = 0; i < C_PROCS; i++) {
			ck_assert_msg(rep[i].ids[k] > 0, "no id for k%d", k);
			ck_assert_msg(rep[i].ids[k] == rep[0].ids[k],
			    "k%d: process %d got id %" PRId64
			    ", process 0 %" PRId64,
			    k, i, rep[i].ids[k], rep[0].ids[k]);
			firsts += !rep[i].dup[k];
		}
		ck_assert_msg(firsts == 1, "k%d created %d times", k, firsts);
		for (int j = 0; j < k; j++)
			ck_assert_msg(rep[0].ids[j] != rep[0].ids[k],
			    "k%d and k%d share an id", j, k);
	}
	q = parent_open(db);
	ck_assert_int_eq(queue_stats(q, &st), 0);
	ck_assert_int_eq(st.count[QUEUE_PENDING], C_KEYS);
	for (int s = QUEUE_PROCESSING; s < QUEUE_NSTATUS; s++)
		ck_assert_int_eq(st.count[s], 0);
	ck_assert_int_eq(audit_count(q, "command_created", 0, &ac), C_KEYS);
	queue_close(q);
	rm_scratch(dir);
}
END_TEST

/* ---------------------------------------------------------------- (d) */

struct wake_report {
	int64_t id;
	int64_t latency_ns; /* enqueue start .. claim returned */
	int32_t first_wait; /* what the wait that preceded the claim said */
	int32_t waits;
};

struct sleeper_arg {
	const char *db;
	int ready; /* write end: "listening" */
	int fd;    /* report pipe */
};

static int64_t
payload_t(const char *payload)
{
	struct json_object *o = json_tokener_parse(payload), *v;
	int64_t t = 0;

	if (o != NULL && json_object_object_get_ex(o, "t", &v))
		t = json_object_get_int64(v);
	json_object_put(o);
	return t;
}

static int
sleeper_main(void *arg)
{
	const struct sleeper_arg *a = arg;
	int64_t deadline = time_mono_ns() + GIVE_UP_NS;
	struct wake_report rep = {.first_wait = -1};
	struct queue_cmd *c = NULL;
	struct queue *q;
	int r;

	q = child_open(a->db, "executor");
	if (q == NULL)
		return 2;
	/* The first wait binds the doorbell and returns at once. */
	r = queue_wait(q, 0);
	if (r < 0)
		return child_fail("wait: %d %s", r, queue_errmsg(q));
	r = queue_claim(q, "sleeper", 5000, &c);
	if (r != 0)
		return child_fail("claim on an empty queue: %d", r);
	if (tu_write_full(a->ready, "r", 1) < 0)
		return child_fail("ready: %s", strerror(errno));
	for (;;) {
		r = queue_wait(q, 5000);
		if (r < 0 && r != -EINTR)
			return child_fail("wait: %d %s", r, queue_errmsg(q));
		rep.waits++;
		if (rep.first_wait < 0)
			rep.first_wait = r;
		r = queue_claim(q, "sleeper", 5000, &c);
		if (r < 0)
			return child_fail("claim: %d %s", r, queue_errmsg(q));
		if (r == 1)
			break;
		if (time_mono_ns() > deadline)
			return child_fail("no command arrived");
	}
	rep.latency_ns = time_mono_ns() - payload_t(c->payload);
	rep.id = c->id;
	r = queue_complete(q, c, NULL);
	if (r < 0)
		return child_fail("complete: %d %s", r, queue_errmsg(q));
	queue_cmd_free(c);
	queue_close(q);
	if (tu_write_full(a->fd, &rep, sizeof(rep)) < 0)
		return child_fail("report: %s", strerror(errno));
	return 0;
}

/* Processes that open one new database file at the same moment (as `draftbot
 * run` starts a receiver and an executor) all get it: the loser of the race
 * to switch it to WAL waits instead of failing "database is locked". */
struct opener {
	const char *path;
	int gate[2]; /* the parent closes the write end to start them all */
};

static int
open_at_gate(void *arg)
{
	struct opener *o = arg;
	struct queue *q;
	char c;

	close(o->gate[1]);             /* or EOF never comes */
	(void)read(o->gate[0], &c, 1); /* EOF: go */
	q = child_open(o->path, "opener");
	if (q == NULL)
		return 1;
	queue_close(q);
	return 0;
}

START_TEST(concurrent_first_open)
{
	enum { ROUNDS = 10, OPENERS = 4 };
	char dir[256], path[320], name[32];
	pid_t pids[OPENERS];

	tu_tmpdir(dir, sizeof(dir));
	for (int round = 0; round < ROUNDS; round++) {
		struct opener o = {.path = path};

		snprintf(name, sizeof(name), "new%d.db", round);
		tu_path(path, sizeof(path), dir, name);
		P_ASSERT(pipe(o.gate) == 0, "pipe: %s", strerror(errno));
		for (int i = 0; i < OPENERS; i++)
			pids[i] = spawn(open_at_gate, &o);
		close(o.gate[1]);
		for (int i = 0; i < OPENERS; i++)
			reap_ok(pids[i], "an opener");
		close(o.gate[0]);
		nkids = 0;
	}
	tu_rmtree(dir);
}
END_TEST

START_TEST(doorbell_wakes_waiting_worker)
{
	char dir[256], db[512], payload[64], ready;
	struct wake_report rep = {0};
	struct sleeper_arg sa;
	struct queue_cmd *c = NULL;
	struct queue *q;
	int rp[2], p[2];
	int64_t id;
	pid_t pid;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "q.db");
	queue_close(parent_open(db));
	ck_assert(pipe2(rp, O_CLOEXEC) == 0 && pipe2(p, O_CLOEXEC) == 0);
	sa = (struct sleeper_arg){.db = db, .ready = rp[1], .fd = p[1]};
	pid = spawn(sleeper_main, &sa);
	close(rp[1]);
	close(p[1]);
	P_ASSERT(tu_read_full(rp[0], &ready, 1) == 1,
	    "the worker never started waiting");
	close(rp[0]);

	q = parent_open(db); /* the child is forked: safe to open now */
	snprintf(
	    payload, sizeof(payload), "{\"t\":%" PRId64 "}", time_mono_ns());
	id = parent_enqueue(q, "d:1", 3, payload);
	queue_close(q);

	P_ASSERT(tu_read_full(p[0], &rep, sizeof(rep)) == sizeof(rep),
	    "the worker did not claim the command");
	close(p[0]);
	reap_ok(pid, "sleeper");
	ck_assert_int_eq(rep.id, id);
	printf("# pickup latency %.3f ms (first wait returned %d: %s; %d "
	       "wait(s))\n",
	    rep.latency_ns / 1e6, rep.first_wait,
	    rep.first_wait == 1 ? "doorbell" : "time-out", rep.waits);
	fflush(stdout);

	q = parent_open(db);
	c = tu_get(q, id);
	ck_assert_int_eq(c->status, QUEUE_COMPLETED);
	queue_cmd_free(c);
	queue_close(q);
	rm_scratch(dir);
}
END_TEST

static Suite *
procs_suite(void)
{
	Suite *s = suite_create("queue_procs");
	TCase *tc = tcase_create("procs");

	tcase_set_timeout(tc, 280);
	tcase_add_test(tc, workers_share_one_queue);
	tcase_add_test(tc, killed_worker_lease_is_rescued);
	tcase_add_test(tc, concurrent_enqueue_same_keys);
	tcase_add_test(tc, doorbell_wakes_waiting_worker);
	tcase_add_test(tc, concurrent_first_open);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(procs_suite());
}

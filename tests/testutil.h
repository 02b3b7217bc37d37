/*
 * testutil — what the check suites share: scratch folders, a queue on a
 * fresh SQLite file, a clock the test moves by hand, running the draftbot
 * binary as a real process, raw SQLite access behind the queue's back, and
 * the runner every suite's main() hands its Suite to, and the small pieces
 * the suites that run draftbot as long-lived child processes share
 * (sleeping, a monotonic clock, a free port, reading a child's log,
 * stopping and reaping it).
 *
 * Every helper that can fail fails the running test (ck_assert) instead of
 * returning an error, unless its contract says otherwise.
 */
#ifndef DRAFTBOT_TESTUTIL_H
#define DRAFTBOT_TESTUTIL_H

#include <check.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "queue/audit.h"
#include "queue/queue.h"

#define TU_T0 1700000000000LL /* where a fixture's hand-moved clock starts */

/* A new empty folder under $TMPDIR (or /tmp); path written into dir. Aborts
 * the test on failure. */
void tu_tmpdir(char *dir, size_t len);

/* dir/name into buf. */
void tu_path(char *buf, size_t len, const char *dir, const char *name);

/*
 * Remove dir and everything below it, depth first, without following
 * symbolic links.  Returns 0, or -errno of the first entry that could not be
 * removed (the walk stops there).  Does not fail the test: a caller that
 * cares asserts on the result.
 */
int tu_rmtree(const char *dir);

/* A clock for queue_opts.now_ms: returns *(int64_t *)arg. */
int64_t tu_clock(void *arg);

/* Milliseconds of CLOCK_MONOTONIC since *t0 (taken with clock_gettime). */
int64_t tu_ms_since(const struct timespec *t0);

/*
 * Open a queue at path with actor "test" and, when clock is non-NULL, the
 * hand-moved clock *clock.  Fails the test on error.
 */
struct queue *tu_open(const char *path, int64_t *clock);

/* A scratch folder with a queue on a fresh file and its hand-moved clock. */
struct tu_fx {
	char dir[256];   /* the scratch folder, removed by tu_fx_close() */
	char db[320];    /* dir/queue.db */
	int64_t now;     /* what the queue's clock reads, ms; tests move it */
	struct queue *q; /* owned by the fixture */
};

/*
 * Make a new scratch folder and open a queue on dir/queue.db in it with
 * tu_open(), its clock reading f->now, which starts at TU_T0.  Fails the
 * test on error.
 */
void tu_fx_open(struct tu_fx *f);

/* Close f->q (left NULL) and remove the folder with all in it; a folder
 * that cannot be removed is left behind without failing the test. */
void tu_fx_close(struct tu_fx *f);

/* Enqueue a command type "message" with key, chat; fails the test on error.
 * Returns its id. */
int64_t tu_enqueue(struct queue *q, const char *key, int64_t chat);

/* queue_claim() expecting a command: fails the test unless one is claimed.
 * Returns it; the caller frees it with queue_cmd_free(). */
struct queue_cmd *tu_claim(
    struct queue *q, const char *owner, int64_t lease_ms);

/* queue_get() of command id, which must exist (else the test fails).
 * Returns it; the caller frees it with queue_cmd_free(). */
struct queue_cmd *tu_get(struct queue *q, int64_t id);

/* How many audit rows match f (see audit_query()).  Fails the test when
 * audit_query() does. */
int64_t tu_audit_rows(struct queue *q, const struct audit_filter *f);

/* How many audit rows have action (every row when action is NULL). */
int64_t tu_audit_count(struct queue *q, const char *action);

/*
 * Raw SQLite on a database file, through a connection of the test's own
 * (not the queue's).  tu_sql_open opens an existing file read-write; the
 * caller closes the handle with sqlite3_close().  tu_sql_exec runs every
 * statement of sql; tu_sql_int returns the first column of the first row of
 * one query as an integer.  Each fails the test on any SQLite error.
 */
sqlite3 *tu_sql_open(const char *db);
void tu_sql_exec(sqlite3 *h, const char *sql);
int64_t tu_sql_int(sqlite3 *h, const char *sql);

/*
 * Run the draftbot binary ($DRAFTBOT_BIN) with argv (NULL-terminated, without
 * argv[0]) and extra environment entries env ("NAME=value", NULL-terminated,
 * may be NULL), stdin from /dev/null.  Captures up to outlen-1 bytes of
 * stdout and stderr (NUL-terminated; either buffer may be NULL).  Returns the
 * exit status, or 128+signal.
 */
int tu_run(const char *const *argv, const char *const *env, char *out,
    size_t outlen, char *err, size_t errlen);

/*
 * Like tu_run(), with stdin a pipe that gets the inlen bytes of input and
 * is then closed (ignores SIGPIPE in the calling process, so a child that
 * stops reading early does not kill it).
 */
int tu_run_input(const char *const *argv, const char *const *env,
    const char *input, size_t inlen, char *out, size_t outlen, char *err,
    size_t errlen);

/* Size of a file in bytes, -1 if it does not exist. */
long long tu_file_size(const char *path);

/* Sleep ms milliseconds, resuming after signals (EINTR). */
void tu_sleep_ms(long ms);

/* Milliseconds of CLOCK_MONOTONIC (from an arbitrary origin). */
int64_t tu_mono_ms(void);

/*
 * A TCP port on 127.0.0.1 nobody listens on now (the kernel's pick for port
 * 0, bound and closed again).  Fails the test when no socket can be had.
 */
int tu_free_port(void);

/* Copy the file at path to stderr under a "---- path" line; a file that
 * cannot be opened is skipped silently.  For showing a child's log when a
 * case fails. */
void tu_show_file(const char *path);

/*
 * Whether the first 1 MiB of the file at path contains the string what; a
 * file that cannot be opened says nothing (false).  Fails the test only
 * when the buffer cannot be allocated.
 */
bool tu_file_says(const char *path, const char *what);

/*
 * Stop the child *pid: send it sig (SIGKILL goes to its whole process
 * group, so the child must lead one) and reap it with waitpid, failing the
 * test when that does not return *pid.  Sets *pid to 0.  Returns the exit
 * status, or 128+signal; -1 without doing anything when *pid is 0.
 */
int tu_proc_stop(pid_t *pid, int sig);

/*
 * Run every case of s with check's runner (fork mode and verbosity from the
 * CK_* environment), then free the runner and with it s.  Returns
 * EXIT_SUCCESS when no case failed, else EXIT_FAILURE: what main() returns.
 */
int tu_run_suite(Suite *s);

#endif

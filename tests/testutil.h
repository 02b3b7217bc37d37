/*
 * testutil — what the check suites share: scratch folders, a queue on a
 * fresh SQLite file, a clock the test moves by hand, running the draftbot
 * binary as a real process.
 */
#ifndef DRAFTBOT_TESTUTIL_H
#define DRAFTBOT_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "queue/queue.h"

/* A new empty folder under $TMPDIR (or /tmp); path written into dir. Aborts
 * the test on failure. */
void tu_tmpdir(char *dir, size_t len);

/* dir/name into buf. */
void tu_path(char *buf, size_t len, const char *dir, const char *name);

/* A clock for queue_opts.now_ms: returns *(int64_t *)arg. */
int64_t tu_clock(void *arg);

/*
 * Open a queue at path with actor "test" and, when clock is non-NULL, the
 * hand-moved clock *clock.  Fails the test on error.
 */
struct queue *tu_open(const char *path, int64_t *clock);

/* Enqueue a command type "message" with key, chat; fails the test on error.
 * Returns its id. */
int64_t tu_enqueue(struct queue *q, const char *key, int64_t chat);

/*
 * Run the draftbot binary ($DRAFTBOT_BIN) with argv (NULL-terminated, without
 * argv[0]) and extra environment entries env ("NAME=value", NULL-terminated,
 * may be NULL), stdin from /dev/null.  Captures up to outlen-1 bytes of
 * stdout and stderr (NUL-terminated; either buffer may be NULL).  Returns the
 * exit status, or 128+signal.
 */
int tu_run(const char *const *argv, const char *const *env, char *out,
    size_t outlen, char *err, size_t errlen);

/* Size of a file in bytes, -1 if it does not exist. */
long long tu_file_size(const char *path);

#endif

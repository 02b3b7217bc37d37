/*
 * fdio — whole reads and writes on a pipe or file descriptor, retried on
 * EINTR and short counts.  Plain C without check, so that both the test
 * suites and bench_queue (which does not link check) can use it, also in a
 * forked child.
 */
#ifndef DRAFTBOT_FDIO_H
#define DRAFTBOT_FDIO_H

#include <stddef.h>

/* Read exactly len bytes into buf, fewer only at EOF or on an error.
 * Returns how many were read. */
size_t tu_read_full(int fd, void *buf, size_t len);

/* Write all len bytes of buf.  Returns 0 or -errno. */
int tu_write_full(int fd, const void *buf, size_t len);

#endif

/*
 * doorbell — wake workers of other processes within microseconds.
 *
 * Every waiting process binds a UNIX datagram socket in a folder next to the
 * database (<db>-bell/, or a folder under /tmp named after the database's
 * device and inode when that path would be too long for a socket).  Ringing
 * sends one byte to each socket there; a stale socket (its process died) is
 * removed by the first ring that finds it.  Nothing is stored: the database
 * stays the truth, the bell only says "look again".
 */
#ifndef DRAFTBOT_DOORBELL_H
#define DRAFTBOT_DOORBELL_H

struct doorbell;

/*
 * Prepare the bell for the database at db_path (which must exist).
 * Returns 0 and the handle in *ret, or a negative errno code (-EPERM when
 * the folder is not a directory owned by us and closed to others; waiters
 * then rely on their fallback poll).
 */
int doorbell_open(const char *db_path, struct doorbell **ret);

/* Ring every listener.  Best effort: returns the number of listeners rung
 * or a negative errno code if the folder cannot be read. */
int doorbell_ring(struct doorbell *b);

/*
 * Wait up to timeout_ms (< 0: forever) for a ring.  The first call binds
 * this process's socket and returns 1 at once, so a caller that checked for
 * work before it was listening looks again.  Returns 1 when rung (all
 * pending rings are drained), 0 on time-out, -EINTR or another negative
 * errno code.
 */
int doorbell_wait(struct doorbell *b, int timeout_ms);

void doorbell_close(struct doorbell *b); /* removes this process's socket */

#endif

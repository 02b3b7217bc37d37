/*
 * ingest — turning accepted Telegram updates into durable queue rows.
 *
 * An update becomes its command (update.h: key tg:update:<update_id>) and,
 * for a button press, an outbox message answerCallbackQuery (key
 * tg:cbq:<callback id>) so the client's spinner stops while the work waits
 * in the queue.  Both are written in one transaction; both keys make a
 * re-sent update a no-op.
 *
 * Group commit: the webhook's HTTP threads hand their updates to one
 * committer thread, which owns the queue handle (SQLite: one connection per
 * thread), takes everything waiting, writes it in one transaction and wakes
 * each submitter with its own result.  A submitter is answered only after
 * its transaction is durable.  Under no load an update commits alone at
 * once: there is no artificial delay to gather a batch.
 */
#ifndef DRAFTBOT_INGEST_H
#define DRAFTBOT_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bot/update.h"
#include "queue/queue.h"

#define INGEST_BATCH_MAX 256 /* updates per transaction */

/* One update's writes.  Filled by ingest_prepare(); borrows the JSON text. */
struct ingest_item {
	struct upd *upd;         /* owned; ingest_item_clear() frees it */
	struct queue_new cmd;    /* the command; points into the JSON text */
	struct queue_new answer; /* answerCallbackQuery; .type NULL if none */
	char key[48];
	char answer_key[QUEUE_KEY_MAX + 1];
	char answer_payload[512];
};

/*
 * Parse the update json (len bytes, json[len] == '\0'; it must outlive it)
 * into it.  Returns 0, -EBADMSG (not JSON, not an object) or -EINVAL (no
 * integer update_id), as upd_parse().  On error it holds nothing to clear.
 */
int ingest_prepare(struct ingest_item *it, const char *json, size_t len);

void ingest_item_clear(struct ingest_item *it); /* frees it->upd */

/* Result of one item in a batch. */
#define INGEST_NEW 0 /* the command was added */
#define INGEST_DUP 1 /* it existed already: nothing was written */

/*
 * Write items[0..n) on q in one transaction (q must not be in one).  Each
 * results[i] gets INGEST_NEW, INGEST_DUP or a negative errno code.  An item
 * the queue refuses as invalid (-EINVAL: nothing of it was written) gets
 * that error alone: the batch is rolled back and written again without it,
 * so one bad update cannot fail the others.  Any other failure (-EBUSY,
 * -EIO, …) rolls back and fails every item with it.  Returns 0 when the
 * transaction committed (durable), else the error every item got.
 */
int ingest_write(
    struct queue *q, struct ingest_item *const *items, size_t n, int *results);

struct ingest;

/*
 * Start the committer thread; it takes ownership of q (closed by
 * ingest_stop).  max_batch 0 = INGEST_BATCH_MAX.  Returns 0 or a negative
 * errno code (q is then still the caller's).
 */
int ingest_start(struct queue *q, size_t max_batch, struct ingest **ret);

/*
 * Hand it to the committer and block until its transaction committed or
 * failed.  Returns INGEST_NEW, INGEST_DUP, a negative errno code from the
 * queue (the update was not stored: answer 500 so Telegram sends it again)
 * or -ESHUTDOWN after ingest_stop() began.  Thread-safe.
 */
int ingest_submit(struct ingest *g, struct ingest_item *it);

/*
 * Commands not yet done (pending + processing + failed), read by the
 * committer between batches.  Returns 0 or a negative errno code.
 */
int ingest_depth(struct ingest *g, int64_t *ret);

/*
 * Stop taking submissions, finish those already waiting, join the thread,
 * close the queue and free g.  Call it after the HTTP server stopped.  NULL
 * is a no-op.
 */
void ingest_stop(struct ingest *g);

#endif

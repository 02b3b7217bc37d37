/*
 * receiver — the Telegram webhook endpoint (libmicrohttpd).
 *
 * It only validates, de-duplicates and enqueues: POST on the webhook path
 * with a JSON body of at most RECV_BODY_MAX bytes and, when a secret is set,
 * the right X-Telegram-Bot-Api-Secret-Token (compared in constant time).
 * An accepted update is answered 200 only after its command is durable (see
 * ingest.h); a repeated update gets 200 and adds nothing.
 *
 *   404 other path          405 other method        415 not JSON
 *   401 wrong/no secret     413 body too large      400 not an Update
 *   431 headers too large (RECV_CONN_MEMORY, answered by libmicrohttpd)
 *   500 the queue failed (Telegram sends the update again)
 *
 * GET /healthz answers {"ok":true,"queue_depth":N}.
 */
#ifndef DRAFTBOT_RECEIVER_H
#define DRAFTBOT_RECEIVER_H

#include "queue/queue.h"

#define RECV_BODY_MAX (1 << 20) /* bytes of one update */
/*
 * Page cache of the receiver's connection, KiB.  It only appends commands
 * (the B-trees' rightmost pages) and reads the queue depth; SQLite's
 * default of 2000 KiB was the largest part of its memory under load, with
 * no gain in speed (scripts/bench-pipeline).
 */
#define RECV_CACHE_KB 128
/*
 * libmicrohttpd's memory pool per connection, bytes: the request line and
 * headers must fit in it (larger ones are answered 431); the body streams
 * through it in pieces.  Telegram's headers take under 1 KiB.  MHD zeroes
 * the pool between the requests of a keep-alive connection, so all of it
 * stays resident: its default of 32 KiB was 2 MiB of the receiver's memory
 * at 64 connections (scripts/bench-pipeline), for no gain in speed.
 */
#define RECV_CONN_MEMORY (8 * 1024)

struct receiver_opts {
	const char *listen; /* "ADDR:PORT", "[v6]:PORT"; port 0 = any free */
	const char *path;   /* "/telegram" */
	const char *secret; /* NULL or "" = no check (a warning is logged) */
	unsigned threads;   /* HTTP threads; 0 = 8 */
	unsigned max_conns; /* open connections; 0 = 256 */
	unsigned timeout_s; /* idle connection time-out; 0 = 10 */
};

/*
 * Listen and serve until SIGINT or SIGTERM, then stop cleanly: finish the
 * requests in progress and commit what was accepted.  Takes ownership of q
 * (closed before return).  Blocks SIGINT and SIGTERM in the calling thread.
 * Returns 0 after a clean stop, or a negative errno code when it could not
 * start (the reason is logged).
 */
int receiver_run(struct queue *q, const struct receiver_opts *o);

#endif

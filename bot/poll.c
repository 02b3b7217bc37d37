/*
 * poll — the getUpdates loop.
 *
 * The loop runs in its own thread while the calling thread waits for a
 * signal.  A stop request during a long poll (up to 25 s inside libcurl,
 * which no signal interrupts) does not wait for it: once the loop is not
 * writing to the database, stopping at any instruction loses nothing,
 * because the offset of an uncommitted batch was never sent to Telegram.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/ingest.h"
#include "bot/poll.h"
#include "common/log.h"

#define MAX_LIMIT 100
#define BACKOFF_START_MS 1000

enum state {
	ST_CALLING,  /* inside getUpdates; does not touch the queue */
	ST_WRITING,  /* inside the database transaction */
	ST_SLEEPING, /* backing off; wakes on stop */
	ST_DONE,
};

struct poller {
	struct tg *t;
	struct queue *q;
	int timeout_s, limit;
	pthread_t main_thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum state state;
	bool stop;
	int result;
	struct tg_error err;
};

/* Enter state s unless a stop was asked for; false then. */
static bool
enter(struct poller *p, enum state s)
{
	bool go;

	pthread_mutex_lock(&p->lock);
	go = !p->stop;
	p->state = go ? s : ST_DONE;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return go;
}

/* Sleep ms unless a stop comes first; false then. */
static bool
nap(struct poller *p, long ms)
{
	struct timespec until;
	bool go;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->lock);
	while (!p->stop &&
	    pthread_cond_timedwait(&p->cond, &p->lock, &until) != ETIMEDOUT)
		;
	go = !p->stop;
	pthread_mutex_unlock(&p->lock);
	return go;
}

/*
 * Enqueue the updates of one getUpdates answer in one transaction.  On 0
 * *next is one past the highest update_id seen (unchanged when there were
 * none).  An update the queue refuses as invalid is logged and skipped:
 * fetching it again would not change it.
 */
static int
store_batch(struct queue *q, struct json_object *arr, int64_t *next)
{
	struct ingest_item items[MAX_LIMIT], *ptrs[MAX_LIMIT];
	int results[MAX_LIMIT];
	size_t n = 0, len;
	int64_t top = *next - 1;
	int r;

	len = json_object_array_length(arr);
	if (len > MAX_LIMIT)
		len = MAX_LIMIT; /* we asked for at most that many */
	for (size_t i = 0; i < len; i++) {
		struct json_object *u = json_object_array_get_idx(arr, i), *id;
		const char *text;

		if (!json_object_object_get_ex(u, "update_id", &id) ||
		    !json_object_is_type(id, json_type_int)) {
			log_warn("getUpdates: an entry without update_id was "
			         "skipped");
			continue;
		}
		if (json_object_get_int64(id) > top)
			top = json_object_get_int64(id);
		/* The text stays valid while arr holds u. */
		text =
		    json_object_to_json_string_ext(u, JSON_C_TO_STRING_PLAIN);
		r = ingest_prepare(&items[n], text, strlen(text));
		if (r < 0) {
			log_warn("getUpdates: update %lld skipped: %s",
			    (long long)json_object_get_int64(id), strerror(-r));
			continue;
		}
		ptrs[n] = &items[n];
		n++;
	}
	r = n > 0 ? ingest_write(q, ptrs, n, results) : 0;
	for (size_t i = 0; i < n; i++) {
		if (r == 0 && results[i] == -EINVAL)
			log_warn(
			    "update %lld refused by the queue and skipped: "
			    "%s",
			    (long long)items[i].upd->update_id,
			    queue_errmsg(q));
		ingest_item_clear(&items[i]);
	}
	if (r == 0)
		*next = top + 1;
	return r;
}

static int
get_updates(struct poller *p, int64_t offset, struct json_object **ret)
{
	struct json_object *params = json_object_new_object(), *kinds;
	static const char *const allowed[] = {
	    "message", "edited_message", "callback_query", "my_chat_member"};
	int r;

	kinds = json_object_new_array();
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		json_object_array_add(
		    kinds, json_object_new_string(allowed[i]));
	json_object_object_add(params, "offset", json_object_new_int64(offset));
	json_object_object_add(params, "limit", json_object_new_int(p->limit));
	json_object_object_add(
	    params, "timeout", json_object_new_int(p->timeout_s));
	json_object_object_add(params, "allowed_updates", kinds);
	r = tg_call(p->t, "getUpdates",
	    json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN),
	    p->timeout_s, ret, &p->err);
	json_object_put(params);
	if (r == 0 && !json_object_is_type(*ret, json_type_array)) {
		json_object_put(*ret);
		*ret = NULL;
		snprintf(p->err.description, sizeof(p->err.description),
		    "getUpdates returned something other than an array");
		r = -EBADMSG;
	}
	return r;
}

static void *
loop(void *arg)
{
	struct poller *p = arg;
	struct json_object *res = NULL;
	int64_t offset = 0;
	long backoff = BACKOFF_START_MS, delay;
	bool stopped;
	int r;

	while (enter(p, ST_CALLING)) {
		r = get_updates(p, offset, &res);
		if (r == 0) {
			if (!enter(p, ST_WRITING)) {
				json_object_put(res);
				break;
			}
			r = store_batch(p->q, res, &offset);
			json_object_put(res);
			res = NULL;
			if (r == 0) {
				backoff = BACKOFF_START_MS;
				continue;
			}
			log_warn("cannot store updates (%s: %s); fetching "
			         "them again in %ld ms",
			    queue_strerror(r), queue_errmsg(p->q), backoff);
		} else if (r == -EEXIST || !tg_retryable(r)) {
			p->result = r;
			break;
		} else {
			log_warn("getUpdates failed (%s%s%s); retrying in "
			         "%ld ms",
			    strerror(-r), p->err.description[0] ? ": " : "",
			    p->err.description,
			    r == -EAGAIN && p->err.retry_after > 0
			        ? p->err.retry_after * 1000L
			        : backoff);
		}
		delay = r == -EAGAIN && p->err.retry_after > 0
		    ? p->err.retry_after * 1000L
		    : backoff;
		if (backoff < POLL_BACKOFF_MAX_MS)
			backoff = backoff * 2 > POLL_BACKOFF_MAX_MS
			    ? POLL_BACKOFF_MAX_MS
			    : backoff * 2;
		if (!enter(p, ST_SLEEPING) || !nap(p, delay))
			break;
	}
	pthread_mutex_lock(&p->lock);
	p->state = ST_DONE;
	stopped = p->stop;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	/* Ended on its own (409, a permanent error): wake the main thread. */
	if (!stopped)
		pthread_kill(p->main_thread, SIGUSR1);
	return NULL;
}

int
poll_run(struct tg *t, struct queue *q, const struct poll_opts *o,
    struct tg_error *err)
{
	struct poller *p;
	pthread_t th;
	sigset_t set;
	bool finished;
	int sig = 0, r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		tg_close(t);
		queue_close(q);
		return -ENOMEM;
	}
	p->t = t;
	p->q = q;
	p->timeout_s =
	    o != NULL && o->timeout_s > 0 ? o->timeout_s : POLL_TIMEOUT_S;
	p->limit = o != NULL && o->limit > 0 && o->limit <= MAX_LIMIT
	    ? o->limit
	    : MAX_LIMIT;
	p->main_thread = pthread_self();
	p->state = ST_CALLING;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	r = pthread_create(&th, NULL, loop, p);
	if (r != 0) {
		tg_close(t);
		queue_close(q);
		free(p);
		return -r;
	}
	log_info("polling Telegram for updates (getUpdates)");
	while (sigwait(&set, &sig) != 0)
		;
	pthread_mutex_lock(&p->lock);
	if (sig != SIGUSR1)
		log_info("%s: stopping the poller",
		    sig == SIGINT ? "SIGINT" : "SIGTERM");
	p->stop = true;
	pthread_cond_broadcast(&p->cond);
	/* Let a transaction in progress finish; a long poll need not. */
	while (p->state == ST_WRITING || p->state == ST_SLEEPING)
		pthread_cond_wait(&p->cond, &p->lock);
	finished = p->state == ST_DONE;
	pthread_mutex_unlock(&p->lock);
	if (!finished) {
		/*
		 * Inside getUpdates, which may take 25 s more.  The loop will
		 * not touch the queue again (it checks stop first), so close
		 * the queue and let the process exit under it; t stays with
		 * the thread.
		 */
		queue_close(q);
		return 0;
	}
	pthread_join(th, NULL);
	r = p->result;
	if (err != NULL)
		*err = p->err;
	tg_close(t);
	queue_close(q);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return r;
}

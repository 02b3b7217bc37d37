/*
 * ingest — updates to queue rows, and the group-commit thread of the
 * webhook receiver.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/ingest.h"
#include "queue/outbox.h"

/* A waiting submitter, on its own stack until it is woken. */
struct waiter {
	struct ingest_item *it; /* NULL: a depth request */
	int result;
	int64_t depth;
	bool done;
	pthread_cond_t cond;
	struct waiter *next;
};

struct ingest {
	struct queue *q; /* used by the committer thread only */
	size_t max_batch;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work;         /* the committer waits here */
	struct waiter *head, **tail; /* submissions in arrival order */
	bool stopping;
};

/* The answer to a button press: answerCallbackQuery with its id. */
static void
prepare_answer(struct ingest_item *it)
{
	struct json_object *o;
	const char *text;
	int n;

	if (it->upd->kind != UPD_CALLBACK || it->upd->callback_id[0] == '\0')
		return;
	o = json_object_new_object();
	if (o == NULL)
		return;
	json_object_object_add(o, "callback_query_id",
	    json_object_new_string(it->upd->callback_id));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	n = snprintf(
	    it->answer_payload, sizeof(it->answer_payload), "%s", text);
	json_object_put(o);
	if (n < 0 || (size_t)n >= sizeof(it->answer_payload))
		return;
	snprintf(it->answer_key, sizeof(it->answer_key), "tg:cbq:%s",
	    it->upd->callback_id);
	/*
	 * Not tied to the chat (chat_id 0): the answer must not wait in the
	 * chat's per-chat order behind the bot's own messages, or the spinner
	 * keeps turning until they are all sent.
	 */
	it->answer = (struct queue_new){
	    .type = "answerCallbackQuery",
	    .key = it->answer_key,
	    .user_id = it->upd->user_id,
	    .payload = it->answer_payload,
	};
}

int
ingest_prepare(struct ingest_item *it, const char *json, size_t len)
{
	int r;

	memset(it, 0, sizeof(*it));
	r = upd_parse(json, len, &it->upd);
	if (r < 0) {
		it->upd = NULL;
		return r;
	}
	upd_to_command(it->upd, json, it->key, sizeof(it->key), &it->cmd);
	prepare_answer(it);
	return 0;
}

void
ingest_item_clear(struct ingest_item *it)
{
	upd_free(it->upd);
	it->upd = NULL;
}

static int
write_one(struct queue *q, const struct ingest_item *it, bool *ret_dup)
{
	int r;

	r = queue_enqueue(q, &it->cmd, NULL, ret_dup);
	if (r == 0 && it->answer.type != NULL)
		r = outbox_add(q, &it->answer, NULL, NULL);
	return r;
}

int
ingest_write(
    struct queue *q, struct ingest_item *const *items, size_t n, int *results)
{
	size_t bad = 0;
	bool dup;
	int r;

	/* -EINVAL marks an item left out; nothing else sets it before the
	 * end. */
	for (size_t i = 0; i < n; i++)
		results[i] = INGEST_NEW;
	for (;;) {
		r = queue_begin(q);
		if (r < 0)
			goto fail;
		for (size_t i = 0; i < n && r == 0; i++) {
			if (results[i] == -EINVAL)
				continue;
			r = write_one(q, items[i], &dup);
			if (r < 0)
				bad = i;
			else
				results[i] = dup ? INGEST_DUP : INGEST_NEW;
		}
		if (r == 0) {
			r = queue_commit(q); /* rolls back itself on failure */
			if (r < 0)
				goto fail;
			return 0;
		}
		queue_rollback(q);
		if (r != -EINVAL)
			goto fail;
		/* The queue refused this item before writing any of it; write
		 * the others again without it. */
		results[bad] = -EINVAL;
	}
fail:
	for (size_t i = 0; i < n; i++)
		if (results[i] != -EINVAL)
			results[i] = r;
	return r;
}

/* Wake every waiter of list with its result; lock held. */
static void
wake(struct waiter *list)
{
	while (list != NULL) {
		struct waiter *next = list->next;

		list->done = true;
		pthread_cond_signal(&list->cond);
		list = next; /* list may be gone as soon as it is signalled */
	}
}

/* Commit one batch taken from the list: its items in one transaction, and
 * the depth for each depth request after that. */
static void
run_batch(struct ingest *g, struct waiter *batch)
{
	struct ingest_item *items[INGEST_BATCH_MAX];
	int results[INGEST_BATCH_MAX];
	struct queue_stats st;
	size_t n = 0;
	bool want_depth = false;
	int r;

	for (struct waiter *w = batch; w != NULL; w = w->next) {
		if (w->it != NULL)
			items[n++] = w->it;
		else
			want_depth = true;
	}
	if (n > 0)
		ingest_write(g->q, items, n, results);
	r = want_depth ? queue_stats(g->q, &st) : 0;
	n = 0;
	for (struct waiter *w = batch; w != NULL; w = w->next) {
		if (w->it != NULL) {
			w->result = results[n++];
			continue;
		}
		w->result = r;
		if (r == 0)
			w->depth = st.count[QUEUE_PENDING] +
			    st.count[QUEUE_PROCESSING] + st.count[QUEUE_FAILED];
	}
}

static void *
committer(void *arg)
{
	struct ingest *g = arg;
	struct waiter *batch, **end;
	size_t n;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (g->head == NULL && !g->stopping)
			pthread_cond_wait(&g->work, &g->lock);
		if (g->head == NULL)
			break; /* stopping, and nothing is left */
		/* Take up to max_batch updates (depth requests ride along). */
		batch = g->head;
		end = &g->head;
		n = 0;
		while (*end != NULL && n < g->max_batch) {
			if ((*end)->it != NULL)
				n++;
			end = &(*end)->next;
		}
		g->head = *end;
		*end = NULL;
		if (g->head == NULL)
			g->tail = &g->head;
		pthread_mutex_unlock(&g->lock);
		run_batch(g, batch);
		pthread_mutex_lock(&g->lock);
		wake(batch);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int
ingest_start(struct queue *q, size_t max_batch, struct ingest **ret)
{
	struct ingest *g;
	int r;

	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->q = q;
	g->max_batch = max_batch == 0 || max_batch > INGEST_BATCH_MAX
	    ? INGEST_BATCH_MAX
	    : max_batch;
	g->tail = &g->head;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->work, NULL);
	r = pthread_create(&g->thread, NULL, committer, g);
	if (r != 0) {
		pthread_cond_destroy(&g->work);
		pthread_mutex_destroy(&g->lock);
		free(g);
		return -r;
	}
	*ret = g;
	return 0;
}

/* Queue w and wait until the committer has done it. */
static int
submit(struct ingest *g, struct waiter *w)
{
	pthread_cond_init(&w->cond, NULL);
	w->done = false;
	w->next = NULL;
	pthread_mutex_lock(&g->lock);
	if (g->stopping) {
		pthread_mutex_unlock(&g->lock);
		pthread_cond_destroy(&w->cond);
		return -ESHUTDOWN;
	}
	*g->tail = w;
	g->tail = &w->next;
	pthread_cond_signal(&g->work);
	while (!w->done)
		pthread_cond_wait(&w->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
	pthread_cond_destroy(&w->cond);
	return w->result;
}

int
ingest_submit(struct ingest *g, struct ingest_item *it)
{
	struct waiter w = {.it = it};

	return submit(g, &w);
}

int
ingest_depth(struct ingest *g, int64_t *ret)
{
	struct waiter w = {.it = NULL};
	int r = submit(g, &w);

	if (r == 0)
		*ret = w.depth;
	return r;
}

void
ingest_stop(struct ingest *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = true;
	pthread_cond_signal(&g->work);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	queue_close(g->q);
	pthread_cond_destroy(&g->work);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

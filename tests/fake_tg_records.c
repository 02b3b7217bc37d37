/*
 * fake_tg_records — the requests the fake Telegram server recorded: copies,
 * counts, waits, the messages it holds, and Telegram's rate limits checked
 * over them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/fake_tg_int.h"

static bool
matches(const struct fake_tg_req *r, const char *method)
{
	return method == NULL || strcasecmp(r->method, method) == 0;
}

int
fake_tg_requests(struct fake_tg *f, const char *method,
    struct fake_tg_req **ret, size_t *ret_n)
{
	struct fake_tg_req *out = NULL;
	size_t n = 0;
	int r = 0;

	pthread_mutex_lock(&f->lock);
	out = calloc(f->n_reqs + 1, sizeof(*out));
	if (out == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < f->n_reqs; i++) {
		if (!matches(&f->reqs[i], method))
			continue;
		out[n] = f->reqs[i];
		out[n].body = strdup(f->reqs[i].body ? f->reqs[i].body : "");
		if (out[n++].body == NULL) {
			fake_tg_requests_free(out, n);
			out = NULL;
			n = 0;
			r = -ENOMEM;
			goto out;
		}
	}
	*ret = out;
	*ret_n = n;
out:
	pthread_mutex_unlock(&f->lock);
	return r;
}

void
fake_tg_requests_free(struct fake_tg_req *reqs, size_t n)
{
	if (reqs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(reqs[i].body);
	free(reqs);
}

/* Under f->lock. */
static size_t
count(struct fake_tg *f, const char *method, bool ok_only)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n_reqs; i++)
		if (matches(&f->reqs[i], method) && (!ok_only || f->reqs[i].ok))
			n++;
	return n;
}

size_t
fake_tg_count(struct fake_tg *f, const char *method)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = count(f, method, false);
	pthread_mutex_unlock(&f->lock);
	return n;
}

size_t
fake_tg_count_ok(struct fake_tg *f, const char *method)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = count(f, method, true);
	pthread_mutex_unlock(&f->lock);
	return n;
}

static int
wait_count(struct fake_tg *f, const char *method, size_t n, bool ok_only,
    int timeout_ms)
{
	struct timespec deadline = fake_tg_deadline(timeout_ms);
	int r = 0;

	pthread_mutex_lock(&f->lock);
	while (count(f, method, ok_only) < n) {
		if (pthread_cond_timedwait(&f->cond, &f->lock, &deadline) ==
		    ETIMEDOUT) {
			r = count(f, method, ok_only) < n ? -ETIMEDOUT : 0;
			break;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return r;
}

int
fake_tg_wait_count(
    struct fake_tg *f, const char *method, size_t n, int timeout_ms)
{
	return wait_count(f, method, n, false, timeout_ms);
}

int
fake_tg_wait_ok(struct fake_tg *f, const char *method, size_t n, int timeout_ms)
{
	return wait_count(f, method, n, true, timeout_ms);
}

void
fake_tg_clear_requests(struct fake_tg *f)
{
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n_reqs; i++)
		free(f->reqs[i].body);
	f->n_reqs = 0;
	pthread_mutex_unlock(&f->lock);
}

int
fake_tg_message(struct fake_tg *f, int64_t chat_id, int64_t message_id,
    char **ret_text, char **ret_markup)
{
	struct fake_tg_msg *m;
	char *text = NULL, *markup = NULL;
	int r = 0;

	pthread_mutex_lock(&f->lock);
	m = fake_tg_find_message(f, chat_id, message_id);
	if (m == NULL) {
		r = -ENOENT;
		goto out;
	}
	text = strdup(m->text);
	markup = m->markup ? strdup(m->markup) : NULL;
	if (text == NULL || (m->markup != NULL && markup == NULL)) {
		free(text);
		free(markup);
		r = -ENOMEM;
		goto out;
	}
	*ret_text = text;
	*ret_markup = markup;
out:
	pthread_mutex_unlock(&f->lock);
	return r;
}

/* ---- rate limits ---- */

struct send {
	int64_t t_ns;
	int64_t chat;
};

static int
by_time(const void *a, const void *b)
{
	const struct send *x = a, *y = b;

	return (x->t_ns > y->t_ns) - (x->t_ns < y->t_ns);
}

static int
by_chat_time(const void *a, const void *b)
{
	const struct send *x = a, *y = b;

	if (x->chat != y->chat)
		return (x->chat > y->chat) - (x->chat < y->chat);
	return by_time(a, b);
}

/*
 * Over s[from, to) sorted by time: the most sends in any window of
 * window_ns, and how many sends made their window exceed limit.
 */
static int
sliding(const struct send *s, size_t from, size_t to, int64_t window_ns,
    int limit, size_t *over)
{
	int max = 0;

	for (size_t i = from, j = from; i < to; i++) {
		int n;

		while (s[i].t_ns - s[j].t_ns >= window_ns)
			j++;
		n = (int)(i - j + 1);
		if (n > max)
			max = n;
		if (n > limit)
			(*over)++;
	}
	return max;
}

void
fake_tg_rates_of(
    const struct fake_tg_req *reqs, size_t n, struct fake_tg_rates *out)
{
	struct send *s = calloc(n + 1, sizeof(*s));
	size_t m = 0, i, j;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return;
	for (i = 0; i < n; i++)
		if (reqs[i].ok &&
		    strcasecmp(reqs[i].method, "sendMessage") == 0)
			s[m++] = (struct send){reqs[i].t_ns,
			    reqs[i].has_chat_id ? reqs[i].chat_id : 0};
	out->sent = m;
	qsort(s, m, sizeof(*s), by_time);
	out->global_max_1s =
	    sliding(s, 0, m, 1000000000LL, 30, &out->global_violations);
	qsort(s, m, sizeof(*s), by_chat_time);
	for (i = 0; i < m; i = j) {
		int max;

		for (j = i; j < m && s[j].chat == s[i].chat; j++)
			;
		if (s[i].chat > 0) {
			max = sliding(
			    s, i, j, 1000000000LL, 1, &out->private_bursts);
			if (max > out->private_max_1s) {
				out->private_max_1s = max;
				out->private_max_chat = s[i].chat;
			}
		} else if (s[i].chat < 0) {
			max = sliding(
			    s, i, j, 60000000000LL, 20, &out->group_violations);
			if (max > out->group_max_1min) {
				out->group_max_1min = max;
				out->group_max_chat = s[i].chat;
			}
		}
	}
	free(s);
}

void
fake_tg_rates(struct fake_tg *f, struct fake_tg_rates *out)
{
	pthread_mutex_lock(&f->lock);
	fake_tg_rates_of(f->reqs, f->n_reqs, out);
	pthread_mutex_unlock(&f->lock);
}

/*
 * fake_google_faults — what the fake Google server does to a request
 * before (or instead of) serving it: delays, canned replies, Google's
 * rate-limit and backend errors, and the crash window that carries out a
 * write and then drops the connection.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake_google_int.h"

static bool
prefix_ok(const char *prefix, const char *path)
{
	return prefix == NULL || strncmp(path, prefix, strlen(prefix)) == 0;
}

bool
fg_is_api(enum fake_google_kind k)
{
	return k >= FAKE_GOOGLE_TASKLISTS_LIST && k < FAKE_GOOGLE_N_KINDS;
}

static bool
is_write(const char *verb)
{
	return strcmp(verb, "GET") != 0 && strcmp(verb, "HEAD") != 0;
}

void
fg_fault_reply(struct fake_google *f, int status, struct fg_reply *r)
{
	switch (status) {
	case 429:
		fg_api_error(r, 429, "usageLimits", "rateLimitExceeded",
		    "Rate Limit Exceeded");
		r->retry_after = f->retry_after;
		break;
	case 403:
		fg_api_error(r, 403, "usageLimits", "rateLimitExceeded",
		    "Rate Limit Exceeded");
		break;
	case 500:
		fg_api_error(r, 500, "global", "backendError", "Backend Error");
		break;
	case 503:
		fg_api_error(r, 503, "global", "backendError",
		    "The service is currently unavailable.");
		r->retry_after = f->retry_after;
		break;
	case 401:
		fg_api_error(r, 401, "global", "authError",
		    "Request had invalid authentication credentials.");
		r->www_auth = "Bearer realm=\"https://accounts.google.com/\", "
		              "error=\"invalid_token\"";
		break;
	default:
		fg_api_error(r, status, NULL, NULL, "Fault injected by fake");
		break;
	}
}

enum fake_google_outcome
fg_decide(struct fake_google *f, const char *verb, const char *path,
    enum fake_google_kind kind, int *status, char **body, int *delay_ms)
{
	*delay_ms = 0;
	for (size_t i = 0; i < f->n_delays; i++)
		if (prefix_ok(f->delays[i].prefix, path)) {
			*delay_ms = f->delays[i].ms;
			break;
		}
	for (size_t i = 0; i < f->n_canned; i++) {
		if (!prefix_ok(f->canned[i].prefix, path))
			continue;
		*status = f->canned[i].status;
		*body = f->canned[i].body;
		free(f->canned[i].prefix);
		memmove(f->canned + i, f->canned + i + 1,
		    (f->n_canned - i - 1) * sizeof(*f->canned));
		f->n_canned--;
		return FAKE_GOOGLE_CANNED;
	}
	if (f->fail_n > 0 && fg_is_api(kind)) {
		f->fail_n--;
		*status = f->fail_status;
		return FAKE_GOOGLE_FAULT;
	}
	if (!is_write(verb))
		return FAKE_GOOGLE_ANSWERED;
	for (size_t i = 0; i < f->n_holds; i++) {
		if (!prefix_ok(f->holds[i], path))
			continue;
		free(f->holds[i]);
		memmove(f->holds + i, f->holds + i + 1,
		    (f->n_holds - i - 1) * sizeof(*f->holds));
		f->n_holds--;
		return FAKE_GOOGLE_HELD;
	}
	return FAKE_GOOGLE_ANSWERED;
}

/* ---- the public API ---- */

/* A copy of prefix, NULL staying NULL; *ok false on ENOMEM. */
static char *
copy_prefix(const char *prefix, bool *ok)
{
	char *p = prefix ? strdup(prefix) : NULL;

	*ok = prefix == NULL || p != NULL;
	return p;
}

int
fake_google_set_next_reply(struct fake_google *f, const char *path_prefix,
    int status, const char *body)
{
	bool ok;
	char *prefix = copy_prefix(path_prefix, &ok);
	char *copy = strdup(body ? body : "");
	int r = 0;

	if (!ok || copy == NULL) {
		free(prefix);
		free(copy);
		return -ENOMEM;
	}
	pthread_mutex_lock(&f->lock);
	if (fg_grow(&f->canned, &f->cap_canned, f->n_canned + 1,
	        sizeof(*f->canned)) < 0) {
		free(prefix);
		free(copy);
		r = -ENOMEM;
	} else {
		f->canned[f->n_canned++] =
		    (struct fg_canned){prefix, status, copy};
	}
	pthread_mutex_unlock(&f->lock);
	return r;
}

void
fake_google_fail_next(struct fake_google *f, int n, int status)
{
	pthread_mutex_lock(&f->lock);
	f->fail_n = n > 0 ? n : 0;
	f->fail_status = status;
	pthread_mutex_unlock(&f->lock);
}

void
fake_google_set_retry_after(struct fake_google *f, int seconds)
{
	pthread_mutex_lock(&f->lock);
	f->retry_after = seconds > 0 ? seconds : 1;
	pthread_mutex_unlock(&f->lock);
}

int
fake_google_set_delay(struct fake_google *f, const char *path_prefix, int ms)
{
	bool ok;
	char *prefix = copy_prefix(path_prefix, &ok);
	size_t i;
	int r = 0;

	if (!ok)
		return -ENOMEM;
	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->n_delays; i++)
		if ((prefix == NULL && f->delays[i].prefix == NULL) ||
		    (prefix != NULL && f->delays[i].prefix != NULL &&
		        strcmp(prefix, f->delays[i].prefix) == 0))
			break;
	if (i < f->n_delays) {
		free(f->delays[i].prefix);
		f->delays[i] = f->delays[--f->n_delays];
	}
	if (ms > 0) {
		if (fg_grow(&f->delays, &f->cap_delays, f->n_delays + 1,
		        sizeof(*f->delays)) < 0) {
			r = -ENOMEM;
			free(prefix);
		} else {
			f->delays[f->n_delays++] =
			    (struct fg_delay){prefix, ms};
		}
	} else {
		free(prefix);
	}
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	return r;
}

int
fake_google_hold_next(struct fake_google *f, const char *path_prefix)
{
	bool ok;
	char *prefix = copy_prefix(path_prefix, &ok);
	int r = 0;

	if (!ok)
		return -ENOMEM;
	pthread_mutex_lock(&f->lock);
	if (fg_grow(&f->holds, &f->cap_holds, f->n_holds + 1,
	        sizeof(*f->holds)) < 0) {
		free(prefix);
		r = -ENOMEM;
	} else {
		f->holds[f->n_holds++] = prefix;
	}
	pthread_mutex_unlock(&f->lock);
	return r;
}

void
fake_google_set_page_size(struct fake_google *f, int n)
{
	pthread_mutex_lock(&f->lock);
	f->page_size = n > 0 ? n : 0;
	pthread_mutex_unlock(&f->lock);
}

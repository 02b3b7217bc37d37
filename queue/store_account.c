/* store.h's front for per-person rows and the local calendar: argument
 * checks, then the back end's account_ops / events_ops. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "queue/queue_int.h"
#include "queue/store.h"

#define ACCOUNT(q) ((q)->be->account)
#define EVENTS(q) ((q)->be->events)

int
store_user_settings_get(struct queue *q, int64_t id, char **ret)
{
	return ACCOUNT(q)->user_settings_get(q, id, ret);
}

int
store_user_settings_set(struct queue *q, int64_t id, const char *json)
{
	if (json == NULL || !queue_is_json_object(json, strlen(json)))
		return queue_set_error(q, -EINVAL,
		    "the settings are not a JSON object");
	return ACCOUNT(q)->user_settings_set(q, id, json);
}

int
store_draft_list(struct queue *q, int64_t owner_id, const char *status,
    int limit, int (*fn)(const struct store_draft *d, void *arg), void *arg)
{
	if (status == NULL || fn == NULL)
		return -EINVAL;
	return q->be->store->draft_list(q, owner_id, status, limit, fn, arg);
}

int
store_cred_put(struct queue *q, int64_t user_id, const char *provider,
    const void *sealed, size_t len, const char *scopes)
{
	if (provider == NULL || sealed == NULL || len == 0 || len > 65536)
		return queue_set_error(q, -EINVAL, "bad credential");
	return ACCOUNT(q)->cred_put(q, user_id, provider, sealed, len, scopes);
}

int
store_cred_get(struct queue *q, int64_t user_id, const char *provider,
    void **ret_sealed, size_t *ret_len)
{
	return ACCOUNT(q)->cred_get(q, user_id, provider, ret_sealed, ret_len);
}

int
store_cred_delete(struct queue *q, int64_t user_id, const char *provider)
{
	return ACCOUNT(q)->cred_delete(q, user_id, provider);
}

int
store_oauth_state_add(struct queue *q, const struct store_oauth_state *s)
{
	if (s->state[0] == '\0' || s->verifier[0] == '\0' || s->user_id == 0)
		return queue_set_error(q, -EINVAL, "bad OAuth state");
	return ACCOUNT(q)->oauth_state_add(q, s);
}

int
store_oauth_state_get(struct queue *q, const char *state,
    struct store_oauth_state *ret)
{
	if (state == NULL || strlen(state) >= STORE_STATE_MAX)
		return 0;
	return ACCOUNT(q)->oauth_state_get(q, state, ret);
}

int
store_oauth_state_use(struct queue *q, const char *state, int64_t now_ms,
    struct store_oauth_state *ret)
{
	if (state == NULL || state[0] == '\0' ||
	    strlen(state) >= STORE_STATE_MAX)
		return queue_set_error(q, -ENOENT, "unknown state");
	return ACCOUNT(q)->oauth_state_use(q, state, now_ms, ret);
}

int
store_oauth_state_prune(struct queue *q, int64_t before_ms, int64_t *ret_n)
{
	return ACCOUNT(q)->oauth_state_prune(q, before_ms, ret_n);
}

int
store_llm_usage_add(struct queue *q, const struct store_llm_usage *u)
{
	if (u == NULL || u->prompt_tokens < 0 || u->completion_tokens < 0 ||
	    u->cost_micros < 0)
		return queue_set_error(q, -EINVAL, "bad usage");
	return ACCOUNT(q)->llm_usage_add(q, u);
}

int
store_llm_usage_sum(struct queue *q, int64_t user_id, int64_t since_ms,
    struct store_llm_totals *ret)
{
	return ACCOUNT(q)->llm_usage_sum(q, user_id, since_ms, ret);
}

int
store_event_add(struct queue *q, const struct store_event *e, int64_t *ret_id)
{
	if (e == NULL || e->title == NULL || e->title[0] == '\0' ||
	    e->end_ms < e->start_ms)
		return queue_set_error(q, -EINVAL, "bad event");
	return EVENTS(q)->event_add(q, e, ret_id);
}

int
store_event_get(struct queue *q, int64_t id, struct store_event **ret)
{
	return EVENTS(q)->event_get(q, id, ret);
}

int
store_event_between(struct queue *q, int64_t owner_id, int64_t start_ms,
    int64_t end_ms, int limit,
    int (*fn)(const struct store_event *e, void *arg), void *arg)
{
	if (fn == NULL)
		return -EINVAL;
	return EVENTS(q)->event_between(
	    q, owner_id, start_ms, end_ms, limit, fn, arg);
}

int
store_event_delete_by_draft(struct queue *q, int64_t draft_id,
    int64_t *ret_n)
{
	int64_t n = 0;
	int r = EVENTS(q)->event_delete_by_draft(q, draft_id, &n);

	if (r == 0 && ret_n != NULL)
		*ret_n = n;
	return r;
}

void
store_event_free(struct store_event *e)
{
	if (e == NULL)
		return;
	free(e->title);
	free(e->location);
	free(e->description);
	free(e->url);
	free(e->rrule);
	free(e);
}

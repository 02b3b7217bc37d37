/*
 * SQLite back end of store.h's per-person rows: settings, sealed
 * credentials, OAuth states and LLM usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/sqlite_int.h"
#include "queue/store.h"

static int
sq_user_settings_get(struct queue *q, int64_t id, char **ret)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT settings FROM users WHERE id = ?1");
	bool oom = false;
	int rc, r = 0;

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = sq_dup_col(s, 0, &oom);
		r = oom ? -ENOMEM : 1;
	} else if (rc != SQLITE_DONE) {
		r = sq_error(q, rc, "user settings");
	}
	sqlite3_finalize(s);
	return r;
}

static int
sq_user_settings_set(struct queue *q, int64_t id, const char *json)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "UPDATE users SET settings = ?2, updated_at = ?3 "
		       "WHERE id = ?1");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	sq_bind_text(s, 2, json);
	sqlite3_bind_int64(s, 3, queue_now(q));
	r = sq_run(q, s, "user settings");
	if (r == 0 && sqlite3_changes(sq_of(q)->db) == 0)
		r = queue_set_error(q, -ENOENT, "no such user");
out:
	return sq_txn_end(q, r);
}

/* ---- credentials ---- */

static int
sq_cred_put(struct queue *q, int64_t user_id, const char *provider,
    const void *sealed, size_t len, const char *scopes)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "INSERT INTO credentials (user_id, provider, sealed, "
		       "scopes, created_at, updated_at) "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
		       "ON CONFLICT (user_id, provider) DO UPDATE SET "
		       "sealed = ?3, scopes = ?4, updated_at = ?5");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, user_id);
	sq_bind_text(s, 2, provider);
	sqlite3_bind_blob(s, 3, sealed, (int)len, SQLITE_TRANSIENT);
	sq_bind_text(s, 4, scopes ? scopes : "");
	sqlite3_bind_int64(s, 5, queue_now(q));
	r = sq_run(q, s, "credentials");
out:
	return sq_txn_end(q, r);
}

static int
sq_cred_get(struct queue *q, int64_t user_id, const char *provider,
    void **ret_sealed, size_t *ret_len)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT sealed FROM credentials "
				     "WHERE user_id = ?1 AND provider = ?2");
	const void *b;
	int rc, n, r = 0;

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, user_id);
	sq_bind_text(s, 2, provider);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		b = sqlite3_column_blob(s, 0);
		n = sqlite3_column_bytes(s, 0);
		*ret_sealed = malloc(n > 0 ? (size_t)n : 1);
		if (*ret_sealed == NULL) {
			r = -ENOMEM;
		} else {
			if (n > 0)
				memcpy(*ret_sealed, b, (size_t)n);
			*ret_len = (size_t)n;
			r = 1;
		}
	} else if (rc != SQLITE_DONE) {
		r = sq_error(q, rc, "credentials");
	}
	sqlite3_finalize(s);
	return r;
}

static int
sq_cred_delete(struct queue *q, int64_t user_id, const char *provider)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "DELETE FROM credentials WHERE user_id = ?1 "
		       "AND provider = ?2");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, user_id);
	sq_bind_text(s, 2, provider);
	r = sq_run(q, s, "credentials");
out:
	return sq_txn_end(q, r);
}

/* ---- OAuth states ---- */

static int
sq_oauth_state_add(struct queue *q, const struct store_oauth_state *st)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "INSERT INTO oauth_states (state, user_id, chat_id, "
		       "verifier, redirect_uri, created_at, expires_at) "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sq_bind_text(s, 1, st->state);
	sqlite3_bind_int64(s, 2, st->user_id);
	sq_bind_id(s, 3, st->chat_id);
	sq_bind_text(s, 4, st->verifier);
	sq_bind_text(s, 5, st->redirect_uri);
	sqlite3_bind_int64(s, 6, queue_now(q));
	sqlite3_bind_int64(s, 7, st->expires_at_ms);
	r = sq_run(q, s, "oauth state");
out:
	return sq_txn_end(q, r);
}

static int
sq_oauth_state_get(struct queue *q, const char *state,
    struct store_oauth_state *ret)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT state, user_id, chat_id, "
				     "verifier, redirect_uri, created_at, "
				     "expires_at, used_at FROM oauth_states "
				     "WHERE state = ?1");
	int rc, r = 0;

	if (s == NULL)
		return -EIO;
	sq_bind_text(s, 1, state);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(ret, 0, sizeof(*ret));
		sq_copy_col(s, 0, ret->state, sizeof(ret->state));
		ret->user_id = sqlite3_column_int64(s, 1);
		ret->chat_id = sqlite3_column_int64(s, 2);
		sq_copy_col(s, 3, ret->verifier, sizeof(ret->verifier));
		sq_copy_col(s, 4, ret->redirect_uri, sizeof(ret->redirect_uri));
		ret->created_at_ms = sqlite3_column_int64(s, 5);
		ret->expires_at_ms = sqlite3_column_int64(s, 6);
		ret->used_at_ms = sqlite3_column_int64(s, 7);
		r = 1;
	} else if (rc != SQLITE_DONE) {
		r = sq_error(q, rc, "oauth state");
	}
	sqlite3_finalize(s);
	return r;
}

static int
sq_oauth_state_use(struct queue *q, const char *state, int64_t now_ms,
    struct store_oauth_state *ret)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	r = sq_oauth_state_get(q, state, ret);
	if (r == 0)
		r = queue_set_error(q, -ENOENT, "unknown state");
	else if (r == 1 && ret->used_at_ms != 0)
		r = queue_set_error(q, -EALREADY, "state already used");
	else if (r == 1 && ret->expires_at_ms <= now_ms)
		r = queue_set_error(q, -ETIME, "state expired");
	if (r != 1)
		goto out;
	s = sq_prep(q, "UPDATE oauth_states SET used_at = ?2 "
		       "WHERE state = ?1 AND used_at IS NULL");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sq_bind_text(s, 1, state);
	sqlite3_bind_int64(s, 2, now_ms);
	r = sq_run(q, s, "oauth state");
	if (r == 0)
		ret->used_at_ms = now_ms;
out:
	return sq_txn_end(q, r);
}

static int
sq_oauth_state_prune(struct queue *q, int64_t before_ms, int64_t *ret_n)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "DELETE FROM oauth_states WHERE expires_at < ?1");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, before_ms);
	r = sq_run(q, s, "oauth state");
	if (r == 0 && ret_n != NULL)
		*ret_n = sqlite3_changes(sq_of(q)->db);
out:
	return sq_txn_end(q, r);
}

/* ---- LLM usage ---- */

static int
sq_llm_usage_add(struct queue *q, const struct store_llm_usage *u)
{
	sqlite3_stmt *s;
	int r;

	r = sq_txn_begin(q);
	if (r < 0)
		return r;
	s = sq_prep(q, "INSERT INTO llm_usage (user_id, ts, purpose, outcome, "
		       "prompt_tokens, completion_tokens, cost_micros) "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (s == NULL) {
		r = -EIO;
		goto out;
	}
	sqlite3_bind_int64(s, 1, u->user_id);
	sqlite3_bind_int64(s, 2, queue_now(q));
	sq_bind_text(s, 3, u->purpose ? u->purpose : "intent");
	sq_bind_text(s, 4, u->outcome ? u->outcome : "ok");
	sqlite3_bind_int64(s, 5, u->prompt_tokens);
	sqlite3_bind_int64(s, 6, u->completion_tokens);
	sqlite3_bind_int64(s, 7, u->cost_micros);
	r = sq_run(q, s, "llm usage");
out:
	return sq_txn_end(q, r);
}

static int
sq_llm_usage_sum(struct queue *q, int64_t user_id, int64_t since_ms,
    struct store_llm_totals *ret)
{
	sqlite3_stmt *s = sq_prep(q, "SELECT count(*), "
				     "coalesce(sum(prompt_tokens), 0), "
				     "coalesce(sum(completion_tokens), 0), "
				     "coalesce(sum(cost_micros), 0) "
				     "FROM llm_usage WHERE user_id = ?1 "
				     "AND ts >= ?2");
	int rc, r = 0;

	if (s == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, since_ms);
	memset(ret, 0, sizeof(*ret));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		ret->requests = sqlite3_column_int64(s, 0);
		ret->prompt_tokens = sqlite3_column_int64(s, 1);
		ret->completion_tokens = sqlite3_column_int64(s, 2);
		ret->cost_micros = sqlite3_column_int64(s, 3);
	} else {
		r = sq_error(q, rc, "llm usage");
	}
	sqlite3_finalize(s);
	return r;
}

const struct account_ops sq_account_ops = {
	.user_settings_get = sq_user_settings_get,
	.user_settings_set = sq_user_settings_set,
	.cred_put = sq_cred_put,
	.cred_get = sq_cred_get,
	.cred_delete = sq_cred_delete,
	.oauth_state_add = sq_oauth_state_add,
	.oauth_state_get = sq_oauth_state_get,
	.oauth_state_use = sq_oauth_state_use,
	.oauth_state_prune = sq_oauth_state_prune,
	.llm_usage_add = sq_llm_usage_add,
	.llm_usage_sum = sq_llm_usage_sum,
};

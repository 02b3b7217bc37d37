/*
 * The queue's front: argument checks, backoff, the doorbell, and dispatch to
 * the back end chosen by name.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/timeutil.h"
#include "queue/doorbell.h"
#include "queue/queue_int.h"
#include "schema/schema.h"

#define FALLBACK_POLL_MS 1000
#define DEFAULT_BUSY_TIMEOUT_MS 5000
#define DEFAULT_MAX_ATTEMPTS 5

static const struct queue_backend *const backends[] = {
	&queue_backend_sqlite,
};

static const char *const status_names[QUEUE_NSTATUS] = {
	"pending", "processing", "completed", "failed", "dead",
};

static const char *const actions[JOB_NKINDS][EV_NEVENTS] = {
	[JOB_COMMAND] = { "command_created", "command_claimed",
	    "command_executed", "command_retry", "command_dead",
	    "command_requeued" },
	/* Claims of messages are not audited: the sender claims constantly. */
	[JOB_OUTBOX] = { "message_queued", NULL, "message_sent",
	    "message_retry", "message_dead", "message_requeued" },
};

static _Thread_local char open_error[512];

const char *
job_action(enum job_kind k, enum job_event ev)
{
	return actions[k][ev];
}

int
queue_set_error(struct queue *q, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->errmsg, sizeof(q->errmsg), fmt, ap);
	va_end(ap);
	return r;
}

void
queue_set_open_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(open_error, sizeof(open_error), fmt, ap);
	va_end(ap);
}

const char *
queue_open_error(void)
{
	return open_error;
}

static int64_t
real_clock(void *arg)
{
	(void)arg;
	return time_now_ms();
}

int
queue_open(const char *path, const struct queue_opts *opts,
    struct queue **ret_q)
{
	const char *name = opts && opts->backend ? opts->backend : "sqlite";
	struct queue *q;
	int r;

	open_error[0] = '\0';
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	if (opts != NULL)
		q->opts = *opts;
	if (q->opts.busy_timeout_ms <= 0)
		q->opts.busy_timeout_ms = DEFAULT_BUSY_TIMEOUT_MS;
	if (q->opts.max_attempts <= 0)
		q->opts.max_attempts = DEFAULT_MAX_ATTEMPTS;
	if (q->opts.now_ms == NULL)
		q->opts.now_ms = real_clock;
	q->opts.actor = strdup(q->opts.actor ? q->opts.actor : "operator");
	q->path = strdup(path);
	if (q->opts.actor == NULL || q->path == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i]->name, name) == 0)
			q->be = backends[i];
	if (q->be == NULL) {
		queue_set_open_error("unknown queue back end '%s'", name);
		r = -ENOTSUP;
		goto fail;
	}
	r = q->be->open(q, path);
	if (r < 0)
		goto fail;
	*ret_q = q;
	return 0;
fail:
	free((char *)q->opts.actor);
	free(q->path);
	free(q);
	return r;
}

void
queue_close(struct queue *q)
{
	if (q == NULL)
		return;
	if (q->in_txn)
		q->be->rollback(q);
	q->be->close(q);
	doorbell_close(q->bell);
	free((char *)q->opts.actor);
	free(q->path);
	free(q);
}

const char *
queue_errmsg(const struct queue *q)
{
	return q->errmsg;
}

const char *
queue_strerror(int r)
{
	switch (r) {
	case -EISDIR:
		return "the database path is a directory";
	case -ENOENT:
		return "no such file or directory";
	case -EACCES:
	case -EPERM:
		return "permission denied";
	case -EROFS:
		return "the database is read-only";
	case -EBADMSG:
		return "the file is not a draftbot database (corrupt or not "
		       "SQLite)";
	case -EPROTO:
		return "the database was made by a newer draftbot";
	case -EBUSY:
		return "the database stayed locked past the busy timeout";
	case -ESTALE:
		return "the lease was lost to another worker";
	case -EINVAL:
		return "invalid argument";
	case -ENOSPC:
		return "no space left on the device";
	case -ENOTSUP:
		return "not supported";
	default:
		return strerror(-r);
	}
}

int
queue_schema_version(const struct queue *q)
{
	return q->be->schema_version(q);
}

int
queue_schema_latest(void)
{
	return (int)schema_sqlite_count;
}

int64_t
queue_now(const struct queue *q)
{
	return q->opts.now_ms(q->opts.clock_arg);
}

static void
ring(struct queue *q)
{
	if (q->in_txn) {
		q->ring_on_commit = true;
		return;
	}
	if (q->bell == NULL && doorbell_open(q->path, &q->bell) < 0)
		return; /* workers still find it by their fallback poll */
	doorbell_ring(q->bell);
}

int
queue_begin(struct queue *q)
{
	int r;

	if (q->in_txn)
		return queue_set_error(q, -EALREADY,
		    "a transaction is already open");
	r = q->be->begin(q);
	if (r == 0) {
		q->in_txn = true;
		q->ring_on_commit = false;
	}
	return r;
}

int
queue_commit(struct queue *q)
{
	int r;

	if (!q->in_txn)
		return queue_set_error(q, -EINVAL, "no transaction is open");
	r = q->be->commit(q);
	q->in_txn = false;
	if (r == 0 && q->ring_on_commit)
		ring(q);
	q->ring_on_commit = false;
	return r;
}

int
queue_rollback(struct queue *q)
{
	if (!q->in_txn)
		return 0;
	q->in_txn = false;
	q->ring_on_commit = false;
	return q->be->rollback(q);
}

bool
queue_is_json_object(const char *text, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;
	bool ok;

	tok = json_tokener_new();
	if (tok == NULL)
		return false;
	o = json_tokener_parse_ex(tok, text, (int)len);
	ok = o != NULL && json_object_is_type(o, json_type_object) &&
	    tok->char_offset == (int)len;
	json_object_put(o);
	json_tokener_free(tok);
	return ok;
}

int
job_validate_new(struct queue *q, const struct queue_new *n)
{
	size_t len;

	if (n->type == NULL || n->type[0] == '\0')
		return queue_set_error(q, -EINVAL, "the type is empty");
	if (strlen(n->type) > QUEUE_TYPE_MAX)
		return queue_set_error(q, -EINVAL,
		    "the type is longer than %d bytes", QUEUE_TYPE_MAX);
	if (n->key == NULL || n->key[0] == '\0')
		return queue_set_error(q, -EINVAL,
		    "the idempotency key is empty");
	len = strlen(n->key);
	if (len > QUEUE_KEY_MAX)
		return queue_set_error(q, -EINVAL,
		    "the idempotency key is %zu bytes; the limit is %d", len,
		    QUEUE_KEY_MAX);
	if (n->max_attempts < 0 || n->max_attempts > 1000)
		return queue_set_error(q, -EINVAL,
		    "max attempts must be between 1 and 1000");
	if (n->payload == NULL)
		return 0;
	len = strlen(n->payload);
	if (len > QUEUE_PAYLOAD_MAX)
		return queue_set_error(q, -EINVAL,
		    "the payload is %zu bytes; the limit is %d", len,
		    QUEUE_PAYLOAD_MAX);
	if (!queue_is_json_object(n->payload, len))
		return queue_set_error(q, -EINVAL,
		    "the payload is not a JSON object");
	return 0;
}

int
job_enqueue(struct queue *q, enum job_kind k, const struct queue_new *n,
    int64_t *ret_id, bool *ret_dup)
{
	int64_t id = 0;
	bool dup = false;
	int r;

	r = job_validate_new(q, n);
	if (r < 0)
		return r;
	r = q->be->enqueue(q, k, n, &id, &dup);
	if (r < 0)
		return r;
	if (!dup)
		ring(q);
	if (ret_id != NULL)
		*ret_id = id;
	if (ret_dup != NULL)
		*ret_dup = dup;
	return 0;
}

int
job_claim(struct queue *q, enum job_kind k, const char *owner, int64_t lease_ms,
    const struct job_filter *only, struct queue_cmd **ret)
{
	if (owner == NULL || owner[0] == '\0' ||
	    strlen(owner) >= QUEUE_OWNER_MAX)
		return queue_set_error(q, -EINVAL,
		    "the lease owner must be 1 to %d bytes",
		    QUEUE_OWNER_MAX - 1);
	if (lease_ms <= 0)
		return queue_set_error(q, -EINVAL, "the lease must be > 0 ms");
	return q->be->claim(q, k, owner, lease_ms, only, ret);
}

int
job_complete(struct queue *q, enum job_kind k, const struct queue_cmd *c,
    const char *result)
{
	int r;

	if (result != NULL && strlen(result) > QUEUE_PAYLOAD_MAX)
		return queue_set_error(q, -EINVAL, "the result is too large");
	r = q->be->complete(q, k, c, result);
	/* The next command of this chat may be waiting for this one. */
	if (r == 0 && c->chat_id != 0)
		ring(q);
	return r;
}

/* attempt^4 seconds, ± 10 % jitter, capped at a day. */
static int64_t
backoff_ms(int attempt)
{
	int64_t base, jitter;
	uint32_t rnd = 0;

	if (attempt > 38)
		attempt = 38;
	base = (int64_t)attempt * attempt * attempt * attempt * 1000;
	if (base > 86400000)
		base = 86400000;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint32_t)rand();
	/* uniform in [-base/10, +base/10] */
	jitter = (int64_t)(((double)rnd / UINT32_MAX * 2.0 - 1.0) * base / 10);
	return base + jitter;
}

/* Cut a partial UTF-8 sequence left at the end by truncation. */
static void
utf8_trim(char *s)
{
	size_t n = strlen(s), i = n, need;

	while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || ((unsigned char)s[i - 1] & 0x80) == 0)
		return; /* ends in ASCII */
	i--; /* the lead byte */
	need = ((unsigned char)s[i] & 0xe0) == 0xc0   ? 2
	    : ((unsigned char)s[i] & 0xf0) == 0xe0 ? 3
	    : ((unsigned char)s[i] & 0xf8) == 0xf0 ? 4
						     : 0;
	if (n - i != need)
		s[i] = '\0';
}

int
job_fail(struct queue *q, enum job_kind k, const struct queue_cmd *c,
    enum queue_failure kind, int64_t delay_ms, const char *error)
{
	char msg[QUEUE_ERROR_MAX];
	bool dead = kind == QUEUE_PERMANENT;
	int r;

	snprintf(msg, sizeof(msg), "%s", error ? error : "unknown error");
	if (!dead && c->attempts >= c->max_attempts) {
		dead = true;
		snprintf(msg, sizeof(msg), "gave up after %d attempts: %s",
		    c->attempts, error ? error : "unknown error");
	}
	utf8_trim(msg);
	if (delay_ms < 0)
		delay_ms = backoff_ms(c->attempts);
	r = q->be->fail(q, k, c, dead, queue_now(q) + delay_ms, msg);
	if (r == 0 && dead && c->chat_id != 0)
		ring(q);
	return r;
}

int
queue_enqueue(struct queue *q, const struct queue_new *n, int64_t *ret_id,
    bool *ret_dup)
{
	return job_enqueue(q, JOB_COMMAND, n, ret_id, ret_dup);
}

int
queue_claim(struct queue *q, const char *owner, int64_t lease_ms,
    struct queue_cmd **ret)
{
	return job_claim(q, JOB_COMMAND, owner, lease_ms, NULL, ret);
}

int
queue_complete(struct queue *q, const struct queue_cmd *c, const char *result)
{
	return job_complete(q, JOB_COMMAND, c, result);
}

int
queue_fail(struct queue *q, const struct queue_cmd *c, enum queue_failure kind,
    int64_t delay_ms, const char *error)
{
	return job_fail(q, JOB_COMMAND, c, kind, delay_ms, error);
}

int
queue_extend(struct queue *q, struct queue_cmd *c, int64_t lease_ms)
{
	if (lease_ms <= 0)
		return queue_set_error(q, -EINVAL, "the lease must be > 0 ms");
	return q->be->extend(q, JOB_COMMAND, c, lease_ms);
}

int
queue_retry(struct queue *q, int64_t id)
{
	int r = q->be->retry(q, JOB_COMMAND, id);

	if (r == 0)
		ring(q);
	return r;
}

int
queue_get(struct queue *q, int64_t id, struct queue_cmd **ret)
{
	return q->be->get(q, JOB_COMMAND, id, ret);
}

int
queue_stats(struct queue *q, struct queue_stats *ret)
{
	return q->be->stats(q, JOB_COMMAND, ret);
}

int
queue_list(struct queue *q, int status, int limit,
    int (*fn)(const struct queue_cmd *c, void *arg), void *arg)
{
	return q->be->list(q, JOB_COMMAND, status, limit, fn, arg);
}

int
queue_prune(struct queue *q, int64_t done_before_ms, int64_t audit_before_ms,
    int64_t *ret_cmds, int64_t *ret_audit)
{
	return q->be->prune(q, done_before_ms, audit_before_ms, ret_cmds,
	    ret_audit);
}

int
queue_wait(struct queue *q, int timeout_ms)
{
	int64_t next = 0, now;
	int r;

	if (timeout_ms < 0)
		timeout_ms = FALLBACK_POLL_MS;
	if (q->bell == NULL) {
		r = doorbell_open(q->path, &q->bell);
		if (r < 0)
			return queue_set_error(q, r, "doorbell: %s",
			    strerror(-r));
	}
	r = q->be->next_run_at(q, &next);
	if (r < 0)
		return r;
	now = queue_now(q);
	if (next > 0 && next - now < timeout_ms)
		timeout_ms = next > now ? (int)(next - now) : 0;
	return doorbell_wait(q->bell, timeout_ms);
}

void
queue_cmd_free(struct queue_cmd *c)
{
	if (c == NULL)
		return;
	free(c->type);
	free(c->key);
	free(c->payload);
	free(c->lease_owner);
	free(c->last_error);
	free(c->result);
	free(c);
}

const char *
queue_status_name(enum queue_status s)
{
	return (unsigned)s < QUEUE_NSTATUS ? status_names[s] : "unknown";
}

int
queue_status_parse(const char *name, enum queue_status *ret)
{
	for (int i = 0; i < QUEUE_NSTATUS; i++) {
		if (strcmp(name, status_names[i]) == 0) {
			*ret = (enum queue_status)i;
			return 0;
		}
	}
	return -EINVAL;
}

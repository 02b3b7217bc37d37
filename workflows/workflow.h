/*
 * workflow — what the executor runs for a claimed command.
 *
 * wf_execute() routes the command by type (message, callback, member,
 * maintenance, ignored) through a table to one workflow module (intent →
 * draft task, edit, confirm, cancel, undo, /tasks, /tz, help, access,
 * expire), and finishes it in ONE transaction: the drafts and tasks it
 * changed, its audit rows, its outgoing Telegram messages (outbox) and the
 * completion of the command.  A crash before the commit leaves nothing, so
 * the re-run does it once; a re-run after it finds the command completed.
 * Nothing is written outside the database: the outbox sender talks to
 * Telegram later.
 */
#ifndef DRAFTBOT_WORKFLOW_H
#define DRAFTBOT_WORKFLOW_H

#include <stdint.h>

#include "common/cfg.h"
#include "queue/queue.h"

struct wf_services;

struct wf_env {
	struct queue *q;       /* this worker's connection */
	const struct cfg *cfg; /* tz, allowed_users, draft_ttl, … */
	struct wf_services *svc; /* Google and LLM clients, the secret key:
				    made on first use, freed by
				    wf_env_close() */
};

/* Free what the workflows made on first use (env->svc); the queue and
 * cfg stay the caller's. */
void wf_env_close(struct wf_env *env);

/*
 * Run claimed command c to completion.  Returns 0 when the command was
 * completed (including a polite refusal or "I did not understand"), or a
 * negative errno code with nothing written: retryable ones (-EBUSY,
 * -EAGAIN, -ETIMEDOUT, -EIO) for queue_fail(QUEUE_RETRY), others
 * (-EINVAL: a payload that is not an Update, …) for QUEUE_PERMANENT.
 * -ESTALE: the lease was lost; do nothing more.
 */
int wf_execute(struct wf_env *env, const struct queue_cmd *c);

struct gapi_tokens;
struct gapi_opts;
struct llm_opts;

/* The Google client's and the LLM client's options from the settings
 * (google_*, llm_*); the strings are borrowed from c. */
void wf_gapi_opts(const struct cfg *c, struct gapi_opts *o);
void wf_llm_opts(const struct cfg *c, struct llm_opts *o);

/*
 * For operators (draftbot google connect / import-token): seal and store
 * Google tokens t for user_id as /connect would, make Google where their
 * confirmed things go, and audit google_connected — one transaction.  0,
 * or an error with the reason in err.
 */
int wf_google_import(struct wf_env *env, int64_t user_id,
    const struct gapi_tokens *t, char *err, size_t errlen);

/* Is r worth a retry? */
int wf_retryable(int r);

#endif

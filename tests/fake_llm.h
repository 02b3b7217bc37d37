/*
 * fake_llm — a small fake of an OpenAI-compatible chat completions API for
 * tests and benchmarks, on libmicrohttpd at 127.0.0.1 on an ephemeral
 * port, a thread per connection.
 *
 * It serves POST /v1/chat/completions.  With a key configured, a request
 * without "Authorization: Bearer <key>" gets OpenAI's 401
 * invalid_api_key.  The body must be a JSON object with a string "model",
 * a non-empty "messages" array of {role, content} objects and
 * "response_format": {"type": "json_schema", "json_schema": {"name": …,
 * "schema": {…}}}; otherwise 400 invalid_request_error naming the
 * parameter.  Other paths get 404.  A good request is answered with an
 * OpenAI-shaped completion:
 *
 *   {"id":"chatcmpl-fake-N","object":"chat.completion","created":…,
 *    "model":<the request's>,"choices":[{"index":0,"message":{"role":
 *    "assistant","content":<text>},"finish_reason":"stop"}],
 *    "usage":{"prompt_tokens":…,"completion_tokens":…,"total_tokens":…}}
 *
 * The content comes, in this order, from the queue (fake_llm_push_reply),
 * else the fixed reply (fake_llm_set_reply), else an echo of the last user
 * message: {"kind":"task","title":<its first 120 bytes, trimmed>, every
 * other field empty or 0}.
 *
 * Every request is recorded and every function is thread-safe.
 */
#ifndef DRAFTBOT_FAKE_LLM_H
#define DRAFTBOT_FAKE_LLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fake_llm;

/*
 * Start a fake that demands key as the bearer token (copied; NULL or ""
 * = any or none).  On success store the handle in *ret and return 0;
 * otherwise -EINVAL, -ENOMEM or -EADDRNOTAVAIL (the daemon did not start).
 */
int fake_llm_start(const char *key, struct fake_llm **ret);

/* Stop the server (cutting delays short) and free everything.  NULL is a
 * no-op. */
void fake_llm_stop(struct fake_llm *f);

/* "http://127.0.0.1:<port>/v1": the url for llm_opts; owned by f. */
const char *fake_llm_base_url(const struct fake_llm *f);
uint16_t fake_llm_port(const struct fake_llm *f);

/* The content of every answer from now on (copied; any text, JSON or
 * not); NULL goes back to the echo.  0 or -ENOMEM. */
int fake_llm_set_reply(struct fake_llm *f, const char *content);

/* Queue content for the next answer; several calls queue up in order and
 * come before the fixed reply.  0 or -ENOMEM. */
int fake_llm_push_reply(struct fake_llm *f, const char *content);

/*
 * Answer the next request that passed the key check with HTTP status and
 * body verbatim (application/json when body starts with '{' or '[', else
 * text/html); status 0 drops the connection.  Queues up; comes before
 * faults and replies.  0 or -ENOMEM.
 */
int fake_llm_push_raw(struct fake_llm *f, int status, const char *body);

enum fake_llm_fault {
	FAKE_LLM_FAULT_NONE,
	FAKE_LLM_FAULT_429,        /* OpenAI's rate_limit_exceeded, with
	                              Retry-After when set (see below) */
	FAKE_LLM_FAULT_500,        /* OpenAI's server_error */
	FAKE_LLM_FAULT_DROP,       /* the connection closes, no answer */
	FAKE_LLM_FAULT_BAD_JSON,   /* content "{not json" */
	FAKE_LLM_FAULT_SCHEMA,     /* content that is JSON but breaks the
	                              schema (kind "meeting") */
	FAKE_LLM_FAULT_NO_CHOICES, /* 200 with "choices": [] */
	FAKE_LLM_FAULT_TRUNCATED,  /* finish_reason "length", content cut */
};

/*
 * Answer the next n good requests (n < 0: all, until set again) with
 * fault instead of a completion; FAKE_LLM_FAULT_NONE clears it.
 * retry_after_s is sent as Retry-After with a 429 (0 = no header).
 * Faults come after raw replies and before content.
 */
void fake_llm_set_fault(
    struct fake_llm *f, enum fake_llm_fault fault, int n, int retry_after_s);

/* Wait delay_ms before answering every request (0 = none); a stop cuts
 * it short. */
void fake_llm_set_delay_ms(struct fake_llm *f, int delay_ms);

/* Report these token counts in "usage"; negative prompt omits "usage".
 * The default counts about one token per 4 bytes of the request's
 * messages and of the content. */
void fake_llm_set_usage(struct fake_llm *f, int64_t prompt, int64_t completion);
void fake_llm_default_usage(struct fake_llm *f);

/* Requests received, answered or not (a wrong key or path counts). */
size_t fake_llm_count(struct fake_llm *f);

/* Completions answered 200 with choices (faults and errors excluded). */
size_t fake_llm_count_ok(struct fake_llm *f);

/* The last request's body, a copy the caller frees; NULL when none came
 * (or ENOMEM). */
char *fake_llm_last_body(struct fake_llm *f);

/* The last request's Authorization header into buf ("" when it had none);
 * returns whether it had one. */
bool fake_llm_last_auth(struct fake_llm *f, char *buf, size_t len);

/* Forget the counts and the last request. */
void fake_llm_clear(struct fake_llm *f);

#endif

/*
 * llm — the client of an OpenAI-compatible chat completions API (OpenAI,
 * Gemini's compatibility endpoint, Ollama, or any other) that reads one
 * chat message into a validated draft: a task, an event, something else,
 * or unclear with a question to ask.
 *
 * The rules (workflows/nlp) decide most messages; this is asked only when
 * they are not confident.  One handle holds one kept-alive connection; it
 * may be shared between threads, and its calls then take turns.
 */
#ifndef DRAFTBOT_LLM_H
#define DRAFTBOT_LLM_H

#include <stddef.h>
#include <stdint.h>

#define LLM_ERR_MAX 256 /* a good size for the err buffers below */

struct llm;

struct llm_opts {
	const char *provider; /* "none", "gemini", "openai", "ollama",
	                         "custom"; NULL or "" = "none" */
	const char *url;      /* base URL ("…/v1"); overrides the preset's */
	const char *key;      /* API key, sent as a bearer token; copied,
	                         wiped on close; NULL or "" = none */
	const char *model;    /* overrides the preset's */
	long timeout_ms;      /* whole call, 1..10000; 0 = 10000 */
};

/*
 * Presets: gemini → https://generativelanguage.googleapis.com/v1beta/openai
 * with gemini-2.5-flash; openai → https://api.openai.com/v1 with
 * gpt-4o-mini; ollama → http://127.0.0.1:11434/v1 with llama3.2 (no key
 * needed).  custom needs url and model.
 *
 * Check o without opening anything: 0, -ENOENT when the provider is "none"
 * (no LLM configured), or -EINVAL with the reason in err (unknown
 * provider, missing url, model or key (gemini and openai need a key), a
 * URL that is not http(s), a key that would go over plain http to another
 * host, a time-out out of range).  err never contains the key.
 */
int llm_opts_check(const struct llm_opts *o, char *err, size_t errlen);

/*
 * Open a client as o says (strings are copied).  On success store it in
 * *ret and return 0; otherwise *ret is untouched and: -ENOENT (provider
 * "none"), -EINVAL (llm_opts_check() tells why), -ENOMEM, or -ENOSYS/-EIO
 * when libcurl cannot be loaded.
 */
int llm_open(const struct llm_opts *o, struct llm **ret);
void llm_close(struct llm *l); /* NULL is a no-op; wipes the key */

/* The model asked, owned by l. */
const char *llm_model(const struct llm *l);

struct llm_usage {
	int64_t prompt_tokens, completion_tokens;
};

/* The structured reading of one message, validated. */
enum llm_kind {
	LLM_TASK,
	LLM_EVENT,
	LLM_OTHER, /* list, help, chit-chat … */
	LLM_UNCLEAR
};

struct llm_reading {
	enum llm_kind kind;
	char title[256];  /* non-empty for task/event */
	char notes[1024]; /* may hold newlines */
	char date[11];    /* "YYYY-MM-DD" (a real date) or "" */
	char time[6];     /* "HH:MM" or "" */
	char end_time[6]; /* "HH:MM" or "" */
	int duration_min; /* 0 = not stated; at most 10080 (a week) */
	char location[256];
	int priority; /* 0 none, 1 low, 2 medium, 3 high */
	char subtasks[20][128];
	int nsubtasks;
	char question[256]; /* when kind is LLM_UNCLEAR: what to ask
	                       (non-empty then) */
};

enum llm_purpose {
	LLM_PURPOSE_INTENT, /* what is it? temperature 0.1 */
	LLM_PURPOSE_DRAFT,  /* better titles, notes, subtasks; 0.3 */
};

/*
 * Ask the model to read text (the person's message, UTF-8, at most 16 KiB)
 * given today's local date and time today_iso ("2026-11-22T10:30") and
 * the IANA zone tz (NULL or "" = not said), so that relative dates
 * resolve.  One chat completion with a strict JSON schema; the reply is
 * validated field by field: types, enums, lengths (a string at most 10 %
 * over its limit is cut at a UTF-8 boundary, a longer one is invalid),
 * dates that exist, times, no unknown or missing fields.
 *
 * On 0 *ret holds the reading.  *usage (may be NULL) is set whenever the
 * API reported token counts, even when the reading was then invalid, and
 * is zeroed otherwise.  Errors, with a one-line reason in err (may be
 * NULL) that never holds the key (nor does a failed check quote the
 * model's reply):
 *   -ETIMEDOUT  no answer within timeout_ms
 *   -EAGAIN     429: rate limited or out of quota (llm_retry_after()
 *               has the Retry-After, err says it too)
 *   -EREMOTEIO  5xx
 *   -EBADMSG    not the API's JSON, no choices, a refusal, a cut-off
 *               reply, content that is not JSON or fails validation (err
 *               names the field)
 *   -EACCES     401/403: the key was refused
 *   -EINVAL     another 4xx (err has the API's message), or bad arguments
 *   -ECONNREFUSED, -EHOSTUNREACH, -EIO, -EMSGSIZE, -ENOMEM  from http_do
 */
int llm_read(struct llm *l, enum llm_purpose p, const char *text,
    const char *today_iso, const char *tz, struct llm_reading *ret,
    struct llm_usage *usage, char *err, size_t errlen);

/*
 * Seconds from the Retry-After header of the latest 429 answered on l, 0
 * when it had none (or no 429 came yet).  A hint for backing off: with
 * threads sharing l it may be another call's.
 */
int llm_retry_after(const struct llm *l);

/*
 * What a call with usage u costs, in micro-units, given the prices of 1M
 * prompt and completion tokens in micro-units: rounded up, integer
 * arithmetic only, saturating at INT64_MAX; negative counts or prices
 * count as 0.  NULL u costs 0.
 */
int64_t llm_cost_micros(
    const struct llm_usage *u, int64_t price_in_per_m, int64_t price_out_per_m);

/* A short word for the audit log for llm_read()'s result r: "ok",
 * "timeout", "rate_limited", "server_error", "invalid_json", "auth" or
 * "error".  Static storage. */
const char *llm_outcome_name(int r);

/* "task", "event", "other", "unclear"; "?" for anything else. */
const char *llm_kind_name(enum llm_kind k);

#endif

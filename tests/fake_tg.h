/*
 * fake_tg — a small fake of the Telegram Bot API for tests, on
 * libmicrohttpd at 127.0.0.1 on an ephemeral port.
 *
 * It serves the real paths /bot<token>/<method>: POST with a JSON body, a
 * multipart/form-data or urlencoded form, or GET with a query string (query
 * parameters and body parameters are merged, the body winning).  A wrong
 * token or an unknown method gets 404 {"ok":false,"error_code":404,
 * "description":"Not Found"}.  Methods and what they answer:
 *
 *   getMe                 a User (id = the token's digits before ':', else 1;
 *                         username "fake_bot", first_name "Fake Bot")
 *   sendMessage           a Message: message_id counting from 1 per chat,
 *                         from, chat (private for ids > 0, group or
 *                         supergroup below 0), date, text, reply_markup
 *   editMessageText,      the edited Message, or 400 "Bad Request: message
 *   editMessageReplyMarkup  is not modified: …" when text and markup are
 *                         unchanged, or 400 "… message to edit not found"
 *   answerCallbackQuery, sendChatAction, deleteWebhook   true
 *   setWebhook            true; remembers url (and whether a certificate
 *                         part came along); url "" deletes the webhook
 *   getWebhookInfo        a WebhookInfo with that url
 *   getUpdates            the queued updates from offset on (an offset
 *                         confirms and drops every earlier one), at most
 *                         limit; with timeout > 0 and nothing to give it
 *                         waits until an update is pushed or the timeout
 *                         passes; 409 Conflict while a webhook is set
 *
 * Every request is recorded.  Faults (429, 500/502, dropped connections,
 * slow answers) and canned replies can be set at any time from the test.
 * Every function is thread-safe; the server answers each connection on a
 * thread of its own, so long polls and slow answers do not block others.
 */
#ifndef DRAFTBOT_FAKE_TG_H
#define DRAFTBOT_FAKE_TG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fake_tg;

/*
 * Start a fake that accepts token (copied; must be non-empty).  On success
 * store the handle in *ret and return 0; otherwise -EINVAL, -ENOMEM or
 * -EADDRNOTAVAIL (the daemon did not start).
 */
int fake_tg_start(const char *token, struct fake_tg **ret);

/* Stop the server (waking long polls and slow answers first) and free
 * everything.  NULL is a no-op. */
void fake_tg_stop(struct fake_tg *f);

/* "http://127.0.0.1:<port>", the api_base for tg_opts; owned by f. */
const char *fake_tg_base_url(const struct fake_tg *f);
uint16_t fake_tg_port(const struct fake_tg *f);

/*
 * Answer the next request for a known method with the right token with
 * HTTP status and body, verbatim, instead of the method's own answer;
 * status 0 drops the connection.  Several calls queue up in order.  A
 * canned reply takes precedence over faults, not over the delay.  body is
 * copied.  0 or -ENOMEM.
 */
int fake_tg_set_next_reply(struct fake_tg *f, int status, const char *body);

/*
 * Queue an update for getUpdates.  json must be a JSON object; without an
 * integer "update_id" the fake assigns the next one.  Returns the update_id
 * (>= 0) or -EINVAL.  Wakes a waiting long poll.
 */
int64_t fake_tg_push_update(struct fake_tg *f, const char *json);

/* Updates queued and not yet confirmed by an offset. */
size_t fake_tg_pending_updates(struct fake_tg *f);

/* The webhook url set with setWebhook into buf ("" when none); returns
 * whether one is set. */
bool fake_tg_webhook(struct fake_tg *f, char *buf, size_t len);

/*
 * Fault injection.  Each request whose method matches (method NULL = every
 * method) first waits delay_ms, then draws one number from a PRNG seeded
 * with seed: below p_drop the connection is closed without an answer, then
 * p_429 answers 429 "Too Many Requests: retry after N" with
 * parameters.retry_after = retry_after (0 means 1), then p_5xx answers 500
 * (Bot API JSON) or 502 (an nginx HTML page), half each.  The same seed
 * and the same sequence of requests give the same faults.
 */
struct fake_tg_faults {
	double p_drop;   /* 0..1 */
	double p_429;    /* 0..1 */
	double p_5xx;    /* 0..1 */
	int retry_after; /* seconds in a 429 */
	int delay_ms;    /* before every matching answer */
	uint64_t seed;
	const char *method; /* copied; NULL = every method */
};

/* Replace the fault settings (NULL = no faults) and reseed the PRNG. */
void fake_tg_set_faults(struct fake_tg *f, const struct fake_tg_faults *x);

enum fake_tg_outcome {
	FAKE_TG_ANSWERED, /* the method's own answer (ok or an API error) */
	FAKE_TG_CANNED,   /* a reply from fake_tg_set_next_reply() */
	FAKE_TG_FAULT_429,
	FAKE_TG_FAULT_5XX,
	FAKE_TG_DROPPED,   /* closed without an answer (fault or canned) */
	FAKE_TG_NOT_FOUND, /* wrong token, bad path or unknown method */
};

/* One recorded request. */
struct fake_tg_req {
	char method[64]; /* "sendMessage"; "" when the path had none */
	char verb[8];    /* "POST", "GET" */
	char *body;      /* a JSON object's text: the raw JSON body, or the
	                    form/query fields; a file part becomes
	                    {"filename":…,"content_type":…,"data":…} */
	bool multipart;  /* the body came as multipart/form-data */
	int64_t t_ns;    /* arrival, CLOCK_MONOTONIC */
	bool has_chat_id;
	int64_t chat_id; /* chat_id parameter when numeric */
	uint64_t conn;   /* TCP connection number, from 1 */
	int status;      /* HTTP status answered; 0 = dropped */
	bool ok;         /* the answer was {"ok":true,…} */
	enum fake_tg_outcome outcome;
};

/*
 * Copy the recorded requests for method (NULL = all), in the order they were
 * answered, into a new array *ret of *ret_n entries; free it with
 * fake_tg_requests_free().  0 or -ENOMEM.
 */
int fake_tg_requests(struct fake_tg *f, const char *method,
    struct fake_tg_req **ret, size_t *ret_n);
void fake_tg_requests_free(struct fake_tg_req *reqs, size_t n);

/* Requests recorded for method (NULL = all); _ok counts only those
 * answered {"ok":true}. */
size_t fake_tg_count(struct fake_tg *f, const char *method);
size_t fake_tg_count_ok(struct fake_tg *f, const char *method);

/* Wait until fake_tg_count (or _count_ok) of method reaches n.  0, or
 * -ETIMEDOUT when timeout_ms passes first: a hang guard, not a timer. */
int fake_tg_wait_count(
    struct fake_tg *f, const char *method, size_t n, int timeout_ms);
int fake_tg_wait_ok(
    struct fake_tg *f, const char *method, size_t n, int timeout_ms);

/* Forget the recorded requests (messages and updates stay). */
void fake_tg_clear_requests(struct fake_tg *f);

/*
 * The current text and reply_markup (JSON text, NULL when none) of a
 * message sent through the fake, after any edits; the caller frees both.
 * 0, -ENOENT or -ENOMEM.
 */
int fake_tg_message(struct fake_tg *f, int64_t chat_id, int64_t message_id,
    char **ret_text, char **ret_markup);

/*
 * Telegram's rate limits, checked over sendMessage calls answered ok:
 * at most 30 per second overall, at most 20 per minute in a group (a
 * negative chat id), and about one per second in a private chat, where
 * short bursts are tolerated, so those are reported but not violations.
 * A window is any interval of that length.
 */
struct fake_tg_rates {
	size_t sent;              /* sendMessage answered ok */
	int global_max_1s;        /* most sends in any 1 s */
	size_t global_violations; /* sends that made a 1 s window > 30 */
	int private_max_1s;       /* most sends to one private chat in 1 s */
	int64_t private_max_chat;
	size_t private_bursts; /* sends that made a chat's 1 s window > 1 */
	int group_max_1min;    /* most sends to one group in 60 s */
	int64_t group_max_chat;
	size_t group_violations; /* sends that made a 60 s window > 20 */
};

/* The rates over everything f recorded. */
void fake_tg_rates(struct fake_tg *f, struct fake_tg_rates *out);

/* The rates over reqs (only sendMessage with ok are counted), for tests of
 * the check itself and for callers that filter first. */
void fake_tg_rates_of(
    const struct fake_tg_req *reqs, size_t n, struct fake_tg_rates *out);

#endif

/*
 * fake_tg_int.h — what the files of the fake Telegram server share: the
 * state behind struct fake_tg and the Bot API methods' table.
 *
 *   fake_tg.c          the HTTP server, faults, canned replies, updates
 *   fake_tg_methods.c  what each Bot API method answers
 *   fake_tg_records.c  the recorded requests and the rate-limit check
 *
 * All state is guarded by f->lock; f->cond is broadcast on every change.
 */
#ifndef DRAFTBOT_FAKE_TG_INT_H
#define DRAFTBOT_FAKE_TG_INT_H

#include <json-c/json.h>
#include <pthread.h>
#include <time.h>

#include "tests/fake_tg.h"

struct fake_tg_canned {
	int status;
	char *body;
};

struct fake_tg_update {
	int64_t id;
	char *json;
};

struct fake_tg_msg {
	int64_t chat;
	int64_t id;
	char *text;
	char *markup; /* plain JSON text, NULL when none */
};

struct fake_tg_chat {
	int64_t id;
	int64_t last_message_id;
};

struct fake_tg {
	struct MHD_Daemon *daemon;
	char token[256];
	char base_url[64];
	uint16_t port;
	int64_t bot_id;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC; broadcast on any change */
	bool stopping;
	uint64_t conns;

	bool faults_on;
	struct fake_tg_faults faults;
	char *fault_method;
	uint64_t rng;

	struct fake_tg_canned *canned;
	size_t n_canned, cap_canned;

	struct fake_tg_update *updates; /* sorted by id */
	size_t n_updates, cap_updates;
	int64_t next_update_id;

	struct fake_tg_msg *msgs;
	size_t n_msgs, cap_msgs;
	struct fake_tg_chat *chats;
	size_t n_chats, cap_chats;

	char *webhook_url; /* NULL when none */
	bool webhook_cert;

	struct fake_tg_req *reqs;
	size_t n_reqs, cap_reqs;
};

/* A method's answer: *result on 200, else *desc for the error. */
struct fake_tg_answer {
	struct json_object *result;
	const char *desc;
};

struct fake_tg_method {
	const char *name;
	/* called with f->lock held; returns the HTTP status */
	int (*fn)(
	    struct fake_tg *, struct json_object *, struct fake_tg_answer *);
};

/* Make room for need elements of elem bytes in the array *pp whose
 * capacity is *cap.  0 or -ENOMEM. */
int fake_tg_grow(void *pp, size_t *cap, size_t need, size_t elem);

/* CLOCK_MONOTONIC now + ms, for pthread_cond_timedwait on f->cond. */
struct timespec fake_tg_deadline(int64_t ms);

/* The method called name (any case), or NULL. */
const struct fake_tg_method *fake_tg_find_method(const char *name);

/* Parameter key as an integer, from a JSON number or a numeric string. */
bool fake_tg_param_int(struct json_object *p, const char *key, int64_t *v);

/* With f->lock held: a message sent through the fake, or NULL. */
struct fake_tg_msg *fake_tg_find_message(
    struct fake_tg *f, int64_t chat, int64_t id);

/* With f->lock held: forget the first n queued updates. */
void fake_tg_drop_updates(struct fake_tg *f, size_t n);

#endif

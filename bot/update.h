/*
 * update — a Telegram Update reduced to what draftbot uses, and the queue
 * command it becomes.
 *
 * Parsing accepts every real Update: unknown update kinds and unknown fields
 * are ignored; fields old clients omit (is_bot, chat_instance,
 * file_unique_id, …) are not required.  Only a body that is not a JSON
 * object, or an object without an integer update_id, is refused.
 *
 * (*) A message with no entities array at all (old clients, Telegram's own
 * webhook examples) still gets a command from a leading "/word[@bot]"
 * followed by a space or the end, the shape Telegram marks as bot_command.
 */
#ifndef DRAFTBOT_UPDATE_H
#define DRAFTBOT_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "queue/queue.h"

#define UPD_TEXT_MAX 4096      /* Telegram's own message limit, UTF-16 units */
#define UPD_TEXT_BYTES_MAX (3 * UPD_TEXT_MAX) /* upd.text's bytes at most */
#define UPD_CALLBACK_MAX 64    /* callback_data limit */
#define UPD_COMMAND_MAX 64     /* "/start" without @botname */

enum upd_kind {
	UPD_MESSAGE,         /* message (text, caption, photo, voice, …) */
	UPD_EDITED_MESSAGE,
	UPD_CALLBACK,        /* callback_query: a button press */
	UPD_MY_CHAT_MEMBER,  /* the bot was blocked/unblocked/added */
	UPD_CHANNEL_POST,
	UPD_OTHER,           /* any other kind: accepted and ignored */
};

#define UPD_LINK_MAX 2048

struct upd {
	int64_t update_id;
	enum upd_kind kind;
	char kind_name[32];     /* the Update field: "message", "new_update_kind", … */
	int64_t chat_id;        /* 0 if the update has no chat */
	char chat_type[16];     /* private, group, supergroup, channel, "" */
	int64_t user_id;        /* from.id; 0 if none */
	char first_name[64];    /* from.first_name, cut to fit */
	char username[64];      /* from.username or "" */
	int64_t message_id;     /* of the message (or the callback's message) */
	int64_t reply_to_message_id; /* 0 if not a reply */
	int64_t date;           /* Unix seconds, 0 if none */
	char *text;             /* text or caption (owned, may be NULL), see UPD_TEXT_MAX */
	char command[UPD_COMMAND_MAX]; /* "/start" from a leading bot_command entity (*), lower case, without @bot; "" */
	char command_bot[64];   /* the @botname suffix without '@', "" */
	bool has_url;           /* a url/text_link entity */
	char link[UPD_LINK_MAX]; /* the first text_link's hidden http(s) URL
				    (words linked to a page); "" if none or
				    too long */
	bool has_photo, has_voice, has_document;
	char callback_id[80];   /* callback_query.id */
	char callback_data[UPD_CALLBACK_MAX + 1];
	char member_status[16]; /* my_chat_member.new_chat_member.status */
};

/*
 * Parse an Update from json (len bytes).  On success store a new upd in
 * *ret (free with upd_free) and return 0.  -EBADMSG: not JSON (also
 * invalid UTF-8, text after the object, nesting deeper than json-c's default
 * limit) / not an object; -EINVAL: no integer update_id (or one outside
 * int64); -ENOMEM.  On error *ret is untouched.  Text longer than
 * UPD_TEXT_MAX UTF-16 code units (Telegram's measure, so no real message is
 * ever cut) is cut at a character boundary; entities that do not fit the
 * kept text are ignored, never an error.
 */
int upd_parse(const char *json, size_t len, struct upd **ret);

void upd_free(struct upd *u); /* NULL is a no-op */

/*
 * The command an update becomes: type "message" (message, edited message,
 * channel post), "callback" (button press), "member" (my_chat_member),
 * "ignored" (other kinds: still enqueued so the update is acknowledged and
 * audited once, and the executor completes it without effect); key
 * "tg:update:<update_id>"; chat and user ids; payload = the raw update JSON
 * (the executor parses it again).  keybuf (>= 48 bytes) holds the key that
 * n->key points to.  n->payload points into json, which must be
 * NUL-terminated and outlive n.
 */
void upd_to_command(const struct upd *u, const char *json, char *keybuf,
    size_t keylen, struct queue_new *n);

#endif

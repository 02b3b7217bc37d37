/*
 * chat_outbox — `draftbot chat` as the bot's transport instead of
 * Telegram: it claims its own chat's outbox messages, shows them in the
 * terminal and marks each sent with a result shaped like Telegram's, a
 * card's message id recorded on its draft in the same transaction (as the
 * sender does).
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bot/chat_int.h"
#include "queue/outbox.h"
#include "queue/store.h"

#define REF_MAX 64

static const char *
str_of(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int64_t
int_of(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v))
		return 0;
	return json_object_get_int64(v);
}

/* text without parse mode: nothing to decode, but control characters
 * still never reach the terminal.  Caller frees; NULL when out of memory. */
static char *
plain_text(const char *text)
{
	char *s = strdup(text), *o = s;

	if (s == NULL)
		return NULL;
	for (const char *i = text; *i != '\0'; i++)
		if (((unsigned char)*i >= 0x20 && *i != 0x7f) || *i == '\n' ||
		    *i == '\t')
			*o++ = *i;
	*o = '\0';
	return s;
}

/* The message's text for the terminal (ansi) or for the result (plain). */
static char *
render(struct json_object *p, const char *text, bool ansi)
{
	const char *mode = str_of(p, "parse_mode");

	if (mode != NULL && strcasecmp(mode, "HTML") == 0)
		return chat_html_text(text, ansi);
	return plain_text(text);
}

static void
remember(struct chat *ch, int64_t id, const char *text)
{
	struct chat_shown *s = NULL;

	for (size_t i = 0; i < CHAT_SHOWN_MAX && s == NULL; i++)
		if (ch->shown[i].id == id)
			s = &ch->shown[i];
	if (s == NULL) {
		s = &ch->shown[ch->shown_next];
		ch->shown_next = (ch->shown_next + 1) % CHAT_SHOWN_MAX;
	}
	free(s->text);
	s->id = id;
	s->text = strdup(text);
	if (s->text == NULL)
		s->id = 0;
}

/* Message id's buttons are now ch->kb: the numbers press the newest
 * message that has buttons, and none once that one lost them. */
static void
set_card(struct chat *ch, int64_t id)
{
	if (ch->kb.n > 0) {
		ch->card_id = id;
		ch->card = ch->kb;
	} else if (ch->card_id == id) {
		ch->card_id = 0;
		ch->card.n = 0;
	}
}

/* Telegram's Message for a message the terminal showed; caller puts. */
static struct json_object *
message_result(struct chat *ch, struct json_object *p, int64_t id,
    const char *plain, bool edited)
{
	struct json_object *res = json_object_new_object(), *markup;

	json_object_object_add(res, "message_id", json_object_new_int64(id));
	json_object_object_add(res, "from", chat_bot_user());
	json_object_object_add(res, "chat", chat_private(ch));
	json_object_object_add(res, "date", json_object_new_int64(time(NULL)));
	if (edited)
		json_object_object_add(
		    res, "edit_date", json_object_new_int64(time(NULL)));
	json_object_object_add(res, "text", json_object_new_string(plain));
	if (json_object_object_get_ex(p, "reply_markup", &markup) &&
	    ch->kb.n > 0)
		json_object_object_add(
		    res, "reply_markup", json_object_get(markup));
	return res;
}

/*
 * How each Bot API method is shown.  A handler prints the message, stores
 * Telegram's result in *ret (owned by the caller) and, for a new message,
 * its id in *ret_msg_id; or returns -EINVAL/-ENOENT with the reason in why
 * (the message goes to dead, as Telegram's 400 would make it).
 */
struct shower {
	const char *method;
	int (*show)(struct chat *ch, struct json_object *p,
	    struct json_object **ret, int64_t *ret_msg_id, const char **why);
};

static int
show_text(struct chat *ch, struct json_object *p, int64_t id, bool edited,
    struct json_object **ret, const char **why)
{
	const char *text = str_of(p, "text");
	struct json_object *markup = NULL;
	char *shown = NULL, *plain = NULL;

	if (text == NULL) {
		*why = "Bad Request: message text is empty";
		return -EINVAL;
	}
	json_object_object_get_ex(p, "reply_markup", &markup);
	chat_keyboard(markup, &ch->kb);
	shown = render(p, text, ch->ansi);
	plain = render(p, text, false);
	if (shown == NULL || plain == NULL) {
		free(shown);
		free(plain);
		return -ENOMEM;
	}
	chat_print(stdout, edited ? "draftbot (edited):" : "draftbot:", shown,
	    &ch->kb);
	remember(ch, id, shown);
	set_card(ch, id);
	*ret = message_result(ch, p, id, plain, edited);
	free(shown);
	free(plain);
	return 0;
}

static int
show_send(struct chat *ch, struct json_object *p, struct json_object **ret,
    int64_t *ret_msg_id, const char **why)
{
	int64_t id = chat_next_id(ch);
	int r = show_text(ch, p, id, false, ret, why);

	if (r == 0)
		*ret_msg_id = id;
	return r;
}

static int
show_edit(struct chat *ch, struct json_object *p, struct json_object **ret,
    int64_t *ret_msg_id, const char **why)
{
	int64_t id = int_of(p, "message_id");

	if (id == 0) {
		*why = "Bad Request: message to edit not found";
		return -ENOENT;
	}
	return show_text(ch, p, id, true, ret, why);
}

/* Only the buttons change: the text is the one printed before. */
static int
show_markup(struct chat *ch, struct json_object *p, struct json_object **ret,
    int64_t *ret_msg_id, const char **why)
{
	int64_t id = int_of(p, "message_id");
	const char *text = chat_shown_text(ch, id);
	struct json_object *markup = NULL;

	if (id == 0 || text == NULL) {
		*why = "Bad Request: message to edit not found";
		return -ENOENT;
	}
	json_object_object_get_ex(p, "reply_markup", &markup);
	chat_keyboard(markup, &ch->kb);
	chat_print(stdout, "draftbot (edited):", text, &ch->kb);
	set_card(ch, id);
	*ret = message_result(ch, p, id, text, true);
	return 0;
}

/* The notice a button press may get (Telegram's toast or alert). */
static int
show_answer(struct chat *ch, struct json_object *p, struct json_object **ret,
    int64_t *ret_msg_id, const char **why)
{
	const char *text = str_of(p, "text");
	char *plain;

	if (text != NULL && text[0] != '\0') {
		plain = render(p, text, false);
		if (plain == NULL)
			return -ENOMEM;
		chat_print(stdout, "draftbot (notice):", plain, NULL);
		free(plain);
	}
	*ret = json_object_new_boolean(1);
	return 0;
}

/* "typing…" and the like: nothing to show. */
static int
show_nothing(struct chat *ch, struct json_object *p, struct json_object **ret,
    int64_t *ret_msg_id, const char **why)
{
	*ret = json_object_new_boolean(1);
	return 0;
}

static const struct shower showers[] = {
    {"sendMessage", show_send},
    {"editMessageText", show_edit},
    {"editMessageReplyMarkup", show_markup},
    {"answerCallbackQuery", show_answer},
    {"sendChatAction", show_nothing},
};

/* The draft a message refers to ("draft:<id>"), 0 if none, or a queue
 * error. */
static int64_t
draft_of(struct chat *ch, const struct queue_cmd *m)
{
	char ref[REF_MAX];
	int64_t id = 0;
	int r;

	r = outbox_ref(ch->env.q, m->id, ref, sizeof(ref));
	if (r < 0)
		return r;
	if (sscanf(ref, "draft:%" SCNd64, &id) != 1 || id <= 0)
		return 0;
	return id;
}

/*
 * An edit of a card queued before the card was shown carries message_id
 * 0; per-chat order showed the card first, so its id is on the draft now
 * (as the sender fills it in).
 */
static int
fill_message_id(struct chat *ch, struct json_object *p, int64_t draft_id)
{
	struct store_draft *d = NULL;
	int r;

	if (draft_id <= 0 || int_of(p, "message_id") != 0)
		return 0;
	r = store_draft_get(ch->env.q, draft_id, &d);
	if (r == 1 && d->message_id != 0)
		json_object_object_add(
		    p, "message_id", json_object_new_int64(d->message_id));
	store_draft_free(d);
	return r < 0 ? r : 0;
}

/* Record m sent with result and, for a card, its message id on the draft,
 * in one transaction (as the sender does). */
static int
mark_sent(struct chat *ch, const struct queue_cmd *m, struct json_object *res,
    int64_t draft_id, int64_t msg_id)
{
	struct queue *q = ch->env.q;
	int r;

	r = queue_begin(q);
	if (r == 0)
		r = outbox_sent(q, m,
		    json_object_to_json_string_ext(
		        res, JSON_C_TO_STRING_PLAIN));
	if (r == 0 && draft_id > 0 && msg_id > 0)
		r = store_draft_set_message(q, draft_id, msg_id);
	if (r == 0)
		r = queue_commit(q);
	if (r < 0)
		queue_rollback(q);
	return r;
}

/* Show claimed message m and record the outcome. */
static int
deliver(struct chat *ch, const struct queue_cmd *m)
{
	const struct shower *sh = NULL;
	struct json_object *p, *res = NULL;
	const char *why = NULL;
	int64_t draft_id, msg_id = 0;
	int r;

	for (size_t i = 0; i < sizeof(showers) / sizeof(*showers); i++)
		if (strcmp(showers[i].method, m->type) == 0)
			sh = &showers[i];
	p = json_tokener_parse(m->payload);
	if (sh == NULL || !json_object_is_type(p, json_type_object)) {
		json_object_put(p);
		return outbox_fail(ch->env.q, m, QUEUE_PERMANENT, 0,
		    sh == NULL ? "the terminal cannot show this method"
		               : "the payload is not a JSON object");
	}
	draft_id = draft_of(ch, m);
	r = draft_id < 0 ? (int)draft_id : fill_message_id(ch, p, draft_id);
	if (r == 0)
		r = sh->show(ch, p, &res, &msg_id, &why);
	if (r == -EINVAL || r == -ENOENT)
		r = outbox_fail(ch->env.q, m, QUEUE_PERMANENT, 0, why);
	else if (r == 0)
		r = mark_sent(ch, m, res, draft_id, msg_id);
	json_object_put(res);
	json_object_put(p);
	return r;
}

/* Show every message of this chat that is due, in order.  0 or a queue
 * error (printed). */
int
chat_deliver_all(struct chat *ch)
{
	struct queue_cmd *m = NULL;
	int r;

	for (;;) {
		r = outbox_claim_chat(
		    ch->env.q, ch->owner, ch->lease_ms, ch->user, ch->user, &m);
		if (r <= 0)
			break;
		r = deliver(ch, m);
		queue_cmd_free(m);
		m = NULL;
		if (r < 0)
			break;
	}
	if (r < 0)
		cli_queue_error(
		    ch->cli, ch->env.q, "deliver the bot's messages", r);
	return r;
}

/* ---- the buttons an earlier session left ---- */

#define RESTORE_ROWS 200 /* outbox rows looked at, newest first */
#define GONE_MAX 16

struct restore {
	struct chat *ch;
	int64_t gone[GONE_MAX]; /* messages whose newest state has no buttons */
	int ngone;
	int rows;
};

/* Newest first: the first message of the chat that still has buttons. */
static int
restore_one(const struct queue_cmd *m, void *arg)
{
	struct restore *rs = arg;
	struct json_object *p = NULL, *res = NULL, *markup = NULL;
	int64_t id;
	bool gone = false;

	if (++rs->rows > RESTORE_ROWS)
		return 1;
	if (m->chat_id != rs->ch->user || m->result == NULL ||
	    (strcmp(m->type, "sendMessage") != 0 &&
	        strcmp(m->type, "editMessageText") != 0 &&
	        strcmp(m->type, "editMessageReplyMarkup") != 0))
		return 0;
	p = json_tokener_parse(m->payload);
	res = json_tokener_parse(m->result);
	id = int_of(res, "message_id");
	for (int i = 0; i < rs->ngone; i++)
		gone |= rs->gone[i] == id;
	if (id == 0 || gone)
		goto out;
	json_object_object_get_ex(p, "reply_markup", &markup);
	if (chat_keyboard(markup, &rs->ch->kb) > 0) {
		rs->ch->card_id = id;
		rs->ch->card = rs->ch->kb;
	} else if (rs->ngone < GONE_MAX) {
		rs->gone[rs->ngone++] = id;
	}
out:
	json_object_put(p);
	json_object_put(res);
	return rs->ch->card_id != 0;
}

/* The buttons of the newest message that has them, as a client shows
 * them after a restart.  A queue error only means none. */
void
chat_restore_card(struct chat *ch)
{
	struct restore rs = {.ch = ch};

	if (outbox_list(ch->env.q, QUEUE_COMPLETED, RESTORE_ROWS + 1,
	        restore_one, &rs) < 0)
		ch->card_id = 0;
}

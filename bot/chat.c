/*
 * chat — the terminal as a Telegram client and as the bot's transport: a
 * line in, an Update enqueued, the commands run here, the chat's outbox
 * printed and marked sent.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bot/chat.h"
#include "bot/chat_int.h"
#include "bot/executor.h"
#include "bot/ingest.h"
#include "common/log.h"
#include "queue/outbox.h"
#include "queue/store.h"

#define LINE_MAX_BYTES (UPD_TEXT_BYTES_MAX + 1) /* longer lines are cut */
#define ECHO_MAX 120 /* bytes of a long line echoed back */
#define SHOWN_MAX 64 /* recent messages kept for edits of their buttons */
#define BOT_ID 1000  /* the bot's user id in the results it "sends" */
#define FIRST_NAME "Terminal"
#define REF_MAX 64

/* A message printed earlier, for an edit that changes only its buttons. */
struct shown {
	int64_t id; /* 0: free */
	char *text; /* as printed */
};

struct chat {
	struct cli *cli;
	struct wf_env env;
	char owner[QUEUE_OWNER_MAX];
	int64_t lease_ms;
	int64_t user;    /* and the private chat's id */
	int64_t last_id; /* the id clock (next_id) */
	bool ansi;       /* stdout is a terminal: bold as ANSI */
	bool echo;       /* stdin is not a terminal: echo each line */
	struct shown shown[SHOWN_MAX];
	size_t shown_next;
	int64_t card_id; /* the message whose buttons numbers press; 0 none */
	struct chat_keyboard card;
	struct chat_keyboard kb; /* scratch: the message being printed */
};

/*
 * Update and message ids from the microsecond clock, strictly increasing:
 * a later session on the same database never reuses one (a reused
 * update_id would be taken for a re-sent update and dropped), and they
 * stay far above Telegram's own update ids.
 */
static int64_t
next_id(struct chat *ch)
{
	struct timespec ts;
	int64_t us;

	clock_gettime(CLOCK_REALTIME, &ts);
	us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	ch->last_id = us > ch->last_id ? us : ch->last_id + 1;
	return ch->last_id;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A line from the terminal transport itself, in the transcript. */
static void
note(const char *fmt, ...)
{
	va_list ap;

	fputc('(', stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputs(")\n", stdout);
	fflush(stdout);
}

/* ---- the Updates a line becomes ---- */

static struct json_object *
person(const struct chat *ch)
{
	struct json_object *u = json_object_new_object();

	json_object_object_add(u, "id", json_object_new_int64(ch->user));
	json_object_object_add(u, "is_bot", json_object_new_boolean(0));
	json_object_object_add(
	    u, "first_name", json_object_new_string(FIRST_NAME));
	return u;
}

static struct json_object *
private_chat(const struct chat *ch)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "id", json_object_new_int64(ch->user));
	json_object_object_add(c, "type", json_object_new_string("private"));
	json_object_object_add(
	    c, "first_name", json_object_new_string(FIRST_NAME));
	return c;
}

static struct json_object *
bot(void)
{
	struct json_object *u = json_object_new_object();

	json_object_object_add(u, "id", json_object_new_int64(BOT_ID));
	json_object_object_add(u, "is_bot", json_object_new_boolean(1));
	json_object_object_add(
	    u, "first_name", json_object_new_string("draftbot"));
	json_object_object_add(
	    u, "username", json_object_new_string("draftbot_chat"));
	return u;
}

/* Bytes of a leading "/command[@bot]" as Telegram marks it bot_command
 * (ASCII, so bytes are UTF-16 units too); 0 when text has none. */
static size_t
command_len(const char *text)
{
	size_t n = 1;

	if (text[0] != '/')
		return 0;
	while (text[n] == '_' || (text[n] >= 'a' && text[n] <= 'z') ||
	    (text[n] >= 'A' && text[n] <= 'Z') ||
	    (text[n] >= '0' && text[n] <= '9'))
		n++;
	if (n == 1)
		return 0;
	if (text[n] == '@') {
		size_t m = n + 1;

		while (text[m] == '_' || (text[m] >= 'a' && text[m] <= 'z') ||
		    (text[m] >= 'A' && text[m] <= 'Z') ||
		    (text[m] >= '0' && text[m] <= '9'))
			m++;
		if (m > n + 1)
			n = m;
	}
	return n;
}

/* The Update of a text message; caller puts it. */
static struct json_object *
message_update(struct chat *ch, const char *text)
{
	struct json_object *u = json_object_new_object();
	struct json_object *m = json_object_new_object();
	size_t cmd = command_len(text);

	json_object_object_add(
	    u, "update_id", json_object_new_int64(next_id(ch)));
	json_object_object_add(
	    m, "message_id", json_object_new_int64(next_id(ch)));
	json_object_object_add(m, "from", person(ch));
	json_object_object_add(m, "chat", private_chat(ch));
	json_object_object_add(m, "date", json_object_new_int64(time(NULL)));
	json_object_object_add(m, "text", json_object_new_string(text));
	if (cmd > 0) {
		struct json_object *es = json_object_new_array();
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "offset", json_object_new_int(0));
		json_object_object_add(
		    e, "length", json_object_new_int((int)cmd));
		json_object_object_add(
		    e, "type", json_object_new_string("bot_command"));
		json_object_array_add(es, e);
		json_object_object_add(m, "entities", es);
	}
	json_object_object_add(u, "message", m);
	return u;
}

static const char *
shown_text(const struct chat *ch, int64_t id)
{
	for (size_t i = 0; i < SHOWN_MAX; i++)
		if (ch->shown[i].id == id && id != 0)
			return ch->shown[i].text;
	return NULL;
}

/* The Update of a press of button b under message msg_id; caller puts. */
static struct json_object *
callback_update(struct chat *ch, const struct chat_button *b, int64_t msg_id)
{
	struct json_object *u = json_object_new_object();
	struct json_object *cq = json_object_new_object();
	struct json_object *m = json_object_new_object();
	int64_t update_id = next_id(ch);
	const char *text = shown_text(ch, msg_id);
	char id[32];

	snprintf(id, sizeof(id), "chat%" PRId64, update_id);
	json_object_object_add(
	    u, "update_id", json_object_new_int64(update_id));
	json_object_object_add(cq, "id", json_object_new_string(id));
	json_object_object_add(cq, "from", person(ch));
	json_object_object_add(m, "message_id", json_object_new_int64(msg_id));
	json_object_object_add(m, "from", bot());
	json_object_object_add(m, "chat", private_chat(ch));
	json_object_object_add(m, "date", json_object_new_int64(time(NULL)));
	if (text != NULL)
		json_object_object_add(m, "text", json_object_new_string(text));
	json_object_object_add(cq, "message", m);
	json_object_object_add(
	    cq, "chat_instance", json_object_new_string("terminal"));
	json_object_object_add(cq, "data", json_object_new_string(b->data));
	json_object_object_add(u, "callback_query", cq);
	return u;
}

/*
 * Enqueue update as the receiver does (ingest.h): its command and, for a
 * button press, the answerCallbackQuery, in one transaction.  Returns 0
 * and the command's id in *ret_id, or a negative errno code (printed).
 */
static int
submit(struct chat *ch, struct json_object *update, int64_t *ret_id)
{
	const char *json = json_object_to_json_string_ext(
	    update, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	struct ingest_item it;
	struct queue *q = ch->env.q;
	bool dup = false;
	int r;

	if (json == NULL)
		return -ENOMEM;
	r = ingest_prepare(&it, json, strlen(json));
	if (r < 0) {
		cli_error("cannot read the update made of that line: %s",
		    strerror(-r));
		return r;
	}
	r = queue_begin(q);
	if (r == 0)
		r = queue_enqueue(q, &it.cmd, ret_id, &dup);
	if (r == 0 && it.answer.type != NULL)
		r = outbox_add(q, &it.answer, NULL, NULL);
	if (r == 0)
		r = queue_commit(q);
	if (r < 0) {
		queue_rollback(q);
		cli_queue_error(ch->cli, q, "enqueue the message", r);
	}
	ingest_item_clear(&it);
	return r;
}

/* ---- running the commands ---- */

/*
 * Run the queue's commands through the workflows (any chat's: a worker is
 * a worker) until command id is completed or dead.  Nothing runnable while
 * it is not done means a retry is scheduled or another worker holds it:
 * wait for the queue's doorbell or that time.  0, or a queue error.
 */
static int
run_until_done(struct chat *ch, int64_t id)
{
	struct queue_cmd *c = NULL;
	bool done;
	int r, ran;

	for (;;) {
		ran = exec_one(&ch->env, ch->owner, ch->lease_ms);
		if (ran < 0)
			return ran; /* logged */
		r = queue_get(ch->env.q, id, &c);
		if (r != 1) {
			r = r < 0 ? r : -ENOENT;
			cli_queue_error(
			    ch->cli, ch->env.q, "read the command", r);
			return r;
		}
		done = c->status == QUEUE_COMPLETED || c->status == QUEUE_DEAD;
		queue_cmd_free(c);
		c = NULL;
		if (done)
			return 0;
		if (ran == 0)
			queue_wait(ch->env.q, -1);
	}
}

/* ---- the transport: printing the chat's outbox ---- */

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

/* The message's text for the terminal (ansi) or for the result (plain). */
static char *
render(struct json_object *p, const char *text, bool ansi)
{
	const char *mode = str_of(p, "parse_mode");

	if (mode != NULL && strcasecmp(mode, "HTML") == 0)
		return chat_html_text(text, ansi);
	/* Plain text: nothing to decode, but controls still go. */
	{
		char *s = strdup(text), *o = s;

		if (s == NULL)
			return NULL;
		for (const char *i = text; *i != '\0'; i++)
			if ((unsigned char)*i >= 0x20 || *i == '\n' ||
			    *i == '\t')
				if (*i != 0x7f)
					*o++ = *i;
		*o = '\0';
		return s;
	}
}

static void
remember(struct chat *ch, int64_t id, const char *text)
{
	struct shown *s = NULL;

	for (size_t i = 0; i < SHOWN_MAX && s == NULL; i++)
		if (ch->shown[i].id == id)
			s = &ch->shown[i];
	if (s == NULL) {
		s = &ch->shown[ch->shown_next];
		ch->shown_next = (ch->shown_next + 1) % SHOWN_MAX;
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
	json_object_object_add(res, "from", bot());
	json_object_object_add(res, "chat", private_chat(ch));
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
	int64_t id = next_id(ch);
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
	const char *text = shown_text(ch, id);
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
static int
deliver_all(struct chat *ch)
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
static void
restore_card(struct chat *ch)
{
	struct restore rs = {.ch = ch};

	if (outbox_list(ch->env.q, QUEUE_COMPLETED, RESTORE_ROWS + 1,
	        restore_one, &rs) < 0)
		ch->card_id = 0;
}

/* ---- lines ---- */

/*
 * Read one line of in into buf (cap bytes): the newline and NUL bytes
 * dropped, the rest of a line longer than cap-1 bytes read and dropped
 * (*ret_cut).  Returns 1, or 0 at the end of input with nothing read.
 */
static int
read_line(FILE *in, char *buf, size_t cap, bool *ret_cut)
{
	size_t n = 0;
	bool any = false;
	int c;

	*ret_cut = false;
	while ((c = getc(in)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == '\0')
			continue;
		if (n + 1 < cap)
			buf[n++] = (char)c;
		else
			*ret_cut = true;
	}
	buf[n] = '\0';
	return any;
}

/* Is s well-formed UTF-8 (no overlong forms, no surrogates)? */
static bool
utf8_ok(const unsigned char *s)
{
	while (*s != '\0') {
		size_t n;
		uint32_t cp;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			n = 1, cp = *s & 0x1f;
		else if (*s >= 0xe0 && *s <= 0xef)
			n = 2, cp = *s & 0x0f;
		else if (*s >= 0xf0 && *s <= 0xf4)
			n = 3, cp = *s & 0x07;
		else
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[k] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		s += n + 1;
	}
	return true;
}

/* Cut s (valid UTF-8) after max UTF-16 code units, Telegram's measure of
 * a message.  Returns whether it cut. */
static bool
cut_utf16(char *s, size_t max)
{
	size_t units = 0;

	for (char *p = s; *p != '\0';) {
		unsigned char c = (unsigned char)*p;
		size_t bytes = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		size_t u = bytes == 4 ? 2 : 1;

		if (units + u > max) {
			*p = '\0';
			return true;
		}
		units += u;
		p += bytes;
	}
	return false;
}

static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	n = strlen(s);
	while (
	    n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* A line that is only a number of one or two digits presses a button. */
static bool
is_button(const char *s, int *ret)
{
	size_t n = strlen(s);

	if (n < 1 || n > 2 || strspn(s, "0123456789") != n)
		return false;
	*ret = atoi(s);
	return true;
}

static int
press(struct chat *ch, int n, int64_t *ret_id)
{
	const struct chat_button *b;
	struct json_object *u;
	int r;

	if (ch->card_id == 0) {
		note("there is no button %d: no message has buttons now", n);
		return 1;
	}
	if (n < 1 || n > ch->card.n) {
		note("there is no button %d: the last message has %d", n,
		    ch->card.n);
		return 1;
	}
	b = &ch->card.b[n - 1];
	if (b->data[0] == '\0') {
		note("button %d opens %s", n, b->url[0] ? b->url : "nothing");
		return 1;
	}
	note("pressed [%d] %s", n, b->label);
	u = callback_update(ch, b, ch->card_id);
	r = submit(ch, u, ret_id);
	json_object_put(u);
	return r;
}

static int
say(struct chat *ch, char *text, bool cut, int64_t *ret_id)
{
	struct json_object *u;
	int r;

	if (cut_utf16(text, UPD_TEXT_MAX) || cut)
		note("your message was cut to %d characters, Telegram's limit",
		    UPD_TEXT_MAX);
	u = message_update(ch, text);
	r = submit(ch, u, ret_id);
	json_object_put(u);
	return r;
}

/* Show what was read, as "you: …": controls dropped, a long line cut
 * (at a character boundary) after ECHO_MAX bytes. */
static void
echo(const char *s)
{
	size_t n = 0;

	fputs("you: ", stdout);
	for (; *s != '\0' && n < ECHO_MAX; s++, n++)
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			putchar(*s);
	while (((unsigned char)*s & 0xc0) == 0x80)
		putchar(*s++);
	fputs(*s != '\0' ? "…\n" : "\n", stdout);
}

/* One line: ignored, a note, or a command run and its replies shown.
 * 0, or a queue error (already printed). */
static int
line(struct chat *ch, char *buf, bool cut)
{
	char *s = trim(buf);
	int64_t id = 0;
	int n, r;

	if (*s == '\0')
		return 0;
	if (!utf8_ok((const unsigned char *)s)) {
		note("that line is not valid UTF-8; nothing was sent");
		return 0;
	}
	if (ch->echo)
		echo(s);
	r = is_button(s, &n) ? press(ch, n, &id) : say(ch, s, cut, &id);
	if (r != 0)
		return r < 0 ? r : 0;
	r = run_until_done(ch, id);
	if (r == 0)
		r = deliver_all(ch);
	return r;
}

static void
chat_free(struct chat *ch)
{
	for (size_t i = 0; i < SHOWN_MAX; i++)
		free(ch->shown[i].text);
	queue_close(ch->env.q);
	free(ch);
}

int
cli_chat(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"user", required_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] =
	    "draftbot chat [--user ID]\n\n"
	    "Talk to the bot in the terminal as Telegram user ID (default 1):\n"
	    "each line is a message; a line that is just a number presses\n"
	    "that button of the last message with buttons.  Reads a pipe\n"
	    "too, one message a line.  Uses the configured database.";
	char *buf = NULL;
	struct chat *ch;
	int64_t user = 1;
	int c, code = -1, r = 0;
	bool cut;

	while ((c = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		if (c != 'u')
			return code;
		if (cli_parse_int64(optarg, &user) < 0 || user <= 0)
			return cli_usage("--user: '%s' is not a Telegram user "
			                 "id (a positive number)",
			    optarg);
	}
	if (optind < argc)
		return cli_usage(
		    "unexpected argument '%s'\nusage: %s", argv[optind], usage);
	/* The conversation is the output: the log only when asked for. */
	if (cfg_source_of(cli->cfg, "log_level") == CFG_SRC_DEFAULT)
		log_set_level(LOG_WARN);
	ch = calloc(1, sizeof(*ch));
	buf = malloc(LINE_MAX_BYTES);
	if (ch == NULL || buf == NULL) {
		free(ch);
		free(buf);
		return cli_error("out of memory");
	}
	if (cli_open_queue(cli, "chat", &ch->env.q) != 0) {
		free(ch);
		free(buf);
		return 1;
	}
	ch->cli = cli;
	ch->env.cfg = cli->cfg;
	ch->lease_ms = cfg_int(cli->cfg, "lease");
	ch->user = user;
	ch->ansi = isatty(STDOUT_FILENO);
	ch->echo = !isatty(STDIN_FILENO);
	exec_owner("chat", ch->owner, sizeof(ch->owner));
	if (!ch->echo)
		printf("draftbot chat as user %" PRId64
		       " — type a message; a button's number presses it; "
		       "Ctrl-D ends.\n",
		    user);
	/* What an earlier session left unshown comes first. */
	restore_card(ch);
	r = deliver_all(ch);
	while (r == 0) {
		if (!ch->echo) {
			fputs("> ", stdout);
			fflush(stdout);
		}
		if (!read_line(stdin, buf, LINE_MAX_BYTES, &cut))
			break;
		r = line(ch, buf, cut);
	}
	if (r == 0 && ferror(stdin))
		r = cli_error(
		    "cannot read standard input: %s", strerror(errno));
	chat_free(ch);
	free(buf);
	return r == 0 ? 0 : 1;
}

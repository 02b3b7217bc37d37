/*
 * Private to `draftbot chat`: how a Bot API message looks in a terminal.
 */
#ifndef DRAFTBOT_CHAT_INT_H
#define DRAFTBOT_CHAT_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "bot/cli.h"
#include "bot/update.h"
#include "queue/queue.h"
#include "workflows/workflow.h"

#define CHAT_BUTTONS_MAX 100 /* Telegram allows 100 buttons a keyboard */
#define CHAT_LABEL_MAX 128   /* bytes of a label kept */
#define CHAT_URL_MAX 256
#define CHAT_SHOWN_MAX 64 /* recent messages kept for edits of buttons */

struct chat_button {
	char label[CHAT_LABEL_MAX];      /* plain text, controls removed */
	char data[UPD_CALLBACK_MAX + 1]; /* callback_data; "" if none */
	char url[CHAT_URL_MAX];          /* a URL button's url; "" if none */
	int row;
};

struct chat_keyboard {
	struct chat_button b[CHAT_BUTTONS_MAX];
	int n;
};

/*
 * Text in Telegram's HTML parse mode as terminal text: tags removed (<b>
 * and <strong> as ANSI bold, <i>/<u>/<s> as italic/underline/strike when
 * ansi; a link's address after its text), the entities &amp; &lt; &gt;
 * &quot; &apos; and &#N; / &#xN; decoded, control characters other than
 * newline and tab dropped so that no text can drive the terminal.  Returns
 * a new string (caller frees) or NULL when out of memory.
 */
char *chat_html_text(const char *html, bool ansi);

/*
 * The buttons of reply_markup's inline_keyboard (an object, or its JSON
 * text, which Telegram accepts too), in reading order, into kb.  NULL or
 * no keyboard gives none; buttons past CHAT_BUTTONS_MAX are left out.
 * Returns kb->n.
 */
int chat_keyboard(struct json_object *markup, struct chat_keyboard *kb);

/*
 * Print a message: header on its own line ("draftbot:", "draftbot
 * (edited):"), then text indented two spaces, then the buttons of each
 * keyboard row on a line of their own, numbered from 1: "[1] ✅ Confirm
 * [2] ✏️ Edit".  kb may be NULL.
 */
void chat_print(FILE *out, const char *header, const char *text,
    const struct chat_keyboard *kb);

/* A message printed earlier, for an edit that changes only its buttons. */
struct chat_shown {
	int64_t id; /* 0: free */
	char *text; /* as printed */
};

/* One `draftbot chat` session. */
struct chat {
	struct cli *cli;
	struct wf_env env; /* the queue (this process's) and settings */
	char owner[QUEUE_OWNER_MAX];
	int64_t lease_ms;
	int64_t user;    /* and the private chat's id */
	int64_t last_id; /* the id clock (chat_next_id) */
	bool ansi;       /* stdout is a terminal: bold as ANSI */
	bool echo;       /* stdin is not a terminal: echo each line */
	struct chat_shown shown[CHAT_SHOWN_MAX];
	size_t shown_next;
	int64_t card_id; /* the message whose buttons numbers press; 0 none */
	struct chat_keyboard card;
	struct chat_keyboard kb; /* scratch: the message being printed */
};

/* chat.c: the next update or message id (microsecond clock, strictly
 * increasing); the private chat and the bot as Telegram's JSON (caller
 * puts); the text of message id as printed, NULL if not kept. */
int64_t chat_next_id(struct chat *ch);
struct json_object *chat_private(const struct chat *ch);
struct json_object *chat_bot_user(void);
const char *chat_shown_text(const struct chat *ch, int64_t id);

/*
 * chat_outbox.c: show every message of this chat that is due, in order,
 * and mark each sent (or dead, when Telegram would refuse it).  0, or a
 * queue error (printed).
 */
int chat_deliver_all(struct chat *ch);

/* The buttons of the newest message that still has them, read back from
 * the outbox, as a client shows them after a restart. */
void chat_restore_card(struct chat *ch);

#endif

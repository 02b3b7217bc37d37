/*
 * Private to `draftbot chat`: how a Bot API message looks in a terminal.
 */
#ifndef DRAFTBOT_CHAT_INT_H
#define DRAFTBOT_CHAT_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "bot/update.h"

#define CHAT_BUTTONS_MAX 100 /* Telegram allows 100 buttons a keyboard */
#define CHAT_LABEL_MAX 128   /* bytes of a label kept */
#define CHAT_URL_MAX 256

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

#endif

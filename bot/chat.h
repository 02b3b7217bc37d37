/*
 * chat — `draftbot chat [--user ID]`: talk to the bot in the terminal.
 *
 * Each line typed becomes a Telegram Update (a private message from user
 * ID in chat ID), enqueued as the receiver does it (ingest_prepare(), then
 * queue_enqueue() and the callback answer in one transaction).  The chat
 * process then runs the queue's commands through the workflows itself
 * (exec_one() with an owner "chat:<host>:<pid>") until that line's command
 * is completed or dead, and acts as the transport instead of Telegram: it
 * claims its own chat's outbox messages (outbox_claim_chat(): never another
 * chat's, which stay for the sender), prints them, and marks each sent with
 * a result shaped like Telegram's — a card's message id recorded on its
 * draft in the same transaction, as the sender does.  Only then is the
 * next line read, so a pipe gives the same transcript every time.
 *
 *   sendMessage          the text (HTML turned into plain text; bold via
 *                        ANSI only when stdout is a terminal), then the
 *                        buttons numbered "[1] ✅ Confirm  [2] ✏️ Edit
 * …" editMessageText      the card printed again, marked "(edited)"
 *   answerCallbackQuery  its text, if any
 *
 * A line that is only a number of one or two digits presses that button of
 * the most recent message that has buttons (a callback_query Update with
 * the button's data and that message's id).  Empty lines are ignored; a
 * line over Telegram's 4096 characters is cut there, with a note.  At the
 * end of input it exits 0.  No bot token is needed.
 *
 * The database is the configured one (`db`), so `draftbot audit tail` and
 * `queue stats` show the conversation.  Do not point it at a database that
 * a live `draftbot execute` serves: that executor's sender would take the
 * terminal's replies and try to deliver them to Telegram (use --db
 * try.db).  Update and message ids come from the microsecond clock, so a
 * later session never reuses one of an earlier session (a reused
 * update_id would be taken for a re-sent update and dropped).
 */
#ifndef DRAFTBOT_CHAT_H
#define DRAFTBOT_CHAT_H

#include "bot/cli.h"

/* The subcommand `draftbot chat`. */
int cli_chat(struct cli *cli, int argc, char **argv);

#endif

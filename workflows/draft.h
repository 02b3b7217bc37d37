/*
 * draft — turning a message into a task draft, revising it, and showing it.
 *
 * A draft is a JSON object (stored in drafts.draft):
 *   {"title": "Dentist", "notes": "", "due_date": "2026-11-28",
 *    "due_time": "10:30", "priority": 0..3, "subtasks": ["passport", …],
 *    "reasoning": "'next friday 10:30' → Fri 28 Nov 10:30",
 *    "source": "dentist next friday 10:30"}
 * due_date/due_time are absent when not stated; priority 0 none, 1 low,
 * 2 high, 3 urgent.  Optional: "due_end_time": "15:00" (a range on the
 * due day, "2-3pm"; needs due_time) and "rrule": "FREQ=MONTHLY;BYMONTHDAY=1"
 * (RFC 5545, from nlp; needs due_date).
 */
#ifndef DRAFTBOT_DRAFT_H
#define DRAFTBOT_DRAFT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "workflows/nlp.h"

#define DRAFT_TITLE_MAX 1023 /* a title must be shorter than 1024 bytes */

/*
 * Draft a task from text.  On 0, *ret is a new draft object (caller puts).
 * When the text is too vague to draft ("remind me", "todo", empty after the
 * date words are removed), returns 0 with *ret NULL and a clarification
 * question in question (e.g. "What should the task be called?").
 */
int draft_task_from_text(const char *text, const struct nlp_ref *ref,
    struct json_object **ret, char *question, size_t qlen);

/*
 * Apply a correction to draft in place: "make it 11am", "tomorrow",
 * "priority high", "add: bring laptop", "title: Call mom", "notes: …",
 * "no date".  Returns 1 when something changed, 0 when the correction was
 * not understood (draft unchanged; question explains what can be said).
 */
int draft_revise(struct json_object *draft, const char *text,
    const struct nlp_ref *ref, char *question, size_t qlen);

/*
 * Check a draft before it is confirmed: title non-empty and < 1024 bytes,
 * due_date a real date, due_time HH:MM.  0, or -EINVAL with the reason.
 */
int draft_validate(struct json_object *draft, char *why, size_t len);

/* Card states: what the buttons under the card are. */
enum card_state {
	CARD_DRAFT,     /* Confirm, Edit, Cancel */
	CARD_EDITING,   /* "Send me what to change" + Cancel */
	CARD_CONFIRMED, /* Undo (valid 10 minutes) */
	CARD_CANCELLED, /* no buttons */
	CARD_EXPIRED,   /* no buttons; says it expired */
	CARD_UNDONE,    /* no buttons */
	CARD_SAVING,    /* no buttons; being written to Google */
};

/*
 * The card for draft draft_id in HTML parse mode, every user string
 * escaped: text into *ret_text (caller frees) and the inline keyboard as a
 * reply_markup object into *ret_markup (caller puts; NULL when no buttons).
 * Callback data are "d:<draft_id>:<action>" with action c (confirm), e
 * (edit), x (cancel), u (undo) — at most 64 bytes.
 */
int draft_card(struct json_object *draft, long long draft_id,
    enum card_state state, char **ret_text, struct json_object **ret_markup);

/* Escape s for Telegram's HTML parse mode (&, <, >, "). Caller frees. */
char *html_escape(const char *s);

#endif

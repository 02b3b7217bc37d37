/*
 * draft_int — what the draft*.c files share: text helpers for short user
 * strings (NUL-terminated UTF-8, edited in place, ASCII-only case
 * folding), the setters of a draft's fields and the steps task and event
 * corrections have in common.
 */
#ifndef DRAFTBOT_DRAFT_INT_H
#define DRAFTBOT_DRAFT_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "workflows/nlp.h"

#define DRAFT_ITEMS_MAX 64 /* subtasks taken from one "x: a, b and c" */

bool draft_wordch(unsigned char ch); /* a letter, digit or non-ASCII byte */
char draft_lower(char ch);
bool draft_blank(char ch);                      /* space, tab, CR, LF */
bool draft_word_start(const char *s, size_t i); /* a word begins at s+i */

/*
 * Does phrase p (lower case) stand at s+i?  A space in p matches one or
 * more blanks; an apostrophe matches ', ’ or nothing ("dont"); a phrase
 * that ends in a letter or digit must end at a word boundary.  *end: after
 * the match.
 */
bool draft_phrase_at(const char *s, size_t i, const char *p, size_t *end);
/* Is the whole of s phrase p? */
bool draft_phrase_is(const char *s, const char *p);
/* The first of list (NULL-terminated) that stands at s+i, or NULL. */
const char *draft_phrase_any(
    const char *s, size_t i, const char *const *list, size_t *end);

/* Strip blanks (and, for trim_punct, punctuation such as ".,;:!?-–—" and a
 * leading bullet) from both ends of s; return the new start. */
char *draft_trim(char *s);
char *draft_trim_punct(char *s);
void draft_squeeze(char *s);    /* runs of blanks become one space */
void draft_capitalise(char *s); /* an ASCII first letter */

/* Strip quotes around s (edited in place): "…", “…”, '…'; return the new
 * start. */
char *draft_unquote(char *s);

/*
 * A correction made ready to read, in place in s (the caller's copy):
 * blanks squeezed and trimmed, leading "please", "ok", "also"… and a
 * trailing "please" dropped, final ".!?" cut (but for a final "!!" when
 * keep_bangs: it means a priority).  Returns the new start.
 */
char *draft_revision_text(char *s, bool keep_bangs);

/* Cut s to at most max bytes (max >= 4) at a character boundary, ending
 * in "…"; fit_words cuts at the last space when there is one. */
void draft_fit(char *s, size_t max);
void draft_fit_words(char *s, size_t max);

/*
 * Split s (edited in place) at ",", ";", " and ", " & " into at most max
 * items, trimmed, empty ones dropped; items point into s.  Returns how
 * many.
 */
int draft_split_items(char *s, char **items, int max);

/* Append item (cut to DRAFT_TITLE_MAX) to array subs.  0 or -ENOMEM. */
int draft_add_item(struct json_object *subs, char *item);

/* Set a field of object o: 0 or -ENOMEM. */
int draft_set_str(struct json_object *o, const char *key, const char *val);
int draft_set_int(struct json_object *o, const char *key, int val);
/* due_date, due_time (when w has a time), due_end_time (a range within
 * the day, else removed), rrule (when w has one) and reasoning from w. */
int draft_set_when(struct json_object *draft, const struct nlp_when *w);

/* ---- draft_revise.c: what task and event corrections share ---- */

/* Put what in question (qlen bytes; NULL or 0 is a no-op). */
void draft_ask(char *question, size_t qlen, const char *what);

/*
 * "title: …" and its synonyms: arg (unquoted, trimmed, capitalised in
 * place) becomes draft's title.  1, -ENOMEM, or 0 with *ask the question
 * for the person: ask_empty when arg holds no title, or that it is too
 * long.
 */
int draft_revise_title(struct json_object *draft, char *arg,
    const char *ask_empty, const char **ask);

/* Is nothing but date words left in s once w's spans are gone? */
bool draft_only_when(const char *s, const struct nlp_when *w);

/* The string at key, borrowed; NULL when absent or not a string. */
const char *draft_get_str(struct json_object *o, const char *key);

#endif

/*
 * classify_int — what classify.c (the decision) and classify_text.c (the
 * words and text helpers) share.
 *
 * Word lists are NULL-terminated, lower case; in a phrase a space matches
 * blanks and an apostrophe ' or ’ or nothing (draft_phrase_at).  Text
 * helpers take NUL-terminated UTF-8 and fold ASCII case only.
 */
#ifndef DRAFTBOT_CLASSIFY_INT_H
#define DRAFTBOT_CLASSIFY_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Word lists (classify_text.c). */

extern const char *const cls_chat_inside[];     /* "haha", "sorry", "wrong" */
extern const char *const cls_event_leads[];     /* "call with", "book club" */
extern const char *const cls_task_verbs[];      /* "pick up", "buy", "call" */
extern const char *const cls_event_words[];     /* "meeting", "dentist" */
extern const char *const cls_evening_words[];   /* "dinner": "7" is 19:00 */
extern const char *const cls_chores[];          /* "laundry": a to-do alone */
extern const char *const cls_empty_words[];     /* "the", "it", "stuff" */
extern const char *const cls_vague_words[];     /* "thing", "stuff" */
extern const char *const cls_date_words[];      /* "sat", "arvo", "later" */
extern const char *const cls_dangling[];        /* "at", "on": cut around */
extern const char *const cls_dangling_end[];    /* "the", "of" at the end */
extern const char *const cls_clause_words[];    /* "but", "because", "or" */
extern const char *const cls_hedge_words[];     /* "maybe", "i think" */
extern const char *const cls_question_starts[]; /* "what", "should" */
extern const char *const cls_polite[];          /* "can you", "could you" */
extern const char *const cls_loose_periods[];   /* "next week": which day? */

/* Phrases. */

/* The first phrase of list standing at a word start of s, or NULL; *at
 * (may be NULL) where it starts. */
const char *cls_find_any(const char *s, const char *const *list, size_t *at);
bool cls_has_any(const char *s, const char *const *list);
bool cls_is_any(const char *s, const char *const *list); /* all of s */

/* Words. */

bool cls_word_byte(unsigned char ch); /* part of a word ("w/", "1:1") */
int cls_count_words(const char *s);
/* The word before offset i of line, lower case, into buf. */
void cls_word_before(const char *line, size_t i, char *buf, size_t len);
/* The first line of s that is not blank (s is cut at its newline). */
char *cls_first_line(char *s);

/*
 * s lower-cased, "please" words removed, blanks squeezed, and everything
 * but letters and digits cut from both ends (emoji too), a final "?"
 * kept: the form whole-message phrases are compared with.  Caller frees;
 * NULL when out of memory.
 */
char *cls_bare_form(const char *s);

/* Does s look written in another language than English? */
bool cls_not_english(const char *s);

/* Links. */

/* The first http:// or https:// link of text at or after from (any case,
 * at a word start, without the punctuation that ends a sentence): its
 * start and length.  false when there is none. */
bool cls_find_url(const char *text, size_t from, size_t *at, size_t *len);
void cls_blank_urls(char *s); /* every link of s becomes blanks */

/* Whole messages, in their bare form. */

bool cls_small_talk(const char *bare);      /* "ok", "thanks!", "👍" */
bool cls_asks_help(const char *bare);       /* "how does this work?" */
bool cls_asks_list(const char *bare);       /* "what are my tasks" */
bool cls_only_link_words(const char *rest); /* "check this out" */

/* Dates in a line. */

/* Does the matched text [i, i+n) say whether its hour is before or after
 * noon (am/pm, a part of the day, 13:00, 07:30, 19 Uhr)?  "at 7" and
 * "7:30" do not. */
bool cls_meridiem_stated(const char *line, size_t i, size_t n);
/* Does [i, i+n) hold a day and month either way round ("3/12")? */
bool cls_swappable(const char *line, size_t i, size_t n);

#endif

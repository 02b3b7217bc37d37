/*
 * draft_event — an event draft: made from a message or from an event found
 * on a page, revised from a correction, checked before it is confirmed, and
 * shown as a card.
 *
 * An event draft is a JSON object (drafts.kind = 'event'):
 *   {"title": "Dinner with Ana", "start_date": "2026-11-27",
 *    "start_time": "20:00", "end_date": "2026-11-27", "end_time": "21:00",
 *    "all_day": false, "timezone": "Europe/Berlin", "location": "Luigi's",
 *    "url": "https://…", "description": "…", "rrule": "FREQ=WEEKLY;BYDAY=FR",
 *    "source": "dinner with Ana friday 8pm at Luigi's",
 *    "source_url": "https://…", "status": "cancelled",
 *    "reasoning": "'friday 8pm' → Fri 27 Nov 20:00",
 *    "conflicts": ["Team sync 14:00–15:00"], "more_events": 1,
 *    "floating": true, "page_time": "Fri 31 Oct 19:30 (UTC-04:00)"}
 *
 * Dates and times are the local wall time in "timezone", an IANA zone: the
 * person's, or the one an .ics file named (a page's offset is converted
 * into the person's zone).  "all_day" is always there (it is how a card
 * knows an event draft from a task draft); an all-day event has no
 * start_time/end_time and end_date is its last day (inclusive).  A timed
 * event has end_date/end_time, the end instant's local date and time
 * (exclusive), or none for "no end" (confirmed with the default duration).
 * Optional keys are absent when unknown: location, url, description,
 * rrule, source_url (made from a link), status (the page's eventStatus when
 * it is not "scheduled"), conflicts, more_events, floating (the page gave
 * no zone: read as the person's), page_time (the time as the page wrote
 * it, when its offset is not the person's).
 */
#ifndef DRAFTBOT_DRAFT_EVENT_H
#define DRAFTBOT_DRAFT_EVENT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workflows/draft.h"
#include "workflows/nlp.h"

#define DRAFT_EVENT_CONFLICTS_MAX 5 /* overlaps listed on one draft */
#define DRAFT_EVENT_RRULE_MAX 256   /* an RRULE from a page may be long */

struct ev_event;

/*
 * Draft an event from text, read in ref's zone.  On 0, *ret is a new
 * draft object (caller puts).  The first non-empty line holds the event:
 * its date and time (nlp_when; a range or "for 2 hours" gives the end,
 * else default_duration_ms; no time: all day), its place ("at Luigi's",
 * "@ Luigi's", "in Room 4" — never a time such as "at 8pm") and its title
 * (the rest, as a task title is made); other lines are the description.
 * When there is no title or no date, returns 0 with *ret NULL and a
 * question in question.  -EINVAL for bad arguments, -ENOMEM.
 */
int draft_event_from_text(const char *text, const struct nlp_ref *ref,
    int64_t default_duration_ms, struct json_object **ret, char *question,
    size_t qlen);

/*
 * Draft an event from e, an event found on a page (ev_extract_*), for a
 * person in zone user_tz; page_url is where it was found, more the number
 * of other events on the page.  A start with an offset is moved into
 * user_tz (page_time keeps what the page said when the offset differs); a
 * named zone is kept; a floating time is read in user_tz (floating:
 * true); a date is all day.  No end: default_duration_ms.  On 0, *ret is
 * a new draft object; a page event without a start gives a draft without
 * start_date (the card asks for the date; it cannot be confirmed as it
 * is).  -EINVAL, -ENOMEM.
 */
int draft_event_from_page(const struct ev_event *e, const char *page_url,
    int more, const char *user_tz, int64_t now_ms, int64_t default_duration_ms,
    struct json_object **ret);

/*
 * Apply a correction to an event draft in place: a new day and/or time
 * ("move it to 9pm", "9pm", "tomorrow", "friday at 10", "2-4pm"), a length
 * ("make it 2 hours", "for 90 minutes"), an end ("until 11", "ends at
 * 23:30", "no end"), a place ("at Café Central", "in Room 4", "location:
 * …", "no location"), "all day", "title: …", "description: …", "link: …",
 * "no repeat".  The time keeps the duration when it moves.  Returns 1 when
 * something changed (*when_changed: the start or end moved, recompute the
 * conflicts), 0 when not understood (draft unchanged; question says what
 * can be said), or a negative errno.
 */
int draft_event_revise(struct json_object *draft, const char *text,
    const struct nlp_ref *ref, int64_t default_duration_ms, bool *when_changed,
    char *question, size_t qlen);

/*
 * Check an event draft before it is confirmed: title non-empty and < 1024
 * bytes, start_date and end_date real dates, times HH:MM, a known zone,
 * end at or after the start, an RRULE that starts with FREQ=.  0, or
 * -EINVAL with the reason (a sentence) in why.
 */
int draft_event_validate(struct json_object *draft, char *why, size_t len);

/*
 * The UTC instants of an event draft: [*start_ms, *end_ms), an all-day
 * event from local midnight of start_date to the midnight after end_date
 * in its zone; a timed event without an end lasts default_duration_ms.
 * 0, or -EINVAL when the draft has no valid start.
 */
int draft_event_span(struct json_object *draft, int64_t default_duration_ms,
    int64_t *start_ms, int64_t *end_ms);

/* Is draft an event draft (it has "all_day")? */
bool draft_is_event(struct json_object *draft);

/*
 * The body of an event card (draft_card() calls it): HTML, every string
 * from the draft escaped, at most size-1 bytes into buf (NUL-terminated).
 * Returns the length written.
 */
size_t draft_event_body(struct json_object *draft, char *buf, size_t size);

/* The line under an event card in state (what the editing hint says, "Added
 * to your calendar"), or NULL to use the task card's line. */
const char *draft_event_state_line(enum card_state state);

/* rr in words ("every week on Mon"); false when it cannot be said (the
 * caller shows rr as it is).  In draft_card.c. */
bool draft_rrule_words(const char *rr, char *out, size_t len);

#endif

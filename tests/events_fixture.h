/*
 * events_fixture — helpers of the event extractor suite (check_events.c,
 * events_hostile.c).  Each fails the running test when extraction does.
 */
#ifndef DRAFTBOT_EVENTS_FIXTURE_H
#define DRAFTBOT_EVENTS_FIXTURE_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "events/event.h"

extern const struct ev_opts evt_no_opts; /* all zero */

/* Extract from the len bytes of page, copied to a buffer of exactly that
 * size; asserts success and the list's bounds.  Caller frees the list. */
struct ev_list *evt_extract_n(
    const char *page, size_t len, const struct ev_opts *o);
/* The same for a NUL-terminated page (the NUL is not handed over). */
struct ev_list *evt_extract(const char *page, const struct ev_opts *o);
/* The same for a small page with json in one JSON-LD script. */
struct ev_list *evt_jsonld(const char *json, const struct ev_opts *o);
/* Is s valid UTF-8? */
bool evt_valid_utf8(const char *s);

/* The cases on values (events_values.c) and hostile input
 * (events_hostile.c). */
TCase *evt_values_tcase(void);
TCase *evt_hostile_tcase(void);

#endif

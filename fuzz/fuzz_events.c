/*
 * fuzz_events — libFuzzer target for the event extractors
 * (scripts/fuzz-events).
 *
 * The input is the page itself: ev_extract_ics() when it looks like
 * iCalendar, else ev_extract_html() with a base URL, so that relative
 * links are resolved too.  Beyond what the sanitizers catch, the list must
 * hold at most EV_MAX_EVENTS, every string must end inside its field, a
 * start must be "" or start with a YYYY-MM-DD date, and the JSON must be
 * made.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"

#define FIELD_OK(f) (memchr((f), '\0', sizeof(f)) != NULL)

static void
check_time(const char *t)
{
	if (t[0] == '\0')
		return;
	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 7 ? t[i] != '-' : t[i] < '0' || t[i] > '9')
			abort();
	}
}

static void
check_list(const struct ev_list *l)
{
	char *json;

	if (l->n > EV_MAX_EVENTS || l->total < l->n)
		abort();
	for (size_t k = 0; k < l->n; k++) {
		const struct ev_event *e = &l->ev[k];

		if (!FIELD_OK(e->name) || !FIELD_OK(e->start) ||
		    !FIELD_OK(e->end) || !FIELD_OK(e->start_raw) ||
		    !FIELD_OK(e->timezone) || !FIELD_OK(e->location) ||
		    !FIELD_OK(e->url) || !FIELD_OK(e->description) ||
		    !FIELD_OK(e->status) || !FIELD_OK(e->rrule))
			abort();
		check_time(e->start);
		check_time(e->end);
		if (e->all_day != (e->tz_kind == EV_TZ_DATE) &&
		    e->source == EV_SRC_ICS)
			abort();
		if (ev_source_name(e->source) == NULL)
			abort();
	}
	json = ev_list_to_json(l);
	if (json == NULL)
		abort();
	free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ev_opts o = {
	    "https://example.org/events/page.html", 1760000000000LL, "UTC"};
	struct ev_list *l = NULL;
	const char *buf = (const char *)data;
	int r;

	if (ev_is_ics(buf, size))
		r = ev_extract_ics(buf, size, &o, &l);
	else
		r = ev_extract_html(buf, size, &o, &l);
	if (r == 0) {
		if (l == NULL)
			abort();
		check_list(l);
		ev_list_free(l);
	} else if (l != NULL) {
		abort();
	}
	return 0;
}

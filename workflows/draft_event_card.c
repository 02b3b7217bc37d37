/*
 * draft_event_card — the body of an event draft's card (draft_card()
 * adds the state line and the buttons, the same as for a task):
 *
 *   📅 <b>Dinner with Ana</b>
 *   🕒 Fri 28 Nov, 20:00–21:00 (Europe/Berlin)
 *   🌐 floating time — read as your zone
 *   🔁 every week on Fri
 *   📍 Luigi's
 *   🔗 https://…
 *   ⚠️ This event is marked cancelled on the page
 *   🗒 description
 *   ⚠️ overlaps Team sync 14:00–15:00
 *   📎 from: https://example.com/concert
 *   (1 more event on this page)
 *   <i>why: 'friday 8pm' → Fri 28 Nov 20:00</i>
 *
 * Every string from the draft is escaped and has a byte budget, so the
 * card stays under Telegram's 4096 characters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "workflows/draft_event.h"
#include "workflows/draft_event_int.h"
#include "workflows/draft_int.h"

#define TITLE_BUDGET 512
#define PLACE_BUDGET 256
#define URL_BUDGET 300
#define DESCRIPTION_BUDGET 600
#define CONFLICT_BUDGET 160
#define WHY_BUDGET 300
#define RAW_BUDGET 64
#define ZONE_BUDGET 64

struct out {
	char *s;
	size_t len, size;
};

/* Our own text, whole or not at all. */
static void
put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->len + n + 1 > o->size)
		return;
	memcpy(o->s + o->len, s, n + 1);
	o->len += n;
}

/* s cut to budget bytes (at a character, with "…"), then escaped. */
static void
put_esc(struct out *o, const char *s, size_t budget)
{
	char *c = strdup(s), *e;

	if (c == NULL)
		return;
	if (strlen(c) > budget)
		draft_fit(c, budget);
	e = html_escape(c);
	if (e != NULL)
		put(o, e);
	free(e);
	free(c);
}

static const char *
str(struct json_object *d, const char *key)
{
	const char *s = draft_get_str(d, key);

	return s != NULL && *s != '\0' ? s : NULL;
}

/* "Fri 28 Nov" (and the year when it is not this year) of a date. */
static void
day_text(int y, int m, int d, char *buf, size_t len)
{
	int now_y = 0;

	(void)nlp_local(
	    "UTC", time_now_ms(), &now_y, NULL, NULL, NULL, NULL, NULL);
	if (nlp_format_day(y, m, d, y != now_y, buf, len) < 0)
		snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

static void
put_when(struct out *o, struct json_object *d)
{
	const char *tz = str(d, "timezone");
	char a[32], b[32], t[128];
	struct ev_span s;
	bool one_day;

	put(o, "\n\xf0\x9f\x95\x92 ");
	if (str(d, "start_date") == NULL) {
		put(o,
		    "<i>no date yet \xe2\x80\x94 reply with when it is, e.g. "
		    "\xe2\x80\x9c"
		    "friday 8pm\xe2\x80\x9d</i>");
		return;
	}
	if (draft_ev_span_get(d, &s) < 0) {
		put_esc(o, str(d, "start_date"), RAW_BUDGET);
		return;
	}
	day_text(s.y, s.m, s.d, a, sizeof(a));
	one_day = !s.has_end ||
	    draft_ev_days_between(s.y, s.m, s.d, s.ey, s.em, s.ed) == 0;
	if (s.has_end && !one_day)
		day_text(s.ey, s.em, s.ed, b, sizeof(b));
	if (!s.timed) {
		put(o, a);
		if (!one_day) {
			put(o, " \xe2\x80\x93 ");
			put(o, b);
		}
		put(o, ", all day");
		return;
	}
	if (!s.has_end)
		snprintf(t, sizeof(t), "%s, %02d:%02d", a, s.h, s.mi);
	else if (one_day)
		snprintf(t, sizeof(t), "%s, %02d:%02d\xe2\x80\x93%02d:%02d", a,
		    s.h, s.mi, s.eh, s.emi);
	else
		snprintf(t, sizeof(t),
		    "%s, %02d:%02d \xe2\x80\x93 %s, %02d:%02d", a, s.h, s.mi, b,
		    s.eh, s.emi);
	put(o, t);
	if (tz != NULL) {
		put(o, " (");
		put_esc(o, tz, ZONE_BUDGET);
		put(o, ")");
	}
}

static void
put_rrule(struct out *o, const char *rr)
{
	char words[160];

	put(o, "\n\xf0\x9f\x94\x81 ");
	if (draft_rrule_words(rr, words, sizeof(words)))
		put(o, words);
	else
		put_esc(o, rr, RAW_BUDGET * 2);
}

/* ⚠️ the page's eventStatus in words. */
static void
put_status(struct out *o, const char *status)
{
	put(o, "\n\xe2\x9a\xa0\xef\xb8\x8f ");
	if (strcmp(status, "moved_online") == 0) {
		put(o, "This event moved online, says the page");
		return;
	}
	put(o, "This event is marked ");
	put_esc(o, status, RAW_BUDGET);
	put(o, " on the page");
}

static void
put_conflicts(struct out *o, struct json_object *d)
{
	struct json_object *a, *it;
	size_t n;

	if (!json_object_object_get_ex(d, "conflicts", &a) ||
	    !json_object_is_type(a, json_type_array))
		return;
	n = json_object_array_length(a);
	for (size_t k = 0; k < n && k < DRAFT_EVENT_CONFLICTS_MAX; k++) {
		it = json_object_array_get_idx(a, k);
		if (!json_object_is_type(it, json_type_string))
			continue;
		put(o, "\n\xe2\x9a\xa0\xef\xb8\x8f overlaps ");
		put_esc(o, json_object_get_string(it), CONFLICT_BUDGET);
	}
}

static void
put_page(struct out *o, struct json_object *d)
{
	const char *src = str(d, "source_url");
	struct json_object *v;
	char more[64];
	int n = 0;

	if (src != NULL) {
		put(o, "\n\xf0\x9f\x93\x8e from: ");
		put_esc(o, src, URL_BUDGET);
	}
	if (json_object_object_get_ex(d, "more_events", &v))
		n = json_object_get_int(v);
	if (n > 0) {
		snprintf(more, sizeof(more), "\n(%d more event%s on this page)",
		    n, n == 1 ? "" : "s");
		put(o, more);
	}
}

size_t
draft_event_body(struct json_object *d, char *buf, size_t size)
{
	struct out o = {.s = buf, .size = size};
	const char *s, *url, *src;
	struct json_object *v;

	if (buf == NULL || size == 0)
		return 0;
	buf[0] = '\0';
	put(&o, "\xf0\x9f\x93\x85 <b>");
	put_esc(
	    &o, str(d, "title") != NULL ? str(d, "title") : "", TITLE_BUDGET);
	put(&o, "</b>");
	put_when(&o, d);
	if (json_object_object_get_ex(d, "floating", &v) &&
	    json_object_get_boolean(v))
		put(&o,
		    "\n\xf0\x9f\x8c\x90 floating time \xe2\x80\x94 read as "
		    "your zone");
	if ((s = str(d, "page_time")) != NULL) {
		put(&o, "\n\xf0\x9f\x8c\x90 on the page: ");
		put_esc(&o, s, RAW_BUDGET * 2);
	}
	if ((s = str(d, "rrule")) != NULL)
		put_rrule(&o, s);
	if ((s = str(d, "location")) != NULL) {
		put(&o, "\n\xf0\x9f\x93\x8d ");
		put_esc(&o, s, PLACE_BUDGET);
	}
	url = str(d, "url");
	src = str(d, "source_url");
	if (url != NULL && (src == NULL || strcmp(url, src) != 0)) {
		put(&o, "\n\xf0\x9f\x94\x97 ");
		put_esc(&o, url, URL_BUDGET);
	}
	if ((s = str(d, "status")) != NULL)
		put_status(&o, s);
	if ((s = str(d, "description")) != NULL) {
		put(&o, "\n\xf0\x9f\x97\x92 ");
		put_esc(&o, s, DESCRIPTION_BUDGET);
	}
	put_conflicts(&o, d);
	put_page(&o, d);
	if ((s = str(d, "reasoning")) != NULL) {
		put(&o, "\n<i>why: ");
		put_esc(&o, s, WHY_BUDGET);
		put(&o, "</i>");
	}
	return o.len;
}

const char *
draft_event_state_line(enum card_state state)
{
	switch (state) {
	case CARD_EDITING:
		return "\xe2\x9c\x8f\xef\xb8\x8f What should change? Reply "
		       "with "
		       "e.g. \xe2\x80\x9cmove it to 9pm\xe2\x80\x9d, "
		       "\xe2\x80\x9cmake it 2 hours\xe2\x80\x9d, "
		       "\xe2\x80\x9c"
		       "at Caf\xc3\xa9 Central\xe2\x80\x9d, "
		       "\xe2\x80\x9ctitle: \xe2\x80\xa6\xe2\x80\x9d";
	case CARD_CONFIRMED:
		return "\xe2\x9c\x85 Added to your calendar";
	default:
		return NULL;
	}
}

/*
 * draft_event_revise — applying a correction to an event draft.  In order:
 *
 *   keywords     "title: …", "rename to …", "description: …", "link: …",
 *                "location: …", a bare link (the url)
 *   clearing     "no end", "no location", "no repeat", "all day"
 *   a length     "make it 2 hours", "for 90 minutes", "1h30", "3 days"
 *   an end       "until 11", "ends at 23:30", "till friday"
 *   a place      "at Café Central", "in Room 4", "@ Luigi's" — unless what
 *                follows is a time ("at 9pm" moves the event)
 *   a new time   "move it to 9pm", "9pm", "tomorrow", "friday at 10",
 *                "2-4pm", "every monday"
 *
 * A new time keeps the event's length; a time alone keeps its day and a
 * day alone its time of day.  Anything else is not understood.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/draft_event.h"
#include "workflows/draft_event_int.h"
#include "workflows/draft_int.h"

#define PLACE_MAX 256
#define DAY_MINUTES (24 * 60)

struct rev {
	struct json_object *draft;
	const struct nlp_ref *ref; /* the person's */
	struct nlp_ref at;         /* in the draft's zone */
	int64_t default_ms;
	bool when_changed;
	bool asked; /* a step asked its own question: stop there */
	char *question;
	size_t qlen;
};

#define NOT_UNDERSTOOD                                                         \
	"I didn\xe2\x80\x99t understand that change. Try "                     \
	"\xe2\x80\x9cmove it to 9pm\xe2\x80\x9d, "                             \
	"\xe2\x80\x9ctomorrow\xe2\x80\x9d, "                                   \
	"\xe2\x80\x9cmake it 2 hours\xe2\x80\x9d, "                            \
	"\xe2\x80\x9cuntil 11\xe2\x80\x9d, "                                   \
	"\xe2\x80\x9c"                                                         \
	"at Caf\xc3\xa9 Central\xe2\x80\x9d, "                                 \
	"\xe2\x80\x9ctitle: \xe2\x80\xa6\xe2\x80\x9d or "                      \
	"\xe2\x80\x9cno end\xe2\x80\x9d."

static void
ask(struct rev *v, const char *what)
{
	v->asked = true;
	draft_ask(v->question, v->qlen, what != NULL ? what : NOT_UNDERSTOOD);
}

/* ---- keywords ---- */

static int
edit_title(struct rev *v, char *arg)
{
	const char *q = NULL;
	int r = draft_revise_title(v->draft, arg,
	    "What should the title be? For example "
	    "\xe2\x80\x9ctitle: Dinner with Ana\xe2\x80\x9d.",
	    &q);

	if (r == 0)
		ask(v, q);
	return r;
}

static int
edit_description(struct rev *v, char *arg)
{
	char *t = draft_unquote(arg);

	if (*t == '\0') {
		json_object_object_del(v->draft, "description");
		return 1;
	}
	return draft_set_str(v->draft, "description", t) < 0 ? -ENOMEM : 1;
}

static int
edit_url(struct rev *v, char *arg)
{
	char *t = draft_trim(draft_unquote(arg));

	if (strncmp(t, "http://", 7) != 0 && strncmp(t, "https://", 8) != 0) {
		ask(v, "A link starts with http:// or https://.");
		return 0;
	}
	if (strlen(t) >= 2048 || strpbrk(t, " \t\r\n") != NULL) {
		ask(v, "That does not look like one link.");
		return 0;
	}
	return draft_set_str(v->draft, "url", t) < 0 ? -ENOMEM : 1;
}

static int
set_place(struct rev *v, char *arg)
{
	char *t = draft_trim_punct(draft_unquote(arg));

	if (*t == '\0') {
		ask(v,
		    "Where is it? For example "
		    "\xe2\x80\x9c"
		    "at Caf\xc3\xa9 Central\xe2\x80\x9d.");
		return 0;
	}
	if (strlen(t) >= PLACE_MAX)
		draft_fit(t, PLACE_MAX - 1);
	return draft_set_str(v->draft, "location", t) < 0 ? -ENOMEM : 1;
}

/* Corrections that start with a keyword, longest first. */
static const struct {
	const char *prefix;
	int (*apply)(struct rev *v, char *arg);
} keywords[] = {
    {"change the title to", edit_title},
    {"change title to", edit_title},
    {"rename it to", edit_title},
    {"rename to", edit_title},
    {"rename:", edit_title},
    {"rename", edit_title},
    {"call it", edit_title},
    {"title:", edit_title},
    {"description:", edit_description},
    {"details:", edit_description},
    {"notes:", edit_description},
    {"note:", edit_description},
    {"link:", edit_url},
    {"url:", edit_url},
    {"location:", set_place},
    {"place:", set_place},
    {"where:", set_place},
    {"venue:", set_place},
    {"change the location to", set_place},
    {"change location to", set_place},
    {"change the place to", set_place},
};

/* ---- clearing ---- */

static int
clear_end(struct rev *v)
{
	struct ev_span s;

	if (draft_ev_span_get(v->draft, &s) < 0 || !s.timed) {
		ask(v,
		    "An all-day event ends on its day; say "
		    "\xe2\x80\x9cuntil friday\xe2\x80\x9d for more days.");
		return 0;
	}
	s.has_end = false;
	v->when_changed = true;
	return draft_ev_span_put(v->draft, &s) < 0 ? -ENOMEM : 1;
}

static int
clear_location(struct rev *v)
{
	json_object_object_del(v->draft, "location");
	return 1;
}

static int
clear_rrule(struct rev *v)
{
	json_object_object_del(v->draft, "rrule");
	return 1;
}

static int
all_day(struct rev *v)
{
	struct ev_span s;

	if (draft_ev_span_get(v->draft, &s) < 0) {
		ask(v,
		    "Which day? For example \xe2\x80\x9c"
		    "friday\xe2\x80\x9d.");
		return 0;
	}
	if (s.timed) {
		s.timed = false;
		s.has_end = false;
		draft_ev_default_end(&s, v->at.tz, v->default_ms);
	}
	json_object_object_del(v->draft, "reasoning"); /* it named a time */
	v->when_changed = true;
	return draft_ev_span_put(v->draft, &s) < 0 ? -ENOMEM : 1;
}

static const struct {
	const char *phrase; /* the whole correction */
	int (*apply)(struct rev *v);
} clears[] = {
    {"no end", clear_end},
    {"no end time", clear_end},
    {"without an end", clear_end},
    {"remove the end", clear_end},
    {"remove end", clear_end},
    {"open end", clear_end},
    {"open-ended", clear_end},
    {"no location", clear_location},
    {"no place", clear_location},
    {"no venue", clear_location},
    {"remove the location", clear_location},
    {"remove location", clear_location},
    {"no repeat", clear_rrule},
    {"no recurrence", clear_rrule},
    {"don't repeat", clear_rrule},
    {"doesn't repeat", clear_rrule},
    {"just once", clear_rrule},
    {"only once", clear_rrule},
    {"once", clear_rrule},
    {"all day", all_day},
    {"all-day", all_day},
    {"make it all day", all_day},
    {"make it all-day", all_day},
    {"whole day", all_day},
};

/* ---- a length ---- */

/* A count at s: digits (with a decimal part), "a", "an", "one" … "twelve",
 * "half a"/"half an" (0.5); in tenths, *end after it.  false if none. */
static bool
count_at(const char *s, int *tenths, size_t *end)
{
	static const char *const words[] = {"a", "an", "one", "two", "three",
	    "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
	    "twelve", NULL};
	static const int word_val[] = {
	    1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	size_t i = 0, e;
	int n = 0;

	if (draft_phrase_at(s, 0, "half an", &e) ||
	    draft_phrase_at(s, 0, "half a", &e)) {
		*tenths = 5;
		*end = e;
		return true;
	}
	if (s[0] >= '0' && s[0] <= '9') {
		while (s[i] >= '0' && s[i] <= '9' && n < 100000)
			n = n * 10 + (s[i++] - '0');
		n *= 10;
		if ((s[i] == '.' || s[i] == ',') && s[i + 1] >= '0' &&
		    s[i + 1] <= '9') {
			n += s[i + 1] - '0';
			i += 2;
			while (s[i] >= '0' && s[i] <= '9')
				i++;
		}
		*tenths = n;
		*end = i;
		return true;
	}
	for (size_t k = 0; words[k] != NULL; k++)
		if (draft_phrase_at(s, 0, words[k], &e)) {
			*tenths = word_val[k] * 10;
			*end = e;
			return true;
		}
	return false;
}

/*
 * A length that is all of s: "2 hours", "2h", "90 min", "1.5 hours", "an
 * hour and a half", "1h30", "half an hour", "3 days".  Minutes (or days
 * when *days) to *ret.  false when s is not one.
 */
static bool
parse_length(const char *s, int64_t *ret, bool *days)
{
	static const char *const hours[] = {
	    "hours", "hour", "hrs", "hr", "h", NULL};
	static const char *const mins[] = {
	    "minutes", "minute", "mins", "min", "m", NULL};
	static const char *const day_units[] = {"days", "day", "d", NULL};
	int tenths, t2;
	size_t i, e;
	int64_t total;

	if (!count_at(s, &tenths, &i))
		return false;
	while (draft_blank(s[i]))
		i++;
	*days = false;
	if (draft_phrase_any(s, i, hours, &e) != NULL ||
	    ((s[i] == 'h' || s[i] == 'H') && s[i + 1] >= '0' &&
	        s[i + 1] <= '9' && (e = i + 1) > 0)) {
		total = (int64_t)tenths * 6;
		i = e;
		while (draft_blank(s[i]))
			i++;
		if (draft_phrase_at(s, i, "and a half", &e)) {
			total += 30;
			i = e;
		} else if (count_at(s + i, &t2, &e) && t2 % 10 == 0) {
			size_t k = i + e;

			/* "1h30", "1 hour 30 minutes" */
			while (draft_blank(s[k]))
				k++;
			if (draft_phrase_any(s, k, mins, &e) != NULL)
				k = e;
			total += t2 / 10;
			i = k;
		}
	} else if (draft_phrase_any(s, i, mins, &e) != NULL) {
		total = tenths / 10;
		i = e;
	} else if (draft_phrase_any(s, i, day_units, &e) != NULL &&
	    tenths % 10 == 0) {
		total = tenths / 10;
		*days = true;
		i = e;
	} else {
		return false;
	}
	while (draft_blank(s[i]))
		i++;
	if (s[i] != '\0' || total <= 0)
		return false;
	*ret = total;
	return true;
}

static int
edit_length(struct rev *v, const char *s)
{
	static const char *const leads[] = {"make it last", "make it",
	    "it lasts", "it takes", "lasts", "lasting", "takes",
	    "duration:", "duration", "length:", "set duration to",
	    "change duration to", "change the duration to", "for", NULL};
	struct ev_span sp;
	int64_t len, start;
	size_t e = 0;
	bool days;

	if (draft_phrase_any(s, 0, leads, &e) != NULL)
		while (draft_blank(s[e]))
			e++;
	if (!parse_length(s + e, &len, &days))
		return 0;
	if (draft_ev_span_get(v->draft, &sp) < 0) {
		ask(v,
		    "When does it start? Tell me the day first, e.g. "
		    "\xe2\x80\x9c"
		    "friday 8pm\xe2\x80\x9d.");
		return 0;
	}
	if (!sp.timed && !days) {
		ask(v,
		    "This is an all-day event: give it a start time first, "
		    "e.g. \xe2\x80\x9c"
		    "at 10am\xe2\x80\x9d.");
		return 0;
	}
	if (days && len > 366) {
		ask(v, "That is longer than I can put in a calendar.");
		return 0;
	}
	if (!sp.timed) {
		sp.ey = sp.y;
		sp.em = sp.m;
		sp.ed = sp.d;
		draft_ev_add_days(&sp.ey, &sp.em, &sp.ed, (int)len - 1);
		sp.has_end = true;
	} else {
		if (days)
			len *= DAY_MINUTES;
		if (len > 366 * DAY_MINUTES ||
		    nlp_instant(
		        v->at.tz, sp.y, sp.m, sp.d, sp.h, sp.mi, &start) < 0 ||
		    nlp_local(v->at.tz, start + len * MINUTE_MS, &sp.ey, &sp.em,
		        &sp.ed, &sp.eh, &sp.emi, NULL) < 0) {
			ask(v, "That is longer than I can put in a calendar.");
			return 0;
		}
		sp.has_end = true;
	}
	v->when_changed = true;
	return draft_ev_span_put(v->draft, &sp) < 0 ? -ENOMEM : 1;
}

/* ---- the end ---- */

static int
edit_end(struct rev *v, const char *s)
{
	static const char *const leads[] = {"until", "till", "til", "ends at",
	    "end at", "ending at", "ends", "finishes at", "finish at",
	    "finishes", "end:", "ends:", "end time:", NULL};
	struct nlp_ref from = v->at;
	struct ev_span sp;
	struct nlp_when w;
	char at[128];
	size_t e;

	if (draft_phrase_any(s, 0, leads, &e) == NULL)
		return 0;
	while (draft_blank(s[e]))
		e++;
	s += e;
	if (draft_ev_span_get(v->draft, &sp) < 0) {
		ask(v,
		    "When does it start? Tell me the day first, e.g. "
		    "\xe2\x80\x9c"
		    "friday 8pm\xe2\x80\x9d.");
		return 0;
	}
	/* read the end as the first such time after the start: "until 2"
	 * after a 22:00 start is 02:00 the next day */
	/* a bare hour ("until 11") is a time only after "at" */
	snprintf(at, sizeof(at), "at %s", s);
	if (nlp_instant(from.tz, sp.y, sp.m, sp.d, sp.timed ? sp.h : 0,
	        sp.timed ? sp.mi : 0, &from.now_ms) < 0 ||
	    !((nlp_when(s, &from, &w) == 1 && draft_only_when(s, &w)) ||
	        (nlp_when(at, &from, &w) == 1 && draft_only_when(at, &w)))) {
		ask(v,
		    "Until when? For example \xe2\x80\x9cuntil "
		    "11pm\xe2\x80\x9d "
		    "or \xe2\x80\x9cuntil friday\xe2\x80\x9d.");
		return 0;
	}
	if (!sp.timed && w.has_time) {
		ask(v,
		    "This is an all-day event: give it a start time first, "
		    "e.g. \xe2\x80\x9c"
		    "at 10am\xe2\x80\x9d.");
		return 0;
	}
	sp.ey = w.year;
	sp.em = w.month;
	sp.ed = w.day;
	if (sp.timed && !w.has_time) {
		/* "until friday": the same time of day on that day */
		sp.eh = sp.h;
		sp.emi = sp.mi;
	} else {
		sp.eh = w.hour;
		sp.emi = w.minute;
	}
	sp.has_end = true;
	if (draft_ev_days_between(sp.y, sp.m, sp.d, sp.ey, sp.em, sp.ed) < 0 ||
	    (sp.timed &&
	        draft_ev_days_between(sp.y, sp.m, sp.d, sp.ey, sp.em, sp.ed) ==
	            0 &&
	        sp.eh * 60 + sp.emi <= sp.h * 60 + sp.mi)) {
		ask(v, "The end must be after the start.");
		return 0;
	}
	v->when_changed = true;
	return draft_ev_span_put(v->draft, &sp) < 0 ? -ENOMEM : 1;
}

/* ---- a new time ---- */

/* The reasoning of w as it now stands. */
static int
explain(struct rev *v, struct nlp_when *w, const char *s)
{
	nlp_explain(w, s, &v->at);
	return draft_set_str(v->draft, "reasoning", w->reasoning);
}

/*
 * Does s say which half of the day it means: "am", "pm", "noon",
 * "evening"…, an hour past 12 or one written with a leading zero
 * ("09:00")?  Else "at 9" could be either.
 */
static bool
half_said(const char *s)
{
	static const char *const words[] = {"am", "pm", "a.m", "p.m", "noon",
	    "midday", "midnight", "morning", "afternoon", "evening", "night",
	    "tonight", NULL};
	char prev;
	size_t e;

	for (size_t i = 0; s[i] != '\0'; i++) {
		prev = i > 0 ? s[i - 1] : ' ';
		/* an hour: digits not after another number's ':' or '.' */
		if (s[i] >= '0' && s[i] <= '9' &&
		    !draft_wordch((unsigned char)prev) && prev != ':' &&
		    prev != '.' && (s[i] == '0' || atoi(s + i) > 12))
			return true;
		if (!((prev | 0x20) >= 'a' && (prev | 0x20) <= 'z') &&
		    draft_phrase_any(s, i, words, &e) != NULL)
			return true;
	}
	return false;
}

/* Minutes between two times of day, around the clock. */
static int
clock_gap(int a, int b)
{
	int d = a > b ? a - b : b - a;

	return d > 12 * 60 ? 24 * 60 - d : d;
}

/*
 * A time alone: on the event's day.  A time that says its half of the
 * day is taken as it is; an hour that does not ("at 9") is the one
 * nearer the event's present time (a 22:00 dinner moved "to 9" is at
 * 21:00, a 10:00 meeting at 09:00).
 */
static void
time_on_day(
    struct rev *v, const char *s, const struct ev_span *sp, struct nlp_when *w)
{
	struct nlp_ref at_day = v->at;
	struct nlp_when w2;
	int now, h;

	if (nlp_instant(v->at.tz, sp->y, sp->m, sp->d, 6, 59, &at_day.now_ms) ==
	        0 &&
	    nlp_when(s, &at_day, &w2) == 1 && w2.has_time) {
		w->hour = w2.hour;
		w->minute = w2.minute;
	}
	if (sp->timed && !half_said(s) && w->hour >= 1 && w->hour <= 23 &&
	    w->hour != 12) {
		now = sp->h * 60 + sp->mi;
		h = w->hour % 12;
		w->hour = clock_gap(h * 60 + w->minute, now) <=
		        clock_gap((h + 12) * 60 + w->minute, now)
		    ? h
		    : h + 12;
	}
	w->year = sp->y;
	w->month = sp->m;
	w->day = sp->d;
	w->date_implied = false;
}

static int
edit_when(struct rev *v, const char *s)
{
	static const char *const moves[] = {"make it", "move it to", "move to",
	    "move it", "move", "change it to", "change to",
	    "change the date to", "change the time to", "change date to",
	    "change time to", "reschedule it to", "reschedule it for",
	    "reschedule to", "reschedule for", "reschedule", "postpone it to",
	    "postpone to", "push it to", "push to", "set it to", "set to",
	    "set the date to", "set the time to", "starts at", "start at",
	    "starts", "start:", "it's", "it is", NULL};
	struct ev_span old, sp;
	bool had = draft_ev_span_get(v->draft, &old) == 0;
	int64_t shift, start, end, len = -1;
	struct nlp_when w;
	size_t e = 0;
	int r;

	if (draft_phrase_any(s, 0, moves, &e) != NULL)
		while (draft_blank(s[e]))
			e++;
	s += e;
	r = nlp_when(s, &v->at, &w);
	if (r <= 0 || !draft_only_when(s, &w))
		return r < 0 ? r : 0;
	if (had && old.timed && old.has_end &&
	    draft_ev_instants(&old, v->at.tz, v->default_ms, &start, &end) == 0)
		len = end - start;
	if (w.date_implied && had)
		time_on_day(v, s, &old, &w);
	memset(&sp, 0, sizeof(sp));
	sp.y = w.year;
	sp.m = w.month;
	sp.d = w.day;
	if (w.has_time) {
		sp.timed = true;
		sp.h = w.hour;
		sp.mi = w.minute;
	} else if (had && old.timed) {
		/* a new day keeps the time of day */
		sp.timed = true;
		sp.h = old.h;
		sp.mi = old.mi;
		w.has_time = true;
		w.hour = old.h;
		w.minute = old.mi;
	}
	if (w.has_end && (!sp.timed || w.end_has_time)) {
		sp.has_end = true;
		sp.ey = w.end_year;
		sp.em = w.end_month;
		sp.ed = w.end_day;
		sp.eh = w.end_hour;
		sp.emi = w.end_minute;
		draft_ev_fix_end(&sp);
	} else if (sp.timed && len >= 0 &&
	    nlp_instant(v->at.tz, sp.y, sp.m, sp.d, sp.h, sp.mi, &start) == 0) {
		r = nlp_local(v->at.tz, start + len, &sp.ey, &sp.em, &sp.ed,
		    &sp.eh, &sp.emi, NULL);
		sp.has_end = r == 0;
	} else if (!sp.timed && had && !old.timed && old.has_end) {
		/* an all-day event of several days keeps them */
		shift = draft_ev_days_between(
		    old.y, old.m, old.d, old.ey, old.em, old.ed);
		sp.ey = sp.y;
		sp.em = sp.m;
		sp.ed = sp.d;
		draft_ev_add_days(&sp.ey, &sp.em, &sp.ed, (int)shift);
		sp.has_end = true;
	} else if (had && old.timed && !old.has_end) {
		sp.has_end = false; /* "no end" stays so */
	} else {
		draft_ev_default_end(&sp, v->at.tz, v->default_ms);
	}
	r = draft_ev_span_put(v->draft, &sp);
	if (r == 0 && w.rrule[0] != '\0')
		r = draft_set_str(v->draft, "rrule", w.rrule);
	if (r == 0)
		r = explain(v, &w, s);
	v->when_changed = true;
	return r < 0 ? -ENOMEM : 1;
}

/* "at X", "in X", "@ X" that is not a time: the place. */
static int
edit_place(struct rev *v, char *s)
{
	size_t e;

	if (s[0] == '@')
		e = 1;
	else if (!draft_phrase_at(s, 0, "at ", &e) &&
	    !draft_phrase_at(s, 0, "in ", &e) &&
	    !draft_phrase_at(s, 0, "move it to ", &e) &&
	    !draft_phrase_at(s, 0, "move to ", &e))
		return 0;
	return set_place(v, draft_trim(s + e));
}

int
draft_event_revise(struct json_object *draft, const char *text,
    const struct nlp_ref *ref, int64_t default_duration_ms, bool *when_changed,
    char *question, size_t qlen)
{
	struct rev v = {.draft = draft,
	    .ref = ref,
	    .default_ms = default_duration_ms,
	    .question = question,
	    .qlen = qlen};
	char *copy, *s;
	size_t e;
	int r = 0;

	if (when_changed != NULL)
		*when_changed = false;
	if (question != NULL && qlen > 0)
		question[0] = '\0';
	if (!draft_is_event(draft) || text == NULL || ref == NULL)
		return -EINVAL;
	v.at = *ref;
	v.at.tz = draft_ev_zone(draft, ref->tz != NULL ? ref->tz : "UTC");
	copy = strdup(text);
	if (copy == NULL)
		return -ENOMEM;
	s = draft_revision_text(copy, false);
	for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (draft_phrase_at(s, 0, keywords[k].prefix, &e)) {
			r = keywords[k].apply(&v, draft_trim(s + e));
			goto out;
		}
	if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) {
		r = edit_url(&v, s);
		goto out;
	}
	for (size_t k = 0; k < sizeof(clears) / sizeof(clears[0]); k++)
		if (draft_phrase_is(s, clears[k].phrase)) {
			r = clears[k].apply(&v);
			goto out;
		}
	r = edit_length(&v, s);
	if (r == 0 && !v.asked)
		r = edit_end(&v, s);
	if (r == 0 && !v.asked)
		r = edit_when(&v, s);
	if (r == 0 && !v.asked)
		r = edit_place(&v, s);
	if (r == 0 && !v.asked)
		ask(&v, NULL);
out:
	if (r > 0 && when_changed != NULL)
		*when_changed = v.when_changed;
	free(copy);
	return r;
}

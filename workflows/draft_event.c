/*
 * draft_event — an event draft from a message or from an event found on a
 * page, its time as numbers (draft_event_int.h), and its check before it
 * is confirmed.  Events from a page are in draft_event_page.c,
 * corrections in draft_event_revise.c, the card in draft_event_card.c.
 *
 * How a message becomes an event draft:
 *  - The first non-empty line is the event, the other lines its
 *    description (bullets "- x" become "• x" lines).
 *  - Its date and time are nlp_when()'s: a range ("2-3pm", "monday to
 *    wednesday") or a length ("for 2 hours") gives the end, else the
 *    default duration; no time of day makes it all day; an end that is not
 *    after the start is on the next day ("10pm until 2").  The parser's
 *    RRULE is the recurrence.
 *  - The place is what follows "at", "@" or "in" (the last only before a
 *    capital or "room": "in Room 4", never "in 2 hours") up to the date
 *    words, a comma or a word such as "with", "on", "from": "dinner with
 *    Ana friday 8pm at Luigi's" → Luigi's.  "at 8pm" is a time, not a
 *    place: an "at" the parser took, or one before a clock time, is left.
 *  - A link in it is the event's url, not part of the title.
 *  - The title is the line without the place, made as a task title is
 *    (draft_task_from_text: date words, fillers, "please" removed), and
 *    without a leading "event:" or "schedule a".
 *  - No title or no date: a question instead of a draft.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "workflows/draft_event.h"
#include "workflows/draft_event_int.h"
#include "workflows/draft_int.h"

#define PLACE_MAX 256        /* bytes of a place read from a message */
#define DESCRIPTION_MAX 4000 /* bytes of the description kept */
#define LINK_MAX 2048        /* bytes of a link taken as the url */

bool
draft_is_event(struct json_object *draft)
{
	return draft != NULL && json_object_is_type(draft, json_type_object) &&
	    json_object_object_get_ex(draft, "all_day", NULL);
}

/* ---- calendar arithmetic (common/timeutil.c) ---- */

void
draft_ev_add_days(int *y, int *m, int *d, int n)
{
	time_civil_from_days(time_days_from_civil(*y, *m, *d) + n, y, m, d);
}

int64_t
draft_ev_days_between(int y1, int m1, int d1, int y2, int m2, int d2)
{
	return time_days_from_civil(y2, m2, d2) -
	    time_days_from_civil(y1, m1, d1);
}

/* ---- the span in the JSON ---- */

static bool
digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool
draft_ev_parse_date(const char *s, int *y, int *m, int *d)
{
	char day[32];

	if (s == NULL || strlen(s) != 10 || !digits(s, 4) || s[4] != '-' ||
	    !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return false;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	return nlp_format_day(*y, *m, *d, false, day, sizeof(day)) == 0;
}

bool
draft_ev_parse_hhmm(const char *s, int *h, int *mi)
{
	if (s == NULL || strlen(s) != 5 || !digits(s, 2) || s[2] != ':' ||
	    !digits(s + 3, 2))
		return false;
	*h = atoi(s);
	*mi = atoi(s + 3);
	return *h <= 23 && *mi <= 59;
}

int
draft_ev_span_get(struct json_object *draft, struct ev_span *s)
{
	const char *st = draft_get_str(draft, "start_time");
	const char *ed = draft_get_str(draft, "end_date");
	const char *et = draft_get_str(draft, "end_time");
	struct json_object *v;

	memset(s, 0, sizeof(*s));
	if (!draft_ev_parse_date(
	        draft_get_str(draft, "start_date"), &s->y, &s->m, &s->d))
		return -EINVAL;
	s->timed = st != NULL &&
	    !(json_object_object_get_ex(draft, "all_day", &v) &&
	        json_object_get_boolean(v));
	if (s->timed && !draft_ev_parse_hhmm(st, &s->h, &s->mi))
		return -EINVAL;
	if (ed == NULL)
		return 0;
	if (!draft_ev_parse_date(ed, &s->ey, &s->em, &s->ed))
		return -EINVAL;
	if (s->timed) {
		if (et == NULL)
			return 0; /* a day without a time: no usable end */
		if (!draft_ev_parse_hhmm(et, &s->eh, &s->emi))
			return -EINVAL;
	}
	s->has_end = true;
	return 0;
}

int
draft_ev_span_put(struct json_object *draft, const struct ev_span *s)
{
	char buf[16];
	int r;

	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", s->y, s->m, s->d);
	r = draft_set_str(draft, "start_date", buf);
	if (r == 0 && s->timed) {
		snprintf(buf, sizeof(buf), "%02d:%02d", s->h, s->mi);
		r = draft_set_str(draft, "start_time", buf);
	} else {
		json_object_object_del(draft, "start_time");
	}
	json_object_object_del(draft, "end_date");
	json_object_object_del(draft, "end_time");
	if (r == 0 && s->has_end) {
		snprintf(
		    buf, sizeof(buf), "%04d-%02d-%02d", s->ey, s->em, s->ed);
		r = draft_set_str(draft, "end_date", buf);
		if (r == 0 && s->timed) {
			snprintf(buf, sizeof(buf), "%02d:%02d", s->eh, s->emi);
			r = draft_set_str(draft, "end_time", buf);
		}
	}
	if (r == 0 &&
	    json_object_object_add(
	        draft, "all_day", json_object_new_boolean(!s->timed)) < 0)
		r = -ENOMEM;
	return r;
}

const char *
draft_ev_zone(struct json_object *draft, const char *fallback)
{
	const char *tz = draft_get_str(draft, "timezone");

	return tz != NULL && *tz != '\0' && nlp_tz_valid(tz) ? tz : fallback;
}

int
draft_ev_instants(const struct ev_span *s, const char *tz, int64_t default_ms,
    int64_t *start, int64_t *end)
{
	int y = s->has_end ? s->ey : s->y, m = s->has_end ? s->em : s->m;
	int d = s->has_end ? s->ed : s->d;
	int r;

	if (!s->timed) {
		r = nlp_instant(tz, s->y, s->m, s->d, 0, 0, start);
		draft_ev_add_days(&y, &m, &d, 1);
		return r < 0 ? r : nlp_instant(tz, y, m, d, 0, 0, end);
	}
	r = nlp_instant(tz, s->y, s->m, s->d, s->h, s->mi, start);
	if (r < 0)
		return r;
	if (!s->has_end) {
		*end = *start + default_ms;
		return 0;
	}
	return nlp_instant(tz, s->ey, s->em, s->ed, s->eh, s->emi, end);
}

int
draft_ev_default_end(struct ev_span *s, const char *tz, int64_t default_ms)
{
	int64_t start;
	int r;

	if (!s->timed) {
		s->ey = s->y;
		s->em = s->m;
		s->ed = s->d;
		s->has_end = true;
		return 0;
	}
	r = nlp_instant(tz, s->y, s->m, s->d, s->h, s->mi, &start);
	if (r == 0)
		r = nlp_local(tz, start + default_ms, &s->ey, &s->em, &s->ed,
		    &s->eh, &s->emi, NULL);
	if (r == 0)
		s->has_end = true;
	return r;
}

void
draft_ev_fix_end(struct ev_span *s)
{
	int64_t days;

	if (!s->has_end)
		return;
	days = draft_ev_days_between(s->y, s->m, s->d, s->ey, s->em, s->ed);
	if (!s->timed) {
		if (days < 0) { /* a last day before the first */
			s->ey = s->y;
			s->em = s->m;
			s->ed = s->d;
		}
		return;
	}
	if (days < 0 ||
	    (days == 0 && s->eh * 60 + s->emi <= s->h * 60 + s->mi)) {
		s->ey = s->y;
		s->em = s->m;
		s->ed = s->d;
		draft_ev_add_days(&s->ey, &s->em, &s->ed, 1);
	}
}

int
draft_ev_move_to(
    struct ev_span *s, const char *tz, int64_t ms, int64_t default_ms)
{
	int64_t start, end, len = -1;
	int r;

	if (s->timed && s->has_end &&
	    draft_ev_instants(s, tz, default_ms, &start, &end) == 0 &&
	    end >= start)
		len = end - start;
	r = nlp_local(tz, ms, &s->y, &s->m, &s->d, &s->h, &s->mi, NULL);
	if (r < 0)
		return r;
	s->timed = true;
	if (len < 0)
		return draft_ev_default_end(s, tz, default_ms);
	r = nlp_local(
	    tz, ms + len, &s->ey, &s->em, &s->ed, &s->eh, &s->emi, NULL);
	s->has_end = r == 0;
	return r;
}

int
draft_event_span(struct json_object *draft, int64_t default_duration_ms,
    int64_t *start_ms, int64_t *end_ms)
{
	struct ev_span s;

	if (draft_ev_span_get(draft, &s) < 0)
		return -EINVAL;
	return draft_ev_instants(&s, draft_ev_zone(draft, "UTC"),
	    default_duration_ms, start_ms, end_ms);
}

/* ---- from text ---- */

/* Is byte i of the line inside one of w's spans? */
static bool
in_span(const struct nlp_when *w, size_t i)
{
	for (int k = 0; k < w->nspans; k++)
		if (i >= w->spans[k].start &&
		    i < w->spans[k].start + w->spans[k].len)
			return true;
	return false;
}

/* A clock time at s the parser did not take ("8", "8.30", "20:00h",
 * "8 pm"): an "at" before it is not a place. */
static bool
clock_at(const char *s)
{
	static const char *const ampm[] = {
	    "am", "pm", "a.m.", "p.m.", "a.m", "p.m", "h", "o'clock", NULL};
	size_t n = strspn(s, "0123456789:."), e;

	if (n == 0 || s[0] < '0' || s[0] > '9')
		return false;
	while (draft_blank(s[n]))
		n++;
	if (draft_phrase_any(s, n, ampm, &e) != NULL)
		n = e;
	return s[n] == '\0' || !draft_wordch((unsigned char)s[n]);
}

static bool
capital_at(const char *s)
{
	return (*s >= 'A' && *s <= 'Z') || (unsigned char)*s >= 0x80;
}

/*
 * Find the place in line (see the top of this file), copy it into place
 * and blank it and its "at" out of line.  false when there is none.
 */
static bool
find_place(char *line, const struct nlp_when *w, char *place, size_t plen)
{
	static const char *const stops[] = {"with", "on", "from", "for", "to",
	    "until", "till", "by", "every", "and then", NULL};
	size_t i, j, k, e, n;
	bool in;

	for (i = 0; line[i] != '\0'; i++) {
		in = false;
		if (line[i] == '@' && (i == 0 || draft_blank(line[i - 1])))
			j = i + 1;
		else if (draft_word_start(line, i) &&
		    draft_phrase_at(line, i, "at ", &j))
			;
		else if (draft_word_start(line, i) &&
		    draft_phrase_at(line, i, "in ", &j))
			in = true;
		else
			continue;
		while (draft_blank(line[j]))
			j++;
		if (line[j] == '\0' || in_span(w, i) || in_span(w, j) ||
		    clock_at(line + j))
			continue;
		if (in && !capital_at(line + j) &&
		    !draft_phrase_at(line, j, "room", &e))
			continue;
		for (k = j; line[k] != '\0'; k++) {
			if (in_span(w, k) || strchr(",;()|", line[k]) != NULL)
				break;
			if (k > j && draft_blank(line[k - 1]) &&
			    draft_word_start(line, k) &&
			    draft_phrase_any(line, k, stops, &e) != NULL)
				break;
		}
		n = k - j < plen ? k - j : plen - 1;
		memcpy(place, line + j, n);
		place[n] = '\0';
		if (*draft_trim_punct(place) == '\0')
			continue;
		memmove(place, draft_trim_punct(place),
		    strlen(draft_trim_punct(place)) + 1);
		draft_fit(place, plen - 1);
		memset(line + i, ' ', k - i);
		return true;
	}
	return false;
}

/* "Concert , Philharmonie": a blank left before punctuation where date
 * words were cut out. */
static void
close_gaps(char *s)
{
	char *o = s;

	for (char *p = s; *p != '\0'; p++) {
		if (*p == ' ' && p[1] != '\0' && strchr(",;:.!?", p[1]) != NULL)
			continue;
		*o++ = *p;
	}
	*o = '\0';
}

/* "event: x", "schedule a x": the words before the event itself. */
static char *
cut_event_words(char *title)
{
	static const char *const lead[] = {"new event:", "add event:",
	    "add an event:", "event:", "add to calendar:",
	    "add to my calendar:", "calendar:", "schedule a", "schedule an",
	    NULL};
	size_t e;

	while (draft_phrase_any(title, 0, lead, &e) != NULL && title[e] != '\0')
		title = draft_trim_punct(title + e);
	return title;
}

static void
ask_event(const struct nlp_when *w, const char *title, char *q, size_t qlen)
{
	char day[32];

	if (q == NULL || qlen == 0)
		return;
	if (title != NULL)
		snprintf(q, qlen,
		    "When is \xe2\x80\x9c%s\xe2\x80\x9d? Send it again with a "
		    "day or a time, e.g. \xe2\x80\x9c%s friday "
		    "8pm\xe2\x80\x9d.",
		    title, title);
	else if (w->has_date &&
	    nlp_format_day(
	        w->year, w->month, w->day, false, day, sizeof(day)) == 0)
		snprintf(q, qlen,
		    "What is the event on %s? Tell me in a few words, e.g. "
		    "\xe2\x80\x9c"
		    "Dinner with Ana\xe2\x80\x9d.",
		    day);
	else
		snprintf(q, qlen,
		    "What is the event, and when? For example "
		    "\xe2\x80\x9c"
		    "Dinner with Ana friday 8pm at Luigi's\xe2\x80\x9d.");
}

/* The description: the task draft's notes, then its subtasks as "• x"
 * lines.  Caller frees. */
static char *
description_of(struct json_object *task)
{
	const char *notes = draft_get_str(task, "notes");
	struct json_object *subs;
	size_t len, n;
	char *out;

	if (notes == NULL)
		notes = "";
	len = strlen(notes) + 1;
	if (json_object_object_get_ex(task, "subtasks", &subs) &&
	    json_object_is_type(subs, json_type_array))
		for (size_t k = 0; k < json_object_array_length(subs); k++)
			len += 5 +
			    strlen(json_object_get_string(
			        json_object_array_get_idx(subs, k)));
	else
		subs = NULL;
	out = malloc(len);
	if (out == NULL)
		return NULL;
	n = (size_t)snprintf(out, len, "%s", notes);
	for (size_t k = 0; subs != NULL && k < json_object_array_length(subs);
	     k++)
		n += (size_t)snprintf(out + n, len - n, "%s\xe2\x80\xa2 %s",
		    n > 0 ? "\n" : "",
		    json_object_get_string(json_object_array_get_idx(subs, k)));
	draft_fit(out, DESCRIPTION_MAX);
	return out;
}

/* s from nlp's reading w (has_date). */
static void
span_of_when(const struct nlp_when *w, struct ev_span *s)
{
	memset(s, 0, sizeof(*s));
	s->y = w->year;
	s->m = w->month;
	s->d = w->day;
	s->timed = w->has_time;
	s->h = w->hour;
	s->mi = w->minute;
	if (!w->has_end)
		return;
	if (s->timed && !w->end_has_time)
		return; /* "8pm to sunday": no clock end, take the default */
	s->has_end = true;
	s->ey = w->end_year;
	s->em = w->end_month;
	s->ed = w->end_day;
	s->eh = w->end_hour;
	s->emi = w->end_minute;
}

/* The first http(s) link in line: copied into out (when it fits) and
 * blanked out of line, so it is neither title nor place. */
static void
take_link(char *line, char *out, size_t len)
{
	char *p = line, *s;
	size_t n;

	out[0] = '\0';
	while ((s = strstr(p, "http")) != NULL) {
		p = s + 4;
		if ((s != line && !draft_blank(s[-1])) ||
		    (strncmp(s, "http://", 7) != 0 &&
		        strncmp(s, "https://", 8) != 0))
			continue;
		n = strcspn(s, " \t\r\n");
		while (n > 0 && strchr(".,;:!?)", s[n - 1]) != NULL)
			n--;
		if (n < len) {
			memcpy(out, s, n);
			out[n] = '\0';
		}
		memset(s, ' ', n);
		return;
	}
}

static int
build_from_text(struct json_object *task, const char *title, const char *place,
    const char *link, const struct nlp_when *w, const struct nlp_ref *ref,
    int64_t default_ms, const char *text, struct json_object **ret)
{
	const char *tz = ref->tz != NULL ? ref->tz : "UTC";
	struct json_object *j = json_object_new_object();
	struct ev_span s;
	char *desc = description_of(task);
	int r = j == NULL || desc == NULL ? -ENOMEM : 0;

	span_of_when(w, &s);
	draft_ev_fix_end(&s);
	if (r == 0 && !s.has_end)
		r = draft_ev_default_end(&s, tz, default_ms);
	if (r == 0)
		r = draft_set_str(j, "title", title);
	if (r == 0)
		r = draft_ev_span_put(j, &s);
	if (r == 0)
		r = draft_set_str(j, "timezone", tz);
	if (r == 0 && *place != '\0')
		r = draft_set_str(j, "location", place);
	if (r == 0 && *link != '\0')
		r = draft_set_str(j, "url", link);
	if (r == 0 && *desc != '\0')
		r = draft_set_str(j, "description", desc);
	if (r == 0 && w->rrule[0] != '\0')
		r = draft_set_str(j, "rrule", w->rrule);
	if (r == 0)
		r = draft_set_str(j, "source", text);
	if (r == 0)
		r = draft_set_str(j, "reasoning", w->reasoning);
	free(desc);
	if (r < 0) {
		json_object_put(j);
		return r;
	}
	*ret = j;
	return 0;
}

int
draft_event_from_text(const char *text, const struct nlp_ref *ref,
    int64_t default_duration_ms, struct json_object **ret, char *question,
    size_t qlen)
{
	char tq[256], place[PLACE_MAX] = "", link[LINK_MAX], *copy, *line;
	char *nl, *title;
	struct json_object *task = NULL;
	struct nlp_when w;
	int r;

	if (ret != NULL)
		*ret = NULL;
	if (question != NULL && qlen > 0)
		question[0] = '\0';
	if (text == NULL || ref == NULL || ret == NULL)
		return -EINVAL;
	copy = strdup(text);
	if (copy == NULL)
		return -ENOMEM;
	/* the first non-empty line: the place is blanked out of it in place,
	 * so the task drafter reads the rest of the message as it is */
	line = copy + strspn(copy, " \t\r\n");
	nl = strchr(line, '\n');
	if (nl != NULL)
		*nl = '\0';
	take_link(line, link, sizeof(link));
	r = nlp_when(line, ref, &w);
	if (r >= 0 && find_place(line, &w, place, sizeof(place)))
		r = nlp_when(line, ref, &w);
	if (nl != NULL)
		*nl = '\n';
	if (r < 0)
		goto out;
	r = draft_task_from_text(copy, ref, &task, tq, sizeof(tq));
	if (r < 0)
		goto out;
	title = task != NULL ? (char *)draft_get_str(task, "title") : NULL;
	if (title != NULL) {
		/* the title is the task's own copy: edit a copy of it */
		free(copy);
		copy = strdup(title);
		if (copy == NULL) {
			r = -ENOMEM;
			goto out;
		}
		close_gaps(copy);
		title = cut_event_words(copy);
		draft_capitalise(title);
		if (*title == '\0')
			title = NULL;
	}
	if (title == NULL || !w.has_date) {
		ask_event(&w, title, question, qlen);
		r = 0;
		goto out;
	}
	r = build_from_text(
	    task, title, place, link, &w, ref, default_duration_ms, text, ret);
out:
	json_object_put(task);
	free(copy);
	return r;
}

/* ---- validation ---- */

static int
invalid(char *why, size_t len, const char *reason)
{
	if (why != NULL && len > 0)
		snprintf(why, len, "%s", reason);
	return -EINVAL;
}

int
draft_event_validate(struct json_object *draft, char *why, size_t len)
{
	const char *title, *s;
	struct json_object *v;
	struct ev_span sp;
	int64_t start, end;
	int y, m, d, h, mi;

	if (why != NULL && len > 0)
		why[0] = '\0';
	if (draft == NULL || !json_object_is_type(draft, json_type_object))
		return invalid(why, len, "The draft is not a JSON object.");
	title = draft_get_str(draft, "title");
	if (title == NULL || strspn(title, " \t\r\n") == strlen(title))
		return invalid(why, len, "The title is empty.");
	if (strlen(title) > DRAFT_TITLE_MAX)
		return invalid(why, len,
		    "The title is too long: it must be under 1024 bytes.");
	if (draft_get_str(draft, "start_date") == NULL)
		return invalid(why, len,
		    "The event has no date yet: reply with when it is, e.g. "
		    "\xe2\x80\x9c"
		    "friday 8pm\xe2\x80\x9d.");
	if (!draft_ev_parse_date(
	        draft_get_str(draft, "start_date"), &y, &m, &d))
		return invalid(
		    why, len, "The start is not a real date (YYYY-MM-DD).");
	s = draft_get_str(draft, "end_date");
	if (json_object_object_get_ex(draft, "end_date", &v) &&
	    !draft_ev_parse_date(s, &y, &m, &d))
		return invalid(
		    why, len, "The end is not a real date (YYYY-MM-DD).");
	if ((json_object_object_get_ex(draft, "start_time", &v) &&
	        !draft_ev_parse_hhmm(
	            draft_get_str(draft, "start_time"), &h, &mi)) ||
	    (json_object_object_get_ex(draft, "end_time", &v) &&
	        !draft_ev_parse_hhmm(
	            draft_get_str(draft, "end_time"), &h, &mi)))
		return invalid(
		    why, len, "A time is not a time of day (HH:MM).");
	s = draft_get_str(draft, "timezone");
	if (s != NULL && !nlp_tz_valid(s))
		return invalid(why, len, "The time zone is not one I know.");
	if (draft_ev_span_get(draft, &sp) < 0 ||
	    draft_ev_instants(
	        &sp, draft_ev_zone(draft, "UTC"), 0, &start, &end) < 0)
		return invalid(why, len, "The start or end is not valid.");
	if (end < start)
		return invalid(why, len, "The event ends before it starts.");
	if (json_object_object_get_ex(draft, "rrule", &v)) {
		s = draft_get_str(draft, "rrule");
		if (s == NULL || strncmp(s, "FREQ=", 5) != 0 ||
		    strlen(s) >= DRAFT_EVENT_RRULE_MAX)
			return invalid(why, len,
			    "The repeat rule must be an RRULE (FREQ=…).");
	}
	return 0;
}

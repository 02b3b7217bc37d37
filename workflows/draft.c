/*
 * draft — a task draft from a message, its revisions, and its check before
 * it is confirmed.  Revisions are in draft_revise.c, the card in
 * draft_card.c, shared text helpers in draft_text.c.
 *
 * How a message becomes a draft:
 *  - The first non-empty line is the task; its date and time come from
 *    nlp_when().  Lines after it that start with "-", "*" or "•" are
 *    subtasks; other lines are notes.
 *  - The title is that line without the date words (and a "by", "due",
 *    "before", "until", "for", "on" or "at" just before them), without
 *    priority words, without "please" and leading fillers ("remind me to",
 *    "I need to", "don't forget to", "todo:"…), with trailing punctuation
 *    removed and the first letter capitalised.
 *  - Priority is nlp_parse()'s, read from that line: "urgent", "asap",
 *    "top priority", "!!!", "p1" → 3; "high priority", "important", "!!",
 *    a "!" standing alone, "p2" → 2; "low priority", "p3" → 1; "p4" → 0;
 *    the highest one stated wins.  The parser's scale (0 none, 1 low,
 *    2 high, 3 urgent) is the draft's, so the level is taken as it is;
 *    the words are cut from the title here, as the parser cuts them.
 *  - A range on one day ("team sync 2-3pm tomorrow") adds due_end_time,
 *    and a recurrence ("every 1st of the month") the parser's RRULE.
 *  - "pack: passport, charger and tickets" → title "Pack" and the items as
 *    subtasks (only with two items or more: "Note: call Bob" stays whole).
 *  - A title that is empty or only a filler ("remind me", "something",
 *    "task") gets a question instead of a draft.
 *  - A title longer than DRAFT_TITLE_MAX is cut at a word and kept whole
 *    in the notes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/draft.h"
#include "workflows/draft_int.h"

#define CUT_TITLE 200 /* bytes kept of an over-long title */

static const char *const connectors[] = {
    "by", "due", "before", "until", "till", "for", "on", "at", NULL};

/* Blank out the span [st, st+len) and up to two connectors just before. */
static void
cut_span(char *s, size_t st, size_t len)
{
	memset(s + st, ' ', len);
	for (int n = 0; n < 2; n++) {
		size_t k = st, ws, e;

		while (k > 0 && draft_blank(s[k - 1]))
			k--;
		ws = k;
		while (ws > 0 && draft_wordch((unsigned char)s[ws - 1]))
			ws--;
		if (ws == k ||
		    draft_phrase_any(s, ws, connectors, &e) == NULL || e != k)
			return;
		memset(s + ws, ' ', k - ws);
		st = ws;
	}
}

/* The words nlp_task.c reads as a priority; the level is the parser's. */
static const char *const priorities[] = {"high priority", "priority high",
    "priority: high", "top priority", "low priority", "priority low",
    "priority: low", "important", "urgently", "urgent", "asap", "a.s.a.p.",
    "a.s.a.p", "p1", "p2", "p3", "p4", NULL};

/* Blank out priority words, "!!" runs and a "!" standing alone in s. */
static void
cut_priority(char *s)
{
	size_t e, run;

	for (size_t i = 0; s[i] != '\0'; i++) {
		if (s[i] == '!') {
			for (run = 0; s[i + run] == '!'; run++)
				;
			if (run >= 2 ||
			    ((i == 0 || draft_blank(s[i - 1])) &&
			        (s[i + 1] == '\0' || draft_blank(s[i + 1]))))
				memset(s + i, ' ', run);
			i += run - 1;
			continue;
		}
		if (draft_word_start(s, i) &&
		    draft_phrase_any(s, i, priorities, &e) != NULL)
			memset(s + i, ' ', e - i);
	}
}

/* The priority nlp_parse() reads in line (0 none … 3 urgent, as in a
 * draft), or a negative errno. */
static int
parse_priority(const char *line, const struct nlp_ref *ref)
{
	static const struct nlp_opts ahead = {
	    .forward_date = true, .ahead = true};
	struct nlp_result *res = malloc(sizeof(*res));
	int r;

	if (res == NULL)
		return -ENOMEM;
	r = nlp_parse(line, ref, &ahead, res);
	if (r >= 0)
		r = res->priority >= 0 && res->priority <= 3 ? res->priority
		                                             : 0;
	free(res);
	return r;
}

/* Blank out every whole word "please". */
static void
cut_please(char *s)
{
	static const char *const words[] = {"please", "pls", "plz", NULL};
	size_t e;

	for (size_t i = 0; s[i] != '\0'; i++)
		if (draft_word_start(s, i) &&
		    draft_phrase_any(s, i, words, &e) != NULL)
			memset(s + i, ' ', e - i);
}

static const char *const fillers[] = {
    "remind me that i need to",
    "remind me that i have to",
    "remind me to",
    "remind me about",
    "remind me of",
    "remind me that",
    "remind me",
    "don't forget to",
    "do not forget to",
    "don't forget",
    "do not forget",
    "i need to",
    "i have to",
    "i've got to",
    "i must",
    "i should",
    "i want to",
    "i'd like to",
    "i gotta",
    "we need to",
    "need to",
    "have to",
    "remember to",
    "make sure to",
    "can you",
    "could you",
    "would you",
    "add a task to",
    "add task to",
    "create a task to",
    "add a reminder to",
    "set a reminder to",
    "todo:",
    "to do:",
    "to-do:",
    "todo",
    "task:",
    "reminder:",
    "note to self:",
    "new task:",
    NULL,
};

/* The title of line (edited in place): see the top of this file. */
static char *
make_title(char *line, const struct nlp_when *w)
{
	size_t e;
	char *t;

	for (int k = 0; k < w->nspans; k++)
		cut_span(line, w->spans[k].start, w->spans[k].len);
	cut_priority(line);
	cut_please(line);
	draft_squeeze(line);
	t = draft_trim_punct(line);
	while (draft_phrase_any(t, 0, fillers, &e) != NULL)
		t = draft_trim_punct(t + e);
	return t;
}

/* "pack: passport, charger and tickets": cut the title at the colon and
 * add the items, when there are two or more. */
static int
split_list(char *title, struct json_object *subs)
{
	char *colon = strstr(title, ": "), *items[DRAFT_ITEMS_MAX];
	char *rest;
	int n, r;

	if (colon == NULL || colon == title)
		return 0;
	rest = strdup(colon + 2);
	if (rest == NULL)
		return -ENOMEM;
	n = draft_split_items(rest, items, DRAFT_ITEMS_MAX);
	if (n < 2) {
		free(rest);
		return 0;
	}
	*colon = '\0';
	for (int k = 0; k < n; k++) {
		r = draft_add_item(subs, items[k]);
		if (r < 0) {
			free(rest);
			return r;
		}
	}
	free(rest);
	return 0;
}

/* "- passport", "* charger", "• tickets": length of the marker and the
 * blanks after it, 0 when line is not a bullet. */
static size_t
bullet_len(const char *line)
{
	size_t i = 0, m;

	while (line[i] == ' ' || line[i] == '\t')
		i++;
	if (line[i] == '-' || line[i] == '*')
		m = 1;
	else if ((unsigned char)line[i] == 0xe2 &&
	    (unsigned char)line[i + 1] == 0x80 &&
	    (unsigned char)line[i + 2] == 0xa2)
		m = 3;
	else
		return 0;
	if (line[i + m] != '\0' && !draft_blank(line[i + m]))
		return 0;
	i += m;
	while (draft_blank(line[i]))
		i++;
	return i;
}

static bool
vague(const char *title)
{
	static const char *const words[] = {"remind me", "reminder",
	    "a reminder", "something", "some thing", "task", "a task",
	    "new task", "todo", "to do", "stuff", "thing", "things", "remember",
	    "note", "a note", "it", "this", "that", "hi", "hello", NULL};
	bool letters = false;

	for (const char *p = title; *p != '\0'; p++)
		letters = letters || draft_wordch((unsigned char)*p);
	if (!letters)
		return true;
	for (size_t k = 0; words[k] != NULL; k++)
		if (draft_phrase_is(title, words[k]))
			return true;
	return false;
}

static void
ask_title(const struct nlp_when *w, char *question, size_t qlen)
{
	char day[32];

	if (question == NULL || qlen == 0)
		return;
	if (w->has_date &&
	    nlp_format_day(
	        w->year, w->month, w->day, false, day, sizeof(day)) == 0) {
		if (w->has_time)
			snprintf(question, qlen,
			    "What should I put down for %s at %02d:%02d? Tell "
			    "me in a few words, e.g. \xe2\x80\x9c"
			    "Call mom\xe2\x80\x9d.",
			    day, w->hour, w->minute);
		else
			snprintf(question, qlen,
			    "What should I put down for %s? Tell me in a few "
			    "words, e.g. \xe2\x80\x9c"
			    "Call mom\xe2\x80\x9d.",
			    day);
		return;
	}
	snprintf(question, qlen,
	    "What should the task be? Tell me in a few words, e.g. "
	    "\xe2\x80\x9c"
	    "Call mom tomorrow at 5pm\xe2\x80\x9d.");
}

static int
build(const char *title, const char *notes, int prio, struct json_object *subs,
    const struct nlp_when *w, const char *source, struct json_object **ret)
{
	struct json_object *d = json_object_new_object();
	int r;

	if (d == NULL)
		return -ENOMEM;
	r = draft_set_str(d, "title", title);
	if (r == 0)
		r = draft_set_str(d, "notes", notes);
	if (r == 0 && w->has_date)
		r = draft_set_when(d, w);
	if (r == 0)
		r = draft_set_int(d, "priority", prio);
	if (r == 0) {
		r = json_object_object_add(
		    d, "subtasks", json_object_get(subs));
		if (r < 0) {
			json_object_put(subs);
			r = -ENOMEM;
		}
	}
	if (r == 0 && !w->has_date)
		r = draft_set_str(d, "reasoning", "");
	if (r == 0)
		r = draft_set_str(d, "source", source);
	if (r < 0) {
		json_object_put(d);
		return r;
	}
	*ret = d;
	return 0;
}

/* Append line to notes (a buffer as long as the message), a newline
 * between lines. */
static void
add_note(char *notes, const char *line)
{
	size_t n = strlen(notes);

	if (n > 0)
		notes[n++] = '\n';
	strcpy(notes + n, line);
}

int
draft_task_from_text(const char *text, const struct nlp_ref *ref,
    struct json_object **ret, char *question, size_t qlen)
{
	struct json_object *subs = NULL;
	struct nlp_when w;
	char *copy = NULL, *notes = NULL, *first = NULL, *title, *line, *next;
	char *long_title = NULL, none[1] = "";
	size_t b;
	int prio = 0, r;

	if (ret != NULL)
		*ret = NULL;
	if (question != NULL && qlen > 0)
		question[0] = '\0';
	if (text == NULL || ref == NULL || ret == NULL)
		return -EINVAL;
	copy = strdup(text);
	notes = calloc(1, strlen(text) + 2);
	subs = json_object_new_array();
	if (copy == NULL || notes == NULL || subs == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/* the first non-empty line is the task; the rest notes and bullets */
	for (line = copy; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line = draft_trim(line);
		if (*line == '\0')
			continue;
		if (first == NULL) {
			first = bullet_len(line) > 0 ? none : line;
			if (*first != '\0')
				continue;
		}
		b = bullet_len(line);
		if (b > 0) {
			char *item = draft_trim(line + b);

			if (*item != '\0' &&
			    (r = draft_add_item(subs, item)) < 0)
				goto out;
		} else {
			add_note(notes, line);
		}
	}
	if (first == NULL)
		first = none;
	r = nlp_when(first, ref, &w);
	if (r < 0)
		goto out;
	prio = parse_priority(first, ref);
	if (prio < 0) {
		r = prio;
		goto out;
	}
	title = make_title(first, &w);
	r = split_list(title, subs);
	if (r < 0)
		goto out;
	title = draft_trim_punct(title);
	if (vague(title)) {
		ask_title(&w, question, qlen);
		r = 0;
		goto out;
	}
	draft_capitalise(title);
	if (strlen(title) > DRAFT_TITLE_MAX) {
		/* keep the whole text, in the notes */
		long_title = malloc(strlen(title) + strlen(notes) + 2);
		if (long_title == NULL) {
			r = -ENOMEM;
			goto out;
		}
		strcpy(long_title, title);
		if (*notes != '\0')
			strcat(strcat(long_title, "\n"), notes);
		draft_fit_words(title, CUT_TITLE);
	}
	r = build(title, long_title != NULL ? long_title : notes, prio, subs,
	    &w, text, ret);
out:
	json_object_put(subs);
	free(long_title);
	free(notes);
	free(copy);
	return r;
}

/* Validation. */

static bool
digits_at(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Is s a time of day "HH:MM"? */
static bool
hhmm(const char *s)
{
	return s != NULL && strlen(s) == 5 && digits_at(s, 2) && s[2] == ':' &&
	    digits_at(s + 3, 2) && atoi(s) <= 23 && atoi(s + 3) <= 59;
}

static int
invalid(char *why, size_t len, const char *reason)
{
	if (why != NULL && len > 0)
		snprintf(why, len, "%s", reason);
	return -EINVAL;
}

int
draft_validate(struct json_object *draft, char *why, size_t len)
{
	struct json_object *v;
	const char *title, *date, *time;
	char day[32];

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
	date = draft_get_str(draft, "due_date");
	if (json_object_object_get_ex(draft, "due_date", &v) &&
	    (date == NULL || strlen(date) != 10 || !digits_at(date, 4) ||
	        date[4] != '-' || !digits_at(date + 5, 2) || date[7] != '-' ||
	        !digits_at(date + 8, 2) ||
	        nlp_format_day(atoi(date), atoi(date + 5), atoi(date + 8),
	            false, day, sizeof(day)) < 0))
		return invalid(
		    why, len, "The due date is not a real date (YYYY-MM-DD).");
	time = draft_get_str(draft, "due_time");
	if (json_object_object_get_ex(draft, "due_time", &v)) {
		if (!hhmm(time))
			return invalid(why, len,
			    "The due time is not a time of day (HH:MM).");
		if (date == NULL)
			return invalid(
			    why, len, "A due time needs a due date.");
	}
	if (json_object_object_get_ex(draft, "due_end_time", &v)) {
		const char *end = draft_get_str(draft, "due_end_time");

		if (!hhmm(end) || time == NULL || strcmp(end, time) <= 0)
			return invalid(why, len,
			    "The end time must be a time (HH:MM) after the due "
			    "time.");
	}
	if (json_object_object_get_ex(draft, "rrule", &v)) {
		const char *rr = draft_get_str(draft, "rrule");

		if (rr == NULL || strncmp(rr, "FREQ=", 5) != 0 ||
		    strlen(rr) >= NLP_RRULE_MAX || date == NULL)
			return invalid(why, len,
			    "The repeat rule must be an RRULE (FREQ=…) on a "
			    "task with a due date.");
	}
	if (json_object_object_get_ex(draft, "priority", &v) &&
	    (!json_object_is_type(v, json_type_int) ||
	        json_object_get_int(v) < 0 || json_object_get_int(v) > 3))
		return invalid(why, len, "The priority must be 0 to 3.");
	if (json_object_object_get_ex(draft, "subtasks", &v)) {
		size_t n;

		if (!json_object_is_type(v, json_type_array))
			return invalid(
			    why, len, "The subtasks are not a list.");
		n = json_object_array_length(v);
		for (size_t k = 0; k < n; k++) {
			struct json_object *it =
			    json_object_array_get_idx(v, k);
			const char *s = json_object_get_string(it);

			if (!json_object_is_type(it, json_type_string) ||
			    *s == '\0' || strlen(s) > DRAFT_TITLE_MAX)
				return invalid(why, len,
				    "Each subtask must be a text of 1 to 1023 "
				    "bytes.");
		}
	}
	return 0;
}

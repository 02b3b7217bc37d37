/*
 * draft_revise — applying a correction to a draft: "make it 11am", "at 5",
 * "tomorrow", "move to friday", "priority high", "urgent", "add: bring
 * laptop", "remove: charger", "title: …", "rename to …", "notes: …",
 * "no date", "no time".  Keyword corrections are a table; anything else
 * must be a date/time and nothing more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/draft.h"
#include "workflows/draft_int.h"

#define NOT_UNDERSTOOD                                                         \
	"I didn\xe2\x80\x99t understand that change. Try "                     \
	"\xe2\x80\x9cmake it 11am\xe2\x80\x9d, "                               \
	"\xe2\x80\x9ctomorrow\xe2\x80\x9d, "                                   \
	"\xe2\x80\x9cpriority high\xe2\x80\x9d, "                              \
	"\xe2\x80\x9c"                                                         \
	"add: bring laptop\xe2\x80\x9d, "                                      \
	"\xe2\x80\x9ctitle: \xe2\x80\xa6\xe2\x80\x9d, "                        \
	"\xe2\x80\x9cnotes: \xe2\x80\xa6\xe2\x80\x9d or "                      \
	"\xe2\x80\x9cno date\xe2\x80\x9d."

void
draft_ask(char *question, size_t qlen, const char *what)
{
	if (question != NULL && qlen > 0)
		snprintf(question, qlen, "%s", what);
}

static void
ask_revision(char *question, size_t qlen, const char *what)
{
	draft_ask(question, qlen, what != NULL ? what : NOT_UNDERSTOOD);
}

int
draft_revise_title(struct json_object *draft, char *arg, const char *ask_empty,
    const char **ask)
{
	char *t = draft_trim_punct(draft_unquote(arg));

	if (*t == '\0') {
		*ask = ask_empty;
		return 0;
	}
	if (strlen(t) > DRAFT_TITLE_MAX) {
		*ask = "That title is too long: keep it under 1024 bytes.";
		return 0;
	}
	draft_capitalise(t);
	return draft_set_str(draft, "title", t) < 0 ? -ENOMEM : 1;
}

static int
edit_title(struct json_object *draft, char *arg, char *question, size_t qlen)
{
	const char *ask = NULL;
	int r = draft_revise_title(draft, arg,
	    "What should the title be? For example "
	    "\xe2\x80\x9ctitle: Call mom\xe2\x80\x9d.",
	    &ask);

	if (r == 0)
		ask_revision(question, qlen, ask);
	return r;
}

static int
edit_notes(struct json_object *draft, char *arg, char *question, size_t qlen)
{
	return draft_set_str(draft, "notes", draft_unquote(arg)) < 0 ? -ENOMEM
	                                                             : 1;
}

/* The subtasks array of draft, created when missing. */
static struct json_object *
subtasks_of(struct json_object *draft)
{
	struct json_object *subs;

	if (json_object_object_get_ex(draft, "subtasks", &subs) &&
	    json_object_is_type(subs, json_type_array))
		return subs;
	subs = json_object_new_array();
	if (subs != NULL && json_object_object_add(draft, "subtasks", subs) < 0)
		return NULL;
	return subs;
}

static int
edit_add(struct json_object *draft, char *arg, char *question, size_t qlen)
{
	struct json_object *subs;
	char *items[DRAFT_ITEMS_MAX];
	int n = draft_split_items(arg, items, DRAFT_ITEMS_MAX);

	if (n == 0) {
		ask_revision(question, qlen,
		    "What should I add? For example "
		    "\xe2\x80\x9c"
		    "add: bring laptop\xe2\x80\x9d.");
		return 0;
	}
	subs = subtasks_of(draft);
	if (subs == NULL)
		return -ENOMEM;
	for (int k = 0; k < n; k++)
		if (draft_add_item(subs, draft_unquote(items[k])) < 0)
			return -ENOMEM;
	return 1;
}

static bool
same_text(const char *a, const char *b)
{
	for (; *a != '\0' && draft_lower(*a) == draft_lower(*b); a++, b++)
		;
	return *a == '\0' && *b == '\0';
}

static int
edit_remove(struct json_object *draft, char *arg, char *question, size_t qlen)
{
	struct json_object *subs, *keep;
	char *what = draft_trim_punct(draft_unquote(arg));
	size_t n;
	int gone = 0;

	if (!json_object_object_get_ex(draft, "subtasks", &subs) ||
	    !json_object_is_type(subs, json_type_array))
		subs = NULL;
	keep = json_object_new_array();
	if (keep == NULL)
		return -ENOMEM;
	n = subs != NULL ? json_object_array_length(subs) : 0;
	for (size_t k = 0; k < n; k++) {
		struct json_object *it = json_object_array_get_idx(subs, k);
		const char *s = json_object_get_string(it);

		if (s != NULL && same_text(s, what)) {
			gone++;
			continue;
		}
		if (json_object_array_add(keep, json_object_get(it)) < 0) {
			json_object_put(it);
			json_object_put(keep);
			return -ENOMEM;
		}
	}
	if (gone == 0) {
		json_object_put(keep);
		ask_revision(question, qlen,
		    "I found no subtask by that name; write it as the card "
		    "shows it.");
		return 0;
	}
	return json_object_object_add(draft, "subtasks", keep) < 0 ? -ENOMEM
	                                                           : 1;
}

/* Corrections that start with a keyword, longest first. */
static const struct {
	const char *prefix;
	int (*apply)(
	    struct json_object *draft, char *arg, char *question, size_t qlen);
} edits[] = {
    {"change the title to", edit_title},
    {"change title to", edit_title},
    {"rename it to", edit_title},
    {"rename to", edit_title},
    {"rename:", edit_title},
    {"rename", edit_title},
    {"call it", edit_title},
    {"title:", edit_title},
    {"notes:", edit_notes},
    {"note:", edit_notes},
    {"add subtasks:", edit_add},
    {"add subtask:", edit_add},
    {"add subtask", edit_add},
    {"subtask:", edit_add},
    {"add:", edit_add},
    {"remove subtask:", edit_remove},
    {"remove subtask", edit_remove},
    {"remove:", edit_remove},
    {"delete:", edit_remove},
};

static const char *const leadins[] = {"make it", "set it to", "set to",
    "change it to", "change to", "mark it as", "mark as", NULL};

static const struct {
	const char *phrase;
	int level;
} priority_edits[] = {
    {"urgent", 3},
    {"asap", 3},
    {"!!!", 3},
    {"priority urgent", 3},
    {"priority: urgent", 3},
    {"high priority", 2},
    {"priority high", 2},
    {"priority: high", 2},
    {"priority to high", 2},
    {"important", 2},
    {"!!", 2},
    {"low priority", 1},
    {"priority low", 1},
    {"priority: low", 1},
    {"priority to low", 1},
    {"not urgent", 0},
    {"not important", 0},
    {"no priority", 0},
    {"normal priority", 0},
    {"priority normal", 0},
    {"priority: normal", 0},
    {"priority none", 0},
    {"priority: none", 0},
};

static int
edit_priority(struct json_object *draft, const char *s)
{
	size_t e = 0;

	if (draft_phrase_any(s, 0, leadins, &e) != NULL)
		while (draft_blank(s[e]))
			e++;
	for (size_t k = 0;
	     k < sizeof(priority_edits) / sizeof(priority_edits[0]); k++)
		if (draft_phrase_is(s + e, priority_edits[k].phrase))
			return draft_set_int(draft, "priority",
			           priority_edits[k].level) < 0
			    ? -ENOMEM
			    : 1;
	return 0;
}

static int
edit_clear(struct json_object *draft, const char *s)
{
	static const char *const no_date[] = {"no date", "no due date",
	    "no deadline", "remove date", "remove the date",
	    "remove the due date", "clear date", "clear the date",
	    "without date", "without a date", "someday", NULL};
	static const char *const no_time[] = {"no time", "remove time",
	    "remove the time", "clear time", "clear the time", "without time",
	    "without a time", "all day", "all-day", "any time", "anytime",
	    NULL};

	for (size_t k = 0; no_date[k] != NULL; k++) {
		if (draft_phrase_is(s, no_date[k])) {
			json_object_object_del(draft, "due_date");
			json_object_object_del(draft, "due_time");
			json_object_object_del(draft, "due_end_time");
			json_object_object_del(draft, "rrule");
			return draft_set_str(draft, "reasoning", "") < 0
			    ? -ENOMEM
			    : 1;
		}
	}
	for (size_t k = 0; no_time[k] != NULL; k++) {
		if (draft_phrase_is(s, no_time[k])) {
			json_object_object_del(draft, "due_time");
			json_object_object_del(draft, "due_end_time");
			return draft_set_str(draft, "reasoning", "") < 0
			    ? -ENOMEM
			    : 1;
		}
	}
	return 0;
}

bool
draft_only_when(const char *s, const struct nlp_when *w)
{
	static const char *const extra[] = {
	    "instead", "please", "then", "to", "for", "on", "at", NULL};
	char *c = strdup(s);
	bool only = true;
	size_t e;

	if (c == NULL)
		return false;
	for (int k = 0; k < w->nspans; k++)
		memset(c + w->spans[k].start, ' ', w->spans[k].len);
	for (size_t i = 0; c[i] != '\0' && only; i++) {
		if (!draft_word_start(c, i))
			continue;
		if (draft_phrase_any(c, i, extra, &e) != NULL)
			i = e - 1;
		else
			only = false;
	}
	free(c);
	return only;
}

/*
 * A time alone ("make it 11am", "at 5") on a draft that has a day keeps
 * that day.  Today's draft takes nlp's reading as it is (a time already
 * past moves to tomorrow); for another day the time is read as on that day
 * (an ambiguous "at 5" is 17:00).
 */
static void
keep_day(struct nlp_when *w, const char *due, const char *s,
    const struct nlp_ref *ref)
{
	struct nlp_ref at_day = *ref;
	struct nlp_when w2;
	int y, m, d, ty, tm, td;

	if (sscanf(due, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
	    nlp_local(ref->tz, ref->now_ms, &ty, &tm, &td, NULL, NULL, NULL) <
	        0)
		return;
	if (y == ty && m == tm && d == td)
		return;
	if (nlp_instant(ref->tz, y, m, d, 6, 59, &at_day.now_ms) < 0 ||
	    nlp_when(s, &at_day, &w2) != 1)
		return;
	w->year = y;
	w->month = m;
	w->day = d;
	w->hour = w2.hour;
	w->minute = w2.minute;
	w->date_implied = false;
	nlp_explain(w, s, ref);
}

static int
edit_when(struct json_object *draft, const char *s, const struct nlp_ref *ref)
{
	static const char *const moves[] = {"make it", "move it to", "move to",
	    "move it", "move", "change it to", "change to",
	    "change the date to", "change the time to", "change date to",
	    "change time to", "reschedule it to", "reschedule it for",
	    "reschedule to", "reschedule for", "reschedule", "postpone it to",
	    "postpone to", "push it to", "push to", "set it to", "set to",
	    "set the date to", "set the time to", "due", NULL};
	struct nlp_when w;
	const char *due, *at;
	size_t e = 0;
	int r;

	if (draft_phrase_any(s, 0, moves, &e) != NULL)
		while (draft_blank(s[e]))
			e++;
	s += e;
	r = nlp_when(s, ref, &w);
	if (r <= 0 || !draft_only_when(s, &w))
		return r < 0 ? r : 0;
	due = draft_get_str(draft, "due_date");
	at = draft_get_str(draft, "due_time");
	if (w.date_implied && due != NULL) {
		keep_day(&w, due, s, ref);
	} else if (!w.has_time && at != NULL &&
	    sscanf(at, "%2d:%2d", &w.hour, &w.minute) == 2) {
		/* a new day keeps the time */
		w.has_time = true;
		nlp_explain(&w, s, ref);
	}
	return draft_set_when(draft, &w) < 0 ? -ENOMEM : 1;
}

int
draft_revise(struct json_object *draft, const char *text,
    const struct nlp_ref *ref, char *question, size_t qlen)
{
	char *copy, *s;
	size_t e;
	int r = 0;

	if (question != NULL && qlen > 0)
		question[0] = '\0';
	if (draft == NULL || !json_object_is_type(draft, json_type_object) ||
	    text == NULL || ref == NULL)
		return -EINVAL;
	copy = strdup(text);
	if (copy == NULL)
		return -ENOMEM;
	s = draft_revision_text(copy, true);
	for (size_t k = 0; k < sizeof(edits) / sizeof(edits[0]) && r == 0;
	     k++) {
		if (draft_phrase_at(s, 0, edits[k].prefix, &e)) {
			r = edits[k].apply(
			    draft, draft_trim(s + e), question, qlen);
			goto out;
		}
	}
	r = edit_priority(draft, s);
	if (r == 0)
		r = edit_clear(draft, s);
	if (r == 0)
		r = edit_when(draft, s, ref);
	if (r == 0)
		ask_revision(question, qlen, NULL);
out:
	free(copy);
	return r;
}

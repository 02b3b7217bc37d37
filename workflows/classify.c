/*
 * classify — what a free-text message is, by the rules alone, and how far
 * the rules can be trusted with it (see classify.h).  The words it knows
 * and its text helpers are in classify_text.c.
 *
 * How a message is read:
 *  - The first http(s) link is kept (found in the text: Telegram's
 *    entities are not needed).  A link alone, or with a few words that
 *    give no date and no verb of their own ("check this out <url>"), is
 *    WF_KIND_URL.
 *  - Small talk ("ok", "thanks!", an emoji) is UNCLEAR; "what are my
 *    tasks" LIST; "help", "how does this work" HELP.
 *  - Otherwise the message is drafted (draft_task_from_text) and its
 *    first line parsed (nlp_parse) as the bot does, and the draft's title
 *    decides: led by a to-do verb it is a task ("book dentist
 *    appointment", "call mom at 5"), unless the words make an event of it
 *    ("call with the recruiter", "book club", "have lunch"); without such
 *    a verb, a title that names an occasion (meeting, dinner, flight,
 *    concert, party, appointment, dentist, wedding, …) or a range on one
 *    day ("2-3pm") is an event.  A draft the drafting rules find too vague
 *    ("remind me") is UNCLEAR.
 *
 * The confidence starts from how clear that decision was and is capped by
 * each thing that makes a rule-made draft untrustworthy; `why` names the
 * lowest cap.  The caps, lowest first: text not in English; a vague
 * object ("the thing"); several or conflicting dates; date-like words
 * the parser left in the title ("sat", "arvo", "later"); a day and month
 * that could be swapped (3/12 outside the Americas); a bare hour on an
 * evening occasion ("dinner thursday 7:30" read as 07:30); a question;
 * hedging ("maybe", "I think"); several clauses or sentences; a month or
 * week without a day ("next week"); a date that is a topic or a name
 * rather than a deadline ("about saturday", "book … for friday",
 * "monday's presentation"); a number left in the title; an event without
 * a date; pieces of a date left around the title; a long message; small
 * talk inside the message; "midnight"; a part of the day already past;
 * one word, or words without a verb, a date or an occasion; a request put
 * as a question ("can you remind me…").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/classify.h"
#include "workflows/classify_int.h"
#include "workflows/draft.h"
#include "workflows/draft_int.h"

#define LONG_WORDS 14 /* a first line longer than this is "long" */
#define QUESTION_MAX 256

/* Caps: a reading with one of these problems is at most this sure. */
enum {
	CAP_FOREIGN = 30,
	CAP_VAGUE = 35,
	CAP_NO_LINK = 40,
	CAP_DATES = 40,
	CAP_LEFTOVER = 40,
	CAP_SWAPPED = 40,
	CAP_EVENING = 40,
	CAP_QUESTION = 45,
	CAP_HEDGE = 45,
	CAP_CLAUSES = 45,
	CAP_MONTH = 45,
	CAP_TOPIC = 45,
	CAP_NUMBER = 45,
	CAP_NO_DATE_EVENT = 45,
	CAP_TITLE_PIECES = 50,
	CAP_LONG = 50,
	CAP_CHAT = 50,
	CAP_MIDNIGHT = 50,
	CAP_PAST_PART = 50,
	CAP_NOUN_TIME = 55,
	CAP_ONE_WORD = 55,
	CAP_NOUN_DATE = 60,
	CAP_NOUN_ONLY = 60,
	CAP_POLITE = 60,
};

/* What the parser and the draft say. */

struct facts {
	const char *line;       /* the first line, links blanked (borrowed) */
	struct nlp_result *res; /* nlp_parse of line */
	struct json_object *draft;
	const char *title; /* the draft's, borrowed from draft */
	bool has_date, has_time, has_end;
};

/* A cap on the confidence and the reason, the lowest one kept. */
struct verdict {
	enum wf_kind kind;
	int confidence;
	const char *why;
};

static void
cap(struct verdict *v, int at_most, const char *why)
{
	if (v->confidence > at_most) {
		v->confidence = at_most;
		v->why = why;
	}
}

static int
day_of(const struct nlp_moment *m)
{
	return m->year * 10000 + m->month * 100 + m->day;
}

/* Does the matched text of m say one of words? */
static bool
match_says(
    const char *line, const struct nlp_match *m, const char *const *words)
{
	size_t e;

	for (size_t k = m->index; k < m->index + m->len; k++)
		if (draft_word_start(line, k) &&
		    draft_phrase_any(line, k, words, &e) != NULL &&
		    e <= m->index + m->len)
			return true;
	return false;
}

/* "in the morning" at 16:40: a part of the day alone (no day, no hour
 * stated) that the parser put on today although it is over. */
static bool
part_past(
    const struct facts *f, const struct nlp_ref *ref, const struct nlp_match *m)
{
	static const char *const parts[] = {
	    "morning", "afternoon", "evening", NULL};
	unsigned stated =
	    NLP_YEAR | NLP_MONTH | NLP_DAY | NLP_WEEKDAY | NLP_HOUR;
	int y, mo, d, h;

	if ((m->start.known & stated) != 0 || !match_says(f->line, m, parts) ||
	    nlp_local(ref->tz, ref->now_ms, &y, &mo, &d, &h, NULL, NULL) < 0)
		return false;
	return m->start.year == y && m->start.month == mo &&
	    m->start.day == d && m->start.hour < h;
}

/* "monday's presentation": the date names something; true too for
 * "monday's" when the parser took the "'s" into the match. */
static bool
possessive_after(const struct facts *f, const struct nlp_match *m)
{
	const char *after = f->line + m->index + m->len;

	if ((after[0] == '\'' && draft_lower(after[1]) == 's') ||
	    strncmp(after, "\xe2\x80\x99s", 4) == 0)
		return true;
	return m->len >= 4 && draft_lower(after[-1]) == 's' &&
	    (after[-2] == '\'' || strncmp(after - 4, "\xe2\x80\x99", 3) == 0);
}

/* "about saturday", "book … for friday": a date that is the task's topic
 * or what it books, not its deadline; the reason, or NULL. */
static const char *
topic_date(const struct facts *f, const struct nlp_match *m, const char *verb)
{
	static const char *const topic[] = {
	    "about", "abt", "re", "re:", "regarding", NULL};
	static const char *const booking[] = {
	    "book", "reserve", "plan", "look into", NULL};
	char before[16];

	cls_word_before(f->line, m->index, before, sizeof(before));
	if (cls_is_any(before, topic))
		return "the date is a topic, not a deadline";
	if (strcmp(before, "for") == 0 && verb != NULL &&
	    cls_is_any(verb, booking))
		return "the date is what is booked";
	return NULL;
}

/* "tuesday 25th" when the 25th is a Wednesday. */
static bool
weekday_differs(const struct nlp_ref *ref, const struct nlp_match *m)
{
	int64_t ms;
	int wd;

	if (!(m->start.known & NLP_WEEKDAY) || !(m->start.known & NLP_DAY))
		return false;
	return nlp_instant(ref->tz, m->start.year, m->start.month, m->start.day,
	           12, 0, &ms) == 0 &&
	    nlp_local(ref->tz, ms, NULL, NULL, NULL, NULL, NULL, &wd) == 0 &&
	    wd != m->start.weekday;
}

/* "quarterly report", "daily standup": a frequency word alone, inside the
 * title, not a date of the task. */
static bool
frequency_word(const struct facts *f, const struct nlp_match *m)
{
	unsigned stated =
	    NLP_YEAR | NLP_MONTH | NLP_DAY | NLP_WEEKDAY | NLP_HOUR;
	const char *after = f->line + m->index + m->len;

	return m->rrule[0] != '\0' && (m->start.known & stated) == 0 &&
	    after[0] == ' ' && draft_wordch((unsigned char)after[1]);
}

/* The checks of one match m (the k-th) of the first line. */
static void
check_match(const struct facts *f, const struct nlp_ref *ref, const char *verb,
    int k, struct verdict *v)
{
	static const char *const midnight[] = {"midnight", NULL};
	const struct nlp_match *m = &f->res->matches[k];
	bool america = ref->tz != NULL && strncmp(ref->tz, "America/", 8) == 0;
	const char *topic = topic_date(f, m, verb);

	if (frequency_word(f, m))
		cap(v, CAP_LEFTOVER, "a frequency word inside the title");
	if ((m->start.known & (NLP_DAY | NLP_WEEKDAY)) == 0 &&
	    (m->start.known & NLP_MONTH) != 0)
		cap(v, CAP_MONTH, "a month without a day");
	if (match_says(f->line, m, cls_loose_periods))
		cap(v, CAP_MONTH, "a week or month without a day");
	if (match_says(f->line, m, midnight))
		cap(v, CAP_MIDNIGHT, "which midnight?");
	if (part_past(f, ref, m))
		cap(v, CAP_PAST_PART, "a part of the day already past");
	/* month-first is what the bot reads, and the custom only in the
	 * Americas */
	if (cls_swappable(f->line, m->index, m->len) &&
	    (ref->day_first ? america : !america))
		cap(v, CAP_SWAPPED, "day and month could be swapped");
	if (possessive_after(f, m))
		cap(v, CAP_TOPIC, "the date names something (monday's)");
	if (topic != NULL)
		cap(v, CAP_TOPIC, topic);
	/* "dinner thursday 7:30" is read as 07:30 */
	if (k == 0 && (m->start.known & NLP_HOUR) != 0 && m->start.hour < 12 &&
	    cls_has_any(f->title, cls_evening_words) &&
	    !cls_meridiem_stated(f->line, m->index, m->len))
		cap(v, CAP_EVENING, "evening occasion, hour without am/pm");
	if (weekday_differs(ref, m))
		cap(v, CAP_DATES, "the weekday and the date differ");
}

/* Checks of the dates the parser found in the first line. */
static void
check_dates(const struct facts *f, const struct nlp_ref *ref, const char *verb,
    struct verdict *v)
{
	unsigned day_bits = NLP_YEAR | NLP_MONTH | NLP_DAY | NLP_WEEKDAY;
	int first_day = 0, ndays = 0;

	for (int k = 0; k < f->res->nmatches; k++) {
		const struct nlp_moment *st = &f->res->matches[k].start;

		check_match(f, ref, verb, k, v);
		/* a time alone after the first date is on that date */
		if (k > 0 && (st->known & day_bits) == 0)
			continue;
		if (ndays == 0)
			first_day = day_of(st);
		if (ndays == 0 || day_of(st) != first_day)
			ndays++;
	}
	if (ndays > 1)
		cap(v, CAP_DATES, "several dates");
}

/* Is a word of cls_date_words left in title t?  "year" in "new year's
 * resolutions" is a name, not a date. */
static bool
date_word_left(const char *t)
{
	const char *p;
	size_t e;

	for (size_t i = 0; t[i] != '\0'; i++) {
		if (!draft_word_start(t, i))
			continue;
		p = draft_phrase_any(t, i, cls_date_words, &e);
		if (p == NULL)
			continue;
		if (strcmp(p, "year") == 0 && i >= 4 &&
		    draft_phrase_at(t, i - 4, "new ", &e))
			continue;
		return true;
	}
	return false;
}

/*
 * Is the number at t+i (a digit at a word start) a quantity or a name
 * rather than a piece of a date the parser missed: "#4471", "$40", "1:1",
 * "10k", "60€", "2 bottles"?  *end: after its word.
 */
static bool
plain_number(const char *t, size_t i, size_t *end)
{
	static const char *const units[] = {"k", "km", "kg", "g", "ml", "l",
	    "x", "gb", "mb", "tb", "%", "€", "$", "£", NULL};
	static const char *const names[] = {"1:1", "1-1", "1on1", NULL};
	size_t j = i, e;
	bool ok;

	while (t[j] >= '0' && t[j] <= '9')
		j++;
	ok = (i > 0 && (t[i - 1] == '#' || t[i - 1] == '$')) ||
	    draft_phrase_any(t, i, names, &e) != NULL ||
	    (draft_phrase_any(t, j, units, &e) != NULL &&
	        !draft_wordch((unsigned char)t[e]));
	/* a count before a word that is no date word: "2 bottles" */
	if (!ok && t[j] == ' ' && draft_wordch((unsigned char)t[j + 1]) &&
	    !(t[j + 1] >= '0' && t[j + 1] <= '9') &&
	    draft_phrase_any(t, j + 1, cls_dangling, &e) == NULL &&
	    draft_phrase_any(t, j + 1, cls_dangling_end, &e) == NULL &&
	    draft_phrase_any(t, j + 1, cls_date_words, &e) == NULL &&
	    !draft_phrase_at(t, j + 1, "ish", &e))
		ok = true;
	while (cls_word_byte((unsigned char)t[j]))
		j++;
	*end = j;
	return ok;
}

/* Checks of the title the draft made. */
static void
check_title(const struct facts *f, struct verdict *v)
{
	const char *t = f->title;
	size_t n = strlen(t), e;
	char last[16];

	if (date_word_left(t))
		cap(v, CAP_LEFTOVER, "a date-like word left in the title");
	for (size_t i = 0; i < n; i++) {
		if (!(t[i] >= '0' && t[i] <= '9') ||
		    (i > 0 && cls_word_byte((unsigned char)t[i - 1]) &&
		        t[i - 1] != '#' && t[i - 1] != '$'))
			continue;
		if (!plain_number(t, i, &e)) {
			cap(v, CAP_NUMBER, "a number left in the title");
			break;
		}
		i = e > i ? e - 1 : i;
	}
	cls_word_before(t, n, last, sizeof(last));
	if (strstr(t, " :") != NULL || strstr(t, "()") != NULL ||
	    strstr(t, "( )") != NULL || strstr(t, " ,") != NULL ||
	    draft_phrase_any(t, 0, cls_dangling, &e) != NULL ||
	    cls_is_any(last, cls_dangling) ||
	    cls_is_any(last, cls_dangling_end))
		cap(v, CAP_TITLE_PIECES, "pieces of a date left in the title");
	if (cls_has_any(t, cls_vague_words))
		cap(v, CAP_VAGUE, "vague: what is the thing?");
}

/* Does the title say nothing but filler ("do it later")? */
static bool
all_empty(const char *t)
{
	size_t e;

	for (size_t i = 0; t[i] != '\0'; i++) {
		if (!draft_word_start(t, i))
			continue;
		if (draft_phrase_any(t, i, cls_empty_words, &e) == NULL)
			return false;
		i = e > i ? e - 1 : i;
	}
	return true;
}

/* The to-do verb that leads title (also after a "label: "), or NULL. */
static const char *
lead_verb(const char *t)
{
	const char *colon = strstr(t, ": ");
	const char *p;
	size_t e;

	if (draft_phrase_any(t, 0, cls_event_leads, &e) != NULL)
		return NULL;
	p = draft_phrase_any(t, 0, cls_task_verbs, &e);
	if (p == NULL && colon != NULL)
		p = draft_phrase_any(colon + 2, 0, cls_task_verbs, &e);
	return p;
}

/* Is a date of the first line a deadline: "by friday", "due 15 dec",
 * "before the 20th"? */
static bool
has_deadline(const struct facts *f, const char *line_lc)
{
	static const char *const words[] = {
	    "by", "due", "before", "until", "till", "deadline", NULL};
	char before[16];

	if (cls_has_any(
	        line_lc, (const char *const[]){"due", "deadline", NULL}))
		return true;
	for (int k = 0; k < f->res->nmatches; k++) {
		cls_word_before(
		    f->line, f->res->matches[k].index, before, sizeof(before));
		if (cls_is_any(before, words))
			return true;
	}
	return false;
}

/* Does the draft hold a list: subtasks ("pack: a, b and c", bullets) or
 * more lines? */
static bool
has_list(const struct facts *f)
{
	struct json_object *subs;
	const char *notes = draft_get_str(f->draft, "notes");

	return (json_object_object_get_ex(f->draft, "subtasks", &subs) &&
	           json_object_array_length(subs) > 0) ||
	    (notes != NULL && notes[0] != '\0');
}

/* "client call", "sales call with Acme": "call" as a noun after another
 * word, at the end or before "with" (not "laundry + call hiro"). */
static bool
noun_call(const char *t)
{
	static const char *const not_nouns[] = {
	    "and", "or", "to", "then", "also", "&", "+", NULL};
	char prev[16];
	size_t e;

	for (size_t i = 1; t[i] != '\0'; i++) {
		if (!draft_word_start(t, i) ||
		    !draft_phrase_at(t, i, "call", &e))
			continue;
		cls_word_before(t, i, prev, sizeof(prev));
		if (prev[0] == '\0' || (prev[0] >= '0' && prev[0] <= '9') ||
		    cls_is_any(prev, not_nouns))
			continue;
		while (t[e] == ' ')
			e++;
		if (t[e] == '\0' || draft_phrase_at(t, e, "with", &e) ||
		    draft_phrase_at(t, e, "w/", &e))
			return true;
	}
	return false;
}

/* Task or event, and how sure, from the draft and the first line. */
static void
decide(const struct facts *f, const char *line_lc, struct verdict *v)
{
	const char *t = f->title, *verb = lead_verb(t);
	size_t e;
	bool event_lead = draft_phrase_any(t, 0, cls_event_leads, &e) != NULL;
	bool event_word = cls_has_any(t, cls_event_words) || noun_call(t);

	if (event_lead || (verb == NULL && event_word) ||
	    (verb != NULL &&
	        (strcmp(verb, "go") == 0 || strcmp(verb, "have") == 0) &&
	        event_word)) {
		v->kind = WF_KIND_EVENT;
		v->confidence = f->has_time ? 88 : f->has_date ? 78 : 60;
		if (!f->has_date)
			cap(v, CAP_NO_DATE_EVENT, "an event without a date");
		return;
	}
	v->kind = WF_KIND_TASK;
	if (verb != NULL) {
		v->confidence = 90;
		/* "call", "buy": a verb without its object ("pack: a, b"
		 * has its list) */
		if (cls_count_words(t) == 1 && !cls_is_any(t, cls_chores) &&
		    !has_list(f))
			cap(v, CAP_ONE_WORD, "a verb without an object");
		return;
	}
	if (f->has_end) {
		v->kind = WF_KIND_EVENT;
		v->confidence = 75;
		return;
	}
	if (draft_phrase_any(t, 0, cls_chores, &e) != NULL ||
	    (f->has_date && has_deadline(f, line_lc))) {
		v->confidence = 80;
		return;
	}
	if (f->has_time) {
		v->confidence = 80;
		cap(v, CAP_NOUN_TIME, "no verb or occasion: task or event?");
		return;
	}
	if (f->has_date) {
		v->confidence = 80;
		cap(v, CAP_NOUN_DATE, "no verb: task or event?");
		return;
	}
	/* words without a verb, a date or an occasion: a to-do when it is
	 * a list ("shopping list\nmilk\neggs", "trip prep: …"), else it may
	 * as well be a remark ("wrong one, sorry") */
	v->confidence = 80;
	if (!has_list(f) && cls_count_words(t) == 1)
		cap(v, CAP_ONE_WORD, "one word without a verb");
	else if (!has_list(f))
		cap(v, CAP_NOUN_ONLY, "no verb, date or occasion");
}

/* Is line a question (or a request put as one)? */
static void
check_question(const char *bare, struct verdict *v)
{
	size_t n = strlen(bare), e;

	if (draft_phrase_any(bare, 0, cls_polite, &e) != NULL) {
		cap(v, CAP_POLITE, "a request put as a question");
		return;
	}
	if ((n > 0 && bare[n - 1] == '?') ||
	    draft_phrase_any(bare, 0, cls_question_starts, &e) != NULL)
		cap(v, CAP_QUESTION, "a question");
}

static void
check_shape(const char *line_lc, struct verdict *v)
{
	int words = cls_count_words(line_lc);
	size_t n = strlen(line_lc);

	if (words > LONG_WORDS)
		cap(v, CAP_LONG, "a long message");
	if (cls_has_any(line_lc, cls_clause_words))
		cap(v, CAP_CLAUSES, "several clauses");
	for (size_t i = 0; i + 2 < n; i++)
		if (strchr(".!?", line_lc[i]) != NULL &&
		    line_lc[i + 1] == ' ' &&
		    draft_wordch((unsigned char)line_lc[i + 2]) && i > 3 &&
		    !(line_lc[i] == '.' &&
		        (i < 3 || line_lc[i - 3] == ' ' ||
		            line_lc[i - 2] == ' ')))
			cap(v, CAP_CLAUSES, "several sentences");
	if (cls_has_any(line_lc, cls_hedge_words))
		cap(v, CAP_HEDGE, "hedged: maybe, I think");
}

static void
set_reading(const struct verdict *v, struct wf_reading *ret)
{
	ret->kind = v->kind;
	ret->confidence = v->confidence < 0 ? 0
	    : v->confidence > 100           ? 100
	                                    : v->confidence;
	snprintf(ret->why, sizeof(ret->why), "%s",
	    ret->confidence < WF_CONFIDENT && v->why != NULL ? v->why : "");
}

/*
 * Is there a date in the lines after the first?  copy holds the message
 * (total bytes), cut by cls_first_line() at the end of line.  "email the
 * accountant\n needs to go out before the 7th": the draft, which takes its date
 * from the first line, has none.  1, 0, or a negative errno; res is scratch.
 */
static int
later_lines_dated(const char *copy, size_t total, const char *line,
    const struct nlp_ref *ref, struct nlp_result *res)
{
	size_t at = (size_t)(line - copy) + strlen(line);
	int r;

	if (at >= total)
		return 0;
	r = nlp_parse(copy + at + 1, ref, NULL, res);
	return r < 0 ? r : r > 0;
}

/* The decision for a message that is not a link, small talk, help or
 * list: draft it, parse it, and weigh what they say. */
static int
read_draft(const char *text, const char *rest, const struct nlp_ref *ref,
    bool has_url, struct verdict *v)
{
	static const struct nlp_opts ahead = {
	    .forward_date = true, .ahead = true};
	char question[QUESTION_MAX], *line_copy = NULL, *line, *line_lc = NULL;
	char *bare = NULL, *title = NULL;
	struct facts f = {0};
	bool later_date;
	int r;

	r = draft_task_from_text(
	    text, ref, &f.draft, question, sizeof(question));
	if (r < 0)
		return r;
	line_copy = strdup(rest);
	f.res = malloc(sizeof(*f.res));
	if (line_copy == NULL || f.res == NULL) {
		r = -ENOMEM;
		goto out;
	}
	line = cls_first_line(line_copy);
	f.line = line;
	/* the draft reads its date from the first line only */
	r = later_lines_dated(line_copy, strlen(rest), line, ref, f.res);
	if (r < 0)
		goto out;
	later_date = r > 0;
	r = nlp_parse(line, ref, &ahead, f.res);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	line_lc = strdup(line);
	bare = cls_bare_form(rest);
	if (line_lc == NULL || bare == NULL)
		goto out;
	r = 0;
	for (char *p = line_lc; *p != '\0'; p++)
		*p = draft_lower(*p);
	if (f.draft == NULL) {
		/* the drafting rules ask what the task is: the user is asked
		 * that, with or without an LLM */
		v->kind = has_url ? WF_KIND_URL : WF_KIND_UNCLEAR;
		v->confidence = 80;
		if (cls_not_english(bare))
			cap(v, CAP_FOREIGN, "not English");
		goto out;
	}
	/* the title without its links, as the rules judge it */
	title = strdup(draft_get_str(f.draft, "title") != NULL
	        ? draft_get_str(f.draft, "title")
	        : "");
	if (title == NULL) {
		r = -ENOMEM;
		goto out;
	}
	cls_blank_urls(title);
	draft_squeeze(title);
	f.title = draft_trim(title);
	f.has_date = draft_get_str(f.draft, "due_date") != NULL;
	f.has_time = draft_get_str(f.draft, "due_time") != NULL;
	f.has_end = draft_get_str(f.draft, "due_end_time") != NULL;
	if (all_empty(f.title)) {
		v->kind = WF_KIND_UNCLEAR;
		v->confidence = CAP_VAGUE;
		v->why = "vague: no task in it";
		goto out;
	}
	decide(&f, line_lc, v);
	check_dates(&f, ref, lead_verb(f.title), v);
	check_title(&f, v);
	check_question(bare, v);
	check_shape(line_lc, v);
	if (cls_count_words(line_lc) <= 6 &&
	    cls_has_any(line_lc, cls_chat_inside))
		cap(v, CAP_CHAT, "small talk");
	if (later_date)
		cap(v, CAP_DATES, "a date on another line");
	if (cls_not_english(bare))
		cap(v, CAP_FOREIGN, "not English");
out:
	json_object_put(f.draft);
	free(f.res);
	free(line_copy);
	free(line_lc);
	free(bare);
	free(title);
	return r;
}

/*
 * The whole message in its bare form (links out): small talk, a request
 * for help or for the list, or only words around a link.  Fills *v and
 * returns true when one of those decides.
 */
static bool
read_whole(const char *bare, bool has_url, struct verdict *v)
{
	if (has_url && cls_only_link_words(bare))
		v->kind = WF_KIND_URL;
	else if ((!has_url && cls_count_words(bare) == 0) ||
	    cls_small_talk(bare))
		v->kind = WF_KIND_UNCLEAR;
	else if (cls_asks_help(bare))
		v->kind = WF_KIND_HELP;
	else if (cls_asks_list(bare))
		v->kind = WF_KIND_LIST;
	else
		return false;
	v->confidence = v->kind == WF_KIND_URL ? 90 : 85;
	return true;
}

/*
 * A link with a few words ("jazz night <url>"): unless they give a date
 * or lead with a to-do verb ("read this tomorrow <url>"), the page says
 * what it is.  1 when that decides (*v filled), 0 when not, or a negative
 * errno.
 */
static int
read_link_words(const char *bare, const struct nlp_ref *ref, struct verdict *v)
{
	struct nlp_result *res;
	int r;

	if (cls_count_words(bare) > 6 || cls_has_any(bare, cls_event_words))
		return 0;
	res = malloc(sizeof(*res));
	if (res == NULL)
		return -ENOMEM;
	r = nlp_parse(bare, ref, NULL, res);
	free(res);
	if (r < 0)
		return r;
	if (r > 0 || lead_verb(bare) != NULL)
		return 0;
	v->kind = WF_KIND_URL;
	v->confidence = 75;
	return 1;
}

int
wf_classify(const char *text, const struct nlp_ref *ref, struct wf_reading *ret)
{
	struct verdict v = {WF_KIND_UNCLEAR, 0, NULL};
	char *rest = NULL, *bare = NULL;
	size_t at, len;
	bool has_url;
	int r;

	if (ret != NULL) {
		memset(ret, 0, sizeof(*ret));
		ret->kind = WF_KIND_UNCLEAR;
	}
	if (text == NULL || ref == NULL || ret == NULL)
		return -EINVAL;
	if (ref->tz != NULL && !nlp_tz_valid(ref->tz))
		return -EINVAL;
	/* every link is blanked out of what the rules read; the first is
	 * the reading's, unless it is too long to keep whole */
	has_url = cls_find_url(text, 0, &at, &len);
	if (has_url && len < sizeof(ret->url))
		memcpy(ret->url, text + at, len);
	rest = strdup(text);
	if (rest == NULL)
		return -ENOMEM;
	cls_blank_urls(rest);
	bare = cls_bare_form(rest);
	if (bare == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = 0;
	if (read_whole(bare, has_url, &v))
		goto done;
	if (has_url) {
		r = read_link_words(bare, ref, &v);
		if (r < 0)
			goto out;
		if (r > 0)
			goto done;
	}
	r = read_draft(text, rest, ref, has_url, &v);
	if (r < 0)
		goto out;
done:
	r = 0;
	/* an event to make from a page that is not there */
	if (v.kind == WF_KIND_URL && ret->url[0] == '\0')
		cap(&v, CAP_NO_LINK, "the link is too long to keep");
	set_reading(&v, ret);
out:
	if (r < 0)
		memset(ret->url, 0, sizeof(ret->url));
	free(rest);
	free(bare);
	return r;
}

bool
wf_confident(const struct wf_reading *r)
{
	return r != NULL && r->confidence >= WF_CONFIDENT;
}

const char *
wf_kind_name(enum wf_kind kind)
{
	static const char *const names[] = {
	    "task", "event", "url", "list", "help", "unclear"};

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
		return "unclear";
	return names[kind];
}

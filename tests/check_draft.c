/*
 * Task drafts: from a message (title, fillers, priority, subtasks, notes,
 * vague → a question), revisions, validation, and the card (HTML escaping,
 * buttons, callback data and length limits).  The reference time is Friday
 * 2026-11-20 09:00 in Europe/Berlin.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "tests/testutil.h"
#include "workflows/draft.h"

#define BER "Europe/Berlin"
#define ARROW "\xe2\x86\x92"
#define ELLIPSIS "\xe2\x80\xa6"

static struct nlp_ref
friday(void)
{
	struct nlp_ref ref = {0, BER, false};

	ck_assert_int_eq(nlp_instant(BER, 2026, 11, 20, 9, 0, &ref.now_ms), 0);
	return ref;
}

static const char *
str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static int
prio(struct json_object *o)
{
	struct json_object *v;

	ck_assert(json_object_object_get_ex(o, "priority", &v));
	return json_object_get_int(v);
}

/* The subtasks joined by '|'. */
static void
subtasks(struct json_object *o, char *buf, size_t len)
{
	struct json_object *subs;
	size_t n;

	buf[0] = '\0';
	ck_assert(json_object_object_get_ex(o, "subtasks", &subs));
	ck_assert(json_object_is_type(subs, json_type_array));
	n = json_object_array_length(subs);
	for (size_t k = 0; k < n; k++) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "%s%s", k ? "|" : "",
		    json_object_get_string(json_object_array_get_idx(subs, k)));
	}
}

static struct json_object *
draft_of(const char *text)
{
	struct nlp_ref ref = friday();
	struct json_object *d = NULL;
	char q[256];

	ck_assert_int_eq(draft_task_from_text(text, &ref, &d, q, sizeof(q)), 0);
	ck_assert_msg(d != NULL, "'%s' asked: %s", text, q);
	ck_assert_str_eq(q, "");
	return d;
}

struct drow {
	const char *text;
	const char *title;
	const char *date; /* NULL: no due_date */
	const char *time; /* NULL: no due_time */
	int priority;
	const char *subtasks; /* joined by '|' */
	const char *notes;
};

static const struct drow drows[] = {
    {"remind me to call mom tomorrow at 5pm", "Call mom", "2026-11-21", "17:00",
        0, "", ""},
    {"Please buy milk", "Buy milk", NULL, NULL, 0, "", ""},
    {"buy milk please.", "Buy milk", NULL, NULL, 0, "", ""},
    {"I need to submit the report by friday!!", "Submit the report",
        "2026-11-20", NULL, 2, "", ""},
    {"don't forget to water the plants tonight", "Water the plants",
        "2026-11-20", NULL, 0, "", ""},
    {"Don\xe2\x80\x99t forget to pay rent", "Pay rent", NULL, NULL, 0, "", ""},
    {"todo: fix the bike.", "Fix the bike", NULL, NULL, 0, "", ""},
    {"URGENT: fix server asap", "Fix server", NULL, NULL, 3, "", ""},
    {"Fix the server!!!", "Fix the server", NULL, NULL, 3, "", ""},
    {"important: renew passport", "Renew passport", NULL, NULL, 2, "", ""},
    {"call Bob about the bug, low priority", "Call Bob about the bug", NULL,
        NULL, 1, "", ""},
    {"dentist next friday 10:30 high priority", "Dentist", "2026-11-27",
        "10:30", 2, "", ""},
    {"pack: passport, charger and tickets", "Pack", NULL, NULL, 0,
        "passport|charger|tickets", ""},
    {"Shopping: milk, eggs, and bread tomorrow", "Shopping", "2026-11-21", NULL,
        0, "milk|eggs|bread", ""},
    {"Note: call Bob", "Note: call Bob", NULL, NULL, 0, "", ""},
    {"Pack for the trip\n- passport\n* charger\n\xe2\x80\xa2 tickets\n"
     "the hotel is in Rome\r\n\nbook a taxi",
        "Pack for the trip", NULL, NULL, 0, "passport|charger|tickets",
        "the hotel is in Rome\nbook a taxi"},
    {"Prepare tomorrow's meeting.", "Prepare meeting", "2026-11-21", NULL, 0,
        "", ""},
    {"submit report due on monday", "Submit report", "2026-11-23", NULL, 0, "",
        ""},
    {"  remind me tomorrow to call the bank  ", "Call the bank", "2026-11-21",
        NULL, 0, "", ""},
    {"Ma\xc3\xb1"
     "ana meeting with \xc3\x9c"
     "nal at 5pm",
        "Ma\xc3\xb1"
        "ana meeting with \xc3\x9c"
        "nal",
        "2026-11-20", "17:00", 0, "", ""},
    {"call mom", "Call mom", NULL, NULL, 0, "", ""},
    {"-5 degrees: buy salt in 3 days", "-5 degrees: buy salt", "2026-11-23",
        NULL, 0, "", ""},
    /* the parser's priority: p1 is urgent, a "!" alone high */
    {"p1 call bank", "Call bank", NULL, NULL, 3, "", ""},
    {"! pay rent every 1st of the month", "Pay rent", "2026-12-01", NULL, 2, "",
        ""},
    {"team sync 2-3pm tomorrow", "Team sync", "2026-11-21", "14:00", 0, "", ""},
};

START_TEST(from_text)
{
	const struct drow *t = &drows[_i];
	struct json_object *d = draft_of(t->text);
	char subs[512];

	ck_assert_str_eq(str(d, "title"), t->title);
	if (t->date == NULL)
		ck_assert_ptr_null(str(d, "due_date"));
	else
		ck_assert_str_eq(str(d, "due_date"), t->date);
	if (t->time == NULL)
		ck_assert_ptr_null(str(d, "due_time"));
	else
		ck_assert_str_eq(str(d, "due_time"), t->time);
	ck_assert_int_eq(prio(d), t->priority);
	subtasks(d, subs, sizeof(subs));
	ck_assert_str_eq(subs, t->subtasks);
	ck_assert_str_eq(str(d, "notes"), t->notes);
	ck_assert_str_eq(str(d, "source"), t->text);
	ck_assert_ptr_nonnull(str(d, "reasoning"));
	if (t->date == NULL)
		ck_assert_str_eq(str(d, "reasoning"), "");
	ck_assert_int_eq(draft_validate(d, NULL, 0), 0);
	json_object_put(d);
}
END_TEST

/* The parser's end time (a range on one day) and recurrence. */
static const struct {
	const char *text;
	const char *end;   /* NULL: no due_end_time */
	const char *rrule; /* NULL: no rrule */
} wrows[] = {
    {"team sync 2-3pm tomorrow", "15:00", NULL},
    {"! pay rent every 1st of the month", NULL, "FREQ=MONTHLY;BYMONTHDAY=1"},
    {"standup every weekday at 9:30", NULL, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
    {"call mom tomorrow at 5pm", NULL, NULL},
    {"conference monday to wednesday", NULL, NULL},
};

START_TEST(end_and_rrule)
{
	struct json_object *d = draft_of(wrows[_i].text);

	if (wrows[_i].end == NULL)
		ck_assert_ptr_null(str(d, "due_end_time"));
	else
		ck_assert_str_eq(str(d, "due_end_time"), wrows[_i].end);
	if (wrows[_i].rrule == NULL)
		ck_assert_ptr_null(str(d, "rrule"));
	else
		ck_assert_str_eq(str(d, "rrule"), wrows[_i].rrule);
	ck_assert_int_eq(draft_validate(d, NULL, 0), 0);
	json_object_put(d);
}
END_TEST

START_TEST(reasoning_and_shape)
{
	struct json_object *d = draft_of("Dentist next friday 10:30");

	ck_assert_str_eq(str(d, "reasoning"),
	    "'next friday 10:30' " ARROW " Fri 27 Nov 10:30");
	ck_assert_str_eq(str(d, "source"), "Dentist next friday 10:30");
	ck_assert_int_eq(json_object_object_length(d), 8);
	json_object_put(d);
}
END_TEST

static const char *const vague_texts[] = {"", "   \n  ", "remind me",
    "Remind me!", "something", "task", "todo", "please!!!", "- \n-  ",
    "remind me tomorrow", "tomorrow at 5pm", "TODO:"};

START_TEST(vague)
{
	struct nlp_ref ref = friday();
	struct json_object *d = (struct json_object *)&ref;
	char q[256] = "x";

	ck_assert_int_eq(
	    draft_task_from_text(vague_texts[_i], &ref, &d, q, sizeof(q)), 0);
	ck_assert_ptr_null(d);
	ck_assert_msg(
	    strstr(q, "?") != NULL, "'%s': question '%s'", vague_texts[_i], q);
}
END_TEST

START_TEST(vague_question_names_the_day)
{
	struct nlp_ref ref = friday();
	struct json_object *d;
	char q[256];

	ck_assert_int_eq(draft_task_from_text("remind me tomorrow at 5pm", &ref,
	                     &d, q, sizeof(q)),
	    0);
	ck_assert_ptr_null(d);
	ck_assert_ptr_nonnull(strstr(q, "Sat 21 Nov at 17:00?"));
}
END_TEST

START_TEST(bad_arguments)
{
	struct nlp_ref ref = friday();
	struct json_object *d = (struct json_object *)&ref;
	char q[64];

	ck_assert_int_eq(
	    draft_task_from_text(NULL, &ref, &d, q, sizeof(q)), -EINVAL);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(
	    draft_task_from_text("x", NULL, &d, q, sizeof(q)), -EINVAL);
	ref.tz = "Nowhere/City";
	ck_assert_int_eq(
	    draft_task_from_text("call mom tomorrow", &ref, &d, q, sizeof(q)),
	    -EINVAL);
	ck_assert_ptr_null(d);
}
END_TEST

START_TEST(long_title)
{
	char text[2100];
	struct json_object *d;
	const char *t;

	memset(text, 0, sizeof(text));
	for (size_t i = 0; i + 6 < 2000; i += 6)
		memcpy(text + i, "words ", 6);
	strcat(text, "tomorrow");
	d = draft_of(text);
	t = str(d, "title");
	ck_assert_uint_le(strlen(t), 200);
	ck_assert_ptr_nonnull(strstr(t, ELLIPSIS));
	ck_assert_uint_gt(strlen(str(d, "notes")), 1900);
	ck_assert_str_eq(str(d, "due_date"), "2026-11-21");
	ck_assert_int_eq(draft_validate(d, NULL, 0), 0);
	json_object_put(d);
}
END_TEST

/* Revisions of "Dentist next friday 10:30" (Fri 27 Nov). */
struct rrow {
	const char *edit;
	const char *key;  /* what to look at */
	const char *want; /* its value; NULL: absent */
};

static const struct rrow rrows[] = {
    {"make it 11am", "due_time", "11:00"},
    {"Make it 11am", "reasoning", "'11am' " ARROW " Fri 27 Nov 11:00"},
    {"make it 11am", "due_date", "2026-11-27"},
    {"at 5", "due_time", "17:00"},
    {"at 9", "due_time", "09:00"},
    {"at 11", "due_date", "2026-11-27"},
    {"tomorrow", "due_date", "2026-11-21"},
    {"tomorrow", "due_time", "10:30"},
    {"move to monday", "due_date", "2026-11-23"},
    {"move it to monday at 2pm", "due_time", "14:00"},
    {"change to friday", "due_date", "2026-11-20"},
    {"in 2 hours", "due_time", "11:00"},
    {"in 2 hours", "due_date", "2026-11-20"},
    {"title: Go to the dentist", "title", "Go to the dentist"},
    {"rename to dentist appointment.", "title", "Dentist appointment"},
    {"call it \xe2\x80\x9c"
     "Teeth\xe2\x80\x9d",
        "title", "Teeth"},
    {"notes: bring card", "notes", "bring card"},
    {"no time", "due_time", NULL},
    {"no time", "due_date", "2026-11-27"},
    {"no date", "due_date", NULL},
    {"no date", "due_time", NULL},
    {"please, no date", "reasoning", ""},
};

static struct json_object *
dentist(void)
{
	return draft_of("Dentist next friday 10:30\n- passport");
}

START_TEST(revise)
{
	const struct rrow *t = &rrows[_i];
	struct json_object *d = dentist();
	struct nlp_ref ref = friday();
	char q[256] = "x";

	ck_assert_msg(draft_revise(d, t->edit, &ref, q, sizeof(q)) == 1,
	    "'%s' not understood: %s", t->edit, q);
	ck_assert_str_eq(q, "");
	if (t->want == NULL)
		ck_assert_ptr_null(str(d, t->key));
	else
		ck_assert_str_eq(str(d, t->key), t->want);
	ck_assert_int_eq(draft_validate(d, NULL, 0), 0);
	json_object_put(d);
}
END_TEST

START_TEST(revise_priority_and_subtasks)
{
	static const struct {
		const char *edit;
		int priority;
	} p[] = {{"priority high", 2}, {"urgent", 3},
	    {"make it low priority", 1}, {"high priority", 2},
	    {"no priority", 0}, {"ASAP!", 3}, {"!!", 2}};
	struct json_object *d = dentist();
	struct nlp_ref ref = friday();
	char q[256], subs[256];

	for (size_t k = 0; k < sizeof(p) / sizeof(p[0]); k++) {
		ck_assert_int_eq(
		    draft_revise(d, p[k].edit, &ref, q, sizeof(q)), 1);
		ck_assert_int_eq(prio(d), p[k].priority);
	}
	ck_assert_int_eq(
	    draft_revise(d, "add: bring laptop", &ref, q, sizeof(q)), 1);
	ck_assert_int_eq(
	    draft_revise(d, "add: pen, paper and ink", &ref, q, sizeof(q)), 1);
	subtasks(d, subs, sizeof(subs));
	ck_assert_str_eq(subs, "passport|bring laptop|pen|paper|ink");
	ck_assert_int_eq(
	    draft_revise(d, "remove: Paper", &ref, q, sizeof(q)), 1);
	subtasks(d, subs, sizeof(subs));
	ck_assert_str_eq(subs, "passport|bring laptop|pen|ink");
	json_object_put(d);
}
END_TEST

/* A time alone on today's draft: a time already past moves to tomorrow;
 * on a draft without a day, it gets today or tomorrow. */
START_TEST(revise_time_on_today)
{
	struct json_object *d = draft_of("call mom today at 5pm");
	struct nlp_ref ref = friday();
	char q[256];

	ck_assert_int_eq(draft_revise(d, "at 10", &ref, q, sizeof(q)), 1);
	ck_assert_str_eq(str(d, "due_date"), "2026-11-20");
	ck_assert_str_eq(str(d, "due_time"), "10:00");
	ck_assert_int_eq(draft_revise(d, "make it 8am", &ref, q, sizeof(q)), 1);
	ck_assert_str_eq(str(d, "due_date"), "2026-11-21");
	ck_assert_str_eq(str(d, "due_time"), "08:00");
	json_object_put(d);
	d = draft_of("call mom");
	ck_assert_int_eq(draft_revise(d, "at 5", &ref, q, sizeof(q)), 1);
	ck_assert_str_eq(str(d, "due_date"), "2026-11-20");
	ck_assert_str_eq(str(d, "due_time"), "17:00");
	json_object_put(d);
}
END_TEST

static const char *const not_understood[] = {"blah blah", "call mom tomorrow",
    "title:", "rename", "add:", "remove: nothing here", "", "ok", "make it"};

START_TEST(revise_not_understood)
{
	struct json_object *d = dentist();
	struct nlp_ref ref = friday();
	char before[1024], q[256] = "";

	snprintf(before, sizeof(before), "%s", json_object_to_json_string(d));
	ck_assert_int_eq(
	    draft_revise(d, not_understood[_i], &ref, q, sizeof(q)), 0);
	ck_assert_msg(
	    strlen(q) > 10, "no question for '%s'", not_understood[_i]);
	ck_assert_str_eq(json_object_to_json_string(d), before);
	json_object_put(d);
}
END_TEST

START_TEST(revise_bad_arguments)
{
	struct json_object *d = dentist(), *arr = json_object_new_array();
	struct nlp_ref ref = friday();
	char q[64];

	ck_assert_int_eq(
	    draft_revise(NULL, "urgent", &ref, q, sizeof(q)), -EINVAL);
	ck_assert_int_eq(
	    draft_revise(arr, "urgent", &ref, q, sizeof(q)), -EINVAL);
	ck_assert_int_eq(draft_revise(d, NULL, &ref, q, sizeof(q)), -EINVAL);
	ck_assert_int_eq(
	    draft_revise(d, "urgent", NULL, q, sizeof(q)), -EINVAL);
	json_object_put(arr);
	json_object_put(d);
}
END_TEST

static struct json_object *
good_draft(void)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "title", json_object_new_string("Dentist"));
	json_object_object_add(d, "notes", json_object_new_string(""));
	json_object_object_add(
	    d, "due_date", json_object_new_string("2026-11-27"));
	json_object_object_add(d, "due_time", json_object_new_string("10:30"));
	json_object_object_add(d, "priority", json_object_new_int(2));
	json_object_object_add(d, "subtasks", json_object_new_array());
	return d;
}

static const struct {
	const char *key;
	const char *value; /* a string; NULL: remove the key */
	const char *why;   /* a word the reason must contain */
} invalid[] = {
    {"title", "", "title"},
    {"title", "   ", "title"},
    {"title", NULL, "title"},
    {"due_date", "2026-02-30", "date"},
    {"due_date", "2026-13-01", "date"},
    {"due_date", "2026-2-3", "date"},
    {"due_date", "tomorrow", "date"},
    {"due_time", "25:00", "time"},
    {"due_time", "10:60", "time"},
    {"due_time", "9:30", "time"},
    {"priority", "high", "priority"},
    {"due_end_time", "10:00", "end"},
    {"due_end_time", "3pm", "end"},
    {"rrule", "every day", "repeat"},
    {"subtasks", "passport", "subtasks"},
};

START_TEST(validate_errors)
{
	struct json_object *d = good_draft();
	char why[128] = "", before[1024];

	ck_assert_int_eq(draft_validate(d, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "");
	if (invalid[_i].value == NULL)
		json_object_object_del(d, invalid[_i].key);
	else
		json_object_object_add(d, invalid[_i].key,
		    json_object_new_string(invalid[_i].value));
	snprintf(before, sizeof(before), "%s", json_object_to_json_string(d));
	ck_assert_int_eq(draft_validate(d, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, invalid[_i].why) != NULL, "%s=%s: '%s'",
	    invalid[_i].key, invalid[_i].value, why);
	ck_assert_str_eq(json_object_to_json_string(d), before);
	json_object_put(d);
}
END_TEST

START_TEST(validate_limits)
{
	struct json_object *d = good_draft();
	char title[1100], why[128];

	memset(title, 'x', sizeof(title));
	title[1023] = '\0';
	json_object_object_add(d, "title", json_object_new_string(title));
	ck_assert_int_eq(draft_validate(d, why, sizeof(why)), 0);
	memset(title, 'x', 1024);
	title[1024] = '\0';
	json_object_object_add(d, "title", json_object_new_string(title));
	ck_assert_int_eq(draft_validate(d, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "too long"));
	json_object_object_add(d, "title", json_object_new_string("ok"));
	json_object_object_del(d, "due_date");
	ck_assert_int_eq(draft_validate(d, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "needs a due date"));
	json_object_object_del(d, "due_time");
	ck_assert_int_eq(draft_validate(d, why, sizeof(why)), 0);
	json_object_object_add(d, "priority", json_object_new_int(4));
	ck_assert_int_eq(draft_validate(d, why, sizeof(why)), -EINVAL);
	json_object_object_add(
	    d, "due_date", json_object_new_string("2024-02-29"));
	json_object_object_add(d, "priority", json_object_new_int(0));
	ck_assert_int_eq(draft_validate(d, why, sizeof(why)), 0);
	ck_assert_int_eq(draft_validate(NULL, why, sizeof(why)), -EINVAL);
	json_object_put(d);
}
END_TEST

/* "Fri 27 Nov" for 11-27 of the current year, as the card shows it. */
static void
this_year_day(char *date, size_t dlen, char *day, size_t len)
{
	int y;

	ck_assert_int_eq(
	    nlp_local("UTC", time_now_ms(), &y, NULL, NULL, NULL, NULL, NULL),
	    0);
	snprintf(date, dlen, "%04d-11-27", y);
	ck_assert_int_eq(nlp_format_day(y, 11, 27, false, day, len), 0);
}

START_TEST(card_text_and_buttons)
{
	struct json_object *d = good_draft(), *markup = NULL, *subs;
	char date[16], day[32], want[512], *text = NULL;

	this_year_day(date, sizeof(date), day, sizeof(day));
	json_object_object_add(d, "due_date", json_object_new_string(date));
	json_object_object_get_ex(d, "subtasks", &subs);
	json_object_array_add(subs, json_object_new_string("passport"));
	json_object_array_add(subs, json_object_new_string("charger"));
	json_object_object_add(d, "reasoning",
	    json_object_new_string(
	        "'next friday 10:30' " ARROW " Fri 27 Nov 10:30"));
	ck_assert_int_eq(draft_card(d, 12, CARD_DRAFT, &text, &markup), 0);
	snprintf(want, sizeof(want),
	    "\xf0\x9f\x93\x9d <b>Dentist</b>\n"
	    "\xf0\x9f\x93\x85 %s, 10:30\n"
	    "\xe2\x9d\x97 High priority\n"
	    "\xe2\x80\xa2 passport\n"
	    "\xe2\x80\xa2 charger\n"
	    "<i>why: 'next friday 10:30' " ARROW " Fri 27 Nov 10:30</i>",
	    day);
	ck_assert_str_eq(text, want);
	ck_assert_str_eq(
	    json_object_to_json_string_ext(markup, JSON_C_TO_STRING_PLAIN),
	    "{\"inline_keyboard\":[[{\"text\":\"\xe2\x9c\x85 Confirm\","
	    "\"callback_data\":\"d:12:c\"},{\"text\":"
	    "\"\xe2\x9c\x8f\xef\xb8\x8f "
	    "Edit\",\"callback_data\":\"d:12:e\"},{\"text\":\"\xe2\x9c\x96 "
	    "Cancel\",\"callback_data\":\"d:12:x\"}]]}");
	free(text);
	json_object_put(markup);
	json_object_put(d);
}
END_TEST

START_TEST(card_other_year)
{
	struct json_object *d = good_draft(), *markup;
	char *text;
	int y;

	ck_assert_int_eq(
	    nlp_local("UTC", time_now_ms(), &y, NULL, NULL, NULL, NULL, NULL),
	    0);
	json_object_object_add(d, "due_date",
	    json_object_new_string(y == 2031 ? "2032-01-02" : "2031-01-03"));
	json_object_object_del(d, "due_time");
	ck_assert_int_eq(draft_card(d, 1, CARD_DRAFT, &text, &markup), 0);
	ck_assert_ptr_nonnull(strstr(text,
	    y == 2031 ? "\xf0\x9f\x93\x85 Fri 2 Jan 2032\n"
	              : "\xf0\x9f\x93\x85 Fri 3 Jan 2031\n"));
	free(text);
	json_object_put(markup);
	json_object_put(d);
}
END_TEST

static const struct {
	enum card_state state;
	const char *line;    /* the card's last line */
	const char *buttons; /* button texts and data, or NULL */
} states[] = {
    {CARD_EDITING,
        "\xe2\x9c\x8f\xef\xb8\x8f What should change? Reply with e.g. "
        "\xe2\x80\x9cmake it 11am\xe2\x80\x9d, \xe2\x80\x9cpriority "
        "high\xe2\x80\x9d, \xe2\x80\x9c"
        "add: bring laptop\xe2\x80\x9d, \xe2\x80\x9ctitle: " ELLIPSIS
        "\xe2\x80\x9d",
        "{\"inline_keyboard\":[[{\"text\":\"\xe2\x9c\x96 Cancel\","
        "\"callback_data\":\"d:12:x\"}]]}"},
    {CARD_CONFIRMED, "\xe2\x9c\x85 Saved",
        "{\"inline_keyboard\":[[{\"text\":\"\xe2\x86\xa9\xef\xb8\x8f "
        "Undo\",\"callback_data\":\"d:12:u\"}]]}"},
    {CARD_CANCELLED, "\xe2\x9c\x96 Cancelled", NULL},
    {CARD_EXPIRED,
        "\xe2\x8c\x9b This draft expired \xe2\x80\x94 send it again to "
        "make a new one",
        NULL},
    {CARD_UNDONE, "\xe2\x86\xa9\xef\xb8\x8f Undone", NULL},
};

START_TEST(card_states)
{
	struct json_object *d = good_draft(), *markup = d;
	char *text, *nl;

	ck_assert_int_eq(
	    draft_card(d, 12, states[_i].state, &text, &markup), 0);
	ck_assert(strncmp(text, "\xf0\x9f\x93\x9d <b>Dentist</b>\n", 20) == 0);
	nl = strrchr(text, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_str_eq(nl + 1, states[_i].line);
	ck_assert(nl[-1] == '\n');
	if (states[_i].buttons == NULL)
		ck_assert_ptr_null(markup);
	else
		ck_assert_str_eq(json_object_to_json_string_ext(
		                     markup, JSON_C_TO_STRING_PLAIN),
		    states[_i].buttons);
	free(text);
	json_object_put(markup);
	json_object_put(d);
}
END_TEST

START_TEST(card_escapes)
{
	static const char evil[] = "<script>alert(\"x\")&</script>";
	static const char safe[] =
	    "&lt;script&gt;alert(&quot;x&quot;)&amp;&lt;/script&gt;";
	struct json_object *d = good_draft(), *markup, *subs;
	char *text, *esc;

	json_object_object_add(d, "title", json_object_new_string(evil));
	json_object_object_add(d, "notes", json_object_new_string(evil));
	json_object_object_add(d, "reasoning", json_object_new_string(evil));
	json_object_object_add(d, "due_time", json_object_new_string(evil));
	json_object_object_get_ex(d, "subtasks", &subs);
	json_object_array_add(subs, json_object_new_string(evil));
	ck_assert_int_eq(draft_card(d, 5, CARD_DRAFT, &text, &markup), 0);
	ck_assert_ptr_null(strstr(text, "<script"));
	ck_assert_ptr_null(strstr(text, "\"x\""));
	ck_assert_ptr_nonnull(strstr(text,
	    "<b>"
	    "&lt;script&gt;alert(&quot;x&quot;)&amp;&lt;/script&gt;"
	    "</b>"));
	ck_assert_ptr_nonnull(strstr(text,
	    "\xe2\x80\xa2 "
	    "&lt;script&gt;"));
	ck_assert_ptr_nonnull(strstr(text, "<i>why: &lt;script&gt;"));
	free(text);
	json_object_put(markup);
	json_object_put(d);
	esc = html_escape(evil);
	ck_assert_str_eq(esc, safe);
	free(esc);
	esc = html_escape(NULL);
	ck_assert_str_eq(esc, "");
	free(esc);
}
END_TEST

START_TEST(callback_data_bounded)
{
	static const long long ids[] = {0, 12, LLONG_MAX, LLONG_MIN};
	struct json_object *d = good_draft();

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		for (int s = CARD_DRAFT; s <= CARD_UNDONE; s++) {
			struct json_object *markup, *rows, *row;
			char *text, want[80];

			ck_assert_int_eq(
			    draft_card(
			        d, ids[i], (enum card_state)s, &text, &markup),
			    0);
			free(text);
			if (markup == NULL)
				continue;
			ck_assert(json_object_object_get_ex(
			    markup, "inline_keyboard", &rows));
			row = json_object_array_get_idx(rows, 0);
			for (size_t b = 0; b < json_object_array_length(row);
			     b++) {
				struct json_object *btn, *cd;
				const char *data;

				btn = json_object_array_get_idx(row, b);
				ck_assert(json_object_object_get_ex(
				    btn, "callback_data", &cd));
				data = json_object_get_string(cd);
				ck_assert_uint_le(strlen(data), 64);
				snprintf(want, sizeof(want), "d:%lld:", ids[i]);
				ck_assert(
				    strncmp(data, want, strlen(want)) == 0);
			}
			json_object_put(markup);
		}
	}
	json_object_put(d);
}
END_TEST

/* Valid UTF-8, and every '&' starts one of the four entities. */
static void
assert_clean(const char *s)
{
	for (size_t i = 0; s[i] != '\0';) {
		unsigned char u = (unsigned char)s[i];
		size_t n = u < 0x80 ? 1 : u < 0xe0 ? 2 : u < 0xf0 ? 3 : 4;

		ck_assert(u < 0x80 || u >= 0xc2);
		for (size_t k = 1; k < n; k++)
			ck_assert(((unsigned char)s[i + k] & 0xc0) == 0x80);
		if (s[i] == '&')
			ck_assert(strncmp(s + i, "&amp;", 5) == 0 ||
			    strncmp(s + i, "&lt;", 4) == 0 ||
			    strncmp(s + i, "&gt;", 4) == 0 ||
			    strncmp(s + i, "&quot;", 6) == 0);
		i += n;
	}
}

START_TEST(card_length_bounded)
{
	static const char *const fills[] = {"a", "&", "\xc3\xbc", "<\""};
	struct json_object *d = good_draft(), *subs, *markup;
	size_t big = 10 * 1024;
	char *s = malloc(big + 1), *text;
	const char *f = fills[_i];

	for (size_t i = 0; i + strlen(f) <= big; i += strlen(f)) {
		memcpy(s + i, f, strlen(f));
		s[i + strlen(f)] = '\0';
	}
	json_object_object_add(d, "title", json_object_new_string(s));
	json_object_object_add(d, "notes", json_object_new_string(s));
	json_object_object_add(d, "reasoning", json_object_new_string(s));
	json_object_object_get_ex(d, "subtasks", &subs);
	for (int k = 0; k < 100; k++)
		json_object_array_add(subs, json_object_new_string(s));
	for (int st = CARD_DRAFT; st <= CARD_UNDONE; st++) {
		ck_assert_int_eq(draft_card(d, LLONG_MAX, (enum card_state)st,
		                     &text, &markup),
		    0);
		ck_assert_uint_lt(strlen(text), 4096);
		ck_assert_ptr_nonnull(strstr(text, ELLIPSIS "</b>"));
		ck_assert_ptr_nonnull(strstr(text, "and 90 more"));
		ck_assert_ptr_nonnull(strstr(text, ELLIPSIS "</i>"));
		assert_clean(text);
		if (st != CARD_DRAFT)
			ck_assert_ptr_nonnull(
			    strstr(text, states[st - 1].line));
		free(text);
		json_object_put(markup);
	}
	free(s);
	json_object_put(d);
}
END_TEST

START_TEST(card_bad_arguments)
{
	struct json_object *arr = json_object_new_array(), *markup;
	char *text;

	ck_assert_int_eq(
	    draft_card(NULL, 1, CARD_DRAFT, &text, &markup), -EINVAL);
	ck_assert_int_eq(
	    draft_card(arr, 1, CARD_DRAFT, &text, &markup), -EINVAL);
	ck_assert_int_eq(
	    draft_card(arr, 1, (enum card_state)99, &text, &markup), -EINVAL);
	json_object_put(arr);
}
END_TEST

/* A draft made from a message shows as a card right away. */
START_TEST(card_of_message)
{
	struct json_object
	    *d = draft_of(
	        "remind me to pack: passport, charger and tickets tomorrow !!"),
	    *markup;
	char *text;

	ck_assert_int_eq(draft_card(d, 7, CARD_DRAFT, &text, &markup), 0);
	ck_assert_ptr_nonnull(strstr(text, "<b>Pack</b>\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n\xe2\x80\xa2 tickets\n"));
	ck_assert_ptr_nonnull(strstr(text, "\xe2\x9d\x97 High priority"));
	ck_assert_ptr_nonnull(
	    strstr(text, "<i>why: 'tomorrow' " ARROW " Sat 21 Nov</i>"));
	free(text);
	json_object_put(markup);
	json_object_put(d);
}
END_TEST

/* A range's end and a recurrence show on the card; a rrule the card cannot
 * put in words shows as it is, escaped. */
START_TEST(card_end_and_rrule)
{
	struct json_object *d = draft_of("team sync 2-3pm tomorrow"), *markup;
	char *text;

	ck_assert_int_eq(draft_card(d, 7, CARD_DRAFT, &text, &markup), 0);
	ck_assert_ptr_nonnull(strstr(text, "\xf0\x9f\x93\x85 Sat 21 Nov"));
	ck_assert_ptr_nonnull(strstr(text,
	    ", 14:00\xe2\x80\x93"
	    "15:00\n"));
	ck_assert_ptr_null(strstr(text, "\xf0\x9f\x94\x81"));
	free(text);
	json_object_put(markup);
	json_object_put(d);

	d = draft_of("! pay rent every 1st of the month");
	ck_assert_int_eq(draft_card(d, 7, CARD_DRAFT, &text, &markup), 0);
	ck_assert_ptr_nonnull(strstr(text, "<b>Pay rent</b>\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "\n\xf0\x9f\x94\x81 every month on day 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "\xe2\x9d\x97 High priority"));
	free(text);
	json_object_put(markup);

	json_object_object_add(d, "rrule",
	    json_object_new_string("FREQ=WEEKLY;BYDAY=MO,TH;INTERVAL=2"));
	ck_assert_int_eq(draft_card(d, 7, CARD_DRAFT, &text, &markup), 0);
	ck_assert_ptr_nonnull(
	    strstr(text, "\xf0\x9f\x94\x81 every 2 weeks on Mon, Thu\n"));
	free(text);
	json_object_put(markup);

	json_object_object_add(
	    d, "rrule", json_object_new_string("FREQ=DAILY;X-NOTE=<b>&"));
	ck_assert_int_eq(draft_card(d, 7, CARD_DRAFT, &text, &markup), 0);
	ck_assert_ptr_nonnull(strstr(
	    text, "\xf0\x9f\x94\x81 FREQ=DAILY;X-NOTE=&lt;b&gt;&amp;\n"));
	free(text);
	json_object_put(markup);
	json_object_put(d);
}
END_TEST

static Suite *
draft_suite(void)
{
	Suite *s = suite_create("draft");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, from_text, 0, sizeof(drows) / sizeof(drows[0]));
	tcase_add_loop_test(
	    tc, end_and_rrule, 0, sizeof(wrows) / sizeof(wrows[0]));
	tcase_add_test(tc, reasoning_and_shape);
	tcase_add_loop_test(
	    tc, vague, 0, sizeof(vague_texts) / sizeof(vague_texts[0]));
	tcase_add_test(tc, vague_question_names_the_day);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, long_title);
	tcase_add_loop_test(tc, revise, 0, sizeof(rrows) / sizeof(rrows[0]));
	tcase_add_test(tc, revise_priority_and_subtasks);
	tcase_add_test(tc, revise_time_on_today);
	tcase_add_loop_test(tc, revise_not_understood, 0,
	    sizeof(not_understood) / sizeof(not_understood[0]));
	tcase_add_test(tc, revise_bad_arguments);
	tcase_add_loop_test(
	    tc, validate_errors, 0, sizeof(invalid) / sizeof(invalid[0]));
	tcase_add_test(tc, validate_limits);
	tcase_add_test(tc, card_text_and_buttons);
	tcase_add_test(tc, card_other_year);
	tcase_add_loop_test(
	    tc, card_states, 0, sizeof(states) / sizeof(states[0]));
	tcase_add_test(tc, card_escapes);
	tcase_add_test(tc, callback_data_bounded);
	tcase_add_loop_test(tc, card_length_bounded, 0, 4);
	tcase_add_test(tc, card_bad_arguments);
	tcase_add_test(tc, card_of_message);
	tcase_add_test(tc, card_end_and_rrule);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(draft_suite());
}

/*
 * nlp_parse: the assistant's reading of dates, times, ranges, durations
 * and recurrence (RRULE), zones named in the text, DST, priority, titles,
 * subtasks, the "not a date" list, and `draftbot parse`.  The reference
 * is Friday 2026-11-20 09:00 in Europe/Berlin unless a row says otherwise.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "tests/testutil.h"
#include "workflows/nlp.h"

#define BER "Europe/Berlin"
#define NYC "America/New_York"
#define FRI "2026-11-20 09:00"

static int64_t
ref_ms(const char *tz, const char *local)
{
	int y, m, d, h, mi;
	int64_t ms;

	ck_assert_int_eq(
	    sscanf(local, "%d-%d-%d %d:%d", &y, &m, &d, &h, &mi), 5);
	ck_assert_int_eq(nlp_instant(tz, y, m, d, h, mi, &ms), 0);
	return ms;
}

static struct nlp_result *
parse(const char *text, const char *tz, const char *local, bool ahead)
{
	static struct nlp_result res;
	struct nlp_ref ref = {ref_ms(tz, local), tz, false};
	struct nlp_opts opts = {ahead, ahead};

	ck_assert_int_ge(nlp_parse(text, &ref, &opts, &res), 0);
	return &res;
}

static void
fmt(const struct nlp_moment *m, char *buf, size_t len)
{
	if (m->known & NLP_HOUR)
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", m->year,
		    m->month, m->day, m->hour, m->minute);
	else
		snprintf(buf, len, "%04d-%02d-%02d", m->year, m->month, m->day);
}

struct row {
	const char *text;
	const char *start; /* "YYYY-MM-DD[ HH:MM]"; NULL: nothing found */
	const char *end;   /* NULL: no end */
	const char *rrule; /* NULL: none */
	const char *title;
	int priority;
};

static const struct row rows[] = {
    /* casual */
    {"submit the report by end of day", "2026-11-20", NULL, NULL,
        "Submit the report", 0},
    {"write the blog post this weekend", "2026-11-21", "2026-11-22", NULL,
        "Write the blog post", 0},
    {"call the plumber tomorrow afternoon", "2026-11-21", NULL, NULL,
        "Call the plumber", 0},
    {"call mom 9 tomorrow evening", "2026-11-21 21:00", NULL, NULL, "Call mom",
        0},
    /* weekdays */
    {"lunch on friday", "2026-11-20", NULL, NULL, "Lunch", 0},
    {"release party friday after next", "2026-12-04", NULL, NULL,
        "Release party", 0},
    {"2 fridays from now lunch with Sam", "2026-12-04", NULL, NULL,
        "Lunch with Sam", 0},
    {"board meeting the first monday of march", "2027-03-01", NULL, NULL,
        "Board meeting", 0},
    {"last friday we shipped it", "2026-11-13", NULL, NULL, "We shipped it", 0},
    /* relative */
    {"call Bob in half an hour", "2026-11-20 09:30", NULL, NULL, "Call Bob", 0},
    {"check the oven in a quarter of an hour", "2026-11-20 09:15", NULL, NULL,
        "Check the oven", 0},
    {"haircut 3 weeks from now", "2026-12-11", NULL, NULL, "Haircut", 0},
    {"send invoice a day after tomorrow", "2026-11-22", NULL, NULL,
        "Send invoice", 0},
    {"renew passport within 2 weeks", "2026-12-04", NULL, NULL,
        "Renew passport", 0},
    {"3 days ago the server crashed", "2026-11-17", NULL, NULL,
        "The server crashed", 0},
    {"in 1 hour and a half", "2026-11-20 10:30", NULL, NULL, "", 0},
    /* absolute */
    {"doctor 12/01 at 4pm", "2026-12-01 16:00", NULL, NULL, "Doctor", 0},
    {"deadline 2027-01-12", "2027-01-12", NULL, NULL, "Deadline", 0},
    {"the report is due 12.01.2027", "2027-12-01", NULL, NULL, "The report is",
        0},
    {"team offsite January 12th 2027", "2027-01-12", NULL, NULL, "Team offsite",
        0},
    {"pay the card on the 20th", "2026-11-20", NULL, NULL, "Pay the card", 0},
    {"pay the card on the 3rd", "2026-12-03", NULL, NULL, "Pay the card", 0},
    {"book it 20th of next month", "2026-12-20", NULL, NULL, "Book it", 0},
    {"pay taxes April 15", "2027-04-15", NULL, NULL, "Pay taxes", 0},
    /* times */
    {"dentist at quarter past 3", "2026-11-20 15:15", NULL, NULL, "Dentist", 0},
    {"train at half past 7", "2026-11-20 19:30", NULL, NULL, "Train", 0},
    {"meeting at 10 to 4", "2026-11-20 15:50", NULL, NULL, "Meeting", 0},
    {"call grandma at 5 o'clock", "2026-11-20 17:00", NULL, NULL,
        "Call grandma", 0},
    {"visa appointment 0530 on monday", "2026-11-23 05:30", NULL, NULL,
        "Visa appointment", 0},
    {"meet at 2.30pm tomorrow", "2026-11-21 14:30", NULL, NULL, "Meet", 0},
    {"breakfast at 8 in the morning", "2026-11-21 08:00", NULL, NULL,
        "Breakfast", 0},
    /* ranges and durations */
    {"team sync 2-3pm tomorrow", "2026-11-21 14:00", "2026-11-21 15:00", NULL,
        "Team sync", 0},
    {"meeting from 2pm to 3:30pm", "2026-11-20 14:00", "2026-11-20 15:30", NULL,
        "Meeting", 0},
    {"workshop 9:30 - 11:00 on Thursday", "2026-11-26 09:30",
        "2026-11-26 11:00", NULL, "Workshop", 0},
    {"vacation Monday to Wednesday", "2026-11-23", "2026-11-25", NULL,
        "Vacation", 0},
    {"conference July 13-15", "2027-07-13", "2027-07-15", NULL, "Conference",
        0},
    {"workshop tomorrow at 3 for 2 hours", "2026-11-21 15:00",
        "2026-11-21 17:00", NULL, "Workshop", 0},
    {"study 10 until 5", "2026-11-20 10:00", "2026-11-20 17:00", NULL, "Study",
        0},
    /* a weekday, a time and how long: the weekday's day, not now */
    {"call Ann friday 5pm for 30 minutes", "2026-11-20 17:00",
        "2026-11-20 17:30", NULL, "Call Ann", 0},
    {"review friday at 5pm for 30 min", "2026-11-20 17:00", "2026-11-20 17:30",
        NULL, "Review", 0},
    {"demo next friday 5pm for 2 hours", "2026-11-27 17:00", "2026-11-27 19:00",
        NULL, "Demo", 0},
    {"dinner on friday from 5pm for an hour", "2026-11-20 17:00",
        "2026-11-20 18:00", NULL, "Dinner", 0},
    {"tennis sat 10am for 90 minutes", "2026-11-21 10:00", "2026-11-21 11:30",
        NULL, "Tennis", 0},
    {"standup monday 9am for 15 minutes", "2026-11-23 09:00",
        "2026-11-23 09:15", NULL, "Standup", 0},
    {"dentist tuesday at 2pm for an hour", "2026-11-24 14:00",
        "2026-11-24 15:00", NULL, "Dentist", 0},
    {"party wednesday 11pm for 2 hours", "2026-11-25 23:00", "2026-11-26 01:00",
        NULL, "Party", 0},
    {"gym 5pm thursday for 45 minutes", "2026-11-26 17:00", "2026-11-26 17:45",
        NULL, "Gym", 0},
    {"hike sunday 8am for 2 days", "2026-11-22 08:00", "2026-11-24 08:00", NULL,
        "Hike", 0},
    {"workshop in 3 days at 5pm for an hour", "2026-11-23 17:00",
        "2026-11-23 18:00", NULL, "Workshop", 0},
    /* a duration alone still counts from now */
    {"focus for 30 minutes", "2026-11-20 09:30", NULL, NULL, "Focus", 0},
    /* recurrence */
    {"pay rent every 1st of the month", "2026-12-01", NULL,
        "FREQ=MONTHLY;BYMONTHDAY=1", "Pay rent", 0},
    {"water plants every day", "2026-11-20", NULL, "FREQ=DAILY", "Water plants",
        0},
    {"yoga daily at 8am", "2026-11-21 08:00", NULL, "FREQ=DAILY", "Yoga", 0},
    {"standup every weekday at 9:15", "2026-11-20 09:15", NULL,
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Standup", 0},
    {"gym every monday and thursday at 7am", "2026-11-23 07:00", NULL,
        "FREQ=WEEKLY;BYDAY=MO,TH", "Gym", 0},
    {"groceries weekly on saturday", "2026-11-21", NULL, "FREQ=WEEKLY;BYDAY=SA",
        "Groceries", 0},
    {"clean the windows every 2 weeks", "2026-11-20", NULL,
        "FREQ=WEEKLY;INTERVAL=2", "Clean the windows", 0},
    {"cleaning every other friday", "2026-11-20", NULL,
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "Cleaning", 0},
    {"report monthly", "2026-11-20", NULL, "FREQ=MONTHLY", "Report", 0},
    {"anniversary every year on March 3", "2027-03-03", NULL,
        "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3", "Anniversary", 0},
    {"bookclub every last friday of the month", "2026-11-27", NULL,
        "FREQ=MONTHLY;BYDAY=-1FR", "Bookclub", 0},
    {"review every first monday of the month", "2026-12-07", NULL,
        "FREQ=MONTHLY;BYDAY=1MO", "Review", 0},
    {"trash on tuesdays", "2026-11-24", NULL, "FREQ=WEEKLY;BYDAY=TU", "Trash",
        0},
    {"stretch every 3 days until December 24", "2026-11-20", NULL,
        "FREQ=DAILY;INTERVAL=3;UNTIL=20261224", "Stretch", 0},
    {"run every day at 7pm until December 24", "2026-11-20 19:00", NULL,
        "FREQ=DAILY;UNTIL=20261224T225959Z", "Run", 0},
    /* priority, title, fillers */
    {"urgent: fix the login bug asap", NULL, NULL, NULL, "Fix the login bug",
        3},
    {"low priority clean the garage", NULL, NULL, NULL, "Clean the garage", 1},
    {"!! call the insurance company", NULL, NULL, NULL,
        "Call the insurance company", 2},
    {"call the vet !", NULL, NULL, NULL, "Call the vet", 2},
    {"p1 renew the domain tomorrow", "2026-11-21", NULL, NULL,
        "Renew the domain", 3},
    {"important: send the contract p3", NULL, NULL, NULL, "Send the contract",
        2},
    {"remind me to water the plants tonight", "2026-11-20", NULL, NULL,
        "Water the plants", 0},
    {"don't forget to call dad this afternoon at 3", "2026-11-20 15:00", NULL,
        NULL, "Call dad", 0},
    {"please buy milk tomorrow", "2026-11-21", NULL, NULL, "Buy milk", 0},
    /* not dates */
    {"I have 2 cats", NULL, NULL, NULL, "I have 2 cats", 0},
    {"May I borrow your pen", NULL, NULL, NULL, "May I borrow your pen", 0},
    {"add 3/4 cup of sugar", NULL, NULL, NULL, "Add 3/4 cup of sugar", 0},
    {"add 1 1/2 cups of flour", NULL, NULL, NULL, "Add 1 1/2 cups of flour", 0},
    {"upgrade to version 2.4.1", NULL, NULL, NULL, "Upgrade to version 2.4.1",
        0},
    {"call me at 555-1234", NULL, NULL, NULL, "Call me at 555-1234", 0},
    {"call 0151 2345678", NULL, NULL, NULL, "Call 0151 2345678", 0},
    {"call +1 555 123 4567", NULL, NULL, NULL, "Call +1 555 123 4567", 0},
    {"I'll march to the office", NULL, NULL, NULL, "I'll march to the office",
        0},
    {"room 101 is booked", NULL, NULL, NULL, "Room 101 is booked", 0},
    {"we have 10.5 hours left", NULL, NULL, NULL, "We have 10.5 hours left", 0},
    {"count to 10", NULL, NULL, NULL, "Count to 10", 0},
    {"2012", NULL, NULL, NULL, "2012", 0},
    {"1-2", NULL, NULL, NULL, "1-2", 0},
    {"14PM", NULL, NULL, NULL, "14PM", 0},
    {"the cat sat on the mat", NULL, NULL, NULL, "The cat sat on the mat", 0},
    {"good morning", NULL, NULL, NULL, "Good morning", 0},
    {"February 30", NULL, NULL, NULL, "February 30", 0},
};

START_TEST(table)
{
	const struct row *t = &rows[_i];
	struct nlp_result *res = parse(t->text, BER, FRI, true);
	char buf[64];

	ck_assert_msg(t->start != NULL || res->nmatches == 0,
	    "'%s' found '%.*s'", t->text,
	    res->nmatches ? (int)res->matches[0].len : 0,
	    res->nmatches ? t->text + res->matches[0].index : "");
	if (t->start != NULL) {
		const struct nlp_match *m = &res->matches[0];

		ck_assert_msg(res->nmatches == 1, "'%s': %d matches", t->text,
		    res->nmatches);
		fmt(&m->start, buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, t->start) == 0, "'%s': %s, want %s",
		    t->text, buf, t->start);
		ck_assert_msg(m->has_end == (t->end != NULL), "'%s': end %d",
		    t->text, m->has_end);
		if (t->end != NULL) {
			fmt(&m->end, buf, sizeof(buf));
			ck_assert_msg(strcmp(buf, t->end) == 0,
			    "'%s': end %s, want %s", t->text, buf, t->end);
		}
		ck_assert_msg(strcmp(m->rrule, t->rrule ? t->rrule : "") == 0,
		    "'%s': rrule '%s', want '%s'", t->text, m->rrule,
		    t->rrule ? t->rrule : "");
	}
	ck_assert_msg(strcmp(res->title, t->title) == 0,
	    "'%s': title '%s', want '%s'", t->text, res->title, t->title);
	ck_assert_int_eq(res->priority, t->priority);
}
END_TEST

START_TEST(subtasks)
{
	struct nlp_result *res =
	    parse("pack: passport, charger and tickets", BER, FRI, true);

	ck_assert_str_eq(res->title, "Pack");
	ck_assert_int_eq(res->nsubtasks, 3);
	ck_assert_str_eq(res->subtasks[0], "passport");
	ck_assert_str_eq(res->subtasks[1], "charger");
	ck_assert_str_eq(res->subtasks[2], "tickets");
	res = parse(
	    "groceries tomorrow\n- milk\n* eggs\nnotes here", BER, FRI, true);
	ck_assert_str_eq(res->title, "Groceries");
	ck_assert_int_eq(res->nsubtasks, 2);
	ck_assert_str_eq(res->subtasks[0], "milk");
	ck_assert_str_eq(res->subtasks[1], "eggs");
	/* one item is no list */
	res = parse("Note: call Bob", BER, FRI, true);
	ck_assert_str_eq(res->title, "Note: call Bob");
	ck_assert_int_eq(res->nsubtasks, 0);
}
END_TEST

/* A time the text gives in another zone is converted to the user's. */
START_TEST(zones)
{
	struct nlp_result *res;
	char buf[64];

	res = parse("webinar tomorrow 5pm EST", BER, FRI, true);
	ck_assert_int_eq(res->nmatches, 1);
	fmt(&res->matches[0].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-21 23:00");
	ck_assert(res->matches[0].start.known & NLP_OFFSET);
	ck_assert_int_eq(res->matches[0].start.offset, -300);
	ck_assert_str_eq(res->title, "Webinar");
	res = parse("call Tokyo tomorrow at 9am JST", BER, FRI, true);
	fmt(&res->matches[0].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-21 01:00");
	res = parse("sync 2026-11-24 10:00 +02:00", BER, FRI, true);
	fmt(&res->matches[0].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-24 09:00");
	/* ET follows New York's DST: 23:00 EDT in October is 05:00 CEST */
	res = parse("2026-10-20 23:00 ET", BER, FRI, true);
	fmt(&res->matches[0].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-10-21 05:00");
	ck_assert_int_eq(res->matches[0].start.offset, -240);
	/* a user whose zone is an offset */
	res = parse("tomorrow at 5pm", "+05:30", "2026-11-20 09:00", true);
	ck_assert_int_eq(
	    res->matches[0].start.ms / 1000 * 1000, res->matches[0].start.ms);
	{
		char iso[TIME_ISO_MAX];

		time_format_iso(res->matches[0].start.ms, iso, sizeof(iso));
		ck_assert_str_eq(iso, "2026-11-21T11:30:00.000Z");
	}
}
END_TEST

/* DST: a wall time that does not exist, one that happens twice, and real
 * time across the change. */
START_TEST(dst)
{
	struct nlp_result *res;
	struct nlp_ref ref;
	struct nlp_when w;
	char iso[TIME_ISO_MAX];

	/* New York springs forward 2026-03-08 02:00 -> 03:00 */
	res = parse("tomorrow at 2:30am", NYC, "2026-03-07 23:30", true);
	ck_assert_int_eq(res->matches[0].start.hour, 2);
	ck_assert_int_eq(res->matches[0].start.dst, NLP_DST_GAP);
	time_format_iso(res->matches[0].start.ms, iso, sizeof(iso));
	ck_assert_str_eq(iso, "2026-03-08T07:30:00.000Z");
	ref.tz = NYC;
	ref.day_first = false;
	ref.now_ms = ref_ms(NYC, "2026-03-07 23:30");
	ck_assert_int_eq(nlp_when("tomorrow at 2:30am", &ref, &w), 1);
	ck_assert_ptr_nonnull(strstr(w.reasoning, "clocks go forward: 03:30"));
	res = parse("in 3 hours", NYC, "2026-03-07 23:30", true);
	ck_assert_int_eq(res->matches[0].start.hour, 3);
	ck_assert_int_eq(res->matches[0].start.minute, 30);
	/* Berlin falls back 2026-10-25 03:00 -> 02:00: the first 02:30 */
	res = parse("sunday at 2:30am", BER, "2026-10-23 12:00", true);
	ck_assert_int_eq(res->matches[0].start.dst, NLP_DST_REPEAT);
	time_format_iso(res->matches[0].start.ms, iso, sizeof(iso));
	ck_assert_str_eq(iso, "2026-10-25T00:30:00.000Z");
	/* a day later is the same wall time, 25 hours on */
	res = parse("in 1 day", BER, "2026-10-24 12:00", true);
	time_format_iso(res->matches[0].start.ms, iso, sizeof(iso));
	ck_assert_str_eq(iso, "2026-10-25T11:00:00.000Z");
}
END_TEST

/* chrono's reading (no options) against the assistant's. */
START_TEST(readings)
{
	struct nlp_result *res;
	char buf[64];

	/* at 09:00 an "at 5" is 05:00 for chrono, 17:00 for the assistant */
	res = parse("at 5", BER, FRI, false);
	fmt(&res->matches[0].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-20 05:00");
	res = parse("at 5", BER, FRI, true);
	fmt(&res->matches[0].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-20 17:00");
	/* a weekday alone: the nearest (chrono) or the next one */
	res = parse("wednesday", BER, FRI, false);
	fmt(&res->matches[0].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-18");
	res = parse("wednesday", BER, FRI, true);
	fmt(&res->matches[0].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-25");
	/* known components */
	res = parse("next year", BER, FRI, false);
	ck_assert_uint_eq(res->matches[0].start.known, NLP_YEAR);
	res = parse("Jan 12", BER, FRI, false);
	ck_assert_uint_eq(res->matches[0].start.known, NLP_MONTH | NLP_DAY);
	ck_assert_int_eq(res->matches[0].start.year, 2027);
	/* day first */
	{
		struct nlp_ref ref = {ref_ms(BER, FRI), BER, true};
		struct nlp_result r2;

		ck_assert_int_eq(nlp_parse("12/01", &ref, NULL, &r2), 1);
		ck_assert_int_eq(r2.matches[0].start.month, 1);
		ck_assert_int_eq(r2.matches[0].start.day, 12);
	}
}
END_TEST

/*
 * A weekday before a time and a duration ("friday 5pm for 30 minutes") is
 * that day at that time, in both readings and in nlp_when; it was once
 * taken as the day of "30 minutes from now", with the weekday stuck on.
 * A day counted from now after a weekday is a match of its own.  The
 * reference is Monday 2026-11-16 09:00.
 */
START_TEST(weekday_lasts)
{
	static const struct {
		const char *text;
		bool ahead;
		const char *start, *end;
	} cases[] = {
	    {"friday 5pm for 30 minutes", true, "2026-11-20 17:00",
	        "2026-11-20 17:30"},
	    /* chrono's nearest friday is the one before */
	    {"friday 5pm for 30 minutes", false, "2026-11-13 17:00",
	        "2026-11-13 17:30"},
	    {"on friday from 5pm for an hour", false, "2026-11-13 17:00",
	        "2026-11-13 18:00"},
	    {"next friday 5pm for 2 hours", false, "2026-11-27 17:00",
	        "2026-11-27 19:00"},
	    {"sat 10am for 90 minutes", true, "2026-11-21 10:00",
	        "2026-11-21 11:30"},
	    {"monday 9am for 1 hour", true, "2026-11-16 09:00",
	        "2026-11-16 10:00"},
	    {"thursday for 30 minutes", true, "2026-11-19", "2026-11-19"},
	};
	const char *mon = "2026-11-16 09:00";
	struct nlp_ref ref = {ref_ms(BER, mon), BER, false};
	struct nlp_result *res;
	struct nlp_when w;
	char buf[64];

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct nlp_match *m;

		res = parse(cases[k].text, BER, mon, cases[k].ahead);
		ck_assert_msg(res->nmatches == 1, "'%s': %d matches",
		    cases[k].text, res->nmatches);
		m = &res->matches[0];
		ck_assert_uint_eq(m->len, strlen(cases[k].text));
		fmt(&m->start, buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, cases[k].start) == 0,
		    "'%s': %s, want %s", cases[k].text, buf, cases[k].start);
		ck_assert_msg(m->has_end, "'%s': no end", cases[k].text);
		fmt(&m->end, buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, cases[k].end) == 0,
		    "'%s': end %s, want %s", cases[k].text, buf, cases[k].end);
		/* the weekday stated is the start's (day 0 of the epoch
		 * was a Thursday; these starts are the same day in UTC) */
		ck_assert_int_eq(
		    m->start.weekday, (int)((m->start.ms / 86400000 + 4) % 7));
	}

	/* the drafts' reading */
	ck_assert_int_eq(nlp_when("friday 5pm for 30 minutes", &ref, &w), 1);
	ck_assert(w.has_time && w.has_end && w.end_has_time);
	ck_assert(!w.date_implied);
	ck_assert_int_eq(w.day, 20);
	ck_assert_int_eq(w.hour, 17);
	ck_assert_int_eq(w.minute, 0);
	ck_assert_int_eq(w.end_day, 20);
	ck_assert_int_eq(w.end_hour, 17);
	ck_assert_int_eq(w.end_minute, 30);
	ck_assert_str_eq(w.reasoning,
	    "'friday 5pm for 30 minutes' \xe2\x86\x92 Fri 20 Nov 17:00");

	/* a bare duration is still from now: no day, no end */
	res = parse("for 30 minutes", BER, mon, true);
	ck_assert_int_eq(res->nmatches, 1);
	fmt(&res->matches[0].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-16 09:30");
	ck_assert(!res->matches[0].has_end);

	/* a day counted from now is no date the weekday names */
	res = parse("friday in 2 days", BER, mon, true);
	ck_assert_int_eq(res->nmatches, 2);
	fmt(&res->matches[0].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-20");
	ck_assert_int_eq(res->matches[0].start.weekday, 5);
	fmt(&res->matches[1].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-18");
	ck_assert_int_eq(res->matches[1].start.weekday, 3);
	res = parse("friday in 30 minutes", BER, mon, true);
	ck_assert_int_eq(res->nmatches, 2);
	fmt(&res->matches[1].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-16 09:30");
	ck_assert_int_eq(res->matches[1].start.weekday, 1);

	/* a weekday before a date still names it */
	res = parse("Sunday 12/7/2014", BER, mon, false);
	ck_assert_int_eq(res->nmatches, 1);
	fmt(&res->matches[0].start, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2014-12-07");
	ck_assert_uint_eq(
	    res->matches[0].start.known & NLP_WEEKDAY, (unsigned)NLP_WEEKDAY);
}
END_TEST

/* ISO offsets: "+05:30", "+0530", and a "+05:" cut at the very end of a
 * buffer read without going past it (a fuzz find, through events/text.c). */
START_TEST(iso_offsets_at_the_edge)
{
	static const struct {
		const char *text;
		int offset; /* minutes east */
	} cases[] = {
	    {"2025-10-31T10:00+05:30", 330},
	    {"2025-10-31T10:00+0530", 330},
	    {"2025-10-31T10:00+05", 300},
	    {"2025-10-31T10:00+05:", 300},
	    {"2025-10-31T10:00-04:00", -240},
	};
	struct nlp_ref ref = {ref_ms(BER, FRI), BER, false};
	struct nlp_result res;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* exactly sized, so ASan sees a read past the end */
		size_t n = strlen(cases[i].text);
		char *t = malloc(n + 1);

		memcpy(t, cases[i].text, n + 1);
		ck_assert_int_ge(nlp_parse(t, &ref, NULL, &res), 1);
		ck_assert_msg(res.matches[0].start.known & NLP_OFFSET, "%s", t);
		ck_assert_int_eq(res.matches[0].start.offset, cases[i].offset);
		free(t);
	}
}
END_TEST

START_TEST(bad_input)
{
	struct nlp_ref ref = {0, "Mars/Olympus", false};
	struct nlp_result res;
	char big[70000];

	memset(&res, 0x55, sizeof(res));
	ck_assert_int_eq(nlp_parse("tomorrow", &ref, NULL, &res), -EINVAL);
	ck_assert_int_eq(res.nmatches, 0);
	ref.tz = "+25:00";
	ck_assert_int_eq(nlp_parse("tomorrow", &ref, NULL, &res), -EINVAL);
	ref.tz = NULL;
	ck_assert_int_eq(nlp_parse(NULL, &ref, NULL, &res), -EINVAL);
	ck_assert_int_eq(nlp_parse("x", NULL, NULL, &res), -EINVAL);
	ck_assert_int_eq(nlp_parse("x", &ref, NULL, NULL), -EINVAL);
	/* a long text: only what fits is found, and the title is cut */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big + 100, " tomorrow ", 10);
	ck_assert_int_eq(nlp_parse(big, &ref, NULL, &res), 1);
	ck_assert_int_lt(strlen(res.title), NLP_TITLE_MAX);
	/* many dates: the first NLP_MATCHES_MAX */
	{
		char many[2000] = "";

		for (int k = 0; k < 40; k++)
			strcat(many, "tomorrow and ");
		ck_assert_int_eq(
		    nlp_parse(many, &ref, NULL, &res), NLP_MATCHES_MAX);
	}
}
END_TEST

/* `draftbot parse`: JSON lines from stdin, in order, and the explanation
 * of one text. */
START_TEST(cli)
{
	const char *bin = getenv("DRAFTBOT_BIN");
	char cmd[1024], line[8192];
	struct json_object *o, *v, *m;
	FILE *p;
	int n = 0;

	ck_assert_ptr_nonnull(bin);
	snprintf(cmd, sizeof(cmd),
	    "printf '%%s\\n' 'dentist next friday 10:30' "
	    "'{\"text\":\"in 1 hour\",\"ref\":\"2020-11-29T04:24:13\","
	    "\"tz\":\"+09:00\"}' 'nothing here' "
	    "'{\"text\":\"5/31\",\"ref\":\"1999-06-01T00:00:00\","
	    "\"options\":{\"forwardDate\":true}}' | "
	    "%s parse --ref 2026-11-20T09:00 --tz Europe/Berlin",
	    bin);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		o = json_tokener_parse(line);
		ck_assert_ptr_nonnull(o);
		ck_assert(json_object_object_get_ex(o, "matches", &v));
		switch (n) {
		case 0:
			m = json_object_array_get_idx(v, 0);
			ck_assert_str_eq(json_object_get_string(
			                     json_object_object_get(m, "text")),
			    "next friday 10:30");
			m = json_object_object_get(m, "start");
			ck_assert_int_eq(json_object_get_int(
			                     json_object_object_get(m, "day")),
			    27);
			ck_assert_int_eq(json_object_get_int(
			                     json_object_object_get(m, "hour")),
			    10);
			ck_assert_str_eq(
			    json_object_get_string(
			        json_object_object_get(o, "title")),
			    "Dentist");
			break;
		case 1:
			m = json_object_object_get(
			    json_object_array_get_idx(v, 0), "start");
			ck_assert_str_eq(
			    json_object_get_string(
			        json_object_object_get(m, "instant")),
			    "2020-11-28T20:24:13.000Z");
			break;
		case 2:
			ck_assert_int_eq(json_object_array_length(v), 0);
			break;
		case 3:
			m = json_object_object_get(
			    json_object_array_get_idx(v, 0), "start");
			ck_assert_int_eq(json_object_get_int(
			                     json_object_object_get(m, "year")),
			    2000);
			ck_assert_str_eq(
			    json_object_get_string(
			        json_object_object_get(m, "known")),
			    "[ \"month\", \"day\" ]");
			break;
		}
		json_object_put(o);
		n++;
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_int_eq(n, 4);
	snprintf(cmd, sizeof(cmd),
	    "%s parse --ref 2026-11-20T09:00 --tz Europe/Berlin "
	    "call mom tomorrow at 5",
	    bin);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = 0;
	while (fgets(line, sizeof(line), p) != NULL)
		n += strstr(line,
		         "'tomorrow at 5' \xe2\x86\x92 Sat 21 Nov "
		         "17:00") != NULL;
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_int_eq(n, 1);
	snprintf(
	    cmd, sizeof(cmd), "%s parse --tz Nowhere/City x 2>/dev/null", bin);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 2);
}
END_TEST

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("nlp_parse");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, table, 0, sizeof(rows) / sizeof(rows[0]));
	tcase_add_test(tc, subtasks);
	tcase_add_test(tc, zones);
	tcase_add_test(tc, dst);
	tcase_add_test(tc, readings);
	tcase_add_test(tc, weekday_lasts);
	tcase_add_test(tc, iso_offsets_at_the_edge);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, cli);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(parse_suite());
}

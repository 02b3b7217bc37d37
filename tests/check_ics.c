/*
 * check_ics — ev_extract_ics() and ev_is_ics(): every kind of DTSTART,
 * DURATION, RRULE, STATUS, text escapes and folding, the order of several
 * VEVENTs, and each kind of bad input with its exact error.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "tests/testutil.h"

#define NOW_MS 1759276800000LL /* 2025-10-01T00:00:00Z */
#define CRLF "\r\n"
#define CAL_HEAD                                                               \
	"BEGIN:VCALENDAR" CRLF "VERSION:2.0" CRLF                              \
	"PRODID:-//draftbot//test//EN" CRLF
#define CAL_TAIL "END:VCALENDAR" CRLF

static const struct ev_opts opts = {NULL, NOW_MS, "Europe/Berlin"};

/* Extract text (a C string) expecting success; the caller frees. */
static struct ev_list *
ics(const char *text, const struct ev_opts *o)
{
	struct ev_list *l = NULL;

	ck_assert_int_eq(ev_extract_ics(text, strlen(text), o, &l), 0);
	ck_assert_ptr_nonnull(l);
	return l;
}

/* One VEVENT with the given lines between BEGIN and END. */
static struct ev_list *
one(const char *lines)
{
	char buf[4096];
	struct ev_list *l;

	snprintf(buf, sizeof(buf),
	    CAL_HEAD "BEGIN:VEVENT" CRLF "UID:1@test" CRLF
	             "%sEND:VEVENT" CRLF CAL_TAIL,
	    lines);
	l = ics(buf, &opts);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_uint_eq(l->total, 1);
	ck_assert_int_eq(l->ev[0].source, EV_SRC_ICS);
	return l;
}

START_TEST(utc_start)
{
	struct ev_list *l =
	    one("SUMMARY:Launch party" CRLF "DTSTART:20251031T183000Z" CRLF
	        "DTEND:20251031T210000Z" CRLF "LOCATION:Hall 3" CRLF
	        "URL:https://example.org/launch" CRLF
	        "DESCRIPTION:Bring a friend" CRLF);
	const struct ev_event *e = &l->ev[0];

	ck_assert_str_eq(e->name, "Launch party");
	ck_assert_str_eq(e->start, "2025-10-31T18:30:00Z");
	ck_assert_str_eq(e->end, "2025-10-31T21:00:00Z");
	ck_assert_str_eq(e->start_raw, "20251031T183000Z");
	ck_assert_int_eq(e->tz_kind, EV_TZ_OFFSET);
	ck_assert_str_eq(e->timezone, "Z");
	ck_assert(!e->all_day);
	ck_assert_str_eq(e->location, "Hall 3");
	ck_assert_str_eq(e->url, "https://example.org/launch");
	ck_assert_str_eq(e->description, "Bring a friend");
	ck_assert_str_eq(e->status, "");
	ck_assert_str_eq(e->rrule, "");
	ev_list_free(l);
}
END_TEST

START_TEST(tzid_start)
{
	struct ev_list *l =
	    one("SUMMARY:Konzert" CRLF
	        "DTSTART;TZID=Europe/Berlin:20251031T193000" CRLF
	        "DTEND;TZID=America/New_York:20251031T170000" CRLF);
	const struct ev_event *e = &l->ev[0];

	ck_assert_int_eq(e->tz_kind, EV_TZ_NAMED);
	ck_assert_str_eq(e->timezone, "Europe/Berlin");
	ck_assert_str_eq(e->start, "2025-10-31T19:30:00");
	/* 17:00 in New York (UTC-4) is 22:00 in Berlin (UTC+1) */
	ck_assert_str_eq(e->end, "2025-10-31T22:00:00");
	ck_assert_str_eq(e->start_raw, "20251031T193000");
	ev_list_free(l);
}
END_TEST

/* Thunderbird's path-like TZID with its VTIMEZONE, and Outlook's
 * non-IANA name with one: an IANA name when one can be found, else the
 * offset the VTIMEZONE gives at that time. */
START_TEST(tzid_forms)
{
	static const char moz[] = CAL_HEAD
	    "BEGIN:VTIMEZONE" CRLF
	    "TZID:/mozilla.org/20050126_1/Europe/Paris" CRLF
	    "BEGIN:STANDARD" CRLF "DTSTART:19701025T030000" CRLF
	    "TZOFFSETFROM:+0200" CRLF "TZOFFSETTO:+0100" CRLF
	    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" CRLF "END:STANDARD" CRLF
	    "BEGIN:DAYLIGHT" CRLF "DTSTART:19700329T020000" CRLF
	    "TZOFFSETFROM:+0100" CRLF "TZOFFSETTO:+0200" CRLF
	    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" CRLF "END:DAYLIGHT" CRLF
	    "END:VTIMEZONE" CRLF "BEGIN:VEVENT" CRLF "UID:m" CRLF
	    "SUMMARY:Paris" CRLF
	    "DTSTART;TZID=/mozilla.org/20050126_1/Europe/Paris:"
	    "20251105T100000" CRLF "END:VEVENT" CRLF CAL_TAIL;
	static const char win[] = CAL_HEAD
	    "BEGIN:VTIMEZONE" CRLF "TZID:W. Europe Standard Time" CRLF
	    "BEGIN:STANDARD" CRLF "DTSTART:16010101T030000" CRLF
	    "TZOFFSETFROM:+0200" CRLF "TZOFFSETTO:+0100" CRLF
	    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" CRLF "END:STANDARD" CRLF
	    "BEGIN:DAYLIGHT" CRLF "DTSTART:16010101T020000" CRLF
	    "TZOFFSETFROM:+0100" CRLF "TZOFFSETTO:+0200" CRLF
	    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" CRLF "END:DAYLIGHT" CRLF
	    "END:VTIMEZONE" CRLF "BEGIN:VEVENT" CRLF "UID:w" CRLF
	    "SUMMARY:Outlook" CRLF
	    "DTSTART;TZID=W. Europe Standard Time:20250710T090000" CRLF
	    "DTEND;TZID=W. Europe Standard Time:20250710T100000" CRLF
	    "END:VEVENT" CRLF CAL_TAIL;
	static const char unknown[] =
	    CAL_HEAD "BEGIN:VEVENT" CRLF "UID:u" CRLF "SUMMARY:Nowhere" CRLF
	             "DTSTART;TZID=Mars/Olympus_Mons:20251105T100000" CRLF
	             "END:VEVENT" CRLF CAL_TAIL;
	struct ev_list *l;

	l = ics(moz, &opts);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_int_eq(l->ev[0].tz_kind, EV_TZ_NAMED);
	ck_assert_str_eq(l->ev[0].timezone, "Europe/Paris");
	ck_assert_str_eq(l->ev[0].start, "2025-11-05T10:00:00");
	ev_list_free(l);

	l = ics(win, &opts);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_int_eq(l->ev[0].tz_kind, EV_TZ_OFFSET);
	ck_assert_str_eq(l->ev[0].timezone, "+02:00");
	ck_assert_str_eq(l->ev[0].start, "2025-07-10T09:00:00+02:00");
	ck_assert_str_eq(l->ev[0].end, "2025-07-10T10:00:00+02:00");
	ev_list_free(l);

	/* a zone nobody defines: the wall time, read as floating */
	l = ics(unknown, &opts);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_int_eq(l->ev[0].tz_kind, EV_TZ_FLOATING);
	ck_assert_str_eq(l->ev[0].start, "2025-11-05T10:00:00");
	ev_list_free(l);
}
END_TEST

/* libical works a zone's offsets out by expanding its rules from their
 * first DTSTART: a wild VTIMEZONE (every minute since 1601) would take
 * hours, so it is not used and the time reads as floating; a real one
 * still converts far in the future.  Past the per-calendar zone budget,
 * IANA zones are still named. */
START_TEST(zone_limits)
{
	static const char wild[] = CAL_HEAD
	    "BEGIN:VTIMEZONE" CRLF "TZID:Wild" CRLF "BEGIN:STANDARD" CRLF
	    "DTSTART:16010101T030000" CRLF "TZOFFSETFROM:+0200" CRLF
	    "TZOFFSETTO:+0100" CRLF "RRULE:FREQ=MINUTELY" CRLF
	    "END:STANDARD" CRLF "END:VTIMEZONE" CRLF "BEGIN:VEVENT" CRLF
	    "UID:w" CRLF "SUMMARY:wild" CRLF
	    "DTSTART;TZID=Wild:99991231T100000" CRLF
	    "DTEND;TZID=Wild:99991231T110000" CRLF "END:VEVENT" CRLF
	    "BEGIN:VEVENT" CRLF "UID:f" CRLF "SUMMARY:far" CRLF
	    "DTSTART;TZID=Europe/Berlin:99991231T100000" CRLF
	    "DTEND;TZID=America/New_York:99991231T100000" CRLF
	    "END:VEVENT" CRLF CAL_TAIL;
	static const char *const zones[] = {"Europe/Berlin", "Europe/Paris",
	    "Europe/London", "Europe/Rome", "Europe/Madrid", "Europe/Vienna",
	    "Europe/Prague", "Europe/Warsaw", "Europe/Oslo", "Europe/Helsinki",
	    "America/New_York", "America/Chicago", "America/Denver",
	    "America/Los_Angeles", "Asia/Tokyo", "Asia/Kolkata",
	    "Australia/Sydney", "Africa/Cairo", "America/Sao_Paulo",
	    "Pacific/Auckland"};
	struct ev_opts page_order = {NULL, 0, "Europe/Berlin"};
	char buf[16384];
	size_t len = 0;
	struct ev_list *l;
	int64_t t0 = tu_mono_ms();

	l = ics(wild, &opts);
	ck_assert_int_lt(tu_mono_ms() - t0, 5000);
	ck_assert_uint_eq(l->n, 2);
	ck_assert_int_eq(l->ev[0].tz_kind, EV_TZ_FLOATING);
	ck_assert_str_eq(l->ev[0].start, "9999-12-31T10:00:00");
	ck_assert_str_eq(l->ev[0].end, "9999-12-31T11:00:00");
	ck_assert_int_eq(l->ev[1].tz_kind, EV_TZ_NAMED);
	ck_assert_str_eq(l->ev[1].end, "9999-12-31T16:00:00");
	ev_list_free(l);

	len += (size_t)snprintf(buf, sizeof(buf), CAL_HEAD);
	for (int i = 0; i < 20; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "BEGIN:VEVENT" CRLF "UID:%d" CRLF "SUMMARY:z%d" CRLF
		    "DTSTART;TZID=%s:20251105T1000%02d" CRLF "END:VEVENT" CRLF,
		    i, i, zones[i], i);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, CAL_TAIL);
	ck_assert_uint_lt(len, sizeof(buf) - 1);
	l = ics(buf, &page_order);
	ck_assert_uint_eq(l->n, 20);
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(l->ev[i].tz_kind, EV_TZ_NAMED);
		ck_assert_str_eq(l->ev[i].timezone, zones[i]);
	}
	ev_list_free(l);
}
END_TEST

START_TEST(all_day)
{
	struct ev_list *l =
	    one("SUMMARY:Festival" CRLF "DTSTART;VALUE=DATE:20251107" CRLF
	        "DTEND;VALUE=DATE:20251110" CRLF);
	const struct ev_event *e = &l->ev[0];

	ck_assert(e->all_day);
	ck_assert_int_eq(e->tz_kind, EV_TZ_DATE);
	ck_assert_str_eq(e->timezone, "date-only");
	ck_assert_str_eq(e->start, "2025-11-07");
	/* DTEND is exclusive: the last day is the 9th */
	ck_assert_str_eq(e->end, "2025-11-09");
	ev_list_free(l);

	/* a one-day event has no end of its own */
	l = one("SUMMARY:Day" CRLF "DTSTART;VALUE=DATE:20251107" CRLF
	        "DTEND;VALUE=DATE:20251108" CRLF);
	ck_assert_str_eq(l->ev[0].start, "2025-11-07");
	ck_assert_str_eq(l->ev[0].end, "");
	ev_list_free(l);
	l = one("SUMMARY:Day" CRLF "DTSTART;VALUE=DATE:20251107" CRLF);
	ck_assert_str_eq(l->ev[0].end, "");
	ck_assert(l->ev[0].all_day);
	ev_list_free(l);
}
END_TEST

START_TEST(floating)
{
	struct ev_list *l =
	    one("SUMMARY:Lunch" CRLF "DTSTART:20251105T123000" CRLF
	        "DTEND:20251105T133000" CRLF);
	const struct ev_event *e = &l->ev[0];

	ck_assert_int_eq(e->tz_kind, EV_TZ_FLOATING);
	ck_assert_str_eq(e->timezone, "floating");
	ck_assert_str_eq(e->start, "2025-11-05T12:30:00");
	ck_assert_str_eq(e->end, "2025-11-05T13:30:00");
	ck_assert(!e->all_day);
	ev_list_free(l);
}
END_TEST

START_TEST(duration)
{
	struct ev_list *l;

	l = one("SUMMARY:Talk" CRLF
	        "DTSTART;TZID=Europe/Berlin:20251031T233000" CRLF
	        "DURATION:PT1H45M" CRLF);
	ck_assert_str_eq(l->ev[0].start, "2025-10-31T23:30:00");
	ck_assert_str_eq(l->ev[0].end, "2025-11-01T01:15:00");
	ev_list_free(l);

	l = one("SUMMARY:Talk" CRLF "DTSTART:20251031T120000Z" CRLF
	        "DURATION:P1DT2H" CRLF);
	ck_assert_str_eq(l->ev[0].end, "2025-11-01T14:00:00Z");
	ev_list_free(l);

	l = one("SUMMARY:Camp" CRLF "DTSTART;VALUE=DATE:20251107" CRLF
	        "DURATION:P3D" CRLF);
	ck_assert_str_eq(l->ev[0].end, "2025-11-09");
	ev_list_free(l);

	/* no start: no end either, and no crash */
	l = one("SUMMARY:Whenever" CRLF "DURATION:PT1H" CRLF);
	ck_assert_int_eq(l->ev[0].tz_kind, EV_TZ_NONE);
	ck_assert_str_eq(l->ev[0].start, "");
	ck_assert_str_eq(l->ev[0].end, "");
	ev_list_free(l);
}
END_TEST

START_TEST(rrule)
{
	struct ev_list *l =
	    one("SUMMARY:Choir" CRLF
	        "DTSTART;TZID=Europe/Berlin:20251103T190000" CRLF
	        "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10" CRLF);

	ck_assert_str_eq(l->ev[0].rrule, "FREQ=WEEKLY;COUNT=10;BYDAY=MO,WE");
	ev_list_free(l);

	l = one("SUMMARY:Monthly" CRLF "DTSTART:20251103T190000Z" CRLF
	        "RRULE:FREQ=MONTHLY;UNTIL=20260601T000000Z;BYMONTHDAY=3" CRLF);
	ck_assert_str_eq(
	    l->ev[0].rrule, "FREQ=MONTHLY;UNTIL=20260601T000000Z;BYMONTHDAY=3");
	ev_list_free(l);

	/* an RRULE libical cannot read is left out, the event is kept */
	l = one("SUMMARY:Odd" CRLF "DTSTART:20251103T190000Z" CRLF
	        "RRULE:FREQ=SOMETIMES" CRLF);
	ck_assert_str_eq(l->ev[0].name, "Odd");
	ck_assert_str_eq(l->ev[0].rrule, "");
	ev_list_free(l);
}
END_TEST

START_TEST(status)
{
	struct ev_list *l;

	l = one("SUMMARY:Gone" CRLF "DTSTART:20251103T190000Z" CRLF
	        "STATUS:CANCELLED" CRLF);
	ck_assert_str_eq(l->ev[0].status, "cancelled");
	ev_list_free(l);
	l = one("SUMMARY:On" CRLF "DTSTART:20251103T190000Z" CRLF
	        "STATUS:CONFIRMED" CRLF);
	ck_assert_str_eq(l->ev[0].status, "scheduled");
	ev_list_free(l);
	l = one("SUMMARY:Maybe" CRLF "DTSTART:20251103T190000Z" CRLF
	        "STATUS:TENTATIVE" CRLF);
	ck_assert_str_eq(l->ev[0].status, "");
	ev_list_free(l);
}
END_TEST

/* Folded lines, escaped commas and semicolons, LF-only line ends. */
START_TEST(text_values)
{
	static const char text[] =
	    "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:t\n"
	    "SUMMARY:Rock\\, Paper\\; and Scis\n sors\n"
	    "LOCATION:Main St. 1\\,\n  Springfield\n"
	    "DESCRIPTION:Line one\\nLine two\n"
	    "DTSTART:20251103T190000Z\nEND:VEVENT\nEND:VCALENDAR\n";
	struct ev_list *l = ics(text, &opts);

	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->ev[0].name, "Rock, Paper; and Scissors");
	ck_assert_str_eq(l->ev[0].location, "Main St. 1, Springfield");
	/* white space is collapsed as in every other source */
	ck_assert_str_eq(l->ev[0].description, "Line one Line two");
	ev_list_free(l);
}
END_TEST

/* URL values resolve against the base URL (a feed fetched from the web);
 * script links are dropped; invalid UTF-8 becomes U+FFFD. */
START_TEST(links_and_bytes)
{
	static const char text[] =
	    CAL_HEAD "BEGIN:VEVENT" CRLF "UID:1" CRLF "SUMMARY:caf\xe9" CRLF
	             "URL:../events/7" CRLF "END:VEVENT" CRLF
	             "BEGIN:VEVENT" CRLF "UID:2" CRLF "SUMMARY:x" CRLF
	             "URL:javascript:alert(1)" CRLF "END:VEVENT" CRLF CAL_TAIL;
	struct ev_opts o = opts;
	struct ev_list *l;

	o.base_url = "https://example.org/cal/feed.ics";
	l = ics(text, &o);
	ck_assert_uint_eq(l->n, 2);
	ck_assert_str_eq(l->ev[0].name, "caf\xef\xbf\xbd");
	ck_assert_str_eq(l->ev[0].url, "https://example.org/events/7");
	ck_assert_str_eq(l->ev[1].url, "");
	ev_list_free(l);
	/* without a base the link stays as written */
	l = ics(text, &opts);
	ck_assert_str_eq(l->ev[0].url, "../events/7");
	ev_list_free(l);
}
END_TEST

/* Upcoming first by start, then the past, then the undated, each in text
 * order; with now_ms 0, or nothing upcoming, the text order stays. */
START_TEST(ordering)
{
	static const char text[] = CAL_HEAD
	    "BEGIN:VEVENT" CRLF "UID:a" CRLF "SUMMARY:past" CRLF
	    "DTSTART:20250901T100000Z" CRLF "END:VEVENT" CRLF
	    "BEGIN:VEVENT" CRLF "UID:b" CRLF "SUMMARY:undated" CRLF
	    "END:VEVENT" CRLF "BEGIN:VEVENT" CRLF "UID:c" CRLF
	    "SUMMARY:later" CRLF "DTSTART:20251201T100000Z" CRLF
	    "END:VEVENT" CRLF "BEGIN:VEVENT" CRLF "UID:d" CRLF
	    "SUMMARY:soon" CRLF
	    "DTSTART;TZID=Europe/Berlin:20251015T100000" CRLF "END:VEVENT" CRLF
	    "BEGIN:VEVENT" CRLF "UID:e" CRLF "SUMMARY:today" CRLF
	    "DTSTART;VALUE=DATE:20251001" CRLF "END:VEVENT" CRLF
	    "BEGIN:VEVENT" CRLF "UID:f" CRLF "SUMMARY:older" CRLF
	    "DTSTART:20240101T100000Z" CRLF "END:VEVENT" CRLF CAL_TAIL;
	static const char *const want[] = {
	    "today", "soon", "later", "past", "older", "undated"};
	static const char *const page[] = {
	    "past", "undated", "later", "soon", "today", "older"};
	struct ev_opts o = opts;
	struct ev_list *l;

	/* 1 Oct began in Berlin two hours before now: still upcoming */
	l = ics(text, &o);
	ck_assert_uint_eq(l->n, 6);
	ck_assert_uint_eq(l->total, 6);
	for (int i = 0; i < 6; i++)
		ck_assert_str_eq(l->ev[i].name, want[i]);
	ev_list_free(l);

	o.now_ms = 0;
	l = ics(text, &o);
	for (int i = 0; i < 6; i++)
		ck_assert_str_eq(l->ev[i].name, page[i]);
	ev_list_free(l);

	/* nothing upcoming: text order */
	o.now_ms = NOW_MS + 3650LL * 86400 * 1000;
	l = ics(text, &o);
	for (int i = 0; i < 6; i++)
		ck_assert_str_eq(l->ev[i].name, page[i]);
	ev_list_free(l);

	/* o may be NULL: text order */
	l = ics(text, NULL);
	ck_assert_str_eq(l->ev[0].name, "past");
	ev_list_free(l);
}
END_TEST

/* More VEVENTs than EV_MAX_EVENTS: total counts them all and the one
 * upcoming event at the very end is still first. */
START_TEST(many_events)
{
	size_t cap = 256 * 1024, len = 0;
	char *buf = malloc(cap);
	struct ev_list *l = NULL;

	ck_assert_ptr_nonnull(buf);
	len += (size_t)snprintf(buf + len, cap - len, CAL_HEAD);
	for (int i = 0; i < 500; i++)
		len += (size_t)snprintf(buf + len, cap - len,
		    "BEGIN:VEVENT" CRLF "UID:%d" CRLF "SUMMARY:old %d" CRLF
		    "DTSTART:2024%02d%02dT100000Z" CRLF "END:VEVENT" CRLF,
		    i, i, i % 12 + 1, i % 28 + 1);
	len += (size_t)snprintf(buf + len, cap - len,
	    "BEGIN:VEVENT" CRLF "UID:new" CRLF "SUMMARY:the next one" CRLF
	    "DTSTART:20251105T100000Z" CRLF "END:VEVENT" CRLF CAL_TAIL);
	ck_assert_uint_lt(len, cap - 1);
	ck_assert_int_eq(ev_extract_ics(buf, len, &opts, &l), 0);
	ck_assert_uint_eq(l->total, 501);
	ck_assert_uint_eq(l->n, EV_MAX_EVENTS);
	ck_assert_str_eq(l->ev[0].name, "the next one");
	ck_assert_str_eq(l->ev[1].name, "old 0");
	ev_list_free(l);
	free(buf);
}
END_TEST

/* Several VCALENDARs in one text, a BOM and blank lines before. */
START_TEST(several_calendars)
{
	static const char text[] =
	    "\xef\xbb\xbf\r\n  \r\n" CAL_HEAD "BEGIN:VEVENT" CRLF "UID:1" CRLF
	    "SUMMARY:one" CRLF "DTSTART:20251105T100000Z" CRLF
	    "END:VEVENT" CRLF CAL_TAIL CAL_HEAD "BEGIN:VEVENT" CRLF "UID:2" CRLF
	    "SUMMARY:two" CRLF "DTSTART:20251106T100000Z" CRLF
	    "END:VEVENT" CRLF CAL_TAIL;
	struct ev_list *l = ics(text, &opts);

	ck_assert_uint_eq(l->n, 2);
	ck_assert_str_eq(l->ev[0].name, "one");
	ck_assert_str_eq(l->ev[1].name, "two");
	ev_list_free(l);
}
END_TEST

START_TEST(is_ics)
{
	ck_assert(ev_is_ics("BEGIN:VCALENDAR\r\n", 17));
	ck_assert(ev_is_ics("begin:vcalendar", 15));
	ck_assert(ev_is_ics("\xef\xbb\xbf \n\tBEGIN:VCALENDAR", 22));
	ck_assert(!ev_is_ics("BEGIN:VCALENDAR", 14)); /* cut short */
	ck_assert(!ev_is_ics("BEGIN:VCARD\r\n", 13));
	ck_assert(!ev_is_ics("<html>BEGIN:VCALENDAR", 21));
	ck_assert(!ev_is_ics("", 0));
	ck_assert(!ev_is_ics(NULL, 0));
}
END_TEST

/* Each bad input: the exact error, *ret untouched. */
START_TEST(not_icalendar)
{
	static const char *const bad[] = {
	    "<!doctype html><title>x</title>",
	    "BEGIN:VCARD\r\nFN:Someone\r\nEND:VCARD\r\n",
	    "   \r\n\r\n",
	    "",
	    "\xef\xbb\xbf",
	};
	struct ev_list *sentinel = (struct ev_list *)&opts, *l;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l = sentinel;
		ck_assert_int_eq(
		    ev_extract_ics(bad[i], strlen(bad[i]), &opts, &l),
		    -EBADMSG);
		ck_assert_ptr_eq(l, sentinel);
	}
	l = sentinel;
	ck_assert_int_eq(ev_extract_ics(NULL, 0, &opts, &l), -EBADMSG);
	ck_assert_ptr_eq(l, sentinel);
}
END_TEST

/* Binary garbage, and garbage after a real header: never a crash;
 * a calendar with nothing readable in it is an empty list. */
START_TEST(garbage)
{
	char buf[4096];
	struct ev_list *sentinel = (struct ev_list *)&opts, *l;
	unsigned x = 12345;
	size_t hl = strlen("BEGIN:VCALENDAR\r\n");

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(x >> 16);
	}
	buf[0] = 'X';
	l = sentinel;
	ck_assert_int_eq(ev_extract_ics(buf, sizeof(buf), &opts, &l), -EBADMSG);
	ck_assert_ptr_eq(l, sentinel);

	memcpy(buf, "BEGIN:VCALENDAR\r\n", hl);
	l = NULL;
	ck_assert_int_eq(ev_extract_ics(buf, sizeof(buf), &opts, &l), 0);
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(l->n, 0);
	ev_list_free(l);

	/* nonsense values: the event stays, without a start */
	l = one("SUMMARY:Broken" CRLF "DTSTART:2025-13-45 25:61" CRLF
	        "DTEND:yesterday" CRLF);
	ck_assert_str_eq(l->ev[0].name, "Broken");
	ck_assert_int_eq(l->ev[0].tz_kind, EV_TZ_NONE);
	ck_assert_str_eq(l->ev[0].start, "");
	ev_list_free(l);
}
END_TEST

/* A calendar cut off in the middle, or one without its END lines, still
 * gives the events it has; so do CR-only line ends. */
START_TEST(truncated)
{
	static const char cut[] =
	    CAL_HEAD "BEGIN:VEVENT" CRLF "UID:1" CRLF "SUMMARY:first" CRLF
	             "DTSTART:20251105T100000Z" CRLF "END:VEVENT" CRLF
	             "BEGIN:VEVENT" CRLF "UID:2" CRLF "SUMMARY:cut off" CRLF
	             "DTSTART:20251106T1";
	static const char cr[] =
	    "BEGIN:VCALENDAR\rBEGIN:VEVENT\rSUMMARY:old Mac\r"
	    "DTSTART:20251105T100000Z\rEND:VEVENT\rEND:VCALENDAR\r";
	struct ev_list *l;

	l = ics(cut, &opts);
	ck_assert_uint_eq(l->n, 2);
	ck_assert_str_eq(l->ev[0].name, "first");
	ck_assert_str_eq(l->ev[1].name, "cut off");
	ck_assert_int_eq(l->ev[1].tz_kind, EV_TZ_NONE);
	ev_list_free(l);

	l = ics(cr, &opts);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->ev[0].name, "old Mac");
	ck_assert_str_eq(l->ev[0].start, "2025-11-05T10:00:00Z");
	ev_list_free(l);
}
END_TEST

START_TEST(empty)
{
	struct ev_list *l;

	l = ics("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", &opts);
	ck_assert_uint_eq(l->n, 0);
	ck_assert_uint_eq(l->total, 0);
	ev_list_free(l);
	/* not even an END */
	l = ics("BEGIN:VCALENDAR", &opts);
	ck_assert_uint_eq(l->n, 0);
	ev_list_free(l);
	/* a VTODO is not an event */
	l = ics(CAL_HEAD "BEGIN:VTODO" CRLF "SUMMARY:chore" CRLF
	                 "END:VTODO" CRLF CAL_TAIL,
	    &opts);
	ck_assert_uint_eq(l->n, 0);
	ev_list_free(l);
}
END_TEST

/* The input is counted, not NUL-terminated: bytes past len are never
 * read, and a NUL inside ends the text for libical. */
START_TEST(counted_input)
{
	static const char text[] =
	    CAL_HEAD "BEGIN:VEVENT" CRLF "UID:1" CRLF "SUMMARY:kept" CRLF
	             "END:VEVENT" CRLF CAL_TAIL;
	size_t len = strlen(text);
	char *buf = malloc(len); /* no room for a NUL: ASan sees overreads */
	struct ev_list *l = NULL;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, text, len);
	ck_assert_int_eq(ev_extract_ics(buf, len, &opts, &l), 0);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->ev[0].name, "kept");
	ev_list_free(l);
	free(buf);
}
END_TEST

/* Over EV_HTML_MAX: -EFBIG before anything is parsed; at the limit, a
 * long text value is cut to its field on a character boundary. */
START_TEST(huge)
{
	size_t len = EV_HTML_MAX + 1;
	char *buf = malloc(len);
	struct ev_list *sentinel = (struct ev_list *)&opts, *l = sentinel;
	size_t n = 0;

	ck_assert_ptr_nonnull(buf);
	n += (size_t)snprintf(buf, len,
	    CAL_HEAD "BEGIN:VEVENT" CRLF "UID:1" CRLF
	             "DTSTART:20251105T100000Z" CRLF "SUMMARY:");
	while (n + 3 < len - 64) {
		memcpy(buf + n, "\xc3\xa9", 2); /* é */
		n += 2;
	}
	n +=
	    (size_t)snprintf(buf + n, len - n, CRLF "END:VEVENT" CRLF CAL_TAIL);
	memset(buf + n, '\n', len - n);
	ck_assert_int_eq(ev_extract_ics(buf, len, &opts, &l), -EFBIG);
	ck_assert_ptr_eq(l, sentinel);

	ck_assert_int_eq(ev_extract_ics(buf, len - 1, &opts, &l), 0);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_uint_eq(strlen(l->ev[0].name), EV_TEXT_MAX - 2);
	ck_assert_str_eq(l->ev[0].name + EV_TEXT_MAX - 4, "\xc3\xa9");
	ck_assert_str_eq(l->ev[0].start, "2025-11-05T10:00:00Z");
	ev_list_free(l);
	free(buf);
}
END_TEST

static Suite *
ics_suite(void)
{
	Suite *s = suite_create("ics");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, utc_start);
	tcase_add_test(tc, tzid_start);
	tcase_add_test(tc, tzid_forms);
	tcase_add_test(tc, zone_limits);
	tcase_add_test(tc, all_day);
	tcase_add_test(tc, floating);
	tcase_add_test(tc, duration);
	tcase_add_test(tc, rrule);
	tcase_add_test(tc, status);
	tcase_add_test(tc, text_values);
	tcase_add_test(tc, links_and_bytes);
	tcase_add_test(tc, ordering);
	tcase_add_test(tc, many_events);
	tcase_add_test(tc, several_calendars);
	tcase_add_test(tc, is_ics);
	tcase_add_test(tc, not_icalendar);
	tcase_add_test(tc, garbage);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, empty);
	tcase_add_test(tc, counted_input);
	tcase_add_test(tc, huge);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(ics_suite());
}

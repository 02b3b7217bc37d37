#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "tests/testutil.h"

START_TEST(iso_round_trip)
{
	char buf[TIME_ISO_MAX];
	int64_t ms;

	ck_assert_int_eq(time_parse_iso("2026-11-21T23:45:01.123Z", &ms), 0);
	ck_assert_int_eq(ms, 1795304701123LL);
	ck_assert_int_eq(time_format_iso(ms, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2026-11-21T23:45:01.123Z");
	ck_assert_int_eq(time_parse_iso("1970-01-01", &ms), 0);
	ck_assert_int_eq(ms, 0);
	ck_assert_int_eq(time_parse_iso("2024-02-29 12:00", &ms), 0);
	ck_assert_int_eq(ms, 1709208000000LL);
	/* an offset is subtracted to get UTC */
	ck_assert_int_eq(time_parse_iso("2026-03-14T10:30:00+02:00", &ms), 0);
	ck_assert_int_eq(time_format_iso(ms, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2026-03-14T08:30:00.000Z");
	ck_assert_int_eq(time_parse_iso("2026-03-14T10:30-0500", &ms), 0);
	ck_assert_int_eq(time_format_iso(ms, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2026-03-14T15:30:00.000Z");
}
END_TEST

START_TEST(iso_rejects)
{
	static const char *const bad[] = {"", "2026", "2026-13-01",
	    "2026-02-29", "2026-11-31", "2026-11-21T24:00", "2026-11-21T10:60",
	    "2026-11-21T10:00Zjunk", "21/11/2026", "2026-11-21T10",
	    "2026-11-21T10:00+2", "2026-11-21T10:00:00.", NULL};
	int64_t ms = 42;

	for (int i = 0; bad[i] != NULL; i++) {
		ck_assert_msg(time_parse_iso(bad[i], &ms) == -EINVAL,
		    "accepted '%s'", bad[i]);
		ck_assert_int_eq(ms, 42);
	}
}
END_TEST

START_TEST(since_forms)
{
	int64_t now = 1795304701123LL, ms;

	ck_assert_int_eq(time_parse_since("10m", now, &ms), 0);
	ck_assert_int_eq(ms, now - 600000);
	ck_assert_int_eq(time_parse_since("2d", now, &ms), 0);
	ck_assert_int_eq(ms, now - 2 * 86400000LL);
	ck_assert_int_eq(time_parse_since("2026-11-21", now, &ms), 0);
	ck_assert_int_eq(ms, 1795219200000LL);
	ck_assert_int_eq(time_parse_since("yesterday", now, &ms), -EINVAL);
}
END_TEST

START_TEST(format_small_buffer)
{
	char buf[8];

	ck_assert_int_eq(time_format_iso(0, buf, sizeof(buf)), -ERANGE);
}
END_TEST

static Suite *
timeutil_suite(void)
{
	Suite *s = suite_create("timeutil");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, iso_round_trip);
	tcase_add_test(tc, iso_rejects);
	tcase_add_test(tc, since_forms);
	tcase_add_test(tc, format_small_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(timeutil_suite());
}

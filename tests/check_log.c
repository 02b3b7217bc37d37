/*
 * check_log.c — tests for common/log.c: log_level_parse() knows exactly the
 * four level names, and log_msg() prints one "draftbot[pid]: level: message"
 * line on stderr at or above the level set, nothing below it.  stderr is
 * caught by putting a temporary file in its place for the one call.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "tests/testutil.h"

static const char *const names[] = {"debug", "info", "warn", "error"};

/*
 * With the level set to min, log_msg(level, "%s", msg); what it wrote on
 * stderr goes into buf (NUL-terminated, at most len-1 bytes).
 */
static void
capture(enum log_level min, enum log_level level, const char *msg, char *buf,
    size_t len)
{
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fileno(tmp), STDERR_FILENO), 0);
	log_set_level(min);
	log_msg(level, "%s", msg);
	fflush(stderr);
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
}

START_TEST(parse_accepts_the_four_names)
{
	static const enum log_level want[] = {
	    LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR};

	for (int i = 0; i < 4; i++) {
		enum log_level l = (enum log_level) - 1;

		ck_assert_int_eq(log_level_parse(names[i], &l), 0);
		ck_assert_int_eq(l, want[i]);
	}
}
END_TEST

START_TEST(parse_rejects_others)
{
	static const char *const bad[] = {"", "DEBUG", "Info", "warning", "err",
	    "errors", "info ", " info", "trace", "0", "debug\n"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum log_level l = LOG_WARN;

		ck_assert_msg(log_level_parse(bad[i], &l) == -EINVAL,
		    "'%s' was accepted", bad[i]);
		ck_assert_int_eq(l, LOG_WARN);
	}
}
END_TEST

/* Every pair of level set and level of the message, both ways. */
START_TEST(below_level_prints_nothing)
{
	char out[256];

	for (int min = 0; min < 4; min++)
		for (int level = 0; level < min; level++) {
			capture((enum log_level)min, (enum log_level)level,
			    "quiet", out, sizeof(out));
			ck_assert_msg(out[0] == '\0', "%s at %s printed: %s",
			    names[level], names[min], out);
		}
}
END_TEST

START_TEST(at_or_above_prints_one_line)
{
	char out[256], want[128];

	for (int min = 0; min < 4; min++)
		for (int level = min; level < 4; level++) {
			capture((enum log_level)min, (enum log_level)level,
			    "queue 7: busy", out, sizeof(out));
			snprintf(want, sizeof(want),
			    "draftbot[%ld]: %s: queue 7: busy\n",
			    (long)getpid(), names[level]);
			ck_assert_str_eq(out, want);
		}
}
END_TEST

static Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_accepts_the_four_names);
	tcase_add_test(tc, parse_rejects_others);
	tcase_add_test(tc, below_level_prints_nothing);
	tcase_add_test(tc, at_or_above_prints_one_line);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(log_suite());
}

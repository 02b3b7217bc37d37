/* Telegram's sending limits, on a clock the test moves by hand. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "bot/ratelimit.h"
#include "tests/testutil.h"

static struct rl *
make(int global, int chat, int burst, int group)
{
	struct rl_opts o = {global, chat, burst, group};
	struct rl *rl = NULL;

	ck_assert_int_eq(rl_new(&o, &rl), 0);
	return rl;
}

/* Send to chat whenever allowed, from t; return when the n-th call ended.
 * Each call takes `took` ms.  *max_in receives the most calls that started
 * in any window of span ms (by start time). */
static int64_t
drive(struct rl *rl, int64_t chat, int n, int64_t t, int64_t took, int64_t span,
    int *max_in)
{
	int64_t *starts = calloc((size_t)n, sizeof(*starts));
	int best = 0;

	ck_assert_ptr_nonnull(starts);
	for (int i = 0; i < n; i++) {
		t += rl_wait(rl, chat, true, t);
		ck_assert_int_eq(rl_wait(rl, chat, true, t), 0);
		starts[i] = t;
		t += took;
		rl_note(rl, chat, true, t);
	}
	for (int i = 0, j = 0; i < n; i++) {
		while (starts[i] - starts[j] >= span)
			j++;
		if (i - j + 1 > best)
			best = i - j + 1;
	}
	free(starts);
	*max_in = best;
	return t;
}

START_TEST(bad_options)
{
	struct rl_opts o = {30, 1, 3, 0};
	struct rl *rl = NULL;

	ck_assert_int_eq(rl_new(&o, &rl), -EINVAL);
	ck_assert_int_eq(rl_new(NULL, &rl), -EINVAL);
	ck_assert_ptr_null(rl);
	rl_free(NULL);
}
END_TEST

START_TEST(private_chat_burst_then_one_per_second)
{
	struct rl *rl = make(30, 1, 3, 20);
	int64_t t = 1000000;
	int max;

	/* three at once, the fourth a second after the first ended */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(rl_wait(rl, 7, true, t), 0);
		rl_note(rl, 7, true, t);
	}
	ck_assert_int_gt(rl_wait(rl, 7, true, t), 900);
	ck_assert_int_le(rl_wait(rl, 7, true, t), 1006);
	/* another chat is not held up */
	ck_assert_int_eq(rl_wait(rl, 8, true, t), 0);
	/* calls that do not post into the chat are not either */
	ck_assert_int_eq(rl_wait(rl, 7, false, t), 0);
	rl_free(rl);

	/* a long run: never more than the burst in any second */
	rl = make(30, 1, 3, 20);
	drive(rl, 7, 40, t, 5, 1000, &max);
	ck_assert_int_le(max, 3);
	rl_free(rl);
}
END_TEST

START_TEST(group_twenty_per_minute)
{
	struct rl *rl = make(30, 1, 3, 20);
	int64_t t = 5000, end;
	int max;

	end = drive(rl, -100, 45, t, 30, 60000, &max);
	ck_assert_int_le(max, 20);
	/* 45 calls need at least two full windows after the first 20 */
	ck_assert_int_gt(end - t, 2 * 60000);
	rl_free(rl);
}
END_TEST

START_TEST(global_thirty_per_second)
{
	struct rl *rl = make(30, 1, 3, 20);
	int64_t t = 0, starts[200];
	int n = 0, best = 0;

	/* 200 chats, one call each: only the overall limit applies */
	for (int64_t chat = 1; chat <= 200; chat++) {
		t += rl_wait(rl, chat, true, t);
		starts[n++] = t;
		t += 1;
		rl_note(rl, chat, true, t);
	}
	for (int i = 0, j = 0; i < n; i++) {
		while (starts[i] - starts[j] >= 1000)
			j++;
		if (i - j + 1 > best)
			best = i - j + 1;
	}
	ck_assert_int_le(best, 30);
	ck_assert_int_eq(best, 30); /* and it does use the limit */
	rl_free(rl);
}
END_TEST

START_TEST(slow_calls_still_keep_the_window)
{
	/* A call that took long counts from its end: the next window starts
	 * there, whatever the arrival time at Telegram was. */
	struct rl *rl = make(2, 1, 3, 20);

	rl_note(rl, 1, true, 100);  /* started at 0, ended at 100 */
	rl_note(rl, 2, true, 1050); /* started at 1000, ended at 1050 */
	ck_assert_int_ge(rl_wait(rl, 3, true, 1050), 1100 - 1050);
	ck_assert_int_eq(rl_wait(rl, 3, true, 1102), 0);
	rl_free(rl);
}
END_TEST

START_TEST(pause_holds_everything)
{
	struct rl *rl = make(30, 1, 3, 20);

	rl_pause(rl, 5000);
	rl_pause(rl, 3000); /* an earlier end changes nothing */
	ck_assert_int_eq(rl_wait(rl, 1, true, 1000), 4000);
	ck_assert_int_eq(rl_wait(rl, 0, false, 1000), 4000);
	ck_assert_int_eq(rl_wait(rl, -5, true, 5000), 0);
	rl_free(rl);
}
END_TEST

START_TEST(idle_chats_are_forgotten)
{
	struct rl *rl = make(1000, 1, 3, 20);
	int64_t t = 0;

	for (int64_t chat = 1; chat <= 5000; chat++) {
		rl_note(rl, chat, true, t);
		t += 100;
		/* a minute holds ~610 active chats; idle ones are swept
		 * before the table (2048 slots) fills past 3/4 */
		ck_assert_int_le(rl_chats(rl), 1536);
	}
	/* a forgotten chat starts with a full bucket */
	ck_assert_int_eq(rl_wait(rl, 1, true, t), 0);
	rl_free(rl);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("ratelimit");

	tcase_add_test(tc, bad_options);
	tcase_add_test(tc, private_chat_burst_then_one_per_second);
	tcase_add_test(tc, group_twenty_per_minute);
	tcase_add_test(tc, global_thirty_per_second);
	tcase_add_test(tc, slow_calls_still_keep_the_window);
	tcase_add_test(tc, pause_holds_everything);
	tcase_add_test(tc, idle_chats_are_forgotten);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}

/*
 * check_fake_tg — the fake Telegram Bot API server (tests/fake_tg.c) that
 * the suites talking to Telegram share: recording, GET and form requests,
 * canned replies, repeatable fault injection and the rate-limit check.
 * The client in bot/tg.c drives it, as the other suites do.
 */
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/tg.h"
#include "tests/fake_tg.h"
#include "tests/tg_fixture.h"

#define GUARD_MS 10000 /* hang guard for waits, never a measured limit */

START_TEST(fake_records)
{
	struct fake_tg_req *reqs;
	struct tg_error err;
	size_t n;

	ck_assert_int_eq(
	    fake_tg_wait_count(fk, "sendMessage", 1, 50), -ETIMEDOUT);
	ck_assert_int_eq(
	    tgfx_call(tg, "sendMessage",
	        "{\"chat_id\":\"-100200\",\"text\":\"hi\"}", NULL, &err),
	    0);
	ck_assert_int_eq(
	    tgfx_call(tg, "sendMessage", "{\"chat_id\":7}", NULL, &err),
	    -EINVAL);
	ck_assert_int_eq(tgfx_call(tg, "getMe", NULL, NULL, &err), 0);
	ck_assert_int_eq(fake_tg_wait_count(fk, "sendMessage", 2, GUARD_MS), 0);
	ck_assert_int_eq(fake_tg_wait_ok(fk, "sendMessage", 1, GUARD_MS), 0);
	ck_assert_uint_eq(fake_tg_count(fk, "sendMessage"), 2);
	ck_assert_uint_eq(fake_tg_count_ok(fk, "sendMessage"), 1);
	ck_assert_uint_eq(fake_tg_count(fk, NULL), 3);

	ck_assert_int_eq(fake_tg_requests(fk, "sendMessage", &reqs, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(reqs[0].method, "sendMessage");
	ck_assert_str_eq(reqs[0].verb, "POST");
	ck_assert_str_eq(
	    reqs[0].body, "{\"chat_id\":\"-100200\",\"text\":\"hi\"}");
	ck_assert(reqs[0].has_chat_id);
	ck_assert_int_eq(reqs[0].chat_id, -100200);
	ck_assert(reqs[0].ok);
	ck_assert_int_eq(reqs[0].status, 200);
	ck_assert_int_eq(reqs[0].outcome, FAKE_TG_ANSWERED);
	ck_assert_int_gt(reqs[0].t_ns, 0);
	ck_assert_int_le(reqs[0].t_ns, reqs[1].t_ns);
	ck_assert_int_eq(reqs[1].chat_id, 7);
	ck_assert(!reqs[1].ok);
	ck_assert_int_eq(reqs[1].status, 400);
	fake_tg_requests_free(reqs, n);

	fake_tg_clear_requests(fk);
	ck_assert_uint_eq(fake_tg_count(fk, NULL), 0);
}
END_TEST

/* A raw HTTP call with curl; returns the status, body into buf. */
static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	char *buf = arg;
	size_t have = strlen(buf), add = size * n;

	if (have + add >= 4096)
		return 0;
	memcpy(buf + have, p, add);
	buf[have + add] = '\0';
	return add;
}

static long
raw_http(const char *url, const char *form, char *buf)
{
	CURL *c = curl_easy_init();
	long status = 0;

	ck_assert_ptr_nonnull(c);
	buf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)GUARD_MS);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, buf);
	if (form != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form); /* urlencoded */
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

START_TEST(fake_get_and_form)
{
	struct fake_tg_req *reqs;
	char url[512], buf[4096];
	size_t n;

	snprintf(url, sizeof(url), "%s/bot%s/sendMessage?chat_id=5&text=hi",
	    fake_tg_base_url(fk), TGFX_TOKEN);
	ck_assert_int_eq(raw_http(url, NULL, buf), 200);
	ck_assert_ptr_nonnull(strstr(buf, "\"text\":\"hi\""));
	snprintf(url, sizeof(url), "%s/bot%s/sendMessage", fake_tg_base_url(fk),
	    TGFX_TOKEN);
	ck_assert_int_eq(raw_http(url, "chat_id=6&text=hello+world", buf), 200);
	ck_assert_ptr_nonnull(strstr(buf, "\"text\":\"hello world\""));
	/* no method, or a path outside /bot<token>/ */
	snprintf(
	    url, sizeof(url), "%s/bot%s", fake_tg_base_url(fk), TGFX_TOKEN);
	ck_assert_int_eq(raw_http(url, NULL, buf), 404);
	ck_assert_str_eq(buf,
	    "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
	/* a canned reply answers a GET as well */
	snprintf(url, sizeof(url), "%s/bot%s/getMe", fake_tg_base_url(fk),
	    TGFX_TOKEN);
	ck_assert_int_eq(fake_tg_set_next_reply(fk, 200, "{\"ok\":true}"), 0);
	ck_assert_int_eq(raw_http(url, NULL, buf), 200);
	ck_assert_str_eq(buf, "{\"ok\":true}");

	ck_assert_int_eq(fake_tg_requests(fk, "sendMessage", &reqs, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(reqs[0].verb, "GET");
	ck_assert_int_eq(reqs[0].chat_id, 5);
	ck_assert_int_eq(reqs[1].chat_id, 6);
	ck_assert_ptr_nonnull(strstr(reqs[1].body, "hello world"));
	fake_tg_requests_free(reqs, n);
	ck_assert_int_eq(fake_tg_requests(fk, "getMe", &reqs, &n), 0);
	ck_assert_int_eq(reqs[0].outcome, FAKE_TG_CANNED);
	fake_tg_requests_free(reqs, n);
}
END_TEST

/* The outcomes of 40 getMe calls under faults, as a string. */
static void
fault_run(char *out)
{
	struct fake_tg_faults fx = {
	    .p_429 = 0.3, .p_5xx = 0.3, .retry_after = 2, .seed = 42};
	struct tg_error err;

	fake_tg_set_faults(fk, &fx);
	for (int i = 0; i < 40; i++) {
		int r = tgfx_call(tg, "getMe", NULL, NULL, &err);

		ck_assert(r == 0 || r == -EAGAIN || r == -EREMOTEIO);
		if (r == -EAGAIN)
			ck_assert_int_eq(err.retry_after, 2);
		out[i] = r == 0 ? '.' : r == -EAGAIN ? 'a' : '5';
	}
	out[40] = '\0';
}

START_TEST(fake_faults_repeatable)
{
	struct fake_tg_faults only_send = {
	    .p_429 = 1.0, .retry_after = 9, .method = "sendMessage"};
	char first[41], second[41];
	struct tg_error err;

	fault_run(first);
	fault_run(second);
	ck_assert_str_eq(first, second);
	ck_assert_ptr_nonnull(strchr(first, '.'));
	ck_assert_ptr_nonnull(strchr(first, 'a'));
	ck_assert_ptr_nonnull(strchr(first, '5'));
	ck_assert_uint_eq(fake_tg_count(fk, "getMe"), 80);

	/* faults for one method leave the others alone */
	fake_tg_set_faults(fk, &only_send);
	ck_assert_int_eq(tgfx_call(tg, "getMe", NULL, NULL, &err), 0);
	ck_assert_int_eq(tgfx_call(tg, "sendMessage",
	                     "{\"chat_id\":1,\"text\":\"x\"}", NULL, &err),
	    -EAGAIN);
	ck_assert_int_eq(err.retry_after, 9);
	/* a canned reply wins over a fault */
	ck_assert_int_eq(
	    fake_tg_set_next_reply(fk, 200, "{\"ok\":true,\"result\":true}"),
	    0);
	ck_assert_int_eq(tgfx_call(tg, "sendMessage",
	                     "{\"chat_id\":1,\"text\":\"x\"}", NULL, &err),
	    0);
	/* status 0 in a canned reply drops the connection.  libcurl re-sends
	 * a request once on a fresh connection when a reused one closes
	 * without a byte of answer, so it takes two drops to fail the call. */
	fake_tg_set_faults(fk, NULL);
	ck_assert_int_eq(fake_tg_set_next_reply(fk, 0, ""), 0);
	ck_assert_int_eq(fake_tg_set_next_reply(fk, 0, ""), 0);
	ck_assert_int_eq(tgfx_call(tg, "getMe", NULL, NULL, &err), -EIO);
}
END_TEST

static struct fake_tg_req
sent(int64_t chat, int64_t ms)
{
	struct fake_tg_req r = {.method = "sendMessage",
	    .has_chat_id = true,
	    .chat_id = chat,
	    .t_ns = ms * 1000000LL,
	    .status = 200,
	    .ok = true};

	return r;
}

START_TEST(fake_rates)
{
	struct fake_tg_req reqs[128];
	struct fake_tg_rates rt;
	struct tg_error err;
	size_t n = 0;

	/* 31 private chats within half a second: one global violation */
	for (int i = 0; i < 31; i++)
		reqs[n++] = sent(1000 + i, 10 * i);
	/* chat 7: two within a second (a burst), one later */
	reqs[n++] = sent(7, 5000);
	reqs[n++] = sent(7, 5500);
	reqs[n++] = sent(7, 7000);
	/* group -100: 21 within a minute; group -200: 21, 3 s apart */
	for (int i = 0; i < 21; i++) {
		reqs[n++] = sent(-100, 10000 + 2000 * i);
		reqs[n++] = sent(-200, 100000 + 3000 * i);
	}
	/* not counted: a failed send and another method */
	reqs[n] = sent(7, 5200);
	reqs[n].ok = false;
	n++;
	reqs[n] = sent(7, 5300);
	strcpy(reqs[n].method, "editMessageText");
	n++;
	fake_tg_rates_of(reqs, n, &rt);
	ck_assert_uint_eq(rt.sent, 31 + 3 + 42);
	ck_assert_int_eq(rt.global_max_1s, 31);
	ck_assert_uint_eq(rt.global_violations, 1);
	ck_assert_int_eq(rt.private_max_1s, 2);
	ck_assert_int_eq(rt.private_max_chat, 7);
	ck_assert_uint_eq(rt.private_bursts, 1);
	ck_assert_int_eq(rt.group_max_1min, 21);
	ck_assert_int_eq(rt.group_max_chat, -100);
	ck_assert_uint_eq(rt.group_violations, 1);

	/* and over what the live fake recorded */
	ck_assert_int_eq(tgfx_call(tg, "sendMessage",
	                     "{\"chat_id\":9,\"text\":\"a\"}", NULL, &err),
	    0);
	ck_assert_int_eq(tgfx_call(tg, "sendMessage",
	                     "{\"chat_id\":-9,\"text\":\"b\"}", NULL, &err),
	    0);
	fake_tg_rates(fk, &rt);
	ck_assert_uint_eq(rt.sent, 2);
	ck_assert_uint_eq(rt.global_violations, 0);
	ck_assert_uint_eq(rt.group_violations, 0);
	ck_assert_int_eq(rt.group_max_1min, 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fake_tg");
	TCase *tc = tcase_create("fake");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, tgfx_setup, tgfx_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fake_records);
	tcase_add_test(tc, fake_get_and_form);
	tcase_add_test(tc, fake_faults_repeatable);
	tcase_add_test(tc, fake_rates);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

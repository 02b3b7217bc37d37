/*
 * check_tg — the Bot API client (bot/tg.c) against the fake Telegram
 * server (tests/fake_tg.c).  The fake's own tests are in check_fake_tg.c.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bot/tg.h"
#include "tests/fake_tg.h"
#include "tests/tg_fixture.h"
#include "tests/testutil.h"

#define GUARD_MS 10000 /* hang guard for waits, never a measured limit */

static const char *
str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s", key);
	return json_object_get_string(v);
}

static int64_t
int_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s", key);
	return json_object_get_int64(v);
}

/* ---- successful calls ---- */

START_TEST(get_me)
{
	struct json_object *res = NULL;
	struct tg_error err;

	ck_assert_int_eq(tgfx_call(tg, "getMe", NULL, &res, &err), 0);
	ck_assert_int_eq(err.http_status, 200);
	ck_assert_str_eq(err.description, "");
	ck_assert(json_object_is_type(res, json_type_object));
	ck_assert_int_eq(int_of(res, "id"), 123456789);
	ck_assert_str_eq(str_of(res, "username"), "fake_bot");
	ck_assert_str_eq(str_of(res, "is_bot"), "true");
	json_object_put(res);
	/* err and the result pointer are optional */
	ck_assert_int_eq(tg_call(tg, "getMe", NULL, 0, NULL, NULL), 0);
}
END_TEST

START_TEST(send_message_result)
{
	struct json_object *res = NULL, *chat;
	struct tg_error err;

	ck_assert_int_eq(tgfx_call(tg, "sendMessage",
	                     "{\"chat_id\":42,\"text\":\"buy <b>milk</b>\","
	                     "\"parse_mode\":\"HTML\"}",
	                     &res, &err),
	    0);
	ck_assert_int_eq(int_of(res, "message_id"), 1);
	ck_assert_str_eq(str_of(res, "text"), "buy <b>milk</b>");
	ck_assert(json_object_object_get_ex(res, "chat", &chat));
	ck_assert_int_eq(int_of(chat, "id"), 42);
	ck_assert_str_eq(str_of(chat, "type"), "private");
	ck_assert_int_gt(int_of(res, "date"), 0);
	json_object_put(res);
	/* message ids count per chat */
	ck_assert_int_eq(tgfx_call(tg, "sendMessage",
	                     "{\"chat_id\":42,\"text\":\"two\"}", &res, &err),
	    0);
	ck_assert_int_eq(int_of(res, "message_id"), 2);
	json_object_put(res);
	ck_assert_int_eq(
	    tgfx_call(tg, "sendMessage",
	        "{\"chat_id\":-1001234567890,\"text\":\"g\"}", &res, &err),
	    0);
	ck_assert_int_eq(int_of(res, "message_id"), 1);
	json_object_put(res);
}
END_TEST

START_TEST(result_true)
{
	struct json_object *res = NULL;
	struct tg_error err;

	ck_assert_int_eq(tgfx_call(tg, "answerCallbackQuery",
	                     "{\"callback_query_id\":\"77\"}", &res, &err),
	    0);
	ck_assert(json_object_is_type(res, json_type_boolean));
	ck_assert(json_object_get_boolean(res));
	json_object_put(res);
	ck_assert_int_eq(
	    tgfx_call(tg, "sendChatAction",
	        "{\"chat_id\":42,\"action\":\"typing\"}", &res, &err),
	    0);
	ck_assert(json_object_get_boolean(res));
	json_object_put(res);
}
END_TEST

START_TEST(result_null_or_absent)
{
	struct json_object *res = (struct json_object *)&res;
	struct tg_error err;

	ck_assert_int_eq(
	    fake_tg_set_next_reply(fk, 200, "{\"ok\":true,\"result\":null}"),
	    0);
	ck_assert_int_eq(tgfx_call(tg, "deleteWebhook", NULL, &res, &err), 0);
	ck_assert_ptr_null(res);
	res = (struct json_object *)&res;
	ck_assert_int_eq(fake_tg_set_next_reply(fk, 200, "{\"ok\":true}\n"), 0);
	ck_assert_int_eq(tgfx_call(tg, "deleteWebhook", NULL, &res, &err), 0);
	ck_assert_ptr_null(res);
}
END_TEST

START_TEST(unknown_fields_ignored)
{
	struct json_object *res = NULL;
	struct tg_error err;

	ck_assert_int_eq(fake_tg_set_next_reply(fk, 200,
	                     "{\"ok\":true,\"result\":{\"message_id\":5,"
	                     "\"shiny_new_field\":{\"x\":[1,2,{}]}},"
	                     "\"server_extra\":1,\"parameters\":{}}"),
	    0);
	ck_assert_int_eq(tgfx_call(tg, "sendMessage",
	                     "{\"chat_id\":1,\"text\":\"x\"}", &res, &err),
	    0);
	ck_assert_int_eq(int_of(res, "message_id"), 5);
	json_object_put(res);
}
END_TEST

/* ---- every error class, from canned replies ---- */

static const struct {
	int status;
	const char *body;
	int want;
	int error_code;
	int retry_after;
	const char *description; /* NULL: not checked */
} canned[] = {
    {429,
        "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many "
        "Requests: retry after 7\",\"parameters\":{\"retry_after\":7}}",
        -EAGAIN, 429, 7, "Too Many Requests: retry after 7"},
    /* no parameters: the number in the text is used */
    {429,
        "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many "
        "Requests: retry after 3\"}",
        -EAGAIN, 429, 3, NULL},
    {500,
        "{\"ok\":false,\"error_code\":500,\"description\":\"Internal "
        "Server Error\"}",
        -EREMOTEIO, 500, 0, "Internal Server Error"},
    /* a proxy's HTML page is still a retryable 5xx */
    {502, "<html><body>502 Bad Gateway</body></html>", -EREMOTEIO, 0, 0, NULL},
    {403,
        "{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: "
        "bot was blocked by the user\"}",
        -EPERM, 403, 0, "Forbidden: bot was blocked by the user"},
    {400,
        "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: "
        "chat not found\"}",
        -EINVAL, 400, 0, "Bad Request: chat not found"},
    {400,
        "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: "
        "message is not modified: specified new message content and "
        "reply markup are exactly the same\"}",
        0, 400, 0, NULL},
    {409,
        "{\"ok\":false,\"error_code\":409,\"description\":\"Conflict: "
        "terminated by other getUpdates request\"}",
        -EEXIST, 409, 0, NULL},
    {404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}",
        -ENOENT, 404, 0, "Not Found"},
    {401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}",
        -ENOENT, 401, 0, "Unauthorized"},
    /* no error_code: the HTTP status stands in */
    {400, "{\"ok\":false,\"description\":\"Bad Request: odd\"}", -EINVAL, 400,
        0, "Bad Request: odd"},
    {200, "<html>maintenance</html>", -EBADMSG, 0, 0, NULL},
    {200, "{\"result\":true}", -EBADMSG, 0, 0, NULL},
    {200, "{\"ok\":\"yes\",\"result\":true}", -EBADMSG, 0, 0, NULL},
    {200, "[true]", -EBADMSG, 0, 0, NULL},
    {200, "{\"ok\":true,\"result\":{\"message_id\":", -EBADMSG, 0, 0, NULL},
    {200, "{\"ok\":true} trailing", -EBADMSG, 0, 0, NULL},
    {200, "", -EBADMSG, 0, 0, NULL},
};

START_TEST(canned_errors)
{
	struct json_object *res;
	struct tg_error err;

	for (size_t i = 0; i < sizeof(canned) / sizeof(canned[0]); i++) {
		int r;

		res = (struct json_object *)&res;
		ck_assert_int_eq(fake_tg_set_next_reply(
		                     fk, canned[i].status, canned[i].body),
		    0);
		r = tgfx_call(tg, "sendMessage",
		    "{\"chat_id\":1,\"text\":\"x\"}", &res, &err);
		ck_assert_msg(r == canned[i].want, "case %zu: %d, not %d", i, r,
		    canned[i].want);
		ck_assert_ptr_null(res);
		ck_assert_int_eq(err.http_status, canned[i].status);
		ck_assert_int_eq(err.error_code, canned[i].error_code);
		ck_assert_int_eq(err.retry_after, canned[i].retry_after);
		if (canned[i].description != NULL)
			ck_assert_str_eq(
			    err.description, canned[i].description);
		if (r != 0)
			ck_assert_str_ne(err.description, "");
	}
	/* the handle is still good after every one of them */
	ck_assert_int_eq(tgfx_call(tg, "getMe", NULL, NULL, &err), 0);
}
END_TEST

START_TEST(not_modified_is_ok)
{
	static const char markup[] = "{\"inline_keyboard\":[[{\"text\":\"OK\","
	                             "\"callback_data\":\"c:1\"}]]}";
	struct json_object *res = NULL;
	struct tg_error err;
	char params[512], *text, *mk;

	snprintf(params, sizeof(params),
	    "{\"chat_id\":42,\"text\":\"card\",\"reply_markup\":%s}", markup);
	ck_assert_int_eq(tgfx_call(tg, "sendMessage", params, &res, &err), 0);
	ck_assert_int_eq(int_of(res, "message_id"), 1);
	json_object_put(res);

	/* the same text and markup: Telegram's 400, our success */
	snprintf(params, sizeof(params),
	    "{\"chat_id\":42,\"message_id\":1,\"text\":\"card\","
	    "\"reply_markup\":%s}",
	    markup);
	res = (struct json_object *)&res;
	ck_assert_int_eq(
	    tgfx_call(tg, "editMessageText", params, &res, &err), 0);
	ck_assert_ptr_null(res);
	ck_assert_int_eq(err.error_code, 400);
	ck_assert_ptr_nonnull(strstr(err.description, "not modified"));
	snprintf(params, sizeof(params),
	    "{\"chat_id\":42,\"message_id\":1,\"reply_markup\":%s}", markup);
	ck_assert_int_eq(
	    tgfx_call(tg, "editMessageReplyMarkup", params, &res, &err), 0);
	ck_assert_ptr_null(res);

	/* a real change gives the edited Message */
	ck_assert_int_eq(tgfx_call(tg, "editMessageText",
	                     "{\"chat_id\":42,\"message_id\":1,"
	                     "\"text\":\"card v2\"}",
	                     &res, &err),
	    0);
	ck_assert_str_eq(str_of(res, "text"), "card v2");
	ck_assert_int_gt(int_of(res, "edit_date"), 0);
	json_object_put(res);
	ck_assert_int_eq(fake_tg_message(fk, 42, 1, &text, &mk), 0);
	ck_assert_str_eq(text, "card v2");
	ck_assert_ptr_null(mk); /* editMessageText without markup drops it */
	free(text);

	/* editing a message that does not exist is a permanent error */
	ck_assert_int_eq(tgfx_call(tg, "editMessageText",
	                     "{\"chat_id\":42,\"message_id\":99,"
	                     "\"text\":\"x\"}",
	                     &res, &err),
	    -EINVAL);
	ck_assert_str_eq(
	    err.description, "Bad Request: message to edit not found");
}
END_TEST

START_TEST(bad_request_from_fake)
{
	struct tg_error err;

	ck_assert_int_eq(
	    tgfx_call(tg, "sendMessage", "{\"chat_id\":42}", NULL, &err),
	    -EINVAL);
	ck_assert_int_eq(err.http_status, 400);
	ck_assert_str_eq(err.description, "Bad Request: message text is empty");
	ck_assert(!tg_retryable(-EINVAL));
	/* a body that is not a JSON object */
	ck_assert_int_eq(tgfx_call(tg, "getMe", "[1]", NULL, &err), -EINVAL);
	ck_assert_int_eq(err.http_status, 400);
}
END_TEST

START_TEST(conflict_while_webhook)
{
	struct json_object *res = NULL;
	struct tg_error err;

	ck_assert_int_eq(
	    tgfx_call(tg, "setWebhook",
	        "{\"url\":\"https://bot.example.org/telegram\"}", NULL, &err),
	    0);
	ck_assert_int_eq(
	    tgfx_call(tg, "getUpdates", NULL, NULL, &err), -EEXIST);
	ck_assert_int_eq(err.error_code, 409);
	ck_assert_ptr_nonnull(strstr(err.description, "webhook is active"));
	ck_assert_int_eq(tgfx_call(tg, "getWebhookInfo", NULL, &res, &err), 0);
	ck_assert_str_eq(
	    str_of(res, "url"), "https://bot.example.org/telegram");
	json_object_put(res);
	ck_assert_int_eq(tgfx_call(tg, "deleteWebhook", NULL, NULL, &err), 0);
	ck_assert_int_eq(tgfx_call(tg, "getUpdates", NULL, &res, &err), 0);
	ck_assert(json_object_is_type(res, json_type_array));
	json_object_put(res);
}
END_TEST

START_TEST(wrong_token_and_method)
{
	struct tg *bad = tgfx_client(fake_tg_base_url(fk),
	    "987654321:WrongSecretTokenValue_0123456789", 0, 0);
	struct tg_error err;
	int r;

	r = tg_call(bad, "getMe", NULL, 0, NULL, &err);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_int_eq(err.http_status, 404);
	ck_assert_str_eq(err.description, "Not Found");
	ck_assert(strstr(err.description, "WrongSecret") == NULL);
	tg_close(bad);
	ck_assert_int_eq(
	    tgfx_call(tg, "sendCarrierPigeon", NULL, NULL, &err), -ENOENT);
	/* not even sent: a method name that is not one */
	ck_assert_int_eq(tgfx_call(tg, "get/../Me", NULL, NULL, &err), -EINVAL);
	ck_assert_int_eq(tgfx_call(tg, "", NULL, NULL, &err), -EINVAL);
	ck_assert_int_eq(fake_tg_count(fk, NULL), 2);
}
END_TEST

START_TEST(token_redacted)
{
	struct tg_error err;

	ck_assert_int_eq(fake_tg_set_next_reply(fk, 400,
	                     "{\"ok\":false,\"error_code\":400,"
	                     "\"description\":\"Bad Request: token " TGFX_TOKEN
	                     " is odd, and " TGFX_SECRET " too\"}"),
	    0);
	ck_assert_int_eq(tgfx_call(tg, "getMe", NULL, NULL, &err), -EINVAL);
	ck_assert_str_eq(err.description,
	    "Bad Request: token <token> is odd, and <token> too");
}
END_TEST

START_TEST(reply_too_large)
{
	struct tg *small =
	    tgfx_client(fake_tg_base_url(fk), TGFX_TOKEN, 0, 1024);
	struct json_object *res = (struct json_object *)&res;
	struct tg_error err;
	size_t n = 64 * 1024;
	char *big = malloc(n + 64);

	ck_assert_ptr_nonnull(big);
	strcpy(big, "{\"ok\":true,\"result\":\"");
	memset(big + strlen(big), 'x', n);
	strcpy(big + strlen("{\"ok\":true,\"result\":\"") + n, "\"}");
	ck_assert_int_eq(fake_tg_set_next_reply(fk, 200, big), 0);
	free(big);
	ck_assert_int_eq(
	    tg_call(small, "getMe", NULL, 0, &res, &err), -EMSGSIZE);
	tgfx_no_token(&err);
	ck_assert_ptr_null(res);
	ck_assert_ptr_nonnull(strstr(err.description, "1024"));
	ck_assert(!tg_retryable(-EMSGSIZE));
	/* a reply under the cap on the same handle is fine */
	ck_assert_int_eq(tg_call(small, "getMe", NULL, 0, NULL, &err), 0);
	tg_close(small);
}
END_TEST

/* ---- the network ---- */

START_TEST(dropped_connection)
{
	struct fake_tg_faults fx = {.p_drop = 1.0, .seed = 1};
	struct fake_tg_req *reqs;
	struct tg_error err;
	size_t n;
	int r;

	fake_tg_set_faults(fk, &fx);
	r = tgfx_call(tg, "getMe", NULL, NULL, &err);
	ck_assert_int_eq(r, -EIO);
	ck_assert(tg_retryable(r));
	ck_assert_int_eq(err.http_status, 0);
	ck_assert_ptr_nonnull(strstr(err.description, "network"));
	ck_assert_int_eq(fake_tg_requests(fk, "getMe", &reqs, &n), 0);
	ck_assert_uint_ge(n, 1);
	ck_assert_int_eq(reqs[0].outcome, FAKE_TG_DROPPED);
	ck_assert_int_eq(reqs[0].status, 0);
	fake_tg_requests_free(reqs, n);
	/* the client reconnects once the server behaves */
	fake_tg_set_faults(fk, NULL);
	ck_assert_int_eq(tgfx_call(tg, "getMe", NULL, NULL, &err), 0);
}
END_TEST

START_TEST(slow_answer_times_out)
{
	struct tg *quick =
	    tgfx_client(fake_tg_base_url(fk), TGFX_TOKEN, 300, 0);
	struct fake_tg_faults fx = {.delay_ms = 2000};
	struct tg_error err;
	int r;

	fake_tg_set_faults(fk, &fx);
	r = tg_call(quick, "getMe", NULL, 0, NULL, &err);
	tgfx_no_token(&err);
	ck_assert_int_eq(r, -ETIMEDOUT);
	ck_assert(tg_retryable(r));
	ck_assert_int_eq(err.http_status, 0);
	tg_close(quick);
}
END_TEST

START_TEST(long_poll_extends_timeout)
{
	struct tg *quick =
	    tgfx_client(fake_tg_base_url(fk), TGFX_TOKEN, 1000, 0);
	struct json_object *res = NULL;
	struct tg_error err;

	/* the fake holds the poll 2 s, beyond the 1 s call time-out that
	 * long_poll_s extends */
	ck_assert_int_eq(
	    tg_call(quick, "getUpdates", "{\"timeout\":2}", 2, &res, &err), 0);
	ck_assert_int_eq(json_object_array_length(res), 0);
	json_object_put(res);
	tg_close(quick);
}
END_TEST

START_TEST(connection_refused)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	struct tg *t;
	struct tg_error err;
	char base[64];
	int fd, r;

	/* a port that was just free and nobody listens on */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u",
	    (unsigned)ntohs(sa.sin_port));
	t = tgfx_client(base, TGFX_TOKEN, 0, 0);
	r = tg_call(t, "getMe", NULL, 0, NULL, &err);
	tgfx_no_token(&err);
	ck_assert_int_eq(r, -ECONNREFUSED);
	ck_assert(tg_retryable(r));
	ck_assert_int_eq(err.http_status, 0);
	tg_close(t);
}
END_TEST

START_TEST(keep_alive)
{
	struct fake_tg_req *reqs;
	struct tg_error err;
	size_t n;

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(tgfx_call(tg, "getMe", NULL, NULL, &err), 0);
	ck_assert_int_eq(fake_tg_requests(fk, NULL, &reqs, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_ne(reqs[0].conn, 0);
	ck_assert_uint_eq(reqs[1].conn, reqs[0].conn);
	ck_assert_uint_eq(reqs[2].conn, reqs[0].conn);
	fake_tg_requests_free(reqs, n);
}
END_TEST

/* ---- getUpdates ---- */

START_TEST(updates_and_offset)
{
	struct json_object *res = NULL, *u;
	struct tg_error err;
	int64_t id;

	id = fake_tg_push_update(fk, "{\"message\":{\"text\":\"a\"}}");
	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(fake_tg_push_update(fk, "{\"message\":{}}"), id + 1);
	ck_assert_int_eq(fake_tg_push_update(fk, "{\"update_id\":5000}"), 5000);
	ck_assert_int_eq(fake_tg_push_update(fk, "[1]"), -EINVAL);
	ck_assert_int_eq(
	    tgfx_call(tg, "getUpdates", "{\"limit\":2}", &res, &err), 0);
	ck_assert_int_eq(json_object_array_length(res), 2);
	u = json_object_array_get_idx(res, 0);
	ck_assert_int_eq(int_of(u, "update_id"), id);
	json_object_put(res);
	/* an offset confirms everything below it */
	ck_assert_int_eq(
	    tgfx_call(tg, "getUpdates", "{\"offset\":5000}", &res, &err), 0);
	ck_assert_int_eq(json_object_array_length(res), 1);
	json_object_put(res);
	ck_assert_uint_eq(fake_tg_pending_updates(fk), 1);
	ck_assert_int_eq(
	    tgfx_call(tg, "getUpdates", "{\"offset\":5001}", &res, &err), 0);
	ck_assert_int_eq(json_object_array_length(res), 0);
	json_object_put(res);
	ck_assert_uint_eq(fake_tg_pending_updates(fk), 0);
}
END_TEST

static void *
push_later(void *arg)
{
	usleep(200 * 1000);
	fake_tg_push_update(arg, "{\"message\":{\"text\":\"late\"}}");
	return NULL;
}

START_TEST(long_poll_wakes_on_push)
{
	struct json_object *res = NULL;
	struct tg_error err;
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, push_later, fk), 0);
	ck_assert_int_eq(
	    tg_call(tg, "getUpdates", "{\"timeout\":20}", 20, &res, &err), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(json_object_array_length(res), 1);
	json_object_put(res);
}
END_TEST

/* ---- multipart ---- */

static const char pem[] = "-----BEGIN CERTIFICATE-----\n"
                          "MIIBszCCAVmgAwIBAgIUQ2FmZWJhYmUwCgYIKoZIzj0EAwIw\n"
                          "-----END CERTIFICATE-----\n";

START_TEST(multipart_set_webhook)
{
	struct json_object *res = NULL, *body, *cert;
	struct fake_tg_req *reqs;
	struct tg_error err;
	char dir[256], path[320];
	size_t n;
	FILE *fp;
	int r;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "cert.pem");
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(pem, fp);
	fclose(fp);

	r = tg_call_multipart(tg, "setWebhook",
	    "{\"url\":\"https://bot.example.org/telegram\","
	    "\"secret_token\":\"s3cret\","
	    "\"allowed_updates\":[\"message\",\"callback_query\"],"
	    "\"max_connections\":10,\"drop_pending_updates\":true}",
	    "certificate", path, &res, &err);
	tgfx_no_token(&err);
	ck_assert_int_eq(r, 0);
	ck_assert(json_object_get_boolean(res));
	json_object_put(res);

	ck_assert_int_eq(fake_tg_requests(fk, "setWebhook", &reqs, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert(reqs[0].multipart);
	body = json_tokener_parse(reqs[0].body);
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(
	    str_of(body, "url"), "https://bot.example.org/telegram");
	ck_assert_str_eq(str_of(body, "secret_token"), "s3cret");
	ck_assert_str_eq(str_of(body, "allowed_updates"),
	    "[\"message\",\"callback_query\"]");
	ck_assert_str_eq(str_of(body, "max_connections"), "10");
	ck_assert_str_eq(str_of(body, "drop_pending_updates"), "true");
	ck_assert(json_object_object_get_ex(body, "certificate", &cert));
	ck_assert_str_eq(str_of(cert, "filename"), "cert.pem");
	ck_assert_str_eq(str_of(cert, "data"), pem);
	json_object_put(body);
	fake_tg_requests_free(reqs, n);

	ck_assert_int_eq(tgfx_call(tg, "getWebhookInfo", NULL, &res, &err), 0);
	ck_assert_str_eq(str_of(res, "has_custom_certificate"), "true");
	json_object_put(res);

	/* the next JSON call on the same handle is JSON again */
	ck_assert_int_eq(tgfx_call(tg, "deleteWebhook",
	                     "{\"drop_pending_updates\":false}", NULL, &err),
	    0);
	ck_assert_int_eq(fake_tg_requests(fk, "deleteWebhook", &reqs, &n), 0);
	ck_assert(!reqs[0].multipart);
	ck_assert_str_eq(reqs[0].body, "{\"drop_pending_updates\":false}");
	fake_tg_requests_free(reqs, n);

	/* nothing is sent when the file or the params are bad */
	unlink(path);
	n = fake_tg_count(fk, NULL);
	ck_assert_int_eq(tg_call_multipart(tg, "setWebhook", "{}",
	                     "certificate", path, NULL, &err),
	    -ENOENT);
	ck_assert_int_eq(err.http_status, 0);
	ck_assert_int_eq(tg_call_multipart(tg, "setWebhook", "[1]",
	                     "certificate", path, NULL, &err),
	    -EINVAL);
	ck_assert_int_eq(
	    tg_call_multipart(tg, "setWebhook", "{}", "", path, NULL, &err),
	    -EINVAL);
	ck_assert_uint_eq(fake_tg_count(fk, NULL), n);
	rmdir(dir);
}
END_TEST

/* ---- the client's own rules ---- */

START_TEST(open_rejects)
{
	static const char *const tokens[] = {
	    "", "12:ab cd", "12:ab/cd", "12:ab?x", "12:äb", NULL};
	static const char *const bases[] = {"", "ftp://x.org", "api.org",
	    "http://", "https:///", "http://a b", "http://x.org/?q", NULL};
	struct tg_opts o = {
	    .api_base = "https://api.telegram.org", .token = TGFX_TOKEN};
	char longtok[TG_TOKEN_MAX + 1];
	struct tg *t = (struct tg *)&t;

	for (int i = 0; tokens[i] != NULL; i++) {
		o.token = tokens[i];
		ck_assert_msg(
		    tg_open(&o, &t) == -EINVAL, "token %s", tokens[i]);
	}
	memset(longtok, 'a', TG_TOKEN_MAX);
	longtok[TG_TOKEN_MAX] = '\0';
	o.token = longtok;
	ck_assert_int_eq(tg_open(&o, &t), -EINVAL);
	o.token = NULL;
	ck_assert_int_eq(tg_open(&o, &t), -EINVAL);
	o.token = TGFX_TOKEN;
	for (int i = 0; bases[i] != NULL; i++) {
		o.api_base = bases[i];
		ck_assert_msg(tg_open(&o, &t) == -EINVAL, "base %s", bases[i]);
	}
	o.api_base = "https://api.telegram.org";
	o.timeout_ms = -1;
	ck_assert_int_eq(tg_open(&o, &t), -EINVAL);
	o.timeout_ms = 0;
	ck_assert_int_eq(tg_open(NULL, &t), -EINVAL);
	ck_assert_ptr_eq(t, (struct tg *)&t); /* untouched */
	/* a trailing slash is forgiven */
	o.api_base = "https://api.telegram.org/";
	ck_assert_int_eq(tg_open(&o, &t), 0);
	tg_close(t);
	tg_close(NULL);
}
END_TEST

START_TEST(retryable_table)
{
	static const struct {
		int r;
		bool retry;
	} table[] = {
	    {0, false},
	    {-EAGAIN, true},
	    {-EREMOTEIO, true},
	    {-ETIMEDOUT, true},
	    {-ECONNREFUSED, true},
	    {-EHOSTUNREACH, true},
	    {-EIO, true},
	    {-EPERM, false},
	    {-ENOENT, false},
	    {-EEXIST, false},
	    {-EINVAL, false},
	    {-EBADMSG, false},
	    {-EMSGSIZE, false},
	    {-ENOMEM, false},
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		ck_assert_msg(tg_retryable(table[i].r) == table[i].retry, "%d",
		    table[i].r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tg");
	TCase *calls = tcase_create("calls");
	TCase *net = tcase_create("network");
	TCase *rules = tcase_create("rules");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(calls, tgfx_setup, tgfx_teardown);
	tcase_add_test(calls, get_me);
	tcase_add_test(calls, send_message_result);
	tcase_add_test(calls, result_true);
	tcase_add_test(calls, result_null_or_absent);
	tcase_add_test(calls, unknown_fields_ignored);
	tcase_add_test(calls, canned_errors);
	tcase_add_test(calls, not_modified_is_ok);
	tcase_add_test(calls, bad_request_from_fake);
	tcase_add_test(calls, conflict_while_webhook);
	tcase_add_test(calls, wrong_token_and_method);
	tcase_add_test(calls, token_redacted);
	tcase_add_test(calls, reply_too_large);
	tcase_add_test(calls, updates_and_offset);
	tcase_add_test(calls, multipart_set_webhook);
	suite_add_tcase(s, calls);

	tcase_add_checked_fixture(net, tgfx_setup, tgfx_teardown);
	tcase_set_timeout(net, 60);
	tcase_add_test(net, dropped_connection);
	tcase_add_test(net, slow_answer_times_out);
	tcase_add_test(net, long_poll_extends_timeout);
	tcase_add_test(net, long_poll_wakes_on_push);
	tcase_add_test(net, connection_refused);
	tcase_add_test(net, keep_alive);
	suite_add_tcase(s, net);

	tcase_add_test(rules, open_rejects);
	tcase_add_test(rules, retryable_table);
	suite_add_tcase(s, rules);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

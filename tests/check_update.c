/*
 * check_update — Telegram Update parsing (bot/update.c) against the real
 * samples in $DRAFTBOT_CORPORA/telegram/updates, hand-written edge cases,
 * bad input, and the queue command each update becomes.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/update.h"

#define CORPUS_FILES 59

/* What one update must parse to.  Unset strings mean "", text NULL. */
struct want {
	const char *file; /* under telegram/updates, or NULL: json is inline */
	const char *json;
	enum upd_kind kind;
	const char *kind_name;
	int64_t update_id, chat_id;
	const char *chat_type;
	int64_t user_id;
	const char *first_name, *username;
	int64_t message_id, reply_to, date;
	const char *text;
	const char *command, *command_bot;
	bool has_url, has_photo, has_voice, has_document;
	const char *callback_id, *callback_data, *member_status;
	const char *type; /* the command type upd_to_command() gives */
};

static const struct want corpus[] = {
    {/* a plain private text message */
        .file = "aiogram2_message__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 900000001,
        .chat_id = 12345678,
        .chat_type = "private",
        .user_id = 12345678,
        .first_name = "FirstName",
        .username = "username",
        .message_id = 11223,
        .date = 1508709711,
        .text = "Hi, world!",
        .type = "message"},
    {/* Telegram's 2015 example: no chat type, no is_bot, no entities */
        .file = "tgdocs_01_message_text_start_notype.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 10000,
        .chat_id = 1111111,
        .user_id = 1111111,
        .first_name = "Test",
        .username = "Test",
        .message_id = 1365,
        .date = 1441645532,
        .text = "/start",
        .command = "/start",
        .type = "message"},
    {.file = "tgdocs_02_message_text.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 10000,
        .chat_id = 1111111,
        .chat_type = "private",
        .user_id = 1111111,
        .first_name = "Test Firstname",
        .username = "Testusername",
        .message_id = 1365,
        .date = 1441645532,
        .text = "/start",
        .command = "/start",
        .type = "message"},
    {/* a bot_command entity, in a supergroup, replying */
        .file = "teloxide_issue_1107_2__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 439432600,
        .chat_id = -1001293752024,
        .chat_type = "supergroup",
        .user_id = 5964236329,
        .first_name = "the Cable Guy",
        .username = "spacewhaleblues",
        .message_id = 134546,
        .reply_to = 134545,
        .date = 1721592580,
        .text = "/report",
        .command = "/report",
        .type = "message"},
    {/* a url entity */
        .file = "emulator_tta_message_with_url__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 1,
        .chat_id = 1,
        .chat_type = "private",
        .user_id = 1,
        .first_name = "TestName",
        .username = "testUserName",
        .message_id = 1,
        .date = 1700000000,
        .text = "https://www.songkick.com/concerts/25248299",
        .has_url = true,
        .type = "message"},
    {/* text_link entities; its mention entity runs past the text */
        .file = "aiogram2_forwarded_message__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 900000014,
        .chat_id = 12345678,
        .chat_type = "private",
        .user_id = 12345678,
        .first_name = "FirstName",
        .username = "username",
        .message_id = 12345,
        .date = 1522828529,
        .text = "Forwarded text with entities from public channel ",
        .has_url = true,
        .type = "message"},
    {/* a photo with a caption */
        .file = "aiogram2_message_with_photo__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 900000002,
        .chat_id = 12345678,
        .chat_type = "private",
        .user_id = 12345678,
        .first_name = "FirstName",
        .username = "username",
        .message_id = 12345,
        .date = 1508825154,
        .text = "photo description",
        .has_photo = true,
        .type = "message"},
    {/* a url in caption_entities */
        .file = "teloxide_wrapped_parse_caption_entities__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 910000008,
        .chat_id = 27433968,
        .chat_type = "private",
        .user_id = 27433968,
        .first_name = "Crax | rats addict",
        .username = "tacocrasco",
        .message_id = 3460,
        .date = 1655671349,
        .text = "www.example.com",
        .has_url = true,
        .has_photo = true,
        .type = "message"},
    {.file = "aiogram2_message_with_voice__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 900000003,
        .chat_id = 12345678,
        .chat_type = "private",
        .user_id = 12345678,
        .first_name = "FirstName",
        .username = "username",
        .message_id = 12345,
        .date = 1508768403,
        .has_voice = true,
        .type = "message"},
    {.file = "tgdocs_09_voice_message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 10000,
        .chat_id = 1111111,
        .chat_type = "private",
        .user_id = 1111111,
        .first_name = "Test Firstname",
        .username = "Testusername",
        .message_id = 1365,
        .date = 1441645532,
        .has_voice = true,
        .type = "message"},
    {.file = "aiogram2_message_with_document__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 900000005,
        .chat_id = 12345678,
        .chat_type = "private",
        .user_id = 12345678,
        .first_name = "FirstName",
        .username = "username",
        .message_id = 12345,
        .date = 1508768012,
        .text = "Read my document",
        .has_document = true,
        .type = "message"},
    {.file = "aiogram2_edited_message__edited_message.json",
        .kind = UPD_EDITED_MESSAGE,
        .kind_name = "edited_message",
        .update_id = 900000013,
        .chat_id = 12345678,
        .chat_type = "private",
        .user_id = 12345678,
        .first_name = "FirstName",
        .username = "username",
        .message_id = 12345,
        .date = 1508825372,
        .text = "hi there (edited)",
        .type = "message"},
    {.file = "tgdocs_06_edited_message.json",
        .kind = UPD_EDITED_MESSAGE,
        .kind_name = "edited_message",
        .update_id = 10000,
        .chat_id = 1111111,
        .chat_type = "private",
        .user_id = 1111111,
        .first_name = "Test Firstname",
        .username = "Testusername",
        .message_id = 1365,
        .date = 1441645532,
        .text = "Edited text",
        .type = "message"},
    {.file = "aiogram2_reply_message__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 900000015,
        .chat_id = 12345678,
        .chat_type = "private",
        .user_id = 12345678,
        .first_name = "FirstName",
        .username = "username",
        .message_id = 12345,
        .reply_to = 11223,
        .date = 1508751866,
        .text = "Reply to quoted message",
        .type = "message"},
    {/* in a forum topic the "reply" to the topic's creation is none */
        .file = "teloxide_wrapped_topic_message__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 910000009,
        .chat_id = -1001847508954,
        .chat_type = "supergroup",
        .user_id = 1253681278,
        .first_name = "вафель'",
        .username = "wafflelapkin",
        .message_id = 5,
        .date = 1675229140,
        .text = "blah",
        .type = "message"},
    {/* non-ASCII names and a non-BMP character in the text */
        .file = "teloxide_wrapped_de_text__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 910000002,
        .chat_id = 250918540,
        .chat_type = "private",
        .user_id = 250918540,
        .first_name = "Андрей",
        .username = "aka_dude",
        .message_id = 199785,
        .date = 1568289890,
        .text = "Лол кек 😂",
        .type = "message"},
    {/* an anonymous group admin: from is GroupAnonymousBot */
        .file = "teloxide_wrapped_issue_419__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 910000005,
        .chat_id = -1001160242915,
        .chat_type = "supergroup",
        .user_id = 1087968824,
        .first_name = "Group",
        .username = "GroupAnonymousBot",
        .message_id = 1,
        .date = 1640359576,
        .text = "text",
        .type = "message"},
    {/* no from at all, every id 0 */
        .file = "teloxide_wrapped_issue_481__message.json",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 910000006,
        .chat_type = "private",
        .type = "message"},
    {/* a callback query with data and its message */
        .file = "emulator_tta_callback_query__callback_query.json",
        .kind = UPD_CALLBACK,
        .kind_name = "callback_query",
        .update_id = 3,
        .chat_id = 1,
        .chat_type = "private",
        .user_id = 1,
        .first_name = "TestName",
        .username = "testUserName",
        .message_id = 2,
        .callback_id = "1",
        .callback_data = "add:42",
        .type = "callback"},
    {/* a callback under an inline-mode message: no chat */
        .file = "tgdocs_13_callback_query_inline_message.json",
        .kind = UPD_CALLBACK,
        .kind_name = "callback_query",
        .update_id = 10000,
        .user_id = 1111111,
        .first_name = "Test Firstname",
        .username = "Testusername",
        .callback_id = "4382bfdwdsb323b2d9",
        .callback_data = "Data from button callback",
        .type = "callback"},
    {.file = "teloxide_wrapped_callback_query_deserialize__callback_"
             "query.json",
        .kind = UPD_CALLBACK,
        .kind_name = "callback_query",
        .update_id = 910000012,
        .user_id = 12345,
        .first_name = "firstName",
        .callback_id = "id",
        .callback_data = "some_data",
        .type = "callback"},
    {/* a channel post: from is null */
        .file = "aiogram2_message_from_channel__channel_post.json",
        .kind = UPD_CHANNEL_POST,
        .kind_name = "channel_post",
        .update_id = 900000016,
        .chat_id = -1001065170817,
        .chat_type = "channel",
        .message_id = 123432,
        .date = 1508768405,
        .text = "Hi, world!",
        .type = "message"},
    {.file = "teloxide_wrapped_giveaway__channel_post.json",
        .kind = UPD_CHANNEL_POST,
        .kind_name = "channel_post",
        .update_id = 910000010,
        .chat_id = -1002236736395,
        .chat_type = "channel",
        .message_id = 27,
        .date = 1721162577,
        .type = "message"},
    {/* the bot was blocked */
        .file = "teloxide_issue_523__my_chat_member.json",
        .kind = UPD_MY_CHAT_MEMBER,
        .kind_name = "my_chat_member",
        .update_id = 0,
        .chat_id = 0,
        .chat_type = "private",
        .user_id = 0,
        .first_name = "FN",
        .username = "UN",
        .date = 1644677726,
        .member_status = "kicked",
        .type = "member"},
    {/* a reaction: accepted, ignored, with its chat and user */
        .file = "teloxide_message_reaction_updated__message_reaction.json",
        .kind = UPD_OTHER,
        .kind_name = "message_reaction",
        .update_id = 71651249,
        .chat_id = -1002184233434,
        .chat_type = "supergroup",
        .user_id = 1459074222,
        .first_name = "shadowchain",
        .username = "shdwchn10",
        .message_id = 35,
        .date = 1721306082,
        .type = "ignored"},
    {.file = "teloxide_chat_boost_removed__removed_chat_boost.json",
        .kind = UPD_OTHER,
        .kind_name = "removed_chat_boost",
        .update_id = 71651297,
        .chat_id = -1002236736395,
        .chat_type = "channel",
        .type = "ignored"},
    {.file = "tgdocs_11_inline_query.json",
        .kind = UPD_OTHER,
        .kind_name = "inline_query",
        .update_id = 10000,
        .user_id = 1111111,
        .first_name = "Test Firstname",
        .username = "Testusername",
        .type = "ignored"},
    {/* a kind newer than this parser; update_id comes last */
        .file = "teloxide_new_update_kind_error__new_update_kind.json",
        .kind = UPD_OTHER,
        .kind_name = "new_update_kind",
        .update_id = 1,
        .type = "ignored"},
};

#define MSG(fields)                                                            \
	"{\"update_id\":5,\"message\":{\"message_id\":7,\"date\":1,"           \
	"\"chat\":{\"id\":-42,\"type\":\"group\"},"                            \
	"\"from\":{\"id\":9,\"first_name\":\"A\"}," fields "}}"
#define MSG_WANT(...)                                                          \
	.kind = UPD_MESSAGE, .kind_name = "message", .update_id = 5,           \
	.chat_id = -42, .chat_type = "group", .user_id = 9, .first_name = "A", \
	.message_id = 7, .date = 1, .type = "message", __VA_ARGS__

static const struct want inline_cases[] = {
    {/* a bot_command with @botname, lower-cased */
        .json = MSG("\"text\":\"/Task@DraftBot buy milk\",\"entities\":"
                    "[{\"type\":\"bot_command\",\"offset\":0,"
                    "\"length\":14}]"),
        MSG_WANT(.text = "/Task@DraftBot buy milk", .command = "/task",
            .command_bot = "DraftBot")},
    {/* offsets are UTF-16 units: 😂 counts 2, the url ends the text */
        .json = MSG("\"text\":\"😂😂 https://x.io\",\"entities\":"
                    "[{\"type\":\"url\",\"offset\":5,\"length\":12}]"),
        MSG_WANT(.text = "😂😂 https://x.io", .has_url = true)},
    {/* one unit past the end: ignored (bytes would still fit) */
        .json = MSG("\"text\":\"😂😂 https://x.io\",\"entities\":"
                    "[{\"type\":\"url\",\"offset\":5,\"length\":13}]"),
        MSG_WANT(.text = "😂😂 https://x.io")},
    {/* a text_link after a non-BMP character */
        .json = MSG("\"text\":\"\\ud83d\\ude02 see\",\"entities\":"
                    "[{\"type\":\"text_link\",\"offset\":3,\"length\":3,"
                    "\"url\":\"https://e.org\"}]"),
        MSG_WANT(.text = "😂 see", .has_url = true)},
    {.json = MSG("\"text\":\"/start😂\",\"entities\":[{\"type\":"
                 "\"bot_command\",\"offset\":0,\"length\":6}]"),
        MSG_WANT(.text = "/start😂", .command = "/start")},
    {/* a length that ends inside a surrogate pair: ignored */
        .json = MSG("\"text\":\"/start😂\",\"entities\":[{\"type\":"
                    "\"bot_command\",\"offset\":0,\"length\":7}]"),
        MSG_WANT(.text = "/start😂")},
    {/* a command not at offset 0 is no command */
        .json = MSG("\"text\":\"😂 /start\",\"entities\":[{\"type\":"
                    "\"bot_command\",\"offset\":3,\"length\":6}]"),
        MSG_WANT(.text = "😂 /start")},
    {/* with an entities array, the entities decide */
        .json = MSG("\"text\":\"/start\",\"entities\":[{\"type\":"
                    "\"bold\",\"offset\":0,\"length\":6}]"),
        MSG_WANT(.text = "/start")},
    {/* without one (old clients), the text's shape decides */
        .json = MSG("\"text\":\"/Start@Bot now\""),
        MSG_WANT(.text = "/Start@Bot now", .command = "/start",
            .command_bot = "Bot")},
    {.json = MSG("\"text\":\"/startle\""),
        MSG_WANT(.text = "/startle", .command = "/startle")},
    {.json = MSG("\"text\":\"/path/to/file\""),
        MSG_WANT(.text = "/path/to/file")},
    {.json = MSG("\"text\":\"hello /start\""),
        MSG_WANT(.text = "hello /start")},
    {/* a command in a caption, from caption_entities */
        .json = MSG("\"caption\":\"/help me\",\"photo\":[{\"file_id\":"
                    "\"x\"}],\"caption_entities\":[{\"type\":"
                    "\"bot_command\",\"offset\":0,\"length\":5}]"),
        MSG_WANT(.text = "/help me", .command = "/help", .has_photo = true)},
    {/* malformed entities are skipped, never an error */
        .json = MSG("\"text\":\"hi\",\"entities\":["
                    "{\"type\":\"url\",\"offset\":100,\"length\":5},"
                    "{\"type\":\"url\",\"offset\":-1,\"length\":2},"
                    "{\"type\":\"url\",\"offset\":0,\"length\":\"2\"},"
                    "{\"type\":\"url\",\"offset\":1,\"length\":"
                    "9223372036854775807},"
                    "{\"type\":\"url\",\"offset\":0,\"length\":0},"
                    "\"x\",null,{\"offset\":0,\"length\":2},"
                    "{\"type\":\"bot_command\",\"offset\":0,"
                    "\"length\":3}]"),
        MSG_WANT(.text = "hi")},
    {.json = MSG("\"text\":\"https://x.io\",\"entities\":{\"type\":"
                 "\"url\",\"offset\":0,\"length\":12}"),
        MSG_WANT(.text = "https://x.io")},
    {/* cut at character boundaries: Ж is 2 bytes, 63 would split */
        .json = "{\"update_id\":6,\"message\":{\"chat\":{\"id\":2},"
                "\"from\":{\"id\":3,\"first_name\":"
                "\"ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ\"}}}",
        .kind = UPD_MESSAGE,
        .kind_name = "message",
        .update_id = 6,
        .chat_id = 2,
        .user_id = 3,
        .first_name = "ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ",
        .type = "message"},
    {/* a wrong-typed known kind is accepted as an unknown one */
        .json = "{\"update_id\":8,\"message\":null}",
        .kind = UPD_OTHER,
        .kind_name = "message",
        .update_id = 8,
        .type = "ignored"},
    {.json = "{\"update_id\":8}",
        .kind = UPD_OTHER,
        .update_id = 8,
        .type = "ignored"},
    {.json = "{\"update_id\":9,\"edited_channel_post\":{\"message_id\":"
             "3,\"chat\":{\"id\":-100,\"type\":\"channel\"},\"date\":4,"
             "\"text\":\"fixed\"}}",
        .kind = UPD_CHANNEL_POST,
        .kind_name = "edited_channel_post",
        .update_id = 9,
        .chat_id = -100,
        .chat_type = "channel",
        .message_id = 3,
        .date = 4,
        .text = "fixed",
        .type = "message"},
    {/* an integer callback id, over-long data cut to 64 bytes */
        .json = "{\"update_id\":10,\"callback_query\":{\"id\":123,"
                "\"from\":{\"id\":4},\"data\":\""
                "0123456789012345678901234567890123456789"
                "0123456789012345678901234567890123456789\"}}",
        .kind = UPD_CALLBACK,
        .kind_name = "callback_query",
        .update_id = 10,
        .user_id = 4,
        .callback_id = "123",
        .callback_data = "0123456789012345678901234567890123456789"
                         "012345678901234567890123",
        .type = "callback"},
    {/* the largest update_id, and whitespace after the object */
        .json = "{\"update_id\":9223372036854775807} \r\n\t",
        .kind = UPD_OTHER,
        .update_id = INT64_MAX,
        .type = "ignored"},
    {.json = "{\"update_id\":-3,\"my_chat_member\":{\"chat\":{\"id\":"
             "5},\"from\":{\"id\":5},\"date\":6,\"new_chat_member\":{"
             "\"status\":\"member\"}}}",
        .kind = UPD_MY_CHAT_MEMBER,
        .kind_name = "my_chat_member",
        .update_id = -3,
        .chat_id = 5,
        .user_id = 5,
        .date = 6,
        .member_status = "member",
        .type = "member"},
};

/* The whole of path, NUL-terminated; its length in *ret_len. */
static char *
slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*ret_len = (size_t)n;
	return buf;
}

static const char *
updates_dir(void)
{
	static char dir[4096];
	const char *root = getenv("DRAFTBOT_CORPORA");

	ck_assert_msg(root != NULL, "DRAFTBOT_CORPORA is not set");
	snprintf(dir, sizeof(dir), "%s/telegram/updates", root);
	return dir;
}

static char *
corpus_file(const char *name, size_t *ret_len)
{
	char path[4352];

	snprintf(path, sizeof(path), "%s/%s", updates_dir(), name);
	return slurp(path, ret_len);
}

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static void
check_want(const struct want *w, const char *json, size_t len)
{
	const char *what = w->file != NULL ? w->file : w->json;
	struct upd *u = NULL;
	struct queue_new n;
	char key[48], expect_key[48];
	int r;

	r = upd_parse(json, len, &u);
	ck_assert_msg(r == 0, "%s: upd_parse returned %d", what, r);
	ck_assert_int_eq(u->kind, w->kind);
	ck_assert_str_eq(u->kind_name, or_empty(w->kind_name));
	ck_assert_int_eq(u->update_id, w->update_id);
	ck_assert_int_eq(u->chat_id, w->chat_id);
	ck_assert_str_eq(u->chat_type, or_empty(w->chat_type));
	ck_assert_int_eq(u->user_id, w->user_id);
	ck_assert_str_eq(u->first_name, or_empty(w->first_name));
	ck_assert_str_eq(u->username, or_empty(w->username));
	ck_assert_int_eq(u->message_id, w->message_id);
	ck_assert_int_eq(u->reply_to_message_id, w->reply_to);
	ck_assert_int_eq(u->date, w->date);
	if (w->text == NULL)
		ck_assert_ptr_null(u->text);
	else
		ck_assert_pstr_eq(u->text, w->text);
	ck_assert_str_eq(u->command, or_empty(w->command));
	ck_assert_str_eq(u->command_bot, or_empty(w->command_bot));
	ck_assert_int_eq(u->has_url, w->has_url);
	ck_assert_int_eq(u->has_photo, w->has_photo);
	ck_assert_int_eq(u->has_voice, w->has_voice);
	ck_assert_int_eq(u->has_document, w->has_document);
	ck_assert_str_eq(u->callback_id, or_empty(w->callback_id));
	ck_assert_str_eq(u->callback_data, or_empty(w->callback_data));
	ck_assert_str_eq(u->member_status, or_empty(w->member_status));

	memset(&n, 0x5a, sizeof(n));
	upd_to_command(u, json, key, sizeof(key), &n);
	snprintf(expect_key, sizeof(expect_key), "tg:update:%lld",
	    (long long)w->update_id);
	ck_assert_str_eq(n.type, w->type);
	ck_assert_ptr_eq(n.key, key);
	ck_assert_str_eq(n.key, expect_key);
	ck_assert_int_eq(n.chat_id, w->chat_id);
	ck_assert_int_eq(n.user_id, w->user_id);
	ck_assert_ptr_eq(n.payload, json);
	ck_assert_int_eq(n.run_at_ms, 0);
	ck_assert_int_eq(n.max_attempts, 0);
	upd_free(u);
}

START_TEST(corpus_all_parse)
{
	const char *dir = updates_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0;

	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		size_t nlen = strlen(e->d_name), len;
		struct upd *u = NULL;
		struct queue_new n;
		char key[48], *json;
		int r;

		if (nlen < 5 || strcmp(e->d_name + nlen - 5, ".json") != 0)
			continue;
		json = corpus_file(e->d_name, &len);
		r = upd_parse(json, len, &u);
		ck_assert_msg(
		    r == 0, "%s: upd_parse returned %d", e->d_name, r);
		ck_assert_ptr_nonnull(u);
		upd_to_command(u, json, key, sizeof(key), &n);
		ck_assert_ptr_nonnull(n.type);
		ck_assert_msg(strncmp(key, "tg:update:", 10) == 0, "%s", key);
		upd_free(u);
		free(json);
		count++;
	}
	closedir(d);
	ck_assert_msg(count == CORPUS_FILES, "%d files in %s, expected %d",
	    count, dir, CORPUS_FILES);
}
END_TEST

START_TEST(corpus_fields)
{
	const struct want *w = &corpus[_i];
	size_t len;
	char *json = corpus_file(w->file, &len);

	check_want(w, json, len);
	free(json);
}
END_TEST

START_TEST(inline_fields)
{
	const struct want *w = &inline_cases[_i];

	check_want(w, w->json, strlen(w->json));
}
END_TEST

/* Words linked to a page: the hidden URL is kept (http/https only, the
 * first one); a url entity's URL is in the text already. */
START_TEST(text_link_url_kept)
{
	static const struct {
		const char *json, *link;
	} cases[] = {
	    {MSG("\"text\":\"concert friday\",\"entities\":[{\"type\":"
	         "\"text_link\",\"offset\":0,\"length\":7,\"url\":"
	         "\"https://example.org/c\"},{\"type\":\"text_link\","
	         "\"offset\":8,\"length\":6,\"url\":\"https://x.org/\"}]"),
	        "https://example.org/c"},
	    {MSG("\"text\":\"see\",\"entities\":[{\"type\":\"text_link\","
	         "\"offset\":0,\"length\":3,\"url\":\"tg://user?id=1\"}]"),
	        ""},
	    {MSG("\"text\":\"see https://a.b\",\"entities\":[{\"type\":"
	         "\"url\",\"offset\":4,\"length\":11}]"),
	        ""},
	    {MSG("\"text\":\"see\",\"entities\":[{\"type\":\"text_link\","
	         "\"offset\":0,\"length\":3}]"),
	        ""},
	};
	struct upd *u;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(
		    upd_parse(cases[i].json, strlen(cases[i].json), &u), 0);
		ck_assert_str_eq(u->link, cases[i].link);
		ck_assert(u->has_url);
		upd_free(u);
	}
}
END_TEST

/* What *ret holds before a call that must leave it alone. */
static struct upd sentinel;

/* Each of these is refused with its code and leaves *ret alone. */
static const struct bad {
	const char *json;
	size_t len; /* 0: strlen(json) */
	int code;
} bad_inputs[] = {
    {"", 0, -EBADMSG},
    {"not json", 0, -EBADMSG},
    {"{", 0, -EBADMSG},
    {"{\"update_id\":1", 0, -EBADMSG},
    {"[{\"update_id\":1}]", 0, -EBADMSG},
    {"\"update_id\"", 0, -EBADMSG},
    {"123", 0, -EBADMSG},
    {"null", 0, -EBADMSG},
    {"{\"update_id\":1,}", 0, -EBADMSG},
    {"{\"update_id\":1} x", 0, -EBADMSG},
    {"{\"update_id\":1}{}", 0, -EBADMSG},
    {"{\"update_id\":1}\0", 16, -EBADMSG},
    {"{\"update_id\":1,\"message\":{\"text\":\"\xff\"}}", 0, -EBADMSG},
    {"{}", 0, -EINVAL},
    {"{\"message\":{\"text\":\"hi\"}}", 0, -EINVAL},
    {"{\"update_id\":\"5\",\"message\":{}}", 0, -EINVAL},
    {"{\"update_id\":1.5}", 0, -EINVAL},
    {"{\"update_id\":null}", 0, -EINVAL},
    {"{\"update_id\":true}", 0, -EINVAL},
    {"{\"update_id\":9223372036854775808}", 0, -EINVAL},
    {"{\"update_id\":99999999999999999999}", 0, -EINVAL},
};

START_TEST(bad_input)
{
	const struct bad *b = &bad_inputs[_i];
	struct upd *u = &sentinel;
	size_t len = b->len != 0 ? b->len : strlen(b->json);

	ck_assert_msg(upd_parse(b->json, len, &u) == b->code,
	    "'%s' not refused with %d", b->json, b->code);
	ck_assert_ptr_eq(u, &sentinel);
}
END_TEST

START_TEST(null_input)
{
	struct upd *u = &sentinel;

	ck_assert_int_eq(upd_parse(NULL, 0, &u), -EBADMSG);
	ck_assert_ptr_eq(u, &sentinel);
}
END_TEST

/* {"update_id":1,"x": then depth levels of open, then the closes. */
static char *
deep(int depth, char open, char close, size_t *ret_len)
{
	static const char head[] = "{\"update_id\":1,\"x\":";
	size_t hl = sizeof(head) - 1, per = open == '{' ? 5 : 1;
	char *buf = malloc(hl + (size_t)depth * (per + 1) + 3);
	size_t n = hl;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, head, hl);
	for (int i = 0; i < depth; i++) {
		if (open == '{') {
			memcpy(buf + n, "{\"a\":", 5);
			n += 5;
		} else {
			buf[n++] = open;
		}
	}
	buf[n++] = '1';
	for (int i = 0; i < depth; i++)
		buf[n++] = close;
	buf[n++] = '}';
	buf[n] = '\0';
	*ret_len = n;
	return buf;
}

START_TEST(deep_nesting)
{
	struct upd *u = &sentinel;
	size_t len;
	char *json;

	json = deep(10000, '[', ']', &len);
	ck_assert_int_eq(upd_parse(json, len, &u), -EBADMSG);
	ck_assert_ptr_eq(u, &sentinel);
	free(json);
	json = deep(10000, '{', '}', &len);
	ck_assert_int_eq(upd_parse(json, len, &u), -EBADMSG);
	ck_assert_ptr_eq(u, &sentinel);
	free(json);
	/* a nesting real updates use is fine */
	json = deep(20, '[', ']', &len);
	ck_assert_int_eq(upd_parse(json, len, &u), 0);
	ck_assert_int_eq(u->kind, UPD_OTHER);
	ck_assert_str_eq(u->kind_name, "x");
	upd_free(u);
	free(json);
}
END_TEST

/*
 * A message whose text is reps copies of unit, after prefix, with a url
 * entity over the last 5 UTF-16 units, and a bot_command at 0 of cmd_len
 * units (none when 0).
 */
static char *
long_message(const char *prefix, const char *unit, size_t reps,
    long long url_off, int cmd_len, size_t *ret_len)
{
	size_t ul = strlen(unit), pl = strlen(prefix);
	size_t cap = pl + ul * reps + 512, n;
	char *buf = malloc(cap);

	ck_assert_ptr_nonnull(buf);
	n = (size_t)snprintf(buf, cap,
	    "{\"update_id\":77,\"message\":{"
	    "\"chat\":{\"id\":1},\"text\":\"%s",
	    prefix);
	for (size_t i = 0; i < reps; i++, n += ul)
		memcpy(buf + n, unit, ul);
	n += (size_t)snprintf(buf + n, cap - n,
	    "\",\"entities\":[{\"type\":\"url\",\"offset\":%lld,"
	    "\"length\":5},{\"type\":\"bot_command\",\"offset\":0,"
	    "\"length\":%d}]}}",
	    url_off, cmd_len);
	*ret_len = n;
	return buf;
}

/* Valid UTF-8 throughout, and its UTF-16 length. */
static size_t
utf16_len(const char *s)
{
	size_t units = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	     p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		units += *p >= 0xF0 ? 2 : 1;
	}
	return units;
}

START_TEST(long_text_cut)
{
	struct upd *u = NULL;
	size_t len;
	char *json;

	/* 1 MiB of ASCII: cut to UPD_TEXT_MAX bytes */
	json = long_message("/go ", "a", (size_t)1 << 20, 100, 3, &len);
	ck_assert_int_eq(upd_parse(json, len, &u), 0);
	ck_assert_uint_eq(strlen(u->text), UPD_TEXT_MAX);
	ck_assert_int_eq(strncmp(u->text, "/go aaaa", 8), 0);
	ck_assert_str_eq(u->command, "/go");
	ck_assert(u->has_url); /* inside the kept text */
	upd_free(u);
	free(json);

	/* an entity beyond the kept text is ignored */
	json = long_message("", "a", (size_t)1 << 20, 5000, 0, &len);
	ck_assert_int_eq(upd_parse(json, len, &u), 0);
	ck_assert(!u->has_url);
	upd_free(u);
	free(json);

	/* 2-byte characters: 4096 of them kept, 8192 bytes */
	json = long_message("", "Ж", 600000, 0, 0, &len);
	ck_assert_int_eq(upd_parse(json, len, &u), 0);
	ck_assert_uint_eq(strlen(u->text), 2 * UPD_TEXT_MAX);
	ck_assert_uint_eq(utf16_len(u->text), UPD_TEXT_MAX);
	upd_free(u);
	free(json);

	/* a pair that would straddle the limit is left out whole */
	json = long_message("a", "😂", 300000, 0, 0, &len);
	ck_assert_int_eq(upd_parse(json, len, &u), 0);
	ck_assert_uint_eq(strlen(u->text), 1 + 4 * (UPD_TEXT_MAX / 2 - 1));
	ck_assert_uint_eq(utf16_len(u->text), UPD_TEXT_MAX - 1);
	ck_assert_uint_le(strlen(u->text), UPD_TEXT_BYTES_MAX);
	upd_free(u);
	free(json);

	/* 3-byte characters: the byte bound in the header holds */
	json = long_message("", "€", 400000, 0, 0, &len);
	ck_assert_int_eq(upd_parse(json, len, &u), 0);
	ck_assert_uint_eq(strlen(u->text), UPD_TEXT_BYTES_MAX);
	upd_free(u);
	free(json);
}
END_TEST

START_TEST(long_command_cut)
{
	static const char json[] =
	    MSG("\"text\":\"/"
	        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
	        "abcdefghij@"
	        "botbotbotbotbotbotbotbotbotbotbotbotbotbotbotbotbotbotbotbot"
	        "botbotbotbot\"");
	struct upd *u = NULL;

	ck_assert_int_eq(upd_parse(json, strlen(json), &u), 0);
	ck_assert_uint_eq(strlen(u->command), UPD_COMMAND_MAX - 1);
	ck_assert_int_eq(strncmp(u->command, "/abcdefghij", 11), 0);
	ck_assert_uint_eq(strlen(u->command_bot), sizeof(u->command_bot) - 1);
	upd_free(u);
}
END_TEST

START_TEST(embedded_nul)
{
	static const char json[] = MSG("\"text\":\"a\\u0000b\"");
	struct upd *u = NULL;

	ck_assert_int_eq(upd_parse(json, strlen(json), &u), 0);
	ck_assert_str_eq(u->text, "a");
	upd_free(u);
}
END_TEST

START_TEST(free_null)
{
	upd_free(NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("update");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, corpus_all_parse);
	tcase_add_loop_test(
	    tc, corpus_fields, 0, (int)(sizeof(corpus) / sizeof(corpus[0])));
	tcase_add_loop_test(tc, inline_fields, 0,
	    (int)(sizeof(inline_cases) / sizeof(inline_cases[0])));
	tcase_add_test(tc, text_link_url_kept);
	tcase_add_loop_test(tc, bad_input, 0,
	    (int)(sizeof(bad_inputs) / sizeof(bad_inputs[0])));
	tcase_add_test(tc, null_input);
	tcase_add_test(tc, deep_nesting);
	tcase_add_test(tc, long_text_cut);
	tcase_add_test(tc, long_command_cut);
	tcase_add_test(tc, embedded_nul);
	tcase_add_test(tc, free_null);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

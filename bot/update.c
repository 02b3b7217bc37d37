/*
 * update — parse a Telegram Update into struct upd, and map it to the queue
 * command the receiver enqueues.
 *
 * Everything here is bounded: strings are cut to their field at a UTF-8
 * character boundary, the text to UPD_TEXT_MAX UTF-16 code units (Telegram's
 * own measure), and entity offsets, which Telegram counts in UTF-16 code
 * units, are checked against the text that was kept before they are used.
 */
#include "bot/update.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the UTF-8 sequence at s (n > 0 bytes left); 1 for a stray byte,
 * so a walk always advances.  json-c has validated the input already. */
static size_t
utf8_seq_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k, i;

	if (c < 0xC0)
		return 1;
	k = c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 1;
	if (k > n)
		return 1;
	for (i = 1; i < k; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return 1;
	return k;
}

/* UTF-16 code units of a UTF-8 sequence of k bytes: 2 outside the BMP. */
static size_t
utf16_units(size_t k)
{
	return k == 4 ? 2 : 1;
}

/* The longest prefix of s (len bytes) of at most max bytes that does not
 * end inside a UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	size_t k;

	if (len <= max)
		return len;
	k = max;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return k;
}

/* Copy n bytes of src into dst (size bytes), cut at a character boundary. */
static void
copy_n(char *dst, size_t size, const char *src, size_t n)
{
	n = utf8_cut(src, n, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
copy_str(char *dst, size_t size, const char *src)
{
	if (src == NULL)
		dst[0] = '\0';
	else
		copy_n(dst, size, src, strlen(src));
}

/* o[key] when it is an object, else NULL (borrowed). */
static json_object *
get_obj(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

/* o[key] when it is a string, else NULL (borrowed). */
static const char *
get_str(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* An integer that fits int64_t; json-c clamps larger ones, which shows as
 * INT64_MAX with a different unsigned reading. */
static bool
int_value(json_object *v, int64_t *out)
{
	int64_t x;

	if (v == NULL || !json_object_is_type(v, json_type_int))
		return false;
	x = json_object_get_int64(v);
	if (x == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX)
		return false;
	*out = x;
	return true;
}

/* o[key] as an integer into *out; *out unchanged when absent or not one. */
static bool
get_i64(json_object *o, const char *key, int64_t *out)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return false;
	return int_value(v, out);
}

static void
take_chat(struct upd *u, json_object *chat)
{
	if (chat == NULL)
		return;
	get_i64(chat, "id", &u->chat_id);
	copy_str(u->chat_type, sizeof(u->chat_type), get_str(chat, "type"));
}

static void
take_user(struct upd *u, json_object *user)
{
	if (user == NULL)
		return;
	get_i64(user, "id", &u->user_id);
	copy_str(
	    u->first_name, sizeof(u->first_name), get_str(user, "first_name"));
	copy_str(u->username, sizeof(u->username), get_str(user, "username"));
}

/*
 * Keep at most UPD_TEXT_MAX UTF-16 code units of s (up to an embedded NUL),
 * never splitting a character.  Returns the bytes kept; their UTF-16 length
 * goes to *ret_units.
 */
static size_t
text_keep(const char *s, size_t len, size_t *ret_units)
{
	size_t i = 0, units = 0, k;

	while (i < len && s[i] != '\0') {
		k = utf8_seq_len(s + i, len - i);
		if (units + utf16_units(k) > UPD_TEXT_MAX)
			break;
		units += utf16_units(k);
		i += k;
	}
	*ret_units = units;
	return i;
}

/*
 * The bytes of s covered by UTF-16 units [0, n): their length in *ret_len.
 * False when n runs past the end or ends inside a surrogate pair.  Walks at
 * most n units, so a bogus entity costs no more than the text it claims.
 */
static bool
utf16_prefix(const char *s, size_t len, int64_t n, size_t *ret_len)
{
	size_t i = 0;
	int64_t u = 0;

	while (u < n && i < len) {
		size_t k = utf8_seq_len(s + i, len - i);

		u += (int64_t)utf16_units(k);
		i += k;
	}
	if (u != n)
		return false;
	*ret_len = i;
	return true;
}

static bool
is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* "/Cmd@Bot" (n bytes) into command (lower case) and command_bot. */
static void
set_command(struct upd *u, const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t cmd_len = at != NULL ? (size_t)(at - s) : n;

	if (cmd_len < 2 || s[0] != '/')
		return;
	copy_n(u->command, sizeof(u->command), s, cmd_len);
	for (char *p = u->command; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (at != NULL)
		copy_n(u->command_bot, sizeof(u->command_bot), at + 1,
		    n - cmd_len - 1);
}

/*
 * Old clients' updates (Telegram's own webhook examples from 2015) carry no
 * entities at all, yet "/start" is plainly a command there.  Recognise the
 * shape Telegram itself marks as bot_command: '/', word characters, an
 * optional @botname, then the end or a space.
 */
static void
command_from_text(struct upd *u, const char *s, size_t len)
{
	size_t i = 1, end;

	if (len < 2 || s[0] != '/')
		return;
	while (i < len && is_word_char(s[i]))
		i++;
	if (i == 1)
		return;
	if (i < len && s[i] == '@') {
		end = ++i;
		while (i < len && is_word_char(s[i]))
			i++;
		if (i == end)
			return;
	}
	if (i < len && s[i] != ' ' && s[i] != '\n' && s[i] != '\t')
		return;
	set_command(u, s, i);
}

/*
 * Walk the entities that belong to the kept text s (len bytes, units UTF-16
 * units): a bot_command at offset 0 gives the command, a url or text_link
 * sets has_url.  Entities that are malformed or reach past the kept text
 * are ignored; they cannot make the update fail.
 */
static void
take_entities(
    struct upd *u, json_object *ents, const char *s, size_t len, size_t units)
{
	size_t i, n = json_object_array_length(ents);

	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(ents, i);
		const char *type = get_str(e, "type");
		int64_t off, elen;
		size_t blen;

		if (type == NULL || !get_i64(e, "offset", &off) ||
		    !get_i64(e, "length", &elen))
			continue;
		if (off < 0 || elen <= 0 || off > (int64_t)units ||
		    elen > (int64_t)units - off)
			continue;
		if (strcmp(type, "url") == 0 || strcmp(type, "text_link") == 0)
			u->has_url = true;
		/* a url entity is in the text; a text_link hides its URL */
		if (strcmp(type, "text_link") == 0 && u->link[0] == '\0' &&
		    get_str(e, "url") != NULL &&
		    strlen(get_str(e, "url")) < sizeof(u->link) &&
		    (strncmp(get_str(e, "url"), "http://", 7) == 0 ||
		        strncmp(get_str(e, "url"), "https://", 8) == 0))
			snprintf(u->link, sizeof(u->link), "%s",
			    get_str(e, "url"));
		else if (strcmp(type, "bot_command") == 0 && off == 0 &&
		    u->command[0] == '\0' && utf16_prefix(s, len, elen, &blen))
			set_command(u, s, blen);
	}
}

/* text or caption, with its own entities. */
static int
take_text(struct upd *u, json_object *m)
{
	static const char *const fields[][2] = {
	    {"text", "entities"},
	    {"caption", "caption_entities"},
	};
	json_object *v, *ents;
	const char *s;
	size_t i, len, units;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (json_object_object_get_ex(m, fields[i][0], &v) &&
		    json_object_is_type(v, json_type_string))
			break;
	if (i == sizeof(fields) / sizeof(fields[0]))
		return 0;
	s = json_object_get_string(v);
	len = text_keep(s, (size_t)json_object_get_string_len(v), &units);
	u->text = malloc(len + 1);
	if (u->text == NULL)
		return -ENOMEM;
	memcpy(u->text, s, len);
	u->text[len] = '\0';

	if (!json_object_object_get_ex(m, fields[i][1], &ents))
		command_from_text(u, u->text, len);
	else if (json_object_is_type(ents, json_type_array))
		take_entities(u, ents, u->text, len, units);
	return 0;
}

/* Non-empty array or object under key. */
static bool
has_media(json_object *m, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(m, key, &v))
		return false;
	if (json_object_is_type(v, json_type_array))
		return json_object_array_length(v) > 0;
	return json_object_is_type(v, json_type_object);
}

/* message, edited_message, channel_post, edited_channel_post */
static int
parse_message(struct upd *u, json_object *m)
{
	json_object *reply;

	take_chat(u, get_obj(m, "chat"));
	take_user(u, get_obj(m, "from")); /* null in channel posts */
	get_i64(m, "message_id", &u->message_id);
	get_i64(m, "date", &u->date);
	/*
	 * In a forum topic every message arrives as a "reply" to the service
	 * message that created the topic; that is not a reply the person
	 * made, so it must not look like one (e.g. to a draft card).
	 */
	reply = get_obj(m, "reply_to_message");
	if (reply != NULL && get_obj(reply, "forum_topic_created") == NULL)
		get_i64(reply, "message_id", &u->reply_to_message_id);
	u->has_photo = has_media(m, "photo");
	u->has_voice = has_media(m, "voice");
	u->has_document = has_media(m, "document");
	return take_text(u, m);
}

/*
 * callback_query: the presser is from; the chat and message are those of
 * the message carrying the button.  A button under an inline-mode message
 * has only inline_message_id: no chat, chat_id stays 0.
 */
static int
parse_callback(struct upd *u, json_object *cq)
{
	json_object *m, *id;
	int64_t n;

	take_user(u, get_obj(cq, "from"));
	if (json_object_object_get_ex(cq, "id", &id)) {
		if (json_object_is_type(id, json_type_string))
			copy_str(u->callback_id, sizeof(u->callback_id),
			    json_object_get_string(id));
		else if (int_value(id, &n))
			snprintf(u->callback_id, sizeof(u->callback_id),
			    "%" PRId64, n);
	}
	copy_str(
	    u->callback_data, sizeof(u->callback_data), get_str(cq, "data"));
	m = get_obj(cq, "message");
	if (m != NULL) {
		take_chat(u, get_obj(m, "chat"));
		get_i64(m, "message_id", &u->message_id);
	}
	return 0;
}

/* my_chat_member: the bot's own membership changed (blocked, added, …). */
static int
parse_member(struct upd *u, json_object *cm)
{
	take_chat(u, get_obj(cm, "chat"));
	take_user(u, get_obj(cm, "from"));
	get_i64(cm, "date", &u->date);
	copy_str(u->member_status, sizeof(u->member_status),
	    get_str(get_obj(cm, "new_chat_member"), "status"));
	return 0;
}

/* Any other kind: whatever common fields it happens to have, for audit. */
static int
parse_other(struct upd *u, json_object *o)
{
	json_object *user = get_obj(o, "from");

	take_chat(u, get_obj(o, "chat"));
	take_user(u, user != NULL ? user : get_obj(o, "user"));
	get_i64(o, "message_id", &u->message_id);
	get_i64(o, "date", &u->date);
	return 0;
}

static const struct kind_entry {
	const char *name;
	enum upd_kind kind;
	int (*parse)(struct upd *u, json_object *body);
} kinds[] = {
    {"message", UPD_MESSAGE, parse_message},
    {"edited_message", UPD_EDITED_MESSAGE, parse_message},
    {"channel_post", UPD_CHANNEL_POST, parse_message},
    {"edited_channel_post", UPD_CHANNEL_POST, parse_message},
    {"callback_query", UPD_CALLBACK, parse_callback},
    {"my_chat_member", UPD_MY_CHAT_MEMBER, parse_member},
};

/*
 * The kind is the first key other than update_id (Telegram sends exactly
 * one).  A known kind whose value is not an object is treated as unknown:
 * accepted, and ignored downstream.
 */
static int
parse_body(struct upd *u, json_object *root)
{
	json_object_object_foreach(root, key, val)
	{
		if (strcmp(key, "update_id") == 0)
			continue;
		copy_str(u->kind_name, sizeof(u->kind_name), key);
		if (!json_object_is_type(val, json_type_object))
			return 0;
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strcmp(key, kinds[i].name) == 0) {
				u->kind = kinds[i].kind;
				return kinds[i].parse(u, val);
			}
		return parse_other(u, val);
	}
	return 0;
}

/* Whole input must be one JSON value, optionally followed by whitespace. */
static json_object *
parse_json(const char *json, size_t len)
{
	struct json_tokener *tok;
	json_object *root;
	size_t end;

	tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	if (tok == NULL)
		return NULL;
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
	        JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, json, (int)len);
	if (root != NULL) {
		for (end = json_tokener_get_parse_end(tok); end < len; end++)
			if (json[end] != ' ' && json[end] != '\t' &&
			    json[end] != '\n' && json[end] != '\r')
				break;
		if (end < len) {
			json_object_put(root);
			root = NULL;
		}
	}
	json_tokener_free(tok);
	return root;
}

int
upd_parse(const char *json, size_t len, struct upd **ret)
{
	json_object *root = NULL, *id;
	struct upd *u = NULL;
	int r;

	if (json == NULL || len > INT_MAX)
		return -EBADMSG;
	root = parse_json(json, len);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		r = -EBADMSG;
		goto out;
	}
	u = calloc(1, sizeof(*u));
	if (u == NULL) {
		r = -ENOMEM;
		goto out;
	}
	u->kind = UPD_OTHER;
	if (!json_object_object_get_ex(root, "update_id", &id) ||
	    !int_value(id, &u->update_id)) {
		r = -EINVAL;
		goto out;
	}
	r = parse_body(u, root);
	if (r < 0)
		goto out;
	*ret = u;
	u = NULL;
out:
	upd_free(u);
	json_object_put(root);
	return r;
}

void
upd_free(struct upd *u)
{
	if (u == NULL)
		return;
	free(u->text);
	free(u);
}

void
upd_to_command(const struct upd *u, const char *json, char *keybuf,
    size_t keylen, struct queue_new *n)
{
	static const char *const types[] = {
	    [UPD_MESSAGE] = "message",
	    [UPD_EDITED_MESSAGE] = "message",
	    [UPD_CHANNEL_POST] = "message",
	    [UPD_CALLBACK] = "callback",
	    [UPD_MY_CHAT_MEMBER] = "member",
	    [UPD_OTHER] = "ignored",
	};

	snprintf(keybuf, keylen, "tg:update:%" PRId64, u->update_id);
	memset(n, 0, sizeof(*n));
	n->type = types[u->kind];
	n->key = keybuf;
	n->chat_id = u->chat_id;
	n->user_id = u->user_id;
	n->payload = json;
}

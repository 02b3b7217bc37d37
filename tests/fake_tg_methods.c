/*
 * fake_tg_methods — what the fake Telegram server answers for each Bot API
 * method.  Every function here runs with f->lock held.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tests/fake_tg_int.h"

#define POLL_MAX_S 60

#define CONFLICT                                                               \
	"Conflict: can't use getUpdates method while webhook is active; use "  \
	"deleteWebhook to delete the webhook first"
#define NOT_MODIFIED                                                           \
	"Bad Request: message is not modified: specified new message content " \
	"and reply markup are exactly the same as a current content and "      \
	"reply markup of the message"

/* ---- parameters ---- */

bool
fake_tg_param_int(struct json_object *p, const char *key, int64_t *v)
{
	struct json_object *o;
	const char *s;
	char *end;

	if (!json_object_object_get_ex(p, key, &o) || o == NULL)
		return false;
	if (json_object_is_type(o, json_type_int)) {
		*v = json_object_get_int64(o);
		return true;
	}
	if (!json_object_is_type(o, json_type_string))
		return false;
	s = json_object_get_string(o);
	errno = 0;
	*v = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && errno == 0;
}

static const char *
param_str(struct json_object *p, const char *key)
{
	struct json_object *o;

	if (!json_object_object_get_ex(p, key, &o) ||
	    !json_object_is_type(o, json_type_string))
		return NULL;
	return json_object_get_string(o);
}

static bool
param_bool(struct json_object *p, const char *key)
{
	struct json_object *o;
	const char *s;

	if (!json_object_object_get_ex(p, key, &o) || o == NULL)
		return false;
	if (json_object_is_type(o, json_type_boolean))
		return json_object_get_boolean(o);
	s = json_object_get_string(o);
	return strcmp(s, "true") == 0 || strcmp(s, "1") == 0;
}

/*
 * reply_markup as canonical JSON text into *ret (NULL when absent).  Forms
 * send it as JSON text, JSON bodies as an object.  false when malformed.
 */
static bool
param_markup(struct json_object *p, char **ret)
{
	struct json_object *o, *parsed = NULL;
	bool good = true;

	*ret = NULL;
	if (!json_object_object_get_ex(p, "reply_markup", &o) || o == NULL)
		return true;
	if (json_object_is_type(o, json_type_string)) {
		parsed = json_tokener_parse(json_object_get_string(o));
		o = parsed;
	}
	if (o == NULL || !json_object_is_type(o, json_type_object))
		good = false;
	else
		*ret = strdup(
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(parsed);
	return good;
}

static bool
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* ---- Bot API objects ---- */

static struct json_object *
user_json(const struct fake_tg *f)
{
	struct json_object *u = json_object_new_object();

	json_object_object_add(u, "id", json_object_new_int64(f->bot_id));
	json_object_object_add(u, "is_bot", json_object_new_boolean(1));
	json_object_object_add(
	    u, "first_name", json_object_new_string("Fake Bot"));
	json_object_object_add(
	    u, "username", json_object_new_string("fake_bot"));
	return u;
}

static struct json_object *
chat_json(int64_t id)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "id", json_object_new_int64(id));
	if (id > 0) {
		json_object_object_add(
		    c, "type", json_object_new_string("private"));
		json_object_object_add(
		    c, "first_name", json_object_new_string("User"));
	} else {
		/* supergroup ids are -100…, 13 digits and more */
		json_object_object_add(c, "type",
		    json_object_new_string(
		        id <= -1000000000000LL ? "supergroup" : "group"));
		json_object_object_add(
		    c, "title", json_object_new_string("Group"));
	}
	return c;
}

static struct json_object *
message_json(const struct fake_tg *f, const struct fake_tg_msg *m, bool edited)
{
	struct json_object *o = json_object_new_object();
	int64_t now = (int64_t)time(NULL);

	json_object_object_add(o, "message_id", json_object_new_int64(m->id));
	json_object_object_add(o, "from", user_json(f));
	json_object_object_add(o, "chat", chat_json(m->chat));
	json_object_object_add(o, "date", json_object_new_int64(now));
	if (edited)
		json_object_object_add(
		    o, "edit_date", json_object_new_int64(now));
	json_object_object_add(o, "text", json_object_new_string(m->text));
	if (m->markup != NULL)
		json_object_object_add(
		    o, "reply_markup", json_tokener_parse(m->markup));
	return o;
}

struct fake_tg_msg *
fake_tg_find_message(struct fake_tg *f, int64_t chat, int64_t id)
{
	for (size_t i = f->n_msgs; i-- > 0;)
		if (f->msgs[i].chat == chat && f->msgs[i].id == id)
			return &f->msgs[i];
	return NULL;
}

static int64_t
next_message_id(struct fake_tg *f, int64_t chat)
{
	for (size_t i = 0; i < f->n_chats; i++)
		if (f->chats[i].id == chat)
			return ++f->chats[i].last_message_id;
	if (fake_tg_grow(&f->chats, &f->cap_chats, f->n_chats + 1,
	        sizeof(*f->chats)) < 0)
		return -ENOMEM;
	f->chats[f->n_chats++] = (struct fake_tg_chat){chat, 1};
	return 1;
}

/* ---- methods: called with f->lock held; return the HTTP status and
 * either *result (200) or *desc (an error's description) ---- */

static int
m_get_me(struct fake_tg *f, struct json_object *p, struct fake_tg_answer *a)
{
	a->result = user_json(f);
	return 200;
}

static int
m_true(struct fake_tg *f, struct json_object *p, struct fake_tg_answer *a)
{
	a->result = json_object_new_boolean(1);
	return 200;
}

static int
m_answer_callback(
    struct fake_tg *f, struct json_object *p, struct fake_tg_answer *a)
{
	if (param_str(p, "callback_query_id") == NULL) {
		a->desc = "Bad Request: query is too old and response timeout "
		          "expired or query ID is invalid";
		return 400;
	}
	return m_true(f, p, a);
}

static int
m_chat_action(
    struct fake_tg *f, struct json_object *p, struct fake_tg_answer *a)
{
	int64_t chat;

	if (!fake_tg_param_int(p, "chat_id", &chat)) {
		a->desc = "Bad Request: chat not found";
		return 400;
	}
	if (param_str(p, "action") == NULL) {
		a->desc = "Bad Request: wrong parameter action in request";
		return 400;
	}
	return m_true(f, p, a);
}

static int
m_send_message(
    struct fake_tg *f, struct json_object *p, struct fake_tg_answer *a)
{
	struct fake_tg_msg m = {0};
	const char *text = param_str(p, "text");

	if (!fake_tg_param_int(p, "chat_id", &m.chat) || m.chat == 0) {
		a->desc = "Bad Request: chat not found";
		return 400;
	}
	if (text == NULL || *text == '\0') {
		a->desc = "Bad Request: message text is empty";
		return 400;
	}
	if (!param_markup(p, &m.markup)) {
		a->desc = "Bad Request: can't parse reply keyboard markup JSON "
		          "object";
		return 400;
	}
	m.id = next_message_id(f, m.chat);
	m.text = strdup(text);
	if (m.id < 0 || m.text == NULL ||
	    fake_tg_grow(
	        &f->msgs, &f->cap_msgs, f->n_msgs + 1, sizeof(*f->msgs))) {
		free(m.text);
		free(m.markup);
		a->desc = "Internal Server Error: out of memory";
		return 500;
	}
	f->msgs[f->n_msgs++] = m;
	a->result = message_json(f, &m, false);
	return 200;
}

/* editMessageText (text != NULL) and editMessageReplyMarkup. */
static int
edit(struct fake_tg *f, struct json_object *p, const char *text,
    struct fake_tg_answer *a)
{
	struct fake_tg_msg *m;
	int64_t chat, id;
	char *markup;

	if (param_str(p, "inline_message_id") != NULL)
		return m_true(f, p, a);
	if (!fake_tg_param_int(p, "chat_id", &chat) ||
	    !fake_tg_param_int(p, "message_id", &id) ||
	    (m = fake_tg_find_message(f, chat, id)) == NULL) {
		a->desc = "Bad Request: message to edit not found";
		return 400;
	}
	if (!param_markup(p, &markup)) {
		a->desc = "Bad Request: can't parse reply keyboard markup JSON "
		          "object";
		return 400;
	}
	if ((text == NULL || strcmp(text, m->text) == 0) &&
	    same(markup, m->markup)) {
		free(markup);
		a->desc = NOT_MODIFIED;
		return 400;
	}
	if (text != NULL) {
		char *t = strdup(text);

		if (t == NULL) {
			free(markup);
			a->desc = "Internal Server Error: out of memory";
			return 500;
		}
		free(m->text);
		m->text = t;
	}
	free(m->markup);
	m->markup = markup;
	a->result = message_json(f, m, true);
	return 200;
}

static int
m_edit_text(struct fake_tg *f, struct json_object *p, struct fake_tg_answer *a)
{
	const char *text = param_str(p, "text");

	if (text == NULL || *text == '\0') {
		a->desc = "Bad Request: message text is empty";
		return 400;
	}
	return edit(f, p, text, a);
}

static int
m_edit_markup(
    struct fake_tg *f, struct json_object *p, struct fake_tg_answer *a)
{
	return edit(f, p, NULL, a);
}

void
fake_tg_drop_updates(struct fake_tg *f, size_t n)
{
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		free(f->updates[i].json);
	memmove(f->updates, f->updates + n,
	    (f->n_updates - n) * sizeof(*f->updates));
	f->n_updates -= n;
}

static int
set_webhook(struct fake_tg *f, const char *url, bool cert)
{
	char *copy = NULL;

	if (url != NULL && *url != '\0') {
		copy = strdup(url);
		if (copy == NULL)
			return -ENOMEM;
	}
	free(f->webhook_url);
	f->webhook_url = copy;
	f->webhook_cert = copy != NULL && cert;
	pthread_cond_broadcast(&f->cond);
	return 0;
}

static int
m_set_webhook(
    struct fake_tg *f, struct json_object *p, struct fake_tg_answer *a)
{
	struct json_object *cert;
	bool has_cert = json_object_object_get_ex(p, "certificate", &cert) &&
	    json_object_is_type(cert, json_type_object);

	if (set_webhook(f, param_str(p, "url"), has_cert) < 0) {
		a->desc = "Internal Server Error: out of memory";
		return 500;
	}
	if (param_bool(p, "drop_pending_updates"))
		fake_tg_drop_updates(f, f->n_updates);
	return m_true(f, p, a);
}

static int
m_delete_webhook(
    struct fake_tg *f, struct json_object *p, struct fake_tg_answer *a)
{
	set_webhook(f, NULL, false);
	if (param_bool(p, "drop_pending_updates"))
		fake_tg_drop_updates(f, f->n_updates);
	return m_true(f, p, a);
}

static int
m_webhook_info(
    struct fake_tg *f, struct json_object *p, struct fake_tg_answer *a)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "url",
	    json_object_new_string(f->webhook_url ? f->webhook_url : ""));
	json_object_object_add(o, "has_custom_certificate",
	    json_object_new_boolean(f->webhook_cert));
	json_object_object_add(o, "pending_update_count",
	    json_object_new_int64((int64_t)f->n_updates));
	a->result = o;
	return 200;
}

static int
m_get_updates(
    struct fake_tg *f, struct json_object *p, struct fake_tg_answer *a)
{
	int64_t offset = 0, limit = 100, timeout = 0;
	struct timespec deadline;
	struct json_object *arr;
	size_t i = 0;

	if (f->webhook_url != NULL) {
		a->desc = CONFLICT;
		return 409;
	}
	fake_tg_param_int(p, "offset", &offset);
	fake_tg_param_int(p, "limit", &limit);
	fake_tg_param_int(p, "timeout", &timeout);
	limit = limit < 1 ? 1 : limit > 100 ? 100 : limit;
	timeout = timeout < 0 ? 0 : timeout > POLL_MAX_S ? POLL_MAX_S : timeout;
	if (offset > 0) {
		/* confirm every update below offset */
		while (i < f->n_updates && f->updates[i].id < offset)
			i++;
		fake_tg_drop_updates(f, i);
	} else if (offset < 0 && (uint64_t)-offset < f->n_updates) {
		fake_tg_drop_updates(f, f->n_updates - (size_t)-offset);
	}
	deadline = fake_tg_deadline(timeout * 1000);
	while (f->n_updates == 0 && timeout > 0 && !f->stopping &&
	    f->webhook_url == NULL) {
		if (pthread_cond_timedwait(&f->cond, &f->lock, &deadline) ==
		    ETIMEDOUT)
			break;
		/* an update pushed meanwhile may be below a later offset */
		for (i = 0; offset > 0 && i < f->n_updates &&
		     f->updates[i].id < offset;)
			i++;
		fake_tg_drop_updates(f, i);
	}
	if (f->webhook_url != NULL) {
		a->desc = CONFLICT;
		return 409;
	}
	arr = json_object_new_array();
	for (i = 0; i < f->n_updates && (int64_t)i < limit; i++)
		json_object_array_add(
		    arr, json_tokener_parse(f->updates[i].json));
	a->result = arr;
	return 200;
}

static const struct fake_tg_method methods[] = {
    {"getMe", m_get_me},
    {"sendMessage", m_send_message},
    {"editMessageText", m_edit_text},
    {"editMessageReplyMarkup", m_edit_markup},
    {"answerCallbackQuery", m_answer_callback},
    {"sendChatAction", m_chat_action},
    {"setWebhook", m_set_webhook},
    {"deleteWebhook", m_delete_webhook},
    {"getWebhookInfo", m_webhook_info},
    {"getUpdates", m_get_updates},
};

const struct fake_tg_method *
fake_tg_find_method(const char *name)
{
	/* Telegram matches method names without regard to case. */
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcasecmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

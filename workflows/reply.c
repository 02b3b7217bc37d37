/*
 * reply — the outgoing side of a run: outbox messages (sendMessage,
 * editMessageText) and audit rows, all in the run's transaction.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/audit.h"
#include "queue/outbox.h"
#include "workflows/wf_int.h"

#define SAY_MAX 4096 /* bytes of one wf_say() text */

/*
 * Add method with params (consumed) to the outbox under the run's next key.
 * The n-th message of a run always gets key cmd:<id>:<n>, so a re-run that
 * reaches the same point adds nothing new.
 */
static int
add(struct wf_ctx *x, const char *method, int64_t chat_id,
    struct json_object *params, const char *ref)
{
	char key[QUEUE_KEY_MAX];
	struct queue_new n = {0};
	int r;

	if (params == NULL)
		return -ENOMEM;
	snprintf(key, sizeof(key), "cmd:%" PRId64 ":%d", x->c->id, ++x->nmsg);
	n.type = method;
	n.key = key;
	n.chat_id = chat_id;
	n.user_id = x->u != NULL ? x->u->user_id : 0;
	n.payload = json_object_to_json_string_ext(
	    params, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (n.payload == NULL)
		r = -ENOMEM;
	else if (ref != NULL)
		r = outbox_add_ref(x->q, &n, ref, NULL, NULL);
	else
		r = outbox_add(x->q, &n, NULL, NULL);
	json_object_put(params);
	return r;
}

/* {chat_id, text, parse_mode: HTML, reply_markup?} */
static struct json_object *
base(int64_t chat_id, const char *html, struct json_object *markup)
{
	struct json_object *p = json_object_new_object();

	if (p == NULL)
		return NULL;
	json_object_object_add(p, "chat_id", json_object_new_int64(chat_id));
	json_object_object_add(p, "text", json_object_new_string(html));
	json_object_object_add(p, "parse_mode", json_object_new_string("HTML"));
	if (markup != NULL)
		json_object_object_add(
		    p, "reply_markup", json_object_get(markup));
	return p;
}

int
wf_send(struct wf_ctx *x, int64_t chat_id, const char *html,
    struct json_object *markup, int64_t reply_to, const char *ref)
{
	struct json_object *p = base(chat_id, html, markup), *rp;

	if (p != NULL && reply_to > 0) {
		/* Still deliver when the user deleted their message. */
		rp = json_object_new_object();
		json_object_object_add(
		    rp, "message_id", json_object_new_int64(reply_to));
		json_object_object_add(rp, "allow_sending_without_reply",
		    json_object_new_boolean(1));
		json_object_object_add(p, "reply_parameters", rp);
	}
	return add(x, "sendMessage", chat_id, p, ref);
}

int
wf_say(struct wf_ctx *x, const char *fmt, ...)
{
	char text[SAY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return wf_send(x, x->u->chat_id, text, NULL, 0, NULL);
}

int
wf_edit(struct wf_ctx *x, int64_t chat_id, int64_t message_id, const char *html,
    struct json_object *markup, const char *ref)
{
	struct json_object *p = base(chat_id, html, markup);

	if (p != NULL)
		json_object_object_add(
		    p, "message_id", json_object_new_int64(message_id));
	return add(x, "editMessageText", chat_id, p, ref);
}

int
wf_card(struct wf_ctx *x, const struct store_draft *d, enum card_state state,
    enum wf_card_mode mode, int64_t reply_to, const char *prefix)
{
	bool send = mode == WF_CARD_SEND;
	struct json_object *j, *markup = NULL, *none = NULL;
	char ref[48], *text = NULL, *full = NULL;
	int r;

	j = wf_draft_json(d);
	if (j == NULL)
		return -EINVAL;
	r = draft_card(j, d->id, state, &text, &markup);
	if (r < 0)
		goto out;
	if (mode == WF_CARD_EDIT_BARE) {
		json_object_put(markup);
		markup = NULL;
	}
	if (send && prefix != NULL) {
		if (asprintf(&full, "%s\n\n%s", prefix, text) < 0) {
			full = NULL;
			r = -ENOMEM;
			goto out;
		}
	}
	snprintf(ref, sizeof(ref), "draft:%" PRId64, d->id);
	if (send) {
		r = wf_send(x, d->chat_id, full != NULL ? full : text, markup,
		    reply_to, ref);
	} else {
		/* An explicit empty keyboard: the old buttons must go. */
		if (markup == NULL)
			none = json_tokener_parse("{\"inline_keyboard\":[]}");
		r = wf_edit(x, d->chat_id, d->message_id, text,
		    markup != NULL ? markup : none, ref);
	}
out:
	json_object_put(none);
	json_object_put(markup);
	json_object_put(j);
	free(full);
	free(text);
	return r;
}

int
wf_audit(struct wf_ctx *x, const char *action, const char *entity_type,
    int64_t entity_id, int64_t user_id, int64_t chat_id, const char *details)
{
	struct audit_entry e = {0};
	char id[24];

	if (entity_id != 0)
		snprintf(id, sizeof(id), "%" PRId64, entity_id);
	e.action = action;
	e.user_id = user_id;
	e.chat_id = chat_id;
	e.entity_type = entity_type;
	e.entity_id = entity_id != 0 ? id : NULL;
	e.source_msg_id = x->u != NULL ? x->u->message_id : 0;
	e.details = details;
	return audit_add(x->q, &e);
}

size_t
wf_utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

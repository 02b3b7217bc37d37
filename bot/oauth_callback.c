/* oauth_callback — the redirect's parameters into an oauth_exchange row. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "bot/oauth_callback.h"

const char oauth_callback_page_ok[] =
    "<!doctype html><html><head><meta charset=\"utf-8\">"
    "<title>draftbot</title></head><body><p>Thanks — the sign-in reached "
    "draftbot. You can close this page and go back to Telegram, where the "
    "bot tells you whether Google is connected.</p></body></html>";

const char oauth_callback_page_bad[] =
    "<!doctype html><html><head><meta charset=\"utf-8\">"
    "<title>draftbot</title></head><body><p>This sign-in link is not "
    "valid. Send /connect to the bot for a new one.</p></body></html>";

static bool
token_chars(const char *s, size_t min, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n < min || n > max)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                 "0123456789-_") == n;
}

static bool
printable(const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

int
oauth_callback_item(const char *code, const char *state, const char *error,
    struct ingest_item *it, char *payload)
{
	struct json_object *o;
	int n;

	if (!token_chars(state, 20, 95))
		return -EINVAL;
	if (!printable(code, 512) && !printable(error, 64))
		return -EINVAL;
	o = json_object_new_object();
	if (o == NULL)
		return -ENOMEM;
	json_object_object_add(o, "state", json_object_new_string(state));
	if (printable(code, 512))
		json_object_object_add(o, "code", json_object_new_string(code));
	else
		json_object_object_add(o, "error", json_object_new_string(error));
	n = snprintf(payload, OAUTH_PAYLOAD_MAX, "%s",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (n < 0 || n >= OAUTH_PAYLOAD_MAX)
		return -EINVAL;
	memset(it, 0, sizeof(*it));
	snprintf(it->key, sizeof(it->key), "oauth:%.40s", state);
	/* Not tied to a chat: the state row knows whose it is. */
	it->cmd = (struct queue_new){
	    .type = "oauth_exchange", .key = it->key, .payload = payload};
	return 0;
}

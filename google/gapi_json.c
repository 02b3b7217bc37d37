/* gapi_json — parsing Google's replies and reading their fields. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "google/gapi_int.h"

int
gapi_json_parse(const char *s, size_t len, struct json_object **ret)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;

	*ret = NULL;
	if (s == NULL || len == 0 || len > GAPI_REPLY_MAX)
		return -EBADMSG;
	tok = json_tokener_new_ex(GAPI_JSON_DEPTH);
	if (tok == NULL)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, s, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		json_tokener_free(tok);
		return -EBADMSG;
	}
	json_tokener_free(tok);
	while (end < len && isspace((unsigned char)s[end]))
		end++;
	if (end != len) {
		json_object_put(o);
		return -EBADMSG;
	}
	*ret = o;
	return 0;
}

const char *
gapi_json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

struct json_object *
gapi_json_array(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

struct json_object *
gapi_json_obj(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

int
gapi_json_put_str(struct json_object *o, const char *key, const char *s)
{
	struct json_object *v;

	if (s == NULL)
		return 0;
	v = json_object_new_string(s);
	if (v == NULL || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

int
gapi_copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (dst == NULL)
		return 0;
	if (len == 0)
		return -EBADMSG;
	if (n >= len) {
		dst[0] = '\0';
		return -EBADMSG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

/*
 * fake_google_schema — the discovery documents of Tasks v1 and Calendar v3
 * as the fake's request checker: which query parameters a method takes
 * and of what type, the request resource's schema (field names, JSON
 * types, formats, enums, nested objects and arrays, maps), and the scopes
 * that grant the method.
 *
 * Where Google's documents leave a format to the prose ("as a RFC 3339
 * timestamp"), the fake holds the same line Google's servers do, from a
 * short table below.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fake_google_int.h"

/* Which discovery method each kind of request is. */
static const struct {
	enum fake_google_kind kind;
	bool calendar;
	const char *resource;
	const char *method;
} served[] = {
    {FAKE_GOOGLE_TASKLISTS_LIST, false, "tasklists", "list"},
    {FAKE_GOOGLE_TASKS_LIST, false, "tasks", "list"},
    {FAKE_GOOGLE_TASKS_INSERT, false, "tasks", "insert"},
    {FAKE_GOOGLE_TASKS_GET, false, "tasks", "get"},
    {FAKE_GOOGLE_TASKS_PATCH, false, "tasks", "patch"},
    {FAKE_GOOGLE_TASKS_DELETE, false, "tasks", "delete"},
    {FAKE_GOOGLE_EVENTS_LIST, true, "events", "list"},
    {FAKE_GOOGLE_EVENTS_INSERT, true, "events", "insert"},
    {FAKE_GOOGLE_EVENTS_GET, true, "events", "get"},
    {FAKE_GOOGLE_EVENTS_PATCH, true, "events", "patch"},
    {FAKE_GOOGLE_EVENTS_DELETE, true, "events", "delete"},
    {FAKE_GOOGLE_FREEBUSY, true, "freebusy", "query"},
};

/* Formats the documents state only in prose; "schema.field" or
 * "method.parameter". */
static const struct {
	const char *where;
	const char *format;
} formats[] = {
    {"Task.due", "date-time"},
    {"Task.completed", "date-time"},
    {"tasks.tasks.list.completedMax", "date-time"},
    {"tasks.tasks.list.completedMin", "date-time"},
    {"tasks.tasks.list.dueMax", "date-time"},
    {"tasks.tasks.list.dueMin", "date-time"},
    {"tasks.tasks.list.updatedMin", "date-time"},
};

static const char *
format_of(struct json_object *spec, const char *owner, const char *name)
{
	char where[160];
	const char *fmt;

	if ((fmt = fg_str(spec, "format")) != NULL)
		return fmt;
	snprintf(where, sizeof(where), "%s.%s", owner ? owner : "", name);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].where, where) == 0)
			return formats[i].format;
	return NULL;
}

static struct json_object *
load_doc(const char *corpora, const char *name)
{
	char path[1024];
	struct json_object *doc;

	snprintf(path, sizeof(path), "%s/google/%s", corpora, name);
	if (access(path, R_OK) != 0)
		snprintf(path, sizeof(path), "%s/%s", corpora, name);
	doc = json_object_from_file(path);
	if (doc != NULL && !json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		doc = NULL;
	}
	return doc;
}

static struct json_object *
get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

int
fg_schema_load(struct fake_google *f, const char *corpora)
{
	f->tasks_doc = load_doc(corpora, "tasks-v1.discovery.json");
	f->calendar_doc = load_doc(corpora, "calendar-v3.discovery.json");
	if (f->tasks_doc == NULL || f->calendar_doc == NULL)
		return -ENOENT;
	for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++) {
		struct json_object *doc =
		    served[i].calendar ? f->calendar_doc : f->tasks_doc;
		struct json_object *m =
		    get(get(get(get(doc, "resources"), served[i].resource),
		            "methods"),
		        served[i].method);
		struct fg_method *fm = &f->methods[served[i].kind];

		if (m == NULL || fg_str(m, "id") == NULL)
			return -EBADMSG;
		fm->id = fg_str(m, "id");
		fm->doc = doc;
		fm->params = get(m, "parameters");
		fm->scopes = get(m, "scopes");
		fm->request = fg_str(get(m, "request"), "$ref");
		if (fm->request != NULL &&
		    get(get(doc, "schemas"), fm->request) == NULL)
			return -EBADMSG;
	}
	return 0;
}

bool
fg_scope_allows(const struct fg_method *m, const char *scope)
{
	size_t n = m->scopes ? json_object_array_length(m->scopes) : 0;

	for (size_t i = 0; i < n; i++) {
		const char *want = json_object_get_string(
		    json_object_array_get_idx(m->scopes, i));
		size_t wl = strlen(want);
		const char *p = scope;

		while (p != NULL && *p != '\0') {
			size_t n_tok;

			p += strspn(p, " ");
			n_tok = strcspn(p, " ");
			if (n_tok == wl && strncmp(p, want, wl) == 0)
				return true;
			p += n_tok;
		}
	}
	return false;
}

/* ---- values ---- */

/* Is s an integer (optional '-', digits) within [lo, hi]? */
static bool
int_text(const char *s, long long lo, long long hi)
{
	char *end;
	long long v;

	if (*s == '\0')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	return *end == '\0' && errno == 0 && v >= lo && v <= hi;
}

/* Check string s against format fmt; false with a reason in why. */
static bool
format_ok(
    const char *fmt, const char *s, bool allow_local, char *why, size_t len)
{
	int64_t ms;
	bool zoned;

	if (fmt == NULL)
		return true;
	if (strcmp(fmt, "date-time") == 0 &&
	    fg_parse_datetime(s, allow_local, &ms, &zoned) < 0) {
		snprintf(why, len,
		    "\"%s\" is not an RFC 3339 date-time "
		    "(YYYY-MM-DDTHH:MM:SS[.fff]%s)",
		    s, allow_local ? "[Z|+HH:MM]" : "Z or +HH:MM");
		return false;
	}
	if (strcmp(fmt, "date") == 0 && fg_parse_date(s, &ms) < 0) {
		snprintf(why, len, "\"%s\" is not a date (YYYY-MM-DD)", s);
		return false;
	}
	if ((strcmp(fmt, "int64") == 0 || strcmp(fmt, "uint64") == 0) &&
	    !int_text(
	        s, strcmp(fmt, "int64") == 0 ? INT64_MIN : 0, INT64_MAX)) {
		snprintf(why, len, "\"%s\" is not a %s", s, fmt);
		return false;
	}
	return true;
}

static bool
enum_ok(struct json_object *spec, const char *s)
{
	struct json_object *en = get(spec, "enum");
	size_t n = en ? json_object_array_length(en) : 0;

	if (en == NULL)
		return true;
	for (size_t i = 0; i < n; i++)
		if (strcmp(json_object_get_string(
		               json_object_array_get_idx(en, i)),
		        s) == 0)
			return true;
	return false;
}

/* ---- query parameters ---- */

static bool
param_ok(const struct fg_method *m, const char *name, struct json_object *spec,
    const char *v, char *msg, size_t len)
{
	const char *type = fg_str(spec, "type");
	char why[FG_MSG_MAX / 2];
	long long lo = INT32_MIN, hi = INT32_MAX;

	if (type != NULL && strcmp(type, "boolean") == 0 &&
	    strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
		snprintf(msg, len,
		    "Invalid value for query parameter %s: \"%s\" is not a "
		    "boolean (true or false)",
		    name, v);
		return false;
	}
	if (type != NULL && strcmp(type, "integer") == 0) {
		if (fg_str(spec, "minimum"))
			lo = atoll(fg_str(spec, "minimum"));
		if (fg_str(spec, "maximum"))
			hi = atoll(fg_str(spec, "maximum"));
		if (!int_text(v, lo, hi)) {
			snprintf(msg, len,
			    "Invalid value for query parameter %s: \"%s\" is "
			    "not an integer in [%lld, %lld]",
			    name, v, lo, hi);
			return false;
		}
	}
	if (!enum_ok(spec, v)) {
		snprintf(msg, len,
		    "Invalid value for query parameter %s: \"%s\" is not one "
		    "of the allowed values",
		    name, v);
		return false;
	}
	if (!format_ok(
	        format_of(spec, m->id, name), v, false, why, sizeof(why))) {
		snprintf(msg, len, "Invalid value for query parameter %s: %s",
		    name, why);
		return false;
	}
	return true;
}

bool
fg_check_query(const struct fg_call *c, char *msg, size_t len)
{
	const struct fg_method *m = c->m;
	struct json_object *common = get(m->doc, "parameters");

	if (c->query == NULL)
		return true;
	json_object_object_foreach(c->query, name, vals)
	{
		struct json_object *spec = get(m->params, name);
		size_t n = json_object_array_length(vals);

		if (spec == NULL)
			spec = get(common, name);
		if (spec == NULL ||
		    strcmp(fg_str(spec, "location") ? fg_str(spec, "location")
		                                    : "",
		        "query") != 0) {
			snprintf(msg, len,
			    "Invalid JSON payload received. Unknown name "
			    "\"%s\": Cannot bind query parameter. Field '%s' "
			    "could not be found in request message.",
			    name, name);
			return false;
		}
		if (n > 1 && !json_object_get_boolean(get(spec, "repeated"))) {
			snprintf(msg, len,
			    "Query parameter %s is given %zu times; it is not "
			    "repeated",
			    name, n);
			return false;
		}
		for (size_t i = 0; i < n; i++)
			if (!param_ok(m, name, spec,
			        json_object_get_string(
			            json_object_array_get_idx(vals, i)),
			        msg, len))
				return false;
	}
	return true;
}

/* ---- request bodies ---- */

static const char *
json_type_word(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return "a boolean";
	case json_type_int:
		return "an integer";
	case json_type_double:
		return "a number";
	case json_type_string:
		return "a string";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	default:
		return "null";
	}
}

struct vctx {
	struct json_object *schemas;
	char *msg;
	size_t len;
};

static bool check_value(struct vctx *x, struct json_object *spec,
    const char *owner, const char *name, const char *path,
    struct json_object *v);

static bool
type_error(
    struct vctx *x, const char *path, const char *want, struct json_object *v)
{
	snprintf(x->msg, x->len,
	    "Invalid value at '%s': expected %s, got %s (%s)", path, want,
	    json_type_word(v),
	    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	return false;
}

static bool
check_object(struct vctx *x, struct json_object *spec, const char *owner,
    const char *path, struct json_object *v)
{
	struct json_object *props = get(spec, "properties");
	struct json_object *extra = get(spec, "additionalProperties");
	char sub[256];

	if (!json_object_is_type(v, json_type_object))
		return type_error(x, path, "an object", v);
	if (props == NULL && extra == NULL)
		return true; /* a free-form object */
	json_object_object_foreach(v, key, val)
	{
		struct json_object *ps = props ? get(props, key) : NULL;

		snprintf(
		    sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
		if (ps == NULL)
			ps = extra;
		if (ps == NULL) {
			snprintf(x->msg, x->len,
			    "Invalid JSON payload received. Unknown name "
			    "\"%s\" at '%s': Cannot find field.",
			    key, *path ? path : "resource");
			return false;
		}
		if (!check_value(x, ps, owner, key, sub, val))
			return false;
	}
	return true;
}

static bool
check_value(struct vctx *x, struct json_object *spec, const char *owner,
    const char *name, const char *path, struct json_object *v)
{
	const char *ref = fg_str(spec, "$ref");
	const char *type;
	char why[FG_MSG_MAX / 2];

	if (ref != NULL) {
		spec = get(x->schemas, ref);
		owner = ref;
		if (spec == NULL)
			return true;
	}
	/* proto3 JSON: null means "not set" */
	if (v == NULL)
		return true;
	type = fg_str(spec, "type");
	if (type == NULL || strcmp(type, "any") == 0)
		return true;
	if (strcmp(type, "object") == 0)
		return check_object(x, spec, owner, path, v);
	if (strcmp(type, "array") == 0) {
		char sub[256];

		if (!json_object_is_type(v, json_type_array))
			return type_error(x, path, "an array", v);
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (!check_value(x, get(spec, "items"), owner, name,
			        sub, json_object_array_get_idx(v, i)))
				return false;
		}
		return true;
	}
	if (strcmp(type, "boolean") == 0) {
		if (!json_object_is_type(v, json_type_boolean))
			return type_error(x, path, "a boolean", v);
		return true;
	}
	if (strcmp(type, "integer") == 0) {
		int64_t n;

		if (!json_object_is_type(v, json_type_int))
			return type_error(x, path, "an integer", v);
		n = json_object_get_int64(v);
		if (n < INT32_MIN || n > INT32_MAX)
			return type_error(x, path, "a 32-bit integer", v);
		return true;
	}
	if (strcmp(type, "number") == 0) {
		if (!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_double))
			return type_error(x, path, "a number", v);
		return true;
	}
	if (strcmp(type, "string") != 0)
		return true;
	if (!json_object_is_type(v, json_type_string))
		return type_error(x, path, "a string", v);
	if (!enum_ok(spec, json_object_get_string(v))) {
		snprintf(x->msg, x->len,
		    "Invalid value at '%s': \"%s\" is not one of the allowed "
		    "values",
		    path, json_object_get_string(v));
		return false;
	}
	/* EventDateTime.dateTime may leave the offset to timeZone */
	if (!format_ok(format_of(spec, owner, name), json_object_get_string(v),
	        owner && strcmp(owner, "EventDateTime") == 0, why,
	        sizeof(why))) {
		snprintf(
		    x->msg, x->len, "Invalid value at '%s': %s", path, why);
		return false;
	}
	return true;
}

bool
fg_check_body(
    const struct fg_method *m, struct json_object *body, char *msg, size_t len)
{
	struct vctx x = {get(m->doc, "schemas"), msg, len};
	struct json_object *spec = get(x.schemas, m->request);

	return check_object(&x, spec, m->request, "", body);
}

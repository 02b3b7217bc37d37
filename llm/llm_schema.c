/*
 * llm_schema — the JSON schema of a reading sent with every request, and
 * the strict check of what the model answers.  One table drives both, so
 * the schema and the check cannot drift apart.
 *
 * The schema keeps to the keywords every provider's structured output
 * accepts (type, properties, required, enum on strings, items,
 * description): limits a provider might reject under strict mode (length,
 * pattern, ranges) are said in the descriptions and enforced here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "llm/llm_int.h"

#define NSUBTASKS_MAX 20
#define DURATION_MAX (7 * 24 * 60)

enum ftype {
	F_KIND, /* a string from kinds[] */
	F_STR,
	F_INT,
	F_LIST, /* an array of strings */
};

enum fmt {
	FMT_NONE,
	FMT_DATE, /* "YYYY-MM-DD" or "" */
	FMT_TIME, /* "HH:MM" or "" */
};

struct field {
	const char *name;
	enum ftype type;
	size_t off;  /* in struct llm_reading */
	size_t size; /* of the buffer (of one item for F_LIST) */
	enum fmt fmt;
	bool multiline; /* newlines and tabs allowed */
	int min, max;   /* F_INT; max is the item count for F_LIST */
	const char *desc;
};

#define OFF(f) offsetof(struct llm_reading, f)
#define SIZE(f) sizeof(((struct llm_reading *)0)->f)

static const struct field fields[] = {
    {.name = "kind",
        .type = F_KIND,
        .off = OFF(kind),
        .desc = "task: something to do; event: something that happens at "
                "a time; other: a greeting, a question, a request to list "
                "or change things; unclear: cannot tell"},
    {.name = "title",
        .type = F_STR,
        .off = OFF(title),
        .size = SIZE(title),
        .desc = "short title, at most 80 characters; empty for other and "
                "unclear"},
    {.name = "notes",
        .type = F_STR,
        .off = OFF(notes),
        .size = SIZE(notes),
        .multiline = true,
        .desc = "details worth keeping, at most 300 characters, or empty"},
    {.name = "date",
        .type = F_STR,
        .off = OFF(date),
        .size = SIZE(date),
        .fmt = FMT_DATE,
        .desc = "YYYY-MM-DD, relative dates resolved against today, or "
                "empty"},
    {.name = "time",
        .type = F_STR,
        .off = OFF(time),
        .size = SIZE(time),
        .fmt = FMT_TIME,
        .desc = "start time HH:MM (24-hour), or empty"},
    {.name = "end_time",
        .type = F_STR,
        .off = OFF(end_time),
        .size = SIZE(end_time),
        .fmt = FMT_TIME,
        .desc = "end time HH:MM (24-hour), or empty"},
    {.name = "duration_min",
        .type = F_INT,
        .off = OFF(duration_min),
        .max = DURATION_MAX,
        .desc = "duration in minutes when stated, else 0"},
    {.name = "location",
        .type = F_STR,
        .off = OFF(location),
        .size = SIZE(location),
        .desc = "place, at most 80 characters, or empty"},
    {.name = "priority",
        .type = F_INT,
        .off = OFF(priority),
        .max = 3,
        .desc = "0 not stated, 1 low, 2 medium, 3 high or urgent"},
    {.name = "subtasks",
        .type = F_LIST,
        .off = OFF(subtasks),
        .size = SIZE(subtasks[0]),
        .max = NSUBTASKS_MAX,
        .desc = "steps, at most 20, each at most 40 characters; empty when "
                "there are none"},
    {.name = "question",
        .type = F_STR,
        .off = OFF(question),
        .size = SIZE(question),
        .desc = "for unclear: one short question to ask, at most 80 "
                "characters; else empty"},
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* In enum llm_kind's order. */
static const char *const kinds[] = {"task", "event", "other", "unclear"};

const char *
llm_kind_name(enum llm_kind k)
{
	if ((unsigned)k >= sizeof(kinds) / sizeof(kinds[0]))
		return "?";
	return kinds[k];
}

/* ---- UTF-8 and dates ---- */

bool
llm_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i];
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

size_t
llm_utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	/* back off continuation bytes so the cut lands before a lead */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

bool
llm_date_valid(int y, int m, int d)
{
	static const int mdays[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int last;

	if (m < 1 || m > 12 || d < 1)
		return false;
	last = mdays[m - 1] + (m == 2 && leap);
	return d <= last;
}

static bool
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int
num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* A date a draft may carry: 1970..2199, so a stray century is caught. */
static bool
date_ok(const char *s, size_t len)
{
	return len == 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) &&
	    s[7] == '-' && digits(s + 8, 2) && num(s, 4) >= 1970 &&
	    num(s, 4) <= 2199 &&
	    llm_date_valid(num(s, 4), num(s + 5, 2), num(s + 8, 2));
}

static bool
time_ok(const char *s, size_t len)
{
	return len == 5 && digits(s, 2) && s[2] == ':' && digits(s + 3, 2) &&
	    num(s, 2) <= 23 && num(s + 3, 2) <= 59;
}

/* ---- the schema ---- */

static struct json_object *
prop_of(const struct field *f)
{
	struct json_object *p = json_object_new_object(), *e, *items;

	if (p == NULL)
		return NULL;
	switch (f->type) {
	case F_KIND:
		json_object_object_add(
		    p, "type", json_object_new_string("string"));
		e = json_object_new_array();
		for (size_t i = 0; e && i < sizeof(kinds) / sizeof(kinds[0]);
		     i++)
			json_object_array_add(
			    e, json_object_new_string(kinds[i]));
		json_object_object_add(p, "enum", e);
		break;
	case F_STR:
		json_object_object_add(
		    p, "type", json_object_new_string("string"));
		break;
	case F_INT:
		json_object_object_add(
		    p, "type", json_object_new_string("integer"));
		break;
	case F_LIST:
		json_object_object_add(
		    p, "type", json_object_new_string("array"));
		items = json_object_new_object();
		json_object_object_add(
		    items, "type", json_object_new_string("string"));
		json_object_object_add(p, "items", items);
		break;
	}
	json_object_object_add(
	    p, "description", json_object_new_string(f->desc));
	return p;
}

struct json_object *
llm_schema_new(bool closed)
{
	struct json_object *s = json_object_new_object(), *props, *req;

	if (s == NULL)
		return NULL;
	props = json_object_new_object();
	req = json_object_new_array();
	json_object_object_add(s, "type", json_object_new_string("object"));
	json_object_object_add(s, "properties", props);
	json_object_object_add(s, "required", req);
	if (closed)
		json_object_object_add(
		    s, "additionalProperties", json_object_new_boolean(0));
	if (props == NULL || req == NULL)
		goto oom;
	for (size_t i = 0; i < NFIELDS; i++) {
		struct json_object *p = prop_of(&fields[i]);

		if (p == NULL ||
		    json_object_object_add(props, fields[i].name, p) != 0 ||
		    json_object_array_add(
		        req, json_object_new_string(fields[i].name)) != 0)
			goto oom;
	}
	/* a json-c allocation failing inside the loop shows up here */
	if (json_object_object_length(props) != (int)NFIELDS ||
	    json_object_array_length(req) != NFIELDS)
		goto oom;
	return s;
oom:
	json_object_put(s);
	return NULL;
}

size_t
llm_schema_describe(char *buf, size_t len)
{
	size_t n = 0;
	int k;

	if (len > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < NFIELDS; i++) {
		k = snprintf(buf + n, len - n, "\n- %s: %s", fields[i].name,
		    fields[i].desc);
		if (k < 0 || (size_t)k >= len - n)
			return len; /* cut short */
		n += (size_t)k;
	}
	return n;
}

/* ---- the check ---- */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Check one string value v for the field called name and copy it, trimmed,
 * into buf (size bytes).  Single-line strings may hold no control
 * character at all, multi-line ones newlines and tabs.  A value over the
 * limit by at most 10 % is cut at a UTF-8 boundary (models count
 * characters, not bytes); a longer one is invalid.
 */
static int
take_string(struct json_object *v, const char *name, const struct field *f,
    char *buf, size_t size, char *err, size_t errlen)
{
	const char *s;
	size_t len, limit = size - 1;

	if (!json_object_is_type(v, json_type_string))
		return fail(err, errlen, "%s: not a string", name);
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != len)
		return fail(err, errlen, "%s: holds a NUL character", name);
	if (!llm_utf8_valid(s, len))
		return fail(err, errlen, "%s: not valid UTF-8", name);
	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 || c == 0x7f) &&
		    !(f->multiline && (c == '\n' || c == '\t' || c == '\r')))
			return fail(
			    err, errlen, "%s: holds a control character", name);
	}
	if (f->fmt == FMT_DATE && len > 0 && !date_ok(s, len))
		return fail(
		    err, errlen, "%s: not a real date YYYY-MM-DD", name);
	if (f->fmt == FMT_TIME && len > 0 && !time_ok(s, len))
		return fail(err, errlen, "%s: not a time HH:MM", name);
	if (len > limit) {
		if (len > limit + limit / 10)
			return fail(err, errlen,
			    "%s: %zu bytes, over the limit of %zu", name, len,
			    limit);
		len = llm_utf8_cut(s, len, limit);
		while (len > 0 && is_space(s[len - 1]))
			len--;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

static int
take_kind(
    struct json_object *v, struct llm_reading *r, char *err, size_t errlen)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return fail(err, errlen, "kind: not a string");
	s = json_object_get_string(v);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(s, kinds[i]) == 0) {
			r->kind = (enum llm_kind)i;
			return 0;
		}
	}
	return fail(
	    err, errlen, "kind: not one of task, event, other, unclear");
}

static int
take_int(struct json_object *v, const struct field *f, int *out, char *err,
    size_t errlen)
{
	int64_t n;

	/* json-c gives 2.0 as a double and "2" as a string: both wrong */
	if (!json_object_is_type(v, json_type_int))
		return fail(err, errlen, "%s: not an integer", f->name);
	errno = 0;
	n = json_object_get_int64(v);
	if (errno != 0 || n < f->min || n > f->max)
		return fail(err, errlen, "%s: out of range %d..%d", f->name,
		    f->min, f->max);
	*out = (int)n;
	return 0;
}

static int
take_list(struct json_object *v, const struct field *f, struct llm_reading *r,
    char *err, size_t errlen)
{
	size_t n;
	char name[32];
	int rc;

	if (!json_object_is_type(v, json_type_array))
		return fail(err, errlen, "%s: not an array", f->name);
	n = json_object_array_length(v);
	if (n > (size_t)f->max)
		return fail(err, errlen, "%s: %zu items, at most %d", f->name,
		    n, f->max);
	r->nsubtasks = 0;
	for (size_t i = 0; i < n; i++) {
		char *dst = r->subtasks[r->nsubtasks];

		snprintf(name, sizeof(name), "%s[%zu]", f->name, i);
		rc = take_string(json_object_array_get_idx(v, i), name, f, dst,
		    f->size, err, errlen);
		if (rc < 0)
			return rc;
		if (dst[0] != '\0') /* an empty step says nothing: dropped */
			r->nsubtasks++;
	}
	return 0;
}

static int
take_field(const struct field *f, struct json_object *v, struct llm_reading *r,
    char *err, size_t errlen)
{
	char *base = (char *)r;

	switch (f->type) {
	case F_KIND:
		return take_kind(v, r, err, errlen);
	case F_STR:
		return take_string(
		    v, f->name, f, base + f->off, f->size, err, errlen);
	case F_INT:
		return take_int(
		    v, f, (int *)(void *)(base + f->off), err, errlen);
	case F_LIST:
		return take_list(v, f, r, err, errlen);
	}
	return fail(err, errlen, "%s: unknown type", f->name);
}

/* The key as safe text for err: printable ASCII, at most 40 bytes. */
static void
key_for_err(const char *key, char *out, size_t len)
{
	size_t i;

	for (i = 0; key[i] != '\0' && i + 1 < len && i < 40; i++)
		out[i] = (key[i] > 0x20 && key[i] < 0x7f) ? key[i] : '?';
	out[i] = '\0';
}

static const struct field *
find_field(const char *name)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

/* Parse s[0..len) as exactly one JSON value, strictly (RFC 8259, UTF-8). */
static int
parse_strict(const char *s, size_t len, struct json_object **ret, char *err,
    size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error je;

	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0)
		return fail(err, errlen, "content: empty");
	if (len > LLM_CONTENT_MAX)
		return fail(err, errlen, "content: %zu bytes, over %d", len,
		    LLM_CONTENT_MAX);
	tok = json_tokener_new();
	if (tok == NULL)
		return -ENOMEM;
	json_tokener_set_flags(
	    tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	je = json_tokener_get_error(tok);
	if (je == json_tokener_continue) {
		/* a bare number needs the end to be seen */
		o = json_tokener_parse_ex(tok, "", 1);
		je = json_tokener_get_error(tok);
	}
	if (je != json_tokener_success || o == NULL) {
		json_object_put(o);
		fail(err, errlen, "content: not JSON (%s)",
		    json_tokener_error_desc(je));
		json_tokener_free(tok);
		return -EBADMSG;
	}
	if (json_tokener_get_parse_end(tok) < len) {
		json_object_put(o);
		json_tokener_free(tok);
		return fail(err, errlen, "content: text after the JSON");
	}
	json_tokener_free(tok);
	*ret = o;
	return 0;
}

int
llm_reading_parse(const char *content, size_t len, struct llm_reading *ret,
    char *err, size_t errlen)
{
	struct json_object *root = NULL;
	bool seen[NFIELDS] = {false};
	char kname[48];
	int r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(ret, 0, sizeof(*ret));
	if (content == NULL)
		return fail(err, errlen, "content: missing");
	r = parse_strict(content, len, &root, err, errlen);
	if (r < 0)
		return r;
	if (!json_object_is_type(root, json_type_object)) {
		r = fail(err, errlen, "content: not a JSON object");
		goto out;
	}
	json_object_object_foreach(root, key, val)
	{
		const struct field *f = find_field(key);

		if (f == NULL) {
			key_for_err(key, kname, sizeof(kname));
			r = fail(err, errlen, "unknown field \"%s\"", kname);
			goto out;
		}
		seen[f - fields] = true;
		r = take_field(f, val, ret, err, errlen);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < NFIELDS; i++) {
		if (!seen[i]) {
			r = fail(err, errlen, "%s: missing", fields[i].name);
			goto out;
		}
	}
	if ((ret->kind == LLM_TASK || ret->kind == LLM_EVENT) &&
	    ret->title[0] == '\0') {
		r = fail(err, errlen, "title: empty for a %s",
		    llm_kind_name(ret->kind));
		goto out;
	}
	if (ret->kind == LLM_UNCLEAR && ret->question[0] == '\0') {
		r = fail(err, errlen, "question: empty for unclear");
		goto out;
	}
	r = 0;
out:
	json_object_put(root);
	if (r < 0)
		memset(ret, 0, sizeof(*ret));
	return r;
}

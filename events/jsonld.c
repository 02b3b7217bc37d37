/*
 * jsonld — schema.org events in <script type="application/ld+json">.
 *
 * Every script is parsed (several values in one script, HTML comment and
 * CDATA wrappers and entity-encoded JSON tolerated) and walked whole: an
 * object whose @type (or "type", the schema.org context's alias) is an
 * Event becomes an event wherever it sits — top level, an array, @graph,
 * a Place's "event", subEvent, an ItemList's itemListElement — in
 * document order, the enclosing event before the ones inside it.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "events/ev_int.h"

#define JSON_DEPTH 64 /* nesting json-c accepts, and this walk follows */

static json_object *
get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/*
 * The text of a value: a string or number itself, the first element of
 * an array that has one, an object's "@value" (then its key2 member when
 * key2 is not NULL: "@id" for links, "name" for a Country).
 */
static bool
text_of(json_object *v, const char *key2, const char **s, size_t *n, int depth)
{
	if (v == NULL || depth > 4)
		return false;
	switch (json_object_get_type(v)) {
	case json_type_string:
		*s = json_object_get_string(v);
		*n = (size_t)json_object_get_string_len(v);
		return *n > 0;
	case json_type_int:
	case json_type_double:
		*s = json_object_get_string(v);
		*n = strlen(*s);
		return true;
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (text_of(json_object_array_get_idx(v, i), key2, s, n,
			        depth + 1))
				return true;
		return false;
	case json_type_object:
		if (text_of(get(v, "@value"), NULL, s, n, depth + 1))
			return true;
		return key2 != NULL &&
		    text_of(get(v, key2), NULL, s, n, depth + 1);
	default:
		return false;
	}
}

/* Classify o's @type: any Event type, any type at all, and whether every
 * type it has is page furniture. */
static void
types(json_object *o, bool *event, bool *typed, bool *furniture)
{
	json_object *t = get(o, "@type");
	size_t k, len;

	*event = *typed = false;
	*furniture = true;
	if (t == NULL)
		t = get(o, "type");
	if (t == NULL)
		return;
	k = json_object_is_type(t, json_type_array)
	    ? json_object_array_length(t)
	    : 1;
	for (size_t i = 0; i < k && i < 16; i++) {
		json_object *one = json_object_is_type(t, json_type_array)
		    ? json_object_array_get_idx(t, i)
		    : t;
		const char *s;

		if (!json_object_is_type(one, json_type_string))
			continue;
		s = json_object_get_string(one);
		len = (size_t)json_object_get_string_len(one);
		*typed = true;
		if (ev_type_is_event(s, len))
			*event = true;
		if (!ev_type_is_boilerplate(s, len))
			*furniture = false;
	}
}

static bool
is_type(json_object *o, const char *name)
{
	json_object *t = get(o, "@type");
	const char *s, *local;
	size_t n, len;

	if (t == NULL)
		t = get(o, "type");
	if (!text_of(t, NULL, &s, &n, 0))
		return false;
	local = ev_local_name(s, n, &len);
	return len == strlen(name) && memcmp(local, name, len) == 0;
}

/* The node of the same script with this @id and more than an @id. */
static json_object *
find_id(struct ev_ctx *c, json_object *v, const char *id, int depth)
{
	json_object *found = NULL;

	if (v == NULL || depth > JSON_DEPTH || ++c->steps > EV_STEPS_MAX)
		return NULL;
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v) && !found;
		     i++)
			found = find_id(
			    c, json_object_array_get_idx(v, i), id, depth + 1);
		return found;
	}
	if (!json_object_is_type(v, json_type_object))
		return NULL;
	if (json_object_object_length(v) > 1 &&
	    json_object_is_type(get(v, "@id"), json_type_string) &&
	    strcmp(json_object_get_string(get(v, "@id")), id) == 0)
		return v;
	json_object_object_foreach(v, key, val)
	{
		(void)key;
		if (found == NULL)
			found = find_id(c, val, id, depth + 1);
	}
	return found;
}

static void
join_html(char *dst, size_t cap, const char *s, size_t n)
{
	char part[EV_TEXT_MAX];

	ev_set_html(part, sizeof(part), s, n);
	ev_join(dst, cap, part);
}

/* The parts of a PostalAddress in the usual reading order. */
static void
address(char *dst, size_t cap, json_object *a)
{
	static const char *const parts[] = {"streetAddress", "addressLocality",
	    "addressRegion", "postalCode", "addressCountry"};
	const char *s;
	size_t n;

	if (text_of(a, NULL, &s, &n, 0) &&
	    !json_object_is_type(a, json_type_object)) {
		join_html(dst, cap, s, n);
		return;
	}
	if (json_object_is_type(a, json_type_array))
		a = json_object_array_get_idx(a, 0);
	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
		if (text_of(get(a, parts[k]), "name", &s, &n, 0))
			join_html(dst, cap, s, n);
}

/* Add the place v (a name, a Place, a PostalAddress, an @id, or an array
 * of them: the first real place, an online one only failing that) to
 * e->location. */
static void
location(struct ev_ctx *c, struct ev_event *e, json_object *v,
    json_object *root, int depth)
{
	const char *s;
	size_t n;

	if (v == NULL || depth > 4)
		return;
	if (json_object_is_type(v, json_type_array)) {
		for (int pass = 0; pass < 2 && e->location[0] == '\0'; pass++)
			for (size_t i = 0; i < json_object_array_length(v) &&
			     e->location[0] == '\0';
			     i++) {
				json_object *one =
				    json_object_array_get_idx(v, i);

				if (is_type(one, "VirtualLocation") ==
				    (pass == 0))
					continue;
				location(c, e, one, root, depth + 1);
			}
		return;
	}
	if (json_object_is_type(v, json_type_string)) {
		json_object *node =
		    find_id(c, root, json_object_get_string(v), 0);

		if (node != NULL)
			location(c, e, node, root, depth + 1);
		else
			join_html(e->location, sizeof(e->location),
			    json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
		return;
	}
	if (!json_object_is_type(v, json_type_object))
		return;
	if (get(v, "name") == NULL && get(v, "address") == NULL &&
	    json_object_is_type(get(v, "@id"), json_type_string)) {
		json_object *node =
		    find_id(c, root, json_object_get_string(get(v, "@id")), 0);

		if (node != NULL && node != v)
			location(c, e, node, root, depth + 1);
		return;
	}
	if (text_of(get(v, "name"), NULL, &s, &n, 0))
		join_html(e->location, sizeof(e->location), s, n);
	if (get(v, "address") != NULL)
		address(e->location, sizeof(e->location), get(v, "address"));
	else
		address(e->location, sizeof(e->location), v);
	if (e->location[0] == '\0' && is_type(v, "VirtualLocation") &&
	    text_of(get(v, "url"), "@id", &s, &n, 0))
		join_html(e->location, sizeof(e->location), s, n);
}

static void
event_from(struct ev_ctx *c, json_object *o, json_object *root)
{
	struct ev_event *e = ev_begin(c, EV_SRC_JSONLD);
	const char *s;
	size_t n;

	if (text_of(get(o, "name"), NULL, &s, &n, 0))
		ev_set_html(e->name, sizeof(e->name), s, n);
	if (text_of(get(o, "startDate"), NULL, &s, &n, 0))
		ev_set_start(e, s, n);
	if (text_of(get(o, "endDate"), NULL, &s, &n, 0))
		ev_set_end(e, s, n);
	if (e->end[0] == '\0' && text_of(get(o, "duration"), NULL, &s, &n, 0))
		ev_set_duration(e, s, n);
	if (text_of(get(o, "url"), "@id", &s, &n, 0))
		ev_set_url(c, e->url, sizeof(e->url), s, n);
	if (text_of(get(o, "description"), NULL, &s, &n, 0))
		ev_set_html(e->description, sizeof(e->description), s, n);
	if (text_of(get(o, "eventStatus"), "@id", &s, &n, 0))
		ev_set_status(e, s, n);
	location(c, e, get(o, "location"), root, 0);
	ev_commit(c, e);
}

static void
walk(struct ev_ctx *c, json_object *v, json_object *root, int depth)
{
	bool event, typed, furniture;

	if (v == NULL || depth > JSON_DEPTH || ++c->steps > EV_STEPS_MAX)
		return;
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			walk(c, json_object_array_get_idx(v, i), root,
			    depth + 1);
		return;
	}
	if (!json_object_is_type(v, json_type_object))
		return;
	types(v, &event, &typed, &furniture);
	if (event)
		event_from(c, v, root);
	else if (typed && !furniture)
		c->other_types = true;
	json_object_object_foreach(v, key, val)
	{
		if (strcmp(key, "@context") != 0)
			walk(c, val, root, depth + 1);
	}
}

/* Parse every JSON value in s[0..n) and walk it.  Returns how many
 * parsed; *bad when something after them did not. */
static int
parse_all(struct ev_ctx *c, const char *s, size_t n, bool *bad)
{
	size_t off = 0;
	int count = 0;

	*bad = false;
	while (off < n) {
		struct json_tokener *tok;
		json_object *v;

		while (off < n && (strchr(" \t\r\n\f,;", s[off]) != NULL))
			off++;
		if (off >= n)
			break;
		tok = json_tokener_new_ex(JSON_DEPTH);
		if (tok == NULL)
			return -1;
		v = json_tokener_parse_ex(tok, s + off, (int)(n - off));
		if (v != NULL) {
			off += json_tokener_get_parse_end(tok);
		} else if (json_tokener_get_error(tok) ==
		    json_tokener_continue) {
			/* All of it was read (a value ending in a comment
			 * waits for more): tell the tokener it has ended. */
			v = json_tokener_parse_ex(tok, "", 1);
			off = n;
		}
		if (v == NULL) {
			*bad = true;
			json_tokener_free(tok);
			break;
		}
		json_tokener_free(tok);
		walk(c, v, v, 0);
		json_object_put(v);
		count++;
	}
	return count;
}

/* s without "<!-- … -->" and "<![CDATA[ … ]]>" wrappers and blanks. */
static void
unwrap(const char **s, size_t *n)
{
	static const char *const heads[] = {
	    "<!--", "//<![CDATA[", "/*<![CDATA[*/", "<![CDATA["};
	static const char *const tails[] = {"-->", "//]]>", "/*]]>*/", "]]>"};
	bool again = true;

	while (again) {
		again = false;
		while (*n > 0 && strchr(" \t\r\n\f", (*s)[0]) != NULL)
			(*s)++, (*n)--;
		while (*n > 0 && strchr(" \t\r\n\f", (*s)[*n - 1]) != NULL)
			(*n)--;
		for (size_t k = 0; k < sizeof(heads) / sizeof(heads[0]); k++) {
			size_t h = strlen(heads[k]);

			if (*n >= h && memcmp(*s, heads[k], h) == 0) {
				*s += h, *n -= h, again = true;
				break;
			}
		}
		for (size_t k = 0; k < sizeof(tails) / sizeof(tails[0]); k++) {
			size_t t = strlen(tails[k]);

			if (*n >= t && memcmp(*s + *n - t, tails[k], t) == 0) {
				*n -= t, again = true;
				break;
			}
		}
	}
}

/* A script that does not parse and reads as entity-encoded JSON
 * ("{&quot;@type&quot;: …") is decoded and tried again. */
static int
parse_script(struct ev_ctx *c, const char *s, size_t n)
{
	struct ev_buf b;
	char *copy;
	bool bad;
	int r;

	unwrap(&s, &n);
	r = parse_all(c, s, n, &bad);
	if (r < 0)
		return -ENOMEM;
	if (r > 0 || !bad || memmem(s, n, "&quot;", 6) == NULL)
		return 0;
	copy = malloc(n + 1);
	if (copy == NULL)
		return -ENOMEM;
	/* ev_buf_add_html also folds blanks, harmless in JSON outside
	 * strings and in the values read here. */
	ev_buf_init(&b, copy, n + 1);
	ev_buf_add_html(&b, s, n);
	r = parse_all(c, b.p, b.len, &bad);
	free(copy);
	return r < 0 ? -ENOMEM : 0;
}

static int
visit(struct ev_ctx *c, GumboNode *n, void *arg)
{
	const char *type = ev_attr(n, "type");
	const GumboVector *kids;
	int *err = arg;

	if (!ev_is_tag(n, GUMBO_TAG_SCRIPT))
		return EV_WALK_IN;
	while (type != NULL && (*type == ' ' || *type == '\t'))
		type++;
	if (type == NULL ||
	    !ev_prefix(type, strlen(type), "application/ld+json"))
		return EV_WALK_SKIP;
	kids = &n->v.element.children;
	for (unsigned i = 0; i < kids->length; i++) {
		const GumboNode *t = kids->data[i];

		if (t->type != GUMBO_NODE_TEXT &&
		    t->type != GUMBO_NODE_WHITESPACE &&
		    t->type != GUMBO_NODE_CDATA)
			continue;
		*err = parse_script(c, t->v.text.text, strlen(t->v.text.text));
		if (*err < 0)
			return EV_WALK_STOP;
	}
	return EV_WALK_SKIP;
}

int
ev_jsonld(struct ev_ctx *c)
{
	int err = 0;

	ev_walk(c, c->doc, visit, &err);
	return err;
}

/*
 * extract — ev_extract_html(): parse the page with gumbo (after guard.c
 * has cut hostile nesting), run the forms of markup in order of trust
 * until one finds an event, and put the primary event first.  Also the
 * list's JSON form and the small public helpers.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "events/ev_int.h"
#include "workflows/nlp.h"

typedef int form_fn(struct ev_ctx *c);

/* In order of trust; the first that finds an event ends the search. */
static form_fn *const forms[] = {
    ev_jsonld, ev_microdata, ev_rdfa, ev_mf, ev_meta, ev_text};
#define STRUCTURED 4 /* forms before ev_meta: structured markup */

struct ev_event *
ev_begin(struct ev_ctx *c, enum ev_source src)
{
	struct ev_event *e =
	    c->l->n < EV_MAX_EVENTS ? &c->l->ev[c->l->n] : &c->spare;

	memset(e, 0, sizeof(*e));
	e->source = src;
	return e;
}

static bool
same_event(const struct ev_event *a, const struct ev_event *b)
{
	return strcmp(a->name, b->name) == 0 &&
	    strcmp(a->start, b->start) == 0 && strcmp(a->url, b->url) == 0 &&
	    strcmp(a->location, b->location) == 0;
}

void
ev_commit(struct ev_ctx *c, struct ev_event *e)
{
	struct ev_list *l = c->l;

	if (e->start[0] == '\0' && e->start_raw[0] != '\0')
		ev_natural_start(c, e);
	if (e->start[0] == '\0') {
		e->tz_kind = EV_TZ_NONE;
		e->timezone[0] = '\0';
		e->all_day = false;
		e->end[0] = '\0';
	}
	/* An event that says nothing at all is no event to show. */
	if (e->name[0] == '\0' && e->start_raw[0] == '\0' &&
	    e->url[0] == '\0' && e->location[0] == '\0' &&
	    e->description[0] == '\0')
		return;
	for (size_t k = 0; k < l->n; k++)
		if (&l->ev[k] != e && same_event(&l->ev[k], e))
			return;
	l->total++;
	if (e == &l->ev[l->n])
		l->n++;
}

/* The base for relative URLs: <base href> (itself resolved against the
 * caller's base), else the caller's. */
static void
set_base(struct ev_ctx *c)
{
	GumboNode *base = ev_find_tag(c, GUMBO_TAG_BASE);
	const char *href = ev_attr(base, "href");
	const char *given = c->o->base_url;

	c->base[0] = '\0';
	if (given != NULL && strlen(given) < sizeof(c->base))
		memcpy(c->base, given, strlen(given) + 1);
	if (href == NULL)
		return;
	if (c->base[0] != '\0')
		ev_url_resolve(
		    given, href, strlen(href), c->base, sizeof(c->base));
	else if (strstr(href, "://") != NULL && strlen(href) < sizeof(c->base))
		memcpy(c->base, href, strlen(href) + 1);
	if (c->base[0] == '\0' && given != NULL &&
	    strlen(given) < sizeof(c->base))
		memcpy(c->base, given, strlen(given) + 1);
}

/* When e starts (ms), and until when it counts as upcoming: an all-day
 * event stays upcoming through its day.  false without a usable start. */
static bool
instant(
    const struct ev_event *e, const char *tz, int64_t *start, int64_t *until)
{
	struct ev_date d;
	int64_t ms;

	if (ev_date_parse(e->start, strlen(e->start), &d) < 0)
		return false;
	if (d.zone != EV_ZONE_NONE) {
		*start = (ev_date_utc(&d) - (int64_t)d.off_min * 60) * 1000;
		*until = *start;
		return true;
	}
	if (e->tz_kind == EV_TZ_NAMED)
		tz = e->timezone;
	if (nlp_instant(
	        tz != NULL ? tz : "UTC", d.y, d.mo, d.d, d.h, d.mi, &ms) < 0)
		ms = ev_date_utc(&d) * 1000; /* an unknown zone: UTC */
	else
		ms += d.s * 1000;
	*start = ms;
	*until = d.has_time ? ms : ms + 86400000 - 1;
	return true;
}

bool
ev_rank_set(struct ev_rank *r, bool has_start, int64_t start_ms,
    int64_t until_ms, int64_t now_ms)
{
	r->start = has_start ? start_ms : 0;
	r->group = !has_start ? 2 : until_ms >= now_ms ? 0 : 1;
	return r->group == 0;
}

int
ev_rank_cmp(const void *a, const void *b)
{
	const struct ev_rank *x = a, *y = b;

	if (x->group != y->group)
		return x->group - y->group;
	if (x->group == 0 && x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Upcoming events first, soonest first; then the past ones and those
 * without a start, in page order.  Nothing moves when none is upcoming or
 * now_ms is 0. */
static int
order(struct ev_list *l, const struct ev_opts *o)
{
	struct ev_rank rank[EV_MAX_EVENTS];
	struct ev_event *copy;
	bool upcoming = false;

	if (o->now_ms == 0 || l->n < 2)
		return 0;
	for (size_t k = 0; k < l->n; k++) {
		int64_t start = 0, until = 0;
		bool has = instant(&l->ev[k], o->tz, &start, &until);

		rank[k].seq = k;
		if (ev_rank_set(&rank[k], has, start, until, o->now_ms))
			upcoming = true;
	}
	if (!upcoming)
		return 0;
	qsort(rank, l->n, sizeof(rank[0]), ev_rank_cmp);
	copy = malloc(l->n * sizeof(*copy));
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, l->ev, l->n * sizeof(*copy));
	for (size_t k = 0; k < l->n; k++)
		l->ev[k] = copy[rank[k].seq];
	free(copy);
	return 0;
}

int
ev_extract_html(
    const char *buf, size_t len, const struct ev_opts *o, struct ev_list **ret)
{
	static const struct ev_opts defaults;
	GumboOptions gopts;
	GumboOutput *g = NULL;
	struct ev_list *l = NULL;
	struct ev_ctx *c = NULL;
	char *converted = NULL;
	size_t k, plen;
	int r = 0;

	if (ret == NULL || (buf == NULL && len > 0))
		return -EINVAL;
	if (len > EV_HTML_MAX)
		return -EFBIG;
	if (gumbox_load() < 0)
		return -ENOSYS; /* libgumbo.so.1 is not installed */
	gopts = kGumboDefaultOptions;
	if (o == NULL)
		o = &defaults;
	l = calloc(1, sizeof(*l));
	c = calloc(1, sizeof(*c));
	if (l == NULL || c == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = ev_charset(buf, len, &converted, &plen);
	if (r < 0)
		goto out;
	if (converted != NULL) {
		buf = converted;
		len = plen;
	}
	plen = ev_guard(buf, len);
	gopts.max_errors = 0; /* errors are not read; do not keep them */
	g = gumbo_parse_with_options(&gopts, plen > 0 ? buf : "", plen);
	if (g == NULL) {
		r = -ENOMEM;
		goto out;
	}
	c->o = o;
	c->l = l;
	c->doc = g->document;
	set_base(c);
	for (k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		r = forms[k](c);
		if (r < 0)
			goto out;
		if (l->total > 0)
			break;
	}
	if (k < STRUCTURED)
		ev_meta_merge(c);
	r = order(l, o);
out:
	if (g != NULL)
		gumbo_destroy_output(&gopts, g);
	if (c != NULL)
		ev_ids_free(c);
	free(c);
	free(converted);
	if (r < 0) {
		free(l);
		return r;
	}
	*ret = l;
	return 0;
}

void
ev_list_free(struct ev_list *l)
{
	free(l);
}

const char *
ev_source_name(enum ev_source s)
{
	static const char *const names[] = {
	    [EV_SRC_JSONLD] = "json-ld",
	    [EV_SRC_MICRODATA] = "microdata",
	    [EV_SRC_RDFA] = "rdfa",
	    [EV_SRC_MICROFORMAT] = "microformat",
	    [EV_SRC_META] = "meta",
	    [EV_SRC_TEXT] = "text",
	    [EV_SRC_ICS] = "ics",
	};

	if ((unsigned)s >= sizeof(names) / sizeof(names[0]) || names[s] == NULL)
		return "unknown";
	return names[s];
}

/* Add key: s, or null when s is empty.  0 or -ENOMEM. */
static int
add_string(json_object *o, const char *key, const char *s)
{
	json_object *v = NULL;

	if (s != NULL && s[0] != '\0') {
		v = json_object_new_string(s);
		if (v == NULL)
			return -ENOMEM;
	}
	if (json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static json_object *
event_json(const struct ev_event *e)
{
	json_object *o = json_object_new_object(), *b;
	int r = 0;

	if (o == NULL)
		return NULL;
	r |= add_string(o, "name", e->name);
	r |= add_string(o, "start", e->start);
	r |= add_string(o, "end", e->end);
	r |= add_string(o, "timezone", e->timezone);
	b = json_object_new_boolean(e->all_day);
	if (b == NULL || json_object_object_add(o, "all_day", b) < 0) {
		json_object_put(b);
		r = -ENOMEM;
	}
	r |= add_string(o, "location", e->location);
	r |= add_string(o, "url", e->url);
	r |= add_string(o, "description", e->description);
	r |= add_string(o, "status", e->status);
	r |= add_string(o, "source", ev_source_name(e->source));
	if (r != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

char *
ev_list_to_json(const struct ev_list *l)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();
	char *out = NULL;
	const char *s;

	if (root == NULL || arr == NULL ||
	    json_object_object_add(root, "events", arr) < 0) {
		json_object_put(arr);
		goto out;
	}
	for (size_t k = 0; l != NULL && k < l->n; k++) {
		json_object *e = event_json(&l->ev[k]);

		if (e == NULL || json_object_array_add(arr, e) < 0) {
			json_object_put(e);
			goto out;
		}
	}
	s = json_object_to_json_string_ext(
	    root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s != NULL)
		out = strdup(s);
out:
	json_object_put(root);
	return out;
}

/*
 * mf — events in class names: microformats2 h-event (p-name, dt-start,
 * dt-end, u-url, p-location, p-summary, p-description/e-description) and
 * the classic hCalendar vevent (summary, dtstart, dtend, url, location,
 * description), parsed as the microformats2 parsing rules say: a root's
 * properties down to the next nested root, implied name and url, nested
 * h-card/vcard locations, and the itemref include of hCalendar pages.
 * Reading one property's value (the value class pattern, <abbr title>)
 * is mf_value.c's.
 */
#include <stdio.h>
#include <string.h>

#include "events/mf_int.h"

#define REFS_MAX 8

/* A property by its class in each vocabulary. */
struct prop {
	const char *mf2, *mf1;
};

static const struct prop P_NAME = {"p-name", "summary"};
static const struct prop P_SUMMARY = {"p-summary", NULL};
static const struct prop P_START = {"dt-start", "dtstart"};
static const struct prop P_END = {"dt-end", "dtend"};
static const struct prop P_DURATION = {"dt-duration", "duration"};
static const struct prop P_URL = {"u-url", "url"};
static const struct prop P_LOCATION = {"p-location", "location"};
static const struct prop P_DESCRIPTION = {"p-description", "description"};
static const struct prop P_EDESCRIPTION = {"e-description", NULL};
static const struct prop P_STATUS = {"p-status", "status"};

/* Place properties, in the order they are joined. */
static const struct prop place_parts[] = {
    {"p-street-address", "street-address"},
    {"p-extended-address", "extended-address"},
    {"p-locality", "locality"},
    {"p-region", "region"},
    {"p-postal-code", "postal-code"},
    {"p-country-name", "country-name"},
};

/* Roots that say what a page is (an entry, a product): not an event. */
static const char *const mf1_pages[] = {"hentry", "hfeed", "hreview",
    "hreview-aggregate", "hproduct", "hrecipe", "hresume"};
static const char *const mf2_pages[] = {"h-entry", "h-feed", "h-product",
    "h-recipe", "h-review", "h-review-aggregate", "h-resume", "h-cite",
    "h-listing", "h-item"};

static bool
has(enum ev_mf_vocab v, const char *cls, const struct prop *p)
{
	const char *name = v == EV_MF2 ? p->mf2 : p->mf1;

	return name != NULL && ev_has_token(cls, name);
}

/* Does the class list carry any p-* or e-* property (mf2), or any text
 * property of hCalendar (mf1)? */
static bool
has_text_prop(enum ev_mf_vocab v, const char *cls)
{
	static const char *const mf1_text[] = {"summary", "location",
	    "description", "attendee", "organizer", "category", "contact"};

	if (v == EV_MF1) {
		for (size_t k = 0; k < sizeof(mf1_text) / sizeof(*mf1_text);
		     k++)
			if (ev_has_token(cls, mf1_text[k]))
				return true;
		return false;
	}
	for (const char *p = cls; *p != '\0';) {
		size_t len;

		p += strspn(p, " \t\r\n\f");
		len = strcspn(p, " \t\r\n\f");
		if (len > 2 && (p[0] == 'p' || p[0] == 'e') && p[1] == '-')
			return true;
		p += len;
	}
	return false;
}

typedef void mf_fn(
    struct ev_ctx *c, GumboNode *el, const char *cls, bool nested, void *arg);

static void
crawl(struct ev_ctx *c, enum ev_mf_vocab v, GumboNode *n, mf_fn *fn, void *arg,
    int depth)
{
	const char *cls;
	const GumboVector *kids;
	bool nested;

	if (n->type != GUMBO_NODE_ELEMENT || depth > EV_DEPTH_MAX ||
	    ++c->steps > EV_STEPS_MAX)
		return;
	cls = ev_attr(n, "class");
	nested = ev_mf_is_root(v, cls);
	if (cls != NULL)
		fn(c, n, cls, nested, arg);
	if (nested)
		return;
	kids = &n->v.element.children;
	for (unsigned i = 0; i < kids->length; i++)
		crawl(c, v, kids->data[i], fn, arg, depth + 1);
}

/* Call fn for the elements below root that may carry its properties,
 * then for those its itemref names (the hCalendar include pattern). */
static void
props(
    struct ev_ctx *c, enum ev_mf_vocab v, GumboNode *root, mf_fn *fn, void *arg)
{
	const GumboVector *kids = &root->v.element.children;
	const char *refs = ev_attr(root, "itemref");
	int k = 0;

	for (unsigned i = 0; i < kids->length; i++)
		crawl(c, v, kids->data[i], fn, arg, 1);
	for (const char *p = refs; p != NULL && *p != '\0' && k < REFS_MAX;
	     k++) {
		size_t len;
		GumboNode *el;

		p += strspn(p, " \t\r\n\f");
		len = strcspn(p, " \t\r\n\f");
		if (len == 0)
			break;
		el = ev_by_id(c, p, len);
		if (el != NULL && el != root)
			crawl(c, v, el, fn, arg, 1);
		p += len;
	}
}

/* A place: its name and address parts, from a nested h-card, h-adr,
 * vcard or adr. */
struct place {
	enum ev_mf_vocab v;
	char name[EV_TEXT_MAX / 4];
	char part[6][EV_TEXT_MAX / 8];
	int level;
};

static void
place_prop(
    struct ev_ctx *c, GumboNode *el, const char *cls, bool nested, void *arg)
{
	struct place *p = arg;
	char v[EV_TEXT_MAX];
	struct ev_buf b;

	if (nested && p->level < 2 &&
	    (ev_has_token(cls, p->v == EV_MF2 ? "p-adr" : "adr"))) {
		struct place inner = {.v = p->v, .level = p->level + 1};

		props(c, p->v, el, place_prop, &inner);
		for (size_t k = 0; k < 6; k++)
			if (p->part[k][0] == '\0')
				memcpy(p->part[k], inner.part[k],
				    sizeof(p->part[k]));
		return;
	}
	if (nested)
		return;
	for (size_t k = 0; k < 6; k++) {
		if (!has(p->v, cls, &place_parts[k]) || p->part[k][0] != '\0')
			continue;
		ev_buf_init(&b, v, sizeof(v));
		ev_mf_text_value(c, p->v, el, &b);
		ev_set_text(p->part[k], sizeof(p->part[k]), v, b.len);
	}
	if (p->name[0] == '\0' &&
	    (p->v == EV_MF2
	            ? ev_has_token(cls, "p-name")
	            : ev_has_token(cls, "fn") || ev_has_token(cls, "org"))) {
		ev_buf_init(&b, v, sizeof(v));
		ev_mf_text_value(c, p->v, el, &b);
		ev_set_text(p->name, sizeof(p->name), v, b.len);
	}
}

struct reading {
	enum ev_mf_vocab v;
	struct ev_event *e;
	char summary[EV_TEXT_MAX];
	char start[EV_TIME_MAX * 2], end[EV_TIME_MAX * 2], duration[32];
	bool text_props, nested;
};

static void
location(struct ev_ctx *c, struct reading *rd, GumboNode *el, bool nested)
{
	struct ev_event *e = rd->e;
	char v[EV_TEXT_MAX];
	struct ev_buf b;

	if (nested) {
		struct place p = {.v = rd->v, .level = 0};

		props(c, rd->v, el, place_prop, &p);
		if (p.name[0] == '\0' &&
		    ev_has_token(ev_attr(el, "class"),
		        rd->v == EV_MF2 ? "h-card" : "vcard")) {
			ev_buf_init(&b, v, sizeof(v));
			ev_node_text(c, el, &b);
			if (p.part[0][0] == '\0' && p.part[2][0] == '\0')
				ev_set_text(p.name, sizeof(p.name), v, b.len);
		}
		ev_join(e->location, sizeof(e->location), p.name);
		for (size_t k = 0; k < 6; k++)
			ev_join(e->location, sizeof(e->location), p.part[k]);
		if (e->location[0] != '\0')
			return;
	}
	ev_buf_init(&b, v, sizeof(v));
	ev_mf_text_value(c, rd->v, el, &b);
	ev_join(e->location, sizeof(e->location), v);
}

static void
event_prop(
    struct ev_ctx *c, GumboNode *el, const char *cls, bool nested, void *arg)
{
	struct reading *rd = arg;
	struct ev_event *e = rd->e;
	enum ev_mf_vocab v = rd->v;
	char val[EV_URL_MAX];
	struct ev_buf b;

	if (has_text_prop(v, cls))
		rd->text_props = true;
	if (nested)
		rd->nested = true;
	ev_buf_init(&b, val, sizeof(val));
	if (has(v, cls, &P_LOCATION) && e->location[0] == '\0')
		location(c, rd, el, nested);
	if (nested)
		return; /* a nested item only gives a location */
	if (has(v, cls, &P_NAME) && e->name[0] == '\0') {
		ev_mf_text_value(c, v, el, &b);
		ev_set_text(e->name, sizeof(e->name), val, b.len);
	}
	if (has(v, cls, &P_SUMMARY) && rd->summary[0] == '\0') {
		ev_buf_init(&b, val, sizeof(val));
		ev_mf_text_value(c, v, el, &b);
		ev_set_text(rd->summary, sizeof(rd->summary), val, b.len);
	}
	if (has(v, cls, &P_START) && rd->start[0] == '\0')
		ev_mf_dt_value(c, v, el, rd->start, sizeof(rd->start));
	if (has(v, cls, &P_END) && rd->end[0] == '\0')
		ev_mf_dt_value(c, v, el, rd->end, sizeof(rd->end));
	if (has(v, cls, &P_DURATION) && rd->duration[0] == '\0') {
		ev_buf_init(&b, val, sizeof(val));
		ev_mf_dt_piece(c, el, &b);
		ev_set_text(rd->duration, sizeof(rd->duration), val, b.len);
	}
	if (has(v, cls, &P_URL) && e->url[0] == '\0') {
		ev_buf_init(&b, val, sizeof(val));
		ev_mf_url_value(c, v, el, &b);
		ev_set_url(c, e->url, sizeof(e->url), val, b.len);
	}
	if ((has(v, cls, &P_DESCRIPTION) || has(v, cls, &P_EDESCRIPTION)) &&
	    e->description[0] == '\0') {
		ev_buf_init(&b, val, sizeof(val));
		ev_mf_text_value(c, v, el, &b);
		ev_set_text(e->description, sizeof(e->description), val, b.len);
	}
	if (has(v, cls, &P_STATUS) && e->status[0] == '\0') {
		ev_buf_init(&b, val, sizeof(val));
		ev_mf_text_value(c, v, el, &b);
		ev_set_status(e, val, b.len);
	}
}

/* A dt-end written as a time alone is on the start's day. */
static void
set_end(struct reading *rd)
{
	struct ev_date d;
	char end[EV_TIME_MAX * 2];

	if (rd->end[0] == '\0')
		return;
	if (ev_date_parse(rd->end, strlen(rd->end), &d) == 0) {
		ev_set_end(rd->e, rd->end, strlen(rd->end));
		return;
	}
	if (strlen(rd->e->start) < 10)
		return;
	snprintf(end, sizeof(end), "%.10sT%s", rd->e->start, rd->end);
	ev_set_end(rd->e, end, strlen(end));
}

/* The implied name and url of the microformats2 parsing rules. */
static void
implied(struct ev_ctx *c, struct reading *rd, GumboNode *root)
{
	struct ev_event *e = rd->e;
	const GumboVector *kids = &root->v.element.children;
	GumboNode *only_a = NULL;
	int links = 0;
	char v[EV_TEXT_MAX];
	struct ev_buf b;
	const char *u;

	if (e->name[0] == '\0' && rd->summary[0] != '\0')
		memcpy(e->name, rd->summary, sizeof(e->name));
	if (e->name[0] == '\0' && !rd->text_props && !rd->nested) {
		ev_buf_init(&b, v, sizeof(v));
		ev_mf_plain_text(c, root, &b);
		ev_set_text(e->name, sizeof(e->name), v, b.len);
	}
	if (e->url[0] != '\0')
		return;
	for (unsigned i = 0; i < kids->length; i++) {
		GumboNode *k = kids->data[i];

		if (ev_is_tag(k, GUMBO_TAG_A) && ev_attr(k, "href") != NULL &&
		    !ev_mf_is_root(rd->v, ev_attr(k, "class")))
			only_a = k, links++;
	}
	if ((ev_is_tag(root, GUMBO_TAG_A) || ev_is_tag(root, GUMBO_TAG_AREA)) &&
	    (u = ev_attr(root, "href")) != NULL)
		ev_set_url(c, e->url, sizeof(e->url), u, strlen(u));
	else if (links == 1)
		ev_set_url(c, e->url, sizeof(e->url), ev_attr(only_a, "href"),
		    strlen(ev_attr(only_a, "href")));
}

static bool
page_kind(const char *cls)
{
	for (size_t k = 0; k < sizeof(mf2_pages) / sizeof(*mf2_pages); k++)
		if (ev_has_token(cls, mf2_pages[k]))
			return true;
	for (size_t k = 0; k < sizeof(mf1_pages) / sizeof(*mf1_pages); k++)
		if (ev_has_token(cls, mf1_pages[k]))
			return true;
	return false;
}

static int
visit(struct ev_ctx *c, GumboNode *n, void *arg)
{
	const char *cls = ev_attr(n, "class");
	struct reading rd;

	(void)arg;
	if (cls == NULL)
		return EV_WALK_IN;
	if (ev_has_token(cls, "h-event"))
		rd.v = EV_MF2;
	else if (ev_has_token(cls, "vevent"))
		rd.v = EV_MF1;
	else {
		if (page_kind(cls))
			c->other_types = true;
		return EV_WALK_IN;
	}
	rd.e = ev_begin(c, EV_SRC_MICROFORMAT);
	rd.summary[0] = rd.start[0] = rd.end[0] = rd.duration[0] = '\0';
	rd.text_props = rd.nested = false;
	props(c, rd.v, n, event_prop, &rd);
	if (rd.start[0] != '\0')
		ev_set_start(rd.e, rd.start, strlen(rd.start));
	set_end(&rd);
	if (rd.duration[0] != '\0')
		ev_set_duration(rd.e, rd.duration, strlen(rd.duration));
	implied(c, &rd, n);
	ev_commit(c, rd.e);
	return EV_WALK_IN;
}

int
ev_mf(struct ev_ctx *c)
{
	ev_walk(c, c->doc, visit, NULL);
	return 0;
}

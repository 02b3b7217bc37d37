/*
 * microdata — schema.org events written as HTML attributes: microdata
 * (itemscope, itemtype, itemprop, itemref) and RDFa (typeof, property,
 * rel), which describe the same items with different attribute names.
 *
 * An item's properties are the elements with a property attribute below
 * it, not looking inside nested items (a nested item with a property
 * attribute is itself that property's value), plus for microdata the
 * elements its itemref names.  A value is the content attribute, a link's
 * href or a media element's src, a <time>'s datetime, or the text.
 */
#include <string.h>

#include "events/ev_int.h"

#define REFS_MAX 16  /* itemref ids followed per item */
#define LEVELS_MAX 3 /* event → place → address */

struct flavour {
	enum ev_source src;
	const char *item;  /* attribute that makes an item */
	const char *types; /* attribute that lists its types */
	const char *prop;  /* attribute that names properties */
	const char *rel;   /* a second one (RDFa rel), or NULL */
	bool itemref;
};

static const struct flavour microdata = {
    EV_SRC_MICRODATA, "itemscope", "itemtype", "itemprop", NULL, true};
static const struct flavour rdfa = {
    EV_SRC_RDFA, "typeof", "typeof", "property", "rel", false};

typedef void prop_fn(struct ev_ctx *c, const struct flavour *f, GumboNode *el,
    const char *name, size_t len, void *arg);

static bool
is_item(const struct flavour *f, const GumboNode *n)
{
	return ev_attr(n, f->item) != NULL;
}

/* Does an element start a description of something else (RDFa about)? */
static bool
is_boundary(const struct flavour *f, const GumboNode *n)
{
	return is_item(f, n) ||
	    (f->src == EV_SRC_RDFA && ev_attr(n, "about") != NULL);
}

static void
each_name(struct ev_ctx *c, const struct flavour *f, GumboNode *el,
    const char *list, prop_fn *fn, void *arg)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t len, local_len;
		const char *local;

		p += strspn(p, " \t\r\n\f");
		len = strcspn(p, " \t\r\n\f");
		if (len > 0) {
			local = ev_local_name(p, len, &local_len);
			if (local_len > 0)
				fn(c, f, el, local, local_len, arg);
		}
		p += len;
	}
}

static void
crawl(struct ev_ctx *c, const struct flavour *f, GumboNode *n, prop_fn *fn,
    void *arg, int depth)
{
	const GumboVector *kids;

	if (n->type != GUMBO_NODE_ELEMENT || depth > EV_DEPTH_MAX ||
	    ++c->steps > EV_STEPS_MAX)
		return;
	each_name(c, f, n, ev_attr(n, f->prop), fn, arg);
	if (f->rel != NULL && is_item(f, n))
		each_name(c, f, n, ev_attr(n, f->rel), fn, arg);
	if (is_boundary(f, n))
		return;
	kids = &n->v.element.children;
	for (unsigned i = 0; i < kids->length; i++)
		crawl(c, f, kids->data[i], fn, arg, depth + 1);
}

/* Call fn for every property of item. */
static void
props(struct ev_ctx *c, const struct flavour *f, GumboNode *item, prop_fn *fn,
    void *arg)
{
	const GumboVector *kids = &item->v.element.children;
	const char *refs, *p;
	int k = 0;

	for (unsigned i = 0; i < kids->length; i++)
		crawl(c, f, kids->data[i], fn, arg, 1);
	if (!f->itemref || (refs = ev_attr(item, "itemref")) == NULL)
		return;
	for (p = refs; *p != '\0' && k < REFS_MAX; k++) {
		size_t len;
		GumboNode *el;

		p += strspn(p, " \t\r\n\f");
		len = strcspn(p, " \t\r\n\f");
		if (len == 0)
			break;
		el = ev_by_id(c, p, len);
		if (el != NULL && el != item)
			crawl(c, f, el, fn, arg, 1);
		p += len;
	}
}

/* The value of property element el into b; *is_url when it came from a
 * link attribute. */
static void
value(struct ev_ctx *c, const struct flavour *f, GumboNode *el,
    struct ev_buf *b, bool *is_url)
{
	const char *v = ev_attr(el, "content");

	*is_url = false;
	if (v == NULL) {
		switch (el->v.element.tag) {
		case GUMBO_TAG_A:
		case GUMBO_TAG_AREA:
		case GUMBO_TAG_LINK:
			v = ev_attr(el, "href");
			break;
		case GUMBO_TAG_IMG:
		case GUMBO_TAG_AUDIO:
		case GUMBO_TAG_VIDEO:
		case GUMBO_TAG_SOURCE:
		case GUMBO_TAG_EMBED:
		case GUMBO_TAG_IFRAME:
		case GUMBO_TAG_TRACK:
			v = ev_attr(el, "src");
			break;
		case GUMBO_TAG_OBJECT:
			v = ev_attr(el, "data");
			break;
		case GUMBO_TAG_DATA:
		case GUMBO_TAG_METER:
			v = ev_attr(el, "value");
			break;
		default:
			break;
		}
		*is_url = v != NULL && el->v.element.tag != GUMBO_TAG_DATA &&
		    el->v.element.tag != GUMBO_TAG_METER;
	}
	if (v == NULL && f->src == EV_SRC_RDFA && !is_item(f, el) &&
	    (v = ev_attr(el, "resource")) != NULL)
		*is_url = true;
	if (v == NULL)
		v = ev_attr(el, "datetime");
	if (v != NULL)
		ev_buf_add(b, v, strlen(v));
	else
		ev_node_text(c, el, b);
}

static bool
named(const char *name, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(name, want, len) == 0;
}

/* A place being read: its name, its address as text or in parts. */
struct place {
	char name[EV_TEXT_MAX / 4];
	char text[EV_TEXT_MAX / 2]; /* address given as one text */
	char part[5][EV_TEXT_MAX / 8];
	int level;
};

static const char *const address_parts[] = {"streetAddress", "addressLocality",
    "addressRegion", "postalCode", "addressCountry"};

static void place_prop(struct ev_ctx *c, const struct flavour *f, GumboNode *el,
    const char *name, size_t len, void *arg);

static void
read_place(
    struct ev_ctx *c, const struct flavour *f, GumboNode *item, struct place *p)
{
	memset(p->name, 0, sizeof(p->name));
	p->text[0] = '\0';
	for (size_t k = 0; k < 5; k++)
		p->part[k][0] = '\0';
	props(c, f, item, place_prop, p);
}

/* The place (or address) as "name, street, locality, …" into dst. */
static void
place_text(const struct place *p, char *dst, size_t cap)
{
	ev_join(dst, cap, p->name);
	ev_join(dst, cap, p->text);
	for (size_t k = 0; k < 5; k++)
		ev_join(dst, cap, p->part[k]);
}

static void
place_prop(struct ev_ctx *c, const struct flavour *f, GumboNode *el,
    const char *name, size_t len, void *arg)
{
	struct place *p = arg;
	char v[EV_TEXT_MAX];
	struct ev_buf b;
	bool is_url;

	if (named(name, len, "address") && p->text[0] == '\0') {
		if (is_item(f, el) && p->level < LEVELS_MAX) {
			struct place a;

			a.level = p->level + 1;
			read_place(c, f, el, &a);
			place_text(&a, p->text, sizeof(p->text));
			return;
		}
		ev_buf_init(&b, v, sizeof(v));
		value(c, f, el, &b, &is_url);
		if (!is_url)
			ev_set_text(p->text, sizeof(p->text), v, b.len);
		return;
	}
	for (size_t k = 0; k < 5; k++) {
		if (!named(name, len, address_parts[k]) ||
		    p->part[k][0] != '\0')
			continue;
		ev_buf_init(&b, v, sizeof(v));
		value(c, f, el, &b, &is_url);
		ev_set_text(p->part[k], sizeof(p->part[k]), v, b.len);
		return;
	}
	if (named(name, len, "name") && p->name[0] == '\0') {
		ev_buf_init(&b, v, sizeof(v));
		value(c, f, el, &b, &is_url);
		ev_set_text(p->name, sizeof(p->name), v, b.len);
	}
}

struct reading {
	struct ev_event *e;
	char duration[32];
};

static void
event_prop(struct ev_ctx *c, const struct flavour *f, GumboNode *el,
    const char *name, size_t len, void *arg)
{
	struct reading *rd = arg;
	struct ev_event *e = rd->e;
	char v[EV_URL_MAX];
	struct ev_buf b;
	bool is_url;

	if (named(name, len, "location")) {
		struct place p;

		if (e->location[0] != '\0')
			return;
		if (is_item(f, el)) {
			p.level = 1;
			read_place(c, f, el, &p);
			place_text(&p, e->location, sizeof(e->location));
			return;
		}
		ev_buf_init(&b, v, sizeof(v));
		value(c, f, el, &b, &is_url);
		if (!is_url)
			ev_join(e->location, sizeof(e->location), v);
		return;
	}
	if (is_item(f, el))
		return; /* another item: not a name, date or link */
	ev_buf_init(&b, v, sizeof(v));
	if (named(name, len, "name") && e->name[0] == '\0') {
		value(c, f, el, &b, &is_url);
		ev_set_text(e->name, sizeof(e->name), v, b.len);
	} else if (named(name, len, "startDate") && e->start_raw[0] == '\0') {
		value(c, f, el, &b, &is_url);
		ev_set_start(e, v, b.len);
	} else if (named(name, len, "endDate") && e->end[0] == '\0') {
		value(c, f, el, &b, &is_url);
		ev_set_end(e, v, b.len);
	} else if (named(name, len, "duration") && rd->duration[0] == '\0') {
		value(c, f, el, &b, &is_url);
		ev_set_text(rd->duration, sizeof(rd->duration), v, b.len);
	} else if (named(name, len, "url") && e->url[0] == '\0') {
		value(c, f, el, &b, &is_url);
		ev_set_url(c, e->url, sizeof(e->url), v, b.len);
	} else if (named(name, len, "description") &&
	    e->description[0] == '\0') {
		value(c, f, el, &b, &is_url);
		ev_set_text(e->description, sizeof(e->description), v, b.len);
	} else if (named(name, len, "eventStatus") && e->status[0] == '\0') {
		value(c, f, el, &b, &is_url);
		ev_set_status(e, v, b.len);
	}
}

/* Classify the item's types as jsonld.c does. */
static void
types(const char *list, bool *event, bool *furniture)
{
	const char *p = list;

	*event = false;
	*furniture = true;
	while (*p != '\0') {
		size_t len;

		p += strspn(p, " \t\r\n\f");
		len = strcspn(p, " \t\r\n\f");
		if (len == 0)
			break;
		if (ev_type_is_event(p, len))
			*event = true;
		if (!ev_type_is_boilerplate(p, len))
			*furniture = false;
		p += len;
	}
}

static int
visit(struct ev_ctx *c, GumboNode *n, void *arg)
{
	const struct flavour *f = arg;
	struct reading rd;
	const char *list;
	bool event, furniture;

	if (!is_item(f, n) || (list = ev_attr(n, f->types)) == NULL)
		return EV_WALK_IN;
	types(list, &event, &furniture);
	if (!event) {
		if (list[strspn(list, " \t\r\n\f")] != '\0' && !furniture)
			c->other_types = true;
		return EV_WALK_IN;
	}
	rd.e = ev_begin(c, f->src);
	rd.duration[0] = '\0';
	props(c, f, n, event_prop, &rd);
	if (rd.duration[0] != '\0')
		ev_set_duration(rd.e, rd.duration, strlen(rd.duration));
	ev_commit(c, rd.e);
	return EV_WALK_IN;
}

int
ev_microdata(struct ev_ctx *c)
{
	ev_walk(c, c->doc, visit, (void *)&microdata);
	return 0;
}

int
ev_rdfa(struct ev_ctx *c)
{
	ev_walk(c, c->doc, visit, (void *)&rdfa);
	return 0;
}

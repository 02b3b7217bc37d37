/*
 * dom — walking gumbo's tree within limits: EV_DEPTH_MAX levels, a step
 * budget for the whole extraction, text content bounded by its buffer,
 * and an id index for itemref.
 */
#include <stdlib.h>
#include <string.h>

#include "events/ev_int.h"

struct ev_id {
	const char *id;
	GumboNode *node;
	size_t order; /* document order: the first of equal ids wins */
};

const char *
ev_attr(const GumboNode *n, const char *name)
{
	const GumboAttribute *a;

	if (n == NULL ||
	    (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE))
		return NULL;
	a = gumbo_get_attribute(&n->v.element.attributes, name);
	return a != NULL ? a->value : NULL;
}

bool
ev_is_tag(const GumboNode *n, GumboTag tag)
{
	return n != NULL &&
	    (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) &&
	    n->v.element.tag == tag;
}

static const GumboVector *
children(const GumboNode *n)
{
	switch (n->type) {
	case GUMBO_NODE_DOCUMENT:
		return &n->v.document.children;
	case GUMBO_NODE_ELEMENT:
	case GUMBO_NODE_TEMPLATE:
		return &n->v.element.children;
	default:
		return NULL;
	}
}

static int
walk(struct ev_ctx *c, GumboNode *n, ev_visit_fn *visit, void *arg, int depth)
{
	const GumboVector *kids = children(n);
	int r;

	if (kids == NULL)
		return 0;
	if (++c->steps > EV_STEPS_MAX)
		return EV_WALK_STOP;
	if (n->type != GUMBO_NODE_DOCUMENT) {
		r = visit(c, n, arg);
		if (r == EV_WALK_STOP)
			return EV_WALK_STOP;
		if (r == EV_WALK_SKIP)
			return 0;
	}
	if (depth >= EV_DEPTH_MAX)
		return 0;
	for (unsigned i = 0; i < kids->length; i++)
		if (walk(c, kids->data[i], visit, arg, depth + 1) ==
		    EV_WALK_STOP)
			return EV_WALK_STOP;
	return 0;
}

int
ev_walk(struct ev_ctx *c, GumboNode *n, ev_visit_fn *visit, void *arg)
{
	if (n == NULL)
		return 0;
	return walk(c, n, visit, arg, 0);
}

/* Elements whose edges separate words in text content. */
static bool
breaks_words(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_P:
	case GUMBO_TAG_DIV:
	case GUMBO_TAG_BR:
	case GUMBO_TAG_LI:
	case GUMBO_TAG_UL:
	case GUMBO_TAG_OL:
	case GUMBO_TAG_TR:
	case GUMBO_TAG_TD:
	case GUMBO_TAG_TH:
	case GUMBO_TAG_TABLE:
	case GUMBO_TAG_H1:
	case GUMBO_TAG_H2:
	case GUMBO_TAG_H3:
	case GUMBO_TAG_H4:
	case GUMBO_TAG_H5:
	case GUMBO_TAG_H6:
	case GUMBO_TAG_HR:
	case GUMBO_TAG_SECTION:
	case GUMBO_TAG_ARTICLE:
	case GUMBO_TAG_HEADER:
	case GUMBO_TAG_FOOTER:
	case GUMBO_TAG_DD:
	case GUMBO_TAG_DT:
	case GUMBO_TAG_BLOCKQUOTE:
	case GUMBO_TAG_ADDRESS:
	case GUMBO_TAG_PRE:
	case GUMBO_TAG_TITLE:
		return true;
	default:
		return false;
	}
}

static void
text(struct ev_ctx *c, const GumboNode *n, struct ev_buf *b, ev_skip_fn *skip,
    int depth)
{
	const GumboVector *kids;
	bool brk;

	if (b->full || ++c->steps > EV_STEPS_MAX)
		return;
	switch (n->type) {
	case GUMBO_NODE_TEXT:
	case GUMBO_NODE_WHITESPACE:
	case GUMBO_NODE_CDATA:
		ev_buf_add(b, n->v.text.text, strlen(n->v.text.text));
		return;
	case GUMBO_NODE_ELEMENT:
		switch (n->v.element.tag) {
		case GUMBO_TAG_SCRIPT:
		case GUMBO_TAG_STYLE:
		case GUMBO_TAG_NOSCRIPT:
		case GUMBO_TAG_TEMPLATE:
			return;
		default:
			break;
		}
		if (skip != NULL && skip(n))
			return;
		break;
	case GUMBO_NODE_DOCUMENT:
		break;
	default:
		return;
	}
	if (depth >= EV_DEPTH_MAX || (kids = children(n)) == NULL)
		return;
	brk = n->type == GUMBO_NODE_ELEMENT && breaks_words(n->v.element.tag);
	if (brk)
		b->space = true;
	for (unsigned i = 0; i < kids->length && !b->full; i++)
		text(c, kids->data[i], b, skip, depth + 1);
	if (brk)
		b->space = true;
}

void
ev_node_text(struct ev_ctx *c, const GumboNode *n, struct ev_buf *b)
{
	if (n != NULL)
		text(c, n, b, NULL, 0);
}

void
ev_node_text_if(
    struct ev_ctx *c, const GumboNode *n, struct ev_buf *b, ev_skip_fn *skip)
{
	if (n != NULL)
		text(c, n, b, skip, 0);
}

bool
ev_is_stamp(const GumboNode *n)
{
	static const char *const words[] = {"publish", "updated", "modified",
	    "posted", "created", "byline", "dateline", "timestamp", "copyright",
	    "comment"};
	const char *attrs[] = {ev_attr(n, "class"), ev_attr(n, "itemprop"),
	    ev_attr(n, "property"), ev_attr(n, "id"), ev_attr(n, "rel")};

	if (ev_attr(n, "pubdate") != NULL)
		return true;
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		for (size_t k = 0;
		     attrs[i] != NULL && k < sizeof(words) / sizeof(words[0]);
		     k++)
			if (strcasestr(attrs[i], words[k]) != NULL)
				return true;
	return false;
}

struct ids {
	struct ev_id *v;
	size_t n, cap;
	bool failed;
};

static int
collect_id(struct ev_ctx *c, GumboNode *n, void *arg)
{
	struct ids *ids = arg;
	const char *id = ev_attr(n, "id");

	if (id == NULL || id[0] == '\0' || ids->failed)
		return EV_WALK_IN;
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 64;
		struct ev_id *v = realloc(ids->v, cap * sizeof(*v));

		if (v == NULL) {
			ids->failed = true;
			return EV_WALK_STOP;
		}
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n].id = id;
	ids->v[ids->n].node = n;
	ids->v[ids->n].order = ids->n;
	ids->n++;
	return EV_WALK_IN;
}

static int
cmp_id(const void *a, const void *b)
{
	const struct ev_id *x = a, *y = b;
	int r = strcmp(x->id, y->id);

	if (r != 0)
		return r;
	return x->order < y->order ? -1 : x->order > y->order;
}

GumboNode *
ev_by_id(struct ev_ctx *c, const char *id, size_t n)
{
	size_t lo = 0, hi;

	if (!c->ids_built) {
		struct ids ids = {0};

		c->ids_built = true;
		ev_walk(c, c->doc, collect_id, &ids);
		if (ids.failed) {
			free(ids.v);
			return NULL;
		}
		if (ids.n > 1)
			qsort(ids.v, ids.n, sizeof(*ids.v), cmp_id);
		c->ids = ids.v;
		c->nids = ids.n;
	}
	/* The first entry not below id. */
	hi = c->nids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strncmp(c->ids[mid].id, id, n);

		if (r == 0 && c->ids[mid].id[n] != '\0')
			r = 1;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->nids && strncmp(c->ids[lo].id, id, n) == 0 &&
	    c->ids[lo].id[n] == '\0')
		return c->ids[lo].node;
	return NULL;
}

void
ev_ids_free(struct ev_ctx *c)
{
	free(c->ids);
	c->ids = NULL;
	c->nids = 0;
}

struct find {
	GumboTag tag;
	GumboNode *found;
};

static int
find_tag(struct ev_ctx *c, GumboNode *n, void *arg)
{
	struct find *f = arg;

	if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == f->tag) {
		f->found = n;
		return EV_WALK_STOP;
	}
	return EV_WALK_IN;
}

GumboNode *
ev_find_tag(struct ev_ctx *c, GumboTag tag)
{
	struct find f = {tag, NULL};

	ev_walk(c, c->doc, find_tag, &f);
	return f.found;
}

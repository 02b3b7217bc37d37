/*
 * meta — events a page states in its meta tags (OpenGraph-style
 * "event:start_time" next to og:title and og:url), else a <time datetime>
 * beside the page's first heading; and og:url and og:description lent to
 * a structured event that has none when og:title names the same event.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events/ev_int.h"

#define NEAR_STEPS 400 /* elements searched around the heading */

struct meta {
	char title[EV_TEXT_MAX];
	char url[EV_URL_MAX];
	char type[64];
	char description[EV_TEXT_MAX];
	char start[EV_TIME_MAX * 2], end[EV_TIME_MAX * 2];
	char location[EV_TEXT_MAX];
};

enum field {
	F_TITLE,
	F_URL,
	F_TYPE,
	F_DESCRIPTION,
	F_START,
	F_END,
	F_LOCATION
};

static const struct {
	const char *key;
	enum field f;
} keys[] = {
    {"og:title", F_TITLE},
    {"twitter:title", F_TITLE},
    {"og:url", F_URL},
    {"og:type", F_TYPE},
    {"og:description", F_DESCRIPTION},
    {"description", F_DESCRIPTION},
    {"event:start_time", F_START},
    {"event:start_date", F_START},
    {"event:start", F_START},
    {"event:startdate", F_START},
    {"og:start_time", F_START},
    {"og:event:start_time", F_START},
    {"event:end_time", F_END},
    {"event:end_date", F_END},
    {"event:end", F_END},
    {"event:enddate", F_END},
    {"og:end_time", F_END},
    {"og:event:end_time", F_END},
    {"event:location", F_LOCATION},
    {"event:location:name", F_LOCATION},
    {"event:venue", F_LOCATION},
    {"og:location", F_LOCATION},
};

static char *
slot(struct meta *m, enum field f, size_t *cap)
{
	switch (f) {
	case F_TITLE:
		*cap = sizeof(m->title);
		return m->title;
	case F_URL:
		*cap = sizeof(m->url);
		return m->url;
	case F_TYPE:
		*cap = sizeof(m->type);
		return m->type;
	case F_DESCRIPTION:
		*cap = sizeof(m->description);
		return m->description;
	case F_START:
		*cap = sizeof(m->start);
		return m->start;
	case F_END:
		*cap = sizeof(m->end);
		return m->end;
	default:
		*cap = sizeof(m->location);
		return m->location;
	}
}

static int
collect(struct ev_ctx *c, GumboNode *n, void *arg)
{
	struct meta *m = arg;
	const char *key, *content;

	(void)c;
	if (!ev_is_tag(n, GUMBO_TAG_META))
		return EV_WALK_IN;
	key = ev_attr(n, "property");
	if (key == NULL)
		key = ev_attr(n, "name");
	content = ev_attr(n, "content");
	if (key == NULL || content == NULL)
		return EV_WALK_SKIP;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t cap;
		char *dst;

		if (strcasecmp(key, keys[k].key) != 0)
			continue;
		dst = slot(m, keys[k].f, &cap);
		if (dst[0] == '\0')
			ev_set_text(dst, cap, content, strlen(content));
		break;
	}
	return EV_WALK_SKIP;
}

static void
read_meta(struct ev_ctx *c, struct meta *m)
{
	memset(m, 0, sizeof(*m));
	ev_walk(c, c->doc, collect, m);
}

static void
title_text(struct ev_ctx *c, GumboTag tag, char *dst, size_t cap)
{
	GumboNode *t = ev_find_tag(c, tag);
	struct ev_buf b;

	ev_buf_init(&b, dst, cap);
	if (t != NULL)
		ev_node_text(c, t, &b);
}

struct near {
	GumboNode *time;
	int steps;
	bool need_clock; /* a date alone is not enough */
};

static int
find_time(struct ev_ctx *c, GumboNode *n, void *arg)
{
	struct near *nr = arg;
	const char *dt;
	struct ev_date d;

	(void)c;
	if (++nr->steps > NEAR_STEPS)
		return EV_WALK_STOP;
	if (!ev_is_tag(n, GUMBO_TAG_TIME))
		return EV_WALK_IN;
	dt = ev_attr(n, "datetime");
	if (dt == NULL || ev_is_stamp(n) ||
	    ev_date_parse(dt, strlen(dt), &d) < 0 ||
	    (nr->need_clock && !d.has_time))
		return EV_WALK_SKIP;
	nr->time = n;
	return EV_WALK_STOP;
}

/* The first dated <time> in the section of the first h1. */
static GumboNode *
time_near_title(struct ev_ctx *c, GumboNode *h1, bool need_clock)
{
	struct near nr = {NULL, 0, need_clock};
	GumboNode *scope = h1->parent;

	for (int up = 0; up < 2 && scope != NULL && nr.time == NULL; up++) {
		if (scope->type != GUMBO_NODE_ELEMENT ||
		    ev_is_tag(scope, GUMBO_TAG_BODY))
			break;
		nr.steps = 0;
		ev_walk(c, scope, find_time, &nr);
		scope = scope->parent;
	}
	return nr.time;
}

static bool
event_type(const char *type)
{
	return strcasestr(type, "event") != NULL;
}

static void
fill(struct ev_ctx *c, struct ev_event *e, const struct meta *m)
{
	if (m->url[0] != '\0')
		ev_set_url(c, e->url, sizeof(e->url), m->url, strlen(m->url));
	memcpy(e->description, m->description, sizeof(e->description));
	memcpy(e->location, m->location, sizeof(e->location));
}

int
ev_meta(struct ev_ctx *c)
{
	struct meta *m = malloc(sizeof(*m));
	struct ev_event *e;
	GumboNode *h1, *t;
	struct ev_date d;

	if (m == NULL)
		return -ENOMEM;
	read_meta(c, m);
	if (m->start[0] != '\0' &&
	    ev_date_parse(m->start, strlen(m->start), &d) == 0) {
		e = ev_begin(c, EV_SRC_META);
		if (m->title[0] != '\0')
			memcpy(e->name, m->title, sizeof(e->name));
		else
			title_text(
			    c, GUMBO_TAG_TITLE, e->name, sizeof(e->name));
		ev_set_start(e, m->start, strlen(m->start));
		if (m->end[0] != '\0')
			ev_set_end(e, m->end, strlen(m->end));
		fill(c, e, m);
		ev_commit(c, e);
		goto out;
	}
	/* A heading with a time beside it: only on a page that does not say
	 * it is something else, and not an article's publication date. */
	if (c->other_types || strcasestr(m->type, "article") != NULL ||
	    (h1 = ev_find_tag(c, GUMBO_TAG_H1)) == NULL ||
	    (t = time_near_title(c, h1, !event_type(m->type))) == NULL)
		goto out;
	e = ev_begin(c, EV_SRC_META);
	title_text(c, GUMBO_TAG_H1, e->name, sizeof(e->name));
	if (e->name[0] == '\0')
		memcpy(e->name, m->title, sizeof(e->name));
	ev_set_start(e, ev_attr(t, "datetime"), strlen(ev_attr(t, "datetime")));
	fill(c, e, m);
	ev_commit(c, e);
out:
	free(m);
	return 0;
}

void
ev_meta_merge(struct ev_ctx *c)
{
	struct ev_event *e = &c->l->ev[0];
	struct meta *m;

	if (c->l->n != 1 || (e->url[0] != '\0' && e->description[0] != '\0'))
		return;
	m = malloc(sizeof(*m));
	if (m == NULL)
		return; /* only a nicety */
	read_meta(c, m);
	if (m->title[0] != '\0' && strcasecmp(m->title, e->name) == 0) {
		if (e->url[0] == '\0' && m->url[0] != '\0')
			ev_set_url(
			    c, e->url, sizeof(e->url), m->url, strlen(m->url));
		if (e->description[0] == '\0')
			memcpy(e->description, m->description,
			    sizeof(e->description));
	}
	free(m);
}

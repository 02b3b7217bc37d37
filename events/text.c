/*
 * text — the last resort: the page's title and the start of its visible
 * text through the natural-language date parser (workflows/nlp.h).  Only
 * a stated calendar date counts ("Thu, 04/21/16 8:00 p.m.", "Friday 12
 * December"): a time or a weekday alone, "today", or digits that merely
 * look like a time ("eg-0007") make no event.  A page whose structured
 * data says it is something else (a product, a recipe, an h-entry) is
 * not read at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events/ev_int.h"
#include "workflows/nlp.h"

#define TEXT_MAX 8192 /* bytes of title and text given to the parser */
#define JOIN_GAP 24   /* a time this close after a date belongs to it */

/* Page furniture and stamps: dates there are not the page's event. */
static bool
not_content(const GumboNode *n)
{
	switch (n->v.element.tag) {
	case GUMBO_TAG_NAV:
	case GUMBO_TAG_FOOTER:
	case GUMBO_TAG_ASIDE:
	case GUMBO_TAG_SELECT:
	case GUMBO_TAG_FORM:
		return true;
	default:
		return ev_is_stamp(n);
	}
}

static int64_t
now_ms(const struct ev_opts *o)
{
	struct timespec ts;

	if (o->now_ms != 0)
		return o->now_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
dated(const struct nlp_moment *m)
{
	return (m->known & (NLP_MONTH | NLP_DAY)) == (NLP_MONTH | NLP_DAY) &&
	    m->year >= 1 && m->year <= 9999;
}

/* The moment as an ISO date or floating wall time; in the offset the
 * text named when it named one. */
static void
format(const struct nlp_moment *m, bool with_time, char *out, size_t cap)
{
	struct ev_date d = {0};

	d.y = m->year, d.mo = m->month, d.d = m->day;
	if (with_time && (m->known & NLP_OFFSET) && m->ms != 0) {
		d = (struct ev_date){.y = 1970, .mo = 1, .d = 1};
		ev_date_add(&d, m->ms / 1000 + (int64_t)m->offset * 60);
		d.has_sec = false;
		d.zone = EV_ZONE_OFFSET;
		d.off_min = m->offset;
	} else if (with_time) {
		d.h = m->hour, d.mi = m->minute;
	}
	d.has_time = with_time;
	ev_date_format(&d, out, cap);
}

static int
parse(const char *text, const struct ev_opts *o, struct nlp_result *res)
{
	struct nlp_ref ref = {now_ms(o), o->tz, false};
	struct nlp_opts opts = {.forward_date = true};
	int r = nlp_parse(text, &ref, &opts, res);

	if (r == -EINVAL && o->tz != NULL) {
		ref.tz = NULL; /* an unknown zone: read the text in UTC */
		r = nlp_parse(text, &ref, &opts, res);
	}
	return r;
}

static void
make_event(struct ev_ctx *c, const char *text, const struct nlp_result *res,
    int k, const char *name)
{
	const struct nlp_match *m = &res->matches[k];
	struct nlp_moment start = m->start;
	bool timed = (start.known & NLP_HOUR) != 0;
	struct ev_event *e = ev_begin(c, EV_SRC_TEXT);
	char iso[EV_TIME_MAX];
	size_t raw_len = m->len;

	/* "Thu, 04/21/16" then "8:00 p.m." on the next line. */
	if (!timed && k + 1 < res->nmatches) {
		const struct nlp_match *t = &res->matches[k + 1];

		if ((t->start.known & NLP_HOUR) && !dated(&t->start) &&
		    t->index >= m->index + m->len &&
		    t->index - (m->index + m->len) <= JOIN_GAP) {
			start.hour = t->start.hour;
			start.minute = t->start.minute;
			start.known |= NLP_HOUR | NLP_MINUTE;
			start.known &= ~(unsigned)NLP_OFFSET;
			timed = true;
			raw_len = t->index + t->len - m->index;
		}
	}
	ev_set_text(e->name, sizeof(e->name), name, strlen(name));
	format(&start, timed, iso, sizeof(iso));
	ev_set_start(e, iso, strlen(iso));
	ev_set_text(
	    e->start_raw, sizeof(e->start_raw), text + m->index, raw_len);
	if (m->has_end && dated(&m->end)) {
		format(&m->end, timed && (m->end.known & NLP_HOUR), iso,
		    sizeof(iso));
		ev_set_end(e, iso, strlen(iso));
	} else if (m->has_end && timed && (m->end.known & NLP_HOUR)) {
		struct nlp_moment end = m->end;

		end.year = start.year, end.month = start.month;
		end.day = start.day;
		format(&end, true, iso, sizeof(iso));
		ev_set_end(e, iso, strlen(iso));
	}
	if (c->o->base_url != NULL)
		ev_set_url(c, e->url, sizeof(e->url), c->o->base_url,
		    strlen(c->o->base_url));
	ev_commit(c, e);
}

void
ev_natural_start(struct ev_ctx *c, struct ev_event *e)
{
	struct nlp_result *res = malloc(sizeof(*res));
	char raw[EV_TIME_MAX], iso[EV_TIME_MAX];
	int n;

	if (res == NULL)
		return; /* the start stays unknown */
	memcpy(raw, e->start_raw, sizeof(raw));
	n = parse(raw, c->o, res);
	if (n > 0 && dated(&res->matches[0].start)) {
		const struct nlp_moment *m = &res->matches[0].start;

		format(m, (m->known & NLP_HOUR) != 0, iso, sizeof(iso));
		ev_set_start(e, iso, strlen(iso));
		memcpy(e->start_raw, raw, sizeof(raw));
	}
	free(res);
}

int
ev_text(struct ev_ctx *c)
{
	char *text = NULL, name[EV_TEXT_MAX];
	struct nlp_result *res = NULL;
	struct ev_buf b;
	GumboNode *title, *body;
	int r = 0, n;

	if (c->other_types)
		return 0;
	text = malloc(TEXT_MAX);
	res = malloc(sizeof(*res));
	if (text == NULL || res == NULL) {
		r = -ENOMEM;
		goto out;
	}
	title = ev_find_tag(c, GUMBO_TAG_TITLE);
	ev_buf_init(&b, name, sizeof(name));
	ev_node_text(c, title, &b);
	if (name[0] == '\0')
		ev_node_text(c, ev_find_tag(c, GUMBO_TAG_H1), &b);
	ev_buf_init(&b, text, TEXT_MAX);
	ev_node_text(c, title, &b);
	b.space = true;
	body = ev_find_tag(c, GUMBO_TAG_BODY);
	ev_node_text_if(c, body, &b, not_content);
	n = parse(text, c->o, res);
	for (int k = 0; k < n; k++) {
		if (!dated(&res->matches[k].start))
			continue;
		make_event(
		    c, text, res, k, name[0] != '\0' ? name : res->title);
		break;
	}
out:
	free(res);
	free(text);
	return r;
}

/*
 * ev_int — what the HTML event extractors share.
 *
 * One extraction is a struct ev_ctx over one gumbo tree.  Each form of
 * markup (jsonld.c, microdata.c, mf.c, meta.c, text.c) walks the tree and
 * adds events with ev_begin()/ev_commit(); extract.c runs them in order of
 * trust and stops at the first that found one.  The helpers below bound
 * every string to its field (field.c), read and normalise dates (date.c),
 * resolve URLs (url.c) and walk the tree within fixed limits (dom.c).
 */
#ifndef DRAFTBOT_EV_INT_H
#define DRAFTBOT_EV_INT_H

#include "events/gumbox.h" /* <gumbo.h>, loaded at run time */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/event.h"

/*
 * Element nesting that extract.c lets gumbo build (deeper input is cut
 * before parsing: gumbo's tree building is quadratic in the depth) and
 * that the walks below descend.
 */
#define EV_DEPTH_MAX 512
/* Attributes on one tag before the input is cut there: gumbo checks each
 * new attribute against all earlier ones. */
#define EV_ATTRS_MAX 256
/* Nodes all the walks of one extraction may visit together: a bound on
 * the work hostile markup (itemref loops, thousands of items) can cause. */
#define EV_STEPS_MAX 20000000L

struct ev_id; /* an entry of the id index (dom.c) */

struct ev_ctx {
	const struct ev_opts *o;
	struct ev_list *l;
	GumboNode *doc;
	char base[EV_URL_MAX]; /* resolves relative URLs; "" keeps them */
	/* Typed structured data that is neither an event nor page
	 * boilerplate (a Product, an h-entry): the page says what it is, so
	 * the guessing forms (time near the title, text) stay quiet. */
	bool other_types;
	long steps;            /* nodes visited, against EV_STEPS_MAX */
	struct ev_event spare; /* filled when the list is full */
	struct ev_id *ids;     /* sorted id index, built on first use */
	size_t nids;
	bool ids_built;
};

/* The forms, in order of trust.  Each returns 0 or -ENOMEM. */
int ev_jsonld(struct ev_ctx *c);
int ev_microdata(struct ev_ctx *c);
int ev_rdfa(struct ev_ctx *c);
int ev_mf(struct ev_ctx *c);
int ev_meta(struct ev_ctx *c);
int ev_text(struct ev_ctx *c);
/* Fill what a structured event left empty from the page's meta tags when
 * they clearly describe the same event (one event, same title). */
void ev_meta_merge(struct ev_ctx *c);

/* A page that is not UTF-8 and declares another charset, converted:
 * *ret (caller frees, *ret_len bytes), or *ret NULL when buf is to be
 * read as it is.  0 or -ENOMEM (charset.c). */
int ev_charset(const char *buf, size_t len, char **ret, size_t *ret_len);

/* When e has a start written in words ("Sat 14 March 2026, 8pm"), read
 * it with the natural-language parser (text.c). */
void ev_natural_start(struct ev_ctx *c, struct ev_event *e);

/* How many leading bytes of buf to parse: all of it, or up to the tag
 * that would make gumbo nest deeper than EV_DEPTH_MAX, that carries more
 * than EV_ATTRS_MAX attributes, or that gumbo 0.10 is known to abort on
 * (guard.c, guard_rules.c, guard_tree.c). */
size_t ev_guard(const char *buf, size_t len);

/*
 * Events.  ev_begin() returns a zeroed event of source src to fill: the
 * next free slot of the list, or c->spare once the list is full.
 * ev_commit() finishes it (end from a duration, time zone fields) and
 * counts it; an event equal to one already kept (name, start, url) is
 * dropped.  Only one event may be open at a time.
 */
struct ev_event *ev_begin(struct ev_ctx *c, enum ev_source src);
void ev_commit(struct ev_ctx *c, struct ev_event *e);

/* Is this schema.org type (an IRI, "schema:X" or "X") an Event: a name
 * ending in "Event" or a known subtype such as Festival?  Is it page
 * furniture (WebSite, BreadcrumbList, Organization …) that says nothing
 * about what the page is? */
bool ev_type_is_event(const char *type, size_t len);
bool ev_type_is_boilerplate(const char *type, size_t len);
/* The local name of an IRI or CURIE: after the last '/', '#' or ':'. */
const char *ev_local_name(const char *s, size_t len, size_t *ret_len);

/* Strings (field.c). */

/* A bounded text builder: whitespace runs become one space, leading and
 * trailing space dropped, invalid UTF-8 replaced by U+FFFD, control
 * characters read as space, never cut inside a character. */
struct ev_buf {
	char *p;
	size_t len, cap; /* cap includes the NUL */
	bool space;      /* a space is pending */
	bool full;
};
void ev_buf_init(struct ev_buf *b, char *p, size_t cap);
void ev_buf_add(struct ev_buf *b, const char *s, size_t n);
/* Add text written as HTML: character references decoded, tags
 * dropped (JSON-LD values often carry both). */
void ev_buf_add_html(struct ev_buf *b, const char *s, size_t n);

/* dst (cap bytes) = the cleaned text of s[0..n), as ev_buf_add. */
void ev_set_text(char *dst, size_t cap, const char *s, size_t n);
void ev_set_html(char *dst, size_t cap, const char *s, size_t n);
/* Append ", " and the cleaned text to dst unless it is empty or already
 * one of dst's ", "-separated pieces. */
void ev_join(char *dst, size_t cap, const char *s);
/* Store URL s[0..n) resolved against c->base; a URL that does not fit,
 * or a javascript:/data: one, leaves dst empty. */
void ev_set_url(
    struct ev_ctx *c, char *dst, size_t cap, const char *s, size_t n);
/* e->status from an eventStatus value ("https://schema.org/EventCancelled",
 * "cancelled" …); unknown values leave it alone. */
void ev_set_status(struct ev_event *e, const char *s, size_t n);
/* ASCII case-insensitive: does s[0..n) begin with prefix? */
bool ev_prefix(const char *s, size_t n, const char *prefix);
/* Is tok one of the whitespace-separated tokens of list? */
bool ev_has_token(const char *list, const char *tok);

/* Dates (date.c). */

struct ev_date {
	int y, mo, d;
	int h, mi, s;
	bool has_time, has_sec;
	enum { EV_ZONE_NONE, EV_ZONE_Z, EV_ZONE_OFFSET } zone;
	int off_min; /* minutes east of UTC when EV_ZONE_OFFSET */
};

/* Read an ISO 8601 date or date-time (extended or basic, 'T' or ' ',
 * fractions of seconds ignored, "Z", "±HH:MM", "±HHMM", "±HH").  0, or
 * -EINVAL when s is anything else or out of range. */
int ev_date_parse(const char *s, size_t n, struct ev_date *d);
/* "YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM]" into out (EV_TIME_MAX). */
void ev_date_format(const struct ev_date *d, char *out, size_t cap);
/* Seconds since the epoch of d's wall time read as UTC. */
int64_t ev_date_utc(const struct ev_date *d);
/* d moved by sec seconds (wall time, zone kept). */
void ev_date_add(struct ev_date *d, int64_t sec);
/* Seconds of an ISO 8601 duration ("PT2H", "P1DT30M", "P2W"); -1 when
 * it is not one. */
int64_t ev_duration(const char *s, size_t n);

/* The order of a list of events (extract.c; ics.c too): upcoming first,
 * soonest first; then the past and the undated, in source order. */
struct ev_rank {
	int group;     /* 0 upcoming, 1 past, 2 without a start */
	int64_t start; /* ms; orders the upcoming */
	size_t seq;    /* place in the page or the text: orders the rest */
};

/* Place r (seq set by the caller): an event that starts at start_ms and
 * counts as upcoming until until_ms (an all-day one through its day), or
 * one without a start when !has_start.  Returns whether it is upcoming. */
bool ev_rank_set(struct ev_rank *r, bool has_start, int64_t start_ms,
    int64_t until_ms, int64_t now_ms);
/* qsort comparator of two struct ev_rank. */
int ev_rank_cmp(const void *a, const void *b);

/* Set e's start (start, start_raw, tz_kind, timezone, all_day) or end
 * from a written date.  A value that is not ISO 8601 keeps start_raw
 * and leaves start "".  Returns 0 or -EINVAL. */
int ev_set_start(struct ev_event *e, const char *s, size_t n);
int ev_set_end(struct ev_event *e, const char *s, size_t n);
/* Set e->end to start + duration when e has a start and no end. */
void ev_set_duration(struct ev_event *e, const char *s, size_t n);

/* URLs (url.c): ref resolved against base (RFC 3986 section 5.2) into
 * out.  0, or -ENAMETOOLONG when the result does not fit. */
int ev_url_resolve(
    const char *base, const char *ref, size_t n, char *out, size_t cap);

/* The tree (dom.c). */

/* The value of attribute name of element n, NULL when n is not an
 * element or has no such attribute. */
const char *ev_attr(const GumboNode *n, const char *name);
bool ev_is_tag(const GumboNode *n, GumboTag tag);

/*
 * Call visit(c, n, arg) for n and its descendants in document order, at
 * most EV_DEPTH_MAX deep and within c's step budget.  visit returns
 * EV_WALK_IN to descend, EV_WALK_SKIP to skip n's children, EV_WALK_STOP
 * to end the walk.  Returns EV_WALK_STOP when stopped, else 0.
 */
enum { EV_WALK_IN = 0, EV_WALK_SKIP = 1, EV_WALK_STOP = 2 };
typedef int ev_visit_fn(struct ev_ctx *c, GumboNode *n, void *arg);
int ev_walk(struct ev_ctx *c, GumboNode *n, ev_visit_fn *visit, void *arg);

/* The text content of n (script and style left out) added to b; the _if
 * form also leaves out the elements skip says yes to. */
void ev_node_text(struct ev_ctx *c, const GumboNode *n, struct ev_buf *b);
typedef bool ev_skip_fn(const GumboNode *n);
void ev_node_text_if(
    struct ev_ctx *c, const GumboNode *n, struct ev_buf *b, ev_skip_fn *skip);
/* Is n marked as a publication or update stamp, a byline, a comment
 * (class, itemprop, id, rel, pubdate): dates that are not the event's. */
bool ev_is_stamp(const GumboNode *n);
/* The first element with this id, NULL when none.  -ENOMEM is reported
 * as NULL: the caller just lacks the reference. */
GumboNode *ev_by_id(struct ev_ctx *c, const char *id, size_t n);
/* The first element with this tag in document order. */
GumboNode *ev_find_tag(struct ev_ctx *c, GumboTag tag);
void ev_ids_free(struct ev_ctx *c);

#endif

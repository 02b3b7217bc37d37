/*
 * mf_value — the values of microformat properties (mf.c), as the
 * microformats2 parsing rules read them: p-* text (<abbr title>, <data
 * value>, <img alt>, the value class pattern), u-* links, and dt-* dates
 * put together from value-class pieces ("26 July" <time class=value
 * datetime=2009-06-26>, "7:30pm", "-06:00").
 */
#include <stdio.h>
#include <string.h>

#include "events/mf_int.h"

#define VALUES_MAX 8 /* value-class pieces read per property */

/* The classic roots (microformats 1). */
static const char *const mf1_roots[] = {"vevent", "vcard", "adr", "geo",
    "hentry", "hfeed", "hreview", "hreview-aggregate", "hproduct", "hrecipe",
    "hresume"};

/* Is this class token a microformats2 root name: "h-" and lower-case
 * words joined by '-'? */
static bool
mf2_root_token(const char *s, size_t n)
{
	if (n < 3 || s[0] != 'h' || s[1] != '-')
		return false;
	for (size_t i = 2; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] == '-' && s[i - 1] != '-' && i + 1 < n)))
			return false;
	return true;
}

bool
ev_mf_is_root(enum ev_mf_vocab v, const char *cls)
{
	if (cls == NULL)
		return false;
	if (v == EV_MF1) {
		for (size_t k = 0; k < sizeof(mf1_roots) / sizeof(*mf1_roots);
		     k++)
			if (ev_has_token(cls, mf1_roots[k]))
				return true;
		return false;
	}
	for (const char *p = cls; *p != '\0';) {
		size_t len;

		p += strspn(p, " \t\r\n\f");
		len = strcspn(p, " \t\r\n\f");
		if (mf2_root_token(p, len))
			return true;
		p += len;
	}
	return false;
}

/* Elements with class "value" or "value-title" below el, in order. */
struct values {
	GumboNode *el[VALUES_MAX];
	int n;
};

static void
find_values(struct ev_ctx *c, enum ev_mf_vocab v, GumboNode *el,
    struct values *vs, int depth)
{
	const GumboVector *kids = &el->v.element.children;

	for (unsigned i = 0; i < kids->length && vs->n < VALUES_MAX; i++) {
		GumboNode *k = kids->data[i];
		const char *cls = ev_attr(k, "class");

		if (k->type != GUMBO_NODE_ELEMENT ||
		    ++c->steps > EV_STEPS_MAX || depth > EV_DEPTH_MAX)
			continue;
		if (ev_has_token(cls, "value") ||
		    ev_has_token(cls, "value-title"))
			vs->el[vs->n++] = k;
		else if (!ev_mf_is_root(v, cls))
			find_values(c, v, k, vs, depth + 1);
	}
}

/* The text of el as a p-* property, without the value class pattern. */
void
ev_mf_plain_text(struct ev_ctx *c, GumboNode *el, struct ev_buf *b)
{
	const char *v = NULL;

	switch (el->v.element.tag) {
	case GUMBO_TAG_ABBR:
	case GUMBO_TAG_LINK:
		v = ev_attr(el, "title");
		break;
	case GUMBO_TAG_DATA:
	case GUMBO_TAG_INPUT:
		v = ev_attr(el, "value");
		break;
	case GUMBO_TAG_IMG:
	case GUMBO_TAG_AREA:
		v = ev_attr(el, "alt");
		break;
	default:
		break;
	}
	if (ev_has_token(ev_attr(el, "class"), "value-title"))
		v = ev_attr(el, "title");
	if (v != NULL)
		ev_buf_add(b, v, strlen(v));
	else
		ev_node_text(c, el, b);
}

/* A p-* value: the value elements' texts joined, else the element's. */
void
ev_mf_text_value(
    struct ev_ctx *c, enum ev_mf_vocab v, GumboNode *el, struct ev_buf *b)
{
	struct values vs = {.n = 0};

	find_values(c, v, el, &vs, 0);
	if (vs.n == 0) {
		ev_mf_plain_text(c, el, b);
		return;
	}
	for (int i = 0; i < vs.n; i++)
		ev_mf_plain_text(c, vs.el[i], b);
}

void
ev_mf_url_value(
    struct ev_ctx *c, enum ev_mf_vocab v, GumboNode *el, struct ev_buf *b)
{
	const char *u = NULL;

	switch (el->v.element.tag) {
	case GUMBO_TAG_A:
	case GUMBO_TAG_AREA:
	case GUMBO_TAG_LINK:
		u = ev_attr(el, "href");
		break;
	case GUMBO_TAG_IMG:
	case GUMBO_TAG_AUDIO:
	case GUMBO_TAG_VIDEO:
	case GUMBO_TAG_SOURCE:
	case GUMBO_TAG_IFRAME:
		u = ev_attr(el, "src");
		break;
	case GUMBO_TAG_OBJECT:
		u = ev_attr(el, "data");
		break;
	default:
		break;
	}
	if (u != NULL)
		ev_buf_add(b, u, strlen(u));
	else
		ev_mf_text_value(c, v, el, b);
}

/* The raw text of one dt-* piece: a datetime, title, value or alt
 * attribute where the element has one, else its text. */
void
ev_mf_dt_piece(struct ev_ctx *c, GumboNode *el, struct ev_buf *b)
{
	const char *v = NULL;

	switch (el->v.element.tag) {
	case GUMBO_TAG_TIME:
	case GUMBO_TAG_INS:
	case GUMBO_TAG_DEL:
		v = ev_attr(el, "datetime");
		break;
	default:
		break;
	}
	if (v != NULL)
		ev_buf_add(b, v, strlen(v));
	else
		ev_mf_plain_text(c, el, b);
}

/* Copy s to zone when it is a zone alone ("Z", "-06:00", "+0100"). */
static bool
read_zone(const char *s, char *zone, size_t zcap)
{
	char probe[32] = "2000-01-01T00:00";
	size_t n = strlen(s), k = strlen(probe);
	struct ev_date d;

	if (n >= zcap || k + n >= sizeof(probe))
		return false;
	memcpy(probe + k, s, n + 1);
	if (ev_date_parse(probe, k + n, &d) < 0 || d.zone == EV_ZONE_NONE)
		return false;
	memcpy(zone, s, n + 1);
	return true;
}

/*
 * A time of day as microformats write it: "19:00", "07:00:00pm", "7pm",
 * "07:00p.m.", optionally with a zone ("19:00-06:00", "Z").  Writes
 * "HH:MM[:SS]" to out and the zone as written to zone.
 */
static bool
read_clock(const char *s, char *out, size_t cap, char *zone, size_t zcap)
{
	int h = 0, m = 0, sec = 0, nd = 0;
	bool has_m = false, has_s = false;
	const char *p = s;

	while (*p >= '0' && *p <= '9' && nd < 2)
		h = h * 10 + (*p++ - '0'), nd++;
	if (nd == 0)
		return false;
	if (*p == ':' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
	    p[2] <= '9') {
		m = (p[1] - '0') * 10 + (p[2] - '0'), has_m = true, p += 3;
		if (*p == ':' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
		    p[2] <= '9')
			sec = (p[1] - '0') * 10 + (p[2] - '0'), has_s = true,
			p += 3;
	}
	while (*p == ' ')
		p++;
	if ((*p | 0x20) == 'a' || (*p | 0x20) == 'p') {
		bool pm = (*p | 0x20) == 'p';

		p++;
		if (*p == '.')
			p++;
		if ((*p | 0x20) != 'm')
			return false;
		p++;
		if (*p == '.')
			p++;
		if (h < 1 || h > 12)
			return false;
		h = h % 12 + (pm ? 12 : 0);
	} else if (!has_m) {
		return false;
	}
	if (h > 23 || m > 59 || sec > 59)
		return false;
	while (*p == ' ')
		p++;
	if (*p != '\0' && !read_zone(p, zone, zcap))
		return false;
	if (has_s)
		snprintf(out, cap, "%02d:%02d:%02d", h, m, sec);
	else
		snprintf(out, cap, "%02d:%02d", h, m);
	return true;
}

/*
 * A dt-* value into out: the value class pattern (the first date, the
 * first time and the first zone of the pieces, put together) or the one
 * piece.  A time without a date is written alone ("22:00"): a dt-end
 * takes the start's date (set_end).
 */
void
ev_mf_dt_value(
    struct ev_ctx *c, enum ev_mf_vocab v, GumboNode *el, char *out, size_t cap)
{
	struct values vs = {.n = 0};
	char date[16] = "", clock[16] = "", zone[16] = "";
	struct ev_date d;

	out[0] = '\0';
	find_values(c, v, el, &vs, 0);
	if (vs.n == 0)
		vs.el[vs.n++] = el;
	for (int i = 0; i < vs.n; i++) {
		char raw[EV_TIME_MAX * 2];
		struct ev_buf b;

		ev_buf_init(&b, raw, sizeof(raw));
		ev_mf_dt_piece(c, vs.el[i], &b);
		if (ev_date_parse(raw, b.len, &d) == 0) {
			if (d.has_time && date[0] == '\0' && clock[0] == '\0') {
				snprintf(out, cap, "%s", raw);
				return;
			}
			if (date[0] == '\0')
				snprintf(date, sizeof(date), "%04d-%02d-%02d",
				    d.y, d.mo, d.d);
		} else if (clock[0] == '\0' &&
		    read_clock(raw, clock, sizeof(clock), zone, sizeof(zone))) {
			continue;
		} else if (zone[0] == '\0') {
			read_zone(raw, zone, sizeof(zone));
		}
	}
	if (date[0] == '\0' && clock[0] != '\0')
		snprintf(out, cap, "%s%s", clock, zone); /* a time alone */
	else if (clock[0] == '\0')
		snprintf(out, cap, "%s", date);
	else
		snprintf(out, cap, "%sT%s%s", date, clock, zone);
}

/*
 * guard_tree — the machinery of gumbo's tree builder that ev_guard()
 * keeps: the stack of open elements (with the namespace of each, for SVG
 * and MathML content), the scopes searched on it, and the list of active
 * formatting elements with its markers, the Noah's Ark clause, the
 * adoption agency for misnested formatting elements (one round: the
 * element moves above the furthest block) and their reconstruction
 * before text and start tags, through which "<p><b></p>x" repeated nests
 * ever deeper.  Which tag does what is guard_rules.c's.
 */
#include <string.h>

#include "events/guard_int.h"

/* The special HTML elements of the parsing rules (the SVG and MathML
 * ones are ev_guard_special()'s). */
static const GumboTag special[] = {GUMBO_TAG_ADDRESS, GUMBO_TAG_APPLET,
    GUMBO_TAG_AREA, GUMBO_TAG_ARTICLE, GUMBO_TAG_ASIDE, GUMBO_TAG_BASE,
    GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_BODY,
    GUMBO_TAG_BR, GUMBO_TAG_BUTTON, GUMBO_TAG_CAPTION, GUMBO_TAG_CENTER,
    GUMBO_TAG_COL, GUMBO_TAG_COLGROUP, GUMBO_TAG_DD, GUMBO_TAG_DETAILS,
    GUMBO_TAG_DIR, GUMBO_TAG_DIV, GUMBO_TAG_DL, GUMBO_TAG_DT, GUMBO_TAG_EMBED,
    GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE,
    GUMBO_TAG_FOOTER, GUMBO_TAG_FORM, GUMBO_TAG_FRAME, GUMBO_TAG_FRAMESET,
    GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3, GUMBO_TAG_H4, GUMBO_TAG_H5,
    GUMBO_TAG_H6, GUMBO_TAG_HEAD, GUMBO_TAG_HEADER, GUMBO_TAG_HGROUP,
    GUMBO_TAG_HR, GUMBO_TAG_HTML, GUMBO_TAG_IFRAME, GUMBO_TAG_IMG,
    GUMBO_TAG_INPUT, GUMBO_TAG_KEYGEN, GUMBO_TAG_LI, GUMBO_TAG_LINK,
    GUMBO_TAG_LISTING, GUMBO_TAG_MAIN, GUMBO_TAG_MARQUEE, GUMBO_TAG_MENU,
    GUMBO_TAG_META, GUMBO_TAG_NAV, GUMBO_TAG_NOEMBED, GUMBO_TAG_NOFRAMES,
    GUMBO_TAG_NOSCRIPT, GUMBO_TAG_OBJECT, GUMBO_TAG_OL, GUMBO_TAG_P,
    GUMBO_TAG_PARAM, GUMBO_TAG_PLAINTEXT, GUMBO_TAG_PRE, GUMBO_TAG_SCRIPT,
    GUMBO_TAG_SECTION, GUMBO_TAG_SELECT, GUMBO_TAG_SOURCE, GUMBO_TAG_STYLE,
    GUMBO_TAG_SUMMARY, GUMBO_TAG_TABLE, GUMBO_TAG_TBODY, GUMBO_TAG_TD,
    GUMBO_TAG_TEMPLATE, GUMBO_TAG_TEXTAREA, GUMBO_TAG_TFOOT, GUMBO_TAG_TH,
    GUMBO_TAG_THEAD, GUMBO_TAG_TITLE, GUMBO_TAG_TR, GUMBO_TAG_TRACK,
    GUMBO_TAG_UL, GUMBO_TAG_WBR, GUMBO_TAG_XMP};

/* HTML elements that end an "in scope" search. */
static const GumboTag scope[] = {GUMBO_TAG_APPLET, GUMBO_TAG_CAPTION,
    GUMBO_TAG_HTML, GUMBO_TAG_TABLE, GUMBO_TAG_TD, GUMBO_TAG_TH,
    GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT, GUMBO_TAG_TEMPLATE};

/* Formatting elements (the adoption agency's). */
static const GumboTag formatting[] = {GUMBO_TAG_A, GUMBO_TAG_B, GUMBO_TAG_BIG,
    GUMBO_TAG_CODE, GUMBO_TAG_EM, GUMBO_TAG_FONT, GUMBO_TAG_I, GUMBO_TAG_NOBR,
    GUMBO_TAG_S, GUMBO_TAG_SMALL, GUMBO_TAG_STRIKE, GUMBO_TAG_STRONG,
    GUMBO_TAG_TT, GUMBO_TAG_U};

/* Start tags that close an open p first. */
static const GumboTag closing_p[] = {GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE,
    GUMBO_TAG_ASIDE, GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_CENTER, GUMBO_TAG_DETAILS,
    GUMBO_TAG_DIR, GUMBO_TAG_DIV, GUMBO_TAG_DL, GUMBO_TAG_FIELDSET,
    GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE, GUMBO_TAG_FOOTER, GUMBO_TAG_HEADER,
    GUMBO_TAG_HGROUP, GUMBO_TAG_MAIN, GUMBO_TAG_MENU, GUMBO_TAG_NAV,
    GUMBO_TAG_OL, GUMBO_TAG_P, GUMBO_TAG_SECTION, GUMBO_TAG_SUMMARY,
    GUMBO_TAG_UL, GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3, GUMBO_TAG_H4,
    GUMBO_TAG_H5, GUMBO_TAG_H6, GUMBO_TAG_PRE, GUMBO_TAG_LISTING,
    GUMBO_TAG_FORM, GUMBO_TAG_HR, GUMBO_TAG_LI, GUMBO_TAG_DD, GUMBO_TAG_DT,
    GUMBO_TAG_XMP, GUMBO_TAG_PLAINTEXT};

/* Elements whose content is text up to their end tag. */
static const GumboTag rawtext[] = {GUMBO_TAG_SCRIPT, GUMBO_TAG_STYLE,
    GUMBO_TAG_XMP, GUMBO_TAG_IFRAME, GUMBO_TAG_NOEMBED, GUMBO_TAG_NOFRAMES,
    GUMBO_TAG_TEXTAREA, GUMBO_TAG_TITLE};

/* Elements that do not stay on the stack: void ones, and the document's
 * html, head and body (there once, below everything). */
static const GumboTag void_like[] = {GUMBO_TAG_AREA, GUMBO_TAG_BASE,
    GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_BR, GUMBO_TAG_COL,
    GUMBO_TAG_EMBED, GUMBO_TAG_HR, GUMBO_TAG_IMG, GUMBO_TAG_IMAGE,
    GUMBO_TAG_INPUT, GUMBO_TAG_KEYGEN, GUMBO_TAG_LINK, GUMBO_TAG_META,
    GUMBO_TAG_PARAM, GUMBO_TAG_SOURCE, GUMBO_TAG_TRACK, GUMBO_TAG_WBR,
    GUMBO_TAG_FRAME, GUMBO_TAG_HTML, GUMBO_TAG_HEAD, GUMBO_TAG_BODY};

/* Elements that put a marker in the list of active formatting
 * elements: what is opened inside them is not reopened outside. */
static const GumboTag markers[] = {GUMBO_TAG_APPLET, GUMBO_TAG_MARQUEE,
    GUMBO_TAG_OBJECT, GUMBO_TAG_TEMPLATE, GUMBO_TAG_TD, GUMBO_TAG_TH,
    GUMBO_TAG_CAPTION};

static const GumboTag implied[] = {GUMBO_TAG_DD, GUMBO_TAG_DT, GUMBO_TAG_LI,
    GUMBO_TAG_OPTGROUP, GUMBO_TAG_OPTION, GUMBO_TAG_P, GUMBO_TAG_RB,
    GUMBO_TAG_RP, GUMBO_TAG_RT, GUMBO_TAG_RTC};

static const struct {
	const GumboTag *tags;
	size_t n;
	unsigned char kind;
} sets[] = {
    {special, sizeof(special) / sizeof(special[0]), GUARD_SPECIAL},
    {scope, sizeof(scope) / sizeof(scope[0]), GUARD_SCOPE},
    {formatting, sizeof(formatting) / sizeof(formatting[0]), GUARD_FORMATTING},
    {closing_p, sizeof(closing_p) / sizeof(closing_p[0]), GUARD_CLOSES_P},
    {void_like, sizeof(void_like) / sizeof(void_like[0]), GUARD_VOID},
    {markers, sizeof(markers) / sizeof(markers[0]), GUARD_MARKER},
    {implied, sizeof(implied) / sizeof(implied[0]), GUARD_IMPLIED},
    {rawtext, sizeof(rawtext) / sizeof(rawtext[0]), GUARD_RAWTEXT},
};

void
ev_guard_tree_init(struct guard_tree *tr, const char *buf, bool quirks)
{
	tr->buf = buf;
	tr->depth = 0;
	tr->nlist = 0;
	tr->next_id = 0;
	tr->quirks = quirks;
	memset(tr->kind, 0, sizeof(tr->kind));
	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++)
		for (size_t j = 0; j < sets[k].n; j++)
			tr->kind[sets[k].tags[j]] |= sets[k].kind;
}

bool
ev_guard_is(const struct guard_tree *tr, GumboTag t, unsigned kind)
{
	return (unsigned)t < GUMBO_TAG_LAST && (tr->kind[t] & kind) != 0;
}

struct guard_tag
ev_guard_known(GumboTag id)
{
	struct guard_tag t = {0};

	t.id = id;
	return t;
}

bool
ev_guard_same_name(const struct guard_tree *tr, const struct guard_open *o,
    const struct guard_tag *t)
{
	/* gumbo 0.10 compares tag numbers only: an end tag of any unknown
	 * name closes the nearest element of any unknown name. */
	(void)tr;
	return o->tag == t->id;
}

/* Is o the HTML element t names?  (The HTML rules find only those: an
 * SVG "title" is not closed by </title>.) */
static bool
same(const struct guard_tree *tr, const struct guard_open *o,
    const struct guard_tag *t)
{
	return o->ns == GUARD_HTML && ev_guard_same_name(tr, o, t);
}

/* The SVG and MathML elements that are special and end scopes: where
 * HTML comes back in. */
static bool
foreign_point(const struct guard_open *o)
{
	if (o->ns == GUARD_SVG)
		return o->tag == GUMBO_TAG_FOREIGNOBJECT ||
		    o->tag == GUMBO_TAG_DESC || o->tag == GUMBO_TAG_TITLE;
	return o->tag == GUMBO_TAG_MI || o->tag == GUMBO_TAG_MO ||
	    o->tag == GUMBO_TAG_MN || o->tag == GUMBO_TAG_MS ||
	    o->tag == GUMBO_TAG_MTEXT || o->tag == GUMBO_TAG_ANNOTATION_XML;
}

bool
ev_guard_special(const struct guard_tree *tr, const struct guard_open *o)
{
	if (o->ns != GUARD_HTML)
		return foreign_point(o);
	return ev_guard_is(tr, o->tag, GUARD_SPECIAL);
}

bool
ev_guard_scoping(const struct guard_tree *tr, const struct guard_open *o)
{
	if (o->ns != GUARD_HTML)
		return foreign_point(o);
	return ev_guard_is(tr, o->tag, GUARD_SCOPE);
}

static bool
boundary(
    const struct guard_tree *tr, const struct guard_open *o, enum guard_scope s)
{
	GumboTag t = o->tag;

	if (s == GUARD_S_TABLE)
		return o->ns == GUARD_HTML &&
		    (t == GUMBO_TAG_HTML || t == GUMBO_TAG_TABLE ||
		        t == GUMBO_TAG_TEMPLATE);
	if (ev_guard_scoping(tr, o))
		return true;
	return o->ns == GUARD_HTML &&
	    ((s == GUARD_S_BUTTON && t == GUMBO_TAG_BUTTON) ||
	        (s == GUARD_S_LIST &&
	            (t == GUMBO_TAG_OL || t == GUMBO_TAG_UL)));
}

size_t
ev_guard_in_scope(
    const struct guard_tree *tr, const struct guard_tag *t, enum guard_scope s)
{
	for (size_t k = tr->depth; k-- > 0;) {
		if (same(tr, &tr->stack[k], t))
			return k;
		if (boundary(tr, &tr->stack[k], s))
			return SIZE_MAX;
	}
	return SIZE_MAX;
}

size_t
ev_guard_scope_of(const struct guard_tree *tr, GumboTag id, enum guard_scope s)
{
	struct guard_tag t = ev_guard_known(id);

	return ev_guard_in_scope(tr, &t, s);
}

size_t
ev_guard_topmost(const struct guard_tree *tr, GumboTag id)
{
	for (size_t k = tr->depth; k-- > 0;)
		if (tr->stack[k].tag == id && tr->stack[k].ns == GUARD_HTML)
			return k;
	return SIZE_MAX;
}

bool
ev_guard_top_is(const struct guard_tree *tr, GumboTag id)
{
	return tr->depth > 0 && tr->stack[tr->depth - 1].tag == id &&
	    tr->stack[tr->depth - 1].ns == GUARD_HTML;
}

bool
ev_guard_in_foreign(const struct guard_tree *tr)
{
	const struct guard_open *o;

	if (tr->depth == 0)
		return false;
	o = &tr->stack[tr->depth - 1];
	switch (o->ns) {
	case GUARD_SVG:
		return o->tag != GUMBO_TAG_FOREIGNOBJECT &&
		    o->tag != GUMBO_TAG_DESC && o->tag != GUMBO_TAG_TITLE;
	case GUARD_MATH:
		return o->tag != GUMBO_TAG_MI && o->tag != GUMBO_TAG_MO &&
		    o->tag != GUMBO_TAG_MN && o->tag != GUMBO_TAG_MS &&
		    o->tag != GUMBO_TAG_MTEXT;
	default:
		return false;
	}
}

bool
ev_guard_foreign_open(const struct guard_tree *tr)
{
	for (size_t k = 0; k < tr->depth; k++)
		if (tr->stack[k].ns != GUARD_HTML)
			return true;
	return false;
}

/* The list: the entry of formatting element id leaves the stack. */
static void
fmt_off(struct guard_tree *tr, unsigned id)
{
	for (size_t i = tr->nlist; i-- > 0;)
		if (!tr->list[i].marker && tr->list[i].id == id) {
			tr->list[i].id = 0;
			return;
		}
}

static void
fmt_erase(struct guard_tree *tr, size_t i)
{
	memmove(&tr->list[i], &tr->list[i + 1],
	    (tr->nlist - i - 1) * sizeof(tr->list[0]));
	tr->nlist--;
}

/* The last entry for tag after the last marker, SIZE_MAX when none. */
static size_t
fmt_last(const struct guard_tree *tr, GumboTag tag)
{
	for (size_t i = tr->nlist; i-- > 0;) {
		if (tr->list[i].marker)
			return SIZE_MAX;
		if (tr->list[i].tag == tag)
			return i;
	}
	return SIZE_MAX;
}

/* An element leaves the stack: its list entry is off it, and closing a
 * marker's element clears the list back to the marker. */
static void
left(struct guard_tree *tr, const struct guard_open *o)
{
	if (o->fmt != 0)
		fmt_off(tr, o->fmt);
	if (o->ns == GUARD_HTML && ev_guard_is(tr, o->tag, GUARD_MARKER))
		while (tr->nlist > 0 && !tr->list[--tr->nlist].marker)
			;
}

void
ev_guard_pop_to(struct guard_tree *tr, size_t k)
{
	while (tr->depth > k)
		left(tr, &tr->stack[--tr->depth]);
}

void
ev_guard_erase(struct guard_tree *tr, size_t k)
{
	struct guard_open o = tr->stack[k];

	memmove(&tr->stack[k], &tr->stack[k + 1],
	    (tr->depth - k - 1) * sizeof(tr->stack[0]));
	tr->depth--;
	left(tr, &o);
}

/* Add formatting element t (now on the stack as id) to the list. */
static bool
fmt_add(struct guard_tree *tr, const struct guard_tag *t, unsigned id)
{
	size_t count = 0, first = 0;

	for (size_t i = tr->nlist; i-- > 0 && !tr->list[i].marker;) {
		const struct guard_fmt *f = &tr->list[i];

		if (f->tag == t->id && f->attr_len == t->attr_len &&
		    memcmp(tr->buf + f->attr_off, tr->buf + t->attr_off,
		        t->attr_len) == 0)
			count++, first = i;
	}
	if (count >= 3) /* Noah's Ark: three alike at most */
		fmt_erase(tr, first);
	if (tr->nlist >= GUARD_FMT_MAX)
		return false;
	tr->list[tr->nlist] = (struct guard_fmt){.tag = t->id,
	    .attr_off = t->attr_off,
	    .attr_len = t->attr_len,
	    .id = id};
	tr->nlist++;
	return true;
}

bool
ev_guard_push(struct guard_tree *tr, const struct guard_tag *t)
{
	bool foreign = ev_guard_in_foreign(tr);
	enum guard_ns ns = foreign ? tr->stack[tr->depth - 1].ns : GUARD_HTML;
	struct guard_open *o;
	unsigned fmt = 0;

	if (tr->depth >= EV_DEPTH_MAX)
		return false;
	if (!foreign && t->id == GUMBO_TAG_SVG)
		ns = GUARD_SVG;
	else if (!foreign && t->id == GUMBO_TAG_MATH)
		ns = GUARD_MATH;
	if (ns == GUARD_HTML && ev_guard_is(tr, t->id, GUARD_FORMATTING))
		fmt = ++tr->next_id;
	o = &tr->stack[tr->depth++];
	*o = (struct guard_open){.tag = t->id, .ns = ns, .fmt = fmt};
	if (fmt != 0)
		return fmt_add(tr, t, fmt);
	if (ns == GUARD_HTML && ev_guard_is(tr, t->id, GUARD_MARKER)) {
		if (tr->nlist >= GUARD_FMT_MAX)
			return false;
		tr->list[tr->nlist++] = (struct guard_fmt){.marker = true};
	}
	return true;
}

bool
ev_guard_reconstruct(struct guard_tree *tr)
{
	size_t j;

	if (tr->nlist == 0 || tr->list[tr->nlist - 1].marker ||
	    tr->list[tr->nlist - 1].id != 0)
		return true;
	j = tr->nlist - 1;
	while (j > 0 && !tr->list[j - 1].marker && tr->list[j - 1].id == 0)
		j--;
	for (; j < tr->nlist; j++) {
		struct guard_open *o;

		if (tr->depth >= EV_DEPTH_MAX)
			return false;
		o = &tr->stack[tr->depth++];
		*o = (struct guard_open){.tag = tr->list[j].tag,
		    .ns = GUARD_HTML,
		    .fmt = ++tr->next_id};
		tr->list[j].id = o->fmt;
	}
	return true;
}

void
ev_guard_any_other_end(struct guard_tree *tr, const struct guard_tag *t)
{
	for (size_t k = tr->depth; k-- > 0;) {
		if (same(tr, &tr->stack[k], t)) {
			ev_guard_pop_to(tr, k);
			return;
		}
		if (ev_guard_special(tr, &tr->stack[k]))
			return;
	}
}

void
ev_guard_agency(struct guard_tree *tr, const struct guard_tag *t)
{
	size_t i = fmt_last(tr, t->id), k = tr->depth, fb = SIZE_MAX;
	struct guard_open fe;

	if (i == SIZE_MAX)
		return; /* gumbo 0.10 ignores it (the rules would close the
		           element, which would count less) */
	while (k > 0 &&
	    (tr->list[i].id == 0 || tr->stack[k - 1].fmt != tr->list[i].id))
		k--;
	if (k == 0) { /* not on the stack */
		fmt_erase(tr, i);
		return;
	}
	k--;
	for (size_t j = tr->depth - 1; j > k; j--)
		if (ev_guard_scoping(tr, &tr->stack[j]))
			return; /* not in scope: ignored */
	for (size_t j = k + 1; j < tr->depth && fb == SIZE_MAX; j++)
		if (ev_guard_special(tr, &tr->stack[j]))
			fb = j;
	if (fb == SIZE_MAX) {
		ev_guard_pop_to(tr, k);
		fmt_erase(tr, i);
		return;
	}
	/* The element moves just above the furthest block; with nothing
	 * above that, the agency's next round closes it. */
	fe = tr->stack[k];
	memmove(
	    &tr->stack[k], &tr->stack[k + 1], (fb - k) * sizeof(tr->stack[0]));
	tr->stack[fb] = fe;
	if (fb == tr->depth - 1) {
		ev_guard_pop_to(tr, fb);
		fmt_erase(tr, i);
	}
}

void
ev_guard_close_a(struct guard_tree *tr)
{
	struct guard_tag a = ev_guard_known(GUMBO_TAG_A);
	size_t i = fmt_last(tr, GUMBO_TAG_A);
	unsigned id;

	if (i == SIZE_MAX)
		return;
	id = tr->list[i].id;
	ev_guard_agency(tr, &a);
	for (size_t j = tr->nlist; id != 0 && j-- > 0;)
		if (!tr->list[j].marker && tr->list[j].id == id)
			fmt_erase(tr, j);
	for (size_t k = tr->depth; id != 0 && k-- > 0;)
		if (tr->stack[k].fmt == id) {
			ev_guard_erase(tr, k);
			break;
		}
}

/*
 * guard — how much of a page gumbo may parse.
 *
 * gumbo 0.10 builds the tree in time proportional to the nesting depth
 * for every tag (scope checks walk the stack of open elements) and checks
 * every attribute against the earlier ones of its tag, so 2 MiB of
 * "<div>" or of " a1 a2 a3 …" takes minutes, and its recursive clean-up
 * can overflow the C stack.  ev_guard() runs a light tokenizer over the
 * input that follows the HTML rules for what opens and closes elements
 * closely enough to track the depth gumbo will reach, never below it:
 * where it errs, it counts more open elements than gumbo, not fewer.  The
 * input is cut before the first tag that would go deeper than EV_DEPTH_MAX
 * or that has more than EV_ATTRS_MAX attributes; real pages stay far
 * below both, and a hostile one loses only its tail.
 */
#include <stdint.h>
#include <string.h>

#include "events/ev_int.h"

struct open {
	GumboTag tag; /* GUMBO_TAG_UNKNOWN: compare hash and name */
	uint64_t hash;
	size_t off, len; /* the name in the input */
};

struct scan {
	unsigned char kind[GUMBO_TAG_LAST]; /* K_* bits of each tag */
	const char *buf;
	size_t len;
	struct open stack[EV_DEPTH_MAX];
	size_t depth;
	size_t foreign; /* svg and math elements open */
};

struct tag {
	bool end, self_closing, complete;
	size_t attrs;
	size_t name_off, name_len;
	GumboTag id;
	uint64_t hash;
	size_t next; /* just after '>' */
};

static char
lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

static bool
blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' ||
	    ch == '\r';
}

/* Read the tag whose name starts at i; HTML's tokenizer states for
 * attributes, reduced to what decides where the tag ends. */
static void
read_tag(const char *s, size_t n, size_t i, struct tag *t)
{
	enum {
		BEFORE,
		NAME,
		AFTER_NAME,
		BEFORE_VALUE,
		DQ,
		SQ,
		UNQUOTED,
		AFTER_QUOTED
	} st = BEFORE;
	char lname[16];
	size_t k = 0;

	t->name_off = i;
	t->hash = 1469598103934665603ULL;
	while (i < n && !blank(s[i]) && s[i] != '/' && s[i] != '>') {
		char ch = lower(s[i]);

		if (k < sizeof(lname))
			lname[k] = ch;
		k++;
		t->hash = (t->hash ^ (unsigned char)ch) * 1099511628211ULL;
		i++;
	}
	t->name_len = k;
	t->id = k < sizeof(lname) ? gumbo_tagn_enum(lname, (unsigned)k)
	                          : GUMBO_TAG_UNKNOWN;
	for (; i < n; i++) {
		char ch = s[i];

		switch (st) {
		case BEFORE:
		case AFTER_QUOTED:
			if (ch == '>') {
				t->complete = true;
				t->next = i + 1;
				return;
			}
			if (ch == '/') {
				t->self_closing = i + 1 < n && s[i + 1] == '>';
				st = BEFORE;
			} else if (blank(ch)) {
				st = BEFORE;
			} else {
				t->attrs++;
				st = NAME;
			}
			break;
		case NAME:
			if (blank(ch))
				st = AFTER_NAME;
			else if (ch == '/')
				st = BEFORE, i--;
			else if (ch == '=')
				st = BEFORE_VALUE;
			else if (ch == '>')
				st = BEFORE, i--;
			break;
		case AFTER_NAME:
			if (ch == '=')
				st = BEFORE_VALUE;
			else if (ch == '/' || ch == '>')
				st = BEFORE, i--;
			else if (!blank(ch))
				t->attrs++, st = NAME;
			break;
		case BEFORE_VALUE:
			if (ch == '"')
				st = DQ;
			else if (ch == '\'')
				st = SQ;
			else if (ch == '>')
				st = BEFORE, i--;
			else if (!blank(ch))
				st = UNQUOTED;
			break;
		case DQ:
		case SQ:
			if (ch == (st == DQ ? '"' : '\'')) {
				st = AFTER_QUOTED;
			} else {
				const char *q =
				    memchr(s + i, st == DQ ? '"' : '\'', n - i);

				if (q == NULL)
					return; /* the tag runs to the end */
				i = (size_t)(q - s) - 1;
			}
			break;
		case UNQUOTED:
			if (blank(ch))
				st = BEFORE;
			else if (ch == '>')
				st = BEFORE, i--;
			break;
		}
	}
}

static bool
same(const struct scan *sc, const struct open *o, const struct tag *t)
{
	if (o->tag != t->id)
		return false;
	if (o->tag != GUMBO_TAG_UNKNOWN)
		return true;
	if (o->hash != t->hash || o->len != t->name_len)
		return false;
	for (size_t i = 0; i < o->len; i++)
		if (lower(sc->buf[o->off + i]) !=
		    lower(sc->buf[t->name_off + i]))
			return false;
	return true;
}

enum {
	K_SPECIAL = 1 << 0,
	K_SCOPE = 1 << 1,
	K_FORMATTING = 1 << 2,
	K_CLOSES_P = 1 << 3,
	K_NOT_PUSHED = 1 << 4,
	K_RAWTEXT = 1 << 5,
};

/* The special elements of the HTML parsing rules. */
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
    GUMBO_TAG_UL, GUMBO_TAG_WBR, GUMBO_TAG_XMP, GUMBO_TAG_MI, GUMBO_TAG_MO,
    GUMBO_TAG_MN, GUMBO_TAG_MS, GUMBO_TAG_MTEXT, GUMBO_TAG_ANNOTATION_XML,
    GUMBO_TAG_FOREIGNOBJECT, GUMBO_TAG_DESC};

/* Elements that end an "in scope" search. */
static const GumboTag scope[] = {GUMBO_TAG_APPLET, GUMBO_TAG_CAPTION,
    GUMBO_TAG_HTML, GUMBO_TAG_TABLE, GUMBO_TAG_TD, GUMBO_TAG_TH,
    GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT, GUMBO_TAG_TEMPLATE, GUMBO_TAG_MI,
    GUMBO_TAG_MO, GUMBO_TAG_MN, GUMBO_TAG_MS, GUMBO_TAG_MTEXT,
    GUMBO_TAG_ANNOTATION_XML, GUMBO_TAG_FOREIGNOBJECT, GUMBO_TAG_DESC,
    GUMBO_TAG_TITLE};

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
    GUMBO_TAG_FORM, GUMBO_TAG_HR, GUMBO_TAG_LI, GUMBO_TAG_DD, GUMBO_TAG_DT};

/* Elements that never stay open on the stack as far as depth goes:
 * void elements, and those the parser closes by itself. */
static const GumboTag not_pushed[] = {GUMBO_TAG_AREA, GUMBO_TAG_BASE,
    GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_BR, GUMBO_TAG_COL,
    GUMBO_TAG_EMBED, GUMBO_TAG_HR, GUMBO_TAG_IMG, GUMBO_TAG_IMAGE,
    GUMBO_TAG_INPUT, GUMBO_TAG_KEYGEN, GUMBO_TAG_LINK, GUMBO_TAG_META,
    GUMBO_TAG_PARAM, GUMBO_TAG_SOURCE, GUMBO_TAG_TRACK, GUMBO_TAG_WBR,
    GUMBO_TAG_FRAME, GUMBO_TAG_HTML, GUMBO_TAG_HEAD, GUMBO_TAG_BODY,
    GUMBO_TAG_TBODY, GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT, GUMBO_TAG_TR,
    GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_CAPTION, GUMBO_TAG_COLGROUP,
    GUMBO_TAG_OPTION, GUMBO_TAG_OPTGROUP, GUMBO_TAG_RB, GUMBO_TAG_RT,
    GUMBO_TAG_RTC, GUMBO_TAG_RP};

/* Elements whose content is text up to their end tag. */
static const GumboTag rawtext[] = {GUMBO_TAG_SCRIPT, GUMBO_TAG_STYLE,
    GUMBO_TAG_XMP, GUMBO_TAG_IFRAME, GUMBO_TAG_NOEMBED, GUMBO_TAG_NOFRAMES,
    GUMBO_TAG_TEXTAREA, GUMBO_TAG_TITLE};

static const struct {
	const GumboTag *tags;
	size_t n;
	unsigned char kind;
} sets[] = {
    {special, sizeof(special) / sizeof(special[0]), K_SPECIAL},
    {scope, sizeof(scope) / sizeof(scope[0]), K_SCOPE},
    {formatting, sizeof(formatting) / sizeof(formatting[0]), K_FORMATTING},
    {closing_p, sizeof(closing_p) / sizeof(closing_p[0]), K_CLOSES_P},
    {not_pushed, sizeof(not_pushed) / sizeof(not_pushed[0]), K_NOT_PUSHED},
    {rawtext, sizeof(rawtext) / sizeof(rawtext[0]), K_RAWTEXT},
};

static bool
is(const struct scan *sc, GumboTag t, unsigned kind)
{
	return (unsigned)t < GUMBO_TAG_LAST && (sc->kind[t] & kind) != 0;
}

static void
pop_to(struct scan *sc, size_t k)
{
	while (sc->depth > k) {
		GumboTag t = sc->stack[--sc->depth].tag;

		if (t == GUMBO_TAG_SVG || t == GUMBO_TAG_MATH)
			sc->foreign--;
	}
}

/* Index of the topmost open element like t, stopping (SIZE_MAX) at a
 * scope boundary, and at any special element when stop_special. */
static size_t
find(const struct scan *sc, const struct tag *t, bool stop_special,
    bool *special_above)
{
	*special_above = false;
	for (size_t k = sc->depth; k-- > 0;) {
		GumboTag o = sc->stack[k].tag;

		if (same(sc, &sc->stack[k], t))
			return k;
		if (is(sc, o, K_SCOPE) ||
		    (stop_special && is(sc, o, K_SPECIAL)))
			return SIZE_MAX;
		if (is(sc, o, K_SPECIAL))
			*special_above = true;
	}
	return SIZE_MAX;
}

static struct tag
tag_of(GumboTag id)
{
	struct tag t = {0};

	t.id = id;
	return t;
}

static void
end_tag(struct scan *sc, const struct tag *t)
{
	bool special_above;
	size_t k;

	if (is(sc, t->id, K_FORMATTING)) {
		/* The adoption agency: with a special element above it,
		 * the formatting element moves up and the depth stays. */
		k = find(sc, t, false, &special_above);
		if (k != SIZE_MAX && !special_above)
			pop_to(sc, k);
		return;
	}
	k = find(sc, t, !is(sc, t->id, K_SPECIAL) || t->id == GUMBO_TAG_UNKNOWN,
	    &special_above);
	if (k != SIZE_MAX)
		pop_to(sc, k);
}

/* Returns false when the tag would go deeper than allowed. */
static bool
start_tag(struct scan *sc, const struct tag *t)
{
	bool special_above;
	size_t k;

	if (t->id == GUMBO_TAG_LI || t->id == GUMBO_TAG_DD ||
	    t->id == GUMBO_TAG_DT) {
		for (k = sc->depth; k-- > 0;) {
			GumboTag o = sc->stack[k].tag;

			if (o == t->id ||
			    (t->id != GUMBO_TAG_LI &&
			        (o == GUMBO_TAG_DD || o == GUMBO_TAG_DT))) {
				pop_to(sc, k);
				break;
			}
			if (is(sc, o, K_SPECIAL) && o != GUMBO_TAG_ADDRESS &&
			    o != GUMBO_TAG_DIV && o != GUMBO_TAG_P)
				break;
		}
	}
	if (is(sc, t->id, K_CLOSES_P)) {
		struct tag p = tag_of(GUMBO_TAG_P);

		k = find(sc, &p, false, &special_above);
		if (k != SIZE_MAX)
			pop_to(sc, k);
	}
	if (t->id == GUMBO_TAG_A || t->id == GUMBO_TAG_NOBR)
		end_tag(sc, t);
	if (is(sc, t->id, K_NOT_PUSHED) || (t->self_closing && sc->foreign > 0))
		return true;
	if (sc->depth >= EV_DEPTH_MAX)
		return false;
	sc->stack[sc->depth].tag = t->id;
	sc->stack[sc->depth].hash = t->hash;
	sc->stack[sc->depth].off = t->name_off;
	sc->stack[sc->depth].len = t->name_len;
	sc->depth++;
	if (t->id == GUMBO_TAG_SVG || t->id == GUMBO_TAG_MATH)
		sc->foreign++;
	return true;
}

/* Where a comment starting at i ("<!--") ends: after "-->" or "--!>"
 * (the "--" may be the opener's own, "<!-->"); n when it never does. */
static size_t
comment_end(const char *s, size_t n, size_t i)
{
	for (size_t j = i + 2; j + 2 < n; j++) {
		const char *d = memchr(s + j, '-', n - j);

		if (d == NULL)
			return n;
		j = (size_t)(d - s);
		if (j + 2 < n && s[j + 1] == '-' && s[j + 2] == '>')
			return j + 3;
		if (j + 3 < n && s[j + 1] == '-' && s[j + 2] == '!' &&
		    s[j + 3] == '>')
			return j + 4;
	}
	return n;
}

/* Where the raw text of element name (at name_off) ends: the start of
 * "</name" followed by a blank, '/' or '>'; n when it never does. */
static size_t
rawtext_end(const char *s, size_t n, size_t i, const struct tag *t)
{
	for (; i + 2 + t->name_len < n; i++) {
		const char *lt = memchr(s + i, '<', n - i);
		size_t j, k;

		if (lt == NULL)
			return n;
		i = (size_t)(lt - s);
		if (i + 2 + t->name_len >= n || s[i + 1] != '/')
			continue;
		for (k = 0; k < t->name_len; k++)
			if (lower(s[i + 2 + k]) != lower(s[t->name_off + k]))
				break;
		j = i + 2 + k;
		if (k == t->name_len &&
		    (blank(s[j]) || s[j] == '/' || s[j] == '>'))
			return i;
	}
	return n;
}

size_t
ev_guard(const char *buf, size_t len)
{
	struct scan mem, *sc = &mem;
	size_t i = 0;

	sc->depth = 0;
	sc->foreign = 0;
	memset(sc->kind, 0, sizeof(sc->kind));
	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++)
		for (size_t j = 0; j < sets[k].n; j++)
			sc->kind[sets[k].tags[j]] |= sets[k].kind;
	sc->buf = buf;
	sc->len = len;
	while (i < len) {
		const char *lt = memchr(buf + i, '<', len - i);
		struct tag t = {0};
		size_t at;

		if (lt == NULL)
			break;
		at = i = (size_t)(lt - buf);
		if (i + 1 >= len)
			break;
		if (buf[i + 1] == '!' && i + 3 < len && buf[i + 2] == '-' &&
		    buf[i + 3] == '-') {
			i = comment_end(buf, len, i + 2);
			continue;
		}
		if (buf[i + 1] == '!' || buf[i + 1] == '?') {
			const char *gt = memchr(buf + i, '>', len - i);

			if (gt == NULL)
				break;
			i = (size_t)(gt - buf) + 1;
			continue;
		}
		t.end = buf[i + 1] == '/';
		i += t.end ? 2 : 1;
		if (i >= len ||
		    !(((buf[i] | 0x20) >= 'a' && (buf[i] | 0x20) <= 'z')))
			continue;
		read_tag(buf, len, i, &t);
		if (!t.end && t.attrs > EV_ATTRS_MAX)
			return at;
		if (!t.complete)
			break; /* gumbo drops a tag cut by the end of input */
		i = t.next;
		if (t.end) {
			end_tag(sc, &t);
			continue;
		}
		if (!start_tag(sc, &t))
			return at;
		if (t.id == GUMBO_TAG_PLAINTEXT && sc->foreign == 0)
			break;
		/* The end tag found there closes it. */
		if (is(sc, t.id, K_RAWTEXT) && sc->foreign == 0)
			i = rawtext_end(buf, len, i, &t);
	}
	return len;
}

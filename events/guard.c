/*
 * guard — how much of a page gumbo may parse.
 *
 * gumbo 0.10 builds the tree in time proportional to the nesting depth
 * for every tag (scope checks walk the stack of open elements) and checks
 * every attribute against the earlier ones of its tag, so 2 MiB of
 * "<div>" or of " a1 a2 a3 …" takes minutes, and its recursive clean-up
 * can overflow the C stack.  ev_guard() runs a light tokenizer over the
 * input (here) and keeps the stack of open elements as gumbo's tree
 * builder would (guard_rules.c, guard_tree.c), closely enough to know the depth
 * gumbo will reach and never to think it lower.  The input is cut before the
 * first tag that would go deeper than EV_DEPTH_MAX or that has more than
 * EV_ATTRS_MAX attributes; real pages stay far below both, and a hostile
 * one loses only its tail.
 */
#include <string.h>
#include <strings.h>

#include "events/guard_int.h"

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
read_tag(const char *s, size_t n, size_t i, struct guard_tag *t)
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
	while (i < n && !blank(s[i]) && s[i] != '/' && s[i] != '>') {
		char ch = lower(s[i]);

		if (k < sizeof(lname))
			lname[k] = ch;
		k++;
		i++;
	}
	t->name_len = k;
	t->attr_off = i;
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
				t->attr_len = i - t->attr_off;
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

/* Where the comment whose "<!--" is at i ends: after "-->" or "--!>",
 * the "--" possibly the opener's own ("<!-->"); n when it never does. */
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
rawtext_end(const char *s, size_t n, size_t i, const struct guard_tag *t)
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

/* Is the document in quirks mode (where a table does not close an open
 * p)?  gumbo itself reads the doctype, from the start of the page up to
 * the end of the doctype. */
static bool
quirks(const char *buf, size_t len)
{
	size_t n = len < 2048 ? len : 2048;
	GumboOutput *g;
	const char *gt;
	bool q;

	for (size_t i = 0; i + 9 <= n; i++) {
		if (buf[i] != '<' || strncasecmp(buf + i, "<!doctype", 9) != 0)
			continue;
		gt = memchr(buf + i, '>', len - i);
		if (gt == NULL)
			return true;
		g = gumbo_parse_with_options(
		    &kGumboDefaultOptions, buf, (size_t)(gt - buf) + 1);
		if (g == NULL)
			return true;
		q = g->document->v.document.doc_type_quirks_mode !=
		        GUMBO_DOCTYPE_NO_QUIRKS &&
		    g->document->v.document.doc_type_quirks_mode !=
		        GUMBO_DOCTYPE_LIMITED_QUIRKS;
		gumbo_destroy_output(&kGumboDefaultOptions, g);
		return q;
	}
	return true;
}

size_t
ev_guard(const char *buf, size_t len)
{
	struct guard_tree tree, *tr = &tree;
	bool text = false; /* text since the last tag */
	bool raw;
	size_t i = 0;

	ev_guard_tree_init(tr, buf, quirks(buf, len));
	while (i < len) {
		const char *lt = memchr(buf + i, '<', len - i);
		struct guard_tag t = {0};
		size_t at;

		if (lt == NULL)
			break;
		at = (size_t)(lt - buf);
		if (at > i)
			text = true;
		if (at + 1 >= len)
			break;
		if (buf[at + 1] == '!' && at + 3 < len && buf[at + 2] == '-' &&
		    buf[at + 3] == '-') {
			i = comment_end(buf, len, at);
			continue;
		}
		if (buf[at + 1] == '!' || buf[at + 1] == '?') {
			const char *gt = memchr(buf + at, '>', len - at);

			if (gt == NULL)
				break;
			i = (size_t)(gt - buf) + 1;
			continue;
		}
		t.end = buf[at + 1] == '/';
		i = at + (t.end ? 2 : 1);
		if (i >= len ||
		    !(((buf[i] | 0x20) >= 'a' && (buf[i] | 0x20) <= 'z'))) {
			/* not a tag: "<" in text, "</>", "</ x>" */
			text = true;
			i = at + 1;
			continue;
		}
		read_tag(buf, len, i, &t);
		if (!t.end && t.attrs > EV_ATTRS_MAX)
			return at;
		if (!t.complete)
			break; /* gumbo drops a tag cut by the end of input */
		if (text && !ev_guard_text(tr))
			return at;
		text = false;
		i = t.next;
		if (t.end) {
			ev_guard_end(tr, &t);
			continue;
		}
		if (!ev_guard_start(tr, &t, &raw))
			return at;
		/* The end tag found there closes it. */
		if (raw)
			i = rawtext_end(buf, len, i, &t);
	}
	return len;
}

/*
 * field — strings into the fixed fields of struct ev_event: whitespace
 * collapsed, UTF-8 kept valid and never cut inside a character, HTML
 * character references decoded where a value was written as HTML, URLs
 * resolved, and the schema.org type and status vocabularies.
 */
#include <string.h>
#include <strings.h>

#include "events/ev_int.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid
 * (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t k;
	unsigned lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return k;
}

void
ev_buf_init(struct ev_buf *b, char *p, size_t cap)
{
	b->p = p;
	b->len = 0;
	b->cap = cap;
	b->space = false;
	b->full = cap == 0;
	if (cap > 0)
		p[0] = '\0';
}

/* Append one character of k bytes, after the pending space. */
static void
put(struct ev_buf *b, const char *s, size_t k)
{
	bool sp = b->space && b->len > 0;

	if (b->full)
		return;
	if (b->len + k + (sp ? 1 : 0) + 1 > b->cap) {
		b->full = true;
		return;
	}
	if (sp)
		b->p[b->len++] = ' ';
	b->space = false;
	memcpy(b->p + b->len, s, k);
	b->len += k;
	b->p[b->len] = '\0';
}

void
ev_buf_add(struct ev_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n && !b->full) {
		if (u[i] <= 0x20 || u[i] == 0x7f) {
			b->space = true;
			i++;
			continue;
		}
		k = utf8_len(u + i, n - i);
		if (k == 0) {
			put(b, REPLACEMENT, 3);
			i++;
		} else if (k == 2 && u[i] == 0xc2 && u[i + 1] == 0xa0) {
			b->space = true; /* no-break space */
			i += 2;
		} else if (k == 3 && u[i] == 0xef && u[i + 1] == 0xbb &&
		    u[i + 2] == 0xbf) {
			i += 3; /* byte order mark */
		} else {
			put(b, s + i, k);
			i += k;
		}
	}
}

static void
add_code_point(struct ev_buf *b, unsigned long cp)
{
	char u[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		u[0] = (char)cp;
		ev_buf_add(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		ev_buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		ev_buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		ev_buf_add(b, u, 4);
	}
}

static const struct {
	const char *name;
	unsigned long cp;
} entities[] = {
    {"amp", '&'},
    {"lt", '<'},
    {"gt", '>'},
    {"quot", '"'},
    {"apos", '\''},
    {"nbsp", 0xa0},
    {"ndash", 0x2013},
    {"mdash", 0x2014},
    {"hellip", 0x2026},
    {"lsquo", 0x2018},
    {"rsquo", 0x2019},
    {"ldquo", 0x201c},
    {"rdquo", 0x201d},
    {"laquo", 0xab},
    {"raquo", 0xbb},
    {"middot", 0xb7},
    {"bull", 0x2022},
    {"copy", 0xa9},
    {"reg", 0xae},
    {"trade", 0x2122},
    {"euro", 0x20ac},
    {"pound", 0xa3},
    {"times", 0xd7},
    {"eacute", 0xe9},
    {"egrave", 0xe8},
    {"ecirc", 0xea},
    {"agrave", 0xe0},
    {"aacute", 0xe1},
    {"acirc", 0xe2},
    {"ccedil", 0xe7},
    {"iacute", 0xed},
    {"oacute", 0xf3},
    {"uacute", 0xfa},
    {"ntilde", 0xf1},
    {"auml", 0xe4},
    {"ouml", 0xf6},
    {"uuml", 0xfc},
    {"szlig", 0xdf},
    {"Eacute", 0xc9},
    {"Auml", 0xc4},
    {"Ouml", 0xd6},
    {"Uuml", 0xdc},
};

/* Decode the character reference at s ('&', n bytes left) into b.
 * Returns the bytes consumed, 0 when it is not one. */
static size_t
add_reference(struct ev_buf *b, const char *s, size_t n)
{
	unsigned long cp = 0;
	size_t i = 1;

	if (n > 2 && s[1] == '#') {
		bool hex = n > 3 && (s[2] == 'x' || s[2] == 'X');
		size_t digits = 0;

		for (i = hex ? 3 : 2; i < n && digits < 8; i++, digits++) {
			char ch = s[i];
			int v;

			if (ch >= '0' && ch <= '9')
				v = ch - '0';
			else if (hex && ch >= 'a' && ch <= 'f')
				v = ch - 'a' + 10;
			else if (hex && ch >= 'A' && ch <= 'F')
				v = ch - 'A' + 10;
			else
				break;
			cp = cp * (hex ? 16 : 10) + (unsigned long)v;
		}
		if (digits == 0 || i >= n || s[i] != ';')
			return 0;
		add_code_point(b, cp);
		return i + 1;
	}
	for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
		size_t len = strlen(entities[k].name);

		if (n >= len + 2 && memcmp(s + 1, entities[k].name, len) == 0 &&
		    s[len + 1] == ';') {
			add_code_point(b, entities[k].cp);
			return len + 2;
		}
	}
	return 0;
}

/* Is the tag at s ("<p", "</div" …) one that separates words? */
static bool
tag_breaks(const char *s, size_t n)
{
	static const char *const blocks[] = {"br", "p", "div", "li", "ul", "ol",
	    "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
	    "section", "article", "header", "footer", "dd", "dt", "blockquote"};
	size_t i = 1, start;

	if (i < n && s[i] == '/')
		i++;
	start = i;
	while (i < n &&
	    ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	        (s[i] >= '0' && s[i] <= '9')))
		i++;
	for (size_t k = 0; k < sizeof(blocks) / sizeof(blocks[0]); k++)
		if (strlen(blocks[k]) == i - start &&
		    strncasecmp(blocks[k], s + start, i - start) == 0)
			return true;
	return false;
}

void
ev_buf_add_html(struct ev_buf *b, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	while (i < n && !b->full) {
		size_t used = 0;

		if (s[i] == '&') {
			ev_buf_add(b, s + run, i - run);
			used = add_reference(b, s + i, n - i);
			if (used == 0)
				used = 1, ev_buf_add(b, "&", 1);
			i += used;
			run = i;
			continue;
		}
		if (s[i] == '<' && i + 1 < n &&
		    (s[i + 1] == '/' || s[i + 1] == '!' ||
		        ((s[i + 1] | 0x20) >= 'a' &&
		            (s[i + 1] | 0x20) <= 'z'))) {
			const char *gt = memchr(s + i, '>', n - i);

			if (gt != NULL) {
				ev_buf_add(b, s + run, i - run);
				if (tag_breaks(s + i, (size_t)(gt - (s + i))))
					b->space = true;
				i = (size_t)(gt - s) + 1;
				run = i;
				continue;
			}
		}
		i++;
	}
	if (!b->full)
		ev_buf_add(b, s + run, i - run);
}

void
ev_set_text(char *dst, size_t cap, const char *s, size_t n)
{
	struct ev_buf b;

	ev_buf_init(&b, dst, cap);
	ev_buf_add(&b, s, n);
}

void
ev_set_html(char *dst, size_t cap, const char *s, size_t n)
{
	struct ev_buf b;

	ev_buf_init(&b, dst, cap);
	ev_buf_add_html(&b, s, n);
}

/* Is part one of the ", "-separated pieces of dst? */
static bool
has_piece(const char *dst, const char *part)
{
	size_t k = strlen(part);

	for (const char *p = dst; (p = strstr(p, part)) != NULL; p++) {
		bool starts =
		    p == dst || (p - dst >= 2 && p[-2] == ',' && p[-1] == ' ');

		if (starts && (p[k] == '\0' || p[k] == ','))
			return true;
	}
	return false;
}

void
ev_join(char *dst, size_t cap, const char *s)
{
	char part[EV_TEXT_MAX];
	struct ev_buf b;
	size_t len = strlen(dst);

	if (s == NULL)
		return;
	ev_set_text(part, sizeof(part), s, strlen(s));
	if (part[0] == '\0' || has_piece(dst, part))
		return;
	/* Continue the builder where dst ends: the ", " is the pending
	 * separator, and what does not fit is left out whole. */
	b.p = dst;
	b.len = len;
	b.cap = cap;
	b.space = false;
	b.full = len + 1 >= cap;
	if (len > 0) {
		if (len + 2 + strlen(part) + 1 > cap)
			return;
		ev_buf_add(&b, ",", 1);
		b.space = true;
	}
	ev_buf_add(&b, part, strlen(part));
}

void
ev_set_url(struct ev_ctx *c, char *dst, size_t cap, const char *s, size_t n)
{
	char ref[EV_URL_MAX];
	size_t k = 0;

	dst[0] = '\0';
	while (n > 0 && (unsigned char)s[0] <= 0x20)
		s++, n--;
	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	if (n == 0 || ev_prefix(s, n, "javascript:") ||
	    ev_prefix(s, n, "data:") || ev_prefix(s, n, "vbscript:"))
		return;
	/* Tabs and newlines inside a URL are dropped (URL standard). */
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			continue;
		if (s[i] == '\0' || k + 1 >= sizeof(ref))
			return;
		ref[k++] = s[i];
	}
	ref[k] = '\0';
	if (c->base[0] != '\0') {
		if (ev_url_resolve(c->base, ref, k, dst, cap) < 0)
			dst[0] = '\0';
		return;
	}
	if (k + 1 > cap)
		return;
	memcpy(dst, ref, k + 1);
}

bool
ev_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(s, prefix, k) == 0;
}

bool
ev_has_token(const char *list, const char *tok)
{
	size_t k = strlen(tok);

	if (list == NULL || k == 0)
		return false;
	for (const char *p = list; *p != '\0';) {
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\f')
			p++;
		len = strcspn(p, " \t\n\r\f");
		if (len == k && memcmp(p, tok, k) == 0)
			return true;
		p += len;
	}
	return false;
}

const char *
ev_local_name(const char *s, size_t n, size_t *ret_len)
{
	size_t start = 0;

	while (n > 0 && (s[n - 1] == '/' || s[n - 1] == ' '))
		n--;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == '#' || s[i] == ':')
			start = i + 1;
	*ret_len = n - start;
	return s + start;
}

/* Does the local name of s equal word (ASCII case-insensitive)? */
static bool
local_is(const char *s, size_t n, const char *word)
{
	size_t len;
	const char *name = ev_local_name(s, n, &len);

	return len == strlen(word) && strncasecmp(name, word, len) == 0;
}

bool
ev_type_is_event(const char *type, size_t n)
{
	static const char *const known[] = {
	    "Festival", "Hackathon", "CourseInstance", "EventSeries"};
	size_t len;
	const char *name = ev_local_name(type, n, &len);

	if (len >= 5 && strncasecmp(name + len - 5, "event", 5) == 0)
		return true;
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		if (local_is(type, n, known[k]))
			return true;
	return false;
}

bool
ev_type_is_boilerplate(const char *type, size_t n)
{
	static const char *const furniture[] = {"WebSite", "WebPage",
	    "BreadcrumbList", "Breadcrumb", "ListItem", "SearchAction",
	    "EntryPoint", "ImageObject", "SiteNavigationElement", "WPHeader",
	    "WPFooter", "WPSideBar", "WebPageElement", "Organization",
	    "Corporation", "Person", "Brand", "ContactPoint", "PostalAddress",
	    "PropertyValueSpecification", "ReadAction", "CollectionPage",
	    "AboutPage", "ContactPage", "ItemPage", "SearchResultsPage",
	    "GeoCoordinates", "Country", "Language", "SpeakableSpecification",
	    "Thing", "Logo"};

	for (size_t k = 0; k < sizeof(furniture) / sizeof(furniture[0]); k++)
		if (local_is(type, n, furniture[k]))
			return true;
	return false;
}

void
ev_set_status(struct ev_event *e, const char *s, size_t n)
{
	static const struct {
		const char *word, *status;
	} map[] = {
	    {"cancel", "cancelled"},
	    {"postpone", "postponed"},
	    {"reschedul", "rescheduled"},
	    {"movedonline", "moved_online"},
	    {"moved_online", "moved_online"},
	    {"scheduled", "scheduled"},
	};
	char word[64];
	size_t len;
	const char *name = ev_local_name(s, n, &len);

	if (len == 0 || len >= sizeof(word))
		return;
	for (size_t i = 0; i < len; i++)
		word[i] =
		    (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32
		                                              : name[i]);
	word[len] = '\0';
	for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		if (strstr(word, map[k].word) != NULL) {
			strcpy(e->status, map[k].status);
			return;
		}
}

/*
 * chat_render — Bot API messages as terminal text: HTML to plain text,
 * inline keyboards to numbered buttons.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/chat_int.h"

/* Output of chat_html_text(): never longer than 2 × the input + slack (a
 * tag is at least as long as what it becomes, less one byte, and a link's
 * address is copied out of its tag). */
struct out {
	char *s;
	size_t len, cap;
};

static void
put_n(struct out *o, const char *s, size_t n)
{
	if (o->len + n >= o->cap)
		n = o->cap - 1 - o->len; /* cannot happen: see struct out */
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void
put_s(struct out *o, const char *s)
{
	put_n(o, s, strlen(s));
}

/* A byte of text as it is, unless it is a control character: those (ESC
 * above all) never reach the terminal. */
static void
put_byte(struct out *o, char ch)
{
	unsigned char c = (unsigned char)ch;

	if (c >= 0x20 && c != 0x7f)
		put_n(o, &ch, 1);
	else if (c == '\n' || c == '\t')
		put_n(o, &ch, 1);
}

/* A code point as UTF-8; nothing for one that is not a character. */
static void
put_cp(struct out *o, unsigned long cp)
{
	char b[4];

	if (cp == 0 || (cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f ||
	    (cp >= 0x80 && cp < 0xa0) || (cp >= 0xd800 && cp < 0xe000) ||
	    cp > 0x10ffff)
		return;
	if (cp < 0x80) {
		b[0] = (char)cp;
		put_n(o, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		put_n(o, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		put_n(o, b, 3);
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		put_n(o, b, 4);
	}
}

/* The entity at s ("&amp;" …) into o; returns the bytes it used, 0 when
 * s is not an entity we know (the '&' is then text). */
static size_t
entity(struct out *o, const char *s)
{
	static const struct {
		const char *name;
		const char *text;
	} named[] = {
	    {"&amp;", "&"},
	    {"&lt;", "<"},
	    {"&gt;", ">"},
	    {"&quot;", "\""},
	    {"&apos;", "'"},
	};
	unsigned long cp;
	char *end;

	for (size_t i = 0; i < sizeof(named) / sizeof(*named); i++) {
		size_t n = strlen(named[i].name);

		if (strncmp(s, named[i].name, n) == 0) {
			put_s(o, named[i].text);
			return n;
		}
	}
	if (s[1] != '#')
		return 0;
	if (s[2] == 'x' || s[2] == 'X')
		cp = strtoul(s + 3, &end, 16);
	else
		cp = strtoul(s + 2, &end, 10);
	if (*end != ';' || end == s + 2 || end - s > 12)
		return 0;
	put_cp(o, cp);
	return (size_t)(end - s) + 1;
}

/* ANSI styles for the tags Telegram's HTML mode has; plain names only. */
static const struct {
	const char *tag;
	const char *on, *off;
} styles[] = {
    {"b", "\033[1m", "\033[22m"},
    {"strong", "\033[1m", "\033[22m"},
    {"i", "\033[3m", "\033[23m"},
    {"em", "\033[3m", "\033[23m"},
    {"u", "\033[4m", "\033[24m"},
    {"ins", "\033[4m", "\033[24m"},
    {"s", "\033[9m", "\033[29m"},
    {"strike", "\033[9m", "\033[29m"},
    {"del", "\033[9m", "\033[29m"},
};

/* The value of the attribute href="…" (or '…') in a tag's text of len
 * bytes into buf; "" when there is none or it does not fit. */
static void
href_of(const char *tag, size_t len, char *buf, size_t buflen)
{
	const char *end = tag + len, *v, *p;

	buf[0] = '\0';
	for (p = tag; p + 6 <= end; p++)
		if (strncasecmp(p, "href=", 5) == 0 &&
		    (p[5] == '"' || p[5] == '\''))
			break;
	if (p + 6 > end)
		return;
	v = p + 6;
	p = memchr(v, p[5], (size_t)(end - v));
	if (p == NULL)
		p = end;
	if ((size_t)(p - v) >= buflen)
		return;
	memcpy(buf, v, (size_t)(p - v));
	buf[p - v] = '\0';
}

/* The tag at s (s[0] == '<', its '>' at end) into o. */
static void
tag(struct out *o, const char *s, const char *end, bool ansi, char *href,
    size_t hlen)
{
	const char *name = s + 1;
	bool closing = *name == '/';
	size_t n;

	if (closing)
		name++;
	for (n = 0; name + n < end && name[n] != ' ' && name[n] != '/' &&
	     name[n] != '\t' && name[n] != '\n';
	     n++)
		;
	if (n == 1 && (name[0] == 'a' || name[0] == 'A')) {
		if (!closing) {
			href_of(name, (size_t)(end - name), href, hlen);
		} else if (href[0] != '\0') {
			put_s(o, " (");
			for (const char *h = href; *h != '\0';) {
				size_t used = *h == '&' ? entity(o, h) : 0;

				if (used == 0) {
					put_byte(o, *h);
					used = 1;
				}
				h += used;
			}
			put_s(o, ")");
			href[0] = '\0';
		}
		return;
	}
	if (!ansi)
		return;
	for (size_t i = 0; i < sizeof(styles) / sizeof(*styles); i++)
		if (strlen(styles[i].tag) == n &&
		    strncasecmp(styles[i].tag, name, n) == 0) {
			put_s(o, closing ? styles[i].off : styles[i].on);
			return;
		}
}

char *
chat_html_text(const char *html, bool ansi)
{
	struct out o;
	char href[CHAT_URL_MAX];
	size_t len = strlen(html);

	o.cap = 2 * len + 64;
	o.s = malloc(o.cap);
	if (o.s == NULL)
		return NULL;
	o.len = 0;
	o.s[0] = '\0';
	href[0] = '\0';
	for (const char *p = html; *p != '\0';) {
		const char *end;
		size_t n;

		if (*p == '<' && (end = strchr(p, '>')) != NULL) {
			tag(&o, p, end, ansi, href, sizeof(href));
			p = end + 1;
		} else if (*p == '&' && (n = entity(&o, p)) > 0) {
			p += n;
		} else {
			put_byte(&o, *p);
			p++;
		}
	}
	if (ansi)
		put_s(&o, "\033[0m");
	return o.s;
}

/* s (plain text) into buf, control characters dropped, cut to fit at a
 * character boundary. */
static void
copy_plain(char *buf, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s != '\0' && n + 1 < len; s++)
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			buf[n++] = *s;
	while (n > 0 && *s != '\0' && ((unsigned char)buf[n] & 0xc0) == 0x80)
		n--;
	buf[n] = '\0';
}

static const char *
str_of(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
chat_keyboard(struct json_object *markup, struct chat_keyboard *kb)
{
	struct json_object *parsed = NULL, *rows;

	kb->n = 0;
	if (json_object_is_type(markup, json_type_string))
		markup = parsed =
		    json_tokener_parse(json_object_get_string(markup));
	if (!json_object_is_type(markup, json_type_object) ||
	    !json_object_object_get_ex(markup, "inline_keyboard", &rows) ||
	    !json_object_is_type(rows, json_type_array))
		goto out;
	for (size_t r = 0; r < json_object_array_length(rows); r++) {
		struct json_object *row = json_object_array_get_idx(rows, r);

		if (!json_object_is_type(row, json_type_array))
			continue;
		for (size_t c = 0; c < json_object_array_length(row); c++) {
			struct json_object *b =
			    json_object_array_get_idx(row, c);
			struct chat_button *kb_b;
			const char *text = str_of(b, "text");
			const char *data = str_of(b, "callback_data");
			const char *url = str_of(b, "url");

			if (text == NULL || kb->n == CHAT_BUTTONS_MAX)
				continue;
			kb_b = &kb->b[kb->n++];
			copy_plain(kb_b->label, sizeof(kb_b->label), text);
			copy_plain(kb_b->data, sizeof(kb_b->data),
			    data != NULL ? data : "");
			copy_plain(kb_b->url, sizeof(kb_b->url),
			    url != NULL ? url : "");
			kb_b->row = (int)r;
		}
	}
out:
	json_object_put(parsed);
	return kb->n;
}

void
chat_print(FILE *out, const char *header, const char *text,
    const struct chat_keyboard *kb)
{
	fprintf(out, "%s\n", header);
	/* every line indented, empty ones left empty */
	for (const char *p = text; *p != '\0';) {
		size_t n = strcspn(p, "\n");

		fprintf(out, n > 0 ? "  %.*s\n" : "\n", (int)n, p);
		p += n;
		if (*p == '\n')
			p++;
	}
	/* "  [1] ✅ Confirm  [2] ✏️ Edit", a line for each row */
	for (int i = 0; kb != NULL && i < kb->n; i++) {
		bool last = i + 1 == kb->n || kb->b[i + 1].row != kb->b[i].row;

		fprintf(out, "  [%d] %s%s", i + 1, kb->b[i].label,
		    last ? "\n" : "");
	}
	fflush(out);
}

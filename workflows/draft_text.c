/*
 * draft_text — the text helpers and field setters of draft_int.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/draft.h"
#include "workflows/draft_int.h"

static const char ELLIPSIS[] = "\xe2\x80\xa6";
/* Text helpers; strings are NUL-terminated UTF-8, edited in place. */

bool
draft_wordch(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch >= 0x80;
}

char
draft_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

bool
draft_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

bool
draft_word_start(const char *s, size_t i)
{
	return draft_wordch((unsigned char)s[i]) &&
	    (i == 0 || !draft_wordch((unsigned char)s[i - 1]));
}

/*
 * Does phrase p (lower case) stand at s+i?  A space in p matches one or
 * more blanks; an apostrophe matches ', ’ or nothing ("dont"); a phrase
 * that ends in a letter or digit must end at a word boundary.  *end: after
 * the match.
 */
bool
draft_phrase_at(const char *s, size_t i, const char *p, size_t *end)
{
	size_t k = i, n = strlen(p);

	for (const char *q = p; *q != '\0'; q++) {
		if (*q == ' ') {
			if (!draft_blank(s[k]))
				return false;
			while (draft_blank(s[k]))
				k++;
		} else if (*q == '\'') {
			if (s[k] == '\'')
				k++;
			else if ((unsigned char)s[k] == 0xe2 &&
			    (unsigned char)s[k + 1] == 0x80 &&
			    (unsigned char)s[k + 2] == 0x99)
				k += 3;
		} else if (draft_lower(s[k]) == *q) {
			k++;
		} else {
			return false;
		}
	}
	if (n > 0 && draft_wordch((unsigned char)p[n - 1]) &&
	    draft_wordch((unsigned char)s[k]))
		return false;
	*end = k;
	return true;
}

/* Is the whole of s phrase p? */
bool
draft_phrase_is(const char *s, const char *p)
{
	size_t e;

	return draft_phrase_at(s, 0, p, &e) && s[e] == '\0';
}

/* The first of list (NULL-terminated) that stands at s+i; *end after it. */
const char *
draft_phrase_any(const char *s, size_t i, const char *const *list, size_t *end)
{
	for (size_t k = 0; list[k] != NULL; k++)
		if (draft_phrase_at(s, i, list[k], end))
			return list[k];
	return NULL;
}

/* Length of the punctuation character at s that may be stripped from the
 * ends of a title, 0 if none. */
static size_t
punct_len(const char *s, bool leading)
{
	const unsigned char *u = (const unsigned char *)s;

	if (*u == '\0')
		return 0;
	/* a leading "-" or "*" only as a bullet: "-5 degrees" keeps it */
	if (leading && (*u == '-' || *u == '*'))
		return u[1] == '\0' || draft_blank((char)u[1]) || u[1] == *u
		    ? 1
		    : 0;
	if (strchr(leading ? " \t:,;." : " \t-:,;.!?", *u) != NULL)
		return 1;
	/* – — and, leading only, • */
	if (u[0] == 0xe2 && u[1] == 0x80 &&
	    (u[2] == 0x93 || u[2] == 0x94 || (leading && u[2] == 0xa2)))
		return 3;
	return 0;
}

/* Strip blanks and punctuation from both ends; returns the new start. */
char *
draft_trim_punct(char *s)
{
	size_t n, k;

	while ((k = punct_len(s, true)) > 0 || draft_blank(*s))
		s += k > 0 ? k : 1;
	n = strlen(s);
	for (;;) {
		if (n > 0 &&
		    (draft_blank(s[n - 1]) ||
		        punct_len(s + n - 1, false)))
			n--;
		else if (n >= 3 && punct_len(s + n - 3, false) == 3)
			n -= 3;
		else
			break;
	}
	s[n] = '\0';
	return s;
}

/* Strip blanks from both ends; returns the new start. */
char *
draft_trim(char *s)
{
	size_t n;

	while (draft_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && draft_blank(s[n - 1]))
		n--;
	s[n] = '\0';
	return s;
}

/* Runs of blanks become one space. */
void
draft_squeeze(char *s)
{
	size_t o = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		if (draft_blank(s[i])) {
			if (o > 0 && s[o - 1] == ' ')
				continue;
			s[o++] = ' ';
		} else {
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
}

char *
draft_unquote(char *s)
{
	size_t n = strlen(s);

	if (n >= 2 &&
	    ((s[0] == '"' && s[n - 1] == '"') ||
	        (s[0] == '\'' && s[n - 1] == '\''))) {
		s[n - 1] = '\0';
		return draft_trim(s + 1);
	}
	if (n >= 6 && memcmp(s, "\xe2\x80\x9c", 3) == 0 &&
	    memcmp(s + n - 3, "\xe2\x80\x9d", 3) == 0) {
		s[n - 3] = '\0';
		return draft_trim(s + 3);
	}
	return s;
}

char *
draft_revision_text(char *s, bool keep_bangs)
{
	static const char *const politeness[] = {
	    "please", "ok", "okay", "also", "and", NULL};
	size_t e, n;

	draft_squeeze(s);
	s = draft_trim(s);
	while (draft_phrase_any(s, 0, politeness, &e) != NULL)
		s = draft_trim(s + e + (s[e] == ',' ? 1 : 0));
	n = strlen(s);
	while (n > 0 && strchr(".!?", s[n - 1]) != NULL &&
	    !(keep_bangs && n >= 2 && s[n - 2] == '!'))
		s[--n] = '\0';
	if (n >= 7 && !draft_wordch((unsigned char)s[n - 7]) &&
	    draft_phrase_is(s + n - 6, "please")) {
		s[n - 6] = '\0';
		s = draft_trim_punct(s);
	}
	return s;
}

void
draft_capitalise(char *s)
{
	if (*s >= 'a' && *s <= 'z')
		*s = (char)(*s - 'a' + 'A');
}

/* Cut s to at most max bytes, at a character boundary, ending in "…". */
void
draft_fit(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return;
	n = max - (sizeof(ELLIPSIS) - 1);
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(s + n, ELLIPSIS, sizeof(ELLIPSIS));
}

/* Like
 * draft_draft_draft_draft_draft_draft_draft_draft_draft_draft_draft_draft_draft_draft_draft_draft_draft_draft_draft_draft_fit(),
 * but at the last space before max when there is one. */
void
draft_fit_words(char *s, size_t max)
{
	size_t n = strlen(s), cut;

	if (n <= max)
		return;
	cut = max - (sizeof(ELLIPSIS) - 1);
	while (cut > max / 2 && s[cut] != ' ')
		cut--;
	if (s[cut] == ' ') {
		memcpy(s + cut, ELLIPSIS, sizeof(ELLIPSIS));
		return;
	}
	draft_fit(s, max);
}

/*
 * Split s (edited in place) at ",", ";", " and ", " & " into at most max
 * items, trimmed, empty ones dropped.  Returns how many.
 */
int
draft_split_items(char *s, char **items, int max)
{
	static const char *const seps[] = {" and ", " & ", NULL};
	int n = 0;
	char *start = s;
	size_t i = 0, e;

	for (;;) {
		bool end = s[i] == '\0', sep = s[i] == ',' || s[i] == ';';

		e = i + 1;
		if (!end && !sep && draft_blank(s[i]) &&
		    draft_phrase_any(s, i, seps, &e))
			sep = true;
		if (end || sep) {
			char *it;

			s[i] = '\0';
			it = draft_trim_punct(start);
			if (draft_phrase_at(it, 0, "and ", &e))
				it = draft_trim_punct(it + e);
			if (*it != '\0' && n < max)
				items[n++] = it;
			if (end)
				break;
			start = s + e;
			i = e;
			continue;
		}
		i++;
	}
	return n;
}

int
draft_add_item(struct json_object *subs, char *item)
{
	struct json_object *js;

	draft_fit(item, DRAFT_TITLE_MAX);
	js = json_object_new_string(item);
	if (js == NULL || json_object_array_add(subs, js) < 0) {
		json_object_put(js);
		return -ENOMEM;
	}
	return 0;
}

int
draft_set_str(struct json_object *o, const char *key, const char *val)
{
	struct json_object *js = json_object_new_string(val);

	if (js == NULL)
		return -ENOMEM;
	return json_object_object_add(o, key, js) < 0 ? -ENOMEM : 0;
}

int
draft_set_int(struct json_object *o, const char *key, int val)
{
	struct json_object *js = json_object_new_int(val);

	if (js == NULL)
		return -ENOMEM;
	return json_object_object_add(o, key, js) < 0 ? -ENOMEM : 0;
}

/*
 * due_date, due_time, due_end_time, rrule and reasoning of draft from w.
 * An end time only for a range within the day ("2-3pm"); an end from an
 * earlier reading goes, as it belonged to the old time.  A rrule is kept
 * when w names none: moving a repeating task keeps it repeating.
 */
int
draft_set_when(struct json_object *draft, const struct nlp_when *w)
{
	char buf[16];
	int r;

	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", w->year, w->month, w->day);
	r = draft_set_str(draft, "due_date", buf);
	if (r == 0 && w->has_time) {
		snprintf(buf, sizeof(buf), "%02d:%02d", w->hour, w->minute);
		r = draft_set_str(draft, "due_time", buf);
	}
	json_object_object_del(draft, "due_end_time");
	if (r == 0 && w->has_time && w->has_end && w->end_has_time &&
	    w->end_year == w->year && w->end_month == w->month &&
	    w->end_day == w->day &&
	    w->end_hour * 60 + w->end_minute > w->hour * 60 + w->minute) {
		snprintf(
		    buf, sizeof(buf), "%02d:%02d", w->end_hour, w->end_minute);
		r = draft_set_str(draft, "due_end_time", buf);
	}
	if (r == 0 && w->rrule[0] != '\0')
		r = draft_set_str(draft, "rrule", w->rrule);
	if (r == 0)
		r = draft_set_str(draft, "reasoning", w->reasoning);
	return r;
}

const char *
draft_get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

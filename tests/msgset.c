/*
 * msgset — loading the realistic message set and scoring the rules on it
 * (see msgset.h).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/msgset.h"
#include "workflows/draft.h"

#define LINE_MAX_BYTES (64 * 1024)

static int
kind_of(const char *s, enum wf_kind *ret)
{
	static const enum wf_kind kinds[] = {WF_KIND_TASK, WF_KIND_EVENT,
	    WF_KIND_URL, WF_KIND_LIST, WF_KIND_HELP, WF_KIND_UNCLEAR};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strcmp(s, wf_kind_name(kinds[k])) == 0) {
			*ret = kinds[k];
			return 0;
		}
	return -EBADMSG;
}

/* The string or null at key into buf ("" for null or absent); -EBADMSG
 * for another type or a value too long. */
static int
opt_str(struct json_object *o, const char *key, char *buf, size_t len)
{
	struct json_object *v;
	int n;

	buf[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -EBADMSG;
	n = snprintf(buf, len, "%s", json_object_get_string(v));
	return n < 0 || (size_t)n >= len ? -EBADMSG : 0;
}

static int
ref_of(const char *s, struct msg *m)
{
	int y, mo, d, h, mi;
	char tail;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%c", &y, &mo, &d, &h, &mi, &tail) !=
	    5)
		return -EBADMSG;
	m->ref.tz = m->tz;
	m->ref.day_first = false; /* as the bot reads dates (task_flow.c) */
	return nlp_instant(m->tz, y, mo, d, h, mi, &m->ref.now_ms) < 0
	    ? -EBADMSG
	    : 0;
}

static int
parse_line(const char *line, struct msg *m)
{
	struct json_object *root = json_tokener_parse(line), *v, *ex, *t;
	int r = -EBADMSG;

	if (root == NULL || !json_object_is_type(root, json_type_object))
		goto out;
	if (!json_object_object_get_ex(root, "text", &v) ||
	    !json_object_is_type(v, json_type_string))
		goto out;
	m->text = strdup(json_object_get_string(v));
	if (m->text == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (opt_str(root, "tz", m->tz, sizeof(m->tz)) < 0 || m->tz[0] == '\0')
		goto out;
	if (!json_object_object_get_ex(root, "ref", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    ref_of(json_object_get_string(v), m) < 0)
		goto out;
	if (!json_object_object_get_ex(root, "expect", &ex) ||
	    !json_object_is_type(ex, json_type_object) ||
	    !json_object_object_get_ex(ex, "kind", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    kind_of(json_object_get_string(v), &m->kind) < 0)
		goto out;
	if (opt_str(ex, "date", m->date, sizeof(m->date)) < 0 ||
	    opt_str(ex, "time", m->time, sizeof(m->time)) < 0 ||
	    opt_str(ex, "end_time", m->end_time, sizeof(m->end_time)) < 0 ||
	    opt_str(ex, "location", m->location, sizeof(m->location)) < 0)
		goto out;
	if (json_object_object_get_ex(ex, "title", &t) && t != NULL) {
		if (json_object_is_type(t, json_type_string)) {
			snprintf(m->titles[0], MSG_FIELD_MAX, "%s",
			    json_object_get_string(t));
			m->ntitles = 1;
		} else if (json_object_is_type(t, json_type_array)) {
			size_t n = json_object_array_length(t);

			if (n == 0 || n > MSG_TITLES_MAX)
				goto out;
			for (size_t k = 0; k < n; k++) {
				v = json_object_array_get_idx(t, k);
				if (!json_object_is_type(v, json_type_string))
					goto out;
				snprintf(m->titles[k], MSG_FIELD_MAX, "%s",
				    json_object_get_string(v));
			}
			m->ntitles = (int)n;
		} else {
			goto out;
		}
	}
	if ((m->kind == WF_KIND_TASK || m->kind == WF_KIND_EVENT) &&
	    m->ntitles == 0)
		goto out;
	r = 0;
out:
	json_object_put(root);
	return r;
}

void
msgset_free(struct msg *m, size_t n)
{
	if (m == NULL)
		return;
	for (size_t k = 0; k < n; k++)
		free(m[k].text);
	free(m);
}

int
msgset_load(const char *path, struct msg **ret, size_t *n, int *bad_line)
{
	char deflt[4096], *line = NULL;
	struct msg *m = NULL, *grown;
	size_t cap = 0, count = 0;
	int lineno = 0, r = 0;
	FILE *f;

	*ret = NULL;
	*n = 0;
	if (bad_line != NULL)
		*bad_line = 0;
	if (path == NULL) {
		const char *dir = getenv("DRAFTBOT_TEST_DATA");

		snprintf(deflt, sizeof(deflt), "%s/llm/messages.jsonl",
		    dir != NULL ? dir : "tests/data");
		path = deflt;
	}
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	line = malloc(LINE_MAX_BYTES);
	if (line == NULL) {
		r = -ENOMEM;
		goto out;
	}
	while (fgets(line, LINE_MAX_BYTES, f) != NULL) {
		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			grown = realloc(m, cap * sizeof(*m));
			if (grown == NULL) {
				r = -ENOMEM;
				goto out;
			}
			m = grown;
		}
		memset(&m[count], 0, sizeof(m[count]));
		m[count].line = lineno;
		r = parse_line(line, &m[count]);
		count++;
		if (r < 0) {
			if (bad_line != NULL)
				*bad_line = lineno;
			goto out;
		}
	}
out:
	fclose(f);
	free(line);
	if (r < 0) {
		msgset_free(m, count);
		return r;
	}
	/* the array moved while it grew: point each ref at its own zone */
	for (size_t k = 0; k < count; k++)
		m[k].ref.tz = m[k].tz;
	*ret = m;
	*n = count;
	return 0;
}

/* Is the character at s a letter or digit: ASCII, or a non-ASCII letter
 * (lead bytes of Latin, Greek, Cyrillic, CJK…; not of symbols and emoji)? */
static bool
letter(const unsigned char *s)
{
	unsigned char u = *s;

	if (u < 0x80)
		return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
		    (u >= '0' && u <= '9');
	return (u >= 0xc3 && u <= 0xdf) || u == 0xe0 || u == 0xe1 ||
	    (u >= 0xe3 && u <= 0xed);
}

static size_t
clen(const unsigned char *s)
{
	size_t n = *s < 0xc0 ? 1 : *s < 0xe0 ? 2 : *s < 0xf0 ? 3 : 4;

	for (size_t k = 1; k < n; k++)
		if ((s[k] & 0xc0) != 0x80)
			return k;
	return n;
}

void
msgset_fold(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, end = 0;

	while (*p != '\0' && !letter(p))
		p += clen(p);
	for (; *p != '\0' && o + 4 < len; p += clen(p)) {
		size_t n = clen(p);

		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			if (o > 0 && buf[o - 1] != ' ')
				buf[o++] = ' ';
			continue;
		}
		for (size_t k = 0; k < n; k++)
			buf[o + k] =
			    (char)(p[k] >= 'A' && p[k] <= 'Z' ? p[k] - 'A' + 'a'
			                                      : p[k]);
		o += n;
		if (letter(p))
			end = o;
	}
	buf[end] = '\0';
}

static const char *
field(struct json_object *d, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(d, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static void
compare(const struct msg *m, struct msg_outcome *o)
{
	char got[MSG_FIELD_MAX], want[MSG_FIELD_MAX];
	bool title_ok = false;

	o->agree = false;
	if (o->reading.kind != m->kind) {
		snprintf(o->detail, sizeof(o->detail), "kind %s, want %s",
		    wf_kind_name(o->reading.kind), wf_kind_name(m->kind));
		return;
	}
	if (m->kind != WF_KIND_TASK && m->kind != WF_KIND_EVENT) {
		o->agree = true;
		return;
	}
	msgset_fold(o->title, got, sizeof(got));
	for (int k = 0; k < m->ntitles && !title_ok; k++) {
		msgset_fold(m->titles[k], want, sizeof(want));
		title_ok = strcmp(got, want) == 0;
	}
	if (!title_ok) {
		snprintf(o->detail, sizeof(o->detail),
		    "title '%.70s', want '%.70s'", o->title, m->titles[0]);
		return;
	}
	if (strcmp(o->date, m->date) != 0 || strcmp(o->time, m->time) != 0) {
		snprintf(o->detail, sizeof(o->detail),
		    "due '%s %s', want '%s %s'", o->date, o->time, m->date,
		    m->time);
		return;
	}
	o->agree = true;
}

int
msgset_run(const struct msg *m, struct msg_outcome *o)
{
	struct json_object *d = NULL;
	char question[256];
	int r;

	memset(o, 0, sizeof(*o));
	r = wf_classify(m->text, &m->ref, &o->reading);
	if (r < 0)
		return r;
	o->handled = wf_confident(&o->reading);
	if (o->reading.kind == WF_KIND_TASK ||
	    o->reading.kind == WF_KIND_EVENT) {
		r = draft_task_from_text(
		    m->text, &m->ref, &d, question, sizeof(question));
		if (r < 0)
			return r;
		if (d != NULL) {
			snprintf(o->title, sizeof(o->title), "%s",
			    field(d, "title"));
			snprintf(o->date, sizeof(o->date), "%s",
			    field(d, "due_date"));
			snprintf(o->time, sizeof(o->time), "%s",
			    field(d, "due_time"));
		}
		json_object_put(d);
	}
	compare(m, o);
	return 0;
}

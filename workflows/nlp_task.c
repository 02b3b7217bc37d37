/*
 * nlp_task — the task around the dates: title, priority and subtasks.
 *
 *  - The title is the first non-empty line that is not a bullet, without
 *    the date and time words (and a connector just before them: by, due,
 *    before, until, for, on, at, from, starting), without priority words,
 *    without "please" and leading fillers ("remind me to", "I need to",
 *    "don't forget to", "todo:"), with the punctuation at its ends removed
 *    and its first letter capitalised.
 *  - Priority: urgent, asap, !!!, p1 → 3; important, high priority, !!,
 *    a "!" standing alone, p2 → 2; low priority, p3 → 1; p4 → 0.  The
 *    highest one stated wins.
 *  - Subtasks: "pack: passport, charger and tickets" (two items or more),
 *    and the lines after the title that start with "-", "*" or "•".
 */
#include <string.h>

#include "workflows/nlp_int.h"

static const char *const connectors[] = {"by", "due", "before", "until", "till",
    "for", "on", "at", "from", "starting", "between", "in", NULL};

static const struct {
	const char *phrase;
	int level;
} priorities[] = {
    {"high priority", 2},
    {"priority high", 2},
    {"priority: high", 2},
    {"top priority", 3},
    {"low priority", 1},
    {"priority low", 1},
    {"priority: low", 1},
    {"important", 2},
    {"urgently", 3},
    {"urgent", 3},
    {"asap", 3},
    {"a.s.a.p.", 3},
    {"a.s.a.p", 3},
    {"p1", 3},
    {"p2", 2},
    {"p3", 1},
    {"p4", 0},
};

static const char *const fillers[] = {"remind me that i need to",
    "remind me that i have to", "remind me to", "remind me about",
    "remind me of", "remind me that", "remind me", "don't forget to",
    "do not forget to", "don't forget", "do not forget", "i need to",
    "i have to", "i've got to", "i must", "i should", "i want to",
    "i'd like to", "i gotta", "we need to", "need to", "have to", "remember to",
    "make sure to", "can you", "could you", "would you", "add a task to",
    "add task to", "create a task to", "add a reminder to", "set a reminder to",
    "todo:", "to do:", "to-do:", "todo",
    "task:", "reminder:", "note to self:", "new task:", NULL};

/* Blank out [i, e) and up to two connectors just before it. */
static void
cut(char *s, size_t i, size_t e)
{
	memset(s + i, ' ', e - i);
	for (int n = 0; n < 2; n++) {
		size_t k = i, ws, we;

		while (k > 0 && lx_blank(s[k - 1]))
			k--;
		ws = k;
		while (ws > 0 && lx_alnum((unsigned char)s[ws - 1]))
			ws--;
		if (ws == k || lx_words(s, ws, connectors, &we) < 0 || we != k)
			return;
		memset(s + ws, ' ', k - ws);
		i = ws;
	}
}

static int
cut_priority(char *s)
{
	int prio = -1;
	size_t e, run;

	for (size_t i = 0; s[i] != '\0'; i++) {
		if (s[i] == '!') {
			for (run = 0; s[i + run] == '!'; run++)
				;
			/* "!!", or one "!" standing alone */
			if (run >= 2 ||
			    ((i == 0 || lx_blank(s[i - 1])) &&
			        (s[i + 1] == '\0' || lx_blank(s[i + 1])))) {
				int lv = run >= 3 ? 3 : 2;

				prio = lv > prio ? lv : prio;
				memset(s + i, ' ', run);
			}
			i += run - 1;
			continue;
		}
		if (!lx_word_start(s, i))
			continue;
		for (size_t k = 0;
		     k < sizeof(priorities) / sizeof(priorities[0]); k++) {
			if (lx_word(s, i, priorities[k].phrase, &e)) {
				if (priorities[k].level > prio)
					prio = priorities[k].level;
				memset(s + i, ' ', e - i);
				break;
			}
		}
	}
	return prio < 0 ? 0 : prio;
}

/* Blanks squeezed to one space, the ends trimmed of blanks and of
 * punctuation that ends nothing (",", ":", "-"). */
static char *
tidy(char *s)
{
	char *o = s, *p;
	size_t n;

	for (p = s; *p != '\0'; p++) {
		if (lx_blank(*p) || *p == '\r') {
			if (o > s && o[-1] != ' ')
				*o++ = ' ';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	while (*s == ' ' || *s == ',' || *s == ':' || *s == '-' || *s == ';')
		s++;
	n = strlen(s);
	while (n > 0 &&
	    (s[n - 1] == ' ' || s[n - 1] == ',' || s[n - 1] == ':' ||
	        s[n - 1] == '-' || s[n - 1] == ';' || s[n - 1] == '.'))
		s[--n] = '\0';
	return s;
}

static void
add_subtask(struct nlp_result *ret, const char *item, size_t n)
{
	char *d;

	while (n > 0 && (lx_blank(*item) || *item == ','))
		item++, n--;
	while (n > 0 &&
	    (lx_blank(item[n - 1]) || item[n - 1] == '.' || item[n - 1] == ','))
		n--;
	if (n == 0 || ret->nsubtasks >= NLP_SUBTASKS_MAX)
		return;
	if (n >= NLP_SUBTASK_MAX)
		n = NLP_SUBTASK_MAX - 1;
	/* do not split a UTF-8 sequence */
	while (n > 0 && ((unsigned char)item[n] & 0xc0) == 0x80)
		n--;
	d = ret->subtasks[ret->nsubtasks++];
	memcpy(d, item, n);
	d[n] = '\0';
}

/* "a, b and c": the items, when two or more. */
static int
split_items(const char *list, const char **at, size_t *len, int max)
{
	const char *p = list, *q;
	int n = 0;
	size_t e;

	while (*p != '\0' && n < max) {
		for (q = p; *q != '\0' && *q != ',' && *q != ';'; q++)
			if (q > p && lx_blank(q[-1]) &&
			    (lx_word(q, 0, "and", &e) ||
			        lx_word(q, 0, "&", &e)))
				break;
		at[n] = p;
		len[n] = (size_t)(q - p);
		if (len[n] > 0)
			n++;
		if (*q == '\0')
			break;
		p = *q == ',' || *q == ';' ? q + 1 : q;
		while (lx_blank(*p))
			p++;
		if (lx_word(p, 0, "and", &e) || *p == '&')
			p += *p == '&' ? 1 : e;
	}
	return n;
}

static size_t
bullet_len(const char *line)
{
	size_t i = 0, m;

	while (lx_blank(line[i]))
		i++;
	if (line[i] == '-' || line[i] == '*')
		m = 1;
	else if ((unsigned char)line[i] == 0xe2 &&
	    (unsigned char)line[i + 1] == 0x80 &&
	    (unsigned char)line[i + 2] == 0xa2)
		m = 3;
	else
		return 0;
	if (!lx_blank(line[i + m]))
		return 0;
	return i + m;
}

void
nlp_task(const char *text, const struct nlp_result *res, struct nlp_result *ret)
{
	char line[NLP_TITLE_MAX];
	const char *p = text, *nl, *items[NLP_SUBTASKS_MAX];
	size_t start = 0, n = 0, lens[NLP_SUBTASKS_MAX], e;
	char *t, *colon;
	bool found = false;
	int k, ni;

	/* the first non-empty line that is not a bullet */
	for (; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (!found) {
			const char *q = p;

			while (q < nl && (lx_blank(*q) || *q == '\r'))
				q++;
			if (q < nl && bullet_len(p) == 0) {
				start = (size_t)(p - text);
				n = (size_t)(nl - p);
				found = true;
			} else if (q < nl) {
				size_t b = bullet_len(p);

				add_subtask(ret, p + b, (size_t)(nl - p) - b);
			}
		} else if (bullet_len(p) > 0) {
			size_t b = bullet_len(p);

			add_subtask(ret, p + b, (size_t)(nl - p) - b);
		}
		if (*nl == '\0')
			break;
	}
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, text + start, n);
	line[n] = '\0';
	for (k = 0; k < res->nmatches; k++) {
		for (int q = 0; q < res->matches[k].npieces; q++) {
			size_t i = res->matches[k].pieces[q].start,
			       len = res->matches[k].pieces[q].len;

			if (i < start || i + len > start + n)
				continue;
			cut(line, i - start, i - start + len);
		}
	}
	ret->priority = cut_priority(line);
	for (size_t i = 0; line[i] != '\0'; i++)
		if (lx_word_start(line, i) &&
		    (lx_word(line, i, "please", &e) ||
		        lx_word(line, i, "pls", &e)))
			memset(line + i, ' ', e - i);
	t = tidy(line);
	while (lx_words(t, 0, fillers, &e) >= 0 ||
	    (lx_word(t, 0, "remind me", &e)))
		t = tidy(t + e);
	colon = strstr(t, ": ");
	if (colon != NULL && colon != t) {
		ni = split_items(colon + 2, items, lens, NLP_SUBTASKS_MAX);
		if (ni >= 2) {
			struct nlp_result sub;
			int before = ret->nsubtasks;

			memset(&sub, 0, sizeof(sub));
			for (k = 0; k < ni; k++)
				add_subtask(&sub, items[k], lens[k]);
			/* the list's items come first, then bullets */
			for (k = 0;
			     k < before && sub.nsubtasks < NLP_SUBTASKS_MAX;
			     k++)
				memcpy(sub.subtasks[sub.nsubtasks++],
				    ret->subtasks[k], NLP_SUBTASK_MAX);
			memcpy(
			    ret->subtasks, sub.subtasks, sizeof(ret->subtasks));
			ret->nsubtasks = sub.nsubtasks;
			*colon = '\0';
			t = tidy(t);
		}
	}
	if (t[0] >= 'a' && t[0] <= 'z')
		t[0] = (char)(t[0] - 'a' + 'A');
	memmove(ret->title, t, strlen(t) + 1);
}

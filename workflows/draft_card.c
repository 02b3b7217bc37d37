/*
 * draft_card — a draft as a Telegram message: HTML text and its buttons.
 *
 *   📝 <b>Dentist</b>
 *   📅 Fri 27 Nov, 10:30          (or "14:00–15:00" with due_end_time)
 *   🔁 every month on day 1       (the rrule as it is when not readable)
 *   ❗ High priority
 *   • passport
 *   🗒 notes
 *   <i>why: 'next friday 10:30' → Fri 27 Nov 10:30</i>
 *
 * then a line for the state (editing, saved, cancelled…).  Every string
 * from the draft is escaped, and each part has a byte budget so the whole
 * stays under Telegram's 4096 characters (bytes never undercount them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "workflows/draft.h"
#include "workflows/draft_event.h"

#define CARD_MAX 4000 /* bytes of card text; Telegram allows 4096 chars */
#define TITLE_BUDGET 512
#define ITEM_BUDGET 160
#define ITEMS_SHOWN 10
#define NOTES_BUDGET 640
#define WHY_BUDGET 300
#define RAW_BUDGET 32 /* a due_date or due_time that is not well formed */
#define RRULE_BUDGET 128

static const char ELLIPSIS[] = "\xe2\x80\xa6";

struct card {
	char buf[CARD_MAX + 1];
	size_t len;
};

/* Bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t
char_len(const char *s)
{
	unsigned char u = (unsigned char)s[0];
	size_t n = u < 0xc0 ? 1
	    : u < 0xe0      ? 2
	    : u < 0xf0      ? 3
	    : u < 0xf8      ? 4
	                    : 1;

	for (size_t k = 1; k < n; k++)
		if (((unsigned char)s[k] & 0xc0) != 0x80)
			return k;
	return n;
}

/* Our own text; never cut in the middle of a character. */
static void
put(struct card *c, const char *s)
{
	size_t n = strlen(s);

	if (c->len + n > CARD_MAX)
		return;
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

static const char *
escape_of(char ch)
{
	switch (ch) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	default:
		return NULL;
	}
}

/* s escaped, in at most budget bytes; cut with "…" when it does not fit. */
static void
put_esc(struct card *c, const char *s, size_t budget)
{
	size_t used = 0, room = CARD_MAX - c->len;

	if (budget > room)
		budget = room;
	for (size_t i = 0; s[i] != '\0';) {
		const char *esc = escape_of(s[i]);
		size_t step = esc != NULL ? 1 : char_len(s + i);
		size_t n = esc != NULL ? strlen(esc) : step;
		size_t reserve = s[i + step] != '\0' ? sizeof(ELLIPSIS) - 1 : 0;

		if (used + n + reserve > budget) {
			if (used + sizeof(ELLIPSIS) - 1 <= budget) {
				memcpy(c->buf + c->len, ELLIPSIS,
				    sizeof(ELLIPSIS) - 1);
				c->len += sizeof(ELLIPSIS) - 1;
			}
			break;
		}
		memcpy(c->buf + c->len, esc != NULL ? esc : s + i, n);
		c->len += n;
		used += n;
		i += step;
	}
	c->buf[c->len] = '\0';
}

char *
html_escape(const char *s)
{
	size_t n = 0;
	char *out, *o;

	if (s == NULL)
		s = "";
	for (const char *p = s; *p != '\0'; p++)
		n += escape_of(*p) != NULL ? strlen(escape_of(*p)) : 1;
	out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	o = out;
	for (const char *p = s; *p != '\0'; p++) {
		const char *esc = escape_of(*p);

		if (esc != NULL) {
			memcpy(o, esc, strlen(esc));
			o += strlen(esc);
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static const char *
get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* 📅 Fri 27 Nov, 10:30 (–11:00 with an end) — the year only when it is
 * not this year. */
static void
put_due(struct card *c, const char *date, const char *time, const char *end)
{
	char day[32];
	int y, m, d, now_y = 0;

	put(c, "\n\xf0\x9f\x93\x85 ");
	(void)nlp_local(
	    "UTC", time_now_ms(), &now_y, NULL, NULL, NULL, NULL, NULL);
	if (strlen(date) == 10 &&
	    sscanf(date, "%4d-%2d-%2d", &y, &m, &d) == 3 &&
	    nlp_format_day(y, m, d, y != now_y, day, sizeof(day)) == 0)
		put(c, day);
	else
		put_esc(c, date, RAW_BUDGET);
	if (time != NULL) {
		put(c, ", ");
		put_esc(c, time, RAW_BUDGET);
		if (end != NULL) {
			put(c, "\xe2\x80\x93");
			put_esc(c, end, RAW_BUDGET);
		}
	}
}

/* "MO" → "Mon"; NULL for anything else (an ordinal "1MO" included). */
static const char *
weekday_name(const char *code)
{
	static const char *const codes[] = {
	    "MO", "TU", "WE", "TH", "FR", "SA", "SU"};
	static const char *const names[] = {
	    "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

	for (size_t k = 0; k < 7; k++)
		if (strcmp(code, codes[k]) == 0)
			return names[k];
	return NULL;
}

/* A number 1..max standing alone in s, else 0. */
static int
small_num(const char *s, int max)
{
	char *end;
	long n = strtol(s, &end, 10);

	return *s >= '0' && *s <= '9' && *end == '\0' && n >= 1 && n <= max
	    ? (int)n
	    : 0;
}

/*
 * rr in words ("every 2 weeks on Mon, Thu", "every month on day 1",
 * "every year on 3 Mar", "every weekday") into out; false when rr says
 * more than these forms can (the caller shows it as it is).  Event cards
 * use it too (draft_event.h).
 */
bool
draft_rrule_words(const char *rr, char *out, size_t len)
{
	static const char *const units[][2] = {{"DAILY", "day"},
	    {"WEEKLY", "week"}, {"MONTHLY", "month"}, {"YEARLY", "year"}};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char buf[NLP_RRULE_MAX], days[64] = "", *save = NULL, *kv;
	const char *unit = NULL;
	char *byday = NULL;
	int interval = 1, mday = 0, month = 0;
	size_t n = 0;

	if (strlen(rr) >= sizeof(buf))
		return false;
	strcpy(buf, rr);
	for (kv = strtok_r(buf, ";", &save); kv != NULL;
	     kv = strtok_r(NULL, ";", &save)) {
		char *v = strchr(kv, '=');

		if (v == NULL)
			return false;
		*v++ = '\0';
		if (strcmp(kv, "FREQ") == 0) {
			for (size_t k = 0; k < 4; k++)
				if (strcmp(v, units[k][0]) == 0)
					unit = units[k][1];
		} else if (strcmp(kv, "INTERVAL") == 0) {
			if ((interval = small_num(v, 99)) == 0)
				return false;
		} else if (strcmp(kv, "BYDAY") == 0) {
			byday = v;
		} else if (strcmp(kv, "BYMONTHDAY") == 0) {
			if ((mday = small_num(v, 31)) == 0)
				return false;
		} else if (strcmp(kv, "BYMONTH") == 0) {
			if ((month = small_num(v, 12)) == 0)
				return false;
		} else {
			return false;
		}
	}
	if (unit == NULL || (month != 0 && mday == 0) ||
	    (byday != NULL && (mday != 0 || month != 0)))
		return false;
	if (byday != NULL) {
		char *save2 = NULL, *d;

		if (strcmp(byday, "MO,TU,WE,TH,FR") == 0 && interval == 1 &&
		    strcmp(unit, "week") == 0) {
			snprintf(out, len, "every weekday");
			return true;
		}
		for (d = strtok_r(byday, ",", &save2); d != NULL;
		     d = strtok_r(NULL, ",", &save2)) {
			const char *name = weekday_name(d);

			if (name == NULL || n + 6 >= sizeof(days))
				return false;
			n += (size_t)snprintf(days + n, sizeof(days) - n,
			    "%s%s", n > 0 ? ", " : "", name);
		}
	}
	if (interval > 1)
		n = (size_t)snprintf(out, len, "every %d %ss", interval, unit);
	else
		n = (size_t)snprintf(out, len, "every %s", unit);
	if (n >= len)
		return false;
	if (byday != NULL)
		snprintf(out + n, len - n, " on %s", days);
	else if (month != 0)
		snprintf(
		    out + n, len - n, " on %d %s", mday, months[month - 1]);
	else if (mday != 0)
		snprintf(out + n, len - n, " on day %d", mday);
	return true;
}

/* 🔁 and the rrule, in words when rrule_words can say it. */
static void
put_rrule(struct card *c, const char *rr)
{
	char words[160];

	put(c, "\n\xf0\x9f\x94\x81 ");
	if (draft_rrule_words(rr, words, sizeof(words)))
		put(c, words);
	else
		put_esc(c, rr, RRULE_BUDGET);
}

static void
put_subtasks(struct card *c, struct json_object *draft)
{
	struct json_object *subs;
	size_t n;
	char more[64];

	if (!json_object_object_get_ex(draft, "subtasks", &subs) ||
	    !json_object_is_type(subs, json_type_array))
		return;
	n = json_object_array_length(subs);
	for (size_t k = 0; k < n && k < ITEMS_SHOWN; k++) {
		const char *s =
		    json_object_get_string(json_object_array_get_idx(subs, k));

		put(c, "\n\xe2\x80\xa2 ");
		put_esc(c, s != NULL ? s : "", ITEM_BUDGET);
	}
	if (n > ITEMS_SHOWN) {
		snprintf(more, sizeof(more),
		    "\n\xe2\x80\xa2 \xe2\x80\xa6 and %zu more",
		    n - ITEMS_SHOWN);
		put(c, more);
	}
}

static void
put_body(struct card *c, struct json_object *draft)
{
	static const char *const prio[] = {NULL,
	    "\n\xf0\x9f\x94\xbd Low priority", "\n\xe2\x9d\x97 High priority",
	    "\n\xe2\x80\xbc\xef\xb8\x8f Urgent"};
	const char *title = get_str(draft, "title"), *date, *s;
	struct json_object *v;
	int p = 0;

	put(c, "\xf0\x9f\x93\x9d <b>");
	put_esc(c, title != NULL ? title : "", TITLE_BUDGET);
	put(c, "</b>");
	date = get_str(draft, "due_date");
	if (date != NULL)
		put_due(c, date, get_str(draft, "due_time"),
		    get_str(draft, "due_end_time"));
	s = get_str(draft, "rrule");
	if (s != NULL && *s != '\0')
		put_rrule(c, s);
	if (json_object_object_get_ex(draft, "priority", &v))
		p = json_object_get_int(v);
	if (p >= 1 && p <= 3)
		put(c, prio[p]);
	put_subtasks(c, draft);
	s = get_str(draft, "notes");
	if (s != NULL && *s != '\0') {
		put(c, "\n\xf0\x9f\x97\x92 ");
		put_esc(c, s, NOTES_BUDGET);
	}
	s = get_str(draft, "reasoning");
	if (s != NULL && *s != '\0') {
		put(c, "\n<i>why: ");
		put_esc(c, s, WHY_BUDGET);
		put(c, "</i>");
	}
	/* Google Tasks drops the time of "due": say so before Confirm. */
	s = get_str(draft, "backend");
	if (s != NULL && strcmp(s, "google") == 0) {
		s = get_str(draft, "due_time");
		put(c, s != NULL && *s != '\0'
		        ? "\n<i>Goes to Google Tasks, which keeps only the "
		          "date: the time stays in the task's notes.</i>"
		        : "\n<i>Goes to Google Tasks.</i>");
	}
}

static struct json_object *
button(const char *text, long long draft_id, char action)
{
	struct json_object *b = json_object_new_object();
	char data[65];
	int n;

	n = snprintf(data, sizeof(data), "d:%lld:%c", draft_id, action);
	if (b == NULL || n < 0 || (size_t)n >= sizeof(data)) {
		json_object_put(b);
		return NULL;
	}
	if (json_object_object_add(b, "text", json_object_new_string(text)) <
	        0 ||
	    json_object_object_add(
	        b, "callback_data", json_object_new_string(data)) < 0) {
		json_object_put(b);
		return NULL;
	}
	return b;
}

/* {"inline_keyboard":[[buttons…]]} from n (text, action) pairs. */
static struct json_object *
keyboard(
    long long draft_id, const char *const *texts, const char *actions, int n)
{
	struct json_object *kb = json_object_new_object();
	struct json_object *rows = json_object_new_array();
	struct json_object *row = json_object_new_array();

	if (kb == NULL || rows == NULL || row == NULL)
		goto fail;
	for (int k = 0; k < n; k++) {
		struct json_object *b = button(texts[k], draft_id, actions[k]);

		if (b == NULL || json_object_array_add(row, b) < 0) {
			json_object_put(b);
			goto fail;
		}
	}
	if (json_object_array_add(rows, row) < 0) {
		json_object_put(row);
		row = NULL;
		json_object_put(rows);
		rows = NULL;
		goto fail;
	}
	row = NULL;
	if (json_object_object_add(kb, "inline_keyboard", rows) < 0) {
		rows = NULL;
		goto fail;
	}
	return kb;
fail:
	json_object_put(row);
	json_object_put(rows);
	json_object_put(kb);
	return NULL;
}

#define CONFIRM "\xe2\x9c\x85 Confirm"
#define EDIT "\xe2\x9c\x8f\xef\xb8\x8f Edit"
#define CANCEL "\xe2\x9c\x96 Cancel"
#define UNDO "\xe2\x86\xa9\xef\xb8\x8f Undo"

static const struct {
	const char *line; /* under the card; NULL: none */
	int nbuttons;
	const char *texts[3];
	const char *actions;
} states[] = {
    [CARD_DRAFT] = {NULL, 3, {CONFIRM, EDIT, CANCEL}, "cex"},
    [CARD_EDITING] = {"\xe2\x9c\x8f\xef\xb8\x8f What should change? Reply "
                      "with e.g. \xe2\x80\x9cmake it 11am\xe2\x80\x9d, "
                      "\xe2\x80\x9cpriority high\xe2\x80\x9d, "
                      "\xe2\x80\x9c"
                      "add: bring laptop\xe2\x80\x9d, "
                      "\xe2\x80\x9ctitle: \xe2\x80\xa6\xe2\x80\x9d",
        1, {CANCEL}, "x"},
    [CARD_CONFIRMED] = {"\xe2\x9c\x85 Saved", 1, {UNDO}, "u"},
    [CARD_CANCELLED] = {"\xe2\x9c\x96 Cancelled", 0, {NULL}, ""},
    [CARD_EXPIRED] = {"\xe2\x8c\x9b This draft expired \xe2\x80\x94 send "
                      "it again to make a new one",
        0, {NULL}, ""},
    [CARD_UNDONE] = {"\xe2\x86\xa9\xef\xb8\x8f Undone", 0, {NULL}, ""},
    [CARD_SAVING] = {"\xe2\x8f\xb3 Saving to Google\xe2\x80\xa6", 0, {NULL},
        ""},
};

int
draft_card(struct json_object *draft, long long draft_id, enum card_state state,
    char **ret_text, struct json_object **ret_markup)
{
	struct json_object *markup = NULL;
	const char *line;
	struct card *c;
	bool event;

	if (draft == NULL || !json_object_is_type(draft, json_type_object) ||
	    (int)state < 0 ||
	    (size_t)state >= sizeof(states) / sizeof(states[0]) ||
	    ret_text == NULL || ret_markup == NULL)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	/* An event card has its own body and, for some states, its own
	 * line; the buttons are the same. */
	event = draft_is_event(draft);
	if (event)
		c->len = draft_event_body(draft, c->buf, sizeof(c->buf));
	else
		put_body(c, draft);
	line = event ? draft_event_state_line(state) : NULL;
	if (line == NULL)
		line = states[state].line;
	if (line != NULL) {
		put(c, "\n\n");
		put(c, line);
	}
	/* where Confirm put it, when not the local store */
	if (state == CARD_CONFIRMED && get_str(draft, "saved_to") != NULL) {
		put(c, event ? " \xe2\x80\x94 " : " to ");
		put_esc(c, get_str(draft, "saved_to"), 64);
	}
	if (states[state].nbuttons > 0) {
		markup = keyboard(draft_id, states[state].texts,
		    states[state].actions, states[state].nbuttons);
		if (markup == NULL) {
			free(c);
			return -ENOMEM;
		}
	}
	*ret_text = strdup(c->buf);
	free(c);
	if (*ret_text == NULL) {
		json_object_put(markup);
		return -ENOMEM;
	}
	*ret_markup = markup;
	return 0;
}

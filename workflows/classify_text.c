/*
 * classify_text — the words and the text helpers of classify.c (see
 * classify_int.h): word lists, a message's bare form, links, small talk,
 * help and list requests, languages other than English, and the pieces of
 * a date in a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/classify_int.h"
#include "workflows/draft_int.h"

/* Word lists.  Phrases are lower case; a space matches blanks, an
 * apostrophe ' or ’ or nothing (draft_phrase_at). */

static const char *const chat[] = {"hi", "hello", "hey", "hey there", "yo",
    "ok", "okay", "k", "kk", "ok thanks", "thanks", "thank you", "thx", "ty",
    "lol", "haha", "hahaha", "yes", "no", "nope", "yep", "yeah", "sure", "cool",
    "nice", "great", "bye", "good night", "good morning", "hmm", "hm", "ugh",
    "wait", "wait what", "what", "not now", "later", "nvm", "never mind",
    "cancel", "stop", "test", "ping", "hmm not sure yet", "not sure",
    "not sure yet", "idk", "whatever", "oops", "sorry", NULL};

/* The whole message: help. */
static const char *const help_words[] = {"help", "help me", "help pls", "help?",
    "commands", "menu", "instructions", NULL};

/* Small talk and complaints inside a short message: not a task. */
const char *const cls_chat_inside[] = {"haha", "hahaha", "lol", "lmao", "sorry",
    "thanks", "thank you", "thx", "ok", "okay", "useless", "stupid", "dumb",
    "wrong", "nvm", "never mind", "oops", "wtf", NULL};

/* Anywhere in a short message: help. */
static const char *const help_phrases[] = {"how does this work",
    "how does it work", "how does this bot work", "what can you do",
    "what do you do", "how do i use this", "how do i use you",
    "how to use this", "what commands", "which commands", "what is this bot",
    "who are you", "what can this bot do", "what can it do",
    "what does this bot do", "how does this thing work", NULL};

/* "how do i …" is help only about the bot's own things */
static const char *const help_topics[] = {"task", "tasks", "draft", "bot",
    "delete", "edit", "cancel", "undo", "change", "time zone", "timezone",
    "remind", "reminder", "calendar", "event", NULL};

static const char *const list_phrases[] = {"my tasks", "my task list",
    "my todo", "my todos", "my to do", "my to-do", "my list", "list tasks",
    "list my", "show tasks", "show my", "open tasks", "what do i have",
    "what's due", "what is due", "anything due", "what's on my",
    "what is on my", "what are my", "what's on today", "what's on tomorrow",
    "what's on for", "what is on for", "what's on this", "what do i have on",
    "anything on", "tasks for today", "tasks today", "what's left",
    "what is left", "what's pending", "pending tasks", NULL};

/* Words around a link that say no more than "look at this". */
static const char *const link_words[] = {"check", "this", "out", "look", "see",
    "link", "fyi", "save", "for", "later", "interesting", "wanna", "want", "go",
    "to", "can", "we", "you", "i", "it", "one", "that", "the", "here", "hey",
    "cool", "nice", "lol", "omg", "wow", "maybe", "fun", "looks", "seems",
    "thoughts", "what", "about", "think", "this?", "should", "shall", "let's",
    "lets", "us", "some", "info", "more", "details", "event", "webinar", "page",
    "site", "ticket", "tickets", "a", "of", "is", "on", "in", NULL};

/* Starts of a title that make an event even before a to-do verb. */
const char *const cls_event_leads[] = {"book club", "call with", "call w/",
    "calls with", "meet", "meeting", "have lunch", "have dinner",
    "have breakfast", "have brunch", "have drinks", "have coffee",
    "go to the gym", "attend", "see the doctor", "see the dentist", NULL};

/* To-do verbs at the start of a title (multi-word forms first). */
const char *const cls_task_verbs[] = {"pick up", "drop off", "check in",
    "check out", "sign up", "look into", "look up", "take out", "sort out",
    "top up", "back up", "set up", "follow up", "clean out", "fill out",
    "fill in", "hand in", "put away", "stand up", "buy", "get", "call", "ring",
    "phone", "pay", "send", "book", "reserve", "email", "e-mail", "mail",
    "post", "text", "txt", "message", "msg", "whatsapp", "fix", "clean", "wash",
    "return", "renew", "finish", "submit", "write", "order", "schedule",
    "cancel", "check", "make", "prepare", "prep", "pack", "water", "feed",
    "walk", "mow", "read", "review", "update", "reply", "respond", "answer",
    "ask", "tell", "bring", "take", "put", "print", "ship", "sign", "register",
    "apply", "study", "learn", "translate", "backup", "download", "install",
    "upload", "change", "replace", "repair", "sell", "donate", "transfer",
    "venmo", "paypal", "thaw", "defrost", "vacuum", "mop", "do", "go", "drop",
    "collect", "file", "plan", "organize", "organise", "research", "find",
    "confirm", "rsvp", "invite", "wrap", "cook", "bake", "iron", "shop",
    "charge", "refill", "rebook", "reschedule", "move", "contact", "thank",
    "wish", "visit", "finish", "start", "complete", "close", "open", "empty",
    "stretch", "cancel", "print", "fill", "sort", "tidy", "hoover", "dust",
    "recycle", "throw", "clear", "archive", "delete", "remove", "add", "create",
    "draft", "edit", "proofread", "practice", "practise", "record", "film",
    "photograph", "scan", "copy", "share", "publish", "deploy", "test", "debug",
    "merge", "push", "cut", "trim", "paint", "build", "assemble", "install",
    "measure", "weigh", "count", "list", "note", "remember", "try", "use",
    "borrow", "lend", "rent", "hire", "pickup", "grab", "fetch", "deliver",
    "dispatch", "process", "chase", "nudge", "ping", "set", "turn", "switch",
    "unplug", "plug", "lock", "unlock", "hang", "fold", "sweep", "dry",
    "polish", "sew", "mend", "feed", "bathe", "groom", "vaccinate", "pick",
    "choose", "decide", "compare", "calculate", "estimate", "quote", "invoice",
    "bill", "claim", "report", "submit", "request", "order", "prebook",
    "pre-book", "look", "watch", "listen", "practise", "revise", "memorize",
    "memorise", "email", "reach", "write", "buy", NULL};

/* Occasions: a title that names one (without a to-do verb) is an event. */
const char *const cls_event_words[] = {"meeting", "meetings", "mtg", "meetup",
    "dinner", "lunch", "breakfast", "brunch", "drinks", "coffee", "flight",
    "concert", "party", "appointment", "appt", "appt.", "wedding", "conference",
    "interview", "call with", "call w/", "zoom", "webinar", "standup",
    "stand-up", "stand up", "sync", "1:1", "1-1", "1on1", "offsite", "workshop",
    "seminar", "class", "lesson", "lecture", "practice", "training", "session",
    "game", "match", "show", "gig", "festival", "movie", "cinema", "theatre",
    "theater", "opera", "ballet", "exhibition", "market", "bbq", "barbecue",
    "picnic", "date night", "reunion", "ceremony", "funeral", "birthday",
    "bday", "shower", "hangout", "playdate", "recital", "rehearsal",
    "tournament", "race", "marathon", "dentist", "doctor", "doctor's", "dr",
    "vet", "physio", "therapy", "therapist", "haircut", "massage", "checkup",
    "check-up", "surgery", "gym", "yoga", "pilates", "tennis", "football",
    "soccer", "pickleball", "cricket", "basketball", "golf", "karaoke", "tour",
    "demo", "presentation", "planning", "retro", "all hands", "all-hands",
    "town hall", "kickoff", "kick-off", "briefing", "orientation",
    "reservation", "club", "service", "mass", "church", "nye", "bowling",
    "climbing", "swimming", "skiing", "hike", "hiking", "crossfit", "boxing",
    "dance", "choir", "rehearsal", "poker", "trivia", "quiz", "happy hour",
    "potluck", "gala", "fundraiser", "open house", "viewing", "screening",
    "premiere", "museum", "zoo", "fair", "parade", "carols", "carol", "recital",
    "ceremony", "graduation", "christening", "baptism", "sleepover",
    "get-together", "get together", "catch up", "catch-up", "visit", "massage",
    NULL};

/* Occasions that are mostly in the evening: a bare "7" is 19:00. */
const char *const cls_evening_words[] = {"dinner", "drinks", "party", "concert",
    "movie", "show", "gig", "theatre", "theater", "opera", "date", "karaoke",
    "bbq", "reservation", "club", NULL};

/* A single word that is a to-do on its own. */
const char *const cls_chores[] = {"laundry", "groceries", "dishes", "taxes",
    "homework", "chores", "cleaning", "vacuuming", "ironing", "shopping",
    "errands", "packing", "gardening", "cooking", "invoices", "emails",
    "paperwork", "workout", "exercise", "meditate", NULL};

/* Words of a title that say nothing by themselves. */
const char *const cls_empty_words[] = {"the", "a", "an", "to", "of", "for",
    "with", "in", "on", "at", "by", "about", "from", "and", "or", "but", "it",
    "this", "that", "these", "those", "my", "your", "our", "his", "her",
    "their", "me", "you", "i", "we", "he", "she", "they", "do", "did", "does",
    "done", "be", "is", "are", "was", "were", "same", "as", "last", "usual",
    "what", "mean", "know", "not", "now", "sure", "yet", "hmm", "later",
    "again", "one", "some", "any", "thing", "things", "stuff", "something",
    "guy", "whatever", "so", "just", "like", NULL};

/* Objects that leave the task unsaid ("that stuff", "the thing"). */
const char *const cls_vague_words[] = {"thing", "things", "stuff", "something",
    "smth", "whatever", "the usual", NULL};

/* Date and time words that should not be left in a title. */
const char *const cls_date_words[] = {"monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed",
    "weds", "thu", "thur", "thurs", "fri", "sat", "sun", "january", "february",
    "march", "april", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "today", "tonight", "tonite",
    "tomorrow", "tmrw", "tmr", "tmw", "tmrow", "tomoro", "tomorow", "tommorow",
    "tommorrow", "2moro", "2morrow", "2day", "yesterday", "morning",
    "afternoon", "evening", "arvo", "noon", "midday", "midnight", "eod", "eow",
    "cob", "weekend", "week", "month", "year", "am", "pm", "soon", "sometime",
    "o'clock", "oclock", "hrs", "min", "mins", "minutes", "hours", "b4", "next",
    "daily", "weekly", "monthly", "yearly", "quarterly", "annually", "mondays",
    "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays",
    "weekdays", "weekends", "first thing", "after work", "after school",
    "before work", "before school", "after lunch", "lunchtime", "later today",
    "end of the month", "end of month", "new year's day", "new year's eve",
    "christmas day", "christmas eve", "boxing day", "later", "whenever",
    "someday", "eventually", "at some point", "on the way home",
    "on my way home", "when i get home", "after the gym", NULL};

/* A title must not start or end with these: a date was cut around it. */
const char *const cls_dangling[] = {"at", "on", "by", "for", "to", "or", "and",
    "in", "from", "until", "till", "before", "after", "with", "between", "'s",
    NULL};

/* A title must not end with these either. */
const char *const cls_dangling_end[] = {
    "the", "a", "an", "of", "my", "next", "'s", NULL};

const char *const cls_clause_words[] = {"then", "but", "because", "cause",
    "cuz", "if", "also", "or", "unless", "though", "although", "whether",
    "otherwise", "no wait", "actually", "instead", "so", NULL};

const char *const cls_hedge_words[] = {"maybe", "probably", "perhaps",
    "i think", "i guess", "not sure", "might", "idk", "dunno", "possibly",
    "let me", "double check", "or so", "-ish", "ish", NULL};

const char *const cls_question_starts[] = {"what", "whats", "what's", "when",
    "where", "why", "how", "who", "which", "should", "shall", "do", "does",
    "did", "is", "are", "was", "were", "will", "can", "could", "would", "am",
    "have", "has", NULL};

const char *const cls_polite[] = {"can you", "could you", "would you",
    "will you", "can u", "could u", "pls can you", "please can you",
    "please could you", NULL};

/* Function words of languages other than English that people write to
 * the bot in; one of them and no English one: not English. */
static const char *const foreign_words[] = {"und", "der", "das", "für", "bis",
    "uhr", "morgen", "heute", "nicht", "ich", "zum", "zur", "beim", "montag",
    "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
    "einkaufen", "termin", "los", "las", "con", "mañana", "hoy", "para",
    "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
    "du", "avec", "demain", "pour", "aujourd'hui", "lundi", "mardi", "mercredi",
    "jeudi", "vendredi", "samedi", "dimanche", "acheter", "appeler", "domani",
    "oggi", "comprare", "chiamare", "jutro", "dzisiaj", NULL};

static const char *const english_words[] = {"the", "to", "and", "for", "with",
    "my", "at", "on", "of", "is", "it", "me", "you", "this", "that", "by",
    "from", "your", "our", "tomorrow", "today", "tonight", "call", "buy",
    "meeting", "dinner", "lunch", NULL};

/* Periods that name no day: is "next week" Monday or a week from now? */
const char *const cls_loose_periods[] = {"next week", "this week", "next month",
    "this month", "later this week", "later this month", "within the week",
    "in the coming days", NULL};

/* Lexical helpers. */

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* The phrase of list at a word start of s (the first in s), or NULL;
 * *at where it starts. */
const char *
cls_find_any(const char *s, const char *const *list, size_t *at)
{
	const char *p;
	size_t e;

	for (size_t i = 0; s[i] != '\0'; i++) {
		if (!draft_word_start(s, i) && !(i == 0 || is_space(s[i - 1])))
			continue;
		p = draft_phrase_any(s, i, list, &e);
		if (p != NULL) {
			if (at != NULL)
				*at = i;
			return p;
		}
	}
	return NULL;
}

bool
cls_has_any(const char *s, const char *const *list)
{
	return cls_find_any(s, list, NULL) != NULL;
}

/* Is the whole of s one of list? */
bool
cls_is_any(const char *s, const char *const *list)
{
	for (size_t k = 0; list[k] != NULL; k++)
		if (draft_phrase_is(s, list[k]))
			return true;
	return false;
}

/* Words of s: runs of letters, digits, apostrophes and other bytes that
 * are not blanks or plain punctuation. */
bool
cls_word_byte(unsigned char ch)
{
	return draft_wordch(ch) || ch == '\'' || ch == '/' || ch == ':' ||
	    ch == '#' || ch == '$' || ch == '-';
}

int
cls_count_words(const char *s)
{
	int n = 0;

	for (size_t i = 0; s[i] != '\0'; i++)
		if (draft_wordch((unsigned char)s[i]) &&
		    (i == 0 || !cls_word_byte((unsigned char)s[i - 1])))
			n++;
	return n;
}

/* Is the UTF-8 character with lead byte u a letter of a script other than
 * Latin ASCII (accented Latin, Greek, Cyrillic, CJK, Hangul…)?  Symbols,
 * punctuation and emoji (0xe2, 0xef, 0xf0 leads) are not. */
static bool
foreign_lead(unsigned char u)
{
	return (u >= 0xc3 && u <= 0xdf) || u == 0xe0 || u == 0xe1 ||
	    (u >= 0xe3 && u <= 0xed);
}

/* Length of the UTF-8 character at s (1 for a stray byte). */
static size_t
char_len(const char *s)
{
	unsigned char u = (unsigned char)*s;
	size_t n = u < 0xc0 ? 1 : u < 0xe0 ? 2 : u < 0xf0 ? 3 : 4;

	for (size_t k = 1; k < n; k++)
		if (((unsigned char)s[k] & 0xc0) != 0x80)
			return k;
	return n;
}

/* Is the character at s a letter or a digit (of any script)? */
static bool
letter_at(const char *s)
{
	unsigned char u = (unsigned char)*s;

	return u < 0x80 ? draft_wordch(u) : foreign_lead(u);
}

/*
 * Copy of s lower-cased (ASCII), "please" words removed, blanks squeezed,
 * and everything that is not a letter or digit cut from both ends,
 * emoji included — except a "?" at the end: the form compared with
 * whole-message phrases ("thanks!", "help 🙏").  Caller frees.
 */
char *
cls_bare_form(const char *s)
{
	char *c = strdup(s), *t;
	size_t e, end = 0;
	bool question = false;

	if (c == NULL)
		return NULL;
	for (char *p = c; *p != '\0'; p++)
		*p = draft_lower(*p);
	for (size_t i = 0; c[i] != '\0'; i++)
		if (draft_word_start(c, i) &&
		    (draft_phrase_at(c, i, "please", &e) ||
		        draft_phrase_at(c, i, "pls", &e) ||
		        draft_phrase_at(c, i, "plz", &e)))
			memset(c + i, ' ', e - i);
	draft_squeeze(c);
	t = c;
	while (*t != '\0' && !letter_at(t))
		t += char_len(t);
	for (size_t i = 0; t[i] != '\0'; i += char_len(t + i)) {
		if (letter_at(t + i)) {
			end = i + char_len(t + i);
			question = false;
		} else if (t[i] == '?') {
			question = true;
		}
	}
	memmove(c, t, end);
	if (question)
		c[end++] = '?';
	c[end] = '\0';
	return c;
}

/* Does s look written in another language than English? */
bool
cls_not_english(const char *s)
{
	int words = 0, foreign = 0;
	bool in = false, marked = false;

	for (size_t i = 0;; i++) {
		unsigned char u = (unsigned char)s[i];

		if (u != '\0' && (draft_wordch(u) || u == '\'')) {
			if (!in)
				words++;
			in = true;
			if (foreign_lead(u))
				marked = true;
			continue;
		}
		if (in && marked)
			foreign++;
		in = marked = false;
		if (u == '\0')
			break;
	}
	if (foreign > 0 && foreign * 3 >= words)
		return true;
	return cls_has_any(s, foreign_words) && !cls_has_any(s, english_words);
}

/* The URL. */

static bool
url_end(unsigned char ch)
{
	return ch == '\0' || ch <= ' ' || ch == '<' || ch == '>' || ch == '"' ||
	    ch == 0x7f;
}

/*
 * The first http:// or https:// link of text (any case, at a word
 * start): its start and length in *at and *len, trailing punctuation that
 * ends the sentence left out ("see https://x.org/a)." keeps a ")" only
 * when the link opened one).  false when there is none.
 */
bool
cls_find_url(const char *text, size_t from, size_t *at, size_t *len)
{
	for (size_t i = from; text[i] != '\0'; i++) {
		size_t e, n;
		int open = 0;

		if (i > 0 && draft_wordch((unsigned char)text[i - 1]))
			continue;
		if (!draft_phrase_at(text, i, "https://", &e) &&
		    !draft_phrase_at(text, i, "http://", &e))
			continue;
		if (url_end((unsigned char)text[e]) || text[e] == '/')
			continue;
		for (n = e; !url_end((unsigned char)text[n]); n++)
			open += text[n] == '(' ? 1 : text[n] == ')' ? -1 : 0;
		while (n > e && strchr(".,;:!?)]}'", text[n - 1]) != NULL) {
			if (text[n - 1] == ')' && open >= 0)
				break;
			if (text[n - 1] == ')')
				open++;
			n--;
		}
		if (n == e)
			continue;
		*at = i;
		*len = n - i;
		return true;
	}
	return false;
}

/* Blank every http(s) link of s (in place). */
void
cls_blank_urls(char *s)
{
	size_t at, len, from = 0;

	while (cls_find_url(s, from, &at, &len)) {
		memset(s + at, ' ', len);
		from = at + len;
	}
}

/* Does the matched text [i, i+n) of line say whether its hour is before
 * or after noon: am/pm, a part of the day, a 24-hour clock (13:00, 07:30,
 * 19 Uhr)?  "at 7", "7:30" do not. */
bool
cls_meridiem_stated(const char *line, size_t i, size_t n)
{
	/* right after a number ("7pm", "7 pm", "7:30 p.m.", "19 Uhr") */
	static const char *const after[] = {"am", "pm", "a.m", "p.m", "a", "p",
	    "uhr", "h", "o'clock", "oclock", NULL};
	/* anywhere in the match */
	static const char *const words[] = {"noon", "midday", "midnight",
	    "morning", "afternoon", "evening", "night", "tonight", NULL};
	size_t end = i + n, e;

	for (size_t k = i; k < end; k++) {
		if (line[k] >= '0' && line[k] <= '9') {
			int v = 0, nd = 0;
			size_t j = k;

			for (; j < end && line[j] >= '0' && line[j] <= '9'; j++)
				if (++nd <= 3)
					v = v * 10 + line[j] - '0';
			/* 13:00, 19 Uhr, 07:30 */
			if (v >= 13 || (line[k] == '0' && nd >= 2))
				return true;
			if (j + 2 < end && (line[j] == ':' || line[j] == '.') &&
			    line[j + 1] >= '0' && line[j + 1] <= '9')
				j += 3;
			k = j - 1;
			while (j < end && line[j] == ' ')
				j++;
			if (j < end && draft_phrase_any(line, j, after, &e))
				return true;
			continue;
		}
		if (draft_word_start(line, k) &&
		    draft_phrase_any(line, k, words, &e) != NULL && e <= end)
			return true;
	}
	return false;
}

/* "3/12", "3.12." — a day and month either way round, no year. */
bool
cls_swappable(const char *line, size_t i, size_t n)
{
	for (size_t k = i; k < i + n; k++) {
		int a, b, da = 0, db = 0;
		size_t j = k;

		if (!(line[k] >= '0' && line[k] <= '9') ||
		    (k > 0 && line[k - 1] >= '0' && line[k - 1] <= '9'))
			continue;
		for (a = 0; line[j] >= '0' && line[j] <= '9' && da < 3;
		     j++, da++)
			a = a * 10 + line[j] - '0';
		if (line[j] != '/' && line[j] != '.')
			continue;
		j++;
		for (b = 0; line[j] >= '0' && line[j] <= '9' && db < 3;
		     j++, db++)
			b = b * 10 + line[j] - '0';
		if (da == 0 || da > 2 || db == 0 || db > 2)
			continue;
		/* with a year after it (3/12/2027) it is as open */
		if (a >= 1 && a <= 12 && b >= 1 && b <= 12 && a != b)
			return true;
	}
	return false;
}

/* The word just before offset i of line, into buf (lower case). */
void
cls_word_before(const char *line, size_t i, char *buf, size_t len)
{
	size_t k = i, ws;

	while (k > 0 && is_space(line[k - 1]))
		k--;
	ws = k;
	while (ws > 0 && cls_word_byte((unsigned char)line[ws - 1]))
		ws--;
	if (k - ws >= len)
		ws = k - (len - 1);
	for (size_t j = 0; j < k - ws; j++)
		buf[j] = draft_lower(line[ws + j]);
	buf[k - ws] = '\0';
}

/* Is the message only a link and words that add nothing to it? */
bool
cls_only_link_words(const char *rest)
{
	size_t e;

	for (size_t i = 0; rest[i] != '\0'; i++) {
		if (!draft_word_start(rest, i))
			continue;
		if (draft_phrase_any(rest, i, link_words, &e) == NULL)
			return false;
		i = e > i ? e - 1 : i;
	}
	return true;
}

/* The first line of s that is not blank (edited in place: cut at the
 * newline). */
char *
cls_first_line(char *s)
{
	char *nl;

	for (;;) {
		nl = strchr(s, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (s[strspn(s, " \t\r")] != '\0' || nl == NULL)
			return s;
		s = nl + 1;
	}
}

/* Does the (bare) message ask how the bot works? */
bool
cls_asks_help(const char *bare)
{
	static const char *const how[] = {
	    "how do i", "how can i", "how to", NULL};
	size_t e;

	if (cls_is_any(bare, help_words))
		return true;
	if (cls_count_words(bare) > 8)
		return false;
	return cls_has_any(bare, help_phrases) ||
	    (draft_phrase_any(bare, 0, how, &e) != NULL &&
	        cls_has_any(bare + e, help_topics));
}

/* Is the (bare) message only small talk ("ok", "thanks!", "lol")? */
bool
cls_small_talk(const char *bare)
{
	return cls_is_any(bare, chat);
}

/* Does the (bare) message ask for the task list? */
bool
cls_asks_list(const char *bare)
{
	return cls_count_words(bare) <= 7 && cls_has_any(bare, list_phrases);
}

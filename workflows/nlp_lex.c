/*
 * nlp_lex — words and numbers for the parser: case-insensitive words with
 * boundaries, counts ("three", "half an", "a couple of"), ordinals
 * ("23rd", "twenty-fourth"), month and weekday names, and years ("2012",
 * "96", "345 BC").  Text is UTF-8; only ASCII letters and digits make
 * words here, other bytes of 0x80 and above count as letters so a word
 * glued to one is not a word.
 */
#include <string.h>

#include "workflows/nlp_int.h"

static bool
letter(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    ch >= 0x80;
}

/* Blanks, and the no-break space U+00A0. */
size_t
lx_sp(const char *s, size_t i)
{
	for (;;) {
		if (lx_blank(s[i]))
			i++;
		else if ((unsigned char)s[i] == 0xc2 &&
		    (unsigned char)s[i + 1] == 0xa0)
			i += 2;
		else
			return i;
	}
}

bool
lx_word_start(const char *s, size_t i)
{
	return lx_alnum((unsigned char)s[i]) &&
	    (i == 0 || !lx_wordch((unsigned char)s[i - 1]));
}

/* Word w at s+i; a trailing letter or digit of w must end the word
 * (strict: no letter or digit after; else no letter after). */
static bool
word_at(const char *s, size_t i, const char *w, bool strict, size_t *end)
{
	size_t k = i, j;

	if (lx_lower(s[i]) != w[0] && w[0] != ' ' && w[0] != '\'')
		return false;
	for (const char *q = w; *q != '\0'; q++) {
		if (*q == ' ') {
			j = lx_sp(s, k);
			if (j == k)
				return false;
			k = j;
		} else if (*q == '\'') {
			/* ' or ’ */
			if (s[k] == '\'')
				k++;
			else if ((unsigned char)s[k] == 0xe2 &&
			    (unsigned char)s[k + 1] == 0x80 &&
			    (unsigned char)s[k + 2] == 0x99)
				k += 3;
			else
				return false;
		} else if (lx_lower(s[k]) == *q) {
			k++;
		} else {
			return false;
		}
	}
	if (k > i && lx_alnum((unsigned char)s[k - 1]) &&
	    (strict ? lx_wordch((unsigned char)s[k])
	            : letter((unsigned char)s[k])))
		return false;
	*end = k;
	return true;
}

bool
lx_word_slow(const char *s, size_t i, const char *w, size_t *end)
{
	return word_at(s, i, w, true, end);
}

int
lx_words(const char *s, size_t i, const char *const *words, size_t *end)
{
	char c0 = lx_lower(s[i]);

	for (int k = 0; words[k] != NULL; k++)
		if (words[k][0] == c0 && word_at(s, i, words[k], true, end))
			return k;
	return -1;
}

bool
lx_word_sp(const char *s, size_t i, const char *w, size_t *next)
{
	size_t e, j;

	if (!lx_word(s, i, w, &e))
		return false;
	j = lx_sp(s, e);
	if (j == e)
		return false;
	*next = j;
	return true;
}

int
lx_ndigits(const char *s, size_t i)
{
	int n = 0;

	while (lx_digit(s[i + n]) && n < 64)
		n++;
	return n;
}

bool
lx_uint(const char *s, size_t i, int maxd, int *v, size_t *end)
{
	int n = lx_ndigits(s, i), x = 0;

	if (n == 0 || n > maxd)
		return false;
	for (int k = 0; k < n; k++)
		x = x * 10 + (s[i + k] - '0');
	*v = x;
	*end = i + n;
	return true;
}

static const char *const ones[] = {"zero", "one", "two", "three", "four",
    "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", NULL};
static const char *const tens[] = {"twenty", "thirty", "forty", "fifty",
    "sixty", "seventy", "eighty", "ninety", NULL};

/* zero … ninety-nine in words. */
static bool
number_word(const char *s, size_t i, int *v, size_t *end)
{
	size_t e, j;
	int t, o;

	t = lx_words(s, i, tens, &e);
	if (t >= 0) {
		*v = 20 + 10 * t;
		*end = e;
		j = e;
		if (s[j] == '-' || lx_blank(s[j])) {
			j = s[j] == '-' ? j + 1 : lx_sp(s, j);
			o = lx_words(s, j, ones, &e);
			if (o >= 1 && o <= 9) {
				*v += o;
				*end = e;
			}
		}
		return true;
	}
	o = lx_words(s, i, ones, &e);
	if (o < 0)
		return false;
	*v = o;
	*end = e;
	return true;
}

/* "and a half" after a count or a unit: *end past it. */
static bool
and_a_half(const char *s, size_t i, size_t *end)
{
	size_t j = lx_sp(s, i);

	return j > i && lx_word(s, j, "and a half", end);
}

bool
lx_count(const char *s, size_t i, bool frac, int64_t *milli, size_t *end)
{
	size_t e, j;
	int v, n;

	if (lx_digit(s[i])) {
		n = lx_ndigits(s, i);
		if (n > 6)
			return false;
		lx_uint(s, i, 6, &v, &e);
		*milli = (int64_t)v * 1000;
		if (s[e] == '.' && lx_digit(s[e + 1])) {
			int64_t f = 0, scale = 1000;

			if (!frac)
				return false;
			j = e + 1;
			for (n = 0; lx_digit(s[j]); j++, n++)
				if (n < 3) {
					scale /= 10;
					f += (s[j] - '0') * scale;
				}
			*milli += f;
			e = j;
		}
		*end = e;
		if (and_a_half(s, e, &j)) {
			*milli += 500;
			*end = j;
		}
		return true;
	}
	if (lx_word(s, i, "half an", end) || lx_word(s, i, "half a", end) ||
	    lx_word(s, i, "half", end)) {
		*milli = 500;
		return true;
	}
	if (lx_word(s, i, "a quarter of an", end) ||
	    lx_word(s, i, "a quarter of a", end) ||
	    lx_word(s, i, "quarter of an", end) ||
	    lx_word(s, i, "a quarter", end) || lx_word(s, i, "quarter", end)) {
		*milli = 250;
		return true;
	}
	if (lx_word(s, i, "a few", end) || lx_word(s, i, "few", end)) {
		*milli = 3000;
		return true;
	}
	if (lx_word(s, i, "several", end)) {
		*milli = 7000;
		return true;
	}
	if (lx_word(s, i, "a couple of", end) ||
	    lx_word(s, i, "couple of", end) || lx_word(s, i, "a couple", end)) {
		*milli = 2000;
		return true;
	}
	if (lx_word(s, i, "an", end) || lx_word(s, i, "a", end) ||
	    lx_word(s, i, "the", end)) {
		*milli = 1000;
		return true;
	}
	if (number_word(s, i, &v, end)) {
		*milli = (int64_t)v * 1000;
		if (and_a_half(s, *end, &j)) {
			*milli += 500;
			*end = j;
		}
		return true;
	}
	return false;
}

static const char *const ordinal_ones[] = {"zeroth", "first", "second", "third",
    "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", NULL};

bool
lx_ordinal(const char *s, size_t i, int *v, size_t *end)
{
	static const char *const sfx[] = {"st", "nd", "rd", "th", NULL};
	size_t e, j;
	int n, k;

	if (lx_digit(s[i])) {
		if (!lx_uint(s, i, 2, &n, &e))
			return false;
		k = lx_words(s, e, sfx, &j);
		if (k < 0 || n == 0)
			return false;
		*v = n;
		*end = j;
		return true;
	}
	if (lx_word(s, i, "twentieth", end)) {
		*v = 20;
		return true;
	}
	if (lx_word(s, i, "thirtieth", end)) {
		*v = 30;
		return true;
	}
	k = lx_words(s, i, ordinal_ones, end);
	if (k >= 1) {
		*v = k;
		return true;
	}
	for (int t = 0; t < 2; t++) {
		if (!lx_word(s, i, t == 0 ? "twenty" : "thirty", &e))
			continue;
		j = e;
		if (s[j] == '-')
			j++;
		else if (lx_blank(s[j]))
			j = lx_sp(s, j);
		else
			return false;
		k = lx_words(s, j, ordinal_ones, end);
		if (k < 1 || k > 9 || (t == 1 && k > 1))
			return false;
		*v = 20 + 10 * t + k;
		return true;
	}
	return false;
}

static const struct {
	const char *name;
	int month;
} months[] = {
    {"january", 1},
    {"february", 2},
    {"march", 3},
    {"april", 4},
    {"may", 5},
    {"june", 6},
    {"july", 7},
    {"august", 8},
    {"september", 9},
    {"october", 10},
    {"november", 11},
    {"december", 12},
    {"sept", 9},
    {"jan", 1},
    {"feb", 2},
    {"mar", 3},
    {"apr", 4},
    {"jun", 6},
    {"jul", 7},
    {"aug", 8},
    {"sep", 9},
    {"oct", 10},
    {"nov", 11},
    {"dec", 12},
};

/* A name at s+i that may be glued to digits after it ("SEP2012" is not
 * accepted, "15SEP" is, by the caller), with an optional '.'. */
int
lx_month(const char *s, size_t i, size_t *end, bool *abbr)
{
	char c0 = lx_lower(s[i]);

	if (c0 < 'a' || c0 > 's')
		return -1;
	for (size_t k = 0; k < sizeof(months) / sizeof(months[0]); k++) {
		size_t e;

		if (months[k].name[0] != c0 ||
		    !lx_word(s, i, months[k].name, &e))
			continue;
		if (abbr != NULL)
			*abbr = k >= 12; /* "may" is a name */
		/* "Sep." and "Sept." but not "Sep.5" */
		if (s[e] == '.' && strlen(months[k].name) <= 4)
			e++;
		*end = e;
		return months[k].month;
	}
	return -1;
}

static const struct {
	const char *name;
	int wday;
	bool weak; /* also an English word */
} weekdays[] = {
    {"monday", 1, false},
    {"tuesday", 2, false},
    {"wednesday", 3, false},
    {"thursday", 4, false},
    {"friday", 5, false},
    {"saturday", 6, false},
    {"sunday", 0, false},
    {"mon", 1, true},
    {"tues", 2, false},
    {"tue", 2, false},
    {"weds", 3, false},
    {"wed", 3, true},
    {"thurs", 4, false},
    {"thur", 4, false},
    {"thu", 4, false},
    {"fri", 5, false},
    {"sat", 6, true},
    {"sun", 0, true},
};

int
lx_weekday(const char *s, size_t i, size_t *end, bool *weak)
{
	char c0 = lx_lower(s[i]);

	if (c0 != 'm' && c0 != 't' && c0 != 'w' && c0 != 'f' && c0 != 's')
		return -1;
	for (size_t k = 0; k < sizeof(weekdays) / sizeof(weekdays[0]); k++) {
		size_t e;

		if (weekdays[k].name[0] != c0 ||
		    !lx_word(s, i, weekdays[k].name, &e))
			continue;
		if (s[e] == '.' && strlen(weekdays[k].name) <= 5 &&
		    !lx_digit(s[e + 1]))
			e++;
		if (weak != NULL)
			*weak = weekdays[k].weak;
		*end = e;
		return weekdays[k].wday;
	}
	return -1;
}

/* Digits at s+i end a year only when no time or number goes on. */
static bool
year_end_ok(const char *s, size_t e)
{
	size_t j;

	if (lx_wordch((unsigned char)s[e]))
		return false;
	if ((s[e] == ':' || s[e] == '.' || s[e] == '/') && lx_digit(s[e + 1]))
		return false;
	j = lx_sp(s, e);
	if (lx_word(s, j, "am", &j) || lx_word(s, j, "pm", &j) ||
	    lx_word(s, j, "a.m.", &j) || lx_word(s, j, "p.m.", &j) ||
	    lx_word(s, j, "o'clock", &j) || lx_word(s, j, "o clock", &j) ||
	    lx_word(s, j, "oclock", &j))
		return false;
	return true;
}

bool
lx_year(const char *s, size_t i, bool two_digit, int *y, size_t *end)
{
	static const char *const eras[] = {"bce", "bc", "ad", "ce", "be", NULL};
	int n = lx_ndigits(s, i), v;
	size_t e, j, k;
	int era;

	if (n == 2 && s[i] == '0' && two_digit) {
		/* "21-APR-06" */
		lx_uint(s, i, 2, &v, &e);
		if (!year_end_ok(s, e))
			return false;
		*y = 2000 + v;
		*end = e;
		return true;
	}
	if (n == 0 || n > 4 || s[i] == '0')
		return false;
	lx_uint(s, i, 4, &v, &e);
	j = lx_sp(s, e);
	era = lx_words(s, j, eras, &k);
	if (era >= 0) {
		*end = k;
		if (era <= 1)
			*y = -v;
		else if (era == 4)
			*y = v - 543;
		else
			*y = v;
		return true;
	}
	if (!year_end_ok(s, e))
		return false;
	if (n == 4 && v >= 1000) {
		*y = v;
		*end = e;
		return true;
	}
	if (n == 2 && (two_digit || v >= 50 || (v >= 20 && v <= 25))) {
		*y = v >= 50 ? 1900 + v : 2000 + v;
		*end = e;
		return true;
	}
	return false;
}

int
lx_weekday_plural(const char *s, size_t i, size_t *end)
{
	for (size_t k = 0; k < 7; k++) {
		size_t n = strlen(weekdays[k].name), j;

		for (j = 0; j < n; j++)
			if (lx_lower(s[i + j]) != weekdays[k].name[j])
				break;
		if (j == n && lx_lower(s[i + n]) == 's' &&
		    !lx_wordch((unsigned char)s[i + n + 1])) {
			*end = i + n + 1;
			return weekdays[k].wday;
		}
	}
	return -1;
}

/* Every word an expression can start with (sorted), and the scanners
 * that can start with it: the others are not even tried, and no scanner
 * at all at other words, which is most of a message. */
static const struct {
	const char *word;
	uint16_t scanners;
} starters[] = {
    {"a", SC_REL | SC_CLOCK},
    {"about", SC_REL | SC_CLOCK},
    {"after", SC_REL | SC_PERIOD},
    {"afternoon", SC_PART},
    {"an", SC_REL | SC_CLOCK},
    {"annually", SC_RECUR},
    {"approximately", SC_REL | SC_CLOCK},
    {"apr", SC_MONTH},
    {"april", SC_MONTH},
    {"around", SC_REL | SC_CLOCK},
    {"at", SC_CLOCK},
    {"aug", SC_MONTH},
    {"august", SC_MONTH},
    {"before", SC_CLOCK},
    {"biweekly", SC_RECUR},
    {"by", SC_CLOCK},
    {"close", SC_CASUAL},
    {"cob", SC_CASUAL},
    {"coming", SC_WEEKDAY | SC_REL | SC_PERIOD},
    {"couple", SC_REL},
    {"daily", SC_RECUR},
    {"day", SC_CASUAL},
    {"dec", SC_MONTH},
    {"december", SC_MONTH},
    {"each", SC_RECUR},
    {"eight", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"eighteen", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"eighteenth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"eighth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"eighty", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"eleven", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"eleventh", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"end", SC_CASUAL | SC_PERIOD},
    {"eod", SC_CASUAL},
    {"evening", SC_PART},
    {"every", SC_RECUR},
    {"everyday", SC_RECUR},
    {"feb", SC_MONTH},
    {"february", SC_MONTH},
    {"few", SC_REL},
    {"fifteen", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"fifteenth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"fifth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"fifty", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"first", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"five", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"following", SC_WEEKDAY | SC_REL | SC_PERIOD},
    {"for", SC_REL},
    {"fortnightly", SC_RECUR},
    {"forty", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"four", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"fourteen", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"fourteenth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"fourth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"fri", SC_MONTH | SC_WEEKDAY},
    {"friday", SC_MONTH | SC_WEEKDAY},
    {"fridays", SC_WEEKDAY},
    {"half", SC_REL | SC_CLOCK},
    {"hourly", SC_RECUR},
    {"in", SC_REL | SC_PART},
    {"jan", SC_MONTH},
    {"january", SC_MONTH},
    {"jul", SC_MONTH},
    {"july", SC_MONTH},
    {"jun", SC_MONTH},
    {"june", SC_MONTH},
    {"last", SC_CASUAL | SC_WEEKDAY | SC_REL | SC_PERIOD},
    {"mar", SC_MONTH},
    {"march", SC_MONTH},
    {"may", SC_MONTH},
    {"midday", SC_CLOCK},
    {"midnight", SC_CLOCK},
    {"mon", SC_MONTH | SC_WEEKDAY},
    {"monday", SC_MONTH | SC_WEEKDAY},
    {"mondays", SC_WEEKDAY},
    {"monthly", SC_RECUR},
    {"morning", SC_PART},
    {"next", SC_WEEKDAY | SC_REL | SC_PERIOD},
    {"night", SC_PART},
    {"nine", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"nineteen", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"nineteenth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"ninety", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"ninth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"noon", SC_CLOCK},
    {"nov", SC_MONTH},
    {"november", SC_MONTH},
    {"now", SC_CASUAL},
    {"oct", SC_MONTH},
    {"october", SC_MONTH},
    {"on", SC_RECUR | SC_WEEKDAY | SC_ORD},
    {"one", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"over", SC_WEEKDAY},
    {"overmorrow", SC_CASUAL},
    {"past", SC_WEEKDAY | SC_REL | SC_PERIOD},
    {"previous", SC_WEEKDAY | SC_REL | SC_PERIOD},
    {"quarter", SC_REL | SC_CLOCK},
    {"quarterly", SC_RECUR},
    {"right", SC_CASUAL},
    {"sat", SC_MONTH | SC_WEEKDAY},
    {"saturday", SC_MONTH | SC_WEEKDAY},
    {"saturdays", SC_WEEKDAY},
    {"second", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"sep", SC_MONTH},
    {"sept", SC_MONTH},
    {"september", SC_MONTH},
    {"seven", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"seventeen", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"seventeenth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"seventh", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"seventy", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"several", SC_REL},
    {"six", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"sixteen", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"sixteenth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"sixth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"sixty", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"sun", SC_MONTH | SC_WEEKDAY},
    {"sunday", SC_MONTH | SC_WEEKDAY},
    {"sundays", SC_WEEKDAY},
    {"ten", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"tenth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"the",
        SC_RECUR | SC_MONTH | SC_CASUAL | SC_WEEKDAY | SC_REL | SC_PERIOD |
            SC_ORD},
    {"third", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"thirteen", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"thirteenth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"thirtieth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"thirty", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"this", SC_CASUAL | SC_WEEKDAY | SC_PERIOD},
    {"three", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"thu", SC_MONTH | SC_WEEKDAY},
    {"thur", SC_MONTH | SC_WEEKDAY},
    {"thurs", SC_MONTH | SC_WEEKDAY},
    {"thursday", SC_MONTH | SC_WEEKDAY},
    {"thursdays", SC_WEEKDAY},
    {"till", SC_CLOCK},
    {"tmr", SC_CASUAL},
    {"tmrw", SC_CASUAL},
    {"today", SC_CASUAL},
    {"tommorow", SC_CASUAL},
    {"tommorrow", SC_CASUAL},
    {"tomorow", SC_CASUAL},
    {"tomorrow", SC_CASUAL},
    {"tonight", SC_CASUAL},
    {"tonite", SC_CASUAL},
    {"tue", SC_MONTH | SC_WEEKDAY},
    {"tues", SC_MONTH | SC_WEEKDAY},
    {"tuesday", SC_MONTH | SC_WEEKDAY},
    {"tuesdays", SC_WEEKDAY},
    {"twelfth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"twelve", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"twentieth", SC_MONTH | SC_WEEKDAY | SC_ORD},
    {"twenty", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"two", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
    {"until", SC_CLOCK},
    {"upcoming", SC_WEEKDAY | SC_REL | SC_PERIOD},
    {"wed", SC_MONTH | SC_WEEKDAY},
    {"wednesday", SC_MONTH | SC_WEEKDAY},
    {"wednesdays", SC_WEEKDAY},
    {"weds", SC_MONTH | SC_WEEKDAY},
    {"weekdays", SC_RECUR},
    {"weekend", SC_WEEKDAY},
    {"weekends", SC_RECUR},
    {"weekly", SC_RECUR},
    {"within", SC_REL},
    {"yearly", SC_RECUR},
    {"yesterday", SC_CASUAL},
    {"zero", SC_MONTH | SC_WEEKDAY | SC_REL | SC_ORD | SC_CLOCK},
};

unsigned
lx_starter(const char *s, size_t i)
{
	char w[16];
	size_t n = 0;
	int lo = 0, hi = (int)(sizeof(starters) / sizeof(starters[0])) - 1;

	if (s[i] == '+' || s[i] == '-')
		return SC_REL;
	if (lx_digit(s[i]))
		return SC_ISO | SC_NUM | SC_MONTH | SC_WEEKDAY | SC_REL |
		    SC_ORD | SC_CLOCK;
	while ((s[i + n] >= 'a' && s[i + n] <= 'z') ||
	    (s[i + n] >= 'A' && s[i + n] <= 'Z')) {
		if (n >= sizeof(w) - 1)
			return 0;
		w[n] = lx_lower(s[i + n]);
		n++;
	}
	w[n] = '\0';
	while (lo <= hi) {
		int mid = (lo + hi) / 2, cmp = strcmp(w, starters[mid].word);

		if (cmp == 0)
			return starters[mid].scanners;
		if (cmp < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return 0;
}

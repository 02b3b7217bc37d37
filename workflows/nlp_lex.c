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

bool
lx_alnum(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9');
}

bool
lx_wordch(unsigned char ch)
{
	return lx_alnum(ch) || ch >= 0x80;
}

bool
lx_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool
letter(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    ch >= 0x80;
}

char
lx_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

bool
lx_blank(char ch)
{
	return ch == ' ' || ch == '\t';
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
lx_word(const char *s, size_t i, const char *w, size_t *end)
{
	return word_at(s, i, w, true, end);
}

int
lx_words(const char *s, size_t i, const char *const *words, size_t *end)
{
	for (int k = 0; words[k] != NULL; k++)
		if (word_at(s, i, words[k], true, end))
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
	    lx_word(s, i, "couple of", end) ||
	    lx_word(s, i, "a couple", end)) {
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

static const char *const ordinal_ones[] = {"zeroth", "first", "second",
    "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
    "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
    NULL};

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
			*abbr = strlen(months[k].name) <= 3;
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
	static const char *const eras[] = {
	    "bce", "bc", "ad", "ce", "be", NULL};
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
